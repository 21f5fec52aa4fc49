//! The executor processor: a pool of threads fed by one queue (Pyventus's `ExecutorProcessingService`).
//!
//! `emit` queues each handler call as a [`Task`] and returns; each worker thread takes tasks in
//! submission order and runs them to completion (async handlers through [`block_on`](crate::block_on)).
//! Shutting down closes the queue and waits for the workers to drain it; a call submitted after that runs
//! on the submitting thread, with a warning, so that nothing submitted is lost.
//!
//! The queue is a `crossbeam-channel` (lock-free for the submitter; an idle worker spins briefly before
//! it parks, so a busy pool costs no wake-up call per task). Closing it without losing a call takes a
//! gate: a submitter counts itself in before it reads `open` and out after its send, and shutdown clears
//! `open`, waits until no submitter is in, and only then queues one stop message per worker. A call is
//! therefore either queued before the stop messages (and run by a worker) or sees the pool closed (and
//! runs on its own thread). The gate (`Gate`) is model-checked with `loom` at the end of this file (see
//! `registry/version.rs` for the command); its `SeqCst` fences are what `loom` can check, where a
//! `SeqCst` load or read-modify-write would be treated as `AcqRel` (a false alarm it raised here).

use std::cell::Cell;
use std::fmt;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::thread::{self, JoinHandle};

use crossbeam_channel::{Receiver, Sender};

use crate::dispatch::Emission;
use crate::event::Event;
use crate::processor::{EmitError, Processor};
use crate::report::report;
use crate::sync::{AtomicBool, AtomicUsize, Ordering, fence, yield_now};
use crate::task::Task;

/// Runs handler calls on a pool of threads: Pyventus's `ExecutorProcessingService`.
///
/// `emit` queues each handler call and returns at once; the pool's threads take calls in submission
/// order. Async handlers are driven to completion on the worker thread with [`block_on`](crate::block_on).
///
/// [`shutdown`](ExecutorProcessor::shutdown) stops accepting calls and waits until every queued and
/// running call has finished; dropping the last handle to the pool does the same, so nothing submitted is
/// lost. A call submitted after shutdown (for example by a handler emitting while the pool drains) runs
/// on the submitting thread instead, with a warning, so that nothing is lost;
/// [`EventEmitter::try_emit`](crate::EventEmitter::try_emit) refuses it instead and hands the event
/// back.
///
/// Handler calls start in submission order (an emit's in dispatch order, so by `priority`), but with
/// more than one thread they run at the same time and finish in any order: `priority` orders
/// submission, not completion. The same holds for the `TokioProcessor`.
///
/// Clones share the same pool.
///
/// # Examples
///
/// ```
/// use std::sync::atomic::{AtomicUsize, Ordering};
/// use pyventus::prelude::*;
///
/// #[event]
/// struct Resized(u32);
///
/// static AREA: AtomicUsize = AtomicUsize::new(0);
///
/// #[subscribe(Resized)]
/// fn record(e: &Resized) {
///     AREA.fetch_add(e.0 as usize, Ordering::Relaxed);
/// }
///
/// let emitter = EventEmitter::new(ExecutorProcessor::new(2));
/// for _ in 0..10 {
///     emitter.emit(Resized(3));
/// }
/// emitter.processor().shutdown(); // waits for all ten calls
/// assert_eq!(AREA.load(Ordering::Relaxed), 30);
/// ```
#[derive(Clone)]
pub struct ExecutorProcessor {
    pool: Arc<Pool>,
}

struct Pool {
    shared: Arc<Shared>,
    sender: Sender<Message>,
    workers: Mutex<Vec<JoinHandle<()>>>,
    threads: usize,
}

/// What a worker takes from the queue.
enum Message {
    Run(Task),
    /// One per worker, queued by shutdown after every accepted call.
    Stop,
}

struct Shared {
    receiver: Receiver<Message>,
    gate: Gate,
    /// Workers that have not exited yet.
    alive: Mutex<usize>,
    /// Signalled when a worker exits.
    exited: Condvar,
}

/// What submitters write on every emit, on a cache line of its own: beside what the workers read, each
/// emit would move the workers' line to the submitting core and back.
#[repr(align(128))]
struct Gate {
    /// Whether calls are accepted.
    open: AtomicBool,
    /// Submitters between counting themselves in and finishing their sends (see the module docs).
    submitting: AtomicUsize,
}

thread_local! {
    /// The pool this thread works for (its `Shared`'s address), or 0.
    static WORKER_OF: Cell<usize> = const { Cell::new(0) };
}

impl Shared {
    fn alive(&self) -> MutexGuard<'_, usize> {
        self.alive.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn address(self: &Arc<Self>) -> usize {
        Arc::as_ptr(self) as usize
    }

    fn work(self: Arc<Self>) {
        WORKER_OF.set(self.address());
        let _exit = WorkerExit(&self);
        while let Ok(Message::Run(task)) = self.receiver.recv() {
            // A task catches its handler's panics; this catches the rest (an event or a closure whose
            // `Drop` panics), so that the worker lives on.
            let handler = task.path();
            if let Err(payload) = catch_unwind(AssertUnwindSafe(|| task.run_blocking())) {
                let message = crate::panics::panic_message(&*payload);
                report!(error { handler = handler }
                    "a panic outside handler `{handler}` (while dropping its event or closure): {message}");
            }
        }
    }
}

/// Counts a worker out when it exits, however it exits.
struct WorkerExit<'a>(&'a Shared);

impl Drop for WorkerExit<'_> {
    fn drop(&mut self) {
        *self.0.alive() -= 1;
        self.0.exited.notify_all();
    }
}

impl Gate {
    /// Open, nobody submitting.
    fn new() -> Self {
        Gate {
            open: AtomicBool::new(true),
            submitting: AtomicUsize::new(0),
        }
    }

    /// Counts a submitter in, then tells whether calls are accepted. The submitter counts itself out
    /// (drops the guard) after its send.
    fn enter(&self) -> (Submitting<'_>, bool) {
        // Dekker-style with `close`: between the count and the read, a `SeqCst` fence, so that a
        // submitter that reads the gate open is counted when `close` reads the count. (Fences rather
        // than `SeqCst` accesses: the same guarantee, and the form `loom` can check.)
        self.submitting.fetch_add(1, Ordering::Relaxed);
        fence(Ordering::SeqCst);
        let open = self.open.load(Ordering::Relaxed);
        (Submitting(self), open)
    }

    /// Stops accepting calls; for the call that closed it (`true`), returns once every submitter that
    /// saw it open has finished its send, so that anything sent after this (the stop messages) comes
    /// after every accepted call.
    fn close(&self) -> bool {
        if !self.open.swap(false, Ordering::Relaxed) {
            return false;
        }
        fence(Ordering::SeqCst);
        // `Acquire`, pairing with each submitter's `Release` count-out: its send happened before.
        while self.submitting.load(Ordering::Acquire) > 0 {
            yield_now();
        }
        true
    }

    fn is_open(&self) -> bool {
        self.open.load(Ordering::Acquire)
    }
}

/// A submitter counted in at the gate (see the module docs); counts itself out when dropped.
struct Submitting<'a>(&'a Gate);

impl Drop for Submitting<'_> {
    fn drop(&mut self) {
        self.0.submitting.fetch_sub(1, Ordering::Release);
    }
}

impl ExecutorProcessor {
    /// A pool of `threads` threads; `0` means one per available core.
    ///
    /// If the system refuses to start a thread, the pool keeps the threads it got; with none at all,
    /// every call runs on the submitting thread (each reported through `tracing`).
    pub fn new(threads: usize) -> Self {
        let threads = if threads == 0 {
            thread::available_parallelism().map_or(1, |n| n.get())
        } else {
            threads
        };
        let (sender, receiver) = crossbeam_channel::unbounded();
        let shared = Arc::new(Shared {
            receiver,
            gate: Gate::new(),
            alive: Mutex::new(0),
            exited: Condvar::new(),
        });
        let mut workers = Vec::with_capacity(threads);
        for index in 0..threads {
            let worker_shared = Arc::clone(&shared);
            *shared.alive() += 1;
            let spawned = thread::Builder::new()
                .name(format!("pyventus-executor-{index}"))
                .spawn(move || worker_shared.work());
            match spawned {
                Ok(worker) => workers.push(worker),
                Err(error) => {
                    *shared.alive() -= 1;
                    report!(error {} "executor could start only {index} of {threads} threads: {error}");
                }
            }
        }
        if workers.is_empty() {
            shared.gate.close();
        }
        let threads = workers.len();
        ExecutorProcessor {
            pool: Arc::new(Pool {
                shared,
                sender,
                workers: Mutex::new(workers),
                threads,
            }),
        }
    }

    /// How many threads the pool runs.
    pub fn threads(&self) -> usize {
        self.pool.threads
    }

    /// Whether the pool stopped accepting calls: [`shutdown`](ExecutorProcessor::shutdown) was called, or
    /// the pool could start no thread at all.
    pub fn is_shutdown(&self) -> bool {
        !self.pool.shared.gate.is_open()
    }

    /// Stops accepting calls and waits for every queued and running call to finish.
    ///
    /// Calling it again, or from several threads at once, is allowed: every call waits. Called from a
    /// handler running on this pool, it stops accepting calls and returns at once (waiting there for the
    /// pool's own threads could deadlock); the pool still finishes every queued call.
    pub fn shutdown(&self) {
        self.pool.shutdown();
    }
}

impl Pool {
    fn shutdown(&self) {
        let shared = &self.shared;
        if shared.gate.close() {
            // Every submitter that saw the pool open has finished its sends: the stop messages come
            // after every accepted call.
            for _ in 0..self.threads {
                // The receiver lives in `shared`, which this pool holds: the send cannot fail.
                let _ = self.sender.send(Message::Stop);
            }
        }
        if WORKER_OF.get() == shared.address() {
            return;
        }
        let mut alive = shared.alive();
        while *alive > 0 {
            alive = shared
                .exited
                .wait(alive)
                .unwrap_or_else(PoisonError::into_inner);
        }
        drop(alive);
        // Every worker has exited: joining only collects them.
        let workers =
            std::mem::take(&mut *self.workers.lock().unwrap_or_else(PoisonError::into_inner));
        for worker in workers {
            if worker.join().is_err() {
                report!(error {} "an executor thread panicked outside a handler");
            }
        }
    }
}

impl Drop for Pool {
    fn drop(&mut self) {
        self.shutdown();
    }
}

impl Processor for ExecutorProcessor {
    fn try_dispatch<E: Event>(&self, emission: Emission<E>) -> Result<(), EmitError<E>> {
        if self.is_shutdown() {
            return Err(EmitError::ShutDown(emission.into_event()));
        }
        self.dispatch(emission);
        Ok(())
    }

    fn handle(&self) -> Option<Arc<dyn Processor + Send + Sync>> {
        Some(Arc::new(self.clone()))
    }

    fn submit(&self, task: Task) {
        let (gate, open) = self.pool.shared.gate.enter();
        let refused = if open { self.send(task) } else { Some(task) };
        drop(gate);
        if let Some(task) = refused {
            run_refused(task);
        }
    }
}

impl ExecutorProcessor {
    /// Queues `task`, or hands it back if the queue has no receiver left, which the pool's own one
    /// rules out (the caller then runs it).
    fn send(&self, task: Task) -> Option<Task> {
        match self.pool.sender.send(Message::Run(task)) {
            Ok(()) => None,
            Err(crossbeam_channel::SendError(Message::Run(task))) => Some(task),
            Err(crossbeam_channel::SendError(Message::Stop)) => None,
        }
    }
}

/// Runs on the submitting thread a call the pool did not take, and says so.
fn run_refused(task: Task) {
    let handler = task.path();
    report!(warn { handler = handler }
        "executor is shut down: running handler `{handler}` on the submitting thread");
    task.run_blocking();
}

impl fmt::Debug for ExecutorProcessor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ExecutorProcessor")
            .field("threads", &self.pool.threads)
            .field("queued", &self.pool.shared.receiver.len())
            .field("shut_down", &self.is_shutdown())
            .finish()
    }
}

#[cfg(all(test, pyventus_loom))]
mod loom_models {
    use loom::sync::{Arc, Mutex};
    use loom::thread;

    use super::Gate;

    #[derive(Debug, PartialEq)]
    enum Message {
        Run(usize),
        Stop,
    }

    #[test]
    fn loom_every_call_accepted_before_shutdown_is_queued_before_the_stop() {
        crate::loom_model::model(|| {
            let gate = Arc::new(Gate::new());
            let queue = Arc::new(Mutex::new(Vec::new()));
            // Two submitters, as `submit` does: count in, send if open, count out.
            let submitters: Vec<_> = (0..2)
                .map(|n| {
                    let (gate, queue) = (Arc::clone(&gate), Arc::clone(&queue));
                    thread::spawn(move || {
                        let (entered, open) = gate.enter();
                        if open {
                            queue.lock().unwrap().push(Message::Run(n));
                        }
                        drop(entered);
                        open
                    })
                })
                .collect();
            // Shutdown, as `Pool::shutdown` does: close, then the stop message.
            if gate.close() {
                queue.lock().unwrap().push(Message::Stop);
            }
            let accepted = submitters
                .into_iter()
                .map(|submitter| submitter.join().unwrap())
                .filter(|open| *open)
                .count();
            let queue = queue.lock().unwrap();
            let stop = queue.iter().position(|m| *m == Message::Stop).unwrap();
            assert_eq!(stop, queue.len() - 1, "nothing after the stop: {queue:?}");
            assert_eq!(
                stop, accepted,
                "every accepted call before the stop: {queue:?}"
            );
            assert!(!gate.close(), "closed once");
        });
    }
}
