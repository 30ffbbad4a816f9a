//! One `drlint check` run: load every PATH (directories as Terraform trees, files as plans),
//! decide tiers, run the rules. Bad inputs are collected, never fatal, so one broken file does
//! not hide the findings of the others.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use indexmap::IndexMap;

use crate::finding::Finding;
use crate::hcl::load_tree;
use crate::model::{config_key, Model, Origin, Resource};
use crate::plan::{
    configured_below, Configured, Json, PathStep, PlanDocument, PlanValue, PlannedResource,
    ResourceSource, UnknownMarks,
};
use crate::settings::Settings;
use crate::source::{FileId, SourceMap};
use crate::tiers::ScopedTiers;
use crate::value::Value;
use crate::InputError;

/// Everything a run produced.
pub struct CheckRun {
    pub sources: SourceMap,
    pub model: Model,
    /// The tiers of each configuration (root module or plan).
    pub tiers: ScopedTiers,
    pub findings: Vec<Finding>,
    /// What the plans read were (their resources are in [`model`](Self::model)). The documents
    /// themselves are freed once converted: a large plan would otherwise be held twice.
    pub plans: Vec<PlanRead>,
    /// Findings silenced by `drlint-ignore` comments with a reason.
    pub suppressed: usize,
    pub errors: Vec<InputError>,
}

/// A plan file a run read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanRead {
    pub path: PathBuf,
    /// As written, e.g. `"1.2"`; empty when the document leaves it out.
    pub format_version: String,
    pub terraform_version: Option<String>,
    pub source: ResourceSource,
    /// Managed resources that exist after apply.
    pub resources: usize,
    /// Terraform stopped planning on an error: the plan may be incomplete.
    pub errored: bool,
}

/// Runs the check on a thread whose stack fits the evaluation depth the settings allow, so
/// no input can overflow it.
pub fn check(paths: &[PathBuf], settings: &Settings) -> CheckRun {
    std::thread::scope(|scope| {
        let spawned = std::thread::Builder::new()
            .name("drlint-check".to_owned())
            .stack_size(settings.limits.stack_bytes())
            .spawn_scoped(scope, || check_on_this_thread(paths, settings));
        match spawned {
            Ok(handle) => match handle.join() {
                Ok(run) => run,
                Err(panic) => std::panic::resume_unwind(panic),
            },
            Err(error) => CheckRun {
                sources: SourceMap::default(),
                model: Model::default(),
                tiers: ScopedTiers::default(),
                findings: Vec::new(),
                plans: Vec::new(),
                suppressed: 0,
                errors: vec![InputError {
                    path: PathBuf::from("."),
                    line: 1,
                    column: 1,
                    message: format!(
                        "cannot reserve the {} MiB of stack that `--limit depth={}` needs ({error}): lower the limit",
                        settings.limits.stack_bytes() / (1024 * 1024),
                        settings.limits.depth
                    ),
                }],
            },
        }
    })
}

fn check_on_this_thread(paths: &[PathBuf], settings: &Settings) -> CheckRun {
    let mut sources = SourceMap::default();
    let mut errors = Vec::new();
    let mut model = Model::default();
    let mut trees = Vec::new();
    let mut plans = Vec::new();
    // A plan named twice is read once: its resources would be doubled, and a pipe read a
    // second time waits forever for a writer that has gone.
    let mut plans_read = HashSet::new();
    for path in paths {
        // Whatever exists and is not a directory is read as a plan, regular file or not: a
        // FIFO, or `<(terraform show -json tfplan)` (a /dev/fd pipe) is read once, to its end.
        let metadata = match std::fs::metadata(path) {
            Ok(metadata) => metadata,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
                errors.push(InputError {
                    path: path.clone(),
                    line: 1,
                    column: 1,
                    message: "no such file or directory: pass a directory of .tf files or a plan from `terraform show -json`".to_owned(),
                });
                continue;
            }
            Err(error) => {
                errors.push(InputError::io(path, &error));
                continue;
            }
        };
        if metadata.is_dir() {
            trees.push(path.clone());
        } else if metadata.is_file()
            && path
                .file_name()
                .and_then(|name| name.to_str())
                .is_some_and(|name| name.ends_with(".tf") || name.ends_with(".tf.json"))
        {
            errors.push(InputError {
                path: path.clone(),
                line: 1,
                column: 1,
                message: format!(
                    "a single .tf file is not a module: pass its directory ({}) so variables, locals and modules are evaluated together",
                    path.parent().map_or_else(|| ".".to_owned(), |p| p.display().to_string())
                ),
            });
        } else if !plans_read.insert(file_identity(path, &metadata)) {
            continue;
        } else if let Some(plan) = load_plan_file(path, &mut sources, &mut model, &mut errors) {
            plans.push(plan);
        }
    }
    if !trees.is_empty() {
        let tree = load_tree(&trees, settings, &mut sources, &mut errors);
        if model.resources.is_empty() {
            model.resources = tree.resources;
        } else {
            model.resources.extend(tree.resources);
        }
        model.notes.extend(tree.notes);
        model.unresolved_modules.extend(tree.unresolved_modules);
    }
    // Growth leaves up to half of these unused; a large run keeps them to the end.
    model.resources.shrink_to_fit();
    let (mut findings, tiers) = crate::rules::run(&model);
    findings.shrink_to_fit();
    let (suppressed, notes) = crate::suppress::apply(&mut findings, &sources);
    model.notes.extend(notes);
    CheckRun {
        sources,
        model,
        tiers,
        findings,
        plans,
        suppressed,
        errors,
    }
}

/// What makes two paths one file: device and inode on Unix (where `/dev/fd/N` leads to the
/// pipe itself), elsewhere the absolute path.
#[cfg(unix)]
fn file_identity(_path: &Path, metadata: &std::fs::Metadata) -> impl std::hash::Hash + Eq {
    use std::os::unix::fs::MetadataExt;
    (metadata.dev(), metadata.ino())
}

#[cfg(not(unix))]
fn file_identity(path: &Path, _metadata: &std::fs::Metadata) -> impl std::hash::Hash + Eq {
    std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf())
}

fn load_plan_file(
    path: &Path,
    sources: &mut SourceMap,
    model: &mut Model,
    errors: &mut Vec<InputError>,
) -> Option<PlanRead> {
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(error) => {
            errors.push(InputError::io(path, &error));
            return None;
        }
    };
    let parsed = PlanDocument::parse(&bytes);
    // The document holds what it needs; the text can go before the model is built.
    drop(bytes);
    let document = match parsed {
        Ok(document) => document,
        Err(error) => {
            let error = error.for_file(&path.display().to_string());
            let position = error.position();
            errors.push(InputError {
                path: path.to_path_buf(),
                line: position.map_or(1, |p| p.line),
                column: position.map_or(1, |p| p.column),
                message: error.to_string(),
            });
            return None;
        }
    };
    // Plans are quoted by address, not by source text: keep the file's name only.
    let file = sources.add(path.to_path_buf(), "");
    model.resources.reserve(document.resources.len());
    for planned in &document.resources {
        model
            .resources
            .push(from_plan(path, &document, planned, file));
    }
    Some(PlanRead {
        path: path.to_path_buf(),
        format_version: document.format_version.clone(),
        terraform_version: document.terraform_version.clone(),
        source: document.source,
        resources: document.resources.len(),
        errored: document.errored,
    })
}

/// A planned resource as the rules see it: `after` with every unknown mark turned into
/// [`Value::Unknown`], `tags_all` as the effective tags, references from the configuration.
pub fn from_plan(
    path: &Path,
    document: &PlanDocument,
    planned: &PlannedResource,
    file: FileId,
) -> Resource {
    let mut values = overlay_unknown(planned.after(), planned.after_unknown());
    if planned.after_unknown().is_none() {
        // Without unknown marks, a configured attribute missing from `after` is unknown.
        if let (Some(config), Value::Map(entries)) = (planned.configuration(), &mut values) {
            for (key, expression) in config.expressions.iter() {
                // `planned.attribute(key) == PlanValue::Unknown` for a key `after` lacks,
                // decided from the expression at hand: asking by name would search both
                // objects for every key, quadratic on a hostile plan.
                if !entries.contains_key(key)
                    && configured_below(expression, &[]) == Configured::Expression
                {
                    entries.insert(key.to_owned(), Value::Unknown);
                }
            }
        }
    }
    if let Value::Map(entries) = &mut values {
        for key in PROVIDER_DEFAULTED {
            // Known after apply only because the provider fills in its default on create:
            // when the configuration does not write it, the default is what will be.
            if entries.get(*key).is_some_and(Value::is_unknown)
                && planned.is_configured(&[PathStep::Key(key)]) == Some(false)
            {
                entries.insert((*key).to_owned(), Value::Null);
            }
        }
    }
    let tags = match planned.tags() {
        PlanValue::Known(json) => {
            let marks = planned
                .after_unknown()
                .and_then(|marks| marks.get("tags_all").or_else(|| marks.get("tags")));
            overlay_unknown(json, marks)
        }
        PlanValue::Unknown => Value::Unknown,
        PlanValue::NotSet => Value::Null,
    };
    let module_address = planned.module_address.clone().unwrap_or_default();
    let scope = path.display().to_string();
    let mut references: HashMap<String, Vec<String>> = HashMap::new();
    if let Some(config) = planned.configuration() {
        for (key, expression) in config.expressions.iter() {
            let found = collect_references(expression);
            let targets: Vec<String> = found
                .iter()
                .filter_map(|reference| {
                    let mut parts = reference.split('.');
                    let resource_type = parts.next()?;
                    let name = parts.next()?;
                    let name = name.split('[').next()?;
                    (!matches!(
                        resource_type,
                        "var" | "local" | "module" | "data" | "each" | "count" | "path" | "self"
                    ))
                    .then(|| config_key(&scope, &module_address, resource_type, name))
                })
                .collect();
            if !targets.is_empty() {
                references.insert(key.to_owned(), targets);
            }
        }
    }
    let region = planned
        .provider_config_key()
        .and_then(|key| document.provider_config(key))
        .and_then(|config| config.region())
        .map(|region| Value::String(region.to_owned()))
        .unwrap_or(Value::Null);
    Resource {
        address: planned.address.clone(),
        scope,
        module_address,
        resource_type: planned.resource_type.clone(),
        name: planned.name.clone(),
        values,
        tags,
        references,
        region,
        origin: Origin::Plan { file },
        expansion_unknown: false,
    }
}

/// Optional arguments the AWS provider computes when they are not written, so a plan marks
/// them "known after apply" on create although they will hold the provider's default (the
/// rules apply that default to an unset value). Attributes only: a `dynamic` block is absent
/// from a plan's `configuration`, so an unwritten block is no proof of "not configured".
const PROVIDER_DEFAULTED: &[&str] = &[
    "multi_az",
    "multi_az_enabled",
    "automatic_failover_enabled",
    "deletion_protection",
    "deletion_protection_enabled",
    "backup_retention_period",
    "snapshot_retention_limit",
    "num_cache_clusters",
    "num_cache_nodes",
    "az_mode",
    "replicas_per_node_group",
    "num_replicas_per_shard",
    "replication_factor",
    "deployment_mode",
    "deployment_type",
    "availability_zone_name",
    "multi_region",
];

/// `after` as a [`Value`], with every part `after_unknown` marks turned into
/// [`Value::Unknown`]: a marked attribute missing from `after` is added, and a marked
/// collection that `after` leaves null is unknown as a whole.
///
/// Iterative, so that a value nested [`MAX_NESTING`](crate::plan::MAX_NESTING) levels deep
/// converts on any thread's stack.
fn overlay_unknown(after: &Json, marks: Option<&UnknownMarks>) -> Value {
    let mut open: Vec<Building<'_>> = Vec::new();
    let mut finished = match Building::start(after, marks) {
        Start::Done(value) => return value,
        Start::Open(building) => {
            open.push(building);
            None
        }
    };
    loop {
        let Some(top) = open.last_mut() else {
            return finished.unwrap_or(Value::Null);
        };
        if let Some(value) = finished.take() {
            top.accept(value);
        }
        match top.next_child() {
            Some((child, child_marks)) => match Building::start(child, child_marks) {
                Start::Done(value) => finished = Some(value),
                Start::Open(building) => open.push(building),
            },
            None => {
                finished = open.pop().map(Building::finish);
                if open.is_empty() {
                    return finished.unwrap_or(Value::Null);
                }
            }
        }
    }
}

/// A converted value, or a container whose children are still to convert.
enum Start<'a> {
    Done(Value),
    Open(Building<'a>),
}

/// Objects of marks up to this many entries are scanned for a key, larger ones indexed.
const MARKS_SCANNED: usize = 16;

/// A map or list of [`overlay_unknown`] whose children are being converted.
enum Building<'a> {
    Map {
        object: &'a crate::plan::Object,
        marks: Option<&'a UnknownMarks>,
        /// The marks by key when there are many: a scan per attribute would be quadratic.
        marks_by_key: Option<HashMap<&'a str, &'a UnknownMarks>>,
        next: usize,
        key: String,
        out: IndexMap<String, Value>,
    },
    List {
        items: &'a [Json],
        marks: Option<&'a UnknownMarks>,
        out: Vec<Value>,
    },
}

impl<'a> Building<'a> {
    /// The converted value when it has no children to convert, else the container to fill.
    fn start(after: &'a Json, marks: Option<&'a UnknownMarks>) -> Start<'a> {
        let marks = match marks {
            Some(UnknownMarks::Unknown) => return Start::Done(Value::Unknown),
            Some(marks @ (UnknownMarks::Object(_) | UnknownMarks::Array(_))) => Some(marks),
            _ => None,
        };
        let marks_object = marks.filter(|marks| matches!(marks, UnknownMarks::Object(_)));
        let marks_array = marks.filter(|marks| matches!(marks, UnknownMarks::Array(_)));
        Start::Open(match after {
            // Marks for parts of a value the plan leaves null: the whole value is unknown.
            Json::Null if marks.is_some() => return Start::Done(Value::Unknown),
            Json::Null => return Start::Done(Value::Null),
            Json::Bool(flag) => return Start::Done(Value::Bool(*flag)),
            Json::Number(number) => return Start::Done(Value::Number(*number)),
            Json::String(text) => return Start::Done(Value::String(text.as_str().to_owned())),
            Json::Object(object) => {
                let added = marks_object.map_or(0, |marks| {
                    marks
                        .entries()
                        .filter(|(_, mark)| mark.is_unknown())
                        .count()
                });
                let marks_by_key = marks_object
                    .filter(|marks| marks.entries().nth(MARKS_SCANNED).is_some())
                    .map(|marks| marks.entries().collect());
                Building::Map {
                    object,
                    marks: marks_object,
                    marks_by_key,
                    next: 0,
                    key: String::new(),
                    out: IndexMap::with_capacity(object.len() + added),
                }
            }
            Json::Array(items) => Building::List {
                items,
                marks: marks_array,
                out: Vec::with_capacity(items.len()),
            },
        })
    }

    fn next_child(&mut self) -> Option<(&'a Json, Option<&'a UnknownMarks>)> {
        match self {
            Building::Map {
                object,
                marks,
                marks_by_key,
                next,
                key,
                ..
            } => {
                let (name, value) = object.get_index(*next)?;
                *next += 1;
                name.clone_into(key);
                let child_marks = match marks_by_key {
                    Some(by_key) => by_key.get(name).copied(),
                    None => marks.and_then(|marks| marks.get(name)),
                };
                Some((value, child_marks))
            }
            Building::List { items, marks, out } => {
                let index = out.len();
                let item = items.get(index)?;
                Some((item, marks.and_then(|marks| marks.index(index))))
            }
        }
    }

    fn accept(&mut self, value: Value) {
        match self {
            Building::Map { key, out, .. } => {
                out.insert(std::mem::take(key), value);
            }
            Building::List { out, .. } => out.push(value),
        }
    }

    fn finish(self) -> Value {
        match self {
            Building::Map { marks, mut out, .. } => {
                for (key, mark) in marks.into_iter().flat_map(UnknownMarks::entries) {
                    if mark.is_unknown() {
                        out.insert(key.to_owned(), Value::Unknown);
                    }
                }
                Value::Map(out.into())
            }
            Building::List { out, .. } => Value::List(out),
        }
    }
}

/// Every `references` list in a configuration expression tree, in document order.
fn collect_references(expression: &Json) -> Vec<String> {
    let mut found = Vec::new();
    // Depth first without recursion: children are pushed last first.
    let mut pending = vec![expression];
    while let Some(node) = pending.pop() {
        match node {
            Json::Object(entries) => {
                if let Some(Json::Array(references)) = entries.get("references") {
                    found.extend(
                        references
                            .iter()
                            .filter_map(|r| r.as_str().map(str::to_owned)),
                    );
                }
                pending.extend(
                    entries
                        .iter()
                        .rev()
                        .filter(|(key, _)| *key != "references")
                        .map(|(_, value)| value),
                );
            }
            Json::Array(items) => pending.extend(items.iter().rev()),
            _ => {}
        }
    }
    found
}
