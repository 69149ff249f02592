//! An in-memory [`ListWatch`] for tests: a fake API server for one kind.
//!
//! [`FakeApi`] keeps objects with increasing resource versions and pushes changes to the
//! watches it has open, so a [`watcher`](crate::watcher), a reflector or a whole
//! [`Controller`](crate::controller::Controller) can run against it without a server. Tests
//! can also break open watches, make versions expire (410 Gone), and count calls.
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")] async fn main() {
//! use futures::StreamExt;
//! use k8s_openapi::api::core::v1::ConfigMap;
//! use rkube_runtime::fake::FakeApi;
//! use rkube_runtime::watcher::{self, Event};
//!
//! let api = FakeApi::<ConfigMap>::new();
//! let mut cm = ConfigMap::default();
//! cm.metadata.name = Some("settings".into());
//! cm.metadata.namespace = Some("default".into());
//! api.apply(cm);
//! let events: Vec<_> = watcher::watcher(api.clone(), Default::default()).take(3).collect().await;
//! assert!(matches!(events[1], Ok(Event::InitApply(_))));
//! # }
//! ```

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use futures::future::BoxFuture;
use futures::stream::BoxStream;
use futures::{FutureExt, StreamExt};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ListMeta, Status};
use rkube_client::{ListParams, ObjectList, WatchEvent, WatchParams};
use tokio::sync::mpsc;

use crate::Object;
use crate::watcher::ListWatch;

type Key = (Option<String>, String);
type EventSender<K> = mpsc::UnboundedSender<rkube_client::Result<WatchEvent<K>>>;

/// A fake API server for kind `K`. Clones share the same state.
pub struct FakeApi<K> {
    state: Arc<Mutex<FakeState<K>>>,
}

struct FakeState<K> {
    objects: BTreeMap<Key, K>,
    resource_version: u64,
    /// Every change, with the version it made, for watches that start in the past.
    history: Vec<(u64, WatchEvent<K>)>,
    /// Versions up to this one are gone: watches from them get 410.
    compacted: u64,
    watches: Vec<EventSender<K>>,
    list_calls: usize,
    watch_calls: usize,
    list_errors: Vec<rkube_client::Error>,
}

impl<K> Clone for FakeApi<K> {
    fn clone(&self) -> Self {
        Self {
            state: Arc::clone(&self.state),
        }
    }
}

impl<K: Object> Default for FakeApi<K> {
    fn default() -> Self {
        Self::new()
    }
}

impl<K: Object> FakeApi<K> {
    /// An empty fake at resource version 1.
    pub fn new() -> Self {
        Self {
            state: Arc::new(Mutex::new(FakeState {
                objects: BTreeMap::new(),
                resource_version: 1,
                history: Vec::new(),
                compacted: 0,
                watches: Vec::new(),
                list_calls: 0,
                watch_calls: 0,
                list_errors: Vec::new(),
            })),
        }
    }

    fn lock(&self) -> MutexGuard<'_, FakeState<K>> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Creates or replaces `obj` (keyed by namespace and name), gives it the next resource
    /// version and tells the open watches. Returns the stored object.
    pub fn apply(&self, mut obj: K) -> K {
        let mut state = self.lock();
        state.resource_version += 1;
        let rv = state.resource_version;
        obj.metadata_mut().resource_version = Some(rv.to_string());
        let key = key_of(&obj);
        let event = if state.objects.insert(key, obj.clone()).is_some() {
            WatchEvent::Modified(obj.clone())
        } else {
            WatchEvent::Added(obj.clone())
        };
        state.publish(rv, event);
        obj
    }

    /// Read-modify-write of the object `name` in `namespace` under the lock, as the API
    /// server's compare-and-swap updates are: `f` gets the stored object and returns the new
    /// one (stored with the next resource version and told to the watches) or an error (nothing
    /// changes). `None` if there is no such object.
    pub fn modify<E>(
        &self,
        namespace: Option<&str>,
        name: &str,
        f: impl FnOnce(&K) -> Result<K, E>,
    ) -> Option<Result<K, E>> {
        let mut state = self.lock();
        let key = (namespace.map(str::to_owned), name.to_owned());
        let current = state.objects.get(&key)?;
        let mut obj = match f(current) {
            Ok(obj) => obj,
            Err(e) => return Some(Err(e)),
        };
        state.resource_version += 1;
        let rv = state.resource_version;
        obj.metadata_mut().resource_version = Some(rv.to_string());
        state.objects.insert(key_of(&obj), obj.clone());
        state.publish(rv, WatchEvent::Modified(obj.clone()));
        Some(Ok(obj))
    }

    /// Deletes the object `name` in `namespace` and tells the open watches. Returns it.
    pub fn delete(&self, namespace: Option<&str>, name: &str) -> Option<K> {
        let mut state = self.lock();
        let mut obj = state
            .objects
            .remove(&(namespace.map(str::to_owned), name.to_owned()))?;
        state.resource_version += 1;
        let rv = state.resource_version;
        obj.metadata_mut().resource_version = Some(rv.to_string());
        state.publish(rv, WatchEvent::Deleted(obj.clone()));
        Some(obj)
    }

    /// The stored object `name` in `namespace`.
    pub fn get(&self, namespace: Option<&str>, name: &str) -> Option<K> {
        self.lock()
            .objects
            .get(&(namespace.map(str::to_owned), name.to_owned()))
            .cloned()
    }

    /// Ends every open watch, as a dropped connection would.
    pub fn break_watches(&self) {
        self.lock().watches.clear();
    }

    /// Sends a bookmark at the current version to every open watch.
    pub fn bookmark(&self) {
        let mut state = self.lock();
        let rv = state.resource_version.to_string();
        state.watches.retain(|w| {
            w.send(Ok(WatchEvent::Bookmark {
                resource_version: rv.clone(),
            }))
            .is_ok()
        });
    }

    /// Forgets the history: watches from any version before now get 410 Gone, and open
    /// watches receive an in-stream 410 `ERROR` event and end.
    pub fn expire(&self) {
        let mut state = self.lock();
        state.compacted = state.resource_version;
        state.history.clear();
        for w in state.watches.drain(..) {
            let _ = w.send(Ok(WatchEvent::Error(gone())));
        }
    }

    /// Makes the next list call fail with `error`.
    pub fn fail_next_list(&self, error: rkube_client::Error) {
        self.lock().list_errors.push(error);
    }

    /// How many list calls were made.
    pub fn list_calls(&self) -> usize {
        self.lock().list_calls
    }

    /// How many watch calls were made.
    pub fn watch_calls(&self) -> usize {
        self.lock().watch_calls
    }

    /// How many watches are open.
    pub fn open_watches(&self) -> usize {
        let mut state = self.lock();
        state.watches.retain(|w| !w.is_closed());
        state.watches.len()
    }
}

impl<K: Clone> FakeState<K> {
    fn publish(&mut self, rv: u64, event: WatchEvent<K>) {
        self.watches.retain(|w| w.send(Ok(event.clone())).is_ok());
        self.history.push((rv, event));
    }
}

fn key_of<K: Object>(obj: &K) -> Key {
    let meta = obj.metadata();
    (
        meta.namespace.clone().filter(|ns| !ns.is_empty()),
        meta.name.clone().unwrap_or_default(),
    )
}

fn gone() -> Box<Status> {
    Box::new(Status {
        code: Some(410),
        reason: Some("Expired".into()),
        message: Some("too old resource version".into()),
        ..Status::default()
    })
}

impl<K: Object> ListWatch<K> for FakeApi<K> {
    fn list<'a>(
        &'a self,
        params: &'a ListParams,
    ) -> BoxFuture<'a, rkube_client::Result<ObjectList<K>>> {
        let result = (|| {
            let mut state = self.lock();
            state.list_calls += 1;
            if !state.list_errors.is_empty() {
                return Err(state.list_errors.remove(0));
            }
            // The continue token is the offset of the page; the list version is the current.
            let offset: usize = params
                .continue_token
                .as_deref()
                .and_then(|c| c.parse().ok())
                .unwrap_or(0);
            let limit = params.limit.map_or(usize::MAX, |l| l as usize);
            let items: Vec<K> = state
                .objects
                .values()
                .skip(offset)
                .take(limit)
                .cloned()
                .collect();
            let end = offset + items.len();
            let continue_ = (end < state.objects.len()).then(|| end.to_string());
            Ok(ObjectList {
                metadata: ListMeta {
                    resource_version: Some(state.resource_version.to_string()),
                    continue_,
                    ..ListMeta::default()
                },
                items,
            })
        })();
        futures::future::ready(result).boxed()
    }

    fn watch<'a>(
        &'a self,
        _params: &'a WatchParams,
        resource_version: &'a str,
    ) -> BoxFuture<'a, rkube_client::Result<BoxStream<'static, rkube_client::Result<WatchEvent<K>>>>>
    {
        let result = (|| {
            let mut state = self.lock();
            state.watch_calls += 1;
            let from: u64 = resource_version.parse().unwrap_or(0);
            if from < state.compacted {
                return Err(rkube_client::Error::Api(gone()));
            }
            let (tx, rx) = mpsc::unbounded_channel();
            for (rv, event) in &state.history {
                if *rv > from {
                    let _ = tx.send(Ok(event.clone()));
                }
            }
            state.watches.push(tx);
            let stream = futures::stream::unfold(rx, |mut rx| async move {
                rx.recv().await.map(|item| (item, rx))
            });
            Ok(stream.boxed())
        })();
        futures::future::ready(result).boxed()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reflector::{StoreBuilder, reflector};
    use crate::watcher::{Config, watcher};
    use crate::{ObjectRef, backoff::Backoff};
    use k8s_openapi::api::core::v1::ConfigMap;
    use std::time::Duration;

    fn cm(name: &str, value: &str) -> ConfigMap {
        let mut c = ConfigMap::default();
        c.metadata.name = Some(name.into());
        c.metadata.namespace = Some("ns".into());
        c.data = Some([("v".to_string(), value.to_string())].into());
        c
    }

    fn value(c: &ConfigMap) -> String {
        c.data
            .as_ref()
            .and_then(|d| d.get("v"))
            .cloned()
            .unwrap_or_default()
    }

    #[test]
    fn modify_is_read_modify_write_under_the_lock() {
        let api = FakeApi::<ConfigMap>::new();
        let stored = api.apply(cm("a", "1"));
        let rv = |c: &ConfigMap| c.metadata.resource_version.clone().unwrap();
        let changed = api
            .modify(Some("ns"), "a", |c| {
                assert_eq!(value(c), "1");
                Ok::<_, ()>(cm("a", "2"))
            })
            .unwrap()
            .unwrap();
        assert_eq!(value(&changed), "2");
        assert_ne!(rv(&changed), rv(&stored));
        assert_eq!(api.get(Some("ns"), "a").unwrap(), changed);
        // A refusal changes nothing; a missing object is `None`.
        assert_eq!(api.modify(Some("ns"), "a", |_| Err("no")), Some(Err("no")));
        assert_eq!(api.get(Some("ns"), "a").unwrap(), changed);
        assert!(
            api.modify(Some("ns"), "b", |c| Ok::<_, ()>(c.clone()))
                .is_none()
        );
    }

    /// Waits (in paused time) until `cond` holds, polling the stream that drives the store.
    async fn drive_until<S: futures::Stream + Unpin>(
        stream: &mut S,
        mut cond: impl FnMut() -> bool,
    ) {
        tokio::time::timeout(Duration::from_secs(60), async {
            while !cond() {
                stream.next().await;
            }
        })
        .await
        .expect("condition not reached");
    }

    /// The whole chain: a reflector over a watcher over the fake survives broken connections
    /// and expired versions, with pages of 2, and ends up with exactly the fake's content.
    #[tokio::test(start_paused = true)]
    async fn reflector_converges_through_disconnects_and_expiry() {
        let api = FakeApi::<ConfigMap>::new();
        for i in 0..5 {
            api.apply(cm(&format!("c{i}"), "0"));
        }
        let (store, writer) = StoreBuilder::new().with_default_indexes().build();
        let config = Config::default().page_size(Some(2)).backoff(Backoff::new(
            Duration::from_millis(10),
            Duration::from_millis(100),
        ));
        let mut events = Box::pin(reflector(writer, watcher(api.clone(), config)));
        drive_until(&mut events, || store.is_ready()).await;
        assert_eq!(store.len(), 5);
        assert_eq!(api.list_calls(), 3, "5 objects in pages of 2");

        api.apply(cm("c1", "1"));
        api.delete(Some("ns"), "c0");
        let c1 = ObjectRef::new("c1").within("ns");
        drive_until(&mut events, || {
            store.get(&c1).is_some_and(|c| value(&c) == "1")
        })
        .await;
        drive_until(&mut events, || store.len() == 4).await;

        // A dropped connection: changes made meanwhile arrive through the resumed watch,
        // without a relist.
        api.break_watches();
        api.apply(cm("c2", "2"));
        let c2 = ObjectRef::new("c2").within("ns");
        drive_until(&mut events, || {
            store.get(&c2).is_some_and(|c| value(&c) == "2")
        })
        .await;
        assert_eq!(api.list_calls(), 3);
        assert_eq!(api.watch_calls(), 2);

        // Expiry: the watcher relists, and a deletion it missed disappears from the store.
        api.expire();
        api.delete(Some("ns"), "c3");
        api.apply(cm("c9", "9"));
        let c9 = ObjectRef::new("c9").within("ns");
        drive_until(&mut events, || store.get(&c9).is_some()).await;
        assert!(store.get(&ObjectRef::new("c3").within("ns")).is_none());
        assert!(api.list_calls() > 3);
        assert_eq!(store.len(), 4);
    }
}
