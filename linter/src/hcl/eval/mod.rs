//! Evaluating hcl-edit expressions the way Terraform does, with unknown as a value of its own.
//!
//! Why not `hcl::eval`: it works on hcl-rs's span-less expression tree, fails on anything it cannot
//! resolve instead of yielding "unknown", and would need every Terraform function registered
//! anyway. Evaluating hcl-edit's tree directly keeps each node's byte span, so a failure lands on
//! the exact expression, and lets references to resources evaluate to `Unknown` while being
//! recorded (rules use them to find a cluster's instances or a bucket's replication).
//!
//! A failure spoils only the smallest part it is in: an element of a list, a value of an
//! object, an argument of a function become unknown and the error is kept for the caller to
//! report, so one bad interpolation does not make a whole `tags` map unknown. Inside `try` and
//! `can` errors travel up instead, since catching them is what those functions do. Every
//! evaluation draws on the run's [`Budget`]: nesting depth, steps, collection and string sizes.

mod budget;
mod collections;
mod templates;
mod traversal;

use hcl_edit::expr::{BinaryOperator, Expression, ObjectKey, UnaryOperator};
use hcl_edit::Span;

pub use budget::Budget;
pub use collections::iteration_pairs;

use super::functions;
use crate::source::FileId;
use crate::value::{Entries, Value};

/// Why an expression has no value. `try` and `can` catch invalid ones; elsewhere the part is
/// unknown and the problem is reported as a note on its span. A limit stops the evaluation
/// and is an input error.
#[derive(Debug, Clone, PartialEq)]
pub struct EvalError {
    pub span: Option<std::ops::Range<usize>>,
    pub message: String,
    pub kind: ErrorKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// What Terraform would reject, or what drlint cannot evaluate.
    Invalid,
    /// A bound of [`crate::settings::Limits`] was exceeded.
    Limit,
}

impl EvalError {
    fn at(expr: &Expression, message: impl Into<String>) -> EvalError {
        EvalError {
            span: expr.span(),
            message: message.into(),
            kind: ErrorKind::Invalid,
        }
    }

    fn limit(expr: &Expression, message: String) -> EvalError {
        EvalError {
            span: expr.span(),
            message,
            kind: ErrorKind::Limit,
        }
    }
}

/// What a module instance offers to expressions written in it.
pub trait Env {
    /// The run's bounds, shared by every evaluation of the run.
    fn budget(&self) -> &Budget;
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
    /// `path.cwd`: where Terraform runs, the root module's directory.
    fn cwd_path(&self) -> String {
        ".".to_owned()
    }
    /// A `var`, `local` or `module` reference to something the module does not declare (as in
    /// Terragrunt layouts that copy variable files in): its value is unknown, and the
    /// environment says so once.
    fn undeclared(
        &self,
        _kind: &str,
        _name: &str,
        _file: Option<FileId>,
        _span: Option<std::ops::Range<usize>>,
    ) {
    }
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
    /// A function of this environment's own (Terragrunt's `get_env`, say), called before the
    /// standard ones; `None` when it has no such function.
    fn function(&self, _name: &str, _args: &[Value]) -> Option<Value> {
        None
    }
}

/// One evaluation, with its local bindings (for-expression variables, `each`, `count`, dynamic
/// block iterators), the resources it referenced and the errors it contained.
pub struct Evaluator<'e> {
    env: &'e dyn Env,
    budget: &'e Budget,
    bindings: Vec<(String, Value)>,
    /// Every managed resource referenced, directly or through variables, locals and module
    /// outputs, qualified by [`Env::qualify`], in order of appearance.
    pub references: Vec<String>,
    /// Errors that spoiled only a part of the value (that part is unknown).
    pub errors: Vec<EvalError>,
    /// Above zero inside `try`/`can`: errors must reach them.
    catching: usize,
    /// The file the expressions are written in, for what the environment reports.
    file: Option<FileId>,
    /// Where in that file the spans of the expressions count from (a large file is parsed in
    /// parts).
    base: usize,
}

impl<'e> Evaluator<'e> {
    pub fn new(env: &'e dyn Env) -> Evaluator<'e> {
        Evaluator {
            env,
            budget: env.budget(),
            bindings: Vec::new(),
            references: Vec::new(),
            errors: Vec::new(),
            catching: 0,
            file: None,
            base: 0,
        }
    }

    /// Says which file the expressions evaluated come from, and where in it their spans
    /// count from.
    pub fn in_file(mut self, file: FileId, base: usize) -> Self {
        self.file = Some(file);
        self.base = base;
        self
    }

    /// The errors met so far, with spans in the file.
    pub fn take_errors(&mut self) -> Vec<EvalError> {
        let base = self.base;
        let mut errors = std::mem::take(&mut self.errors);
        for error in &mut errors {
            error.span = error.span.take().map(|s| s.start + base..s.end + base);
        }
        errors
    }

    /// The span of `expr` in the file.
    fn span_in_file(&self, expr: &Expression) -> Option<std::ops::Range<usize>> {
        expr.span().map(|s| s.start + self.base..s.end + self.base)
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

    /// Evaluates `expr`: a failure of the whole is unknown. Every error met, contained or not,
    /// is in [`Evaluator::errors`] afterwards for the caller to report.
    pub fn eval_lenient(&mut self, expr: &Expression) -> Value {
        match self.eval(expr) {
            Ok(value) => value,
            Err(error) => {
                self.errors.push(error);
                Value::Unknown
            }
        }
    }

    /// Evaluates `expr`; errors in a part of it are contained (see [`Evaluator::errors`]).
    pub fn eval(&mut self, expr: &Expression) -> Result<Value, EvalError> {
        self.budget
            .enter()
            .map_err(|message| EvalError::limit(expr, message))?;
        let result = self.eval_node(expr);
        self.budget.leave();
        result
    }

    /// Evaluates a part of a larger value: an invalid part is unknown, unless a `try` or `can`
    /// is waiting for the error.
    fn part(&mut self, expr: &Expression) -> Result<Value, EvalError> {
        match self.eval(expr) {
            Err(error) if error.kind == ErrorKind::Invalid && self.catching == 0 => {
                self.errors.push(error);
                Ok(Value::Unknown)
            }
            other => other,
        }
    }

    /// Charges the copy of `value` to the step budget: copies are what a runaway for
    /// expression multiplies.
    fn copied(&self, expr: &Expression, value: Value) -> Result<Value, EvalError> {
        self.budget
            .charge(budget::weight(&value))
            .map_err(|message| EvalError::limit(expr, message))?;
        Ok(value)
    }

    fn eval_node(&mut self, expr: &Expression) -> Result<Value, EvalError> {
        Ok(match expr {
            Expression::Null(_) => Value::Null,
            Expression::Bool(flag) => Value::Bool(*flag.value()),
            Expression::Number(number) => Value::Number(number.value().as_f64().unwrap_or(0.0)),
            Expression::String(text) => Value::String(text.value().as_str().into()),
            Expression::Array(array) => {
                self.sized(expr, array.len())?;
                let mut items = Vec::with_capacity(array.len());
                for item in array.iter() {
                    items.push(self.part(item)?);
                }
                Value::List(items)
            }
            Expression::Object(object) => self.eval_object(expr, object)?,
            Expression::StringTemplate(template) => self.eval_template(expr, template)?,
            // The parser already strips the indentation of `<<-` heredocs.
            Expression::HeredocTemplate(heredoc) => self.eval_template(expr, &heredoc.template)?,
            Expression::Parenthesis(inner) => self.eval(inner.inner())?,
            Expression::Variable(ident) => self.root(expr, ident.as_str(), &[])?,
            Expression::Conditional(conditional) => {
                let condition = self.eval(&conditional.cond_expr)?;
                match condition {
                    // Either branch may be the value: what they agree on is known.
                    Value::Unknown => {
                        let when_true = self.part(&conditional.true_expr)?;
                        let when_false = self.part(&conditional.false_expr)?;
                        when_true.unify(when_false)
                    }
                    other => match other.to_bool() {
                        Some(true) => self.eval(&conditional.true_expr)?,
                        Some(false) => self.eval(&conditional.false_expr)?,
                        None => {
                            return Err(EvalError::at(
                                &conditional.cond_expr,
                                format!("a condition must be a bool, not {}", other.type_name()),
                            ))
                        }
                    },
                }
            }
            Expression::FuncCall(call) => self.eval_call(expr, call)?,
            Expression::Traversal(traversal) => self.eval_traversal(expr, traversal)?,
            Expression::UnaryOp(op) => {
                let operand = self.eval(&op.expr)?;
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
                let lhs = self.eval(&op.lhs_expr)?;
                let rhs = self.eval(&op.rhs_expr)?;
                binary(*op.operator.value(), lhs, rhs)
                    .map_err(|message| EvalError::at(expr, message))?
            }
            Expression::ForExpr(for_expr) => self.eval_for(expr, for_expr)?,
        })
    }

    /// Fails when a collection of `len` elements would exceed the run's limit.
    fn sized(&self, expr: &Expression, len: usize) -> Result<(), EvalError> {
        self.budget
            .collection(len)
            .map_err(|message| EvalError::limit(expr, message))
    }

    /// An object constructor. Keys written as names are known however unknown their values;
    /// a key that cannot be known makes the object partial. A key written twice takes its
    /// later value, as Terraform does.
    fn eval_object(
        &mut self,
        expr: &Expression,
        object: &hcl_edit::expr::Object,
    ) -> Result<Value, EvalError> {
        self.sized(expr, object.len())?;
        let mut entries = Entries::with_capacity(object.len());
        let mut partial = false;
        for (key, value) in object.iter() {
            let key = match key {
                ObjectKey::Ident(ident) => ident.as_str().to_owned(),
                ObjectKey::Expression(key_expr) => match self.object_key(key_expr)? {
                    Some(key) => key,
                    None => {
                        partial = true;
                        continue;
                    }
                },
            };
            let value = self.part(value.expr())?;
            entries.insert(key, value);
        }
        entries.shrink_to_fit();
        Ok(if partial {
            Value::Partial(entries)
        } else {
            Value::Map(entries)
        })
    }

    /// The text of a key written as an expression: `"dr-tier"`, `(var.key)`; `None` when it
    /// cannot be known.
    fn object_key(&mut self, key_expr: &Expression) -> Result<Option<String>, EvalError> {
        // A bare word is the key's text, also when the parser saw an expression.
        if let Expression::Variable(ident) = key_expr {
            return Ok(Some(ident.as_str().to_owned()));
        }
        match self.part(key_expr)? {
            Value::Unknown => Ok(None),
            key_value => match key_value.to_string_value() {
                Some(text) => Ok(Some(text)),
                None => {
                    if self.catching > 0 {
                        return Err(EvalError::at(
                            key_expr,
                            format!(
                                "an object key must be a string, not {}",
                                key_value.type_name()
                            ),
                        ));
                    }
                    self.errors.push(EvalError::at(
                        key_expr,
                        format!(
                            "an object key must be a string, not {}",
                            key_value.type_name()
                        ),
                    ));
                    Ok(None)
                }
            },
        }
    }

    fn eval_call(
        &mut self,
        expr: &Expression,
        call: &hcl_edit::expr::FuncCall,
    ) -> Result<Value, EvalError> {
        let name = call.name.name.as_str();
        match name {
            "try" => {
                let mut last = None;
                for arg in call.args.iter() {
                    self.catching += 1;
                    let attempt = self.eval(arg);
                    self.catching -= 1;
                    match attempt {
                        Ok(value) if value.contains_unknown() => return Ok(Value::Unknown),
                        Ok(value) => return Ok(value),
                        Err(error) if error.kind == ErrorKind::Limit => return Err(error),
                        Err(error) => last = Some(error),
                    }
                }
                return Err(
                    last.unwrap_or_else(|| EvalError::at(expr, "try needs at least one argument"))
                );
            }
            "can" => {
                let Some(arg) = call.args.iter().next() else {
                    return Err(EvalError::at(expr, "can needs one argument"));
                };
                self.catching += 1;
                let attempt = self.eval(arg);
                self.catching -= 1;
                return match attempt {
                    Ok(value) if value.contains_unknown() => Ok(Value::Unknown),
                    Ok(_) => Ok(Value::Bool(true)),
                    Err(error) if error.kind == ErrorKind::Limit => Err(error),
                    Err(_) => Ok(Value::Bool(false)),
                };
            }
            _ => {}
        }
        let mut args = Vec::with_capacity(call.args.len());
        for arg in call.args.iter() {
            args.push(self.part(arg)?);
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
        if let Some(value) = self.env.function(name, &args) {
            return Ok(value);
        }
        match functions::call(name, args, self.budget) {
            Ok(value) => Ok(value),
            Err(functions::Failure::Invalid(message)) => {
                Err(EvalError::at(expr, format!("{name}(): {message}")))
            }
            Err(functions::Failure::Limit(message)) => {
                Err(EvalError::limit(expr, format!("{name}(): {message}")))
            }
        }
    }

    fn string_sized(&self, expr: &Expression, len: usize) -> Result<(), EvalError> {
        self.budget
            .string(len)
            .map_err(|message| EvalError::limit(expr, message))
    }

    /// The (key, value) pairs a `for` iterates, with their copies charged; `None` when the
    /// collection cannot be known.
    fn pairs(
        &self,
        expr: &Expression,
        collection: &Value,
    ) -> Result<Option<Vec<(Value, Value)>>, EvalError> {
        if matches!(collection, Value::Unknown | Value::Partial(_)) {
            return Ok(None);
        }
        self.budget
            .charge(budget::weight(collection))
            .map_err(|message| EvalError::limit(expr, message))?;
        Ok(iteration_pairs(collection))
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
        // Terraform compares structurally: a number and its string form are not equal. A
        // value is known not to be null however unknown its parts.
        Eq | NotEq => {
            let null_test = matches!(lhs, Value::Null) || matches!(rhs, Value::Null);
            if lhs.is_unknown() || rhs.is_unknown() {
                return Ok(Value::Unknown);
            }
            if !null_test && (lhs.contains_unknown() || rhs.contains_unknown()) {
                return Ok(Value::Unknown);
            }
            let equal = lhs == rhs;
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
