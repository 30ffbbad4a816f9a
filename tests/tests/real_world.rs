//! drlint on code nobody here wrote: the public repositories in `../shared/real-world`
//! (sources and licences in its SOURCES.tsv). Properties that must hold for every input are
//! checked over the whole corpus; `tests/real-world/expectations.tsv` holds what was verified
//! by hand, resource by resource.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Output;

use dr_e2e::{drlint_binary, shared_corpus, workspace_root};
use serde_json::Value;

fn drlint(cwd: &Path, args: &[&str]) -> Output {
    std::process::Command::new(drlint_binary())
        .args(args)
        .current_dir(cwd)
        .env("NO_COLOR", "1")
        // The Terragrunt repository reads these with get_env(): the expectations are for
        // their defaults.
        .env_remove("APP_ENV")
        .env_remove("APP_DOMAINS")
        .env_remove("AWS_ACCOUNT_ID")
        .output()
        .expect("drlint runs")
}

fn check(cwd: &Path, paths: &[&str]) -> Value {
    let mut args = vec!["check", "--format", "json"];
    args.extend_from_slice(paths);
    let output = drlint(cwd, &args);
    assert!(
        matches!(output.status.code(), Some(0..=2)),
        "drlint crashed on {paths:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap_or_else(|error| {
        panic!(
            "no JSON for {paths:?} ({error}): {}",
            String::from_utf8_lossy(&output.stderr)
        )
    })
}

/// The repositories of the corpus, as paths relative to the workspace root.
fn repositories(corpus: &Path) -> Vec<String> {
    let mut out: Vec<String> = std::fs::read_dir(corpus)
        .expect("the corpus is readable")
        .filter_map(|entry| entry.ok())
        .filter(|entry| entry.path().is_dir())
        .map(|entry| {
            format!(
                "../shared/real-world/{}",
                entry.file_name().to_string_lossy()
            )
        })
        .collect();
    out.sort();
    out
}

/// A finding with every path resolved on disk, so runs that spell paths differently compare.
type Finding = (String, String, String, String, String, u64, u64, String);

fn resolved(cwd: &Path, path: &str) -> String {
    let joined = cwd.join(path);
    joined
        .canonicalize()
        .unwrap_or(joined)
        .display()
        .to_string()
}

fn findings(report: &Value, cwd: &Path) -> BTreeSet<Finding> {
    report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            let text = |key: &str| f[key].as_str().unwrap_or("").to_owned();
            (
                resolved(cwd, f["root"].as_str().unwrap_or("")),
                text("rule"),
                text("address"),
                resolved(cwd, f["file"].as_str().unwrap_or("")),
                format!("{} {}", text("severity"), text("certainty")),
                f["line"].as_u64().unwrap_or(0),
                f["column"].as_u64().unwrap_or(0),
                text("message"),
            )
        })
        .collect()
}

#[test]
fn every_repository_loads_without_input_errors() {
    let Some(corpus) = shared_corpus("real-world") else {
        return;
    };
    let root = workspace_root();
    for repository in repositories(&corpus) {
        let report = check(root, &[&repository]);
        assert_eq!(
            report["input_errors"],
            serde_json::json!([]),
            "{repository}: every file of these repositories is valid for Terraform"
        );
        assert!(
            report["summary"]["resources"].as_u64().unwrap_or(0) > 0,
            "{repository}: no resources found"
        );
    }
}

#[test]
fn one_run_over_many_roots_equals_the_union_of_a_run_per_root() {
    let Some(corpus) = shared_corpus("real-world") else {
        return;
    };
    let root = workspace_root();
    let repositories = repositories(&corpus);
    let all: Vec<&str> = repositories.iter().map(String::as_str).collect();
    let together = check(root, &all);
    let everything = findings(&together, root);
    // One run per repository…
    let mut union = BTreeSet::new();
    for repository in &repositories {
        union.extend(findings(&check(root, &[repository]), root));
    }
    assert_eq!(union, everything, "per repository");
    // …and one per root module: each root's findings are the same alone as with all others.
    let mut by_root: BTreeMap<String, BTreeSet<Finding>> = BTreeMap::new();
    for finding in &everything {
        by_root
            .entry(finding.0.clone())
            .or_default()
            .insert(finding.clone());
    }
    assert!(
        by_root.len() > 20,
        "the corpus has many roots: {}",
        by_root.len()
    );
    for (root_dir, expected) in &by_root {
        let alone: BTreeSet<Finding> = findings(&check(root, &[root_dir]), root)
            .into_iter()
            .filter(|finding| finding.0 == *root_dir)
            .collect();
        assert_eq!(&alone, expected, "{root_dir}");
    }
}

#[test]
fn the_findings_do_not_depend_on_how_a_path_is_spelled() {
    let Some(corpus) = shared_corpus("real-world") else {
        return;
    };
    let root = workspace_root();
    let links = tempfile::tempdir().expect("a scratch directory");
    let link = links.path().join("corpus");
    std::os::unix::fs::symlink(&corpus, &link).expect("a symlink to the corpus");
    for repository in repositories(&corpus) {
        let name = repository.rsplit('/').next().unwrap_or_default().to_owned();
        let expected = findings(&check(root, &[&repository]), root);
        let inside: PathBuf = root.join(&repository);
        let absolute = inside
            .canonicalize()
            .expect("the repository resolves")
            .display()
            .to_string();
        let spellings: Vec<(PathBuf, String)> = vec![
            (root.to_path_buf(), format!("{repository}/")),
            (root.to_path_buf(), absolute.clone()),
            (inside.clone(), ".".to_owned()),
            (inside.clone(), "./".to_owned()),
            (inside.join(".."), name.clone()),
            (links.path().to_path_buf(), format!("corpus/{name}")),
            (root.to_path_buf(), link.join(&name).display().to_string()),
        ];
        for (cwd, argument) in spellings {
            assert_eq!(
                findings(&check(&cwd, &[&argument]), &cwd),
                expected,
                "{argument} from {}",
                cwd.display()
            );
        }
    }
}

/// One row of `tests/real-world/expectations.tsv`.
#[derive(Debug)]
struct Expectation {
    repository: String,
    root: String,
    address: String,
    rule: String,
    /// `definite`, `unknown`, or `none` (the rule must not report the resource).
    certainty: String,
    line: usize,
}

fn expectations() -> Vec<Expectation> {
    let path = workspace_root().join("tests/real-world/expectations.tsv");
    let text = std::fs::read_to_string(&path).expect("the expectations table");
    text.lines()
        .enumerate()
        .filter(|(_, line)| !line.trim().is_empty() && !line.starts_with('#'))
        .skip(1)
        .map(|(index, line)| {
            let cells: Vec<&str> = line.split('\t').collect();
            assert!(
                cells.len() >= 6,
                "{}:{}: repository, root, address, rule, certainty, why",
                path.display(),
                index + 1
            );
            Expectation {
                repository: cells[0].to_owned(),
                root: cells[1].to_owned(),
                address: cells[2].to_owned(),
                rule: cells[3].to_owned(),
                certainty: cells[4].to_owned(),
                line: index + 1,
            }
        })
        .collect()
}

#[test]
fn hand_verified_findings_of_real_resources() {
    let Some(_corpus) = shared_corpus("real-world") else {
        return;
    };
    let root = workspace_root();
    let rows = expectations();
    let resources: BTreeSet<(&str, &str)> = rows
        .iter()
        .map(|row| (row.repository.as_str(), row.address.as_str()))
        .collect();
    assert!(
        resources.len() >= 30,
        "at least 30 resources: {}",
        resources.len()
    );
    let repositories: BTreeSet<&str> = rows.iter().map(|row| row.repository.as_str()).collect();
    assert!(
        repositories.len() >= 6,
        "spread over the repositories: {repositories:?}"
    );
    let mut reports: BTreeMap<String, Value> = BTreeMap::new();
    for row in &rows {
        let path = format!("../shared/real-world/{}/{}", row.repository, row.root)
            .trim_end_matches("/.")
            .to_owned();
        let report = reports
            .entry(path.clone())
            .or_insert_with(|| check(root, &[&path]));
        let found: Vec<&str> = report["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .filter(|f| f["address"] == row.address.as_str() && f["rule"] == row.rule.as_str())
            .filter_map(|f| f["certainty"].as_str())
            .collect();
        let expected: Vec<&str> = match row.certainty.as_str() {
            "none" => Vec::new(),
            certainty => vec![certainty],
        };
        assert_eq!(
            found, expected,
            "expectations.tsv:{}: {} {} in {path}",
            row.line, row.rule, row.address
        );
    }
}
