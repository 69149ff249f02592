//! The conformance suite every [`Store`] backend passes.
//!
//! Each check is a public async function that takes a fresh, empty store
//! (a new directory for the embedded store, a unique key prefix for etcd) and
//! panics with a message when the store misbehaves. The checks only assume
//! what the [`Store`] contract says: revisions are compared, never counted, so
//! they hold on an etcd shared with concurrent writers.
//!
//! [`conformance_tests!`](crate::conformance_tests) generates one
//! `#[tokio::test]` per check from a fixture expression:
//!
//! ```text
//! async fn fixture() -> storage::conformance::Fixture {
//!     let dir = tempfile::tempdir().unwrap();
//!     let store = storage::open_embedded(dir.path()).unwrap();
//!     (store, Box::new(dir))
//! }
//! storage::conformance_tests!(fixture());
//! ```
//!
//! Compaction in etcd is global, so the compaction check takes
//! [`exclusive_access`] and every other check [`shared_access`]; the macro
//! does this for you.

use std::any::Any;
use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use futures::StreamExt;
use tokio::sync::{RwLock, RwLockReadGuard, RwLockWriteGuard};

use crate::{EventType, KeyValue, ListOptions, Revision, Store, StoreError, TxnOp, WatchStream};

/// A store under test, and whatever must live as long as it (a temporary
/// directory, for instance).
pub type Fixture = (Arc<dyn Store>, Box<dyn Any + Send>);

/// How long a check waits for a watch event before failing.
pub const EVENT_TIMEOUT: Duration = Duration::from_secs(10);

static COMPACTION: RwLock<()> = RwLock::const_new(());

/// Taken by checks that may run beside each other.
pub async fn shared_access() -> RwLockReadGuard<'static, ()> {
    COMPACTION.read().await
}

/// Taken by checks that compact (which, on etcd, affects every key).
pub async fn exclusive_access() -> RwLockWriteGuard<'static, ()> {
    COMPACTION.write().await
}

/// Generates one `#[tokio::test]` per conformance check. The argument is an
/// expression evaluating to a future of a [`Fixture`]; it is evaluated once
/// per test.
#[macro_export]
macro_rules! conformance_tests {
    ($fixture:expr) => {
        $crate::conformance_tests!(@shared $fixture;
            get_and_create,
            update_compare_and_swap,
            delete_with_precondition,
            txn_all_or_nothing,
            revisions_strictly_increase,
            list_and_paginate,
            list_at_past_revision,
            watch_replays_history,
            watch_from_current_sees_only_new,
            concurrent_watchers,
            prefix_isolation,
            concurrent_cas_one_winner,
            edge_cases,
            large_values_and_lists,
        );
        $crate::conformance_tests!(@exclusive $fixture; compaction_expires);
    };
    (@shared $fixture:expr; $($name:ident),* $(,)?) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() {
                let _guard = $crate::conformance::shared_access().await;
                let (store, _keep) = ($fixture).await;
                $crate::conformance::$name(store).await;
            }
        )*
    };
    (@exclusive $fixture:expr; $($name:ident),* $(,)?) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() {
                let _guard = $crate::conformance::exclusive_access().await;
                let (store, _keep) = ($fixture).await;
                $crate::conformance::$name(store).await;
            }
        )*
    };
}

const PODS: &str = "/registry/pods/";

fn b(s: &str) -> Bytes {
    Bytes::copy_from_slice(s.as_bytes())
}

fn pod(name: &str) -> String {
    format!("{PODS}default/{name}")
}

/// The next event of `w`, failing on an error, the end of the stream or
/// [`EVENT_TIMEOUT`].
pub async fn next_event(w: &mut WatchStream) -> crate::Event {
    match tokio::time::timeout(EVENT_TIMEOUT, w.next()).await {
        Ok(Some(Ok(e))) => e,
        Ok(Some(Err(e))) => panic!("watch failed: {e}"),
        Ok(None) => panic!("watch ended unexpectedly"),
        Err(_) => panic!("no watch event within {EVENT_TIMEOUT:?}"),
    }
}

/// Create, get, and a second create of the same key.
pub async fn get_and_create(store: Arc<dyn Store>) {
    let k = pod("a");
    assert_eq!(store.get(&k).await.expect("get"), None);
    let kv = store.create(&k, b("v1")).await.expect("create");
    assert_eq!(kv.key, k);
    assert_eq!(kv.value, b("v1"));
    assert!(kv.mod_revision > 0);
    assert_eq!(kv.create_revision, kv.mod_revision);
    assert_eq!(store.get(&k).await.expect("get"), Some(kv.clone()));
    match store.create(&k, b("v2")).await {
        Err(StoreError::AlreadyExists(key)) => assert_eq!(key, k),
        other => panic!("second create: expected AlreadyExists, got {other:?}"),
    }
    assert_eq!(store.get(&k).await.expect("get"), Some(kv));

    // Values are opaque bytes, of any size.
    let binary: Bytes = (0..=255u8).cycle().take(100_000).collect();
    let kb = store
        .create(&pod("binary"), binary.clone())
        .await
        .expect("create");
    assert_eq!(kb.value, binary);
    let got = store
        .get(&pod("binary"))
        .await
        .expect("get")
        .expect("present");
    assert_eq!(got.value, binary);
}

/// Update succeeds only at the expected revision; a conflict carries the
/// current value; a missing key is `NotFound`.
pub async fn update_compare_and_swap(store: Arc<dyn Store>) {
    let k = pod("a");
    let kv1 = store.create(&k, b("v1")).await.expect("create");
    let kv2 = store
        .update(&k, kv1.mod_revision, b("v2"))
        .await
        .expect("update");
    assert_eq!(kv2.key, k);
    assert_eq!(kv2.value, b("v2"));
    assert!(kv2.mod_revision > kv1.mod_revision);
    assert_eq!(kv2.create_revision, kv1.create_revision);
    assert_eq!(store.get(&k).await.expect("get"), Some(kv2.clone()));

    match store.update(&k, kv1.mod_revision, b("v3")).await {
        Err(StoreError::Conflict { key, current }) => {
            assert_eq!(key, k);
            assert_eq!(current.as_deref(), Some(&kv2));
        }
        other => panic!("stale update: expected Conflict, got {other:?}"),
    }
    match store
        .update(&pod("missing"), kv1.mod_revision, b("x"))
        .await
    {
        Err(StoreError::NotFound(key)) => assert_eq!(key, pod("missing")),
        other => panic!("update of a missing key: expected NotFound, got {other:?}"),
    }
    assert_eq!(store.get(&pod("missing")).await.expect("get"), None);
    assert_eq!(store.get(&k).await.expect("get"), Some(kv2));
}

/// Delete with and without a precondition.
pub async fn delete_with_precondition(store: Arc<dyn Store>) {
    let k = pod("a");
    let kv = store.create(&k, b("v1")).await.expect("create");
    match store.delete(&k, Some(kv.mod_revision + 1_000_000)).await {
        Err(StoreError::Conflict { key, current }) => {
            assert_eq!(key, k);
            assert_eq!(current.as_deref(), Some(&kv));
        }
        other => panic!("delete at a wrong revision: expected Conflict, got {other:?}"),
    }
    assert_eq!(store.get(&k).await.expect("get"), Some(kv.clone()));

    let gone = store
        .delete(&k, Some(kv.mod_revision))
        .await
        .expect("delete");
    assert_eq!(gone.key, k);
    assert_eq!(gone.value, kv.value, "a delete returns the last value");
    assert_eq!(gone.create_revision, kv.create_revision);
    assert!(gone.mod_revision > kv.mod_revision);
    assert_eq!(store.get(&k).await.expect("get"), None);
    assert!(matches!(
        store.delete(&k, None).await,
        Err(StoreError::NotFound(_))
    ));
    assert!(matches!(
        store.delete(&k, Some(kv.mod_revision)).await,
        Err(StoreError::NotFound(_))
    ));

    let k2 = pod("b");
    let kv2 = store.create(&k2, b("x")).await.expect("create");
    let gone2 = store.delete(&k2, None).await.expect("delete");
    assert_eq!(gone2.value, kv2.value);
    assert!(gone2.mod_revision > gone.mod_revision);
    assert_eq!(store.get(&k2).await.expect("get"), None);
}

/// A transaction applies all its operations at one revision, or none.
pub async fn txn_all_or_nothing(store: Arc<dyn Store>) {
    let a = store.create(&pod("a"), b("a1")).await.expect("create");
    let r = store
        .txn(vec![
            TxnOp::Create {
                key: pod("b"),
                value: b("b1"),
            },
            TxnOp::Update {
                key: pod("a"),
                expected: a.mod_revision,
                value: b("a2"),
            },
        ])
        .await
        .expect("txn");
    assert_eq!(r.len(), 2);
    assert_eq!(r[0].key, pod("b"));
    assert_eq!(r[0].value, b("b1"));
    assert_eq!(r[1].key, pod("a"));
    assert_eq!(r[1].value, b("a2"));
    assert_eq!(r[1].create_revision, a.create_revision);
    assert_eq!(r[0].mod_revision, r[1].mod_revision, "one revision per txn");
    assert!(r[0].mod_revision > a.mod_revision);
    let (b1, a2) = (r[0].clone(), r[1].clone());

    // A stale update fails the whole transaction.
    match store
        .txn(vec![
            TxnOp::Create {
                key: pod("c"),
                value: b("c1"),
            },
            TxnOp::Update {
                key: pod("a"),
                expected: a.mod_revision,
                value: b("a3"),
            },
        ])
        .await
    {
        Err(StoreError::Conflict { key, current }) => {
            assert_eq!(key, pod("a"));
            assert_eq!(current.as_deref(), Some(&a2));
        }
        other => panic!("expected Conflict, got {other:?}"),
    }
    assert_eq!(store.get(&pod("c")).await.expect("get"), None);
    assert_eq!(store.get(&pod("a")).await.expect("get"), Some(a2.clone()));

    // So does a create of an existing key, or a delete of a missing one.
    match store
        .txn(vec![
            TxnOp::Create {
                key: pod("d"),
                value: b("d1"),
            },
            TxnOp::Create {
                key: pod("a"),
                value: b("again"),
            },
        ])
        .await
    {
        Err(StoreError::AlreadyExists(key)) => assert_eq!(key, pod("a")),
        other => panic!("expected AlreadyExists, got {other:?}"),
    }
    assert_eq!(store.get(&pod("d")).await.expect("get"), None);
    match store
        .txn(vec![
            TxnOp::Create {
                key: pod("f"),
                value: b("f1"),
            },
            TxnOp::Delete {
                key: pod("missing"),
                expected: None,
            },
        ])
        .await
    {
        Err(StoreError::NotFound(key)) => assert_eq!(key, pod("missing")),
        other => panic!("expected NotFound, got {other:?}"),
    }
    assert_eq!(store.get(&pod("f")).await.expect("get"), None);

    // Delete and create together.
    let r = store
        .txn(vec![
            TxnOp::Delete {
                key: pod("b"),
                expected: Some(b1.mod_revision),
            },
            TxnOp::Create {
                key: pod("e"),
                value: b("e1"),
            },
        ])
        .await
        .expect("txn");
    assert_eq!(r[0].key, pod("b"));
    assert_eq!(r[0].value, b("b1"));
    assert_eq!(r[0].mod_revision, r[1].mod_revision);
    assert!(r[0].mod_revision > b1.mod_revision);
    assert_eq!(store.get(&pod("b")).await.expect("get"), None);
    assert_eq!(store.get(&pod("e")).await.expect("get"), Some(r[1].clone()));
}

/// Every write gets a revision above every earlier one, whatever the key.
pub async fn revisions_strictly_increase(store: Arc<dyn Store>) {
    let mut last = 0;
    let mut kvs = Vec::new();
    for i in 0..10 {
        let kv = store
            .create(&pod(&format!("p{i}")), b("v"))
            .await
            .expect("create");
        assert!(kv.mod_revision > last, "{} after {last}", kv.mod_revision);
        last = kv.mod_revision;
        kvs.push(kv);
    }
    for kv in kvs.iter().rev() {
        let up = store
            .update(&kv.key, kv.mod_revision, b("w"))
            .await
            .expect("update");
        assert!(up.mod_revision > last);
        last = up.mod_revision;
        let del = store.delete(&kv.key, None).await.expect("delete");
        assert!(del.mod_revision > last);
        last = del.mod_revision;
    }
    assert!(store.current_revision().await.expect("revision") >= last);
}

/// List in key order, with pagination.
pub async fn list_and_paginate(store: Arc<dyn Store>) {
    let mut last = 0;
    for i in (0..10).rev() {
        last = store
            .create(&pod(&format!("p{i:02}")), b(&format!("v{i}")))
            .await
            .expect("create")
            .mod_revision;
    }
    store
        .create("/registry/podsx/default/x", b("x"))
        .await
        .expect("create");
    store.create("/registry/pod", b("x")).await.expect("create");

    let all = store
        .list(PODS, ListOptions::default())
        .await
        .expect("list");
    let keys: Vec<_> = all.items.iter().map(|kv| kv.key.clone()).collect();
    let want: Vec<_> = (0..10).map(|i| pod(&format!("p{i:02}"))).collect();
    assert_eq!(keys, want);
    assert!(!all.more);
    assert!(all.revision >= last);
    for (i, kv) in all.items.iter().enumerate() {
        assert_eq!(kv.value, b(&format!("v{i}")));
    }

    let mut pages = Vec::new();
    let mut start_after = None;
    loop {
        let page = store
            .list(
                PODS,
                ListOptions {
                    start_after: start_after.clone(),
                    limit: Some(3),
                    revision: None,
                },
            )
            .await
            .expect("list page");
        pages.push((page.items.len(), page.more));
        start_after = page.items.last().map(|kv| kv.key.clone());
        if !page.more {
            break;
        }
    }
    assert_eq!(pages, vec![(3, true), (3, true), (3, true), (1, false)]);

    let exact = store
        .list(
            PODS,
            ListOptions {
                limit: Some(10),
                ..Default::default()
            },
        )
        .await
        .expect("list");
    assert_eq!(exact.items.len(), 10);
    assert!(!exact.more);

    let rest = store
        .list(
            PODS,
            ListOptions {
                start_after: Some(pod("p06")),
                ..Default::default()
            },
        )
        .await
        .expect("list");
    let keys: Vec<_> = rest.items.iter().map(|kv| kv.key.clone()).collect();
    assert_eq!(keys, want[7..].to_vec());

    let empty = store
        .list("/registry/none/", ListOptions::default())
        .await
        .expect("list");
    assert!(empty.items.is_empty());
    assert!(!empty.more);
    assert!(empty.revision >= last);
}

/// A list at a past revision sees the keys as they were then.
pub async fn list_at_past_revision(store: Arc<dyn Store>) {
    let a1 = store.create(&pod("a"), b("a1")).await.expect("create");
    let b1 = store.create(&pod("b"), b("b1")).await.expect("create");
    let r1 = b1.mod_revision;
    store
        .update(&pod("a"), a1.mod_revision, b("a2"))
        .await
        .expect("update");
    store.delete(&pod("b"), None).await.expect("delete");
    store.create(&pod("c"), b("c1")).await.expect("create");

    let then = store
        .list(
            PODS,
            ListOptions {
                revision: Some(r1),
                ..Default::default()
            },
        )
        .await
        .expect("list at r1");
    assert_eq!(then.revision, r1);
    assert_eq!(then.items, vec![a1.clone(), b1.clone()]);
    assert!(!then.more);

    let first = store
        .list(
            PODS,
            ListOptions {
                revision: Some(r1),
                limit: Some(1),
                ..Default::default()
            },
        )
        .await
        .expect("list page");
    assert_eq!(first.items, vec![a1.clone()]);
    assert!(first.more);
    let second = store
        .list(
            PODS,
            ListOptions {
                revision: Some(r1),
                limit: Some(1),
                start_after: Some(pod("a")),
            },
        )
        .await
        .expect("list page");
    assert_eq!(second.items, vec![b1]);
    assert!(!second.more);

    let before_b = store
        .list(
            PODS,
            ListOptions {
                revision: Some(a1.mod_revision),
                ..Default::default()
            },
        )
        .await
        .expect("list at a1");
    assert_eq!(before_b.items, vec![a1]);

    let now = store
        .list(PODS, ListOptions::default())
        .await
        .expect("list");
    let values: Vec<_> = now.items.iter().map(|kv| kv.value.clone()).collect();
    assert_eq!(values, vec![b("a2"), b("c1")]);
}

/// A watch from a past revision replays every later event in order, with
/// previous values, then continues live.
pub async fn watch_replays_history(store: Arc<dyn Store>) {
    let r0 = store.current_revision().await.expect("revision");
    let a1 = store.create(&pod("a"), b("a1")).await.expect("create");
    let a2 = store
        .update(&pod("a"), a1.mod_revision, b("a2"))
        .await
        .expect("update");
    let del = store.delete(&pod("a"), None).await.expect("delete");
    let t = store
        .txn(vec![
            TxnOp::Create {
                key: pod("t1"),
                value: b("t1"),
            },
            TxnOp::Create {
                key: pod("t2"),
                value: b("t2"),
            },
        ])
        .await
        .expect("txn");

    let mut w = store.watch(PODS, r0).await.expect("watch");
    let e = next_event(&mut w).await;
    assert_eq!(e.kind, EventType::Put);
    assert_eq!(e.kv, a1);
    assert_eq!(e.prev, None);
    let e = next_event(&mut w).await;
    assert_eq!(e.kind, EventType::Put);
    assert_eq!(e.kv, a2);
    assert_eq!(e.prev.as_ref(), Some(&a1));
    let e = next_event(&mut w).await;
    assert_eq!(e.kind, EventType::Delete);
    assert_eq!(e.kv.key, pod("a"));
    assert_eq!(e.kv.value, b("a2"), "a delete event carries the last value");
    assert_eq!(e.kv.mod_revision, del.mod_revision);
    assert_eq!(e.revision(), del.mod_revision);
    assert_eq!(e.prev.as_ref(), Some(&a2));
    let e1 = next_event(&mut w).await;
    let e2 = next_event(&mut w).await;
    assert_eq!((e1.kv.clone(), e2.kv.clone()), (t[0].clone(), t[1].clone()));
    assert_eq!(e1.revision(), e2.revision());

    let c = store.create(&pod("c"), b("c1")).await.expect("create");
    let e = next_event(&mut w).await;
    assert_eq!(e.kv, c);
    assert_eq!(e.kind, EventType::Put);

    // From the middle of the history.
    let mut w = store.watch(PODS, a2.mod_revision).await.expect("watch");
    let e = next_event(&mut w).await;
    assert_eq!(
        (e.kind, e.revision()),
        (EventType::Delete, del.mod_revision)
    );
}

/// A watch from the current revision sees only later events.
pub async fn watch_from_current_sees_only_new(store: Arc<dyn Store>) {
    let a = store.create(&pod("a"), b("a1")).await.expect("create");
    let a2 = store
        .update(&pod("a"), a.mod_revision, b("a2"))
        .await
        .expect("update");
    let mut w = store.watch(PODS, a2.mod_revision).await.expect("watch");
    let now = store.current_revision().await.expect("revision");
    let mut w2 = store.watch(PODS, now).await.expect("watch");
    let c = store.create(&pod("c"), b("c1")).await.expect("create");
    assert_eq!(next_event(&mut w).await.kv, c);
    assert_eq!(next_event(&mut w2).await.kv, c);
    let d = store.delete(&pod("a"), None).await.expect("delete");
    let e = next_event(&mut w).await;
    assert_eq!((e.kind, e.revision()), (EventType::Delete, d.mod_revision));
}

/// Several watchers, some opened while writes are under way, all see every
/// event once, in revision order.
pub async fn concurrent_watchers(store: Arc<dyn Store>) {
    const WRITES: usize = 40;
    let r0 = store.current_revision().await.expect("revision");
    let mut watchers = Vec::new();
    for _ in 0..3 {
        watchers.push(store.watch(PODS, r0).await.expect("watch"));
    }
    let writers: Vec<_> = (0..WRITES)
        .map(|i| {
            let store = store.clone();
            tokio::spawn(async move {
                store
                    .create(&pod(&format!("p{i}")), b("v"))
                    .await
                    .expect("create")
            })
        })
        .collect();
    for _ in 0..2 {
        watchers.push(store.watch(PODS, r0).await.expect("watch"));
    }
    let mut written = BTreeSet::new();
    for w in writers {
        let kv = w.await.expect("writer task");
        written.insert((kv.mod_revision, kv.key));
    }
    let readers: Vec<_> = watchers
        .into_iter()
        .map(|mut w| {
            tokio::spawn(async move {
                let mut seen = Vec::new();
                for _ in 0..WRITES {
                    let e = next_event(&mut w).await;
                    seen.push((e.revision(), e.kv.key));
                }
                seen
            })
        })
        .collect();
    for r in readers {
        let seen = r.await.expect("reader task");
        assert!(
            seen.windows(2).all(|p| p[0].0 < p[1].0),
            "events out of order: {seen:?}"
        );
        assert_eq!(seen.into_iter().collect::<BTreeSet<_>>(), written);
    }
}

/// `/registry/pods/` never sees `/registry/podsx/`.
pub async fn prefix_isolation(store: Arc<dyn Store>) {
    let r0 = store.current_revision().await.expect("revision");
    let a = store.create(&pod("a"), b("a")).await.expect("create");
    let x = store
        .create("/registry/podsx/default/x", b("x"))
        .await
        .expect("create");
    store
        .create("/registry/pods", b("p"))
        .await
        .expect("create");
    let list = store
        .list(PODS, ListOptions::default())
        .await
        .expect("list");
    assert_eq!(list.items, vec![a.clone()]);
    let listx = store
        .list("/registry/podsx/", ListOptions::default())
        .await
        .expect("list");
    assert_eq!(listx.items, vec![x]);

    let mut w = store.watch(PODS, r0).await.expect("watch");
    let mut wx = store.watch("/registry/podsx/", r0).await.expect("watch");
    assert_eq!(next_event(&mut w).await.kv, a);
    store
        .create("/registry/podsx/default/y", b("y"))
        .await
        .expect("create");
    let d = store.create(&pod("d"), b("d")).await.expect("create");
    assert_eq!(next_event(&mut w).await.kv, d);
    assert_eq!(
        next_event(&mut wx).await.kv.key,
        "/registry/podsx/default/x"
    );
    assert_eq!(
        next_event(&mut wx).await.kv.key,
        "/registry/podsx/default/y"
    );
}

/// Of many concurrent updates at the same revision, exactly one wins.
pub async fn concurrent_cas_one_winner(store: Arc<dyn Store>) {
    let kv = store.create(&pod("a"), b("v0")).await.expect("create");
    let tasks: Vec<_> = (0..8)
        .map(|i| {
            let store = store.clone();
            let rev = kv.mod_revision;
            tokio::spawn(async move { store.update(&pod("a"), rev, b(&format!("w{i}"))).await })
        })
        .collect();
    let mut winners: Vec<KeyValue> = Vec::new();
    let mut conflicts = 0;
    for t in tasks {
        match t.await.expect("task") {
            Ok(kv) => winners.push(kv),
            Err(StoreError::Conflict { .. }) => conflicts += 1,
            Err(e) => panic!("unexpected error: {e}"),
        }
    }
    assert_eq!(winners.len(), 1, "exactly one update wins");
    assert_eq!(conflicts, 7);
    assert_eq!(store.get(&pod("a")).await.expect("get"), winners.pop());
}

/// A list and a watch replay of several megabytes come back whole.
pub async fn large_values_and_lists(store: Arc<dyn Store>) {
    const KEYS: usize = 48;
    let r0 = store.current_revision().await.expect("revision");
    let value: Bytes = (0..=255u8).cycle().take(200_000).collect();
    let writes: Vec<_> = (0..KEYS)
        .map(|i| {
            let store = store.clone();
            let value = value.clone();
            tokio::spawn(async move {
                store
                    .create(&pod(&format!("big{i:02}")), value)
                    .await
                    .expect("create")
            })
        })
        .collect();
    for w in writes {
        w.await.expect("writer task");
    }
    let list = store
        .list(PODS, ListOptions::default())
        .await
        .expect("list of ~10 MB");
    assert_eq!(list.items.len(), KEYS);
    assert!(list.items.iter().all(|kv| kv.value == value));
    let mut w = store.watch(PODS, r0).await.expect("watch");
    for _ in 0..KEYS {
        assert_eq!(next_event(&mut w).await.kv.value, value);
    }
}

/// Empty transactions, duplicate keys, future revisions, `Some(0)`.
pub async fn edge_cases(store: Arc<dyn Store>) {
    let a = store.create(&pod("a"), b("a")).await.expect("create");
    assert_eq!(store.txn(Vec::new()).await.expect("empty txn"), Vec::new());
    match store
        .txn(vec![
            TxnOp::Update {
                key: pod("a"),
                expected: a.mod_revision,
                value: b("x"),
            },
            TxnOp::Delete {
                key: pod("a"),
                expected: None,
            },
        ])
        .await
    {
        Err(StoreError::Backend(_)) => {}
        other => panic!("the same key twice: expected a Backend error, got {other:?}"),
    }
    assert_eq!(store.get(&pod("a")).await.expect("get"), Some(a.clone()));

    let now = store.current_revision().await.expect("revision");
    assert!(now >= a.mod_revision);
    let future = now + 1_000_000;
    assert!(matches!(
        store
            .list(
                PODS,
                ListOptions {
                    revision: Some(future),
                    ..Default::default()
                },
            )
            .await,
        Err(StoreError::Backend(_))
    ));
    assert!(matches!(
        store.compact(future).await,
        Err(StoreError::Backend(_))
    ));
    let zero = store
        .list(
            PODS,
            ListOptions {
                revision: Some(0),
                ..Default::default()
            },
        )
        .await
        .expect("list at 0");
    assert_eq!(zero.items, vec![a]);
    assert!(zero.revision >= now);
}

/// After compaction, watches and lists from before it are `Expired`; from
/// the compaction revision on they still work.
pub async fn compaction_expires(store: Arc<dyn Store>) {
    let a = store.create(&pod("a"), b("a1")).await.expect("create");
    let r1 = a.mod_revision;
    let mut last = a.clone();
    for i in 2..6 {
        last = store
            .update(&pod("a"), last.mod_revision, b(&format!("a{i}")))
            .await
            .expect("update");
    }
    let r2 = last.mod_revision;
    let c = store.create(&pod("c"), b("c1")).await.expect("create");
    store.compact(r2).await.expect("compact");

    match store
        .list(
            PODS,
            ListOptions {
                revision: Some(r1),
                ..Default::default()
            },
        )
        .await
    {
        Err(StoreError::Expired { requested, oldest }) => {
            assert_eq!(requested, r1);
            assert!(oldest > r1);
        }
        other => panic!("list at a compacted revision: expected Expired, got {other:?}"),
    }
    expect_watch_expired(&store, r1).await;

    let at = store
        .list(
            PODS,
            ListOptions {
                revision: Some(r2),
                ..Default::default()
            },
        )
        .await
        .expect("list at the compaction revision");
    assert_eq!(at.items, vec![last]);
    let mut w = store.watch(PODS, r2).await.expect("watch");
    assert_eq!(next_event(&mut w).await.kv, c);
    // Compacting again at or below is harmless.
    store.compact(r2).await.expect("compact again");
}

async fn expect_watch_expired(store: &Arc<dyn Store>, after: Revision) {
    match store.watch(PODS, after).await {
        Err(StoreError::Expired { requested, oldest }) => {
            assert_eq!(requested, after);
            assert!(oldest > after);
        }
        Err(e) => panic!("watch from a compacted revision: expected Expired, got {e}"),
        Ok(mut w) => match tokio::time::timeout(EVENT_TIMEOUT, w.next()).await {
            Ok(Some(Err(StoreError::Expired { requested, oldest }))) => {
                assert_eq!(requested, after);
                assert!(oldest > after);
            }
            other => panic!("watch from a compacted revision: expected Expired, got {other:?}"),
        },
    }
}
