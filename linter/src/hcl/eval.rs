//! Evaluating hcl-edit expressions the way Terraform does, with unknown as a value of its own.
//!
//! Why not `hcl::eval`: it works on hcl-rs's span-less expression tree, fails on anything it cannot
//! resolve instead of yielding "unknown", and would need every Terraform function registered
//! anyway. Evaluating hcl-edit's tree directly keeps each node's byte span, so a failure lands on
//! the exact expression, and lets references to resources evaluate to `Unknown` while being
//! recorded (rules use them to find a cluster's instances or a bucket's replication).

use hcl_edit::expr::{
    BinaryOperator, Expression, ForExpr, ObjectKey, TraversalOperator, UnaryOperator,
};
use hcl_edit::template::{Directive, Element, Template};
use hcl_edit::Span;
use indexmap::IndexMap;

use super::functions;
use crate::value::Value;

/// Why an expression has no value. `try` and `can` catch these; elsewhere the expression is
/// treated as unknown and the problem is reported as a note on its span.
#[derive(Debug, Clone, PartialEq)]
pub struct EvalError {
    pub span: Option<std::ops::Range<usize>>,
    pub message: String,
}

impl EvalError {
    fn at(expr: &Expression, message: impl Into<String>) -> EvalError {
        EvalError {
            span: expr.span(),
            message: message.into(),
        }
    }
}

/// What a module instance offers to expressions written in it.
pub trait Env {
    /// `var.NAME`: `None` when the module declares no such variable.
    fn var(&self, name: &str) -> Option<Value>;
    /// `local.NAME`: `None` when there is no such local.
    fn local(&self, name: &str) -> Option<Value>;
    /// `module.NAME`: `None` when there is no such call.
    fn module(&self, name: &str) -> Option<Value>;
    /// `path.module`.
    fn module_path(&self) -> String;
    /// `path.root`.
    fn root_path(&self) -> String;
    /// The resources `var.NAME` was computed from (in the caller, for a module variable).
    fn var_references(&self, _name: &str) -> Vec<String> {
        Vec::new()
    }
    /// The resources `local.NAME` was computed from.
    fn local_references(&self, _name: &str) -> Vec<String> {
        Vec::new()
    }
    /// The resources the outputs of `module.NAME` were computed from.
    fn module_references(&self, _name: &str) -> Vec<String> {
        Vec::new()
    }
    /// An attribute of a managed resource that drlint can compute before apply (for example
    /// `dr_tier.NAME.tags`); `None` leaves it unknown.
    fn resource_attribute(
        &self,
        _resource_type: &str,
        _name: &str,
        _attribute: &str,
    ) -> Option<Value> {
        None
    }
    /// A resource reference (`TYPE.NAME`) as a key unique across the run.
    fn qualify(&self, reference: &str) -> String {
        reference.to_owned()
    }
}

/// One evaluation, with its local bindings (for-expression variables, `each`, `count`, dynamic
/// block iterators) and the resources it referenced.
pub struct Evaluator<'e> {
    env: &'e dyn Env,
    bindings: Vec<(String, Value)>,
    /// Every managed resource referenced, directly or through variables, locals and module
    /// outputs, qualified by [`Env::qualify`], in order of appearance.
    pub references: Vec<String>,
}

const MAX_DEPTH: usize = 64;

impl<'e> Evaluator<'e> {
    pub fn new(env: &'e dyn Env) -> Evaluator<'e> {
        Evaluator {
            env,
            bindings: Vec::new(),
            references: Vec::new(),
        }
    }

    pub fn bind(&mut self, name: &str, value: Value) {
        self.bindings.push((name.to_owned(), value));
    }

    pub fn unbind(&mut self, count: usize) {
        let keep = self.bindings.len().saturating_sub(count);
        self.bindings.truncate(keep);
    }

    fn binding(&self, name: &str) -> Option<&Value> {
        self.bindings
            .iter()
            .rev()
            .find(|(bound, _)| bound == name)
            .map(|(_, value)| value)
    }

    /// Evaluates `expr`; an error becomes `Unknown` plus the error for the caller to report.
    pub fn eval_lenient(&mut self, expr: &Expression) -> (Value, Option<EvalError>) {
        match self.eval(expr) {
            Ok(value) => (value, None),
            Err(error) => (Value::Unknown, Some(error)),
        }
    }

    pub fn eval(&mut self, expr: &Expression) -> Result<Value, EvalError> {
        self.eval_depth(expr, 0)
    }

    fn eval_depth(&mut self, expr: &Expression, depth: usize) -> Result<Value, EvalError> {
        if depth > MAX_DEPTH {
            return Err(EvalError::at(
                expr,
                "expression nests too deeply to evaluate",
            ));
        }
        let depth = depth + 1;
        Ok(match expr {
            Expression::Null(_) => Value::Null,
            Expression::Bool(flag) => Value::Bool(*flag.value()),
            Expression::Number(number) => Value::Number(number.value().as_f64().unwrap_or(0.0)),
            Expression::String(text) => Value::String(text.value().clone()),
            Expression::Array(array) => {
                let mut items = Vec::with_capacity(array.len());
                for item in array.iter() {
                    items.push(self.eval_depth(item, depth)?);
                }
                Value::List(items)
            }
            Expression::Object(object) => {
                let mut entries = IndexMap::new();
                for (key, value) in object.iter() {
                    let key = match key {
                        ObjectKey::Ident(ident) => ident.as_str().to_owned(),
                        ObjectKey::Expression(key_expr) => {
                            // A bare word in parentheses or a traversal used as a key is its text.
                            match self.eval_depth(key_expr, depth)? {
                                Value::Unknown => return Ok(Value::Unknown),
                                key_value => match key_value.to_string_value() {
                                    Some(text) => text,
                                    None => {
                                        return Err(EvalError::at(
                                            key_expr,
                                            format!(
                                                "an object key must be a string, not {}",
                                                key_value.type_name()
                                            ),
                                        ))
                                    }
                                },
                            }
                        }
                    };
                    let value = self.eval_depth(value.expr(), depth)?;
                    entries.insert(key, value);
                }
                Value::Map(entries)
            }
            Expression::StringTemplate(template) => self.eval_template(template, depth)?,
            // The parser already strips the indentation of `<<-` heredocs.
            Expression::HeredocTemplate(heredoc) => self.eval_template(&heredoc.template, depth)?,
            Expression::Parenthesis(inner) => self.eval_depth(inner.inner(), depth)?,
            Expression::Variable(ident) => self.root(expr, ident.as_str(), &[], depth)?,
            Expression::Conditional(conditional) => {
                let condition = self.eval_depth(&conditional.cond_expr, depth)?;
                match condition {
                    Value::Unknown => {
                        let when_true = self.eval_depth(&conditional.true_expr, depth)?;
                        let when_false = self.eval_depth(&conditional.false_expr, depth)?;
                        if when_true == when_false && !when_true.contains_unknown() {
                            when_true
                        } else {
                            Value::Unknown
                        }
                    }
                    other => match other.to_bool() {
                        Some(true) => self.eval_depth(&conditional.true_expr, depth)?,
                        Some(false) => self.eval_depth(&conditional.false_expr, depth)?,
                        None => {
                            return Err(EvalError::at(
                                &conditional.cond_expr,
                                format!("a condition must be a bool, not {}", other.type_name()),
                            ))
                        }
                    },
                }
            }
            Expression::FuncCall(call) => {
                let name = call.name.name.as_str();
                match name {
                    "try" => {
                        let mut last = None;
                        for arg in call.args.iter() {
                            match self.eval_depth(arg, depth) {
                                Ok(value) if value.contains_unknown() => return Ok(Value::Unknown),
                                Ok(value) => return Ok(value),
                                Err(error) => last = Some(error),
                            }
                        }
                        return Err(last.unwrap_or_else(|| {
                            EvalError::at(expr, "try needs at least one argument")
                        }));
                    }
                    "can" => {
                        let Some(arg) = call.args.iter().next() else {
                            return Err(EvalError::at(expr, "can needs one argument"));
                        };
                        return Ok(match self.eval_depth(arg, depth) {
                            Ok(value) if value.contains_unknown() => Value::Unknown,
                            Ok(_) => Value::Bool(true),
                            Err(_) => Value::Bool(false),
                        });
                    }
                    _ => {}
                }
                let mut args = Vec::with_capacity(call.args.len());
                for arg in call.args.iter() {
                    args.push(self.eval_depth(arg, depth)?);
                }
                if call.args.expand_final() {
                    match args.pop() {
                        Some(Value::List(rest)) => args.extend(rest),
                        Some(Value::Unknown) => return Ok(Value::Unknown),
                        Some(other) => {
                            return Err(EvalError::at(
                                expr,
                                format!(
                                    "only a list can be expanded with ..., not {}",
                                    other.type_name()
                                ),
                            ))
                        }
                        None => {}
                    }
                }
                functions::call(name, args)
                    .map_err(|message| EvalError::at(expr, format!("{name}(): {message}")))?
            }
            Expression::Traversal(traversal) => {
                if let Expression::Variable(ident) = &traversal.expr {
                    let operators: Vec<&TraversalOperator> =
                        traversal.operators.iter().map(|op| op.value()).collect();
                    return self.root(expr, ident.as_str(), &operators, depth);
                }
                let base = self.eval_depth(&traversal.expr, depth)?;
                let operators: Vec<&TraversalOperator> =
                    traversal.operators.iter().map(|op| op.value()).collect();
                self.apply(expr, base, &operators, depth)?
            }
            Expression::UnaryOp(op) => {
                let operand = self.eval_depth(&op.expr, depth)?;
                match (op.operator.value(), operand) {
                    (_, Value::Unknown) => Value::Unknown,
                    (UnaryOperator::Not, value) => match value.to_bool() {
                        Some(flag) => Value::Bool(!flag),
                        None => return Err(EvalError::at(expr, "! needs a bool")),
                    },
                    (UnaryOperator::Neg, value) => match value.to_number() {
                        Some(number) => Value::Number(-number),
                        None => return Err(EvalError::at(expr, "- needs a number")),
                    },
                }
            }
            Expression::BinaryOp(op) => {
                let lhs = self.eval_depth(&op.lhs_expr, depth)?;
                let rhs = self.eval_depth(&op.rhs_expr, depth)?;
                binary(*op.operator.value(), lhs, rhs)
                    .map_err(|message| EvalError::at(expr, message))?
            }
            Expression::ForExpr(for_expr) => self.eval_for(expr, for_expr, depth)?,
        })
    }

    /// A traversal that starts at a bare name: a binding, `var`, `local`, `module`, `path`,
    /// `terraform`, `data`, or a resource type.
    fn root(
        &mut self,
        expr: &Expression,
        name: &str,
        operators: &[&TraversalOperator],
        depth: usize,
    ) -> Result<Value, EvalError> {
        if let Some(value) = self.binding(name) {
            let value = value.clone();
            return self.apply(expr, value, operators, depth);
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
                if found.is_some() {
                    let through = match name {
                        "var" => self.env.var_references(key),
                        "local" => self.env.local_references(key),
                        _ => self.env.module_references(key),
                    };
                    self.references.extend(through);
                }
                match found {
                    Some(value) => (value, 1),
                    None => {
                        let what = match name {
                            "var" => "variable",
                            "local" => "local value",
                            _ => "module call",
                        };
                        return Err(EvalError::at(
                            expr,
                            format!("no {what} named {key:?} is declared in this module"),
                        ));
                    }
                }
            }
            "path" => match attribute(0) {
                Some("module") => (Value::String(self.env.module_path()), 1),
                Some("root") => (Value::String(self.env.root_path()), 1),
                Some("cwd") => (Value::String(".".to_owned()), 1),
                _ => return Err(EvalError::at(expr, "path has only module, root and cwd")),
            },
            "terraform" => match attribute(0) {
                Some("workspace") => (Value::String("default".to_owned()), 1),
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
                    if let Some(key) = self.instance_key(operators.get(1), depth) {
                        qualified.push_str(&key);
                    }
                    self.references.push(qualified);
                    if let Some(known) = attribute(1).and_then(|key| {
                        self.env
                            .resource_attribute(resource_type, resource_name, key)
                    }) {
                        return self.apply(
                            expr,
                            known,
                            &operators[2.min(operators.len())..],
                            depth,
                        );
                    }
                }
                (Value::Unknown, operators.len())
            }
        };
        self.apply(expr, value, &operators[used.min(operators.len())..], depth)
    }

    /// The instance key a resource reference's index names, as Terraform writes it in
    /// addresses (`[0]`, `["a"]`); `None` when there is no index or it is not known.
    fn instance_key(
        &mut self,
        operator: Option<&&TraversalOperator>,
        depth: usize,
    ) -> Option<String> {
        let index = match operator? {
            TraversalOperator::Index(index_expr) => self.eval_depth(index_expr, depth).ok()?,
            TraversalOperator::LegacyIndex(index) => Value::Number(*index.value() as f64),
            _ => return None,
        };
        match index {
            Value::Number(number) if number >= 0.0 && number.fract() == 0.0 => {
                Some(format!("[{}]", number as u64))
            }
            Value::String(key) => Some(format!("[{}]", serde_json::Value::String(key))),
            _ => None,
        }
    }

    fn apply(
        &mut self,
        expr: &Expression,
        mut value: Value,
        operators: &[&TraversalOperator],
        depth: usize,
    ) -> Result<Value, EvalError> {
        for (position, operator) in operators.iter().enumerate() {
            if value.is_unknown() {
                return Ok(Value::Unknown);
            }
            value = match operator {
                TraversalOperator::GetAttr(ident) => get_attr(value, ident.as_str())
                    .map_err(|message| EvalError::at(expr, message))?,
                TraversalOperator::Index(index_expr) => {
                    let index = self.eval_depth(index_expr, depth)?;
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
                        other => vec![other],
                    };
                    let mut out = Vec::with_capacity(items.len());
                    for item in items {
                        out.push(self.apply(expr, item, rest, depth)?);
                    }
                    return Ok(Value::List(out));
                }
            };
        }
        Ok(value)
    }

    fn eval_template(&mut self, template: &Template, depth: usize) -> Result<Value, EvalError> {
        let mut out = String::new();
        let mut unknown = false;
        for element in template.iter() {
            match element {
                Element::Literal(text) => out.push_str(text.value()),
                Element::Interpolation(interpolation) => {
                    match self.eval_depth(&interpolation.expr, depth)? {
                        Value::Unknown => unknown = true,
                        value => match value.to_string_value() {
                            Some(text) => out.push_str(&text),
                            None => {
                                return Err(EvalError::at(
                                    &interpolation.expr,
                                    format!("cannot put a {} into a string", value.type_name()),
                                ))
                            }
                        },
                    }
                }
                Element::Directive(directive) => match directive.as_ref() {
                    Directive::If(if_directive) => {
                        let condition = self.eval_depth(&if_directive.if_expr.cond_expr, depth)?;
                        let chosen = match condition.to_bool() {
                            Some(true) => Some(&if_directive.if_expr.template),
                            Some(false) => if_directive.else_expr.as_ref().map(|e| &e.template),
                            None => {
                                unknown = true;
                                None
                            }
                        };
                        if let Some(chosen) = chosen {
                            match self.eval_template(chosen, depth)? {
                                Value::String(text) => out.push_str(&text),
                                _ => unknown = true,
                            }
                        }
                    }
                    Directive::For(for_directive) => {
                        let intro = &for_directive.for_expr;
                        let collection = self.eval_depth(&intro.collection_expr, depth)?;
                        let Some(pairs) = iteration_pairs(&collection) else {
                            unknown = true;
                            continue;
                        };
                        for (key, item) in pairs {
                            let mut bound = 1;
                            self.bind(intro.value_var.as_str(), item);
                            if let Some(key_var) = &intro.key_var {
                                self.bind(key_var.as_str(), key);
                                bound += 1;
                            }
                            let rendered = self.eval_template(&intro.template, depth);
                            self.unbind(bound);
                            match rendered? {
                                Value::String(text) => out.push_str(&text),
                                _ => unknown = true,
                            }
                        }
                    }
                },
            }
        }
        Ok(if unknown {
            Value::Unknown
        } else {
            Value::String(out)
        })
    }

    fn eval_for(
        &mut self,
        expr: &Expression,
        for_expr: &ForExpr,
        depth: usize,
    ) -> Result<Value, EvalError> {
        let collection = self.eval_depth(&for_expr.intro.collection_expr, depth)?;
        if collection.is_unknown() {
            return Ok(Value::Unknown);
        }
        let Some(pairs) = iteration_pairs(&collection) else {
            return Err(EvalError::at(
                expr,
                format!(
                    "a for expression needs a list, set, map or object, not {}",
                    collection.type_name()
                ),
            ));
        };
        let mut list = Vec::new();
        let mut map: IndexMap<String, Value> = IndexMap::new();
        for (key, item) in pairs {
            let mut bound = 1;
            self.bind(for_expr.intro.value_var.as_str(), item);
            if let Some(key_var) = &for_expr.intro.key_var {
                self.bind(key_var.as_str(), key);
                bound += 1;
            }
            let step = self.for_step(for_expr, depth);
            self.unbind(bound);
            let Some((key, value)) = step? else { continue };
            match key {
                None => list.push(value),
                Some(Value::Unknown) => return Ok(Value::Unknown),
                Some(key) => {
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
                }
            }
        }
        Ok(if for_expr.key_expr.is_some() {
            Value::Map(map)
        } else {
            Value::List(list)
        })
    }

    /// One iteration of a for expression: `None` when the filter drops it; `Some((key, value))`.
    #[allow(clippy::type_complexity)]
    fn for_step(
        &mut self,
        for_expr: &ForExpr,
        depth: usize,
    ) -> Result<Option<(Option<Value>, Value)>, EvalError> {
        if let Some(cond) = &for_expr.cond {
            match self.eval_depth(&cond.expr, depth)? {
                // An unknown filter makes the whole result unknown.
                Value::Unknown => return Ok(Some((Some(Value::Unknown), Value::Unknown))),
                value => match value.to_bool() {
                    Some(true) => {}
                    Some(false) => return Ok(None),
                    None => return Err(EvalError::at(&cond.expr, "a for filter must be a bool")),
                },
            }
        }
        let key = match &for_expr.key_expr {
            Some(key_expr) => Some(self.eval_depth(key_expr, depth)?),
            None => None,
        };
        let value = self.eval_depth(&for_expr.value_expr, depth)?;
        Ok(Some((key, value)))
    }
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

fn get_attr(value: Value, name: &str) -> Result<Value, String> {
    match value {
        Value::Map(mut entries) => entries
            .swap_remove(name)
            .ok_or_else(|| format!("this object has no attribute {name:?}")),
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
            if position < 0.0 || position.fract() != 0.0 || position as usize >= items.len() {
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
        other => Err(format!("cannot index a {}", other.type_name())),
    }
}

fn binary(operator: BinaryOperator, lhs: Value, rhs: Value) -> Result<Value, String> {
    use BinaryOperator::*;
    match operator {
        And | Or => {
            let left = lhs.to_bool();
            let right = rhs.to_bool();
            let decisive = matches!(operator, Or);
            if left == Some(decisive) || right == Some(decisive) {
                return Ok(Value::Bool(decisive));
            }
            if lhs.is_unknown() || rhs.is_unknown() {
                return Ok(Value::Unknown);
            }
            match (left, right) {
                (Some(_), Some(_)) => Ok(Value::Bool(!decisive)),
                _ => Err(format!("{} needs bools", operator.as_str())),
            }
        }
        Eq | NotEq => {
            if lhs.contains_unknown() || rhs.contains_unknown() {
                return Ok(Value::Unknown);
            }
            let equal = loosely_equal(&lhs, &rhs);
            Ok(Value::Bool(if matches!(operator, Eq) {
                equal
            } else {
                !equal
            }))
        }
        _ => {
            if lhs.is_unknown() || rhs.is_unknown() {
                return Ok(Value::Unknown);
            }
            let (Some(a), Some(b)) = (lhs.to_number(), rhs.to_number()) else {
                return Err(format!(
                    "{} needs numbers, got {} and {}",
                    operator.as_str(),
                    lhs.type_name(),
                    rhs.type_name()
                ));
            };
            Ok(match operator {
                LessEq => Value::Bool(a <= b),
                GreaterEq => Value::Bool(a >= b),
                Less => Value::Bool(a < b),
                Greater => Value::Bool(a > b),
                Plus => Value::Number(a + b),
                Minus => Value::Number(a - b),
                Mul => Value::Number(a * b),
                Div if b == 0.0 => return Err("division by zero".to_owned()),
                Div => Value::Number(a / b),
                Mod if b == 0.0 => return Err("modulo by zero".to_owned()),
                Mod => Value::Number(a % b),
                _ => Value::Unknown,
            })
        }
    }
}

/// `==` as Terraform applies it: numbers and their string forms are not equal, values compare
/// structurally.
fn loosely_equal(lhs: &Value, rhs: &Value) -> bool {
    lhs == rhs
}
