use pyventus::prelude::*;

struct Audit;

fn main() {
    let _emitter = EventEmitter::with_linker::<Audit>(InlineProcessor);
}
