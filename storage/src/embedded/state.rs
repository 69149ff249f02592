//! The embedded store's in-memory state: the current value of every key, the
//! revision, a bounded ring of recent events (for watches and for reads at a
//! past revision), and the registered watchers.
//!
//! Only the writer thread mutates it (and `watch`, which registers watchers);
//! readers take a shared lock and never wait on disk I/O.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::ops::Bound;

use bytes::Bytes;
use tokio::sync::mpsc;

use super::log::{Change, MAX_TXN_BYTES, Record};
use crate::TxnOp;
use crate::{Event, EventType, KeyValue, ListOptions, ListResult, Result, Revision, StoreError};

/// A registered watcher: events under `prefix` go to `tx`.
pub(crate) struct Watcher {
    pub(crate) prefix: String,
    pub(crate) tx: mpsc::Sender<Result<Event>>,
}

/// Everything the store knows, guarded by one `RwLock`.
pub(crate) struct State {
    /// Current value of every live key.
    pub(crate) kv: BTreeMap<String, KeyValue>,
    /// What a snapshot of `kv` takes in the log file (see
    /// [`snapshot_record_len`]), kept up to date as keys change.
    pub(crate) live_bytes: u64,
    /// Revision of the last committed write (1 for a new store, as etcd).
    pub(crate) revision: Revision,
    /// Recent events in revision order.
    pub(crate) history: VecDeque<Event>,
    /// Every event with a revision greater than this is in `history`.
    pub(crate) history_start: Revision,
    /// Most events kept in `history`.
    pub(crate) history_limit: usize,
    /// Live watchers.
    pub(crate) watchers: Vec<Watcher>,
    /// Set once the writer has stopped (store dropped or a fatal I/O error).
    pub(crate) closed: Option<String>,
}

impl State {
    /// An empty store at revision 1.
    pub(crate) fn new(history_limit: usize) -> Self {
        State {
            kv: BTreeMap::new(),
            live_bytes: 0,
            revision: 1,
            history: VecDeque::new(),
            history_start: 0,
            history_limit: history_limit.max(1),
            watchers: Vec::new(),
            closed: None,
        }
    }

    /// Replays one log record (while opening the store).
    pub(crate) fn replay(&mut self, record: Record) -> std::result::Result<(), String> {
        match record {
            Record::Snapshot { revision } => {
                self.kv.clear();
                self.live_bytes = 0;
                self.history.clear();
                self.revision = revision;
                self.history_start = revision;
            }
            Record::SnapshotKv(kv) => {
                self.put(kv);
            }
            Record::Txn { revision, changes } => {
                if revision <= self.revision {
                    return Err(format!(
                        "log record at revision {revision} follows revision {}",
                        self.revision
                    ));
                }
                let events = changes
                    .into_iter()
                    .map(|change| self.event_for_change(change, revision))
                    .collect::<Vec<_>>();
                self.apply(revision, events);
            }
            Record::Compact { revision } => self.compact(revision),
        }
        Ok(())
    }

    /// The event a replayed change stands for, given the current state.
    fn event_for_change(&self, change: Change, revision: Revision) -> Event {
        match change {
            Change::Put {
                key,
                value,
                create_revision,
            } => {
                let prev = self.kv.get(&key).cloned();
                Event {
                    kind: EventType::Put,
                    kv: KeyValue {
                        key,
                        value,
                        create_revision,
                        mod_revision: revision,
                    },
                    prev,
                }
            }
            Change::Delete { key } => {
                let prev = self.kv.get(&key).cloned();
                let kv = match &prev {
                    Some(p) => KeyValue {
                        mod_revision: revision,
                        ..p.clone()
                    },
                    None => KeyValue {
                        key,
                        value: Bytes::new(),
                        create_revision: 0,
                        mod_revision: revision,
                    },
                };
                Event {
                    kind: EventType::Delete,
                    kv,
                    prev,
                }
            }
        }
    }

    /// Applies a committed transaction's events at `revision`.
    pub(crate) fn apply(&mut self, revision: Revision, events: Vec<Event>) {
        for event in events {
            match event.kind {
                EventType::Put => self.put(event.kv.clone()),
                EventType::Delete => {
                    if let Some(old) = self.kv.remove(&event.kv.key) {
                        self.live_bytes -= snapshot_record_len(&old);
                    }
                }
            }
            self.history.push_back(event);
        }
        self.revision = revision;
        self.trim_history();
    }

    /// Sets a key's current value, keeping `live_bytes` in step.
    fn put(&mut self, kv: KeyValue) {
        self.live_bytes += snapshot_record_len(&kv);
        if let Some(old) = self.kv.insert(kv.key.clone(), kv) {
            self.live_bytes -= snapshot_record_len(&old);
        }
    }

    /// Drops the oldest events beyond the limit, moving `history_start` up.
    fn trim_history(&mut self) {
        while self.history.len() > self.history_limit {
            if let Some(e) = self.history.pop_front() {
                self.history_start = self.history_start.max(e.revision());
            }
        }
        // Events of a transaction share a revision: drop any left behind.
        while self
            .history
            .front()
            .is_some_and(|e| e.revision() <= self.history_start)
        {
            self.history.pop_front();
        }
    }

    /// Forgets history at or before `revision`.
    pub(crate) fn compact(&mut self, revision: Revision) {
        self.history_start = self.history_start.max(revision);
        self.trim_history();
    }

    /// Fails with `Expired` when history before `revision` is gone.
    fn check_history(&self, revision: Revision) -> Result<()> {
        if revision < self.history_start {
            return Err(StoreError::Expired {
                requested: revision,
                oldest: self.history_start,
            });
        }
        Ok(())
    }

    /// Events with revision > `after` under `prefix`, or `Expired`.
    pub(crate) fn events_after(&self, prefix: &str, after: Revision) -> Result<Vec<Event>> {
        self.check_history(after)?;
        let first = self.history.partition_point(|e| e.revision() <= after);
        Ok(self
            .history
            .range(first..)
            .filter(|e| e.kv.key.starts_with(prefix))
            .cloned()
            .collect())
    }

    /// Reads keys under `prefix` as `opts` asks.
    pub(crate) fn list(&self, prefix: &str, opts: &ListOptions) -> Result<ListResult> {
        let at = match opts.revision {
            None => self.revision,
            Some(r) if r == 0 || r >= self.revision => {
                if r > self.revision {
                    return Err(StoreError::Backend(format!(
                        "revision {r} is in the future (current revision {})",
                        self.revision
                    )));
                }
                self.revision
            }
            Some(r) => {
                self.check_history(r)?;
                r
            }
        };
        let start = match &opts.start_after {
            Some(after) if after.as_str() >= prefix => Bound::Excluded(after.as_str()),
            _ => Bound::Included(prefix),
        };
        let in_range = |k: &str| {
            k.starts_with(prefix)
                && match &opts.start_after {
                    Some(after) => k > after.as_str(),
                    None => true,
                }
        };
        let limit = opts.limit.unwrap_or(usize::MAX);
        let mut items = Vec::new();
        let mut more = false;
        if at == self.revision {
            for (k, v) in self.kv.range::<str, _>((start, Bound::Unbounded)) {
                if !k.starts_with(prefix) {
                    break;
                }
                if items.len() == limit {
                    more = true;
                    break;
                }
                items.push(v.clone());
            }
        } else {
            // Undo the events after `at`, newest first, so that for every key
            // the value before its oldest later change wins.
            let first = self.history.partition_point(|e| e.revision() <= at);
            let mut undo: BTreeMap<&str, Option<&KeyValue>> = BTreeMap::new();
            for e in self.history.range(first..).rev() {
                if in_range(&e.kv.key) {
                    undo.insert(e.kv.key.as_str(), e.prev.as_ref());
                }
            }
            let mut view: BTreeMap<&str, &KeyValue> = self
                .kv
                .range::<str, _>((start, Bound::Unbounded))
                .take_while(|(k, _)| k.starts_with(prefix))
                .map(|(k, v)| (k.as_str(), v))
                .collect();
            for (k, prev) in undo {
                match prev {
                    Some(v) => view.insert(k, v),
                    None => view.remove(k),
                };
            }
            for v in view.into_values() {
                if items.len() == limit {
                    more = true;
                    break;
                }
                items.push(v.clone());
            }
        }
        Ok(ListResult {
            items,
            revision: at,
            more,
        })
    }

    /// Sends committed events to the watchers whose prefix matches; drops
    /// watchers that are gone or whose queue is full (their stream ends and
    /// the client relists).
    pub(crate) fn broadcast(&mut self, events: &[Event]) {
        self.watchers.retain(|w| {
            for e in events.iter().filter(|e| e.kv.key.starts_with(&w.prefix)) {
                if w.tx.try_send(Ok(e.clone())).is_err() {
                    return false;
                }
            }
            !w.tx.is_closed()
        });
    }
}

/// Checks a transaction against `state` plus the uncommitted changes of
/// earlier transactions in the same batch (`pending`), and returns its
/// results and events at `revision`.
pub(crate) fn prepare_txn(
    state: &State,
    pending: &HashMap<String, Option<KeyValue>>,
    ops: &[TxnOp],
    revision: Revision,
) -> Result<(Vec<KeyValue>, Vec<Event>)> {
    let current = |key: &str| -> Option<KeyValue> {
        match pending.get(key) {
            Some(v) => v.clone(),
            None => state.kv.get(key).cloned(),
        }
    };
    let size: usize = ops
        .iter()
        .map(|op| {
            let value = match op {
                TxnOp::Create { value, .. } | TxnOp::Update { value, .. } => value.len(),
                TxnOp::Delete { .. } => 0,
            };
            op_key(op).len() + value + 32
        })
        .sum();
    if size > MAX_TXN_BYTES {
        return Err(StoreError::Backend(format!(
            "transaction of {size} bytes exceeds the limit of {MAX_TXN_BYTES}"
        )));
    }
    let mut seen = std::collections::HashSet::with_capacity(ops.len());
    let mut results = Vec::with_capacity(ops.len());
    let mut events = Vec::with_capacity(ops.len());
    for op in ops {
        let key = op_key(op);
        if !seen.insert(key) {
            return Err(StoreError::Backend(format!(
                "duplicate key {key} in transaction"
            )));
        }
        let cur = current(key);
        match op {
            TxnOp::Create { key, value } => {
                if cur.is_some() {
                    return Err(StoreError::AlreadyExists(key.clone()));
                }
                let kv = KeyValue {
                    key: key.clone(),
                    value: value.clone(),
                    create_revision: revision,
                    mod_revision: revision,
                };
                results.push(kv.clone());
                events.push(Event {
                    kind: EventType::Put,
                    kv,
                    prev: None,
                });
            }
            TxnOp::Update {
                key,
                expected,
                value,
            } => {
                let cur = cur.ok_or_else(|| StoreError::NotFound(key.clone()))?;
                if cur.mod_revision != *expected {
                    return Err(StoreError::Conflict {
                        key: key.clone(),
                        current: Some(Box::new(cur)),
                    });
                }
                let kv = KeyValue {
                    key: key.clone(),
                    value: value.clone(),
                    create_revision: cur.create_revision,
                    mod_revision: revision,
                };
                results.push(kv.clone());
                events.push(Event {
                    kind: EventType::Put,
                    kv,
                    prev: Some(cur),
                });
            }
            TxnOp::Delete { key, expected } => {
                let cur = cur.ok_or_else(|| StoreError::NotFound(key.clone()))?;
                if expected.is_some_and(|e| e != cur.mod_revision) {
                    return Err(StoreError::Conflict {
                        key: key.clone(),
                        current: Some(Box::new(cur)),
                    });
                }
                let kv = KeyValue {
                    mod_revision: revision,
                    ..cur.clone()
                };
                results.push(kv.clone());
                events.push(Event {
                    kind: EventType::Delete,
                    kv,
                    prev: Some(cur),
                });
            }
        }
    }
    Ok((results, events))
}

/// The key an operation touches.
pub(crate) fn op_key(op: &TxnOp) -> &str {
    match op {
        TxnOp::Create { key, .. } | TxnOp::Update { key, .. } | TxnOp::Delete { key, .. } => key,
    }
}

/// The log record of a transaction's events.
pub(crate) fn txn_record(revision: Revision, events: &[Event]) -> Record {
    Record::Txn {
        revision,
        changes: events
            .iter()
            .map(|e| match e.kind {
                EventType::Put => Change::Put {
                    key: e.kv.key.clone(),
                    value: e.kv.value.clone(),
                    create_revision: e.kv.create_revision,
                },
                EventType::Delete => Change::Delete {
                    key: e.kv.key.clone(),
                },
            })
            .collect(),
    }
}

/// The bytes a key's record takes in a snapshot: its key and value plus the
/// frame (header, tag, two lengths, two revisions: 33 bytes).
pub(crate) fn snapshot_record_len(kv: &KeyValue) -> u64 {
    (kv.key.len() + kv.value.len() + 33) as u64
}
