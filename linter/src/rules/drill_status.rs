use dr_vocab::drill::default_frequency_seconds;
use dr_vocab::terms::{drill as drill_term, policy as policy_term, tier as tier_term};
use dr_vocab::time::unix_now;
use dr_vocab::DrillStatus as Status;
use dr_vocab::{
    assess, format_timestamp, parse_duration, parse_timestamp, DrillAssessment, DrillRecord,
    RecoveryObjective,
};

use super::policies::named;
use super::{declare_rule, Context, Reporter, Rule, Verdict};
use crate::model::Resource;
use crate::tiers::{Certainty, Severity};
use crate::value::Fact;

declare_rule! {
    /// ## What it does
    /// Reports `dr_drill` resources whose `status` is `failed` or `overdue`, and drills whose
    /// observed recovery missed the tier (`rto_met` or `rpo_met` false). The provider computes
    /// these at every plan, so in plan files the rule reads them. In HCL it computes them the
    /// same way, at today's date, when the drill's `policy` and that policy's `tier` are
    /// resources of the same configuration: a drill whose `executed_at` plus `frequency`
    /// (default 90 days for tier 1, 180 for tier 2, 365 below) is past is overdue, and one
    /// whose `observed_rto` or `observed_rpo` exceeds the tier's objective has failed.
    ///
    /// ## Why is this bad?
    /// A failed drill is evidence that the failover policy does not deliver the tier; an
    /// overdue one means nobody knows whether it still does.
    ///
    /// ## Example
    /// ```hcl
    /// resource "dr_drill" "orders_region_outage" {
    ///   policy       = dr_failover_policy.orders
    ///   scenario     = "region_outage"
    ///   frequency    = "90d"
    ///   executed_at  = "2025-01-10T09:00:00Z"
    ///   observed_rto = "45m"
    /// }
    /// ```
    ///
    /// Use instead:
    /// ```hcl
    /// resource "dr_drill" "orders_region_outage" {
    ///   policy       = dr_failover_policy.orders
    ///   scenario     = "region_outage"
    ///   frequency    = "90d"
    ///   executed_at  = "2026-11-02T09:00:00Z"
    ///   observed_rto = "12m"
    ///   observed_rpo = "30s"
    /// }
    /// ```
    pub struct DrillStatus;
}

impl Rule for DrillStatus {
    fn resource_types(&self) -> &'static [&'static str] {
        &[drill_term::TYPE]
    }

    fn check_resource(&self, cx: &Context<'_>, drill: &Resource, report: &mut Reporter<'_>) {
        let error = Verdict {
            severity: Severity::Error,
            certainty: Certainty::Definite,
        };
        let DrillReading {
            status,
            next_due_at: due,
        } = reading(cx, drill);
        if let Some(status) = status {
            match status {
                Status::Failed => {
                    return report.report(
                        drill,
                        &[drill_term::STATUS.name],
                        None,
                        error,
                        format!("{} failed: the failover it exercises did not recover as the tier promises", drill.address),
                        "fix the failover path, run the drill again and record the new observed_rto/observed_rpo".to_owned(),
                    )
                }
                Status::Overdue => {
                    return report.report(
                        drill,
                        &[drill_term::EXECUTED_AT.name],
                        None,
                        error,
                        match due {
                            Some(due) => format!("{} is overdue: it was due by {due} and has not been run since", drill.address),
                            None => format!("{} is overdue: it has not been run within its frequency", drill.address),
                        },
                        "run the drill and record executed_at and the observed results".to_owned(),
                    )
                }
                Status::Scheduled | Status::Passed => {}
            }
        }
        for (flag, what) in [
            (drill_term::RTO_MET.name, "recovery time"),
            (drill_term::RPO_MET.name, "data loss"),
        ] {
            if drill.get(&[flag]).flag() == crate::value::Fact::Known(false) {
                report.report(
                    drill,
                    &[flag],
                    None,
                    error,
                    format!(
                        "{}: the observed {what} missed the tier's objective",
                        drill.address
                    ),
                    "fix the failover path and run the drill again".to_owned(),
                );
            }
        }
    }
}

/// Where a drill stands, as the provider computes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DrillReading {
    /// `None` when it cannot be known before the provider plans it.
    pub status: Option<Status>,
    /// RFC 3339, when known.
    pub next_due_at: Option<String>,
}

/// A drill's status and due date: read from a plan, where the provider computed them, or
/// judged from a tree as the provider will judge it at the next plan.
pub fn reading(cx: &Context<'_>, drill: &Resource) -> DrillReading {
    match drill.get(&[drill_term::STATUS.name]) {
        Fact::Known(status) => DrillReading {
            status: status.as_str().and_then(|s| s.parse::<Status>().ok()),
            next_due_at: match drill.get(&[drill_term::NEXT_DUE_AT.name]).string() {
                Fact::Known(due) => Some(due),
                _ => None,
            },
        },
        Fact::Absent => match assess_from_hcl(cx, drill) {
            Some(judged) => DrillReading {
                status: Some(judged.status),
                next_due_at: Some(format_timestamp(judged.next_due_at)),
            },
            None => DrillReading {
                status: None,
                next_due_at: None,
            },
        },
        Fact::Unknown => DrillReading {
            status: None,
            next_due_at: None,
        },
    }
}

/// A drill of a tree (not a plan) judged with dr-vocab's [`assess`], the function the provider
/// computes `status` with, at today's date: the policy and tier it names must be resources of
/// the same configuration with known objectives. A drill never executed is not judged (when it
/// was first declared is only in state).
fn assess_from_hcl(cx: &Context<'_>, drill: &Resource) -> Option<DrillAssessment> {
    let text = |resource: &Resource, name: &str| match resource.get(&[name]).string() {
        Fact::Known(text) => Some(Some(text)),
        Fact::Absent => Some(None),
        Fact::Unknown => None,
    };
    let duration = |resource: &Resource, name: &str| match text(resource, name)? {
        Some(text) => parse_duration(&text).ok().map(Some),
        None => Some(None),
    };
    let executed_at = parse_timestamp(&text(drill, drill_term::EXECUTED_AT.name)??).ok()?;
    let policy = named(cx, drill, drill_term::POLICY.name, policy_term::TYPE)?;
    let tier = named(cx, policy, policy_term::TIER.name, tier_term::TYPE)?;
    let objective = RecoveryObjective {
        rto_seconds: duration(tier, tier_term::RTO.name)??,
        rpo_seconds: duration(tier, tier_term::RPO.name)??,
    };
    let frequency_seconds = match duration(drill, drill_term::FREQUENCY.name)? {
        Some(seconds) => seconds,
        None => match tier.get(&[tier_term::LEVEL.name]).number() {
            Fact::Known(level) if (0.0..=255.0).contains(&level) => {
                default_frequency_seconds(level as u8)
            }
            _ => return None,
        },
    };
    let record = DrillRecord {
        declared_at: executed_at,
        executed_at: Some(executed_at),
        frequency_seconds,
        observed_rto_seconds: duration(drill, drill_term::OBSERVED_RTO.name)?,
        observed_rpo_seconds: duration(drill, drill_term::OBSERVED_RPO.name)?,
    };
    Some(assess(&record, objective, unix_now()))
}

#[cfg(test)]
mod tests {
    use crate::rules::test_support::{assert_fail, assert_pass};

    #[test]
    fn pass_and_fail() {
        assert_pass(
            "DR702",
            &[
                r#"resource "dr_drill" "d" { scenario = "region_outage" }"#,
                r#"resource "dr_drill" "d" { status = "passed" }"#,
            ],
        );
        // Computed attributes as a plan records them (written literally here).
        assert_fail(
            "DR702",
            &[
                r#"resource "dr_drill" "d" { status = "failed" }"#,
                r#"resource "dr_drill" "d" { status = "overdue" }"#,
                r#"resource "dr_drill" "d" { rpo_met = false }"#,
            ],
        );
    }

    const POLICY: &str = r#"
        resource "dr_tier" "critical" {
          name  = "critical"
          level = 1
          rto   = "15m"
          rpo   = "1m"
        }
        resource "dr_failover_policy" "payments" {
          name             = "payments"
          tier             = dr_tier.critical
          strategy         = "active_active"
          primary_region   = "eu-west-1"
          secondary_region = "eu-central-1"
        }
    "#;

    /// A drill of [`POLICY`] with `body`.
    fn drill(body: &str) -> String {
        format!("{POLICY}\nresource \"dr_drill\" \"d\" {{\n  policy = dr_failover_policy.payments\n  scenario = \"region_outage\"\n  {body}\n}}")
    }

    /// In HCL the rule judges drills as the provider will: by the dates and observations
    /// written, against the tier the policy names. A century's frequency keeps the verdicts
    /// below from changing with the date the test runs on.
    #[test]
    fn drills_in_hcl_are_judged_like_the_provider_judges_them() {
        let century = "frequency = \"36500d\"";
        let passed = drill(&format!(
            "{century}\n executed_at = \"2026-11-02T09:00:00Z\"\n observed_rto = \"10m\""
        ));
        let never_run = drill("");
        let unknowable = format!(
            "{POLICY}\nvariable \"when\" {{}}\nresource \"dr_drill\" \"d\" {{\n  policy = dr_failover_policy.payments\n  executed_at = var.when\n}}"
        );
        assert_pass(
            "DR702",
            &[passed.as_str(), never_run.as_str(), unknowable.as_str()],
        );

        let failed = drill(&format!(
            "{century}\n executed_at = \"2026-11-02T09:00:00Z\"\n observed_rto = \"45m\""
        ));
        let lost_data = drill(&format!(
            "{century}\n executed_at = \"2026-11-02T09:00:00Z\"\n observed_rpo = \"5m\""
        ));
        // Tier 1 drills fall due 90 days after they ran unless a frequency says otherwise.
        let overdue = drill("executed_at = \"2020-01-06T09:00:00+01:00\"\n observed_rto = \"10m\"");
        assert_fail(
            "DR702",
            &[failed.as_str(), lost_data.as_str(), overdue.as_str()],
        );
    }
}
