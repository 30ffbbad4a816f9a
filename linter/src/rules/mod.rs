//! The rules. One file per rule; its doc comment is its documentation (rendered by
//! `drlint rule CODE` and into `docs/rules/`), and [`codes`] is the one table of codes.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use indexmap::IndexMap;

use crate::aws::{self, Relation, RelationKey};
use crate::finding::{Anchors, Finding};
use crate::model::{Model, Origin, Resource, UnresolvedModule};
use crate::tiers::{Certainty, Judgement, ScopedTiers, Severity, TierCatalog};
use crate::value::{Fact, Value};

pub mod codes;

mod cluster_single_instance;
mod conflicting_tiers;
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
pub mod policies;
mod redshift_multi_az;
mod rto_hours_tag;
mod s3_versioning;
mod search_zone_awareness;
mod secret_not_replicated;
mod subnets_one_zone;

pub use cluster_single_instance::ClusterSingleInstance;
pub use conflicting_tiers::ConflictingTiers;
pub use db_backup_retention::DbBackupRetention;
pub use db_instance_multi_az::DbInstanceMultiAz;
pub use deletion_protection::DeletionProtection;
pub use drill_status::{reading as drill_reading, DrillReading, DrillStatus};
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
/// in `resource_types` (all when empty), `check_model` once per configuration.
pub trait Rule: Sync {
    fn resource_types(&self) -> &'static [&'static str] {
        &[]
    }
    /// Whether the rule looks at `resource` at all, so a report can tell "checked, nothing
    /// found" from "not checked": by default, every resource `check_resource` is called for.
    fn examines(&self, resource: &Resource) -> bool {
        let types = self.resource_types();
        types.is_empty() || types.contains(&resource.resource_type.as_str())
    }
    fn check_resource(&self, _cx: &Context<'_>, _resource: &Resource, _report: &mut Reporter<'_>) {}
    fn check_model(&self, _cx: &Context<'_>, _report: &mut Reporter<'_>) {}
}

/// What every rule may consult: one configuration (a root module or a plan), never more. Its
/// resources, relations, tiers, failover policies and drills are its own.
pub struct Context<'a> {
    /// The root module directory or plan file.
    pub scope: &'a str,
    pub tiers: &'a TierCatalog,
    /// Module calls of this configuration whose source is not on disk.
    pub unresolved_modules: Vec<&'a UnresolvedModule>,
    resources: Vec<&'a Resource>,
    index: Index<'a>,
}

/// Lookups the rules make for every resource, built once so a run stays linear in the input.
#[derive(Default)]
struct Index<'a> {
    by_type: HashMap<&'a str, Vec<&'a Resource>>,
    /// Configuration key without the scope (`MODULE.TYPE.NAME`) → its instances.
    by_key: HashMap<Cow<'a, str>, Vec<&'a Resource>>,
    /// Address → the instance (for references that name one instance).
    by_address: HashMap<&'a str, &'a Resource>,
    /// Configuration key → (referring resource, argument).
    referrers: HashMap<&'a str, Vec<(&'a Resource, &'a str)>>,
    /// (relation, literal identifier) → the resources on its `from` side that write it.
    by_identifier: HashMap<(RelationKey, String), Vec<&'a Resource>>,
    /// Relations for which some `from` resource's identifier is unknown and unexplained by a
    /// reference, or whose `from` resources are of unknown number.
    unknown_relation: HashSet<RelationKey>,
}

impl<'a> Index<'a> {
    fn build(resources: &[&'a Resource]) -> Index<'a> {
        let mut index = Index::default();
        for &resource in resources {
            let resource_type = resource.resource_type.as_str();
            index
                .by_type
                .entry(resource_type)
                .or_default()
                .push(resource);
            index
                .by_key
                .entry(resource.block_address())
                .or_default()
                .push(resource);
            index.by_address.insert(&resource.address, resource);
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
            for relation in aws::RELATIONS.iter().filter(|r| r.from == resource_type) {
                match resource.get(&[relation.attribute]) {
                    Fact::Known(value) => {
                        if let Some(text) = value.to_string_value() {
                            index
                                .by_identifier
                                .entry((relation.key(), text))
                                .or_default()
                                .push(resource);
                        }
                    }
                    Fact::Unknown if !resource.references.contains_key(relation.attribute) => {
                        index.unknown_relation.insert(relation.key());
                    }
                    _ => {}
                }
                if resource.expansion_unknown {
                    index.unknown_relation.insert(relation.key());
                }
            }
        }
        index
    }
}

impl<'a> Context<'a> {
    pub fn new(
        scope: &'a str,
        resources: Vec<&'a Resource>,
        unresolved_modules: Vec<&'a UnresolvedModule>,
        tiers: &'a TierCatalog,
    ) -> Context<'a> {
        let index = Index::build(&resources);
        Context {
            scope,
            tiers,
            unresolved_modules,
            resources,
            index,
        }
    }

    pub fn judge(&self, resource: &Resource) -> Option<Judgement<'a>> {
        self.tiers.judge(resource)
    }

    /// Every resource of the configuration.
    pub fn resources(&self) -> &[&'a Resource] {
        &self.resources
    }

    /// Every resource of `resource_type`.
    pub fn of_type(&self, resource_type: &str) -> &[&'a Resource] {
        self.index
            .by_type
            .get(resource_type)
            .map_or(&[], Vec::as_slice)
    }

    /// The instances a recorded reference names: one instance (`TYPE.NAME["key"]`, see
    /// `Resource::instance_key`) or every instance of a block (`Resource::config_key`).
    pub fn instances(&self, reference: &str) -> &[&'a Resource] {
        // Every key of this configuration starts with its scope.
        let Some(reference) = reference
            .strip_prefix(self.scope)
            .and_then(|rest| rest.strip_prefix("::"))
        else {
            return &[];
        };
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
    /// The help texts given so far: most repeat (every tier-1 bucket gets the same advice), so
    /// each is kept once.
    pub helps: &'a mut HashSet<Arc<str>>,
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
        // An unknown tier is judged as tier 1 and said so in the message; only the finding's
        // own fact, or the resource's very existence, makes it uncertain.
        let certainty = if resource.expansion_unknown {
            Certainty::Unknown
        } else {
            verdict.certainty
        };
        let header = match &resource.origin {
            Origin::Hcl { header, .. } => Some(header.start),
            Origin::Plan { .. } => None,
        };
        let span = resource.span_for(path);
        let anchors = Anchors::new(header, span.as_ref().map(|span| span.start));
        let help = self.shared_help(help);
        self.findings.push(Finding {
            rule: self.rule,
            severity: verdict.severity,
            certainty,
            address: resource.address.clone(),
            root: resource.scope.clone(),
            file: resource.file(),
            span,
            attribute: path.join(".").into(),
            message: message.into(),
            help,
            tier: judgement.map(|j| j.tier.level),
            anchors,
            baselined: false,
        });
    }
}

impl Reporter<'_> {
    /// Reports on a module call drlint could not read.
    pub fn report_module(
        &mut self,
        call: &UnresolvedModule,
        severity: Severity,
        certainty: Certainty,
        message: String,
        help: String,
    ) {
        let help = self.shared_help(help);
        self.findings.push(Finding {
            rule: self.rule,
            severity,
            certainty,
            address: call.address.clone(),
            root: call.scope.clone(),
            file: call.file,
            span: call.header.clone(),
            attribute: "".into(),
            message: message.into(),
            help,
            tier: None,
            anchors: Anchors::new(call.header.as_ref().map(|span| span.start), None),
            baselined: false,
        });
    }

    fn shared_help(&mut self, help: String) -> Arc<str> {
        if let Some(known) = self.helps.get(help.as_str()) {
            return known.clone();
        }
        let help: Arc<str> = help.into();
        self.helps.insert(help.clone());
        help
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
                finding.message = format!("{} (if {assumption})", finding.message).into();
            }
        }
    }
}

/// Whether `attribute` is written with a value: known also for a value computed from another
/// resource (`aws_db_instance.primary.identifier` is unknown, but certainly set); unknown when
/// it comes from something unknown that may as well be null (a variable with no value, a data
/// source). An empty list is absent.
pub fn presence(resource: &Resource, attribute: &str) -> Fact<()> {
    match resource.get(&[attribute]) {
        Fact::Absent => Fact::Absent,
        Fact::Unknown if resource.references.contains_key(attribute) => Fact::Known(()),
        Fact::Unknown => Fact::Unknown,
        Fact::Known(Value::List(items)) if items.is_empty() => Fact::Absent,
        Fact::Known(_) => Fact::Known(()),
    }
}

/// Runs every rule over each configuration of the model on its own, with the tiers that
/// configuration defines. Findings come out sorted by file, position and code.
pub fn run(model: &Model) -> (Vec<Finding>, ScopedTiers) {
    run_configured(model, &|_| None)
}

/// [`run`] with each configuration's `.drlint.hcl` (by scope): its tiers and tag keys.
pub fn run_configured(
    model: &Model,
    config_of: &dyn Fn(&str) -> Option<std::sync::Arc<crate::config::Config>>,
) -> (Vec<Finding>, ScopedTiers) {
    let mut scopes: IndexMap<&str, (Vec<&Resource>, Vec<&UnresolvedModule>)> = IndexMap::new();
    for resource in &model.resources {
        scopes.entry(&resource.scope).or_default().0.push(resource);
    }
    for call in &model.unresolved_modules {
        scopes.entry(&call.scope).or_default().1.push(call);
    }
    let mut tiers = ScopedTiers::default();
    let mut findings = Vec::new();
    let mut helps = HashSet::new();
    for (scope, (resources, unresolved)) in scopes {
        let config = config_of(scope);
        let catalog = TierCatalog::over(
            TierCatalog::configured(config.as_deref()),
            resources.iter().copied(),
        );
        let cx = Context::new(scope, resources, unresolved, &catalog);
        for info in codes::RULES {
            let mut reporter = Reporter {
                rule: info,
                findings: &mut findings,
                helps: &mut helps,
            };
            let types = info.rule.resource_types();
            for resource in cx.resources() {
                if types.is_empty() || types.contains(&resource.resource_type.as_str()) {
                    info.rule.check_resource(&cx, resource, &mut reporter);
                }
            }
            info.rule.check_model(&cx, &mut reporter);
        }
        drop(cx);
        tiers.insert(scope, catalog);
    }
    // In place: a stable sort would copy half of a large run's findings.
    findings.sort_unstable_by(|a, b| {
        (
            a.file,
            a.span.as_ref().map(|s| s.start),
            a.rule.code,
            &a.address,
            &a.message,
        )
            .cmp(&(
                b.file,
                b.span.as_ref().map(|s| s.start),
                b.rule.code,
                &b.address,
                &b.message,
            ))
    });
    (findings, tiers)
}

/// Tier wording for messages: `tier 1 (mission critical)`, noting an assumed tier.
pub fn tier_phrase(judgement: &Judgement<'_>) -> String {
    use crate::tiers::TierSource;
    let tier = judgement.tier;
    match judgement.source {
        TierSource::Tagged => format!("tier {} ({})", tier.level, tier.name),
        TierSource::Assumed => format!(
            "tier {} ({}, assumed: no valid {} tag)",
            tier.level, tier.name, judgement.tag
        ),
        TierSource::UnknownTag => format!(
            "tier {} ({}, assumed: the {} tag cannot be known statically)",
            tier.level, tier.name, judgement.tag
        ),
    }
}

/// Resources on the `from` side of `relation` that name `target`, by reference or by the same
/// literal identifier.
pub fn related<'a>(cx: &Context<'a>, target: &Resource, relation: &Relation) -> Vec<&'a Resource> {
    let mut found: Vec<&'a Resource> = Vec::new();
    for (candidate, by) in cx.referrers(target) {
        if candidate.resource_type == relation.from
            && by == relation.attribute
            && !found.iter().any(|f| std::ptr::eq(*f, candidate))
        {
            found.push(candidate);
        }
    }
    let identifier = relation
        .identifier
        .and_then(|key| match target.get(&[key]) {
            Fact::Known(value) => value.to_string_value(),
            _ => None,
        });
    if let Some(identifier) = identifier {
        let key = (relation.key(), identifier);
        for candidate in cx.index.by_identifier.get(&key).into_iter().flatten() {
            if !found.iter().any(|f| std::ptr::eq(*f, *candidate)) {
                found.push(candidate);
            }
        }
    }
    found
}

/// Whether a resource could relate to another through `relation` without drlint seeing it:
/// an unknown identifier or an unknown number of instances.
pub fn has_unknown_relation(cx: &Context<'_>, relation: &Relation) -> bool {
    cx.index.unknown_relation.contains(&relation.key())
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
                "{} of {} cannot be known before apply; {} requires it",
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
