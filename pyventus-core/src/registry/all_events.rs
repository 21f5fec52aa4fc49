//! The all-events subscribers of each linker (Pyventus's `...`): one runtime list per linker.
//!
//! A closure subscribed with [`Linker::subscribe_all`](crate::Linker::subscribe_all) receives every event
//! emitted on its linker, whatever the event's type, so it lives beside the slots rather than in one of
//! them. Each slot keeps a reference to its linker's list, resolved when the slot is built, so an emit
//! reaches it with one load.

use std::sync::OnceLock;

use crate::event::AnyEvent;
use crate::meta::{LinkerMeta, all_linkers};
use crate::runtime_list::{RuntimeHandler, RuntimeList};

/// The all-events subscribers of one linker.
pub(crate) type AllEvents = RuntimeList<RuntimeHandler<dyn AnyEvent>>;

/// The event name all-events subscribers are listed under (Pyventus's `...`).
pub(crate) const ALL_EVENTS: &str = "...";

/// The all-events subscribers of `linker`, or `None` for a linker `inventory` did not register.
pub(crate) fn all_events(linker: &'static LinkerMeta) -> Option<&'static AllEvents> {
    every_linker().get(linker.index()?)
}

/// The all-events subscribers of every registered linker, indexed like
/// [`all_linkers`](crate::meta::all_linkers).
pub(crate) fn every_linker() -> &'static [AllEvents] {
    static LISTS: OnceLock<Box<[AllEvents]>> = OnceLock::new();
    LISTS.get_or_init(|| all_linkers().iter().map(|_| RuntimeList::new()).collect())
}
