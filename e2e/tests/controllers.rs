//! Issue 4's controller e2e tests: `rkube up` (its API server and controller
//! manager), the stock kubectl with the admin kubeconfig, and the node
//! simulator playing the kubelet and scheduler.
//!
//! Deployment lifecycle (create, scale, rolling update, history, undo,
//! pause/resume), a rollout exceeding its progress deadline, cascade
//! deletion in the three modes, namespace deletion, and leader handover
//! between controller managers.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeSet;
use std::future::Future;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use e2e::node_sim::{NodeSim, NodeSimConfig};
use e2e::{Cluster, ClusterOptions};
use k8s_openapi::api::apps::v1::{Deployment, ReplicaSet};
use k8s_openapi::api::coordination::v1::Lease;
use k8s_openapi::api::core::v1::{Endpoints, Namespace, Node, Pod};
use k8s_openapi::api::discovery::v1::EndpointSlice;
use rkube_client::{Api, Client, Config, KubeConfigOptions, Kubeconfig, ListParams, WatchParams};
use rkube_runtime::wait::await_condition;
use serde_json::json;

/// Generous deadline for anything the controllers do.
const DEADLINE: Duration = Duration::from_secs(60);
const REVISION: &str = "deployment.kubernetes.io/revision";

struct Env {
    sim: NodeSim,
    client: Client,
    /// An extra controller manager (see [`EXTRA_CM_ENV`]), stopped before
    /// the cluster.
    _extra_cm: Option<ControllerManager>,
    cluster: Cluster,
}

/// Names a binary run as `BIN controller-manager --kubeconfig PATH` (as
/// `rkube` is) next to each test cluster, e.g. to run these tests against a
/// controller manager built elsewhere; it competes for the same leader
/// Lease as the one in `rkube up`. The handover test runs its two managers
/// from this binary too.
const EXTRA_CM_ENV: &str = "RKUBE_E2E_CONTROLLER_MANAGER";

impl Env {
    async fn start() -> Env {
        let extra = std::env::var_os(EXTRA_CM_ENV).map(std::path::PathBuf::from);
        Env::start_with(ClusterOptions::default(), extra).await
    }

    /// Starts a cluster and the simulator, and `extra_cm` (a controller
    /// manager binary) next to the cluster.
    async fn start_with(opts: ClusterOptions, extra_cm: Option<std::path::PathBuf>) -> Env {
        Env::start_full(opts, extra_cm, Duration::ZERO).await
    }

    /// As [`Env::start_with`], the simulator making pods ready `ready_delay`
    /// after they start.
    async fn start_full(
        opts: ClusterOptions,
        extra_cm: Option<std::path::PathBuf>,
        ready_delay: Duration,
    ) -> Env {
        let cluster = tokio::task::block_in_place(|| Cluster::start(opts)).unwrap();
        let client = admin_client(&cluster);
        let mut cfg = NodeSimConfig::with_nodes(3);
        cfg.heartbeat = Duration::from_secs(2);
        cfg.ready_delay = ready_delay;
        let sim = NodeSim::start(client.clone(), cfg).await.unwrap();
        let extra_cm = extra_cm.map(|bin| ControllerManager::start_binary(&cluster, bin, 99));
        Env {
            sim,
            client,
            _extra_cm: extra_cm,
            cluster,
        }
    }

    fn kubectl(&self, args: &[&str]) -> String {
        tokio::task::block_in_place(|| self.cluster.kubectl_ok(args))
    }

    fn kubectl_stdin(&self, args: &[&str], stdin: &str) -> String {
        tokio::task::block_in_place(|| self.cluster.kubectl_stdin_ok(args, stdin))
    }

    fn kubectl_err(&self, args: &[&str]) -> String {
        tokio::task::block_in_place(|| self.cluster.kubectl_err(args, None))
    }

    /// Runs kubectl for up to `timeout` (longer than the harness' default),
    /// returning (success, stdout, stderr).
    fn kubectl_long(&self, args: &[&str], timeout: Duration) -> (bool, String, String) {
        tokio::task::block_in_place(|| {
            let mut cmd = self.cluster.kubectl_command(args);
            let out = e2e::run_with_timeout(&mut cmd, None, timeout)
                .unwrap_or_else(|e| panic!("kubectl {args:?}: {e}"));
            (
                out.status.success(),
                String::from_utf8_lossy(&out.stdout).into_owned(),
                String::from_utf8_lossy(&out.stderr).into_owned(),
            )
        })
    }

    /// `kubectl rollout status` that must finish successfully.
    fn rollout_status(&self, ns: &str, name: &str) -> String {
        let target = format!("deployment/{name}");
        let (ok, out, err) = self.kubectl_long(
            &["rollout", "status", "-n", ns, &target, "--timeout=90s"],
            Duration::from_secs(120),
        );
        assert!(
            ok,
            "rollout status {name} failed:\nstdout:\n{out}\nstderr:\n{err}\nrkube log:\n{}",
            e2e::tail(&self.cluster.log(), 40)
        );
        out
    }

    fn apply(&self, manifest: &serde_json::Value) {
        self.kubectl_stdin(
            &["apply", "--validate=false", "-f", "-"],
            &manifest.to_string(),
        );
    }

    fn deployments(&self, ns: &str) -> Api<Deployment> {
        Api::namespaced(self.client.clone(), ns)
    }

    fn replica_sets(&self, ns: &str) -> Api<ReplicaSet> {
        Api::namespaced(self.client.clone(), ns)
    }

    fn pods(&self, ns: &str) -> Api<Pod> {
        Api::namespaced(self.client.clone(), ns)
    }

    /// Waits until the Deployment has observed its spec and has exactly
    /// `replicas` pods, all updated, ready and available, and no other pods.
    async fn wait_complete(&self, ns: &str, name: &str, replicas: i32) -> Deployment {
        let deployments = self.deployments(ns);
        let d = timeout(
            &format!("deployment {ns}/{name} complete with {replicas} replicas"),
            await_condition(deployments, name, move |d: Option<&Deployment>| {
                d.is_some_and(|d| complete(d, replicas))
            }),
        )
        .await
        .unwrap()
        .unwrap();
        let selector = format!("app={name}");
        self.wait_pods(ns, &selector, replicas as usize, true).await;
        d
    }

    /// Waits until exactly `n` pods match `selector` (counting only pods
    /// not being deleted, or all of them with `all`).
    async fn wait_pods(&self, ns: &str, selector: &str, n: usize, all: bool) -> Vec<Pod> {
        let pods = self.pods(ns);
        let lp = ListParams::default().labels(selector);
        poll_until(&format!("{n} pods {selector} in {ns}"), || {
            let pods = pods.clone();
            let lp = lp.clone();
            async move {
                let list = pods.list(&lp).await.map_err(|e| e.to_string())?;
                let items: Vec<Pod> = list
                    .items
                    .into_iter()
                    .filter(|p| all || p.metadata.deletion_timestamp.is_none())
                    .collect();
                if items.len() == n {
                    Ok(items)
                } else {
                    Err(format!("{} pods: {:?}", items.len(), names(&items)))
                }
            }
        })
        .await
    }

    async fn replica_sets_of(&self, ns: &str, app: &str) -> Vec<ReplicaSet> {
        self.replica_sets(ns)
            .list(&ListParams::default().labels(&format!("app={app}")))
            .await
            .unwrap()
            .items
    }
}

fn admin_client(cluster: &Cluster) -> Client {
    let kubeconfig = Kubeconfig::read_from(cluster.kubeconfig()).unwrap();
    let config =
        Config::from_custom_kubeconfig(&kubeconfig, &KubeConfigOptions::default()).unwrap();
    Client::try_from_config(config).unwrap()
}

fn names<
    K: k8s_openapi::Metadata<Ty = k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta>,
>(
    items: &[K],
) -> Vec<String> {
    items
        .iter()
        .map(|o| o.metadata().name.clone().unwrap_or_default())
        .collect()
}

async fn timeout<T>(what: &str, fut: impl Future<Output = T>) -> T {
    tokio::time::timeout(DEADLINE, fut)
        .await
        .unwrap_or_else(|_| panic!("{what}: not reached within {DEADLINE:?}"))
}

/// Polls `check` (every 100 ms) until it returns `Ok`, failing after
/// [`DEADLINE`] with the last state it reported.
async fn poll_until<T, F, Fut>(what: &str, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, String>>,
{
    let deadline = tokio::time::Instant::now() + DEADLINE;
    loop {
        let last = match check().await {
            Ok(v) => return v,
            Err(state) => state,
        };
        if tokio::time::Instant::now() >= deadline {
            panic!("{what}: not reached within {DEADLINE:?}; last state: {last}");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// What `kubectl rollout status` calls complete, plus readiness.
fn complete(d: &Deployment, replicas: i32) -> bool {
    let (Some(spec), Some(status)) = (d.spec.as_ref(), d.status.as_ref()) else {
        return false;
    };
    spec.replicas == Some(replicas)
        && status.observed_generation >= d.metadata.generation
        && status.replicas == Some(replicas)
        && status.updated_replicas == Some(replicas)
        && status.ready_replicas.unwrap_or(0) == replicas
        && status.available_replicas.unwrap_or(0) == replicas
}

fn deployment(name: &str, replicas: i32, image: &str) -> serde_json::Value {
    json!({
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": name, "labels": {"app": name}},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": {"app": name}},
            "template": {
                "metadata": {"labels": {"app": name}},
                "spec": {"containers": [{"name": "app", "image": image}]}
            }
        }
    })
}

fn image_of_rs(rs: &ReplicaSet) -> String {
    rs.spec
        .as_ref()
        .and_then(|s| s.template.as_ref())
        .and_then(|t| t.spec.as_ref())
        .and_then(|s| s.containers.first())
        .and_then(|c| c.image.clone())
        .unwrap_or_default()
}

fn image_of_pod(p: &Pod) -> String {
    p.spec
        .as_ref()
        .and_then(|s| s.containers.first())
        .and_then(|c| c.image.clone())
        .unwrap_or_default()
}

fn annotation(
    meta: &k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta,
    key: &str,
) -> Option<String> {
    meta.annotations.as_ref().and_then(|a| a.get(key).cloned())
}

fn condition(d: &Deployment, type_: &str) -> Option<(String, String)> {
    d.status
        .as_ref()?
        .conditions
        .as_ref()?
        .iter()
        .find(|c| c.type_ == type_)
        .map(|c| (c.status.clone(), c.reason.clone().unwrap_or_default()))
}

/// Not about controllers: the simulator against the real `rkube up` over
/// HTTPS with the admin kubeconfig, as the other tests use it.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn node_simulator_runs_pods_on_rkube_up() {
    let env = Env::start().await;
    let nodes = env.kubectl(&["get", "nodes"]);
    for name in env.sim.node_names() {
        let line = nodes
            .lines()
            .find(|l| l.starts_with(&name))
            .unwrap_or_else(|| panic!("{name} missing:\n{nodes}"));
        assert!(
            line.contains(" Ready ") && line.contains("v1.32.0"),
            "{line}"
        );
    }
    env.kubectl(&["run", "solo", "--image=nginx:1.27", "--restart=Never"]);
    let (ok, out, err) = env.kubectl_long(
        &["wait", "--for=condition=Ready", "pod/solo", "--timeout=60s"],
        Duration::from_secs(90),
    );
    assert!(ok, "{out}\n{err}");
    let wide = env.kubectl(&["get", "pod", "solo", "-o", "wide"]);
    assert!(wide.contains("Running") && wide.contains("1/1"), "{wide}");
    // kubectl delete waits for the graceful deletion the simulator finishes.
    let (ok, out, err) = env.kubectl_long(&["delete", "pod", "solo"], Duration::from_secs(25));
    assert!(ok, "{out}\n{err}");
    assert!(env.pods("default").get_opt("solo").await.unwrap().is_none());
    assert_eq!(env.sim.stats().deleted, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn deployment_create_scale_rollout_history_undo_pause_resume() {
    let env = Env::start().await;
    let ns = "default";

    // Create.
    env.apply(&deployment("web", 3, "nginx:1.26"));
    env.rollout_status(ns, "web");
    let d = env.wait_complete(ns, "web", 3).await;
    assert_eq!(annotation(&d.metadata, REVISION).as_deref(), Some("1"));
    let rs1 = env.replica_sets_of(ns, "web").await;
    assert_eq!(rs1.len(), 1, "{:?}", names(&rs1));
    let rs1_name = rs1[0].metadata.name.clone().unwrap();
    let owner = &rs1[0].metadata.owner_references.as_ref().unwrap()[0];
    assert_eq!(
        (owner.kind.as_str(), owner.controller),
        ("Deployment", Some(true))
    );

    // Scale 3 -> 10 -> 2 (kubectl scale goes through the scale subresource).
    env.kubectl(&["scale", "deployment/web", "--replicas=10"]);
    env.wait_complete(ns, "web", 10).await;
    env.kubectl(&["scale", "deployment/web", "--replicas=2"]);
    env.wait_complete(ns, "web", 2).await;
    // The removed pods are gone for good (the simulator finished them).
    env.wait_pods(ns, "app=web", 2, true).await;
    assert_eq!(env.replica_sets_of(ns, "web").await.len(), 1);

    // Image change: a rolling update that kubectl rollout status follows.
    env.kubectl(&["set", "image", "deployment/web", "app=nginx:1.27"]);
    let out = env.rollout_status(ns, "web");
    assert!(out.contains("successfully rolled out"), "{out}");
    let d = env.wait_complete(ns, "web", 2).await;
    assert_eq!(annotation(&d.metadata, REVISION).as_deref(), Some("2"));
    let pods = env.wait_pods(ns, "app=web", 2, true).await;
    assert!(pods.iter().all(|p| image_of_pod(p) == "nginx:1.27"));
    let sets = env.replica_sets_of(ns, "web").await;
    assert_eq!(sets.len(), 2, "{:?}", names(&sets));
    let old = sets
        .iter()
        .find(|rs| rs.metadata.name.as_deref() == Some(&rs1_name))
        .unwrap();
    assert_eq!(old.spec.as_ref().unwrap().replicas, Some(0));

    // History.
    let history = env.kubectl(&["rollout", "history", "deployment/web"]);
    let revisions: BTreeSet<&str> = history
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .filter(|w| w.chars().all(|c| c.is_ascii_digit()))
        .collect();
    assert_eq!(revisions, BTreeSet::from(["1", "2"]), "{history}");
    let rev1 = env.kubectl(&["rollout", "history", "deployment/web", "--revision=1"]);
    assert!(rev1.contains("nginx:1.26"), "{rev1}");

    // Undo: back to the first template, through the first ReplicaSet.
    let out = env.kubectl(&["rollout", "undo", "deployment/web"]);
    assert!(out.contains("rolled back"), "{out}");
    env.rollout_status(ns, "web");
    let d = env.wait_complete(ns, "web", 2).await;
    assert_eq!(annotation(&d.metadata, REVISION).as_deref(), Some("3"));
    let template_image = d
        .spec
        .as_ref()
        .unwrap()
        .template
        .spec
        .as_ref()
        .unwrap()
        .containers[0]
        .image
        .clone();
    assert_eq!(template_image.as_deref(), Some("nginx:1.26"));
    let sets = env.replica_sets_of(ns, "web").await;
    assert_eq!(
        sets.len(),
        2,
        "undo reuses the old ReplicaSet: {:?}",
        names(&sets)
    );
    let reused = sets
        .iter()
        .find(|rs| rs.metadata.name.as_deref() == Some(&rs1_name))
        .unwrap();
    assert_eq!(image_of_rs(reused), "nginx:1.26");
    assert_eq!(annotation(&reused.metadata, REVISION).as_deref(), Some("3"));
    assert_eq!(reused.spec.as_ref().unwrap().replicas, Some(2));
    let pods = env.wait_pods(ns, "app=web", 2, true).await;
    assert!(pods.iter().all(|p| image_of_pod(p) == "nginx:1.26"));
    let history = env.kubectl(&["rollout", "history", "deployment/web"]);
    let revisions: BTreeSet<&str> = history
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .filter(|w| w.chars().all(|c| c.is_ascii_digit()))
        .collect();
    assert_eq!(revisions, BTreeSet::from(["2", "3"]), "{history}");

    // Pause: a template change is recorded but not rolled out.
    env.kubectl(&["rollout", "pause", "deployment/web"]);
    env.kubectl(&["set", "image", "deployment/web", "app=nginx:1.28"]);
    let paused = timeout(
        "the paused deployment observed",
        await_condition(env.deployments(ns), "web", |d: Option<&Deployment>| {
            d.is_some_and(|d| {
                d.spec.as_ref().and_then(|s| s.paused) == Some(true)
                    && d.status.as_ref().and_then(|s| s.observed_generation)
                        == d.metadata.generation
                    && condition(d, "Progressing").is_some_and(|(_, r)| r == "DeploymentPaused")
            })
        }),
    )
    .await
    .unwrap()
    .unwrap();
    assert_eq!(annotation(&paused.metadata, REVISION).as_deref(), Some("3"));
    let sets = env.replica_sets_of(ns, "web").await;
    assert_eq!(
        sets.len(),
        2,
        "no new ReplicaSet while paused: {:?}",
        names(&sets)
    );
    assert!(sets.iter().all(|rs| image_of_rs(rs) != "nginx:1.28"));
    let err = env.kubectl_err(&["rollout", "undo", "deployment/web"]);
    assert!(err.contains("paused"), "{err}");

    // Resume: the change rolls out.
    env.kubectl(&["rollout", "resume", "deployment/web"]);
    env.rollout_status(ns, "web");
    let d = env.wait_complete(ns, "web", 2).await;
    assert_eq!(annotation(&d.metadata, REVISION).as_deref(), Some("4"));
    let pods = env.wait_pods(ns, "app=web", 2, true).await;
    assert!(pods.iter().all(|p| image_of_pod(p) == "nginx:1.28"));
    assert_eq!(env.replica_sets_of(ns, "web").await.len(), 3);
    // The scale-down and the rollouts deleted pods gracefully; the
    // simulator finished each deletion.
    assert!(env.sim.stats().deleted >= 8, "{:?}", env.sim.stats());
}

/// Every state of the pods the API server went through during a rolling
/// update (seen by a watch) keeps within the strategy: at most
/// replicas + maxSurge pods, at least replicas - maxUnavailable ready.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn rolling_update_stays_within_max_surge_and_max_unavailable() {
    let extra = std::env::var_os(EXTRA_CM_ENV).map(std::path::PathBuf::from);
    let env = Env::start_full(ClusterOptions::default(), extra, Duration::from_millis(300)).await;
    let ns = "default";
    let mut manifest = deployment("surge", 10, "nginx:1.26");
    manifest["spec"]["strategy"] = json!({
        "type": "RollingUpdate",
        "rollingUpdate": {"maxSurge": 3, "maxUnavailable": 2}
    });
    env.apply(&manifest);
    env.wait_complete(ns, "surge", 10).await;

    let pods = env.pods(ns);
    let list = pods
        .list(&ListParams::default().labels("app=surge"))
        .await
        .unwrap();
    let rv = list.metadata.resource_version.clone().unwrap();
    let mut live: std::collections::BTreeMap<String, Pod> = list
        .items
        .into_iter()
        .map(|p| (p.metadata.name.clone().unwrap(), p))
        .collect();
    let events = pods
        .watch(&WatchParams::default().labels("app=surge"), &rv)
        .await
        .unwrap();
    env.kubectl(&["set", "image", "deployment/surge", "app=nginx:1.27"]);

    let counts = |live: &std::collections::BTreeMap<String, Pod>| {
        let active: Vec<&Pod> = live
            .values()
            .filter(|p| p.metadata.deletion_timestamp.is_none())
            .collect();
        let ready = active.iter().filter(|p| pod_ready(p)).count();
        let updated = active
            .iter()
            .filter(|p| pod_ready(p) && image_of_pod(p) == "nginx:1.27")
            .count();
        (active.len(), ready, updated)
    };
    let (mut max_active, mut min_ready) = (0, usize::MAX);
    timeout("the rolling update", async {
        use futures::StreamExt;
        let mut events = events;
        while let Some(event) = events.next().await {
            match event.unwrap() {
                rkube_client::WatchEvent::Added(p) | rkube_client::WatchEvent::Modified(p) => {
                    live.insert(p.metadata.name.clone().unwrap(), p);
                }
                rkube_client::WatchEvent::Deleted(p) => {
                    live.remove(p.metadata.name.as_deref().unwrap());
                }
                _ => continue,
            }
            let (active, ready, updated) = counts(&live);
            max_active = max_active.max(active);
            min_ready = min_ready.min(ready);
            if updated == 10 && active == 10 {
                return;
            }
        }
        panic!("the watch ended");
    })
    .await;
    assert!(max_active <= 13, "{max_active} pods at once (max 10 + 3)");
    assert!(
        min_ready >= 8,
        "only {min_ready} ready pods at one point (min 10 - 2)"
    );
    // It really surged: more than 10 pods existed at some point.
    assert!(max_active > 10, "max {max_active}");
    env.rollout_status(ns, "surge");
}

fn pod_ready(p: &Pod) -> bool {
    p.status
        .as_ref()
        .and_then(|s| s.conditions.as_ref())
        .and_then(|cs| cs.iter().find(|c| c.type_ == "Ready"))
        .is_some_and(|c| c.status == "True")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn rollout_whose_pods_never_become_ready_exceeds_its_progress_deadline() {
    let env = Env::start().await;
    let ns = "default";
    let mut manifest = deployment("slow", 2, "nginx:1.26");
    manifest["spec"]["progressDeadlineSeconds"] = json!(10);
    manifest["spec"]["template"]["metadata"]["labels"]["version"] = json!("v1");
    env.apply(&manifest);
    env.rollout_status(ns, "slow");
    env.wait_complete(ns, "slow", 2).await;

    // The new template's pods run but never become ready.
    env.sim.never_ready("app=slow,version=v2").unwrap();
    let patch = json!({"spec": {"template": {
        "metadata": {"labels": {"version": "v2"}},
        "spec": {"containers": [{"name": "app", "image": "nginx:1.27"}]}
    }}});
    env.kubectl(&[
        "patch",
        "deployment/slow",
        "--type=merge",
        "-p",
        &patch.to_string(),
    ]);
    let (ok, out, err) = env.kubectl_long(
        &["rollout", "status", "deployment/slow", "--timeout=90s"],
        Duration::from_secs(120),
    );
    assert!(!ok, "rollout status should fail:\n{out}");
    assert!(
        err.contains("exceeded its progress deadline"),
        "stdout:\n{out}\nstderr:\n{err}"
    );
    let d = env.deployments(ns).get("slow").await.unwrap();
    assert_eq!(
        condition(&d, "Progressing"),
        Some(("False".to_string(), "ProgressDeadlineExceeded".to_string()))
    );
    // The old pods kept the service available throughout.
    let status = d.status.unwrap();
    assert!(status.available_replicas.unwrap_or(0) >= 1, "{status:?}");
    assert_eq!(env.replica_sets_of(ns, "slow").await.len(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn cascade_deletion_background_foreground_and_orphan() {
    let env = Env::start().await;
    let ns = "default";
    for name in ["bg", "fg", "orphan"] {
        env.apply(&deployment(name, 2, "nginx:1.26"));
    }
    for name in ["bg", "fg", "orphan"] {
        env.wait_complete(ns, name, 2).await;
    }

    // Background: the Deployment goes at once, then its ReplicaSet and pods.
    env.kubectl(&["delete", "deployment", "bg", "--cascade=background"]);
    assert!(env.deployments(ns).get_opt("bg").await.unwrap().is_none());
    poll_until("bg's ReplicaSets gone", || async {
        let sets = env.replica_sets_of(ns, "bg").await;
        if sets.is_empty() {
            Ok(())
        } else {
            Err(format!("{:?}", names(&sets)))
        }
    })
    .await;
    env.wait_pods(ns, "app=bg", 0, true).await;

    // Foreground: the Deployment stays, marked, until its dependents are gone.
    let fg = env.deployments(ns).get("fg").await.unwrap();
    let events = env
        .deployments(ns)
        .watch(
            &WatchParams::default().fields("metadata.name=fg"),
            fg.metadata.resource_version.as_deref().unwrap(),
        )
        .await
        .unwrap();
    env.kubectl(&[
        "delete",
        "deployment",
        "fg",
        "--cascade=foreground",
        "--wait=false",
    ]);
    let seen = timeout("fg deleted", async {
        use futures::StreamExt;
        let mut events = events;
        let mut marked = false;
        while let Some(event) = events.next().await {
            match event.unwrap() {
                rkube_client::WatchEvent::Modified(d) => {
                    let finalizers = d.metadata.finalizers.clone().unwrap_or_default();
                    if d.metadata.deletion_timestamp.is_some()
                        && finalizers.iter().any(|f| f == "foregroundDeletion")
                    {
                        marked = true;
                    }
                }
                rkube_client::WatchEvent::Deleted(_) => return marked,
                _ => {}
            }
        }
        panic!("the watch ended");
    })
    .await;
    assert!(
        seen,
        "fg was never seen with deletionTimestamp and foregroundDeletion"
    );
    // Its dependents went before it (they block its deletion).
    assert!(env.replica_sets_of(ns, "fg").await.is_empty());
    let left = env
        .pods(ns)
        .list(&ListParams::default().labels("app=fg"))
        .await
        .unwrap();
    assert!(left.items.is_empty(), "{:?}", names(&left.items));

    // Orphan: the ReplicaSet and its pods stay, released.
    let before = env.replica_sets_of(ns, "orphan").await;
    assert_eq!(before.len(), 1);
    env.kubectl(&["delete", "deployment", "orphan", "--cascade=orphan"]);
    assert!(
        env.deployments(ns)
            .get_opt("orphan")
            .await
            .unwrap()
            .is_none()
    );
    let after = env.replica_sets_of(ns, "orphan").await;
    assert_eq!(names(&after), names(&before));
    assert_eq!(after[0].metadata.uid, before[0].metadata.uid);
    assert!(
        after[0]
            .metadata
            .owner_references
            .as_ref()
            .is_none_or(Vec::is_empty),
        "{:?}",
        after[0].metadata.owner_references
    );
    let pods = env.wait_pods(ns, "app=orphan", 2, true).await;
    assert!(pods.iter().all(|p| p.metadata.deletion_timestamp.is_none()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn namespace_deletion_removes_everything_then_the_namespace() {
    let env = Env::start().await;
    let ns = "doomed";
    env.apply(&json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}}));
    env.kubectl_stdin(
        &["apply", "--validate=false", "-n", ns, "-f", "-"],
        &deployment("app", 3, "nginx:1.26").to_string(),
    );
    env.kubectl_stdin(
        &["apply", "--validate=false", "-n", ns, "-f", "-"],
        &json!({
            "apiVersion": "v1", "kind": "Service",
            "metadata": {"name": "app"},
            "spec": {"selector": {"app": "app"}, "ports": [{"port": 80}]}
        })
        .to_string(),
    );
    env.wait_complete(ns, "app", 3).await;

    let namespaces: Api<Namespace> = Api::all(env.client.clone());
    let before = namespaces.get(ns).await.unwrap();
    let events = namespaces
        .watch(
            &WatchParams::default().fields(&format!("metadata.name={ns}")),
            before.metadata.resource_version.as_deref().unwrap(),
        )
        .await
        .unwrap();
    env.kubectl(&["delete", "namespace", ns, "--wait=false"]);
    let phases = timeout("namespace gone", async {
        use futures::StreamExt;
        let mut events = events;
        let mut phases = Vec::new();
        while let Some(event) = events.next().await {
            match event.unwrap() {
                rkube_client::WatchEvent::Modified(n) => {
                    phases.push(n.status.and_then(|s| s.phase).unwrap_or_default());
                }
                rkube_client::WatchEvent::Deleted(_) => return phases,
                _ => {}
            }
        }
        panic!("the watch ended");
    })
    .await;
    assert!(
        phases.first().is_some_and(|p| p == "Terminating"),
        "the namespace went Terminating first: {phases:?}"
    );
    // Everything inside went before the namespace did.
    assert!(
        env.deployments(ns)
            .list(&ListParams::default())
            .await
            .unwrap()
            .items
            .is_empty()
    );
    assert!(
        env.replica_sets(ns)
            .list(&ListParams::default())
            .await
            .unwrap()
            .items
            .is_empty()
    );
    assert!(
        env.pods(ns)
            .list(&ListParams::default())
            .await
            .unwrap()
            .items
            .is_empty()
    );
    let out = env.kubectl(&["get", "services", "-n", ns, "-o", "name"]);
    assert!(out.trim().is_empty(), "{out}");
}

/// Endpoints and EndpointSlices list the pods behind a Service with the
/// named target port resolved, and follow a pod's readiness both ways.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn endpoints_follow_pod_readiness() {
    let env = Env::start().await;
    let ns = "default";
    let mut manifest = deployment("svc", 3, "nginx:1.26");
    manifest["spec"]["template"]["spec"]["containers"][0]["ports"] =
        json!([{"name": "http", "containerPort": 8080}]);
    env.apply(&manifest);
    env.apply(&json!({
        "apiVersion": "v1", "kind": "Service",
        "metadata": {"name": "svc"},
        "spec": {"selector": {"app": "svc"}, "ports": [{"port": 80, "targetPort": "http"}]}
    }));
    env.wait_complete(ns, "svc", 3).await;
    let pods = env.wait_pods(ns, "app=svc", 3, true).await;
    let ip = |p: &Pod| p.status.as_ref().unwrap().pod_ip.clone().unwrap();
    let all: BTreeSet<String> = pods.iter().map(ip).collect();
    let flaky = pods[0].metadata.name.clone().unwrap();
    let flaky_ip = ip(&pods[0]);

    let endpoints: Api<Endpoints> = Api::namespaced(env.client.clone(), ns);
    let slices: Api<EndpointSlice> = Api::namespaced(env.client.clone(), ns);
    // (ready IPs, not-ready IPs, ports) of the Endpoints object.
    let state = |e: &Endpoints| {
        let mut ready = BTreeSet::new();
        let mut not_ready = BTreeSet::new();
        let mut ports = BTreeSet::new();
        for subset in e.subsets.iter().flatten() {
            for a in subset.addresses.iter().flatten() {
                ready.insert(a.ip.clone());
            }
            for a in subset.not_ready_addresses.iter().flatten() {
                not_ready.insert(a.ip.clone());
            }
            for p in subset.ports.iter().flatten() {
                ports.insert(p.port);
            }
        }
        (ready, not_ready, ports)
    };
    let wait_endpoints = |ready: BTreeSet<String>, not_ready: BTreeSet<String>| {
        let endpoints = endpoints.clone();
        async move {
            timeout(
                "Endpoints",
                await_condition(endpoints, "svc", move |e: Option<&Endpoints>| {
                    e.is_some_and(|e| {
                        state(e) == (ready.clone(), not_ready.clone(), BTreeSet::from([8080]))
                    })
                }),
            )
            .await
            .unwrap();
        }
    };
    // (address, ready) of every endpoint in the Service's slices.
    let slice_state = || {
        let slices = slices.clone();
        async move {
            let list = slices
                .list(&ListParams::default().labels("kubernetes.io/service-name=svc"))
                .await
                .map_err(|e| e.to_string())?;
            let mut out = BTreeSet::new();
            for slice in &list.items {
                let ports: Vec<i32> = slice
                    .ports
                    .iter()
                    .flatten()
                    .filter_map(|p| p.port)
                    .collect();
                if !ports.is_empty() && ports != [8080] {
                    return Err(format!("slice ports {ports:?}"));
                }
                for e in &slice.endpoints {
                    let ready = e.conditions.as_ref().and_then(|c| c.ready).unwrap_or(false);
                    for a in &e.addresses {
                        out.insert((a.clone(), ready));
                    }
                }
            }
            Ok(out)
        }
    };
    let expect_slices = |not_ready: Option<String>| {
        all.iter()
            .map(|a| (a.clone(), Some(a) != not_ready.as_ref()))
            .collect::<BTreeSet<_>>()
    };

    wait_endpoints(all.clone(), BTreeSet::new()).await;
    let want = expect_slices(None);
    poll_until("slices list every pod ready", || async {
        let got = slice_state().await?;
        if got == want {
            Ok(())
        } else {
            Err(format!("{got:?}"))
        }
    })
    .await;

    env.sim.set_ready(ns, &flaky, false);
    let mut ready = all.clone();
    ready.remove(&flaky_ip);
    wait_endpoints(ready, BTreeSet::from([flaky_ip.clone()])).await;
    let want = expect_slices(Some(flaky_ip.clone()));
    poll_until("slices mark the pod not ready", || async {
        let got = slice_state().await?;
        if got == want {
            Ok(())
        } else {
            Err(format!("{got:?}"))
        }
    })
    .await;

    env.sim.set_ready(ns, &flaky, true);
    wait_endpoints(all.clone(), BTreeSet::new()).await;
}

/// How long the node lifecycle test waits for a silent node to be noticed:
/// the test asks `rkube up` for a 6 s node monitor grace period, but an
/// extra controller manager ([`EXTRA_CM_ENV`]) may use the default 50 s.
const NODE_DEADLINE: Duration = Duration::from_secs(120);

fn node_condition(node: &Node, type_: &str) -> Option<String> {
    node.status
        .as_ref()?
        .conditions
        .as_ref()?
        .iter()
        .find(|c| c.type_ == type_)
        .map(|c| c.status.clone())
}

fn has_taint(node: &Node, key: &str, effect: &str) -> bool {
    node.spec
        .as_ref()
        .and_then(|s| s.taints.as_ref())
        .is_some_and(|ts| ts.iter().any(|t| t.key == key && t.effect == effect))
}

/// A node whose kubelet goes silent becomes Ready=Unknown with the
/// unreachable NoExecute taint, its pods are evicted once their toleration
/// (1 s here) runs out, the ReplicaSet replaces them on the live nodes; when
/// the node comes back it is Ready and untainted again and its evicted pods
/// are finished.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn silent_node_is_tainted_and_its_pods_replaced_elsewhere() {
    let extra = std::env::var_os(EXTRA_CM_ENV).map(std::path::PathBuf::from);
    let opts = ClusterOptions {
        extra_args: vec!["--node-monitor-grace-period".into(), "6s".into()],
        ..ClusterOptions::default()
    };
    let env = Env::start_with(opts, extra).await;
    let ns = "default";
    let mut manifest = deployment("evict", 3, "nginx:1.26");
    manifest["spec"]["template"]["spec"]["tolerations"] = json!([
        {"key": "node.kubernetes.io/unreachable", "operator": "Exists",
         "effect": "NoExecute", "tolerationSeconds": 1},
        {"key": "node.kubernetes.io/not-ready", "operator": "Exists",
         "effect": "NoExecute", "tolerationSeconds": 1}
    ]);
    env.apply(&manifest);
    env.wait_complete(ns, "evict", 3).await;
    let pods = env.wait_pods(ns, "app=evict", 3, true).await;
    let node_of = |p: &Pod| p.spec.as_ref().unwrap().node_name.clone().unwrap();
    let dead = node_of(&pods[0]);
    let doomed: BTreeSet<String> = pods
        .iter()
        .filter(|p| node_of(p) == dead)
        .map(|p| p.metadata.name.clone().unwrap())
        .collect();

    assert!(env.sim.stop_node(&dead));
    let nodes: Api<Node> = Api::all(env.client.clone());
    tokio::time::timeout(
        NODE_DEADLINE,
        await_condition(nodes.clone(), &dead, |n: Option<&Node>| {
            n.is_some_and(|n| {
                node_condition(n, "Ready").as_deref() == Some("Unknown")
                    && has_taint(n, "node.kubernetes.io/unreachable", "NoExecute")
            })
        }),
    )
    .await
    .unwrap_or_else(|_| panic!("{dead} not Unknown + tainted within {NODE_DEADLINE:?}"))
    .unwrap();

    // Its pods are evicted (left Terminating: nobody is there to finish
    // them) and replaced on the live nodes.
    let replaced = poll_until("pods replaced on live nodes", || {
        let pods = env.pods(ns);
        let dead = dead.clone();
        let doomed = doomed.clone();
        async move {
            let list = pods
                .list(&ListParams::default().labels("app=evict"))
                .await
                .map_err(|e| e.to_string())?;
            let evicted = list
                .items
                .iter()
                .filter(|p| doomed.contains(p.metadata.name.as_deref().unwrap_or("")))
                .all(|p| p.metadata.deletion_timestamp.is_some());
            let healthy: Vec<&Pod> = list
                .items
                .iter()
                .filter(|p| p.metadata.deletion_timestamp.is_none() && pod_ready(p))
                .collect();
            let elsewhere = healthy
                .iter()
                .all(|p| p.spec.as_ref().and_then(|s| s.node_name.as_deref()) != Some(&dead));
            if evicted && healthy.len() == 3 && elsewhere {
                Ok(list.items)
            } else {
                Err(format!(
                    "evicted {evicted}, {} healthy, elsewhere {elsewhere}",
                    healthy.len()
                ))
            }
        }
    })
    .await;
    assert!(replaced.len() >= 3 + doomed.len(), "{:?}", names(&replaced));

    // Back: Ready, untainted, and its evicted pods finished.
    assert!(env.sim.start_node(&dead));
    tokio::time::timeout(
        NODE_DEADLINE,
        await_condition(nodes, &dead, |n: Option<&Node>| {
            n.is_some_and(|n| {
                node_condition(n, "Ready").as_deref() == Some("True")
                    && !has_taint(n, "node.kubernetes.io/unreachable", "NoExecute")
                    && !has_taint(n, "node.kubernetes.io/unreachable", "NoSchedule")
            })
        }),
    )
    .await
    .unwrap_or_else(|_| panic!("{dead} not Ready and untainted again"))
    .unwrap();
    env.wait_pods(ns, "app=evict", 3, true).await;
}

/// A `rkube controller-manager` process, killed on drop.
struct ControllerManager(Child);

impl ControllerManager {
    /// Starts the `n`th manager: the binary named by [`EXTRA_CM_ENV`], or
    /// `rkube`.
    fn start(cluster: &Cluster, n: usize) -> ControllerManager {
        let bin = std::env::var_os(EXTRA_CM_ENV)
            .map(std::path::PathBuf::from)
            .unwrap_or_else(|| e2e::rkube_binary().unwrap());
        ControllerManager::start_binary(cluster, bin, n)
    }

    fn start_binary(cluster: &Cluster, bin: std::path::PathBuf, n: usize) -> ControllerManager {
        let log = std::fs::File::create(cluster.data_dir().join(format!("cm-{n}.log"))).unwrap();
        let child = Command::new(bin)
            .arg("controller-manager")
            .arg("--kubeconfig")
            .arg(cluster.kubeconfig())
            .env("RUST_LOG", "info")
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .unwrap();
        ControllerManager(child)
    }
}

impl Drop for ControllerManager {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn holder(lease: &Lease) -> Option<String> {
    lease
        .spec
        .as_ref()?
        .holder_identity
        .clone()
        .filter(|h| !h.is_empty())
}

/// `rkube apiserver` (no controllers of its own) and two `rkube
/// controller-manager` processes: the first leads, the second waits; the
/// leader is killed with SIGKILL (no lease release) while the Deployment
/// needs more pods; the second takes over, and every pod was created once.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn killing_the_leading_controller_manager_hands_over_without_double_work() {
    let env = Env::start_with(
        ClusterOptions {
            subcommand: "apiserver",
            ..ClusterOptions::default()
        },
        None,
    )
    .await;
    let ns = "default";
    let leases: Api<Lease> = Api::namespaced(env.client.clone(), "kube-system");
    let has_holder = |l: Option<&Lease>| l.is_some_and(|l| holder(l).is_some());

    // The first manager leads (nobody else competes yet).
    let first = ControllerManager::start(&env.cluster, 0);
    let lease = timeout(
        "the first controller manager leads",
        await_condition(leases.clone(), "rkube-controller-manager", has_holder),
    )
    .await
    .unwrap()
    .unwrap();
    let leader = holder(&lease).unwrap();
    let second = ControllerManager::start(&env.cluster, 1);

    // Count every pod ever created for the Deployment.
    let created = std::sync::Arc::new(std::sync::Mutex::new(BTreeSet::new()));
    let counter = {
        let created = created.clone();
        let pods = env.pods(ns);
        tokio::spawn(async move {
            use futures::StreamExt;
            let stream = rkube_runtime::watcher::watcher(
                pods,
                rkube_runtime::watcher::Config::default().labels("app=ha"),
            );
            let mut stream = std::pin::pin!(stream);
            while let Some(event) = stream.next().await {
                if let Ok(event) = event
                    && let Some(p) = event.object()
                {
                    created
                        .lock()
                        .unwrap()
                        .insert(p.metadata.uid.clone().unwrap_or_default());
                }
            }
        })
    };

    env.apply(&deployment("ha", 3, "nginx:1.26"));
    env.wait_complete(ns, "ha", 3).await;
    let lease = leases.get("rkube-controller-manager").await.unwrap();
    assert_eq!(
        holder(&lease).as_deref(),
        Some(leader.as_str()),
        "the leader stayed"
    );

    // Kill the leader (SIGKILL: no lease release), then ask for more work.
    drop(first);
    env.kubectl(&["scale", "deployment/ha", "--replicas=6"]);
    let takeover = tokio::time::timeout(
        Duration::from_secs(30),
        await_condition(leases, "rkube-controller-manager", |l: Option<&Lease>| {
            l.is_some_and(|l| holder(l).is_some_and(|h| h != leader))
        }),
    )
    .await
    .expect("no takeover within 30 s")
    .unwrap()
    .unwrap();
    let transitions = takeover.spec.as_ref().and_then(|s| s.lease_transitions);
    assert!(transitions.unwrap_or(0) >= 1, "{:?}", takeover.spec);
    env.wait_complete(ns, "ha", 6).await;
    env.wait_pods(ns, "app=ha", 6, true).await;
    // No double work: exactly six pods were ever created, one ReplicaSet.
    assert_eq!(created.lock().unwrap().len(), 6);
    assert_eq!(env.replica_sets_of(ns, "ha").await.len(), 1);
    counter.abort();
    drop(second);
}
