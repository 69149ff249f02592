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
//! `CONNECTIONS` (default 4) the etcd backend's gRPC connections.

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
                        .unwrap_or(4),
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
    let value = Bytes::from(vec![b'x'; 1500]);
    println!("backend={backend} writes={writes}");
    println!(
        "{:>8} {:>10} {:>9} {:>9}",
        "clients", "writes/s", "p50 ms", "p99 ms"
    );
    for (round, clients) in [1usize, 16, 64].into_iter().enumerate() {
        let per_client = writes / clients;
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
        println!(
            "{clients:>8} {:>10.0} {:>9.2} {:>9.2}",
            lat.len() as f64 / secs,
            pct(0.5).as_secs_f64() * 1e3,
            pct(0.99).as_secs_f64() * 1e3
        );
    }
    Ok(())
}
