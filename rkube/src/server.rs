//! Starting and stopping the API server (and, for `rkube up`, the components
//! that run beside it).
//!
//! The order matters for users: the data directory, certificates and tokens
//! first (clear errors before anything listens), then the port, the store,
//! the API state, HTTPS; the kubeconfig is written only once `/readyz`
//! answers, so its appearance means "ready".

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use apiserver::auth::{self, TokenFile};
use apiserver::metrics::{self, Metrics};
use apiserver::tls::{self, TlsError};
use axum::Router;
use storage::Store;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::cli::{ServerArgs, StoreKind};
use crate::probe::{self, ProbeError};

/// Name of the kubeconfig written for the admin inside the data directory.
pub const KUBECONFIG_FILE: &str = "kubeconfig";
/// Name of the controller manager's kubeconfig inside the data directory.
pub const CONTROLLER_MANAGER_KUBECONFIG_FILE: &str = "controller-manager.kubeconfig";
/// Name of the token file inside the data directory.
pub const TOKENS_FILE: &str = "tokens.csv";
/// Directory of the PKI inside the data directory.
pub const PKI_DIR: &str = "pki";
/// Directory of the embedded store inside the data directory.
pub const STORE_DIR: &str = "store";

/// How long the API server may take to answer `/readyz` after it listens.
const READY_TIMEOUT: Duration = Duration::from_secs(60);

/// What is being started.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// `rkube up`: the API server and the in-process components.
    Up,
    /// `rkube apiserver`: the API server alone.
    ApiServer,
}

/// Why the control plane could not start (or stop).
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// Bad flag combination.
    #[error("{0}")]
    Flags(String),
    /// The data directory cannot be created or read.
    #[error("data directory {path}: {source}")]
    DataDir {
        /// The directory.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// Certificates could not be generated or loaded, or the kubeconfig written.
    #[error("{0}")]
    Tls(#[from] TlsError),
    /// The token file could not be read or written.
    #[error("{0}")]
    Tokens(#[from] auth::AuthError),
    /// The port is taken or the address is not local.
    #[error("cannot listen on {addr}: {source}{hint}")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// The underlying error.
        #[source]
        source: std::io::Error,
        /// A hint for the user.
        hint: &'static str,
    },
    /// The store could not be opened.
    #[error("store: {0}")]
    Store(#[from] storage::StoreError),
    /// The task opening the store failed.
    #[error("{0}")]
    StoreUnavailable(String),
    /// The API server could not be set up on the store.
    #[error("API server: {0}")]
    ApiServer(#[from] apiserver::Error),
    /// The API server did not become ready.
    #[error("{0}")]
    NotReady(#[from] ProbeError),
    /// The HTTPS server task failed or panicked.
    #[error("HTTPS server: {0}")]
    Serve(String),
}

/// A running API server.
pub struct Running {
    /// The address it listens on.
    pub addr: SocketAddr,
    /// The admin's kubeconfig.
    pub kubeconfig: PathBuf,
    stop: Option<oneshot::Sender<()>>,
    server: JoinHandle<Result<(), TlsError>>,
    controllers: Option<crate::controller_manager::InProcess>,
}

impl std::fmt::Debug for Running {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Running")
            .field("addr", &self.addr)
            .field("kubeconfig", &self.kubeconfig)
            .finish_non_exhaustive()
    }
}

impl Running {
    /// Stops accepting, ends watches, waits (bounded) for in-flight requests.
    pub async fn shutdown(mut self) -> Result<(), StartError> {
        // Controllers first, while they can still reach the API server to
        // finish their work and release the leader Lease.
        if let Some(controllers) = self.controllers.take() {
            controllers
                .shutdown(std::time::Duration::from_secs(15))
                .await;
        }
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        match (&mut self.server).await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(e)) => Err(StartError::Serve(e.to_string())),
            Err(e) => Err(StartError::Serve(e.to_string())),
        }
    }
}

/// The address clients on this machine use to reach a server bound to `bind`.
pub fn local_address(bind: IpAddr) -> IpAddr {
    match bind {
        IpAddr::V4(v4) if v4.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
        IpAddr::V6(v6) if v6.is_unspecified() => IpAddr::V6(Ipv6Addr::LOCALHOST),
        other => other,
    }
}

/// `https://IP:PORT`, with brackets for IPv6.
pub fn server_url(addr: SocketAddr) -> String {
    format!("https://{addr}")
}

/// Makes sure the data directory exists and can be read.
pub fn prepare_data_dir(dir: &Path) -> Result<(), StartError> {
    let err = |source| StartError::DataDir {
        path: dir.to_path_buf(),
        source,
    };
    if !dir.exists() {
        std::fs::create_dir_all(dir).map_err(err)?;
        // It will hold private keys and tokens.
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700)).map_err(err)?;
    }
    std::fs::read_dir(dir).map_err(err)?;
    Ok(())
}

/// Opens the store the flags ask for.
pub async fn open_store(args: &ServerArgs) -> Result<Arc<dyn Store>, StartError> {
    match args.store {
        StoreKind::Embedded => {
            let dir = args.data_dir.join(STORE_DIR);
            let store = tokio::task::spawn_blocking(move || {
                storage::EmbeddedStore::open(dir, storage::EmbeddedConfig::default())
            })
            .await
            .map_err(|e| StartError::StoreUnavailable(format!("opening the store: {e}")))??;
            Ok(Arc::new(store))
        }
        StoreKind::Etcd => {
            let config = storage::EtcdConfig {
                endpoints: args.etcd_endpoints.clone(),
                prefix: args.etcd_prefix.clone(),
                compaction_interval: (!args.etcd_compaction_interval.is_zero())
                    .then_some(args.etcd_compaction_interval),
                ..storage::EtcdConfig::default()
            };
            Ok(Arc::new(storage::EtcdStore::connect(config).await?))
        }
    }
}

/// Wraps the API router with authentication, then metrics (outermost, so
/// 401s are counted too).
pub fn wrap(app: Router, authenticator: auth::Authenticator, metrics: Metrics) -> Router {
    app.layer(axum::middleware::from_fn_with_state(
        authenticator,
        auth::authenticate,
    ))
    .layer(axum::middleware::from_fn_with_state(
        metrics,
        metrics::track,
    ))
}

/// Starts the API server (and for [`Role::Up`] prepares the in-process
/// components' identities), waits until it is ready, writes the kubeconfig.
pub async fn start(args: &ServerArgs, role: Role) -> Result<Running, StartError> {
    args.validate().map_err(StartError::Flags)?;
    prepare_data_dir(&args.data_dir)?;
    let kubeconfig = args.data_dir.join(KUBECONFIG_FILE);
    // Its appearance means "ready": remove the one from a previous run.
    match std::fs::remove_file(&kubeconfig) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(source) => {
            return Err(StartError::DataDir {
                path: kubeconfig,
                source,
            });
        }
    }

    let mut sans = args.tls_san.clone();
    if !args.bind_address.is_unspecified() {
        sans.push(args.bind_address.to_string());
    }
    let pki = tls::ensure_pki(&args.data_dir.join(PKI_DIR), &sans)?;
    let server_config = Arc::new(pki.server_config()?);
    let mut tokens = TokenFile::load_or_create(&args.data_dir.join(TOKENS_FILE))?;

    let bind = SocketAddr::new(args.bind_address, args.port);
    let listener = tokio::net::TcpListener::bind(bind)
        .await
        .map_err(|source| {
            let hint = match source.kind() {
                std::io::ErrorKind::AddrInUse => {
                    " (the port is in use: is another rkube or API server running? pick another with --port)"
                }
                std::io::ErrorKind::AddrNotAvailable => {
                    " (--bind-address is not an address of this machine)"
                }
                std::io::ErrorKind::PermissionDenied => {
                    " (ports below 1024 need privileges: pick another with --port)"
                }
                _ => "",
            };
            StartError::Bind {
                addr: bind,
                source,
                hint,
            }
        })?;
    let local = listener.local_addr().map_err(|source| StartError::Bind {
        addr: bind,
        source,
        hint: "",
    })?;

    let store = open_store(args).await?;
    let metrics = Metrics::new();
    let registry = api_types::kinds::builtin_registry();
    let config = apiserver::ApiServerConfig {
        advertise: Some(SocketAddr::new(local_address(local.ip()), local.port())),
        ..apiserver::ApiServerConfig::default()
    };
    let state = apiserver::AppState::new(store, registry, config, metrics.clone()).await?;
    let app = wrap(apiserver::router(state), tokens.authenticator(), metrics);

    let (stop, stop_rx) = oneshot::channel::<()>();
    let server = tokio::spawn(tls::serve_tls(listener, app, server_config, async {
        let _ = stop_rx.await;
    }));
    let mut running = Running {
        addr: local,
        kubeconfig: kubeconfig.clone(),
        stop: Some(stop),
        server,
        controllers: None,
    };

    let client_addr = SocketAddr::new(local_address(local.ip()), local.port());
    if let Err(e) = probe::wait_ready(client_addr, pki.ca_pem(), READY_TIMEOUT).await {
        let _ = running.shutdown().await;
        return Err(e.into());
    }
    tracing::info!(addr = %local, "API server ready");
    let url = server_url(client_addr);

    if role == Role::Up {
        // In-process components each get their own identity and kubeconfig
        // (as in k3s). The controller manager (issue 4) starts here with
        // `controller-manager.kubeconfig`; the scheduler and node agent follow.
        let token = tokens.ensure_identity(auth::CONTROLLER_MANAGER_USER, &[])?;
        let cm_kubeconfig = args.data_dir.join(CONTROLLER_MANAGER_KUBECONFIG_FILE);
        tls::write_kubeconfig(
            &cm_kubeconfig,
            &url,
            pki.ca_pem(),
            auth::CONTROLLER_MANAGER_USER,
            &token,
        )?;
        match crate::controller_manager::InProcess::start(&cm_kubeconfig, &args.controllers) {
            Ok(cm) => running.controllers = Some(cm),
            Err(e) => {
                let _ = running.shutdown().await;
                return Err(StartError::Flags(e.to_string()));
            }
        }
    }

    let admin_token = tokens.ensure_identity(auth::ADMIN_USER, &[auth::MASTERS_GROUP])?;
    tls::write_kubeconfig(
        &kubeconfig,
        &url,
        pki.ca_pem(),
        auth::ADMIN_USER,
        &admin_token,
    )?;
    Ok(running)
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[test]
    fn local_address_for_wildcards() {
        assert_eq!(
            local_address("0.0.0.0".parse().unwrap()).to_string(),
            "127.0.0.1"
        );
        assert_eq!(local_address("::".parse().unwrap()).to_string(), "::1");
        assert_eq!(
            local_address("127.0.0.2".parse().unwrap()).to_string(),
            "127.0.0.2"
        );
        assert_eq!(
            server_url("[::1]:6443".parse().unwrap()),
            "https://[::1]:6443"
        );
    }

    fn temp_data_dir(tag: &str) -> PathBuf {
        std::env::temp_dir().join(format!("rkube-{tag}-{}", std::process::id()))
    }

    #[tokio::test]
    async fn busy_port_is_reported_clearly() {
        let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = taken.local_addr().unwrap().port();
        let dir = temp_data_dir("busy-port");
        let cli = crate::cli::Cli::try_parse_from([
            "rkube",
            "apiserver",
            "--data-dir",
            dir.to_str().unwrap(),
            "--port",
            &port.to_string(),
        ])
        .unwrap();
        let crate::cli::Command::Apiserver(args) = cli.command else {
            panic!("not apiserver")
        };
        let err = start(&args, Role::ApiServer).await.unwrap_err();
        let msg = err.to_string();
        assert!(matches!(err, StartError::Bind { .. }), "{msg}");
        assert!(
            msg.contains(&port.to_string()) && msg.contains("in use"),
            "{msg}"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn data_dir_errors_name_the_directory() {
        let file = std::env::temp_dir().join(format!("rkube-not-a-dir-{}", std::process::id()));
        std::fs::write(&file, b"x").unwrap();
        let err = prepare_data_dir(&file.join("sub")).unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains("data directory"), "{msg}");
        assert!(msg.contains("rkube-not-a-dir"), "{msg}");
        std::fs::remove_file(&file).unwrap();
    }
}
