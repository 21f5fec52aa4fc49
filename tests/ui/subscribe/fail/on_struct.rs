use pyventus::prelude::*;

#[event]
struct OrderPlaced;

#[subscribe(OrderPlaced)]
struct OnEvent;

fn main() {}
