//! Runtime flexibility: code written against `EventEmitter<P>` works with any processor, and every
//! processor reaches the same handlers of the same linker.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, PoisonError};
use std::thread::{self, ThreadId};

use pyventus::prelude::*;

#[event]
#[derive(Debug, Clone)]
struct MyEvent(&'static str);

/// What the handlers saw: which handler, with which text, on which thread.
static SEEN: Mutex<Vec<(&str, &str, ThreadId)>> = Mutex::new(Vec::new());

fn record(handler: &'static str, e: &MyEvent) {
    SEEN.lock().unwrap_or_else(PoisonError::into_inner).push((
        handler,
        e.0,
        thread::current().id(),
    ));
}

fn take_seen() -> Vec<(&'static str, &'static str, ThreadId)> {
    std::mem::take(&mut *SEEN.lock().unwrap_or_else(PoisonError::into_inner))
}

#[subscribe(MyEvent)]
fn compiled(e: &MyEvent) {
    record("compiled", e);
}

#[subscribe(MyEvent)]
async fn compiled_async(e: &MyEvent) {
    tokio::task::yield_now().await;
    record("compiled_async", e);
}

/// The page's `main(event_emitter)`: knows nothing of the processor.
fn run<P: Processor>(emitter: &EventEmitter<P>, text: &'static str) {
    emitter.emit(MyEvent(text));
}

/// The handlers that saw `text`, sorted (processors other than inline may run them in any order).
fn handlers_that_saw(
    seen: &[(&'static str, &'static str, ThreadId)],
    text: &str,
) -> Vec<&'static str> {
    let mut handlers: Vec<&str> = seen
        .iter()
        .filter(|(_, seen_text, _)| *seen_text == text)
        .map(|(handler, _, _)| *handler)
        .collect();
    handlers.sort_unstable();
    handlers
}

// One test, because every emit here reaches the same handlers: run in parallel, the tests would see
// each other's calls.
#[test]
fn the_same_function_drives_every_processor_to_the_same_handlers() {
    let subscription = EventLinker::subscribe(|e: &MyEvent| record("closure", e));
    let all = ["closure", "compiled", "compiled_async"];
    let caller = thread::current().id();

    let tokio = EventEmitter::new(TokioProcessor::new());
    run(&tokio, "tokio");
    let seen = take_seen();
    assert_eq!(handlers_that_saw(&seen, "tokio"), all);
    assert!(
        seen.iter().all(|(_, _, thread)| *thread != caller),
        "outside a runtime the tokio processor runs handlers on its runtime's threads"
    );

    let executor = EventEmitter::new(ExecutorProcessor::new(2));
    run(&executor, "executor");
    executor.processor().shutdown();
    let seen = take_seen();
    assert_eq!(handlers_that_saw(&seen, "executor"), all);
    assert!(
        seen.iter().all(|(_, _, thread)| *thread != caller),
        "the executor runs handlers on its pool"
    );

    let inline = EventEmitter::new(InlineProcessor);
    run(&inline, "inline");
    let seen = take_seen();
    assert_eq!(handlers_that_saw(&seen, "inline"), all);
    assert!(
        seen.iter()
            .filter(|(handler, _, _)| *handler != "compiled_async")
            .all(|(_, _, thread)| *thread == caller),
        "the inline processor runs sync handlers on the caller"
    );

    // Emitters are cheap and interchangeable: switch back and forth.
    for round in 0..3 {
        run(&inline, "again");
        run(&tokio, "again");
        let executor = EventEmitter::new(ExecutorProcessor::new(1));
        run(&executor, "again");
        drop(executor);
        let seen = take_seen();
        assert_eq!(
            seen.len(),
            9,
            "round {round}: three emits to three handlers"
        );
    }

    assert!(subscription.unsubscribe());
}

/// Also generic over the linker.
fn run_on<P: Processor, L: Linker>(emitter: &EventEmitter<P, L>) {
    emitter.emit(Flexible);
}

#[linker]
struct CustomEventLinker;

#[event]
struct Flexible;

static FLEXIBLE_DEFAULT: AtomicUsize = AtomicUsize::new(0);
static FLEXIBLE_CUSTOM: AtomicUsize = AtomicUsize::new(0);

#[subscribe(Flexible)]
fn flexible_default() {
    FLEXIBLE_DEFAULT.fetch_add(1, Ordering::SeqCst);
}

#[subscribe(Flexible, linker = CustomEventLinker)]
async fn flexible_custom() {
    FLEXIBLE_CUSTOM.fetch_add(1, Ordering::SeqCst);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn generic_code_works_with_any_processor_and_linker() {
    let tokio = EventEmitter::with_linker::<CustomEventLinker>(TokioProcessor::new());
    run_on(&tokio);
    tokio.processor().wait_for_tasks().await;
    assert_eq!(FLEXIBLE_CUSTOM.load(Ordering::SeqCst), 1);

    let executor = EventEmitter::new(ExecutorProcessor::new(1));
    run_on(&executor);
    executor.processor().shutdown();
    assert_eq!(FLEXIBLE_DEFAULT.load(Ordering::SeqCst), 1);

    run_on(&EventEmitter::with_linker::<CustomEventLinker>(
        InlineProcessor,
    ));
    run_on(&EventEmitter::new(InlineProcessor));
    assert_eq!(FLEXIBLE_CUSTOM.load(Ordering::SeqCst), 2);
    assert_eq!(FLEXIBLE_DEFAULT.load(Ordering::SeqCst), 2);
}
