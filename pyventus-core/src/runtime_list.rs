//! Runtime handlers: closures subscribed while the program runs, and the copy-on-write list that holds them.
//!
//! Runtime handlers of one `(event, linker)` live in a [`RuntimeList`]: a copy-on-write list behind a
//! read-write lock, plus a count. An emit first reads the count; when it is zero (no runtime subscriber,
//! the common case) it takes no lock and allocates nothing. Otherwise it clones the current list (an `Arc`)
//! and works on that snapshot: a handler subscribed or unsubscribed during the emit does not change it.
//! Inline emits keep that snapshot per thread and reuse it while the slot is unchanged
//! (`registry/thread_cache.rs`), so the lock and the clone are paid once per change, not per emit.

use std::mem;
use std::sync::{Arc, PoisonError};

use crate::sync::{AtomicUsize, Ordering, RwLock};

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
    pub(crate) fn new() -> Self {
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

#[cfg(all(test, pyventus_loom))]
mod loom_models {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering as StdOrdering};

    use loom::thread;

    use super::{RuntimeFn, RuntimeHandler, RuntimeList, Unsubscribe};
    use crate::meta::{HandlerInfo, LinkerMeta};

    static LINKER: LinkerMeta = LinkerMeta::new("loom");

    fn linker() -> &'static LinkerMeta {
        &LINKER
    }

    /// Counts the handlers dropped: each closure owns one of these.
    struct Dropped(Arc<AtomicUsize>);

    impl Drop for Dropped {
        fn drop(&mut self) {
            self.0.fetch_add(1, StdOrdering::Relaxed);
        }
    }

    fn handler(id: u64, dropped: &Arc<AtomicUsize>) -> Arc<RuntimeHandler<u32>> {
        let owned = Dropped(Arc::clone(dropped));
        Arc::new(RuntimeHandler {
            id,
            info: HandlerInfo::new("loom::handler", "u32", "u32", linker),
            once: None,
            call: RuntimeFn::Plain(Box::new(move |_: &u32| {
                let _ = &owned;
            })),
        })
    }

    fn ids(list: &RuntimeList<RuntimeHandler<u32>>) -> Vec<u64> {
        list.snapshot()
            .map(|items| items.iter().map(|item| item.id).collect())
            .unwrap_or_default()
    }

    #[test]
    fn loom_a_snapshot_is_a_list_that_existed_and_nothing_leaks() {
        crate::loom_model::model(|| {
            let dropped = Arc::new(AtomicUsize::new(0));
            let list = loom::sync::Arc::new(RuntimeList::new());
            let adder = {
                let (list, dropped) = (loom::sync::Arc::clone(&list), Arc::clone(&dropped));
                thread::spawn(move || {
                    list.push(handler(1, &dropped), None, 0).unwrap();
                    list.push(handler(2, &dropped), None, 0).unwrap();
                })
            };
            let remover = {
                let list = loom::sync::Arc::clone(&list);
                // Dropped outside the lock, as `Unsubscribe::remove` does.
                thread::spawn(move || Unsubscribe::remove(&*list, 1))
            };
            let seen = ids(&list);
            let existed: [&[u64]; 4] = [&[], &[1], &[1, 2], &[2]];
            assert!(
                existed.contains(&seen.as_slice()),
                "a list that never existed: {seen:?}"
            );
            adder.join().unwrap();
            let removed = remover.join().unwrap();
            // The removal came after the first push (and took 1) or before it (and did nothing).
            let end = ids(&list);
            let expected: &[u64] = if removed { &[2] } else { &[1, 2] };
            assert_eq!(end, expected, "removed: {removed}");
            assert_eq!(list.len(), end.len());
            drop(list.clear());
            drop(list);
            assert_eq!(
                dropped.load(StdOrdering::Relaxed),
                2,
                "every handler dropped once"
            );
        });
    }
}
