use pyventus::prelude::*;

#[event]
struct Ping;

fn main() {
    let event = Ping;
    EventEmitter::new(InlineProcessor).emit(&event);
}
