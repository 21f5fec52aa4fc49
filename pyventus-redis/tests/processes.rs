//! Worker *processes* against a real redis-server: this binary runs the scenarios, and runs itself
//! again as each worker (`PYVENTUS_TEST_ROLE=worker`). No test harness: `main` runs the scenarios in
//! turn and panics (failing the test) at the first broken promise.
//!
//! - 10,000 events emitted here, two worker processes: every handler call done exactly once.
//! - A worker SIGKILLed while a handler is running: every call done at least once, and the dead
//!   worker's messages picked up by the other within the visibility timeout.
//! - Redis restarted mid-run (`appendonly yes`): emits, writes and acknowledgements resume, every
//!   call done at least once.
//!
//! Each worker appends one line per call to its own file: `start <n> <ms>` when a slow call starts,
//! `done <n> <ms>` when any call ends.

mod common;

use std::collections::BTreeMap;
use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use common::{RedisServer, eventually};
use pyventus::State;
use pyventus::prelude::*;
use pyventus::redis::{RedisProcessor, Worker};
use serde::{Deserialize, Serialize};

const VISIBILITY: Duration = Duration::from_secs(1);

#[event(serde)]
#[derive(Serialize, Deserialize)]
struct Job {
    n: u64,
    /// Sleeps this long (ms) before it is done.
    sleep: u64,
}

/// A worker's record of the calls it made: one file per worker process.
#[derive(Clone)]
struct Record(Arc<Mutex<File>>);

impl Record {
    fn line(&self, what: &str, n: u64) {
        let mut file = self.0.lock().unwrap();
        writeln!(file, "{what} {n} {}", now_ms()).unwrap();
        file.flush().unwrap();
    }
}

fn now_ms() -> u128 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_millis()
}

#[subscribe(Job)]
async fn job(job: &Job, State(record): State<Record>) {
    if job.sleep > 0 {
        record.line("start", job.n);
        tokio::time::sleep(Duration::from_millis(job.sleep)).await;
    }
    record.line("done", job.n);
}

fn main() {
    if std::env::var("PYVENTUS_TEST_ROLE").as_deref() == Ok("worker") {
        return worker_process();
    }
    let started = Instant::now();
    exactly_once_with_two_worker_processes();
    at_least_once_when_a_worker_is_killed_mid_handler();
    recovers_when_redis_restarts();
    println!("processes: 3 scenarios passed in {:?}", started.elapsed());
}

/// A worker process: runs until `<dir>/stop` exists.
fn worker_process() {
    let url = std::env::var("PYVENTUS_TEST_URL").unwrap();
    let dir = PathBuf::from(std::env::var("PYVENTUS_TEST_DIR").unwrap());
    let file = OpenOptions::new()
        .create(true)
        .append(true)
        .open(dir.join(format!("{}.log", std::process::id())))
        .unwrap();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let worker = Worker::new(&url)
            .with_state(Record(Arc::new(Mutex::new(file))))
            .visibility_timeout(VISIBILITY)
            .concurrency(2)
            .start()
            .await
            .unwrap();
        File::create(dir.join(format!("{}.ready", std::process::id()))).unwrap();
        while !dir.join("stop").exists() {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        let stats = worker.shutdown().await;
        eprintln!("worker {}: {stats:?}", std::process::id());
    });
}

/// A scenario's server, workers and their files.
struct Scene {
    server: RedisServer,
    dir: PathBuf,
    workers: Vec<Child>,
    runtime: tokio::runtime::Runtime,
}

impl Scene {
    fn new(name: &str, appendonly: bool) -> Option<Scene> {
        let server = RedisServer::start_with(appendonly)?;
        let dir =
            std::env::temp_dir().join(format!("pyventus-processes-{}-{name}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        Some(Scene {
            server,
            dir,
            workers: Vec::new(),
            runtime,
        })
    }

    fn spawn_workers(&mut self, count: usize) {
        for i in 0..count {
            let stderr = File::create(self.dir.join(format!("worker-{i}.err"))).unwrap();
            let child = Command::new(std::env::current_exe().unwrap())
                .env("PYVENTUS_TEST_ROLE", "worker")
                .env("PYVENTUS_TEST_URL", self.server.url())
                .env("PYVENTUS_TEST_DIR", &self.dir)
                .stderr(stderr)
                .spawn()
                .unwrap();
            self.workers.push(child);
        }
        let ready = |dir: &Path| {
            fs::read_dir(dir)
                .unwrap()
                .filter(|entry| {
                    entry
                        .as_ref()
                        .is_ok_and(|e| e.path().extension().is_some_and(|x| x == "ready"))
                })
                .count()
        };
        assert!(
            eventually(Duration::from_secs(30), || ready(&self.dir)
                >= self.workers.len()),
            "the worker processes started"
        );
    }

    /// Emits `jobs` through a `RedisProcessor` and waits until they are in Redis.
    fn emit(&self, jobs: impl IntoIterator<Item = Job>) {
        self.runtime.block_on(async {
            let processor = RedisProcessor::connect(&self.server.url()).await.unwrap();
            let emitter = EventEmitter::new(processor.clone());
            for job in jobs {
                emitter.emit(job);
            }
            processor.flush().await.unwrap();
        });
    }

    /// Per worker file (by pid), its lines.
    fn lines(&self) -> BTreeMap<u32, Vec<(String, u64, u128)>> {
        let mut all = BTreeMap::new();
        for entry in fs::read_dir(&self.dir).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_none_or(|x| x != "log") {
                continue;
            }
            let pid: u32 = path.file_stem().unwrap().to_str().unwrap().parse().unwrap();
            let text = fs::read_to_string(&path).unwrap();
            let lines = text
                .lines()
                .filter_map(|line| {
                    let mut parts = line.split(' ');
                    let what = parts.next()?.to_owned();
                    let n = parts.next()?.parse().ok()?;
                    let at = parts.next()?.parse().ok()?;
                    Some((what, n, at))
                })
                .collect();
            all.insert(pid, lines);
        }
        all
    }

    /// How many times each job was done, over all workers.
    fn done_counts(&self) -> BTreeMap<u64, usize> {
        let mut counts = BTreeMap::new();
        for lines in self.lines().values() {
            for (what, n, _) in lines {
                if what == "done" {
                    *counts.entry(*n).or_default() += 1;
                }
            }
        }
        counts
    }

    fn wait_all_done(&self, jobs: u64, within: Duration) {
        let done = eventually(within, || self.done_counts().len() as u64 == jobs);
        assert!(
            done,
            "{} of {jobs} jobs done within {within:?}",
            self.done_counts().len()
        );
    }

    /// Asks the live workers to stop and waits for them.
    fn stop_workers(&mut self) {
        File::create(self.dir.join("stop")).unwrap();
        for mut child in self.workers.drain(..) {
            let deadline = Instant::now() + Duration::from_secs(30);
            while child.try_wait().unwrap().is_none() && Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(20));
            }
            if child.try_wait().unwrap().is_none() {
                let _ = child.kill();
                panic!("a worker process did not stop within 30 s of being asked");
            }
        }
    }
}

impl Drop for Scene {
    fn drop(&mut self) {
        for child in &mut self.workers {
            let _ = child.kill();
            let _ = child.wait();
        }
        let _ = fs::remove_dir_all(&self.dir);
    }
}

fn exactly_once_with_two_worker_processes() {
    let Some(mut scene) = Scene::new("exactly-once", false) else {
        return;
    };
    scene.spawn_workers(2);
    let started = Instant::now();
    scene.emit((0..10_000).map(|n| Job { n, sleep: 0 }));
    scene.wait_all_done(10_000, Duration::from_secs(120));
    let elapsed = started.elapsed();
    scene.stop_workers();
    let counts = scene.done_counts();
    let twice: Vec<_> = counts.iter().filter(|(_, c)| **c != 1).collect();
    assert!(twice.is_empty(), "jobs not done exactly once: {twice:?}");
    let per_worker: Vec<usize> = scene.lines().values().map(Vec::len).collect();
    assert_eq!(per_worker.iter().sum::<usize>(), 10_000);
    assert!(
        per_worker.iter().all(|n| *n > 0),
        "both worker processes took work: {per_worker:?}"
    );
    println!("exactly once: 10,000 jobs, 2 worker processes {per_worker:?}, {elapsed:?}");
}

fn at_least_once_when_a_worker_is_killed_mid_handler() {
    let Some(mut scene) = Scene::new("sigkill", false) else {
        return;
    };
    scene.spawn_workers(2);
    // Job 100 sleeps 2 s: the worker running it is killed while it sleeps.
    scene.emit((0..1_000).map(|n| Job {
        n,
        sleep: if n == 100 { 2_000 } else { 0 },
    }));
    let pids: Vec<u32> = scene.workers.iter().map(Child::id).collect();
    let mut victim = None;
    assert!(
        eventually(Duration::from_secs(30), || {
            victim = scene.lines().into_iter().find_map(|(pid, lines)| {
                lines
                    .iter()
                    .any(|(what, n, _)| what == "start" && *n == 100)
                    .then_some(pid)
            });
            victim.is_some()
        }),
        "job 100 started"
    );
    let victim = victim.unwrap();
    let index = pids.iter().position(|pid| *pid == victim).unwrap();
    let mut killed = scene.workers.remove(index);
    // Well inside the 2 s handler: long enough for the calls finished before it to be acknowledged
    // (a worker sends those early when a call runs past 20 ms).
    std::thread::sleep(Duration::from_millis(200));
    killed.kill().unwrap(); // SIGKILL
    killed.wait().unwrap();
    let killed_at = now_ms();
    scene.wait_all_done(1_000, Duration::from_secs(60));
    let lines = scene.lines();
    assert!(
        !lines[&victim]
            .iter()
            .any(|(what, n, _)| what == "done" && *n == 100),
        "the killed worker did not finish job 100"
    );
    let survivor = pids.iter().find(|pid| **pid != victim).unwrap();
    let restarted = lines[survivor]
        .iter()
        .find(|(what, n, _)| what == "start" && *n == 100)
        .map(|(_, _, at)| *at)
        .expect("the survivor ran job 100 again");
    let picked_up = restarted.saturating_sub(killed_at);
    // Claimable once idle for the visibility timeout (counted from its delivery, before the kill),
    // found by a reclaim pass (every quarter of it), plus slack for this loaded 2-core machine.
    assert!(
        picked_up <= VISIBILITY.as_millis() * 5 / 4 + 500,
        "job 100 was picked up {picked_up} ms after the kill"
    );
    scene.stop_workers();
    let counts = scene.done_counts();
    assert!(counts.values().all(|c| *c >= 1));
    let repeated: Vec<u64> = counts
        .iter()
        .filter(|(_, c)| **c > 1)
        .map(|(n, _)| *n)
        .collect();
    let repeated = repeated.len();
    println!(
        "SIGKILL: 1,000 jobs all done, job 100 picked up {picked_up} ms after the kill \
         (visibility timeout {VISIBILITY:?}), {repeated} done twice"
    );
}

fn recovers_when_redis_restarts() {
    let Some(mut scene) = Scene::new("restart", true) else {
        return;
    };
    scene.spawn_workers(1);
    let url = scene.server.url();
    let total = 3_000u64;
    // Emit in a paced stream on the runtime while the server is restarted under it.
    let emitting = scene.runtime.spawn(async move {
        let processor = RedisProcessor::connect(&url).await.unwrap();
        let emitter = EventEmitter::new(processor.clone());
        for n in 0..total {
            emitter.emit(Job { n, sleep: 0 });
            if n % 100 == 99 {
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        }
        loop {
            match processor.flush().await {
                Ok(()) => break,
                Err(pyventus::redis::FlushError::Unreachable { .. }) => {
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
                Err(other) => panic!("{other}"),
            }
        }
        processor.stats()
    });
    assert!(
        eventually(Duration::from_secs(30), || scene.done_counts().len() >= 500),
        "work flows before the restart"
    );
    scene.server.restart();
    let stats = scene.runtime.block_on(emitting).unwrap();
    assert_eq!(stats.written, total, "{stats:?}");
    scene.wait_all_done(total, Duration::from_secs(60));
    scene.stop_workers();
    // The worker said that Redis went away and that it came back (on stderr: it set up no `tracing`).
    let said = fs::read_to_string(scene.dir.join("worker-0.err")).unwrap();
    assert!(
        said.contains("[pyventus] error: worker could not"),
        "{said}"
    );
    assert!(said.contains("worker reconnected to Redis"), "{said}");
    println!(
        "restart: {total} jobs all done after a Redis restart ({} write errors retried by the processor)",
        stats.write_errors
    );
}
