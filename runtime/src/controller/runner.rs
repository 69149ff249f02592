//! Runs a [`Controller`]: the pump that feeds the work queue from the watchers, and the
//! workers that reconcile.

use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;

use futures::{FutureExt, StreamExt};
use tokio::task::JoinSet;
use tracing::{Instrument, debug, error, info_span, warn};

use std::sync::atomic::Ordering;

use tokio::time::Instant;

use super::{Action, Controller, Metrics, Next, Outcome, TriggerStream};
use crate::queue::WorkQueue;
use crate::reflector::Store;
use crate::{Object, ObjectRef};

pub(super) async fn run<K, R, RFut, E, P, Ctx>(
    controller: Controller<K>,
    reconcile: R,
    error_policy: P,
    ctx: Arc<Ctx>,
) where
    K: Object,
    R: Fn(Arc<K>, Arc<Ctx>) -> RFut + Send + Sync + 'static,
    RFut: Future<Output = Result<Action, E>> + Send + 'static,
    E: std::error::Error + Send + 'static,
    P: Fn(Arc<K>, &E, Arc<Ctx>) -> Action + Send + Sync + 'static,
    Ctx: Send + Sync + 'static,
{
    let Controller {
        store,
        triggers,
        ready,
        queue,
        concurrency,
        shutdown,
        keep_alive,
        metrics,
        ..
    } = controller;
    // Shared informers must outlive the streams subscribed to them.
    let _keep_alive = keep_alive;
    let mut shutdown = shutdown.unwrap_or_else(|| futures::future::pending().boxed());

    // Both sets abort their tasks if `run` itself is dropped.
    let mut pump = JoinSet::new();
    pump.spawn(pump_triggers(triggers, queue.clone()));

    let all_ready = futures::future::join_all(ready);
    tokio::select! {
        biased;
        () = &mut shutdown => {
            queue.shut_down();
            return;
        }
        results = all_ready => {
            if results.iter().any(Result::is_err) {
                // A writer is gone: its watcher stream ended, which only happens when the
                // pump stopped. Nothing sensible can run.
                error!(kind = K::KIND, "controller stores can never become ready");
                queue.shut_down();
                return;
            }
        }
    }
    debug!(
        kind = K::KIND,
        "caches ready, starting {concurrency} workers"
    );

    let reconcile = Arc::new(reconcile);
    let error_policy = Arc::new(error_policy);
    let mut workers = JoinSet::new();
    for _ in 0..concurrency {
        workers.spawn(worker(
            queue.clone(),
            store.clone(),
            Arc::clone(&reconcile),
            Arc::clone(&error_policy),
            Arc::clone(&ctx),
            Arc::clone(&metrics),
        ));
    }

    shutdown.await;
    debug!(kind = K::KIND, "controller shutting down");
    pump.abort_all();
    queue.shut_down();
    while workers.join_next().await.is_some() {}
}

async fn pump_triggers<K: Object>(triggers: Vec<TriggerStream<K>>, queue: WorkQueue<ObjectRef<K>>) {
    let mut triggers = futures::stream::select_all(triggers);
    while let Some(item) = triggers.next().await {
        match item {
            Ok(refs) => {
                for r in refs {
                    queue.add(r);
                }
            }
            Err(e) if e.is_gone() => debug!(kind = K::KIND, "watcher relisting: {e}"),
            Err(e) => warn!(kind = K::KIND, "watcher error (retrying): {e}"),
        }
    }
}

async fn worker<K, R, RFut, E, P, Ctx>(
    queue: WorkQueue<ObjectRef<K>>,
    store: Store<K>,
    reconcile: Arc<R>,
    error_policy: Arc<P>,
    ctx: Arc<Ctx>,
    metrics: Arc<Metrics>,
) where
    K: Object,
    R: Fn(Arc<K>, Arc<Ctx>) -> RFut + Send + Sync + 'static,
    RFut: Future<Output = Result<Action, E>> + Send + 'static,
    E: std::error::Error + Send + 'static,
    P: Fn(Arc<K>, &E, Arc<Ctx>) -> Action + Send + Sync + 'static,
    Ctx: Send + Sync + 'static,
{
    while let Some(item) = queue.get().await {
        let key = item.key().clone();
        let Some(obj) = store.get(&key) else {
            // Deleted since it was queued: nothing to reconcile.
            queue.forget(&key);
            metrics.skipped.fetch_add(1, Ordering::Relaxed);
            continue;
        };
        let span = info_span!("reconcile", object = %key);
        let call = {
            let (obj, ctx, reconcile) =
                (Arc::clone(&obj), Arc::clone(&ctx), Arc::clone(&reconcile));
            async move { reconcile(obj, ctx).await }
        };
        let started = Instant::now();
        let result = AssertUnwindSafe(call)
            .catch_unwind()
            .instrument(span.clone())
            .await;
        let took = started.elapsed();
        let action = match result {
            Ok(Ok(action)) => {
                metrics.record(Outcome::Ok, took);
                queue.forget(&key);
                action
            }
            Ok(Err(e)) => {
                metrics.record(Outcome::Error, took);
                span.in_scope(|| warn!("reconcile failed: {e}"));
                error_policy(obj, &e, Arc::clone(&ctx))
            }
            Err(_panic) => {
                metrics.record(Outcome::Panic, took);
                span.in_scope(|| error!("reconcile panicked"));
                Action::requeue_rate_limited()
            }
        };
        match action.next {
            Next::AwaitChange => {}
            Next::RequeueAfter(delay) => queue.add_after(key, delay),
            Next::RateLimited => queue.add_rate_limited(key),
        }
        // Done with the key only now, so that a requeue above cannot race a re-add.
        drop(item);
    }
}
