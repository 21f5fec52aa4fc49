//! **Test fixture: events and `#[subscribe]` handlers defined in a crate of their own.**
//!
//! `tests/cross_crate.rs` links this crate and emits its events, to check that handlers registered by a
//! dependency run: sync and async handlers on the default linker, and a handler on a linker declared
//! here. Each event has counters of its own, so that tests running in parallel do not share them.

use std::sync::atomic::{AtomicUsize, Ordering};

use pyventus::prelude::*;

/// A linker declared in this crate.
#[linker]
#[derive(Debug)]
pub struct FixtureLinker;

/// Handled here by a sync and an async handler on the default linker.
#[event]
#[derive(Debug, Clone)]
pub struct Shipped(pub usize);

/// The sum of the values the sync handler of [`Shipped`] received.
pub static SHIPPED_SYNC: AtomicUsize = AtomicUsize::new(0);

/// The sum of the values the async handler of [`Shipped`] received.
pub static SHIPPED_ASYNC: AtomicUsize = AtomicUsize::new(0);

#[subscribe(Shipped)]
fn count_shipped(e: &Shipped) {
    SHIPPED_SYNC.fetch_add(e.0, Ordering::SeqCst);
}

#[subscribe(Shipped)]
async fn count_shipped_later(e: &Shipped) {
    yield_once().await;
    SHIPPED_ASYNC.fetch_add(e.0, Ordering::SeqCst);
}

/// Handled here on [`FixtureLinker`] only.
#[event]
#[derive(Debug, Clone)]
pub struct Audited(pub usize);

/// The sum of the values the handler of [`Audited`] on [`FixtureLinker`] received.
pub static AUDITED_ON_FIXTURE_LINKER: AtomicUsize = AtomicUsize::new(0);

#[subscribe(Audited, linker = FixtureLinker, priority = 5)]
fn audit(e: &Audited) -> Result<(), String> {
    AUDITED_ON_FIXTURE_LINKER.fetch_add(e.0, Ordering::SeqCst);
    Ok(())
}

/// Handled here by one handler; the test crate adds its own.
#[event]
#[derive(Debug, Clone)]
pub struct Greeted;

/// How many times the handler of [`Greeted`] in this crate ran.
pub static GREETED_HERE: AtomicUsize = AtomicUsize::new(0);

#[subscribe(Greeted)]
fn greet() {
    GREETED_HERE.fetch_add(1, Ordering::SeqCst);
}

/// The paths of this crate's handlers, as tasks and reports name them.
pub mod paths {
    /// The sync handler of [`Shipped`](crate::Shipped).
    pub const COUNT_SHIPPED: &str = "pyventus_test_handlers::count_shipped";
    /// The async handler of [`Shipped`](crate::Shipped).
    pub const COUNT_SHIPPED_LATER: &str = "pyventus_test_handlers::count_shipped_later";
    /// The handler of [`Audited`](crate::Audited) on [`FixtureLinker`](crate::FixtureLinker).
    pub const AUDIT: &str = "pyventus_test_handlers::audit";
    /// The handler of [`Greeted`](crate::Greeted).
    pub const GREET: &str = "pyventus_test_handlers::greet";
}

/// Yields once to the executor, without naming a runtime: this crate depends on pyventus only.
async fn yield_once() {
    let mut yielded = false;
    std::future::poll_fn(|cx| {
        if yielded {
            std::task::Poll::Ready(())
        } else {
            yielded = true;
            cx.waker().wake_by_ref();
            std::task::Poll::Pending
        }
    })
    .await;
}
