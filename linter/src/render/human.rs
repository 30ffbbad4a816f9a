//! Human output: one miette diagnostic per finding, with the HCL snippet and the label on the
//! offending attribute (or the block header when it is absent).

use std::fmt::Write as _;

use miette::{
    GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteDiagnostic, NamedSource, Report,
};

use super::{Options, Summary};
use crate::check::CheckRun;
use crate::finding::Finding;
use crate::tiers::{Certainty, Severity};

/// How to draw: colours for terminals, plain for files and snapshot tests.
pub struct Style {
    pub color: bool,
    pub width: usize,
}

fn handler(style: &Style) -> GraphicalReportHandler {
    let theme = if style.color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    GraphicalReportHandler::new_themed(theme)
        .with_width(style.width)
        .with_links(false)
}

fn miette_severity(severity: Severity) -> miette::Severity {
    match severity {
        Severity::Error => miette::Severity::Error,
        Severity::Warning => miette::Severity::Warning,
        Severity::Note => miette::Severity::Advice,
    }
}

/// One finding as a diagnostic.
pub fn render_finding(
    run: &CheckRun,
    finding: &Finding,
    style: &Style,
    options: &Options,
) -> String {
    let certainty = match finding.certainty {
        Certainty::Definite => "",
        Certainty::Unknown => " [certainty: unknown]",
    };
    let path = options.path(run.sources.path(finding.file));
    // Name the root when the finding's file is not inside it (a shared module).
    let root_path = options.path(std::path::Path::new(&*finding.root));
    let root = if finding.span.is_some() && !path.starts_with(&root_path) {
        format!(" (root {root_path})")
    } else {
        String::new()
    };
    let message = match finding.span {
        Some(_) => format!("{}{root}{certainty}", finding.message),
        None => format!("{path}: {}{certainty}", finding.message),
    };
    let baselined = if finding.baselined {
        " [baselined]"
    } else {
        ""
    };
    let message = format!("{message}{baselined}");
    let severity = options
        .gate
        .counted_severity(finding)
        .unwrap_or(Severity::Note);
    let mut diagnostic = MietteDiagnostic::new(message)
        .with_code(format!("{}/{}", finding.rule.code, finding.rule.name))
        .with_severity(miette_severity(severity));
    diagnostic = match finding.rule.doc_url(options.docs_url.as_deref()) {
        Some(url) => diagnostic.with_help(finding.help.to_string()).with_url(url),
        None => diagnostic.with_help(format!(
            "{}\n(`drlint rule {}` explains the rule)",
            finding.help, finding.rule.code
        )),
    };
    let label = match finding.certainty {
        Certainty::Definite => finding.rule.category.name().to_owned(),
        Certainty::Unknown => format!("{}: cannot be known here", finding.rule.category.name()),
    };
    let mut out = String::new();
    match (&finding.span, run.sources.get(finding.file)) {
        (Some(span), Some(file)) => {
            diagnostic = diagnostic.with_label(LabeledSpan::at(span.clone(), label));
            let report = Report::new(diagnostic)
                .with_source_code(NamedSource::new(path, file.text.to_string()));
            let _ = handler(style).render_report(&mut out, report.as_ref());
        }
        _ => {
            let report = Report::new(diagnostic);
            let _ = handler(style).render_report(&mut out, report.as_ref());
        }
    }
    out
}

/// The whole report: findings, notes about what could not be analysed, input errors, summary.
pub fn render(run: &CheckRun, style: &Style, options: &Options) -> String {
    let mut out = String::new();
    for finding in &run.findings {
        out.push_str(&render_finding(run, finding, style, options));
        out.push('\n');
    }
    for note in &run.model.notes {
        let mut diagnostic =
            MietteDiagnostic::new(note.message.clone()).with_severity(miette::Severity::Advice);
        let report = match (note.file, &note.span) {
            (Some(file), Some(span)) => {
                diagnostic = diagnostic.with_label(LabeledSpan::at(span.clone(), "not analysed"));
                let source = run
                    .sources
                    .get(file)
                    .map(|f| f.text.to_string())
                    .unwrap_or_default();
                Report::new(diagnostic).with_source_code(NamedSource::new(
                    options.path(run.sources.path(file)),
                    source,
                ))
            }
            (Some(file), None) => Report::new(
                MietteDiagnostic::new(format!(
                    "{}: {}",
                    options.path(run.sources.path(file)),
                    note.message
                ))
                .with_severity(miette::Severity::Advice),
            ),
            _ => Report::new(diagnostic),
        };
        let _ = handler(style).render_report(&mut out, report.as_ref());
        out.push('\n');
    }
    for error in &run.errors {
        out.push_str(&render_input_error(run, error, style, options));
        out.push('\n');
    }
    let summary = Summary::of(run);
    // Findings of severity note and notes on what could not be analysed are counted apart,
    // so the line never says "0 notes" under a printed note.
    let analysis = if summary.analysis_notes > 0 {
        format!(
            "; {} note{} on what could not be analysed",
            summary.analysis_notes,
            plural(summary.analysis_notes)
        )
    } else {
        String::new()
    };
    let _ = writeln!(
        out,
        "drlint: {} error{}, {} warning{}, {} note{} from rules ({} of certainty unknown, {} suppressed{}) in {} resource instance{}{analysis}{}",
        summary.errors,
        plural(summary.errors),
        summary.warnings,
        plural(summary.warnings),
        summary.notes,
        plural(summary.notes),
        summary.unknown,
        summary.suppressed,
        if summary.baselined > 0 { format!(", {} baselined", summary.baselined) } else { String::new() },
        summary.resources,
        plural(summary.resources),
        if summary.input_errors > 0 { format!("; {} input error{} (exit 2)", summary.input_errors, plural(summary.input_errors)) } else { String::new() },
    );
    out
}

fn plural(count: usize) -> &'static str {
    if count == 1 {
        ""
    } else {
        "s"
    }
}

/// The largest file whose text is read again to show an input error's snippet.
const SNIPPET_FILE_BYTES: u64 = 4 * 1024 * 1024;

/// An input error as a diagnostic, with the snippet at its line and column when the file is
/// text drlint can show (read during the run, or small enough to read again).
pub fn render_input_error(
    run: &CheckRun,
    error: &crate::InputError,
    style: &Style,
    options: &Options,
) -> String {
    let path = options.path(&error.path);
    let text: Option<std::sync::Arc<str>> = run
        .sources
        .find(&error.path)
        .map(|file| file.text.clone())
        .filter(|text| !text.is_empty())
        .or_else(|| {
            let metadata = std::fs::metadata(&error.path).ok()?;
            if !metadata.is_file() || metadata.len() > SNIPPET_FILE_BYTES {
                return None;
            }
            std::fs::read_to_string(&error.path).ok().map(Into::into)
        });
    let offset = text
        .as_deref()
        .and_then(|text| offset_of(text, error.line, error.column));
    let mut diagnostic = MietteDiagnostic::new(format!(
        "{path}:{}:{}: {}",
        error.line, error.column, error.message
    ))
    .with_code("input")
    .with_severity(miette::Severity::Error);
    let mut out = String::new();
    let report = match (text, offset) {
        (Some(text), Some(offset)) => {
            let width = text[offset..].chars().next().map_or(0, char::len_utf8);
            diagnostic = diagnostic.with_label(LabeledSpan::at(offset..offset + width, "here"));
            Report::new(diagnostic).with_source_code(NamedSource::new(path, text.to_string()))
        }
        _ => Report::new(diagnostic),
    };
    let _ = handler(style).render_report(&mut out, report.as_ref());
    out
}

/// The byte offset of 1-based `line` and `column` (in characters) in `text`.
fn offset_of(text: &str, line: usize, column: usize) -> Option<usize> {
    let mut start = 0;
    for _ in 1..line.max(1) {
        start += text[start..].find('\n')? + 1;
    }
    let line_text = &text[start
        ..text[start..]
            .find('\n')
            .map_or(text.len(), |end| start + end)];
    let within = line_text
        .char_indices()
        .nth(column.max(1) - 1)
        .map_or(line_text.len(), |(at, _)| at);
    Some(start + within)
}
