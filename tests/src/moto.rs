//! A real local AWS endpoint for the tests of the provider's AWS layer: `moto_server` from
//! PyPI, started on a free loopback port and stopped when the [`Moto`] handle is dropped.
//!
//! moto is looked for at `DR_MOTO_SERVER`, then in the workspace's `.venv`; when absent,
//! `tests/requirements.txt` (which pins it) is installed there, as for Terraform 1.0.3. Its
//! IAM is seeded with boto3, the AWS SDK for Python that moto itself depends on, so setting a
//! test up and the provider's calls under test both go through real SDKs.

use std::fs;
use std::io::{Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use tempfile::TempDir;

use crate::{venv, workspace_root};

/// How long moto may take to answer after it was started. It imports every AWS service it
/// mocks before it listens: a few seconds, more on a loaded machine.
const STARTUP_DEADLINE: Duration = Duration::from_secs(60);
/// How to get moto when it cannot be found or started.
const HOW_TO_GET_MOTO: &str = "moto comes from tests/requirements.txt: run `bash tests/run`, or \
     `python3 -m venv .venv && .venv/bin/pip install -r tests/requirements.txt` in the \
     workspace, or point DR_MOTO_SERVER at a moto_server";

/// A running `moto_server`, stopped on drop.
pub struct Moto {
    child: Child,
    endpoint: String,
    address: SocketAddr,
    /// Holds moto's log, shown when it fails.
    logs: TempDir,
}

/// An IAM user's access key, as moto issued it.
#[derive(Debug, Clone)]
pub struct AccessKey {
    pub access_key_id: String,
    pub secret_access_key: String,
}

impl Moto {
    /// Starts moto on a free port and waits until it answers. Failing to is a failed test that
    /// says how to get moto, never a skip.
    pub fn start() -> Moto {
        let server = moto_server();
        let logs = tempfile::Builder::new()
            .prefix("dr-moto-")
            .tempdir()
            .expect("a scratch directory can be created");
        let log =
            fs::File::create(logs.path().join("moto.log")).expect("moto's log can be created");
        let address = free_port();
        let child = Command::new(&server)
            .args(["-H", "127.0.0.1", "-p", &address.port().to_string()])
            // moto reads these at start; a developer's own must not change what it does.
            .env_remove("INITIAL_NO_AUTH_ACTION_COUNT")
            .env_remove("MOTO_ACCOUNT_ID")
            .env_remove("TEST_SERVER_MODE")
            .stdin(Stdio::null())
            .stdout(log.try_clone().expect("moto's log can be shared"))
            .stderr(log)
            .spawn()
            .unwrap_or_else(|error| {
                panic!(
                    "cannot start {}: {error}. {HOW_TO_GET_MOTO}",
                    server.display()
                )
            });
        let mut moto = Moto {
            child,
            endpoint: format!("http://{address}"),
            address,
            logs,
        };
        moto.wait_until_it_answers();
        moto
    }

    /// The URL to give the SDK as its endpoint (`http://127.0.0.1:PORT`).
    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }

    /// Creates an IAM user whose only permissions are the inline `policy`, with an access key.
    pub fn create_user(&self, name: &str, policy: &serde_json::Value) -> AccessKey {
        let created = self.boto3(CREATE_USER, &[name, &policy.to_string()]);
        let key: serde_json::Value = serde_json::from_str(&created)
            .unwrap_or_else(|error| panic!("boto3 printed no access key ({error}): {created}"));
        let field = |name: &str| match key[name].as_str() {
            Some(value) => value.to_string(),
            None => panic!("boto3 printed an access key without {name}: {created}"),
        };
        AccessKey {
            access_key_id: field("AccessKeyId"),
            secret_access_key: field("SecretAccessKey"),
        }
    }

    /// Creates an IAM role with `trust_policy` and returns its ARN.
    pub fn create_role(&self, name: &str, trust_policy: &serde_json::Value) -> String {
        self.boto3(CREATE_ROLE, &[name, &trust_policy.to_string()])
            .trim()
            .to_string()
    }

    /// Turns on moto's IAM access control: from now on every request must be signed with a
    /// key moto issued, and is allowed only as the caller's IAM policies and, for AssumeRole,
    /// the role's trust policy allow. (`INITIAL_NO_AUTH_ACTION_COUNT` set to 0 at run time.)
    pub fn enforce_iam(&self) {
        let answer = self
            .http("POST", "/moto-api/reset-auth", "0")
            .unwrap_or_else(|error| {
                panic!("moto did not take reset-auth: {error}\n{}", self.log())
            });
        assert!(
            is_ok(&answer),
            "moto refused reset-auth:\n{answer}\n{}",
            self.log()
        );
    }

    /// moto's log so far.
    pub fn log(&self) -> String {
        let log = fs::read_to_string(self.logs.path().join("moto.log")).unwrap_or_default();
        format!("--- moto's log ---\n{log}")
    }

    fn wait_until_it_answers(&mut self) {
        let started = Instant::now();
        loop {
            if let Ok(answer) = self.http("GET", "/moto-api/", "") {
                if is_ok(&answer) {
                    return;
                }
            }
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!(
                    "moto_server exited with {status} before it answered. {HOW_TO_GET_MOTO}\n{}",
                    self.log()
                );
            }
            if started.elapsed() > STARTUP_DEADLINE {
                panic!(
                    "moto_server did not answer at {} within {} s (raise STARTUP_DEADLINE in tests/src/moto.rs on a slow machine)\n{}",
                    self.endpoint,
                    STARTUP_DEADLINE.as_secs(),
                    self.log()
                );
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// One plain HTTP/1.1 request to moto's own control API, answered in full.
    fn http(&self, method: &str, path: &str, body: &str) -> std::io::Result<String> {
        let mut stream = TcpStream::connect_timeout(&self.address, Duration::from_secs(1))?;
        stream.set_read_timeout(Some(Duration::from_secs(10)))?;
        write!(
            stream,
            "{method} {path} HTTP/1.1\r\nHost: {}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            self.address,
            body.len()
        )?;
        let mut answer = String::new();
        stream.read_to_string(&mut answer)?;
        Ok(answer)
    }

    /// Runs a boto3 `script` against this moto with `args` after the endpoint, and returns
    /// what it printed.
    fn boto3(&self, script: &str, args: &[&str]) -> String {
        let output = Command::new(venv_python())
            .arg("-c")
            .arg(script)
            .arg(&self.endpoint)
            .args(args)
            // Setup needs no real credentials (access control is still off); these keep a
            // developer's own AWS configuration out of it.
            .env("AWS_ACCESS_KEY_ID", "moto-setup")
            .env("AWS_SECRET_ACCESS_KEY", "moto-setup")
            .env_remove("AWS_SESSION_TOKEN")
            .env_remove("AWS_PROFILE")
            .env("AWS_CONFIG_FILE", "/dev/null")
            .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
            .stdin(Stdio::null())
            .output()
            .unwrap_or_else(|error| panic!("cannot run boto3 from {}: {error}", venv().display()));
        assert!(
            output.status.success(),
            "boto3 setup failed with {}\n--- stderr ---\n{}\n{}",
            output.status,
            String::from_utf8_lossy(&output.stderr),
            self.log()
        );
        String::from_utf8_lossy(&output.stdout).into_owned()
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// argv: endpoint, user name, policy document. Prints the access key as IAM returned it.
const CREATE_USER: &str = r#"
import json, sys, boto3
endpoint, name, policy = sys.argv[1:4]
iam = boto3.client("iam", endpoint_url=endpoint, region_name="us-east-1")
iam.create_user(UserName=name)
iam.put_user_policy(UserName=name, PolicyName=name + "-policy", PolicyDocument=policy)
key = iam.create_access_key(UserName=name)["AccessKey"]
print(json.dumps({"AccessKeyId": key["AccessKeyId"], "SecretAccessKey": key["SecretAccessKey"]}))
"#;

/// argv: endpoint, role name, trust policy document. Prints the role's ARN.
const CREATE_ROLE: &str = r#"
import sys, boto3
endpoint, name, trust = sys.argv[1:4]
iam = boto3.client("iam", endpoint_url=endpoint, region_name="us-east-1")
print(iam.create_role(RoleName=name, AssumeRolePolicyDocument=trust)["Role"]["Arn"])
"#;

fn is_ok(answer: &str) -> bool {
    answer.starts_with("HTTP/1.1 200") || answer.starts_with("HTTP/1.0 200")
}

/// A loopback port nothing listens on right now.
pub fn free_port() -> SocketAddr {
    TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .and_then(|listener| listener.local_addr())
        .expect("the loopback interface has a free port")
}

/// The `moto_server` to run, installed into the workspace's `.venv` when absent.
fn moto_server() -> PathBuf {
    static FOUND: OnceLock<PathBuf> = OnceLock::new();
    FOUND
        .get_or_init(|| {
            if let Some(path) = std::env::var_os("DR_MOTO_SERVER") {
                return PathBuf::from(path);
            }
            let path = venv().join("bin/moto_server");
            if !path.is_file() {
                install_requirements();
            }
            assert!(
                path.is_file(),
                "installing tests/requirements.txt left no {}. {HOW_TO_GET_MOTO}",
                path.display()
            );
            path
        })
        .clone()
}

fn venv_python() -> PathBuf {
    // moto_server's own interpreter, where boto3 is installed beside moto.
    let server = moto_server();
    let beside = server.parent().map(|bin| bin.join("python"));
    match beside {
        Some(python) if python.is_file() => python,
        _ => venv().join("bin/python"),
    }
}

fn install_requirements() {
    let venv = venv();
    if !venv.join("bin/pip").is_file() {
        super::run_to_success(Command::new("python3").arg("-m").arg("venv").arg(&venv));
    }
    super::run_to_success(
        Command::new(venv.join("bin/pip"))
            .args(["install", "--quiet", "--disable-pip-version-check", "-r"])
            .arg(workspace_root().join("tests/requirements.txt")),
    );
}
