//! The errors of the Redis processor and worker.

use std::fmt;

/// Why [`RedisProcessor::flush`](crate::RedisProcessor::flush) did not simply succeed.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum FlushError {
    /// A write to Redis failed while waiting. The calls are still buffered and are retried.
    Unreachable {
        /// What the failed write said.
        error: String,
        /// Handler calls not yet written.
        waiting: u64,
    },
    /// Since the previous flush, this many handler calls were refused (each reported when it was).
    Refused {
        /// How many.
        count: u64,
    },
}

impl fmt::Display for FlushError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FlushError::Unreachable { error, waiting } => write!(
                f,
                "could not write to Redis ({error}); {waiting} handler calls wait in the buffer and \
                 are retried: flush again to wait for them"
            ),
            FlushError::Refused { count } => write!(
                f,
                "{count} handler calls were refused since the last flush (buffer full, event not \
                 `#[event(serde)]`, or a runtime closure); each was reported"
            ),
        }
    }
}

impl std::error::Error for FlushError {}

/// Why a [`Worker`](crate::Worker) could not start.
#[derive(Debug)]
#[non_exhaustive]
pub enum WorkerError {
    /// The URL is not a Redis URL, or the server did not answer at start.
    Redis(redis::RedisError),
    /// The worker was given nothing it could run: no `#[event(serde)]` event of this build has a
    /// `#[subscribe]` handler on the linkers it serves.
    NoHandlers,
}

impl fmt::Display for WorkerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WorkerError::Redis(error) => write!(f, "the worker could not reach Redis: {error}"),
            WorkerError::NoHandlers => f.write_str(
                "the worker has no handler to run: mark events `#[event(serde)]` and give them \
                 `#[subscribe]` handlers in the program that runs the worker",
            ),
        }
    }
}

impl std::error::Error for WorkerError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            WorkerError::Redis(error) => Some(error),
            WorkerError::NoHandlers => None,
        }
    }
}

impl From<redis::RedisError> for WorkerError {
    fn from(error: redis::RedisError) -> Self {
        WorkerError::Redis(error)
    }
}
