use pyventus::prelude::*;

#[event]
struct MyEvent;

#[subscribe(MyEvent, MyEvent)]
fn on_event() {}

fn main() {}
