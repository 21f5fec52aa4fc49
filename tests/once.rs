//! `once` subscribers: `#[subscribe(E, once)]`, `L::once(..)` and `L::once_async(..)` run for the first
//! emit that dispatches them and never again, also when many threads emit at the same moment, whatever the
//! processor. A spent `once` subscriber is no longer listed by the linker.
//!
//! Pyventus removes a once subscriber from the registry when an emission collects it; here the decision is
//! an atomic flag taken at dispatch, with the same guarantee: exactly one call.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Barrier, Mutex};
use std::thread;
use std::time::Duration;

use pyventus::prelude::*;
use pyventus::{AnyEvent, SubscriberKind};

/// Runs `emit` `per_thread` times on each of `threads` threads, all released together by a barrier.
fn emit_from_threads(threads: usize, per_thread: usize, emit: impl Fn() + Sync) {
    let barrier = Barrier::new(threads);
    thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| {
                barrier.wait();
                for _ in 0..per_thread {
                    emit();
                }
            });
        }
    });
}

/// A runtime `once` subscriber that counts its calls.
fn count_once<E: Event>(calls: &Arc<AtomicUsize>) -> Subscription {
    let calls = Arc::clone(calls);
    EventLinker::once(move |_: &E| {
        calls.fetch_add(1, Ordering::SeqCst);
    })
}

// ---- #[subscribe(E, once)] ---------------------------------------------------------------------------

#[event]
struct Opened(u32);

static OPENED_CALLS: AtomicUsize = AtomicUsize::new(0);
static OPENED_SEEN: Mutex<Vec<u32>> = Mutex::new(Vec::new());

#[subscribe(Opened, once)]
fn first_open(e: &Opened) {
    OPENED_CALLS.fetch_add(1, Ordering::SeqCst);
    OPENED_SEEN.lock().unwrap().push(e.0);
}

#[test]
fn compile_time_once_runs_on_the_first_emit_only() {
    let listed = EventLinker::subscribers::<Opened>();
    assert_eq!(listed.len(), 1);
    assert!(listed[0].is_once());
    assert_eq!(listed[0].path(), concat!(module_path!(), "::first_open"));

    let emitter = EventEmitter::new(InlineProcessor);
    for value in 1..=3 {
        emitter.emit(Opened(value));
    }
    assert_eq!(OPENED_CALLS.load(Ordering::SeqCst), 1);
    assert_eq!(*OPENED_SEEN.lock().unwrap(), [1], "it saw the first event");

    // Spent: no longer listed nor counted.
    assert!(EventLinker::subscribers::<Opened>().is_empty());
    assert_eq!(EventLinker::subscriber_count::<Opened>(), 0);
    assert!(!EventLinker::events().contains(&"Opened"));
}

#[event]
struct Warmed;

static WARMED_CALLS: AtomicUsize = AtomicUsize::new(0);

#[subscribe(Warmed, once)]
async fn warm_once() {
    tokio::time::sleep(Duration::from_millis(1)).await;
    WARMED_CALLS.fetch_add(1, Ordering::SeqCst);
}

#[test]
fn compile_time_async_once_runs_on_the_first_emit_only() {
    assert!(EventLinker::subscribers::<Warmed>()[0].is_async());
    let emitter = EventEmitter::new(InlineProcessor);
    emitter.emit(Warmed);
    emitter.emit(Warmed);
    assert_eq!(WARMED_CALLS.load(Ordering::SeqCst), 1);
    assert_eq!(EventLinker::subscriber_count::<Warmed>(), 0);
}

#[event]
struct Exploded;

static EXPLODED_CALLS: AtomicUsize = AtomicUsize::new(0);

#[subscribe(Exploded, once)]
fn explode_once() {
    EXPLODED_CALLS.fetch_add(1, Ordering::SeqCst);
    panic!("a once handler that panics");
}

#[test]
fn a_once_handler_that_panics_is_spent_all_the_same() {
    let emitter = EventEmitter::new(InlineProcessor);
    emitter.emit(Exploded);
    emitter.emit(Exploded);
    assert_eq!(EXPLODED_CALLS.load(Ordering::SeqCst), 1);
    assert_eq!(EventLinker::subscriber_count::<Exploded>(), 0);
}

// ---- #[subscribe(A, B, once)]: one once shared by both events ----------------------------------------

#[event]
struct Connected;

#[event]
struct Reconnected(u8);

static CONNECTION_SEEN: Mutex<Vec<String>> = Mutex::new(Vec::new());

#[subscribe(Connected, Reconnected, once)]
fn first_connection(e: &dyn AnyEvent) {
    let seen = match e.downcast_ref::<Reconnected>() {
        Some(reconnected) => format!("Reconnected({})", reconnected.0),
        None => e.name().to_owned(),
    };
    CONNECTION_SEEN.lock().unwrap().push(seen);
}

#[test]
fn multi_event_once_is_taken_by_the_first_emit_of_either_event() {
    assert!(EventLinker::subscribers::<Connected>()[0].is_once());
    assert!(EventLinker::subscribers::<Reconnected>()[0].is_once());

    let emitter = EventEmitter::new(InlineProcessor);
    emitter.emit(Reconnected(1));
    emitter.emit(Connected);
    emitter.emit(Reconnected(2));
    assert_eq!(*CONNECTION_SEEN.lock().unwrap(), ["Reconnected(1)"]);

    // Spent for both events.
    assert!(EventLinker::subscribers::<Connected>().is_empty());
    assert!(EventLinker::subscribers::<Reconnected>().is_empty());
}

// ---- runtime once -------------------------------------------------------------------------------------

#[event]
struct Greeted(&'static str);

#[test]
fn runtime_once_runs_on_the_first_emit_only_and_is_then_gone() {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let sub = EventLinker::once({
        let seen = Arc::clone(&seen);
        move |e: &Greeted| seen.lock().unwrap().push(e.0)
    });
    assert!(sub.is_subscribed());
    let listed = EventLinker::subscribers::<Greeted>();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].kind(), SubscriberKind::Runtime);
    assert!(listed[0].is_once());

    let emitter = EventEmitter::new(InlineProcessor);
    emitter.emit(Greeted("first"));
    emitter.emit(Greeted("second"));
    assert_eq!(*seen.lock().unwrap(), ["first"]);

    assert!(!sub.is_subscribed());
    assert!(EventLinker::subscribers::<Greeted>().is_empty());
    assert!(!sub.unsubscribe(), "a spent once is already unsubscribed");
}

#[event]
struct Cancelled;

#[test]
fn runtime_once_unsubscribed_before_any_emit_never_runs() {
    let calls = Arc::new(AtomicUsize::new(0));
    let sub = count_once::<Cancelled>(&calls);
    assert!(sub.unsubscribe());
    EventEmitter::new(InlineProcessor).emit(Cancelled);
    assert_eq!(calls.load(Ordering::SeqCst), 0);
}

#[event]
struct Downloaded(u32);

#[test]
fn runtime_once_async_runs_on_the_first_emit_only() {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let sub = EventLinker::once_async({
        let seen = Arc::clone(&seen);
        move |e: &Downloaded| {
            let (seen, id) = (Arc::clone(&seen), e.0);
            async move {
                tokio::time::sleep(Duration::from_millis(1)).await;
                seen.lock().unwrap().push(id);
            }
        }
    });
    let listed = EventLinker::subscribers::<Downloaded>();
    assert!(listed[0].is_once() && listed[0].is_async());

    let emitter = EventEmitter::new(InlineProcessor);
    emitter.emit(Downloaded(1));
    emitter.emit(Downloaded(2));
    assert_eq!(*seen.lock().unwrap(), [1]);
    assert!(!sub.unsubscribe());
    assert_eq!(EventLinker::subscriber_count::<Downloaded>(), 0);
}

#[event]
struct Fetched;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn runtime_once_async_through_tokio_tasks_runs_once() {
    let calls = Arc::new(AtomicUsize::new(0));
    let sub = EventLinker::once_async({
        let calls = Arc::clone(&calls);
        move |_: &Fetched| {
            let calls = Arc::clone(&calls);
            async move {
                tokio::time::sleep(Duration::from_millis(5)).await;
                calls.fetch_add(1, Ordering::SeqCst);
            }
        }
    });
    let emitter = EventEmitter::new(TokioProcessor::new());
    // All emitted while the first call is still sleeping.
    for _ in 0..20 {
        emitter.emit(Fetched);
    }
    emitter.processor().wait_for_tasks().await;
    assert_eq!(calls.load(Ordering::SeqCst), 1);
    assert!(!sub.unsubscribe());
}

// ---- exactly one call under concurrent emits ------------------------------------------------------------

/// A module with its own event and compile-time `once` handler, one per concurrency test.
macro_rules! burst {
    ($module:ident) => {
        mod $module {
            use std::sync::atomic::{AtomicUsize, Ordering};

            use pyventus::prelude::*;

            #[event]
            pub(crate) struct Burst;

            pub(crate) static COMPILED_CALLS: AtomicUsize = AtomicUsize::new(0);

            #[subscribe(Burst, once)]
            fn compiled_once() {
                COMPILED_CALLS.fetch_add(1, Ordering::SeqCst);
            }
        }
    };
}

burst!(inline_burst);
burst!(executor_burst);
burst!(tokio_outside_burst);
burst!(tokio_inside_burst);

const THREADS: usize = 8;
const EMITS_PER_THREAD: usize = 100;

#[test]
fn once_runs_exactly_once_under_concurrent_inline_emits() {
    use inline_burst::{Burst, COMPILED_CALLS};
    let runtime_calls = Arc::new(AtomicUsize::new(0));
    let sub = count_once::<Burst>(&runtime_calls);

    let emitter = EventEmitter::new(InlineProcessor);
    emit_from_threads(THREADS, EMITS_PER_THREAD, || emitter.emit(Burst));

    assert_eq!(COMPILED_CALLS.load(Ordering::SeqCst), 1);
    assert_eq!(runtime_calls.load(Ordering::SeqCst), 1);
    assert!(!sub.unsubscribe());
    assert_eq!(EventLinker::subscriber_count::<Burst>(), 0);
}

#[test]
fn once_runs_exactly_once_under_concurrent_executor_emits() {
    use executor_burst::{Burst, COMPILED_CALLS};
    let runtime_calls = Arc::new(AtomicUsize::new(0));
    let sub = count_once::<Burst>(&runtime_calls);

    let emitter = EventEmitter::new(ExecutorProcessor::new(2));
    emit_from_threads(THREADS, EMITS_PER_THREAD, || emitter.emit(Burst));
    emitter.processor().shutdown();

    assert_eq!(COMPILED_CALLS.load(Ordering::SeqCst), 1);
    assert_eq!(runtime_calls.load(Ordering::SeqCst), 1);
    assert!(!sub.unsubscribe());
}

#[test]
fn once_runs_exactly_once_under_concurrent_tokio_emits_outside_a_runtime() {
    use tokio_outside_burst::{Burst, COMPILED_CALLS};
    let runtime_calls = Arc::new(AtomicUsize::new(0));
    let sub = count_once::<Burst>(&runtime_calls);

    let emitter = EventEmitter::new(TokioProcessor::new());
    emit_from_threads(THREADS, EMITS_PER_THREAD, || emitter.emit(Burst));

    assert_eq!(COMPILED_CALLS.load(Ordering::SeqCst), 1);
    assert_eq!(runtime_calls.load(Ordering::SeqCst), 1);
    assert!(!sub.unsubscribe());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn once_runs_exactly_once_under_concurrent_tokio_emits_inside_a_runtime() {
    use tokio_inside_burst::{Burst, COMPILED_CALLS};
    let runtime_calls = Arc::new(AtomicUsize::new(0));
    let sub = count_once::<Burst>(&runtime_calls);

    let emitter = EventEmitter::new(TokioProcessor::new());
    let barrier = Arc::new(Barrier::new(THREADS));
    // Blocking-pool threads carry the runtime's context: each emit spawns its calls on it.
    let emitters: Vec<_> = (0..THREADS)
        .map(|_| {
            let (emitter, barrier) = (emitter.clone(), Arc::clone(&barrier));
            tokio::task::spawn_blocking(move || {
                barrier.wait();
                for _ in 0..EMITS_PER_THREAD {
                    emitter.emit(Burst);
                }
            })
        })
        .collect();
    for handle in emitters {
        handle.await.expect("an emitting thread panicked");
    }
    emitter.processor().wait_for_tasks().await;

    assert_eq!(COMPILED_CALLS.load(Ordering::SeqCst), 1);
    assert_eq!(runtime_calls.load(Ordering::SeqCst), 1);
    assert!(!sub.unsubscribe());
}

#[event]
struct Ping;

#[event]
struct Pong;

static PING_PONG_CALLS: AtomicUsize = AtomicUsize::new(0);

#[subscribe(Ping, Pong, once)]
fn first_of_ping_or_pong() {
    PING_PONG_CALLS.fetch_add(1, Ordering::SeqCst);
}

#[test]
fn a_multi_event_once_runs_exactly_once_when_both_events_are_emitted_concurrently() {
    let emitter = EventEmitter::new(InlineProcessor);
    let turn = AtomicUsize::new(0);
    emit_from_threads(THREADS, EMITS_PER_THREAD, || {
        if turn.fetch_add(1, Ordering::Relaxed).is_multiple_of(2) {
            emitter.emit(Ping);
        } else {
            emitter.emit(Pong);
        }
    });
    assert_eq!(PING_PONG_CALLS.load(Ordering::SeqCst), 1);
}
