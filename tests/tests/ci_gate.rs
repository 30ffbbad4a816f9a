//! examples/ci as a pipeline runs it: `plan-gate` plans a root module with real Terraform (both
//! hosts), writes the plan JSON, and drlint gates it, leaving SARIF and JUnit to upload. The
//! merge stops (exit 1) on a failed drill and goes ahead on a passed one. The two CI files are
//! parsed as YAML and must call that same script and upload what it writes.

use std::process::{Command, Output};

use dr_e2e::{every_terraform, workspace_root, Workspace};

const CONFIG: &str = r#"
terraform {
  required_providers {
    dr = { source = "dr-toolkit/dr" }
  }
}

resource "dr_tier" "critical" {
  name            = "critical"
  level           = 1
  rto             = "15m"
  rpo             = "1m"
  allowed_regions = ["eu-west-1", "eu-central-1"]
}

resource "dr_failover_policy" "orders" {
  name                = "orders"
  tier                = dr_tier.critical
  strategy            = "active_active"
  primary_region      = "eu-west-1"
  secondary_region    = "eu-central-1"
  max_replication_lag = "30s"
}

resource "dr_drill" "orders_region_outage" {
  policy       = dr_failover_policy.orders
  scenario     = "region_outage"
  executed_at  = "EXECUTED_AT"
  observed_rto = "OBSERVED_RTO"
  observed_rpo = "30s"
}
"#;

/// The gate on `workspace`, as the CI job runs it, with drlint's outputs in `out`.
fn plan_gate(workspace: &Workspace, out: &std::path::Path) -> Output {
    // The same environment as the workspace's Terraform commands (CLI config with
    // dev_overrides, no AWS credentials), for the script and the Terraform it runs.
    let template = workspace.command(["version"]);
    let mut command = Command::new("bash");
    for (key, value) in template.get_envs() {
        match value {
            Some(value) => command.env(key, value),
            None => command.env_remove(key),
        };
    }
    command
        .arg(workspace_root().join("examples/ci/plan-gate"))
        .arg(workspace.path())
        .arg(out)
        .env("TERRAFORM", &workspace.terraform.path)
        .env("DRLINT", dr_e2e::drlint_binary())
        .env("NO_COLOR", "1")
        // The provider comes from dev_overrides, with which Terraform says not to run init.
        .env("PLAN_GATE_INIT", "0")
        .output()
        .expect("bash runs plan-gate")
}

fn config(observed_rto: &str) -> String {
    let today = String::from_utf8(
        Command::new("date")
            .args(["-u", "+%Y-%m-%dT%H:%M:%SZ"])
            .output()
            .expect("date")
            .stdout,
    )
    .expect("UTF-8");
    CONFIG
        .replace("EXECUTED_AT", today.trim())
        .replace("OBSERVED_RTO", observed_rto)
}

#[test]
fn plan_gate_stops_a_failed_drill_and_passes_a_good_one() {
    for terraform in every_terraform() {
        let workspace = Workspace::new(&terraform, &config("45m"));
        let out = workspace.path().join("drlint-out");
        let failed = plan_gate(&workspace, &out);
        let log = String::from_utf8_lossy(&failed.stdout);
        assert_eq!(
            failed.status.code(),
            Some(1),
            "{terraform}: a failed drill must stop the merge\n{log}\n{}",
            String::from_utf8_lossy(&failed.stderr)
        );
        assert!(
            log.contains("DR702/drill-failed-or-overdue"),
            "{terraform}: {log}"
        );
        assert!(log.contains("the merge stops here"), "{terraform}: {log}");

        let sarif: serde_json::Value = serde_json::from_slice(
            &std::fs::read(out.join("drlint.sarif")).expect("the SARIF was written"),
        )
        .expect("SARIF is JSON");
        let results = sarif["runs"][0]["results"].as_array().expect("results");
        assert!(
            results.iter().any(|result| result["ruleId"] == "DR702"
                && result["locations"][0]["logicalLocations"][0]["fullyQualifiedName"]
                    == "dr_drill.orders_region_outage"),
            "{terraform}: {sarif:#}"
        );
        let junit = std::fs::read_to_string(out.join("drlint.xml")).expect("the JUnit was written");
        assert!(junit.contains("<failure"), "{terraform}: {junit}");
        assert!(
            junit.contains("dr_drill.orders_region_outage"),
            "{terraform}: {junit}"
        );
        assert!(out.join("plan.json").is_file());

        workspace.write_config(&config("10m"));
        let passed = plan_gate(&workspace, &out);
        let log = String::from_utf8_lossy(&passed.stdout);
        assert_eq!(
            passed.status.code(),
            Some(0),
            "{terraform}: a passed drill must not stop the merge\n{log}\n{}",
            String::from_utf8_lossy(&passed.stderr)
        );
        let junit = std::fs::read_to_string(out.join("drlint.xml")).expect("the JUnit was written");
        assert!(!junit.contains("<failure"), "{terraform}: {junit}");
    }
}

/// Both CI files parse as YAML (with the PyYAML that pre-commit brings into the workspace's
/// .venv), run `ci/plan-gate` and hand its SARIF and JUnit to the CI system.
#[test]
fn ci_files_call_the_gate_and_upload_its_reports() {
    let python = workspace_root().join(".venv/bin/python");
    if !python.is_file() {
        let help = "the workspace's .venv is missing: run `bash tests/run`";
        assert!(std::env::var("CI").as_deref() != Ok("true"), "{help}");
        eprintln!("SKIPPED: {help}");
        return;
    }
    let script = r#"
import json, sys, yaml
github = yaml.safe_load(open(sys.argv[1]))
gitlab = yaml.safe_load(open(sys.argv[2]))
print(json.dumps({"github": github, "gitlab": gitlab}, default=str))
"#;
    let output = Command::new(&python)
        .args(["-c", script])
        .arg(workspace_root().join("examples/ci/github/drlint.yml"))
        .arg(workspace_root().join("examples/ci/gitlab/drlint.gitlab-ci.yml"))
        .output()
        .expect("run python");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let parsed: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");

    let steps = parsed["github"]["jobs"]["plan-gate"]["steps"]
        .as_array()
        .expect("the GitHub job's steps");
    let runs: Vec<&str> = steps
        .iter()
        .filter_map(|step| step["run"].as_str())
        .collect();
    assert!(
        runs.iter().any(|run| run.contains("ci/plan-gate")),
        "{runs:?}"
    );
    let uses = |action: &str| {
        steps
            .iter()
            .find(|step| {
                step["uses"]
                    .as_str()
                    .is_some_and(|uses| uses.starts_with(action))
            })
            .unwrap_or_else(|| panic!("no step uses {action}"))
    };
    assert_eq!(
        uses("github/codeql-action/upload-sarif")["with"]["sarif_file"],
        "drlint-out/drlint.sarif"
    );
    assert_eq!(
        uses("mikepenz/action-junit-report")["with"]["report_paths"],
        "drlint-out/drlint.xml"
    );

    let job = &parsed["gitlab"]["drlint-plan-gate"];
    let script = job["script"].as_array().expect("the GitLab job's script");
    assert!(script
        .iter()
        .any(|line| line.as_str().unwrap_or("").contains("ci/plan-gate")));
    assert_eq!(
        job["artifacts"]["reports"]["junit"],
        "drlint-out/drlint.xml"
    );
    assert_eq!(job["artifacts"]["when"], "always");
}
