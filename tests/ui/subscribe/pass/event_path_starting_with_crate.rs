//! `#[subscribe(crate::path::Event)]`: a leading `crate` is a path, not the `crate = ..` option.
mod events {
    #[pyventus::event]
    pub struct Deployed;
}

#[pyventus::subscribe(crate::events::Deployed)]
fn on_deployed(_: &events::Deployed) {}

fn main() {
    use pyventus::prelude::*;
    EventEmitter::new(InlineProcessor).emit(events::Deployed);
}
