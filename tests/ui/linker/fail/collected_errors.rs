// Every mistake of one `#[linker]` shows in one compile: the options and the struct.
use pyventus::prelude::*;

#[linker(max_subscribers = 0, capacity = 3, on_success)]
struct Audit<T>(T);

fn main() {}
