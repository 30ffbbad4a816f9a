//! `--format github`: GitHub Actions workflow commands, one annotation per finding, so findings
//! show on the pull request's diff. Paths are relative to the base directory (run drlint from
//! the repository root, or pass `--base-dir`), as annotations need.

use std::fmt::Write as _;

use super::Options;
use crate::check::CheckRun;
use crate::tiers::{Certainty, Severity};

/// Workflow-command data: `%`, CR and LF are escaped.
fn escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Workflow-command properties: also `:` and `,`.
fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

pub fn render(run: &CheckRun, options: &Options) -> String {
    let mut out = String::new();
    for finding in &run.findings {
        let command = match options
            .gate
            .counted_severity(finding)
            .unwrap_or(Severity::Note)
        {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Note => "notice",
        };
        let mut properties = format!(
            "file={}",
            escape_property(&options.path(run.sources.path(finding.file)))
        );
        if let Some(span) = &finding.span {
            let (line, column) = run.sources.line_column(finding.file, span.start);
            let (end_line, end_column) = run.sources.line_column(finding.file, span.end);
            let _ = write!(properties, ",line={line},col={column},endLine={end_line}");
            if end_line == line {
                let _ = write!(properties, ",endColumn={end_column}");
            }
        }
        let certainty = match finding.certainty {
            Certainty::Definite => "",
            Certainty::Unknown => " (certainty: unknown)",
        };
        let baselined = if finding.baselined {
            " (baselined)"
        } else {
            ""
        };
        let title = format!(
            "{} {}{certainty}{baselined}",
            finding.rule.code, finding.rule.name
        );
        let _ = writeln!(
            out,
            "::{command} {properties},title={}::{}",
            escape_property(&title),
            escape_data(&format!(
                "{}\nFix: {}\nRule: {}",
                finding.message,
                finding.help,
                finding
                    .rule
                    .doc_url(options.docs_url.as_deref())
                    .unwrap_or_else(|| format!("drlint rule {}", finding.rule.code))
            ))
        );
    }
    for error in &run.errors {
        let _ = writeln!(
            out,
            "::error file={},line={},col={}::{}",
            escape_property(&options.path(&error.path)),
            error.line,
            error.column,
            escape_data(&error.message)
        );
    }
    out
}
