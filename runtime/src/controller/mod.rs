//! The controller loop: watch a primary kind (and the kinds it owns or depends on), queue the
//! references of objects that need attention, and run `reconcile` on them with N workers.
//!
//! ```no_run
//! use std::sync::Arc;
//! use std::time::Duration;
//! use k8s_openapi::api::apps::v1::ReplicaSet;
//! use k8s_openapi::api::core::v1::Pod;
//! use rkube_client::{Api, Client};
//! use rkube_runtime::controller::{Action, Controller};
//! use rkube_runtime::watcher;
//!
//! #[derive(Debug, thiserror::Error)]
//! #[error("reconcile failed")]
//! struct Error;
//!
//! async fn reconcile(rs: Arc<ReplicaSet>, _ctx: Arc<()>) -> Result<Action, Error> {
//!     println!("reconciling {:?}", rs.metadata.name);
//!     Ok(Action::requeue(Duration::from_secs(300)))
//! }
//!
//! fn error_policy(_rs: Arc<ReplicaSet>, _error: &Error, _ctx: Arc<()>) -> Action {
//!     Action::requeue_rate_limited()
//! }
//!
//! # async fn doc(client: Client) {
//! Controller::new(Api::<ReplicaSet>::all(client.clone()), watcher::Config::default())
//!     .owns(Api::<Pod>::all(client), watcher::Config::default())
//!     .concurrency(8)
//!     .shutdown_on(async { tokio::signal::ctrl_c().await.ok(); })
//!     .run(reconcile, error_policy, Arc::new(()))
//!     .await;
//! # }
//! ```
//!
//! How it works: each watched kind has a [`watcher`](crate::watcher::watcher) feeding a
//! [reflector store](crate::reflector); each event is mapped to the primary objects it concerns
//! (the object itself; the owner named by a child's controller `ownerReference`; whatever a
//! `watches` mapper says), for the old version of the object as well as the new, and those
//! references go into a [`WorkQueue`]. Workers take references from the queue, read the
//! latest object from the primary store (skipping it if it is gone) and call `reconcile`. The
//! queue guarantees that one object is never reconciled by two workers at once and that a
//! change arriving during a reconcile leads to another reconcile afterwards.

mod runner;

use std::any::{Any, TypeId};
use std::collections::{HashMap, HashSet};
use std::fmt;
use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use futures::future::BoxFuture;
use futures::stream::BoxStream;
use futures::{FutureExt, StreamExt};

use crate::informer::{Change, Informer};
use crate::queue::WorkQueue;
use crate::reflector::{Store, StoreBuilder, Writer};
use crate::watcher::{self, Event, ListWatch};
use crate::{Object, ObjectRef};

/// What to do with an object after a reconcile.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Action {
    next: Next,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Next {
    AwaitChange,
    RequeueAfter(Duration),
    RateLimited,
}

impl Action {
    /// Reconcile again after `duration`, even if nothing changes (sooner if something does).
    pub fn requeue(duration: Duration) -> Self {
        Self {
            next: Next::RequeueAfter(duration),
        }
    }

    /// Reconcile again only when a watched object changes.
    pub fn await_change() -> Self {
        Self {
            next: Next::AwaitChange,
        }
    }

    /// Reconcile again after the queue's per-object exponential delay (5 ms doubling up to
    /// 1000 s, reset by the next reconcile that returns `Ok`). The usual error policy.
    pub fn requeue_rate_limited() -> Self {
        Self {
            next: Next::RateLimited,
        }
    }

    /// The fixed requeue delay, if this action has one.
    pub fn requeue_after(&self) -> Option<Duration> {
        match self.next {
            Next::RequeueAfter(d) => Some(d),
            Next::AwaitChange | Next::RateLimited => None,
        }
    }
}

/// Counters of a running controller, for logs and Prometheus exporters. Read them through
/// [`Controller::metrics`]; the queue depth is [`WorkQueue::len`] of [`Controller::queue`].
#[derive(Debug, Default)]
pub struct Metrics {
    reconciles: AtomicU64,
    errors: AtomicU64,
    panics: AtomicU64,
    skipped: AtomicU64,
    busy_micros: AtomicU64,
}

impl Metrics {
    /// Reconciles run (successful or not).
    pub fn reconciles(&self) -> u64 {
        self.reconciles.load(Ordering::Relaxed)
    }

    /// Reconciles that returned an error.
    pub fn errors(&self) -> u64 {
        self.errors.load(Ordering::Relaxed)
    }

    /// Reconciles that panicked.
    pub fn panics(&self) -> u64 {
        self.panics.load(Ordering::Relaxed)
    }

    /// Queued references skipped because the object was gone from the store.
    pub fn skipped(&self) -> u64 {
        self.skipped.load(Ordering::Relaxed)
    }

    /// Total time spent in reconciles.
    pub fn busy(&self) -> Duration {
        Duration::from_micros(self.busy_micros.load(Ordering::Relaxed))
    }

    fn record(&self, outcome: Outcome, took: Duration) {
        self.reconciles.fetch_add(1, Ordering::Relaxed);
        let micros = u64::try_from(took.as_micros()).unwrap_or(u64::MAX);
        self.busy_micros.fetch_add(micros, Ordering::Relaxed);
        match outcome {
            Outcome::Ok => {}
            Outcome::Error => {
                self.errors.fetch_add(1, Ordering::Relaxed);
            }
            Outcome::Panic => {
                self.panics.fetch_add(1, Ordering::Relaxed);
            }
        }
    }
}

#[derive(Clone, Copy)]
enum Outcome {
    Ok,
    Error,
    Panic,
}

/// References of primary objects that an event concerns, or a watcher error to report.
type TriggerStream<K> = BoxStream<'static, Result<Vec<ObjectRef<K>>, watcher::Error>>;

/// A controller for the primary kind `K`: build it with [`new`](Self::new), add what it
/// [`owns`](Self::owns) and [`watches`](Self::watches), then [`run`](Self::run) it.
pub struct Controller<K: Object> {
    store: Store<K>,
    triggers: Vec<TriggerStream<K>>,
    /// Waits for each store to have completed its first list.
    ready: Vec<BoxFuture<'static, Result<(), crate::reflector::Error>>>,
    /// Stores of the owned and watched kinds, by `TypeId` of the kind.
    stores: HashMap<TypeId, Box<dyn Any + Send + Sync>>,
    queue: WorkQueue<ObjectRef<K>>,
    concurrency: usize,
    shutdown: Option<BoxFuture<'static, ()>>,
    /// Shared informers this controller subscribes to, kept alive while it exists.
    keep_alive: Vec<Box<dyn Any + Send + Sync>>,
    metrics: Arc<Metrics>,
}

impl<K: Object> fmt::Debug for Controller<K> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Controller")
            .field("kind", &K::KIND)
            .field("concurrency", &self.concurrency)
            .finish_non_exhaustive()
    }
}

impl<K: Object> Controller<K> {
    /// A controller of the objects `api` serves (filtered by `config`'s selectors), cached in a
    /// store with the default indexes (namespace, label, controller owner uid).
    pub fn new(api: impl ListWatch<K>, config: watcher::Config) -> Self {
        Self::new_with_store(api, config, StoreBuilder::new().with_default_indexes())
    }

    /// Like [`new`](Self::new), with the primary store built from `store` (for other indexes).
    pub fn new_with_store(
        api: impl ListWatch<K>,
        config: watcher::Config,
        store: StoreBuilder<K>,
    ) -> Self {
        let (reader, writer) = store.build();
        let stream = mapped_reflector(
            writer,
            watcher::watcher(api, config),
            |obj: &K| vec![ObjectRef::from_obj(obj)],
            false,
        );
        Self::from_parts(reader, stream, Vec::new())
    }

    fn from_parts(
        store: Store<K>,
        trigger: TriggerStream<K>,
        keep_alive: Vec<Box<dyn Any + Send + Sync>>,
    ) -> Self {
        let ready_store = store.clone();
        Self {
            store,
            triggers: vec![trigger],
            ready: vec![async move { ready_store.wait_until_ready().await }.boxed()],
            stores: HashMap::new(),
            queue: WorkQueue::new(),
            concurrency: 4,
            shutdown: None,
            keep_alive,
            metrics: Arc::default(),
        }
    }

    /// A controller of the objects a shared [`Informer`] caches (its store is
    /// [`store`](Self::store)).
    pub fn new_shared(informer: &Informer<K>) -> Self {
        let trigger = shared_triggers(informer, |obj: &K| vec![ObjectRef::from_obj(obj)], false);
        Self::from_parts(informer.store(), trigger, vec![Box::new(informer.clone())])
    }

    /// Like [`owns`](Self::owns), from a shared [`Informer`] of the child kind.
    #[must_use]
    pub fn owns_shared<C: Object>(self, informer: &Informer<C>) -> Self {
        self.watches_shared(informer, controller_owner::<C, K>)
    }

    /// Like [`watches`](Self::watches), from a shared [`Informer`] of `O`.
    #[must_use]
    pub fn watches_shared<O, I>(
        mut self,
        informer: &Informer<O>,
        mapper: impl Fn(&O) -> I + Send + Sync + 'static,
    ) -> Self
    where
        O: Object,
        I: IntoIterator<Item = ObjectRef<K>>,
    {
        let store = informer.store();
        self.triggers.push(shared_triggers(
            informer,
            move |obj: &O| mapper(obj).into_iter().collect(),
            true,
        ));
        let ready_store = store.clone();
        self.ready
            .push(async move { ready_store.wait_until_ready().await }.boxed());
        self.stores.insert(TypeId::of::<O>(), Box::new(store));
        self.keep_alive.push(Box::new(informer.clone()));
        self
    }

    /// Also watches the child kind `C` and reconciles the owner named by each child's
    /// controller `ownerReference` (the one with `controller: true`, of kind `K`) whenever the
    /// child is created, changed or deleted. The child store gets the default indexes; read it
    /// with [`store_for`](Self::store_for).
    #[must_use]
    pub fn owns<C: Object>(self, api: impl ListWatch<C>, config: watcher::Config) -> Self {
        self.owns_with_store(api, config, StoreBuilder::new().with_default_indexes())
    }

    /// Like [`owns`](Self::owns), with the child store built from `store`.
    #[must_use]
    pub fn owns_with_store<C: Object>(
        self,
        api: impl ListWatch<C>,
        config: watcher::Config,
        store: StoreBuilder<C>,
    ) -> Self {
        self.watches_with_store(api, config, store, controller_owner::<C, K>)
    }

    /// Also watches the kind `O`, and reconciles the primary objects `mapper` names for each
    /// changed or deleted `O` (for its old version too, so that an object that stops matching
    /// is noticed). The store of `O` gets the default indexes.
    #[must_use]
    pub fn watches<O, I>(
        self,
        api: impl ListWatch<O>,
        config: watcher::Config,
        mapper: impl Fn(&O) -> I + Send + Sync + 'static,
    ) -> Self
    where
        O: Object,
        I: IntoIterator<Item = ObjectRef<K>>,
    {
        self.watches_with_store(
            api,
            config,
            StoreBuilder::new().with_default_indexes(),
            mapper,
        )
    }

    /// Like [`watches`](Self::watches), with the store of `O` built from `store`.
    #[must_use]
    pub fn watches_with_store<O, I>(
        mut self,
        api: impl ListWatch<O>,
        config: watcher::Config,
        store: StoreBuilder<O>,
        mapper: impl Fn(&O) -> I + Send + Sync + 'static,
    ) -> Self
    where
        O: Object,
        I: IntoIterator<Item = ObjectRef<K>>,
    {
        let (reader, writer) = store.build();
        let stream = mapped_reflector(
            writer,
            watcher::watcher(api, config),
            move |obj: &O| mapper(obj).into_iter().collect(),
            true,
        );
        self.triggers.push(stream);
        let ready_store = reader.clone();
        self.ready
            .push(async move { ready_store.wait_until_ready().await }.boxed());
        self.stores.insert(TypeId::of::<O>(), Box::new(reader));
        self
    }

    /// How many reconciles may run at once (default 4, at least 1).
    #[must_use]
    pub fn concurrency(mut self, workers: usize) -> Self {
        self.concurrency = workers.max(1);
        self
    }

    /// Shuts down when `signal` completes: no new reconciles start, the ones running finish,
    /// then [`run`](Self::run) returns.
    #[must_use]
    pub fn shutdown_on(mut self, signal: impl Future<Output = ()> + Send + 'static) -> Self {
        self.shutdown = Some(signal.boxed());
        self
    }

    /// The cache of primary objects.
    pub fn store(&self) -> Store<K> {
        self.store.clone()
    }

    /// The cache of an owned or watched kind `C`, if the controller watches it.
    pub fn store_for<C: Object>(&self) -> Option<Store<C>> {
        self.stores
            .get(&TypeId::of::<C>())
            .and_then(|s| s.downcast_ref::<Store<C>>())
            .cloned()
    }

    /// The controller's counters (shared: read them while it runs).
    pub fn metrics(&self) -> Arc<Metrics> {
        Arc::clone(&self.metrics)
    }

    /// The work queue: add a reference to it to have that object reconciled.
    pub fn queue(&self) -> WorkQueue<ObjectRef<K>> {
        self.queue.clone()
    }

    /// Runs the controller until the [`shutdown_on`](Self::shutdown_on) signal (forever
    /// without one). Reconciles start once every store has completed its first list.
    ///
    /// For each queued reference, the latest object is read from the store (a reference to an
    /// object no longer there is dropped) and `reconcile` is called on it inside a `reconcile`
    /// tracing span with an `object` field. `Ok(action)` resets the object's retry delay and
    /// schedules the action; on `Err(e)`, `error_policy(obj, &e, ctx)` decides the action. A
    /// panicking reconcile is logged and retried like an error with
    /// [`Action::requeue_rate_limited`].
    pub async fn run<R, RFut, E, P, Ctx>(self, reconcile: R, error_policy: P, ctx: Arc<Ctx>)
    where
        R: Fn(Arc<K>, Arc<Ctx>) -> RFut + Send + Sync + 'static,
        RFut: Future<Output = Result<Action, E>> + Send + 'static,
        E: std::error::Error + Send + 'static,
        P: Fn(Arc<K>, &E, Arc<Ctx>) -> Action + Send + Sync + 'static,
        Ctx: Send + Sync + 'static,
    {
        runner::run(self, reconcile, error_policy, ctx).await;
    }
}

/// The reference of the primary object `obj`'s controller owner, if that owner is a `K`.
fn controller_owner<C: Object, K: Object>(obj: &C) -> Option<ObjectRef<K>> {
    let meta = obj.metadata();
    meta.owner_references
        .iter()
        .flatten()
        .find(|o| o.controller == Some(true))
        .and_then(|o| ObjectRef::from_owner_ref(meta.namespace.as_deref(), o))
}

/// The primary references each change of a shared informer concerns (with `with_old`, for
/// the old version and deletions too); a resync concerns every cached object.
fn shared_triggers<O, K>(
    informer: &Informer<O>,
    mapper: impl Fn(&O) -> Vec<ObjectRef<K>> + Send + 'static,
    with_old: bool,
) -> TriggerStream<K>
where
    O: Object,
    K: Object,
{
    let store = informer.store();
    informer
        .subscribe()
        .map(move |change| {
            let mut refs = Vec::new();
            match change {
                Change::Applied { old, new } => {
                    if with_old && let Some(old) = old {
                        refs.extend(mapper(&old));
                    }
                    refs.extend(mapper(&new));
                }
                Change::Deleted(obj) => {
                    if with_old {
                        refs.extend(mapper(&obj));
                    }
                }
                Change::Resync => {
                    for obj in store.state() {
                        refs.extend(mapper(&obj));
                    }
                }
            }
            refs.sort();
            refs.dedup();
            Ok(refs)
        })
        .boxed()
}

/// A reflector for `O` whose items are the primary references each event concerns. With
/// `with_old`, the previous cached version of a changed object is mapped too, and so are
/// objects that a relist finds gone (and for deletes, the deleted object).
fn mapped_reflector<O, K, S>(
    mut writer: Writer<O>,
    events: S,
    mapper: impl Fn(&O) -> Vec<ObjectRef<K>> + Send + 'static,
    with_old: bool,
) -> TriggerStream<K>
where
    O: Object,
    K: Object,
    S: futures::Stream<Item = Result<Event<O>, watcher::Error>> + Send + 'static,
{
    let reader = writer.as_reader();
    // References listed by the relist in progress.
    let mut relisted: Option<HashSet<ObjectRef<O>>> = None;
    events
        .map(move |event| {
            let event = event?;
            let mut refs: Vec<ObjectRef<K>> = Vec::new();
            let add_old = |obj: &O, refs: &mut Vec<ObjectRef<K>>| {
                if with_old && let Some(old) = reader.get(&ObjectRef::from_obj(obj)) {
                    refs.extend(mapper(&old));
                }
            };
            match &event {
                Event::Apply(obj) | Event::InitApply(obj) => {
                    add_old(obj, &mut refs);
                    refs.extend(mapper(obj));
                    if let (Event::InitApply(_), Some(seen)) = (&event, &mut relisted) {
                        seen.insert(ObjectRef::from_obj(obj));
                    }
                }
                Event::Delete(obj) => {
                    if with_old {
                        add_old(obj, &mut refs);
                        refs.extend(mapper(obj));
                    }
                }
                Event::Init => relisted = Some(HashSet::new()),
                Event::InitDone => {
                    if with_old && let Some(seen) = relisted.take() {
                        for gone in reader.find(|o| !seen.contains(&ObjectRef::from_obj(o))) {
                            refs.extend(mapper(&gone));
                        }
                    }
                    relisted = None;
                }
            }
            writer.apply_watcher_event(&event);
            refs.sort();
            refs.dedup();
            Ok(refs)
        })
        .boxed()
}

#[cfg(test)]
mod tests;
