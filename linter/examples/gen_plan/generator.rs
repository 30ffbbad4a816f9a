//! A large, realistic `terraform show -json` plan (format 1.2) for load benchmarks.
//!
//! Services under `module.svc["svc-N"]` (for_each), each with a data module and a cache module
//! nested in it, hold AWS resources of eight types with count and for_each instances. A third
//! of the instances are unchanged (so `before` and `prior_state` are as large as `after`, as in
//! a real plan of an existing estate), the rest are created with unknown ids and ARNs. The
//! document carries every section Terraform writes: `planned_values`, `resource_changes`,
//! `prior_state` and `configuration`.

use std::io::{self, Write};

use serde_json::{json, Map, Value};

/// One resource block: where it lives, its type and name, and how its instances are keyed.
struct Block {
    /// Module calls below `module.svc[…]`.
    modules: &'static [&'static str],
    resource_type: &'static str,
    name: &'static str,
    for_each: bool,
}

const BLOCKS: [Block; 8] = [
    Block {
        modules: &[],
        resource_type: "aws_s3_bucket",
        name: "assets",
        for_each: true,
    },
    Block {
        modules: &[],
        resource_type: "aws_instance",
        name: "web",
        for_each: false,
    },
    Block {
        modules: &[],
        resource_type: "aws_ebs_volume",
        name: "data",
        for_each: false,
    },
    Block {
        modules: &[],
        resource_type: "aws_secretsmanager_secret",
        name: "app",
        for_each: true,
    },
    Block {
        modules: &["data"],
        resource_type: "aws_db_instance",
        name: "this",
        for_each: false,
    },
    Block {
        modules: &["data"],
        resource_type: "aws_dynamodb_table",
        name: "tables",
        for_each: true,
    },
    Block {
        modules: &["data", "cache"],
        resource_type: "aws_elasticache_replication_group",
        name: "this",
        for_each: false,
    },
    Block {
        modules: &["data", "cache"],
        resource_type: "aws_lb",
        name: "internal",
        for_each: true,
    },
];

const AWS: &str = "registry.terraform.io/hashicorp/aws";

struct Instance {
    address: String,
    module_address: String,
    block: &'static Block,
    index: Value,
    after: Value,
    after_unknown: Value,
    unchanged: bool,
}

/// The plan's shape: `services` service modules with `per_block` instances of each block.
pub struct PlanShape {
    pub services: usize,
    pub per_block: usize,
}

impl PlanShape {
    /// About `resources` resource instances in all.
    pub fn with_resources(resources: usize) -> PlanShape {
        let per_block = 25;
        PlanShape {
            services: (resources / (per_block * BLOCKS.len())).max(1),
            per_block,
        }
    }

    pub fn resources(&self) -> usize {
        self.services * self.per_block * BLOCKS.len()
    }
}

fn tags(service: usize, serial: usize) -> Value {
    let tier = 1 + serial % 3;
    let rto_hours = ["0.25", "1", "4"].get(tier - 1).copied().unwrap_or("4");
    json!({
        "Name": format!("svc-{service}-{serial}"),
        "dr-tier": tier.to_string(),
        "rto-hours": rto_hours,
        "service": format!("svc-{service}"),
    })
}

fn attributes(block: &Block, service: usize, serial: usize, unchanged: bool) -> (Value, Value) {
    let id = format!("{}-{service}-{serial}", block.name);
    let mut tags_all = tags(service, serial);
    if let Value::Object(all) = &mut tags_all {
        all.insert("managed-by".into(), json!("terraform"));
        all.insert("cost-center".into(), json!(format!("cc-{}", service % 40)));
    }
    let mut after = match block.resource_type {
        "aws_s3_bucket" => json!({
            "bucket": id, "force_destroy": false, "object_lock_enabled": false,
            "versioning": [{"enabled": serial % 2 == 0, "mfa_delete": false}],
            "server_side_encryption_configuration": [{"rule": [{"apply_server_side_encryption_by_default":
                [{"kms_master_key_id": "", "sse_algorithm": "AES256"}], "bucket_key_enabled": false}]}],
        }),
        "aws_instance" => json!({
            "ami": "ami-0d71ea30463e0ff8d", "instance_type": "m6i.large", "availability_zone": "eu-west-1a",
            "monitoring": true, "ebs_optimized": true, "subnet_id": format!("subnet-{:08x}", serial),
            "root_block_device": [{"delete_on_termination": true, "encrypted": true, "volume_size": 50,
                                   "volume_type": "gp3"}],
            "metadata_options": [{"http_endpoint": "enabled", "http_tokens": "required",
                                  "http_put_response_hop_limit": 1}],
            "user_data": null,
        }),
        "aws_ebs_volume" => json!({
            "availability_zone": "eu-west-1b", "encrypted": true, "size": 100 + serial % 400,
            "type": "gp3", "iops": 3000, "throughput": 125, "final_snapshot": false,
        }),
        "aws_secretsmanager_secret" => json!({
            "name": format!("svc-{service}/{id}"), "description": "Application credentials",
            "recovery_window_in_days": 7, "force_overwrite_replica_secret": false,
            "replica": if serial % 4 == 0 { json!([]) } else {
                json!([{"region": "eu-central-1", "kms_key_id": null}]) },
        }),
        "aws_db_instance" => json!({
            "identifier": id, "engine": "postgres", "engine_version": "15.5",
            "instance_class": "db.r6g.large", "allocated_storage": 100, "max_allocated_storage": 500,
            "multi_az": serial % 3 != 0, "backup_retention_period": 7 * (serial % 3),
            "deletion_protection": true, "storage_encrypted": true, "storage_type": "gp3",
            "skip_final_snapshot": false, "copy_tags_to_snapshot": true,
            "performance_insights_enabled": true, "replicate_source_db": null,
            "username": "app_admin", "manage_master_user_password": true,
        }),
        "aws_dynamodb_table" => json!({
            "name": id, "billing_mode": "PAY_PER_REQUEST", "hash_key": "pk", "range_key": "sk",
            "attribute": [{"name": "pk", "type": "S"}, {"name": "sk", "type": "S"}],
            "point_in_time_recovery": [{"enabled": serial % 2 == 1}],
            "replica": [], "stream_enabled": false, "deletion_protection_enabled": true,
        }),
        "aws_elasticache_replication_group" => json!({
            "replication_group_id": id, "description": "sessions", "engine": "redis",
            "engine_version": "7.1", "node_type": "cache.r6g.large", "num_cache_clusters": 2,
            "automatic_failover_enabled": true, "multi_az_enabled": serial % 5 != 0,
            "at_rest_encryption_enabled": true, "transit_encryption_enabled": true,
            "snapshot_retention_limit": 5, "port": 6379,
        }),
        _ => json!({
            "name": format!("lb-{service}-{serial}"), "internal": true, "load_balancer_type": "application",
            "subnets": [format!("subnet-{:08x}", serial), format!("subnet-{:08x}", serial + 1)],
            "enable_deletion_protection": true, "idle_timeout": 60, "drop_invalid_header_fields": true,
        }),
    };
    let mut unknown = Map::new();
    for computed in ["arn", "id"] {
        unknown.insert(computed.into(), json!(true));
    }
    if let Value::Object(after) = &mut after {
        after.insert("tags".into(), tags(service, serial));
        after.insert("tags_all".into(), tags_all);
        if unchanged {
            after.insert("id".into(), json!(id));
            after.insert(
                "arn".into(),
                json!(format!("arn:aws:service:eu-west-1:123456789012:{id}")),
            );
            unknown.clear();
        } else {
            unknown.insert("tags".into(), json!({}));
            unknown.insert("tags_all".into(), json!({}));
        }
    }
    (after, Value::Object(unknown))
}

fn instances(shape: &PlanShape, service: usize, level: usize) -> Vec<Instance> {
    let mut out = Vec::new();
    for (block_number, block) in BLOCKS.iter().enumerate() {
        if block.modules.len() != level {
            continue;
        }
        let mut module_address = format!("module.svc[\"svc-{service}\"]");
        for call in block.modules {
            module_address.push_str(".module.");
            module_address.push_str(call);
        }
        for i in 0..shape.per_block {
            let serial = (service * BLOCKS.len() + block_number) * shape.per_block + i;
            let index = if block.for_each {
                json!(format!("k{i}"))
            } else {
                json!(i)
            };
            let address = format!(
                "{module_address}.{}.{}[{index}]",
                block.resource_type, block.name
            );
            let unchanged = serial % 3 == 0;
            let (after, after_unknown) = attributes(block, service, serial, unchanged);
            out.push(Instance {
                address,
                module_address: module_address.clone(),
                block,
                index,
                after,
                after_unknown,
                unchanged,
            });
        }
    }
    out
}

fn state_resource(instance: &Instance) -> Value {
    json!({
        "address": instance.address, "mode": "managed", "type": instance.block.resource_type,
        "name": instance.block.name, "index": instance.index, "provider_name": AWS,
        "schema_version": 0, "values": instance.after, "sensitive_values": {},
    })
}

/// Writes `module.svc[…]` modules with their nested modules as `planned_values` or
/// `prior_state` child modules.
fn write_modules(
    out: &mut impl Write,
    shape: &PlanShape,
    keep: impl Fn(&Instance) -> bool,
) -> io::Result<()> {
    out.write_all(b"{\"root_module\":{\"child_modules\":[")?;
    for service in 0..shape.services {
        if service > 0 {
            out.write_all(b",")?;
        }
        for level in 0..3 {
            let resources: Vec<Value> = instances(shape, service, level)
                .iter()
                .filter(|instance| keep(instance))
                .map(state_resource)
                .collect();
            let mut address = format!("module.svc[\"svc-{service}\"]");
            for call in ["data", "cache"].iter().take(level) {
                address.push_str(".module.");
                address.push_str(call);
            }
            if level > 0 {
                out.write_all(b",\"child_modules\":[")?;
            }
            out.write_all(b"{\"address\":")?;
            serde_json::to_writer(&mut *out, &address)?;
            out.write_all(b",\"resources\":")?;
            serde_json::to_writer(&mut *out, &resources)?;
        }
        out.write_all(b"}]}]}")?;
    }
    out.write_all(b"]}}")
}

fn configuration() -> Value {
    let mut levels: Vec<Value> = (0..3)
        .map(|level| {
            let resources: Vec<Value> = BLOCKS
                .iter()
                .filter(|block| block.modules.len() == level)
                .map(|block| {
                    let mut resource = json!({
                        "address": format!("{}.{}", block.resource_type, block.name),
                        "mode": "managed", "type": block.resource_type, "name": block.name,
                        "provider_config_key": "aws", "schema_version": 0,
                        "expressions": {
                            "tags": {"references": ["var.tags", "local.tier_tags"]},
                            "name": {"references": ["each.key", "var.name"]},
                        },
                    });
                    let key = if block.for_each {
                        "for_each_expression"
                    } else {
                        "count_expression"
                    };
                    resource[key] = json!({"references": ["var.instances"]});
                    resource
                })
                .collect();
            json!({"resources": resources})
        })
        .collect();
    let mut child = levels.pop().unwrap_or_default();
    for call in ["cache", "data"] {
        let mut parent = levels.pop().unwrap_or_default();
        let mut calls = Map::new();
        calls.insert(
            call.to_owned(),
            json!({"source": format!("./modules/{call}"), "module": child}),
        );
        parent["module_calls"] = Value::Object(calls);
        child = parent;
    }
    json!({
        "provider_config": {"aws": {"name": "aws", "full_name": AWS,
            "expressions": {"region": {"constant_value": "eu-west-1"},
                "default_tags": [{"tags": {"constant_value": {"managed-by": "terraform"}}}]}}},
        "root_module": {"module_calls": {"svc": {
            "source": "./modules/service",
            "for_each_expression": {"references": ["local.services"]},
            "module": child,
        }}},
    })
}

/// Writes the whole plan to `out`.
pub fn write_plan(out: &mut impl Write, shape: &PlanShape) -> io::Result<()> {
    out.write_all(b"{\"format_version\":\"1.2\",\"terraform_version\":\"1.9.5\",")?;
    out.write_all(b"\"variables\":{\"environment\":{\"value\":\"production\"}},")?;
    out.write_all(b"\"planned_values\":")?;
    write_modules(out, shape, |_| true)?;
    out.write_all(b",\"resource_changes\":[")?;
    let mut first = true;
    for service in 0..shape.services {
        for level in 0..3 {
            for instance in instances(shape, service, level) {
                if !first {
                    out.write_all(b",")?;
                }
                first = false;
                let (actions, before) = if instance.unchanged {
                    (json!(["no-op"]), instance.after.clone())
                } else {
                    (json!(["create"]), Value::Null)
                };
                let change = json!({
                    "address": instance.address, "module_address": instance.module_address,
                    "mode": "managed", "type": instance.block.resource_type,
                    "name": instance.block.name, "index": instance.index, "provider_name": AWS,
                    "change": {
                        "actions": actions, "before": before, "after": instance.after,
                        "after_unknown": instance.after_unknown,
                        "before_sensitive": if instance.unchanged { json!({}) } else { json!(false) },
                        "after_sensitive": {},
                    },
                });
                serde_json::to_writer(&mut *out, &change)?;
            }
        }
    }
    out.write_all(b"],\"prior_state\":{\"format_version\":\"1.0\",\"terraform_version\":\"1.9.5\",\"values\":")?;
    write_modules(out, shape, |instance| instance.unchanged)?;
    out.write_all(b"},\"configuration\":")?;
    serde_json::to_writer(&mut *out, &configuration())?;
    out.write_all(
        b",\"timestamp\":\"2026-11-20T09:12:44Z\",\"applyable\":true,\"complete\":true,\"errored\":false}",
    )
}
