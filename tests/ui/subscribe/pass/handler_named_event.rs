//! A handler may be called `event`: the generated wrapper's own names do not shadow it.
#[pyventus::event]
struct Ev;

#[pyventus::subscribe(Ev)]
fn event(_: &Ev) -> Result<(), String> {
    Ok(())
}

fn main() {
    use pyventus::prelude::*;
    EventEmitter::new(InlineProcessor).emit(Ev);
}
