//! `Worker`: runs, in any process of the program, the handler calls that `RedisProcessor`s wrote.

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use pyventus_core::Processor;
use pyventus_core::remote::{self, RemoteScope, RemoteTarget};
use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use tokio::sync::watch;
use tokio::task::JoinSet;

use crate::consume;
use crate::error::WorkerError;
use crate::layout::Layout;
use crate::processor::display_url;
use crate::stats::{WorkerCounters, WorkerStats};

/// How long a message may stay with a consumer, unacknowledged, before another worker takes it over,
/// by default.
pub const DEFAULT_VISIBILITY_TIMEOUT: Duration = Duration::from_secs(30);

/// Runs the handler calls that [`RedisProcessor`](crate::RedisProcessor)s wrote: a consumer group
/// on the processor's streams.
///
/// A worker resolves each message against its own build: the handler named by its linker and path,
/// for the event named by its path, among the `#[subscribe]` handlers of `#[event(serde)]` events of
/// the program it runs in. It gives handlers state the way an emitter does
/// ([`with_state`](Worker::with_state)) and a [`Delivery`](crate::Delivery) extractor.
///
/// Guarantees, per message (one handler call):
/// - **At least once.** A message is acknowledged (`XACK`) only after its handler returned. A message
///   held by a consumer that died (or hung) for longer than the
///   [visibility timeout](Worker::visibility_timeout) is taken over (`XAUTOCLAIM`) by a live worker.
/// - **Retries, then dead letters.** A handler that panics or returns `Err` is reported (as an emitter
///   reports it: its `on_failure`, the linker's default, or the default report) and run again after a
///   backoff, up to [`max_attempts`](Worker::max_attempts); then the message goes to the dead-letter
///   stream (`<name>:dead`) with its reason, and is acknowledged. A message this worker cannot run
///   (unknown handler, undecodable payload, unknown format version, malformed) goes there at once.
///   The worker goes on.
/// - **Reconnects.** When Redis is unreachable, each loop says so (an error line, through `tracing` or on
///   stderr as handler faults are; at most one per second), retries with backoff, and says when it is back.
/// - **Graceful shutdown.** [`RunningWorker::shutdown`] lets running handlers finish and gives the
///   messages it had read but not started back to the group at once (another worker takes them at
///   its next reclaim, without waiting for the visibility timeout).
///
/// A handler that runs longer than the visibility timeout may be run a second time by another worker
/// while it is still running: set the timeout above the longest handler.
///
/// # Examples
///
/// ```no_run
/// use pyventus::prelude::*;
/// use pyventus::State;
/// use pyventus::redis::Worker;
///
/// #[event(serde)]
/// #[derive(serde::Serialize, serde::Deserialize)]
/// struct OrderPlaced {
///     id: u64,
/// }
///
/// #[derive(Clone)]
/// struct Db;
///
/// #[subscribe(OrderPlaced)]
/// fn ship(order: &OrderPlaced, _db: State<Db>) {
///     println!("shipping order {}", order.id);
/// }
///
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// let stats = Worker::new("redis://127.0.0.1:6379")
///     .with_state(Db)
///     .concurrency(4)
///     .run_until(async { tokio::signal::ctrl_c().await.unwrap() })
///     .await?;
/// println!("{} calls done", stats.succeeded);
/// # Ok(())
/// # }
/// ```
#[must_use = "a worker does nothing until `start` or `run_until` is awaited"]
pub struct Worker {
    url: String,
    config: Config,
    scope: RemoteScope,
    debug: Option<bool>,
}

/// What a worker's loops share, fixed at start.
#[derive(Debug, Clone)]
pub(crate) struct Config {
    pub(crate) stream: String,
    pub(crate) shards: usize,
    pub(crate) group: String,
    pub(crate) consumer: Option<String>,
    pub(crate) concurrency: usize,
    pub(crate) batch: usize,
    pub(crate) block: Duration,
    pub(crate) visibility: Duration,
    pub(crate) max_attempts: u32,
    pub(crate) backoff: Duration,
    pub(crate) max_backoff: Duration,
    pub(crate) trim: bool,
}

impl Worker {
    /// A worker of the Redis server at `url`, with the defaults: stream `pyventus` (1 shard), group
    /// `pyventus`, one loop, batches of 100, visibility timeout 30 s, 3 attempts with backoff from
    /// 100 ms.
    pub fn new(url: &str) -> Self {
        Worker {
            url: url.to_owned(),
            config: Config {
                stream: "pyventus".to_owned(),
                shards: 1,
                group: "pyventus".to_owned(),
                consumer: None,
                concurrency: 1,
                batch: 100,
                block: Duration::from_millis(500),
                visibility: DEFAULT_VISIBILITY_TIMEOUT,
                max_attempts: 3,
                backoff: Duration::from_millis(100),
                max_backoff: Duration::from_secs(5),
                trim: true,
            },
            scope: RemoteScope::new("pyventus::redis::Worker"),
            debug: None,
        }
    }

    /// The stream name its processors write to (default `pyventus`).
    pub fn stream(mut self, name: impl Into<String>) -> Self {
        self.config.stream = name.into();
        self
    }

    /// The number of shards its processors write to (default 1): the worker reads them all.
    pub fn shards(mut self, shards: usize) -> Self {
        self.config.shards = shards.max(1);
        self
    }

    /// The consumer group (default `pyventus`): workers of one group share the messages; each group
    /// gets every message.
    pub fn group(mut self, name: impl Into<String>) -> Self {
        self.config.group = name.into();
        self
    }

    /// The consumer name's prefix (default `worker-<pid>-<random>`); loop `i` is `<name>-<i>`. Give
    /// each live worker its own.
    pub fn consumer(mut self, name: impl Into<String>) -> Self {
        self.config.consumer = Some(name.into());
        self
    }

    /// How many handler calls run at once (default 1): each is a loop with its own connection that
    /// reads and runs a batch at a time.
    pub fn concurrency(mut self, loops: usize) -> Self {
        self.config.concurrency = loops.max(1);
        self
    }

    /// How many messages one read takes (default 100).
    pub fn batch(mut self, messages: usize) -> Self {
        self.config.batch = messages.max(1);
        self
    }

    /// How long a message may stay unacknowledged with a consumer before another takes it over
    /// (default [`DEFAULT_VISIBILITY_TIMEOUT`]). Workers check for such messages every quarter of it.
    pub fn visibility_timeout(mut self, timeout: Duration) -> Self {
        self.config.visibility = timeout.max(Duration::from_millis(10));
        self
    }

    /// How many times a failing handler is run before its message is dead-lettered (default 3).
    pub fn max_attempts(mut self, attempts: u32) -> Self {
        self.config.max_attempts = attempts.max(1);
        self
    }

    /// The wait before the first retry (doubled for each next one) and the longest wait (defaults
    /// 100 ms and 5 s).
    pub fn retry_backoff(mut self, first: Duration, max: Duration) -> Self {
        self.config.backoff = first;
        self.config.max_backoff = max.max(first);
        self
    }

    /// Whether to trim entries every group has acknowledged from the streams (default `true`), and
    /// remove consumers that left (idle 10 minutes, holding nothing). Redis keeps a stream's entries
    /// after they are acknowledged; without trimming, a stream grows with every call ever made.
    /// Entries some group has not read yet, or still holds, are never trimmed.
    pub fn trim(mut self, trim: bool) -> Self {
        self.config.trim = trim;
        self
    }

    /// Gives handlers a state value, as [`EventEmitter::with_state`](pyventus_core::EventEmitter::with_state)
    /// does.
    pub fn with_state<T: Clone + Send + Sync + 'static>(mut self, value: T) -> Self {
        self.scope = self.scope.with_state(value);
        self
    }

    /// The processor that handlers' [`EmitterHandle`](pyventus_core::EmitterHandle)s emit through
    /// (by default they have none, and a handler taking one is rejected and reported).
    pub fn emit_through<P: Processor + Send + Sync + 'static>(mut self, processor: P) -> Self {
        self.scope = self.scope.with_processor(Arc::new(processor));
        self
    }

    /// Debug mode for the handlers it runs (default: the global setting).
    pub fn debug(mut self, debug: bool) -> Self {
        self.debug = Some(debug);
        self
    }

    /// Connects, creates the consumer group where it does not exist, and starts the loops on the
    /// current tokio runtime.
    ///
    /// # Errors
    ///
    /// [`WorkerError::Redis`] when Redis does not answer now; [`WorkerError::NoHandlers`] when this
    /// build has no handler a message could name.
    pub async fn start(self) -> Result<RunningWorker, WorkerError> {
        let targets = remote::targets();
        if targets.is_empty() {
            return Err(WorkerError::NoHandlers);
        }
        let consumer = self
            .config
            .consumer
            .clone()
            .unwrap_or_else(default_consumer);
        let client = redis::Client::open(self.url.as_str())?;
        let layout = Layout::new(&self.config.stream, self.config.shards);
        let mut admin = connection(&client, None).await?;
        consume::create_groups(&mut admin, &layout, &self.config.group).await?;
        warn_missing_states(&targets, &self.scope);

        let core = Arc::new(Core {
            targets: index(targets),
            scope: self.scope,
            debug: self.debug.unwrap_or_else(pyventus_core::global_debug),
            url: display_url(&self.url),
            layout,
            config: self.config,
            counters: WorkerCounters::default(),
        });
        let (stop, stopped) = watch::channel(false);
        let mut loops = JoinSet::new();
        let read_timeout = Some(core.config.block + Duration::from_secs(10));
        for i in 0..core.config.concurrency {
            let connection = connection(&client, read_timeout).await?;
            let name = format!("{consumer}-{i}");
            loops.spawn(consume::read_loop(
                Arc::clone(&core),
                connection,
                name,
                stopped.clone(),
            ));
        }
        let connection = connection(&client, read_timeout).await?;
        loops.spawn(consume::reclaim_loop(
            Arc::clone(&core),
            connection,
            format!("{consumer}-reclaim"),
            stopped,
        ));
        Ok(RunningWorker {
            core,
            stop,
            loops,
            consumer,
        })
    }

    /// Runs until `signal` completes, then shuts down gracefully and returns what it did.
    ///
    /// # Errors
    ///
    /// As [`start`](Worker::start).
    pub async fn run_until(
        self,
        signal: impl Future<Output = ()>,
    ) -> Result<WorkerStats, WorkerError> {
        let running = self.start().await?;
        signal.await;
        Ok(running.shutdown().await)
    }
}

impl fmt::Debug for Worker {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Worker")
            .field("url", &display_url(&self.url))
            .field("config", &self.config)
            .field("scope", &self.scope)
            .finish()
    }
}

fn default_consumer() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |since| since.subsec_nanos());
    format!("worker-{}-{:x}", std::process::id(), nanos)
}

async fn connection(
    client: &redis::Client,
    response_timeout: Option<Duration>,
) -> Result<ConnectionManager, redis::RedisError> {
    let config = ConnectionManagerConfig::new()
        .set_response_timeout(response_timeout.or(Some(Duration::from_secs(10))))
        .set_number_of_retries(2)
        .set_max_delay(Duration::from_secs(2));
    ConnectionManager::new_with_config(client.clone(), config).await
}

/// Says, at start, which handlers will be rejected for want of a state the worker was not given.
fn warn_missing_states(targets: &[RemoteTarget], scope: &RemoteScope) {
    for target in targets {
        let missing = target.missing_states(scope);
        if !missing.is_empty() {
            let names: Vec<&str> = missing.iter().map(|ty| ty.name()).collect();
            report!(
                Warn,
                "this worker lacks state that handler `{}` takes ({}): its messages will be \
                 dead-lettered; give it with `Worker::new(..).with_state(value)`",
                target.path(),
                names.join(", ")
            );
        }
    }
}

/// The key a message names its handler by: event path, linker name, handler path.
pub(crate) type TargetKey = (&'static str, &'static str, &'static str);

fn index(targets: Vec<RemoteTarget>) -> HashMap<TargetKey, RemoteTarget> {
    targets
        .into_iter()
        .map(|target| ((target.event(), target.linker(), target.path()), target))
        .collect()
}

/// What a worker's loops share.
pub(crate) struct Core {
    pub(crate) targets: HashMap<TargetKey, RemoteTarget>,
    pub(crate) scope: RemoteScope,
    pub(crate) debug: bool,
    pub(crate) url: String,
    pub(crate) layout: Layout,
    pub(crate) config: Config,
    pub(crate) counters: WorkerCounters,
}

/// A started [`Worker`]: its loops run until [`shutdown`](RunningWorker::shutdown).
///
/// Dropping it without `shutdown` stops the loops at their next await: handlers in the middle of a
/// call are cut off and their messages are taken over by another worker after the visibility
/// timeout (nothing is lost, but call `shutdown` to stop cleanly).
pub struct RunningWorker {
    core: Arc<Core>,
    stop: watch::Sender<bool>,
    loops: JoinSet<()>,
    consumer: String,
}

impl RunningWorker {
    /// What the worker has done so far.
    pub fn stats(&self) -> WorkerStats {
        self.core.counters.snapshot()
    }

    /// The consumer name's prefix (loop `i` reads as `<prefix>-<i>`).
    pub fn consumer(&self) -> &str {
        &self.consumer
    }

    /// Stops reading, lets running handlers finish, acknowledges what they finished, gives back
    /// what was read but not started, and returns what the worker did.
    pub async fn shutdown(mut self) -> WorkerStats {
        let _ = self.stop.send(true);
        while let Some(result) = self.loops.join_next().await {
            if let Err(error) = result {
                report!(Error, "a worker loop ended abnormally: {error}");
            }
        }
        self.core.counters.snapshot()
    }
}

impl fmt::Debug for RunningWorker {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RunningWorker")
            .field("consumer", &self.consumer)
            .field("stats", &self.stats())
            .finish()
    }
}
