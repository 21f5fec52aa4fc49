use pyventus::prelude::*;

#[event]
struct MyEvent;

// Every problem is reported at once, not one per compile.
#[subscribe(MyEvent, priorty = 1)]
fn on_event<T>(_: &mut MyEvent, _: T) {}

fn main() {}
