use super::{declare_rule, needed, report_switch, Context, Reporter, Rule};
use crate::model::Resource;

declare_rule! {
    /// ## What it does
    /// Reports `aws_dynamodb_table` resources without `point_in_time_recovery { enabled = true }`
    /// (off by default) when the tier needs backups.
    ///
    /// ## Why is this bad?
    /// DynamoDB keeps no automatic backups. Without point-in-time recovery a bad deploy or a
    /// mistaken delete can only be undone from on-demand backups someone remembered to take.
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_dynamodb_table" "carts" {
    ///   name     = "carts"
    ///   hash_key = "id"
    /// }
    /// ```
    ///
    /// Use instead:
    /// ```hcl
    /// resource "aws_dynamodb_table" "carts" {
    ///   name     = "carts"
    ///   hash_key = "id"
    ///   point_in_time_recovery {
    ///     enabled = true
    ///   }
    /// }
    /// ```
    pub struct DynamodbPitr;
}

impl Rule for DynamodbPitr {
    fn resource_types(&self) -> &'static [&'static str] {
        &["aws_dynamodb_table"]
    }

    fn check_resource(&self, cx: &Context<'_>, resource: &Resource, report: &mut Reporter<'_>) {
        let Some((judgement, severity)) = needed(cx, resource, |r| r.backups) else {
            return;
        };
        report_switch(
            report,
            resource,
            &judgement,
            severity,
            &["point_in_time_recovery", "enabled"],
            resource
                .get(&["point_in_time_recovery", "enabled"])
                .flag()
                .or_default(false),
            format!("{} has point-in-time recovery off", resource.address),
            "add `point_in_time_recovery { enabled = true }`".to_owned(),
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::test_support::{assert_fail, assert_pass};

    #[test]
    fn pass_and_fail() {
        assert_pass(
            "DR502",
            &[r#"resource "aws_dynamodb_table" "t" {
            point_in_time_recovery { enabled = true }
        }"#],
        );
        assert_fail(
            "DR502",
            &[
                r#"resource "aws_dynamodb_table" "t" {}"#,
                r#"resource "aws_dynamodb_table" "t" {
                 point_in_time_recovery { enabled = false }
               }"#,
            ],
        );
    }
}
