//! Shutdown without loss, under load: every handler call submitted before
//! `ExecutorProcessor::shutdown`, before the last handle of an executor emitter is dropped, or before
//! `TokioProcessor::wait_for_tasks` returns, is delivered (100,000 calls each, from two threads); a call
//! submitted after shutdown gets the documented behaviour (runs on the submitting thread; `try_emit`
//! refuses it and gives the event back), never a silent loss.

use std::sync::atomic::{AtomicU64, Ordering};

use pyventus::prelude::*;
use pyventus::{EmitError, EmitterHandle};

const CALLS: u64 = 100_000;

#[linker]
struct Drained;

#[linker]
struct Dropped;

#[linker]
struct Awaited;

#[event]
struct Job;

#[event]
struct FollowUp;

static DRAINED: AtomicU64 = AtomicU64::new(0);
static DROPPED: AtomicU64 = AtomicU64::new(0);
static AWAITED: AtomicU64 = AtomicU64::new(0);
static FOLLOW_UPS: AtomicU64 = AtomicU64::new(0);

#[subscribe(Job, linker = Drained)]
fn drained() {
    DRAINED.fetch_add(1, Ordering::Relaxed);
}

#[subscribe(Job, linker = Dropped)]
fn dropped() {
    DROPPED.fetch_add(1, Ordering::Relaxed);
}

/// Every tenth call emits a follow-up while the test waits: `wait_for_tasks` waits for those too.
#[subscribe(Job, linker = Awaited)]
async fn awaited(emitter: EmitterHandle) {
    let n = AWAITED.fetch_add(1, Ordering::Relaxed);
    if n.is_multiple_of(10) {
        tokio::task::yield_now().await;
        emitter.emit(FollowUp);
    }
}

#[subscribe(FollowUp, linker = Awaited)]
async fn follow_up() {
    tokio::task::yield_now().await;
    FOLLOW_UPS.fetch_add(1, Ordering::Relaxed);
}

/// Emits `Job` `CALLS` times from two threads.
fn load<P: Processor + Sync, L: Linker>(emitter: &EventEmitter<P, L>) {
    std::thread::scope(|scope| {
        for _ in 0..2 {
            scope.spawn(|| {
                for _ in 0..CALLS / 2 {
                    emitter.emit(Job);
                }
            });
        }
    });
}

#[test]
fn executor_shutdown_delivers_everything_submitted_before_it() {
    let emitter = EventEmitter::with_linker::<Drained>(ExecutorProcessor::new(2));
    load(&emitter);
    emitter.processor().shutdown();
    assert_eq!(
        DRAINED.load(Ordering::Relaxed),
        CALLS,
        "every queued call ran"
    );

    // After shutdown: `emit` runs the call on this thread (with a warning), `try_emit` refuses it.
    emitter.emit(Job);
    assert_eq!(DRAINED.load(Ordering::Relaxed), CALLS + 1);
    match emitter.try_emit(Job) {
        Err(EmitError::ShutDown(Job)) => {}
        other => panic!("expected ShutDown, got {other:?}"),
    }
    assert_eq!(
        DRAINED.load(Ordering::Relaxed),
        CALLS + 1,
        "refused: not run"
    );
}

#[test]
fn dropping_an_executor_emitter_delivers_everything_submitted() {
    let emitter = EventEmitter::with_linker::<Dropped>(ExecutorProcessor::new(2));
    load(&emitter);
    drop(emitter); // the last handle to the pool: waits for it to drain
    assert_eq!(DROPPED.load(Ordering::Relaxed), CALLS);
}

#[test]
fn wait_for_tasks_returns_when_nothing_is_in_flight() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let _inside = runtime.enter();
    let emitter = EventEmitter::with_linker::<Awaited>(TokioProcessor::new());
    load(&emitter);
    runtime.block_on(emitter.processor().wait_for_tasks());
    assert_eq!(AWAITED.load(Ordering::Relaxed), CALLS);
    assert_eq!(
        FOLLOW_UPS.load(Ordering::Relaxed),
        CALLS / 10,
        "follow-ups emitted while waiting were waited for"
    );
}
