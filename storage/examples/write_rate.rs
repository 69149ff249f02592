//! Rough write rate of a store: `clients` concurrent tasks each creating
//! distinct keys with a ~1.5 KB value (about a Pod's JSON), as creates/s and
//! latency percentiles. Not a test; the whole-system benchmark lives in e2e.
//!
//! ```sh
//! cargo run --release -p storage --example write_rate -- embedded [DIR]
//! cargo run --release -p storage --example write_rate -- etcd http://127.0.0.1:2379
//! ```
//! `WRITES` (default 20000) sets the number of writes per concurrency level.

use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use storage::{EmbeddedConfig, EmbeddedStore, EtcdConfig, EtcdStore, Store};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let backend = args.first().map_or("embedded", String::as_str);
    let writes: usize = std::env::var("WRITES")
        .ok()
        .and_then(|w| w.parse().ok())
        .unwrap_or(20_000);
    let _tmp;
    let store: Arc<dyn Store> = match backend {
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
            Arc::new(EmbeddedStore::open(dir, EmbeddedConfig::default())?)
        }
        "etcd" => {
            let endpoints = args
                .get(1)
                .cloned()
                .unwrap_or_else(|| "http://127.0.0.1:2379".into());
            let prefix = format!("/rkube-bench/{}", std::process::id());
            Arc::new(
                EtcdStore::connect(EtcdConfig {
                    prefix,
                    compaction_interval: None,
                    ..EtcdConfig::new([endpoints])
                })
                .await?,
            )
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
                        let key = format!("/registry/pods/bench{round}/c{c}-{i}");
                        let t = Instant::now();
                        store
                            .create(&key, value.clone())
                            .await
                            .map_err(|e| e.to_string())?;
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
