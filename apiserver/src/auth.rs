//! Static bearer-token authentication, like kube-apiserver's
//! `--token-auth-file`.
//!
//! The token file is CSV, one identity a line: `token,user,uid,"group1,group2"`
//! (the groups column is optional; `#` starts a comment). [`TokenFile`] loads
//! it, creates random tokens for identities that must exist (the admin, the
//! controller manager, later the scheduler and node agents) and writes it back
//! atomically with mode 0600. [`Authenticator`] checks `Authorization: Bearer`
//! headers in constant time and [`authenticate`] is the axum middleware that
//! puts a [`UserInfo`] extension on authenticated requests and answers 401
//! with a Kubernetes `Status` otherwise (health and version endpoints are
//! open).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;
use http::{HeaderValue, StatusCode, header};

use crate::tls::{fill_random, write_atomic};

/// The administrator's user name (its kubeconfig is written by `rkube up`).
pub const ADMIN_USER: &str = "admin";
/// The group that bypasses authorization in Kubernetes; the admin has it.
pub const MASTERS_GROUP: &str = "system:masters";
/// The controller manager's user name, as in Kubernetes.
pub const CONTROLLER_MANAGER_USER: &str = "system:kube-controller-manager";
/// The scheduler's user name, as in Kubernetes.
pub const SCHEDULER_USER: &str = "system:kube-scheduler";
/// The group every authenticated user belongs to.
pub const AUTHENTICATED_GROUP: &str = "system:authenticated";
/// The group of node agents (`system:node:<name>` users).
pub const NODES_GROUP: &str = "system:nodes";

/// Paths served without authentication (and their subpaths).
pub const PUBLIC_PATHS: &[&str] = &["/healthz", "/livez", "/readyz", "/version"];

/// Errors from the token file.
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    /// Reading the file failed.
    #[error("read token file {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// Writing the file failed.
    #[error("write token file: {0}")]
    Write(#[from] crate::tls::TlsError),
    /// A line is malformed.
    #[error("token file {path} line {line}: {message}")]
    Parse {
        /// The file.
        path: PathBuf,
        /// 1-based line number.
        line: usize,
        /// What is wrong.
        message: String,
    },
    /// A user name is not usable (empty, or holds a comma, quote or newline).
    #[error("invalid user name {0:?}")]
    InvalidUser(String),
}

/// Who made a request, as in Kubernetes' `user.Info`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UserInfo {
    /// User name, e.g. `admin` or `system:kube-controller-manager`.
    pub name: String,
    /// Unique id of the user.
    pub uid: String,
    /// Groups, including `system:authenticated`.
    pub groups: Vec<String>,
}

impl UserInfo {
    /// Whether the user is in `group`.
    pub fn in_group(&self, group: &str) -> bool {
        self.groups.iter().any(|g| g == group)
    }
}

/// One line of the token file.
#[derive(Clone, PartialEq, Eq)]
struct TokenEntry {
    token: String,
    user: String,
    uid: String,
    groups: Vec<String>,
}

impl std::fmt::Debug for TokenEntry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenEntry")
            .field("user", &self.user)
            .field("uid", &self.uid)
            .field("groups", &self.groups)
            .finish_non_exhaustive()
    }
}

/// The static token file: identities and their bearer tokens.
#[derive(Clone, Debug)]
pub struct TokenFile {
    path: PathBuf,
    entries: Vec<TokenEntry>,
}

impl TokenFile {
    /// Loads the token file at `path` (creating it if absent), then makes sure
    /// the admin (group `system:masters`) and the controller manager exist,
    /// generating random tokens for whichever is missing.
    pub fn load_or_create(path: &Path) -> Result<TokenFile, AuthError> {
        let mut file = if path.exists() {
            Self::load(path)?
        } else {
            TokenFile {
                path: path.to_path_buf(),
                entries: Vec::new(),
            }
        };
        file.ensure_identity(ADMIN_USER, &[MASTERS_GROUP])?;
        file.ensure_identity(CONTROLLER_MANAGER_USER, &[])?;
        Ok(file)
    }

    /// Loads an existing token file without changing it.
    pub fn load(path: &Path) -> Result<TokenFile, AuthError> {
        let text = std::fs::read_to_string(path).map_err(|source| AuthError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        let entries = parse(&text).map_err(|(line, message)| AuthError::Parse {
            path: path.to_path_buf(),
            line,
            message,
        })?;
        Ok(TokenFile {
            path: path.to_path_buf(),
            entries,
        })
    }

    /// The file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Makes sure `user` has a token, creating a random one (and persisting
    /// the file) if it has none; returns the token. Existing identities keep
    /// their token and groups.
    pub fn ensure_identity(&mut self, user: &str, groups: &[&str]) -> Result<String, AuthError> {
        if let Some(token) = self.token_for(user) {
            return Ok(token.to_string());
        }
        if user.is_empty() || user.contains([',', '"', '\n', '\r']) {
            return Err(AuthError::InvalidUser(user.to_string()));
        }
        let entry = TokenEntry {
            token: random_hex(32),
            user: user.to_string(),
            uid: random_hex(16),
            groups: groups.iter().map(|g| g.to_string()).collect(),
        };
        let token = entry.token.clone();
        self.entries.push(entry);
        self.save()?;
        Ok(token)
    }

    /// The token of `user`, if it has one.
    pub fn token_for(&self, user: &str) -> Option<&str> {
        self.entries
            .iter()
            .find(|e| e.user == user)
            .map(|e| e.token.as_str())
    }

    /// The users in the file, in file order.
    pub fn users(&self) -> impl Iterator<Item = &str> {
        self.entries.iter().map(|e| e.user.as_str())
    }

    /// An authenticator for the current identities.
    pub fn authenticator(&self) -> Authenticator {
        Authenticator::new(self.entries.iter().map(|e| {
            (
                e.token.clone(),
                UserInfo {
                    name: e.user.clone(),
                    uid: e.uid.clone(),
                    groups: e.groups.clone(),
                },
            )
        }))
    }

    fn save(&self) -> Result<(), AuthError> {
        let mut text = String::from("# token,user,uid,\"group1,group2\"\n");
        for e in &self.entries {
            text.push_str(&format!(
                "{},{},{},\"{}\"\n",
                e.token,
                e.user,
                e.uid,
                e.groups.join(",")
            ));
        }
        write_atomic(&self.path, text.as_bytes(), 0o600)?;
        Ok(())
    }
}

fn random_hex(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    fill_random(&mut buf);
    buf.iter().map(|b| format!("{b:02x}")).collect()
}

/// Splits one CSV record into fields (RFC 4180 quoting: `"a,b"`, `""`).
fn csv_fields(line: &str) -> Result<Vec<String>, String> {
    let mut fields = Vec::new();
    let mut field = String::new();
    let mut chars = line.chars().peekable();
    let mut quoted = false;
    let mut at_field_start = true;
    while let Some(c) = chars.next() {
        if quoted {
            match c {
                '"' if chars.peek() == Some(&'"') => {
                    chars.next();
                    field.push('"');
                }
                '"' => quoted = false,
                c => field.push(c),
            }
            continue;
        }
        match c {
            '"' if at_field_start => {
                quoted = true;
                at_field_start = false;
            }
            ',' => {
                fields.push(std::mem::take(&mut field));
                at_field_start = true;
            }
            '"' => return Err("unexpected quote inside an unquoted field".to_string()),
            c => {
                field.push(c);
                at_field_start = false;
            }
        }
    }
    if quoted {
        return Err("unterminated quoted field".to_string());
    }
    fields.push(field);
    Ok(fields)
}

/// Parses the token file's text; errors carry a 1-based line number.
fn parse(text: &str) -> Result<Vec<TokenEntry>, (usize, String)> {
    let mut entries: Vec<TokenEntry> = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let fields = csv_fields(line).map_err(|m| (i + 1, m))?;
        if fields.len() < 3 {
            return Err((
                i + 1,
                "expected at least 3 columns: token,user,uid".to_string(),
            ));
        }
        let token = fields[0].trim().to_string();
        let user = fields[1].trim().to_string();
        if token.is_empty() || user.is_empty() {
            return Err((i + 1, "empty token or user".to_string()));
        }
        if entries.iter().any(|e| e.token == token) {
            return Err((i + 1, format!("duplicate token for user {user:?}")));
        }
        let groups = fields
            .get(3)
            .map(|g| {
                g.split(',')
                    .map(str::trim)
                    .filter(|g| !g.is_empty())
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default();
        entries.push(TokenEntry {
            token,
            user,
            uid: fields[2].trim().to_string(),
            groups,
        });
    }
    Ok(entries)
}

/// Checks bearer tokens. Cheap to clone.
///
/// Tokens are compared as SHA-256 digests, in constant time against every
/// known token, so neither the token's content nor its length shows in the
/// timing.
#[derive(Clone)]
pub struct Authenticator {
    entries: Arc<Vec<([u8; 32], UserInfo)>>,
}

impl std::fmt::Debug for Authenticator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Authenticator")
            .field("identities", &self.entries.len())
            .finish()
    }
}

fn digest(token: &str) -> [u8; 32] {
    let d = ring::digest::digest(&ring::digest::SHA256, token.as_bytes());
    let mut out = [0u8; 32];
    out.copy_from_slice(d.as_ref());
    out
}

fn constant_time_eq(a: &[u8; 32], b: &[u8; 32]) -> bool {
    let diff = a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y));
    std::hint::black_box(diff) == 0
}

impl Authenticator {
    /// An authenticator for these `(token, user)` pairs. Every user also gets
    /// the `system:authenticated` group.
    pub fn new(entries: impl IntoIterator<Item = (String, UserInfo)>) -> Self {
        let entries = entries
            .into_iter()
            .map(|(token, mut user)| {
                if !user.in_group(AUTHENTICATED_GROUP) {
                    user.groups.push(AUTHENTICATED_GROUP.to_string());
                }
                (digest(&token), user)
            })
            .collect();
        Authenticator {
            entries: Arc::new(entries),
        }
    }

    /// The user owning `token`, if any.
    pub fn authenticate_token(&self, token: &str) -> Option<&UserInfo> {
        let wanted = digest(token);
        let mut found = None;
        // Visit every entry whatever matches, so timing shows nothing.
        for (known, user) in self.entries.iter() {
            if constant_time_eq(known, &wanted) {
                found = Some(user);
            }
        }
        found
    }

    /// The user behind an `Authorization` header value (`Bearer <token>`).
    pub fn authenticate_header(&self, value: &HeaderValue) -> Option<&UserInfo> {
        let value = value.to_str().ok()?;
        let (scheme, token) = value.trim().split_once(' ')?;
        if !scheme.eq_ignore_ascii_case("bearer") {
            return None;
        }
        let token = token.trim();
        if token.is_empty() {
            return None;
        }
        self.authenticate_token(token)
    }
}

/// Whether `path` is served without authentication.
pub fn is_public_path(path: &str) -> bool {
    PUBLIC_PATHS.iter().any(|p| {
        path.strip_prefix(p)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
    })
}

/// The body of a 401 answer: a Kubernetes `Status`.
pub const UNAUTHORIZED_BODY: &str = r#"{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"Unauthorized","reason":"Unauthorized","code":401}"#;

/// Middleware: authenticates the request's bearer token and adds a
/// [`UserInfo`] extension, or answers 401 with a `Status`. Public paths
/// ([`PUBLIC_PATHS`]) pass through, with a `UserInfo` if a valid token came.
pub async fn authenticate(
    State(auth): State<Authenticator>,
    mut req: Request,
    next: Next,
) -> Response {
    let user = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| auth.authenticate_header(v))
        .cloned();
    match user {
        Some(user) => {
            req.extensions_mut().insert(user);
            next.run(req).await
        }
        None if is_public_path(req.uri().path()) => next.run(req).await,
        None => unauthorized(),
    }
}

fn unauthorized() -> Response {
    let mut response = Response::new(Body::from(UNAUTHORIZED_BODY));
    *response.status_mut() = StatusCode::UNAUTHORIZED;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::Router;
    use axum::routing::get;
    use http_body_util::BodyExt;
    use std::os::unix::fs::MetadataExt;
    use tower::ServiceExt;

    fn tempdir() -> PathBuf {
        let dir = std::env::temp_dir().join(format!("rkube-auth-test-{}", random_hex(8)));
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn token_file_is_created_then_reused() {
        let dir = tempdir();
        let path = dir.join("tokens.csv");
        let file = TokenFile::load_or_create(&path).unwrap();
        let admin = file.token_for(ADMIN_USER).unwrap().to_string();
        let cm = file.token_for(CONTROLLER_MANAGER_USER).unwrap().to_string();
        assert_eq!(admin.len(), 64);
        assert_ne!(admin, cm);
        let mode = std::fs::metadata(&path).unwrap().mode() & 0o777;
        assert_eq!(mode, 0o600);

        let again = TokenFile::load_or_create(&path).unwrap();
        assert_eq!(again.token_for(ADMIN_USER), Some(admin.as_str()));
        assert_eq!(again.token_for(CONTROLLER_MANAGER_USER), Some(cm.as_str()));

        // Adding an identity is one call, and it persists.
        let mut again = again;
        let sched = again.ensure_identity(SCHEDULER_USER, &[]).unwrap();
        assert_eq!(again.ensure_identity(SCHEDULER_USER, &[]).unwrap(), sched);
        let reloaded = TokenFile::load(&path).unwrap();
        assert_eq!(reloaded.token_for(SCHEDULER_USER), Some(sched.as_str()));
        let users: Vec<_> = reloaded.users().collect();
        assert_eq!(users, [ADMIN_USER, CONTROLLER_MANAGER_USER, SCHEDULER_USER]);

        let auth = reloaded.authenticator();
        let user = auth.authenticate_token(&admin).unwrap();
        assert_eq!(user.name, ADMIN_USER);
        assert!(user.in_group(MASTERS_GROUP));
        assert!(user.in_group(AUTHENTICATED_GROUP));
        assert!(auth.authenticate_token("nope").is_none());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn parses_kube_apiserver_token_files() {
        let text = "# comment\n\
                    t1,alice,u1,\"dev,ops\"\n\
                    \n\
                    t2,bob,u2\n\
                    t3,carol,u3,solo\n";
        let entries = parse(text).unwrap();
        assert_eq!(entries.len(), 3);
        assert_eq!(entries[0].groups, ["dev", "ops"]);
        assert!(entries[1].groups.is_empty());
        assert_eq!(entries[2].groups, ["solo"]);
        assert_eq!(parse("t1,alice\n").unwrap_err().0, 1);
        assert_eq!(parse("ok,a,1\nt1,al\"ice,u\n").unwrap_err().0, 2);
        assert_eq!(parse("t,a,1,\"open\n").unwrap_err().0, 1);
        assert!(parse("t,a,1\nt,b,2\n").is_err(), "duplicate token");
    }

    #[test]
    fn public_paths() {
        for p in [
            "/healthz",
            "/livez",
            "/readyz",
            "/version",
            "/readyz/ping",
            "/healthz/etcd",
        ] {
            assert!(is_public_path(p), "{p}");
        }
        for p in ["/healthzz", "/api/v1/pods", "/versions", "/", "/metrics"] {
            assert!(!is_public_path(p), "{p}");
        }
    }

    fn app() -> Router {
        let auth = Authenticator::new([(
            "secret-token".to_string(),
            UserInfo {
                name: "admin".to_string(),
                uid: "1".to_string(),
                groups: vec![MASTERS_GROUP.to_string()],
            },
        )]);
        let whoami = |req: Request| async move {
            match req.extensions().get::<UserInfo>() {
                Some(u) => format!("{} {}", u.name, u.groups.join(",")),
                None => "anonymous".to_string(),
            }
        };
        Router::new()
            .route("/api/v1/pods", get(whoami))
            .route("/version", get(whoami))
            .route("/readyz/ping", get(whoami))
            .layer(axum::middleware::from_fn_with_state(auth, authenticate))
    }

    async fn call(uri: &str, authorization: Option<&str>) -> (StatusCode, String, Option<String>) {
        let mut req = http::Request::get(uri);
        if let Some(a) = authorization {
            req = req.header(header::AUTHORIZATION, a);
        }
        let resp = app()
            .oneshot(req.body(Body::empty()).unwrap())
            .await
            .unwrap();
        let status = resp.status();
        let ct = resp
            .headers()
            .get(header::CONTENT_TYPE)
            .map(|v| v.to_str().unwrap().to_string());
        let body = resp.into_body().collect().await.unwrap().to_bytes();
        (status, String::from_utf8(body.to_vec()).unwrap(), ct)
    }

    #[tokio::test]
    async fn middleware_accepts_valid_tokens_only() {
        let (status, body, _) = call("/api/v1/pods", Some("Bearer secret-token")).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(body, "admin system:masters,system:authenticated");
        let (status, _, _) = call("/api/v1/pods", Some("bearer  secret-token ")).await;
        assert_eq!(status, StatusCode::OK);

        for bad in [
            None,
            Some("Bearer wrong"),
            Some("Bearer "),
            Some("Basic secret-token"),
            Some("secret-token"),
        ] {
            let (status, body, ct) = call("/api/v1/pods", bad).await;
            assert_eq!(status, StatusCode::UNAUTHORIZED, "{bad:?}");
            assert_eq!(ct.as_deref(), Some("application/json"));
            let status_obj: serde_json::Value = serde_json::from_str(&body).unwrap();
            assert_eq!(
                status_obj,
                serde_json::json!({"kind":"Status","apiVersion":"v1","metadata":{},
                    "status":"Failure","message":"Unauthorized","reason":"Unauthorized","code":401})
            );
        }
    }

    #[tokio::test]
    async fn middleware_leaves_health_and_version_open() {
        let (status, body, _) = call("/version", None).await;
        assert_eq!((status, body.as_str()), (StatusCode::OK, "anonymous"));
        let (status, body, _) = call("/readyz/ping", Some("Bearer wrong")).await;
        assert_eq!((status, body.as_str()), (StatusCode::OK, "anonymous"));
        let (status, body, _) = call("/version", Some("Bearer secret-token")).await;
        assert_eq!(status, StatusCode::OK);
        assert!(body.starts_with("admin"));
    }
}
