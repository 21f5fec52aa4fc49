use pyventus::prelude::*;

#[event(crate = pyventus, crate = pyventus)]
struct Ping;

fn main() {}
