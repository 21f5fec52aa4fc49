// A mistake in `#[linker]`'s options is one error: the linker stays a linker, so handlers and emitters
// naming it report nothing more.
use pyventus::prelude::*;

#[linker(max_subscribers = 0)]
struct Audit;

#[event]
struct Ping;

#[subscribe(Ping, linker = Audit)]
fn on_ping(_: &Ping) {}

fn main() {
    EventEmitter::with_linker::<Audit>(InlineProcessor).emit(Ping);
}
