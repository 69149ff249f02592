//! Glue shared by the controllers' wiring: the reconcile error type, status merge patches,
//! time conversions and the error policy.

use std::sync::Arc;
use std::time::Duration;

use futures::FutureExt;
use futures::future::BoxFuture;
use k8s_openapi::jiff::{SignedDuration, Timestamp};
use rkube_runtime::Action;
use serde::Serialize;
use serde_json::{Value, json};

/// Why a reconcile failed (it is retried with the queue's rate-limited backoff).
#[derive(Debug, thiserror::Error)]
pub enum ReconcileError {
    /// An API call failed.
    #[error("API call failed: {0}")]
    Api(#[from] rkube_client::Error),
    /// A cache could not be read.
    #[error("cache read failed: {0}")]
    Cache(#[from] rkube_runtime::reflector::Error),
    /// The ReplicaSet cannot be handled.
    #[error(transparent)]
    ReplicaSet(#[from] crate::replicaset::ReplicaSetError),
    /// The Deployment cannot be handled.
    #[error(transparent)]
    Deployment(#[from] crate::deployment::DeploymentError),
    /// Some creates or deletes failed (the status carries the ReplicaFailure condition).
    #[error("{0}")]
    Manage(String),
    /// An object could not be serialized into a patch.
    #[error("cannot serialize a patch: {0}")]
    Serialize(#[from] serde_json::Error),
}

/// The error policy of every controller: retry with the per-object exponential backoff.
pub fn error_policy<K, C>(_obj: Arc<K>, error: &ReconcileError, _ctx: Arc<C>) -> Action {
    // The runtime already logs the failure with the object; keep the detail at debug.
    tracing::debug!(?error, "reconcile failed");
    Action::requeue_rate_limited()
}

/// The current time.
pub fn now() -> Timestamp {
    Timestamp::now()
}

/// A non-negative std duration from a signed one.
pub fn to_std(d: SignedDuration) -> Duration {
    Duration::try_from(d).unwrap_or(Duration::ZERO)
}

/// `Action::requeue` after `d`, or await the next change.
pub fn requeue_or_wait(d: Option<SignedDuration>) -> Action {
    d.map_or_else(Action::await_change, |d| Action::requeue(to_std(d)))
}

/// A JSON merge patch `{"status": status}` in which the listed fields, when absent, are set to
/// `null` (so that a cleared condition list is really removed).
pub fn status_merge_patch<T: Serialize>(
    status: &T,
    clearable: &[&str],
) -> Result<Value, serde_json::Error> {
    let mut value = serde_json::to_value(status)?;
    if let Some(map) = value.as_object_mut() {
        for field in clearable {
            map.entry(*field).or_insert(Value::Null);
        }
    }
    Ok(json!({ "status": value }))
}

/// The highest resourceVersion among cached objects (resourceVersions of our API server are
/// one increasing store revision).
pub fn max_resource_version<'a, I>(metas: I) -> Option<u64>
where
    I: IntoIterator<Item = &'a k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta>,
{
    metas
        .into_iter()
        .filter_map(|m| m.resource_version.as_deref()?.parse::<u64>().ok())
        .max()
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::api::apps::v1::ReplicaSetStatus;

    #[test]
    fn namespace_terminating_refusals_are_recognised() {
        let refused = crate::testutil::api_error(
            403,
            "unable to create new content in namespace team because it is being terminated",
        );
        assert!(is_namespace_terminating(&refused));
        assert!(!is_namespace_terminating(&crate::testutil::api_error(
            403,
            "forbidden"
        )));
        assert!(ignore_not_found(Err(crate::testutil::api_error(404, "NotFound"))).is_ok());
        assert!(ignore_not_found(Err(crate::testutil::api_error(409, "Conflict"))).is_err());
    }

    #[test]
    fn status_patch_clears_absent_conditions() {
        let p = status_merge_patch(&ReplicaSetStatus::default(), &["conditions"]).unwrap();
        assert_eq!(p["status"]["conditions"], Value::Null);
        assert!(p["status"].as_object().unwrap().contains_key("conditions"));
        assert_eq!(p["status"]["replicas"], 0);
    }
}

/// Where controllers send events (a [`Recorder`](rkube_runtime::events::Recorder) in
/// production, a list in tests). Failing to record an event never fails a reconcile.
pub trait EventSink: Send + Sync + 'static {
    /// Records an event about the object `reference` names.
    fn publish<'a>(
        &'a self,
        reference: k8s_openapi::api::core::v1::ObjectReference,
        type_: rkube_runtime::events::EventType,
        reason: &'a str,
        message: String,
    ) -> futures::future::BoxFuture<'a, ()>;
}

impl<A: rkube_runtime::events::EventApi> EventSink for rkube_runtime::events::Recorder<A> {
    fn publish<'a>(
        &'a self,
        reference: k8s_openapi::api::core::v1::ObjectReference,
        type_: rkube_runtime::events::EventType,
        reason: &'a str,
        message: String,
    ) -> futures::future::BoxFuture<'a, ()> {
        use futures::FutureExt;
        async move {
            if let Err(error) =
                rkube_runtime::events::Recorder::publish(self, &reference, type_, reason, &message)
                    .await
            {
                tracing::debug!(%error, reason, "recording an event failed");
            }
        }
        .boxed()
    }
}

/// The production writes of every controller: through the API client.
#[derive(Clone, Debug)]
pub struct ClientWrites {
    /// The client.
    pub client: rkube_client::Client,
}

impl ClientWrites {
    /// Writes through `client`.
    pub fn new(client: rkube_client::Client) -> Self {
        Self { client }
    }

    /// The API of `K` in `namespace` (all namespaces, or a cluster-scoped kind, when `None`).
    pub fn api<K: ClientKind>(&self, namespace: Option<&str>) -> rkube_client::Api<K> {
        rkube_client::Api::new(self.client.clone(), namespace)
    }

    /// Creates `obj` in `namespace`, dropping the stored copy.
    pub fn create_object<'a, K: ClientKind>(
        &'a self,
        namespace: &'a str,
        obj: &'a K,
    ) -> BoxFuture<'a, rkube_client::Result<()>> {
        async move {
            self.api::<K>(Some(namespace))
                .create(&rkube_client::PostParams::default(), obj)
                .await
                .map(|_| ())
        }
        .boxed()
    }

    /// Replaces `obj` (named by its metadata) in `namespace`, dropping the stored copy.
    pub fn replace_object<'a, K: ClientKind>(
        &'a self,
        namespace: &'a str,
        obj: &'a K,
    ) -> BoxFuture<'a, rkube_client::Result<()>> {
        async move {
            let name = k8s_openapi::Metadata::metadata(obj)
                .name
                .as_deref()
                .unwrap_or_default();
            self.api::<K>(Some(namespace))
                .replace(name, &rkube_client::PostParams::default(), obj)
                .await
                .map(|_| ())
        }
        .boxed()
    }

    /// Deletes the `K` `name` with `params`, dropping the response.
    pub fn delete_object<'a, K: ClientKind>(
        &'a self,
        namespace: Option<&'a str>,
        name: &'a str,
        params: rkube_client::DeleteParams,
    ) -> BoxFuture<'a, rkube_client::Result<()>> {
        async move {
            self.api::<K>(namespace)
                .delete(name, &params)
                .await
                .map(|_| ())
        }
        .boxed()
    }

    /// Patches the `K` `name` (its status subresource when `status`), dropping the response.
    pub fn patch_object<'a, K: ClientKind>(
        &'a self,
        namespace: Option<&'a str>,
        name: &'a str,
        patch: rkube_client::Patch<&'a Value>,
        status: bool,
    ) -> BoxFuture<'a, rkube_client::Result<()>> {
        async move {
            let api = self.api::<K>(namespace);
            let pp = rkube_client::PatchParams::default();
            let result = if status {
                api.patch_status(name, &pp, &patch).await
            } else {
                api.patch(name, &pp, &patch).await
            };
            result.map(|_| ())
        }
        .boxed()
    }
}

/// A kind the [`ClientWrites`] helpers can write.
pub trait ClientKind:
    k8s_openapi::Resource
    + k8s_openapi::Metadata<Ty = k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta>
    + Serialize
    + serde::de::DeserializeOwned
    + Clone
    + std::fmt::Debug
    + Send
    + Sync
    + 'static
{
}

impl<K> ClientKind for K where
    K: k8s_openapi::Resource
        + k8s_openapi::Metadata<Ty = k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta>
        + Serialize
        + serde::de::DeserializeOwned
        + Clone
        + std::fmt::Debug
        + Send
        + Sync
        + 'static
{
}

/// Runs a built controller with `workers` concurrent reconciles until `shutdown`, with the
/// shared [`error_policy`] and the [initial sync](run_with_initial_sync) of its primary cache.
pub async fn run_controller<K, R, RFut, Ctx>(
    controller: rkube_runtime::Controller<K>,
    workers: usize,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
    reconcile: R,
    ctx: Arc<Ctx>,
) where
    K: rkube_runtime::Object,
    R: Fn(Arc<K>, Arc<Ctx>) -> RFut + Send + Sync + 'static,
    RFut: std::future::Future<Output = Result<Action, ReconcileError>> + Send + 'static,
    Ctx: Send + Sync + 'static,
{
    let controller = controller.concurrency(workers).shutdown_on(shutdown);
    let (store, queue) = (controller.store(), controller.queue());
    run_with_initial_sync(store, queue, controller.run(reconcile, error_policy, ctx)).await;
}

/// The store of the shared pod informer: the default indexes plus `spec.nodeName`.
pub fn pod_store_builder() -> rkube_runtime::reflector::StoreBuilder<k8s_openapi::api::core::v1::Pod>
{
    use rkube_runtime::reflector::{StoreBuilder, index};
    StoreBuilder::new()
        .with_default_indexes()
        .index(index::POD_NODE_NAME, index::pod_node_name)
}

/// A shared informer with the default indexes.
pub fn informer<K: rkube_runtime::Object>(
    api: impl rkube_runtime::watcher::ListWatch<K>,
) -> rkube_runtime::informer::Informer<K> {
    rkube_runtime::informer::Informer::spawn(
        api,
        rkube_runtime::watcher::Config::default(),
        rkube_runtime::reflector::StoreBuilder::new().with_default_indexes(),
    )
}

/// Runs a controller's `run` future, and once its primary cache (`store`) has listed, puts
/// every cached object in its `queue`: a controller built on a shared informer that had
/// already listed would otherwise never hear of the objects that existed before it
/// subscribed.
pub async fn run_with_initial_sync<K: rkube_runtime::Object>(
    store: rkube_runtime::Store<K>,
    queue: rkube_runtime::queue::WorkQueue<rkube_runtime::ObjectRef<K>>,
    run: impl std::future::Future<Output = ()>,
) {
    let seed = async move {
        if store.wait_until_ready().await.is_ok() {
            for obj in store.state() {
                queue.add(rkube_runtime::ObjectRef::from_obj(obj.as_ref()));
            }
        } else {
            std::future::pending::<()>().await;
        }
    };
    let mut run = std::pin::pin!(run);
    tokio::select! {
        () = &mut run => return,
        () = seed => {}
    }
    run.await;
}

/// A create refused because the namespace is being deleted (Kubernetes' `NamespaceTerminating`
/// cause): nothing to retry, the namespace controller is emptying it.
pub fn is_namespace_terminating(error: &rkube_client::Error) -> bool {
    error.status().is_some_and(|s| {
        s.code == Some(403)
            && (s
                .details
                .as_ref()
                .and_then(|d| d.causes.as_ref())
                .is_some_and(|c| {
                    c.iter()
                        .any(|c| c.reason.as_deref() == Some("NamespaceTerminating"))
                })
                || s.message
                    .as_deref()
                    .is_some_and(|m| m.contains("because it is being terminated")))
    })
}

/// Treats "not found" as success (the object is gone, so is the need to write it).
pub fn ignore_not_found(result: rkube_client::Result<()>) -> rkube_client::Result<()> {
    match result {
        Err(e) if e.is_not_found() => Ok(()),
        other => other,
    }
}
