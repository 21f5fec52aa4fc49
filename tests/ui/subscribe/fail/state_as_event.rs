use pyventus::prelude::*;
use pyventus::State;

#[derive(Clone)]
struct Db;

#[event]
struct OrderPlaced;

// A handler's first reference parameter is its event.
#[subscribe(OrderPlaced)]
fn on_event(db: &State<Db>) {
    let _ = db;
}

fn main() {}
