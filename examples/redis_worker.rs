//! Handler calls in other processes, on Redis Streams: Pyventus's Redis (RQ) and Celery emitters, the
//! Rust way. One program plays both roles:
//!
//! - `cargo run --example redis_worker --features redis -- emit` emits orders through a
//!   `RedisProcessor`: each handler call becomes one stream entry (the handler's stable id, the event
//!   as JSON), written in the background; `flush` waits until they are all in Redis.
//! - `cargo run --example redis_worker --features redis -- worker` runs a `Worker`: it reads the
//!   entries with a consumer group, runs the handlers with the state it was given (`State<Db>`),
//!   acknowledges each call after it returns, retries failures, and dead-letters what cannot run.
//!   Start several: they share the work. Stop one with Ctrl-C: running calls finish first.
//!
//! A local Redis is needed: `apt-get install redis-server` (or your system's package), then
//! `redis-server --port 6379`. Another URL: `REDIS_URL=redis://host:port`.
//!
//! Beyond the Pyventus page: Pyventus pickles the handler itself, so its workers must run the
//! producer's exact code; here the worker resolves the handler's id in its own build, and a message it
//! cannot run goes to `pyventus:dead` with the reason.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use pyventus::prelude::*;
use pyventus::redis::{Delivery, RedisProcessor, Worker};
use pyventus::{Failure, State};
use serde::{Deserialize, Serialize};

/// The event: `#[event(serde)]`, and the serde derives, make it able to cross processes.
#[event(serde)]
#[derive(Debug, Serialize, Deserialize)]
struct OrderPlaced {
    id: u64,
    total_cents: u64,
}

/// The worker's state: a database stand-in counting what it stored.
#[derive(Clone, Default)]
struct Db(Arc<AtomicU64>);

/// Runs in the worker. `Delivery` says which attempt this is: order 13 fails on its first attempt,
/// to show the retry.
#[subscribe(OrderPlaced, on_failure = retry_noted)]
fn store(order: &OrderPlaced, State(db): State<Db>, delivery: Delivery) -> Result<(), String> {
    if order.id == 13 && delivery.attempt() == 1 {
        return Err(format!(
            "order 13: database busy (attempt {})",
            delivery.attempt()
        ));
    }
    let stored = db.0.fetch_add(1, Ordering::Relaxed) + 1;
    println!(
        "stored order {} ({} cents), attempt {}, {stored} stored by this worker",
        order.id,
        order.total_cents,
        delivery.attempt()
    );
    Ok(())
}

/// Each failed attempt reaches the handler's `on_failure`, then the worker retries.
fn retry_noted(failure: Failure<String>) {
    println!("failed, will retry: {failure}");
}

/// An async handler: runs in the worker too.
#[subscribe(OrderPlaced)]
async fn email_receipt(order: &OrderPlaced) {
    tokio::time::sleep(Duration::from_millis(5)).await;
    println!("receipt sent for order {}", order.id);
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let url = std::env::var("REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".to_owned());
    match std::env::args().nth(1).as_deref() {
        Some("emit") => emit(&url).await,
        Some("worker") => work(&url).await,
        _ => {
            eprintln!("usage: cargo run --example redis_worker --features redis -- emit | worker");
            std::process::exit(2);
        }
    }
}

async fn emit(url: &str) -> Result<(), Box<dyn std::error::Error>> {
    let processor = RedisProcessor::connect(url).await?;
    let emitter = EventEmitter::new(processor.clone());
    for id in 1..=20 {
        emitter.emit(OrderPlaced {
            id,
            total_cents: 1_000 + id * 25,
        });
    }
    // `emit` returned at once; wait until every call is in Redis.
    processor.flush().await?;
    let stats = processor.stats();
    println!(
        "{} handler calls written to Redis ({} events × 2 handlers); run `-- worker` to run them",
        stats.written, 20
    );
    Ok(())
}

async fn work(url: &str) -> Result<(), Box<dyn std::error::Error>> {
    println!("worker started; Ctrl-C stops it after the running calls finish");
    let stats = Worker::new(url)
        .with_state(Db::default())
        .concurrency(2)
        .retry_backoff(Duration::from_millis(200), Duration::from_secs(2))
        .run_until(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await?;
    println!(
        "worker stopped: {} calls done, {} retried, {} dead-lettered",
        stats.succeeded, stats.retried, stats.dead_lettered
    );
    Ok(())
}
