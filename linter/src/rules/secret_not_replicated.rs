use dr_vocab::terms::policy as policy_term;

use super::policies::covers;
use super::{declare_rule, needed, tier_phrase, Context, Reporter, Rule, Verdict};
use crate::model::Resource;
use crate::tiers::Certainty;
use crate::value::{Fact, Value};

declare_rule! {
    /// ## What it does
    /// Reports `aws_secretsmanager_secret` resources with no `replica` block (written out or
    /// produced by a `dynamic "replica"` block, evaluated) when the tier needs secrets in the
    /// recovery region. When a `dr_failover_policy` of the same configuration covers the
    /// secret's tier (`tier = dr_tier.NAME` of that level; a policy without `tier` covers every
    /// tier), the replicas must include its `secondary_region`. A policy whose tier or region
    /// cannot be known before apply makes a missing region an `unknown` finding.
    ///
    /// ## Why is this bad?
    /// Failing over to another region with the database but without its credentials leaves
    /// the application unable to connect: the secret is in the region that is down.
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_secretsmanager_secret" "db" {
    ///   name = "orders/db"
    /// }
    /// ```
    ///
    /// Use instead:
    /// ```hcl
    /// resource "aws_secretsmanager_secret" "db" {
    ///   name = "orders/db"
    ///   replica {
    ///     region = "eu-central-1"
    ///   }
    /// }
    /// ```
    pub struct SecretNotReplicated;
}

/// The recovery regions `dr_failover_policy` resources of the secret's configuration name
/// for its tier.
#[derive(Debug, Default)]
struct RecoveryRegions {
    /// `secondary_region` of the policies that certainly cover the tier.
    certain: Vec<String>,
    /// `secondary_region` of policies whose tier cannot be known (they may cover it).
    possible: Vec<String>,
    /// A covering (or possibly covering) policy's region cannot be known.
    unknown: bool,
}

impl RecoveryRegions {
    fn any(&self) -> bool {
        !self.certain.is_empty() || !self.possible.is_empty() || self.unknown
    }
}

fn recovery_regions(cx: &Context<'_>, level: u8) -> RecoveryRegions {
    let mut regions = RecoveryRegions::default();
    for policy in cx.of_type(policy_term::TYPE) {
        let covered = covers(cx, policy, level);
        if covered == Some(false) {
            continue;
        }
        match policy.get(&[policy_term::SECONDARY_REGION.name]).string() {
            Fact::Known(region) if covered == Some(true) => regions.certain.push(region),
            Fact::Known(region) => regions.possible.push(region),
            Fact::Absent => {}
            Fact::Unknown => regions.unknown = true,
        }
    }
    regions
}

impl Rule for SecretNotReplicated {
    fn resource_types(&self) -> &'static [&'static str] {
        &["aws_secretsmanager_secret"]
    }

    fn check_resource(&self, cx: &Context<'_>, resource: &Resource, report: &mut Reporter<'_>) {
        let Some((judgement, severity)) = needed(cx, resource, |r| r.secret_replication) else {
            return;
        };
        let replicas: Option<Vec<Option<String>>> = match resource.get(&["replica"]) {
            Fact::Absent => Some(Vec::new()),
            Fact::Unknown => None,
            Fact::Known(Value::List(items)) => {
                if items.iter().any(Value::is_unknown) {
                    None
                } else {
                    Some(
                        items
                            .iter()
                            .map(|item| match Fact::walk(item, &["region"]) {
                                Fact::Known(region) => region.to_string_value(),
                                _ => None,
                            })
                            .collect(),
                    )
                }
            }
            Fact::Known(_) => None,
        };
        let phrase = tier_phrase(&judgement);
        let Some(replicas) = replicas else {
            report.report(
                resource,
                &["replica"],
                Some(&judgement),
                Verdict { severity, certainty: Certainty::Unknown },
                format!("whether {} has replicas cannot be known before apply; {phrase} needs one in the recovery region", resource.address),
                "make the replica regions known statically (a variable with a value, not a computed list)".to_owned(),
            );
            return;
        };
        if replicas.is_empty() {
            report.report(
                resource,
                &["replica"],
                Some(&judgement),
                Verdict { severity, certainty: Certainty::Definite },
                format!("{} is not replicated to another region; {phrase} needs it in the recovery region", resource.address),
                "add a `replica { region = \"<recovery region>\" }` block".to_owned(),
            );
            return;
        }
        let wanted = recovery_regions(cx, judgement.tier.level);
        if !wanted.any() {
            return;
        }
        let has = |region: &String| replicas.iter().any(|r| r.as_ref() == Some(region));
        if wanted.certain.iter().any(has) {
            return;
        }
        // Definite only when every recovery region and every replica region is known.
        let certain =
            !wanted.unknown && wanted.possible.is_empty() && replicas.iter().all(Option::is_some);
        // A replica in the region of a policy that may be this tier's: if the policy is not
        // the tier's, no policy names a region for the tier at all.
        if wanted.certain.is_empty() && !wanted.unknown && wanted.possible.iter().any(has) {
            return;
        }
        let named: Vec<&str> = wanted
            .certain
            .iter()
            .chain(&wanted.possible)
            .map(String::as_str)
            .collect();
        let (message, help) = if named.is_empty() {
            (
                format!(
                    "the recovery region of the failover policy for {phrase} cannot be known before apply, so neither can whether {} is replicated there",
                    resource.address
                ),
                "make the failover policy's secondary_region known statically".to_owned(),
            )
        } else {
            (
                format!(
                    "{} has no replica in the recovery region ({}) of {phrase}",
                    resource.address,
                    named.join(" or ")
                ),
                format!("add `replica {{ region = \"{}\" }}`", named[0]),
            )
        };
        report.report(
            resource,
            &["replica", "region"],
            Some(&judgement),
            Verdict {
                severity,
                certainty: if certain {
                    Certainty::Definite
                } else {
                    Certainty::Unknown
                },
            },
            message,
            help,
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::test_support::{assert_fail, assert_pass, findings};

    #[test]
    fn pass_and_fail() {
        assert_pass(
            "DR401",
            &[
                r#"resource "aws_secretsmanager_secret" "s" {
                 replica { region = "eu-central-1" }
               }"#,
                r#"variable "regions" { default = ["eu-central-1"] }
               resource "aws_secretsmanager_secret" "s" {
                 dynamic "replica" {
                   for_each = toset(var.regions)
                   content { region = replica.value }
                 }
               }"#,
                r#"resource "aws_secretsmanager_secret" "s" { tags = { "dr-tier" = "3", "rto-hours" = "4" } }"#,
            ],
        );
        assert_fail(
            "DR401",
            &[
                r#"resource "aws_secretsmanager_secret" "s" { name = "x" }"#,
                r#"variable "regions" { default = [] }
               resource "aws_secretsmanager_secret" "s" {
                 dynamic "replica" {
                   for_each = toset(var.regions)
                   content { region = replica.value }
                 }
               }"#,
                r#"resource "dr_failover_policy" "p" { secondary_region = "us-west-2" }
               resource "aws_secretsmanager_secret" "s" {
                 replica { region = "eu-central-1" }
               }"#,
            ],
        );
    }

    #[test]
    fn unknown_replica_list_is_unknown() {
        let found = findings(
            "DR401",
            r#"
            variable "regions" { type = list(string) }
            resource "aws_secretsmanager_secret" "s" {
              dynamic "replica" {
                for_each = var.regions
                content { region = replica.value }
              }
            }
        "#,
        );
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].certainty, crate::tiers::Certainty::Unknown);
    }
}
