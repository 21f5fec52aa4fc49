use pyventus::prelude::*;

#[event]
struct Wrapper<T>(T);

fn main() {}
