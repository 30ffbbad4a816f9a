//! `--format github`: GitHub Actions workflow commands, one annotation per finding, so findings
//! show on the pull request's diff.

use std::fmt::Write as _;

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

pub fn render(run: &CheckRun) -> String {
    let mut out = String::new();
    for finding in &run.findings {
        let command = match finding.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Note => "notice",
        };
        let mut properties = format!(
            "file={}",
            escape_property(&run.sources.path(finding.file).display().to_string())
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
        let title = format!("{} {}{certainty}", finding.rule.code, finding.rule.name);
        let _ = writeln!(
            out,
            "::{command} {properties},title={}::{}",
            escape_property(&title),
            escape_data(&format!(
                "{}: {}\nFix: {}",
                finding.address, finding.message, finding.help
            ))
        );
    }
    for error in &run.errors {
        let _ = writeln!(
            out,
            "::error file={},line={},col={}::{}",
            escape_property(&error.path.display().to_string()),
            error.line,
            error.column,
            escape_data(&error.message)
        );
    }
    out
}
