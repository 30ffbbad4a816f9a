//! Baselines as a team adopting drlint uses them: record today's findings, then fail only on
//! new ones, however the files' lines move and however the paths are spelled.

use std::fs;
use std::path::Path;
use std::process::{Command, Output};

const PROD: &str = r#"provider "aws" {
  region = "eu-west-1"
}

resource "aws_db_instance" "orders" {
  identifier          = "orders"
  engine              = "postgres"
  instance_class      = "db.r6g.large"
  allocated_storage   = 100
  multi_az            = false
  deletion_protection = true
  tags                = { "dr-tier" = "2", "rto-hours" = "1" }
}
"#;

fn drlint(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_drlint"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("run drlint")
}

fn json(output: &Output) -> serde_json::Value {
    serde_json::from_slice(&output.stdout).expect("JSON output")
}

#[test]
fn only_new_findings_fail_and_moved_lines_stay_baselined() {
    let dir = tempfile::tempdir().expect("a scratch directory");
    let prod = dir.path().join("envs/prod");
    fs::create_dir_all(&prod).expect("a root");
    fs::write(prod.join("main.tf"), PROD).expect("write");

    let before = drlint(dir.path(), &["check", "--format", "json", "envs/prod"]);
    assert_eq!(before.status.code(), Some(1));
    let recorded = json(&before)["findings"]
        .as_array()
        .expect("findings")
        .len();
    assert!(recorded > 0);

    let created = drlint(
        dir.path(),
        &["baseline", "create", "drlint-baseline.json", "envs/prod"],
    );
    assert_eq!(
        created.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&created.stderr)
    );
    let file: serde_json::Value = serde_json::from_slice(
        &fs::read(dir.path().join("drlint-baseline.json")).expect("the baseline"),
    )
    .expect("baseline JSON");
    assert_eq!(file["version"], 1);
    assert_eq!(
        file["findings"].as_array().expect("entries").len(),
        recorded
    );
    assert!(file["findings"]
        .as_array()
        .expect("entries")
        .iter()
        .any(|entry| entry["rule"] == "DR201"
            && entry["attribute"] == "multi_az"
            && entry["root"] == "envs/prod"));

    // Lines move (a header comment, reformatting) and the path is spelled another way: every
    // finding is still the recorded one.
    fs::write(
        prod.join("main.tf"),
        format!(
            "# Orders service, production.\n\n\n{}",
            PROD.replace("  engine ", "\n  engine ")
        ),
    )
    .expect("write");
    for spelling in ["envs/prod", "./envs/prod/", &prod.display().to_string()] {
        let after = drlint(
            dir.path(),
            &[
                "check",
                "--format",
                "json",
                "--baseline",
                "drlint-baseline.json",
                spelling,
            ],
        );
        let report = json(&after);
        assert_eq!(after.status.code(), Some(0), "{spelling}: {report:#}");
        assert_eq!(report["summary"]["baselined"], recorded, "{spelling}");
        assert_eq!(report["summary"]["errors"], 0, "{spelling}");
        assert!(report["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .all(|f| f["baselined"] == true && f["fails"] == false));
    }

    // A new database is a new finding: it alone fails the run.
    let mut grown = fs::read_to_string(prod.join("main.tf")).expect("read");
    grown.push_str(&PROD[PROD.find("resource").expect("a resource")..].replace("orders", "ledger"));
    fs::write(prod.join("main.tf"), grown).expect("write");
    let after = drlint(
        dir.path(),
        &[
            "check",
            "--format",
            "json",
            "--baseline",
            "drlint-baseline.json",
            "envs/prod",
        ],
    );
    assert_eq!(after.status.code(), Some(1));
    let report = json(&after);
    let failing: Vec<&str> = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["fails"] == true)
        .filter_map(|f| f["address"].as_str())
        .collect();
    assert!(!failing.is_empty());
    assert!(
        failing
            .iter()
            .all(|address| *address == "aws_db_instance.ledger"),
        "{failing:?}"
    );
    assert_eq!(report["summary"]["baselined"], recorded);

    // The human summary counts them apart.
    let human = drlint(
        dir.path(),
        &["check", "--baseline", "drlint-baseline.json", "envs/prod"],
    );
    let text = String::from_utf8_lossy(&human.stdout);
    assert!(text.contains(&format!("{recorded} baselined")), "{text}");
}

#[test]
fn a_broken_baseline_or_run_is_refused() {
    let dir = tempfile::tempdir().expect("a scratch directory");
    let prod = dir.path().join("envs/prod");
    fs::create_dir_all(&prod).expect("a root");
    fs::write(prod.join("main.tf"), PROD).expect("write");
    fs::write(
        dir.path().join("bad.json"),
        "{\"version\": 1, \"findings\": [{}]}",
    )
    .expect("write");
    let output = drlint(
        dir.path(),
        &["check", "--baseline", "bad.json", "envs/prod"],
    );
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("bad.json:1:") && stderr.contains("drlint baseline create"),
        "{stderr}"
    );
    let missing = drlint(
        dir.path(),
        &["check", "--baseline", "nowhere.json", "envs/prod"],
    );
    assert_eq!(missing.status.code(), Some(2));

    // A run with input errors writes no baseline.
    fs::write(
        prod.join("broken.tf"),
        "resource \"aws_s3_bucket\" \"b\" {\n",
    )
    .expect("write");
    let created = drlint(
        dir.path(),
        &["baseline", "create", "base.json", "envs/prod"],
    );
    assert_eq!(created.status.code(), Some(2));
    assert!(!dir.path().join("base.json").exists());
}
