//! How the provider binary guards its transport from start to exit: its socket and the socket's
//! directory belong to its user alone whatever the umask; the directory is gone and the exit
//! status is 0 however the plugin is ended (the host's Shutdown or StopProvider, `SIGTERM`, or
//! `SIGINT` in debug mode); a plugin started by a host leaves `SIGINT` to that host; and a
//! `PLUGIN_CLIENT_CERT` that is not a certificate stops it before it binds or prints anything.

mod common;

use std::os::unix::fs::{FileTypeExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::time::Duration;

use common::{bare_command, connect, plugin_command, Address, Plugin, PATIENCE};
use dr_proto::grpc_health_v1::{self as health, health_client::HealthClient};
use dr_proto::plugin::{grpc_controller_client::GrpcControllerClient, Empty};
use dr_proto::tfplugin6::{self as pb, provider_client::ProviderClient};
use dr_proto::tonic::transport::Channel;

/// How soon a plugin asked to stop must be gone. It waits a few milliseconds for its reply to
/// leave; the rest is slack for a loaded machine.
const EXIT_DEADLINE: Duration = Duration::from_secs(2);

/// The umask most shells run with, for the tests that are not about the umask.
const USUAL_UMASK: &str = "022";

/// How the provider was started.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Run {
    /// By a host, as Terraform starts it: it prints the handshake line.
    Hosted,
    /// By hand with `--debug`: it prints a `TF_REATTACH_PROVIDERS` setting.
    Debug,
}

/// A running provider and the socket it announced.
///
/// Its socket directory is made, through `PLUGIN_UNIX_SOCKET_DIR`, inside a scratch directory of
/// the test's, so the test sees anything the provider leaves behind, and a provider the test had
/// to kill leaves nothing in the machine's temporary directory.
struct Started {
    plugin: Plugin,
    socket: PathBuf,
    scratch: tempfile::TempDir,
}

impl Started {
    /// Starts the provider under `umask`, with `env` added to what the way of running sets.
    async fn new(run: Run, umask: &str, env: &[(&str, &str)]) -> Started {
        let scratch = tempfile::tempdir().expect("a scratch directory can be made");
        // `sh` sets the umask, then becomes the provider: the process the test signals and
        // waits for is the provider itself.
        let shell = Path::new("sh");
        let mut command = match run {
            Run::Hosted => plugin_command(shell),
            Run::Debug => bare_command(shell),
        };
        command
            .arg("-c")
            .arg(format!("umask {umask} && exec \"$0\" \"$@\""))
            .arg(dr_e2e::provider_binary())
            .env("PLUGIN_UNIX_SOCKET_DIR", scratch.path());
        if run == Run::Debug {
            command.arg("--debug");
        }
        for (name, value) in env {
            command.env(name, value);
        }
        let mut plugin = Plugin::start(command);
        let address = match run {
            Run::Hosted => plugin.handshake().await.address,
            Run::Debug => reattach_address(&mut plugin).await,
        };
        let Address::Unix(socket) = address else {
            panic!("expected a unix socket, got {address:?}");
        };
        Started {
            plugin,
            socket,
            scratch,
        }
    }

    fn directory(&self) -> &Path {
        self.socket
            .parent()
            .expect("the socket lies in a directory")
    }

    async fn channel(&self) -> Channel {
        connect(&Address::Unix(self.socket.clone()), None)
            .await
            .unwrap_or_else(|error| panic!("cannot connect to {}: {error}", self.socket.display()))
    }

    /// Checks that the provider still answers, as go-plugin's host checks it.
    async fn assert_serves(&self) {
        let reply = HealthClient::new(self.channel().await)
            .check(health::HealthCheckRequest {
                service: "plugin".to_owned(),
            })
            .await
            .expect("the health check answers")
            .into_inner();
        assert_eq!(
            reply.status,
            health::health_check_response::ServingStatus::Serving as i32
        );
    }

    fn send(&self, signal: &str) {
        let status = std::process::Command::new("kill")
            .args(["-s", signal, &self.plugin.pid().to_string()])
            .status()
            .expect("kill can be started");
        assert!(status.success(), "kill -s {signal} failed with {status}");
    }

    /// Checks that the provider exits with status 0 soon after `after`, its socket directory
    /// removed and nothing else left in the scratch directory.
    async fn assert_ended_cleanly(mut self, after: &str) {
        let status = self
            .plugin
            .exit_within(EXIT_DEADLINE)
            .await
            .unwrap_or_else(|| {
                panic!(
                    "the provider still runs {EXIT_DEADLINE:?} after {after}\n--- stderr ---\n{}",
                    self.plugin.stderr_so_far()
                )
            });
        assert!(
            status.success(),
            "the provider exited with {status} after {after}\n--- stderr ---\n{}",
            self.plugin.final_stderr().await
        );
        assert!(
            !self.directory().exists(),
            "the socket directory {} outlived the provider ({after})",
            self.directory().display()
        );
        let left: Vec<_> = std::fs::read_dir(self.scratch.path())
            .expect("the scratch directory can be read")
            .map(|entry| entry.map(|entry| entry.file_name()))
            .collect::<Result<_, _>>()
            .expect("the scratch directory can be listed");
        assert!(left.is_empty(), "left behind after {after}: {left:?}");
    }
}

/// Reads the address from the `TF_REATTACH_PROVIDERS` setting debug mode prints.
async fn reattach_address(plugin: &mut Plugin) -> Address {
    let setting = loop {
        let line = plugin.next_stdout_line().await;
        if let Some(setting) = line.trim().strip_prefix("TF_REATTACH_PROVIDERS=") {
            break setting.trim_matches('\'').to_owned();
        }
    };
    let reattach: serde_json::Value = serde_json::from_str(&setting)
        .unwrap_or_else(|error| panic!("TF_REATTACH_PROVIDERS is not JSON ({error}): {setting}"));
    let provider = &reattach["registry.terraform.io/dr-toolkit/dr"];
    // The shell that set the umask became the provider: the pid it announces is the one the
    // test signals.
    assert_eq!(provider["Pid"], plugin.pid(), "{reattach}");
    Address::new(
        provider["Addr"]["Network"].as_str().expect("Addr.Network"),
        provider["Addr"]["String"].as_str().expect("Addr.String"),
    )
    .unwrap_or_else(|problem| panic!("{problem}: {reattach}"))
}

fn mode(path: &Path) -> u32 {
    std::fs::symlink_metadata(path)
        .unwrap_or_else(|error| panic!("cannot stat {}: {error}", path.display()))
        .permissions()
        .mode()
        & 0o7777
}

#[tokio::test]
async fn socket_and_its_directory_are_private_whatever_the_umask() {
    for run in [Run::Hosted, Run::Debug] {
        // 000 would leave both open to everyone; 777 would leave the owner locked out.
        for umask in ["000", "777"] {
            let started = Started::new(run, umask, &[("TF_DISABLE_PLUGIN_TLS", "1")]).await;
            let socket = std::fs::symlink_metadata(&started.socket).expect("the socket exists");
            assert!(
                socket.file_type().is_socket(),
                "{} is not a socket",
                started.socket.display()
            );
            let modes = (mode(started.directory()), mode(&started.socket));
            assert_eq!(
                modes,
                (0o700, 0o600),
                "the socket directory is {:o} and the socket {:o}, {run:?} under umask {umask}",
                modes.0,
                modes.1
            );
            started.assert_serves().await;
            started.send("TERM");
            started
                .assert_ended_cleanly(&format!("SIGTERM ({run:?}, umask {umask})"))
                .await;
        }
    }
}

#[tokio::test]
async fn sigterm_ends_the_plugin_and_removes_its_socket_directory() {
    for run in [Run::Hosted, Run::Debug] {
        let started = Started::new(run, USUAL_UMASK, &[]).await;
        started.assert_serves().await;
        started.send("TERM");
        started
            .assert_ended_cleanly(&format!("SIGTERM ({run:?})"))
            .await;
    }
}

#[tokio::test]
async fn sigint_ends_a_debug_run_and_removes_its_socket_directory() {
    let started = Started::new(Run::Debug, USUAL_UMASK, &[]).await;
    started.assert_serves().await;
    started.send("INT");
    started.assert_ended_cleanly("SIGINT (debug mode)").await;
}

#[tokio::test]
async fn a_hosted_run_leaves_sigint_to_its_host() {
    let mut started =
        Started::new(Run::Hosted, USUAL_UMASK, &[("TF_LOG_PROVIDER_DR", "debug")]).await;
    started.send("INT");
    // The provider's own word that the signal reached it, so what follows is not a race.
    started
        .plugin
        .stderr_when("the SIGINT received", |stderr| {
            stderr.contains("ignoring SIGINT")
        })
        .await;
    assert!(
        started.plugin.exit_within(Duration::ZERO).await.is_none(),
        "the provider exited on SIGINT\n{}",
        started.plugin.stderr_so_far()
    );
    started.assert_serves().await;

    // Then the host stops it as it always does.
    GrpcControllerClient::new(started.channel().await)
        .shutdown(Empty {})
        .await
        .expect("Shutdown is answered before the provider goes");
    started
        .assert_ended_cleanly("SIGINT, then GRPCController.Shutdown")
        .await;
}

#[tokio::test]
async fn controller_shutdown_ends_a_hosted_run_and_removes_its_socket_directory() {
    let started = Started::new(Run::Hosted, USUAL_UMASK, &[]).await;
    GrpcControllerClient::new(started.channel().await)
        .shutdown(Empty {})
        .await
        .expect("Shutdown is answered before the provider goes");
    started
        .assert_ended_cleanly("GRPCController.Shutdown")
        .await;
}

#[tokio::test]
async fn stop_provider_ends_a_hosted_run_and_removes_its_socket_directory() {
    let started = Started::new(Run::Hosted, USUAL_UMASK, &[]).await;
    let reply = ProviderClient::new(started.channel().await)
        .stop_provider(pb::stop_provider::Request {})
        .await
        .expect("StopProvider is answered before the provider goes")
        .into_inner();
    assert!(
        reply.error.is_empty(),
        "StopProvider reported {:?}",
        reply.error
    );
    started.assert_ended_cleanly("tfplugin6 StopProvider").await;
}

#[tokio::test]
async fn refuses_a_client_certificate_that_is_not_one() {
    let private_key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256)
        .expect("aws-lc-rs makes P-256 keys")
        .serialize_pem();
    // A well-formed PEM block with the right label around bytes that are no certificate.
    let not_a_certificate =
        "-----BEGIN CERTIFICATE-----\naGVsbG8gd29ybGQ=\n-----END CERTIFICATE-----\n";
    for (what, pem) in [
        ("garbage", "garbage"),
        ("a PEM private key", private_key.as_str()),
        ("a CERTIFICATE block of other bytes", not_a_certificate),
    ] {
        let scratch = tempfile::tempdir().expect("a scratch directory can be made");
        let mut command = plugin_command(&dr_e2e::provider_binary());
        command
            .env("PLUGIN_CLIENT_CERT", pem)
            .env("PLUGIN_UNIX_SOCKET_DIR", scratch.path());
        let output = tokio::time::timeout(PATIENCE, command.output())
            .await
            .expect("the provider exits on its own when it cannot serve")
            .expect("the provider can be started");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            output.status.code().is_some_and(|code| code != 0),
            "{what}: the provider should exit with an error code, it ended with {}\n{stderr}",
            output.status
        );
        assert!(
            stderr.contains("PLUGIN_CLIENT_CERT is not a valid certificate")
                && stderr.contains("PEM-encoded X.509 certificate (-----BEGIN CERTIFICATE-----"),
            "{what}: stderr should say PLUGIN_CLIENT_CERT is bad and what it should hold: {stderr}"
        );
        assert!(!stderr.contains("panicked"), "{what}: {stderr}");
        assert!(
            output.stdout.is_empty(),
            "{what}: no handshake for a host it cannot trust: {:?}",
            String::from_utf8_lossy(&output.stdout)
        );
        let left = std::fs::read_dir(scratch.path())
            .expect("the scratch directory can be read")
            .count();
        assert_eq!(
            left, 0,
            "{what}: a socket directory was made before the refusal"
        );
    }
}
