//! The rkube benchmark (issue 3): not a test, a measurement.
//!
//! In one run it starts its own etcd and `rkube apiserver` processes and
//! measures, with the same ~1.5 KB Pod JSON everywhere:
//! - creates/s and p50/p99 latency at 1, 16 and 64 concurrent clients for raw
//!   etcd puts, the API server on the embedded store and on etcd;
//! - watch event delivery latency with 1,000 concurrent watchers;
//! - the API server's resident memory idle and with 10,000 pods stored.
//!
//! It prints a Markdown table and one JSON line. Run it with
//! `cargo run --release -p e2e --bin bench` (it builds the rkube binary of the
//! same profile first, unless `RKUBE_BIN` names one). Flags:
//! `--duration SECS` (per level, default 5), `--watchers N` (1000),
//! `--watch-events N` (50), `--memory-pods N` (10000), `--clients 1,16,64`.

use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use bytes::Bytes;
use e2e::bench_pod::pod_json;
use e2e::{Cluster, ClusterOptions, StoreBackend, TempDir, free_port, procfs};
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http2::SendRequest;
use hyper_util::rt::{TokioExecutor, TokioIo};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName};
use serde_json::{Value, json};

/// The parts of the benchmark, in the order they run.
const PARTS: [&str; 5] = ["raw", "embedded", "watch", "etcd", "memory"];

/// Benchmark settings.
#[derive(Clone, Debug)]
struct Settings {
    duration: Duration,
    clients: Vec<usize>,
    watchers: usize,
    watch_events: usize,
    memory_pods: usize,
    /// Which parts to run: raw, embedded, watch, etcd, memory.
    only: Vec<String>,
    /// Extra flags for the benchmark's etcd (both the raw and the etcd-store rows).
    etcd_args: Vec<String>,
    /// Extra alternating pairs of raw etcd and embedded-store levels at the
    /// highest client count, for a median ratio that this VM's drift from
    /// one minute to the next moves less than a single pair.
    pairs: usize,
}

impl Settings {
    fn runs(&self, part: &str) -> bool {
        self.only.iter().any(|p| p == part)
    }

    fn from_args() -> anyhow::Result<Settings> {
        let mut s = Settings {
            duration: Duration::from_secs(5),
            clients: vec![1, 16, 64],
            watchers: 1000,
            watch_events: 50,
            memory_pods: 10_000,
            only: PARTS.iter().map(|p| p.to_string()).collect(),
            etcd_args: Vec::new(),
            pairs: 0,
        };
        let mut args = std::env::args().skip(1);
        while let Some(flag) = args.next() {
            let mut value = || args.next().with_context(|| format!("{flag} needs a value"));
            match flag.as_str() {
                "--duration" => s.duration = Duration::from_secs_f64(value()?.parse()?),
                "--clients" => {
                    s.clients = value()?
                        .split(',')
                        .map(|c| c.trim().parse())
                        .collect::<Result<_, _>>()?
                }
                "--watchers" => s.watchers = value()?.parse()?,
                "--watch-events" => s.watch_events = value()?.parse()?,
                "--memory-pods" => s.memory_pods = value()?.parse()?,
                "--pairs" => s.pairs = value()?.parse()?,
                "--etcd-args" => {
                    s.etcd_args = value()?.split_whitespace().map(str::to_string).collect()
                }
                "--only" => {
                    s.only = value()?.split(',').map(|p| p.trim().to_string()).collect();
                    if let Some(bad) = s.only.iter().find(|p| !PARTS.contains(&p.as_str())) {
                        bail!("--only: unknown part {bad:?} (parts: {})", PARTS.join(","));
                    }
                }
                "-h" | "--help" => {
                    println!(
                        "bench [--duration SECS] [--clients 1,16,64] [--watchers N] [--watch-events N] [--memory-pods N] [--only raw,embedded,watch,etcd,memory] [--etcd-args \"--backend-batch-limit=200 ...\"] [--pairs N]"
                    );
                    std::process::exit(0);
                }
                other => bail!("unknown flag {other} (try --help)"),
            }
        }
        if s.clients.is_empty() || s.clients.contains(&0) {
            bail!("--clients needs positive numbers");
        }
        Ok(s)
    }
}

/// Latencies and counts of one load level.
#[derive(Clone, Debug)]
struct LevelResult {
    target: String,
    clients: usize,
    ok: usize,
    errors: usize,
    elapsed: Duration,
    p50: Duration,
    p99: Duration,
    first_error: Option<String>,
    /// CPU the server process (etcd or rkube) used during the level.
    server_cpu: Option<Duration>,
    /// CPU etcd used under the API server (etcd store rows).
    backend_cpu: Option<Duration>,
    /// CPU the benchmark process itself used (the clients).
    client_cpu: Option<Duration>,
}

impl LevelResult {
    fn rate(&self) -> f64 {
        self.ok as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }

    /// Microseconds of CPU per successful request.
    fn cpu_per_op(cpu: Option<Duration>, ok: usize) -> Option<f64> {
        cpu.filter(|_| ok > 0)
            .map(|c| (c.as_secs_f64() * 1e6 / ok as f64 * 10.0).round() / 10.0)
    }

    fn server_us(&self) -> Option<f64> {
        Self::cpu_per_op(self.server_cpu, self.ok)
    }

    fn backend_us(&self) -> Option<f64> {
        Self::cpu_per_op(self.backend_cpu, self.ok)
    }

    fn client_us(&self) -> Option<f64> {
        Self::cpu_per_op(self.client_cpu, self.ok)
    }

    fn to_json(&self) -> Value {
        json!({
            "target": self.target,
            "clients": self.clients,
            "ok": self.ok,
            "errors": self.errors,
            "per_sec": round1(self.rate()),
            "p50_ms": ms(self.p50),
            "p99_ms": ms(self.p99),
            "server_cpu_us_per_op": self.server_us(),
            "etcd_under_apiserver_cpu_us_per_op": self.backend_us(),
            "client_cpu_us_per_op": self.client_us(),
        })
    }
}

fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

fn ms(d: Duration) -> f64 {
    (d.as_secs_f64() * 1000.0 * 100.0).round() / 100.0
}

/// Nearest-rank percentile of sorted values.
fn percentile(sorted: &[Duration], q: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((q * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    sorted[rank - 1]
}

/// Runs `clients` workers calling `op(worker, seq)` until `duration` passes.
async fn run_level<F, Fut>(
    target: &str,
    clients: usize,
    duration: Duration,
    server: Option<u32>,
    backend: Option<u32>,
    op: F,
) -> LevelResult
where
    F: Fn(usize, usize) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = Result<(), String>> + Send,
{
    let op = Arc::new(op);
    let server_cpu0 = server.and_then(|pid| procfs::cpu_time(Some(pid)));
    let backend_cpu0 = backend.and_then(|pid| procfs::cpu_time(Some(pid)));
    let client_cpu0 = procfs::cpu_time(None);
    let started = Instant::now();
    let deadline = started + duration;
    let mut tasks = Vec::with_capacity(clients);
    for worker in 0..clients {
        let op = op.clone();
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            let mut errors = 0usize;
            let mut first_error = None;
            let mut seq = 0usize;
            while Instant::now() < deadline {
                let t0 = Instant::now();
                match op(worker, seq).await {
                    Ok(()) => latencies.push(t0.elapsed()),
                    Err(e) => {
                        errors += 1;
                        first_error.get_or_insert(e);
                    }
                }
                seq += 1;
            }
            (latencies, errors, first_error)
        }));
    }
    let mut all = Vec::new();
    let mut errors = 0;
    let mut first_error = None;
    for t in tasks {
        if let Ok((lat, err, first)) = t.await {
            all.extend(lat);
            errors += err;
            if first_error.is_none() {
                first_error = first;
            }
        }
    }
    let elapsed = started.elapsed();
    let used = |before: Option<Duration>, now: Option<Duration>| Some(now? - before?);
    let server_cpu = used(
        server_cpu0,
        server.and_then(|pid| procfs::cpu_time(Some(pid))),
    );
    let backend_cpu = used(
        backend_cpu0,
        backend.and_then(|pid| procfs::cpu_time(Some(pid))),
    );
    let client_cpu = used(client_cpu0, procfs::cpu_time(None));
    all.sort_unstable();
    LevelResult {
        server_cpu,
        backend_cpu,
        client_cpu,
        target: target.to_string(),
        clients,
        ok: all.len(),
        errors,
        elapsed,
        p50: percentile(&all, 0.50),
        p99: percentile(&all, 0.99),
        first_error,
    }
}

/// An etcd started for the benchmark, stopped on drop.
struct Etcd {
    child: Child,
    endpoint: String,
    _dir: TempDir,
}

impl Drop for Etcd {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn start_etcd(extra_args: &[String]) -> anyhow::Result<Etcd> {
    let dir = TempDir::new("rkube-bench-etcd")?;
    let client_port = free_port()?;
    let peer_port = free_port()?;
    let endpoint = format!("http://127.0.0.1:{client_port}");
    let peer = format!("http://127.0.0.1:{peer_port}");
    let log = std::fs::File::create(dir.path().join("etcd.log"))?;
    let child = Command::new("etcd")
        .arg("--name=bench")
        .arg(format!("--data-dir={}", dir.path().join("data").display()))
        .arg(format!("--listen-client-urls={endpoint}"))
        .arg(format!("--advertise-client-urls={endpoint}"))
        .arg(format!("--listen-peer-urls={peer}"))
        .arg(format!("--initial-advertise-peer-urls={peer}"))
        .arg(format!("--initial-cluster=bench={peer}"))
        .arg(format!("--quota-backend-bytes={}", 4u64 << 30))
        .args(extra_args)
        .stdin(Stdio::null())
        .stdout(log.try_clone()?)
        .stderr(log)
        .spawn()
        .context("starting etcd (is it installed? scripts/test installs etcd-server)")?;
    let etcd = Etcd {
        child,
        endpoint,
        _dir: dir,
    };
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Ok(mut c) = etcd_client::Client::connect([&etcd.endpoint], None).await
            && c.status().await.is_ok()
        {
            return Ok(etcd);
        }
        if Instant::now() > deadline {
            bail!("etcd at {} did not become healthy", etcd.endpoint);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// A few HTTP/2 connections to the API server, used round-robin.
#[derive(Clone)]
struct H2Client {
    senders: Arc<Vec<SendRequest<Full<Bytes>>>>,
    next: Arc<AtomicUsize>,
    base: String,
    auth: String,
}

impl H2Client {
    async fn connect(cluster: &Cluster, connections: usize) -> anyhow::Result<H2Client> {
        let ca = std::fs::read(cluster.data_dir().join("pki").join("ca.crt"))?;
        let token = cluster.admin_token().context("no admin token")?;
        let mut roots = rustls::RootCertStore::empty();
        roots.add(CertificateDer::from_pem_slice(&ca)?)?;
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let mut config = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()?
            .with_root_certificates(roots)
            .with_no_client_auth();
        config.alpn_protocols = vec![b"h2".to_vec()];
        let connector = tokio_rustls::TlsConnector::from(Arc::new(config));
        let addr: SocketAddr = format!("127.0.0.1:{}", cluster.port()).parse()?;
        let mut senders = Vec::new();
        for _ in 0..connections.max(1) {
            let tcp = tokio::net::TcpStream::connect(addr).await?;
            tcp.set_nodelay(true)?;
            let name = ServerName::IpAddress(addr.ip().into());
            let tls = connector.connect(name, tcp).await?;
            let (sender, conn) = hyper::client::conn::http2::Builder::new(TokioExecutor::new())
                .initial_stream_window_size(1 << 20)
                .initial_connection_window_size(8 << 20)
                .handshake(TokioIo::new(tls))
                .await?;
            tokio::spawn(async move {
                let _ = conn.await;
            });
            senders.push(sender);
        }
        Ok(H2Client {
            senders: Arc::new(senders),
            next: Arc::new(AtomicUsize::new(0)),
            base: format!("https://127.0.0.1:{}", cluster.port()),
            auth: format!("Bearer {token}"),
        })
    }

    fn request(&self, method: http::Method, path: &str, body: Bytes) -> http::Request<Full<Bytes>> {
        let mut req = http::Request::new(Full::new(body));
        *req.method_mut() = method;
        *req.uri_mut() = format!("{}{path}", self.base)
            .parse()
            .unwrap_or_else(|_| http::Uri::from_static("/"));
        let h = req.headers_mut();
        h.insert(
            http::header::AUTHORIZATION,
            http::HeaderValue::from_str(&self.auth).unwrap_or(http::HeaderValue::from_static("")),
        );
        h.insert(
            http::header::CONTENT_TYPE,
            http::HeaderValue::from_static("application/json"),
        );
        h.insert(
            http::header::ACCEPT,
            http::HeaderValue::from_static("application/json"),
        );
        req
    }

    fn sender(&self) -> SendRequest<Full<Bytes>> {
        let i = self.next.fetch_add(1, Ordering::Relaxed) % self.senders.len();
        self.senders[i].clone()
    }

    /// Sends a request and reads the whole answer.
    async fn call(
        &self,
        method: http::Method,
        path: &str,
        body: Bytes,
    ) -> Result<(http::StatusCode, Bytes), String> {
        let mut sender = self.sender();
        let resp = sender
            .send_request(self.request(method, path, body))
            .await
            .map_err(|e| e.to_string())?;
        let status = resp.status();
        let body = resp
            .into_body()
            .collect()
            .await
            .map_err(|e| e.to_string())?
            .to_bytes();
        Ok((status, body))
    }

    /// POSTs and expects 201.
    async fn create(&self, path: &str, body: Bytes) -> Result<(), String> {
        let (status, body) = self.call(http::Method::POST, path, body).await?;
        if status == http::StatusCode::CREATED {
            Ok(())
        } else {
            Err(format!("{status}: {}", String::from_utf8_lossy(&body)))
        }
    }
}

/// Up to 4 gRPC connections to etcd (fewer if fewer clients), which the
/// workers take round-robin.
async fn kv_clients(
    etcd: &Etcd,
    clients: usize,
) -> anyhow::Result<Arc<Vec<etcd_client::KvClient>>> {
    let mut kvs = Vec::new();
    for _ in 0..clients.min(4) {
        kvs.push(
            etcd_client::Client::connect([&etcd.endpoint], None)
                .await?
                .kv_client(),
        );
    }
    Ok(Arc::new(kvs))
}

async fn bench_raw_etcd(etcd: &Etcd, s: &Settings) -> anyhow::Result<Vec<LevelResult>> {
    let mut results = Vec::new();
    for &clients in &s.clients {
        results.push(raw_put_level(etcd, clients, s.duration, "").await?);
    }
    results.push(bench_etcd_floor(etcd, s).await?);
    Ok(results)
}

/// One level of raw etcd puts; `round` keeps the keys of repeated levels apart.
async fn raw_put_level(
    etcd: &Etcd,
    clients: usize,
    duration: Duration,
    round: &str,
) -> anyhow::Result<LevelResult> {
    let kvs = kv_clients(etcd, clients).await?;
    let round = round.to_string();
    let r = run_level(
        "raw etcd put",
        clients,
        duration,
        Some(etcd.child.id()),
        None,
        move |worker, seq| {
            let mut kv = kvs[worker % kvs.len()].clone();
            let name = format!("raw{round}-{clients}-{worker}-{seq}");
            async move {
                let key = format!("/bench-raw/pods/default/{name}");
                kv.put(key, pod_json(&name).to_vec(), None)
                    .await
                    .map(|_| ())
                    .map_err(|e| e.to_string())
            }
        },
    )
    .await;
    report_progress(&r);
    Ok(r)
}

/// What etcd itself must do for any API server that stores in it, at the
/// highest client count: a create-if-absent transaction per object (the
/// compare that keeps a create from overwriting) with one watch open on the
/// prefix (the watch cache's feed). No API server: the ceiling of the etcd
/// store's rate on this machine and this etcd.
async fn bench_etcd_floor(etcd: &Etcd, s: &Settings) -> anyhow::Result<LevelResult> {
    let clients = s.clients.iter().copied().max().unwrap_or(1);
    let prefix = "/bench-floor/pods/";
    let mut watcher = etcd_client::Client::connect([&etcd.endpoint], None).await?;
    let mut stream = watcher
        .watch(prefix, Some(etcd_client::WatchOptions::new().with_prefix()))
        .await?;
    let seen = Arc::new(AtomicUsize::new(0));
    let counter = seen.clone();
    let drain = tokio::spawn(async move {
        while let Ok(Some(resp)) = stream.message().await {
            counter.fetch_add(resp.events().len(), Ordering::Relaxed);
        }
    });
    let kvs = kv_clients(etcd, clients).await?;
    let r = run_level(
        "raw etcd create txn + watch",
        clients,
        s.duration,
        Some(etcd.child.id()),
        None,
        move |worker, seq| {
            let mut kv = kvs[worker % kvs.len()].clone();
            async move {
                let name = format!("floor-{worker}-{seq}");
                let key = format!("{prefix}default/{name}");
                let txn = etcd_client::Txn::new()
                    .when([etcd_client::Compare::create_revision(
                        key.as_str(),
                        etcd_client::CompareOp::Equal,
                        0,
                    )])
                    .and_then([etcd_client::TxnOp::put(
                        key.as_str(),
                        pod_json(&name).to_vec(),
                        None,
                    )]);
                match kv.txn(txn).await {
                    Ok(resp) if resp.succeeded() => Ok(()),
                    Ok(_) => Err(format!("{key} already exists")),
                    Err(e) => Err(e.to_string()),
                }
            }
        },
    )
    .await;
    drain.abort();
    report_progress(&r);
    if seen.load(Ordering::Relaxed) == 0 && r.ok > 0 {
        bail!("the floor's watch saw none of {} creates", r.ok);
    }
    Ok(r)
}

async fn bench_apiserver(
    label: &str,
    cluster: &Cluster,
    backend: Option<u32>,
    s: &Settings,
) -> anyhow::Result<Vec<LevelResult>> {
    let mut results = Vec::new();
    for &clients in &s.clients {
        results.push(create_level(label, cluster, backend, clients, s.duration, "").await?);
    }
    Ok(results)
}

/// One level of Pod creates through the API server; `round` keeps the names
/// of repeated levels apart.
async fn create_level(
    label: &str,
    cluster: &Cluster,
    backend: Option<u32>,
    clients: usize,
    duration: Duration,
    round: &str,
) -> anyhow::Result<LevelResult> {
    let client = H2Client::connect(cluster, clients.div_ceil(16)).await?;
    let tag = label.replace(|c: char| !c.is_ascii_alphanumeric(), "");
    let tag = format!("{tag}{round}");
    let r = run_level(
        label,
        clients,
        duration,
        cluster.pid(),
        backend,
        move |worker, seq| {
            let client = client.clone();
            let name = format!("{tag}-{clients}-{worker}-{seq}");
            async move {
                client
                    .create("/api/v1/namespaces/default/pods", pod_json(&name))
                    .await
            }
        },
    )
    .await;
    report_progress(&r);
    Ok(r)
}

/// `--pairs N`: N more levels of raw etcd puts and of embedded-store creates
/// at the highest client count, alternating, so that both see the same
/// stretch of this VM's drift. Returns the rates of each pair.
async fn bench_pairs(
    etcd: &Etcd,
    embedded: &Cluster,
    s: &Settings,
) -> anyhow::Result<Vec<(f64, f64)>> {
    let top = s.clients.iter().copied().max().unwrap_or(64);
    let mut pairs = Vec::new();
    for round in 0..s.pairs {
        let tag = format!("p{round}");
        let raw = raw_put_level(etcd, top, s.duration, &tag).await?;
        let label = "rkube (embedded store)";
        let emb = create_level(label, embedded, None, top, s.duration, &tag).await?;
        pairs.push((raw.rate(), emb.rate()));
    }
    Ok(pairs)
}

/// The HTTPS stack alone (TLS, HTTP/2, authentication, metrics): `GET
/// /version` at the highest client count, as a ceiling for the creates.
async fn bench_http_baseline(cluster: &Cluster, s: &Settings) -> anyhow::Result<LevelResult> {
    let clients = s.clients.iter().copied().max().unwrap_or(1);
    let client = H2Client::connect(cluster, clients.div_ceil(16)).await?;
    let r = run_level(
        "rkube GET /version",
        clients,
        s.duration,
        cluster.pid(),
        None,
        move |_, _| {
            let client = client.clone();
            async move {
                match client
                    .call(http::Method::GET, "/version", Bytes::new())
                    .await?
                {
                    (status, _) if status.is_success() => Ok(()),
                    (status, body) => Err(format!("{status}: {}", String::from_utf8_lossy(&body))),
                }
            }
        },
    )
    .await;
    report_progress(&r);
    Ok(r)
}

fn fmt_us(us: Option<f64>) -> String {
    us.map(|u| format!("{u:.0}"))
        .unwrap_or_else(|| "-".to_string())
}

fn report_progress(r: &LevelResult) {
    eprintln!(
        "  {:<22} {:>3} clients: {:>8.0} creates/s  p50 {:>7.2} ms  p99 {:>7.2} ms  CPU/op server {} µs etcd {} µs client {} µs  errors {}{}",
        r.target,
        r.clients,
        r.rate(),
        ms(r.p50),
        ms(r.p99),
        fmt_us(r.server_us()),
        fmt_us(r.backend_us()),
        fmt_us(r.client_us()),
        r.errors,
        r.first_error
            .as_deref()
            .map(|e| format!(" (first: {})", e.chars().take(200).collect::<String>()))
            .unwrap_or_default()
    );
}

/// Watch delivery latency: `watchers` watches on configmaps, then
/// `events` creates; latency = arrival − the moment the create was sent.
#[derive(Debug)]
struct WatchResult {
    watchers: usize,
    events: usize,
    delivered: usize,
    p50: Duration,
    p99: Duration,
    max: Duration,
}

async fn bench_watch(cluster: &Cluster, s: &Settings) -> anyhow::Result<WatchResult> {
    // The server allows 200 streams per HTTP/2 connection: 100 per connection.
    let client = H2Client::connect(cluster, s.watchers.div_ceil(100).max(1)).await?;
    let (status, body) = client
        .call(
            http::Method::GET,
            "/api/v1/namespaces/default/configmaps?limit=1",
            Bytes::new(),
        )
        .await
        .map_err(anyhow::Error::msg)?;
    if !status.is_success() {
        bail!("listing configmaps: {status}");
    }
    let list: Value = serde_json::from_slice(&body)?;
    let rv = list["metadata"]["resourceVersion"]
        .as_str()
        .unwrap_or("0")
        .to_string();

    let base = Instant::now();
    let sent: Arc<Vec<AtomicU64>> =
        Arc::new((0..s.watch_events).map(|_| AtomicU64::new(0)).collect());
    let path = format!(
        "/api/v1/namespaces/default/configmaps?watch=1&resourceVersion={rv}&timeoutSeconds=120"
    );
    let mut watchers = Vec::new();
    let (ready_tx, mut ready_rx) = tokio::sync::mpsc::channel::<Result<(), String>>(s.watchers);
    for _ in 0..s.watchers {
        let client = client.clone();
        let path = path.clone();
        let sent = sent.clone();
        let ready = ready_tx.clone();
        let expected = s.watch_events;
        watchers.push(tokio::spawn(async move {
            let mut sender = client.sender();
            let resp = match sender
                .send_request(client.request(http::Method::GET, &path, Bytes::new()))
                .await
            {
                Ok(r) if r.status().is_success() => {
                    let _ = ready.send(Ok(())).await;
                    r
                }
                Ok(r) => {
                    let _ = ready.send(Err(format!("watch: {}", r.status()))).await;
                    return Vec::new();
                }
                Err(e) => {
                    let _ = ready.send(Err(format!("watch: {e}"))).await;
                    return Vec::new();
                }
            };
            let mut body = resp.into_body();
            let mut buf = Vec::new();
            let mut latencies = Vec::with_capacity(expected);
            let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
            while latencies.len() < expected {
                let frame = match tokio::time::timeout_at(deadline, body.frame()).await {
                    Ok(Some(Ok(frame))) => frame,
                    _ => break,
                };
                let Ok(data) = frame.into_data() else {
                    continue;
                };
                let now = base.elapsed().as_nanos() as u64;
                buf.extend_from_slice(&data);
                while let Some(pos) = buf.iter().position(|&b| b == b'\n') {
                    let line: Vec<u8> = buf.drain(..=pos).collect();
                    let Ok(event) = serde_json::from_slice::<Value>(&line) else {
                        continue;
                    };
                    let Some(k) = event["object"]["metadata"]["name"]
                        .as_str()
                        .and_then(|n| n.strip_prefix("wev-"))
                        .and_then(|k| k.parse::<usize>().ok())
                    else {
                        continue;
                    };
                    if let Some(at) = sent.get(k).map(|a| a.load(Ordering::Acquire))
                        && at > 0
                    {
                        latencies.push(Duration::from_nanos(now.saturating_sub(at)));
                    }
                }
            }
            latencies
        }));
    }
    drop(ready_tx);
    for _ in 0..s.watchers {
        match ready_rx.recv().await {
            Some(Ok(())) => {}
            Some(Err(e)) => bail!("{e}"),
            None => bail!("watchers ended before starting"),
        }
    }
    // Let every watch reach the server's watch cache before writing.
    tokio::time::sleep(Duration::from_millis(500)).await;
    for k in 0..s.watch_events {
        let cm = json!({
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": {"name": format!("wev-{k}"), "namespace": "default"},
            "data": {"k": k.to_string()}
        });
        sent[k].store(base.elapsed().as_nanos().max(1) as u64, Ordering::Release);
        client
            .create(
                "/api/v1/namespaces/default/configmaps",
                Bytes::from(cm.to_string()),
            )
            .await
            .map_err(anyhow::Error::msg)?;
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let mut all = Vec::new();
    for w in watchers {
        all.extend(w.await.unwrap_or_default());
    }
    all.sort_unstable();
    Ok(WatchResult {
        watchers: s.watchers,
        events: s.watch_events,
        delivered: all.len(),
        p50: percentile(&all, 0.50),
        p99: percentile(&all, 0.99),
        max: all.last().copied().unwrap_or_default(),
    })
}

fn rss_bytes(pid: u32) -> Option<u64> {
    procfs::status_bytes(pid, "VmRSS:")
}

#[derive(Debug)]
struct MemoryResult {
    idle: u64,
    loaded: u64,
    pods: usize,
}

async fn bench_memory(s: &Settings) -> anyhow::Result<MemoryResult> {
    let cluster = start_apiserver(StoreBackend::Embedded, vec![])?;
    let pid = cluster.pid().context("no pid")?;
    tokio::time::sleep(Duration::from_secs(2)).await;
    let idle = rss_bytes(pid).context("reading RSS")?;
    let client = H2Client::connect(&cluster, 4).await?;
    let next = Arc::new(AtomicUsize::new(0));
    let total = s.memory_pods;
    let mut tasks = Vec::new();
    for _ in 0..64 {
        let client = client.clone();
        let next = next.clone();
        tasks.push(tokio::spawn(async move {
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= total {
                    return Ok::<(), String>(());
                }
                client
                    .create(
                        "/api/v1/namespaces/default/pods",
                        pod_json(&format!("mem-{i}")),
                    )
                    .await?;
            }
        }));
    }
    for t in tasks {
        t.await?.map_err(anyhow::Error::msg)?;
    }
    tokio::time::sleep(Duration::from_secs(2)).await;
    let loaded = rss_bytes(pid).context("reading RSS")?;
    Ok(MemoryResult {
        idle,
        loaded,
        pods: total,
    })
}

fn start_apiserver(store: StoreBackend, extra_args: Vec<String>) -> anyhow::Result<Cluster> {
    Cluster::start(ClusterOptions {
        subcommand: "apiserver",
        store,
        extra_args,
        rust_log: "warn".to_string(),
    })
    .context("starting rkube apiserver")
}

/// Builds the rkube binary of this profile unless `RKUBE_BIN` is set.
fn build_rkube() -> anyhow::Result<()> {
    if std::env::var_os("RKUBE_BIN").is_some() {
        return Ok(());
    }
    let manifest = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join("Cargo.toml");
    let mut cmd = Command::new(env!("CARGO"));
    cmd.args(["build", "-p", "rkube", "--manifest-path"])
        .arg(&manifest);
    if !cfg!(debug_assertions) {
        cmd.arg("--release");
    } else {
        eprintln!("warning: this is a debug build; run with --release for meaningful figures");
    }
    eprintln!("building rkube ...");
    let status = cmd.status().context("running cargo build -p rkube")?;
    if !status.success() {
        bail!("cargo build -p rkube failed");
    }
    Ok(())
}

fn machine() -> String {
    let cores = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(0);
    let mem_gib = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|m| {
            m.lines()
                .find(|l| l.starts_with("MemTotal:"))?
                .split_whitespace()
                .nth(1)?
                .parse::<u64>()
                .ok()
        })
        .map(|kb| kb as f64 / (1024.0 * 1024.0))
        .unwrap_or(0.0);
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|c| {
            c.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(|s| s.trim().to_string())
        })
        .unwrap_or_else(|| "unknown CPU".to_string());
    format!("{cores} cores ({cpu}), {mem_gib:.0} GiB")
}

fn today() -> String {
    Command::new("date")
        .args(["-u", "+%Y-%m-%d %H:%M UTC"])
        .output()
        .ok()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_default()
}

fn mib(bytes: u64) -> f64 {
    (bytes as f64 / (1024.0 * 1024.0) * 10.0).round() / 10.0
}

fn check(ok: bool) -> &'static str {
    if ok { "yes" } else { "**no**" }
}

fn print_report(
    s: &Settings,
    levels: &[LevelResult],
    watch: &Option<WatchResult>,
    memory: &Option<MemoryResult>,
    pairs: &[(f64, f64)],
) {
    let when = today();
    let machine = machine();
    println!();
    println!("### rkube benchmark — {when}, {machine}");
    println!();
    println!(
        "Creates of a {}-byte Pod JSON, {} s per level, over HTTPS/2 (API server) or gRPC (raw etcd); \
         `GET /version` shows the HTTPS stack's own ceiling. CPU per request from /proc: the server \
         process (etcd or rkube), etcd under rkube on the etcd store, and this benchmark's clients.",
        pod_json("bench-web-7d9f8b6c5d-abcde").len(),
        s.duration.as_secs_f64()
    );
    println!();
    println!(
        "| target | clients | requests/s | p50 (ms) | p99 (ms) | server CPU/op (µs) | etcd under rkube CPU/op (µs) | client CPU/op (µs) | errors |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
    for r in levels {
        println!(
            "| {} | {} | {:.0} | {:.2} | {:.2} | {} | {} | {} | {} |",
            r.target,
            r.clients,
            r.rate(),
            ms(r.p50),
            ms(r.p99),
            fmt_us(r.server_us()),
            fmt_us(r.backend_us()),
            fmt_us(r.client_us()),
            r.errors
        );
    }
    let rate = |target: &str, clients: usize| {
        levels
            .iter()
            .find(|r| r.target == target && r.clients == clients)
            .map(LevelResult::rate)
    };
    let p99 = |target: &str, clients: usize| {
        levels
            .iter()
            .find(|r| r.target == target && r.clients == clients)
            .map(|r| r.p99)
    };
    let top = s.clients.iter().copied().max().unwrap_or(1);
    println!();
    if let Some(w) = watch {
        println!(
            "Watch delivery, {} watchers × {} events: p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms ({} of {} deliveries).",
            w.watchers,
            w.events,
            ms(w.p50),
            ms(w.p99),
            ms(w.max),
            w.delivered,
            w.watchers * w.events
        );
    }
    if let Some(m) = memory {
        println!(
            "API server RSS (embedded store): idle {:.1} MiB, with {} pods {:.1} MiB.",
            mib(m.idle),
            m.pods,
            mib(m.loaded)
        );
    }
    let mut ratios: Vec<f64> = pairs.iter().map(|(raw, emb)| emb / raw).collect();
    ratios.sort_by(f64::total_cmp);
    if !pairs.is_empty() {
        let list: Vec<String> = pairs
            .iter()
            .map(|(raw, emb)| format!("{emb:.0}/{raw:.0} = {:.2}×", emb / raw))
            .collect();
        println!();
        println!(
            "Alternating pairs at {top} clients (embedded-store creates/s / raw etcd puts/s): {}.",
            list.join(", ")
        );
    }
    println!();
    println!("| target (issue 3) | measured | met |");
    println!("|---|---|---|");
    if let (Some(raw), Some(etcd)) = (rate("raw etcd put", top), rate("rkube (etcd store)", top)) {
        println!(
            "| etcd store ≥ ½ raw etcd rate ({top} clients) | {:.2}× | {} |",
            etcd / raw,
            check(etcd >= raw / 2.0)
        );
    }
    if let (Some(raw), Some(floor)) = (
        rate("raw etcd put", top),
        rate("raw etcd create txn + watch", top),
    ) {
        println!(
            "| (bound for the etcd store) etcd's own create txn + watch, no API server ({top} clients) | {:.2}× | - |",
            floor / raw
        );
    }
    if let (Some(raw), Some(emb)) = (
        rate("raw etcd put", top),
        rate("rkube (embedded store)", top),
    ) {
        println!(
            "| embedded store beats raw etcd ({top} clients) | {:.2}× | {} |",
            emb / raw,
            check(emb > raw)
        );
    }
    if let (Some(lo), Some(hi)) = (ratios.first(), ratios.last()) {
        let n = ratios.len();
        let median = if n % 2 == 1 {
            ratios[n / 2]
        } else {
            (ratios[n / 2 - 1] + ratios[n / 2]) / 2.0
        };
        println!(
            "| embedded store beats raw etcd, median of {n} alternating pairs ({top} clients) | {median:.2}× ({lo:.2}-{hi:.2}) | {} |",
            check(median > 1.0)
        );
    }
    for target in ["rkube (embedded store)", "rkube (etcd store)"] {
        if let Some(p) = p99(target, top) {
            println!(
                "| {target}: p99 < 50 ms at {top} clients | {:.2} ms | {} |",
                ms(p),
                check(p < Duration::from_millis(50))
            );
        }
    }
    if let Some(w) = watch {
        println!(
            "| watch delivery p99 < 100 ms | {:.2} ms | {} |",
            ms(w.p99),
            check(w.p99 < Duration::from_millis(100) && w.delivered == w.watchers * w.events)
        );
    }
    if let Some(m) = memory {
        println!(
            "| idle RSS < 30 MB | {:.1} MiB | {} |",
            mib(m.idle),
            check(m.idle < 30 * 1000 * 1000)
        );
    }

    let line = json!({
        "bench": "rkube-issue-3",
        "date": when,
        "machine": machine,
        "pod_bytes": pod_json("bench-web-7d9f8b6c5d-abcde").len(),
        "seconds_per_level": s.duration.as_secs_f64(),
        "creates": levels.iter().map(LevelResult::to_json).collect::<Vec<_>>(),
        "watch": watch.as_ref().map(|w| json!({
            "watchers": w.watchers, "events": w.events, "delivered": w.delivered,
            "p50_ms": ms(w.p50), "p99_ms": ms(w.p99), "max_ms": ms(w.max),
        })),
        "pairs": pairs.iter().map(|(raw, emb)| json!({
            "raw_etcd_per_sec": round1(*raw), "embedded_per_sec": round1(*emb),
        })).collect::<Vec<_>>(),
        "rss": memory.as_ref().map(|m| json!({
            "idle_bytes": m.idle, "loaded_bytes": m.loaded, "pods": m.pods,
        })),
    });
    println!();
    println!("{line}");
}

async fn run(s: Settings) -> anyhow::Result<()> {
    build_rkube()?;
    let mut levels = Vec::new();

    let etcd = if s.runs("raw") || s.runs("etcd") {
        eprintln!("starting etcd ...");
        Some(start_etcd(&s.etcd_args).await?)
    } else {
        None
    };
    if let (Some(etcd), true) = (&etcd, s.runs("raw")) {
        eprintln!("raw etcd puts:");
        levels.extend(bench_raw_etcd(etcd, &s).await?);
    }

    let mut watch = None;
    let mut pairs = Vec::new();
    if s.runs("embedded") || s.runs("watch") {
        let embedded = start_apiserver(StoreBackend::Embedded, vec![])?;
        if s.runs("embedded") {
            eprintln!("rkube apiserver, embedded store:");
            levels.extend(bench_apiserver("rkube (embedded store)", &embedded, None, &s).await?);
            levels.push(bench_http_baseline(&embedded, &s).await?);
            if let (Some(etcd), true) = (&etcd, s.pairs > 0) {
                eprintln!("alternating pairs, raw etcd puts and embedded-store creates:");
                pairs = bench_pairs(etcd, &embedded, &s).await?;
            }
        }
        if s.runs("watch") {
            eprintln!("watch delivery, {} watchers:", s.watchers);
            match bench_watch(&embedded, &s).await {
                Ok(w) => {
                    eprintln!(
                        "  p50 {:.2} ms, p99 {:.2} ms, {} deliveries",
                        ms(w.p50),
                        ms(w.p99),
                        w.delivered
                    );
                    watch = Some(w);
                }
                Err(e) => eprintln!("  watch benchmark failed: {e:#}"),
            }
        }
    }

    if let (Some(etcd), true) = (&etcd, s.runs("etcd")) {
        eprintln!("rkube apiserver, etcd store:");
        let on_etcd = start_apiserver(
            StoreBackend::Etcd(vec![etcd.endpoint.clone()]),
            vec!["--etcd-prefix".into(), "/bench-rkube".into()],
        )?;
        levels.extend(
            bench_apiserver("rkube (etcd store)", &on_etcd, Some(etcd.child.id()), &s).await?,
        );
    }
    drop(etcd);

    let mut memory = None;
    if s.runs("memory") {
        eprintln!("memory, {} pods:", s.memory_pods);
        match bench_memory(&s).await {
            Ok(m) => memory = Some(m),
            Err(e) => eprintln!("  memory benchmark failed: {e:#}"),
        }
    }

    print_report(&s, &levels, &watch, &memory, &pairs);
    Ok(())
}

fn main() -> std::process::ExitCode {
    let settings = match Settings::from_args() {
        Ok(s) => s,
        Err(e) => {
            eprintln!("bench: {e:#}");
            return std::process::ExitCode::from(2);
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("bench: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(settings)) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("bench: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
