use super::{
    declare_rule, has_unknown_relation, needed, presence, related, tier_phrase, Context, Reporter,
    Rule, Verdict,
};
use crate::aws::{self, Relation};
use crate::model::Resource;
use crate::tiers::Certainty;
use crate::value::{Fact, Value};

declare_rule! {
    /// ## What it does
    /// Reports data stores with no copy in another region when the tier requires one (tier 1
    /// by default):
    /// - `aws_rds_cluster` / `aws_docdb_cluster`: not in a global cluster
    ///   (`global_cluster_identifier`) and no other cluster replicates from it
    ///   (`replication_source_identifier`).
    /// - `aws_db_instance`: no read replica (`replicate_source_db` referring to it) and no
    ///   `aws_db_instance_automated_backups_replication` for it.
    /// - `aws_dynamodb_table`: no `replica` block (global table).
    /// - `aws_s3_bucket`: no `aws_s3_bucket_replication_configuration` for it, or only ones whose
    ///   destination bucket is known to be in the bucket's own region.
    ///
    /// Replicas and members of a global cluster are not judged themselves.
    ///
    /// ## Why is this bad?
    /// Multi-AZ survives a zone; only a copy in another region survives a regional outage. A
    /// tier-1 RPO of one minute cannot be met by restoring last night's backup.
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
    ///   name             = "carts"
    ///   hash_key         = "id"
    ///   stream_enabled   = true
    ///   stream_view_type = "NEW_AND_OLD_IMAGES"
    ///   replica {
    ///     region_name = "eu-central-1"
    ///   }
    /// }
    /// ```
    pub struct NoCrossRegionCopy;
}

/// Whether a resource related to `target` through `relation` exists: `Some(true)` found,
/// `Some(false)` none, `None` when something unknown may be one.
fn has_related(cx: &Context<'_>, target: &Resource, relation: &Relation) -> Option<bool> {
    let found: Vec<&Resource> = related(cx, target, relation);
    if found.iter().any(|r| !r.expansion_unknown) {
        Some(true)
    } else if !found.is_empty() || has_unknown_relation(cx, relation) {
        None
    } else {
        Some(false)
    }
}

/// What the rule concludes about one data store.
struct CopyState {
    /// `Some(true)` copied, `Some(false)` not, `None` unknown.
    copied: Option<bool>,
    path: &'static str,
    help: &'static str,
    /// Set when the store may itself be a replica (its source is unknown): the finding then
    /// holds only if it is not.
    if_primary: Option<&'static str>,
}

/// The copy state of a data store; `Err(())` when it is not judged (a replica is the copy).
fn copy_state(cx: &Context<'_>, resource: &Resource) -> Result<CopyState, ()> {
    let primary = |source: &'static str| match presence(resource, source) {
        Fact::Known(()) => Err(()),
        Fact::Absent => Ok(None),
        Fact::Unknown => Ok(Some(source)),
    };
    match resource.resource_type.as_str() {
        "aws_rds_cluster" | "aws_docdb_cluster" => {
            let if_primary = primary("replication_source_identifier")?;
            let global = match presence(resource, "global_cluster_identifier") {
                Fact::Known(()) => Some(true),
                Fact::Absent => Some(false),
                Fact::Unknown => None,
            };
            let replicas = aws::replica_source(&resource.resource_type)
                .map_or(Some(false), |relation| has_related(cx, resource, relation));
            let state = match (global, replicas) {
                (Some(true), _) | (_, Some(true)) => Some(true),
                (Some(false), Some(false)) => Some(false),
                _ => None,
            };
            Ok(CopyState {
                copied: state,
                path: "global_cluster_identifier",
                help: "join an aws_rds_global_cluster (global_cluster_identifier) with a secondary cluster in the recovery region",
                if_primary,
            })
        }
        "aws_db_instance" => {
            let if_primary = primary("replicate_source_db")?;
            let replica = has_related(cx, resource, &aws::READ_REPLICA);
            let backups = has_related(cx, resource, &aws::BACKUP_REPLICATION);
            let state = match (replica, backups) {
                (Some(true), _) | (_, Some(true)) => Some(true),
                (Some(false), Some(false)) => Some(false),
                _ => None,
            };
            Ok(CopyState {
                copied: state,
                path: "identifier",
                help: "add a cross-region read replica (replicate_source_db) or aws_db_instance_automated_backups_replication",
                if_primary,
            })
        }
        "aws_dynamodb_table" => Ok(CopyState {
            copied: match presence(resource, "replica") {
                Fact::Known(()) => Some(true),
                Fact::Absent => Some(false),
                Fact::Unknown => None,
            },
            path: "replica",
            help: "add a `replica { region_name = \"<recovery region>\" }` block (global table)",
            if_primary: None,
        }),
        "aws_s3_bucket" => Ok(CopyState {
            copied: s3_replication(cx, resource),
            path: "bucket",
            help:
                "add an aws_s3_bucket_replication_configuration to a bucket in the recovery region",
            if_primary: None,
        }),
        _ => Err(()),
    }
}

/// A replication configuration for `bucket` whose destination is not a bucket known to be in
/// the same region (same-region replication is no regional copy).
fn s3_replication(cx: &Context<'_>, bucket: &Resource) -> Option<bool> {
    let configurations: Vec<&Resource> = related(cx, bucket, &aws::BUCKET_REPLICATION);
    if configurations.is_empty() {
        return if has_unknown_relation(cx, &aws::BUCKET_REPLICATION) {
            None
        } else {
            Some(false)
        };
    }
    let same_region = |destination: &Resource| matches!((&bucket.region, &destination.region), (Value::String(a), Value::String(b)) if a == b);
    for configuration in configurations {
        let destinations: Vec<&Resource> = configuration
            .references
            .get("rule")
            .into_iter()
            .flatten()
            .flat_map(|key| cx.instances(key))
            .filter(|candidate| candidate.resource_type == "aws_s3_bucket")
            .copied()
            .collect();
        if destinations.is_empty() || destinations.iter().any(|d| !same_region(d)) {
            return Some(true);
        }
    }
    Some(false)
}

impl Rule for NoCrossRegionCopy {
    fn resource_types(&self) -> &'static [&'static str] {
        &[
            "aws_rds_cluster",
            "aws_docdb_cluster",
            "aws_db_instance",
            "aws_dynamodb_table",
            "aws_s3_bucket",
        ]
    }

    fn check_resource(&self, cx: &Context<'_>, resource: &Resource, report: &mut Reporter<'_>) {
        let Some((judgement, severity)) = needed(cx, resource, |r| r.cross_region_copy) else {
            return;
        };
        let Ok(CopyState {
            copied,
            path,
            help,
            if_primary,
        }) = copy_state(cx, resource)
        else {
            return;
        };
        let (certainty, message) = match copied {
            Some(true) => return,
            Some(false) => (Certainty::Definite, format!("{} has no copy in another region; {} requires one", resource.address, tier_phrase(&judgement))),
            None => (
                Certainty::Unknown,
                format!("whether {} is copied to another region cannot be known before apply; {} requires it", resource.address, tier_phrase(&judgement)),
            ),
        };
        let mark = report.mark();
        report.report(
            resource,
            &[path],
            Some(&judgement),
            Verdict {
                severity,
                certainty,
            },
            message,
            help.to_owned(),
        );
        if let Some(source) = if_primary {
            report.uncertain_since(
                mark,
                &format!("it is a primary: {source} is unknown before apply"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_cluster_that_may_be_a_replica_is_judged_uncertainly() {
        let found = crate::rules::test_support::findings(
            "DR601",
            r#"variable "source_cluster_arn" { type = string }
               resource "aws_rds_cluster" "c" {
                 cluster_identifier            = "ledger"
                 replication_source_identifier = var.source_cluster_arn
               }"#,
        );
        assert_eq!(found.len(), 1, "{found:#?}");
        assert_eq!(found[0].certainty, crate::tiers::Certainty::Unknown);
        assert!(found[0]
            .message
            .contains("replication_source_identifier is unknown"));
    }

    use crate::rules::test_support::{assert_fail, assert_pass, findings};

    #[test]
    fn pass_and_fail() {
        assert_pass(
            "DR601",
            &[
                r#"resource "aws_dynamodb_table" "t" {
                 replica { region_name = "eu-central-1" }
               }"#,
                r#"resource "aws_rds_global_cluster" "g" { global_cluster_identifier = "g" }
               resource "aws_rds_cluster" "c" { global_cluster_identifier = aws_rds_global_cluster.g.id }"#,
                r#"resource "aws_s3_bucket" "b" { bucket = "x" }
               resource "aws_s3_bucket_replication_configuration" "r" { bucket = aws_s3_bucket.b.id }"#,
                r#"resource "aws_db_instance" "d" { identifier = "orders" }
               resource "aws_db_instance" "r" { replicate_source_db = aws_db_instance.d.arn }"#,
                r#"resource "aws_dynamodb_table" "t" { tags = { "dr-tier" = "2", "rto-hours" = "1" } }"#,
            ],
        );
        assert_fail(
            "DR601",
            &[
                r#"resource "aws_dynamodb_table" "t" {}"#,
                r#"resource "aws_rds_cluster" "c" {}"#,
                r#"resource "aws_s3_bucket" "b" { bucket = "x" }"#,
                r#"resource "aws_db_instance" "d" { identifier = "orders" }"#,
            ],
        );
    }

    #[test]
    fn same_region_replication_is_no_regional_copy() {
        let reported = |destination_region: &str| {
            let hcl = format!(
                r#"provider "aws" {{
                     region = "eu-west-1"
                   }}
                   provider "aws" {{
                     alias  = "dr"
                     region = "{destination_region}"
                   }}
                   resource "aws_s3_bucket" "source" {{ bucket = "source" }}
                   resource "aws_s3_bucket" "destination" {{
                     provider = aws.dr
                     bucket   = "destination"
                   }}
                   resource "aws_s3_bucket_replication_configuration" "r" {{
                     bucket = aws_s3_bucket.source.id
                     rule {{
                       destination {{ bucket = aws_s3_bucket.destination.arn }}
                     }}
                   }}"#
            );
            findings("DR601", &hcl)
                .iter()
                .any(|finding| &*finding.address == "aws_s3_bucket.source")
        };
        assert!(
            reported("eu-west-1"),
            "same-region replication must be reported"
        );
        assert!(
            !reported("eu-central-1"),
            "replication to another region is a copy"
        );
    }
}
