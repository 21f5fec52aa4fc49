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

use std::collections::BTreeMap;
use std::fmt;
use std::panic::Location;
use std::ptr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, OnceLock, PoisonError};

use crate::handler::Failure;

/// Which handler: its path, its event and its linker, and for a runtime subscription, which one.
///
/// Passed to a linker's default callbacks (`#[linker(on_success = .., on_failure = ..)]`) and carried by
/// every report and debug line. Its [`Display`](fmt::Display) form is how reports name the handler:
/// the path of a `#[subscribe]` function (`app::orders::charge`), or for a closure subscribed at run time
/// its name or path with the subscription's id and where it was made
/// (`app::main::{{closure}} (subscription #3 at src/main.rs:12:5)`), so that two closures of one
/// function are told apart.
///
/// # Examples
///
/// ```
/// use pyventus::prelude::*;
///
/// #[event]
/// struct Saved;
///
/// let first = EventLinker::subscribe(|_: &Saved| {});
/// let second = EventLinker::named("audit").subscribe(|_: &Saved| {});
/// assert_eq!(first.info().path(), second.info().path()); // both `rust_out::main::{{closure}}`
/// assert_ne!(first.info().subscription_id(), second.info().subscription_id());
/// assert_eq!(second.info().name(), Some("audit"));
/// assert!(first.info().to_string().contains("(subscription #"));
/// assert!(second.info().to_string().starts_with("audit (subscription #"));
/// # first.unsubscribe();
/// # second.unsubscribe();
/// ```
#[derive(Clone, Copy)]
pub struct HandlerInfo {
    pub(crate) path: &'static str,
    pub(crate) event: &'static str,
    pub(crate) event_path: &'static str,
    pub(crate) linker: fn() -> &'static LinkerMeta,
    /// Which runtime subscription this is; `None` for a `#[subscribe]` function.
    pub(crate) origin: Option<Origin>,
}

/// Which runtime subscription a handler is: its id, where it was made, the name the user gave it.
#[derive(Clone, Copy)]
pub(crate) struct Origin {
    pub(crate) id: u64,
    pub(crate) location: &'static Location<'static>,
    pub(crate) name: Option<&'static str>,
}

impl HandlerInfo {
    /// Describes the `#[subscribe]` function at `path`, for the event `event` (its name) at `event_path`,
    /// on the linker `linker` describes.
    #[doc(hidden)]
    pub const fn new(
        path: &'static str,
        event: &'static str,
        event_path: &'static str,
        linker: fn() -> &'static LinkerMeta,
    ) -> Self {
        HandlerInfo {
            path,
            event,
            event_path,
            linker,
            origin: None,
        }
    }

    /// Describes the closure subscribed at run time as `origin`.
    pub(crate) fn runtime(
        path: &'static str,
        (event, event_path): (&'static str, &'static str),
        linker: fn() -> &'static LinkerMeta,
        origin: Origin,
    ) -> Self {
        HandlerInfo {
            origin: Some(origin),
            ..HandlerInfo::new(path, event, event_path, linker)
        }
    }

    /// The handler's path: `crate::module::function` for a `#[subscribe]` function, the closure's type
    /// name for a runtime subscription.
    pub fn path(&self) -> &'static str {
        self.path
    }

    /// The name of the event: the type's name ([`Event::NAME`](crate::Event::NAME)), or `"..."` for an
    /// all-events subscriber.
    pub fn event(&self) -> &'static str {
        self.event
    }

    /// The full path of the event's type ([`Event::PATH`](crate::Event::PATH)), which tells apart two
    /// events of the same name in different modules; `"..."` for an all-events subscriber.
    pub fn event_path(&self) -> &'static str {
        self.event_path
    }

    /// The name of the linker the handler is subscribed on.
    pub fn linker(&self) -> &'static str {
        (self.linker)().name()
    }

    /// The id of the runtime subscription (unique in the process), or `None` for a `#[subscribe]`
    /// function.
    pub fn subscription_id(&self) -> Option<u64> {
        self.origin.map(|origin| origin.id)
    }

    /// Where the runtime subscription was made (the call of `subscribe`, `once`, ...), or `None` for a
    /// `#[subscribe]` function.
    pub fn location(&self) -> Option<&'static Location<'static>> {
        self.origin.map(|origin| origin.location)
    }

    /// The name given to the runtime subscription with [`Linker::named`](crate::Linker::named), if any.
    pub fn name(&self) -> Option<&'static str> {
        self.origin.and_then(|origin| origin.name)
    }

    pub(crate) fn linker_meta(&self) -> &'static LinkerMeta {
        (self.linker)()
    }

    /// The same handler, called for the event `event` at `event_path` (all-events handlers are listed
    /// under `"..."`).
    pub(crate) fn for_event(self, event: &'static str, event_path: &'static str) -> Self {
        HandlerInfo {
            event,
            event_path,
            ..self
        }
    }
}

/// The handler as reports name it (see [`HandlerInfo`]).
impl fmt::Display for HandlerInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.origin {
            None => f.write_str(self.path),
            Some(origin) => write!(
                f,
                "{} (subscription #{} at {})",
                origin.name.unwrap_or(self.path),
                origin.id,
                origin.location
            ),
        }
    }
}

impl fmt::Debug for HandlerInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut debug = f.debug_struct("HandlerInfo");
        debug
            .field("path", &self.path)
            .field("event", &self.event_path)
            .field("linker", &self.linker());
        if let Some(origin) = self.origin {
            debug
                .field("subscription_id", &origin.id)
                .field("location", &format_args!("{}", origin.location))
                .field("name", &origin.name);
        }
        debug.finish()
    }
}

/// The events of the program seen so far, by name and path: every event with a `#[subscribe]` handler
/// (noted when the first registry is built) and every event used at run time (noted when its registry
/// is built). A report is always about an event whose registry is built, so it sees them all.
///
/// By name, each name's paths (usually one): noting and looking up stay cheap with thousands of events.
static EVENTS: Mutex<BTreeMap<&'static str, Vec<&'static str>>> = Mutex::new(BTreeMap::new());

/// Notes that the program has an event named `name` at `path`.
pub(crate) fn note_event(name: &'static str, path: &'static str) {
    let mut events = EVENTS.lock().unwrap_or_else(PoisonError::into_inner);
    let paths = events.entry(name).or_default();
    if !paths.contains(&path) {
        paths.push(path);
    }
}

/// How messages name an event: by its name, or by its path when another event of the program has the
/// same name (`a::Created` and `b::Created`).
pub(crate) fn event_label(name: &'static str, path: &'static str) -> &'static str {
    let events = EVENTS.lock().unwrap_or_else(PoisonError::into_inner);
    let shared = events
        .get(name)
        .is_some_and(|paths| paths.iter().any(|other| *other != path));
    if shared { path } else { name }
}

/// A linker's default success callback: receives which handler succeeded.
pub type DefaultSuccessFn = fn(&HandlerInfo);

/// A linker's default failure callback: receives which handler failed, and how.
pub type DefaultFailureFn = fn(&HandlerInfo, Failure<&dyn fmt::Debug>);

/// [`LinkerMeta::index`] not computed yet.
const UNSET: usize = usize::MAX;
/// [`LinkerMeta::index`] of a linker missing from `inventory`'s list.
const UNREGISTERED: usize = usize::MAX - 1;

/// The static description of a linker.
#[doc(hidden)]
pub struct LinkerMeta {
    name: &'static str,
    /// The index, [`UNSET`] until first asked, [`UNREGISTERED`] for a linker `inventory` did not register.
    index: AtomicUsize,
    max_subscribers: Option<usize>,
    on_success: Option<DefaultSuccessFn>,
    on_failure: Option<DefaultFailureFn>,
}

impl LinkerMeta {
    /// A linker named `name` (its path), without options.
    pub const fn new(name: &'static str) -> Self {
        LinkerMeta {
            name,
            index: AtomicUsize::new(UNSET),
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
        // One load on every emit after the first: the index never changes once known.
        match self.index.load(Ordering::Relaxed) {
            UNSET => self.find_index(),
            UNREGISTERED => None,
            index => Some(index),
        }
    }

    /// The index as stored: the linker's index once known, else a sentinel larger than any table of
    /// linkers (so that a table lookup with it misses, and the caller falls back to
    /// [`index`](LinkerMeta::index)). One load, no branch: what the emit path reads.
    #[inline]
    pub(crate) fn stored_index(&self) -> usize {
        self.index.load(Ordering::Relaxed)
    }

    #[cold]
    fn find_index(&'static self) -> Option<usize> {
        let index = all_linkers().iter().position(|other| ptr::eq(*other, self));
        // Every thread computes the same value, so a race only stores it twice.
        self.index
            .store(index.unwrap_or(UNREGISTERED), Ordering::Relaxed);
        index
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
