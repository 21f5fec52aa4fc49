//! Handler outcomes: `#[subscribe(E, on_success = f, on_failure = g)]` hands `f` the `Ok` value and `g` a
//! `Failure` (a returned `Err`, or a panic's message), for sync and async handlers, whatever the processor.
//! Without `on_failure`, an `Err` or a panic is logged through `tracing` at error level, naming the
//! handler and the event. A linker's default callbacks (`#[linker(on_success = f, on_failure = g)]`)
//! serve the handlers that have none of their own. A callback that panics is reported and stops nothing.

mod common;

use std::fmt;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use pyventus::prelude::*;
use pyventus::{Failure, HandlerInfo};

use crate::common::global_capture;

/// What a test's handlers should do with the event they receive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Action {
    Succeed,
    Fail,
    Panic,
}

const ACTIONS: [Action; 3] = [Action::Succeed, Action::Fail, Action::Panic];

/// The error-level lines of the process-wide capture that contain every one of `needles`.
fn error_lines(needles: &[&str]) -> Vec<String> {
    let mut needles = needles.to_vec();
    needles.push("ERROR");
    global_capture().lines_with(&needles)
}

/// The entries of `log` that contain `needle`, sorted (tasks of one emit may finish in any order).
fn entries(log: &Mutex<Vec<String>>, needle: &str) -> Vec<String> {
    let mut found: Vec<String> = log
        .lock()
        .unwrap()
        .iter()
        .filter(|entry| entry.contains(needle))
        .cloned()
        .collect();
    found.sort();
    found
}

// ---- a handler's own on_success / on_failure --------------------------------------------------------------

/// Carries a tag so that the tests sharing these handlers (one per processor) tell their calls apart.
#[event]
#[derive(Debug)]
struct Charge {
    tag: &'static str,
    action: Action,
}

static CALLBACKS: Mutex<Vec<String>> = Mutex::new(Vec::new());

fn record_success(receipt: String) {
    CALLBACKS.lock().unwrap().push(format!("ok {receipt}"));
}

fn record_failure(failure: Failure<String>) {
    let entry = match failure {
        Failure::Error(error) => format!("error {error}"),
        Failure::Panic(message) => format!("panic {message}"),
    };
    CALLBACKS.lock().unwrap().push(entry);
}

fn charge(e: &Charge, handler: &str) -> Result<String, String> {
    match e.action {
        Action::Succeed => Ok(format!("{}/{handler} paid", e.tag)),
        Action::Fail => Err(format!("{}/{handler} declined", e.tag)),
        Action::Panic => panic!("{}/{handler} crashed", e.tag),
    }
}

#[subscribe(Charge, on_success = record_success, on_failure = record_failure)]
fn charge_now(e: &Charge) -> Result<String, String> {
    charge(e, "now")
}

#[subscribe(Charge, on_success = record_success, on_failure = record_failure)]
async fn charge_later(e: &Charge) -> Result<String, String> {
    // Fails (or panics) only after the future has been suspended once.
    tokio::time::sleep(Duration::from_millis(1)).await;
    charge(e, "later")
}

/// What the callbacks of `charge_now` and `charge_later` should have received for `tag`.
fn expected_callbacks(tag: &str) -> Vec<String> {
    let mut expected: Vec<String> = ["now", "later"]
        .iter()
        .flat_map(|handler| {
            [
                format!("ok {tag}/{handler} paid"),
                format!("error {tag}/{handler} declined"),
                format!("panic {tag}/{handler} crashed"),
            ]
        })
        .collect();
    expected.sort();
    expected
}

/// Handled failures go to the callback, not to the error log.
fn assert_no_fault_logged(tag: &str) {
    let logged = error_lines(&[&format!("{tag}/")]);
    assert!(logged.is_empty(), "{logged:#?}");
}

#[test]
fn callbacks_receive_outcomes_with_the_inline_processor() {
    global_capture();
    let emitter = EventEmitter::new(InlineProcessor);
    for action in ACTIONS {
        emitter.emit(Charge {
            tag: "inline",
            action,
        });
    }
    assert_eq!(entries(&CALLBACKS, "inline/"), expected_callbacks("inline"));
    assert_no_fault_logged("inline");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn callbacks_receive_outcomes_with_the_tokio_processor() {
    global_capture();
    let emitter = EventEmitter::new(TokioProcessor::new());
    for action in ACTIONS {
        emitter.emit(Charge {
            tag: "tokio",
            action,
        });
    }
    emitter.processor().wait_for_tasks().await;
    assert_eq!(entries(&CALLBACKS, "tokio/"), expected_callbacks("tokio"));
    assert_no_fault_logged("tokio");
}

#[test]
fn callbacks_receive_outcomes_with_the_executor_processor() {
    global_capture();
    let emitter = EventEmitter::new(ExecutorProcessor::new(2));
    for action in ACTIONS {
        emitter.emit(Charge {
            tag: "executor",
            action,
        });
    }
    emitter.processor().shutdown();
    assert_eq!(
        entries(&CALLBACKS, "executor/"),
        expected_callbacks("executor")
    );
    assert_no_fault_logged("executor");
}

// ---- on_success alone: failures are still logged ------------------------------------------------------------

#[event]
struct Partial(Action);

static PARTIAL_VALUES: Mutex<Vec<u32>> = Mutex::new(Vec::new());

fn partial_value(value: u32) {
    PARTIAL_VALUES.lock().unwrap().push(value);
}

#[subscribe(Partial, on_success = partial_value)]
fn partial(e: &Partial) -> Result<u32, String> {
    match e.0 {
        Action::Succeed => Ok(42),
        Action::Fail => Err("partial declined".to_owned()),
        Action::Panic => panic!("partial crashed"),
    }
}

#[test]
fn on_success_alone_gets_the_value_and_failures_are_logged() {
    global_capture();
    let emitter = EventEmitter::new(InlineProcessor);
    for action in ACTIONS {
        emitter.emit(Partial(action));
    }
    assert_eq!(*PARTIAL_VALUES.lock().unwrap(), [42]);
    let handler = format!("handler `{}`", concat!(module_path!(), "::partial"));
    for message in ["partial declined", "partial crashed"] {
        let logged = error_lines(&[&handler, "event `Partial`", message]);
        assert_eq!(logged.len(), 1, "{message}: {}", global_capture().text());
    }
}

// ---- no callbacks: faults are logged at error level --------------------------------------------------------

#[event]
struct Unhandled(Action);

#[subscribe(Unhandled)]
fn unhandled_now(e: &Unhandled) -> Result<(), String> {
    match e.0 {
        Action::Succeed => Ok(()),
        Action::Fail => Err("unhandled_now declined".to_owned()),
        Action::Panic => panic!("unhandled_now crashed"),
    }
}

#[subscribe(Unhandled)]
async fn unhandled_later(e: &Unhandled) -> Result<(), String> {
    tokio::task::yield_now().await;
    match e.0 {
        Action::Succeed => Ok(()),
        Action::Fail => Err("unhandled_later declined".to_owned()),
        Action::Panic => panic!("unhandled_later crashed"),
    }
}

#[test]
fn without_on_failure_errors_and_panics_are_logged_with_handler_and_event() {
    // A thread-local subscriber: with the inline processor every handler runs on this thread.
    let ((), capture) = common::capture_local(tracing::Level::ERROR, || {
        let emitter = EventEmitter::new(InlineProcessor);
        for action in ACTIONS {
            emitter.emit(Unhandled(action));
        }
    });
    for handler in ["unhandled_now", "unhandled_later"] {
        let path = format!("handler `{}::{handler}`", module_path!());
        for outcome in ["declined", "crashed"] {
            let message = format!("{handler} {outcome}");
            let logged = capture.lines_with(&["ERROR", &path, "event `Unhandled`", &message]);
            assert_eq!(logged.len(), 1, "{message}:\n{}", capture.text());
        }
    }
    // One line per fault, none for the successes.
    assert_eq!(
        capture.lines_with(&["ERROR"]).len(),
        4,
        "{}",
        capture.text()
    );
}

#[event]
struct RuntimeUnhandled(Action);

#[test]
fn runtime_subscribers_without_callbacks_log_their_faults_too() {
    let sub = EventLinker::subscribe(|e: &RuntimeUnhandled| match e.0 {
        Action::Succeed => Ok(()),
        Action::Fail => Err("runtime declined"),
        Action::Panic => panic!("runtime crashed"),
    });
    let ((), capture) = common::capture_local(tracing::Level::ERROR, || {
        let emitter = EventEmitter::new(InlineProcessor);
        for action in ACTIONS {
            emitter.emit(RuntimeUnhandled(action));
        }
    });
    let path = format!("handler `{}`", sub.info().path());
    for message in ["runtime declined", "runtime crashed"] {
        let logged = capture.lines_with(&["ERROR", &path, "event `RuntimeUnhandled`", message]);
        assert_eq!(logged.len(), 1, "{message}:\n{}", capture.text());
    }
    assert!(sub.unsubscribe());
}

// ---- linker-wide default callbacks ------------------------------------------------------------------------

/// `(event, handler path, outcome)` as the linker's default callbacks saw them.
static DEFAULTS: Mutex<Vec<(String, String, String)>> = Mutex::new(Vec::new());
/// What the handlers' own callbacks saw, `handler outcome`.
static OWN: Mutex<Vec<String>> = Mutex::new(Vec::new());

fn default_success(info: &HandlerInfo) {
    DEFAULTS.lock().unwrap().push((
        info.event().to_owned(),
        info.path().to_owned(),
        "ok".to_owned(),
    ));
}

fn default_failure(info: &HandlerInfo, failure: Failure<&dyn fmt::Debug>) {
    let outcome = match failure {
        Failure::Error(error) => format!("error {error:?}"),
        Failure::Panic(message) => format!("panic {message}"),
    };
    DEFAULTS
        .lock()
        .unwrap()
        .push((info.event().to_owned(), info.path().to_owned(), outcome));
}

#[linker(on_success = default_success, on_failure = default_failure)]
struct Defaulted;

/// The default callbacks' entries for `event`, as `(short handler name, outcome)`, sorted.
fn defaults_for(event: &str) -> Vec<(String, String)> {
    let mut found: Vec<(String, String)> = DEFAULTS
        .lock()
        .unwrap()
        .iter()
        .filter(|(seen, _, _)| seen == event)
        .map(|(_, path, outcome)| (path.clone(), outcome.clone()))
        .collect();
    found.sort();
    found
}

fn pair(handler: &str, outcome: &str) -> (String, String) {
    (handler.to_owned(), outcome.to_owned())
}

#[event]
struct Billed(Action);

fn bill(e: &Billed) -> Result<u32, String> {
    match e.0 {
        Action::Succeed => Ok(7),
        Action::Fail => Err("declined".to_owned()),
        Action::Panic => panic!("crashed"),
    }
}

#[subscribe(Billed, linker = Defaulted)]
fn uses_defaults(e: &Billed) -> Result<u32, String> {
    bill(e)
}

#[subscribe(Billed, linker = Defaulted)]
async fn uses_defaults_later(e: &Billed) -> Result<u32, String> {
    tokio::task::yield_now().await;
    bill(e)
}

#[subscribe(Billed, linker = Defaulted)]
fn returns_unit() {}

fn own_success(value: u32) {
    OWN.lock().unwrap().push(format!("ok {value}"));
}

fn own_failure(failure: Failure<String>) {
    OWN.lock().unwrap().push(match failure {
        Failure::Error(error) => format!("error {error}"),
        Failure::Panic(message) => format!("panic {message}"),
    });
}

#[subscribe(Billed, linker = Defaulted, on_success = own_success, on_failure = own_failure)]
fn has_both_callbacks(e: &Billed) -> Result<u32, String> {
    bill(e)
}

#[subscribe(Billed, linker = Defaulted, on_success = own_success)]
fn has_own_success(e: &Billed) -> Result<u32, String> {
    bill(e)
}

#[subscribe(Billed, linker = Defaulted, on_failure = own_failure)]
fn has_own_failure(e: &Billed) -> Result<u32, String> {
    bill(e)
}

#[test]
fn linker_defaults_serve_compile_time_handlers_without_their_own_callbacks() {
    global_capture();
    let emitter = EventEmitter::with_linker::<Defaulted>(InlineProcessor);
    for action in ACTIONS {
        emitter.emit(Billed(action));
    }
    let path = |name: &str| format!("{}::{name}", module_path!());
    let mut expected = vec![
        // No callbacks of their own: both defaults.
        pair(&path("uses_defaults"), "ok"),
        pair(&path("uses_defaults"), "error \"declined\""),
        pair(&path("uses_defaults"), "panic crashed"),
        pair(&path("uses_defaults_later"), "ok"),
        pair(&path("uses_defaults_later"), "error \"declined\""),
        pair(&path("uses_defaults_later"), "panic crashed"),
        // A handler returning `()` succeeds every time it runs.
        pair(&path("returns_unit"), "ok"),
        pair(&path("returns_unit"), "ok"),
        pair(&path("returns_unit"), "ok"),
        // Its own `on_success`, the default `on_failure`.
        pair(&path("has_own_success"), "error \"declined\""),
        pair(&path("has_own_success"), "panic crashed"),
        // Its own `on_failure`, the default `on_success`.
        pair(&path("has_own_failure"), "ok"),
        // `has_both_callbacks` never reaches the defaults.
    ];
    expected.sort();
    assert_eq!(defaults_for("Billed"), expected);

    let mut own = OWN.lock().unwrap().clone();
    own.sort();
    assert_eq!(
        own,
        [
            // has_both_callbacks
            "error declined",
            // has_own_failure
            "error declined",
            // has_both_callbacks, has_own_success
            "ok 7",
            "ok 7",
            // has_both_callbacks, has_own_failure
            "panic crashed",
            "panic crashed",
        ]
    );

    // Every failure was handled by a callback: nothing at error level.
    let logged = error_lines(&["event `Billed`"]);
    assert!(logged.is_empty(), "{logged:#?}");
}

#[event]
struct Shipped(Action);

fn ship(action: Action) -> Result<u32, String> {
    match action {
        Action::Succeed => Ok(1),
        Action::Fail => Err("lost".to_owned()),
        Action::Panic => panic!("sank"),
    }
}

#[test]
fn linker_defaults_serve_runtime_closures() {
    global_capture();
    let sync = Defaulted::subscribe(|e: &Shipped| ship(e.0));
    let later = Defaulted::subscribe_async(|e: &Shipped| {
        let action = e.0;
        async move {
            tokio::task::yield_now().await;
            ship(action)
        }
    });
    let emitter = EventEmitter::with_linker::<Defaulted>(InlineProcessor);
    for action in ACTIONS {
        emitter.emit(Shipped(action));
    }
    let mut expected = Vec::new();
    for sub in [&sync, &later] {
        let path = sub.info().path();
        expected.extend([
            pair(path, "ok"),
            pair(path, "error \"lost\""),
            pair(path, "panic sank"),
        ]);
    }
    expected.sort();
    assert_eq!(defaults_for("Shipped"), expected);
    assert!(error_lines(&["event `Shipped`"]).is_empty());
    assert!(sync.unsubscribe());
    assert!(later.unsubscribe());
}

// ---- a callback that panics ---------------------------------------------------------------------------------

#[event]
struct Fragile;

static FRAGILE_AFTER: AtomicUsize = AtomicUsize::new(0);

fn exploding_success(_: u32) {
    panic!("on_success exploded");
}

fn exploding_failure(_: Failure<String>) {
    panic!("on_failure exploded");
}

#[subscribe(Fragile, on_success = exploding_success, priority = 2)]
fn fragile_succeeds() -> Result<u32, String> {
    Ok(1)
}

#[subscribe(Fragile, on_success = exploding_success, on_failure = exploding_failure, priority = 1)]
fn fragile_fails() -> Result<u32, String> {
    Err("fragile declined".to_owned())
}

#[subscribe(Fragile)]
fn fragile_after() {
    FRAGILE_AFTER.fetch_add(1, Ordering::SeqCst);
}

#[test]
fn a_panicking_callback_is_reported_and_stops_no_other_handler() {
    let runtime_after = Arc::new(AtomicUsize::new(0));
    let sub = EventLinker::subscribe({
        let runtime_after = Arc::clone(&runtime_after);
        move |_: &Fragile| {
            runtime_after.fetch_add(1, Ordering::SeqCst);
        }
    });
    let ((), capture) = common::capture_local(tracing::Level::ERROR, || {
        let emitter = EventEmitter::new(InlineProcessor);
        emitter.emit(Fragile);
        emitter.emit(Fragile);
    });
    assert_eq!(FRAGILE_AFTER.load(Ordering::SeqCst), 2);
    assert_eq!(runtime_after.load(Ordering::SeqCst), 2);
    for (handler, callback, message) in [
        ("fragile_succeeds", "`on_success`", "on_success exploded"),
        ("fragile_fails", "`on_failure`", "on_failure exploded"),
    ] {
        let path = format!("handler `{}::{handler}`", module_path!());
        let logged = capture.lines_with(&["ERROR", callback, &path, "event `Fragile`", message]);
        assert_eq!(logged.len(), 2, "{handler}:\n{}", capture.text());
    }
    assert!(sub.unsubscribe());
}

fn exploding_default_success(_: &HandlerInfo) {
    panic!("default on_success exploded");
}

fn exploding_default_failure(_: &HandlerInfo, _: Failure<&dyn fmt::Debug>) {
    panic!("default on_failure exploded");
}

#[linker(on_success = exploding_default_success, on_failure = exploding_default_failure)]
struct FragileDefaults;

#[event]
struct Brittle;

static BRITTLE_AFTER: AtomicUsize = AtomicUsize::new(0);

#[subscribe(Brittle, linker = FragileDefaults, priority = 2)]
fn brittle_succeeds() {}

#[subscribe(Brittle, linker = FragileDefaults, priority = 1)]
fn brittle_fails() -> Result<(), String> {
    Err("brittle declined".to_owned())
}

#[subscribe(Brittle, linker = FragileDefaults)]
fn brittle_after() {
    BRITTLE_AFTER.fetch_add(1, Ordering::SeqCst);
}

#[test]
fn a_panicking_linker_default_callback_is_reported_and_stops_no_other_handler() {
    let ((), capture) = common::capture_local(tracing::Level::ERROR, || {
        EventEmitter::with_linker::<FragileDefaults>(InlineProcessor).emit(Brittle);
    });
    // `brittle_after` succeeds too, so its default `on_success` panics as well: it ran all the same.
    assert_eq!(BRITTLE_AFTER.load(Ordering::SeqCst), 1);
    for (handler, callback, message) in [
        (
            "brittle_succeeds",
            "default `on_success`",
            "default on_success exploded",
        ),
        (
            "brittle_fails",
            "default `on_failure`",
            "default on_failure exploded",
        ),
    ] {
        let path = format!("handler `{}::{handler}`", module_path!());
        let logged = capture.lines_with(&["ERROR", callback, &path, "event `Brittle`", message]);
        assert_eq!(logged.len(), 1, "{handler}:\n{}", capture.text());
    }
}

#[event]
struct Dispatched;

#[subscribe(Dispatched, linker = Defaulted)]
fn dispatched_plain(_: &Dispatched) {}

#[subscribe(Dispatched, linker = Defaulted)]
fn dispatched_result(_: &Dispatched) -> Result<(), String> {
    Ok(())
}

/// A handler called as written (sync, takes the event, returns `()`, no callbacks of its own) still
/// reaches the linker's default `on_success`: on the inline fast path beside a wrapped handler, and as a
/// queued task.
#[test]
fn linker_defaults_serve_handlers_called_as_written() {
    global_capture();
    let path = |name: &str| format!("{}::{name}", module_path!());
    EventEmitter::with_linker::<Defaulted>(InlineProcessor).emit(Dispatched);
    assert_eq!(
        defaults_for("Dispatched"),
        [
            pair(&path("dispatched_plain"), "ok"),
            pair(&path("dispatched_result"), "ok")
        ]
    );
    let queued = EventEmitter::with_linker::<Defaulted>(ExecutorProcessor::new(1));
    queued.emit(Dispatched);
    queued.processor().shutdown();
    let mut expected = vec![
        pair(&path("dispatched_plain"), "ok"),
        pair(&path("dispatched_plain"), "ok"),
        pair(&path("dispatched_result"), "ok"),
        pair(&path("dispatched_result"), "ok"),
    ];
    expected.sort();
    assert_eq!(defaults_for("Dispatched"), expected);
}
