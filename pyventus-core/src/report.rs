//! Reporting: where handler faults and debug lines go.
//!
//! Everything goes through `tracing` with the target `pyventus`. Faults (a handler that returns `Err` or
//! panics) are reported at error level whether or not debug mode is on; debug lines (each emit, each
//! submitted handler, its outcome and duration) only in debug mode, at debug level.

use std::any::Any;
use std::fmt;
use std::time::{Duration, Instant};

use std::panic::{AssertUnwindSafe, catch_unwind};

use crate::handler::{Failure, Outcome};
use crate::meta::{DefaultFailureFn, HandlerInfo};

/// Reports an `Err` returned by the handler at `info`: to its linker's default `on_failure` callback if
/// it has one, else through `tracing` at error level.
#[cold]
pub(crate) fn error(info: &HandlerInfo, error: &dyn fmt::Debug) -> Outcome {
    if let Some(on_failure) = info.linker_meta().on_failure() {
        return call_default_failure(on_failure, info, Failure::Error(error));
    }
    fault(
        info,
        format_args!(
            "handler `{}` returned an error for event `{}`: {error:?}",
            info.path, info.event
        ),
    );
    Outcome::Error
}

/// Reports a panic inside the handler at `info`, like [`error`].
#[cold]
pub(crate) fn panic(info: &HandlerInfo, payload: &(dyn Any + Send)) -> Outcome {
    let message = panic_message(payload);
    if let Some(on_failure) = info.linker_meta().on_failure() {
        return call_default_failure(on_failure, info, Failure::Panic(message));
    }
    fault(
        info,
        format_args!(
            "handler `{}` panicked on event `{}`: {message}",
            info.path, info.event
        ),
    );
    Outcome::Panic
}

/// Calls a linker's default `on_failure`; a panic inside it is reported, not propagated.
fn call_default_failure(
    on_failure: DefaultFailureFn,
    info: &HandlerInfo,
    failure: Failure<&dyn fmt::Debug>,
) -> Outcome {
    if let Err(payload) = catch_unwind(AssertUnwindSafe(|| on_failure(info, failure))) {
        callback_panic(info, "the linker's default `on_failure`", &*payload);
    }
    Outcome::FailureHandled
}

/// Reports a panic inside a success or failure callback (Pyventus swallows these silently).
#[cold]
pub(crate) fn callback_panic(info: &HandlerInfo, callback: &str, payload: &(dyn Any + Send)) {
    let message = panic_message(payload);
    fault(
        info,
        format_args!(
            "{callback} callback of handler `{}` panicked on event `{}`: {message}",
            info.path, info.event
        ),
    );
}

/// One fault line: error level, with the handler, event and linker as fields.
fn fault(info: &HandlerInfo, message: fmt::Arguments<'_>) {
    tracing::error!(
        target: "pyventus",
        handler = info.path,
        event = info.event,
        linker = info.linker(),
        "{message}"
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
pub(crate) fn emit(event: &'static str, linker: &'static str, processor: String) {
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
pub(crate) fn submitted(info: &HandlerInfo) {
    tracing::debug!(
        target: "pyventus",
        handler = info.path,
        event = info.event,
        "submit `{}` for `{}`",
        info.path,
        info.event
    );
}

/// Debug mode: times one handler call and reports how it ended. Outside debug mode it does nothing
/// (not even read the clock).
pub(crate) struct Stopwatch(Option<Instant>);

impl Stopwatch {
    #[inline]
    pub(crate) fn start(debug: bool) -> Self {
        Stopwatch(debug.then(Instant::now))
    }

    #[inline]
    pub(crate) fn finish(self, info: &HandlerInfo, outcome: Outcome) {
        if let Some(started) = self.0 {
            finished(info, outcome, started.elapsed());
        }
    }
}

/// Debug mode: one handler call finished.
#[cold]
fn finished(info: &HandlerInfo, outcome: Outcome, elapsed: Duration) {
    let outcome = match outcome {
        Outcome::Success => "succeeded",
        Outcome::Error => "returned an error",
        Outcome::Panic => "panicked",
        Outcome::FailureHandled => "failed (passed to its failure callback)",
    };
    tracing::debug!(
        target: "pyventus",
        handler = info.path,
        event = info.event,
        outcome,
        elapsed_us = elapsed.as_micros() as u64,
        "handler `{}` {outcome} in {elapsed:?}",
        info.path
    );
}
