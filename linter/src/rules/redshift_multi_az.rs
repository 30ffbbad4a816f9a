use super::{declare_rule, needed, report_switch, Context, Reporter, Rule};
use crate::model::Resource;

declare_rule! {
    /// ## What it does
    /// Reports `aws_redshift_cluster` resources whose `multi_az` is off or unset (the default).
    ///
    /// ## Why is this bad?
    /// A single-AZ Redshift cluster is unavailable for as long as its zone is, and relocating
    /// or restoring a warehouse from snapshots takes hours.
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_redshift_cluster" "warehouse" {
    ///   cluster_identifier = "warehouse"
    ///   node_type          = "ra3.xlplus"
    /// }
    /// ```
    ///
    /// Use instead:
    /// ```hcl
    /// resource "aws_redshift_cluster" "warehouse" {
    ///   cluster_identifier = "warehouse"
    ///   node_type          = "ra3.xlplus"
    ///   multi_az           = true
    /// }
    /// ```
    pub struct RedshiftMultiAz;
}

impl Rule for RedshiftMultiAz {
    fn resource_types(&self) -> &'static [&'static str] {
        &["aws_redshift_cluster"]
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
            &["multi_az"],
            resource.get(&["multi_az"]).flag().or_default(false),
            format!(
                "{} runs in a single Availability Zone (multi_az is off)",
                resource.address
            ),
            "set `multi_az = true` (RA3 node types)".to_owned(),
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::test_support::{assert_fail, assert_pass};

    #[test]
    fn pass_and_fail() {
        assert_pass(
            "DR204",
            &[r#"resource "aws_redshift_cluster" "w" { multi_az = true }"#],
        );
        assert_fail(
            "DR204",
            &[r#"resource "aws_redshift_cluster" "w" { node_type = "ra3.xlplus" }"#],
        );
    }
}
