//! Which DR tier each resource answers to.
//!
//! Tier definitions start as dr-vocab's defaults; `dr_tier` resources in the input redefine the
//! objective of their level. A resource's tier comes from its effective `dr-tier` tag; a resource
//! without one is judged as tier 1 ("unknown criticality is critical until declared").

use std::sync::Arc;

use dr_vocab::terms::tier as tier_term;
use dr_vocab::{
    format_duration, parse_duration, Need, RecoveryObjective, TierRequirements, DEFAULT_TIERS,
    TIER_LEVELS,
};

use crate::config::{Config, TagKeys};

use crate::model::Resource;
use crate::value::Fact;

/// A tier in force for this run.
#[derive(Debug, Clone, PartialEq)]
pub struct Tier {
    pub level: u8,
    pub name: String,
    pub objective: RecoveryObjective,
    pub requirements: TierRequirements,
    /// The `dr_tier` resource that declared it, when one did.
    pub declared_by: Option<Arc<str>>,
}

/// The tiers in force in one configuration: defaults, overridden by its `dr_tier` resources.
#[derive(Debug, Clone)]
pub struct TierCatalog {
    tiers: Vec<Tier>,
    conflicts: Vec<TierConflict>,
    /// The tag keys a resource's tier and stated RTO are read from.
    tags: TagKeys,
}

/// Two `dr_tier` declarations of one configuration that contradict each other.
#[derive(Debug, Clone, PartialEq)]
pub struct TierConflict {
    /// Instance addresses of the two declarations, in the order they were read.
    pub first: Arc<str>,
    pub second: Arc<str>,
    pub reason: String,
}

impl Default for TierCatalog {
    fn default() -> Self {
        TierCatalog {
            tiers: DEFAULT_TIERS
                .iter()
                .map(|definition| Tier {
                    level: definition.level,
                    name: definition.name.to_owned(),
                    objective: definition.objective,
                    requirements: definition.requirements,
                    declared_by: None,
                })
                .collect(),
            conflicts: Vec::new(),
            tags: TagKeys::default(),
        }
    }
}

impl TierCatalog {
    /// The defaults with a `.drlint.hcl`'s tiers and tag keys over them. A level the defaults
    /// lack starts from the requirements of the nearest level below it.
    pub fn configured(config: Option<&Config>) -> TierCatalog {
        let mut catalog = TierCatalog::default();
        let Some(config) = config else {
            return catalog;
        };
        catalog.tags = config.tags.clone();
        for change in &config.tiers {
            let base = catalog
                .tiers
                .iter()
                .filter(|tier| tier.level <= change.level)
                .max_by_key(|tier| tier.level)
                .or_else(|| catalog.tiers.first())
                .cloned();
            let Some(mut tier) = base else { continue };
            if tier.level != change.level {
                tier.level = change.level;
                tier.name = format!("tier {}", change.level);
            }
            change.apply(&mut tier);
            catalog.tiers.retain(|known| known.level != change.level);
            catalog.tiers.push(tier);
        }
        catalog.tiers.sort_by_key(|tier| tier.level);
        catalog
    }

    /// The tag keys of this configuration.
    pub fn tags(&self) -> &TagKeys {
        &self.tags
    }
}

/// What one `dr_tier` resource declares, where it is known.
struct Declaration<'a> {
    resource: &'a Resource,
    level: u8,
    name: Option<String>,
    rto: Option<u64>,
    rpo: Option<u64>,
}

fn declaration(resource: &Resource) -> Option<Declaration<'_>> {
    let Fact::Known(level) = resource.get(&[tier_term::LEVEL.name]).number() else {
        return None;
    };
    // Levels the provider refuses declare nothing (DR-level rules report the bad value).
    let levels = f64::from(*TIER_LEVELS.start())..=f64::from(*TIER_LEVELS.end());
    if !levels.contains(&level) || level.fract() != 0.0 {
        return None;
    }
    let seconds = |key: &str| match resource.get(&[key]).string() {
        Fact::Known(text) => parse_duration(&text).ok(),
        _ => None,
    };
    Some(Declaration {
        resource,
        level: level as u8,
        name: match resource.get(&[tier_term::NAME.name]).string() {
            Fact::Known(name) => Some(name),
            _ => None,
        },
        rto: seconds(tier_term::RTO.name),
        rpo: seconds(tier_term::RPO.name),
    })
}

fn objective_text(rto: Option<u64>, rpo: Option<u64>) -> String {
    let text = |seconds: Option<u64>| seconds.map_or("?".to_owned(), format_duration);
    format!("RTO {} / RPO {}", text(rto), text(rpo))
}

impl TierCatalog {
    /// Defaults plus every `dr_tier` resource of one configuration whose level is known. A
    /// declared level without a default takes the requirements of the nearest default level
    /// below it. Declarations that contradict each other (one name twice, one level with two
    /// objectives) are recorded as conflicts, and the stricter objective is kept.
    pub fn from_resources<'a>(resources: impl IntoIterator<Item = &'a Resource>) -> TierCatalog {
        TierCatalog::over(TierCatalog::default(), resources)
    }

    /// [`from_resources`](Self::from_resources) over `base` instead of the defaults.
    pub fn over<'a>(
        base: TierCatalog,
        resources: impl IntoIterator<Item = &'a Resource>,
    ) -> TierCatalog {
        let mut catalog = base;
        let declarations: Vec<Declaration<'_>> = resources
            .into_iter()
            .filter(|resource| resource.resource_type == tier_term::TYPE)
            .filter_map(declaration)
            .collect();
        for (index, later) in declarations.iter().enumerate() {
            for earlier in &declarations[..index] {
                let reason = if later.name.is_some() && later.name == earlier.name {
                    Some(format!(
                        "both declare the tier named {:?}",
                        later.name.as_deref().unwrap_or_default()
                    ))
                } else if later.level == earlier.level
                    && (later.rto != earlier.rto || later.rpo != earlier.rpo)
                {
                    Some(format!(
                        "both declare tier level {} with different objectives ({} and {})",
                        later.level,
                        objective_text(earlier.rto, earlier.rpo),
                        objective_text(later.rto, later.rpo)
                    ))
                } else {
                    None
                };
                if let Some(reason) = reason {
                    catalog.conflicts.push(TierConflict {
                        first: earlier.resource.address.clone(),
                        second: later.resource.address.clone(),
                        reason,
                    });
                }
            }
        }
        for declared in &declarations {
            let level = declared.level;
            let existing = catalog
                .tiers
                .iter()
                .find(|tier| tier.level == level && tier.declared_by.is_some())
                .cloned();
            let base = catalog
                .tiers
                .iter()
                .filter(|tier| tier.level <= level)
                .max_by_key(|tier| tier.level)
                .or_else(|| catalog.tiers.first())
                .cloned();
            let Some(mut tier) = base else { continue };
            tier.level = level;
            if let Some(name) = &declared.name {
                tier.name = name.clone();
            }
            if let Some(rto) = declared.rto {
                tier.objective.rto_seconds = rto;
            }
            if let Some(rpo) = declared.rpo {
                tier.objective.rpo_seconds = rpo;
            }
            if let Some(existing) = existing {
                // Two declarations of one level: the stricter promise holds.
                tier.objective.rto_seconds = tier
                    .objective
                    .rto_seconds
                    .min(existing.objective.rto_seconds);
                tier.objective.rpo_seconds = tier
                    .objective
                    .rpo_seconds
                    .min(existing.objective.rpo_seconds);
                tier.name = existing.name;
                tier.declared_by = existing.declared_by;
            } else {
                tier.declared_by = Some(declared.resource.address.clone());
            }
            catalog.tiers.retain(|tier| tier.level != level);
            catalog.tiers.push(tier);
        }
        catalog.tiers.sort_by_key(|tier| tier.level);
        catalog
    }

    pub fn get(&self, level: u8) -> Option<&Tier> {
        self.tiers.iter().find(|tier| tier.level == level)
    }

    pub fn levels(&self) -> impl Iterator<Item = &Tier> {
        self.tiers.iter()
    }

    /// The tier resources are judged by when their own is not declared.
    pub fn strictest(&self) -> Option<&Tier> {
        self.tiers.first()
    }

    /// Contradicting `dr_tier` declarations.
    pub fn conflicts(&self) -> &[TierConflict] {
        &self.conflicts
    }
}

/// The tier catalog of every configuration of a run (root modules and plans).
#[derive(Debug, Clone, Default)]
pub struct ScopedTiers {
    by_scope: Vec<(String, TierCatalog)>,
    default: TierCatalog,
}

impl ScopedTiers {
    pub fn insert(&mut self, scope: &str, catalog: TierCatalog) {
        self.by_scope.push((scope.to_owned(), catalog));
    }

    /// The catalog of `scope` (the defaults for a scope without resources).
    pub fn of(&self, scope: &str) -> &TierCatalog {
        self.by_scope
            .iter()
            .find(|(name, _)| name == scope)
            .map_or(&self.default, |(_, catalog)| catalog)
    }

    /// Every configuration's catalog, in the order the configurations were read.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &TierCatalog)> {
        self.by_scope
            .iter()
            .map(|(scope, catalog)| (scope.as_str(), catalog))
    }

    /// The tier `resource` is judged by, in its own configuration.
    pub fn judge(&self, resource: &Resource) -> Option<Judgement<'_>> {
        self.of(&resource.scope).judge(resource)
    }
}

/// Whether a finding is certain or rests on something that cannot be known statically.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Certainty {
    Definite,
    Unknown,
}

impl Certainty {
    pub fn name(self) -> &'static str {
        match self {
            Certainty::Definite => "definite",
            Certainty::Unknown => "unknown",
        }
    }

    /// Unknown wins: a conclusion is only as certain as its least certain input.
    pub fn and(self, other: Certainty) -> Certainty {
        self.max(other)
    }
}

/// How a resource's tier was decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TierSource {
    /// From a valid `dr-tier` tag.
    Tagged,
    /// No (valid) tag: judged as the strictest tier.
    Assumed,
    /// The tag's value cannot be known statically: judged as the strictest tier (a gap that is
    /// itself certain stays a definite finding, whose message says the tier was assumed).
    UnknownTag,
}

/// The tier a resource is judged by.
#[derive(Debug, Clone, Copy)]
pub struct Judgement<'a> {
    pub tier: &'a Tier,
    pub source: TierSource,
    /// The tag key the tier is read from (`dr-tier` unless configured).
    pub tag: &'a str,
}

impl TierCatalog {
    pub fn judge(&self, resource: &Resource) -> Option<Judgement<'_>> {
        let tag = &*self.tags.tier;
        let assumed = |source| self.strictest().map(|tier| Judgement { tier, source, tag });
        match resource.tag(tag) {
            Fact::Unknown => assumed(TierSource::UnknownTag),
            Fact::Absent => assumed(TierSource::Assumed),
            Fact::Known(value) => {
                let tier = value
                    .to_string_value()
                    .and_then(|text| text.trim().parse::<u8>().ok())
                    .and_then(|level| self.get(level));
                match tier {
                    Some(tier) => Some(Judgement {
                        tier,
                        tag,
                        source: TierSource::Tagged,
                    }),
                    None => assumed(TierSource::Assumed),
                }
            }
        }
    }
}

/// A finding's severity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    Note,
    Warning,
    Error,
}

impl Severity {
    pub fn name(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Note => "note",
        }
    }

    /// What missing a property costs at a tier that has this need of it; `None` when the tier
    /// does not ask for it.
    pub fn for_need(need: Need) -> Option<Severity> {
        match need {
            Need::Required => Some(Severity::Error),
            Need::Recommended => Some(Severity::Warning),
            Need::NotNeeded => None,
        }
    }
}

impl std::str::FromStr for Severity {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text {
            "error" => Ok(Severity::Error),
            "warning" => Ok(Severity::Warning),
            "note" => Ok(Severity::Note),
            other => Err(format!(
                "{other:?} is not a severity: use error, warning or note"
            )),
        }
    }
}
