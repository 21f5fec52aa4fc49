//! Memory stays flat: subscribing and unsubscribing a runtime closure 1,000,000 times (with an emit to it
//! each time, so that this thread's copy of the subscriber list is made and let go of) leaves the
//! linker empty and the heap where it was, measured by a counting allocator's live bytes.

// A counting `#[global_allocator]` needs `unsafe impl GlobalAlloc`; it only forwards to `System`.
#![allow(unsafe_code)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};

use pyventus::prelude::*;

/// Counts the bytes allocated and not yet freed, over every thread.
struct Live;

static LIVE: AtomicI64 = AtomicI64::new(0);

// SAFETY: every method forwards to `System` with the caller's arguments unchanged; counting is one
// atomic add, which never allocates.
unsafe impl GlobalAlloc for Live {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        LIVE.fetch_add(layout.size() as i64, Ordering::Relaxed);
        // SAFETY: forwarded from our caller, who upholds `GlobalAlloc::alloc`'s contract.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size() as i64, Ordering::Relaxed);
        // SAFETY: `ptr` was allocated by `System` through this allocator with `layout`.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        LIVE.fetch_add(new_size as i64 - layout.size() as i64, Ordering::Relaxed);
        // SAFETY: as for `dealloc`; `new_size` comes from our caller, who upholds `realloc`'s contract.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: Live = Live;

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
    let before = LIVE.load(Ordering::Relaxed);
    cycles(total, &CALLS);
    let after = LIVE.load(Ordering::Relaxed);
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
