//! Custom event linkers: a linker of your own is a namespace of handlers, isolated from `EventLinker`.
//! An emitter reads exactly one linker, so a handler subscribed on another one is not triggered. Mirrors
//! the "Using Custom Event Linkers" section of Pyventus's Event Emitters page.
//!
//! Run with: `cargo run --example custom_linker`

use pyventus::prelude::*;

/// Pyventus's `class CustomEventLinker(EventLinker): ...`.
#[linker]
struct CustomEventLinker;

#[event]
#[derive(Debug, Clone)]
struct MyEvent(String);

// Compile-time handlers: one on the custom linker, one on the default linker.
#[subscribe(MyEvent, linker = CustomEventLinker)]
fn on_custom_linker(e: &MyEvent) {
    println!(
        "  #[subscribe(MyEvent, linker = CustomEventLinker)] fn on_custom_linker: {}",
        e.0
    );
}

#[subscribe(MyEvent)]
fn on_default_linker(e: &MyEvent) {
    println!("  #[subscribe(MyEvent)] fn on_default_linker: {}", e.0);
}

fn main() {
    // Runtime subscriptions, like `CustomEventLinker.subscribe("MyEvent", event_callback=print)` and
    // `EventLinker.subscribe("MyEvent", event_callback=print)`.
    let custom = CustomEventLinker::subscribe(|e: &MyEvent| {
        println!("  CustomEventLinker::subscribe closure: {}", e.0);
    });
    // This one will not be triggered by the emitter below: it is subscribed on `EventLinker`, not on
    // the custom linker that emitter reads.
    let default = EventLinker::subscribe(|e: &MyEvent| {
        println!("  EventLinker::subscribe closure: {}", e.0);
    });
    println!("subscribed one closure on `{}`", custom.info().linker());
    println!("subscribed one closure on `{}`\n", default.info().linker());

    // The page's `EventEmitter(event_linker=CustomEventLinker, event_processor=AsyncIOProcessingService())`.
    // Outside a tokio runtime the `TokioProcessor` returns once the handlers are done, so the output
    // below is complete when `emit` returns (its lines may come in any order: the handlers run
    // concurrently).
    let emitter = EventEmitter::with_linker::<CustomEventLinker>(TokioProcessor::new());
    println!(
        "emit through an emitter on `{}`:",
        CustomEventLinker::name()
    );
    emitter.emit(MyEvent("Hello, World!".into()));
    println!("  (the two handlers on EventLinker did not run)\n");

    // The same event through an emitter on the default linker reaches the other two handlers only.
    let emitter = EventEmitter::new(TokioProcessor::new());
    println!("emit through an emitter on `{}`:", EventLinker::name());
    emitter.emit(MyEvent("Hello again!".into()));
    println!("  (the two handlers on CustomEventLinker did not run)");

    custom.unsubscribe();
    default.unsubscribe();
}
