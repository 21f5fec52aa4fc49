//! The tokio processor: every handler call becomes a tokio task (Pyventus's `AsyncIOProcessingService`).
//!
//! Inside a runtime, a call is spawned on the caller's runtime and `emit` returns at once; a shared
//! in-flight counter lets [`TokioProcessor::wait_for_tasks`] wait for every call of the processor and its
//! clones. Outside a runtime, the calls of one emit run on pyventus's background runtime and the emit
//! waits for them (see [`block_on`](crate::block_on) for where that runtime comes from).
//!
//! The wait is a counter and a `Notify`: a call counts itself in before it is spawned and out when it
//! ends (or is dropped), and the last one out wakes the waiters; a waiter registers for the wake-up
//! *before* it reads the counter, so a call that ends in between cannot be missed. That protocol is
//! model-checked with `loom` at the end of this file (against a stand-in for tokio's `Notify` with the
//! same contract, `sync/notify.rs`): the wait returns only after every call counted before it, and
//! follow-ups counted while it waits, have ended, and it never sleeps through the last one.

use std::fmt;
use std::pin::pin;
use std::sync::Arc;

use tokio::runtime::Handle;
use tokio::task::JoinHandle;

use crate::dispatch::Emission;
use crate::event::Event;
use crate::invoke::HandlerRef;
use crate::lend::Lend;
use crate::processor::Processor;
use crate::report::report;
use crate::sync::{AtomicUsize, Notify, Ordering};
use crate::task::{Alone, CallEvent, HoldsEvent, Task, run_call};

/// Runs each handler call as a tokio task: Pyventus's `AsyncIOProcessingService`.
///
/// **Inside a tokio runtime** (any flavor), every handler call of an emit becomes a task on the current
/// runtime and `emit` returns at once. Await [`wait_for_tasks`](TokioProcessor::wait_for_tasks) to wait for
/// every call submitted through this processor (and its clones), including calls submitted by handlers
/// while you wait.
///
/// **Outside a runtime**, `emit` still works: the calls run concurrently as tasks on pyventus's
/// *background runtime* (a small tokio runtime started on first use), and `emit` returns when all of them
/// have finished (as Pyventus's `asyncio.run` does when no event loop is running). A handler of such an
/// emit that emits again through a `TokioProcessor` is still "outside" the caller's runtimes: its emit
/// waits for its handlers too.
///
/// Sync handlers run on the runtime's worker threads like async ones; for handlers that block, use
/// [`blocking_sync_handlers(true)`](TokioProcessor::blocking_sync_handlers) to run them on tokio's
/// blocking pool instead. A handler task cut off by a runtime shutting down is reported through
/// `tracing` at warn level.
///
/// # Examples
///
/// ```
/// use std::sync::atomic::{AtomicUsize, Ordering};
/// use pyventus::prelude::*;
///
/// #[event]
/// struct Uploaded(u32);
///
/// static BYTES: AtomicUsize = AtomicUsize::new(0);
///
/// #[subscribe(Uploaded)]
/// async fn record(e: &Uploaded) {
///     tokio::time::sleep(std::time::Duration::from_millis(1)).await;
///     BYTES.fetch_add(e.0 as usize, Ordering::Relaxed);
/// }
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let emitter = EventEmitter::new(TokioProcessor::new());
/// emitter.emit(Uploaded(512)); // returns at once
/// emitter.processor().wait_for_tasks().await;
/// assert_eq!(BYTES.load(Ordering::Relaxed), 512);
/// # }
/// ```
#[derive(Clone, Default)]
#[cfg_attr(docsrs, doc(cfg(feature = "tokio")))]
pub struct TokioProcessor {
    tracker: Arc<Tracker>,
    blocking_sync: bool,
}

#[derive(Default)]
struct Tracker {
    in_flight: AtomicUsize,
    idle: Notify,
}

/// Counts one task in flight until dropped.
struct InFlight {
    tracker: Arc<Tracker>,
    handler: &'static str,
    finished: bool,
}

impl InFlight {
    fn enter(tracker: &Arc<Tracker>, handler: &'static str) -> Self {
        tracker.in_flight.fetch_add(1, Ordering::AcqRel);
        InFlight {
            tracker: Arc::clone(tracker),
            handler,
            finished: false,
        }
    }
}

impl InFlight {
    /// The task ran to its end (as opposed to being dropped by a runtime shutting down).
    fn finish(mut self) {
        self.finished = true;
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        if !self.finished {
            let handler = self.handler;
            report!(warn { handler = handler }
                "handler task `{handler}` was cancelled before it finished (its tokio runtime shut down)");
        }
        if self.tracker.in_flight.fetch_sub(1, Ordering::AcqRel) == 1 {
            self.tracker.idle.notify_waiters();
        }
    }
}

impl TokioProcessor {
    /// A processor whose sync handlers run on the runtime's worker threads.
    pub fn new() -> Self {
        TokioProcessor::default()
    }

    /// Runs sync handlers on tokio's blocking pool (`spawn_blocking`) when `enabled`, so a handler that
    /// blocks does not hold a worker thread (Pyventus's `force_async`).
    #[must_use]
    pub fn blocking_sync_handlers(mut self, enabled: bool) -> Self {
        self.blocking_sync = enabled;
        self
    }

    /// How many handler calls submitted through this processor have not finished yet.
    pub fn in_flight(&self) -> usize {
        self.tracker.in_flight.load(Ordering::Acquire)
    }

    /// Waits until every handler call submitted through this processor (or a clone) has finished,
    /// including calls submitted while waiting. Pyventus's `wait_for_tasks`.
    pub async fn wait_for_tasks(&self) {
        loop {
            let mut idle = pin!(self.tracker.idle.notified());
            idle.as_mut().enable();
            if self.in_flight() == 0 {
                return;
            }
            idle.await;
        }
    }

    fn spawn(&self, runtime: &Handle, task: Task) -> JoinHandle<()> {
        let in_flight = InFlight::enter(&self.tracker, task.path());
        if self.blocking_sync && !task.is_async() {
            runtime.spawn_blocking(move || {
                task.run_blocking();
                in_flight.finish();
            })
        } else {
            let future = task.into_future();
            runtime.spawn(async move {
                future.await;
                in_flight.finish();
            })
        }
    }

    /// The runtime to spawn on, when the caller is inside a runtime of its own. `None` outside any
    /// runtime, and on the background runtime (in a handler of an emit made outside any runtime), where an
    /// emit must wait for its handlers as it would outside.
    fn callers_runtime() -> Option<Handle> {
        Handle::try_current()
            .ok()
            .filter(|_| !crate::blocking::on_background_runtime())
    }

    /// Outside a runtime: run `tasks` on pyventus's background runtime and wait for all of them.
    fn run_to_completion(&self, tasks: impl Iterator<Item = Task>) {
        let runtime = crate::blocking::background_runtime();
        let handles: Vec<(&'static str, JoinHandle<()>)> = tasks
            .map(|task| (task.path(), self.spawn(runtime.handle(), task)))
            .collect();
        if handles.is_empty() {
            return;
        }
        crate::blocking::block_on(async {
            for (handler, handle) in handles {
                if let Err(error) = handle.await {
                    report!(error { handler = handler } "handler task `{handler}` did not complete: {error}");
                }
            }
        });
    }
}

impl Processor for TokioProcessor {
    fn handle(&self) -> Option<Arc<dyn Processor + Send + Sync>> {
        Some(Arc::new(self.clone()))
    }

    fn submit(&self, task: Task) {
        match Self::callers_runtime() {
            Some(runtime) => drop(self.spawn(&runtime, task)),
            None => self.run_to_completion(std::iter::once(task)),
        }
    }

    fn dispatch<E: Event>(&self, emission: Emission<E>) {
        match Self::callers_runtime() {
            Some(runtime) => {
                let debug = emission.is_debug();
                for (event, handler, scope) in emission.into_calls() {
                    let reached = handler.reached();
                    if self.blocking_sync && !reached.is_async() {
                        drop(self.spawn(&runtime, Task::new(event, handler, scope, debug)));
                        continue;
                    }
                    // The call's own future, spawned as it is: no `Task` box, no second future.
                    let info = reached.info();
                    if debug {
                        crate::report::submitted(&info);
                    }
                    let in_flight = InFlight::enter(&self.tracker, info.path);
                    match event {
                        CallEvent::Alone(event) => {
                            let call = (Alone(event), handler, scope);
                            spawn_call(&runtime, call, debug, in_flight);
                        }
                        CallEvent::Shared(event) => {
                            spawn_call(&runtime, (event, handler, scope), debug, in_flight);
                        }
                    }
                }
            }
            None => self.run_to_completion(emission.into_tasks()),
        }
    }
}

/// Spawns one handler call's own future (no `Task` box, no second future) on `runtime`.
fn spawn_call<E: Event>(
    runtime: &Handle,
    (event, handler, scope): (impl HoldsEvent<E>, HandlerRef<E>, Lend),
    debug: bool,
    in_flight: InFlight,
) {
    drop(runtime.spawn(async move {
        run_call(event, handler, scope, debug).await;
        in_flight.finish();
    }));
}

impl fmt::Debug for TokioProcessor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokioProcessor")
            .field("in_flight", &self.in_flight())
            .field("blocking_sync_handlers", &self.blocking_sync)
            .finish()
    }
}

#[cfg(all(test, pyventus_loom))]
mod loom_models {
    use loom::sync::Arc;
    use loom::sync::atomic::AtomicUsize;
    use loom::thread;

    use super::{InFlight, TokioProcessor};
    use crate::sync::Ordering;

    /// One handler call on a model thread: its work (counted in `done`, `Relaxed`: what the wait must
    /// make visible), then its end, as a task's `in_flight.finish()`.
    fn run(call: InFlight, done: &AtomicUsize) {
        done.fetch_add(1, Ordering::Relaxed);
        call.finish();
    }

    #[test]
    fn loom_wait_for_tasks_returns_only_after_every_call_finished() {
        crate::loom_model::model(|| {
            let processor = TokioProcessor::new();
            let done = Arc::new(AtomicUsize::new(0));
            let threads: Vec<_> = (0..2)
                .map(|_| {
                    let call = InFlight::enter(&processor.tracker, "loom::call");
                    let done = Arc::clone(&done);
                    thread::spawn(move || run(call, &done))
                })
                .collect();
            // A lost wake-up would leave this blocked forever: loom reports that as a deadlock.
            loom::future::block_on(processor.wait_for_tasks());
            assert_eq!(
                done.load(Ordering::Relaxed),
                2,
                "returned with a call running"
            );
            assert_eq!(processor.in_flight(), 0);
            for thread in threads {
                thread.join().unwrap();
            }
        });
    }

    #[test]
    fn loom_wait_for_tasks_waits_for_a_call_submitted_while_waiting() {
        crate::loom_model::model(|| {
            let processor = TokioProcessor::new();
            let done = Arc::new(AtomicUsize::new(0));
            let parent = InFlight::enter(&processor.tracker, "loom::parent");
            let thread = {
                let (tracker, done) =
                    (std::sync::Arc::clone(&processor.tracker), Arc::clone(&done));
                thread::spawn(move || {
                    // A handler emitting a follow-up: the follow-up is counted before the parent ends.
                    let child = InFlight::enter(&tracker, "loom::child");
                    let child = {
                        let done = Arc::clone(&done);
                        thread::spawn(move || run(child, &done))
                    };
                    run(parent, &done);
                    child.join().unwrap();
                })
            };
            loom::future::block_on(processor.wait_for_tasks());
            assert_eq!(
                done.load(Ordering::Relaxed),
                2,
                "returned before the follow-up ran"
            );
            thread.join().unwrap();
        });
    }
}
