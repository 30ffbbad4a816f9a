//! `for` expressions: `[for x in xs : f(x) if p(x)]` and `{for k, v in m : k => v...}`.

use hcl_edit::expr::{Expression, ForExpr};
use indexmap::IndexMap;

use super::{EvalError, Evaluator};
use crate::value::Value;

impl Evaluator<'_> {
    /// A `for` expression. An element whose filter or key cannot be known leaves a list
    /// unknown (positions would shift) but a map only partial: the other keys are certain.
    pub(super) fn eval_for(
        &mut self,
        expr: &Expression,
        for_expr: &ForExpr,
    ) -> Result<Value, EvalError> {
        let collection = self.eval(&for_expr.intro.collection_expr)?;
        if matches!(collection, Value::Unknown | Value::Partial(_)) {
            return Ok(Value::Unknown);
        }
        let Some(pairs) = self.pairs(expr, &collection)? else {
            return Err(EvalError::at(
                expr,
                format!(
                    "a for expression needs a list, set, map or object, not {}",
                    collection.type_name()
                ),
            ));
        };
        drop(collection);
        let mut list = Vec::new();
        let mut map: IndexMap<String, Value> = IndexMap::new();
        let mut partial = false;
        for (key, item) in pairs {
            let mut bound = 1;
            self.bind(for_expr.intro.value_var.as_str(), item);
            if let Some(key_var) = &for_expr.intro.key_var {
                self.bind(key_var.as_str(), key);
                bound += 1;
            }
            let step = self.for_step(for_expr);
            self.unbind(bound);
            let step = match step? {
                Step::Skip => continue,
                Step::Uncertain if for_expr.key_expr.is_none() => return Ok(Value::Unknown),
                Step::Uncertain => {
                    partial = true;
                    continue;
                }
                Step::Item(key, value) => (key, value),
            };
            match step {
                (None, value) => {
                    list.push(value);
                    self.sized(expr, list.len())?;
                }
                (Some(key), value) => {
                    let Some(key) = key.to_string_value() else {
                        return Err(EvalError::at(expr, "a for expression key must be a string"));
                    };
                    if for_expr.grouping {
                        match map.entry(key).or_insert_with(|| Value::List(Vec::new())) {
                            Value::List(group) => group.push(value),
                            _ => return Ok(Value::Unknown),
                        }
                    } else if map.insert(key.clone(), value).is_some() {
                        return Err(EvalError::at(
                            expr,
                            format!(
                                "duplicate key {key:?} in for expression; add ... to group values"
                            ),
                        ));
                    }
                    self.sized(expr, map.len())?;
                }
            }
        }
        Ok(match (for_expr.key_expr.is_some(), partial) {
            (false, _) => Value::List(list),
            (true, false) => Value::Map(map.into()),
            (true, true) => Value::Partial(map.into()),
        })
    }

    /// One iteration of a for expression.
    fn for_step(&mut self, for_expr: &ForExpr) -> Result<Step, EvalError> {
        if let Some(cond) = &for_expr.cond {
            match self.eval(&cond.expr)? {
                Value::Unknown => return Ok(Step::Uncertain),
                value => match value.to_bool() {
                    Some(true) => {}
                    Some(false) => return Ok(Step::Skip),
                    None => return Err(EvalError::at(&cond.expr, "a for filter must be a bool")),
                },
            }
        }
        let key = match &for_expr.key_expr {
            Some(key_expr) => match self.part(key_expr)? {
                Value::Unknown => return Ok(Step::Uncertain),
                key => Some(key),
            },
            None => None,
        };
        let value = self.part(&for_expr.value_expr)?;
        Ok(Step::Item(key, value))
    }
}

/// What one iteration of a `for` contributes.
enum Step {
    /// The filter drops the element.
    Skip,
    /// Whether or under which key the element is included cannot be known.
    Uncertain,
    Item(Option<Value>, Value),
}

/// (key, value) pairs a `for` iterates: list index or map key.
pub fn iteration_pairs(collection: &Value) -> Option<Vec<(Value, Value)>> {
    match collection {
        Value::List(items) => Some(
            items
                .iter()
                .enumerate()
                .map(|(index, item)| (Value::Number(index as f64), item.clone()))
                .collect(),
        ),
        Value::Map(entries) => Some(
            entries
                .iter()
                .map(|(key, value)| (Value::String(key.clone()), value.clone()))
                .collect(),
        ),
        Value::Null => Some(Vec::new()),
        _ => None,
    }
}
