use pyventus::prelude::*;

#[linker(max_subscribers = 2, max_subscribers = 3)]
struct Small;

fn main() {}
