//! `--format junit`: JUnit XML as GitLab, Jenkins and most CI test-report views read it.
//!
//! One `<testsuite>` per configuration (root module or plan), one `<testcase>` per resource
//! instance and rule: every rule that applies to the resource's type passes unless it found
//! something, and every finding is a failed test case (`<skipped>` when `--unknown ignore` keeps
//! an unknown finding from counting; baselined findings are skipped too). Input errors are
//! `<error>` test cases of a suite of their own.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::escape::html as escape;
use super::Options;
use crate::check::CheckRun;
use crate::finding::Finding;
use crate::rules::codes::RULES;

#[derive(Default)]
struct Suite<'a> {
    /// (address, rule code) → the findings of that test case.
    cases: BTreeMap<(&'a str, &'static str), Vec<&'a Finding>>,
}

pub fn render(run: &CheckRun, options: &Options) -> String {
    let mut suites: BTreeMap<&str, Suite<'_>> = BTreeMap::new();
    for resource in &run.model.resources {
        let suite = suites.entry(&resource.scope).or_default();
        for info in RULES {
            if info
                .rule
                .resource_types()
                .contains(&resource.resource_type.as_str())
            {
                suite
                    .cases
                    .entry((&resource.address, info.code))
                    .or_default();
            }
        }
    }
    for finding in &run.findings {
        suites
            .entry(&finding.root)
            .or_default()
            .cases
            .entry((&finding.address, finding.rule.code))
            .or_default()
            .push(finding);
    }
    let mut body = String::new();
    let (mut tests, mut failures, mut skipped) = (0, 0, 0);
    for (root, suite) in &suites {
        let root = options.path(std::path::Path::new(root));
        let mut cases = String::new();
        let (mut suite_failures, mut suite_skipped) = (0, 0);
        for ((address, code), findings) in &suite.cases {
            let _ = write!(
                cases,
                "    <testcase classname=\"{}\" name=\"{} {}\"",
                escape(&root),
                escape(address),
                code
            );
            if findings.is_empty() {
                cases.push_str("/>\n");
                continue;
            }
            cases.push_str(">\n");
            let counted: Vec<&&Finding> = findings
                .iter()
                .filter(|finding| options.gate.counted_severity(finding).is_some())
                .collect();
            if counted.is_empty() {
                suite_skipped += 1;
                let why = if findings.iter().all(|finding| finding.baselined) {
                    "in the baseline"
                } else {
                    "certainty unknown (--unknown ignore)"
                };
                let _ = writeln!(cases, "      <skipped message=\"{why}\"/>");
            } else {
                suite_failures += 1;
            }
            for finding in findings {
                let place = match &finding.span {
                    Some(span) => {
                        let (line, column) = run.sources.line_column(finding.file, span.start);
                        format!(
                            "{}:{line}:{column}",
                            options.path(run.sources.path(finding.file))
                        )
                    }
                    None => options.path(run.sources.path(finding.file)),
                };
                let detail = format!(
                    "{place}\n{} {} ({}, certainty {}{})\n{}\nFix: {}",
                    finding.rule.code,
                    finding.rule.name,
                    finding.severity.name(),
                    finding.certainty.name(),
                    finding
                        .tier
                        .map_or(String::new(), |tier| format!(", tier {tier}")),
                    finding.message,
                    finding.help
                );
                if counted.is_empty() {
                    let _ = writeln!(cases, "      <system-out>{}</system-out>", escape(&detail));
                } else {
                    let _ = writeln!(
                        cases,
                        "      <failure type=\"{}\" message=\"{}\">{}</failure>",
                        finding.severity.name(),
                        escape(&finding.message),
                        escape(&detail)
                    );
                }
            }
            cases.push_str("    </testcase>\n");
        }
        tests += suite.cases.len();
        failures += suite_failures;
        skipped += suite_skipped;
        let _ = write!(
            body,
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{suite_failures}\" errors=\"0\" skipped=\"{suite_skipped}\">\n{cases}  </testsuite>\n",
            escape(&root),
            suite.cases.len()
        );
    }
    let errors = run.errors.len();
    if errors > 0 {
        tests += errors;
        let _ = writeln!(
            body,
            "  <testsuite name=\"input\" tests=\"{errors}\" failures=\"0\" errors=\"{errors}\" skipped=\"0\">"
        );
        for error in &run.errors {
            let path = options.path(&error.path);
            let _ = writeln!(
                body,
                "    <testcase classname=\"input\" name=\"{}\">\n      <error message=\"{}\">{}:{}:{}: {}</error>\n    </testcase>",
                escape(&path),
                escape(&error.message),
                escape(&path),
                error.line,
                error.column,
                escape(&error.message)
            );
        }
        body.push_str("  </testsuite>\n");
    }
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"drlint\" tests=\"{tests}\" failures=\"{failures}\" errors=\"{errors}\" skipped=\"{skipped}\">\n{body}</testsuites>\n"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xml_text_is_escaped_and_control_characters_replaced() {
        assert_eq!(
            escape("a<b & \"c\"\u{1}"),
            "a&lt;b &amp; &quot;c&quot;\u{FFFD}"
        );
        assert_eq!(escape("line\nnext"), "line\nnext");
    }
}
