//! Robustness: what must hold when user code does unusual things around pyventus. Closures whose
//! captured state unsubscribes or emits when dropped, events whose `Drop` panics on an executor thread,
//! async handlers emitted inline from inside a `LocalSet`, and emits racing with a thread that keeps
//! changing the subscribers (an emit must always see a set of subscribers that existed at one moment).

use std::cell::Cell;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use pyventus::prelude::*;

/// Runs `f` on a thread of its own and fails if it has not returned after 5 s (a deadlock). The stuck
/// thread is left behind; each test uses events and linkers of its own.
fn returns_within_5s(what: &str, f: impl FnOnce() + Send + 'static) {
    let (done, finished) = mpsc::channel();
    thread::spawn(move || {
        f();
        let _ = done.send(());
    });
    assert!(
        finished.recv_timeout(Duration::from_secs(5)).is_ok(),
        "{what} did not return within 5 s: deadlock"
    );
}

// ---- A removed closure is dropped after every lock is released ---------------------------------------

#[event]
struct Chained;

#[test]
fn unsubscribing_a_closure_that_owns_a_guard_on_the_same_event_returns() {
    returns_within_5s("Subscription::unsubscribe", || {
        let inner = EventLinker::subscribe(|_: &Chained| {}).into_guard();
        let outer = EventLinker::subscribe(move |_: &Chained| {
            let _owned = &inner;
        });
        // Drops the outer closure, hence `inner`, whose Drop unsubscribes from the same list.
        outer.unsubscribe();
    });
}

#[event]
struct Scoped;

#[test]
fn remove_event_with_a_closure_that_owns_a_guard_on_the_same_event_returns() {
    returns_within_5s("Linker::remove_event", || {
        let inner = EventLinker::subscribe(|_: &Scoped| {}).into_guard();
        EventLinker::subscribe(move |_: &Scoped| {
            let _owned = &inner;
        });
        EventLinker::remove_event::<Scoped>();
    });
}

#[event]
struct Closed;

/// Emits `Closed` when dropped (a "this handler went away" notification).
struct NotifyOnDrop;

impl Drop for NotifyOnDrop {
    fn drop(&mut self) {
        EventEmitter::new(InlineProcessor).emit(Closed);
    }
}

#[test]
fn unsubscribing_a_closure_whose_captured_state_emits_the_same_event_on_drop_returns() {
    returns_within_5s("Subscription::unsubscribe", || {
        // Another subscriber, so that the emit's snapshot takes the list's read lock.
        let _other = EventLinker::subscribe(|_: &Closed| {}).into_guard();
        let notify = NotifyOnDrop;
        let sub = EventLinker::subscribe(move |_: &Closed| {
            let _owned = &notify;
        });
        sub.unsubscribe();
    });
}

// ---- ExecutorProcessor: a panic outside the handler call does not kill a worker -------------------------

#[linker]
struct PoolLinker;

#[event]
struct Fragile;

impl Drop for Fragile {
    fn drop(&mut self) {
        panic!("Fragile dropped");
    }
}

static FRAGILE_CALLS: AtomicUsize = AtomicUsize::new(0);

#[test]
fn executor_survives_a_panicking_event_drop_and_shutdown_returns() {
    PoolLinker::subscribe(|_: &Fragile| {
        FRAGILE_CALLS.fetch_add(1, Ordering::SeqCst);
    });
    returns_within_5s("ExecutorProcessor::shutdown", || {
        let emitter = EventEmitter::with_linker::<PoolLinker>(ExecutorProcessor::new(1));
        // The task holds the last `Arc<Fragile>`: the event is dropped on the worker, after the handler
        // ran. The worker reports the panic and lives on: the second emit runs, and shutdown returns.
        emitter.emit(Fragile);
        emitter.emit(Fragile);
        emitter.processor().shutdown();
        assert!(emitter.processor().is_shutdown());
    });
    assert_eq!(FRAGILE_CALLS.load(Ordering::SeqCst), 2);
}

// ---- An async handler emitted inline inside a LocalSet of a multi-thread runtime ---------------------------

#[event]
struct Fetched;

static FETCHED: AtomicUsize = AtomicUsize::new(0);

#[subscribe(Fetched)]
async fn fetch(_: &Fetched) {
    tokio::time::sleep(Duration::from_millis(1)).await;
    FETCHED.fetch_add(1, Ordering::SeqCst);
}

#[test]
fn inline_emit_of_an_async_handler_inside_a_local_set_on_a_multi_thread_runtime() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    // `block_in_place` refuses to run inside a LocalSet; `block_on` then drives the handler on a helper
    // thread instead of letting tokio's panic reach the caller of `emit`.
    tokio::task::LocalSet::new().block_on(&runtime, async {
        EventEmitter::new(InlineProcessor).emit(Fetched);
    });
    assert_eq!(FETCHED.load(Ordering::SeqCst), 1);
}

// ---- An emit sees the subscribers of one moment, while another thread changes them ---------------------

#[linker]
struct SnapshotLinker;

#[event]
struct Snap;

thread_local! {
    static COMPILED_CALLS: Cell<u32> = const { Cell::new(0) };
    static RUNTIME_CALLS: Cell<u32> = const { Cell::new(0) };
}

#[subscribe(Snap, linker = SnapshotLinker)]
fn compiled_snap(_: &Snap) {
    COMPILED_CALLS.set(COMPILED_CALLS.get() + 1);
}

/// The mutator cycles through: runtime subscriber `r` added, compile-time handler `h` restored, `h`
/// removed, `r` unsubscribed. So "`h` enabled and `r` not subscribed" never holds at any instant, and no
/// emit may call `h` without calling `r`. (Before the slot's version word, an emit read `h`'s state and
/// the runtime list at two moments and saw exactly that.) Bounded to 2 s of emits.
#[test]
fn an_emit_never_sees_a_combination_of_subscribers_that_never_existed() {
    SnapshotLinker::remove_event::<Snap>();
    let stop = AtomicBool::new(false);
    let impossible = AtomicUsize::new(0);
    thread::scope(|scope| {
        scope.spawn(|| {
            while !stop.load(Ordering::Relaxed) {
                let r = SnapshotLinker::subscribe(|_: &Snap| {
                    RUNTIME_CALLS.set(RUNTIME_CALLS.get() + 1)
                });
                SnapshotLinker::restore::<Snap>();
                let h = SnapshotLinker::subscribers::<Snap>()
                    .into_iter()
                    .find(|s| s.kind() == pyventus::SubscriberKind::CompileTime)
                    .unwrap();
                SnapshotLinker::remove(&h);
                r.unsubscribe();
            }
        });
        scope.spawn(|| {
            let emitter = EventEmitter::with_linker::<SnapshotLinker>(InlineProcessor);
            let started = Instant::now();
            while started.elapsed() < Duration::from_secs(2)
                && impossible.load(Ordering::Relaxed) == 0
            {
                COMPILED_CALLS.set(0);
                RUNTIME_CALLS.set(0);
                emitter.emit(Snap);
                if COMPILED_CALLS.get() == 1 && RUNTIME_CALLS.get() == 0 {
                    impossible.fetch_add(1, Ordering::Relaxed);
                }
            }
            stop.store(true, Ordering::Relaxed);
        });
    });
    assert_eq!(
        impossible.load(Ordering::Relaxed),
        0,
        "an emit called `h` but not `r`, a state that never existed"
    );
}
