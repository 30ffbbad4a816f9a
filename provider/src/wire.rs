//! Plugin protocol 6: the `tfplugin6.Provider` service, mapped onto the provider's resources.
//!
//! Every RPC of protocol 6.9 is answered. Those a version of Terraform or OpenTofu may call for
//! features this provider does not offer (data sources, ephemeral resources, functions, identity,
//! moves) answer the way a client expects of a provider without them: empty lists, or an error
//! diagnostic naming the unknown type.

use std::collections::{BTreeMap, HashMap};

use dr_proto::tfplugin6 as pb;
use dr_proto::tonic::{Request, Response, Status};
use tokio::sync::watch;

use std::sync::RwLock;

pub use crate::config::provider_schema;
use crate::config::{configure, Configured};
use crate::context::Context;
use crate::log;
use crate::schema::{validate, BlockSchema, Diagnostic, NestedBlock, Presence, Resource, Severity};
use crate::value::{decode_json, decode_msgpack, encode_msgpack, JsonObjects, Type, Value};

/// The provider as the protocol sees it.
pub struct ProviderService {
    resources: BTreeMap<&'static str, Box<dyn Resource>>,
    provider_schema: BlockSchema,
    /// Set to true when Terraform asks the provider to stop.
    stop: watch::Sender<bool>,
    /// What ConfigureProvider established; offline until then.
    configured: RwLock<Configured>,
}

impl ProviderService {
    pub fn new(stop: watch::Sender<bool>) -> Self {
        let resources = crate::resources::all()
            .into_iter()
            .map(|r| (r.schema().type_name, r))
            .collect();
        ProviderService {
            resources,
            provider_schema: provider_schema(),
            stop,
            configured: RwLock::new(Configured::unconfigured()),
        }
    }

    /// The context one RPC runs in: the configured cloud, and the clock read once.
    fn context(&self) -> Context {
        self.configured
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .context()
    }

    fn resource(&self, type_name: &str) -> Result<&dyn Resource, Vec<pb::Diagnostic>> {
        self.resources
            .get(type_name)
            .map(|r| r.as_ref())
            .ok_or_else(|| {
                vec![to_proto_diagnostic(&unknown_type(
                    "resource type",
                    type_name,
                    self.resources.keys().copied(),
                ))]
            })
    }
}

fn unknown_type<'a>(kind: &str, name: &str, known: impl Iterator<Item = &'a str>) -> Diagnostic {
    let known: Vec<_> = known.collect();
    let offered = if known.is_empty() {
        format!("This provider has no {kind}s.")
    } else {
        format!("This provider's {kind}s are: {}.", known.join(", "))
    };
    Diagnostic::error(format!("Unsupported {kind} \"{name}\""), offered)
}

// ---- conversions ------------------------------------------------------------------------------

fn to_proto_attributes(
    attributes: &[crate::schema::AttributeSchema],
) -> Vec<pb::schema::Attribute> {
    attributes
        .iter()
        .map(|attribute| pb::schema::Attribute {
            name: attribute.name.to_owned(),
            r#type: attribute.ty.to_json().to_string().into_bytes(),
            description: attribute.description.to_owned(),
            description_kind: pb::StringKind::Markdown as i32,
            required: attribute.presence == Presence::Required,
            optional: matches!(
                attribute.presence,
                Presence::Optional | Presence::OptionalComputed
            ),
            computed: matches!(
                attribute.presence,
                Presence::Computed | Presence::OptionalComputed
            ),
            sensitive: attribute.sensitive,
            ..Default::default()
        })
        .collect()
}

fn to_proto_block(block: &NestedBlock) -> pb::schema::NestedBlock {
    pb::schema::NestedBlock {
        type_name: block.name.to_owned(),
        block: Some(pb::schema::Block {
            attributes: to_proto_attributes(&block.attributes),
            description: block.description.to_owned(),
            description_kind: pb::StringKind::Markdown as i32,
            ..Default::default()
        }),
        nesting: pb::schema::nested_block::NestingMode::Single as i32,
        min_items: 0,
        max_items: 0,
    }
}

pub fn to_proto_schema(schema: &BlockSchema) -> pb::Schema {
    pb::Schema {
        version: schema.version,
        block: Some(pb::schema::Block {
            version: schema.version,
            attributes: to_proto_attributes(&schema.attributes),
            block_types: schema.blocks.iter().map(to_proto_block).collect(),
            description: schema.description.to_owned(),
            description_kind: pb::StringKind::Markdown as i32,
            ..Default::default()
        }),
    }
}

pub fn to_proto_diagnostic(diagnostic: &Diagnostic) -> pb::Diagnostic {
    let attribute =
        (!diagnostic.attribute.is_empty()).then(|| attribute_path(&diagnostic.attribute));
    pb::Diagnostic {
        severity: match diagnostic.severity {
            Severity::Error => pb::diagnostic::Severity::Error as i32,
            Severity::Warning => pb::diagnostic::Severity::Warning as i32,
        },
        summary: diagnostic.summary.clone(),
        detail: diagnostic.detail.clone(),
        attribute,
    }
}

fn attribute_path(names: &[String]) -> pb::AttributePath {
    pb::AttributePath {
        steps: names
            .iter()
            .map(|name| pb::attribute_path::Step {
                selector: Some(pb::attribute_path::step::Selector::AttributeName(
                    name.clone(),
                )),
            })
            .collect(),
    }
}

fn diagnostics(list: &[Diagnostic]) -> Vec<pb::Diagnostic> {
    list.iter().map(to_proto_diagnostic).collect()
}

/// Decodes a `DynamicValue` (msgpack, or JSON from clients that send it) of type `ty`; absent
/// means null.
pub fn decode(
    value: Option<&pb::DynamicValue>,
    ty: &Type,
    what: &str,
) -> Result<Value, Vec<pb::Diagnostic>> {
    let failure = |problem: String| {
        vec![to_proto_diagnostic(&Diagnostic::error(
            format!("Cannot read {what}"),
            format!("{problem}. This is a bug in the provider or a Terraform version it does not support; please report it."),
        ))]
    };
    let Some(value) = value else {
        return Ok(Value::Null);
    };
    if !value.msgpack.is_empty() {
        decode_msgpack(&value.msgpack, ty).map_err(|error| failure(error.to_string()))
    } else if !value.json.is_empty() {
        let json: serde_json::Value =
            serde_json::from_slice(&value.json).map_err(|error| failure(error.to_string()))?;
        decode_json(&json, ty, JsonObjects::Exact).map_err(|error| failure(error.to_string()))
    } else {
        Ok(Value::Null)
    }
}

pub fn encode(value: &Value, ty: &Type) -> Result<pb::DynamicValue, Vec<pb::Diagnostic>> {
    encode_msgpack(value, ty)
        .map(|msgpack| pb::DynamicValue {
            msgpack,
            json: Vec::new(),
        })
        .map_err(|error| {
            vec![to_proto_diagnostic(&Diagnostic::error(
                "Cannot encode a value for Terraform",
                format!("{error}. This is a bug in the provider; please report it."),
            ))]
        })
}

fn capabilities() -> pb::ServerCapabilities {
    pb::ServerCapabilities {
        plan_destroy: true,
        get_provider_schema_optional: true,
        move_resource_state: false,
    }
}

fn trace(rpc: &str, type_name: &str) {
    log::debug(
        "served",
        &[("tf_rpc", rpc), ("tf_resource_type", type_name)],
    );
}

type Reply<T> = Result<Response<T>, Status>;

/// Unwraps a step that failed with diagnostics into an early reply carrying them.
macro_rules! attempt {
    ($result:expr, $reply:expr) => {
        match $result {
            Ok(value) => value,
            Err(diagnostics) => {
                #[allow(clippy::field_reassign_with_default)]
                let reply = {
                    let mut reply = $reply;
                    reply.diagnostics = diagnostics;
                    reply
                };
                return Ok(Response::new(reply));
            }
        }
    };
}

#[dr_proto::tonic::async_trait]
impl pb::provider_server::Provider for ProviderService {
    async fn get_metadata(
        &self,
        _: Request<pb::get_metadata::Request>,
    ) -> Reply<pb::get_metadata::Response> {
        trace("GetMetadata", "");
        Ok(Response::new(pb::get_metadata::Response {
            server_capabilities: Some(capabilities()),
            resources: self
                .resources
                .keys()
                .map(|name| pb::get_metadata::ResourceMetadata {
                    type_name: (*name).to_owned(),
                })
                .collect(),
            ..Default::default()
        }))
    }

    async fn get_provider_schema(
        &self,
        _: Request<pb::get_provider_schema::Request>,
    ) -> Reply<pb::get_provider_schema::Response> {
        trace("GetProviderSchema", "");
        Ok(Response::new(pb::get_provider_schema::Response {
            provider: Some(to_proto_schema(&self.provider_schema)),
            resource_schemas: self
                .resources
                .iter()
                .map(|(name, resource)| ((*name).to_owned(), to_proto_schema(resource.schema())))
                .collect(),
            server_capabilities: Some(capabilities()),
            provider_meta: Some(pb::Schema {
                version: 0,
                block: Some(pb::schema::Block::default()),
            }),
            ..Default::default()
        }))
    }

    async fn validate_provider_config(
        &self,
        request: Request<pb::validate_provider_config::Request>,
    ) -> Reply<pb::validate_provider_config::Response> {
        trace("ValidateProviderConfig", "");
        let request = request.into_inner();
        let ty = self.provider_schema.value_type();
        let config = attempt!(
            decode(request.config.as_ref(), &ty, "the provider configuration"),
            pb::validate_provider_config::Response::default()
        );
        Ok(Response::new(pb::validate_provider_config::Response {
            diagnostics: diagnostics(&self.provider_schema.check(&config)),
        }))
    }

    async fn validate_resource_config(
        &self,
        request: Request<pb::validate_resource_config::Request>,
    ) -> Reply<pb::validate_resource_config::Response> {
        let request = request.into_inner();
        trace("ValidateResourceConfig", &request.type_name);
        let empty = pb::validate_resource_config::Response::default;
        let resource = attempt!(self.resource(&request.type_name), empty());
        let config = attempt!(
            decode(
                request.config.as_ref(),
                &resource.schema().value_type(),
                "the resource configuration"
            ),
            empty()
        );
        // Warnings wait for plan, which checks again with more known: said once, not twice.
        let errors: Vec<Diagnostic> = validate(resource, &config)
            .into_iter()
            .filter(|d| d.severity == Severity::Error)
            .collect();
        Ok(Response::new(pb::validate_resource_config::Response {
            diagnostics: diagnostics(&errors),
        }))
    }

    async fn validate_data_resource_config(
        &self,
        request: Request<pb::validate_data_resource_config::Request>,
    ) -> Reply<pb::validate_data_resource_config::Response> {
        let name = request.into_inner().type_name;
        Ok(Response::new(pb::validate_data_resource_config::Response {
            diagnostics: diagnostics(&[unknown_type("data source", &name, std::iter::empty())]),
        }))
    }

    async fn upgrade_resource_state(
        &self,
        request: Request<pb::upgrade_resource_state::Request>,
    ) -> Reply<pb::upgrade_resource_state::Response> {
        let request = request.into_inner();
        trace("UpgradeResourceState", &request.type_name);
        let empty = pb::upgrade_resource_state::Response::default;
        let resource = attempt!(self.resource(&request.type_name), empty());
        let ty = resource.schema().value_type();
        let raw = request.raw_state.unwrap_or_default();
        if raw.json.is_empty() {
            let detail = if raw.flatmap.is_empty() {
                "Terraform sent no stored state."
            } else {
                "The stored state is in the flatmap format of Terraform 0.11, which this provider never wrote. Remove the resource from state (`terraform state rm`) and apply again."
            };
            return Ok(Response::new(pb::upgrade_resource_state::Response {
                diagnostics: diagnostics(&[Diagnostic::error(
                    "Cannot upgrade stored state",
                    detail,
                )]),
                ..Default::default()
            }));
        }
        let upgraded = serde_json::from_slice::<serde_json::Value>(&raw.json)
            .map_err(|e| e.to_string())
            .and_then(|json| {
                decode_json(&json, &ty, JsonObjects::Lenient).map_err(|e| e.to_string())
            })
            .map_err(|problem| {
                diagnostics(&[Diagnostic::error(
                    "Cannot read stored state",
                    format!(
                        "The state of this {} is not what the provider wrote: {problem}.",
                        request.type_name
                    ),
                )])
            });
        let upgraded = resource.upgrade(attempt!(upgraded, empty()));
        Ok(Response::new(pb::upgrade_resource_state::Response {
            upgraded_state: Some(attempt!(encode(&upgraded, &ty), empty())),
            diagnostics: Vec::new(),
        }))
    }

    async fn get_resource_identity_schemas(
        &self,
        _: Request<pb::get_resource_identity_schemas::Request>,
    ) -> Reply<pb::get_resource_identity_schemas::Response> {
        Ok(Response::new(Default::default()))
    }

    async fn upgrade_resource_identity(
        &self,
        request: Request<pb::upgrade_resource_identity::Request>,
    ) -> Reply<pb::upgrade_resource_identity::Response> {
        let name = request.into_inner().type_name;
        Ok(Response::new(pb::upgrade_resource_identity::Response {
            diagnostics: diagnostics(&[Diagnostic::error(
                format!("No resource identity for \"{name}\""),
                "This provider's resources have no resource identity.",
            )]),
            ..Default::default()
        }))
    }

    async fn configure_provider(
        &self,
        request: Request<pb::configure_provider::Request>,
    ) -> Reply<pb::configure_provider::Response> {
        let request = request.into_inner();
        log::info(
            "configured",
            &[("terraform_version", &request.terraform_version)],
        );
        let ty = self.provider_schema.value_type();
        let empty = pb::configure_provider::Response::default;
        let config = attempt!(
            decode(request.config.as_ref(), &ty, "the provider configuration"),
            empty()
        );
        let configured = attempt!(
            configure(&config).await.map_err(|d| diagnostics(&d)),
            empty()
        );
        *self
            .configured
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) = configured;
        Ok(Response::new(Default::default()))
    }

    async fn read_resource(
        &self,
        request: Request<pb::read_resource::Request>,
    ) -> Reply<pb::read_resource::Response> {
        let request = request.into_inner();
        trace("ReadResource", &request.type_name);
        let empty = pb::read_resource::Response::default;
        let resource = attempt!(self.resource(&request.type_name), empty());
        let ty = resource.schema().value_type();
        let current = attempt!(
            decode(request.current_state.as_ref(), &ty, "the current state"),
            empty()
        );
        let state = attempt!(resource.read(current).map_err(|d| diagnostics(&d)), empty());
        Ok(Response::new(pb::read_resource::Response {
            new_state: Some(attempt!(encode(&state, &ty), empty())),
            private: request.private,
            ..Default::default()
        }))
    }

    async fn plan_resource_change(
        &self,
        request: Request<pb::plan_resource_change::Request>,
    ) -> Reply<pb::plan_resource_change::Response> {
        let request = request.into_inner();
        trace("PlanResourceChange", &request.type_name);
        let empty = pb::plan_resource_change::Response::default;
        let resource = attempt!(self.resource(&request.type_name), empty());
        let ty = resource.schema().value_type();
        let prior = attempt!(
            decode(request.prior_state.as_ref(), &ty, "the prior state"),
            empty()
        );
        let proposed = attempt!(
            decode(
                request.proposed_new_state.as_ref(),
                &ty,
                "the proposed new state"
            ),
            empty()
        );
        if proposed.is_null() {
            // Destroying: nothing to plan beyond the object going away.
            return Ok(Response::new(pb::plan_resource_change::Response {
                planned_state: Some(attempt!(encode(&Value::Null, &ty), empty())),
                planned_private: request.prior_private,
                ..Default::default()
            }));
        }
        let planned = attempt!(
            resource
                .plan(&self.context(), &prior, &proposed)
                .map_err(|d| diagnostics(&d)),
            empty()
        );
        Ok(Response::new(pb::plan_resource_change::Response {
            planned_state: Some(attempt!(encode(&planned.state, &ty), empty())),
            requires_replace: planned
                .requires_replace
                .iter()
                .map(|name| attribute_path(std::slice::from_ref(name)))
                .collect(),
            planned_private: request.prior_private,
            diagnostics: diagnostics(&planned.diagnostics),
            ..Default::default()
        }))
    }

    async fn apply_resource_change(
        &self,
        request: Request<pb::apply_resource_change::Request>,
    ) -> Reply<pb::apply_resource_change::Response> {
        let request = request.into_inner();
        trace("ApplyResourceChange", &request.type_name);
        let empty = pb::apply_resource_change::Response::default;
        let resource = attempt!(self.resource(&request.type_name), empty());
        let ty = resource.schema().value_type();
        let planned = attempt!(
            decode(request.planned_state.as_ref(), &ty, "the planned state"),
            empty()
        );
        let prior = attempt!(
            decode(request.prior_state.as_ref(), &ty, "the prior state"),
            empty()
        );
        let new_state = if planned.is_null() {
            Value::Null
        } else {
            let cx = self.context();
            attempt!(
                resource
                    .apply(&cx, &prior, &planned)
                    .await
                    .map_err(|d| diagnostics(&d)),
                empty()
            )
        };
        Ok(Response::new(pb::apply_resource_change::Response {
            new_state: Some(attempt!(encode(&new_state, &ty), empty())),
            private: request.planned_private,
            ..Default::default()
        }))
    }

    async fn import_resource_state(
        &self,
        request: Request<pb::import_resource_state::Request>,
    ) -> Reply<pb::import_resource_state::Response> {
        let request = request.into_inner();
        let empty = pb::import_resource_state::Response::default;
        attempt!(self.resource(&request.type_name), empty());
        Ok(Response::new(pb::import_resource_state::Response {
            diagnostics: diagnostics(&[Diagnostic::error(
                format!("{} cannot be imported", request.type_name),
                "It describes a DR promise that lives only in configuration; there is no remote object to import. Declare it in configuration and apply.",
            )]),
            ..Default::default()
        }))
    }

    async fn move_resource_state(
        &self,
        request: Request<pb::move_resource_state::Request>,
    ) -> Reply<pb::move_resource_state::Response> {
        let request = request.into_inner();
        Ok(Response::new(pb::move_resource_state::Response {
            diagnostics: diagnostics(&[Diagnostic::error(
                "Moving state between resource types is not supported",
                format!(
                    "Cannot move {} from {} into {}: this provider offers no state moves.",
                    request.source_type_name,
                    request.source_provider_address,
                    request.target_type_name
                ),
            )]),
            ..Default::default()
        }))
    }

    async fn read_data_source(
        &self,
        request: Request<pb::read_data_source::Request>,
    ) -> Reply<pb::read_data_source::Response> {
        let name = request.into_inner().type_name;
        Ok(Response::new(pb::read_data_source::Response {
            diagnostics: diagnostics(&[unknown_type("data source", &name, std::iter::empty())]),
            ..Default::default()
        }))
    }

    async fn validate_ephemeral_resource_config(
        &self,
        request: Request<pb::validate_ephemeral_resource_config::Request>,
    ) -> Reply<pb::validate_ephemeral_resource_config::Response> {
        let name = request.into_inner().type_name;
        Ok(Response::new(
            pb::validate_ephemeral_resource_config::Response {
                diagnostics: diagnostics(&[unknown_type(
                    "ephemeral resource type",
                    &name,
                    std::iter::empty(),
                )]),
            },
        ))
    }

    async fn open_ephemeral_resource(
        &self,
        request: Request<pb::open_ephemeral_resource::Request>,
    ) -> Reply<pb::open_ephemeral_resource::Response> {
        let name = request.into_inner().type_name;
        Ok(Response::new(pb::open_ephemeral_resource::Response {
            diagnostics: diagnostics(&[unknown_type(
                "ephemeral resource type",
                &name,
                std::iter::empty(),
            )]),
            ..Default::default()
        }))
    }

    async fn renew_ephemeral_resource(
        &self,
        request: Request<pb::renew_ephemeral_resource::Request>,
    ) -> Reply<pb::renew_ephemeral_resource::Response> {
        let name = request.into_inner().type_name;
        Ok(Response::new(pb::renew_ephemeral_resource::Response {
            diagnostics: diagnostics(&[unknown_type(
                "ephemeral resource type",
                &name,
                std::iter::empty(),
            )]),
            ..Default::default()
        }))
    }

    async fn close_ephemeral_resource(
        &self,
        request: Request<pb::close_ephemeral_resource::Request>,
    ) -> Reply<pb::close_ephemeral_resource::Response> {
        let name = request.into_inner().type_name;
        Ok(Response::new(pb::close_ephemeral_resource::Response {
            diagnostics: diagnostics(&[unknown_type(
                "ephemeral resource type",
                &name,
                std::iter::empty(),
            )]),
        }))
    }

    async fn get_functions(
        &self,
        _: Request<pb::get_functions::Request>,
    ) -> Reply<pb::get_functions::Response> {
        Ok(Response::new(pb::get_functions::Response {
            functions: HashMap::new(),
            diagnostics: Vec::new(),
        }))
    }

    async fn call_function(
        &self,
        request: Request<pb::call_function::Request>,
    ) -> Reply<pb::call_function::Response> {
        let name = request.into_inner().name;
        Ok(Response::new(pb::call_function::Response {
            result: None,
            error: Some(pb::FunctionError {
                text: format!("This provider has no function \"{name}\"."),
                function_argument: None,
            }),
        }))
    }

    async fn stop_provider(
        &self,
        _: Request<pb::stop_provider::Request>,
    ) -> Reply<pb::stop_provider::Response> {
        log::info("stop requested", &[]);
        self.stop.send_replace(true);
        Ok(Response::new(pb::stop_provider::Response::default()))
    }
}

/// The service ready to mount on a gRPC server.
pub fn provider_server(
    service: ProviderService,
) -> pb::provider_server::ProviderServer<ProviderService> {
    pb::provider_server::ProviderServer::new(service)
}
