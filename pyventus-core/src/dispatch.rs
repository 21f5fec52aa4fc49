//! Dispatch: the handlers one emit reaches, in order, run in the caller or handed out as tasks.
//!
//! An [`Emission`] is what an emitter hands its processor: the event and the slot of its handlers on the
//! emitter's linker. [`Emission::run_inline`] calls the handlers in the caller; [`Emission::into_tasks`]
//! turns them into owned [`Task`]s ([`Tasks`]), for processors that run them elsewhere.

use std::fmt;
use std::sync::Arc;

use crate::event::Event;
use crate::invoke::{HandlerRef, Reached};
use crate::lend::{EmitScope, Lend};
use crate::registry::{FastPath, Slot, SlotSnapshot};
use crate::task::{CallEvent, Task};

/// One emit: an event and the handlers it reaches, handed to a [`Processor`](crate::Processor).
///
/// The handlers are those subscribed when the emit started: compile-time handlers first (by priority,
/// then path), then runtime subscriptions in the order they were made.
pub struct Emission<E: Event> {
    event: E,
    slot: Option<&'static Slot<E>>,
    debug: bool,
    /// A share of what the emitter lends, when some handler takes its context and the calls may run
    /// elsewhere (see [`owning`](Emission::owning)); the inline processor borrows it instead.
    scope: Lend,
}

impl<E: Event> Emission<E> {
    #[inline]
    pub(crate) fn new(event: E, slot: Option<&'static Slot<E>>, debug: bool) -> Self {
        Emission {
            event,
            slot,
            debug,
            scope: Lend::None,
        }
    }

    /// The emission, holding its own share of `scope` when some handler takes its context (so that
    /// calls made elsewhere, later, still reach the emitter's states).
    #[inline]
    pub(crate) fn owning(mut self, scope: EmitScope<'_>) -> Self {
        if self.scope.is_none()
            && let Some(slot) = self.slot
            && slot.takes_context()
        {
            self.scope = scope.0.clone();
        }
        self
    }

    /// The event being emitted.
    pub fn event(&self) -> &E {
        &self.event
    }

    /// The event, for a processor that refuses the emission and hands the event back (see
    /// [`Processor::try_dispatch`](crate::Processor::try_dispatch)). No handler runs.
    pub fn into_event(self) -> E {
        self.event
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
        self.run_inline_in(EmitScope::none());
    }

    /// [`run_inline`](Emission::run_inline), the handlers' context lent by the emitter (`lent`) or else
    /// held by the emission.
    #[inline(always)]
    pub(crate) fn run_inline_in(self, lent: EmitScope<'_>) {
        // Taken apart first: what the emission holds is then known to the optimizer (for the emitter's
        // own emits, no scope: nothing to drop), and only the event is borrowed by the calls below.
        let Emission {
            event,
            slot,
            debug,
            scope: held,
        } = self;
        let Some(slot) = slot else {
            return;
        };
        if lent.is_none() {
            run_inline(&event, slot, debug, EmitScope(&held));
        } else {
            // The emitter's own emit: nothing held (dropped here, where that is known, so that no
            // landing pad keeps it).
            drop(held);
            run_inline(&event, slot, debug, lent);
        }
    }

    /// The handler calls as owned [`Task`]s, for processors that run them elsewhere.
    ///
    /// Each task is one allocation. The event moves into the task when it is the emit's only one, else
    /// into one `Arc` the tasks share.
    pub fn into_tasks(self) -> Tasks<E> {
        let debug = self.debug;
        Tasks {
            calls: self.into_calls(),
            debug,
        }
    }

    /// The handler calls as owned `(event, handler)` pairs, for processors in this crate that run them
    /// without the type erasure of a [`Task`] (the tokio processor).
    pub(crate) fn into_calls(self) -> Calls<E> {
        let walk = self
            .slot
            .map(|slot| (slot, slot.snapshot()))
            .filter(|(slot, snapshot)| !is_empty(slot, snapshot));
        Calls {
            event: match walk {
                Some(_) => Shares::Whole(self.event),
                None => Shares::Moved,
            },
            walk,
            cursor: Cursor::default(),
            scope: self.scope,
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
    calls: Calls<E>,
    debug: bool,
}

impl<E: Event> Iterator for Tasks<E> {
    type Item = Task;

    fn next(&mut self) -> Option<Task> {
        let (event, handler, scope) = self.calls.next()?;
        Some(Task::new(event, handler, scope, self.debug))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.calls.size_hint()
    }
}

/// The handler calls of one [`Emission`], in dispatch order, each with its share of the event (the
/// whole event when the call is the only one). What [`Tasks`] wraps; `once` handlers are claimed as
/// they are yielded.
pub(crate) struct Calls<E: Event> {
    event: Shares<E>,
    /// The slot and the snapshot of it the calls come from; `None` when there are none.
    walk: Option<(&'static Slot<E>, SlotSnapshot<'static, E>)>,
    cursor: Cursor,
    /// The emitter's shared part, handed to each call that takes its context.
    scope: Lend,
}

/// The event of [`Calls`]: whole until the first call is taken; then in an `Arc` the calls share, or
/// moved into the first call when no other can follow it.
enum Shares<E> {
    Whole(E),
    Shared(Arc<E>),
    Moved,
}

impl<E: Event> Iterator for Calls<E> {
    type Item = (CallEvent<E>, HandlerRef<E>, Lend);

    fn next(&mut self) -> Option<Self::Item> {
        let Calls {
            event,
            walk,
            cursor,
            scope,
        } = self;
        let (slot, snapshot) = walk.as_ref()?;
        let handler = cursor.next(slot, snapshot)?.to_owned();
        let scope = if handler.takes_context() {
            scope.clone()
        } else {
            Lend::None
        };
        let shared = match std::mem::replace(event, Shares::Moved) {
            // No handler left in the snapshot, claimed or not: this call is the emit's only one.
            Shares::Whole(whole) if cursor.remaining(slot, snapshot) == 0 => {
                return Some((CallEvent::Alone(whole), handler, scope));
            }
            Shares::Whole(whole) => Arc::new(whole),
            Shares::Shared(shared) => shared,
            Shares::Moved => return None,
        };
        *event = Shares::Shared(Arc::clone(&shared));
        Some((CallEvent::Shared(shared), handler, scope))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let remaining = self
            .walk
            .as_ref()
            .map_or(0, |(slot, snapshot)| self.cursor.remaining(slot, snapshot));
        (0, Some(remaining))
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

/// [`Emission::run_inline`], taken apart.
#[inline(always)]
fn run_inline<E: Event>(event: &E, slot: &'static Slot<E>, debug: bool, scope: EmitScope<'_>) {
    if !debug {
        match slot.fast_path() {
            FastPath::Compiled => return slot.run_fast(event, scope),
            FastPath::WithRuntime(state) => {
                if run_inline_with_runtime(event, slot, state) {
                    return;
                }
            }
            FastPath::None => {}
        }
    }
    run_inline_slow(event, debug, slot, scope);
}

/// The inline fast path with plain runtime closures: the compile-time handlers, then the closures, from
/// this thread's cached copy of the list. `false` when there is no copy yet.
#[inline(never)]
fn run_inline_with_runtime<E: Event>(event: &E, slot: &'static Slot<E>, state: u64) -> bool {
    slot.with_cached_runtime(state, |runtime| {
        if !slot.compiled().is_empty() {
            // No handler here takes its emitter's context (`Slot::flags_now` keeps them off this path).
            slot.run_fast(event, EmitScope::none());
        }
        slot.run_plain_runtime(runtime, event);
    })
}

/// [`Emission::run_inline`] for everything but sync compile-time handlers alone.
#[inline(never)]
fn run_inline_slow<E: Event>(event: &E, debug: bool, slot: &'static Slot<E>, scope: EmitScope<'_>) {
    // Taken before any handler runs: a subscription made by a handler joins later emits only.
    slot.with_snapshot(|snapshot| {
        let mut cursor = Cursor::default();
        while let Some(handler) = cursor.next(slot, snapshot) {
            handler.call_inline(event, debug, scope);
        }
    });
}

/// Whether a snapshot of `slot` holds no handler at all.
fn is_empty<E: Event>(slot: &Slot<E>, snapshot: &SlotSnapshot<'_, E>) -> bool {
    slot.compiled().is_empty() && snapshot.runtime.is_none() && snapshot.all.is_none()
}

/// Where an emit is among the handlers of its snapshot.
///
/// This is the one place that says in which order an emit reaches its handlers (compile-time handlers
/// in dispatch order, then runtime subscribers in subscription order, then the linker's all-events
/// subscribers) and where `once` handlers are claimed, so that exactly one emit calls each.
#[derive(Default)]
struct Cursor {
    /// Position among the compile-time handlers, then the runtime ones, then the all-events ones.
    compiled: usize,
    runtime: usize,
    all: usize,
}

impl Cursor {
    /// The next handler of `snapshot` (taken of `slot`) to call, claimed; `None` once every handler of
    /// the snapshot was reached.
    #[inline]
    fn next<'s, E: Event>(
        &mut self,
        slot: &'static Slot<E>,
        snapshot: &'s SlotSnapshot<'_, E>,
    ) -> Option<Reached<'s, E>> {
        let compiled = slot.compiled();
        while let Some(handler) = compiled.get(self.compiled) {
            let index = self.compiled;
            self.compiled += 1;
            if snapshot.enabled.contains(index) && handler.claim() {
                return Some(Reached::Compiled(handler));
            }
        }
        if let Some(runtime) = &snapshot.runtime {
            while let Some(handler) = runtime.get(self.runtime) {
                self.runtime += 1;
                if handler.claim(slot) {
                    return Some(Reached::Runtime(handler));
                }
            }
        }
        if let Some(all) = &snapshot.all {
            while let Some(handler) = all.get(self.all) {
                self.all += 1;
                if handler.claim(slot.all_events()) {
                    return Some(Reached::All(handler));
                }
            }
        }
        None
    }

    /// How many handlers of `snapshot` are left at most.
    fn remaining<E: Event>(&self, slot: &Slot<E>, snapshot: &SlotSnapshot<'_, E>) -> usize {
        let runtime = snapshot.runtime.as_deref().map_or(0, <[_]>::len);
        let all = snapshot.all.as_deref().map_or(0, <[_]>::len);
        (slot.compiled().len() - self.compiled) + (runtime - self.runtime) + (all - self.all)
    }
}
