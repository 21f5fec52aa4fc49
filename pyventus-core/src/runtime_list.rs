//! Runtime handlers: closures subscribed while the program runs, and the copy-on-write list that holds them.
//!
//! Runtime handlers of one `(event, linker)` live in a [`RuntimeList`]: a copy-on-write list behind a
//! read-write lock, plus a count. An emit first reads the count; when it is zero (no runtime subscriber,
//! the common case) it takes no lock and allocates nothing. Otherwise it clones the current list (an `Arc`)
//! and works on that snapshot: a handler subscribed or unsubscribed during the emit does not change it.
//! Inline emits keep that snapshot per thread and reuse it while the slot is unchanged
//! (`registry/thread_cache.rs`), so the lock and the clone are paid once per change, not per emit.

use std::mem;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, PoisonError, RwLock};

use crate::handler::{BoxFuture, OnceFlag, Outcome};
use crate::meta::HandlerInfo;

/// Removal by id, whatever the event type of the list.
pub(crate) trait Unsubscribe {
    fn remove(&self, id: u64) -> bool;
    fn contains(&self, id: u64) -> bool;
}

/// A sync handler call, type-erased.
pub(crate) type SyncCall<E> = dyn Fn(&E) -> Outcome + Send + Sync;

/// An async handler call, type-erased: returns the future of the call, borrowing the event.
pub(crate) type AsyncCall<E> = dyn for<'a> Fn(&'a E) -> BoxFuture<'a, Outcome> + Send + Sync;

/// A sync handler that returns `()` and has nothing to do after it (no `on_success`), type-erased: the
/// user's closure as written, which the inline fast path calls directly.
pub(crate) type PlainCall<E> = dyn Fn(&E) + Send + Sync;

/// A sync or async runtime handler, type-erased. `E` is `dyn AnyEvent` for all-events handlers.
pub(crate) enum RuntimeFn<E: ?Sized> {
    Plain(Box<PlainCall<E>>),
    Sync(Box<SyncCall<E>>),
    Async(Box<AsyncCall<E>>),
}

/// A handler subscribed at runtime.
pub(crate) struct RuntimeHandler<E: ?Sized> {
    pub(crate) id: u64,
    pub(crate) info: HandlerInfo,
    pub(crate) once: Option<OnceFlag>,
    pub(crate) call: RuntimeFn<E>,
}

impl<E: ?Sized> RuntimeHandler<E> {
    /// Decides, at dispatch, whether this call goes ahead: always, or for a `once` handler, for the
    /// first dispatch only. A `once` handler that goes ahead is removed from `list`, its slot or linker.
    #[inline]
    pub(crate) fn claim(&self, list: &dyn Unsubscribe) -> bool {
        match &self.once {
            None => true,
            Some(flag) => {
                let first = flag.take();
                if first {
                    list.remove(self.id);
                }
                first
            }
        }
    }

    pub(crate) fn is_async(&self) -> bool {
        matches!(self.call, RuntimeFn::Async(_))
    }

    /// The closure as written, when it is a plain one (see [`PlainCall`]).
    #[inline]
    pub(crate) fn plain(&self) -> Option<&PlainCall<E>> {
        match &self.call {
            RuntimeFn::Plain(call) => Some(call.as_ref()),
            _ => None,
        }
    }
}

/// The runtime handlers of a list at one moment.
pub(crate) type Snapshot<E> = Arc<[Arc<RuntimeHandler<E>>]>;

/// A copy-on-write list of runtime handlers with a lock-free emptiness check.
pub(crate) struct RuntimeList<T> {
    len: AtomicUsize,
    items: RwLock<Option<Arc<[Arc<T>]>>>,
}

type Handlers<E> = RuntimeList<RuntimeHandler<E>>;

impl<E: ?Sized> Handlers<E> {
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
    pub(crate) fn snapshot(&self) -> Option<Snapshot<E>> {
        if self.is_empty() {
            return None;
        }
        self.items
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Appends `item`, unless the list already holds `max - others` items (`others` being subscribers
    /// counted against the same limit outside this list).
    pub(crate) fn push(
        &self,
        item: Arc<RuntimeHandler<E>>,
        max: Option<usize>,
        others: usize,
    ) -> Result<(), usize> {
        let mut items = self.items.write().unwrap_or_else(PoisonError::into_inner);
        let current = items.as_deref().unwrap_or_default();
        if let Some(max) = max
            && current.len() + others >= max
        {
            return Err(max);
        }
        let mut next = Vec::with_capacity(current.len() + 1);
        next.extend(current.iter().cloned());
        next.push(item);
        self.len.store(next.len(), Ordering::Release);
        *items = Some(next.into());
        Ok(())
    }

    /// Removes every handler; returns how many there were, and the old list, which the caller drops
    /// after releasing its locks (dropping a closure runs user code).
    pub(crate) fn clear(&self) -> (usize, Option<Snapshot<E>>) {
        let mut items = self.items.write().unwrap_or_else(PoisonError::into_inner);
        self.len.store(0, Ordering::Release);
        let old = items.take();
        (old.as_deref().map_or(0, <[_]>::len), old)
    }

    /// Removes the handler `id`; returns whether it was there, and the old list, which the caller drops
    /// after releasing its locks.
    pub(crate) fn remove(&self, id: u64) -> (bool, Option<Snapshot<E>>) {
        let mut items = self.items.write().unwrap_or_else(PoisonError::into_inner);
        let Some(current) = items.as_deref() else {
            return (false, None);
        };
        if !current.iter().any(|item| item.id == id) {
            return (false, None);
        }
        let next: Vec<_> = current
            .iter()
            .filter(|item| item.id != id)
            .cloned()
            .collect();
        self.len.store(next.len(), Ordering::Release);
        let old = mem::replace(&mut *items, (!next.is_empty()).then(|| next.into()));
        (true, old)
    }

    pub(crate) fn contains(&self, id: u64) -> bool {
        self.snapshot()
            .is_some_and(|items| items.iter().any(|item| item.id == id))
    }
}

/// The all-events list of a linker (not part of any slot's version: an emit reads it once).
impl<E: ?Sized> Unsubscribe for Handlers<E> {
    fn remove(&self, id: u64) -> bool {
        let (removed, old) = RuntimeList::remove(self, id);
        // Dropped outside the lock: a closure's captured state may unsubscribe or emit when dropped.
        drop(old);
        removed
    }

    fn contains(&self, id: u64) -> bool {
        RuntimeList::contains(self, id)
    }
}
