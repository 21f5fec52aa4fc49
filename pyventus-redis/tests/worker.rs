//! The processor and a worker in one process, against a real redis-server: every call runs once,
//! failures are retried then dead-lettered, bad input is dead-lettered with its reason and the worker
//! goes on, a full buffer and a Redis that is gone are reported, and shutdown gives work back.

mod common;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::{RedisServer, entries, eventually, field};
use pyventus::State;
use pyventus::prelude::*;
use pyventus::redis::{Delivery, FlushError, RedisProcessor, Worker};
use serde::{Deserialize, Serialize};

/// What the handlers of one test record: shared with them as state.
#[derive(Clone, Default)]
struct Log(Arc<Mutex<Vec<(u64, u32)>>>);

impl Log {
    fn push(&self, n: u64, attempt: u32) {
        self.0.lock().unwrap().push((n, attempt));
    }
    fn len(&self) -> usize {
        self.0.lock().unwrap().len()
    }
    fn numbers(&self) -> Vec<u64> {
        let mut numbers: Vec<u64> = self.0.lock().unwrap().iter().map(|(n, _)| *n).collect();
        numbers.sort_unstable();
        numbers
    }
}

#[event(serde)]
#[derive(Serialize, Deserialize)]
struct Counted {
    n: u64,
}

#[subscribe(Counted)]
fn count(event: &Counted, State(log): State<Log>, delivery: Delivery) {
    log.push(event.n, delivery.attempt());
}

#[event(serde)]
#[derive(Serialize, Deserialize)]
struct Awaited {
    n: u64,
}

#[subscribe(Awaited)]
async fn count_later(event: &Awaited, State(log): State<Log>) {
    tokio::time::sleep(Duration::from_millis(1)).await;
    log.push(event.n, 0);
}

fn worker(server: &RedisServer, log: &Log) -> Worker {
    Worker::new(&server.url())
        .with_state(log.clone())
        .visibility_timeout(Duration::from_secs(1))
        .retry_backoff(Duration::from_millis(10), Duration::from_millis(50))
}

/// Emits `events` through a new `RedisProcessor` and waits until they are in Redis.
async fn emit_all<E: Event>(
    server: &RedisServer,
    events: impl IntoIterator<Item = E>,
) -> RedisProcessor {
    let processor = RedisProcessor::connect(&server.url()).await.unwrap();
    let emitter = EventEmitter::new(processor.clone());
    for event in events {
        emitter.emit(event);
    }
    processor.flush().await.unwrap();
    processor
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_call_runs_exactly_once() {
    let Some(server) = RedisServer::start() else {
        return;
    };
    let processor = RedisProcessor::connect(&server.url()).await.unwrap();
    let emitter = EventEmitter::new(processor.clone());
    for n in 0..2_000 {
        emitter.emit(Counted { n });
        emitter.emit(Awaited { n });
    }
    processor.flush().await.unwrap();
    assert_eq!(processor.stats().written, 4_000);

    let log = Log::default();
    let running = worker(&server, &log).concurrency(2).start().await.unwrap();
    assert!(eventually(Duration::from_secs(30), || log.len() >= 4_000));
    let stats = running.shutdown().await;
    assert_eq!(stats.succeeded, 4_000);
    let expected: Vec<u64> = (0..2_000).flat_map(|n| [n, n]).collect();
    assert_eq!(log.numbers(), expected, "each call once, none lost");
    assert!(
        log.0
            .lock()
            .unwrap()
            .iter()
            .all(|(_, attempt)| *attempt <= 1)
    );
    // Everything acknowledged: nothing pending.
    let mut redis = server.connection();
    let pending: (u64, redis::Value, redis::Value, redis::Value) = redis::cmd("XPENDING")
        .arg("pyventus:0")
        .arg("pyventus")
        .query(&mut redis)
        .unwrap();
    assert_eq!(pending.0, 0);
}

fn stream_length(redis: &mut redis::Connection) -> u64 {
    redis::cmd("XLEN").arg("pyventus:0").query(redis).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_entries_are_trimmed_and_unread_ones_kept() {
    let Some(server) = RedisServer::start() else {
        return;
    };
    let mut redis = server.connection();
    let log = Log::default();
    // Group `a` exists but reads nothing yet.
    worker(&server, &log)
        .group("a")
        .start()
        .await
        .unwrap()
        .shutdown()
        .await;
    emit_all(&server, (0..1_000).map(|n| Counted { n })).await;

    let b = worker(&server, &log).group("b").start().await.unwrap();
    assert!(eventually(Duration::from_secs(20), || log.len() == 1_000));
    // Several reclaim passes (every 250 ms here), each of which may trim.
    tokio::time::sleep(Duration::from_millis(1_000)).await;
    assert_eq!(
        stream_length(&mut redis),
        1_000,
        "group `a` has not read them: kept"
    );
    let b = b.shutdown().await;
    assert_eq!(b.trimmed, 0);

    let a = worker(&server, &log).group("a").start().await.unwrap();
    assert!(eventually(Duration::from_secs(20), || log.len() == 2_000));
    assert!(
        eventually(Duration::from_secs(10), || stream_length(&mut redis) < 200),
        "read and acknowledged by both groups: trimmed (to the last partial node), {} left",
        stream_length(&mut redis)
    );
    let a = a.shutdown().await;
    assert!(a.trimmed >= 800, "{a:?}");
}

#[event(serde)]
#[derive(Serialize, Deserialize)]
struct Flaky {
    n: u64,
    /// The handler fails on attempts up to this one.
    fails: u32,
    panics: bool,
}

#[subscribe(Flaky)]
fn flaky(event: &Flaky, State(log): State<Log>, delivery: Delivery) -> Result<(), String> {
    log.push(event.n, delivery.attempt());
    if delivery.attempt() <= event.fails {
        if event.panics {
            panic!("flaky {} panics on attempt {}", event.n, delivery.attempt());
        }
        return Err(format!(
            "flaky {} fails on attempt {}",
            event.n,
            delivery.attempt()
        ));
    }
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failures_are_retried_then_dead_lettered_with_their_reason() {
    let Some(server) = RedisServer::start() else {
        return;
    };
    pyventus::quiet_handler_panics();
    let processor = RedisProcessor::connect(&server.url()).await.unwrap();
    let emitter = EventEmitter::new(processor.clone());
    emitter.emit(Flaky {
        n: 1,
        fails: 1,
        panics: false,
    }); // succeeds on attempt 2
    emitter.emit(Flaky {
        n: 2,
        fails: 2,
        panics: true,
    }); // succeeds on attempt 3
    emitter.emit(Flaky {
        n: 3,
        fails: 9,
        panics: false,
    }); // dead after 3
    emitter.emit(Flaky {
        n: 4,
        fails: 9,
        panics: true,
    }); // dead after 3
    processor.flush().await.unwrap();

    let log = Log::default();
    let running = worker(&server, &log).start().await.unwrap();
    let mut redis = server.connection();
    assert!(eventually(Duration::from_secs(20), || {
        entries(&mut redis, "pyventus:dead").len() == 2 && log.len() == 2 + 3 + 3 + 3
    }));
    let stats = running.shutdown().await;
    assert_eq!((stats.succeeded, stats.dead_lettered), (2, 2));
    assert_eq!(stats.retried, 1 + 2 + 2 + 2);
    let attempts: Vec<(u64, u32)> = {
        let mut all = log.0.lock().unwrap().clone();
        all.sort_unstable();
        all
    };
    assert_eq!(
        attempts,
        vec![
            (1, 1),
            (1, 2),
            (2, 1),
            (2, 2),
            (2, 3),
            (3, 1),
            (3, 2),
            (3, 3),
            (4, 1),
            (4, 2),
            (4, 3)
        ]
    );
    let dead = entries(&mut redis, "pyventus:dead");
    let reasons: Vec<&str> = dead
        .iter()
        .map(|(_, f)| field(f, "reason").unwrap())
        .collect();
    assert!(
        reasons[0].contains("failed on all 3 attempts") && reasons[0].contains("returned `Err`")
    );
    assert!(reasons[1].contains("failed on all 3 attempts") && reasons[1].contains("panicked"));
    assert_eq!(field(&dead[0].1, "attempts"), Some("3"));
    assert_eq!(field(&dead[0].1, "source"), Some("pyventus:0"));
    assert_eq!(field(&dead[0].1, "h"), Some("worker::flaky"));
    assert!(field(&dead[0].1, "p").unwrap().contains("\"n\":3"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_input_is_dead_lettered_and_the_worker_goes_on() {
    let Some(server) = RedisServer::start() else {
        return;
    };
    let mut redis = server.connection();
    let add = |redis: &mut redis::Connection, fields: &[(&str, &str)]| {
        let mut cmd = redis::cmd("XADD");
        cmd.arg("pyventus:0").arg("*");
        for (k, v) in fields {
            cmd.arg(*k).arg(*v);
        }
        let _: String = cmd.query(redis).unwrap();
    };
    let good = [
        ("v", "1"),
        ("e", "worker::Counted"),
        ("l", "pyventus::EventLinker"),
        ("h", "worker::count"),
    ];
    add(
        &mut redis,
        &[
            good[0],
            good[1],
            good[2],
            ("h", "worker::renamed"),
            ("p", "{\"n\":1}"),
        ],
    );
    add(
        &mut redis,
        &[good[0], good[1], good[2], good[3], ("p", "{\"m\":1}")],
    );
    add(
        &mut redis,
        &[("v", "2"), good[1], good[2], good[3], ("p", "{\"n\":1}")],
    );
    add(&mut redis, &[good[0], good[1], good[2], ("p", "{\"n\":1}")]);
    add(
        &mut redis,
        &[
            good[0],
            good[1],
            good[2],
            good[3],
            ("p", "{\"n\":7}"),
            ("x-trace", "t1"),
        ],
    );

    let log = Log::default();
    let running = worker(&server, &log).start().await.unwrap();
    let done = eventually(Duration::from_secs(20), || {
        log.len() == 1 && entries(&mut redis, "pyventus:dead").len() == 4
    });
    assert!(
        done,
        "{} calls, dead letters: {:?}",
        log.len(),
        entries(&mut redis, "pyventus:dead")
    );
    let stats = running.shutdown().await;
    assert_eq!((stats.succeeded, stats.dead_lettered), (1, 4));
    assert_eq!(
        log.numbers(),
        vec![7],
        "the good message after the bad ones ran"
    );
    let dead = entries(&mut redis, "pyventus:dead");
    let reason = |i: usize| field(&dead[i].1, "reason").unwrap().to_owned();
    assert!(
        reason(0).contains("no handler `worker::renamed` of event `worker::Counted`"),
        "{}",
        reason(0)
    );
    assert!(
        reason(1).contains("the payload is not a valid `worker::Counted`"),
        "{}",
        reason(1)
    );
    assert!(
        reason(2).contains("format version `2` is not understood"),
        "{}",
        reason(2)
    );
    assert!(reason(3).contains("no `h` field"), "{}", reason(3));
}

#[event(serde)]
#[derive(Serialize, Deserialize)]
struct Mixed {
    n: u64,
}

#[subscribe(Mixed)]
fn mixed(event: &Mixed, State(log): State<Log>) {
    log.push(event.n, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn runtime_closures_are_refused_and_reported_not_dropped() {
    let Some(server) = RedisServer::start() else {
        return;
    };
    let processor = RedisProcessor::connect(&server.url()).await.unwrap();
    let local = Arc::new(AtomicU64::new(0));
    let seen = Arc::clone(&local);
    let _guard = EventLinker::subscribe(move |_: &Mixed| {
        seen.fetch_add(1, Ordering::Relaxed);
    })
    .into_guard();
    let emitter = EventEmitter::new(processor.clone());
    emitter.emit(Mixed { n: 1 });
    assert_eq!(
        processor.flush().await,
        Err(FlushError::Refused { count: 1 })
    );
    assert_eq!(processor.flush().await, Ok(()), "reported once");
    let stats = processor.stats();
    assert_eq!((stats.written, stats.refused), (1, 1));
    assert_eq!(local.load(Ordering::Relaxed), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_buffer_and_a_redis_that_is_gone_are_reported() {
    let Some(mut server) = RedisServer::start() else {
        return;
    };
    let processor = RedisProcessor::builder(&server.url())
        .buffer(10)
        .connect()
        .await
        .unwrap();
    let emitter = EventEmitter::new(processor.clone());
    server.stop();
    let mut refused = None;
    for n in 0..100 {
        if let Err(error) = emitter.try_emit(Mixed { n }) {
            refused = Some(error.into_event().n);
            break;
        }
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    let refused = refused.expect("the buffer fills while Redis is gone");
    assert!(
        refused >= 10,
        "10 wait in the buffer (and one batch is held by the writer)"
    );
    emitter.emit(Mixed { n: 1_000 }); // refused and reported
    match processor.flush().await {
        Err(FlushError::Unreachable { waiting, .. }) => assert!(waiting >= 10),
        other => panic!("expected Unreachable, got {other:?}"),
    }
    let stats = processor.stats();
    assert!(stats.refused >= 1 && stats.write_errors >= 1, "{stats:?}");

    server.restart();
    let flushed = loop {
        match processor.flush().await {
            Err(FlushError::Unreachable { .. }) => {
                tokio::time::sleep(Duration::from_millis(50)).await
            }
            other => break other,
        }
    };
    assert_eq!(
        flushed,
        Err(FlushError::Refused { count: 1 }),
        "try_emit's refusal gave the event back; emit's is counted"
    );
    let written = processor.stats().written;
    assert_eq!(
        written, refused,
        "everything accepted reached Redis after it came back"
    );
    let mut redis = server.connection();
    assert_eq!(entries(&mut redis, "pyventus:0").len() as u64, written);
}

#[event(serde)]
#[derive(Serialize, Deserialize)]
struct Slow {
    n: u64,
}

#[subscribe(Slow)]
async fn slow(event: &Slow, State(log): State<Log>) {
    tokio::time::sleep(Duration::from_millis(100)).await;
    log.push(event.n, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_finishes_the_running_call_and_gives_the_rest_back() {
    let Some(server) = RedisServer::start() else {
        return;
    };
    emit_all(&server, (0..20).map(|n| Slow { n })).await;
    let log = Log::default();
    let first = worker(&server, &log).start().await.unwrap();
    assert!(eventually(Duration::from_secs(10), || log.len() >= 1));
    let stats = first.shutdown().await;
    assert!(stats.returned >= 10, "{stats:?}");
    assert_eq!(stats.succeeded as usize, log.len());

    let second = worker(&server, &log).start().await.unwrap();
    assert!(eventually(Duration::from_secs(20), || log.len() >= 20));
    let stats = second.shutdown().await;
    assert!(
        stats.reclaimed >= 10,
        "given-back messages are reclaimed at once: {stats:?}"
    );
    assert_eq!(
        log.numbers(),
        (0..20).collect::<Vec<_>>(),
        "each exactly once"
    );
}

#[event(serde)]
#[derive(Serialize, Deserialize)]
struct Placed {
    n: u64,
}

#[event(serde)]
#[derive(Serialize, Deserialize)]
struct Shipped {
    n: u64,
}

/// Emits a follow-up event through the worker's `emit_through` processor: it crosses Redis again.
#[subscribe(Placed)]
fn place(event: &Placed, emitter: pyventus::EmitterHandle) {
    emitter.emit(Shipped { n: event.n });
}

#[subscribe(Shipped)]
fn ship(event: &Shipped, State(log): State<Log>) {
    log.push(event.n, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_handler_emits_follow_ups_through_the_workers_processor() {
    let Some(server) = RedisServer::start() else {
        return;
    };
    let processor = emit_all(&server, (0..50).map(|n| Placed { n })).await;
    let log = Log::default();
    let running = worker(&server, &log)
        .emit_through(processor.clone())
        .start()
        .await
        .unwrap();
    assert!(eventually(Duration::from_secs(20), || log.len() == 50));
    let stats = running.shutdown().await;
    assert_eq!(stats.succeeded, 100, "50 placed, then 50 shipped");
    assert_eq!(log.numbers(), (0..50).collect::<Vec<_>>());
}

#[derive(Clone)]
struct Mailer;

#[event(serde)]
#[derive(Serialize, Deserialize)]
struct Welcome {
    n: u64,
}

#[subscribe(Welcome)]
fn welcome(_: &Welcome, State(_mailer): State<Mailer>) {}

#[subscribe(Welcome)]
fn welcome_logged(event: &Welcome, delivery: Delivery, State(log): State<Log>) {
    log.push(event.n, delivery.attempt());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_handler_whose_state_the_worker_lacks_is_dead_lettered_with_the_fix() {
    let Some(server) = RedisServer::start() else {
        return;
    };
    emit_all(&server, [Welcome { n: 1 }]).await;
    let log = Log::default();
    let running = worker(&server, &log).start().await.unwrap(); // no `Mailer`
    let mut redis = server.connection();
    assert!(eventually(Duration::from_secs(20), || {
        log.len() == 1 && entries(&mut redis, "pyventus:dead").len() == 1
    }));
    let stats = running.shutdown().await;
    assert_eq!(
        (stats.succeeded, stats.dead_lettered, stats.retried),
        (1, 1, 0)
    );
    let dead = entries(&mut redis, "pyventus:dead");
    assert_eq!(field(&dead[0].1, "h"), Some("worker::welcome"));
    let reason = field(&dead[0].1, "reason").unwrap();
    assert!(
        reason.contains("was not called") && reason.contains("state"),
        "{reason}"
    );
}

#[test]
fn delivery_outside_a_worker_rejects_the_call() {
    // The in-process emitter calls `welcome_logged` without a `Delivery`: rejected, not called.
    let log = Log::default();
    EventEmitter::new(InlineProcessor)
        .with_state(log.clone())
        .with_state(Mailer)
        .emit(Welcome { n: 2 });
    assert_eq!(log.len(), 0);
}

#[event(serde)]
#[derive(Serialize, Deserialize)]
struct Left(u64);

#[event(serde)]
#[derive(Serialize, Deserialize)]
struct Right(u64);

/// One function subscribed to two events: a worker finds it for each.
#[subscribe(Left, Right)]
async fn either(event: &dyn pyventus::AnyEvent, State(log): State<Log>) {
    let n = match (event.downcast_ref::<Left>(), event.downcast_ref::<Right>()) {
        (Some(Left(n)), _) => *n,
        (_, Some(Right(n))) => 100 + *n,
        _ => unreachable!("subscribed to Left and Right only"),
    };
    log.push(n, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_handler_of_several_events_runs_for_each() {
    let Some(server) = RedisServer::start() else {
        return;
    };
    emit_all(&server, [Left(1)]).await;
    emit_all(&server, [Right(2)]).await;
    let log = Log::default();
    let running = worker(&server, &log).start().await.unwrap();
    assert!(eventually(Duration::from_secs(20), || log.len() == 2));
    running.shutdown().await;
    assert_eq!(log.numbers(), vec![1, 102]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn calls_spread_over_shards_and_a_worker_reads_them_all() {
    let Some(server) = RedisServer::start() else {
        return;
    };
    let processor = RedisProcessor::builder(&server.url())
        .shards(3)
        .connect()
        .await
        .unwrap();
    let emitter = EventEmitter::new(processor.clone());
    for n in 0..300 {
        emitter.emit(Counted { n });
    }
    processor.flush().await.unwrap();
    let mut redis = server.connection();
    for shard in 0..3 {
        let key = format!("pyventus:{shard}");
        let length: u64 = redis::cmd("XLEN").arg(&key).query(&mut redis).unwrap();
        assert_eq!(length, 100, "{key}: each emit to the next shard in turn");
    }
    let log = Log::default();
    let running = worker(&server, &log).shards(3).start().await.unwrap();
    assert!(eventually(Duration::from_secs(20), || log.len() == 300));
    running.shutdown().await;
    assert_eq!(log.numbers(), (0..300).collect::<Vec<_>>());
}

/// Not `#[event(serde)]`: it cannot cross processes.
#[event]
struct LocalOnly;

#[subscribe(LocalOnly)]
fn local_only() {}

#[event(serde)]
#[derive(Serialize, Deserialize)]
struct Relay;

/// Runs in the worker, and emits an event that cannot be sent through the worker's processor (the
/// type-erased path, where no compile error can catch it).
#[subscribe(Relay)]
fn relay(emitter: pyventus::EmitterHandle) {
    emitter.emit(LocalOnly);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_event_that_is_not_serde_is_refused_and_reported_at_run_time() {
    let Some(server) = RedisServer::start() else {
        return;
    };
    let processor = emit_all(&server, [Relay]).await;
    let log = Log::default();
    let running = worker(&server, &log)
        .emit_through(processor.clone())
        .start()
        .await
        .unwrap();
    assert!(eventually(Duration::from_secs(20), || {
        processor.stats().refused == 1
    }));
    running.shutdown().await;
    assert_eq!(
        processor.flush().await,
        Err(FlushError::Refused { count: 1 })
    );
    assert_eq!(processor.stats().written, 1, "only the relay itself");
}
