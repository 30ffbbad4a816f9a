use super::{declare_rule, needed, report_switch, Context, Reporter, Rule};
use crate::model::Resource;

declare_rule! {
    /// ## What it does
    /// Reports databases without deletion protection when the tier requires it (tier 1 by
    /// default): `deletion_protection` on `aws_db_instance`, `aws_rds_cluster`,
    /// `aws_docdb_cluster` and `aws_neptune_cluster`, and `deletion_protection_enabled` on
    /// `aws_dynamodb_table`. All default to off.
    ///
    /// ## Why is this bad?
    /// A mistaken `terraform destroy`, a renamed resource address or a console click deletes
    /// the database and, for RDS, its automated backups with it: no failover strategy recovers
    /// from that within minutes.
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_rds_cluster" "ledger" {
    ///   cluster_identifier = "ledger"
    ///   engine             = "aurora-postgresql"
    /// }
    /// ```
    ///
    /// Use instead:
    /// ```hcl
    /// resource "aws_rds_cluster" "ledger" {
    ///   cluster_identifier  = "ledger"
    ///   engine              = "aurora-postgresql"
    ///   deletion_protection = true
    /// }
    /// ```
    pub struct DeletionProtection;
}

impl Rule for DeletionProtection {
    fn resource_types(&self) -> &'static [&'static str] {
        &[
            "aws_db_instance",
            "aws_rds_cluster",
            "aws_docdb_cluster",
            "aws_neptune_cluster",
            "aws_dynamodb_table",
        ]
    }

    fn check_resource(&self, cx: &Context<'_>, resource: &Resource, report: &mut Reporter<'_>) {
        let Some((judgement, severity)) = needed(cx, resource, |r| r.deletion_protection) else {
            return;
        };
        let attribute = if resource.resource_type == "aws_dynamodb_table" {
            "deletion_protection_enabled"
        } else {
            "deletion_protection"
        };
        report_switch(
            report,
            resource,
            &judgement,
            severity,
            &[attribute],
            resource.get(&[attribute]).flag().or_default(false),
            format!("{} can be deleted ({attribute} is off)", resource.address),
            format!("set `{attribute} = true`"),
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::test_support::{assert_fail, assert_pass};

    #[test]
    fn pass_and_fail() {
        assert_pass(
            "DR505",
            &[
                r#"resource "aws_rds_cluster" "c" { deletion_protection = true }"#,
                r#"resource "aws_dynamodb_table" "t" { deletion_protection_enabled = true }"#,
                r#"resource "aws_db_instance" "d" { tags = { "dr-tier" = "2", "rto-hours" = "1" } }"#,
            ],
        );
        assert_fail(
            "DR505",
            &[
                r#"resource "aws_rds_cluster" "c" {}"#,
                r#"resource "aws_dynamodb_table" "t" { deletion_protection_enabled = false }"#,
            ],
        );
    }
}
