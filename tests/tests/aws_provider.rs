//! The provider's AWS side driven by real Terraform (the one on PATH and 1.0.3) against a real
//! local STS (`moto_server`, with IAM access control on): the account guard, `account_id` on
//! policies, `recovery_access` drills that assume a role and that are refused, and no
//! credential in state, plan or trace logs.

use std::ffi::OsStr;
use std::fs;

use dr_e2e::moto::{AccessKey, Moto};
use dr_e2e::{every_terraform, resources, Terraform, Workspace};
use serde_json::json;

/// moto's account.
const ACCOUNT: &str = "123456789012";

/// A moto with a drill runner that may assume roles, a recovery role that trusts it and one
/// that does not, and IAM enforced from then on.
struct Cloud {
    moto: Moto,
    runner: AccessKey,
    trusting_role: String,
    distrusting_role: String,
}

impl Cloud {
    fn start() -> Cloud {
        let moto = Moto::start();
        let runner = moto.create_user(
            "dr-drill-runner",
            &json!({"Version": "2012-10-17", "Statement": [
                {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"}
            ]}),
        );
        let trust = |principal: &str| {
            json!({"Version": "2012-10-17", "Statement": [{
                "Effect": "Allow",
                "Principal": {"AWS": format!("arn:aws:iam::{ACCOUNT}:user/{principal}")},
                "Action": "sts:AssumeRole"
            }]})
        };
        let trusting_role = moto.create_role("payments-dr", &trust("dr-drill-runner"));
        let distrusting_role = moto.create_role("payments-dr-locked", &trust("someone-else"));
        moto.enforce_iam();
        Cloud {
            moto,
            runner,
            trusting_role,
            distrusting_role,
        }
    }

    /// A workspace whose Terraform (and so the provider) has the runner's keys.
    fn workspace(&self, terraform: &Terraform, body: &str) -> Workspace {
        let mut workspace = Workspace::new(terraform, &config(body));
        workspace.set_env("AWS_ACCESS_KEY_ID", &self.runner.access_key_id);
        workspace.set_env("AWS_SECRET_ACCESS_KEY", &self.runner.secret_access_key);
        workspace.set_env("DR_PROVIDER_NOW", "2026-12-01T12:00:00Z");
        workspace
    }

    fn provider(&self, guard: &str) -> String {
        format!(
            "provider \"dr\" {{\n  region       = \"eu-west-1\"\n  sts_endpoint = \"{}\"\n  {guard}\n}}\n",
            self.moto.endpoint()
        )
    }
}

fn config(body: &str) -> String {
    format!(
        "terraform {{\n  required_providers {{\n    dr = {{ source = \"dr-toolkit/dr\" }}\n  }}\n}}\n{body}"
    )
}

/// A tier, a policy with `role` as its recovery role, and a recovery-access drill of it.
fn workload(role: &str, trigger: &str) -> String {
    format!(
        r#"
resource "dr_tier" "critical" {{
  name  = "critical"
  level = 1
  rto   = "15m"
  rpo   = "1m"
}}

resource "dr_failover_policy" "payments" {{
  name              = "payments"
  tier              = dr_tier.critical
  strategy          = "active_active"
  primary_region    = "eu-west-1"
  secondary_region  = "eu-central-1"
  recovery_role_arn = "{role}"
}}

resource "dr_drill" "access" {{
  policy   = dr_failover_policy.payments
  scenario = "recovery_access"
  triggers = {{ rotation = "{trigger}" }}
}}
"#
    )
}

fn values<'a>(state: &'a serde_json::Value, address: &str) -> &'a serde_json::Value {
    let resource = resources(state)
        .into_iter()
        .find(|resource| resource["address"] == address)
        .unwrap_or_else(|| panic!("{address} is not in the state: {state:#}"));
    &resource["values"]
}

/// Fails when any of `secrets` (or words that only appear next to credentials) is in `text`.
fn assert_no_credentials(what: &str, text: &str, secrets: &[&str]) {
    for secret in secrets {
        assert!(!text.contains(secret), "{what} holds a credential");
    }
    for word in [
        "SecretAccessKey",
        "secret_access_key",
        "SessionToken",
        "session_token",
    ] {
        assert!(!text.contains(word), "{what} mentions {word}");
    }
}

/// With credentials and an allowed account: apply (the drill assumes the recovery role), an
/// empty second plan, a trigger change that re-runs it, destroy; and no credential in the
/// state, the plan JSON or Terraform's trace log.
#[test]
fn recovery_access_drill_assumes_the_role_and_keeps_no_credentials() {
    let cloud = Cloud::start();
    for terraform in every_terraform() {
        let guard = format!("allowed_account_ids = [\"{ACCOUNT}\"]");
        let body = format!(
            "{}{}",
            cloud.provider(&guard),
            workload(&cloud.trusting_role, "1")
        );
        let workspace = cloud.workspace(&terraform, &body);
        let trace = [("TF_LOG", OsStr::new("trace"))];
        let apply = workspace.ok_with(&["apply", "-auto-approve", "-no-color"], &trace);

        let state = workspace.state();
        let policy = values(&state, "dr_failover_policy.payments");
        assert_eq!(policy["account_id"], ACCOUNT, "{terraform}");
        let drill = values(&state, "dr_drill.access");
        let verified = drill["access_verified_at"].as_str().unwrap_or_default();
        assert!(verified.starts_with("20"), "{terraform}: {drill:#}");
        assert!(
            drill["access_seconds"].as_f64().is_some(),
            "{terraform}: {drill:#}"
        );
        workspace.assert_no_changes(&[]);

        // A new trigger re-runs the scenario at the next apply.
        workspace.write_config(&config(&format!(
            "{}{}",
            cloud.provider(&guard),
            workload(&cloud.trusting_role, "2")
        )));
        workspace.ok(&["plan", "-out=rerun.plan", "-no-color"]);
        let plan_json = workspace.ok(&["show", "-json", "rerun.plan"]).stdout();
        let plan: serde_json::Value = serde_json::from_str(&plan_json).unwrap();
        let change = plan["resource_changes"]
            .as_array()
            .unwrap()
            .iter()
            .find(|change| change["address"] == "dr_drill.access")
            .expect("the drill changes");
        assert_eq!(
            change["change"]["after_unknown"]["access_verified_at"], true,
            "{terraform}: {change:#}"
        );
        workspace.ok(&["apply", "-auto-approve", "-no-color", "rerun.plan"]);
        let rerun = workspace.state();
        assert!(
            values(&rerun, "dr_drill.access")["access_verified_at"].is_string(),
            "{terraform}"
        );

        let raw_state = fs::read_to_string(workspace.path().join("terraform.tfstate")).unwrap();
        let secrets = [
            cloud.runner.secret_access_key.as_str(),
            cloud.runner.access_key_id.as_str(),
        ];
        assert_no_credentials("the state", &raw_state, &secrets);
        assert_no_credentials("the plan", &plan_json, &secrets);
        assert_no_credentials(
            "the trace log",
            &format!("{}{}", apply.stdout(), apply.stderr()),
            &secrets,
        );
        assert!(
            apply.stderr().contains("connected to AWS"),
            "{terraform}: the trace log shows the provider's own lines"
        );

        workspace.ok(&["destroy", "-auto-approve", "-no-color"]);
    }
}

/// A recovery role that does not trust the caller fails the apply with AWS's message.
#[test]
fn refused_recovery_access_fails_the_apply_with_awss_message() {
    let cloud = Cloud::start();
    for terraform in every_terraform() {
        let body = format!(
            "{}{}",
            cloud.provider(""),
            workload(&cloud.distrusting_role, "1")
        );
        let workspace = cloud.workspace(&terraform, &body);
        let run = workspace.run(&["apply", "-auto-approve", "-no-color"]);
        assert_eq!(run.code(), Some(1), "{terraform}\n{run}");
        // Terraform wraps the message to its width.
        let stderr = run
            .stderr()
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        assert!(
            stderr.contains("Error: Recovery access drill failed")
                && stderr.contains("AccessDenied")
                && stderr.contains("is not authorized to perform: sts:AssumeRole")
                && stderr.contains(&cloud.distrusting_role),
            "{terraform}\n{run}"
        );
        assert!(
            !stderr.contains(&cloud.runner.secret_access_key),
            "{terraform}"
        );
        // The tier and the policy were created; the failed drill was not.
        let state = workspace.state();
        let addresses: Vec<_> = resources(&state)
            .iter()
            .map(|r| r["address"].as_str().unwrap_or_default().to_owned())
            .collect();
        assert!(
            !addresses.contains(&"dr_drill.access".to_owned()),
            "{terraform}: {addresses:?}"
        );
    }
}

/// An account outside `allowed_account_ids`, or inside `forbidden_account_ids`, is an error
/// before anything is planned, naming both accounts.
#[test]
fn account_guard_refuses_other_accounts() {
    let cloud = Cloud::start();
    for terraform in every_terraform() {
        for guard in [
            "allowed_account_ids = [\"111111111111\"]",
            &format!("forbidden_account_ids = [\"{ACCOUNT}\"]"),
        ] {
            let body = format!(
                "{}{}",
                cloud.provider(guard),
                workload(&cloud.trusting_role, "1")
            );
            let workspace = cloud.workspace(&terraform, &body);
            let run = workspace.run(&["plan", "-no-color"]);
            assert_eq!(run.code(), Some(1), "{terraform}: {guard}\n{run}");
            let stderr = run.stderr();
            assert!(
                stderr.contains("Error: AWS account refused") && stderr.contains(ACCOUNT),
                "{terraform}: {guard}\n{run}"
            );
            if guard.contains("111111111111") {
                assert!(stderr.contains("111111111111"), "{terraform}\n{run}");
            }
        }
    }
}

/// With a guard but no credentials the provider cannot tell the account: an error, not an
/// unguarded run. Without a guard it works offline (account_id null).
#[test]
fn without_credentials_a_guard_is_an_error_and_no_guard_is_offline() {
    for terraform in every_terraform() {
        let guarded = Workspace::new(
            &terraform,
            &config(&format!(
                "provider \"dr\" {{\n  allowed_account_ids = [\"{ACCOUNT}\"]\n}}\n{}",
                workload("arn:aws:iam::123456789012:role/payments-dr", "1")
            )),
        );
        let run = guarded.run(&["plan", "-no-color"]);
        assert_eq!(run.code(), Some(1), "{terraform}\n{run}");
        assert!(
            run.stderr().contains("AWS account refused") && run.stderr().contains("credentials"),
            "{terraform}\n{run}"
        );

        let offline = Workspace::new(
            &terraform,
            &config(
                "resource \"dr_tier\" \"t\" {\n  name  = \"t\"\n  level = 2\n  rto   = \"1h\"\n  rpo   = \"15m\"\n}\nresource \"dr_failover_policy\" \"p\" {\n  name             = \"p\"\n  tier             = dr_tier.t\n  strategy         = \"warm_standby\"\n  primary_region   = \"eu-west-1\"\n  secondary_region = \"eu-west-2\"\n}\n",
            ),
        );
        let plan = offline.ok_with(
            &["plan", "-no-color"],
            &[("TF_LOG_PROVIDER", OsStr::new("info"))],
        );
        assert_eq!(
            plan.stderr().matches("working offline").count(),
            1,
            "{terraform}: a plan configures the provider once, and it says it is offline once\n{plan}"
        );
        offline.ok(&["apply", "-auto-approve", "-no-color"]);
        let state = offline.state();
        assert_eq!(
            values(&state, "dr_failover_policy.p")["account_id"],
            serde_json::Value::Null,
            "{terraform}"
        );
    }
}
