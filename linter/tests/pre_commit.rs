//! The repository's pre-commit hooks (`.pre-commit-hooks.yaml`), run by PyPI's `pre-commit`
//! itself: `pre-commit try-repo` against this checkout, in a scratch git repository holding a
//! failing tree and then a passing one.
//!
//! pre-commit is looked for at `DR_PRE_COMMIT`, then in the workspace's `.venv` (tests/run
//! installs it from tests/requirements.txt). Without it the test fails when `CI=true` and says
//! plainly that it skipped otherwise.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the workspace root")
        .to_path_buf()
}

fn pre_commit() -> Option<PathBuf> {
    let found = std::env::var_os("DR_PRE_COMMIT")
        .map(PathBuf::from)
        .or_else(|| Some(workspace().join(".venv/bin/pre-commit")))
        .filter(|path| path.is_file());
    if found.is_none() {
        let help = "pre-commit is not installed: run `bash tests/run`, or `.venv/bin/pip install -r tests/requirements.txt`, or set DR_PRE_COMMIT";
        assert!(std::env::var("CI").as_deref() != Ok("true"), "{help}");
        eprintln!("SKIPPED: {help}");
    }
    found
}

const FAILING: &str = r#"provider "aws" {
  region = "eu-west-1"
}

resource "aws_db_instance" "orders" {
  identifier          = "orders"
  engine              = "postgres"
  instance_class      = "db.r6g.large"
  allocated_storage   = 100
  multi_az            = false
  deletion_protection = true
  tags                = { "dr-tier" = "2", "rto-hours" = "1" }
}
"#;

const PASSING: &str = r#"provider "aws" {
  region = "eu-west-1"
}

resource "aws_s3_bucket" "reports" {
  bucket = "acme-reports"
  tags   = { "dr-tier" = "3", "rto-hours" = "4" }
}

resource "aws_s3_bucket_versioning" "reports" {
  bucket = aws_s3_bucket.reports.id
  versioning_configuration {
    status = "Enabled"
  }
}
"#;

/// A git command in `dir`, with an identity of its own (CI machines have none).
fn git(dir: &Path, args: &[&str]) {
    let output = Command::new("git")
        .args(args)
        .current_dir(dir)
        .envs(identity())
        .output()
        .expect("run git");
    assert!(
        output.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

fn identity() -> [(&'static str, &'static str); 4] {
    [
        ("GIT_AUTHOR_NAME", "drlint tests"),
        ("GIT_AUTHOR_EMAIL", "tests@drlint.invalid"),
        ("GIT_COMMITTER_NAME", "drlint tests"),
        ("GIT_COMMITTER_EMAIL", "tests@drlint.invalid"),
    ]
}

/// `pre-commit try-repo WORKSPACE HOOK --all-files` in `scratch`.
fn try_repo(pre_commit: &Path, scratch: &Path, home: &Path, hook: &str) -> Output {
    let bin_dir = Path::new(env!("CARGO_BIN_EXE_drlint"))
        .parent()
        .expect("the binary's directory")
        .to_path_buf();
    let path = std::env::join_paths(std::iter::once(bin_dir).chain(std::env::split_paths(
        &std::env::var_os("PATH").unwrap_or_default(),
    )))
    .expect("a PATH");
    // The build hook reuses the tests' own build: same target directory, same profile.
    let target = Path::new(env!("CARGO_BIN_EXE_drlint"))
        .ancestors()
        .nth(2)
        .expect("the target directory")
        .to_path_buf();
    Command::new(pre_commit)
        .args([
            "try-repo",
            &workspace().display().to_string(),
            hook,
            "--all-files",
            "--verbose",
        ])
        .current_dir(scratch)
        .envs(identity())
        .env("PATH", path)
        .env("PRE_COMMIT_HOME", home)
        .env("CARGO_TARGET_DIR", target)
        .env("DRLINT_HOOK_PROFILE", "dev")
        .env("NO_COLOR", "1")
        .output()
        .expect("run pre-commit")
}

#[test]
fn hooks_fail_a_failing_tree_and_pass_a_passing_one() {
    let Some(pre_commit) = pre_commit() else {
        return;
    };
    let scratch = tempfile::tempdir().expect("a scratch repository");
    let home = tempfile::tempdir().expect("a pre-commit home");
    let repo = scratch.path();
    git(repo, &["init", "--quiet"]);
    let root = repo.join("envs/prod");
    fs::create_dir_all(&root).expect("a root");
    fs::write(root.join("main.tf"), FAILING).expect("write");
    fs::write(repo.join("README.md"), "a service\n").expect("write");
    git(repo, &["add", "."]);
    git(repo, &["commit", "--quiet", "-m", "failing tree"]);

    for hook in ["drlint-system", "drlint"] {
        let output = try_repo(&pre_commit, repo, home.path(), hook);
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert_eq!(
            output.status.code(),
            Some(1),
            "{hook} must fail the tier-2 database without Multi-AZ:\n{stdout}\n{}",
            String::from_utf8_lossy(&output.stderr)
        );
        assert!(stdout.contains("Failed"), "{hook}: {stdout}");
        assert!(
            stdout.contains("DR201/db-instance-multi-az"),
            "{hook}: {stdout}"
        );
        assert!(
            stdout.contains("aws_db_instance.orders"),
            "{hook}: {stdout}"
        );
    }

    fs::write(root.join("main.tf"), PASSING).expect("write");
    git(repo, &["commit", "--quiet", "-am", "passing tree"]);
    for hook in ["drlint-system", "drlint"] {
        let output = try_repo(&pre_commit, repo, home.path(), hook);
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert_eq!(
            output.status.code(),
            Some(0),
            "{hook} must pass:\n{stdout}\n{}",
            String::from_utf8_lossy(&output.stderr)
        );
        assert!(stdout.contains("Passed"), "{hook}: {stdout}");
    }

    // A commit that touches no Terraform file does not run the hook at all.
    fs::write(root.join("main.tf"), FAILING).expect("write");
    git(repo, &["commit", "--quiet", "-am", "failing again"]);
    fs::write(repo.join("README.md"), "a service, documented\n").expect("write");
    git(repo, &["add", "README.md"]);
    let output = Command::new(&pre_commit)
        .args([
            "try-repo",
            &workspace().display().to_string(),
            "drlint-system",
        ])
        .current_dir(repo)
        .envs(identity())
        .env("PRE_COMMIT_HOME", home.path())
        .output()
        .expect("run pre-commit");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(0), "{stdout}");
    assert!(
        stdout.contains("Skipped") || stdout.contains("no files to check"),
        "{stdout}"
    );
}
