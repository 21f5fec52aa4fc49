//! Memory stays flat: subscribing and unsubscribing a runtime closure 1,000,000 times (with an emit to it
//! each time, so that this thread's copy of the subscriber list is made and let go of) leaves the
//! linker empty and the heap where it was, measured by a counting allocator's live bytes.

use std::sync::atomic::{AtomicU64, Ordering};

use pyventus::prelude::*;

#[path = "common/live_heap.rs"]
mod live_heap;
use live_heap::live;

#[linker]
struct Churned;

#[event]
struct Tick;

fn cycles(n: u64, calls: &'static AtomicU64) {
    let emitter = EventEmitter::with_linker::<Churned>(InlineProcessor);
    for _ in 0..n {
        let subscription = Churned::subscribe(move |_: &Tick| {
            calls.fetch_add(1, Ordering::Relaxed);
        });
        emitter.emit(Tick);
        assert!(subscription.unsubscribe());
    }
    // One more emit, with nothing subscribed: lets go of this thread's last copy of the list.
    emitter.emit(Tick);
}

#[test]
fn a_million_subscribe_unsubscribe_cycles_leave_memory_flat() {
    static CALLS: AtomicU64 = AtomicU64::new(0);
    let total: u64 = if std::env::var_os("PYVENTUS_SOAK").is_some() {
        10_000_000
    } else {
        1_000_000
    };
    cycles(10_000, &CALLS); // warm-up: the event's table, the linker's index, this thread's cache
    let before = live();
    cycles(total, &CALLS);
    let after = live();
    assert_eq!(
        CALLS.load(Ordering::Relaxed),
        10_000 + total,
        "each closure was called once"
    );
    assert_eq!(Churned::subscriber_count::<Tick>(), 0);
    assert!(
        after - before < 4_096,
        "{} bytes more are live after {total} cycles than before",
        after - before
    );
    eprintln!("{total} cycles: live heap {before} -> {after} bytes");
}
