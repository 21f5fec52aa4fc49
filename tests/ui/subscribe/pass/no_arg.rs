use std::sync::atomic::{AtomicU32, Ordering};

use pyventus::prelude::*;

#[event]
struct Tick;

static TICKS: AtomicU32 = AtomicU32::new(0);

#[subscribe(Tick)]
fn count() {
    TICKS.fetch_add(1, Ordering::SeqCst);
}

#[subscribe(Tick)]
async fn count_later() {
    TICKS.fetch_add(1, Ordering::SeqCst);
}

fn main() {
    EventEmitter::new(InlineProcessor).emit(Tick);
    assert_eq!(TICKS.load(Ordering::SeqCst), 2);
}
