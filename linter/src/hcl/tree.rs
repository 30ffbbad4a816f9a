//! One run over Terraform trees: read the project, evaluate each root module on its own into
//! resource instances, and gather what could not be analysed.

use std::cell::{Cell, RefCell};
use std::collections::HashSet;
use std::path::PathBuf;

use super::eval::{Budget, ErrorKind, EvalError};
use super::inputs;
use super::instance::Instance;
use super::project::Project;
use crate::config::Configs;
use crate::model::{Model, ModuleCall, Note, UnresolvedModule};
use crate::settings::{Limits, Settings};
use crate::source::{FileId, SourceMap};
use crate::InputError;

/// An input error found while evaluating, by place: converted to an [`InputError`] once the
/// run knows every file's lines.
type Problem = (FileId, Option<std::ops::Range<usize>>, String);

/// What every module instance of a run shares: the budget, and what it found to report.
pub(super) struct Run {
    pub budget: Budget,
    notes: RefCell<Vec<Note>>,
    /// Input errors met while evaluating (limits, cycles), by place.
    problems: RefCell<Vec<Problem>>,
    pub unresolved: RefCell<Vec<UnresolvedModule>>,
    /// The module call instances followed.
    pub calls: RefCell<Vec<ModuleCall>>,
    instances: Cell<u64>,
    instances_exceeded: Cell<bool>,
    /// Undeclared references already noted, by module directory and name.
    undeclared: RefCell<HashSet<(PathBuf, String)>>,
}

impl Run {
    fn new(limits: Limits) -> Run {
        Run {
            budget: Budget::new(limits),
            notes: RefCell::new(Vec::new()),
            problems: RefCell::new(Vec::new()),
            unresolved: RefCell::new(Vec::new()),
            calls: RefCell::new(Vec::new()),
            instances: Cell::new(0),
            instances_exceeded: Cell::new(false),
            undeclared: RefCell::new(HashSet::new()),
        }
    }

    pub fn limits(&self) -> &Limits {
        &self.budget.limits
    }

    pub fn note(&self, file: FileId, span: Option<std::ops::Range<usize>>, message: String) {
        self.notes.borrow_mut().push(Note {
            message,
            file: Some(file),
            span,
        });
    }

    /// An input error found while evaluating: the analysis of this place is incomplete.
    pub fn problem(&self, file: FileId, span: Option<std::ops::Range<usize>>, message: String) {
        let mut problems = self.problems.borrow_mut();
        if !problems
            .iter()
            .any(|(f, s, m)| *f == file && *s == span && *m == message)
        {
            problems.push((file, span, message));
        }
    }

    /// Reports what an evaluation met: limits are input errors, the rest notes (the part of
    /// the value they spoil is unknown). The run's spent step allowance is reported where it
    /// ran out, not at every expression after it.
    pub fn report(&self, file: FileId, errors: Vec<EvalError>) {
        for error in errors {
            match error.kind {
                ErrorKind::Limit
                    if error.message == self.budget.exhausted_message()
                        && self
                            .problems
                            .borrow()
                            .iter()
                            .any(|(_, _, message)| *message == error.message) => {}
                ErrorKind::Limit => self.problem(file, error.span, error.message),
                ErrorKind::Invalid => self.note(
                    file,
                    error.span,
                    format!(
                        "cannot evaluate this expression ({}); it is treated as unknown",
                        error.message
                    ),
                ),
            }
        }
    }

    /// A reference to something a module does not declare, noted once per module and name.
    pub fn undeclared(
        &self,
        module_dir: &std::path::Path,
        file: FileId,
        span: Option<std::ops::Range<usize>>,
        kind: &str,
        name: &str,
    ) {
        let key = (module_dir.to_path_buf(), format!("{kind}.{name}"));
        if !self.undeclared.borrow_mut().insert(key) {
            return;
        }
        let what = match kind {
            "var" => "variable",
            "local" => "local value",
            _ => "module call",
        };
        self.note(
            file,
            span,
            format!(
                "{kind}.{name} is used but this module declares no {what} {name:?} (as when a wrapper such as Terragrunt adds the declaration); its value is unknown"
            ),
        );
    }

    /// Takes `count` instances from the run's allowance; false (reported once) when the run
    /// would exceed it, and then nothing more is created.
    pub fn take_instances(
        &self,
        count: u64,
        file: FileId,
        span: Option<std::ops::Range<usize>>,
    ) -> bool {
        if self.instances_exceeded.get() {
            return false;
        }
        let total = self.instances.get().saturating_add(count);
        if total > self.limits().instances {
            self.instances_exceeded.set(true);
            self.problem(
                file,
                span,
                self.limits().exceeded(
                    "instances",
                    "expanding this block makes the run create more resources",
                ),
            );
            return false;
        }
        self.instances.set(total);
        true
    }
}

/// Loads every module under `paths` and evaluates each root module (a directory no other
/// directory in the scan calls as a local module) into resource instances, with the
/// `.drlint.hcl` settings `settings` chooses.
pub fn load_tree(
    paths: &[PathBuf],
    settings: &Settings,
    sources: &mut SourceMap,
    errors: &mut Vec<InputError>,
) -> Model {
    let mut configs = Configs::new(settings.config.clone());
    let model = load_tree_with(paths, settings, &mut configs, sources, errors);
    errors.append(&mut configs.errors);
    model
}

/// [`load_tree`] with the configurations found so far (a run shares them with its plans).
pub fn load_tree_with(
    paths: &[PathBuf],
    settings: &Settings,
    configs: &mut Configs,
    sources: &mut SourceMap,
    errors: &mut Vec<InputError>,
) -> Model {
    let limits = &settings.limits;
    let mut skip =
        |dir: &std::path::Path| configs.for_dir(dir).is_some_and(|config| config.skips(dir));
    let project = Project::load(paths, limits, &mut skip, sources, errors);
    let given = inputs::read_var_files(&settings.inputs, limits, sources, errors);
    let run = Run::new(*limits);
    let mut model = Model::default();
    run.unresolved
        .borrow_mut()
        .extend(project.unresolved.iter().cloned());
    for root in &project.roots {
        let module = match &root.unit {
            Some(unit) => &unit.module,
            None => match project.modules.get(&root.dir) {
                Some(module) => module,
                None => continue,
            },
        };
        let own_files = configs
            .for_dir(&root.dir)
            .map(|config| config.var_files(&root.dir).to_vec())
            .unwrap_or_default();
        let values = inputs::root_values(
            root,
            module,
            &settings.inputs,
            &own_files,
            &given,
            limits,
            sources,
            errors,
        );
        let vars = inputs::evaluate_root_variables(module, values, &run);
        let instance = Instance::new(&project, &run, module, root, vars);
        instance.configure_providers();
        instance.collect(&mut model.resources);
    }
    let json_files: HashSet<FileId> = project
        .modules
        .values()
        .flat_map(|module| module.json_files.iter().copied())
        .collect();
    model.unresolved_modules = run.unresolved.take();
    for call in &mut model.unresolved_modules {
        if json_files.contains(&call.file) {
            call.header = None;
        }
    }
    model.module_calls = run.calls.take();
    for call in &mut model.module_calls {
        if json_files.contains(&call.file) {
            call.header = None;
        }
    }
    let mut seen = HashSet::new();
    for mut note in run.notes.take() {
        if note.file.is_some_and(|file| json_files.contains(&file)) {
            note.span = None;
        }
        if seen.insert((note.file, note.span.clone(), note.message.clone())) {
            model.notes.push(note);
        }
    }
    for (file, span, message) in run.problems.take() {
        let (line, column) = match span {
            Some(span) if !json_files.contains(&file) => sources.line_column(file, span.start),
            _ => (1, 1),
        };
        errors.push(InputError {
            path: sources.path(file).to_path_buf(),
            line,
            column,
            message,
        });
    }
    model
}
