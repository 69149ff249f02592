//! Where to connect and how to authenticate: kubeconfig files, in-cluster service accounts,
//! or a hand-built [`Config`].
//!
//! [`Config::infer`] reads the first existing file of `$KUBECONFIG` (a `:`-separated list),
//! then `~/.kube/config`, and falls back to the in-cluster service account.

use std::path::{Path, PathBuf};
use std::time::Duration;

use base64::Engine as _;
use serde::Deserialize;

/// Why a configuration could not be loaded.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// No kubeconfig file was found (none of `$KUBECONFIG` exists, nor `~/.kube/config`).
    #[error("no kubeconfig found (looked at {0})")]
    NoKubeconfig(String),
    /// Not running inside a cluster (no `KUBERNETES_SERVICE_HOST`).
    #[error("not in a cluster: KUBERNETES_SERVICE_HOST/KUBERNETES_SERVICE_PORT unset")]
    NotInCluster,
    /// A file named by the configuration could not be read.
    #[error("cannot read {}: {source}", .path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The kubeconfig is not valid YAML of the expected shape.
    #[error("cannot parse kubeconfig: {0}")]
    Parse(#[source] Box<serde_saphyr::Error>),
    /// No context was named and the kubeconfig has no `current-context`.
    #[error("kubeconfig has no current-context and none was requested")]
    NoCurrentContext,
    /// The named context does not exist.
    #[error("context {0:?} not found in kubeconfig")]
    ContextNotFound(String),
    /// The context names a cluster that does not exist.
    #[error("cluster {0:?} not found in kubeconfig")]
    ClusterNotFound(String),
    /// The context names a user that does not exist.
    #[error("user {0:?} not found in kubeconfig")]
    UserNotFound(String),
    /// The cluster's `server` is missing or not a valid `http(s)://` URL.
    #[error("invalid server URL {0:?}")]
    InvalidServer(String),
    /// A `*-data` field is not valid base64.
    #[error("invalid base64 in {0}")]
    Base64(&'static str),
    /// A certificate or key is not valid PEM, or holds nothing usable.
    #[error("invalid PEM in {0}")]
    Pem(&'static str),
    /// The bearer token cannot be sent in an HTTP header (control characters).
    #[error("bearer token contains characters not allowed in an HTTP header")]
    InvalidToken,
    /// Only one of a client certificate and its key was given.
    #[error("client certificate and client key must be given together")]
    IncompleteClientCert,
    /// The TLS configuration was refused by rustls.
    #[error("TLS configuration: {0}")]
    Tls(#[from] rustls::Error),
}

/// A kubeconfig file, as written by `kubectl config` (only the fields the client uses).
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(rename_all = "kebab-case")]
pub struct Kubeconfig {
    /// The context used when none is named.
    #[serde(default)]
    pub current_context: Option<String>,
    /// Named clusters.
    #[serde(default)]
    pub clusters: Vec<NamedCluster>,
    /// Named users (credentials).
    #[serde(default)]
    pub users: Vec<NamedUser>,
    /// Named contexts (cluster + user + namespace).
    #[serde(default)]
    pub contexts: Vec<NamedContext>,
    /// The directory of the file it was read from: relative paths inside resolve against it.
    #[serde(skip)]
    pub base_dir: Option<PathBuf>,
}

/// A named cluster entry.
#[derive(Clone, Debug, Deserialize, PartialEq)]
pub struct NamedCluster {
    /// Its name.
    pub name: String,
    /// The cluster.
    pub cluster: Cluster,
}

/// How to reach a cluster.
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(rename_all = "kebab-case")]
pub struct Cluster {
    /// The API server's URL.
    #[serde(default)]
    pub server: Option<String>,
    /// Base64 PEM of the CA bundle.
    #[serde(default)]
    pub certificate_authority_data: Option<String>,
    /// Path of a PEM CA bundle.
    #[serde(default)]
    pub certificate_authority: Option<String>,
    /// Skip server certificate verification.
    #[serde(default)]
    pub insecure_skip_tls_verify: bool,
    /// The name to verify the server's certificate against, instead of the URL's host.
    #[serde(default)]
    pub tls_server_name: Option<String>,
}

/// A named user entry.
#[derive(Clone, Debug, Deserialize, PartialEq)]
pub struct NamedUser {
    /// Its name.
    pub name: String,
    /// The credentials.
    #[serde(default)]
    pub user: AuthInfo,
}

/// A user's credentials.
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(rename_all = "kebab-case")]
pub struct AuthInfo {
    /// A bearer token.
    #[serde(default)]
    pub token: Option<String>,
    /// A file holding a bearer token (`tokenFile`, also accepted as `token-file`).
    #[serde(default, rename = "tokenFile", alias = "token-file")]
    pub token_file: Option<String>,
    /// Base64 PEM of a client certificate.
    #[serde(default)]
    pub client_certificate_data: Option<String>,
    /// Base64 PEM of the client certificate's key.
    #[serde(default)]
    pub client_key_data: Option<String>,
    /// Path of a PEM client certificate.
    #[serde(default)]
    pub client_certificate: Option<String>,
    /// Path of the PEM client key.
    #[serde(default)]
    pub client_key: Option<String>,
}

/// A named context entry.
#[derive(Clone, Debug, Deserialize, PartialEq)]
pub struct NamedContext {
    /// Its name.
    pub name: String,
    /// The context.
    pub context: Context,
}

/// A context: which cluster, as which user, in which namespace.
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
pub struct Context {
    /// The cluster's name.
    pub cluster: String,
    /// The user's name (may be absent for unauthenticated clusters).
    #[serde(default)]
    pub user: Option<String>,
    /// The default namespace (`default` when absent).
    #[serde(default)]
    pub namespace: Option<String>,
}

impl Kubeconfig {
    /// Parses kubeconfig YAML. Relative paths stay relative to the working directory.
    pub fn from_yaml(yaml: &str) -> Result<Self, ConfigError> {
        serde_saphyr::from_str(yaml).map_err(|e| ConfigError::Parse(Box::new(e)))
    }

    /// Reads and parses a kubeconfig file; relative paths inside resolve against its directory.
    pub fn read_from(path: impl AsRef<Path>) -> Result<Self, ConfigError> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_owned(),
            source,
        })?;
        let mut kc = Self::from_yaml(&text)?;
        kc.base_dir = path.parent().map(Path::to_owned);
        Ok(kc)
    }

    /// Reads the default kubeconfig: the first existing file of `$KUBECONFIG`, else `~/.kube/config`.
    pub fn read() -> Result<Self, ConfigError> {
        let path = default_kubeconfig_path(
            std::env::var_os("KUBECONFIG").as_deref(),
            std::env::var_os("HOME").as_deref(),
        )?;
        Self::read_from(path)
    }

    fn resolve(&self, p: &str) -> PathBuf {
        let p = Path::new(p);
        match &self.base_dir {
            Some(dir) if p.is_relative() => dir.join(p),
            _ => p.to_owned(),
        }
    }
}

/// Picks the kubeconfig file: the first existing entry of `kubeconfig_env` (`:`-separated),
/// else `$HOME/.kube/config` if it exists.
pub fn default_kubeconfig_path(
    kubeconfig_env: Option<&std::ffi::OsStr>,
    home: Option<&std::ffi::OsStr>,
) -> Result<PathBuf, ConfigError> {
    let mut looked = Vec::new();
    if let Some(list) = kubeconfig_env {
        for p in std::env::split_paths(list) {
            if p.as_os_str().is_empty() {
                continue;
            }
            if p.is_file() {
                return Ok(p);
            }
            looked.push(p.display().to_string());
        }
    }
    if let Some(home) = home {
        let p = Path::new(home).join(".kube").join("config");
        if p.is_file() {
            return Ok(p);
        }
        looked.push(p.display().to_string());
    }
    Err(ConfigError::NoKubeconfig(looked.join(", ")))
}

/// Which context (and optionally which cluster or user instead of the context's) to use.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct KubeConfigOptions {
    /// The context; `current-context` when `None`.
    pub context: Option<String>,
    /// Overrides the context's cluster.
    pub cluster: Option<String>,
    /// Overrides the context's user.
    pub user: Option<String>,
}

/// A client certificate and its private key, both PEM.
#[derive(Clone, PartialEq, Eq)]
pub struct ClientIdentity {
    /// The PEM certificate chain.
    pub cert_pem: Vec<u8>,
    /// The PEM private key.
    pub key_pem: Vec<u8>,
}

impl std::fmt::Debug for ClientIdentity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientIdentity").finish_non_exhaustive()
    }
}

/// Everything a [`crate::Client`] needs to reach and authenticate to an API server.
///
/// Build one with [`Config::new`] (or a loader) and adjust its public fields.
#[derive(Clone)]
#[non_exhaustive]
pub struct Config {
    /// The API server's base URL (`https://host:port` or `http://...`).
    pub cluster_url: http::Uri,
    /// The namespace [`crate::Api::default_namespaced`] uses.
    pub default_namespace: String,
    /// Trusted CA certificates (DER). When empty, the webpki (Mozilla) roots are trusted.
    pub root_certs: Vec<Vec<u8>>,
    /// Skip verification of the server's certificate (dangerous; tests and `insecure-skip-tls-verify`).
    pub accept_invalid_certs: bool,
    /// The name the server's certificate must carry, when not the URL's host.
    pub tls_server_name: Option<String>,
    /// The bearer token sent with every request.
    pub token: Option<String>,
    /// A file holding the bearer token; the client re-reads it when it changes (rotated
    /// service-account tokens). Takes precedence over `token`.
    pub token_file: Option<PathBuf>,
    /// A client certificate for mutual TLS.
    pub client_identity: Option<ClientIdentity>,
    /// TCP connect timeout (default 10 s).
    pub connect_timeout: Option<Duration>,
    /// Whole-request timeout for non-watch calls (default 60 s); watches have none.
    pub request_timeout: Option<Duration>,
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("cluster_url", &self.cluster_url)
            .field("default_namespace", &self.default_namespace)
            .field("root_certs", &self.root_certs.len())
            .field("accept_invalid_certs", &self.accept_invalid_certs)
            .field("tls_server_name", &self.tls_server_name)
            .field("token", &self.token.as_ref().map(|_| "<redacted>"))
            .field("token_file", &self.token_file)
            .field("client_identity", &self.client_identity)
            .field("connect_timeout", &self.connect_timeout)
            .field("request_timeout", &self.request_timeout)
            .finish()
    }
}

const SA_DIR: &str = "/var/run/secrets/kubernetes.io/serviceaccount";

impl Config {
    /// A configuration for `cluster_url` with no credentials, namespace `default`, default timeouts.
    pub fn new(cluster_url: http::Uri) -> Self {
        Config {
            cluster_url,
            default_namespace: "default".to_owned(),
            root_certs: Vec::new(),
            accept_invalid_certs: false,
            tls_server_name: None,
            token: None,
            token_file: None,
            client_identity: None,
            connect_timeout: Some(Duration::from_secs(10)),
            request_timeout: Some(Duration::from_secs(60)),
        }
    }

    /// Parses `url` and calls [`Config::new`].
    pub fn from_url(url: &str) -> Result<Self, ConfigError> {
        Ok(Self::new(parse_server(url)?))
    }

    /// The default kubeconfig's current context, else the in-cluster service account.
    pub fn infer() -> Result<Self, ConfigError> {
        match Self::from_kubeconfig(&KubeConfigOptions::default()) {
            Err(ConfigError::NoKubeconfig(looked)) => {
                Self::incluster().map_err(|_| ConfigError::NoKubeconfig(looked))
            }
            other => other,
        }
    }

    /// The default kubeconfig (see [`Kubeconfig::read`]) with the given context selection.
    pub fn from_kubeconfig(options: &KubeConfigOptions) -> Result<Self, ConfigError> {
        Self::from_custom_kubeconfig(&Kubeconfig::read()?, options)
    }

    /// A parsed kubeconfig with the given context selection.
    pub fn from_custom_kubeconfig(
        kc: &Kubeconfig,
        options: &KubeConfigOptions,
    ) -> Result<Self, ConfigError> {
        let context_name = match &options.context {
            Some(c) => c.clone(),
            None => kc
                .current_context
                .clone()
                .filter(|c| !c.is_empty())
                .ok_or(ConfigError::NoCurrentContext)?,
        };
        let context = &kc
            .contexts
            .iter()
            .find(|c| c.name == context_name)
            .ok_or_else(|| ConfigError::ContextNotFound(context_name.clone()))?
            .context;
        let cluster_name = options.cluster.as_ref().unwrap_or(&context.cluster);
        let cluster = &kc
            .clusters
            .iter()
            .find(|c| &c.name == cluster_name)
            .ok_or_else(|| ConfigError::ClusterNotFound(cluster_name.clone()))?
            .cluster;
        let user_name = options.user.as_ref().or(context.user.as_ref());
        let user = match user_name {
            Some(name) => Some(
                &kc.users
                    .iter()
                    .find(|u| &u.name == name)
                    .ok_or_else(|| ConfigError::UserNotFound(name.clone()))?
                    .user,
            ),
            None => None,
        };

        let server = cluster
            .server
            .as_deref()
            .ok_or_else(|| ConfigError::InvalidServer(String::new()))?;
        let mut config = Config::new(parse_server(server)?);
        if let Some(ns) = context.namespace.as_ref().filter(|ns| !ns.is_empty()) {
            config.default_namespace = ns.clone();
        }
        config.accept_invalid_certs = cluster.insecure_skip_tls_verify;
        config.tls_server_name = cluster.tls_server_name.clone().filter(|n| !n.is_empty());
        if let Some(data) = &cluster.certificate_authority_data {
            let pem = decode_b64(data, "certificate-authority-data")?;
            config.root_certs = pem_certs(&pem, "certificate-authority-data")?;
        } else if let Some(file) = &cluster.certificate_authority {
            let pem = read_file(&kc.resolve(file))?;
            config.root_certs = pem_certs(&pem, "certificate-authority")?;
        }

        if let Some(user) = user {
            if let Some(token) = user.token.as_ref().filter(|t| !t.is_empty()) {
                config.token = Some(token.clone());
            } else if let Some(file) = &user.token_file {
                let path = kc.resolve(file);
                config.token = Some(read_token(&path)?);
                config.token_file = Some(path);
            }
            let cert = match (&user.client_certificate_data, &user.client_certificate) {
                (Some(d), _) => Some(decode_b64(d, "client-certificate-data")?),
                (None, Some(f)) => Some(read_file(&kc.resolve(f))?),
                (None, None) => None,
            };
            let key = match (&user.client_key_data, &user.client_key) {
                (Some(d), _) => Some(decode_b64(d, "client-key-data")?),
                (None, Some(f)) => Some(read_file(&kc.resolve(f))?),
                (None, None) => None,
            };
            config.client_identity = match (cert, key) {
                (Some(cert_pem), Some(key_pem)) => {
                    pem_certs(&cert_pem, "client-certificate")?;
                    Some(ClientIdentity { cert_pem, key_pem })
                }
                (None, None) => None,
                _ => return Err(ConfigError::IncompleteClientCert),
            };
        }
        Ok(config)
    }

    /// The in-cluster configuration: `KUBERNETES_SERVICE_HOST`/`PORT`, and the service
    /// account's token, CA and namespace under `/var/run/secrets/kubernetes.io/serviceaccount`.
    pub fn incluster() -> Result<Self, ConfigError> {
        let host =
            std::env::var("KUBERNETES_SERVICE_HOST").map_err(|_| ConfigError::NotInCluster)?;
        let port =
            std::env::var("KUBERNETES_SERVICE_PORT").map_err(|_| ConfigError::NotInCluster)?;
        let host = if host.contains(':') {
            format!("[{host}]")
        } else {
            host
        };
        let mut config = Config::from_url(&format!("https://{host}:{port}"))?;
        let dir = Path::new(SA_DIR);
        config.token = Some(read_token(&dir.join("token"))?);
        config.token_file = Some(dir.join("token"));
        config.root_certs = pem_certs(&read_file(&dir.join("ca.crt"))?, "ca.crt")?;
        if let Ok(ns) = std::fs::read_to_string(dir.join("namespace")) {
            let ns = ns.trim();
            if !ns.is_empty() {
                config.default_namespace = ns.to_owned();
            }
        }
        Ok(config)
    }
}

fn parse_server(server: &str) -> Result<http::Uri, ConfigError> {
    let uri: http::Uri = server
        .trim_end_matches('/')
        .parse()
        .map_err(|_| ConfigError::InvalidServer(server.to_owned()))?;
    match (uri.scheme_str(), uri.host()) {
        (Some("http" | "https"), Some(h)) if !h.is_empty() => Ok(uri),
        _ => Err(ConfigError::InvalidServer(server.to_owned())),
    }
}

fn decode_b64(data: &str, what: &'static str) -> Result<Vec<u8>, ConfigError> {
    let cleaned: String = data.chars().filter(|c| !c.is_whitespace()).collect();
    base64::engine::general_purpose::STANDARD
        .decode(cleaned)
        .map_err(|_| ConfigError::Base64(what))
}

fn read_file(path: &Path) -> Result<Vec<u8>, ConfigError> {
    std::fs::read(path).map_err(|source| ConfigError::Read {
        path: path.to_owned(),
        source,
    })
}

pub(crate) fn read_token(path: &Path) -> Result<String, ConfigError> {
    let bytes = read_file(path)?;
    Ok(String::from_utf8_lossy(&bytes).trim().to_owned())
}

/// The DER certificates of a PEM bundle (at least one).
pub(crate) fn pem_certs(pem: &[u8], what: &'static str) -> Result<Vec<Vec<u8>>, ConfigError> {
    let certs: Vec<Vec<u8>> = rustls_pemfile::certs(&mut &pem[..])
        .map(|c| c.map(|c| c.as_ref().to_vec()))
        .collect::<Result<_, _>>()
        .map_err(|_| ConfigError::Pem(what))?;
    if certs.is_empty() {
        return Err(ConfigError::Pem(what));
    }
    Ok(certs)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A real self-signed CA certificate, PEM.
    fn ca_pem() -> String {
        let mut params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
        params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        let key = rcgen::KeyPair::generate().unwrap();
        params.self_signed(&key).unwrap().pem()
    }

    fn b64(s: &str) -> String {
        base64::engine::general_purpose::STANDARD.encode(s)
    }

    fn sample(ca: &str) -> String {
        format!(
            r#"apiVersion: v1
kind: Config
preferences: {{}}
current-context: dev
clusters:
- name: c1
  cluster:
    server: https://127.0.0.1:6443
    certificate-authority-data: {ca}
- name: c2
  cluster:
    server: http://localhost:8080/
    insecure-skip-tls-verify: true
contexts:
- name: dev
  context:
    cluster: c1
    user: admin
    namespace: team-a
- name: other
  context:
    cluster: c2
    user: filer
users:
- name: admin
  user:
    token: abc123
- name: filer
  user:
    tokenFile: token.txt
"#
        )
    }

    #[test]
    fn current_context_with_ca_data_and_token() {
        let kc = Kubeconfig::from_yaml(&sample(&b64(&ca_pem()))).unwrap();
        let cfg = Config::from_custom_kubeconfig(&kc, &KubeConfigOptions::default()).unwrap();
        assert_eq!(cfg.cluster_url, "https://127.0.0.1:6443/");
        assert_eq!(cfg.default_namespace, "team-a");
        assert_eq!(cfg.token.as_deref(), Some("abc123"));
        assert_eq!(cfg.root_certs.len(), 1);
        assert!(!cfg.accept_invalid_certs);
        assert!(cfg.client_identity.is_none());
        assert!(
            !format!("{cfg:?}").contains("abc123"),
            "token must not be logged"
        );
    }

    #[test]
    fn named_context_with_relative_token_file() {
        let dir = std::env::temp_dir().join(format!("rkube-client-kc-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("token.txt"), "from-file\n").unwrap();
        let path = dir.join("config");
        std::fs::write(&path, sample(&b64(&ca_pem()))).unwrap();
        let kc = Kubeconfig::read_from(&path).unwrap();
        let opts = KubeConfigOptions {
            context: Some("other".into()),
            ..Default::default()
        };
        let cfg = Config::from_custom_kubeconfig(&kc, &opts).unwrap();
        assert_eq!(cfg.cluster_url.scheme_str(), Some("http"));
        assert_eq!(cfg.cluster_url.port_u16(), Some(8080));
        assert_eq!(cfg.default_namespace, "default");
        assert_eq!(cfg.token.as_deref(), Some("from-file"));
        assert_eq!(cfg.token_file, Some(dir.join("token.txt")));
        assert!(cfg.accept_invalid_certs);
        assert!(cfg.root_certs.is_empty());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn ca_file_and_client_cert_data() {
        let dir = std::env::temp_dir().join(format!("rkube-client-ca-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("ca.pem"), ca_pem()).unwrap();
        let client_key = rcgen::KeyPair::generate().unwrap();
        let client_cert = rcgen::CertificateParams::new(vec!["admin".to_owned()])
            .unwrap()
            .self_signed(&client_key)
            .unwrap();
        let yaml = format!(
            "current-context: x\nclusters:\n- name: c\n  cluster:\n    server: https://k:1\n    certificate-authority: ca.pem\n\
             contexts:\n- name: x\n  context: {{cluster: c, user: u}}\n\
             users:\n- name: u\n  user:\n    client-certificate-data: {}\n    client-key-data: {}\n",
            b64(&client_cert.pem()),
            b64(&client_key.serialize_pem())
        );
        let path = dir.join("config");
        std::fs::write(&path, yaml).unwrap();
        let kc = Kubeconfig::read_from(&path).unwrap();
        let cfg = Config::from_custom_kubeconfig(&kc, &KubeConfigOptions::default()).unwrap();
        assert_eq!(cfg.root_certs.len(), 1);
        let id = cfg.client_identity.clone().unwrap();
        assert!(id.cert_pem.starts_with(b"-----BEGIN CERTIFICATE"));
        assert!(id.key_pem.starts_with(b"-----BEGIN PRIVATE KEY"));
        assert!(cfg.token.is_none());
        // rustls accepts the pair.
        crate::Client::try_from_config(cfg.clone()).unwrap();
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn typed_errors() {
        let kc = Kubeconfig::from_yaml(&sample(&b64(&ca_pem()))).unwrap();
        let opts = |c: &str| KubeConfigOptions {
            context: Some(c.into()),
            ..Default::default()
        };
        assert!(matches!(
            Config::from_custom_kubeconfig(&kc, &opts("nope")),
            Err(ConfigError::ContextNotFound(c)) if c == "nope"
        ));
        let mut bad = kc.clone();
        bad.clusters.remove(0);
        assert!(matches!(
            Config::from_custom_kubeconfig(&bad, &KubeConfigOptions::default()),
            Err(ConfigError::ClusterNotFound(c)) if c == "c1"
        ));
        let mut bad = kc.clone();
        bad.users.clear();
        assert!(matches!(
            Config::from_custom_kubeconfig(&bad, &KubeConfigOptions::default()),
            Err(ConfigError::UserNotFound(u)) if u == "admin"
        ));
        let mut bad = kc.clone();
        bad.current_context = None;
        assert!(matches!(
            Config::from_custom_kubeconfig(&bad, &KubeConfigOptions::default()),
            Err(ConfigError::NoCurrentContext)
        ));
        let bad = Kubeconfig::from_yaml(&sample("not*base64")).unwrap();
        assert!(matches!(
            Config::from_custom_kubeconfig(&bad, &KubeConfigOptions::default()),
            Err(ConfigError::Base64("certificate-authority-data"))
        ));
        let bad = Kubeconfig::from_yaml(&sample(&b64("not pem"))).unwrap();
        assert!(matches!(
            Config::from_custom_kubeconfig(&bad, &KubeConfigOptions::default()),
            Err(ConfigError::Pem(_))
        ));
        let mut bad = kc.clone();
        bad.clusters[0].cluster.server = Some("ftp://x".into());
        assert!(matches!(
            Config::from_custom_kubeconfig(&bad, &KubeConfigOptions::default()),
            Err(ConfigError::InvalidServer(_))
        ));
        assert!(matches!(
            Kubeconfig::from_yaml("clusters: [[["),
            Err(ConfigError::Parse(_))
        ));
    }

    #[test]
    fn kubeconfig_env_list_takes_first_existing() {
        let dir = std::env::temp_dir().join(format!("rkube-client-env-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let a = dir.join("a");
        let b = dir.join("b");
        std::fs::write(&b, "").unwrap();
        std::fs::write(dir.join("c"), "").unwrap();
        let list = std::env::join_paths([&a, &b, &dir.join("c")]).unwrap();
        assert_eq!(default_kubeconfig_path(Some(&list), None).unwrap(), b);
        let home = dir.join("home");
        std::fs::create_dir_all(home.join(".kube")).unwrap();
        std::fs::write(home.join(".kube/config"), "").unwrap();
        let only_missing = std::env::join_paths([&a]).unwrap();
        assert_eq!(
            default_kubeconfig_path(Some(&only_missing), Some(home.as_os_str())).unwrap(),
            home.join(".kube/config")
        );
        assert!(matches!(
            default_kubeconfig_path(Some(&only_missing), None),
            Err(ConfigError::NoKubeconfig(_))
        ));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
