use pyventus::prelude::*;

#[event]
struct Opened;

#[event]
struct Closed;

#[subscribe(Opened, Closed)]
fn on_event(_: &Opened) {}

fn main() {}
