//! `.drlint.hcl` as a team uses it, on a repository laid out like real ones: environments as
//! roots over a shared module, a team tag key (`DRTier`), a tier redefined, a rule turned off
//! for one tier, an examples directory skipped, and var files per root so `envs/dev` is not
//! judged with prod's values.

use std::fs;
use std::path::Path;
use std::process::{Command, Output};

const MODULE: &str = r#"variable "name" {
  type = string
}

variable "tier" {
  type = string
}

variable "multi_az" {
  type = bool
}

resource "aws_db_instance" "this" {
  identifier          = var.name
  engine              = "postgres"
  instance_class      = "db.t3.medium"
  allocated_storage   = 20
  multi_az            = var.multi_az
  deletion_protection = true
  tags = {
    DRTier   = var.tier
    RTOHours = "0.25"
  }
}

resource "aws_s3_bucket" "exports" {
  bucket = "${var.name}-exports"
  tags   = { DRTier = var.tier, RTOHours = "0.25" }
}
"#;

const ROOT: &str = r#"provider "aws" {
  region = "eu-west-1"
}

variable "multi_az" {
  type = bool
}

variable "tier" {
  type = string
}

module "orders" {
  source   = "../../modules/db"
  name     = "orders"
  tier     = var.tier
  multi_az = var.multi_az
}
"#;

const CONFIG: &str = r#"# DR settings of the platform team.
skip_paths = ["examples"]

tags {
  tier      = "DRTier"
  rto_hours = "RTOHours"
}

tier "3" {
  name = "internal"
  require {
    multi_az = "recommended"
  }
}

rule "s3-versioning" {
  by_tier = { "3" = "off" }
}

root "envs/dev" {
  var_files = ["vars/dev.tfvars"]
}

root "envs/prod" {
  var_files = ["vars/prod.tfvars"]
}
"#;

fn write_repository(root: &Path) {
    let files = [
        ("modules/db/main.tf", MODULE),
        ("envs/dev/main.tf", ROOT),
        ("envs/prod/main.tf", ROOT),
        ("vars/dev.tfvars", "multi_az = false\ntier     = \"3\"\n"),
        ("vars/prod.tfvars", "multi_az = true\ntier     = \"1\"\n"),
        // An example that would fail everything, were it scanned.
        (
            "examples/demo/main.tf",
            "resource \"aws_db_instance\" \"demo\" {\n  identifier = \"demo\"\n}\n",
        ),
        (".drlint.hcl", CONFIG),
    ];
    for (path, text) in files {
        let path = root.join(path);
        fs::create_dir_all(path.parent().expect("a parent")).expect("a directory");
        fs::write(path, text).expect("write");
    }
}

fn drlint(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_drlint"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("run drlint")
}

fn json(output: &Output) -> serde_json::Value {
    serde_json::from_slice(&output.stdout).unwrap_or_else(|error| {
        panic!(
            "JSON output ({error}): {}",
            String::from_utf8_lossy(&output.stderr)
        )
    })
}

/// `(address, rule, severity, root)` of every finding, sorted.
fn findings(report: &serde_json::Value) -> Vec<(String, String, String, String)> {
    let mut found: Vec<_> = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            let text = |key: &str| f[key].as_str().unwrap_or("").to_owned();
            (
                text("address"),
                text("rule"),
                text("severity"),
                text("root"),
            )
        })
        .collect();
    found.sort();
    found
}

#[test]
fn per_root_var_files_tag_keys_tiers_rule_levels_and_skips() {
    let dir = tempfile::tempdir().expect("a scratch directory");
    write_repository(dir.path());
    let output = drlint(dir.path(), &["check", "--format", "json", "."]);
    let report = json(&output);
    assert!(
        report["input_errors"].as_array().is_some_and(Vec::is_empty),
        "{report:#}"
    );
    let found = findings(&report);
    let db = "module.orders.aws_db_instance.this";
    let bucket = "module.orders.aws_s3_bucket.exports";
    let dev = |address: &str, rule: &str, severity: &str| {
        (
            address.to_owned(),
            rule.to_owned(),
            severity.to_owned(),
            "envs/dev".to_owned(),
        )
    };
    let prod = |address: &str, rule: &str, severity: &str| {
        (
            address.to_owned(),
            rule.to_owned(),
            severity.to_owned(),
            "envs/prod".to_owned(),
        )
    };
    // dev is tier 3 from its own var file: Multi-AZ only recommended there (a warning), and
    // versioning is off for tier 3. prod is tier 1 with Multi-AZ on: no DR201.
    assert!(found.contains(&dev(db, "DR201", "warning")), "{found:#?}");
    assert!(
        !found.iter().any(|f| f.1 == "DR504" && f.3 == "envs/dev"),
        "{found:#?}"
    );
    assert!(
        found.contains(&prod(bucket, "DR504", "error")),
        "{found:#?}"
    );
    assert!(
        !found.iter().any(|f| f.1 == "DR201" && f.3 == "envs/prod"),
        "{found:#?}"
    );
    // The team's tag keys are read: no resource lacks its tier tag.
    assert!(
        !found.iter().any(|f| f.1 == "DR101" || f.1 == "DR103"),
        "{found:#?}"
    );
    // examples/ is skipped.
    assert!(
        !found.iter().any(|f| f.3.starts_with("examples")),
        "{found:#?}"
    );
    // The tier's configured name is what messages and the report use.
    assert!(report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .any(|f| f["message"].as_str().unwrap_or("").contains("internal")));

    // One run over both roots is the union of one run per root, the config found upward
    // from each root either way.
    let mut separate = Vec::new();
    for root in ["envs/dev", "envs/prod"] {
        separate.extend(findings(&json(&drlint(
            dir.path(),
            &["check", "--format", "json", root],
        ))));
    }
    separate.sort();
    let both = findings(&json(&drlint(
        dir.path(),
        &["check", "--format", "json", "envs/dev", "envs/prod"],
    )));
    assert_eq!(both, separate);
    assert_eq!(found, separate);

    // Without the config, dev has no values and every tag is missing.
    let builtin = findings(&json(&drlint(
        dir.path(),
        &["check", "--format", "json", "--no-config", "envs/dev"],
    )));
    assert!(builtin.iter().any(|f| f.1 == "DR101"), "{builtin:#?}");
}

#[test]
fn a_bad_config_is_an_input_error_with_its_place() {
    let dir = tempfile::tempdir().expect("a scratch directory");
    write_repository(dir.path());
    fs::write(
        dir.path().join(".drlint.hcl"),
        "tags {\n  tier = \"DRTier\"\n}\n\nrule \"DR504\" {\n  severity = \"loud\"\n}\n",
    )
    .expect("write");
    let output = drlint(dir.path(), &["check", "envs/dev"]);
    assert_eq!(output.status.code(), Some(2));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains(".drlint.hcl:6:14")
            && stdout.contains("write `error`, `warning`, `note` or `off`"),
        "{stdout}"
    );
    // `drlint config FILE` checks a file on its own.
    let checked = drlint(dir.path(), &["config", ".drlint.hcl"]);
    assert_eq!(checked.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&checked.stderr).contains(".drlint.hcl:6:14"));
    fs::write(dir.path().join(".drlint.hcl"), CONFIG).expect("write");
    assert_eq!(
        drlint(dir.path(), &["config", ".drlint.hcl"]).status.code(),
        Some(0)
    );
}

#[test]
fn docs_url_from_the_config() {
    let dir = tempfile::tempdir().expect("a scratch directory");
    write_repository(dir.path());
    let config = format!("docs_url = \"https://wiki.example.com/dr/{{code}}\"\n{CONFIG}");
    fs::write(dir.path().join(".drlint.hcl"), config).expect("write");
    let output = drlint(dir.path(), &["check", "--format", "sarif", "envs/prod"]);
    let log = json(&output);
    let rules = log["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .expect("rules");
    assert!(rules
        .iter()
        .any(|rule| rule["helpUri"] == "https://wiki.example.com/dr/DR504"));
}

#[test]
fn a_plan_takes_the_config_beside_it_or_the_working_directorys_for_a_pipe() {
    let dir = tempfile::tempdir().expect("a scratch directory");
    let plans = dir.path().join("plans");
    fs::create_dir_all(&plans).expect("a directory");
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/plans/plan_v1_2.json");
    fs::copy(&fixture, plans.join("plan.json")).expect("copy the plan");
    let rules = |output: &Output| {
        let mut rules: Vec<String> = json(output)["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .filter_map(|f| f["rule"].as_str().map(str::to_owned))
            .collect();
        rules.dedup();
        rules
    };
    let before = rules(&drlint(
        dir.path(),
        &["check", "--format", "json", "plans/plan.json"],
    ));
    assert!(before.iter().any(|rule| rule == "DR201"), "{before:?}");
    fs::write(
        plans.join(".drlint.hcl"),
        "rule \"DR201\" {\n  enabled = false\n}\n",
    )
    .expect("write");
    let after = rules(&drlint(
        dir.path(),
        &["check", "--format", "json", "plans/plan.json"],
    ));
    assert!(!after.iter().any(|rule| rule == "DR201"), "{after:?}");
    // Read from a pipe, the plan has no directory: the working directory's config applies.
    let piped = Command::new("bash")
        .args([
            "-c",
            &format!(
                "{:?} check --format json <(cat plans/plan.json)",
                env!("CARGO_BIN_EXE_drlint")
            ),
        ])
        .current_dir(dir.path())
        .output()
        .expect("run bash");
    assert!(rules(&piped).iter().any(|rule| rule == "DR201"));
    fs::rename(plans.join(".drlint.hcl"), dir.path().join(".drlint.hcl")).expect("move");
    let piped = Command::new("bash")
        .args([
            "-c",
            &format!(
                "{:?} check --format json <(cat plans/plan.json)",
                env!("CARGO_BIN_EXE_drlint")
            ),
        ])
        .current_dir(dir.path())
        .output()
        .expect("run bash");
    assert!(!rules(&piped).iter().any(|rule| rule == "DR201"));
}

#[test]
fn the_review_matrix_leaves_out_what_the_config_turns_off() {
    let dir = tempfile::tempdir().expect("a scratch directory");
    write_repository(dir.path());
    let report = drlint(dir.path(), &["report", "envs/dev"]);
    assert_eq!(report.status.code(), Some(0));
    let text = String::from_utf8_lossy(&report.stdout);
    // envs/dev is tier 3, where versioning (backup) is off: the bucket's backup cell is not
    // a pass, since no rule of the category looked at it; the database's still is.
    let row = |address: &str| {
        text.lines()
            .find(|line| line.starts_with(&format!("| `{address}` | envs/dev |")))
            .unwrap_or_else(|| panic!("no matrix row for {address}:\n{text}"))
            .to_owned()
    };
    let cells = |line: String| {
        line.split('|')
            .map(|cell| cell.trim().to_owned())
            .collect::<Vec<_>>()
    };
    let bucket = cells(row("module.orders.aws_s3_bucket.exports"));
    let database = cells(row("module.orders.aws_db_instance.this"));
    let header: Vec<String> = cells(
        text.lines()
            .find(|line| line.starts_with("| resource | root |"))
            .expect("the matrix header")
            .to_owned(),
    );
    let backup = header
        .iter()
        .position(|cell| cell == "backup")
        .expect("a backup column");
    assert_eq!(bucket[backup], "—", "{bucket:?}");
    assert_eq!(database[backup], "`pass`", "{database:?}");
    // And the tier's configured name is the report's.
    assert!(text.contains("internal"), "{text}");
}
