//! The declarations of one module directory: variables, locals, outputs, resources, module
//! calls and providers, each with the file it is in and the byte offset its spans count from.
//!
//! A resource block keeps only its place in the file: it is parsed again when it is evaluated
//! and dropped afterwards, so a module's syntax trees never all exist at once (they take some
//! twenty times the text). The other declarations are small and stay parsed.

use std::collections::HashMap;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use hcl_edit::expr::Expression;
use hcl_edit::structure::{Block, Structure};
use hcl_edit::Span;
use indexmap::IndexMap;

use super::parse::parse_parts;
pub use super::parse::{parse_hcl, read_source};
use crate::settings::Limits;
use crate::source::{FileId, SourceMap};
use crate::InputError;

/// An expression, the file it was written in, and the offset in that file its spans count
/// from (a large file is parsed in parts).
#[derive(Debug, Clone)]
pub struct Located<T> {
    pub file: FileId,
    pub base: usize,
    pub node: T,
}

impl<T: Span> Located<T> {
    /// The node's span in its file.
    pub fn span(&self) -> Option<Range<usize>> {
        shift(self.node.span(), self.base)
    }
}

/// A span of a part parsed at `base`, as a span of the file.
pub fn shift(span: Option<Range<usize>>, base: usize) -> Option<Range<usize>> {
    span.map(|span| span.start + base..span.end + base)
}

/// A `variable` block.
#[derive(Debug, Clone)]
pub struct VariableDecl {
    pub file: FileId,
    /// Where spans of `default` and `type_expr` count from.
    pub base: usize,
    /// `variable "NAME"`, for notes about the variable.
    pub header: Range<usize>,
    pub default: Option<Expression>,
    /// The `type` constraint as written.
    pub type_expr: Option<Expression>,
}

/// A `resource`, `module` or `provider` block.
#[derive(Debug, Clone)]
pub struct BlockDecl {
    pub file: FileId,
    pub labels: Vec<String>,
    /// From the block's first byte to its opening brace: where a finding about a missing
    /// attribute points.
    pub header: Range<usize>,
    body: DeclBody,
    /// From a `.tf.json` file: spans inside the block do not point into the file.
    pub from_json: bool,
}

#[derive(Debug, Clone)]
enum DeclBody {
    Parsed {
        base: usize,
        block: Box<Block>,
    },
    /// The block's text in its file, parsed when needed.
    InFile {
        text: Arc<str>,
        range: Range<usize>,
    },
}

impl BlockDecl {
    /// A declaration whose block is kept parsed (`base`: where its spans count from).
    pub fn parsed(
        file: FileId,
        labels: Vec<String>,
        header: Range<usize>,
        base: usize,
        block: Block,
        from_json: bool,
    ) -> BlockDecl {
        BlockDecl {
            file,
            labels,
            header,
            body: DeclBody::Parsed {
                base,
                block: Box::new(block),
            },
            from_json,
        }
    }

    /// The block and the offset its spans count from, parsed again if it was not kept (it
    /// parsed when the file was read, so it parses now).
    pub fn block(&self) -> Option<(std::borrow::Cow<'_, Block>, usize)> {
        match &self.body {
            DeclBody::Parsed { base, block } => {
                Some((std::borrow::Cow::Borrowed(block.as_ref()), *base))
            }
            DeclBody::InFile { text, range } => {
                let (body, _) = parse_hcl(text.get(range.clone())?, Path::new("")).ok()?;
                let block = body.into_blocks().next()?;
                Some((std::borrow::Cow::Owned(block), range.start))
            }
        }
    }

    /// Where the block's text is, for a block read from a `.tf` file.
    pub fn text(&self) -> Option<crate::model::BlockText> {
        match &self.body {
            DeclBody::InFile { text, range } => Some(crate::model::BlockText {
                text: text.clone(),
                range: range.clone(),
            }),
            DeclBody::Parsed { .. } => None,
        }
    }

    /// The block of a declaration that is kept parsed (module calls and providers).
    pub fn kept(&self) -> Option<(&Block, usize)> {
        match &self.body {
            DeclBody::Parsed { base, block } => Some((block.as_ref(), *base)),
            DeclBody::InFile { .. } => None,
        }
    }
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
                .kept()?
                .0
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
    let name = path
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_default();
    // Diagnostics quote the file as written; the rewritten text has the same spans. The file
    // is recorded before it parses, so its declarations can point into it.
    let file = sources.add(path.clone(), text);
    let whole: Arc<str> = sources
        .get(file)
        .map_or_else(|| Arc::from(text), |source| source.text.clone());
    let mut declared = ModuleSource::default();
    let parsed = parse_parts(text, &path, |part| {
        collect(&mut declared, file, part, &whole)
    })?;
    if !parsed {
        declared = ModuleSource::default();
        let (body, rewritten) = parse_hcl(text, &path)?;
        let part = super::parse::Part {
            base: 0,
            body,
            text: rewritten,
        };
        collect(&mut declared, file, part, &whole);
    }
    module.files.push((name, file));
    module.variables.extend(declared.variables);
    module.locals.extend(declared.locals);
    module.outputs.extend(declared.outputs);
    module.resources.extend(declared.resources);
    module.module_calls.extend(declared.module_calls);
    module.providers.extend(declared.providers);
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
                    base: 0,
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

/// The span from a block's first byte to its opening brace (`text` is what was parsed).
pub fn header_span(block: &Block, text: &str) -> Range<usize> {
    let span = block.span().unwrap_or(0..0);
    let end = text
        .get(span.start..span.end)
        .and_then(|slice| slice.find('{'))
        .map(|brace| span.start + brace)
        .unwrap_or(span.end);
    let header = text.get(span.start..end).unwrap_or("");
    span.start..span.start + header.trim_end().len()
}

/// The declarations of one parsed part of file `file`, whose whole text is `whole`.
fn collect(module: &mut ModuleSource, file: FileId, part: super::parse::Part, whole: &Arc<str>) {
    let base = part.base;
    let text = part.text.as_str();
    let header = |block: &Block| {
        let span = header_span(block, text);
        span.start + base..span.end + base
    };
    for structure in part.body.into_iter() {
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
                        base,
                        header: header(&block),
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
                            base,
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
                            base,
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
                let header = header(&block);
                let decl = match (kind, block.span()) {
                    // Resources are parsed again when evaluated (see the module docs).
                    ("resource", Some(span)) => BlockDecl {
                        file,
                        labels,
                        header,
                        body: DeclBody::InFile {
                            text: whole.clone(),
                            range: span.start + base..span.end + base,
                        },
                        from_json: false,
                    },
                    _ => BlockDecl::parsed(file, labels, header, base, block, false),
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
                    base: 0,
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
                    base: 0,
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
                        base: 0,
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
                module.resources.push(BlockDecl::parsed(
                    file,
                    vec![resource_type.clone(), name.clone()],
                    key_span(text, name, type_at),
                    0,
                    built,
                    true,
                ));
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
                    list.push(BlockDecl::parsed(
                        file,
                        vec![name.clone()],
                        key_span(text, name, 0),
                        0,
                        built,
                        true,
                    ));
                }
            }
        }
    }
}
