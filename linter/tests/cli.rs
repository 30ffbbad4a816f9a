//! End-to-end: the real `drlint` binary on the example tree and on broken inputs.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn drlint(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_drlint"))
        .args(args)
        .current_dir(workspace())
        .env("NO_COLOR", "1")
        .output()
        .expect("run drlint")
}

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn json(output: &Output) -> serde_json::Value {
    serde_json::from_slice(&output.stdout).expect("drlint --format json prints JSON")
}

#[test]
fn example_tree_findings_follow_tiers_and_modules() {
    let output = drlint(&["check", "--format", "json", "examples/linter/shop"]);
    assert_eq!(
        output.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let report = json(&output);
    assert_eq!(report["version"], 1);
    let found: Vec<(String, String, String, u64)> = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap_or("").to_owned(),
                f["severity"].as_str().unwrap_or("").to_owned(),
                f["address"].as_str().unwrap_or("").to_owned(),
                f["tier"].as_u64().unwrap_or(0),
            )
        })
        .collect();
    // Staging (tier 3 from default_tags): one Aurora instance is a warning, not an error.
    assert!(found.contains(&(
        "DR301".into(),
        "warning".into(),
        "module.data.module.orders_db.aws_rds_cluster.this[0]".into(),
        3
    )));
    // Prod (tier 1 from terraform.tfvars through default_tags): two instances, no DR301 at tier 1.
    assert!(!found
        .iter()
        .any(|(rule, _, _, tier)| rule == "DR301" && *tier == 1));
    assert!(found.contains(&(
        "DR601".into(),
        "error".into(),
        "module.data.aws_dynamodb_table.carts".into(),
        1
    )));
    // The staging search domain has count = 0: nothing is reported about it.
    assert!(!found
        .iter()
        .any(|(_, _, address, _)| address.contains("opensearch")));
    // The git module is not on disk: an error of certainty unknown at its call, never a
    // silent pass. The registry VPC module is known to tag what it creates with its `tags`
    // over the default tags, which carry dr-tier: nothing to report.
    let at = |address: &str| -> Vec<&serde_json::Value> {
        report["findings"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|f| f["address"] == address)
            .collect()
    };
    assert!(at("module.vpc").is_empty(), "{:?}", at("module.vpc"));
    let events = at("module.events");
    assert_eq!(events.len(), 1, "{events:?}");
    assert_eq!(events[0]["rule"], "DR101");
    assert_eq!(events[0]["certainty"], "unknown");
    assert_eq!(events[0]["severity"], "error");
    assert!(events[0]["file"]
        .as_str()
        .is_some_and(|file| file.ends_with("envs/prod/main.tf")));
    assert_eq!(report["summary"]["unknown"], 1);
    for finding in report["findings"].as_array().into_iter().flatten() {
        let category = finding["category"].as_str().unwrap_or("");
        assert!(
            [
                "dr-tier-tag",
                "multi-az",
                "single-az",
                "secret-replication",
                "backup",
                "cross-region",
                "drill"
            ]
            .contains(&category),
            "{category}"
        );
        assert!(finding["line"].as_u64().is_some() && finding["column"].as_u64().is_some());
    }
}

#[test]
fn var_overrides_tfvars_and_fail_on_sets_the_exit_code() {
    // With dr-tier 3 from --var, prod no longer needs cross-region copies.
    let output = drlint(&[
        "check",
        "--format",
        "json",
        "--var",
        "dr_tier=3",
        "--var",
        "recovery_region=eu-central-1",
        "examples/linter/shop/envs/prod",
    ]);
    let report = json(&output);
    assert!(!report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .any(|f| f["rule"] == "DR601"));
    let strict = drlint(&[
        "check",
        "--fail-on",
        "warning",
        "--format",
        "json",
        "examples/linter/shop/envs/staging",
    ]);
    assert_eq!(strict.status.code(), Some(1));
}

#[test]
fn broken_input_exits_2_and_keeps_other_findings() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path().join("broken.tf"),
        "resource \"aws_s3_bucket\" \"b\" {\n  bucket = \n",
    )
    .expect("write");
    std::fs::create_dir(dir.path().join("ok")).expect("mkdir");
    std::fs::write(
        dir.path().join("ok/main.tf"),
        "resource \"aws_dynamodb_table\" \"t\" {}\n",
    )
    .expect("write");
    let missing = dir.path().join("missing.json");
    let output = Command::new(env!("CARGO_BIN_EXE_drlint"))
        .args(["check", "--format", "json"])
        .arg(dir.path())
        .arg(&missing)
        .output()
        .expect("run drlint");
    assert_eq!(output.status.code(), Some(2));
    let report = json(&output);
    let errors = report["input_errors"].as_array().expect("input_errors");
    assert!(errors
        .iter()
        .any(|e| e["file"].as_str().unwrap_or("").ends_with("broken.tf") && e["line"] == 2));
    assert!(errors
        .iter()
        .any(|e| e["file"].as_str().unwrap_or("").ends_with("missing.json")));
    assert!(report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .any(|f| f["rule"] == "DR502"));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("broken.tf:2:"), "{stderr}");
}

#[test]
fn rules_and_rule_explain_from_the_same_table() {
    let list = drlint(&["rules"]);
    assert_eq!(list.status.code(), Some(0));
    let text = String::from_utf8_lossy(&list.stdout);
    assert!(text.contains("DR201") && text.contains("db-instance-multi-az"));
    let rule = drlint(&["rule", "DR401"]);
    let text = String::from_utf8_lossy(&rule.stdout);
    assert!(text.contains("## Why is this bad?") && text.contains("Use instead:"));
    assert_eq!(drlint(&["rule", "DR999"]).status.code(), Some(2));
}

#[test]
fn human_output_snapshot() {
    let output = drlint(&["check", "examples/linter/shop/envs/staging"]);
    insta::assert_snapshot!(String::from_utf8_lossy(&output.stdout));
}

#[test]
fn plans_tell_unset_from_unknown_and_skip_deletions() {
    let output = drlint(&[
        "check",
        "--format",
        "json",
        "linter/tests/fixtures/plan-checks/orders.plan.json",
    ]);
    assert_eq!(
        output.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let report = json(&output);
    let multi_az: Vec<(String, String, u64)> = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["rule"] == "DR201")
        .map(|f| {
            (
                f["address"].as_str().unwrap_or("").to_owned(),
                f["certainty"].as_str().unwrap_or("").to_owned(),
                f["tier"].as_u64().unwrap_or(0),
            )
        })
        .collect();
    assert_eq!(
        multi_az,
        [
            // Created without `multi_az`: the plan marks it known after apply only because the
            // provider fills in its default (false), and the configuration does not write it.
            (
                "aws_db_instance.ledger".to_owned(),
                "definite".to_owned(),
                2
            ),
            // `multi_az` not configured: the provider default (false) applies.
            (
                "aws_db_instance.reports".to_owned(),
                "definite".to_owned(),
                2
            ),
            // `multi_az = var.multi_az`, known after apply: unknown, never a pass.
            (
                "module.db.aws_db_instance.this[0]".to_owned(),
                "unknown".to_owned(),
                2
            ),
        ]
    );
    // Deleted resources are not judged; plan findings point at the address, not a line.
    for finding in report["findings"].as_array().into_iter().flatten() {
        assert_ne!(finding["address"], "aws_db_instance.retired");
        assert!(finding["line"].is_null());
    }
}

#[test]
fn suppression_needs_a_reason() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path().join("main.tf"),
        r#"# drlint-ignore DR201: reporting copy, rebuilt from the primary in minutes
resource "aws_db_instance" "reports" {
  identifier = "reports"
  tags       = { "dr-tier" = "3", "rto-hours" = "4" }
}

resource "aws_db_instance" "orders" {
  identifier = "orders"
  multi_az   = false # drlint-ignore DR201
  tags       = { "dr-tier" = "3", "rto-hours" = "4" }
}
"#,
    )
    .expect("write");
    let output = Command::new(env!("CARGO_BIN_EXE_drlint"))
        .args(["check", "--format", "json"])
        .arg(dir.path())
        .output()
        .expect("run drlint");
    let report = json(&output);
    let multi_az: Vec<&str> = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["rule"] == "DR201")
        .filter_map(|f| f["address"].as_str())
        .collect();
    assert_eq!(multi_az, ["aws_db_instance.orders"]);
    assert_eq!(report["summary"]["suppressed"], 1);
    assert!(report["notes"]
        .as_array()
        .expect("notes")
        .iter()
        .any(|n| n["message"]
            .as_str()
            .unwrap_or("")
            .contains("gives no reason")));
}

#[test]
fn every_plan_format_fixture_is_linted_without_input_errors() {
    let dir = workspace().join("linter/tests/fixtures/plans");
    let mut checked = 0;
    for entry in std::fs::read_dir(&dir).expect("plan fixtures") {
        let path = entry.expect("entry").path();
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("")
            .to_owned();
        if !(name.starts_with("plan_v") && name.ends_with(".json")) {
            continue;
        }
        let output = Command::new(env!("CARGO_BIN_EXE_drlint"))
            .args(["check", "--format", "json"])
            .arg(&path)
            .output()
            .expect("run drlint");
        assert_ne!(
            output.status.code(),
            Some(2),
            "{name}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        let report = json(&output);
        assert!(
            report["summary"]["resources"].as_u64().unwrap_or(0) > 0,
            "{name}"
        );
        checked += 1;
    }
    assert!(
        checked >= 3,
        "expected the plan fixtures of several format versions"
    );
}

#[test]
fn sarif_and_github_outputs_carry_the_same_findings() {
    let path = "examples/linter/shop/envs/staging";
    let findings = json(&drlint(&["check", "--format", "json", path]))["findings"]
        .as_array()
        .map_or(0, Vec::len);
    assert!(findings > 0);
    let sarif = json(&drlint(&["check", "--format", "sarif", path]));
    assert_eq!(sarif["version"], "2.1.0");
    let results = sarif["runs"][0]["results"].as_array().expect("results");
    assert_eq!(results.len(), findings);
    assert!(results
        .iter()
        .all(|r| r["locations"][0]["physicalLocation"]["region"]["startLine"].is_u64()));
    let github = drlint(&["check", "--format", "github", path]);
    let text = String::from_utf8_lossy(&github.stdout);
    let annotations: Vec<&str> = text.lines().filter(|l| l.starts_with("::")).collect();
    assert_eq!(annotations.len(), findings);
    assert!(annotations
        .iter()
        .any(|l| l
            .starts_with("::warning file=examples/linter/shop/modules/aurora/main.tf,line=38,")));
}

#[test]
fn markdown_report_groups_gaps_by_tier() {
    let output = drlint(&["check", "--format", "markdown", "examples/linter/shop"]);
    assert_eq!(output.status.code(), Some(1));
    let text = String::from_utf8_lossy(&output.stdout);
    let tier_one = text.find("## Tier 1").expect("tier 1 section");
    let tier_three = text.find("## Tier 3").expect("tier 3 section");
    let cross_region = text.find("DR601 no-cross-region-copy").expect("DR601 row");
    let pitr = text.find("DR502 dynamodb-pitr").expect("DR502 row");
    // Prod's tier-1 gaps sit under tier 1, staging's tier-3 gaps under tier 3.
    assert!(tier_one < cross_region && cross_region < tier_three);
    assert!(tier_three < pitr);
    assert!(text.contains("| critical | 15m | 1m | `active_active` | `dr_tier.critical` |"));
}

#[test]
fn tf_var_environment_and_empty_or_single_file_paths() {
    // TF_VAR_ sits below terraform.tfvars: prod's tfvars still says tier 1.
    let output = Command::new(env!("CARGO_BIN_EXE_drlint"))
        .args([
            "check",
            "--format",
            "json",
            "examples/linter/shop/envs/prod",
        ])
        .current_dir(workspace())
        .env("TF_VAR_dr_tier", "3")
        .output()
        .expect("run drlint");
    let report = json(&output);
    assert!(report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .any(|f| f["tier"] == 1));
    // An empty directory or a lone .tf file is a usage error, never a silent pass.
    let empty = tempfile::tempdir().expect("tempdir");
    let output = Command::new(env!("CARGO_BIN_EXE_drlint"))
        .args(["check"])
        .arg(empty.path())
        .output()
        .expect("run drlint");
    assert_eq!(output.status.code(), Some(2));
    let lone = drlint(&["check", "examples/linter/shop/envs/prod/main.tf"]);
    assert_eq!(lone.status.code(), Some(2));
    // The diagnostic may wrap its message behind a gutter; compare the words alone.
    let stdout = String::from_utf8_lossy(&lone.stdout);
    let words = stdout
        .split_whitespace()
        .filter(|word| *word != "│")
        .collect::<Vec<_>>()
        .join(" ");
    assert!(words.contains("pass its directory"), "{stdout}");
}

#[test]
fn summary_counts_analysis_notes_apart_from_note_findings() {
    // A root whose required variable has no value: a note on what could not be analysed is
    // printed, and the summary line says so instead of "0 notes" alone.
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path().join("main.tf"),
        r#"variable "multi_az" {
  type        = bool
  description = "Set per environment in tfvars."
}

resource "aws_db_instance" "orders" {
  identifier     = "orders"
  engine         = "postgres"
  instance_class = "db.r6g.large"
  multi_az       = var.multi_az
  tags           = { "dr-tier" = "3", "rto-hours" = "4" }
}
"#,
    )
    .expect("write module");
    let output = Command::new(env!("CARGO_BIN_EXE_drlint"))
        .args(["check"])
        .arg(dir.path())
        .env("NO_COLOR", "1")
        .output()
        .expect("run drlint");
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(
        text.contains("variable \"multi_az\" has no value"),
        "{text}"
    );
    let summary = text.lines().last().unwrap_or("");
    assert!(
        summary.contains("0 notes from rules")
            && summary.contains("1 of certainty unknown")
            && summary.ends_with("; 1 note on what could not be analysed"),
        "{summary}"
    );
    // Tier 3 only recommends Multi-AZ: an uncertain warning, and exit 0 at --fail-on error.
    assert_eq!(output.status.code(), Some(0));
    let output = Command::new(env!("CARGO_BIN_EXE_drlint"))
        .args(["check", "--format", "json"])
        .arg(dir.path())
        .output()
        .expect("run drlint");
    let report = json(&output);
    assert_eq!(report["summary"]["analysis_notes"], 1);
    assert_eq!(report["summary"]["notes"], 0);
    assert_eq!(report["notes"].as_array().map(Vec::len), Some(1));
}
