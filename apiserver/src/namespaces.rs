//! Namespace lifecycle admission from a cache.
//!
//! Every create into a namespace must know whether the namespace exists and
//! whether it is terminating. Reading the store for that would double the
//! store round trips of every create, so, like kube-apiserver's
//! NamespaceLifecycle admission plugin with its informer, we keep a map of
//! namespace → terminating fed by the namespaces' watch cache. A namespace the
//! map does not know yet (just created, cache lagging) is looked up in the
//! store, so a create right after its namespace's create never fails.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use api_types::registry::ResourceDef;
use serde_json::Value;
use storage::{EventType, Store};

use crate::object;
use crate::watch_cache::WatchCache;

/// Known namespaces and whether each is terminating.
pub struct NamespaceLifecycle {
    states: RwLock<HashMap<String, bool>>,
}

impl NamespaceLifecycle {
    /// Start following the namespaces' watch cache.
    pub fn start(
        def: Arc<ResourceDef>,
        store: Arc<dyn Store>,
        cache: Arc<WatchCache>,
    ) -> Arc<Self> {
        let me = Arc::new(Self {
            states: RwLock::new(HashMap::new()),
        });
        let weak = Arc::downgrade(&me);
        tokio::spawn(async move {
            let prefix = crate::keys::collection_prefix(&def, None);
            loop {
                let Ok(list) = store.list(&prefix, Default::default()).await else {
                    tokio::time::sleep(Duration::from_millis(200)).await;
                    continue;
                };
                let Some(me) = weak.upgrade() else { return };
                {
                    let mut states = me.states.write().expect("namespace cache lock");
                    states.clear();
                    for kv in &list.items {
                        if let Ok(v) = serde_json::from_slice::<Value>(&kv.value) {
                            states.insert(object::name(&v).to_string(), object::is_deleting(&v));
                        }
                    }
                }
                let Ok(sub) = cache.subscribe(list.revision) else {
                    drop(me);
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                };
                let mut last = list.revision;
                let apply = |me: &Self, ev: &crate::watch_cache::CachedEvent| {
                    let mut states = me.states.write().expect("namespace cache lock");
                    match ev.kind {
                        EventType::Delete => {
                            states.remove(&ev.name);
                        }
                        EventType::Put => {
                            let terminating = serde_json::from_slice::<Value>(&ev.bytes)
                                .map(|v| object::is_deleting(&v))
                                .unwrap_or(false);
                            states.insert(ev.name.clone(), terminating);
                        }
                    }
                };
                for ev in sub.backlog {
                    if ev.revision > last {
                        last = ev.revision;
                        apply(&me, &ev);
                    }
                }
                drop(me);
                let mut live = sub.live;
                // Lagged or closed: relist.
                while let Ok(ev) = live.recv().await {
                    let Some(me) = weak.upgrade() else { return };
                    if ev.revision > last {
                        last = ev.revision;
                        apply(&me, &ev);
                    }
                }
                if weak.strong_count() == 0 {
                    return;
                }
            }
        });
        me
    }

    /// Record a change this server just wrote, ahead of the watch cache, so
    /// that its own next request sees it.
    pub fn record(&self, name: &str, terminating: Option<bool>) {
        let mut states = self.states.write().expect("namespace cache lock");
        match terminating {
            Some(t) => {
                states.insert(name.to_string(), t);
            }
            None => {
                states.remove(name);
            }
        }
    }

    /// `Some(terminating)` if the namespace is known, `None` if the cache
    /// has not seen it (ask the store).
    pub fn lookup(&self, name: &str) -> Option<bool> {
        self.states
            .read()
            .expect("namespace cache lock")
            .get(name)
            .copied()
    }
}
