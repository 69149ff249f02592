//! Creates per second through the router alone (no sockets, no TLS), to see
//! the API server's own cost per create apart from the network stack:
//! `cargo run --release -p e2e --example create_rate [N] [CONCURRENCY]`.

use std::time::Instant;

use axum::body::Body;
use http::Request;
use tower::ServiceExt;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let n: usize = args
        .next()
        .map(|a| a.parse())
        .transpose()?
        .unwrap_or(20_000);
    let concurrency: usize = args.next().map(|a| a.parse()).transpose()?.unwrap_or(64);
    let dir = std::env::temp_dir().join(format!("rkube-create-rate-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let store = storage::open_embedded(&dir)?;
    let state = apiserver::AppState::new(
        store,
        api_types::kinds::builtin_registry(),
        apiserver::ApiServerConfig::default(),
        apiserver::metrics::Metrics::new(),
    )
    .await?;
    let app = apiserver::router(state);
    // The e2e benchmark's Pod (about 1.5 KB of JSON), one body per create,
    // built before the clock starts.
    let per_task = n / concurrency;
    let bodies: Vec<Vec<bytes::Bytes>> = (0..concurrency)
        .map(|t| {
            (0..per_task)
                .map(|i| e2e::bench_pod::pod_json(&format!("bench-{t}-{i}")))
                .collect()
        })
        .collect();
    let cpu0 = e2e::procfs::cpu_time(None);
    let started = Instant::now();
    let mut tasks = Vec::new();
    for bodies in bodies {
        let app = app.clone();
        tasks.push(tokio::spawn(async move {
            for body in bodies {
                let req = Request::post("/api/v1/namespaces/default/pods?fieldValidation=Strict")
                    .header("content-type", "application/json")
                    .body(Body::from(body))
                    .expect("request");
                let resp = app.clone().oneshot(req).await.expect("response");
                assert_eq!(resp.status(), 201);
                let _ = axum::body::to_bytes(resp.into_body(), usize::MAX).await;
            }
        }));
    }
    for t in tasks {
        t.await?;
    }
    let secs = started.elapsed().as_secs_f64();
    let total = per_task * concurrency;
    let cpu = e2e::procfs::cpu_time(None)
        .zip(cpu0)
        .map(|(a, b)| (a - b).as_secs_f64());
    println!(
        "{total} creates in {secs:.2} s: {:.0}/s, CPU {} µs per create",
        total as f64 / secs,
        cpu.map(|c| format!("{:.1}", c * 1e6 / total as f64))
            .unwrap_or_else(|| "?".into())
    );
    std::fs::remove_dir_all(&dir)?;
    Ok(())
}
