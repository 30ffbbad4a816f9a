//! Building the review from a run: tiers and contracts from the catalogs, stateful resources
//! by the tier they are judged by, every finding placed in its tier, policies and drills by the
//! tier of their policy.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::path::Path;

use dr_vocab::Strategy;

use super::{
    categories, recovery, AnalysisNote, Cell, Contract, Counts, Gap, GapGroup, MatrixRow, Review,
    StatefulResource, TierReview, UnknownFinding, Workload,
};
use crate::check::CheckRun;
use crate::finding::Finding;
use crate::model::Resource;
use crate::render::{Options, Summary};
use crate::rules::codes::{Category, RULES};
use crate::tiers::{Certainty, Severity, TierCatalog};

/// One configuration's catalog and its resources by address.
struct Configuration<'a> {
    catalog: &'a TierCatalog,
    resources: HashMap<&'a str, &'a Resource>,
}

impl Review {
    /// The review of `run`, with paths written as `options` says.
    pub fn of(run: &CheckRun, options: &Options) -> Review {
        let categories = categories();
        let display = |scope: &str| options.path(Path::new(scope));
        // Configurations in the order they were read; a run with no resources still shows
        // the default tiers.
        let default_catalog = TierCatalog::default();
        let mut configurations: Vec<(&str, Configuration<'_>)> = run
            .tiers
            .iter()
            .map(|(scope, catalog)| {
                (
                    scope,
                    Configuration {
                        catalog,
                        resources: HashMap::new(),
                    },
                )
            })
            .collect();
        let scope_index: HashMap<&str, usize> = configurations
            .iter()
            .enumerate()
            .map(|(at, (scope, _))| (*scope, at))
            .collect();
        for resource in &run.model.resources {
            if let Some(&at) = scope_index.get(&*resource.scope) {
                configurations[at]
                    .1
                    .resources
                    .insert(&resource.address, resource);
            }
        }
        let catalogs: Vec<(&str, &TierCatalog)> = if configurations.is_empty() {
            vec![("", &default_catalog)]
        } else {
            configurations
                .iter()
                .map(|(scope, configuration)| (*scope, configuration.catalog))
                .collect()
        };
        let mut tiers = tier_contracts(&catalogs, &display);
        let levels: Vec<u8> = tiers.iter().map(|tier| tier.level).collect();
        let index_of = |level: u8| levels.iter().position(|known| *known == level);

        // Stateful resources, by the tier they are judged by.
        let mut counts = Counts {
            configurations: configurations.len(),
            ..Counts::default()
        };
        let mut rows: Vec<BTreeMap<(String, String), MatrixRow>> =
            vec![BTreeMap::new(); tiers.len()];
        let empty_row = |address: &str, root: &str| MatrixRow {
            address: address.to_owned(),
            root: root.to_owned(),
            cells: vec![Cell::default(); categories.len()],
        };
        let dr_scopes: HashSet<&str> = run
            .model
            .resources
            .iter()
            .filter(|resource| resource.resource_type.starts_with("dr_"))
            .map(|resource| &*resource.scope)
            .collect();
        for resource in &run.model.resources {
            if !crate::aws::is_stateful(&resource.resource_type) {
                continue;
            }
            let Some(judgement) = run.tiers.judge(resource) else {
                continue;
            };
            let Some(at) = index_of(judgement.tier.level) else {
                continue;
            };
            counts.stateful += 1;
            let root = display(&resource.scope);
            tiers[at].stateful.push(StatefulResource {
                address: resource.address.to_string(),
                resource_type: resource.resource_type.to_string(),
                root: root.clone(),
                tier_source: judgement.source,
            });
            let mut row = empty_row(&resource.address, &root);
            mark_examined(&mut row, resource, run, &dr_scopes, &categories);
            rows[at].insert((root, resource.address.to_string()), row);
        }

        // Failover policies and drills, by the tier of their policy.
        let recovery = recovery::collect(run, &display);
        counts.policies = recovery.policies.len() + recovery.untiered.len();
        counts.drills = recovery
            .policies
            .iter()
            .map(|(_, policy)| policy)
            .chain(&recovery.untiered)
            .map(|policy| policy.drills.len())
            .sum::<usize>()
            + recovery.unlinked_drills.len();
        // A drill or policy finding has no tier of its own: it belongs to the policy's.
        let mut recovery_levels: HashMap<(&str, &str), u8> = HashMap::new();
        for (level, policy) in &recovery.policies {
            recovery_levels.insert((&policy.root, &policy.address), *level);
            for drill in &policy.drills {
                recovery_levels.insert((&drill.root, &drill.address), *level);
            }
        }

        // Findings: each belongs to the tier it was judged by, else to its policy's (drills and
        // policies) or its resource's tier, else (a module call, which has no tier) to the
        // strictest tier of its configuration.
        let mut gaps: Vec<BTreeMap<(usize, &str, &str), GapGroup>> =
            vec![BTreeMap::new(); tiers.len()];
        let mut unknowns = Vec::new();
        for finding in &run.findings {
            let configuration = scope_index
                .get(&*finding.root)
                .map(|&at| &configurations[at].1);
            let resource = configuration.and_then(|c| c.resources.get(&*finding.address).copied());
            let root = display(&finding.root);
            let level = finding
                .tier
                .or_else(|| {
                    recovery_levels
                        .get(&(root.as_str(), &*finding.address))
                        .copied()
                })
                .or_else(|| {
                    resource
                        .and_then(|r| run.tiers.judge(r))
                        .map(|j| j.tier.level)
                })
                .or_else(|| {
                    configuration
                        .and_then(|c| c.catalog.strictest())
                        .map(|t| t.level)
                });
            let Some(at) =
                level
                    .and_then(index_of)
                    .or(if tiers.is_empty() { None } else { Some(0) })
            else {
                continue;
            };
            let root = display(&finding.root);
            let row = rows[at]
                .entry((root.clone(), finding.address.to_string()))
                .or_insert_with(|| {
                    let mut row = empty_row(&finding.address, &root);
                    if let Some(resource) = resource {
                        mark_examined(&mut row, resource, run, &dr_scopes, &categories);
                    }
                    row
                });
            let column = categories
                .iter()
                .position(|c| *c == finding.rule.category)
                .unwrap_or(0);
            if let Some(cell) = row.cells.get_mut(column) {
                cell.examined = true;
                match finding.certainty {
                    Certainty::Definite => cell.failed += 1,
                    Certainty::Unknown => cell.unknown += 1,
                }
            }
            match finding.certainty {
                Certainty::Definite => {
                    add_gap(&mut gaps[at], column, finding, root, options, &mut counts)
                }
                Certainty::Unknown => {
                    tiers[at].unknown += 1;
                    unknowns.push(UnknownFinding {
                        tier: tiers[at].level,
                        rule: finding.rule,
                        severity: finding.severity,
                        address: finding.address.to_string(),
                        root,
                        message: finding.message.to_string(),
                        help: finding.help.to_string(),
                    });
                }
            }
        }

        let mut untiered_policies = recovery.untiered;
        for (level, policy) in recovery.policies {
            match index_of(level) {
                Some(at) => tiers[at].policies.push(policy),
                None => untiered_policies.push(policy),
            }
        }
        for (at, tier) in tiers.iter_mut().enumerate() {
            tier.matrix = std::mem::take(&mut rows[at]).into_values().collect();
            tier.gaps = std::mem::take(&mut gaps[at]).into_values().collect();
            tier.stateful
                .sort_by(|a, b| (&a.root, &a.address).cmp(&(&b.root, &b.address)));
            tier.workloads = workloads(tier);
        }

        unknowns.sort_by(|a, b| (a.tier, &a.root, &a.address).cmp(&(b.tier, &b.root, &b.address)));
        let notes = run
            .model
            .notes
            .iter()
            .map(|note| AnalysisNote {
                location: note.file.map(|file| {
                    let path = options.path(run.sources.path(file));
                    match &note.span {
                        Some(span) => {
                            format!("{path}:{}", run.sources.line_column(file, span.start).0)
                        }
                        None => path,
                    }
                }),
                message: note.message.clone(),
            })
            .collect();
        let errors = run
            .errors
            .iter()
            .map(|error| {
                format!(
                    "{}:{}:{}: {}",
                    options.path(&error.path),
                    error.line,
                    error.column,
                    error.message
                )
            })
            .collect();
        Review {
            summary: Summary::of(run),
            counts,
            categories,
            tiers,
            unknowns,
            notes,
            untiered_policies,
            unlinked_drills: recovery.unlinked_drills,
            errors,
        }
    }
}

/// The tiers in force, strictest first, each with its distinct definitions.
fn tier_contracts(
    catalogs: &[(&str, &TierCatalog)],
    display: &dyn Fn(&str) -> String,
) -> Vec<TierReview> {
    let mut levels: BTreeMap<u8, Vec<Contract>> = BTreeMap::new();
    for (scope, catalog) in catalogs {
        for tier in catalog.levels() {
            let contracts = levels.entry(tier.level).or_default();
            let declared_by = tier.declared_by.as_deref().map(str::to_owned);
            let root = if scope.is_empty() {
                None
            } else {
                Some(display(scope))
            };
            match contracts.iter_mut().find(|known| {
                known.objective == tier.objective
                    && known.name == tier.name
                    && known.declared_by == declared_by
            }) {
                Some(known) => known.configurations.extend(root),
                None => contracts.push(Contract {
                    name: tier.name.clone(),
                    objective: tier.objective,
                    recommended: Strategy::recommended_for(tier.objective),
                    declared_by,
                    configurations: root.into_iter().collect(),
                }),
            }
        }
    }
    levels
        .into_iter()
        .map(|(level, contracts)| TierReview {
            level,
            contracts,
            workloads: Vec::new(),
            stateful: Vec::new(),
            matrix: Vec::new(),
            gaps: Vec::new(),
            policies: Vec::new(),
            unknown: 0,
        })
        .collect()
}

/// Marks the categories some rule of which looks at `resource`: not the rules its
/// `.drlint.hcl` turns off for its tier, nor the drill rules where its configuration does not
/// use the `dr` provider (they judge only what `dr_*` resources declare).
fn mark_examined(
    row: &mut MatrixRow,
    resource: &Resource,
    run: &CheckRun,
    dr_scopes: &HashSet<&str>,
    categories: &[Category],
) {
    let tier = run
        .tiers
        .judge(resource)
        .map(|judgement| judgement.tier.level);
    let uses_dr = || dr_scopes.contains(&*resource.scope);
    for info in RULES {
        if !info.rule.examines(resource) || run.rule_off(&resource.scope, info.code, tier) {
            continue;
        }
        if info.category == Category::Drill && !uses_dr() {
            continue;
        }
        if let Some(column) = categories.iter().position(|c| *c == info.category) {
            row.cells[column].examined = true;
        }
    }
}

fn add_gap<'a>(
    groups: &mut BTreeMap<(usize, &'a str, &'a str), GapGroup>,
    column: usize,
    finding: &'a Finding,
    root: String,
    options: &Options,
    counts: &mut Counts,
) {
    counts.gaps += 1;
    match finding.severity {
        Severity::Error => counts.gap_errors += 1,
        Severity::Warning => counts.gap_warnings += 1,
        Severity::Note => counts.gap_notes += 1,
    }
    groups
        .entry((column, finding.rule.code, &finding.help))
        .or_insert_with(|| GapGroup {
            category: finding.rule.category,
            rule: finding.rule,
            help: finding.help.to_string(),
            doc_url: finding.rule.doc_url(options.docs_url.as_deref()),
            gaps: Vec::new(),
        })
        .gaps
        .push(Gap {
            severity: finding.severity,
            address: finding.address.to_string(),
            root,
            message: finding.message.to_string(),
            baselined: finding.baselined,
        });
}

/// The configurations with something in the tier, with what each has there.
fn workloads(tier: &TierReview) -> Vec<Workload> {
    let mut roots: BTreeSet<&str> = BTreeSet::new();
    roots.extend(tier.matrix.iter().map(|row| row.root.as_str()));
    roots.extend(tier.policies.iter().map(|policy| policy.root.as_str()));
    roots
        .into_iter()
        .map(|root| Workload {
            root: root.to_owned(),
            stateful: tier.stateful.iter().filter(|r| r.root == root).count(),
            gaps: tier
                .gaps
                .iter()
                .flat_map(|group| &group.gaps)
                .filter(|gap| gap.root == root)
                .count(),
            unknown: tier
                .matrix
                .iter()
                .filter(|row| row.root == root)
                .flat_map(|row| &row.cells)
                .map(|cell| cell.unknown)
                .sum(),
            policies: tier.policies.iter().filter(|p| p.root == root).count(),
            drills: tier
                .policies
                .iter()
                .filter(|p| p.root == root)
                .map(|p| p.drills.len())
                .sum(),
        })
        .collect()
}
