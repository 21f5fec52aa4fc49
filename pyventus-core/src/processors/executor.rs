//! The executor processor: a pool of threads fed by one queue (Pyventus's `ExecutorProcessingService`).
//!
//! `emit` queues each handler call as a [`Task`] and returns; each worker thread takes tasks in
//! submission order and runs them to completion (async handlers through [`block_on`](crate::block_on)).
//! Shutting down closes the queue and waits for the workers to drain it; a call submitted after that runs
//! on the submitting thread, with a warning, so that nothing submitted is lost.

use std::cell::Cell;
use std::collections::VecDeque;
use std::fmt;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::thread::{self, JoinHandle};

use crate::dispatch::Emission;
use crate::event::Event;
use crate::processor::{EmitError, Processor};
use crate::report::report;
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
    workers: Mutex<Vec<JoinHandle<()>>>,
    threads: usize,
}

struct Shared {
    state: Mutex<Queue>,
    /// Signalled when a task is queued or the queue closes.
    ready: Condvar,
    /// Signalled when a worker exits.
    exited: Condvar,
}

struct Queue {
    tasks: VecDeque<Task>,
    open: bool,
    /// Workers that have not exited yet.
    alive: usize,
}

thread_local! {
    /// The pool this thread works for (its `Shared`'s address), or 0.
    static WORKER_OF: Cell<usize> = const { Cell::new(0) };
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, Queue> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn address(self: &Arc<Self>) -> usize {
        Arc::as_ptr(self) as usize
    }

    /// A worker's life: run tasks until the queue is closed and empty, then say so (also if it dies).
    fn work(self: Arc<Self>) {
        WORKER_OF.set(self.address());
        let _exit = WorkerExit(&self);
        while let Some(task) = self.next() {
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

    /// The next task, or `None` once the queue is closed and empty.
    fn next(&self) -> Option<Task> {
        let mut queue = self.lock();
        loop {
            if let Some(task) = queue.tasks.pop_front() {
                return Some(task);
            }
            if !queue.open {
                return None;
            }
            queue = self
                .ready
                .wait(queue)
                .unwrap_or_else(PoisonError::into_inner);
        }
    }
}

/// Counts a worker out when it ends, however it ends.
struct WorkerExit<'a>(&'a Shared);

impl Drop for WorkerExit<'_> {
    fn drop(&mut self) {
        self.0.lock().alive -= 1;
        self.0.exited.notify_all();
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
        let shared = Arc::new(Shared {
            state: Mutex::new(Queue {
                tasks: VecDeque::new(),
                open: true,
                alive: 0,
            }),
            ready: Condvar::new(),
            exited: Condvar::new(),
        });
        let mut workers = Vec::with_capacity(threads);
        for index in 0..threads {
            let worker_shared = Arc::clone(&shared);
            shared.lock().alive += 1;
            let spawned = thread::Builder::new()
                .name(format!("pyventus-executor-{index}"))
                .spawn(move || worker_shared.work());
            match spawned {
                Ok(worker) => workers.push(worker),
                Err(error) => {
                    shared.lock().alive -= 1;
                    report!(error {} "executor could start only {index} of {threads} threads: {error}");
                }
            }
        }
        if workers.is_empty() {
            shared.lock().open = false;
        }
        let threads = workers.len();
        ExecutorProcessor {
            pool: Arc::new(Pool {
                shared,
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
        !self.pool.shared.lock().open
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
        let mut queue = self.shared.lock();
        queue.open = false;
        self.shared.ready.notify_all();
        if WORKER_OF.get() == self.shared.address() {
            return;
        }
        while queue.alive > 0 {
            queue = self
                .shared
                .exited
                .wait(queue)
                .unwrap_or_else(PoisonError::into_inner);
        }
        drop(queue);
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
    /// Queues every handler call, unless the pool is shut down: then the emission is refused.
    fn try_dispatch<E: Event>(&self, emission: Emission<E>) -> Result<(), EmitError<E>> {
        if self.is_shutdown() {
            return Err(EmitError::ShutDown(emission.into_event()));
        }
        self.dispatch(emission);
        Ok(())
    }

    fn submit(&self, task: Task) {
        let mut queue = self.pool.shared.lock();
        if queue.open {
            queue.tasks.push_back(task);
            drop(queue);
            self.pool.shared.ready.notify_one();
        } else {
            drop(queue);
            let handler = task.path();
            report!(warn { handler = handler }
                "executor is shut down: running handler `{handler}` on the submitting thread");
            task.run_blocking();
        }
    }
}

impl fmt::Debug for ExecutorProcessor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let queue = self.pool.shared.lock();
        f.debug_struct("ExecutorProcessor")
            .field("threads", &self.pool.threads)
            .field("queued", &queue.tasks.len())
            .field("shut_down", &!queue.open)
            .finish()
    }
}
