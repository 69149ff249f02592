//! The watch cache: one store watch per resource, fanned out to every client.
//!
//! As in kube-apiserver's cacher, each served kind has a single store watch.
//! Every change is decoded once, stamped with its `resourceVersion`, encoded
//! once, and kept in a bounded ring of recent events so that a client can
//! resume from a recent revision. Filtering by namespace, labels and fields
//! happens per watcher on the cached event's pre-extracted metadata. A slow
//! watcher falls behind on a bounded broadcast channel and is closed (the
//! client relists); it never blocks the writer or other watchers.

use std::collections::{BTreeMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use api_types::registry::ResourceDef;
use bytes::Bytes;
use futures::StreamExt;
use serde_json::Value;
use storage::{EventType, Revision, Store, StoreError};
use tokio::sync::broadcast;

use crate::object;

/// Metadata of one object version, extracted once for filtering.
#[derive(Debug, Clone, Default)]
pub struct ObjMeta {
    /// `metadata.namespace`.
    pub namespace: String,
    /// `metadata.name`.
    pub name: String,
    /// `metadata.labels`.
    pub labels: BTreeMap<String, String>,
    /// Values of the kind's selectable fields.
    pub fields: Vec<(&'static str, String)>,
}

impl ObjMeta {
    /// Extract from a decoded object.
    pub fn of(def: &ResourceDef, obj: &Value) -> Self {
        let fields = def
            .hooks
            .selectable_fields()
            .iter()
            .map(|f| (*f, def.hooks.field_value(obj, f).unwrap_or_default()))
            .collect();
        Self {
            namespace: object::namespace(obj).to_string(),
            name: object::name(obj).to_string(),
            labels: object::labels(obj),
            fields,
        }
    }

    /// The value of a field for field selectors.
    pub fn field(&self, field: &str) -> Option<String> {
        match field {
            "metadata.name" => Some(self.name.clone()),
            "metadata.namespace" => Some(self.namespace.clone()),
            _ => self
                .fields
                .iter()
                .find(|(f, _)| *f == field)
                .map(|(_, v)| v.clone()),
        }
    }
}

/// One change, decoded and encoded once.
#[derive(Debug)]
pub struct CachedEvent {
    /// Put or delete.
    pub kind: EventType,
    /// Store revision of the change.
    pub revision: Revision,
    /// The object (for a delete, its last state) encoded as JSON with
    /// `resourceVersion` set to `revision`.
    pub bytes: Bytes,
    /// Metadata of the new (or deleted) object.
    pub meta: ObjMeta,
    /// Metadata of the previous version, if any.
    pub prev: Option<ObjMeta>,
}

/// Why a watcher could not be started.
#[derive(Debug, thiserror::Error)]
pub enum CacheError {
    /// The requested revision is older than the cache's history.
    #[error("too old resource version: {requested} ({oldest})")]
    Expired {
        /// Requested revision.
        requested: Revision,
        /// Oldest revision from which the cache can replay.
        oldest: Revision,
    },
}

struct Inner {
    ring: VecDeque<Arc<CachedEvent>>,
    /// Events with revision > `complete_after` are all in `ring` (or still to come).
    complete_after: Revision,
    /// The latest revision this cache has processed.
    revision: Revision,
    tx: broadcast::Sender<Arc<CachedEvent>>,
}

/// A watcher's starting point: past events to replay, then a live receiver.
pub struct Subscription {
    /// Events after the requested revision already in the cache.
    pub backlog: Vec<Arc<CachedEvent>>,
    /// Live events (may repeat some of `backlog`: skip revisions already seen).
    pub live: broadcast::Receiver<Arc<CachedEvent>>,
}

/// The watch cache of one resource.
pub struct WatchCache {
    def: Arc<ResourceDef>,
    inner: Mutex<Inner>,
    capacity: usize,
    channel: usize,
}

impl WatchCache {
    /// Start a cache for `def` fed from `store` beginning at `start`
    /// (normally the store's current revision).
    pub fn start(
        def: Arc<ResourceDef>,
        store: Arc<dyn Store>,
        start: Revision,
        capacity: usize,
        channel: usize,
    ) -> Arc<Self> {
        let (tx, _) = broadcast::channel(channel.max(16));
        let cache = Arc::new(Self {
            def,
            inner: Mutex::new(Inner {
                ring: VecDeque::with_capacity(capacity.min(1024)),
                complete_after: start,
                revision: start,
                tx,
            }),
            capacity: capacity.max(1),
            channel: channel.max(16),
        });
        let weak = Arc::downgrade(&cache);
        let prefix = crate::keys::collection_prefix(&cache.def, None);
        tokio::spawn(async move {
            let mut from = start;
            let mut backoff = Duration::from_millis(50);
            loop {
                let stream = store.watch(&prefix, from).await;
                let mut stream = match stream {
                    Ok(s) => s,
                    Err(StoreError::Expired { .. }) => {
                        let Some(cache) = weak.upgrade() else { return };
                        from = store.current_revision().await.unwrap_or(from);
                        cache.reset(from);
                        continue;
                    }
                    Err(e) => {
                        tracing::warn!(%prefix, error = %e, "watch cache: store watch failed; retrying");
                        tokio::time::sleep(backoff).await;
                        backoff = (backoff * 2).min(Duration::from_secs(5));
                        if weak.strong_count() == 0 {
                            return;
                        }
                        continue;
                    }
                };
                backoff = Duration::from_millis(50);
                while let Some(item) = stream.next().await {
                    let Some(cache) = weak.upgrade() else { return };
                    match item {
                        Ok(ev) => {
                            from = ev.revision();
                            cache.apply(ev);
                        }
                        Err(StoreError::Expired { .. }) => {
                            from = store.current_revision().await.unwrap_or(from);
                            cache.reset(from);
                            break;
                        }
                        Err(e) => {
                            tracing::warn!(%prefix, error = %e, "watch cache: store watch error");
                            break;
                        }
                    }
                }
                if weak.strong_count() == 0 {
                    return;
                }
            }
        });
        cache
    }

    fn apply(&self, ev: storage::Event) {
        let revision = ev.revision();
        let Ok(mut obj) = serde_json::from_slice::<Value>(&ev.kv.value) else {
            tracing::error!(key = %ev.kv.key, "watch cache: undecodable object in store");
            return;
        };
        object::set_resource_version(&mut obj, revision);
        let meta = ObjMeta::of(&self.def, &obj);
        let prev = ev.prev.as_ref().and_then(|p| {
            serde_json::from_slice::<Value>(&p.value)
                .ok()
                .map(|v| ObjMeta::of(&self.def, &v))
        });
        let bytes = Bytes::from(serde_json::to_vec(&obj).unwrap_or_default());
        let cached = Arc::new(CachedEvent {
            kind: ev.kind,
            revision,
            bytes,
            meta,
            prev,
        });
        let mut inner = self.inner.lock().expect("watch cache lock");
        if revision <= inner.revision {
            return;
        }
        if inner.ring.len() >= self.capacity {
            if let Some(old) = inner.ring.pop_front() {
                inner.complete_after = old.revision;
            }
        }
        inner.ring.push_back(cached.clone());
        inner.revision = revision;
        let _ = inner.tx.send(cached);
    }

    /// The store lost history we had not seen: drop everything, close every
    /// watcher (they relist), and continue from `revision`.
    fn reset(&self, revision: Revision) {
        let mut inner = self.inner.lock().expect("watch cache lock");
        inner.ring.clear();
        inner.complete_after = revision;
        inner.revision = revision;
        let (tx, _) = broadcast::channel(self.channel);
        inner.tx = tx;
    }

    /// Subscribe to events after `after`.
    pub fn subscribe(&self, after: Revision) -> Result<Subscription, CacheError> {
        let inner = self.inner.lock().expect("watch cache lock");
        if after < inner.complete_after {
            return Err(CacheError::Expired {
                requested: after,
                oldest: inner.complete_after,
            });
        }
        let backlog = inner
            .ring
            .iter()
            .filter(|e| e.revision > after)
            .cloned()
            .collect();
        Ok(Subscription {
            backlog,
            live: inner.tx.subscribe(),
        })
    }
}
