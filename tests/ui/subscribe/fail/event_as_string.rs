use pyventus::prelude::*;

#[event]
struct MyEvent;

// Pyventus names events with strings; here the event is a type.
#[subscribe("MyEvent")]
fn on_event(_: &MyEvent) {}

fn main() {}
