//! The modules on disk and the root modules among them.
//!
//! Every directory is known by where it is on disk (symbolic links and `..` resolved, as the
//! operating system resolves them when Terraform runs in the root module), so `.`, `./`,
//! `envs/prod/`, an absolute path and a path through a symlink all name the same modules and
//! give the same findings. Output names files as the user would: relative to the working
//! directory when the argument was relative, absolute otherwise.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

use super::load::{add_hcl_file, load_module, resolve_dir, ModuleSource};
use super::terragrunt::{self, Unit};
use crate::model::UnresolvedModule;
use crate::settings::Limits;
use crate::source::SourceMap;
use crate::value::Value;
use crate::InputError;

/// How paths are shown: relative to the working directory, or absolute.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PathStyle {
    Relative { cwd: PathBuf },
    Absolute,
}

impl PathStyle {
    /// The style for a path argument as the user wrote it.
    pub fn of_argument(argument: &Path) -> PathStyle {
        if argument.is_absolute() {
            return PathStyle::Absolute;
        }
        match std::env::current_dir().and_then(std::fs::canonicalize) {
            Ok(cwd) => PathStyle::Relative { cwd },
            Err(_) => PathStyle::Absolute,
        }
    }

    /// `path` (resolved on disk) as output shows it.
    pub fn show(&self, path: &Path) -> PathBuf {
        match self {
            PathStyle::Absolute => path.to_path_buf(),
            PathStyle::Relative { cwd } => relative_path(path, cwd),
        }
    }
}

/// `path` relative to `base` (both absolute and resolved): `../modules/db`, or `.`.
pub fn relative_path(path: &Path, base: &Path) -> PathBuf {
    let path: Vec<Component<'_>> = path.components().collect();
    let base: Vec<Component<'_>> = base.components().collect();
    let common = path.iter().zip(&base).take_while(|(a, b)| a == b).count();
    let mut out = PathBuf::new();
    for _ in common..base.len() {
        out.push("..");
    }
    for component in &path[common..] {
        out.push(component.as_os_str());
    }
    if out.as_os_str().is_empty() {
        out.push(".");
    }
    out
}

/// A root module: a directory of the scan that no other directory of the scan calls, or a
/// Terragrunt unit.
#[derive(Debug)]
pub struct Root {
    /// The root module's directory, resolved on disk.
    pub dir: PathBuf,
    /// How output names it (and the findings' `root`): for a Terragrunt unit, the unit's
    /// directory.
    pub scope: Arc<str>,
    pub style: PathStyle,
    /// Set for a Terragrunt unit: its module with the generated files, and its inputs.
    pub unit: Option<UnitRoot>,
}

/// What a Terragrunt unit adds to its module.
#[derive(Debug)]
pub struct UnitRoot {
    pub module: ModuleSource,
    /// The merged `inputs`: values for the module's variables, below tfvars in precedence
    /// (Terragrunt passes them as `TF_VAR_` variables).
    pub inputs: Value,
}

/// Every module read, by directory on disk.
#[derive(Debug, Default)]
pub struct Project {
    pub modules: HashMap<PathBuf, ModuleSource>,
    /// Per root directory: `.terraform/modules/modules.json` key → module directory.
    pub installed: HashMap<PathBuf, HashMap<String, PathBuf>>,
    pub roots: Vec<Root>,
    /// Terragrunt units whose module source is not a local path.
    pub unresolved: Vec<UnresolvedModule>,
}

impl Project {
    /// Finds the modules under every path and the modules they call, and picks the roots.
    pub fn load(
        paths: &[PathBuf],
        limits: &Limits,
        skip: &mut dyn FnMut(&Path) -> bool,
        sources: &mut SourceMap,
        errors: &mut Vec<InputError>,
    ) -> Project {
        let mut project = Project::default();
        // Scanned directories with the style of the argument that found them first.
        let mut scanned: Vec<(PathBuf, PathStyle)> = Vec::new();
        let mut units: Vec<(PathBuf, PathStyle)> = Vec::new();
        let mut seen = HashSet::new();
        for path in paths {
            let style = PathStyle::of_argument(path);
            let Some(dir) = resolve_dir(path) else {
                errors.push(InputError {
                    path: path.clone(),
                    line: 1,
                    column: 1,
                    message: "no such directory: pass a directory of .tf files or a plan from `terraform show -json`".to_owned(),
                });
                continue;
            };
            let mut found = BTreeSet::new();
            let mut found_units = BTreeSet::new();
            if let Err(error) = discover_module_dirs(&dir, &mut found, &mut found_units, skip) {
                errors.push(InputError::io(path, &error));
            }
            let nothing = found.is_empty() && found_units.is_empty();
            for unit in found_units {
                if !units.iter().any(|(known, _)| *known == unit) {
                    units.push((unit, style.clone()));
                }
            }
            if nothing {
                errors.push(InputError {
                    path: path.clone(),
                    line: 1,
                    column: 1,
                    message: "no .tf files under this directory: point drlint at the Terraform code (or a plan file)".to_owned(),
                });
            }
            for dir in found {
                if seen.insert(dir.clone()) {
                    scanned.push((dir, style.clone()));
                }
            }
        }
        // Calls between directories, for choosing roots: caller → callees.
        let mut calls: HashMap<PathBuf, Vec<PathBuf>> = HashMap::new();
        let mut called: HashSet<PathBuf> = HashSet::new();
        let mut queue: Vec<(PathBuf, PathStyle)> = scanned.iter().rev().cloned().collect();
        // A Terragrunt unit's module, and the files its `generate` blocks copy, are parts of
        // the unit, not roots of their own.
        let mut read_units: Vec<(Unit, PathStyle)> = Vec::new();
        for (dir, style) in &units {
            let Some(unit) = terragrunt::read_unit(dir, style, limits, sources, errors) else {
                continue;
            };
            if let Some(module) = &unit.module {
                called.insert(module.clone());
                queue.push((module.clone(), style.clone()));
            }
            for file in &unit.read {
                if let Some(parent) = file.parent() {
                    called.insert(parent.to_path_buf());
                }
            }
            read_units.push((unit, style.clone()));
        }
        while let Some((dir, style)) = queue.pop() {
            if project.modules.contains_key(&dir) {
                continue;
            }
            let module = load_module(&dir, &style.show(&dir), limits, sources, errors);
            let mut callees = Vec::new();
            for (_, target) in module.local_calls() {
                let Some(target) = target else { continue };
                // A directory that calls itself is still a root; the call is reported as a
                // cycle when the root is evaluated.
                if target != dir {
                    called.insert(target.clone());
                }
                callees.push(target.clone());
                if !project.modules.contains_key(&target) {
                    queue.push((target, style.clone()));
                }
            }
            let manifest = dir.join(".terraform/modules/modules.json");
            if manifest.is_file() {
                let installed = read_module_manifest(&dir, &manifest, &style, limits, errors);
                for target in installed.values() {
                    called.insert(target.clone());
                    callees.push(target.clone());
                    queue.push((target.clone(), style.clone()));
                }
                project.installed.insert(dir.clone(), installed);
            }
            calls.insert(dir.clone(), callees);
            project.modules.insert(dir, module);
        }
        let mut roots: Vec<&(PathBuf, PathStyle)> = scanned
            .iter()
            .filter(|(dir, _)| !called.contains(dir))
            .collect();
        // Directories that only call each other (a cycle) have no root above them: the first
        // of each becomes one, so the cycle is reported where it is rather than passing silently.
        let mut reached: HashSet<PathBuf> = HashSet::new();
        let visit = |start: &Path, reached: &mut HashSet<PathBuf>| {
            let mut pending = vec![start.to_path_buf()];
            while let Some(dir) = pending.pop() {
                if !reached.insert(dir.clone()) {
                    continue;
                }
                for callee in calls.get(&dir).into_iter().flatten() {
                    if !reached.contains(callee) {
                        pending.push(callee.clone());
                    }
                }
            }
        };
        for (dir, _) in &roots {
            visit(dir, &mut reached);
        }
        for (unit, _) in &read_units {
            if let Some(module) = &unit.module {
                visit(module, &mut reached);
            }
            for file in &unit.read {
                if let Some(parent) = file.parent() {
                    reached.insert(parent.to_path_buf());
                }
            }
        }
        for entry in &scanned {
            if !reached.contains(&entry.0) {
                roots.push(entry);
                visit(&entry.0, &mut reached);
            }
        }
        project.roots = roots
            .into_iter()
            .map(|(dir, style)| Root {
                dir: dir.clone(),
                scope: style.show(dir).display().to_string().into(),
                style: style.clone(),
                unit: None,
            })
            .collect();
        for (unit, style) in read_units {
            project.add_unit(unit, style, sources, errors);
        }
        project.roots.sort_by(|a, b| a.scope.cmp(&b.scope));
        project
    }

    /// A Terragrunt unit as a root: its module with the generated files written in.
    fn add_unit(
        &mut self,
        unit: Unit,
        style: PathStyle,
        sources: &mut SourceMap,
        errors: &mut Vec<InputError>,
    ) {
        let scope: Arc<str> = style.show(&unit.dir).display().to_string().into();
        let Some(dir) = unit.module.clone() else {
            self.unresolved.push(UnresolvedModule {
                address: "terraform.source".into(),
                source: unit.source.clone().unwrap_or_default(),
                scope: scope.clone(),
                file: unit.file,
                header: Some(unit.header.clone()),
                tags: None,
            });
            return;
        };
        let mut module = self
            .modules
            .get(&dir)
            .cloned()
            .unwrap_or_else(|| ModuleSource {
                dir: dir.clone(),
                ..ModuleSource::default()
            });
        for generated in &unit.generated {
            let existing: Vec<_> = module
                .files
                .iter()
                .filter(|(name, _)| *name == generated.name)
                .map(|(_, file)| *file)
                .collect();
            if !existing.is_empty() {
                if generated.if_exists != "overwrite"
                    && generated.if_exists != "overwrite_terragrunt"
                {
                    continue;
                }
                module.remove_files(&existing);
            }
            if let Err(error) = add_hcl_file(
                &mut module,
                generated.shown.clone(),
                &generated.text,
                sources,
            ) {
                errors.push(error);
            }
        }
        self.roots.push(Root {
            dir,
            scope,
            style,
            unit: Some(UnitRoot {
                module,
                inputs: unit.inputs,
            }),
        });
    }
}

/// Every directory under `root` (itself included) that holds `.tf` files, and every one that
/// holds a `terragrunt.hcl`, skipping hidden directories such as `.terraform`, `.git` and
/// `.terragrunt-cache`, symbolic links (which could loop), and those `skip` names (below
/// `root`, which is scanned as asked).
fn discover_module_dirs(
    root: &Path,
    out: &mut BTreeSet<PathBuf>,
    units: &mut BTreeSet<PathBuf>,
    skip: &mut dyn FnMut(&Path) -> bool,
) -> std::io::Result<()> {
    let mut pending = vec![root.to_path_buf()];
    while let Some(dir) = pending.pop() {
        let mut has_tf = false;
        let mut children = Vec::new();
        for entry in std::fs::read_dir(&dir)? {
            let entry = entry?;
            let name = entry.file_name();
            let name = name.to_string_lossy();
            let file_type = entry.file_type()?;
            if file_type.is_dir() {
                if !name.starts_with('.') && !skip(&entry.path()) {
                    children.push(entry.path());
                }
            } else if name.ends_with(".tf") || name.ends_with(".tf.json") {
                has_tf = true;
            } else if name == terragrunt::CONFIG_FILE {
                units.insert(dir.clone());
            }
        }
        if has_tf {
            out.insert(dir);
        }
        pending.extend(children);
    }
    Ok(())
}

fn read_module_manifest(
    root: &Path,
    manifest: &Path,
    style: &PathStyle,
    limits: &Limits,
    errors: &mut Vec<InputError>,
) -> HashMap<String, PathBuf> {
    let mut out = HashMap::new();
    let shown = style.show(manifest);
    let text = match super::load::read_source(manifest, limits) {
        Ok(text) => text,
        Err(mut error) => {
            error.path = shown;
            errors.push(error);
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
                if key.is_empty() {
                    continue;
                }
                if let Some(dir) = resolve_dir(&root.join(dir)) {
                    out.insert(key.to_owned(), dir);
                }
            }
        }
        Err(error) => errors.push(InputError {
            path: shown,
            line: error.line(),
            column: error.column(),
            message: format!("invalid module manifest: {error}"),
        }),
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_paths_climb_and_descend() {
        let base = Path::new("/work/shop/envs/prod");
        assert_eq!(
            relative_path(Path::new("/work/shop/modules/db"), base),
            PathBuf::from("../../modules/db")
        );
        assert_eq!(relative_path(base, base), PathBuf::from("."));
        assert_eq!(
            relative_path(Path::new("/work/shop/envs/prod/main.tf"), base),
            PathBuf::from("main.tf")
        );
    }
}
