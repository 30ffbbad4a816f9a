//! Loading the JSON that `terraform show -json` prints for a saved plan (or for a state).
//!
//! A [`PlanDocument`] holds the managed resources that will exist after apply, each with its
//! planned values. Rules ask a [`PlannedResource`] for one attribute at a time and get a
//! [`PlanValue`]: known, unknown until apply, or not set (the provider default applies). Telling
//! the last two apart is the point of this module, because a linter that reads "known after
//! apply" as "off" raises false alarms, and one that reads "not set" as "unknown" misses real
//! gaps.
//!
//! ```
//! use drlint::plan::{PathStep, PlanDocument, PlanValue};
//!
//! let json = br#"{"format_version": "1.2", "resource_changes": [{
//!     "address": "aws_db_instance.db[\"orders\"]", "mode": "managed",
//!     "type": "aws_db_instance", "name": "db", "index": "orders",
//!     "provider_name": "registry.terraform.io/hashicorp/aws",
//!     "change": {"actions": ["create"], "before": null,
//!                "after": {"multi_az": false, "tags_all": {"dr-tier": "1"}},
//!                "after_unknown": {"endpoint": true}}}]}"#;
//! let plan = PlanDocument::parse(json)?;
//! let db = &plan.resources[0];
//! assert_eq!(db.attribute("multi_az").as_bool(), Some(false));
//! assert_eq!(db.value(&[PathStep::Key("endpoint")]), PlanValue::Unknown);
//! assert_eq!(db.attribute("storage_encrypted"), PlanValue::NotSet);
//! assert_eq!(db.tag("dr-tier").as_str(), Some("1"));
//! # Ok::<(), drlint::plan::PlanError>(())
//! ```
//!
//! # Where the answer comes from
//!
//! For a plan, from `resource_changes[].change`:
//!
//! 1. `after_unknown` marks the attribute, or anything containing it, `true` → unknown.
//! 2. `after` holds a non-null value → known.
//! 3. Otherwise the resource's block in `configuration` decides (matched by module path and
//!    address without instance keys). The attribute written there (as an expression that came
//!    out null, say `multi_az = var.multi_az` with a null variable) → known `null`: the author
//!    wrote it, the provider default applies. Not written → not set. When the configuration
//!    does not describe the resource, null and absent both read as not set, which is what
//!    Terraform itself makes of a null argument.
//!
//! Documents without `resource_changes` (plans from tools that trim them, `show -json` on a
//! state) are read from `planned_values` or `values`, where unknown values are simply left out;
//! there an attribute missing from the values but written in the configuration as a
//! non-constant expression is unknown.
//!
//! # Input
//!
//! UTF-8 with or without a byte order mark, and UTF-16 LE or BE (with a BOM, or recognised by
//! its NUL bytes), which is what Windows PowerShell redirection writes. Every `format_version`
//! 0.x and 1.x; 2.0 and later are refused with a message, since a new major version may change
//! what the fields mean.
//!
//! # Cost
//!
//! The document is parsed once, straight into the few structures kept; `before`, `prior_state`,
//! sensitivity masks and the other sections are skipped without allocating, and the duplicate
//! `planned_values` is only delimited, not built. UTF-8 input is never copied. Memory is the
//! input plus the kept values.

mod address;
mod encoding;
mod error;
mod raw;
mod sniff;
mod value;

use std::collections::HashMap;
use std::sync::Arc;

use serde::Deserialize;
use serde_json::{Map, Value};

pub use address::InstanceKey;
pub use error::{PlanError, Position};
pub use value::{PathStep, PlanValue};

use error::{position_at, position_from_serde, serde_detail};
use value::{any_unknown, configured, marked_unknown, walk, Configured, NULL};

/// A plan (or state) as printed by `terraform show -json`.
#[derive(Debug, Clone)]
pub struct PlanDocument {
    /// As written, e.g. `"1.2"`; empty when the document leaves it out.
    pub format_version: String,
    pub terraform_version: Option<String>,
    /// Which section of the document the resources were read from.
    pub source: ResourceSource,
    /// Managed resources that exist after apply, in document order.
    pub resources: Vec<PlannedResource>,
    /// Root module input variables and their values (`variables.NAME.value`).
    pub variables: Map<String, Value>,
    /// Provider configurations (`configuration.provider_config`), `default_tags` included.
    pub provider_configs: Vec<ProviderConfig>,
    /// Terraform stopped planning on an error (format 1.2+): the plan may be incomplete.
    pub errored: bool,
}

/// The section of the document that listed the resources.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResourceSource {
    /// `resource_changes`: actions and `after_unknown` are known.
    ResourceChanges,
    /// `planned_values`, for a plan without `resource_changes`: no actions, and unknown values
    /// are only told apart through the configuration.
    PlannedValues,
    /// `values` of a state: everything is known, nothing changes.
    State,
}

/// One planned action on a resource instance. A replacement is `[Delete, Create]` or
/// `[Create, Delete]`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Action {
    Create,
    Update,
    Delete,
    NoOp,
    Read,
    /// Terraform 1.7+ `removed { lifecycle { destroy = false } }`: dropped from state, left alone.
    Forget,
    /// An action a later Terraform introduced, kept as written.
    Other(String),
}

impl<'de> Deserialize<'de> for Action {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let name = std::borrow::Cow::<'de, str>::deserialize(deserializer)?;
        Ok(match name.as_ref() {
            "create" => Action::Create,
            "update" => Action::Update,
            "delete" => Action::Delete,
            "no-op" => Action::NoOp,
            "read" => Action::Read,
            "forget" => Action::Forget,
            _ => Action::Other(name.into_owned()),
        })
    }
}

/// A managed resource instance as it will be after apply.
#[derive(Debug, Clone)]
pub struct PlannedResource {
    /// Exactly as Terraform writes it: `module.db.aws_db_instance.this[0]`,
    /// `aws_db_instance.db["orders"]`.
    pub address: String,
    /// The module instance, e.g. `module.app["eu"].module.db`; `None` in the root module.
    pub module_address: Option<String>,
    pub resource_type: String,
    pub name: String,
    pub index: Option<InstanceKey>,
    /// E.g. `registry.terraform.io/hashicorp/aws`; empty when the document leaves it out.
    pub provider_name: String,
    /// Empty when the document records no changes ([`ResourceSource::PlannedValues`] or
    /// [`ResourceSource::State`]).
    pub actions: Vec<Action>,
    after: Value,
    /// `None` when the document does not record which values are unknown.
    after_unknown: Option<Value>,
    configuration: Option<Arc<ConfiguredResource>>,
}

/// A resource block of the configuration, shared by all of its instances.
#[derive(Debug, Clone, PartialEq)]
pub struct ConfiguredResource {
    /// Without instance keys: `module.app.module.db.aws_db_instance.this`.
    pub address: String,
    /// The key into [`PlanDocument::provider_configs`], e.g. `aws.west` or `db:aws`.
    pub provider_config_key: Option<String>,
    /// Attribute and block expressions as `terraform show -json` writes them.
    pub expressions: Map<String, Value>,
    pub count_expression: Option<Value>,
    pub for_each_expression: Option<Value>,
}

/// A `provider` block of the configuration.
#[derive(Debug, Clone, PartialEq)]
pub struct ProviderConfig {
    /// `aws`, `aws.west`, or with a module prefix (`db:aws`, `module.db:aws`) in child modules.
    pub key: String,
    pub name: String,
    pub full_name: Option<String>,
    pub alias: Option<String>,
    pub module_address: Option<String>,
    pub expressions: Map<String, Value>,
}

impl ProviderConfig {
    /// The `default_tags { tags = … }` map: known when written as a constant, unknown when it
    /// is an expression of variables or locals, not set when there is no `default_tags`.
    pub fn default_tags(&self) -> PlanValue<'_> {
        let path = [
            PathStep::Key("default_tags"),
            PathStep::Index(0),
            PathStep::Key("tags"),
        ];
        match configured(&self.expressions, &path) {
            Configured::No => PlanValue::NotSet,
            Configured::Constant(value) => PlanValue::Known(value),
            Configured::Expression | Configured::Block => PlanValue::Unknown,
        }
    }

    /// The configured `region`, when written as a constant.
    pub fn region(&self) -> Option<&str> {
        match configured(&self.expressions, &[PathStep::Key("region")]) {
            Configured::Constant(value) => value.as_str(),
            _ => None,
        }
    }
}

impl PlannedResource {
    /// The planned value at an attribute path (e.g. `["multi_az"]`, `["replica", 0, "region"]`,
    /// `["tags_all", "dr-tier"]`); see the module documentation for how the answer is found.
    pub fn value(&self, path: &[PathStep<'_>]) -> PlanValue<'_> {
        if let Some(marks) = &self.after_unknown {
            if marked_unknown(marks, path) {
                return PlanValue::Unknown;
            }
        }
        let after = walk(&self.after, path);
        if let Some(value) = after.filter(|value| !value.is_null()) {
            return PlanValue::Known(value);
        }
        let written = self
            .configuration
            .as_deref()
            .map_or(Configured::No, |config| {
                configured(&config.expressions, path)
            });
        match written {
            Configured::No => PlanValue::NotSet,
            // Without unknown marks, a value the configuration computes but the document
            // leaves out is one Terraform could not know yet.
            Configured::Expression if self.after_unknown.is_none() => PlanValue::Unknown,
            Configured::Constant(constant) => PlanValue::Known(after.unwrap_or(constant)),
            Configured::Expression | Configured::Block => PlanValue::Known(after.unwrap_or(&NULL)),
        }
    }

    /// [`value`](Self::value) of a top-level attribute.
    pub fn attribute(&self, name: &str) -> PlanValue<'_> {
        self.value(&[PathStep::Key(name)])
    }

    /// The tags the resource ends up with: `tags_all` (resource tags merged over the provider's
    /// `default_tags`), or `tags` where the provider predates `tags_all`.
    pub fn tags(&self) -> PlanValue<'_> {
        match self.attribute("tags_all") {
            PlanValue::NotSet | PlanValue::Known(Value::Null) => self.attribute("tags"),
            tags_all => tags_all,
        }
    }

    /// One tag of [`tags`](Self::tags). When `tags_all` is unknown (a default tag computed
    /// at apply, say) a key the resource sets itself is still known: resource tags override
    /// default tags key by key.
    pub fn tag(&self, key: &str) -> PlanValue<'_> {
        let own = || self.value(&[PathStep::Key("tags"), PathStep::Key(key)]);
        match self.attribute("tags_all") {
            PlanValue::NotSet | PlanValue::Known(Value::Null) => own(),
            PlanValue::Unknown => match own() {
                PlanValue::Known(value) if !value.is_null() => PlanValue::Known(value),
                _ => PlanValue::Unknown,
            },
            PlanValue::Known(_) => {
                match self.value(&[PathStep::Key("tags_all"), PathStep::Key(key)]) {
                    PlanValue::Unknown => match own() {
                        PlanValue::Known(value) if !value.is_null() => PlanValue::Known(value),
                        _ => PlanValue::Unknown,
                    },
                    merged => merged,
                }
            }
        }
    }

    /// Whether any part of the value at `path` is unknown, for a [`PlanValue::Known`] list or
    /// object whose nulls may stand for values known only after apply. Always false when the
    /// document does not record unknown values.
    pub fn contains_unknown(&self, path: &[PathStep<'_>]) -> bool {
        let Some(marks) = &self.after_unknown else {
            return false;
        };
        marked_unknown(marks, path) || walk(marks, path).is_some_and(any_unknown)
    }

    /// Whether the configuration writes the attribute at `path` at all (as a constant, an
    /// expression or a block); `None` when the document does not carry the resource's block.
    ///
    /// This separates a provider-computed default from a value the author chose: the AWS
    /// provider computes an unwritten `multi_az` on create, so the plan marks it unknown,
    /// yet it will be the provider default (false).
    pub fn is_configured(&self, path: &[PathStep<'_>]) -> Option<bool> {
        self.configuration()
            .map(|config| configured(&config.expressions, path) != Configured::No)
    }

    /// The whole planned object (`change.after`, or the state's `values`).
    pub fn after(&self) -> &Value {
        &self.after
    }

    /// `change.after_unknown`, when the document records it.
    pub fn after_unknown(&self) -> Option<&Value> {
        self.after_unknown.as_ref()
    }

    /// The resource's block in the configuration, when the document carries it.
    pub fn configuration(&self) -> Option<&ConfiguredResource> {
        self.configuration.as_deref()
    }

    /// The provider configuration the resource uses (a key of
    /// [`PlanDocument::provider_configs`]), when the configuration names it.
    pub fn provider_config_key(&self) -> Option<&str> {
        self.configuration()
            .and_then(|config| config.provider_config_key.as_deref())
    }

    /// Whether the plan destroys the current object and creates a new one.
    pub fn is_replaced(&self) -> bool {
        self.actions.contains(&Action::Delete) && self.actions.contains(&Action::Create)
    }
}

impl PlanDocument {
    /// Reads the output of `terraform show -json` (plan or state) in any supported encoding.
    pub fn parse(bytes: &[u8]) -> Result<PlanDocument, PlanError> {
        let text = encoding::to_utf8(bytes)?;
        let text: &[u8] = &text;
        if text.iter().all(u8::is_ascii_whitespace) {
            return Err(PlanError::Empty);
        }
        let top = sniff::top_level(text);
        let document: raw::Document<'_> = match serde_json::from_slice(text) {
            Ok(document) => document,
            Err(error) => return Err(classify(text, 0, &top, &error)),
        };
        if !top.is_plan() {
            return Err(PlanError::NotAPlan {
                position: None,
                reason: top.reason(),
            });
        }
        let format_version = supported_format_version(document.format_version, text)?;
        let configuration = document.configuration.unwrap_or_default();
        let configured = index_configuration(configuration.root_module);
        let provider_configs = provider_configs(configuration.provider_config);

        let (source, resources) = if let Some(changes) = document.resource_changes {
            let resources = changes
                .into_iter()
                .filter_map(|change| from_change(change, &configured))
                .collect();
            (ResourceSource::ResourceChanges, resources)
        } else if let Some(planned) = document.planned_values {
            let resources = from_values(planned, text, &top, &configured)?;
            (ResourceSource::PlannedValues, resources)
        } else if let Some(values) = document.values {
            (
                ResourceSource::State,
                from_values(values, text, &top, &configured)?,
            )
        } else {
            // `terraform show -json` on an empty state prints the format version alone.
            (ResourceSource::State, Vec::new())
        };

        let variables = document
            .variables
            .into_iter()
            .map(|(name, variable)| {
                let value = match variable {
                    Value::Object(mut fields) => fields.remove("value").unwrap_or(Value::Null),
                    _ => Value::Null,
                };
                (name, value)
            })
            .collect();

        Ok(PlanDocument {
            format_version,
            terraform_version: document.terraform_version,
            source,
            resources,
            variables,
            provider_configs,
            errored: document.errored.unwrap_or(false),
        })
    }

    /// Whether `bytes` look like `terraform show -json` output, judged from the top-level keys
    /// only (cheap on any size: real plans decide within their first few keys). Any supported
    /// encoding. Does not check that the rest of the document is valid.
    pub fn looks_like_plan(bytes: &[u8]) -> bool {
        sniff::top_level(bytes).is_plan()
    }

    /// The resource at `address`, as Terraform writes it.
    pub fn resource(&self, address: &str) -> Option<&PlannedResource> {
        self.resources
            .iter()
            .find(|resource| resource.address == address)
    }

    /// The provider configuration with this key (see [`PlannedResource::provider_config_key`]).
    pub fn provider_config(&self, key: &str) -> Option<&ProviderConfig> {
        self.provider_configs
            .iter()
            .find(|config| config.key == key)
    }
}

/// Turns a serde_json failure on `text[base..]` into the error a person can act on.
fn classify(
    text: &[u8],
    base: usize,
    top: &sniff::TopLevel,
    error: &serde_json::Error,
) -> PlanError {
    use serde_json::error::Category;

    let position = position_from_serde(text, base, error);
    let detail = serde_detail(error);
    match error.classify() {
        Category::Eof => PlanError::Truncated { position },
        // The first object of a JSON-lines log parses; the next line is "trailing characters".
        _ if top.log_stream => PlanError::NotAPlan {
            position: None,
            reason: top.reason(),
        },
        Category::Syntax if detail.contains("unicode") => PlanError::Encoding {
            position: Some(position),
            detail: format!("the text is not valid UTF-8 here ({detail})"),
        },
        Category::Syntax | Category::Io => PlanError::Syntax { position, detail },
        Category::Data if !top.is_plan() => PlanError::NotAPlan {
            position: Some(position),
            reason: top.reason(),
        },
        Category::Data => {
            // A future major version may reshape fields; say that rather than "invalid type".
            #[derive(Deserialize)]
            struct VersionOnly {
                format_version: Option<String>,
            }
            let version = serde_json::from_slice::<VersionOnly>(text)
                .ok()
                .and_then(|only| only.format_version);
            match supported_format_version(version, text) {
                Err(unsupported) => unsupported,
                Ok(_) => PlanError::Shape { position, detail },
            }
        }
    }
}

fn supported_format_version(version: Option<String>, text: &[u8]) -> Result<String, PlanError> {
    let Some(version) = version else {
        return Ok(String::new());
    };
    let major = version
        .split('.')
        .next()
        .and_then(|major| major.trim().parse::<u64>().ok());
    match major {
        Some(0 | 1) => Ok(version),
        _ => {
            let key = b"\"format_version\"";
            let position = text
                .windows(key.len())
                .position(|window| window == key)
                .map(|offset| position_at(text, offset));
            Err(PlanError::UnsupportedFormat { version, position })
        }
    }
}

/// Configuration resource blocks by address without instance keys.
type ConfigIndex = HashMap<String, Arc<ConfiguredResource>>;

fn index_configuration(root: Option<raw::ConfigModule>) -> ConfigIndex {
    let mut index = HashMap::new();
    let mut pending = vec![(String::new(), root.unwrap_or_default())];
    while let Some((prefix, module)) = pending.pop() {
        for resource in module.resources {
            let is_data =
                resource.mode.as_deref() == Some("data") || resource.address.starts_with("data.");
            if is_data {
                continue;
            }
            let address = format!("{prefix}{}", resource.address);
            index.insert(
                address.clone(),
                Arc::new(ConfiguredResource {
                    address,
                    provider_config_key: resource.provider_config_key,
                    expressions: resource.expressions,
                    count_expression: resource.count_expression,
                    for_each_expression: resource.for_each_expression,
                }),
            );
        }
        for (name, call) in module.module_calls {
            if let Some(module) = call.module {
                pending.push((format!("{prefix}module.{name}."), module));
            }
        }
    }
    index
}

fn configuration_for(
    index: &ConfigIndex,
    module_address: Option<&str>,
    resource_type: &str,
    name: &str,
) -> Option<Arc<ConfiguredResource>> {
    let calls = address::module_calls(module_address.unwrap_or_default())?;
    let mut key = String::with_capacity(64);
    for call in calls {
        key.push_str("module.");
        key.push_str(call);
        key.push('.');
    }
    key.push_str(resource_type);
    key.push('.');
    key.push_str(name);
    index.get(&key).cloned()
}

fn provider_configs(configs: Map<String, Value>) -> Vec<ProviderConfig> {
    configs
        .into_iter()
        .map(|(key, config)| {
            let mut fields = match config {
                Value::Object(fields) => fields,
                _ => Map::new(),
            };
            let mut text = |field: &str| match fields.remove(field) {
                Some(Value::String(text)) => Some(text),
                _ => None,
            };
            let name = text("name");
            let full_name = text("full_name");
            let alias = text("alias");
            let module_address = text("module_address");
            let expressions = match fields.remove("expressions") {
                Some(Value::Object(expressions)) => expressions,
                _ => Map::new(),
            };
            ProviderConfig {
                name: name.unwrap_or_else(|| provider_name_from_key(&key)),
                key,
                full_name,
                alias,
                module_address,
                expressions,
            }
        })
        .collect()
}

/// `module.db:aws.west` → `aws`.
fn provider_name_from_key(key: &str) -> String {
    let local = key.rsplit(':').next().unwrap_or(key);
    local.split('.').next().unwrap_or(local).to_owned()
}

/// Whether a change leaves the resource in place after apply.
fn survives(actions: &[Action]) -> bool {
    actions.is_empty()
        || !actions
            .iter()
            .all(|action| matches!(action, Action::Delete | Action::Forget))
}

fn from_change(change: raw::ResourceChange, configured: &ConfigIndex) -> Option<PlannedResource> {
    let is_data = change.mode.as_deref() == Some("data") || change.address.starts_with("data.");
    if is_data || change.deposed.is_some() || !survives(&change.change.actions) {
        return None;
    }
    let module_address = change.module_address.or_else(|| {
        address::split_module(&change.address)
            .and_then(|(module, _)| module)
            .map(str::to_owned)
    });
    let configuration = configuration_for(
        configured,
        module_address.as_deref(),
        &change.resource_type,
        &change.name,
    );
    Some(PlannedResource {
        address: change.address,
        module_address,
        resource_type: change.resource_type,
        name: change.name,
        index: change.index,
        provider_name: change.provider_name.unwrap_or_default(),
        actions: change.change.actions,
        after: change.change.after.unwrap_or(Value::Null),
        after_unknown: change.change.after_unknown,
        configuration,
    })
}

fn from_values(
    values: &serde_json::value::RawValue,
    text: &[u8],
    top: &sniff::TopLevel,
    configured: &ConfigIndex,
) -> Result<Vec<PlannedResource>, PlanError> {
    // Errors inside the section are reported at their place in the whole file.
    let base = (values.get().as_ptr() as usize).saturating_sub(text.as_ptr() as usize);
    let values: raw::Values =
        serde_json::from_str(values.get()).map_err(|error| classify(text, base, top, &error))?;
    let mut resources = Vec::new();
    let mut pending = vec![values.root_module.unwrap_or_default()];
    while let Some(mut module) = pending.pop() {
        for resource in module.resources {
            let is_data =
                resource.mode.as_deref() == Some("data") || resource.address.starts_with("data.");
            if is_data || resource.deposed_key.is_some() {
                continue;
            }
            let module_address = address::split_module(&resource.address)
                .and_then(|(module, _)| module)
                .map(str::to_owned);
            let configuration = configuration_for(
                configured,
                module_address.as_deref(),
                &resource.resource_type,
                &resource.name,
            );
            resources.push(PlannedResource {
                address: resource.address,
                module_address,
                resource_type: resource.resource_type,
                name: resource.name,
                index: resource.index,
                provider_name: resource.provider_name.unwrap_or_default(),
                actions: Vec::new(),
                after: resource.values.unwrap_or(Value::Null),
                after_unknown: None,
                configuration,
            });
        }
        // Depth first, children in document order.
        module.child_modules.reverse();
        pending.append(&mut module.child_modules);
    }
    Ok(resources)
}
