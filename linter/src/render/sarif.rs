//! `--format sarif`: SARIF 2.1.0 as GitHub code scanning ingests it. Every rule is in the
//! driver with its full documentation inline (and a link when a docs URL is configured);
//! files inside the base directory are relative to `%SRCROOT%`, others absolute `file://`
//! URIs; plan findings point at the plan file and name the resource as a logical location;
//! fingerprints come from the finding's identity, not its line; input errors are tool
//! execution notifications of an unsuccessful run.

use serde_json::{json, Value};

use super::{docs, paths, Options};
use crate::check::CheckRun;
use crate::finding::Finding;
use crate::rules::codes::{RuleInfo, RULES};
use crate::tiers::{Certainty, Severity};

const SRCROOT: &str = "%SRCROOT%";

/// The key of drlint's fingerprint in `partialFingerprints`; the suffix versions its recipe.
pub const FINGERPRINT_KEY: &str = "drlintFindingIdentity/v1";

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Note => "note",
    }
}

fn rule(info: &RuleInfo, options: &Options) -> Value {
    let documentation = docs::documentation(info);
    let first_paragraph = documentation
        .split("\n\n")
        .next()
        .unwrap_or(info.summary)
        .replace('\n', " ");
    let mut rule = json!({
        "id": info.code,
        "name": info.name,
        "shortDescription": {"text": info.summary},
        "fullDescription": {"text": first_paragraph},
        "help": {
            "text": format!("{documentation}\n\n(`drlint rule {}` shows this page.)", info.code),
            "markdown": docs::page(info),
        },
        "defaultConfiguration": {"level": "error"},
        "properties": {"category": info.category.name(), "tags": ["dr", info.category.name()]},
    });
    if let Some(url) = info.doc_url(options.docs_url.as_deref()) {
        rule["helpUri"] = json!(url);
    }
    rule
}

/// An artifact location: relative to `%SRCROOT%` when inside the base directory.
fn artifact(path: &std::path::Path, options: &Options) -> Value {
    match paths::relative_to(path, &options.base_dir) {
        Some(_) => json!({"uri": paths::uri_path(&options.path(path)), "uriBaseId": SRCROOT}),
        None => json!({"uri": paths::file_uri(path, false)}),
    }
}

fn result(run: &CheckRun, finding: &Finding, options: &Options) -> Value {
    let mut physical =
        json!({"artifactLocation": artifact(run.sources.path(finding.file), options)});
    if let Some(span) = &finding.span {
        let (start_line, start_column) = run.sources.line_column(finding.file, span.start);
        let (end_line, end_column) = run.sources.line_column(finding.file, span.end);
        physical["region"] = json!({
            "startLine": start_line,
            "startColumn": start_column,
            "endLine": end_line,
            "endColumn": end_column,
        });
    }
    let mut result = json!({
        "ruleId": finding.rule.code,
        "ruleIndex": RULES.iter().position(|info| info.code == finding.rule.code),
        "level": level(finding.severity),
        "message": {"text": format!("{}. Fix: {}", finding.message.trim_end_matches('.'), finding.help)},
        "locations": [{
            "physicalLocation": physical,
            "logicalLocations": [{"fullyQualifiedName": &*finding.address, "kind": "resource"}],
        }],
        "partialFingerprints": {FINGERPRINT_KEY: finding.fingerprint(&options.base_dir)},
        "properties": {
            "category": finding.rule.category.name(),
            "certainty": finding.certainty.name(),
            "tier": finding.tier,
            "root": options.path(std::path::Path::new(&*finding.root)),
            "attribute": &*finding.attribute,
            "countsTowardExit": options.gate.fails(finding),
        },
    });
    if finding.baselined {
        result["baselineState"] = json!("unchanged");
    }
    // An unknown finding is as loud as `--unknown` lets it count.
    if finding.certainty == Certainty::Unknown {
        let counted = options
            .gate
            .counted_severity(finding)
            .unwrap_or(Severity::Note);
        result["level"] = json!(level(counted));
    }
    result
}

pub fn render(run: &CheckRun, options: &Options) -> Value {
    let rules: Vec<Value> = RULES.iter().map(|info| rule(info, options)).collect();
    let results: Vec<Value> = run
        .findings
        .iter()
        .map(|finding| result(run, finding, options))
        .collect();
    let mut notifications: Vec<Value> = run
        .errors
        .iter()
        .map(|error| {
            json!({
                "level": "error",
                "message": {"text": error.message},
                "locations": [{"physicalLocation": {
                    "artifactLocation": artifact(&error.path, options),
                    "region": {"startLine": error.line.max(1), "startColumn": error.column.max(1)},
                }}],
            })
        })
        .collect();
    for note in &run.model.notes {
        let mut notification = json!({"level": "warning", "message": {"text": note.message}});
        if let Some(file) = note.file {
            let mut physical =
                json!({"artifactLocation": artifact(run.sources.path(file), options)});
            if let Some(span) = &note.span {
                let (line, column) = run.sources.line_column(file, span.start);
                physical["region"] = json!({"startLine": line, "startColumn": column});
            }
            notification["locations"] = json!([{"physicalLocation": physical}]);
        }
        notifications.push(notification);
    }
    let mut driver = json!({
        "name": "drlint",
        "version": env!("CARGO_PKG_VERSION"),
        "semanticVersion": env!("CARGO_PKG_VERSION"),
        "rules": rules,
    });
    if let Some(url) = &options.docs_url {
        let home = url.split("{code}").next().unwrap_or(url);
        driver["informationUri"] = json!(home);
    }
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": driver},
            "originalUriBaseIds": {SRCROOT: {"uri": paths::file_uri(&options.base_dir, true)}},
            "columnKind": "unicodeCodePoints",
            "invocations": [{
                "executionSuccessful": run.errors.is_empty(),
                "toolExecutionNotifications": notifications,
            }],
            "results": results,
        }],
    })
}
