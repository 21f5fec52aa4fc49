//! The buffer between emitters and Redis, and the background task that writes it.
//!
//! Emitters push handler calls into a bounded buffer under a mutex (a push is a few pointer copies);
//! the writer takes up to one batch at a time and writes it as one pipeline of `XADD`s. A batch that
//! fails is kept and retried with backoff; the buffer meanwhile fills, and past its bound, calls are
//! refused and reported. `written` counts calls in Redis; `flush` waits for it to reach the count of
//! calls accepted before it.

use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use pyventus_core::HandlerInfo;
use redis::aio::ConnectionManager;
use tokio::sync::{Notify, watch};

use crate::error::FlushError;
use crate::layout::Layout;
use crate::message::Outgoing;
use crate::stats::{ProcessorCounters, ProcessorStats};
use crate::throttle::Throttle;

/// Why handler calls were not sent.
#[derive(Debug)]
pub(crate) enum Refused {
    Full(&'static str),
    NotSerde(&'static str),
    Encode(&'static str, String),
    RuntimeClosure(HandlerInfo),
}

struct Queue {
    calls: Vec<Outgoing>,
    /// Calls accepted so far (written, being written or waiting).
    accepted: u64,
    closed: bool,
}

/// The buffer of one processor (shared by its clones) and its writer.
pub(crate) struct Buffer {
    queue: Mutex<Queue>,
    wake: Notify,
    capacity: usize,
    batch: usize,
    layout: Layout,
    url: String,
    next_shard: AtomicUsize,
    /// The number of calls written; also changed (to the same value) when a write fails, so that
    /// `flush` looks at the error count.
    written: watch::Sender<u64>,
    in_batch: AtomicUsize,
    last_error: Mutex<String>,
    counters: ProcessorCounters,
    refusals: Throttle,
}

impl Buffer {
    pub(crate) fn new(capacity: usize, batch: usize, layout: Layout, url: String) -> Self {
        Buffer {
            queue: Mutex::new(Queue {
                calls: Vec::new(),
                accepted: 0,
                closed: false,
            }),
            wake: Notify::new(),
            capacity,
            batch,
            layout,
            url,
            next_shard: AtomicUsize::new(0),
            written: watch::Sender::new(0),
            in_batch: AtomicUsize::new(0),
            last_error: Mutex::new(String::new()),
            counters: ProcessorCounters::default(),
            refusals: Throttle::new(Duration::from_secs(1)),
        }
    }

    fn queue(&self) -> std::sync::MutexGuard<'_, Queue> {
        self.queue
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    pub(crate) fn url(&self) -> &str {
        &self.url
    }

    pub(crate) fn layout(&self) -> &Layout {
        &self.layout
    }

    pub(crate) fn counters(&self) -> &ProcessorCounters {
        &self.counters
    }

    /// The shard of the next emit: each in turn.
    pub(crate) fn next_shard(&self) -> usize {
        let shards = self.layout.keys().len();
        if shards == 1 {
            return 0;
        }
        self.next_shard.fetch_add(1, Ordering::Relaxed) % shards
    }

    /// Calls waiting or being written.
    pub(crate) fn waiting(&self) -> u64 {
        (self.queue().calls.len() + self.in_batch.load(Ordering::Relaxed)) as u64
    }

    pub(crate) fn stats(&self) -> ProcessorStats {
        self.counters.snapshot(self.waiting())
    }

    /// Whether `count` more calls fit now.
    pub(crate) fn has_room(&self, count: usize) -> bool {
        self.queue().calls.len() + count <= self.capacity
    }

    /// Adds the calls of one emit, all or none (none is reported).
    pub(crate) fn push(&self, calls: Vec<Outgoing>) {
        let count = calls.len();
        if count == 0 {
            return;
        }
        let mut queue = self.queue();
        if queue.calls.len() + count > self.capacity {
            drop(queue);
            self.refuse(Refused::Full(calls[0].event), count);
            return;
        }
        let was_empty = queue.calls.is_empty();
        queue.calls.extend(calls);
        queue.accepted += count as u64;
        drop(queue);
        if was_empty {
            self.wake.notify_one();
        }
    }

    /// Counts and reports `count` refused calls.
    pub(crate) fn refuse(&self, why: Refused, count: usize) {
        let count = count as u64;
        self.counters.refused.fetch_add(count, Ordering::Relaxed);
        self.counters
            .refused_since_flush
            .fetch_add(count, Ordering::Relaxed);
        self.refusals.report(|held_back| {
            let also = if held_back > 0 {
                format!(" ({held_back} more refusals in the last second)")
            } else {
                String::new()
            };
            match why {
                Refused::Full(event) => report!(
                    Error,
                    "{count} handler calls of `{event}` were not sent to Redis at {}: the \
                     processor's buffer is full ({} calls wait); Redis is slow or gone. Raise \
                     `RedisProcessor::builder(..).buffer(n)`, or emit with `try_emit` to get the \
                     event back{also}",
                    self.url,
                    self.capacity
                ),
                Refused::NotSerde(event) => report!(
                    Error,
                    "{count} handler calls of `{event}` were not sent to Redis: `{event}` \
                     is not `#[event(serde)]`; write `#[event(serde)]` on it and derive \
                     `serde::Serialize, serde::Deserialize`{also}"
                ),
                Refused::Encode(event, error) => report!(
                    Error,
                    "{count} handler calls of `{event}` were not sent to Redis: the event \
                     could not be encoded: {error}{also}"
                ),
                Refused::RuntimeClosure(info) => report!(
                    Error,
                    "handler `{}` of `{}` was not sent to Redis: it is a closure \
                     subscribed at run time, which a worker in another process cannot run; make it \
                     a `#[subscribe]` function, or subscribe it on a linker whose emitter runs in \
                     this process{also}",
                    info.path(),
                    info.event()
                ),
            }
        });
    }

    /// No more pushes: the writer writes what is left and stops.
    pub(crate) fn close(&self) {
        self.queue().closed = true;
        self.wake.notify_one();
    }

    /// Waits until everything accepted before the call is written (see `RedisProcessor::flush`).
    pub(crate) async fn flush(&self) -> Result<(), FlushError> {
        let target = self.queue().accepted;
        let errors_before = self.counters.write_errors.load(Ordering::Relaxed);
        let mut written = self.written.subscribe();
        loop {
            if *written.borrow_and_update() >= target {
                break;
            }
            if self.counters.write_errors.load(Ordering::Relaxed) > errors_before {
                let error = self
                    .last_error
                    .lock()
                    .unwrap_or_else(|poisoned| poisoned.into_inner())
                    .clone();
                return Err(FlushError::Unreachable {
                    error,
                    waiting: self.waiting(),
                });
            }
            if written.changed().await.is_err() {
                break;
            }
        }
        match self.counters.refused_since_flush.swap(0, Ordering::Relaxed) {
            0 => Ok(()),
            count => Err(FlushError::Refused { count }),
        }
    }

    /// The next batch, or `None` once closed and empty.
    async fn next_batch(&self, batch: &mut Vec<Outgoing>) -> Option<()> {
        loop {
            {
                let mut queue = self.queue();
                if !queue.calls.is_empty() {
                    if queue.calls.len() <= self.batch {
                        std::mem::swap(&mut queue.calls, batch);
                    } else {
                        batch.extend(queue.calls.drain(..self.batch));
                    }
                    self.in_batch.store(batch.len(), Ordering::Relaxed);
                    return Some(());
                }
                if queue.closed {
                    return None;
                }
            }
            self.wake.notified().await;
        }
    }

    fn failed(&self, error: &redis::RedisError, batch: usize, retry_in: Duration) {
        *self
            .last_error
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) = error.to_string();
        self.counters.write_errors.fetch_add(1, Ordering::Relaxed);
        self.written.send_modify(|_| {});
        report!(
            Error,
            "could not write {batch} handler calls to Redis at {}: {error}; retrying in \
             {retry_in:?} ({} more wait in the buffer)",
            self.url,
            self.queue().calls.len()
        );
    }
}

/// The writer: batches from the buffer to Redis until the processor is dropped and the buffer empty.
pub(crate) async fn run(buffer: std::sync::Arc<Buffer>, mut connection: ConnectionManager) {
    let mut batch = Vec::new();
    let mut pipe = redis::pipe();
    while buffer.next_batch(&mut batch).await.is_some() {
        pipe.clear();
        for call in &batch {
            call.add_to(&mut pipe, &buffer.layout.keys()[call.shard]);
        }
        let mut backoff = Duration::from_millis(50);
        let mut failures = 0u32;
        while let Err(error) = pipe.query_async::<()>(&mut connection).await {
            failures += 1;
            buffer.failed(&error, batch.len(), backoff);
            tokio::time::sleep(backoff).await;
            backoff = (backoff * 2).min(Duration::from_secs(5));
        }
        if failures > 0 {
            report!(
                Info,
                "Redis at {} is reachable again; wrote the {} handler calls held back",
                buffer.url,
                batch.len()
            );
        }
        let count = batch.len() as u64;
        batch.clear();
        buffer.in_batch.store(0, Ordering::Relaxed);
        buffer.counters.written.fetch_add(count, Ordering::Relaxed);
        buffer.written.send_modify(|written| *written += count);
    }
}
