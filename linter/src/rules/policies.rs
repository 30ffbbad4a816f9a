//! What `dr_failover_policy` and `dr_drill` resources point at, read through the provider's own
//! attribute names: the tier a policy answers to, the policy a drill exercises.

use dr_vocab::terms::{drill, policy, tier};

use super::Context;
use crate::model::Resource;
use crate::value::Fact;

/// The tier levels of the `dr_tier` resources a policy's `tier` names (`tier =
/// dr_tier.critical`), each known or not; empty when it names none (a plan records the tier
/// object itself, and a tree may write one inline).
fn named_tier_levels(cx: &Context<'_>, policy: &Resource) -> Vec<Fact<f64>> {
    policy
        .references
        .get(policy::TIER.name)
        .into_iter()
        .flatten()
        .flat_map(|key| cx.instances(key))
        .filter(|found| found.resource_type == tier::TYPE)
        .map(|found| found.get(&[tier::LEVEL.name]).number())
        .collect()
}

/// The level of the tier `policy` answers to: absent when it names no tier, unknown when the
/// tier or its level cannot be known (or it names several tiers of different levels).
pub fn tier_level(cx: &Context<'_>, policy: &Resource) -> Fact<u8> {
    let as_level = |level: f64| {
        (level.fract() == 0.0 && (0.0..=f64::from(u8::MAX)).contains(&level)).then_some(level as u8)
    };
    let named = named_tier_levels(cx, policy);
    if !named.is_empty() {
        let mut levels = named.into_iter();
        let first = levels.next().unwrap_or(Fact::Unknown);
        return if levels.all(|level| level == first) {
            first.and_then(as_level)
        } else {
            Fact::Unknown
        };
    }
    match policy.get(&[policy::TIER.name]) {
        Fact::Absent => Fact::Absent,
        Fact::Known(_) => policy
            .get(&[policy::TIER.name, tier::LEVEL.name])
            .number()
            .and_then(as_level),
        Fact::Unknown => Fact::Unknown,
    }
}

/// Whether `policy` covers tier `level`: `Some(true)`/`Some(false)`, `None` when its tier
/// cannot be known. A policy without a tier is taken to cover every tier.
pub fn covers(cx: &Context<'_>, policy: &Resource, level: u8) -> Option<bool> {
    let level_of = |value: Fact<f64>| match value {
        Fact::Known(found) => Some(found == f64::from(level)),
        _ => None,
    };
    let named = named_tier_levels(cx, policy);
    if !named.is_empty() {
        let verdicts: Vec<Option<bool>> = named.into_iter().map(level_of).collect();
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

/// The one resource of `resource_type` that `resource`'s `attribute` names by reference, as in
/// `policy = dr_failover_policy.payments`.
pub fn named<'a>(
    cx: &Context<'a>,
    resource: &Resource,
    attribute: &str,
    resource_type: &str,
) -> Option<&'a Resource> {
    let mut found = resource
        .references
        .get(attribute)?
        .iter()
        .flat_map(|key| cx.instances(key))
        .filter(|target| target.resource_type == resource_type);
    let first = found.next()?;
    found.next().is_none().then_some(*first)
}

/// The failover policy a drill exercises: the policy resource its `policy` names in a tree, or
/// in a plan (which records the policy object) the policy of the same configuration with that
/// object's `id` or `name`.
pub fn drill_policy<'a>(cx: &Context<'a>, drill: &Resource) -> Option<&'a Resource> {
    if let Some(found) = named(cx, drill, drill::POLICY.name, policy::TYPE) {
        return Some(found);
    }
    for key in [policy::ID.name, policy::NAME.name] {
        let Fact::Known(wanted) = drill.get(&[drill::POLICY.name, key]).string() else {
            continue;
        };
        let mut matching = cx
            .of_type(policy::TYPE)
            .iter()
            .filter(|candidate| candidate.get(&[key]).string() == Fact::Known(wanted.clone()));
        if let (Some(found), None) = (matching.next(), matching.next()) {
            return Some(found);
        }
    }
    None
}
