//! The ReplicaSet controller's wiring: watches ReplicaSets and pods (a pod maps to its
//! controlling ReplicaSet, an orphan to every ReplicaSet of its namespace selecting it), and
//! reconciles one ReplicaSet from the caches: adopt/release, expectations, slow-start creates or
//! ranked deletes, then the status. Writes go through [`ReplicaSetWrites`], implemented for the
//! API client by [`ClientWrites`] and by fakes in tests.

use std::collections::HashSet;
use std::sync::Arc;

use futures::FutureExt;
use futures::future::{BoxFuture, join_all};
use k8s_openapi::api::apps::v1::ReplicaSet;
use k8s_openapi::api::core::v1::Pod;
use k8s_openapi::jiff::Timestamp;
use rkube_client::{DeleteParams, Patch, PostParams};
use rkube_runtime::events::{EventType, object_reference};
use rkube_runtime::informer::Informer;
use rkube_runtime::reflector::index;
use rkube_runtime::{Action, Controller, ObjectRef, Store};
use serde_json::Value;

use super::adoption::{claim_pods, identity};
use super::expectations::{CacheView, Expectations};
use super::manage::{ReplicaDiff, replica_diff};
use super::pod_template::pod_from_template;
use super::slow_start::{SLOW_START_INITIAL_BATCH_SIZE, run_slow_start};
use super::status::{calculate_status, requeue_for_availability, status_changed};
use super::{BURST_REPLICAS, key_of};
use crate::labels::{labels_of, selector_matches};
use crate::ownership::{adopt_patch, controller_of, remove_owner_patch};
use crate::wiring::{
    ClientWrites, EventSink, ReconcileError, max_resource_version, now, status_merge_patch, to_std,
};

/// The writes the ReplicaSet controller makes.
pub trait ReplicaSetWrites: Send + Sync + 'static {
    /// Creates a pod (from `generateName`); returns the stored pod.
    fn create_pod<'a>(
        &'a self,
        namespace: &'a str,
        pod: &'a Pod,
    ) -> BoxFuture<'a, rkube_client::Result<Pod>>;
    /// Deletes a pod, with its uid as precondition.
    fn delete_pod<'a>(
        &'a self,
        namespace: &'a str,
        name: &'a str,
        uid: &'a str,
    ) -> BoxFuture<'a, rkube_client::Result<()>>;
    /// Strategic-merge-patches a pod (adoption and release).
    fn patch_pod<'a>(
        &'a self,
        namespace: &'a str,
        name: &'a str,
        patch: &'a Value,
    ) -> BoxFuture<'a, rkube_client::Result<()>>;
    /// Merge-patches a ReplicaSet's status subresource.
    fn patch_status<'a>(
        &'a self,
        namespace: &'a str,
        name: &'a str,
        patch: &'a Value,
    ) -> BoxFuture<'a, rkube_client::Result<()>>;
}

impl ReplicaSetWrites for ClientWrites {
    fn create_pod<'a>(
        &'a self,
        namespace: &'a str,
        pod: &'a Pod,
    ) -> BoxFuture<'a, rkube_client::Result<Pod>> {
        async move {
            self.api::<Pod>(Some(namespace))
                .create(&PostParams::default(), pod)
                .await
        }
        .boxed()
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

    fn patch_pod<'a>(
        &'a self,
        namespace: &'a str,
        name: &'a str,
        patch: &'a Value,
    ) -> BoxFuture<'a, rkube_client::Result<()>> {
        self.patch_object::<Pod>(Some(namespace), name, Patch::Strategic(patch), false)
    }

    fn patch_status<'a>(
        &'a self,
        namespace: &'a str,
        name: &'a str,
        patch: &'a Value,
    ) -> BoxFuture<'a, rkube_client::Result<()>> {
        self.patch_object::<ReplicaSet>(Some(namespace), name, Patch::Merge(patch), true)
    }
}

/// What a ReplicaSet reconcile reads and writes through.
pub struct ReplicaSetContext<W> {
    /// The writes.
    pub writes: W,
    /// Where events go.
    pub events: Arc<dyn EventSink>,
    /// The pod cache.
    pub pods: Store<Pod>,
    /// The ReplicaSet cache.
    pub replica_sets: Store<ReplicaSet>,
    /// Creates and deletes issued but not yet seen in the pod cache.
    pub expectations: Expectations,
}

/// Builds the controller on shared informers: ReplicaSets, plus pods mapped to the ReplicaSets
/// they concern.
pub fn build(replica_sets: &Informer<ReplicaSet>, pods: &Informer<Pod>) -> Controller<ReplicaSet> {
    let store = replica_sets.store();
    Controller::new_shared(replica_sets)
        .watches_shared(pods, move |pod: &Pod| replica_sets_for_pod(&store, pod))
}

/// The ReplicaSets a pod event concerns: its controller, or for an orphan every ReplicaSet of
/// its namespace whose selector matches it (one of them may adopt it).
pub fn replica_sets_for_pod(
    replica_sets: &Store<ReplicaSet>,
    pod: &Pod,
) -> Vec<ObjectRef<ReplicaSet>> {
    let ns = pod.metadata.namespace.as_deref();
    if let Some(owner) = controller_of(&pod.metadata) {
        return ObjectRef::from_owner_ref(ns, owner).into_iter().collect();
    }
    let Ok(candidates) = replica_sets.by_index(index::NAMESPACE, ns.unwrap_or_default()) else {
        return Vec::new();
    };
    candidates
        .iter()
        .filter(|rs| {
            rs.spec.as_ref().is_some_and(|s| {
                selector_matches(&s.selector, labels_of(&pod.metadata)).unwrap_or(false)
            })
        })
        .map(|rs| ObjectRef::from_obj(rs.as_ref()))
        .collect()
}

/// The pod cache as expectations observe it: names and live uids of the namespace's pods, and
/// the highest resourceVersion among them.
struct PodsSeen {
    names: HashSet<String>,
    live_uids: HashSet<String>,
    revision: Option<u64>,
}

impl CacheView for PodsSeen {
    fn has_pod_named(&self, name: &str) -> bool {
        self.names.contains(name)
    }
    fn has_live_pod_uid(&self, uid: &str) -> bool {
        self.live_uids.contains(uid)
    }
    fn observed_revision(&self) -> Option<u64> {
        self.revision
    }
}

/// How long to wait before looking again at a ReplicaSet whose expectations are pending (the
/// pod events normally come much sooner).
const PENDING_EXPECTATIONS_RECHECK: std::time::Duration = std::time::Duration::from_secs(30);

/// One reconcile of a ReplicaSet.
pub async fn reconcile<W: ReplicaSetWrites>(
    rs: Arc<ReplicaSet>,
    ctx: Arc<ReplicaSetContext<W>>,
) -> Result<Action, ReconcileError> {
    let now = now();
    let key = key_of(&rs);
    let owner = identity(&rs)?;
    let ns = owner.namespace.clone();
    let namespace_pods = ctx.pods.by_index(index::NAMESPACE, &ns)?;
    let seen = PodsSeen {
        names: namespace_pods
            .iter()
            .filter_map(|p| p.metadata.name.clone())
            .collect(),
        live_uids: namespace_pods
            .iter()
            .filter(|p| p.metadata.deletion_timestamp.is_none())
            .filter_map(|p| p.metadata.uid.clone())
            .collect(),
        revision: max_resource_version(namespace_pods.iter().map(|p| &p.metadata)),
    };
    // Read expectations before deciding from this snapshot.
    let needs_sync = ctx.expectations.satisfied(&key, now, &seen);
    let claimed = claim_pods(&rs, namespace_pods.iter().map(AsRef::as_ref))?;
    let mut active: Vec<&Pod> = claimed.owned.clone();
    for pod in &claimed.adopt {
        let (Some(name), Some(uid)) = (pod.metadata.name.as_deref(), pod.metadata.uid.as_deref())
        else {
            continue;
        };
        match ctx
            .writes
            .patch_pod(&ns, name, &adopt_patch(&owner, uid))
            .await
        {
            Ok(()) => active.push(pod),
            Err(e) if e.is_not_found() => {}
            Err(e) => return Err(e.into()),
        }
    }
    for pod in &claimed.release {
        let (Some(name), Some(uid)) = (pod.metadata.name.as_deref(), pod.metadata.uid.as_deref())
        else {
            continue;
        };
        match ctx
            .writes
            .patch_pod(&ns, name, &remove_owner_patch(&owner.uid, uid))
            .await
        {
            Ok(()) => {}
            Err(e) if e.is_not_found() => {}
            Err(e) => return Err(e.into()),
        }
    }

    let mut manage_error = None;
    if needs_sync && rs.metadata.deletion_timestamp.is_none() {
        manage_error = manage(&rs, &ctx, &key, &active, now).await?;
    }

    let status = calculate_status(&rs, &active, manage_error.as_deref(), now);
    if status_changed(&rs, &status) {
        let patch = status_merge_patch(&status, &["conditions"])?;
        crate::wiring::ignore_not_found(ctx.writes.patch_status(&ns, &owner.name, &patch).await)?;
    }
    if let Some(message) = manage_error {
        return Err(ReconcileError::Manage(message));
    }
    if !needs_sync {
        return Ok(Action::requeue(PENDING_EXPECTATIONS_RECHECK));
    }
    Ok(requeue_for_availability(&rs, &status)
        .map_or_else(Action::await_change, |d| Action::requeue(to_std(d))))
}

/// The active pods of the other ReplicaSets sharing `rs`'s controller (Deployment): with the
/// ReplicaSet's own pods, they tell which nodes are crowded when choosing pods to delete.
fn sibling_pods<W>(ctx: &ReplicaSetContext<W>, rs: &ReplicaSet) -> Vec<Arc<Pod>> {
    let Some(controller) = controller_of(&rs.metadata) else {
        return Vec::new();
    };
    let siblings = ctx
        .replica_sets
        .by_index(index::CONTROLLER_OWNER_UID, &controller.uid)
        .unwrap_or_default();
    siblings
        .iter()
        .filter_map(|s| s.metadata.uid.as_deref())
        .filter(|uid| Some(*uid) != rs.metadata.uid.as_deref())
        .flat_map(|uid| {
            ctx.pods
                .by_index(index::CONTROLLER_OWNER_UID, uid)
                .unwrap_or_default()
        })
        .filter(|p| crate::pods::is_pod_active(p))
        .collect()
}

/// Creates or deletes pods; returns the failure message, if any.
async fn manage<W: ReplicaSetWrites>(
    rs: &ReplicaSet,
    ctx: &ReplicaSetContext<W>,
    key: &str,
    active: &[&Pod],
    now: Timestamp,
) -> Result<Option<String>, ReconcileError> {
    let ns = rs.metadata.namespace.clone().unwrap_or_default();
    // Only a scale-down looks at the siblings' pods.
    let scaling_down = active.len() > usize::try_from(super::desired_replicas(rs)).unwrap_or(0);
    let siblings = if scaling_down {
        sibling_pods(ctx, rs)
    } else {
        Vec::new()
    };
    let related: Vec<&Pod> = active
        .iter()
        .copied()
        .chain(siblings.iter().map(AsRef::as_ref))
        .collect();
    match replica_diff(rs, active, &related, BURST_REPLICAS, now) {
        ReplicaDiff::InSync => Ok(None),
        ReplicaDiff::Create(count) => {
            let template = pod_from_template(rs)?;
            ctx.expectations.expect_creations(key, count, now);
            let created = std::sync::Mutex::new(Vec::new());
            let outcome = run_slow_start(count, SLOW_START_INITIAL_BATCH_SIZE, |_| {
                let (template, ns, created) = (&template, &ns, &created);
                async move {
                    match ctx.writes.create_pod(ns, template).await {
                        Ok(pod) => {
                            let name = pod.metadata.name.clone().unwrap_or_default();
                            let rv = pod
                                .metadata
                                .resource_version
                                .as_deref()
                                .and_then(|v| v.parse().ok());
                            ctx.expectations.creation_succeeded(key, &name, rv);
                            if let Ok(mut names) = created.lock() {
                                names.push(name);
                            }
                            Ok(())
                        }
                        Err(e) if crate::wiring::is_namespace_terminating(&e) => {
                            // Kubernetes ignores these: the namespace is going away.
                            ctx.expectations.creation_skipped(key);
                            Ok(())
                        }
                        Err(e) => {
                            ctx.expectations.creation_skipped(key);
                            Err(e)
                        }
                    }
                }
            })
            .await;
            for _ in 0..outcome.skipped {
                ctx.expectations.creation_skipped(key);
            }
            let names = created.into_inner().unwrap_or_default();
            let message = match names.as_slice() {
                [] => None,
                [one] => Some(format!("Created pod: {one}")),
                many => Some(format!("Created {} pods: {}, ...", many.len(), many[0])),
            };
            if let Some(message) = message {
                ctx.events
                    .publish(
                        object_reference(rs),
                        EventType::Normal,
                        "SuccessfulCreate",
                        message,
                    )
                    .await;
            }
            match outcome.errors.first() {
                None => Ok(None),
                Some(e) => {
                    let message = format!("Error creating: {e}");
                    ctx.events
                        .publish(
                            object_reference(rs),
                            EventType::Warning,
                            "FailedCreate",
                            message.clone(),
                        )
                        .await;
                    Ok(Some(message))
                }
            }
        }
        ReplicaDiff::Delete(victims) => {
            let uids: Vec<String> = victims
                .iter()
                .filter_map(|p| p.metadata.uid.clone())
                .collect();
            ctx.expectations.expect_deletions(key, uids, now);
            let results = join_all(victims.iter().map(|pod| {
                let ns = &ns;
                async move {
                    let name = pod.metadata.name.as_deref().unwrap_or_default();
                    let uid = pod.metadata.uid.as_deref().unwrap_or_default();
                    let result = ctx.writes.delete_pod(ns, name, uid).await;
                    if result.is_err() {
                        ctx.expectations.deletion_skipped(key, uid);
                    }
                    (name, result)
                }
            }))
            .await;
            let mut failure = None;
            for (name, result) in results {
                match result {
                    Ok(()) => {
                        ctx.events
                            .publish(
                                object_reference(rs),
                                EventType::Normal,
                                "SuccessfulDelete",
                                format!("Deleted pod: {name}"),
                            )
                            .await;
                    }
                    Err(e) if e.is_not_found() => {}
                    Err(e) => {
                        let message = format!("Error deleting: {e}");
                        ctx.events
                            .publish(
                                object_reference(rs),
                                EventType::Warning,
                                "FailedDelete",
                                message.clone(),
                            )
                            .await;
                        failure.get_or_insert(message);
                    }
                }
            }
            Ok(failure)
        }
    }
}

/// Runs the ReplicaSet controller until `shutdown`.
pub async fn run<W: ReplicaSetWrites>(
    controller: Controller<ReplicaSet>,
    writes: W,
    events: Arc<dyn EventSink>,
    workers: usize,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) {
    let Some(pods) = controller.store_for::<Pod>() else {
        tracing::error!("the ReplicaSet controller was built without a pod watch");
        return;
    };
    let ctx = Arc::new(ReplicaSetContext {
        writes,
        events,
        pods,
        replica_sets: controller.store(),
        expectations: Expectations::new(),
    });
    crate::wiring::run_controller(controller, workers, shutdown, reconcile::<W>, ctx).await;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::{RecordedEvents, api_error, eventually, pod, replica_set, strip_nulls};
    use crate::wiring::informer;
    use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
    use rkube_runtime::fake::FakeApi;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Duration;

    /// Writes applied to fake API servers; created pods become visible only after `lag`, as
    /// with a lagging watch cache.
    struct FakeWrites {
        pods: FakeApi<Pod>,
        rss: FakeApi<ReplicaSet>,
        creates: AtomicUsize,
        deletes: AtomicUsize,
        lag: Duration,
    }

    impl ReplicaSetWrites for Arc<FakeWrites> {
        fn create_pod<'a>(
            &'a self,
            _ns: &'a str,
            pod: &'a Pod,
        ) -> BoxFuture<'a, rkube_client::Result<Pod>> {
            async move {
                let n = self.creates.fetch_add(1, Ordering::SeqCst);
                let mut pod = pod.clone();
                pod.metadata.name = Some(format!(
                    "{}{n}",
                    pod.metadata.generate_name.clone().unwrap_or_default()
                ));
                pod.metadata.uid = Some(format!("pod-uid-{n}"));
                pod.metadata.creation_timestamp = Some(Time(now()));
                let (api, lag, stored) = (self.pods.clone(), self.lag, pod.clone());
                tokio::spawn(async move {
                    tokio::time::sleep(lag).await;
                    api.apply(stored);
                });
                Ok(pod)
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
                self.deletes.fetch_add(1, Ordering::SeqCst);
                self.pods
                    .delete(Some(ns), name)
                    .map(|_| ())
                    .ok_or_else(|| api_error(404, "NotFound"))
            }
            .boxed()
        }
        fn patch_pod<'a>(
            &'a self,
            ns: &'a str,
            name: &'a str,
            patch: &'a Value,
        ) -> BoxFuture<'a, rkube_client::Result<()>> {
            async move { crate::testutil::apply_owner_patch(&self.pods, ns, name, patch) }.boxed()
        }
        fn patch_status<'a>(
            &'a self,
            ns: &'a str,
            name: &'a str,
            patch: &'a Value,
        ) -> BoxFuture<'a, rkube_client::Result<()>> {
            async move {
                let mut rs = self
                    .rss
                    .get(Some(ns), name)
                    .ok_or_else(|| api_error(404, "NotFound"))?;
                rs.status = Some(serde_json::from_value(strip_nulls(&patch["status"])).unwrap());
                self.rss.apply(rs);
                Ok(())
            }
            .boxed()
        }
    }

    fn count_pods(api: &FakeApi<Pod>, names: &[String]) -> usize {
        names
            .iter()
            .filter(|n| api.get(Some("default"), n).is_some())
            .count()
    }

    #[tokio::test]
    async fn creates_exactly_the_missing_pods_despite_a_lagging_cache_then_scales_down() {
        let pods = FakeApi::<Pod>::new();
        let rss = FakeApi::<ReplicaSet>::new();
        let writes = Arc::new(FakeWrites {
            pods: pods.clone(),
            rss: rss.clone(),
            creates: AtomicUsize::new(0),
            deletes: AtomicUsize::new(0),
            lag: Duration::from_millis(150),
        });
        // An orphan matching the selector is adopted rather than replaced.
        pods.apply(pod("orphan").labels(&[("app", "web")]).build());
        rss.apply(replica_set("web", 5));
        let events = Arc::new(RecordedEvents::default());
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let task = tokio::spawn(run(
            build(&informer(rss.clone()), &informer(pods.clone())),
            writes.clone(),
            events.clone(),
            4,
            async move {
                stopped.await.ok();
            },
        ));
        let all_names = |n: usize| -> Vec<String> {
            let mut v: Vec<String> = (0..n).map(|i| format!("web-{i}")).collect();
            v.push("orphan".into());
            v
        };
        let status_replicas = |rss: &FakeApi<ReplicaSet>| {
            rss.get(Some("default"), "web")
                .and_then(|r| r.status)
                .map(|s| s.replicas)
        };
        assert!(
            eventually(10, || count_pods(&pods, &all_names(10)) == 5
                && status_replicas(&rss) == Some(5))
            .await
        );
        assert_eq!(
            writes.creates.load(Ordering::SeqCst),
            4,
            "no double creation while the cache lags"
        );
        let orphan = pods.get(Some("default"), "orphan").unwrap();
        assert_eq!(controller_of(&orphan.metadata).unwrap().uid, "web-uid");
        let status = rss.get(Some("default"), "web").unwrap().status.unwrap();
        assert_eq!(status.observed_generation, Some(1));
        assert_eq!(status.ready_replicas, Some(0));

        let mut smaller = rss.get(Some("default"), "web").unwrap();
        smaller.spec.as_mut().unwrap().replicas = Some(2);
        smaller.metadata.generation = Some(2);
        rss.apply(smaller);
        assert!(
            eventually(10, || count_pods(&pods, &all_names(10)) == 2
                && status_replicas(&rss) == Some(2))
            .await
        );
        assert_eq!(writes.deletes.load(Ordering::SeqCst), 3);
        assert_eq!(writes.creates.load(Ordering::SeqCst), 4);
        let recorded = events.0.lock().unwrap().clone();
        assert!(recorded.iter().any(|(r, _)| r == "SuccessfulCreate"));
        assert_eq!(
            recorded
                .iter()
                .filter(|(r, _)| r == "SuccessfulDelete")
                .count(),
            3
        );
        stop.send(()).unwrap();
        tokio::time::timeout(Duration::from_secs(10), task)
            .await
            .unwrap()
            .unwrap();
    }
}
