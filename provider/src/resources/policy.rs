//! `dr_failover_policy`: how one workload fails over, checked against the tier it answers to.

use dr_vocab::terms::policy as term;
use dr_vocab::terms::tier as tier_term;
use dr_vocab::{format_duration, Fit, Mode, Strategy};

use super::runbook::{runbook, RunbookFacts};
use super::tier::{tier_object_type, TierConfig};
use crate::context::Context;
use crate::schema::{
    async_trait, has_errors, validate, Arg, Args, AttributeSchema, BlockSchema, Check, Diagnostic,
    NestedBlock, Planned, Presence, Resource,
};
use crate::value::{Type, Value};

/// Health-check defaults, documented on the attributes.
pub const DEFAULT_INTERVAL_SECONDS: u64 = 30;
pub const DEFAULT_FAILURE_THRESHOLD: u64 = 3;

const STRATEGY_NAMES: &[&str] = &[
    "backup_restore",
    "pilot_light",
    "warm_standby",
    "active_active",
];
const MODE_NAMES: &[&str] = &["manual", "automatic"];

pub struct PolicyResource {
    schema: BlockSchema,
}

impl PolicyResource {
    pub fn new() -> Self {
        use Presence::*;
        let attributes = vec![
            AttributeSchema::term(term::NAME, Type::String, Required)
                .check(Check::NotBlank)
                .forces_replacement(),
            AttributeSchema::term(term::TIER, tier_object_type(), Required),
            AttributeSchema::term(term::STRATEGY, Type::String, Required)
                .check(Check::OneOf(STRATEGY_NAMES)),
            AttributeSchema::term(term::PRIMARY_REGION, Type::String, Required)
                .check(Check::AwsRegion),
            AttributeSchema::term(term::SECONDARY_REGION, Type::String, Required)
                .check(Check::AwsRegion),
            AttributeSchema::term(term::MODE, Type::String, Optional)
                .check(Check::OneOf(MODE_NAMES)),
            AttributeSchema::term(term::MAX_REPLICATION_LAG, Type::String, Optional)
                .check(Check::Duration),
            AttributeSchema::term(term::RECOVERY_ROLE_ARN, Type::String, Optional)
                .check(Check::RoleArn),
            AttributeSchema::term(term::ID, Type::String, Computed),
            AttributeSchema::term(term::ACCOUNT_ID, Type::String, Computed),
            AttributeSchema::term(term::RUNBOOK, Type::String, Computed),
        ];
        let health_check = NestedBlock::term(
            term::HEALTH_CHECK,
            vec![
                AttributeSchema::term(term::HEALTH_CHECK_PATH, Type::String, Optional)
                    .check(Check::HttpPath),
                AttributeSchema::term(term::HEALTH_CHECK_URL, Type::String, Optional)
                    .check(Check::HttpUrl),
                AttributeSchema::term(term::HEALTH_CHECK_INTERVAL, Type::Number, Optional)
                    .check(Check::WholeNumber { min: 10, max: 300 }),
                AttributeSchema::term(term::HEALTH_CHECK_FAILURE_THRESHOLD, Type::Number, Optional)
                    .check(Check::WholeNumber { min: 1, max: 10 }),
            ],
        );
        PolicyResource {
            schema: BlockSchema {
                type_name: term::TYPE,
                version: 0,
                description: term::SUMMARY,
                attributes,
                blocks: vec![health_check],
            },
        }
    }
}

impl Default for PolicyResource {
    fn default() -> Self {
        Self::new()
    }
}

/// The type of attributes that hold a policy (`policy = dr_failover_policy.payments`): what a
/// drill needs of it. Terraform converts the whole policy object to it.
pub fn policy_object_type() -> Type {
    Type::Object(
        [
            (term::NAME.name, Type::String),
            (term::TIER.name, tier_object_type()),
            (term::STRATEGY.name, Type::String),
            (term::PRIMARY_REGION.name, Type::String),
            (term::SECONDARY_REGION.name, Type::String),
            (term::RECOVERY_ROLE_ARN.name, Type::String),
        ]
        .into_iter()
        .map(|(name, ty)| (name.to_owned(), ty))
        .collect(),
    )
}

/// A policy as configuration gives it, its checks passed; also what a drill reads of the policy
/// object it holds.
pub struct PolicyConfig<'a> {
    pub name: Arg<&'a str>,
    pub tier: TierConfig<'a>,
    /// Whether the tier object itself is unknown (a tier planned in the same run is known; one
    /// behind an unknown expression is not).
    pub tier_unknown: bool,
    pub strategy: Arg<Strategy>,
    pub primary_region: Arg<&'a str>,
    pub secondary_region: Arg<&'a str>,
    pub recovery_role_arn: Arg<&'a str>,
}

impl<'a> PolicyConfig<'a> {
    pub fn read(value: &'a Value) -> PolicyConfig<'a> {
        let tier = value.attribute(term::TIER.name);
        PolicyConfig {
            name: value.text(term::NAME.name),
            tier: TierConfig::read(tier),
            tier_unknown: tier.is_unknown(),
            strategy: value.named(term::STRATEGY.name),
            primary_region: value.text(term::PRIMARY_REGION.name),
            secondary_region: value.text(term::SECONDARY_REGION.name),
            recovery_role_arn: value.text(term::RECOVERY_ROLE_ARN.name),
        }
    }
}

/// Checks that need more than one attribute: regions against each other and the tier, the
/// strategy and replication lag against the tier's objectives, automatic mode against the
/// health check.
fn cross_checks(config: &Value) -> Vec<Diagnostic> {
    let policy = PolicyConfig::read(config);
    let mut found = Vec::new();
    let tier_name = policy.tier.name.known().unwrap_or("its tier");

    if let (Arg::Known(primary), Arg::Known(secondary)) =
        (policy.primary_region, policy.secondary_region)
    {
        if primary == secondary {
            found.push(
                Diagnostic::error(
                    "Secondary region is the primary region",
                    format!("primary_region and secondary_region are both \"{primary}\": a failover must go to another region."),
                )
                .at(term::SECONDARY_REGION.name),
            );
        }
    }
    if let Arg::Known(allowed) = &policy.tier.allowed_regions {
        if !allowed.is_empty() {
            for attribute in [term::PRIMARY_REGION, term::SECONDARY_REGION] {
                if let Arg::Known(region) = config.text(attribute.name) {
                    if !allowed.contains(&region) {
                        found.push(
                            Diagnostic::error(
                                "Region outside the tier's allowed regions",
                                format!(
                                    "{} \"{region}\" is not in the allowed_regions of tier {tier_name} ({}): data of this tier may not live there. Pick one of those regions or change the tier.",
                                    attribute.name,
                                    allowed.join(", ")
                                ),
                            )
                            .at(attribute.name),
                        );
                    }
                }
            }
        }
    }
    if let (Arg::Known(strategy), Some(objective)) = (policy.strategy, policy.tier.objective()) {
        let profile = strategy.profile();
        let promise = format!(
            "tier {tier_name} promises RTO {} and RPO {}",
            format_duration(objective.rto_seconds),
            format_duration(objective.rpo_seconds)
        );
        let delivers = format!(
            "{strategy} recovers in {}–{} and loses {}–{} of data",
            format_duration(profile.rto.fastest),
            format_duration(profile.rto.slowest),
            format_duration(profile.rpo.fastest),
            format_duration(profile.rpo.slowest)
        );
        let recommended = Strategy::recommended_for(objective);
        match strategy.fit(objective) {
            Fit::Meets => {}
            Fit::CannotMeet => found.push(
                Diagnostic::error(
                    "Strategy cannot meet the tier",
                    format!("{promise}, but {delivers}: even at its best it is too slow. Use {recommended}, or move the workload to a tier it can meet."),
                )
                .at(term::STRATEGY.name),
            ),
            Fit::MeetsOnlyAtBest => found.push(
                Diagnostic::warning(
                    "Strategy meets the tier only at its best",
                    format!("{promise}, and {delivers}: only its fast end meets the tier. Prove it with a dr_drill of this policy (region_outage or database_failover), or use {recommended}, which meets it even at its slow end."),
                )
                .at(term::STRATEGY.name),
            ),
        }
    }
    if let (Arg::Known(lag), Arg::Known(rpo)) = (
        config.duration(term::MAX_REPLICATION_LAG.name),
        policy.tier.rpo_seconds,
    ) {
        if lag > rpo {
            found.push(
                Diagnostic::error(
                    "Replication lag beyond the tier's RPO",
                    format!(
                        "max_replication_lag {} exceeds the RPO of tier {tier_name} ({}): failing over at that lag loses more data than the tier allows. Lower it to {} or less.",
                        format_duration(lag),
                        format_duration(rpo),
                        format_duration(rpo)
                    ),
                )
                .at(term::MAX_REPLICATION_LAG.name),
            );
        }
    }
    let health_check = config.attribute(term::HEALTH_CHECK.name);
    if config.named::<Mode>(term::MODE.name) == Arg::Known(Mode::Automatic)
        && health_check.is_null()
    {
        found.push(
            Diagnostic::error(
                "Automatic failover needs a health check",
                "mode = \"automatic\" fails over when the health check fails, so it needs a health_check block with a path or url. Add one, or use mode = \"manual\".",
            )
            .at(term::MODE.name),
        );
    }
    if !health_check.is_null() && !health_check.is_unknown() {
        let path = health_check.text(term::HEALTH_CHECK_PATH.name);
        let url = health_check.text(term::HEALTH_CHECK_URL.name);
        let given = |arg: &Arg<&str>| !matches!(arg, Arg::Unset);
        if given(&path) == given(&url) {
            found.push(Diagnostic {
                attribute: vec![term::HEALTH_CHECK.name.to_owned()],
                ..Diagnostic::error(
                    "Health check needs a path or a url",
                    "Give health_check exactly one of path (\"/healthz\") or url (\"https://payments.example.com/healthz\").",
                )
            });
        }
    }
    found
}

/// `config` with `id`, `account_id` and `runbook` filled in.
fn with_computed(cx: &Context, config: &Value) -> Value {
    let Value::Object(attributes) = config else {
        return config.clone();
    };
    let policy = PolicyConfig::read(config);
    let mut state = attributes.clone();
    state.insert(
        term::ID.name.to_owned(),
        policy.name.known().map_or(Value::Unknown, Value::string),
    );
    state.insert(
        term::ACCOUNT_ID.name.to_owned(),
        cx.cloud.account_id().map_or(Value::Null, Value::string),
    );
    state.insert(
        term::RUNBOOK.name.to_owned(),
        runbook_facts(config, &policy)
            .map_or(Value::Unknown, |facts| Value::string(runbook(&facts))),
    );
    Value::Object(state)
}

/// What the runbook needs, when all of it is known.
fn runbook_facts<'a>(config: &'a Value, policy: &PolicyConfig<'a>) -> Option<RunbookFacts<'a>> {
    let health_check = config.attribute(term::HEALTH_CHECK.name);
    // An optional argument unknown until apply leaves the runbook unknown (absent is fine).
    let optional = [
        term::MODE,
        term::MAX_REPLICATION_LAG,
        term::RECOVERY_ROLE_ARN,
        term::HEALTH_CHECK,
    ];
    if optional
        .iter()
        .any(|t| config.attribute(t.name).is_unknown())
        || !health_check.is_wholly_known()
    {
        return None;
    }
    let check_target = health_check
        .text(term::HEALTH_CHECK_URL.name)
        .known()
        .or(health_check.text(term::HEALTH_CHECK_PATH.name).known());
    Some(RunbookFacts {
        name: policy.name.known()?,
        tier_name: policy.tier.name.known()?,
        tier_level: policy.tier.level.known()?,
        objective: policy.tier.objective()?,
        strategy: policy.strategy.known()?,
        primary_region: policy.primary_region.known()?,
        secondary_region: policy.secondary_region.known()?,
        mode: config
            .named::<Mode>(term::MODE.name)
            .or(Mode::Manual)
            .known()?,
        health_check: check_target.map(|target| {
            (
                target,
                health_check
                    .whole(term::HEALTH_CHECK_INTERVAL.name)
                    .or(DEFAULT_INTERVAL_SECONDS)
                    .known()
                    .unwrap_or(DEFAULT_INTERVAL_SECONDS),
                health_check
                    .whole(term::HEALTH_CHECK_FAILURE_THRESHOLD.name)
                    .or(DEFAULT_FAILURE_THRESHOLD)
                    .known()
                    .unwrap_or(DEFAULT_FAILURE_THRESHOLD),
            )
        }),
        max_replication_lag: config.duration(term::MAX_REPLICATION_LAG.name).known(),
        recovery_role_arn: policy.recovery_role_arn.known(),
    })
}

#[async_trait]
impl Resource for PolicyResource {
    fn schema(&self) -> &BlockSchema {
        &self.schema
    }

    fn check(&self, config: &Value) -> Vec<Diagnostic> {
        let mut found = cross_checks(config);
        if config.attribute(term::TIER.name).is_null() {
            return found;
        }
        // The tier object is checked like a tier: a literal object can hold anything.
        let tier = config.attribute(term::TIER.name);
        if let Arg::Known(level) = TierConfig::read(tier).level {
            if !dr_vocab::TIER_LEVELS.contains(&level) {
                found.push(
                    Diagnostic::error(
                        "Invalid tier level",
                        format!(
                            "the tier's {} must be a whole number from 1 to 9.",
                            tier_term::LEVEL.name
                        ),
                    )
                    .at(term::TIER.name),
                );
            }
        }
        found
    }

    fn plan(
        &self,
        cx: &Context,
        prior: &Value,
        proposed: &Value,
    ) -> Result<Planned, Vec<Diagnostic>> {
        let diagnostics = validate(self, proposed);
        if has_errors(&diagnostics) {
            return Err(diagnostics);
        }
        let state = with_computed(cx, proposed);
        Ok(Planned {
            requires_replace: self.replacing_attributes(prior, &state),
            state,
            diagnostics,
        })
    }

    async fn apply(
        &self,
        cx: &Context,
        _prior: &Value,
        planned: &Value,
    ) -> Result<Value, Vec<Diagnostic>> {
        let diagnostics = validate(self, planned);
        if has_errors(&diagnostics) {
            return Err(diagnostics);
        }
        let state = with_computed(cx, planned);
        if !state.is_wholly_known() {
            return Err(vec![Diagnostic::error(
                "Failover policy still unknown at apply",
                "Every dr_failover_policy argument must be known when the policy is applied.",
            )]);
        }
        Ok(state)
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::resources::test_support::{block_on, offline};

    fn tier(allowed: &[&str]) -> Value {
        Value::Object(BTreeMap::from([
            ("name".to_owned(), Value::string("critical")),
            (
                "level".to_owned(),
                Value::Number(crate::value::Number::from_u64(1)),
            ),
            ("rto".to_owned(), Value::string("15m")),
            ("rpo".to_owned(), Value::string("1m")),
            (
                "allowed_regions".to_owned(),
                if allowed.is_empty() {
                    Value::Null
                } else {
                    Value::Set(allowed.iter().map(|r| Value::string(*r)).collect())
                },
            ),
        ]))
    }

    /// A policy configuration: `overrides` replace the defaults of an active-active policy.
    fn config(overrides: &[(&str, Value)]) -> Value {
        let mut attributes = BTreeMap::from([
            ("name".to_owned(), Value::string("payments")),
            ("tier".to_owned(), tier(&["eu-west-1", "eu-central-1"])),
            ("strategy".to_owned(), Value::string("active_active")),
            ("primary_region".to_owned(), Value::string("eu-west-1")),
            ("secondary_region".to_owned(), Value::string("eu-central-1")),
            ("mode".to_owned(), Value::Null),
            ("health_check".to_owned(), Value::Null),
            ("max_replication_lag".to_owned(), Value::Null),
            ("recovery_role_arn".to_owned(), Value::Null),
            ("id".to_owned(), Value::Unknown),
            ("account_id".to_owned(), Value::Unknown),
            ("runbook".to_owned(), Value::Unknown),
        ]);
        for (name, value) in overrides {
            attributes.insert((*name).to_owned(), value.clone());
        }
        Value::Object(attributes)
    }

    fn problems(config: &Value) -> Vec<(String, String, crate::schema::Severity)> {
        let policy = PolicyResource::new();
        let diagnostics = match policy.plan(&offline(), &Value::Null, config) {
            Ok(planned) => planned.diagnostics,
            Err(diagnostics) => diagnostics,
        };
        diagnostics
            .into_iter()
            .map(|d| (d.attribute.join("."), d.summary, d.severity))
            .collect()
    }

    #[test]
    fn a_sound_policy_plans_its_runbook_offline() {
        let policy = PolicyResource::new();
        let planned = policy.plan(&offline(), &Value::Null, &config(&[])).unwrap();
        assert!(planned.diagnostics.is_empty(), "{:?}", planned.diagnostics);
        assert_eq!(planned.state.attribute("id"), &Value::string("payments"));
        assert_eq!(planned.state.attribute("account_id"), &Value::Null);
        let runbook = planned.state.attribute("runbook").as_str().unwrap();
        assert!(runbook.contains("Primary region: eu-west-1; recovery region: eu-central-1"));
        let applied = block_on(policy.apply(&offline(), &Value::Null, &planned.state)).unwrap();
        assert_eq!(applied, planned.state);
    }

    #[test]
    fn regions_must_differ_and_respect_the_tier() {
        use crate::schema::Severity::Error;
        assert_eq!(
            problems(&config(&[("secondary_region", Value::string("eu-west-1"))])),
            [(
                "secondary_region".to_owned(),
                "Secondary region is the primary region".to_owned(),
                Error
            )]
        );
        assert_eq!(
            problems(&config(&[("secondary_region", Value::string("us-east-1"))])),
            [(
                "secondary_region".to_owned(),
                "Region outside the tier's allowed regions".to_owned(),
                Error
            )]
        );
        assert_eq!(
            problems(&config(&[("primary_region", Value::string("eu-wst-1"))]))[0].1,
            "Unknown AWS region"
        );
        // A tier without allowed regions allows any.
        assert!(problems(&config(&[
            ("tier", tier(&[])),
            ("secondary_region", Value::string("us-east-1"))
        ]))
        .is_empty());
    }

    #[test]
    fn strategy_is_judged_against_the_tier() {
        use crate::schema::Severity::{Error, Warning};
        let too_slow = problems(&config(&[("strategy", Value::string("pilot_light"))]));
        assert_eq!(too_slow.len(), 1);
        assert_eq!((too_slow[0].0.as_str(), too_slow[0].2), ("strategy", Error));
        let at_best = problems(&config(&[("strategy", Value::string("warm_standby"))]));
        assert_eq!((at_best[0].0.as_str(), at_best[0].2), ("strategy", Warning));
        // A warning does not stop the plan.
        assert!(PolicyResource::new()
            .plan(
                &offline(),
                &Value::Null,
                &config(&[("strategy", Value::string("warm_standby"))])
            )
            .is_ok());
        assert_eq!(
            problems(&config(&[("strategy", Value::string("hot_standby"))]))[0].1,
            "Invalid strategy"
        );
    }

    #[test]
    fn lag_and_automatic_mode_are_checked() {
        let lag = problems(&config(&[("max_replication_lag", Value::string("5m"))]));
        assert_eq!(lag[0].0, "max_replication_lag");
        assert!(problems(&config(&[("max_replication_lag", Value::string("1m"))])).is_empty());
        let automatic = problems(&config(&[("mode", Value::string("automatic"))]));
        assert_eq!(automatic[0].0, "mode");
        let health_check = |path: Value, url: Value| {
            Value::Object(BTreeMap::from([
                ("path".to_owned(), path),
                ("url".to_owned(), url),
                ("interval_seconds".to_owned(), Value::Null),
                ("failure_threshold".to_owned(), Value::Null),
            ]))
        };
        assert!(problems(&config(&[
            ("mode", Value::string("automatic")),
            (
                "health_check",
                health_check(Value::string("/healthz"), Value::Null)
            ),
        ]))
        .is_empty());
        let neither = problems(&config(&[(
            "health_check",
            health_check(Value::Null, Value::Null),
        )]));
        assert_eq!(neither[0].0, "health_check");
        let bad_path = problems(&config(&[(
            "health_check",
            health_check(Value::string("healthz"), Value::Null),
        )]));
        assert_eq!(bad_path[0].0, "health_check.path");
    }

    #[test]
    fn null_required_arguments_are_errors_on_the_attribute() {
        let found = problems(&config(&[("strategy", Value::Null), ("tier", Value::Null)]));
        let at: Vec<_> = found.iter().map(|(at, _, _)| at.as_str()).collect();
        assert_eq!(at, ["tier", "strategy"]);
        assert!(found[0].1.starts_with("Missing required argument"));
    }

    #[test]
    fn unknown_tier_leaves_only_the_runbook_unknown() {
        let planned = PolicyResource::new()
            .plan(
                &offline(),
                &Value::Null,
                &config(&[("tier", Value::Unknown)]),
            )
            .unwrap();
        assert_eq!(planned.state.attribute("runbook"), &Value::Unknown);
        assert_eq!(planned.state.attribute("id"), &Value::string("payments"));
    }
}
