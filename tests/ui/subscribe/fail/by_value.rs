use pyventus::prelude::*;

#[event]
struct OrderPlaced(String);

#[subscribe(OrderPlaced)]
fn on_event(e: OrderPlaced) {
    drop(e.0);
}

fn main() {}
