//! One `drlint check` run: load every PATH (directories as Terraform trees, files as plans),
//! decide tiers, run the rules. Bad inputs are collected, never fatal, so one broken file does
//! not hide the findings of the others.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::config::{Config, Configs, Level};
use crate::finding::Finding;
use crate::hcl::load_tree_with;
use crate::model::Model;
pub use crate::plan::to_model::from_plan;
use crate::plan::{PlanDocument, ResourceSource};
use crate::settings::Settings;
use crate::source::SourceMap;
use crate::tiers::ScopedTiers;
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
    /// The `docs_url` of the configuration that applies to the first path, if any.
    pub docs_url: Option<String>,
    /// The `.drlint.hcl` of each configuration (root module or plan) that has one.
    pub configs: HashMap<Arc<str>, Arc<Config>>,
}

impl CheckRun {
    /// Whether `.drlint.hcl` turns rule `code` off for resources of `tier` in `scope`.
    pub fn rule_off(&self, scope: &str, code: &str, tier: Option<u8>) -> bool {
        self.configs
            .get(scope)
            .and_then(|config| config.rule(code))
            .is_some_and(|setting| setting.level(tier) == Some(Level::Off))
    }
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
                docs_url: None,
                configs: HashMap::new(),
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
    let mut configs = Configs::new(settings.config.clone());
    if !trees.is_empty() {
        let tree = load_tree_with(&trees, settings, &mut configs, &mut sources, &mut errors);
        if model.resources.is_empty() {
            model.resources = tree.resources;
        } else {
            model.resources.extend(tree.resources);
        }
        model.notes.extend(tree.notes);
        model.unresolved_modules.extend(tree.unresolved_modules);
        model.module_calls = tree.module_calls;
    }
    // Growth leaves up to half of these unused; a large run keeps them to the end.
    model.resources.shrink_to_fit();
    let mut scopes: HashMap<&str, Option<Arc<Config>>> = HashMap::new();
    for scope in model
        .resources
        .iter()
        .map(|resource| &*resource.scope)
        .chain(model.unresolved_modules.iter().map(|call| &*call.scope))
    {
        if !scopes.contains_key(scope) {
            scopes.insert(scope, configs.for_path(Path::new(scope)));
        }
    }
    let (mut findings, tiers) =
        crate::rules::run_configured(&model, &|scope| scopes.get(scope).cloned().flatten());
    apply_rule_settings(&mut findings, &scopes);
    let scope_configs: HashMap<Arc<str>, Arc<Config>> = scopes
        .into_iter()
        .filter_map(|(scope, config)| Some((Arc::from(scope), config?)))
        .collect();
    findings.shrink_to_fit();
    let docs_url = paths
        .first()
        .and_then(|path| configs.for_path(path))
        .and_then(|config| config.docs_url.clone());
    errors.append(&mut configs.errors);
    let (suppressed, notes) = crate::suppress::apply(&mut findings, &sources, &model.module_calls);
    model.notes.extend(notes);
    CheckRun {
        sources,
        model,
        tiers,
        findings,
        plans,
        suppressed,
        errors,
        docs_url,
        configs: scope_configs,
    }
}

/// Drops the findings of rules a configuration turns off (for all or for the finding's tier)
/// and gives the rest the severity it sets.
fn apply_rule_settings(findings: &mut Vec<Finding>, scopes: &HashMap<&str, Option<Arc<Config>>>) {
    if scopes
        .values()
        .all(|config| config.as_ref().is_none_or(|config| config.rules.is_empty()))
    {
        return;
    }
    findings.retain_mut(|finding| {
        let setting = scopes
            .get(&*finding.root)
            .and_then(|config| config.as_ref())
            .and_then(|config| config.rule(finding.rule.code));
        match setting.and_then(|setting| setting.level(finding.tier)) {
            Some(Level::Off) => false,
            Some(Level::At(severity)) => {
                finding.severity = severity;
                true
            }
            None => true,
        }
    });
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
    let scope: std::sync::Arc<str> = path.display().to_string().into();
    for planned in &document.resources {
        model
            .resources
            .push(from_plan(&scope, &document, planned, file));
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
