use pyventus::prelude::*;

#[event]
struct OrderPlaced(u32);

#[subscribe(OrderPlaced)]
fn on_event(e: &mut OrderPlaced) {
    e.0 += 1;
}

fn main() {}
