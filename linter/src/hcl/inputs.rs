//! Values of root-module variables, from outside the tree and from its tfvars files, in
//! Terraform's order of precedence, converted to each variable's type.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use hcl_edit::expr::Expression;

use super::eval::{Budget, Env, Evaluator};
use super::load::{parse_tfvars, read_source, Located, ModuleSource, VariableDecl};
use super::project::Root;
use super::tree::Run;
use super::types::{Converter, Type};
use crate::settings::Limits;
use crate::source::{FileId, SourceMap};
use crate::value::Value;
use crate::InputError;

/// Values for root-module variables from outside the tree, in increasing precedence.
#[derive(Debug, Clone, Default)]
pub struct VariableInputs {
    /// `TF_VAR_name` environment variables.
    pub environment: Vec<(String, String)>,
    /// `--var-file` paths.
    pub var_files: Vec<PathBuf>,
    /// `--var NAME=VALUE`.
    pub vars: Vec<(String, String)>,
}

impl VariableInputs {
    /// Picks `TF_VAR_*` out of the process environment.
    pub fn with_process_environment(mut self) -> Self {
        self.environment = std::env::vars()
            .filter_map(|(key, value)| Some((key.strip_prefix("TF_VAR_")?.to_owned(), value)))
            .collect();
        self
    }
}

/// A value for a root variable, before evaluation.
#[derive(Debug, Clone)]
pub(super) enum RootValue {
    Expression(Located<Expression>),
    Text(String),
    Json(Value),
}

/// The `--var-file` assignments, read once for every root (a FIFO can be read only once).
pub(super) fn read_var_files(
    inputs: &VariableInputs,
    limits: &Limits,
    sources: &mut SourceMap,
    errors: &mut Vec<InputError>,
) -> Vec<(String, RootValue)> {
    let mut out = Vec::new();
    for path in &inputs.var_files {
        out.extend(read_tfvars(path, path, limits, sources, errors));
    }
    out
}

/// The assignments of one tfvars file (`.tfvars` in HCL or `.tfvars.json`).
fn read_tfvars(
    path: &Path,
    shown: &Path,
    limits: &Limits,
    sources: &mut SourceMap,
    errors: &mut Vec<InputError>,
) -> Vec<(String, RootValue)> {
    let text = match read_source(path, limits) {
        Ok(text) => text,
        Err(mut error) => {
            error.path = shown.to_path_buf();
            errors.push(error);
            return Vec::new();
        }
    };
    if shown.extension().is_some_and(|ext| ext == "json") {
        return match serde_json::from_str::<serde_json::Value>(&text) {
            Ok(serde_json::Value::Object(entries)) => entries
                .into_iter()
                .map(|(name, json)| (name, RootValue::Json(Value::from_json(&json))))
                .collect(),
            Ok(_) => {
                errors.push(InputError {
                    path: shown.to_path_buf(),
                    line: 1,
                    column: 1,
                    message: "a .tfvars.json file must hold one JSON object".to_owned(),
                });
                Vec::new()
            }
            Err(error) => {
                errors.push(InputError {
                    path: shown.to_path_buf(),
                    line: error.line(),
                    column: error.column(),
                    message: error.to_string(),
                });
                Vec::new()
            }
        };
    }
    match parse_tfvars(shown, &text, sources) {
        Ok(assignments) => assignments
            .into_iter()
            .map(|(name, expression)| (name, RootValue::Expression(expression)))
            .collect(),
        Err(error) => {
            errors.push(error);
            Vec::new()
        }
    }
}

/// `TF_VAR_*` < `terraform.tfvars` < `terraform.tfvars.json` < `*.auto.tfvars(.json)`
/// (lexical) < the root's own var files from `.drlint.hcl` (`own_files`, in order) <
/// `--var-file` (in order) < `--var`, for the variables the root declares.
#[allow(clippy::too_many_arguments)]
pub(super) fn root_values(
    root: &Root,
    module: &ModuleSource,
    inputs: &VariableInputs,
    own_files: &[PathBuf],
    var_files: &[(String, RootValue)],
    limits: &Limits,
    sources: &mut SourceMap,
    errors: &mut Vec<InputError>,
) -> HashMap<String, RootValue> {
    let mut values = HashMap::new();
    for (name, text) in &inputs.environment {
        values.insert(name.clone(), RootValue::Text(text.clone()));
    }
    // A Terragrunt unit's inputs arrive as TF_VAR_ variables, already typed.
    if let Some(unit) = &root.unit {
        if let Value::Map(entries) | Value::Partial(entries) = &unit.inputs {
            for (name, value) in entries {
                // Strings reach Terraform as they are, and are read as HCL for a variable of
                // a collection type, like any TF_VAR_ value; other values arrive JSON-encoded.
                let value = match value {
                    Value::String(text) => RootValue::Text(text.to_string()),
                    other => RootValue::Json(other.clone()),
                };
                values.insert(name.clone().into(), value);
            }
        }
    }
    let mut files = Vec::new();
    for name in ["terraform.tfvars", "terraform.tfvars.json"] {
        if root.dir.join(name).is_file() {
            files.push(name.to_owned());
        }
    }
    let mut auto: Vec<String> = std::fs::read_dir(&root.dir)
        .map(|entries| {
            entries
                .filter_map(|entry| entry.ok())
                .map(|entry| entry.file_name().to_string_lossy().into_owned())
                .filter(|name| {
                    name.ends_with(".auto.tfvars") || name.ends_with(".auto.tfvars.json")
                })
                .collect()
        })
        .unwrap_or_default();
    auto.sort();
    files.extend(auto);
    for name in files {
        let path = root.dir.join(&name);
        let shown = root.style.show(&path);
        values.extend(read_tfvars(&path, &shown, limits, sources, errors));
    }
    for path in own_files {
        let shown = root.style.show(path);
        values.extend(read_tfvars(path, &shown, limits, sources, errors));
    }
    values.extend(var_files.iter().cloned());
    for (name, text) in &inputs.vars {
        values.insert(name.clone(), RootValue::Text(text.clone()));
    }
    values.retain(|name, _| module.variables.contains_key(name));
    values
}

/// No variables, locals or modules: what tfvars, `--var` values, defaults and optional
/// attribute defaults may use.
pub(super) struct ConstantEnv<'a>(pub &'a Budget);

impl Env for ConstantEnv<'_> {
    fn budget(&self) -> &Budget {
        self.0
    }
    fn var(&self, _: &str) -> Option<Value> {
        None
    }
    fn local(&self, _: &str) -> Option<Value> {
        None
    }
    fn module(&self, _: &str) -> Option<Value> {
        None
    }
    fn module_path(&self) -> String {
        ".".to_owned()
    }
    fn root_path(&self) -> String {
        ".".to_owned()
    }
}

/// Evaluates a constant expression (a default, a tfvars value) of `file` whose spans count
/// from `base`, reporting what it met.
pub(super) fn constant(expr: &Expression, file: FileId, base: usize, run: &Run) -> Value {
    let env = ConstantEnv(&run.budget);
    let mut evaluator = Evaluator::new(&env).in_file(file, base);
    let value = evaluator.eval_lenient(expr);
    run.report(file, evaluator.take_errors());
    value
}

/// `value` converted to the variable's declared type, `optional()` defaults applied; `name`
/// says which variable, for problems found.
pub(super) fn typed(value: Value, decl: &VariableDecl, name: &str, run: &Run) -> Value {
    let Some(type_expr) = &decl.type_expr else {
        return value;
    };
    let ty = match Type::parse(type_expr) {
        Ok(ty) => ty,
        Err(problem) => {
            run.note(
                decl.file,
                Some(decl.header.clone()),
                format!("the type of variable {name:?} cannot be read ({problem}); its value is used as given"),
            );
            return value;
        }
    };
    let mut default = |expr: &Expression| constant(expr, decl.file, decl.base, run);
    let mut converter = Converter {
        default: &mut default,
        problems: Vec::new(),
    };
    let value = converter.convert(value, &ty, &format!("var.{name}"));
    for problem in converter.problems {
        run.note(decl.file, Some(decl.header.clone()), problem);
    }
    value
}

/// The value of every variable of a root module: given, else its default, else unknown (and
/// a note), converted to its type.
pub(super) fn evaluate_root_variables(
    module: &ModuleSource,
    mut given: HashMap<String, RootValue>,
    run: &Run,
) -> HashMap<String, Value> {
    let mut vars = HashMap::new();
    for (name, decl) in &module.variables {
        let value = match given.remove(name) {
            Some(RootValue::Json(value)) => value,
            Some(RootValue::Expression(located)) => {
                constant(&located.node, located.file, located.base, run)
            }
            Some(RootValue::Text(text)) => {
                // Terraform reads `-var` and TF_VAR_ values of primitive and untyped variables
                // literally, and those of collection and structural types as HCL.
                let complex = decl
                    .type_expr
                    .as_ref()
                    .and_then(|expr| Type::parse(expr).ok())
                    .is_some_and(|ty| ty.is_complex());
                if !complex {
                    Value::String(text.into())
                } else {
                    let env = ConstantEnv(&run.budget);
                    hcl_edit::parser::parse_expr(&text)
                        .ok()
                        .and_then(|expr| Evaluator::new(&env).eval(&expr).ok())
                        .unwrap_or(Value::String(text.into()))
                }
            }
            None => match &decl.default {
                Some(default) => constant(default, decl.file, decl.base, run),
                None => {
                    run.note(
                        decl.file,
                        Some(decl.header.clone()),
                        format!(
                            "variable {name:?} has no value (no default, tfvars, --var or TF_VAR_{name}); what depends on it is unknown"
                        ),
                    );
                    Value::Unknown
                }
            },
        };
        vars.insert(name.clone(), typed(value, decl, name, run));
    }
    vars
}
