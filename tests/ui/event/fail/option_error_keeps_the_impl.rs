// A mistake in `#[event]`'s options is one error: the event stays an event, so its handlers and emits
// report nothing more.
use pyventus::prelude::*;

#[event(name = "Ping")]
struct Ping;

#[subscribe(Ping)]
fn on_ping(_: &Ping) {}

fn main() {
    EventEmitter::new(InlineProcessor).emit(Ping);
}
