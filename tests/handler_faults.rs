//! Handler faults: a handler that panics or returns `Err` is reported through `tracing` at error level
//! with its path and event; the other handlers of the emit still run, and the emitter keeps working.

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use pyventus::prelude::*;

use crate::common::{Capture, global_capture};

/// The error reports naming `handler` and `event`.
fn reports(capture: &Capture, handler: &str, event: &str) -> Vec<String> {
    capture.lines_with(&[
        "ERROR",
        "pyventus",
        &format!("handler `{handler}`"),
        &format!("event `{event}`"),
    ])
}

/// Declares a module with an event, `Faulty`, whose handlers fail in every way next to handlers that
/// count, sync and async.
macro_rules! faulty {
    ($module:ident) => {
        mod $module {
            use std::sync::atomic::{AtomicUsize, Ordering};
            use std::time::Duration;

            use pyventus::prelude::*;

            #[event]
            #[derive(Debug)]
            pub(crate) struct Faulty;

            pub(crate) static SYNC_RAN: AtomicUsize = AtomicUsize::new(0);
            pub(crate) static ASYNC_RAN: AtomicUsize = AtomicUsize::new(0);

            pub(crate) const PANICS: &str = concat!(module_path!(), "::panics");
            pub(crate) const FAILS: &str = concat!(module_path!(), "::fails");
            pub(crate) const PANICS_LATER: &str = concat!(module_path!(), "::panics_later");
            pub(crate) const FAILS_LATER: &str = concat!(module_path!(), "::fails_later");

            // Named so that the failing handlers sort between the counting ones.
            #[subscribe(Faulty)]
            fn a_counts() {
                SYNC_RAN.fetch_add(1, Ordering::SeqCst);
            }

            #[subscribe(Faulty)]
            fn panics() {
                panic!("deliberate panic");
            }

            #[subscribe(Faulty)]
            fn fails(_: &Faulty) -> Result<(), String> {
                Err("deliberate error".to_owned())
            }

            #[subscribe(Faulty)]
            async fn panics_later() {
                tokio::time::sleep(Duration::from_millis(1)).await;
                panic!("deliberate late panic");
            }

            #[subscribe(Faulty)]
            async fn fails_later(_: &Faulty) -> Result<u8, std::io::Error> {
                tokio::task::yield_now().await;
                Err(std::io::Error::other("deliberate late error"))
            }

            #[subscribe(Faulty)]
            async fn z_counts_later() {
                tokio::time::sleep(Duration::from_millis(1)).await;
                ASYNC_RAN.fetch_add(1, Ordering::SeqCst);
            }
        }
    };
}

/// Checks, after `emits` emits of `Faulty`, that the counting handlers ran each time and that each
/// failing handler was reported once per emit, with its message.
macro_rules! assert_faults_reported {
    ($module:ident, $emits:expr) => {{
        let capture = global_capture();
        let emits: usize = $emits;
        assert_eq!($module::SYNC_RAN.load(Ordering::SeqCst), emits);
        assert_eq!($module::ASYNC_RAN.load(Ordering::SeqCst), emits);
        for (handler, message) in [
            ($module::PANICS, "deliberate panic"),
            ($module::FAILS, "deliberate error"),
            ($module::PANICS_LATER, "deliberate late panic"),
            ($module::FAILS_LATER, "deliberate late error"),
        ] {
            // Four modules declare an event named `Faulty`: reports name each by its path.
            let reports = reports(capture, handler, <$module::Faulty as Event>::PATH);
            assert_eq!(reports.len(), emits, "{handler}:\n{}", capture.text());
            assert!(
                reports.iter().all(|line| line.contains(message)),
                "{reports:?}"
            );
        }
    }};
}

faulty!(inline);
faulty!(tokio_outside);
faulty!(tokio_inside);
faulty!(executor);

#[test]
fn inline_processor_reports_faults_and_keeps_going() {
    global_capture();
    let emitter = EventEmitter::new(InlineProcessor);
    emitter.emit(inline::Faulty);
    emitter.emit(inline::Faulty);
    emitter.emit(inline::Faulty);
    assert_faults_reported!(inline, 3);
}

#[test]
fn tokio_processor_outside_a_runtime_reports_faults_and_keeps_going() {
    global_capture();
    let emitter = EventEmitter::new(TokioProcessor::new());
    emitter.emit(tokio_outside::Faulty);
    emitter.emit(tokio_outside::Faulty);
    assert_eq!(emitter.processor().in_flight(), 0);
    assert_faults_reported!(tokio_outside, 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tokio_processor_inside_a_runtime_reports_faults_and_keeps_going() {
    global_capture();
    let emitter = EventEmitter::new(TokioProcessor::new());
    emitter.emit(tokio_inside::Faulty);
    emitter.processor().wait_for_tasks().await;
    emitter.emit(tokio_inside::Faulty);
    emitter.processor().wait_for_tasks().await;
    assert_eq!(emitter.processor().in_flight(), 0);
    assert_faults_reported!(tokio_inside, 2);
}

#[test]
fn executor_processor_reports_faults_and_keeps_going() {
    global_capture();
    // One thread: a panicking handler must not take the pool's only worker with it.
    let emitter = EventEmitter::new(ExecutorProcessor::new(1));
    for _ in 0..4 {
        emitter.emit(executor::Faulty);
    }
    emitter.processor().shutdown();
    assert_faults_reported!(executor, 4);
}

// Only sync compile-time handlers: the inline processor's allocation-free path.

#[event]
struct PlainFault(u32);

static PLAIN_BEFORE: AtomicUsize = AtomicUsize::new(0);
static PLAIN_AFTER: AtomicUsize = AtomicUsize::new(0);

#[subscribe(PlainFault, priority = 1)]
fn plain_before() {
    PLAIN_BEFORE.fetch_add(1, Ordering::SeqCst);
}

#[subscribe(PlainFault)]
fn plain_panics(e: &PlainFault) {
    if e.0.is_multiple_of(2) {
        panic!("even value {}", e.0);
    }
}

#[subscribe(PlainFault, priority = -1)]
fn plain_after() {
    PLAIN_AFTER.fetch_add(1, Ordering::SeqCst);
}

#[test]
fn a_panic_among_plain_sync_handlers_is_reported_and_skipped() {
    let capture = global_capture();
    let emitter = EventEmitter::new(InlineProcessor);
    for value in 0..6 {
        emitter.emit(PlainFault(value));
    }
    assert_eq!(PLAIN_BEFORE.load(Ordering::SeqCst), 6);
    assert_eq!(PLAIN_AFTER.load(Ordering::SeqCst), 6);
    let reports = reports(
        capture,
        concat!(module_path!(), "::plain_panics"),
        "PlainFault",
    );
    assert_eq!(reports.len(), 3, "{}", capture.text());
    for value in [0, 2, 4] {
        let message = format!("even value {value}");
        assert!(
            reports.iter().any(|line| line.contains(&message)),
            "{reports:?}"
        );
    }
}

// Runtime closures fail the same way.

/// Panics; typed `()` so that a closure calling it is a handler (a closure whose body is `panic!()`
/// returns `!`, which is not a handler's return type).
fn deliberate_panic(message: &str) {
    panic!("{message}");
}

#[event]
struct ClosureFault;

#[test]
fn failing_runtime_closures_are_reported_and_the_others_run() {
    static RAN: AtomicUsize = AtomicUsize::new(0);
    let capture = global_capture();
    let subscriptions = [
        EventLinker::subscribe(|_: &ClosureFault| -> Result<(), &str> { Err("closure error") }),
        EventLinker::subscribe(|_: &ClosureFault| deliberate_panic("closure panic")),
        EventLinker::subscribe_async(|_: &ClosureFault| async {
            tokio::time::sleep(Duration::from_millis(1)).await;
            deliberate_panic("async closure panic");
        }),
        EventLinker::subscribe(|_: &ClosureFault| {
            RAN.fetch_add(1, Ordering::SeqCst);
        }),
    ];
    let names: Vec<&str> = subscriptions.iter().map(|s| s.info().path()).collect();

    let emitter = EventEmitter::new(InlineProcessor);
    emitter.emit(ClosureFault);
    emitter.emit(ClosureFault);
    for subscription in subscriptions {
        assert!(subscription.unsubscribe());
    }

    assert_eq!(RAN.load(Ordering::SeqCst), 2);
    // Closures of one function share a type name, so their reports are told apart by message.
    assert!(names.iter().all(|name| *name == names[0]), "{names:?}");
    let reports = reports(capture, names[0], "ClosureFault");
    for message in [
        "returned an error for event `ClosureFault`: \"closure error\"",
        "panicked on event `ClosureFault`: closure panic",
        "panicked on event `ClosureFault`: async closure panic",
    ] {
        let matching = reports.iter().filter(|line| line.contains(message)).count();
        assert_eq!(matching, 2, "{message}: {reports:?}");
    }
}

// A fault never reaches the emitter's caller, even from a custom processor that runs tasks itself.

#[event]
struct TaskFault;

#[subscribe(TaskFault)]
fn task_panics() {
    panic!("task panic");
}

#[subscribe(TaskFault)]
async fn task_panics_later() {
    tokio::task::yield_now().await;
    panic!("task late panic");
}

#[derive(Debug)]
struct RunEveryWay;

impl Processor for RunEveryWay {
    fn submit(&self, task: pyventus::Task) {
        task.run_blocking();
    }
}

#[derive(Debug)]
struct RunAsFuture;

impl Processor for RunAsFuture {
    fn submit(&self, task: pyventus::Task) {
        pyventus::block_on(task.into_future());
    }
}

#[test]
fn tasks_report_their_own_faults_however_they_are_run() {
    let capture = global_capture();
    EventEmitter::new(RunEveryWay).emit(TaskFault);
    EventEmitter::new(RunAsFuture).emit(TaskFault);
    for handler in [
        concat!(module_path!(), "::task_panics"),
        concat!(module_path!(), "::task_panics_later"),
    ] {
        assert_eq!(
            reports(capture, handler, "TaskFault").len(),
            2,
            "{handler}: {}",
            capture.text()
        );
    }
}
