//! Dispatch: the handlers one emit reaches, in order, run in the caller or handed out as tasks.
//!
//! An [`Emission`] is what an emitter hands its processor: the event and the slot of its handlers on the
//! emitter's linker. [`Emission::run_inline`] calls the handlers in the caller; [`Emission::into_tasks`]
//! turns them into owned [`Task`]s ([`Tasks`]), for processors that run them elsewhere.

use std::fmt;
use std::sync::Arc;
use std::{iter, slice};

use crate::event::{AnyEvent, Event};
use crate::invoke::{self, HandlerRef};
use crate::registry::{EnabledSet, Handler, Slot, SlotSnapshot};
use crate::runtime_list::Snapshot;
use crate::task::Task;

/// One emit: an event and the handlers it reaches, handed to a [`Processor`](crate::Processor).
///
/// The handlers are those subscribed when the emit started: compile-time handlers first (by priority,
/// then path), then runtime subscriptions in the order they were made.
pub struct Emission<E: Event> {
    event: E,
    slot: Option<&'static Slot<E>>,
    debug: bool,
}

impl<E: Event> Emission<E> {
    #[inline]
    pub(crate) fn new(event: E, slot: Option<&'static Slot<E>>, debug: bool) -> Self {
        Emission { event, slot, debug }
    }

    /// The event being emitted.
    pub fn event(&self) -> &E {
        &self.event
    }

    /// Whether this emit runs in debug mode.
    pub fn is_debug(&self) -> bool {
        self.debug
    }

    /// How many handlers the event has on the emitter's linker.
    pub fn handler_count(&self) -> usize {
        self.slot.map_or(0, Slot::len)
    }

    /// Runs every handler on the calling thread, in dispatch order, before returning.
    ///
    /// Sync handlers are called with a borrow of the event; async handlers are driven to completion with
    /// [`block_on`](crate::block_on). A handler's fault is reported and the next handler runs. When
    /// every handler is a sync compile-time one, this allocates nothing.
    #[inline(always)]
    pub fn run_inline(self) {
        let Some(slot) = self.slot else {
            return;
        };
        if !self.debug && slot.is_plain() {
            slot.run_fast(&self.event);
        } else {
            self.run_inline_slow(slot);
        }
    }

    /// [`run_inline`](Emission::run_inline) for everything but sync compile-time handlers alone.
    #[inline(never)]
    fn run_inline_slow(self, slot: &'static Slot<E>) {
        let event = &self.event;
        // Taken before any handler runs: a subscription made by a handler joins later emits only.
        let SlotSnapshot {
            enabled,
            runtime,
            all,
        } = slot.snapshot();
        for (index, handler) in slot.compiled().iter().enumerate() {
            if enabled.contains(index) && handler.claim() {
                invoke::call_inline(handler.call_ref(), event, &handler.info, self.debug);
            }
        }
        for handler in runtime.iter().flat_map(|handlers| handlers.iter()) {
            if handler.claim(slot) {
                invoke::call_inline(handler.call_ref(), event, &handler.info, self.debug);
            }
        }
        for handler in all.iter().flat_map(|handlers| handlers.iter()) {
            if handler.claim(slot.all_events()) {
                let info = handler.info.for_event(E::NAME);
                invoke::call_inline(
                    handler.call_ref(),
                    event as &dyn AnyEvent,
                    &info,
                    self.debug,
                );
            }
        }
    }

    /// The handler calls as owned [`Task`]s, for processors that run them elsewhere.
    ///
    /// The event moves into one `Arc` shared by the tasks.
    pub fn into_tasks(self) -> Tasks<E> {
        let Some(slot) = self.slot else {
            return Tasks::empty(self.debug);
        };
        let SlotSnapshot {
            enabled,
            runtime,
            all,
        } = slot.snapshot();
        if slot.compiled().is_empty() && runtime.is_none() && all.is_none() {
            return Tasks::empty(self.debug);
        }
        Tasks {
            event: Some(Arc::new(self.event)),
            slot: Some(slot),
            enabled,
            compiled: slot.compiled().iter().enumerate(),
            runtime,
            all,
            next: 0,
            debug: self.debug,
        }
    }
}

impl<E: Event + fmt::Debug> fmt::Debug for Emission<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Emission")
            .field("event", &self.event)
            .field("handlers", &self.handler_count())
            .field("debug", &self.debug)
            .finish()
    }
}

/// The tasks of one [`Emission`], in dispatch order. Returned by [`Emission::into_tasks`].
///
/// A `once` handler is claimed when the iterator yields its task: exactly one emit gets it.
pub struct Tasks<E: Event> {
    event: Option<Arc<E>>,
    slot: Option<&'static Slot<E>>,
    enabled: EnabledSet,
    compiled: iter::Enumerate<slice::Iter<'static, &'static Handler<E>>>,
    runtime: Option<Snapshot<E>>,
    all: Option<Snapshot<dyn AnyEvent>>,
    /// Position in `runtime`, then in `all`.
    next: usize,
    debug: bool,
}

impl<E: Event> Tasks<E> {
    fn empty(debug: bool) -> Self {
        Tasks {
            event: None,
            slot: None,
            enabled: EnabledSet::Bits(0),
            compiled: [].iter().enumerate(),
            runtime: None,
            all: None,
            next: 0,
            debug,
        }
    }

    fn next_handler(&mut self) -> Option<HandlerRef<E>> {
        let slot = self.slot?;
        for (index, handler) in self.compiled.by_ref() {
            if self.enabled.contains(index) && handler.claim() {
                return Some(HandlerRef::Compiled(handler));
            }
        }
        let runtime = self.runtime.as_deref().unwrap_or_default();
        while let Some(handler) = runtime.get(self.next) {
            self.next += 1;
            if handler.claim(slot) {
                return Some(HandlerRef::Runtime(Arc::clone(handler)));
            }
        }
        let all = self.all.as_deref().unwrap_or_default();
        while let Some(handler) = all.get(self.next - runtime.len()) {
            self.next += 1;
            if handler.claim(slot.all_events()) {
                return Some(HandlerRef::All(Arc::clone(handler)));
            }
        }
        None
    }
}

impl<E: Event> Iterator for Tasks<E> {
    type Item = Task;

    fn next(&mut self) -> Option<Task> {
        let handler = self.next_handler()?;
        let event = Arc::clone(self.event.as_ref()?);
        Some(Task::new(event, handler, self.debug))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let runtime = self.runtime.as_deref().map_or(0, <[_]>::len);
        let all = self.all.as_deref().map_or(0, <[_]>::len);
        let upper = self.compiled.len() + runtime + all - self.next;
        (0, Some(upper))
    }
}

impl<E: Event> fmt::Debug for Tasks<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Tasks")
            .field("event", &E::NAME)
            .field("remaining_at_most", &self.size_hint().1)
            .finish()
    }
}
