//! `--format markdown`: the architecture-review report, grouped by tier: the contract, the
//! resources judged by it, their gaps, and the failover policies and drills that back it.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use dr_vocab::format_duration;

use super::Summary;
use crate::check::CheckRun;
use crate::model::Resource;
use crate::tiers::{Certainty, Tier, TierSource};
use crate::value::Fact;

fn text(resource: &Resource, key: &str) -> String {
    match resource.get(&[key]) {
        Fact::Known(value) => value.to_string_value().unwrap_or_else(|| value.to_string()),
        Fact::Unknown => "(known after apply)".to_owned(),
        Fact::Absent => "—".to_owned(),
    }
}

/// Table cells may not contain `|` or line breaks.
fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

pub fn render(run: &CheckRun) -> String {
    let mut out = String::from("# DR tier report\n\n");
    let summary = Summary::of(run);
    let _ = writeln!(
        out,
        "Resource instances: {}. Findings: {} error(s), {} warning(s), {} note(s); {} uncertain, {} suppressed. Notes on what could not be analysed: {}.\n",
        summary.resources,
        summary.errors,
        summary.warnings,
        summary.notes,
        summary.unknown,
        summary.suppressed,
        summary.analysis_notes
    );
    // Stateful resources by the tier they are judged by.
    let default_catalog = crate::tiers::TierCatalog::default();
    let mut by_tier: BTreeMap<u8, Vec<&Resource>> = BTreeMap::new();
    let mut assumed = 0;
    for resource in &run.model.resources {
        if !crate::aws::is_stateful(&resource.resource_type) {
            continue;
        }
        if let Some(judgement) = run.tiers.judge(resource) {
            if judgement.source != TierSource::Tagged {
                assumed += 1;
            }
            by_tier
                .entry(judgement.tier.level)
                .or_default()
                .push(resource);
        }
    }
    // Each configuration has its own catalog; a level's contract is listed once per distinct
    // definition, with the configurations that use it.
    let mut levels: BTreeMap<u8, Vec<(&Tier, Vec<&str>)>> = BTreeMap::new();
    let catalogs: Vec<(&str, &crate::tiers::TierCatalog)> = if run.tiers.iter().next().is_none() {
        vec![("", &default_catalog)]
    } else {
        run.tiers.iter().collect()
    };
    for (scope, catalog) in catalogs {
        for tier in catalog.levels() {
            let contracts = levels.entry(tier.level).or_default();
            match contracts
                .iter_mut()
                .find(|(known, _)| known.objective == tier.objective && known.name == tier.name)
            {
                Some((_, scopes)) => scopes.push(scope),
                None => contracts.push((tier, vec![scope])),
            }
        }
    }
    for (level, contracts) in &levels {
        let Some((tier, _)) = contracts.first() else {
            continue;
        };
        let _ = writeln!(out, "## Tier {level} — {}\n", tier.name);
        for (tier, scopes) in contracts {
            let _ = writeln!(
                out,
                "Contract{}: RTO {}, RPO {}; recommended strategy `{}`{}.\n",
                if contracts.len() > 1 {
                    format!(
                        " in {}",
                        scopes
                            .iter()
                            .map(|s| format!("`{s}`"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    )
                } else {
                    String::new()
                },
                format_duration(tier.objective.rto_seconds),
                format_duration(tier.objective.rpo_seconds),
                dr_vocab::Strategy::recommended_for(tier.objective),
                tier.declared_by
                    .as_ref()
                    .map(|address| format!(" (declared by `{address}`)"))
                    .unwrap_or_default()
            );
        }
        let resources = by_tier.get(level).map(Vec::as_slice).unwrap_or(&[]);
        let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
        for resource in resources {
            *counts.entry(resource.resource_type.as_str()).or_default() += 1;
        }
        if counts.is_empty() {
            out.push_str("Stateful resources: none.\n\n");
        } else {
            let listed: Vec<String> = counts.iter().map(|(t, n)| format!("{n} × `{t}`")).collect();
            let _ = writeln!(out, "Stateful resources: {}.\n", listed.join(", "));
        }
        let gaps: Vec<_> = run
            .findings
            .iter()
            .filter(|f| f.tier == Some(*level))
            .collect();
        if gaps.is_empty() {
            out.push_str("Gaps: none found.\n\n");
        } else {
            out.push_str("| severity | rule | resource | gap |\n|---|---|---|---|\n");
            for finding in gaps {
                let certainty = if finding.certainty == Certainty::Unknown {
                    " (unknown)"
                } else {
                    ""
                };
                let _ = writeln!(
                    out,
                    "| {}{certainty} | {} {} | `{}` | {} |",
                    finding.severity.name(),
                    finding.rule.code,
                    finding.rule.name,
                    cell(&finding.address),
                    cell(&finding.message)
                );
            }
            out.push('\n');
        }
    }
    if assumed > 0 {
        let _ = writeln!(
            out,
            "{assumed} stateful resources have no valid `dr-tier` tag and are judged as tier 1.\n"
        );
    }
    out.push_str("## Failover policies\n\n");
    let policies: Vec<_> = run.model.of_type(dr_vocab::terms::policy::TYPE).collect();
    if policies.is_empty() {
        out.push_str("None declared.\n\n");
    } else {
        out.push_str("| policy | strategy | primary | secondary | mode |\n|---|---|---|---|---|\n");
        for policy in policies {
            let _ = writeln!(
                out,
                "| `{}` | {} | {} | {} | {} |",
                cell(&policy.address),
                cell(&text(policy, "strategy")),
                cell(&text(policy, "primary_region")),
                cell(&text(policy, "secondary_region")),
                cell(&text(policy, "mode"))
            );
        }
        out.push('\n');
    }
    out.push_str("## Drills\n\n");
    let drills: Vec<_> = run.model.of_type(dr_vocab::terms::drill::TYPE).collect();
    if drills.is_empty() {
        out.push_str("None declared.\n");
    } else {
        out.push_str(
            "| drill | scenario | frequency | executed at | status |\n|---|---|---|---|---|\n",
        );
        for drill in drills {
            let _ = writeln!(
                out,
                "| `{}` | {} | {} | {} | {} |",
                cell(&drill.address),
                cell(&text(drill, "scenario")),
                cell(&text(drill, "frequency")),
                cell(&text(drill, "executed_at")),
                cell(&text(drill, "status"))
            );
        }
    }
    out
}
