//! Talking to the provider binary the way Terraform does: start it with go-plugin's environment,
//! read its handshake line, and open gRPC channels to the address it names, in plaintext or over
//! AutoMTLS with a client certificate like the one Terraform makes.
//!
//! Shared by the plugin tests and the handshake bench; each uses only part of it.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{ExitStatus, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use base64::Engine;
use dr_proto::tonic::transport::{Channel, Endpoint, Uri};
use hyper_util::rt::TokioIo;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::WebPkiSupportedAlgorithms;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer, ServerName, UnixTime};
use rustls::{ClientConfig, DigitallySignedStruct, SignatureScheme};
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncWrite, BufReader, Lines};
use tokio::net::{TcpStream, UnixStream};
use tokio::process::{Child, ChildStdout, Command};
use tokio::task::JoinHandle;

/// The cookie Terraform puts in a provider's environment, written out here rather than taken
/// from the provider so a provider that expected anything else would fail these tests.
pub const MAGIC_COOKIE_KEY: &str = "TF_PLUGIN_MAGIC_COOKIE";
pub const MAGIC_COOKIE_VALUE: &str =
    "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2";

/// How long one step of talking to the plugin may take before the test gives up on it. Far
/// above what any step needs: reaching it means the plugin is stuck, not slow.
pub const PATIENCE: Duration = Duration::from_secs(20);

/// Variables of the test's own environment that would change how the plugin behaves.
const HOST_VARIABLES: &[&str] = &[
    "PLUGIN_CLIENT_CERT",
    "PLUGIN_PROTOCOL_VERSIONS",
    "TF_DISABLE_PLUGIN_TLS",
    "TF_LOG",
    "TF_LOG_PROVIDER",
    "TF_LOG_PROVIDER_DR",
    "TF_REATTACH_PROVIDERS",
    MAGIC_COOKIE_KEY,
];

/// The provider started as Terraform starts it: with the magic cookie, offering protocol 6, no
/// client certificate and no logging. Tests add or remove variables from there.
pub fn plugin_command(binary: &Path) -> Command {
    let mut command = bare_command(binary);
    command
        .env(MAGIC_COOKIE_KEY, MAGIC_COOKIE_VALUE)
        .env("PLUGIN_PROTOCOL_VERSIONS", "6");
    command
}

/// The provider with none of the host's variables set.
pub fn bare_command(binary: &Path) -> Command {
    let mut command = Command::new(binary);
    for name in HOST_VARIABLES {
        command.env_remove(name);
    }
    command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    command
}

/// A running plugin process. Dropping it kills the process, so no test leaves one behind
/// whichever way it ends.
pub struct Plugin {
    child: Child,
    pid: u32,
    stdout: Lines<BufReader<ChildStdout>>,
    stderr: Arc<Mutex<String>>,
    stderr_reader: Option<JoinHandle<()>>,
}

impl Plugin {
    /// Starts `command`, which must pipe stdout and stderr (as [`plugin_command`] does).
    pub fn start(mut command: Command) -> Plugin {
        let mut child = command
            .spawn()
            .unwrap_or_else(|error| panic!("cannot start the provider: {error}"));
        let pid = child.id().expect("a process just started has an id");
        let stdout = child.stdout.take().expect("stdout is piped");
        let mut stderr_pipe = child.stderr.take().expect("stderr is piped");
        let stderr = Arc::new(Mutex::new(String::new()));
        let collected = Arc::clone(&stderr);
        // Drained all along, so a talkative plugin never blocks on a full pipe.
        let stderr_reader = tokio::spawn(async move {
            let mut lines = BufReader::new(&mut stderr_pipe).lines();
            while let Ok(Some(line)) = lines.next_line().await {
                let mut text = collected.lock().unwrap_or_else(|p| p.into_inner());
                text.push_str(&line);
                text.push('\n');
            }
        });
        Plugin {
            child,
            pid,
            stdout: BufReader::new(stdout).lines(),
            stderr,
            stderr_reader: Some(stderr_reader),
        }
    }

    pub fn pid(&self) -> u32 {
        self.pid
    }

    /// What the plugin wrote to stderr so far.
    pub fn stderr_so_far(&self) -> String {
        self.stderr
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// Waits until what the plugin wrote to stderr satisfies `done`, and returns it; fails the
    /// test if that does not happen.
    pub async fn stderr_when(&self, what: &str, done: impl Fn(&str) -> bool) -> String {
        let deadline = tokio::time::Instant::now() + PATIENCE;
        loop {
            let stderr = self.stderr_so_far();
            if done(&stderr) {
                return stderr;
            }
            if tokio::time::Instant::now() > deadline {
                panic!("the provider's stderr never showed {what}:\n{stderr}");
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }

    /// The next line the plugin prints on stdout; fails the test if none comes.
    pub async fn next_stdout_line(&mut self) -> String {
        match tokio::time::timeout(PATIENCE, self.stdout.next_line()).await {
            Ok(Ok(Some(line))) => line,
            Ok(Ok(None)) => panic!(
                "the provider closed stdout without printing the expected line\n--- stderr ---\n{}",
                self.stderr_so_far()
            ),
            Ok(Err(error)) => panic!("cannot read the provider's stdout: {error}"),
            Err(_) => panic!(
                "the provider printed nothing on stdout for {PATIENCE:?}\n--- stderr ---\n{}",
                self.stderr_so_far()
            ),
        }
    }

    /// Reads and checks the go-plugin handshake line.
    pub async fn handshake(&mut self) -> Handshake {
        let line = self.next_stdout_line().await;
        Handshake::parse(&line)
            .unwrap_or_else(|problem| panic!("bad handshake line {line:?}: {problem}"))
    }

    /// The process's exit status if it exits within `deadline`, `None` if it is still running.
    pub async fn exit_within(&mut self, deadline: Duration) -> Option<ExitStatus> {
        match tokio::time::timeout(deadline, self.child.wait()).await {
            Ok(Ok(status)) => Some(status),
            Ok(Err(error)) => panic!("cannot wait for the provider: {error}"),
            Err(_) => None,
        }
    }

    /// Everything the plugin wrote to stderr, once it has exited and closed the pipe.
    pub async fn final_stderr(&mut self) -> String {
        if let Some(reader) = self.stderr_reader.take() {
            tokio::time::timeout(PATIENCE, reader)
                .await
                .expect("stderr closes when the provider exits")
                .expect("the stderr reader does not panic");
        }
        self.stderr_so_far()
    }
}

impl Drop for Plugin {
    fn drop(&mut self) {
        // Already gone if the test stopped it. Otherwise SIGTERM ends it the way that removes
        // its socket directory; SIGKILL only if it is still there a moment later.
        if let Some(pid) = self.child.id() {
            let terminated = std::process::Command::new("kill")
                .args(["-s", "TERM", &pid.to_string()])
                .status()
                .is_ok_and(|status| status.success());
            if terminated {
                for _ in 0..50 {
                    if self.child.try_wait().ok().flatten().is_some() {
                        return;
                    }
                    std::thread::sleep(std::time::Duration::from_millis(10));
                }
            }
        }
        let _ = self.child.start_kill();
    }
}

/// Where a plugin listens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Address {
    Unix(PathBuf),
    Tcp(String),
}

impl Address {
    /// Reads go-plugin's network name and address, as in the handshake line and in
    /// `TF_REATTACH_PROVIDERS`.
    pub fn new(network: &str, address: &str) -> Result<Address, String> {
        match network {
            "unix" => Ok(Address::Unix(PathBuf::from(address))),
            "tcp" => Ok(Address::Tcp(address.to_owned())),
            other => Err(format!("unknown network {other:?}")),
        }
    }
}

/// The go-plugin handshake line: `CORE|PROTOCOL|NETWORK|ADDRESS|grpc|SERVER_CERT`.
#[derive(Debug, Clone)]
pub struct Handshake {
    pub core_version: String,
    pub protocol_version: String,
    pub network: String,
    pub address: Address,
    pub transport: String,
    /// The DER server certificate, absent when the plugin serves plaintext.
    pub server_certificate: Option<CertificateDer<'static>>,
}

impl Handshake {
    pub fn parse(line: &str) -> Result<Handshake, String> {
        let fields: Vec<&str> = line.trim_end().split('|').collect();
        let [core, protocol, network, address, transport, certificate] = fields[..] else {
            return Err(format!("expected 6 fields, found {}", fields.len()));
        };
        let server_certificate = if certificate.is_empty() {
            None
        } else {
            // go-plugin writes the certificate in unpadded standard base64.
            let der = base64::engine::general_purpose::STANDARD_NO_PAD
                .decode(certificate)
                .map_err(|error| format!("server certificate is not unpadded base64: {error}"))?;
            Some(CertificateDer::from(der))
        };
        Ok(Handshake {
            core_version: core.to_owned(),
            protocol_version: protocol.to_owned(),
            network: network.to_owned(),
            address: Address::new(network, address)?,
            transport: transport.to_owned(),
            server_certificate,
        })
    }
}

/// A client certificate and key, as Terraform makes one for each provider it starts.
pub struct ClientIdentity {
    /// What goes into `PLUGIN_CLIENT_CERT`.
    pub certificate_pem: String,
    pub certificate: CertificateDer<'static>,
    key: PrivateKeyDer<'static>,
}

impl ClientIdentity {
    /// A fresh self-signed ECDSA P-521 certificate for `localhost`, shaped like the one
    /// go-plugin generates for AutoMTLS.
    pub fn generate() -> ClientIdentity {
        let key_pair = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P521_SHA512)
            .expect("aws-lc-rs makes P-521 keys");
        let mut params = rcgen::CertificateParams::new(vec!["localhost".to_owned()])
            .expect("localhost is a valid subject name");
        params.distinguished_name = rcgen::DistinguishedName::new();
        params
            .distinguished_name
            .push(rcgen::DnType::CommonName, "localhost");
        params
            .distinguished_name
            .push(rcgen::DnType::OrganizationName, "HashiCorp");
        params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        params.key_usages = vec![
            rcgen::KeyUsagePurpose::DigitalSignature,
            rcgen::KeyUsagePurpose::KeyEncipherment,
            rcgen::KeyUsagePurpose::KeyCertSign,
        ];
        params.extended_key_usages = vec![
            rcgen::ExtendedKeyUsagePurpose::ClientAuth,
            rcgen::ExtendedKeyUsagePurpose::ServerAuth,
        ];
        let certificate = params
            .self_signed(&key_pair)
            .expect("a self-signed certificate can be made");
        ClientIdentity {
            certificate_pem: certificate.pem(),
            certificate: certificate.der().clone(),
            key: PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key_pair.serialize_der())),
        }
    }
}

/// A TLS client set up as go-plugin's host sets one up: it trusts only the certificate from the
/// handshake line, expects the name `localhost`, offers `h2`, and presents `identity` if given.
pub fn client_tls(
    server_certificate: &CertificateDer<'static>,
    identity: Option<&ClientIdentity>,
) -> Arc<ClientConfig> {
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let verifier = HandshakeCertificate {
        expected: server_certificate.clone(),
        algorithms: provider.signature_verification_algorithms,
    };
    let builder = ClientConfig::builder_with_provider(Arc::clone(&provider))
        .with_safe_default_protocol_versions()
        .expect("aws-lc-rs supports the default TLS versions")
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(verifier));
    let mut config = match identity {
        Some(identity) => builder
            .with_client_auth_cert(vec![identity.certificate.clone()], identity.key.clone_key())
            .expect("the client key matches its certificate"),
        None => builder.with_no_client_auth(),
    };
    config.alpn_protocols = vec![b"h2".to_vec()];
    Arc::new(config)
}

/// Trusts the server certificate from the handshake line and no other.
///
/// Go, which Terraform's host is written in, puts that certificate in its root pool and accepts
/// it as the server's own certificate too. webpki, behind rustls' stock verifier, refuses a CA
/// certificate in the leaf position (go-plugin's certificates are CAs), so this verifier pins the
/// exact bytes instead, then checks the name and the handshake signatures as Go would.
#[derive(Debug)]
struct HandshakeCertificate {
    expected: CertificateDer<'static>,
    algorithms: WebPkiSupportedAlgorithms,
}

impl ServerCertVerifier for HandshakeCertificate {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        if end_entity.as_ref() != self.expected.as_ref() {
            return Err(rustls::Error::InvalidCertificate(
                rustls::CertificateError::UnknownIssuer,
            ));
        }
        let parsed = rustls::server::ParsedCertificate::try_from(end_entity)?;
        rustls::client::verify_server_name(&parsed, server_name)?;
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        certificate: &CertificateDer<'_>,
        signature: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, certificate, signature, &self.algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        certificate: &CertificateDer<'_>,
        signature: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, certificate, signature, &self.algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.algorithms.supported_schemes()
    }
}

/// Anything a gRPC connection can run over.
trait Io: AsyncRead + AsyncWrite + Send + Unpin {}
impl<T: AsyncRead + AsyncWrite + Send + Unpin> Io for T {}

pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// An error with every cause under it, since tonic's own message is often just
/// "transport error".
pub fn explain(error: &(dyn std::error::Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut cause = error.source();
    while let Some(inner) = cause {
        text.push_str(": ");
        text.push_str(&inner.to_string());
        cause = inner.source();
    }
    text
}

/// Opens a gRPC channel to `address`, over TLS when `tls` is given.
pub async fn connect(
    address: &Address,
    tls: Option<Arc<ClientConfig>>,
) -> Result<Channel, BoxError> {
    let address = address.clone();
    let connector = tower::service_fn(move |_: Uri| {
        let address = address.clone();
        let tls = tls.clone();
        async move {
            let stream: Box<dyn Io> = match &address {
                Address::Unix(path) => Box::new(UnixStream::connect(path).await?),
                Address::Tcp(address) => Box::new(TcpStream::connect(address).await?),
            };
            let stream: Box<dyn Io> = match tls {
                None => stream,
                Some(config) => {
                    let name = ServerName::try_from("localhost").expect("localhost is a DNS name");
                    let connector = tokio_rustls::TlsConnector::from(config);
                    Box::new(connector.connect(name, stream).await?)
                }
            };
            Ok::<_, std::io::Error>(TokioIo::new(stream))
        }
    });
    // The URI only fills the :authority header; the connector decides where bytes go.
    let channel = Endpoint::from_static("http://localhost")
        .connect_timeout(PATIENCE)
        .connect_with_connector(connector)
        .await?;
    Ok(channel)
}

/// Opens a channel the way the handshake says: plaintext, or TLS trusting its certificate.
pub async fn connect_as_host(
    handshake: &Handshake,
    identity: Option<&ClientIdentity>,
) -> Result<Channel, BoxError> {
    let tls = handshake
        .server_certificate
        .as_ref()
        .map(|certificate| client_tls(certificate, identity));
    connect(&handshake.address, tls).await
}
