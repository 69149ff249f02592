//! Expectations: the creates and deletes a controller has issued and not yet seen in its cache.
//!
//! While a ReplicaSet has pending expectations its controller does not create or delete again,
//! which is what prevents double creation when the cache lags behind the API. Creates are
//! observed when the created pod's name shows up in the cache, deletes when the pod is gone from
//! it or terminating; an expectation older than the timeout (5 minutes, as in Kubernetes) no
//! longer blocks.

use std::collections::{HashMap, HashSet};
use std::sync::Mutex;

use k8s_openapi::jiff::{SignedDuration, Timestamp};

/// How long unobserved expectations block a controller (Kubernetes' `ExpectationsTimeout`).
pub const EXPECTATIONS_TIMEOUT: SignedDuration = SignedDuration::from_secs(5 * 60);

#[derive(Debug, Clone, Default)]
struct Pending {
    /// Creates issued whose response has not come back yet.
    in_flight_creates: usize,
    /// Names (and resourceVersions, when known) of created pods not yet seen in the cache.
    created: HashMap<String, Option<u64>>,
    /// UIDs of deleted pods still in the cache (and not terminating).
    deleted: HashSet<String>,
    since: Option<Timestamp>,
}

impl Pending {
    fn is_empty(&self) -> bool {
        self.in_flight_creates == 0 && self.created.is_empty() && self.deleted.is_empty()
    }
}

/// What the cache currently shows, for observing expectations.
pub trait CacheView {
    /// Whether a pod with this name is in the cache.
    fn has_pod_named(&self, name: &str) -> bool;
    /// Whether the pod with this uid is still in the cache and not terminating.
    fn has_live_pod_uid(&self, uid: &str) -> bool;
    /// The highest resourceVersion the cache is known to have applied, if known.
    fn observed_revision(&self) -> Option<u64> {
        None
    }
}

/// Per-controller-key expectations, shared by a controller's workers.
#[derive(Debug)]
pub struct Expectations {
    pending: Mutex<HashMap<String, Pending>>,
    timeout: SignedDuration,
}

impl Default for Expectations {
    fn default() -> Self {
        Self::new()
    }
}

/// A snapshot of one key's expectations, for logs and tests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PendingCounts {
    /// Creates not yet observed (in flight or not yet in the cache).
    pub creates: usize,
    /// Deletes not yet observed.
    pub deletes: usize,
}

impl Expectations {
    /// Expectations with Kubernetes' 5 minute timeout.
    pub fn new() -> Self {
        Self::with_timeout(EXPECTATIONS_TIMEOUT)
    }

    /// Expectations with a custom timeout.
    pub fn with_timeout(timeout: SignedDuration) -> Self {
        Self {
            pending: Mutex::new(HashMap::new()),
            timeout,
        }
    }

    fn with<R>(&self, f: impl FnOnce(&mut HashMap<String, Pending>) -> R) -> R {
        let mut guard = match self.pending.lock() {
            Ok(g) => g,
            Err(poisoned) => poisoned.into_inner(),
        };
        f(&mut guard)
    }

    /// Records that `count` creates are about to be issued for `key` (replaces earlier records).
    pub fn expect_creations(&self, key: &str, count: usize, now: Timestamp) {
        self.with(|m| {
            m.insert(
                key.to_owned(),
                Pending {
                    in_flight_creates: count,
                    since: Some(now),
                    ..Default::default()
                },
            );
        });
    }

    /// A create succeeded: the pod named `name` (stored at `resource_version`) should now
    /// appear in the cache.
    pub fn creation_succeeded(&self, key: &str, name: &str, resource_version: Option<u64>) {
        self.with(|m| {
            if let Some(p) = m.get_mut(key) {
                p.in_flight_creates = p.in_flight_creates.saturating_sub(1);
                p.created.insert(name.to_owned(), resource_version);
            }
        });
    }

    /// A create failed or was skipped: nothing will appear for it.
    pub fn creation_skipped(&self, key: &str) {
        self.with(|m| {
            if let Some(p) = m.get_mut(key) {
                p.in_flight_creates = p.in_flight_creates.saturating_sub(1);
            }
        });
    }

    /// Records that the pods with these uids are about to be deleted (replaces earlier records).
    pub fn expect_deletions<I: IntoIterator<Item = String>>(
        &self,
        key: &str,
        uids: I,
        now: Timestamp,
    ) {
        self.with(|m| {
            m.insert(
                key.to_owned(),
                Pending {
                    deleted: uids.into_iter().collect(),
                    since: Some(now),
                    ..Default::default()
                },
            );
        });
    }

    /// A delete failed (or the pod was already gone): stop waiting for it.
    pub fn deletion_skipped(&self, key: &str, uid: &str) {
        self.with(|m| {
            if let Some(p) = m.get_mut(key) {
                p.deleted.remove(uid);
            }
        });
    }

    /// Forgets a key (its ReplicaSet was deleted).
    pub fn forget(&self, key: &str) {
        self.with(|m| {
            m.remove(key);
        });
    }

    /// Observes the cache, then says whether the controller may act for `key`: nothing pending,
    /// or the pending expectations are older than the timeout.
    pub fn satisfied(&self, key: &str, now: Timestamp, cache: &impl CacheView) -> bool {
        self.with(|m| {
            let Some(p) = m.get_mut(key) else {
                return true;
            };
            let observed = cache.observed_revision();
            p.created.retain(|name, rv| {
                let passed = matches!((observed, *rv), (Some(o), Some(r)) if o >= r);
                !passed && !cache.has_pod_named(name)
            });
            p.deleted.retain(|uid| cache.has_live_pod_uid(uid));
            if p.is_empty() {
                m.remove(key);
                return true;
            }
            p.since
                .is_none_or(|since| since.saturating_add(self.timeout).unwrap_or(since) <= now)
        })
    }

    /// What is still pending for `key`.
    pub fn pending(&self, key: &str) -> PendingCounts {
        self.with(|m| {
            m.get(key).map_or(
                PendingCounts {
                    creates: 0,
                    deletes: 0,
                },
                |p| PendingCounts {
                    creates: p.in_flight_creates + p.created.len(),
                    deletes: p.deleted.len(),
                },
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::ts;

    #[derive(Default)]
    struct Cache {
        names: HashSet<String>,
        live_uids: HashSet<String>,
        revision: Option<u64>,
    }

    impl CacheView for Cache {
        fn has_pod_named(&self, name: &str) -> bool {
            self.names.contains(name)
        }
        fn has_live_pod_uid(&self, uid: &str) -> bool {
            self.live_uids.contains(uid)
        }
        fn observed_revision(&self) -> Option<u64> {
            self.revision
        }
    }

    #[test]
    fn creations_block_until_seen_in_cache() {
        let e = Expectations::new();
        let mut cache = Cache::default();
        assert!(e.satisfied("ns/rs", ts(0), &cache));
        e.expect_creations("ns/rs", 3, ts(0));
        e.creation_succeeded("ns/rs", "rs-a", Some(10));
        e.creation_succeeded("ns/rs", "rs-b", Some(11));
        e.creation_skipped("ns/rs");
        assert!(!e.satisfied("ns/rs", ts(1), &cache));
        assert_eq!(
            e.pending("ns/rs"),
            PendingCounts {
                creates: 2,
                deletes: 0
            }
        );
        cache.names.insert("rs-a".into());
        assert!(!e.satisfied("ns/rs", ts(1), &cache));
        // rs-b was created and deleted again before the cache saw it: the cache moving past
        // its resourceVersion is enough.
        cache.revision = Some(10);
        assert!(!e.satisfied("ns/rs", ts(1), &cache));
        cache.revision = Some(12);
        assert!(e.satisfied("ns/rs", ts(1), &cache));
        assert_eq!(
            e.pending("ns/rs"),
            PendingCounts {
                creates: 0,
                deletes: 0
            }
        );
    }

    #[test]
    fn deletions_block_until_gone_and_expire_after_timeout() {
        let e = Expectations::new();
        let mut cache = Cache::default();
        cache.live_uids.insert("u1".into());
        cache.live_uids.insert("u2".into());
        e.expect_deletions("ns/rs", ["u1".to_owned(), "u2".to_owned()], ts(100));
        assert!(!e.satisfied("ns/rs", ts(101), &cache));
        cache.live_uids.remove("u1");
        e.deletion_skipped("ns/rs", "u2");
        assert!(e.satisfied("ns/rs", ts(101), &cache));

        e.expect_deletions("ns/rs", ["u9".to_owned()], ts(100));
        cache.live_uids.insert("u9".into());
        assert!(!e.satisfied("ns/rs", ts(100 + 299), &cache));
        assert!(e.satisfied("ns/rs", ts(100 + 300), &cache));
        e.forget("ns/rs");
        assert_eq!(e.pending("ns/rs").deletes, 0);
    }
}
