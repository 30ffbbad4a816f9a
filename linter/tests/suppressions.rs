//! Inline suppressions as a team writes them: on a resource, on a module call that covers what
//! the module creates, with a reason and an expiry, in both the current and the older form,
//! and every directive that does not do what it says reported with its place.

use std::fs;
use std::path::Path;
use std::process::Command;

/// A small service repository: a root calling a local database module twice, and a bucket.
fn write_repository(root: &Path) {
    let module = root.join("modules/database");
    fs::create_dir_all(&module).expect("a module directory");
    fs::write(
        module.join("main.tf"),
        r#"variable "name" {
  type = string
}

variable "tier" {
  type = string
}

resource "aws_db_instance" "this" {
  identifier          = var.name
  engine              = "postgres"
  instance_class      = "db.t3.medium"
  allocated_storage   = 20
  multi_az            = false
  deletion_protection = true
  tags = {
    "dr-tier"   = var.tier
    "rto-hours" = "4"
  }
}
"#,
    )
    .expect("write the module");
    let live = root.join("live");
    fs::create_dir_all(&live).expect("a root directory");
    fs::write(
        live.join("main.tf"),
        r#"provider "aws" {
  region = "eu-west-1"
}

# drlint-ignore DR201 reason="reporting copy, rebuilt from the primary in minutes" until=2099-12-31
module "reports" {
  source = "../modules/database"
  name   = "reports"
  tier   = "3"
}

module "ledger" {
  source = "../modules/database"
  name   = "ledger"
  tier   = "3"
}

resource "aws_db_instance" "audit" {
  identifier          = "audit"
  engine              = "postgres"
  instance_class      = "db.t3.medium"
  allocated_storage   = 20
  deletion_protection = true
  multi_az            = false # drlint-ignore DR201 reason="audit log replica" until=2020-01-31
  tags                = { "dr-tier" = "3", "rto-hours" = "4" }
}

// drlint-ignore db-instance-multi-az: the older form still works
resource "aws_db_instance" "scratch" {
  identifier          = "scratch"
  engine              = "postgres"
  instance_class      = "db.t3.micro"
  allocated_storage   = 20
  deletion_protection = true
  tags                = { "dr-tier" = "3", "rto-hours" = "4" }
}

# drlint-ignore DR999 reason="a rule that does not exist"
# drlint-ignore DR504 reason="versioned by the replication rule"
resource "aws_s3_bucket" "exports" {
  bucket = "exports"
  tags   = { "dr-tier" = "3", "rto-hours" = "4" }
}

resource "aws_s3_bucket_versioning" "exports" {
  bucket = aws_s3_bucket.exports.id
  versioning_configuration {
    status = "Enabled"
  }
}
"#,
    )
    .expect("write the root");
}

fn check(dir: &Path) -> serde_json::Value {
    let output = Command::new(env!("CARGO_BIN_EXE_drlint"))
        .args(["check", "--format", "json", "live"])
        .current_dir(dir)
        .output()
        .expect("run drlint");
    assert!(
        output.status.code().is_some_and(|code| code <= 1),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("JSON output")
}

fn addresses(report: &serde_json::Value, rule: &str) -> Vec<String> {
    let mut found: Vec<String> = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|finding| finding["rule"] == rule)
        .filter_map(|finding| finding["address"].as_str().map(str::to_owned))
        .collect();
    found.sort();
    found
}

/// The notes, as `line: message`.
fn notes(report: &serde_json::Value) -> Vec<String> {
    report["notes"]
        .as_array()
        .expect("notes")
        .iter()
        .filter(|note| {
            note["message"]
                .as_str()
                .unwrap_or("")
                .contains("drlint-ignore")
        })
        .map(|note| {
            format!(
                "{}: {}",
                note["line"],
                note["message"].as_str().unwrap_or("")
            )
        })
        .collect()
}

#[test]
fn module_calls_expiry_unknown_and_unused_directives() {
    let dir = tempfile::tempdir().expect("a scratch directory");
    write_repository(dir.path());
    let report = check(dir.path());
    // The module call's directive covers what `module.reports` creates, not `module.ledger`;
    // the expired one lets `audit` be reported again; the older form still silences.
    assert_eq!(
        addresses(&report, "DR201"),
        [
            "aws_db_instance.audit",
            "module.ledger.aws_db_instance.this"
        ]
    );
    assert_eq!(report["summary"]["suppressed"], 2);
    let notes = notes(&report);
    let at = |line: u32, text: &str| {
        assert!(
            notes
                .iter()
                .any(|note| note.starts_with(&format!("{line}: ")) && note.contains(text)),
            "no note at line {line} containing {text:?}: {notes:#?}"
        )
    };
    at(
        24,
        "expired on 2020-01-31, so its findings are reported again",
    );
    at(38, "`DR999` that drlint does not have");
    at(39, "`DR504` suppressed nothing in this run");
    assert_eq!(notes.len(), 3, "{notes:#?}");
}

#[test]
fn a_directive_needs_a_reason_and_well_formed_options() {
    let dir = tempfile::tempdir().expect("a scratch directory");
    let live = dir.path().join("live");
    fs::create_dir_all(&live).expect("a root directory");
    fs::write(
        live.join("main.tf"),
        r#"resource "aws_db_instance" "a" {
  identifier = "a"
  multi_az   = false # drlint-ignore DR201
  tags       = { "dr-tier" = "3", "rto-hours" = "4" }
}

# drlint-ignore DR201 reason="promoted by hand" until=next-week
resource "aws_db_instance" "b" {
  identifier = "b"
  tags       = { "dr-tier" = "3", "rto-hours" = "4" }
}
"#,
    )
    .expect("write");
    let report = check(dir.path());
    assert_eq!(
        addresses(&report, "DR201"),
        ["aws_db_instance.a", "aws_db_instance.b"]
    );
    assert_eq!(report["summary"]["suppressed"], 0);
    let notes = notes(&report);
    assert!(
        notes[0].starts_with("3: ") && notes[0].contains("gives no reason"),
        "{notes:#?}"
    );
    assert!(
        notes[1].starts_with("7: ") && notes[1].contains("`until=next-week` is not a date"),
        "{notes:#?}"
    );
    assert_eq!(notes.len(), 2, "{notes:#?}");
}
