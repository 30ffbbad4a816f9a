//! The rule table: stable codes, names and categories. A code, once published, is never reused
//! for another rule; a retired rule keeps its row.

use super::*;

/// The finding categories of the product (PRODUCT.md); stable names used in every output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Category {
    DrTierTag,
    MultiAz,
    SingleAz,
    SecretReplication,
    Backup,
    CrossRegion,
    Drill,
}

impl Category {
    pub fn name(self) -> &'static str {
        match self {
            Category::DrTierTag => "dr-tier-tag",
            Category::MultiAz => "multi-az",
            Category::SingleAz => "single-az",
            Category::SecretReplication => "secret-replication",
            Category::Backup => "backup",
            Category::CrossRegion => "cross-region",
            Category::Drill => "drill",
        }
    }
}

/// One row of the rule table.
pub struct RuleInfo {
    pub code: &'static str,
    pub name: &'static str,
    pub category: Category,
    /// One line for `drlint rules`.
    pub summary: &'static str,
    /// The rule's doc comment.
    pub documentation: &'static str,
    pub rule: &'static dyn Rule,
}

impl std::fmt::Debug for RuleInfo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({})", self.code, self.name)
    }
}

impl PartialEq for RuleInfo {
    fn eq(&self, other: &Self) -> bool {
        self.code == other.code
    }
}

impl RuleInfo {
    /// The rule's page under a documentation base URL (see [`crate::render::Options`]): `{code}`
    /// in the base is replaced by the code, otherwise `/CODE.md` is appended (the layout of
    /// `linter/docs/rules/`). `None` without a base: outputs then point at `drlint rule CODE`.
    pub fn doc_url(&self, base: Option<&str>) -> Option<String> {
        let base = base?.trim();
        if base.is_empty() {
            return None;
        }
        Some(if base.contains("{code}") {
            base.replace("{code}", self.code)
        } else {
            format!("{}/{}.md", base.trim_end_matches('/'), self.code)
        })
    }
}

macro_rules! rules {
    ($($code:literal, $name:literal, $category:ident, $rule:ident, $summary:literal;)*) => {
        /// Every rule, in code order.
        pub static RULES: &[RuleInfo] = &[
            $(RuleInfo {
                code: $code,
                name: $name,
                category: Category::$category,
                summary: $summary,
                documentation: $rule::DOCUMENTATION,
                rule: &$rule,
            },)*
        ];
    };
}

rules! {
    "DR101", "missing-dr-tier-tag", DrTierTag, MissingTierTag, "a taggable resource has no dr-tier tag";
    "DR102", "invalid-dr-tier-tag", DrTierTag, InvalidTierTag, "the dr-tier tag names no known tier";
    "DR103", "rto-hours-tag", DrTierTag, RtoHoursTag, "rto-hours is missing, not a number, or beyond the tier's RTO";
    "DR104", "conflicting-dr-tiers", DrTierTag, ConflictingTiers, "two dr_tier resources declare one name, or one level with different objectives";
    "DR201", "db-instance-multi-az", MultiAz, DbInstanceMultiAz, "an RDS DB instance runs in one Availability Zone";
    "DR202", "elasticache-multi-az", MultiAz, ElasticacheMultiAz, "an ElastiCache replication group has Multi-AZ or automatic failover off";
    "DR203", "search-zone-awareness", MultiAz, SearchZoneAwareness, "an OpenSearch/Elasticsearch domain has zone awareness off";
    "DR204", "redshift-multi-az", MultiAz, RedshiftMultiAz, "a Redshift cluster runs in one Availability Zone";
    "DR205", "mq-deployment-mode", MultiAz, MqMultiAz, "an Amazon MQ broker is a single instance";
    "DR206", "fsx-deployment-type", MultiAz, FsxMultiAz, "an FSx file system uses a single-AZ deployment type";
    "DR301", "cluster-single-instance", SingleAz, ClusterSingleInstance, "an Aurora/DocumentDB/Neptune cluster has fewer than two instances";
    "DR302", "elasticache-single-node", SingleAz, ElasticacheSingleNode, "an ElastiCache cluster keeps its data on one node or in one AZ";
    "DR303", "one-zone-storage", SingleAz, OneZoneStorage, "EFS One Zone or an EBS volume pins data to one AZ";
    "DR304", "no-replica-nodes", SingleAz, MemorydbNoReplicas, "a MemoryDB cluster or DAX cluster has no replica nodes";
    "DR305", "subnets-one-zone", SingleAz, SubnetsOneZone, "an MSK cluster, Auto Scaling group or load balancer sits in one AZ";
    "DR401", "secret-not-replicated", SecretReplication, SecretNotReplicated, "a Secrets Manager secret has no replica in the recovery region";
    "DR402", "kms-key-single-region", SecretReplication, KmsSingleRegion, "a single-region KMS key encrypts replicated data";
    "DR501", "db-backup-retention", Backup, DbBackupRetention, "database backup retention is below the tier's minimum";
    "DR502", "dynamodb-pitr", Backup, DynamodbPitr, "a DynamoDB table has no point-in-time recovery";
    "DR503", "elasticache-snapshots", Backup, ElasticacheSnapshots, "a Redis/Valkey cache keeps no snapshots";
    "DR504", "s3-versioning", Backup, S3Versioning, "an S3 bucket has no versioning";
    "DR505", "deletion-protection", Backup, DeletionProtection, "a database can be deleted (deletion protection off)";
    "DR601", "no-cross-region-copy", CrossRegion, NoCrossRegionCopy, "tier-1 data has no copy in another region";
    "DR701", "no-failover-policy", Drill, NoFailoverPolicy, "a tier-1 workload has no dr_failover_policy";
    "DR702", "drill-failed-or-overdue", Drill, DrillStatus, "a dr_drill failed, missed its objective, or is overdue";
}

/// The rule with `code` (case-insensitive) or `name`.
pub fn find(code_or_name: &str) -> Option<&'static RuleInfo> {
    RULES
        .iter()
        .find(|info| info.code.eq_ignore_ascii_case(code_or_name) || info.name == code_or_name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_names_are_unique_and_docs_complete() {
        let mut codes = std::collections::HashSet::new();
        let mut names = std::collections::HashSet::new();
        for info in RULES {
            assert!(codes.insert(info.code), "duplicate code {}", info.code);
            assert!(names.insert(info.name), "duplicate name {}", info.name);
            for section in [
                "## What it does",
                "## Why is this bad?",
                "## Example",
                "Use instead:",
            ] {
                assert!(
                    info.documentation.contains(section),
                    "{} lacks {section}",
                    info.code
                );
            }
        }
    }
}
