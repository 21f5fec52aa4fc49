//! Compile-time handlers: what `#[subscribe]` generates for each handler.
//!
//! `#[subscribe]` leaves the user's function untouched and adds, next to it, a `static` [`Handler`] that
//! holds its call (the user's function itself when nothing needs to run around it, else a thin wrapper)
//! and its identity (its path, its event, its linker). The handler is registered with `inventory` through a
//! [`Registration`](crate::registry::Registration); an event's registry collects its own handlers from
//! those registrations once, on its first emit.

use std::fmt;

use crate::context::CallContext;
use crate::event::Event;
use crate::handler::{BoxFuture, OnceFlag, Outcome};
use crate::lend::Requirements;
use crate::meta::HandlerInfo;

/// Checks, in generated code, that a handler takes the event it is subscribed to, where the macro cannot
/// tell from the tokens (`#[subscribe(events::Paid)] fn f(e: &Paid)`): `Self` is that event, `Taken` the
/// type the handler takes by reference. Implemented when they are the same type; otherwise the message
/// says it in the event's terms.
#[doc(hidden)]
#[diagnostic::on_unimplemented(
    message = "this handler is subscribed to `{Self}`, so it takes `&{Self}`, not `&{Taken}`",
    label = "takes `&{Taken}`",
    note = "take the event it is subscribed to (`e: &{Self}`), or subscribe it to the event it takes (`#[subscribe({Taken})]`)"
)]
pub trait SubscribedTo<Taken> {
    /// The event, as the type the handler takes.
    fn pass(event: &Self) -> &Taken;
}

impl<E> SubscribedTo<E> for E {
    #[inline(always)]
    fn pass(event: &E) -> &E {
        event
    }
}

/// A sync handler, as stored: a function pointer to the `#[subscribe]` wrapper.
pub(crate) type SyncFn<E> = fn(&E) -> Outcome;

/// An async handler, as stored: a function pointer returning the handler's boxed future.
pub(crate) type AsyncFn<E> = for<'a> fn(&'a E) -> BoxFuture<'a, Outcome>;

/// A sync handler that takes extractors (or has callbacks, which may), as stored: its wrapper, which
/// makes them from the call's context.
pub(crate) type SyncWithFn<E> = fn(&E, &CallContext<'_>) -> Outcome;

/// An async handler that takes extractors (or has callbacks): its wrapper makes them, then returns the
/// handler's boxed future, which borrows only the event.
pub(crate) type AsyncWithFn<E> = for<'a> fn(&'a E, &CallContext<'_>) -> BoxFuture<'a, Outcome>;

/// The call of a compile-time handler.
#[doc(hidden)]
pub enum HandlerFn<E> {
    /// The user's function itself: sync, takes `&E`, returns `()`, no callbacks (no wrapper needed).
    Plain(fn(&E)),
    /// A sync `fn`, through its wrapper.
    Sync(SyncFn<E>),
    /// An `async fn`.
    Async(AsyncFn<E>),
    /// A sync `fn` that takes extractors or has callbacks, through its wrapper.
    SyncWith(SyncWithFn<E>),
    /// An `async fn` that takes extractors or has callbacks, through its wrapper.
    AsyncWith(AsyncWithFn<E>),
}

impl<E> HandlerFn<E> {
    /// Whether the call is an `async fn`.
    pub(crate) fn is_async(&self) -> bool {
        matches!(self, HandlerFn::Async(_) | HandlerFn::AsyncWith(_))
    }

    /// Whether the call needs the context of its emitter.
    pub(crate) fn takes_context(&self) -> bool {
        matches!(self, HandlerFn::SyncWith(_) | HandlerFn::AsyncWith(_))
    }
}

impl<E> fmt::Debug for HandlerFn<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            HandlerFn::Plain(_) => "Plain",
            HandlerFn::Sync(_) => "Sync",
            HandlerFn::Async(_) => "Async",
            HandlerFn::SyncWith(_) => "SyncWith",
            HandlerFn::AsyncWith(_) => "AsyncWith",
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
pub struct Handler<E> {
    pub(crate) info: HandlerInfo,
    pub(crate) call: HandlerFn<E>,
    pub(crate) priority: i32,
    /// Where the `#[subscribe]` is written (line, column): orders same-named handlers of one module.
    pub(crate) location: (u32, u32),
    /// Shared by the handlers of one `#[subscribe(A, B, once)]`: the first call of any of them takes it.
    pub(crate) once: Option<&'static OnceFlag>,
    /// Per extractor, the state types it reads (see `FromContext::required_states`).
    pub(crate) requires: Requirements,
}

// No `E: Event` bound on the constructors: a `#[subscribe]` of a type that is not an event then fails
// once per bound that matters (on the user's token), not once more per constructor.
impl<E> Handler<E> {
    /// A handler with the default priority (0).
    pub const fn new(info: HandlerInfo, call: HandlerFn<E>) -> Self {
        Handler {
            info,
            call,
            priority: 0,
            location: (0, 0),
            once: None,
            requires: &[],
        }
    }

    /// The same handler with another priority (higher runs first).
    pub const fn with_priority(mut self, priority: i32) -> Self {
        self.priority = priority;
        self
    }

    /// The same handler, written at `line`:`column`.
    pub const fn at(mut self, line: u32, column: u32) -> Self {
        self.location = (line, column);
        self
    }

    /// The same handler, called at most once (for all the events that share `flag`).
    pub const fn once(mut self, flag: &'static OnceFlag) -> Self {
        self.once = Some(flag);
        self
    }

    /// The same handler, whose extractors read the state types these functions list.
    pub const fn requires(
        mut self,
        requires: &'static [fn(&mut Vec<crate::lend::StateType>)],
    ) -> Self {
        self.requires = requires;
        self
    }

    /// The handler's identity.
    pub fn info(&self) -> &HandlerInfo {
        &self.info
    }
}

impl<E: Event> Handler<E> {
    /// Whether the handler is an `async fn`.
    pub(crate) fn is_async(&self) -> bool {
        self.call.is_async()
    }

    /// Decides, at dispatch, whether this call goes ahead: always, or for a `once` handler, for the
    /// first dispatch to take the flag.
    #[inline]
    pub(crate) fn claim(&self) -> bool {
        self.once.is_none_or(OnceFlag::take)
    }
}

impl<E: Event> fmt::Debug for Handler<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Handler")
            .field("info", &self.info)
            .field("call", &self.call)
            .field("priority", &self.priority)
            .field("once", &self.once.is_some())
            .finish()
    }
}
