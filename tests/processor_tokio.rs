//! The tokio processor: inside a runtime `emit` returns at once and `wait_for_tasks` waits for every
//! handler call (including ones emitted by handlers); outside a runtime `emit` blocks until done.

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{LazyLock, Mutex, OnceLock, PoisonError};
use std::thread::{self, ThreadId};
use std::time::Duration;

use pyventus::prelude::*;
use tokio::sync::{Barrier, Semaphore};
use tracing::Level;

use crate::common::capture_local;

/// Long enough that a handler waiting on a rendezvous that never comes fails instead of hanging the test.
const GIVE_UP: Duration = Duration::from_secs(30);

// Emit returns before the handlers finish; `in_flight` counts them until they do.

#[event]
struct Gated;

/// Handlers of `Gated` wait for a permit each, which the test hands out when it is ready.
static GATE: Semaphore = Semaphore::const_new(0);
static GATED_DONE: AtomicUsize = AtomicUsize::new(0);

#[subscribe(Gated)]
async fn gated() -> Result<(), String> {
    let permit = tokio::time::timeout(GIVE_UP, GATE.acquire())
        .await
        .map_err(|_| "no permit came".to_owned())?
        .map_err(|closed| closed.to_string())?;
    permit.forget();
    GATED_DONE.fetch_add(1, Ordering::SeqCst);
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn emit_returns_before_async_handlers_finish_and_in_flight_counts_them() {
    common::install();
    let emitter = EventEmitter::new(TokioProcessor::new());
    for _ in 0..5 {
        emitter.emit(Gated);
    }
    // The handlers cannot finish before the gate opens, so emit must have returned without them.
    assert_eq!(emitter.processor().in_flight(), 5);
    assert_eq!(GATED_DONE.load(Ordering::SeqCst), 0);

    GATE.add_permits(5);
    emitter.processor().wait_for_tasks().await;
    assert_eq!(GATED_DONE.load(Ordering::SeqCst), 5);
    assert_eq!(emitter.processor().in_flight(), 0);
}

#[event]
struct Deferred;

static DEFERRED: AtomicUsize = AtomicUsize::new(0);

#[subscribe(Deferred)]
fn deferred() {
    DEFERRED.fetch_add(1, Ordering::SeqCst);
}

#[tokio::test(flavor = "current_thread")]
async fn in_a_current_thread_runtime_even_sync_handlers_run_after_emit_returns() {
    common::install();
    let emitter = EventEmitter::new(TokioProcessor::new());
    emitter.emit(Deferred);
    // The runtime's only thread is this test's: the handler task cannot have run yet.
    assert_eq!(DEFERRED.load(Ordering::SeqCst), 0);
    assert_eq!(emitter.processor().in_flight(), 1);
    emitter.processor().wait_for_tasks().await;
    assert_eq!(DEFERRED.load(Ordering::SeqCst), 1);
}

// `wait_for_tasks` also waits for the calls that handlers submit while it waits.

#[event]
struct Outer(u32);

#[event]
struct Inner;

/// The processor the handlers of `Outer` emit `Inner` through (a clone shares the count of calls).
static NESTING: OnceLock<TokioProcessor> = OnceLock::new();
static INNER_DONE: AtomicUsize = AtomicUsize::new(0);
static OUTER_DONE: AtomicUsize = AtomicUsize::new(0);

#[subscribe(Outer)]
async fn outer(e: &Outer) {
    tokio::time::sleep(Duration::from_millis(20)).await;
    let emitter = EventEmitter::new(NESTING.get().expect("set by the test").clone());
    for _ in 0..e.0 {
        emitter.emit(Inner);
    }
    OUTER_DONE.fetch_add(1, Ordering::SeqCst);
}

#[subscribe(Inner)]
async fn inner() {
    tokio::time::sleep(Duration::from_millis(30)).await;
    INNER_DONE.fetch_add(1, Ordering::SeqCst);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wait_for_tasks_waits_for_handlers_emitted_from_handlers() {
    common::install();
    let processor = NESTING.get_or_init(TokioProcessor::new);
    let emitter = EventEmitter::new(processor.clone());
    emitter.emit(Outer(2));
    emitter.emit(Outer(3));
    processor.wait_for_tasks().await;
    assert_eq!(OUTER_DONE.load(Ordering::SeqCst), 2);
    assert_eq!(INNER_DONE.load(Ordering::SeqCst), 5);
    assert_eq!(processor.in_flight(), 0);
}

// Clones share one count.

#[event]
struct Shared;

static SHARED_DONE: AtomicUsize = AtomicUsize::new(0);

#[subscribe(Shared)]
async fn shared() {
    tokio::time::sleep(Duration::from_millis(20)).await;
    SHARED_DONE.fetch_add(1, Ordering::SeqCst);
}

#[tokio::test(flavor = "current_thread")]
async fn clones_of_a_processor_wait_for_each_others_calls() {
    common::install();
    let original = TokioProcessor::new();
    let clone = original.clone();
    EventEmitter::new(original.clone()).emit(Shared);
    EventEmitter::new(original.clone()).emit(Shared);
    assert_eq!(clone.in_flight(), 2);
    assert_eq!(
        TokioProcessor::new().in_flight(),
        0,
        "a new processor counts its own"
    );
    clone.wait_for_tasks().await;
    assert_eq!(SHARED_DONE.load(Ordering::SeqCst), 2);
    assert_eq!(original.in_flight(), 0);
}

#[tokio::test(flavor = "current_thread")]
async fn wait_for_tasks_returns_at_once_when_nothing_is_in_flight() {
    common::install();
    let processor = TokioProcessor::new();
    processor.wait_for_tasks().await;
    assert_eq!(processor.in_flight(), 0);
}

// Sync handlers on tokio's blocking pool.

#[event]
struct WhereSync;

#[event]
struct WhereAsync;

static WHERE_SYNC: Mutex<Vec<ThreadId>> = Mutex::new(Vec::new());
static WHERE_ASYNC: Mutex<Vec<ThreadId>> = Mutex::new(Vec::new());

#[subscribe(WhereSync)]
fn where_sync() {
    // Blocks: on a current-thread runtime this would stall every task if it ran on the runtime's thread.
    thread::sleep(Duration::from_millis(10));
    WHERE_SYNC
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .push(thread::current().id());
}

#[subscribe(WhereAsync)]
async fn where_async() {
    WHERE_ASYNC
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .push(thread::current().id());
}

fn take(threads: &Mutex<Vec<ThreadId>>) -> Vec<ThreadId> {
    std::mem::take(&mut *threads.lock().unwrap_or_else(PoisonError::into_inner))
}

#[tokio::test(flavor = "current_thread")]
async fn blocking_sync_handlers_moves_sync_handlers_off_the_runtime_thread() {
    common::install();
    let runtime_thread = thread::current().id();

    let default = EventEmitter::new(TokioProcessor::new());
    default.emit(WhereSync);
    default.emit(WhereAsync);
    default.processor().wait_for_tasks().await;
    assert_eq!(take(&WHERE_SYNC), [runtime_thread]);
    assert_eq!(take(&WHERE_ASYNC), [runtime_thread]);

    let blocking = EventEmitter::new(TokioProcessor::new().blocking_sync_handlers(true));
    blocking.emit(WhereSync);
    blocking.emit(WhereAsync);
    assert_eq!(blocking.processor().in_flight(), 2);
    blocking.processor().wait_for_tasks().await;
    let sync_threads = take(&WHERE_SYNC);
    assert_eq!(sync_threads.len(), 1);
    assert_ne!(
        sync_threads[0], runtime_thread,
        "a sync handler runs on the blocking pool"
    );
    assert_eq!(
        take(&WHERE_ASYNC),
        [runtime_thread],
        "async handlers stay on the runtime"
    );
    assert_eq!(blocking.processor().in_flight(), 0);
}

// Outside a runtime, emit blocks until every handler is done; the handlers still run concurrently.

#[event]
struct Blocking;

static BLOCKING_SYNC: AtomicUsize = AtomicUsize::new(0);
static BLOCKING_ASYNC: AtomicUsize = AtomicUsize::new(0);

#[subscribe(Blocking)]
fn blocking_sync() {
    BLOCKING_SYNC.fetch_add(1, Ordering::SeqCst);
}

#[subscribe(Blocking)]
async fn blocking_async() {
    tokio::time::sleep(Duration::from_millis(50)).await;
    BLOCKING_ASYNC.fetch_add(1, Ordering::SeqCst);
}

#[test]
fn outside_a_runtime_emit_blocks_until_every_handler_is_done() {
    common::install();
    for processor in [
        TokioProcessor::new(),
        TokioProcessor::new().blocking_sync_handlers(true),
    ] {
        let emitter = EventEmitter::new(processor);
        emitter.emit(Blocking);
        emitter.emit(Blocking);
        assert_eq!(emitter.processor().in_flight(), 0);
    }
    assert_eq!(BLOCKING_SYNC.load(Ordering::SeqCst), 4);
    assert_eq!(BLOCKING_ASYNC.load(Ordering::SeqCst), 4);
}

#[event]
struct OutsideOuter(usize);

#[event]
struct OutsideInner;

static OUTSIDE_INNER_DONE: AtomicUsize = AtomicUsize::new(0);

#[subscribe(OutsideOuter)]
async fn outside_outer(e: &OutsideOuter) {
    let emitter = EventEmitter::new(TokioProcessor::new());
    for _ in 0..e.0 {
        emitter.emit(OutsideInner);
    }
}

#[subscribe(OutsideInner)]
async fn outside_inner() {
    tokio::time::sleep(Duration::from_millis(30)).await;
    OUTSIDE_INNER_DONE.fetch_add(1, Ordering::SeqCst);
}

#[test]
fn outside_a_runtime_emit_also_waits_for_what_its_handlers_emit() {
    common::install();
    EventEmitter::new(TokioProcessor::new()).emit(OutsideOuter(3));
    assert_eq!(OUTSIDE_INNER_DONE.load(Ordering::SeqCst), 3);
}

#[event]
struct Rendezvous;

/// Both handlers of `Rendezvous` must be waiting at once for either to pass.
static MEETING: LazyLock<Barrier> = LazyLock::new(|| Barrier::new(2));
static MET: AtomicUsize = AtomicUsize::new(0);

#[subscribe(Rendezvous)]
async fn rendezvous_left() -> Result<(), &'static str> {
    tokio::time::timeout(GIVE_UP, MEETING.wait())
        .await
        .map_err(|_| "the other handler never came")?;
    MET.fetch_add(1, Ordering::SeqCst);
    Ok(())
}

#[subscribe(Rendezvous)]
async fn rendezvous_right() -> Result<(), &'static str> {
    tokio::time::timeout(GIVE_UP, MEETING.wait())
        .await
        .map_err(|_| "the other handler never came")?;
    MET.fetch_add(1, Ordering::SeqCst);
    Ok(())
}

#[test]
fn outside_a_runtime_the_handlers_of_one_emit_run_concurrently() {
    common::install();
    EventEmitter::new(TokioProcessor::new()).emit(Rendezvous);
    assert_eq!(MET.load(Ordering::SeqCst), 2);
}

// A runtime that shuts down with handler calls in flight: they are cancelled, counted out, and reported.

#[event]
struct Abandoned;

static ABANDONED_FINISHED: AtomicUsize = AtomicUsize::new(0);

#[subscribe(Abandoned)]
async fn abandoned() {
    tokio::time::sleep(Duration::from_secs(3600)).await;
    ABANDONED_FINISHED.fetch_add(1, Ordering::SeqCst);
}

#[test]
fn handler_calls_cut_off_by_a_runtime_shutdown_are_reported_and_not_counted() {
    common::install();
    let processor = TokioProcessor::new();
    let ((), capture) = capture_local(Level::WARN, || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a runtime");
        runtime.block_on(async {
            let emitter = EventEmitter::new(processor.clone());
            emitter.emit(Abandoned);
            emitter.emit(Abandoned);
            tokio::task::yield_now().await;
        });
        assert_eq!(processor.in_flight(), 2);
        drop(runtime);
    });
    assert_eq!(processor.in_flight(), 0);
    assert_eq!(ABANDONED_FINISHED.load(Ordering::SeqCst), 0);
    let cancelled =
        capture.lines_with(&["WARN", concat!(module_path!(), "::abandoned"), "cancelled"]);
    assert_eq!(cancelled.len(), 2, "{}", capture.text());
}
