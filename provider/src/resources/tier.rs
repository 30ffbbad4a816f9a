//! `dr_tier`: a DR tier as code — the recovery a class of workloads is promised.

use dr_vocab::terms::tier as term;
use dr_vocab::{tier_tags, RecoveryObjective, Strategy, TIER_LEVELS};

use crate::context::Context;
use crate::schema::{
    async_trait, has_errors, validate, Arg, Args, AttributeSchema, BlockSchema, Check, Diagnostic,
    Planned, Presence, Resource,
};
use crate::value::{Number, Type, Value};

pub struct TierResource {
    schema: BlockSchema,
}

/// The tier levels as a check.
pub const LEVEL_CHECK: Check = Check::WholeNumber {
    min: *TIER_LEVELS.start() as u64,
    max: *TIER_LEVELS.end() as u64,
};

impl TierResource {
    pub fn new() -> Self {
        use Presence::*;
        let attributes = vec![
            AttributeSchema::term(term::NAME, Type::String, Required)
                .check(Check::NotBlank)
                .forces_replacement(),
            AttributeSchema::term(term::LEVEL, Type::Number, Required).check(LEVEL_CHECK),
            AttributeSchema::term(term::RTO, Type::String, Required).check(Check::Duration),
            AttributeSchema::term(term::RPO, Type::String, Required).check(Check::Duration),
            AttributeSchema::term(term::DESCRIPTION, Type::String, Optional),
            AttributeSchema::term(term::ALLOWED_REGIONS, Type::set(Type::String), Optional)
                .check(Check::AwsRegion),
            AttributeSchema::term(term::ID, Type::String, Computed),
            AttributeSchema::term(term::RTO_SECONDS, Type::Number, Computed),
            AttributeSchema::term(term::RPO_SECONDS, Type::Number, Computed),
            AttributeSchema::term(term::RECOMMENDED_STRATEGY, Type::String, Computed),
            AttributeSchema::term(term::TAGS, Type::map(Type::String), Computed),
        ];
        TierResource {
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

impl Default for TierResource {
    fn default() -> Self {
        Self::new()
    }
}

/// The type of attributes that hold a tier (`tier = dr_tier.critical`): the attributes a
/// policy needs. Terraform converts the whole `dr_tier` object to it, dropping the rest, so a
/// tier's computed attributes can change without breaking the policies that use it.
pub fn tier_object_type() -> Type {
    Type::Object(
        [
            (term::NAME.name, Type::String),
            (term::LEVEL.name, Type::Number),
            (term::RTO.name, Type::String),
            (term::RPO.name, Type::String),
            (term::ALLOWED_REGIONS.name, Type::set(Type::String)),
        ]
        .into_iter()
        .map(|(name, ty)| (name.to_owned(), ty))
        .collect(),
    )
}

/// A tier as configuration gives it, its checks passed.
pub struct TierConfig<'a> {
    pub name: Arg<&'a str>,
    pub level: Arg<u8>,
    pub rto_seconds: Arg<u64>,
    pub rpo_seconds: Arg<u64>,
    /// Unset means any region.
    pub allowed_regions: Arg<Vec<&'a str>>,
}

impl<'a> TierConfig<'a> {
    /// Reads a `dr_tier` configuration, or a tier object held by a policy.
    pub fn read(value: &'a Value) -> TierConfig<'a> {
        TierConfig {
            name: value.text(term::NAME.name),
            level: value
                .whole(term::LEVEL.name)
                .map(|level| u8::try_from(level).unwrap_or(u8::MAX)),
            rto_seconds: value.duration(term::RTO.name),
            rpo_seconds: value.duration(term::RPO.name),
            allowed_regions: value.texts(term::ALLOWED_REGIONS.name),
        }
    }

    pub fn objective(&self) -> Option<RecoveryObjective> {
        Some(RecoveryObjective {
            rto_seconds: self.rto_seconds.known()?,
            rpo_seconds: self.rpo_seconds.known()?,
        })
    }
}

fn known_or_unknown<T>(value: Option<T>, make: impl FnOnce(T) -> Value) -> Value {
    value.map(make).unwrap_or(Value::Unknown)
}

/// `config` with every computed attribute filled from it: known where the inputs are known.
fn with_computed(config: &Value) -> Value {
    let Value::Object(attributes) = config else {
        return config.clone();
    };
    let tier = TierConfig::read(config);
    let mut state = attributes.clone();
    state.insert(
        term::ID.name.to_owned(),
        known_or_unknown(tier.name.known(), Value::string),
    );
    state.insert(
        term::RTO_SECONDS.name.to_owned(),
        known_or_unknown(tier.rto_seconds.known(), |s| {
            Value::Number(Number::from_u64(s))
        }),
    );
    state.insert(
        term::RPO_SECONDS.name.to_owned(),
        known_or_unknown(tier.rpo_seconds.known(), |s| {
            Value::Number(Number::from_u64(s))
        }),
    );
    state.insert(
        term::RECOMMENDED_STRATEGY.name.to_owned(),
        known_or_unknown(tier.objective(), |o| {
            Value::string(Strategy::recommended_for(o).name())
        }),
    );
    state.insert(
        term::TAGS.name.to_owned(),
        known_or_unknown(
            tier.level.known().zip(tier.rto_seconds.known()),
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

#[async_trait]
impl Resource for TierResource {
    fn schema(&self) -> &BlockSchema {
        &self.schema
    }

    fn plan(
        &self,
        _cx: &Context,
        prior: &Value,
        proposed: &Value,
    ) -> Result<Planned, Vec<Diagnostic>> {
        let diagnostics = validate(self, proposed);
        if has_errors(&diagnostics) {
            return Err(diagnostics);
        }
        let state = with_computed(proposed);
        Ok(Planned {
            requires_replace: self.replacing_attributes(prior, &state),
            state,
            diagnostics,
        })
    }

    async fn apply(
        &self,
        _cx: &Context,
        _prior: &Value,
        planned: &Value,
    ) -> Result<Value, Vec<Diagnostic>> {
        let diagnostics = validate(self, planned);
        if has_errors(&diagnostics) {
            return Err(diagnostics);
        }
        let state = with_computed(planned);
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
        if has_errors(&validate(self, &stored)) {
            return stored;
        }
        let recomputed = with_computed(&stored);
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
    use crate::resources::test_support::{block_on, offline};

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
                &offline(),
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
        assert_eq!(
            block_on(tier.apply(&offline(), &Value::Null, state)).unwrap(),
            *state
        );
    }

    #[test]
    fn unknown_inputs_leave_only_their_outputs_unknown() {
        let tier = TierResource::new();
        let planned = tier
            .plan(
                &offline(),
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
        assert!(validate(
            &tier,
            &config(
                Value::Unknown,
                Value::Unknown,
                Value::Unknown,
                Value::Unknown
            )
        )
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
        let diagnostics = validate(
            &tier,
            &config(
                number("0"),
                Value::string("15x"),
                Value::string("1.5h"),
                regions,
            ),
        );
        let at: Vec<_> = diagnostics.iter().map(|d| d.attribute.join(".")).collect();
        assert_eq!(at, ["level", "rto", "rpo", "allowed_regions"]);
        assert!(
            diagnostics[3]
                .detail
                .contains("Did you mean \"eu-west-1\"?"),
            "{:?}",
            diagnostics[3]
        );
        assert!(validate(
            &tier,
            &config(
                number("2.5"),
                Value::string("1h"),
                Value::string("1h"),
                Value::Null
            )
        )[0]
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
                &offline(),
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
        let planned = tier
            .plan(&offline(), &prior, &Value::Object(renamed))
            .unwrap();
        assert_eq!(planned.requires_replace, ["name"]);
        assert_eq!(
            tier.plan(&offline(), &prior, &prior)
                .unwrap()
                .requires_replace,
            Vec::<String>::new()
        );
    }
}
