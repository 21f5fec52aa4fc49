use pyventus::prelude::*;
use pyventus::State;

#[derive(Clone)]
struct Db;

#[event]
struct OrderPlaced;

// Extractors are taken by value (each call gets its own clone), not by reference.
#[subscribe(OrderPlaced)]
fn on_event(_: &OrderPlaced, db: &State<Db>) {
    let _ = db;
}

fn main() {}
