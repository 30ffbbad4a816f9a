use super::{
    declare_rule, needed, presence, report_switch, tier_phrase, Context, Reporter, Rule, Verdict,
};
use crate::model::Resource;
use crate::tiers::{Certainty, Severity};
use crate::value::{Fact, Value};

declare_rule! {
    /// ## What it does
    /// Reports `aws_db_instance` resources whose `multi_az` is `false` or unset (the provider
    /// default is a single instance in one Availability Zone) when the tier needs Multi-AZ.
    ///
    /// A read replica (`replicate_source_db` set; the empty string the AWS provider stores for
    /// every primary is no source) is judged by its source, except that a replica in the same
    /// region as its source with Multi-AZ off is a warning: the reads it serves fail with its
    /// zone. A replica in another region is the primary's cross-region copy and is not judged
    /// here. The regions come from the provider configurations; a source named by identifier
    /// rather than ARN is in the same region (AWS needs an ARN across regions).
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
            Fact::Known(()) => return check_replica(cx, resource, report),
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

/// Whether a read replica is in the region of its source: `None` when that cannot be known.
fn same_region_as_source(cx: &Context<'_>, replica: &Resource) -> Option<bool> {
    let own = replica.region.as_str();
    let sources: Vec<&Resource> = replica
        .references
        .get("replicate_source_db")
        .into_iter()
        .flatten()
        .flat_map(|key| cx.instances(key))
        .filter(|source| source.resource_type == "aws_db_instance")
        .copied()
        .collect();
    if let [source] = sources.as_slice() {
        // Two provider configurations without a region both take it from the environment.
        return match (&replica.region, &source.region) {
            (Value::String(own), Value::String(theirs)) => Some(own == theirs),
            (Value::Null, Value::Null) => Some(true),
            _ => None,
        };
    }
    match replica.get(&["replicate_source_db"]).string() {
        // arn:aws:rds:REGION:ACCOUNT:db:NAME
        Fact::Known(arn) if arn.starts_with("arn:") => {
            let theirs = arn.split(':').nth(3)?;
            own.map(|own| own == theirs)
        }
        Fact::Known(_) => Some(true),
        _ => None,
    }
}

/// A same-region read replica with Multi-AZ off: a warning, since the primary is judged for
/// availability but the replica's readers are not.
fn check_replica(cx: &Context<'_>, replica: &Resource, report: &mut Reporter<'_>) {
    let Some((judgement, severity)) = needed(cx, replica, |r| r.multi_az) else {
        return;
    };
    let multi_az = replica.get(&["multi_az"]).flag().or_default(false);
    if multi_az == Some(true) {
        return;
    }
    let same_region = same_region_as_source(cx, replica);
    if same_region == Some(false) {
        return;
    }
    let certainty = if same_region.is_some() && multi_az.is_some() {
        Certainty::Definite
    } else {
        Certainty::Unknown
    };
    let mut message = format!(
        "{} is a read replica in its source's region with multi_az off: the reads it serves fail with its Availability Zone, and {} asks for Multi-AZ",
        replica.address,
        tier_phrase(&judgement)
    );
    if same_region.is_none() {
        message.push_str("; whether it is in its source's region cannot be known before apply");
    }
    report.report(
        replica,
        &["multi_az"],
        Some(&judgement),
        Verdict {
            severity: severity.min(Severity::Warning),
            certainty,
        },
        message,
        "set `multi_az = true` on the replica, or move it to the recovery region as a cross-region copy".to_owned(),
    );
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
                r#"resource "aws_db_instance" "r" {
                 replicate_source_db = "orders"
                 multi_az            = true
               }"#,
                r#"provider "aws" {
                 region = "eu-west-1"
               }
               resource "aws_db_instance" "r" {
                 replicate_source_db = "arn:aws:rds:eu-central-1:111122223333:db:orders"
               }"#,
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
    fn an_update_plans_empty_source_is_no_replica_and_same_region_replicas_warn() {
        // The AWS provider stores "" for the source of every primary.
        let primary = findings(
            "DR201",
            r#"resource "aws_db_instance" "d" {
                 replicate_source_db = ""
                 multi_az            = false
               }"#,
        );
        assert_eq!(primary.len(), 1);
        assert_eq!(primary[0].severity, Severity::Error);
        assert_eq!(primary[0].certainty, Certainty::Definite);
        let replica = findings(
            "DR201",
            r#"provider "aws" {
                 region = "eu-west-1"
               }
               resource "aws_db_instance" "orders" {
                 identifier = "orders"
                 multi_az   = true
               }
               resource "aws_db_instance" "reports" {
                 replicate_source_db = aws_db_instance.orders.identifier
                 multi_az            = false
               }"#,
        );
        assert_eq!(replica.len(), 1, "{replica:#?}");
        assert_eq!(&*replica[0].address, "aws_db_instance.reports");
        assert_eq!(replica[0].severity, Severity::Warning);
        assert_eq!(replica[0].certainty, Certainty::Definite);
        assert!(replica[0]
            .message
            .contains("read replica in its source's region"));
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
