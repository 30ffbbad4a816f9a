//! Finding Terraform modules on disk and parsing them, keeping every byte span.

use std::collections::{BTreeSet, HashMap};
use std::path::{Component, Path, PathBuf};

use hcl_edit::expr::Expression;
use hcl_edit::structure::{Block, Body, Structure};
use hcl_edit::Span;
use indexmap::IndexMap;

use crate::source::{FileId, SourceMap};
use crate::InputError;

/// An expression and the file it was written in (spans are offsets into that file).
#[derive(Debug, Clone)]
pub struct Located<T> {
    pub file: FileId,
    pub node: T,
}

/// A `variable` block.
#[derive(Debug, Clone)]
pub struct VariableDecl {
    pub file: FileId,
    /// `variable "NAME"`, for notes about the variable.
    pub header: std::ops::Range<usize>,
    pub default: Option<Expression>,
    /// Whether the declared type is a collection or structure (`list(string)`, `object({...})`):
    /// only then are `-var` and `TF_VAR_` values read as HCL rather than as literal strings.
    pub complex_type: bool,
}

/// A `resource` (or `data`) block.
#[derive(Debug, Clone)]
pub struct BlockDecl {
    pub file: FileId,
    pub labels: Vec<String>,
    /// From the block's first byte to its opening brace: where a finding about a missing
    /// attribute points.
    pub header: std::ops::Range<usize>,
    pub block: Block,
    /// From a `.tf.json` file: spans inside `block` do not point into the file.
    pub from_json: bool,
}

/// One parsed module directory.
#[derive(Debug, Default)]
pub struct ModuleSource {
    pub dir: PathBuf,
    pub variables: IndexMap<String, VariableDecl>,
    pub locals: HashMap<String, Located<Expression>>,
    pub outputs: HashMap<String, Located<Expression>>,
    pub resources: Vec<BlockDecl>,
    pub module_calls: Vec<BlockDecl>,
    pub providers: Vec<BlockDecl>,
    /// Files in Terraform's JSON syntax: their expressions carry no usable spans.
    pub json_files: Vec<FileId>,
}

impl ModuleSource {
    /// Local module sources this module calls, resolved against its directory.
    pub fn local_calls(&self) -> impl Iterator<Item = (&BlockDecl, PathBuf)> + '_ {
        self.module_calls.iter().filter_map(|call| {
            let source = call
                .block
                .body
                .get_attribute("source")
                .and_then(|attr| attr.value.as_str())?;
            is_local_source(source).then(|| (call, normalize(&self.dir.join(source))))
        })
    }
}

/// Terraform treats only `./` and `../` sources as paths on disk.
pub fn is_local_source(source: &str) -> bool {
    source.starts_with("./") || source.starts_with("../")
}

/// Resolves `.` and `..` without touching the file system, so paths stay as the user wrote them.
pub fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() || out.as_os_str().is_empty() {
                    out.push("..");
                }
            }
            other => out.push(other.as_os_str()),
        }
    }
    if out.as_os_str().is_empty() {
        out.push(".");
    }
    out
}

/// Every directory under `root` (itself included) that holds `.tf` files, skipping hidden
/// directories such as `.terraform` and `.git`.
pub fn discover_module_dirs(root: &Path, out: &mut BTreeSet<PathBuf>) -> std::io::Result<()> {
    let mut has_tf = false;
    let mut children = Vec::new();
    for entry in std::fs::read_dir(root)? {
        let entry = entry?;
        let name = entry.file_name();
        let name = name.to_string_lossy();
        let file_type = entry.file_type()?;
        if file_type.is_dir() {
            if !name.starts_with('.') {
                children.push(entry.path());
            }
        } else if name.ends_with(".tf") || name.ends_with(".tf.json") {
            has_tf = true;
        }
    }
    if has_tf {
        out.insert(normalize(root));
    }
    children.sort();
    for child in children {
        discover_module_dirs(&child, out)?;
    }
    Ok(())
}

/// Reads and parses every `.tf` file of one directory. Parse errors are collected, not fatal:
/// the files that parse still count.
pub fn load_module(
    dir: &Path,
    sources: &mut SourceMap,
    errors: &mut Vec<InputError>,
) -> ModuleSource {
    let mut module = ModuleSource {
        dir: dir.to_path_buf(),
        ..ModuleSource::default()
    };
    let mut files: Vec<PathBuf> = match std::fs::read_dir(dir) {
        Ok(entries) => entries
            .filter_map(|entry| entry.ok().map(|entry| entry.path()))
            .filter(|path| path.is_file())
            .collect(),
        Err(error) => {
            errors.push(InputError::io(dir, &error));
            return module;
        }
    };
    files.sort();
    for path in files {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if name.ends_with(".tf.json") {
            let text = match std::fs::read_to_string(&path) {
                Ok(text) => text,
                Err(error) => {
                    errors.push(InputError::io(&path, &error));
                    continue;
                }
            };
            match serde_json::from_str::<serde_json::Value>(&text) {
                Ok(json) => {
                    let file = sources.add(path, text.as_str());
                    module.json_files.push(file);
                    collect_json(&mut module, file, &json, &text);
                }
                Err(error) => errors.push(InputError {
                    path,
                    line: error.line(),
                    column: error.column(),
                    message: format!("invalid JSON: {error}"),
                }),
            }
            continue;
        }
        if !name.ends_with(".tf") {
            continue;
        }
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(error) => {
                errors.push(InputError::io(&path, &error));
                continue;
            }
        };
        let body = match hcl_edit::parser::parse_body(&text) {
            Ok(body) => body,
            Err(error) => {
                errors.push(InputError::from_parse(&path, &error));
                continue;
            }
        };
        let file = sources.add(path, text.as_str());
        collect(&mut module, file, body, &text);
    }
    module
}

/// Parses a tfvars file into name → expression.
pub fn load_tfvars(
    path: &Path,
    sources: &mut SourceMap,
) -> Result<Vec<(String, Located<Expression>)>, InputError> {
    let text = std::fs::read_to_string(path).map_err(|error| InputError::io(path, &error))?;
    let body = hcl_edit::parser::parse_body(&text)
        .map_err(|error| InputError::from_parse(path, &error))?;
    let file = sources.add(path.to_path_buf(), text.as_str());
    let mut out = Vec::new();
    for structure in body.into_iter() {
        if let Structure::Attribute(attribute) = structure {
            out.push((
                attribute.key.as_str().to_owned(),
                Located {
                    file,
                    node: attribute.value,
                },
            ));
        }
    }
    Ok(out)
}

fn label_strings(block: &Block) -> Vec<String> {
    block
        .labels
        .iter()
        .map(|label| label.as_str().to_owned())
        .collect()
}

/// The span from a block's first byte to its opening brace.
pub fn header_span(block: &Block, text: &str) -> std::ops::Range<usize> {
    let span = block.span().unwrap_or(0..0);
    let end = text
        .get(span.start..span.end)
        .and_then(|slice| slice.find('{'))
        .map(|brace| span.start + brace)
        .unwrap_or(span.end);
    let header = text.get(span.start..end).unwrap_or("");
    span.start..span.start + header.trim_end().len()
}

fn collect(module: &mut ModuleSource, file: FileId, body: Body, text: &str) {
    for structure in body.into_iter() {
        let Structure::Block(block) = structure else {
            continue;
        };
        let labels = label_strings(&block);
        let ident = block.ident.as_str().to_owned();
        match ident.as_str() {
            "variable" => {
                let Some(name) = labels.first() else { continue };
                let default = block.body.get_attribute("default").map(|a| a.value.clone());
                let complex_type = block.body.get_attribute("type").is_some_and(|a| {
                    !matches!(
                        a.value.as_variable().map(|ident| ident.as_str()),
                        Some("string" | "number" | "bool" | "any")
                    )
                });
                module.variables.insert(
                    name.clone(),
                    VariableDecl {
                        file,
                        header: header_span(&block, text),
                        default,
                        complex_type,
                    },
                );
            }
            "locals" => {
                for attribute in block.body.into_attributes() {
                    module.locals.insert(
                        attribute.key.as_str().to_owned(),
                        Located {
                            file,
                            node: attribute.value,
                        },
                    );
                }
            }
            "output" => {
                let Some(name) = labels.first() else { continue };
                if let Some(value) = block.body.get_attribute("value") {
                    module.outputs.insert(
                        name.clone(),
                        Located {
                            file,
                            node: value.value.clone(),
                        },
                    );
                }
            }
            kind @ ("resource" | "module" | "provider") => {
                let expected = if kind == "resource" { 2 } else { 1 };
                if labels.len() != expected {
                    continue;
                }
                let decl = BlockDecl {
                    file,
                    header: header_span(&block, text),
                    labels,
                    block,
                    from_json: false,
                };
                match kind {
                    "resource" => module.resources.push(decl),
                    "module" => module.module_calls.push(decl),
                    _ => module.providers.push(decl),
                }
            }
            _ => {}
        }
    }
}

/// Where `"key"` first appears in `text` at or after `from`: the label of a JSON-syntax block.
fn key_span(text: &str, key: &str, from: usize) -> std::ops::Range<usize> {
    let quoted = format!("\"{key}\"");
    match text.get(from..).and_then(|rest| rest.find(&quoted)) {
        Some(at) => from + at..from + at + quoted.len(),
        None => from..from,
    }
}

/// The declarations of a `.tf.json` file.
fn collect_json(module: &mut ModuleSource, file: FileId, json: &serde_json::Value, text: &str) {
    use super::json::{block, expression, first, objects};
    let Some(top) = json.as_object() else { return };
    let section = |name: &str| top.get(name).map(objects).unwrap_or_default();
    for variables in section("variable") {
        for (name, decl) in variables.as_object().into_iter().flatten() {
            let decl = first(decl);
            let complex_type = decl.get("type").and_then(|t| t.as_str()).is_some_and(|t| {
                !matches!(
                    t.trim_start_matches("${").trim_end_matches('}'),
                    "string" | "number" | "bool" | "any"
                )
            });
            module.variables.insert(
                name.clone(),
                VariableDecl {
                    file,
                    header: key_span(text, name, 0),
                    default: decl.get("default").map(expression),
                    complex_type,
                },
            );
        }
    }
    for locals in section("locals") {
        for (name, value) in locals.as_object().into_iter().flatten() {
            module.locals.insert(
                name.clone(),
                Located {
                    file,
                    node: expression(value),
                },
            );
        }
    }
    for outputs in section("output") {
        for (name, decl) in outputs.as_object().into_iter().flatten() {
            if let Some(value) = first(decl).get("value") {
                module.outputs.insert(
                    name.clone(),
                    Located {
                        file,
                        node: expression(value),
                    },
                );
            }
        }
    }
    for resources in section("resource") {
        for (resource_type, named) in resources.as_object().into_iter().flatten() {
            let type_at = key_span(text, resource_type, 0).start;
            for (name, body) in named.as_object().into_iter().flatten() {
                let Some(built) = block("resource", &[resource_type, name], first(body)) else {
                    continue;
                };
                module.resources.push(BlockDecl {
                    file,
                    labels: vec![resource_type.clone(), name.clone()],
                    header: key_span(text, name, type_at),
                    block: built,
                    from_json: true,
                });
            }
        }
    }
    for (kind, list) in [
        ("module", &mut module.module_calls),
        ("provider", &mut module.providers),
    ] {
        for entries in section(kind) {
            for (name, body) in entries.as_object().into_iter().flatten() {
                for body in objects(body) {
                    let Some(built) = block(kind, &[name], body) else {
                        continue;
                    };
                    list.push(BlockDecl {
                        file,
                        labels: vec![name.clone()],
                        header: key_span(text, name, 0),
                        block: built,
                        from_json: true,
                    });
                }
            }
        }
    }
}
