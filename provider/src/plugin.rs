//! The go-plugin transport: how Terraform and OpenTofu start, reach and stop this provider.
//!
//! The host starts the binary with a magic cookie and the protocol versions it speaks; the
//! plugin binds a socket, then prints one handshake line on stdout
//! (`1|6|unix|/tmp/plugin…/provider.sock|grpc|<server cert>`) and serves gRPC on it: the
//! provider service plus go-plugin's controller, stdio, broker and health services. Everything
//! else the plugin says goes to stderr, because the host reads stdout.
//!
//! The socket sits in a directory of its own that only this user can enter, whatever the umask,
//! and the directory goes away however the plugin ends: the host's Shutdown, `SIGTERM`, or
//! `SIGINT` in debug mode.

use std::fs::{self, Permissions};
use std::io::{self, Write};
use std::net::{Ipv4Addr, SocketAddr};
use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use dr_proto::grpc_health_v1 as health;
use dr_proto::plugin as goplugin;
use dr_proto::tonic::transport::server::Connected;
use dr_proto::tonic::transport::Server;
use dr_proto::tonic::{self, Request, Response, Status};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, UnixListener};
use tokio::signal::unix::{signal, Signal, SignalKind};
use tokio::sync::{mpsc, watch};
use tokio_stream::wrappers::ReceiverStream;

use crate::log;
use crate::tls::{auto_mtls, client_certificate_from_pem, TlsError};
use crate::wire::{provider_server, ProviderService};

/// The cookie Terraform sets so a provider knows it was started by Terraform.
pub const MAGIC_COOKIE_KEY: &str = "TF_PLUGIN_MAGIC_COOKIE";
pub const MAGIC_COOKIE_VALUE: &str =
    "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2";
/// The one plugin protocol this provider speaks.
pub const PROTOCOL_VERSION: u32 = 6;
/// go-plugin's own handshake protocol version, the first field of the handshake line.
const CORE_PROTOCOL_VERSION: u32 = 1;
/// The provider address debug mode offers for `TF_REATTACH_PROVIDERS` unless told otherwise.
pub const DEFAULT_PROVIDER_ADDRESS: &str = "registry.terraform.io/dr-toolkit/dr";
/// The socket directory's mode: only this user may look up the socket in it.
const SOCKET_DIRECTORY_MODE: u32 = 0o700;
/// The socket's own mode: only this user may connect, should the directory ever be opened up.
const SOCKET_MODE: u32 = 0o600;
/// How long the plugin lingers after Shutdown or StopProvider, so the reply reaches the host
/// before the process ends.
const REPLY_GRACE: Duration = Duration::from_millis(5);

/// Why the plugin could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(
        "terraform-provider-dr is a Terraform provider: Terraform or OpenTofu starts it, it is not run by hand.\n\
         To use it, install it with dev_overrides or a filesystem mirror (see the README).\n\
         To debug it, run `terraform-provider-dr --debug` and follow what it prints."
    )]
    NotStartedByTerraform,
    #[error(
        "this provider speaks plugin protocol 6, but the host offered only {offered:?} (PLUGIN_PROTOCOL_VERSIONS). \
         Use Terraform 1.0 or later, or OpenTofu."
    )]
    ProtocolMismatch { offered: String },
    #[error("cannot listen for Terraform: {0}")]
    Listen(io::Error),
    #[error("cannot install the SIGTERM and SIGINT handlers that remove the socket on exit: {0}")]
    Signals(io::Error),
    #[error("cannot set up AutoMTLS: {0}")]
    Tls(#[from] TlsError),
    #[error("cannot write the handshake: {0}")]
    Handshake(io::Error),
    #[error("gRPC server failed: {0}")]
    Serve(#[from] tonic::transport::Error),
}

/// How the plugin was asked to run.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Serve for `TF_REATTACH_PROVIDERS` instead of being started by the host.
    pub debug: bool,
    pub provider_address: Option<String>,
}

/// Reads what the host's environment asks of the plugin: whether it is a real host, which
/// protocol to speak, and the client certificate for AutoMTLS.
pub struct Environment {
    /// The host's certificate, already parsed, so a bad one stops the plugin before it binds
    /// anything or prints a handshake.
    pub client_certificate: Option<rustls::pki_types::CertificateDer<'static>>,
}

impl Environment {
    pub fn read(options: &Options) -> Result<Environment, StartError> {
        if !options.debug
            && std::env::var(MAGIC_COOKIE_KEY).ok().as_deref() != Some(MAGIC_COOKIE_VALUE)
        {
            return Err(StartError::NotStartedByTerraform);
        }
        if let Ok(offered) = std::env::var("PLUGIN_PROTOCOL_VERSIONS") {
            let speaks_ours = offered
                .split(',')
                .any(|version| version.trim().parse::<u32>() == Ok(PROTOCOL_VERSION));
            if !speaks_ours && !offered.trim().is_empty() {
                return Err(StartError::ProtocolMismatch { offered });
            }
        }
        let tls_disabled = std::env::var("TF_DISABLE_PLUGIN_TLS").is_ok_and(|v| !v.is_empty());
        let client_certificate = std::env::var("PLUGIN_CLIENT_CERT")
            .ok()
            .filter(|pem| !pem.trim().is_empty() && !tls_disabled && !options.debug)
            .map(|pem| client_certificate_from_pem(&pem))
            .transpose()?;
        Ok(Environment { client_certificate })
    }
}

/// Where the plugin listens: a unix socket in a private directory, or loopback TCP where unix
/// sockets cannot be had.
enum Listener {
    Unix {
        listener: UnixListener,
        path: PathBuf,
    },
    Tcp {
        listener: TcpListener,
        address: SocketAddr,
    },
}

/// The private directory holding the unix socket. It stays with [`serve`] rather than with the
/// listener, which the accept loop owns, so that every way out of `serve` removes it; dropping it
/// (on an early error) removes it too.
struct SocketDirectory(tempfile::TempDir);

impl SocketDirectory {
    fn remove(self) {
        let path = self.0.path().display().to_string();
        if let Err(error) = self.0.close() {
            log::warn(
                "cannot remove the socket directory",
                &[("path", &path), ("error", &error.to_string())],
            );
        }
    }
}

impl Listener {
    fn bind() -> io::Result<(Listener, Option<SocketDirectory>)> {
        match Listener::bind_unix() {
            Ok((listener, directory)) => Ok((listener, Some(directory))),
            Err(error) => {
                log::warn(
                    "unix socket unavailable, using TCP",
                    &[("error", &error.to_string())],
                );
                Ok((Listener::bind_tcp()?, None))
            }
        }
    }

    fn bind_unix() -> io::Result<(Listener, SocketDirectory)> {
        let parent = std::env::var_os("PLUGIN_UNIX_SOCKET_DIR")
            .filter(|dir| !dir.is_empty())
            .map(PathBuf::from)
            .unwrap_or_else(std::env::temp_dir);
        // The umask only ever narrows a mode asked for: created 0700, the directory is never
        // wider than that; set to 0700 afterwards, it is wide enough for this user to bind in
        // even under a umask such as 0777.
        let directory = tempfile::Builder::new()
            .prefix("plugin")
            .permissions(Permissions::from_mode(SOCKET_DIRECTORY_MODE))
            .tempdir_in(parent)?;
        fs::set_permissions(
            directory.path(),
            Permissions::from_mode(SOCKET_DIRECTORY_MODE),
        )?;
        let directory = SocketDirectory(directory);
        let path = directory.0.path().join("provider.sock");
        let listener = UnixListener::bind(&path)?;
        // bind creates the socket 0777 less the umask, so under `umask 000` any local user who
        // reached it could drive the provider with TLS off. Until this line the directory's mode
        // already keeps them out.
        fs::set_permissions(&path, Permissions::from_mode(SOCKET_MODE))?;
        Ok((Listener::Unix { listener, path }, directory))
    }

    fn bind_tcp() -> io::Result<Listener> {
        let port = |name: &str, default: u16| {
            std::env::var(name)
                .ok()
                .and_then(|v| v.trim().parse().ok())
                .unwrap_or(default)
        };
        let (min, max) = (
            port("PLUGIN_MIN_PORT", 10_000),
            port("PLUGIN_MAX_PORT", 25_000),
        );
        let mut last_error = io::Error::new(
            io::ErrorKind::AddrNotAvailable,
            format!("no free port in {min}..={max}"),
        );
        for candidate in min..=max {
            let address = SocketAddr::from((Ipv4Addr::LOCALHOST, candidate));
            match std::net::TcpListener::bind(address) {
                Ok(listener) => {
                    listener.set_nonblocking(true)?;
                    let listener = TcpListener::from_std(listener)?;
                    return Ok(Listener::Tcp { listener, address });
                }
                Err(error) => last_error = error,
            }
        }
        Err(last_error)
    }

    fn network(&self) -> (&'static str, String) {
        match self {
            Listener::Unix { path, .. } => ("unix", path.display().to_string()),
            Listener::Tcp { address, .. } => ("tcp", address.to_string()),
        }
    }
}

/// Any accepted connection, plain or TLS, over a unix socket or TCP.
pub struct Connection(Box<dyn Stream>);

trait Stream: AsyncRead + AsyncWrite + Send + Unpin {}
impl<T: AsyncRead + AsyncWrite + Send + Unpin> Stream for T {}

impl Connected for Connection {
    type ConnectInfo = ();

    fn connect_info(&self) -> Self::ConnectInfo {}
}

impl AsyncRead for Connection {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut *self.0).poll_read(cx, buf)
    }
}

impl AsyncWrite for Connection {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut *self.0).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut *self.0).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut *self.0).poll_shutdown(cx)
    }
}

/// Accepts connections in the background, completing TLS handshakes concurrently so one slow or
/// refused client cannot hold up another.
fn accept_loop(
    listener: Listener,
    tls: Option<Arc<rustls::ServerConfig>>,
) -> ReceiverStream<io::Result<Connection>> {
    let (sender, receiver) = mpsc::channel(16);
    let acceptor = tls.map(tokio_rustls::TlsAcceptor::from);
    tokio::spawn(async move {
        loop {
            let accepted: io::Result<Box<dyn Stream>> = match &listener {
                Listener::Unix { listener, .. } => listener
                    .accept()
                    .await
                    .map(|(s, _)| Box::new(s) as Box<dyn Stream>),
                Listener::Tcp { listener, .. } => listener.accept().await.map(|(s, _)| {
                    let _ = s.set_nodelay(true);
                    Box::new(s) as Box<dyn Stream>
                }),
            };
            let stream = match accepted {
                Ok(stream) => stream,
                Err(error) => {
                    log::error("accept failed", &[("error", &error.to_string())]);
                    tokio::time::sleep(Duration::from_millis(10)).await;
                    continue;
                }
            };
            let sender = sender.clone();
            match &acceptor {
                None => {
                    if sender.send(Ok(Connection(stream))).await.is_err() {
                        return;
                    }
                }
                Some(acceptor) => {
                    let acceptor = acceptor.clone();
                    tokio::spawn(async move {
                        match acceptor.accept(stream).await {
                            Ok(tls) => {
                                let _ = sender.send(Ok(Connection(Box::new(tls)))).await;
                            }
                            Err(error) => {
                                log::warn("refused a connection", &[("error", &error.to_string())])
                            }
                        }
                    });
                }
            }
        }
    });
    ReceiverStream::new(receiver)
}

/// go-plugin's controller: the host asks the plugin to exit through it.
struct Controller {
    stop: watch::Sender<bool>,
    debug: bool,
}

#[tonic::async_trait]
impl goplugin::grpc_controller_server::GrpcController for Controller {
    async fn shutdown(
        &self,
        _: Request<goplugin::Empty>,
    ) -> Result<Response<goplugin::Empty>, Status> {
        if self.debug {
            // In debug mode the developer owns the process; hosts come and go.
            log::info("host detached", &[]);
        } else {
            log::info("shutdown requested", &[]);
            self.stop.send_replace(true);
        }
        Ok(Response::new(goplugin::Empty {}))
    }
}

/// go-plugin's stdio stream. This plugin logs to stderr directly, so the stream stays open and
/// silent until the plugin ends.
struct Stdio;

#[tonic::async_trait]
impl goplugin::grpc_stdio_server::GrpcStdio for Stdio {
    type StreamStdioStream = tokio_stream::Pending<Result<goplugin::StdioData, Status>>;

    async fn stream_stdio(
        &self,
        _: Request<()>,
    ) -> Result<Response<Self::StreamStdioStream>, Status> {
        Ok(Response::new(tokio_stream::pending()))
    }
}

/// go-plugin's broker, for plugins that open extra connections back to the host. This one never
/// does, so it accepts the host's stream and has nothing to say on it.
struct Broker;

#[tonic::async_trait]
impl goplugin::grpc_broker_server::GrpcBroker for Broker {
    type StartStreamStream = tokio_stream::Pending<Result<goplugin::ConnInfo, Status>>;

    async fn start_stream(
        &self,
        _: Request<tonic::Streaming<goplugin::ConnInfo>>,
    ) -> Result<Response<Self::StartStreamStream>, Status> {
        Ok(Response::new(tokio_stream::pending()))
    }
}

/// The standard health service; go-plugin pings the service named "plugin".
struct Health;

fn serving() -> health::HealthCheckResponse {
    health::HealthCheckResponse {
        status: health::health_check_response::ServingStatus::Serving as i32,
    }
}

#[tonic::async_trait]
impl health::health_server::Health for Health {
    type WatchStream = std::pin::Pin<
        Box<dyn tokio_stream::Stream<Item = Result<health::HealthCheckResponse, Status>> + Send>,
    >;

    async fn check(
        &self,
        request: Request<health::HealthCheckRequest>,
    ) -> Result<Response<health::HealthCheckResponse>, Status> {
        match request.into_inner().service.as_str() {
            "" | "plugin" | "tfplugin6.Provider" => Ok(Response::new(serving())),
            other => Err(Status::not_found(format!("no service named {other:?}"))),
        }
    }

    async fn watch(
        &self,
        _: Request<health::HealthCheckRequest>,
    ) -> Result<Response<Self::WatchStream>, Status> {
        use tokio_stream::StreamExt;
        let stream = tokio_stream::once(Ok(serving())).chain(tokio_stream::pending());
        Ok(Response::new(Box::pin(stream)))
    }
}

/// The signals that end the plugin, and the one a hosted plugin leaves to its host.
struct Signals {
    terminate: Signal,
    interrupt: Signal,
    /// Whether `SIGINT` ends the plugin. Only in debug mode. A host such as Terraform starts its
    /// plugins in the host's own process group, so the terminal sends Ctrl-C to them as well as
    /// to the host. The host handles Ctrl-C itself (it cancels the operation and calls
    /// StopProvider) and then stops each plugin through the controller; a plugin that died on the
    /// spot would take in-flight operations down with it. go-plugin's own servers ignore
    /// `SIGINT` for the same reason.
    interrupt_ends: bool,
}

impl Signals {
    /// Installs the handlers. Done before the socket is bound, so from the moment the socket
    /// directory exists no `SIGTERM` or `SIGINT` can end the process without removing it.
    fn install(debug: bool) -> io::Result<Signals> {
        Ok(Signals {
            terminate: signal(SignalKind::terminate())?,
            interrupt: signal(SignalKind::interrupt())?,
            interrupt_ends: debug,
        })
    }

    /// Waits for a signal that ends the plugin and returns its name.
    async fn ending(&mut self) -> &'static str {
        loop {
            tokio::select! {
                Some(()) = self.terminate.recv() => return "SIGTERM",
                Some(()) = self.interrupt.recv() => {
                    if self.interrupt_ends {
                        return "SIGINT";
                    }
                    log::debug(
                        "ignoring SIGINT: the host stops its plugins through the controller",
                        &[],
                    );
                }
                // Both streams closed: the runtime is going away, and with it this plugin.
                else => std::future::pending::<()>().await,
            }
        }
    }
}

/// Runs the plugin until the host shuts it down or a signal ends it (see [`Signals`]).
pub async fn serve(options: Options, environment: Environment) -> Result<(), StartError> {
    let tls = environment.client_certificate.map(auto_mtls).transpose()?;
    let mut signals = Signals::install(options.debug).map_err(StartError::Signals)?;
    let (listener, socket_directory) = Listener::bind().map_err(StartError::Listen)?;
    let (network, address) = listener.network();

    let (stop, mut stopped) = watch::channel(false);
    let incoming = accept_loop(listener, tls.as_ref().map(|t| Arc::clone(&t.config)));
    let server = Server::builder()
        .add_service(provider_server(ProviderService::new(stop.clone())))
        .add_service(goplugin::grpc_controller_server::GrpcControllerServer::new(
            Controller {
                stop: stop.clone(),
                debug: options.debug,
            },
        ))
        .add_service(goplugin::grpc_stdio_server::GrpcStdioServer::new(Stdio))
        .add_service(goplugin::grpc_broker_server::GrpcBrokerServer::new(Broker))
        .add_service(health::health_server::HealthServer::new(Health))
        .serve_with_incoming(incoming);

    // The socket is bound: only now may the host be told where it is.
    if options.debug {
        print_reattach(&options, network, &address).map_err(StartError::Handshake)?;
    } else {
        let certificate = tls
            .as_ref()
            .map(|t| t.certificate_base64.as_str())
            .unwrap_or("");
        let mut stdout = io::stdout().lock();
        writeln!(
            stdout,
            "{CORE_PROTOCOL_VERSION}|{PROTOCOL_VERSION}|{network}|{address}|grpc|{certificate}"
        )
        .and_then(|()| stdout.flush())
        .map_err(StartError::Handshake)?;
    }
    log::info("serving", &[("network", network), ("address", &address)]);

    tokio::select! {
        result = server => result?,
        _ = stopped.wait_for(|stop| *stop) => tokio::time::sleep(REPLY_GRACE).await,
        signal = signals.ending() => log::info("ending on a signal", &[("signal", signal)]),
    }
    if let Some(directory) = socket_directory {
        directory.remove();
    }
    log::info("exiting", &[]);
    Ok(())
}

fn print_reattach(options: &Options, network: &str, address: &str) -> io::Result<()> {
    let provider = options
        .provider_address
        .as_deref()
        .unwrap_or(DEFAULT_PROVIDER_ADDRESS);
    let reattach = serde_json::json!({
        provider: {
            "Protocol": "grpc",
            "ProtocolVersion": PROTOCOL_VERSION,
            "Pid": std::process::id(),
            "Test": true,
            "Addr": { "Network": network, "String": address },
        }
    });
    let mut stdout = io::stdout().lock();
    writeln!(
        stdout,
        "Provider started. To attach Terraform or OpenTofu, set TF_REATTACH_PROVIDERS in their environment:\n\n\
         \tTF_REATTACH_PROVIDERS='{reattach}'\n\n\
         The provider keeps serving until you press Ctrl-C or send it SIGTERM."
    )?;
    stdout.flush()
}
