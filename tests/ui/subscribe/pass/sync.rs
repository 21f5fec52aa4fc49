use std::sync::atomic::{AtomicU32, Ordering};

use pyventus::prelude::*;

#[event]
struct Deposit(u32);

static BALANCE: AtomicU32 = AtomicU32::new(0);

#[subscribe(Deposit)]
fn credit(e: &Deposit) {
    BALANCE.fetch_add(e.0, Ordering::SeqCst);
}

fn main() {
    EventEmitter::new(InlineProcessor).emit(Deposit(5));
    // The function is left as written and can still be called directly.
    credit(&Deposit(2));
    assert_eq!(BALANCE.load(Ordering::SeqCst), 7);
}
