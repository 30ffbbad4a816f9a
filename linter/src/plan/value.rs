//! Reading one attribute of a planned resource: known, unknown, or not set.

use serde_json::Value;

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
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum PlanValue<'a> {
    /// The value is decided by the plan. `null` here means the configuration sets the attribute
    /// to an expression that evaluated to null (for example `multi_az = var.multi_az` with the
    /// variable left null): the provider default applies, but the author wrote the attribute.
    ///
    /// A known list or object can still hold unknown parts (shown as null inside it); ask for
    /// the longer path, or [`PlannedResource::contains_unknown`](super::PlannedResource::contains_unknown).
    Known(&'a Value),
    /// Known only after apply.
    Unknown,
    /// Neither configured nor known: the provider default applies (for example an absent
    /// `multi_az` means false).
    NotSet,
}

impl<'a> PlanValue<'a> {
    /// The value, when known and not null.
    pub fn known(self) -> Option<&'a Value> {
        match self {
            PlanValue::Known(value) if !value.is_null() => Some(value),
            _ => None,
        }
    }

    pub fn is_unknown(self) -> bool {
        self == PlanValue::Unknown
    }

    /// The value as a bool, when known and a bool.
    pub fn as_bool(self) -> Option<bool> {
        self.known().and_then(Value::as_bool)
    }

    /// The value as a string, when known and a string.
    pub fn as_str(self) -> Option<&'a str> {
        self.known().and_then(Value::as_str)
    }
}

pub(crate) static NULL: Value = Value::Null;

/// One step into a JSON value: a key of an object or a position in an array.
pub(crate) fn step<'v>(value: &'v Value, step: &PathStep<'_>) -> Option<&'v Value> {
    match (value, step) {
        (Value::Object(map), PathStep::Key(key)) => map.get(*key),
        (Value::Array(items), PathStep::Index(index)) => items.get(*index),
        _ => None,
    }
}

pub(crate) fn walk<'v>(value: &'v Value, path: &[PathStep<'_>]) -> Option<&'v Value> {
    path.iter().try_fold(value, |value, s| step(value, s))
}

/// Whether `after_unknown` marks the value at `path`, or any value containing it, as unknown.
pub(crate) fn marked_unknown(after_unknown: &Value, path: &[PathStep<'_>]) -> bool {
    let mut node = after_unknown;
    for s in path {
        if node == &Value::Bool(true) {
            return true;
        }
        match step(node, s) {
            Some(next) => node = next,
            None => return false,
        }
    }
    node == &Value::Bool(true)
}

/// Whether any `true` sits anywhere inside an `after_unknown` subtree.
pub(crate) fn any_unknown(after_unknown: &Value) -> bool {
    // An explicit stack: the subtree's depth is bounded by the parser, but no recursion is
    // simpler still.
    let mut stack = vec![after_unknown];
    while let Some(node) = stack.pop() {
        match node {
            Value::Bool(true) => return true,
            Value::Array(items) => stack.extend(items),
            Value::Object(map) => stack.extend(map.values()),
            _ => {}
        }
    }
    false
}

/// How the configuration sets an attribute path.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Configured<'a> {
    /// The path is not written in the configuration.
    No,
    /// Written as a constant (the value at the path inside it).
    Constant(&'a Value),
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
pub(crate) fn configured<'a>(
    expressions: &'a serde_json::Map<String, Value>,
    path: &[PathStep<'_>],
) -> Configured<'a> {
    let Some((PathStep::Key(first), rest)) = path.split_first() else {
        return Configured::No;
    };
    let Some(mut node) = expressions.get(*first) else {
        return Configured::No;
    };
    let mut rest = rest;
    loop {
        if let Value::Object(map) = node {
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
                Value::Object(map) if map.is_empty() => Configured::Expression,
                Value::Object(_) | Value::Array(_) => Configured::Block,
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
    use serde_json::json;

    fn map(value: Value) -> serde_json::Map<String, Value> {
        match value {
            Value::Object(map) => map,
            _ => serde_json::Map::new(),
        }
    }

    #[test]
    fn unknown_marks_cover_everything_below_them() {
        let marks = json!({"replica": [{"kms_key_id": true}], "endpoint": true});
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
        assert!(any_unknown(&marks["replica"]));
        assert!(!any_unknown(&json!({"tags_all": {}, "list": [false]})));
    }

    #[test]
    fn configuration_tells_constants_expressions_blocks_and_absence() {
        let expressions = map(json!({
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
            Configured::Constant(&json!("1"))
        );
        assert_eq!(
            configured(&expressions, &["tags".into(), "owner".into()]),
            Configured::No
        );
        assert_eq!(
            configured(&expressions, &["replica".into(), 0.into(), "region".into()]),
            Configured::Constant(&json!("eu-west-1"))
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
