//! Reading and parsing the files of one module directory, keeping every byte span.
//!
//! Files are read through [`read_source`], which holds them to the run's file-size limit (and
//! reads a FIFO once, to its end). hcl-edit rejects an object constructor that writes one key
//! twice, which Terraform accepts (the later value wins): [`parse_hcl`] rewrites such a key in
//! place, with the same byte length so every span stays right, and parses again.

use std::collections::HashMap;
use std::io::Read;
use std::path::{Path, PathBuf};

use hcl_edit::expr::Expression;
use hcl_edit::structure::{Block, Body, Structure};
use hcl_edit::Span;
use indexmap::IndexMap;

use crate::settings::Limits;
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
    /// The `type` constraint as written.
    pub type_expr: Option<Expression>,
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
#[derive(Debug, Default, Clone)]
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
    /// Every file read, by file name.
    pub files: Vec<(String, FileId)>,
}

impl ModuleSource {
    /// Local module sources this module calls, with the directory each resolves to on disk
    /// (`None` when it does not exist).
    pub fn local_calls(&self) -> impl Iterator<Item = (&BlockDecl, Option<PathBuf>)> + '_ {
        self.module_calls.iter().filter_map(|call| {
            let source = call
                .block
                .body
                .get_attribute("source")
                .and_then(|attr| attr.value.as_str())?;
            is_local_source(source).then(|| (call, resolve_dir(&self.dir.join(source))))
        })
    }
}

/// Terraform treats only `./` and `../` sources as paths on disk.
pub fn is_local_source(source: &str) -> bool {
    source.starts_with("./") || source.starts_with("../")
}

/// The directory `path` names, with symbolic links and `..` resolved as the operating system
/// resolves them when Terraform runs in the root module; `None` when there is none.
pub fn resolve_dir(path: &Path) -> Option<PathBuf> {
    std::fs::canonicalize(path).ok().filter(|dir| dir.is_dir())
}

/// Reads a configuration file whole, refusing one larger than the file-size limit (FIFOs and
/// other streams are read once, to their end).
pub fn read_source(path: &Path, limits: &Limits) -> Result<String, InputError> {
    let file = std::fs::File::open(path).map_err(|error| InputError::io(path, &error))?;
    let mut bytes = Vec::new();
    file.take(limits.file_bytes.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|error| InputError::io(path, &error))?;
    if bytes.len() as u64 > limits.file_bytes {
        return Err(InputError {
            path: path.to_path_buf(),
            line: 1,
            column: 1,
            message: limits.exceeded("file-bytes", "this file is larger"),
        });
    }
    String::from_utf8(bytes).map_err(|error| {
        let valid = error.utf8_error().valid_up_to();
        let before = &error.as_bytes()[..valid];
        let line = before.iter().filter(|byte| **byte == b'\n').count() + 1;
        let column = valid
            - before
                .iter()
                .rposition(|byte| *byte == b'\n')
                .map_or(0, |at| at + 1)
            + 1;
        InputError {
            path: path.to_path_buf(),
            line,
            column,
            message: "this file is not valid UTF-8, which Terraform requires: save it as UTF-8"
                .to_owned(),
        }
    })
}

/// How many duplicate object keys one file may have rewritten: each costs a parse.
const MAX_DUPLICATE_KEYS: usize = 256;

/// Parses HCL as Terraform reads it: a key written twice in an object constructor is accepted
/// (the later value wins); an attribute written twice in a block is an error.
pub fn parse_hcl(text: &str, path: &Path) -> Result<(Body, String), InputError> {
    let mut text = text.to_owned();
    for _ in 0..=MAX_DUPLICATE_KEYS {
        match hcl_edit::parser::parse_body(&text) {
            Ok(body) => return Ok((body, text)),
            Err(error) if error.message().contains("redefined object key") => {
                match distinguish_key(&text, error.location().offset()) {
                    Some(rewritten) => text = rewritten,
                    None => return Err(InputError::from_parse(path, &error)),
                }
            }
            Err(error) if error.message().contains("redefined attribute") => {
                let offset = error.location().offset();
                let name = key_end(text.as_bytes(), offset)
                    .and_then(|end| text.get(offset..end))
                    .unwrap_or("this attribute");
                return Err(InputError {
                    path: path.to_path_buf(),
                    line: error.location().line(),
                    column: error.location().column(),
                    message: format!(
                        "`{name}` is set twice in one block, which Terraform rejects too (\"Attribute redefined\"): keep one"
                    ),
                });
            }
            Err(error) => return Err(InputError::from_parse(path, &error)),
        }
    }
    Err(InputError {
        path: path.to_path_buf(),
        line: 1,
        column: 1,
        message: format!("more than {MAX_DUPLICATE_KEYS} object keys are written twice in this file: remove the duplicates"),
    })
}

/// Rewrites the object key at `offset` into another spelling of the same key, two bytes
/// longer, taking the two bytes from the blanks around it: `Owner` becomes `"Owner"`, and a
/// quoted or parenthesised key gets parentheses. hcl-edit then sees a different key, the
/// evaluator the same one; spans elsewhere do not move. `None` when there are no blanks to take.
fn distinguish_key(text: &str, offset: usize) -> Option<String> {
    let bytes = text.as_bytes();
    let end = key_end(bytes, offset)?;
    let before = bytes[..offset]
        .iter()
        .rev()
        .take_while(|b| matches!(b, b' ' | b'\t'))
        .count();
    let after = bytes[end..]
        .iter()
        .take_while(|b| matches!(b, b' ' | b'\t'))
        .count();
    let from_before = before.min(2);
    let from_after = 2 - from_before;
    if from_after > after {
        return None;
    }
    let key = &text[offset..end];
    let spelled = if bytes[offset].is_ascii_alphabetic() || bytes[offset] == b'_' {
        format!("\"{key}\"")
    } else {
        format!("({key})")
    };
    let mut out = String::with_capacity(text.len());
    out.push_str(&text[..offset - from_before]);
    out.push_str(&spelled);
    out.push_str(&text[end + from_after..]);
    (out.len() == text.len()).then_some(out)
}

/// The end of the object key starting at `start`: an identifier, a quoted string or a
/// parenthesised expression.
fn key_end(bytes: &[u8], start: usize) -> Option<usize> {
    match bytes.get(start)? {
        b'"' => {
            let mut at = start + 1;
            while at < bytes.len() {
                match bytes[at] {
                    b'\\' => at += 2,
                    b'"' => return Some(at + 1),
                    b'\n' => return None,
                    _ => at += 1,
                }
            }
            None
        }
        b'(' => {
            let mut depth = 0usize;
            for (index, byte) in bytes.iter().enumerate().skip(start) {
                match byte {
                    b'(' => depth += 1,
                    b')' => {
                        depth -= 1;
                        if depth == 0 {
                            return Some(index + 1);
                        }
                    }
                    b'\n' => return None,
                    _ => {}
                }
            }
            None
        }
        _ => {
            let length = bytes[start..]
                .iter()
                .take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-'))
                .count();
            (length > 0).then_some(start + length)
        }
    }
}

/// Reads and parses every `.tf` and `.tf.json` file of one directory (`dir` as resolved on
/// disk; `shown` is how its files are named in output). Parse errors are collected, not
/// fatal: the files that parse still count.
pub fn load_module(
    dir: &Path,
    shown: &Path,
    limits: &Limits,
    sources: &mut SourceMap,
    errors: &mut Vec<InputError>,
) -> ModuleSource {
    let mut module = ModuleSource {
        dir: dir.to_path_buf(),
        ..ModuleSource::default()
    };
    let mut names: Vec<String> = match std::fs::read_dir(dir) {
        Ok(entries) => entries
            .filter_map(|entry| entry.ok())
            .filter(|entry| entry.path().is_file())
            .map(|entry| entry.file_name().to_string_lossy().into_owned())
            .filter(|name| name.ends_with(".tf") || name.ends_with(".tf.json"))
            .collect(),
        Err(error) => {
            errors.push(InputError::io(shown, &error));
            return module;
        }
    };
    names.sort();
    for name in names {
        let path = if shown == Path::new(".") {
            PathBuf::from(&name)
        } else {
            shown.join(&name)
        };
        let text = match read_source(&dir.join(&name), limits) {
            Ok(text) => text,
            Err(mut error) => {
                error.path = path;
                errors.push(error);
                continue;
            }
        };
        if name.ends_with(".tf.json") {
            match serde_json::from_str::<serde_json::Value>(&text) {
                Ok(json) => {
                    let file = sources.add(path, text.as_str());
                    module.json_files.push(file);
                    module.files.push((name.clone(), file));
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
        if let Err(error) = add_hcl_file(&mut module, path, &text, sources) {
            errors.push(error);
        }
    }
    module
}

/// Parses one `.tf` file's text (read from `path`, or generated for it) into `module`.
pub fn add_hcl_file(
    module: &mut ModuleSource,
    path: PathBuf,
    text: &str,
    sources: &mut SourceMap,
) -> Result<FileId, InputError> {
    let (body, parsed) = parse_hcl(text, &path)?;
    let name = path
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_default();
    // Diagnostics quote the file as written; the rewritten text has the same spans.
    let file = sources.add(path, text);
    module.files.push((name, file));
    collect(module, file, body, &parsed);
    Ok(file)
}

impl ModuleSource {
    /// Drops what the files `files` declared (a Terragrunt `generate` block overwrites them).
    pub fn remove_files(&mut self, files: &[FileId]) {
        self.files.retain(|(_, file)| !files.contains(file));
        self.variables.retain(|_, decl| !files.contains(&decl.file));
        self.locals.retain(|_, local| !files.contains(&local.file));
        self.outputs
            .retain(|_, output| !files.contains(&output.file));
        self.resources.retain(|decl| !files.contains(&decl.file));
        self.module_calls.retain(|decl| !files.contains(&decl.file));
        self.providers.retain(|decl| !files.contains(&decl.file));
    }
}

/// Parses a tfvars file (already read) into name → expression.
pub fn parse_tfvars(
    path: &Path,
    text: &str,
    sources: &mut SourceMap,
) -> Result<Vec<(String, Located<Expression>)>, InputError> {
    let (body, _) = parse_hcl(text, path)?;
    let file = sources.add(path.to_path_buf(), text);
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
                let type_expr = block.body.get_attribute("type").map(|a| a.value.clone());
                module.variables.insert(
                    name.clone(),
                    VariableDecl {
                        file,
                        header: header_span(&block, text),
                        default,
                        type_expr,
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
            // In JSON a type is a string holding the type expression (`"list(string)"`).
            let type_expr = decl.get("type").and_then(|t| t.as_str()).and_then(|t| {
                hcl_edit::parser::parse_expr(t.trim_start_matches("${").trim_end_matches('}')).ok()
            });
            module.variables.insert(
                name.clone(),
                VariableDecl {
                    file,
                    header: key_span(text, name, 0),
                    default: decl.get("default").map(expression),
                    type_expr,
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
