use pyventus::prelude::*;

#[event]
struct MyEvent;

struct Service;

impl Service {
    #[subscribe(MyEvent)]
    fn on_event(_: &MyEvent) {}
}

fn main() {}
