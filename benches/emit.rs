//! The cost of an inline emit, next to calling the same handlers directly.
//!
//! Every handler does one atomic add and is `#[inline(never)]`: the emitter reaches handlers through
//! function pointers, so the direct baseline must not get to inline them either. Three pairs are measured:
//! 1 and 10 `#[subscribe]` handlers (each count on an event type of its own), and 1 closure subscribed at
//! runtime. Criterion measures each benchmark in turn; after it, an interleaved pass alternates short
//! batches of the direct calls and of the emits, so that both sides of a ratio see the same machine load,
//! and prints the ratios.
//!
//! Run with: `cargo bench --bench emit` (add `-- --warm-up-time 1 --measurement-time 3` for a quick run).

use std::hint::black_box;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use criterion::Criterion;
use pyventus::prelude::*;

/// What every handler adds to; read at the end so that no add can be optimised away.
static TOTAL: AtomicU64 = AtomicU64::new(0);

#[event]
struct OneHandler(u64);

#[event]
struct TenHandlers(u64);

#[event]
struct OneClosure(u64);

#[subscribe(OneHandler)]
#[inline(never)]
fn only(event: &OneHandler) {
    TOTAL.fetch_add(black_box(event).0, Ordering::Relaxed);
}

/// Ten handlers of `TenHandlers`, subscribed at compile time, and a function calling them directly in
/// dispatch order (equal priorities, so by path, which is alphabetical here).
macro_rules! ten_handlers {
    ($($handler:ident),* $(,)?) => {
        $(
            #[subscribe(TenHandlers)]
            #[inline(never)]
            fn $handler(event: &TenHandlers) {
                TOTAL.fetch_add(black_box(event).0, Ordering::Relaxed);
            }
        )*

        #[inline(always)]
        fn call_ten_directly(event: &TenHandlers) {
            $($handler(event);)*
        }
    };
}

ten_handlers!(h0, h1, h2, h3, h4, h5, h6, h7, h8, h9);

/// The body of the runtime closure, as a function for the direct baseline.
#[inline(never)]
fn closure_body(event: &OneClosure) {
    TOTAL.fetch_add(black_box(event).0, Ordering::Relaxed);
}

fn direct_one() {
    only(&black_box(OneHandler(1)));
}

fn emit_one(emitter: &EventEmitter<InlineProcessor>) {
    emitter.emit(black_box(OneHandler(1)));
}

fn direct_ten() {
    call_ten_directly(&black_box(TenHandlers(1)));
}

fn emit_ten(emitter: &EventEmitter<InlineProcessor>) {
    emitter.emit(black_box(TenHandlers(1)));
}

fn direct_closure() {
    closure_body(&black_box(OneClosure(1)));
}

fn emit_closure(emitter: &EventEmitter<InlineProcessor>) {
    emitter.emit(black_box(OneClosure(1)));
}

/// A pair to compare: the direct calls, and the emit reaching the same handlers.
struct Pair {
    name: &'static str,
    direct: fn(),
    emit: fn(&EventEmitter<InlineProcessor>),
}

const PAIRS: [Pair; 3] = [
    Pair {
        name: "1 handler",
        direct: direct_one,
        emit: emit_one,
    },
    Pair {
        name: "10 handlers",
        direct: direct_ten,
        emit: emit_ten,
    },
    Pair {
        name: "1 runtime closure",
        direct: direct_closure,
        emit: emit_closure,
    },
];

fn criterion_groups(criterion: &mut Criterion, emitter: &EventEmitter<InlineProcessor>) {
    for pair in &PAIRS {
        let mut group = criterion.benchmark_group(pair.name);
        group.bench_function("direct", |b| b.iter(pair.direct));
        group.bench_function("emit", |b| b.iter(|| (pair.emit)(emitter)));
        group.finish();
    }
}

/// Nanoseconds per call of `f`, over one batch of `calls` calls.
fn time_batch(calls: u32, mut f: impl FnMut()) -> f64 {
    let start = Instant::now();
    for _ in 0..calls {
        f();
    }
    start.elapsed().as_nanos() as f64 / f64::from(calls)
}

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

/// Alternates batches of direct calls and of emits (swapping which goes first every round), and prints
/// the median time of each and the median of the per-round ratios.
fn interleaved(emitter: &EventEmitter<InlineProcessor>) {
    const ROUNDS: usize = 41;
    const CALLS: u32 = 200_000;
    println!("\ninterleaved: {ROUNDS} rounds of {CALLS} calls per side, medians");
    println!(
        "{:<20} {:>12} {:>12} {:>12}",
        "", "direct ns", "emit ns", "emit/direct"
    );
    for pair in &PAIRS {
        let (mut direct, mut emit, mut ratios) = (Vec::new(), Vec::new(), Vec::new());
        for round in 0..ROUNDS {
            let (d, e) = if round % 2 == 0 {
                let d = time_batch(CALLS, pair.direct);
                (d, time_batch(CALLS, || (pair.emit)(emitter)))
            } else {
                let e = time_batch(CALLS, || (pair.emit)(emitter));
                (time_batch(CALLS, pair.direct), e)
            };
            direct.push(d);
            emit.push(e);
            ratios.push(e / d);
        }
        println!(
            "{:<20} {:>12.2} {:>12.2} {:>12.2}",
            pair.name,
            median(&mut direct),
            median(&mut emit),
            median(&mut ratios)
        );
    }
}

fn main() {
    let emitter = EventEmitter::new(InlineProcessor);
    let subscription = EventLinker::subscribe(|event: &OneClosure| closure_body(event));
    // The first emit of each event fills its registry; keep that out of every measurement.
    for pair in &PAIRS {
        (pair.emit)(&emitter);
    }

    let mut criterion = Criterion::default().configure_from_args();
    criterion_groups(&mut criterion, &emitter);
    criterion.final_summary();

    // `cargo test --benches` runs each benchmark once with `--test`; profiling and listing need no table.
    let quick =
        std::env::args().any(|arg| matches!(arg.as_str(), "--test" | "--list" | "--profile-time"));
    if !quick {
        interleaved(&emitter);
    }

    subscription.unsubscribe();
    println!("(total added: {})", TOTAL.load(Ordering::Relaxed));
}
