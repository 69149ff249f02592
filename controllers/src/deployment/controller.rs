//! The Deployment controller's wiring: watches Deployments, their ReplicaSets (an orphan maps to
//! every Deployment of its namespace selecting it) and, for Recreate, pods of scaled-down
//! ReplicaSets; a reconcile runs [`sync_deployment`] on the caches and issues the plan's writes
//! in order through [`DeploymentWrites`].

use std::sync::Arc;
use std::time::Duration;

use futures::future::BoxFuture;
use k8s_openapi::api::apps::v1::{Deployment, ReplicaSet};
use k8s_openapi::api::core::v1::Pod;
use rkube_client::{DeleteParams, Patch};
use rkube_runtime::events::{EventType as RuntimeEventType, object_reference};
use rkube_runtime::informer::Informer;
use rkube_runtime::reflector::index;
use rkube_runtime::{Action, Controller, ObjectRef, Store};
use serde_json::{Value, json};

use super::fenceposts::is_rolling_update;
use super::plan::{DeploymentAction, EventType};
use super::replicasets::spec_replicas;
use super::sync::{DeploymentInput, sync_deployment};
use crate::labels::{labels_of, selector_matches};
use crate::ownership::controller_of;
use crate::wiring::{
    ClientWrites, EventSink, ReconcileError, ignore_not_found, now, requeue_or_wait,
    status_merge_patch,
};

/// The writes the Deployment controller makes.
pub trait DeploymentWrites: Send + Sync + 'static {
    /// Creates a ReplicaSet.
    fn create_rs<'a>(
        &'a self,
        namespace: &'a str,
        rs: &'a ReplicaSet,
    ) -> BoxFuture<'a, rkube_client::Result<()>>;
    /// Patches a ReplicaSet: strategic merge when `strategic`, else JSON merge.
    fn patch_rs<'a>(
        &'a self,
        namespace: &'a str,
        name: &'a str,
        patch: &'a Value,
        strategic: bool,
    ) -> BoxFuture<'a, rkube_client::Result<()>>;
    /// Deletes a ReplicaSet (uid precondition).
    fn delete_rs<'a>(
        &'a self,
        namespace: &'a str,
        name: &'a str,
        uid: Option<&'a str>,
    ) -> BoxFuture<'a, rkube_client::Result<()>>;
    /// Merge-patches a Deployment (its annotations).
    fn patch_deployment<'a>(
        &'a self,
        namespace: &'a str,
        name: &'a str,
        patch: &'a Value,
    ) -> BoxFuture<'a, rkube_client::Result<()>>;
    /// Merge-patches a Deployment's status subresource.
    fn patch_deployment_status<'a>(
        &'a self,
        namespace: &'a str,
        name: &'a str,
        patch: &'a Value,
    ) -> BoxFuture<'a, rkube_client::Result<()>>;
}

impl DeploymentWrites for ClientWrites {
    fn create_rs<'a>(
        &'a self,
        namespace: &'a str,
        rs: &'a ReplicaSet,
    ) -> BoxFuture<'a, rkube_client::Result<()>> {
        self.create_object(namespace, rs)
    }

    fn patch_rs<'a>(
        &'a self,
        namespace: &'a str,
        name: &'a str,
        patch: &'a Value,
        strategic: bool,
    ) -> BoxFuture<'a, rkube_client::Result<()>> {
        let patch = if strategic {
            Patch::Strategic(patch)
        } else {
            Patch::Merge(patch)
        };
        self.patch_object::<ReplicaSet>(Some(namespace), name, patch, false)
    }

    fn delete_rs<'a>(
        &'a self,
        namespace: &'a str,
        name: &'a str,
        uid: Option<&'a str>,
    ) -> BoxFuture<'a, rkube_client::Result<()>> {
        let mut dp = DeleteParams::background();
        if let Some(uid) = uid {
            dp = dp.precondition_uid(uid);
        }
        self.delete_object::<ReplicaSet>(Some(namespace), name, dp)
    }

    fn patch_deployment<'a>(
        &'a self,
        namespace: &'a str,
        name: &'a str,
        patch: &'a Value,
    ) -> BoxFuture<'a, rkube_client::Result<()>> {
        self.patch_object::<Deployment>(Some(namespace), name, Patch::Merge(patch), false)
    }

    fn patch_deployment_status<'a>(
        &'a self,
        namespace: &'a str,
        name: &'a str,
        patch: &'a Value,
    ) -> BoxFuture<'a, rkube_client::Result<()>> {
        self.patch_object::<Deployment>(Some(namespace), name, Patch::Merge(patch), true)
    }
}

/// What a Deployment reconcile reads and writes through.
pub struct DeploymentContext<W> {
    /// The writes.
    pub writes: W,
    /// Where events go.
    pub events: Arc<dyn EventSink>,
    /// The ReplicaSet cache.
    pub replica_sets: Store<ReplicaSet>,
    /// The pod cache (read for Recreate only).
    pub pods: Store<Pod>,
}

/// Builds the controller on shared informers: Deployments, their ReplicaSets, and pods of
/// scaled-down ReplicaSets.
pub fn build(
    deployments: &Informer<Deployment>,
    replica_sets: &Informer<ReplicaSet>,
    pods: &Informer<Pod>,
) -> Controller<Deployment> {
    let deployment_store = deployments.store();
    let rs_store = replica_sets.store();
    Controller::new_shared(deployments)
        .watches_shared(replica_sets, move |rs: &ReplicaSet| {
            deployments_for_replica_set(&deployment_store, rs)
        })
        .watches_shared(pods, move |pod: &Pod| {
            // Only Recreate waits for pods: those of ReplicaSets already scaled to zero.
            let ns = pod.metadata.namespace.as_deref();
            controller_of(&pod.metadata)
                .and_then(|o| ObjectRef::<ReplicaSet>::from_owner_ref(ns, o))
                .and_then(|r| rs_store.get(&r))
                .filter(|rs| spec_replicas(rs) == 0)
                .and_then(|rs| {
                    controller_of(&rs.metadata).and_then(|o| ObjectRef::from_owner_ref(ns, o))
                })
        })
}

/// The Deployments a ReplicaSet event concerns: its controller, or for an orphan every
/// Deployment of its namespace selecting it.
pub fn deployments_for_replica_set(
    deployments: &Store<Deployment>,
    rs: &ReplicaSet,
) -> Vec<ObjectRef<Deployment>> {
    let ns = rs.metadata.namespace.as_deref();
    if let Some(owner) = controller_of(&rs.metadata) {
        return ObjectRef::from_owner_ref(ns, owner).into_iter().collect();
    }
    deployments
        .by_index(index::NAMESPACE, ns.unwrap_or_default())
        .unwrap_or_default()
        .iter()
        .filter(|d| {
            d.spec.as_ref().is_some_and(|s| {
                selector_matches(&s.selector, labels_of(&rs.metadata)).unwrap_or(false)
            })
        })
        .map(|d| ObjectRef::from_obj(d.as_ref()))
        .collect()
}

/// How soon to look again after a create found the name taken (the cache is behind, or the
/// hash collided and the next sync raises collisionCount).
const ALREADY_EXISTS_RETRY: Duration = Duration::from_millis(500);

/// One reconcile of a Deployment.
pub async fn reconcile<W: DeploymentWrites>(
    d: Arc<Deployment>,
    ctx: Arc<DeploymentContext<W>>,
) -> Result<Action, ReconcileError> {
    let ns = d.metadata.namespace.clone().unwrap_or_default();
    let name = d.metadata.name.clone().unwrap_or_default();
    let replica_sets: Vec<ReplicaSet> = ctx
        .replica_sets
        .by_index(index::NAMESPACE, &ns)?
        .iter()
        .map(|rs| (**rs).clone())
        .collect();
    let pods: Vec<Pod> = if is_rolling_update(&d) {
        // Only the pods of its own ReplicaSets: they bound the surge (see
        // `rolling::new_rs_new_replicas`).
        let d_uid = d.metadata.uid.as_deref();
        replica_sets
            .iter()
            .filter(|rs| controller_of(&rs.metadata).map(|o| o.uid.as_str()) == d_uid)
            .filter_map(|rs| rs.metadata.uid.as_deref())
            .map(|uid| ctx.pods.by_index(index::CONTROLLER_OWNER_UID, uid))
            .collect::<Result<Vec<_>, _>>()?
            .into_iter()
            .flatten()
            .map(|p| (*p).clone())
            .collect()
    } else {
        ctx.pods
            .by_index(index::NAMESPACE, &ns)?
            .iter()
            .map(|p| (**p).clone())
            .collect()
    };
    let plan = sync_deployment(DeploymentInput {
        deployment: &d,
        replica_sets: &replica_sets,
        pods: &pods,
        now: now(),
    })?;
    for action in &plan.actions {
        match action {
            DeploymentAction::PatchReplicaSet { name: rs, patch } => {
                ignore_not_found(ctx.writes.patch_rs(&ns, rs, patch, true).await)?;
            }
            DeploymentAction::CreateReplicaSet(rs) => match ctx.writes.create_rs(&ns, rs).await {
                Ok(()) => {}
                Err(e) if e.is_already_exists() => {
                    return Ok(Action::requeue(ALREADY_EXISTS_RETRY));
                }
                Err(e) if crate::wiring::is_namespace_terminating(&e) => {
                    return Ok(Action::await_change());
                }
                Err(e) => {
                    let message = format!(
                        "Failed to create new replica set {:?}: {e}",
                        rs.metadata.name.as_deref().unwrap_or_default()
                    );
                    ctx.events
                        .publish(
                            object_reference(d.as_ref()),
                            RuntimeEventType::Warning,
                            "FailedCreate",
                            message,
                        )
                        .await;
                    return Err(e.into());
                }
            },
            DeploymentAction::UpdateReplicaSet(rs) => {
                let spec = rs.spec.as_ref();
                // The cached resourceVersion makes the patch conditional, as Kubernetes' Update
                // is: a decision taken on a stale cache fails with 409 and is taken again.
                let patch = json!({
                    "metadata": {
                        "annotations": rs.metadata.annotations,
                        "resourceVersion": rs.metadata.resource_version,
                    },
                    "spec": {
                        "replicas": spec.and_then(|s| s.replicas),
                        "minReadySeconds": spec.and_then(|s| s.min_ready_seconds),
                    },
                });
                let rs_name = rs.metadata.name.as_deref().unwrap_or_default();
                ctx.writes.patch_rs(&ns, rs_name, &patch, false).await?;
            }
            DeploymentAction::DeleteReplicaSet { name: rs, uid } => {
                ignore_not_found(ctx.writes.delete_rs(&ns, rs, uid.as_deref()).await)?;
            }
            DeploymentAction::UpdateDeploymentAnnotations(annotations) => {
                let patch = json!({ "metadata": { "annotations": annotations } });
                ctx.writes.patch_deployment(&ns, &name, &patch).await?;
            }
            DeploymentAction::UpdateDeploymentStatus(status) => {
                let patch = status_merge_patch(status, &["conditions", "collisionCount"])?;
                ignore_not_found(ctx.writes.patch_deployment_status(&ns, &name, &patch).await)?;
            }
            DeploymentAction::Event {
                type_,
                reason,
                message,
            } => {
                let type_ = match type_ {
                    EventType::Normal => RuntimeEventType::Normal,
                    EventType::Warning => RuntimeEventType::Warning,
                };
                ctx.events
                    .publish(object_reference(d.as_ref()), type_, reason, message.clone())
                    .await;
            }
        }
    }
    Ok(requeue_or_wait(plan.requeue_after))
}

/// Runs the Deployment controller until `shutdown`.
pub async fn run<W: DeploymentWrites>(
    controller: Controller<Deployment>,
    writes: W,
    events: Arc<dyn EventSink>,
    workers: usize,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) {
    let (Some(replica_sets), Some(pods)) = (
        controller.store_for::<ReplicaSet>(),
        controller.store_for::<Pod>(),
    ) else {
        tracing::error!(
            "the Deployment controller was built without its ReplicaSet and pod watches"
        );
        return;
    };
    let ctx = Arc::new(DeploymentContext {
        writes,
        events,
        replica_sets,
        pods,
    });
    crate::wiring::run_controller(controller, workers, shutdown, reconcile::<W>, ctx).await;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::deployment::progress::{PROGRESSING, get_condition};
    use crate::deployment::{REVISION_ANNOTATION, annotations};
    use crate::testutil::{FakeCluster, RecordedEvents, deployment, eventually, template};
    use crate::wiring::informer;
    use std::sync::atomic::Ordering;

    fn progressing_reason(d: &Deployment) -> Option<String> {
        get_condition(d.status.as_ref()?, PROGRESSING)?
            .reason
            .clone()
    }

    fn complete(cluster: &FakeCluster, image: &str, replicas: i32) -> bool {
        let Some(d) = cluster.deployments.get(Some("default"), "web") else {
            return false;
        };
        let s = d.status.clone().unwrap_or_default();
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
        template_image.as_deref() == Some(image)
            && s.observed_generation == d.metadata.generation
            && s.updated_replicas == Some(replicas)
            && s.replicas == Some(replicas)
            && s.available_replicas == Some(replicas)
            && progressing_reason(&d).as_deref() == Some("NewReplicaSetAvailable")
    }

    fn edit(cluster: &FakeCluster, f: impl FnOnce(&mut Deployment)) {
        let mut d = cluster.deployments.get(Some("default"), "web").unwrap();
        f(&mut d);
        *d.metadata.generation.get_or_insert(0) += 1;
        cluster.deployments.apply(d);
    }

    /// Deployment and ReplicaSet controllers together on fake API servers with a fake kubelet:
    /// create, roll out a new image within maxSurge, roll back reusing the old ReplicaSet.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn rollout_and_undo_through_both_controllers() {
        let cluster = FakeCluster::new(Duration::from_millis(20));
        cluster.deployments.apply(deployment("web", 4, "nginx:1"));
        let events = Arc::new(RecordedEvents::default());
        let token = tokio_util::sync::CancellationToken::new();
        let (deployment_informer, rs_informer, pod_informer) = (
            informer(cluster.deployments.clone()),
            informer(cluster.rss.clone()),
            informer(cluster.pods.clone()),
        );
        let deployments = tokio::spawn(run(
            build(&deployment_informer, &rs_informer, &pod_informer),
            cluster.clone(),
            events.clone(),
            2,
            token.clone().cancelled_owned(),
        ));
        let replica_sets = tokio::spawn(crate::replicaset::controller::run(
            crate::replicaset::controller::build(&rs_informer, &pod_informer),
            cluster.clone(),
            events.clone(),
            4,
            token.clone().cancelled_owned(),
        ));

        assert!(
            eventually(20, || complete(&cluster, "nginx:1", 4)).await,
            "initial rollout did not complete: {:?} {:?}",
            cluster
                .deployments
                .get(Some("default"), "web")
                .and_then(|d| d.status),
            events.0.lock().unwrap()
        );
        let d = cluster.deployments.get(Some("default"), "web").unwrap();
        assert_eq!(d.metadata.annotations.unwrap()[REVISION_ANNOTATION], "1");
        let creates_before = cluster.pod_creates.load(Ordering::SeqCst);
        assert_eq!(creates_before, 4);

        edit(&cluster, |d| {
            d.spec.as_mut().unwrap().template = template("nginx:2", &[("app", "web")])
        });
        assert!(
            eventually(20, || complete(&cluster, "nginx:2", 4)).await,
            "rollout to nginx:2 did not complete"
        );
        // maxSurge 25% of 4 = 1: the ReplicaSets never asked for more than 5 pods, and there
        // never were more than 5.
        assert!(cluster.max_spec_sum.load(Ordering::SeqCst) <= 5);
        assert!(cluster.max_live_pods.load(Ordering::SeqCst) <= 5);
        assert_eq!(cluster.pod_creates.load(Ordering::SeqCst), 8);

        let rss_named = |cluster: &FakeCluster| -> Vec<ReplicaSet> {
            let hash1 = crate::deployment::hash::compute_hash(
                &template("nginx:1", &[("app", "web")]),
                None,
            )
            .unwrap();
            let hash2 = crate::deployment::hash::compute_hash(
                &template("nginx:2", &[("app", "web")]),
                None,
            )
            .unwrap();
            [hash1, hash2]
                .iter()
                .filter_map(|h| cluster.rss.get(Some("default"), &format!("web-{h}")))
                .collect()
        };
        let rss = rss_named(&cluster);
        assert_eq!(rss.len(), 2);
        assert_eq!(annotations::revision(&rss[1]), 2);
        assert_eq!(spec_replicas(&rss[0]), 0);

        // kubectl rollout undo: back to the first template, which reuses the first ReplicaSet.
        edit(&cluster, |d| {
            d.spec.as_mut().unwrap().template = template("nginx:1", &[("app", "web")])
        });
        assert!(
            eventually(20, || complete(&cluster, "nginx:1", 4)).await,
            "undo did not complete"
        );
        let rss = rss_named(&cluster);
        assert_eq!(annotations::revision(&rss[0]), 3);
        assert_eq!(spec_replicas(&rss[0]), 4);
        let d = cluster.deployments.get(Some("default"), "web").unwrap();
        assert_eq!(d.metadata.annotations.unwrap()[REVISION_ANNOTATION], "3");
        assert!(
            events
                .0
                .lock()
                .unwrap()
                .iter()
                .any(|(r, _)| r == "ScalingReplicaSet")
        );

        token.cancel();
        tokio::time::timeout(Duration::from_secs(10), deployments)
            .await
            .unwrap()
            .unwrap();
        tokio::time::timeout(Duration::from_secs(10), replica_sets)
            .await
            .unwrap()
            .unwrap();
    }
}
