//! Runtime closures on the inline fast path: each thread reads its own cached copy of a slot's runtime
//! subscribers while the slot's version word is unchanged. These tests pin what that must not change:
//! a change is seen by the next emit on every thread, a panicking closure is isolated and reported,
//! an emit from inside a closure works, and an unsubscribed closure is dropped promptly (at once on the
//! thread that unsubscribes; on another thread at its next emit to a runtime subscriber, or its exit).

mod common;

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Barrier, Mutex, PoisonError};
use std::thread;

use pyventus::prelude::*;
use tracing::Level;

use crate::common::capture_local;

/// Counts its drops, to see when a closure's captured state goes.
struct DropCounter(Arc<AtomicUsize>);

impl Drop for DropCounter {
    fn drop(&mut self) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

#[event]
struct Tick;

#[test]
fn a_subscription_made_between_two_emits_is_seen_by_the_second() {
    common::install();
    let calls = Arc::new(AtomicUsize::new(0));
    let emitter = EventEmitter::new(InlineProcessor);
    let first = {
        let calls = Arc::clone(&calls);
        EventLinker::subscribe(move |_: &Tick| {
            calls.fetch_add(1, Ordering::SeqCst);
        })
    };
    emitter.emit(Tick); // caches [first]
    emitter.emit(Tick); // from the cache
    let second = {
        let calls = Arc::clone(&calls);
        EventLinker::subscribe(move |_: &Tick| {
            calls.fetch_add(10, Ordering::SeqCst);
        })
    };
    emitter.emit(Tick); // the version moved: [first, second]
    assert_eq!(calls.load(Ordering::SeqCst), 1 + 1 + 11);
    assert!(first.unsubscribe());
    emitter.emit(Tick); // [second]
    assert_eq!(calls.load(Ordering::SeqCst), 13 + 10);
    assert!(second.unsubscribe());
    emitter.emit(Tick);
    assert_eq!(calls.load(Ordering::SeqCst), 23);
}

#[event]
struct Dropping;

#[test]
fn an_unsubscribed_closure_is_dropped_at_once_on_the_thread_that_emitted_it() {
    common::install();
    let drops = Arc::new(AtomicUsize::new(0));
    let guard = DropCounter(Arc::clone(&drops));
    let subscription = EventLinker::subscribe(move |_: &Dropping| {
        let _ = &guard;
    });
    let emitter = EventEmitter::new(InlineProcessor);
    emitter.emit(Dropping);
    emitter.emit(Dropping); // this thread's cache holds the list now
    assert!(subscription.unsubscribe());
    assert_eq!(drops.load(Ordering::SeqCst), 1);
}

#[event]
struct FromAnotherThread;

#[event]
struct Other;

/// Subscribes a closure whose captured state counts its drops, lets another thread emit it twice (so
/// that thread keeps a copy of the list), unsubscribes it, and lets the thread run `after` (given its
/// emitter). Returns the drop count as the thread saw it when `after` returned, and as it is once the
/// thread ended.
fn unsubscribe_while_another_thread_holds_a_copy(
    after: fn(&EventEmitter<InlineProcessor>),
) -> (usize, usize) {
    let drops = Arc::new(AtomicUsize::new(0));
    let guard = DropCounter(Arc::clone(&drops));
    let subscription = EventLinker::subscribe(move |_: &FromAnotherThread| {
        let _ = &guard;
    });
    let (cached, unsubscribed) = (Arc::new(Barrier::new(2)), Arc::new(Barrier::new(2)));
    let worker = {
        let (cached, unsubscribed) = (Arc::clone(&cached), Arc::clone(&unsubscribed));
        let drops = Arc::clone(&drops);
        thread::spawn(move || {
            let emitter = EventEmitter::new(InlineProcessor);
            emitter.emit(FromAnotherThread);
            emitter.emit(FromAnotherThread);
            cached.wait();
            unsubscribed.wait();
            after(&emitter);
            drops.load(Ordering::SeqCst)
        })
    };
    cached.wait();
    assert!(subscription.unsubscribe());
    unsubscribed.wait();
    let seen = worker.join().expect("worker finished");
    (seen, drops.load(Ordering::SeqCst))
}

#[test]
fn another_threads_copy_goes_at_its_next_runtime_emit_or_its_exit() {
    common::install();
    let _other = EventLinker::subscribe(|_: &Other| {});
    // An emit of another event with a runtime subscriber sweeps the stale copy.
    let (seen, _) = unsubscribe_while_another_thread_holds_a_copy(|emitter| emitter.emit(Other));
    assert_eq!(seen, 1);
    // A thread that ends lets go of its copy.
    let (_, after_exit) = unsubscribe_while_another_thread_holds_a_copy(|_| {});
    assert_eq!(after_exit, 1);
}

#[event]
struct Faulty;

#[test]
fn a_panicking_closure_on_the_fast_path_is_reported_and_the_next_one_runs() {
    common::install();
    let ran = Arc::new(AtomicBool::new(false));
    let panicking = EventLinker::subscribe(|_: &Faulty| {
        if std::hint::black_box(true) {
            panic!("closure failed");
        }
    });
    let next = {
        let ran = Arc::clone(&ran);
        EventLinker::subscribe(move |_: &Faulty| ran.store(true, Ordering::SeqCst))
    };
    let emitter = EventEmitter::new(InlineProcessor);
    emitter.emit(Faulty); // the first emit takes the general walk and caches the list
    ran.store(false, Ordering::SeqCst);
    let ((), capture) = capture_local(Level::ERROR, || emitter.emit(Faulty)); // the fast path
    assert!(
        ran.load(Ordering::SeqCst),
        "the closure after the panicking one ran"
    );
    let reports = capture.lines_with(&["panicked", "closure failed"]);
    assert_eq!(
        reports.len(),
        1,
        "one report of the panic: {}",
        capture.text()
    );
    assert!(panicking.unsubscribe());
    assert!(next.unsubscribe());
}

#[event]
struct Outer;

#[event]
struct Inner;

#[test]
fn a_closure_may_emit_and_subscribe_while_the_cached_copy_is_in_use() {
    common::install();
    let inner_calls = Arc::new(AtomicUsize::new(0));
    let _inner = {
        let inner_calls = Arc::clone(&inner_calls);
        EventLinker::subscribe(move |_: &Inner| {
            inner_calls.fetch_add(1, Ordering::SeqCst);
        })
    };
    // Each emit of `Outer` recurses to depth 3; the second time, the closure subscribes another one.
    let (outer_calls, depth) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
    let late_calls = Arc::new(AtomicUsize::new(0));
    let late: Arc<Mutex<Option<Subscription>>> = Arc::default();
    let outer = {
        let (outer_calls, depth) = (Arc::clone(&outer_calls), Arc::clone(&depth));
        let (late_calls, late) = (Arc::clone(&late_calls), Arc::clone(&late));
        EventLinker::subscribe(move |_: &Outer| {
            outer_calls.fetch_add(1, Ordering::SeqCst);
            let emitter = EventEmitter::new(InlineProcessor);
            emitter.emit(Inner); // another event's copy, read while this one's is borrowed
            let mut late = late.lock().unwrap_or_else(PoisonError::into_inner);
            if outer_calls.load(Ordering::SeqCst) == 5 && late.is_none() {
                let late_calls = Arc::clone(&late_calls);
                *late = Some(EventLinker::subscribe(move |_: &Outer| {
                    late_calls.fetch_add(1, Ordering::SeqCst);
                }));
            }
            drop(late);
            if depth.fetch_add(1, Ordering::SeqCst) < 2 {
                emitter.emit(Outer); // the same event, from inside its own closure
            }
        })
    };
    let emitter = EventEmitter::new(InlineProcessor);
    emitter.emit(Outer); // general walk, caches: 3 calls
    depth.store(0, Ordering::SeqCst);
    emitter.emit(Outer); // fast path: 3 calls; the 5th subscribes `late`, which the 6th's emit reaches
    assert_eq!(outer_calls.load(Ordering::SeqCst), 6);
    assert_eq!(inner_calls.load(Ordering::SeqCst), 6);
    assert_eq!(late_calls.load(Ordering::SeqCst), 1);
    depth.store(2, Ordering::SeqCst);
    emitter.emit(Outer);
    assert_eq!(outer_calls.load(Ordering::SeqCst), 7);
    assert_eq!(
        late_calls.load(Ordering::SeqCst),
        2,
        "the late closure runs on every later emit"
    );
    assert!(outer.unsubscribe());
    let late = late.lock().unwrap_or_else(PoisonError::into_inner).take();
    assert!(late.is_some_and(|late| late.unsubscribe()));
}

#[event]
struct Raced;

thread_local! {
    /// How many rounds had been unsubscribed when this thread's current emit started.
    static UNSUBSCRIBED_WHEN_STARTED: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// Two threads emit while the main thread subscribes and unsubscribes, many times over: an emit that
/// starts after `unsubscribe` returned never calls the closure, whatever the thread's cached copy held.
#[test]
fn an_emit_that_starts_after_unsubscribe_never_reaches_the_closure() {
    common::install();
    const ROUNDS: usize = 200;
    // Keeps the list non-empty after each unsubscribe, so emits keep using their cached copies.
    let keep = EventLinker::subscribe(|_: &Raced| {});
    let late_calls = Arc::new(AtomicUsize::new(0));
    let calls = Arc::new(AtomicUsize::new(0));
    // Rounds whose closure was unsubscribed (round `r` counts once `unsubscribe` returned).
    let unsubscribed = Arc::new(AtomicUsize::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    let emitters: Vec<_> = (0..2)
        .map(|_| {
            let (unsubscribed, stop) = (Arc::clone(&unsubscribed), Arc::clone(&stop));
            thread::spawn(move || {
                let emitter = EventEmitter::new(InlineProcessor);
                while !stop.load(Ordering::SeqCst) {
                    UNSUBSCRIBED_WHEN_STARTED.set(unsubscribed.load(Ordering::SeqCst));
                    emitter.emit(Raced);
                }
            })
        })
        .collect();
    for round in 0..ROUNDS {
        let before = calls.load(Ordering::SeqCst);
        let subscription = {
            let (calls, late_calls) = (Arc::clone(&calls), Arc::clone(&late_calls));
            EventLinker::subscribe(move |_: &Raced| {
                calls.fetch_add(1, Ordering::SeqCst);
                if UNSUBSCRIBED_WHEN_STARTED.get() > round {
                    late_calls.fetch_add(1, Ordering::SeqCst);
                }
            })
        };
        while calls.load(Ordering::SeqCst) < before + 4 {
            thread::yield_now();
        }
        assert!(subscription.unsubscribe());
        unsubscribed.store(round + 1, Ordering::SeqCst);
        // Let both threads run emits that start after the unsubscribe.
        for _ in 0..50 {
            thread::yield_now();
        }
    }
    stop.store(true, Ordering::SeqCst);
    for emitter in emitters {
        emitter.join().expect("emitter finished");
    }
    assert_eq!(late_calls.load(Ordering::SeqCst), 0);
    assert!(keep.unsubscribe());
}
