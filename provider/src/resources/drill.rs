//! `dr_drill`: a rehearsal of a failover policy, judged against its tier at every plan.

use std::collections::BTreeMap;

use dr_vocab::drill::default_frequency_seconds;
use dr_vocab::terms::drill as term;
use dr_vocab::{assess, format_timestamp, DrillRecord, Scenario, UnixSeconds};

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

fn cross_checks(config: &Value, now: Option<UnixSeconds>) -> Vec<Diagnostic> {
    let mut found = Vec::new();
    let executed_at = config.timestamp(term::EXECUTED_AT.name);
    for observed in [term::OBSERVED_RTO, term::OBSERVED_RPO] {
        if !config.attribute(observed.name).is_null() && matches!(executed_at, Arg::Unset) {
            found.push(
                Diagnostic::error(
                    format!("{} without executed_at", observed.name),
                    format!("{} records what a run observed; set executed_at to when that run happened.", observed.name),
                )
                .at(observed.name),
            );
        }
    }
    if let (Arg::Known(at), Some(now)) = (executed_at, now) {
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
    let policy = PolicyConfig::read(config.attribute(term::POLICY.name));
    if config.named::<Scenario>(term::SCENARIO.name) == Arg::Known(Scenario::RecoveryAccess)
        && matches!(policy.recovery_role_arn, Arg::Unset)
        && !config.attribute(term::POLICY.name).is_unknown()
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

/// The drill's computed attributes at `now`, from `config` and the `prior` state.
fn with_computed(now: UnixSeconds, prior: &Value, config: &Value) -> Value {
    let Value::Object(attributes) = config else {
        return config.clone();
    };
    let mut state = attributes.clone();
    let mut set = |name: &str, value: Value| {
        state.insert(name.to_owned(), value);
    };
    let policy_value = config.attribute(term::POLICY.name);
    let policy = PolicyConfig::read(policy_value);
    let scenario = config.named::<Scenario>(term::SCENARIO.name);

    set(
        term::ID.name,
        match (policy.name, config.text(term::SCENARIO.name)) {
            (Arg::Known(policy), Arg::Known(scenario)) => {
                Value::string(format!("{policy}/{scenario}"))
            }
            _ => Value::Unknown,
        },
    );
    // First planned once; kept from then on, so a never-executed drill falls due on a fixed day.
    let declared_at = prior
        .timestamp(term::DECLARED_AT.name)
        .known()
        .unwrap_or(now);
    set(term::DECLARED_AT.name, timestamp_value(declared_at));

    let frequency = match config.duration(term::FREQUENCY.name) {
        Arg::Unset => policy.tier.level.map(default_frequency_seconds),
        given => given,
    };
    let observed = |name| match config.duration(name) {
        Arg::Unset => Some(None),
        Arg::Known(seconds) => Some(Some(seconds)),
        Arg::Unknown => None,
    };
    let executed_at = match config.timestamp(term::EXECUTED_AT.name) {
        Arg::Unset => Some(None),
        Arg::Known(at) => Some(Some(at)),
        Arg::Unknown => None,
    };
    let record = (|| {
        Some(DrillRecord {
            declared_at,
            executed_at: executed_at?,
            frequency_seconds: frequency.known()?,
            observed_rto_seconds: observed(term::OBSERVED_RTO.name)?,
            observed_rpo_seconds: observed(term::OBSERVED_RPO.name)?,
        })
    })();
    match record.zip(policy.tier.objective()) {
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
    match scenario {
        Arg::Known(scenario) if scenario.is_active() => {
            let triggers_changed =
                prior.attribute(term::TRIGGERS.name) != config.attribute(term::TRIGGERS.name);
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
    let computed = with_computed(cx.now, prior, planned);
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
        let state = with_computed(cx.now, prior, proposed);
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
        assert_eq!(state, planned);

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
        assert_eq!(
            planned.attribute("declared_at"),
            &Value::string(format_timestamp(NOW))
        );
        let later = resource
            .plan(&at(NOW + 31 * DAY), &planned, &planned)
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
