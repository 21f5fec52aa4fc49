//! The first emit of an event with 10,000 `#[subscribe]` handlers, which builds its table.
//!
//! Every event's first emit (or first runtime subscription) walks its compile-time handlers once and
//! sorts them into dispatch order; later emits read the table. This binary registers 10,000 handlers
//! of one event, `Crowd` (in nested modules `crowd::m0::m0::m0::m0` ... `crowd::m9::m9::m9::m9`, so the
//! paths the sort compares share long prefixes, as real ones do), emits another event first (so that
//! what every program's first emit sets up is not counted), then times the first emit of `Crowd` and
//! the one after it. The target is under 1 ms.
//!
//! Its build takes a minute or more (10,000 handlers), so it needs the feature `bench-scale`:
//! `cargo bench --bench first_emit --features bench-scale`.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use pyventus::prelude::*;

#[path = "common/summary.rs"]
mod summary;

/// What every handler adds to; read at the end so that no add can be optimised away.
static TOTAL: AtomicU64 = AtomicU64::new(0);

type Emitter = EventEmitter<InlineProcessor>;

#[event]
struct Warm(u64);

#[subscribe(Warm)]
fn on_warm(event: &Warm) {
    TOTAL.fetch_add(event.0, Ordering::Relaxed);
}

#[macro_use]
#[path = "common/ten_times.rs"]
mod ten_times;

/// One of `Crowd`'s 10,000 handlers.
macro_rules! crowd_handler {
    () => {
        use pyventus::prelude::*;

        #[subscribe(crate::Crowd)]
        fn on_crowd(event: &crate::Crowd) {
            crate::TOTAL.fetch_add(event.0, std::sync::atomic::Ordering::Relaxed);
        }

        // What `ten_times!` calls in each module (nothing to emit here).
        pub(crate) fn emit_all(_: &crate::Emitter) {}
    };
}

macro_rules! ten_handlers {
    () => {
        ten_times!(crowd_handler);
    };
}

macro_rules! hundred_handlers {
    () => {
        ten_times!(ten_handlers);
    };
}

macro_rules! thousand_handlers {
    () => {
        ten_times!(hundred_handlers);
    };
}

#[event]
struct Crowd(u64);

/// `Crowd`'s 10,000 handlers.
mod crowd {
    ten_times!(thousand_handlers);
}

fn main() {
    let emitter: Emitter = EventEmitter::new(InlineProcessor);
    emitter.emit(Warm(1));
    let faults_before = minor_faults();
    let start = Instant::now();
    emitter.emit(Crowd(1));
    let first = start.elapsed();
    let faults = minor_faults()
        .zip(faults_before)
        .map(|(after, before)| after - before);
    let start = Instant::now();
    emitter.emit(Crowd(1));
    let second = start.elapsed();
    assert_eq!(
        TOTAL.load(Ordering::Relaxed),
        1 + 20_000,
        "all 10,000 handlers ran, twice"
    );
    if std::env::args().any(|arg| arg == "--test" || arg == "--list") {
        return;
    }
    let (first, second) = (first.as_secs_f64() * 1e6, second.as_secs_f64() * 1e6);
    let faults = faults.map_or(String::new(), |faults| format!(" ({faults} page faults)"));
    println!(
        "first emit of an event with 10,000 handlers (builds its table): {first:.0} µs{faults}; the next emit: {second:.0} µs"
    );
    summary::record(
        "first emit, 10,000 handlers (builds the table)",
        "the target: 1 ms",
        first,
        1_000.0,
        "µs",
        1.0,
    );
}

/// This process's minor page faults so far (Linux; `None` elsewhere): new memory is much of what a
/// first emit costs, each new page a fault.
fn minor_faults() -> Option<u64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // The fields after the command name (in parentheses, which may hold spaces): state, ppid, pgrp,
    // session, tty, tpgid, flags, minflt.
    let (_, fields) = stat.rsplit_once(')')?;
    fields.split_whitespace().nth(7)?.parse().ok()
}
