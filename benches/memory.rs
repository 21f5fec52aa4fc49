//! Memory: bytes per registered handler and per runtime subscription, and the first emit's cost.
//!
//! A counting allocator reports the heap bytes live after each step; static sizes come from
//! `size_of`. Prints one table.
//!
//! - A `#[subscribe]` handler is a `static` (its size below, in the binary, no heap) plus its share of
//!   its event's table, built on the first emit: the heap that first emit leaves live, per handler.
//! - A runtime subscription: the heap live after 1,000 subscriptions, per subscription (the closure
//!   captures nothing), and again after emitting from 2 threads (their cached copies of the list).
//! - Unsubscribing them all returns the heap to where it was (checked here, and in the tests).
//!
//! Run with: `cargo bench --bench memory`.

use std::time::Instant;

use pyventus::prelude::*;

#[path = "../tests/common/live_heap.rs"]
mod live_heap;
use live_heap::live;

#[event]
struct Hundred(u64);

macro_rules! hundred {
    ($($handler:ident),*) => { $(
        #[subscribe(Hundred)]
        fn $handler(event: &Hundred) {
            std::hint::black_box(event.0);
        }
    )* };
}

hundred!(
    k00, k01, k02, k03, k04, k05, k06, k07, k08, k09, k10, k11, k12, k13, k14, k15, k16, k17, k18,
    k19, k20, k21, k22, k23, k24, k25, k26, k27, k28, k29, k30, k31, k32, k33, k34, k35, k36, k37,
    k38, k39, k40, k41, k42, k43, k44, k45, k46, k47, k48, k49, k50, k51, k52, k53, k54, k55, k56,
    k57, k58, k59, k60, k61, k62, k63, k64, k65, k66, k67, k68, k69, k70, k71, k72, k73, k74, k75,
    k76, k77, k78, k79, k80, k81, k82, k83, k84, k85, k86, k87, k88, k89, k90, k91, k92, k93, k94,
    k95, k96, k97, k98, k99
);

#[event]
struct Runtime(u64);

fn main() {
    if std::env::args().any(|arg| arg == "--list" || arg == "--test") {
        return;
    }
    const SUBSCRIPTIONS: usize = 1_000;
    let emitter = EventEmitter::new(InlineProcessor);
    // Whatever the process sets up once (the linker list, the event-name set) is not per handler.
    emitter.emit(Runtime(0));

    let before = live();
    let start = Instant::now();
    emitter.emit(Hundred(1));
    let first_emit = start.elapsed();
    let per_handler = (live() - before) as f64 / 100.0;

    let before = live();
    let subscriptions: Vec<_> = (0..SUBSCRIPTIONS)
        .map(|_| {
            EventLinker::subscribe(|event: &Runtime| {
                std::hint::black_box(event.0);
            })
        })
        .collect();
    let subscriptions_heap = live() - before - (SUBSCRIPTIONS * size_of::<Subscription>()) as isize;
    let per_subscription = subscriptions_heap as f64 / SUBSCRIPTIONS as f64;
    emitter.emit(Runtime(1));
    let with_cache = live() - before - (SUBSCRIPTIONS * size_of::<Subscription>()) as isize;
    std::thread::scope(|scope| {
        scope.spawn(|| EventEmitter::new(InlineProcessor).emit(Runtime(1)));
    });
    let after_thread = live() - before - (SUBSCRIPTIONS * size_of::<Subscription>()) as isize;
    for subscription in subscriptions {
        subscription.unsubscribe();
    }
    emitter.emit(Runtime(1));
    let left = live() - before;

    println!("| what | bytes |");
    println!("|---|---|");
    println!(
        "| a `#[subscribe]` handler's static (`Handler<E>`) | {} |",
        size_of::<pyventus::__private::Handler<Hundred>>()
    );
    println!(
        "| a `#[subscribe]` handler's share of its event's table (heap, 100 handlers) | {per_handler:.0} |"
    );
    println!("| a runtime subscription (heap, 1,000 subscribed) | {per_subscription:.0} |");
    println!(
        "| the same, with this thread's cached copy of the list | {:.0} |",
        with_cache as f64 / SUBSCRIPTIONS as f64
    );
    println!(
        "| the same, after a thread that emitted ended | {:.0} |",
        after_thread as f64 / SUBSCRIPTIONS as f64
    );
    println!("| left after unsubscribing all 1,000 | {left} |");
    println!(
        "first emit of an event with 100 `#[subscribe]` handlers (builds its table): {first_emit:?}"
    );
}
