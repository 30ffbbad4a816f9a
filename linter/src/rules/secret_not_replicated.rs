use super::{declare_rule, needed, tier_phrase, Context, Reporter, Rule, Verdict};
use crate::model::Resource;
use crate::tiers::Certainty;
use crate::value::{Lookup, Value};

declare_rule! {
    /// ## What it does
    /// Reports `aws_secretsmanager_secret` resources with no `replica` block (written out or
    /// produced by a `dynamic "replica"` block, evaluated) when the tier needs secrets in the
    /// recovery region. When the input has `dr_failover_policy` resources, the replicas must
    /// include a policy's `secondary_region`.
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

/// Recovery regions named by `dr_failover_policy` resources; `None` when one is unknown.
fn recovery_regions(cx: &Context<'_>) -> Option<Vec<String>> {
    let mut regions = Vec::new();
    for policy in cx.of_type("dr_failover_policy") {
        match policy.get(&["secondary_region"]).string() {
            Some(Some(region)) => regions.push(region),
            Some(None) => {}
            None => return None,
        }
    }
    Some(regions)
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
            Lookup::NotSet => Some(Vec::new()),
            Lookup::Unknown => None,
            Lookup::Known(Value::List(items)) => {
                if items.iter().any(Value::is_unknown) {
                    None
                } else {
                    Some(
                        items
                            .iter()
                            .map(|item| match Lookup::walk(item, &["region"]) {
                                Lookup::Known(region) => region.to_string_value(),
                                _ => None,
                            })
                            .collect(),
                    )
                }
            }
            Lookup::Known(_) => None,
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
        let Some(wanted) = recovery_regions(cx) else {
            return;
        };
        if wanted.is_empty() {
            return;
        }
        if replicas
            .iter()
            .any(|region| region.as_ref().is_some_and(|r| wanted.contains(r)))
        {
            return;
        }
        let certainty = if replicas.iter().any(Option::is_none) {
            Certainty::Unknown
        } else {
            Certainty::Definite
        };
        report.report(
            resource,
            &["replica", "region"],
            Some(&judgement),
            Verdict {
                severity,
                certainty,
            },
            format!(
                "{} has no replica in the recovery region ({})",
                resource.address,
                wanted.join(" or ")
            ),
            format!("add `replica {{ region = \"{}\" }}`", wanted[0]),
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
