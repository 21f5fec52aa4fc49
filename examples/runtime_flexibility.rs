//! Runtime flexibility: code that emits is written once, generic over the processor, and is handed
//! whichever emitter suits the caller; the handlers stay subscribed on the linker and need no change.
//! Mirrors the "Runtime Flexibility" section of Pyventus's Event Emitters page.
//!
//! Run with: `cargo run --example runtime_flexibility`

use std::fmt;

use pyventus::prelude::*;

#[event]
#[derive(Debug, Clone)]
struct MyEvent(String);

/// The application's logic: it emits, and does not care how the handlers are run.
fn main_logic<P: Processor + fmt::Debug>(emitter: &EventEmitter<P>) {
    emitter.emit(MyEvent(format!("Using: {emitter:?}")));
}

fn main() {
    // Pyventus's `ThreadPoolExecutor()`; a pool of 0 threads means one per core.
    let executor = ExecutorProcessor::new(0);
    let sub = EventLinker::subscribe(|e: &MyEvent| println!("{}", e.0));

    // Pyventus's `AsyncIOEventEmitter()`. Called outside a tokio runtime, `emit` waits for the handlers.
    main_logic(&EventEmitter::new(TokioProcessor::new()));

    // Pyventus's `ExecutorEventEmitter(executor)`. Clones of an `ExecutorProcessor` share its pool.
    main_logic(&EventEmitter::new(executor.clone()));
    executor.shutdown(); // waits for the queued handler call

    // Any other processor fits too, including one of your own.
    main_logic(&EventEmitter::new(InlineProcessor));

    sub.unsubscribe();
}
