// A crate that re-exports pyventus under another name, and whose users do not depend on `pyventus`
// themselves, points the generated code at the re-export with `crate = ..`.
mod framework {
    pub use ::pyventus as bus;
}

use framework::bus::prelude::*;

#[framework::bus::event(crate = framework::bus)]
struct Reloaded;

#[framework::bus::linker(crate = framework::bus)]
struct FrameworkLinker;

#[framework::bus::subscribe(Reloaded, crate = framework::bus, linker = FrameworkLinker)]
fn on_reload(_: &Reloaded) {}

fn main() {
    assert_eq!(Reloaded::NAME, "Reloaded");
    EventEmitter::with_linker::<FrameworkLinker>(InlineProcessor).emit(Reloaded);
}
