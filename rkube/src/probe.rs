//! A minimal HTTPS client for the API server's own endpoints: used to wait
//! until `/readyz` answers before the kubeconfig is written.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt, Empty};
use hyper_util::rt::TokioIo;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName};

/// Errors from a probe.
#[derive(Debug, thiserror::Error)]
pub enum ProbeError {
    /// The CA certificate could not be used.
    #[error("CA certificate: {0}")]
    Ca(String),
    /// Connecting, the TLS handshake or the HTTP exchange failed.
    #[error("{0}")]
    Transport(String),
    /// The server did not become ready in time.
    #[error("the API server at {addr} was not ready after {waited:?} (last: {last})")]
    NotReady {
        /// The address probed.
        addr: SocketAddr,
        /// How long we waited.
        waited: Duration,
        /// The last answer or error.
        last: String,
    },
}

/// A TLS client configuration trusting only `ca_pem`.
pub fn client_config(ca_pem: &str) -> Result<rustls::ClientConfig, ProbeError> {
    let mut roots = rustls::RootCertStore::empty();
    for cert in CertificateDer::pem_slice_iter(ca_pem.as_bytes()) {
        let cert = cert.map_err(|e| ProbeError::Ca(e.to_string()))?;
        roots.add(cert).map_err(|e| ProbeError::Ca(e.to_string()))?;
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| ProbeError::Ca(e.to_string()))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(config)
}

/// `GET path` over HTTPS/1.1 (certificate checked against the address's IP),
/// returning the status and body.
pub async fn get(
    addr: SocketAddr,
    config: Arc<rustls::ClientConfig>,
    path: &str,
    token: Option<&str>,
) -> Result<(http::StatusCode, Bytes), ProbeError> {
    let t = |e: &dyn std::fmt::Display| ProbeError::Transport(e.to_string());
    let tcp = tokio::net::TcpStream::connect(addr)
        .await
        .map_err(|e| t(&e))?;
    let connector = tokio_rustls::TlsConnector::from(config);
    let name = ServerName::IpAddress(addr.ip().into());
    let tls = connector.connect(name, tcp).await.map_err(|e| t(&e))?;
    let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(tls))
        .await
        .map_err(|e| t(&e))?;
    tokio::spawn(async move {
        let _ = conn.await;
    });
    let mut req = http::Request::get(path).header(http::header::HOST, addr.to_string());
    if let Some(token) = token {
        req = req.header(http::header::AUTHORIZATION, format!("Bearer {token}"));
    }
    let req = req.body(Empty::<Bytes>::new()).map_err(|e| t(&e))?;
    let resp = sender.send_request(req).await.map_err(|e| t(&e))?;
    let status = resp.status();
    let body = resp
        .into_body()
        .collect()
        .await
        .map_err(|e| t(&e))?
        .to_bytes();
    Ok((status, body))
}

/// Polls `GET /readyz` until it answers 200 or `timeout` passes.
pub async fn wait_ready(
    addr: SocketAddr,
    ca_pem: &str,
    timeout: Duration,
) -> Result<(), ProbeError> {
    let config = Arc::new(client_config(ca_pem)?);
    let started = Instant::now();
    loop {
        let last = match get(addr, config.clone(), "/readyz", None).await {
            Ok((status, _)) if status.is_success() => return Ok(()),
            Ok((status, body)) => format!("{status}: {}", String::from_utf8_lossy(&body)),
            Err(e) => e.to_string(),
        };
        if started.elapsed() >= timeout {
            return Err(ProbeError::NotReady {
                addr,
                waited: started.elapsed(),
                last,
            });
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
