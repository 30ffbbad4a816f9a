//! The provider binary as a go-plugin: started the way Terraform starts it, reached over the
//! socket its handshake names, and spoken to in gRPC — plaintext, AutoMTLS, debug mode and
//! logging — with no Terraform in between. How it guards its socket and ends is in
//! `plugin_lifecycle.rs`.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use common::{
    bare_command, client_tls, connect, connect_as_host, plugin_command, Address, ClientIdentity,
    Plugin, PATIENCE,
};
use dr_proto::grpc_health_v1::{self as health, health_client::HealthClient};
use dr_proto::plugin::{grpc_controller_client::GrpcControllerClient, Empty};
use dr_proto::tfplugin6::{self as pb, provider_client::ProviderClient};
use dr_proto::tonic::transport::Channel;
use terraform_provider_dr::value::{decode_msgpack, Type, Value};

/// How soon a plugin asked to stop must be gone. It waits a few milliseconds for its reply to
/// leave; the rest is slack for a loaded machine.
const EXIT_DEADLINE: Duration = Duration::from_secs(2);

/// The attributes `dr_tier` declares, in the order Terraform shows them.
const TIER_ATTRIBUTES: &[&str] = &[
    "name",
    "level",
    "rto",
    "rpo",
    "description",
    "allowed_regions",
    "id",
    "rto_seconds",
    "rpo_seconds",
    "recommended_strategy",
    "tags",
];

/// Runs a plugin command that is expected to end on its own, and returns what it did.
async fn run_to_exit(mut command: tokio::process::Command) -> std::process::Output {
    tokio::time::timeout(PATIENCE, command.output())
        .await
        .expect("the provider exits on its own when it cannot serve")
        .expect("the provider can be started")
}

async fn provider_schema(channel: Channel) -> pb::get_provider_schema::Response {
    ProviderClient::new(channel)
        .get_provider_schema(pb::get_provider_schema::Request {})
        .await
        .expect("GetProviderSchema succeeds")
        .into_inner()
}

/// Checks that a schema response describes `dr_tier` with every attribute it should have.
fn assert_serves_tier_schema(schema: &pb::get_provider_schema::Response) {
    assert!(schema.diagnostics.is_empty(), "{:?}", schema.diagnostics);
    let tier = schema
        .resource_schemas
        .get("dr_tier")
        .unwrap_or_else(|| panic!("no dr_tier in {:?}", schema.resource_schemas.keys()));
    let names: Vec<&str> = tier
        .block
        .as_ref()
        .expect("the dr_tier schema has a block")
        .attributes
        .iter()
        .map(|attribute| attribute.name.as_str())
        .collect();
    assert_eq!(names, TIER_ATTRIBUTES);
}

/// The object type of a resource's values, read from its schema as Terraform reads it.
fn value_type(schema: &pb::Schema) -> Type {
    let block = schema.block.as_ref().expect("the schema has a block");
    let attributes = block
        .attributes
        .iter()
        .map(|attribute| {
            let json: serde_json::Value = serde_json::from_slice(&attribute.r#type)
                .unwrap_or_else(|error| panic!("type of {} is not JSON: {error}", attribute.name));
            let ty = Type::from_json(&json)
                .unwrap_or_else(|error| panic!("type of {}: {error}", attribute.name));
            (attribute.name.clone(), ty)
        })
        .collect::<BTreeMap<_, _>>();
    Type::Object(attributes)
}

#[tokio::test]
async fn refuses_to_run_without_the_magic_cookie() {
    let output = run_to_exit(bare_command(&dr_e2e::provider_binary())).await;
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "stderr: {stderr}");
    assert!(
        stderr.contains("is a Terraform provider") && stderr.contains("--debug"),
        "the message should say what the binary is and how to debug it: {stderr}"
    );
    assert!(
        output.stdout.is_empty(),
        "nothing may reach stdout, where a host would look for a handshake: {:?}",
        String::from_utf8_lossy(&output.stdout)
    );
}

#[tokio::test]
async fn refuses_hosts_that_do_not_offer_protocol_6() {
    let mut command = plugin_command(&dr_e2e::provider_binary());
    command.env("PLUGIN_PROTOCOL_VERSIONS", "5");
    let output = run_to_exit(command).await;
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success(), "stderr: {stderr}");
    assert!(
        stderr.contains("protocol 6") && stderr.contains('5'),
        "the error should name the protocol it speaks and the one offered: {stderr}"
    );
    assert!(
        output.stdout.is_empty(),
        "no handshake for a host it cannot serve"
    );
}

#[tokio::test]
async fn serves_plaintext_when_the_host_sends_no_client_certificate() {
    let mut plugin = Plugin::start(plugin_command(&dr_e2e::provider_binary()));
    let handshake = plugin.handshake().await;
    assert_eq!(
        (
            handshake.core_version.as_str(),
            handshake.protocol_version.as_str(),
            handshake.network.as_str(),
            handshake.transport.as_str(),
        ),
        ("1", "6", "unix", "grpc")
    );
    assert!(
        handshake.server_certificate.is_none(),
        "no TLS was asked for"
    );
    let Address::Unix(socket) = &handshake.address else {
        panic!("expected a unix socket, got {:?}", handshake.address);
    };
    assert!(socket.is_absolute(), "{}", socket.display());

    let channel = connect_as_host(&handshake, None)
        .await
        .expect("a plaintext client connects");
    assert_serves_tier_schema(&provider_schema(channel.clone()).await);

    let health = HealthClient::new(channel.clone())
        .check(health::HealthCheckRequest {
            service: "plugin".to_owned(),
        })
        .await
        .expect("the health check answers")
        .into_inner();
    assert_eq!(
        health.status,
        health::health_check_response::ServingStatus::Serving as i32
    );

    let metadata = ProviderClient::new(channel)
        .get_metadata(pb::get_metadata::Request {})
        .await
        .expect("GetMetadata succeeds")
        .into_inner();
    assert!(
        metadata.diagnostics.is_empty(),
        "{:?}",
        metadata.diagnostics
    );
    let resources: Vec<&str> = metadata
        .resources
        .iter()
        .map(|resource| resource.type_name.as_str())
        .collect();
    assert_eq!(resources, ["dr_drill", "dr_failover_policy", "dr_tier"]);
    let capabilities = metadata
        .server_capabilities
        .expect("GetMetadata reports capabilities");
    assert!(capabilities.get_provider_schema_optional);
}

#[tokio::test]
async fn tf_disable_plugin_tls_overrides_the_client_certificate() {
    let identity = ClientIdentity::generate();
    let mut command = plugin_command(&dr_e2e::provider_binary());
    command
        .env("PLUGIN_CLIENT_CERT", &identity.certificate_pem)
        .env("TF_DISABLE_PLUGIN_TLS", "1");
    let mut plugin = Plugin::start(command);
    let handshake = plugin.handshake().await;
    assert!(
        handshake.server_certificate.is_none(),
        "TLS is disabled, yet the handshake carries a certificate"
    );
    let channel = connect_as_host(&handshake, None)
        .await
        .expect("a plaintext client connects");
    assert_serves_tier_schema(&provider_schema(channel).await);
}

/// Connects over TLS with `identity` and asks for the schema; any failure, at connection or
/// on the call, is the error.
async fn schema_over_tls(
    address: &Address,
    server_certificate: &rustls::pki_types::CertificateDer<'static>,
    identity: Option<&ClientIdentity>,
) -> Result<pb::get_provider_schema::Response, String> {
    let channel = connect(address, Some(client_tls(server_certificate, identity)))
        .await
        .map_err(|error| format!("connect: {}", common::explain(error.as_ref())))?;
    let mut client = ProviderClient::new(channel);
    let call = client.get_provider_schema(pb::get_provider_schema::Request {});
    match tokio::time::timeout(PATIENCE, call).await {
        Ok(Ok(response)) => Ok(response.into_inner()),
        Ok(Err(status)) => Err(format!("call: {}", common::explain(&status))),
        Err(_) => Err("call: no answer".to_owned()),
    }
}

#[tokio::test]
async fn auto_mtls_admits_only_the_certificate_terraform_sent() {
    let host = ClientIdentity::generate();
    let stranger = ClientIdentity::generate();
    let mut command = plugin_command(&dr_e2e::provider_binary());
    command
        .env("PLUGIN_CLIENT_CERT", &host.certificate_pem)
        .env("TF_LOG_PROVIDER_DR", "warn");
    let mut plugin = Plugin::start(command);
    let handshake = plugin.handshake().await;
    let server_certificate = handshake
        .server_certificate
        .clone()
        .expect("with a client certificate the handshake carries the server's");

    let schema = schema_over_tls(&handshake.address, &server_certificate, Some(&host))
        .await
        .unwrap_or_else(|error| panic!("the host's certificate is refused: {error}"));
    assert_serves_tier_schema(&schema);

    // The client may see a refusal as an alert or as a closed socket, so the provider's log is
    // what shows that its TLS turned each one away, and why. (A failed channel may try again on
    // its own, so refusals are told apart by their reasons rather than counted.)
    let plaintext = async {
        let channel = connect(&handshake.address, None).await?;
        let mut client = ProviderClient::new(channel);
        let call = client.get_provider_schema(pb::get_provider_schema::Request {});
        Ok::<_, common::BoxError>(tokio::time::timeout(PATIENCE, call).await??)
    };
    assert!(
        plaintext.await.is_err(),
        "a plaintext client was served on a TLS socket"
    );
    plugin
        .stderr_when("the plaintext client refused", |s| {
            s.contains("refused a connection")
        })
        .await;

    let outcome = schema_over_tls(&handshake.address, &server_certificate, Some(&stranger)).await;
    assert!(
        outcome.is_err(),
        "a client with another certificate was served"
    );
    // The provider's own verdict on a certificate that is not the host's.
    plugin
        .stderr_when("the other certificate refused", |s| {
            s.contains("ApplicationVerificationFailure")
        })
        .await;

    let outcome = schema_over_tls(&handshake.address, &server_certificate, None).await;
    assert!(outcome.is_err(), "a client with no certificate was served");
    // rustls' words for a client that presented no certificate.
    plugin
        .stderr_when("the certificate-less client refused", |s| {
            s.contains("no certificates")
        })
        .await;

    // Refusing strangers must not cost the host its provider.
    let schema = schema_over_tls(&handshake.address, &server_certificate, Some(&host))
        .await
        .unwrap_or_else(|error| panic!("the host is refused after strangers were: {error}"));
    assert_serves_tier_schema(&schema);
    assert!(
        plugin.exit_within(Duration::ZERO).await.is_none(),
        "the provider exited\n{}",
        plugin.stderr_so_far()
    );
}

#[tokio::test]
async fn each_plugin_presents_its_own_server_certificate() {
    let host = ClientIdentity::generate();
    let start = || {
        let mut command = plugin_command(&dr_e2e::provider_binary());
        command.env("PLUGIN_CLIENT_CERT", &host.certificate_pem);
        Plugin::start(command)
    };
    let mut plugin = start();
    let handshake = plugin.handshake().await;
    let server_certificate = handshake
        .server_certificate
        .clone()
        .expect("the handshake carries the server certificate");

    // A host that trusts some other certificate does not get through: the client's trust is
    // real, so the connections the other tests make prove the server presented the very
    // certificate its handshake line announced.
    let impostor = ClientIdentity::generate().certificate;
    let outcome = schema_over_tls(&handshake.address, &impostor, Some(&host)).await;
    assert!(
        outcome.is_err(),
        "a client trusting another certificate got through"
    );
    assert!(
        schema_over_tls(&handshake.address, &server_certificate, Some(&host))
            .await
            .is_ok()
    );

    let mut second = start();
    let second_handshake = second.handshake().await;
    assert_ne!(
        second_handshake.server_certificate.as_ref(),
        Some(&server_certificate),
        "two plugins share a server certificate"
    );
}

async fn assert_exits_promptly(plugin: &mut Plugin, after: &str) {
    let status = plugin.exit_within(EXIT_DEADLINE).await.unwrap_or_else(|| {
        panic!(
            "the provider still runs {EXIT_DEADLINE:?} after {after}\n--- stderr ---\n{}",
            plugin.stderr_so_far()
        )
    });
    assert!(
        status.success(),
        "the provider exited with {status} after {after}"
    );
}

/// Starts the provider with `logging` set, asks it for its schema and shuts it down, and
/// returns every line it wrote to stderr.
async fn stderr_lines_with(logging: &[(&str, &str)]) -> Vec<String> {
    let mut command = plugin_command(&dr_e2e::provider_binary());
    for (name, value) in logging {
        command.env(name, value);
    }
    let mut plugin = Plugin::start(command);
    let handshake = plugin.handshake().await;
    let channel = connect_as_host(&handshake, None).await.expect("connects");
    provider_schema(channel.clone()).await;
    GrpcControllerClient::new(channel)
        .shutdown(Empty {})
        .await
        .expect("Shutdown is answered");
    assert_exits_promptly(&mut plugin, "Shutdown").await;
    plugin
        .final_stderr()
        .await
        .lines()
        .filter(|line| !line.trim().is_empty())
        .map(str::to_owned)
        .collect()
}

/// Reads stderr lines as hclog JSON records, failing on any that is not one.
fn log_records(lines: &[String]) -> Vec<serde_json::Map<String, serde_json::Value>> {
    lines
        .iter()
        .map(|line| {
            let record: serde_json::Value = serde_json::from_str(line)
                .unwrap_or_else(|error| panic!("stderr line is not JSON ({error}): {line}"));
            let serde_json::Value::Object(record) = record else {
                panic!("stderr line is not a JSON object: {line}");
            };
            for field in ["@level", "@message", "@module", "@timestamp"] {
                assert!(
                    record.get(field).is_some_and(serde_json::Value::is_string),
                    "stderr line has no string {field}: {line}"
                );
            }
            record
        })
        .collect()
}

fn levels(records: &[serde_json::Map<String, serde_json::Value>]) -> BTreeSet<String> {
    records
        .iter()
        .filter_map(|record| record["@level"].as_str().map(str::to_owned))
        .collect()
}

#[tokio::test]
async fn logs_json_lines_when_terraform_turns_logging_on() {
    let lines = stderr_lines_with(&[("TF_LOG", "trace")]).await;
    let records = log_records(&lines);
    assert!(
        records.iter().any(|record| record["@level"] == "debug"
            && record.get("tf_rpc").and_then(|v| v.as_str()) == Some("GetProviderSchema")),
        "no debug line for the GetProviderSchema call in {lines:#?}"
    );
    assert!(
        records
            .iter()
            .all(|record| record["@module"] == "provider.terraform-provider-dr"),
        "{lines:#?}"
    );

    let lines = stderr_lines_with(&[("TF_LOG_PROVIDER", "debug")]).await;
    let records = log_records(&lines);
    assert!(levels(&records).contains("debug"), "{lines:#?}");
}

#[tokio::test]
async fn logs_nothing_below_the_level_asked_for() {
    let silent = stderr_lines_with(&[]).await;
    let records = log_records(&silent);
    assert!(
        levels(&records).is_disjoint(&BTreeSet::from(["debug".into(), "trace".into()])),
        "debug output with logging off: {silent:#?}"
    );

    // The provider's own variable wins over Terraform's general one.
    let lines = stderr_lines_with(&[("TF_LOG", "trace"), ("TF_LOG_PROVIDER_DR", "warn")]).await;
    let records = log_records(&lines);
    let allowed = BTreeSet::from(["warn".to_owned(), "error".to_owned()]);
    assert!(levels(&records).is_subset(&allowed), "{lines:#?}");
}

async fn upgrade(
    channel: Channel,
    type_name: &str,
    raw_state: pb::RawState,
) -> pb::upgrade_resource_state::Response {
    ProviderClient::new(channel)
        .upgrade_resource_state(pb::upgrade_resource_state::Request {
            type_name: type_name.to_owned(),
            version: 0,
            raw_state: Some(raw_state),
        })
        .await
        .expect("UpgradeResourceState answers")
        .into_inner()
}

fn error_summaries(diagnostics: &[pb::Diagnostic]) -> Vec<&str> {
    diagnostics
        .iter()
        .filter(|d| d.severity == pb::diagnostic::Severity::Error as i32)
        .map(|d| d.summary.as_str())
        .collect()
}

#[tokio::test]
async fn upgrade_resource_state_carries_old_state_into_the_current_schema() {
    let mut plugin = Plugin::start(plugin_command(&dr_e2e::provider_binary()));
    let handshake = plugin.handshake().await;
    let channel = connect_as_host(&handshake, None).await.expect("connects");
    let schema = provider_schema(channel.clone()).await;
    let tier_type = value_type(&schema.resource_schemas["dr_tier"]);

    // State written before the computed attributes existed, carrying one since removed.
    let stored = serde_json::json!({
        "name": "critical",
        "level": 1,
        "rto": "15m",
        "rpo": "5m",
        "id": "critical",
        "failover_region": "us-west-2",
    });
    let reply = upgrade(
        channel.clone(),
        "dr_tier",
        pb::RawState {
            json: stored.to_string().into_bytes(),
            flatmap: Default::default(),
        },
    )
    .await;
    assert!(
        error_summaries(&reply.diagnostics).is_empty(),
        "{:?}",
        reply.diagnostics
    );
    let upgraded = reply.upgraded_state.expect("an upgraded state is returned");
    assert!(!upgraded.msgpack.is_empty(), "the upgraded state is empty");
    let value = decode_msgpack(&upgraded.msgpack, &tier_type)
        .unwrap_or_else(|error| panic!("the upgraded state does not fit the schema: {error}"));
    let Value::Object(attributes) = &value else {
        panic!("the upgraded state is not an object: {value:?}");
    };
    let names: BTreeSet<&str> = attributes.keys().map(String::as_str).collect();
    assert_eq!(names, TIER_ATTRIBUTES.iter().copied().collect());
    assert_eq!(value.attribute("name").as_str(), Some("critical"));
    assert_eq!(value.attribute("rto").as_str(), Some("15m"));
    assert_eq!(
        value
            .attribute("level")
            .as_number()
            .and_then(|n| n.as_u64()),
        Some(1)
    );
    assert_eq!(value.attribute("id").as_str(), Some("critical"));
    // Computed attributes the old state lacked are computed from its arguments, so the next
    // plan shows no change.
    assert_eq!(
        value
            .attribute("rto_seconds")
            .as_number()
            .and_then(|n| n.as_u64()),
        Some(900)
    );
    assert_eq!(
        value.attribute("recommended_strategy").as_str(),
        Some("active_active")
    );
    assert!(value.attribute("description").is_null(), "{value:?}");

    // Terraform 0.11's flatmap was never written by this provider: an error that says so.
    let reply = upgrade(
        channel.clone(),
        "dr_tier",
        pb::RawState {
            json: Vec::new(),
            flatmap: [("name".to_owned(), "critical".to_owned())].into(),
        },
    )
    .await;
    assert_eq!(
        error_summaries(&reply.diagnostics),
        ["Cannot upgrade stored state"]
    );
    assert!(reply.upgraded_state.is_none());

    let reply = upgrade(
        channel,
        "dr_widget",
        pb::RawState {
            json: b"{}".to_vec(),
            flatmap: Default::default(),
        },
    )
    .await;
    assert_eq!(
        error_summaries(&reply.diagnostics),
        ["Unsupported resource type \"dr_widget\""]
    );
}

#[tokio::test]
async fn debug_mode_prints_reattach_settings_and_outlives_its_hosts() {
    let mut command = bare_command(&dr_e2e::provider_binary());
    command.arg("--debug");
    let mut plugin = Plugin::start(command);
    let reattach = loop {
        let line = plugin.next_stdout_line().await;
        if let Some(setting) = line.trim().strip_prefix("TF_REATTACH_PROVIDERS=") {
            break setting.trim_matches('\'').to_owned();
        }
    };
    let reattach: serde_json::Value = serde_json::from_str(&reattach)
        .unwrap_or_else(|error| panic!("TF_REATTACH_PROVIDERS is not JSON ({error}): {reattach}"));
    let provider = &reattach["registry.terraform.io/dr-toolkit/dr"];
    assert_eq!(provider["Protocol"], "grpc", "{reattach}");
    assert_eq!(provider["ProtocolVersion"], 6, "{reattach}");
    assert_eq!(provider["Pid"], plugin.pid(), "{reattach}");
    let address = Address::new(
        provider["Addr"]["Network"].as_str().expect("Addr.Network"),
        provider["Addr"]["String"].as_str().expect("Addr.String"),
    )
    .unwrap_or_else(|problem| panic!("{problem}: {reattach}"));

    let channel = connect(&address, None)
        .await
        .expect("a reattaching host connects");
    assert_serves_tier_schema(&provider_schema(channel.clone()).await);

    // A host detaching says Shutdown; in debug mode the developer decides when it ends.
    GrpcControllerClient::new(channel)
        .shutdown(Empty {})
        .await
        .expect("Shutdown is answered");
    assert!(
        plugin
            .exit_within(Duration::from_millis(300))
            .await
            .is_none(),
        "the debug provider exited when a host detached"
    );
    let channel = connect(&address, None)
        .await
        .expect("the next host connects");
    assert_serves_tier_schema(&provider_schema(channel).await);
}
