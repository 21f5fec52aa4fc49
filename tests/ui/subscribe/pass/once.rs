use std::sync::atomic::{AtomicU32, Ordering};

use pyventus::prelude::*;

#[event]
struct Started;

static RUNS: AtomicU32 = AtomicU32::new(0);

#[subscribe(Started, once, priority = 1)]
fn first_start_only() {
    RUNS.fetch_add(1, Ordering::SeqCst);
}

fn main() {
    let emitter = EventEmitter::new(InlineProcessor);
    emitter.emit(Started);
    emitter.emit(Started);
    assert_eq!(RUNS.load(Ordering::SeqCst), 1);
}
