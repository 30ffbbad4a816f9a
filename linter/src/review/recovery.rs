//! Failover policies and drills as the review shows them: what each policy promises, the tier
//! it answers to, and where its drills stand. Read through the provider's attribute names in
//! dr-vocab and the same lookups the rules make, so the review and DR701/DR702 agree.

use indexmap::IndexMap;

use dr_vocab::terms::{drill as drill_term, policy as policy_term};
use dr_vocab::Mode;

use crate::check::CheckRun;
use crate::model::Resource;
use crate::rules::policies::{drill_policy, tier_level};
use crate::rules::{drill_reading, Context};
use crate::value::Fact;

/// A `dr_failover_policy` instance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyReview {
    pub address: String,
    pub root: String,
    /// Its `name`, or its address when the name is not known.
    pub name: String,
    pub primary_region: String,
    pub secondary_region: String,
    pub strategy: String,
    pub mode: String,
    /// The tier level it answers to: absent when it names none, unknown when that cannot be
    /// known.
    pub tier: Fact<u8>,
    pub drills: Vec<DrillReview>,
}

/// A `dr_drill` instance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DrillReview {
    pub address: String,
    pub root: String,
    /// The name of the policy it exercises.
    pub policy: String,
    pub scenario: String,
    pub status: String,
    pub executed_at: String,
    pub next_due_at: String,
}

/// What a value reads as in the review.
pub const UNKNOWN: &str = "(unknown)";
pub const ABSENT: &str = "—";

fn text(resource: &Resource, key: &str) -> String {
    match resource.get(&[key]) {
        Fact::Known(value) => value.to_string_value().unwrap_or_else(|| value.to_string()),
        Fact::Unknown => UNKNOWN.to_owned(),
        Fact::Absent => ABSENT.to_owned(),
    }
}

/// Policies and drills of a run.
pub(super) struct Recovery {
    /// Policies with a known tier level, with that level.
    pub policies: Vec<(u8, PolicyReview)>,
    /// Policies without a known tier.
    pub untiered: Vec<PolicyReview>,
    pub unlinked_drills: Vec<DrillReview>,
}

pub(super) fn collect(run: &CheckRun, display: &dyn Fn(&str) -> String) -> Recovery {
    let mut recovery = Recovery {
        policies: Vec::new(),
        untiered: Vec::new(),
        unlinked_drills: Vec::new(),
    };
    let mut scopes: IndexMap<&str, Vec<&Resource>> = IndexMap::new();
    for resource in &run.model.resources {
        scopes.entry(&resource.scope).or_default().push(resource);
    }
    for (scope, resources) in scopes {
        let uses_policies = resources
            .iter()
            .any(|r| r.resource_type == policy_term::TYPE || r.resource_type == drill_term::TYPE);
        if !uses_policies {
            continue;
        }
        let root = display(scope);
        let cx = Context::new(scope, resources, Vec::new(), run.tiers.of(scope));
        let mut policies: Vec<(&Resource, PolicyReview)> = cx
            .of_type(policy_term::TYPE)
            .iter()
            .map(|policy| {
                let name = match policy.get(&[policy_term::NAME.name]).string() {
                    Fact::Known(name) => name,
                    _ => policy.address.to_string(),
                };
                let mode = match policy.get(&[policy_term::MODE.name]) {
                    Fact::Absent => format!("{} (default)", Mode::Manual.name()),
                    _ => text(policy, policy_term::MODE.name),
                };
                let review = PolicyReview {
                    address: policy.address.to_string(),
                    root: root.clone(),
                    name,
                    primary_region: text(policy, policy_term::PRIMARY_REGION.name),
                    secondary_region: text(policy, policy_term::SECONDARY_REGION.name),
                    strategy: text(policy, policy_term::STRATEGY.name),
                    mode,
                    tier: tier_level(&cx, policy),
                    drills: Vec::new(),
                };
                (*policy, review)
            })
            .collect();
        for drill in cx.of_type(drill_term::TYPE) {
            let reading = drill_reading(&cx, drill);
            let policy = drill_policy(&cx, drill);
            let mut review = DrillReview {
                address: drill.address.to_string(),
                root: root.clone(),
                policy: String::new(),
                scenario: text(drill, drill_term::SCENARIO.name),
                status: reading
                    .status
                    .map_or_else(|| UNKNOWN.to_owned(), |s| s.name().to_owned()),
                executed_at: match drill.get(&[drill_term::EXECUTED_AT.name]) {
                    Fact::Absent => "never".to_owned(),
                    _ => text(drill, drill_term::EXECUTED_AT.name),
                },
                next_due_at: reading.next_due_at.unwrap_or_else(|| {
                    match drill.get(&[drill_term::NEXT_DUE_AT.name]) {
                        Fact::Known(_) => text(drill, drill_term::NEXT_DUE_AT.name),
                        _ => UNKNOWN.to_owned(),
                    }
                }),
            };
            let owner = policy.and_then(|policy| {
                policies
                    .iter_mut()
                    .find(|(candidate, _)| std::ptr::eq(*candidate, policy))
            });
            match owner {
                Some((_, owner)) => {
                    review.policy = owner.name.clone();
                    owner.drills.push(review);
                }
                None => {
                    review.policy = match drill
                        .get(&[drill_term::POLICY.name, policy_term::NAME.name])
                        .string()
                    {
                        Fact::Known(name) => name,
                        _ => UNKNOWN.to_owned(),
                    };
                    recovery.unlinked_drills.push(review);
                }
            }
        }
        for (_, policy) in policies {
            match policy.tier {
                Fact::Known(level) => recovery.policies.push((level, policy)),
                _ => recovery.untiered.push(policy),
            }
        }
    }
    recovery
}
