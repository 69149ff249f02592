//! The controller benchmark (issue 4): not a test, a measurement.
//!
//! It starts `rkube up` (API server and controller manager), the node
//! simulator (which binds pods and makes them Running and Ready), creates a
//! Deployment of 1,000 replicas and measures:
//! - the time until all its pods exist, and until all are available;
//! - the time of a full rolling update (image change) until the Deployment
//!   is complete again;
//! - the CPU time and resident memory of the controller manager over each
//!   phase (of the `rkube up` process, which runs the API server too, unless
//!   `--separate-cm` runs the controllers in their own
//!   `rkube controller-manager` process);
//! - the simulator's own CPU time, for comparison.
//!
//! It prints a Markdown table and one JSON line. Run it with
//! `cargo run --release -p e2e --bin bench_controllers` (it builds the rkube
//! binary of the same profile first, unless `RKUBE_BIN` names one). Flags:
//! `--replicas N` (1000), `--nodes N` (10), `--ready-delay-ms MS` (0: the
//! simulator makes pods ready as fast as it can), `--separate-cm`
//! (`rkube apiserver` + `rkube controller-manager --kubeconfig`),
//! `--cm-bin PATH` (as `--separate-cm`, with another binary run as
//! `PATH controller-manager --kubeconfig K`), `--trace` (print every
//! ReplicaSet change during the rolling update to stderr, with its time).

use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use e2e::node_sim::{NodeSim, NodeSimConfig};
use e2e::{Cluster, ClusterOptions};
use futures::StreamExt;
use k8s_openapi::api::apps::v1::{Deployment, ReplicaSet};
use k8s_openapi::api::core::v1::Pod;
use rkube_client::{
    Api, Client, Config, KubeConfigOptions, Kubeconfig, Patch, PatchParams, PostParams,
};
use rkube_runtime::wait::await_condition;
use rkube_runtime::watcher;
use serde_json::json;

/// Benchmark settings.
#[derive(Clone, Debug)]
struct Settings {
    replicas: i32,
    nodes: usize,
    ready_delay: Duration,
    separate_cm: bool,
    cm_bin: Option<std::path::PathBuf>,
    deadline: Duration,
    trace: bool,
}

impl Settings {
    fn from_args() -> anyhow::Result<Settings> {
        let mut s = Settings {
            replicas: 1000,
            nodes: 10,
            ready_delay: Duration::ZERO,
            separate_cm: false,
            cm_bin: None,
            deadline: Duration::from_secs(600),
            trace: false,
        };
        let mut args = std::env::args().skip(1);
        while let Some(arg) = args.next() {
            let mut value = |name: &str| -> anyhow::Result<u64> {
                args.next()
                    .with_context(|| format!("{name} needs a value"))?
                    .parse::<u64>()
                    .with_context(|| format!("{name} needs a number"))
            };
            match arg.as_str() {
                "--replicas" => s.replicas = i32::try_from(value("--replicas")?)?,
                "--nodes" => s.nodes = usize::try_from(value("--nodes")?)?,
                "--ready-delay-ms" => {
                    s.ready_delay = Duration::from_millis(value("--ready-delay-ms")?);
                }
                "--deadline-secs" => s.deadline = Duration::from_secs(value("--deadline-secs")?),
                "--separate-cm" => s.separate_cm = true,
                "--trace" => s.trace = true,
                "--cm-bin" => {
                    s.separate_cm = true;
                    s.cm_bin = Some(args.next().context("--cm-bin needs a path")?.into());
                }
                "-h" | "--help" => {
                    println!(
                        "bench_controllers [--replicas N] [--nodes N] [--ready-delay-ms MS] \
                         [--deadline-secs S] [--separate-cm] [--cm-bin PATH] [--trace]"
                    );
                    std::process::exit(0);
                }
                other => bail!("unknown flag {other:?} (see --help)"),
            }
        }
        if s.replicas < 1 || s.nodes < 1 || s.nodes > 150 {
            bail!("--replicas must be positive and --nodes between 1 and 150");
        }
        Ok(s)
    }
}

/// CPU time and memory of one process.
#[derive(Clone, Copy, Debug, Default)]
struct Usage {
    cpu: Duration,
    rss_kib: u64,
    hwm_kib: u64,
}

/// CPU time and memory of process `pid` from `/proc`.
fn usage(pid: &str) -> Option<Usage> {
    let pid: u32 = pid.parse().ok()?;
    Some(Usage {
        cpu: e2e::procfs::cpu_time(Some(pid))?,
        rss_kib: e2e::procfs::status_bytes(pid, "VmRSS:")? / 1024,
        hwm_kib: e2e::procfs::status_bytes(pid, "VmHWM:").unwrap_or(0) / 1024,
    })
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

/// A `rkube controller-manager` process, killed on drop.
struct ControllerManager(Child);

impl Drop for ControllerManager {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn admin_client(cluster: &Cluster) -> anyhow::Result<Client> {
    let kubeconfig = Kubeconfig::read_from(cluster.kubeconfig())?;
    let mut config = Config::from_custom_kubeconfig(&kubeconfig, &KubeConfigOptions::default())?;
    config.request_timeout = Some(Duration::from_secs(120));
    Ok(Client::try_from_config(config)?)
}

fn deployment(replicas: i32) -> Deployment {
    serde_json::from_value(json!({
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "bench", "labels": {"app": "bench"}},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": {"app": "bench"}},
            "strategy": {"type": "RollingUpdate",
                         "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": "25%"}},
            "template": {
                "metadata": {"labels": {"app": "bench"}},
                "spec": {"containers": [{"name": "app", "image": "nginx:1.26"}]}
            }
        }
    }))
    .expect("a valid Deployment")
}

/// Whether the Deployment is complete with `image` (what `kubectl rollout
/// status` waits for, plus availability).
fn complete(d: &Deployment, replicas: i32, image: &str) -> bool {
    let (Some(spec), Some(status)) = (d.spec.as_ref(), d.status.as_ref()) else {
        return false;
    };
    let template_image = spec
        .template
        .spec
        .as_ref()
        .and_then(|s| s.containers.first())
        .and_then(|c| c.image.as_deref());
    template_image == Some(image)
        && status.observed_generation >= d.metadata.generation
        && status.replicas == Some(replicas)
        && status.updated_replicas == Some(replicas)
        && status.available_replicas == Some(replicas)
}

/// Usage of the processes involved at one moment.
#[derive(Clone, Copy, Debug, Default)]
struct Snapshot {
    cm: Usage,
    /// The API server, when it runs apart from the controllers.
    api: Option<Usage>,
    sim: Usage,
}

struct Row {
    phase: String,
    wall: Duration,
    before: Snapshot,
    after: Snapshot,
}

fn fmt_secs(d: Duration) -> String {
    format!("{:.2} s", d.as_secs_f64())
}

fn main() -> anyhow::Result<()> {
    let settings = Settings::from_args()?;
    build_rkube()?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    runtime.block_on(run(settings))
}

async fn run(s: Settings) -> anyhow::Result<()> {
    let mut opts = ClusterOptions {
        rust_log: "warn".into(),
        ..ClusterOptions::default()
    };
    if s.separate_cm {
        opts.subcommand = "apiserver";
    }
    let cluster =
        tokio::task::block_in_place(|| Cluster::start(opts)).context("starting rkube up")?;
    let cm = if s.separate_cm {
        let bin = match &s.cm_bin {
            Some(bin) => bin.clone(),
            None => e2e::rkube_binary()?,
        };
        let child = Command::new(bin)
            .arg("controller-manager")
            .arg("--kubeconfig")
            .arg(cluster.kubeconfig())
            .env("RUST_LOG", "warn")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .context("starting rkube controller-manager")?;
        Some(ControllerManager(child))
    } else {
        None
    };
    let cm_pid = match &cm {
        Some(cm) => cm.0.id(),
        None => cluster.pid().context("rkube is not running")?,
    };
    let cm_pid = cm_pid.to_string();
    let cm_label = if s.separate_cm {
        "rkube controller-manager"
    } else {
        "rkube up (API server + controllers)"
    };
    let client = admin_client(&cluster)?;
    let mut cfg = NodeSimConfig::with_nodes(s.nodes);
    cfg.ready_delay = s.ready_delay;
    cfg.heartbeat = Duration::from_secs(10);
    cfg.workers = 32;
    let sim = NodeSim::start(client.clone(), cfg).await?;

    // Count distinct pods as they appear.
    let seen = Arc::new(AtomicUsize::new(0));
    let all_created = Arc::new(tokio::sync::Notify::new());
    let counter = {
        let pods: Api<Pod> = Api::namespaced(client.clone(), "default");
        let seen = Arc::clone(&seen);
        let all_created = Arc::clone(&all_created);
        let target = s.replicas as usize;
        tokio::spawn(async move {
            let mut uids = std::collections::HashSet::new();
            let stream = watcher::watcher(pods, watcher::Config::default().labels("app=bench"));
            let mut stream = std::pin::pin!(stream);
            while let Some(event) = stream.next().await {
                if let Ok(event) = event
                    && let Some(pod) = event.object()
                    && let Some(uid) = &pod.metadata.uid
                    && uids.insert(uid.clone())
                {
                    seen.store(uids.len(), Ordering::SeqCst);
                    if uids.len() == target {
                        all_created.notify_one();
                    }
                }
            }
        })
    };

    let deployments: Api<Deployment> = Api::namespaced(client.clone(), "default");
    let self_pid = std::process::id().to_string();
    let api_pid = if s.separate_cm {
        cluster.pid().map(|p| p.to_string())
    } else {
        None
    };
    let snap = || Snapshot {
        cm: usage(&cm_pid).unwrap_or_default(),
        api: api_pid.as_deref().map(|p| usage(p).unwrap_or_default()),
        sim: usage(&self_pid).unwrap_or_default(),
    };
    let mut rows = Vec::new();
    let idle = snap();

    // Phase 1: create the Deployment; all pods created, then all available.
    let before = snap();
    let start = Instant::now();
    deployments
        .create(&PostParams::default(), &deployment(s.replicas))
        .await
        .context("creating the Deployment")?;
    tokio::time::timeout(s.deadline, all_created.notified())
        .await
        .with_context(|| {
            format!(
                "only {} of {} pods created within {:?}",
                seen.load(Ordering::SeqCst),
                s.replicas,
                s.deadline
            )
        })?;
    rows.push(Row {
        phase: format!("{} pods created", s.replicas),
        wall: start.elapsed(),
        before,
        after: snap(),
    });
    let replicas = s.replicas;
    tokio::time::timeout(
        s.deadline,
        await_condition(
            deployments.clone(),
            "bench",
            move |d: Option<&Deployment>| d.is_some_and(|d| complete(d, replicas, "nginx:1.26")),
        ),
    )
    .await
    .context("the Deployment did not become available")??;
    rows.push(Row {
        phase: format!("{} pods available (from create)", s.replicas),
        wall: start.elapsed(),
        before,
        after: snap(),
    });

    // Phase 2: the rolling update.
    let tracer = s.trace.then(|| {
        let sets: Api<ReplicaSet> = Api::namespaced(client.clone(), "default");
        let t0 = Instant::now();
        tokio::spawn(async move {
            let stream = watcher::watcher(sets, watcher::Config::default().labels("app=bench"));
            let mut stream = std::pin::pin!(stream);
            while let Some(event) = stream.next().await {
                if let Ok(watcher::Event::Apply(rs)) = event {
                    let spec = rs.spec.as_ref().and_then(|s| s.replicas).unwrap_or(0);
                    let st = rs.status.clone().unwrap_or_default();
                    eprintln!(
                        "+{:7.3}s {} spec={spec} replicas={} ready={} available={}",
                        t0.elapsed().as_secs_f64(),
                        rs.metadata.name.as_deref().unwrap_or(""),
                        st.replicas,
                        st.ready_replicas.unwrap_or(0),
                        st.available_replicas.unwrap_or(0)
                    );
                }
            }
        })
    });
    let before = snap();
    let start = Instant::now();
    let patch = json!({"spec": {"template": {"spec": {"containers": [
        {"name": "app", "image": "nginx:1.27"}
    ]}}}});
    deployments
        .patch("bench", &PatchParams::default(), &Patch::Strategic(patch))
        .await
        .context("changing the image")?;
    tokio::time::timeout(
        s.deadline,
        await_condition(
            deployments.clone(),
            "bench",
            move |d: Option<&Deployment>| d.is_some_and(|d| complete(d, replicas, "nginx:1.27")),
        ),
    )
    .await
    .context("the rolling update did not complete")??;
    rows.push(Row {
        phase: format!("rolling update of {} pods", s.replicas),
        wall: start.elapsed(),
        before,
        after: snap(),
    });
    if let Some(tracer) = tracer {
        tracer.abort();
    }
    let stats = sim.stats();
    counter.abort();
    sim.shutdown().await;
    let end = snap();

    println!();
    println!(
        "Controller benchmark: Deployment of {} replicas, {} simulated nodes, readiness delay {} ms, \
         maxSurge 25% / maxUnavailable 25%; {}.",
        s.replicas,
        s.nodes,
        s.ready_delay.as_millis(),
        if s.separate_cm {
            "controllers in their own `rkube controller-manager` process, API server in `rkube apiserver`"
        } else {
            "controllers in-process in `rkube up`: its CPU and memory include the API server's"
        }
    );
    println!();
    let api_cols = if s.separate_cm {
        " API server CPU |"
    } else {
        ""
    };
    println!(
        "| phase | wall time | {cm_label} CPU | CPU / wall | {cm_label} RSS after |{api_cols} node simulator CPU |"
    );
    println!(
        "|---|---|---|---|---|{}---|",
        if s.separate_cm { "---|" } else { "" }
    );
    let mut json_rows = Vec::new();
    for row in &rows {
        let cpu = row.after.cm.cpu.saturating_sub(row.before.cm.cpu);
        let share = cpu.as_secs_f64() / row.wall.as_secs_f64().max(1e-9) * 100.0;
        let sim_cpu = row.after.sim.cpu.saturating_sub(row.before.sim.cpu);
        let api_cpu = match (row.before.api, row.after.api) {
            (Some(b), Some(a)) => Some(a.cpu.saturating_sub(b.cpu)),
            _ => None,
        };
        println!(
            "| {} | {} | {} | {:.0}% | {:.1} MiB |{} {} |",
            row.phase,
            fmt_secs(row.wall),
            fmt_secs(cpu),
            share,
            row.after.cm.rss_kib as f64 / 1024.0,
            api_cpu
                .map(|c| format!(" {} |", fmt_secs(c)))
                .unwrap_or_default(),
            fmt_secs(sim_cpu),
        );
        json_rows.push(json!({
            "phase": row.phase,
            "wall_s": row.wall.as_secs_f64(),
            "cm_cpu_s": cpu.as_secs_f64(),
            "cm_rss_kib": row.after.cm.rss_kib,
            "api_cpu_s": api_cpu.map(|c| c.as_secs_f64()),
            "sim_cpu_s": sim_cpu.as_secs_f64(),
        }));
    }
    println!();
    println!(
        "{cm_label}: RSS idle {:.1} MiB, peak {:.1} MiB; node simulator: {} bindings, {} status writes, \
         {} deletions finished.",
        idle.cm.rss_kib as f64 / 1024.0,
        end.cm.hwm_kib as f64 / 1024.0,
        stats.bound,
        stats.status_updates,
        stats.deleted
    );
    println!(
        "{}",
        json!({
            "bench": "controllers",
            "replicas": s.replicas,
            "nodes": s.nodes,
            "ready_delay_ms": s.ready_delay.as_millis() as u64,
            "process": cm_label,
            "idle_rss_kib": idle.cm.rss_kib,
            "peak_rss_kib": end.cm.hwm_kib,
            "rows": json_rows,
        })
    );
    drop(cm);
    drop(cluster);
    Ok(())
}
