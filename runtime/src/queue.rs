//! A typed work queue, in the manner of client-go's `workqueue`.
//!
//! Controllers put the keys of objects that need reconciling — usually
//! [`ObjectRef<K>`](crate::ObjectRef) — into a [`WorkQueue`], and workers take them out:
//!
//! - a key that is already waiting is not queued twice (events are coalesced);
//! - a key that a worker is processing is never handed to a second worker: if it is added
//!   again meanwhile, it is queued once more when the first worker is [`done`](WorkItem) with
//!   it, so the change is never lost;
//! - keys can be added after a delay ([`add_after`](WorkQueue::add_after)) or after a per-key
//!   exponential delay on failures ([`add_rate_limited`](WorkQueue::add_rate_limited), reset
//!   with [`forget`](WorkQueue::forget));
//! - [`shut_down`](WorkQueue::shut_down) stops handing out keys.
//!
//! Delayed keys are promoted by the workers waiting in [`get`](WorkQueue::get), so the queue
//! needs no task of its own and works under tokio's paused test clock.
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")] async fn main() {
//! use rkube_runtime::queue::WorkQueue;
//!
//! let q = WorkQueue::new();
//! q.add("a");
//! q.add("a"); // coalesced
//! let item = q.get().await.expect("not shut down");
//! assert_eq!(*item, "a");
//! q.add("a"); // "a" is being processed: it is queued again once `item` is dropped
//! assert_eq!(q.len(), 0);
//! drop(item);
//! assert_eq!(q.len(), 1);
//! # }
//! ```

use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};
use std::fmt;
use std::hash::Hash;
use std::ops::Deref;
use std::pin::pin;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use tokio::sync::Notify;
use tokio::time::Instant;

use crate::backoff::ItemExponentialRateLimiter;

/// A de-duplicating, delaying, rate-limiting work queue of keys of type `T`.
///
/// Cloning gives another handle on the same queue.
pub struct WorkQueue<T> {
    shared: Arc<Shared<T>>,
}

struct Shared<T> {
    state: Mutex<State<T>>,
    changed: Notify,
}

struct State<T> {
    /// Keys ready to be handed out, in order.
    queue: VecDeque<T>,
    /// Keys that need processing: those in `queue`, and those processing that were re-added.
    dirty: HashSet<T>,
    /// Keys handed out and not yet done.
    processing: HashSet<T>,
    /// Delayed keys by due time (the `u64` keeps insertion order among equal times).
    waiting: BTreeMap<(Instant, u64), T>,
    /// Where each delayed key is in `waiting`.
    waiting_at: HashMap<T, (Instant, u64)>,
    seq: u64,
    limiter: ItemExponentialRateLimiter<T>,
    shutting_down: bool,
}

impl<T> Clone for WorkQueue<T> {
    fn clone(&self) -> Self {
        Self {
            shared: Arc::clone(&self.shared),
        }
    }
}

impl<T> fmt::Debug for WorkQueue<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WorkQueue").finish_non_exhaustive()
    }
}

impl<T: Hash + Eq + Clone> Default for WorkQueue<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T: Hash + Eq + Clone> WorkQueue<T> {
    /// A queue with client-go's default per-key retry delays (5 ms doubling to 1000 s).
    pub fn new() -> Self {
        Self::with_rate_limiter(ItemExponentialRateLimiter::default())
    }

    /// A queue with the given per-key retry delays.
    pub fn with_rate_limiter(limiter: ItemExponentialRateLimiter<T>) -> Self {
        Self {
            shared: Arc::new(Shared {
                state: Mutex::new(State {
                    queue: VecDeque::new(),
                    dirty: HashSet::new(),
                    processing: HashSet::new(),
                    waiting: BTreeMap::new(),
                    waiting_at: HashMap::new(),
                    seq: 0,
                    limiter,
                    shutting_down: false,
                }),
                changed: Notify::new(),
            }),
        }
    }

    fn lock(&self) -> MutexGuard<'_, State<T>> {
        // The state is consistent between statements; a panicking holder cannot break it.
        self.shared
            .state
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// Queues `item` now, unless it is already queued. If a worker is processing it, it is
    /// queued again when that worker is done. Ignored after shutdown.
    pub fn add(&self, item: T) {
        let woke = self.lock().add(item);
        if woke {
            self.shared.changed.notify_waiters();
        }
    }

    /// Queues `item` once `delay` has passed. If it is already waiting with an earlier due
    /// time, the earlier one stands; a later one is moved earlier.
    pub fn add_after(&self, item: T, delay: Duration) {
        if delay.is_zero() {
            return self.add(item);
        }
        let due = Instant::now() + delay;
        let woke = {
            let mut state = self.lock();
            if state.shutting_down {
                return;
            }
            state.add_waiting(item, due)
        };
        if woke {
            self.shared.changed.notify_waiters();
        }
    }

    /// Queues `item` after its per-key exponential delay, and counts one more failure for it.
    pub fn add_rate_limited(&self, item: T) {
        let delay = self.lock().limiter.when(item.clone());
        self.add_after(item, delay);
    }

    /// Resets the failure count of `item` (call when it was processed successfully).
    pub fn forget(&self, item: &T) {
        self.lock().limiter.forget(item);
    }

    /// How many times `item` was rate-limited since it was last forgotten.
    pub fn num_requeues(&self, item: &T) -> u32 {
        self.lock().limiter.num_requeues(item)
    }

    /// Waits for a key to process and marks it as processing. Returns `None` once the queue
    /// is shut down. The key is done when the returned [`WorkItem`] is dropped.
    ///
    /// Cancel-safe: a key is only taken out of the queue when this returns it.
    pub async fn get(&self) -> Option<WorkItem<T>> {
        loop {
            let mut changed = pin!(self.shared.changed.notified());
            // Register before looking, so that a change made after the look wakes us.
            changed.as_mut().enable();
            let next_due = {
                let mut state = self.lock();
                if state.shutting_down {
                    return None;
                }
                state.promote_due(Instant::now());
                if let Some(item) = state.queue.pop_front() {
                    state.dirty.remove(&item);
                    state.processing.insert(item.clone());
                    return Some(WorkItem {
                        item: Some(item),
                        queue: self.clone(),
                    });
                }
                state.waiting.keys().next().map(|(due, _)| *due)
            };
            match next_due {
                Some(due) => {
                    tokio::select! {
                        () = changed => {}
                        () = tokio::time::sleep_until(due) => {}
                    }
                }
                None => changed.await,
            }
        }
    }

    fn done(&self, item: &T) {
        let woke = {
            let mut state = self.lock();
            state.processing.remove(item);
            if state.dirty.contains(item) && !state.shutting_down {
                state.queue.push_back(item.clone());
                true
            } else {
                false
            }
        };
        if woke {
            self.shared.changed.notify_waiters();
        }
    }

    /// Stops the queue: [`get`](Self::get) returns `None` from now on (keys being processed
    /// may finish), and adds are ignored.
    pub fn shut_down(&self) {
        {
            let mut state = self.lock();
            state.shutting_down = true;
            state.queue.clear();
            state.dirty.clear();
            state.waiting.clear();
            state.waiting_at.clear();
        }
        self.shared.changed.notify_waiters();
    }

    /// Whether [`shut_down`](Self::shut_down) was called.
    pub fn is_shut_down(&self) -> bool {
        self.lock().shutting_down
    }

    /// How many keys are ready to be handed out (delayed keys not counted).
    pub fn len(&self) -> usize {
        self.lock().queue.len()
    }

    /// Whether no key is ready to be handed out.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// How many keys are waiting for their delay to pass.
    pub fn delayed_len(&self) -> usize {
        self.lock().waiting.len()
    }

    /// Whether `item` is handed out to a worker right now.
    pub fn is_processing(&self, item: &T) -> bool {
        self.lock().processing.contains(item)
    }
}

impl<T: Hash + Eq + Clone> State<T> {
    /// Returns whether waiters should be woken.
    fn add(&mut self, item: T) -> bool {
        if self.shutting_down || self.dirty.contains(&item) {
            return false;
        }
        self.dirty.insert(item.clone());
        if self.processing.contains(&item) {
            return false;
        }
        self.queue.push_back(item);
        true
    }

    /// Returns whether waiters should be woken (the earliest due time moved earlier).
    fn add_waiting(&mut self, item: T, due: Instant) -> bool {
        if let Some(&at) = self.waiting_at.get(&item) {
            if at.0 <= due {
                return false;
            }
            self.waiting.remove(&at);
        }
        let key = (due, self.seq);
        self.seq += 1;
        let earliest = self.waiting.keys().next().is_none_or(|first| key < *first);
        self.waiting.insert(key, item.clone());
        self.waiting_at.insert(item, key);
        earliest
    }

    fn promote_due(&mut self, now: Instant) {
        while let Some(entry) = self.waiting.first_entry() {
            if entry.key().0 > now {
                break;
            }
            let item = entry.remove();
            self.waiting_at.remove(&item);
            self.add(item);
        }
    }
}

/// A key handed out by [`WorkQueue::get`]. Dropping it marks the key done, which re-queues
/// it if it was added again while being processed.
pub struct WorkItem<T: Hash + Eq + Clone> {
    item: Option<T>,
    queue: WorkQueue<T>,
}

impl<T: Hash + Eq + Clone> WorkItem<T> {
    /// The key.
    pub fn key(&self) -> &T {
        self
    }
}

impl<T: Hash + Eq + Clone> Deref for WorkItem<T> {
    type Target = T;

    fn deref(&self) -> &T {
        match &self.item {
            Some(item) => item,
            // `item` is only taken in `drop`.
            None => unreachable!("WorkItem used after drop"),
        }
    }
}

impl<T: Hash + Eq + Clone + fmt::Debug> fmt::Debug for WorkItem<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("WorkItem").field(&self.item).finish()
    }
}

impl<T: Hash + Eq + Clone> Drop for WorkItem<T> {
    fn drop(&mut self) {
        if let Some(item) = self.item.take() {
            self.queue.done(&item);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::time::Duration;

    const SHORT: Duration = Duration::from_millis(1);

    /// The next key, or `None` if nothing becomes ready within `limit` (of paused time).
    async fn get_within(q: &WorkQueue<u32>, limit: Duration) -> Option<WorkItem<u32>> {
        tokio::time::timeout(limit, q.get()).await.ok().flatten()
    }

    #[tokio::test(start_paused = true)]
    async fn deduplicates_queued_keys() {
        let q = WorkQueue::new();
        q.add(1);
        q.add(2);
        q.add(1);
        assert_eq!(q.len(), 2);
        let a = q.get().await.unwrap();
        let b = q.get().await.unwrap();
        assert_eq!((*a, *b), (1, 2));
        assert!(get_within(&q, Duration::from_secs(60)).await.is_none());
    }

    #[tokio::test(start_paused = true)]
    async fn key_readded_while_processing_waits_for_done() {
        let q = WorkQueue::new();
        q.add(7);
        let first = q.get().await.unwrap();
        q.add(7);
        q.add(7);
        assert!(q.is_processing(&7));
        assert!(get_within(&q, Duration::from_secs(60)).await.is_none());
        drop(first);
        let second = get_within(&q, SHORT).await.unwrap();
        assert_eq!(*second, 7);
        drop(second);
        assert!(get_within(&q, Duration::from_secs(60)).await.is_none());
    }

    #[tokio::test(start_paused = true)]
    async fn waiting_worker_is_woken_by_add() {
        let q = WorkQueue::new();
        let q2 = q.clone();
        let worker = tokio::spawn(async move { q2.get().await.map(|i| *i) });
        tokio::task::yield_now().await;
        q.add(3);
        assert_eq!(worker.await.unwrap(), Some(3));
    }

    #[tokio::test(start_paused = true)]
    async fn add_after_waits_for_the_delay() {
        let q = WorkQueue::new();
        let start = Instant::now();
        q.add_after(1, Duration::from_secs(10));
        q.add_after(2, Duration::from_secs(5));
        assert_eq!(q.delayed_len(), 2);
        assert!(q.is_empty());
        let a = q.get().await.unwrap();
        assert_eq!(*a, 2);
        assert_eq!(start.elapsed(), Duration::from_secs(5));
        let b = q.get().await.unwrap();
        assert_eq!(*b, 1);
        assert_eq!(start.elapsed(), Duration::from_secs(10));
    }

    #[tokio::test(start_paused = true)]
    async fn add_after_keeps_the_earliest_due_time() {
        let q = WorkQueue::new();
        let start = Instant::now();
        q.add_after(1, Duration::from_secs(10));
        q.add_after(1, Duration::from_secs(30));
        q.add_after(1, Duration::from_secs(3));
        assert_eq!(q.delayed_len(), 1);
        let a = q.get().await.unwrap();
        assert_eq!(start.elapsed(), Duration::from_secs(3));
        drop(a);
        assert!(get_within(&q, Duration::from_secs(60)).await.is_none());
    }

    #[tokio::test(start_paused = true)]
    async fn an_earlier_delay_wakes_a_sleeping_worker() {
        let q = WorkQueue::new();
        q.add_after(1, Duration::from_secs(100));
        let q2 = q.clone();
        let start = Instant::now();
        let worker = tokio::spawn(async move { q2.get().await.map(|i| (*i, start.elapsed())) });
        tokio::task::yield_now().await;
        q.add_after(2, Duration::from_secs(1));
        assert_eq!(worker.await.unwrap(), Some((2, Duration::from_secs(1))));
    }

    #[tokio::test(start_paused = true)]
    async fn rate_limited_retries_back_off_exponentially() {
        let q = WorkQueue::new();
        let mut delays = Vec::new();
        for _ in 0..5 {
            let start = Instant::now();
            q.add_rate_limited(9);
            let item = q.get().await.unwrap();
            delays.push(start.elapsed().as_millis());
            drop(item);
        }
        assert_eq!(delays, vec![5, 10, 20, 40, 80]);
        assert_eq!(q.num_requeues(&9), 5);
        q.forget(&9);
        let start = Instant::now();
        q.add_rate_limited(9);
        q.get().await.unwrap();
        assert_eq!(start.elapsed(), Duration::from_millis(5));
    }

    #[tokio::test(start_paused = true)]
    async fn shutdown_stops_handing_out_and_wakes_workers() {
        let q = WorkQueue::new();
        let q2 = q.clone();
        let worker = tokio::spawn(async move { q2.get().await.map(|i| *i) });
        tokio::task::yield_now().await;
        q.shut_down();
        assert_eq!(worker.await.unwrap(), None);
        q.add(1);
        assert!(q.get().await.is_none());
        assert!(q.is_shut_down());
    }

    #[tokio::test(start_paused = true)]
    async fn many_workers_never_share_a_key() {
        let q = WorkQueue::new();
        let in_flight = Arc::new(Mutex::new(HashSet::new()));
        let processed = Arc::new(Mutex::new(0usize));
        let mut workers = Vec::new();
        for _ in 0..8 {
            let q = q.clone();
            let in_flight = Arc::clone(&in_flight);
            let processed = Arc::clone(&processed);
            workers.push(tokio::spawn(async move {
                while let Some(item) = q.get().await {
                    assert!(
                        in_flight.lock().unwrap().insert(*item),
                        "key in two workers"
                    );
                    tokio::time::sleep(Duration::from_millis(u64::from(*item % 3) + 1)).await;
                    in_flight.lock().unwrap().remove(&*item);
                    *processed.lock().unwrap() += 1;
                }
            }));
        }
        for round in 0..50u32 {
            for key in 0..5u32 {
                q.add(key);
            }
            tokio::time::sleep(Duration::from_millis(u64::from(round % 4))).await;
        }
        // Let everything drain, then stop.
        tokio::time::sleep(Duration::from_secs(1)).await;
        assert!(q.is_empty());
        q.shut_down();
        for w in workers {
            w.await.unwrap();
        }
        assert!(*processed.lock().unwrap() >= 5);
    }

    #[derive(Clone, Debug)]
    enum Op {
        Add(u8),
        AddAfter(u8, u16),
        AddRateLimited(u8),
        Get,
        Done(usize),
        Advance(u16),
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            (0u8..6).prop_map(Op::Add),
            (0u8..6, 1u16..500).prop_map(|(k, d)| Op::AddAfter(k, d)),
            (0u8..6).prop_map(Op::AddRateLimited),
            Just(Op::Get),
            (0usize..4).prop_map(Op::Done),
            (0u16..600).prop_map(Op::Advance),
        ]
    }

    proptest! {
        /// Whatever the interleaving: a key is never handed out while it is processing, only
        /// added keys are handed out, every key is handed out at least once after its last
        /// add, and the queue then runs dry.
        #[test]
        fn queue_model(ops in proptest::collection::vec(op(), 1..80)) {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_time()
                .start_paused(true)
                .build()
                .unwrap();
            rt.block_on(async move {
                let q: WorkQueue<u32> = WorkQueue::new();
                let mut held: Vec<WorkItem<u32>> = Vec::new();
                // Keys added (in any way) since they were last handed out.
                let mut pending: HashSet<u32> = HashSet::new();
                let mut ever_added: HashSet<u32> = HashSet::new();
                for op in ops {
                    match op {
                        Op::Add(k) => { ever_added.insert(u32::from(k)); q.add(u32::from(k)); pending.insert(u32::from(k)); }
                        Op::AddAfter(k, d) => {
                            ever_added.insert(u32::from(k));
                            q.add_after(u32::from(k), Duration::from_millis(u64::from(d)));
                            pending.insert(u32::from(k));
                        }
                        Op::AddRateLimited(k) => { ever_added.insert(u32::from(k)); q.add_rate_limited(u32::from(k)); pending.insert(u32::from(k)); }
                        Op::Get => {
                            if let Some(item) = get_within(&q, SHORT).await {
                                assert!(!held.iter().any(|h| **h == *item), "key {} handed out twice", *item);
                                assert!(ever_added.contains(&*item), "key {} handed out but never added", *item);
                                pending.remove(&*item);
                                held.push(item);
                            }
                        }
                        Op::Done(i) => { if i < held.len() { held.remove(i); } }
                        Op::Advance(ms) => tokio::time::advance(Duration::from_millis(u64::from(ms))).await,
                    }
                }
                held.clear();
                // Everything pending comes out (rate-limited delays are below 1000 s here).
                while !pending.is_empty() {
                    let item = get_within(&q, Duration::from_secs(2000)).await;
                    let item = item.expect("a pending key was lost");
                    pending.remove(&*item);
                }
                // A key added both now and later may come out once more per delayed add, but
                // the queue then runs dry.
                let mut extra = 0;
                while get_within(&q, Duration::from_secs(2000)).await.is_some() {
                    extra += 1;
                    assert!(extra <= 6, "the queue keeps handing out keys");
                }
            });
        }
    }
}
