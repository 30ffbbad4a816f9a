//! Output formats, apart from the logic that finds things: human diagnostics, the JSON
//! contract, SARIF, GitHub annotations, the Markdown report by tier, and the rule documentation pages.

pub mod docs;
pub mod github;
pub mod human;
pub mod json;
pub mod markdown;
pub mod sarif;

use crate::check::CheckRun;
use crate::tiers::{Certainty, Severity};

/// Counts for the summary line and the JSON `summary` object.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Summary {
    pub errors: usize,
    pub warnings: usize,
    pub notes: usize,
    pub unknown: usize,
    pub suppressed: usize,
    pub resources: usize,
    pub input_errors: usize,
    /// Notes on what could not be analysed (not findings: `notes` counts findings of
    /// severity note).
    pub analysis_notes: usize,
}

impl Summary {
    pub fn of(run: &CheckRun) -> Summary {
        let mut summary = Summary {
            resources: run.model.resources.len(),
            suppressed: run.suppressed,
            input_errors: run.errors.len(),
            analysis_notes: run.model.notes.len(),
            ..Summary::default()
        };
        for finding in &run.findings {
            match finding.severity {
                Severity::Error => summary.errors += 1,
                Severity::Warning => summary.warnings += 1,
                Severity::Note => summary.notes += 1,
            }
            if finding.certainty == Certainty::Unknown {
                summary.unknown += 1;
            }
        }
        summary
    }
}
