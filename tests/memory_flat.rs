//! Memory stays flat: subscribing and unsubscribing a runtime closure 1,000,000 times (with an emit to it
//! each time, so that this thread's copy of the subscriber list is made and let go of) leaves the
//! linker empty and the heap where it was, measured by a counting allocator's live bytes; so does
//! growing a linker to 200 subscribers (plain, `once`, all-events) and emptying it again, 500 times
//! (each subscribe copies the list: the cost of a round grows with the square of its size).
//! The two tests run one at a time: the allocator counts every thread.

use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use pyventus::prelude::*;

#[path = "common/live_heap.rs"]
mod live_heap;
use live_heap::live;

#[linker]
struct Churned;

#[linker]
struct Grown;

/// `normal`, or ten times as much under `PYVENTUS_SOAK`.
fn sized(normal: u64) -> u64 {
    if std::env::var_os("PYVENTUS_SOAK").is_some() {
        normal * 10
    } else {
        normal
    }
}

/// Held by each test while it measures.
static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

#[event]
struct Tick;

fn cycles(n: u64, calls: &'static AtomicU64) {
    let emitter = EventEmitter::with_linker::<Churned>(InlineProcessor);
    for _ in 0..n {
        let subscription = Churned::subscribe(move |_: &Tick| {
            calls.fetch_add(1, Ordering::Relaxed);
        });
        emitter.emit(Tick);
        assert!(subscription.unsubscribe());
    }
    // One more emit, with nothing subscribed: lets go of this thread's last copy of the list.
    emitter.emit(Tick);
}

#[test]
fn a_million_subscribe_unsubscribe_cycles_leave_memory_flat() {
    let _alone = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    static CALLS: AtomicU64 = AtomicU64::new(0);
    let total = sized(1_000_000);
    cycles(10_000, &CALLS); // warm-up: the event's table, the linker's index, this thread's cache
    let before = live();
    cycles(total, &CALLS);
    let after = live();
    assert_eq!(
        CALLS.load(Ordering::Relaxed),
        10_000 + total,
        "each closure was called once"
    );
    assert_eq!(Churned::subscriber_count::<Tick>(), 0);
    assert!(
        after - before < 4_096,
        "{} bytes more are live after {total} cycles than before",
        after - before
    );
    eprintln!("{total} cycles: live heap {before} -> {after} bytes");
}

/// Subscribers per round: a quarter `once`, a quarter all-events, half plain.
const SIZE: u64 = 200;

/// One round: `SIZE` subscribers, two emits (the `once` ones run in the first), then every
/// subscription ended; the linker's tables back to empty.
fn grow_and_empty(calls: &'static AtomicU64) {
    let emitter = EventEmitter::with_linker::<Grown>(InlineProcessor);
    let mut subscriptions = Vec::with_capacity(SIZE as usize);
    for i in 0..SIZE {
        let count = move |_: &Tick| {
            calls.fetch_add(1, Ordering::Relaxed);
        };
        subscriptions.push(match i % 4 {
            0 => Grown::once(count),
            1 => Grown::subscribe_all(move |_: &dyn pyventus::AnyEvent| {
                calls.fetch_add(1, Ordering::Relaxed);
            }),
            _ => Grown::subscribe(count),
        });
    }
    // The event's own subscribers, and the linker's all-events ones (counted apart).
    assert_eq!(Grown::subscriber_count::<Tick>() as u64, SIZE / 4 * 3);
    assert_eq!(Grown::all_events_subscribers().len() as u64, SIZE / 4);
    emitter.emit(Tick);
    emitter.emit(Tick);
    // The `once` ones left by themselves after the first emit.
    assert_eq!(Grown::subscriber_count::<Tick>() as u64, SIZE / 2);
    for subscription in subscriptions {
        subscription.unsubscribe();
    }
    assert_eq!(Grown::subscriber_count::<Tick>(), 0);
    assert!(Grown::subscribers::<Tick>().is_empty());
    assert!(Grown::all_events_subscribers().is_empty());
    // Lets go of this thread's copies of the lists.
    emitter.emit(Tick);
}

#[test]
fn growing_to_two_hundred_subscribers_and_back_500_times_leaves_memory_flat() {
    let _alone = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    static CALLS: AtomicU64 = AtomicU64::new(0);
    let rounds = sized(500);
    grow_and_empty(&CALLS); // warm-up
    let before = live();
    for _ in 0..rounds {
        grow_and_empty(&CALLS);
    }
    let after = live();
    // Per round and emit of two: a quarter `once` (the first emit only), three quarters the others.
    assert_eq!(
        CALLS.load(Ordering::Relaxed),
        (rounds + 1) * (SIZE / 4 + SIZE / 4 * 3 * 2)
    );
    assert!(
        after - before < 4_096,
        "{} bytes more are live after {rounds} rounds than before",
        after - before
    );
    eprintln!("{rounds} rounds of {SIZE}: live heap {before} -> {after} bytes");
}
