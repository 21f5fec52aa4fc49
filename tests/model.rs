//! Property test: random sequences of subscribe / once / unsubscribe / remove / restore / emit (from 1 to
//! 3 threads at once) on a linker, against a plain sequential model of the documented rules, through
//! each processor (inline; a pool of 2, shut down after each emitting step; tokio, waited for).
//!
//! The rules the model states (the docs of `Linker`, `Subscription` and `EventEmitter::emit`):
//! - an emit reaches every handler subscribed when it starts: each enabled `#[subscribe]` handler and each
//!   live runtime subscription, once;
//! - a `once` subscription is called by exactly one emit (also when several threads emit at once), then is
//!   gone; `unsubscribe` returns whether it was still subscribed;
//! - `remove_event` disables the compile-time handlers and unsubscribes the runtime ones, returning how
//!   many it removed; `restore` re-enables the compile-time ones it disabled, returning how many;
//! - `subscriber_count` counts what an emit would reach.
//!
//! Emits from several threads run only between changes here (each thread emits `n` times, all joined
//! before the next step), so the expected counts are exact: a handler alive throughout gets every emit of
//! every thread, a `once` one exactly one. (Changes racing emits are the stress tests' and the model
//! checker's business.)

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use proptest::prelude::*;
use pyventus::prelude::*;
use pyventus::{SubscriberKind, Subscription};

#[linker]
struct Modelled;

#[event]
struct Ping;

static COMPILED: AtomicU64 = AtomicU64::new(0);

#[subscribe(Ping, linker = Modelled)]
fn compiled() {
    COMPILED.fetch_add(1, Ordering::Relaxed);
}

#[derive(Debug, Clone)]
enum Op {
    Subscribe,
    Once,
    Unsubscribe(usize),
    RemoveEvent,
    Restore,
    Emit { threads: usize, times: usize },
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        3 => Just(Op::Subscribe),
        2 => Just(Op::Once),
        2 => (0usize..8).prop_map(Op::Unsubscribe),
        1 => Just(Op::RemoveEvent),
        1 => Just(Op::Restore),
        4 => (1usize..=3, 1usize..=4).prop_map(|(threads, times)| Op::Emit { threads, times }),
    ]
}

/// One runtime subscription of the system and what the model says of it.
struct Runtime {
    subscription: Option<Subscription>,
    calls: Arc<AtomicU64>,
    once: bool,
    /// The model: still subscribed, and the calls it has had.
    alive: bool,
    expected: u64,
}

/// Which processor a case emits through.
#[derive(Debug, Clone, Copy)]
enum Via {
    Inline,
    Executor,
    Tokio,
}

/// `times` emits from each of `threads` threads, all of their handler calls finished on return.
fn emit(via: Via, threads: usize, times: usize, runtime: &tokio::runtime::Runtime) {
    match via {
        Via::Inline => {
            emit_from(
                EventEmitter::with_linker::<Modelled>(InlineProcessor),
                threads,
                times,
            );
        }
        Via::Executor => {
            let emitter = emit_from(
                EventEmitter::with_linker::<Modelled>(ExecutorProcessor::new(2)),
                threads,
                times,
            );
            emitter.processor().shutdown();
        }
        Via::Tokio => {
            let _inside = runtime.enter();
            let emitter = emit_from(
                EventEmitter::with_linker::<Modelled>(TokioProcessor::new()),
                threads,
                times,
            );
            runtime.block_on(emitter.processor().wait_for_tasks());
        }
    }
}

/// The emits themselves (inside the caller's runtime, if it entered one), the emitter given back.
fn emit_from<P>(
    emitter: EventEmitter<P, Modelled>,
    threads: usize,
    times: usize,
) -> Arc<EventEmitter<P, Modelled>>
where
    P: Processor + Send + Sync + 'static,
{
    let emitter = Arc::new(emitter);
    let runtime = tokio::runtime::Handle::try_current().ok();
    std::thread::scope(|scope| {
        for _ in 0..threads {
            let (emitter, runtime) = (Arc::clone(&emitter), runtime.clone());
            scope.spawn(move || {
                let _inside = runtime.as_ref().map(tokio::runtime::Handle::enter);
                for _ in 0..times {
                    emitter.emit(Ping);
                }
            });
        }
    });
    emitter
}

fn run(via: Via, ops: &[Op], tokio_runtime: &tokio::runtime::Runtime) -> Result<(), TestCaseError> {
    // A clean linker: nothing runtime left from an earlier case, the compile-time handler enabled.
    Modelled::remove_all();
    Modelled::restore_all();
    let compiled_before = COMPILED.load(Ordering::Relaxed);
    let mut compiled_enabled = true;
    let mut compiled_expected = 0u64;
    let mut runtime: Vec<Runtime> = Vec::new();

    for op in ops {
        match op {
            Op::Subscribe | Op::Once => {
                let calls = Arc::new(AtomicU64::new(0));
                let counter = Arc::clone(&calls);
                let handler = move |_: &Ping| {
                    counter.fetch_add(1, Ordering::Relaxed);
                };
                let once = matches!(op, Op::Once);
                let subscription = if once {
                    Modelled::once(handler)
                } else {
                    Modelled::subscribe(handler)
                };
                runtime.push(Runtime {
                    subscription: Some(subscription),
                    calls,
                    once,
                    alive: true,
                    expected: 0,
                });
            }
            Op::Unsubscribe(i) => {
                if runtime.is_empty() {
                    continue;
                }
                let count = runtime.len();
                let entry = &mut runtime[i % count];
                if let Some(subscription) = entry.subscription.take() {
                    prop_assert_eq!(
                        subscription.unsubscribe(),
                        entry.alive,
                        "unsubscribe's answer"
                    );
                    entry.alive = false;
                }
            }
            Op::RemoveEvent => {
                let expected = usize::from(compiled_enabled)
                    + runtime.iter().filter(|entry| entry.alive).count();
                prop_assert_eq!(
                    Modelled::remove_event::<Ping>(),
                    expected,
                    "remove_event's count"
                );
                compiled_enabled = false;
                runtime.iter_mut().for_each(|entry| entry.alive = false);
            }
            Op::Restore => {
                let expected = usize::from(!compiled_enabled);
                prop_assert_eq!(Modelled::restore::<Ping>(), expected, "restore's count");
                compiled_enabled = true;
            }
            Op::Emit { threads, times } => {
                emit(via, *threads, *times, tokio_runtime);
                let emits = (threads * times) as u64;
                if compiled_enabled {
                    compiled_expected += emits;
                }
                for entry in runtime.iter_mut().filter(|entry| entry.alive) {
                    if entry.once {
                        entry.expected += 1;
                        entry.alive = false;
                    } else {
                        entry.expected += emits;
                    }
                }
            }
        }
        // After every step: what each handler got, and what the linker says is subscribed.
        prop_assert_eq!(
            COMPILED.load(Ordering::Relaxed) - compiled_before,
            compiled_expected,
            "the #[subscribe] handler's calls after {:?}",
            op
        );
        for (i, entry) in runtime.iter().enumerate() {
            prop_assert_eq!(
                entry.calls.load(Ordering::Relaxed),
                entry.expected,
                "runtime subscription #{} (once: {}) after {:?}",
                i,
                entry.once,
                op
            );
            if let Some(subscription) = &entry.subscription {
                prop_assert_eq!(subscription.is_subscribed(), entry.alive);
            }
        }
        let listed = Modelled::subscribers::<Ping>();
        let runtime_listed = listed
            .iter()
            .filter(|info| info.kind() != SubscriberKind::CompileTime)
            .count();
        prop_assert_eq!(
            runtime_listed,
            runtime.iter().filter(|entry| entry.alive).count()
        );
        prop_assert_eq!(
            Modelled::subscriber_count::<Ping>(),
            usize::from(compiled_enabled) + runtime_listed
        );
    }
    Ok(())
}

fn via() -> impl Strategy<Value = Via> {
    prop_oneof![Just(Via::Inline), Just(Via::Executor), Just(Via::Tokio)]
}

proptest! {
    // 300 cases a run, a third through each processor.
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn a_linker_follows_the_sequential_model(
        via in via(),
        ops in prop::collection::vec(op(), 1..40),
    ) {
        static RUNTIME: std::sync::OnceLock<tokio::runtime::Runtime> = std::sync::OnceLock::new();
        let runtime = RUNTIME.get_or_init(|| {
            tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .build()
                .expect("a tokio runtime")
        });
        run(via, &ops, runtime)?;
    }
}
