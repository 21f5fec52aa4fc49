//! Instruction counts per inline emit, which do not move with machine load as timings do.
//!
//! `cargo bench --bench instructions -- <path> <iterations>` runs one path `iterations` times:
//! `direct` (the handler called as written), `floor` (the hand-written floor of `benches/emit.rs`),
//! `one`, `ten` (`#[subscribe]` handlers), `closure` (one runtime closure), `closure-2-threads` (the
//! same from two threads, half each), `wrapped` (one handler called through its `#[subscribe]` wrapper:
//! it returns a `Result`), `state` (one handler taking a `State<Counter>`, an `Arc`, from the emitter:
//! also through its wrapper, which makes the `State`) or `state-direct` (that handler called as written,
//! with a clone of the `Arc`). Run it under callgrind at two
//! iteration counts; the difference divided by the difference of iterations is the count per emit, with
//! start-up and registry building cancelled out. `benches/instructions.sh` does exactly that for every
//! path and prints one table.

use std::hint::black_box;
use std::sync::atomic::{AtomicU64, Ordering};

use pyventus::State;
use pyventus::prelude::*;

#[path = "common/stateful.rs"]
mod stateful;

use crate::stateful::{Counter, Stateful, counted};

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

#[event]
struct Wrapped(u64);

#[subscribe(Wrapped)]
fn fallible(event: &Wrapped) -> Result<(), std::convert::Infallible> {
    TOTAL.fetch_add(event.0, Ordering::Relaxed);
    Ok(())
}

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
    let counter = Counter::default();
    let stateful = EventEmitter::new(InlineProcessor).with_state(counter.clone());
    stateful.emit(Stateful(0));
    emitter.emit(Wrapped(0));
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
        "wrapped" => (0..iterations).for_each(|_| emitter.emit(black_box(Wrapped(1)))),
        "state" => (0..iterations).for_each(|_| stateful.emit(black_box(Stateful(1)))),
        "state-direct" => (0..iterations)
            .for_each(|_| counted(&black_box(Stateful(1)), State(black_box(&counter).clone()))),
        // Two threads, each emitting half: the count per emit should match `closure`'s.
        "closure-2-threads" => std::thread::scope(|scope| {
            for _ in 0..2 {
                scope.spawn(|| {
                    (0..iterations / 2).for_each(|_| emitter.emit(black_box(Closure(1))));
                });
            }
        }),
        other => {
            eprintln!(
                "unknown path `{other}`: one of direct, floor, one, ten, closure, closure-2-threads, wrapped, state, state-direct"
            );
            std::process::exit(2);
        }
    }
    subscription.unsubscribe();
    let counted = counter.0.load(Ordering::Relaxed);
    assert!(TOTAL.load(Ordering::Relaxed) >= iterations || counted >= iterations);
}
