//! The provider block: its schema, its typed configuration, and what configuring it yields.

use std::sync::Arc;

use dr_vocab::terms::provider as term;

use crate::context::{Clock, Cloud, Context, Offline};
use crate::schema::{
    has_errors, Arg, Args, AttributeSchema, BlockSchema, Check, Diagnostic, NestedBlock, Presence,
};
use crate::value::{Type, Value};

/// The provider block's schema: every argument optional.
pub fn provider_schema() -> BlockSchema {
    use Presence::*;
    BlockSchema {
        type_name: "dr",
        version: 0,
        description: term::SUMMARY,
        attributes: vec![
            AttributeSchema::term(term::REGION, Type::String, Optional).check(Check::AwsRegion),
            AttributeSchema::term(term::PROFILE, Type::String, Optional).check(Check::NotBlank),
            AttributeSchema::term(term::STS_ENDPOINT, Type::String, Optional).check(Check::HttpUrl),
            AttributeSchema::term(term::ALLOWED_ACCOUNT_IDS, Type::set(Type::String), Optional)
                .check(Check::AccountId),
            AttributeSchema::term(
                term::FORBIDDEN_ACCOUNT_IDS,
                Type::set(Type::String),
                Optional,
            )
            .check(Check::AccountId),
            AttributeSchema::term(term::SKIP_CREDENTIALS_VALIDATION, Type::Bool, Optional),
        ],
        blocks: vec![NestedBlock::term(
            term::ASSUME_ROLE,
            vec![
                AttributeSchema::term(term::ASSUME_ROLE_ARN, Type::String, Required)
                    .check(Check::RoleArn),
                AttributeSchema::term(term::ASSUME_ROLE_SESSION_NAME, Type::String, Optional)
                    .check(Check::NotBlank),
                AttributeSchema::term(term::ASSUME_ROLE_EXTERNAL_ID, Type::String, Optional)
                    .check(Check::NotBlank),
            ],
        )],
    }
}

/// A role the provider assumes before anything else.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssumeRoleConfig {
    pub role_arn: String,
    pub session_name: Option<String>,
    pub external_id: Option<String>,
}

/// The provider block as configured, its checks passed. Never holds credentials: those come
/// from the standard AWS chain when the provider connects.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProviderConfig {
    pub region: Option<String>,
    pub profile: Option<String>,
    pub sts_endpoint: Option<String>,
    pub assume_role: Option<AssumeRoleConfig>,
    pub allowed_account_ids: Vec<String>,
    pub forbidden_account_ids: Vec<String>,
    pub skip_credentials_validation: bool,
}

fn owned(arg: Arg<&str>) -> Option<String> {
    arg.known().map(str::to_owned)
}

fn owned_all(arg: Arg<Vec<&str>>) -> Vec<String> {
    arg.known()
        .unwrap_or_default()
        .into_iter()
        .map(str::to_owned)
        .collect()
}

impl ProviderConfig {
    /// Checks and reads the provider block. Values unknown at configure time (the provider
    /// block may depend on resources) are an error: the provider must know whom to call.
    pub fn read(config: &Value) -> Result<ProviderConfig, Vec<Diagnostic>> {
        let schema = provider_schema();
        let mut diagnostics = schema.check(config);
        for attribute in &schema.attributes {
            if config.attribute(attribute.name).is_unknown() {
                diagnostics.push(
                    Diagnostic::error(
                        format!("{} is not known yet", attribute.name),
                        "The dr provider's configuration must be known before planning; do not derive it from resources of the same configuration.",
                    )
                    .at(attribute.name),
                );
            }
        }
        let allowed = owned_all(config.texts(term::ALLOWED_ACCOUNT_IDS.name));
        let forbidden = owned_all(config.texts(term::FORBIDDEN_ACCOUNT_IDS.name));
        if !allowed.is_empty() && !forbidden.is_empty() {
            diagnostics.push(
                Diagnostic::error(
                    "Conflicting account guards",
                    "Set allowed_account_ids or forbidden_account_ids, not both.",
                )
                .at(term::FORBIDDEN_ACCOUNT_IDS.name),
            );
        }
        if has_errors(&diagnostics) {
            return Err(diagnostics);
        }
        let assume_role = config.attribute(term::ASSUME_ROLE.name);
        Ok(ProviderConfig {
            region: owned(config.text(term::REGION.name)),
            profile: owned(config.text(term::PROFILE.name)),
            sts_endpoint: owned(config.text(term::STS_ENDPOINT.name)),
            assume_role: owned(assume_role.text(term::ASSUME_ROLE_ARN.name)).map(|role_arn| {
                AssumeRoleConfig {
                    role_arn,
                    session_name: owned(assume_role.text(term::ASSUME_ROLE_SESSION_NAME.name)),
                    external_id: owned(assume_role.text(term::ASSUME_ROLE_EXTERNAL_ID.name)),
                }
            }),
            allowed_account_ids: allowed,
            forbidden_account_ids: forbidden,
            skip_credentials_validation: matches!(
                config.attribute(term::SKIP_CREDENTIALS_VALIDATION.name),
                Value::Bool(true)
            ),
        })
    }

    pub fn has_account_guard(&self) -> bool {
        !self.allowed_account_ids.is_empty() || !self.forbidden_account_ids.is_empty()
    }
}

/// The provider once configured: its clock and its cloud. Each RPC takes a [`Context`] from it,
/// so time moves on between plans while one RPC sees one instant.
#[derive(Clone)]
pub struct Configured {
    pub clock: Clock,
    pub cloud: Arc<dyn Cloud>,
}

impl Configured {
    pub fn context(&self) -> Context {
        Context {
            now: self.clock.now(),
            cloud: Arc::clone(&self.cloud),
        }
    }

    /// Before ConfigureProvider (Terraform validates without configuring): offline.
    pub fn unconfigured() -> Configured {
        Configured {
            clock: Clock::from_env().unwrap_or(Clock::System),
            cloud: Arc::new(Offline {
                reason: "the provider is not configured yet".to_owned(),
            }),
        }
    }
}

/// Configures the provider: reads the clock and connects to AWS as `config` asks.
pub async fn configure(config: &Value) -> Result<Configured, Vec<Diagnostic>> {
    let settings = ProviderConfig::read(config)?;
    let clock = Clock::from_env().map_err(|problem| {
        vec![Diagnostic::error(
            "Invalid provider clock",
            format!("{problem}. Unset it to use the system clock."),
        )]
    })?;
    let cloud = crate::aws_cloud::connect(&settings).await?;
    Ok(Configured { clock, cloud })
}
