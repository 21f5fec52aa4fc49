//! Calling one handler: catching its panic, reporting its fault, timing it in debug mode.

use std::future::Future;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use crate::event::{AnyEvent, Event};
use crate::handler::Outcome;
use crate::meta::HandlerInfo;
use crate::registry::{Handler, HandlerFn};
use crate::report::{self, Stopwatch};
use crate::runtime_list::{AsyncCall, RuntimeFn, RuntimeHandler, SyncCall};

/// A borrowed view of a handler's call, compile-time or runtime alike. `E` is `dyn AnyEvent` for
/// all-events handlers.
pub(crate) enum Call<'h, E: ?Sized> {
    Sync(&'h SyncCall<E>),
    Async(&'h AsyncCall<E>),
}

impl<E: Event> Handler<E> {
    pub(crate) fn call_ref(&self) -> Call<'_, E> {
        match &self.call {
            HandlerFn::Sync(call) => Call::Sync(call),
            HandlerFn::Async(call) => Call::Async(call),
        }
    }
}

impl<E: ?Sized> RuntimeHandler<E> {
    pub(crate) fn call_ref(&self) -> Call<'_, E> {
        match &self.call {
            RuntimeFn::Sync(call) => Call::Sync(call.as_ref()),
            RuntimeFn::Async(call) => Call::Async(call.as_ref()),
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
    /// The handler's identity, naming the event it is called with (also for all-events handlers).
    pub(crate) fn info(&self) -> HandlerInfo {
        match self {
            HandlerRef::Compiled(handler) => handler.info,
            HandlerRef::Runtime(handler) => handler.info,
            HandlerRef::All(handler) => handler.info.for_event(E::NAME),
        }
    }

    pub(crate) fn is_async(&self) -> bool {
        match self {
            HandlerRef::Compiled(handler) => matches!(handler.call, HandlerFn::Async(_)),
            HandlerRef::Runtime(handler) => handler.is_async(),
            HandlerRef::All(handler) => handler.is_async(),
        }
    }

    /// Runs the handler with `event` to completion, if it is sync.
    pub(crate) fn call_sync(&self, event: &E, info: &HandlerInfo) -> Option<Outcome> {
        match self {
            HandlerRef::Compiled(handler) => sync_only(handler.call_ref(), event, info),
            HandlerRef::Runtime(handler) => sync_only(handler.call_ref(), event, info),
            HandlerRef::All(handler) => sync_only(handler.call_ref(), event as &dyn AnyEvent, info),
        }
    }

    /// Runs the handler with `event`, sync or async, to completion.
    pub(crate) async fn call(&self, event: &E, info: &HandlerInfo) -> Outcome {
        match self {
            HandlerRef::Compiled(handler) => call(handler.call_ref(), event, info).await,
            HandlerRef::Runtime(handler) => call(handler.call_ref(), event, info).await,
            HandlerRef::All(handler) => {
                call(handler.call_ref(), event as &dyn AnyEvent, info).await
            }
        }
    }
}

fn sync_only<E: ?Sized>(handler: Call<'_, E>, event: &E, info: &HandlerInfo) -> Option<Outcome> {
    match handler {
        Call::Sync(handler) => Some(call_sync(handler, event, info)),
        Call::Async(_) => None,
    }
}

/// Calls a sync handler, turning a panic into a reported [`Outcome::Panic`].
#[inline]
pub(crate) fn call_sync<E: ?Sized>(call: &SyncCall<E>, event: &E, info: &HandlerInfo) -> Outcome {
    match catch_unwind(AssertUnwindSafe(|| call(event))) {
        Ok(outcome) => outcome,
        Err(payload) => report::panic(info, &*payload),
    }
}

/// Calls a handler, sync or async, to completion.
pub(crate) async fn call<E: ?Sized>(call: Call<'_, E>, event: &E, info: &HandlerInfo) -> Outcome {
    match call {
        Call::Sync(call) => call_sync(call, event, info),
        Call::Async(call) => match catch_unwind(AssertUnwindSafe(|| call(event))) {
            Ok(future) => CatchUnwind { future, info }.await,
            Err(payload) => report::panic(info, &*payload),
        },
    }
}

/// Calls a handler in the caller's thread: sync handlers directly, async ones driven by [`block_on`].
///
/// [`block_on`]: crate::block_on
#[inline]
pub(crate) fn call_inline<E: ?Sized + Sync>(
    handler: Call<'_, E>,
    event: &E,
    info: &HandlerInfo,
    debug: bool,
) {
    if debug {
        report::submitted(info);
    }
    let stopwatch = Stopwatch::start(debug);
    let outcome = match handler {
        Call::Sync(handler) => call_sync(handler, event, info),
        handler @ Call::Async(_) => crate::blocking::block_on(call(handler, event, info)),
    };
    stopwatch.finish(info, outcome);
}

/// A future that turns a panic while polling `future` into a reported [`Outcome::Panic`].
struct CatchUnwind<'s, F> {
    future: F,
    info: &'s HandlerInfo,
}

impl<F: Future<Output = Outcome> + Unpin> Future for CatchUnwind<'_, F> {
    type Output = Outcome;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Outcome> {
        let this = &mut *self;
        match catch_unwind(AssertUnwindSafe(|| Pin::new(&mut this.future).poll(cx))) {
            Ok(poll) => poll,
            Err(payload) => Poll::Ready(report::panic(this.info, &*payload)),
        }
    }
}
