use dr_vocab::terms::policy as policy_term;

use super::policies::covers;
use super::{declare_rule, Context, Reporter, Rule, Verdict};
use crate::aws;
use crate::model::Resource;
use crate::tiers::{Certainty, Severity};

declare_rule! {
    /// ## What it does
    /// In trees that use the `dr` provider (any `dr_*` resource), reports tier-1 data stores
    /// (stateful resources other than KMS keys and secrets) when no `dr_failover_policy` covers tier 1: a policy whose `tier` refers to a
    /// `dr_tier` of level 1. Reported once, on the first such resource, with the count.
    ///
    /// ## Why is this bad?
    /// Tier 1 promises recovery in minutes. That only happens with a decided strategy, a
    /// recovery region and a runbook, which is what a failover policy records and what
    /// `dr_drill` exercises. Without one, the first failover is an improvisation.
    ///
    /// ## Example
    /// ```hcl
    /// resource "dr_tier" "critical" {
    ///   name  = "critical"
    ///   level = 1
    ///   rto   = "15m"
    ///   rpo   = "1m"
    /// }
    /// ```
    ///
    /// Use instead:
    /// ```hcl
    /// resource "dr_failover_policy" "orders" {
    ///   name             = "orders"
    ///   tier             = dr_tier.critical
    ///   strategy         = "active_active"
    ///   primary_region   = "eu-west-1"
    ///   secondary_region = "eu-central-1"
    ///   mode             = "manual"
    /// }
    /// ```
    pub struct NoFailoverPolicy;
}

impl Rule for NoFailoverPolicy {
    fn examines(&self, resource: &Resource) -> bool {
        is_data_store(resource)
    }

    /// Each root module (or plan) is its own configuration: a policy in one does not cover
    /// the workloads of another.
    fn check_model(&self, cx: &Context<'_>, report: &mut Reporter<'_>) {
        check_configuration(cx, report);
    }
}

/// Keys and secrets follow the data they protect; the workloads are the data stores.
fn is_data_store(resource: &Resource) -> bool {
    aws::is_stateful(&resource.resource_type)
        && !matches!(
            resource.resource_type.as_str(),
            "aws_kms_key" | "aws_secretsmanager_secret"
        )
}

fn check_configuration(cx: &Context<'_>, report: &mut Reporter<'_>) {
    let in_scope = || cx.resources().iter().copied();
    if !in_scope().any(|r| r.resource_type.starts_with("dr_")) {
        return;
    }
    let mut covered = Some(false);
    for policy in in_scope().filter(|r| r.resource_type == policy_term::TYPE) {
        match covers(cx, policy, 1) {
            Some(true) => {
                covered = Some(true);
                break;
            }
            Some(false) => {}
            None => covered = None,
        }
    }
    if covered == Some(true) {
        return;
    }
    let workloads: Vec<_> = in_scope()
        .filter(|r| is_data_store(r))
        .filter_map(|r| cx.judge(r).filter(|j| j.tier.level == 1).map(|j| (r, j)))
        .collect();
    let Some((first, judgement)) = workloads.first() else {
        return;
    };
    let certainty = if covered.is_none() {
        Certainty::Unknown
    } else {
        Certainty::Definite
    };
    report.report(
        first,
        &[],
        Some(judgement),
        Verdict {
            severity: Severity::Error,
            certainty,
        },
        format!(
            "{} tier-1 resource{} ({}{}) but no dr_failover_policy covers tier 1",
            workloads.len(),
            if workloads.len() == 1 { "" } else { "s" },
            first.address,
            if workloads.len() > 1 { ", ..." } else { "" }
        ),
        "declare a dr_failover_policy with `tier = dr_tier.<your tier-1 tier>`, a strategy and a recovery region".to_owned(),
    );
}

#[cfg(test)]
mod tests {
    use crate::rules::test_support::{assert_fail, assert_pass};

    const TIER: &str = r#"resource "dr_tier" "critical" {
        name  = "critical"
        level = 1
        rto   = "15m"
        rpo   = "1m"
    }
    resource "aws_dynamodb_table" "t" { tags = { "dr-tier" = "1" } }
    "#;

    #[test]
    fn pass_and_fail() {
        let covered =
            format!("{TIER}\nresource \"dr_failover_policy\" \"p\" {{ tier = dr_tier.critical }}");
        // The tier object itself, as plans record the policy's `tier`.
        let covered_in_plans = format!(
            "{TIER}\nresource \"dr_failover_policy\" \"p\" {{\n  tier = {{ name = \"critical\", level = 1, rto = \"15m\", rpo = \"1m\", allowed_regions = null }}\n}}"
        );
        let other_tier = format!(
            "{TIER}\nresource \"dr_failover_policy\" \"p\" {{\n  tier = {{ name = \"gold\", level = 2, rto = \"1h\", rpo = \"15m\", allowed_regions = null }}\n}}"
        );
        assert_fail("DR701", &[other_tier.as_str()]);
        assert_pass(
            "DR701",
            &[
                covered.as_str(),
                covered_in_plans.as_str(),
                // Trees that do not use the dr provider are not asked for policies.
                r#"resource "aws_dynamodb_table" "t" {}"#,
            ],
        );
        assert_fail("DR701", &[TIER]);
    }
}
