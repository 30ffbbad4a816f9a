//! Schemas and diagnostics in the provider's own terms; `wire` turns them into protocol messages.
//!
//! Every attribute carries its description here, next to its type and flags, so the registry
//! docs generated from the schema (`docs/`) can never drift from what Terraform is told.

use std::collections::BTreeMap;

use dr_vocab::region::closest_region;
use dr_vocab::{is_aws_region, parse_duration, parse_timestamp, Term};

pub use dr_proto::tonic::async_trait;
use dr_vocab::UnixSeconds;

use crate::context::Context;
use crate::value::{Type, Value};

/// Whether configuration sets an attribute, the provider does, or either.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Presence {
    Required,
    Optional,
    Computed,
    OptionalComputed,
}

/// A check a configured value must pass, declared next to the attribute it guards. Lists and
/// sets are checked element by element. Unknown values are skipped (they are checked again at
/// plan and apply, once known) and null is left to [`Presence`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Check {
    /// Not empty or only spaces.
    NotBlank,
    /// A duration such as `15m` or `1h30m` (dr-vocab's syntax).
    Duration,
    /// A real AWS region name.
    AwsRegion,
    /// An RFC 3339 timestamp.
    Timestamp,
    /// One of a fixed list of names.
    OneOf(&'static [&'static str]),
    /// A whole number in a range.
    WholeNumber { min: u64, max: u64 },
    /// An IAM role ARN: `arn:PARTITION:iam::ACCOUNT:role/NAME`.
    RoleArn,
    /// A twelve-digit AWS account id.
    AccountId,
    /// An absolute `http://` or `https://` URL.
    HttpUrl,
    /// An absolute HTTP path such as `/healthz`.
    HttpPath,
}

/// One attribute of a resource or provider block.
#[derive(Debug, Clone)]
pub struct AttributeSchema {
    pub name: &'static str,
    pub ty: Type,
    pub presence: Presence,
    pub description: &'static str,
    pub sensitive: bool,
    /// A change to this attribute destroys the object and creates a new one.
    pub forces_replacement: bool,
    pub checks: Vec<Check>,
}

impl AttributeSchema {
    pub fn new(
        name: &'static str,
        ty: Type,
        presence: Presence,
        description: &'static str,
    ) -> Self {
        AttributeSchema {
            name,
            ty,
            presence,
            description,
            sensitive: false,
            forces_replacement: false,
            checks: Vec::new(),
        }
    }

    /// An attribute named and described by a term of the shared vocabulary.
    pub fn term(term: Term, ty: Type, presence: Presence) -> Self {
        AttributeSchema::new(term.name, ty, presence, term.meaning)
    }

    pub fn forces_replacement(mut self) -> Self {
        self.forces_replacement = true;
        self
    }

    pub fn check(mut self, check: Check) -> Self {
        self.checks.push(check);
        self
    }
}

/// A nested block that appears at most once (`health_check { ... }`), as provider blocks of
/// Terraform 1.0 and later all accept. Its value is an object, or null when it is absent.
#[derive(Debug, Clone)]
pub struct NestedBlock {
    pub name: &'static str,
    pub description: &'static str,
    pub attributes: Vec<AttributeSchema>,
}

impl NestedBlock {
    pub fn term(term: Term, attributes: Vec<AttributeSchema>) -> Self {
        NestedBlock {
            name: term.name,
            description: term.meaning,
            attributes,
        }
    }

    pub fn value_type(&self) -> Type {
        object_type(&self.attributes, &[])
    }
}

/// The schema of a resource type or of the provider block itself.
#[derive(Debug, Clone)]
pub struct BlockSchema {
    pub type_name: &'static str,
    pub version: i64,
    /// Markdown shown at the top of the generated docs page.
    pub description: &'static str,
    pub attributes: Vec<AttributeSchema>,
    pub blocks: Vec<NestedBlock>,
}

fn object_type(attributes: &[AttributeSchema], blocks: &[NestedBlock]) -> Type {
    Type::Object(
        attributes
            .iter()
            .map(|a| (a.name.to_owned(), a.ty.clone()))
            .chain(blocks.iter().map(|b| (b.name.to_owned(), b.value_type())))
            .collect::<BTreeMap<_, _>>(),
    )
}

impl BlockSchema {
    /// The object type of values of this block, as decoding and encoding need it.
    pub fn value_type(&self) -> Type {
        object_type(&self.attributes, &self.blocks)
    }

    pub fn attribute(&self, name: &str) -> Option<&AttributeSchema> {
        self.attributes.iter().find(|a| a.name == name)
    }

    /// Runs every attribute's declared checks over `config`, and reports required arguments
    /// set to null (Terraform lets `level = null` through to the provider). At most
    /// [`MAX_DIAGNOSTICS`] are returned, the last saying how many more there were, so hostile
    /// configuration (100 000 bad regions) cannot make a reply of megabytes.
    pub fn check(&self, config: &Value) -> Vec<Diagnostic> {
        let mut found = Vec::new();
        check_attributes(&self.attributes, config, &[], &mut found);
        for block in &self.blocks {
            let value = config.attribute(block.name);
            if !value.is_null() && !value.is_unknown() {
                check_attributes(&block.attributes, value, &[block.name], &mut found);
            }
        }
        cap(found)
    }
}

/// The most diagnostics one check of a configuration returns.
pub const MAX_DIAGNOSTICS: usize = 20;

/// Keeps the first [`MAX_DIAGNOSTICS`] diagnostics, replacing the rest with one that counts them.
pub fn cap(mut diagnostics: Vec<Diagnostic>) -> Vec<Diagnostic> {
    if diagnostics.len() > MAX_DIAGNOSTICS {
        let more = diagnostics.len() - (MAX_DIAGNOSTICS - 1);
        diagnostics.truncate(MAX_DIAGNOSTICS - 1);
        diagnostics.push(Diagnostic::error(
            format!("{more} more problems"),
            "Only the first problems are shown; fix them and plan again to see the rest.",
        ));
    }
    diagnostics
}

fn check_attributes(
    attributes: &[AttributeSchema],
    config: &Value,
    parent: &[&str],
    found: &mut Vec<Diagnostic>,
) {
    for attribute in attributes {
        let path: Vec<String> = parent
            .iter()
            .copied()
            .chain([attribute.name])
            .map(str::to_owned)
            .collect();
        let value = config.attribute(attribute.name);
        if value.is_null() {
            if attribute.presence == Presence::Required {
                found.push(Diagnostic {
                    attribute: path,
                    ..Diagnostic::error(
                        format!("Missing required argument \"{}\"", attribute.name),
                        format!(
                            "\"{}\" is required and may not be null. {}",
                            attribute.name, attribute.description
                        ),
                    )
                });
            }
            continue;
        }
        let elements = match value.elements() {
            Some(elements) => elements,
            None => std::slice::from_ref(value),
        };
        for element in elements {
            if found.len() > MAX_DIAGNOSTICS {
                return;
            }
            for check in &attribute.checks {
                if let Err((summary, detail)) = check.run(attribute.name, element) {
                    found.push(Diagnostic {
                        attribute: path.clone(),
                        ..Diagnostic::error(summary, detail)
                    });
                }
            }
        }
    }
}

/// The longest text a check quotes back in a diagnostic.
const MAX_QUOTED: usize = 80;

/// `text` as a diagnostic quotes it: in quotes, cut to [`MAX_QUOTED`] characters.
pub fn quoted(text: &str) -> String {
    if text.chars().count() > MAX_QUOTED {
        let cut: String = text.chars().take(MAX_QUOTED).collect();
        format!("\"{cut}…\"")
    } else {
        format!("\"{text}\"")
    }
}

impl Check {
    /// Checks one known, non-null value; the error is a summary and a detail.
    fn run(&self, name: &str, value: &Value) -> Result<(), (String, String)> {
        if value.is_unknown() || value.is_null() {
            return Ok(());
        }
        let text = value.as_str();
        match (self, text) {
            (Check::NotBlank, Some(text)) if text.trim().is_empty() => Err((
                format!("Empty {name}"),
                format!("{name} must not be empty or only spaces: give it a value, or leave it out where it is optional."),
            )),
            (Check::Duration, Some(text)) => parse_duration(text)
                .map(drop)
                .map_err(|error| (format!("Invalid {name}"), error.to_string())),
            (Check::Timestamp, Some(text)) => parse_timestamp(text)
                .map(drop)
                .map_err(|error| (format!("Invalid {name}"), error.to_string())),
            (Check::AwsRegion, Some(text)) if !is_aws_region(text) => {
                let hint = match closest_region(text) {
                    Some(close) => format!(" Did you mean \"{close}\"?"),
                    None => " Use region names such as \"us-east-1\" or \"eu-west-1\".".to_owned(),
                };
                Err((
                    "Unknown AWS region".to_owned(),
                    format!("{} in {name} is not an AWS region.{hint}", quoted(text)),
                ))
            }
            (Check::OneOf(names), Some(text)) if !names.contains(&text) => Err((
                format!("Invalid {name}"),
                format!(
                    "{} is not a valid {name}: use one of {}.",
                    quoted(text),
                    names.join(", ")
                ),
            )),
            (Check::WholeNumber { min, max }, _) => {
                let whole = value
                    .as_number()
                    .and_then(|number| number.as_u64())
                    .filter(|n| (*min..=*max).contains(n));
                match whole {
                    Some(_) => Ok(()),
                    None => Err((
                        format!("Invalid {name}"),
                        format!(
                            "{name} must be a whole number from {min} to {max}; it is {}.",
                            value.as_number().map_or("not a number".to_owned(), |n| n.to_string())
                        ),
                    )),
                }
            }
            (Check::RoleArn, Some(text)) if !is_role_arn(text) => Err((
                format!("Invalid {name}"),
                format!(
                    "{} is not an IAM role ARN: write it like \"arn:aws:iam::123456789012:role/dr-recovery\".",
                    quoted(text)
                ),
            )),
            (Check::AccountId, Some(text))
                if text.len() != 12 || !text.bytes().all(|b| b.is_ascii_digit()) =>
            {
                Err((
                    format!("Invalid {name}"),
                    format!(
                        "{} is not an AWS account id: account ids are twelve digits, such as \"123456789012\".",
                        quoted(text)
                    ),
                ))
            }
            (Check::HttpUrl, Some(text))
                if !(text.starts_with("https://") || text.starts_with("http://"))
                    || text.len() < 10 =>
            {
                Err((
                    format!("Invalid {name}"),
                    format!(
                        "{} is not an http:// or https:// URL such as \"https://payments.example.com/healthz\".",
                        quoted(text)
                    ),
                ))
            }
            (Check::HttpPath, Some(text)) if !text.starts_with('/') || text.contains(' ') => Err((
                format!("Invalid {name}"),
                format!("{} is not an HTTP path: write it like \"/healthz\".", quoted(text)),
            )),
            _ => Ok(()),
        }
    }
}

/// Whether `text` reads as `arn:PARTITION:iam::ACCOUNT:role/NAME`.
fn is_role_arn(text: &str) -> bool {
    let parts: Vec<&str> = text.splitn(6, ':').collect();
    matches!(
        parts.as_slice(),
        ["arn", partition, "iam", "", account, resource]
            if partition.starts_with("aws")
                && account.len() == 12
                && account.bytes().all(|b| b.is_ascii_digit())
                && resource.strip_prefix("role/").is_some_and(|name| !name.is_empty())
    )
}

/// How serious a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Severity {
    Error,
    Warning,
}

/// A message for the person running Terraform, attached to an attribute when one is at fault.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub severity: Severity,
    pub summary: String,
    pub detail: String,
    /// Attribute names from the resource down to the offending one.
    pub attribute: Vec<String>,
}

impl Diagnostic {
    pub fn error(summary: impl Into<String>, detail: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Error,
            summary: summary.into(),
            detail: detail.into(),
            attribute: Vec::new(),
        }
    }

    pub fn warning(summary: impl Into<String>, detail: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(summary, detail)
        }
    }

    /// Attaches the diagnostic to a top-level attribute.
    pub fn at(mut self, attribute: &str) -> Self {
        self.attribute = vec![attribute.to_owned()];
        self
    }
}

/// Whether any diagnostic is an error.
pub fn has_errors(diagnostics: &[Diagnostic]) -> bool {
    diagnostics.iter().any(|d| d.severity == Severity::Error)
}

/// What `plan` decided: the planned state and which changed attributes force replacement.
#[derive(Debug, Clone, PartialEq)]
pub struct Planned {
    pub state: Value,
    pub requires_replace: Vec<String>,
    pub diagnostics: Vec<Diagnostic>,
}

/// A configured argument once its checks have passed: unset, not known until apply, or known.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Arg<T> {
    Unset,
    Unknown,
    Known(T),
}

impl<T> Arg<T> {
    /// Reads `value` with `read`; a value `read` refuses counts as unknown, since checks have
    /// already reported it.
    pub fn read<'a>(value: &'a Value, read: impl FnOnce(&'a Value) -> Option<T>) -> Arg<T> {
        match value {
            Value::Null => Arg::Unset,
            Value::Unknown => Arg::Unknown,
            value => read(value).map_or(Arg::Unknown, Arg::Known),
        }
    }

    pub fn known(self) -> Option<T> {
        match self {
            Arg::Known(value) => Some(value),
            _ => None,
        }
    }

    pub fn is_unknown(&self) -> bool {
        matches!(self, Arg::Unknown)
    }

    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Arg<U> {
        match self {
            Arg::Unset => Arg::Unset,
            Arg::Unknown => Arg::Unknown,
            Arg::Known(value) => Arg::Known(f(value)),
        }
    }

    /// Unset becomes `default`.
    pub fn or(self, default: T) -> Arg<T> {
        match self {
            Arg::Unset => Arg::Known(default),
            other => other,
        }
    }
}

/// Typed readers of a configuration object's attributes.
pub trait Args {
    fn text(&self, name: &str) -> Arg<&str>;
    /// A duration, in seconds.
    fn duration(&self, name: &str) -> Arg<u64>;
    /// An RFC 3339 timestamp, in seconds since the epoch.
    fn timestamp(&self, name: &str) -> Arg<UnixSeconds>;
    fn whole(&self, name: &str) -> Arg<u64>;
    /// A name of a vocabulary enum (`strategy`, `mode`, `scenario`).
    fn named<T: std::str::FromStr>(&self, name: &str) -> Arg<T>;
    /// The known strings of a list or set; unknown when it or any element is.
    fn texts(&self, name: &str) -> Arg<Vec<&str>>;
}

impl Args for Value {
    fn text(&self, name: &str) -> Arg<&str> {
        Arg::read(self.attribute(name), Value::as_str)
    }

    fn duration(&self, name: &str) -> Arg<u64> {
        Arg::read(self.attribute(name), |v| {
            v.as_str().and_then(|t| parse_duration(t).ok())
        })
    }

    fn timestamp(&self, name: &str) -> Arg<UnixSeconds> {
        Arg::read(self.attribute(name), |v| {
            v.as_str().and_then(|t| parse_timestamp(t).ok())
        })
    }

    fn whole(&self, name: &str) -> Arg<u64> {
        Arg::read(self.attribute(name), |v| {
            v.as_number().and_then(|n| n.as_u64())
        })
    }

    fn named<T: std::str::FromStr>(&self, name: &str) -> Arg<T> {
        Arg::read(self.attribute(name), |v| {
            v.as_str().and_then(|t| t.parse().ok())
        })
    }

    fn texts(&self, name: &str) -> Arg<Vec<&str>> {
        Arg::read(self.attribute(name), |v| {
            v.elements()?.iter().map(Value::as_str).collect()
        })
    }
}

/// A managed resource type. Each implements only what it needs; reading returns the state as
/// stored, which suits resources that live entirely in Terraform state.
#[async_trait]
pub trait Resource: Send + Sync {
    fn schema(&self) -> &BlockSchema;

    /// Checks that span attributes, beyond the checks each attribute declares; values unknown
    /// at this point are skipped and checked again at plan.
    fn check(&self, _config: &Value) -> Vec<Diagnostic> {
        Vec::new()
    }

    /// Plans a create or update (`prior` is null on create). Destroy never reaches here.
    fn plan(
        &self,
        cx: &Context,
        prior: &Value,
        proposed: &Value,
    ) -> Result<Planned, Vec<Diagnostic>>;

    /// Applies a planned create or update and returns the new state.
    async fn apply(
        &self,
        cx: &Context,
        prior: &Value,
        planned: &Value,
    ) -> Result<Value, Vec<Diagnostic>>;

    fn read(&self, current: Value) -> Result<Value, Vec<Diagnostic>> {
        Ok(current)
    }

    /// Brings state stored by an older version (already read into the current schema, with
    /// attributes it lacked as null) up to date, e.g. by filling computed attributes.
    fn upgrade(&self, stored: Value) -> Value {
        stored
    }

    /// Attributes whose change between `prior` and `planned` forces replacement.
    fn replacing_attributes(&self, prior: &Value, planned: &Value) -> Vec<String> {
        if prior.is_null() {
            return Vec::new();
        }
        self.schema()
            .attributes
            .iter()
            .filter(|a| {
                a.forces_replacement && prior.attribute(a.name) != planned.attribute(a.name)
            })
            .map(|a| a.name.to_owned())
            .collect()
    }
}

/// Every diagnostic about `config`: the attributes' declared checks, then the resource's own.
pub fn validate(resource: &dyn Resource, config: &Value) -> Vec<Diagnostic> {
    let mut diagnostics = resource.schema().check(config);
    if !has_errors(&diagnostics) {
        diagnostics.extend(resource.check(config));
    }
    cap(diagnostics)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(value: &str) -> Value {
        Value::string(value)
    }

    fn failure(check: Check, value: Value) -> Option<String> {
        check.run("x", &value).err().map(|(_, detail)| detail)
    }

    #[test]
    fn each_check_accepts_the_good_and_names_the_fix_for_the_bad() {
        let cases: Vec<(Check, Value, Value)> = vec![
            (Check::NotBlank, text("critical"), text("  ")),
            (Check::Duration, text("1h30m"), text("90 minutes")),
            (
                Check::Timestamp,
                text("2026-11-02T09:00:00Z"),
                text("2026-11-02"),
            ),
            (Check::AwsRegion, text("eu-west-1"), text("eu-wst-1")),
            (
                Check::OneOf(&["manual", "automatic"]),
                text("manual"),
                text("auto"),
            ),
            (
                Check::WholeNumber { min: 1, max: 9 },
                Value::Number(crate::value::Number::from_u64(9)),
                Value::Number(crate::value::Number::parse("2.5").unwrap()),
            ),
            (
                Check::RoleArn,
                text("arn:aws:iam::123456789012:role/dr-recovery"),
                text("arn:aws:iam::123456789012:user/someone"),
            ),
            (Check::AccountId, text("123456789012"), text("12345678901")),
            (
                Check::HttpUrl,
                text("https://payments.example.com/healthz"),
                text("payments.example.com"),
            ),
            (Check::HttpPath, text("/healthz"), text("healthz")),
        ];
        for (check, good, bad) in cases {
            assert_eq!(
                failure(check.clone(), good.clone()),
                None,
                "{check:?} refused {good:?}"
            );
            let detail = failure(check.clone(), bad.clone())
                .unwrap_or_else(|| panic!("{check:?} accepted {bad:?}"));
            assert!(detail.len() > 20, "{check:?}: {detail}");
            // Unknown and null are left to later phases and to Presence.
            assert_eq!(failure(check.clone(), Value::Unknown), None);
            assert_eq!(failure(check, Value::Null), None);
        }
        assert!(failure(Check::AwsRegion, text("eu-wst-1"))
            .unwrap()
            .contains("Did you mean \"eu-west-1\"?"));
        assert!(failure(Check::RoleArn, text("arn:aws:iam::12345:role/x")).is_some());
        assert!(failure(Check::RoleArn, text("arn:aws-cn:iam::123456789012:role/x")).is_none());
    }

    #[test]
    fn hostile_configuration_gets_a_bounded_reply() {
        let schema = BlockSchema {
            type_name: "dr_test",
            version: 0,
            description: "",
            attributes: vec![AttributeSchema::new(
                "regions",
                Type::set(Type::String),
                Presence::Optional,
                "",
            )
            .check(Check::AwsRegion)],
            blocks: Vec::new(),
        };
        let huge = "x".repeat(1_000_000);
        let regions: Vec<Value> = (0..100_000)
            .map(|n| text(&format!("{huge}-{n}")))
            .take(3)
            .chain((0..100_000).map(|n| text(&format!("mars-{n}"))))
            .collect();
        let config = Value::Object([("regions".to_owned(), Value::Set(regions))].into());
        let diagnostics = schema.check(&config);
        assert_eq!(diagnostics.len(), MAX_DIAGNOSTICS);
        assert!(diagnostics
            .last()
            .unwrap()
            .summary
            .ends_with("more problems"));
        let reply: usize = diagnostics
            .iter()
            .map(|d| d.summary.len() + d.detail.len())
            .sum();
        assert!(reply < 10_000, "the reply is {reply} bytes");
    }

    #[test]
    fn required_null_is_an_error_on_the_attribute_even_inside_blocks() {
        let schema = BlockSchema {
            type_name: "dr_test",
            version: 0,
            description: "",
            attributes: vec![AttributeSchema::new(
                "name",
                Type::String,
                Presence::Required,
                "",
            )],
            blocks: vec![NestedBlock {
                name: "assume_role",
                description: "",
                attributes: vec![AttributeSchema::new(
                    "role_arn",
                    Type::String,
                    Presence::Required,
                    "",
                )],
            }],
        };
        let config = Value::Object(
            [
                ("name".to_owned(), Value::Null),
                (
                    "assume_role".to_owned(),
                    Value::Object([("role_arn".to_owned(), Value::Null)].into()),
                ),
            ]
            .into(),
        );
        let at: Vec<String> = schema
            .check(&config)
            .iter()
            .map(|d| d.attribute.join("."))
            .collect();
        assert_eq!(at, ["name", "assume_role.role_arn"]);
        // An absent block is not checked inside.
        let absent = Value::Object(
            [
                ("name".to_owned(), text("n")),
                ("assume_role".to_owned(), Value::Null),
            ]
            .into(),
        );
        assert!(schema.check(&absent).is_empty());
    }
}
