//! The cost of an inline emit, next to the code a user would write by hand for the same work, in one run.
//!
//! Every handler does one atomic add, written as a user would write it (no `#[inline(never)]`): the
//! direct baseline calls it as written, so the compiler may inline it there; the emitter reaches it
//! through a function pointer. Rows (ours / baseline):
//!
//! - 1, 10 and 100 `#[subscribe]` handlers / the same functions called directly;
//! - 1 handler / the hand-written floor of this design (a `OnceLock<Box<[fn(&E)]>>`, one atomic check
//!   and one `catch_unwind` around the calls);
//! - 1 handler / a `HashMap<TypeId, Vec<Box<dyn Fn>>>` bus behind an `RwLock`, and a
//!   `Vec<Box<dyn Fn>>` behind an `RwLock`: what users write instead of an event library;
//! - 1 runtime closure (`EventLinker::subscribe`) / the same `RwLock` bus, and / 1 `#[subscribe]` handler;
//!   and again from two threads at once (their handlers count per thread, so only the bus is shared);
//! - 1 handler taking a `State<T>` (an `Arc`, as services hold theirs) / the same function called by
//!   hand with a clone of it, and / 1 `#[subscribe]` handler without extractors.
//!
//! Criterion measures each side; after it, an interleaved pass alternates batches of the two sides of
//! each row (so both see the same machine load) and prints each side's fastest batch and their ratio:
//! noise on a shared machine only adds time, so the fastest batch is the steadiest figure.
//!
//! Last, the chart: cost per emit against the number of handlers (1, 10, 100) for ours (compile-time
//! handlers and runtime closures), the direct calls and the two `RwLock` buses, measured the same
//! interleaved way, printed as a table and written as an SVG to
//! `target/pyventus-bench/emit_vs_handlers.svg` (BENCHMARKS.md shows a copy, `benches/emit_vs_handlers.svg`).
//!
//! Run with: `cargo bench --bench emit` (add `-- --warm-up-time 1 --measurement-time 3` for a quick run).

use std::any::{Any, TypeId};
use std::collections::HashMap;
use std::hint::black_box;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{OnceLock, RwLock};
use std::time::Instant;

use criterion::Criterion;
use pyventus::State;
use pyventus::prelude::*;

#[path = "common/stateful.rs"]
mod stateful;

use crate::stateful::{Counter, Stateful, counted};

mod common;

#[path = "common/chart.rs"]
mod chart;
#[path = "common/summary.rs"]
mod summary;

use crate::common::floor;

/// What every handler adds to; read at the end so that no add can be optimised away.
static TOTAL: AtomicU64 = AtomicU64::new(0);

#[event]
struct OneHandler(u64);

#[event]
struct TenHandlers(u64);

#[event]
struct HundredHandlers(u64);

#[event]
struct OneClosure(u64);

/// The events of the chart's runtime-closure series with 10 and 100 closures.
#[event]
struct TenClosures(u64);

#[event]
struct HundredClosures(u64);

/// The event of the two-thread rows, whose handlers count per thread (no shared write in the handler).
#[event]
struct Contended(u64);

thread_local! {
    static LOCAL_TOTAL: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
}

fn count_locally(value: u64) {
    LOCAL_TOTAL.set(LOCAL_TOTAL.get() + value);
}

/// The state the stateful emitter holds, and that emitter (the rows take the plain one).
static COUNTER: OnceLock<Counter> = OnceLock::new();
static STATEFUL: OnceLock<EventEmitter<InlineProcessor>> = OnceLock::new();

fn stateful() -> &'static EventEmitter<InlineProcessor> {
    STATEFUL.get_or_init(|| {
        EventEmitter::new(InlineProcessor).with_state(COUNTER.get_or_init(Counter::default).clone())
    })
}

#[subscribe(OneHandler)]
fn only(event: &OneHandler) {
    TOTAL.fetch_add(event.0, Ordering::Relaxed);
}

/// Handlers of one event, subscribed at compile time, and a function calling them directly in dispatch
/// order (equal priorities, so by path, which is alphabetical here).
macro_rules! handlers {
    ($event:ident, $direct:ident: $($handler:ident),* $(,)?) => {
        $(
            #[subscribe($event)]
            fn $handler(event: &$event) {
                TOTAL.fetch_add(event.0, Ordering::Relaxed);
            }
        )*

        fn $direct(event: &$event) {
            $($handler(event);)*
        }
    };
}

handlers!(TenHandlers, call_ten_directly: h0, h1, h2, h3, h4, h5, h6, h7, h8, h9);
handlers!(HundredHandlers, call_hundred_directly: k00, k01, k02, k03, k04, k05, k06, k07, k08, k09, k10, k11, k12, k13, k14, k15, k16, k17, k18, k19, k20, k21, k22, k23, k24, k25, k26, k27, k28, k29, k30, k31, k32, k33, k34, k35, k36, k37, k38, k39, k40, k41, k42, k43, k44, k45, k46, k47, k48, k49, k50, k51, k52, k53, k54, k55, k56, k57, k58, k59, k60, k61, k62, k63, k64, k65, k66, k67, k68, k69, k70, k71, k72, k73, k74, k75, k76, k77, k78, k79, k80, k81, k82, k83, k84, k85, k86, k87, k88, k89, k90, k91, k92, k93, k94, k95, k96, k97, k98, k99);

/// The body of the runtime closure and of the hand-written buses' closures.
fn closure_body(event: &OneClosure) {
    TOTAL.fetch_add(event.0, Ordering::Relaxed);
}

// The hand-written floor: what this design must do at the least to reach a handler registered at
// compile time (a table built once, a check that it is enabled, panic isolation).
floor!(floor_emit, OneHandler, only);

type Listener = Box<dyn Fn(&dyn Any) + Send + Sync>;

/// The `HashMap<TypeId>` bus users write by hand.
type MapBus = RwLock<HashMap<TypeId, Vec<Listener>>>;
static MAP_BUS: OnceLock<MapBus> = OnceLock::new();

fn map_bus_emit<E: Any>(event: E) {
    map_bus_walk(MAP_BUS.get().expect("set up in main"), event);
}

/// The `HashMap<TypeId>` bus's emit: its listeners of `E`, under the read lock.
fn map_bus_walk<E: Any>(bus: &MapBus, event: E) {
    let listeners = bus.read().unwrap_or_else(|poison| poison.into_inner());
    if let Some(listeners) = listeners.get(&TypeId::of::<E>()) {
        for listener in listeners {
            listener(&event);
        }
    }
}

/// The one-event `Vec<Box<dyn Fn>>` bus behind an `RwLock` that users write by hand.
type VecBus<E> = RwLock<Vec<Box<dyn Fn(&E) + Send + Sync>>>;
static VEC_BUS: OnceLock<VecBus<OneClosure>> = OnceLock::new();
/// The same bus for the two-thread rows.
static CONTENDED_BUS: OnceLock<VecBus<Contended>> = OnceLock::new();

fn vec_bus_emit<E>(bus: &OnceLock<VecBus<E>>, event: E) {
    vec_bus_walk(bus.get().expect("set up in main"), event);
}

/// The `Vec<Box<dyn Fn>>` bus's emit: every listener, under the read lock.
fn vec_bus_walk<E>(bus: &VecBus<E>, event: E) {
    for listener in bus
        .read()
        .unwrap_or_else(|poison| poison.into_inner())
        .iter()
    {
        listener(&event);
    }
}

fn set_up_buses() {
    let (vec_bus, map_bus) = buses_of(1);
    let _ = MAP_BUS.set(map_bus);
    let _ = VEC_BUS.set(vec_bus);
    let _ = CONTENDED_BUS.set(RwLock::new(vec![Box::new(|event: &Contended| {
        count_locally(event.0);
    })]));
}

type Emitter = EventEmitter<InlineProcessor>;

/// One row of the table: ours, and the baseline it is measured against.
struct Row {
    name: &'static str,
    ours: fn(&Emitter),
    baseline_name: &'static str,
    baseline: fn(&Emitter),
    /// The target for ours / baseline, if it sets one (the floor is context).
    at_most: f64,
}

const ROWS: &[Row] = &[
    Row {
        name: "1 handler",
        ours: |emitter| emitter.emit(black_box(OneHandler(1))),
        baseline_name: "direct call",
        baseline: |_| only(&black_box(OneHandler(1))),

        at_most: 1.2,
    },
    Row {
        name: "1 handler",
        ours: |emitter| emitter.emit(black_box(OneHandler(1))),
        baseline_name: "hand-written floor",
        baseline: |_| floor_emit(black_box(OneHandler(1))),

        at_most: f64::NAN,
    },
    Row {
        name: "10 handlers",
        ours: |emitter| emitter.emit(black_box(TenHandlers(1))),
        baseline_name: "direct calls",
        baseline: |_| call_ten_directly(&black_box(TenHandlers(1))),

        at_most: 1.05,
    },
    Row {
        name: "100 handlers",
        ours: |emitter| emitter.emit(black_box(HundredHandlers(1))),
        baseline_name: "direct calls",
        baseline: |_| call_hundred_directly(&black_box(HundredHandlers(1))),

        at_most: 1.05,
    },
    Row {
        name: "1 handler",
        ours: |emitter| emitter.emit(black_box(OneHandler(1))),
        baseline_name: "HashMap<TypeId> + RwLock bus",
        baseline: |_| map_bus_emit(black_box(OneHandler(1))),

        at_most: 0.2,
    },
    Row {
        name: "1 handler",
        ours: |emitter| emitter.emit(black_box(OneHandler(1))),
        baseline_name: "Vec<Box<dyn Fn>> + RwLock bus",
        baseline: |_| vec_bus_emit(&VEC_BUS, black_box(OneClosure(1))),

        at_most: 0.4,
    },
    Row {
        name: "1 runtime closure",
        ours: |emitter| emitter.emit(black_box(OneClosure(1))),
        baseline_name: "Vec<Box<dyn Fn>> + RwLock bus",
        baseline: |_| vec_bus_emit(&VEC_BUS, black_box(OneClosure(1))),

        at_most: 1.0 / 1.5,
    },
    Row {
        name: "1 runtime closure",
        ours: |emitter| emitter.emit(black_box(OneClosure(1))),
        baseline_name: "1 #[subscribe] handler (ours)",
        baseline: |emitter| emitter.emit(black_box(OneHandler(1))),

        at_most: 2.0,
    },
    Row {
        name: "1 handler taking State<T>",
        ours: |_| stateful().emit(black_box(Stateful(1))),
        baseline_name: "the same fn called with a clone of T",
        baseline: |_| {
            let counter = black_box(COUNTER.get_or_init(Counter::default));
            counted(&black_box(Stateful(1)), State(counter.clone()));
        },

        at_most: f64::NAN,
    },
    Row {
        name: "1 handler taking State<T>",
        ours: |_| stateful().emit(black_box(Stateful(1))),
        baseline_name: "1 #[subscribe] handler without extractors (ours)",
        baseline: |emitter| emitter.emit(black_box(OneHandler(1))),

        at_most: f64::NAN,
    },
];

fn criterion_groups(criterion: &mut Criterion, emitter: &Emitter) {
    for row in ROWS {
        let mut group = criterion.benchmark_group(format!("{} vs {}", row.name, row.baseline_name));
        group.bench_function("ours", |b| b.iter(|| (row.ours)(emitter)));
        group.bench_function("baseline", |b| b.iter(|| (row.baseline)(emitter)));
        group.finish();
    }
}

/// Nanoseconds per call of `f`, over one batch of `calls` calls.
fn time_batch(calls: u32, emitter: &Emitter, f: fn(&Emitter)) -> f64 {
    let start = Instant::now();
    for _ in 0..calls {
        f(emitter);
    }
    start.elapsed().as_nanos() as f64 / f64::from(calls)
}

/// Alternates batches of each row's two sides (swapping which goes first every round), and prints the
/// fastest batch of each and their ratio.
fn interleaved(emitter: &Emitter) {
    const ROUNDS: usize = 21;
    const CALLS: u32 = 200_000;
    println!("\ninterleaved: {ROUNDS} rounds of {CALLS} calls per side, fastest batch of each");
    println!("| ours | baseline | ours ns | baseline ns | ours / baseline |");
    println!("|---|---|---|---|---|");
    for row in ROWS {
        let (mut ours, mut baseline) = (f64::MAX, f64::MAX);
        for round in 0..ROUNDS {
            if round % 2 == 0 {
                baseline = baseline.min(time_batch(CALLS, emitter, row.baseline));
                ours = ours.min(time_batch(CALLS, emitter, row.ours));
            } else {
                ours = ours.min(time_batch(CALLS, emitter, row.ours));
                baseline = baseline.min(time_batch(CALLS, emitter, row.baseline));
            }
        }
        println!(
            "| {} | {} | {ours:.2} | {baseline:.2} | {:.2} |",
            row.name,
            row.baseline_name,
            ours / baseline
        );
        summary::record(
            row.name,
            row.baseline_name,
            ours,
            baseline,
            "ns",
            row.at_most,
        );
    }
}

/// Nanoseconds per emit with two threads emitting `calls` times each at once (wall time over all
/// emits of both).
fn two_threads(calls: u32, emitter: &Emitter, f: fn(&Emitter)) -> f64 {
    let start_line = std::sync::Barrier::new(2);
    let start = Instant::now();
    std::thread::scope(|scope| {
        for _ in 0..2 {
            scope.spawn(|| {
                start_line.wait();
                for _ in 0..calls {
                    f(emitter);
                }
            });
        }
    });
    start.elapsed().as_nanos() as f64 / f64::from(2 * calls)
}

/// The runtime-closure rows again, from two threads at once.
fn interleaved_two_threads(emitter: &Emitter) {
    const ROUNDS: usize = 11;
    const CALLS: u32 = 200_000;
    println!(
        "\nfrom 2 threads at once: {ROUNDS} rounds of {CALLS} emits per thread, fastest round"
    );
    println!("| ours | baseline | ours ns | baseline ns | ours / baseline |");
    println!("|---|---|---|---|---|");
    let ours: fn(&Emitter) = |emitter| emitter.emit(black_box(Contended(1)));
    let baseline: fn(&Emitter) = |_| vec_bus_emit(&CONTENDED_BUS, black_box(Contended(1)));
    let (mut best_ours, mut best_baseline) = (f64::MAX, f64::MAX);
    for _ in 0..ROUNDS {
        best_baseline = best_baseline.min(two_threads(CALLS, emitter, baseline));
        best_ours = best_ours.min(two_threads(CALLS, emitter, ours));
    }
    println!(
        "| 1 runtime closure | Vec<Box<dyn Fn>> + RwLock bus | {best_ours:.2} | {best_baseline:.2} | {:.2} |",
        best_ours / best_baseline
    );
    summary::record(
        "1 runtime closure, 2 threads at once",
        "Vec<Box<dyn Fn>> + RwLock bus, 2 threads",
        best_ours,
        best_baseline,
        "ns",
        1.0 / 1.5,
    );
}

/// Everything the chart measures at one number of handlers: one closure per series, in series order.
type Point<'a> = Vec<Box<dyn Fn() + 'a>>;

/// A `Vec<Box<dyn Fn>>` bus behind an `RwLock` with `n` listeners, and a `HashMap<TypeId>` bus with `n`
/// listeners for `OneHandler`, as a user would build them.
fn buses_of(n: usize) -> (VecBus<OneClosure>, MapBus) {
    let vec_bus: VecBus<OneClosure> =
        RwLock::new((0..n).map(|_| Box::new(closure_body) as Box<_>).collect());
    let mut map: HashMap<TypeId, Vec<Listener>> = HashMap::new();
    let listeners = map.entry(TypeId::of::<OneHandler>()).or_default();
    for _ in 0..n {
        listeners.push(Box::new(|event: &dyn Any| {
            if let Some(event) = event.downcast_ref::<OneHandler>() {
                only(event);
            }
        }));
    }
    (vec_bus, RwLock::new(map))
}

/// Cost per emit against the number of handlers, for ours and the alternatives: a table, and an SVG.
fn chart(emitter: &Emitter) {
    const ROUNDS: usize = 11;
    const SERIES: &[&str] = &[
        "ours: #[subscribe] handlers",
        "ours: runtime closures",
        "direct calls",
        "Vec<Box<dyn Fn>> + RwLock",
        "HashMap<TypeId> + RwLock",
    ];
    let counts = [1usize, 10, 100];
    let mut subscriptions = Vec::new();
    for _ in 0..10 {
        subscriptions.push(EventLinker::subscribe(|event: &TenClosures| {
            TOTAL.fetch_add(event.0, Ordering::Relaxed);
        }));
    }
    for _ in 0..100 {
        subscriptions.push(EventLinker::subscribe(|event: &HundredClosures| {
            TOTAL.fetch_add(event.0, Ordering::Relaxed);
        }));
    }
    let buses: Vec<_> = counts.iter().map(|&n| buses_of(n)).collect();
    let points: Vec<Point<'_>> = counts
        .iter()
        .zip(&buses)
        .map(|(&n, (vec_bus, map_bus))| -> Point<'_> {
            let ours: Box<dyn Fn()> = match n {
                1 => Box::new(|| emitter.emit(black_box(OneHandler(1)))),
                10 => Box::new(|| emitter.emit(black_box(TenHandlers(1)))),
                _ => Box::new(|| emitter.emit(black_box(HundredHandlers(1)))),
            };
            let closures: Box<dyn Fn()> = match n {
                1 => Box::new(|| emitter.emit(black_box(OneClosure(1)))),
                10 => Box::new(|| emitter.emit(black_box(TenClosures(1)))),
                _ => Box::new(|| emitter.emit(black_box(HundredClosures(1)))),
            };
            let direct: Box<dyn Fn()> = match n {
                1 => Box::new(|| only(&black_box(OneHandler(1)))),
                10 => Box::new(|| call_ten_directly(&black_box(TenHandlers(1)))),
                _ => Box::new(|| call_hundred_directly(&black_box(HundredHandlers(1)))),
            };
            let vec_bus: Box<dyn Fn()> =
                Box::new(move || vec_bus_walk(vec_bus, black_box(OneClosure(1))));
            let map_bus: Box<dyn Fn()> =
                Box::new(move || map_bus_walk(map_bus, black_box(OneHandler(1))));
            vec![ours, closures, direct, vec_bus, map_bus]
        })
        .collect();

    let mut best = vec![vec![f64::MAX; counts.len()]; SERIES.len()];
    for round in 0..ROUNDS {
        for (column, (point, &n)) in points.iter().zip(&counts).enumerate() {
            let calls = (2_000_000 / n as u32).min(200_000);
            for step in 0..SERIES.len() {
                // Rotate which series goes first, so none always runs on a warmer or colder machine.
                let series = (step + round) % SERIES.len();
                let start = Instant::now();
                for _ in 0..calls {
                    point[series]();
                }
                let ns = start.elapsed().as_nanos() as f64 / f64::from(calls);
                best[series][column] = best[series][column].min(ns);
            }
        }
    }
    drop(subscriptions);

    println!("\nns per emit against handlers per event, fastest of {ROUNDS} interleaved rounds");
    println!("| series | 1 | 10 | 100 |");
    println!("|---|---|---|---|");
    for (name, row) in SERIES.iter().zip(&best) {
        println!("| {name} | {:.1} | {:.1} | {:.1} |", row[0], row[1], row[2]);
    }
    let series: Vec<chart::Series> = SERIES
        .iter()
        .zip(&best)
        .map(|(name, row)| chart::Series {
            name: (*name).to_owned(),
            points: counts
                .iter()
                .map(|&n| n as f64)
                .zip(row.iter().copied())
                .collect(),
        })
        .collect();
    let svg = chart::svg(
        "Inline emit: cost per emit against handlers per event",
        "handlers per event",
        "ns per emit (fastest batch)",
        &series,
    );
    let dir = std::path::Path::new(
        &std::env::var_os("CARGO_TARGET_DIR").unwrap_or_else(|| "target".into()),
    )
    .join("pyventus-bench");
    let path = dir.join("emit_vs_handlers.svg");
    match std::fs::create_dir_all(&dir).and_then(|()| std::fs::write(&path, svg)) {
        Ok(()) => println!("chart written to {}", path.display()),
        Err(error) => eprintln!("could not write the chart to {}: {error}", path.display()),
    }
}

fn main() {
    set_up_buses();
    let emitter = EventEmitter::new(InlineProcessor);
    let subscription = EventLinker::subscribe(|event: &OneClosure| closure_body(event));
    let contended = EventLinker::subscribe(|event: &Contended| count_locally(event.0));
    // The first call of each side fills registries and tables; keep that out of every measurement.
    for row in ROWS {
        (row.ours)(&emitter);
        (row.baseline)(&emitter);
    }

    // `benches/report.sh` wants the interleaved tables only.
    if std::env::var_os("PYVENTUS_TABLES_ONLY").is_none() {
        let mut criterion = Criterion::default().configure_from_args();
        criterion_groups(&mut criterion, &emitter);
        criterion.final_summary();
    }

    // `cargo test --benches` runs each benchmark once with `--test`; profiling and listing need no table.
    let quick =
        std::env::args().any(|arg| matches!(arg.as_str(), "--test" | "--list" | "--profile-time"));
    if !quick {
        interleaved(&emitter);
        interleaved_two_threads(&emitter);
        chart(&emitter);
    }

    subscription.unsubscribe();
    contended.unsubscribe();
    println!("(total added: {})", TOTAL.load(Ordering::Relaxed));
}
