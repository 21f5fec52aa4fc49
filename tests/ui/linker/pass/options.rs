use std::fmt;
use std::sync::atomic::{AtomicU32, Ordering};

use pyventus::prelude::*;
use pyventus::{Failure, HandlerInfo};

static FAILURES: AtomicU32 = AtomicU32::new(0);

fn report(_: &HandlerInfo, _: Failure<&dyn fmt::Debug>) {
    FAILURES.fetch_add(1, Ordering::SeqCst);
}

#[linker(max_subscribers = 3, on_failure = report)]
struct Strict;

#[event]
struct Job;

#[subscribe(Job, linker = Strict)]
fn fails() -> Result<(), &'static str> {
    Err("always")
}

fn main() {
    EventEmitter::with_linker::<Strict>(InlineProcessor).emit(Job);
    assert_eq!(FAILURES.load(Ordering::SeqCst), 1);
}
