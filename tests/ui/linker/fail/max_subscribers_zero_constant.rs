use pyventus::prelude::*;

const NONE: usize = 0;

#[linker(max_subscribers = NONE)]
struct Closed;

fn main() {}
