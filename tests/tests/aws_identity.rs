//! The provider's AWS identity (`terraform_provider_dr::aws`) against a real local STS and
//! IAM: moto_server, one per test, so that one test's IAM users or access control are not
//! another's.
//!
//! Tests whose subject is the environment (credentials or an endpoint from environment
//! variables, a profile, no credentials anywhere, instance metadata that never answers) run
//! themselves again in a child process with a hermetic environment: nothing but PATH, a HOME
//! of its own with empty AWS config and credentials files, and instance metadata off unless
//! the test says otherwise. The process environment of the test binary is never changed.

use std::ffi::OsString;
use std::fs;
use std::future::Future;
use std::io::Write;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant, SystemTime};

use dr_e2e::moto::{free_port, AccessKey, Moto};
use serde_json::json;
use terraform_provider_dr::aws::{
    connect, AssumeRole, Aws, AwsError, AwsSettings, Connection, Identity, StaticCredentials,
    StsCall,
};

/// moto's account for every caller except roles assumed into another account.
const MOTO_ACCOUNT: &str = "123456789012";
/// Set in the child a test runs itself in.
const CHILD: &str = "DR_AWS_IDENTITY_CHILD";
/// moto's endpoint, as the parent passes it to the child.
const MOTO_ENDPOINT: &str = "DR_MOTO_ENDPOINT";

/// An IAM policy that allows nothing but what every caller may do (GetCallerIdentity).
fn no_permissions() -> serde_json::Value {
    json!({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "sts:GetCallerIdentity", "Resource": "*"}
    ]})
}

fn block_on<F: Future>(future: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime can be built")
        .block_on(future)
}

fn connected(settings: &AwsSettings) -> Aws {
    block_on(connect(settings)).unwrap_or_else(|error| panic!("connect failed: {error}"))
}

/// Settings for a test in this process: credentials, region and endpoint all given, so that
/// nothing of this machine's AWS configuration, nor instance metadata, is consulted.
fn in_process(sts_endpoint: &str, credentials: StaticCredentials) -> AwsSettings {
    AwsSettings {
        region: Some("us-east-1".to_string()),
        sts_endpoint: Some(sts_endpoint.to_string()),
        static_credentials: Some(credentials),
        ..AwsSettings::default()
    }
}

fn keys(key: &AccessKey) -> StaticCredentials {
    StaticCredentials {
        access_key_id: key.access_key_id.clone(),
        secret_access_key: key.secret_access_key.clone(),
        session_token: None,
    }
}

/// Keys moto has never issued: with access control off it answers for them as `user/moto`.
fn unknown_keys() -> StaticCredentials {
    StaticCredentials {
        access_key_id: "AKIAIOSFODNN7EXAMPLE".to_string(),
        secret_access_key: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY".to_string(),
        session_token: None,
    }
}

fn online(account_id: &str, arn: &str) -> Connection {
    Connection::Online {
        identity: Some(Identity {
            account_id: account_id.to_string(),
            arn: arn.to_string(),
        }),
    }
}

// --- The child process ---------------------------------------------------------------------

fn in_child() -> bool {
    std::env::var_os(CHILD).is_some()
}

fn child_var(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| panic!("the parent test passes {name}"))
}

/// The calling test, run again in a child of this test binary with a hermetic environment.
struct Hermetic {
    test: &'static str,
    home: tempfile::TempDir,
    vars: Vec<(&'static str, OsString)>,
}

impl Hermetic {
    fn new(test: &'static str) -> Hermetic {
        let home = tempfile::Builder::new()
            .prefix("dr-aws-home-")
            .tempdir()
            .expect("a scratch HOME can be created");
        fs::create_dir(home.path().join(".aws")).expect("~/.aws can be created");
        let hermetic = Hermetic {
            test,
            home,
            vars: Vec::new(),
        };
        hermetic.file("config", "").file("credentials", "")
    }

    fn env(mut self, name: &'static str, value: impl Into<OsString>) -> Hermetic {
        self.vars.push((name, value.into()));
        self
    }

    /// Writes `~/.aws/NAME` (`config` or `credentials`), which the child's AWS_CONFIG_FILE
    /// and AWS_SHARED_CREDENTIALS_FILE point at.
    fn file(self, name: &str, contents: &str) -> Hermetic {
        fs::write(self.home.path().join(".aws").join(name), contents)
            .expect("an AWS file can be written");
        self
    }

    /// Runs the child and fails unless its one test ran and passed.
    fn run(self) {
        let exe = std::env::current_exe().expect("the test binary knows its own path");
        let aws = self.home.path().join(".aws");
        let mut command = Command::new(exe);
        command
            .args([self.test, "--exact", "--nocapture", "--test-threads", "1"])
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", self.home.path())
            .env("AWS_CONFIG_FILE", aws.join("config"))
            .env("AWS_SHARED_CREDENTIALS_FILE", aws.join("credentials"))
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .env(CHILD, "1");
        for (name, value) in &self.vars {
            command.env(name, value);
        }
        let output = command.output().expect("the test binary can run itself");
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(
            output.status.success() && stdout.contains("test result: ok. 1 passed"),
            "the child run of {} failed with {}\n--- stdout ---\n{stdout}\n--- stderr ---\n{}",
            self.test,
            output.status,
            String::from_utf8_lossy(&output.stderr)
        );
    }
}

// --- Credentials and endpoints from the environment ----------------------------------------

/// AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY are the credentials; `sts_endpoint` is where STS
/// is. The identity is the IAM user whose keys those are.
#[test]
fn identity_from_environment_credentials() {
    if !in_child() {
        let moto = Moto::start();
        let key = moto.create_user("dr-env", &no_permissions());
        return Hermetic::new("identity_from_environment_credentials")
            .env("AWS_ACCESS_KEY_ID", &key.access_key_id)
            .env("AWS_SECRET_ACCESS_KEY", &key.secret_access_key)
            .env(MOTO_ENDPOINT, moto.endpoint())
            .run();
    }
    let aws = connected(&AwsSettings {
        region: Some("eu-west-1".to_string()),
        sts_endpoint: Some(child_var(MOTO_ENDPOINT)),
        ..AwsSettings::default()
    });
    assert_eq!(
        aws.connection(),
        &online(MOTO_ACCOUNT, "arn:aws:iam::123456789012:user/dr-env")
    );
    assert!(!aws.is_offline());
    assert_eq!(aws.region(), "eu-west-1");
}

/// With no `sts_endpoint` setting, AWS_ENDPOINT_URL_STS is where STS is, and AWS_REGION the
/// region.
#[test]
fn sts_endpoint_from_environment() {
    if !in_child() {
        let moto = Moto::start();
        return Hermetic::new("sts_endpoint_from_environment")
            .env("AWS_ACCESS_KEY_ID", unknown_keys().access_key_id)
            .env("AWS_SECRET_ACCESS_KEY", unknown_keys().secret_access_key)
            .env("AWS_REGION", "ap-southeast-2")
            .env("AWS_ENDPOINT_URL_STS", moto.endpoint())
            .run();
    }
    let aws = connected(&AwsSettings::default());
    assert_eq!(
        aws.connection(),
        &online(MOTO_ACCOUNT, "arn:aws:sts::123456789012:user/moto")
    );
    assert_eq!(aws.region(), "ap-southeast-2");
}

/// An `sts_endpoint` setting wins over AWS_ENDPOINT_URL_STS, which without it is honoured
/// (here it names a port nothing listens on).
#[test]
fn sts_endpoint_setting_wins_over_environment() {
    if !in_child() {
        let moto = Moto::start();
        return Hermetic::new("sts_endpoint_setting_wins_over_environment")
            .env("AWS_ACCESS_KEY_ID", unknown_keys().access_key_id)
            .env("AWS_SECRET_ACCESS_KEY", unknown_keys().secret_access_key)
            .env("AWS_ENDPOINT_URL_STS", format!("http://{}", free_port()))
            .env(MOTO_ENDPOINT, moto.endpoint())
            .run();
    }
    let aws = connected(&AwsSettings {
        sts_endpoint: Some(child_var(MOTO_ENDPOINT)),
        ..AwsSettings::default()
    });
    assert_eq!(
        aws.connection(),
        &online(MOTO_ACCOUNT, "arn:aws:sts::123456789012:user/moto")
    );
    assert_eq!(
        aws.region(),
        "us-east-1",
        "no region anywhere: STS's default"
    );

    let error = block_on(connect(&AwsSettings::default()))
        .expect_err("AWS_ENDPOINT_URL_STS names a port nothing listens on");
    assert_eq!(error.code(), None, "{error}");
    assert!(
        error.to_string().contains("No answer came from STS"),
        "{error}"
    );
}

/// The `profile` setting picks that profile's keys from the shared credentials file.
#[test]
fn profile_setting_selects_its_credentials() {
    if !in_child() {
        let moto = Moto::start();
        let default = moto.create_user("dr-default", &no_permissions());
        let drill = moto.create_user("dr-drill", &no_permissions());
        let credentials = format!(
            "[default]\naws_access_key_id = {}\naws_secret_access_key = {}\n\n\
             [drill]\naws_access_key_id = {}\naws_secret_access_key = {}\n",
            default.access_key_id,
            default.secret_access_key,
            drill.access_key_id,
            drill.secret_access_key
        );
        return Hermetic::new("profile_setting_selects_its_credentials")
            .file("credentials", &credentials)
            .file("config", "[profile drill]\nregion = eu-central-1\n")
            .env(MOTO_ENDPOINT, moto.endpoint())
            .run();
    }
    let endpoint = Some(child_var(MOTO_ENDPOINT));
    let drill = connected(&AwsSettings {
        profile: Some("drill".to_string()),
        sts_endpoint: endpoint.clone(),
        ..AwsSettings::default()
    });
    assert_eq!(
        drill.connection(),
        &online(MOTO_ACCOUNT, "arn:aws:iam::123456789012:user/dr-drill")
    );
    assert_eq!(drill.region(), "eu-central-1", "the profile's region");

    let default = connected(&AwsSettings {
        sts_endpoint: endpoint.clone(),
        ..AwsSettings::default()
    });
    assert_eq!(
        default.connection(),
        &online(MOTO_ACCOUNT, "arn:aws:iam::123456789012:user/dr-default")
    );

    let error = block_on(connect(&AwsSettings {
        profile: Some("absent".to_string()),
        sts_endpoint: endpoint,
        ..AwsSettings::default()
    }))
    .expect_err("a profile that does not exist is a configuration error, not offline");
    assert_eq!(
        error,
        AwsError::MissingProfile {
            profile: "absent".to_string()
        }
    );
}

// --- No credentials -----------------------------------------------------------------------

/// No credentials anywhere is the offline state, not an error; what needs the account or
/// credentials then says so.
#[test]
fn offline_without_credentials() {
    if !in_child() {
        return Hermetic::new("offline_without_credentials").run();
    }
    let started = Instant::now();
    let aws = connected(&AwsSettings::default());
    let Connection::Offline { reason } = aws.connection() else {
        panic!("no credentials anywhere, yet {:?}", aws.connection());
    };
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    assert!(reason.starts_with("no AWS credentials found"), "{reason}");
    assert!(!reason.contains('\n'), "one line: {reason}");
    assert!(aws.is_offline());
    assert_eq!(aws.identity(), None);

    assert_eq!(
        aws.check_account(&[], &[]),
        Ok(()),
        "no guard, nothing to check"
    );
    let guard = aws
        .check_account(&[MOTO_ACCOUNT.to_string()], &[])
        .expect_err("a guard cannot pass without knowing the account");
    let AwsError::NeedsCredentials { .. } = &guard else {
        panic!("{guard:?}");
    };
    assert!(guard.to_string().contains("offline"), "{guard}");

    let probe = block_on(aws.probe_assume_role(
        "arn:aws:iam::123456789012:role/recovery",
        "us-west-2",
        "dr-drill",
    ))
    .expect_err("a probe needs credentials");
    assert!(
        probe.to_string().contains("no AWS credentials found"),
        "{probe}"
    );
}

/// Instance metadata that accepts connections and never answers costs about a second per
/// lookup (the region, then credentials), not the SDK's default of several.
#[test]
fn silent_instance_metadata_goes_offline_quickly() {
    if !in_child() {
        let silent = SilentServer::start();
        return Hermetic::new("silent_instance_metadata_goes_offline_quickly")
            .env("AWS_EC2_METADATA_DISABLED", "false")
            .env(
                "AWS_EC2_METADATA_SERVICE_ENDPOINT",
                format!("http://{}", silent.address),
            )
            .run();
    }
    let started = Instant::now();
    let aws = connected(&AwsSettings::default());
    let took = started.elapsed();
    assert!(aws.is_offline(), "{:?}", aws.connection());
    assert_eq!(aws.region(), "us-east-1");
    assert!(took < Duration::from_secs(4), "offline only after {took:?}");
}

/// Instance metadata that refuses every request (403, as where IMDS is turned off for the
/// instance or blocked for containers) is no credentials there: offline, not an error.
#[test]
fn refusing_instance_metadata_is_offline() {
    if !in_child() {
        let listener = TcpListener::bind("127.0.0.1:0").expect("a loopback port can be bound");
        let address = listener
            .local_addr()
            .expect("a bound listener has an address");
        // Answers every request 403 until the test process ends.
        std::thread::spawn(move || {
            for mut stream in listener.incoming().flatten() {
                let mut request = [0_u8; 4096];
                let _ = std::io::Read::read(&mut stream, &mut request);
                let _ = stream.write_all(
                    b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
                );
            }
        });
        return Hermetic::new("refusing_instance_metadata_is_offline")
            .env("AWS_EC2_METADATA_DISABLED", "false")
            .env(
                "AWS_EC2_METADATA_SERVICE_ENDPOINT",
                format!("http://{address}"),
            )
            .run();
    }
    let aws = connected(&AwsSettings::default());
    assert!(aws.is_offline(), "{:?}", aws.connection());
}

/// A server that accepts connections and never answers, as instance metadata behind a
/// firewall that drops replies.
struct SilentServer {
    address: SocketAddr,
    stop: Arc<AtomicBool>,
    accepting: Option<JoinHandle<()>>,
}

impl SilentServer {
    fn start() -> SilentServer {
        let listener = TcpListener::bind("127.0.0.1:0").expect("a loopback port can be bound");
        let address = listener
            .local_addr()
            .expect("a bound listener has an address");
        let stop = Arc::new(AtomicBool::new(false));
        let stopping = Arc::clone(&stop);
        let accepting = std::thread::spawn(move || {
            let mut held = Vec::new();
            for stream in listener.incoming() {
                if stopping.load(Ordering::SeqCst) {
                    break;
                }
                held.extend(stream.ok());
            }
        });
        SilentServer {
            address,
            stop,
            accepting: Some(accepting),
        }
    }
}

impl Drop for SilentServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // One last connection wakes the accepting thread so that it sees `stop`.
        let _ = TcpStream::connect(self.address).and_then(|mut wake| wake.flush());
        if let Some(accepting) = self.accepting.take() {
            let _ = accepting.join();
        }
    }
}

// --- Validation, the account guard and assume_role -------------------------------------------

/// Keys STS does not know are an error carrying AWS's code and message, not offline.
/// (moto checks keys only with its IAM access control on.)
#[test]
fn rejected_credentials_are_an_error_with_awss_code() {
    let moto = Moto::start();
    moto.enforce_iam();
    let error = block_on(connect(&in_process(moto.endpoint(), unknown_keys())))
        .expect_err("moto does not know these keys");
    assert_eq!(error.code(), Some("InvalidClientTokenId"), "{error}");
    let AwsError::Sts { call, message, .. } = &error else {
        panic!("{error:?}");
    };
    assert_eq!(call, &StsCall::GetCallerIdentity);
    assert_eq!(
        message,
        "The security token included in the request is invalid."
    );
    let text = error.to_string();
    assert!(
        text.contains(
            "InvalidClientTokenId: The security token included in the request is invalid."
        ) && text.contains("AWS does not know the access key"),
        "{text}"
    );
    assert!(!text.contains(&unknown_keys().secret_access_key), "{text}");
}

/// With credential validation skipped no STS call is made (STS here is a port nothing listens
/// on), and the account stays unknown, which a guard then says.
#[test]
fn skipped_validation_makes_no_sts_call_and_knows_no_account() {
    let nowhere = format!("http://{}", free_port());
    let aws = connected(&AwsSettings {
        skip_credentials_validation: true,
        ..in_process(&nowhere, unknown_keys())
    });
    assert_eq!(aws.connection(), &Connection::Online { identity: None });
    let guard = aws
        .check_account(&[], &[MOTO_ACCOUNT.to_string()])
        .expect_err("a guard cannot pass without knowing the account");
    assert!(
        guard.to_string().contains("skip_credentials_validation"),
        "{guard}"
    );

    let validated = block_on(connect(&in_process(&nowhere, unknown_keys())))
        .expect_err("validation calls STS, which is not there");
    assert_eq!(validated.code(), None, "{validated}");
}

/// The account guard passes the allowed account and refuses others, naming both accounts.
#[test]
fn account_guard_allows_and_refuses() {
    let moto = Moto::start();
    let key = moto.create_user("dr-guard", &no_permissions());
    let settings = in_process(moto.endpoint(), keys(&key));
    let aws = connected(&settings);
    for shown in [format!("{settings:?}"), format!("{aws:?}")] {
        assert!(
            !shown.contains(&key.access_key_id) && !shown.contains(&key.secret_access_key),
            "Debug shows a key: {shown}"
        );
    }
    let ours = MOTO_ACCOUNT.to_string();
    let other = "111122223333".to_string();

    assert_eq!(aws.check_account(&[], &[]), Ok(()));
    assert_eq!(
        aws.check_account(&[other.clone(), ours.clone()], &[]),
        Ok(())
    );
    assert_eq!(aws.check_account(&[], std::slice::from_ref(&other)), Ok(()));

    let refused = aws
        .check_account(std::slice::from_ref(&other), &[])
        .expect_err("the account is not the allowed one");
    let text = refused.to_string();
    assert!(
        matches!(refused, AwsError::AccountNotAllowed { .. })
            && text.contains(&ours)
            && text.contains(&other)
            && text.contains("user/dr-guard"),
        "{text}"
    );

    let forbidden = aws
        .check_account(&[], &[other.clone(), ours.clone()])
        .expect_err("the account is a forbidden one");
    let text = forbidden.to_string();
    assert!(
        matches!(forbidden, AwsError::AccountForbidden { .. })
            && text.contains(&ours)
            && text.contains(&other),
        "{text}"
    );
}

/// With `assume_role` the provider acts as the role: GetCallerIdentity answers with the
/// assumed role in the role's account, and the guard judges that account.
#[test]
fn assume_role_setting_acts_as_the_role() {
    let moto = Moto::start();
    let aws = connected(&AwsSettings {
        assume_role: Some(AssumeRole {
            role_arn: "arn:aws:iam::210987654321:role/dr-operator".to_string(),
            session_name: Some("dr-plan".to_string()),
            external_id: Some("dr-toolkit".to_string()),
        }),
        ..in_process(moto.endpoint(), unknown_keys())
    });
    assert_eq!(
        aws.connection(),
        &online(
            "210987654321",
            "arn:aws:sts::210987654321:assumed-role/dr-operator/dr-plan"
        )
    );
    let refused = aws
        .check_account(&[MOTO_ACCOUNT.to_string()], &[])
        .expect_err("the role's account is not the allowed one");
    assert!(refused.to_string().contains("210987654321"), "{refused}");
}

// --- Recovery role probes ------------------------------------------------------------------

/// A probe assumes the recovery role through STS in the region it is given, and reports when
/// and how fast.
#[test]
fn recovery_probe_assumes_the_role_in_its_region() {
    let moto = Moto::start();
    let aws = connected(&AwsSettings {
        region: Some("eu-west-1".to_string()),
        ..in_process(moto.endpoint(), unknown_keys())
    });
    let before = SystemTime::now();
    let access = block_on(aws.probe_assume_role(
        "arn:aws:iam::123456789012:role/recovery",
        "us-west-2",
        "dr-drill",
    ))
    .unwrap_or_else(|error| panic!("{error}"));
    let after = SystemTime::now();
    assert_eq!(
        access.assumed_role_arn,
        "arn:aws:sts::123456789012:assumed-role/recovery/dr-drill"
    );
    assert!(
        before <= access.succeeded_at && access.succeeded_at <= after,
        "{access:?}"
    );
    assert!(
        access.took > Duration::ZERO
            && access.took <= after.duration_since(before).unwrap_or_default(),
        "{access:?}"
    );

    // moto names the partition of an assumed role after the region the request was signed
    // for: a probe in a China region comes back in `aws-cn`, so the region argument is what
    // reached STS, not the provider's own.
    let china = block_on(aws.probe_assume_role(
        "arn:aws:iam::123456789012:role/recovery",
        "cn-north-1",
        "dr-drill",
    ))
    .unwrap_or_else(|error| panic!("{error}"));
    assert_eq!(
        china.assumed_role_arn,
        "arn:aws-cn:sts::123456789012:assumed-role/recovery/dr-drill"
    );
}

/// The drill's most likely real failure: the recovery role's trust policy does not trust the
/// caller. moto's IAM access control (on once the users and roles exist) checks the caller's
/// own policies and, for AssumeRole of a role it knows, the role's trust policy, and answers
/// AccessDenied as STS does. The caller may assume roles in general (its policy allows
/// sts:AssumeRole on everything), and a role that trusts it is assumed under the same access
/// control, so the refusal is the trust policy's, not a signing problem.
#[test]
fn recovery_probe_refused_by_the_roles_trust_policy() {
    let moto = Moto::start();
    let caller = moto.create_user(
        "dr-drill-runner",
        &json!({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"}
        ]}),
    );
    let trusting = moto.create_role(
        "dr-recovery",
        &json!({"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow",
            "Principal": {"AWS": "arn:aws:iam::123456789012:user/dr-drill-runner"},
            "Action": "sts:AssumeRole"
        }]}),
    );
    let distrusting = moto.create_role(
        "dr-recovery-locked",
        &json!({"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow",
            "Principal": {"AWS": "arn:aws:iam::123456789012:user/someone-else"},
            "Action": "sts:AssumeRole"
        }]}),
    );
    moto.enforce_iam();

    let aws = connected(&in_process(moto.endpoint(), keys(&caller)));
    assert_eq!(
        aws.identity().map(|identity| identity.arn.as_str()),
        Some("arn:aws:iam::123456789012:user/dr-drill-runner")
    );
    let granted = block_on(aws.probe_assume_role(&trusting, "us-west-2", "dr-drill"))
        .unwrap_or_else(|error| panic!("the trusting role: {error}\n{}", moto.log()));
    assert_eq!(
        granted.assumed_role_arn,
        "arn:aws:sts::123456789012:assumed-role/dr-recovery/dr-drill"
    );

    let refused = block_on(aws.probe_assume_role(&distrusting, "us-west-2", "dr-drill"))
        .expect_err("the role does not trust the caller");
    assert_eq!(refused.code(), Some("AccessDenied"), "{refused}");
    let AwsError::Sts { call, message, .. } = &refused else {
        panic!("{refused:?}");
    };
    assert_eq!(
        call,
        &StsCall::AssumeRole {
            role_arn: distrusting.clone()
        }
    );
    assert_eq!(
        message,
        "User: arn:aws:iam::123456789012:user/dr-drill-runner is not authorized to perform: sts:AssumeRole"
    );
    let text = refused.to_string();
    assert!(
        text.contains(&format!(
            "STS AssumeRole of {distrusting} in us-west-2 at {}",
            moto.endpoint()
        )) && text.contains("AccessDenied: User: arn:aws:iam::123456789012:user/dr-drill-runner")
            && text.contains("trust policy"),
        "{text}"
    );
    assert!(!text.contains(&caller.secret_access_key), "{text}");
}

/// A session name STS does not accept is STS's own ValidationError, passed on as AWS said it.
#[test]
fn recovery_probe_with_an_overlong_session_name_fails_with_stss_validation_error() {
    let moto = Moto::start();
    let aws = connected(&in_process(moto.endpoint(), unknown_keys()));
    let session_name = "dr-drill-".repeat(8);
    let error = block_on(aws.probe_assume_role(
        "arn:aws:iam::123456789012:role/recovery",
        "us-west-2",
        &session_name,
    ))
    .expect_err("a session name is at most 64 characters");
    assert_eq!(error.code(), Some("ValidationError"), "{error}");
    let text = error.to_string();
    assert!(
        text.contains("at 'roleSessionName' failed to satisfy constraint")
            && text.contains("Check the role ARN and the session name"),
        "{text}"
    );
}
