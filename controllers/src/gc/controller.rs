//! The garbage collector's wiring: a loop over the shared caches that, after every burst of
//! changes (and every resync period), rebuilds the ownerReference graph, decides, and issues the
//! deletes and patches through [`ObjectWrites`]. An action just issued is not repeated until
//! the caches had time to show its effect.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use futures::FutureExt;
use futures::StreamExt;
use futures::future::BoxFuture;
use k8s_openapi::api::apps::v1::{Deployment, ReplicaSet};
use k8s_openapi::api::coordination::v1::Lease;
use k8s_openapi::api::core::v1::{
    ConfigMap, Endpoints, Event, Namespace, Node, Pod, Secret, Service,
};
use k8s_openapi::api::discovery::v1::EndpointSlice;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::OwnerReference;
use rkube_client::{Api, DeleteParams, Patch, PatchParams, PropagationPolicy};
use serde_json::{Value, json};

use super::caches::ObjectCaches;
use super::decide::{GcAction, Propagation, decide_all};
use super::graph::{Graph, ObjectId};
use crate::wiring::ClientWrites;

/// Why a write of the collector failed.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    /// The API call failed.
    #[error(transparent)]
    Api(#[from] rkube_client::Error),
    /// No typed API for this kind.
    #[error("cannot write objects of kind {kind} ({api_version})")]
    UnknownKind {
        /// `apiVersion`.
        api_version: String,
        /// `kind`.
        kind: String,
    },
}

impl WriteError {
    /// The object is already gone.
    pub fn is_not_found(&self) -> bool {
        matches!(self, WriteError::Api(e) if e.is_not_found())
    }
}

/// A patch to an object of any kind.
#[derive(Debug, Clone, PartialEq)]
pub enum ObjectPatch {
    /// A strategic merge patch.
    Strategic(Value),
    /// A JSON patch (RFC 6902).
    Json(json_patch::Patch),
}

/// Kind-generic writes (the collector and the namespace controller act on any kind).
pub trait ObjectWrites: Send + Sync + 'static {
    /// Deletes the object (its uid as precondition) with a propagation policy.
    fn delete<'a>(
        &'a self,
        id: &'a ObjectId,
        propagation: Propagation,
    ) -> BoxFuture<'a, Result<(), WriteError>>;
    /// Patches the object.
    fn patch<'a>(
        &'a self,
        id: &'a ObjectId,
        patch: &'a ObjectPatch,
    ) -> BoxFuture<'a, Result<(), WriteError>>;
    /// Asks the API server (not a cache) whether the owner a dependent in `namespace` refers to
    /// exists with that uid. Kinds without a typed API answer `true` (never collect on doubt).
    fn owner_exists<'a>(
        &'a self,
        namespace: &'a str,
        owner: &'a OwnerReference,
    ) -> BoxFuture<'a, Result<bool, WriteError>>;
}

fn api_for<K>(client: &rkube_client::Client, namespace: &str) -> Api<K>
where
    K: k8s_openapi::Resource,
{
    if namespace.is_empty() {
        Api::all(client.clone())
    } else {
        Api::new(client.clone(), Some(namespace))
    }
}

/// Runs `$body` with `$api` bound to the typed `Api` of the object's kind.
macro_rules! with_typed_api {
    ($client:expr, $id:expr, |$api:ident| $body:expr) => {
        with_typed_api!(@kinds $client, $id, $api, $body;
            "v1", "Pod" => Pod, &$id.namespace;
            "v1", "Service" => Service, &$id.namespace;
            "v1", "Endpoints" => Endpoints, &$id.namespace;
            "v1", "ConfigMap" => ConfigMap, &$id.namespace;
            "v1", "Secret" => Secret, &$id.namespace;
            "v1", "Event" => Event, &$id.namespace;
            "v1", "Node" => Node, "";
            "v1", "Namespace" => Namespace, "";
            "apps/v1", "ReplicaSet" => ReplicaSet, &$id.namespace;
            "apps/v1", "Deployment" => Deployment, &$id.namespace;
            "discovery.k8s.io/v1", "EndpointSlice" => EndpointSlice, &$id.namespace;
            "coordination.k8s.io/v1", "Lease" => Lease, &$id.namespace;
        )
    };
    (@kinds $client:expr, $id:expr, $api:ident, $body:expr;
        $($version:literal, $kind:literal => $ty:ty, $ns:expr;)*) => {
        match ($id.api_version.as_str(), $id.kind.as_str()) {
            $(($version, $kind) => {
                let $api = api_for::<$ty>($client, $ns);
                $body
            })*
            _ => Err(WriteError::UnknownKind {
                api_version: $id.api_version.clone(),
                kind: $id.kind.clone(),
            }),
        }
    };
}

impl ObjectWrites for ClientWrites {
    fn delete<'a>(
        &'a self,
        id: &'a ObjectId,
        propagation: Propagation,
    ) -> BoxFuture<'a, Result<(), WriteError>> {
        async move {
            let policy = match propagation {
                Propagation::Background => PropagationPolicy::Background,
                Propagation::Foreground => PropagationPolicy::Foreground,
                Propagation::Orphan => PropagationPolicy::Orphan,
            };
            let mut dp = DeleteParams::default().propagation(policy);
            if !id.uid.is_empty() {
                dp = dp.precondition_uid(&id.uid);
            }
            with_typed_api!(&self.client, id, |api| api
                .delete(&id.name, &dp)
                .await
                .map(|_| ())
                .map_err(WriteError::from))
        }
        .boxed()
    }

    fn patch<'a>(
        &'a self,
        id: &'a ObjectId,
        patch: &'a ObjectPatch,
    ) -> BoxFuture<'a, Result<(), WriteError>> {
        async move {
            let pp = PatchParams::default();
            with_typed_api!(&self.client, id, |api| {
                let result = match patch {
                    ObjectPatch::Strategic(v) => {
                        api.patch(&id.name, &pp, &Patch::Strategic(v)).await
                    }
                    ObjectPatch::Json(p) => {
                        api.patch(&id.name, &pp, &Patch::<()>::Json(p.clone()))
                            .await
                    }
                };
                result.map(|_| ()).map_err(WriteError::from)
            })
        }
        .boxed()
    }

    fn owner_exists<'a>(
        &'a self,
        namespace: &'a str,
        owner: &'a OwnerReference,
    ) -> BoxFuture<'a, Result<bool, WriteError>> {
        async move {
            let id = ObjectId {
                api_version: owner.api_version.clone(),
                kind: owner.kind.clone(),
                namespace: namespace.to_owned(),
                name: owner.name.clone(),
                uid: owner.uid.clone(),
            };
            let found: Result<bool, WriteError> = with_typed_api!(&self.client, id, |api| {
                api.get_opt(&id.name)
                    .await
                    .map(|o| {
                        o.is_some_and(|o| o.metadata.uid.as_deref() == Some(owner.uid.as_str()))
                    })
                    .map_err(WriteError::from)
            });
            match found {
                Err(WriteError::UnknownKind { .. }) => Ok(true),
                other => other,
            }
        }
        .boxed()
    }
}

/// The patch removing the ownerReferences to `owner_uids` (guarded by the object's uid).
pub fn remove_owner_refs_patch(id: &ObjectId, owner_uids: &[String]) -> ObjectPatch {
    let refs: Vec<Value> = owner_uids
        .iter()
        .map(|u| json!({ "$patch": "delete", "uid": u }))
        .collect();
    ObjectPatch::Strategic(json!({ "metadata": { "ownerReferences": refs, "uid": id.uid } }))
}

/// The JSON patch replacing `current` finalizers by the same list without `finalizer`; the
/// `test` makes it fail if the list changed meanwhile.
pub fn remove_finalizer_patch(
    current: &[String],
    finalizer: &str,
) -> Result<ObjectPatch, serde_json::Error> {
    let remaining: Vec<&String> = current.iter().filter(|f| *f != finalizer).collect();
    let patch: json_patch::Patch = serde_json::from_value(json!([
        { "op": "test", "path": "/metadata/finalizers", "value": current },
        { "op": "replace", "path": "/metadata/finalizers", "value": remaining },
    ]))?;
    Ok(ObjectPatch::Json(patch))
}

/// Owner uids confirmed gone by the API server (uids are never reused).
pub type AbsentOwners = std::collections::HashSet<String>;

/// Whether every owner the caches miss is really gone; remembers confirmed absences.
async fn confirmed_dangling<W: ObjectWrites>(
    writes: &W,
    namespace: &str,
    dangling: &[OwnerReference],
    absent: &mut AbsentOwners,
) -> Result<bool, WriteError> {
    for owner in dangling {
        if absent.contains(&owner.uid) {
            continue;
        }
        if writes.owner_exists(namespace, owner).await? {
            return Ok(false);
        }
        absent.insert(owner.uid.clone());
    }
    Ok(true)
}

/// Issues one action; `graph` supplies the current finalizers. Actions based on owners missing
/// from the caches are only taken once the API server confirms the owners are gone.
pub async fn execute<W: ObjectWrites>(
    writes: &W,
    graph: &Graph,
    action: &GcAction,
    absent: &mut AbsentOwners,
) -> Result<(), WriteError> {
    let result = match action {
        GcAction::Delete {
            object,
            propagation,
            dangling,
        } => {
            if !confirmed_dangling(writes, &object.namespace, dangling, absent).await? {
                tracing::debug!(
                    ?object,
                    "owner missing from the cache still exists; not collecting"
                );
                return Ok(());
            }
            writes.delete(object, *propagation).await
        }
        GcAction::RemoveOwnerRefs {
            object,
            owner_uids,
            dangling,
        } => {
            if !confirmed_dangling(writes, &object.namespace, dangling, absent).await? {
                return Ok(());
            }
            writes
                .patch(object, &remove_owner_refs_patch(object, owner_uids))
                .await
        }
        GcAction::RemoveFinalizer { object, finalizer } => {
            let current = graph
                .get(&object.uid)
                .map(|o| o.finalizers.clone())
                .unwrap_or_default();
            match remove_finalizer_patch(&current, finalizer) {
                Ok(patch) => writes.patch(object, &patch).await,
                Err(e) => {
                    tracing::warn!(%e, "cannot build a finalizer patch");
                    Ok(())
                }
            }
        }
    };
    match result {
        Err(e) if e.is_not_found() => Ok(()),
        other => other,
    }
}

/// Tuning of the collector loop.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GcConfig {
    /// Look at everything again this often even without changes.
    pub resync: Duration,
    /// Do not repeat an action issued less than this long ago.
    pub retry_after: Duration,
}

impl Default for GcConfig {
    fn default() -> Self {
        Self {
            resync: Duration::from_secs(30),
            retry_after: Duration::from_secs(5),
        }
    }
}

/// One pass: decide from the caches and issue what was not issued recently. Returns how many
/// actions were issued.
pub async fn pass<W: ObjectWrites>(
    caches: &ObjectCaches,
    writes: &W,
    issued: &mut HashMap<String, Instant>,
    absent: &mut AbsentOwners,
    config: &GcConfig,
) -> usize {
    let graph = caches.graph();
    let now = Instant::now();
    issued.retain(|_, at| now.duration_since(*at) < config.retry_after);
    let mut count = 0;
    for action in decide_all(&graph) {
        let key = format!("{action:?}");
        if issued.contains_key(&key) {
            continue;
        }
        match execute(writes, &graph, &action, absent).await {
            Ok(()) => tracing::debug!(?action, "garbage collector acted"),
            Err(error) => tracing::warn!(%error, ?action, "garbage collector action failed"),
        }
        issued.insert(key, now);
        count += 1;
    }
    count
}

/// Runs the collector until `shutdown`.
pub async fn run<W: ObjectWrites>(
    caches: ObjectCaches,
    writes: W,
    config: GcConfig,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) {
    let mut shutdown = std::pin::pin!(shutdown.fuse());
    let mut changes = caches.changes();
    tokio::select! {
        () = caches.ready() => {}
        () = &mut shutdown => return,
    }
    let mut issued = HashMap::new();
    let mut absent = AbsentOwners::new();
    loop {
        pass(&caches, &writes, &mut issued, &mut absent, &config).await;
        tokio::select! {
            () = &mut shutdown => return,
            change = changes.next() => {
                if change.is_none() {
                    return;
                }
            }
            () = tokio::time::sleep(config.resync) => {}
        }
        // Let a burst of changes land before looking again.
        tokio::time::sleep(Duration::from_millis(20)).await;
        while let Some(Some(())) = changes.next().now_or_never() {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gc::caches::InformerKind;
    use crate::gc::{FOREGROUND_FINALIZER, ORPHAN_FINALIZER};
    use crate::testutil::{api_error, deployment, eventually, pod, replica_set};
    use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, OwnerReference, Time};
    use rkube_runtime::Object;
    use rkube_runtime::fake::FakeApi;
    use std::sync::Arc;

    /// Fake API servers for three kinds, with the API server's deletion semantics: Foreground
    /// and Orphan mark the object with their finalizer; an object with finalizers is only
    /// marked; removing the last finalizer of a marked object deletes it.
    #[derive(Default)]
    struct Fakes {
        deployments: FakeApi<Deployment>,
        rss: FakeApi<ReplicaSet>,
        pods: FakeApi<Pod>,
        /// ReplicaSets the API server has but the collector's cache has not seen yet.
        unseen_rss: FakeApi<ReplicaSet>,
    }

    fn delete_in<K: Object>(
        api: &FakeApi<K>,
        id: &ObjectId,
        propagation: Propagation,
    ) -> Result<(), WriteError> {
        let mut obj = api
            .get(Some(&id.namespace), &id.name)
            .ok_or_else(|| api_error(404, "NotFound"))?;
        let meta = obj.metadata_mut();
        let finalizer = match propagation {
            Propagation::Foreground => Some(FOREGROUND_FINALIZER),
            Propagation::Orphan => Some(ORPHAN_FINALIZER),
            Propagation::Background => None,
        };
        let finalizers = meta.finalizers.get_or_insert_with(Vec::new);
        if let Some(f) = finalizer {
            if !finalizers.iter().any(|x| x == f) {
                finalizers.push(f.to_owned());
            }
        }
        if finalizers.is_empty() {
            api.delete(Some(&id.namespace), &id.name);
        } else {
            meta.deletion_timestamp
                .get_or_insert(Time(crate::wiring::now()));
            api.apply(obj);
        }
        Ok(())
    }

    fn patch_in<K: Object>(
        api: &FakeApi<K>,
        id: &ObjectId,
        patch: &ObjectPatch,
    ) -> Result<(), WriteError> {
        let mut obj = api
            .get(Some(&id.namespace), &id.name)
            .ok_or_else(|| api_error(404, "NotFound"))?;
        match patch {
            ObjectPatch::Strategic(v) => {
                let gone: Vec<&str> = v["metadata"]["ownerReferences"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|r| r["uid"].as_str().unwrap())
                    .collect();
                obj.metadata_mut()
                    .owner_references
                    .get_or_insert_with(Vec::new)
                    .retain(|r| !gone.contains(&r.uid.as_str()));
                api.apply(obj);
            }
            ObjectPatch::Json(p) => {
                let mut v = serde_json::to_value(&obj).unwrap();
                json_patch::patch(&mut v, p).map_err(|_| api_error(422, "Invalid"))?;
                let patched: K = serde_json::from_value(v).unwrap();
                let meta = patched.metadata();
                if meta.deletion_timestamp.is_some()
                    && meta.finalizers.as_ref().is_none_or(Vec::is_empty)
                {
                    api.delete(Some(&id.namespace), &id.name);
                } else {
                    api.apply(patched);
                }
            }
        }
        Ok(())
    }

    impl ObjectWrites for Arc<Fakes> {
        fn owner_exists<'a>(
            &'a self,
            ns: &'a str,
            owner: &'a OwnerReference,
        ) -> BoxFuture<'a, Result<bool, WriteError>> {
            async move {
                let uid = match owner.kind.as_str() {
                    "Deployment" => self
                        .deployments
                        .get(Some(ns), &owner.name)
                        .and_then(|o| o.metadata.uid),
                    "ReplicaSet" => self
                        .rss
                        .get(Some(ns), &owner.name)
                        .or_else(|| self.unseen_rss.get(Some(ns), &owner.name))
                        .and_then(|o| o.metadata.uid),
                    _ => self
                        .pods
                        .get(Some(ns), &owner.name)
                        .and_then(|o| o.metadata.uid),
                };
                Ok(uid.as_deref() == Some(owner.uid.as_str()))
            }
            .boxed()
        }
        fn delete<'a>(
            &'a self,
            id: &'a ObjectId,
            propagation: Propagation,
        ) -> BoxFuture<'a, Result<(), WriteError>> {
            async move {
                match id.kind.as_str() {
                    "Deployment" => delete_in(&self.deployments, id, propagation),
                    "ReplicaSet" => delete_in(&self.rss, id, propagation),
                    _ => delete_in(&self.pods, id, propagation),
                }
            }
            .boxed()
        }
        fn patch<'a>(
            &'a self,
            id: &'a ObjectId,
            patch: &'a ObjectPatch,
        ) -> BoxFuture<'a, Result<(), WriteError>> {
            async move {
                match id.kind.as_str() {
                    "Deployment" => patch_in(&self.deployments, id, patch),
                    "ReplicaSet" => patch_in(&self.rss, id, patch),
                    _ => patch_in(&self.pods, id, patch),
                }
            }
            .boxed()
        }
    }

    fn owned_by(mut meta: ObjectMeta, kind: &str, name: &str) -> ObjectMeta {
        meta.owner_references = Some(vec![OwnerReference {
            api_version: "apps/v1".into(),
            kind: kind.into(),
            name: name.into(),
            uid: format!("{name}-uid"),
            controller: Some(true),
            block_owner_deletion: Some(true),
        }]);
        meta
    }

    /// A Deployment `web` owning ReplicaSet `rs` owning pods `p1`, `p2`.
    fn populate(f: &Fakes) {
        f.deployments.apply(deployment("web", 2, "nginx"));
        let mut rs = replica_set("rs", 2);
        rs.metadata = owned_by(rs.metadata, "Deployment", "web");
        f.rss.apply(rs);
        for p in ["p1", "p2"] {
            let mut pod = pod(p).build();
            pod.metadata = owned_by(pod.metadata, "ReplicaSet", "rs");
            f.pods.apply(pod);
        }
    }

    fn mark_deleting(f: &Fakes, finalizer: &str) {
        let mut d = f.deployments.get(Some("default"), "web").unwrap();
        d.metadata.deletion_timestamp = Some(Time(crate::wiring::now()));
        d.metadata.finalizers = Some(vec![finalizer.into()]);
        f.deployments.apply(d);
    }

    fn gone(f: &Fakes) -> (bool, bool, bool) {
        (
            f.deployments.get(Some("default"), "web").is_none(),
            f.rss.get(Some("default"), "rs").is_none(),
            f.pods.get(Some("default"), "p1").is_none()
                && f.pods.get(Some("default"), "p2").is_none(),
        )
    }

    async fn with_collector(f: &Arc<Fakes>, check: impl AsyncFnOnce()) {
        let caches = ObjectCaches::new(vec![
            Box::new(InformerKind::spawn(
                f.deployments.clone(),
                "deployments.apps",
                true,
            )),
            Box::new(InformerKind::spawn(f.rss.clone(), "replicasets.apps", true)),
            Box::new(InformerKind::spawn(f.pods.clone(), "pods", true)),
        ]);
        let config = GcConfig {
            resync: Duration::from_millis(200),
            retry_after: Duration::from_millis(300),
        };
        let token = tokio_util::sync::CancellationToken::new();
        let task = tokio::spawn(run(
            caches,
            f.clone(),
            config,
            token.clone().cancelled_owned(),
        ));
        check().await;
        token.cancel();
        tokio::time::timeout(Duration::from_secs(10), task)
            .await
            .unwrap()
            .unwrap();
    }

    /// Runs `check` against a collector over the chain [`populate`] builds.
    async fn with_populated_collector(check: impl AsyncFnOnce(&Fakes)) {
        let f = Arc::new(Fakes::default());
        populate(&f);
        with_collector(&f, async || check(&f).await).await;
    }

    #[tokio::test]
    async fn background_deletion_collects_the_whole_chain() {
        with_populated_collector(async |f| {
            // Nothing is collected while the owners exist.
            tokio::time::sleep(Duration::from_millis(100)).await;
            assert_eq!(gone(f), (false, false, false));
            f.deployments.delete(Some("default"), "web");
            assert!(eventually(5, || gone(f) == (true, true, true)).await);
        })
        .await;
    }

    #[tokio::test]
    async fn foreground_deletion_removes_dependents_before_the_owner() {
        with_populated_collector(async |f| {
            mark_deleting(f, FOREGROUND_FINALIZER);
            // The owner stays until its blocking dependents are gone.
            assert!(eventually(5, || gone(f).2).await);
            assert!(eventually(5, || gone(f) == (true, true, true)).await);
        })
        .await;
    }

    #[tokio::test]
    async fn orphan_deletion_keeps_dependents_without_the_owner_reference() {
        with_populated_collector(async |f| {
            mark_deleting(f, ORPHAN_FINALIZER);
            assert!(eventually(5, || gone(f).0).await);
            let rs = f.rss.get(Some("default"), "rs").unwrap();
            assert!(rs.metadata.owner_references.unwrap_or_default().is_empty());
            tokio::time::sleep(Duration::from_millis(300)).await;
            assert_eq!(gone(f), (true, false, false));
        })
        .await;
    }

    #[tokio::test]
    async fn an_owner_missing_only_from_the_cache_is_checked_with_the_api_server() {
        let f = Arc::new(Fakes::default());
        let late = replica_set("late", 1);
        f.unseen_rss.apply(late);
        let mut p = pod("p1").build();
        p.metadata = owned_by(p.metadata, "ReplicaSet", "late");
        f.pods.apply(p);
        with_collector(&f, async || {
            tokio::time::sleep(Duration::from_millis(400)).await;
            assert!(
                f.pods.get(Some("default"), "p1").is_some(),
                "pod of a live owner was collected"
            );
            f.unseen_rss.delete(Some("default"), "late");
            assert!(eventually(5, || f.pods.get(Some("default"), "p1").is_none()).await);
        })
        .await;
    }
}
