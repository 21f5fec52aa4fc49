//! Custom event processors: a processor is anything that implements `pyventus::Processor`, whose one
//! required method, `submit`, receives each handler call as a `Task` and decides how and when to run it.
//! Mirrors the "Using Custom Event Processors" section of Pyventus's Event Emitters page (its
//! `CustomProcessingService`).
//!
//! Run with: `cargo run --example custom_processor`

use std::sync::Mutex;
use std::time::Duration;

use pyventus::Task;
use pyventus::prelude::*;

#[event]
#[derive(Debug, Clone)]
struct MyEvent(String);

#[subscribe(MyEvent)]
fn shout(e: &MyEvent) {
    println!("    shout: {}!", e.0.to_uppercase());
}

#[subscribe(MyEvent)]
async fn whisper(e: &MyEvent) {
    tokio::time::sleep(Duration::from_millis(20)).await;
    println!("    whisper (after 20 ms): {}...", e.0.to_lowercase());
}

/// The page's `CustomProcessingService`: call the handler; if that gave a future (an async handler),
/// drive it to completion before returning.
#[derive(Debug)]
struct CustomProcessingService;

impl Processor for CustomProcessingService {
    fn submit(&self, task: Task) {
        if let Some(future) = task.run() {
            pyventus::block_on(future);
        }
    }
}

/// A processor that reports what it is given before running it: a task names its handler and linker,
/// says whether it is async, and lends its event as `&dyn AnyEvent`.
#[derive(Debug)]
struct AnnouncingProcessor;

impl Processor for AnnouncingProcessor {
    fn submit(&self, task: Task) {
        let payload = task.event().downcast_ref::<MyEvent>().map(|e| e.0.as_str());
        println!(
            "  submit: handler `{}`, event `{}` (payload {:?}), linker `{}`, async: {}",
            task.path(),
            task.event().name(),
            payload,
            task.linker(),
            task.is_async()
        );
        task.run_blocking();
    }
}

/// Tasks are owned values, so a processor may also keep them and run them later.
#[derive(Debug, Default)]
struct DeferredProcessor {
    pending: Mutex<Vec<Task>>,
}

impl DeferredProcessor {
    /// Runs every task kept so far, in submission order.
    fn flush(&self) {
        let tasks = std::mem::take(&mut *self.pending.lock().unwrap());
        println!("  flush: running {} deferred handler calls", tasks.len());
        for task in tasks {
            task.run_blocking();
        }
    }
}

impl Processor for DeferredProcessor {
    fn submit(&self, task: Task) {
        self.pending.lock().unwrap().push(task);
    }
}

fn main() {
    // Pyventus's `EventLinker.subscribe("MyEvent", event_callback=print)`.
    let sub = EventLinker::subscribe(|e: &MyEvent| println!("    closure: {e:?}"));

    println!("CustomProcessingService:");
    let emitter = EventEmitter::new(CustomProcessingService);
    emitter.emit(MyEvent("Hello, World".into()));
    println!("  emit returned: all three handlers have run\n");

    println!("AnnouncingProcessor:");
    let emitter = EventEmitter::new(AnnouncingProcessor);
    emitter.emit(MyEvent("What a processor sees".into()));
    println!();

    println!("DeferredProcessor:");
    let emitter = EventEmitter::new(DeferredProcessor::default());
    emitter.emit(MyEvent("Kept for later".into()));
    println!("  emit returned: nothing has run yet");
    emitter.processor().flush();

    sub.unsubscribe();
}
