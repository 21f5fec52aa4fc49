//! Driving a future to completion from synchronous code.
//!
//! Async handlers may await tokio timers and IO, which need a tokio runtime. With the `tokio` feature,
//! [`block_on`] therefore runs the future:
//! - outside any runtime: on pyventus's *background runtime*, a small tokio runtime started on first use
//!   (2 worker threads at most, named `pyventus-runtime`), with the calling thread blocked until the
//!   future is done;
//! - inside a multi-thread runtime: on the caller's runtime, through `tokio::task::block_in_place`, so the
//!   handler sees the runtime it was emitted from;
//! - inside a current-thread runtime (whose only thread is the caller), or inside a `LocalSet` (where
//!   `block_in_place` is refused; tokio's panic message for that refusal still reaches the panic hook):
//!   on a helper thread that drives it on the background runtime, because blocking the caller's runtime
//!   from itself would deadlock. A handler that waits there for work of the caller's runtime would wait
//!   forever: use the [`TokioProcessor`](crate::processors::TokioProcessor) inside a current-thread
//!   runtime.
//!
//! Without the `tokio` feature, [`block_on`] parks the calling thread between polls.

use std::future::Future;

/// Runs `future` to completion on the calling thread and returns its output.
///
/// For custom [`Processor`](crate::Processor)s that run async handlers synchronously (see the module
/// docs of `blocking` for where the future runs). Works inside and outside tokio runtimes.
///
/// # Examples
///
/// ```
/// let answer = pyventus::block_on(async { 40 + 2 });
/// assert_eq!(answer, 42);
/// ```
pub fn block_on<F>(future: F) -> F::Output
where
    F: Future + Send,
    F::Output: Send,
{
    imp::block_on(future)
}

#[cfg(feature = "tokio")]
mod imp {
    use std::cell::Cell;
    use std::future::Future;
    use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};
    use std::sync::OnceLock;

    use tokio::runtime::{Handle, Runtime, RuntimeFlavor};

    pub(super) fn block_on<F>(future: F) -> F::Output
    where
        F: Future + Send,
        F::Output: Send,
    {
        match Handle::try_current() {
            Err(_) => {
                let _background = OnBackgroundRuntime::enter();
                background_runtime().block_on(future)
            }
            Ok(handle) if handle.runtime_flavor() == RuntimeFlavor::MultiThread => {
                // `block_in_place` refuses to run inside a `LocalSet`, before it touches the future;
                // then the future runs on a helper thread instead.
                let mut future = Some(future);
                let attempt = catch_unwind(AssertUnwindSafe(|| {
                    tokio::task::block_in_place(|| {
                        handle.block_on(future.take().expect("taken once"))
                    })
                }));
                match (attempt, future) {
                    (Ok(output), _) => output,
                    (Err(_), Some(future)) => on_helper_thread(future),
                    (Err(payload), None) => resume_unwind(payload),
                }
            }
            Ok(_) => on_helper_thread(future),
        }
    }

    /// Drives `future` on the background runtime from a helper thread, blocking the caller meanwhile.
    fn on_helper_thread<F>(future: F) -> F::Output
    where
        F: Future + Send,
        F::Output: Send,
    {
        std::thread::scope(|scope| {
            let helper = std::thread::Builder::new()
                .name("pyventus-block-on".into())
                .spawn_scoped(scope, || {
                    let _background = OnBackgroundRuntime::enter();
                    background_runtime().block_on(future)
                });
            match helper {
                Ok(helper) => helper
                    .join()
                    .unwrap_or_else(|payload| resume_unwind(payload)),
                Err(error) => panic!("pyventus could not start a helper thread: {error}"),
            }
        })
    }

    thread_local! {
        /// Whether this thread runs work for the background runtime: a worker of it, or a thread blocked in
        /// it on behalf of code that was outside any runtime.
        static ON_BACKGROUND_RUNTIME: Cell<bool> = const { Cell::new(false) };
    }

    /// Whether the caller runs on the background runtime, i.e. on behalf of code outside any runtime.
    pub(crate) fn on_background_runtime() -> bool {
        ON_BACKGROUND_RUNTIME.get()
    }

    /// Marks the current thread as working for pyventus's background runtime until dropped.
    struct OnBackgroundRuntime(bool);

    impl OnBackgroundRuntime {
        fn enter() -> Self {
            OnBackgroundRuntime(ON_BACKGROUND_RUNTIME.replace(true))
        }
    }

    impl Drop for OnBackgroundRuntime {
        fn drop(&mut self) {
            ON_BACKGROUND_RUNTIME.set(self.0);
        }
    }

    /// pyventus's background runtime, for async work started outside any runtime.
    pub(crate) fn background_runtime() -> &'static Runtime {
        static RUNTIME: OnceLock<Runtime> = OnceLock::new();
        RUNTIME.get_or_init(|| {
            let workers = std::thread::available_parallelism().map_or(1, |n| n.get().min(2));
            tokio::runtime::Builder::new_multi_thread()
                .worker_threads(workers)
                .thread_name("pyventus-runtime")
                .on_thread_start(|| ON_BACKGROUND_RUNTIME.set(true))
                .enable_all()
                .build()
                .unwrap_or_else(|error| {
                    panic!("pyventus could not start its tokio runtime: {error}")
                })
        })
    }
}

#[cfg(not(feature = "tokio"))]
mod imp {
    use std::future::Future;
    use std::pin::pin;
    use std::sync::Arc;
    use std::task::{Context, Poll, Wake, Waker};
    use std::thread::{self, Thread};

    struct Unpark(Thread);

    impl Wake for Unpark {
        fn wake(self: Arc<Self>) {
            self.0.unpark();
        }

        fn wake_by_ref(self: &Arc<Self>) {
            self.0.unpark();
        }
    }

    pub(super) fn block_on<F: Future>(future: F) -> F::Output {
        let mut future = pin!(future);
        let waker = Waker::from(Arc::new(Unpark(thread::current())));
        let mut cx = Context::from_waker(&waker);
        loop {
            if let Poll::Ready(output) = future.as_mut().poll(&mut cx) {
                return output;
            }
            thread::park();
        }
    }
}

#[cfg(feature = "tokio")]
pub(crate) use imp::{background_runtime, on_background_runtime};
