//! Shared informers: one watcher and one cache for a kind, shared by several controllers.
//!
//! Several controllers often watch the same kind (pods matter to the ReplicaSet, endpoints,
//! garbage collection and node lifecycle controllers). Rather than each running its own
//! watch and keeping its own copy of every pod, they can share an [`Informer`]: it runs one
//! [`watcher`](crate::watcher::watcher) into one [`Store`], and broadcasts each [`Change`]
//! (with the previous version of the object) to its subscribers. Give it to controllers with
//! [`Controller::owns_shared`](crate::Controller::owns_shared) and
//! [`Controller::watches_shared`](crate::Controller::watches_shared).
//!
//! A subscriber that falls too far behind gets [`Change::Resync`] instead of the changes
//! it missed: it should then look at everything in the store again.
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")] async fn main() {
//! use futures::StreamExt;
//! use k8s_openapi::api::core::v1::Pod;
//! use rkube_runtime::fake::FakeApi;
//! use rkube_runtime::informer::{Change, Informer};
//! use rkube_runtime::reflector::StoreBuilder;
//!
//! let api = FakeApi::<Pod>::new();
//! let informer = Informer::spawn(api.clone(), Default::default(), StoreBuilder::new());
//! let mut changes = informer.subscribe();
//! informer.store().wait_until_ready().await.unwrap();
//! let mut pod = Pod::default();
//! pod.metadata.name = Some("p".into());
//! pod.metadata.namespace = Some("default".into());
//! api.apply(pod);
//! assert!(matches!(changes.next().await, Some(Change::Applied { old: None, .. })));
//! # }
//! ```

use std::collections::HashSet;
use std::fmt;
use std::sync::Arc;

use futures::stream::BoxStream;
use futures::{Stream, StreamExt};
use tokio::sync::broadcast;
use tokio::task::JoinHandle;
use tracing::{debug, warn};

use crate::reflector::{Store, StoreBuilder};
use crate::watcher::{self, Event, ListWatch};
use crate::{Object, ObjectRef};

/// How many changes a subscriber may lag behind before it gets a [`Change::Resync`].
const CAPACITY: usize = 4096;

/// A change seen by an [`Informer`], delivered after the store was updated.
pub enum Change<K> {
    /// An object was added or changed (also when a relist lists it); `old` is the version
    /// the store held before, if any.
    Applied {
        /// The previous cached version.
        old: Option<Arc<K>>,
        /// The new version (now in the store).
        new: Arc<K>,
    },
    /// An object was deleted (or a relist found it gone).
    Deleted(Arc<K>),
    /// The subscriber missed changes: every object in the store may have changed.
    Resync,
}

impl<K> Clone for Change<K> {
    fn clone(&self) -> Self {
        match self {
            Self::Applied { old, new } => Self::Applied {
                old: old.clone(),
                new: Arc::clone(new),
            },
            Self::Deleted(obj) => Self::Deleted(Arc::clone(obj)),
            Self::Resync => Self::Resync,
        }
    }
}

impl<K: fmt::Debug> fmt::Debug for Change<K> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Applied { old, new } => f
                .debug_struct("Applied")
                .field("old", old)
                .field("new", new)
                .finish(),
            Self::Deleted(obj) => f.debug_tuple("Deleted").field(obj).finish(),
            Self::Resync => f.write_str("Resync"),
        }
    }
}

struct Driver(JoinHandle<()>);

impl Drop for Driver {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// One watcher and cache of kind `K`, shared. Cloning is cheap; the watch stops when the
/// last clone (including those held by controllers) is dropped.
pub struct Informer<K: Object> {
    store: Store<K>,
    changes: broadcast::Sender<Change<K>>,
    _driver: Arc<Driver>,
}

impl<K: Object> Clone for Informer<K> {
    fn clone(&self) -> Self {
        Self {
            store: self.store.clone(),
            changes: self.changes.clone(),
            _driver: Arc::clone(&self._driver),
        }
    }
}

impl<K: Object> fmt::Debug for Informer<K> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Informer")
            .field("kind", &K::KIND)
            .field("store", &self.store)
            .finish()
    }
}

impl<K: Object> Informer<K> {
    /// Starts watching `api` on a new task (call within a tokio runtime), caching into a store
    /// built from `store`.
    pub fn spawn(api: impl ListWatch<K>, config: watcher::Config, store: StoreBuilder<K>) -> Self {
        let (reader, mut writer) = store.build();
        let (changes, _) = broadcast::channel(CAPACITY);
        let sender = changes.clone();
        let cache = reader.clone();
        let driver = tokio::spawn(async move {
            let mut events = std::pin::pin!(watcher::watcher(api, config));
            let mut relisted: Option<HashSet<ObjectRef<K>>> = None;
            while let Some(event) = events.next().await {
                let event = match event {
                    Ok(event) => event,
                    Err(e) if e.is_gone() => {
                        debug!(kind = K::KIND, "informer relisting: {e}");
                        continue;
                    }
                    Err(e) => {
                        warn!(kind = K::KIND, "informer watch error (retrying): {e}");
                        continue;
                    }
                };
                let mut out = Vec::new();
                let shared = match event {
                    Event::Apply(obj) => Event::Apply(Arc::new(obj)),
                    Event::InitApply(obj) => Event::InitApply(Arc::new(obj)),
                    Event::Delete(obj) => Event::Delete(Arc::new(obj)),
                    Event::Init => Event::Init,
                    Event::InitDone => Event::InitDone,
                };
                match &shared {
                    Event::Apply(obj) | Event::InitApply(obj) => {
                        let key = ObjectRef::from_obj(&**obj);
                        let old = cache.get(&key);
                        if let (Event::InitApply(_), Some(seen)) = (&shared, &mut relisted) {
                            seen.insert(key);
                        }
                        out.push(Change::Applied {
                            old,
                            new: Arc::clone(obj),
                        });
                    }
                    Event::Delete(obj) => out.push(Change::Deleted(Arc::clone(obj))),
                    Event::Init => relisted = Some(HashSet::new()),
                    Event::InitDone => {
                        if let Some(seen) = relisted.take() {
                            for gone in cache.find(|o| !seen.contains(&ObjectRef::from_obj(o))) {
                                out.push(Change::Deleted(gone));
                            }
                        }
                    }
                }
                writer.apply_shared(shared);
                for change in out {
                    // No subscriber is fine.
                    let _ = sender.send(change);
                }
            }
        });
        Self {
            store: reader,
            changes,
            _driver: Arc::new(Driver(driver)),
        }
    }

    /// The shared cache.
    pub fn store(&self) -> Store<K> {
        self.store.clone()
    }

    /// The changes from now on (and [`Change::Resync`] when this subscriber lagged).
    pub fn subscribe(&self) -> impl Stream<Item = Change<K>> + Send + 'static + use<K> {
        subscription(self.changes.subscribe())
    }
}

fn subscription<K: Object>(rx: broadcast::Receiver<Change<K>>) -> BoxStream<'static, Change<K>> {
    futures::stream::unfold(rx, |mut rx| async move {
        match rx.recv().await {
            Ok(change) => Some((change, rx)),
            Err(broadcast::error::RecvError::Lagged(n)) => {
                debug!(kind = K::KIND, "informer subscriber lagged by {n} changes");
                Some((Change::Resync, rx))
            }
            Err(broadcast::error::RecvError::Closed) => None,
        }
    })
    .boxed()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fake::FakeApi;
    use k8s_openapi::api::core::v1::ConfigMap;
    use std::time::Duration;

    fn cm(name: &str, v: &str) -> ConfigMap {
        let mut c = ConfigMap::default();
        c.metadata.name = Some(name.into());
        c.metadata.namespace = Some("ns".into());
        c.data = Some([("v".to_string(), v.to_string())].into());
        c
    }

    fn v(c: &ConfigMap) -> &str {
        c.data.as_ref().unwrap()["v"].as_str()
    }

    async fn next<S: Stream<Item = Change<ConfigMap>> + Unpin>(s: &mut S) -> Change<ConfigMap> {
        tokio::time::timeout(Duration::from_secs(60), s.next())
            .await
            .expect("no change")
            .expect("closed")
    }

    #[tokio::test(start_paused = true)]
    async fn subscribers_share_one_watch_and_see_old_versions() {
        let api = FakeApi::<ConfigMap>::new();
        api.apply(cm("a", "1"));
        let informer = Informer::spawn(api.clone(), Default::default(), StoreBuilder::new());
        let mut s1 = Box::pin(informer.subscribe());
        let mut s2 = Box::pin(informer.clone().subscribe());
        informer.store().wait_until_ready().await.unwrap();
        api.apply(cm("a", "2"));
        for s in [&mut s1, &mut s2] {
            // The listed version first, then the change with its old version.
            assert!(matches!(next(s).await, Change::Applied { old: None, .. }));
            match next(s).await {
                Change::Applied {
                    old: Some(old),
                    new,
                } => {
                    assert_eq!((v(&old), v(&new)), ("1", "2"));
                }
                other => panic!("unexpected {other:?}"),
            }
        }
        api.delete(Some("ns"), "a");
        assert!(matches!(next(&mut s1).await, Change::Deleted(_)));
        assert_eq!(api.watch_calls(), 1);
        assert_eq!(api.list_calls(), 1);
    }

    #[tokio::test(start_paused = true)]
    async fn a_relist_reports_objects_that_vanished_as_deleted() {
        let api = FakeApi::<ConfigMap>::new();
        api.apply(cm("a", "1"));
        api.apply(cm("b", "1"));
        let informer = Informer::spawn(api.clone(), Default::default(), StoreBuilder::new());
        informer.store().wait_until_ready().await.unwrap();
        let mut s = Box::pin(informer.subscribe());
        api.expire();
        api.delete(Some("ns"), "b");
        let mut deleted = Vec::new();
        while deleted.is_empty() {
            if let Change::Deleted(obj) = next(&mut s).await {
                deleted.push(obj.metadata.name.clone().unwrap());
            }
        }
        assert_eq!(deleted, ["b"]);
        assert_eq!(informer.store().len(), 1);
    }

    #[tokio::test(start_paused = true)]
    async fn a_lagging_subscriber_gets_a_resync() {
        let api = FakeApi::<ConfigMap>::new();
        let informer = Informer::spawn(api.clone(), Default::default(), StoreBuilder::new());
        informer.store().wait_until_ready().await.unwrap();
        let mut s = Box::pin(informer.subscribe());
        for i in 0..CAPACITY + 10 {
            api.apply(cm(&format!("c{i}"), "1"));
        }
        // Let the informer process everything without the subscriber reading.
        tokio::time::timeout(Duration::from_secs(60), async {
            while informer.store().len() < CAPACITY + 10 {
                tokio::task::yield_now().await;
            }
        })
        .await
        .unwrap();
        assert!(matches!(next(&mut s).await, Change::Resync));
    }

    #[tokio::test(start_paused = true)]
    async fn dropping_the_last_handle_stops_the_watch() {
        let api = FakeApi::<ConfigMap>::new();
        let informer = Informer::spawn(api.clone(), Default::default(), StoreBuilder::new());
        informer.store().wait_until_ready().await.unwrap();
        assert_eq!(api.open_watches(), 1);
        let store = informer.store();
        drop(informer);
        tokio::task::yield_now().await;
        assert_eq!(api.open_watches(), 0);
        // The cache stays readable.
        assert!(store.is_ready());
    }
}
