//! Prometheus metrics for the API server, in the text exposition format.
//!
//! A small hand-written registry: request counts by verb, resource,
//! subresource and code (`apiserver_request_total`), request latency
//! histograms by verb and resource with Kubernetes' buckets
//! (`apiserver_request_duration_seconds`), open watches
//! (`apiserver_longrunning_requests`), and process memory and start time.
//! [`track`] is the axum middleware that records every request; it classifies
//! the request with the pure function [`classify`], which follows
//! kube-apiserver's request-info rules for `/api/v1/...` and
//! `/apis/<group>/<version>/...` paths.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;
use bytes::Bytes;
use http::Method;

/// Upper bounds (seconds) of the request latency histogram, as kube-apiserver's.
pub const DURATION_BUCKETS: &[f64] = &[
    0.005, 0.025, 0.05, 0.1, 0.2, 0.4, 0.6, 0.8, 1.0, 1.25, 1.5, 2.0, 3.0, 4.0, 5.0, 6.0, 8.0,
    10.0, 15.0, 20.0, 30.0, 45.0, 60.0,
];

/// The Kubernetes verb of a request.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Verb {
    /// GET of one object (or of a non-resource path).
    Get,
    /// GET of a collection.
    List,
    /// GET of a collection (or one object) with `watch=1`, or a `/watch/` path.
    Watch,
    /// POST.
    Create,
    /// PUT.
    Update,
    /// PATCH.
    Patch,
    /// DELETE of one object.
    Delete,
    /// DELETE of a collection.
    DeleteCollection,
    /// Any other method (HEAD, OPTIONS, ...).
    Other,
}

impl Verb {
    /// The lower-case verb as in RBAC (`get`, `list`, `watch`, `create`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            Verb::Get => "get",
            Verb::List => "list",
            Verb::Watch => "watch",
            Verb::Create => "create",
            Verb::Update => "update",
            Verb::Patch => "patch",
            Verb::Delete => "delete",
            Verb::DeleteCollection => "deletecollection",
            Verb::Other => "other",
        }
    }

    /// The verb label kube-apiserver's metrics use (`GET`, `LIST`, `WATCH`,
    /// `POST`, `PUT`, `PATCH`, `DELETE`, `DELETECOLLECTION`).
    pub fn metric_label(self) -> &'static str {
        match self {
            Verb::Get => "GET",
            Verb::List => "LIST",
            Verb::Watch => "WATCH",
            Verb::Create => "POST",
            Verb::Update => "PUT",
            Verb::Patch => "PATCH",
            Verb::Delete => "DELETE",
            Verb::DeleteCollection => "DELETECOLLECTION",
            Verb::Other => "OTHER",
        }
    }
}

/// What a request asks for, derived from its method, path and query alone.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RequestInfo {
    /// Whether the path names an API resource (`/api/v1/...`, `/apis/g/v/...`
    /// with a resource); `false` for `/healthz`, `/version`, discovery, ...
    pub is_resource_request: bool,
    /// The verb.
    pub verb: Verb,
    /// API group (`""` for core).
    pub group: String,
    /// API version (`v1`).
    pub version: String,
    /// Namespace, or `""`.
    pub namespace: String,
    /// Resource plural (`pods`), or `""`.
    pub resource: String,
    /// Subresource (`status`, `scale`, `log`, ...), or `""`.
    pub subresource: String,
    /// Object name, or `""`.
    pub name: String,
    /// Whether the response may stay open indefinitely (watches, followed
    /// logs, exec/attach/port-forward/proxy).
    pub long_running: bool,
}

impl RequestInfo {
    /// Whether the response may stay open indefinitely.
    pub fn is_long_running(&self) -> bool {
        self.long_running
    }
}

fn query_flag(query: &str, key: &str) -> bool {
    query.split('&').any(|pair| {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        k == key && matches!(v, "1" | "t" | "T" | "true" | "TRUE" | "True")
    })
}

fn verb_for_method(method: &Method, collection: bool) -> Verb {
    match *method {
        Method::GET | Method::HEAD if collection => Verb::List,
        Method::GET | Method::HEAD => Verb::Get,
        Method::POST => Verb::Create,
        Method::PUT => Verb::Update,
        Method::PATCH => Verb::Patch,
        Method::DELETE if collection => Verb::DeleteCollection,
        Method::DELETE => Verb::Delete,
        _ => Verb::Other,
    }
}

/// Classifies a request as kube-apiserver's `RequestInfoFactory` does.
///
/// `query` is the raw query string without `?`. Paths outside `/api` and
/// `/apis/<group>/<version>` with a resource are non-resource requests whose
/// verb comes from the method alone.
pub fn classify(method: &Method, path: &str, query: &str) -> RequestInfo {
    let mut info = RequestInfo {
        is_resource_request: false,
        verb: verb_for_method(method, false),
        group: String::new(),
        version: String::new(),
        namespace: String::new(),
        resource: String::new(),
        subresource: String::new(),
        name: String::new(),
        long_running: false,
    };
    let parts: Vec<&str> = path.trim_matches('/').split('/').collect();
    let rest: &[&str] = match parts.as_slice() {
        ["api", version, rest @ ..] if !rest.is_empty() => {
            info.version = version.to_string();
            rest
        }
        ["apis", group, version, rest @ ..] if !rest.is_empty() => {
            info.group = group.to_string();
            info.version = version.to_string();
            rest
        }
        _ => return info,
    };
    let (deprecated_watch, mut rest) = match rest {
        ["watch", rest @ ..] => (true, rest),
        _ => (false, rest),
    };
    if rest.is_empty() || rest[0].is_empty() {
        info.group.clear();
        info.version.clear();
        return info;
    }
    if rest[0] == "namespaces" && rest.len() >= 2 {
        info.namespace = rest[1].to_string();
        // `namespaces/{name}/status|finalize` are subresources of the
        // namespace itself, not a resource inside it.
        if rest.len() > 2 && !matches!(rest[2], "status" | "finalize") {
            rest = &rest[2..];
        }
    }
    info.is_resource_request = true;
    info.resource = rest[0].to_string();
    if let Some(name) = rest.get(1) {
        info.name = name.to_string();
    }
    if let Some(sub) = rest.get(2) {
        info.subresource = sub.to_string();
    }
    info.verb = verb_for_method(method, info.name.is_empty());
    let is_get = matches!(*method, Method::GET | Method::HEAD);
    if is_get && (deprecated_watch || query_flag(query, "watch")) {
        info.verb = Verb::Watch;
    }
    info.long_running = info.verb == Verb::Watch
        || (info.subresource == "log" && query_flag(query, "follow"))
        || matches!(
            info.subresource.as_str(),
            "exec" | "attach" | "portforward" | "proxy"
        );
    info
}

/// Label key of `apiserver_request_total`.
type RequestKey = (&'static str, String, String, u16);
/// Label key of the histogram and the gauge.
type VerbResource = (&'static str, String);

#[derive(Clone, Debug)]
struct Histogram {
    /// Non-cumulative counts per bucket of [`DURATION_BUCKETS`], then +Inf.
    counts: Vec<u64>,
    sum: f64,
    count: u64,
}

impl Histogram {
    fn new() -> Self {
        Histogram {
            counts: vec![0; DURATION_BUCKETS.len() + 1],
            sum: 0.0,
            count: 0,
        }
    }

    fn observe(&mut self, seconds: f64) {
        let slot = DURATION_BUCKETS
            .iter()
            .position(|&le| seconds <= le)
            .unwrap_or(DURATION_BUCKETS.len());
        self.counts[slot] += 1;
        self.sum += seconds;
        self.count += 1;
    }
}

#[derive(Default)]
struct Families {
    requests: BTreeMap<RequestKey, u64>,
    durations: BTreeMap<VerbResource, Histogram>,
    longrunning: BTreeMap<VerbResource, i64>,
}

struct Inner {
    families: Mutex<Families>,
    start_time_seconds: f64,
}

/// The API server's metrics registry. Cheap to clone (an `Arc` inside).
#[derive(Clone)]
pub struct Metrics {
    inner: Arc<Inner>,
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Metrics").finish_non_exhaustive()
    }
}

impl Metrics {
    /// An empty registry. The process start time is read now from `/proc`.
    pub fn new() -> Self {
        let start_time_seconds = process_start_time_seconds().unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_secs_f64())
                .unwrap_or(0.0)
        });
        Metrics {
            inner: Arc::new(Inner {
                families: Mutex::new(Families::default()),
                start_time_seconds,
            }),
        }
    }

    fn families(&self) -> MutexGuard<'_, Families> {
        // The maps stay consistent even if a holder panicked: keep counting.
        self.inner
            .families
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Counts one finished request and, unless it is long-running, observes
    /// its duration.
    pub fn observe(&self, info: &RequestInfo, code: u16, elapsed: Duration) {
        let verb = info.verb.metric_label();
        let mut families = self.families();
        *families
            .requests
            .entry((verb, info.resource.clone(), info.subresource.clone(), code))
            .or_insert(0) += 1;
        if !info.long_running {
            families
                .durations
                .entry((verb, info.resource.clone()))
                .or_insert_with(Histogram::new)
                .observe(elapsed.as_secs_f64());
        }
    }

    /// Counts an open watch on `resource` until the returned guard is dropped.
    pub fn watch_started(&self, resource: &str) -> LongRunningGuard {
        self.longrunning_started(Verb::Watch, resource)
    }

    /// Counts an open long-running request until the guard is dropped.
    pub fn longrunning_started(&self, verb: Verb, resource: &str) -> LongRunningGuard {
        let key = (verb.metric_label(), resource.to_string());
        *self.families().longrunning.entry(key.clone()).or_insert(0) += 1;
        LongRunningGuard {
            metrics: self.clone(),
            key: Some(key),
        }
    }

    /// The current value of `apiserver_request_total` for these labels.
    pub fn request_count(&self, verb: Verb, resource: &str, subresource: &str, code: u16) -> u64 {
        let key = (
            verb.metric_label(),
            resource.to_string(),
            subresource.to_string(),
            code,
        );
        self.families().requests.get(&key).copied().unwrap_or(0)
    }

    /// The current value of `apiserver_longrunning_requests` for these labels.
    pub fn longrunning(&self, verb: Verb, resource: &str) -> i64 {
        let key = (verb.metric_label(), resource.to_string());
        self.families().longrunning.get(&key).copied().unwrap_or(0)
    }

    /// Everything in the Prometheus text format (version 0.0.4).
    pub fn render(&self) -> String {
        let mut out = String::with_capacity(4096);
        {
            let families = self.families();
            header(
                &mut out,
                "apiserver_request_total",
                "counter",
                "Counter of apiserver requests broken out for each verb, resource, subresource and HTTP response code.",
            );
            for ((verb, resource, subresource, code), value) in &families.requests {
                let _ = writeln!(
                    out,
                    "apiserver_request_total{{verb=\"{}\",resource=\"{}\",subresource=\"{}\",code=\"{code}\"}} {value}",
                    escape(verb),
                    escape(resource),
                    escape(subresource),
                );
            }
            header(
                &mut out,
                "apiserver_request_duration_seconds",
                "histogram",
                "Response latency distribution in seconds for each verb and resource.",
            );
            for ((verb, resource), hist) in &families.durations {
                let labels = format!(
                    "verb=\"{}\",resource=\"{}\"",
                    escape(verb),
                    escape(resource)
                );
                let mut cumulative = 0;
                for (le, count) in DURATION_BUCKETS.iter().zip(&hist.counts) {
                    cumulative += count;
                    let _ = writeln!(
                        out,
                        "apiserver_request_duration_seconds_bucket{{{labels},le=\"{le}\"}} {cumulative}"
                    );
                }
                let _ = writeln!(
                    out,
                    "apiserver_request_duration_seconds_bucket{{{labels},le=\"+Inf\"}} {}",
                    hist.count
                );
                let _ = writeln!(
                    out,
                    "apiserver_request_duration_seconds_sum{{{labels}}} {}",
                    hist.sum
                );
                let _ = writeln!(
                    out,
                    "apiserver_request_duration_seconds_count{{{labels}}} {}",
                    hist.count
                );
            }
            header(
                &mut out,
                "apiserver_longrunning_requests",
                "gauge",
                "Gauge of all active long-running apiserver requests broken out by verb and resource.",
            );
            for ((verb, resource), value) in &families.longrunning {
                let _ = writeln!(
                    out,
                    "apiserver_longrunning_requests{{verb=\"{}\",resource=\"{}\"}} {value}",
                    escape(verb),
                    escape(resource),
                );
            }
        }
        if let Some(rss) = resident_memory_bytes() {
            header(
                &mut out,
                "process_resident_memory_bytes",
                "gauge",
                "Resident memory size in bytes.",
            );
            let _ = writeln!(out, "process_resident_memory_bytes {rss}");
        }
        header(
            &mut out,
            "process_start_time_seconds",
            "gauge",
            "Start time of the process since unix epoch in seconds.",
        );
        let _ = writeln!(
            out,
            "process_start_time_seconds {}",
            self.inner.start_time_seconds
        );
        out
    }
}

fn header(out: &mut String, name: &str, kind: &str, help: &str) {
    let _ = writeln!(out, "# HELP {name} {help}");
    let _ = writeln!(out, "# TYPE {name} {kind}");
}

/// Escapes a label value: backslash, double quote and newline.
fn escape(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out
}

/// Resident set size from `/proc/self/status` (`VmRSS`, exact, in kB).
pub fn resident_memory_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

/// The process start time from `/proc/self/stat` (field 22, in clock ticks
/// after boot) and `/proc/stat` (`btime`). Clock ticks are `USER_HZ`, which
/// is 100 in the Linux user-space ABI.
fn process_start_time_seconds() -> Option<f64> {
    const USER_HZ: f64 = 100.0;
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // The command name (field 2) is in parentheses and may hold spaces.
    let after_comm = &stat[stat.rfind(')')? + 1..];
    // after_comm starts at field 3; field 22 is the 20th from there.
    let ticks: f64 = after_comm.split_whitespace().nth(19)?.parse().ok()?;
    let boot = std::fs::read_to_string("/proc/stat").ok()?;
    let btime: f64 = boot
        .lines()
        .find_map(|l| l.strip_prefix("btime "))?
        .trim()
        .parse()
        .ok()?;
    Some(btime + ticks / USER_HZ)
}

/// Keeps a long-running request counted in `apiserver_longrunning_requests`
/// until dropped.
pub struct LongRunningGuard {
    metrics: Metrics,
    key: Option<VerbResource>,
}

impl std::fmt::Debug for LongRunningGuard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LongRunningGuard")
            .field("key", &self.key)
            .finish()
    }
}

impl Drop for LongRunningGuard {
    fn drop(&mut self) {
        if let Some(key) = self.key.take() {
            let mut families = self.metrics.families();
            if let Some(value) = families.longrunning.get_mut(&key) {
                *value -= 1;
            }
        }
    }
}

/// Middleware recording every request: its code in `apiserver_request_total`,
/// its duration (until the response head) in the histogram, and, for
/// watches, an open-watch count held until the response body ends. Handlers
/// need not call [`Metrics::watch_started`] themselves.
pub async fn track(State(metrics): State<Metrics>, req: Request, next: Next) -> Response {
    let info = classify(
        req.method(),
        req.uri().path(),
        req.uri().query().unwrap_or(""),
    );
    let started = Instant::now();
    let response = next.run(req).await;
    metrics.observe(&info, response.status().as_u16(), started.elapsed());
    if !info.long_running || !response.status().is_success() {
        return response;
    }
    let guard = metrics.longrunning_started(info.verb, &info.resource);
    let (parts, body) = response.into_parts();
    Response::from_parts(
        parts,
        Body::new(GuardedBody {
            inner: body,
            _guard: guard,
        }),
    )
}

/// A response body that holds a guard until it is dropped.
struct GuardedBody {
    inner: Body,
    _guard: LongRunningGuard,
}

impl http_body::Body for GuardedBody {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Bytes>, axum::Error>>> {
        Pin::new(&mut self.get_mut().inner).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> http_body::SizeHint {
        self.inner.size_hint()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::Router;
    use axum::routing::get;
    use http_body_util::BodyExt;
    use tower::ServiceExt;

    fn c(method: Method, path: &str, query: &str) -> RequestInfo {
        classify(&method, path, query)
    }

    #[test]
    fn classify_core_namespaced() {
        let i = c(Method::GET, "/api/v1/namespaces/default/pods", "");
        assert!(i.is_resource_request);
        assert_eq!(
            (
                i.verb,
                i.group.as_str(),
                i.version.as_str(),
                i.namespace.as_str(),
                i.resource.as_str(),
                i.name.as_str()
            ),
            (Verb::List, "", "v1", "default", "pods", "")
        );
        let i = c(Method::GET, "/api/v1/namespaces/default/pods/web-1", "");
        assert_eq!((i.verb, i.name.as_str()), (Verb::Get, "web-1"));
        let i = c(
            Method::PUT,
            "/api/v1/namespaces/default/pods/web-1/status",
            "",
        );
        assert_eq!(
            (i.verb, i.resource.as_str(), i.subresource.as_str()),
            (Verb::Update, "pods", "status")
        );
        let i = c(Method::POST, "/api/v1/namespaces/default/pods", "");
        assert_eq!(i.verb, Verb::Create);
        let i = c(Method::DELETE, "/api/v1/namespaces/default/pods", "");
        assert_eq!(i.verb, Verb::DeleteCollection);
        let i = c(Method::DELETE, "/api/v1/namespaces/default/pods/x", "");
        assert_eq!(i.verb, Verb::Delete);
        let i = c(Method::PATCH, "/api/v1/namespaces/default/pods/x", "");
        assert_eq!(i.verb, Verb::Patch);
    }

    #[test]
    fn classify_groups_and_cluster_scope() {
        let i = c(
            Method::PATCH,
            "/apis/apps/v1/namespaces/ns1/deployments/web/scale",
            "",
        );
        assert_eq!(
            (
                i.verb,
                i.group.as_str(),
                i.version.as_str(),
                i.namespace.as_str(),
                i.resource.as_str(),
                i.name.as_str(),
                i.subresource.as_str()
            ),
            (
                Verb::Patch,
                "apps",
                "v1",
                "ns1",
                "deployments",
                "web",
                "scale"
            )
        );
        let i = c(Method::GET, "/apis/apps/v1/deployments", "");
        assert_eq!(
            (i.verb, i.namespace.as_str(), i.resource.as_str()),
            (Verb::List, "", "deployments")
        );
        let i = c(Method::GET, "/api/v1/nodes/n1", "");
        assert_eq!(
            (i.verb, i.resource.as_str(), i.name.as_str()),
            (Verb::Get, "nodes", "n1")
        );
        // Namespaces themselves.
        let i = c(Method::GET, "/api/v1/namespaces", "");
        assert_eq!((i.verb, i.resource.as_str()), (Verb::List, "namespaces"));
        let i = c(Method::DELETE, "/api/v1/namespaces/ns1", "");
        assert_eq!(
            (
                i.verb,
                i.resource.as_str(),
                i.name.as_str(),
                i.namespace.as_str()
            ),
            (Verb::Delete, "namespaces", "ns1", "ns1")
        );
        let i = c(Method::PUT, "/api/v1/namespaces/ns1/finalize", "");
        assert_eq!(
            (i.resource.as_str(), i.name.as_str(), i.subresource.as_str()),
            ("namespaces", "ns1", "finalize")
        );
    }

    #[test]
    fn classify_watches_and_long_running() {
        for q in [
            "watch=1",
            "watch=true",
            "resourceVersion=5&watch=1&allowWatchBookmarks=true",
        ] {
            let i = c(Method::GET, "/api/v1/namespaces/default/pods", q);
            assert_eq!(i.verb, Verb::Watch, "{q}");
            assert!(i.is_long_running());
        }
        let i = c(Method::GET, "/api/v1/pods", "watch=0");
        assert_eq!(i.verb, Verb::List);
        assert!(!i.is_long_running());
        let i = c(Method::GET, "/api/v1/watch/namespaces/default/pods", "");
        assert_eq!(
            (i.verb, i.namespace.as_str(), i.resource.as_str()),
            (Verb::Watch, "default", "pods")
        );
        let i = c(
            Method::GET,
            "/api/v1/namespaces/d/pods/p/log",
            "follow=true",
        );
        assert_eq!((i.verb, i.subresource.as_str()), (Verb::Get, "log"));
        assert!(i.is_long_running());
        let i = c(Method::GET, "/api/v1/namespaces/d/pods/p/log", "");
        assert!(!i.is_long_running());
        // POST with watch=1 is still a create.
        let i = c(Method::POST, "/api/v1/namespaces/d/pods", "watch=1");
        assert_eq!(i.verb, Verb::Create);
    }

    #[test]
    fn classify_non_resource() {
        for path in [
            "/healthz",
            "/readyz/ping",
            "/version",
            "/api",
            "/api/v1",
            "/apis",
            "/apis/apps",
            "/apis/apps/v1",
            "/openapi/v3/api/v1",
            "/metrics",
            "/",
        ] {
            let i = c(Method::GET, path, "");
            assert!(!i.is_resource_request, "{path}");
            assert_eq!(i.resource, "", "{path}");
            assert_eq!(i.verb, Verb::Get, "{path}");
        }
    }

    #[test]
    fn render_counts_histograms_and_gauges() {
        let m = Metrics::new();
        let list = c(Method::GET, "/api/v1/namespaces/default/pods", "");
        m.observe(&list, 200, Duration::from_millis(3));
        m.observe(&list, 200, Duration::from_millis(30));
        m.observe(&list, 500, Duration::from_secs(100));
        let guard = m.watch_started("pods");
        let text = m.render();
        assert!(text.contains("# TYPE apiserver_request_total counter"));
        assert!(text.contains(
            "apiserver_request_total{verb=\"LIST\",resource=\"pods\",subresource=\"\",code=\"200\"} 2"
        ));
        assert!(text.contains(
            "apiserver_request_total{verb=\"LIST\",resource=\"pods\",subresource=\"\",code=\"500\"} 1"
        ));
        assert!(text.contains("# TYPE apiserver_request_duration_seconds histogram"));
        let prefix = "apiserver_request_duration_seconds_bucket{verb=\"LIST\",resource=\"pods\",";
        assert!(text.contains(&format!("{prefix}le=\"0.005\"}} 1")));
        assert!(text.contains(&format!("{prefix}le=\"0.025\"}} 1")));
        assert!(text.contains(&format!("{prefix}le=\"0.05\"}} 2")));
        assert!(text.contains(&format!("{prefix}le=\"60\"}} 2")));
        assert!(text.contains(&format!("{prefix}le=\"+Inf\"}} 3")));
        assert!(text.contains(
            "apiserver_request_duration_seconds_count{verb=\"LIST\",resource=\"pods\"} 3"
        ));
        assert!(
            text.contains("apiserver_longrunning_requests{verb=\"WATCH\",resource=\"pods\"} 1")
        );
        assert!(text.contains("process_resident_memory_bytes "));
        let start: f64 = text
            .lines()
            .find_map(|l| l.strip_prefix("process_start_time_seconds "))
            .unwrap()
            .parse()
            .unwrap();
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs_f64();
        assert!(
            start > now - 86_400.0 * 365.0 && start <= now + 1.0,
            "{start}"
        );
        drop(guard);
        assert!(
            m.render()
                .contains("apiserver_longrunning_requests{verb=\"WATCH\",resource=\"pods\"} 0")
        );
        // Every sample line is `name{labels} value` or `name value`.
        for line in m.render().lines().filter(|l| !l.starts_with('#')) {
            let value = line.rsplit(' ').next().unwrap();
            assert!(value.parse::<f64>().is_ok(), "{line}");
        }
    }

    #[test]
    fn label_values_are_escaped() {
        assert_eq!(escape("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
    }

    #[tokio::test]
    async fn track_middleware_counts_and_holds_watches() {
        let m = Metrics::new();
        let app = Router::new()
            .route("/api/v1/namespaces/{ns}/pods", get(|| async { "[]" }))
            .route(
                "/api/v1/namespaces/{ns}/pods/{name}",
                get(|| async { (http::StatusCode::NOT_FOUND, "no") }),
            )
            .layer(axum::middleware::from_fn_with_state(m.clone(), track));
        let req = |uri: &str| http::Request::get(uri).body(Body::empty()).unwrap();
        let resp = app
            .clone()
            .oneshot(req("/api/v1/namespaces/a/pods"))
            .await
            .unwrap();
        assert_eq!(resp.status(), 200);
        let resp = app
            .clone()
            .oneshot(req("/api/v1/namespaces/a/pods/x"))
            .await
            .unwrap();
        assert_eq!(resp.status(), 404);
        assert_eq!(m.request_count(Verb::List, "pods", "", 200), 1);
        assert_eq!(m.request_count(Verb::Get, "pods", "", 404), 1);

        let resp = app
            .clone()
            .oneshot(req("/api/v1/namespaces/a/pods?watch=1"))
            .await
            .unwrap();
        assert_eq!(m.request_count(Verb::Watch, "pods", "", 200), 1);
        assert_eq!(m.longrunning(Verb::Watch, "pods"), 1);
        let body = resp.into_body().collect().await.unwrap().to_bytes();
        assert_eq!(&body[..], b"[]");
        assert_eq!(m.longrunning(Verb::Watch, "pods"), 0);
    }
}
