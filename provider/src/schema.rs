//! Schemas and diagnostics in the provider's own terms; `wire` turns them into protocol messages.
//!
//! Every attribute carries its description here, next to its type and flags, so the registry
//! docs generated from the schema (`docs/`) can never drift from what Terraform is told.

use std::collections::BTreeMap;

use crate::value::{Type, Value};

/// Whether configuration sets an attribute, the provider does, or either.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Presence {
    Required,
    Optional,
    Computed,
    OptionalComputed,
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
        }
    }

    pub fn forces_replacement(mut self) -> Self {
        self.forces_replacement = true;
        self
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
}

impl BlockSchema {
    /// The object type of values of this block, as decoding and encoding need it.
    pub fn value_type(&self) -> Type {
        Type::Object(
            self.attributes
                .iter()
                .map(|a| (a.name.to_owned(), a.ty.clone()))
                .collect::<BTreeMap<_, _>>(),
        )
    }

    pub fn attribute(&self, name: &str) -> Option<&AttributeSchema> {
        self.attributes.iter().find(|a| a.name == name)
    }
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

/// A managed resource type. Each implements only what it needs; reading returns the state as
/// stored, which suits resources that live entirely in Terraform state.
pub trait Resource: Send + Sync {
    fn schema(&self) -> &BlockSchema;

    /// Checks configuration; values unknown at this point are skipped and checked at apply.
    fn validate(&self, config: &Value) -> Vec<Diagnostic>;

    /// Plans a create or update (`prior` is null on create). Destroy never reaches here.
    fn plan(&self, prior: &Value, proposed: &Value) -> Result<Planned, Vec<Diagnostic>>;

    /// Applies a planned create or update and returns the new state.
    fn apply(&self, planned: &Value) -> Result<Value, Vec<Diagnostic>>;

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
