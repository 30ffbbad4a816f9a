//! Which DR tier each resource answers to.
//!
//! Tier definitions start as dr-vocab's defaults; `dr_tier` resources in the input redefine the
//! objective of their level. A resource's tier comes from its effective `dr-tier` tag; a resource
//! without one is judged as tier 1 ("unknown criticality is critical until declared").

use dr_vocab::{
    parse_duration, Need, RecoveryObjective, TierRequirements, DEFAULT_TIERS, TAG_DR_TIER,
};

use crate::model::{Model, Resource};
use crate::value::Lookup;

/// A tier in force for this run.
#[derive(Debug, Clone, PartialEq)]
pub struct Tier {
    pub level: u8,
    pub name: String,
    pub objective: RecoveryObjective,
    pub requirements: TierRequirements,
    /// The `dr_tier` resource that declared it, when one did.
    pub declared_by: Option<String>,
}

/// The tiers in force: defaults, overridden by `dr_tier` resources.
#[derive(Debug, Clone)]
pub struct TierCatalog {
    tiers: Vec<Tier>,
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
        }
    }
}

impl TierCatalog {
    /// Defaults plus every `dr_tier` resource whose level is known. A declared level without a
    /// default takes the requirements of the nearest default level below it.
    pub fn from_model(model: &Model) -> TierCatalog {
        let mut catalog = TierCatalog::default();
        for resource in model.of_type("dr_tier") {
            let Some(Some(level)) = resource.get(&["level"]).number() else {
                continue;
            };
            if !(1.0..=255.0).contains(&level) || level.fract() != 0.0 {
                continue;
            }
            let level = level as u8;
            let base = catalog
                .tiers
                .iter()
                .filter(|tier| tier.level <= level)
                .max_by_key(|tier| tier.level)
                .or_else(|| catalog.tiers.first())
                .cloned();
            let Some(mut tier) = base else { continue };
            tier.level = level;
            if let Some(Some(name)) = resource.get(&["name"]).string() {
                tier.name = name;
            }
            let seconds = |key: &str| match resource.get(&[key]).string() {
                Some(Some(text)) => parse_duration(&text).ok(),
                _ => None,
            };
            if let Some(rto) = seconds("rto") {
                tier.objective.rto_seconds = rto;
            }
            if let Some(rpo) = seconds("rpo") {
                tier.objective.rpo_seconds = rpo;
            }
            tier.declared_by = Some(resource.address.clone());
            catalog.tiers.retain(|existing| existing.level != level);
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
    /// The tag's value cannot be known statically: judged as the strictest tier, uncertainly.
    UnknownTag,
}

/// The tier a resource is judged by.
#[derive(Debug, Clone, Copy)]
pub struct Judgement<'a> {
    pub tier: &'a Tier,
    pub source: TierSource,
}

impl Judgement<'_> {
    pub fn certainty(&self) -> Certainty {
        match self.source {
            TierSource::UnknownTag => Certainty::Unknown,
            _ => Certainty::Definite,
        }
    }
}

impl TierCatalog {
    pub fn judge(&self, resource: &Resource) -> Option<Judgement<'_>> {
        let assumed = |source| self.strictest().map(|tier| Judgement { tier, source });
        match resource.tag(TAG_DR_TIER) {
            Lookup::Unknown => assumed(TierSource::UnknownTag),
            Lookup::NotSet => assumed(TierSource::Assumed),
            Lookup::Known(value) => {
                let tier = value
                    .to_string_value()
                    .and_then(|text| text.trim().parse::<u8>().ok())
                    .and_then(|level| self.get(level));
                match tier {
                    Some(tier) => Some(Judgement {
                        tier,
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
