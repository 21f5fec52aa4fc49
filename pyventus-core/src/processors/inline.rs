//! The inline processor: every handler runs on the emitting thread before `emit` returns.
//!
//! This is the processor of the Pyventus page's custom processing service. It overrides
//! [`Processor::dispatch`] to run an emission in place ([`Emission::run_inline`]): the event is borrowed,
//! not moved into an `Arc`, and sync compile-time handlers are called through plain function pointers,
//! so such an emit allocates nothing and takes no lock.

use std::sync::Arc;

use crate::dispatch::Emission;
use crate::event::Event;
use crate::lend::EmitScope;
use crate::processor::Processor;
use crate::task::Task;

/// Runs every handler on the calling thread before `emit` returns.
///
/// Handlers run in dispatch order (compile-time handlers by priority then path, then runtime
/// subscriptions in subscription order). Async handlers are driven to completion with
/// [`block_on`](crate::block_on). Emitting to sync compile-time handlers allocates nothing.
///
/// # Examples
///
/// ```
/// use std::sync::atomic::{AtomicUsize, Ordering};
/// use pyventus::prelude::*;
///
/// #[event]
/// struct Clicked;
///
/// static CLICKS: AtomicUsize = AtomicUsize::new(0);
///
/// #[subscribe(Clicked)]
/// fn count() {
///     CLICKS.fetch_add(1, Ordering::Relaxed);
/// }
///
/// EventEmitter::new(InlineProcessor).emit(Clicked);
/// assert_eq!(CLICKS.load(Ordering::Relaxed), 1); // already done when emit returned
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct InlineProcessor;

impl Processor for InlineProcessor {
    fn submit(&self, task: Task) {
        task.run_blocking();
    }

    #[inline(always)]
    fn dispatch<E: Event>(&self, emission: Emission<E>) {
        emission.run_inline();
    }

    // The handlers run while the emitter is borrowed: their context is lent, not shared.
    #[inline(always)]
    fn dispatch_scoped<E: Event>(&self, emission: Emission<E>, scope: EmitScope<'_>) {
        emission.run_inline_in(scope);
    }

    fn handle(&self) -> Option<Arc<dyn Processor + Send + Sync>> {
        InlineProcessor::handle_of_type()
    }

    fn handle_of_type() -> Option<Arc<dyn Processor + Send + Sync>> {
        Some(Arc::new(InlineProcessor))
    }

    fn handle_is_of_type() -> bool {
        true
    }
}
