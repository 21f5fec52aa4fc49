//! The handlers of one event on one linker, and how an emit takes a consistent look at them.
//!
//! A slot holds the event's compile-time handlers on the linker (fixed when the registry is built,
//! each with an `enabled` flag) and its runtime subscribers (a copy-on-write list), and knows where its
//! linker's all-events subscribers are.
//!
//! Every change to a slot (subscribe, unsubscribe, remove, restore) runs inside `Slot::write`, which
//! bumps a version word around the change, seqlock-style. An emit reads the version, takes what it needs
//! (which compile-time handlers are enabled, the runtime and all-events lists), and reads the version
//! again; if it moved, it takes its look again. So an emit always works on a set of subscribers that
//! existed at one moment, also while other threads change them. The version word also carries a `PLAIN`
//! bit (only enabled, sync, not-`once` compile-time handlers, no runtime subscriber), which is all the
//! inline fast path needs to read.

use std::any::TypeId;
use std::fmt;
use std::ops::Deref;
use std::sync::Arc;

use crate::callbacks;
use crate::context::CallContext;
use crate::event::{AnyEvent, Event};
use crate::handler::OnceFlag;
use crate::lend::EmitScope;
use crate::meta::{self, HandlerInfo, LinkerMeta};
use crate::panics;
use crate::registry::compiled::SyncWithFn;
use crate::registry::thread_cache::{self, Versioned};
use crate::registry::version::{VersionWord, WRITING};
use crate::registry::{AllEvents, Handler, HandlerFn, Registration, SyncFn, count_on};
use crate::report::{self, report};
use crate::runtime_list::{RuntimeHandler, RuntimeList, Snapshot, Unsubscribe};
use crate::sync::{AtomicBool, Ordering};

// The version word's flags (`WRITING` and the version step are `version.rs`'s).
/// Set when the inline fast path applies.
const PLAIN: u64 = 2;
/// Set when every compile-time handler is enabled (the usual case: an emit then copies no flags).
const ALL_ENABLED: u64 = 4;
/// Set when the inline fast path applies with runtime subscribers too: as `PLAIN`, but with runtime
/// subscribers, every one of them a plain closure (sync, returns `()`, no callback) and not `once`.
const PLAIN_RUNTIME: u64 = 8;

/// Which inline fast path an emit may take (see [`Slot::fast_path`]).
pub(crate) enum FastPath {
    /// Plain compile-time handlers only.
    Compiled,
    /// Plain compile-time handlers, then sync runtime subscribers; the version word it was read at.
    WithRuntime(u64),
    /// Neither: the general walk.
    None,
}

/// Function pointers for the inline fast path, in dispatch order.
enum FastCalls<E: 'static> {
    /// The user's functions themselves (every handler takes `&E`, returns `()`, has no callbacks).
    Direct(Vec<fn(&E)>),
    /// Every handler is sync: the `#[subscribe]` wrappers, and the plain functions that need none.
    Wrapped(Vec<SyncCall<E>>),
    /// Some handler is async: no fast path.
    None,
}

/// One sync compile-time handler on the fast path when some need their wrapper.
enum SyncCall<E: 'static> {
    /// A plain function (see [`HandlerFn::Plain`]) and its identity, for the linker's default
    /// `on_success`, which its wrapper would have called.
    Plain(fn(&E), &'static HandlerInfo),
    /// The `#[subscribe]` wrapper.
    Wrapped(SyncFn<E>),
    /// The `#[subscribe]` wrapper of a handler that takes extractors, and its identity (for its context).
    With(SyncWithFn<E>, &'static HandlerInfo),
}

/// The compile-time handlers of a slot enabled when an emit started.
pub(crate) enum EnabledSet {
    /// Every one of them.
    All,
    /// One bit per handler, for up to 64 handlers (no allocation).
    Bits(u64),
    /// One flag per handler, past 64.
    Flags(Box<[bool]>),
}

impl EnabledSet {
    #[inline]
    pub(crate) fn contains(&self, index: usize) -> bool {
        match self {
            EnabledSet::All => true,
            EnabledSet::Bits(bits) => index < 64 && bits & (1 << index) != 0,
            EnabledSet::Flags(flags) => flags.get(index).copied().unwrap_or(false),
        }
    }
}

/// What one emit works on: the subscribers of its event and linker at one moment.
pub(crate) struct SlotSnapshot<'c, E: Event> {
    pub(crate) enabled: EnabledSet,
    pub(crate) runtime: Option<RuntimeView<'c, E>>,
    pub(crate) all: Option<Snapshot<dyn AnyEvent>>,
}

/// The runtime subscribers of a snapshot: its own share of the slot's list, or this thread's cached
/// copy of it, borrowed (see `thread_cache.rs`).
pub(crate) enum RuntimeView<'c, E: Event> {
    Owned(Snapshot<E>),
    Cached(&'c [Arc<RuntimeHandler<E>>]),
}

impl<E: Event> Deref for RuntimeView<'_, E> {
    type Target = [Arc<RuntimeHandler<E>>];

    #[inline]
    fn deref(&self) -> &Self::Target {
        match self {
            RuntimeView::Owned(list) => list,
            RuntimeView::Cached(list) => list,
        }
    }
}

/// The handlers of one event on one linker.
///
/// Its fields are private to this file: every change goes through [`Slot::write`], which is what keeps
/// the version word honest.
pub(crate) struct Slot<E: Event> {
    linker: &'static LinkerMeta,
    /// Compile-time handlers, in dispatch order.
    compiled: Vec<&'static Handler<E>>,
    /// Which compile-time handlers are enabled, and their `once` flags.
    flags: HandlerFlags,
    /// The same handlers as bare function pointers, for the inline fast path.
    fast_calls: FastCalls<E>,
    /// Version, `WRITING`, `PLAIN`, `ALL_ENABLED` and `PLAIN_RUNTIME` (see the module docs), and the
    /// lock that serializes changes.
    version: VersionWord,
    /// Whether a debug-mode emit already listed the handlers found.
    listed: AtomicBool,
    runtime: RuntimeList<RuntimeHandler<E>>,
    /// The linker's all-events subscribers.
    all: &'static AllEvents,
    /// This slot's index in each thread's cache of runtime lists.
    cache_id: usize,
    /// Whether some compile-time handler needs its emitter's context (takes extractors or has callbacks).
    takes_context: bool,
}

impl<E: Event> Slot<E> {
    /// A slot for `compiled`, sorted into dispatch order: priority (higher first), then path, then
    /// where the function is written (two same-named functions in one module), never link order.
    pub(crate) fn new(
        linker: &'static LinkerMeta,
        index: usize,
        registrations: &[(TypeId, &'static Registration)],
        all: &'static AllEvents,
    ) -> Self {
        // Sorted by keys in code compiled once for all events (this runs once per event and linker,
        // and a generic sort would be compiled once per event type). New memory is much of what a
        // table of thousands of handlers costs (each new page is a page fault, about 4 µs here), so the
        // keys are small and `found` itself is put into their order; the wrapped calls are built only
        // when the fast path uses them.
        let count = count_on(registrations, index);
        let mut found = Vec::with_capacity(count);
        let mut keys = Vec::with_capacity(count);
        let (mut plain, mut asynchronous, mut any_once, mut takes_context) = (0, 0, false, false);
        // Plain loops, here and below: iterator adapters would be compiled once more per event type.
        for (_, registration) in registrations {
            if registration.linker_index() != Some(index) {
                continue;
            }
            let Some(handler) = registration.handler::<E>() else {
                continue;
            };
            keys.push(OrderKey::new(
                handler.priority,
                handler.info.path,
                found.len(),
            ));
            found.push(handler);
            match handler.call {
                HandlerFn::Plain(_) => plain += 1,
                HandlerFn::Sync(_) | HandlerFn::SyncWith(_) => {}
                HandlerFn::Async(_) | HandlerFn::AsyncWith(_) => asynchronous += 1,
            }
            any_once |= handler.once.is_some();
            takes_context |= handler.call.takes_context();
        }
        sort_keys(&mut keys, &|index| found[index].location);
        let mut compiled = found;
        put_in_order(&mut compiled, &mut keys);
        // The `once` flags, kept only when some handler is `once` (rare).
        let mut onces = Vec::new();
        if any_once {
            onces.reserve_exact(compiled.len());
            for handler in &compiled {
                onces.push(handler.once);
            }
        }
        // A linker's default `on_success` is called by the wrappers, so it rules out direct calls.
        let fast_calls = if plain == compiled.len() && linker.on_success().is_none() {
            let mut direct = Vec::with_capacity(compiled.len());
            for handler in &compiled {
                if let HandlerFn::Plain(call) = handler.call {
                    direct.push(call);
                }
            }
            FastCalls::Direct(direct)
        } else if asynchronous == 0 {
            let mut wrapped = Vec::with_capacity(compiled.len());
            for handler in &compiled {
                match handler.call {
                    HandlerFn::Plain(call) => wrapped.push(SyncCall::Plain(call, &handler.info)),
                    HandlerFn::Sync(call) => wrapped.push(SyncCall::Wrapped(call)),
                    HandlerFn::SyncWith(call) => wrapped.push(SyncCall::With(call, &handler.info)),
                    HandlerFn::Async(_) | HandlerFn::AsyncWith(_) => {}
                }
            }
            FastCalls::Wrapped(wrapped)
        } else {
            FastCalls::None
        };
        let slot = Slot {
            linker,
            flags: HandlerFlags::new(compiled.len(), onces),
            compiled,
            fast_calls,
            version: VersionWord::new(),
            listed: AtomicBool::new(false),
            runtime: RuntimeList::new(),
            all,
            cache_id: thread_cache::new_id(),
            takes_context,
        };
        slot.write(|| ());
        slot.report_over_limit();
        slot
    }

    /// The compile-time handlers, in dispatch order (enabled or not).
    pub(crate) fn compiled(&self) -> &[&'static Handler<E>] {
        &self.compiled
    }

    /// The linker's all-events subscribers.
    pub(crate) fn all_events(&self) -> &'static AllEvents {
        self.all
    }

    /// Makes a change to the slot: serialized with other changes, and seen by emits as a whole or not
    /// at all. `change` must not run user code (it runs while emits of this slot wait for it).
    #[inline]
    fn write<R>(&self, change: impl FnOnce() -> R) -> R {
        self.version.write(change, || self.flags_now())
    }

    /// The flags of the version word, for the slot as it is now (see the constants above).
    fn flags_now(&self) -> u64 {
        let all_enabled = self.flags.all_enabled();
        let compiled_plain =
            all_enabled && !self.flags.any_once() && !matches!(self.fast_calls, FastCalls::None);
        let mut flags = if all_enabled { ALL_ENABLED } else { 0 };
        if compiled_plain {
            if self.runtime.is_empty() {
                flags |= PLAIN;
            } else if !self.takes_context
                && self
                    .runtime
                    .snapshot()
                    .is_some_and(|list| all_plain_closures(&list))
            {
                // Not with handlers that take their emitter's context: that path is called without it.
                flags |= PLAIN_RUNTIME;
            }
        }
        flags
    }

    /// Which inline fast path applies now: `PLAIN` or `PLAIN_RUNTIME`, and no all-events subscriber on
    /// the linker, with the version unchanged in between (so that both hold at one moment).
    #[inline]
    pub(crate) fn fast_path(&self) -> FastPath {
        let state = self.version.load();
        // `PLAIN` and `PLAIN_RUNTIME` are never set together; either one with `WRITING` means neither.
        let path = if state & (WRITING | PLAIN) == PLAIN {
            FastPath::Compiled
        } else if state & (WRITING | PLAIN_RUNTIME) == PLAIN_RUNTIME {
            FastPath::WithRuntime(state)
        } else {
            return FastPath::None;
        };
        if !self.all.is_empty() || self.version.load() != state {
            return FastPath::None;
        }
        path
    }

    /// Runs `call` on this thread's cached copy of the runtime subscribers if it was taken at version
    /// word `state` (see `thread_cache.rs`): no lock, no reference count. `false`, without running it,
    /// when there is no such copy (the general walk then takes a snapshot and caches it).
    #[inline]
    pub(crate) fn with_cached_runtime(
        &self,
        state: u64,
        call: impl FnOnce(&[Arc<RuntimeHandler<E>>]),
    ) -> bool {
        thread_cache::with_cached(self.cache_id, |version, list: &Snapshot<E>| {
            (version == state).then(|| call(list))
        })
        .is_some()
    }

    /// The subscribers an emit starting now works on, owned (for emits whose calls outlive this call).
    #[inline]
    pub(crate) fn snapshot(&self) -> SlotSnapshot<'static, E> {
        self.snapshot_at().1
    }

    /// Runs `walk` on the subscribers an emit starting now works on, reading the runtime ones from this
    /// thread's cached copy when the slot did not change since it was taken (no lock, no reference
    /// count), else from a fresh snapshot, which becomes the copy.
    #[inline]
    pub(crate) fn with_snapshot<R>(
        &'static self,
        mut walk: impl FnMut(&SlotSnapshot<'_, E>) -> R,
    ) -> R {
        if self.runtime.is_empty() {
            return walk(&self.snapshot());
        }
        let cached = thread_cache::with_cached(self.cache_id, |version, list: &Snapshot<E>| {
            let snapshot = self.snapshot_if_unchanged(version, list)?;
            Some(walk(&snapshot))
        });
        if let Some(result) = cached {
            return result;
        }
        let (version, snapshot) = self.snapshot_at();
        if let Some(RuntimeView::Owned(list)) = &snapshot.runtime {
            thread_cache::store(self.cache_id, self, version, Arc::clone(list));
        }
        walk(&snapshot)
    }

    /// A snapshot whose runtime subscribers are `list`, taken at `version`: `None` if the slot changed
    /// since (or is changing).
    #[inline]
    fn snapshot_if_unchanged<'c>(
        &self,
        version: u64,
        list: &'c Snapshot<E>,
    ) -> Option<SlotSnapshot<'c, E>> {
        self.version.read_at(version, || SlotSnapshot {
            enabled: self.enabled_at(version),
            runtime: Some(RuntimeView::Cached(list)),
            all: self.all.snapshot(),
        })
    }

    /// The subscribers now, and the version word they were taken at.
    #[inline]
    fn snapshot_at(&self) -> (u64, SlotSnapshot<'static, E>) {
        self.version.read(|before| SlotSnapshot {
            enabled: self.enabled_at(before),
            runtime: self.runtime.snapshot().map(RuntimeView::Owned),
            all: self.all.snapshot(),
        })
    }

    /// The enabled compile-time handlers, read under version word `state`.
    #[inline]
    fn enabled_at(&self, state: u64) -> EnabledSet {
        if state & ALL_ENABLED != 0 {
            EnabledSet::All
        } else {
            self.flags.enabled_now()
        }
    }

    /// Calls every compile-time handler through the fast path: one `catch_unwind` for the whole run
    /// (resumed after the handler that panicked), no wrapper where the user's function can be called
    /// directly. Only valid when [`is_plain`](Slot::is_plain).
    ///
    /// The usual case (the user's functions, no quiet hook) is inlined into the emit: a few loads, the
    /// calls, and a landing pad that costs nothing until a handler panics.
    #[inline(always)]
    pub(crate) fn run_fast(&self, event: &E, scope: EmitScope<'_>) {
        match &self.fast_calls {
            FastCalls::Direct(calls) if !panics::is_quiet() => {
                self.run_guarded::<false, _>(calls, |call| call(event));
            }
            _ => self.run_fast_outlined(event, scope),
        }
    }

    /// [`run_fast`](Slot::run_fast) for wrapped calls, and for every call once the quiet hook is on
    /// (decided once per emit, so that the usual path keeps a bare `catch_unwind`).
    #[inline(never)]
    fn run_fast_outlined(&self, event: &E, scope: EmitScope<'_>) {
        if panics::is_quiet() {
            self.run_fast_with::<true>(event, scope);
        } else {
            self.run_fast_with::<false>(event, scope);
        }
    }

    #[inline]
    fn run_fast_with<const QUIET: bool>(&self, event: &E, scope: EmitScope<'_>) {
        match &self.fast_calls {
            FastCalls::Direct(calls) => self.run_guarded::<QUIET, _>(calls, |call| call(event)),
            FastCalls::Wrapped(calls) => {
                let on_success = self.linker.on_success();
                self.run_guarded::<QUIET, _>(calls, |call| match call {
                    SyncCall::Plain(call, info) => {
                        call(event);
                        callbacks::succeeded(info, on_success);
                    }
                    SyncCall::Wrapped(call) => {
                        call(event);
                    }
                    SyncCall::With(call, info) => {
                        call(event, &CallContext::new(info, scope));
                    }
                });
            }
            FastCalls::None => {}
        }
    }

    #[inline(always)]
    fn run_guarded<const QUIET: bool, C>(&self, calls: &[C], invoke: impl Fn(&C)) {
        run_guarded::<QUIET, C>(calls, invoke, |index, payload| {
            self.report_fast_panic(index, payload);
        });
    }

    /// Calls plain runtime closures (see `PlainCall`) the way [`run_fast`](Slot::run_fast) calls
    /// compile-time handlers: one `catch_unwind` for the run, resumed after a closure that panicked.
    #[inline]
    pub(crate) fn run_plain_runtime(&self, runtime: &[Arc<RuntimeHandler<E>>], event: &E) {
        let invoke = |handler: &Arc<RuntimeHandler<E>>| {
            if let Some(call) = handler.plain() {
                call(event);
            }
        };
        let report = |index: usize, payload: panics::Payload| {
            report_panic(&runtime[index].info, payload);
        };
        if panics::is_quiet() {
            run_guarded::<true, _>(runtime, invoke, report);
        } else {
            run_guarded::<false, _>(runtime, invoke, report);
        }
    }

    /// Reports the panic of compile-time handler `index`, caught on the fast path.
    #[cold]
    #[inline(never)]
    fn report_fast_panic(&self, index: usize, payload: panics::Payload) {
        report_panic(&self.compiled[index].info, payload);
    }

    /// Debug mode: lists the compile-time handlers found for this event on this linker (those that would
    /// run: not removed, not spent), on the first emit made in debug mode only. This is where a handler
    /// crate that was never linked shows up missing.
    #[cold]
    /// Returns whether it listed them now.
    pub(crate) fn list_handlers_once(&self) -> bool {
        if self.listed.swap(true, Ordering::Relaxed) {
            return false;
        }
        let mut handlers = Vec::new();
        for (index, handler) in self.compiled.iter().enumerate() {
            if self.flags.is_active(index) {
                handlers.push(handler.info.path);
            }
        }
        report_found(E::NAME, E::PATH, self.linker.name(), &handlers);
        true
    }

    /// Whether some compile-time handler needs its emitter's context (see
    /// [`HandlerFn::takes_context`]): an emit that runs elsewhere then hands its tasks the emitter's
    /// shared part.
    #[inline]
    pub(crate) fn takes_context(&self) -> bool {
        self.takes_context
    }

    /// Debug mode: reports the compile-time handlers whose extractors read state types `states`
    /// lacks.
    pub(crate) fn report_lacking_states(&self, states: &crate::lend::States) {
        if !self.takes_context {
            return;
        }
        for handler in &self.compiled {
            let missing = crate::lend::missing(handler.requires, states);
            if !missing.is_empty() {
                report_lacking(&handler.info, &missing);
            }
        }
    }

    /// Reports, when the slot is built, more compile-time handlers than the linker's `max_subscribers`.
    fn report_over_limit(&self) {
        report_over_limit(E::NAME, E::PATH, self.linker, self.compiled.len());
    }

    /// How many compile-time handlers are enabled and not spent.
    fn active_compiled(&self) -> usize {
        self.flags.active()
    }

    /// How many handlers an emit would reach now, all-events subscribers included.
    pub(crate) fn len(&self) -> usize {
        self.active_compiled() + self.runtime.len() + self.all.len()
    }

    /// Subscribes a runtime handler, unless the linker's `max_subscribers` is reached (then returns the
    /// limit).
    pub(crate) fn subscribe(&self, handler: Arc<RuntimeHandler<E>>) -> Result<(), usize> {
        self.write(|| {
            self.runtime.push(
                handler,
                self.linker.max_subscribers(),
                self.active_compiled(),
            )
        })
    }
}

impl<E: Event> Versioned for Slot<E> {
    fn version(&self) -> u64 {
        self.version.load()
    }
}

impl<E: Event> Unsubscribe for Slot<E> {
    fn remove(&self, id: u64) -> bool {
        let (removed, old) = self.write(|| self.runtime.remove(id));
        // Dropped outside every lock: a closure's captured state may unsubscribe or emit when dropped.
        drop(old);
        if removed {
            thread_cache::retire();
        }
        removed
    }

    fn contains(&self, id: u64) -> bool {
        self.runtime.contains(id)
    }
}

/// The handlers of one event on one linker, whatever the event type: what linker queries walk.
pub(crate) trait ErasedSlot: Sync {
    fn event(&self) -> &'static str;
    fn event_path(&self) -> &'static str;
    fn subscribers(&'static self) -> Vec<SubscriberInfo>;
    fn count(&self) -> usize;
    /// Disables compile-time handler `index`; `false` when it was not active.
    fn disable(&self, index: usize) -> bool;
    /// Removes the runtime subscribers and disables the compile-time handlers; returns how many.
    fn remove_all(&self) -> usize;
    /// Enables the compile-time handlers again; returns how many came back.
    fn restore(&self) -> usize;
}

impl<E: Event> ErasedSlot for Slot<E> {
    fn event(&self) -> &'static str {
        E::NAME
    }

    fn event_path(&self) -> &'static str {
        E::PATH
    }

    fn subscribers(&'static self) -> Vec<SubscriberInfo> {
        let runtime = self.runtime.snapshot();
        let runtime: &[Arc<RuntimeHandler<E>>] = runtime.as_deref().unwrap_or_default();
        let mut found = Vec::with_capacity(self.compiled.len() + runtime.len());
        for (index, handler) in self.compiled.iter().enumerate() {
            if self.flags.is_active(index) {
                found.push(SubscriberInfo {
                    info: handler.info,
                    kind: SubscriberKind::CompileTime,
                    is_async: handler.is_async(),
                    once: handler.once.is_some(),
                    priority: handler.priority,
                    key: SubscriberKey::Compiled { slot: self, index },
                });
            }
        }
        for handler in runtime {
            found.push(SubscriberInfo::runtime(
                handler,
                SubscriberKind::Runtime,
                self,
            ));
        }
        found
    }

    fn count(&self) -> usize {
        self.active_compiled() + self.runtime.len()
    }

    fn disable(&self, index: usize) -> bool {
        if index >= self.flags.len() {
            return false;
        }
        self.write(|| self.flags.disable(index))
    }

    fn remove_all(&self) -> usize {
        let (removed, old) = self.write(|| {
            let disabled = self.flags.disable_active();
            let (unsubscribed, old) = self.runtime.clear();
            (disabled + unsubscribed, old)
        });
        if old.is_some() {
            drop(old);
            thread_cache::retire();
        }
        removed
    }

    fn restore(&self) -> usize {
        self.write(|| self.flags.restore())
    }
}

/// The flags of a slot's compile-time handlers: which are enabled (cleared when a handler is removed
/// from its linker: compile-time handlers are disabled, not unlinked) and their `once` flags. Its
/// methods are what the version word's bits and the queries need of them, compiled once for all
/// events.
struct HandlerFlags {
    enabled: Box<[AtomicBool]>,
    /// Each handler's `once` flag, in dispatch order; empty when none is `once`.
    onces: Box<[Option<&'static OnceFlag>]>,
}

impl HandlerFlags {
    fn new(count: usize, onces: Vec<Option<&'static OnceFlag>>) -> Self {
        HandlerFlags {
            enabled: (0..count).map(|_| AtomicBool::new(true)).collect(),
            onces: onces.into_boxed_slice(),
        }
    }

    fn len(&self) -> usize {
        self.enabled.len()
    }

    fn any_once(&self) -> bool {
        !self.onces.is_empty()
    }

    /// Whether handler `index` is enabled (not removed from the linker).
    fn is_enabled(&self, index: usize) -> bool {
        self.enabled
            .get(index)
            .is_some_and(|enabled| enabled.load(Ordering::Acquire))
    }

    /// Whether handler `index` is enabled and, if `once`, not spent.
    fn is_active(&self, index: usize) -> bool {
        let spent = self
            .onces
            .get(index)
            .copied()
            .flatten()
            .is_some_and(OnceFlag::is_taken);
        self.is_enabled(index) && !spent
    }

    fn all_enabled(&self) -> bool {
        (0..self.len()).all(|index| self.is_enabled(index))
    }

    /// How many handlers are enabled and not spent.
    fn active(&self) -> usize {
        (0..self.len())
            .filter(|index| self.is_active(*index))
            .count()
    }

    /// Which handlers are enabled now.
    #[cold]
    fn enabled_now(&self) -> EnabledSet {
        if self.len() <= 64 {
            let bits = (0..self.len())
                .filter(|index| self.is_enabled(*index))
                .fold(0u64, |bits, index| bits | 1 << index);
            EnabledSet::Bits(bits)
        } else {
            EnabledSet::Flags(
                (0..self.len())
                    .map(|index| self.is_enabled(index))
                    .collect(),
            )
        }
    }

    /// Disables handler `index`; whether it was active.
    fn disable(&self, index: usize) -> bool {
        let was_active = self.is_active(index);
        if let Some(enabled) = self.enabled.get(index) {
            enabled.store(false, Ordering::Release);
        }
        was_active
    }

    /// Disables every active handler; how many.
    fn disable_active(&self) -> usize {
        (0..self.len())
            .filter(|index| self.is_active(*index))
            .inspect(|index| self.enabled[*index].store(false, Ordering::Release))
            .count()
    }

    /// Enables every handler again; how many of those that were disabled are active now.
    fn restore(&self) -> usize {
        (0..self.len())
            .filter(|index| !self.enabled[*index].swap(true, Ordering::AcqRel))
            .filter(|index| self.is_active(*index))
            .count()
    }
}

// The reports below are free functions, not methods of `Slot<E>`, so that they are compiled once, not
// once per event type.

/// Debug mode: the compile-time handlers found for an event on a linker.
#[cold]
fn report_found(
    event: &'static str,
    event_path: &'static str,
    linker: &'static str,
    handlers: &[&str],
) {
    let label = meta::event_label(event, event_path);
    report!(debug { event = event, event_path = event_path, linker = linker }
        "compile-time handlers of `{label}` on `{linker}`: {handlers:?}");
}

/// Reports more compile-time handlers (`count`) than the linker's `max_subscribers`.
fn report_over_limit(
    event: &'static str,
    event_path: &'static str,
    linker: &LinkerMeta,
    count: usize,
) {
    let Some(max) = linker.max_subscribers().filter(|max| count > *max) else {
        return;
    };
    let label = meta::event_label(event, event_path);
    let linker = linker.name();
    report!(error { event = event, event_path = event_path, linker = linker }
        "event `{label}` has {count} compile-time handlers on linker `{linker}`, which allows {max}; \
         all of them run, and runtime subscriptions to it will be refused");
}

/// What orders one compile-time handler, but for where its function is written (looked up on a tie
/// of the rest): priority, path; and its index among the handlers found.
struct OrderKey {
    path: &'static str,
    priority: i32,
    index: u32,
}

impl OrderKey {
    fn new(priority: i32, path: &'static str, index: usize) -> Self {
        OrderKey {
            path,
            priority,
            // More than `u32::MAX` handlers of one event do not fit in memory; saturate all the same.
            index: u32::try_from(index).unwrap_or(u32::MAX),
        }
    }

    fn index(&self) -> usize {
        self.index as usize
    }
}

/// Sorts `keys` into dispatch order: priority (higher first), then path, then where the function is
/// written (two same-named functions in one module; `location` gives it by index), then index, never
/// link order.
fn sort_keys(keys: &mut [OrderKey], location: &dyn Fn(usize) -> (u32, u32)) {
    // Stable, though the index makes keys distinct: the stable sort finds the runs that `inventory`'s
    // order already has (the handlers of one codegen unit come in source order, reversed), which
    // measured faster than the in-place unstable sort on 10,000 handlers.
    keys.sort_by(|a, b| {
        b.priority
            .cmp(&a.priority)
            .then_with(|| a.path.cmp(b.path))
            .then_with(|| location(a.index()).cmp(&location(b.index())))
            .then(a.index.cmp(&b.index))
    });
}

/// Reorders `items` in place so that item `i` is the one `keys[i]` indexes (following each cycle of
/// the permutation; `keys`' indices are spent on the way).
fn put_in_order<T: Copy>(items: &mut [T], keys: &mut [OrderKey]) {
    const DONE: u32 = u32::MAX;
    for start in 0..items.len().min(keys.len()) {
        if keys[start].index == DONE {
            continue;
        }
        let first = items[start];
        let mut at = start;
        loop {
            let from = keys[at].index();
            keys[at].index = DONE;
            match items.get(from) {
                Some(&item) if from != start => {
                    items[at] = item;
                    at = from;
                }
                _ => {
                    items[at] = first;
                    break;
                }
            }
        }
    }
}

/// Whether every runtime handler of `list` is a plain closure that is not `once`.
fn all_plain_closures<E: ?Sized>(list: &[Arc<RuntimeHandler<E>>]) -> bool {
    for handler in list {
        if handler.plain().is_none() || handler.once.is_some() {
            return false;
        }
    }
    true
}

/// Calls each of `calls` with `invoke` under one `catch_unwind`; after a panic, `report`s it with the
/// index of the call that panicked and goes on with the next one.
#[inline(always)]
fn run_guarded<const QUIET: bool, C>(
    calls: &[C],
    invoke: impl Fn(&C),
    report: impl Fn(usize, panics::Payload),
) {
    let mut next = 0;
    while next < calls.len() {
        let mut current = next;
        let run_all = || {
            while let Some(call) = calls.get(current) {
                invoke(call);
                current += 1;
            }
        };
        let run = if QUIET {
            panics::catch_marked(run_all)
        } else {
            panics::catch_unmarked(run_all)
        };
        match run {
            Ok(()) => return,
            Err(payload) => {
                report(current, payload);
                next = current + 1;
            }
        }
    }
}

/// Reports a panic caught on a fast path.
#[cold]
#[inline(never)]
fn report_panic(info: &HandlerInfo, payload: panics::Payload) {
    report::panic(info, &*payload);
}

/// How a subscriber was subscribed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SubscriberKind {
    /// A `#[subscribe]` function, registered at compile time.
    CompileTime,
    /// A closure subscribed while the program runs (`subscribe`, `once`, their async forms).
    Runtime,
    /// A closure subscribed to every event of the linker (`subscribe_all`).
    AllEvents,
}

/// One subscriber of a linker, as listed by [`Linker::subscribers`](crate::Linker::subscribers).
///
/// Pass it to [`Linker::remove`](crate::Linker::remove) to remove that subscriber.
#[derive(Clone)]
pub struct SubscriberInfo {
    info: HandlerInfo,
    kind: SubscriberKind,
    is_async: bool,
    once: bool,
    priority: i32,
    key: SubscriberKey,
}

/// How to find a subscriber again, to remove it.
#[derive(Clone, Copy)]
pub(crate) enum SubscriberKey {
    Compiled {
        slot: &'static dyn ErasedSlot,
        index: usize,
    },
    Runtime {
        list: &'static (dyn Unsubscribe + Send + Sync),
        id: u64,
    },
}

impl SubscriberInfo {
    /// A runtime subscriber of `list` (a slot, or a linker's all-events list).
    pub(crate) fn runtime<E: ?Sized>(
        handler: &RuntimeHandler<E>,
        kind: SubscriberKind,
        list: &'static (dyn Unsubscribe + Send + Sync),
    ) -> Self {
        SubscriberInfo {
            info: handler.info,
            kind,
            is_async: handler.is_async(),
            once: handler.once.is_some(),
            priority: 0,
            key: SubscriberKey::Runtime {
                list,
                id: handler.id,
            },
        }
    }

    /// How to find the subscriber again, to remove it.
    pub(crate) fn key(&self) -> SubscriberKey {
        self.key
    }

    /// Which handler: its path, event and linker.
    pub fn info(&self) -> &HandlerInfo {
        &self.info
    }

    /// The handler's path: `crate::module::function` for a `#[subscribe]` function, the closure's type
    /// name for a runtime subscription.
    pub fn path(&self) -> &'static str {
        self.info.path()
    }

    /// The event's name (`"..."` for an all-events subscriber).
    pub fn event(&self) -> &'static str {
        self.info.event()
    }

    /// The full path of the event's type (`"..."` for an all-events subscriber): see
    /// [`HandlerInfo::event_path`].
    pub fn event_path(&self) -> &'static str {
        self.info.event_path()
    }

    /// The linker's name.
    pub fn linker(&self) -> &'static str {
        self.info.linker()
    }

    /// How the subscriber was subscribed.
    pub fn kind(&self) -> SubscriberKind {
        self.kind
    }

    /// Whether the handler is async.
    pub fn is_async(&self) -> bool {
        self.is_async
    }

    /// Whether the handler runs once only.
    pub fn is_once(&self) -> bool {
        self.once
    }

    /// The handler's priority (0 for runtime subscribers, which run after compile-time handlers).
    pub fn priority(&self) -> i32 {
        self.priority
    }
}

impl fmt::Debug for SubscriberInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SubscriberInfo")
            .field("path", &self.path())
            .field("event", &self.event())
            .field("linker", &self.linker())
            .field("kind", &self.kind)
            .field("async", &self.is_async)
            .field("once", &self.once)
            .field("priority", &self.priority)
            .finish()
    }
}

/// Debug mode: one handler whose emitter lacks state its extractors read.
#[cold]
fn report_lacking(info: &HandlerInfo, missing: &[crate::lend::StateType]) {
    let message = crate::lend::missing_message(info.path, missing);
    report!(debug { handler = info.path, event = info.event } "{message}");
}

#[cfg(test)]
mod tests {
    use super::{OrderKey, put_in_order, sort_keys};

    /// The rule dispatch order follows, written the plain way: a stable sort by priority (higher
    /// first), path, location.
    fn reference(keys: &[(i32, &'static str, (u32, u32))]) -> Vec<usize> {
        let mut order: Vec<usize> = (0..keys.len()).collect();
        order.sort_by(|&a, &b| {
            let (a, b) = (&keys[a], &keys[b]);
            b.0.cmp(&a.0).then(a.1.cmp(b.1)).then(a.2.cmp(&b.2))
        });
        order
    }

    fn sorted(keys: &[(i32, &'static str, (u32, u32))]) -> Vec<usize> {
        let mut order: Vec<OrderKey> = keys
            .iter()
            .enumerate()
            .map(|(index, &(priority, path, _))| OrderKey::new(priority, path, index))
            .collect();
        sort_keys(&mut order, &|index| keys[index].2);
        let mut items: Vec<usize> = (0..keys.len()).collect();
        put_in_order(&mut items, &mut order);
        items
    }

    #[test]
    fn handlers_sort_by_priority_then_path_then_location_then_index() {
        let keys = [
            // A path that is another one and a NUL byte sorts after it, whatever the locations say.
            (0, "app::m1::m2\0", (1, 1)),
            (0, "app::m1::m2", (5, 5)),
            (0, "app::m1::m2::handler", (1, 1)),
            (0, "app::m1::m2", (1, 1)),
            (0, "app::m1::m2::handler_b", (1, 1)),
            (0, "app::m1::m1::handler", (9, 1)),
            (0, "app::m1::m1::handler", (2, 5)),
            (0, "app::m1::m1::handler", (2, 5)),
            (5, "app::z", (1, 1)),
            (0, "app::m1::m2\0", (1, 1)),
            (0, "app::m1::m2\0a", (1, 1)),
            (-3, "app::a", (1, 1)),
            (0, "app::m1::m2::handler", (1, 1)),
        ];
        assert_eq!(sorted(&keys), reference(&keys));
        assert_eq!(sorted(&[]), Vec::<usize>::new());
        assert_eq!(sorted(&keys[..1]), vec![0]);
    }

    #[test]
    fn many_generated_keys_sort_as_the_plain_rule_says() {
        const PARTS: [&str; 6] = ["a", "m0", "m1", "handler", "h", "módulo"];
        let mut seed = 0x2545_f491_4f6c_dd1d_u64;
        let mut next = move |bound: u64| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed % bound
        };
        for round in 0..50 {
            let keys: Vec<(i32, &'static str, (u32, u32))> = (0..200)
                .map(|_| {
                    let depth = 1 + next(5);
                    let mut path = String::from(if round % 2 == 0 {
                        "my_app::handlers::orders"
                    } else {
                        "c"
                    });
                    for _ in 0..depth {
                        path.push_str("::");
                        path.push_str(PARTS[next(PARTS.len() as u64) as usize]);
                    }
                    let priority = next(3) as i32 - 1;
                    let location = (next(3) as u32, next(2) as u32);
                    (priority, &*Box::leak(path.into_boxed_str()), location)
                })
                .collect();
            assert_eq!(sorted(&keys), reference(&keys), "round {round}");
        }
    }
}
