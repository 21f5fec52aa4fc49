//! The synchronization primitives the model-checked protocols use: `std`'s, or `loom`'s when built
//! with `--cfg pyventus_loom` (see `registry/version.rs` for the models and the command that runs them).
//!
//! `loom`'s types have no `const` constructors: a static that takes part in a model is a
//! `loom::lazy_static!` under the cfg (one per execution; `registry/thread_cache.rs`), other statics
//! keep `std`'s. `Notify` is tokio's, or under `loom` a stand-in with the same contract
//! (`sync/notify.rs`). The cfg is `pyventus_loom`, not `loom`: tokio reads `cfg(loom)` too and
//! changes its own API under it, which would break the build of this crate's tokio code.

#[cfg(not(pyventus_loom))]
pub(crate) use std::hint::spin_loop;
#[cfg(not(pyventus_loom))]
pub(crate) use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering, fence};
#[cfg(not(pyventus_loom))]
pub(crate) use std::sync::{Mutex, MutexGuard, RwLock};
#[cfg(not(pyventus_loom))]
pub(crate) use std::thread::yield_now;
#[cfg(all(not(pyventus_loom), feature = "tokio"))]
pub(crate) use tokio::sync::Notify;

#[cfg(pyventus_loom)]
pub(crate) use loom::hint::spin_loop;
#[cfg(pyventus_loom)]
pub(crate) use loom::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering, fence};
#[cfg(pyventus_loom)]
pub(crate) use loom::sync::{Mutex, MutexGuard, RwLock};
#[cfg(pyventus_loom)]
pub(crate) use loom::thread::yield_now;

#[cfg(all(pyventus_loom, feature = "tokio"))]
mod notify;
#[cfg(all(pyventus_loom, feature = "tokio"))]
pub(crate) use notify::Notify;
