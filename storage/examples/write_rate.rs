//! Rough write rate of a store: `clients` concurrent tasks each creating
//! distinct keys with a ~1.5 KB value (about a Pod's JSON), as creates/s and
//! latency percentiles. Not a test; the whole-system benchmark lives in e2e.
//!
//! ```sh
//! cargo run --release -p storage --example write_rate -- embedded [DIR]
//! cargo run --release -p storage --example write_rate -- etcd http://127.0.0.1:2379
//! cargo run --release -p storage --example write_rate -- raw-etcd http://127.0.0.1:2379
//! ```
//! `raw-etcd` measures plain etcd puts (4 connections) for comparison,
//! `raw-etcd-txn` the same through a create-if-absent transaction.
//! `WRITES` (default 20000) sets the number of writes per concurrency level,
//! `CLIENTS` (default `1,16,64`) the concurrency levels, `CONNECTIONS`
//! (default [`EtcdConfig`]'s) the etcd backend's gRPC connections.
//! `WATCH=1` also watches
//! the written prefix (as the API server's watch cache does) and counts the
//! events. `ETCD_PID` adds etcd's CPU time per write to the table; the
//! `cpu us` column is this process's user+system CPU time per write.

use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use storage::{EmbeddedConfig, EmbeddedStore, EtcdConfig, EtcdStore, Store};

/// Plain etcd puts (no transaction, no prefix), for comparison.
struct RawEtcd {
    clients: Vec<etcd_client::Client>,
    next: std::sync::atomic::AtomicUsize,
    /// Put through a create-if-absent transaction instead of a plain put.
    txn: bool,
}

impl RawEtcd {
    async fn put(&self, key: &str, value: Bytes) -> Result<(), etcd_client::Error> {
        let i = self.next.fetch_add(1, std::sync::atomic::Ordering::Relaxed) % self.clients.len();
        let mut kv = self.clients[i].kv_client();
        if self.txn {
            let txn = etcd_client::Txn::new()
                .when([etcd_client::Compare::create_revision(
                    key,
                    etcd_client::CompareOp::Equal,
                    0,
                )])
                .and_then([etcd_client::TxnOp::put(key, value.to_vec(), None)]);
            kv.txn(txn).await?;
        } else {
            kv.put(key, value.to_vec(), None).await?;
        }
        Ok(())
    }
}

/// What the benchmark writes to: one of our stores, or etcd directly.
#[derive(Clone)]
enum Target {
    Store(Arc<dyn Store>),
    Raw(Arc<RawEtcd>),
}

impl Target {
    async fn create(&self, key: &str, value: Bytes) -> Result<(), String> {
        match self {
            Target::Store(s) => s
                .create(key, value)
                .await
                .map(drop)
                .map_err(|e| e.to_string()),
            Target::Raw(r) => r.put(key, value).await.map_err(|e| e.to_string()),
        }
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let backend = args.first().map_or("embedded", String::as_str);
    let writes: usize = std::env::var("WRITES")
        .ok()
        .and_then(|w| w.parse().ok())
        .unwrap_or(20_000);
    let _tmp;
    let store: Target = match backend {
        "embedded" => {
            let dir = match args.get(1) {
                Some(d) => std::path::PathBuf::from(d),
                None => {
                    let t = tempfile::tempdir()?;
                    let p = t.path().to_path_buf();
                    _tmp = t;
                    p
                }
            };
            Target::Store(Arc::new(EmbeddedStore::open(
                dir,
                EmbeddedConfig::default(),
            )?))
        }
        "etcd" => {
            let endpoints = args
                .get(1)
                .cloned()
                .unwrap_or_else(|| "http://127.0.0.1:2379".into());
            let prefix = format!("/rkube-bench/{}", std::process::id());
            Target::Store(Arc::new(
                EtcdStore::connect(EtcdConfig {
                    prefix,
                    compaction_interval: None,
                    connections: std::env::var("CONNECTIONS")
                        .ok()
                        .and_then(|c| c.parse().ok())
                        .unwrap_or(EtcdConfig::default().connections),
                    ..EtcdConfig::new([endpoints])
                })
                .await?,
            ))
        }
        "raw-etcd" | "raw-etcd-txn" => {
            let endpoints = args
                .get(1)
                .cloned()
                .unwrap_or_else(|| "http://127.0.0.1:2379".into());
            let mut clients = Vec::new();
            for _ in 0..4 {
                clients.push(etcd_client::Client::connect([endpoints.as_str()], None).await?);
            }
            Target::Raw(Arc::new(RawEtcd {
                clients,
                next: Default::default(),
                txn: backend == "raw-etcd-txn",
            }))
        }
        other => return Err(format!("unknown backend {other}").into()),
    };
    let levels: Vec<usize> = std::env::var("CLIENTS")
        .ok()
        .map(|c| c.split(',').filter_map(|n| n.trim().parse().ok()).collect())
        .unwrap_or_else(|| vec![1, 16, 64]);
    let etcd_pid: Option<u32> = std::env::var("ETCD_PID").ok().and_then(|p| p.parse().ok());
    let watched = Arc::new(std::sync::atomic::AtomicU64::new(0));
    if std::env::var("WATCH").is_ok_and(|w| w == "1") {
        let Target::Store(s) = &store else {
            return Err("WATCH=1 needs a store backend".into());
        };
        let mut events = s
            .watch(&format!("/rkube-bench/{}/", std::process::id()), 0)
            .await?;
        let watched = watched.clone();
        tokio::spawn(async move {
            use futures::StreamExt;
            while let Some(e) = events.next().await {
                if e.is_err() {
                    break;
                }
                watched.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            }
        });
    }
    let value = Bytes::from(vec![b'x'; 1500]);
    println!("backend={backend} writes={writes}");
    println!(
        "{:>8} {:>10} {:>9} {:>9} {:>8} {:>8}",
        "clients", "writes/s", "p50 ms", "p99 ms", "cpu us", "etcd us"
    );
    for (round, clients) in levels.into_iter().enumerate() {
        let per_client = writes / clients;
        let cpu_before = cpu_ticks("self");
        let etcd_before = etcd_pid.and_then(|p| cpu_ticks(&p.to_string()));
        let started = Instant::now();
        let tasks: Vec<_> = (0..clients)
            .map(|c| {
                let store = store.clone();
                let value = value.clone();
                tokio::spawn(async move {
                    let mut lat = Vec::with_capacity(per_client);
                    for i in 0..per_client {
                        let key = format!(
                            "/rkube-bench/{}/pods/bench{round}/c{c}-{i}",
                            std::process::id()
                        );
                        let t = Instant::now();
                        store.create(&key, value.clone()).await?;
                        lat.push(t.elapsed());
                    }
                    Ok::<_, String>(lat)
                })
            })
            .collect();
        let mut lat: Vec<Duration> = Vec::new();
        for t in tasks {
            lat.extend(t.await??);
        }
        let secs = started.elapsed().as_secs_f64();
        lat.sort();
        let pct = |p: f64| lat[((lat.len() as f64 * p) as usize).min(lat.len() - 1)];
        let per_op = |before: Option<u64>, pid: &str| match (before, cpu_ticks(pid)) {
            (Some(b), Some(a)) => format!(
                "{:.0}",
                (a - b) as f64 * 1e6 / TICKS_PER_SEC / lat.len() as f64
            ),
            _ => "-".into(),
        };
        println!(
            "{clients:>8} {:>10.0} {:>9.2} {:>9.2} {:>8} {:>8}",
            lat.len() as f64 / secs,
            pct(0.5).as_secs_f64() * 1e3,
            pct(0.99).as_secs_f64() * 1e3,
            per_op(cpu_before, "self"),
            etcd_pid.map_or("-".into(), |p| per_op(etcd_before, &p.to_string())),
        );
    }
    let events = watched.load(std::sync::atomic::Ordering::Relaxed);
    if events > 0 {
        println!("watch events received: {events}");
    }
    Ok(())
}

/// Clock ticks per second of `/proc/<pid>/stat` (`USER_HZ`, 100 on Linux).
const TICKS_PER_SEC: f64 = 100.0;

/// User + system CPU ticks of a process (`self` or a pid), if readable.
fn cpu_ticks(pid: &str) -> Option<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // Fields after the command name (which may hold spaces) in parentheses.
    let rest = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = rest.split(' ').collect();
    // utime and stime are fields 14 and 15 of the line, 12 and 13 of `rest`.
    let utime: u64 = fields.get(11)?.parse().ok()?;
    let stime: u64 = fields.get(12)?.parse().ok()?;
    Some(utime + stime)
}
