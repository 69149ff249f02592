//! Shared caches of every kind the garbage collector and the namespace controller look at: one
//! informer per kind (Pods, ReplicaSets, Deployments, Services, Endpoints, EndpointSlices,
//! ConfigMaps, Secrets, Leases, Nodes, as the manager sets them up), seen through the
//! kind-erased [`CachedKind`].

use std::sync::Arc;

use futures::future::BoxFuture;
use futures::stream::BoxStream;
use futures::{FutureExt, StreamExt};
use rkube_runtime::Object;
use rkube_runtime::informer::Informer;
use rkube_runtime::reflector::{StoreBuilder, index};
use rkube_runtime::watcher::{self, ListWatch};

use super::graph::{GcObject, Graph, group_of};
use crate::namespace::deletion::Remaining;

/// One cached kind, with its type erased.
pub trait CachedKind: Send + Sync {
    /// `apiVersion`.
    fn api_version(&self) -> &'static str;
    /// `kind`.
    fn kind(&self) -> &'static str;
    /// `plural[.group]`, as namespace conditions name resources.
    fn resource(&self) -> &'static str;
    /// Whether objects of the kind live in namespaces.
    fn namespaced(&self) -> bool;
    /// Every cached object, as the collector sees it.
    fn gc_objects(&self) -> Vec<GcObject>;
    /// The cached objects of a namespace.
    fn in_namespace(&self, namespace: &str) -> Vec<Remaining>;
    /// Completes once the first list is cached.
    fn ready(&self) -> BoxFuture<'static, ()>;
    /// Ticks on every change of the kind.
    fn changes(&self) -> BoxStream<'static, ()>;
}

/// A cached kind backed by an [`Informer`].
pub struct InformerKind<K: Object> {
    informer: Informer<K>,
    resource: &'static str,
    namespaced: bool,
}

impl<K: Object> InformerKind<K> {
    /// A cached kind over a shared informer (whose store has the default indexes).
    pub fn new(informer: &Informer<K>, resource: &'static str, namespaced: bool) -> Self {
        Self {
            informer: informer.clone(),
            resource,
            namespaced,
        }
    }

    /// Starts an informer of its own on `api`.
    pub fn spawn(api: impl ListWatch<K>, resource: &'static str, namespaced: bool) -> Self {
        let informer = Informer::spawn(
            api,
            watcher::Config::default(),
            StoreBuilder::new().with_default_indexes(),
        );
        Self::new(&informer, resource, namespaced)
    }
}

impl<K: Object> CachedKind for InformerKind<K> {
    fn api_version(&self) -> &'static str {
        K::API_VERSION
    }
    fn kind(&self) -> &'static str {
        K::KIND
    }
    fn resource(&self) -> &'static str {
        self.resource
    }
    fn namespaced(&self) -> bool {
        self.namespaced
    }
    fn gc_objects(&self) -> Vec<GcObject> {
        self.informer
            .store()
            .state()
            .iter()
            .filter_map(|o| GcObject::from_meta(K::API_VERSION, K::KIND, o.metadata()))
            .collect()
    }
    fn in_namespace(&self, namespace: &str) -> Vec<Remaining> {
        if !self.namespaced {
            return Vec::new();
        }
        self.informer
            .store()
            .by_index(index::NAMESPACE, namespace)
            .unwrap_or_default()
            .iter()
            .map(|o| {
                let meta = o.metadata();
                Remaining {
                    resource: self.resource.to_owned(),
                    name: meta.name.clone().unwrap_or_default(),
                    deleting: meta.deletion_timestamp.is_some(),
                    finalizers: meta.finalizers.clone().unwrap_or_default(),
                }
            })
            .collect()
    }
    fn ready(&self) -> BoxFuture<'static, ()> {
        let store = self.informer.store();
        async move {
            let _ = store.wait_until_ready().await;
        }
        .boxed()
    }
    fn changes(&self) -> BoxStream<'static, ()> {
        self.informer.subscribe().map(|_| ()).boxed()
    }
}

/// The shared caches.
#[derive(Clone)]
pub struct ObjectCaches {
    kinds: Arc<Vec<Box<dyn CachedKind>>>,
}

impl std::fmt::Debug for ObjectCaches {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let kinds: Vec<&str> = self.kinds.iter().map(|k| k.kind()).collect();
        f.debug_struct("ObjectCaches")
            .field("kinds", &kinds)
            .finish()
    }
}

impl ObjectCaches {
    /// Caches over the given kinds.
    pub fn new(kinds: Vec<Box<dyn CachedKind>>) -> Self {
        Self {
            kinds: Arc::new(kinds),
        }
    }

    /// The cached kinds.
    pub fn kinds(&self) -> &[Box<dyn CachedKind>] {
        &self.kinds
    }

    /// The kind of a `plural[.group]` resource.
    pub fn by_resource(&self, resource: &str) -> Option<&dyn CachedKind> {
        self.kinds
            .iter()
            .find(|k| k.resource() == resource)
            .map(AsRef::as_ref)
    }

    /// Waits until every kind has been listed.
    pub async fn ready(&self) {
        futures::future::join_all(self.kinds.iter().map(|k| k.ready())).await;
    }

    /// Ticks on every change of any kind.
    pub fn changes(&self) -> BoxStream<'static, ()> {
        futures::stream::select_all(self.kinds.iter().map(|k| k.changes())).boxed()
    }

    /// The ownerReference graph of everything cached.
    pub fn graph(&self) -> Graph {
        let objects = self.kinds.iter().flat_map(|k| k.gc_objects());
        let known = self
            .kinds
            .iter()
            .map(|k| (group_of(k.api_version()).to_owned(), k.kind().to_owned()));
        Graph::new(objects, known)
    }

    /// Everything cached in a namespace.
    pub fn in_namespace(&self, namespace: &str) -> Vec<Remaining> {
        self.kinds
            .iter()
            .flat_map(|k| k.in_namespace(namespace))
            .collect()
    }
}
