//! `dr_drill`: a rehearsal of a failover policy, judged against its tier at every plan.

use std::collections::BTreeMap;

use dr_vocab::drill::default_frequency_seconds;
use dr_vocab::terms::drill as term;
use dr_vocab::{assess, format_timestamp, DrillRecord, DrillStatus, Scenario, UnixSeconds};

use super::policy::{policy_object_type, PolicyConfig};
use crate::context::Context;
use crate::schema::{
    async_trait, cap, has_errors, validate, Arg, Args, AttributeSchema, BlockSchema, Check,
    Diagnostic, Planned, Presence, Resource,
};
use crate::value::{Number, Type, Value};

const SCENARIO_NAMES: &[&str] = &[
    "region_outage",
    "az_outage",
    "database_failover",
    "replication_lag",
    "missing_secret",
    "duplicate_replay",
    "recovery_access",
];

/// How far in the future `executed_at` may lie before it is taken for a mistake (clock skew
/// between the person recording it and the machine planning).
const FUTURE_TOLERANCE_SECONDS: i64 = 300;

/// The session name recovery-access drills assume the role with, as CloudTrail records it.
pub const ACCESS_SESSION_NAME: &str = "terraform-provider-dr-drill";

pub struct DrillResource {
    schema: BlockSchema,
}

impl DrillResource {
    pub fn new() -> Self {
        use Presence::*;
        let attributes = vec![
            AttributeSchema::term(term::POLICY, policy_object_type(), Required),
            AttributeSchema::term(term::SCENARIO, Type::String, Required)
                .check(Check::OneOf(SCENARIO_NAMES))
                .forces_replacement(),
            AttributeSchema::term(term::FREQUENCY, Type::String, Optional).check(Check::Duration),
            AttributeSchema::term(term::EXECUTED_AT, Type::String, Optional)
                .check(Check::Timestamp),
            AttributeSchema::term(term::OBSERVED_RTO, Type::String, Optional)
                .check(Check::Duration),
            AttributeSchema::term(term::OBSERVED_RPO, Type::String, Optional)
                .check(Check::Duration),
            AttributeSchema::term(term::TRIGGERS, Type::map(Type::String), Optional),
            AttributeSchema::term(term::ID, Type::String, Computed),
            AttributeSchema::term(term::DECLARED_AT, Type::String, Computed),
            AttributeSchema::term(term::NEXT_DUE_AT, Type::String, Computed),
            AttributeSchema::term(term::STATUS, Type::String, Computed),
            AttributeSchema::term(term::RTO_MET, Type::Bool, Computed),
            AttributeSchema::term(term::RPO_MET, Type::Bool, Computed),
            AttributeSchema::term(term::ACCESS_VERIFIED_AT, Type::String, Computed),
            AttributeSchema::term(term::ACCESS_SECONDS, Type::Number, Computed),
        ];
        DrillResource {
            schema: BlockSchema {
                type_name: term::TYPE,
                version: 0,
                description: term::SUMMARY,
                attributes,
                blocks: Vec::new(),
            },
        }
    }
}

impl Default for DrillResource {
    fn default() -> Self {
        Self::new()
    }
}

/// A drill as configuration gives it, its checks passed.
struct DrillConfig<'a> {
    policy: PolicyConfig<'a>,
    /// Whether the policy object itself is unknown (behind an expression known only at apply).
    policy_unknown: bool,
    scenario: Arg<Scenario>,
    scenario_name: Arg<&'a str>,
    frequency: Arg<u64>,
    executed_at: Arg<UnixSeconds>,
    observed_rto: Arg<u64>,
    observed_rpo: Arg<u64>,
    triggers: &'a Value,
}

impl<'a> DrillConfig<'a> {
    fn read(config: &'a Value) -> DrillConfig<'a> {
        let policy = config.attribute(term::POLICY.name);
        DrillConfig {
            policy: PolicyConfig::read(policy),
            policy_unknown: policy.is_unknown(),
            scenario: config.named(term::SCENARIO.name),
            scenario_name: config.text(term::SCENARIO.name),
            frequency: config.duration(term::FREQUENCY.name),
            executed_at: config.timestamp(term::EXECUTED_AT.name),
            observed_rto: config.duration(term::OBSERVED_RTO.name),
            observed_rpo: config.duration(term::OBSERVED_RPO.name),
            triggers: config.attribute(term::TRIGGERS.name),
        }
    }

    /// The frequency in force: the configured one, else the tier's default.
    fn frequency_seconds(&self) -> Arg<u64> {
        match self.frequency {
            Arg::Unset => self.policy.tier.level.map(default_frequency_seconds),
            given => given,
        }
    }
}

/// An optional argument as the assessment needs it: `None` while unknown.
fn optional<T>(arg: Arg<T>) -> Option<Option<T>> {
    match arg {
        Arg::Unset => Some(None),
        Arg::Known(value) => Some(Some(value)),
        Arg::Unknown => None,
    }
}

fn cross_checks(config: &Value, now: Option<UnixSeconds>) -> Vec<Diagnostic> {
    let drill = DrillConfig::read(config);
    let mut found = Vec::new();
    for (observed, arg) in [
        (term::OBSERVED_RTO, drill.observed_rto),
        (term::OBSERVED_RPO, drill.observed_rpo),
    ] {
        if !matches!(arg, Arg::Unset) && matches!(drill.executed_at, Arg::Unset) {
            found.push(
                Diagnostic::error(
                    format!("{} without executed_at", observed.name),
                    format!("{} records what a run observed; set executed_at to when that run happened.", observed.name),
                )
                .at(observed.name),
            );
        }
    }
    if let (Arg::Known(at), Some(now)) = (drill.executed_at, now) {
        if at > now + FUTURE_TOLERANCE_SECONDS {
            found.push(
                Diagnostic::error(
                    "executed_at is in the future",
                    format!(
                        "executed_at is {}, later than now ({}): a drill can only be recorded after it ran. Check the date and the time zone offset.",
                        format_timestamp(at),
                        format_timestamp(now)
                    ),
                )
                .at(term::EXECUTED_AT.name),
            );
        }
    }
    if drill.scenario == Arg::Known(Scenario::RecoveryAccess)
        && matches!(drill.policy.recovery_role_arn, Arg::Unset)
        && !drill.policy_unknown
    {
        found.push(
            Diagnostic::error(
                "recovery_access needs a recovery role",
                "A recovery_access drill assumes the policy's recovery_role_arn in its secondary region; set recovery_role_arn on the dr_failover_policy.",
            )
            .at(term::SCENARIO.name),
        );
    }
    found
}

fn timestamp_value(at: UnixSeconds) -> Value {
    Value::string(format_timestamp(at))
}

/// When computed values are being decided: while planning, or applying.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    Plan,
    Apply,
}

/// The drill's computed attributes at `now`, from `config` and the `prior` state.
///
/// Terraform plans a resource again while applying and refuses any known value that changed,
/// so nothing known at plan may depend on the instant of the call except the status itself
/// (which moves only forward, scheduled or passed or failed to overdue): `declared_at` is
/// stamped at apply and kept from then on.
fn with_computed(now: UnixSeconds, phase: Phase, prior: &Value, config: &Value) -> Value {
    let Value::Object(attributes) = config else {
        return config.clone();
    };
    let drill = DrillConfig::read(config);
    let mut state = attributes.clone();
    let mut set = |name: &str, value: Value| {
        state.insert(name.to_owned(), value);
    };

    set(
        term::ID.name,
        match (drill.policy.name, drill.scenario_name) {
            (Arg::Known(policy), Arg::Known(scenario)) => {
                Value::string(format!("{policy}/{scenario}"))
            }
            _ => Value::Unknown,
        },
    );
    let declared_at = match (prior.timestamp(term::DECLARED_AT.name), phase) {
        (Arg::Known(at), _) => Some(at),
        (_, Phase::Apply) => Some(now),
        (_, Phase::Plan) => None,
    };
    set(
        term::DECLARED_AT.name,
        declared_at.map_or(Value::Unknown, timestamp_value),
    );

    let executed_at = optional(drill.executed_at);
    let record = (|| {
        Some(DrillRecord {
            // Only a drill never executed falls due from when it was declared.
            declared_at: match executed_at? {
                Some(at) => at,
                None => declared_at?,
            },
            executed_at: executed_at?,
            frequency_seconds: drill.frequency_seconds().known()?,
            observed_rto_seconds: optional(drill.observed_rto)?,
            observed_rpo_seconds: optional(drill.observed_rpo)?,
        })
    })();
    match record.zip(drill.policy.tier.objective()) {
        Some((record, objective)) => {
            let judged = assess(&record, objective, now);
            set(term::NEXT_DUE_AT.name, timestamp_value(judged.next_due_at));
            set(term::STATUS.name, Value::string(judged.status.name()));
            set(
                term::RTO_MET.name,
                judged.rto_met.map_or(Value::Null, Value::Bool),
            );
            set(
                term::RPO_MET.name,
                judged.rpo_met.map_or(Value::Null, Value::Bool),
            );
        }
        // A drill never run, planned for the first time, is scheduled: it falls due a
        // frequency after the apply that declares it.
        None if executed_at == Some(None) && declared_at.is_none() => {
            set(term::NEXT_DUE_AT.name, Value::Unknown);
            set(
                term::STATUS.name,
                Value::string(DrillStatus::Scheduled.name()),
            );
            set(term::RTO_MET.name, Value::Null);
            set(term::RPO_MET.name, Value::Null);
        }
        None => {
            for unknown in [
                term::NEXT_DUE_AT,
                term::STATUS,
                term::RTO_MET,
                term::RPO_MET,
            ] {
                set(unknown.name, Value::Unknown);
            }
        }
    }

    let access = [term::ACCESS_VERIFIED_AT, term::ACCESS_SECONDS];
    match drill.scenario {
        Arg::Known(scenario) if scenario.is_active() => {
            let triggers_changed = prior.attribute(term::TRIGGERS.name) != drill.triggers;
            for attribute in access {
                let kept = prior.attribute(attribute.name);
                let value = if prior.is_null() || triggers_changed || kept.is_null() {
                    // Runs at apply.
                    Value::Unknown
                } else {
                    kept.clone()
                };
                set(attribute.name, value);
            }
        }
        Arg::Known(_) => access.iter().for_each(|a| set(a.name, Value::Null)),
        _ => access.iter().for_each(|a| set(a.name, Value::Unknown)),
    }
    Value::Object(state)
}

/// Fills what `planned` left unknown: computed attributes that depended on values only known
/// now, and the result of a recovery-access run.
async fn settle(cx: &Context, prior: &Value, planned: &Value) -> Result<Value, Vec<Diagnostic>> {
    let computed = with_computed(cx.now, Phase::Apply, prior, planned);
    let (Value::Object(planned_attributes), Value::Object(computed)) = (planned, computed) else {
        return Ok(planned.clone());
    };
    let mut state: BTreeMap<String, Value> = planned_attributes.clone();
    for (name, value) in computed {
        if state.get(&name).is_none_or(Value::is_unknown) && !value.is_unknown() {
            state.insert(name, value);
        }
    }
    let access_due = state
        .get(term::ACCESS_VERIFIED_AT.name)
        .is_some_and(Value::is_unknown);
    if access_due {
        let policy = PolicyConfig::read(planned.attribute(term::POLICY.name));
        let (Arg::Known(role), Arg::Known(region)) =
            (policy.recovery_role_arn, policy.secondary_region)
        else {
            return Err(vec![Diagnostic::error(
                "recovery_access needs a recovery role",
                "The policy's recovery_role_arn and secondary_region must be known when the drill runs.",
            )]);
        };
        let proof = cx
            .cloud
            .assume_recovery_role(role, region, ACCESS_SESSION_NAME)
            .await
            .map_err(|message| {
                vec![Diagnostic::error(
                    "Recovery access drill failed",
                    format!("Assuming {role} in {region} failed: {message}"),
                )
                .at(term::SCENARIO.name)]
            })?;
        state.insert(
            term::ACCESS_VERIFIED_AT.name.to_owned(),
            timestamp_value(proof.succeeded_at),
        );
        let seconds = Number::from_f64((proof.took.as_secs_f64() * 1000.0).round() / 1000.0)
            .unwrap_or_else(|| Number::from_u64(proof.took.as_secs()));
        state.insert(term::ACCESS_SECONDS.name.to_owned(), Value::Number(seconds));
    }
    Ok(Value::Object(state))
}

#[async_trait]
impl Resource for DrillResource {
    fn schema(&self) -> &BlockSchema {
        &self.schema
    }

    fn check(&self, config: &Value) -> Vec<Diagnostic> {
        cross_checks(config, None)
    }

    fn plan(
        &self,
        cx: &Context,
        prior: &Value,
        proposed: &Value,
    ) -> Result<Planned, Vec<Diagnostic>> {
        // Checked at the provider's now, which validation (run without a clock) cannot do.
        let mut diagnostics = self.schema.check(proposed);
        if !has_errors(&diagnostics) {
            diagnostics.extend(cross_checks(proposed, Some(cx.now)));
        }
        let diagnostics = cap(diagnostics);
        if has_errors(&diagnostics) {
            return Err(diagnostics);
        }
        let state = with_computed(cx.now, Phase::Plan, prior, proposed);
        Ok(Planned {
            requires_replace: self.replacing_attributes(prior, &state),
            state,
            diagnostics,
        })
    }

    async fn apply(
        &self,
        cx: &Context,
        prior: &Value,
        planned: &Value,
    ) -> Result<Value, Vec<Diagnostic>> {
        let diagnostics = validate(self, planned);
        if has_errors(&diagnostics) {
            return Err(diagnostics);
        }
        let state = settle(cx, prior, planned).await?;
        if !state.is_wholly_known() {
            return Err(vec![Diagnostic::error(
                "Drill still unknown at apply",
                "Every dr_drill argument, and the policy and tier it refers to, must be known when the drill is applied.",
            )]);
        }
        Ok(state)
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::resources::test_support::{block_on, NOW};

    const DAY: i64 = 86_400;

    fn policy(role: Value) -> Value {
        let tier = Value::Object(BTreeMap::from([
            ("name".to_owned(), Value::string("critical")),
            ("level".to_owned(), Value::Number(Number::from_u64(1))),
            ("rto".to_owned(), Value::string("15m")),
            ("rpo".to_owned(), Value::string("1m")),
            ("allowed_regions".to_owned(), Value::Null),
        ]));
        Value::Object(BTreeMap::from([
            ("name".to_owned(), Value::string("payments")),
            ("tier".to_owned(), tier),
            ("strategy".to_owned(), Value::string("active_active")),
            ("primary_region".to_owned(), Value::string("eu-west-1")),
            ("secondary_region".to_owned(), Value::string("eu-central-1")),
            ("recovery_role_arn".to_owned(), role),
        ]))
    }

    fn drill(scenario: &str, overrides: &[(&str, Value)]) -> Value {
        let mut attributes: BTreeMap<String, Value> = DrillResource::new()
            .schema
            .attributes
            .iter()
            .map(|a| {
                let value = if a.presence == Presence::Computed {
                    Value::Unknown
                } else {
                    Value::Null
                };
                (a.name.to_owned(), value)
            })
            .collect();
        attributes.insert("policy".to_owned(), policy(Value::Null));
        attributes.insert("scenario".to_owned(), Value::string(scenario));
        for (name, value) in overrides {
            attributes.insert((*name).to_owned(), value.clone());
        }
        Value::Object(attributes)
    }

    fn at(now: i64) -> Context {
        Context::offline(now)
    }

    fn status(planned: &Value) -> &str {
        planned.attribute("status").as_str().unwrap()
    }

    #[test]
    fn a_drill_moves_from_passed_to_overdue_as_the_clock_moves() {
        let resource = DrillResource::new();
        let config = drill(
            "region_outage",
            &[
                (
                    "executed_at",
                    Value::string(format_timestamp(NOW - 10 * DAY)),
                ),
                ("observed_rto", Value::string("12m")),
                ("observed_rpo", Value::string("30s")),
            ],
        );
        let planned = resource
            .plan(&at(NOW), &Value::Null, &config)
            .unwrap()
            .state;
        assert_eq!(status(&planned), "passed");
        assert_eq!(planned.attribute("rto_met"), &Value::Bool(true));
        assert_eq!(
            planned.attribute("next_due_at"),
            &Value::string(format_timestamp(NOW + 80 * DAY)),
            "tier 1 drills default to every 90 days"
        );
        assert_eq!(
            planned.attribute("id"),
            &Value::string("payments/region_outage")
        );
        let state = block_on(resource.apply(&at(NOW), &Value::Null, &planned)).unwrap();
        assert_eq!(planned.attribute("declared_at"), &Value::Unknown);
        assert_eq!(
            state.attribute("declared_at"),
            &Value::string(format_timestamp(NOW))
        );
        let Value::Object(mut settled) = state.clone() else {
            unreachable!()
        };
        settled.insert("declared_at".to_owned(), Value::Unknown);
        assert_eq!(
            Value::Object(settled),
            planned,
            "apply keeps what the plan knew"
        );

        // The same configuration planned again: stable until the due date, then overdue.
        let again = resource
            .plan(&at(NOW + 80 * DAY), &state, &state)
            .unwrap()
            .state;
        assert_eq!(again, state);
        let later = resource
            .plan(&at(NOW + 81 * DAY), &state, &state)
            .unwrap()
            .state;
        assert_eq!(status(&later), "overdue");
        assert_eq!(
            later.attribute("declared_at"),
            state.attribute("declared_at")
        );
    }

    #[test]
    fn observations_beyond_the_tier_fail_the_drill() {
        let resource = DrillResource::new();
        let config = drill(
            "database_failover",
            &[
                ("executed_at", Value::string(format_timestamp(NOW - DAY))),
                ("observed_rto", Value::string("45m")),
            ],
        );
        let planned = resource
            .plan(&at(NOW), &Value::Null, &config)
            .unwrap()
            .state;
        assert_eq!(status(&planned), "failed");
        assert_eq!(planned.attribute("rto_met"), &Value::Bool(false));
        assert_eq!(planned.attribute("rpo_met"), &Value::Null);
    }

    #[test]
    fn a_drill_never_run_is_scheduled_then_overdue() {
        let resource = DrillResource::new();
        let config = drill("az_outage", &[("frequency", Value::string("30d"))]);
        let planned = resource
            .plan(&at(NOW), &Value::Null, &config)
            .unwrap()
            .state;
        assert_eq!(status(&planned), "scheduled");
        // Stamped at apply: a plan made again a moment later must agree with the first.
        assert_eq!(planned.attribute("declared_at"), &Value::Unknown);
        assert_eq!(planned.attribute("next_due_at"), &Value::Unknown);
        let replanned = resource
            .plan(&at(NOW + 1), &Value::Null, &config)
            .unwrap()
            .state;
        assert_eq!(replanned, planned);
        let state = block_on(resource.apply(&at(NOW + 2), &Value::Null, &planned)).unwrap();
        assert_eq!(
            state.attribute("declared_at"),
            &Value::string(format_timestamp(NOW + 2))
        );
        assert_eq!(
            state.attribute("next_due_at"),
            &Value::string(format_timestamp(NOW + 2 + 30 * DAY))
        );
        assert_eq!(
            resource
                .plan(&at(NOW + 30 * DAY), &state, &state)
                .unwrap()
                .state,
            state
        );
        let later = resource
            .plan(&at(NOW + 31 * DAY), &state, &state)
            .unwrap()
            .state;
        assert_eq!(status(&later), "overdue");
    }

    #[test]
    fn records_are_checked_against_the_clock_and_each_other() {
        let resource = DrillResource::new();
        let summaries = |config: &Value| -> Vec<String> {
            match resource.plan(&at(NOW), &Value::Null, config) {
                Ok(planned) => planned.diagnostics.into_iter().map(|d| d.summary).collect(),
                Err(diagnostics) => diagnostics.into_iter().map(|d| d.summary).collect(),
            }
        };
        assert_eq!(
            summaries(&drill(
                "region_outage",
                &[("observed_rto", Value::string("5m"))]
            )),
            ["observed_rto without executed_at"]
        );
        assert_eq!(
            summaries(&drill(
                "region_outage",
                &[("executed_at", Value::string(format_timestamp(NOW + DAY)))]
            )),
            ["executed_at is in the future"]
        );
        assert_eq!(
            summaries(&drill(
                "region_outage",
                &[("executed_at", Value::string("last tuesday"))]
            )),
            ["Invalid executed_at"]
        );
        assert_eq!(
            summaries(&drill("recovery_access", &[])),
            ["recovery_access needs a recovery role"]
        );
        assert_eq!(summaries(&drill("chaos_monkey", &[])), ["Invalid scenario"]);
    }

    #[test]
    fn recovery_access_runs_on_create_and_when_triggers_change() {
        let resource = DrillResource::new();
        let role = Value::string("arn:aws:iam::123456789012:role/dr-recovery");
        let config = drill("recovery_access", &[("policy", policy(role))]);
        let planned = resource
            .plan(&at(NOW), &Value::Null, &config)
            .unwrap()
            .state;
        assert_eq!(planned.attribute("access_verified_at"), &Value::Unknown);
        // Offline, running it is an apply error that says why.
        let error = block_on(resource.apply(&at(NOW), &Value::Null, &planned)).unwrap_err();
        assert_eq!(error[0].summary, "Recovery access drill failed");
        assert!(
            error[0].detail.contains("no AWS credentials"),
            "{}",
            error[0].detail
        );

        // A state that ran keeps its result until the triggers change.
        let Value::Object(mut ran) = planned.clone() else {
            unreachable!()
        };
        ran.insert(
            "access_verified_at".to_owned(),
            Value::string(format_timestamp(NOW)),
        );
        ran.insert(
            "access_seconds".to_owned(),
            Value::Number(Number::from_u64(1)),
        );
        let ran = Value::Object(ran);
        let kept = resource.plan(&at(NOW + DAY), &ran, &ran).unwrap().state;
        assert_eq!(
            kept.attribute("access_verified_at"),
            ran.attribute("access_verified_at")
        );
        let Value::Object(mut retriggered) = ran.clone() else {
            unreachable!()
        };
        retriggered.insert(
            "triggers".to_owned(),
            Value::Map(BTreeMap::from([("role".to_owned(), Value::string("v2"))])),
        );
        let rerun = resource
            .plan(&at(NOW + DAY), &ran, &Value::Object(retriggered))
            .unwrap()
            .state;
        assert_eq!(rerun.attribute("access_verified_at"), &Value::Unknown);
    }
}
