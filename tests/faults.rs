//! Faults that other tests do not cover: a handler that blocks for long does not stall the others'
//! work on a queued processor, and a user processor that panics in `submit` fails only the emit that
//! called it: the linker is not poisoned (subscribing, emitting, `once` and queries work after it).
//! (Panicking and `Err` handlers: `handler_faults.rs`; panicking callbacks: `outcomes.rs`; async calls
//! cut off by a runtime shutdown: `processor_tokio.rs`.)

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use pyventus::Task;
use pyventus::prelude::*;

#[linker]
struct Blocking;

#[event]
struct Stuck;

#[event]
struct Quick;

static STUCK_DONE: AtomicBool = AtomicBool::new(false);
static QUICK: AtomicU64 = AtomicU64::new(0);

#[subscribe(Stuck, linker = Blocking)]
fn stuck() {
    std::thread::sleep(Duration::from_millis(800));
    STUCK_DONE.store(true, Ordering::SeqCst);
}

#[subscribe(Quick, linker = Blocking)]
fn quick() {
    QUICK.fetch_add(1, Ordering::Relaxed);
}

#[test]
fn a_long_blocking_handler_does_not_stall_the_other_calls_of_a_pool() {
    let emitter = EventEmitter::with_linker::<Blocking>(ExecutorProcessor::new(2));
    emitter.emit(Stuck);
    for _ in 0..1_000 {
        emitter.emit(Quick);
    }
    let deadline = Instant::now() + Duration::from_secs(10);
    while QUICK.load(Ordering::Relaxed) < 1_000 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(1));
    }
    assert_eq!(
        QUICK.load(Ordering::Relaxed),
        1_000,
        "the other worker ran them"
    );
    assert!(
        !STUCK_DONE.load(Ordering::SeqCst),
        "all of them while the blocking call was still running"
    );
    emitter.processor().shutdown();
    assert!(
        STUCK_DONE.load(Ordering::SeqCst),
        "and shutdown waited for it"
    );
}

/// A user processor that panics in `submit`.
#[derive(Debug)]
struct Broken;

impl Processor for Broken {
    fn submit(&self, _task: Task) {
        panic!("this processor is broken");
    }
}

#[linker]
struct Shared;

#[event]
struct Poke;

static POKED: AtomicU64 = AtomicU64::new(0);
static POKED_ONCE: AtomicU64 = AtomicU64::new(0);

#[subscribe(Poke, linker = Shared)]
fn poked() {
    POKED.fetch_add(1, Ordering::Relaxed);
}

#[subscribe(Poke, linker = Shared, once)]
fn poked_once() {
    POKED_ONCE.fetch_add(1, Ordering::Relaxed);
}

#[test]
fn a_panicking_processor_fails_its_emit_and_poisons_nothing() {
    pyventus::quiet_handler_panics();
    let broken = EventEmitter::with_linker::<Shared>(Broken);
    for _ in 0..3 {
        let emitted = catch_unwind(AssertUnwindSafe(|| broken.emit(Poke)));
        assert!(emitted.is_err(), "the processor's panic reaches its caller");
    }
    assert_eq!(
        POKED.load(Ordering::Relaxed),
        0,
        "the broken processor ran nothing"
    );

    // The linker is intact: its handlers, a runtime subscription, queries and `once`.
    let seen = std::sync::Arc::new(AtomicU64::new(0));
    let counter = std::sync::Arc::clone(&seen);
    let subscription = Shared::subscribe(move |_: &Poke| {
        counter.fetch_add(1, Ordering::Relaxed);
    });
    let working = EventEmitter::with_linker::<Shared>(InlineProcessor);
    working.emit(Poke);
    working.emit(Poke);
    assert_eq!(POKED.load(Ordering::Relaxed), 2);
    assert_eq!(seen.load(Ordering::Relaxed), 2);
    // Dispatch claims a `once` handler when it reaches it; each broken emit panicked on the first task
    // (`poked`, first by path), so none reached `poked_once`: the working emitter ran it, once.
    assert_eq!(POKED_ONCE.load(Ordering::Relaxed), 1);
    assert_eq!(
        Shared::subscriber_count::<Poke>(),
        2,
        "poked, and the closure"
    );
    assert!(subscription.unsubscribe());
    assert_eq!(Shared::subscriber_count::<Poke>(), 1);
}
