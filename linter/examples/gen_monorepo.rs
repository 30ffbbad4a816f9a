//! Generates a benchmark monorepo: `cargo run --release -p drlint --example gen_monorepo -- DIR [SERVICES]`.
//!
//! Layout, in the style of a company monorepo built on shared modules: `modules/` holds five
//! shared modules; each of SERVICES services (default 85) has its own `modules/app` wrapper and
//! three environments (`dev`, `staging`, `prod`) with provider `default_tags`, tfvars, `count`,
//! `for_each` and `create` switches. 85 services make 1,035 `.tf` files.
//!
//! Also writes `plan.json` (a `terraform show -json` document) when given `--plan MEGABYTES`,
//! and `flat/main.tf`, one root module of that many megabytes of resources written out one
//! by one (the shape that costs the most memory per byte of input), when given
//! `--flat MEGABYTES`.

use std::fmt::Write as _;
use std::path::Path;

const SHARED: &[(&str, &str)] = &[
    (
        "aurora",
        r#"variable "create" {
  type    = bool
  default = true
}

variable "name" {
  type = string
}

variable "instance_count" {
  type    = number
  default = 2
}

variable "backup_retention_period" {
  type    = number
  default = 7
}

variable "tags" {
  type    = map(string)
  default = {}
}
"#,
    ),
    (
        "secret",
        r#"variable "name" {
  type = string
}

variable "replica_regions" {
  type    = list(string)
  default = []
}

variable "kms_key_id" {
  type    = string
  default = null
}
"#,
    ),
    (
        "cache",
        r#"variable "name" {
  type = string
}

variable "replicas" {
  type    = number
  default = 1
}
"#,
    ),
    (
        "bucket",
        r#"variable "name" {
  type = string
}

variable "versioning" {
  type    = bool
  default = true
}
"#,
    ),
    (
        "table",
        r#"variable "name" {
  type = string
}

variable "replica_regions" {
  type    = list(string)
  default = []
}
"#,
    ),
];

const SHARED_MAIN: &[(&str, &str)] = &[
    (
        "aurora",
        r#"locals {
  instances = var.create ? { for i in range(var.instance_count) : "i${i}" => i } : {}
}

resource "aws_rds_cluster" "this" {
  count                   = var.create ? 1 : 0
  cluster_identifier      = var.name
  engine                  = "aurora-postgresql"
  backup_retention_period = var.backup_retention_period
  storage_encrypted       = true
  tags                    = merge(var.tags, { Name = var.name })
}

resource "aws_rds_cluster_instance" "this" {
  for_each           = local.instances
  identifier         = "${var.name}-${each.key}"
  cluster_identifier = aws_rds_cluster.this[0].id
  instance_class     = "db.r6g.large"
  engine             = "aurora-postgresql"
}
"#,
    ),
    (
        "secret",
        r#"resource "aws_secretsmanager_secret" "this" {
  name       = var.name
  kms_key_id = var.kms_key_id

  dynamic "replica" {
    for_each = toset(var.replica_regions)
    content {
      region = replica.value
    }
  }
}
"#,
    ),
    (
        "cache",
        r#"resource "aws_elasticache_replication_group" "this" {
  replication_group_id       = var.name
  description                = "cache for ${var.name}"
  num_cache_clusters         = var.replicas + 1
  automatic_failover_enabled = var.replicas > 0
  multi_az_enabled           = var.replicas > 0
  snapshot_retention_limit   = 7
}
"#,
    ),
    (
        "bucket",
        r#"resource "aws_s3_bucket" "this" {
  bucket = var.name
}

resource "aws_s3_bucket_versioning" "this" {
  count  = var.versioning ? 1 : 0
  bucket = aws_s3_bucket.this.id

  versioning_configuration {
    status = "Enabled"
  }
}
"#,
    ),
    (
        "table",
        r#"resource "aws_dynamodb_table" "this" {
  name         = var.name
  billing_mode = "PAY_PER_REQUEST"
  hash_key     = "id"

  attribute {
    name = "id"
    type = "S"
  }

  point_in_time_recovery {
    enabled = true
  }

  dynamic "replica" {
    for_each = toset(var.replica_regions)
    content {
      region_name = replica.value
    }
  }
}
"#,
    ),
];

fn write(path: &Path, text: &str) -> std::io::Result<()> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    std::fs::write(path, text)
}

fn main() -> std::io::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(dir) = args.first() else {
        eprintln!("usage: gen_monorepo DIR [SERVICES] [--plan MEGABYTES] [--flat MEGABYTES]");
        std::process::exit(2);
    };
    let dir = Path::new(dir);
    let services: usize = args.get(1).and_then(|n| n.parse().ok()).unwrap_or(85);
    let plan_megabytes: Option<usize> = args
        .iter()
        .position(|a| a == "--plan")
        .and_then(|i| args.get(i + 1))
        .and_then(|n| n.parse().ok());
    let flat_megabytes: Option<usize> = args
        .iter()
        .position(|a| a == "--flat")
        .and_then(|i| args.get(i + 1))
        .and_then(|n| n.parse().ok());
    if let Some(megabytes) = flat_megabytes {
        write_flat(&dir.join("flat/main.tf"), megabytes * 1024 * 1024)?;
    }
    let mut files = 0;
    for ((name, variables), (_, main)) in SHARED.iter().zip(SHARED_MAIN) {
        write(&dir.join(format!("modules/{name}/variables.tf")), variables)?;
        write(&dir.join(format!("modules/{name}/main.tf")), main)?;
        write(
            &dir.join(format!("modules/{name}/outputs.tf")),
            "output \"name\" {\n  value = var.name\n}\n",
        )?;
        files += 3;
    }
    for service in 0..services {
        let root = dir.join(format!("services/svc-{service:03}"));
        write(
            &root.join("modules/app/variables.tf"),
            r#"variable "environment" {
  type = string
}

variable "service" {
  type = string
}

variable "recovery_region" {
  type    = string
  default = null
}

variable "create_database" {
  type    = bool
  default = true
}
"#,
        )?;
        write(
            &root.join("modules/app/main.tf"),
            r#"locals {
  name     = "${var.service}-${var.environment}"
  replicas = compact([var.recovery_region])
}

resource "aws_kms_key" "data" {
  description  = "${local.name} data"
  multi_region = var.recovery_region != null
}

module "db" {
  source                  = "../../../../modules/aurora"
  create                  = var.create_database
  name                    = "${local.name}-db"
  instance_count          = var.environment == "prod" ? 2 : 1
  backup_retention_period = var.environment == "prod" ? 14 : 7
}

module "db_secret" {
  source          = "../../../../modules/secret"
  name            = "${local.name}/db"
  replica_regions = local.replicas
  kms_key_id      = aws_kms_key.data.arn
}

module "cache" {
  source   = "../../../../modules/cache"
  name     = "${local.name}-cache"
  replicas = var.environment == "dev" ? 0 : 1
}

module "assets" {
  source = "../../../../modules/bucket"
  name   = "${local.name}-assets"
}

module "state" {
  source          = "../../../../modules/table"
  for_each        = toset(["orders", "carts"])
  name            = "${local.name}-${each.key}"
  replica_regions = local.replicas
}
"#,
        )?;
        write(
            &root.join("modules/app/outputs.tf"),
            "output \"kms_key_arn\" {\n  value = aws_kms_key.data.arn\n}\n",
        )?;
        files += 3;
        for (environment, tier) in [("dev", 3), ("staging", 2), ("prod", 1)] {
            let env = root.join(format!("envs/{environment}"));
            let rto = match tier {
                1 => "0.25",
                2 => "1",
                _ => "4",
            };
            write(
                &env.join("providers.tf"),
                &format!(
                    r#"provider "aws" {{
  region = "eu-west-1"

  default_tags {{
    tags = {{
      service     = var.service
      environment = "{environment}"
      "dr-tier"   = "{tier}"
      "rto-hours" = "{rto}"
    }}
  }}
}}
"#
                ),
            )?;
            write(&env.join("variables.tf"), "variable \"service\" {\n  type = string\n}\n\nvariable \"recovery_region\" {\n  type    = string\n  default = null\n}\n")?;
            write(
                &env.join("main.tf"),
                &format!(
                    r#"module "app" {{
  source          = "../../modules/app"
  environment     = "{environment}"
  service         = var.service
  recovery_region = var.recovery_region
  create_database = {create}
}}
"#,
                    create = environment != "dev"
                ),
            )?;
            let mut tfvars = format!("service = \"svc-{service:03}\"\n");
            if environment == "prod" {
                tfvars.push_str("recovery_region = \"eu-central-1\"\n");
            }
            write(&env.join("terraform.tfvars"), &tfvars)?;
            files += 3;
        }
    }
    println!("wrote {files} .tf files under {}", dir.display());
    if let Some(megabytes) = plan_megabytes {
        let path = dir.join("plan.json");
        write_plan(&path, megabytes * 1024 * 1024)?;
        let size = std::fs::metadata(&path)?.len();
        println!(
            "wrote {} ({:.1} MB)",
            path.display(),
            size as f64 / 1_048_576.0
        );
    }
    Ok(())
}

/// A plan with enough resource changes to reach `target` bytes.
fn write_plan(path: &Path, target: usize) -> std::io::Result<()> {
    let mut out = String::with_capacity(target + 4096);
    out.push_str(
        "{\"format_version\":\"1.2\",\"terraform_version\":\"1.9.5\",\"resource_changes\":[",
    );
    let mut index = 0usize;
    while out.len() < target {
        if index > 0 {
            out.push(',');
        }
        let module = index / 50;
        let multi_az = if index % 3 == 0 { "true" } else { "false" };
        // Tiers 1, 2, 3 in turn, each with the RTO its tier allows.
        let (tier, rto) = match index % 3 {
            0 => (1, "0.25"),
            1 => (2, "1"),
            _ => (3, "4"),
        };
        let _ = write!(
            out,
            r#"{{"address":"module.svc_{module}.aws_db_instance.this[{i}]","module_address":"module.svc_{module}","mode":"managed","type":"aws_db_instance","name":"this","index":{i},"provider_name":"registry.terraform.io/hashicorp/aws","change":{{"actions":["create"],"before":null,"after":{{"identifier":"db-{index}","engine":"postgres","instance_class":"db.r6g.large","allocated_storage":100,"multi_az":{multi_az},"backup_retention_period":7,"storage_encrypted":true,"parameter_group_name":"default.postgres16","tags":{{"dr-tier":"{tier}","rto-hours":"{rto}"}},"tags_all":{{"dr-tier":"{tier}","rto-hours":"{rto}","service":"svc-{module}","environment":"prod"}}}},"after_unknown":{{"id":true,"arn":true,"endpoint":true,"address":true,"tags":{{}},"tags_all":{{}}}}}}}}"#,
            i = index % 50
        );
        index += 1;
    }
    out.push_str("]}");
    std::fs::write(path, out)
}

/// One file of `bytes` of resources written out one by one, as generated code and large
/// hand-kept roots are: databases, tables, buckets and secrets with literal values and tags.
fn write_flat(path: &Path, bytes: usize) -> std::io::Result<()> {
    let mut text = String::with_capacity(bytes + 1024);
    let mut index = 0;
    while text.len() < bytes {
        let tier = 1 + index % 3;
        text.push_str(&match index % 4 {
            0 => format!(
                "resource \"aws_db_instance\" \"db_{index}\" {{\n  identifier              = \"db-{index}\"\n  engine                  = \"postgres\"\n  instance_class          = \"db.r6g.large\"\n  allocated_storage       = 100\n  multi_az                = {}\n  backup_retention_period = 7\n  tags = {{\n    Name      = \"db-{index}\"\n    \"dr-tier\" = \"{tier}\"\n  }}\n}}\n\n",
                index % 2 == 0
            ),
            1 => format!(
                "resource \"aws_dynamodb_table\" \"table_{index}\" {{\n  name     = \"table-{index}\"\n  hash_key = \"id\"\n\n  attribute {{\n    name = \"id\"\n    type = \"S\"\n  }}\n\n  point_in_time_recovery {{\n    enabled = true\n  }}\n\n  tags = {{ \"dr-tier\" = \"{tier}\", \"rto-hours\" = \"4\" }}\n}}\n\n"
            ),
            2 => format!(
                "resource \"aws_s3_bucket\" \"bucket_{index}\" {{\n  bucket = \"bucket-{index}\"\n  tags   = {{ Name = \"bucket-{index}\", \"dr-tier\" = \"{tier}\" }}\n}}\n\n"
            ),
            _ => format!(
                "resource \"aws_secretsmanager_secret\" \"secret_{index}\" {{\n  name = \"secret-{index}\"\n\n  replica {{\n    region = \"eu-central-1\"\n  }}\n\n  tags = {{ \"dr-tier\" = \"{tier}\", \"rto-hours\" = \"1\" }}\n}}\n\n"
            ),
        });
        index += 1;
    }
    write(path, &text)
}
