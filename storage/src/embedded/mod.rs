//! The embedded store, rkube's default: one file under the data directory.
//!
//! Design (see `shared/PERFORMANCE.md`): the current value of every key lives
//! in memory (a `BTreeMap`), and every committed transaction is appended to
//! `<dir>/store.db` as a checksummed record. A single writer thread
//! group-commits: it drains all waiting writes, assigns their revisions in
//! order, appends them and calls `fdatasync` once per batch before
//! acknowledging any of them, so an acknowledged write survives `kill -9` and
//! power loss. Opening replays the file, dropping a torn last record. Once
//! at least half of the file is dead records (values since replaced or
//! deleted) and it is past [`EmbeddedConfig::snapshot_min_bytes`], the writer
//! rewrites it as a snapshot under the same name (write, fsync, rename, fsync
//! the directory). A log of live data only (creates) is never rewritten:
//! that would copy it and free nothing.
//!
//! A bounded ring of recent events ([`EmbeddedConfig::history_limit`]) serves
//! watches that resume from a past revision and lists at a past revision
//! (by undoing later events); anything older is [`StoreError::Expired`]. Each
//! watcher has a bounded queue; one that falls behind has its stream ended.
//! The directory is locked (`flock`) while the store is open.

mod log;
mod state;
mod writer;

use std::fs::{File, OpenOptions};
use std::io::{Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock, RwLockReadGuard, RwLockWriteGuard};
use std::thread::JoinHandle;
use std::time::Duration;

use async_trait::async_trait;
use bytes::Bytes;
use futures::StreamExt;
use tokio::sync::{mpsc, oneshot};
use tokio_stream::wrappers::ReceiverStream;

use crate::{
    KeyValue, ListOptions, ListResult, Result, Revision, Store, StoreError, TxnOp, WatchStream,
};
use log::{MAGIC, decode_frames};
use state::{State, Watcher};
use writer::{Request, Writer, sync_dir};

/// Name of the store file inside the data directory.
pub const FILE_NAME: &str = "store.db";
/// Name of the temporary file a snapshot is written to before the rename.
pub(crate) const TMP_NAME: &str = "store.db.tmp";

/// Tuning of the embedded store. `Default` gives the production values.
#[derive(Clone, Debug)]
pub struct EmbeddedConfig {
    /// Most recent events kept for watches and past-revision lists
    /// (default 10,000). Older revisions are `Expired`.
    pub history_limit: usize,
    /// Events a watcher may have queued before its stream is ended
    /// (default 10,000).
    pub watch_queue: usize,
    /// Most writes committed with one fsync (default 4,096).
    pub max_batch: usize,
    /// Writes that may wait for the writer before callers wait too
    /// (default 16,384).
    pub request_queue: usize,
    /// The file is rewritten as a snapshot once it exceeds both this size and
    /// twice the size of a snapshot of the live data (default 64 MiB).
    pub snapshot_min_bytes: u64,
    /// How long the writer waits for more writes before a commit, when the
    /// previous commit carried at least `commit_siblings` of them (default
    /// 300 µs; zero never waits). As PostgreSQL's `commit_delay`: under load
    /// one fsync then covers more writes, for less CPU per write; a lone
    /// writer never waits.
    pub commit_delay: Duration,
    /// Writes the previous commit must have carried for the next one to
    /// wait `commit_delay` (default 4).
    pub commit_siblings: usize,
}

impl Default for EmbeddedConfig {
    fn default() -> Self {
        EmbeddedConfig {
            history_limit: 10_000,
            watch_queue: 10_000,
            max_batch: 4_096,
            request_queue: 16_384,
            snapshot_min_bytes: 64 << 20,
            commit_delay: Duration::from_micros(300),
            commit_siblings: 4,
        }
    }
}

/// What the writer thread and the readers share.
pub(crate) struct Shared {
    state: RwLock<State>,
    config: EmbeddedConfig,
    /// Appends made durable (one fsync each) since the store was opened.
    pub(crate) commits: AtomicU64,
    /// Snapshot rewrites of the file since the store was opened.
    pub(crate) rewrites: AtomicU64,
}

impl Shared {
    fn read(&self) -> RwLockReadGuard<'_, State> {
        // The state is only changed in small steps that cannot panic midway;
        // a poisoned lock still guards consistent data.
        self.state.read().unwrap_or_else(|e| e.into_inner())
    }

    fn write(&self) -> RwLockWriteGuard<'_, State> {
        self.state.write().unwrap_or_else(|e| e.into_inner())
    }
}

/// The embedded store. Cheap to clone (a handle); the file is closed and the
/// directory unlocked when the last handle is dropped.
#[derive(Clone)]
pub struct EmbeddedStore {
    inner: Arc<Inner>,
}

struct Inner {
    shared: Arc<Shared>,
    tx: Option<mpsc::Sender<Request>>,
    writer: Option<JoinHandle<()>>,
    path: PathBuf,
}

impl Drop for Inner {
    fn drop(&mut self) {
        // Closing the channel stops the writer; waiting for it releases the
        // directory lock before a reopen in the same process.
        self.tx.take();
        if let Some(w) = self.writer.take() {
            let _ = w.join();
        }
    }
}

impl std::fmt::Debug for EmbeddedStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EmbeddedStore")
            .field("path", &self.inner.path)
            .finish_non_exhaustive()
    }
}

/// Opens (or creates) the embedded store in `dir` with the default
/// configuration, ready to share as `Arc<dyn Store>`.
pub fn open_embedded(dir: impl AsRef<Path>) -> Result<Arc<dyn Store>> {
    Ok(Arc::new(EmbeddedStore::open(
        dir,
        EmbeddedConfig::default(),
    )?))
}

fn io_error(what: &str, path: &Path, e: std::io::Error) -> StoreError {
    StoreError::Backend(format!("{what} {}: {e}", path.display()))
}

impl EmbeddedStore {
    /// Opens (or creates) the store in directory `dir` (created if missing),
    /// replaying `dir/store.db`. Fails if another process has it open.
    /// Needs no async runtime; the writer runs on its own thread.
    pub fn open(dir: impl AsRef<Path>, config: EmbeddedConfig) -> Result<Self> {
        let dir = dir.as_ref().to_path_buf();
        std::fs::create_dir_all(&dir).map_err(|e| io_error("creating", &dir, e))?;
        let dir_lock = File::open(&dir).map_err(|e| io_error("opening", &dir, e))?;
        match dir_lock.try_lock() {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => {
                return Err(StoreError::Backend(format!(
                    "the store in {} is already open (by this or another process)",
                    dir.display()
                )));
            }
            Err(std::fs::TryLockError::Error(e)) => return Err(io_error("locking", &dir, e)),
        }
        let path = dir.join(FILE_NAME);
        let tmp = dir.join(TMP_NAME);
        match std::fs::remove_file(&tmp) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                return Err(io_error("removing", &tmp, e));
            }
            _ => {}
        }
        let mut state = State::new(config.history_limit);
        let (file, file_len) = load(&dir, &path, &mut state)?;
        let shared = Arc::new(Shared {
            state: RwLock::new(state),
            config: config.clone(),
            commits: AtomicU64::new(0),
            rewrites: AtomicU64::new(0),
        });
        let (tx, rx) = mpsc::channel(config.request_queue.max(1));
        let writer = Writer {
            shared: shared.clone(),
            rx,
            file,
            dir,
            path: path.clone(),
            file_len,
            retry_len: 0,
            _dir_lock: dir_lock,
        };
        let handle = std::thread::Builder::new()
            .name("rkube-store-writer".into())
            .spawn(move || writer.run())
            .map_err(|e| StoreError::Backend(format!("starting the store writer: {e}")))?;
        Ok(EmbeddedStore {
            inner: Arc::new(Inner {
                shared,
                tx: Some(tx),
                writer: Some(handle),
                path,
            }),
        })
    }

    /// The path of the store file.
    pub fn path(&self) -> &Path {
        &self.inner.path
    }

    /// Appends made durable since the store was opened: one fsync each,
    /// covering every write of its batch.
    pub fn commits(&self) -> u64 {
        self.inner.shared.commits.load(Ordering::Relaxed)
    }

    /// Snapshot rewrites of the file since the store was opened (see the
    /// module doc for when one is due).
    pub fn rewrites(&self) -> u64 {
        self.inner.shared.rewrites.load(Ordering::Relaxed)
    }

    /// The oldest revision a watch or list can still start from.
    pub fn oldest_revision(&self) -> Revision {
        self.inner.shared.read().history_start
    }

    async fn request<T>(
        &self,
        make: impl FnOnce(oneshot::Sender<Result<T>>) -> Request,
    ) -> Result<T> {
        let closed = || StoreError::Backend("the embedded store is closed".into());
        let tx = self.inner.tx.as_ref().ok_or_else(closed)?;
        let (reply, rx) = oneshot::channel();
        tx.send(make(reply)).await.map_err(|_| closed())?;
        rx.await.map_err(|_| closed())?
    }

    async fn one(&self, op: TxnOp) -> Result<KeyValue> {
        let mut kvs = self.txn(vec![op]).await?;
        kvs.pop()
            .ok_or_else(|| StoreError::Backend("the store returned no result".into()))
    }
}

/// Opens or creates the file, replays it into `state`, and returns it
/// positioned for appending with its length.
fn load(dir: &Path, path: &Path, state: &mut State) -> Result<(File, u64)> {
    let data = match std::fs::read(path) {
        Ok(d) => d,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
        Err(e) => return Err(io_error("reading", path, e)),
    };
    let mut file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(path)
        .map_err(|e| io_error("opening", path, e))?;
    if data.len() < MAGIC.len() {
        // New, or a crash while creating it: nothing was ever acknowledged.
        if !MAGIC.starts_with(&data) && data.iter().any(|&b| b != 0) {
            return Err(StoreError::Backend(format!(
                "{} is not an rkube store file",
                path.display()
            )));
        }
        file.set_len(0)
            .map_err(|e| io_error("truncating", path, e))?;
        file.write_all(MAGIC)
            .and_then(|()| file.sync_all())
            .map_err(|e| io_error("writing", path, e))?;
        sync_dir(dir).map_err(|e| io_error("syncing", dir, e))?;
        return Ok((file, MAGIC.len() as u64));
    }
    if &data[..MAGIC.len()] != MAGIC {
        return Err(StoreError::Backend(format!(
            "{} is not an rkube store file",
            path.display()
        )));
    }
    let (records, used, err) = decode_frames(&data[MAGIC.len()..]);
    for record in records {
        state
            .replay(record)
            .map_err(|e| StoreError::Backend(format!("{}: {e}", path.display())))?;
    }
    let good = (MAGIC.len() + used) as u64;
    if let Some(e) = err {
        tracing::warn!(
            "{}: dropping {} bytes after offset {good} ({e}); a write in progress at a crash is never acknowledged",
            path.display(),
            data.len() as u64 - good
        );
        file.set_len(good)
            .and_then(|()| file.sync_all())
            .map_err(|e| io_error("truncating", path, e))?;
    }
    file.seek(SeekFrom::Start(good))
        .map_err(|e| io_error("seeking", path, e))?;
    Ok((file, good))
}

#[async_trait]
impl Store for EmbeddedStore {
    async fn get(&self, key: &str) -> Result<Option<KeyValue>> {
        Ok(self.inner.shared.read().kv.get(key).cloned())
    }

    async fn list(&self, prefix: &str, opts: ListOptions) -> Result<ListResult> {
        self.inner.shared.read().list(prefix, &opts)
    }

    async fn create(&self, key: &str, value: Bytes) -> Result<KeyValue> {
        self.one(TxnOp::Create {
            key: key.to_string(),
            value,
        })
        .await
    }

    async fn update(&self, key: &str, expected: Revision, value: Bytes) -> Result<KeyValue> {
        self.one(TxnOp::Update {
            key: key.to_string(),
            expected,
            value,
        })
        .await
    }

    async fn delete(&self, key: &str, expected: Option<Revision>) -> Result<KeyValue> {
        self.one(TxnOp::Delete {
            key: key.to_string(),
            expected,
        })
        .await
    }

    async fn txn(&self, ops: Vec<TxnOp>) -> Result<Vec<KeyValue>> {
        self.request(|reply| Request::Txn { ops, reply }).await
    }

    async fn watch(&self, prefix: &str, after: Revision) -> Result<WatchStream> {
        let (tx, rx) = mpsc::channel(self.inner.shared.config.watch_queue.max(1));
        let backlog = {
            let mut st = self.inner.shared.write();
            if let Some(reason) = &st.closed {
                return Err(StoreError::Backend(reason.clone()));
            }
            let backlog = st.events_after(prefix, after)?;
            st.watchers.push(Watcher {
                prefix: prefix.to_string(),
                tx,
            });
            backlog
        };
        let stream =
            futures::stream::iter(backlog.into_iter().map(Ok)).chain(ReceiverStream::new(rx));
        Ok(Box::pin(stream))
    }

    async fn current_revision(&self) -> Result<Revision> {
        Ok(self.inner.shared.read().revision)
    }

    async fn compact(&self, revision: Revision) -> Result<()> {
        self.request(|reply| Request::Compact { revision, reply })
            .await
    }
}
