//! The version word of a slot: how an emit takes a consistent look at subscribers that other threads
//! change, seqlock-style.
//!
//! Every change runs inside [`VersionWord::write`]: under the writer lock it sets `WRITING`, makes the
//! change, then stores the next version with the slot's flags (`Release`). A reader loads the word
//! (`Acquire`), takes what it needs if `WRITING` is clear, and after an `Acquire` fence loads it again:
//! an unchanged word means nothing changed in between, so what it took existed together at one moment.
//! Otherwise it takes its look again. The low bits below [`VERSION`] are the slot's flags, published
//! with each version.
//!
//! # Model checking
//!
//! `RUSTFLAGS="--cfg pyventus_loom" cargo test -p pyventus-core --release --lib loom` runs the `loom` models at
//! the end of this file (and any other `loom` model of the core) over every interleaving of a writer
//! and readers, with the same code the slot runs: a reader never sees a set of values that never
//! existed together. CI runs it.

use crate::sync::{AtomicU64, Mutex, MutexGuard, Ordering, fence, spin_loop, yield_now};

/// Set while a change is being made.
pub(crate) const WRITING: u64 = 1;
/// One version step, above the flags.
pub(crate) const VERSION: u64 = 16;
/// The bits below [`VERSION`]: `WRITING` and the slot's flags.
pub(crate) const FLAGS: u64 = VERSION - 1;

/// A version word and the lock that serializes changes.
pub(crate) struct VersionWord {
    state: AtomicU64,
    writer: Mutex<()>,
}

impl VersionWord {
    /// Version 0, no flags.
    pub(crate) fn new() -> Self {
        VersionWord {
            state: AtomicU64::new(0),
            writer: Mutex::new(()),
        }
    }

    /// The word now (`Acquire`).
    #[inline]
    pub(crate) fn load(&self) -> u64 {
        self.state.load(Ordering::Acquire)
    }

    /// Makes `change` as one step: readers see all of it or none of it. `flags` gives the flags of the
    /// next version, computed after the change (still under the lock).
    pub(crate) fn write<R>(&self, change: impl FnOnce() -> R, flags: impl FnOnce() -> u64) -> R {
        let (writer, before) = self.begin();
        let result = change();
        let flags = flags() & FLAGS & !WRITING;
        let version = (before & !FLAGS).wrapping_add(VERSION);
        self.state.store(version | flags, Ordering::Release);
        drop(writer);
        result
    }

    fn begin(&self) -> (MutexGuard<'_, ()>, u64) {
        let writer = self
            .writer
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let before = self.state.load(Ordering::Relaxed);
        self.state.store(before | WRITING, Ordering::Relaxed);
        fence(Ordering::Release);
        (writer, before)
    }

    /// What `take` reads, at a moment no change was being made, and the word at that moment. Retries
    /// while a change is being made or one was made meanwhile (changes run no user code, so they end
    /// soon).
    #[inline]
    pub(crate) fn read<T>(&self, mut take: impl FnMut(u64) -> T) -> (u64, T) {
        let mut spins = 0u32;
        loop {
            let before = self.state.load(Ordering::Acquire);
            if before & WRITING == 0 {
                let taken = take(before);
                fence(Ordering::Acquire);
                if self.state.load(Ordering::Relaxed) == before {
                    return (before, taken);
                }
            }
            spins += 1;
            if spins < 64 {
                spin_loop();
            } else {
                yield_now();
            }
        }
    }

    /// What `take` reads, if the word is still `version` before and after: `None` when a change was
    /// made since (or is being made).
    #[inline]
    pub(crate) fn read_at<T>(&self, version: u64, take: impl FnOnce() -> T) -> Option<T> {
        if self.state.load(Ordering::Acquire) != version {
            return None;
        }
        let taken = take();
        fence(Ordering::Acquire);
        (self.state.load(Ordering::Relaxed) == version).then_some(taken)
    }
}

#[cfg(all(test, pyventus_loom))]
mod loom_models {
    use loom::sync::Arc;
    use loom::sync::atomic::{AtomicBool, AtomicUsize};
    use loom::thread;

    use super::*;

    /// Two values a writer changes together, as a slot's `enabled` flags and runtime list are.
    struct Guarded {
        word: VersionWord,
        a: AtomicBool,
        b: AtomicBool,
    }

    fn guarded() -> Arc<Guarded> {
        Arc::new(Guarded {
            word: VersionWord::new(),
            a: AtomicBool::new(false),
            b: AtomicBool::new(false),
        })
    }

    /// The writer's change: both values to `value` (with the slot's orderings: `Release` stores).
    fn set(guarded: &Guarded, value: bool) {
        guarded.word.write(
            || {
                guarded.a.store(value, Ordering::Release);
                guarded.b.store(value, Ordering::Release);
            },
            || 2,
        );
    }

    /// The reader's look (with the slot's orderings: `Acquire` loads).
    fn look(guarded: &Guarded) -> (bool, bool) {
        (
            guarded.a.load(Ordering::Acquire),
            guarded.b.load(Ordering::Acquire),
        )
    }

    #[test]
    fn loom_a_reader_never_sees_a_half_made_change() {
        crate::loom_model::model(|| {
            let shared = guarded();
            let writer = {
                let shared = Arc::clone(&shared);
                thread::spawn(move || {
                    set(&shared, true);
                    set(&shared, false);
                })
            };
            let (version, (a, b)) = shared.word.read(|_| look(&shared));
            assert_eq!(a, b, "a look taken at version {version} mixes two versions");
            assert_eq!(version & WRITING, 0);
            writer.join().unwrap();
            // Two changes: the version moved two steps and carries the flags of the last.
            assert_eq!(shared.word.load(), (2 * VERSION) | 2);
        });
    }

    #[test]
    fn loom_a_look_at_an_old_version_is_refused() {
        crate::loom_model::model(|| {
            let shared = guarded();
            let version = shared.word.load();
            let writer = {
                let shared = Arc::clone(&shared);
                thread::spawn(move || set(&shared, true))
            };
            // Taken at the version read before the change: either the change had not begun (and both
            // are still false) or the look is refused.
            if let Some((a, b)) = shared.word.read_at(version, || look(&shared)) {
                assert_eq!((a, b), (false, false));
            }
            writer.join().unwrap();
            assert!(shared.word.read_at(version, || ()).is_none());
        });
    }

    #[test]
    fn loom_changes_from_two_writers_are_serialized() {
        crate::loom_model::model(|| {
            let shared = guarded();
            let changes = Arc::new(AtomicUsize::new(0));
            let writers: Vec<_> = [true, false]
                .into_iter()
                .map(|value| {
                    let (shared, changes) = (Arc::clone(&shared), Arc::clone(&changes));
                    thread::spawn(move || {
                        shared.word.write(
                            || {
                                // Inside the lock: no other change runs at the same time.
                                assert_eq!(changes.fetch_add(1, Ordering::Relaxed) % 2, 0);
                                shared.a.store(value, Ordering::Release);
                                shared.b.store(value, Ordering::Release);
                                changes.fetch_add(1, Ordering::Relaxed);
                            },
                            || 0,
                        )
                    })
                })
                .collect();
            let (_, (a, b)) = shared.word.read(|_| look(&shared));
            assert_eq!(a, b);
            for writer in writers {
                writer.join().unwrap();
            }
            assert_eq!(shared.word.load(), 2 * VERSION);
        });
    }
}
