//! Debug mode: `.debug(true)` logs each emit, each submitted handler and its outcome and duration;
//! `.debug(false)` logs none of that whatever the global switch says; an emitter without `.debug(..)`
//! follows `pyventus::set_debug`.

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, PoisonError};

use pyventus::prelude::*;
use tracing::Level;

use crate::common::{Capture, capture_local};

/// Serializes the tests that depend on the process-wide debug switch.
static GLOBAL_SWITCH: Mutex<()> = Mutex::new(());

/// The debug lines pyventus writes for one emit, told apart by what they say.
fn emit_lines(capture: &Capture, event: &str) -> Vec<String> {
    capture.lines_with(&["DEBUG", "pyventus", &format!("emit `{event}`")])
}

fn submit_lines(capture: &Capture, handler: &str) -> Vec<String> {
    capture.lines_with(&["DEBUG", "pyventus", &format!("submit `{handler}`")])
}

fn outcome_lines(capture: &Capture, handler: &str) -> Vec<String> {
    capture.lines_with(&["DEBUG", "pyventus", &format!("handler `{handler}` ")])
}

#[event]
#[derive(Debug)]
struct Traced(u32);

static TRACED: AtomicUsize = AtomicUsize::new(0);

#[subscribe(Traced)]
fn traced_ok(_: &Traced) {
    TRACED.fetch_add(1, Ordering::SeqCst);
}

#[subscribe(Traced)]
fn traced_err(e: &Traced) -> Result<(), String> {
    Err(format!("cannot handle {}", e.0))
}

#[subscribe(Traced)]
async fn traced_async(_: &Traced) {
    tokio::task::yield_now().await;
    TRACED.fetch_add(1, Ordering::SeqCst);
}

#[test]
fn debug_true_logs_the_emit_each_handler_and_its_outcome() {
    common::install();
    let handler_ok = concat!(module_path!(), "::traced_ok");
    let handler_err = concat!(module_path!(), "::traced_err");
    let handler_async = concat!(module_path!(), "::traced_async");

    let ((), capture) = capture_local(Level::DEBUG, || {
        let emitter = EventEmitter::new(InlineProcessor).debug(true);
        assert!(emitter.is_debug());
        emitter.emit(Traced(1));
    });
    assert_eq!(TRACED.load(Ordering::SeqCst), 2);

    let emits = emit_lines(&capture, "Traced");
    assert_eq!(emits.len(), 1, "{}", capture.text());
    assert!(emits[0].contains("pyventus::EventLinker"), "{}", emits[0]);
    assert!(emits[0].contains("InlineProcessor"), "{}", emits[0]);

    for handler in [handler_ok, handler_err, handler_async] {
        let submitted = submit_lines(&capture, handler);
        assert_eq!(submitted.len(), 1, "{}", capture.text());
        assert!(submitted[0].contains("Traced"), "{}", submitted[0]);
        assert_eq!(
            outcome_lines(&capture, handler).len(),
            1,
            "{}",
            capture.text()
        );
    }
    let succeeded = outcome_lines(&capture, handler_ok);
    assert!(succeeded[0].contains("succeeded in "), "{}", succeeded[0]);
    assert!(succeeded[0].contains("elapsed_us="), "{}", succeeded[0]);
    let failed = outcome_lines(&capture, handler_err);
    assert!(failed[0].contains("returned an error in "), "{}", failed[0]);
    let asynchronous = outcome_lines(&capture, handler_async);
    assert!(
        asynchronous[0].contains("succeeded in "),
        "{}",
        asynchronous[0]
    );

    // Lines come in order: the emit, then each handler submitted before its outcome.
    let text = capture.text();
    let position = |needle: &str| {
        text.find(needle)
            .unwrap_or_else(|| panic!("`{needle}` not in:\n{text}"))
    };
    let emit = position("emit `Traced`");
    for handler in [handler_ok, handler_err, handler_async] {
        let submit = position(&format!("submit `{handler}`"));
        let outcome = position(&format!("handler `{handler}` "));
        assert!(emit < submit && submit < outcome, "{text}");
    }

    // The handler's own error is reported at error level, debug mode or not.
    assert_eq!(
        capture
            .lines_with(&["ERROR", handler_err, "cannot handle 1"])
            .len(),
        1
    );
}

#[event]
struct Panicky;

#[subscribe(Panicky)]
fn panicky() {
    panic!("deliberate");
}

#[test]
fn debug_true_logs_a_panicked_outcome() {
    common::install();
    let handler = concat!(module_path!(), "::panicky");
    let ((), capture) = capture_local(Level::DEBUG, || {
        EventEmitter::new(InlineProcessor).debug(true).emit(Panicky);
    });
    let outcome = outcome_lines(&capture, handler);
    assert_eq!(outcome.len(), 1, "{}", capture.text());
    assert!(outcome[0].contains("panicked in "), "{}", outcome[0]);
}

#[event]
struct NoOneHome;

#[test]
fn debug_emit_without_handlers_logs_a_no_handlers_line() {
    common::install();
    let ((), capture) = capture_local(Level::DEBUG, || {
        EventEmitter::new(InlineProcessor)
            .debug(true)
            .emit(NoOneHome);
    });
    let lines = capture.lines_with(&["DEBUG", "pyventus", "NoOneHome", "no handlers"]);
    assert_eq!(lines.len(), 1, "{}", capture.text());
    assert_eq!(
        emit_lines(&capture, "NoOneHome").len(),
        2,
        "{}",
        capture.text()
    );
    assert!(capture.lines_with(&["submit `"]).is_empty());
}

#[event]
struct Quiet;

static QUIET: AtomicUsize = AtomicUsize::new(0);

#[subscribe(Quiet)]
fn quiet() {
    QUIET.fetch_add(1, Ordering::SeqCst);
}

#[subscribe(Quiet)]
async fn quiet_async() {
    QUIET.fetch_add(1, Ordering::SeqCst);
}

#[event]
struct QuietNobody;

#[test]
fn global_switch_decides_for_emitters_without_their_own_setting() {
    common::install();
    let _serial = GLOBAL_SWITCH.lock().unwrap_or_else(PoisonError::into_inner);
    let handler = concat!(module_path!(), "::quiet");
    let subscription = EventLinker::subscribe(|_: &Quiet| {
        QUIET.fetch_add(1, Ordering::SeqCst);
    });

    pyventus::set_debug(true);
    assert!(pyventus::global_debug());
    let ((), on) = capture_local(Level::DEBUG, || {
        let follows = EventEmitter::new(InlineProcessor);
        assert!(follows.is_debug());
        follows.emit(Quiet);
    });
    let ((), off_anyway) = capture_local(Level::DEBUG, || {
        let own = EventEmitter::new(InlineProcessor).debug(false);
        assert!(!own.is_debug());
        own.emit(Quiet);
        own.emit(QuietNobody);
    });

    pyventus::set_debug(false);
    assert!(!pyventus::global_debug());
    let ((), off) = capture_local(Level::DEBUG, || {
        let follows = EventEmitter::new(InlineProcessor);
        assert!(!follows.is_debug());
        follows.emit(Quiet);
        follows.emit(QuietNobody);
    });
    let ((), on_anyway) = capture_local(Level::DEBUG, || {
        let own = EventEmitter::new(InlineProcessor).debug(true);
        assert!(own.is_debug());
        own.emit(Quiet);
    });
    assert!(subscription.unsubscribe());
    assert_eq!(
        QUIET.load(Ordering::SeqCst),
        12,
        "every emit ran every handler"
    );

    for (capture, logged) in [
        (&on, true),
        (&off_anyway, false),
        (&off, false),
        (&on_anyway, true),
    ] {
        let expected = usize::from(logged);
        assert_eq!(
            emit_lines(capture, "Quiet").len(),
            expected,
            "{}",
            capture.text()
        );
        assert_eq!(
            submit_lines(capture, handler).len(),
            expected,
            "{}",
            capture.text()
        );
        assert_eq!(
            outcome_lines(capture, handler).len(),
            expected,
            "{}",
            capture.text()
        );
        assert_eq!(
            capture.lines_with(&["submit `", "Quiet"]).len(),
            3 * expected,
            "two compile-time handlers and a closure: {}",
            capture.text()
        );
        assert_eq!(
            capture.lines_with(&["no handlers"]).len(),
            0,
            "{}",
            capture.text()
        );
    }
    for quiet in [&off_anyway, &off] {
        assert!(
            quiet.text().is_empty(),
            "a non-debug emitter whose handlers succeed logs nothing: {}",
            quiet.text()
        );
    }
}

#[event]
struct ListedLater;

#[subscribe(ListedLater)]
fn listed_later() {}

#[test]
fn first_debug_emit_lists_the_compile_time_handlers_found() {
    common::install();
    let ((), capture) = capture_local(Level::DEBUG, || {
        EventEmitter::new(InlineProcessor)
            .debug(true)
            .emit(ListedLater);
    });
    let listing = capture.lines_with(&[
        "DEBUG",
        "compile-time handlers of `ListedLater`",
        concat!(module_path!(), "::listed_later"),
    ]);
    assert_eq!(listing.len(), 1, "{}", capture.text());
}

#[event]
struct ListedAfterRuntimeSubscription;

#[subscribe(ListedAfterRuntimeSubscription)]
fn listed_after_runtime_subscription() {}

/// The README: "In debug mode, the first emit of each event logs the handlers found for it". A runtime
/// subscription is not an emit, so it should not use up that listing.
#[test]
fn first_debug_emit_lists_handlers_even_after_a_runtime_subscription() {
    common::install();
    let subscription = EventLinker::subscribe(|_: &ListedAfterRuntimeSubscription| {});
    let ((), capture) = capture_local(Level::DEBUG, || {
        EventEmitter::new(InlineProcessor)
            .debug(true)
            .emit(ListedAfterRuntimeSubscription);
    });
    assert!(subscription.unsubscribe());
    let listing = capture.lines_with(&[
        "compile-time handlers of `ListedAfterRuntimeSubscription`",
        concat!(module_path!(), "::listed_after_runtime_subscription"),
    ]);
    assert_eq!(listing.len(), 1, "{}", capture.text());
}

#[event]
struct ListedAfterQuietEmits;

#[subscribe(ListedAfterQuietEmits)]
fn listed_after_quiet_emits() {}

#[test]
fn first_debug_emit_lists_handlers_even_after_non_debug_emits() {
    common::install();
    let ((), quiet) = capture_local(Level::DEBUG, || {
        let emitter = EventEmitter::new(InlineProcessor).debug(false);
        emitter.emit(ListedAfterQuietEmits);
        emitter.emit(ListedAfterQuietEmits);
    });
    assert!(quiet.text().is_empty(), "{}", quiet.text());
    let listing = |capture: &Capture| {
        capture
            .lines_with(&[
                "compile-time handlers of `ListedAfterQuietEmits`",
                concat!(module_path!(), "::listed_after_quiet_emits"),
            ])
            .len()
    };
    let ((), first) = capture_local(Level::DEBUG, || {
        EventEmitter::new(InlineProcessor)
            .debug(true)
            .emit(ListedAfterQuietEmits);
    });
    assert_eq!(listing(&first), 1, "{}", first.text());
    let ((), second) = capture_local(Level::DEBUG, || {
        EventEmitter::new(InlineProcessor)
            .debug(true)
            .emit(ListedAfterQuietEmits);
    });
    assert_eq!(listing(&second), 0, "listed once: {}", second.text());
}

#[test]
fn debug_lines_use_the_pyventus_target_at_debug_level() {
    common::install();
    #[event]
    struct Targeted;
    let subscription = EventLinker::subscribe(|_: &Targeted| {});
    let ((), debug) = capture_local(Level::DEBUG, || {
        EventEmitter::new(InlineProcessor)
            .debug(true)
            .emit(Targeted);
    });
    assert!(subscription.unsubscribe());
    let text = debug.text();
    let lines: Vec<&str> = text.lines().map(str::trim).collect();
    assert!(!lines.is_empty());
    assert!(
        lines.iter().all(|line| line.starts_with("DEBUG pyventus:")),
        "{text}"
    );
    for kind in ["emit `Targeted`", "submit `", "succeeded in "] {
        assert_eq!(
            lines.iter().filter(|line| line.contains(kind)).count(),
            1,
            "{kind}: {text}"
        );
    }
}
