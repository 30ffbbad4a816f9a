//! Reading one attribute of a planned resource: known, unknown, or not set.

use super::json::{Json, Object};
use super::marks::UnknownMarks;
use crate::value::Fact;

/// One step of an attribute path: an attribute, block or map key, or a list/set position.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PathStep<'a> {
    Key(&'a str),
    Index(usize),
}

impl<'a> From<&'a str> for PathStep<'a> {
    fn from(key: &'a str) -> Self {
        PathStep::Key(key)
    }
}

impl From<usize> for PathStep<'_> {
    fn from(index: usize) -> Self {
        PathStep::Index(index)
    }
}

/// What a plan says about one attribute after apply.
/// What a plan says of an attribute: the one three-state answer drlint gives
/// ([`crate::value::Fact`]), over the plan's JSON.
///
/// - `Known`: decided by the plan. `null` here means the configuration sets the attribute to an
///   expression that evaluated to null (for example `multi_az = var.multi_az` with the variable
///   left null): the provider default applies, but the author wrote the attribute. A known list
///   or object can still hold unknown parts (shown as null inside it); ask for the longer path,
///   or [`PlannedResource::contains_unknown`](super::PlannedResource::contains_unknown).
/// - `Unknown`: known only after apply.
/// - `Absent`: neither configured nor known: the provider default applies (for example an
///   absent `multi_az` means false).
pub type PlanValue<'a> = Fact<&'a Json>;

impl<'a> Fact<&'a Json> {
    /// The value, when known and not null.
    pub fn known(self) -> Option<&'a Json> {
        match self {
            Fact::Known(value) if !value.is_null() => Some(value),
            _ => None,
        }
    }

    /// The value as a bool, when known and a bool.
    pub fn as_bool(self) -> Option<bool> {
        self.known().and_then(Json::as_bool)
    }

    /// The value as a string, when known and a string.
    pub fn as_str(self) -> Option<&'a str> {
        self.known().and_then(Json::as_str)
    }
}

pub(crate) static NULL: Json = Json::Null;

/// One step into a JSON value: a key of an object or a position in an array.
pub(crate) fn step<'v>(value: &'v Json, step: &PathStep<'_>) -> Option<&'v Json> {
    match (value, step) {
        (Json::Object(object), PathStep::Key(key)) => object.get(key),
        (Json::Array(items), PathStep::Index(index)) => items.get(*index),
        _ => None,
    }
}

pub(crate) fn walk<'v>(value: &'v Json, path: &[PathStep<'_>]) -> Option<&'v Json> {
    path.iter().try_fold(value, |value, s| step(value, s))
}

fn step_marks<'m>(marks: &'m UnknownMarks, step: &PathStep<'_>) -> Option<&'m UnknownMarks> {
    match step {
        PathStep::Key(key) => marks.get(key),
        PathStep::Index(index) => marks.index(*index),
    }
}

pub(crate) fn walk_marks<'m>(
    marks: &'m UnknownMarks,
    path: &[PathStep<'_>],
) -> Option<&'m UnknownMarks> {
    path.iter().try_fold(marks, |marks, s| step_marks(marks, s))
}

/// Whether `after_unknown` marks the value at `path`, or any value containing it, as unknown.
pub(crate) fn marked_unknown(after_unknown: &UnknownMarks, path: &[PathStep<'_>]) -> bool {
    let mut node = after_unknown;
    for s in path {
        if node.is_unknown() {
            return true;
        }
        match step_marks(node, s) {
            Some(next) => node = next,
            None => return false,
        }
    }
    node.is_unknown()
}

/// How the configuration sets an attribute path.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Configured<'a> {
    /// The path is not written in the configuration.
    No,
    /// Written as a constant (the value at the path inside it).
    Constant(&'a Json),
    /// Written as an expression the configuration block does not evaluate (references to
    /// variables, locals, other resources, or functions of them).
    Expression,
    /// A nested block is written there.
    Block,
}

/// Follows `path` through a resource's `expressions` as `terraform show -json` writes them:
/// attributes become expression objects (`{"constant_value": …}` and/or
/// `{"references": […]}`), nested blocks become objects of expressions, and repeated blocks
/// arrays of them.
pub(crate) fn configured<'a>(expressions: &'a Object, path: &[PathStep<'_>]) -> Configured<'a> {
    let Some((PathStep::Key(first), rest)) = path.split_first() else {
        return Configured::No;
    };
    match expressions.get(first) {
        Some(node) => configured_below(node, rest),
        None => Configured::No,
    }
}

/// [`configured`] from the expression `node` of an attribute or block, for the `rest` of the
/// path below it.
pub(crate) fn configured_below<'a>(node: &'a Json, rest: &[PathStep<'_>]) -> Configured<'a> {
    let mut node = node;
    let mut rest = rest;
    loop {
        if let Json::Object(map) = node {
            if let Some(constant) = map.get("constant_value") {
                return match walk(constant, rest) {
                    Some(value) => Configured::Constant(value),
                    // A constant map or object without that key: not written.
                    None if !rest.is_empty() => Configured::No,
                    None => Configured::Constant(&NULL),
                };
            }
            if map.contains_key("references") {
                return Configured::Expression;
            }
        }
        let Some((next, remaining)) = rest.split_first() else {
            return match node {
                // Terraform writes `{}` for an expression it could neither evaluate nor
                // find references in (a function call of constants, say).
                Json::Object(map) if map.is_empty() => Configured::Expression,
                Json::Object(_) | Json::Array(_) => Configured::Block,
                _ => Configured::Expression,
            };
        };
        match step(node, next) {
            Some(child) => node = child,
            None => return Configured::No,
        }
        rest = remaining;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    fn parse<T: for<'de> Deserialize<'de>>(json: serde_json::Value) -> T {
        let text = json.to_string();
        super::super::decode::session(|| serde_json::from_str(&text))
            .unwrap_or_else(|error| panic!("{error}"))
    }

    #[test]
    fn unknown_marks_cover_everything_below_them() {
        let marks: UnknownMarks =
            parse(serde_json::json!({"replica": [{"kms_key_id": true}], "endpoint": true}));
        assert!(marked_unknown(&marks, &["endpoint".into()]));
        assert!(marked_unknown(&marks, &["endpoint".into(), 0.into()]));
        assert!(marked_unknown(
            &marks,
            &["replica".into(), 0.into(), "kms_key_id".into()]
        ));
        assert!(!marked_unknown(
            &marks,
            &["replica".into(), 0.into(), "region".into()]
        ));
        assert!(!marked_unknown(&marks, &["replica".into()]));
        assert!(marks.get("replica").is_some_and(UnknownMarks::any_unknown));
        let none: UnknownMarks = parse(serde_json::json!({"tags_all": {}, "list": [false]}));
        assert!(!none.any_unknown());
    }

    #[test]
    fn configuration_tells_constants_expressions_blocks_and_absence() {
        let expressions: Object = parse(serde_json::json!({
            "multi_az": {"references": ["var.multi_az"]},
            "tags": {"constant_value": {"dr-tier": "1"}},
            "replica": [{"region": {"constant_value": "eu-west-1"}}],
            "name": {},
            "timeouts": null
        }));
        assert_eq!(
            configured(&expressions, &["multi_az".into()]),
            Configured::Expression
        );
        assert_eq!(
            configured(&expressions, &["tags".into(), "dr-tier".into()]),
            Configured::Constant(&Json::String("1".into()))
        );
        assert_eq!(
            configured(&expressions, &["tags".into(), "owner".into()]),
            Configured::No
        );
        assert_eq!(
            configured(&expressions, &["replica".into(), 0.into(), "region".into()]),
            Configured::Constant(&Json::String("eu-west-1".into()))
        );
        assert_eq!(
            configured(&expressions, &["replica".into()]),
            Configured::Block
        );
        assert_eq!(
            configured(&expressions, &["replica".into(), 1.into()]),
            Configured::No
        );
        assert_eq!(
            configured(&expressions, &["name".into()]),
            Configured::Expression
        );
        assert_eq!(
            configured(&expressions, &["storage_encrypted".into()]),
            Configured::No
        );
        assert_eq!(configured(&expressions, &[]), Configured::No);
    }
}
