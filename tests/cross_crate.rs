//! Cross-crate registration: events and `#[subscribe]` handlers defined in another crate
//! (`tests/handlers-crate`) run when that crate is linked and its events are emitted from here.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, PoisonError};

use pyventus::Task;
use pyventus::prelude::*;
// Names the crate, which links it: its handlers exist only then.
use pyventus_test_handlers as handlers;
use pyventus_test_handlers::{Audited, FixtureLinker, Greeted, Shipped, paths};

/// Records the handler of each task, then runs it.
#[derive(Debug, Default)]
struct Recording {
    handlers: Mutex<Vec<&'static str>>,
}

impl Processor for Recording {
    fn submit(&self, task: Task) {
        self.handlers
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(task.path());
        task.run_blocking();
    }
}

#[test]
fn handlers_of_another_crate_run_on_every_processor() {
    EventEmitter::new(InlineProcessor).emit(Shipped(1));
    assert_eq!(handlers::SHIPPED_SYNC.load(Ordering::SeqCst), 1);
    assert_eq!(handlers::SHIPPED_ASYNC.load(Ordering::SeqCst), 1);

    EventEmitter::new(TokioProcessor::new()).emit(Shipped(10));
    let executor = EventEmitter::new(ExecutorProcessor::new(2));
    executor.emit(Shipped(100));
    executor.processor().shutdown();
    assert_eq!(handlers::SHIPPED_SYNC.load(Ordering::SeqCst), 111);
    assert_eq!(handlers::SHIPPED_ASYNC.load(Ordering::SeqCst), 111);

    let recording = EventEmitter::new(Recording::default());
    recording.emit(Shipped(1000));
    assert_eq!(
        *recording.processor().handlers.lock().unwrap(),
        [paths::COUNT_SHIPPED, paths::COUNT_SHIPPED_LATER]
    );
    assert_eq!(handlers::SHIPPED_SYNC.load(Ordering::SeqCst), 1111);
}

#[linker]
struct LocalLinker;

static AUDITED_HERE: AtomicUsize = AtomicUsize::new(0);

#[subscribe(Audited, linker = FixtureLinker)]
fn audit_here_too(e: &Audited) {
    AUDITED_HERE.fetch_add(e.0, Ordering::SeqCst);
}

#[test]
fn a_linker_of_another_crate_keeps_its_handlers_to_itself() {
    EventEmitter::new(InlineProcessor).emit(Audited(1));
    EventEmitter::with_linker::<LocalLinker>(InlineProcessor).emit(Audited(2));
    assert_eq!(
        handlers::AUDITED_ON_FIXTURE_LINKER.load(Ordering::SeqCst),
        0
    );
    assert_eq!(AUDITED_HERE.load(Ordering::SeqCst), 0);

    // This crate's handler on the other crate's linker runs with it, after it (priority 5 over 0).
    let emitter = EventEmitter::with_linker::<FixtureLinker>(Recording::default());
    emitter.emit(Audited(5));
    assert_eq!(
        handlers::AUDITED_ON_FIXTURE_LINKER.load(Ordering::SeqCst),
        5
    );
    assert_eq!(AUDITED_HERE.load(Ordering::SeqCst), 5);
    assert_eq!(
        *emitter.processor().handlers.lock().unwrap(),
        [paths::AUDIT, concat!(module_path!(), "::audit_here_too")]
    );
    assert_eq!(
        FixtureLinker::name(),
        "pyventus_test_handlers::FixtureLinker"
    );
}

static GREETED_HERE: AtomicUsize = AtomicUsize::new(0);

#[subscribe(Greeted)]
async fn greet_here_too() {
    GREETED_HERE.fetch_add(1, Ordering::SeqCst);
}

#[test]
fn handlers_from_both_crates_and_runtime_closures_share_an_event() {
    static CLOSURE: AtomicUsize = AtomicUsize::new(0);
    let subscription = EventLinker::subscribe(|_: &Greeted| {
        CLOSURE.fetch_add(1, Ordering::SeqCst);
    });
    let emitter = EventEmitter::new(Recording::default());
    emitter.emit(Greeted);
    assert!(subscription.unsubscribe());

    assert_eq!(handlers::GREETED_HERE.load(Ordering::SeqCst), 1);
    assert_eq!(GREETED_HERE.load(Ordering::SeqCst), 1);
    assert_eq!(CLOSURE.load(Ordering::SeqCst), 1);
    let recorded = emitter.processor().handlers.lock().unwrap().clone();
    assert_eq!(
        recorded[..2],
        [concat!(module_path!(), "::greet_here_too"), paths::GREET]
    );
    assert_eq!(recorded.len(), 3);
}
