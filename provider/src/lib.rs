//! terraform-provider-dr: disaster-recovery tiers, failover policies and drills as Terraform
//! resources.
//!
//! The crate is layered so each layer has one job: `value` speaks Terraform's value encodings,
//! `schema` and `resources` hold the provider's meaning in its own terms (with the clock and the
//! cloud they consult injected through `context`), `config` reads the provider block, `wire`
//! maps all of it onto plugin protocol 6, `plugin` is the go-plugin transport (handshake,
//! socket, AutoMTLS, controller) that lets Terraform and OpenTofu start and stop the provider,
//! and `aws` is the provider's AWS identity (credentials, account, recovery-role probes). The binary's
//! `main` only reads the command line and hands over to `plugin`.

pub mod aws;
pub mod aws_cloud;
pub mod config;
pub mod context;
pub mod docs;
pub mod log;
pub mod plugin;
pub mod resources;
pub mod schema;
pub mod tls;
pub mod value;
pub mod wire;
