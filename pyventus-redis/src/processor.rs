//! `RedisProcessor`: an emitter's handler calls, written to Redis Streams for workers to run.

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::Ordering;

use pyventus_core::{AnyEvent, Emission, EmitError, Event, Processor, Task};
use redis::aio::{ConnectionManager, ConnectionManagerConfig};

use crate::layout::Layout;
use crate::message::Outgoing;
use crate::stats::ProcessorStats;
use crate::writer::{self, Buffer, Refused};

/// The number of handler calls an emitter may have waiting to be written, by default.
pub const DEFAULT_BUFFER: usize = 100_000;

/// A [`Processor`] that writes each handler call to a Redis stream, for a [`Worker`](crate::Worker)
/// (in this process or any other of the same program) to run.
///
/// Emitting never waits for the network: calls go into a bounded buffer that a background task writes
/// to Redis in pipelined batches. [`flush`](RedisProcessor::flush) waits until everything emitted
/// before it is in Redis. What cannot be sent is never dropped silently; it is reported three ways: an
/// error line (through `tracing` when the program installed a subscriber, else on stderr, as handler
/// faults are; at most one per second, with a count), a counter in
/// [`stats`](RedisProcessor::stats), and an error from the next `flush` (and, for a full buffer,
/// from [`try_emit`](pyventus_core::EventEmitter::try_emit), which gives the event back). Calls are
/// refused when:
/// - the buffer is full (Redis slower than the emitters, or gone for longer than the buffer lasts);
/// - the event's type is not `#[event(serde)]` (a compile error for `emit` on an emitter of this
///   processor; this check is for events that reach it type-erased, through an
///   [`EmitterHandle`](pyventus_core::EmitterHandle));
/// - the handler is a closure subscribed at run time, which another process cannot run.
///
/// While Redis is unreachable the writer keeps the batch it holds and retries it with backoff, saying
/// so once per attempt; calls emitted meanwhile wait in the buffer.
///
/// Await [`flush`](RedisProcessor::flush) before the program exits: calls still in the buffer when
/// the tokio runtime stops were never in Redis. Dropping the last clone of the processor lets the
/// writer write what is left, if the runtime goes on.
///
/// Which handlers get a call is decided here, by the emitting process's own registry (its
/// `#[subscribe]` handlers of the event on the emitter's linker, as for any emit); the worker must be
/// built from the same program to have them (a message for a handler it lacks is dead-lettered).
///
/// # Examples
///
/// ```no_run
/// use pyventus::prelude::*;
/// use pyventus::redis::RedisProcessor;
///
/// #[event(serde)]
/// #[derive(serde::Serialize, serde::Deserialize)]
/// struct OrderPlaced {
///     id: u64,
/// }
///
/// #[subscribe(OrderPlaced)]
/// fn ship(order: &OrderPlaced) {
///     println!("shipping order {}", order.id);
/// }
///
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// let processor = RedisProcessor::connect("redis://127.0.0.1:6379").await?;
/// let emitter = EventEmitter::new(processor.clone());
/// emitter.emit(OrderPlaced { id: 7 }); // `ship` runs in a worker
/// processor.flush().await?;
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
pub struct RedisProcessor {
    shared: Arc<Owner>,
}

/// Closes the buffer when the last clone of a processor is dropped, so that its writer writes what is
/// left and stops.
struct Owner(Arc<Buffer>);

impl Drop for Owner {
    fn drop(&mut self) {
        self.0.close();
    }
}

/// How a [`RedisProcessor`] connects and where it writes: from [`RedisProcessor::builder`].
#[derive(Debug, Clone)]
#[must_use = "a builder does nothing until `connect` is awaited"]
pub struct RedisProcessorBuilder {
    url: String,
    stream: String,
    shards: usize,
    buffer: usize,
    batch: usize,
}

impl RedisProcessorBuilder {
    /// The stream name (default `pyventus`): calls go to the keys `<name>:<shard>`. Workers must read
    /// the same name.
    pub fn stream(mut self, name: impl Into<String>) -> Self {
        self.stream = name.into();
        self
    }

    /// The number of shards (default 1): each emit goes to one of the keys `<name>:0` …
    /// `<name>:<n-1>`, in turn. Workers must be given the same number.
    pub fn shards(mut self, shards: usize) -> Self {
        self.shards = shards.max(1);
        self
    }

    /// How many handler calls may wait to be written (default [`DEFAULT_BUFFER`]); past it, calls are
    /// refused and reported.
    pub fn buffer(mut self, calls: usize) -> Self {
        self.buffer = calls.max(1);
        self
    }

    /// The largest number of calls written in one pipeline (default 1,000).
    pub fn batch(mut self, calls: usize) -> Self {
        self.batch = calls.max(1);
        self
    }

    /// Connects (the server must answer now) and starts the background writer on the current tokio
    /// runtime.
    ///
    /// # Errors
    ///
    /// The URL is not a Redis URL, or the server does not answer.
    ///
    /// # Panics
    ///
    /// Outside a tokio runtime.
    pub async fn connect(self) -> Result<RedisProcessor, redis::RedisError> {
        let client = redis::Client::open(self.url.as_str())?;
        let config = ConnectionManagerConfig::new()
            .set_response_timeout(Some(std::time::Duration::from_secs(10)))
            .set_number_of_retries(2);
        let connection = ConnectionManager::new_with_config(client, config).await?;
        let layout = Layout::new(&self.stream, self.shards);
        let buffer = Arc::new(Buffer::new(
            self.buffer,
            self.batch,
            layout,
            display_url(&self.url),
        ));
        tokio::spawn(writer::run(Arc::clone(&buffer), connection));
        Ok(RedisProcessor {
            shared: Arc::new(Owner(buffer)),
        })
    }
}

/// The URL without its password, for reports.
pub(crate) fn display_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            format!("{}://…@{}", &url[..scheme], &url[at + 1..])
        }
        _ => url.to_owned(),
    }
}

impl RedisProcessor {
    /// Connects to the Redis server at `url` (`redis://host:port/db`) with the default stream
    /// (`pyventus`, one shard) and buffer.
    ///
    /// # Errors
    ///
    /// The URL is not a Redis URL, or the server does not answer.
    pub async fn connect(url: &str) -> Result<RedisProcessor, redis::RedisError> {
        RedisProcessor::builder(url).connect().await
    }

    /// A processor to configure before connecting.
    ///
    /// ```no_run
    /// # async fn run() -> Result<(), redis::RedisError> {
    /// use pyventus::redis::RedisProcessor;
    ///
    /// let processor = RedisProcessor::builder("redis://127.0.0.1:6379")
    ///     .stream("orders")
    ///     .buffer(10_000)
    ///     .connect()
    ///     .await?;
    /// # Ok(())
    /// # }
    /// ```
    pub fn builder(url: &str) -> RedisProcessorBuilder {
        RedisProcessorBuilder {
            url: url.to_owned(),
            stream: "pyventus".to_owned(),
            shards: 1,
            buffer: DEFAULT_BUFFER,
            batch: 1_000,
        }
    }

    /// Waits until every handler call emitted through this processor (or a clone) before the call is
    /// written to Redis.
    ///
    /// # Errors
    ///
    /// - [`FlushError::Unreachable`](crate::FlushError::Unreachable): a write failed while waiting
    ///   (Redis is gone or refused it). Nothing is lost: the calls stay buffered and are retried; flush
    ///   again to wait for them.
    /// - [`FlushError::Refused`](crate::FlushError::Refused): since the previous flush, calls were
    ///   refused (buffer full, event not serializable, runtime closure); each was reported when it
    ///   happened. Everything accepted was written.
    pub async fn flush(&self) -> Result<(), crate::FlushError> {
        self.shared.0.flush().await
    }

    /// What this processor has written, refused and failed so far.
    pub fn stats(&self) -> ProcessorStats {
        self.shared.0.stats()
    }

    fn buffer(&self) -> &Buffer {
        &self.shared.0
    }

    /// The calls of one emission, without sending them: the handlers another process can run, and a
    /// refusal reported for each other one.
    fn calls(&self, tasks: impl Iterator<Item = Task>, payload: &Arc<[u8]>) -> Vec<Outgoing> {
        let shard = self.buffer().next_shard();
        let mut calls = Vec::new();
        for task in tasks {
            let info = task.info();
            if info.subscription_id().is_some() {
                self.buffer().refuse(Refused::RuntimeClosure(info), 1);
                continue;
            }
            calls.push(Outgoing {
                shard,
                event: info.event_path(),
                linker: info.linker(),
                handler: info.path(),
                payload: Arc::clone(payload),
            });
        }
        calls
    }

    /// Sends an emission's calls; `Err` gives the emission back when the buffer has no room for them.
    fn send<E: Event>(&self, emission: Emission<E>) -> Result<(), Emission<E>> {
        let count = emission.handler_count();
        if count == 0 {
            return Ok(());
        }
        if !self.buffer().has_room(count) {
            return Err(emission);
        }
        let payload = match encode(emission.event()) {
            Ok(payload) => payload,
            Err(refused) => {
                self.buffer().refuse(refused, count);
                return Ok(());
            }
        };
        // Another emitter may fill the room between the check and the push: then `push` reports the
        // refusal (the event is in the tasks by now, so it cannot be given back).
        self.buffer()
            .push(self.calls(emission.into_tasks(), &payload));
        Ok(())
    }
}

/// The event's encoding, shared by its calls.
fn encode(event: &dyn AnyEvent) -> Result<Arc<[u8]>, Refused> {
    let mut out = Vec::with_capacity(64);
    match event.__encode(&mut out) {
        Some(Ok(())) => Ok(out.into()),
        Some(Err(error)) => Err(Refused::Encode(event.path(), error)),
        None => Err(Refused::NotSerde(event.path())),
    }
}

impl Processor for RedisProcessor {
    fn submit(&self, task: Task) {
        let payload = match encode(task.event()) {
            Ok(payload) => payload,
            Err(refused) => return self.buffer().refuse(refused, 1),
        };
        self.buffer()
            .push(self.calls(std::iter::once(task), &payload));
    }

    fn dispatch<E: Event>(&self, emission: Emission<E>) {
        const {
            assert!(
                E::__WIRE.is_some(),
                "an event emitted through a `RedisProcessor` must be `#[event(serde)]` (and derive \
                 `serde::Serialize` and `serde::Deserialize`)"
            )
        };
        if let Err(emission) = self.send(emission) {
            self.buffer()
                .refuse(Refused::Full(E::PATH), emission.handler_count());
        }
    }

    fn try_dispatch<E: Event>(&self, emission: Emission<E>) -> Result<(), EmitError<E>> {
        const {
            assert!(
                E::__WIRE.is_some(),
                "an event emitted through a `RedisProcessor` must be `#[event(serde)]` (and derive \
                 `serde::Serialize` and `serde::Deserialize`)"
            )
        };
        self.send(emission)
            .map_err(|emission| EmitError::Full(emission.into_event()))
    }

    fn handle(&self) -> Option<Arc<dyn Processor + Send + Sync>> {
        Some(Arc::new(self.clone()))
    }
}

impl fmt::Debug for RedisProcessor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let buffer = self.buffer();
        f.debug_struct("RedisProcessor")
            .field("url", &buffer.url())
            .field("streams", &buffer.layout().keys())
            .field("waiting", &buffer.waiting())
            .field(
                "written",
                &buffer.counters().written.load(Ordering::Relaxed),
            )
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::display_url;

    #[test]
    fn reports_do_not_show_passwords() {
        assert_eq!(
            display_url("redis://user:secret@host:6379/0"),
            "redis://…@host:6379/0"
        );
        assert_eq!(
            display_url("redis://127.0.0.1:6379"),
            "redis://127.0.0.1:6379"
        );
    }
}
