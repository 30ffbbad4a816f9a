use super::{declare_rule, needed, presence, report_switch, Context, Reporter, Rule};
use crate::model::Resource;
use crate::value::Fact;

declare_rule! {
    /// ## What it does
    /// Reports Redis/Valkey caches that keep no snapshots: `aws_elasticache_replication_group`
    /// and non-Memcached `aws_elasticache_cluster` resources whose `snapshot_retention_limit`
    /// is 0 or unset (the default, no snapshots).
    ///
    /// ## Why is this bad?
    /// When a cache holds state (sessions, queues, rate limits) and every node is lost, there is
    /// nothing to restore from: the data is simply gone.
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_elasticache_replication_group" "sessions" {
    ///   replication_group_id = "sessions"
    ///   description          = "sessions"
    /// }
    /// ```
    ///
    /// Use instead:
    /// ```hcl
    /// resource "aws_elasticache_replication_group" "sessions" {
    ///   replication_group_id     = "sessions"
    ///   description              = "sessions"
    ///   snapshot_retention_limit = 7
    /// }
    /// ```
    pub struct ElasticacheSnapshots;
}

impl Rule for ElasticacheSnapshots {
    fn resource_types(&self) -> &'static [&'static str] {
        &[
            "aws_elasticache_replication_group",
            "aws_elasticache_cluster",
        ]
    }

    fn check_resource(&self, cx: &Context<'_>, resource: &Resource, report: &mut Reporter<'_>) {
        // Memcached keeps no data worth a snapshot, and a replication group's members are
        // judged with the group; when either cannot be known, the finding is uncertain.
        let mut assumptions = Vec::new();
        if resource.resource_type == "aws_elasticache_cluster" {
            match resource.get(&["engine"]) {
                Fact::Known(engine) if engine.as_str() == Some("memcached") => return,
                Fact::Unknown => assumptions.push("its engine (unknown before apply) is Redis"),
                _ => {}
            }
            match presence(resource, "replication_group_id") {
                Fact::Known(()) => return,
                Fact::Absent => {}
                Fact::Unknown => assumptions.push(
                    "it is no member of a replication group (replication_group_id is unknown before apply)",
                ),
            }
        }
        let Some((judgement, severity)) = needed(cx, resource, |r| r.backups) else {
            return;
        };
        let mark = report.mark();
        let state = resource
            .get(&["snapshot_retention_limit"])
            .number()
            .or_default(0.0)
            .map(|days| days >= 1.0);
        report_switch(
            report,
            resource,
            &judgement,
            severity,
            &["snapshot_retention_limit"],
            state,
            format!(
                "{} keeps no snapshots (snapshot_retention_limit is 0)",
                resource.address
            ),
            "set `snapshot_retention_limit` to 1 or more days".to_owned(),
        );
        if !assumptions.is_empty() {
            report.uncertain_since(mark, &assumptions.join(" and "));
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::test_support::{assert_fail, assert_pass};

    #[test]
    fn pass_and_fail() {
        assert_pass(
            "DR503",
            &[
                r#"resource "aws_elasticache_replication_group" "g" { snapshot_retention_limit = 5 }"#,
                r#"resource "aws_elasticache_cluster" "m" { engine = "memcached" }"#,
            ],
        );
        assert_fail(
            "DR503",
            &[
                r#"resource "aws_elasticache_replication_group" "g" {}"#,
                r#"resource "aws_elasticache_cluster" "r" { engine = "redis" }"#,
            ],
        );
    }
}
