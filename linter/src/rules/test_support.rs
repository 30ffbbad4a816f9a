//! Inline-HCL test vectors for rules: write the HCL to a temporary module, load it, run the rules.

use crate::finding::Finding;
use crate::hcl::load_tree;
use crate::render::human::{render_finding, Style};
use crate::settings::Settings;
use crate::source::SourceMap;

/// Every finding of rule `code` on a root module made of `hcl`.
pub fn findings(code: &str, hcl: &str) -> Vec<Finding> {
    let dir = tempfile::tempdir().expect("temporary directory for a test");
    std::fs::write(dir.path().join("main.tf"), hcl).expect("write test module");
    let mut sources = SourceMap::default();
    let mut errors = Vec::new();
    let model = load_tree(
        &[dir.path().to_path_buf()],
        &Settings::default(),
        &mut sources,
        &mut errors,
    );
    assert!(errors.is_empty(), "test HCL must parse: {errors:?}");
    super::run(&model)
        .0
        .into_iter()
        .filter(|finding| finding.rule.code == code)
        .collect()
}

pub fn assert_pass(code: &str, cases: &[&str]) {
    for hcl in cases {
        let found = findings(code, hcl);
        assert!(
            found.is_empty(),
            "{code} should pass on:\n{hcl}\nbut reported {found:#?}"
        );
    }
}

/// Every case must draw a finding of rule `code`, and each finding's human rendering must name
/// the resource it is about (the address), since a reader of a long report cannot tell otherwise.
pub fn assert_fail(code: &str, cases: &[&str]) {
    for hcl in cases {
        assert!(
            !findings(code, hcl).is_empty(),
            "{code} should report on:\n{hcl}"
        );
        assert_rendered_with_address(code, hcl);
    }
}

fn assert_rendered_with_address(code: &str, hcl: &str) {
    let dir = tempfile::tempdir().expect("temporary directory for a test");
    std::fs::write(dir.path().join("main.tf"), hcl).expect("write test module");
    let run = crate::check::check(&[dir.path().to_path_buf()], &Settings::default());
    let style = Style {
        color: false,
        width: 100,
    };
    for finding in run.findings.iter().filter(|f| f.rule.code == code) {
        let rendered = render_finding(
            &run,
            finding,
            &style,
            &crate::render::Options::new(".".into()),
        );
        assert!(
            names_address(&rendered, &finding.address),
            "{code}: the rendered finding does not name {}:\n{rendered}",
            finding.address
        );
    }
}

/// Whether `rendered` names `address`, across the line breaks miette wraps messages at (it
/// breaks at spaces and after hyphens).
fn names_address(rendered: &str, address: &str) -> bool {
    let squeeze = |text: &str| text.split_whitespace().collect::<String>();
    squeeze(rendered).contains(&squeeze(address))
}
