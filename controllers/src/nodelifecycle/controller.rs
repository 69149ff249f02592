//! The node lifecycle controller's wiring: watches Nodes, their Leases in `kube-node-lease` and
//! the pods bound to them; a reconcile of one node updates its conditions when heartbeats stop,
//! keeps the not-ready/unreachable taints in step, marks the pods of an unreachable node not
//! ready and evicts pods whose toleration ran out, then looks again when the next deadline falls.

use std::sync::Arc;

use futures::future::BoxFuture;
use k8s_openapi::api::coordination::v1::Lease;
use k8s_openapi::api::core::v1::{Node, Pod};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
use k8s_openapi::jiff::SignedDuration;
use rkube_client::{DeleteParams, Patch};
use rkube_runtime::events::{EventType, object_reference};
use rkube_runtime::informer::Informer;
use rkube_runtime::reflector::index;
use rkube_runtime::{Action, Controller, ObjectRef, Store};
use serde_json::{Value, json};

use super::NodeLifecycleConfig;
use super::eviction::pods_to_evict;
use super::health::{decide_health, pods_to_mark_not_ready, ready_status};
use super::taints::desired_taints;
use crate::wiring::{ClientWrites, EventSink, ReconcileError, now, requeue_or_wait};

/// The namespace of node Leases.
pub const NODE_LEASE_NAMESPACE: &str = "kube-node-lease";

/// The writes the node lifecycle controller makes.
pub trait NodeLifecycleWrites: Send + Sync + 'static {
    /// Merge-patches a node's status subresource.
    fn patch_node_status<'a>(
        &'a self,
        name: &'a str,
        patch: &'a Value,
    ) -> BoxFuture<'a, rkube_client::Result<()>>;
    /// Merge-patches a node (its taints).
    fn patch_node<'a>(
        &'a self,
        name: &'a str,
        patch: &'a Value,
    ) -> BoxFuture<'a, rkube_client::Result<()>>;
    /// Strategic-merge-patches a pod's status subresource.
    fn patch_pod_status<'a>(
        &'a self,
        namespace: &'a str,
        name: &'a str,
        patch: &'a Value,
    ) -> BoxFuture<'a, rkube_client::Result<()>>;
    /// Deletes (evicts) a pod, uid as precondition.
    fn delete_pod<'a>(
        &'a self,
        namespace: &'a str,
        name: &'a str,
        uid: &'a str,
    ) -> BoxFuture<'a, rkube_client::Result<()>>;
}

impl NodeLifecycleWrites for ClientWrites {
    fn patch_node_status<'a>(
        &'a self,
        name: &'a str,
        patch: &'a Value,
    ) -> BoxFuture<'a, rkube_client::Result<()>> {
        self.patch_object::<Node>(None, name, Patch::Merge(patch), true)
    }
    fn patch_node<'a>(
        &'a self,
        name: &'a str,
        patch: &'a Value,
    ) -> BoxFuture<'a, rkube_client::Result<()>> {
        self.patch_object::<Node>(None, name, Patch::Merge(patch), false)
    }
    fn patch_pod_status<'a>(
        &'a self,
        namespace: &'a str,
        name: &'a str,
        patch: &'a Value,
    ) -> BoxFuture<'a, rkube_client::Result<()>> {
        self.patch_object::<Pod>(Some(namespace), name, Patch::Strategic(patch), true)
    }
    fn delete_pod<'a>(
        &'a self,
        namespace: &'a str,
        name: &'a str,
        uid: &'a str,
    ) -> BoxFuture<'a, rkube_client::Result<()>> {
        let dp = DeleteParams::default().precondition_uid(uid);
        self.delete_object::<Pod>(Some(namespace), name, dp)
    }
}

/// What a node reconcile reads and writes through.
pub struct NodeLifecycleContext<W> {
    /// The writes.
    pub writes: W,
    /// Where events go.
    pub events: Arc<dyn EventSink>,
    /// Node Leases (namespace `kube-node-lease`).
    pub leases: Store<Lease>,
    /// Pods, indexed by `spec.nodeName`.
    pub pods: Store<Pod>,
    /// Grace period and default toleration.
    pub config: NodeLifecycleConfig,
}

/// Builds the controller on shared informers: Nodes, their Leases (by name, namespace
/// `kube-node-lease`), and pods (by node). The pod informer must index `spec.nodeName`
/// (see [`pod_store_builder`](crate::wiring::pod_store_builder)).
pub fn build(
    nodes: &Informer<Node>,
    leases: &Informer<Lease>,
    pods: &Informer<Pod>,
) -> Controller<Node> {
    Controller::new_shared(nodes)
        .watches_shared(leases, |lease: &Lease| {
            (lease.metadata.namespace.as_deref() == Some(NODE_LEASE_NAMESPACE))
                .then(|| lease.metadata.name.clone().map(ObjectRef::<Node>::new))
                .flatten()
        })
        .watches_shared(pods, |pod: &Pod| {
            let node = crate::pods::node_name(pod);
            (!node.is_empty()).then(|| ObjectRef::<Node>::new(node))
        })
}

fn earliest(a: Option<SignedDuration>, b: Option<SignedDuration>) -> Option<SignedDuration> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

/// One reconcile of a node.
pub async fn reconcile<W: NodeLifecycleWrites>(
    node: Arc<Node>,
    ctx: Arc<NodeLifecycleContext<W>>,
) -> Result<Action, ReconcileError> {
    let now = now();
    let name = node.metadata.name.clone().unwrap_or_default();
    let lease = ctx
        .leases
        .get(&ObjectRef::new(&name).within(NODE_LEASE_NAMESPACE));
    let health = decide_health(&node, lease.as_deref(), now, &ctx.config);
    let mut view = (*node).clone();
    if let Some(conditions) = health.conditions {
        let patch = json!({ "status": { "conditions": conditions } });
        ctx.writes.patch_node_status(&name, &patch).await?;
        view.status.get_or_insert_with(Default::default).conditions = Some(conditions);
    }
    let ready = ready_status(&view).map(str::to_owned);
    if let Some(taints) = desired_taints(&view, ready.as_deref(), now) {
        let patch = json!({ "spec": { "taints": taints } });
        ctx.writes.patch_node(&name, &patch).await?;
        view.spec.get_or_insert_with(Default::default).taints = Some(taints);
    }
    let pods = ctx.pods.by_index(index::POD_NODE_NAME, &name)?;
    let pod_refs: Vec<&Pod> = pods.iter().map(AsRef::as_ref).collect();
    for pod in pods_to_mark_not_ready(ready.as_deref(), &pod_refs) {
        let patch = json!({
            "status": { "conditions": [{ "type": "Ready", "status": "False", "lastTransitionTime": Time(now) }] }
        });
        let ns = pod.metadata.namespace.as_deref().unwrap_or_default();
        let pod_name = pod.metadata.name.as_deref().unwrap_or_default();
        match ctx.writes.patch_pod_status(ns, pod_name, &patch).await {
            Err(e) if !e.is_not_found() => return Err(e.into()),
            _ => {}
        }
    }
    let (evict, next_eviction) = pods_to_evict(&view, &pod_refs, now, &ctx.config);
    for pod in evict {
        let ns = pod.metadata.namespace.as_deref().unwrap_or_default();
        let pod_name = pod.metadata.name.as_deref().unwrap_or_default();
        let uid = pod.metadata.uid.as_deref().unwrap_or_default();
        match ctx.writes.delete_pod(ns, pod_name, uid).await {
            Ok(()) => {
                let message = format!("Marking for deletion Pod {ns}/{pod_name}");
                ctx.events
                    .publish(
                        object_reference(pod),
                        EventType::Normal,
                        "TaintManagerEviction",
                        message,
                    )
                    .await;
            }
            Err(e) if e.is_not_found() || e.is_conflict() => {}
            Err(e) => return Err(e.into()),
        }
    }
    Ok(requeue_or_wait(earliest(
        health.requeue_after,
        next_eviction,
    )))
}

/// Runs the node lifecycle controller until `shutdown`.
pub async fn run<W: NodeLifecycleWrites>(
    controller: Controller<Node>,
    writes: W,
    events: Arc<dyn EventSink>,
    config: NodeLifecycleConfig,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) {
    let (Some(leases), Some(pods)) = (
        controller.store_for::<Lease>(),
        controller.store_for::<Pod>(),
    ) else {
        tracing::error!("the node lifecycle controller was built without its watches");
        return;
    };
    let ctx = Arc::new(NodeLifecycleContext {
        writes,
        events,
        leases,
        pods,
        config,
    });
    crate::wiring::run_controller(controller, 2, shutdown, reconcile::<W>, ctx).await;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::nodelifecycle::eviction::tests_support::toleration;
    use crate::nodelifecycle::health::tests::{lease, node};
    use crate::nodelifecycle::taints::UNREACHABLE_TAINT;
    use crate::testutil::{RecordedEvents, api_error, eventually, merge_patched, pod};
    use crate::wiring::informer;
    use futures::FutureExt;
    use k8s_openapi::api::coordination::v1::LeaseSpec;
    use k8s_openapi::apimachinery::pkg::apis::meta::v1::MicroTime;
    use rkube_runtime::fake::FakeApi;
    use std::time::Duration;

    #[derive(Default)]
    struct Fakes {
        nodes: FakeApi<Node>,
        pods: FakeApi<Pod>,
    }

    impl NodeLifecycleWrites for Arc<Fakes> {
        fn patch_node_status<'a>(
            &'a self,
            name: &'a str,
            patch: &'a Value,
        ) -> BoxFuture<'a, rkube_client::Result<()>> {
            self.patch_node(name, patch)
        }
        fn patch_node<'a>(
            &'a self,
            name: &'a str,
            patch: &'a Value,
        ) -> BoxFuture<'a, rkube_client::Result<()>> {
            async move {
                let n = self
                    .nodes
                    .get(None, name)
                    .ok_or_else(|| api_error(404, "NotFound"))?;
                self.nodes.apply(merge_patched(&n, patch));
                Ok(())
            }
            .boxed()
        }
        fn patch_pod_status<'a>(
            &'a self,
            ns: &'a str,
            name: &'a str,
            patch: &'a Value,
        ) -> BoxFuture<'a, rkube_client::Result<()>> {
            async move {
                let p = self
                    .pods
                    .get(Some(ns), name)
                    .ok_or_else(|| api_error(404, "NotFound"))?;
                self.pods.apply(merge_patched(&p, patch));
                Ok(())
            }
            .boxed()
        }
        fn delete_pod<'a>(
            &'a self,
            ns: &'a str,
            name: &'a str,
            _uid: &'a str,
        ) -> BoxFuture<'a, rkube_client::Result<()>> {
            async move {
                self.pods
                    .delete(Some(ns), name)
                    .map(|_| ())
                    .ok_or_else(|| api_error(404, "NotFound"))
            }
            .boxed()
        }
    }

    fn lease_at(renew: k8s_openapi::jiff::Timestamp) -> Lease {
        let mut l = lease(0);
        l.metadata.name = Some("n1".into());
        l.metadata.namespace = Some(NODE_LEASE_NAMESPACE.into());
        l.spec = Some(LeaseSpec {
            renew_time: Some(MicroTime(renew)),
            ..Default::default()
        });
        l
    }

    fn ready_of(api: &FakeApi<Node>) -> Option<String> {
        ready_status(&api.get(None, "n1")?).map(str::to_owned)
    }

    fn has_unreachable_taint(api: &FakeApi<Node>) -> bool {
        api.get(None, "n1")
            .and_then(|n| n.spec?.taints)
            .is_some_and(|t| {
                t.iter()
                    .any(|t| t.key == UNREACHABLE_TAINT && t.effect == "NoExecute")
            })
    }

    #[tokio::test]
    async fn silent_node_is_tainted_its_pods_evicted_and_it_recovers() {
        let fakes = Arc::new(Fakes::default());
        let leases = FakeApi::<Lease>::new();
        let long_ago = now() - SignedDuration::from_secs(120);
        let mut n = node("True", 0);
        n.status.as_mut().unwrap().conditions.as_mut().unwrap()[0].last_heartbeat_time =
            Some(Time(long_ago));
        fakes.nodes.apply(n);
        leases.apply(lease_at(long_ago));
        let mut quick = pod("quick").ready_at(long_ago).build();
        quick.spec.as_mut().unwrap().tolerations =
            Some(vec![toleration(UNREACHABLE_TAINT, Some(0))]);
        let mut patient = pod("patient").ready_at(long_ago).build();
        patient.spec.as_mut().unwrap().tolerations =
            Some(vec![toleration(UNREACHABLE_TAINT, Some(300))]);
        fakes.pods.apply(quick);
        fakes.pods.apply(patient);

        let events = Arc::new(RecordedEvents::default());
        let token = tokio_util::sync::CancellationToken::new();
        let task = tokio::spawn(run(
            build(
                &informer(fakes.nodes.clone()),
                &informer(leases.clone()),
                &rkube_runtime::informer::Informer::spawn(
                    fakes.pods.clone(),
                    Default::default(),
                    crate::wiring::pod_store_builder(),
                ),
            ),
            fakes.clone(),
            events.clone(),
            NodeLifecycleConfig::default(),
            token.clone().cancelled_owned(),
        ));
        assert!(eventually(5, || ready_of(&fakes.nodes).as_deref() == Some("Unknown")).await);
        assert!(eventually(5, || has_unreachable_taint(&fakes.nodes)).await);
        assert!(
            eventually(5, || fakes.pods.get(Some("default"), "quick").is_none()).await,
            "pod without patience evicted"
        );
        assert!(
            eventually(5, || fakes
                .pods
                .get(Some("default"), "patient")
                .is_some_and(|p| !crate::pods::is_pod_ready(&p)))
            .await
        );
        assert!(
            events
                .0
                .lock()
                .unwrap()
                .iter()
                .any(|(r, _)| r == "TaintManagerEviction")
        );

        // The kubelet comes back: renews its Lease and posts Ready=True.
        let mut back = fakes.nodes.get(None, "n1").unwrap();
        let ready = back
            .status
            .as_mut()
            .unwrap()
            .conditions
            .as_mut()
            .unwrap()
            .iter_mut()
            .find(|c| c.type_ == "Ready")
            .unwrap();
        ready.status = "True".into();
        ready.last_heartbeat_time = Some(Time(now()));
        fakes.nodes.apply(back);
        leases.apply(lease_at(now()));
        assert!(eventually(5, || !has_unreachable_taint(&fakes.nodes)).await);
        assert!(fakes.pods.get(Some("default"), "patient").is_some());
        token.cancel();
        tokio::time::timeout(Duration::from_secs(10), task)
            .await
            .unwrap()
            .unwrap();
    }
}
