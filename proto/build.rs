//! Compiles the .proto files under `proto/` with the pure-Rust `protox`
//! compiler, then hands the descriptors to tonic's code generator.
//! No `protoc` binary is needed.

use std::error::Error;

const PROTOS: &[&str] = &[
    "proto/tfplugin6.proto",
    "proto/plugin.proto",
    "proto/health.proto",
];

fn main() -> Result<(), Box<dyn Error>> {
    println!("cargo:rerun-if-changed=build.rs");
    for proto in PROTOS {
        println!("cargo:rerun-if-changed={proto}");
    }

    // protox ships google/protobuf/*.proto (Timestamp, Empty) itself.
    let fds = protox::compile(PROTOS, ["proto"])?;

    tonic_prost_build::configure()
        .build_server(true)
        .build_client(true)
        .emit_rerun_if_changed(false)
        .compile_fds(fds)?;
    Ok(())
}
