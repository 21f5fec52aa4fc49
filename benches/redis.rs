//! End-to-end throughput through one local redis-server: pyventus's `RedisProcessor` and `Worker`
//! against the raw Redis Streams floor, measured in the same run, rounds interleaved, fastest kept.
//!
//! `cargo bench --bench redis` (or `bash benches/redis.sh`, which adds Pyventus + RQ and apalis-redis
//! where they install). Needs `redis-server` on the PATH; the bench starts its own on a free loopback
//! port (no persistence) and runs its workers as processes of this same binary.
//!
//! - **ours**: events emitted through an `EventEmitter<RedisProcessor>` (a small event, one trivial
//!   `#[subscribe]` handler), run by 1, 2 or 4 worker processes (`Worker`, one loop each, batches of
//!   100, reclaim on); done when the group has acknowledged every call. The emit process and the
//!   workers run at once.
//! - **raw**: the same entries (same fields, same JSON payload) written by hand with pipelined `XADD`s
//!   of 1,000, read by 1, 2 or 4 processes with `XREADGROUP COUNT 100`, the payload decoded with
//!   `serde_json` and the same handler called, the batch acknowledged with one `XACK` sent with the
//!   next read: what one would write by hand, with no reclaim, retries or dead letters.
//! - **emit**: the emit process alone (no workers): emits, then `flush`, against raw `XADD` pipelines.
//!
//! Options: `--events N` (default 100,000), `--rounds R` (default 3), `--workers 1,2,4`;
//! `--emit-only ours|raw N` runs one emit-only run and exits (what `benches/redis.sh` counts the
//! instructions of, under callgrind: the emitting process's own work per event, writer included).

#[path = "../pyventus-redis/tests/common/mod.rs"]
#[allow(unreachable_pub)]
mod server;

use std::hint::black_box;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use pyventus::prelude::*;
use pyventus::redis::{RedisProcessor, Worker};
use redis::Value;
use serde::{Deserialize, Serialize};

const STREAM: &str = "pyventus:0";
const GROUP: &str = "pyventus";

#[event(serde)]
#[derive(Serialize, Deserialize)]
struct Tick {
    n: u64,
}

/// The trivial handler both sides call.
#[subscribe(Tick)]
fn on_tick(tick: &Tick) {
    black_box(tick.n);
}

struct Options {
    events: u64,
    rounds: usize,
    workers: Vec<usize>,
}

fn options() -> Options {
    let mut options = Options {
        events: 100_000,
        rounds: 3,
        workers: vec![1, 2, 4],
    };
    let args: Vec<String> = std::env::args().collect();
    for pair in args.windows(2) {
        match pair[0].as_str() {
            "--events" => options.events = pair[1].parse().expect("--events N"),
            "--rounds" => options.rounds = pair[1].parse().expect("--rounds R"),
            "--workers" => {
                options.workers = pair[1]
                    .split(',')
                    .map(|w| w.parse().expect("--workers 1,2,4"))
                    .collect()
            }
            _ => {}
        }
    }
    options
}

fn main() {
    match std::env::var("PYVENTUS_BENCH_ROLE").as_deref() {
        Ok("ours") => return ours_worker(),
        Ok("raw") => return raw_worker(),
        _ => {}
    }
    if std::env::args().any(|arg| arg == "--list") {
        println!("redis: bench");
        return;
    }
    let Some(server) = server::RedisServer::start() else {
        return;
    };
    let args: Vec<String> = std::env::args().collect();
    if let Some(at) = args.iter().position(|arg| arg == "--emit-only") {
        // `--emit-only ours|raw N`: one emit-only run, for callgrind (see benches/redis.sh).
        let events: u64 = args[at + 2].parse().expect("--emit-only ours|raw N");
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let url = server.url();
        match args[at + 1].as_str() {
            "ours" => runtime.block_on(ours_emit_only(&url, events)),
            _ => runtime.block_on(raw_emit_only(&url, events)),
        };
        return;
    }
    let options = options();
    let url = server.url();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    println!(
        "redis bench: {} events per run, {} rounds, fastest kept; redis-server on {url}",
        options.events, options.rounds
    );
    let mut emit_ours = f64::MAX;
    let mut emit_raw = f64::MAX;
    let mut ours = vec![f64::MAX; options.workers.len()];
    let mut raw = vec![f64::MAX; options.workers.len()];
    for round in 0..options.rounds {
        emit_raw = emit_raw.min(runtime.block_on(raw_emit_only(&url, options.events)));
        emit_ours = emit_ours.min(runtime.block_on(ours_emit_only(&url, options.events)));
        for (i, &workers) in options.workers.iter().enumerate() {
            raw[i] = raw[i].min(end_to_end(&runtime, &url, "raw", workers, options.events));
            ours[i] = ours[i].min(end_to_end(&runtime, &url, "ours", workers, options.events));
        }
        eprintln!("round {} done", round + 1);
    }
    let rate = |secs: f64| options.events as f64 / secs;
    println!();
    println!("| path | raw Streams | pyventus | pyventus / raw |");
    println!("|---|---|---|---|");
    println!(
        "| emit only (emit + flush) | {:.0} msgs/s | {:.0} events/s | {:.2} |",
        rate(emit_raw),
        rate(emit_ours),
        emit_raw / emit_ours
    );
    for (i, workers) in options.workers.iter().enumerate() {
        println!(
            "| end to end, {workers} worker{} | {:.0} msgs/s | {:.0} events/s | {:.2} |",
            if *workers == 1 { "" } else { "s" },
            rate(raw[i]),
            rate(ours[i]),
            raw[i] / ours[i]
        );
    }
}

/// Deletes the stream and makes the group again: each run starts empty.
async fn reset(url: &str) {
    let client = redis::Client::open(url).unwrap();
    let mut connection = client.get_multiplexed_async_connection().await.unwrap();
    let _: () = redis::cmd("DEL")
        .arg(STREAM)
        .query_async(&mut connection)
        .await
        .unwrap();
    let _: () = redis::cmd("XGROUP")
        .arg("CREATE")
        .arg(STREAM)
        .arg(GROUP)
        .arg("0")
        .arg("MKSTREAM")
        .query_async(&mut connection)
        .await
        .unwrap();
}

/// Emits `events` through a `RedisProcessor` and flushes; the seconds it took.
async fn ours_emit_only(url: &str, events: u64) -> f64 {
    reset(url).await;
    let processor = RedisProcessor::connect(url).await.unwrap();
    let emitter = EventEmitter::new(processor.clone());
    let started = Instant::now();
    emit_all(&emitter, &processor, events).await;
    started.elapsed().as_secs_f64()
}

async fn emit_all(emitter: &EventEmitter<RedisProcessor>, processor: &RedisProcessor, events: u64) {
    for n in 0..events {
        emitter.emit(Tick { n });
        // Let the writer run on a busy runtime, as a real producer awaits between emits.
        if n % 1_000 == 999 {
            tokio::task::yield_now().await;
        }
    }
    processor.flush().await.unwrap();
}

/// The fields of one entry, as ours writes them.
fn raw_fields(n: u64) -> [(&'static str, Vec<u8>); 5] {
    [
        ("v", b"1".to_vec()),
        ("e", b"redis::Tick".to_vec()),
        ("l", b"pyventus::EventLinker".to_vec()),
        ("h", b"redis::on_tick".to_vec()),
        ("p", serde_json::to_vec(&Tick { n }).unwrap()),
    ]
}

/// Writes `events` entries by hand, pipelined by 1,000; the seconds it took.
async fn raw_emit_only(url: &str, events: u64) -> f64 {
    reset(url).await;
    let started = Instant::now();
    raw_emit(url, events).await;
    started.elapsed().as_secs_f64()
}

async fn raw_emit(url: &str, events: u64) {
    let client = redis::Client::open(url).unwrap();
    let mut connection = client.get_multiplexed_async_connection().await.unwrap();
    let mut n = 0;
    while n < events {
        let mut pipe = redis::pipe();
        for _ in 0..1_000.min(events - n) {
            let cmd = pipe.cmd("XADD").arg(STREAM).arg("*");
            for (field, value) in raw_fields(n) {
                cmd.arg(field).arg(value);
            }
            cmd.ignore();
            n += 1;
        }
        let () = pipe.query_async(&mut connection).await.unwrap();
    }
}

/// Starts `workers` worker processes of `kind`, emits `events`, and waits until the group has
/// acknowledged them all; the seconds from the first emit to the last acknowledgement.
fn end_to_end(
    runtime: &tokio::runtime::Runtime,
    url: &str,
    kind: &str,
    workers: usize,
    events: u64,
) -> f64 {
    runtime.block_on(reset(url));
    let mut children: Vec<Child> = (0..workers)
        .map(|_| {
            Command::new(std::env::current_exe().unwrap())
                .env("PYVENTUS_BENCH_ROLE", kind)
                .env("PYVENTUS_BENCH_URL", url)
                .stdout(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for child in &mut children {
        let mut line = String::new();
        BufReader::new(child.stdout.as_mut().unwrap())
            .read_line(&mut line)
            .unwrap();
        assert_eq!(line.trim(), "ready", "a {kind} worker started");
    }
    let elapsed = runtime.block_on(async {
        let started = Instant::now();
        if kind == "ours" {
            let processor = RedisProcessor::connect(url).await.unwrap();
            let emitter = EventEmitter::new(processor.clone());
            emit_all(&emitter, &processor, events).await;
        } else {
            raw_emit(url, events).await;
        }
        wait_acknowledged(url, events).await;
        started.elapsed().as_secs_f64()
    });
    for mut child in children {
        let _ = child.kill();
        let _ = child.wait();
    }
    elapsed
}

/// Polls the group until `events` entries are read and none is pending.
async fn wait_acknowledged(url: &str, events: u64) {
    let client = redis::Client::open(url).unwrap();
    let mut connection = client.get_multiplexed_async_connection().await.unwrap();
    let deadline = Instant::now() + Duration::from_secs(300);
    loop {
        let groups: Vec<Vec<Value>> = redis::cmd("XINFO")
            .arg("GROUPS")
            .arg(STREAM)
            .query_async(&mut connection)
            .await
            .unwrap();
        let field = |name: &str| -> i64 {
            let group = &groups[0];
            let at = group
                .iter()
                .position(|v| matches!(v, Value::BulkString(b) if b == name.as_bytes()))
                .unwrap();
            match &group[at + 1] {
                Value::Int(n) => *n,
                _ => -1,
            }
        };
        if field("entries-read") as u64 >= events && field("pending") == 0 {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "the workers did not finish in 300 s"
        );
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
}

fn worker_runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

/// A pyventus worker process: one loop, until killed.
fn ours_worker() {
    let url = std::env::var("PYVENTUS_BENCH_URL").unwrap();
    worker_runtime().block_on(async {
        let _running = Worker::new(&url).start().await.unwrap();
        println!("ready");
        std::future::pending::<()>().await;
    });
}

/// A hand-written consumer process: `XREADGROUP COUNT 100`, decode, call, `XACK` with the next read.
fn raw_worker() {
    let url = std::env::var("PYVENTUS_BENCH_URL").unwrap();
    let consumer = format!("raw-{}", std::process::id());
    worker_runtime().block_on(async {
        let client = redis::Client::open(url.as_str()).unwrap();
        let mut connection = client.get_multiplexed_async_connection().await.unwrap();
        println!("ready");
        let mut acks: Vec<String> = Vec::new();
        loop {
            let mut pipe = redis::pipe();
            if !acks.is_empty() {
                pipe.cmd("XACK").arg(STREAM).arg(GROUP).arg(&acks).ignore();
            }
            pipe.cmd("XREADGROUP")
                .arg("GROUP")
                .arg(GROUP)
                .arg(&consumer)
                .arg("COUNT")
                .arg(100)
                .arg("BLOCK")
                .arg(200)
                .arg("STREAMS")
                .arg(STREAM)
                .arg(">");
            let (reply,): (Option<redis::streams::StreamReadReply>,) =
                pipe.query_async(&mut connection).await.unwrap();
            acks.clear();
            for key in reply.map(|r| r.keys).unwrap_or_default() {
                for entry in key.ids {
                    if let Some(Value::BulkString(payload)) = entry.map.get("p") {
                        let tick: Tick = serde_json::from_slice(payload).unwrap();
                        on_tick(&tick);
                    }
                    acks.push(entry.id);
                }
            }
        }
    });
}
