//! Linker isolation: a handler subscribed on `EventLinker` is not triggered by an emitter on a custom
//! linker, and the reverse, whether the handler was subscribed at compile time or at runtime.

use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use pyventus::prelude::*;

#[linker]
struct CustomEventLinker;

#[linker]
struct OtherLinker;

// Compile-time handlers, one per linker.

#[event]
struct Compiled;

static COMPILED_ON_DEFAULT: AtomicUsize = AtomicUsize::new(0);
static COMPILED_ON_CUSTOM: AtomicUsize = AtomicUsize::new(0);

#[subscribe(Compiled)]
fn compiled_on_default() {
    COMPILED_ON_DEFAULT.fetch_add(1, Ordering::SeqCst);
}

#[subscribe(Compiled, linker = CustomEventLinker)]
fn compiled_on_custom() {
    COMPILED_ON_CUSTOM.fetch_add(1, Ordering::SeqCst);
}

fn compiled_counts() -> (usize, usize) {
    (
        COMPILED_ON_DEFAULT.load(Ordering::SeqCst),
        COMPILED_ON_CUSTOM.load(Ordering::SeqCst),
    )
}

#[test]
fn compile_time_handler_on_event_linker_is_not_triggered_by_a_custom_linker_emitter() {
    EventEmitter::with_linker::<CustomEventLinker>(InlineProcessor).emit(Compiled);
    assert_eq!(compiled_counts(), (0, 1));

    EventEmitter::new(InlineProcessor).emit(Compiled);
    assert_eq!(compiled_counts(), (1, 1));

    // A third linker has neither handler.
    EventEmitter::with_linker::<OtherLinker>(InlineProcessor).emit(Compiled);
    assert_eq!(compiled_counts(), (1, 1));
}

// The page's example: the same event subscribed at runtime on both linkers, emitted on the custom one.

#[event]
#[derive(Debug, Clone)]
struct MyEvent(&'static str);

#[test]
fn runtime_handler_on_event_linker_is_not_triggered_by_a_custom_linker_emitter() {
    static SEEN_BY_CUSTOM: Mutex<Vec<&str>> = Mutex::new(Vec::new());
    static SEEN_BY_DEFAULT: Mutex<Vec<&str>> = Mutex::new(Vec::new());

    let custom =
        CustomEventLinker::subscribe(|e: &MyEvent| SEEN_BY_CUSTOM.lock().unwrap().push(e.0));
    let default = EventLinker::subscribe(|e: &MyEvent| SEEN_BY_DEFAULT.lock().unwrap().push(e.0));
    assert_eq!(custom.info().event(), "MyEvent");
    assert_eq!(custom.info().linker(), CustomEventLinker::name());
    assert_eq!(default.info().linker(), EventLinker::name());

    EventEmitter::with_linker::<CustomEventLinker>(TokioProcessor::new())
        .emit(MyEvent("Hello, World!"));
    assert_eq!(*SEEN_BY_CUSTOM.lock().unwrap(), ["Hello, World!"]);
    assert!(SEEN_BY_DEFAULT.lock().unwrap().is_empty());

    EventEmitter::new(TokioProcessor::new()).emit(MyEvent("default only"));
    assert_eq!(*SEEN_BY_CUSTOM.lock().unwrap(), ["Hello, World!"]);
    assert_eq!(*SEEN_BY_DEFAULT.lock().unwrap(), ["default only"]);

    assert!(custom.unsubscribe());
    assert!(default.unsubscribe());
}

// Unsubscribing on one linker leaves the other alone.

#[event]
struct Removal;

#[test]
fn unsubscribing_on_one_linker_leaves_the_other_subscribed() {
    static ON_DEFAULT: AtomicUsize = AtomicUsize::new(0);
    static ON_CUSTOM: AtomicUsize = AtomicUsize::new(0);

    let default = EventLinker::subscribe(|_: &Removal| {
        ON_DEFAULT.fetch_add(1, Ordering::SeqCst);
    });
    let custom = CustomEventLinker::subscribe(|_: &Removal| {
        ON_CUSTOM.fetch_add(1, Ordering::SeqCst);
    });
    assert!(default.unsubscribe());
    assert!(custom.is_subscribed());

    EventEmitter::new(InlineProcessor).emit(Removal);
    EventEmitter::with_linker::<CustomEventLinker>(InlineProcessor).emit(Removal);
    assert_eq!(ON_DEFAULT.load(Ordering::SeqCst), 0);
    assert_eq!(ON_CUSTOM.load(Ordering::SeqCst), 1);

    assert!(custom.unsubscribe());
}

// Compile-time and runtime handlers mixed, across processors: each emitter reaches exactly its linker's.

#[event]
#[derive(Debug)]
struct Mixed(usize);

static MIXED_COMPILED_DEFAULT: AtomicUsize = AtomicUsize::new(0);
static MIXED_COMPILED_CUSTOM: AtomicUsize = AtomicUsize::new(0);

#[subscribe(Mixed)]
async fn mixed_compiled_default(e: &Mixed) {
    tokio::task::yield_now().await;
    MIXED_COMPILED_DEFAULT.fetch_add(e.0, Ordering::SeqCst);
}

#[subscribe(Mixed, linker = CustomEventLinker)]
fn mixed_compiled_custom(e: &Mixed) {
    MIXED_COMPILED_CUSTOM.fetch_add(e.0, Ordering::SeqCst);
}

#[test]
fn each_emitter_reaches_exactly_the_handlers_of_its_linker() {
    static RUNTIME_DEFAULT: AtomicUsize = AtomicUsize::new(0);
    static RUNTIME_CUSTOM: AtomicUsize = AtomicUsize::new(0);
    static RUNTIME_OTHER: AtomicUsize = AtomicUsize::new(0);
    let subscriptions = [
        EventLinker::subscribe(|e: &Mixed| {
            RUNTIME_DEFAULT.fetch_add(e.0, Ordering::SeqCst);
        }),
        CustomEventLinker::subscribe_async(|e: &Mixed| {
            let value = e.0;
            async move {
                RUNTIME_CUSTOM.fetch_add(value, Ordering::SeqCst);
            }
        }),
        OtherLinker::subscribe(|e: &Mixed| {
            RUNTIME_OTHER.fetch_add(e.0, Ordering::SeqCst);
        }),
    ];
    let counts = || {
        [
            &MIXED_COMPILED_DEFAULT,
            &RUNTIME_DEFAULT,
            &MIXED_COMPILED_CUSTOM,
            &RUNTIME_CUSTOM,
            &RUNTIME_OTHER,
        ]
        .map(|counter| counter.load(Ordering::SeqCst))
    };

    let executor = EventEmitter::new(ExecutorProcessor::new(2));
    executor.emit(Mixed(1));
    executor.processor().shutdown();
    assert_eq!(counts(), [1, 1, 0, 0, 0]);

    let custom = EventEmitter::with_linker::<CustomEventLinker>(ExecutorProcessor::new(2));
    custom.emit(Mixed(10));
    custom.processor().shutdown();
    assert_eq!(counts(), [1, 1, 10, 10, 0]);

    EventEmitter::with_linker::<OtherLinker>(InlineProcessor).emit(Mixed(100));
    assert_eq!(counts(), [1, 1, 10, 10, 100]);

    for subscription in subscriptions {
        assert!(subscription.unsubscribe());
    }
}

#[test]
fn linkers_are_named_after_their_path() {
    assert_eq!(EventLinker::name(), "pyventus::EventLinker");
    assert_eq!(
        CustomEventLinker::name(),
        concat!(module_path!(), "::CustomEventLinker")
    );
    assert_ne!(CustomEventLinker::name(), OtherLinker::name());
}
