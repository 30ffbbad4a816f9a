//! A module instance: the root module, or one instance of a module call, with its variables,
//! lazily evaluated locals and outputs, provider configurations and child calls. It is the
//! [`Env`] its expressions are evaluated in.

use std::cell::{OnceCell, RefCell};
use std::collections::HashMap;
use std::path::PathBuf;
use std::rc::Rc;

use dr_vocab::terms::tier as tier_term;
use dr_vocab::TIER_LEVELS;
use indexmap::IndexMap;

use super::calls::Children;
use super::eval::{Budget, Env, Evaluator};
use super::expansion::Binding;
use super::load::ModuleSource;
use super::project::{relative_path, Project, Root};
use super::providers::ProviderConfig;
use super::tree::Run;
use crate::source::FileId;
use crate::value::Value;

pub(super) struct Instance<'p> {
    pub project: &'p Project,
    pub run: &'p Run,
    pub module: &'p ModuleSource,
    pub root: &'p Root,
    /// The module directories from the root to this instance: a call back into one of them is
    /// a cycle.
    pub chain: Vec<PathBuf>,
    /// Call names from the root, for `.terraform/modules/modules.json` keys.
    pub call_path: Vec<String>,
    pub address: String,
    pub vars: HashMap<String, Value>,
    /// For module variables: the caller's resources each argument was computed from.
    pub var_references: HashMap<String, Vec<String>>,
    pub providers: RefCell<HashMap<String, ProviderConfig>>,
    locals: RefCell<HashMap<String, (Value, Vec<String>)>>,
    /// What is being evaluated right now, in order (`local.a`, `module.b`): met again, it is
    /// a cycle.
    pub in_progress: RefCell<Vec<String>>,
    pub children: RefCell<HashMap<String, Rc<Children<'p>>>>,
    outputs: OnceCell<(Value, Vec<String>)>,
    pub depth: usize,
    pub expansion_unknown: bool,
}

impl<'p> Instance<'p> {
    pub fn new(
        project: &'p Project,
        run: &'p Run,
        module: &'p ModuleSource,
        root: &'p Root,
        vars: HashMap<String, Value>,
    ) -> Instance<'p> {
        Instance {
            project,
            run,
            module,
            root,
            chain: vec![module.dir.clone()],
            call_path: Vec::new(),
            address: String::new(),
            vars,
            var_references: HashMap::new(),
            providers: RefCell::new(HashMap::new()),
            locals: RefCell::new(HashMap::new()),
            in_progress: RefCell::new(Vec::new()),
            children: RefCell::new(HashMap::new()),
            outputs: OnceCell::new(),
            depth: 0,
            expansion_unknown: false,
        }
    }

    /// Marks `key` as being evaluated; `false` when it already is (a cycle, reported here).
    pub fn begin(&self, key: &str, file: FileId, span: Option<std::ops::Range<usize>>) -> bool {
        let mut in_progress = self.in_progress.borrow_mut();
        if let Some(start) = in_progress.iter().position(|k| k == key) {
            let mut cycle: Vec<&str> = in_progress[start..].iter().map(String::as_str).collect();
            cycle.push(key);
            let place = if self.address.is_empty() {
                String::new()
            } else {
                format!(" in {}", self.address)
            };
            self.run.problem(
                file,
                span,
                format!(
                    "{key} depends on itself{place}: {}; Terraform rejects such a cycle, so its value is unknown",
                    cycle.join(" → ")
                ),
            );
            return false;
        }
        in_progress.push(key.to_owned());
        true
    }

    pub fn end(&self, key: &str) {
        let mut in_progress = self.in_progress.borrow_mut();
        if let Some(at) = in_progress.iter().rposition(|k| k == key) {
            in_progress.remove(at);
        }
    }

    pub fn outputs(&self) -> Value {
        if let Some((value, _)) = self.outputs.get() {
            return value.clone();
        }
        let Some(file) = self.module.outputs.values().next().map(|o| o.file) else {
            let _ = self
                .outputs
                .set((Value::Map(IndexMap::new().into()), Vec::new()));
            return Value::Map(IndexMap::new().into());
        };
        // An output that (through the caller) depends on this module's own outputs is a cycle
        // Terraform rejects; here it is unknown rather than a re-entrant initialisation.
        if !self.begin("outputs", file, None) {
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
            let mut evaluator = Evaluator::new(self).in_file(located.file, located.base);
            let value = evaluator.eval_lenient(&located.node);
            self.run.report(located.file, evaluator.take_errors());
            references.append(&mut evaluator.references);
            entries.insert(name.clone(), value);
        }
        self.end("outputs");
        let value = Value::Map(entries.into());
        let _ = self.outputs.set((value.clone(), references));
        value
    }
}

impl Env for Instance<'_> {
    fn budget(&self) -> &Budget {
        &self.run.budget
    }

    fn var(&self, name: &str) -> Option<Value> {
        self.vars.get(name).cloned()
    }

    fn local(&self, name: &str) -> Option<Value> {
        if let Some((value, _)) = self.locals.borrow().get(name) {
            return Some(value.clone());
        }
        let located = self.module.locals.get(name)?;
        let key = format!("local.{name}");
        if !self.begin(&key, located.file, located.span()) {
            return Some(Value::Unknown);
        }
        let mut evaluator = Evaluator::new(self).in_file(located.file, located.base);
        let value = evaluator.eval_lenient(&located.node);
        self.run.report(located.file, evaluator.take_errors());
        self.end(&key);
        let references = std::mem::take(&mut evaluator.references);
        self.locals
            .borrow_mut()
            .insert(name.to_owned(), (value.clone(), references));
        Some(value)
    }

    fn undeclared(
        &self,
        kind: &str,
        name: &str,
        file: Option<FileId>,
        span: Option<std::ops::Range<usize>>,
    ) {
        if let Some(file) = file {
            self.run
                .undeclared(&self.module.dir, file, span, kind, name);
        }
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
        if resource_type != tier_term::TYPE || attribute != tier_term::TAGS.name {
            return None;
        }
        let decl = self
            .module
            .resources
            .iter()
            .find(|decl| decl.labels[0] == resource_type && decl.labels[1] == name)?;
        let (block, _) = decl.block()?;
        let body = &block.body;
        if body.get_attribute("count").is_some() || body.get_attribute("for_each").is_some() {
            return None;
        }
        let key = format!("{resource_type}.{name}");
        if !self.begin(&key, decl.file, Some(decl.header.clone())) {
            return None;
        }
        let mut evaluator = Evaluator::new(self);
        let mut read = |key: &str| {
            body.get_attribute(key)
                .and_then(|attribute| evaluator.eval(&attribute.value).ok())
        };
        let level = read(tier_term::LEVEL.name).and_then(|v| v.to_number());
        let rto = read(tier_term::RTO.name).and_then(|v| v.as_str().map(str::to_owned));
        self.end(&key);
        // A level the provider refuses has no tags: the provider fails the plan instead.
        let levels = f64::from(*TIER_LEVELS.start())..=f64::from(*TIER_LEVELS.end());
        let level = level.filter(|l| levels.contains(l) && l.fract() == 0.0)? as u8;
        let rto_seconds = dr_vocab::parse_duration(&rto?).ok()?;
        Some(Value::Map(
            dr_vocab::tier_tags(level, rto_seconds)
                .into_iter()
                .map(|(key, value)| (key.to_owned(), Value::String(value.into())))
                .collect(),
        ))
    }

    fn qualify(&self, reference: &str) -> String {
        if self.address.is_empty() {
            format!("{}::{reference}", self.root.scope)
        } else {
            format!("{}::{}.{reference}", self.root.scope, self.address)
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

    /// As Terraform gives it: the module's directory relative to the root module's.
    fn module_path(&self) -> String {
        relative_path(&self.module.dir, &self.root.dir)
            .display()
            .to_string()
    }

    fn root_path(&self) -> String {
        ".".to_owned()
    }

    /// The root module's directory on disk, as Terraform gives it when run there.
    fn cwd_path(&self) -> String {
        self.root.dir.display().to_string()
    }
}
