//! The node simulator against an in-process API server (plain HTTP on a
//! loopback port): nodes and leases, binding, Running/Ready, readiness
//! controls, graceful deletion, stopped nodes.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeSet;
use std::future::Future;
use std::time::Duration;

use e2e::node_sim::{KUBELET_VERSION, NODE_LEASE_NAMESPACE, NodeSim, NodeSimConfig};
use k8s_openapi::api::coordination::v1::Lease;
use k8s_openapi::api::core::v1::{Node, Pod};
use rkube_client::{Api, Client, Config, DeleteParams, ListParams, PostParams};
use rkube_runtime::wait::{await_condition, conditions};
use serde_json::json;

const DEADLINE: Duration = Duration::from_secs(30);

struct Server {
    client: Client,
    task: tokio::task::JoinHandle<()>,
    _dir: tempfile::TempDir,
}

impl Drop for Server {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn server() -> Server {
    let dir = tempfile::tempdir().unwrap();
    let store = storage::open_embedded(dir.path()).unwrap();
    let state = apiserver::AppState::new(
        store,
        api_types::kinds::builtin_registry(),
        apiserver::ApiServerConfig::default(),
        apiserver::metrics::Metrics::new(),
    )
    .await
    .unwrap();
    let app = apiserver::router(state);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let task = tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    let config = Config::new(format!("http://{addr}").parse().unwrap());
    let client = Client::try_from_config(config).unwrap();
    Server {
        client,
        task,
        _dir: dir,
    }
}

/// Polls `check` until it returns `Some`, failing after `timeout` with the
/// last state `describe` gives.
async fn poll_until<T, F, Fut>(timeout: Duration, what: &str, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, String>>,
{
    let deadline = tokio::time::Instant::now() + timeout;
    let mut last;
    loop {
        match check().await {
            Ok(v) => return v,
            Err(state) => last = state,
        }
        if tokio::time::Instant::now() >= deadline {
            panic!("{what}: not reached within {timeout:?}; last state: {last}");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn pod(name: &str, labels: serde_json::Value) -> Pod {
    serde_json::from_value(json!({
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name, "labels": labels},
        "spec": {"containers": [{"name": "app", "image": "nginx:1.27"}]}
    }))
    .unwrap()
}

fn is_ready(p: &Pod) -> bool {
    p.status
        .as_ref()
        .and_then(|s| s.conditions.as_ref())
        .and_then(|cs| cs.iter().find(|c| c.type_ == "Ready"))
        .is_some_and(|c| c.status == "True")
}

fn is_running(p: &Pod) -> bool {
    p.status.as_ref().and_then(|s| s.phase.as_deref()) == Some("Running")
}

fn config(nodes: &[&str]) -> NodeSimConfig {
    NodeSimConfig {
        nodes: nodes.iter().map(|n| n.to_string()).collect(),
        ready_delay: Duration::ZERO,
        auto_ready: true,
        heartbeat: Duration::from_millis(200),
        workers: 4,
    }
}

async fn create_pods(pods: &Api<Pod>, names: &[&str], labels: serde_json::Value) {
    for name in names {
        pods.create(&PostParams::default(), &pod(name, labels.clone()))
            .await
            .unwrap();
    }
}

fn renew_time(l: &Lease) -> jiff::Timestamp {
    l.spec
        .as_ref()
        .and_then(|s| s.renew_time.as_ref())
        .map(|t| t.0)
        .unwrap()
}

#[tokio::test]
async fn registers_ready_nodes_with_leases_and_renews_them() {
    let server = server().await;
    let sim = NodeSim::start(server.client.clone(), config(&["n1", "n2"]))
        .await
        .unwrap();
    let nodes: Api<Node> = Api::all(server.client.clone());
    for name in ["n1", "n2"] {
        let node = nodes.get(name).await.unwrap();
        let status = node.status.unwrap();
        let ready = status
            .conditions
            .unwrap()
            .into_iter()
            .find(|c| c.type_ == "Ready")
            .unwrap();
        assert_eq!(ready.status, "True");
        let cap = status.capacity.unwrap();
        assert!(cap.contains_key("cpu") && cap.contains_key("memory") && cap.contains_key("pods"));
        assert_eq!(status.node_info.unwrap().kubelet_version, KUBELET_VERSION);
        let addresses = status.addresses.unwrap();
        assert!(addresses.iter().any(|a| a.type_ == "InternalIP"));
        assert!(
            addresses
                .iter()
                .any(|a| a.type_ == "Hostname" && a.address == name)
        );
    }
    let leases: Api<Lease> = Api::namespaced(server.client.clone(), NODE_LEASE_NAMESPACE);
    let first = renew_time(&leases.get("n1").await.unwrap());
    let lease = leases.get("n1").await.unwrap();
    assert_eq!(
        lease.spec.as_ref().unwrap().holder_identity.as_deref(),
        Some("n1")
    );
    let owner = &lease.metadata.owner_references.as_ref().unwrap()[0];
    assert_eq!((owner.kind.as_str(), owner.name.as_str()), ("Node", "n1"));
    poll_until(DEADLINE, "n1's lease renewed", || {
        let leases = leases.clone();
        async move {
            let t = renew_time(&leases.get("n1").await.map_err(|e| e.to_string())?);
            if t > first {
                Ok(())
            } else {
                Err(t.to_string())
            }
        }
    })
    .await;

    // A stopped node's lease stands still while the other's moves on.
    assert!(sim.stop_node("n1"));
    assert!(!sim.stop_node("nope"));
    // Any renewal in flight when it stopped has landed after one more of n2's.
    let n2_at_stop = renew_time(&leases.get("n2").await.unwrap());
    poll_until(DEADLINE, "n2 renewed after the stop", || {
        let leases = leases.clone();
        async move {
            let t = renew_time(&leases.get("n2").await.map_err(|e| e.to_string())?);
            if t > n2_at_stop {
                Ok(())
            } else {
                Err(t.to_string())
            }
        }
    })
    .await;
    let n1_stopped = renew_time(&leases.get("n1").await.unwrap());
    let n2_mark = renew_time(&leases.get("n2").await.unwrap());
    poll_until(DEADLINE, "n2 renewed twice more", || {
        let leases = leases.clone();
        async move {
            let t = renew_time(&leases.get("n2").await.map_err(|e| e.to_string())?);
            if t > n2_mark + Duration::from_millis(250) {
                Ok(())
            } else {
                Err(t.to_string())
            }
        }
    })
    .await;
    assert_eq!(renew_time(&leases.get("n1").await.unwrap()), n1_stopped);

    // Back again: it renews.
    assert!(sim.start_node("n1"));
    poll_until(DEADLINE, "n1 renews again", || {
        let leases = leases.clone();
        async move {
            let t = renew_time(&leases.get("n1").await.map_err(|e| e.to_string())?);
            if t > n1_stopped {
                Ok(())
            } else {
                Err(t.to_string())
            }
        }
    })
    .await;
    assert!(sim.stats().lease_renewals >= 3);
    sim.shutdown().await;
}

#[tokio::test]
async fn binds_pods_round_robin_and_makes_them_running_and_ready() {
    let server = server().await;
    let sim = NodeSim::start(server.client.clone(), config(&["n1", "n2", "n3"]))
        .await
        .unwrap();
    let pods: Api<Pod> = Api::namespaced(server.client.clone(), "default");
    let names = ["p0", "p1", "p2", "p3", "p4", "p5"];
    create_pods(&pods, &names, json!({"app": "web"})).await;
    let ready = poll_until(DEADLINE, "all pods Running and Ready", || {
        let pods = pods.clone();
        async move {
            let list = pods
                .list(&ListParams::default())
                .await
                .map_err(|e| e.to_string())?;
            let done = list
                .items
                .iter()
                .filter(|p| is_running(p) && is_ready(p))
                .count();
            if done == 6 {
                Ok(list.items)
            } else {
                Err(format!("{done}/6 ready"))
            }
        }
    })
    .await;
    let nodes: BTreeSet<String> = ready
        .iter()
        .map(|p| p.spec.as_ref().unwrap().node_name.clone().unwrap())
        .collect();
    assert_eq!(nodes.len(), 3, "spread over every node: {nodes:?}");
    let ips: BTreeSet<String> = ready
        .iter()
        .map(|p| p.status.as_ref().unwrap().pod_ip.clone().unwrap())
        .collect();
    assert_eq!(ips.len(), 6, "distinct pod IPs: {ips:?}");
    for p in &ready {
        let status = p.status.as_ref().unwrap();
        assert!(status.host_ip.is_some() && status.start_time.is_some());
        let types: BTreeSet<&str> = status
            .conditions
            .as_ref()
            .unwrap()
            .iter()
            .filter(|c| c.status == "True")
            .map(|c| c.type_.as_str())
            .collect();
        for t in ["PodScheduled", "Initialized", "ContainersReady", "Ready"] {
            assert!(types.contains(t), "{t} in {types:?}");
        }
        let cs = &status.container_statuses.as_ref().unwrap()[0];
        assert_eq!(cs.name, "app");
        assert!(cs.ready);
        assert!(cs.state.as_ref().unwrap().running.is_some());
    }
    let stats = sim.stats();
    assert_eq!(stats.bound, 6);
    assert_eq!(stats.readied, 6);
    sim.shutdown().await;
}

#[tokio::test]
async fn graceful_deletions_are_finished() {
    let server = server().await;
    let sim = NodeSim::start(server.client.clone(), config(&["n1"]))
        .await
        .unwrap();
    let pods: Api<Pod> = Api::namespaced(server.client.clone(), "default");
    create_pods(&pods, &["doomed"], json!({"app": "x"})).await;
    let running = tokio::time::timeout(
        DEADLINE,
        await_condition(pods.clone(), "doomed", |p: Option<&Pod>| {
            p.is_some_and(|p| is_running(p) && is_ready(p))
        }),
    )
    .await
    .unwrap()
    .unwrap()
    .unwrap();
    let uid = running.metadata.uid.clone().unwrap();
    // A default delete of a bound pod is graceful (30 s): the pod lingers
    // with a deletionTimestamp until the "kubelet" finishes it.
    let answer = pods
        .delete("doomed", &DeleteParams::default())
        .await
        .unwrap();
    let marked = answer.object().expect("a bound pod is only marked");
    assert!(marked.metadata.deletion_timestamp.is_some());
    tokio::time::timeout(
        Duration::from_secs(20),
        await_condition(pods.clone(), "doomed", conditions::is_deleted(&uid)),
    )
    .await
    .expect("the graceful deletion was not finished well before its 30 s grace")
    .unwrap();
    assert_eq!(sim.stats().deleted, 1);
    sim.shutdown().await;
}

#[tokio::test]
async fn readiness_can_be_delayed_withheld_and_forced() {
    let server = server().await;
    let mut cfg = config(&["n1", "n2"]);
    cfg.ready_delay = Duration::from_millis(700);
    let sim = NodeSim::start(server.client.clone(), cfg).await.unwrap();
    sim.never_ready("track=canary").unwrap();
    assert!(sim.never_ready("a in (b").is_err());
    let pods: Api<Pod> = Api::namespaced(server.client.clone(), "default");

    // ready_delay: Running first, Ready later (watched, so the unready
    // Running state cannot be missed).
    let watch = tokio::spawn(await_condition(pods.clone(), "slow", {
        let seen_running_unready = std::sync::atomic::AtomicBool::new(false);
        move |p: Option<&Pod>| {
            let Some(p) = p else { return false };
            if is_running(p) && !is_ready(p) {
                seen_running_unready.store(true, std::sync::atomic::Ordering::SeqCst);
            }
            is_ready(p) && seen_running_unready.load(std::sync::atomic::Ordering::SeqCst)
        }
    }));
    create_pods(&pods, &["slow"], json!({"track": "stable"})).await;
    tokio::time::timeout(DEADLINE, watch)
        .await
        .expect("slow never went Running-unready then Ready")
        .unwrap()
        .unwrap();

    // never_ready: the canary runs but stays unready while a stable pod
    // created after it becomes Ready.
    create_pods(&pods, &["canary"], json!({"track": "canary"})).await;
    create_pods(&pods, &["stable"], json!({"track": "stable"})).await;
    tokio::time::timeout(
        DEADLINE,
        await_condition(pods.clone(), "stable", |p: Option<&Pod>| {
            p.is_some_and(is_ready)
        }),
    )
    .await
    .unwrap()
    .unwrap();
    let canary = pods.get("canary").await.unwrap();
    assert!(is_running(&canary), "{:?}", canary.status);
    assert!(!is_ready(&canary));

    // set_ready wins over never_ready, both ways.
    sim.set_ready("default", "canary", true);
    tokio::time::timeout(
        DEADLINE,
        await_condition(pods.clone(), "canary", |p: Option<&Pod>| {
            p.is_some_and(is_ready)
        }),
    )
    .await
    .unwrap()
    .unwrap();
    sim.set_ready("default", "stable", false);
    let stable = tokio::time::timeout(
        DEADLINE,
        await_condition(pods.clone(), "stable", |p: Option<&Pod>| {
            p.is_some_and(|p| !is_ready(p))
        }),
    )
    .await
    .unwrap()
    .unwrap()
    .unwrap();
    let cs = &stable.status.unwrap().container_statuses.unwrap()[0];
    assert!(!cs.ready && cs.state.as_ref().unwrap().running.is_some());
    sim.shutdown().await;
}

#[tokio::test]
async fn manual_mode_waits_for_set_ready() {
    let server = server().await;
    let mut cfg = config(&["n1"]);
    cfg.auto_ready = false;
    let sim = NodeSim::start(server.client.clone(), cfg).await.unwrap();
    let pods: Api<Pod> = Api::namespaced(server.client.clone(), "default");
    create_pods(&pods, &["m1", "m2"], json!({"app": "m"})).await;
    for name in ["m1", "m2"] {
        tokio::time::timeout(
            DEADLINE,
            await_condition(pods.clone(), name, |p: Option<&Pod>| {
                p.is_some_and(is_running)
            }),
        )
        .await
        .unwrap()
        .unwrap();
    }
    sim.set_ready("default", "m2", true);
    tokio::time::timeout(
        DEADLINE,
        await_condition(pods.clone(), "m2", |p: Option<&Pod>| {
            p.is_some_and(is_ready)
        }),
    )
    .await
    .unwrap()
    .unwrap();
    assert!(!is_ready(&pods.get("m1").await.unwrap()));
    sim.shutdown().await;
}

#[tokio::test]
async fn stopped_nodes_get_no_new_pods_and_leave_theirs_alone() {
    let server = server().await;
    let sim = NodeSim::start(server.client.clone(), config(&["n1", "n2"]))
        .await
        .unwrap();
    let pods: Api<Pod> = Api::namespaced(server.client.clone(), "default");
    create_pods(&pods, &["a1", "a2"], json!({"app": "a"})).await;
    let on = |name: &'static str| {
        let pods = pods.clone();
        async move {
            let p = tokio::time::timeout(
                DEADLINE,
                await_condition(pods, name, |p: Option<&Pod>| p.is_some_and(is_ready)),
            )
            .await
            .unwrap()
            .unwrap()
            .unwrap();
            p.spec.unwrap().node_name.unwrap()
        }
    };
    let (a1, a2) = (on("a1").await, on("a2").await);
    assert_ne!(a1, a2);
    assert!(sim.stop_node("n1"));
    let on_n1 = if a1 == "n1" { "a1" } else { "a2" };
    for name in ["b1", "b2", "b3"] {
        create_pods(&pods, &[name], json!({"app": "b"})).await;
        assert_eq!(on(name).await, "n2", "{name} went to the live node");
    }
    // The dead node's pod is not finished by anyone: it stays Terminating.
    pods.delete(on_n1, &DeleteParams::default()).await.unwrap();
    let b1 = pods.get("b1").await.unwrap();
    pods.delete("b1", &DeleteParams::default()).await.unwrap();
    tokio::time::timeout(
        DEADLINE,
        await_condition(
            pods.clone(),
            "b1",
            conditions::is_deleted(b1.metadata.uid.as_deref().unwrap()),
        ),
    )
    .await
    .unwrap()
    .unwrap();
    let lingering = pods.get(on_n1).await.unwrap();
    assert!(lingering.metadata.deletion_timestamp.is_some());
    // Once the node is back it finishes the deletion.
    assert!(sim.start_node("n1"));
    tokio::time::timeout(
        DEADLINE,
        await_condition(
            pods.clone(),
            on_n1,
            conditions::is_deleted(lingering.metadata.uid.as_deref().unwrap()),
        ),
    )
    .await
    .unwrap()
    .unwrap();
    sim.shutdown().await;
}
