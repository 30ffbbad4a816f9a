use dr_vocab::format_hours;

use super::missing_tier_tag::is_taggable;
use super::{declare_rule, tier_phrase, Context, Reporter, Rule, Verdict};
use crate::model::Resource;
use crate::tiers::{Certainty, Severity, TierSource};
use crate::value::Fact;

declare_rule! {
    /// ## What it does
    /// Checks the `rto-hours` tag of every resource with a valid `dr-tier` tag: it must be
    /// present, be a number of hours, and be no larger than the tier's RTO.
    ///
    /// ## Why is this bad?
    /// `rto-hours` is what the owning team says the resource can deliver. A value above the
    /// tier's RTO is a written admission that the tier's promise will be broken; a missing one
    /// leaves on-call without the number they restore against.
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_rds_cluster" "ledger" {
    ///   engine = "aurora-postgresql"
    ///   tags   = { "dr-tier" = "1", "rto-hours" = "4" }
    /// }
    /// ```
    ///
    /// Use instead:
    /// ```hcl
    /// resource "aws_rds_cluster" "ledger" {
    ///   engine = "aurora-postgresql"
    ///   tags   = { "dr-tier" = "1", "rto-hours" = "0.25" }
    /// }
    /// ```
    pub struct RtoHoursTag;
}

impl Rule for RtoHoursTag {
    fn examines(&self, resource: &Resource) -> bool {
        is_taggable(resource)
    }

    fn check_resource(&self, cx: &Context<'_>, resource: &Resource, report: &mut Reporter<'_>) {
        let rto_tag = &*cx.tiers.tags().rto_hours;
        if !is_taggable(resource) {
            return;
        }
        let Some(judgement) = cx.judge(resource) else {
            return;
        };
        if judgement.source != TierSource::Tagged {
            // DR101/DR102 already report the tier itself.
            return;
        }
        let tier_rto = judgement.tier.objective.rto_seconds;
        let limit = format_hours(tier_rto);
        let phrase = tier_phrase(&judgement);
        let error = Verdict {
            severity: Severity::Error,
            certainty: Certainty::Definite,
        };
        match resource.tag(rto_tag) {
            Fact::Unknown => report.report(
                resource,
                &["tags", rto_tag],
                Some(&judgement),
                Verdict { severity: Severity::Error, certainty: Certainty::Unknown },
                format!("the {rto_tag} tag of {} cannot be known before apply; {phrase} needs at most {limit}", resource.address),
                format!("set \"{rto_tag}\" to a literal number of hours, at most {limit}"),
            ),
            Fact::Absent => report.report(
                resource,
                &["tags"],
                Some(&judgement),
                error,
                format!("{} has no {rto_tag} tag; {phrase} promises recovery within {limit} h", resource.address),
                format!("add `\"{rto_tag}\" = \"{limit}\"` (or less) to tags"),
            ),
            Fact::Known(value) => {
                let text = value.to_string_value().unwrap_or_else(|| value.to_string());
                match text.trim().parse::<f64>() {
                    Ok(hours) if hours.is_finite() && hours >= 0.0 => {
                        if hours * 3600.0 > tier_rto as f64 {
                            report.report(
                                resource,
                                &["tags", rto_tag],
                                Some(&judgement),
                                error,
                                format!("{} has {rto_tag} = {text}, beyond the RTO of {phrase}: {limit} h", resource.address),
                                format!("make the resource recover within {limit} h and say so, or move it to a tier whose RTO is at least {text} h"),
                            );
                        }
                    }
                    _ => report.report(
                        resource,
                        &["tags", rto_tag],
                        Some(&judgement),
                        error,
                        format!("{} has {rto_tag} = {text:?}, which is not a number of hours", resource.address),
                        format!("write hours as a number, such as \"{limit}\""),
                    ),
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::test_support::{assert_fail, assert_pass};

    #[test]
    fn pass_and_fail() {
        assert_pass(
            "DR103",
            &[
                r#"resource "aws_s3_bucket" "b" { tags = { "dr-tier" = "1", "rto-hours" = "0.25" } }"#,
                r#"resource "aws_s3_bucket" "b" { tags = { "dr-tier" = "3", "rto-hours" = 4 } }"#,
                // No valid tier: DR101/DR102 report it, not this rule.
                r#"resource "aws_s3_bucket" "b" { tags = { "rto-hours" = "99" } }"#,
            ],
        );
        assert_fail(
            "DR103",
            &[
                r#"resource "aws_s3_bucket" "b" { tags = { "dr-tier" = "1", "rto-hours" = "1" } }"#,
                r#"resource "aws_s3_bucket" "b" { tags = { "dr-tier" = "2" } }"#,
                r#"resource "aws_s3_bucket" "b" { tags = { "dr-tier" = "2", "rto-hours" = "one" } }"#,
            ],
        );
    }
}
