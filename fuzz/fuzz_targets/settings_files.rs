//! What a team writes beside its Terraform: a `.drlint.hcl`, `drlint-ignore` comments and a
//! baseline file. No input panics; every config error and directive problem names a place or
//! says what to write; a baseline either loads or says how to recreate it.

#![no_main]

use std::path::{Path, PathBuf};

use drlint::baseline::Baseline;
use drlint::config::Config;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    let path = Path::new(".drlint.hcl");
    if let Ok(text) = std::str::from_utf8(bytes) {
        // A directory that does not exist: `root` blocks and var files are refused, never read.
        if let Err(errors) = Config::parse(path, PathBuf::from("/nonexistent-drlint-fuzz"), text) {
            assert!(!errors.is_empty());
            for error in errors {
                assert!(error.line >= 1 && error.column >= 1, "{error}");
                assert!(!error.message.is_empty());
            }
        }
        for line in text.lines() {
            if let Some(directive) = drlint::suppress::parse(line) {
                assert!(directive.problems.iter().all(|problem| !problem.is_empty()));
                let _ = directive.effective(0);
            }
        }
    }
    if let Err(message) = Baseline::parse(bytes, Path::new("baseline.json")) {
        assert!(message.contains("baseline"), "{message}");
    }
});
