//! A node simulator for tests: it plays the kubelet (and, until rkube has
//! one, the scheduler) through the API, using only [`rkube_client`].
//!
//! [`NodeSim::start`] registers `Node` objects (Ready, with capacity,
//! addresses and node info) and renews one `Lease` per node in
//! `kube-node-lease` every heartbeat. It watches every pod and:
//!
//! - binds unscheduled pods round-robin to its live nodes (honouring a pod's
//!   `nodeSelector` against the nodes' labels) through `pods/{name}/binding`;
//! - makes pods bound to its nodes `Running` and, unless told otherwise,
//!   `Ready` (after [`NodeSimConfig::ready_delay`]) through the `status`
//!   subresource, with the conditions, container statuses, pod IP (from a
//!   per-node range), host IP and start time a kubelet reports;
//! - finishes graceful deletions: a pod with a `deletionTimestamp` gets
//!   `DELETE ...?gracePeriodSeconds=0` with a uid precondition.
//!
//! Readiness can be steered per pod ([`NodeSim::set_ready`]) or by label
//! selector ([`NodeSim::never_ready`]); [`NodeSim::stop_node`] makes a node
//! go silent (no lease renewals, its pods left alone) as a crashed kubelet
//! would, and [`NodeSim::start_node`] brings it back.
//!
//! ```no_run
//! # async fn doc(client: rkube_client::Client) -> Result<(), e2e::node_sim::NodeSimError> {
//! use e2e::node_sim::{NodeSim, NodeSimConfig};
//! let sim = NodeSim::start(client, NodeSimConfig::default()).await?;
//! // ... create Deployments, wait for them to become available ...
//! sim.shutdown().await;
//! # Ok(()) }
//! ```

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt;
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use futures::StreamExt;
use k8s_openapi::api::coordination::v1::{Lease, LeaseSpec};
use k8s_openapi::api::core::v1::{
    Binding, ContainerState, ContainerStateRunning, ContainerStateTerminated, ContainerStatus,
    Node, NodeAddress, NodeCondition, NodeSpec, NodeStatus, NodeSystemInfo, ObjectReference, Pod,
    PodCondition, PodIP, PodStatus,
};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{MicroTime, ObjectMeta, OwnerReference, Time};
use rkube_client::{Api, Client, DeleteParams, Patch, PatchParams, PostParams};
use rkube_runtime::ObjectRef;
use rkube_runtime::queue::WorkQueue;
use rkube_runtime::reflector::{Store, StoreBuilder};
use rkube_runtime::watcher::{self, Event};
use serde_json::json;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;
use tracing::{debug, warn};

/// The namespace of node Leases.
pub const NODE_LEASE_NAMESPACE: &str = "kube-node-lease";
/// The kubelet version the simulated nodes report.
pub const KUBELET_VERSION: &str = "v1.32.0";
/// The field manager of the simulator's writes.
const FIELD_MANAGER: &str = "rkube-nodesim";

/// Errors of the node simulator.
#[derive(Debug, thiserror::Error)]
pub enum NodeSimError {
    /// An API call failed.
    #[error("{what}: {source}")]
    Api {
        /// What was being done.
        what: String,
        /// The client error.
        #[source]
        source: rkube_client::Error,
    },
    /// A label selector could not be parsed.
    #[error("invalid label selector {selector:?}: {reason}")]
    Selector {
        /// The selector.
        selector: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The configuration is unusable.
    #[error("invalid configuration: {0}")]
    Config(String),
}

fn api_err(what: impl Into<String>) -> impl FnOnce(rkube_client::Error) -> NodeSimError {
    let what = what.into();
    move |source| NodeSimError::Api { what, source }
}

/// How the simulated nodes behave.
#[derive(Clone, Debug)]
pub struct NodeSimConfig {
    /// Names of the nodes to register (at most 150).
    pub nodes: Vec<String>,
    /// How long a pod stays Running but not Ready before it becomes Ready
    /// (with `auto_ready`).
    pub ready_delay: Duration,
    /// Whether pods become Ready on their own; when `false`, pods become
    /// Running and stay unready until [`NodeSim::set_ready`].
    pub auto_ready: bool,
    /// How often each node renews its Lease (and checks its Ready
    /// condition).
    pub heartbeat: Duration,
    /// How many pods are worked on at once.
    pub workers: usize,
}

impl Default for NodeSimConfig {
    fn default() -> Self {
        NodeSimConfig {
            nodes: vec!["node-1".into(), "node-2".into(), "node-3".into()],
            ready_delay: Duration::ZERO,
            auto_ready: true,
            heartbeat: Duration::from_secs(10),
            workers: 16,
        }
    }
}

impl NodeSimConfig {
    /// `n` nodes named `sim-node-1` ... `sim-node-n`, other settings default.
    pub fn with_nodes(n: usize) -> Self {
        NodeSimConfig {
            nodes: (1..=n).map(|i| format!("sim-node-{i}")).collect(),
            ..NodeSimConfig::default()
        }
    }
}

/// Counters of what the simulator did (for tests and benchmarks).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct NodeSimStats {
    /// Pods bound to a node.
    pub bound: u64,
    /// Pod status writes.
    pub status_updates: u64,
    /// Pods that became Ready.
    pub readied: u64,
    /// Graceful deletions finished.
    pub deleted: u64,
    /// Lease renewals.
    pub lease_renewals: u64,
}

#[derive(Default)]
struct Counters {
    bound: AtomicU64,
    status_updates: AtomicU64,
    readied: AtomicU64,
    deleted: AtomicU64,
    lease_renewals: AtomicU64,
}

/// One simulated node.
struct SimNode {
    name: String,
    /// Second octet of its pod range (`10.<n>.0.0/16`).
    octet: u8,
    host_ip: String,
    labels: BTreeMap<String, String>,
    alive: AtomicBool,
    next_ip: AtomicU32,
    /// Wakes the heartbeat task (on start/stop).
    wake: tokio::sync::Notify,
}

impl SimNode {
    fn pod_cidr(&self) -> String {
        format!("10.{}.0.0/16", self.octet)
    }

    fn allocate_ip(&self) -> String {
        // 65,024 addresses per node: .1 to .254 in each /24.
        let n = self.next_ip.fetch_add(1, Ordering::Relaxed) % (254 * 256);
        format!("10.{}.{}.{}", self.octet, n / 254, n % 254 + 1)
    }

    fn is_alive(&self) -> bool {
        self.alive.load(Ordering::SeqCst)
    }
}

type PodKey = ObjectRef<Pod>;

struct Shared {
    client: Client,
    config: NodeSimConfig,
    nodes: Vec<Arc<SimNode>>,
    store: Store<Pod>,
    queue: WorkQueue<PodKey>,
    /// When each pod (by uid) was made Running by us.
    started: Mutex<HashMap<String, Instant>>,
    /// Readiness forced by `set_ready`, by namespace/name.
    overrides: Mutex<HashMap<(String, String), bool>>,
    never_ready: Mutex<Vec<Selector>>,
    next_node: AtomicUsize,
    counters: Counters,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// A running node simulator. Stop it with [`NodeSim::shutdown`]; dropping it
/// stops its tasks without waiting.
pub struct NodeSim {
    shared: Arc<Shared>,
    cancel: CancellationToken,
    tasks: Vec<JoinHandle<()>>,
}

impl fmt::Debug for NodeSim {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NodeSim")
            .field("nodes", &self.node_names())
            .field("stats", &self.stats())
            .finish_non_exhaustive()
    }
}

impl NodeSim {
    /// Registers the nodes and their Leases, then starts the heartbeats and
    /// the pod workers. Returns once the nodes exist and the pod cache has
    /// been listed.
    pub async fn start(client: Client, config: NodeSimConfig) -> Result<NodeSim, NodeSimError> {
        if config.nodes.is_empty() || config.nodes.len() > 150 {
            return Err(NodeSimError::Config(format!(
                "between 1 and 150 nodes, not {}",
                config.nodes.len()
            )));
        }
        if config.heartbeat.is_zero() {
            return Err(NodeSimError::Config("heartbeat must be positive".into()));
        }
        let nodes: Vec<Arc<SimNode>> = config
            .nodes
            .iter()
            .enumerate()
            .map(|(i, name)| {
                let labels = BTreeMap::from([
                    ("kubernetes.io/hostname".to_string(), name.clone()),
                    ("kubernetes.io/os".to_string(), "linux".to_string()),
                    ("kubernetes.io/arch".to_string(), "amd64".to_string()),
                    ("rkube.dev/simulated".to_string(), "true".to_string()),
                ]);
                Arc::new(SimNode {
                    name: name.clone(),
                    octet: 100 + i as u8,
                    host_ip: format!("172.31.{}.{}", i / 250, i % 250 + 2),
                    labels,
                    alive: AtomicBool::new(true),
                    next_ip: AtomicU32::new(0),
                    wake: tokio::sync::Notify::new(),
                })
            })
            .collect();

        let mut node_uids = HashMap::new();
        for node in &nodes {
            let uid = register_node(&client, node).await?;
            ensure_lease(&client, node, &uid).await?;
            node_uids.insert(node.name.clone(), uid);
        }

        let (store, mut writer) = StoreBuilder::<Pod>::new().build();
        let queue = WorkQueue::new();
        let shared = Arc::new(Shared {
            client: client.clone(),
            config: config.clone(),
            nodes,
            store,
            queue: queue.clone(),
            started: Mutex::new(HashMap::new()),
            overrides: Mutex::new(HashMap::new()),
            never_ready: Mutex::new(Vec::new()),
            next_node: AtomicUsize::new(0),
            counters: Counters::default(),
        });
        let cancel = CancellationToken::new();
        let mut tasks = Vec::new();

        // The pod watch feeding the cache and the queue.
        {
            let pods: Api<Pod> = Api::all(client.clone());
            let queue = queue.clone();
            let reader = writer.as_reader();
            let cancel = cancel.clone();
            tasks.push(tokio::spawn(async move {
                let stream = watcher::watcher(pods, watcher::Config::default());
                let mut stream = std::pin::pin!(stream);
                loop {
                    let event = tokio::select! {
                        _ = cancel.cancelled() => break,
                        event = stream.next() => event,
                    };
                    match event {
                        Some(Ok(event)) => {
                            writer.apply_watcher_event(&event);
                            match &event {
                                Event::Apply(pod) | Event::Delete(pod) => {
                                    queue.add(ObjectRef::from_obj(pod));
                                }
                                Event::InitDone => {
                                    for pod in reader.state() {
                                        queue.add(ObjectRef::from_obj(pod.as_ref()));
                                    }
                                }
                                Event::Init | Event::InitApply(_) => {}
                            }
                        }
                        Some(Err(e)) => debug!("node simulator pod watch: {e}"),
                        None => break,
                    }
                }
            }));
        }

        // Heartbeats.
        for node in &shared.nodes {
            let shared = Arc::clone(&shared);
            let node = Arc::clone(node);
            let uid = node_uids.remove(&node.name).unwrap_or_default();
            let cancel = cancel.clone();
            tasks.push(tokio::spawn(async move {
                heartbeat(shared, node, uid, cancel).await;
            }));
        }

        // Pod workers.
        for _ in 0..config.workers.max(1) {
            let shared = Arc::clone(&shared);
            tasks.push(tokio::spawn(async move {
                while let Some(item) = shared.queue.get().await {
                    let key = item.key().clone();
                    match shared.sync_pod(&key).await {
                        Ok(()) => shared.queue.forget(&key),
                        Err(e) => {
                            debug!("node simulator: {key}: {e}");
                            shared.queue.add_rate_limited(key);
                        }
                    }
                    drop(item);
                }
            }));
        }

        // Shut the queue down with the rest.
        {
            let queue = queue.clone();
            let cancel = cancel.clone();
            tasks.push(tokio::spawn(async move {
                cancel.cancelled().await;
                queue.shut_down();
            }));
        }

        let sim = NodeSim {
            shared,
            cancel,
            tasks,
        };
        tokio::time::timeout(Duration::from_secs(60), sim.shared.store.wait_until_ready())
            .await
            .map_err(|_| NodeSimError::Config("the pod cache was not listed within 60 s".into()))?
            .map_err(|e| NodeSimError::Config(format!("pod cache: {e}")))?;
        Ok(sim)
    }

    /// The simulated nodes' names.
    pub fn node_names(&self) -> Vec<String> {
        self.shared.nodes.iter().map(|n| n.name.clone()).collect()
    }

    /// What the simulator did so far.
    pub fn stats(&self) -> NodeSimStats {
        let c = &self.shared.counters;
        NodeSimStats {
            bound: c.bound.load(Ordering::Relaxed),
            status_updates: c.status_updates.load(Ordering::Relaxed),
            readied: c.readied.load(Ordering::Relaxed),
            deleted: c.deleted.load(Ordering::Relaxed),
            lease_renewals: c.lease_renewals.load(Ordering::Relaxed),
        }
    }

    /// Forces the readiness of pod `namespace/name` (it stays forced until
    /// the pod is gone). The change is made asynchronously.
    pub fn set_ready(&self, namespace: &str, name: &str, ready: bool) {
        lock(&self.shared.overrides).insert((namespace.to_string(), name.to_string()), ready);
        self.shared
            .queue
            .add(ObjectRef::new(name).within(namespace));
    }

    /// Pods matching the label selector (`a=b,c!=d,e in (f,g),h,!i`) never
    /// become Ready on their own (a forced [`NodeSim::set_ready`] still
    /// wins). Pods already Ready that match become unready.
    pub fn never_ready(&self, selector: &str) -> Result<(), NodeSimError> {
        let parsed = Selector::parse(selector)?;
        lock(&self.shared.never_ready).push(parsed);
        self.requeue_all();
        Ok(())
    }

    /// Forgets every [`NodeSim::never_ready`] selector.
    pub fn clear_never_ready(&self) {
        lock(&self.shared.never_ready).clear();
        self.requeue_all();
    }

    fn requeue_all(&self) {
        for pod in self.shared.store.state() {
            self.shared.queue.add(ObjectRef::from_obj(pod.as_ref()));
        }
    }

    /// Stops node `name`'s heartbeats and leaves its pods alone, as if its
    /// kubelet had died. Returns `false` for an unknown node.
    pub fn stop_node(&self, name: &str) -> bool {
        match self.shared.node(name) {
            Some(node) => {
                node.alive.store(false, Ordering::SeqCst);
                node.wake.notify_one();
                true
            }
            None => false,
        }
    }

    /// Brings a stopped node back: it renews its Lease at once, reports
    /// Ready again and looks after its pods. Returns `false` for an unknown
    /// node.
    pub fn start_node(&self, name: &str) -> bool {
        match self.shared.node(name) {
            Some(node) => {
                node.alive.store(true, Ordering::SeqCst);
                node.wake.notify_one();
                self.requeue_all();
                true
            }
            None => false,
        }
    }

    /// Stops every task and waits for them to end. Nodes, Leases and pods
    /// stay as they are.
    pub async fn shutdown(mut self) {
        self.cancel.cancel();
        self.shared.queue.shut_down();
        for task in self.tasks.drain(..) {
            let _ = task.await;
        }
    }
}

impl Drop for NodeSim {
    fn drop(&mut self) {
        self.cancel.cancel();
        self.shared.queue.shut_down();
        for task in &self.tasks {
            task.abort();
        }
    }
}

fn now_time() -> Time {
    Time(jiff::Timestamp::from_second(jiff::Timestamp::now().as_second()).unwrap_or_default())
}

fn now_micro() -> MicroTime {
    let now = jiff::Timestamp::now();
    let micros = now.as_microsecond();
    MicroTime(jiff::Timestamp::from_microsecond(micros).unwrap_or(now))
}

fn node_object(node: &SimNode) -> Node {
    Node {
        metadata: ObjectMeta {
            name: Some(node.name.clone()),
            labels: Some(node.labels.clone()),
            annotations: Some(BTreeMap::from([(
                "node.alpha.kubernetes.io/ttl".to_string(),
                "0".to_string(),
            )])),
            ..ObjectMeta::default()
        },
        spec: Some(NodeSpec {
            pod_cidr: Some(node.pod_cidr()),
            pod_cidrs: Some(vec![node.pod_cidr()]),
            ..NodeSpec::default()
        }),
        status: None,
    }
}

fn node_status(node: &SimNode, previous: Option<&NodeStatus>) -> NodeStatus {
    let now = now_time();
    let resources = BTreeMap::from([
        ("cpu".to_string(), Quantity("8".into())),
        ("memory".to_string(), Quantity("32Gi".into())),
        ("pods".to_string(), Quantity("1000".into())),
        ("ephemeral-storage".to_string(), Quantity("100Gi".into())),
    ]);
    let condition = |type_: &str, status: &str, reason: &str, message: &str| {
        let transition = previous
            .and_then(|s| s.conditions.as_ref())
            .and_then(|cs| cs.iter().find(|c| c.type_ == type_))
            .filter(|c| c.status == status)
            .and_then(|c| c.last_transition_time.clone())
            .unwrap_or_else(|| now.clone());
        NodeCondition {
            type_: type_.to_string(),
            status: status.to_string(),
            reason: Some(reason.to_string()),
            message: Some(message.to_string()),
            last_heartbeat_time: Some(now.clone()),
            last_transition_time: Some(transition),
        }
    };
    NodeStatus {
        capacity: Some(resources.clone()),
        allocatable: Some(resources),
        conditions: Some(vec![
            condition(
                "MemoryPressure",
                "False",
                "KubeletHasSufficientMemory",
                "kubelet has sufficient memory available",
            ),
            condition(
                "DiskPressure",
                "False",
                "KubeletHasNoDiskPressure",
                "kubelet has no disk pressure",
            ),
            condition(
                "PIDPressure",
                "False",
                "KubeletHasSufficientPID",
                "kubelet has sufficient PID available",
            ),
            condition(
                "Ready",
                "True",
                "KubeletReady",
                "kubelet is posting ready status",
            ),
        ]),
        addresses: Some(vec![
            NodeAddress {
                type_: "InternalIP".into(),
                address: node.host_ip.clone(),
            },
            NodeAddress {
                type_: "Hostname".into(),
                address: node.name.clone(),
            },
        ]),
        node_info: Some(NodeSystemInfo {
            architecture: "amd64".into(),
            boot_id: format!("boot-{}", node.name),
            container_runtime_version: "rkube-nodesim://0.1.0".into(),
            kernel_version: "6.1.0-nodesim".into(),
            kube_proxy_version: KUBELET_VERSION.into(),
            kubelet_version: KUBELET_VERSION.into(),
            machine_id: format!("machine-{}", node.name),
            operating_system: "linux".into(),
            os_image: "rkube node simulator".into(),
            system_uuid: format!("uuid-{}", node.name),
        }),
        phase: None,
        ..NodeStatus::default()
    }
}

/// Creates (or takes over) the Node and reports it Ready. Returns its uid.
async fn register_node(client: &Client, node: &SimNode) -> Result<String, NodeSimError> {
    let nodes: Api<Node> = Api::all(client.clone());
    let pp = PostParams {
        field_manager: Some(FIELD_MANAGER.into()),
        ..PostParams::default()
    };
    let existing = match nodes.create(&pp, &node_object(node)).await {
        Ok(created) => created,
        Err(e) if e.is_already_exists() => nodes
            .get(&node.name)
            .await
            .map_err(api_err(format!("get node {}", node.name)))?,
        Err(e) => {
            return Err(NodeSimError::Api {
                what: format!("create node {}", node.name),
                source: e,
            });
        }
    };
    report_node_ready(client, node, existing.status.as_ref()).await?;
    Ok(existing.metadata.uid.unwrap_or_default())
}

async fn report_node_ready(
    client: &Client,
    node: &SimNode,
    previous: Option<&NodeStatus>,
) -> Result<(), NodeSimError> {
    let nodes: Api<Node> = Api::all(client.clone());
    let status = node_status(node, previous);
    nodes
        .patch_status(
            &node.name,
            &patch_params(),
            &Patch::Merge(json!({ "status": status })),
        )
        .await
        .map_err(api_err(format!("report node {} ready", node.name)))?;
    Ok(())
}

fn patch_params() -> PatchParams {
    PatchParams {
        field_manager: Some(FIELD_MANAGER.into()),
        ..PatchParams::default()
    }
}

/// Creates the node's Lease, or takes it over if it exists.
async fn ensure_lease(client: &Client, node: &SimNode, uid: &str) -> Result<(), NodeSimError> {
    let leases: Api<Lease> = Api::namespaced(client.clone(), NODE_LEASE_NAMESPACE);
    let lease = Lease {
        metadata: ObjectMeta {
            name: Some(node.name.clone()),
            namespace: Some(NODE_LEASE_NAMESPACE.into()),
            owner_references: (!uid.is_empty()).then(|| {
                vec![OwnerReference {
                    api_version: "v1".into(),
                    kind: "Node".into(),
                    name: node.name.clone(),
                    uid: uid.to_string(),
                    ..OwnerReference::default()
                }]
            }),
            ..ObjectMeta::default()
        },
        spec: Some(LeaseSpec {
            holder_identity: Some(node.name.clone()),
            lease_duration_seconds: Some(40),
            renew_time: Some(now_micro()),
            ..LeaseSpec::default()
        }),
    };
    let pp = PostParams {
        field_manager: Some(FIELD_MANAGER.into()),
        ..PostParams::default()
    };
    match leases.create(&pp, &lease).await {
        Ok(_) => Ok(()),
        Err(e) if e.is_already_exists() => renew_lease(client, node).await,
        Err(e) => Err(NodeSimError::Api {
            what: format!("create lease {}", node.name),
            source: e,
        }),
    }
}

async fn renew_lease(client: &Client, node: &SimNode) -> Result<(), NodeSimError> {
    let leases: Api<Lease> = Api::namespaced(client.clone(), NODE_LEASE_NAMESPACE);
    let patch = json!({ "spec": {
        "holderIdentity": node.name,
        "leaseDurationSeconds": 40,
        "renewTime": now_micro(),
    }});
    leases
        .patch(&node.name, &patch_params(), &Patch::Merge(patch))
        .await
        .map_err(api_err(format!("renew lease {}", node.name)))?;
    Ok(())
}

/// One node's heartbeat: renew the Lease every period and put the Ready
/// condition back if someone (the node lifecycle controller) changed it.
async fn heartbeat(
    shared: Arc<Shared>,
    node: Arc<SimNode>,
    uid: String,
    cancel: CancellationToken,
) {
    let mut interval = tokio::time::interval(shared.config.heartbeat);
    interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut was_alive = true;
    loop {
        tokio::select! {
            _ = cancel.cancelled() => return,
            _ = interval.tick() => {}
            _ = node.wake.notified() => {}
        }
        if !node.is_alive() {
            was_alive = false;
            continue;
        }
        let came_back = !was_alive;
        was_alive = true;
        let renewed = match renew_lease(&shared.client, &node).await {
            Ok(()) => true,
            Err(NodeSimError::Api { source, .. }) if source.is_not_found() => {
                ensure_lease(&shared.client, &node, &uid).await.is_ok()
            }
            Err(e) => {
                debug!("node simulator: {e}");
                false
            }
        };
        if renewed {
            shared
                .counters
                .lease_renewals
                .fetch_add(1, Ordering::Relaxed);
        }
        let nodes: Api<Node> = Api::all(shared.client.clone());
        match nodes.get_opt(&node.name).await {
            Ok(Some(current)) => {
                let ready = current
                    .status
                    .as_ref()
                    .and_then(|s| s.conditions.as_ref())
                    .and_then(|cs| cs.iter().find(|c| c.type_ == "Ready"))
                    .is_some_and(|c| c.status == "True");
                if (!ready || came_back)
                    && let Err(e) =
                        report_node_ready(&shared.client, &node, current.status.as_ref()).await
                {
                    debug!("node simulator: {e}");
                }
            }
            Ok(None) => {
                // Deleted by someone: register again, as a kubelet does.
                if let Err(e) = register_node(&shared.client, &node).await {
                    debug!("node simulator: {e}");
                }
            }
            Err(e) => debug!("node simulator: get node {}: {e}", node.name),
        }
    }
}

impl Shared {
    fn node(&self, name: &str) -> Option<&Arc<SimNode>> {
        self.nodes.iter().find(|n| n.name == name)
    }

    /// The next live node (round-robin) whose labels satisfy the pod's
    /// `nodeSelector`.
    fn pick_node(&self, pod: &Pod) -> Option<Arc<SimNode>> {
        let selector = pod.spec.as_ref().and_then(|s| s.node_selector.as_ref());
        let n = self.nodes.len();
        let start = self.next_node.fetch_add(1, Ordering::Relaxed);
        (0..n)
            .map(|i| &self.nodes[(start + i) % n])
            .find(|node| {
                node.is_alive()
                    && selector
                        .is_none_or(|sel| sel.iter().all(|(k, v)| node.labels.get(k) == Some(v)))
            })
            .cloned()
    }

    fn pods(&self, namespace: &str) -> Api<Pod> {
        Api::namespaced(self.client.clone(), namespace)
    }

    /// Brings one pod one step closer to what a kubelet would make of it.
    async fn sync_pod(&self, key: &PodKey) -> Result<(), rkube_client::Error> {
        let namespace = key.namespace.clone().unwrap_or_default();
        let Some(pod) = self.store.get(key) else {
            lock(&self.overrides).remove(&(namespace, key.name.clone()));
            return Ok(());
        };
        let uid = pod.metadata.uid.clone().unwrap_or_default();
        let node_name = pod
            .spec
            .as_ref()
            .and_then(|s| s.node_name.clone())
            .unwrap_or_default();
        let deleting = pod.metadata.deletion_timestamp.is_some();

        if node_name.is_empty() {
            if deleting {
                return Ok(());
            }
            let Some(node) = self.pick_node(&pod) else {
                return Ok(());
            };
            return self.bind(&namespace, &key.name, &uid, &node).await;
        }
        let Some(node) = self.node(&node_name) else {
            return Ok(());
        };
        if !node.is_alive() {
            return Ok(());
        }
        if deleting {
            if pod.metadata.deletion_grace_period_seconds == Some(0) {
                // Already finished by us; finalizers hold it.
                return Ok(());
            }
            let dp = DeleteParams::default()
                .grace_period(0)
                .precondition_uid(&uid);
            return match self.pods(&namespace).delete(&key.name, &dp).await {
                Ok(_) => {
                    self.counters.deleted.fetch_add(1, Ordering::Relaxed);
                    lock(&self.started).remove(&uid);
                    Ok(())
                }
                Err(e) if e.is_not_found() || e.is_conflict() => Ok(()),
                Err(e) => Err(e),
            };
        }
        let phase = pod.status.as_ref().and_then(|s| s.phase.as_deref());
        if matches!(phase, Some("Succeeded" | "Failed")) {
            return Ok(());
        }
        self.make_running(key, &namespace, &pod, node).await
    }

    async fn bind(
        &self,
        namespace: &str,
        name: &str,
        uid: &str,
        node: &SimNode,
    ) -> Result<(), rkube_client::Error> {
        let binding = Binding {
            metadata: ObjectMeta {
                name: Some(name.to_string()),
                namespace: Some(namespace.to_string()),
                uid: Some(uid.to_string()),
                ..ObjectMeta::default()
            },
            target: ObjectReference {
                api_version: Some("v1".into()),
                kind: Some("Node".into()),
                name: Some(node.name.clone()),
                ..ObjectReference::default()
            },
        };
        let pp = PostParams {
            field_manager: Some(FIELD_MANAGER.into()),
            ..PostParams::default()
        };
        match self
            .pods(namespace)
            .create_subresource::<_, serde_json::Value>(name, "binding", &pp, &binding)
            .await
        {
            Ok(_) => {
                self.counters.bound.fetch_add(1, Ordering::Relaxed);
                Ok(())
            }
            // Already bound, being deleted, or gone: the watch brings the news.
            Err(e) if e.is_not_found() || e.is_conflict() => Ok(()),
            Err(e) => Err(e),
        }
    }

    /// Whether the pod should be Ready now; `Err(wait)` when it will be
    /// after `wait`.
    fn readiness(&self, namespace: &str, pod: &Pod, started: Instant) -> Result<bool, Duration> {
        let name = pod.metadata.name.clone().unwrap_or_default();
        if let Some(forced) = lock(&self.overrides).get(&(namespace.to_string(), name)) {
            return Ok(*forced);
        }
        let empty = BTreeMap::new();
        let labels = pod.metadata.labels.as_ref().unwrap_or(&empty);
        if lock(&self.never_ready).iter().any(|s| s.matches(labels)) {
            return Ok(false);
        }
        if !self.config.auto_ready {
            return Ok(false);
        }
        let elapsed = started.elapsed();
        if elapsed >= self.config.ready_delay {
            Ok(true)
        } else {
            Err(self.config.ready_delay - elapsed)
        }
    }

    async fn make_running(
        &self,
        key: &PodKey,
        namespace: &str,
        pod: &Pod,
        node: &SimNode,
    ) -> Result<(), rkube_client::Error> {
        let uid = pod.metadata.uid.clone().unwrap_or_default();
        let started = *lock(&self.started)
            .entry(uid.clone())
            .or_insert_with(Instant::now);
        let ready = match self.readiness(namespace, pod, started) {
            Ok(ready) => ready,
            Err(wait) => {
                self.queue.add_after(key.clone(), wait);
                false
            }
        };
        let current = pod.status.clone().unwrap_or_default();
        let was_ready = is_ready(&current);
        let desired = desired_status(pod, node, ready);
        if status_matches(&current, &desired) {
            return Ok(());
        }
        let patch = json!({ "status": desired });
        match self
            .pods(namespace)
            .patch_status(&key.name, &patch_params(), &Patch::Merge(patch))
            .await
        {
            Ok(_) => {
                self.counters.status_updates.fetch_add(1, Ordering::Relaxed);
                if ready && !was_ready {
                    self.counters.readied.fetch_add(1, Ordering::Relaxed);
                }
                Ok(())
            }
            Err(e) if e.is_not_found() => Ok(()),
            Err(e) => {
                if e.code().is_none_or(|c| c >= 500) {
                    warn!(
                        "node simulator: status of pod {namespace}/{}: {e}",
                        key.name
                    );
                }
                Err(e)
            }
        }
    }
}

fn is_ready(status: &PodStatus) -> bool {
    status
        .conditions
        .as_ref()
        .and_then(|cs| cs.iter().find(|c| c.type_ == "Ready"))
        .is_some_and(|c| c.status == "True")
}

/// Whether `current` already says what `desired` says (ignoring timestamps).
fn status_matches(current: &PodStatus, desired: &PodStatus) -> bool {
    let conditions = |s: &PodStatus| -> BTreeSet<(String, String)> {
        s.conditions
            .iter()
            .flatten()
            .map(|c| (c.type_.clone(), c.status.clone()))
            .collect()
    };
    let containers = |s: &PodStatus| -> Vec<(String, bool, bool)> {
        s.container_statuses
            .iter()
            .flatten()
            .map(|c| {
                (
                    c.name.clone(),
                    c.ready,
                    c.state.as_ref().is_some_and(|s| s.running.is_some()),
                )
            })
            .collect()
    };
    current.phase == desired.phase
        && current.pod_ip.is_some()
        && current.host_ip == desired.host_ip
        && current.start_time.is_some()
        && conditions(current) == conditions(desired)
        && containers(current) == containers(desired)
        && current.init_container_statuses.as_ref().map(Vec::len)
            == desired.init_container_statuses.as_ref().map(Vec::len)
}

/// The status a kubelet would report for `pod` running on `node`.
fn desired_status(pod: &Pod, node: &SimNode, ready: bool) -> PodStatus {
    let now = now_time();
    let current = pod.status.clone().unwrap_or_default();
    let ready_str = if ready { "True" } else { "False" };
    let condition = |type_: &str, status: &str, reason: Option<&str>| {
        let transition = current
            .conditions
            .iter()
            .flatten()
            .find(|c| c.type_ == type_)
            .filter(|c| c.status == status)
            .and_then(|c| c.last_transition_time.clone())
            .unwrap_or_else(|| now.clone());
        PodCondition {
            type_: type_.to_string(),
            status: status.to_string(),
            reason: reason.map(str::to_string),
            last_transition_time: Some(transition),
            ..PodCondition::default()
        }
    };
    let not_ready_reason = (!ready).then_some("ContainersNotReady");
    let conditions = vec![
        condition("PodReadyToStartContainers", "True", None),
        condition("Initialized", "True", None),
        condition("Ready", ready_str, not_ready_reason),
        condition("ContainersReady", ready_str, not_ready_reason),
        condition("PodScheduled", "True", None),
    ];
    let start_time = current.start_time.clone().unwrap_or_else(|| now.clone());
    let pod_ip = current.pod_ip.clone().unwrap_or_else(|| node.allocate_ip());
    let uid = pod.metadata.uid.clone().unwrap_or_default();
    let short_uid: String = uid.chars().filter(|c| *c != '-').take(12).collect();
    let spec = pod.spec.clone().unwrap_or_default();
    let container_status = |c: &k8s_openapi::api::core::v1::Container, i: usize| {
        let started_at = current
            .container_statuses
            .iter()
            .flatten()
            .find(|s| s.name == c.name)
            .and_then(|s| s.state.as_ref())
            .and_then(|s| s.running.as_ref())
            .and_then(|r| r.started_at.clone())
            .unwrap_or_else(|| start_time.clone());
        let image = c.image.clone().unwrap_or_default();
        ContainerStatus {
            name: c.name.clone(),
            image: image.clone(),
            image_id: format!("nodesim://{image}"),
            container_id: Some(format!("nodesim://{short_uid}{i:02}")),
            ready,
            started: Some(true),
            restart_count: 0,
            state: Some(ContainerState {
                running: Some(ContainerStateRunning {
                    started_at: Some(started_at),
                }),
                ..ContainerState::default()
            }),
            ..ContainerStatus::default()
        }
    };
    let container_statuses = spec
        .containers
        .iter()
        .enumerate()
        .map(|(i, c)| container_status(c, i))
        .collect();
    let init_container_statuses = spec.init_containers.as_ref().map(|inits| {
        inits
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let image = c.image.clone().unwrap_or_default();
                ContainerStatus {
                    name: c.name.clone(),
                    image: image.clone(),
                    image_id: format!("nodesim://{image}"),
                    container_id: Some(format!("nodesim://{short_uid}i{i:02}")),
                    ready: true,
                    started: Some(false),
                    restart_count: 0,
                    state: Some(ContainerState {
                        terminated: Some(ContainerStateTerminated {
                            exit_code: 0,
                            reason: Some("Completed".into()),
                            started_at: Some(start_time.clone()),
                            finished_at: Some(start_time.clone()),
                            ..ContainerStateTerminated::default()
                        }),
                        ..ContainerState::default()
                    }),
                    ..ContainerStatus::default()
                }
            })
            .collect()
    });
    PodStatus {
        phase: Some("Running".into()),
        conditions: Some(conditions),
        host_ip: Some(node.host_ip.clone()),
        host_ips: Some(vec![k8s_openapi::api::core::v1::HostIP {
            ip: node.host_ip.clone(),
        }]),
        pod_ip: Some(pod_ip.clone()),
        pod_ips: Some(vec![PodIP { ip: pod_ip }]),
        start_time: Some(start_time),
        container_statuses: Some(container_statuses),
        init_container_statuses,
        qos_class: current
            .qos_class
            .clone()
            .or_else(|| Some("BestEffort".into())),
        ..PodStatus::default()
    }
}

/// One requirement of a label selector.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Requirement {
    Equals(String, String),
    NotEquals(String, String),
    In(String, Vec<String>),
    NotIn(String, Vec<String>),
    Exists(String),
    DoesNotExist(String),
}

/// A parsed label selector (the string form kubectl takes with `-l`).
#[derive(Clone, Debug, PartialEq, Eq)]
struct Selector(Vec<Requirement>);

impl Selector {
    fn parse(text: &str) -> Result<Selector, NodeSimError> {
        let err = |reason: &str| NodeSimError::Selector {
            selector: text.to_string(),
            reason: reason.to_string(),
        };
        // Split on commas outside parentheses.
        let mut parts = Vec::new();
        let mut depth = 0i32;
        let mut current = String::new();
        for ch in text.chars() {
            match ch {
                '(' => depth += 1,
                ')' => depth -= 1,
                ',' if depth == 0 => {
                    parts.push(std::mem::take(&mut current));
                    continue;
                }
                _ => {}
            }
            if depth < 0 {
                return Err(err("unbalanced parentheses"));
            }
            current.push(ch);
        }
        if depth != 0 {
            return Err(err("unbalanced parentheses"));
        }
        parts.push(current);
        let mut reqs = Vec::new();
        for part in parts {
            let part = part.trim();
            if part.is_empty() {
                if text.trim().is_empty() {
                    continue;
                }
                return Err(err("empty requirement"));
            }
            let values = |rest: &str| -> Result<Vec<String>, NodeSimError> {
                let rest = rest.trim();
                let inner = rest
                    .strip_prefix('(')
                    .and_then(|r| r.strip_suffix(')'))
                    .ok_or_else(|| err("set values must be in parentheses"))?;
                Ok(inner
                    .split(',')
                    .map(|v| v.trim().to_string())
                    .filter(|v| !v.is_empty())
                    .collect())
            };
            let key_ok = |k: &str| !k.is_empty() && !k.contains(char::is_whitespace);
            let req = if let Some(key) = part.strip_prefix('!') {
                Requirement::DoesNotExist(key.trim().to_string())
            } else if let Some((k, v)) = part.split_once("!=") {
                Requirement::NotEquals(k.trim().into(), v.trim().into())
            } else if let Some((k, v)) = part.split_once("==") {
                Requirement::Equals(k.trim().into(), v.trim().into())
            } else if let Some((k, v)) = part.split_once('=') {
                Requirement::Equals(k.trim().into(), v.trim().into())
            } else if let Some((k, rest)) = part.split_once(" notin ") {
                Requirement::NotIn(k.trim().into(), values(rest)?)
            } else if let Some((k, rest)) = part.split_once(" in ") {
                Requirement::In(k.trim().into(), values(rest)?)
            } else {
                Requirement::Exists(part.to_string())
            };
            let key = match &req {
                Requirement::Equals(k, _)
                | Requirement::NotEquals(k, _)
                | Requirement::In(k, _)
                | Requirement::NotIn(k, _)
                | Requirement::Exists(k)
                | Requirement::DoesNotExist(k) => k,
            };
            if !key_ok(key) {
                return Err(err("bad key"));
            }
            reqs.push(req);
        }
        Ok(Selector(reqs))
    }

    fn matches(&self, labels: &BTreeMap<String, String>) -> bool {
        self.0.iter().all(|req| match req {
            Requirement::Equals(k, v) => labels.get(k) == Some(v),
            Requirement::NotEquals(k, v) => labels.get(k) != Some(v),
            Requirement::In(k, vs) => labels.get(k).is_some_and(|l| vs.contains(l)),
            Requirement::NotIn(k, vs) => labels.get(k).is_none_or(|l| !vs.contains(l)),
            Requirement::Exists(k) => labels.contains_key(k),
            Requirement::DoesNotExist(k) => !labels.contains_key(k),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn selectors_parse_and_match() {
        let l = labels(&[("app", "web"), ("tier", "front")]);
        let yes = [
            "app=web",
            "app==web",
            "app=web,tier",
            "tier in (front, back)",
            "tier notin (back),!missing",
            "app!=db",
            "",
        ];
        for s in yes {
            assert!(Selector::parse(s).unwrap().matches(&l), "{s}");
        }
        let no = [
            "app=db",
            "missing",
            "!app",
            "tier in (back)",
            "tier notin (front)",
        ];
        for s in no {
            assert!(!Selector::parse(s).unwrap().matches(&l), "{s}");
        }
        for bad in ["app in (a", "a=b,,c", "tier in back", "a b"] {
            assert!(Selector::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn pod_ips_are_distinct_per_node_range() {
        let node = SimNode {
            name: "n".into(),
            octet: 101,
            host_ip: "172.31.0.2".into(),
            labels: BTreeMap::new(),
            alive: AtomicBool::new(true),
            next_ip: AtomicU32::new(0),
            wake: tokio::sync::Notify::new(),
        };
        let ips: BTreeSet<String> = (0..2000).map(|_| node.allocate_ip()).collect();
        assert_eq!(ips.len(), 2000);
        assert!(ips.iter().all(|ip| ip.starts_with("10.101.")));
        assert!(!ips.contains("10.101.0.0"));
    }

    #[test]
    fn desired_status_is_running_and_stable() {
        let node = SimNode {
            name: "n".into(),
            octet: 100,
            host_ip: "172.31.0.2".into(),
            labels: BTreeMap::new(),
            alive: AtomicBool::new(true),
            next_ip: AtomicU32::new(0),
            wake: tokio::sync::Notify::new(),
        };
        let pod: Pod = serde_json::from_value(json!({
            "metadata": {"name": "p", "namespace": "default", "uid": "1234-5678"},
            "spec": {"nodeName": "n", "containers": [{"name": "c", "image": "nginx:1"}]}
        }))
        .unwrap();
        let status = desired_status(&pod, &node, true);
        assert_eq!(status.phase.as_deref(), Some("Running"));
        assert!(is_ready(&status));
        assert_eq!(status.pod_ip.as_deref(), Some("10.100.0.1"));
        let cs = &status.container_statuses.as_ref().unwrap()[0];
        assert!(cs.ready && cs.state.as_ref().unwrap().running.is_some());
        let mut running = pod.clone();
        running.status = Some(status.clone());
        let again = desired_status(&running, &node, true);
        assert!(status_matches(&status, &again));
        assert_eq!(again.pod_ip, status.pod_ip);
        let unready = desired_status(&running, &node, false);
        assert!(!status_matches(&status, &unready));
        assert!(!is_ready(&unready));
    }
}
