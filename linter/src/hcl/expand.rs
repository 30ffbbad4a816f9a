//! Instantiating modules: variables, locals, module calls at any depth, `count`/`for_each`,
//! `dynamic` blocks and provider `default_tags`, down to one [`Resource`] per instance.

use std::cell::{OnceCell, RefCell};
use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::rc::Rc;

use hcl_edit::expr::{Expression, ObjectKey};
use hcl_edit::structure::{Block, Body, Structure};
use hcl_edit::Span;
use indexmap::IndexMap;

use super::eval::{iteration_pairs, Env, EvalError, Evaluator};
use super::load::{
    discover_module_dirs, is_local_source, load_module, load_tfvars, normalize, BlockDecl, Located,
    ModuleSource,
};
use crate::model::{Model, Note, Origin, Resource, UnresolvedModule};
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

/// Modules deeper than this are not followed (a module that calls itself would never end).
const MAX_MODULE_DEPTH: usize = 32;

/// A value for a root variable, before evaluation.
enum RootValue {
    Expression(Located<Expression>),
    Text(String),
    Json(Value),
}

struct Project {
    modules: HashMap<PathBuf, ModuleSource>,
    /// Per root directory: `.terraform/modules/modules.json` key → module directory.
    installed: HashMap<PathBuf, HashMap<String, PathBuf>>,
}

/// Loads every module under `paths` and evaluates each root module (a directory no other
/// directory in the scan calls as a local module) into resource instances.
pub fn load_tree(
    paths: &[PathBuf],
    inputs: &VariableInputs,
    sources: &mut SourceMap,
    errors: &mut Vec<InputError>,
) -> Model {
    let mut scanned = BTreeSet::new();
    for path in paths {
        let before = scanned.len();
        match discover_module_dirs(path, &mut scanned) {
            Ok(()) if scanned.len() == before => errors.push(InputError {
                path: path.clone(),
                line: 1,
                column: 1,
                message: "no .tf files under this directory: point drlint at the Terraform code (or a plan file)".to_owned(),
            }),
            Ok(()) => {}
            Err(error) => errors.push(InputError::io(path, &error)),
        }
    }
    let mut project = Project {
        modules: HashMap::new(),
        installed: HashMap::new(),
    };
    let mut called: HashSet<PathBuf> = HashSet::new();
    let mut queue: Vec<PathBuf> = scanned.iter().cloned().collect();
    while let Some(dir) = queue.pop() {
        if project.modules.contains_key(&dir) {
            continue;
        }
        let module = load_module(&dir, sources, errors);
        for (_, target) in module.local_calls() {
            // A directory that calls itself is still a root (and its recursion is cut at
            // MAX_MODULE_DEPTH).
            if target != dir {
                called.insert(target.clone());
            }
            if !project.modules.contains_key(&target) && target.is_dir() {
                queue.push(target);
            }
        }
        let manifest = dir.join(".terraform/modules/modules.json");
        if manifest.is_file() {
            let installed = read_module_manifest(&dir, &manifest, errors);
            for target in installed.values() {
                called.insert(target.clone());
                if target.is_dir() {
                    queue.push(target.clone());
                }
            }
            project.installed.insert(dir.clone(), installed);
        }
        project.modules.insert(dir, module);
    }

    let mut model = Model::default();
    let notes = Rc::new(RefCell::new(Vec::new()));
    let unresolved = Rc::new(RefCell::new(Vec::new()));
    for dir in scanned.iter().filter(|dir| !called.contains(*dir)) {
        let Some(module) = project.modules.get(dir) else {
            continue;
        };
        let root_values = root_variable_values(dir, module, inputs, sources, errors);
        let vars = evaluate_root_variables(module, root_values, &notes);
        let instance = Rc::new(Instance {
            project: &project,
            module,
            root_dir: dir.clone(),
            call_path: Vec::new(),
            address: String::new(),
            vars,
            var_references: HashMap::new(),
            providers: RefCell::new(HashMap::new()),
            locals: RefCell::new(HashMap::new()),
            in_progress: RefCell::new(HashSet::new()),
            children: RefCell::new(HashMap::new()),
            outputs: OnceCell::new(),
            notes: notes.clone(),
            unresolved: unresolved.clone(),
            depth: 0,
            expansion_unknown: false,
        });
        instance.configure_providers();
        instance.collect(&mut model.resources);
    }
    let json_files: HashSet<FileId> = project
        .modules
        .values()
        .flat_map(|module| module.json_files.iter().copied())
        .collect();
    model.unresolved_modules = std::mem::take(&mut *unresolved.borrow_mut());
    for call in &mut model.unresolved_modules {
        if json_files.contains(&call.file) {
            call.header = None;
        }
    }
    let mut seen = HashSet::new();
    let collected = std::mem::take(&mut *notes.borrow_mut());
    for mut note in collected {
        if note.file.is_some_and(|file| json_files.contains(&file)) {
            note.span = None;
        }
        if seen.insert((note.file, note.span.clone(), note.message.clone())) {
            model.notes.push(note);
        }
    }
    model
}

fn read_module_manifest(
    root: &Path,
    manifest: &Path,
    errors: &mut Vec<InputError>,
) -> HashMap<String, PathBuf> {
    let mut out = HashMap::new();
    let text = match std::fs::read_to_string(manifest) {
        Ok(text) => text,
        Err(error) => {
            errors.push(InputError::io(manifest, &error));
            return out;
        }
    };
    match serde_json::from_str::<serde_json::Value>(&text) {
        Ok(json) => {
            for entry in json
                .get("Modules")
                .and_then(|m| m.as_array())
                .into_iter()
                .flatten()
            {
                let (Some(key), Some(dir)) = (
                    entry.get("Key").and_then(|k| k.as_str()),
                    entry.get("Dir").and_then(|d| d.as_str()),
                ) else {
                    continue;
                };
                if !key.is_empty() {
                    out.insert(key.to_owned(), normalize(&root.join(dir)));
                }
            }
        }
        Err(error) => errors.push(InputError {
            path: manifest.to_path_buf(),
            line: error.line(),
            column: error.column(),
            message: format!("invalid module manifest: {error}"),
        }),
    }
    out
}

fn root_variable_values(
    dir: &Path,
    module: &ModuleSource,
    inputs: &VariableInputs,
    sources: &mut SourceMap,
    errors: &mut Vec<InputError>,
) -> HashMap<String, RootValue> {
    let mut values = HashMap::new();
    for (name, text) in &inputs.environment {
        values.insert(name.clone(), RootValue::Text(text.clone()));
    }
    let mut files = Vec::new();
    let default_file = dir.join("terraform.tfvars");
    if default_file.is_file() {
        files.push(default_file);
    }
    let default_json = dir.join("terraform.tfvars.json");
    if default_json.is_file() {
        files.push(default_json);
    }
    let mut auto: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(|entry| entry.ok().map(|entry| entry.path()))
                .filter(|path| {
                    let name = path
                        .file_name()
                        .map(|n| n.to_string_lossy().into_owned())
                        .unwrap_or_default();
                    name.ends_with(".auto.tfvars") || name.ends_with(".auto.tfvars.json")
                })
                .collect()
        })
        .unwrap_or_default();
    auto.sort();
    files.extend(auto);
    files.extend(inputs.var_files.iter().cloned());
    for file in files {
        if file.extension().is_some_and(|ext| ext == "json") {
            match std::fs::read_to_string(&file) {
                Ok(text) => match serde_json::from_str::<serde_json::Value>(&text) {
                    Ok(serde_json::Value::Object(entries)) => {
                        for (name, json) in entries {
                            values.insert(name, RootValue::Json(Value::from_json(&json)));
                        }
                    }
                    Ok(_) => errors.push(InputError {
                        path: file.clone(),
                        line: 1,
                        column: 1,
                        message: "a .tfvars.json file must hold one JSON object".to_owned(),
                    }),
                    Err(error) => errors.push(InputError {
                        path: file.clone(),
                        line: error.line(),
                        column: error.column(),
                        message: error.to_string(),
                    }),
                },
                Err(error) => errors.push(InputError::io(&file, &error)),
            }
            continue;
        }
        match load_tfvars(&file, sources) {
            Ok(assignments) => {
                for (name, expression) in assignments {
                    values.insert(name, RootValue::Expression(expression));
                }
            }
            Err(error) => errors.push(error),
        }
    }
    for (name, text) in &inputs.vars {
        values.insert(name.clone(), RootValue::Text(text.clone()));
    }
    values.retain(|name, _| module.variables.contains_key(name));
    values
}

/// No variables, locals or modules: what tfvars and `--var` values may use.
struct ConstantEnv;

impl Env for ConstantEnv {
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

fn evaluate_root_variables(
    module: &ModuleSource,
    mut given: HashMap<String, RootValue>,
    notes: &Rc<RefCell<Vec<Note>>>,
) -> HashMap<String, Value> {
    let mut vars = HashMap::new();
    for (name, decl) in &module.variables {
        let value = match given.remove(name) {
            Some(RootValue::Json(value)) => value,
            Some(RootValue::Expression(located)) => {
                let mut evaluator = Evaluator::new(&ConstantEnv);
                let (value, error) = evaluator.eval_lenient(&located.node);
                if let Some(error) = error {
                    push_eval_note(notes, located.file, error);
                }
                value
            }
            Some(RootValue::Text(text)) => {
                // Terraform reads `-var` and TF_VAR_ values of primitive and untyped variables
                // literally, and those of collection and structural types as HCL.
                if !decl.complex_type {
                    Value::String(text)
                } else {
                    hcl_edit::parser::parse_expr(&text)
                        .ok()
                        .and_then(|expr| Evaluator::new(&ConstantEnv).eval(&expr).ok())
                        .unwrap_or(Value::String(text))
                }
            }
            None => match &decl.default {
                Some(default) => {
                    let mut evaluator = Evaluator::new(&ConstantEnv);
                    let (value, error) = evaluator.eval_lenient(default);
                    if let Some(error) = error {
                        push_eval_note(notes, decl.file, error);
                    }
                    value
                }
                None => {
                    notes.borrow_mut().push(Note {
                        message: format!(
                            "variable {name:?} has no value (no default, tfvars, --var or TF_VAR_{name}); what depends on it is unknown"
                        ),
                        file: Some(decl.file),
                        span: Some(decl.header.clone()),
                    });
                    Value::Unknown
                }
            },
        };
        vars.insert(name.clone(), value);
    }
    vars
}

fn push_eval_note(notes: &Rc<RefCell<Vec<Note>>>, file: FileId, error: EvalError) {
    notes.borrow_mut().push(Note {
        message: format!(
            "cannot evaluate this expression ({}); it is treated as unknown",
            error.message
        ),
        file: Some(file),
        span: error.span,
    });
}

/// A provider configuration as resources see it.
#[derive(Debug, Clone)]
struct ProviderConfig {
    default_tags: Value,
    region: Value,
}

/// How many instances a `count`/`for_each` block makes.
enum Expansion {
    Single,
    /// Instance key suffix (`[0]`, `["a"]`) and the bindings (`count.index` or `each`).
    Keys(Vec<(String, Binding)>),
    Unknown,
}

#[derive(Clone)]
enum Binding {
    Count(usize),
    Each(Value, Value),
}

/// The instances of one module call.
enum Children<'p> {
    /// The source is neither local nor installed in `.terraform/modules`.
    NotAnalysable,
    Instances {
        by_count: bool,
        by_for_each: bool,
        list: Vec<(Option<Binding>, Rc<Instance<'p>>)>,
    },
}

struct Instance<'p> {
    project: &'p Project,
    module: &'p ModuleSource,
    root_dir: PathBuf,
    /// Call names from the root, for `.terraform/modules/modules.json` keys.
    call_path: Vec<String>,
    address: String,
    vars: HashMap<String, Value>,
    providers: RefCell<HashMap<String, ProviderConfig>>,
    locals: RefCell<HashMap<String, (Value, Vec<String>)>>,
    /// For module variables: the caller's resources each argument was computed from.
    var_references: HashMap<String, Vec<String>>,
    in_progress: RefCell<HashSet<String>>,
    children: RefCell<HashMap<String, Rc<Children<'p>>>>,
    outputs: OnceCell<(Value, Vec<String>)>,
    notes: Rc<RefCell<Vec<Note>>>,
    /// Module calls whose source is not on disk, for the rules to report as unknown.
    unresolved: Rc<RefCell<Vec<UnresolvedModule>>>,
    depth: usize,
    expansion_unknown: bool,
}

impl Env for Instance<'_> {
    fn var(&self, name: &str) -> Option<Value> {
        self.vars.get(name).cloned()
    }

    fn local(&self, name: &str) -> Option<Value> {
        if let Some((value, _)) = self.locals.borrow().get(name) {
            return Some(value.clone());
        }
        let located = self.module.locals.get(name)?;
        let guard = format!("local.{name}");
        if !self.in_progress.borrow_mut().insert(guard.clone()) {
            return Some(Value::Unknown);
        }
        let mut evaluator = Evaluator::new(self);
        let (value, error) = evaluator.eval_lenient(&located.node);
        if let Some(error) = error {
            push_eval_note(&self.notes, located.file, error);
        }
        self.in_progress.borrow_mut().remove(&guard);
        let references = std::mem::take(&mut evaluator.references);
        self.locals
            .borrow_mut()
            .insert(name.to_owned(), (value.clone(), references));
        Some(value)
    }

    fn var_references(&self, name: &str) -> Vec<String> {
        self.var_references.get(name).cloned().unwrap_or_default()
    }

    fn local_references(&self, name: &str) -> Vec<String> {
        self.locals
            .borrow()
            .get(name)
            .map(|(_, references)| references.clone())
            .unwrap_or_default()
    }

    fn module_references(&self, name: &str) -> Vec<String> {
        let Some(children) = self.children.borrow().get(name).cloned() else {
            return Vec::new();
        };
        let mut out = Vec::new();
        if let Children::Instances { list, .. } = children.as_ref() {
            for (_, child) in list {
                child.outputs();
                if let Some((_, references)) = child.outputs.get() {
                    for reference in references {
                        if !out.contains(reference) {
                            out.push(reference.clone());
                        }
                    }
                }
            }
        }
        out
    }

    /// `dr_tier.NAME.tags` is what the provider computes from the tier's level and RTO
    /// (`dr_vocab::tier_tags`), so tags taken from a tier are known before apply.
    fn resource_attribute(
        &self,
        resource_type: &str,
        name: &str,
        attribute: &str,
    ) -> Option<Value> {
        if resource_type != "dr_tier" || attribute != "tags" {
            return None;
        }
        let decl = self
            .module
            .resources
            .iter()
            .find(|decl| decl.labels[0] == resource_type && decl.labels[1] == name)?;
        let body = &decl.block.body;
        if body.get_attribute("count").is_some() || body.get_attribute("for_each").is_some() {
            return None;
        }
        let guard = format!("{resource_type}.{name}");
        if !self.in_progress.borrow_mut().insert(guard.clone()) {
            return None;
        }
        let mut evaluator = Evaluator::new(self);
        let mut read = |key: &str| {
            body.get_attribute(key)
                .and_then(|attribute| evaluator.eval(&attribute.value).ok())
        };
        let level = read("level").and_then(|v| v.to_number());
        let rto = read("rto").and_then(|v| v.as_str().map(str::to_owned));
        self.in_progress.borrow_mut().remove(&guard);
        let level = level.filter(|l| (1.0..=255.0).contains(l) && l.fract() == 0.0)? as u8;
        let rto_seconds = dr_vocab::parse_duration(&rto?).ok()?;
        Some(Value::Map(
            dr_vocab::tier_tags(level, rto_seconds)
                .into_iter()
                .map(|(key, value)| (key.to_owned(), Value::String(value)))
                .collect(),
        ))
    }

    fn qualify(&self, reference: &str) -> String {
        if self.address.is_empty() {
            format!("{}::{reference}", self.root_dir.display())
        } else {
            format!("{}::{}.{reference}", self.root_dir.display(), self.address)
        }
    }

    fn module(&self, name: &str) -> Option<Value> {
        if !self
            .module
            .module_calls
            .iter()
            .any(|call| call.labels[0] == name)
        {
            return None;
        }
        let Some(children) = self.children(name) else {
            return Some(Value::Unknown);
        };
        Some(match children.as_ref() {
            Children::NotAnalysable => Value::Unknown,
            Children::Instances {
                by_count,
                by_for_each,
                list,
            } => {
                if *by_count {
                    Value::List(list.iter().map(|(_, child)| child.outputs()).collect())
                } else if *by_for_each {
                    Value::Map(
                        list.iter()
                            .map(|(binding, child)| {
                                let key = match binding {
                                    Some(Binding::Each(key, _)) => {
                                        key.to_string_value().unwrap_or_default()
                                    }
                                    _ => String::new(),
                                };
                                (key, child.outputs())
                            })
                            .collect(),
                    )
                } else {
                    list.first()
                        .map(|(_, child)| child.outputs())
                        .unwrap_or(Value::Unknown)
                }
            }
        })
    }

    fn module_path(&self) -> String {
        self.module.dir.display().to_string()
    }

    fn root_path(&self) -> String {
        self.root_dir.display().to_string()
    }
}

impl<'p> Instance<'p> {
    fn note(&self, file: FileId, span: Option<std::ops::Range<usize>>, message: String) {
        self.notes.borrow_mut().push(Note {
            message,
            file: Some(file),
            span,
        });
    }

    fn outputs(&self) -> Value {
        if let Some((value, _)) = self.outputs.get() {
            return value.clone();
        }
        // An output that (through the caller) depends on this module's own outputs is a cycle
        // Terraform rejects; here it is unknown rather than a re-entrant initialisation.
        if !self.in_progress.borrow_mut().insert("outputs".to_owned()) {
            return Value::Unknown;
        }
        let mut entries = IndexMap::new();
        let mut references = Vec::new();
        let mut names: Vec<&String> = self.module.outputs.keys().collect();
        names.sort();
        for name in names {
            let Some(located) = self.module.outputs.get(name) else {
                continue;
            };
            let mut evaluator = Evaluator::new(self);
            let (value, error) = evaluator.eval_lenient(&located.node);
            if let Some(error) = error {
                push_eval_note(&self.notes, located.file, error);
            }
            references.append(&mut evaluator.references);
            entries.insert(name.clone(), value);
        }
        self.in_progress.borrow_mut().remove("outputs");
        let value = Value::Map(entries);
        let _ = self.outputs.set((value.clone(), references));
        value
    }

    /// Evaluates this module's own `provider` blocks (legacy in child modules, usual in roots).
    fn configure_providers(&self) {
        for decl in &self.module.providers {
            let body = &decl.block.body;
            let mut evaluator = Evaluator::new(self);
            let alias = body
                .get_attribute("alias")
                .and_then(|attribute| evaluator.eval(&attribute.value).ok())
                .and_then(|value| value.as_str().map(str::to_owned));
            let key = match alias {
                Some(alias) => format!("{}.{alias}", decl.labels[0]),
                None => decl.labels[0].clone(),
            };
            let region = match body.get_attribute("region") {
                Some(attribute) => evaluator.eval_lenient(&attribute.value).0,
                None => Value::Null,
            };
            let default_tags = match body.get_blocks("default_tags").next() {
                Some(block) => match block.body.get_attribute("tags") {
                    Some(attribute) => {
                        let (value, error) = evaluator.eval_lenient(&attribute.value);
                        if let Some(error) = error {
                            push_eval_note(&self.notes, decl.file, error);
                        }
                        value
                    }
                    None => Value::Null,
                },
                None => Value::Null,
            };
            self.providers.borrow_mut().insert(
                key,
                ProviderConfig {
                    default_tags,
                    region,
                },
            );
        }
    }

    fn expansion(&self, body: &Body, file: FileId) -> Expansion {
        let mut evaluator = Evaluator::new(self);
        if let Some(count) = body.get_attribute("count") {
            let (value, error) = evaluator.eval_lenient(&count.value);
            if let Some(error) = error {
                push_eval_note(&self.notes, file, error);
            }
            return match value {
                Value::Unknown => Expansion::Unknown,
                value => match value.to_number() {
                    Some(n) if n >= 0.0 && n.fract() == 0.0 => Expansion::Keys(
                        (0..n as usize)
                            .map(|index| (format!("[{index}]"), Binding::Count(index)))
                            .collect(),
                    ),
                    _ => {
                        self.note(
                            file,
                            count.value.span(),
                            format!("count must be a whole number, not {value}"),
                        );
                        Expansion::Unknown
                    }
                },
            };
        }
        if let Some(for_each) = body.get_attribute("for_each") {
            let (value, error) = evaluator.eval_lenient(&for_each.value);
            if let Some(error) = error {
                push_eval_note(&self.notes, file, error);
            }
            return match value {
                Value::Map(entries) => Expansion::Keys(
                    entries
                        .into_iter()
                        .map(|(key, value)| {
                            (instance_key(&key), Binding::Each(Value::String(key), value))
                        })
                        .collect(),
                ),
                Value::List(items) if items.iter().all(|item| matches!(item, Value::String(_))) => {
                    let mut keys: Vec<String> = items
                        .into_iter()
                        .filter_map(|item| item.as_str().map(str::to_owned))
                        .collect();
                    keys.sort();
                    keys.dedup();
                    Expansion::Keys(
                        keys.into_iter()
                            .map(|key| {
                                (
                                    instance_key(&key),
                                    Binding::Each(Value::String(key.clone()), Value::String(key)),
                                )
                            })
                            .collect(),
                    )
                }
                Value::List(items) if items.iter().any(Value::is_unknown) => Expansion::Unknown,
                Value::Unknown => Expansion::Unknown,
                other => {
                    self.note(
                        file,
                        for_each.value.span(),
                        format!(
                            "for_each needs a map or a set of strings, not {}",
                            other.type_name()
                        ),
                    );
                    Expansion::Unknown
                }
            };
        }
        Expansion::Single
    }

    fn children(&self, name: &str) -> Option<Rc<Children<'p>>> {
        if let Some(children) = self.children.borrow().get(name) {
            return Some(children.clone());
        }
        let guard = format!("module.{name}");
        if !self.in_progress.borrow_mut().insert(guard.clone()) {
            return None;
        }
        let children = self.instantiate_call(name);
        self.in_progress.borrow_mut().remove(&guard);
        let children = Rc::new(children?);
        self.children
            .borrow_mut()
            .insert(name.to_owned(), children.clone());
        Some(children)
    }

    fn instantiate_call(&self, name: &str) -> Option<Children<'p>> {
        let call = self
            .module
            .module_calls
            .iter()
            .find(|call| call.labels[0] == name)?;
        let body = &call.block.body;
        let source = body
            .get_attribute("source")
            .and_then(|a| a.value.as_str())
            .unwrap_or("");
        let mut call_path = self.call_path.clone();
        call_path.push(name.to_owned());
        let target = if is_local_source(source) {
            Some(normalize(&self.module.dir.join(source)))
        } else {
            self.project
                .installed
                .get(&self.root_dir)
                .and_then(|installed| installed.get(&call_path.join(".")))
                .cloned()
        };
        let expansion = self.expansion(body, call.file);
        if matches!(&expansion, Expansion::Keys(keys) if keys.is_empty()) {
            // `count = 0` or an empty `for_each`: nothing is created, known or not.
            return Some(Children::Instances {
                by_count: body.get_attribute("count").is_some(),
                by_for_each: body.get_attribute("for_each").is_some(),
                list: Vec::new(),
            });
        }
        let Some(module) = target
            .as_ref()
            .and_then(|dir| self.project.modules.get(dir))
        else {
            self.unresolved.borrow_mut().push(UnresolvedModule {
                address: if self.address.is_empty() {
                    format!("module.{name}")
                } else {
                    format!("{}.module.{name}", self.address)
                },
                source: source.to_owned(),
                scope: self.root_dir.display().to_string(),
                file: call.file,
                header: Some(call.header.clone()),
            });
            return Some(Children::NotAnalysable);
        };
        if self.depth >= MAX_MODULE_DEPTH {
            self.note(
                call.file,
                Some(call.header.clone()),
                format!(
                    "module {name:?} nests deeper than {MAX_MODULE_DEPTH} levels; not followed"
                ),
            );
            return Some(Children::NotAnalysable);
        }
        let (keys, unknown) = match &expansion {
            Expansion::Single => (vec![(String::new(), None)], false),
            Expansion::Keys(keys) => (
                keys.iter()
                    .map(|(suffix, binding)| (suffix.clone(), Some(binding.clone())))
                    .collect(),
                false,
            ),
            Expansion::Unknown => (vec![(String::new(), None)], true),
        };
        let mut list = Vec::new();
        for (suffix, binding) in keys {
            let mut evaluator = Evaluator::new(self);
            let bound = bind(&mut evaluator, binding.as_ref(), unknown);
            let mut vars = HashMap::new();
            let mut var_references = HashMap::new();
            for (var_name, decl) in &module.variables {
                let value = match body.get_attribute(var_name) {
                    Some(attribute) => {
                        let before = evaluator.references.len();
                        let (value, error) = evaluator.eval_lenient(&attribute.value);
                        if let Some(error) = error {
                            push_eval_note(&self.notes, call.file, error);
                        }
                        let found: Vec<String> = evaluator.references.drain(before..).collect();
                        if !found.is_empty() {
                            var_references.insert(var_name.clone(), found);
                        }
                        value
                    }
                    None => match &decl.default {
                        Some(default) => {
                            let mut constant = Evaluator::new(&ConstantEnv);
                            constant.eval_lenient(default).0
                        }
                        None => {
                            self.note(
                                call.file,
                                Some(call.header.clone()),
                                format!(
                                    "module {name:?} does not set its required variable {var_name:?}; what depends on it is unknown"
                                ),
                            );
                            Value::Unknown
                        }
                    },
                };
                vars.insert(var_name.clone(), value);
            }
            evaluator.unbind(bound);
            let providers = self.child_providers(body);
            let address = if self.address.is_empty() {
                format!("module.{name}{suffix}")
            } else {
                format!("{}.module.{name}{suffix}", self.address)
            };
            let child = Rc::new(Instance {
                project: self.project,
                module,
                root_dir: self.root_dir.clone(),
                call_path: call_path.clone(),
                address,
                vars,
                var_references,
                providers: RefCell::new(providers),
                locals: RefCell::new(HashMap::new()),
                in_progress: RefCell::new(HashSet::new()),
                children: RefCell::new(HashMap::new()),
                outputs: OnceCell::new(),
                notes: self.notes.clone(),
                unresolved: self.unresolved.clone(),
                depth: self.depth + 1,
                expansion_unknown: self.expansion_unknown || unknown,
            });
            child.configure_providers();
            list.push((binding, child));
        }
        Some(Children::Instances {
            by_count: body.get_attribute("count").is_some(),
            by_for_each: body.get_attribute("for_each").is_some(),
            list,
        })
    }

    /// Default provider configurations pass down implicitly; a `providers` map replaces that
    /// inheritance with exactly the configurations it names.
    fn child_providers(&self, body: &Body) -> HashMap<String, ProviderConfig> {
        let parent = self.providers.borrow();
        let Some(map) = body
            .get_attribute("providers")
            .and_then(|a| a.value.as_object())
        else {
            return parent
                .iter()
                .filter(|(key, _)| !key.contains('.'))
                .map(|(key, config)| (key.clone(), config.clone()))
                .collect();
        };
        let mut out = HashMap::new();
        for (key, value) in map.iter() {
            let child_key = match key {
                ObjectKey::Ident(ident) => Some(ident.as_str().to_owned()),
                ObjectKey::Expression(expr) => reference_name(expr),
            };
            let (Some(child_key), Some(parent_key)) = (child_key, reference_name(value.expr()))
            else {
                continue;
            };
            if let Some(config) = parent.get(&parent_key) {
                out.insert(child_key, config.clone());
            }
        }
        out
    }

    /// Every resource instance of this module instance and of the modules it calls.
    fn collect(&self, out: &mut Vec<Resource>) {
        for decl in &self.module.resources {
            self.expand_resource(decl, out);
        }
        for call in &self.module.module_calls {
            let Some(children) = self.children(&call.labels[0]) else {
                continue;
            };
            if let Children::Instances { list, .. } = children.as_ref() {
                for (_, child) in list {
                    child.collect(out);
                }
            }
        }
    }

    fn expand_resource(&self, decl: &BlockDecl, out: &mut Vec<Resource>) {
        let resource_type = &decl.labels[0];
        let name = &decl.labels[1];
        let body = &decl.block.body;
        let expansion = self.expansion(body, decl.file);
        let unknown = matches!(expansion, Expansion::Unknown);
        let keys: Vec<(String, Option<Binding>)> = match expansion {
            Expansion::Single | Expansion::Unknown => vec![(String::new(), None)],
            Expansion::Keys(keys) => keys
                .into_iter()
                .map(|(suffix, binding)| (suffix, Some(binding)))
                .collect(),
        };
        let provider_key = body
            .get_attribute("provider")
            .and_then(|attribute| reference_name(&attribute.value))
            .unwrap_or_else(|| resource_type.split('_').next().unwrap_or("").to_owned());
        let provider = self.providers.borrow().get(&provider_key).cloned();
        for (suffix, binding) in keys {
            let mut evaluator = Evaluator::new(self);
            let bound = bind(&mut evaluator, binding.as_ref(), unknown);
            let mut spans = HashMap::new();
            let mut references = HashMap::new();
            let values = self.eval_body(
                &mut evaluator,
                body,
                decl.file,
                "",
                &mut spans,
                &mut references,
                None,
            );
            if decl.from_json {
                // Spans of expressions built from JSON do not point into the file.
                spans.clear();
            }
            evaluator.unbind(bound);
            let tags = effective_tags(
                provider
                    .as_ref()
                    .map(|p| &p.default_tags)
                    .unwrap_or(&Value::Null),
                values
                    .as_map()
                    .and_then(|m| m.get("tags"))
                    .unwrap_or(&Value::Null),
            );
            let local = format!("{resource_type}.{name}{suffix}");
            out.push(Resource {
                address: if self.address.is_empty() {
                    local
                } else {
                    format!("{}.{local}", self.address)
                },
                scope: self.root_dir.display().to_string(),
                module_address: self.address.clone(),
                resource_type: resource_type.clone(),
                name: name.clone(),
                values,
                tags,
                references,
                region: provider
                    .as_ref()
                    .map(|p| p.region.clone())
                    .unwrap_or(Value::Null),
                origin: Origin::Hcl {
                    file: decl.file,
                    header: decl.header.clone(),
                    attributes: spans,
                },
                expansion_unknown: unknown || self.expansion_unknown,
            });
        }
    }

    /// Evaluates a block body into an object; nested blocks become lists of objects and
    /// `dynamic` blocks are expanded. `top` is the top-level argument that references are
    /// filed under (`None` at the top level itself).
    #[allow(clippy::too_many_arguments)]
    fn eval_body(
        &self,
        evaluator: &mut Evaluator<'_>,
        body: &Body,
        file: FileId,
        prefix: &str,
        spans: &mut HashMap<String, std::ops::Range<usize>>,
        references: &mut HashMap<String, Vec<String>>,
        top: Option<&str>,
    ) -> Value {
        let mut entries: IndexMap<String, Value> = IndexMap::new();
        for structure in body.iter() {
            match structure {
                Structure::Attribute(attribute) => {
                    let key = attribute.key.as_str();
                    if top.is_none()
                        && matches!(key, "count" | "for_each" | "provider" | "depends_on")
                    {
                        continue;
                    }
                    let before = evaluator.references.len();
                    let (value, error) = evaluator.eval_lenient(&attribute.value);
                    if let Some(error) = error {
                        push_eval_note(&self.notes, file, error);
                    }
                    self.file_references(evaluator, before, top.unwrap_or(key), references);
                    if let Some(span) = attribute.value.span() {
                        spans.entry(format!("{prefix}{key}")).or_insert(span);
                    }
                    entries.insert(key.to_owned(), value);
                }
                Structure::Block(block) => {
                    let ident = block.ident.as_str();
                    if top.is_none() && matches!(ident, "lifecycle" | "provisioner" | "connection")
                    {
                        continue;
                    }
                    if ident == "dynamic" {
                        self.eval_dynamic(
                            evaluator,
                            block,
                            file,
                            prefix,
                            spans,
                            references,
                            top,
                            &mut entries,
                        );
                        continue;
                    }
                    let path = format!("{prefix}{ident}");
                    if let Some(span) = block.span() {
                        spans.entry(path.clone()).or_insert(span);
                    }
                    let value = self.eval_body(
                        evaluator,
                        &block.body,
                        file,
                        &format!("{path}."),
                        spans,
                        references,
                        Some(top.unwrap_or(ident)),
                    );
                    push_block(&mut entries, ident, value);
                }
            }
        }
        Value::Map(entries)
    }

    #[allow(clippy::too_many_arguments)]
    fn eval_dynamic(
        &self,
        evaluator: &mut Evaluator<'_>,
        block: &Block,
        file: FileId,
        prefix: &str,
        spans: &mut HashMap<String, std::ops::Range<usize>>,
        references: &mut HashMap<String, Vec<String>>,
        top: Option<&str>,
        entries: &mut IndexMap<String, Value>,
    ) {
        let Some(label) = block.labels.first().map(|label| label.as_str().to_owned()) else {
            return;
        };
        let path = format!("{prefix}{label}");
        if let Some(span) = block.span() {
            spans.entry(path.clone()).or_insert(span);
        }
        let top_key = top.unwrap_or(&label).to_owned();
        let iterator = block
            .body
            .get_attribute("iterator")
            .and_then(|attribute| reference_name(&attribute.value))
            .unwrap_or_else(|| label.clone());
        let before = evaluator.references.len();
        let collection = match block.body.get_attribute("for_each") {
            Some(attribute) => {
                let (value, error) = evaluator.eval_lenient(&attribute.value);
                if let Some(error) = error {
                    push_eval_note(&self.notes, file, error);
                }
                value
            }
            None => Value::Unknown,
        };
        self.file_references(evaluator, before, &top_key, references);
        let Some(content) = block.body.get_blocks("content").next() else {
            return;
        };
        let pairs = match &collection {
            Value::Unknown => None,
            other => iteration_pairs(other),
        };
        let Some(pairs) = pairs else {
            // Unknown for_each: the block may or may not exist.
            push_block(entries, &label, Value::Unknown);
            return;
        };
        if pairs.is_empty() {
            // Zero dynamic blocks is "not set"; keep the key so the span is known, as an empty list.
            entries
                .entry(label)
                .or_insert_with(|| Value::List(Vec::new()));
            return;
        }
        for (key, value) in pairs {
            let mut item = IndexMap::new();
            item.insert("key".to_owned(), key);
            item.insert("value".to_owned(), value);
            evaluator.bind(&iterator, Value::Map(item));
            let value = self.eval_body(
                evaluator,
                &content.body,
                file,
                &format!("{path}."),
                spans,
                references,
                Some(&top_key),
            );
            evaluator.unbind(1);
            push_block(entries, &label, value);
        }
    }

    fn file_references(
        &self,
        evaluator: &mut Evaluator<'_>,
        before: usize,
        key: &str,
        references: &mut HashMap<String, Vec<String>>,
    ) {
        if evaluator.references.len() <= before {
            return;
        }
        let found: Vec<String> = evaluator.references.drain(before..).collect();
        let entry = references.entry(key.to_owned()).or_default();
        for reference in found {
            if !entry.contains(&reference) {
                entry.push(reference);
            }
        }
    }
}

fn push_block(entries: &mut IndexMap<String, Value>, ident: &str, value: Value) {
    match entries
        .entry(ident.to_owned())
        .or_insert_with(|| Value::List(Vec::new()))
    {
        Value::List(items) => items.push(value),
        other => *other = Value::List(vec![value]),
    }
}

fn bind(evaluator: &mut Evaluator<'_>, binding: Option<&Binding>, unknown: bool) -> usize {
    match binding {
        Some(Binding::Count(index)) => {
            let mut count = IndexMap::new();
            count.insert("index".to_owned(), Value::Number(*index as f64));
            evaluator.bind("count", Value::Map(count));
            1
        }
        Some(Binding::Each(key, value)) => {
            let mut each = IndexMap::new();
            each.insert("key".to_owned(), key.clone());
            each.insert("value".to_owned(), value.clone());
            evaluator.bind("each", Value::Map(each));
            1
        }
        None if unknown => {
            evaluator.bind("count", Value::Unknown);
            evaluator.bind("each", Value::Unknown);
            2
        }
        None => 0,
    }
}

/// Terraform writes for_each keys as quoted strings: `["orders"]`.
fn instance_key(key: &str) -> String {
    format!("[{}]", serde_json::Value::String(key.to_owned()))
}

/// `aws.dr` or `aws` as written (a reference, not a value).
fn reference_name(expr: &Expression) -> Option<String> {
    match expr {
        Expression::Variable(ident) => Some(ident.as_str().to_owned()),
        Expression::Traversal(traversal) => {
            let mut name = reference_name(&traversal.expr)?;
            for operator in &traversal.operators {
                match operator.value() {
                    hcl_edit::expr::TraversalOperator::GetAttr(ident) => {
                        name.push('.');
                        name.push_str(ident.as_str());
                    }
                    _ => return None,
                }
            }
            Some(name)
        }
        Expression::String(text) => Some(text.value().clone()),
        _ => None,
    }
}

/// Provider `default_tags` merged with the resource's `tags`, key by key.
fn effective_tags(default_tags: &Value, tags: &Value) -> Value {
    match (default_tags, tags) {
        (Value::Unknown, _) | (_, Value::Unknown) => Value::Unknown,
        (Value::Null, Value::Null) => Value::Null,
        (defaults, tags) => {
            let mut merged = defaults.as_map().cloned().unwrap_or_default();
            if let Some(tags) = tags.as_map() {
                for (key, value) in tags {
                    merged.insert(key.clone(), value.clone());
                }
            }
            Value::Map(merged)
        }
    }
}
