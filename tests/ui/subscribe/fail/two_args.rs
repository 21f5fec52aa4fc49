use pyventus::prelude::*;

#[event]
struct OrderPlaced;

#[subscribe(OrderPlaced)]
fn on_event(_: &OrderPlaced, _count: u32) {}

fn main() {}
