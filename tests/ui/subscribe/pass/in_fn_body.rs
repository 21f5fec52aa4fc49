use std::sync::atomic::{AtomicU32, Ordering};

use pyventus::prelude::*;

#[event]
struct Ping;

static PINGS: AtomicU32 = AtomicU32::new(0);

fn main() {
    #[subscribe(Ping)]
    fn pong(_: &Ping) {
        PINGS.fetch_add(1, Ordering::SeqCst);
    }

    EventEmitter::new(InlineProcessor).emit(Ping);
    assert_eq!(PINGS.load(Ordering::SeqCst), 1);
}
