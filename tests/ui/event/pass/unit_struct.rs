use pyventus::prelude::*;

#[event]
struct Shutdown;

fn main() {
    assert_eq!(Shutdown::NAME, "Shutdown");
    EventEmitter::new(InlineProcessor).emit(Shutdown);
}
