//! `--format markdown`: the architecture review (see [`crate::review`]) as GitHub-flavoured
//! Markdown: a summary line, then per tier its contract, workloads, stateful resources, a
//! compliance matrix by category, the gaps with their fixes, a Mermaid diagram of the failover
//! regions, the policies and the drills; unknowns last, apart from the gaps.

use std::collections::HashMap;
use std::fmt::Write as _;

use dr_vocab::format_duration;

use super::escape::{
    markdown_cell as cell, markdown_code as code, markdown_prose as prose, mermaid_label,
};
use super::review_text::{count, policy_tier, summary_line, tier_source};
use crate::review::{CellState, DrillReview, PolicyReview, Review, TierReview, ABSENT, UNKNOWN};

pub fn render(review: &Review) -> String {
    let mut out = String::from("# DR architecture review\n\n");
    let _ = writeln!(out, "**Summary:** {}\n", summary_line(review));
    if !review.errors.is_empty() {
        out.push_str(
            "## Input errors\n\nThese inputs could not be read; the review covers the rest.\n\n",
        );
        for error in &review.errors {
            let _ = writeln!(out, "- {}", prose(error));
        }
        out.push('\n');
    }
    for tier in &review.tiers {
        render_tier(&mut out, review, tier);
    }
    if !review.untiered_policies.is_empty() {
        out.push_str("## Failover policies without a known tier\n\n");
        policies_table(&mut out, &review.untiered_policies, true);
        let drills: Vec<&DrillReview> = review
            .untiered_policies
            .iter()
            .flat_map(|p| &p.drills)
            .collect();
        drills_table(&mut out, &drills);
    }
    if !review.unlinked_drills.is_empty() {
        out.push_str("## Drills without a policy\n\nTheir policy is not a `dr_failover_policy` of the same configuration.\n\n");
        drills_table(&mut out, &review.unlinked_drills.iter().collect::<Vec<_>>());
    }
    render_unknowns(&mut out, review);
    out
}

/// A URL as a Markdown link target.
fn link_target(url: &str) -> String {
    url.replace(' ', "%20")
        .replace('(', "%28")
        .replace(')', "%29")
}

fn render_tier(out: &mut String, review: &Review, tier: &TierReview) {
    let _ = writeln!(
        out,
        "## Tier {} — {}\n",
        tier.level,
        cell(&tier.names().join(" / "))
    );
    out.push_str("### Contract\n\n| name | RTO | RPO | recommended strategy | declared by | in force in |\n|---|---|---|---|---|---|\n");
    for contract in &tier.contracts {
        let _ = writeln!(
            out,
            "| {} | {} | {} | `{}` | {} | {} |",
            cell(&contract.name),
            format_duration(contract.objective.rto_seconds),
            format_duration(contract.objective.rpo_seconds),
            contract.recommended,
            contract
                .declared_by
                .as_deref()
                .map_or_else(|| "defaults".to_owned(), code),
            if contract.configurations.is_empty() {
                ABSENT.to_owned()
            } else {
                contract
                    .configurations
                    .iter()
                    .map(|c| cell(c))
                    .collect::<Vec<_>>()
                    .join(", ")
            }
        );
    }
    out.push('\n');

    out.push_str("### Workloads\n\n");
    if tier.workloads.is_empty() {
        out.push_str("No root module or plan has resources judged by this tier.\n\n");
    } else {
        out.push_str("| workload | stateful resources | gaps | unknown | failover policies | drills |\n|---|---|---|---|---|---|\n");
        for workload in &tier.workloads {
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} | {} |",
                cell(&workload.root),
                workload.stateful,
                workload.gaps,
                workload.unknown,
                workload.policies,
                workload.drills
            );
        }
        out.push('\n');
    }

    out.push_str("### Stateful resources\n\n");
    if tier.stateful.is_empty() {
        out.push_str("None.\n\n");
    } else {
        out.push_str("| resource | type | root | tier from |\n|---|---|---|---|\n");
        for resource in &tier.stateful {
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} |",
                code(&resource.address),
                code(&resource.resource_type),
                cell(&resource.root),
                tier_source(resource.tier_source)
            );
        }
        out.push('\n');
    }

    out.push_str("### Compliance by category\n\n");
    if tier.matrix.is_empty() {
        out.push_str("Nothing to judge at this tier.\n\n");
    } else {
        out.push_str("`pass`: checked, nothing found · **fail N**: N definite gaps · `unknown N`: cannot be decided statically (see Unknowns) · —: no rule of the category looks at this kind of resource\n\n");
        out.push_str("| resource | root |");
        for category in &review.categories {
            let _ = write!(out, " {} |", category.name());
        }
        out.push_str("\n|---|---|");
        for _ in &review.categories {
            out.push_str(":---:|");
        }
        out.push('\n');
        for row in &tier.matrix {
            let _ = write!(out, "| {} | {} |", code(&row.address), cell(&row.root));
            for matrix_cell in &row.cells {
                let text = match matrix_cell.state() {
                    CellState::Fail(n) if matrix_cell.unknown > 0 => {
                        format!("**fail {n}** + `unknown {}`", matrix_cell.unknown)
                    }
                    CellState::Fail(n) => format!("**fail {n}**"),
                    CellState::Unknown(n) => format!("`unknown {n}`"),
                    CellState::Pass => "`pass`".to_owned(),
                    CellState::NotChecked => ABSENT.to_owned(),
                };
                let _ = write!(out, " {text} |");
            }
            out.push('\n');
        }
        out.push('\n');
    }

    let gap_count: usize = tier.gaps.iter().map(|g| g.gaps.len()).sum();
    let _ = writeln!(out, "### Gaps ({gap_count})\n");
    if tier.gaps.is_empty() {
        out.push_str("No definite gap.\n\n");
    }
    let mut category = None;
    for group in &tier.gaps {
        if category != Some(group.category) {
            category = Some(group.category);
            let _ = writeln!(out, "#### {}\n", group.category.name());
        }
        let rule = match &group.doc_url {
            Some(url) => format!("[{}]({})", group.rule.code, link_target(url)),
            None => group.rule.code.to_owned(),
        };
        let _ = writeln!(
            out,
            "**{rule} {}** — fix: {}\n",
            group.rule.name,
            prose(&group.help)
        );
        out.push_str("| severity | resource | root | gap |\n|---|---|---|---|\n");
        for gap in &group.gaps {
            let _ = writeln!(
                out,
                "| {}{} | {} | {} | {} |",
                gap.severity.name(),
                if gap.baselined { " (baselined)" } else { "" },
                code(&gap.address),
                cell(&gap.root),
                prose(&gap.message)
            );
        }
        out.push('\n');
    }

    out.push_str("### Failover policies\n\n");
    if tier.policies.is_empty() {
        out.push_str("None answers to this tier.\n\n");
    } else {
        mermaid(out, &tier.policies);
        policies_table(out, &tier.policies, false);
    }
    out.push_str("### Drills\n\n");
    let drills: Vec<&DrillReview> = tier.drills().collect();
    if drills.is_empty() {
        out.push_str("None.\n\n");
    } else {
        drills_table(out, &drills);
    }
    if tier.unknown > 0 {
        let _ = writeln!(
            out,
            "_{} of this tier cannot be decided statically: see [Unknowns](#unknowns)._\n",
            count(tier.unknown, "finding", "findings")
        );
    }
}

/// `flowchart LR` of primary → secondary region, one edge per policy.
fn mermaid(out: &mut String, policies: &[PolicyReview]) {
    out.push_str("```mermaid\nflowchart LR\n");
    let mut nodes: HashMap<String, String> = HashMap::new();
    let mut declared = Vec::new();
    let mut node = |region: &str, declared: &mut Vec<String>| -> String {
        // Unknown regions are not one place: each gets a node of its own.
        let key = if region == UNKNOWN || region == ABSENT {
            format!("\u{0}{}", nodes.len())
        } else {
            region.to_owned()
        };
        let next = nodes.len();
        nodes
            .entry(key)
            .or_insert_with(|| {
                let id = format!("r{next}");
                declared.push(format!("  {id}[\"{}\"]", mermaid_label(region)));
                id
            })
            .clone()
    };
    let mut edges = Vec::new();
    for policy in policies {
        let from = node(&policy.primary_region, &mut declared);
        let to = node(&policy.secondary_region, &mut declared);
        edges.push(format!(
            "  {from} -->|\"{}\"| {to}",
            mermaid_label(&format!(
                "{} · {} · {}",
                policy.name, policy.strategy, policy.mode
            ))
        ));
    }
    for line in declared.iter().chain(&edges) {
        out.push_str(line);
        out.push('\n');
    }
    out.push_str("```\n\n");
}

fn policies_table(out: &mut String, policies: &[PolicyReview], with_tier: bool) {
    out.push_str("| policy | name | root | primary → secondary | strategy | mode |");
    if with_tier {
        out.push_str(" tier |");
    }
    out.push_str("\n|---|---|---|---|---|---|");
    if with_tier {
        out.push_str("---|");
    }
    out.push('\n');
    for policy in policies {
        let _ = write!(
            out,
            "| {} | {} | {} | {} → {} | {} | {} |",
            code(&policy.address),
            cell(&policy.name),
            cell(&policy.root),
            cell(&policy.primary_region),
            cell(&policy.secondary_region),
            cell(&policy.strategy),
            cell(&policy.mode)
        );
        if with_tier {
            let _ = write!(out, " {} |", policy_tier(policy.tier));
        }
        out.push('\n');
    }
    out.push('\n');
}

fn drills_table(out: &mut String, drills: &[&DrillReview]) {
    out.push_str("| drill | policy | root | scenario | status | executed at | next due |\n|---|---|---|---|---|---|---|\n");
    for drill in drills {
        let status = match drill.status.as_str() {
            "failed" | "overdue" => format!("**{}**", cell(&drill.status)),
            _ => cell(&drill.status),
        };
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {status} | {} | {} |",
            code(&drill.address),
            cell(&drill.policy),
            cell(&drill.root),
            cell(&drill.scenario),
            cell(&drill.executed_at),
            cell(&drill.next_due_at)
        );
    }
    out.push('\n');
}

fn render_unknowns(out: &mut String, review: &Review) {
    out.push_str("## Unknowns\n\nWhat drlint cannot decide from the code alone: not gaps, not passes. Settle them with the values, `terraform init`, or the plan.\n\n");
    out.push_str("### Findings that cannot be decided statically\n\n");
    if review.unknowns.is_empty() {
        out.push_str("None.\n\n");
    } else {
        out.push_str("| tier | rule | severity if confirmed | resource | root | what cannot be known | to settle it |\n|---|---|---|---|---|---|---|\n");
        for unknown in &review.unknowns {
            let _ = writeln!(
                out,
                "| {} | {} {} | {} | {} | {} | {} | {} |",
                unknown.tier,
                unknown.rule.code,
                unknown.rule.name,
                unknown.severity.name(),
                code(&unknown.address),
                cell(&unknown.root),
                prose(&unknown.message),
                prose(&unknown.help)
            );
        }
        out.push('\n');
    }
    out.push_str("### Analysis notes\n\n");
    if review.notes.is_empty() {
        out.push_str("None.\n");
    } else {
        for note in &review.notes {
            match &note.location {
                Some(location) => {
                    let _ = writeln!(out, "- {}: {}", code(location), prose(&note.message));
                }
                None => {
                    let _ = writeln!(out, "- {}", prose(&note.message));
                }
            }
        }
    }
}
