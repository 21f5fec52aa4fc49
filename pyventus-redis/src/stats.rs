//! Counters: what a processor or a worker has done, readable while it runs.

use std::sync::atomic::{AtomicU64, Ordering};

/// The counters of a [`RedisProcessor`](crate::RedisProcessor), shared with its writer.
#[derive(Debug, Default)]
pub(crate) struct ProcessorCounters {
    pub(crate) written: AtomicU64,
    pub(crate) refused: AtomicU64,
    pub(crate) refused_since_flush: AtomicU64,
    pub(crate) write_errors: AtomicU64,
}

/// What a [`RedisProcessor`](crate::RedisProcessor) has done so far: from
/// [`RedisProcessor::stats`](crate::RedisProcessor::stats).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct ProcessorStats {
    /// Handler calls written to Redis.
    pub written: u64,
    /// Handler calls waiting in the buffer (or in the batch being written).
    pub waiting: u64,
    /// Handler calls refused (buffer full, event not serializable, runtime closure), each reported.
    pub refused: u64,
    /// Failed writes to Redis (each retried).
    pub write_errors: u64,
}

impl ProcessorCounters {
    pub(crate) fn snapshot(&self, waiting: u64) -> ProcessorStats {
        ProcessorStats {
            written: self.written.load(Ordering::Relaxed),
            waiting,
            refused: self.refused.load(Ordering::Relaxed),
            write_errors: self.write_errors.load(Ordering::Relaxed),
        }
    }
}

/// The counters of a [`Worker`](crate::Worker), shared by its loops.
#[derive(Debug, Default)]
pub(crate) struct WorkerCounters {
    pub(crate) succeeded: AtomicU64,
    pub(crate) retried: AtomicU64,
    pub(crate) dead_lettered: AtomicU64,
    pub(crate) reclaimed: AtomicU64,
    pub(crate) returned: AtomicU64,
    pub(crate) redis_errors: AtomicU64,
    pub(crate) trimmed: AtomicU64,
}

/// What a [`Worker`](crate::Worker) has done so far: from
/// [`RunningWorker::stats`](crate::RunningWorker::stats) or, at the end, from its shutdown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct WorkerStats {
    /// Handler calls that succeeded and were acknowledged.
    pub succeeded: u64,
    /// Failed attempts that were retried.
    pub retried: u64,
    /// Messages moved to the dead-letter stream.
    pub dead_lettered: u64,
    /// Messages taken over from a consumer that held them past the visibility timeout.
    pub reclaimed: u64,
    /// Messages given back unstarted at shutdown, for other workers to take at once.
    pub returned: u64,
    /// Failed Redis commands (each retried after a backoff).
    pub redis_errors: u64,
    /// Acknowledged entries trimmed from the streams (see [`Worker::trim`](crate::Worker::trim)).
    pub trimmed: u64,
}

impl WorkerCounters {
    pub(crate) fn snapshot(&self) -> WorkerStats {
        let get = |counter: &AtomicU64| counter.load(Ordering::Relaxed);
        WorkerStats {
            succeeded: get(&self.succeeded),
            retried: get(&self.retried),
            dead_lettered: get(&self.dead_lettered),
            reclaimed: get(&self.reclaimed),
            returned: get(&self.returned),
            redis_errors: get(&self.redis_errors),
            trimmed: get(&self.trimmed),
        }
    }

    pub(crate) fn add(counter: &AtomicU64, n: u64) {
        counter.fetch_add(n, Ordering::Relaxed);
    }
}
