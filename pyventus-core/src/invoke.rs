//! Calling one handler: catching its panic, reporting its fault, timing it in debug mode.
//!
//! An emit reaches three kinds of handler (compile-time, runtime, all-events); [`Reached`] is one of them
//! borrowed, [`HandlerRef`] one of them owned by a task. Both call through the functions here, which are
//! the only place a handler call is made outside the inline fast path.

use std::sync::Arc;

use crate::callbacks;
use crate::event::{AnyEvent, Event};
use crate::handler::Outcome;
use crate::meta::HandlerInfo;
use crate::panics::{catch, catch_unwind_async};
use crate::registry::{Handler, HandlerFn};
use crate::report::{self, Stopwatch};
use crate::runtime_list::{AsyncCall, PlainCall, RuntimeFn, RuntimeHandler, SyncCall};

/// A borrowed view of a handler's call, compile-time or runtime alike. `E` is `dyn AnyEvent` for
/// all-events handlers.
enum Call<'h, E: ?Sized> {
    Plain(&'h PlainCall<E>),
    Sync(&'h SyncCall<E>),
    Async(&'h AsyncCall<E>),
}

impl<E: Event> Handler<E> {
    fn call_ref(&self) -> Call<'_, E> {
        match &self.call {
            HandlerFn::Plain(call) => Call::Plain(call),
            HandlerFn::Sync(call) => Call::Sync(call),
            HandlerFn::Async(call) => Call::Async(call),
        }
    }
}

impl<E: ?Sized> RuntimeHandler<E> {
    fn call_ref(&self) -> Call<'_, E> {
        match &self.call {
            RuntimeFn::Plain(call) => Call::Plain(call.as_ref()),
            RuntimeFn::Sync(call) => Call::Sync(call.as_ref()),
            RuntimeFn::Async(call) => Call::Async(call.as_ref()),
        }
    }
}

/// A handler an emit reached, borrowed from the emit's snapshot of its subscribers.
pub(crate) enum Reached<'s, E: Event> {
    Compiled(&'static Handler<E>),
    Runtime(&'s Arc<RuntimeHandler<E>>),
    All(&'s Arc<RuntimeHandler<dyn AnyEvent>>),
}

impl<E: Event> Clone for Reached<'_, E> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<E: Event> Copy for Reached<'_, E> {}

impl<'s, E: Event> Reached<'s, E> {
    /// The handler's identity, naming the event it is called with (also for all-events handlers).
    pub(crate) fn info(self) -> HandlerInfo {
        match self {
            Reached::Compiled(handler) => handler.info,
            Reached::Runtime(handler) => handler.info,
            Reached::All(handler) => handler.info.for_event(E::NAME, E::PATH),
        }
    }

    pub(crate) fn is_async(self) -> bool {
        match self {
            Reached::Compiled(handler) => handler.is_async(),
            Reached::Runtime(handler) => handler.is_async(),
            Reached::All(handler) => handler.is_async(),
        }
    }

    /// The same handler, owned (for a task that outlives the emit).
    pub(crate) fn to_owned(self) -> HandlerRef<E> {
        match self {
            Reached::Compiled(handler) => HandlerRef::Compiled(handler),
            Reached::Runtime(handler) => HandlerRef::Runtime(Arc::clone(handler)),
            Reached::All(handler) => HandlerRef::All(Arc::clone(handler)),
        }
    }

    /// Calls the handler in the caller's thread: a sync handler directly, an async one driven by
    /// [`block_on`](crate::block_on). Reports the handler's fault, and in debug mode its submission,
    /// outcome and duration.
    #[inline]
    pub(crate) fn call_inline(self, event: &E, debug: bool) {
        match self {
            Reached::Compiled(handler) => {
                call_inline(handler.call_ref(), event, &handler.info, debug)
            }
            Reached::Runtime(handler) => {
                call_inline(handler.call_ref(), event, &handler.info, debug)
            }
            Reached::All(handler) => {
                let info = handler.info.for_event(E::NAME, E::PATH);
                call_inline(handler.call_ref(), event as &dyn AnyEvent, &info, debug);
            }
        }
    }

    /// Runs the handler with `event` to completion, if it is sync.
    pub(crate) fn call_sync(self, event: &E, info: &HandlerInfo) -> Option<Outcome> {
        match self {
            Reached::Compiled(handler) => sync_only(handler.call_ref(), event, info),
            Reached::Runtime(handler) => sync_only(handler.call_ref(), event, info),
            Reached::All(handler) => sync_only(handler.call_ref(), event as &dyn AnyEvent, info),
        }
    }

    /// Runs the handler with `event`, sync or async, to completion.
    pub(crate) async fn call(self, event: &E, info: &HandlerInfo) -> Outcome {
        match self {
            Reached::Compiled(handler) => call(handler.call_ref(), event, info).await,
            Reached::Runtime(handler) => call(handler.call_ref(), event, info).await,
            Reached::All(handler) => call(handler.call_ref(), event as &dyn AnyEvent, info).await,
        }
    }
}

/// An owned reference to a handler, for tasks that outlive the emit.
pub(crate) enum HandlerRef<E: Event> {
    Compiled(&'static Handler<E>),
    Runtime(Arc<RuntimeHandler<E>>),
    All(Arc<RuntimeHandler<dyn AnyEvent>>),
}

impl<E: Event> HandlerRef<E> {
    /// The handler, borrowed: what calls it.
    pub(crate) fn reached(&self) -> Reached<'_, E> {
        match self {
            HandlerRef::Compiled(handler) => Reached::Compiled(handler),
            HandlerRef::Runtime(handler) => Reached::Runtime(handler),
            HandlerRef::All(handler) => Reached::All(handler),
        }
    }
}

/// Calls a handler in the caller's thread: a sync one directly, an async one driven by `block_on`.
#[inline]
fn call_inline<E: ?Sized + Sync>(call: Call<'_, E>, event: &E, info: &HandlerInfo, debug: bool) {
    if debug {
        report::submitted(info);
    }
    let stopwatch = Stopwatch::start(debug);
    let outcome = match call {
        Call::Plain(call) => call_plain(call, event, info),
        Call::Sync(call) => call_sync(call, event, info),
        call @ Call::Async(_) => crate::blocking::block_on(self::call(call, event, info)),
    };
    stopwatch.finish(info, outcome);
}

fn sync_only<E: ?Sized>(handler: Call<'_, E>, event: &E, info: &HandlerInfo) -> Option<Outcome> {
    match handler {
        Call::Plain(handler) => Some(call_plain(handler, event, info)),
        Call::Sync(handler) => Some(call_sync(handler, event, info)),
        Call::Async(_) => None,
    }
}

/// Calls a plain sync handler (see [`PlainCall`]), turning a panic into a reported [`Outcome::Panic`].
#[inline]
fn call_plain<E: ?Sized>(call: &PlainCall<E>, event: &E, info: &HandlerInfo) -> Outcome {
    match catch(|| call(event)) {
        Ok(()) => {
            callbacks::succeeded(info, (info.linker)().on_success());
            Outcome::Success
        }
        Err(payload) => report::panic(info, &*payload),
    }
}

/// Calls a sync handler, turning a panic into a reported [`Outcome::Panic`].
#[inline]
fn call_sync<E: ?Sized>(call: &SyncCall<E>, event: &E, info: &HandlerInfo) -> Outcome {
    match catch(|| call(event)) {
        Ok(outcome) => outcome,
        Err(payload) => report::panic(info, &*payload),
    }
}

/// Calls a handler, sync or async, to completion, turning a panic (while building the future or while
/// polling it) into a reported [`Outcome::Panic`].
async fn call<E: ?Sized>(call: Call<'_, E>, event: &E, info: &HandlerInfo) -> Outcome {
    let future = match call {
        Call::Plain(call) => return call_plain(call, event, info),
        Call::Sync(call) => return call_sync(call, event, info),
        Call::Async(call) => match catch(|| call(event)) {
            Ok(future) => future,
            Err(payload) => return report::panic(info, &*payload),
        },
    };
    match catch_unwind_async(future).await {
        Ok(outcome) => outcome,
        Err(payload) => report::panic(info, &*payload),
    }
}
