//! Creates per second through the router alone (no sockets, no TLS), to see
//! the API server's own cost per create apart from the network stack:
//! `cargo run --release -p apiserver --example create_rate [N] [CONCURRENCY]`.

use std::sync::Arc;
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
    let body = Arc::new(serde_json::to_vec(&serde_json::json!({
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {"generateName": "bench-", "labels": {"app": "bench", "tier": "web"}},
        "spec": {"containers": [{"name": "web", "image": "nginx:1.27",
            "ports": [{"containerPort": 80}], "env": [{"name": "A", "value": "b"}],
            "resources": {"requests": {"cpu": "100m", "memory": "64Mi"}}}]},
    }))?);
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..concurrency {
        let app = app.clone();
        let body = body.clone();
        tasks.push(tokio::spawn(async move {
            for _ in 0..n / concurrency {
                let req = Request::post("/api/v1/namespaces/default/pods?fieldValidation=Strict")
                    .header("content-type", "application/json")
                    .body(Body::from(body.as_ref().clone()))
                    .expect("request");
                let resp = app.clone().oneshot(req).await.expect("response");
                assert_eq!(resp.status(), 201);
            }
        }));
    }
    for t in tasks {
        t.await?;
    }
    let secs = started.elapsed().as_secs_f64();
    println!(
        "{} creates in {secs:.2} s: {:.0}/s",
        n / concurrency * concurrency,
        (n / concurrency * concurrency) as f64 / secs
    );
    std::fs::remove_dir_all(&dir)?;
    Ok(())
}
