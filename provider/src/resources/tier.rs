//! `dr_tier`: a DR tier as code — the recovery a class of workloads is promised.

use dr_vocab::region::closest_region;
use dr_vocab::{is_aws_region, parse_duration, tier_tags, RecoveryObjective, Strategy};

use crate::schema::{
    has_errors, AttributeSchema, BlockSchema, Diagnostic, Planned, Presence, Resource,
};
use crate::value::{Number, Type, Value};

/// Tier levels run from 1 (most critical) to this.
const MAX_LEVEL: u64 = 9;

pub struct TierResource {
    schema: BlockSchema,
}

impl TierResource {
    pub fn new() -> Self {
        use Presence::*;
        let attributes = vec![
            AttributeSchema::new(
                "name",
                Type::String,
                Required,
                "Name of the tier, such as `critical`. It is the tier's id, so changing it replaces the tier.",
            )
            .forces_replacement(),
            AttributeSchema::new(
                "level",
                Type::Number,
                Required,
                "Criticality, a whole number from 1 (most critical) to 9. Resources of this tier carry it in their `dr-tier` tag.",
            ),
            AttributeSchema::new(
                "rto",
                Type::String,
                Required,
                "Recovery time objective: the longest the service may be down after a disaster, as a duration with units `s`, `m`, `h`, `d`, largest first: `15m`, `4h`, `1h30m`, `90d`.",
            ),
            AttributeSchema::new(
                "rpo",
                Type::String,
                Required,
                "Recovery point objective: the most data, measured in time, that may be lost, written like `rto`: `90s`, `15m`, `24h`.",
            ),
            AttributeSchema::new("description", Type::String, Optional, "What the tier is for, shown in reviews."),
            AttributeSchema::new(
                "allowed_regions",
                Type::set(Type::String),
                Optional,
                "AWS regions where workloads of this tier may run and keep data (data residency). Failover policies of this tier must keep both their regions in this set. Unset means any region.",
            ),
            AttributeSchema::new("id", Type::String, Computed, "The tier's name."),
            AttributeSchema::new("rto_seconds", Type::Number, Computed, "`rto` in seconds."),
            AttributeSchema::new("rpo_seconds", Type::Number, Computed, "`rpo` in seconds."),
            AttributeSchema::new(
                "recommended_strategy",
                Type::String,
                Computed,
                "The cheapest DR strategy whose slowest recovery still meets both `rto` and `rpo`: `backup_restore`, `pilot_light`, `warm_standby` or `active_active` (or `active_active` when none is that fast).",
            ),
            AttributeSchema::new(
                "tags",
                Type::map(Type::String),
                Computed,
                "Tags marking a resource as belonging to this tier, to merge into its `tags` or into the AWS provider's `default_tags`: `dr-tier` (the level) and `rto-hours` (the RTO in hours, such as `0.25` for `15m`).",
            ),
        ];
        TierResource {
            schema: BlockSchema {
                type_name: "dr_tier",
                version: 0,
                description: "Declares a DR tier: the recovery time (RTO) and recovery point (RPO) a class of workloads is promised, and where its data may live. Plan-time validation catches malformed durations, levels and region names; computed attributes give the recommended strategy and the tags that mark resources as belonging to the tier.",
                attributes,
            },
        }
    }
}

impl Default for TierResource {
    fn default() -> Self {
        Self::new()
    }
}

/// What the configuration says once checked; `None` where a value is unknown or invalid.
struct Declared {
    level: Option<u8>,
    rto_seconds: Option<u64>,
    rpo_seconds: Option<u64>,
    diagnostics: Vec<Diagnostic>,
}

fn check(config: &Value) -> Declared {
    let mut diagnostics = Vec::new();

    if config
        .attribute("name")
        .as_str()
        .is_some_and(|name| name.trim().is_empty())
    {
        diagnostics.push(
            Diagnostic::error(
                "Empty tier name",
                "Give the tier a name such as \"critical\"; it becomes the tier's id.",
            )
            .at("name"),
        );
    }

    let level = match config.attribute("level") {
        Value::Number(number) => match number
            .as_u64()
            .filter(|level| (1..=MAX_LEVEL).contains(level))
            .and_then(|level| u8::try_from(level).ok())
        {
            Some(level) => Some(level),
            None => {
                diagnostics.push(
                    Diagnostic::error(
                        "Invalid tier level",
                        format!("level must be a whole number from 1 (most critical) to {MAX_LEVEL}; it is {number}."),
                    )
                    .at("level"),
                );
                None
            }
        },
        _ => None,
    };

    let mut duration = |attribute: &str| match config.attribute(attribute) {
        Value::String(text) => match parse_duration(text) {
            Ok(seconds) => Some(seconds),
            Err(error) => {
                diagnostics.push(
                    Diagnostic::error(format!("Invalid {attribute}"), error.to_string())
                        .at(attribute),
                );
                None
            }
        },
        _ => None,
    };
    let rto_seconds = duration("rto");
    let rpo_seconds = duration("rpo");

    for region in config
        .attribute("allowed_regions")
        .elements()
        .unwrap_or_default()
    {
        if let Some(name) = region.as_str().filter(|name| !is_aws_region(name)) {
            let hint = match closest_region(name) {
                Some(close) => format!(" Did you mean \"{close}\"?"),
                None => " Use region names such as \"us-east-1\" or \"eu-west-1\".".to_owned(),
            };
            diagnostics.push(
                Diagnostic::error(
                    "Unknown AWS region",
                    format!("\"{name}\" in allowed_regions is not an AWS region.{hint}"),
                )
                .at("allowed_regions"),
            );
        }
    }

    Declared {
        level,
        rto_seconds,
        rpo_seconds,
        diagnostics,
    }
}

fn known_or_unknown<T>(value: Option<T>, make: impl FnOnce(T) -> Value) -> Value {
    value.map(make).unwrap_or(Value::Unknown)
}

/// `config` with every computed attribute filled from it: known where the inputs are known.
fn with_computed(config: &Value, declared: &Declared) -> Value {
    let Value::Object(attributes) = config else {
        return config.clone();
    };
    let mut state = attributes.clone();
    let name = config.attribute("name");
    state.insert(
        "id".to_owned(),
        if name.is_null() {
            Value::Unknown
        } else {
            name.clone()
        },
    );
    state.insert(
        "rto_seconds".to_owned(),
        known_or_unknown(declared.rto_seconds, |s| Value::Number(Number::from_u64(s))),
    );
    state.insert(
        "rpo_seconds".to_owned(),
        known_or_unknown(declared.rpo_seconds, |s| Value::Number(Number::from_u64(s))),
    );
    let objective =
        declared
            .rto_seconds
            .zip(declared.rpo_seconds)
            .map(|(rto_seconds, rpo_seconds)| RecoveryObjective {
                rto_seconds,
                rpo_seconds,
            });
    state.insert(
        "recommended_strategy".to_owned(),
        known_or_unknown(objective, |o| {
            Value::string(Strategy::recommended_for(o).name())
        }),
    );
    state.insert(
        "tags".to_owned(),
        known_or_unknown(
            declared.level.zip(declared.rto_seconds),
            |(level, rto_seconds)| {
                Value::Map(
                    tier_tags(level, rto_seconds)
                        .into_iter()
                        .map(|(key, value)| (key.to_owned(), Value::string(value)))
                        .collect(),
                )
            },
        ),
    );
    Value::Object(state)
}

impl Resource for TierResource {
    fn schema(&self) -> &BlockSchema {
        &self.schema
    }

    fn validate(&self, config: &Value) -> Vec<Diagnostic> {
        check(config).diagnostics
    }

    fn plan(&self, prior: &Value, proposed: &Value) -> Result<Planned, Vec<Diagnostic>> {
        let declared = check(proposed);
        if has_errors(&declared.diagnostics) {
            return Err(declared.diagnostics);
        }
        let state = with_computed(proposed, &declared);
        Ok(Planned {
            requires_replace: self.replacing_attributes(prior, &state),
            state,
            diagnostics: declared.diagnostics,
        })
    }

    fn apply(&self, planned: &Value) -> Result<Value, Vec<Diagnostic>> {
        let declared = check(planned);
        if has_errors(&declared.diagnostics) {
            return Err(declared.diagnostics);
        }
        let state = with_computed(planned, &declared);
        if !state.is_wholly_known() {
            return Err(vec![Diagnostic::error(
                "Tier configuration still unknown at apply",
                "Every dr_tier argument must be known when the tier is applied.",
            )]);
        }
        Ok(state)
    }

    /// Computed attributes an older version did not store are computed from the stored
    /// arguments, so the first plan after an upgrade shows no change; state that cannot be
    /// recomputed is kept as it was.
    fn upgrade(&self, stored: Value) -> Value {
        let declared = check(&stored);
        if has_errors(&declared.diagnostics) {
            return stored;
        }
        let recomputed = with_computed(&stored, &declared);
        if recomputed.is_wholly_known() {
            recomputed
        } else {
            stored
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    fn config(level: Value, rto: Value, rpo: Value, regions: Value) -> Value {
        Value::Object(BTreeMap::from([
            ("name".to_owned(), Value::string("critical")),
            ("level".to_owned(), level),
            ("rto".to_owned(), rto),
            ("rpo".to_owned(), rpo),
            ("description".to_owned(), Value::Null),
            ("allowed_regions".to_owned(), regions),
            ("id".to_owned(), Value::Unknown),
            ("rto_seconds".to_owned(), Value::Unknown),
            ("rpo_seconds".to_owned(), Value::Unknown),
            ("recommended_strategy".to_owned(), Value::Unknown),
            ("tags".to_owned(), Value::Unknown),
        ]))
    }

    fn number(n: &str) -> Value {
        Value::Number(Number::parse(n).unwrap())
    }

    #[test]
    fn computes_everything_from_known_config() {
        let tier = TierResource::new();
        let planned = tier
            .plan(
                &Value::Null,
                &config(
                    number("1"),
                    Value::string("15m"),
                    Value::string("1m"),
                    Value::Null,
                ),
            )
            .unwrap();
        let state = &planned.state;
        assert_eq!(state.attribute("id"), &Value::string("critical"));
        assert_eq!(state.attribute("rto_seconds"), &number("900"));
        assert_eq!(
            state.attribute("recommended_strategy"),
            &Value::string("active_active")
        );
        let tags = Value::Map(BTreeMap::from([
            ("dr-tier".to_owned(), Value::string("1")),
            ("rto-hours".to_owned(), Value::string("0.25")),
        ]));
        assert_eq!(state.attribute("tags"), &tags);
        assert_eq!(tier.apply(state).unwrap(), *state);
    }

    #[test]
    fn unknown_inputs_leave_only_their_outputs_unknown() {
        let tier = TierResource::new();
        let planned = tier
            .plan(
                &Value::Null,
                &config(
                    Value::Unknown,
                    Value::string("4h"),
                    Value::Unknown,
                    Value::Null,
                ),
            )
            .unwrap();
        assert_eq!(planned.state.attribute("rto_seconds"), &number("14400"));
        assert_eq!(planned.state.attribute("rpo_seconds"), &Value::Unknown);
        assert_eq!(
            planned.state.attribute("recommended_strategy"),
            &Value::Unknown
        );
        assert_eq!(planned.state.attribute("tags"), &Value::Unknown);
        assert!(tier
            .validate(&config(
                Value::Unknown,
                Value::Unknown,
                Value::Unknown,
                Value::Unknown
            ))
            .is_empty());
    }

    #[test]
    fn bad_values_get_errors_on_their_attribute() {
        let tier = TierResource::new();
        let regions = Value::Set(vec![
            Value::string("eu-west-1"),
            Value::string("eu-wst-1"),
            Value::Unknown,
        ]);
        let diagnostics = tier.validate(&config(
            number("0"),
            Value::string("15x"),
            Value::string("1.5h"),
            regions,
        ));
        let at: Vec<_> = diagnostics.iter().map(|d| d.attribute.join(".")).collect();
        assert_eq!(at, ["level", "rto", "rpo", "allowed_regions"]);
        assert!(
            diagnostics[3]
                .detail
                .contains("Did you mean \"eu-west-1\"?"),
            "{:?}",
            diagnostics[3]
        );
        assert!(tier.validate(&config(
            number("2.5"),
            Value::string("1h"),
            Value::string("1h"),
            Value::Null
        ))[0]
            .detail
            .contains("whole number"));
    }

    #[test]
    fn upgrading_fills_computed_attributes_and_keeps_the_rest() {
        let tier = TierResource::new();
        let Value::Object(mut stored) = config(
            number("2"),
            Value::string("4h"),
            Value::string("30m"),
            Value::Null,
        ) else {
            unreachable!()
        };
        for computed in [
            "id",
            "rto_seconds",
            "rpo_seconds",
            "recommended_strategy",
            "tags",
        ] {
            stored.insert(computed.to_owned(), Value::Null);
        }
        let upgraded = tier.upgrade(Value::Object(stored.clone()));
        assert_eq!(upgraded.attribute("rto_seconds"), &number("14400"));
        assert_eq!(
            upgraded.attribute("recommended_strategy"),
            &Value::string("warm_standby")
        );
        assert_eq!(
            upgraded.attribute("description"),
            stored.get("description").unwrap()
        );

        stored.insert("rto".to_owned(), Value::string("4 fortnights"));
        let kept = tier.upgrade(Value::Object(stored.clone()));
        assert_eq!(
            kept,
            Value::Object(stored),
            "state that cannot be recomputed is kept"
        );
    }

    #[test]
    fn renaming_forces_replacement() {
        let tier = TierResource::new();
        let prior = tier
            .plan(
                &Value::Null,
                &config(
                    number("2"),
                    Value::string("1h"),
                    Value::string("15m"),
                    Value::Null,
                ),
            )
            .unwrap()
            .state;
        let Value::Object(mut renamed) = prior.clone() else {
            unreachable!()
        };
        renamed.insert("name".to_owned(), Value::string("gold"));
        let planned = tier.plan(&prior, &Value::Object(renamed)).unwrap();
        assert_eq!(planned.requires_replace, ["name"]);
        assert_eq!(
            tier.plan(&prior, &prior).unwrap().requires_replace,
            Vec::<String>::new()
        );
    }
}
