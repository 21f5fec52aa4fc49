use pyventus::prelude::*;

#[event]
struct MyEvent;

#[subscribe(MyEvent, priority = 3_000_000_000)]
fn on_event(_: &MyEvent) {}

fn main() {}
