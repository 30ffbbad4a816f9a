use super::{declare_rule, needed, presence, report_switch, Context, Reporter, Rule};
use crate::model::Resource;
use crate::value::Fact;

declare_rule! {
    /// ## What it does
    /// Reports `aws_db_instance` resources whose `multi_az` is `false` or unset (the provider
    /// default is a single instance in one Availability Zone) when the tier needs Multi-AZ.
    /// Read replicas (`replicate_source_db` set) are skipped: their primary is judged.
    ///
    /// ## Why is this bad?
    /// A single-AZ database is down for as long as its Availability Zone is, and restoring it
    /// elsewhere takes longer than tier 1 or 2 allow. Multi-AZ keeps a synchronous standby in a
    /// second zone and fails over in one to two minutes.
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_db_instance" "orders" {
    ///   engine         = "postgres"
    ///   instance_class = "db.r6g.large"
    /// }
    /// ```
    ///
    /// Use instead:
    /// ```hcl
    /// resource "aws_db_instance" "orders" {
    ///   engine         = "postgres"
    ///   instance_class = "db.r6g.large"
    ///   multi_az       = true
    /// }
    /// ```
    pub struct DbInstanceMultiAz;
}

impl Rule for DbInstanceMultiAz {
    fn resource_types(&self) -> &'static [&'static str] {
        &["aws_db_instance"]
    }

    fn check_resource(&self, cx: &Context<'_>, resource: &Resource, report: &mut Reporter<'_>) {
        // A read replica is judged through its source; one that may be a replica (its source
        // is unknown) is judged as a primary, uncertainly.
        let may_be_replica = match presence(resource, "replicate_source_db") {
            Fact::Known(()) => return,
            Fact::Absent => false,
            Fact::Unknown => true,
        };
        let Some((judgement, severity)) = needed(cx, resource, |r| r.multi_az) else {
            return;
        };
        let mark = report.mark();
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
            "set `multi_az = true`".to_owned(),
        );
        if may_be_replica {
            report.uncertain_since(
                mark,
                "it is no read replica: replicate_source_db is unknown before apply",
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::test_support::{assert_fail, assert_pass, findings};
    use crate::tiers::{Certainty, Severity};

    #[test]
    fn pass_and_fail() {
        assert_pass(
            "DR201",
            &[
                r#"resource "aws_db_instance" "d" { multi_az = true }"#,
                r#"resource "aws_db_instance" "d" {
                 count = 0
                 multi_az = false
               }"#,
                r#"resource "aws_db_instance" "r" { replicate_source_db = "orders" }"#,
            ],
        );
        assert_fail(
            "DR201",
            &[
                r#"resource "aws_db_instance" "d" {}"#,
                r#"resource "aws_db_instance" "d" { multi_az = false }"#,
                r#"variable "env" { default = "dev" }
               resource "aws_db_instance" "d" { multi_az = var.env == "prod" }"#,
            ],
        );
    }

    #[test]
    fn severity_follows_tier_and_unknown_is_its_own_state() {
        let tier3 = findings(
            "DR201",
            r#"resource "aws_db_instance" "d" { tags = { "dr-tier" = "3" } }"#,
        );
        assert_eq!(tier3[0].severity, Severity::Warning);
        let unknown = findings(
            "DR201",
            r#"
            variable "multi_az" { type = bool }
            resource "aws_db_instance" "d" { multi_az = var.multi_az }
        "#,
        );
        assert_eq!(unknown[0].certainty, Certainty::Unknown);
        assert_eq!(unknown[0].severity, Severity::Error);
    }
}
