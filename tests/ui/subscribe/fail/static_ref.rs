use pyventus::prelude::*;

#[event]
struct MyEvent;

#[subscribe(MyEvent)]
fn on_event(_: &'static MyEvent) {}

fn main() {}
