//! Loading and evaluating Terraform trees: one test per evaluation feature, through the public
//! `load_tree` API on real files.

use std::path::PathBuf;

use drlint::hcl::{load_tree, VariableInputs};
use drlint::model::Model;
use drlint::settings::Settings;
use drlint::source::SourceMap;
use drlint::value::{Fact, Value};

fn load(files: &[(&str, &str)], inputs: VariableInputs) -> (Model, tempfile::TempDir) {
    let (model, errors, dir) = load_reporting(files, inputs);
    assert!(errors.is_empty(), "{errors:?}");
    (model, dir)
}

/// Loads a tree and returns the input errors too, as `path:line:col: message` with the path
/// relative to the tree.
fn load_reporting(
    files: &[(&str, &str)],
    inputs: VariableInputs,
) -> (Model, Vec<String>, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("tempdir");
    for (name, text) in files {
        let path = dir.path().join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("mkdir");
        }
        std::fs::write(path, text).expect("write");
    }
    let mut sources = SourceMap::default();
    let mut errors = Vec::new();
    let settings = Settings {
        inputs,
        ..Settings::default()
    };
    let model = load_tree(
        &[dir.path().to_path_buf()],
        &settings,
        &mut sources,
        &mut errors,
    );
    let root = dir.path().display().to_string();
    let errors = errors
        .iter()
        .map(|error| error.to_string().replace(&root, "ROOT"))
        .collect();
    (model, errors, dir)
}

fn addresses(model: &Model) -> Vec<&str> {
    let mut out: Vec<&str> = model.resources.iter().map(|r| &*r.address).collect();
    out.sort();
    out
}

#[test]
fn count_and_for_each_write_terraform_addresses() {
    let (model, _dir) = load(
        &[(
            "main.tf",
            r#"
        variable "dbs" { default = { orders = 1, carts = 2 } }
        resource "aws_db_instance" "db" { for_each = var.dbs }
        resource "aws_db_instance" "replica" { count = 2 }
        resource "aws_db_instance" "none" { count = 0 }
        resource "aws_db_instance" "set" { for_each = toset(["b", "a", "b"]) }
    "#,
        )],
        VariableInputs::default(),
    );
    assert_eq!(
        addresses(&model),
        [
            "aws_db_instance.db[\"carts\"]",
            "aws_db_instance.db[\"orders\"]",
            "aws_db_instance.replica[0]",
            "aws_db_instance.replica[1]",
            "aws_db_instance.set[\"a\"]",
            "aws_db_instance.set[\"b\"]",
        ]
    );
}

#[test]
fn variable_precedence_default_env_tfvars_auto_varfile_var() {
    let files = [
        (
            "root/main.tf",
            r#"
            variable "a" { default = "default" }
            variable "b" { default = "default" }
            variable "c" { default = "default" }
            variable "d" { default = "default" }
            variable "e" { default = "default" }
            resource "aws_s3_bucket" "x" { tags = { a = var.a, b = var.b, c = var.c, d = var.d, e = var.e } }
        "#,
        ),
        (
            "root/terraform.tfvars",
            "b = \"tfvars\"\nc = \"tfvars\"\nd = \"tfvars\"\ne = \"tfvars\"\n",
        ),
        (
            "root/x.auto.tfvars",
            "c = \"auto\"\nd = \"auto\"\ne = \"auto\"\n",
        ),
        ("extra.tfvars", "d = \"file\"\ne = \"file\"\n"),
    ];
    let dir = tempfile::tempdir().expect("tempdir");
    let inputs = VariableInputs {
        environment: vec![("a".into(), "env".into()), ("b".into(), "env".into())],
        var_files: vec![dir.path().join("extra.tfvars")],
        vars: vec![("e".into(), "cli".into())],
    };
    for (name, text) in &files {
        let path = dir.path().join(name);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(path, text).expect("write");
    }
    let mut sources = SourceMap::default();
    let mut errors = Vec::new();
    let settings = Settings {
        inputs,
        ..Settings::default()
    };
    let model = load_tree(
        &[dir.path().join("root")],
        &settings,
        &mut sources,
        &mut errors,
    );
    assert!(errors.is_empty(), "{errors:?}");
    let bucket = &model.resources[0];
    for (key, expected) in [
        ("a", "env"),
        ("b", "tfvars"),
        ("c", "auto"),
        ("d", "file"),
        ("e", "cli"),
    ] {
        assert_eq!(
            bucket.tag(key),
            Fact::Known(&Value::String(expected.into())),
            "{key}"
        );
    }
}

#[test]
fn modules_at_depth_get_caller_values_and_inherit_default_tags() {
    let (model, _dir) = load(
        &[
            (
                "live/main.tf",
                r#"
            provider "aws" {
              default_tags {
                tags = { "dr-tier" = "2", team = "core" }
              }
            }
            module "app" {
              source = "../modules/app"
              for_each = { eu = "eu-west-1" }
              region = each.value
            }
        "#,
            ),
            (
                "modules/app/main.tf",
                r#"
            variable "region" {}
            module "db" {
              source = "./db"
              name   = "app-${var.region}"
              create = false
            }
            module "db2" {
              source = "./db"
              name   = "app2"
            }
        "#,
            ),
            (
                "modules/app/db/main.tf",
                r#"
            variable "name" {}
            variable "create" { default = true }
            resource "aws_db_instance" "this" {
              count      = var.create ? 1 : 0
              identifier = var.name
              tags       = { team = "db" }
            }
        "#,
            ),
        ],
        VariableInputs::default(),
    );
    // Only live/ is a root; create = false produces nothing.
    assert_eq!(
        addresses(&model),
        ["module.app[\"eu\"].module.db2.aws_db_instance.this[0]"]
    );
    let db = &model.resources[0];
    assert_eq!(
        db.get(&["identifier"]),
        Fact::Known(&Value::String("app2".into()))
    );
    assert_eq!(db.tag("dr-tier"), Fact::Known(&Value::String("2".into())));
    assert_eq!(db.tag("team"), Fact::Known(&Value::String("db".into())));
}

#[test]
fn unset_variables_and_resource_attributes_are_unknown_not_false() {
    let (model, _dir) = load(
        &[(
            "main.tf",
            r#"
        variable "multi_az" {}
        resource "aws_kms_key" "k" {}
        resource "aws_db_instance" "db" {
          multi_az   = var.multi_az
          kms_key_id = aws_kms_key.k.arn
          storage_encrypted = var.multi_az ? true : true
        }
    "#,
        )],
        VariableInputs::default(),
    );
    let db = model
        .resources
        .iter()
        .find(|r| r.resource_type == "aws_db_instance")
        .expect("db");
    assert_eq!(db.get(&["multi_az"]), Fact::Unknown);
    assert_eq!(db.get(&["kms_key_id"]), Fact::Unknown);
    // Both branches agree, so the unknown condition does not matter.
    assert_eq!(
        db.get(&["storage_encrypted"]),
        Fact::Known(&Value::Bool(true))
    );
    assert!(model
        .notes
        .iter()
        .any(|n| n.message.contains("\"multi_az\" has no value")));
}

#[test]
fn locals_for_expressions_functions_and_dynamic_blocks() {
    let (model, _dir) = load(
        &[(
            "main.tf",
            r#"
        locals {
          regions  = ["eu-central-1", "us-east-1", "eu-west-2"]
          eu       = [for r in local.regions : upper(r) if startswith(r, "eu")]
          by_name  = { for r in local.regions : r => length(r) }
          tags     = merge({ a = "1" }, lookup({ x = { b = "2" } }, "x", {}), { c = format("%s-%d", "c", 3) })
          joined   = join(",", flatten([["a"], ["b", "c"]]))
          fallback = try(local.by_name.missing, "fallback")
          n        = length(distinct(concat(local.regions, ["us-east-1"])))
        }
        resource "aws_secretsmanager_secret" "s" {
          tags = merge(local.tags, { eu = join(" ", local.eu), joined = local.joined, fb = local.fallback, n = local.n, k = keys(local.by_name)[0] })
          dynamic "replica" {
            for_each = [for r in local.regions : r if r != "us-east-1"]
            content { region = replica.value }
          }
        }
    "#,
        )],
        VariableInputs::default(),
    );
    let secret = &model.resources[0];
    let tag = |key: &str| match secret.tag(key) {
        Fact::Known(value) => value.to_string_value().unwrap_or_default(),
        other => panic!("{key}: {other:?}"),
    };
    assert_eq!(tag("a"), "1");
    assert_eq!(tag("b"), "2");
    assert_eq!(tag("c"), "c-3");
    assert_eq!(tag("eu"), "EU-CENTRAL-1 EU-WEST-2");
    assert_eq!(tag("joined"), "a,b,c");
    assert_eq!(tag("fb"), "fallback");
    assert_eq!(tag("n"), "3");
    assert_eq!(tag("k"), "eu-central-1");
    let Fact::Known(Value::List(replicas)) = secret.get(&["replica"]) else {
        panic!("replicas")
    };
    assert_eq!(replicas.len(), 2);
}

#[test]
fn installed_remote_modules_are_read_from_dot_terraform() {
    let (model, _dir) = load(&[
        ("main.tf", "module \"db\" {\n  source = \"terraform-aws-modules/rds/aws\"\n  multi = true\n}\n"),
        (".terraform/modules/modules.json", r#"{"Modules":[{"Key":"","Source":"","Dir":"."},{"Key":"db","Source":"registry.terraform.io/terraform-aws-modules/rds/aws","Dir":".terraform/modules/db"}]}"#),
        (".terraform/modules/db/main.tf", "variable \"multi\" {}\nresource \"aws_db_instance\" \"this\" { multi_az = var.multi }\n"),
    ], VariableInputs::default());
    assert_eq!(addresses(&model), ["module.db.aws_db_instance.this"]);
    assert_eq!(
        model.resources[0].get(&["multi_az"]),
        Fact::Known(&Value::Bool(true))
    );
}

#[test]
fn module_outputs_flow_back_to_the_caller() {
    let (model, _dir) = load(&[
        ("main.tf", "module \"names\" {\n  source = \"./names\"\n}\nresource \"aws_s3_bucket\" \"b\" {\n  bucket = module.names.bucket\n}\n"),
        ("names/main.tf", "output \"bucket\" {\n  value = \"acme-${lower(\"INVOICES\")}\"\n}\n"),
    ], VariableInputs::default());
    let bucket = model
        .resources
        .iter()
        .find(|r| r.resource_type == "aws_s3_bucket")
        .expect("bucket");
    assert_eq!(
        bucket.get(&["bucket"]),
        Fact::Known(&Value::String("acme-invoices".into()))
    );
    let _ = PathBuf::new();
}

#[test]
fn provider_aliases_and_providers_maps_pick_default_tags_and_region() {
    let (model, _dir) = load(
        &[
            (
                "main.tf",
                r#"
            provider "aws" {
              region = "eu-west-1"
              default_tags {
                tags = { "dr-tier" = "1", site = "primary" }
              }
            }
            provider "aws" {
              alias  = "dr"
              region = "eu-central-1"
              default_tags {
                tags = { "dr-tier" = "1", site = "recovery" }
              }
            }
            resource "aws_s3_bucket" "primary" {}
            resource "aws_s3_bucket" "replica" {
              provider = aws.dr
            }
            module "inherits" {
              source = "./child"
            }
            module "mapped" {
              source    = "./child"
              providers = { aws = aws.dr }
            }
        "#,
            ),
            (
                "child/main.tf",
                "resource \"aws_s3_bucket\" \"this\" {\n  tags = { site = \"child\" }\n}\n",
            ),
        ],
        VariableInputs::default(),
    );
    let find = |address: &str| {
        model
            .resources
            .iter()
            .find(|r| &*r.address == address)
            .expect(address)
    };
    let region = |address: &str| find(address).region.as_str().map(str::to_owned);
    assert_eq!(
        region("aws_s3_bucket.primary").as_deref(),
        Some("eu-west-1")
    );
    assert_eq!(
        region("aws_s3_bucket.replica").as_deref(),
        Some("eu-central-1")
    );
    assert_eq!(
        region("module.inherits.aws_s3_bucket.this").as_deref(),
        Some("eu-west-1")
    );
    assert_eq!(
        region("module.mapped.aws_s3_bucket.this").as_deref(),
        Some("eu-central-1")
    );
    // Resource tags override default tags key by key.
    let child = find("module.mapped.aws_s3_bucket.this");
    assert_eq!(
        child.tag("site"),
        Fact::Known(&Value::String("child".into()))
    );
    assert_eq!(
        child.tag("dr-tier"),
        Fact::Known(&Value::String("1".into()))
    );
}

#[test]
fn unknown_count_marks_instances_uncertain_and_zero_count_modules_vanish() {
    let (model, _dir) = load(&[
        ("main.tf", r#"
            variable "enabled" { type = bool }
            resource "aws_db_instance" "maybe" {
              count = var.enabled ? 1 : 0
            }
            module "off" {
              source = "./child"
              count  = 0
            }
            module "per_region" {
              source   = "./child"
              for_each = toset(["eu-west-1", "us-east-1"])
              name     = each.key
            }
        "#),
        ("child/main.tf", "variable \"name\" {\n  default = \"x\"\n}\nresource \"aws_dynamodb_table\" \"t\" {\n  name = var.name\n}\n"),
    ], VariableInputs::default());
    assert_eq!(
        addresses(&model),
        [
            "aws_db_instance.maybe",
            "module.per_region[\"eu-west-1\"].aws_dynamodb_table.t",
            "module.per_region[\"us-east-1\"].aws_dynamodb_table.t",
        ]
    );
    assert!(
        model
            .resources
            .iter()
            .find(|r| &*r.address == "aws_db_instance.maybe")
            .expect("maybe")
            .expansion_unknown
    );
}

#[test]
fn cycles_and_self_calls_are_reported_where_they_are() {
    let (model, errors, _dir) = load_reporting(
        &[
            (
                "main.tf",
                r#"
            locals {
              a = local.b
              b = local.a
              name = module.child.name
            }
            module "child" {
              source = "./child"
              name   = local.name
            }
            module "self" {
              source = "./"
            }
            resource "aws_s3_bucket" "b" { bucket = local.a }
        "#,
            ),
            (
                "child/main.tf",
                "variable \"name\" {}\noutput \"name\" {\n  value = var.name\n}\n",
            ),
        ],
        VariableInputs::default(),
    );
    assert!(model
        .resources
        .iter()
        .any(|r| &*r.address == "aws_s3_bucket.b" && r.get(&["bucket"]) == Fact::Unknown));
    assert_eq!(
        errors,
        [
            "ROOT/main.tf:3:19: local.a depends on itself: local.a → local.b → local.a; Terraform rejects such a cycle, so its value is unknown",
            "ROOT/main.tf:7:13: module.child depends on itself: module.child → local.name → module.child; Terraform rejects such a cycle, so its value is unknown",
            "ROOT/main.tf:11:13: module \"self\" calls a module that is already being instantiated: ROOT → ROOT; a module cannot contain itself, so this call is not followed",
        ]
    );
}

#[test]
fn tags_from_a_dr_tier_resource_are_known_before_apply() {
    let (model, _dir) = load(
        &[(
            "main.tf",
            r#"
        resource "dr_tier" "critical" {
          name  = "critical"
          level = 1
          rto   = "15m"
          rpo   = "1m"
        }
        provider "aws" {
          default_tags {
            tags = dr_tier.critical.tags
          }
        }
        resource "aws_dynamodb_table" "orders" {
          name = "orders"
        }
    "#,
        )],
        VariableInputs::default(),
    );
    let table = model
        .resources
        .iter()
        .find(|r| r.resource_type == "aws_dynamodb_table")
        .expect("table");
    assert_eq!(
        table.tag("dr-tier"),
        Fact::Known(&Value::String("1".into()))
    );
    assert_eq!(
        table.tag("rto-hours"),
        Fact::Known(&Value::String("0.25".into()))
    );
}

#[test]
fn json_syntax_files_are_evaluated_like_hcl() {
    let (model, dir) = load(
        &[(
            "main.tf.json",
            r#"{
  "variable": {"env": {"default": "prod"}},
  "locals": {"name": "orders-${var.env}"},
  "provider": {"aws": {"region": "eu-west-1", "default_tags": {"tags": {"dr-tier": "2"}}}},
  "resource": {
    "aws_db_instance": {
      "orders": {"identifier": "${local.name}", "multi_az": false, "count": 2}
    }
  }
}"#,
        )],
        VariableInputs::default(),
    );
    assert_eq!(
        addresses(&model),
        ["aws_db_instance.orders[0]", "aws_db_instance.orders[1]"]
    );
    let db = &model.resources[0];
    assert_eq!(
        db.get(&["identifier"]),
        Fact::Known(&Value::String("orders-prod".into()))
    );
    assert_eq!(db.tag("dr-tier"), Fact::Known(&Value::String("2".into())));
    // Findings point at the resource name in the JSON file.
    let run = drlint::check::check(&[dir.path().to_path_buf()], &Settings::default());
    let finding = run
        .findings
        .iter()
        .find(|f| f.rule.code == "DR201")
        .expect("DR201");
    let span = finding.span.clone().expect("span");
    let text = std::fs::read_to_string(dir.path().join("main.tf.json")).expect("read");
    assert_eq!(&text[span], "\"orders\"");
}

#[test]
fn collection_and_encoding_functions_real_modules_use() {
    // The shapes terraform-aws-modules and cloudposse modules compute their settings with.
    let (model, _dir) = load(
        &[(
            "main.tf",
            r#"
        variable "azs" { default = ["eu-west-1a", "eu-west-1b", "eu-west-1c"] }
        variable "cache_overrides" { default = null }
        locals {
          subnet_names = ["app-a", "app-b", "app-c"]
          by_zone      = zipmap(var.azs, local.subnet_names)
          as_map       = tomap({ tier = "2" })
          as_list      = tolist(toset(["b", "a"]))
          node_type    = coalesce(var.cache_overrides, "cache.r6g.large")
          has_lookup   = can(local.by_zone["eu-west-1b"])
          no_lookup    = can(local.by_zone["us-east-1a"])
          second_zone  = element(var.azs, 4)
          zone_names   = join("+", values(local.by_zone))
          prefix       = split("-", "orders-prod")[0]
          normalized   = replace("orders_prod_db", "_", "-")
          policy       = jsonencode({ Version = "2012-10-17", Statement = [] })
        }
        resource "aws_elasticache_replication_group" "cache" {
          replication_group_id = local.normalized
          node_type            = local.node_type
          tags = merge(local.as_map, {
            first  = local.as_list[0]
            lookup = tostring(local.has_lookup)
            miss   = tostring(local.no_lookup)
            zone   = local.second_zone
            names  = local.zone_names
            prefix = local.prefix
            policy = local.policy
          })
        }
    "#,
        )],
        VariableInputs::default(),
    );
    let cache = &model.resources[0];
    let tag = |key: &str| match cache.tag(key) {
        Fact::Known(value) => value.to_string_value().unwrap_or_default(),
        other => panic!("{key}: {other:?}"),
    };
    assert_eq!(tag("tier"), "2");
    assert_eq!(tag("first"), "a");
    assert_eq!(tag("lookup"), "true");
    assert_eq!(tag("miss"), "false");
    // element() wraps around, as in Terraform.
    assert_eq!(tag("zone"), "eu-west-1b");
    assert_eq!(tag("names"), "app-a+app-b+app-c");
    assert_eq!(tag("prefix"), "orders");
    assert_eq!(tag("policy"), r#"{"Statement":[],"Version":"2012-10-17"}"#);
    assert_eq!(
        cache.get(&["node_type"]),
        Fact::Known(&Value::String("cache.r6g.large".into()))
    );
    assert_eq!(
        cache.get(&["replication_group_id"]),
        Fact::Known(&Value::String("orders-prod-db".into()))
    );
}

#[test]
fn references_name_one_instance_when_the_key_is_known() {
    let (model, _dir) = load(
        &[(
            "main.tf",
            r#"
        resource "aws_subnet" "private" {
          for_each          = { a = "eu-west-1a", b = "eu-west-1b" }
          availability_zone = each.value
        }
        resource "aws_lb" "one" { subnets = [aws_subnet.private["a"].id] }
        resource "aws_lb" "all" { subnets = values(aws_subnet.private)[*].id }
        resource "aws_db_instance" "primary" { count = 1 }
        resource "aws_db_instance" "replica" { replicate_source_db = aws_db_instance.primary[0].identifier }
    "#,
        )],
        VariableInputs::default(),
    );
    let find = |address: &str| {
        model
            .resources
            .iter()
            .find(|r| &*r.address == address)
            .unwrap_or_else(|| panic!("{address}"))
    };
    let scope = &find("aws_lb.one").scope;
    assert_eq!(
        find("aws_lb.one").references["subnets"],
        [format!("{scope}::aws_subnet.private[\"a\"]")]
    );
    assert_eq!(
        find("aws_lb.all").references["subnets"],
        [format!("{scope}::aws_subnet.private")]
    );
    assert_eq!(
        find("aws_db_instance.replica").references["replicate_source_db"],
        [format!("{scope}::aws_db_instance.primary[0]")]
    );
}

#[test]
fn remote_modules_not_on_disk_are_recorded_unless_switched_off() {
    let (model, _dir) = load(
        &[
            (
                "main.tf",
                r#"
        variable "create_bastion" { default = false }
        module "vpc" {
          source  = "terraform-aws-modules/vpc/aws"
          version = "~> 5.8"
          name    = "shop"
        }
        module "bastion" {
          source = "cloudposse/ec2-bastion-server/aws"
          count  = var.create_bastion ? 1 : 0
        }
        module "app" {
          source   = "./modules/app"
          for_each = toset(["eu", "us"])
        }
    "#,
            ),
            (
                "modules/app/main.tf",
                r#"
        module "queue" {
          source = "git::https://example.com/queue.git?ref=v1.2.0"
        }
    "#,
            ),
        ],
        VariableInputs::default(),
    );
    let mut unresolved: Vec<(&str, &str)> = model
        .unresolved_modules
        .iter()
        .map(|call| (&*call.address, call.source.as_str()))
        .collect();
    unresolved.sort();
    assert_eq!(
        unresolved,
        [
            (
                "module.app[\"eu\"].module.queue",
                "git::https://example.com/queue.git?ref=v1.2.0"
            ),
            (
                "module.app[\"us\"].module.queue",
                "git::https://example.com/queue.git?ref=v1.2.0"
            ),
            ("module.vpc", "terraform-aws-modules/vpc/aws"),
        ]
    );
    assert!(model
        .unresolved_modules
        .iter()
        .all(|call| call.header.is_some()));
}
