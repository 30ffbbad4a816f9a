//! `--format sarif`: SARIF 2.1.0, for code-scanning UIs. Every rule is listed in the driver with
//! its doc link; results carry the category, certainty and tier as properties.

use serde_json::{json, Value};

use crate::check::CheckRun;
use crate::rules::codes::RULES;
use crate::tiers::Severity;

pub fn render(run: &CheckRun) -> Value {
    let rules: Vec<Value> = RULES
        .iter()
        .map(|info| {
            json!({
                "id": info.code,
                "name": info.name,
                "shortDescription": {"text": info.summary},
                "helpUri": info.url(),
                "properties": {"category": info.category.name()},
            })
        })
        .collect();
    let results: Vec<Value> = run
        .findings
        .iter()
        .map(|finding| {
            let mut physical = json!({
                "artifactLocation": {"uri": run.sources.path(finding.file).display().to_string()},
            });
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
            json!({
                "ruleId": finding.rule.code,
                "ruleIndex": RULES.iter().position(|info| info.code == finding.rule.code),
                "level": match finding.severity {
                    Severity::Error => "error",
                    Severity::Warning => "warning",
                    Severity::Note => "note",
                },
                "message": {"text": format!("{} Fix: {}", finding.message, finding.help)},
                "locations": [{
                    "physicalLocation": physical,
                    "logicalLocations": [{"fullyQualifiedName": finding.address, "kind": "resource"}],
                }],
                "properties": {
                    "category": finding.rule.category.name(),
                    "certainty": finding.certainty.name(),
                    "tier": finding.tier,
                    "root": finding.root,
                },
            })
        })
        .collect();
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "drlint",
                "version": env!("CARGO_PKG_VERSION"),
                "informationUri": env!("CARGO_PKG_REPOSITORY"),
                "rules": rules,
            }},
            "results": results,
        }],
    })
}
