//! Stress: several threads emitting two events while another subscribes and unsubscribes closures and
//! handlers emit from inside, on every built-in processor; afterwards every delivery is accounted for.
//! Then shutdown under load: every call submitted before `shutdown`, an emitter's drop or
//! `wait_for_tasks` is delivered, and a call after shutdown gets the documented behaviour.
//!
//! **Subscribed through.** An emit takes a snapshot of its event's subscribers when it starts
//! dispatching, inside the `emit` call. A runtime subscription is *certainly* in an emit's snapshot when
//! the emit started after `subscribe` returned and finished before `unsubscribe` was called, and
//! *possibly* in it when their intervals overlap. Each operation here reads a shared logical clock
//! before and after itself; for each subscription, its call count must lie between the number of emits
//! it was certainly subscribed through and the number it possibly was (exactly 1 for a `once` that some
//! emit certainly reached). A `#[subscribe]` handler is subscribed through every emit of its event.
//!
//! Sizes are bounded for CI (a few seconds); `PYVENTUS_SOAK=1` runs 20 times more.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;

use pyventus::prelude::*;
use pyventus::{EmitterHandle, Subscription};

#[linker]
struct Stressed;

#[event]
struct Alpha;

#[event]
struct Beta;

static ALPHA_COMPILED: AtomicU64 = AtomicU64::new(0);
static BETA_COMPILED: AtomicU64 = AtomicU64::new(0);

/// Every delivery of `Alpha` emits one `Beta` from inside the handler, through the same emitter.
#[subscribe(Alpha, linker = Stressed)]
fn alpha(emitter: EmitterHandle) {
    ALPHA_COMPILED.fetch_add(1, Ordering::Relaxed);
    emitter.emit(Beta);
}

#[subscribe(Beta, linker = Stressed)]
fn beta() {
    BETA_COMPILED.fetch_add(1, Ordering::Relaxed);
}

/// The logical clock every operation reads before and after itself.
static CLOCK: AtomicU64 = AtomicU64::new(0);

fn tick() -> u64 {
    CLOCK.fetch_add(1, Ordering::SeqCst)
}

fn scale() -> u64 {
    if std::env::var_os("PYVENTUS_SOAK").is_some() {
        20
    } else {
        1
    }
}

/// One runtime subscription's life and calls.
struct Life {
    subscribed: (u64, u64),
    unsubscribed: Option<(u64, u64)>,
    once: bool,
    calls: Arc<AtomicU64>,
}

/// Runs the scenario on `emitter`; `settle` waits for queued calls (it is given a test that says when
/// the `#[subscribe]` handlers got every call they are owed).
fn stress<P: Processor + Sync>(
    name: &str,
    emitter: &EventEmitter<P, Stressed>,
    settle: impl Fn(&dyn Fn() -> bool),
) {
    let emitters = 3;
    // Each emitter thread emits at least this many, and goes on while the changer runs.
    let per_thread = 2_000 * scale();
    let changes = 200 * scale();
    let alpha_before = ALPHA_COMPILED.load(Ordering::Relaxed);
    let beta_before = BETA_COMPILED.load(Ordering::Relaxed);
    let emits: Mutex<Vec<(u64, u64)>> = Mutex::new(Vec::new());
    let lives: Mutex<Vec<Life>> = Mutex::new(Vec::new());
    let changing = AtomicU64::new(1);
    let emitted = AtomicU64::new(0);
    // Emits so far, for the changer to pace itself on: each change waits for a few emits after it.
    let progress = AtomicU64::new(0);
    let start = std::sync::Barrier::new(emitters as usize + 1);

    thread::scope(|scope| {
        for t in 0..emitters {
            let (emits, changing, emitted) = (&emits, &changing, &emitted);
            let (progress, start) = (&progress, &start);
            scope.spawn(move || {
                start.wait();
                let mut mine = Vec::with_capacity(per_thread as usize);
                let mut i = 0;
                while i < per_thread || changing.load(Ordering::SeqCst) > 0 {
                    i += 1;
                    if (i + t) % 2 == 0 {
                        let start = tick();
                        emitter.emit(Alpha);
                        mine.push((start, tick()));
                    } else {
                        emitter.emit(Beta);
                    }
                    progress.fetch_add(1, Ordering::Relaxed);
                }
                emits.lock().unwrap().extend(mine);
                emitted.fetch_add(i, Ordering::SeqCst);
            });
        }
        // The changer: subscribe, let some emits pass, unsubscribe; every fourth is a `once`.
        let (lives, changing, progress, start) = (&lives, &changing, &progress, &start);
        scope.spawn(move || {
            start.wait();
            let mut live: Vec<(Subscription, usize)> = Vec::new();
            for round in 1..=changes {
                let seen = progress.load(Ordering::Relaxed);
                while progress.load(Ordering::Relaxed) < seen + 6 {
                    thread::yield_now();
                }
                let calls = Arc::new(AtomicU64::new(0));
                let counter = Arc::clone(&calls);
                let once = round % 4 == 0;
                let before = tick();
                let handler = move |_: &Alpha| {
                    counter.fetch_add(1, Ordering::Relaxed);
                };
                let subscription = if once {
                    Stressed::once(handler)
                } else {
                    Stressed::subscribe(handler)
                };
                let after = tick();
                let mut book = lives.lock().unwrap();
                book.push(Life {
                    subscribed: (before, after),
                    unsubscribed: None,
                    once,
                    calls,
                });
                live.push((subscription, book.len() - 1));
                drop(book);
                if live.len() > 3 {
                    let (subscription, index) = live.remove(0);
                    let before = tick();
                    subscription.unsubscribe();
                    let after = tick();
                    lives.lock().unwrap()[index].unsubscribed = Some((before, after));
                }
            }
            for (subscription, index) in live {
                let before = tick();
                subscription.unsubscribe();
                let after = tick();
                lives.lock().unwrap()[index].unsubscribed = Some((before, after));
            }
            changing.store(0, Ordering::SeqCst);
        });
    });
    let alpha_emits = emits.lock().unwrap().len() as u64;
    let beta_emits = emitted.load(Ordering::SeqCst) - alpha_emits;
    settle(&|| {
        ALPHA_COMPILED.load(Ordering::Relaxed) - alpha_before >= alpha_emits
            && BETA_COMPILED.load(Ordering::Relaxed) - beta_before >= beta_emits + alpha_emits
    });

    let mut emits = emits.into_inner().unwrap();
    // Sorted by start, so that each subscription looks only at the emits near its life.
    emits.sort_unstable();
    let longest = emits
        .iter()
        .map(|(start, end)| end - start)
        .max()
        .unwrap_or(0);
    let from = |clock: u64| emits.partition_point(|(start, _)| *start < clock);
    let lives = lives.into_inner().unwrap();
    assert_eq!(
        ALPHA_COMPILED.load(Ordering::Relaxed) - alpha_before,
        alpha_emits,
        "{name}: the #[subscribe] handler of Alpha, once per emit"
    );
    assert_eq!(
        BETA_COMPILED.load(Ordering::Relaxed) - beta_before,
        beta_emits + alpha_emits,
        "{name}: Beta, once per emit, including one from inside each Alpha handler"
    );
    let mut reached = 0;
    for (i, life) in lives.iter().enumerate() {
        let (sub_before, sub_after) = life.subscribed;
        let (unsub_before, unsub_after) = life.unsubscribed.expect("every subscription ended");
        let certain = emits[from(sub_after + 1)..from(unsub_before)]
            .iter()
            .filter(|(_, end)| *end < unsub_before)
            .count() as u64;
        let possible = emits[from(sub_before.saturating_sub(longest))..from(unsub_after)]
            .iter()
            .filter(|(_, end)| *end > sub_before)
            .count() as u64;
        let calls = life.calls.load(Ordering::Relaxed);
        reached += usize::from(calls > 0);
        if life.once {
            assert!(
                calls <= 1,
                "{name}: once subscription #{i} called {calls} times"
            );
            assert!(
                calls == 1 || certain == 0,
                "{name}: once subscription #{i} certainly reached by {certain} emits, called {calls}"
            );
        } else {
            assert!(
                (certain..=possible).contains(&calls),
                "{name}: subscription #{i} called {calls} times, subscribed through {certain} to {possible} emits"
            );
        }
    }
    assert_eq!(
        Stressed::subscriber_count::<Alpha>(),
        1,
        "{name}: only the #[subscribe] handler is left"
    );
    // The changes raced the emits: most subscriptions were reached while emits were running.
    assert!(
        reached * 2 > lives.len(),
        "{name}: only {reached} of {} subscriptions were reached by an emit",
        lives.len()
    );
    eprintln!(
        "{name}: {} emits from {emitters} threads, {} deliveries to #[subscribe] handlers, {} \
         subscriptions ({reached} reached by emits) checked",
        alpha_emits + beta_emits,
        beta_emits + 2 * alpha_emits,
        lives.len()
    );
}

#[test]
fn every_delivery_is_accounted_for_on_every_processor() {
    let inline = EventEmitter::with_linker::<Stressed>(InlineProcessor);
    stress("inline", &inline, |_| {});

    let executor = EventEmitter::with_linker::<Stressed>(ExecutorProcessor::new(2));
    // Waits for the calls first, so that the follow-up emits of its handlers are not made while the pool
    // drains (they would run on the submitting thread, with a warning each: the shutdown test's case).
    stress("executor", &executor, |done| {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
        while !done() && std::time::Instant::now() < deadline {
            thread::sleep(std::time::Duration::from_millis(1));
        }
        executor.processor().shutdown();
    });

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let _inside = runtime.enter();
    let tokio = EventEmitter::with_linker::<Stressed>(TokioProcessor::new());
    stress("tokio", &tokio, |_| {
        runtime.block_on(tokio.processor().wait_for_tasks());
    });
}
