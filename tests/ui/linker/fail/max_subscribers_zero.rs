use pyventus::prelude::*;

#[linker(max_subscribers = 0)]
struct Closed;

fn main() {}
