use pyventus::prelude::*;

#[event]
struct MyEvent;

#[subscribe(MyEvent, priority = "high")]
fn on_event(_: &MyEvent) {}

fn main() {}
