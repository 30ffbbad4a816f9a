use super::{declare_rule, needed, report_switch, Context, Reporter, Rule};
use crate::model::Resource;
use crate::value::Fact;

declare_rule! {
    /// ## What it does
    /// Reports `aws_elasticache_replication_group` resources without both
    /// `automatic_failover_enabled` and `multi_az_enabled` (both default to off), and groups
    /// with no replica (`num_cache_clusters` below 2 or `replicas_per_node_group = 0`).
    ///
    /// ## Why is this bad?
    /// Without automatic failover a failed primary stays failed until someone promotes a replica
    /// by hand; without Multi-AZ the replicas may share the primary's zone and fail with it.
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_elasticache_replication_group" "sessions" {
    ///   replication_group_id = "sessions"
    ///   description          = "sessions"
    ///   num_cache_clusters   = 2
    /// }
    /// ```
    ///
    /// Use instead:
    /// ```hcl
    /// resource "aws_elasticache_replication_group" "sessions" {
    ///   replication_group_id       = "sessions"
    ///   description                = "sessions"
    ///   num_cache_clusters         = 2
    ///   automatic_failover_enabled = true
    ///   multi_az_enabled           = true
    /// }
    /// ```
    pub struct ElasticacheMultiAz;
}

impl Rule for ElasticacheMultiAz {
    fn resource_types(&self) -> &'static [&'static str] {
        &["aws_elasticache_replication_group"]
    }

    fn check_resource(&self, cx: &Context<'_>, resource: &Resource, report: &mut Reporter<'_>) {
        let Some((judgement, severity)) = needed(cx, resource, |r| r.multi_az) else {
            return;
        };
        for switch in ["automatic_failover_enabled", "multi_az_enabled"] {
            let state = resource.get(&[switch]).flag().or_default(false);
            if state != Some(true) {
                report_switch(
                    report,
                    resource,
                    &judgement,
                    severity,
                    &[switch],
                    state,
                    format!("{} has {switch} off", resource.address),
                    "set `automatic_failover_enabled = true` and `multi_az_enabled = true`, with at least one replica".to_owned(),
                );
                return;
            }
        }
        let replicas = match resource.get(&["num_cache_clusters"]) {
            Fact::Absent => match resource.get(&["replicas_per_node_group"]).number() {
                Fact::Known(replicas) => Some(replicas >= 1.0),
                Fact::Absent => Some(true),
                Fact::Unknown => None,
            },
            other => other
                .number()
                .or_default(1.0)
                .map(|clusters| clusters >= 2.0),
        };
        report_switch(
            report,
            resource,
            &judgement,
            severity,
            &["num_cache_clusters"],
            replicas,
            format!("{} has no replica to fail over to", resource.address),
            "set `num_cache_clusters = 2` or more (or `replicas_per_node_group >= 1`)".to_owned(),
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::test_support::{assert_fail, assert_pass};

    #[test]
    fn pass_and_fail() {
        assert_pass(
            "DR202",
            &[r#"resource "aws_elasticache_replication_group" "g" {
                 num_cache_clusters = 2
                 automatic_failover_enabled = true
                 multi_az_enabled = true
               }"#],
        );
        assert_fail(
            "DR202",
            &[
                r#"resource "aws_elasticache_replication_group" "g" { num_cache_clusters = 2 }"#,
                r#"resource "aws_elasticache_replication_group" "g" {
                 num_cache_clusters = 1
                 automatic_failover_enabled = true
                 multi_az_enabled = true
               }"#,
            ],
        );
    }
}
