//! Dispatch order: compile-time handlers by priority (higher first), then by path, whatever the order
//! they are declared in; then runtime subscriptions, in subscription order.

use std::sync::{Mutex, PoisonError};

use pyventus::Task;
use pyventus::prelude::*;

fn record(log: &Mutex<Vec<&'static str>>, name: &'static str) {
    log.lock()
        .unwrap_or_else(PoisonError::into_inner)
        .push(name);
}

fn take(log: &Mutex<Vec<&'static str>>) -> Vec<&'static str> {
    std::mem::take(&mut *log.lock().unwrap_or_else(PoisonError::into_inner))
}

// Declared out of order on purpose.

#[event]
struct Ordered;

static ORDERED: Mutex<Vec<&str>> = Mutex::new(Vec::new());

#[subscribe(Ordered)]
fn m_default() {
    record(&ORDERED, "m_default");
}

#[subscribe(Ordered, priority = -5)]
fn a_low() {
    record(&ORDERED, "a_low");
}

#[subscribe(Ordered, priority = 10)]
fn z_high() {
    record(&ORDERED, "z_high");
}

#[subscribe(Ordered)]
async fn b_default_async() {
    tokio::task::yield_now().await;
    record(&ORDERED, "b_default_async");
}

#[subscribe(Ordered, priority = 10)]
fn c_high() {
    record(&ORDERED, "c_high");
}

#[subscribe(Ordered, priority = 2147483647)]
fn y_highest() {
    record(&ORDERED, "y_highest");
}

#[subscribe(Ordered, priority = -2147483648)]
fn b_lowest() {
    record(&ORDERED, "b_lowest");
}

mod zeta {
    use super::{ORDERED, Ordered, record};
    use pyventus::prelude::*;

    // Path `dispatch_order::zeta::a_default`: sorts after `dispatch_order::m_default`.
    #[subscribe(Ordered)]
    fn a_default() {
        record(&ORDERED, "zeta::a_default");
    }
}

const COMPILED_ORDER: [&str; 8] = [
    "y_highest",
    "c_high",
    "z_high",
    "b_default_async",
    "m_default",
    "zeta::a_default",
    "a_low",
    "b_lowest",
];

#[test]
fn compile_time_handlers_run_by_priority_then_path_then_runtime_ones_by_subscription() {
    let subscriptions = [
        EventLinker::subscribe(|_: &Ordered| record(&ORDERED, "runtime 1")),
        EventLinker::subscribe_async(|_: &Ordered| async { record(&ORDERED, "runtime 2") }),
        EventLinker::subscribe(|_: &Ordered| record(&ORDERED, "runtime 3")),
    ];
    let emitter = EventEmitter::new(InlineProcessor);
    emitter.emit(Ordered);
    let mut expected = COMPILED_ORDER.to_vec();
    expected.extend(["runtime 1", "runtime 2", "runtime 3"]);
    assert_eq!(take(&ORDERED), expected);

    // The order is the same at every emit.
    emitter.emit(Ordered);
    assert_eq!(take(&ORDERED), expected);

    // Removing one subscription keeps the others' order; a new one goes last.
    let [first, second, third] = subscriptions;
    assert!(second.unsubscribe());
    let fourth = EventLinker::subscribe(|_: &Ordered| record(&ORDERED, "runtime 4"));
    emitter.emit(Ordered);
    let mut expected = COMPILED_ORDER.to_vec();
    expected.extend(["runtime 1", "runtime 3", "runtime 4"]);
    assert_eq!(take(&ORDERED), expected);

    for subscription in [first, third, fourth] {
        assert!(subscription.unsubscribe());
    }
    emitter.emit(Ordered);
    assert_eq!(take(&ORDERED), COMPILED_ORDER);
}

/// Records the handler of each task it receives, then runs it.
#[derive(Debug, Default)]
struct RecordingTasks {
    handlers: Mutex<Vec<&'static str>>,
}

impl Processor for RecordingTasks {
    fn submit(&self, task: Task) {
        record(&self.handlers, task.path());
        task.run_blocking();
    }
}

#[event]
struct Submitted;

static SUBMITTED: Mutex<Vec<&str>> = Mutex::new(Vec::new());

#[subscribe(Submitted)]
fn submitted_b() {
    record(&SUBMITTED, "b");
}

#[subscribe(Submitted, priority = 1)]
async fn submitted_z() {
    record(&SUBMITTED, "z");
}

#[subscribe(Submitted)]
fn submitted_a() {
    record(&SUBMITTED, "a");
}

#[test]
fn a_custom_processor_receives_tasks_in_dispatch_order() {
    let subscription = EventLinker::subscribe(|_: &Submitted| record(&SUBMITTED, "runtime"));
    let emitter = EventEmitter::new(RecordingTasks::default());
    emitter.emit(Submitted);
    assert_eq!(take(&SUBMITTED), ["z", "a", "b", "runtime"]);
    assert_eq!(
        take(&emitter.processor().handlers),
        [
            concat!(module_path!(), "::submitted_z"),
            concat!(module_path!(), "::submitted_a"),
            concat!(module_path!(), "::submitted_b"),
            subscription.info().path(),
        ]
    );
    assert!(subscription.unsubscribe());
}

#[linker]
struct CustomEventLinker;

#[event]
struct PerLinker;

static PER_LINKER: Mutex<Vec<&str>> = Mutex::new(Vec::new());

#[subscribe(PerLinker, linker = CustomEventLinker, priority = -1)]
fn custom_low() {
    record(&PER_LINKER, "custom_low");
}

#[subscribe(PerLinker, priority = 100)]
fn default_high() {
    record(&PER_LINKER, "default_high");
}

#[subscribe(PerLinker, linker = CustomEventLinker, priority = 1)]
fn custom_high() {
    record(&PER_LINKER, "custom_high");
}

#[test]
fn each_linker_orders_its_own_handlers() {
    let subscriptions = [
        CustomEventLinker::subscribe(|_: &PerLinker| record(&PER_LINKER, "custom runtime")),
        EventLinker::subscribe(|_: &PerLinker| record(&PER_LINKER, "default runtime")),
    ];
    EventEmitter::with_linker::<CustomEventLinker>(InlineProcessor).emit(PerLinker);
    assert_eq!(
        take(&PER_LINKER),
        ["custom_high", "custom_low", "custom runtime"]
    );
    EventEmitter::new(InlineProcessor).emit(PerLinker);
    assert_eq!(take(&PER_LINKER), ["default_high", "default runtime"]);
    for subscription in subscriptions {
        assert!(subscription.unsubscribe());
    }
}
