use std::sync::atomic::{AtomicU32, Ordering};

use pyventus::prelude::*;

#[event]
struct Fetched(u32);

static LAST: AtomicU32 = AtomicU32::new(0);

#[subscribe(Fetched)]
async fn store(e: &Fetched) {
    tokio::time::sleep(std::time::Duration::from_millis(1)).await;
    LAST.store(e.0, Ordering::SeqCst);
}

#[subscribe(Fetched)]
async fn store_or_fail(e: &Fetched) -> Result<(), String> {
    if e.0 == 0 { Err("empty".into()) } else { Ok(()) }
}

fn main() {
    EventEmitter::new(InlineProcessor).emit(Fetched(9));
    assert_eq!(LAST.load(Ordering::SeqCst), 9);
}
