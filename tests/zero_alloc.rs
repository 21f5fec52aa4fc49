//! Zero allocation: after its first emit (which resolves the event's handlers once), an emit through the
//! `InlineProcessor` to sync handlers allocates nothing, compile-time or runtime. A queued call (a
//! `Task` for a processor's `submit`, a spawn on tokio, a call sent to the executor's pool) allocates
//! once: the call itself, holding the event when it is the emit's only call; an emit with several calls
//! adds one `Arc` the calls share.

// A counting `#[global_allocator]` needs `unsafe impl GlobalAlloc`; it only forwards to `System`.
#![allow(unsafe_code)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::sync::atomic::{AtomicUsize, Ordering};

use pyventus::Task;
use pyventus::prelude::*;

/// Counts the allocations made by the thread that is measuring, and only by it: the test harness and
/// tests running in parallel allocate on their own threads.
struct Counting;

thread_local! {
    static MEASURING: Cell<bool> = const { Cell::new(false) };
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

fn count_one() {
    // `try_with`: the allocator may be called while thread-locals are being torn down.
    let measuring = MEASURING.try_with(Cell::get).unwrap_or(false);
    if measuring {
        let _ = ALLOCATIONS.try_with(|count| count.set(count.get() + 1));
    }
}

// SAFETY: every method forwards to `System` with the caller's arguments unchanged; counting touches only
// const-initialized thread-locals, which never allocate.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count_one();
        // SAFETY: forwarded from our caller, who upholds `GlobalAlloc::alloc`'s contract.
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        count_one();
        // SAFETY: as for `alloc`.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        count_one();
        // SAFETY: as for `alloc`; `ptr` was allocated by `System` through this allocator.
        unsafe { System.realloc(ptr, layout, new_size) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: as for `realloc`.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// How many allocations `f` made on this thread.
fn allocations_in(f: impl FnOnce()) -> usize {
    ALLOCATIONS.with(|count| count.set(0));
    MEASURING.with(|measuring| measuring.set(true));
    f();
    MEASURING.with(|measuring| measuring.set(false));
    ALLOCATIONS.with(Cell::get)
}

const EMITS: usize = 1000;

#[test]
fn the_counter_sees_allocations() {
    let made = allocations_in(|| {
        let boxed = std::hint::black_box(Box::new(7_u64));
        drop(boxed);
    });
    assert_eq!(made, 1);
}

#[event]
struct Plain(usize);

static PLAIN_SUM: AtomicUsize = AtomicUsize::new(0);

#[subscribe(Plain)]
fn plain_one(e: &Plain) {
    PLAIN_SUM.fetch_add(e.0, Ordering::Relaxed);
}

#[subscribe(Plain, priority = 3)]
fn plain_two(e: &Plain) {
    PLAIN_SUM.fetch_add(e.0, Ordering::Relaxed);
}

#[subscribe(Plain)]
fn plain_three(_: &Plain) -> Result<(), String> {
    PLAIN_SUM.fetch_add(1, Ordering::Relaxed);
    Ok(())
}

#[test]
fn inline_emits_to_compile_time_sync_handlers_allocate_nothing() {
    let emitter = EventEmitter::new(InlineProcessor).debug(false);
    emitter.emit(Plain(1)); // the first emit resolves the handlers
    let made = allocations_in(|| {
        for _ in 0..EMITS {
            emitter.emit(std::hint::black_box(Plain(1)));
        }
    });
    assert_eq!(made, 0);
    assert_eq!(PLAIN_SUM.load(Ordering::Relaxed), 3 * (EMITS + 1));
}

#[event]
struct Unhandled;

#[test]
fn inline_emits_without_handlers_allocate_nothing() {
    let emitter = EventEmitter::new(InlineProcessor).debug(false);
    emitter.emit(Unhandled);
    let made = allocations_in(|| {
        for _ in 0..EMITS {
            emitter.emit(Unhandled);
        }
    });
    assert_eq!(made, 0);
}

#[event]
struct WithRuntime(usize);

static WITH_RUNTIME_SUM: AtomicUsize = AtomicUsize::new(0);

#[subscribe(WithRuntime)]
fn with_runtime_compiled(e: &WithRuntime) {
    WITH_RUNTIME_SUM.fetch_add(e.0, Ordering::Relaxed);
}

#[test]
fn inline_emits_to_a_runtime_sync_subscriber_allocate_nothing() {
    let subscription = EventLinker::subscribe(|e: &WithRuntime| {
        WITH_RUNTIME_SUM.fetch_add(e.0, Ordering::Relaxed);
    });
    let emitter = EventEmitter::new(InlineProcessor).debug(false);
    emitter.emit(WithRuntime(1));
    // Each emit takes a snapshot of the runtime subscribers: an `Arc` clone, which does not allocate.
    let made = allocations_in(|| {
        for _ in 0..EMITS {
            emitter.emit(std::hint::black_box(WithRuntime(1)));
        }
    });
    assert!(subscription.unsubscribe());
    assert_eq!(made, 0);
    assert_eq!(WITH_RUNTIME_SUM.load(Ordering::Relaxed), 2 * (EMITS + 1));
}

#[event]
struct Faulting;

#[subscribe(Faulting)]
fn faulting() -> Result<(), &'static str> {
    Err("expected")
}

#[test]
fn a_handler_returning_err_costs_no_allocation_when_its_report_is_filtered_out() {
    // Without a `tracing` subscriber, faults are written on stderr (and the test harness's capture of
    // stderr allocates). A program that routes reports through `tracing` and filters them out pays
    // nothing for them: the report is not even formatted.
    static FILTERED: std::sync::Once = std::sync::Once::new();
    FILTERED.call_once(|| {
        tracing_subscriber::fmt()
            .with_max_level(tracing::level_filters::LevelFilter::OFF)
            .init();
    });
    let emitter = EventEmitter::new(InlineProcessor).debug(false);
    emitter.emit(Faulting);
    let made = allocations_in(|| {
        for _ in 0..EMITS {
            emitter.emit(Faulting);
        }
    });
    assert_eq!(made, 0);
}

/// Runs each task in `submit`, on the emitting thread: what the default `dispatch` allocates is all
/// that is counted.
#[derive(Debug)]
struct RunsAtOnce;

impl Processor for RunsAtOnce {
    fn submit(&self, task: Task) {
        task.run_blocking();
    }
}

#[event]
struct Queued(usize);

static QUEUED_SUM: AtomicUsize = AtomicUsize::new(0);

#[subscribe(Queued)]
fn queued_one(e: &Queued) {
    QUEUED_SUM.fetch_add(e.0, Ordering::Relaxed);
}

#[event]
struct QueuedTwice(usize);

static QUEUED_TWICE_SUM: AtomicUsize = AtomicUsize::new(0);

#[subscribe(QueuedTwice)]
fn queued_twice_one(e: &QueuedTwice) {
    QUEUED_TWICE_SUM.fetch_add(e.0, Ordering::Relaxed);
}

#[subscribe(QueuedTwice)]
fn queued_twice_two(e: &QueuedTwice) {
    QUEUED_TWICE_SUM.fetch_add(e.0, Ordering::Relaxed);
}

#[test]
fn a_task_is_one_allocation_and_the_event_is_shared_only_by_several() {
    let emitter = EventEmitter::new(RunsAtOnce).debug(false);
    emitter.emit(Queued(1));
    emitter.emit(QueuedTwice(1));
    let one = allocations_in(|| {
        for _ in 0..EMITS {
            emitter.emit(std::hint::black_box(Queued(1)));
        }
    });
    let two = allocations_in(|| {
        for _ in 0..EMITS {
            emitter.emit(std::hint::black_box(QueuedTwice(1)));
        }
    });
    assert_eq!(one, EMITS, "one task per emit, the event inside it");
    assert_eq!(
        two,
        3 * EMITS,
        "two tasks and the `Arc` of the event they share"
    );
    assert_eq!(QUEUED_SUM.load(Ordering::Relaxed), EMITS + 1);
    assert_eq!(QUEUED_TWICE_SUM.load(Ordering::Relaxed), 2 * (EMITS + 1));
}

#[event]
struct Pooled(usize);

static POOLED_SUM: AtomicUsize = AtomicUsize::new(0);

#[subscribe(Pooled)]
fn pooled(e: &Pooled) {
    POOLED_SUM.fetch_add(e.0, Ordering::Relaxed);
}

/// What a queue may add: `crossbeam-channel` and tokio's queues allocate a block now and then (one per
/// 31 messages in crossbeam-channel 0.5), never one per call.
const QUEUE_BLOCKS: usize = EMITS / 8;

/// `made` allocations for `EMITS` queued calls: one per call, and the queue's blocks.
fn assert_one_allocation_per_queued_call(made: usize) {
    assert!(
        (EMITS..=EMITS + QUEUE_BLOCKS).contains(&made),
        "{made} allocations for {EMITS} queued calls"
    );
}

#[test]
fn an_executor_call_is_one_allocation_on_the_emitting_thread() {
    let emitter = EventEmitter::new(ExecutorProcessor::new(2)).debug(false);
    emitter.emit(Pooled(1));
    let made = allocations_in(|| {
        for _ in 0..EMITS {
            emitter.emit(std::hint::black_box(Pooled(1)));
        }
    });
    emitter.processor().shutdown();
    assert_one_allocation_per_queued_call(made);
    assert_eq!(POOLED_SUM.load(Ordering::Relaxed), EMITS + 1);
}

#[event]
struct Spawned(usize);

static SPAWNED_SUM: AtomicUsize = AtomicUsize::new(0);

#[subscribe(Spawned)]
async fn spawned(e: &Spawned) {
    SPAWNED_SUM.fetch_add(e.0, Ordering::Relaxed);
}

#[tokio::test(flavor = "current_thread")]
async fn a_tokio_call_is_one_allocation_on_the_emitting_thread() {
    let emitter = EventEmitter::new(TokioProcessor::new()).debug(false);
    emitter.emit(Spawned(1));
    emitter.processor().wait_for_tasks().await;
    // On a current-thread runtime the spawned calls run only once this test awaits: what is counted is
    // the spawns.
    let made = allocations_in(|| {
        for _ in 0..EMITS {
            emitter.emit(std::hint::black_box(Spawned(1)));
        }
    });
    emitter.processor().wait_for_tasks().await;
    assert_one_allocation_per_queued_call(made);
    assert_eq!(SPAWNED_SUM.load(Ordering::Relaxed), EMITS + 1);
}

/// A state as services hold one: its clone is a reference count, not an allocation.
#[derive(Clone, Default)]
struct Counter(std::sync::Arc<AtomicUsize>);

#[event]
struct Stateful;

#[subscribe(Stateful)]
fn counted(
    _: &Stateful,
    pyventus::State(counter): pyventus::State<Counter>,
    info: pyventus::HandlerInfo,
) {
    counter
        .0
        .fetch_add(info.path().len().min(1), Ordering::Relaxed);
}

#[subscribe(Stateful, on_success = counted_too)]
fn with_callback(_: &Stateful) -> Result<(), String> {
    Ok(())
}

fn counted_too(pyventus::State(counter): pyventus::State<Counter>) {
    counter.0.fetch_add(1, Ordering::Relaxed);
}

#[test]
fn inline_emits_to_handlers_taking_state_allocate_nothing() {
    let counter = Counter::default();
    let emitter = EventEmitter::new(InlineProcessor)
        .debug(false)
        .with_state(counter.clone());
    emitter.emit(Stateful);
    let made = allocations_in(|| {
        for _ in 0..EMITS {
            emitter.emit(std::hint::black_box(Stateful));
        }
    });
    assert_eq!(made, 0);
    assert_eq!(counter.0.load(Ordering::Relaxed), 2 * (EMITS + 1));
}

#[event]
struct PooledWithState(usize);

#[subscribe(PooledWithState, on_success = pooled_done)]
fn pooled_with_state(
    e: &PooledWithState,
    pyventus::State(counter): pyventus::State<Counter>,
) -> Result<usize, String> {
    counter.0.fetch_add(e.0, Ordering::Relaxed);
    Ok(e.0)
}

fn pooled_done(_: usize) {}

/// A queued call of a handler that takes its emitter's context (a state, a callback) costs what any
/// queued call costs: the emitter's shared part is made once, and each call holds a share of it.
#[test]
fn a_queued_call_taking_state_is_one_allocation_on_the_emitting_thread() {
    let counter = Counter::default();
    let emitter = EventEmitter::new(ExecutorProcessor::new(2))
        .debug(false)
        .with_state(counter.clone());
    emitter.emit(PooledWithState(1));
    let made = allocations_in(|| {
        for _ in 0..EMITS {
            emitter.emit(std::hint::black_box(PooledWithState(1)));
        }
    });
    emitter.processor().shutdown();
    assert_one_allocation_per_queued_call(made);
    assert_eq!(counter.0.load(Ordering::Relaxed), EMITS + 1);
}

#[event]
struct PooledWithCallback(usize);

static CALLBACK_SUM: AtomicUsize = AtomicUsize::new(0);

#[subscribe(PooledWithCallback, on_success = callback_done)]
fn pooled_with_callback(e: &PooledWithCallback) -> Result<usize, String> {
    Ok(e.0)
}

fn callback_done(value: usize) {
    CALLBACK_SUM.fetch_add(value, Ordering::Relaxed);
}

/// The same for an emitter given no state (and no `.debug(..)`, which would give it a shared part of
/// its own): its shared part was made with it, not per emit.
#[test]
fn a_queued_call_with_a_callback_is_one_allocation_without_state() {
    let emitter = EventEmitter::new(ExecutorProcessor::new(2));
    assert!(
        !emitter.is_debug(),
        "this test counts allocations outside debug mode"
    );
    emitter.emit(PooledWithCallback(1));
    let made = allocations_in(|| {
        for _ in 0..EMITS {
            emitter.emit(std::hint::black_box(PooledWithCallback(1)));
        }
    });
    emitter.processor().shutdown();
    assert_one_allocation_per_queued_call(made);
    assert_eq!(CALLBACK_SUM.load(Ordering::Relaxed), EMITS + 1);
}
