//! The provider driven by real Terraform: the Terraform on PATH and Terraform 1.0.3 each apply,
//! re-plan, reject bad configuration and destroy, exactly as a user's run would.

use std::ffi::OsStr;

use dr_e2e::{every_terraform, resources, terraform_on_path, Terraform, Workspace};

const PROVIDER_BLOCK: &str = r#"
terraform {
  required_providers {
    dr = { source = "dr-toolkit/dr" }
  }
}
"#;

fn config(body: &str) -> String {
    format!("{PROVIDER_BLOCK}\n{body}")
}

/// A configuration of one tier, `dr_tier.t`.
fn one_tier(name: &str, level: u8, rto: &str, rpo: &str) -> String {
    config(&format!(
        "resource \"dr_tier\" \"t\" {{\n  name  = \"{name}\"\n  level = {level}\n  rto   = \"{rto}\"\n  rpo   = \"{rpo}\"\n}}\n"
    ))
}

fn tier_values<'a>(state: &'a serde_json::Value, address: &str) -> &'a serde_json::Value {
    let resource = resources(state)
        .into_iter()
        .find(|resource| resource["address"] == address)
        .unwrap_or_else(|| panic!("{address} is not in the state: {state:#}"));
    &resource["values"]
}

/// apply → a second plan with no changes → destroy, on both hosts.
#[test]
fn apply_settles_and_destroys() {
    for terraform in every_terraform() {
        let workspace = Workspace::new(
            &terraform,
            &config(
                r#"
resource "dr_tier" "critical" {
  name            = "critical"
  level           = 1
  rto             = "15m"
  rpo             = "1m"
  description     = "payments"
  allowed_regions = ["eu-west-1", "eu-central-1"]
}

resource "dr_tier" "batch" {
  name  = "batch"
  level = 3
  rto   = "1h30m"
  rpo   = "1d"
}

output "db_tags" {
  value = merge(dr_tier.critical.tags, { service = "orders" })
}
"#,
            ),
        );
        workspace.ok(&["apply", "-auto-approve", "-no-color"]);

        let state = workspace.state();
        let critical = tier_values(&state, "dr_tier.critical");
        assert_eq!(critical["id"], "critical", "{terraform}");
        assert_eq!(critical["rto_seconds"], 900, "{terraform}");
        assert_eq!(critical["rpo_seconds"], 60, "{terraform}");
        assert_eq!(
            critical["recommended_strategy"], "active_active",
            "{terraform}"
        );
        assert_eq!(
            critical["tags"],
            serde_json::json!({"dr-tier": "1", "rto-hours": "0.25"}),
            "{terraform}"
        );
        let batch = tier_values(&state, "dr_tier.batch");
        assert_eq!(batch["rto_seconds"], 5400, "{terraform}");
        assert_eq!(batch["tags"]["rto-hours"], "1.5", "{terraform}");
        assert_eq!(batch["description"], serde_json::Value::Null, "{terraform}");
        assert_eq!(
            state["values"]["outputs"]["db_tags"]["value"],
            serde_json::json!({"dr-tier": "1", "rto-hours": "0.25", "service": "orders"}),
            "{terraform}"
        );

        workspace.assert_no_changes(&[]);

        workspace.ok(&["destroy", "-auto-approve", "-no-color"]);
        assert!(
            resources(&workspace.state()).is_empty(),
            "{terraform} left resources behind"
        );
    }
}

/// A plan shows every computed value that config decides, before apply.
#[test]
fn computed_values_are_known_at_plan_time() {
    for terraform in every_terraform() {
        let workspace = Workspace::new(&terraform, &one_tier("gold", 2, "4h", "30m"));
        workspace.ok(&["plan", "-out=tier.plan", "-no-color"]);
        let run = workspace.ok(&["show", "-json", "tier.plan"]);
        let plan: serde_json::Value =
            serde_json::from_slice(&run.output.stdout).expect("plan JSON");
        let change = &plan["resource_changes"][0]["change"];
        assert_eq!(
            change["actions"],
            serde_json::json!(["create"]),
            "{terraform}"
        );
        assert_eq!(change["after"]["id"], "gold", "{terraform}");
        assert_eq!(change["after"]["rto_seconds"], 14400, "{terraform}");
        assert_eq!(
            change["after"]["recommended_strategy"], "warm_standby",
            "{terraform}"
        );
        assert_eq!(
            change["after"]["tags"],
            serde_json::json!({"dr-tier": "2", "rto-hours": "4"}),
            "{terraform}"
        );
        let unknown = change["after_unknown"]
            .as_object()
            .expect("after_unknown object");
        assert!(
            unknown
                .values()
                .all(|value| value == false || value.as_object().is_some_and(|o| o.is_empty())),
            "{terraform}: nothing should be unknown: {unknown:?}"
        );
    }
}

/// Changing a tier's name replaces it; changing its level updates it in place.
#[test]
fn renaming_replaces_and_relevelling_updates() {
    for terraform in every_terraform() {
        let body = |name: &str, level: u8| one_tier(name, level, "1h", "15m");
        let workspace = Workspace::new(&terraform, &body("silver", 2));
        workspace.ok(&["apply", "-auto-approve", "-no-color"]);

        std::fs::write(workspace.path().join("main.tf"), body("silver", 3)).unwrap();
        let update = workspace.ok(&["plan", "-no-color"]);
        assert!(
            update.stdout().contains("will be updated in-place"),
            "{terraform}: a level change is an in-place update\n{update}"
        );

        std::fs::write(workspace.path().join("main.tf"), body("bronze", 3)).unwrap();
        let replace = workspace.ok(&["plan", "-no-color"]);
        assert!(
            replace.stdout().contains("must be replaced")
                && replace.stdout().contains("forces replacement"),
            "{terraform}: a name change forces replacement\n{replace}"
        );
        workspace.ok(&["apply", "-auto-approve", "-no-color"]);
        assert_eq!(tier_values(&workspace.state(), "dr_tier.t")["id"], "bronze");
        workspace.ok(&["destroy", "-auto-approve", "-no-color"]);
    }
}

/// Each bad value is an error on its own attribute, shown with the line that holds it.
#[test]
fn bad_config_is_an_error_on_the_attribute() {
    let cases = [
        ("level = 0", "level"),
        ("level = 2.5", "level"),
        ("rto = \"15x\"", "rto"),
        ("rpo = \"\"", "rpo"),
        ("allowed_regions = [\"eu-west-9\"]", "allowed_regions"),
    ];
    for terraform in every_terraform() {
        for (bad, attribute) in cases {
            let mut lines = vec![
                "name = \"t\"".to_string(),
                "level = 1".to_string(),
                "rto = \"1h\"".to_string(),
                "rpo = \"5m\"".to_string(),
            ];
            lines.retain(|line| !line.starts_with(attribute));
            lines.push(bad.to_string());
            let body = format!(
                "resource \"dr_tier\" \"t\" {{\n  {}\n}}\n",
                lines.join("\n  ")
            );
            let workspace = Workspace::new(&terraform, &config(&body));
            let run = workspace.run(&["plan", "-no-color"]);
            assert_eq!(
                run.code(),
                Some(1),
                "{terraform}: `{bad}` must fail the plan\n{run}"
            );
            let stderr = run.stderr();
            assert!(stderr.contains("Error: "), "{terraform}: `{bad}`\n{run}");
            // Terraform quotes the configuration line only for a diagnostic attached to the
            // attribute's path.
            assert!(
                stderr.contains(bad),
                "{terraform}: the error for `{bad}` must point at its line\n{run}"
            );
            assert!(!stderr.contains("panic"), "{terraform}: `{bad}`\n{run}");
        }
    }
}

/// Several bad values at once: every one is reported, none hides another.
#[test]
fn every_bad_value_is_reported() {
    for terraform in every_terraform() {
        let workspace = Workspace::new(
            &terraform,
            &config(
                r#"
resource "dr_tier" "t" {
  name            = "t"
  level           = 0
  rto             = "15x"
  rpo             = "1h"
  allowed_regions = ["eu-west-1", "moon-1"]
}
"#,
            ),
        );
        let run = workspace.run(&["validate", "-no-color"]);
        assert_eq!(run.code(), Some(1), "{run}");
        let stderr = run.stderr();
        assert_eq!(stderr.matches("Error: ").count(), 3, "{terraform}\n{run}");
        for needle in ["level           = 0", "rto             = \"15x\"", "moon-1"] {
            assert!(
                stderr.contains(needle),
                "{terraform}: missing {needle:?}\n{run}"
            );
        }
    }
}

/// 200 tiers applied ten at a time, then a plan with no changes.
#[test]
fn two_hundred_tiers_in_parallel() {
    for terraform in every_terraform() {
        let workspace = Workspace::new(
            &terraform,
            &config(
                r#"
resource "dr_tier" "many" {
  count = 200
  name  = "tier-${count.index}"
  level = count.index % 9 + 1
  rto   = "${count.index + 1}m"
  rpo   = "${count.index + 1}s"
}

output "hours" {
  value = dr_tier.many[199].tags["rto-hours"]
}
"#,
            ),
        );
        workspace.ok(&["apply", "-auto-approve", "-parallelism=10", "-no-color"]);
        let state = workspace.state();
        assert_eq!(resources(&state).len(), 200, "{terraform}");
        assert_eq!(
            state["values"]["outputs"]["hours"]["value"],
            "3.3333333333333335"
        );
        workspace.assert_no_changes(&["-parallelism=10"]);
        workspace.ok(&["destroy", "-auto-approve", "-parallelism=10", "-no-color"]);
    }
}

/// A value unknown until apply is accepted at plan time, leaves what depends on it unknown, and
/// is checked when it becomes known.
#[test]
fn values_unknown_at_plan_time_are_checked_at_apply() {
    let terraform = terraform_on_path();
    let workspace = Workspace::new(
        &terraform,
        &config(
            r#"
variable "rto" {
  type    = string
  default = "2h"
}

resource "terraform_data" "rto" {
  input = var.rto
  triggers_replace = [timestamp()]
}

resource "dr_tier" "t" {
  name  = "late"
  level = 2
  rto   = terraform_data.rto.output
  rpo   = "1h"
}
"#,
        ),
    );
    workspace.ok(&["plan", "-out=tier.plan", "-no-color"]);
    let run = workspace.ok(&["show", "-json", "tier.plan"]);
    let plan: serde_json::Value = serde_json::from_slice(&run.output.stdout).expect("plan JSON");
    let tier = plan["resource_changes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|change| change["address"] == "dr_tier.t")
        .expect("the tier is planned");
    let unknown = &tier["change"]["after_unknown"];
    assert_eq!(unknown["rto"], true, "{plan:#}");
    assert_eq!(unknown["rto_seconds"], true, "{plan:#}");
    assert_eq!(unknown["tags"], true, "{plan:#}");
    assert_eq!(
        tier["change"]["after"]["rpo_seconds"], 3600,
        "rpo is known: {plan:#}"
    );

    workspace.ok(&["apply", "-no-color", "tier.plan"]);
    assert_eq!(
        tier_values(&workspace.state(), "dr_tier.t")["rto_seconds"],
        7200
    );

    let bad = workspace.run(&["apply", "-auto-approve", "-no-color", "-var", "rto=2x"]);
    assert_eq!(
        bad.code(),
        Some(1),
        "a bad value that arrives at apply fails it\n{bad}"
    );
    assert!(bad.stderr().contains("2x"), "{bad}");
    workspace.ok(&["destroy", "-auto-approve", "-no-color", "-var", "rto=2h"]);
}

/// Installing from a filesystem mirror with `terraform init`, as the README describes.
#[test]
fn installs_from_a_filesystem_mirror() {
    for terraform in every_terraform() {
        install_from_mirror(&terraform);
    }
}

fn install_from_mirror(terraform: &Terraform) {
    let version = env!("CARGO_PKG_VERSION");
    let workspace = Workspace::new(
        terraform,
        &format!(
            r#"
terraform {{
  required_providers {{
    dr = {{
      source  = "dr-toolkit/dr"
      version = "~> {version}"
    }}
  }}
}}

resource "dr_tier" "t" {{
  name  = "mirrored"
  level = 4
  rto   = "1d"
  rpo   = "1d"
}}
"#
        ),
    );
    let platform = format!(
        "{}_{}",
        std::env::consts::OS,
        match std::env::consts::ARCH {
            "x86_64" => "amd64",
            "aarch64" => "arm64",
            other => other,
        }
    );
    let mirror = workspace.path().join("mirror");
    let package = mirror
        .join("registry.terraform.io/dr-toolkit/dr")
        .join(version)
        .join(platform);
    std::fs::create_dir_all(&package).unwrap();
    std::fs::copy(
        dr_e2e::provider_binary(),
        package.join(format!("terraform-provider-dr_v{version}")),
    )
    .unwrap();
    std::fs::write(
        workspace.path().join("cli.tfrc"),
        format!(
            "provider_installation {{\n  filesystem_mirror {{\n    path    = \"{}\"\n    include = [\"registry.terraform.io/dr-toolkit/*\"]\n  }}\n  direct {{\n    exclude = [\"registry.terraform.io/dr-toolkit/*\"]\n  }}\n}}\n",
            mirror.display()
        ),
    )
    .unwrap();
    let init = workspace.ok(&["init", "-no-color"]);
    assert!(
        init.stdout()
            .contains(&format!("Installing dr-toolkit/dr v{version}")),
        "{terraform}\n{init}"
    );
    workspace.ok(&["apply", "-auto-approve", "-no-color"]);
    workspace.assert_no_changes(&[]);
    workspace.ok(&["destroy", "-auto-approve", "-no-color"]);
}

/// The quick start example applies offline and settles.
#[test]
fn quickstart_example_applies() {
    let example = dr_e2e::workspace_root().join("examples/quickstart/main.tf");
    let config = std::fs::read_to_string(&example).unwrap();
    for terraform in every_terraform() {
        let workspace = Workspace::new(&terraform, &config);
        workspace.ok(&["apply", "-auto-approve", "-no-color"]);
        let outputs = &workspace.state()["values"]["outputs"];
        assert_eq!(
            outputs["orders_db_tags"]["value"],
            serde_json::json!({"dr-tier": "1", "rto-hours": "0.25", "service": "orders", "owner": "team-checkout"}),
            "{terraform}"
        );
        assert_eq!(
            outputs["strategies"]["value"],
            serde_json::json!({"critical": "active_active", "important": "warm_standby", "batch": "pilot_light"}),
            "{terraform}"
        );
        assert_eq!(
            outputs["orders_drill"]["value"]["status"], "scheduled",
            "{terraform}"
        );
        assert!(
            outputs["orders_runbook"]["value"]
                .as_str()
                .is_some_and(|runbook| runbook.contains("# Failover runbook: orders")),
            "{terraform}"
        );
        workspace.assert_no_changes(&[]);
        workspace.ok(&["destroy", "-auto-approve", "-no-color"]);
    }
}

/// A provider started by hand with `--debug` serves Terraform through `TF_REATTACH_PROVIDERS`,
/// one Terraform run after another, and stays up when each run detaches.
#[test]
fn debug_mode_serves_terraform_through_reattach() {
    use std::io::{BufRead, BufReader};
    use std::process::{Command, Stdio};

    struct Running(std::process::Child);
    impl Drop for Running {
        fn drop(&mut self) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }

    let mut provider = Running(
        Command::new(dr_e2e::provider_binary())
            .arg("--debug")
            .env_remove("TF_PLUGIN_MAGIC_COOKIE")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("the provider starts in debug mode"),
    );
    let stdout = provider.0.stdout.take().expect("stdout is piped");
    let reattach = BufReader::new(stdout)
        .lines()
        .map(|line| line.expect("the provider's stdout is text"))
        .find_map(|line| {
            line.trim()
                .strip_prefix("TF_REATTACH_PROVIDERS=")
                .map(|value| value.trim_matches('\'').to_owned())
        })
        .expect("debug mode prints TF_REATTACH_PROVIDERS");

    for terraform in every_terraform() {
        let workspace = Workspace::new(&terraform, &one_tier("debugged", 2, "1h", "15m"));
        // No dev_overrides: the only way to this provider is the reattach setting.
        std::fs::write(workspace.path().join("cli.tfrc"), "").unwrap();
        let env = [("TF_REATTACH_PROVIDERS", OsStr::new(&reattach))];
        workspace.ok_with(&["apply", "-auto-approve", "-no-color"], &env);
        let plan = workspace.ok_with(&["plan", "-detailed-exitcode", "-no-color"], &env);
        assert_eq!(plan.code(), Some(0), "{terraform}: no changes");
        workspace.ok_with(&["destroy", "-auto-approve", "-no-color"], &env);
        assert!(
            provider.0.try_wait().unwrap().is_none(),
            "{terraform}: the debug provider must outlive the runs it served"
        );
    }
}

/// Where no unix socket can be made, the provider listens on TCP within Terraform's port range
/// and Terraform reaches it there.
#[test]
fn falls_back_to_tcp_where_unix_sockets_are_unavailable() {
    for terraform in every_terraform() {
        let workspace = Workspace::new(&terraform, &one_tier("tcp", 3, "4h", "1d"));
        let missing = workspace.path().join("no-such-directory");
        let run = workspace.ok_with(
            &["apply", "-auto-approve", "-no-color"],
            &[
                ("PLUGIN_UNIX_SOCKET_DIR", missing.as_os_str()),
                ("PLUGIN_MIN_PORT", OsStr::new("24100")),
                ("PLUGIN_MAX_PORT", OsStr::new("24300")),
                ("TF_LOG_PROVIDER", OsStr::new("warn")),
            ],
        );
        assert!(
            run.stderr().contains("unix socket unavailable, using TCP"),
            "{terraform}: the provider must say it fell back to TCP\n{run}"
        );
        assert_eq!(
            tier_values(&workspace.state(), "dr_tier.t")["recommended_strategy"],
            "pilot_light"
        );
    }
}

/// The README's first command, as a new user runs it (with the debug build the tests already
/// made, on each Terraform): it applies the quick start, shows a settled second plan, fails the
/// plan of a failed drill with DR702 and lints the example tree.
#[test]
fn quickstart_script_runs() {
    let binaries = dr_e2e::binaries_dir();
    let target = binaries
        .parent()
        .expect("a profile directory has a target directory");
    for terraform in every_terraform() {
        let output = std::process::Command::new("bash")
            .arg(dr_e2e::workspace_root().join("examples/quickstart/run"))
            .env("DR_QUICKSTART_PROFILE", "debug")
            .env("CARGO_TARGET_DIR", target)
            .env("TERRAFORM", &terraform.path)
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .env_remove("TF_CLI_CONFIG_FILE")
            .output()
            .expect("bash runs the quick start");
        let stdout = String::from_utf8_lossy(&output.stdout);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            output.status.success(),
            "{terraform}: the quick start failed\n{stdout}\n{stderr}"
        );
        for expected in [
            "no changes",
            "status       = \"scheduled\" -> \"failed\"",
            "DR702/drill-failed-or-overdue",
            "a CI plan gate would stop this merge",
            "==> done: drlint exit status 1",
        ] {
            assert!(
                stdout.contains(expected),
                "{terraform}: missing {expected:?}\n{stdout}"
            );
        }
    }
}
