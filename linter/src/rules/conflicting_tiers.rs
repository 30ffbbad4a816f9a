use super::{declare_rule, Context, Reporter, Rule, Verdict};
use crate::model::Resource;
use crate::tiers::{Certainty, Severity};

declare_rule! {
    /// ## What it does
    /// Reports two `dr_tier` resources of one configuration (a root module or a plan) that
    /// contradict each other: the same `name`, or the same `level` with a different `rto` or
    /// `rpo`. Both declarations are reported. Until the conflict is resolved drlint judges the
    /// level by the stricter of the two objectives.
    ///
    /// ## Why is this bad?
    /// Resources name their tier by level (`dr-tier = "1"`). With two definitions of a level,
    /// which promise holds depends on which block Terraform happens to read last: a 30-minute
    /// tier can silently become a 4-hour one, and every check against it changes with it.
    ///
    /// ## Example
    /// ```hcl
    /// resource "dr_tier" "critical" {
    ///   name  = "critical"
    ///   level = 1
    ///   rto   = "30m"
    ///   rpo   = "5m"
    /// }
    ///
    /// resource "dr_tier" "payments" {
    ///   name  = "payments"
    ///   level = 1
    ///   rto   = "4h"
    ///   rpo   = "1h"
    /// }
    /// ```
    ///
    /// Use instead:
    /// ```hcl
    /// resource "dr_tier" "critical" {
    ///   name  = "critical"
    ///   level = 1
    ///   rto   = "30m"
    ///   rpo   = "5m"
    /// }
    ///
    /// resource "dr_tier" "payments" {
    ///   name  = "payments"
    ///   level = 2
    ///   rto   = "4h"
    ///   rpo   = "1h"
    /// }
    /// ```
    pub struct ConflictingTiers;
}

impl Rule for ConflictingTiers {
    fn examines(&self, resource: &Resource) -> bool {
        resource.resource_type == dr_vocab::terms::tier::TYPE
    }

    fn check_model(&self, cx: &Context<'_>, report: &mut Reporter<'_>) {
        for conflict in cx.tiers.conflicts() {
            let pair = [
                (&conflict.first, &conflict.second),
                (&conflict.second, &conflict.first),
            ];
            for (this, other) in pair {
                let Some(resource) = cx.resources().iter().find(|r| *r.address == **this) else {
                    continue;
                };
                report.report(
                    resource,
                    &["level"],
                    None,
                    Verdict {
                        severity: Severity::Error,
                        certainty: Certainty::Definite,
                    },
                    format!(
                        "{this} and {other} {}: which one holds would depend on which Terraform reads last",
                        conflict.reason
                    ),
                    "give each tier its own name and level, or delete one of the two".to_owned(),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::test_support::{assert_pass, findings};

    #[test]
    fn both_declarations_of_a_conflict_are_reported() {
        let found = findings(
            "DR104",
            r#"
            resource "dr_tier" "critical" {
              name  = "critical"
              level = 1
              rto   = "30m"
              rpo   = "5m"
            }
            resource "dr_tier" "payments" {
              name  = "payments"
              level = 1
              rto   = "4h"
              rpo   = "1h"
            }
            resource "dr_tier" "again" {
              name  = "critical"
              level = 2
              rto   = "1h"
              rpo   = "15m"
            }
        "#,
        );
        let addresses: Vec<&str> = found.iter().map(|f| &*f.address).collect();
        assert_eq!(
            addresses,
            [
                "dr_tier.critical",
                "dr_tier.critical",
                "dr_tier.payments",
                "dr_tier.again"
            ]
        );
        assert!(found
            .iter()
            .any(|f| f.message.contains("RTO 30m / RPO 5m and RTO 4h / RPO 1h")));
    }

    #[test]
    fn distinct_tiers_pass() {
        assert_pass(
            "DR104",
            &[r#"
            resource "dr_tier" "critical" {
              name  = "critical"
              level = 1
              rto   = "15m"
              rpo   = "1m"
            }
            resource "dr_tier" "business" {
              name  = "business"
              level = 2
              rto   = "1h"
              rpo   = "15m"
            }
            "#],
        );
    }
}
