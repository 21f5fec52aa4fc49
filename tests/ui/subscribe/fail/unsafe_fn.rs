use pyventus::prelude::*;

#[event]
struct MyEvent;

#[subscribe(MyEvent)]
unsafe fn on_event(_: &MyEvent) {}

fn main() {}
