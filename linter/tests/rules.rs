//! Per-rule fixtures: `tests/fixtures/rules/<CODE>/main.tf`, whose first line says how many
//! findings of that rule it must produce, and a snapshot of their rendered diagnostics.

use std::path::PathBuf;

use drlint::check::check;
use drlint::render::human::{render_finding, Style};
use drlint::rules::codes::RULES;
use drlint::settings::Settings;

#[test]
fn every_rule_has_a_fixture_that_matches_its_expectation() {
    for info in RULES {
        let dir = PathBuf::from("tests/fixtures/rules").join(info.code);
        let text = std::fs::read_to_string(dir.join("main.tf"))
            .unwrap_or_else(|_| panic!("{} has no fixture", info.code));
        let first = text.lines().next().unwrap_or("");
        let expected: usize = first
            .strip_prefix(&format!("# expect: {} ", info.code))
            .and_then(|count| count.trim().parse().ok())
            .unwrap_or_else(|| {
                panic!(
                    "{}: first line must be `# expect: {} N`",
                    info.code, info.code
                )
            });
        let run = check(&[dir], &Settings::default());
        assert!(run.errors.is_empty(), "{:?}", run.errors);
        let style = Style {
            color: false,
            width: 100,
        };
        let rendered: Vec<String> = run
            .findings
            .iter()
            .filter(|finding| finding.rule.code == info.code)
            .map(|finding| render_finding(&run, finding, &style))
            .collect();
        assert_eq!(
            rendered.len(),
            expected,
            "{}:\n{}",
            info.code,
            rendered.join("\n")
        );
        insta::assert_snapshot!(info.code, rendered.join("\n"));
    }
}
