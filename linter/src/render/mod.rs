//! Output formats, apart from the logic that finds things: human diagnostics, the JSON
//! contract, SARIF, GitHub annotations, the review report by tier in Markdown and HTML, and the
//! rule documentation pages.

pub mod docs;
pub mod escape;
pub mod github;
pub mod html;
pub mod human;
pub mod json;
pub mod junit;
pub mod markdown;
pub mod paths;
mod review_text;
pub mod sarif;

use std::io::Write as _;
use std::path::PathBuf;

use crate::check::CheckRun;
use crate::finding::Finding;
use crate::review::Review;
use crate::tiers::{Certainty, Severity};

/// An output format of `drlint check` (and, for the review formats, `drlint report`).
/// The variants' comments are `--format`'s help.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// miette diagnostics with the HCL snippet.
    Human,
    /// The stable JSON contract (version 1).
    Json,
    /// SARIF 2.1.0, for GitHub code scanning and other SARIF viewers.
    Sarif,
    /// JUnit XML, for GitLab, Jenkins and other CI test reports.
    Junit,
    /// GitHub Actions annotations.
    Github,
    /// Markdown report grouped by tier, for architecture reviews.
    Markdown,
    /// The same report as one self-contained HTML page.
    Html,
}

impl Format {
    pub const ALL: [Format; 7] = [
        Format::Human,
        Format::Json,
        Format::Sarif,
        Format::Junit,
        Format::Github,
        Format::Markdown,
        Format::Html,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Format::Human => "human",
            Format::Json => "json",
            Format::Sarif => "sarif",
            Format::Junit => "junit",
            Format::Github => "github",
            Format::Markdown => "markdown",
            Format::Html => "html",
        }
    }

    pub fn from_name(name: &str) -> Option<Format> {
        Format::ALL.into_iter().find(|format| format.name() == name)
    }

    /// Writes `run` in this format; `color` only matters to human output.
    pub fn write(
        self,
        run: &CheckRun,
        options: &Options,
        color: bool,
        out: &mut dyn std::io::Write,
    ) -> std::io::Result<()> {
        let mut out = std::io::BufWriter::new(out);
        match self {
            Format::Human => {
                let width = if color { 120 } else { 100 };
                let text = human::render(run, &human::Style { color, width }, options);
                out.write_all(text.as_bytes())?;
            }
            Format::Json => {
                serde_json::to_writer_pretty(&mut out, &json::render(run, options))?;
                out.write_all(b"\n")?;
            }
            Format::Sarif => {
                serde_json::to_writer_pretty(&mut out, &sarif::render(run, options))?;
                out.write_all(b"\n")?;
            }
            Format::Junit => out.write_all(junit::render(run, options).as_bytes())?,
            Format::Github => out.write_all(github::render(run, options).as_bytes())?,
            Format::Markdown => {
                out.write_all(markdown::render(&Review::of(run, options)).as_bytes())?
            }
            Format::Html => out.write_all(html::render(&Review::of(run, options)).as_bytes())?,
        }
        out.flush()
    }
}

/// What every output is told besides the run: where paths are relative to, where rule pages
/// live, and which findings fail the run.
#[derive(Debug, Clone)]
pub struct Options {
    /// Paths inside it are written relative to it (`%SRCROOT%` in SARIF); absolute.
    pub base_dir: PathBuf,
    /// Base URL of the rule pages (`DRLINT_DOCS_URL`, or `docs_url` in the config file); see
    /// [`RuleInfo::doc_url`](crate::rules::codes::RuleInfo::doc_url).
    pub docs_url: Option<String>,
    pub gate: Gate,
}

impl Options {
    /// Relative to the working directory, no documentation URL, failing on errors.
    pub fn new(base_dir: PathBuf) -> Options {
        Options {
            base_dir: paths::absolute(&base_dir),
            docs_url: None,
            gate: Gate::default(),
        }
    }

    /// A path as outputs write it.
    pub fn path(&self, path: &std::path::Path) -> String {
        paths::display(path, &self.base_dir)
    }
}

/// How findings of certainty unknown count toward the exit status (`--unknown`; the variants'
/// comments are its help).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum UnknownPolicy {
    /// Like definite findings of their severity.
    #[default]
    Fail,
    /// As warnings at most: they fail the run only with `--fail-on warning` or `note`.
    Warn,
    /// Never: they are reported and counted, and the exit status ignores them.
    Ignore,
}

impl UnknownPolicy {
    pub fn name(self) -> &'static str {
        match self {
            UnknownPolicy::Fail => "fail",
            UnknownPolicy::Warn => "warn",
            UnknownPolicy::Ignore => "ignore",
        }
    }
}

/// Which findings fail a run: `--fail-on`, `--unknown` and the baseline together.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Gate {
    pub fail_on: Severity,
    pub unknown: UnknownPolicy,
}

impl Default for Gate {
    fn default() -> Gate {
        Gate {
            fail_on: Severity::Error,
            unknown: UnknownPolicy::Fail,
        }
    }
}

impl Gate {
    /// The severity `finding` counts with toward the exit status; `None` when it does not count.
    pub fn counted_severity(&self, finding: &Finding) -> Option<Severity> {
        if finding.baselined {
            return None;
        }
        match (finding.certainty, self.unknown) {
            (Certainty::Definite, _) | (Certainty::Unknown, UnknownPolicy::Fail) => {
                Some(finding.severity)
            }
            (Certainty::Unknown, UnknownPolicy::Warn) => {
                Some(finding.severity.min(Severity::Warning))
            }
            (Certainty::Unknown, UnknownPolicy::Ignore) => None,
        }
    }

    /// Whether `finding` makes the exit status 1.
    pub fn fails(&self, finding: &Finding) -> bool {
        self.counted_severity(finding)
            .is_some_and(|severity| severity >= self.fail_on)
    }
}

/// Counts for the summary line and the JSON `summary` object.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Summary {
    pub errors: usize,
    pub warnings: usize,
    pub notes: usize,
    pub unknown: usize,
    pub suppressed: usize,
    /// Findings recorded in the baseline: reported apart, never failing the run.
    pub baselined: usize,
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
            if finding.baselined {
                summary.baselined += 1;
                continue;
            }
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
