//! Linker queries and removal: who is subscribed to what, and taking subscribers away.
//!
//! The functions here back the query and removal functions of [`Linker`](crate::Linker). They walk
//! registries and take locks: they are for setup, tooling and tests, not for the emit path.

use std::ptr;

use crate::event::Event;
use crate::meta::{self, LinkerMeta};
use crate::registry::{
    ALL_EVENTS, ErasedSlot, SubscriberInfo, SubscriberKey, SubscriberKind, all_events,
    build_compiled_registries, built_registries,
};

pub(crate) fn subscribers<E: Event>(linker: &'static LinkerMeta) -> Vec<SubscriberInfo> {
    E::__registry()
        .slot(linker)
        .map_or_else(Vec::new, ErasedSlot::subscribers)
}

pub(crate) fn subscriber_count<E: Event>(linker: &'static LinkerMeta) -> usize {
    E::__registry().slot(linker).map_or(0, ErasedSlot::count)
}

pub(crate) fn all_events_subscribers(linker: &'static LinkerMeta) -> Vec<SubscriberInfo> {
    let Some(all) = all_events(linker) else {
        return Vec::new();
    };
    let handlers = all.snapshot();
    handlers
        .iter()
        .flat_map(|handlers| handlers.iter())
        .map(|handler| SubscriberInfo::runtime(handler, SubscriberKind::AllEvents, all))
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
        .map(|slot| meta::event_label(slot.event(), slot.event_path()))
        .collect();
    if all_events(linker).is_some_and(|all| !all.is_empty()) {
        events.push(ALL_EVENTS);
    }
    events.sort_unstable();
    events.dedup();
    events
}

pub(crate) fn remove(linker: &'static LinkerMeta, subscriber: &SubscriberInfo) -> bool {
    if !ptr::eq(subscriber.info().linker_meta(), linker) {
        return false;
    }
    match subscriber.key() {
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
    let Some(all) = all_events(linker) else {
        return removed;
    };
    let (unsubscribed, old) = all.clear();
    // Dropped outside the lock: a closure's captured state may unsubscribe or emit when dropped.
    drop(old);
    removed + unsubscribed
}

pub(crate) fn restore<E: Event>(linker: &'static LinkerMeta) -> usize {
    E::__registry().slot(linker).map_or(0, ErasedSlot::restore)
}

pub(crate) fn restore_all(linker: &'static LinkerMeta) -> usize {
    slots(linker).into_iter().map(|slot| slot.restore()).sum()
}
