//! Terragrunt units: a directory with a `terragrunt.hcl` is a root module of its own, made of
//! the module its `terraform { source }` names (or the directory itself), the files its
//! `generate` blocks write, and its `inputs` as variable values, with `include`d
//! configurations merged in as Terragrunt merges them (shallow: the unit wins).
//!
//! Only what decides values is read: `locals`, `inputs`, `include`, `generate`, `terraform`.
//! Terragrunt's functions that depend on nothing outside the repository are evaluated
//! (`find_in_parent_folders`, `path_relative_to_include`, `get_terragrunt_dir`,
//! `get_parent_terragrunt_dir`, `file`, `get_env` with its default); `dependency` outputs,
//! whose mock values are placeholders, are unknown.

use std::cell::RefCell;
use std::collections::HashMap;
use std::ops::Range;
use std::path::{Path, PathBuf};

use hcl_edit::expr::Expression;
use hcl_edit::structure::{Body, Structure};
use hcl_edit::Span;
use indexmap::IndexMap;

use super::eval::{Budget, Env, Evaluator};
use super::load::{header_span, parse_hcl, read_source, resolve_dir};
use super::project::PathStyle;
use crate::settings::Limits;
use crate::source::{FileId, SourceMap};
use crate::value::Value;
use crate::InputError;

/// The configuration file that makes a directory a Terragrunt unit.
pub const CONFIG_FILE: &str = "terragrunt.hcl";

/// A Terragrunt unit as drlint lints it.
#[derive(Debug)]
pub struct Unit {
    /// The unit's directory (where `terragrunt.hcl` is), resolved on disk.
    pub dir: PathBuf,
    /// Where the module comes from, as written; `None` when the unit is its own module.
    pub source: Option<String>,
    /// The module directory on disk; `None` when the source is not a local path.
    pub module: Option<PathBuf>,
    /// The merged `inputs` (a map, partial where keys cannot be known).
    pub inputs: Value,
    /// Files the `generate` blocks write into the module, in order.
    pub generated: Vec<Generated>,
    /// Files the configuration read with `file()`: their directories are sources for
    /// generated code, not root modules.
    pub read: Vec<PathBuf>,
    /// `terragrunt.hcl` and the span of its `terraform` block (or of its first line).
    pub file: FileId,
    pub header: Range<usize>,
}

/// One file a `generate` block writes.
#[derive(Debug, Clone)]
pub struct Generated {
    /// Its name in the module directory (`provider.tf`).
    pub name: String,
    /// How output names it: the file it was read from with `file()`, or the unit's
    /// directory joined with `name`.
    pub shown: PathBuf,
    pub text: String,
    /// `overwrite` (the default), `skip`, `error`, …
    pub if_exists: String,
}

/// The parts of one Terragrunt configuration file that decide values.
struct Config {
    file: FileId,
    dir: PathBuf,
    body: Body,
}

/// Reads the unit in `dir` and the configurations it includes.
pub fn read_unit(
    dir: &Path,
    style: &PathStyle,
    limits: &Limits,
    sources: &mut SourceMap,
    errors: &mut Vec<InputError>,
) -> Option<Unit> {
    let budget = Budget::new(*limits);
    let unit = read_config(&dir.join(CONFIG_FILE), style, limits, sources, errors)?;
    let file = unit.file;
    let header = unit
        .body
        .get_blocks("terraform")
        .next()
        .and_then(|block| sources.get(file).map(|text| header_span(block, &text.text)))
        .unwrap_or(0..0);
    let mut read = Vec::new();
    // Included configurations, evaluated in the unit's context.
    let mut includes = Vec::new();
    for block in unit.body.get_blocks("include") {
        let Some(path) = block.body.get_attribute("path") else {
            continue;
        };
        let env = ConfigEnv::new(&budget, &unit, dir, dir, limits);
        let value = env.evaluate(&path.value, sources);
        read.extend(env.read.take().into_iter().map(|(path, _)| path));
        let Some(path) = value.as_str() else {
            sources_note(
                errors,
                sources,
                unit.file,
                path.value.span(),
                "the include path cannot be known; the included configuration is not read",
            );
            continue;
        };
        let path = dir.join(path);
        if let Some(config) = read_config(&path, style, limits, sources, errors) {
            includes.push(config);
        }
    }
    // Shallow merge: the unit's values win over what it includes.
    let mut configs: Vec<&Config> = includes.iter().collect();
    configs.push(&unit);
    let mut source: Option<(String, PathBuf)> = None;
    let mut inputs = Value::Map(IndexMap::new().into());
    let mut generate: IndexMap<String, Generated> = IndexMap::new();
    for config in &configs {
        let env = ConfigEnv::new(&budget, config, dir, &includes_dir(&includes, dir), limits);
        if let Some(expr) = config
            .body
            .get_blocks("terraform")
            .next()
            .and_then(|block| block.body.get_attribute("source"))
        {
            if let Some(text) = env.evaluate(&expr.value, sources).as_str() {
                source = Some((text.to_owned(), config.dir.clone()));
            }
        }
        if let Some(expr) = config.body.get_attribute("inputs") {
            let value = env.evaluate(&expr.value, sources);
            inputs = Value::merge([inputs, value]).unwrap_or(Value::Unknown);
        }
        for block in config.body.get_blocks("generate") {
            let Some(name) = block.labels.first().map(|label| label.as_str().to_owned()) else {
                continue;
            };
            let text = |key: &str| {
                block
                    .body
                    .get_attribute(key)
                    .map(|attribute| env.evaluate(&attribute.value, sources))
            };
            if text("disable").and_then(|v| v.to_bool()) == Some(true) {
                generate.shift_remove(&name);
                continue;
            }
            let (Some(Value::String(path)), Some(Value::String(contents))) =
                (text("path"), text("contents"))
            else {
                continue;
            };
            let if_exists = text("if_exists")
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_else(|| "overwrite".to_owned());
            let from_file = env
                .read
                .borrow()
                .iter()
                .find(|(_, text)| *text == contents)
                .map(|(path, _)| style.show(path));
            generate.insert(
                name,
                Generated {
                    shown: from_file.unwrap_or_else(|| style.show(&dir.join(&path))),
                    name: path.into(),
                    text: contents.into(),
                    if_exists,
                },
            );
        }
        read.extend(env.read.take().into_iter().map(|(path, _)| path));
    }
    let (source, module) = match source {
        None => (None, Some(dir.to_path_buf())),
        Some((text, base)) => {
            let module = local_source(&base, &text);
            (Some(text), module)
        }
    };
    Some(Unit {
        dir: dir.to_path_buf(),
        source,
        module,
        inputs,
        generated: generate.into_values().collect(),
        read,
        file,
        header,
    })
}

fn includes_dir(includes: &[Config], dir: &Path) -> PathBuf {
    includes
        .first()
        .map_or_else(|| dir.to_path_buf(), |config| config.dir.clone())
}

/// A local module source: `../../modules//rds` (the part after `//` is the directory inside
/// what the part before it names) or a plain relative path. `None` for remote sources.
fn local_source(base: &Path, source: &str) -> Option<PathBuf> {
    let local = source.starts_with("./")
        || source.starts_with("../")
        || source.starts_with('/')
        || source.starts_with("file://");
    if !local {
        return None;
    }
    let source = source.trim_start_matches("file://");
    let path = match source.split_once("//") {
        Some((root, inner)) => base.join(root).join(inner),
        None => base.join(source),
    };
    resolve_dir(&path)
}

fn read_config(
    path: &Path,
    style: &PathStyle,
    limits: &Limits,
    sources: &mut SourceMap,
    errors: &mut Vec<InputError>,
) -> Option<Config> {
    let shown = style.show(path);
    let text = match read_source(path, limits) {
        Ok(text) => text,
        Err(mut error) => {
            error.path = shown;
            errors.push(error);
            return None;
        }
    };
    match parse_hcl(&text, &shown) {
        Ok((body, _)) => Some(Config {
            file: sources.add(shown, text.as_str()),
            dir: path.parent().map_or_else(PathBuf::new, Path::to_path_buf),
            body,
        }),
        Err(error) => {
            errors.push(error);
            None
        }
    }
}

fn sources_note(
    errors: &mut Vec<InputError>,
    sources: &SourceMap,
    file: FileId,
    span: Option<Range<usize>>,
    message: &str,
) {
    let (line, column) = span.map_or((1, 1), |span| sources.line_column(file, span.start));
    errors.push(InputError {
        path: sources.path(file).to_path_buf(),
        line,
        column,
        message: message.to_owned(),
    });
}

/// What the expressions of one Terragrunt configuration file see.
struct ConfigEnv<'a> {
    budget: &'a Budget,
    limits: &'a Limits,
    config: &'a Config,
    /// The unit's directory (`get_terragrunt_dir`), and the included configuration's.
    unit_dir: &'a Path,
    include_dir: PathBuf,
    locals: HashMap<String, &'a Expression>,
    values: RefCell<HashMap<String, Value>>,
    in_progress: RefCell<Vec<String>>,
    /// Files read with `file()`, with their text.
    read: RefCell<Vec<(PathBuf, String)>>,
}

impl<'a> ConfigEnv<'a> {
    fn new(
        budget: &'a Budget,
        config: &'a Config,
        unit_dir: &'a Path,
        include_dir: &Path,
        limits: &'a Limits,
    ) -> ConfigEnv<'a> {
        let mut locals = HashMap::new();
        for structure in config.body.iter() {
            if let Structure::Block(block) = structure {
                if block.ident.as_str() == "locals" {
                    for attribute in block.body.attributes() {
                        locals.insert(attribute.key.as_str().to_owned(), &attribute.value);
                    }
                }
            }
        }
        ConfigEnv {
            budget,
            limits,
            config,
            unit_dir,
            include_dir: include_dir.to_path_buf(),
            locals,
            values: RefCell::new(HashMap::new()),
            in_progress: RefCell::new(Vec::new()),
            read: RefCell::new(Vec::new()),
        }
    }

    fn evaluate(&self, expr: &Expression, _sources: &SourceMap) -> Value {
        let mut evaluator = Evaluator::new(self).in_file(self.config.file, 0);
        evaluator.eval_lenient(expr)
    }
}

impl Env for ConfigEnv<'_> {
    fn budget(&self) -> &Budget {
        self.budget
    }

    fn var(&self, _: &str) -> Option<Value> {
        None
    }

    fn local(&self, name: &str) -> Option<Value> {
        if let Some(value) = self.values.borrow().get(name) {
            return Some(value.clone());
        }
        let expr = *self.locals.get(name)?;
        if self.in_progress.borrow().iter().any(|n| n == name) {
            return Some(Value::Unknown);
        }
        self.in_progress.borrow_mut().push(name.to_owned());
        let mut evaluator = Evaluator::new(self).in_file(self.config.file, 0);
        let value = evaluator.eval_lenient(expr);
        self.in_progress.borrow_mut().pop();
        self.values
            .borrow_mut()
            .insert(name.to_owned(), value.clone());
        Some(value)
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

    fn function(&self, name: &str, args: &[Value]) -> Option<Value> {
        let text = |index: usize| args.get(index).and_then(Value::as_str);
        let path_value = |path: &Path| Value::String(path.display().to_string().into());
        Some(match name {
            "get_terragrunt_dir" => path_value(self.unit_dir),
            "get_parent_terragrunt_dir" => path_value(&self.include_dir),
            "path_relative_to_include" => Value::String(
                super::project::relative_path(self.unit_dir, &self.include_dir)
                    .display()
                    .to_string()
                    .into(),
            ),
            "path_relative_from_include" => Value::String(
                super::project::relative_path(&self.include_dir, self.unit_dir)
                    .display()
                    .to_string()
                    .into(),
            ),
            "find_in_parent_folders" => {
                let wanted = text(0).unwrap_or(CONFIG_FILE);
                let found = self
                    .unit_dir
                    .ancestors()
                    .skip(1)
                    .map(|dir| dir.join(wanted))
                    .find(|path| path.exists());
                match (found, args.get(1)) {
                    (Some(path), _) => path_value(&path),
                    (None, Some(fallback)) => fallback.clone(),
                    (None, None) => Value::Unknown,
                }
            }
            "get_env" => match (text(0).map(std::env::var), args.get(1)) {
                (Some(Ok(value)), _) => Value::String(value.into()),
                (_, Some(default)) => default.clone(),
                _ => Value::Unknown,
            },
            "file" => {
                let Some(path) = text(0) else {
                    return Some(Value::Unknown);
                };
                // Relative to the configuration that calls it, then to the unit.
                let candidates = [self.config.dir.join(path), self.unit_dir.join(path)];
                let Some(path) = candidates.into_iter().find(|path| path.is_file()) else {
                    return Some(Value::Unknown);
                };
                match read_source(&path, self.limits) {
                    Ok(text) => {
                        let resolved = path.canonicalize().unwrap_or(path);
                        self.read.borrow_mut().push((resolved, text.clone()));
                        Value::String(text.into())
                    }
                    Err(_) => Value::Unknown,
                }
            }
            "get_aws_account_id"
            | "get_aws_caller_identity_arn"
            | "get_aws_caller_identity_user_id"
            | "run_cmd"
            | "read_terragrunt_config"
            | "get_repo_root"
            | "sops_decrypt_file"
            | "get_terraform_command"
            | "get_terraform_cli_args"
            | "get_original_terragrunt_dir"
            | "get_working_dir"
            | "get_platform" => Value::Unknown,
            _ => return None,
        })
    }
}
