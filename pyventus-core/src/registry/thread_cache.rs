//! Each thread's copy of the runtime subscriber lists it emits to: how an inline emit reaches runtime
//! closures without a lock and without touching a reference count.
//!
//! The shared list of a slot (`runtime_list.rs`) is behind a read-write lock, and taking a snapshot of it
//! clones an `Arc`: four atomic read-modify-writes per emit, on cache lines every emitting thread
//! shares. Instead, each thread keeps the last snapshot it took of each slot, with the slot's version
//! word at that moment. An emit reads the version word (which it reads anyway, for a consistent look);
//! when it is unchanged, the thread's copy is still the slot's list and the emit walks it in place: a
//! thread-local borrow, no atomic write. When the version moved, the emit takes a fresh snapshot the
//! usual way and keeps it for next time.
//!
//! Why this and not `arc-swap` or an epoch scheme: both still make each emit write to memory other
//! threads read (a debt slot, an epoch announcement with a fence), which costs about what the lock
//! costs from one thread. A per-thread copy validated by the version word costs loads only.
//!
//! What it costs: an unsubscribed closure lives until no thread's copy holds it. The thread that
//! unsubscribes drops its own copy at once; every other thread drops stale copies on its next emit to a
//! runtime subscriber of any event (a global retire count tells it to look), or when it exits. So a
//! closure's captured state is dropped promptly on a thread that keeps emitting, and at the latest when
//! the threads that emitted it end.

use std::any::Any;
use std::cell::RefCell;
use std::mem;

use crate::sync::{AtomicU64, AtomicUsize, Ordering};

/// A source of cached values: valid while its version word is the one they were taken at.
pub(crate) trait Versioned: Sync {
    fn version(&self) -> u64;
}

struct Entry {
    /// The source's version word when `value` was taken.
    version: u64,
    source: &'static dyn Versioned,
    value: Box<dyn Any>,
}

struct Cache {
    /// [`RETIRED`] as of this thread's last sweep.
    retired: u64,
    /// Indexed by the source's id ([`new_id`]).
    entries: Vec<Option<Entry>>,
}

#[cfg(not(pyventus_loom))]
thread_local! {
    static CACHE: RefCell<Cache> = const {
        RefCell::new(Cache {
            retired: 0,
            entries: Vec::new(),
        })
    };
}

// Under `loom`, every model thread runs on one OS thread: its copies must be per model thread (and
// dropped when the model thread ends), as they are per thread in a real program.
#[cfg(pyventus_loom)]
loom::thread_local! {
    static CACHE: RefCell<Cache> = RefCell::new(Cache {
        retired: 0,
        entries: Vec::new(),
    });
}

/// The next id for a cache source.
#[cfg(not(pyventus_loom))]
static NEXT_ID: AtomicUsize = AtomicUsize::new(0);

/// Bumped each time a runtime handler leaves a list: threads then sweep their stale copies.
#[cfg(not(pyventus_loom))]
static RETIRED: AtomicU64 = AtomicU64::new(0);

// Under `loom`, both are per execution: a model must run the same way each time it is replayed, and
// a process-wide count that other models bump would change what it does.
#[cfg(pyventus_loom)]
loom::lazy_static! {
    static ref NEXT_ID: AtomicUsize = AtomicUsize::new(0);
    static ref RETIRED: AtomicU64 = AtomicU64::new(0);
}

/// An id for a new source (a slot), its index in every thread's cache.
pub(crate) fn new_id() -> usize {
    NEXT_ID.fetch_add(1, Ordering::Relaxed)
}

/// Calls `use_cached` with this thread's copy for source `id` and the version it was taken at, and
/// returns what it returns. `None` (without calling it) when there is no usable copy: none was kept,
/// this thread must sweep first, or the cache is busy or gone (a call from inside a sweep, or during
/// thread exit). `use_cached` returns `None` when the version no longer matches.
#[inline]
pub(crate) fn with_cached<T: 'static, R>(
    id: usize,
    use_cached: impl FnOnce(u64, &T) -> Option<R>,
) -> Option<R> {
    CACHE
        .try_with(|cell| {
            let cache = cell.try_borrow().ok()?;
            if cache.retired != RETIRED.load(Ordering::Relaxed) {
                return None;
            }
            let entry = cache.entries.get(id)?.as_ref()?;
            let value = entry.value.downcast_ref::<T>()?;
            use_cached(entry.version, value)
        })
        .ok()
        .flatten()
}

/// Keeps `value`, taken of `source` (id `id`) at `version`, as this thread's copy; sweeps stale copies
/// first. Does nothing while the cache is borrowed (an emit from inside a handler) or gone.
#[cold]
pub(crate) fn store<T: 'static>(id: usize, source: &'static dyn Versioned, version: u64, value: T) {
    let stale = CACHE.try_with(|cell| {
        let mut cache = cell.try_borrow_mut().ok()?;
        let stale = sweep(&mut cache);
        if cache.entries.len() <= id {
            cache.entries.resize_with(id + 1, || None);
        }
        cache.entries[id] = Some(Entry {
            version,
            source,
            value: Box::new(value),
        });
        Some(stale)
    });
    // Dropped after the borrow ends: dropping a closure runs user code, which may emit.
    drop(stale);
}

/// Notes that a runtime handler left a list, and drops this thread's stale copies now.
pub(crate) fn retire() {
    RETIRED.fetch_add(1, Ordering::Release);
    let stale = CACHE.try_with(|cell| {
        let mut cache = cell.try_borrow_mut().ok()?;
        Some(sweep(&mut cache))
    });
    drop(stale);
}

/// Takes the copies whose source changed since they were taken, for the caller to drop.
fn sweep(cache: &mut Cache) -> Vec<Entry> {
    cache.retired = RETIRED.load(Ordering::Acquire);
    let mut stale = Vec::new();
    for slot in &mut cache.entries {
        if slot
            .as_ref()
            .is_some_and(|entry| entry.source.version() != entry.version)
        {
            stale.extend(mem::take(slot));
        }
    }
    stale
}
