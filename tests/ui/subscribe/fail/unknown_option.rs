use pyventus::prelude::*;

#[event]
struct MyEvent;

#[subscribe(MyEvent, priorty = 10)]
fn on_event(_: &MyEvent) {}

fn main() {}
