//! `--format json`: the stable contract (version 1).
//!
//! ```json
//! {"version": 1,
//!  "findings": [{"rule": "DR201", "name": "db-instance-multi-az", "category": "multi-az",
//!                "severity": "error", "certainty": "definite",
//!                "address": "module.db.aws_db_instance.this[0]", "root": "envs/prod",
//!                "file": "modules/db/main.tf",
//!                "line": 12, "column": 14, "message": "...", "help": "...", "tier": 1,
//!                "attribute": "multi_az", "fingerprint": "5f0c…", "baselined": false,
//!                "fails": true}],
//!  "summary": {"errors": 1, "warnings": 0, "notes": 0, "unknown": 0, "suppressed": 0, "resources": 9,
//!              "input_errors": 0, "analysis_notes": 0, "baselined": 0},
//!  "notes": [{"message": "...", "file": "...", "line": 3, "column": 1}],
//!  "input_errors": [{"file": "...", "line": 1, "column": 7, "message": "..."}]}
//! ```
//! `root` is the root module directory (or plan file) whose values produced the finding: a
//! shared module's file and line can appear once per root. `line`/`column` are 1-based (columns in characters) and `null` for plan files, whose
//! findings are identified by `address`. `tier` is `null` for findings not judged by a tier.
//! In `summary`, `notes` counts findings of severity note; `analysis_notes` counts the
//! entries of the top-level `notes` list (what could not be analysed), which are not findings.
//! Added within version 1: `attribute` (dotted path, empty for the whole resource),
//! `fingerprint` (the identity baselines match, see [`Finding::fingerprint`](crate::finding::Finding::fingerprint)),
//! `baselined` and `fails` (whether the finding counts toward the exit status) on findings;
//! `baselined` in the summary (baselined findings are not counted in `errors`, `warnings`, `notes`).

use serde::Serialize;

use super::{Options, Summary};
use crate::check::CheckRun;

/// The whole JSON document; serialised straight from the run, without an intermediate tree.
#[derive(Serialize)]
pub struct Report<'a> {
    version: u32,
    findings: Findings<'a>,
    summary: SummaryRecord,
    notes: Vec<NoteRecord<'a>>,
    input_errors: Vec<InputErrorRecord<'a>>,
}

#[derive(Serialize)]
struct FindingRecord<'a> {
    rule: &'static str,
    name: &'static str,
    category: &'static str,
    severity: &'static str,
    certainty: &'static str,
    address: &'a str,
    root: &'a str,
    file: String,
    line: Option<usize>,
    column: Option<usize>,
    message: &'a str,
    help: &'a str,
    tier: Option<u8>,
    attribute: &'a str,
    fingerprint: String,
    baselined: bool,
    fails: bool,
}

#[derive(Serialize)]
struct SummaryRecord {
    errors: usize,
    warnings: usize,
    notes: usize,
    unknown: usize,
    suppressed: usize,
    resources: usize,
    input_errors: usize,
    analysis_notes: usize,
    baselined: usize,
}

#[derive(Serialize)]
struct NoteRecord<'a> {
    message: &'a str,
    file: Option<String>,
    line: Option<usize>,
    column: Option<usize>,
}

#[derive(Serialize)]
struct InputErrorRecord<'a> {
    file: String,
    line: usize,
    column: usize,
    message: &'a str,
}

/// The findings, serialised one at a time as they are written out (a large run has hundreds
/// of thousands).
struct Findings<'a>(&'a CheckRun, &'a Options);

impl Serialize for Findings<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let (run, options) = (self.0, self.1);
        serializer.collect_seq(run.findings.iter().map(|finding| {
            let position = finding
                .span
                .as_ref()
                .map(|span| run.sources.line_column(finding.file, span.start));
            FindingRecord {
                rule: finding.rule.code,
                name: finding.rule.name,
                category: finding.rule.category.name(),
                severity: finding.severity.name(),
                certainty: finding.certainty.name(),
                address: &finding.address,
                root: &finding.root,
                file: run.sources.path(finding.file).display().to_string(),
                line: position.map(|(line, _)| line),
                column: position.map(|(_, column)| column),
                message: &finding.message,
                help: &finding.help,
                tier: finding.tier,
                attribute: &finding.attribute,
                fingerprint: finding.fingerprint(&options.base_dir),
                baselined: finding.baselined,
                fails: options.gate.fails(finding),
            }
        }))
    }
}

pub fn render<'a>(run: &'a CheckRun, options: &'a Options) -> Report<'a> {
    let findings = Findings(run, options);
    let notes = run
        .model
        .notes
        .iter()
        .map(|note| {
            let position = match (note.file, &note.span) {
                (Some(file), Some(span)) => Some(run.sources.line_column(file, span.start)),
                _ => None,
            };
            NoteRecord {
                message: &note.message,
                file: note
                    .file
                    .map(|file| run.sources.path(file).display().to_string()),
                line: position.map(|(line, _)| line),
                column: position.map(|(_, column)| column),
            }
        })
        .collect();
    let input_errors = run
        .errors
        .iter()
        .map(|error| InputErrorRecord {
            file: error.path.display().to_string(),
            line: error.line,
            column: error.column,
            message: &error.message,
        })
        .collect();
    let summary = Summary::of(run);
    Report {
        version: 1,
        findings,
        summary: SummaryRecord {
            errors: summary.errors,
            warnings: summary.warnings,
            notes: summary.notes,
            unknown: summary.unknown,
            suppressed: summary.suppressed,
            resources: summary.resources,
            input_errors: summary.input_errors,
            analysis_notes: summary.analysis_notes,
            baselined: summary.baselined,
        },
        notes,
        input_errors,
    }
}
