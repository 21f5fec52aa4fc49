use pyventus::prelude::*;

#[event]
struct MyEvent;

#[subscribe(MyEvent, once = true)]
fn on_event(_: &MyEvent) {}

fn main() {}
