//! Regression tests for defects seen on real repositories, each written in the style of the
//! code that showed it: modules reached through `../../`, tfvars per environment, variables a
//! wrapper declares (Terragrunt), `optional()` object variables. All drive the real binary.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .canonicalize()
        .expect("workspace")
}

fn drlint_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_drlint"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .expect("run drlint")
}

fn report(output: &Output) -> Value {
    serde_json::from_slice(&output.stdout).unwrap_or_else(|error| {
        panic!(
            "drlint printed no JSON ({error}); stderr: {}",
            String::from_utf8_lossy(&output.stderr)
        )
    })
}

/// Writes `files` (path → text) under a fresh directory.
fn tree(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    for (name, text) in files {
        let path = dir.path().join(name);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(path, text).expect("write");
    }
    dir
}

/// A finding as the path-independent tuple the invariants compare: file resolved on disk.
fn findings(report: &Value, cwd: &Path) -> Vec<(String, String, String, String, String, u64)> {
    let mut out: Vec<_> = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            let file = cwd.join(f["file"].as_str().unwrap_or(""));
            let file = file.canonicalize().unwrap_or(file);
            (
                f["rule"].as_str().unwrap_or("").to_owned(),
                f["certainty"].as_str().unwrap_or("").to_owned(),
                f["severity"].as_str().unwrap_or("").to_owned(),
                f["address"].as_str().unwrap_or("").to_owned(),
                file.display().to_string(),
                f["line"].as_u64().unwrap_or(0),
            )
        })
        .collect();
    out.sort();
    out
}

fn rules_of<'a>(report: &'a Value, address: &str) -> Vec<(&'a str, &'a str)> {
    report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["address"] == address)
        .map(|f| {
            (
                f["rule"].as_str().unwrap_or(""),
                f["certainty"].as_str().unwrap_or(""),
            )
        })
        .collect()
}

#[test]
fn the_same_tree_gives_the_same_findings_however_its_path_is_spelled() {
    let root = workspace();
    let shop = root.join("examples/linter/shop");
    let prod = shop.join("envs/prod");
    let expected = findings(
        &report(&drlint_in(&prod, &["check", "--format", "json", "."])),
        &prod,
    );
    assert!(
        expected.iter().filter(|f| f.2 == "error").count() >= 7,
        "prod has its seven errors: {expected:#?}"
    );
    assert!(
        !expected.iter().any(|f| f.3 == "module.data"),
        "module.data is on disk"
    );
    let links = tempfile::tempdir().expect("tempdir");
    let link = links.path().join("envs");
    std::os::unix::fs::symlink(shop.join("envs"), &link).expect("symlink");
    let absolute = prod.display().to_string();
    let through_link = link.join("prod").display().to_string();
    let spellings: [(&Path, &str); 7] = [
        (&prod, "./"),
        (&shop, "envs/prod"),
        (&shop, "envs/prod/"),
        (&shop, "./envs/../envs/prod"),
        (&root, &absolute),
        (links.path(), "envs/prod"),
        (&root, &through_link),
    ];
    for (cwd, argument) in spellings {
        let output = drlint_in(cwd, &["check", "--format", "json", argument]);
        assert_eq!(
            output.status.code(),
            Some(1),
            "{argument} from {}",
            cwd.display()
        );
        let found = report(&output);
        assert_eq!(
            findings(&found, cwd),
            expected,
            "{argument} from {}",
            cwd.display()
        );
    }
    // File paths stay relative to the working directory when the argument was relative.
    let relative = report(&drlint_in(
        &shop,
        &["check", "--format", "json", "envs/prod"],
    ));
    let files: Vec<&str> = relative["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter_map(|f| f["file"].as_str())
        .collect();
    assert!(files.contains(&"envs/prod/main.tf"), "{files:?}");
    assert!(files.contains(&"modules/data-stores/main.tf"), "{files:?}");
    assert_eq!(relative["findings"][0]["root"], "envs/prod");
}

#[test]
fn one_root_never_changes_the_verdicts_of_another() {
    let dir = tree(&[
        (
            "ledger/main.tf",
            r#"
resource "aws_rds_cluster" "ledger" {
  cluster_identifier      = "ledger"
  engine                  = "aurora-postgresql"
  backup_retention_period = 7
  deletion_protection     = true
  tags                    = { "dr-tier" = "2", "rto-hours" = "1" }
}

resource "aws_rds_cluster_instance" "ledger" {
  cluster_identifier = aws_rds_cluster.ledger.id
  instance_class     = "db.r6g.large"
}
"#,
        ),
        (
            "reports/main.tf",
            r#"
variable "instances" {
  type = number
}

resource "aws_rds_cluster" "reports" {
  cluster_identifier = "reports"
  tags               = { "dr-tier" = "2", "rto-hours" = "1" }
}

# An unknown number of instances with a cluster_identifier drlint cannot read.
resource "aws_rds_cluster_instance" "reports" {
  count              = var.instances
  cluster_identifier = "reports-${count.index}"
  instance_class     = "db.r6g.large"
}
"#,
        ),
    ]);
    let alone = report(&drlint_in(
        dir.path(),
        &["check", "--format", "json", "ledger"],
    ));
    let together = report(&drlint_in(
        dir.path(),
        &["check", "--format", "json", "ledger", "reports"],
    ));
    assert_eq!(
        rules_of(&alone, "aws_rds_cluster.ledger"),
        [("DR301", "definite")]
    );
    let ledger_findings = |report: &Value| {
        findings(report, dir.path())
            .into_iter()
            .filter(|f| f.4.contains("/ledger/"))
            .collect::<Vec<_>>()
    };
    assert_eq!(ledger_findings(&together), ledger_findings(&alone));
}

#[test]
fn an_undeclared_variable_spoils_only_the_value_it_is_in() {
    // Terragrunt layouts copy the variable declarations in; drlint sees only the module.
    let dir = tree(&[(
        "aws/rds/rds.tf",
        r#"
resource "aws_db_instance" "payments" {
  identifier = "payments-${var.env}"
  engine     = "postgres"
  multi_az   = false
  tags = {
    Owner = "payments-${var.env}"
  }
}

resource "aws_secretsmanager_secret" "payments" {
  name = "payments/db"
  tags = merge(var.core_tags, { Name = "payments" })
}
"#,
    )]);
    let found = report(&drlint_in(
        dir.path(),
        &["check", "--format", "json", "aws/rds"],
    ));
    assert_eq!(found["summary"]["input_errors"], 0, "{found:#?}");
    let db = rules_of(&found, "aws_db_instance.payments");
    // The tag map has one literal key: there is certainly no dr-tier tag, and the gaps are
    // definite, judged as tier 1.
    assert!(db.contains(&("DR101", "definite")), "{db:?}");
    assert!(db.contains(&("DR201", "definite")), "{db:?}");
    assert!(db.contains(&("DR601", "definite")), "{db:?}");
    let dr201 = found["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .find(|f| f["rule"] == "DR201")
        .expect("DR201");
    assert!(dr201["message"]
        .as_str()
        .is_some_and(|m| m.contains("assumed")));
    // merge() with an unknown map: the tag itself may come from var.core_tags, so only it is
    // unknown; the missing replica is definite.
    let secret = rules_of(&found, "aws_secretsmanager_secret.payments");
    assert!(secret.contains(&("DR101", "unknown")), "{secret:?}");
    assert!(secret.contains(&("DR401", "definite")), "{secret:?}");
    let notes: Vec<&str> = found["notes"]
        .as_array()
        .expect("notes")
        .iter()
        .filter_map(|n| n["message"].as_str())
        .collect();
    assert_eq!(
        notes
            .iter()
            .filter(|n| n.contains("var.env is used"))
            .count(),
        1,
        "one note per undeclared variable: {notes:?}"
    );
    assert!(notes.iter().any(|n| n.contains("var.core_tags is used")));
}

#[test]
fn optional_object_attributes_take_their_defaults() {
    // A wrapper module in the style of terraform-aws-modules: an object variable with optional
    // attributes, filtered in for_each; environments pass only what differs.
    let dir = tree(&[
        (
            "modules/databases/main.tf",
            r#"
variable "databases" {
  type = map(object({
    engine   = string
    enabled  = optional(bool, true)
    multi_az = optional(bool, true)
    backup = optional(object({
      retention_days = optional(number, 7)
    }), {})
  }))
}

resource "aws_db_instance" "this" {
  for_each = { for name, db in var.databases : name => db if db.enabled }

  identifier              = each.key
  engine                  = each.value.engine
  multi_az                = each.value.multi_az
  backup_retention_period = each.value.backup.retention_days
  deletion_protection     = true
  tags                    = { "dr-tier" = "2", "rto-hours" = "1" }
}
"#,
        ),
        (
            "envs/prod/main.tf",
            r#"
variable "databases" {
  type = any
}

module "databases" {
  source    = "../../modules/databases"
  databases = var.databases
}
"#,
        ),
        (
            "envs/prod/terraform.tfvars",
            r#"
databases = {
  orders  = { engine = "postgres" }
  reports = { engine = "postgres", multi_az = false }
  legacy  = { engine = "mysql", enabled = false }
}
"#,
        ),
    ]);
    let found = report(&drlint_in(
        dir.path(),
        &["check", "--format", "json", "envs/prod"],
    ));
    let addresses: Vec<&str> = found["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter_map(|f| f["address"].as_str())
        .collect();
    assert!(
        !addresses.iter().any(|a| a.contains("legacy")),
        "a disabled database creates nothing: {addresses:?}"
    );
    assert!(
        rules_of(&found, "module.databases.aws_db_instance.this[\"orders\"]").is_empty(),
        "orders takes multi_az = true and 7 days from the defaults"
    );
    assert_eq!(
        rules_of(&found, "module.databases.aws_db_instance.this[\"reports\"]"),
        [("DR201", "definite")]
    );
}

#[test]
fn auto_scaling_group_tag_blocks_are_its_tags() {
    let dir = tree(&[(
        "main.tf",
        r#"
locals {
  tags = { "dr-tier" = "2", "rto-hours" = "1", Team = "web" }
}

resource "aws_autoscaling_group" "tagged" {
  min_size            = 2
  max_size            = 4
  vpc_zone_identifier = ["subnet-a", "subnet-b"]

  dynamic "tag" {
    for_each = local.tags
    content {
      key                 = tag.key
      value               = tag.value
      propagate_at_launch = true
    }
  }
}

resource "aws_autoscaling_group" "untagged" {
  min_size            = 2
  max_size            = 4
  vpc_zone_identifier = ["subnet-a", "subnet-b"]

  tag {
    key                 = "Name"
    value               = "workers"
    propagate_at_launch = true
  }
}
"#,
    )]);
    let found = report(&drlint_in(dir.path(), &["check", "--format", "json", "."]));
    let tag_rules = |address: &str| {
        rules_of(&found, address)
            .into_iter()
            .filter(|(rule, _)| rule.starts_with("DR10"))
            .collect::<Vec<_>>()
    };
    assert!(tag_rules("aws_autoscaling_group.tagged").is_empty());
    assert_eq!(
        tag_rules("aws_autoscaling_group.untagged"),
        [("DR101", "definite")]
    );
    // Judged by the tier its tag blocks give.
    let tiers: Vec<&Value> = found["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["address"] == "aws_autoscaling_group.tagged")
        .map(|f| &f["tier"])
        .collect();
    assert!(tiers.iter().all(|tier| **tier == 2), "{tiers:?}");
}

#[test]
fn a_key_written_twice_in_an_object_takes_the_later_value() {
    let dir = tree(&[(
        "main.tf",
        r#"
resource "aws_dynamodb_table" "carts" {
  name = "carts"
  tags = {
    "dr-tier"   = "1"
    "rto-hours" = "0.25"
    "dr-tier"   = "3"
    "rto-hours" = "4"
  }
}
"#,
    )]);
    let found = report(&drlint_in(dir.path(), &["check", "--format", "json", "."]));
    assert_eq!(found["summary"]["input_errors"], 0, "{found:#?}");
    // Tier 3 (the later value): no cross-region copy is required.
    let rules = rules_of(&found, "aws_dynamodb_table.carts");
    assert!(!rules.iter().any(|(rule, _)| *rule == "DR601"), "{rules:?}");
    assert!(found["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .all(|f| f["tier"] == 3));
    // An attribute set twice in a block is an error in Terraform too.
    let twice = tree(&[(
        "main.tf",
        "resource \"aws_db_instance\" \"d\" {\n  multi_az = true\n  multi_az = false\n}\n",
    )]);
    let output = drlint_in(twice.path(), &["check", "--format", "json", "."]);
    assert_eq!(output.status.code(), Some(2));
    let errors = &report(&output)["input_errors"];
    assert_eq!(errors[0]["line"], 3);
    assert!(errors[0]["message"]
        .as_str()
        .is_some_and(|m| m.contains("`multi_az` is set twice")));
}

#[test]
fn module_cycles_and_cyclic_locals_are_reported_at_their_place() {
    let dir = tree(&[
        (
            "a/main.tf",
            "module \"b\" {\n  source = \"../b\"\n}\n\nresource \"aws_s3_bucket\" \"a\" {}\n",
        ),
        ("b/main.tf", "module \"a\" {\n  source = \"../a\"\n}\n"),
        (
            "c/main.tf",
            "locals {\n  x = local.y\n  y = local.x\n}\n\nresource \"aws_s3_bucket\" \"c\" {\n  bucket = local.x\n}\n",
        ),
    ]);
    let output = drlint_in(dir.path(), &["check", "--format", "json", "."]);
    assert_eq!(output.status.code(), Some(2));
    let found = report(&output);
    let errors: Vec<String> = found["input_errors"]
        .as_array()
        .expect("input_errors")
        .iter()
        .map(|e| {
            format!(
                "{}:{}: {}",
                e["file"].as_str().unwrap_or(""),
                e["line"],
                e["message"].as_str().unwrap_or("")
            )
        })
        .collect();
    assert!(
        errors
            .iter()
            .any(|e| e.starts_with("b/main.tf:1: module \"a\" calls a module that is already being instantiated: a → b → a")),
        "{errors:?}"
    );
    assert!(
        errors.iter().any(|e| e
            .starts_with("c/main.tf:2: local.x depends on itself: local.x → local.y → local.x")),
        "{errors:?}"
    );
    // The resources around a cycle are still judged.
    assert!(!rules_of(&found, "aws_s3_bucket.a").is_empty());
}

#[test]
fn hostile_counts_are_limits_with_a_place_and_a_flag() {
    let dir = tree(&[(
        "main.tf",
        r#"
resource "aws_s3_bucket" "huge" {
  count = 1e300
}

resource "aws_s3_bucket" "many" {
  count = 1000000000
}

resource "aws_s3_bucket" "fine" {
  count = 2
}
"#,
    )]);
    let output = drlint_in(dir.path(), &["check", "--format", "json", "."]);
    assert_eq!(output.status.code(), Some(2));
    let found = report(&output);
    let errors = found["input_errors"].as_array().expect("input_errors");
    assert_eq!(errors.len(), 2, "{errors:#?}");
    for (error, line) in errors.iter().zip([3, 7]) {
        assert_eq!(error["line"], line);
        let message = error["message"].as_str().unwrap_or("");
        assert!(
            message.contains("--limit resource-instances=N"),
            "{message}"
        );
    }
    assert!(!rules_of(&found, "aws_s3_bucket.fine[1]").is_empty());
    let raised = drlint_in(
        dir.path(),
        &[
            "check",
            "--format",
            "json",
            "--limit",
            "resource-instances=bad",
            ".",
        ],
    );
    assert_eq!(raised.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&raised.stderr).contains("not a whole number"));
}

#[test]
fn a_terragrunt_unit_is_its_module_with_generated_files_and_inputs() {
    // The layout of a Terragrunt monorepo: units under env/, modules under aws/, variable
    // declarations and the provider kept once in env/common and generated into every unit.
    let dir = tree(&[
        (
            "env/root.hcl",
            r#"
locals {
  env = get_env("DRLINT_TEST_UNSET_APP_ENV", "staging")
}

inputs = {
  env       = local.env
  domains   = "[\"forms.example\"]"
  core_tags = { CostCentre = "forms-${local.env}" }
}

generate "provider" {
  path      = "provider.tf"
  if_exists = "overwrite"
  contents  = file("./common/provider.tf")
}

generate "common_variables" {
  path      = "common_variables.tf"
  if_exists = "overwrite"
  contents  = file("./common/common_variables.tf")
}
"#,
        ),
        (
            "env/common/common_variables.tf",
            "variable \"env\" {\n  type = string\n}\n\nvariable \"domains\" {\n  type = list(string)\n}\n\nvariable \"core_tags\" {\n  type = map(string)\n}\n",
        ),
        (
            "env/common/provider.tf",
            "provider \"aws\" {\n  region = \"ca-central-1\"\n\n  default_tags {\n    tags = {\n      Terraform = true\n    }\n  }\n}\n",
        ),
        (
            "env/cloud/dynamodb/terragrunt.hcl",
            r#"
terraform {
  source = "../../../aws//dynamodb"
}

dependency "kms" {
  config_path  = "../kms"
  mock_outputs = { key_arn = "arn:aws:kms:ca-central-1:000000000000:key/mock" }
}

inputs = {
  kms_key_arn = dependency.kms.outputs.key_arn
}

include "root" {
  path = find_in_parent_folders("root.hcl")
}
"#,
        ),
        (
            "aws/dynamodb/main.tf",
            r#"
variable "kms_key_arn" {
  type = string
}

resource "aws_dynamodb_table" "vault" {
  name     = "vault-${var.env}"
  hash_key = "id"
  count    = length(var.domains)

  point_in_time_recovery {
    enabled = var.env != "development"
  }

  server_side_encryption {
    enabled     = true
    kms_key_arn = var.kms_key_arn
  }

  tags = var.core_tags
}
"#,
        ),
    ]);
    let output = drlint_in(dir.path(), &["check", "--format", "json", "."]);
    let found = report(&output);
    assert_eq!(found["input_errors"], serde_json::json!([]), "{found:#?}");
    assert_eq!(
        found["notes"],
        serde_json::json!([]),
        "every variable has a value"
    );
    // One root: the unit (aws/dynamodb and env/common are parts of it).
    let roots: std::collections::BTreeSet<&str> = found["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter_map(|f| f["root"].as_str())
        .collect();
    assert_eq!(
        roots.into_iter().collect::<Vec<_>>(),
        ["env/cloud/dynamodb"]
    );
    // count = length(["forms.example"]): one table, whose tags are known and lack dr-tier,
    // with point-in-time recovery on (env is staging).
    let table = rules_of(&found, "aws_dynamodb_table.vault[0]");
    assert!(table.contains(&("DR101", "definite")), "{table:?}");
    assert!(table.contains(&("DR601", "definite")), "{table:?}");
    assert!(!table.iter().any(|(rule, _)| *rule == "DR502"), "{table:?}");
    assert!(found["findings"][0]["file"]
        .as_str()
        .is_some_and(|file| file == "aws/dynamodb/main.tf"));
}

/// A `terraform show -json` plan of `changes` (resource change objects) with the resources'
/// configuration blocks `config` and the provider configuration `provider`.
fn plan(changes: &str, config: &str, provider: &str) -> String {
    format!(
        r#"{{"format_version": "1.2", "terraform_version": "1.9.8",
  "resource_changes": [{changes}],
  "configuration": {{"provider_config": {{"aws": {provider}}},
    "root_module": {{"resources": [{config}]}}}}}}"#
    )
}

#[test]
fn plans_read_computed_attributes_the_configuration_leaves_out_as_provider_defaults() {
    // A create plan as the AWS provider writes it: multi_az, replica and tags_all are known
    // only after apply, and the configuration writes none of them.
    let changes = r#"
{"address": "aws_db_instance.orders", "mode": "managed", "type": "aws_db_instance", "name": "orders",
 "provider_name": "registry.terraform.io/hashicorp/aws",
 "change": {"actions": ["create"], "before": null,
   "after": {"identifier": "orders", "engine": "postgres", "tags": {"Team": "orders"}},
   "after_unknown": {"multi_az": true, "tags_all": true, "arn": true, "id": true,
                     "backup_retention_period": true, "replicate_source_db": true}}},
{"address": "aws_secretsmanager_secret.db", "mode": "managed", "type": "aws_secretsmanager_secret", "name": "db",
 "provider_name": "registry.terraform.io/hashicorp/aws",
 "change": {"actions": ["create"], "before": null,
   "after": {"name": "orders/db", "tags": {"dr-tier": "2", "rto-hours": "1"}},
   "after_unknown": {"replica": true, "tags_all": true, "arn": true}}}"#;
    let config = r#"
{"address": "aws_db_instance.orders", "mode": "managed", "type": "aws_db_instance", "name": "orders",
 "provider_config_key": "aws",
 "expressions": {"identifier": {"constant_value": "orders"}, "engine": {"constant_value": "postgres"},
                 "tags": {"constant_value": {"Team": "orders"}}}},
{"address": "aws_secretsmanager_secret.db", "mode": "managed", "type": "aws_secretsmanager_secret", "name": "db",
 "provider_config_key": "aws",
 "expressions": {"name": {"constant_value": "orders/db"},
                 "tags": {"constant_value": {"dr-tier": "2", "rto-hours": "1"}}}}"#;
    let provider = r#"{"name": "aws", "full_name": "registry.terraform.io/hashicorp/aws",
                       "expressions": {"region": {"constant_value": "eu-west-1"}}}"#;
    let dir = tree(&[("plan.json", &plan(changes, config, provider))]);
    let found = report(&drlint_in(
        dir.path(),
        &["check", "--format", "json", "plan.json"],
    ));
    let db = rules_of(&found, "aws_db_instance.orders");
    // No dr-tier in its own tags and no default tags: definitely untagged, tier 1.
    for rule in ["DR101", "DR201", "DR501", "DR601"] {
        assert!(db.contains(&(rule, "definite")), "{rule}: {db:?}");
    }
    // The secret's tier 2 is known from its own tags; its missing replica is definite.
    let secret = rules_of(&found, "aws_secretsmanager_secret.db");
    assert_eq!(secret, [("DR401", "definite")], "{found:#?}");
    assert_eq!(
        found["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .find(|f| f["address"] == "aws_secretsmanager_secret.db")
            .expect("DR401")["tier"],
        2
    );
}

#[test]
fn an_update_plans_empty_replica_source_is_a_primary() {
    // Every update plan of an existing database carries replicate_source_db = "".
    let changes = r#"
{"address": "aws_db_instance.orders", "mode": "managed", "type": "aws_db_instance", "name": "orders",
 "change": {"actions": ["update"],
   "before": {"identifier": "orders", "multi_az": false, "replicate_source_db": "", "allocated_storage": 20},
   "after": {"identifier": "orders", "multi_az": false, "replicate_source_db": "", "allocated_storage": 50,
             "backup_retention_period": 7, "deletion_protection": true,
             "tags": {"dr-tier": "1", "rto-hours": "0.25"}, "tags_all": {"dr-tier": "1", "rto-hours": "0.25"}},
   "after_unknown": {}}}"#;
    let config = r#"
{"address": "aws_db_instance.orders", "mode": "managed", "type": "aws_db_instance", "name": "orders",
 "provider_config_key": "aws",
 "expressions": {"identifier": {"constant_value": "orders"}, "allocated_storage": {"constant_value": 50}}}"#;
    let dir = tree(&[("plan.json", &plan(changes, config, r#"{"name": "aws"}"#))]);
    let found = report(&drlint_in(
        dir.path(),
        &["check", "--format", "json", "plan.json"],
    ));
    let db = rules_of(&found, "aws_db_instance.orders");
    assert!(db.contains(&("DR201", "definite")), "{db:?}");
    assert!(db.contains(&("DR601", "definite")), "{db:?}");
}

#[test]
fn an_auto_scaling_groups_tags_in_a_plan_are_its_tag_blocks() {
    let changes = r#"
{"address": "aws_autoscaling_group.web", "mode": "managed", "type": "aws_autoscaling_group", "name": "web",
 "change": {"actions": ["create"], "before": null,
   "after": {"min_size": 2, "max_size": 4, "availability_zones": ["eu-west-1a", "eu-west-1b"],
             "tag": [{"key": "dr-tier", "value": "2", "propagate_at_launch": true},
                     {"key": "rto-hours", "value": "1", "propagate_at_launch": true}]},
   "after_unknown": {"arn": true, "id": true}}},
{"address": "aws_autoscaling_group.batch", "mode": "managed", "type": "aws_autoscaling_group", "name": "batch",
 "change": {"actions": ["create"], "before": null,
   "after": {"min_size": 1, "max_size": 2, "availability_zones": ["eu-west-1a", "eu-west-1b"],
             "tag": [{"key": "Name", "value": "batch", "propagate_at_launch": true}]},
   "after_unknown": {"arn": true, "id": true}}}"#;
    let dir = tree(&[("plan.json", &plan(changes, "", r#"{"name": "aws"}"#))]);
    let found = report(&drlint_in(
        dir.path(),
        &["check", "--format", "json", "plan.json"],
    ));
    assert!(
        rules_of(&found, "aws_autoscaling_group.web").is_empty(),
        "{found:#?}"
    );
    assert_eq!(
        rules_of(&found, "aws_autoscaling_group.batch"),
        [("DR101", "definite")]
    );
}
