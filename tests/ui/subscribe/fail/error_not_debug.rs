use pyventus::prelude::*;

#[event]
struct MyEvent;

struct Opaque;

#[subscribe(MyEvent)]
fn on_event(_: &MyEvent) -> Result<(), Opaque> {
    Err(Opaque)
}

fn main() {}
