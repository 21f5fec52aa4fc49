//! Getting started: every built-in processor delivers an emit to sync and async `#[subscribe]` handlers
//! and to runtime closures, exactly once each.

use std::sync::atomic::{AtomicUsize, Ordering};

use pyventus::prelude::*;

/// Declares a module with one event, `Ping`, and one handler of each kind, each recording into its own
/// counter. Every test gets its own module so that parallel tests do not share handlers.
macro_rules! fixture {
    ($module:ident) => {
        mod $module {
            use std::sync::atomic::{AtomicUsize, Ordering};
            use std::time::Duration;

            use pyventus::prelude::*;

            #[event]
            #[derive(Debug, Clone)]
            pub(crate) struct Ping(pub(crate) usize);

            /// Each handler adds the event's value to its counter (the argument-less one adds 1).
            pub(crate) static SYNC: AtomicUsize = AtomicUsize::new(0);
            pub(crate) static ASYNC: AtomicUsize = AtomicUsize::new(0);
            pub(crate) static NO_ARGUMENT: AtomicUsize = AtomicUsize::new(0);
            pub(crate) static RESULT: AtomicUsize = AtomicUsize::new(0);
            pub(crate) static ASYNC_RESULT: AtomicUsize = AtomicUsize::new(0);

            #[subscribe(Ping)]
            fn on_sync(e: &Ping) {
                SYNC.fetch_add(e.0, Ordering::SeqCst);
            }

            #[subscribe(Ping)]
            async fn on_async(e: &Ping) {
                tokio::time::sleep(Duration::from_millis(5)).await;
                ASYNC.fetch_add(e.0, Ordering::SeqCst);
            }

            #[subscribe(Ping)]
            fn on_no_argument() {
                NO_ARGUMENT.fetch_add(1, Ordering::SeqCst);
            }

            #[subscribe(Ping)]
            fn on_result(e: &Ping) -> Result<usize, String> {
                Ok(RESULT.fetch_add(e.0, Ordering::SeqCst))
            }

            #[subscribe(Ping)]
            async fn on_async_result(e: &Ping) -> Result<(), std::io::Error> {
                tokio::task::yield_now().await;
                ASYNC_RESULT.fetch_add(e.0, Ordering::SeqCst);
                Ok(())
            }

            /// Runtime closures, one sync and one async, recording into the counters returned.
            pub(crate) fn subscribe_closures(
                sync: &'static AtomicUsize,
                asynchronous: &'static AtomicUsize,
            ) -> [Subscription; 2] {
                [
                    EventLinker::subscribe(move |e: &Ping| {
                        sync.fetch_add(e.0, Ordering::SeqCst);
                    }),
                    EventLinker::subscribe_async(move |e: &Ping| {
                        let value = e.0;
                        async move {
                            tokio::time::sleep(Duration::from_millis(5)).await;
                            asynchronous.fetch_add(value, Ordering::SeqCst);
                        }
                    }),
                ]
            }

            /// What every counter holds.
            pub(crate) fn counts(
                closure_sync: &AtomicUsize,
                closure_async: &AtomicUsize,
            ) -> [usize; 7] {
                [
                    SYNC.load(Ordering::SeqCst),
                    ASYNC.load(Ordering::SeqCst),
                    NO_ARGUMENT.load(Ordering::SeqCst),
                    RESULT.load(Ordering::SeqCst),
                    ASYNC_RESULT.load(Ordering::SeqCst),
                    closure_sync.load(Ordering::SeqCst),
                    closure_async.load(Ordering::SeqCst),
                ]
            }
        }
    };
}

/// After one emit of `Ping(7)`: every handler taking the event saw 7, the argument-less one ran once.
const ONCE_EACH: [usize; 7] = [7, 7, 1, 7, 7, 7, 7];

fixture!(inline);
fixture!(tokio_outside);
fixture!(tokio_current_thread);
fixture!(tokio_multi_thread);
fixture!(executor);

#[test]
fn inline_processor_runs_every_handler_before_emit_returns() {
    static CLOSURE: AtomicUsize = AtomicUsize::new(0);
    static CLOSURE_ASYNC: AtomicUsize = AtomicUsize::new(0);
    let subscriptions = inline::subscribe_closures(&CLOSURE, &CLOSURE_ASYNC);

    EventEmitter::new(InlineProcessor).emit(inline::Ping(7));
    assert_eq!(inline::counts(&CLOSURE, &CLOSURE_ASYNC), ONCE_EACH);

    for subscription in subscriptions {
        assert!(subscription.unsubscribe());
    }
}

#[test]
fn tokio_processor_outside_a_runtime_blocks_until_every_handler_ran() {
    static CLOSURE: AtomicUsize = AtomicUsize::new(0);
    static CLOSURE_ASYNC: AtomicUsize = AtomicUsize::new(0);
    let subscriptions = tokio_outside::subscribe_closures(&CLOSURE, &CLOSURE_ASYNC);

    let emitter = EventEmitter::new(TokioProcessor::new());
    emitter.emit(tokio_outside::Ping(7));
    assert_eq!(tokio_outside::counts(&CLOSURE, &CLOSURE_ASYNC), ONCE_EACH);
    assert_eq!(emitter.processor().in_flight(), 0);

    for subscription in subscriptions {
        assert!(subscription.unsubscribe());
    }
}

#[tokio::test(flavor = "current_thread")]
async fn tokio_processor_in_a_current_thread_runtime_runs_every_handler() {
    static CLOSURE: AtomicUsize = AtomicUsize::new(0);
    static CLOSURE_ASYNC: AtomicUsize = AtomicUsize::new(0);
    let subscriptions = tokio_current_thread::subscribe_closures(&CLOSURE, &CLOSURE_ASYNC);

    let emitter = EventEmitter::new(TokioProcessor::new());
    emitter.emit(tokio_current_thread::Ping(7));
    emitter.processor().wait_for_tasks().await;
    assert_eq!(
        tokio_current_thread::counts(&CLOSURE, &CLOSURE_ASYNC),
        ONCE_EACH
    );

    for subscription in subscriptions {
        assert!(subscription.unsubscribe());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tokio_processor_in_a_multi_thread_runtime_runs_every_handler() {
    static CLOSURE: AtomicUsize = AtomicUsize::new(0);
    static CLOSURE_ASYNC: AtomicUsize = AtomicUsize::new(0);
    let subscriptions = tokio_multi_thread::subscribe_closures(&CLOSURE, &CLOSURE_ASYNC);

    let emitter = EventEmitter::new(TokioProcessor::new());
    emitter.emit(tokio_multi_thread::Ping(7));
    emitter.processor().wait_for_tasks().await;
    assert_eq!(
        tokio_multi_thread::counts(&CLOSURE, &CLOSURE_ASYNC),
        ONCE_EACH
    );

    for subscription in subscriptions {
        assert!(subscription.unsubscribe());
    }
}

#[test]
fn executor_processor_runs_every_handler_by_shutdown() {
    static CLOSURE: AtomicUsize = AtomicUsize::new(0);
    static CLOSURE_ASYNC: AtomicUsize = AtomicUsize::new(0);
    let subscriptions = executor::subscribe_closures(&CLOSURE, &CLOSURE_ASYNC);

    let emitter = EventEmitter::new(ExecutorProcessor::new(2));
    emitter.emit(executor::Ping(7));
    emitter.processor().shutdown();
    assert_eq!(executor::counts(&CLOSURE, &CLOSURE_ASYNC), ONCE_EACH);

    for subscription in subscriptions {
        assert!(subscription.unsubscribe());
    }
}

#[event]
#[derive(Debug)]
struct NobodyListens;

#[test]
fn an_emit_without_handlers_is_fine_on_every_processor() {
    assert_eq!(EventLinker::subscriber_count::<NobodyListens>(), 0);
    EventEmitter::new(InlineProcessor).emit(NobodyListens);
    let tokio = EventEmitter::new(TokioProcessor::new());
    tokio.emit(NobodyListens);
    assert_eq!(tokio.processor().in_flight(), 0);
    let executor = EventEmitter::new(ExecutorProcessor::new(1));
    executor.emit(NobodyListens);
    executor.processor().shutdown();

    // A subscription that came and went leaves the event without handlers again.
    static CALLS: AtomicUsize = AtomicUsize::new(0);
    let subscription = EventLinker::subscribe(|_: &NobodyListens| {
        CALLS.fetch_add(1, Ordering::SeqCst);
    });
    assert_eq!(EventLinker::subscriber_count::<NobodyListens>(), 1);
    assert!(subscription.unsubscribe());
    EventEmitter::new(InlineProcessor).emit(NobodyListens);
    assert_eq!(CALLS.load(Ordering::SeqCst), 0);
    assert_eq!(EventLinker::subscriber_count::<NobodyListens>(), 0);
}

#[event]
struct Repeated;

static REPEATED: AtomicUsize = AtomicUsize::new(0);

#[subscribe(Repeated)]
fn count_repeated() {
    REPEATED.fetch_add(1, Ordering::SeqCst);
}

#[test]
fn each_emit_calls_each_handler_once() {
    let emitter = EventEmitter::new(InlineProcessor);
    for _ in 0..25 {
        emitter.emit(Repeated);
    }
    assert_eq!(REPEATED.load(Ordering::SeqCst), 25);
}

#[event]
enum Connection {
    Opened(u16),
    Closed,
}

static OPEN_PORTS: AtomicUsize = AtomicUsize::new(0);
static CLOSES: AtomicUsize = AtomicUsize::new(0);

#[subscribe(Connection)]
fn track_connection(e: &Connection) {
    match e {
        Connection::Opened(port) => OPEN_PORTS.fetch_add(usize::from(*port), Ordering::SeqCst),
        Connection::Closed => CLOSES.fetch_add(1, Ordering::SeqCst),
    };
}

#[test]
fn enum_events_reach_their_handlers_with_their_payload() {
    let emitter = EventEmitter::new(InlineProcessor);
    emitter.emit(Connection::Opened(8080));
    emitter.emit(Connection::Closed);
    assert_eq!(OPEN_PORTS.load(Ordering::SeqCst), 8080);
    assert_eq!(CLOSES.load(Ordering::SeqCst), 1);
}

#[event]
struct Unrelated;

#[event]
struct Sibling;

static UNRELATED_SEEN: AtomicUsize = AtomicUsize::new(0);
static SIBLING_SEEN: AtomicUsize = AtomicUsize::new(0);

#[subscribe(Unrelated)]
fn count_unrelated() {
    UNRELATED_SEEN.fetch_add(1, Ordering::SeqCst);
}

#[subscribe(Sibling)]
fn count_sibling() {
    SIBLING_SEEN.fetch_add(1, Ordering::SeqCst);
}

#[test]
fn an_event_reaches_only_the_handlers_of_its_own_type() {
    let emitter = EventEmitter::new(InlineProcessor);
    emitter.emit(Sibling);
    assert_eq!(UNRELATED_SEEN.load(Ordering::SeqCst), 0);
    emitter.emit(Unrelated);
    emitter.emit(Unrelated);
    assert_eq!(UNRELATED_SEEN.load(Ordering::SeqCst), 2);
    assert_eq!(SIBLING_SEEN.load(Ordering::SeqCst), 1);
}
