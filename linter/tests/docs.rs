//! The committed rule pages must be what the rules' doc comments generate.

use std::path::Path;

#[test]
fn committed_rule_docs_are_current() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/rules");
    for (name, expected) in drlint::render::docs::pages() {
        let committed = std::fs::read_to_string(dir.join(&name)).unwrap_or_default();
        assert!(
            committed == expected,
            "linter/docs/rules/{name} is stale: run `cargo run -p drlint -- rules --markdown linter/docs/rules`"
        );
    }
}

#[test]
fn committed_config_reference_is_current() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/config.md");
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == drlint::config::reference(),
        "linter/docs/config.md is stale: run `cargo run -p drlint -- config --reference > linter/docs/config.md`"
    );
}
