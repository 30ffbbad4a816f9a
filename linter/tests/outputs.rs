//! The CI outputs, checked by what consumes them: SARIF by Microsoft's SARIF Multitool with
//! GitHub's ingestion rules, JUnit by an XML parser, GitHub annotations by their syntax; and
//! the options that shape them (several outputs in one run, `--unknown`, docs links, base
//! directory) on the example tree, a plan and broken input.
//!
//! The Multitool comes from npm (`@microsoft/sarif-multitool-linux`); `tests/run` installs it
//! into `.tools/npm`, or `DR_SARIF_MULTITOOL` names the executable. Without it the Multitool
//! test fails in CI (`CI=true`) and says SKIPPED elsewhere.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .canonicalize()
        .expect("the workspace directory")
}

fn drlint_in(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_drlint"));
    command
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env_remove("DRLINT_DOCS_URL");
    for (name, value) in env {
        command.env(name, value);
    }
    command.output().expect("run drlint")
}

fn drlint(args: &[&str]) -> Output {
    drlint_in(&workspace(), args, &[])
}

fn stdout_json(output: &Output) -> serde_json::Value {
    serde_json::from_slice(&output.stdout).unwrap_or_else(|error| {
        panic!(
            "not JSON ({error}): {}\n{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        )
    })
}

const PLAN: &str = "linter/tests/fixtures/plans/plan_v1_2.json";
const EXAMPLE: &str = "examples/linter/shop";

fn multitool() -> Option<PathBuf> {
    let path = std::env::var_os("DR_SARIF_MULTITOOL")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            workspace()
                .join(".tools/npm/node_modules/@microsoft/sarif-multitool-linux/Sarif.Multitool")
        });
    path.is_file().then_some(path)
}

/// A SARIF validation case: its name, the paths checked and the environment set.
type SarifCase<'a> = (&'a str, Vec<String>, Vec<(&'a str, &'a str)>);

#[test]
fn sarif_passes_the_multitool_with_github_rules() {
    let Some(tool) = multitool() else {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "the SARIF Multitool is missing in CI: `bash tests/run` installs it with npm into .tools/npm"
        );
        eprintln!("SKIPPED: no SARIF Multitool (npm install --prefix .tools/npm @microsoft/sarif-multitool-linux)");
        return;
    };
    let scratch = tempfile::tempdir().expect("a scratch directory");
    let broken = scratch.path().join("broken");
    fs::create_dir(&broken).expect("a directory");
    fs::write(
        broken.join("main.tf"),
        "resource \"aws_s3_bucket\" \"b\" {\n  bucket = \n}\n",
    )
    .expect("write");
    let mut logs = Vec::new();
    let mut cases: Vec<SarifCase> = vec![
        ("example", vec![EXAMPLE.into()], vec![]),
        ("plan", vec![PLAN.into()], vec![]),
        (
            "linked",
            vec![EXAMPLE.into(), PLAN.into()],
            vec![("DRLINT_DOCS_URL", "https://docs.example.com/drlint/rules")],
        ),
        (
            "broken",
            vec![broken.display().to_string(), EXAMPLE.into()],
            vec![],
        ),
    ];
    // Code nobody here wrote: the real-world repositories beside the workspace, in one run.
    let corpus = workspace().join("../shared/real-world");
    match fs::read_dir(&corpus) {
        Ok(entries) => {
            let mut repositories: Vec<String> = entries
                .filter_map(Result::ok)
                .filter(|entry| entry.path().is_dir())
                .map(|entry| entry.path().display().to_string())
                .collect();
            repositories.sort();
            assert!(
                !repositories.is_empty(),
                "{} holds no repository",
                corpus.display()
            );
            cases.push(("real-world", repositories, vec![]));
        }
        Err(error) => {
            assert!(
                std::env::var("CI").as_deref() != Ok("true"),
                "the real-world corpus is missing in CI: {}: {error}",
                corpus.display()
            );
            eprintln!(
                "SKIPPED (real-world part): no corpus at {} ({error})",
                corpus.display()
            );
        }
    }
    for (name, paths, env) in &cases {
        let mut args = vec!["check", "--format", "sarif"];
        args.extend(paths.iter().map(String::as_str));
        let output = drlint_in(&workspace(), &args, env);
        let log = stdout_json(&output);
        assert_eq!(log["version"], "2.1.0");
        let file = scratch.path().join(format!("{name}.sarif"));
        fs::write(&file, &output.stdout).expect("write the SARIF");
        logs.push(file);
    }
    let report = scratch.path().join("validation.sarif");
    let validated = Command::new(&tool)
        .arg("validate")
        .args(&logs)
        .args(["--rule-kind", "Sarif;Ghas", "--output"])
        .arg(&report)
        .args(["--log", "ForceOverwrite"])
        .env("DOTNET_SYSTEM_GLOBALIZATION_INVARIANT", "1")
        .output()
        .expect("run the SARIF Multitool");
    let text = fs::read_to_string(&report).unwrap_or_else(|error| {
        panic!(
            "the Multitool wrote no report ({error}): {}\n{}",
            String::from_utf8_lossy(&validated.stdout),
            String::from_utf8_lossy(&validated.stderr)
        )
    });
    let validation: serde_json::Value =
        serde_json::from_str(&text).expect("the Multitool's report is JSON");
    let problems: Vec<String> = validation["runs"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|run| run["results"].as_array().cloned().unwrap_or_default())
        .filter(|result| result["level"] == "error")
        .map(|result| {
            format!(
                "{} {}: {}",
                result["ruleId"],
                result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
                result["message"]
            )
        })
        .collect();
    assert!(
        problems.is_empty(),
        "the Multitool found errors:\n{}",
        problems.join("\n")
    );
    // The broken tree's log says the run failed, with the error as a notification.
    let broken_log: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(&logs[3]).expect("read")).expect("JSON");
    let invocation = &broken_log["runs"][0]["invocations"][0];
    assert_eq!(invocation["executionSuccessful"], false);
    let notification = &invocation["toolExecutionNotifications"][0];
    assert_eq!(notification["level"], "error");
    assert!(
        notification["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            .as_str()
            .is_some_and(|uri| uri.starts_with("file://") && uri.ends_with("broken/main.tf"))
    );
}

#[test]
fn sarif_locations_are_relative_to_srcroot_and_plans_name_resources() {
    let output = drlint(&["check", "--format", "sarif", EXAMPLE, PLAN]);
    let log = stdout_json(&output);
    let run = &log["runs"][0];
    let base = run["originalUriBaseIds"]["%SRCROOT%"]["uri"]
        .as_str()
        .expect("a base");
    assert!(
        base.starts_with("file:///") && base.ends_with('/'),
        "{base}"
    );
    let results = run["results"].as_array().expect("results");
    assert!(!results.is_empty());
    for result in results {
        let location = &result["locations"][0];
        let artifact = &location["physicalLocation"]["artifactLocation"];
        assert_eq!(artifact["uriBaseId"], "%SRCROOT%", "{result}");
        let uri = artifact["uri"].as_str().expect("a uri");
        assert!(!uri.starts_with('/') && !uri.contains(".."), "{uri}");
        assert!(location["logicalLocations"][0]["fullyQualifiedName"].is_string());
        assert!(result["partialFingerprints"]["drlintFindingIdentity/v1"].is_string());
    }
    let plan_results: Vec<_> = results
        .iter()
        .filter(|result| {
            result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == PLAN
        })
        .collect();
    assert!(!plan_results.is_empty(), "the plan has findings");
    for result in plan_results {
        assert!(result["locations"][0]["physicalLocation"]["region"].is_null());
    }
    // Every rule carries its full help inline; no link without a configured docs URL.
    for rule in run["tool"]["driver"]["rules"].as_array().expect("rules") {
        assert!(rule["fullDescription"]["text"]
            .as_str()
            .is_some_and(|text| !text.is_empty()));
        assert!(rule["help"]["markdown"]
            .as_str()
            .is_some_and(|text| text.starts_with("# ")));
        assert!(rule["helpUri"].is_null());
    }
    assert!(!String::from_utf8_lossy(&output.stdout).contains("example.invalid"));
}

#[test]
fn absolute_inputs_outside_the_base_are_file_uris() {
    let scratch = tempfile::tempdir().expect("a scratch directory");
    let plan = scratch.path().join("my plan.json");
    fs::copy(workspace().join(PLAN), &plan).expect("copy the plan");
    let output = drlint(&["check", "--format", "sarif", plan.to_str().expect("utf-8")]);
    let log = stdout_json(&output);
    let artifact =
        &log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"];
    assert!(artifact["uriBaseId"].is_null());
    let uri = artifact["uri"].as_str().expect("a uri");
    assert!(
        uri.starts_with("file:///") && uri.ends_with("/my%20plan.json"),
        "{uri}"
    );
    // With --base-dir the same file is relative again.
    let based = drlint(&[
        "check",
        "--format",
        "sarif",
        "--base-dir",
        scratch.path().to_str().expect("utf-8"),
        plan.to_str().expect("utf-8"),
    ]);
    let log = stdout_json(&based);
    let artifact =
        &log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"];
    assert_eq!(artifact["uri"], "my%20plan.json");
    assert_eq!(artifact["uriBaseId"], "%SRCROOT%");
}

const DB: &str = r#"resource "aws_db_instance" "orders" {
  identifier              = "orders"
  engine                  = "postgres"
  instance_class          = "db.r6g.large"
  backup_retention_period = 7
  tags                    = { "dr-tier" = "1", "rto-hours" = "0.25" }
}
"#;

fn fingerprints(dir: &Path) -> (BTreeSet<String>, BTreeSet<u64>) {
    let output = drlint_in(dir, &["check", "--format", "sarif", "."], &[]);
    let log = stdout_json(&output);
    let mut prints = BTreeSet::new();
    let mut lines = BTreeSet::new();
    for result in log["runs"][0]["results"].as_array().expect("results") {
        prints.insert(
            result["partialFingerprints"]["drlintFindingIdentity/v1"]
                .as_str()
                .expect("a fingerprint")
                .to_owned(),
        );
        lines.insert(
            result["locations"][0]["physicalLocation"]["region"]["startLine"]
                .as_u64()
                .expect("a line"),
        );
    }
    (prints, lines)
}

#[test]
fn fingerprints_survive_moved_lines_and_path_spellings() {
    let scratch = tempfile::tempdir().expect("a scratch directory");
    fs::write(scratch.path().join("main.tf"), DB).expect("write");
    let (before, lines_before) = fingerprints(scratch.path());
    assert!(!before.is_empty());
    fs::write(scratch.path().join("main.tf"), format!("# moved\n\n\n{DB}")).expect("write");
    let (after, lines_after) = fingerprints(scratch.path());
    assert_eq!(
        before, after,
        "fingerprints follow the finding, not its line"
    );
    assert_ne!(lines_before, lines_after);
    // Named as `./`, as `sub/..` or absolutely, the findings are the same ones.
    fs::create_dir(scratch.path().join("sub")).expect("a directory");
    for spelling in ["./", "sub/..", scratch.path().to_str().expect("utf-8")] {
        let output = drlint_in(
            scratch.path(),
            &["check", "--format", "sarif", spelling],
            &[],
        );
        let log = stdout_json(&output);
        let prints: BTreeSet<String> = log["runs"][0]["results"]
            .as_array()
            .expect("results")
            .iter()
            .map(|result| {
                result["partialFingerprints"]["drlintFindingIdentity/v1"]
                    .as_str()
                    .unwrap_or("")
                    .to_owned()
            })
            .collect();
        assert_eq!(prints, after, "{spelling}");
    }
}

#[test]
fn junit_is_xml_with_a_testcase_per_resource_and_rule() {
    let output = drlint(&["check", "--format", "junit", EXAMPLE, PLAN]);
    assert_eq!(output.status.code(), Some(1));
    let text = String::from_utf8(output.stdout).expect("UTF-8");
    let document = roxmltree::Document::parse(&text).expect("well-formed XML");
    let root = document.root_element();
    assert_eq!(root.tag_name().name(), "testsuites");
    let cases: Vec<_> = root
        .descendants()
        .filter(|node| node.has_tag_name("testcase"))
        .collect();
    let failed = cases
        .iter()
        .filter(|case| case.children().any(|child| child.has_tag_name("failure")))
        .count();
    assert_eq!(
        root.attribute("tests"),
        Some(cases.len().to_string().as_str())
    );
    assert_eq!(
        root.attribute("failures"),
        Some(failed.to_string().as_str())
    );
    assert!(
        failed > 0 && failed < cases.len(),
        "{failed} of {}",
        cases.len()
    );
    let names: BTreeSet<(&str, &str)> = cases
        .iter()
        .map(|case| {
            (
                case.attribute("classname").unwrap_or(""),
                case.attribute("name").unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(
        names.len(),
        cases.len(),
        "one test case per resource instance and rule"
    );
    // Every suite's counts add up, and each is a root module or plan.
    for suite in root
        .children()
        .filter(|node| node.has_tag_name("testsuite"))
    {
        let cases = suite
            .children()
            .filter(|node| node.has_tag_name("testcase"))
            .count();
        assert_eq!(suite.attribute("tests"), Some(cases.to_string().as_str()));
    }
    let suites: BTreeSet<&str> = root
        .children()
        .filter(|node| node.has_tag_name("testsuite"))
        .filter_map(|suite| suite.attribute("name"))
        .collect();
    assert!(
        suites.contains(PLAN) && suites.contains("examples/linter/shop/envs/prod"),
        "{suites:?}"
    );
    // An input error is an <error> test case.
    let scratch = tempfile::tempdir().expect("a scratch directory");
    fs::write(scratch.path().join("plan.json"), "{\"format_version\": ").expect("write");
    let broken = drlint_in(
        scratch.path(),
        &["check", "--format", "junit", "plan.json"],
        &[],
    );
    assert_eq!(broken.status.code(), Some(2));
    let text = String::from_utf8(broken.stdout).expect("UTF-8");
    let document = roxmltree::Document::parse(&text).expect("well-formed XML");
    let error = document
        .descendants()
        .find(|node| node.has_tag_name("error"))
        .expect("an <error> element");
    assert!(error
        .text()
        .is_some_and(|text| text.starts_with("plan.json:1:")));
}

#[test]
fn github_annotations_are_workflow_commands_with_relative_paths() {
    let output = drlint(&["check", "--format", "github", EXAMPLE, PLAN]);
    let text = String::from_utf8(output.stdout).expect("UTF-8");
    assert!(!text.is_empty());
    for line in text.lines() {
        let (command, rest) = line
            .strip_prefix("::")
            .and_then(|line| line.split_once(' '))
            .unwrap_or_else(|| panic!("not a workflow command: {line}"));
        assert!(["error", "warning", "notice"].contains(&command), "{line}");
        let (properties, message) = rest
            .split_once("::")
            .unwrap_or_else(|| panic!("no message: {line}"));
        assert!(!message.is_empty());
        let mut keys = Vec::new();
        for property in properties.split(',') {
            let (key, value) = property
                .split_once('=')
                .unwrap_or_else(|| panic!("{property}: {line}"));
            assert!(!value.contains([':', ',']), "unescaped value {value:?}");
            if key == "file" {
                assert!(
                    !value.starts_with('/') && (value.starts_with("examples/") || value == PLAN),
                    "{value}"
                );
            }
            if ["line", "col", "endLine", "endColumn"].contains(&key) {
                assert!(value.parse::<u32>().is_ok_and(|n| n > 0), "{property}");
            }
            keys.push(key);
        }
        assert_eq!(keys.first(), Some(&"file"), "{line}");
        assert_eq!(keys.last(), Some(&"title"), "{line}");
    }
}

#[test]
fn one_run_writes_several_outputs_as_single_runs_would() {
    let scratch = tempfile::tempdir().expect("a scratch directory");
    let sarif = scratch.path().join("drlint.sarif");
    let junit = scratch.path().join("drlint.xml");
    let json = scratch.path().join("drlint.json");
    let output = drlint(&[
        "check",
        "--output",
        &format!("sarif={}", sarif.display()),
        "--output",
        &format!("junit={}", junit.display()),
        "--output",
        &format!("json={}", json.display()),
        EXAMPLE,
    ]);
    assert_eq!(output.status.code(), Some(1));
    let human = String::from_utf8(output.stdout).expect("UTF-8");
    assert!(
        human.contains("drlint: ") && human.contains("DR601"),
        "human output on the terminal"
    );
    for (format, file) in [("sarif", &sarif), ("junit", &junit), ("json", &json)] {
        let alone = drlint(&["check", "--format", format, EXAMPLE]);
        assert_eq!(
            fs::read(file).expect("the output file"),
            alone.stdout,
            "--output {format}= writes what --format {format} prints"
        );
    }
    let bad = drlint(&["check", "--output", "yaml=x.yml", EXAMPLE]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr)
        .contains("the formats are human, json, sarif, junit, github, markdown, html"));
}

/// A tier-1 database whose Multi-AZ switch comes from a variable without a value: every
/// finding about it is of certainty unknown.
const UNKNOWN_ONLY: &str = r#"variable "multi_az" {
  type = bool
}

resource "aws_db_instance" "orders" {
  identifier              = "orders"
  engine                  = "postgres"
  instance_class          = "db.r6g.large"
  backup_retention_period = 35
  multi_az                = var.multi_az
  deletion_protection     = true
  tags                    = { "dr-tier" = "2", "rto-hours" = "1" }
}
"#;

#[test]
fn unknown_findings_count_as_the_unknown_option_says() {
    let scratch = tempfile::tempdir().expect("a scratch directory");
    fs::write(scratch.path().join("main.tf"), UNKNOWN_ONLY).expect("write");
    let report = stdout_json(&drlint_in(
        scratch.path(),
        &["check", "--format", "json", "."],
        &[],
    ));
    let findings = report["findings"].as_array().expect("findings");
    assert!(!findings.is_empty(), "{report}");
    assert!(
        findings.iter().all(|f| f["certainty"] == "unknown"),
        "only unknown findings: {report}"
    );
    assert!(
        findings.iter().any(|f| f["severity"] == "error"),
        "{report}"
    );
    let status = |args: &[&str]| {
        let mut all = vec!["check"];
        all.extend(args);
        all.push(".");
        drlint_in(scratch.path(), &all, &[]).status.code()
    };
    assert_eq!(status(&[]), Some(1), "unknown findings fail by default");
    assert_eq!(status(&["--unknown", "fail"]), Some(1));
    assert_eq!(status(&["--unknown", "warn"]), Some(0));
    assert_eq!(
        status(&["--unknown", "warn", "--fail-on", "warning"]),
        Some(1)
    );
    assert_eq!(
        status(&["--unknown", "ignore", "--fail-on", "note"]),
        Some(0)
    );
    let ignored = stdout_json(&drlint_in(
        scratch.path(),
        &["check", "--format", "json", "--unknown", "ignore", "."],
        &[],
    ));
    assert_eq!(
        ignored["findings"].as_array().map(Vec::len),
        Some(findings.len()),
        "still reported"
    );
    assert!(ignored["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .all(|f| f["fails"] == false));
}

#[test]
fn rule_links_resolve_or_point_at_drlint_rule() {
    let scratch = tempfile::tempdir().expect("a scratch directory");
    fs::write(scratch.path().join("main.tf"), DB).expect("write");
    let plain = drlint_in(scratch.path(), &["check", "."], &[]);
    let text = String::from_utf8(plain.stdout).expect("UTF-8");
    assert!(
        text.contains("`drlint rule DR201` explains the rule"),
        "{text}"
    );
    assert!(!text.contains("http"), "no link without a docs URL: {text}");
    let linked = drlint_in(
        scratch.path(),
        &["check", "--format", "sarif", "."],
        &[(
            "DRLINT_DOCS_URL",
            "https://git.example.com/dr/-/blob/main/linter/docs/rules/{code}.md",
        )],
    );
    let log = stdout_json(&linked);
    let rules = log["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .expect("rules");
    let dr201 = rules
        .iter()
        .find(|rule| rule["id"] == "DR201")
        .expect("DR201");
    assert_eq!(
        dr201["helpUri"],
        "https://git.example.com/dr/-/blob/main/linter/docs/rules/DR201.md"
    );
    let human = drlint_in(
        scratch.path(),
        &["check", "."],
        &[("DRLINT_DOCS_URL", "https://docs.example.com/rules/")],
    );
    assert!(
        String::from_utf8_lossy(&human.stdout).contains("https://docs.example.com/rules/DR201.md")
    );
}

#[test]
fn input_errors_are_diagnostics_with_the_snippet() {
    let scratch = tempfile::tempdir().expect("a scratch directory");
    fs::write(
        scratch.path().join("main.tf"),
        "resource \"aws_s3_bucket\" \"logs\" {\n  bucket = \"logs\"\n  versioning {\n    enabled = \n  }\n}\n",
    )
    .expect("write");
    let output = drlint_in(scratch.path(), &["check", "."], &[]);
    assert_eq!(output.status.code(), Some(2));
    let text = String::from_utf8(output.stdout).expect("UTF-8");
    assert!(text.contains("main.tf:4:"), "{text}");
    assert!(
        text.contains("    enabled = "),
        "the snippet is shown: {text}"
    );
    assert!(text.contains("here"), "the position is labelled: {text}");
}
