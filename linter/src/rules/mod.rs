//! The rules. One file per rule; its doc comment is its documentation (rendered by
//! `drlint rule CODE` and into `docs/rules/`), and [`codes`] is the one table of codes.

use std::collections::{HashMap, HashSet};

use crate::finding::Finding;
use crate::model::{Model, Origin, Resource, UnresolvedModule};
use crate::tiers::{Certainty, Judgement, Severity, TierCatalog};
use crate::value::{Lookup, Value};

pub mod codes;

mod cluster_single_instance;
mod db_backup_retention;
mod db_instance_multi_az;
mod deletion_protection;
mod drill_status;
mod dynamodb_pitr;
mod elasticache_multi_az;
mod elasticache_single_node;
mod elasticache_snapshots;
mod fsx_multi_az;
mod invalid_tier_tag;
mod kms_single_region;
mod memorydb_no_replicas;
mod missing_tier_tag;
mod mq_multi_az;
mod no_cross_region_copy;
mod no_failover_policy;
mod one_zone_storage;
mod redshift_multi_az;
mod rto_hours_tag;
mod s3_versioning;
mod search_zone_awareness;
mod secret_not_replicated;
mod subnets_one_zone;

pub use cluster_single_instance::ClusterSingleInstance;
pub use db_backup_retention::DbBackupRetention;
pub use db_instance_multi_az::DbInstanceMultiAz;
pub use deletion_protection::DeletionProtection;
pub use drill_status::DrillStatus;
pub use dynamodb_pitr::DynamodbPitr;
pub use elasticache_multi_az::ElasticacheMultiAz;
pub use elasticache_single_node::ElasticacheSingleNode;
pub use elasticache_snapshots::ElasticacheSnapshots;
pub use fsx_multi_az::FsxMultiAz;
pub use invalid_tier_tag::InvalidTierTag;
pub use kms_single_region::KmsSingleRegion;
pub use memorydb_no_replicas::MemorydbNoReplicas;
pub use missing_tier_tag::MissingTierTag;
pub use mq_multi_az::MqMultiAz;
pub use no_cross_region_copy::NoCrossRegionCopy;
pub use no_failover_policy::NoFailoverPolicy;
pub use one_zone_storage::OneZoneStorage;
pub use redshift_multi_az::RedshiftMultiAz;
pub use rto_hours_tag::RtoHoursTag;
pub use s3_versioning::S3Versioning;
pub use search_zone_awareness::SearchZoneAwareness;
pub use secret_not_replicated::SecretNotReplicated;
pub use subnets_one_zone::SubnetsOneZone;

/// Declares a rule type whose doc comment is kept as `DOCUMENTATION` for docs and `drlint rule`.
macro_rules! declare_rule {
    ($(#[doc = $doc:expr])* pub struct $name:ident;) => {
        $(#[doc = $doc])*
        #[derive(Debug, Default, Clone, Copy)]
        pub struct $name;

        impl $name {
            pub const DOCUMENTATION: &'static str = concat!($($doc, "\n"),*);
        }
    };
}
pub(crate) use declare_rule;

/// A rule. Implement what you need: `check_resource` is called for every resource whose type is
/// in `resource_types` (all when empty), `check_model` once per run.
pub trait Rule: Sync {
    fn resource_types(&self) -> &'static [&'static str] {
        &[]
    }
    fn check_resource(&self, _cx: &Context<'_>, _resource: &Resource, _report: &mut Reporter<'_>) {}
    fn check_model(&self, _cx: &Context<'_>, _report: &mut Reporter<'_>) {}
}

/// What every rule may consult.
pub struct Context<'a> {
    pub model: &'a Model,
    pub tiers: &'a TierCatalog,
    index: Index<'a>,
}

/// Arguments through which one resource names another (besides references): relations are
/// also found by an identifier written the same way on both sides.
const RELATION_ATTRIBUTES: &[&str] = &[
    "cluster_identifier",
    "bucket",
    "replicate_source_db",
    "replication_source_identifier",
    "source_db_instance_arn",
];

/// Lookups the rules make for every resource, built once so a run stays linear in the input.
#[derive(Default)]
struct Index<'a> {
    by_type: HashMap<&'a str, Vec<&'a Resource>>,
    by_scope: HashMap<&'a str, Vec<&'a Resource>>,
    /// Configuration key → its instances.
    by_key: HashMap<String, Vec<&'a Resource>>,
    /// `SCOPE::ADDRESS` → the instance (for references that name one instance).
    by_address: HashMap<String, &'a Resource>,
    /// Configuration key → (referring resource, argument).
    referrers: HashMap<&'a str, Vec<(&'a Resource, &'a str)>>,
    /// `value_key(type, relation argument, literal value)` → resources.
    by_value: HashMap<String, Vec<&'a Resource>>,
    /// (type, relation argument) where some resource's value is unknown and unexplained by a
    /// reference, or whose instances are of unknown number.
    unknown_relation: HashSet<(&'a str, &'a str)>,
}

fn value_key(resource_type: &str, attribute: &str, value: &str) -> String {
    format!("{resource_type}\u{0}{attribute}\u{0}{value}")
}

impl<'a> Index<'a> {
    fn build(model: &'a Model) -> Index<'a> {
        let mut index = Index::default();
        for resource in &model.resources {
            let resource_type = resource.resource_type.as_str();
            index
                .by_type
                .entry(resource_type)
                .or_default()
                .push(resource);
            index
                .by_scope
                .entry(resource.scope.as_str())
                .or_default()
                .push(resource);
            index
                .by_key
                .entry(resource.config_key())
                .or_default()
                .push(resource);
            index.by_address.insert(resource.instance_key(), resource);
            for (attribute, targets) in &resource.references {
                let mut seen = HashSet::new();
                for target in targets.iter().filter(|target| seen.insert(target.as_str())) {
                    index
                        .referrers
                        .entry(target.as_str())
                        .or_default()
                        .push((resource, attribute.as_str()));
                }
            }
            for attribute in RELATION_ATTRIBUTES {
                match resource.get(&[attribute]) {
                    crate::value::Lookup::Known(value) => {
                        if let Some(text) = value.to_string_value() {
                            index
                                .by_value
                                .entry(value_key(resource_type, attribute, &text))
                                .or_default()
                                .push(resource);
                        }
                    }
                    crate::value::Lookup::Unknown
                        if !resource.references.contains_key(*attribute) =>
                    {
                        index.unknown_relation.insert((resource_type, attribute));
                    }
                    _ => {}
                }
                if resource.expansion_unknown {
                    index.unknown_relation.insert((resource_type, attribute));
                }
            }
        }
        index
    }
}

impl<'a> Context<'a> {
    pub fn new(model: &'a Model, tiers: &'a TierCatalog) -> Context<'a> {
        Context {
            model,
            tiers,
            index: Index::build(model),
        }
    }

    pub fn judge(&self, resource: &Resource) -> Option<Judgement<'a>> {
        self.tiers.judge(resource)
    }

    /// Every resource of `resource_type`.
    pub fn of_type(&self, resource_type: &str) -> &[&'a Resource] {
        self.index
            .by_type
            .get(resource_type)
            .map_or(&[], Vec::as_slice)
    }

    /// Every resource of one root module or plan.
    pub fn in_scope(&self, scope: &str) -> &[&'a Resource] {
        self.index.by_scope.get(scope).map_or(&[], Vec::as_slice)
    }

    /// The scopes of the run, sorted.
    pub fn scopes(&self) -> Vec<&'a str> {
        let mut scopes: Vec<&str> = self.index.by_scope.keys().copied().collect();
        scopes.sort_unstable();
        scopes
    }

    /// The instances a recorded reference names: one instance (`TYPE.NAME["key"]`, see
    /// `Resource::instance_key`) or every instance of a block (`Resource::config_key`).
    pub fn instances(&self, reference: &str) -> &[&'a Resource] {
        if let Some(resource) = self.index.by_address.get(reference) {
            return std::slice::from_ref(resource);
        }
        if let Some(instances) = self.index.by_key.get(reference) {
            return instances;
        }
        // An index Terraform would reject (`[0]` on a block without `count`): the block.
        match reference
            .strip_suffix(']')
            .and_then(|r| r.rfind('[').map(|at| &r[..at]))
        {
            Some(block) => self.index.by_key.get(block).map_or(&[], Vec::as_slice),
            None => &[],
        }
    }

    /// Resources that refer to `target` (its block as a whole, or this very instance), with
    /// the argument that does.
    pub fn referrers(&self, target: &Resource) -> Vec<(&'a Resource, &'a str)> {
        let block = self.index.referrers.get(target.config_key().as_str());
        let instance = self.index.referrers.get(target.instance_key().as_str());
        block
            .into_iter()
            .chain(instance)
            .flatten()
            .copied()
            .collect()
    }
}

/// Collects one rule's findings.
pub struct Reporter<'a> {
    pub rule: &'static codes::RuleInfo,
    pub findings: &'a mut Vec<Finding>,
}

/// How sure a finding is and how bad, before it is attached to a resource.
#[derive(Debug, Clone, Copy)]
pub struct Verdict {
    pub severity: Severity,
    pub certainty: Certainty,
}

impl Reporter<'_> {
    /// Reports on `resource`, labelled at `path` (or the block when the attribute is absent).
    #[allow(clippy::too_many_arguments)]
    pub fn report(
        &mut self,
        resource: &Resource,
        path: &[&str],
        judgement: Option<&Judgement<'_>>,
        verdict: Verdict,
        message: String,
        help: String,
    ) {
        let certainty = match judgement {
            Some(judgement) => verdict.certainty.and(judgement.certainty()),
            None => verdict.certainty,
        };
        let certainty = if resource.expansion_unknown {
            Certainty::Unknown
        } else {
            certainty
        };
        let mut anchors = Vec::new();
        if let Origin::Hcl { header, .. } = &resource.origin {
            anchors.push(header.start);
        }
        let span = resource.span_for(path);
        if let Some(span) = &span {
            anchors.push(span.start);
        }
        self.findings.push(Finding {
            rule: self.rule,
            severity: verdict.severity,
            certainty,
            address: resource.address.clone(),
            root: resource.scope.clone(),
            file: resource.file(),
            span,
            message,
            help,
            tier: judgement.map(|j| j.tier.level),
            anchors,
        });
    }
}

impl Reporter<'_> {
    /// Reports on a module call drlint could not read: nothing it would create is known.
    pub fn report_module(
        &mut self,
        call: &UnresolvedModule,
        severity: Severity,
        message: String,
        help: String,
    ) {
        self.findings.push(Finding {
            rule: self.rule,
            severity,
            certainty: Certainty::Unknown,
            address: call.address.clone(),
            root: call.scope.clone(),
            file: call.file,
            span: call.header.clone(),
            message,
            help,
            tier: None,
            anchors: call.header.iter().map(|span| span.start).collect(),
        });
    }

    /// How many findings there are so far: pass it to [`Reporter::uncertain_since`].
    pub fn mark(&self) -> usize {
        self.findings.len()
    }

    /// Makes the findings reported since `mark` uncertain, saying why: they hold only if
    /// something that cannot be known before apply turns out as the rule assumed.
    pub fn uncertain_since(&mut self, mark: usize, assumption: &str) {
        for finding in self.findings.iter_mut().skip(mark) {
            if finding.rule.code == self.rule.code {
                finding.certainty = Certainty::Unknown;
                finding.message = format!("{} (if {assumption})", finding.message);
            }
        }
    }
}

/// Whether `attribute` is written with a value: `Some(true)` also for a value computed from
/// another resource (`aws_db_instance.primary.identifier` is unknown, but certainly set);
/// `None` when it comes from something unknown that may as well be null (a variable with no
/// value, a data source).
pub fn presence(resource: &Resource, attribute: &str) -> Option<bool> {
    match resource.get(&[attribute]) {
        Lookup::NotSet => Some(false),
        Lookup::Unknown if resource.references.contains_key(attribute) => Some(true),
        Lookup::Unknown => None,
        Lookup::Known(Value::List(items)) => Some(!items.is_empty()),
        Lookup::Known(_) => Some(true),
    }
}

/// Runs every rule over the model. Findings come out sorted by file, position and code.
pub fn run(model: &Model, tiers: &TierCatalog) -> Vec<Finding> {
    let cx = Context::new(model, tiers);
    let mut findings = Vec::new();
    for info in codes::RULES {
        let mut reporter = Reporter {
            rule: info,
            findings: &mut findings,
        };
        let types = info.rule.resource_types();
        for resource in &model.resources {
            if types.is_empty() || types.contains(&resource.resource_type.as_str()) {
                info.rule.check_resource(&cx, resource, &mut reporter);
            }
        }
        info.rule.check_model(&cx, &mut reporter);
    }
    findings.sort_by(|a, b| {
        (
            a.file,
            a.span.as_ref().map(|s| s.start),
            a.rule.code,
            &a.address,
        )
            .cmp(&(
                b.file,
                b.span.as_ref().map(|s| s.start),
                b.rule.code,
                &b.address,
            ))
    });
    findings
}

/// Tier wording for messages: `tier 1 (mission critical)`, noting an assumed tier.
pub fn tier_phrase(judgement: &Judgement<'_>) -> String {
    use crate::tiers::TierSource;
    let tier = judgement.tier;
    match judgement.source {
        TierSource::Tagged => format!("tier {} ({})", tier.level, tier.name),
        TierSource::Assumed => format!(
            "tier {} ({}, assumed: no valid dr-tier tag)",
            tier.level, tier.name
        ),
        TierSource::UnknownTag => format!(
            "tier {} ({}, assumed: dr-tier tag unknown until apply)",
            tier.level, tier.name
        ),
    }
}

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

/// Resources of `related_type` whose `attribute` refers to `target`, by reference or by the
/// same literal identifier (`target_identifier` names the target's argument holding it).
pub fn related<'a>(
    cx: &Context<'a>,
    target: &Resource,
    related_type: &str,
    attribute: &str,
    target_identifier: Option<&str>,
) -> Vec<&'a Resource> {
    let mut found: Vec<&'a Resource> = Vec::new();
    for (candidate, by) in cx.referrers(target) {
        if candidate.resource_type == related_type
            && by == attribute
            && !found.iter().any(|f| std::ptr::eq(*f, candidate))
        {
            found.push(candidate);
        }
    }
    let identifier = target_identifier.and_then(|key| match target.get(&[key]) {
        crate::value::Lookup::Known(value) => value.to_string_value(),
        _ => None,
    });
    if let Some(identifier) = identifier {
        let key = value_key(related_type, attribute, &identifier);
        for candidate in cx.index.by_value.get(&key).into_iter().flatten() {
            if candidate.scope == target.scope
                && !found.iter().any(|f| std::ptr::eq(*f, *candidate))
            {
                found.push(candidate);
            }
        }
    }
    found
}

/// Whether a resource of `related_type` could relate through `attribute` without drlint seeing
/// it: an unknown identifier or an unknown number of instances.
pub fn has_unknown_relation(cx: &Context<'_>, related_type: &str, attribute: &str) -> bool {
    cx.index
        .unknown_relation
        .iter()
        .any(|(t, a)| *t == related_type && *a == attribute)
}

#[cfg(test)]
pub(crate) mod test_support;

/// The judgement and severity for a resource whose tier has a need of some property; `None`
/// when its tier does not ask for it.
pub fn needed<'a>(
    cx: &Context<'a>,
    resource: &Resource,
    need: fn(&dr_vocab::TierRequirements) -> dr_vocab::Need,
) -> Option<(Judgement<'a>, Severity)> {
    let judgement = cx.judge(resource)?;
    let severity = Severity::for_need(need(&judgement.tier.requirements))?;
    Some((judgement, severity))
}

/// Reports a switch that must be on: off (definite) or unknown (uncertain).
#[allow(clippy::too_many_arguments)]
pub fn report_switch(
    report: &mut Reporter<'_>,
    resource: &Resource,
    judgement: &Judgement<'_>,
    severity: Severity,
    path: &[&str],
    state: Option<bool>,
    what_is_off: String,
    help: String,
) {
    let (certainty, message) = match state {
        Some(true) => return,
        Some(false) => (
            Certainty::Definite,
            format!("{what_is_off}, but {} requires it", tier_phrase(judgement)),
        ),
        None => (
            Certainty::Unknown,
            format!(
                "{} of {} is known only after apply; {} requires it",
                path.join("."),
                resource.address,
                tier_phrase(judgement)
            ),
        ),
    };
    report.report(
        resource,
        path,
        Some(judgement),
        Verdict {
            severity,
            certainty,
        },
        message,
        help,
    );
}
