use pyventus::prelude::*;

#[event]
struct Borrowed<'a>(&'a str);

fn main() {}
