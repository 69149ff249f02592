//! The embedded store's single writer thread: group commit.
//!
//! Every write request goes through one channel. The writer takes all that
//! are waiting (up to `max_batch`; when the previous commit was shared by at
//! least `commit_siblings` writes, after waiting `commit_delay` for more),
//! checks each against the current state plus the earlier ones of the batch,
//! gives each successful one the next revision, appends their records with
//! one `write` and one `fdatasync`, then applies them to the in-memory state,
//! tells the watchers, and answers every caller.
//! One fsync thus covers as many writes as there are concurrent clients.
//! When at least half of the file is dead records, the writer rewrites it as
//! a snapshot (new file, fsync, rename over the old one, fsync the directory).

use std::collections::HashMap;
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::Ordering;

use tokio::sync::{mpsc, oneshot};

use super::log::{MAGIC, Record, encode_frame};
use super::state::{prepare_txn, txn_record};
use super::{Shared, TMP_NAME};
use crate::{Event, EventType, KeyValue, Result, Revision, StoreError, TxnOp};

/// A request to the writer.
pub(crate) enum Request {
    /// Apply `ops` atomically.
    Txn {
        ops: Vec<TxnOp>,
        reply: oneshot::Sender<Result<Vec<KeyValue>>>,
    },
    /// Forget history at or before `revision`.
    Compact {
        revision: Revision,
        reply: oneshot::Sender<Result<()>>,
    },
}

/// What to answer a request once its batch is durable.
enum Outcome {
    Txn(
        oneshot::Sender<Result<Vec<KeyValue>>>,
        Result<Vec<KeyValue>>,
    ),
    Compact(oneshot::Sender<Result<()>>, Result<()>),
}

impl Outcome {
    /// Answers the caller, replacing a success by `failure` if given.
    fn send(self, failure: Option<&str>) {
        // A caller that went away no longer needs the answer.
        match self {
            Outcome::Txn(reply, r) => {
                let _ = reply.send(failed(r, failure));
            }
            Outcome::Compact(reply, r) => {
                let _ = reply.send(failed(r, failure));
            }
        }
    }
}

/// `r`, or a backend error if the batch failed and `r` was a success.
fn failed<T>(r: Result<T>, failure: Option<&str>) -> Result<T> {
    match failure {
        Some(msg) if r.is_ok() => Err(StoreError::Backend(msg.to_string())),
        _ => r,
    }
}

/// The writer thread's state.
pub(crate) struct Writer {
    pub(crate) shared: Arc<Shared>,
    pub(crate) rx: mpsc::Receiver<Request>,
    pub(crate) file: File,
    pub(crate) dir: PathBuf,
    pub(crate) path: PathBuf,
    /// Bytes in the file now.
    pub(crate) file_len: u64,
    /// After a failed rewrite, no new attempt before the file reaches this.
    pub(crate) retry_len: u64,
    /// Held (flock) for as long as the writer runs.
    pub(crate) _dir_lock: File,
}

impl Writer {
    /// Runs until every store handle is dropped.
    pub(crate) fn run(mut self) {
        let max_batch = self.shared.config.max_batch.max(1);
        let mut batch = Vec::with_capacity(max_batch);
        let mut buf = Vec::with_capacity(1 << 16);
        let delay = self.shared.config.commit_delay;
        let siblings = self.shared.config.commit_siblings.max(1);
        let mut previous = 0;
        while let Some(first) = self.rx.blocking_recv() {
            batch.push(first);
            self.drain(&mut batch, max_batch);
            // Busy (the last commit was shared): give the other writers a
            // moment to join this one.
            if !delay.is_zero() && previous >= siblings && batch.len() < max_batch {
                std::thread::sleep(delay);
                self.drain(&mut batch, max_batch);
            }
            previous = batch.len();
            self.commit(&mut batch, &mut buf);
            if buf.capacity() > 1 << 24 {
                buf = Vec::with_capacity(1 << 16);
            }
        }
        self.close("the store was closed".to_string());
    }

    /// Adds the requests already waiting to `batch`, up to `max` in all.
    fn drain(&mut self, batch: &mut Vec<Request>, max: usize) {
        while batch.len() < max {
            match self.rx.try_recv() {
                Ok(r) => batch.push(r),
                Err(_) => break,
            }
        }
    }

    /// Stops serving: ends every watch and refuses later requests.
    fn close(&self, reason: String) {
        let mut st = self.shared.write();
        st.closed.get_or_insert(reason);
        st.watchers.clear();
    }

    /// Commits one batch of requests (see the module doc).
    fn commit(&mut self, batch: &mut Vec<Request>, buf: &mut Vec<u8>) {
        buf.clear();
        let mut outcomes = Vec::with_capacity(batch.len());
        let mut committed: Vec<(Revision, Vec<Event>)> = Vec::new();
        let mut compact_to: Option<Revision> = None;
        let closed = {
            let st = self.shared.read();
            let mut revision = st.revision;
            let mut pending: HashMap<String, Option<KeyValue>> = HashMap::new();
            for req in batch.drain(..) {
                match req {
                    Request::Txn { ops, reply } => {
                        if ops.is_empty() {
                            outcomes.push(Outcome::Txn(reply, Ok(Vec::new())));
                            continue;
                        }
                        match prepare_txn(&st, &pending, &ops, revision + 1) {
                            Ok((results, events)) => {
                                revision += 1;
                                for e in &events {
                                    let now = match e.kind {
                                        EventType::Put => Some(e.kv.clone()),
                                        EventType::Delete => None,
                                    };
                                    pending.insert(e.kv.key.clone(), now);
                                }
                                encode_frame(&txn_record(revision, &events), buf);
                                committed.push((revision, events));
                                outcomes.push(Outcome::Txn(reply, Ok(results)));
                            }
                            Err(e) => outcomes.push(Outcome::Txn(reply, Err(e))),
                        }
                    }
                    Request::Compact {
                        revision: to,
                        reply,
                    } => {
                        if to > revision {
                            let err = StoreError::Backend(format!(
                                "cannot compact at future revision {to} (current revision {revision})"
                            ));
                            outcomes.push(Outcome::Compact(reply, Err(err)));
                        } else {
                            if to > st.history_start {
                                encode_frame(&Record::Compact { revision: to }, buf);
                                compact_to = Some(compact_to.unwrap_or(0).max(to));
                            }
                            outcomes.push(Outcome::Compact(reply, Ok(())));
                        }
                    }
                }
            }
            st.closed.clone()
        };
        if let Some(reason) = closed {
            for o in outcomes {
                o.send(Some(&reason));
            }
            return;
        }
        if !buf.is_empty() {
            if let Err(e) = self
                .file
                .write_all(buf)
                .and_then(|()| self.file.sync_data())
            {
                let reason = format!("writing {}: {e}", self.path.display());
                tracing::error!("embedded store failed, refusing further writes: {reason}");
                self.close(reason.clone());
                for o in outcomes {
                    o.send(Some(&reason));
                }
                return;
            }
            self.file_len += buf.len() as u64;
            self.shared.commits.fetch_add(1, Ordering::Relaxed);
        }
        if !committed.is_empty() || compact_to.is_some() {
            let mut st = self.shared.write();
            let mut all = Vec::new();
            for (revision, events) in committed {
                st.apply(revision, events.clone());
                all.extend(events);
            }
            if let Some(to) = compact_to {
                st.compact(to);
            }
            st.broadcast(&all);
        }
        for o in outcomes {
            o.send(None);
        }
        // A snapshot of the live data would take `live`: rewrite once dead
        // records are at least half of the file.
        let live = MAGIC.len() as u64 + self.shared.read().live_bytes;
        let threshold = self
            .shared
            .config
            .snapshot_min_bytes
            .max(live.saturating_mul(2))
            .max(self.retry_len);
        if self.file_len > threshold {
            match self.rewrite() {
                Ok(()) => {
                    self.shared.rewrites.fetch_add(1, Ordering::Relaxed);
                }
                Err(e) => {
                    tracing::warn!(
                        "embedded store: rewriting {} failed, keeping the log: {e}",
                        self.path.display()
                    );
                    // Don't retry on every batch.
                    self.retry_len = self.file_len.saturating_mul(2);
                }
            }
        }
    }

    /// Replaces the log by a snapshot of the current state.
    fn rewrite(&mut self) -> std::io::Result<()> {
        let (revision, kvs) = {
            let st = self.shared.read();
            (st.revision, st.kv.values().cloned().collect::<Vec<_>>())
        };
        let tmp = self.dir.join(TMP_NAME);
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(true)
            .open(&tmp)?;
        let mut buf = Vec::with_capacity(1 << 20);
        buf.extend_from_slice(MAGIC);
        encode_frame(&Record::Snapshot { revision }, &mut buf);
        let mut len = 0u64;
        for kv in kvs {
            encode_frame(&Record::SnapshotKv(kv), &mut buf);
            if buf.len() >= 1 << 20 {
                file.write_all(&buf)?;
                len += buf.len() as u64;
                buf.clear();
            }
        }
        file.write_all(&buf)?;
        len += buf.len() as u64;
        file.sync_all()?;
        std::fs::rename(&tmp, &self.path)?;
        sync_dir(&self.dir)?;
        tracing::debug!(
            "embedded store: rewrote {} ({} -> {len} bytes) at revision {revision}",
            self.path.display(),
            self.file_len
        );
        self.file = file;
        self.file_len = len;
        self.retry_len = 0;
        Ok(())
    }
}

/// Makes a rename or create in `dir` durable.
pub(crate) fn sync_dir(dir: &Path) -> std::io::Result<()> {
    File::open(dir)?.sync_all()
}
