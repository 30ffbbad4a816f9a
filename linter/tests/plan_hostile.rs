//! Plans a hostile or unusual producer can hand drlint: numbers beyond `f64`, nesting far past
//! `serde_json`'s limit, binary plans, pipes, and plans of tens of megabytes. Each is read, or
//! refused with a message that says where and what to do; none takes drlint down.

use std::path::Path;
use std::process::{Command, Output};

use drlint::check::check;
use drlint::plan::{Json, PathStep, PlanDocument, PlanError, PlanValue, MAX_NESTING};
use drlint::settings::Settings;
use drlint::value::{Lookup, Value};

fn drlint() -> Command {
    Command::new(env!("CARGO_BIN_EXE_drlint"))
}

fn temp_dir() -> tempfile::TempDir {
    tempfile::tempdir().unwrap_or_else(|error| panic!("temporary directory: {error}"))
}

fn write(path: &Path, contents: impl AsRef<[u8]>) {
    std::fs::write(path, contents).unwrap_or_else(|error| panic!("{}: {error}", path.display()));
}

fn run(command: &mut Command) -> Output {
    command
        .output()
        .unwrap_or_else(|error| panic!("{command:?}: {error}"))
}

/// A plan holding one database change with the given `after` and `after_unknown`, and
/// `extra` top-level members (each followed by a comma).
fn plan_with(extra: &str, after: &str, after_unknown: &str) -> String {
    format!(
        r#"{{"format_version": "1.2", "terraform_version": "1.9.5", {extra}
"resource_changes": [{{"address": "aws_db_instance.db", "mode": "managed",
  "type": "aws_db_instance", "name": "db",
  "provider_name": "registry.terraform.io/hashicorp/aws",
  "change": {{"actions": ["create"], "before": null, "after": {after},
              "after_unknown": {after_unknown}}}}}]}}"#
    )
}

/// `depth` nested arrays around `leaf`.
fn nested(depth: usize, leaf: &str) -> String {
    format!("{}{leaf}{}", "[".repeat(depth), "]".repeat(depth))
}

fn parse(text: &str) -> PlanDocument {
    PlanDocument::parse(text.as_bytes()).unwrap_or_else(|error| panic!("{error}"))
}

fn the_resource(plan: &PlanDocument) -> &drlint::plan::PlannedResource {
    match plan.resources.as_slice() {
        [resource] => resource,
        other => panic!("one resource expected, found {}", other.len()),
    }
}

#[test]
fn numbers_beyond_f64_load_as_the_nearest_f64() {
    let text = plan_with(
        r#""variables": {"storage": {"value": 1e400}},
           "prior_state": {"values": {"root_module": {"resources": [{"values": {"size": 2e999}}]}}},"#,
        r#"{"allocated_storage": 1e400, "iops": -1e400, "max_allocated_storage": 123456789012345678901234567890,
            "storage_throughput": 0.5, "multi_az": false,
            "tags_all": {"dr-tier": "1", "rto-hours": "0.25"}}"#,
        r#"{"id": true}"#,
    );
    let plan = parse(&text);
    let db = the_resource(&plan);
    let number = |name: &str| db.attribute(name).known().and_then(Json::as_f64);
    assert_eq!(number("allocated_storage"), Some(f64::INFINITY));
    assert_eq!(number("iops"), Some(f64::NEG_INFINITY));
    assert_eq!(number("max_allocated_storage"), Some(1.2345678901234568e29));
    assert_eq!(number("storage_throughput"), Some(0.5));
    assert_eq!(
        plan.variables.get("storage").and_then(Json::as_f64),
        Some(f64::INFINITY)
    );

    // Through the whole run: the plan is read, not called damaged, and the model has the value.
    let dir = temp_dir();
    let path = dir.path().join("plan.json");
    write(&path, &text);
    let run = check(std::slice::from_ref(&path), &Settings::default());
    assert_eq!(run.errors, []);
    let resource = run.model.resources.first();
    assert_eq!(
        resource.map(|resource| resource.get(&["allocated_storage"])),
        Some(Lookup::Known(&Value::Number(f64::INFINITY)))
    );
}

#[test]
fn nesting_far_beyond_serde_json_limit_loads() {
    // 1,000 levels in an attribute value (serde_json stops at 128), marks as deep.
    let text = plan_with(
        "",
        &format!(
            r#"{{"deep": {}, "tags_all": {{"dr-tier": "1"}}}}"#,
            nested(1000, "7")
        ),
        &format!(r#"{{"deep": {}}}"#, nested(999, "[false, true]")),
    );
    let plan = parse(&text);
    let db = the_resource(&plan);
    let mut path = vec![PathStep::Key("deep")];
    path.extend(std::iter::repeat_n(PathStep::Index(0), 1000));
    assert_eq!(db.value(&path), PlanValue::Known(&Json::Number(7.0)));
    if let Some(last) = path.last_mut() {
        *last = PathStep::Index(1);
    }
    assert_eq!(db.value(&path), PlanValue::Unknown);
    assert!(db.contains_unknown(&[PathStep::Key("deep")]));
    assert_eq!(db.tag("dr-tier").as_str(), Some("1"));

    // The model gets the whole value, unknown part included.
    let dir = temp_dir();
    let file = dir.path().join("plan.json");
    write(&file, &text);
    let run = check(std::slice::from_ref(&file), &Settings::default());
    assert_eq!(run.errors, []);
    let mut value = run.model.resources.first().map(|r| &r.values);
    for step in 0..1001 {
        value = match value {
            Some(Value::Map(entries)) if step == 0 => entries.get("deep"),
            Some(Value::List(items)) => items.first(),
            _ => None,
        };
    }
    assert_eq!(value, Some(&Value::Number(7.0)));
}

#[test]
fn nesting_up_to_the_limit_loads_on_any_thread() {
    // At the limit itself, on a test thread's small stack: parsing gets a stack of its own,
    // and reading and dropping the document never recurse.
    let depth = MAX_NESTING - 5;
    let text = plan_with(
        "",
        &format!(r#"{{"deep": {}}}"#, nested(depth, "true")),
        &format!(r#"{{"deep": {}}}"#, nested(depth, "true")),
    );
    let plan = parse(&text);
    let db = the_resource(&plan);
    assert!(db.nesting() > depth);
    assert!(db.contains_unknown(&[PathStep::Key("deep")]));
    drop(plan);

    // The real binary, through rules and rendering, in every output format.
    let dir = temp_dir();
    let file = dir.path().join("plan.json");
    write(&file, &text);
    for format in ["json", "human", "sarif", "github", "markdown", "html"] {
        let output = run(drlint().args(["check", "--format", format]).arg(&file));
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            matches!(output.status.code(), Some(0 | 1)),
            "{format}: {:?} {stderr}",
            output.status
        );
        assert!(
            String::from_utf8_lossy(&output.stdout).contains("aws_db_instance.db"),
            "{format}"
        );
    }
}

#[test]
fn nesting_beyond_the_limit_is_refused_at_its_place() {
    let text = plan_with(
        "",
        &format!(r#"{{"deep": {}}}"#, nested(MAX_NESTING, "1")),
        "{}",
    );
    let error = PlanDocument::parse(text.as_bytes()).err();
    // `after` is five levels down (document, list, change, change object, after): the array
    // that crosses the limit is the one at level MAX_NESTING + 1.
    let line = text.lines().position(|line| line.contains("\"deep\""));
    let column = text
        .lines()
        .find(|line| line.contains("\"deep\""))
        .and_then(|line| line.find(r#""deep": "#))
        .map(|deep| deep + r#""deep": "#.len() + 1 + (MAX_NESTING + 1 - 6));
    assert_eq!(
        error
            .as_ref()
            .and_then(PlanError::position)
            .map(|p| (p.line, p.column)),
        line.map(|line| line + 1).zip(column),
        "{error:?}"
    );
    let message = error.map(|error| error.to_string()).unwrap_or_default();
    assert!(
        message.contains("more than 10000 levels") && message.contains("flatten"),
        "{message}"
    );

    // A million levels in two megabytes: refused at once, no stack overflow.
    let million = nested(1_000_000, "");
    assert!(matches!(
        PlanDocument::parse(million.as_bytes()),
        Err(PlanError::TooDeep { position, limit }) if position.column == MAX_NESTING + 1 && limit == MAX_NESTING
    ));

    let dir = temp_dir();
    let file = dir.path().join("deep.json");
    write(&file, &million);
    let output = run(drlint().args(["check", "--format", "json"]).arg(&file));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains(&format!(
            "{}:1:{}: arrays and objects nest more than",
            file.display(),
            MAX_NESTING + 1
        )),
        "{stderr}"
    );
}

#[test]
fn a_binary_plan_gets_the_command_that_converts_it() {
    let dir = temp_dir();
    let file = dir.path().join("tfplan");
    // The start of what `terraform plan -out=tfplan` writes: a zip archive.
    write(
        &file,
        b"PK\x03\x04\x14\x00\x08\x08\x08\x00tfplan\x00\x00\xff\xfe",
    );
    let run = check(std::slice::from_ref(&file), &Settings::default());
    let messages: Vec<_> = run
        .errors
        .iter()
        .map(|error| error.message.as_str())
        .collect();
    let expected = format!(
        "this is a binary plan: run `terraform show -json {} > plan.json`",
        file.display()
    );
    assert_eq!(messages, [expected.as_str()]);

    let output = run_binary_on(&file);
    assert!(
        String::from_utf8_lossy(&output.stderr).contains(&expected),
        "{output:?}"
    );
}

fn run_binary_on(file: &Path) -> Output {
    run(drlint().args(["check", "--format", "json"]).arg(file))
}

/// A plan with one finding-worthy database (tier 1 without Multi-AZ).
fn small_plan() -> String {
    plan_with(
        "",
        r#"{"identifier": "orders", "multi_az": false, "backup_retention_period": 7,
            "tags_all": {"dr-tier": "1", "rto-hours": "0.25"}}"#,
        r#"{"id": true}"#,
    )
}

/// The addresses the JSON report's findings are about, each once.
fn addresses(stdout: &[u8]) -> Vec<String> {
    let report: serde_json::Value = serde_json::from_slice(stdout)
        .unwrap_or_else(|error| panic!("{error}: {}", String::from_utf8_lossy(stdout)));
    let mut addresses: Vec<String> = report["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|finding| finding["address"].as_str().map(str::to_owned))
        .collect();
    addresses.dedup();
    addresses
}

#[test]
fn a_fifo_is_read_as_a_plan_once() {
    let dir = temp_dir();
    let fifo = dir.path().join("plan.fifo");
    let made = run(Command::new("mkfifo").arg(&fifo));
    assert!(made.status.success(), "mkfifo: {made:?}");
    let writer = {
        let fifo = fifo.clone();
        // Opening a FIFO for writing waits for its reader: drlint.
        std::thread::spawn(move || std::fs::write(&fifo, small_plan()))
    };
    // Named twice, read once: a second read would wait forever for a writer.
    let output = run(drlint()
        .args(["check", "--format", "json"])
        .arg(&fifo)
        .arg(&fifo));
    // Should drlint not have opened the pipe, the writer still waits for a reader: opening it
    // for reading and writing (which never waits, on Linux) lets it finish into the buffer.
    drop(
        std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .open(&fifo),
    );
    let written = writer.join().map_err(|_| "writer panicked");
    assert!(matches!(written, Ok(Ok(()))), "{written:?}");
    assert_eq!(
        output.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(addresses(&output.stdout), ["aws_db_instance.db"]);
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap_or_default();
    assert_eq!(report["summary"]["resources"], 1, "{report}");
}

#[test]
fn process_substitution_is_read_as_a_plan() {
    // `drlint check <(terraform show -json tfplan)`: the shell passes /dev/fd/N, a pipe.
    let dir = temp_dir();
    let file = dir.path().join("plan.json");
    write(&file, small_plan());
    let output = run(Command::new("bash")
        .arg("-c")
        .arg(r#""$0" check --format json <(cat "$1")"#)
        .arg(env!("CARGO_BIN_EXE_drlint"))
        .arg(&file));
    assert_eq!(
        output.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(addresses(&output.stdout), ["aws_db_instance.db"]);
}

#[test]
fn a_single_tf_file_and_a_missing_path_keep_their_messages() {
    let dir = temp_dir();
    let tf = dir.path().join("main.tf");
    write(&tf, "resource \"aws_s3_bucket\" \"b\" {}\n");
    let missing = dir.path().join("nothing.json");
    let run = check(&[tf, missing], &Settings::default());
    let messages: Vec<_> = run
        .errors
        .iter()
        .map(|error| error.message.as_str())
        .collect();
    assert!(
        matches!(messages.as_slice(), [tf, missing]
            if tf.starts_with("a single .tf file is not a module")
            && missing.starts_with("no such file or directory")),
        "{messages:?}"
    );
}

/// Writes a plan of about `megabytes` MB shaped like a large estate's: every change a
/// database with tags, default tags and unknown marks, across many modules.
fn write_large_plan(path: &Path, megabytes: usize) -> usize {
    let mut text = String::with_capacity(megabytes * 1_100_000);
    text.push_str(
        r#"{"format_version": "1.2", "terraform_version": "1.9.5", "resource_changes": ["#,
    );
    let mut count = 0;
    while text.len() < megabytes * 1_000_000 {
        let (service, index) = (count / 40, count % 40);
        let tier = 1 + count % 3;
        if count > 0 {
            text.push(',');
        }
        text.push_str(&format!(
            r#"{{"address": "module.svc_{service}.aws_db_instance.main[{index}]", "module_address": "module.svc_{service}",
"mode": "managed", "type": "aws_db_instance", "name": "main", "index": {index},
"provider_name": "registry.terraform.io/hashicorp/aws",
"change": {{"actions": ["create"], "before": null,
 "after": {{"identifier": "db-{count}", "engine": "postgres", "instance_class": "db.r6g.large",
  "allocated_storage": 100, "multi_az": {multi_az}, "backup_retention_period": 7,
  "storage_encrypted": true, "tags": {{"dr-tier": "{tier}"}},
  "tags_all": {{"dr-tier": "{tier}", "service": "svc-{service}", "team": "team-{team}"}}}},
 "after_unknown": {{"id": true, "arn": true, "endpoint": true, "tags": {{}}, "tags_all": {{}}}}}}}}"#,
            multi_az = count % 2 == 0,
            team = service % 7,
        ));
        count += 1;
    }
    text.push_str("]}");
    write(path, &text);
    count
}

/// Runs the binary on `plan` with its address space limited to `kib` KiB.
fn check_within(kib: u64, plan: &Path) -> Output {
    run(Command::new("sh")
        .arg("-c")
        .arg(r#"ulimit -v "$1" && exec "$0" check --format json "$2""#)
        .arg(env!("CARGO_BIN_EXE_drlint"))
        .arg(kib.to_string())
        .arg(plan))
}

fn finished(output: &Output) -> bool {
    // 0 or 1: a report was written (2 is an input error, a signal has no code).
    matches!(output.status.code(), Some(0 | 1))
}

#[test]
fn a_large_plan_needs_at_most_ten_times_its_size() {
    let dir = temp_dir();
    let empty = dir.path().join("empty.json");
    write(
        &empty,
        r#"{"format_version": "1.2", "resource_changes": []}"#,
    );
    // What the binary itself needs: the least address space an empty plan runs in.
    let (mut low, mut high) = (1024u64, 1024 * 1024);
    assert!(
        finished(&check_within(high, &empty)),
        "the empty plan does not run in 1 GiB"
    );
    while high - low > 1024 {
        let middle = (low + high) / 2;
        if finished(&check_within(middle, &empty)) {
            high = middle;
        } else {
            low = middle;
        }
    }
    let allowance = high;

    let plan = dir.path().join("large.json");
    let resources = write_large_plan(&plan, 40);
    let size = std::fs::metadata(&plan).map_or(0, |metadata| metadata.len());
    let limit = 10 * size / 1024 + allowance;
    eprintln!(
        "plan: {size} bytes, {resources} resources; empty plan needs {allowance} KiB; limit {limit} KiB"
    );
    let output = check_within(limit, &plan);
    assert!(
        finished(&output),
        "drlint needed more than 10 × {size} bytes + {allowance} KiB: {:?} {}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap_or_default();
    assert_eq!(report["summary"]["resources"], resources);
}

/// `count` comma-separated JSON members made by `member`.
fn members(count: usize, member: impl Fn(usize) -> String) -> String {
    (0..count).map(member).collect::<Vec<_>>().join(",")
}

#[test]
fn wide_objects_and_many_providers_take_linear_time() {
    // Each of these took time quadratic in the width at some point (a resource's attributes
    // against its unknown marks or its configuration, every resource against every provider
    // configuration); at this width that is minutes, so a regression shows as a test that
    // runs far past its usual second.
    let width = 50_000;
    let after = members(width, |i| format!(r#""a{i}": 1"#));
    let marks = members(width, |i| format!(r#""m{i}": true"#));
    let expressions = members(width, |i| format!(r#""e{i}": {{"references": ["var.x"]}}"#));
    let providers = members(width, |i| format!(r#""p{i}": {{"name": "aws"}}"#));
    let changes = members(width, |i| {
        format!(
            r#"{{"address": "aws_s3_bucket.b[{i}]", "mode": "managed", "type": "aws_s3_bucket",
                "name": "b", "index": {i}, "change": {{"actions": ["create"], "after": {{"x": 1}}}}}}"#
        )
    });
    let wide = format!(
        r#"{{"address": "aws_s3_bucket.wide", "mode": "managed", "type": "aws_s3_bucket",
            "name": "wide", "change": {{"actions": ["create"], "after": {{{after}}},
            "after_unknown": {{{marks}}}}}}}"#
    );
    let unmarked = format!(
        r#"{{"address": "aws_s3_bucket.open", "mode": "managed", "type": "aws_s3_bucket",
            "name": "open", "change": {{"actions": ["create"], "after": {{{after}}}}}}}"#
    );
    let configuration = |name: &str, expressions: &str| {
        format!(
            r#"{{"address": "aws_s3_bucket.{name}", "mode": "managed", "type": "aws_s3_bucket",
                "name": "{name}", "provider_config_key": "absent", "expressions": {{{expressions}}}}}"#
        )
    };
    let text = format!(
        r#"{{"format_version": "1.2", "resource_changes": [{wide}, {unmarked}, {changes}],
            "configuration": {{"provider_config": {{{providers}}},
              "root_module": {{"resources": [{}, {}]}}}}}}"#,
        configuration("open", &expressions),
        configuration("b", "")
    );
    let dir = temp_dir();
    let file = dir.path().join("wide.json");
    write(&file, &text);
    let run = check(std::slice::from_ref(&file), &Settings::default());
    assert_eq!(run.errors, []);
    assert_eq!(run.model.resources.len(), width + 2);
    let open = run
        .model
        .resources
        .iter()
        .find(|resource| &*resource.address == "aws_s3_bucket.open");
    // Without marks, an attribute the configuration computes is unknown.
    assert_eq!(
        open.map(|resource| resource.get(&["e7"])),
        Some(Lookup::Unknown)
    );
}
