//! Linker queries and removal: who is subscribed to what, and taking subscribers away.
//!
//! The functions here back the query and removal functions of [`Linker`](crate::Linker). They walk
//! registries and take locks: they are for setup, tooling and tests, not for the emit path.

use std::fmt;
use std::ptr;

use crate::event::Event;
use crate::meta::{HandlerInfo, LinkerMeta};
use crate::registry::ErasedSlot;
use crate::registry::{build_compiled_registries, built_registries};
use crate::runtime_list::Unsubscribe;
use crate::subscription::ALL_EVENTS;

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
    pub(crate) site: HandlerInfo,
    pub(crate) kind: SubscriberKind,
    pub(crate) is_async: bool,
    pub(crate) once: bool,
    pub(crate) priority: i32,
    pub(crate) key: SubscriberKey,
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
    /// Which handler: its path, event and linker.
    pub fn info(&self) -> &HandlerInfo {
        &self.site
    }

    /// The handler's path: `crate::module::function` for a `#[subscribe]` function, the closure's type
    /// name for a runtime subscription.
    pub fn path(&self) -> &'static str {
        self.site.path()
    }

    /// The event's name (`"..."` for an all-events subscriber).
    pub fn event(&self) -> &'static str {
        self.site.event()
    }

    /// The linker's name.
    pub fn linker(&self) -> &'static str {
        self.site.linker()
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

pub(crate) fn subscribers<E: Event>(linker: &'static LinkerMeta) -> Vec<SubscriberInfo> {
    E::__registry()
        .slot(linker)
        .map_or_else(Vec::new, ErasedSlot::subscribers)
}

pub(crate) fn subscriber_count<E: Event>(linker: &'static LinkerMeta) -> usize {
    E::__registry().slot(linker).map_or(0, ErasedSlot::count)
}

pub(crate) fn all_events_subscribers(linker: &'static LinkerMeta) -> Vec<SubscriberInfo> {
    let handlers = linker.all.snapshot();
    handlers
        .iter()
        .flat_map(|handlers| handlers.iter())
        .map(|handler| SubscriberInfo {
            site: handler.site,
            kind: SubscriberKind::AllEvents,
            is_async: handler.is_async(),
            once: handler.once.is_some(),
            priority: 0,
            key: SubscriberKey::Runtime {
                list: &linker.all,
                id: handler.id,
            },
        })
        .collect()
}

/// The slots of every known event on `linker`.
fn slots(linker: &'static LinkerMeta) -> Vec<&'static dyn ErasedSlot> {
    build_compiled_registries();
    built_registries()
        .into_iter()
        .filter_map(|registry| registry.slot(linker))
        .collect()
}

pub(crate) fn events(linker: &'static LinkerMeta) -> Vec<&'static str> {
    let mut events: Vec<&'static str> = slots(linker)
        .into_iter()
        .filter(|slot| slot.count() > 0)
        .map(|slot| slot.event())
        .collect();
    if !linker.all.is_empty() {
        events.push(ALL_EVENTS);
    }
    events.sort_unstable();
    events.dedup();
    events
}

pub(crate) fn remove(linker: &'static LinkerMeta, subscriber: &SubscriberInfo) -> bool {
    if !ptr::eq(subscriber.site.linker_meta(), linker) {
        return false;
    }
    match subscriber.key {
        SubscriberKey::Compiled { slot, index } => slot.disable(index),
        SubscriberKey::Runtime { list, id } => list.remove(id),
    }
}

pub(crate) fn remove_event<E: Event>(linker: &'static LinkerMeta) -> usize {
    E::__registry()
        .slot(linker)
        .map_or(0, ErasedSlot::remove_all)
}

pub(crate) fn remove_all(linker: &'static LinkerMeta) -> usize {
    let removed: usize = slots(linker)
        .into_iter()
        .map(|slot| slot.remove_all())
        .sum();
    let (unsubscribed, old) = linker.all.clear();
    // Dropped outside the lock: a closure's captured state may unsubscribe or emit when dropped.
    drop(old);
    removed + unsubscribed
}

pub(crate) fn restore<E: Event>(linker: &'static LinkerMeta) -> usize {
    E::__registry().slot(linker).map_or(0, ErasedSlot::restore)
}
