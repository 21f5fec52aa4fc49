//! Calling one handler: catching its panic, reporting its fault, timing it in debug mode.
//!
//! An emit reaches three kinds of handler (compile-time, runtime, all-events); [`Reached`] is one of them
//! borrowed, [`HandlerRef`] one of them owned by a task. Both call through the functions here, which are
//! the only place a handler call is made outside the inline fast path.

use std::sync::Arc;

use crate::callbacks;
use crate::context::CallContext;
use crate::event::{AnyEvent, Event};
use crate::handler::{BoxFuture, Outcome};
use crate::lend::EmitScope;
use crate::meta::HandlerInfo;
use crate::panics::{catch, catch_unwind_async};
use crate::registry::{AsyncWithFn, Handler, HandlerFn, SyncWithFn};
use crate::report::{self, Stopwatch};
use crate::runtime_list::{AsyncCall, PlainCall, RuntimeFn, RuntimeHandler, SyncCall};

/// A borrowed view of a handler's call, compile-time or runtime alike. `E` is `dyn AnyEvent` for
/// all-events handlers.
enum Call<'h, E: ?Sized> {
    Plain(&'h PlainCall<E>),
    Sync(&'h SyncCall<E>),
    Async(&'h AsyncCall<E>),
    /// A compile-time handler that takes its emitter's context (extractors, callbacks).
    SyncWith(SyncWithFn<E>, &'h HandlerInfo),
    AsyncWith(AsyncWithFn<E>, &'h HandlerInfo),
}

impl<E: ?Sized> Clone for Call<'_, E> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<E: ?Sized> Copy for Call<'_, E> {}

impl<E: Event> Handler<E> {
    fn call_ref(&self) -> Call<'_, E> {
        match &self.call {
            HandlerFn::Plain(call) => Call::Plain(call),
            HandlerFn::Sync(call) => Call::Sync(call),
            HandlerFn::Async(call) => Call::Async(call),
            HandlerFn::SyncWith(call) => Call::SyncWith(*call, &self.info),
            HandlerFn::AsyncWith(call) => Call::AsyncWith(*call, &self.info),
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
    pub(crate) fn call_inline(self, event: &E, debug: bool, scope: EmitScope<'_>) {
        match self {
            Reached::Compiled(handler) => {
                call_inline(handler.call_ref(), event, &handler.info, debug, scope)
            }
            Reached::Runtime(handler) => {
                call_inline(handler.call_ref(), event, &handler.info, debug, scope)
            }
            Reached::All(handler) => {
                let info = handler.info.for_event(E::NAME, E::PATH);
                let event = event as &dyn AnyEvent;
                call_inline(handler.call_ref(), event, &info, debug, scope);
            }
        }
    }

    /// Runs the handler with `event` to completion, if it is sync.
    pub(crate) fn call_sync(
        self,
        event: &E,
        info: &HandlerInfo,
        scope: EmitScope<'_>,
    ) -> Option<Outcome> {
        match self {
            Reached::Compiled(handler) => sync_only(handler.call_ref(), event, info, scope),
            Reached::Runtime(handler) => sync_only(handler.call_ref(), event, info, scope),
            Reached::All(handler) => {
                sync_only(handler.call_ref(), event as &dyn AnyEvent, info, scope)
            }
        }
    }

    /// Starts the handler with `event`: a sync one runs to completion, an async one is called up to
    /// its future (which borrows only the event).
    pub(crate) fn start<'e>(
        self,
        event: &'e E,
        info: &HandlerInfo,
        scope: EmitScope<'_>,
    ) -> Started<'e> {
        match self {
            Reached::Compiled(handler) => start(handler.call_ref(), event, info, scope),
            Reached::Runtime(handler) => start(handler.call_ref(), event, info, scope),
            Reached::All(handler) => start(handler.call_ref(), event as &dyn AnyEvent, info, scope),
        }
    }
}

/// A handler call, started: finished (sync), or the future of an async handler.
pub(crate) enum Started<'a> {
    Done(Outcome),
    Running(BoxFuture<'a, Outcome>),
}

impl Started<'_> {
    /// Runs the call to its end, turning a panic while polling into a reported [`Outcome::Panic`].
    pub(crate) async fn finish(self, info: &HandlerInfo) -> Outcome {
        match self {
            Started::Done(outcome) => outcome,
            Started::Running(future) => match catch_unwind_async(future).await {
                Ok(outcome) => outcome,
                Err(payload) => report::panic(info, &*payload),
            },
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
    /// Whether the call needs its emitter's context (a compile-time handler with extractors or
    /// callbacks).
    #[inline]
    pub(crate) fn takes_context(&self) -> bool {
        match self {
            HandlerRef::Compiled(handler) => handler.call.takes_context(),
            HandlerRef::Runtime(_) | HandlerRef::All(_) => false,
        }
    }

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
fn call_inline<E: ?Sized + Sync>(
    call: Call<'_, E>,
    event: &E,
    info: &HandlerInfo,
    debug: bool,
    scope: EmitScope<'_>,
) {
    if debug {
        report::submitted(info);
    }
    let stopwatch = Stopwatch::start(debug);
    let outcome = match sync_only(call, event, info, scope) {
        Some(outcome) => outcome,
        None => {
            let started = start(call, event, info, scope);
            crate::blocking::block_on(started.finish(info))
        }
    };
    stopwatch.finish(info, outcome);
}

fn sync_only<E: ?Sized>(
    handler: Call<'_, E>,
    event: &E,
    info: &HandlerInfo,
    scope: EmitScope<'_>,
) -> Option<Outcome> {
    match handler {
        Call::Plain(handler) => Some(call_plain(handler, event, info)),
        Call::Sync(handler) => Some(call_sync(handler, event, info)),
        Call::SyncWith(handler, own) => Some(call_sync_with(handler, event, own, info, scope)),
        Call::Async(_) | Call::AsyncWith(..) => None,
    }
}

/// Calls a sync handler that takes its emitter's context, turning a panic into a reported
/// [`Outcome::Panic`]. `own` is the handler's identity as its wrapper knows it; `info` names the event
/// it is called with.
#[inline]
fn call_sync_with<E: ?Sized>(
    call: SyncWithFn<E>,
    event: &E,
    own: &HandlerInfo,
    info: &HandlerInfo,
    scope: EmitScope<'_>,
) -> Outcome {
    match catch(|| call(event, &CallContext::new(own, scope))) {
        Ok(outcome) => outcome,
        Err(payload) => report::panic(info, &*payload),
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

/// Starts a handler call: a sync one runs, an async one is called up to its future. A panic while
/// building the future is a reported [`Outcome::Panic`].
fn start<'e, E: ?Sized>(
    call: Call<'_, E>,
    event: &'e E,
    info: &HandlerInfo,
    scope: EmitScope<'_>,
) -> Started<'e> {
    let built = match call {
        Call::Async(call) => catch(|| call(event)),
        Call::AsyncWith(call, own) => catch(|| call(event, &CallContext::new(own, scope))),
        Call::Plain(call) => return Started::Done(call_plain(call, event, info)),
        Call::Sync(call) => return Started::Done(call_sync(call, event, info)),
        Call::SyncWith(call, own) => {
            return Started::Done(call_sync_with(call, event, own, info, scope));
        }
    };
    match built {
        Ok(future) => Started::Running(future),
        Err(payload) => Started::Done(report::panic(info, &*payload)),
    }
}
