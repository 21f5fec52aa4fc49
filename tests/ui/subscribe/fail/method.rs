use pyventus::prelude::*;

#[event]
struct OrderPlaced;

struct Service;

impl Service {
    #[subscribe(OrderPlaced)]
    fn on_event(&self, _: &OrderPlaced) {}
}

fn main() {}
