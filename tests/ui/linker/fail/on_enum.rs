use pyventus::prelude::*;

#[linker]
enum Linkers {
    Audit,
    Metrics,
}

fn main() {}
