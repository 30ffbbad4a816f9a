//! `dr_failover_policy` and `dr_drill` driven by real Terraform (the one on PATH and 1.0.3),
//! offline: apply, re-plan, clock moves, plan-time validation, and the loop a CI gate runs —
//! provider → `terraform show -json` → `drlint check plan.json`.

use std::fs;

use dr_e2e::{drlint_binary, every_terraform, resources, workspace_root, Workspace};

const PROVIDER_BLOCK: &str = r#"
terraform {
  required_providers {
    dr = { source = "dr-toolkit/dr" }
  }
}
"#;

/// The provider's clock in every test: drills are judged at this instant.
const NOW: &str = "2026-12-01T12:00:00Z";

const TIER_AND_POLICY: &str = r#"
resource "dr_tier" "critical" {
  name            = "critical"
  level           = 1
  rto             = "15m"
  rpo             = "1m"
  allowed_regions = ["eu-west-1", "eu-central-1"]
}

resource "dr_failover_policy" "payments" {
  name                = "payments"
  tier                = dr_tier.critical
  strategy            = "active_active"
  primary_region      = "eu-west-1"
  secondary_region    = "eu-central-1"
  mode                = "automatic"
  max_replication_lag = "30s"

  health_check {
    path = "/healthz"
  }
}
"#;

/// One drill of each status at [`NOW`]: passed, failed, overdue (run long ago) and scheduled.
const DRILLS: &str = r#"
resource "dr_drill" "passed" {
  policy       = dr_failover_policy.payments
  scenario     = "region_outage"
  executed_at  = "2026-11-02T09:00:00Z"
  observed_rto = "12m"
  observed_rpo = "30s"
}

resource "dr_drill" "failed" {
  policy       = dr_failover_policy.payments
  scenario     = "database_failover"
  executed_at  = "2026-11-20T09:00:00+01:00"
  observed_rto = "45m"
}

resource "dr_drill" "overdue" {
  policy       = dr_failover_policy.payments
  scenario     = "az_outage"
  frequency    = "30d"
  executed_at  = "2026-09-01T09:00:00Z"
  observed_rto = "5m"
}

resource "dr_drill" "scheduled" {
  policy   = dr_failover_policy.payments
  scenario = "replication_lag"
}
"#;

fn config(body: &str) -> String {
    format!("{PROVIDER_BLOCK}\n{body}")
}

fn workspace(terraform: &dr_e2e::Terraform, body: &str) -> Workspace {
    let mut workspace = Workspace::new(terraform, &config(body));
    workspace.set_env("DR_PROVIDER_NOW", NOW);
    workspace
}

fn values<'a>(state: &'a serde_json::Value, address: &str) -> &'a serde_json::Value {
    let resource = resources(state)
        .into_iter()
        .find(|resource| resource["address"] == address)
        .unwrap_or_else(|| panic!("{address} is not in the state: {state:#}"));
    &resource["values"]
}

/// apply → a second plan with no changes → destroy, for a tier, a policy and four drills.
#[test]
fn policy_and_drills_apply_settle_and_destroy() {
    for terraform in every_terraform() {
        let workspace = workspace(&terraform, &format!("{TIER_AND_POLICY}\n{DRILLS}"));
        workspace.ok(&["apply", "-auto-approve", "-no-color"]);
        let state = workspace.state();

        let policy = values(&state, "dr_failover_policy.payments");
        assert_eq!(policy["id"], "payments", "{terraform}");
        assert_eq!(policy["account_id"], serde_json::Value::Null, "{terraform}");
        assert_eq!(
            policy["tier"]["level"], 1,
            "{terraform}: the tier object is held"
        );
        let runbook = policy["runbook"].as_str().expect("a runbook");
        assert!(
            runbook.contains("Primary region: eu-west-1; recovery region: eu-central-1"),
            "{terraform}: {runbook}"
        );
        assert!(runbook.contains("recover within 15m"), "{terraform}");

        let status = |address: &str| values(&state, address)["status"].clone();
        assert_eq!(status("dr_drill.passed"), "passed", "{terraform}");
        assert_eq!(status("dr_drill.failed"), "failed", "{terraform}");
        assert_eq!(status("dr_drill.overdue"), "overdue", "{terraform}");
        assert_eq!(status("dr_drill.scheduled"), "scheduled", "{terraform}");
        let passed = values(&state, "dr_drill.passed");
        assert_eq!(passed["next_due_at"], "2027-01-31T09:00:00Z", "{terraform}");
        assert_eq!(passed["rto_met"], true, "{terraform}");
        assert_eq!(passed["id"], "payments/region_outage", "{terraform}");
        let failed = values(&state, "dr_drill.failed");
        assert_eq!(failed["rto_met"], false, "{terraform}");
        assert_eq!(failed["rpo_met"], serde_json::Value::Null, "{terraform}");
        let scheduled = values(&state, "dr_drill.scheduled");
        assert_eq!(scheduled["declared_at"], NOW, "{terraform}");
        assert_eq!(
            scheduled["next_due_at"], "2027-03-01T12:00:00Z",
            "{terraform}: tier 1 defaults to 90 days"
        );

        workspace.assert_no_changes(&[]);
        workspace.ok(&["destroy", "-auto-approve", "-no-color"]);
        assert!(resources(&workspace.state()).is_empty(), "{terraform}");
    }
}

/// A plan made after a drill falls due shows the change, so a CI gate sees it; before that the
/// plan is empty.
#[test]
fn a_plan_after_the_due_date_shows_the_drill_overdue() {
    for terraform in every_terraform() {
        let mut workspace = workspace(&terraform, &format!("{TIER_AND_POLICY}\n{DRILLS}"));
        workspace.ok(&["apply", "-auto-approve", "-no-color"]);
        workspace.set_env("DR_PROVIDER_NOW", "2027-01-31T09:00:00Z");
        workspace.assert_no_changes(&[]);
        workspace.set_env("DR_PROVIDER_NOW", "2027-01-31T09:00:01Z");
        let plan = workspace.run(&["plan", "-detailed-exitcode", "-no-color"]);
        assert_eq!(plan.code(), Some(2), "{terraform}: a change is due\n{plan}");
        let stdout = plan.stdout();
        assert!(
            stdout.contains("status") && stdout.contains("\"passed\" -> \"overdue\""),
            "{terraform}\n{plan}"
        );
        assert!(
            stdout.contains("Plan: 0 to add, 1 to change, 0 to destroy."),
            "{terraform}: only the drill that fell due changes\n{plan}"
        );
    }
}

/// Every plan-time check is an error (or the strategy warning) on its attribute's line.
#[test]
fn bad_policies_and_drills_fail_the_plan_on_the_attribute() {
    // (replaced line of the policy or drill, its new text, the summary Terraform must show)
    let policy_cases = [
        (
            "secondary_region",
            "secondary_region = \"eu-west-1\"",
            "Secondary region is the primary region",
        ),
        (
            "secondary_region",
            "secondary_region = \"us-east-1\"",
            "Region outside the tier's allowed regions",
        ),
        (
            "primary_region",
            "primary_region = \"eu-wst-1\"",
            "Unknown AWS region",
        ),
        (
            "strategy",
            "strategy = \"pilot_light\"",
            "Strategy cannot meet the tier",
        ),
        ("strategy", "strategy = \"hot_standby\"", "Invalid strategy"),
        (
            "max_replication_lag",
            "max_replication_lag = \"5m\"",
            "Replication lag beyond the tier's RPO",
        ),
        (
            "mode",
            "mode = \"automatic\"",
            "Automatic failover needs a health check",
        ),
        ("mode", "mode = \"sometimes\"", "Invalid mode"),
        (
            "strategy",
            "strategy = null",
            "Missing required argument \"strategy\"",
        ),
        (
            "recovery_role_arn",
            "recovery_role_arn = \"dr-recovery\"",
            "Invalid recovery_role_arn",
        ),
    ];
    let drill_cases = [
        (
            "scenario",
            "scenario = \"chaos_monkey\"",
            "Invalid scenario",
        ),
        (
            "frequency",
            "frequency = \"quarterly\"",
            "Invalid frequency",
        ),
        (
            "executed_at",
            "executed_at = \"2026-13-01T00:00:00Z\"",
            "Invalid executed_at",
        ),
        (
            "executed_at",
            "executed_at = \"2027-06-01T00:00:00Z\"",
            "executed_at is in the future",
        ),
        (
            "observed_rto",
            "observed_rto = \"5 minutes\"",
            "Invalid observed_rto",
        ),
        (
            "scenario",
            "scenario = \"recovery_access\"",
            "recovery_access needs a recovery role",
        ),
        (
            "policy",
            "policy = null",
            "Missing required argument \"policy\"",
        ),
    ];
    let policy = |replace: &str, with: &str| {
        let lines = [
            "name = \"payments\"",
            "tier = dr_tier.critical",
            "strategy = \"active_active\"",
            "primary_region = \"eu-west-1\"",
            "secondary_region = \"eu-central-1\"",
            "mode = \"manual\"",
            "max_replication_lag = \"30s\"",
            "recovery_role_arn = null",
        ];
        let body: Vec<&str> = lines
            .iter()
            .map(|line| {
                if !replace.is_empty() && line.starts_with(replace) {
                    with
                } else {
                    line
                }
            })
            .collect();
        format!(
            "resource \"dr_failover_policy\" \"payments\" {{\n  {}\n}}\n",
            body.join("\n  ")
        )
    };
    let tier = r#"
resource "dr_tier" "critical" {
  name            = "critical"
  level           = 1
  rto             = "15m"
  rpo             = "1m"
  allowed_regions = ["eu-west-1", "eu-central-1"]
}
"#;
    for terraform in every_terraform() {
        let mut cases: Vec<(String, &str, &str)> = Vec::new();
        for (replace, with, summary) in policy_cases {
            cases.push((format!("{tier}{}", policy(replace, with)), with, summary));
        }
        for (replace, with, summary) in drill_cases {
            let lines = [
                "policy = dr_failover_policy.payments",
                "scenario = \"region_outage\"",
                "frequency = \"90d\"",
                "executed_at = \"2026-11-02T09:00:00Z\"",
                "observed_rto = \"10m\"",
            ];
            let body: Vec<&str> = lines
                .iter()
                .map(|line| {
                    if !replace.is_empty() && line.starts_with(replace) {
                        with
                    } else {
                        line
                    }
                })
                .collect();
            let drill = format!(
                "resource \"dr_drill\" \"d\" {{\n  {}\n}}\n",
                body.join("\n  ")
            );
            cases.push((format!("{tier}{}{drill}", policy("", "")), with, summary));
        }
        for (body, line, summary) in &cases {
            let workspace = workspace(&terraform, body);
            let run = workspace.run(&["plan", "-no-color"]);
            assert_eq!(
                run.code(),
                Some(1),
                "{terraform}: `{line}` must fail the plan\n{run}"
            );
            let stderr = run.stderr();
            assert!(
                stderr.contains(&format!("Error: {summary}")),
                "{terraform}: `{line}` must say {summary:?}\n{run}"
            );
            assert!(
                stderr.contains(line),
                "{terraform}: the error for `{line}` must quote its line\n{run}"
            );
            assert!(!stderr.contains("panic"), "{terraform}\n{run}");
        }

        // A strategy that meets the tier only at its best plans, with a warning on its line.
        let workspace = workspace(
            &terraform,
            &format!(
                "{tier}{}",
                policy("strategy", "strategy = \"warm_standby\"")
            ),
        );
        let run = workspace.ok(&["plan", "-no-color"]);
        let output = format!("{}{}", run.stdout(), run.stderr());
        assert!(
            output.contains("Warning: Strategy meets the tier only at its best")
                && output.contains("strategy = \"warm_standby\"")
                && output.contains("dr_drill"),
            "{terraform}\n{run}"
        );
    }
}

/// `level = null` (any required argument set to null) is an error at plan time on its line,
/// not a failure at apply.
#[test]
fn null_required_arguments_fail_the_plan() {
    for terraform in every_terraform() {
        let workspace = workspace(
            &terraform,
            "resource \"dr_tier\" \"t\" {\n  name  = \"t\"\n  level = null\n  rto   = \"1h\"\n  rpo   = \"5m\"\n}\n",
        );
        let run = workspace.run(&["plan", "-no-color"]);
        assert_eq!(run.code(), Some(1), "{terraform}\n{run}");
        let stderr = run.stderr();
        assert!(
            stderr.contains("Error: Missing required argument \"level\"")
                && stderr.contains("level = null"),
            "{terraform}\n{run}"
        );
    }
}

fn drlint(args: &[&str], dir: &std::path::Path) -> (Option<i32>, serde_json::Value, String) {
    let output = std::process::Command::new(drlint_binary())
        .current_dir(dir)
        .args(args)
        .output()
        .expect("drlint runs");
    let json = serde_json::from_slice(&output.stdout).unwrap_or_else(|error| {
        panic!(
            "drlint printed no JSON ({error}):\n{}\n{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        )
    });
    (
        output.status.code(),
        json,
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// Findings as (rule, address) pairs, sorted.
fn findings(report: &serde_json::Value) -> Vec<(String, String)> {
    let mut found: Vec<(String, String)> = report["findings"]
        .as_array()
        .expect("a findings array")
        .iter()
        .map(|finding| {
            (
                finding["rule"].as_str().unwrap_or_default().to_owned(),
                finding["address"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    found.sort();
    found
}

/// The loop a CI gate runs: the provider plans drills, `terraform show -json` writes the plan,
/// and drlint fails it with DR702 for exactly the failed and the overdue drill.
#[test]
fn drlint_fails_the_plan_for_exactly_the_failed_and_overdue_drills() {
    for terraform in every_terraform() {
        let workspace = workspace(&terraform, &format!("{TIER_AND_POLICY}\n{DRILLS}"));
        workspace.ok(&["plan", "-out=drills.plan", "-no-color"]);
        let show = workspace.ok(&["show", "-json", "drills.plan"]);
        fs::write(workspace.path().join("plan.json"), &show.output.stdout).unwrap();

        let (code, report, stderr) = drlint(
            &["check", "--format", "json", "plan.json"],
            workspace.path(),
        );
        assert_eq!(code, Some(1), "{terraform}: {report:#}\n{stderr}");
        assert_eq!(
            findings(&report),
            [
                ("DR702".to_owned(), "dr_drill.failed".to_owned()),
                ("DR702".to_owned(), "dr_drill.overdue".to_owned()),
            ],
            "{terraform}: {report:#}"
        );
    }
}

/// A tier-1 tree that declares a failover policy for its tier is not told to declare one
/// (DR701); the same tree without the policy is.
#[test]
fn a_policy_for_the_tier_satisfies_drlint() {
    let table = r#"
resource "aws_dynamodb_table" "orders" {
  name         = "orders"
  billing_mode = "PAY_PER_REQUEST"
  hash_key     = "id"
  tags         = dr_tier.critical.tags
}
"#;
    let dir = tempfile::tempdir().unwrap();
    let with_policy = dir.path().join("with-policy");
    let without_policy = dir.path().join("without-policy");
    fs::create_dir_all(&with_policy).unwrap();
    fs::create_dir_all(&without_policy).unwrap();
    fs::write(
        with_policy.join("main.tf"),
        config(&format!("{TIER_AND_POLICY}{table}")),
    )
    .unwrap();
    let tier_only = TIER_AND_POLICY
        .split("resource \"dr_failover_policy\"")
        .next()
        .unwrap();
    fs::write(
        without_policy.join("main.tf"),
        config(&format!("{tier_only}{table}")),
    )
    .unwrap();
    let rules = |dir: &std::path::Path| -> Vec<String> {
        let (_, report, stderr) = drlint(&["check", "--format", "json", "."], dir);
        assert_eq!(report["summary"]["input_errors"], 0, "{report:#}\n{stderr}");
        findings(&report)
            .into_iter()
            .map(|(rule, _)| rule)
            .collect()
    };
    assert!(
        !rules(&with_policy).contains(&"DR701".to_owned()),
        "a policy for tier 1 covers the table"
    );
    assert!(
        rules(&without_policy).contains(&"DR701".to_owned()),
        "without a policy the tier-1 table is reported"
    );
}

/// The docs' examples of the new resources plan as written (offline, at a fixed clock).
#[test]
fn resource_examples_plan() {
    for terraform in every_terraform() {
        for example in ["dr_failover_policy", "dr_drill"] {
            let path = workspace_root()
                .join("examples/resources")
                .join(example)
                .join("resource.tf");
            let text = fs::read_to_string(&path).unwrap();
            let workspace = workspace(&terraform, &text);
            let run = workspace.ok(&["plan", "-no-color"]);
            assert!(
                run.stdout().contains("to add"),
                "{terraform}: {example}\n{run}"
            );
        }
    }
}
