use std::sync::atomic::{AtomicU32, Ordering};

use pyventus::prelude::*;

#[event]
struct Parse(&'static str);

static CALLS: AtomicU32 = AtomicU32::new(0);

#[derive(Debug)]
enum ParseError {
    Empty,
}

#[subscribe(Parse)]
fn fails(e: &Parse) -> Result<(), ParseError> {
    CALLS.fetch_add(1, Ordering::SeqCst);
    if e.0.is_empty() { Err(ParseError::Empty) } else { Ok(()) }
}

#[subscribe(Parse)]
fn returns_a_value(e: &Parse) -> Result<usize, std::num::ParseIntError> {
    CALLS.fetch_add(1, Ordering::SeqCst);
    e.0.parse()
}

fn main() {
    // An `Err` is reported, not propagated: the other handler still runs and `emit` returns normally.
    EventEmitter::new(InlineProcessor).emit(Parse(""));
    assert_eq!(CALLS.load(Ordering::SeqCst), 2);
}
