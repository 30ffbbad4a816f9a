//! What drlint knows about AWS resource types, kept as data in one place (in the spirit of
//! tflint-ruleset-aws's mapping files): which types hold state, how a type carries its tags,
//! through which arguments one resource names another, and which attributes AWS itself decides
//! at apply time. The HCL evaluator, the plan reader and the rules read these tables; a rule
//! never spells a relation or a tag convention of its own.

use indexmap::IndexMap;

use crate::value::{Fact, Value};

/// Resources that hold data or state: the ones DR tiers are about.
pub const STATEFUL_TYPES: &[&str] = &[
    "aws_db_instance",
    "aws_rds_cluster",
    "aws_docdb_cluster",
    "aws_neptune_cluster",
    "aws_dynamodb_table",
    "aws_elasticache_replication_group",
    "aws_elasticache_cluster",
    "aws_memorydb_cluster",
    "aws_dax_cluster",
    "aws_opensearch_domain",
    "aws_elasticsearch_domain",
    "aws_redshift_cluster",
    "aws_mq_broker",
    "aws_msk_cluster",
    "aws_fsx_windows_file_system",
    "aws_fsx_ontap_file_system",
    "aws_fsx_openzfs_file_system",
    "aws_fsx_lustre_file_system",
    "aws_efs_file_system",
    "aws_ebs_volume",
    "aws_s3_bucket",
    "aws_secretsmanager_secret",
    "aws_kms_key",
];

pub fn is_stateful(resource_type: &str) -> bool {
    STATEFUL_TYPES.contains(&resource_type)
}

/// How a resource type carries its tags.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TagStyle {
    /// A `tags` map, merged over the provider's `default_tags` (`tags_all` in plans).
    Map,
    /// Repeated blocks of `key`/`value` (`tag { key = … value = … }`), to which the provider's
    /// `default_tags` do not apply.
    Blocks { block: &'static str },
}

/// Types whose tags are blocks rather than a map (the provider documents that `default_tags`
/// do not reach them).
const TAG_BLOCKS: &[(&str, &str)] = &[("aws_autoscaling_group", "tag")];

pub fn tag_style(resource_type: &str) -> TagStyle {
    TAG_BLOCKS
        .iter()
        .find(|(name, _)| *name == resource_type)
        .map_or(TagStyle::Map, |(_, block)| TagStyle::Blocks { block })
}

/// `tag { key = "dr-tier" value = "1" }` blocks (written out, made by `dynamic "tag"`, or a
/// plan's list of tag objects) as a map; an unknown block or key leaves the map partial.
pub fn tags_from_blocks(values: &Value, block: &str) -> Value {
    let items = match values.entry(block) {
        Some(Fact::Known(Value::List(items))) if !items.is_empty() => items,
        Some(Fact::Known(Value::List(_)) | Fact::Absent) | None => return Value::Null,
        Some(_) => return Value::Unknown,
    };
    let mut tags = IndexMap::new();
    let mut partial = false;
    for item in items {
        match Fact::walk(item, &["key"]).string() {
            Fact::Known(key) => {
                let value = match Fact::walk(item, &["value"]) {
                    Fact::Known(value) => value.clone(),
                    Fact::Unknown => Value::Unknown,
                    Fact::Absent => Value::Null,
                };
                tags.insert(key, value);
            }
            _ => partial = true,
        }
    }
    if partial {
        Value::Partial(tags.into())
    } else {
        Value::Map(tags.into())
    }
}

/// What is known of a public registry module without its code: what it creates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ModuleCreates {
    /// No resources that take tags or hold data (a label module computes names only).
    NothingJudged,
    /// No data stores; everything it creates carries the map in argument `tags` (merged
    /// over the provider's `default_tags`), whatever else it adds.
    NoDataStores { tags: &'static str },
    /// Data stores, whose DR settings depend on the module's code.
    DataStores,
}

/// Public registry modules and what they create, from their documented interfaces. A module
/// that is not here and not on disk is unknown through and through.
const REGISTRY_MODULES: &[(&str, ModuleCreates)] = &[
    ("cloudposse/label/null", ModuleCreates::NothingJudged),
    (
        "cloudposse/route53-cluster-hostname/aws",
        ModuleCreates::NothingJudged,
    ),
    ("terraform-aws-modules/kms/aws", ModuleCreates::DataStores),
    (
        "terraform-aws-modules/s3-bucket/aws",
        ModuleCreates::DataStores,
    ),
    (
        "terraform-aws-modules/security-group/aws",
        ModuleCreates::NoDataStores { tags: "tags" },
    ),
    (
        "terraform-aws-modules/vpc/aws",
        ModuleCreates::NoDataStores { tags: "tags" },
    ),
];

/// What a module source from the public registry (`NAMESPACE/NAME/PROVIDER`, optionally with a
/// `//subdirectory` and the `registry.terraform.io/` host) is known to create.
pub fn registry_module(source: &str) -> Option<ModuleCreates> {
    let source = source
        .strip_prefix("registry.terraform.io/")
        .or_else(|| source.strip_prefix("registry.opentofu.org/"))
        .unwrap_or(source);
    let address = source.split("//").next().unwrap_or(source);
    REGISTRY_MODULES
        .iter()
        .find(|(known, _)| *known == address)
        .map(|(_, creates)| *creates)
}

/// One resource naming another: `from.attribute` holds a reference to a `to` resource, or the
/// same literal identifier that the `to` resource holds in `identifier`.
#[derive(Debug, PartialEq, Eq)]
pub struct Relation {
    pub from: &'static str,
    pub attribute: &'static str,
    pub to: &'static str,
    /// The target's argument whose literal value the source may write instead of a reference.
    pub identifier: Option<&'static str>,
}

/// What identifies a relation: its `from` type and argument.
pub type RelationKey = (&'static str, &'static str);

impl Relation {
    pub fn key(&self) -> RelationKey {
        (self.from, self.attribute)
    }
}

macro_rules! relations {
    ($($name:ident: $from:literal . $attribute:literal -> $to:literal $(. $identifier:literal)?;)*) => {
        $(
            #[doc = concat!("`", $from, ".", $attribute, "` names an `", $to, "`.")]
            pub const $name: Relation = Relation {
                from: $from,
                attribute: $attribute,
                to: $to,
                identifier: relations!(@identifier $($identifier)?),
            };
        )*
        /// Every relation the rules follow.
        pub const RELATIONS: &[Relation] = &[$($name),*];
    };
    (@identifier $identifier:literal) => { Some($identifier) };
    (@identifier) => { None };
}

relations! {
    AURORA_INSTANCE: "aws_rds_cluster_instance" . "cluster_identifier" -> "aws_rds_cluster" . "cluster_identifier";
    DOCDB_INSTANCE: "aws_docdb_cluster_instance" . "cluster_identifier" -> "aws_docdb_cluster" . "cluster_identifier";
    NEPTUNE_INSTANCE: "aws_neptune_cluster_instance" . "cluster_identifier" -> "aws_neptune_cluster" . "cluster_identifier";
    BUCKET_VERSIONING: "aws_s3_bucket_versioning" . "bucket" -> "aws_s3_bucket" . "bucket";
    BUCKET_REPLICATION: "aws_s3_bucket_replication_configuration" . "bucket" -> "aws_s3_bucket" . "bucket";
    READ_REPLICA: "aws_db_instance" . "replicate_source_db" -> "aws_db_instance" . "identifier";
    AURORA_REPLICA: "aws_rds_cluster" . "replication_source_identifier" -> "aws_rds_cluster" . "arn";
    DOCDB_REPLICA: "aws_docdb_cluster" . "replication_source_identifier" -> "aws_docdb_cluster" . "arn";
    BACKUP_REPLICATION: "aws_db_instance_automated_backups_replication" . "source_db_instance_arn" -> "aws_db_instance";
}

/// The relation through which the instances of a cluster type name their cluster.
pub fn cluster_instances(cluster_type: &str) -> Option<&'static Relation> {
    RELATIONS.iter().find(|relation| {
        relation.to == cluster_type
            && relation.attribute == "cluster_identifier"
            && relation.from.ends_with("_cluster_instance")
    })
}

/// The relation through which a replica names its source, for types that have one.
pub fn replica_source(resource_type: &str) -> Option<&'static Relation> {
    RELATIONS.iter().find(|relation| {
        relation.from == resource_type
            && relation.to == resource_type
            && matches!(
                relation.attribute,
                "replicate_source_db" | "replication_source_identifier"
            )
    })
}

/// Arguments through which data names the KMS key that encrypts it.
pub const KMS_KEY_ARGUMENTS: &[&str] = &["kms_key_id", "server_side_encryption", "replica"];

/// Attributes whose value AWS chooses at apply time when the configuration leaves them out
/// (a subnet's zone). Every other attribute a plan marks "known after apply" without the
/// configuration writing it will hold the provider's default: `false`, none, `{}`.
const DECIDED_AT_APPLY: &[(&str, &str)] = &[
    ("aws_subnet", "availability_zone"),
    ("aws_subnet", "availability_zone_id"),
];

/// Whether an unwritten `attribute` of `resource_type` that a plan marks unknown is really
/// unknown (AWS decides it), rather than the provider default.
pub fn decided_at_apply(resource_type: &str, attribute: &str) -> bool {
    !resource_type.starts_with("aws_")
        || DECIDED_AT_APPLY
            .iter()
            .any(|(name, decided)| *name == resource_type && *decided == attribute)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relations_are_found_by_their_ends() {
        assert_eq!(
            cluster_instances("aws_docdb_cluster"),
            Some(&DOCDB_INSTANCE)
        );
        assert_eq!(cluster_instances("aws_db_instance"), None);
        assert_eq!(replica_source("aws_db_instance"), Some(&READ_REPLICA));
        assert_eq!(replica_source("aws_rds_cluster"), Some(&AURORA_REPLICA));
        assert_eq!(
            tag_style("aws_autoscaling_group"),
            TagStyle::Blocks { block: "tag" }
        );
        assert_eq!(tag_style("aws_db_instance"), TagStyle::Map);
        assert!(decided_at_apply("aws_subnet", "availability_zone"));
        assert!(!decided_at_apply("aws_db_instance", "multi_az"));
        assert!(decided_at_apply("dr_drill", "status"));
        assert_eq!(
            registry_module("terraform-aws-modules/security-group/aws//modules/redshift"),
            Some(ModuleCreates::NoDataStores { tags: "tags" })
        );
        assert_eq!(registry_module("git::https://example.com/vpc.git"), None);
    }
}
