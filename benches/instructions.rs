//! Instruction counts per inline emit, which do not move with machine load as timings do.
//!
//! `cargo bench --bench instructions -- <path> <iterations>` runs one path `iterations` times:
//! `direct` (the handler called as written), `floor` (the hand-written floor of `benches/emit.rs`),
//! `one`, `ten` (`#[subscribe]` handlers), `closure` (one runtime closure) or `closure-2-threads` (the
//! same from two threads, half each). Run it under callgrind at two
//! iteration counts; the difference divided by the difference of iterations is the count per emit, with
//! start-up and registry building cancelled out. `benches/instructions.sh` does exactly that for every
//! path and prints one table.

use std::hint::black_box;
use std::sync::atomic::{AtomicU64, Ordering};

use pyventus::prelude::*;

mod common;

use crate::common::floor;

static TOTAL: AtomicU64 = AtomicU64::new(0);

#[event]
struct One(u64);

#[event]
struct Ten(u64);

#[event]
struct Closure(u64);

#[subscribe(One)]
fn only(event: &One) {
    TOTAL.fetch_add(event.0, Ordering::Relaxed);
}

macro_rules! ten {
    ($($handler:ident),*) => { $(
        #[subscribe(Ten)]
        fn $handler(event: &Ten) {
            TOTAL.fetch_add(event.0, Ordering::Relaxed);
        }
    )* };
}

ten!(h0, h1, h2, h3, h4, h5, h6, h7, h8, h9);

fn closure_body(event: &Closure) {
    TOTAL.fetch_add(event.0, Ordering::Relaxed);
}

floor!(floor_emit, One, only);

fn main() {
    let mut args = std::env::args().skip(1).filter(|arg| arg != "--bench");
    let Some(path) = args.next() else {
        return; // `cargo bench` without arguments: nothing to count.
    };
    let iterations: u64 = args.next().and_then(|n| n.parse().ok()).unwrap_or(100_000);
    let emitter = EventEmitter::new(InlineProcessor);
    let subscription = EventLinker::subscribe(|event: &Closure| closure_body(event));
    // The first emits build the registries: the same work at both iteration counts.
    emitter.emit(One(0));
    emitter.emit(Ten(0));
    emitter.emit(Closure(0));
    floor_emit(One(0));
    match path.as_str() {
        "direct" => (0..iterations).for_each(|_| only(&black_box(One(1)))),
        "floor" => (0..iterations).for_each(|_| floor_emit(black_box(One(1)))),
        "one" => (0..iterations).for_each(|_| emitter.emit(black_box(One(1)))),
        "ten" => (0..iterations).for_each(|_| emitter.emit(black_box(Ten(1)))),
        "closure" => (0..iterations).for_each(|_| emitter.emit(black_box(Closure(1)))),
        // Two threads, each emitting half: the count per emit should match `closure`'s.
        "closure-2-threads" => std::thread::scope(|scope| {
            for _ in 0..2 {
                scope.spawn(|| {
                    (0..iterations / 2).for_each(|_| emitter.emit(black_box(Closure(1))));
                });
            }
        }),
        other => {
            eprintln!("unknown path `{other}`: one of direct, floor, one, ten, closure");
            std::process::exit(2);
        }
    }
    subscription.unsubscribe();
    assert!(TOTAL.load(Ordering::Relaxed) >= iterations);
}
