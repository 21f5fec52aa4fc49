"""Pyventus's Redis (RQ) event emitter, end to end with RQ workers: the Python comparison row for
`benches/redis.rs`.

What it measures, against one throwaway local redis-server given by `--url`:

- **workers=W**: a small event (`Tick(n)`, a dataclass) with one trivial subscribed handler
  (`benches/redis_pyventus_rq_handlers.py`: it reads the event and counts the call with one Redis
  `INCR`), emitted N times through Pyventus's `RedisEventEmitter` (an `EventEmitter` whose
  `RedisProcessingService` enqueues each emission as one RQ job), run by W `rq worker` processes of
  `rq.worker.SimpleWorker` (no fork per job). The W workers are started first and the clock starts
  only once all of them are registered and idle, so their start-up (a Python interpreter importing
  rq and redis and registering: 0.15 to 0.85 s for all W on this 2-core machine, more the more workers;
  printed on the human line) is not counted. What is counted: each worker imports pyventus and the
  handler module on its first job (about 7 ms), as any RQ worker would.
  The clock runs from the first emit until every handler call has run (the counter reaches N) and RQ
  has recorded every job as finished (the queue's `FinishedJobRegistry` holds N jobs). The emitting
  process and the workers run at once, as in `benches/redis.rs`. Events per second = N / that time.
- **emit**: the emitting process alone (no workers): N emits, that is N RQ `Queue.enqueue` calls,
  one job at a time, each its own Redis round trips (nothing is batched across emits).

Each figure is the fastest of `--rounds` rounds (default 3); the server is `FLUSHDB`ed before every
round, so give it a server that holds nothing else. Workers log at WARNING (`--worker-log-level`), so
RQ's per-job INFO lines are not part of the figure.

Setup:

    python3 -m venv /tmp/rqvenv && /tmp/rqvenv/bin/pip install "pyventus[rq]"

Run (redis-server on the PATH; start a throwaway one, then stop it):

    redis-server --port 6412 --save "" --appendonly no --daemonize yes
    /tmp/rqvenv/bin/python benches/redis_pyventus_rq.py --url redis://127.0.0.1:6412
    redis-cli -p 6412 shutdown nosave

Options: `--events N` (default 2,000), `--workers 1,2,4`, `--rounds R` (default 3),
`--worker-log-level LEVEL` (default WARNING). Prints human lines and, for scripts,
`RESULT pyventus-rq workers=W events_per_s=X`, `RESULT pyventus-rq emit events_per_s=X` and
`RESULT pyventus-rq versions pyventus=.. rq=.. redis-py=.. python=..`.
"""

import argparse
import os
import platform
import signal
import subprocess
import sys
import tempfile
import time
from importlib.metadata import version
from pathlib import Path

import redis
from rq import Queue, Worker
from rq.registry import FailedJobRegistry, FinishedJobRegistry

from pyventus.events import EventLinker, RedisEventEmitter

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from redis_pyventus_rq_handlers import COUNTER_KEY, URL_VARIABLE, Tick, on_tick  # noqa: E402

QUEUE_NAME = "pyventus-rq-bench"
STARTUP_TIMEOUT_S = 60.0
POLL_S = 0.002


def options():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", required=True, help="redis://127.0.0.1:PORT of a throwaway server (it is FLUSHDBed)")
    parser.add_argument("--events", type=int, default=2000, help="events per round (default 2000)")
    parser.add_argument("--workers", default="1,2,4", help="worker counts, comma separated (default 1,2,4)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds per figure, fastest kept (default 3)")
    parser.add_argument("--worker-log-level", default="WARNING", help="the workers' --logging_level (default WARNING)")
    args = parser.parse_args()
    args.workers = [int(w) for w in args.workers.split(",") if w.strip()]
    if args.events < 1 or args.rounds < 1 or not args.workers or min(args.workers) < 1:
        parser.error("--events, --rounds and every worker count must be at least 1")
    return args


def emit_all(emitter, events):
    for n in range(events):
        emitter.emit(Tick(n))


def start_workers(url, count, log_level, log_dir):
    """Start `count` `rq worker` processes on the bench queue; return them with their log files."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(HERE), env.get("PYTHONPATH")) if p)
    env[URL_VARIABLE] = url
    workers = []
    for i in range(count):
        log = open(Path(log_dir) / f"worker-{len(os.listdir(log_dir))}.log", "w+b")
        command = [
            sys.executable, "-m", "rq.cli", "worker",
            "--url", url,
            "--worker-class", "rq.worker.SimpleWorker",
            "--logging_level", log_level,
            "--path", str(HERE),
            "--name", f"bench-{os.getpid()}-{time.monotonic_ns()}-{i}",
            QUEUE_NAME,
        ]  # fmt: skip
        process = subprocess.Popen(command, env=env, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT)
        workers.append((process, log))
    return workers


def log_tail(log):
    log.flush()
    log.seek(0)
    return log.read().decode(errors="replace")[-3000:]


def wait_ready(queue, workers, count):
    """Wait until `count` workers are registered on the queue and idle, or fail."""
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while True:
        for process, log in workers:
            if process.poll() is not None:
                sys.exit(f"an rq worker exited with {process.returncode} before the run:\n{log_tail(log)}")
        ready = [w for w in Worker.all(queue=queue) if w.get_state() == "idle"]
        if len(ready) >= count:
            return
        if time.monotonic() > deadline:
            sys.exit(f"only {len(ready)} of {count} rq workers became ready in {STARTUP_TIMEOUT_S:.0f} s")
        time.sleep(0.01)


def stop_workers(workers):
    """Warm shutdown (SIGTERM) of the workers this script started, SIGKILL if one hangs."""
    for process, _ in workers:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
    for process, log in workers:
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def wait_done(connection, queue, workers, events, timeout_s):
    """Poll until the handler ran `events` times and RQ finished `events` jobs; return when it saw that."""
    finished_key = FinishedJobRegistry(queue=queue).key
    failed_key = FailedJobRegistry(queue=queue).key
    deadline = time.monotonic() + timeout_s
    while True:
        pipe = connection.pipeline(transaction=False)
        pipe.get(COUNTER_KEY)
        pipe.zcard(finished_key)
        pipe.zcard(failed_key)
        handled, finished, failed = pipe.execute()
        now = time.perf_counter()
        handled = int(handled or 0)
        if handled >= events and finished >= events:
            return now
        if failed:
            job_id = connection.zrange(failed_key, 0, 0)[0].decode()
            job = queue.fetch_job(job_id)
            sys.exit(f"{failed} rq job(s) failed; the first:\n{job.latest_result().exc_string if job else job_id}")
        for process, log in workers:
            if process.poll() is not None:
                sys.exit(f"an rq worker exited with {process.returncode} during the run:\n{log_tail(log)}")
        if time.monotonic() > deadline:
            sys.exit(f"timed out: {handled} handler calls, {finished} finished jobs of {events}")
        time.sleep(POLL_S)


def main():
    args = options()
    connection = redis.Redis.from_url(args.url)
    connection.ping()
    versions = {
        "pyventus": version("pyventus"),
        "rq": version("rq"),
        "redis-py": version("redis"),
        "python": platform.python_version(),
        "redis-server": connection.info("server").get("redis_version", "?"),
    }
    print(
        f"Pyventus {versions['pyventus']}, RQ {versions['rq']}, redis-py {versions['redis-py']}, "
        f"Python {versions['python']}, redis-server {versions['redis-server']} at {args.url}; "
        f"{args.events} events, best of {args.rounds} rounds, {os.cpu_count()} CPUs"
    )

    EventLinker.subscribe(Tick, event_callback=on_tick)
    queue = Queue(QUEUE_NAME, connection=connection)
    emitter = RedisEventEmitter(queue=queue, debug=False)

    # Warm-up: the first enqueues pay for imports and caches.
    connection.flushdb()
    emit_all(emitter, min(args.events, 50))
    connection.flushdb()

    # The emit process alone.
    best_emit = 0.0
    for _ in range(args.rounds):
        connection.flushdb()
        start = time.perf_counter()
        emit_all(emitter, args.events)
        elapsed = time.perf_counter() - start
        queued = queue.count
        if queued != args.events:
            sys.exit(f"expected {args.events} queued jobs after emitting, found {queued}")
        best_emit = max(best_emit, args.events / elapsed)
    print(f"emit only (no workers): {best_emit:,.0f} events/s ({1e6 / best_emit:,.0f} us per emit)")

    # End to end, with W workers started (and idle) before the clock starts.
    results = []
    with tempfile.TemporaryDirectory(prefix="pyventus-rq-bench-") as log_dir:
        for count in args.workers:
            best, startup, emit_share, with_startup = 0.0, [], 0.0, 0.0
            for _ in range(args.rounds):
                connection.flushdb()
                started = time.perf_counter()
                workers = start_workers(args.url, count, args.worker_log_level, log_dir)
                try:
                    wait_ready(queue, workers, count)
                    startup.append(time.perf_counter() - started)
                    start = time.perf_counter()
                    emit_all(emitter, args.events)
                    emitted = time.perf_counter()
                    done = wait_done(connection, queue, workers, args.events, timeout_s=max(120.0, args.events / 5))
                finally:
                    stop_workers(workers)
                rate = args.events / (done - start)
                if rate > best:
                    best, emit_share = rate, (emitted - start) / (done - start)
                with_startup = max(with_startup, args.events / (done - start + startup[-1]))
            results.append((count, best))
            print(
                f"workers={count}: {best:,.0f} events/s end to end "
                f"(emitting took {emit_share:.0%} of that run; worker start-up, not timed: "
                f"{min(startup):.2f}-{max(startup):.2f} s; with it added: {with_startup:,.0f} events/s)"
            )
    connection.flushdb()

    for count, rate in results:
        print(f"RESULT pyventus-rq workers={count} events_per_s={rate:.0f}")
    print(f"RESULT pyventus-rq emit events_per_s={best_emit:.0f}")
    print("RESULT pyventus-rq versions " + " ".join(f"{name}={value}" for name, value in versions.items()))


if __name__ == "__main__":
    main()
