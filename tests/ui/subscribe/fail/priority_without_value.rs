use pyventus::prelude::*;

#[event]
struct MyEvent;

#[subscribe(MyEvent, priority)]
fn on_event(_: &MyEvent) {}

fn main() {}
