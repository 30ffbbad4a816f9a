//! Module calls: the instances of a `module` block, each with the caller's values for its
//! variables (converted to their types), its providers, and a cycle and depth check.

use std::collections::HashMap;
use std::rc::Rc;

use super::eval::Evaluator;
use super::expansion::{bind, Binding, Expansion};
use super::inputs::{constant, typed};
use super::instance::Instance;
use super::load::{is_local_source, resolve_dir};
use crate::aws;
use crate::model::{ModuleCall, UnresolvedModule};
use crate::value::Value;

/// The instances of one module call.
pub(super) enum Children<'p> {
    /// The source is neither local nor installed in `.terraform/modules`, or the call cannot
    /// be followed (a cycle, too deep).
    NotAnalysable,
    Instances {
        by_count: bool,
        by_for_each: bool,
        list: Vec<(Option<Binding>, Rc<Instance<'p>>)>,
    },
}

impl<'p> Instance<'p> {
    /// The tags a registry module not on disk gives what it creates, when the module is known
    /// to take them from one argument ([`aws::registry_module`]).
    fn registry_module_tags(
        &self,
        body: &hcl_edit::structure::Body,
        source: &str,
        expansion: &Expansion,
        file: crate::source::FileId,
        base: usize,
    ) -> Option<Value> {
        let aws::ModuleCreates::NoDataStores { tags } = aws::registry_module(source)? else {
            return None;
        };
        let written = match body.get_attribute(tags) {
            Some(attribute) => {
                let mut evaluator = Evaluator::new(self).in_file(file, base);
                let binding = match expansion {
                    Expansion::Keys(keys) => keys.first().map(|(_, binding)| binding.clone()),
                    _ => None,
                };
                let bound = bind(
                    &mut evaluator,
                    binding.as_ref(),
                    matches!(expansion, Expansion::Unknown),
                );
                let value = evaluator.eval_lenient(&attribute.value);
                evaluator.unbind(bound);
                self.run.report(file, evaluator.take_errors());
                value
            }
            None => Value::Null,
        };
        let defaults = self
            .child_providers(body)
            .get("aws")
            .map_or(Value::Null, |config| config.default_tags.clone());
        Some(Value::merge([defaults, written]).unwrap_or(Value::Unknown))
    }

    /// The instances of the call `name` (evaluated once, then kept); `None` when the call is
    /// being evaluated already (its outputs feed its own arguments).
    pub(super) fn children(&self, name: &str) -> Option<Rc<Children<'p>>> {
        if let Some(children) = self.children.borrow().get(name) {
            return Some(children.clone());
        }
        let call = self
            .module
            .module_calls
            .iter()
            .find(|call| call.labels[0] == name)?;
        let key = format!("module.{name}");
        if !self.begin(&key, call.file, Some(call.header.clone())) {
            return None;
        }
        let children = Rc::new(self.instantiate_call(name));
        self.end(&key);
        self.children
            .borrow_mut()
            .insert(name.to_owned(), children.clone());
        Some(children)
    }

    fn instantiate_call(&self, name: &str) -> Children<'p> {
        let Some(call) = self
            .module
            .module_calls
            .iter()
            .find(|call| call.labels[0] == name)
        else {
            return Children::NotAnalysable;
        };
        let Some((block, base)) = call.kept() else {
            return Children::NotAnalysable;
        };
        let body = &block.body;
        let source = body
            .get_attribute("source")
            .and_then(|a| a.value.as_str())
            .unwrap_or("");
        let mut call_path = self.call_path.clone();
        call_path.push(name.to_owned());
        let address = |suffix: &str| {
            if self.address.is_empty() {
                format!("module.{name}{suffix}")
            } else {
                format!("{}.module.{name}{suffix}", self.address)
            }
        };
        let target = if is_local_source(source) {
            resolve_dir(&self.module.dir.join(source))
        } else {
            self.project
                .installed
                .get(&self.root.dir)
                .and_then(|installed| installed.get(&call_path.join(".")))
                .cloned()
        };
        let expansion = self.expansion(body, call.file, base);
        if matches!(&expansion, Expansion::Keys(keys) if keys.is_empty()) {
            // `count = 0` or an empty `for_each`: nothing is created, known or not.
            return Children::Instances {
                by_count: body.get_attribute("count").is_some(),
                by_for_each: body.get_attribute("for_each").is_some(),
                list: Vec::new(),
            };
        }
        let Some((dir, module)) = target
            .as_ref()
            .and_then(|dir| Some((dir, self.project.modules.get(dir)?)))
        else {
            let tags = self.registry_module_tags(body, source, &expansion, call.file, base);
            self.run.unresolved.borrow_mut().push(UnresolvedModule {
                address: address("").into(),
                source: source.to_owned(),
                scope: self.root.scope.clone(),
                file: call.file,
                header: Some(call.header.clone()),
                tags,
            });
            return Children::NotAnalysable;
        };
        if let Some(at) = self.chain.iter().position(|ancestor| ancestor == dir) {
            let shown: Vec<String> = self.chain[at..]
                .iter()
                .chain(std::iter::once(dir))
                .map(|dir| self.root.style.show(dir).display().to_string())
                .collect();
            self.run.problem(
                call.file,
                Some(call.header.clone()),
                format!(
                    "module {name:?} calls a module that is already being instantiated: {}; a module cannot contain itself, so this call is not followed",
                    shown.join(" → ")
                ),
            );
            return Children::NotAnalysable;
        }
        if self.depth as u64 >= self.run.limits().module_depth {
            self.run.problem(
                call.file,
                Some(call.header.clone()),
                self.run
                    .limits()
                    .exceeded("module-depth", &format!("module {name:?} is nested deeper")),
            );
            return Children::NotAnalysable;
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
            let mut evaluator = Evaluator::new(self).in_file(call.file, base);
            let bound = bind(&mut evaluator, binding.as_ref(), unknown);
            let mut vars = HashMap::new();
            let mut var_references = HashMap::new();
            for (var_name, decl) in &module.variables {
                let value = match body.get_attribute(var_name) {
                    Some(attribute) => {
                        let before = evaluator.references.len();
                        let value = evaluator.eval_lenient(&attribute.value);
                        let found: Vec<String> = evaluator.references.drain(before..).collect();
                        if !found.is_empty() {
                            var_references.insert(var_name.clone(), found);
                        }
                        value
                    }
                    None => match &decl.default {
                        Some(default) => constant(default, decl.file, decl.base, self.run),
                        None => {
                            self.run.note(
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
                vars.insert(var_name.clone(), typed(value, decl, var_name, self.run));
            }
            evaluator.unbind(bound);
            self.run.report(call.file, evaluator.take_errors());
            let mut child = Instance::new(self.project, self.run, module, self.root, vars);
            child.chain = self.chain.clone();
            child.chain.push(dir.clone());
            child.call_path = call_path.clone();
            child.address = address(&suffix);
            self.run.calls.borrow_mut().push(ModuleCall {
                scope: self.root.scope.clone(),
                address: child.address.as_str().into(),
                file: call.file,
                header: Some(call.header.clone()),
            });
            child.var_references = var_references;
            child.depth = self.depth + 1;
            child.expansion_unknown = self.expansion_unknown || unknown;
            *child.providers.borrow_mut() = self.child_providers(body);
            child.configure_providers();
            list.push((binding, Rc::new(child)));
        }
        Children::Instances {
            by_count: body.get_attribute("count").is_some(),
            by_for_each: body.get_attribute("for_each").is_some(),
            list,
        }
    }
}
