//! What `dr_failover_policy` resources cover, read through the provider's own attribute names.

use dr_vocab::terms::{policy, tier};

use super::Context;
use crate::model::Resource;
use crate::value::Fact;

/// Whether `policy` covers tier `level`: `Some(true)`/`Some(false)`, `None` when its tier
/// cannot be known. A policy without a tier is taken to cover every tier.
pub fn covers(cx: &Context<'_>, policy: &Resource, level: u8) -> Option<bool> {
    let level_of = |value: Fact<f64>| match value {
        Fact::Known(found) => Some(found == f64::from(level)),
        _ => None,
    };
    // `tier = dr_tier.critical`: the tier resource it names.
    let named: Vec<&Resource> = policy
        .references
        .get(policy::TIER.name)
        .into_iter()
        .flatten()
        .flat_map(|key| cx.instances(key))
        .filter(|found| found.resource_type == tier::TYPE)
        .copied()
        .collect();
    if !named.is_empty() {
        let verdicts: Vec<Option<bool>> = named
            .iter()
            .map(|found| level_of(found.get(&[tier::LEVEL.name]).number()))
            .collect();
        return if verdicts.contains(&Some(true)) {
            Some(true)
        } else if verdicts.iter().all(|v| *v == Some(false)) {
            Some(false)
        } else {
            None
        };
    }
    match policy.get(&[policy::TIER.name]) {
        Fact::Absent => Some(true),
        // In plans the tier is the tier object itself, as the provider's schema types it.
        Fact::Known(_) => level_of(policy.get(&[policy::TIER.name, tier::LEVEL.name]).number()),
        Fact::Unknown => None,
    }
}
