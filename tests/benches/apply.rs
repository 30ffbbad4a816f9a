//! Benchmark: Terraform applying, re-planning and destroying 500 `dr_tier` resources through
//! the release build of the provider, on the Terraform on PATH and on Terraform 1.0.3.
//!
//! Beside it, the same 500 resources as Terraform's built-in `terraform_data` (Terraform 1.4 and
//! later), which starts no provider process: the difference is what the provider costs.
//!
//! ```sh
//! cargo bench -p dr-e2e --bench apply            # 3 rounds; `-- 5` for five
//! ```

use std::time::{Duration, Instant};

use dr_e2e::{every_terraform, Terraform, Workspace};

const RESOURCES: usize = 500;

fn tiers() -> String {
    format!(
        r#"
terraform {{
  required_providers {{
    dr = {{ source = "dr-toolkit/dr" }}
  }}
}}

resource "dr_tier" "bench" {{
  count           = {RESOURCES}
  name            = "tier-${{count.index}}"
  level           = count.index % 9 + 1
  rto             = "${{count.index + 1}}m"
  rpo             = "${{count.index + 1}}s"
  description     = "benchmark tier ${{count.index}}"
  allowed_regions = ["eu-west-1", "eu-central-1"]
}}
"#
    )
}

fn builtin() -> String {
    format!(
        r#"
resource "terraform_data" "bench" {{
  count = {RESOURCES}
  input = {{
    name  = "tier-${{count.index}}"
    level = count.index % 9 + 1
    rto   = "${{count.index + 1}}m"
    rpo   = "${{count.index + 1}}s"
  }}
}}
"#
    )
}

struct Round {
    apply: Duration,
    plan: Duration,
    destroy: Duration,
}

fn round(terraform: &Terraform, config: &str) -> Round {
    let workspace = Workspace::new(terraform, config);
    let timed = |args: &[&str]| {
        let start = Instant::now();
        workspace.ok(args);
        start.elapsed()
    };
    let apply = timed(&["apply", "-auto-approve", "-no-color"]);
    let plan = timed(&["plan", "-detailed-exitcode", "-no-color"]);
    let destroy = timed(&["destroy", "-auto-approve", "-no-color"]);
    Round {
        apply,
        plan,
        destroy,
    }
}

fn median(mut values: Vec<Duration>) -> Duration {
    values.sort();
    values[values.len() / 2]
}

fn report(label: &str, rounds: &[Round]) {
    let column = |pick: fn(&Round) -> Duration| {
        format!(
            "{:>8.2} s",
            median(rounds.iter().map(pick).collect()).as_secs_f64()
        )
    };
    println!(
        "{label:<44} {} {} {}",
        column(|r| r.apply),
        column(|r| r.plan),
        column(|r| r.destroy)
    );
}

/// Whether this Terraform has the built-in `terraform_data` resource (1.4 and later).
fn has_terraform_data(version: &str) -> bool {
    let mut parts = version
        .split('.')
        .map(|part| part.parse::<u32>().unwrap_or(0));
    let major = parts.next().unwrap_or(0);
    let minor = parts.next().unwrap_or(0);
    (major, minor) >= (1, 4)
}

fn main() {
    let count: usize = std::env::args()
        .skip(1)
        .find_map(|arg| arg.parse().ok())
        .unwrap_or(3);
    // Benchmarks run in the release profile, so this is the release provider.
    println!(
        "{RESOURCES} resources, default parallelism (10), median of {count} rounds, provider {}",
        dr_e2e::provider_binary().display()
    );
    println!(
        "{:<44} {:>10} {:>10} {:>10}",
        "", "apply", "plan", "destroy"
    );
    for terraform in every_terraform() {
        let rounds: Vec<Round> = (0..count).map(|_| round(&terraform, &tiers())).collect();
        report(
            &format!("dr_tier, Terraform {}", terraform.version),
            &rounds,
        );
        if has_terraform_data(&terraform.version) {
            let rounds: Vec<Round> = (0..count).map(|_| round(&terraform, &builtin())).collect();
            report(
                &format!("terraform_data, Terraform {}", terraform.version),
                &rounds,
            );
        }
    }
}
