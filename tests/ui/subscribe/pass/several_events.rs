use std::sync::Mutex;

use pyventus::AnyEvent;
use pyventus::prelude::*;

#[event]
struct Opened;

#[event]
struct Closed;

static SEEN: Mutex<Vec<&str>> = Mutex::new(Vec::new());

#[subscribe(Opened, Closed)]
fn audit(e: &dyn AnyEvent) {
    SEEN.lock().unwrap().push(e.name());
}

#[subscribe(Opened, Closed, priority = -1)]
fn count() {
    SEEN.lock().unwrap().push("count");
}

fn main() {
    let emitter = EventEmitter::new(InlineProcessor);
    emitter.emit(Opened);
    emitter.emit(Closed);
    assert_eq!(*SEEN.lock().unwrap(), ["Opened", "count", "Closed", "count"]);
}
