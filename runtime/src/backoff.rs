//! Backoff policies: an exponential backoff with jitter for retrying failing calls (used by
//! the [`watcher`](crate::watcher) and [`leader`](crate::leader) election), and a per-key
//! exponential failure rate limiter for the [`WorkQueue`](crate::queue::WorkQueue), modelled on
//! client-go's `ItemExponentialFailureRateLimiter`.

use std::collections::HashMap;
use std::hash::Hash;
use std::time::Duration;

use rand::Rng;

/// Exponential backoff with jitter: each [`next_delay`](Backoff::next_delay) multiplies the
/// base delay by `factor`, up to `max`; the returned delay is the base delay less a random
/// share of up to `jitter` of it, so that many clients failing together spread out.
///
/// ```
/// use std::time::Duration;
/// use rkube_runtime::backoff::Backoff;
///
/// let mut b = Backoff::new(Duration::from_millis(100), Duration::from_secs(1)).with_jitter(0.0);
/// assert_eq!(b.next_delay(), Duration::from_millis(100));
/// assert_eq!(b.next_delay(), Duration::from_millis(200));
/// b.reset();
/// assert_eq!(b.next_delay(), Duration::from_millis(100));
/// ```
#[derive(Clone, Debug)]
pub struct Backoff {
    initial: Duration,
    max: Duration,
    factor: f64,
    jitter: f64,
    current: Option<Duration>,
}

impl Default for Backoff {
    /// client-go's reflector backoff: 800 ms doubling up to 30 s, with jitter.
    fn default() -> Self {
        Self::new(Duration::from_millis(800), Duration::from_secs(30))
    }
}

impl Backoff {
    /// A backoff starting at `initial`, doubling up to `max`, with a jitter of 0.5.
    pub fn new(initial: Duration, max: Duration) -> Self {
        Self {
            initial,
            max: max.max(initial),
            factor: 2.0,
            jitter: 0.5,
            current: None,
        }
    }

    /// Sets the growth factor (at least 1).
    #[must_use]
    pub fn with_factor(mut self, factor: f64) -> Self {
        self.factor = if factor.is_finite() {
            factor.max(1.0)
        } else {
            2.0
        };
        self
    }

    /// Sets the jitter: the share (0 to 1) of each delay that may randomly be taken off.
    #[must_use]
    pub fn with_jitter(mut self, jitter: f64) -> Self {
        self.jitter = if jitter.is_finite() {
            jitter.clamp(0.0, 1.0)
        } else {
            0.0
        };
        self
    }

    /// The delay to wait before the next attempt; grows the base delay for the one after.
    pub fn next_delay(&mut self) -> Duration {
        let base = match self.current {
            None => self.initial,
            Some(prev) => prev.mul_f64(self.factor).min(self.max),
        };
        self.current = Some(base);
        if self.jitter == 0.0 {
            return base;
        }
        let r: f64 = rand::rng().random();
        base.mul_f64(1.0 - self.jitter * r)
    }

    /// Starts again from the initial delay (call after a success).
    pub fn reset(&mut self) {
        self.current = None;
    }
}

/// Per-key exponential retry delays: `base * 2^failures`, capped at `max`, where `failures`
/// counts the calls to [`when`](Self::when) since the key was last
/// [`forget`](Self::forget)-ed. client-go's defaults are 5 ms and 1000 s.
#[derive(Debug)]
pub struct ItemExponentialRateLimiter<T> {
    base: Duration,
    max: Duration,
    failures: HashMap<T, u32>,
}

impl<T: Hash + Eq> Default for ItemExponentialRateLimiter<T> {
    fn default() -> Self {
        Self::new(Duration::from_millis(5), Duration::from_secs(1000))
    }
}

impl<T: Hash + Eq> ItemExponentialRateLimiter<T> {
    /// A limiter with the given first delay and cap.
    pub fn new(base: Duration, max: Duration) -> Self {
        Self {
            base,
            max,
            failures: HashMap::new(),
        }
    }

    /// Records a failure of `item` and returns how long to wait before retrying it.
    pub fn when(&mut self, item: T) -> Duration {
        let failures = self.failures.entry(item).or_insert(0);
        let exp = *failures;
        *failures = failures.saturating_add(1);
        // 2^exp overflows quickly; anything from 2^40 up is past any sane cap anyway.
        if exp >= 40 {
            return self.max;
        }
        self.base
            .checked_mul(1u32 << exp.min(31))
            .and_then(|d| d.checked_mul(1u32 << exp.saturating_sub(31)))
            .unwrap_or(self.max)
            .min(self.max)
    }

    /// Forgets the failures of `item` (call after it was processed successfully).
    pub fn forget(&mut self, item: &T) {
        self.failures.remove(item);
    }

    /// How many failures of `item` were recorded since it was last forgotten.
    pub fn num_requeues(&self, item: &T) -> u32 {
        self.failures.get(item).copied().unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn item_limiter_doubles_from_5ms_to_1000s() {
        let mut l = ItemExponentialRateLimiter::default();
        assert_eq!(l.when("a"), Duration::from_millis(5));
        assert_eq!(l.when("a"), Duration::from_millis(10));
        assert_eq!(l.when("a"), Duration::from_millis(20));
        assert_eq!(l.when("b"), Duration::from_millis(5));
        assert_eq!(l.num_requeues(&"a"), 3);
        for _ in 0..100 {
            l.when("a");
        }
        assert_eq!(l.when("a"), Duration::from_secs(1000));
        l.forget(&"a");
        assert_eq!(l.num_requeues(&"a"), 0);
        assert_eq!(l.when("a"), Duration::from_millis(5));
    }

    #[test]
    fn backoff_caps_at_max() {
        let mut b = Backoff::new(Duration::from_secs(1), Duration::from_secs(5)).with_jitter(0.0);
        let delays: Vec<_> = (0..5).map(|_| b.next_delay().as_secs()).collect();
        assert_eq!(delays, vec![1, 2, 4, 5, 5]);
    }

    proptest! {
        #[test]
        fn item_limiter_is_monotonic_and_capped(n in 0usize..80, base_ms in 1u64..100, max_s in 1u64..2000) {
            let max = Duration::from_secs(max_s);
            let mut l = ItemExponentialRateLimiter::new(Duration::from_millis(base_ms), max);
            let mut prev = Duration::ZERO;
            for _ in 0..n {
                let d = l.when(());
                prop_assert!(d >= prev);
                prop_assert!(d <= max);
                prev = d;
            }
        }

        #[test]
        fn jittered_backoff_stays_within_bounds(n in 1usize..30, jitter in 0.0f64..1.0) {
            let initial = Duration::from_millis(100);
            let max = Duration::from_secs(10);
            let mut b = Backoff::new(initial, max).with_jitter(jitter);
            let mut plain = Backoff::new(initial, max).with_jitter(0.0);
            for _ in 0..n {
                let d = b.next_delay();
                let base = plain.next_delay();
                prop_assert!(d <= base);
                prop_assert!(d >= base.mul_f64(1.0 - jitter) - Duration::from_nanos(1));
            }
        }
    }
}
