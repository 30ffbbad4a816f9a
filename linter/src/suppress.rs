//! Inline suppressions: a comment on the line of the offending value or of the resource header,
//! or on the line just above either, that names the rule and says why.
//!
//! ```hcl
//! # drlint-ignore DR201: reporting replica, rebuilt from the primary in minutes
//! resource "aws_db_instance" "reports" {
//! ```
//!
//! Codes or names, separated by spaces or commas, then `:` and a reason. A directive without a
//! reason suppresses nothing and is reported as a note: a silenced finding must say why.

use crate::finding::Finding;
use crate::model::Note;
use crate::source::{SourceFile, SourceMap};

const DIRECTIVE: &str = "drlint-ignore";

/// What a directive line says: the rules it names and whether it gives a reason.
fn parse(line: &str) -> Option<(Vec<&str>, bool)> {
    let at = line.find(DIRECTIVE)?;
    let before = line[..at].trim_end();
    if !(before.ends_with('#') || before.ends_with("//") || before.ends_with("/*")) {
        return None;
    }
    let rest = &line[at + DIRECTIVE.len()..];
    let (names, reason) = match rest.split_once(':') {
        Some((names, reason)) => (names, reason.trim().trim_end_matches("*/").trim()),
        None => (rest, ""),
    };
    let names: Vec<&str> = names
        .split([' ', ','])
        .filter(|name| !name.is_empty())
        .collect();
    Some((names, !reason.is_empty()))
}

/// The line containing byte `offset`, and the line before it.
fn lines_at(file: &SourceFile, offset: usize) -> [&str; 2] {
    let index = file.line_index(offset.min(file.text.len()));
    let previous = if index == 0 { "" } else { file.line(index - 1) };
    [file.line(index), previous]
}

/// Drops suppressed findings; returns how many, plus notes for directives without a reason.
pub fn apply(findings: &mut Vec<Finding>, sources: &SourceMap) -> (usize, Vec<Note>) {
    let mut notes = Vec::new();
    let before = findings.len();
    findings.retain(|finding| {
        let Some(file) = sources.get(finding.file) else {
            return true;
        };
        for anchor in finding.anchors.iter() {
            for line in lines_at(file, anchor) {
                let Some((names, has_reason)) = parse(line) else { continue };
                if !names.iter().any(|name| name.eq_ignore_ascii_case(finding.rule.code) || *name == finding.rule.name) {
                    continue;
                }
                if has_reason {
                    return false;
                }
                notes.push(Note {
                    message: format!(
                        "`{}` for {} gives no reason, so it suppresses nothing: write `# drlint-ignore {}: <why>`",
                        line.trim(),
                        finding.address,
                        finding.rule.code
                    ),
                    file: Some(finding.file),
                    span: None,
                });
            }
        }
        true
    });
    notes.dedup();
    (before - findings.len(), notes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn directive_needs_a_comment_marker_and_reason() {
        assert_eq!(
            parse("# drlint-ignore DR201: replica"),
            Some((vec!["DR201"], true))
        );
        assert_eq!(
            parse("  // drlint-ignore DR201, DR501"),
            Some((vec!["DR201", "DR501"], false))
        );
        assert_eq!(
            parse("/* drlint-ignore db-instance-multi-az: x */"),
            Some((vec!["db-instance-multi-az"], true))
        );
        assert_eq!(parse("name = \"drlint-ignore DR201: x\""), None);
    }

    #[test]
    fn finds_the_line_and_the_one_above() {
        let mut sources = SourceMap::default();
        let id = sources.add("main.tf".into(), "a\n# b\nc = 1\n");
        let file = sources.get(id).expect("the file");
        assert_eq!(lines_at(file, 6), ["c = 1", "# b"]);
        assert_eq!(lines_at(file, 0), ["a", ""]);
        assert_eq!(sources.line_column(id, 6), (3, 1));
    }
}
