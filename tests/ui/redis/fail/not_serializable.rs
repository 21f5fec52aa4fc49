use pyventus::prelude::*;

#[event(serde)]
struct OrderPlaced {
    id: u64,
}

fn main() {}
