use pyventus::prelude::*;

struct Worker;

fn main() {
    let _emitter = EventEmitter::new(Worker);
}
