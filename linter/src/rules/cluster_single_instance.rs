use super::{
    declare_rule, has_unknown_relation, needed, related, tier_phrase, Context, Reporter, Rule,
    Verdict,
};
use crate::aws;
use crate::model::Resource;
use crate::tiers::Certainty;
use crate::value::Fact;

declare_rule! {
    /// ## What it does
    /// Counts the instances of every `aws_rds_cluster` (Aurora), `aws_docdb_cluster` and
    /// `aws_neptune_cluster`: the `aws_rds_cluster_instance` / `aws_docdb_cluster_instance` /
    /// `aws_neptune_cluster_instance` instances whose `cluster_identifier` refers to the cluster
    /// (by reference or by the same literal identifier), after `count`/`for_each` expansion.
    /// Fewer than two is a single-AZ cluster. Multi-AZ DB clusters (`db_cluster_instance_class`
    /// set) and Aurora Serverless v1 (`engine_mode = "serverless"`) manage their own nodes and
    /// are skipped.
    ///
    /// ## Why is this bad?
    /// The cluster volume is replicated across three zones, but the database is served by its
    /// instances: with one instance, losing its zone means waiting for a new instance to be
    /// created instead of a failover in seconds.
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_rds_cluster" "ledger" {
    ///   cluster_identifier = "ledger"
    ///   engine             = "aurora-postgresql"
    /// }
    ///
    /// resource "aws_rds_cluster_instance" "ledger" {
    ///   cluster_identifier = aws_rds_cluster.ledger.id
    ///   instance_class     = "db.r6g.large"
    ///   engine             = aws_rds_cluster.ledger.engine
    /// }
    /// ```
    ///
    /// Use instead:
    /// ```hcl
    /// resource "aws_rds_cluster_instance" "ledger" {
    ///   count              = 2
    ///   cluster_identifier = aws_rds_cluster.ledger.id
    ///   instance_class     = "db.r6g.large"
    ///   engine             = aws_rds_cluster.ledger.engine
    /// }
    /// ```
    pub struct ClusterSingleInstance;
}

impl Rule for ClusterSingleInstance {
    fn resource_types(&self) -> &'static [&'static str] {
        &[
            "aws_rds_cluster",
            "aws_docdb_cluster",
            "aws_neptune_cluster",
        ]
    }

    fn check_resource(&self, cx: &Context<'_>, resource: &Resource, report: &mut Reporter<'_>) {
        let Some(relation) = aws::cluster_instances(&resource.resource_type) else {
            return;
        };
        let instance_type = relation.from;
        if !matches!(resource.get(&["db_cluster_instance_class"]), Fact::Absent)
            || matches!(resource.get(&["engine_mode"]), Fact::Known(mode) if mode.as_str() == Some("serverless"))
        {
            return;
        }
        let Some((judgement, severity)) = needed(cx, resource, |r| r.multi_az) else {
            return;
        };
        let instances: Vec<&Resource> = related(cx, resource, relation);
        if instances.len() >= 2 {
            return;
        }
        let uncertain =
            instances.iter().any(|i| i.expansion_unknown) || has_unknown_relation(cx, relation);
        let certainty = if uncertain {
            Certainty::Unknown
        } else {
            Certainty::Definite
        };
        let count = instances.len();
        report.report(
            resource,
            &["cluster_identifier"],
            Some(&judgement),
            Verdict { severity, certainty },
            format!(
                "{} has {count} {instance_type} instance{}; {} needs a second instance in another zone to fail over to",
                resource.address,
                if count == 1 { "" } else { "s" },
                tier_phrase(&judgement)
            ),
            format!("add a second {instance_type} (e.g. `count = 2`) with the same cluster_identifier"),
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::test_support::{assert_fail, assert_pass, findings};
    use crate::tiers::Certainty;

    #[test]
    fn each_cluster_instance_counts_only_its_own_instances() {
        // Written like a for_each wrapper around terraform-aws-modules/rds-aurora: instances
        // name their cluster by key, so the block's other clusters' instances do not count.
        let found = findings(
            "DR301",
            r#"
            locals {
              clusters  = { orders = 2, ledger = 1 }
              instances = merge([
                for cluster, count in local.clusters : {
                  for index in range(count) : "${cluster}-${index + 1}" => cluster
                }
              ]...)
            }
            resource "aws_rds_cluster" "this" {
              for_each           = local.clusters
              cluster_identifier = each.key
              engine             = "aurora-postgresql"
            }
            resource "aws_rds_cluster_instance" "this" {
              for_each           = local.instances
              identifier         = each.key
              cluster_identifier = aws_rds_cluster.this[each.value].id
              instance_class     = "db.r6g.large"
            }
        "#,
        );
        let addresses: Vec<&str> = found.iter().map(|f| &*f.address).collect();
        assert_eq!(addresses, [r#"aws_rds_cluster.this["ledger"]"#]);
        assert_eq!(found[0].certainty, Certainty::Definite);
        assert!(found[0]
            .message
            .contains("has 1 aws_rds_cluster_instance instance;"));
    }

    #[test]
    fn pass_and_fail() {
        assert_pass(
            "DR301",
            &[
                r#"resource "aws_rds_cluster" "c" { cluster_identifier = "ledger" }
               resource "aws_rds_cluster_instance" "i" {
                 count = 2
                 cluster_identifier = aws_rds_cluster.c.id
               }"#,
                r#"resource "aws_rds_cluster" "c" { cluster_identifier = "ledger" }
               resource "aws_rds_cluster_instance" "i" {
                 for_each = toset(["a", "b"])
                 cluster_identifier = "ledger"
               }"#,
                r#"resource "aws_rds_cluster" "c" { db_cluster_instance_class = "db.r6gd.large" }"#,
            ],
        );
        assert_fail(
            "DR301",
            &[
                r#"resource "aws_rds_cluster" "c" { cluster_identifier = "ledger" }
               resource "aws_rds_cluster_instance" "i" { cluster_identifier = aws_rds_cluster.c.id }"#,
                r#"resource "aws_docdb_cluster" "c" {}"#,
                r#"resource "aws_neptune_cluster" "c" {}
               resource "aws_neptune_cluster_instance" "i" {
                 count = 0
                 cluster_identifier = aws_neptune_cluster.c.id
               }"#,
            ],
        );
    }
}
