//! `--format html`: the architecture review (see [`crate::review`]) as one self-contained
//! page. Nothing is loaded from anywhere: the style sheet is inline, each tier's compliance
//! chart is inline SVG (without even an `xmlns` URL), and there is no script. Printed, each
//! tier and the unknowns start on a new page, table headers repeat and rows are not split.

use std::fmt::Write as _;

use dr_vocab::format_duration;

use super::escape::{html as esc, html_prose as prose};
use super::review_text::{count, policy_tier, summary_line, tier_source};
use crate::review::{CellState, DrillReview, PolicyReview, Review, Tally, TierReview, ABSENT};

const STYLE: &str = r#"
:root { color-scheme: light; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
  color: #1f2328; background: #fff; margin: 0 auto; max-width: 1240px; padding: 24px 32px; }
h1 { font-size: 26px; margin: 0 0 8px; }
h2 { font-size: 21px; margin: 0 0 12px; padding-top: 16px; }
h3 { font-size: 16px; margin: 20px 0 6px; }
h4 { font-size: 14px; margin: 14px 0 4px; }
p.summary { margin: 0 0 16px; padding: 10px 12px; background: #f6f8fa; border: 1px solid #d0d7de; border-radius: 6px; }
table { border-collapse: collapse; width: 100%; margin: 6px 0 14px; }
th, td { border: 1px solid #d0d7de; padding: 4px 8px; text-align: left; vertical-align: top; }
th { background: #f6f8fa; font-weight: 600; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
code { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace; font-size: 12px; overflow-wrap: anywhere; }
.matrix td.state { text-align: center; white-space: nowrap; }
.pass { background: #dafbe1; color: #116329; }
.fail { background: #ffebe9; color: #a40e26; font-weight: 600; }
.unknown { background: #fff8c5; color: #7d4e00; }
.not-checked { color: #6e7781; }
.status-failed, .status-overdue { color: #a40e26; font-weight: 600; }
.status-passed { color: #116329; }
section.tier { border-top: 3px solid #0969da; margin-top: 28px; }
section.errors { border: 2px solid #cf222e; border-radius: 6px; padding: 4px 16px; margin-bottom: 16px; }
nav.tiers a { margin-right: 14px; color: #0969da; }
.legend { color: #57606a; font-size: 12px; }
.gap-group { margin-bottom: 10px; }
figure.chart { margin: 6px 0 12px; }
figure.chart svg { max-width: 100%; height: auto; }
svg text { font: 12px system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif; fill: #1f2328; }
svg rect.pass { fill: #2da44e; }
svg rect.fail { fill: #cf222e; }
svg rect.unknown { fill: #d4a72c; }
svg rect.not-checked { fill: #eaeef2; }
footer { margin-top: 32px; color: #57606a; font-size: 12px; }
@media print {
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  body { max-width: none; padding: 0; font-size: 10.5px; background: #fff; color: #000; }
  nav.tiers { display: none; }
  section.tier { border-top: none; }
  section.tier + section.tier, section.recovery, section.unknowns { break-before: page; }
  h2, h3, h4 { break-after: avoid; }
  table { break-inside: auto; }
  thead { display: table-header-group; }
  tr, figure.chart, .gap-group > p { break-inside: avoid; }
  a { color: inherit; text-decoration: none; }
}
@page { margin: 14mm 12mm; }
"#;

pub fn render(review: &Review) -> String {
    let mut out = String::from("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>DR architecture review</title>\n<style>");
    out.push_str(STYLE);
    out.push_str("</style>\n</head>\n<body>\n<header>\n<h1>DR architecture review</h1>\n");
    let _ = writeln!(
        out,
        "<p class=\"summary\"><strong>Summary:</strong> {}</p>",
        esc(&summary_line(review))
    );
    if !review.tiers.is_empty() {
        out.push_str("<nav class=\"tiers\">");
        for tier in &review.tiers {
            let _ = write!(out, "<a href=\"#tier-{0}\">Tier {0}</a>", tier.level);
        }
        out.push_str("<a href=\"#unknowns\">Unknowns</a></nav>\n");
    }
    out.push_str("</header>\n");
    if !review.errors.is_empty() {
        out.push_str("<section class=\"errors\" id=\"input-errors\">\n<h2>Input errors</h2>\n<p>These inputs could not be read; the review covers the rest.</p>\n<ul>\n");
        for error in &review.errors {
            let _ = writeln!(out, "<li><code>{}</code></li>", esc(error));
        }
        out.push_str("</ul>\n</section>\n");
    }
    for tier in &review.tiers {
        render_tier(&mut out, review, tier);
    }
    if !review.untiered_policies.is_empty() || !review.unlinked_drills.is_empty() {
        out.push_str("<section class=\"recovery\">\n");
        if !review.untiered_policies.is_empty() {
            out.push_str("<h2>Failover policies without a known tier</h2>\n");
            policies_table(&mut out, &review.untiered_policies, true);
            let drills: Vec<&DrillReview> = review
                .untiered_policies
                .iter()
                .flat_map(|p| &p.drills)
                .collect();
            if !drills.is_empty() {
                drills_table(&mut out, &drills);
            }
        }
        if !review.unlinked_drills.is_empty() {
            out.push_str("<h2>Drills without a policy</h2>\n<p>Their policy is not a <code>dr_failover_policy</code> of the same configuration.</p>\n");
            drills_table(&mut out, &review.unlinked_drills.iter().collect::<Vec<_>>());
        }
        out.push_str("</section>\n");
    }
    render_unknowns(&mut out, review);
    let _ = writeln!(
        out,
        "<footer>Written by drlint {}.</footer>\n</body>\n</html>",
        env!("CARGO_PKG_VERSION")
    );
    out
}

fn table_head(out: &mut String, class: &str, columns: &[&str]) {
    let _ = write!(out, "<table class=\"{class}\">\n<thead><tr>");
    for column in columns {
        let _ = write!(out, "<th scope=\"col\">{}</th>", esc(column));
    }
    out.push_str("</tr></thead>\n<tbody>\n");
}

fn table_end(out: &mut String) {
    out.push_str("</tbody>\n</table>\n");
}

fn code(text: &str) -> String {
    format!("<code>{}</code>", esc(text))
}

fn render_tier(out: &mut String, review: &Review, tier: &TierReview) {
    let _ = writeln!(
        out,
        "<section class=\"tier\" id=\"tier-{0}\">\n<h2>Tier {0} — {1}</h2>",
        tier.level,
        esc(&tier.names().join(" / "))
    );
    out.push_str("<h3>Contract</h3>\n");
    table_head(
        out,
        "contract",
        &[
            "name",
            "RTO",
            "RPO",
            "recommended strategy",
            "declared by",
            "in force in",
        ],
    );
    for contract in &tier.contracts {
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td><code>{}</code></td><td>{}</td><td>{}</td></tr>",
            esc(&contract.name),
            format_duration(contract.objective.rto_seconds),
            format_duration(contract.objective.rpo_seconds),
            contract.recommended,
            contract.declared_by.as_deref().map_or_else(|| "defaults".to_owned(), code),
            if contract.configurations.is_empty() {
                ABSENT.to_owned()
            } else {
                esc(&contract.configurations.join(", "))
            }
        );
    }
    table_end(out);

    out.push_str("<h3>Compliance by category</h3>\n");
    if tier.matrix.is_empty() {
        out.push_str("<p>Nothing to judge at this tier.</p>\n");
    } else {
        chart(out, tier, &tier.tally(&review.categories));
        out.push_str("<p class=\"legend\"><span class=\"pass\">pass</span>: checked, nothing found · <span class=\"fail\">fail N</span>: N definite gaps · <span class=\"unknown\">unknown N</span>: cannot be decided statically (see Unknowns) · —: no rule of the category looks at this kind of resource</p>\n");
        let mut columns = vec!["resource", "root"];
        columns.extend(review.categories.iter().map(|c| c.name()));
        table_head(out, "matrix", &columns);
        for row in &tier.matrix {
            let _ = write!(
                out,
                "<tr><td>{}</td><td>{}</td>",
                code(&row.address),
                esc(&row.root)
            );
            for (category, cell) in review.categories.iter().zip(&row.cells) {
                let (class, text) = match cell.state() {
                    CellState::Fail(n) if cell.unknown > 0 => {
                        ("fail", format!("fail {n} + unknown {}", cell.unknown))
                    }
                    CellState::Fail(n) => ("fail", format!("fail {n}")),
                    CellState::Unknown(n) => ("unknown", format!("unknown {n}")),
                    CellState::Pass => ("pass", "pass".to_owned()),
                    CellState::NotChecked => ("not-checked", ABSENT.to_owned()),
                };
                let _ = write!(
                    out,
                    "<td class=\"state {class}\" title=\"{}\">{text}</td>",
                    esc(category.name())
                );
            }
            out.push_str("</tr>\n");
        }
        table_end(out);
    }

    out.push_str("<h3>Workloads</h3>\n");
    if tier.workloads.is_empty() {
        out.push_str("<p>No root module or plan has resources judged by this tier.</p>\n");
    } else {
        table_head(
            out,
            "workloads",
            &[
                "workload",
                "stateful resources",
                "gaps",
                "unknown",
                "failover policies",
                "drills",
            ],
        );
        for workload in &tier.workloads {
            let _ = writeln!(
                out,
                "<tr><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
                esc(&workload.root),
                workload.stateful,
                workload.gaps,
                workload.unknown,
                workload.policies,
                workload.drills
            );
        }
        table_end(out);
    }

    out.push_str("<h3>Stateful resources</h3>\n");
    if tier.stateful.is_empty() {
        out.push_str("<p>None.</p>\n");
    } else {
        table_head(out, "stateful", &["resource", "type", "root", "tier from"]);
        for resource in &tier.stateful {
            let _ = writeln!(
                out,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                code(&resource.address),
                code(&resource.resource_type),
                esc(&resource.root),
                tier_source(resource.tier_source)
            );
        }
        table_end(out);
    }

    let gap_count: usize = tier.gaps.iter().map(|g| g.gaps.len()).sum();
    let _ = writeln!(out, "<h3>Gaps ({gap_count})</h3>");
    if tier.gaps.is_empty() {
        out.push_str("<p>No definite gap.</p>\n");
    }
    let mut category = None;
    for group in &tier.gaps {
        if category != Some(group.category) {
            category = Some(group.category);
            let _ = writeln!(out, "<h4>{}</h4>", esc(group.category.name()));
        }
        let rule = match &group.doc_url {
            Some(url) => format!("<a href=\"{}\">{}</a>", esc(url), group.rule.code),
            None => group.rule.code.to_owned(),
        };
        let _ = writeln!(
            out,
            "<div class=\"gap-group\">\n<p><strong>{rule} {}</strong> — fix: {}</p>",
            group.rule.name,
            prose(&group.help)
        );
        table_head(out, "gaps", &["severity", "resource", "root", "gap"]);
        for gap in &group.gaps {
            let _ = writeln!(
                out,
                "<tr><td>{}{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                gap.severity.name(),
                if gap.baselined { " (baselined)" } else { "" },
                code(&gap.address),
                esc(&gap.root),
                prose(&gap.message)
            );
        }
        table_end(out);
        out.push_str("</div>\n");
    }

    out.push_str("<h3>Failover policies</h3>\n");
    if tier.policies.is_empty() {
        out.push_str("<p>None answers to this tier.</p>\n");
    } else {
        policies_table(out, &tier.policies, false);
    }
    out.push_str("<h3>Drills</h3>\n");
    let drills: Vec<&DrillReview> = tier.drills().collect();
    if drills.is_empty() {
        out.push_str("<p>None.</p>\n");
    } else {
        drills_table(out, &drills);
    }
    if tier.unknown > 0 {
        let _ = writeln!(
            out,
            "<p class=\"legend\">{} of this tier cannot be decided statically: see <a href=\"#unknowns\">Unknowns</a>.</p>",
            count(tier.unknown, "finding", "findings")
        );
    }
    out.push_str("</section>\n");
}

/// A horizontal stacked bar per category: how many of the tier's resources fail, are unknown,
/// pass, or are not checked.
fn chart(out: &mut String, tier: &TierReview, tallies: &[(crate::rules::codes::Category, Tally)]) {
    const LABEL: u32 = 150;
    const BAR: u32 = 420;
    const ROW: u32 = 26;
    const TOP: u32 = 28;
    let width = LABEL + BAR + 230;
    let height = TOP + ROW * tallies.len() as u32 + 8;
    let _ = writeln!(
        out,
        "<figure class=\"chart\">\n<svg class=\"compliance-chart\" role=\"img\" aria-labelledby=\"chart-title-{0}\" viewBox=\"0 0 {width} {height}\" width=\"{width}\" height=\"{height}\">\n<title id=\"chart-title-{0}\">Tier {0}: resources by compliance state, per category</title>",
        tier.level
    );
    // Legend.
    let mut x = LABEL;
    for (class, label) in [
        ("fail", "fail"),
        ("unknown", "unknown"),
        ("pass", "pass"),
        ("not-checked", "not checked"),
    ] {
        let _ = writeln!(
            out,
            "<rect class=\"{class}\" x=\"{x}\" y=\"6\" width=\"12\" height=\"12\"/><text x=\"{}\" y=\"16\">{label}</text>",
            x + 16
        );
        x += 24 + 8 * label.len() as u32;
    }
    for (index, (category, tally)) in tallies.iter().enumerate() {
        let y = TOP + ROW * index as u32;
        let total = tally.fail + tally.unknown + tally.pass + tally.not_checked;
        let _ = writeln!(
            out,
            "<g class=\"category\" data-category=\"{0}\">\n<text class=\"label\" x=\"0\" y=\"{1}\">{0}</text>",
            esc(category.name()),
            y + 15
        );
        let mut x = f64::from(LABEL);
        for (class, n) in [
            ("fail", tally.fail),
            ("unknown", tally.unknown),
            ("pass", tally.pass),
            ("not-checked", tally.not_checked),
        ] {
            if n == 0 || total == 0 {
                continue;
            }
            let w = f64::from(BAR) * n as f64 / total as f64;
            let _ = writeln!(
                out,
                "<rect class=\"{class}\" x=\"{x:.1}\" y=\"{}\" width=\"{w:.1}\" height=\"18\"><title>{}: {n} {}</title></rect>",
                y + 2,
                esc(category.name()),
                class.replace('-', " ")
            );
            x += w;
        }
        let _ = writeln!(
            out,
            "<text class=\"counts\" x=\"{}\" y=\"{}\">{} fail · {} unknown · {} pass</text>\n</g>",
            LABEL + BAR + 10,
            y + 15,
            tally.fail,
            tally.unknown,
            tally.pass
        );
    }
    out.push_str("</svg>\n</figure>\n");
}

fn policies_table(out: &mut String, policies: &[PolicyReview], with_tier: bool) {
    let mut columns = vec![
        "policy",
        "name",
        "root",
        "primary → secondary",
        "strategy",
        "mode",
    ];
    if with_tier {
        columns.push("tier");
    }
    table_head(out, "policies", &columns);
    for policy in policies {
        let _ = write!(
            out,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{} → {}</td><td>{}</td><td>{}</td>",
            code(&policy.address),
            esc(&policy.name),
            esc(&policy.root),
            esc(&policy.primary_region),
            esc(&policy.secondary_region),
            esc(&policy.strategy),
            esc(&policy.mode)
        );
        if with_tier {
            let _ = write!(out, "<td>{}</td>", esc(&policy_tier(policy.tier)));
        }
        out.push_str("</tr>\n");
    }
    table_end(out);
}

fn drills_table(out: &mut String, drills: &[&DrillReview]) {
    table_head(
        out,
        "drills",
        &[
            "drill",
            "policy",
            "root",
            "scenario",
            "status",
            "executed at",
            "next due",
        ],
    );
    for drill in drills {
        let class: String = drill
            .status
            .chars()
            .filter(char::is_ascii_alphabetic)
            .collect();
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"status-{class}\">{}</td><td>{}</td><td>{}</td></tr>",
            code(&drill.address),
            esc(&drill.policy),
            esc(&drill.root),
            esc(&drill.scenario),
            esc(&drill.status),
            esc(&drill.executed_at),
            esc(&drill.next_due_at)
        );
    }
    table_end(out);
}

fn render_unknowns(out: &mut String, review: &Review) {
    out.push_str("<section class=\"unknowns\" id=\"unknowns\">\n<h2>Unknowns</h2>\n<p>What drlint cannot decide from the code alone: not gaps, not passes. Settle them with the values, <code>terraform init</code>, or the plan.</p>\n<h3>Findings that cannot be decided statically</h3>\n");
    if review.unknowns.is_empty() {
        out.push_str("<p>None.</p>\n");
    } else {
        table_head(
            out,
            "unknowns",
            &[
                "tier",
                "rule",
                "severity if confirmed",
                "resource",
                "root",
                "what cannot be known",
                "to settle it",
            ],
        );
        for unknown in &review.unknowns {
            let _ = writeln!(
                out,
                "<tr><td class=\"num\">{}</td><td>{} {}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                unknown.tier,
                unknown.rule.code,
                unknown.rule.name,
                unknown.severity.name(),
                code(&unknown.address),
                esc(&unknown.root),
                prose(&unknown.message),
                prose(&unknown.help)
            );
        }
        table_end(out);
    }
    out.push_str("<h3>Analysis notes</h3>\n");
    if review.notes.is_empty() {
        out.push_str("<p>None.</p>\n");
    } else {
        out.push_str("<ul class=\"notes\">\n");
        for note in &review.notes {
            match &note.location {
                Some(location) => {
                    let _ = writeln!(out, "<li>{}: {}</li>", code(location), prose(&note.message));
                }
                None => {
                    let _ = writeln!(out, "<li>{}</li>", prose(&note.message));
                }
            }
        }
        out.push_str("</ul>\n");
    }
    out.push_str("</section>\n");
}
