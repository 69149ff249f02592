//! Model-based property test of the embedded store: random sequences of
//! creates, updates, deletes, transactions, compactions and restarts are run
//! against the store and against a plain in-memory model. Every result must
//! match, every list at a retained past revision must equal the model's
//! snapshot at that revision, older revisions must be `Expired`, and a watch
//! from the oldest retained revision must replay to the current state.

// Test code: helpers outside `#[test]` functions unwrap too.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;

use bytes::Bytes;
use futures::{FutureExt, StreamExt};
use proptest::prelude::*;
use storage::{
    EmbeddedConfig, EmbeddedStore, EventType, KeyValue, ListOptions, Revision, Store, StoreError,
    TxnOp,
};

#[derive(Clone, Debug)]
enum Sub {
    Create(u8),
    /// Key, offset from the right expected revision (0 = right).
    Update(u8, i8),
    Delete(u8, Option<i8>),
}

#[derive(Clone, Debug)]
enum Op {
    One(Sub),
    Txn(Vec<Sub>),
    Compact(u8),
    Restart,
}

fn sub() -> impl Strategy<Value = Sub> {
    prop_oneof![
        (0u8..5).prop_map(Sub::Create),
        (0u8..5, prop_oneof![3 => Just(0i8), 1 => -2i8..3]).prop_map(|(k, o)| Sub::Update(k, o)),
        (
            0u8..5,
            proptest::option::of(prop_oneof![3 => Just(0i8), 1 => -2i8..3])
        )
            .prop_map(|(k, o)| Sub::Delete(k, o)),
    ]
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        8 => sub().prop_map(Op::One),
        2 => proptest::collection::vec(sub(), 1..4).prop_map(Op::Txn),
        1 => (0u8..6).prop_map(Op::Compact),
        1 => Just(Op::Restart),
    ]
}

fn key(k: u8) -> String {
    format!("/m/k{k}")
}

type Snapshot = BTreeMap<String, KeyValue>;

/// The model's answer: like `StoreError`, comparable.
#[derive(Debug, PartialEq)]
enum Outcome {
    Ok(Vec<KeyValue>),
    NotFound(String),
    AlreadyExists(String),
    Conflict(String, Option<KeyValue>),
    Backend,
}

fn outcome(r: Result<Vec<KeyValue>, StoreError>) -> Outcome {
    match r {
        Ok(v) => Outcome::Ok(v),
        Err(StoreError::NotFound(k)) => Outcome::NotFound(k),
        Err(StoreError::AlreadyExists(k)) => Outcome::AlreadyExists(k),
        Err(StoreError::Conflict { key, current }) => Outcome::Conflict(key, current.map(|b| *b)),
        Err(StoreError::Backend(_)) => Outcome::Backend,
        Err(e) => panic!("unexpected error {e}"),
    }
}

fn to_ops(subs: &[Sub], state: &Snapshot, counter: &mut u32) -> Vec<TxnOp> {
    let expected = |k: u8, off: i8| {
        let cur = state.get(&key(k)).map_or(1, |kv| kv.mod_revision);
        cur.saturating_add_signed(i64::from(off))
    };
    subs.iter()
        .map(|s| {
            *counter += 1;
            match *s {
                Sub::Create(k) => TxnOp::Create {
                    key: key(k),
                    value: Bytes::from(format!("c{counter}")),
                },
                Sub::Update(k, off) => TxnOp::Update {
                    key: key(k),
                    expected: expected(k, off),
                    value: Bytes::from(format!("u{counter}")),
                },
                Sub::Delete(k, off) => TxnOp::Delete {
                    key: key(k),
                    expected: off.map(|o| expected(k, o)),
                },
            }
        })
        .collect()
}

/// Applies `ops` to the model at `revision`; all or nothing.
fn model_txn(state: &mut Snapshot, ops: &[TxnOp], revision: Revision) -> Outcome {
    let mut next = state.clone();
    let mut out = Vec::new();
    let mut keys = std::collections::HashSet::new();
    for op in ops {
        let k = match op {
            TxnOp::Create { key, .. } | TxnOp::Update { key, .. } | TxnOp::Delete { key, .. } => {
                key
            }
        };
        if !keys.insert(k.clone()) {
            return Outcome::Backend;
        }
        let cur = next.get(k).cloned();
        match op {
            TxnOp::Create { key, value } => {
                if cur.is_some() {
                    return Outcome::AlreadyExists(key.clone());
                }
                let kv = KeyValue {
                    key: key.clone(),
                    value: value.clone(),
                    create_revision: revision,
                    mod_revision: revision,
                };
                next.insert(key.clone(), kv.clone());
                out.push(kv);
            }
            TxnOp::Update {
                key,
                expected,
                value,
            } => {
                let Some(cur) = cur else {
                    return Outcome::NotFound(key.clone());
                };
                if cur.mod_revision != *expected {
                    return Outcome::Conflict(key.clone(), Some(cur));
                }
                let kv = KeyValue {
                    value: value.clone(),
                    mod_revision: revision,
                    ..cur
                };
                next.insert(key.clone(), kv.clone());
                out.push(kv);
            }
            TxnOp::Delete { key, expected } => {
                let Some(cur) = cur else {
                    return Outcome::NotFound(key.clone());
                };
                if expected.is_some_and(|e| e != cur.mod_revision) {
                    return Outcome::Conflict(key.clone(), Some(cur));
                }
                next.remove(key);
                out.push(KeyValue {
                    mod_revision: revision,
                    ..cur
                });
            }
        }
    }
    *state = next;
    Outcome::Ok(out)
}

fn config() -> EmbeddedConfig {
    EmbeddedConfig {
        history_limit: 12,
        snapshot_min_bytes: 1024,
        ..Default::default()
    }
}

async fn check(ops: Vec<Op>) {
    let dir = tempfile::tempdir().unwrap();
    let mut store = EmbeddedStore::open(dir.path(), config()).unwrap();
    let mut state = Snapshot::new();
    let mut revision: Revision = 1;
    let mut snapshots: BTreeMap<Revision, Snapshot> = BTreeMap::new();
    snapshots.insert(1, Snapshot::new());
    let mut counter = 0;
    for op in ops {
        match op {
            Op::One(s) => {
                let ops = to_ops(&[s], &state, &mut counter);
                let op = ops[0].clone();
                let got = match op {
                    TxnOp::Create { key, value } => store.create(&key, value).await,
                    TxnOp::Update {
                        key,
                        expected,
                        value,
                    } => store.update(&key, expected, value).await,
                    TxnOp::Delete { key, expected } => store.delete(&key, expected).await,
                };
                let want = model_txn(&mut state, &ops, revision + 1);
                assert_eq!(outcome(got.map(|kv| vec![kv])), want);
                if matches!(want, Outcome::Ok(_)) {
                    revision += 1;
                    snapshots.insert(revision, state.clone());
                }
            }
            Op::Txn(subs) => {
                let ops = to_ops(&subs, &state, &mut counter);
                let got = store.txn(ops.clone()).await;
                let want = model_txn(&mut state, &ops, revision + 1);
                assert_eq!(outcome(got), want);
                if matches!(want, Outcome::Ok(_)) {
                    revision += 1;
                    snapshots.insert(revision, state.clone());
                }
            }
            Op::Compact(back) => {
                let to = revision.saturating_sub(u64::from(back));
                store.compact(to).await.unwrap();
                assert!(store.oldest_revision() >= to);
            }
            Op::Restart => {
                drop(store);
                store = EmbeddedStore::open(dir.path(), config()).unwrap();
            }
        }
        assert_eq!(store.current_revision().await.unwrap(), revision);
    }

    let oldest = store.oldest_revision();
    for (&r, snap) in &snapshots {
        let got = store
            .list(
                "/m/",
                ListOptions {
                    revision: Some(r),
                    ..Default::default()
                },
            )
            .await;
        if r < oldest {
            assert!(matches!(got, Err(StoreError::Expired { .. })), "at {r}");
        } else {
            let items = got.unwrap().items;
            assert_eq!(items, snap.values().cloned().collect::<Vec<_>>(), "at {r}");
        }
    }

    // Replaying the retained history onto the oldest snapshot gives today.
    if let Some(base) = snapshots
        .range(..=oldest)
        .next_back()
        .map(|(_, s)| s.clone())
    {
        let mut replay = base;
        let mut w = store.watch("/m/", oldest).await.unwrap();
        let mut last = oldest;
        // Everything up to now is already queued: read until the stream
        // would wait.
        while let Some(item) = w.next().now_or_never() {
            let e = item.unwrap().unwrap();
            assert!(e.revision() > oldest && e.revision() >= last);
            last = e.revision();
            match e.kind {
                EventType::Put => {
                    assert_eq!(e.prev.as_ref(), replay.get(&e.kv.key));
                    replay.insert(e.kv.key.clone(), e.kv);
                }
                EventType::Delete => {
                    assert_eq!(e.prev.as_ref(), replay.get(&e.kv.key));
                    replay.remove(&e.kv.key);
                }
            }
        }
        assert_eq!(last, revision);
        assert_eq!(replay, state);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn store_matches_model(ops in proptest::collection::vec(op(), 1..60)) {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        rt.block_on(check(ops));
    }
}
