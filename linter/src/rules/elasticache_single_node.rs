use super::{declare_rule, needed, presence, report_switch, Context, Reporter, Rule};
use crate::model::Resource;
use crate::value::Fact;

declare_rule! {
    /// ## What it does
    /// Reports `aws_elasticache_cluster` resources that keep their data on one node or in one
    /// zone: Redis/Valkey clusters (always a single node: use a replication group) and Memcached
    /// clusters with fewer than two nodes or `az_mode` other than `cross-az`. Clusters that join
    /// a replication group (`replication_group_id` set) are judged through the group.
    ///
    /// ## Why is this bad?
    /// A single node has no replica: when its zone fails, the cache and everything in it are
    /// gone and every client falls through to the database at once.
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_elasticache_cluster" "sessions" {
    ///   cluster_id      = "sessions"
    ///   engine          = "memcached"
    ///   num_cache_nodes = 1
    /// }
    /// ```
    ///
    /// Use instead:
    /// ```hcl
    /// resource "aws_elasticache_cluster" "sessions" {
    ///   cluster_id      = "sessions"
    ///   engine          = "memcached"
    ///   num_cache_nodes = 2
    ///   az_mode         = "cross-az"
    /// }
    /// ```
    pub struct ElasticacheSingleNode;
}

impl Rule for ElasticacheSingleNode {
    fn resource_types(&self) -> &'static [&'static str] {
        &["aws_elasticache_cluster"]
    }

    fn check_resource(&self, cx: &Context<'_>, resource: &Resource, report: &mut Reporter<'_>) {
        // A member of a replication group is judged with the group (DR202).
        let may_be_member = match presence(resource, "replication_group_id") {
            Fact::Known(()) => return,
            Fact::Absent => false,
            Fact::Unknown => true,
        };
        let Some((judgement, severity)) = needed(cx, resource, |r| r.multi_az) else {
            return;
        };
        let engine = resource.get(&["engine"]).string();
        let (path, state, what, help): (&[&str], Option<bool>, String, &str) = match engine {
            Fact::Unknown => (&["engine"], None, String::new(), "use a replication group with Multi-AZ, or Memcached across zones"),
            Fact::Known(engine) if engine == "memcached" => {
                let nodes = resource.get(&["num_cache_nodes"]).number();
                let cross_az = resource.get(&["az_mode"]).string();
                match (nodes, &cross_az) {
                    // One node is one zone, whatever az_mode says.
                    (nodes, _) if nodes.or_default(1.0).is_some_and(|nodes| nodes < 2.0) => (
                        &["num_cache_nodes"],
                        Some(false),
                        format!("{} is a single Memcached node", resource.address),
                        "set `num_cache_nodes = 2` or more and `az_mode = \"cross-az\"`",
                    ),
                    (Fact::Known(_) | Fact::Absent, Fact::Known(_) | Fact::Absent) => (
                        &["az_mode"],
                        cross_az.or_default(String::new()).map(|mode| mode == "cross-az"),
                        format!("{} places all its Memcached nodes in one zone (az_mode is not cross-az)", resource.address),
                        "set `az_mode = \"cross-az\"`",
                    ),
                    _ => (&["num_cache_nodes"], None, String::new(), "set `num_cache_nodes = 2` or more and `az_mode = \"cross-az\"`"),
                }
            }
            _ => (
                &["engine"],
                Some(false),
                format!("{} is a single-node Redis/Valkey cluster with no replica", resource.address),
                "use an aws_elasticache_replication_group with a replica, automatic failover and Multi-AZ",
            ),
        };
        let mark = report.mark();
        report_switch(
            report,
            resource,
            &judgement,
            severity,
            path,
            state,
            what,
            help.to_owned(),
        );
        if may_be_member {
            report.uncertain_since(
                mark,
                "it is no member of a replication group: replication_group_id is unknown before apply",
            );
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn unknown_membership_is_uncertain_and_one_node_is_one_zone() {
        use crate::rules::test_support::findings;
        use crate::tiers::Certainty;
        let member = findings(
            "DR302",
            r#"variable "group" { type = string }
               resource "aws_elasticache_cluster" "c" {
                 cluster_id           = "sessions"
                 engine               = "redis"
                 replication_group_id = var.group
               }"#,
        );
        assert_eq!(member.len(), 1);
        assert_eq!(member[0].certainty, Certainty::Unknown);
        let single = findings(
            "DR302",
            r#"variable "az_mode" { type = string }
               resource "aws_elasticache_cluster" "c" {
                 cluster_id      = "sessions"
                 engine          = "memcached"
                 num_cache_nodes = 1
                 az_mode         = var.az_mode
               }"#,
        );
        assert_eq!(single.len(), 1);
        assert_eq!(single[0].certainty, Certainty::Definite);
    }

    use crate::rules::test_support::{assert_fail, assert_pass};

    #[test]
    fn pass_and_fail() {
        assert_pass(
            "DR302",
            &[
                r#"resource "aws_elasticache_cluster" "m" {
                 engine = "memcached"
                 num_cache_nodes = 3
                 az_mode = "cross-az"
               }"#,
                r#"resource "aws_elasticache_cluster" "r" { replication_group_id = "g" }"#,
            ],
        );
        assert_fail(
            "DR302",
            &[
                r#"resource "aws_elasticache_cluster" "r" { engine = "redis" }"#,
                r#"resource "aws_elasticache_cluster" "m" {
                 engine = "memcached"
                 num_cache_nodes = 2
               }"#,
                r#"resource "aws_elasticache_cluster" "m" {
                 engine = "memcached"
                 num_cache_nodes = 1
                 az_mode = "cross-az"
               }"#,
            ],
        );
    }
}
