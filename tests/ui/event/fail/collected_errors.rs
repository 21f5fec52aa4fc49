// Every mistake of one `#[event]` shows in one compile: the options and the type.
use pyventus::prelude::*;

#[event(name = "Wrapped", crate)]
struct Wrapped<T>(T);

fn main() {}
