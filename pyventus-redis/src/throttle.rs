//! At most one report per interval, with the count of those it held back: a full buffer at 100,000
//! emits a second is one line a second, not 100,000.

use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

#[derive(Debug)]
pub(crate) struct Throttle {
    every: Duration,
    last: Mutex<Option<Instant>>,
    held_back: AtomicU64,
}

impl Throttle {
    pub(crate) const fn new(every: Duration) -> Self {
        Throttle {
            every,
            last: Mutex::new(None),
            held_back: AtomicU64::new(0),
        }
    }

    /// Calls `report` with the number of reports held back since the last one, unless one was made
    /// within the interval (then counts this one as held back).
    pub(crate) fn report(&self, report: impl FnOnce(u64)) {
        let now = Instant::now();
        let mut last = self
            .last
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if last.is_some_and(|at| now.duration_since(at) < self.every) {
            self.held_back.fetch_add(1, Ordering::Relaxed);
            return;
        }
        *last = Some(now);
        drop(last);
        report(self.held_back.swap(0, Ordering::Relaxed));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reports_within_the_interval_are_counted_not_made() {
        let throttle = Throttle::new(Duration::from_secs(3600));
        let mut made = Vec::new();
        for _ in 0..5 {
            throttle.report(|held| made.push(held));
        }
        assert_eq!(made, vec![0]);
        let throttle = Throttle::new(Duration::ZERO);
        throttle.report(|held| made.push(held));
        throttle.report(|held| made.push(held));
        assert_eq!(made, vec![0, 0, 0]);
    }
}
