use pyventus::prelude::*;

#[event]
struct OrderPlaced;

#[subscribe(OrderPlaced)]
fn on_event<T: Default>(_: &OrderPlaced) {
    let _ = T::default();
}

fn main() {}
