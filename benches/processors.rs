//! Throughput of the queued processors, next to the code a user would write by hand for the same work.
//!
//! - `TokioProcessor`: `CALLS` emits to one async handler from inside a 2-worker tokio runtime, then
//!   `wait_for_tasks`; the baseline spawns the handler's body with a raw `tokio::spawn` per call, then
//!   awaits every `JoinHandle`.
//! - `ExecutorProcessor::new(2)`: `CALLS` emits to one sync handler, then `shutdown` (which drains the
//!   queue); the baseline is two threads fed by a `std::sync::mpsc` channel of boxed closures (the
//!   receiver shared behind a `Mutex`, the classic pool), then dropping the sender and joining.
//!
//! - `tokio::sync::broadcast`, what users pick for an in-process bus: per delivered event, sending to a
//!   channel with one receiver and receiving it (in batches of 1,024 on one task, its fastest use),
//!   next to an inline emit to one `#[subscribe]` handler.
//!
//! Rounds alternate ours and the baseline so both see the same machine load; each figure is the fastest
//! round (noise on a shared machine only adds time). Prints one table of ns per call and ratios.
//!
//! Run with: `cargo bench --bench processors` (`-- --rounds 3 --calls 50000` for a quick run).

use std::hint::black_box;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, mpsc};
use std::thread;
use std::time::{Duration, Instant};

use pyventus::prelude::*;

static TOTAL: AtomicU64 = AtomicU64::new(0);

#[event]
struct AsyncJob(u64);

#[event]
struct SyncJob(u64);

#[event]
#[derive(Clone, Debug)]
struct Broadcast(u64);

#[subscribe(Broadcast)]
fn broadcast_handler(event: &Broadcast) {
    work(event.0);
}

fn inline_ours(calls: u64) -> Duration {
    let emitter = EventEmitter::new(InlineProcessor);
    let start = Instant::now();
    for _ in 0..calls {
        emitter.emit(black_box(Broadcast(1)));
    }
    start.elapsed()
}

fn broadcast_channel(runtime: &tokio::runtime::Runtime, calls: u64) -> Duration {
    const BATCH: u64 = 1024;
    runtime.block_on(async {
        let (sender, mut receiver) = tokio::sync::broadcast::channel::<Broadcast>(BATCH as usize);
        let start = Instant::now();
        let mut left = calls;
        while left > 0 {
            let batch = left.min(BATCH);
            for _ in 0..batch {
                sender.send(black_box(Broadcast(1))).expect("a receiver");
            }
            for _ in 0..batch {
                let event = receiver.recv().await.expect("not lagged");
                work(event.0);
            }
            left -= batch;
        }
        start.elapsed()
    })
}

/// The handler's body, shared by ours and the baselines.
fn work(value: u64) {
    TOTAL.fetch_add(black_box(value), Ordering::Relaxed);
}

#[subscribe(AsyncJob)]
async fn async_handler(job: &AsyncJob) {
    work(job.0);
}

#[subscribe(SyncJob)]
fn sync_handler(job: &SyncJob) {
    work(job.0);
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a tokio runtime")
}

fn tokio_ours(runtime: &tokio::runtime::Runtime, calls: u64) -> Duration {
    runtime.block_on(async {
        let emitter = EventEmitter::new(TokioProcessor::new());
        let start = Instant::now();
        for _ in 0..calls {
            emitter.emit(AsyncJob(1));
        }
        emitter.processor().wait_for_tasks().await;
        start.elapsed()
    })
}

fn tokio_raw(runtime: &tokio::runtime::Runtime, calls: u64) -> Duration {
    runtime.block_on(async {
        let start = Instant::now();
        let mut handles = Vec::with_capacity(calls as usize);
        for _ in 0..calls {
            let job = AsyncJob(1);
            handles.push(tokio::spawn(async move { work(job.0) }));
        }
        for handle in handles {
            handle.await.expect("the task ran");
        }
        start.elapsed()
    })
}

fn executor_ours(calls: u64) -> Duration {
    let emitter = EventEmitter::new(ExecutorProcessor::new(2));
    let start = Instant::now();
    for _ in 0..calls {
        emitter.emit(SyncJob(1));
    }
    emitter.processor().shutdown();
    start.elapsed()
}

type Job = Box<dyn FnOnce() + Send>;

fn executor_raw(calls: u64) -> Duration {
    let (sender, receiver) = mpsc::channel::<Job>();
    let receiver = Arc::new(Mutex::new(receiver));
    let workers: Vec<_> = (0..2)
        .map(|_| {
            let receiver = Arc::clone(&receiver);
            thread::spawn(move || {
                loop {
                    let job = receiver.lock().expect("not poisoned").recv();
                    match job {
                        Ok(job) => job(),
                        Err(_) => return,
                    }
                }
            })
        })
        .collect();
    let start = Instant::now();
    for _ in 0..calls {
        let job = SyncJob(1);
        sender
            .send(Box::new(move || work(job.0)))
            .expect("workers alive");
    }
    drop(sender);
    for worker in workers {
        worker.join().expect("worker ran");
    }
    start.elapsed()
}

#[path = "common/summary.rs"]
mod summary;

fn argument(name: &str, default: u64) -> u64 {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|arg| arg == name)
        .and_then(|index| args.get(index + 1))
        .and_then(|value| value.parse().ok())
        .unwrap_or(default)
}

fn main() {
    if std::env::args().any(|arg| arg == "--list") {
        return; // `cargo bench -- --list` asks what is here: nothing for criterion's filter.
    }
    let rounds = argument("--rounds", 7);
    let calls = argument("--calls", 200_000);
    let runtime = runtime();
    let (mut best_tokio, mut best_spawn) = (Duration::MAX, Duration::MAX);
    let (mut best_executor, mut best_pool) = (Duration::MAX, Duration::MAX);
    let (mut best_inline, mut best_broadcast) = (Duration::MAX, Duration::MAX);
    for _ in 0..rounds {
        best_tokio = best_tokio.min(tokio_ours(&runtime, calls));
        best_spawn = best_spawn.min(tokio_raw(&runtime, calls));
        best_executor = best_executor.min(executor_ours(calls));
        best_pool = best_pool.min(executor_raw(calls));
        best_broadcast = best_broadcast.min(broadcast_channel(&runtime, calls));
        best_inline = best_inline.min(inline_ours(calls));
    }
    let per_call = |time: Duration| time.as_secs_f64() * 1e9 / calls as f64;
    println!("{calls} calls per round, fastest of {rounds} interleaved rounds");
    println!("| processor | ours (ns/call) | by hand (ns/call) | ratio |");
    println!("|---|---|---|---|");
    for (ours_name, by_hand_name, ours, by_hand, at_most) in [
        (
            "TokioProcessor, async handler",
            "raw tokio::spawn",
            best_tokio,
            best_spawn,
            1.2,
        ),
        (
            "ExecutorProcessor(2), sync handler",
            "mpsc-fed pool of 2",
            best_executor,
            best_pool,
            1.5,
        ),
        (
            "inline emit to 1 handler",
            "tokio::sync::broadcast, 1 receiver",
            best_inline,
            best_broadcast,
            1.0 / 20.0,
        ),
    ] {
        let (ours, by_hand) = (per_call(ours), per_call(by_hand));
        println!(
            "| {ours_name} vs {by_hand_name} | {ours:.0} | {by_hand:.0} | {:.2}x |",
            ours / by_hand
        );
        summary::record(ours_name, by_hand_name, ours, by_hand, "ns", at_most);
    }
    assert!(TOTAL.load(Ordering::Relaxed) > 0);
}
