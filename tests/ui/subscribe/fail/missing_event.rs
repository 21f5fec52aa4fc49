use pyventus::prelude::*;

#[event]
struct MyEvent;

#[subscribe]
fn on_event(_: &MyEvent) {}

fn main() {
    // The function is still emitted, so calling it is not a second error.
    on_event(&MyEvent);
}
