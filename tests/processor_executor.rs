//! The executor processor: a thread pool. `shutdown()` and dropping the last handle both wait for every
//! submitted call; a call submitted after shutdown runs on the caller, with a warning.

mod common;

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc;
use std::sync::{Condvar, Mutex, OnceLock, PoisonError};
use std::thread::{self, ThreadId};
use std::time::Duration;

use pyventus::prelude::*;
use tracing::Level;

use crate::common::capture_local;

/// Long enough that a deadlock fails the test instead of hanging it.
const GIVE_UP: Duration = Duration::from_secs(30);

#[event]
struct Work;

static WORK_DONE: AtomicUsize = AtomicUsize::new(0);

#[subscribe(Work)]
fn work() {
    thread::sleep(Duration::from_millis(2));
    WORK_DONE.fetch_add(1, Ordering::SeqCst);
}

#[subscribe(Work)]
async fn work_async() {
    tokio::time::sleep(Duration::from_millis(2)).await;
    WORK_DONE.fetch_add(1, Ordering::SeqCst);
}

#[test]
fn shutdown_waits_for_every_submitted_call() {
    common::install();
    let emitter = EventEmitter::new(ExecutorProcessor::new(2));
    assert_eq!(emitter.processor().threads(), 2);
    assert!(!emitter.processor().is_shutdown());
    for _ in 0..50 {
        emitter.emit(Work);
    }
    emitter.processor().shutdown();
    assert!(emitter.processor().is_shutdown());
    assert_eq!(WORK_DONE.load(Ordering::SeqCst), 100);

    // Again: nothing left to wait for, and no harm.
    emitter.processor().shutdown();
    assert_eq!(WORK_DONE.load(Ordering::SeqCst), 100);
}

#[event]
struct Dropped;

static DROPPED_DONE: AtomicUsize = AtomicUsize::new(0);

#[subscribe(Dropped)]
fn dropped() {
    thread::sleep(Duration::from_micros(200));
    DROPPED_DONE.fetch_add(1, Ordering::SeqCst);
}

#[test]
fn dropping_the_last_handle_waits_for_every_submitted_call() {
    common::install();
    let emitter = EventEmitter::new(ExecutorProcessor::new(2));
    let clone = emitter.clone();
    for _ in 0..500 {
        emitter.emit(Dropped);
        clone.emit(Dropped);
    }
    drop(clone);
    assert!(
        !emitter.processor().is_shutdown(),
        "a clone is not the last handle"
    );
    drop(emitter);
    assert_eq!(DROPPED_DONE.load(Ordering::SeqCst), 1000);
}

#[event]
struct Late;

static LATE_THREADS: Mutex<Vec<ThreadId>> = Mutex::new(Vec::new());

#[subscribe(Late)]
fn late() {
    LATE_THREADS
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .push(thread::current().id());
}

#[test]
fn a_call_submitted_after_shutdown_runs_on_the_caller_with_a_warning() {
    common::install();
    let emitter = EventEmitter::new(ExecutorProcessor::new(1));
    emitter.processor().shutdown();
    let ((), capture) = capture_local(Level::WARN, || emitter.emit(Late));
    assert_eq!(
        *LATE_THREADS.lock().unwrap(),
        [thread::current().id()],
        "ran on the caller, before emit returned"
    );
    let warnings = capture.lines_with(&[
        "WARN",
        "pyventus",
        concat!(module_path!(), "::late"),
        "shut down",
    ]);
    assert_eq!(warnings.len(), 1, "{}", capture.text());
}

#[test]
fn zero_threads_means_one_per_core() {
    common::install();
    let cores = thread::available_parallelism().map_or(1, |n| n.get());
    let processor = ExecutorProcessor::new(0);
    assert_eq!(processor.threads(), cores);
    processor.shutdown();
}

#[event]
struct Sequenced(usize);

static SEQUENCE: Mutex<Vec<usize>> = Mutex::new(Vec::new());

#[subscribe(Sequenced)]
fn sequenced(e: &Sequenced) {
    SEQUENCE
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .push(e.0);
}

#[test]
fn a_single_thread_runs_calls_in_submission_order() {
    common::install();
    let emitter = EventEmitter::new(ExecutorProcessor::new(1));
    for value in 0..200 {
        emitter.emit(Sequenced(value));
    }
    emitter.processor().shutdown();
    assert_eq!(*SEQUENCE.lock().unwrap(), (0..200).collect::<Vec<_>>());
}

#[event]
struct RunsOnPool;

static POOL_THREADS: Mutex<Vec<ThreadId>> = Mutex::new(Vec::new());

#[subscribe(RunsOnPool)]
fn runs_on_pool() {
    thread::sleep(Duration::from_millis(1));
    POOL_THREADS
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .push(thread::current().id());
}

#[test]
fn handlers_run_on_the_pools_threads_only() {
    common::install();
    let emitter = EventEmitter::new(ExecutorProcessor::new(2));
    for _ in 0..40 {
        emitter.emit(RunsOnPool);
    }
    emitter.processor().shutdown();
    let mut threads = POOL_THREADS.lock().unwrap().clone();
    assert_eq!(threads.len(), 40);
    assert!(!threads.contains(&thread::current().id()));
    threads.sort_unstable_by_key(|id| format!("{id:?}"));
    threads.dedup();
    assert!(threads.len() <= 2, "{threads:?}");
}

#[event]
struct Gated;

/// Opened by the test; the handlers of `Gated` wait for it.
static GATE: (Mutex<bool>, Condvar) = (Mutex::new(false), Condvar::new());
static GATED_DONE: AtomicUsize = AtomicUsize::new(0);

#[subscribe(Gated)]
fn gated() -> Result<(), &'static str> {
    let (open, opened) = &GATE;
    let open = open.lock().unwrap_or_else(PoisonError::into_inner);
    let (open, _) = opened
        .wait_timeout_while(open, GIVE_UP, |open| !*open)
        .unwrap_or_else(PoisonError::into_inner);
    if !*open {
        return Err("the gate never opened");
    }
    GATED_DONE.fetch_add(1, Ordering::SeqCst);
    Ok(())
}

#[test]
fn emit_returns_without_waiting_for_the_handlers() {
    common::install();
    let emitter = EventEmitter::new(ExecutorProcessor::new(2));
    for _ in 0..3 {
        emitter.emit(Gated);
    }
    // No handler can finish before the gate opens: emit returned without them.
    assert_eq!(GATED_DONE.load(Ordering::SeqCst), 0);
    *GATE.0.lock().unwrap() = true;
    GATE.1.notify_all();
    emitter.processor().shutdown();
    assert_eq!(GATED_DONE.load(Ordering::SeqCst), 3);
}

// Shutdown from inside a handler.

#[event]
struct ShutsDown;

static SELF_STOPPING: OnceLock<ExecutorProcessor> = OnceLock::new();
static SHUTDOWN_RETURNED: OnceLock<Mutex<mpsc::Sender<()>>> = OnceLock::new();

#[subscribe(ShutsDown)]
fn shuts_down() {
    SELF_STOPPING.get().expect("set by the test").shutdown();
    if let Some(sender) = SHUTDOWN_RETURNED.get() {
        let _ = sender
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .send(());
    }
}

#[test]
fn shutdown_from_inside_a_handler_does_not_deadlock() {
    common::install();
    let (sender, receiver) = mpsc::channel();
    SHUTDOWN_RETURNED.get_or_init(|| Mutex::new(sender));
    let processor = SELF_STOPPING.get_or_init(|| ExecutorProcessor::new(2));
    EventEmitter::new(processor.clone()).emit(ShutsDown);
    receiver
        .recv_timeout(GIVE_UP)
        .expect("the handler's shutdown returned");
    assert!(processor.is_shutdown());
}

#[event]
struct StopsThenWorks;

static STOPPING_POOL: OnceLock<ExecutorProcessor> = OnceLock::new();
static STOPPED: AtomicBool = AtomicBool::new(false);
static FINISHED_AFTER_STOP: AtomicBool = AtomicBool::new(false);

#[subscribe(StopsThenWorks)]
fn stops_then_works() {
    STOPPING_POOL.get().expect("set by the test").shutdown();
    STOPPED.store(true, Ordering::SeqCst);
    thread::sleep(Duration::from_millis(200));
    FINISHED_AFTER_STOP.store(true, Ordering::SeqCst);
}

/// `shutdown` "waits for every queued and running call to finish", and may be called again: a second
/// call, made while a handler that shut the pool down is still running, must wait for that handler.
#[test]
fn shutdown_waits_for_a_running_handler_that_shut_the_pool_down() {
    common::install();
    let processor = STOPPING_POOL.get_or_init(|| ExecutorProcessor::new(2));
    EventEmitter::new(processor.clone()).emit(StopsThenWorks);
    let waited = std::time::Instant::now();
    while !STOPPED.load(Ordering::SeqCst) {
        assert!(waited.elapsed() < GIVE_UP, "the handler never ran");
        thread::sleep(Duration::from_millis(1));
    }
    processor.shutdown();
    assert!(
        FINISHED_AFTER_STOP.load(Ordering::SeqCst),
        "shutdown returned while a call was still running"
    );
}

// Calls submitted while the pool drains are not lost.

#[event]
struct Parent;

#[event]
struct Child;

static FAMILY_POOL: OnceLock<ExecutorProcessor> = OnceLock::new();
static CHILDREN: AtomicUsize = AtomicUsize::new(0);

#[subscribe(Parent)]
fn parent() {
    thread::sleep(Duration::from_micros(100));
    EventEmitter::new(FAMILY_POOL.get().expect("set by the test").clone()).emit(Child);
}

#[subscribe(Child)]
fn child() {
    CHILDREN.fetch_add(1, Ordering::SeqCst);
}

#[test]
fn calls_emitted_by_handlers_during_shutdown_still_run() {
    common::install();
    let processor = FAMILY_POOL.get_or_init(|| ExecutorProcessor::new(2));
    let emitter = EventEmitter::new(processor.clone());
    for _ in 0..100 {
        emitter.emit(Parent);
    }
    processor.shutdown();
    assert_eq!(CHILDREN.load(Ordering::SeqCst), 100);
}

#[test]
fn clones_share_one_pool() {
    common::install();
    let processor = ExecutorProcessor::new(1);
    let clone = processor.clone();
    clone.shutdown();
    assert!(processor.is_shutdown());
}

#[event]
#[derive(Debug, PartialEq)]
struct Refusable(u32);

static REFUSABLE_RAN: AtomicUsize = AtomicUsize::new(0);

#[subscribe(Refusable)]
fn count_refusable(e: &Refusable) {
    REFUSABLE_RAN.fetch_add(e.0 as usize, Ordering::SeqCst);
}

#[test]
fn try_emit_after_shutdown_runs_nothing_and_hands_the_event_back() {
    let emitter = EventEmitter::new(ExecutorProcessor::new(1));
    assert!(emitter.try_emit(Refusable(1)).is_ok());
    emitter.processor().shutdown();
    assert_eq!(REFUSABLE_RAN.load(Ordering::SeqCst), 1);
    let refused = emitter.try_emit(Refusable(10)).unwrap_err();
    assert_eq!(
        refused.to_string(),
        "the processor is shut down: the event was not emitted"
    );
    assert_eq!(refused.into_event(), Refusable(10));
    assert_eq!(REFUSABLE_RAN.load(Ordering::SeqCst), 1, "nothing ran");
    // Other processors never refuse.
    assert!(
        EventEmitter::new(InlineProcessor)
            .try_emit(Refusable(100))
            .is_ok()
    );
    assert_eq!(REFUSABLE_RAN.load(Ordering::SeqCst), 101);
}

#[event]
struct Raced;

static RACED_DONE: AtomicUsize = AtomicUsize::new(0);

#[subscribe(Raced)]
fn raced() {
    RACED_DONE.fetch_add(1, Ordering::Relaxed);
}

/// Shutdown racing submitters on other threads: every call runs exactly once, on the pool (accepted
/// before the shutdown) or on its submitter (after it). None is stranded in the queue.
#[test]
fn shutdown_racing_submitters_loses_no_call() {
    const THREADS: usize = 3;
    const EMITS: usize = 20_000;
    let emitter = EventEmitter::new(ExecutorProcessor::new(2));
    let submitters: Vec<_> = (0..THREADS)
        .map(|_| {
            let emitter = emitter.clone();
            thread::spawn(move || {
                for _ in 0..EMITS {
                    emitter.emit(Raced);
                }
            })
        })
        .collect();
    while RACED_DONE.load(Ordering::Relaxed) < EMITS / 2 {
        thread::yield_now();
    }
    emitter.processor().shutdown();
    for submitter in submitters {
        submitter.join().expect("submitter finished");
    }
    assert!(emitter.processor().is_shutdown());
    assert_eq!(RACED_DONE.load(Ordering::Relaxed), THREADS * EMITS);
}
