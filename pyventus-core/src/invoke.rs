//! Calling one handler: catching its panic, reporting its fault, timing it in debug mode.

use std::future::Future;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Instant;

use crate::event::Event;
use crate::handler::{BoxFuture, Handler, HandlerFn, Outcome, Site};
use crate::report;
use crate::subscription::{RuntimeFn, RuntimeHandler};

/// A borrowed view of a handler's call, compile-time or runtime alike.
pub(crate) enum Call<'h, E> {
    Sync(&'h (dyn Fn(&E) -> Outcome + Send + Sync)),
    Async(&'h (dyn for<'a> Fn(&'a E) -> BoxFuture<'a, Outcome> + Send + Sync)),
}

impl<E: Event> Handler<E> {
    pub(crate) fn call_ref(&self) -> Call<'_, E> {
        match &self.call {
            HandlerFn::Sync(call) => Call::Sync(call),
            HandlerFn::Async(call) => Call::Async(call),
        }
    }
}

impl<E> RuntimeHandler<E> {
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
}

impl<E: Event> HandlerRef<E> {
    pub(crate) fn site(&self) -> &Site {
        match self {
            HandlerRef::Compiled(handler) => &handler.site,
            HandlerRef::Runtime(handler) => &handler.site,
        }
    }

    pub(crate) fn call_ref(&self) -> Call<'_, E> {
        match self {
            HandlerRef::Compiled(handler) => handler.call_ref(),
            HandlerRef::Runtime(handler) => handler.call_ref(),
        }
    }
}

/// Calls a sync handler, turning a panic into a reported [`Outcome::Panic`].
#[inline]
pub(crate) fn call_sync<E>(call: &(dyn Fn(&E) -> Outcome + Send + Sync), event: &E, site: &Site) -> Outcome {
    match catch_unwind(AssertUnwindSafe(|| call(event))) {
        Ok(outcome) => outcome,
        Err(payload) => {
            report::panic(site, &*payload);
            Outcome::Panic
        }
    }
}

/// Calls a handler, sync or async, to completion.
pub(crate) async fn call<E>(call: Call<'_, E>, event: &E, site: &Site) -> Outcome {
    match call {
        Call::Sync(call) => call_sync(call, event, site),
        Call::Async(call) => match catch_unwind(AssertUnwindSafe(|| call(event))) {
            Ok(future) => CatchUnwind { future, site }.await,
            Err(payload) => {
                report::panic(site, &*payload);
                Outcome::Panic
            }
        },
    }
}

/// Calls a handler in the caller's thread: sync handlers directly, async ones driven by [`block_on`].
///
/// [`block_on`]: crate::block_on
#[inline]
pub(crate) fn call_inline<E: Event>(handler: Call<'_, E>, event: &E, site: &Site, debug: bool) {
    if debug {
        report::submitted(site);
    }
    let started = debug.then(Instant::now);
    let outcome = match handler {
        Call::Sync(handler) => call_sync(handler, event, site),
        handler @ Call::Async(_) => crate::blocking::block_on(call(handler, event, site)),
    };
    if let Some(started) = started {
        report::finished(site, outcome, started.elapsed());
    }
}

/// A future that turns a panic while polling `future` into a reported [`Outcome::Panic`].
struct CatchUnwind<'s, F> {
    future: F,
    site: &'s Site,
}

impl<F: Future<Output = Outcome> + Unpin> Future for CatchUnwind<'_, F> {
    type Output = Outcome;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Outcome> {
        let this = &mut *self;
        match catch_unwind(AssertUnwindSafe(|| Pin::new(&mut this.future).poll(cx))) {
            Ok(poll) => poll,
            Err(payload) => {
                report::panic(this.site, &*payload);
                Poll::Ready(Outcome::Panic)
            }
        }
    }
}
