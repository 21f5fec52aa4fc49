use pyventus::prelude::*;

#[event]
struct MyEvent;

#[subscribe(MyEvent)]
fn on_event(_: &MyEvent) -> i32 {
    42
}

fn main() {}
