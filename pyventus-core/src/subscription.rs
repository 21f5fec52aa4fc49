//! Runtime subscriptions: closures added to a linker while the program runs.
//!
//! Runtime handlers of one `(event, linker)` live in a [`RuntimeList`]: a copy-on-write list behind a
//! read-write lock, plus a count. An emit first reads the count; when it is zero (no runtime subscriber,
//! the common case) it takes no lock and allocates nothing. Otherwise it clones the current list (an `Arc`)
//! and works on that snapshot: a handler subscribed or unsubscribed during the emit does not change it.

use std::any::type_name;
use std::fmt;
use std::future::Future;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, PoisonError, RwLock};

use crate::event::Event;
use crate::handler::{BoxFuture, HandlerReturn, Outcome, Site};
use crate::linker::Linker;

/// A handle on a runtime subscription, returned by [`Linker::subscribe`].
///
/// Dropping it does **not** unsubscribe (as in Pyventus, the subscription belongs to the linker); call
/// [`unsubscribe`](Subscription::unsubscribe).
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
    site: Site,
}

impl Subscription {
    /// Removes the handler from its linker. Returns `false` when it was already removed.
    ///
    /// An emit already under way still calls it (it works on a snapshot); later emits do not.
    pub fn unsubscribe(self) -> bool {
        self.list.remove(self.id)
    }

    /// Whether the handler is still subscribed.
    pub fn is_subscribed(&self) -> bool {
        self.list.contains(self.id)
    }

    /// The handler's name: the closure's or function's type name.
    pub fn handler(&self) -> &'static str {
        self.site.handler
    }

    /// The name of the event the handler is subscribed to.
    pub fn event(&self) -> &'static str {
        self.site.event
    }

    /// The name of the linker the handler is subscribed on.
    pub fn linker(&self) -> &'static str {
        self.site.linker_name()
    }
}

impl fmt::Debug for Subscription {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Subscription")
            .field("handler", &self.site.handler)
            .field("event", &self.site.event)
            .field("linker", &self.site.linker_name())
            .field("subscribed", &self.is_subscribed())
            .finish()
    }
}

/// Removal by id, whatever the event type of the list.
pub(crate) trait Unsubscribe {
    fn remove(&self, id: u64) -> bool;
    fn contains(&self, id: u64) -> bool;
}

/// Something a [`RuntimeList`] can find by id.
pub(crate) trait Identified {
    fn id(&self) -> u64;
}

/// A fresh id for a runtime subscription.
pub(crate) fn next_id() -> u64 {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

/// A sync or async runtime handler, type-erased.
pub(crate) enum RuntimeFn<E> {
    Sync(Box<dyn Fn(&E) -> Outcome + Send + Sync>),
    Async(Box<dyn for<'a> Fn(&'a E) -> BoxFuture<'a, Outcome> + Send + Sync>),
}

/// A handler subscribed at runtime.
pub(crate) struct RuntimeHandler<E> {
    pub(crate) id: u64,
    pub(crate) site: Site,
    pub(crate) call: RuntimeFn<E>,
}

impl<E> Identified for RuntimeHandler<E> {
    fn id(&self) -> u64 {
        self.id
    }
}

/// A copy-on-write list of runtime handlers with a lock-free emptiness check.
pub(crate) struct RuntimeList<T> {
    len: AtomicUsize,
    items: RwLock<Option<Arc<[Arc<T>]>>>,
}

impl<T: Identified> RuntimeList<T> {
    pub(crate) const fn new() -> Self {
        RuntimeList {
            len: AtomicUsize::new(0),
            items: RwLock::new(None),
        }
    }

    /// Whether the list is empty: one atomic load, no lock.
    #[inline]
    pub(crate) fn is_empty(&self) -> bool {
        self.len.load(Ordering::Acquire) == 0
    }

    pub(crate) fn len(&self) -> usize {
        self.len.load(Ordering::Acquire)
    }

    /// The current handlers, or `None` when there are none (without taking the lock).
    #[inline]
    pub(crate) fn snapshot(&self) -> Option<Arc<[Arc<T>]>> {
        if self.is_empty() {
            return None;
        }
        self.items
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Appends `item`.
    pub(crate) fn push(&self, item: Arc<T>) {
        let mut items = self.items.write().unwrap_or_else(PoisonError::into_inner);
        let mut next: Vec<Arc<T>> = items.as_deref().unwrap_or_default().to_vec();
        next.push(item);
        self.len.store(next.len(), Ordering::Release);
        *items = Some(next.into());
    }
}

impl<T: Identified> Unsubscribe for RuntimeList<T> {
    fn remove(&self, id: u64) -> bool {
        let mut items = self.items.write().unwrap_or_else(PoisonError::into_inner);
        let Some(current) = items.as_deref() else {
            return false;
        };
        if !current.iter().any(|item| item.id() == id) {
            return false;
        }
        let next: Vec<Arc<T>> = current
            .iter()
            .filter(|item| item.id() != id)
            .cloned()
            .collect();
        self.len.store(next.len(), Ordering::Release);
        *items = (!next.is_empty()).then(|| next.into());
        true
    }

    fn contains(&self, id: u64) -> bool {
        self.snapshot()
            .is_some_and(|items| items.iter().any(|item| item.id() == id))
    }
}

/// Subscribes a sync closure to `E` on `L`.
pub(crate) fn subscribe_sync<E, L, R, F>(handler: F) -> Subscription
where
    E: Event,
    L: Linker,
    R: HandlerReturn,
    F: Fn(&E) -> R + Send + Sync + 'static,
{
    let site = Site {
        handler: type_name::<F>(),
        event: E::NAME,
        linker: L::__meta,
    };
    let call = move |event: &E| handler(event).__into_outcome(&site);
    add::<E, L>(site, RuntimeFn::Sync(Box::new(call)))
}

/// Subscribes an async closure to `E` on `L`.
pub(crate) fn subscribe_async<E, L, R, F, Fut>(handler: F) -> Subscription
where
    E: Event,
    L: Linker,
    R: HandlerReturn,
    F: Fn(&E) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = R> + Send + 'static,
{
    let site = Site {
        handler: type_name::<F>(),
        event: E::NAME,
        linker: L::__meta,
    };
    let call: Box<dyn for<'a> Fn(&'a E) -> BoxFuture<'a, Outcome> + Send + Sync> =
        Box::new(move |event: &E| {
            let future = handler(event);
            Box::pin(async move { future.await.__into_outcome(&site) })
        });
    add::<E, L>(site, RuntimeFn::Async(call))
}

fn add<E: Event, L: Linker>(site: Site, call: RuntimeFn<E>) -> Subscription {
    let Some(slot) = E::__registry().slot(L::__meta()) else {
        panic!(
            "linker `{}` is not registered: pyventus relies on `inventory`, which does not support this platform",
            L::name()
        );
    };
    let id = next_id();
    slot.runtime.push(Arc::new(RuntimeHandler { id, site, call }));
    Subscription {
        id,
        list: &slot.runtime,
        site,
    }
}
