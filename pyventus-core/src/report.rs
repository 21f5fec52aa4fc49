//! Reporting: where handler faults, warnings and debug lines go.
//!
//! Every line goes through one macro, `report!`: to `tracing` (target `pyventus`) when the program has
//! installed a `tracing` subscriber (a global default, or a scoped one on the reporting thread), else to
//! stderr, one line each, prefixed `[pyventus]`. So a program that set nothing up still sees its
//! handlers' faults, as Python's logging prints errors when nothing is configured; a program that routes
//! `tracing` somewhere gets them there, filtered as it likes, and nothing on stderr.
//!
//! Faults (a handler that returns `Err` or panics, a callback that panics) are reported at error level
//! whether or not debug mode is on; debug lines (each emit, each submitted handler, its outcome and
//! duration) only in debug mode, at debug level.

use std::fmt;
use std::panic::AssertUnwindSafe;
use std::time::{Duration, Instant};

use crate::handler::{Failure, Outcome};
use crate::meta::{self, DefaultFailureFn, HandlerInfo};
use crate::panics;

/// Reports one line: `report!(level { field = value, .. } "format", args..)`, where `level` is `error`,
/// `warn` or `debug`.
macro_rules! report {
    ($level:ident { $($field:ident = $value:expr),* $(,)? } $($message:tt)+) => {
        if $crate::report::to_stderr() {
            $crate::report::write_stderr(stringify!($level), format_args!($($message)+));
        } else {
            tracing::$level!(target: "pyventus", $($field = $value,)* $($message)+);
        }
    };
}
pub(crate) use report;

/// Whether no `tracing` subscriber would receive a line from this thread, so it goes to stderr.
pub(crate) fn to_stderr() -> bool {
    tracing::dispatcher::get_default(|dispatch| dispatch.is::<tracing::subscriber::NoSubscriber>())
}

/// Writes one line on stderr, with `eprintln!` so that a test harness captures it like the test's own
/// output. A stderr that cannot be written to loses the line; the caller never sees a panic.
pub(crate) fn write_stderr(level: &str, message: fmt::Arguments<'_>) {
    let level = match level {
        "warn" => "warning",
        other => other,
    };
    let _ = std::panic::catch_unwind(AssertUnwindSafe(|| {
        eprintln!("[pyventus] {level}: {message}");
    }));
}

/// "handler `path`", or for a runtime subscription "handler `name or path` (subscription #3 at
/// src/main.rs:12:5)": enough to tell two closures of one function apart.
pub(crate) struct Handler<'a>(pub(crate) &'a HandlerInfo);

impl fmt::Display for Handler<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let info = self.0;
        let shown = info.name().unwrap_or(info.path);
        write!(f, "handler `{shown}`")?;
        if let (Some(id), Some(location)) = (info.subscription_id(), info.location()) {
            write!(f, " (subscription #{id} at {location})")?;
        }
        Ok(())
    }
}

/// "event `Name`", or "event `a::b::Name`" when another event of the program has the same name.
pub(crate) struct EventOf<'a>(pub(crate) &'a HandlerInfo);

impl fmt::Display for EventOf<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let info = self.0;
        write!(
            f,
            "event `{}`",
            meta::event_label(info.event, info.event_path)
        )
    }
}

/// Reports an `Err` returned by the handler at `info`: to its linker's default `on_failure` callback if
/// it has one, else as an error line.
#[cold]
pub(crate) fn error(info: &HandlerInfo, error: &dyn fmt::Debug) -> Outcome {
    if let Some(on_failure) = info.linker_meta().on_failure() {
        return call_default_failure(on_failure, info, Failure::Error(error));
    }
    fault(
        info,
        format_args!(
            "{} returned an error for {}: {error:?}",
            Handler(info),
            EventOf(info)
        ),
    );
    Outcome::Error
}

/// Reports a panic inside the handler at `info`, like [`error`].
#[cold]
pub(crate) fn panic(info: &HandlerInfo, payload: &(dyn std::any::Any + Send)) -> Outcome {
    let mut message = panics::panic_message(payload);
    if let Some(location) = panics::quieted_location() {
        message = format!("{message} (at {location})");
    }
    if let Some(on_failure) = info.linker_meta().on_failure() {
        return call_default_failure(on_failure, info, Failure::Panic(message));
    }
    fault(
        info,
        format_args!("{} panicked on {}: {message}", Handler(info), EventOf(info)),
    );
    Outcome::Panic
}

/// Reports a handler that was not called because one of its extractors rejected the call, like a
/// fault: to its linker's default `on_failure` (as a panic: the handler did not run), else as an error
/// line.
#[cold]
pub(crate) fn rejected(info: &HandlerInfo, rejection: &crate::context::Rejection) -> Outcome {
    if let Some(on_failure) = info.linker_meta().on_failure() {
        call_default_failure(on_failure, info, Failure::Panic(rejection.to_string()));
        return Outcome::Rejected;
    }
    fault(
        info,
        format_args!(
            "{} was not called for {}: {rejection}",
            Handler(info),
            EventOf(info)
        ),
    );
    Outcome::Rejected
}

/// Reports a success or failure callback that was not called because one of its extractors rejected
/// the call.
#[cold]
pub(crate) fn callback_rejected(
    info: &HandlerInfo,
    callback: &str,
    rejection: &crate::context::Rejection,
) {
    fault(
        info,
        format_args!(
            "{callback} callback of {} was not called for {}: {rejection}",
            Handler(info),
            EventOf(info)
        ),
    );
}

/// Calls a linker's default `on_failure`; a panic inside it is reported, not propagated.
fn call_default_failure(
    on_failure: DefaultFailureFn,
    info: &HandlerInfo,
    failure: Failure<&dyn fmt::Debug>,
) -> Outcome {
    if let Err(payload) = panics::catch(|| on_failure(info, failure)) {
        callback_panic(info, "the linker's default `on_failure`", &*payload);
    }
    Outcome::FailureHandled
}

/// Reports a panic inside a success or failure callback (Pyventus swallows these silently).
#[cold]
pub(crate) fn callback_panic(
    info: &HandlerInfo,
    callback: &str,
    payload: &(dyn std::any::Any + Send),
) {
    let message = panics::panic_message(payload);
    fault(
        info,
        format_args!(
            "{callback} callback of {} panicked on {}: {message}",
            Handler(info),
            EventOf(info)
        ),
    );
}

/// One fault line: error level, with the handler, event and linker as fields.
fn fault(info: &HandlerInfo, message: fmt::Arguments<'_>) {
    report!(error {
        handler = info.path,
        event = info.event,
        event_path = info.event_path,
        linker = info.linker(),
    } "{message}");
}

/// Debug mode: one emit, before its handlers are submitted.
#[cold]
pub(crate) fn emit(
    event: &'static str,
    event_path: &'static str,
    linker: &'static str,
    processor: &str,
) {
    let label = meta::event_label(event, event_path);
    report!(debug { event = event, event_path = event_path, linker = linker, processor = processor }
        "emit `{label}` on `{linker}` through `{processor}`");
}

/// Debug mode: an emit that found no handler (Pyventus's "no subscribers" case: not an error).
#[cold]
pub(crate) fn no_handlers(event: &'static str, event_path: &'static str, linker: &'static str) {
    let label = meta::event_label(event, event_path);
    report!(debug { event = event, event_path = event_path, linker = linker } "emit `{label}` on `{linker}`: no handlers");
}

/// Debug mode: one handler call handed to the processor.
#[cold]
pub(crate) fn submitted(info: &HandlerInfo) {
    let shown = info.name().unwrap_or(info.path);
    let label = meta::event_label(info.event, info.event_path);
    report!(debug { handler = info.path, event = info.event, event_path = info.event_path }
        "submit `{shown}` for `{label}`");
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
        Outcome::Rejected => "was not called (an extractor rejected the call)",
    };
    let elapsed_us = elapsed.as_micros() as u64;
    report!(debug {
        handler = info.path,
        event = info.event,
        event_path = info.event_path,
        outcome = outcome,
        elapsed_us = elapsed_us,
    } "{} {outcome} in {elapsed:?}", Handler(info));
}
