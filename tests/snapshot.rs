//! Snapshots: each emit works on the handlers subscribed when it started. A handler subscribed during an
//! emit is not called by it but by the next; one unsubscribed during it is still called by it. Handlers
//! may emit (nested emits).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, PoisonError};

use pyventus::Task;
use pyventus::prelude::*;

/// The page's custom processor: runs each task as it is submitted.
#[derive(Debug)]
struct RunOnSubmit;

impl Processor for RunOnSubmit {
    fn submit(&self, task: Task) {
        task.run_blocking();
    }
}

fn store(slot: &Mutex<Option<Subscription>>, subscription: Subscription) {
    *slot.lock().unwrap_or_else(PoisonError::into_inner) = Some(subscription);
}

fn take(slot: &Mutex<Option<Subscription>>) -> Option<Subscription> {
    slot.lock().unwrap_or_else(PoisonError::into_inner).take()
}

/// Declares a module with an event, `Grow`, whose compile-time handler subscribes a runtime closure on
/// the first emit; the closure counts its calls.
macro_rules! grows {
    ($module:ident) => {
        mod $module {
            use std::sync::Mutex;
            use std::sync::atomic::{AtomicUsize, Ordering};

            use pyventus::prelude::*;

            #[event]
            pub(crate) struct Grow;

            pub(crate) static ADDED: Mutex<Option<Subscription>> = Mutex::new(None);
            pub(crate) static ADDED_CALLS: AtomicUsize = AtomicUsize::new(0);

            #[subscribe(Grow)]
            fn subscribes_another() {
                let mut added = ADDED.lock().unwrap();
                if added.is_none() {
                    *added = Some(EventLinker::subscribe(|_: &Grow| {
                        ADDED_CALLS.fetch_add(1, Ordering::SeqCst);
                    }));
                }
            }
        }
    };
}

grows!(grow_inline);
grows!(grow_on_submit);

#[test]
fn a_handler_subscribed_during_an_emit_is_called_from_the_next_emit_on() {
    let emitter = EventEmitter::new(InlineProcessor);
    emitter.emit(grow_inline::Grow);
    assert!(grow_inline::ADDED.lock().unwrap().is_some());
    assert_eq!(grow_inline::ADDED_CALLS.load(Ordering::SeqCst), 0);
    emitter.emit(grow_inline::Grow);
    assert_eq!(grow_inline::ADDED_CALLS.load(Ordering::SeqCst), 1);
    assert!(take(&grow_inline::ADDED).unwrap().unsubscribe());
}

#[test]
fn a_processor_running_tasks_as_submitted_sees_the_same_snapshot() {
    let emitter = EventEmitter::new(RunOnSubmit);
    emitter.emit(grow_on_submit::Grow);
    assert_eq!(grow_on_submit::ADDED_CALLS.load(Ordering::SeqCst), 0);
    emitter.emit(grow_on_submit::Grow);
    assert_eq!(grow_on_submit::ADDED_CALLS.load(Ordering::SeqCst), 1);
    assert!(take(&grow_on_submit::ADDED).unwrap().unsubscribe());
}

#[event]
struct RuntimeGrow;

#[test]
fn a_runtime_handler_subscribing_another_does_not_reach_the_current_emit() {
    static ADDED: Mutex<Option<Subscription>> = Mutex::new(None);
    static ADDED_CALLS: AtomicUsize = AtomicUsize::new(0);
    let adder = EventLinker::subscribe(|_: &RuntimeGrow| {
        let mut added = ADDED.lock().unwrap();
        if added.is_none() {
            *added = Some(EventLinker::subscribe(|_: &RuntimeGrow| {
                ADDED_CALLS.fetch_add(1, Ordering::SeqCst);
            }));
        }
    });

    for processor_runs in [true, false] {
        if processor_runs {
            EventEmitter::new(RunOnSubmit).emit(RuntimeGrow);
        } else {
            EventEmitter::new(InlineProcessor).emit(RuntimeGrow);
        }
    }
    // The first emit added the closure without calling it; the second called it once.
    assert_eq!(ADDED_CALLS.load(Ordering::SeqCst), 1);

    assert!(adder.unsubscribe());
    assert!(take(&ADDED).unwrap().unsubscribe());
}

#[event]
struct Shrink;

#[test]
fn a_handler_unsubscribed_during_an_emit_is_still_called_by_it() {
    static VICTIM: Mutex<Option<Subscription>> = Mutex::new(None);
    static VICTIM_CALLS: AtomicUsize = AtomicUsize::new(0);
    static REMOVED: AtomicUsize = AtomicUsize::new(0);

    let remover = EventLinker::subscribe(|_: &Shrink| {
        if let Some(victim) = take(&VICTIM) {
            assert!(victim.unsubscribe());
            REMOVED.fetch_add(1, Ordering::SeqCst);
        }
    });
    store(
        &VICTIM,
        EventLinker::subscribe(|_: &Shrink| {
            VICTIM_CALLS.fetch_add(1, Ordering::SeqCst);
        }),
    );

    let emitter = EventEmitter::new(InlineProcessor);
    emitter.emit(Shrink);
    assert_eq!(REMOVED.load(Ordering::SeqCst), 1);
    assert_eq!(
        VICTIM_CALLS.load(Ordering::SeqCst),
        1,
        "called by the emit that removed it"
    );
    emitter.emit(Shrink);
    assert_eq!(VICTIM_CALLS.load(Ordering::SeqCst), 1, "not called after");

    assert!(remover.unsubscribe());
}

#[event]
struct ShrinkFromCompiled;

static COMPILED_VICTIM: Mutex<Option<Subscription>> = Mutex::new(None);
static COMPILED_VICTIM_CALLS: AtomicUsize = AtomicUsize::new(0);

#[subscribe(ShrinkFromCompiled)]
fn removes_the_victim() {
    if let Some(victim) = take(&COMPILED_VICTIM) {
        victim.unsubscribe();
    }
}

#[test]
fn a_runtime_handler_removed_by_a_compile_time_one_still_runs_in_that_emit() {
    let victim = EventLinker::subscribe(|_: &ShrinkFromCompiled| {
        COMPILED_VICTIM_CALLS.fetch_add(1, Ordering::SeqCst);
    });
    store(&COMPILED_VICTIM, victim);

    let emitter = EventEmitter::new(InlineProcessor);
    emitter.emit(ShrinkFromCompiled);
    assert!(COMPILED_VICTIM.lock().unwrap().is_none(), "removed");
    assert_eq!(COMPILED_VICTIM_CALLS.load(Ordering::SeqCst), 1);
    emitter.emit(ShrinkFromCompiled);
    assert_eq!(COMPILED_VICTIM_CALLS.load(Ordering::SeqCst), 1);
}

#[event]
struct Queued;

#[test]
fn queued_calls_keep_the_handlers_of_their_emit() {
    static CALLS: AtomicUsize = AtomicUsize::new(0);
    let subscription = EventLinker::subscribe(|_: &Queued| {
        CALLS.fetch_add(1, Ordering::SeqCst);
    });
    let emitter = EventEmitter::new(ExecutorProcessor::new(1));
    for _ in 0..20 {
        emitter.emit(Queued);
    }
    // Unsubscribed before the pool has necessarily run the calls: every emit made before still calls it.
    assert!(subscription.unsubscribe());
    emitter.emit(Queued);
    emitter.processor().shutdown();
    assert_eq!(CALLS.load(Ordering::SeqCst), 20);
}

// Nested emits.

#[event]
struct Countdown(u32);

static COUNTDOWN_SEEN: Mutex<Vec<u32>> = Mutex::new(Vec::new());

#[subscribe(Countdown)]
fn countdown(e: &Countdown) {
    COUNTDOWN_SEEN
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .push(e.0);
    if e.0 > 0 {
        EventEmitter::new(InlineProcessor).emit(Countdown(e.0 - 1));
    }
}

#[test]
fn a_handler_can_emit_its_own_event() {
    EventEmitter::new(InlineProcessor).emit(Countdown(5));
    assert_eq!(*COUNTDOWN_SEEN.lock().unwrap(), [5, 4, 3, 2, 1, 0]);
}

#[event]
struct Request(u32);

#[event]
struct Response(u32);

static LOG: Mutex<Vec<String>> = Mutex::new(Vec::new());

fn log(entry: String) {
    LOG.lock()
        .unwrap_or_else(PoisonError::into_inner)
        .push(entry);
}

#[subscribe(Request)]
async fn answer(e: &Request) {
    tokio::task::yield_now().await;
    log(format!("request {}", e.0));
    EventEmitter::new(InlineProcessor).emit(Response(e.0 * 2));
    log(format!("answered {}", e.0));
}

#[test]
fn nested_emits_run_inside_the_outer_handler() {
    let subscription = EventLinker::subscribe(|e: &Response| log(format!("response {}", e.0)));
    EventEmitter::new(InlineProcessor).emit(Request(21));
    assert!(subscription.unsubscribe());
    assert_eq!(
        *LOG.lock().unwrap(),
        ["request 21", "response 42", "answered 21"]
    );
}

#[event]
struct Echo(u32);

#[test]
fn a_runtime_handler_can_emit_the_event_it_handles() {
    static SEEN: AtomicUsize = AtomicUsize::new(0);
    let subscription = EventLinker::subscribe(|e: &Echo| {
        SEEN.fetch_add(1, Ordering::SeqCst);
        if e.0 > 0 {
            EventEmitter::new(InlineProcessor).emit(Echo(e.0 - 1));
        }
    });
    EventEmitter::new(InlineProcessor).emit(Echo(9));
    assert_eq!(SEEN.load(Ordering::SeqCst), 10);
    assert!(subscription.unsubscribe());
}
