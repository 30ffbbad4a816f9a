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
            .map(|finding| {
                render_finding(
                    &run,
                    finding,
                    &style,
                    &drlint::render::Options::new(".".into()),
                )
            })
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

/// Every finding on every rule's fixture, of whatever rule, names its resource in the human
/// rendering: without the address a finding in a long report points at nothing.
#[test]
fn every_rendered_finding_names_its_resource() {
    let style = Style {
        color: false,
        width: 100,
    };
    let squeeze = |text: &str| text.split_whitespace().collect::<String>();
    let mut checked = 0;
    for info in RULES {
        let dir = PathBuf::from("tests/fixtures/rules").join(info.code);
        let run = check(&[dir], &Settings::default());
        assert!(run.errors.is_empty(), "{:?}", run.errors);
        for finding in &run.findings {
            let rendered = render_finding(
                &run,
                finding,
                &style,
                &drlint::render::Options::new(".".into()),
            );
            // miette wraps messages at spaces and after hyphens, so compare without whitespace.
            assert!(
                squeeze(&rendered).contains(&squeeze(&finding.address)),
                "{} on the {} fixture does not name {}:\n{rendered}",
                finding.rule.code,
                info.code,
                finding.address
            );
            checked += 1;
        }
    }
    assert!(
        checked >= RULES.len(),
        "only {checked} findings were checked"
    );
}
