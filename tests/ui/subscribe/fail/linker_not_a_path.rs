use pyventus::prelude::*;

#[event]
struct MyEvent;

#[linker]
struct Audit;

#[subscribe(MyEvent, linker = "Audit")]
fn on_event(_: &MyEvent) {}

fn main() {}
