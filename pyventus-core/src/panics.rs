//! Panics inside handlers: the one place they are caught, their messages, and the opt-in quiet hook.
//!
//! Every panic pyventus catches inside a handler or a callback is caught by [`catch`] (or its async
//! form, [`catch_unwind_async`]), then reported like any other fault. Rust's panic hook runs before the
//! panic is caught, so by default it still prints the std panic message (and a backtrace when
//! `RUST_BACKTRACE` is set) for every handler panic. [`quiet_handler_panics`] installs a hook that keeps
//! quiet while [`catch`] is running and leaves every other panic to the hook that was there before; the
//! panic's location then travels with pyventus's own report instead.

use std::any::Any;
use std::cell::Cell;
use std::future::{Future, poll_fn};
use std::panic::{self, AssertUnwindSafe};
use std::pin::pin;
use std::sync::Once;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::Poll;

/// What a panic carries.
pub(crate) type Payload = Box<dyn Any + Send>;

/// Whether the quiet hook is installed (then [`catch`] marks the thread while it runs).
static QUIET: AtomicBool = AtomicBool::new(false);

thread_local! {
    /// How many [`catch`]es are running on this thread.
    static CATCHING: Cell<u32> = const { Cell::new(0) };
    /// Where the last panic the quiet hook kept quiet happened, for the report that follows.
    static QUIETED_AT: Cell<Option<String>> = const { Cell::new(None) };
}

/// Calls `call`, catching its panic.
///
/// A caught panic goes to a report or a failure callback, and nothing observes the handler's half-done
/// work, so unwind safety is not a concern here.
#[inline]
pub fn catch_unwind<R>(call: impl FnOnce() -> R) -> Result<R, Payload> {
    catch(call)
}

/// [`catch_unwind`], under the name the crate uses.
#[inline]
pub(crate) fn catch<R>(call: impl FnOnce() -> R) -> Result<R, Payload> {
    if QUIET.load(Ordering::Relaxed) {
        return catch_marked(call);
    }
    panic::catch_unwind(AssertUnwindSafe(call))
}

/// [`catch`] with the quiet hook installed: the thread is marked while `call` runs.
#[cold]
pub(crate) fn catch_marked<R>(call: impl FnOnce() -> R) -> Result<R, Payload> {
    let _marked = Catching::enter();
    panic::catch_unwind(AssertUnwindSafe(call))
}

/// [`catch`] for a caller that checked [`is_quiet`] itself (the inline fast path, once per emit).
#[inline]
pub(crate) fn catch_unmarked<R>(call: impl FnOnce() -> R) -> Result<R, Payload> {
    panic::catch_unwind(AssertUnwindSafe(call))
}

/// Whether the quiet hook is installed (then catches must mark the thread).
#[inline]
pub(crate) fn is_quiet() -> bool {
    QUIET.load(Ordering::Relaxed)
}

/// Awaits `future`, catching a panic raised while polling it: the async `catch_unwind`.
///
/// The future is pinned inside this function's own future, so catching costs no allocation.
pub async fn catch_unwind_async<F: Future>(future: F) -> Result<F::Output, Payload> {
    let mut future = pin!(future);
    poll_fn(|cx| match catch(|| future.as_mut().poll(cx)) {
        Ok(Poll::Ready(output)) => Poll::Ready(Ok(output)),
        Ok(Poll::Pending) => Poll::Pending,
        Err(payload) => Poll::Ready(Err(payload)),
    })
    .await
}

/// Marks the thread as running a [`catch`] until dropped (also when the caught call unwinds).
struct Catching;

impl Catching {
    fn enter() -> Self {
        CATCHING.with(|depth| depth.set(depth.get() + 1));
        Catching
    }
}

impl Drop for Catching {
    fn drop(&mut self) {
        CATCHING.with(|depth| depth.set(depth.get().saturating_sub(1)));
    }
}

/// Keeps Rust's panic hook quiet for the panics pyventus catches inside handlers and callbacks; every
/// other panic still goes to the hook that was installed before.
///
/// A handler's panic is caught and reported by pyventus anyway (to its `on_failure`, its linker's
/// default `on_failure`, or the default report, which then says where the panic happened), so the std
/// panic message and backtrace printed for each one only add noise, in test output especially. Call
/// this once, early (for example at the start of `main`, or in a test helper); calling it again does
/// nothing. It replaces the process-wide panic hook with one that forwards to the previous hook, so call
/// it after installing a hook of your own.
///
/// # Examples
///
/// ```
/// use pyventus::prelude::*;
///
/// #[event]
/// struct Tick;
///
/// #[subscribe(Tick)]
/// fn fragile() {
///     panic!("caught and reported by pyventus, not printed by the panic hook");
/// }
///
/// pyventus::quiet_handler_panics();
/// EventEmitter::new(InlineProcessor).emit(Tick); // one report line, no panic message
/// ```
pub fn quiet_handler_panics() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        let previous = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            if CATCHING.try_with(Cell::get).unwrap_or(0) > 0 {
                let location = info.location().map(ToString::to_string);
                let _ = QUIETED_AT.try_with(|at| at.set(location));
            } else {
                previous(info);
            }
        }));
        QUIET.store(true, Ordering::Relaxed);
    });
}

/// Where the panic being reported happened (`src/lib.rs:10:5`), when the quiet hook kept it quiet
/// (taken once).
pub(crate) fn quieted_location() -> Option<String> {
    QUIETED_AT.try_with(Cell::take).ok().flatten()
}

/// The message of a panic payload (`panic!("...")` gives a `&str` or a `String`).
///
/// # Examples
///
/// ```
/// let payload = std::panic::catch_unwind(|| panic!("out of {}", "stock")).unwrap_err();
/// assert_eq!(pyventus::panic_message(&*payload), "out of stock");
/// ```
pub fn panic_message(payload: &(dyn Any + Send)) -> String {
    if let Some(message) = payload.downcast_ref::<&'static str>() {
        (*message).to_owned()
    } else if let Some(message) = payload.downcast_ref::<String>() {
        message.clone()
    } else {
        "a panic payload that is not a string".to_owned()
    }
}
