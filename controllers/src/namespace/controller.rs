//! The namespace controller's wiring: reconciles Namespaces; for a terminating one it deletes
//! what the shared caches still hold in it (and its Events, which are not cached), reports
//! progress in the namespace's conditions, and when nothing is left PUTs the namespace without
//! the `kubernetes` finalizer to `namespaces/{name}/finalize`.

use std::sync::Arc;

use futures::FutureExt;
use futures::future::BoxFuture;
use k8s_openapi::api::core::v1::{Event, Namespace};
use rkube_client::{Api, DeleteParams, ListParams, Patch, PostParams};
use rkube_runtime::informer::Informer;
use rkube_runtime::{Action, Controller};
use serde_json::{Value, json};

use super::deletion::decide;
use crate::gc::caches::ObjectCaches;
use crate::gc::controller::{ObjectWrites, WriteError};
use crate::gc::decide::Propagation;
use crate::gc::graph::ObjectId;
use crate::wiring::{ClientWrites, ReconcileError, now, requeue_or_wait};

/// The writes the namespace controller makes, beyond deleting objects of any kind.
pub trait NamespaceWrites: ObjectWrites {
    /// Deletes the Events of a namespace (they are not cached).
    fn purge_events<'a>(&'a self, namespace: &'a str) -> BoxFuture<'a, Result<(), WriteError>>;
    /// Merge-patches a namespace's status subresource.
    fn patch_namespace_status<'a>(
        &'a self,
        name: &'a str,
        patch: &'a Value,
    ) -> BoxFuture<'a, Result<(), WriteError>>;
    /// PUTs the namespace to its `finalize` subresource.
    fn finalize<'a>(&'a self, namespace: &'a Namespace) -> BoxFuture<'a, Result<(), WriteError>>;
}

impl NamespaceWrites for ClientWrites {
    fn purge_events<'a>(&'a self, namespace: &'a str) -> BoxFuture<'a, Result<(), WriteError>> {
        async move {
            let api = Api::<Event>::namespaced(self.client.clone(), namespace);
            let events = api.list(&ListParams::default().limit(500)).await?;
            for e in events.items {
                let name = e.metadata.name.unwrap_or_default();
                match api.delete(&name, &DeleteParams::default()).await {
                    Err(err) if !err.is_not_found() => return Err(err.into()),
                    _ => {}
                }
            }
            Ok(())
        }
        .boxed()
    }
    fn patch_namespace_status<'a>(
        &'a self,
        name: &'a str,
        patch: &'a Value,
    ) -> BoxFuture<'a, Result<(), WriteError>> {
        async move {
            self.patch_object::<Namespace>(None, name, Patch::Merge(patch), true)
                .await?;
            Ok(())
        }
        .boxed()
    }
    fn finalize<'a>(&'a self, namespace: &'a Namespace) -> BoxFuture<'a, Result<(), WriteError>> {
        async move {
            let name = namespace.metadata.name.as_deref().unwrap_or_default();
            Api::<Namespace>::all(self.client.clone())
                .replace_subresource::<Namespace, Namespace>(
                    name,
                    "finalize",
                    &PostParams::default(),
                    namespace,
                )
                .await?;
            Ok(())
        }
        .boxed()
    }
}

/// What a namespace reconcile reads and writes through.
pub struct NamespaceContext<W> {
    /// The writes.
    pub writes: W,
    /// The shared caches of namespaced kinds.
    pub caches: ObjectCaches,
}

/// Builds the controller over a shared Namespace informer.
pub fn build(namespaces: &Informer<Namespace>) -> Controller<Namespace> {
    Controller::new_shared(namespaces)
}

/// One reconcile of a namespace.
pub async fn reconcile<W: NamespaceWrites>(
    ns: Arc<Namespace>,
    ctx: Arc<NamespaceContext<W>>,
) -> Result<Action, ReconcileError> {
    if ns.metadata.deletion_timestamp.is_none() {
        return Ok(Action::await_change());
    }
    let name = ns.metadata.name.clone().unwrap_or_default();
    if let Err(error) = ctx.writes.purge_events(&name).await {
        tracing::debug!(%error, namespace = %name, "deleting events failed");
    }
    let remaining = ctx.caches.in_namespace(&name);
    let decision = decide(&ns, &remaining, now());
    for (resource, object) in &decision.delete {
        let Some(kind) = ctx.caches.by_resource(resource) else {
            continue;
        };
        let id = ObjectId {
            api_version: kind.api_version().to_owned(),
            kind: kind.kind().to_owned(),
            namespace: name.clone(),
            name: object.clone(),
            uid: String::new(),
        };
        match ctx.writes.delete(&id, Propagation::Background).await {
            Err(e) if !e.is_not_found() => {
                tracing::warn!(error = %e, ?id, "namespace content deletion failed")
            }
            _ => {}
        }
    }
    if let Some(status) = &decision.status {
        let patch = json!({ "status": { "conditions": status.conditions } });
        if let Err(error) = ctx.writes.patch_namespace_status(&name, &patch).await {
            tracing::debug!(%error, namespace = %name, "namespace status update failed");
        }
    }
    if let Some(finalized) = &decision.finalize {
        match ctx.writes.finalize(finalized).await {
            Ok(()) => {}
            Err(WriteError::Api(e)) if e.is_not_found() => {}
            Err(WriteError::Api(e)) => return Err(e.into()),
            Err(e) => tracing::warn!(error = %e, "finalize failed"),
        }
    }
    Ok(requeue_or_wait(decision.requeue_after))
}

/// Runs the namespace controller until `shutdown`.
pub async fn run<W: NamespaceWrites>(
    controller: Controller<Namespace>,
    writes: W,
    caches: ObjectCaches,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) {
    let shutdown = shutdown.boxed().shared();
    tokio::select! {
        () = caches.ready() => {}
        () = shutdown.clone() => return,
    }
    let ctx = Arc::new(NamespaceContext { writes, caches });
    crate::wiring::run_controller(controller, 2, shutdown, reconcile::<W>, ctx).await;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gc::caches::InformerKind;
    use crate::namespace::KUBERNETES_FINALIZER;
    use crate::testutil::{api_error, eventually, merge_patched, pod};
    use k8s_openapi::api::core::v1::{ConfigMap, NamespaceSpec, Pod};
    use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, Time};
    use rkube_runtime::fake::FakeApi;
    use std::time::Duration;

    #[derive(Default)]
    struct Fakes {
        namespaces: FakeApi<Namespace>,
        pods: FakeApi<Pod>,
        config_maps: FakeApi<ConfigMap>,
    }

    impl ObjectWrites for Arc<Fakes> {
        fn owner_exists<'a>(
            &'a self,
            _ns: &'a str,
            _owner: &'a k8s_openapi::apimachinery::pkg::apis::meta::v1::OwnerReference,
        ) -> BoxFuture<'a, Result<bool, WriteError>> {
            async { Ok(true) }.boxed()
        }
        fn delete<'a>(
            &'a self,
            id: &'a ObjectId,
            _p: Propagation,
        ) -> BoxFuture<'a, Result<(), WriteError>> {
            async move {
                let ns = Some(id.namespace.as_str());
                let found = match id.kind.as_str() {
                    "Pod" => self.pods.delete(ns, &id.name).is_some(),
                    "ConfigMap" => self.config_maps.delete(ns, &id.name).is_some(),
                    _ => false,
                };
                if found {
                    Ok(())
                } else {
                    Err(api_error(404, "NotFound").into())
                }
            }
            .boxed()
        }
        fn patch<'a>(
            &'a self,
            _id: &'a ObjectId,
            _p: &'a crate::gc::controller::ObjectPatch,
        ) -> BoxFuture<'a, Result<(), WriteError>> {
            async { Ok(()) }.boxed()
        }
    }

    impl NamespaceWrites for Arc<Fakes> {
        fn purge_events<'a>(&'a self, _ns: &'a str) -> BoxFuture<'a, Result<(), WriteError>> {
            async { Ok(()) }.boxed()
        }
        fn patch_namespace_status<'a>(
            &'a self,
            name: &'a str,
            patch: &'a Value,
        ) -> BoxFuture<'a, Result<(), WriteError>> {
            async move {
                let ns = self
                    .namespaces
                    .get(None, name)
                    .ok_or_else(|| api_error(404, "NotFound"))?;
                self.namespaces.apply(merge_patched(&ns, patch));
                Ok(())
            }
            .boxed()
        }
        fn finalize<'a>(&'a self, ns: &'a Namespace) -> BoxFuture<'a, Result<(), WriteError>> {
            async move {
                let name = ns.metadata.name.as_deref().unwrap();
                let empty = ns
                    .spec
                    .as_ref()
                    .and_then(|s| s.finalizers.as_ref())
                    .is_none_or(Vec::is_empty);
                if empty {
                    self.namespaces.delete(None, name);
                } else {
                    self.namespaces.apply(ns.clone());
                }
                Ok(())
            }
            .boxed()
        }
    }

    #[tokio::test]
    async fn terminating_namespace_is_emptied_then_finalized() {
        let f = Arc::new(Fakes::default());
        let mut doomed = Namespace {
            metadata: ObjectMeta {
                name: Some("team".into()),
                ..Default::default()
            },
            spec: Some(NamespaceSpec {
                finalizers: Some(vec![KUBERNETES_FINALIZER.into()]),
            }),
            status: None,
        };
        f.namespaces.apply(doomed.clone());
        f.pods.apply(pod("p1").namespace("team").build());
        f.pods.apply(pod("elsewhere").build());
        f.config_maps.apply(ConfigMap {
            metadata: ObjectMeta {
                name: Some("c1".into()),
                namespace: Some("team".into()),
                ..Default::default()
            },
            ..Default::default()
        });
        let caches = ObjectCaches::new(vec![
            Box::new(InformerKind::spawn(f.pods.clone(), "pods", true)),
            Box::new(InformerKind::spawn(
                f.config_maps.clone(),
                "configmaps",
                true,
            )),
        ]);
        let token = tokio_util::sync::CancellationToken::new();
        let task = tokio::spawn(run(
            build(&crate::wiring::informer(f.namespaces.clone())),
            f.clone(),
            caches,
            token.clone().cancelled_owned(),
        ));
        // A live namespace keeps its content.
        tokio::time::sleep(Duration::from_millis(100)).await;
        assert!(f.pods.get(Some("team"), "p1").is_some());

        doomed.metadata.deletion_timestamp = Some(Time(crate::wiring::now()));
        f.namespaces.apply(doomed);
        assert!(eventually(10, || f.namespaces.get(None, "team").is_none()).await);
        assert!(f.pods.get(Some("team"), "p1").is_none());
        assert!(f.config_maps.get(Some("team"), "c1").is_none());
        assert!(f.pods.get(Some("default"), "elsewhere").is_some());
        token.cancel();
        tokio::time::timeout(Duration::from_secs(10), task)
            .await
            .unwrap()
            .unwrap();
    }
}
