//! A crowded registry: does an emit cost more when many other events and linkers are registered?
//!
//! This binary registers, besides the measured event `Measured` (1 `#[subscribe]` handler on the default
//! linker):
//!
//! - 1,000 other event types, each with 1 handler, every one of them emitted once before measuring (so
//!   their tables exist too);
//! - 10 custom linkers, each with a handler for `Measured` and an emitter that emitted it once.
//!
//! It prints (fastest of interleaved batches, as in `benches/emit.rs`) the emit to `Measured`'s 1 handler
//! against the handler called directly: compare that ratio with the "1 handler / direct call" row of
//! `cargo bench --bench emit`, measured in a binary with nothing else registered.
//!
//! `cargo bench --bench crowded --features bench-scale -- --instructions <iterations>` emits
//! `Measured` `iterations` times and exits, for callgrind (`benches/instructions.sh` counts it beside
//! the uncrowded path when the binary is built).
//!
//! Its build takes minutes (1,000 event types: each has its own registry code), so it needs the
//! feature `bench-scale`: `cargo bench --bench crowded --features bench-scale`.

use std::hint::black_box;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use pyventus::prelude::*;

#[path = "common/summary.rs"]
mod summary;

/// What every handler adds to; read at the end so that no add can be optimised away.
static TOTAL: AtomicU64 = AtomicU64::new(0);

#[event]
struct Measured(u64);

#[subscribe(Measured)]
fn on_measured(event: &Measured) {
    TOTAL.fetch_add(event.0, Ordering::Relaxed);
}

#[macro_use]
#[path = "common/ten_times.rs"]
mod ten_times;

type Emitter = EventEmitter<InlineProcessor>;

/// One other event type and its handler, and a function emitting it once.
macro_rules! other_event {
    () => {
        use pyventus::prelude::*;

        #[event]
        pub(crate) struct Other(u64);

        #[subscribe(Other)]
        fn on_other(event: &Other) {
            crate::TOTAL.fetch_add(event.0, std::sync::atomic::Ordering::Relaxed);
        }

        pub(crate) fn emit_all(emitter: &crate::Emitter) {
            emitter.emit(Other(1));
        }
    };
}

macro_rules! ten_events {
    () => {
        ten_times!(other_event);
    };
}

macro_rules! hundred_events {
    () => {
        ten_times!(ten_events);
    };
}

/// The 1,000 other event types: `others::m3::m1::m4::Other` is one of them.
mod others {
    ten_times!(hundred_events);
}

/// Ten custom linkers, each with a handler for `Measured`, and a function emitting through each once.
macro_rules! linkers {
    ($($linker:ident: $handler:ident),* $(,)?) => {
        $(
            #[linker]
            struct $linker;

            #[subscribe(Measured, linker = $linker)]
            fn $handler(event: &Measured) {
                TOTAL.fetch_add(event.0, Ordering::Relaxed);
            }
        )*

        fn emit_through_every_linker() {
            $(EventEmitter::with_linker::<$linker>(InlineProcessor).emit(Measured(1));)*
        }
    };
}

linkers!(
    L0: on_l0, L1: on_l1, L2: on_l2, L3: on_l3, L4: on_l4,
    L5: on_l5, L6: on_l6, L7: on_l7, L8: on_l8, L9: on_l9,
);

/// Nanoseconds per call of `f`, over one batch of `calls` calls.
fn time_batch(calls: u32, f: &dyn Fn()) -> f64 {
    let start = Instant::now();
    for _ in 0..calls {
        f();
    }
    start.elapsed().as_nanos() as f64 / f64::from(calls)
}

fn main() {
    let emitter = EventEmitter::new(InlineProcessor);
    let mut args = std::env::args().skip(1).filter(|arg| arg != "--bench");
    let first = args.next();
    let quick = matches!(first.as_deref(), Some("--test" | "--list"));

    // Everything else is registered and has been emitted once (global state set up, tables built).
    others::emit_all(&emitter);
    emit_through_every_linker();
    emitter.emit(Measured(1));
    assert_eq!(TOTAL.load(Ordering::Relaxed), 1_000 + 10 + 1);

    if first.as_deref() == Some("--instructions") {
        let iterations: u64 = args.next().and_then(|n| n.parse().ok()).unwrap_or(100_000);
        (0..iterations).for_each(|_| emitter.emit(black_box(Measured(1))));
        return;
    }
    if quick {
        return;
    }

    const ROUNDS: usize = 21;
    const CALLS: u32 = 200_000;
    let ours = || emitter.emit(black_box(Measured(1)));
    let direct = || on_measured(&black_box(Measured(1)));
    let (mut best_ours, mut best_direct) = (f64::MAX, f64::MAX);
    for round in 0..ROUNDS {
        if round % 2 == 0 {
            best_direct = best_direct.min(time_batch(CALLS, &direct));
            best_ours = best_ours.min(time_batch(CALLS, &ours));
        } else {
            best_ours = best_ours.min(time_batch(CALLS, &ours));
            best_direct = best_direct.min(time_batch(CALLS, &direct));
        }
    }
    println!(
        "with 1,000 other event types and 10 linkers registered, {ROUNDS} interleaved rounds of {CALLS} calls, fastest batch of each:"
    );
    println!("| ours | baseline | ours ns | baseline ns | ours / baseline |");
    println!("|---|---|---|---|---|");
    println!(
        "| 1 handler, crowded registry | direct call | {best_ours:.2} | {best_direct:.2} | {:.2} |",
        best_ours / best_direct
    );
    summary::record(
        "1 handler, 1,000 other events and 10 linkers registered",
        "direct call",
        best_ours,
        best_direct,
        "ns",
        1.2,
    );
}
