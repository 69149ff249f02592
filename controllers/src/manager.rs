//! The controller manager: starts every controller against one API client, under leader
//! election on the Lease `kube-system/rkube-controller-manager` so that several managers may run
//! and exactly one acts. Used by `rkube controller-manager` and `rkube up`.

use std::future::Future;
use std::sync::Arc;

use k8s_openapi::api::apps::v1::{Deployment, ReplicaSet};
use k8s_openapi::api::coordination::v1::Lease;
use k8s_openapi::api::core::v1::{ConfigMap, Endpoints, Namespace, Node, Pod, Secret, Service};
use k8s_openapi::api::discovery::v1::EndpointSlice;
use rkube_client::{Api, Client};
use rkube_runtime::events::{Recorder, Reporter};
use rkube_runtime::informer::Informer;
use rkube_runtime::leader::{LeaderElectionConfig, LeaderElector, LeaseLock};
use rkube_runtime::watcher;
use tokio_util::sync::CancellationToken;

use crate::gc::caches::{InformerKind, ObjectCaches};
use crate::gc::controller::GcConfig;
use crate::nodelifecycle::NodeLifecycleConfig;
use crate::wiring::{ClientWrites, EventSink, informer, pod_store_builder};

/// Which controllers run and how.
#[derive(Debug, Clone)]
pub struct ControllerManagerConfig {
    /// Leader election timing; `None` runs the controllers at once without a Lease (one
    /// manager only).
    pub leader_election: Option<LeaderElectionConfig>,
    /// Namespace of the leader Lease (`kube-system`).
    pub lease_namespace: String,
    /// Name of the leader Lease (`rkube-controller-manager`).
    pub lease_name: String,
    /// This manager's identity in the Lease (default: host name and a unique suffix).
    pub identity: Option<String>,
    /// Concurrent ReplicaSet reconciles.
    pub replicaset_workers: usize,
    /// Concurrent Deployment reconciles.
    pub deployment_workers: usize,
    /// Concurrent Service (endpoints) reconciles.
    pub endpoints_workers: usize,
    /// Node lifecycle: grace period and default toleration.
    pub node_lifecycle: NodeLifecycleConfig,
    /// Garbage collector loop tuning.
    pub gc: GcConfig,
}

impl Default for ControllerManagerConfig {
    fn default() -> Self {
        Self {
            leader_election: Some(LeaderElectionConfig::default()),
            lease_namespace: "kube-system".into(),
            lease_name: "rkube-controller-manager".into(),
            identity: None,
            replicaset_workers: 8,
            deployment_workers: 4,
            endpoints_workers: 4,
            node_lifecycle: NodeLifecycleConfig::default(),
            gc: GcConfig::default(),
        }
    }
}

/// Why the controller manager stopped with an error.
#[derive(Debug, thiserror::Error)]
pub enum ManagerError {
    /// Leader election cannot run with this configuration.
    #[error(transparent)]
    LeaderElection(#[from] rkube_runtime::leader::Error),
}

fn recorder(client: &Client, component: &str) -> Arc<dyn EventSink> {
    Arc::new(Recorder::new(client.clone(), Reporter::new(component)))
}

/// Runs every controller until `stop` is cancelled, then waits for them to finish. Each kind is
/// watched once, by a shared informer, whichever controllers read it.
pub async fn run_controllers(
    client: Client,
    config: ControllerManagerConfig,
    stop: CancellationToken,
) {
    let writes = ClientWrites::new(client.clone());
    let c = || client.clone();
    let done = || stop.clone().cancelled_owned();

    let pods = Informer::spawn(
        Api::<Pod>::all(c()),
        watcher::Config::default(),
        pod_store_builder(),
    );
    let replica_sets = informer(Api::<ReplicaSet>::all(c()));
    let deployments = informer(Api::<Deployment>::all(c()));
    let services = informer(Api::<Service>::all(c()));
    let endpoints = informer(Api::<Endpoints>::all(c()));
    let slices = informer(Api::<EndpointSlice>::all(c()));
    let nodes = informer(Api::<Node>::all(c()));
    let leases = informer(Api::<Lease>::all(c()));
    let namespaces = informer(Api::<Namespace>::all(c()));
    let caches = ObjectCaches::new(vec![
        Box::new(InformerKind::new(&pods, "pods", true)),
        Box::new(InformerKind::new(&replica_sets, "replicasets.apps", true)),
        Box::new(InformerKind::new(&deployments, "deployments.apps", true)),
        Box::new(InformerKind::new(&services, "services", true)),
        Box::new(InformerKind::new(&endpoints, "endpoints", true)),
        Box::new(InformerKind::new(
            &slices,
            "endpointslices.discovery.k8s.io",
            true,
        )),
        Box::new(InformerKind::spawn(
            Api::<ConfigMap>::all(c()),
            "configmaps",
            true,
        )),
        Box::new(InformerKind::spawn(
            Api::<Secret>::all(c()),
            "secrets",
            true,
        )),
        Box::new(InformerKind::new(
            &leases,
            "leases.coordination.k8s.io",
            true,
        )),
        Box::new(InformerKind::new(&nodes, "nodes", false)),
    ]);

    let replicaset_controller = crate::replicaset::controller::run(
        crate::replicaset::controller::build(&replica_sets, &pods),
        writes.clone(),
        recorder(&client, "replicaset-controller"),
        config.replicaset_workers,
        done(),
    );
    let deployment_controller = crate::deployment::controller::run(
        crate::deployment::controller::build(&deployments, &replica_sets, &pods),
        writes.clone(),
        recorder(&client, "deployment-controller"),
        config.deployment_workers,
        done(),
    );
    let endpoints_controller = crate::endpoints::controller::run(
        crate::endpoints::controller::build(&services, &pods, &endpoints, &slices),
        writes.clone(),
        config.endpoints_workers,
        done(),
    );
    let node_controller = crate::nodelifecycle::controller::run(
        crate::nodelifecycle::controller::build(&nodes, &leases, &pods),
        writes.clone(),
        recorder(&client, "node-controller"),
        config.node_lifecycle,
        done(),
    );
    let namespace_controller = crate::namespace::controller::run(
        crate::namespace::controller::build(&namespaces),
        writes.clone(),
        caches.clone(),
        done(),
    );
    let garbage_collector = crate::gc::controller::run(caches, writes.clone(), config.gc, done());
    tracing::info!("controllers started");
    tokio::join!(
        replicaset_controller,
        deployment_controller,
        endpoints_controller,
        node_controller,
        namespace_controller,
        garbage_collector
    );
    tracing::info!("controllers stopped");
}

/// Runs the controller manager until `shutdown`: competes for the leader Lease (unless leader
/// election is off) and runs every controller while leading, stopping them when leadership is
/// lost and competing again.
pub async fn run_controller_manager(
    client: Client,
    config: ControllerManagerConfig,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), ManagerError> {
    let Some(election) = config.leader_election.clone() else {
        let stop = CancellationToken::new();
        let trigger = stop.clone();
        tokio::spawn(async move {
            shutdown.await;
            trigger.cancel();
        });
        run_controllers(client, config, stop).await;
        return Ok(());
    };
    let mut lock = LeaseLock::new(config.lease_namespace.clone(), config.lease_name.clone());
    if let Some(identity) = &config.identity {
        lock = lock.with_identity(identity.clone());
    }
    tracing::info!(identity = %lock.identity, "competing for leadership");
    let elector = LeaderElector::new(client.clone(), lock, election);
    elector
        .run(shutdown, |token| {
            run_controllers(client.clone(), config.clone(), token)
        })
        .await?;
    Ok(())
}
