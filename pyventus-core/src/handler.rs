//! Compile-time handlers: what `#[subscribe]` registers, and how a handler's result becomes an outcome.
//!
//! `#[subscribe]` leaves the user's function untouched and adds, next to it, a `static` [`Handler`] that
//! holds a plain function pointer (a thin wrapper around the user's function) and the handler's identity
//! (its path, its event, its linker). The handler is registered with `inventory` through a
//! [`Registration`]; an event's registry collects its own handlers from those registrations once, on its
//! first emit.

use std::any::Any;
use std::fmt;
use std::future::Future;
use std::pin::Pin;

use crate::event::Event;
use crate::linker::LinkerMeta;

/// A boxed, sendable future: what async handlers return once type-erased.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// A sync handler, as stored: a function pointer to the `#[subscribe]` wrapper.
pub type SyncFn<E> = fn(&E) -> Outcome;

/// An async handler, as stored: a function pointer returning the handler's boxed future.
pub type AsyncFn<E> = for<'a> fn(&'a E) -> BoxFuture<'a, Outcome>;

/// Who a handler is: the identity every report and debug line carries.
#[doc(hidden)]
#[derive(Clone, Copy)]
pub struct Site {
    /// The handler's path (`crate::module::function`, or a closure's type name).
    pub handler: &'static str,
    /// The event's name.
    pub event: &'static str,
    /// The linker the handler is subscribed on.
    pub linker: fn() -> &'static LinkerMeta,
}

impl Site {
    /// The name of the linker the handler is subscribed on.
    pub fn linker_name(&self) -> &'static str {
        (self.linker)().name()
    }
}

impl fmt::Debug for Site {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Site")
            .field("handler", &self.handler)
            .field("event", &self.event)
            .field("linker", &self.linker_name())
            .finish()
    }
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
}

/// What a handler may return: `()` or a `Result` whose error is `Debug`.
///
/// An `Err` is reported through `tracing` at error level (target `pyventus`) with the handler's path and
/// the event's name; it never stops the other handlers of the emit.
#[diagnostic::on_unimplemented(
    message = "a handler must return `()` or `Result<T, E>` with `E: Debug`, not `{Self}`",
    label = "unsupported return type"
)]
pub trait HandlerReturn {
    /// Turns the returned value into an outcome, reporting an error at `site`.
    #[doc(hidden)]
    fn __into_outcome(self, site: &Site) -> Outcome;
}

impl HandlerReturn for () {
    #[inline]
    fn __into_outcome(self, _: &Site) -> Outcome {
        Outcome::Success
    }
}

impl<T, Err: fmt::Debug> HandlerReturn for Result<T, Err> {
    #[inline]
    fn __into_outcome(self, site: &Site) -> Outcome {
        match self {
            Ok(_) => Outcome::Success,
            Err(error) => {
                crate::report::error(site, &error);
                Outcome::Error
            }
        }
    }
}

/// The call of a compile-time handler.
#[doc(hidden)]
pub enum HandlerFn<E> {
    /// A plain `fn`.
    Sync(SyncFn<E>),
    /// An `async fn`.
    Async(AsyncFn<E>),
}

impl<E> fmt::Debug for HandlerFn<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            HandlerFn::Sync(_) => "Sync",
            HandlerFn::Async(_) => "Async",
        })
    }
}

impl<E> Clone for HandlerFn<E> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<E> Copy for HandlerFn<E> {}

/// A handler registered at compile time by `#[subscribe]`.
#[doc(hidden)]
pub struct Handler<E: Event> {
    pub(crate) site: Site,
    pub(crate) call: HandlerFn<E>,
    pub(crate) priority: i32,
}

impl<E: Event> Handler<E> {
    /// A handler with the default priority (0).
    pub const fn new(site: Site, call: HandlerFn<E>) -> Self {
        Handler {
            site,
            call,
            priority: 0,
        }
    }

    /// The same handler with another priority (higher runs first).
    pub const fn with_priority(mut self, priority: i32) -> Self {
        self.priority = priority;
        self
    }

    /// The handler's identity.
    pub fn site(&self) -> &Site {
        &self.site
    }
}

impl<E: Event> fmt::Debug for Handler<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Handler")
            .field("site", &self.site)
            .field("async", &matches!(self.call, HandlerFn::Async(_)))
            .field("priority", &self.priority)
            .finish()
    }
}

/// One `inventory` entry: a `&'static Handler<E>` of some event `E`.
#[doc(hidden)]
pub struct Registration {
    pub(crate) handler: &'static (dyn Any + Send + Sync),
}

impl Registration {
    /// Registers `handler`, which must be a `&'static Handler<E>`.
    pub const fn new(handler: &'static (dyn Any + Send + Sync)) -> Self {
        Registration { handler }
    }
}

impl fmt::Debug for Registration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Registration").finish_non_exhaustive()
    }
}

inventory::collect!(Registration);
