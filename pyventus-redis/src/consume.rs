//! A worker's loops: read a batch, run it, acknowledge it; take over what dead consumers held.
//!
//! Each read loop sends, in one pipeline, the `XACK` of the batch it just ran and the `XREADGROUP` of
//! the next (so a batch costs one round trip). The reclaim loop claims, every quarter of the
//! visibility timeout, the messages idle longer than it (`XAUTOCLAIM`) and runs them the same way.

use std::sync::atomic::AtomicU64;
use std::time::{Duration, Instant};

use pyventus_core::__private::Outcome;
use pyventus_core::remote::RemoteRun;
use redis::Value;
use redis::aio::ConnectionManager;
use tokio::sync::watch;

use crate::delivery::Delivery;
use crate::housekeeping;
use crate::layout::Layout;
use crate::message::Incoming;
use crate::stats::WorkerCounters;
use crate::throttle::Throttle;
use crate::worker::Core;

/// Creates the group on every shard (and the stream where it does not exist), from the stream's
/// start, so that calls emitted before any worker ran are run too.
pub(crate) async fn create_groups(
    connection: &mut ConnectionManager,
    layout: &Layout,
    group: &str,
) -> Result<(), redis::RedisError> {
    for key in layout.keys() {
        let created: Result<(), redis::RedisError> = redis::cmd("XGROUP")
            .arg("CREATE")
            .arg(key)
            .arg(group)
            .arg("0")
            .arg("MKSTREAM")
            .query_async(connection)
            .await;
        match created {
            Err(error) if error.code() != Some("BUSYGROUP") => return Err(error),
            _ => {}
        }
    }
    Ok(())
}

/// What becomes of one message.
#[derive(Debug)]
enum Verdict {
    Ack,
    Dead {
        reason: String,
        attempts: u32,
    },
    /// Shutdown came during a retry's backoff: give it back.
    GiveBack,
}

/// A read loop: `XREADGROUP` a batch as `consumer`, run it, acknowledge it, until stopped.
pub(crate) async fn read_loop(
    core: std::sync::Arc<Core>,
    mut connection: ConnectionManager,
    consumer: String,
    stop: watch::Receiver<bool>,
) {
    let mut link = Link::new(&core);
    let mut acks = Acks::new(core.layout.keys().len());
    while !*stop.borrow() {
        let mut pipe = redis::pipe();
        acks.add_to(&mut pipe, &core);
        let read = pipe
            .cmd("XREADGROUP")
            .arg("GROUP")
            .arg(&core.config.group)
            .arg(&consumer)
            .arg("COUNT")
            .arg(core.config.batch)
            .arg("BLOCK")
            .arg(core.config.block.as_millis() as u64)
            .arg("STREAMS")
            .arg(core.layout.keys());
        for _ in core.layout.keys() {
            read.arg(">");
        }
        let reply: Value = match pipe.query_async::<(Value,)>(&mut connection).await {
            Ok((reply,)) => {
                link.up(&core);
                reply
            }
            Err(error) => {
                link.down(&core, &mut connection, &error, "read").await;
                continue;
            }
        };
        acks.clear();
        let entries = stream_entries(reply, &core.layout);
        run_batch(
            &core,
            &mut connection,
            &consumer,
            entries,
            &stop,
            &mut acks,
            1,
        )
        .await;
    }
    // The last batch's acknowledgements.
    if !acks.is_empty() {
        let mut pipe = redis::pipe();
        acks.add_to(&mut pipe, &core);
        retry(&core, &mut link, &mut connection, "acknowledge", || {
            pipe.clone()
        })
        .await;
    }
}

/// Runs a batch of `(shard, entry, deliveries)`: acknowledgements are added to `acks` (sent with the
/// next read, or earlier when the batch runs long); dead letters are written at once; after a stop,
/// what is not started is given back.
async fn run_batch(
    core: &Core,
    connection: &mut ConnectionManager,
    consumer: &str,
    entries: Vec<(usize, Incoming)>,
    stop: &watch::Receiver<bool>,
    acks: &mut Acks,
    deliveries: u32,
) {
    let mut entries = entries.into_iter();
    while let Some((shard, entry)) = entries.next() {
        if *stop.borrow() {
            let rest: Vec<(usize, Incoming)> =
                std::iter::once((shard, entry)).chain(entries).collect();
            give_back(core, connection, consumer, &rest, deliveries).await;
            return;
        }
        if acks.overdue() {
            acks.send(core, connection).await;
        }
        match handle(core, connection, acks, shard, &entry, deliveries, stop).await {
            Verdict::Ack => acks.push(shard, entry.id),
            Verdict::Dead { reason, attempts } => {
                dead_letter(core, connection, consumer, shard, &entry, &reason, attempts).await
            }
            Verdict::GiveBack => {
                give_back(core, connection, consumer, &[(shard, entry)], deliveries).await
            }
        }
    }
}

/// Runs one message's handler, with retries.
async fn handle(
    core: &Core,
    connection: &mut ConnectionManager,
    acks: &mut Acks,
    shard: usize,
    entry: &Incoming,
    deliveries: u32,
    stop: &watch::Receiver<bool>,
) -> Verdict {
    let dead = |reason: String, attempts: u32| Verdict::Dead { reason, attempts };
    let call = match entry.call() {
        Ok(call) => call,
        Err(malformed) => return dead(malformed.to_string(), 0),
    };
    let Some(target) = core.targets.get(&(call.event, call.linker, call.handler)) else {
        return dead(
            format!(
                "no handler `{}` of event `{}` on linker `{}` in this worker's build (was the \
                 message written by another version of the program?)",
                call.handler, call.event, call.linker
            ),
            0,
        );
    };
    let max = core.config.max_attempts;
    let mut attempt = deliveries.max(1);
    if attempt > max {
        return dead(
            format!(
                "delivered {deliveries} times without being acknowledged (each worker that had it \
                 stopped or died first); not run again"
            ),
            deliveries - 1,
        );
    }
    loop {
        let scope = target.takes_context().then(|| {
            let stream = core.layout.keys()[shard].clone();
            core.scope
                .with_state(Delivery::new(entry.id.clone(), stream, attempt))
        });
        let outcome = match target.run(call.payload, scope.as_ref(), core.debug) {
            Ok(RemoteRun::Done(outcome)) => outcome,
            Ok(RemoteRun::Running(call)) => acks.during(core, connection, call).await,
            Err(undecodable) => return dead(undecodable.to_string(), attempt),
        };
        let failure = match outcome {
            Outcome::Success => {
                WorkerCounters::add(&core.counters.succeeded, 1);
                return Verdict::Ack;
            }
            Outcome::Rejected => {
                return dead(
                    format!(
                        "handler `{}` was not called: one of its extractors rejected the call (the \
                         worker's report says why; most often a state the worker was not given)",
                        call.handler
                    ),
                    attempt,
                );
            }
            Outcome::Error => "returned `Err`",
            Outcome::Panic => "panicked",
            Outcome::FailureHandled => "failed (its `on_failure` received the failure)",
        };
        if attempt >= max {
            return dead(
                format!(
                    "handler `{}` failed on all {attempt} attempts; on the last it {failure} (the \
                     worker's reports have each failure)",
                    call.handler
                ),
                attempt,
            );
        }
        WorkerCounters::add(&core.counters.retried, 1);
        let wait = backoff(core, attempt);
        let mut stop = stop.clone();
        tokio::select! {
            () = tokio::time::sleep(wait) => {}
            _ = stop.wait_for(|stopped| *stopped) => return Verdict::GiveBack,
        }
        attempt += 1;
    }
}

/// The wait before attempt `attempt + 1`.
fn backoff(core: &Core, attempt: u32) -> Duration {
    let doubled = core
        .config
        .backoff
        .saturating_mul(1u32 << (attempt - 1).min(16));
    doubled.min(core.config.max_backoff)
}

/// Moves a message to the dead-letter stream with its reason, and acknowledges it, in one
/// transaction.
async fn dead_letter(
    core: &Core,
    connection: &mut ConnectionManager,
    consumer: &str,
    shard: usize,
    entry: &Incoming,
    reason: &str,
    attempts: u32,
) {
    let source = &core.layout.keys()[shard];
    report!(
        Error,
        "message {} of {source} moved to {}: {reason}",
        entry.id,
        core.layout.dead_letters()
    );
    let mut pipe = redis::pipe();
    pipe.atomic();
    let add = pipe.cmd("XADD").arg(core.layout.dead_letters()).arg("*");
    for (name, value) in &entry.fields {
        add.arg(name).arg(value);
    }
    add.arg("reason")
        .arg(reason)
        .arg("source")
        .arg(source)
        .arg("source-id")
        .arg(&entry.id)
        .arg("attempts")
        .arg(attempts)
        .arg("consumer")
        .arg(consumer)
        .ignore();
    pipe.cmd("XACK")
        .arg(source)
        .arg(&core.config.group)
        .arg(&entry.id)
        .ignore();
    let mut link = Link::new(core);
    if retry(core, &mut link, connection, "dead-letter", || pipe.clone()).await {
        WorkerCounters::add(&core.counters.dead_lettered, 1);
    }
}

/// Gives unstarted messages back to the group: idle past the visibility timeout, so that the next
/// reclaim of any worker takes them, with their delivery count as it was.
async fn give_back(
    core: &Core,
    connection: &mut ConnectionManager,
    consumer: &str,
    entries: &[(usize, Incoming)],
    deliveries: u32,
) {
    if entries.is_empty() {
        return;
    }
    let idle = (core.config.visibility.as_millis() as u64).saturating_mul(4);
    let mut pipe = redis::pipe();
    for (shard, entry) in entries {
        pipe.cmd("XCLAIM")
            .arg(&core.layout.keys()[*shard])
            .arg(&core.config.group)
            .arg(consumer)
            .arg(0)
            .arg(&entry.id)
            .arg("IDLE")
            .arg(idle)
            .arg("RETRYCOUNT")
            .arg(deliveries.saturating_sub(1))
            .arg("JUSTID")
            .ignore();
    }
    let mut link = Link::new(core);
    // Once: if Redis is gone, the messages come back after the visibility timeout anyway.
    match pipe.query_async::<()>(connection).await {
        Ok(()) => WorkerCounters::add(&core.counters.returned, entries.len() as u64),
        Err(error) => link.report(core, &error, "give back unstarted messages"),
    }
}

/// The reclaim loop: every quarter of the visibility timeout, takes over and runs the messages other
/// consumers held longer than it.
pub(crate) async fn reclaim_loop(
    core: std::sync::Arc<Core>,
    mut connection: ConnectionManager,
    consumer: String,
    mut stop: watch::Receiver<bool>,
) {
    let every = (core.config.visibility / 4).max(Duration::from_millis(10));
    let mut link = Link::new(&core);
    loop {
        tokio::select! {
            () = tokio::time::sleep(every) => {}
            _ = stop.wait_for(|stopped| *stopped) => return,
        }
        for shard in 0..core.layout.keys().len() {
            if let Err(error) = reclaim_shard(&core, &mut connection, &consumer, shard, &stop).await
            {
                link.down(&core, &mut connection, &error, "reclaim").await;
                continue;
            }
            link.up(&core);
            if core.config.trim {
                match housekeeping::tidy(&core, &mut connection, &core.layout.keys()[shard]).await {
                    Ok(trimmed) => WorkerCounters::add(&core.counters.trimmed, trimmed),
                    Err(error) => link.report(&core, &error, "trim the stream"),
                }
            }
        }
    }
}

async fn reclaim_shard(
    core: &Core,
    connection: &mut ConnectionManager,
    consumer: &str,
    shard: usize,
    stop: &watch::Receiver<bool>,
) -> Result<(), redis::RedisError> {
    let key = &core.layout.keys()[shard];
    let mut cursor = "0-0".to_owned();
    loop {
        let reply: Value = redis::cmd("XAUTOCLAIM")
            .arg(key)
            .arg(&core.config.group)
            .arg(consumer)
            .arg(core.config.visibility.as_millis() as u64)
            .arg(&cursor)
            .arg("COUNT")
            .arg(core.config.batch)
            .query_async(connection)
            .await?;
        let (next, claimed) = autoclaim_reply(reply);
        if !claimed.is_empty() {
            WorkerCounters::add(&core.counters.reclaimed, claimed.len() as u64);
            let counts = delivery_counts(connection, core, key, consumer, &claimed).await?;
            let mut acks = Acks::new(core.layout.keys().len());
            for entry in claimed {
                let deliveries = counts
                    .iter()
                    .find(|(id, _)| *id == entry.id)
                    .map_or(2, |(_, count)| *count);
                let batch = vec![(shard, entry)];
                run_batch(
                    core, connection, consumer, batch, stop, &mut acks, deliveries,
                )
                .await;
            }
            if !acks.is_empty() {
                let mut pipe = redis::pipe();
                acks.add_to(&mut pipe, core);
                pipe.query_async::<()>(connection).await?;
            }
        }
        match next {
            Some(next) if next != "0-0" && !*stop.borrow() => cursor = next,
            _ => return Ok(()),
        }
    }
}

/// How many times each claimed message has been delivered (`XPENDING` over their range, for this
/// consumer).
async fn delivery_counts(
    connection: &mut ConnectionManager,
    core: &Core,
    key: &str,
    consumer: &str,
    claimed: &[Incoming],
) -> Result<Vec<(String, u32)>, redis::RedisError> {
    let (Some(first), Some(last)) = (claimed.first(), claimed.last()) else {
        return Ok(Vec::new());
    };
    let reply: Value = redis::cmd("XPENDING")
        .arg(key)
        .arg(&core.config.group)
        .arg(&first.id)
        .arg(&last.id)
        .arg(claimed.len() * 2)
        .arg(consumer)
        .query_async(connection)
        .await?;
    let Value::Array(rows) = reply else {
        return Ok(Vec::new());
    };
    Ok(rows
        .into_iter()
        .filter_map(|row| match row {
            Value::Array(row) if row.len() == 4 => {
                let id = match &row[0] {
                    Value::BulkString(bytes) => String::from_utf8(bytes.clone()).ok()?,
                    _ => return None,
                };
                let count = match row[3] {
                    Value::Int(count) => u32::try_from(count).ok()?,
                    _ => return None,
                };
                Some((id, count))
            }
            _ => None,
        })
        .collect())
}

/// `XAUTOCLAIM`'s reply: the next cursor and the claimed entries (deleted ones are skipped: there is
/// nothing left of them to run).
fn autoclaim_reply(reply: Value) -> (Option<String>, Vec<Incoming>) {
    let Value::Array(mut parts) = reply else {
        return (None, Vec::new());
    };
    if parts.len() < 2 {
        return (None, Vec::new());
    }
    let entries = parts.swap_remove(1);
    let next = match &parts[0] {
        Value::BulkString(bytes) => String::from_utf8(bytes.clone()).ok(),
        Value::SimpleString(text) => Some(text.clone()),
        _ => None,
    };
    let claimed = match entries {
        Value::Array(entries) => entries
            .into_iter()
            .filter_map(Incoming::from_value)
            .collect(),
        _ => Vec::new(),
    };
    (next, claimed)
}

/// The entries of an `XREADGROUP` reply, with the shard each came from.
fn stream_entries(reply: Value, layout: &Layout) -> Vec<(usize, Incoming)> {
    let streams = match reply {
        Value::Array(streams) => streams
            .into_iter()
            .filter_map(|stream| match stream {
                Value::Array(mut pair) if pair.len() == 2 => {
                    let entries = pair.pop()?;
                    Some((pair.pop()?, entries))
                }
                _ => None,
            })
            .collect(),
        Value::Map(streams) => streams,
        _ => Vec::new(),
    };
    let mut out = Vec::new();
    for (key, entries) in streams {
        let key = match key {
            Value::BulkString(bytes) => bytes,
            Value::SimpleString(text) => text.into_bytes(),
            _ => continue,
        };
        let Some(shard) = layout.keys().iter().position(|k| k.as_bytes() == key) else {
            continue;
        };
        if let Value::Array(entries) = entries {
            out.extend(
                entries
                    .into_iter()
                    .filter_map(Incoming::from_value)
                    .map(|entry| (shard, entry)),
            );
        }
    }
    out
}

/// How long finished calls wait for their acknowledgement before it is sent on its own, instead of
/// with the next read: what a worker that dies would make another run again.
const EARLY_ACK: Duration = Duration::from_millis(20);

/// Acknowledgements not yet sent, per shard.
struct Acks {
    ids: Vec<Vec<String>>,
    oldest: Option<Instant>,
}

impl Acks {
    fn new(shards: usize) -> Self {
        Acks {
            ids: vec![Vec::new(); shards],
            oldest: None,
        }
    }

    fn push(&mut self, shard: usize, id: String) {
        self.ids[shard].push(id);
        self.oldest.get_or_insert_with(Instant::now);
    }

    fn is_empty(&self) -> bool {
        self.oldest.is_none()
    }

    fn clear(&mut self) {
        self.ids.iter_mut().for_each(Vec::clear);
        self.oldest = None;
    }

    /// Whether the oldest has waited longer than [`EARLY_ACK`].
    fn overdue(&self) -> bool {
        self.oldest.is_some_and(|at| at.elapsed() >= EARLY_ACK)
    }

    fn add_to(&self, pipe: &mut redis::Pipeline, core: &Core) {
        for (shard, ids) in self.ids.iter().enumerate() {
            if !ids.is_empty() {
                pipe.cmd("XACK")
                    .arg(&core.layout.keys()[shard])
                    .arg(&core.config.group)
                    .arg(ids)
                    .ignore();
            }
        }
    }

    /// Sends them now; on failure they stay, for the next read to send.
    async fn send(&mut self, core: &Core, connection: &mut ConnectionManager) {
        let mut pipe = redis::pipe();
        self.add_to(&mut pipe, core);
        if pipe.query_async::<()>(connection).await.is_ok() {
            self.clear();
        }
    }

    /// Awaits a call; if it runs longer than [`EARLY_ACK`], sends the acknowledgements meanwhile.
    async fn during<T>(
        &mut self,
        core: &Core,
        connection: &mut ConnectionManager,
        call: impl Future<Output = T>,
    ) -> T {
        let mut call = std::pin::pin!(call);
        if !self.is_empty() {
            tokio::select! {
                output = &mut call => return output,
                () = tokio::time::sleep(EARLY_ACK) => self.send(core, connection).await,
            }
        }
        call.await
    }
}

/// Sends `pipe()` until it succeeds (`true`) or the connection stays down past the loop's patience
/// (`false`, reported: the messages concerned come back through reclaim).
async fn retry(
    core: &Core,
    link: &mut Link,
    connection: &mut ConnectionManager,
    what: &str,
    pipe: impl Fn() -> redis::Pipeline,
) -> bool {
    for _ in 0..20 {
        match pipe().query_async::<()>(connection).await {
            Ok(()) => {
                link.up(core);
                return true;
            }
            Err(error) => link.down(core, connection, &error, what).await,
        }
    }
    report!(
        Error,
        "gave up trying to {what} on Redis at {}; the messages concerned stay pending and \
         are reclaimed after the visibility timeout",
        core.url
    );
    false
}

/// One loop's view of its connection: reports when it goes down (throttled) and when it is back,
/// and waits with backoff in between.
struct Link {
    down_since: Option<std::time::Instant>,
    backoff: Duration,
    reports: Throttle,
}

impl Link {
    fn new(_core: &Core) -> Self {
        Link {
            down_since: None,
            backoff: Duration::from_millis(50),
            reports: Throttle::new(Duration::from_secs(1)),
        }
    }

    fn up(&mut self, core: &Core) {
        if let Some(since) = self.down_since.take() {
            report!(
                Info,
                "worker reconnected to Redis at {} after {:?}",
                core.url,
                since.elapsed()
            );
        }
        self.backoff = Duration::from_millis(50);
    }

    fn report(&mut self, core: &Core, error: &redis::RedisError, what: &str) {
        count(&core.counters.redis_errors);
        self.reports.report(|held_back| {
            report!(
                Error,
                "worker could not {what} on Redis at {}: {error}; retrying with backoff \
                 ({held_back} more errors in the last second)",
                core.url
            );
        });
    }

    async fn down(
        &mut self,
        core: &Core,
        connection: &mut ConnectionManager,
        error: &redis::RedisError,
        what: &str,
    ) {
        self.down_since.get_or_insert_with(std::time::Instant::now);
        self.report(core, error, what);
        if error.code() == Some("NOGROUP") {
            // Redis lost the group (restarted without persistence): make it again.
            let _ = create_groups(connection, &core.layout, &core.config.group).await;
        }
        tokio::time::sleep(self.backoff).await;
        self.backoff = (self.backoff * 2).min(Duration::from_secs(2));
    }
}

fn count(counter: &AtomicU64) {
    WorkerCounters::add(counter, 1);
}
