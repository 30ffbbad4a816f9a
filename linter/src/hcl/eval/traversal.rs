//! References and traversals: `var.x`, `local.y`, `module.z.out`, `aws_subnet.a["b"].id`,
//! `each.value`, indexing and splats.

use hcl_edit::expr::{Expression, Traversal, TraversalOperator};

use super::{EvalError, Evaluator};
use crate::value::Value;

impl Evaluator<'_> {
    pub(super) fn eval_traversal(
        &mut self,
        expr: &Expression,
        traversal: &Traversal,
    ) -> Result<Value, EvalError> {
        let operators: Vec<&TraversalOperator> =
            traversal.operators.iter().map(|op| op.value()).collect();
        if let Expression::Variable(ident) = &traversal.expr {
            return self.root(expr, ident.as_str(), &operators);
        }
        let base = self.eval(&traversal.expr)?;
        self.apply(expr, base, &operators)
    }

    /// A traversal that starts at a bare name: a binding, `var`, `local`, `module`, `path`,
    /// `terraform`, `data`, or a resource type.
    pub(super) fn root(
        &mut self,
        expr: &Expression,
        name: &str,
        operators: &[&TraversalOperator],
    ) -> Result<Value, EvalError> {
        if let Some(value) = self.binding(name) {
            let value = self.copied(expr, value.clone())?;
            return self.apply(expr, value, operators);
        }
        let attribute = |index: usize| match operators.get(index) {
            Some(TraversalOperator::GetAttr(ident)) => Some(ident.as_str()),
            _ => None,
        };
        let (value, used) = match name {
            "var" | "local" | "module" => {
                let Some(key) = attribute(0) else {
                    return Err(EvalError::at(
                        expr,
                        format!("{name} must be followed by .NAME"),
                    ));
                };
                let found = match name {
                    "var" => self.env.var(key),
                    "local" => self.env.local(key),
                    _ => self.env.module(key),
                };
                match found {
                    Some(value) => {
                        let through = match name {
                            "var" => self.env.var_references(key),
                            "local" => self.env.local_references(key),
                            _ => self.env.module_references(key),
                        };
                        self.references.extend(through);
                        (self.copied(expr, value)?, 1)
                    }
                    None => {
                        self.env
                            .undeclared(name, key, self.file, self.span_in_file(expr));
                        (Value::Unknown, operators.len())
                    }
                }
            }
            "path" => match attribute(0) {
                Some("module") => (Value::String(self.env.module_path().into()), 1),
                Some("root") => (Value::String(self.env.root_path().into()), 1),
                Some("cwd") => (Value::String(self.env.cwd_path().into()), 1),
                _ => return Err(EvalError::at(expr, "path has only module, root and cwd")),
            },
            "terraform" => match attribute(0) {
                Some("workspace") => (Value::String("default".into()), 1),
                _ => (Value::Unknown, operators.len()),
            },
            "data" | "self" | "each" | "count" => (Value::Unknown, operators.len()),
            resource_type => {
                if let Some(resource_name) = attribute(0) {
                    let mut qualified = self
                        .env
                        .qualify(&format!("{resource_type}.{resource_name}"));
                    // `aws_subnet.private["a"]` names one instance: relations such as a
                    // cluster's instances must not take in the block's other instances.
                    if let Some(key) = self.instance_key(operators.get(1)) {
                        qualified.push_str(&key);
                    }
                    self.references.push(qualified);
                    if let Some(known) = attribute(1).and_then(|key| {
                        self.env
                            .resource_attribute(resource_type, resource_name, key)
                    }) {
                        return self.apply(expr, known, &operators[2.min(operators.len())..]);
                    }
                }
                (Value::Unknown, operators.len())
            }
        };
        self.apply(expr, value, &operators[used.min(operators.len())..])
    }

    /// The instance key a resource reference's index names, as Terraform writes it in
    /// addresses (`[0]`, `["a"]`); `None` when there is no index or it is not known.
    fn instance_key(&mut self, operator: Option<&&TraversalOperator>) -> Option<String> {
        let index = match operator? {
            TraversalOperator::Index(index_expr) => self.eval(index_expr).ok()?,
            TraversalOperator::LegacyIndex(index) => Value::Number(*index.value() as f64),
            _ => return None,
        };
        match index {
            Value::Number(number) if number >= 0.0 && number.fract() == 0.0 => {
                Some(format!("[{}]", number as u64))
            }
            Value::String(key) => Some(format!("[{}]", serde_json::Value::String(key.into()))),
            _ => None,
        }
    }

    pub(super) fn apply(
        &mut self,
        expr: &Expression,
        mut value: Value,
        operators: &[&TraversalOperator],
    ) -> Result<Value, EvalError> {
        for (position, operator) in operators.iter().enumerate() {
            if value.is_unknown() {
                return Ok(Value::Unknown);
            }
            value = match operator {
                TraversalOperator::GetAttr(ident) => get_attr(value, ident.as_str())
                    .map_err(|message| EvalError::at(expr, message))?,
                TraversalOperator::Index(index_expr) => {
                    let index = self.eval(index_expr)?;
                    index_value(value, &index).map_err(|message| EvalError::at(expr, message))?
                }
                TraversalOperator::LegacyIndex(index) => {
                    index_value(value, &Value::Number(*index.value() as f64))
                        .map_err(|message| EvalError::at(expr, message))?
                }
                TraversalOperator::AttrSplat(_) | TraversalOperator::FullSplat(_) => {
                    let rest = &operators[position + 1..];
                    let items = match value {
                        Value::Null => Vec::new(),
                        Value::List(items) => items,
                        Value::Partial(_) => return Ok(Value::Unknown),
                        other => vec![other],
                    };
                    let mut out = Vec::with_capacity(items.len());
                    for item in items {
                        out.push(self.apply(expr, item, rest)?);
                    }
                    return Ok(Value::List(out));
                }
            };
        }
        Ok(value)
    }
}

fn get_attr(value: Value, name: &str) -> Result<Value, String> {
    match value {
        Value::Map(mut entries) => entries
            .swap_remove(name)
            .ok_or_else(|| format!("this object has no attribute {name:?}")),
        Value::Partial(mut entries) => Ok(entries.swap_remove(name).unwrap_or(Value::Unknown)),
        Value::Null => Err(format!("cannot read {name:?} of null")),
        other => Err(format!(
            "cannot read attribute {name:?} of a {}",
            other.type_name()
        )),
    }
}

fn index_value(value: Value, index: &Value) -> Result<Value, String> {
    if index.is_unknown() {
        return Ok(Value::Unknown);
    }
    match value {
        Value::List(mut items) => {
            let Some(position) = index.to_number() else {
                return Err("a list index must be a number".to_owned());
            };
            if position < 0.0 || position.fract() != 0.0 || position >= items.len() as f64 {
                return Err(format!(
                    "index {position} is out of range for a list of {}",
                    items.len()
                ));
            }
            Ok(items.swap_remove(position as usize))
        }
        Value::Map(mut entries) => {
            let Some(key) = index.to_string_value() else {
                return Err("a map key must be a string".to_owned());
            };
            entries
                .swap_remove(&key)
                .ok_or_else(|| format!("this map has no key {key:?}"))
        }
        Value::Partial(mut entries) => {
            let Some(key) = index.to_string_value() else {
                return Err("a map key must be a string".to_owned());
            };
            Ok(entries.swap_remove(&key).unwrap_or(Value::Unknown))
        }
        other => Err(format!("cannot index a {}", other.type_name())),
    }
}
