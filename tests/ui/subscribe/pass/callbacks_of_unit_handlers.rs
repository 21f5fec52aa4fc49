// The callbacks of a handler that returns `()`: `on_success` takes nothing (or `()`), `on_failure` takes
// `Failure` alone (such a handler can only panic). A `Result<(), E>` handler's `on_success` may take
// nothing too.
use std::sync::atomic::{AtomicUsize, Ordering};

use pyventus::prelude::*;
use pyventus::Failure;

static SUCCEEDED: AtomicUsize = AtomicUsize::new(0);
static FAILED: AtomicUsize = AtomicUsize::new(0);

fn ok() {
    SUCCEEDED.fetch_add(1, Ordering::SeqCst);
}

fn ok_unit(_: ()) {
    SUCCEEDED.fetch_add(1, Ordering::SeqCst);
}

fn failed(failure: Failure) {
    assert!(matches!(failure, Failure::Panic(ref message) if message == "boom"));
    FAILED.fetch_add(1, Ordering::SeqCst);
}

#[event]
struct Ping;

#[subscribe(Ping, on_success = ok)]
fn quiet() {}

#[subscribe(Ping, on_success = ok_unit)]
fn quiet_too() {}

#[subscribe(Ping, on_success = ok, on_failure = failed)]
fn explodes() {
    panic!("boom");
}

#[subscribe(Ping, on_success = ok)]
fn fallible() -> Result<(), String> {
    Ok(())
}

#[subscribe(Ping, on_success = ok, on_failure = failed)]
async fn later() {}

fn main() {
    EventEmitter::new(InlineProcessor).emit(Ping);
    assert_eq!(SUCCEEDED.load(Ordering::SeqCst), 4);
    assert_eq!(FAILED.load(Ordering::SeqCst), 1);
}
