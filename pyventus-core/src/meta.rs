//! Identity: which handler, which linker. The static descriptions every other layer names.
//!
//! A [`HandlerInfo`] says which handler a call, a report or a query is about: its path, its event and its
//! linker. A [`LinkerMeta`] is the static description of one linker type (its name, its options, its
//! index among all registered linkers); `#[linker]` generates one per linker and registers it with
//! `inventory` through a [`LinkerRegistration`].
//!
//! Each linker gets a small index, assigned once from the list of all linkers registered with `inventory`
//! (sorted by name, so the index does not depend on link order). An event's registry is a table indexed by
//! that number: finding the handlers of `(event, linker)` is two loads and a bounds check.

use std::fmt;
use std::ptr;
use std::sync::OnceLock;

use crate::handler::Failure;

/// Which handler: its path, its event and its linker.
///
/// Passed to a linker's default callbacks (`#[linker(on_success = .., on_failure = ..)]`) and carried by
/// every report and debug line.
#[derive(Clone, Copy)]
pub struct HandlerInfo {
    pub(crate) path: &'static str,
    pub(crate) event: &'static str,
    pub(crate) linker: fn() -> &'static LinkerMeta,
}

impl HandlerInfo {
    /// Describes the handler at `path`, for `event` on the linker `linker` describes.
    #[doc(hidden)]
    pub const fn new(
        path: &'static str,
        event: &'static str,
        linker: fn() -> &'static LinkerMeta,
    ) -> Self {
        HandlerInfo {
            path,
            event,
            linker,
        }
    }

    /// The handler's path: `crate::module::function` for a `#[subscribe]` function, the closure's type
    /// name for a runtime subscription.
    pub fn path(&self) -> &'static str {
        self.path
    }

    /// The name of the event.
    pub fn event(&self) -> &'static str {
        self.event
    }

    /// The name of the linker the handler is subscribed on.
    pub fn linker(&self) -> &'static str {
        (self.linker)().name()
    }

    pub(crate) fn linker_meta(&self) -> &'static LinkerMeta {
        (self.linker)()
    }

    /// The same handler, called for `event` (all-events handlers are listed under `"..."`).
    pub(crate) fn for_event(self, event: &'static str) -> Self {
        HandlerInfo { event, ..self }
    }
}

impl fmt::Debug for HandlerInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HandlerInfo")
            .field("path", &self.path)
            .field("event", &self.event)
            .field("linker", &self.linker())
            .finish()
    }
}

/// A linker's default success callback: receives which handler succeeded.
pub type DefaultSuccessFn = fn(&HandlerInfo);

/// A linker's default failure callback: receives which handler failed, and how.
pub type DefaultFailureFn = fn(&HandlerInfo, Failure<&dyn fmt::Debug>);

/// The static description of a linker.
#[doc(hidden)]
pub struct LinkerMeta {
    name: &'static str,
    index: OnceLock<usize>,
    max_subscribers: Option<usize>,
    on_success: Option<DefaultSuccessFn>,
    on_failure: Option<DefaultFailureFn>,
}

impl LinkerMeta {
    /// A linker named `name` (its path), without options.
    pub const fn new(name: &'static str) -> Self {
        LinkerMeta {
            name,
            index: OnceLock::new(),
            max_subscribers: None,
            on_success: None,
            on_failure: None,
        }
    }

    /// The same linker, with at most `max` subscribers per event.
    pub const fn with_max_subscribers(mut self, max: usize) -> Self {
        self.max_subscribers = Some(max);
        self
    }

    /// The same linker, with a default success callback (also given to `Linker::__ON_SUCCESS`).
    pub const fn with_on_success(mut self, on_success: DefaultSuccessFn) -> Self {
        self.on_success = Some(on_success);
        self
    }

    /// The same linker, with a default failure callback.
    pub const fn with_on_failure(mut self, on_failure: DefaultFailureFn) -> Self {
        self.on_failure = Some(on_failure);
        self
    }

    /// The linker's name.
    pub fn name(&self) -> &'static str {
        self.name
    }

    /// The most subscribers an event may have on this linker.
    pub fn max_subscribers(&self) -> Option<usize> {
        self.max_subscribers
    }

    pub(crate) fn on_success(&self) -> Option<DefaultSuccessFn> {
        self.on_success
    }

    pub(crate) fn on_failure(&self) -> Option<DefaultFailureFn> {
        self.on_failure
    }

    /// The linker's position among all registered linkers, or `None` for a linker `inventory` did not
    /// register (only on platforms `inventory` does not support).
    #[inline]
    pub(crate) fn index(&'static self) -> Option<usize> {
        let index = *self.index.get_or_init(|| {
            all_linkers()
                .iter()
                .position(|other| ptr::eq(*other, self))
                .unwrap_or(usize::MAX)
        });
        (index != usize::MAX).then_some(index)
    }
}

impl fmt::Debug for LinkerMeta {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LinkerMeta")
            .field("name", &self.name)
            .field("max_subscribers", &self.max_subscribers)
            .finish_non_exhaustive()
    }
}

/// One `inventory` entry per linker type.
#[doc(hidden)]
pub struct LinkerRegistration {
    meta: fn() -> &'static LinkerMeta,
}

impl LinkerRegistration {
    /// Registers the linker whose description `meta` returns.
    pub const fn new(meta: fn() -> &'static LinkerMeta) -> Self {
        LinkerRegistration { meta }
    }
}

impl fmt::Debug for LinkerRegistration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("LinkerRegistration")
            .field(&(self.meta)().name)
            .finish()
    }
}

inventory::collect!(LinkerRegistration);

/// Every registered linker, sorted by name: the order that gives each its index.
pub(crate) fn all_linkers() -> &'static [&'static LinkerMeta] {
    static LINKERS: OnceLock<Box<[&'static LinkerMeta]>> = OnceLock::new();
    LINKERS.get_or_init(|| {
        let mut linkers: Vec<&'static LinkerMeta> = inventory::iter::<LinkerRegistration>
            .into_iter()
            .map(|registration| (registration.meta)())
            .collect();
        linkers.sort_by(|a, b| {
            a.name
                .cmp(b.name)
                .then((*a as *const LinkerMeta).cmp(&(*b as *const _)))
        });
        linkers.dedup_by(|a, b| ptr::eq(*a, *b));
        linkers.into_boxed_slice()
    })
}
