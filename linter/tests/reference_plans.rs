//! Every real plan of the shared reference set (`terraform show -json` outputs from public
//! repositories' test data, format 0.1 to 1.2, UTF-8 and UTF-16) loads without an input error.
//!
//! The set lives beside the workspace (`../shared/reference/plans`), not in it: the files keep
//! their repositories' licenses. Where it is absent the test says so and passes, except in CI
//! (`CI=true`), where a missing set is a failure.

use std::path::{Path, PathBuf};

use drlint::check::check;
use drlint::plan::PlanDocument;
use drlint::settings::Settings;

fn reference_plans() -> Option<Vec<PathBuf>> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/reference/plans");
    let entries = match std::fs::read_dir(&dir) {
        Ok(entries) => entries,
        Err(error) => {
            assert!(
                std::env::var("CI").as_deref() != Ok("true"),
                "the reference plans are missing in CI: {}: {error}",
                dir.display()
            );
            eprintln!("skipped: no reference plans at {} ({error})", dir.display());
            return None;
        }
    };
    let mut plans: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| {
            path.extension()
                .is_some_and(|extension| extension == "json")
        })
        .collect();
    plans.sort();
    Some(plans)
}

#[test]
fn every_reference_plan_loads() {
    let Some(plans) = reference_plans() else {
        return;
    };
    assert!(plans.len() >= 100, "only {} reference plans", plans.len());
    let mut failures = Vec::new();
    let mut resources = 0;
    for path in &plans {
        let bytes = std::fs::read(path).unwrap_or_default();
        if let Err(error) = PlanDocument::parse(&bytes) {
            failures.push(format!("{}", error.located(&path.display().to_string())));
            continue;
        }
        let run = check(std::slice::from_ref(path), &Settings::default());
        failures.extend(run.errors.iter().map(ToString::to_string));
        resources += run.model.resources.len();
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    eprintln!("{} reference plans, {resources} resources", plans.len());
}
