//! Slow-start batches: issue 1, then 2, 4, 8, … calls, stopping at the first batch with a
//! failure, so that a create rejected by admission fails once instead of a thousand times.

use futures::future::join_all;
use std::future::Future;

/// Kubernetes' `SlowStartInitialBatchSize`.
pub const SLOW_START_INITIAL_BATCH_SIZE: usize = 1;

/// The batch sizes for `count` calls starting at `initial` (doubling, the last one truncated).
pub fn batch_sizes(count: usize, initial: usize) -> Vec<usize> {
    let mut sizes = Vec::new();
    let mut remaining = count;
    let mut size = initial.max(1);
    while remaining > 0 {
        let batch = size.min(remaining);
        sizes.push(batch);
        remaining -= batch;
        size = size.saturating_mul(2);
    }
    sizes
}

/// The outcome of a slow-start run.
#[derive(Debug)]
pub struct SlowStartOutcome<E> {
    /// Calls that succeeded.
    pub succeeded: usize,
    /// Calls never issued because an earlier batch failed.
    pub skipped: usize,
    /// The errors of the failing batch (empty when all succeeded).
    pub errors: Vec<E>,
}

/// Runs `count` calls of `call(i)` in slow-start batches; a batch runs concurrently and the run
/// stops after the first batch with an error.
pub async fn run_slow_start<F, Fut, E>(count: usize, initial: usize, call: F) -> SlowStartOutcome<E>
where
    F: Fn(usize) -> Fut,
    Fut: Future<Output = Result<(), E>>,
{
    let mut succeeded = 0;
    let mut issued = 0;
    for size in batch_sizes(count, initial) {
        let results = join_all((issued..issued + size).map(&call)).await;
        issued += size;
        let mut errors = Vec::new();
        for r in results {
            match r {
                Ok(()) => succeeded += 1,
                Err(e) => errors.push(e),
            }
        }
        if !errors.is_empty() {
            return SlowStartOutcome {
                succeeded,
                skipped: count - issued,
                errors,
            };
        }
    }
    SlowStartOutcome {
        succeeded,
        skipped: 0,
        errors: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[test]
    fn sizes_double_and_truncate() {
        assert_eq!(batch_sizes(0, 1), Vec::<usize>::new());
        assert_eq!(batch_sizes(10, 1), [1, 2, 4, 3]);
        assert_eq!(batch_sizes(500, 1).iter().sum::<usize>(), 500);
        assert_eq!(batch_sizes(7, 2), [2, 4, 1]);
    }

    #[test]
    fn stops_after_the_first_failing_batch() {
        let calls = AtomicUsize::new(0);
        let outcome = futures::executor::block_on(run_slow_start(20, 1, |i| {
            calls.fetch_add(1, Ordering::SeqCst);
            async move { if i == 4 { Err("forbidden") } else { Ok(()) } }
        }));
        // Batches 1, 2, 4: call 4 is in the third batch (indices 3..7), which still completes.
        assert_eq!(calls.load(Ordering::SeqCst), 7);
        assert_eq!(outcome.succeeded, 6);
        assert_eq!(outcome.skipped, 13);
        assert_eq!(outcome.errors, ["forbidden"]);
    }

    proptest::proptest! {
        #[test]
        fn batches_cover_count_exactly(count in 0usize..5000, initial in 1usize..8) {
            let sizes = batch_sizes(count, initial);
            proptest::prop_assert_eq!(sizes.iter().sum::<usize>(), count);
            for w in sizes.windows(2) {
                proptest::prop_assert!(w[1] <= w[0] * 2);
            }
        }
    }
}
