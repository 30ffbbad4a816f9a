//! Inline-HCL test vectors for rules: write the HCL to a temporary module, load it, run the rules.

use crate::finding::Finding;
use crate::hcl::load_tree;
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

pub fn assert_fail(code: &str, cases: &[&str]) {
    for hcl in cases {
        assert!(
            !findings(code, hcl).is_empty(),
            "{code} should report on:\n{hcl}"
        );
    }
}
