//! The words both review formats (Markdown and HTML) use, so they read alike.

use crate::review::Review;
use crate::tiers::TierSource;
use crate::value::Fact;

/// One line of counts.
pub fn summary_line(review: &Review) -> String {
    let counts = &review.counts;
    let summary = &review.summary;
    let mut parts = vec![
        count(counts.configurations, "configuration", "configurations"),
        format!(
            "{} ({} stateful)",
            count(summary.resources, "resource instance", "resource instances"),
            counts.stateful
        ),
        count(review.tiers.len(), "tier in force", "tiers in force"),
    ];
    let mut gaps = count(counts.gaps, "gap", "gaps");
    if counts.gaps > 0 {
        let by_severity: Vec<String> = [
            (counts.gap_errors, "error", "errors"),
            (counts.gap_warnings, "warning", "warnings"),
            (counts.gap_notes, "note", "notes"),
        ]
        .into_iter()
        .filter(|(n, _, _)| *n > 0)
        .map(|(n, one, many)| count(n, one, many))
        .collect();
        gaps = format!("{gaps} ({})", by_severity.join(", "));
    }
    parts.push(gaps);
    parts.push(format!("{} unknown", review.unknowns.len()));
    parts.push(count(review.notes.len(), "analysis note", "analysis notes"));
    parts.push(format!("{} suppressed", summary.suppressed));
    parts.push(count(
        counts.policies,
        "failover policy",
        "failover policies",
    ));
    parts.push(count(counts.drills, "drill", "drills"));
    parts.push(count(review.errors.len(), "input error", "input errors"));
    parts.join(" · ")
}

pub fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

pub fn tier_source(source: TierSource) -> &'static str {
    match source {
        TierSource::Tagged => "dr-tier tag",
        TierSource::Assumed => "assumed (no valid dr-tier tag)",
        TierSource::UnknownTag => "assumed (dr-tier tag unknown)",
    }
}

/// What a policy's tier reads as where it is not one in force.
pub fn policy_tier(tier: Fact<u8>) -> String {
    match tier {
        Fact::Known(level) => format!("tier {level}, not in force here"),
        Fact::Unknown => "cannot be known".to_owned(),
        Fact::Absent => "none written (covers every tier)".to_owned(),
    }
}
