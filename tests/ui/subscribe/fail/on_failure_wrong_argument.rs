use pyventus::prelude::*;

#[event]
struct MyEvent;

fn failed(_: String) {}

#[subscribe(MyEvent, on_failure = failed)]
fn on_event(_: &MyEvent) -> Result<(), String> {
    Ok(())
}

fn main() {}
