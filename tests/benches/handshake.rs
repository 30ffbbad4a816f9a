//! How fast the release provider is ready for Terraform, and how much memory it holds: the time
//! from starting the binary to reading its handshake line, and its resident set after serving
//! one GetProviderSchema over AutoMTLS.
//!
//! `cargo bench -p dr-e2e --bench handshake`. The bench runs from `target/release`, so the
//! provider it drives is the release build, built first if needed. It prints figures and fails
//! only if the provider misbehaves; the aims (handshake under 5 ms, under 10 MB resident) are
//! shown next to them, not enforced, because they depend on the machine.

#[path = "../tests/common/mod.rs"]
mod common;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use common::{connect_as_host, plugin_command, ClientIdentity, Plugin, PATIENCE};
use dr_proto::plugin::{grpc_controller_client::GrpcControllerClient, Empty};
use dr_proto::tfplugin6::{get_provider_schema, provider_client::ProviderClient};

const RUNS: usize = 50;
const HANDSHAKE_AIM: Duration = Duration::from_millis(5);
const RESIDENT_AIM_KIB: u64 = 10 * 1000 * 1000 / 1024;

/// What one start of the provider measured.
struct Sample {
    handshake: Duration,
    /// `VmHWM`: the most memory the process has held resident.
    peak_resident_kib: u64,
    /// `VmRSS`: what it holds now.
    resident_kib: u64,
}

fn main() {
    let binary = dr_e2e::provider_binary();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("the bench's runtime starts");
    runtime.block_on(bench(&binary));
}

async fn bench(binary: &Path) {
    // One client certificate for every run, as Terraform makes one per provider it starts.
    let identity = ClientIdentity::generate();

    // Warm the page cache and the dynamic loader so the first sample is not an outlier.
    for _ in 0..3 {
        sample(binary, Some(&identity)).await;
    }
    let mut auto_mtls = Vec::with_capacity(RUNS);
    let mut plaintext = Vec::with_capacity(RUNS);
    let mut floor = Vec::with_capacity(RUNS);
    for _ in 0..RUNS {
        auto_mtls.push(sample(binary, Some(&identity)).await);
        plaintext.push(sample(binary, None).await);
        floor.push(process_floor(binary).await);
    }

    println!();
    println!("provider: {}", binary.display());
    println!("{RUNS} starts each; handshake = start to handshake line read; memory after one GetProviderSchema");
    println!();
    println!(
        "{:<34} {:>9} {:>9} {:>9} {:>14} {:>12}",
        "", "min", "median", "p95", "peak RSS med", "RSS med"
    );
    row("AutoMTLS (P-521 client cert)", &auto_mtls);
    row("plaintext (no client cert)", &plaintext);
    let mut floor_sorted = floor.clone();
    floor_sorted.sort();
    println!(
        "{:<34} {:>9} {:>9} {:>9}",
        "process floor (--version to exit)",
        millis(floor_sorted[0]),
        millis(percentile(&floor_sorted, 50)),
        millis(percentile(&floor_sorted, 95)),
    );
    println!();
    let median_handshake = {
        let mut times: Vec<_> = auto_mtls.iter().map(|s| s.handshake).collect();
        times.sort();
        percentile(&times, 50)
    };
    let median_peak = median(auto_mtls.iter().map(|s| s.peak_resident_kib).collect());
    println!(
        "aim: AutoMTLS handshake under {} ({}), peak RSS under 10 MB ({})",
        millis(HANDSHAKE_AIM),
        if median_handshake < HANDSHAKE_AIM {
            "met"
        } else {
            "missed"
        },
        if median_peak < RESIDENT_AIM_KIB {
            "met"
        } else {
            "missed"
        },
    );
}

fn row(label: &str, samples: &[Sample]) {
    let mut times: Vec<Duration> = samples.iter().map(|s| s.handshake).collect();
    times.sort();
    println!(
        "{:<34} {:>9} {:>9} {:>9} {:>14} {:>12}",
        label,
        millis(times[0]),
        millis(percentile(&times, 50)),
        millis(percentile(&times, 95)),
        mebibytes(median(
            samples.iter().map(|s| s.peak_resident_kib).collect()
        )),
        mebibytes(median(samples.iter().map(|s| s.resident_kib).collect())),
    );
}

/// The nearest-rank percentile of sorted values.
fn percentile(sorted: &[Duration], percent: usize) -> Duration {
    let rank = (sorted.len() * percent).div_ceil(100).max(1);
    sorted[rank - 1]
}

fn median(mut values: Vec<u64>) -> u64 {
    values.sort_unstable();
    values[values.len() / 2]
}

fn millis(duration: Duration) -> String {
    format!("{:.2} ms", duration.as_secs_f64() * 1000.0)
}

fn mebibytes(kib: u64) -> String {
    format!("{:.1} MiB", kib as f64 / 1024.0)
}

/// Starts the provider as Terraform would, times its handshake, talks to it, reads its memory
/// and shuts it down.
async fn sample(binary: &Path, identity: Option<&ClientIdentity>) -> Sample {
    let mut command = plugin_command(binary);
    if let Some(identity) = identity {
        command.env("PLUGIN_CLIENT_CERT", &identity.certificate_pem);
    }
    let started = Instant::now();
    let mut plugin = Plugin::start(command);
    let handshake = plugin.handshake().await;
    let elapsed = started.elapsed();
    assert_eq!(
        handshake.server_certificate.is_some(),
        identity.is_some(),
        "TLS is on exactly when a client certificate is given"
    );

    let channel = connect_as_host(&handshake, identity)
        .await
        .unwrap_or_else(|error| panic!("cannot connect to the provider: {error}"));
    let schema = ProviderClient::new(channel.clone())
        .get_provider_schema(get_provider_schema::Request {})
        .await
        .expect("GetProviderSchema succeeds")
        .into_inner();
    assert!(schema.resource_schemas.contains_key("dr_tier"));

    let status = proc_status(plugin.pid());
    let sample = Sample {
        handshake: elapsed,
        peak_resident_kib: kib(&status, "VmHWM"),
        resident_kib: kib(&status, "VmRSS"),
    };

    GrpcControllerClient::new(channel)
        .shutdown(Empty {})
        .await
        .expect("Shutdown is answered");
    let exited = plugin.exit_within(PATIENCE).await;
    assert!(
        exited.is_some_and(|s| s.success()),
        "the provider did not exit cleanly"
    );
    sample
}

/// The least a start of this binary can cost: exec, dynamic loading, `main`, exit.
async fn process_floor(binary: &Path) -> Duration {
    let started = Instant::now();
    let status = tokio::process::Command::new(binary)
        .arg("--version")
        .stdout(std::process::Stdio::null())
        .status()
        .await
        .expect("the provider starts");
    assert!(status.success());
    started.elapsed()
}

fn proc_status(pid: u32) -> String {
    let path = PathBuf::from(format!("/proc/{pid}/status"));
    std::fs::read_to_string(&path)
        .unwrap_or_else(|error| panic!("cannot read {}: {error}", path.display()))
}

/// A `kB` field of `/proc/<pid>/status`.
fn kib(status: &str, field: &str) -> u64 {
    status
        .lines()
        .find_map(|line| line.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|value| value.trim().strip_suffix("kB"))
        .and_then(|value| value.trim().parse().ok())
        .unwrap_or_else(|| panic!("no {field} in /proc status:\n{status}"))
}
