//! gRPC protocol definitions for the `terraform-provider-dr` plugin.
//!
//! Three protocols are generated at build time from the `.proto` files in
//! `proto/proto/`:
//!
//! * [`tfplugin6`]: Terraform plugin protocol 6.9, the `tfplugin6.Provider`
//!   service that Terraform calls.
//! * [`plugin`]: HashiCorp go-plugin's internal services
//!   (`plugin.GRPCController`, `plugin.GRPCStdio`, `plugin.GRPCBroker`) that a
//!   go-plugin host expects next to the provider service.
//! * [`grpc_health_v1`]: the standard gRPC health service, which go-plugin
//!   queries for service `"plugin"`.
//!
//! The build script parses the `.proto` files with the pure-Rust `protox`
//! compiler and feeds the resulting descriptors to `tonic-prost-build`, so no
//! `protoc` binary is needed anywhere (developer machines or CI).
//!
//! [`tonic`], [`prost`] and [`prost_types`] are re-exported; depend on them
//! through this crate so the generated code and its users agree on versions.

pub use prost;
pub use prost_types;
pub use tonic;

/// Terraform plugin protocol 6.9 (`package tfplugin6`).
///
/// Server: [`tfplugin6::provider_server::ProviderServer`] wrapping an
/// implementation of [`tfplugin6::provider_server::Provider`].
#[allow(clippy::all, missing_docs)]
pub mod tfplugin6 {
    tonic::include_proto!("tfplugin6");
}

/// go-plugin's internal services (`package plugin`).
#[allow(clippy::all, missing_docs)]
pub mod plugin {
    tonic::include_proto!("plugin");
}

/// gRPC health checking (`package grpc.health.v1`).
#[allow(clippy::all, missing_docs)]
pub mod grpc_health_v1 {
    tonic::include_proto!("grpc.health.v1");
}

#[cfg(test)]
mod tests {
    use super::tfplugin6::{
        get_provider_schema, schema, validate_provider_config, Diagnostic, Schema,
        ServerCapabilities, StringKind,
    };
    use super::{grpc_health_v1, plugin};
    use prost::Message;

    fn attr(name: &str) -> schema::Attribute {
        schema::Attribute {
            name: name.to_owned(),
            r#type: br#""string""#.to_vec(),
            ..Default::default()
        }
    }

    #[test]
    fn provider_schema_round_trips() {
        let resource = Schema {
            version: 2,
            block: Some(schema::Block {
                attributes: vec![
                    schema::Attribute {
                        required: true,
                        ..attr("name")
                    },
                    schema::Attribute {
                        optional: true,
                        sensitive: true,
                        write_only: true,
                        ..attr("secret")
                    },
                    schema::Attribute {
                        r#type: Vec::new(),
                        optional: true,
                        nested_type: Some(schema::Object {
                            attributes: vec![attr("region")],
                            nesting: schema::object::NestingMode::List as i32,
                            ..Default::default()
                        }),
                        ..attr("replicas")
                    },
                ],
                block_types: vec![schema::NestedBlock {
                    type_name: "timeouts".to_owned(),
                    block: Some(schema::Block::default()),
                    nesting: schema::nested_block::NestingMode::Single as i32,
                    ..Default::default()
                }],
                description: "A **plan**.".to_owned(),
                description_kind: StringKind::Markdown as i32,
                ..Default::default()
            }),
        };
        let response = get_provider_schema::Response {
            provider: Some(Schema::default()),
            resource_schemas: [("dr_plan".to_owned(), resource)].into_iter().collect(),
            server_capabilities: Some(ServerCapabilities {
                plan_destroy: true,
                get_provider_schema_optional: true,
                move_resource_state: false,
            }),
            diagnostics: vec![Diagnostic {
                severity: super::tfplugin6::diagnostic::Severity::Warning as i32,
                summary: "heads up".to_owned(),
                ..Default::default()
            }],
            ..Default::default()
        };

        let bytes = response.encode_to_vec();
        let decoded = get_provider_schema::Response::decode(bytes.as_slice()).unwrap();
        assert_eq!(decoded, response);
        let block = decoded.resource_schemas["dr_plan"].block.as_ref().unwrap();
        assert!(block.attributes[1].write_only);
        assert_eq!(
            block.attributes[2].nested_type.as_ref().unwrap().nesting(),
            schema::object::NestingMode::List
        );
    }

    #[test]
    fn field_numbers_match_protocol_6_9() {
        // Schema.Attribute.nested_type = 10 (length-delimited): tag 10<<3|2.
        let a = schema::Attribute {
            nested_type: Some(schema::Object::default()),
            ..Default::default()
        };
        assert_eq!(a.encode_to_vec(), [0x52, 0x00]);

        // Schema.Attribute.write_only = 11 (varint): tag 11<<3|0.
        let a = schema::Attribute {
            write_only: true,
            ..Default::default()
        };
        assert_eq!(a.encode_to_vec(), [0x58, 0x01]);

        // ServerCapabilities.move_resource_state = 3.
        let caps = ServerCapabilities {
            move_resource_state: true,
            ..Default::default()
        };
        assert_eq!(caps.encode_to_vec(), [0x18, 0x01]);

        // ValidateProviderConfig.Response.diagnostics is 2, not 1.
        let r = validate_provider_config::Response {
            diagnostics: vec![Diagnostic::default()],
        };
        assert_eq!(r.encode_to_vec(), [0x12, 0x00]);

        // GetProviderSchema.Response: functions = 7, ephemeral_resource_schemas = 8.
        let r = get_provider_schema::Response {
            functions: [(String::new(), Default::default())].into_iter().collect(),
            ..Default::default()
        };
        assert_eq!(r.encode_to_vec()[0], 7 << 3 | 2);
        let r = get_provider_schema::Response {
            ephemeral_resource_schemas: [(String::new(), Schema::default())].into_iter().collect(),
            ..Default::default()
        };
        assert_eq!(r.encode_to_vec()[0], 8 << 3 | 2);

        // go-plugin's ConnInfo.knock = 4 and Knock.ack = 2.
        let c = plugin::ConnInfo {
            knock: Some(plugin::conn_info::Knock {
                ack: true,
                ..Default::default()
            }),
            ..Default::default()
        };
        assert_eq!(c.encode_to_vec(), [0x22, 0x02, 0x10, 0x01]);

        // StdioData.channel = 1, data = 2; STDERR = 2.
        let s = plugin::StdioData {
            channel: plugin::stdio_data::Channel::Stderr as i32,
            data: b"x".to_vec(),
        };
        assert_eq!(s.encode_to_vec(), [0x08, 0x02, 0x12, 0x01, b'x']);

        // HealthCheckResponse.status = 1; SERVING = 1.
        let h = grpc_health_v1::HealthCheckResponse {
            status: grpc_health_v1::health_check_response::ServingStatus::Serving as i32,
        };
        assert_eq!(h.encode_to_vec(), [0x08, 0x01]);
    }

    #[test]
    fn method_paths_match_go_plugin_and_terraform() {
        let tf = include_str!(concat!(env!("OUT_DIR"), "/tfplugin6.rs"));
        for path in [
            "/tfplugin6.Provider/GetProviderSchema",
            "/tfplugin6.Provider/MoveResourceState",
            "/tfplugin6.Provider/OpenEphemeralResource",
            "/tfplugin6.Provider/StopProvider",
        ] {
            assert!(tf.contains(path), "missing {path}");
        }
        let plugin = include_str!(concat!(env!("OUT_DIR"), "/plugin.rs"));
        for path in [
            "/plugin.GRPCController/Shutdown",
            "/plugin.GRPCStdio/StreamStdio",
            "/plugin.GRPCBroker/StartStream",
        ] {
            assert!(plugin.contains(path), "missing {path}");
        }
        let health = include_str!(concat!(env!("OUT_DIR"), "/grpc.health.v1.rs"));
        for path in [
            "/grpc.health.v1.Health/Check",
            "/grpc.health.v1.Health/Watch",
        ] {
            assert!(health.contains(path), "missing {path}");
        }
    }
}
