//! The architecture review: one run regrouped by DR tier, ready for a renderer.
//!
//! `drlint report` (and `check --format markdown|html`) write it. For every tier in force,
//! strictest first, it gathers the tier's contract as each configuration defines it, the
//! workloads (root modules and plans) with resources judged by it, their stateful resources,
//! a compliance matrix by rule category, the definite gaps with their fixes, and the failover
//! policies and drills that answer to the tier. What cannot be decided statically is kept
//! apart, in [`Review::unknowns`] and [`Review::notes`], so a gap is always a certain one.
//!
//! Nothing here formats text: the renderers in [`crate::render`] choose how it reads.

mod build;
mod recovery;

use dr_vocab::{RecoveryObjective, Strategy};

pub use self::recovery::{DrillReview, PolicyReview, ABSENT, UNKNOWN};
use crate::render::Summary;
use crate::rules::codes::{Category, RuleInfo, RULES};
use crate::tiers::{Severity, TierSource};

/// The whole review.
#[derive(Debug, Clone)]
pub struct Review {
    pub summary: Summary,
    pub counts: Counts,
    /// The rule categories, in the order of the rule table: the matrix's columns.
    pub categories: Vec<Category>,
    /// Every tier in force in some configuration, strictest first.
    pub tiers: Vec<TierReview>,
    /// Findings whose certainty is unknown, of every tier.
    pub unknowns: Vec<UnknownFinding>,
    /// What could not be analysed (not findings).
    pub notes: Vec<AnalysisNote>,
    /// Failover policies whose tier is not written, cannot be known, or is not a tier in force,
    /// with their drills.
    pub untiered_policies: Vec<PolicyReview>,
    /// Drills whose policy cannot be found in their configuration.
    pub unlinked_drills: Vec<DrillReview>,
    /// Inputs that could not be read, as `path:line:column: message`.
    pub errors: Vec<String>,
}

/// Counts for the summary line.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    /// Root modules and plans.
    pub configurations: usize,
    pub stateful: usize,
    /// Definite findings, by severity (baselined ones included: they are still gaps).
    pub gaps: usize,
    pub gap_errors: usize,
    pub gap_warnings: usize,
    pub gap_notes: usize,
    pub policies: usize,
    pub drills: usize,
}

/// One tier: its contract, what answers to it, and how well.
#[derive(Debug, Clone)]
pub struct TierReview {
    pub level: u8,
    /// The contract as each configuration defines it: one entry per distinct definition.
    pub contracts: Vec<Contract>,
    pub workloads: Vec<Workload>,
    pub stateful: Vec<StatefulResource>,
    /// One row per resource of the tier that is stateful or has a finding.
    pub matrix: Vec<MatrixRow>,
    /// Definite findings, grouped by category and rule (and fix).
    pub gaps: Vec<GapGroup>,
    pub policies: Vec<PolicyReview>,
    /// Findings of this tier whose certainty is unknown (listed in [`Review::unknowns`]).
    pub unknown: usize,
}

impl TierReview {
    /// The tier's names, each once (configurations may name one level differently).
    pub fn names(&self) -> Vec<&str> {
        let mut names: Vec<&str> = Vec::new();
        for contract in &self.contracts {
            if !names.contains(&contract.name.as_str()) {
                names.push(&contract.name);
            }
        }
        names
    }

    /// The drills of the tier's policies.
    pub fn drills(&self) -> impl Iterator<Item = &DrillReview> {
        self.policies.iter().flat_map(|policy| policy.drills.iter())
    }

    /// For each category (in `categories` order), how many matrix rows fail, are unknown,
    /// pass, or are not checked: the data of the compliance chart.
    pub fn tally(&self, categories: &[Category]) -> Vec<(Category, Tally)> {
        categories
            .iter()
            .enumerate()
            .map(|(column, category)| {
                let mut tally = Tally::default();
                for row in &self.matrix {
                    match row.cells.get(column).map(Cell::state) {
                        Some(CellState::Fail(_)) => tally.fail += 1,
                        Some(CellState::Unknown(_)) => tally.unknown += 1,
                        Some(CellState::Pass) => tally.pass += 1,
                        Some(CellState::NotChecked) | None => tally.not_checked += 1,
                    }
                }
                (*category, tally)
            })
            .collect()
    }
}

/// Matrix rows of one category by state.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    pub pass: usize,
    pub fail: usize,
    pub unknown: usize,
    pub not_checked: usize,
}

/// A tier as one or more configurations define it.
#[derive(Debug, Clone, PartialEq)]
pub struct Contract {
    pub name: String,
    pub objective: RecoveryObjective,
    /// The cheapest strategy whose slowest recovery meets the objective.
    pub recommended: Strategy,
    /// The `dr_tier` resource that declared it; `None` for the defaults.
    pub declared_by: Option<String>,
    /// The configurations it is in force in, as outputs write paths.
    pub configurations: Vec<String>,
}

/// A root module or plan with resources judged by the tier.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Workload {
    pub root: String,
    pub stateful: usize,
    pub gaps: usize,
    pub unknown: usize,
    pub policies: usize,
    pub drills: usize,
}

/// A stateful resource and how its tier was decided.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatefulResource {
    pub address: String,
    pub resource_type: String,
    pub root: String,
    pub tier_source: TierSource,
}

/// One row of the compliance matrix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MatrixRow {
    pub address: String,
    pub root: String,
    /// One cell per category of [`Review::categories`].
    pub cells: Vec<Cell>,
}

/// What the rules of one category found on one resource.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Cell {
    /// Some rule of the category looks at this resource.
    pub examined: bool,
    pub failed: usize,
    pub unknown: usize,
}

/// How a cell reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CellState {
    /// Definite findings (unknown ones may come with them: see [`Cell::unknown`]).
    Fail(usize),
    /// Only findings whose certainty is unknown.
    Unknown(usize),
    /// Examined, nothing found.
    Pass,
    /// No rule of the category looks at this kind of resource.
    NotChecked,
}

impl Cell {
    pub fn state(&self) -> CellState {
        if self.failed > 0 {
            CellState::Fail(self.failed)
        } else if self.unknown > 0 {
            CellState::Unknown(self.unknown)
        } else if self.examined {
            CellState::Pass
        } else {
            CellState::NotChecked
        }
    }
}

/// The definite findings of one rule with one fix.
#[derive(Debug, Clone, PartialEq)]
pub struct GapGroup {
    pub category: Category,
    pub rule: &'static RuleInfo,
    /// The fix (the findings' help).
    pub help: String,
    /// The rule's page, when a documentation URL is configured.
    pub doc_url: Option<String>,
    pub gaps: Vec<Gap>,
}

/// One definite finding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Gap {
    pub severity: Severity,
    pub address: String,
    pub root: String,
    pub message: String,
    /// Recorded in the baseline: known and accepted for now.
    pub baselined: bool,
}

/// A finding whose certainty is unknown.
#[derive(Debug, Clone, PartialEq)]
pub struct UnknownFinding {
    pub tier: u8,
    pub rule: &'static RuleInfo,
    pub severity: Severity,
    pub address: String,
    pub root: String,
    pub message: String,
    pub help: String,
}

/// Something drlint could not analyse.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnalysisNote {
    /// `path:line` when the note points somewhere.
    pub location: Option<String>,
    pub message: String,
}

/// The categories in the order the rule table first names them.
pub fn categories() -> Vec<Category> {
    let mut categories = Vec::new();
    for info in RULES {
        if !categories.contains(&info.category) {
            categories.push(info.category);
        }
    }
    categories
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cell_reads_fail_before_unknown_before_pass() {
        let cell = |examined, failed, unknown| Cell {
            examined,
            failed,
            unknown,
        };
        assert_eq!(cell(true, 2, 1).state(), CellState::Fail(2));
        assert_eq!(cell(true, 0, 1).state(), CellState::Unknown(1));
        assert_eq!(cell(true, 0, 0).state(), CellState::Pass);
        assert_eq!(cell(false, 0, 0).state(), CellState::NotChecked);
    }

    #[test]
    fn categories_are_the_rule_tables_each_once_in_order() {
        let names: Vec<&str> = categories().iter().map(|c| c.name()).collect();
        assert_eq!(
            names,
            [
                "dr-tier-tag",
                "multi-az",
                "single-az",
                "secret-replication",
                "backup",
                "cross-region",
                "drill"
            ]
        );
    }

    #[test]
    fn the_chart_counts_rows_by_state_per_category() {
        let row = |cells: Vec<Cell>| MatrixRow {
            address: "a".to_owned(),
            root: "r".to_owned(),
            cells,
        };
        let checked = |failed, unknown| Cell {
            examined: true,
            failed,
            unknown,
        };
        let tier = TierReview {
            level: 1,
            contracts: Vec::new(),
            workloads: Vec::new(),
            stateful: Vec::new(),
            matrix: vec![
                row(vec![checked(1, 1), checked(0, 0)]),
                row(vec![checked(0, 2), Cell::default()]),
                row(vec![checked(0, 0), checked(0, 0)]),
            ],
            gaps: Vec::new(),
            policies: Vec::new(),
            unknown: 0,
        };
        let tally = tier.tally(&[Category::MultiAz, Category::Backup]);
        assert_eq!(
            tally[0].1,
            Tally {
                pass: 1,
                fail: 1,
                unknown: 1,
                not_checked: 0
            }
        );
        assert_eq!(
            tally[1].1,
            Tally {
                pass: 2,
                fail: 0,
                unknown: 0,
                not_checked: 1
            }
        );
    }
}
