//! `.drlint.hcl`: a team's settings, in HCL, found by looking upward from each root module (or
//! plan file) to the filesystem root; the nearest file wins, whole (files are not merged).
//!
//! ```hcl
//! docs_url   = "https://wiki.example.com/drlint/{code}"
//! skip_paths = ["examples", "**/test/fixtures"]
//!
//! tags {
//!   tier      = "DRTier"
//!   rto_hours = "RTOHours"
//! }
//!
//! tier "2" {
//!   rto = "2h"
//!   require {
//!     cross_region_copy = "required"
//!   }
//! }
//!
//! rule "DR504" {
//!   severity = "warning"
//!   by_tier  = { "3" = "off" }
//! }
//!
//! root "envs/dev" {
//!   var_files = ["envs/dev/dev.tfvars"]
//! }
//! ```
//!
//! Every setting is one row of [`ITEMS`]; the reference page (`linter/docs/config.md`) is
//! generated from it. A setting drlint does not know, a value of the wrong type or out of range
//! is an input error at its line and column: a mistyped setting never falls back to a default
//! silently.

use std::collections::HashMap;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use dr_vocab::{parse_duration, Need, TAG_DR_TIER, TAG_RTO_HOURS, TIER_LEVELS};
use hcl_edit::expr::{Expression, ObjectKey};
use hcl_edit::structure::{Body, Structure};
use hcl_edit::Span;

use crate::rules::codes::{self, RuleInfo};
use crate::tiers::{Severity, Tier};
use crate::InputError;

/// The file's name.
pub const FILE_NAME: &str = ".drlint.hcl";

/// One setting: where it is written, what it takes, its default and what it does.
pub struct Item {
    pub path: &'static str,
    pub kind: &'static str,
    pub default: &'static str,
    pub about: &'static str,
}

/// Every setting, in the order the reference lists them.
pub const ITEMS: &[Item] = &[
    Item {
        path: "docs_url",
        kind: "string",
        default: "none",
        about: "Where the rule pages are published: `{code}` is replaced by the rule's code, else `/CODE.md` is appended. Human output and SARIF link to it; without it they point at `drlint rule CODE` and carry the help inline. `DRLINT_DOCS_URL` overrides it.",
    },
    Item {
        path: "skip_paths",
        kind: "list of strings",
        default: "[]",
        about: "Directories, relative to this file's directory, not scanned for root modules (`*` matches within one path segment, `**` any number of segments; a pattern without `/` matches a directory of that name anywhere). A module in a skipped directory is still read when a scanned root calls it; a directory named on the command line is scanned.",
    },
    Item {
        path: "tags.tier",
        kind: "string",
        default: "\"dr-tier\"",
        about: "The tag key that names a resource's tier.",
    },
    Item {
        path: "tags.rto_hours",
        kind: "string",
        default: "\"rto-hours\"",
        about: "The tag key in which the owning team states the resource's recovery time, in hours (DR103).",
    },
    Item {
        path: "tier \"LEVEL\"",
        kind: "block, labelled by level 1–9",
        default: "the built-in tiers 1–3",
        about: "Redefines a tier, or adds one (a new level starts from the requirements of the nearest level below it). `dr_tier` resources of a configuration override it in turn.",
    },
    Item {
        path: "tier.name",
        kind: "string",
        default: "the built-in name",
        about: "The tier's name in messages and reports.",
    },
    Item {
        path: "tier.rto",
        kind: "duration (`15m`, `4h`, `1d`)",
        default: "the built-in objective",
        about: "Recovery time objective.",
    },
    Item {
        path: "tier.rpo",
        kind: "duration",
        default: "the built-in objective",
        about: "Recovery point objective.",
    },
    Item {
        path: "tier.min_backup_retention_days",
        kind: "number",
        default: "the built-in minimum",
        about: "The shortest backup retention the tier accepts (DR501).",
    },
    Item {
        path: "tier.require.REQUIREMENT",
        kind: "`required`, `recommended` or `not_needed`",
        default: "the built-in requirement",
        about: "How strongly the tier asks for a property: required gaps are errors, recommended ones warnings, not needed ones no finding. REQUIREMENT is one of multi_az, cross_region_copy, secret_replication, multi_region_kms, backups, point_in_time_recovery, backup_cross_region_copy, deletion_protection, versioning.",
    },
    Item {
        path: "rule \"CODE\"",
        kind: "block, labelled by rule code or name",
        default: "every rule on",
        about: "Settings of one rule.",
    },
    Item {
        path: "rule.enabled",
        kind: "bool",
        default: "true",
        about: "`false` turns the rule off everywhere this file applies.",
    },
    Item {
        path: "rule.severity",
        kind: "`error`, `warning`, `note` or `off`",
        default: "what the tier's requirement asks",
        about: "The severity of every finding of the rule.",
    },
    Item {
        path: "rule.by_tier",
        kind: "map of level to severity or `off`",
        default: "{}",
        about: "The severity of the rule's findings on resources of a given tier, over `severity`: `by_tier = { \"3\" = \"off\", \"2\" = \"warning\" }`.",
    },
    Item {
        path: "root \"DIR\"",
        kind: "block, labelled by a directory relative to this file",
        default: "none",
        about: "Settings of one root module.",
    },
    Item {
        path: "root.var_files",
        kind: "list of strings",
        default: "[]",
        about: "Variable definition files for this root only, relative to this file's directory; read after `terraform.tfvars` and `*.auto.tfvars`, before `--var-file` (which applies to every root) and `--var`.",
    },
];

/// The tag keys drlint reads a resource's tier and stated RTO from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TagKeys {
    pub tier: Arc<str>,
    pub rto_hours: Arc<str>,
}

impl Default for TagKeys {
    fn default() -> TagKeys {
        TagKeys {
            tier: TAG_DR_TIER.into(),
            rto_hours: TAG_RTO_HOURS.into(),
        }
    }
}

/// What a `tier` block changes.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TierOverride {
    pub level: u8,
    pub name: Option<String>,
    pub rto_seconds: Option<u64>,
    pub rpo_seconds: Option<u64>,
    pub min_backup_retention_days: Option<u32>,
    pub requirements: Vec<(Requirement, Need)>,
}

/// A requirement a `require` block can set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Requirement {
    MultiAz,
    CrossRegionCopy,
    SecretReplication,
    MultiRegionKms,
    Backups,
    PointInTimeRecovery,
    BackupCrossRegionCopy,
    DeletionProtection,
    Versioning,
}

const REQUIREMENTS: [(&str, Requirement); 9] = [
    ("multi_az", Requirement::MultiAz),
    ("cross_region_copy", Requirement::CrossRegionCopy),
    ("secret_replication", Requirement::SecretReplication),
    ("multi_region_kms", Requirement::MultiRegionKms),
    ("backups", Requirement::Backups),
    ("point_in_time_recovery", Requirement::PointInTimeRecovery),
    (
        "backup_cross_region_copy",
        Requirement::BackupCrossRegionCopy,
    ),
    ("deletion_protection", Requirement::DeletionProtection),
    ("versioning", Requirement::Versioning),
];

impl TierOverride {
    /// Applies this block to `tier`.
    pub fn apply(&self, tier: &mut Tier) {
        if let Some(name) = &self.name {
            tier.name = name.clone();
        }
        if let Some(rto) = self.rto_seconds {
            tier.objective.rto_seconds = rto;
        }
        if let Some(rpo) = self.rpo_seconds {
            tier.objective.rpo_seconds = rpo;
        }
        let required = &mut tier.requirements;
        if let Some(days) = self.min_backup_retention_days {
            required.min_backup_retention_days = days;
        }
        for (requirement, need) in &self.requirements {
            let slot = match requirement {
                Requirement::MultiAz => &mut required.multi_az,
                Requirement::CrossRegionCopy => &mut required.cross_region_copy,
                Requirement::SecretReplication => &mut required.secret_replication,
                Requirement::MultiRegionKms => &mut required.multi_region_kms,
                Requirement::Backups => &mut required.backups,
                Requirement::PointInTimeRecovery => &mut required.point_in_time_recovery,
                Requirement::BackupCrossRegionCopy => &mut required.backup_cross_region_copy,
                Requirement::DeletionProtection => &mut required.deletion_protection,
                Requirement::Versioning => &mut required.versioning,
            };
            *slot = *need;
        }
    }
}

/// A severity setting: a severity, or the findings dropped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Off,
    At(Severity),
}

/// What a `rule` block says.
#[derive(Debug, Clone, PartialEq)]
pub struct RuleSetting {
    pub rule: &'static RuleInfo,
    pub enabled: bool,
    pub severity: Option<Level>,
    pub by_tier: Vec<(u8, Level)>,
}

impl RuleSetting {
    /// The level a finding of this rule on a resource of `tier` takes; `None` keeps the rule's.
    pub fn level(&self, tier: Option<u8>) -> Option<Level> {
        if !self.enabled {
            return Some(Level::Off);
        }
        tier.and_then(|tier| {
            self.by_tier
                .iter()
                .find(|(level, _)| *level == tier)
                .map(|(_, level)| *level)
        })
        .or(self.severity)
    }
}

/// One loaded `.drlint.hcl`.
#[derive(Debug, Clone, Default)]
pub struct Config {
    /// The file, as found.
    pub path: PathBuf,
    /// Its directory, resolved on disk: relative paths in it start here.
    pub dir: PathBuf,
    pub docs_url: Option<String>,
    pub tags: TagKeys,
    pub tiers: Vec<TierOverride>,
    pub rules: Vec<RuleSetting>,
    pub skip_paths: Vec<String>,
    /// Root directory (resolved on disk) → its own var files.
    pub roots: Vec<(PathBuf, Vec<PathBuf>)>,
}

impl Config {
    pub fn rule(&self, code: &str) -> Option<&RuleSetting> {
        self.rules.iter().find(|setting| setting.rule.code == code)
    }

    /// The var files of the root module in `dir` (resolved on disk).
    pub fn var_files(&self, dir: &Path) -> &[PathBuf] {
        self.roots
            .iter()
            .find(|(root, _)| root == dir)
            .map_or(&[], |(_, files)| files.as_slice())
    }

    /// Whether `dir` (resolved on disk) is a directory `skip_paths` names.
    pub fn skips(&self, dir: &Path) -> bool {
        let Ok(relative) = dir.strip_prefix(&self.dir) else {
            return false;
        };
        let segments: Vec<String> = relative
            .components()
            .map(|part| part.as_os_str().to_string_lossy().into_owned())
            .collect();
        if segments.is_empty() {
            return false;
        }
        self.skip_paths.iter().any(|pattern| {
            let pattern = pattern.trim_end_matches('/');
            let parts: Vec<&str> = pattern.split('/').filter(|part| !part.is_empty()).collect();
            if parts.len() == 1 && !pattern.contains('/') {
                segments
                    .last()
                    .is_some_and(|name| segment_matches(parts[0], name))
            } else {
                path_matches(&parts, &segments)
            }
        })
    }

    /// Reads and checks the file at `path`.
    pub fn load(path: &Path) -> Result<Config, Vec<InputError>> {
        let text =
            std::fs::read_to_string(path).map_err(|error| vec![InputError::io(path, &error)])?;
        let dir = path
            .parent()
            .map(|parent| {
                if parent.as_os_str().is_empty() {
                    Path::new(".")
                } else {
                    parent
                }
            })
            .and_then(|parent| std::fs::canonicalize(parent).ok())
            .unwrap_or_default();
        Config::parse(path, dir, &text)
    }

    /// Checks `text`, read from `path` in directory `dir` (resolved on disk), where the paths
    /// it names start.
    pub fn parse(path: &Path, dir: PathBuf, text: &str) -> Result<Config, Vec<InputError>> {
        let mut reader = Reader {
            path,
            text,
            errors: Vec::new(),
        };
        let body = match hcl_edit::parser::parse_body(text) {
            Ok(body) => body,
            Err(error) => {
                let location = error.location();
                return Err(vec![InputError {
                    path: path.to_path_buf(),
                    line: location.line(),
                    column: location.column(),
                    message: format!("{FILE_NAME} is not valid HCL: {}", error.message()),
                }]);
            }
        };
        let mut config = Config {
            path: path.to_path_buf(),
            dir,
            ..Config::default()
        };
        reader.read_top(&body, &mut config);
        if reader.errors.is_empty() {
            Ok(config)
        } else {
            Err(reader.errors)
        }
    }
}

fn segment_matches(pattern: &str, name: &str) -> bool {
    match pattern.split_once('*') {
        None => pattern == name,
        Some((prefix, rest)) => {
            let Some(tail) = name.strip_prefix(prefix) else {
                return false;
            };
            (0..=tail.len())
                .filter(|at| tail.is_char_boundary(*at))
                .any(|at| segment_matches(rest, &tail[at..]))
        }
    }
}

fn path_matches(pattern: &[&str], segments: &[String]) -> bool {
    match pattern.split_first() {
        None => segments.is_empty(),
        Some((&"**", rest)) => {
            (0..=segments.len()).any(|skip| path_matches(rest, &segments[skip..]))
        }
        Some((first, rest)) => segments.split_first().is_some_and(|(name, others)| {
            segment_matches(first, name) && path_matches(rest, others)
        }),
    }
}

/// Reads a config body, collecting every problem with its place.
struct Reader<'a> {
    path: &'a Path,
    text: &'a str,
    errors: Vec<InputError>,
}

impl Reader<'_> {
    fn error(&mut self, span: Option<Range<usize>>, message: String) {
        let offset = span.map_or(0, |span| span.start).min(self.text.len());
        let before = &self.text[..offset];
        let line = before.matches('\n').count() + 1;
        let column = before
            .rsplit('\n')
            .next()
            .map_or(0, |tail| tail.chars().count())
            + 1;
        self.errors.push(InputError {
            path: self.path.to_path_buf(),
            line,
            column,
            message,
        });
    }

    fn unknown(&mut self, span: Option<Range<usize>>, what: &str, name: &str, known: &[&str]) {
        self.error(
            span,
            format!(
                "{FILE_NAME} has no {what} `{name}`: the {what}s here are {} (`drlint config --reference` lists every setting)",
                known.iter().map(|k| format!("`{k}`")).collect::<Vec<_>>().join(", ")
            ),
        );
    }

    fn string(&mut self, expr: &Expression, what: &str) -> Option<String> {
        match expr {
            Expression::String(text) => Some(text.value().clone()),
            other => {
                self.error(other.span(), format!("`{what}` must be a string in quotes"));
                None
            }
        }
    }

    fn strings(&mut self, expr: &Expression, what: &str) -> Vec<String> {
        match expr {
            Expression::Array(items) => items
                .iter()
                .filter_map(|item| self.string(item, what))
                .collect(),
            other => {
                self.error(
                    other.span(),
                    format!("`{what}` must be a list of strings: `[\"…\"]`"),
                );
                Vec::new()
            }
        }
    }

    fn level(&mut self, expr: &Expression, what: &str) -> Option<Level> {
        let text = self.string(expr, what)?;
        match text.as_str() {
            "off" => Some(Level::Off),
            other => match other.parse::<Severity>() {
                Ok(severity) => Some(Level::At(severity)),
                Err(_) => {
                    self.error(
                        expr.span(),
                        format!("`{what}` = {other:?}: write `error`, `warning`, `note` or `off`"),
                    );
                    None
                }
            },
        }
    }

    fn tier_level(&mut self, text: &str, span: Option<Range<usize>>, what: &str) -> Option<u8> {
        match text.trim().parse::<u8>() {
            Ok(level) if TIER_LEVELS.contains(&level) => Some(level),
            _ => {
                self.error(
                    span,
                    format!(
                        "{what} {text:?} is not a tier level: levels are whole numbers {}–{}",
                        TIER_LEVELS.start(),
                        TIER_LEVELS.end()
                    ),
                );
                None
            }
        }
    }

    fn duration(&mut self, expr: &Expression, what: &str) -> Option<u64> {
        let text = self.string(expr, what)?;
        match parse_duration(&text) {
            Ok(seconds) => Some(seconds),
            Err(error) => {
                self.error(expr.span(), format!("`{what}`: {error}"));
                None
            }
        }
    }

    fn label(&mut self, block: &hcl_edit::structure::Block, what: &str) -> Option<String> {
        match block.labels.as_slice() {
            [label] => Some(label.as_str().to_owned()),
            _ => {
                self.error(
                    block.ident.span(),
                    format!(
                        "a `{}` block takes one label, the {what}: `{} \"…\" {{`",
                        block.ident.as_str(),
                        block.ident.as_str()
                    ),
                );
                None
            }
        }
    }

    fn read_top(&mut self, body: &Body, config: &mut Config) {
        for structure in body.iter() {
            match structure {
                Structure::Attribute(attribute) => match attribute.key.as_str() {
                    "docs_url" => config.docs_url = self.string(&attribute.value, "docs_url"),
                    "skip_paths" => {
                        config.skip_paths = self.strings(&attribute.value, "skip_paths")
                    }
                    other => self.unknown(
                        attribute.key.span(),
                        "setting",
                        other,
                        &["docs_url", "skip_paths", "tags", "tier", "rule", "root"],
                    ),
                },
                Structure::Block(block) => {
                    match block.ident.as_str() {
                        "tags" => self.read_tags(&block.body, &mut config.tags),
                        "tier" => {
                            let Some(label) = self.label(block, "level") else {
                                continue;
                            };
                            let Some(level) =
                                self.tier_level(&label, block.labels[0].span(), "the tier label")
                            else {
                                continue;
                            };
                            if config.tiers.iter().any(|tier| tier.level == level) {
                                self.error(block.ident.span(), format!("tier {level} is defined twice in {FILE_NAME}: keep one block"));
                                continue;
                            }
                            let tier = self.read_tier(&block.body, level);
                            config.tiers.push(tier);
                        }
                        "rule" => {
                            let Some(label) = self.label(block, "rule code") else {
                                continue;
                            };
                            let Some(rule) = codes::find(&label) else {
                                self.error(
                                block.labels[0].span(),
                                format!("no rule {label:?}: `drlint rules` lists the codes and names"),
                            );
                                continue;
                            };
                            if config
                                .rules
                                .iter()
                                .any(|setting| setting.rule.code == rule.code)
                            {
                                self.error(block.ident.span(), format!("rule {} is configured twice in {FILE_NAME}: keep one block", rule.code));
                                continue;
                            }
                            let setting = self.read_rule(&block.body, rule);
                            config.rules.push(setting);
                        }
                        "root" => {
                            let Some(label) = self.label(block, "directory") else {
                                continue;
                            };
                            let Some(dir) = std::fs::canonicalize(config.dir.join(&label))
                                .ok()
                                .filter(|dir| dir.is_dir())
                            else {
                                self.error(
                                block.labels[0].span(),
                                format!("root {label:?} is not a directory under {}: name it relative to the directory of {FILE_NAME}", config.dir.display()),
                            );
                                continue;
                            };
                            let files = self.read_root(&block.body, &config.dir);
                            config.roots.push((dir, files));
                        }
                        other => self.unknown(
                            block.ident.span(),
                            "block",
                            other,
                            &["tags", "tier", "rule", "root"],
                        ),
                    }
                }
            }
        }
    }

    fn attributes<'b>(
        &mut self,
        body: &'b Body,
        context: &str,
        known: &[&str],
    ) -> Vec<(&'b str, &'b Expression, Option<Range<usize>>)> {
        let mut out = Vec::new();
        for structure in body.iter() {
            match structure {
                Structure::Attribute(attribute) => {
                    let key = attribute.key.as_str();
                    if known.contains(&key) {
                        out.push((key, &attribute.value, attribute.key.span()));
                    } else {
                        self.unknown(
                            attribute.key.span(),
                            &format!("{context} setting"),
                            key,
                            known,
                        );
                    }
                }
                Structure::Block(block)
                    if context == "tier" && block.ident.as_str() == "require" => {}
                Structure::Block(block) => self.error(
                    block.ident.span(),
                    format!(
                        "a `{context}` block holds no `{}` block: its settings are {}",
                        block.ident.as_str(),
                        known.join(", ")
                    ),
                ),
            }
        }
        out
    }

    fn read_tags(&mut self, body: &Body, tags: &mut TagKeys) {
        for (key, value, _) in self.attributes(body, "tags", &["tier", "rto_hours"]) {
            let Some(text) = self.string(value, &format!("tags.{key}")) else {
                continue;
            };
            if text.trim().is_empty() {
                self.error(value.span(), format!("`tags.{key}` must name a tag key"));
                continue;
            }
            match key {
                "tier" => tags.tier = text.into(),
                _ => tags.rto_hours = text.into(),
            }
        }
    }

    fn read_tier(&mut self, body: &Body, level: u8) -> TierOverride {
        let mut tier = TierOverride {
            level,
            ..TierOverride::default()
        };
        for (key, value, _) in self.attributes(
            body,
            "tier",
            &["name", "rto", "rpo", "min_backup_retention_days"],
        ) {
            match key {
                "name" => tier.name = self.string(value, "tier.name"),
                "rto" => tier.rto_seconds = self.duration(value, "tier.rto"),
                "rpo" => tier.rpo_seconds = self.duration(value, "tier.rpo"),
                _ => match value {
                    Expression::Number(number) => match number
                        .value()
                        .as_u64()
                        .and_then(|days| u32::try_from(days).ok())
                    {
                        Some(days) => tier.min_backup_retention_days = Some(days),
                        None => self.error(
                            value.span(),
                            "`tier.min_backup_retention_days` must be a whole number of days"
                                .to_owned(),
                        ),
                    },
                    other => self.error(
                        other.span(),
                        "`tier.min_backup_retention_days` must be a number".to_owned(),
                    ),
                },
            }
        }
        let names: Vec<&str> = REQUIREMENTS.iter().map(|(name, _)| *name).collect();
        for block in body.get_blocks("require") {
            for (key, value, _) in self.attributes(&block.body, "require", &names) {
                let Some(text) = self.string(value, &format!("require.{key}")) else {
                    continue;
                };
                let need = match text.as_str() {
                    "required" => Need::Required,
                    "recommended" => Need::Recommended,
                    "not_needed" => Need::NotNeeded,
                    other => {
                        self.error(value.span(), format!("`require.{key}` = {other:?}: write `required`, `recommended` or `not_needed`"));
                        continue;
                    }
                };
                let requirement = REQUIREMENTS
                    .iter()
                    .find(|(name, _)| *name == key)
                    .map(|(_, r)| *r);
                if let Some(requirement) = requirement {
                    tier.requirements.push((requirement, need));
                }
            }
        }
        tier
    }

    fn read_rule(&mut self, body: &Body, rule: &'static RuleInfo) -> RuleSetting {
        let mut setting = RuleSetting {
            rule,
            enabled: true,
            severity: None,
            by_tier: Vec::new(),
        };
        for (key, value, _) in self.attributes(body, "rule", &["enabled", "severity", "by_tier"]) {
            match key {
                "enabled" => match value {
                    Expression::Bool(flag) => setting.enabled = *flag.value(),
                    other => self.error(
                        other.span(),
                        "`rule.enabled` must be true or false".to_owned(),
                    ),
                },
                "severity" => setting.severity = self.level(value, "rule.severity"),
                _ => match value {
                    Expression::Object(object) => {
                        for (key, entry) in object.iter() {
                            let (text, span) = match key {
                                ObjectKey::Ident(ident) => {
                                    (ident.as_str().to_owned(), ident.span())
                                }
                                ObjectKey::Expression(Expression::String(text)) => {
                                    (text.value().clone(), text.span())
                                }
                                ObjectKey::Expression(Expression::Number(number)) => {
                                    (number.value().to_string(), number.span())
                                }
                                ObjectKey::Expression(other) => (String::new(), other.span()),
                            };
                            let Some(level) = self.tier_level(&text, span, "the `by_tier` key")
                            else {
                                continue;
                            };
                            if let Some(severity) =
                                self.level(entry.expr(), &format!("rule.by_tier[\"{level}\"]"))
                            {
                                setting.by_tier.push((level, severity));
                            }
                        }
                    }
                    other => self.error(
                        other.span(),
                        "`rule.by_tier` must be a map: `{ \"3\" = \"off\" }`".to_owned(),
                    ),
                },
            }
        }
        setting
    }

    fn read_root(&mut self, body: &Body, dir: &Path) -> Vec<PathBuf> {
        let mut files = Vec::new();
        for (_, value, _) in self.attributes(body, "root", &["var_files"]) {
            let Expression::Array(items) = value else {
                self.error(
                    value.span(),
                    "`root.var_files` must be a list of strings".to_owned(),
                );
                continue;
            };
            for item in items.iter() {
                let Some(name) = self.string(item, "root.var_files") else {
                    continue;
                };
                let path = dir.join(&name);
                if !path.is_file() {
                    self.error(item.span(), format!("var file {name:?} does not exist (paths are relative to the directory of {FILE_NAME})"));
                    continue;
                }
                files.push(path);
            }
        }
        files
    }
}

/// Which config applies where: found upward from each directory, read once per file, or one
/// file for everything (`--config`), or none (`--no-config`).
#[derive(Debug, Default)]
pub struct Configs {
    choice: ConfigChoice,
    /// Directory (resolved) → the nearest config's index in `loaded`.
    nearest: HashMap<PathBuf, Option<usize>>,
    /// Each file read, by path; `None` when it has errors (reported once).
    loaded: Vec<(PathBuf, Option<Arc<Config>>)>,
    pub errors: Vec<InputError>,
}

/// How a run finds its configuration.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum ConfigChoice {
    /// The nearest `.drlint.hcl` upward from each root module or plan.
    #[default]
    Discover,
    /// This file, for every root and plan.
    File(PathBuf),
    /// None: the built-in settings.
    Builtin,
}

impl Configs {
    pub fn new(choice: ConfigChoice) -> Configs {
        Configs {
            choice,
            ..Configs::default()
        }
    }

    fn load(&mut self, path: &Path) -> Option<usize> {
        if let Some(at) = self.loaded.iter().position(|(known, _)| known == path) {
            return Some(at);
        }
        let config = match Config::load(path) {
            Ok(config) => Some(Arc::new(config)),
            Err(errors) => {
                self.errors.extend(errors);
                None
            }
        };
        self.loaded.push((path.to_path_buf(), config));
        Some(self.loaded.len() - 1)
    }

    /// The config that applies to directory `dir` (as given or resolved).
    pub fn for_dir(&mut self, dir: &Path) -> Option<Arc<Config>> {
        let index = match &self.choice {
            ConfigChoice::Builtin => return None,
            ConfigChoice::File(path) => {
                let path = path.clone();
                self.load(&path)
            }
            ConfigChoice::Discover => {
                let resolved = std::fs::canonicalize(dir).unwrap_or_else(|_| dir.to_path_buf());
                self.nearest_from(&resolved)
            }
        };
        index.and_then(|at| self.loaded[at].1.clone())
    }

    /// The config for the file or directory `path` names: the directory, a plan file's
    /// directory, or for a pipe (`<(terraform show -json tfplan)`) the working directory.
    pub fn for_path(&mut self, path: &Path) -> Option<Arc<Config>> {
        if path.is_dir() {
            return self.for_dir(path);
        }
        if !path.is_file() {
            return self.for_dir(Path::new("."));
        }
        let parent = path
            .parent()
            .filter(|parent| !parent.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        self.for_dir(parent)
    }

    fn nearest_from(&mut self, dir: &Path) -> Option<usize> {
        if let Some(known) = self.nearest.get(dir) {
            return *known;
        }
        let candidate = dir.join(FILE_NAME);
        let found = if candidate.is_file() {
            self.load(&candidate)
        } else {
            match dir.parent() {
                Some(parent) => self.nearest_from(parent),
                None => None,
            }
        };
        self.nearest.insert(dir.to_path_buf(), found);
        found
    }
}

/// The reference page, `linter/docs/config.md`, from [`ITEMS`].
pub fn reference() -> String {
    let mut out = String::from(
        "# `.drlint.hcl` reference\n\n\
         <!-- Generated by `drlint config --reference`; edit ITEMS in linter/src/config.rs. -->\n\n\
         drlint reads the nearest `.drlint.hcl` found upward from each root module (or plan \
         file; for a plan read from a pipe, from the working directory), up to the filesystem \
         root; the nearest file applies whole (files are not \
         merged). `drlint check --config FILE` uses one file for everything; `--no-config` \
         uses none. A setting drlint does not know, or a value it cannot use, is an input error \
         (exit 2) naming the file, line and column.\n\n\
         | setting | takes | default | what it does |\n|---|---|---|---|\n",
    );
    for item in ITEMS {
        out.push_str(&format!(
            "| `{}` | {} | {} | {} |\n",
            item.path,
            item.kind,
            item.default,
            item.about.replace('|', "\\|")
        ));
    }
    out.push_str(
        "\n## Example\n\n```hcl\n\
         docs_url   = \"https://wiki.example.com/drlint/{code}\"\n\
         skip_paths = [\"examples\", \"**/test/fixtures\"]\n\n\
         tags {\n  tier      = \"DRTier\"\n  rto_hours = \"RTOHours\"\n}\n\n\
         tier \"2\" {\n  rto = \"2h\"\n  require {\n    cross_region_copy = \"required\"\n  }\n}\n\n\
         rule \"DR504\" {\n  severity = \"warning\"\n  by_tier  = { \"3\" = \"off\" }\n}\n\n\
         root \"envs/dev\" {\n  var_files = [\"envs/dev/dev.tfvars\"]\n}\n```\n",
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(text: &str) -> Result<Config, Vec<InputError>> {
        let dir = tempfile::tempdir().expect("a scratch directory");
        std::fs::create_dir_all(dir.path().join("envs/dev")).expect("a root");
        std::fs::write(dir.path().join("envs/dev/dev.tfvars"), "x = 1\n").expect("a var file");
        let path = dir.path().join(FILE_NAME);
        std::fs::write(&path, text).expect("write");
        Config::load(&path)
    }

    #[test]
    fn reads_every_setting() {
        let config = load(
            &reference()[reference().find("```hcl\n").expect("an example") + 7
                ..reference().rfind("```").expect("its end")],
        )
        .expect("the reference example loads");
        assert_eq!(
            config.docs_url.as_deref(),
            Some("https://wiki.example.com/drlint/{code}")
        );
        assert_eq!(&*config.tags.tier, "DRTier");
        assert_eq!(&*config.tags.rto_hours, "RTOHours");
        assert_eq!(config.tiers[0].rto_seconds, Some(7200));
        assert_eq!(
            config.tiers[0].requirements,
            [(Requirement::CrossRegionCopy, Need::Required)]
        );
        let rule = config.rule("DR504").expect("DR504 configured");
        assert_eq!(rule.level(Some(3)), Some(Level::Off));
        assert_eq!(rule.level(Some(1)), Some(Level::At(Severity::Warning)));
        assert_eq!(config.roots.len(), 1);
        assert_eq!(config.roots[0].1.len(), 1);
    }

    #[test]
    fn every_mistake_is_an_error_at_its_place() {
        let errors = load(
            "docs_url = 3\nskip = []\ntags {\n  teir = \"x\"\n}\ntier \"12\" {}\ntier \"1\" {\n  rto = \"soon\"\n  require {\n    multi_az = \"maybe\"\n  }\n}\nrule \"DR999\" {}\nrule \"DR201\" {\n  by_tier = { \"1\" = \"loud\" }\n}\nroot \"envs/nowhere\" {}\n",
        )
        .expect_err("errors");
        let places: Vec<(usize, usize)> = errors.iter().map(|e| (e.line, e.column)).collect();
        assert_eq!(
            places,
            [
                (1, 12),
                (2, 1),
                (4, 3),
                (6, 6),
                (8, 9),
                (10, 16),
                (13, 6),
                (15, 21),
                (17, 6)
            ],
            "{errors:#?}"
        );
        assert!(errors[1].message.contains("no setting `skip`"));
        assert!(errors[3].message.contains("not a tier level"));
        let broken = load("tier \"1\" {\n").expect_err("a parse error");
        assert!(broken[0].message.contains("not valid HCL"), "{broken:#?}");
    }

    #[test]
    fn skip_patterns() {
        let config = Config {
            dir: PathBuf::from("/repo"),
            skip_paths: vec![
                "examples".into(),
                "**/fixtures/*".into(),
                "legacy/old-*".into(),
            ],
            ..Config::default()
        };
        assert!(config.skips(Path::new("/repo/examples")));
        assert!(config.skips(Path::new("/repo/modules/db/examples")));
        assert!(config.skips(Path::new("/repo/test/fixtures/a")));
        assert!(config.skips(Path::new("/repo/legacy/old-vpc")));
        assert!(!config.skips(Path::new("/repo/legacy/new-vpc")));
        assert!(!config.skips(Path::new("/repo")));
        assert!(!config.skips(Path::new("/elsewhere/examples")));
    }
}
