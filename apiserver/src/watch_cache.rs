//! The watch cache: one store watch per resource, fanned out to every client.
//!
//! As in kube-apiserver's cacher, each served kind has a single store watch.
//! Every change is stamped with its `resourceVersion` once (spliced into the
//! stored bytes, never decoded and re-encoded), and kept in a bounded ring of
//! recent events so that a client can resume from a recent revision. The
//! same bytes go to every watcher. Filtering by namespace uses the key;
//! labels and fields are decoded from the object only when some watcher's
//! selector needs them, once per event. A slow
//! watcher falls behind on a bounded broadcast channel and is closed (the
//! client relists); it never blocks the writer or other watchers.

use std::collections::{BTreeMap, VecDeque};
use std::sync::{Arc, Mutex, OnceLock};
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

/// One change, stamped once and shared by every watcher.
#[derive(Debug)]
pub struct CachedEvent {
    /// Put or delete.
    pub kind: EventType,
    /// Store revision of the change.
    pub revision: Revision,
    /// The object (for a delete, its last state) encoded as JSON with
    /// `resourceVersion` set to `revision`.
    pub bytes: Bytes,
    /// `metadata.namespace` (from the key; empty for cluster-scoped kinds).
    pub namespace: String,
    /// `metadata.name` (from the key).
    pub name: String,
    /// The previous version's stored bytes, if any.
    prev_bytes: Option<Bytes>,
    def: Arc<ResourceDef>,
    meta: OnceLock<ObjMeta>,
    prev_meta: OnceLock<Option<ObjMeta>>,
}

impl CachedEvent {
    /// Whether there was a previous version (an update rather than a create).
    pub fn has_prev(&self) -> bool {
        self.prev_bytes.is_some()
    }

    /// Metadata of the new (or deleted) object, decoded on first use.
    pub fn meta(&self) -> &ObjMeta {
        self.meta.get_or_init(|| self.decode_meta(&self.bytes))
    }

    /// Metadata of the previous version, if any, decoded on first use.
    pub fn prev(&self) -> Option<&ObjMeta> {
        self.prev_meta
            .get_or_init(|| self.prev_bytes.as_ref().map(|b| self.decode_meta(b)))
            .as_ref()
    }

    fn decode_meta(&self, bytes: &[u8]) -> ObjMeta {
        match serde_json::from_slice::<Value>(bytes) {
            Ok(obj) => ObjMeta::of(&self.def, &obj),
            Err(_) => ObjMeta {
                namespace: self.namespace.clone(),
                name: self.name.clone(),
                ..ObjMeta::default()
            },
        }
    }
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
    prefix: String,
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
        let prefix = crate::keys::collection_prefix(&def, None);
        let cache = Arc::new(Self {
            def,
            prefix: prefix.clone(),
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
        let Some(bytes) = object::with_resource_version(&ev.kv.value, revision) else {
            tracing::error!(key = %ev.kv.key, "watch cache: undecodable object in store");
            return;
        };
        // `<prefix><namespace>/<name>` or `<prefix><name>`.
        let rest = ev.kv.key.strip_prefix(&self.prefix).unwrap_or(&ev.kv.key);
        let (namespace, name) = match rest.split_once('/') {
            Some((ns, name)) if self.def.namespaced => (ns.to_string(), name.to_string()),
            _ => (String::new(), rest.to_string()),
        };
        let cached = Arc::new(CachedEvent {
            kind: ev.kind,
            revision,
            bytes: Bytes::from(bytes),
            namespace,
            name,
            prev_bytes: ev.prev.map(|p| p.value),
            def: self.def.clone(),
            meta: OnceLock::new(),
            prev_meta: OnceLock::new(),
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
