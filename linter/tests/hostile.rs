//! Hostile input is input: each case below once crashed, hung or exhausted memory. The real
//! binary runs with its address space limited to 2 GiB (so memory is bounded by the harness,
//! not measured by timing) and must end with a clear error that names the place and the limit,
//! or with its normal findings. A generous deadline only keeps a regression from hanging CI.

use std::io::Read;
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

const ADDRESS_SPACE: u64 = 2 * 1024 * 1024 * 1024;
const DEADLINE: Duration = Duration::from_secs(180);

struct Run {
    code: Option<i32>,
    report: Value,
    stderr: String,
}

/// `drlint check --format json` on `dir`, under the address-space limit.
fn drlint(dir: &Path, extra: &[&str]) -> Run {
    let mut command = Command::new(env!("CARGO_BIN_EXE_drlint"));
    command
        .args(["check", "--format", "json"])
        .args(extra)
        .arg(".")
        .current_dir(dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    // SAFETY: setrlimit is async-signal-safe and touches no memory of the parent.
    unsafe {
        command.pre_exec(|| {
            let limit = libc::rlimit {
                rlim_cur: ADDRESS_SPACE,
                rlim_max: ADDRESS_SPACE,
            };
            if libc::setrlimit(libc::RLIMIT_AS, &limit) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let mut child = command.spawn().expect("drlint starts");
    let mut stdout = child.stdout.take().expect("stdout");
    let mut stderr = child.stderr.take().expect("stderr");
    let out = std::thread::spawn(move || {
        let mut text = Vec::new();
        let _ = stdout.read_to_end(&mut text);
        text
    });
    let err = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = stderr.read_to_string(&mut text);
        text
    });
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait for drlint") {
            break status;
        }
        if started.elapsed() > DEADLINE {
            let _ = child.kill();
            panic!("drlint did not finish within {DEADLINE:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let stdout = out.join().expect("stdout reader");
    let stderr = err.join().expect("stderr reader");
    let report = serde_json::from_slice(&stdout).unwrap_or_else(|error| {
        panic!("drlint printed no JSON ({error}); status {status}; stderr: {stderr}")
    });
    Run {
        code: status.code(),
        report,
        stderr,
    }
}

fn tree(files: &[(&str, String)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    for (name, text) in files {
        let path = dir.path().join(name);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(path, text).expect("write");
    }
    dir
}

/// The input errors as `file:line: message`.
fn errors(run: &Run) -> Vec<String> {
    run.report["input_errors"]
        .as_array()
        .expect("input_errors")
        .iter()
        .map(|e| {
            format!(
                "{}:{}: {}",
                e["file"].as_str().unwrap_or(""),
                e["line"],
                e["message"].as_str().unwrap_or("")
            )
        })
        .collect()
}

fn assert_limit(run: &Run, place: &str, limit: &str) {
    assert_eq!(run.code, Some(2), "stderr: {}", run.stderr);
    let errors = errors(run);
    assert!(
        errors
            .iter()
            .any(|e| e.starts_with(place) && e.contains(&format!("--limit {limit}=N"))),
        "expected a {limit} limit at {place}: {errors:#?}"
    );
}

#[test]
fn huge_counts_are_limits_not_crashes() {
    let dir = tree(&[(
        "main.tf",
        "resource \"aws_s3_bucket\" \"a\" {\n  count = 1e300\n}\n\nresource \"aws_s3_bucket\" \"b\" {\n  count = 1000000000\n}\n".to_owned(),
    )]);
    let run = drlint(dir.path(), &[]);
    assert_limit(&run, "main.tf:2:", "resource-instances");
    assert_limit(&run, "main.tf:6:", "resource-instances");
}

#[test]
fn a_module_that_calls_itself_is_a_cycle() {
    let dir = tree(&[(
        "main.tf",
        "module \"again\" {\n  source = \"./\"\n  count  = 2\n}\n\nresource \"aws_s3_bucket\" \"b\" {}\n".to_owned(),
    )]);
    let run = drlint(dir.path(), &[]);
    assert_eq!(run.code, Some(2));
    assert!(
        errors(&run)
            .iter()
            .any(|e| e.starts_with("main.tf:1:") && e.contains("already being instantiated")),
        "{:#?}",
        errors(&run)
    );
    assert_eq!(run.report["summary"]["resources"], 1);
}

#[test]
fn a_chain_of_thousands_of_locals_is_bounded_by_the_depth_limit() {
    let mut locals = String::from("locals {\n  l0 = 1\n");
    for i in 1..4_000 {
        locals.push_str(&format!("  l{i} = local.l{} + 1\n", i - 1));
    }
    locals.push_str("}\n\nresource \"aws_s3_bucket\" \"b\" {\n  tags = { n = local.l3999 }\n}\n");
    let dir = tree(&[("main.tf", locals)]);
    let run = drlint(dir.path(), &[]);
    assert_limit(&run, "main.tf:", "depth");
    // Raised, the same chain evaluates, on a stack sized for the limit.
    let raised = drlint(dir.path(), &["--limit", "depth=20000"]);
    assert_eq!(raised.code, Some(1), "stderr: {}", raised.stderr);
    assert_eq!(raised.report["input_errors"], serde_json::json!([]));
}

#[test]
fn sets_of_a_million_strings_are_fast_enough_to_finish() {
    let dir = tree(&[(
        "main.tf",
        r#"
locals {
  many = [for i in range(1000000) : "v${i % 1000}"]
  set  = toset(local.many)
  same = distinct(local.many)
}

resource "aws_s3_bucket" "b" {
  tags = { set = length(local.set), distinct = length(local.same) }
}
"#
        .to_owned(),
    )]);
    let run = drlint(dir.path(), &[]);
    assert_eq!(run.code, Some(1), "stderr: {}", run.stderr);
    assert_eq!(run.report["input_errors"], serde_json::json!([]));
}

#[test]
fn nested_for_expressions_exhaust_the_step_limit() {
    let dir = tree(&[(
        "main.tf",
        "locals {\n  grid = [for i in range(100000) : [for j in range(100000) : i * j]]\n}\n\nresource \"aws_s3_bucket\" \"b\" {\n  tags = { n = length(local.grid) }\n}\n".to_owned(),
    )]);
    let run = drlint(dir.path(), &[]);
    assert_limit(&run, "main.tf:", "steps");
}

#[test]
fn a_huge_join_separator_is_refused_before_it_is_built() {
    let dir = tree(&[(
        "main.tf",
        "locals {\n  separator = format(\"%01000000d\", 1)\n  joined    = join(local.separator, range(100000))\n}\n\nresource \"aws_s3_bucket\" \"b\" {\n  tags = { n = length(local.joined) }\n}\n".to_owned(),
    )]);
    let run = drlint(dir.path(), &[]);
    assert_limit(&run, "main.tf:3:", "string-bytes");
}

#[test]
fn a_thousand_module_instances_of_a_thousand_resources_hit_the_instance_limit() {
    let dir = tree(&[
        (
            "main.tf",
            "module \"shard\" {\n  source = \"./shard\"\n  count  = 1000\n}\n".to_owned(),
        ),
        (
            "shard/main.tf",
            "resource \"aws_s3_bucket\" \"b\" {\n  count  = 1000\n  bucket = \"shard-${count.index}\"\n  tags   = { \"dr-tier\" = \"3\", \"rto-hours\" = \"4\" }\n}\n".to_owned(),
        ),
    ]);
    let run = drlint(dir.path(), &[]);
    assert_limit(&run, "shard/main.tf:1:", "instances");
}

#[test]
fn a_two_hundred_megabyte_file_is_refused_with_the_file_size_limit() {
    let line =
        "# a comment line that pads this file well beyond any configuration a person writes\n";
    let text = line.repeat(200 * 1024 * 1024 / line.len());
    let dir = tree(&[("main.tf", text)]);
    let run = drlint(dir.path(), &[]);
    assert_limit(&run, "main.tf:1:", "file-bytes");
}

#[test]
fn a_var_file_on_a_fifo_is_read_once_for_every_root() {
    let dir = tree(&[
        (
            "prod/main.tf",
            "variable \"tier\" {}\n\nresource \"aws_db_instance\" \"d\" {\n  tags = { \"dr-tier\" = var.tier, \"rto-hours\" = \"4\" }\n}\n".to_owned(),
        ),
        (
            "staging/main.tf",
            "variable \"tier\" {}\n\nresource \"aws_db_instance\" \"d\" {\n  tags = { \"dr-tier\" = var.tier, \"rto-hours\" = \"4\" }\n}\n".to_owned(),
        ),
    ]);
    let fifo = dir.path().join("values.tfvars");
    let name = std::ffi::CString::new(fifo.display().to_string()).expect("a path");
    // SAFETY: a NUL-terminated path and a plain mode.
    assert_eq!(unsafe { libc::mkfifo(name.as_ptr(), 0o600) }, 0, "mkfifo");
    let writer = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::write(fifo, "tier = \"3\"\n"))
    };
    let run = drlint(
        dir.path(),
        &["--var-file", fifo.to_str().expect("a UTF-8 path")],
    );
    writer.join().expect("the writer").expect("written");
    assert_eq!(
        run.report["input_errors"],
        serde_json::json!([]),
        "{}",
        run.stderr
    );
    // Both roots got tier 3 from the one read: Multi-AZ is recommended there, a warning.
    let tiers: Vec<&Value> = run.report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| &f["tier"])
        .collect();
    assert!(
        !tiers.is_empty() && tiers.iter().all(|tier| **tier == 3),
        "{tiers:?}"
    );
    let roots: std::collections::BTreeSet<&str> = run.report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter_map(|f| f["root"].as_str())
        .collect();
    assert_eq!(roots.len(), 2, "{roots:?}");
}
