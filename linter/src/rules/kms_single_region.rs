use super::{declare_rule, tier_phrase, Context, Reporter, Rule, Verdict};
use crate::aws;
use crate::model::Resource;
use crate::tiers::{Certainty, Severity};
use crate::value::{Fact, Value};

declare_rule! {
    /// ## What it does
    /// Reports an `aws_kms_key` without `multi_region = true` that encrypts replicated data:
    /// a replicated Secrets Manager secret, a DynamoDB table with replicas, or an Aurora
    /// cluster in a global cluster that refers to the key (`kms_key_id`, or `server_side_encryption`).
    /// The severity follows the tier of the replicated data.
    ///
    /// ## Why is this bad?
    /// A single-region key cannot decrypt in the recovery region. Replicas then need a second,
    /// different key, and anything encrypted under the first one (snapshots, exported data,
    /// client-side envelopes) cannot be read after failover.
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_kms_key" "secrets" {
    ///   description = "orders secrets"
    /// }
    /// ```
    ///
    /// Use instead:
    /// ```hcl
    /// resource "aws_kms_key" "secrets" {
    ///   description  = "orders secrets"
    ///   multi_region = true
    /// }
    /// ```
    pub struct KmsSingleRegion;
}

/// Whether `resource` keeps copies of its data in another region; `None` when unknown.
fn is_replicated(resource: &Resource) -> Option<bool> {
    let has_blocks = |name: &str| match resource.get(&[name]) {
        Fact::Absent => Some(false),
        Fact::Unknown => None,
        Fact::Known(Value::List(items)) => Some(!items.is_empty()),
        Fact::Known(_) => None,
    };
    match resource.resource_type.as_str() {
        "aws_secretsmanager_secret" => has_blocks("replica"),
        "aws_dynamodb_table" => has_blocks("replica"),
        "aws_rds_cluster" => match resource.get(&["global_cluster_identifier"]) {
            Fact::Absent => Some(false),
            Fact::Unknown => Some(true),
            Fact::Known(_) => Some(true),
        },
        _ => Some(false),
    }
}

impl Rule for KmsSingleRegion {
    fn resource_types(&self) -> &'static [&'static str] {
        &["aws_kms_key"]
    }

    fn check_resource(&self, cx: &Context<'_>, key: &Resource, report: &mut Reporter<'_>) {
        let multi_region = key.get(&["multi_region"]).flag().or_default(false);
        if multi_region == Some(true) {
            return;
        }
        let mut seen: Vec<&Resource> = Vec::new();
        for (data, attribute) in cx.referrers(key) {
            if !aws::KMS_KEY_ARGUMENTS.contains(&attribute)
                || seen.iter().any(|s| std::ptr::eq(*s, data))
            {
                continue;
            }
            seen.push(data);
            let replicated = match is_replicated(data) {
                Some(false) => continue,
                Some(true) => Certainty::Definite,
                None => Certainty::Unknown,
            };
            let Some(judgement) = cx.judge(data) else {
                continue;
            };
            let Some(severity) = Severity::for_need(judgement.tier.requirements.multi_region_kms)
            else {
                continue;
            };
            let certainty = if multi_region.is_none() {
                Certainty::Unknown
            } else {
                replicated
            };
            report.report(
                key,
                &["multi_region"],
                Some(&judgement),
                Verdict { severity, certainty },
                format!(
                    "{} is a single-region key but encrypts {}, which is replicated to another region ({})",
                    key.address,
                    data.address,
                    tier_phrase(&judgement)
                ),
                "set `multi_region = true` and create an aws_kms_replica_key in the recovery region".to_owned(),
            );
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::test_support::{assert_fail, assert_pass};

    #[test]
    fn pass_and_fail() {
        assert_pass(
            "DR402",
            &[
                r#"resource "aws_kms_key" "k" { multi_region = true }
               resource "aws_secretsmanager_secret" "s" {
                 kms_key_id = aws_kms_key.k.arn
                 replica { region = "eu-central-1" }
               }"#,
                r#"resource "aws_kms_key" "k" {}
               resource "aws_secretsmanager_secret" "s" { kms_key_id = aws_kms_key.k.arn }"#,
            ],
        );
        assert_fail(
            "DR402",
            &[
                r#"resource "aws_kms_key" "k" {}
               resource "aws_secretsmanager_secret" "s" {
                 kms_key_id = aws_kms_key.k.arn
                 replica { region = "eu-central-1" }
               }"#,
                r#"resource "aws_kms_key" "k" { multi_region = false }
               resource "aws_dynamodb_table" "t" {
                 server_side_encryption {
                   enabled = true
                   kms_key_arn = aws_kms_key.k.arn
                 }
                 replica { region_name = "eu-central-1" }
               }"#,
            ],
        );
    }
}
