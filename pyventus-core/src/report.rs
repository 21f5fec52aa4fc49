//! Reporting: where handler faults and debug lines go.
//!
//! Everything goes through `tracing` with the target `pyventus`. Faults (a handler that returns `Err` or
//! panics) are reported at error level whether or not debug mode is on; debug lines (each emit, each
//! submitted handler, its outcome and duration) only in debug mode, at debug level.

use std::any::Any;
use std::fmt;
use std::time::Duration;

use crate::handler::{Outcome, Site};

/// Reports an `Err` returned by the handler at `site`.
#[cold]
pub(crate) fn error(site: &Site, error: &dyn fmt::Debug) {
    tracing::error!(
        target: "pyventus",
        handler = site.handler,
        event = site.event,
        linker = site.linker_name(),
        "handler `{}` returned an error for event `{}`: {:?}",
        site.handler,
        site.event,
        error
    );
}

/// Reports a panic inside the handler at `site`.
#[cold]
pub(crate) fn panic(site: &Site, payload: &(dyn Any + Send)) {
    let message = panic_message(payload);
    tracing::error!(
        target: "pyventus",
        handler = site.handler,
        event = site.event,
        linker = site.linker_name(),
        "handler `{}` panicked on event `{}`: {}",
        site.handler,
        site.event,
        message
    );
}

/// The message of a panic payload (`panic!("...")` gives a `&str` or a `String`).
pub fn panic_message(payload: &(dyn Any + Send)) -> String {
    if let Some(message) = payload.downcast_ref::<&'static str>() {
        (*message).to_owned()
    } else if let Some(message) = payload.downcast_ref::<String>() {
        message.clone()
    } else {
        "a panic payload that is not a string".to_owned()
    }
}

/// Debug mode: one emit, before its handlers are submitted.
#[cold]
pub(crate) fn emit(event: &'static str, linker: &'static str, processor: &'static str) {
    tracing::debug!(
        target: "pyventus",
        event,
        linker,
        processor,
        "emit `{event}` on `{linker}` through `{processor}`"
    );
}

/// Debug mode: an emit that found no handler (Pyventus's "no subscribers" case: not an error).
#[cold]
pub(crate) fn no_handlers(event: &'static str, linker: &'static str) {
    tracing::debug!(
        target: "pyventus",
        event,
        linker,
        "emit `{event}` on `{linker}`: no handlers"
    );
}

/// Debug mode: one handler call handed to the processor.
#[cold]
pub(crate) fn submitted(site: &Site) {
    tracing::debug!(
        target: "pyventus",
        handler = site.handler,
        event = site.event,
        "submit `{}` for `{}`",
        site.handler,
        site.event
    );
}

/// Debug mode: one handler call finished.
#[cold]
pub(crate) fn finished(site: &Site, outcome: Outcome, elapsed: Duration) {
    let outcome = match outcome {
        Outcome::Success => "succeeded",
        Outcome::Error => "returned an error",
        Outcome::Panic => "panicked",
    };
    tracing::debug!(
        target: "pyventus",
        handler = site.handler,
        event = site.event,
        outcome,
        elapsed_us = elapsed.as_micros() as u64,
        "handler `{}` {outcome} in {elapsed:?}",
        site.handler
    );
}
