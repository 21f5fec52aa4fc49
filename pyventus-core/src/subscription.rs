//! Runtime subscriptions: closures added to a linker while the program runs, and their handles.
//!
//! The closures are stored in the [`RuntimeList`](crate::runtime_list::RuntimeList) of their event's slot;
//! the all-events subscribers of a linker live in one more such list, beside the linker's slots.

use std::any::type_name;
use std::fmt;
use std::future::Future;
use std::panic::Location;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::callbacks;
use crate::event::{AnyEvent, Event};
use crate::handler::{HandlerReturn, OnceFlag};
use crate::meta::{HandlerInfo, LinkerMeta, Origin};
use crate::registry::{ALL_EVENTS, all_events};
use crate::runtime_list::{AsyncCall, RuntimeFn, RuntimeHandler, Unsubscribe};

/// A handle on a runtime subscription, returned by [`Linker::subscribe`](crate::Linker::subscribe) and its siblings.
///
/// Dropping it does **not** unsubscribe (as in Pyventus, the subscription belongs to the linker); call
/// [`unsubscribe`](Subscription::unsubscribe), or turn it into a [`SubscriptionGuard`] with
/// [`into_guard`](Subscription::into_guard) to unsubscribe at the end of a scope.
///
/// # Examples
///
/// ```
/// use pyventus::prelude::*;
///
/// #[event]
/// struct Ping;
///
/// let sub = EventLinker::subscribe(|_: &Ping| {});
/// assert!(sub.is_subscribed());
/// assert!(sub.unsubscribe());
/// ```
pub struct Subscription {
    id: u64,
    list: &'static (dyn Unsubscribe + Send + Sync),
    info: HandlerInfo,
}

impl Subscription {
    /// Removes the handler from its linker. Returns `false` when it was already removed (by
    /// [`Linker::remove`](crate::Linker::remove), [`Linker::remove_event`](crate::Linker::remove_event), [`Linker::remove_all`](crate::Linker::remove_all), or because it was a `once`
    /// handler that ran).
    ///
    /// An emit already under way still calls it (it works on a snapshot); later emits do not.
    ///
    /// The closure (and what it captured) is dropped once nothing can call it: at once on this thread;
    /// a thread that emitted the event keeps a copy of the subscriber list, which it lets go of at its
    /// next emit to a runtime subscriber (of any event), or when it ends.
    pub fn unsubscribe(self) -> bool {
        self.list.remove(self.id)
    }

    /// Whether the handler is still subscribed.
    pub fn is_subscribed(&self) -> bool {
        self.list.contains(self.id)
    }

    /// Which handler this is: its path (the closure's type name), its event and its linker.
    pub fn info(&self) -> &HandlerInfo {
        &self.info
    }

    /// A guard that unsubscribes the handler when dropped, for subscriptions scoped to a block.
    ///
    /// # Examples
    ///
    /// ```
    /// use pyventus::prelude::*;
    ///
    /// #[event]
    /// struct Progress(u8);
    ///
    /// {
    ///     let _guard = EventLinker::subscribe(|p: &Progress| println!("{}%", p.0)).into_guard();
    ///     EventEmitter::new(InlineProcessor).emit(Progress(50)); // prints "50%"
    /// } // unsubscribed here
    /// assert_eq!(EventLinker::subscriber_count::<Progress>(), 0);
    /// ```
    #[must_use = "dropping the guard unsubscribes at once"]
    pub fn into_guard(self) -> SubscriptionGuard {
        SubscriptionGuard(Some(self))
    }
}

impl fmt::Debug for Subscription {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Subscription")
            .field("path", &self.info.path)
            .field("event", &self.info.event)
            .field("linker", &self.info.linker())
            .field("subscribed", &self.is_subscribed())
            .finish()
    }
}

/// Unsubscribes its handler when dropped. Made by [`Subscription::into_guard`].
#[must_use = "dropping the guard unsubscribes at once"]
pub struct SubscriptionGuard(Option<Subscription>);

impl SubscriptionGuard {
    /// Keeps the handler subscribed after all, and returns the plain handle.
    pub fn into_subscription(mut self) -> Subscription {
        self.0
            .take()
            .expect("a guard holds its subscription until dropped")
    }

    /// Which handler this is.
    pub fn info(&self) -> &HandlerInfo {
        &self
            .0
            .as_ref()
            .expect("a guard holds its subscription until dropped")
            .info
    }
}

impl Drop for SubscriptionGuard {
    fn drop(&mut self) {
        if let Some(subscription) = self.0.take() {
            subscription.unsubscribe();
        }
    }
}

impl fmt::Debug for SubscriptionGuard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("SubscriptionGuard").field(&self.0).finish()
    }
}

/// Why a runtime subscription was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum SubscribeError {
    /// The linker's `max_subscribers` is reached for this event.
    TooManySubscribers {
        /// The event's name (`"..."` for all-events subscriptions).
        event: &'static str,
        /// The linker's name.
        linker: &'static str,
        /// The linker's limit.
        max: usize,
    },
    /// The linker was never registered with `inventory`, so it has no subscribers at all. This happens
    /// only on platforms `inventory` does not support (or for a `Linker` implemented by hand instead of
    /// declared with `#[linker]`).
    LinkerNotRegistered {
        /// The linker's name.
        linker: &'static str,
    },
}

impl fmt::Display for SubscribeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SubscribeError::TooManySubscribers { event, linker, max } => write!(
                f,
                "the event `{event}` has reached the maximum of {max} subscriber(s) allowed on linker `{linker}`"
            ),
            SubscribeError::LinkerNotRegistered { linker } => write!(
                f,
                "linker `{linker}` is not registered: declare it with `#[pyventus::linker]`; registration relies \
                 on `inventory`, which supports Linux, macOS, Windows, the BSDs, iOS and Android"
            ),
        }
    }
}

impl std::error::Error for SubscribeError {}

/// Unwraps a subscription, panicking with the error's message at the caller's line (the plain forms of
/// the `try_` functions).
#[track_caller]
pub(crate) fn or_panic(result: Result<Subscription, SubscribeError>) -> Subscription {
    match result {
        Ok(subscription) => subscription,
        Err(error) => panic!("{error}"),
    }
}

/// A fresh id for a runtime subscription.
fn next_id() -> u64 {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

/// How a runtime subscription is asked for: on which linker, under which name, whether `once`.
#[derive(Clone, Copy)]
pub(crate) struct Request {
    pub(crate) linker: fn() -> &'static LinkerMeta,
    pub(crate) name: Option<&'static str>,
    pub(crate) once: bool,
}

impl Request {
    /// Who the subscription is: a fresh id, the caller's location, the name.
    #[track_caller]
    fn origin(&self) -> Origin {
        Origin {
            id: next_id(),
            location: Location::caller(),
            name: self.name,
        }
    }
}

/// The identity of a closure of type `F` subscribed to `E` as `request` asks, from the caller's line.
#[track_caller]
fn runtime_info<E: Event, F>(request: &Request) -> HandlerInfo {
    HandlerInfo::runtime(
        type_name::<F>(),
        (E::NAME, E::PATH),
        request.linker,
        request.origin(),
    )
}

/// Subscribes a sync closure to `E`.
#[track_caller]
pub(crate) fn add_sync<E, R, F>(
    request: Request,
    handler: F,
) -> Result<Subscription, SubscribeError>
where
    E: Event,
    R: HandlerReturn,
    R::Error: fmt::Debug,
    F: Fn(&E) -> R + Send + Sync + 'static,
{
    let info = runtime_info::<E, F>(&request);
    let on_success = (request.linker)().on_success();
    if R::IS_UNIT && on_success.is_none() {
        // Returns `()` (nothing to discard) and nothing follows it: kept as written.
        let plain = move |event: &E| drop(handler(event));
        return add::<E>(info, request.once, RuntimeFn::Plain(Box::new(plain)));
    }
    let call = move |event: &E| callbacks::finish(handler(event), &info, on_success);
    add::<E>(info, request.once, RuntimeFn::Sync(Box::new(call)))
}

/// Subscribes an async closure to `E`.
#[track_caller]
pub(crate) fn add_async<E, R, F, Fut>(
    request: Request,
    handler: F,
) -> Result<Subscription, SubscribeError>
where
    E: Event,
    R: HandlerReturn,
    R::Error: fmt::Debug,
    F: Fn(&E) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = R> + Send + 'static,
{
    let info = runtime_info::<E, F>(&request);
    let on_success = (request.linker)().on_success();
    let call: Box<AsyncCall<E>> = Box::new(move |event: &E| {
        let future = handler(event);
        Box::pin(async move { callbacks::finish(future.await, &info, on_success) })
    });
    add::<E>(info, request.once, RuntimeFn::Async(call))
}

fn add<E: Event>(
    info: HandlerInfo,
    once: bool,
    call: RuntimeFn<E>,
) -> Result<Subscription, SubscribeError> {
    let meta = info.linker_meta();
    let slot = E::__registry()
        .slot(meta)
        .ok_or(SubscribeError::LinkerNotRegistered {
            linker: meta.name(),
        })?;
    let id = info.subscription_id().unwrap_or_default();
    let handler = RuntimeHandler {
        id,
        info,
        once: once.then(OnceFlag::new),
        call,
    };
    slot.subscribe(Arc::new(handler))
        .map_err(|max| SubscribeError::TooManySubscribers {
            event: E::NAME,
            linker: meta.name(),
            max,
        })?;
    Ok(Subscription {
        id,
        list: slot,
        info,
    })
}

/// Subscribes a closure to every event of the linker.
#[track_caller]
pub(crate) fn add_all<R, F>(request: Request, handler: F) -> Result<Subscription, SubscribeError>
where
    R: HandlerReturn,
    R::Error: fmt::Debug,
    F: Fn(&dyn AnyEvent) -> R + Send + Sync + 'static,
{
    let meta = (request.linker)();
    let origin = request.origin();
    let info = HandlerInfo::runtime(
        type_name::<F>(),
        (ALL_EVENTS, ALL_EVENTS),
        request.linker,
        origin,
    );
    let on_success = meta.on_success();
    let id = origin.id;
    let call = move |event: &dyn AnyEvent| {
        let info = info.for_event(event.name(), event.path());
        callbacks::finish(handler(event), &info, on_success)
    };
    let handler = RuntimeHandler {
        id,
        info,
        once: None,
        call: RuntimeFn::Sync(Box::new(call)),
    };
    let all = all_events(meta).ok_or(SubscribeError::LinkerNotRegistered {
        linker: meta.name(),
    })?;
    all.push(Arc::new(handler), meta.max_subscribers(), 0)
        .map_err(|max| SubscribeError::TooManySubscribers {
            event: ALL_EVENTS,
            linker: meta.name(),
            max,
        })?;
    Ok(Subscription {
        id,
        list: all,
        info,
    })
}
