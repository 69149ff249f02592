//! The cache behind a reflector: a [`Writer`] that applies watcher events and [`Store`]
//! readers, sharing one map of objects and its indexes.

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::sync::{Arc, PoisonError, RwLock, RwLockReadGuard};

use tokio::sync::watch;

use crate::watcher::Event;
use crate::{Object, ObjectRef};

/// Errors of store reads.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// `by_index` was asked for an index that was not registered with the store.
    #[error("no index named {0:?} was registered with this store")]
    UnknownIndex(String),
    /// The writer was dropped before the store ever became ready.
    #[error("the store's writer was dropped before the first list completed")]
    WriterDropped,
}

/// An index function: the values an object is filed under.
pub type IndexFn<K> = Arc<dyn Fn(&K) -> Vec<String> + Send + Sync>;

struct Indexer<K> {
    name: String,
    func: IndexFn<K>,
}

/// Objects by reference, and per index, references by value.
struct Cache<K> {
    objects: HashMap<ObjectRef<K>, Arc<K>>,
    indexes: Vec<HashMap<String, HashSet<ObjectRef<K>>>>,
}

impl<K: Object> Cache<K> {
    fn empty(n_indexes: usize) -> Self {
        Self {
            objects: HashMap::new(),
            indexes: (0..n_indexes).map(|_| HashMap::new()).collect(),
        }
    }

    fn insert(&mut self, indexers: &[Indexer<K>], obj: Arc<K>) {
        let key = ObjectRef::from_obj(&*obj);
        self.remove(indexers, &key);
        for (indexer, index) in indexers.iter().zip(&mut self.indexes) {
            for value in (indexer.func)(&obj) {
                index.entry(value).or_default().insert(key.clone());
            }
        }
        self.objects.insert(key, obj);
    }

    fn remove(&mut self, indexers: &[Indexer<K>], key: &ObjectRef<K>) {
        let Some(old) = self.objects.remove(key) else {
            return;
        };
        for (indexer, index) in indexers.iter().zip(&mut self.indexes) {
            for value in (indexer.func)(&old) {
                if let Some(refs) = index.get_mut(&value) {
                    refs.remove(key);
                    if refs.is_empty() {
                        index.remove(&value);
                    }
                }
            }
        }
    }
}

struct Shared<K> {
    cache: RwLock<Cache<K>>,
    indexers: Vec<Indexer<K>>,
}

impl<K> Shared<K> {
    fn read(&self) -> RwLockReadGuard<'_, Cache<K>> {
        self.cache.read().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Builds a [`Store`] and its [`Writer`], with indexes registered up front.
pub struct StoreBuilder<K> {
    indexers: Vec<Indexer<K>>,
}

impl<K: Object> Default for StoreBuilder<K> {
    fn default() -> Self {
        Self::new()
    }
}

impl<K: Object> StoreBuilder<K> {
    /// A builder with no index.
    pub fn new() -> Self {
        Self {
            indexers: Vec::new(),
        }
    }

    /// Registers an index: `func` gives the values each object is filed under (see
    /// [`index`](super::index) for ready-made ones). A second index of the same name replaces
    /// the first.
    #[must_use]
    pub fn index(
        mut self,
        name: impl Into<String>,
        func: impl Fn(&K) -> Vec<String> + Send + Sync + 'static,
    ) -> Self {
        let name = name.into();
        self.indexers.retain(|i| i.name != name);
        self.indexers.push(Indexer {
            name,
            func: Arc::new(func),
        });
        self
    }

    /// Registers the generic indexes: [`NAMESPACE`](super::index::NAMESPACE),
    /// [`LABEL`](super::index::LABEL) and
    /// [`CONTROLLER_OWNER_UID`](super::index::CONTROLLER_OWNER_UID).
    #[must_use]
    pub fn with_default_indexes(self) -> Self {
        use super::index;
        self.index(index::NAMESPACE, index::namespace::<K>)
            .index(index::LABEL, index::label::<K>)
            .index(
                index::CONTROLLER_OWNER_UID,
                index::controller_owner_uid::<K>,
            )
    }

    /// Makes the reader and the writer.
    pub fn build(self) -> (Store<K>, Writer<K>) {
        let (ready_tx, ready_rx) = watch::channel(false);
        let shared = Arc::new(Shared {
            cache: RwLock::new(Cache::empty(self.indexers.len())),
            indexers: self.indexers,
        });
        let store = Store {
            shared: Arc::clone(&shared),
            ready: ready_rx,
        };
        let writer = Writer {
            shared,
            ready: ready_tx,
            relist: None,
        };
        (store, writer)
    }
}

/// Applies watcher events to the cache. There is one writer per store.
pub struct Writer<K> {
    shared: Arc<Shared<K>>,
    ready: watch::Sender<bool>,
    /// Objects of the relist in progress.
    relist: Option<Vec<Arc<K>>>,
}

impl<K: Object> Writer<K> {
    /// A reader of this writer's cache.
    pub fn as_reader(&self) -> Store<K> {
        Store {
            shared: Arc::clone(&self.shared),
            ready: self.ready.subscribe(),
        }
    }

    /// Applies one event: `Apply` and `Delete` at once; a relist (`Init`, `InitApply`...)
    /// is buffered and replaces the whole content at `InitDone`, which also marks the store
    /// ready.
    pub fn apply_watcher_event(&mut self, event: &Event<K>) {
        let shared = match event {
            Event::Apply(obj) => Event::Apply(Arc::new(obj.clone())),
            Event::Delete(obj) => Event::Delete(Arc::new(obj.clone())),
            Event::InitApply(obj) => Event::InitApply(Arc::new(obj.clone())),
            Event::Init => Event::Init,
            Event::InitDone => Event::InitDone,
        };
        self.apply_shared(shared);
    }

    /// Like [`apply_watcher_event`](Self::apply_watcher_event), storing the given `Arc`s
    /// themselves (no copy of the objects).
    pub fn apply_shared(&mut self, event: Event<Arc<K>>) {
        let indexers = &self.shared.indexers;
        match event {
            Event::Apply(obj) => self.write().insert(indexers, obj),
            Event::Delete(obj) => self.write().remove(indexers, &ObjectRef::from_obj(&*obj)),
            Event::Init => self.relist = Some(Vec::new()),
            Event::InitApply(obj) => match &mut self.relist {
                Some(buffer) => buffer.push(obj),
                // An InitApply without Init: keep the object rather than lose it.
                None => self.write().insert(indexers, obj),
            },
            Event::InitDone => {
                let objects = self.relist.take().unwrap_or_default();
                let mut fresh = Cache::empty(indexers.len());
                for obj in objects {
                    fresh.insert(indexers, obj);
                }
                *self.write() = fresh;
                self.ready.send_replace(true);
            }
        }
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, Cache<K>> {
        self.shared
            .cache
            .write()
            .unwrap_or_else(PoisonError::into_inner)
    }
}

impl<K> fmt::Debug for Writer<K> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Writer").finish_non_exhaustive()
    }
}

/// A read handle on a reflector's cache. Cloning is cheap; all clones see the same content.
pub struct Store<K> {
    shared: Arc<Shared<K>>,
    ready: watch::Receiver<bool>,
}

impl<K> Clone for Store<K> {
    fn clone(&self) -> Self {
        Self {
            shared: Arc::clone(&self.shared),
            ready: self.ready.clone(),
        }
    }
}

impl<K> fmt::Debug for Store<K> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Store")
            .field("len", &self.shared.read().objects.len())
            .field("ready", &*self.ready.borrow())
            .finish()
    }
}

impl<K: Object> Store<K> {
    /// The cached object named by `key`.
    pub fn get(&self, key: &ObjectRef<K>) -> Option<Arc<K>> {
        self.shared.read().objects.get(key).cloned()
    }

    /// Every cached object (in no particular order).
    pub fn state(&self) -> Vec<Arc<K>> {
        self.shared.read().objects.values().cloned().collect()
    }

    /// The cached objects that satisfy `pred`.
    pub fn find(&self, mut pred: impl FnMut(&K) -> bool) -> Vec<Arc<K>> {
        self.shared
            .read()
            .objects
            .values()
            .filter(|o| pred(o))
            .cloned()
            .collect()
    }

    /// The objects filed under `value` in index `index`.
    pub fn by_index(&self, index: &str, value: &str) -> Result<Vec<Arc<K>>, Error> {
        let i = self.index_position(index)?;
        let cache = self.shared.read();
        Ok(cache.indexes[i]
            .get(value)
            .into_iter()
            .flatten()
            .filter_map(|key| cache.objects.get(key).cloned())
            .collect())
    }

    /// The values that index `index` has objects filed under.
    pub fn index_values(&self, index: &str) -> Result<Vec<String>, Error> {
        let i = self.index_position(index)?;
        Ok(self.shared.read().indexes[i].keys().cloned().collect())
    }

    fn index_position(&self, index: &str) -> Result<usize, Error> {
        self.shared
            .indexers
            .iter()
            .position(|i| i.name == index)
            .ok_or_else(|| Error::UnknownIndex(index.to_owned()))
    }

    /// How many objects are cached.
    pub fn len(&self) -> usize {
        self.shared.read().objects.len()
    }

    /// Whether the cache is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Whether the first complete list has been applied.
    pub fn is_ready(&self) -> bool {
        *self.ready.borrow()
    }

    /// Waits until the first complete list has been applied.
    pub async fn wait_until_ready(&self) -> Result<(), Error> {
        let mut ready = self.ready.clone();
        ready
            .wait_for(|r| *r)
            .await
            .map(|_| ())
            .map_err(|_| Error::WriterDropped)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reflector::index;
    use k8s_openapi::api::core::v1::{Pod, PodSpec};
    use k8s_openapi::apimachinery::pkg::apis::meta::v1::OwnerReference;
    use proptest::prelude::*;

    fn pod(ns: &str, name: &str, node: Option<&str>, labels: &[(&str, &str)]) -> Pod {
        let mut p = Pod::default();
        p.metadata.name = Some(name.into());
        p.metadata.namespace = Some(ns.into());
        p.metadata.labels = Some(
            labels
                .iter()
                .map(|(k, v)| ((*k).to_string(), (*v).to_string()))
                .collect(),
        );
        p.spec = Some(PodSpec {
            node_name: node.map(Into::into),
            ..PodSpec::default()
        });
        p
    }

    fn owned(mut p: Pod, uid: &str, controller: bool) -> Pod {
        p.metadata.owner_references = Some(vec![OwnerReference {
            api_version: "apps/v1".into(),
            kind: "ReplicaSet".into(),
            name: "rs".into(),
            uid: uid.into(),
            controller: Some(controller),
            ..OwnerReference::default()
        }]);
        p
    }

    fn pod_store() -> (Store<Pod>, Writer<Pod>) {
        StoreBuilder::new()
            .with_default_indexes()
            .index(index::POD_NODE_NAME, index::pod_node_name)
            .build()
    }

    fn names(mut pods: Vec<Arc<Pod>>) -> Vec<String> {
        let mut v: Vec<String> = pods
            .drain(..)
            .map(|p| p.metadata.name.clone().unwrap())
            .collect();
        v.sort();
        v
    }

    #[tokio::test]
    async fn relist_replaces_content_and_marks_ready() {
        let (store, mut w) = pod_store();
        assert!(!store.is_ready());
        w.apply_watcher_event(&Event::Apply(pod("a", "old", None, &[])));
        w.apply_watcher_event(&Event::Init);
        w.apply_watcher_event(&Event::InitApply(pod("a", "p1", None, &[])));
        // Until InitDone, readers see the old content.
        assert_eq!(names(store.state()), vec!["old"]);
        w.apply_watcher_event(&Event::InitApply(pod("b", "p2", None, &[])));
        w.apply_watcher_event(&Event::InitDone);
        store.wait_until_ready().await.unwrap();
        assert_eq!(names(store.state()), vec!["p1", "p2"]);
        assert!(store.get(&ObjectRef::new("old").within("a")).is_none());
        assert!(store.get(&ObjectRef::new("p2").within("b")).is_some());
        assert_eq!(
            names(store.by_index(index::NAMESPACE, "a").unwrap()),
            vec!["p1"]
        );
    }

    #[tokio::test]
    async fn wait_until_ready_fails_when_writer_dropped() {
        let (store, w) = pod_store();
        drop(w);
        assert!(matches!(
            store.wait_until_ready().await,
            Err(Error::WriterDropped)
        ));
    }

    #[test]
    fn indexes_follow_updates_and_deletes() {
        let (store, mut w) = pod_store();
        let p = owned(pod("ns", "p", Some("n1"), &[("app", "web")]), "uid-1", true);
        w.apply_watcher_event(&Event::Apply(p.clone()));
        w.apply_watcher_event(&Event::Apply(owned(
            pod("ns", "q", None, &[("app", "db")]),
            "uid-2",
            false,
        )));
        assert_eq!(
            names(store.by_index(index::POD_NODE_NAME, "n1").unwrap()),
            vec!["p"]
        );
        assert_eq!(
            names(store.by_index(index::POD_NODE_NAME, "").unwrap()),
            vec!["q"]
        );
        assert_eq!(
            names(store.by_index(index::LABEL, "app=web").unwrap()),
            vec!["p"]
        );
        assert_eq!(
            names(
                store
                    .by_index(index::CONTROLLER_OWNER_UID, "uid-1")
                    .unwrap()
            ),
            vec!["p"]
        );
        // q's owner is not its controller.
        assert!(
            store
                .by_index(index::CONTROLLER_OWNER_UID, "uid-2")
                .unwrap()
                .is_empty()
        );

        // Moving p to another node and relabelling it re-files it.
        let moved = owned(pod("ns", "p", Some("n2"), &[("app", "api")]), "uid-1", true);
        w.apply_watcher_event(&Event::Apply(moved.clone()));
        assert!(
            store
                .by_index(index::POD_NODE_NAME, "n1")
                .unwrap()
                .is_empty()
        );
        assert_eq!(
            names(store.by_index(index::POD_NODE_NAME, "n2").unwrap()),
            vec!["p"]
        );
        assert!(store.by_index(index::LABEL, "app=web").unwrap().is_empty());
        assert!(
            !store
                .index_values(index::POD_NODE_NAME)
                .unwrap()
                .contains(&"n1".to_string())
        );

        w.apply_watcher_event(&Event::Delete(moved));
        assert!(
            store
                .by_index(index::POD_NODE_NAME, "n2")
                .unwrap()
                .is_empty()
        );
        assert_eq!(store.len(), 1);
        assert!(matches!(
            store.by_index("nope", "x"),
            Err(Error::UnknownIndex(_))
        ));
    }

    proptest! {
        /// After any sequence of applies and deletes, every index answers exactly what a scan
        /// of the cached objects would.
        #[test]
        fn indexes_match_a_full_scan(ops in proptest::collection::vec((0u8..8, proptest::option::of(0u8..3), 0u8..3, any::<bool>()), 1..60)) {
            let (store, mut w) = pod_store();
            for (name, node, label, delete) in ops {
                let node = node.map(|n| format!("n{n}"));
                let label = format!("{label}");
                let p = pod("ns", &format!("p{name}"), node.as_deref(), &[("l", &label)]);
                w.apply_watcher_event(&if delete { Event::Delete(p) } else { Event::Apply(p) });
            }
            let all = store.state();
            for node in ["", "n0", "n1", "n2"] {
                let expected = names(all.iter().filter(|p| index::pod_node_name(p) == vec![node.to_string()]).cloned().collect());
                prop_assert_eq!(names(store.by_index(index::POD_NODE_NAME, node).unwrap()), expected);
            }
            for l in ["l=0", "l=1", "l=2"] {
                let expected = names(all.iter().filter(|p| index::label(&***p).contains(&l.to_string())).cloned().collect());
                prop_assert_eq!(names(store.by_index(index::LABEL, l).unwrap()), expected);
            }
        }
    }
}
