//! The etcd backend (`--store etcd`), on etcd v3's gRPC API.
//!
//! Keys are stored as given, after an optional [`EtcdConfig::prefix`].
//! Every write is one etcd transaction: a create compares
//! `create_revision == 0`, an update or a delete with a precondition compares
//! `mod_revision`, and the failure branch reads the keys back so that a
//! `Conflict` carries the current value without a second round trip. Lists
//! are ranges (with `revision` and `limit`); watches start at `after + 1`
//! and read the previous values of updates and deletes themselves (see
//! `WatchState::previous`); a compacted revision becomes
//! [`StoreError::Expired`]. Requests go round-robin over several gRPC
//! connections (one HTTP/2 connection serialises). A lone create carries no
//! read-back (its failure can only mean the key exists). Writes are never
//! merged into shared transactions: that would give unrelated objects the
//! same revision, and resourceVersions must be unique and increasing. A
//! background task compacts
//! every [`EtcdConfig::compaction_interval`] to the revision seen one interval
//! earlier, as kube-apiserver does, so that old revisions expire.

use std::collections::{HashSet, VecDeque};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::Duration;

use async_trait::async_trait;
use bytes::Bytes;
use etcd_client::{
    Client, Compare, CompareOp, ConnectOptions, DeleteOptions, GetOptions, KvClient, PutOptions,
    Txn, TxnOpResponse, WatchOptions,
};

use crate::{
    Event, EventType, KeyValue, ListOptions, ListResult, Result, Revision, Store, StoreError,
    TxnOp, WatchStream,
};

/// How to reach etcd and how to use it.
#[derive(Clone, Debug)]
pub struct EtcdConfig {
    /// Client URLs, e.g. `http://127.0.0.1:2379`.
    pub endpoints: Vec<String>,
    /// Prepended to every key (default empty: keys such as `/registry/...`
    /// are stored as given). Lets several clusters or tests share one etcd.
    pub prefix: String,
    /// How often to compact history (default 5 minutes, as kube-apiserver);
    /// each compaction keeps one interval of history. `None` disables it.
    pub compaction_interval: Option<Duration>,
    /// gRPC connections used round-robin (default 2: on a small machine
    /// fewer connections coalesce more requests per socket write; more
    /// spread the load over etcd's connection handlers).
    pub connections: usize,
    /// Timeout for establishing a connection (default 5 s).
    pub connect_timeout: Duration,
}

impl Default for EtcdConfig {
    fn default() -> Self {
        EtcdConfig {
            endpoints: vec!["http://127.0.0.1:2379".to_string()],
            prefix: String::new(),
            compaction_interval: Some(Duration::from_secs(300)),
            connections: 2,
            connect_timeout: Duration::from_secs(5),
        }
    }
}

impl EtcdConfig {
    /// The default configuration for these endpoints.
    pub fn new<S: Into<String>>(endpoints: impl IntoIterator<Item = S>) -> Self {
        EtcdConfig {
            endpoints: endpoints.into_iter().map(Into::into).collect(),
            ..Default::default()
        }
    }
}

/// Connects to etcd with `config`, ready to share as `Arc<dyn Store>`.
pub async fn open_etcd(config: EtcdConfig) -> Result<Arc<dyn Store>> {
    Ok(Arc::new(EtcdStore::connect(config).await?))
}

/// The etcd store. Cheap to clone (a handle); the compactor stops when the
/// last handle is dropped.
#[derive(Clone)]
pub struct EtcdStore {
    inner: Arc<Inner>,
}

struct Inner {
    clients: Vec<Client>,
    next: AtomicUsize,
    prefix: String,
    /// The highest revision known to be compacted (a hint for `Expired`).
    compacted: Arc<AtomicU64>,
    compactor: Option<tokio::task::JoinHandle<()>>,
}

impl Drop for Inner {
    fn drop(&mut self) {
        if let Some(c) = self.compactor.take() {
            c.abort();
        }
    }
}

impl std::fmt::Debug for EtcdStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EtcdStore")
            .field("prefix", &self.inner.prefix)
            .field("connections", &self.inner.clients.len())
            .finish_non_exhaustive()
    }
}

const COMPACTED: &str = "required revision has been compacted";

/// Largest response accepted from etcd. The client's default (4 MiB) is too
/// small for an unpaginated list of thousands of objects; etcd itself sends
/// responses of up to 2 GiB.
const MAX_MESSAGE: usize = i32::MAX as usize;

/// Maps an etcd client error; a compaction error becomes `Expired`.
fn map_err(e: etcd_client::Error, requested: Revision, compacted: Revision) -> StoreError {
    if let etcd_client::Error::GRpcStatus(status) = &e
        && status.message().contains(COMPACTED)
    {
        return StoreError::Expired {
            requested,
            oldest: compacted.max(requested + 1),
        };
    }
    StoreError::Backend(format!("etcd: {e}"))
}

fn backend(e: etcd_client::Error) -> StoreError {
    StoreError::Backend(format!("etcd: {e}"))
}

/// The smallest key greater than every key starting with `prefix`
/// (`\0` = no end, as etcd's range_end).
fn prefix_end(prefix: &[u8]) -> Vec<u8> {
    let mut end = prefix.to_vec();
    while let Some(&last) = end.last() {
        if last < 0xff {
            if let Some(l) = end.last_mut() {
                *l = last + 1;
            }
            return end;
        }
        end.pop();
    }
    vec![0]
}

fn rev(r: i64) -> Revision {
    u64::try_from(r).unwrap_or(0)
}

fn etcd_rev(r: Revision) -> i64 {
    i64::try_from(r).unwrap_or(i64::MAX)
}

fn header_revision(h: Option<&etcd_client::ResponseHeader>) -> Result<Revision> {
    h.map(|h| rev(h.revision()))
        .ok_or_else(|| StoreError::Backend("etcd: response without a header".into()))
}

fn op_key(op: &TxnOp) -> &str {
    match op {
        TxnOp::Create { key, .. } | TxnOp::Update { key, .. } | TxnOp::Delete { key, .. } => key,
    }
}

impl EtcdStore {
    /// Connects to etcd (`config.connections` connections) and starts the
    /// compactor. Must be called inside a tokio runtime.
    pub async fn connect(config: EtcdConfig) -> Result<Self> {
        if config.endpoints.is_empty() {
            return Err(StoreError::Backend("etcd: no endpoints given".into()));
        }
        let mut clients = Vec::with_capacity(config.connections.max(1));
        for _ in 0..config.connections.max(1) {
            let options = ConnectOptions::new()
                .with_connect_timeout(config.connect_timeout)
                .with_keep_alive(Duration::from_secs(30), Duration::from_secs(10));
            let client = Client::connect(&config.endpoints, Some(options))
                .await
                .map_err(|e| {
                    StoreError::Backend(format!(
                        "etcd: connecting to {}: {e}",
                        config.endpoints.join(",")
                    ))
                })?;
            clients.push(client);
        }
        let compacted = Arc::new(AtomicU64::new(0));
        let compactor = config.compaction_interval.map(|every| {
            tokio::spawn(compactor(
                clients[0].kv_client(),
                config.prefix.clone(),
                every,
                compacted.clone(),
            ))
        });
        let store = EtcdStore {
            inner: Arc::new(Inner {
                clients,
                next: AtomicUsize::new(0),
                prefix: config.prefix,
                compacted,
                compactor,
            }),
        };
        // Fail now rather than on the first request if etcd is unreachable.
        store.current_revision().await?;
        Ok(store)
    }

    /// A KV client on the next connection.
    fn kv(&self) -> KvClient {
        let i = self.inner.next.fetch_add(1, Ordering::Relaxed) % self.inner.clients.len();
        self.inner.clients[i]
            .kv_client()
            .max_decoding_message_size(MAX_MESSAGE)
    }

    fn full(&self, key: &str) -> Vec<u8> {
        let mut k = Vec::with_capacity(self.inner.prefix.len() + key.len());
        k.extend_from_slice(self.inner.prefix.as_bytes());
        k.extend_from_slice(key.as_bytes());
        k
    }

    fn compacted(&self) -> Revision {
        self.inner.compacted.load(Ordering::Relaxed)
    }

    /// Our key for an etcd key.
    fn strip(&self, key: &[u8]) -> Result<String> {
        let key = key
            .strip_prefix(self.inner.prefix.as_bytes())
            .ok_or_else(|| StoreError::Backend("etcd: key outside the store's prefix".into()))?;
        String::from_utf8(key.to_vec())
            .map_err(|_| StoreError::Backend("etcd: key is not UTF-8".into()))
    }

    fn convert(&self, kv: &etcd_client::KeyValue) -> Result<KeyValue> {
        Ok(KeyValue {
            key: self.strip(kv.key())?,
            value: Bytes::copy_from_slice(kv.value()),
            create_revision: rev(kv.create_revision()),
            mod_revision: rev(kv.mod_revision()),
        })
    }

    /// The range `[start, end)` covering `prefix` after `start_after`.
    fn range(&self, prefix: &str, start_after: Option<&str>) -> (Vec<u8>, Vec<u8>) {
        let full_prefix = self.full(prefix);
        let end = prefix_end(&full_prefix);
        let start = match start_after {
            Some(after) if after >= prefix => {
                let mut s = self.full(after);
                s.push(0);
                s
            }
            _ if full_prefix.is_empty() => vec![0],
            _ => full_prefix,
        };
        (start, end)
    }

    /// Runs `ops` as one etcd transaction (see the module doc).
    async fn run_txn(&self, ops: Vec<TxnOp>) -> Result<Vec<KeyValue>> {
        if ops.is_empty() {
            return Ok(Vec::new());
        }
        // A lone create needs no read-back on failure: a failed
        // `create_revision == 0` can only mean the key exists.
        let read_back = !matches!(ops.as_slice(), [TxnOp::Create { .. }]);
        self.execute(ops, read_back).await
    }

    /// Runs `ops` as one etcd transaction. With `read_back`, the failure
    /// branch reads every key so that a failed condition is reported
    /// precisely; without it (a lone create) a failure means the key exists.
    async fn execute(&self, ops: Vec<TxnOp>, read_back: bool) -> Result<Vec<KeyValue>> {
        if ops.len() > 1 {
            let mut seen = HashSet::with_capacity(ops.len());
            for op in &ops {
                if !seen.insert(op_key(op)) {
                    return Err(StoreError::Backend(format!(
                        "duplicate key {} in transaction",
                        op_key(op)
                    )));
                }
            }
        }
        let mut compares = Vec::with_capacity(ops.len());
        let mut then = Vec::with_capacity(ops.len());
        let mut otherwise = Vec::with_capacity(if read_back { ops.len() } else { 0 });
        for op in &ops {
            let full = self.full(op_key(op));
            if read_back {
                otherwise.push(etcd_client::TxnOp::get(full.clone(), None));
            }
            match op {
                TxnOp::Create { value, .. } => {
                    compares.push(Compare::create_revision(full.clone(), CompareOp::Equal, 0));
                    then.push(etcd_client::TxnOp::put(full, value.as_ref(), None));
                }
                TxnOp::Update {
                    expected, value, ..
                } => {
                    compares.push(Compare::mod_revision(
                        full.clone(),
                        CompareOp::Equal,
                        etcd_rev(*expected),
                    ));
                    then.push(etcd_client::TxnOp::put(
                        full,
                        value.as_ref(),
                        Some(PutOptions::new().with_prev_key()),
                    ));
                }
                TxnOp::Delete { expected, .. } => {
                    compares.push(match expected {
                        Some(e) => {
                            Compare::mod_revision(full.clone(), CompareOp::Equal, etcd_rev(*e))
                        }
                        None => Compare::create_revision(full.clone(), CompareOp::Greater, 0),
                    });
                    then.push(etcd_client::TxnOp::delete(
                        full,
                        Some(DeleteOptions::new().with_prev_key()),
                    ));
                }
            }
        }
        let txn = Txn::new().when(compares).and_then(then).or_else(otherwise);
        let resp = self.kv().txn(txn).await.map_err(backend)?;
        let revision = header_revision(resp.header())?;
        if !resp.succeeded() && !read_back {
            return Err(match ops.into_iter().next() {
                Some(TxnOp::Create { key, .. }) => StoreError::AlreadyExists(key),
                _ => StoreError::Backend("etcd: unexpected transaction failure".into()),
            });
        }
        // Creates need nothing from the answer but its revision (and
        // `op_responses` copies every response).
        if resp.succeeded() && ops.iter().all(|op| matches!(op, TxnOp::Create { .. })) {
            return Ok(ops
                .into_iter()
                .filter_map(|op| match op {
                    TxnOp::Create { key, value } => Some(KeyValue {
                        key,
                        value,
                        create_revision: revision,
                        mod_revision: revision,
                    }),
                    _ => None,
                })
                .collect());
        }
        let responses = resp.op_responses();
        if responses.len() != ops.len() {
            return Err(StoreError::Backend(
                "etcd: transaction answered the wrong number of operations".into(),
            ));
        }
        if resp.succeeded() {
            let mut out = Vec::with_capacity(ops.len());
            for (op, r) in ops.into_iter().zip(responses) {
                out.push(match (op, r) {
                    (TxnOp::Create { key, value }, TxnOpResponse::Put(_)) => KeyValue {
                        key,
                        value,
                        create_revision: revision,
                        mod_revision: revision,
                    },
                    (TxnOp::Update { key, value, .. }, TxnOpResponse::Put(p)) => KeyValue {
                        key,
                        value,
                        create_revision: p
                            .prev_key()
                            .map_or(revision, |p| rev(p.create_revision())),
                        mod_revision: revision,
                    },
                    (TxnOp::Delete { .. }, TxnOpResponse::Delete(d)) => {
                        let prev = d.prev_kvs().first().ok_or_else(|| {
                            StoreError::Backend("etcd: delete returned no previous value".into())
                        })?;
                        KeyValue {
                            mod_revision: revision,
                            ..self.convert(prev)?
                        }
                    }
                    _ => {
                        return Err(StoreError::Backend(
                            "etcd: unexpected transaction response".into(),
                        ));
                    }
                });
            }
            return Ok(out);
        }
        // A compare failed: find the first operation whose condition does
        // not hold against the values read in the same transaction.
        for (op, r) in ops.into_iter().zip(responses) {
            let TxnOpResponse::Get(g) = r else {
                return Err(StoreError::Backend(
                    "etcd: unexpected transaction response".into(),
                ));
            };
            let current = g.kvs().first().map(|kv| self.convert(kv)).transpose()?;
            match (op, current) {
                (TxnOp::Create { key, .. }, Some(_)) => return Err(StoreError::AlreadyExists(key)),
                (TxnOp::Update { key, .. } | TxnOp::Delete { key, .. }, None) => {
                    return Err(StoreError::NotFound(key));
                }
                (TxnOp::Update { key, expected, .. }, Some(cur))
                | (
                    TxnOp::Delete {
                        key,
                        expected: Some(expected),
                    },
                    Some(cur),
                ) if cur.mod_revision != expected => {
                    return Err(StoreError::Conflict {
                        key,
                        current: Some(Box::new(cur)),
                    });
                }
                _ => {}
            }
        }
        Err(StoreError::Backend(
            "etcd: transaction failed but every condition holds".into(),
        ))
    }

    /// One write in a transaction of its own.
    async fn lone(&self, op: TxnOp) -> Result<KeyValue> {
        self.run_txn(vec![op])
            .await?
            .pop()
            .ok_or_else(|| StoreError::Backend("etcd: no result".into()))
    }
}

/// Every `every`, compacts to the revision seen at the previous tick.
async fn compactor(mut kv: KvClient, prefix: String, every: Duration, compacted: Arc<AtomicU64>) {
    let probe = if prefix.is_empty() {
        "/".to_string()
    } else {
        prefix
    };
    let mut ticker = tokio::time::interval(every);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    ticker.tick().await;
    let mut previous: i64 = 0;
    loop {
        ticker.tick().await;
        let current = match kv
            .get(probe.as_str(), Some(GetOptions::new().with_count_only()))
            .await
        {
            Ok(r) => r.header().map_or(0, |h| h.revision()),
            Err(e) => {
                tracing::warn!("etcd compactor: reading the revision: {e}");
                continue;
            }
        };
        if previous > 0 {
            match kv.compact(previous, None).await {
                Ok(_) => {
                    tracing::debug!("etcd compactor: compacted at revision {previous}");
                    compacted.fetch_max(rev(previous), Ordering::Relaxed);
                }
                Err(e) if e.to_string().contains(COMPACTED) => {}
                Err(e) => tracing::warn!("etcd compactor: compacting at {previous}: {e}"),
            }
        }
        previous = current;
    }
}

/// Most operations in one etcd transaction (etcd's default
/// `--max-txn-ops` is 128).
const MAX_TXN_OPS: usize = 128;

/// State of a watch stream being translated from etcd's.
struct WatchState {
    store: EtcdStore,
    stream: etcd_client::WatchStream,
    pending: VecDeque<Result<Event>>,
    /// Revision of the last event delivered (or the watch's `after`).
    last: Revision,
    done: bool,
}

impl WatchState {
    fn event(&self, e: &etcd_client::Event, prev: Option<KeyValue>) -> Result<Event> {
        let kv = e
            .kv()
            .ok_or_else(|| StoreError::Backend("etcd: watch event without a key".into()))?;
        Ok(match e.event_type() {
            etcd_client::EventType::Put => Event {
                kind: EventType::Put,
                kv: self.store.convert(kv)?,
                prev,
            },
            etcd_client::EventType::Delete => {
                let mod_revision = rev(kv.mod_revision());
                let kv = match &prev {
                    Some(p) => KeyValue {
                        mod_revision,
                        ..p.clone()
                    },
                    None => KeyValue {
                        key: self.store.strip(kv.key())?,
                        value: Bytes::new(),
                        create_revision: 0,
                        mod_revision,
                    },
                };
                Event {
                    kind: EventType::Delete,
                    kv,
                    prev,
                }
            }
        })
    }

    /// The previous values of `events`' keys, read at the revision before
    /// each event, in read-only transactions of up to [`MAX_TXN_OPS`] reads.
    ///
    /// etcd 3.4 serves a watch's `prev_kv` with one read per event, each
    /// copying its write buffer, even for creates (which have none). We read
    /// instead, only for updates and deletes, and many keys per read.
    async fn previous(&self, events: &[etcd_client::Event]) -> Result<Vec<Option<KeyValue>>> {
        let mut out = vec![None; events.len()];
        let wanted: Vec<(usize, &etcd_client::KeyValue)> = events
            .iter()
            .enumerate()
            .filter_map(|(i, e)| match (e.event_type(), e.kv()) {
                (etcd_client::EventType::Put, Some(kv))
                    if kv.create_revision() == kv.mod_revision() =>
                {
                    None
                }
                (_, Some(kv)) => Some((i, kv)),
                (_, None) => None,
            })
            .collect();
        for chunk in wanted.chunks(MAX_TXN_OPS) {
            let mut oldest = Revision::MAX;
            let reads: Vec<_> = chunk
                .iter()
                .map(|(_, kv)| {
                    let at = kv.mod_revision().saturating_sub(1);
                    oldest = oldest.min(rev(at));
                    etcd_client::TxnOp::get(kv.key(), Some(GetOptions::new().with_revision(at)))
                })
                .collect();
            let resp = self
                .store
                .kv()
                .txn(Txn::new().and_then(reads))
                .await
                .map_err(|e| map_err(e, oldest, self.store.compacted()))?;
            let found = resp.op_responses();
            if found.len() != chunk.len() {
                return Err(StoreError::Backend(
                    "etcd: wrong number of answers reading previous values".into(),
                ));
            }
            for ((i, _), r) in chunk.iter().zip(found) {
                let TxnOpResponse::Get(g) = r else {
                    return Err(StoreError::Backend(
                        "etcd: unexpected answer reading previous values".into(),
                    ));
                };
                out[*i] = g
                    .kvs()
                    .first()
                    .map(|kv| self.store.convert(kv))
                    .transpose()?;
            }
        }
        Ok(out)
    }

    async fn next(mut self) -> Option<(Result<Event>, Self)> {
        loop {
            if let Some(item) = self.pending.pop_front() {
                if let Ok(e) = &item {
                    self.last = e.revision();
                }
                return Some((item, self));
            }
            if self.done {
                return None;
            }
            match self.stream.message().await {
                Ok(Some(resp)) => {
                    if resp.compact_revision() > 0 {
                        self.done = true;
                        self.pending.push_back(Err(StoreError::Expired {
                            requested: self.last,
                            oldest: rev(resp.compact_revision()),
                        }));
                    } else if resp.canceled() {
                        self.done = true;
                        self.pending.push_back(Err(StoreError::Backend(format!(
                            "etcd: watch canceled: {}",
                            resp.cancel_reason()
                        ))));
                    } else {
                        match self.previous(resp.events()).await {
                            Ok(prevs) => {
                                for (e, prev) in resp.events().iter().zip(prevs) {
                                    let item = self.event(e, prev);
                                    self.pending.push_back(item);
                                }
                            }
                            Err(err) => {
                                self.done = true;
                                self.pending.push_back(Err(err));
                            }
                        }
                    }
                }
                Ok(None) => return None,
                Err(e) => {
                    self.done = true;
                    let err = map_err(e, self.last, self.store.compacted());
                    self.pending.push_back(Err(err));
                }
            }
        }
    }
}

#[async_trait]
impl Store for EtcdStore {
    async fn get(&self, key: &str) -> Result<Option<KeyValue>> {
        let resp = self.kv().get(self.full(key), None).await.map_err(backend)?;
        resp.kvs().first().map(|kv| self.convert(kv)).transpose()
    }

    async fn list(&self, prefix: &str, opts: ListOptions) -> Result<ListResult> {
        let (start, end) = self.range(prefix, opts.start_after.as_deref());
        let mut get = GetOptions::new().with_range(end);
        match opts.limit {
            // etcd reads limit 0 as "no limit"; ask for one to learn `more`.
            Some(0) => get = get.with_count_only(),
            Some(l) => get = get.with_limit(i64::try_from(l).unwrap_or(i64::MAX)),
            None => {}
        }
        let at = opts.revision.filter(|&r| r > 0);
        if let Some(r) = at {
            get = get.with_revision(etcd_rev(r));
        }
        let resp = self
            .kv()
            .get(start, Some(get))
            .await
            .map_err(|e| map_err(e, at.unwrap_or(0), self.compacted()))?;
        let items = resp
            .kvs()
            .iter()
            .map(|kv| self.convert(kv))
            .collect::<Result<Vec<_>>>()?;
        let more = match opts.limit {
            Some(0) => resp.count() > 0,
            _ => resp.more(),
        };
        let revision = match at {
            Some(r) => r,
            None => header_revision(resp.header())?,
        };
        Ok(ListResult {
            items,
            revision,
            more,
        })
    }

    async fn create(&self, key: &str, value: Bytes) -> Result<KeyValue> {
        self.lone(TxnOp::Create {
            key: key.to_string(),
            value,
        })
        .await
    }

    async fn update(&self, key: &str, expected: Revision, value: Bytes) -> Result<KeyValue> {
        self.lone(TxnOp::Update {
            key: key.to_string(),
            expected,
            value,
        })
        .await
    }

    async fn delete(&self, key: &str, expected: Option<Revision>) -> Result<KeyValue> {
        self.lone(TxnOp::Delete {
            key: key.to_string(),
            expected,
        })
        .await
    }

    async fn txn(&self, ops: Vec<TxnOp>) -> Result<Vec<KeyValue>> {
        self.run_txn(ops).await
    }

    async fn watch(&self, prefix: &str, after: Revision) -> Result<WatchStream> {
        let (start, end) = self.range(prefix, None);
        if after > 0 {
            // etcd reports a compacted start only on the stream; a read at
            // `after` tells now (a future revision is fine for a watch).
            let probe = GetOptions::new()
                .with_range(end.clone())
                .with_count_only()
                .with_revision(etcd_rev(after));
            match self.kv().get(start.clone(), Some(probe)).await {
                Ok(_) => {}
                Err(e) => match map_err(e, after, self.compacted()) {
                    expired @ StoreError::Expired { .. } => return Err(expired),
                    StoreError::Backend(msg) if msg.contains("future revision") => {}
                    other => return Err(other),
                },
            }
        }
        let i = self.inner.next.fetch_add(1, Ordering::Relaxed) % self.inner.clients.len();
        let options = WatchOptions::new()
            .with_range(end)
            .with_start_revision(etcd_rev(after.saturating_add(1)));
        let stream = self.inner.clients[i]
            .watch_client()
            .max_decoding_message_size(MAX_MESSAGE)
            .watch(start, Some(options))
            .await
            .map_err(backend)?;
        let state = WatchState {
            store: self.clone(),
            stream,
            pending: VecDeque::new(),
            last: after,
            done: false,
        };
        Ok(Box::pin(futures::stream::unfold(state, WatchState::next)))
    }

    async fn current_revision(&self) -> Result<Revision> {
        let probe = if self.inner.prefix.is_empty() {
            "/".to_string()
        } else {
            self.inner.prefix.clone()
        };
        let resp = self
            .kv()
            .get(probe, Some(GetOptions::new().with_count_only()))
            .await
            .map_err(backend)?;
        header_revision(resp.header())
    }

    async fn compact(&self, revision: Revision) -> Result<()> {
        match self.kv().compact(etcd_rev(revision), None).await {
            Ok(_) => {
                self.inner.compacted.fetch_max(revision, Ordering::Relaxed);
                Ok(())
            }
            Err(e) if e.to_string().contains(COMPACTED) => Ok(()),
            Err(e) => Err(backend(e)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::prefix_end;

    #[test]
    fn prefix_end_increments_the_last_byte() {
        assert_eq!(prefix_end(b"/registry/pods/"), b"/registry/pods0".to_vec());
        assert_eq!(prefix_end(b"a\xff"), b"b".to_vec());
        assert_eq!(prefix_end(b"\xff\xff"), vec![0]);
        assert_eq!(prefix_end(b""), vec![0]);
    }
}

/// Against the etcd at `RKUBE_TEST_ETCD_ENDPOINTS` (as `tests/etcd.rs`,
/// which runs the conformance suite): concurrent creates with their own
/// answers, and the watch's own reads of previous values.
#[cfg(test)]
mod live {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    use bytes::Bytes;
    use futures::StreamExt;

    use super::{EtcdConfig, EtcdStore};
    use crate::conformance::{next_event, shared_access};
    use crate::{EventType, Store, StoreError};

    fn config() -> EtcdConfig {
        static COUNTER: AtomicUsize = AtomicUsize::new(0);
        let endpoints = std::env::var("RKUBE_TEST_ETCD_ENDPOINTS")
            .expect("RKUBE_TEST_ETCD_ENDPOINTS is not set (./scripts/test starts an etcd)");
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        EtcdConfig {
            prefix: format!(
                "/rkube-test/etcd-live-{}-{nanos}-{}",
                std::process::id(),
                COUNTER.fetch_add(1, Ordering::Relaxed)
            ),
            compaction_interval: None,
            ..EtcdConfig::new(endpoints.split(',').map(|s| s.trim().to_string()))
        }
    }

    async fn store() -> Arc<EtcdStore> {
        Arc::new(EtcdStore::connect(config()).await.unwrap())
    }

    /// A watch replaying many updates (more than one read transaction's
    /// worth in one etcd response) reports each one's previous value.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn watch_replay_reads_previous_values() {
        let _guard = shared_access().await;
        let store = EtcdStore::connect(config()).await.unwrap();
        let first = store.create("/w/a", Bytes::from("0")).await.unwrap();
        let mut versions = vec![first.clone()];
        for i in 1..300 {
            let last = versions.last().unwrap();
            let kv = store
                .update("/w/a", last.mod_revision, Bytes::from(i.to_string()))
                .await
                .unwrap();
            versions.push(kv);
        }
        let gone = store.delete("/w/a", None).await.unwrap();
        let mut watch = store.watch("/w/", first.mod_revision).await.unwrap();
        for pair in versions.windows(2) {
            let e = next_event(&mut watch).await;
            assert_eq!(e.kind, EventType::Put);
            assert_eq!(e.kv, pair[1]);
            assert_eq!(e.prev.as_ref(), Some(&pair[0]));
        }
        let e = next_event(&mut watch).await;
        assert_eq!(e.kind, EventType::Delete);
        assert_eq!(e.kv, gone);
        assert_eq!(e.prev.as_ref(), versions.last());
    }

    /// Many concurrent creates, some of keys that exist and some of the same
    /// key twice: each gets its own correct answer, and a watch sees every
    /// created key once, as a create.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn concurrent_writes_get_their_own_answers() {
        let _guard = shared_access().await;
        let store = store().await;
        for i in 0..10 {
            store
                .create(&format!("/k/{i}"), Bytes::from("old"))
                .await
                .unwrap();
        }
        let start = store.current_revision().await.unwrap();
        let mut watch = store.watch("/k/", start).await.unwrap();
        // Keys 0..10 exist; 10..100 are new, and 50..60 are created twice.
        let keys: Vec<usize> = (0..100).chain(50..60).collect();
        let tasks: Vec<_> = keys
            .iter()
            .map(|&i| {
                let store = store.clone();
                tokio::spawn(async move {
                    let key = format!("/k/{i}");
                    (i, store.create(&key, Bytes::from(key.clone())).await)
                })
            })
            .collect();
        let mut created = std::collections::BTreeMap::new();
        let mut refused = Vec::new();
        for t in tasks {
            match t.await.unwrap() {
                (i, Ok(kv)) => {
                    assert_eq!(kv.key, format!("/k/{i}"));
                    assert_eq!(kv.value, Bytes::from(kv.key.clone()));
                    assert_eq!(kv.create_revision, kv.mod_revision);
                    assert!(kv.mod_revision > start);
                    let read = store.get(&kv.key).await.unwrap().unwrap();
                    assert_eq!(read, kv);
                    assert!(created.insert(i, kv).is_none(), "key {i} created twice");
                }
                (i, Err(StoreError::AlreadyExists(k))) => {
                    assert_eq!(k, format!("/k/{i}"));
                    refused.push(i);
                }
                (i, Err(e)) => panic!("create {i}: {e}"),
            }
        }
        refused.sort_unstable();
        let expected: Vec<usize> = (0..10).chain(50..60).collect();
        assert_eq!(refused, expected);
        assert_eq!(
            created.keys().copied().collect::<Vec<_>>(),
            (10..100).collect::<Vec<_>>()
        );
        let mut seen = std::collections::BTreeMap::new();
        while seen.len() < created.len() {
            let e = next_event(&mut watch).await;
            assert_eq!(e.kind, EventType::Put);
            assert_eq!(e.prev, None);
            assert!(seen.insert(e.kv.key.clone(), e.kv).is_none());
        }
        for kv in created.values() {
            assert_eq!(seen.get(&kv.key), Some(kv));
        }
        // Updates and deletes report previous values.
        let kv = &created[&10];
        let new = store
            .update(&kv.key, kv.mod_revision, Bytes::from("new"))
            .await
            .unwrap();
        let e = next_event(&mut watch).await;
        assert_eq!(e.kv, new);
        assert_eq!(e.prev.as_ref(), Some(kv));
        store.delete(&kv.key, Some(new.mod_revision)).await.unwrap();
        let e = next_event(&mut watch).await;
        assert_eq!(e.kind, EventType::Delete);
        assert_eq!(e.prev, Some(new));
        assert!(
            futures::poll!(watch.next()).is_pending(),
            "no further events"
        );
    }
}
