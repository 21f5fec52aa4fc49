use pyventus::prelude::*;

#[event(crate)]
struct MyEvent;

fn main() {}
