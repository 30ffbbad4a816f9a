//! Loading real-shaped plans of every format version: which resources come out, and what each
//! attribute reads as (known, unknown, not set).

use std::path::PathBuf;

use drlint::plan::{
    Action, InstanceKey, Json, PathStep, PlanDocument, PlanValue, PlannedResource, ResourceSource,
};
use serde_json::json;

fn fixture_bytes(name: &str) -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/plans")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|error| panic!("{}: {error}", path.display()))
}

fn load(name: &str) -> PlanDocument {
    PlanDocument::parse(&fixture_bytes(name)).unwrap_or_else(|error| panic!("{name}: {error}"))
}

fn resource<'a>(plan: &'a PlanDocument, address: &str) -> &'a PlannedResource {
    plan.resource(address).unwrap_or_else(|| {
        let addresses: Vec<_> = plan.resources.iter().map(|r| &r.address).collect();
        panic!("no {address} among {addresses:?}")
    })
}

fn addresses(plan: &PlanDocument) -> Vec<&str> {
    plan.resources.iter().map(|r| &*r.address).collect()
}

#[test]
fn format_1_2_keeps_what_exists_after_apply() {
    let plan = load("plan_v1_2.json");
    assert_eq!(plan.format_version, "1.2");
    assert_eq!(plan.terraform_version.as_deref(), Some("1.9.5"));
    assert_eq!(plan.source, ResourceSource::ResourceChanges);
    assert!(!plan.errored);
    // No data source, no deletion, no deposed object; replacements and no-ops stay.
    assert_eq!(
        addresses(&plan),
        [
            r#"aws_db_instance.orders["orders"]"#,
            r#"aws_db_instance.orders["ledger"]"#,
            "aws_db_instance.reporting",
            "module.app.module.db.aws_db_instance.this[0]",
            "module.app.module.db.aws_db_instance.this[1]",
            "module.app.aws_secretsmanager_secret.db",
            r#"module.app.aws_s3_bucket.artifacts["eu-west-1"]"#,
            "aws_db_instance.cutover",
            "dr_tier.critical",
            "dr_failover_policy.payments",
            "dr_drill.region_outage",
        ]
    );
}

#[test]
fn addresses_and_instance_keys_are_as_terraform_writes_them() {
    let plan = load("plan_v1_2.json");
    let replica = resource(&plan, "module.app.module.db.aws_db_instance.this[1]");
    assert_eq!(
        replica.module_address.as_deref(),
        Some("module.app.module.db")
    );
    assert_eq!(replica.resource_type, "aws_db_instance");
    assert_eq!(replica.name, "this");
    assert_eq!(replica.index, Some(InstanceKey::Int(1)));
    assert_eq!(replica.provider_name, "registry.terraform.io/hashicorp/aws");

    let orders = resource(&plan, r#"aws_db_instance.orders["orders"]"#);
    assert_eq!(orders.module_address, None);
    assert_eq!(orders.index, Some(InstanceKey::Str("orders".to_owned())));
    assert_eq!(orders.actions, [Action::Create]);

    let cutover = resource(&plan, "aws_db_instance.cutover");
    assert_eq!(cutover.actions, [Action::Create, Action::Delete]);
    assert!(cutover.is_replaced());
    // The planned object, not the deposed one on its way out.
    assert_eq!(cutover.attribute("engine_version").as_str(), Some("16.1"));
}

#[test]
fn multi_az_false_unknown_and_from_state() {
    let plan = load("plan_v1_2.json");
    let configured_false = resource(&plan, "module.app.module.db.aws_db_instance.this[0]");
    assert_eq!(
        configured_false.attribute("multi_az"),
        PlanValue::Known(&Json::from(json!(false)))
    );

    // Left out of the configuration on a new instance: the AWS provider computes it, so the
    // plan marks it known after apply; the configuration shows nobody wrote it.
    let unset_on_create = resource(&plan, r#"aws_db_instance.orders["orders"]"#);
    assert_eq!(unset_on_create.attribute("multi_az"), PlanValue::Unknown);
    assert_eq!(
        unset_on_create.is_configured(&["multi_az".into()]),
        Some(false)
    );
    assert_eq!(
        configured_false.is_configured(&["multi_az".into()]),
        Some(true)
    );

    // Same block, existing instance: the value comes from state.
    let unset_existing = resource(&plan, r#"aws_db_instance.orders["ledger"]"#);
    assert_eq!(
        unset_existing.attribute("multi_az"),
        PlanValue::Known(&Json::from(json!(false)))
    );
    assert_eq!(unset_existing.actions, [Action::NoOp]);
}

#[test]
fn configured_as_null_differs_from_not_configured() {
    let plan = load("plan_v1_2.json");
    // `replicate_source_db = var.reporting_source`, and the variable is null.
    let reporting = resource(&plan, "aws_db_instance.reporting");
    assert_eq!(
        reporting.attribute("replicate_source_db"),
        PlanValue::Known(&Json::Null)
    );
    assert_eq!(reporting.attribute("replicate_source_db").known(), None);
    // Not written at all: the provider default applies.
    let orders = resource(&plan, r#"aws_db_instance.orders["orders"]"#);
    assert_eq!(orders.attribute("replicate_source_db"), PlanValue::Absent);
    assert_eq!(orders.attribute("no_such_attribute"), PlanValue::Absent);
    // Written, null, but only known after apply for the second instance.
    let replica = resource(&plan, "module.app.module.db.aws_db_instance.this[1]");
    assert_eq!(replica.attribute("replicate_source_db"), PlanValue::Unknown);
    assert_eq!(plan.variables.get("reporting_source"), Some(&Json::Null));
    assert_eq!(
        plan.variables.get("environment"),
        Some(&Json::from(json!("production")))
    );
}

#[test]
fn nested_unknown_marks_inside_blocks() {
    let plan = load("plan_v1_2.json");
    let secret = resource(&plan, "module.app.aws_secretsmanager_secret.db");
    let region = [
        PathStep::Key("replica"),
        PathStep::Index(0),
        PathStep::Key("region"),
    ];
    let kms = [
        PathStep::Key("replica"),
        PathStep::Index(0),
        PathStep::Key("kms_key_id"),
    ];
    assert_eq!(secret.value(&region).as_str(), Some("eu-central-1"));
    assert_eq!(secret.value(&kms), PlanValue::Unknown);
    assert_eq!(
        secret.value(&["replica".into(), 1.into(), "region".into()]),
        PlanValue::Absent
    );
    // The replica list is known (one replica), with unknown parts inside.
    assert!(matches!(
        secret.attribute("replica"),
        PlanValue::Known(Json::Array(replicas)) if replicas.len() == 1
    ));
    assert!(secret.contains_unknown(&["replica".into()]));
    assert!(!secret.contains_unknown(&region));
    assert_eq!(secret.attribute("arn"), PlanValue::Unknown);
}

#[test]
fn tags_all_carries_default_tags() {
    let plan = load("plan_v1_2.json");
    let orders = resource(&plan, r#"aws_db_instance.orders["orders"]"#);
    assert_eq!(orders.tag("dr-tier").as_str(), Some("2"));
    assert_eq!(orders.tag("team").as_str(), Some("payments"));
    assert_eq!(orders.tag("service").as_str(), Some("orders"));
    assert_eq!(orders.tag("cost-center"), PlanValue::Absent);
    // Resource tags override default tags key by key.
    let reporting = resource(&plan, "aws_db_instance.reporting");
    assert_eq!(reporting.tag("dr-tier").as_str(), Some("3"));
    assert_eq!(reporting.tag("rto-hours").as_str(), Some("4"));

    // `tags_all` unknown as a whole: the resource's own tags still decide their keys.
    let bucket = resource(&plan, r#"module.app.aws_s3_bucket.artifacts["eu-west-1"]"#);
    assert_eq!(bucket.tags(), PlanValue::Unknown);
    assert_eq!(bucket.tag("dr-tier").as_str(), Some("1"));
    assert_eq!(bucket.tag("rto-hours"), PlanValue::Unknown);
    assert!(bucket.contains_unknown(&["tags_all".into(), "team".into()]));
    assert!(!bucket.contains_unknown(&["tags".into()]));

    let aws = plan
        .provider_config("aws")
        .map(|config| config.default_tags());
    assert_eq!(
        aws,
        Some(PlanValue::Known(&Json::from(
            json!({"dr-tier": "2", "rto-hours": "1", "team": "payments"})
        )))
    );
    let dr_region = plan.provider_config("aws.dr");
    assert_eq!(
        dr_region.map(|config| config.default_tags()),
        Some(PlanValue::Unknown)
    );
    assert_eq!(
        dr_region.and_then(|config| config.alias.as_deref()),
        Some("dr")
    );
    assert_eq!(
        dr_region.and_then(|config| config.region()),
        Some("eu-central-1")
    );
    assert_eq!(
        plan.provider_config("dr")
            .map(|config| config.default_tags()),
        Some(PlanValue::Absent)
    );
    assert_eq!(orders.provider_config_key(), Some("aws"));
}

#[test]
fn dr_resources_are_ordinary_resources() {
    let plan = load("plan_v1_2.json");
    let drill = resource(&plan, "dr_drill.region_outage");
    assert_eq!(drill.provider_name, "registry.terraform.io/acme/dr");
    assert_eq!(drill.attribute("scenario").as_str(), Some("region_outage"));
    assert_eq!(drill.attribute("status"), PlanValue::Unknown);
    assert_eq!(drill.attribute("observed_rto").as_str(), Some("22m"));

    let policy = resource(&plan, "dr_failover_policy.payments");
    assert_eq!(policy.actions, [Action::Update]);
    assert_eq!(policy.attribute("mode").as_str(), Some("automatic"));
    assert_eq!(
        policy.value(&["tier".into(), "level".into()]),
        PlanValue::Known(&Json::from(json!(1)))
    );
    assert_eq!(policy.attribute("runbook"), PlanValue::Unknown);
    let tier_reference = policy
        .configuration()
        .and_then(|config| config.expressions.get("tier"));
    assert_eq!(
        tier_reference,
        Some(&Json::from(json!({"references": ["dr_tier.critical"]})))
    );
}

#[test]
fn format_0_1_terraform_0_12() {
    let plan = load("plan_v0_1.json");
    assert_eq!(plan.format_version, "0.1");
    assert_eq!(
        addresses(&plan),
        [
            "aws_db_instance.main",
            "module.storage.aws_ebs_volume.data[0]",
            "module.storage.aws_ebs_volume.data[1]",
        ]
    );
    let main = resource(&plan, "aws_db_instance.main");
    assert_eq!(main.provider_name, "aws");
    assert_eq!(main.actions, [Action::Update]);
    assert_eq!(
        main.attribute("backup_retention_period"),
        PlanValue::Known(&Json::from(json!(7)))
    );
    // AWS provider 2.x has no `tags_all`: tags fall back to `tags`.
    assert_eq!(main.attribute("tags_all"), PlanValue::Absent);
    assert_eq!(main.tag("rto-hours").as_str(), Some("0.25"));
    assert_eq!(
        main.tags(),
        PlanValue::Known(&Json::from(json!({"dr-tier": "1", "rto-hours": "0.25"})))
    );

    let volume = resource(&plan, "module.storage.aws_ebs_volume.data[1]");
    assert_eq!(volume.module_address.as_deref(), Some("module.storage"));
    assert_eq!(volume.provider_config_key(), Some("storage:aws"));
    assert_eq!(volume.attribute("kms_key_id"), PlanValue::Unknown);
    assert_eq!(
        volume.attribute("availability_zone").as_str(),
        Some("eu-west-1a")
    );
    assert_eq!(
        plan.variables.get("region"),
        Some(&Json::from(json!("eu-west-1")))
    );
}

#[test]
fn format_0_2_module_for_each_nesting() {
    let plan = load("plan_v0_2.json");
    assert_eq!(plan.format_version, "0.2");
    assert_eq!(
        plan.resources.len(),
        2,
        "the deposed key deletion is skipped"
    );
    let central = resource(
        &plan,
        r#"module.region["eu-central-1"].module.cache.aws_elasticache_replication_group.this"#,
    );
    assert_eq!(
        central.module_address.as_deref(),
        Some(r#"module.region["eu-central-1"].module.cache"#)
    );
    assert_eq!(central.index, None);
    assert_eq!(central.attribute("multi_az_enabled").as_bool(), Some(false));
    assert_eq!(central.tag("dr-tier").as_str(), Some("1"));
    // Matched to its block through both module calls, instance keys dropped.
    assert_eq!(
        central
            .configuration()
            .map(|config| config.address.as_str()),
        Some("module.region.module.cache.aws_elasticache_replication_group.this")
    );
}

#[test]
fn format_1_0_terraform_1_1() {
    let plan = load("plan_v1_0.json");
    assert_eq!(plan.format_version, "1.0");
    let table = resource(&plan, "aws_dynamodb_table.orders");
    assert_eq!(
        table
            .value(&["replica".into(), 0.into(), "region_name".into()])
            .as_str(),
        Some("eu-central-1")
    );
    assert_eq!(
        table.value(&["replica".into(), 0.into(), "kms_key_arn".into()]),
        PlanValue::Unknown
    );
    assert_eq!(
        table
            .value(&["point_in_time_recovery".into(), 0.into(), "enabled".into()])
            .as_bool(),
        Some(true)
    );
    // Moved with a `moved` block: the plan says no-op at the new address.
    let primary = resource(&plan, "aws_db_instance.primary");
    assert_eq!(primary.actions, [Action::NoOp]);
    assert_eq!(primary.attribute("multi_az").as_bool(), Some(true));
    // `tags_all` present but empty and `tags` null: no tag at all.
    assert_eq!(primary.tag("dr-tier"), PlanValue::Absent);

    let tier = resource(&plan, "dr_tier.standard");
    assert_eq!(tier.attribute("tags"), PlanValue::Unknown);
    assert_eq!(tier.attribute("description"), PlanValue::Absent);
}

#[test]
fn format_1_1_terraform_1_4() {
    let plan = load("plan_v1_1.json");
    assert_eq!(plan.format_version, "1.1");
    let lb = resource(&plan, "module.platform.module.network.aws_lb.public");
    assert_eq!(lb.actions, [Action::Delete, Action::Create]);
    assert!(lb.is_replaced());
    assert_eq!(
        lb.attribute("subnets"),
        PlanValue::Known(&Json::from(json!(["subnet-0a1", "subnet-0b2"])))
    );
    assert!(!lb.contains_unknown(&["subnets".into()]));
    let drill = resource(&plan, "module.platform.dr_drill.database_failover");
    assert_eq!(drill.attribute("status").as_str(), Some("failed"));
    assert_eq!(drill.attribute("rto_met").as_bool(), Some(false));
}

#[test]
fn state_documents_load_through_the_same_path() {
    let plan = load("state_v1_0.json");
    assert_eq!(plan.source, ResourceSource::State);
    assert_eq!(
        addresses(&plan),
        [
            "aws_efs_file_system.shared",
            "module.queue.aws_mq_broker.this[0]"
        ]
    );
    let broker = resource(&plan, "module.queue.aws_mq_broker.this[0]");
    assert!(broker.actions.is_empty());
    assert_eq!(broker.module_address.as_deref(), Some("module.queue"));
    assert_eq!(broker.index, Some(InstanceKey::Int(0)));
    assert_eq!(
        broker.attribute("deployment_mode").as_str(),
        Some("SINGLE_INSTANCE")
    );
    assert_eq!(broker.tag("team").as_str(), Some("payments"));
    assert_eq!(broker.attribute("storage_type"), PlanValue::Absent);
}

#[test]
fn planned_values_stand_in_for_missing_resource_changes() {
    // Some tools trim `resource_changes`; the planned values still list what will exist, and
    // the configuration tells a computed value (unknown) from an unwritten one.
    let plan_json = json!({
        "format_version": "1.1",
        "planned_values": {"root_module": {"child_modules": [{
            "address": "module.db",
            "resources": [{
                "address": "module.db.aws_db_instance.this",
                "mode": "managed", "type": "aws_db_instance", "name": "this",
                "provider_name": "registry.terraform.io/hashicorp/aws",
                "values": {"identifier": "orders", "multi_az": false}
            }],
            "child_modules": [{
                "address": "module.db.module.replica",
                "resources": [{
                    "address": "module.db.module.replica.aws_db_instance.this[\"eu-central-1\"]",
                    "mode": "managed", "type": "aws_db_instance", "name": "this",
                    "index": "eu-central-1",
                    "provider_name": "registry.terraform.io/hashicorp/aws",
                    "values": {"identifier": "orders-replica"}
                }]
            }]
        }]}},
        "configuration": {"root_module": {"module_calls": {"db": {"module": {
            "module_calls": {"replica": {"module": {"resources": [{
                "address": "aws_db_instance.this", "mode": "managed",
                "type": "aws_db_instance", "name": "this",
                "expressions": {"replicate_source_db": {"references": ["var.source_arn"]}}
            }]}}}
        }}}}}
    });
    let plan = PlanDocument::parse(plan_json.to_string().as_bytes());
    let plan = plan.unwrap_or_else(|error| panic!("{error}"));
    assert_eq!(plan.source, ResourceSource::PlannedValues);
    assert_eq!(plan.resources.len(), 2);
    let replica = resource(
        &plan,
        "module.db.module.replica.aws_db_instance.this[\"eu-central-1\"]",
    );
    assert_eq!(
        replica.module_address.as_deref(),
        Some("module.db.module.replica")
    );
    assert_eq!(replica.attribute("replicate_source_db"), PlanValue::Unknown);
    assert_eq!(replica.attribute("multi_az"), PlanValue::Absent);
    let primary = resource(&plan, "module.db.aws_db_instance.this");
    assert_eq!(primary.attribute("multi_az").as_bool(), Some(false));
}

#[test]
fn looks_like_plan_tells_plans_from_other_json() {
    for plan in [
        "plan_v0_1.json",
        "plan_v0_2.json",
        "plan_v1_0.json",
        "plan_v1_0_utf16le.json",
        "plan_v1_1.json",
        "plan_v1_2.json",
        "state_v1_0.json",
    ] {
        assert!(
            PlanDocument::looks_like_plan(&fixture_bytes(plan)),
            "{plan}"
        );
    }
    assert!(!PlanDocument::looks_like_plan(&fixture_bytes(
        "terraform.tfstate.json"
    )));
    assert!(!PlanDocument::looks_like_plan(
        br#"{"resource": {"aws_s3_bucket": {"logs": {"bucket": "logs"}}}}"#
    ));
    assert!(!PlanDocument::looks_like_plan(b""));
}
