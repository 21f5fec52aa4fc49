use pyventus::prelude::*;

struct Plain;

fn main() {
    EventEmitter::new(InlineProcessor).emit(Plain);
}
