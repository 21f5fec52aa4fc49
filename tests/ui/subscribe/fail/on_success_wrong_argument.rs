use pyventus::prelude::*;

#[event]
struct MyEvent;

fn done(_: u64) {}

#[subscribe(MyEvent, on_success = done)]
fn on_event(_: &MyEvent) -> Result<String, String> {
    Ok(String::new())
}

fn main() {}
