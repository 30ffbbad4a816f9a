//! HCL loading and evaluation of a one-file root module: the input is written as `main.tf` and
//! checked as `drlint check DIR` would. Inputs that are not UTF-8 are not HCL and are skipped.

#![no_main]

use std::path::PathBuf;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;

/// One directory for the whole run: only `main.tf` in it changes between inputs.
fn root() -> Option<&'static PathBuf> {
    static ROOT: OnceLock<Option<(tempfile::TempDir, PathBuf)>> = OnceLock::new();
    ROOT.get_or_init(|| {
        let dir = tempfile::Builder::new()
            .prefix("drlint-fuzz-")
            .tempdir()
            .ok()?;
        let path = dir.path().to_path_buf();
        Some((dir, path))
    })
    .as_ref()
    .map(|(_, path)| path)
}

/// The one call into the checker, so that a change of `check`'s signature is one edit.
fn check(root: &PathBuf) -> drlint::check::CheckRun {
    drlint::check::check(
        std::slice::from_ref(root),
        &drlint::settings::Settings::default(),
    )
}

fuzz_target!(|bytes: &[u8]| {
    let Ok(text) = std::str::from_utf8(bytes) else {
        return;
    };
    let Some(root) = root() else {
        return;
    };
    if std::fs::write(root.join("main.tf"), text).is_err() {
        return;
    }
    let run = check(root);
    // Rendering reads every finding and note; it must not panic either.
    let _ = serde_json::to_vec(&drlint::render::json::render(
        &run,
        &drlint::render::Options::new(".".into()),
    ));
});
