use pyventus::prelude::*;

#[event]
struct MyEvent;

#[event]
struct OtherEvent;

#[subscribe(MyEvent)]
fn on_event(_: &OtherEvent) {}

fn main() {}
