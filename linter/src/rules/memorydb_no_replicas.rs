use super::{declare_rule, needed, report_switch, Context, Reporter, Rule};
use crate::model::Resource;

declare_rule! {
    /// ## What it does
    /// Reports `aws_memorydb_cluster` resources with `num_replicas_per_shard = 0` (the provider
    /// default is 1 replica) and `aws_dax_cluster` resources with `replication_factor` below 2
    /// (one node).
    ///
    /// ## Why is this bad?
    /// A shard or cache with no replica lives on one node in one zone: losing the zone loses
    /// the data until it is restored from a snapshot, if there is one.
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_memorydb_cluster" "sessions" {
    ///   name                   = "sessions"
    ///   node_type              = "db.r7g.large"
    ///   num_replicas_per_shard = 0
    ///   acl_name               = "open-access"
    /// }
    /// ```
    ///
    /// Use instead:
    /// ```hcl
    /// resource "aws_memorydb_cluster" "sessions" {
    ///   name                   = "sessions"
    ///   node_type              = "db.r7g.large"
    ///   num_replicas_per_shard = 1
    ///   acl_name               = "open-access"
    /// }
    /// ```
    pub struct MemorydbNoReplicas;
}

impl Rule for MemorydbNoReplicas {
    fn resource_types(&self) -> &'static [&'static str] {
        &["aws_memorydb_cluster", "aws_dax_cluster"]
    }

    fn check_resource(&self, cx: &Context<'_>, resource: &Resource, report: &mut Reporter<'_>) {
        let Some((judgement, severity)) = needed(cx, resource, |r| r.multi_az) else {
            return;
        };
        let (path, minimum, default, help) = if resource.resource_type == "aws_dax_cluster" {
            (
                "replication_factor",
                2.0,
                1.0,
                "set `replication_factor = 3` (nodes spread over zones)",
            )
        } else {
            (
                "num_replicas_per_shard",
                1.0,
                1.0,
                "set `num_replicas_per_shard = 1` or more",
            )
        };
        let state = resource
            .get(&[path])
            .number()
            .or_default(default)
            .map(|value| value >= minimum);
        report_switch(
            report,
            resource,
            &judgement,
            severity,
            &[path],
            state,
            format!(
                "{} keeps its data on single nodes with no replica",
                resource.address
            ),
            help.to_owned(),
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::test_support::{assert_fail, assert_pass};

    #[test]
    fn pass_and_fail() {
        assert_pass(
            "DR304",
            &[
                r#"resource "aws_memorydb_cluster" "m" { name = "m" }"#,
                r#"resource "aws_dax_cluster" "d" { replication_factor = 3 }"#,
            ],
        );
        assert_fail(
            "DR304",
            &[
                r#"resource "aws_memorydb_cluster" "m" { num_replicas_per_shard = 0 }"#,
                r#"resource "aws_dax_cluster" "d" { replication_factor = 1 }"#,
            ],
        );
    }
}
