use super::{declare_rule, Context, Reporter, Rule, Verdict};
use crate::model::Resource;
use crate::tiers::{Certainty, Severity};
use crate::value::Fact;

declare_rule! {
    /// ## What it does
    /// Reports `dr_drill` resources whose `status` is `failed` or `overdue`, and drills whose
    /// observed recovery missed the tier (`rto_met` or `rpo_met` false). The provider computes
    /// these at plan time, so the rule fires on plan files; in HCL the status is not known
    /// before plan and nothing is reported.
    ///
    /// ## Why is this bad?
    /// A failed drill is evidence that the failover policy does not deliver the tier; an
    /// overdue one means nobody knows whether it still does.
    ///
    /// ## Example
    /// ```hcl
    /// resource "dr_drill" "orders_region_outage" {
    ///   policy       = dr_failover_policy.orders.id
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
    ///   policy       = dr_failover_policy.orders.id
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
        &["dr_drill"]
    }

    fn check_resource(&self, _cx: &Context<'_>, drill: &Resource, report: &mut Reporter<'_>) {
        let error = Verdict {
            severity: Severity::Error,
            certainty: Certainty::Definite,
        };
        if let Fact::Known(status) = drill.get(&["status"]) {
            match status.as_str() {
                Some("failed") => {
                    return report.report(
                        drill,
                        &["status"],
                        None,
                        error,
                        format!("{} failed: the failover it exercises did not recover as the tier promises", drill.address),
                        "fix the failover path, run the drill again and record the new observed_rto/observed_rpo".to_owned(),
                    )
                }
                Some("overdue") => {
                    return report.report(
                        drill,
                        &["executed_at"],
                        None,
                        error,
                        format!("{} is overdue: it has not been run within its frequency", drill.address),
                        "run the drill and record executed_at and the observed results".to_owned(),
                    )
                }
                _ => {}
            }
        }
        for (flag, what) in [("rto_met", "recovery time"), ("rpo_met", "data loss")] {
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
}
