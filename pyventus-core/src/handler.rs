//! The vocabulary of handlers: what a handler may return, how a call ended, why it failed.
//!
//! Every other layer speaks these words; this module depends on nothing else in the crate.

use crate::sync::{AtomicBool, Ordering};
use std::convert::Infallible;
use std::fmt;
use std::future::Future;
use std::pin::Pin;

/// A boxed, sendable future: what async handlers return once type-erased.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Boxes the future of an async handler's wrapper (what `#[subscribe]` generates for an `async fn`).
#[doc(hidden)]
#[inline]
pub fn box_future<'a, T>(future: impl Future<Output = T> + Send + 'a) -> BoxFuture<'a, T> {
    Box::pin(future)
}

/// How one handler call ended.
#[doc(hidden)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// The handler returned normally (`()` or `Ok`).
    Success,
    /// The handler returned `Err`, which was reported.
    Error,
    /// The handler panicked, which was reported.
    Panic,
    /// The handler failed and its `on_failure` callback received the failure.
    FailureHandled,
    /// The handler was not called: one of its extractors rejected the call (reported, or passed to
    /// its `on_failure`).
    Rejected,
}

/// Why a handler failed: what an `on_failure` callback receives.
///
/// # Examples
///
/// ```
/// use pyventus::prelude::*;
/// use pyventus::Failure;
///
/// #[event]
/// struct Charge(u32);
///
/// fn declined(failure: Failure<String>) {
///     match failure {
///         Failure::Error(reason) => println!("declined: {reason}"),
///         Failure::Panic(message) => println!("crashed: {message}"),
///     }
/// }
///
/// #[subscribe(Charge, on_failure = declined)]
/// fn charge(e: &Charge) -> Result<(), String> {
///     if e.0 > 100 { Err(format!("{} is over the limit", e.0)) } else { Ok(()) }
/// }
///
/// EventEmitter::new(InlineProcessor).emit(Charge(500)); // prints "declined: 500 is over the limit"
/// ```
///
/// A handler that returns `()` cannot return an error, only panic: its callback takes `Failure` alone
/// (`Failure<Infallible>`, the default).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure<E = Infallible> {
    /// The handler returned `Err(error)`.
    Error(E),
    /// The handler panicked with this message; or it was not called, because one of its extractors
    /// could not be made (a `State<T>` its emitter was not given), and the message says why.
    Panic(String),
}

impl<E: fmt::Display> fmt::Display for Failure<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Failure::Error(error) => write!(f, "returned an error: {error}"),
            Failure::Panic(message) => write!(f, "panicked: {message}"),
        }
    }
}

impl<E: fmt::Debug + fmt::Display> std::error::Error for Failure<E> {}

/// What a handler may return: `()` or a `Result`.
///
/// Without an `on_failure` callback, an `Err` must be `Debug`: it is reported through `tracing` at error
/// level (target `pyventus`) with the handler's path and the event's name. It never stops the other
/// handlers of the emit.
#[diagnostic::on_unimplemented(
    message = "a handler must return `()` or `Result<T, E>`, not `{Self}`",
    label = "unsupported return type",
    note = "a closure that returns a future is subscribed with `subscribe_async` (or `once_async`), not `subscribe`"
)]
pub trait HandlerReturn {
    /// Whether this is `()`: a runtime closure returning it, on a linker without a default
    /// `on_success`, is called as it is written, with nothing to do after it.
    #[doc(hidden)]
    const IS_UNIT: bool = false;

    /// What `on_success` receives.
    type Value;
    /// What `on_failure` receives inside [`Failure::Error`].
    type Error;

    /// The returned value as a `Result`.
    fn into_result(self) -> Result<Self::Value, Self::Error>;
}

impl HandlerReturn for () {
    const IS_UNIT: bool = true;

    type Value = ();
    type Error = Infallible;

    #[inline]
    fn into_result(self) -> Result<(), Infallible> {
        Ok(())
    }
}

impl<T, E> HandlerReturn for Result<T, E> {
    type Value = T;
    type Error = E;

    #[inline]
    fn into_result(self) -> Result<T, E> {
        self
    }
}

/// A flag that can be taken once, by exactly one caller.
#[doc(hidden)]
#[derive(Debug, Default)]
pub struct OnceFlag(AtomicBool);

impl OnceFlag {
    /// A flag not taken yet.
    #[cfg(not(pyventus_loom))]
    #[allow(clippy::new_without_default)]
    pub const fn new() -> Self {
        OnceFlag(AtomicBool::new(false))
    }

    /// A flag not taken yet (`loom`'s atomics have no `const` constructor).
    #[cfg(pyventus_loom)]
    pub fn new() -> Self {
        OnceFlag(AtomicBool::new(false))
    }

    /// `true` for the first caller only, also under concurrent calls.
    #[inline]
    pub(crate) fn take(&self) -> bool {
        !self.0.swap(true, Ordering::AcqRel)
    }

    pub(crate) fn is_taken(&self) -> bool {
        self.0.load(Ordering::Acquire)
    }
}

#[cfg(all(test, pyventus_loom))]
mod loom_models {
    use loom::sync::Arc;
    use loom::sync::atomic::AtomicUsize;
    use loom::thread;

    use super::OnceFlag;
    use crate::sync::Ordering;

    #[test]
    fn loom_a_once_flag_is_taken_by_exactly_one_of_three_threads() {
        crate::loom_model::model(|| {
            let flag = Arc::new(OnceFlag::new());
            let takers = Arc::new(AtomicUsize::new(0));
            let threads: Vec<_> = (0..2)
                .map(|_| {
                    let (flag, takers) = (Arc::clone(&flag), Arc::clone(&takers));
                    thread::spawn(move || {
                        if flag.take() {
                            takers.fetch_add(1, Ordering::Relaxed);
                        }
                    })
                })
                .collect();
            if flag.take() {
                takers.fetch_add(1, Ordering::Relaxed);
            }
            for thread in threads {
                thread.join().unwrap();
            }
            assert_eq!(takers.load(Ordering::Relaxed), 1);
            assert!(flag.is_taken());
        });
    }
}
