use std::sync::Mutex;

use pyventus::prelude::*;

#[event]
struct Step;

static ORDER: Mutex<Vec<&str>> = Mutex::new(Vec::new());

#[subscribe(Step, priority = -5)]
fn last() {
    ORDER.lock().unwrap().push("last");
}

#[subscribe(Step)]
fn middle() {
    ORDER.lock().unwrap().push("middle");
}

#[subscribe(Step, priority = 10)]
fn first() {
    ORDER.lock().unwrap().push("first");
}

fn main() {
    EventEmitter::new(InlineProcessor).emit(Step);
    assert_eq!(*ORDER.lock().unwrap(), ["first", "middle", "last"]);
}
