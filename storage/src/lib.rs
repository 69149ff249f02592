//! Storage for rkube: one [`Store`] trait, two backends.
//!
//! Keys are `/`-separated strings (the API server uses
//! `/registry/<group>/<plural>/<namespace>/<name>`), values are opaque bytes
//! (the encoded object). Every successful write gets the next value of one
//! store-wide, strictly increasing revision; `mod_revision` of a key is the
//! revision of its last write, and doubles as the object's `resourceVersion`.
//!
//! Watches deliver every change with a revision greater than the one asked
//! for, in revision order, with previous values. A revision older than the
//! retained history yields [`StoreError::Expired`].
//!
//! Backends: [`embedded::EmbeddedStore`] (the default, one file under the
//! data directory) and [`etcd::EtcdStore`]. Both are used as
//! `Arc<dyn Store>`; [`conformance`] is the test suite both pass, public so
//! that other crates can run it against their own stores or wrappers.
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use std::sync::Arc;
//! use storage::{Store, StoreError};
//!
//! let dir = tempfile::tempdir()?;
//! let store: Arc<dyn Store> = storage::open_embedded(dir.path())?;
//! let kv = store.create("/registry/pods/default/web", "{}".into()).await?;
//! let new = store.update(&kv.key, kv.mod_revision, "{\"a\":1}".into()).await?;
//! assert!(new.mod_revision > kv.mod_revision);
//! // A stale resourceVersion is refused, with the current value.
//! match store.update(&kv.key, kv.mod_revision, "{}".into()).await {
//!     Err(StoreError::Conflict { current, .. }) => assert_eq!(current.as_deref(), Some(&new)),
//!     other => panic!("{other:?}"),
//! }
//! # Ok(())
//! # }
//! ```
#![warn(missing_docs)]

pub mod conformance;
pub mod embedded;
pub mod etcd;

use std::pin::Pin;

use async_trait::async_trait;
use bytes::Bytes;
use futures::Stream;

pub use embedded::{EmbeddedConfig, EmbeddedStore, open_embedded};
pub use etcd::{EtcdConfig, EtcdStore, open_etcd};

/// A store-wide revision. `0` means "none" / "current" depending on context.
pub type Revision = u64;

/// One stored key with its value and revisions.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyValue {
    /// The full key.
    pub key: String,
    /// The stored bytes.
    pub value: Bytes,
    /// Revision at which the key was created.
    pub create_revision: Revision,
    /// Revision of the last write to the key (its `resourceVersion`).
    pub mod_revision: Revision,
}

/// What happened to a key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EventType {
    /// Created or updated.
    Put,
    /// Deleted.
    Delete,
}

/// One change delivered by a watch.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Event {
    /// Put or delete.
    pub kind: EventType,
    /// For a put, the new value; for a delete, the key with the *last* value
    /// and `mod_revision` set to the revision of the deletion.
    pub kv: KeyValue,
    /// The value before this change (`None` for a create).
    pub prev: Option<KeyValue>,
}

impl Event {
    /// The revision at which this change happened.
    pub fn revision(&self) -> Revision {
        self.kv.mod_revision
    }
}

/// Options for [`Store::list`].
#[derive(Clone, Debug, Default)]
pub struct ListOptions {
    /// Only keys strictly greater than this one (for pagination).
    pub start_after: Option<String>,
    /// At most this many items (`None` = all).
    pub limit: Option<usize>,
    /// Read at this revision (`None` = current). Older than the retained
    /// history → [`StoreError::Expired`].
    pub revision: Option<Revision>,
}

/// The answer to [`Store::list`].
#[derive(Clone, Debug, Default)]
pub struct ListResult {
    /// Matching keys in key order.
    pub items: Vec<KeyValue>,
    /// The revision the list was read at.
    pub revision: Revision,
    /// Whether more keys follow the last one returned.
    pub more: bool,
}

/// One operation of an atomic [`Store::txn`].
#[derive(Clone, Debug)]
pub enum TxnOp {
    /// Create a key that must not exist.
    Create {
        /// Key.
        key: String,
        /// Value.
        value: Bytes,
    },
    /// Replace a key whose `mod_revision` must equal `expected`.
    Update {
        /// Key.
        key: String,
        /// Required current `mod_revision`.
        expected: Revision,
        /// New value.
        value: Bytes,
    },
    /// Delete a key; if `expected` is set the current `mod_revision` must equal it.
    Delete {
        /// Key.
        key: String,
        /// Optional required current `mod_revision`.
        expected: Option<Revision>,
    },
}

/// Errors from a store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The key does not exist.
    #[error("key {0} not found")]
    NotFound(String),
    /// A create found the key already present.
    #[error("key {0} already exists")]
    AlreadyExists(String),
    /// A compare-and-swap found another revision.
    #[error("key {key} was modified (current revision {current:?})")]
    Conflict {
        /// Key.
        key: String,
        /// The current value if the key still exists.
        current: Option<Box<KeyValue>>,
    },
    /// The requested revision has been compacted away.
    #[error("revision {requested} has been compacted (oldest available {oldest})")]
    Expired {
        /// What was asked for.
        requested: Revision,
        /// Oldest revision still available.
        oldest: Revision,
    },
    /// The backend failed (I/O, network, corruption).
    #[error("storage backend error: {0}")]
    Backend(String),
}

/// Result alias for store calls.
pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// A stream of watch events. It ends when the store shuts down or the
/// watcher falls too far behind; an `Err(Expired)` item may end it too.
pub type WatchStream = Pin<Box<dyn Stream<Item = Result<Event>> + Send>>;

/// The storage interface the API server needs. Both backends pass the
/// conformance suite in `storage::conformance`.
#[async_trait]
pub trait Store: Send + Sync + 'static {
    /// Read one key at the current revision.
    async fn get(&self, key: &str) -> Result<Option<KeyValue>>;

    /// Read every key starting with `prefix`, in key order.
    ///
    /// With `opts.revision`, the keys as they were at that revision
    /// (`Some(0)` = current); a revision older than the retained history is
    /// `Expired`, one newer than the current revision a `Backend` error.
    async fn list(&self, prefix: &str, opts: ListOptions) -> Result<ListResult>;

    /// Create `key`; fails with `AlreadyExists` if present.
    async fn create(&self, key: &str, value: Bytes) -> Result<KeyValue>;

    /// Replace `key` if its `mod_revision` equals `expected`; `Conflict` otherwise,
    /// `NotFound` if it is gone.
    async fn update(&self, key: &str, expected: Revision, value: Bytes) -> Result<KeyValue>;

    /// Delete `key` (if `expected` is set, only at that `mod_revision`).
    /// Returns the deleted key's last value with `mod_revision` = deletion revision.
    async fn delete(&self, key: &str, expected: Option<Revision>) -> Result<KeyValue>;

    /// Apply all operations atomically at one revision, or none. Returns one
    /// `KeyValue` per operation (for a delete, as [`Store::delete`]).
    ///
    /// On failure, the error of the first operation whose condition does not
    /// hold (`AlreadyExists`, `NotFound`, `Conflict` with the current value).
    /// The same key twice in one transaction is a `Backend` error (as etcd);
    /// an empty transaction does nothing and consumes no revision.
    async fn txn(&self, ops: Vec<TxnOp>) -> Result<Vec<KeyValue>>;

    /// Watch keys starting with `prefix` for changes with revision > `after`.
    /// `after` older than the retained history → `Err(Expired)`.
    ///
    /// Events of one transaction share a revision and arrive in operation
    /// order. `after` may be the current revision (only new changes) or even
    /// later. The stream ends when the watcher falls too far behind or the
    /// store closes; re-watch from the last revision seen, or relist if that
    /// is `Expired`.
    async fn watch(&self, prefix: &str, after: Revision) -> Result<WatchStream>;

    /// The store's current revision (1 for a new, empty store, as etcd).
    async fn current_revision(&self) -> Result<Revision>;

    /// Forget history at or before `revision`: afterwards a list at
    /// `revision` and a watch from `revision` still work, anything older is
    /// `Expired`. Compacting at or below an earlier compaction does nothing;
    /// a revision above the current one is a `Backend` error.
    async fn compact(&self, revision: Revision) -> Result<()>;
}
