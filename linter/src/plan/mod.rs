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
//! assert_eq!(db.attribute("storage_encrypted"), PlanValue::Absent);
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
//! what the fields mean. A binary plan (the zip file `terraform plan -out` writes) is refused
//! with the command that converts it.
//!
//! Hostile input is refused with a message, never a crash: numbers beyond `f64` read as
//! infinite, nesting up to [`MAX_NESTING`] levels is read (on a stack sized for it), and deeper
//! nesting is an error at its place.
//!
//! # Cost
//!
//! The document is parsed once, straight into the few structures kept ([`Json`] values and
//! [`UnknownMarks`], whose keys and equal parts are stored once); `before`, `prior_state`,
//! sensitivity masks and the other sections are skipped without allocating, and the duplicate
//! `planned_values` is only delimited, not built. UTF-8 input is never copied. Memory is the
//! input plus the kept values, which take less than twice the size of their text (the
//! benchmarks in the linter's README measure it).

mod address;
mod cons;
mod decode;
mod encoding;
mod error;
mod json;
mod load;
mod marks;
mod nesting;
mod raw;
mod resource;
mod sniff;
pub mod to_model;
mod value;

use std::collections::HashMap;

use serde::Deserialize;

pub use address::InstanceKey;
pub use error::{PlanError, Position};
pub use json::{Json, Object};
pub use marks::UnknownMarks;
pub use nesting::{stack_size_for, MAX_NESTING};
pub use resource::{ConfiguredResource, PlannedResource, ProviderConfig};
pub(crate) use value::{configured_below, Configured};
pub use value::{PathStep, PlanValue};

use error::{position_at, position_from_serde, serde_detail};

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
    pub variables: Object,
    /// Provider configurations (`configuration.provider_config`), `default_tags` included.
    pub provider_configs: Vec<ProviderConfig>,
    /// The position of each key of `provider_configs`, for [`PlanDocument::provider_config`].
    provider_index: HashMap<String, usize>,
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

impl PlanDocument {
    /// Reads the output of `terraform show -json` (plan or state) in any supported encoding.
    pub fn parse(bytes: &[u8]) -> Result<PlanDocument, PlanError> {
        if bytes.starts_with(ZIP_SIGNATURE) {
            return Err(PlanError::BinaryPlan { file: None });
        }
        let text = encoding::to_utf8(bytes)?;
        let text: &[u8] = &text;
        if text.iter().all(u8::is_ascii_whitespace) {
            return Err(PlanError::Empty);
        }
        let depth = nesting::measure(text)?;
        nesting::with_stack_for(depth, || decode::session(|| read(text))).unwrap_or_else(|error| {
            Err(PlanError::NoStack {
                depth,
                detail: error.to_string(),
            })
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
        // Every resource asks for its provider's configuration: a scan per question would be
        // quadratic on a plan with many of both. The index is the parser's; a list changed in
        // length since then is searched instead.
        if self.provider_index.len() != self.provider_configs.len() {
            return self
                .provider_configs
                .iter()
                .find(|config| config.key == key);
        }
        self.provider_index
            .get(key)
            .and_then(|&at| self.provider_configs.get(at))
            .filter(|config| config.key == key)
    }
}

/// The first bytes of a zip file: what `terraform plan -out` writes.
const ZIP_SIGNATURE: &[u8] = b"PK\x03\x04";

/// Parses a UTF-8 document whose nesting has been measured, on a stack that holds it.
fn read(text: &[u8]) -> Result<PlanDocument, PlanError> {
    let top = sniff::top_level(text);
    let document: raw::Document<'_> = match from_slice(text) {
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
    let configured = load::index_configuration(configuration.root_module);
    let provider_configs = load::provider_configs(configuration.provider_config);
    let provider_index = provider_configs
        .iter()
        .enumerate()
        .map(|(at, config)| (config.key.clone(), at))
        .collect();

    let (source, mut resources) = if let Some(changes) = document.resource_changes {
        (ResourceSource::ResourceChanges, changes.0)
    } else if let Some(planned) = document.planned_values {
        let resources = values_section(planned, text, &top)?;
        (ResourceSource::PlannedValues, resources)
    } else if let Some(values) = document.values {
        (ResourceSource::State, values_section(values, text, &top)?)
    } else {
        // `terraform show -json` on an empty state prints the format version alone.
        (ResourceSource::State, Vec::new())
    };
    load::link_configuration(&mut resources, &configured);

    Ok(PlanDocument {
        format_version,
        terraform_version: document.terraform_version,
        source,
        resources,
        variables: load::variable_values(document.variables),
        provider_configs,
        provider_index,
        errored: document.errored.unwrap_or(false),
    })
}

/// `serde_json::from_slice` without its recursion limit of 128 levels, which real plans can
/// pass and which [`nesting::measure`] has replaced with [`MAX_NESTING`].
fn from_slice<'a, T: Deserialize<'a>>(text: &'a [u8]) -> Result<T, serde_json::Error> {
    let mut deserializer = serde_json::Deserializer::from_slice(text);
    deserializer.disable_recursion_limit();
    let value = T::deserialize(&mut deserializer)?;
    deserializer.end()?;
    Ok(value)
}

/// The resources of `planned_values` or a state's `values`, kept unparsed until now.
fn values_section(
    values: &serde_json::value::RawValue,
    text: &[u8],
    top: &sniff::TopLevel,
) -> Result<Vec<PlannedResource>, PlanError> {
    // Errors inside the section are reported at their place in the whole file.
    let base = (values.get().as_ptr() as usize).saturating_sub(text.as_ptr() as usize);
    let values: raw::Values =
        from_slice(values.get().as_bytes()).map_err(|error| classify(text, base, top, &error))?;
    Ok(load::from_values(values))
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
