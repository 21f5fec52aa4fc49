//! Quickstart: an event, three handlers (sync, async, and a closure subscribed at runtime), and an
//! emitter that runs them in the calling thread.
//!
//! Run with: `cargo run --example quickstart`

use pyventus::prelude::*;

#[event]
#[derive(Debug, Clone)]
struct MyEvent(String);

#[subscribe(MyEvent)]
fn greet(e: &MyEvent) {
    println!("greet: {}", e.0);
}

#[subscribe(MyEvent)]
async fn greet_later(e: &MyEvent) {
    tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    println!("greet_later (after 10 ms): {}", e.0);
}

fn main() {
    // Pyventus's `EventLinker.subscribe("MyEvent", event_callback=print)`.
    let sub = EventLinker::subscribe(|e: &MyEvent| println!("closure: {e:?}"));

    let emitter = EventEmitter::new(InlineProcessor);
    emitter.emit(MyEvent("Hello, World!".into()));
    println!("emit returned: every handler has run");

    sub.unsubscribe();
    emitter.emit(MyEvent("Goodbye!".into()));
    println!("the closure was unsubscribed: only the two #[subscribe] functions ran");
}
