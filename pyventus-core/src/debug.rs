//! The global debug switch.
//!
//! An emitter built with `.debug(true)` or `.debug(false)` decides for itself. One left unset follows the
//! global switch: on when the process starts with `PYVENTUS_DEBUG` set to `1`, `true`, `yes` or `on`
//! (read once), or after [`set_debug(true)`](set_debug). This mirrors Pyventus, whose emitters default to
//! "debug when running under a debugger"; Rust has no such signal, so the environment decides.

use std::sync::atomic::{AtomicU8, Ordering};

const UNREAD: u8 = 0;
const OFF: u8 = 1;
const ON: u8 = 2;

static GLOBAL: AtomicU8 = AtomicU8::new(UNREAD);

/// Turns the global debug switch on or off, for every emitter without its own `.debug(..)`.
///
/// # Examples
///
/// ```
/// pyventus::set_debug(true);
/// assert!(pyventus::global_debug());
/// pyventus::set_debug(false);
/// assert!(!pyventus::global_debug());
/// ```
pub fn set_debug(enabled: bool) {
    GLOBAL.store(if enabled { ON } else { OFF }, Ordering::Relaxed);
}

/// Whether the global debug switch is on (see [`set_debug`] and `PYVENTUS_DEBUG`).
#[inline]
pub fn global_debug() -> bool {
    match GLOBAL.load(Ordering::Relaxed) {
        ON => true,
        OFF => false,
        _ => read_environment(),
    }
}

#[cold]
fn read_environment() -> bool {
    let enabled = std::env::var("PYVENTUS_DEBUG").is_ok_and(|value| {
        matches!(
            value.trim().to_ascii_lowercase().as_str(),
            "1" | "true" | "yes" | "on"
        )
    });
    // A concurrent `set_debug` wins over the environment.
    let _ = GLOBAL.compare_exchange(
        UNREAD,
        if enabled { ON } else { OFF },
        Ordering::Relaxed,
        Ordering::Relaxed,
    );
    GLOBAL.load(Ordering::Relaxed) == ON
}
