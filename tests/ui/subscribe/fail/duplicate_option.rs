use pyventus::prelude::*;

#[event]
struct MyEvent;

#[subscribe(MyEvent, priority = 1, priority = 2)]
fn on_event(_: &MyEvent) {}

fn main() {}
