//! Human output: one miette diagnostic per finding, with the HCL snippet and the label on the
//! offending attribute (or the block header when it is absent).

use std::fmt::Write as _;

use miette::{
    GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteDiagnostic, NamedSource, Report,
};

use super::Summary;
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
pub fn render_finding(run: &CheckRun, finding: &Finding, style: &Style) -> String {
    let certainty = match finding.certainty {
        Certainty::Definite => "",
        Certainty::Unknown => " [certainty: unknown]",
    };
    let path = run.sources.path(finding.file).display().to_string();
    // Name the root when the finding's file is not inside it (a shared module).
    let root = if finding.span.is_some() && !path.starts_with(&*finding.root) {
        format!(" (root {})", finding.root)
    } else {
        String::new()
    };
    let message = match finding.span {
        Some(_) => format!("{}{root}{certainty}", finding.message),
        None => format!("{path}: {}{certainty}", finding.message),
    };
    let mut diagnostic = MietteDiagnostic::new(message)
        .with_code(format!("{}/{}", finding.rule.code, finding.rule.name))
        .with_severity(miette_severity(finding.severity))
        .with_help(finding.help.to_string())
        .with_url(finding.rule.url());
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
pub fn render(run: &CheckRun, style: &Style) -> String {
    let mut out = String::new();
    for finding in &run.findings {
        out.push_str(&render_finding(run, finding, style));
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
                    run.sources.path(file).display().to_string(),
                    source,
                ))
            }
            (Some(file), None) => Report::new(
                MietteDiagnostic::new(format!(
                    "{}: {}",
                    run.sources.path(file).display(),
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
        let _ = writeln!(out, "error: {error}");
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
        "drlint: {} error{}, {} warning{}, {} note{} from rules ({} of certainty unknown, {} suppressed) in {} resource instance{}{analysis}{}",
        summary.errors,
        plural(summary.errors),
        summary.warnings,
        plural(summary.warnings),
        summary.notes,
        plural(summary.notes),
        summary.unknown,
        summary.suppressed,
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
