//! The HTTP client: one shared hyper connection pool over rustls (HTTP/2 via ALPN, HTTP/1.1
//! fallback, plain `http://` too), bearer-token authentication and `Status` error mapping.

use std::collections::VecDeque;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, SystemTime};

use bytes::Bytes;
use futures::StreamExt as _;
use futures::stream::BoxStream;
use http::header::{ACCEPT, AUTHORIZATION, HeaderValue, USER_AGENT};
use http_body_util::{BodyExt as _, Full};
use hyper::body::Incoming;
use hyper_util::client::legacy::{self, connect::HttpConnector};
use hyper_util::rt::{TokioExecutor, TokioTimer};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Status;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use serde::de::DeserializeOwned;

use crate::config::{Config, ConfigError, read_token};
use crate::error::{Error, Result, snippet};
use crate::watch::{LineDecoder, WatchEvent};

type Connector = hyper_rustls::HttpsConnector<HttpConnector>;

/// A handle to an API server. Cheap to clone: clones share one connection pool (one HTTP/2
/// connection multiplexes all requests, watches included).
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    http: legacy::Client<Connector, Full<Bytes>>,
    base: http::Uri,
    auth: Auth,
    default_namespace: String,
    request_timeout: Option<Duration>,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("base", &self.inner.base)
            .field("default_namespace", &self.inner.default_namespace)
            .finish_non_exhaustive()
    }
}

impl TryFrom<Config> for Client {
    type Error = Error;

    fn try_from(config: Config) -> Result<Self> {
        Client::try_from_config(config)
    }
}

impl Client {
    /// A client for `config`. Needs no runtime to build, a Tokio runtime to use.
    pub fn try_from_config(config: Config) -> Result<Self> {
        let tls = tls_config(&config)?;
        let mut http = HttpConnector::new();
        http.enforce_http(false);
        http.set_nodelay(true);
        // Detects dead peers under long HTTP/1.1 watches (HTTP/2 has its own pings).
        http.set_keepalive(Some(Duration::from_secs(30)));
        http.set_connect_timeout(config.connect_timeout);
        let builder = hyper_rustls::HttpsConnectorBuilder::new()
            .with_tls_config(tls)
            .https_or_http();
        let builder = match &config.tls_server_name {
            Some(name) => {
                let server_name = ServerName::try_from(name.clone())
                    .map_err(|_| ConfigError::InvalidServer(name.clone()))?;
                builder.with_server_name_resolver(hyper_rustls::FixedServerNameResolver::new(
                    server_name,
                ))
            }
            None => builder,
        };
        let connector = builder.enable_all_versions().wrap_connector(http);
        let client = legacy::Client::builder(TokioExecutor::new())
            .timer(TokioTimer::new())
            .pool_timer(TokioTimer::new())
            .pool_idle_timeout(Duration::from_secs(90))
            .http2_keep_alive_interval(Duration::from_secs(30))
            .http2_keep_alive_timeout(Duration::from_secs(20))
            .build(connector);
        let auth = match (&config.token_file, &config.token) {
            (Some(path), _) => Auth::File(TokenFile {
                path: path.clone(),
                cached: Mutex::new(None),
            }),
            (None, Some(t)) => Auth::Static(bearer(t)?),
            (None, None) => Auth::None,
        };
        Ok(Client {
            inner: Arc::new(Inner {
                http: client,
                base: config.cluster_url,
                auth,
                default_namespace: config.default_namespace,
                request_timeout: config.request_timeout,
            }),
        })
    }

    /// A client from [`Config::infer`] (kubeconfig, then in-cluster).
    pub async fn try_default() -> Result<Self> {
        Self::try_from_config(Config::infer()?)
    }

    /// The namespace of the configuration's context.
    pub fn default_namespace(&self) -> &str {
        &self.inner.default_namespace
    }

    /// The API server's base URL.
    pub fn cluster_url(&self) -> &http::Uri {
        &self.inner.base
    }

    fn prepare(&self, req: http::Request<Vec<u8>>) -> Result<http::Request<Full<Bytes>>> {
        let (mut parts, body) = req.into_parts();
        parts.uri = join_uri(&self.inner.base, &parts.uri)?;
        if !parts.headers.contains_key(AUTHORIZATION)
            && let Some(auth) = self.inner.auth.header()?
        {
            parts.headers.insert(AUTHORIZATION, auth);
        }
        parts
            .headers
            .entry(ACCEPT)
            .or_insert(HeaderValue::from_static("application/json"));
        parts
            .headers
            .entry(USER_AGENT)
            .or_insert(HeaderValue::from_static(concat!(
                "rkube-client/",
                env!("CARGO_PKG_VERSION")
            )));
        Ok(http::Request::from_parts(
            parts,
            Full::new(Bytes::from(body)),
        ))
    }

    async fn send(&self, req: http::Request<Vec<u8>>) -> Result<http::Response<Incoming>> {
        let req = self.prepare(req)?;
        tracing::trace!(method = %req.method(), uri = %req.uri(), "request");
        self.inner.http.request(req).await.map_err(Error::Transport)
    }

    async fn request_inner(&self, req: http::Request<Vec<u8>>) -> Result<Bytes> {
        let resp = self.send(req).await?;
        let status = resp.status();
        let body = resp
            .into_body()
            .collect()
            .await
            .map_err(Error::Body)?
            .to_bytes();
        if status.is_success() {
            Ok(body)
        } else {
            Err(error_from_response(status, &body))
        }
    }

    /// Sends `req` (whose URI is a path and query, relative to the cluster URL) and returns
    /// the body of a 2xx answer; any other answer becomes [`Error::Api`] (or
    /// [`Error::HttpStatus`] when the body is not a `Status`). Bounded by the request timeout.
    pub async fn request(&self, req: http::Request<Vec<u8>>) -> Result<Bytes> {
        match self.inner.request_timeout {
            Some(t) => tokio::time::timeout(t, self.request_inner(req))
                .await
                .map_err(|_| Error::Timeout(t))?,
            None => self.request_inner(req).await,
        }
    }

    /// [`Client::request`], then decodes the JSON body as `T`.
    pub async fn request_json<T: DeserializeOwned>(
        &self,
        req: http::Request<Vec<u8>>,
    ) -> Result<T> {
        let body = self.request(req).await?;
        decode(&body)
    }

    /// Sends `req` and returns the body of a 2xx answer as a stream of lines (without the
    /// newline, blank lines skipped), however the server chunks it. No timeout applies once
    /// the answer's head has arrived: this is what watches use.
    pub async fn request_stream(
        &self,
        req: http::Request<Vec<u8>>,
    ) -> Result<BoxStream<'static, Result<Bytes>>> {
        let head = self.send(req);
        let resp = match self.inner.request_timeout {
            Some(t) => tokio::time::timeout(t, head)
                .await
                .map_err(|_| Error::Timeout(t))??,
            None => head.await?,
        };
        let status = resp.status();
        if !status.is_success() {
            let body = resp
                .into_body()
                .collect()
                .await
                .map_err(Error::Body)?
                .to_bytes();
            return Err(error_from_response(status, &body));
        }
        Ok(lines(resp.into_body()))
    }

    /// [`Client::request_stream`], decoding each line as a [`WatchEvent`].
    pub async fn request_events<K>(
        &self,
        req: http::Request<Vec<u8>>,
    ) -> Result<BoxStream<'static, Result<WatchEvent<K>>>>
    where
        K: DeserializeOwned + Send + 'static,
    {
        let lines = self.request_stream(req).await?;
        Ok(lines
            .map(|line| {
                let line = line?;
                WatchEvent::from_line(&line).map_err(|source| Error::Decode {
                    source,
                    snippet: snippet(&line),
                })
            })
            .boxed())
    }

    /// `GET /version`.
    pub async fn apiserver_version(&self) -> Result<k8s_openapi::apimachinery::pkg::version::Info> {
        let req = http::Request::get("/version")
            .body(Vec::new())
            .map_err(crate::request::RequestError::from)?;
        self.request_json(req).await
    }
}

/// How requests authenticate.
enum Auth {
    None,
    Static(HeaderValue),
    File(TokenFile),
}

/// A token file, re-read whenever its size or modification time changes.
struct TokenFile {
    path: PathBuf,
    cached: Mutex<Option<(FileStamp, HeaderValue)>>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
struct FileStamp {
    modified: Option<SystemTime>,
    len: u64,
}

impl Auth {
    fn header(&self) -> Result<Option<HeaderValue>> {
        match self {
            Auth::None => Ok(None),
            Auth::Static(v) => Ok(Some(v.clone())),
            Auth::File(f) => f.header().map(Some),
        }
    }
}

impl TokenFile {
    fn header(&self) -> Result<HeaderValue> {
        let mut cached = self.cached.lock().unwrap_or_else(PoisonError::into_inner);
        let stamp = std::fs::metadata(&self.path).map(|m| FileStamp {
            modified: m.modified().ok(),
            len: m.len(),
        });
        if let (Ok(stamp), Some((seen, value))) = (&stamp, cached.as_ref())
            && stamp == seen
        {
            return Ok(value.clone());
        }
        let fresh = stamp
            .map_err(|source| ConfigError::Read {
                path: self.path.clone(),
                source,
            })
            .and_then(|stamp| Ok((stamp, bearer(&read_token(&self.path)?)?)));
        match fresh {
            Ok((stamp, value)) => {
                *cached = Some((stamp, value.clone()));
                Ok(value)
            }
            // Keep using the last good token while the file is being replaced.
            Err(e) => match cached.as_ref() {
                Some((_, value)) => {
                    tracing::warn!(path = %self.path.display(), error = %e, "cannot re-read token file");
                    Ok(value.clone())
                }
                None => Err(e.into()),
            },
        }
    }
}

fn bearer(token: &str) -> Result<HeaderValue, ConfigError> {
    let mut v =
        HeaderValue::from_str(&format!("Bearer {token}")).map_err(|_| ConfigError::InvalidToken)?;
    v.set_sensitive(true);
    Ok(v)
}

struct LineState {
    body: Incoming,
    decoder: LineDecoder,
    pending: VecDeque<Bytes>,
    done: bool,
}

fn lines(body: Incoming) -> BoxStream<'static, Result<Bytes>> {
    let state = LineState {
        body,
        decoder: LineDecoder::new(),
        pending: VecDeque::new(),
        done: false,
    };
    futures::stream::unfold(state, |mut st| async move {
        loop {
            if let Some(line) = st.pending.pop_front() {
                return Some((Ok(line), st));
            }
            if st.done {
                return None;
            }
            match st.body.frame().await {
                Some(Ok(frame)) => {
                    if let Ok(data) = frame.into_data() {
                        st.pending.extend(st.decoder.push(&data));
                    }
                }
                Some(Err(e)) => {
                    st.done = true;
                    return Some((Err(Error::Body(e)), st));
                }
                None => {
                    st.done = true;
                    st.pending.extend(st.decoder.finish());
                }
            }
        }
    })
    .boxed()
}

/// Decodes a JSON body, with a snippet of it in the error.
pub(crate) fn decode<T: DeserializeOwned>(body: &[u8]) -> Result<T> {
    serde_json::from_slice(body).map_err(|source| Error::Decode {
        source,
        snippet: snippet(body),
    })
}

/// The error for a non-2xx answer: its `Status` when the body is one.
fn error_from_response(status: http::StatusCode, body: &[u8]) -> Error {
    match serde_json::from_slice::<Status>(body) {
        Ok(mut s) if s.code.is_some() || s.reason.is_some() || s.status.is_some() => {
            if s.code.is_none() {
                s.code = Some(i32::from(status.as_u16()));
            }
            Error::Api(Box::new(s))
        }
        _ => Error::HttpStatus {
            status,
            body: snippet(body),
        },
    }
}

/// `base` (scheme, authority, optional path prefix) + `rel` (path and query).
fn join_uri(base: &http::Uri, rel: &http::Uri) -> Result<http::Uri> {
    let prefix = base.path().trim_end_matches('/');
    let pq = rel.path_and_query().map_or("/", |pq| pq.as_str());
    let mut parts = base.clone().into_parts();
    parts.path_and_query = Some(
        format!("{prefix}{pq}")
            .parse()
            .map_err(|e: http::uri::InvalidUri| crate::request::RequestError::Http(e.into()))?,
    );
    http::Uri::from_parts(parts)
        .map_err(|e| Error::Request(crate::request::RequestError::Http(e.into())))
}

fn tls_config(config: &Config) -> Result<rustls::ClientConfig, ConfigError> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = rustls::ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()?;
    let builder = if config.accept_invalid_certs {
        builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(AcceptAnyCert(provider)))
    } else {
        let mut roots = rustls::RootCertStore::empty();
        if config.root_certs.is_empty() {
            roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
        } else {
            for der in &config.root_certs {
                roots.add(CertificateDer::from(der.clone()))?;
            }
        }
        builder.with_root_certificates(roots)
    };
    Ok(match &config.client_identity {
        Some(id) => {
            let certs = rustls_pemfile::certs(&mut &id.cert_pem[..])
                .collect::<Result<Vec<_>, _>>()
                .map_err(|_| ConfigError::Pem("client certificate"))?;
            let key = rustls_pemfile::private_key(&mut &id.key_pem[..])
                .map_err(|_| ConfigError::Pem("client key"))?
                .ok_or(ConfigError::Pem("client key"))?;
            builder.with_client_auth_cert(certs, key)?
        }
        None => builder.with_no_client_auth(),
    })
}

/// `insecure-skip-tls-verify`: accepts any server certificate, still checks handshake signatures.
#[derive(Debug)]
struct AcceptAnyCert(Arc<rustls::crypto::CryptoProvider>);

impl rustls::client::danger::ServerCertVerifier for AcceptAnyCert {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<rustls::client::danger::ServerCertVerified, rustls::Error> {
        Ok(rustls::client::danger::ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &rustls::DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &rustls::DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<rustls::SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn join_keeps_base_prefix() {
        let base: http::Uri = "https://h:6443/k8s/clusters/c1".parse().unwrap();
        let rel: http::Uri = "/api/v1/pods?limit=1".parse().unwrap();
        assert_eq!(
            join_uri(&base, &rel).unwrap(),
            "https://h:6443/k8s/clusters/c1/api/v1/pods?limit=1"
        );
        let base: http::Uri = "http://h:8080".parse().unwrap();
        assert_eq!(
            join_uri(&base, &rel).unwrap(),
            "http://h:8080/api/v1/pods?limit=1"
        );
    }

    #[test]
    fn error_mapping() {
        let body = br#"{"kind":"Status","apiVersion":"v1","status":"Failure","message":"pods \"x\" not found","reason":"NotFound","details":{"name":"x","kind":"pods"},"code":404}"#;
        let e = error_from_response(http::StatusCode::NOT_FOUND, body);
        assert!(e.is_not_found());
        assert_eq!(
            e.status()
                .unwrap()
                .details
                .as_ref()
                .unwrap()
                .name
                .as_deref(),
            Some("x")
        );
        let e = error_from_response(http::StatusCode::BAD_GATEWAY, b"<html>oops</html>");
        assert!(matches!(e, Error::HttpStatus { status, .. } if status == 502));
        let e = error_from_response(
            http::StatusCode::CONFLICT,
            br#"{"kind":"Status","reason":"Conflict"}"#,
        );
        assert!(e.is_conflict());
        assert_eq!(e.code(), Some(409));
    }
}
