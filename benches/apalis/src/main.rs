//! Throughput benchmark for apalis + apalis-redis, written as a point of
//! comparison for pyventus' Redis processor benchmarks.
//!
//! One binary, two roles:
//! * parent (default): flushes the Redis DB, starts W worker processes, pushes
//!   N jobs and times push-start -> all N jobs acknowledged as done by apalis.
//! * worker (env `APALIS_BENCH_ROLE=worker`): runs one apalis worker on the
//!   bench queue with a trivial handler until it is killed.
//!
//! Completion is read from apalis-redis' own bookkeeping: every job whose
//! result has been acknowledged is added to the `<queue>:done` set, so the
//! parent polls `SCARD <queue>:done` until it reaches N. Workers also count
//! handler invocations in-process and publish the count with `INCRBY` on a
//! separate connection, which is used as a cross-check (duplicates / losses).

use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use apalis::prelude::*;
use apalis_redis::{Config, RedisStorage, factory::RedisStorageFactory};
use serde::{Deserialize, Serialize};

const QUEUE: &str = "apalis-bench";
const HANDLED_KEY: &str = "apalis-bench:handled";
const ROLE_ENV: &str = "APALIS_BENCH_ROLE";

/// The job: one small u64 field.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Job {
    n: u64,
}

static HANDLED: AtomicU64 = AtomicU64::new(0);

async fn handle_job(job: Job) -> Result<(), BoxDynError> {
    std::hint::black_box(job.n);
    HANDLED.fetch_add(1, Ordering::Relaxed);
    Ok(())
}

/// How an idle worker learns that new jobs are there.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Wake {
    /// `RedisStorageFactory`: one RESP3 connection subscribed to the
    /// `tasks:*:available` events that apalis-redis publishes on push.
    Pubsub,
    /// Plain `RedisStorage` + `BackendExt::poll_with_interval(ms)`.
    Interval(u64),
}

impl Wake {
    fn parse(s: &str) -> Result<Wake, String> {
        if s == "pubsub" {
            return Ok(Wake::Pubsub);
        }
        if let Some(ms) = s.strip_prefix("interval:") {
            return ms
                .parse()
                .map(Wake::Interval)
                .map_err(|e| format!("bad --wake interval {ms:?}: {e}"));
        }
        Err(format!("--wake must be `pubsub` or `interval:MS`, got {s:?}"))
    }
    fn to_arg(self) -> String {
        match self {
            Wake::Pubsub => "pubsub".into(),
            Wake::Interval(ms) => format!("interval:{ms}"),
        }
    }
}

/// Settings shared by the parent and the worker processes.
#[derive(Debug, Clone)]
struct Settings {
    url: String,
    batch_size: usize,
    lock_tasks: bool,
    wake: Wake,
}

impl Settings {
    fn apalis_config(&self) -> Config {
        Config::default()
            .queue(QUEUE)
            .batch_size(self.batch_size)
            .lock_tasks(self.lock_tasks)
    }
}

struct Args {
    settings: Settings,
    jobs: u64,
    workers: Vec<usize>,
    rounds: usize,
    push_chunk: usize,
    push_first: bool,
    timeout: Duration,
    label: String,
}

const USAGE: &str = "usage: apalis-bench --url redis://127.0.0.1:PORT [--jobs N (20000)] \
[--workers 1,2,4] [--rounds R (1)] [--batch-size B (100)] [--push-chunk C (1000)] \
[--wake interval:MS|pubsub (interval:10)] [--lock-tasks true|false (true)] \
[--order workers-first|push-first (workers-first)] [--timeout-s S (120)] \
[--label NAME (apalis-redis), used in the summary and RESULT lines]

The Redis server at --url is FLUSHDB'ed before every measurement: use a throwaway one.";

fn parse_args() -> Result<Args, String> {
    let mut url = None;
    let mut jobs = 20_000u64;
    let mut workers = vec![1, 2, 4];
    let mut rounds = 1usize;
    let mut batch_size = 100usize;
    let mut push_chunk = 1000usize;
    let mut wake = Wake::Interval(10);
    let mut lock_tasks = true;
    let mut timeout_s = 120u64;
    let mut push_first = false;
    let mut label = "apalis-redis".to_string();

    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        if flag == "-h" || flag == "--help" {
            println!("{USAGE}");
            std::process::exit(0);
        }
        let value = it
            .next()
            .ok_or_else(|| format!("{flag} needs a value\n{USAGE}"))?;
        let bad = |e: &dyn std::fmt::Display| format!("bad value for {flag}: {value:?} ({e})");
        match flag.as_str() {
            "--url" => url = Some(value.clone()),
            "--jobs" => jobs = value.parse().map_err(|e| bad(&e))?,
            "--workers" => {
                workers = value
                    .split(',')
                    .map(|w| w.trim().parse::<usize>())
                    .collect::<Result<_, _>>()
                    .map_err(|e| bad(&e))?
            }
            "--rounds" => rounds = value.parse().map_err(|e| bad(&e))?,
            "--batch-size" => batch_size = value.parse().map_err(|e| bad(&e))?,
            "--push-chunk" => push_chunk = value.parse().map_err(|e| bad(&e))?,
            "--wake" => wake = Wake::parse(&value)?,
            "--lock-tasks" => lock_tasks = value.parse().map_err(|e| bad(&e))?,
            "--timeout-s" => timeout_s = value.parse().map_err(|e| bad(&e))?,
            "--label" => label = value.clone(),
            "--order" => {
                push_first = match value.as_str() {
                    "workers-first" => false,
                    "push-first" => true,
                    _ => return Err(bad(&"expected workers-first or push-first")),
                }
            }
            other => return Err(format!("unknown flag {other}\n{USAGE}")),
        }
    }
    let url = url.ok_or_else(|| format!("--url is required\n{USAGE}"))?;
    if jobs == 0 || rounds == 0 || batch_size == 0 || push_chunk == 0 {
        return Err("--jobs, --rounds, --batch-size and --push-chunk must be > 0".into());
    }
    if workers.is_empty() || workers.contains(&0) {
        return Err("--workers must list counts > 0".into());
    }
    Ok(Args {
        settings: Settings {
            url,
            batch_size,
            lock_tasks,
            wake,
        },
        jobs,
        workers,
        rounds,
        push_chunk,
        push_first,
        timeout: Duration::from_secs(timeout_s),
        label,
    })
}

type BoxErr = Box<dyn std::error::Error + Send + Sync>;

fn main() {
    let worker_role = std::env::var(ROLE_ENV).map(|r| r == "worker").unwrap_or(false);
    // Both roles are single-threaded: an apalis worker is one stream polled on
    // one task, and the parent only pushes and polls. With W worker processes
    // plus redis-server on 2 cores, extra runtime threads would only contend.
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    let res = if worker_role {
        rt.block_on(worker_main())
    } else {
        match parse_args() {
            Ok(args) => rt.block_on(parent_main(args)),
            Err(e) => {
                eprintln!("{e}");
                std::process::exit(2);
            }
        }
    };
    if let Err(e) = res {
        eprintln!(
            "apalis-bench ({}): error: {e}",
            if worker_role { "worker" } else { "parent" }
        );
        std::process::exit(1);
    }
}

// ---------------------------------------------------------------- worker role

fn env_var(name: &str) -> Result<String, BoxErr> {
    std::env::var(name).map_err(|_| format!("worker: env {name} missing").into())
}

async fn worker_main() -> Result<(), BoxErr> {
    let settings = Settings {
        url: env_var("APALIS_BENCH_URL")?,
        batch_size: env_var("APALIS_BENCH_BATCH")?.parse()?,
        lock_tasks: env_var("APALIS_BENCH_LOCK")?.parse()?,
        wake: Wake::parse(&env_var("APALIS_BENCH_WAKE")?)?,
    };
    let name = env_var("APALIS_BENCH_WORKER_NAME")?;

    // Separate connection (not the one apalis uses) to publish the number of
    // handler invocations. Batched every few ms so the handler stays trivial.
    let client = redis::Client::open(settings.url.as_str())?;
    let mut counter_conn = client.get_multiplexed_async_connection().await?;
    tokio::spawn(async move {
        let mut reported = 0u64;
        loop {
            tokio::time::sleep(Duration::from_millis(5)).await;
            let now = HANDLED.load(Ordering::Relaxed);
            if now > reported {
                let r: redis::RedisResult<i64> = redis::cmd("INCRBY")
                    .arg(HANDLED_KEY)
                    .arg(now - reported)
                    .query_async(&mut counter_conn)
                    .await;
                if r.is_ok() {
                    reported = now;
                }
            }
        }
    });

    let config = settings.apalis_config();
    match settings.wake {
        Wake::Pubsub => {
            // The factory's push-notification hookup needs a RESP3 connection.
            let sep = if settings.url.contains('?') { '&' } else { '?' };
            let client = redis::Client::open(format!("{}{sep}protocol=resp3", settings.url))?;
            let mut factory = RedisStorageFactory::new(client).await?;
            let backend = BackendFactory::<Job>::create_with_config(&mut factory, config)?;
            WorkerBuilder::new(name)
                .backend(backend)
                .build(handle_job)
                .run()
                .await?;
        }
        Wake::Interval(ms) => {
            let conn = apalis_redis::connect(settings.url.as_str()).await?;
            let backend = RedisStorage::<Job>::new(conn)
                .with_config(config)
                .poll_with_interval(Duration::from_millis(ms));
            WorkerBuilder::new(name)
                .backend(backend)
                .build(handle_job)
                .run()
                .await?;
        }
    }
    Err("worker stopped unexpectedly".into())
}

// ---------------------------------------------------------------- parent role

struct Workers(Vec<Child>);

impl Workers {
    fn spawn(settings: &Settings, count: usize, tag: &str) -> Result<Workers, BoxErr> {
        let exe = std::env::current_exe()?;
        let mut children = Workers(Vec::with_capacity(count));
        for i in 0..count {
            let child = Command::new(&exe)
                .env(ROLE_ENV, "worker")
                .env("APALIS_BENCH_URL", &settings.url)
                .env("APALIS_BENCH_BATCH", settings.batch_size.to_string())
                .env("APALIS_BENCH_LOCK", settings.lock_tasks.to_string())
                .env("APALIS_BENCH_WAKE", settings.wake.to_arg())
                .env("APALIS_BENCH_WORKER_NAME", format!("bench-{tag}-{i}"))
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::inherit())
                .spawn()?;
            children.0.push(child);
        }
        Ok(children)
    }

    fn check_alive(&mut self) -> Result<(), BoxErr> {
        for c in &mut self.0 {
            if let Some(status) = c.try_wait()? {
                return Err(format!("worker process {} exited early: {status}", c.id()).into());
            }
        }
        Ok(())
    }
}

impl Drop for Workers {
    fn drop(&mut self) {
        for c in &mut self.0 {
            let _ = c.kill();
        }
        for c in &mut self.0 {
            let _ = c.wait();
        }
    }
}

async fn flushdb(conn: &mut redis::aio::MultiplexedConnection) -> Result<(), BoxErr> {
    redis::cmd("FLUSHDB").query_async::<()>(conn).await?;
    Ok(())
}

async fn int(conn: &mut redis::aio::MultiplexedConnection, cmd: &str, key: &str) -> Result<u64, BoxErr> {
    let v: Option<u64> = redis::cmd(cmd).arg(key).query_async(conn).await?;
    Ok(v.unwrap_or(0))
}

/// Push `jobs` jobs through apalis-redis' batch API (`TaskSink::push_bulk`,
/// one `batch_push.lua` invocation per chunk), chunks sent one after the
/// other over one connection.
async fn push_jobs(settings: &Settings, jobs: u64, chunk: usize) -> Result<(), BoxErr> {
    let conn = apalis_redis::connect(settings.url.as_str()).await?;
    let mut storage = RedisStorage::<Job>::new(conn).with_config(settings.apalis_config());
    let mut next = 0u64;
    while next < jobs {
        let end = (next + chunk as u64).min(jobs);
        let batch: Vec<Job> = (next..end).map(|n| Job { n }).collect();
        storage.push_bulk(batch).await?;
        next = end;
    }
    Ok(())
}

struct RunResult {
    secs: f64,
    handled: u64,
}

async fn run_once(
    args: &Args,
    conn: &mut redis::aio::MultiplexedConnection,
    workers: usize,
    tag: &str,
) -> Result<RunResult, BoxErr> {
    let s = &args.settings;
    let cfg = s.apalis_config();
    flushdb(conn).await?;

    let done_key = cfg.done_jobs_set();
    let (mut procs, start, push_done) = if args.push_first {
        // Backlog scenario: all N jobs are queued before any worker exists;
        // the time includes starting the worker processes.
        let start = Instant::now();
        push_jobs(s, args.jobs, args.push_chunk).await?;
        let push_done = start.elapsed();
        (Workers::spawn(s, workers, tag)?, start, push_done)
    } else {
        let mut procs = Workers::spawn(s, workers, tag)?;
        // Wait until every worker has registered (it then fetched an empty
        // queue and is idle, waiting for its wake-up strategy).
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            procs.check_alive()?;
            if int(conn, "ZCARD", &cfg.workers_set()).await? >= workers as u64 {
                break;
            }
            if Instant::now() > deadline {
                return Err("workers did not register within 30 s".into());
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        // Let them finish their first (empty) fetch and park.
        tokio::time::sleep(Duration::from_millis(200)).await;
        let start = Instant::now();
        push_jobs(s, args.jobs, args.push_chunk).await?;
        (procs, start, start.elapsed())
    };
    let deadline = start + args.timeout;
    loop {
        let done = int(conn, "SCARD", &done_key).await?;
        if done >= args.jobs {
            break;
        }
        if Instant::now() > deadline {
            let active = int(conn, "LLEN", &cfg.active_jobs_list()).await?;
            let handled = int(conn, "GET", HANDLED_KEY).await?;
            return Err(format!(
                "timeout after {:?}: done={done}/{} active(queued)={active} handled={handled}",
                args.timeout, args.jobs
            )
            .into());
        }
        procs.check_alive()?;
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    let secs = start.elapsed().as_secs_f64();

    // Give the workers' 5 ms counter flush a moment, then read the cross-check.
    tokio::time::sleep(Duration::from_millis(50)).await;
    let handled = int(conn, "GET", HANDLED_KEY).await?;
    let dead = int(conn, "SCARD", &cfg.dead_jobs_set()).await?;
    if dead > 0 {
        eprintln!("  warning: {dead} jobs in the dead set");
    }
    drop(procs);
    println!(
        "  W={workers} {tag}: {:.0} jobs/s ({} jobs in {secs:.3} s; push part {:.3} s; handler ran {handled}x)",
        args.jobs as f64 / secs,
        args.jobs,
        push_done.as_secs_f64(),
    );
    Ok(RunResult { secs, handled })
}

async fn parent_main(args: Args) -> Result<(), BoxErr> {
    let s = &args.settings;
    let client = redis::Client::open(s.url.as_str())?;
    let mut conn = client.get_multiplexed_async_connection().await?;
    let info: String = redis::cmd("INFO").arg("server").query_async(&mut conn).await?;
    let version = info
        .lines()
        .find_map(|l| l.strip_prefix("redis_version:"))
        .unwrap_or("?")
        .trim()
        .to_string();
    println!(
        "apalis-bench: apalis 1.0 + apalis-redis 1.0, redis-server {version} at {}",
        s.url
    );
    println!(
        "  jobs={} workers={:?} rounds={} batch_size={} push_chunk={} wake={} lock_tasks={} order={}",
        args.jobs,
        args.workers,
        args.rounds,
        s.batch_size,
        args.push_chunk,
        s.wake.to_arg(),
        s.lock_tasks,
        if args.push_first { "push-first" } else { "workers-first" }
    );

    // Push rate alone (no workers running).
    let mut best_push = f64::INFINITY;
    for round in 0..args.rounds {
        flushdb(&mut conn).await?;
        let start = Instant::now();
        push_jobs(s, args.jobs, args.push_chunk).await?;
        let secs = start.elapsed().as_secs_f64();
        // apalis-redis 1.0 stores every pushed job in the *scheduled* zset
        // (run_at defaults to "now"); it is moved to the active list by the
        // next fetch. Count both.
        let cfg = s.apalis_config();
        let queued = int(&mut conn, "LLEN", &cfg.active_jobs_list()).await?
            + int(&mut conn, "ZCARD", &cfg.scheduled_jobs_set()).await?;
        if queued != args.jobs {
            return Err(format!("push check: {queued} jobs queued, expected {}", args.jobs).into());
        }
        println!(
            "  push round {}: {:.0} jobs/s ({} jobs in {secs:.3} s)",
            round + 1,
            args.jobs as f64 / secs,
            args.jobs
        );
        best_push = best_push.min(secs);
    }

    let mut results = Vec::new();
    for &w in &args.workers {
        let mut best = f64::INFINITY;
        for round in 0..args.rounds {
            let r = run_once(&args, &mut conn, w, &format!("w{w}-r{}", round + 1)).await?;
            if r.handled != args.jobs {
                eprintln!(
                    "  note: handler ran {} times for {} jobs (redelivery or late counter flush)",
                    r.handled, args.jobs
                );
            }
            best = best.min(r.secs);
        }
        results.push((w, best));
    }
    flushdb(&mut conn).await?;

    let label = &args.label;
    let rate = |secs: f64| args.jobs as f64 / secs;
    println!();
    println!(
        "{label} push: {:.0} jobs/s ({} jobs in {best_push:.3} s)",
        rate(best_push),
        args.jobs
    );
    for &(w, secs) in &results {
        println!(
            "{label} W={w}: {:.0} jobs/s ({} jobs in {secs:.3} s)",
            rate(secs),
            args.jobs
        );
    }
    println!("RESULT {label} push jobs_per_s={:.0}", rate(best_push));
    for &(w, secs) in &results {
        println!("RESULT {label} workers={w} jobs_per_s={:.0}", rate(secs));
    }
    Ok(())
}
