//! Getting started: an emitter over each built-in processor, and what `emit` does with each. Mirrors the
//! "Getting Started" section of Pyventus's Event Emitters page (`EventEmitter(event_processor=...)`,
//! `AsyncIOEventEmitter()`).
//!
//! - `InlineProcessor`: handlers run in the caller; `emit` returns when they are done.
//! - `TokioProcessor` (Pyventus's `AsyncIOProcessingService`): outside a tokio runtime, `emit` blocks
//!   until the handlers finish; inside one, `emit` returns at once and `wait_for_tasks()` waits.
//! - `ExecutorProcessor`: handlers run on a thread pool; `emit` returns at once and `shutdown()` waits.
//!
//! Run with: `cargo run --example getting_started`

use std::thread;
use std::time::{Duration, Instant};

use pyventus::prelude::*;

#[event]
#[derive(Debug, Clone)]
struct MyEvent(&'static str);

#[subscribe(MyEvent)]
fn greet(e: &MyEvent) {
    let thread = thread_name();
    println!("    sync handler  on thread {thread:<20} got {:?}", e.0);
}

#[subscribe(MyEvent)]
async fn greet_later(e: &MyEvent) {
    tokio::time::sleep(Duration::from_millis(50)).await;
    let thread = thread_name();
    println!(
        "    async handler on thread {thread:<20} got {:?} (50 ms later)",
        e.0
    );
}

fn thread_name() -> String {
    thread::current().name().unwrap_or("(unnamed)").to_owned()
}

fn since(start: Instant) -> String {
    format!("{} ms", start.elapsed().as_millis())
}

fn main() {
    println!("1. InlineProcessor: every handler runs in the caller before emit returns");
    let emitter = EventEmitter::new(InlineProcessor);
    let start = Instant::now();
    emitter.emit(MyEvent("inline"));
    println!("  emit returned after {}\n", since(start));

    println!("2. TokioProcessor, called outside any tokio runtime: emit waits for the handlers");
    // Pyventus's `AsyncIOEventEmitter()` with no running event loop: pyventus runs the handlers as tasks
    // on a small runtime of its own and returns when all of them have finished.
    let emitter = EventEmitter::new(TokioProcessor::new());
    let start = Instant::now();
    emitter.emit(MyEvent("tokio, no runtime"));
    println!("  emit returned after {}\n", since(start));

    println!("3. TokioProcessor, called inside a tokio runtime: emit returns at once");
    // `#[tokio::main]` would do the same; a runtime built by hand lets this one `main` show both cases.
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("app-runtime")
        .enable_all()
        .build()
        .expect("a tokio runtime");
    runtime.block_on(async {
        let emitter = EventEmitter::new(TokioProcessor::new());
        let start = Instant::now();
        emitter.emit(MyEvent("tokio, in a runtime"));
        println!(
            "  emit returned after {}, with {} handler calls still in flight",
            since(start),
            emitter.processor().in_flight()
        );
        emitter.processor().wait_for_tasks().await;
        println!("  wait_for_tasks() returned after {}\n", since(start));
    });

    println!("4. ExecutorProcessor::new(2): handlers run on a pool of two threads");
    let emitter = EventEmitter::new(ExecutorProcessor::new(2));
    let start = Instant::now();
    emitter.emit(MyEvent("executor, first"));
    emitter.emit(MyEvent("executor, second"));
    println!("  two emits returned after {}", since(start));
    emitter.processor().shutdown(); // stops taking calls, waits for the queued ones
    println!(
        "  shutdown() returned after {}: every call has run",
        since(start)
    );
    println!("  is_shutdown() = {}", emitter.processor().is_shutdown());
}
