//! HTTPS for the API server: the cluster's PKI, the rustls server
//! configuration, the TLS accept loop and the kubeconfig written for users.
//!
//! [`ensure_pki`] generates, on first start, a CA and a serving certificate
//! signed by it into a directory (PEM files, keys mode 0600) and reuses them on
//! later starts; the serving certificate is re-issued by the same CA when the
//! wanted subject alternative names change or it nears expiry, so kubeconfigs
//! holding the CA stay valid. [`serve_tls`] accepts TLS connections and serves
//! an axum [`Router`] over HTTP/1.1 and HTTP/2 (ALPN), with graceful shutdown:
//! it stops accepting, ends long-running responses (watches, followed logs),
//! and gives in-flight requests a bounded time to finish.

use std::future::Future;
use std::io::Write;
use std::net::SocketAddr;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::{ConnectInfo, Request, State};
use axum::middleware::Next;
use axum::response::Response;
use base64::Engine;
use bytes::Bytes;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto;
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa,
    Issuer, KeyPair, KeyUsagePurpose, SerialNumber,
};
use rustls::ServerConfig;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use tokio::net::TcpListener;
use tokio_util::sync::{CancellationToken, WaitForCancellationFutureOwned};
use tower::ServiceExt;

/// File name of the CA certificate inside the PKI directory.
pub const CA_CERT_FILE: &str = "ca.crt";
/// File name of the CA private key inside the PKI directory.
pub const CA_KEY_FILE: &str = "ca.key";
/// File name of the serving certificate inside the PKI directory.
pub const SERVER_CERT_FILE: &str = "apiserver.crt";
/// File name of the serving certificate's private key.
pub const SERVER_KEY_FILE: &str = "apiserver.key";
/// Records the serving certificate's SANs and expiry, to know when to re-issue.
const SERVER_META_FILE: &str = "apiserver.meta";

/// The CA's subject common name.
const CA_COMMON_NAME: &str = "rkube-ca";
/// Validity of the CA, in years.
const CA_YEARS: i16 = 10;
/// Validity of the serving certificate, in years.
const SERVER_YEARS: i16 = 1;
/// A serving certificate this close to expiry is re-issued on start.
const RENEW_BEFORE_DAYS: i64 = 30;

/// How long a TLS handshake may take before the connection is dropped.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);
/// Default bound on how long in-flight requests may run after shutdown starts.
pub const DEFAULT_SHUTDOWN_GRACE: Duration = Duration::from_secs(10);

/// Subject alternative names every serving certificate carries (besides the
/// host name and the caller's extras).
pub const DEFAULT_SANS: &[&str] = &[
    "localhost",
    "127.0.0.1",
    "::1",
    "10.96.0.1",
    "kubernetes",
    "kubernetes.default",
    "kubernetes.default.svc",
];

/// Errors from the PKI, the TLS server and the kubeconfig writer.
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    /// Reading or writing a file failed.
    #[error("{op} {path}: {source}")]
    Io {
        /// What was being done (`read`, `write`, `create directory`, ...).
        op: &'static str,
        /// The file concerned.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// Generating or parsing a key or certificate failed.
    #[error("certificate generation: {0}")]
    Generate(#[from] rcgen::Error),
    /// A stored PEM file could not be parsed.
    #[error("invalid PEM in {path}: {message}")]
    Pem {
        /// The file concerned.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// rustls refused the configuration (e.g. a key that does not match).
    #[error("TLS configuration: {0}")]
    Rustls(#[from] rustls::Error),
    /// A subject alternative name is not a valid DNS name or IP address.
    #[error("invalid subject alternative name {0:?}")]
    InvalidSan(String),
}

fn io_err<'a>(op: &'static str, path: &'a Path) -> impl FnOnce(std::io::Error) -> TlsError + 'a {
    move |source| TlsError::Io {
        op,
        path: path.to_path_buf(),
        source,
    }
}

/// The cluster's CA and the API server's serving certificate, as PEM.
#[derive(Clone)]
pub struct Pki {
    dir: PathBuf,
    ca_cert_pem: String,
    server_cert_pem: String,
    server_key_pem: String,
    sans: Vec<String>,
}

impl std::fmt::Debug for Pki {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pki")
            .field("dir", &self.dir)
            .field("sans", &self.sans)
            .finish_non_exhaustive()
    }
}

impl Pki {
    /// The directory holding the PEM files.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The CA certificate, PEM-encoded (what clients trust).
    pub fn ca_pem(&self) -> &str {
        &self.ca_cert_pem
    }

    /// The serving certificate, PEM-encoded.
    pub fn server_cert_pem(&self) -> &str {
        &self.server_cert_pem
    }

    /// The subject alternative names of the serving certificate.
    pub fn sans(&self) -> &[String] {
        &self.sans
    }

    /// A rustls server configuration (ring provider, TLS 1.2 and 1.3, ALPN
    /// `h2` then `http/1.1`) presenting the serving certificate.
    pub fn server_config(&self) -> Result<ServerConfig, TlsError> {
        let cert_path = self.dir.join(SERVER_CERT_FILE);
        let key_path = self.dir.join(SERVER_KEY_FILE);
        let cert =
            CertificateDer::from_pem_slice(self.server_cert_pem.as_bytes()).map_err(|e| {
                TlsError::Pem {
                    path: cert_path,
                    message: e.to_string(),
                }
            })?;
        let key = PrivateKeyDer::from_pem_slice(self.server_key_pem.as_bytes()).map_err(|e| {
            TlsError::Pem {
                path: key_path,
                message: e.to_string(),
            }
        })?;
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let mut config = ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()?
            .with_no_client_auth()
            .with_single_cert(vec![cert], key)?;
        config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
        Ok(config)
    }
}

/// The SANs a serving certificate gets: [`DEFAULT_SANS`], the host name (if it
/// is a valid DNS name) and `extra_sans`, without duplicates, in that order.
pub fn wanted_sans(extra_sans: &[String]) -> Vec<String> {
    let mut sans: Vec<String> = DEFAULT_SANS.iter().map(|s| s.to_string()).collect();
    if let Some(host) = host_name() {
        sans.push(host);
    }
    sans.extend(extra_sans.iter().map(|s| s.trim().to_string()));
    let mut seen = std::collections::HashSet::new();
    sans.retain(|s| !s.is_empty() && seen.insert(s.clone()));
    sans
}

fn host_name() -> Option<String> {
    let raw = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .or_else(|_| std::fs::read_to_string("/etc/hostname"))
        .ok()?;
    let host = raw.trim().to_ascii_lowercase();
    is_dns_name(&host).then_some(host)
}

/// Whether `name` is a DNS name a certificate can carry (optionally `*.`-prefixed).
fn is_dns_name(name: &str) -> bool {
    let name = name.strip_prefix("*.").unwrap_or(name);
    !name.is_empty()
        && name.len() <= 253
        && name.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-')
                && !label.starts_with('-')
                && !label.ends_with('-')
        })
}

/// Generates the CA and serving certificate into `dir` on first start, or
/// loads them. The serving certificate is re-issued (by the same CA) when the
/// wanted SANs differ from the stored ones or it expires within 30 days.
pub fn ensure_pki(dir: &Path, extra_sans: &[String]) -> Result<Pki, TlsError> {
    std::fs::create_dir_all(dir).map_err(io_err("create directory", dir))?;
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))
        .map_err(io_err("set permissions of", dir))?;
    let sans = wanted_sans(extra_sans);
    if let Some(bad) = sans
        .iter()
        .find(|s| s.parse::<std::net::IpAddr>().is_err() && !is_dns_name(s))
    {
        return Err(TlsError::InvalidSan(bad.clone()));
    }

    let today = jiff::Timestamp::now()
        .to_zoned(jiff::tz::TimeZone::UTC)
        .date();

    let ca_cert_path = dir.join(CA_CERT_FILE);
    let ca_key_path = dir.join(CA_KEY_FILE);
    let (ca_cert_pem, ca_key) = if ca_cert_path.exists() && ca_key_path.exists() {
        let cert = read_string(&ca_cert_path)?;
        CertificateDer::from_pem_slice(cert.as_bytes()).map_err(|e| TlsError::Pem {
            path: ca_cert_path.clone(),
            message: e.to_string(),
        })?;
        let key_pem = read_string(&ca_key_path)?;
        let key = KeyPair::from_pem(&key_pem).map_err(|e| TlsError::Pem {
            path: ca_key_path.clone(),
            message: e.to_string(),
        })?;
        (cert, key)
    } else {
        let key = KeyPair::generate()?;
        let mut params = ca_params();
        set_validity(
            &mut params,
            today.yesterday().unwrap_or(today),
            add_years(today, CA_YEARS),
        );
        params.serial_number = Some(random_serial());
        let cert = params.self_signed(&key)?;
        write_atomic(&ca_key_path, key.serialize_pem().as_bytes(), 0o600)?;
        write_atomic(&ca_cert_path, cert.pem().as_bytes(), 0o644)?;
        // A new CA invalidates any serving certificate left from before.
        let _ = std::fs::remove_file(dir.join(SERVER_META_FILE));
        (cert.pem(), key)
    };

    let cert_path = dir.join(SERVER_CERT_FILE);
    let key_path = dir.join(SERVER_KEY_FILE);
    let meta_path = dir.join(SERVER_META_FILE);
    let stored = if cert_path.exists() && key_path.exists() && meta_path.exists() {
        let meta = read_string(&meta_path)?;
        ServerMeta::parse(&meta)
    } else {
        None
    };
    let reusable = stored.as_ref().is_some_and(|meta| {
        meta.sans == sans
            && today
                .checked_add(jiff::Span::new().days(RENEW_BEFORE_DAYS))
                .is_ok_and(|limit| limit < meta.not_after)
    });

    let (server_cert_pem, server_key_pem) = if reusable {
        (read_string(&cert_path)?, read_string(&key_path)?)
    } else {
        let issuer = Issuer::new(ca_params(), ca_key);
        let key = KeyPair::generate()?;
        let mut params = CertificateParams::new(sans.clone())?;
        let mut dn = DistinguishedName::new();
        dn.push(DnType::CommonName, "kube-apiserver");
        params.distinguished_name = dn;
        params.is_ca = IsCa::ExplicitNoCa;
        params.key_usages = vec![
            KeyUsagePurpose::DigitalSignature,
            KeyUsagePurpose::KeyEncipherment,
        ];
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        params.use_authority_key_identifier_extension = true;
        let not_after = add_years(today, SERVER_YEARS);
        set_validity(&mut params, today.yesterday().unwrap_or(today), not_after);
        params.serial_number = Some(random_serial());
        let cert = params.signed_by(&key, &issuer)?;
        let key_pem = key.serialize_pem();
        write_atomic(&key_path, key_pem.as_bytes(), 0o600)?;
        write_atomic(&cert_path, cert.pem().as_bytes(), 0o644)?;
        let meta = ServerMeta {
            sans: sans.clone(),
            not_after,
        };
        write_atomic(&meta_path, meta.render().as_bytes(), 0o644)?;
        (cert.pem(), key_pem)
    };

    Ok(Pki {
        dir: dir.to_path_buf(),
        ca_cert_pem,
        server_cert_pem,
        server_key_pem,
        sans,
    })
}

/// The CA's parameters. Deterministic (apart from validity and serial, which
/// an issuer does not use), so a stored CA key can sign again after a restart.
fn ca_params() -> CertificateParams {
    let mut params = CertificateParams::default();
    let mut dn = DistinguishedName::new();
    dn.push(DnType::CommonName, CA_COMMON_NAME);
    params.distinguished_name = dn;
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    params
}

fn random_serial() -> SerialNumber {
    let mut bytes = [0u8; 16];
    fill_random(&mut bytes);
    bytes[0] &= 0x7f; // positive
    bytes[0] |= 0x01; // no leading zero byte
    SerialNumber::from_slice(&bytes)
}

/// Fills `buf` from the system's secure random source.
pub(crate) fn fill_random(buf: &mut [u8]) {
    use ring::rand::SecureRandom;
    // SystemRandom reads getrandom(2); it fails only when the kernel has no
    // entropy source at all, where nothing secure can be done anyway.
    if ring::rand::SystemRandom::new().fill(buf).is_err() {
        panic!("the system random source failed");
    }
}

fn add_years(date: jiff::civil::Date, years: i16) -> jiff::civil::Date {
    date.checked_add(jiff::Span::new().years(years))
        .unwrap_or(jiff::civil::Date::MAX)
}

/// Makes `params` valid from the start of `from` to the start of `to` (UTC).
fn set_validity(params: &mut CertificateParams, from: jiff::civil::Date, to: jiff::civil::Date) {
    let ymd = |d: jiff::civil::Date| {
        // Month and day are always in 1..=12 and 1..=31.
        rcgen::date_time_ymd(i32::from(d.year()), d.month() as u8, d.day() as u8)
    };
    params.not_before = ymd(from);
    params.not_after = ymd(to);
}

/// What the serving certificate was issued for.
struct ServerMeta {
    sans: Vec<String>,
    not_after: jiff::civil::Date,
}

impl ServerMeta {
    fn render(&self) -> String {
        let mut out = format!("not-after {}\n", self.not_after);
        for san in &self.sans {
            out.push_str("san ");
            out.push_str(san);
            out.push('\n');
        }
        out
    }

    fn parse(text: &str) -> Option<ServerMeta> {
        let mut not_after = None;
        let mut sans = Vec::new();
        for line in text.lines() {
            if let Some(date) = line.strip_prefix("not-after ") {
                not_after = date.trim().parse().ok();
            } else if let Some(san) = line.strip_prefix("san ") {
                sans.push(san.trim().to_string());
            }
        }
        Some(ServerMeta {
            sans,
            not_after: not_after?,
        })
    }
}

fn read_string(path: &Path) -> Result<String, TlsError> {
    std::fs::read_to_string(path).map_err(io_err("read", path))
}

/// Writes `contents` to `path` atomically: a temporary file in the same
/// directory, created with `mode`, synced, then renamed over `path`.
pub(crate) fn write_atomic(path: &Path, contents: &[u8], mode: u32) -> Result<(), TlsError> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.tmp.{}", std::process::id()));
    let result = (|| {
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(mode)
            .open(&tmp)
            .map_err(io_err("create", &tmp))?;
        // The mode given to open() is filtered by the umask; set it exactly.
        file.set_permissions(std::fs::Permissions::from_mode(mode))
            .map_err(io_err("set permissions of", &tmp))?;
        file.write_all(contents).map_err(io_err("write", &tmp))?;
        file.sync_all().map_err(io_err("sync", &tmp))?;
        std::fs::rename(&tmp, path).map_err(io_err("rename into place", path))?;
        if let Ok(d) = std::fs::File::open(&dir) {
            let _ = d.sync_all();
        }
        Ok(())
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// Writes a kubeconfig (cluster, user and context all named `rkube`, the
/// user's entry named after `user`) with the CA inline as
/// `certificate-authority-data` and a bearer token; mode 0600, atomically.
pub fn write_kubeconfig(
    path: &Path,
    server_url: &str,
    ca_pem: &str,
    user: &str,
    token: &str,
) -> Result<(), TlsError> {
    write_atomic(
        path,
        render_kubeconfig(server_url, ca_pem, user, token).as_bytes(),
        0o600,
    )
}

/// The YAML text [`write_kubeconfig`] writes.
pub fn render_kubeconfig(server_url: &str, ca_pem: &str, user: &str, token: &str) -> String {
    let ca_data = base64::engine::general_purpose::STANDARD.encode(ca_pem.as_bytes());
    // JSON strings are valid YAML double-quoted scalars: quote every value.
    let q = |s: &str| serde_json::Value::from(s).to_string();
    format!(
        "apiVersion: v1\n\
         kind: Config\n\
         clusters:\n\
         - name: rkube\n  \
           cluster:\n    \
             server: {server}\n    \
             certificate-authority-data: {ca}\n\
         users:\n\
         - name: {user}\n  \
           user:\n    \
             token: {token}\n\
         contexts:\n\
         - name: rkube\n  \
           context:\n    \
             cluster: rkube\n    \
             user: {user}\n    \
             namespace: default\n\
         current-context: rkube\n\
         preferences: {{}}\n",
        server = q(server_url),
        ca = q(&ca_data),
        user = q(user),
        token = q(token),
    )
}

/// Serves `app` over TLS on `listener` until `shutdown` resolves, then shuts
/// down gracefully with [`DEFAULT_SHUTDOWN_GRACE`]. See [`serve_tls_with_grace`].
pub async fn serve_tls<F>(
    listener: TcpListener,
    app: Router,
    config: Arc<ServerConfig>,
    shutdown: F,
) -> Result<(), TlsError>
where
    F: Future<Output = ()> + Send,
{
    serve_tls_with_grace(listener, app, config, shutdown, DEFAULT_SHUTDOWN_GRACE).await
}

/// Serves `app` over TLS on `listener` (HTTP/1.1 and HTTP/2 by ALPN, with
/// upgrades) until `shutdown` resolves. Then it stops accepting, ends the
/// bodies of long-running responses (watches, followed logs) so their clients
/// see a clean end of stream, and waits at most `grace` for in-flight requests
/// before returning. Handlers can read the peer address as
/// `ConnectInfo<SocketAddr>`.
pub async fn serve_tls_with_grace<F>(
    listener: TcpListener,
    app: Router,
    config: Arc<ServerConfig>,
    shutdown: F,
    grace: Duration,
) -> Result<(), TlsError>
where
    F: Future<Output = ()> + Send,
{
    let acceptor = tokio_rustls::TlsAcceptor::from(config);
    let graceful = GracefulShutdown::new();
    let closing = CancellationToken::new();
    let app = app.layer(axum::middleware::from_fn_with_state(
        closing.clone(),
        end_long_running_on_shutdown,
    ));
    let builder = auto::Builder::new(TokioExecutor::new());
    let mut shutdown = std::pin::pin!(shutdown);

    loop {
        let (tcp, peer) = tokio::select! {
            () = &mut shutdown => break,
            accepted = listener.accept() => match accepted {
                Ok(pair) => pair,
                Err(e) => {
                    // EMFILE and friends: back off instead of spinning.
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
        };
        let _ = tcp.set_nodelay(true);
        let acceptor = acceptor.clone();
        let app = app.clone();
        let conn_builder = builder.clone();
        let watcher = graceful.watcher();
        tokio::spawn(async move {
            let tls = match tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(tcp)).await {
                Ok(Ok(tls)) => tls,
                Ok(Err(e)) => {
                    tracing::debug!(%peer, error = %e, "TLS handshake failed");
                    return;
                }
                Err(_) => {
                    tracing::debug!(%peer, "TLS handshake timed out");
                    return;
                }
            };
            let service = TowerToHyperService::new(app.map_request(move |mut req: Request<_>| {
                req.extensions_mut().insert(ConnectInfo::<SocketAddr>(peer));
                req
            }));
            let conn = conn_builder
                .serve_connection_with_upgrades(TokioIo::new(tls), service)
                .into_owned();
            if let Err(e) = watcher.watch(conn).await {
                tracing::debug!(%peer, error = %e, "connection ended with an error");
            }
        });
    }

    drop(listener);
    closing.cancel();
    tracing::info!(connections = graceful.count(), "shutting down HTTPS server");
    if tokio::time::timeout(grace, graceful.shutdown())
        .await
        .is_err()
    {
        tracing::warn!(?grace, "in-flight requests did not finish in time; closing");
    }
    Ok(())
}

/// Middleware: ends the body of a long-running response when the server
/// shuts down, so graceful shutdown does not wait on an endless watch.
async fn end_long_running_on_shutdown(
    State(closing): State<CancellationToken>,
    req: Request,
    next: Next,
) -> Response {
    let info = crate::metrics::classify(
        req.method(),
        req.uri().path(),
        req.uri().query().unwrap_or(""),
    );
    let long_running = info.is_long_running();
    let response = next.run(req).await;
    if !long_running {
        return response;
    }
    let (parts, body) = response.into_parts();
    let body = Body::new(EndOnCancel {
        inner: body,
        cancelled: Box::pin(closing.cancelled_owned()),
    });
    Response::from_parts(parts, body)
}

/// A body that ends (cleanly) as soon as a cancellation token fires.
struct EndOnCancel {
    inner: Body,
    cancelled: Pin<Box<WaitForCancellationFutureOwned>>,
}

impl http_body::Body for EndOnCancel {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Bytes>, axum::Error>>> {
        let this = self.get_mut();
        if this.cancelled.as_mut().poll(cx).is_ready() {
            return Poll::Ready(None);
        }
        Pin::new(&mut this.inner).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::routing::get;
    use http_body_util::BodyExt;
    use std::os::unix::fs::MetadataExt;

    #[test]
    fn pki_is_generated_then_reused() {
        let dir = tempdir();
        let pki = ensure_pki(&dir, &["rkube.example".to_string()]).unwrap();
        assert!(pki.ca_pem().starts_with("-----BEGIN CERTIFICATE-----"));
        assert!(pki.sans().iter().any(|s| s == "rkube.example"));
        assert!(pki.sans().iter().any(|s| s == "kubernetes.default.svc"));
        for key in [CA_KEY_FILE, SERVER_KEY_FILE] {
            let mode = std::fs::metadata(dir.join(key)).unwrap().mode() & 0o777;
            assert_eq!(mode, 0o600, "{key}");
        }
        pki.server_config().unwrap();

        let again = ensure_pki(&dir, &["rkube.example".to_string()]).unwrap();
        assert_eq!(again.ca_pem(), pki.ca_pem());
        assert_eq!(again.server_cert_pem(), pki.server_cert_pem());

        // New SANs: same CA, new serving certificate.
        let more = ensure_pki(&dir, &["other.example".to_string()]).unwrap();
        assert_eq!(more.ca_pem(), pki.ca_pem());
        assert_ne!(more.server_cert_pem(), pki.server_cert_pem());
        assert!(more.sans().iter().any(|s| s == "other.example"));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn invalid_san_is_refused() {
        let dir = tempdir();
        let err = ensure_pki(&dir, &["bad name!".to_string()]).unwrap_err();
        assert!(matches!(err, TlsError::InvalidSan(_)), "{err}");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn kubeconfig_is_private_and_complete() {
        let dir = tempdir();
        let path = dir.join("kubeconfig");
        write_kubeconfig(
            &path,
            "https://127.0.0.1:6443",
            "-----BEGIN CERTIFICATE-----\nabc\n",
            "admin",
            "tok",
        )
        .unwrap();
        let mode = std::fs::metadata(&path).unwrap().mode() & 0o777;
        assert_eq!(mode, 0o600);
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains("server: \"https://127.0.0.1:6443\""));
        assert!(text.contains("current-context: rkube"));
        assert!(text.contains("token: \"tok\""));
        let ca =
            base64::engine::general_purpose::STANDARD.encode("-----BEGIN CERTIFICATE-----\nabc\n");
        assert!(text.contains(&ca));
        // No temp file left behind.
        assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 1);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    fn tempdir() -> PathBuf {
        let mut bytes = [0u8; 8];
        fill_random(&mut bytes);
        let name: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
        let dir = std::env::temp_dir().join(format!("rkube-tls-test-{name}"));
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    fn client_config(ca_pem: &str, alpn: &[&[u8]]) -> rustls::ClientConfig {
        let mut roots = rustls::RootCertStore::empty();
        roots
            .add(CertificateDer::from_pem_slice(ca_pem.as_bytes()).unwrap())
            .unwrap();
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let mut config = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_root_certificates(roots)
            .with_no_client_auth();
        config.alpn_protocols = alpn.iter().map(|p| p.to_vec()).collect();
        config
    }

    async fn connect(
        addr: SocketAddr,
        ca_pem: &str,
        alpn: &[&[u8]],
        server_name: &str,
    ) -> tokio_rustls::client::TlsStream<tokio::net::TcpStream> {
        let connector = tokio_rustls::TlsConnector::from(Arc::new(client_config(ca_pem, alpn)));
        let tcp = tokio::net::TcpStream::connect(addr).await.unwrap();
        let name = rustls::pki_types::ServerName::try_from(server_name.to_string()).unwrap();
        connector.connect(name, tcp).await.unwrap()
    }

    #[tokio::test]
    async fn tls_round_trip_http1_and_http2_then_graceful_shutdown() {
        let dir = tempdir();
        let pki = ensure_pki(&dir, &[]).unwrap();
        let config = Arc::new(pki.server_config().unwrap());
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let app = Router::new().route("/hello", get(|| async { "hi" })).route(
            "/api/v1/pods",
            get(|| async {
                // An endless "watch" body.
                let stream = futures::stream::unfold((), |()| async {
                    tokio::time::sleep(Duration::from_millis(20)).await;
                    Some((Ok::<_, std::io::Error>(Bytes::from_static(b"{}\n")), ()))
                });
                Body::from_stream(stream)
            }),
        );
        let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
        let server = tokio::spawn(serve_tls(listener, app, config, async {
            let _ = stop_rx.await;
        }));

        // HTTP/1.1, verifying the certificate for the IP SAN and "localhost".
        for name in ["127.0.0.1", "localhost"] {
            let tls = connect(addr, pki.ca_pem(), &[b"http/1.1"], name).await;
            assert_eq!(tls.get_ref().1.alpn_protocol(), Some(&b"http/1.1"[..]));
            let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(tls))
                .await
                .unwrap();
            tokio::spawn(conn);
            let req = http::Request::get("/hello")
                .header("host", "localhost")
                .body(http_body_util::Empty::<Bytes>::new())
                .unwrap();
            let resp = sender.send_request(req).await.unwrap();
            assert_eq!(resp.status(), 200);
            let body = resp.into_body().collect().await.unwrap().to_bytes();
            assert_eq!(&body[..], b"hi");
        }

        // HTTP/2 by ALPN; then open a watch and shut down while it streams.
        let tls = connect(addr, pki.ca_pem(), &[b"h2", b"http/1.1"], "localhost").await;
        assert_eq!(tls.get_ref().1.alpn_protocol(), Some(&b"h2"[..]));
        let (mut sender, conn) =
            hyper::client::conn::http2::handshake(TokioExecutor::new(), TokioIo::new(tls))
                .await
                .unwrap();
        tokio::spawn(conn);
        let req = http::Request::get("https://localhost/hello")
            .body(http_body_util::Empty::<Bytes>::new())
            .unwrap();
        let resp = sender.send_request(req).await.unwrap();
        assert_eq!(resp.version(), http::Version::HTTP_2);
        let body = resp.into_body().collect().await.unwrap().to_bytes();
        assert_eq!(&body[..], b"hi");

        let req = http::Request::get("https://localhost/api/v1/pods?watch=1")
            .body(http_body_util::Empty::<Bytes>::new())
            .unwrap();
        let resp = sender.send_request(req).await.unwrap();
        let mut body = resp.into_body();
        let first = body.frame().await.unwrap().unwrap();
        assert_eq!(first.into_data().unwrap(), Bytes::from_static(b"{}\n"));

        stop_tx.send(()).unwrap();
        // The watch ends cleanly (no error), well before the grace bound.
        let drained = tokio::time::timeout(Duration::from_secs(5), async {
            while let Some(frame) = body.frame().await {
                frame.unwrap();
            }
        })
        .await;
        assert!(drained.is_ok(), "watch body did not end on shutdown");
        tokio::time::timeout(Duration::from_secs(5), server)
            .await
            .expect("server did not stop")
            .unwrap()
            .unwrap();
        // No longer accepting.
        assert!(tokio::net::TcpStream::connect(addr).await.is_err());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
