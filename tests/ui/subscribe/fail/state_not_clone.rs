use pyventus::prelude::*;
use pyventus::State;

struct Connection;

#[event]
struct OrderPlaced;

// Each call gets its own clone of a state: `State<T>` needs `T: Clone` (share it with an `Arc`).
#[subscribe(OrderPlaced)]
fn on_event(_: &OrderPlaced, State(connection): State<Connection>) {
    let _ = connection;
}

fn main() {}
