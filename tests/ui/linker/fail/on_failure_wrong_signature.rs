use pyventus::prelude::*;

fn report(_: String) {}

#[linker(on_failure = report)]
struct Audit;

fn main() {}
