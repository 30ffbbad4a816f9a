use super::{declare_rule, needed, report_switch, Context, Reporter, Rule};
use crate::model::Resource;

declare_rule! {
    /// ## What it does
    /// Reports `aws_opensearch_domain` and `aws_elasticsearch_domain` resources whose
    /// `cluster_config.zone_awareness_enabled` is off or unset (the default).
    ///
    /// ## Why is this bad?
    /// Without zone awareness every shard and its replica may sit in one Availability Zone:
    /// losing that zone loses the index until it is rebuilt or restored from a snapshot.
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_opensearch_domain" "search" {
    ///   domain_name = "search"
    ///   cluster_config {
    ///     instance_count = 3
    ///   }
    /// }
    /// ```
    ///
    /// Use instead:
    /// ```hcl
    /// resource "aws_opensearch_domain" "search" {
    ///   domain_name = "search"
    ///   cluster_config {
    ///     instance_count         = 3
    ///     zone_awareness_enabled = true
    ///     zone_awareness_config {
    ///       availability_zone_count = 3
    ///     }
    ///   }
    /// }
    /// ```
    pub struct SearchZoneAwareness;
}

impl Rule for SearchZoneAwareness {
    fn resource_types(&self) -> &'static [&'static str] {
        &["aws_opensearch_domain", "aws_elasticsearch_domain"]
    }

    fn check_resource(&self, cx: &Context<'_>, resource: &Resource, report: &mut Reporter<'_>) {
        let Some((judgement, severity)) = needed(cx, resource, |r| r.multi_az) else {
            return;
        };
        report_switch(
            report,
            resource,
            &judgement,
            severity,
            &["cluster_config", "zone_awareness_enabled"],
            resource.get(&["cluster_config", "zone_awareness_enabled"]).flag().or_default(false),
            format!("{} keeps its shards in one Availability Zone (zone awareness is off)", resource.address),
            "set `zone_awareness_enabled = true` in cluster_config, with an instance count that is a multiple of the zone count".to_owned(),
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::test_support::{assert_fail, assert_pass};

    #[test]
    fn pass_and_fail() {
        assert_pass(
            "DR203",
            &[r#"resource "aws_opensearch_domain" "s" {
            cluster_config { zone_awareness_enabled = true }
        }"#],
        );
        assert_fail(
            "DR203",
            &[
                r#"resource "aws_opensearch_domain" "s" {
                 cluster_config { instance_count = 3 }
               }"#,
                r#"resource "aws_elasticsearch_domain" "s" {}"#,
            ],
        );
    }
}
