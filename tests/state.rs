//! Handlers that reach the application: `State<T>`, `HandlerInfo`, `EmitterHandle` and a user's own
//! extractor, through every processor; several states; a missing state (reported, routed to
//! `on_failure` or the linker default, never a panic); callbacks that take extractors;
//! `check_states` and debug mode.

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use pyventus::prelude::*;
use pyventus::{
    CallContext, EmitterHandle, Failure, FromContext, HandlerInfo, Rejection, State, StateType,
    Task,
};
use tracing::Level;

use crate::common::{capture_local, global_capture};

/// A list of lines a test's handlers write into: each test gives its emitter its own.
#[derive(Clone, Default, Debug)]
struct Log(Arc<Mutex<Vec<String>>>);

impl Log {
    fn push(&self, line: impl Into<String>) {
        self.0.lock().unwrap().push(line.into());
    }

    fn lines(&self) -> Vec<String> {
        let mut lines = self.0.lock().unwrap().clone();
        lines.sort();
        lines
    }
}

/// A second state type, to check that several are told apart.
#[derive(Clone, Debug)]
struct Prefix(&'static str);

mod every_processor {
    use super::*;

    #[event]
    pub(crate) struct Signup(pub u32);

    #[subscribe(Signup)]
    fn sync_handler(e: &Signup, State(log): State<Log>, State(prefix): State<Prefix>) {
        log.push(format!("{}sync {}", prefix.0, e.0));
    }

    // Extractors in the other order, and an async handler.
    #[subscribe(Signup)]
    async fn async_handler(State(prefix): State<Prefix>, e_is_not_first: HandlerInfo) {
        let _ = (prefix, e_is_not_first);
    }

    #[subscribe(Signup)]
    async fn async_with_event(e: &Signup, State(prefix): State<Prefix>, State(log): State<Log>) {
        tokio::task::yield_now().await;
        log.push(format!("{}async {}", prefix.0, e.0));
    }
}

fn expected(prefix: &str) -> Vec<String> {
    vec![format!("{prefix}async 1"), format!("{prefix}sync 1")]
}

#[test]
fn inline_processor_gives_handlers_their_states() {
    let log = Log::default();
    let emitter = EventEmitter::new(InlineProcessor)
        .with_state(log.clone())
        .with_state(Prefix("inline "));
    emitter.emit(every_processor::Signup(1));
    assert_eq!(log.lines(), expected("inline "));
}

#[test]
fn executor_processor_gives_handlers_their_states() {
    let log = Log::default();
    let emitter = EventEmitter::new(ExecutorProcessor::new(2))
        .with_state(log.clone())
        .with_state(Prefix("pool "));
    emitter.emit(every_processor::Signup(1));
    emitter.processor().shutdown();
    assert_eq!(log.lines(), expected("pool "));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tokio_processor_gives_handlers_their_states() {
    let log = Log::default();
    let emitter = EventEmitter::new(TokioProcessor::new())
        .with_state(log.clone())
        .with_state(Prefix("tokio "));
    emitter.emit(every_processor::Signup(1));
    emitter.processor().wait_for_tasks().await;
    assert_eq!(log.lines(), expected("tokio "));

    // Sync handlers on the blocking pool too.
    let log = Log::default();
    let emitter = EventEmitter::new(TokioProcessor::new().blocking_sync_handlers(true))
        .with_state(log.clone())
        .with_state(Prefix("blocking "));
    emitter.emit(every_processor::Signup(1));
    emitter.processor().wait_for_tasks().await;
    assert_eq!(log.lines(), expected("blocking "));
}

#[test]
fn tokio_processor_outside_a_runtime_gives_handlers_their_states() {
    let log = Log::default();
    let emitter = EventEmitter::new(TokioProcessor::new())
        .with_state(log.clone())
        .with_state(Prefix("outside "));
    emitter.emit(every_processor::Signup(1));
    assert_eq!(log.lines(), expected("outside "));
}

/// A user's processor: tasks carry the emitter's states.
#[derive(Debug, Clone, Default)]
struct Deferred(Arc<Mutex<Vec<Task>>>);

impl Processor for Deferred {
    fn submit(&self, task: Task) {
        self.0.lock().unwrap().push(task);
    }
}

#[test]
fn a_users_processor_gives_handlers_their_states() {
    let log = Log::default();
    let processor = Deferred::default();
    let emitter = EventEmitter::new(processor.clone())
        .with_state(log.clone())
        .with_state(Prefix("custom "));
    emitter.emit(every_processor::Signup(1));
    // The emitter is gone before the tasks run: they hold what they need.
    drop(emitter);
    assert!(log.lines().is_empty());
    let tasks = std::mem::take(&mut *processor.0.lock().unwrap());
    assert_eq!(tasks.len(), 3);
    for task in tasks {
        task.run_blocking();
    }
    assert_eq!(log.lines(), expected("custom "));
}

#[test]
fn try_emit_gives_handlers_their_states() {
    let log = Log::default();
    let emitter = EventEmitter::new(InlineProcessor)
        .with_state(log.clone())
        .with_state(Prefix("try "));
    emitter.try_emit(every_processor::Signup(1)).unwrap();
    assert_eq!(log.lines(), expected("try "));
}

#[test]
fn two_emitters_hold_two_states_and_a_type_given_again_is_replaced() {
    let (first, second) = (Log::default(), Log::default());
    let a = EventEmitter::new(InlineProcessor)
        .with_state(Prefix("a "))
        .with_state(first.clone());
    let b = EventEmitter::new(InlineProcessor)
        .with_state(Prefix("replaced "))
        .with_state(second.clone())
        .with_state(Prefix("b "));
    a.emit(every_processor::Signup(1));
    b.emit(every_processor::Signup(1));
    assert_eq!(first.lines(), expected("a "));
    assert_eq!(second.lines(), expected("b "));
    // A clone shares its states.
    let clone = b.clone();
    clone.emit(every_processor::Signup(1));
    assert_eq!(second.lines().len(), 4);
}

mod missing {
    use super::*;

    #[event]
    pub(crate) struct Order(pub u32);

    pub(crate) static OTHERS_RAN: AtomicUsize = AtomicUsize::new(0);

    #[subscribe(Order)]
    fn needs_log(e: &Order, State(log): State<Log>) {
        log.push(format!("needs_log ran for {}", e.0));
    }

    #[subscribe(Order)]
    async fn needs_log_async(_: &Order, State(log): State<Log>) {
        log.push("needs_log_async ran");
    }

    #[subscribe(Order)]
    fn needs_nothing(_: &Order) {
        OTHERS_RAN.fetch_add(1, Ordering::SeqCst);
    }

    pub(crate) static FAILURES: Mutex<Vec<String>> = Mutex::new(Vec::new());

    /// Held by each test that emits `Order`: they share its handlers' counters.
    pub(crate) static ORDERS: Mutex<()> = Mutex::new(());

    fn declined(failure: Failure<String>, info: HandlerInfo) {
        let Failure::Panic(message) = failure else {
            panic!("a rejection reaches on_failure as Failure::Panic");
        };
        FAILURES
            .lock()
            .unwrap()
            .push(format!("{}: {message}", info.path()));
    }

    #[subscribe(Order, on_failure = declined)]
    fn charge(_: &Order, State(log): State<Log>) -> Result<(), String> {
        log.push("charge ran");
        Ok(())
    }
}

#[test]
fn a_missing_state_is_a_reported_fault_and_the_other_handlers_run() {
    let _serial = missing::ORDERS
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let others_before = missing::OTHERS_RAN.load(Ordering::SeqCst);
    let failures_before = missing::FAILURES.lock().unwrap().len();
    let emitter = EventEmitter::new(InlineProcessor).debug(false);
    let ((), capture) = capture_local(Level::ERROR, || emitter.emit(missing::Order(1)));
    assert_eq!(
        missing::OTHERS_RAN.load(Ordering::SeqCst),
        others_before + 1
    );
    for handler in ["needs_log", "needs_log_async"] {
        let path = format!("state::missing::{handler}");
        let lines = capture.lines_with(&[
            "ERROR",
            &format!("handler `{path}` was not called for event `Order`"),
            "takes `State<state::Log>`",
            "given no `state::Log`",
            "EventEmitter::new(..).with_state(value)",
        ]);
        assert_eq!(lines.len(), 1, "{handler}: {}", capture.text());
    }
    // `charge` has an `on_failure`, which got it instead of the report.
    assert!(capture.lines_with(&["state::missing::charge"]).is_empty());
    let failures = missing::FAILURES.lock().unwrap()[failures_before..].to_vec();
    assert_eq!(failures.len(), 1, "{failures:?}");
    assert!(
        failures[0].starts_with(
            "state::missing::charge: handler `state::missing::charge` takes `State<state::Log>`"
        ),
        "{failures:?}"
    );
}

#[test]
fn a_missing_state_on_a_pool_is_reported_too() {
    let _serial = missing::ORDERS
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let emitter = EventEmitter::new(ExecutorProcessor::new(1)).with_state(Prefix("no log"));
    emitter.emit(missing::Order(2));
    emitter.processor().shutdown();
    let lines = global_capture().lines_with(&[
        "ERROR",
        "handler `state::missing::needs_log` was not called",
        "given no `state::Log`",
    ]);
    assert!(!lines.is_empty(), "{}", global_capture().text());
}

#[test]
fn check_states_lists_the_handlers_an_emitter_cannot_serve() {
    let missing = EventEmitter::new(InlineProcessor)
        .check_states()
        .unwrap_err();
    let text = missing.to_string();
    for handler in [
        "every_processor::sync_handler",
        "missing::needs_log",
        "missing::charge",
    ] {
        assert!(
            text.contains(&format!(
                "handler `state::{handler}` takes state its emitter lacks"
            )),
            "{text}"
        );
    }
    let lacking: Vec<_> = missing
        .handlers()
        .find(|(info, _)| info.path() == "state::every_processor::sync_handler")
        .map(|(_, types)| types.iter().map(StateType::name).collect())
        .unwrap();
    assert_eq!(lacking, ["state::Log", "state::Prefix"]);

    // With both types, only the handlers of the user extractor below lack something.
    let served = EventEmitter::new(InlineProcessor)
        .with_state(Log::default())
        .with_state(Prefix(""));
    let missing = served.check_states().unwrap_err();
    let paths: Vec<_> = missing.handlers().map(|(info, _)| info.path()).collect();
    assert_eq!(paths, ["state::own_extractor::greet"]);
    let all = served.with_state(Greeting::default());
    assert!(all.check_states().is_ok(), "{:?}", all.check_states());
}

#[test]
fn debug_mode_lists_the_handlers_whose_state_the_emitter_lacks() {
    let _serial = missing::ORDERS
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let emitter = EventEmitter::new(InlineProcessor)
        .debug(true)
        .with_state(Log::default());
    let ((), capture) = capture_local(Level::DEBUG, || {
        emitter.emit(missing::Order(3));
        emitter.emit(missing::Order(4));
    });
    // This emitter has what `Order`'s handlers take: nothing is listed.
    let listed = capture.lines_with(&["DEBUG", "lacks"]);
    assert!(listed.is_empty(), "{}", capture.text());
    // Without it: listed once per emitter and event, before the calls (which then fail).
    let emitter = EventEmitter::new(InlineProcessor).debug(true);
    let ((), capture) = capture_local(Level::DEBUG, || {
        emitter.emit(missing::Order(5));
        emitter.emit(missing::Order(6));
    });
    let listed = capture.lines_with(&[
        "DEBUG",
        "handler `state::missing::needs_log` takes state its emitter lacks (`state::Log`)",
    ]);
    assert_eq!(listed.len(), 1, "{}", capture.text());
}

/// A user's extractor, reading a state of its own.
#[derive(Clone, Default, Debug)]
struct Greeting(Log);

struct Greeter(Log);

impl FromContext for Greeter {
    fn from_context(cx: &CallContext<'_>) -> Result<Self, Rejection> {
        match cx.state::<Greeting>() {
            Some(greeting) => Ok(Greeter(greeting.0.clone())),
            None => Err(Rejection::new(format!(
                "{} needs a Greeting",
                cx.info().path()
            ))),
        }
    }

    fn required_states(required: &mut Vec<StateType>) {
        required.push(StateType::of::<Greeting>());
    }
}

/// An extractor that always refuses.
struct Never;

impl FromContext for Never {
    fn from_context(_: &CallContext<'_>) -> Result<Self, Rejection> {
        Err(Rejection::new("never"))
    }
}

mod own_extractor {
    use super::*;

    #[event]
    pub(crate) struct Joined(pub &'static str);

    #[subscribe(Joined)]
    fn greet(e: &Joined, Greeter(log): Greeter, info: HandlerInfo) {
        log.push(format!("hello {} from {}", e.0, info.path()));
    }

    #[event]
    pub(crate) struct Refused;

    pub(crate) static REFUSED_RAN: AtomicUsize = AtomicUsize::new(0);

    #[subscribe(Refused)]
    fn refused(_never: Never) {
        REFUSED_RAN.fetch_add(1, Ordering::SeqCst);
    }
}

#[test]
fn a_users_extractor_is_made_for_each_call() {
    let log = Log::default();
    let emitter = EventEmitter::new(InlineProcessor).with_state(Greeting(log.clone()));
    emitter.emit(own_extractor::Joined("ada"));
    assert_eq!(log.lines(), ["hello ada from state::own_extractor::greet"]);

    let ((), capture) = capture_local(Level::ERROR, || {
        EventEmitter::new(InlineProcessor).emit(own_extractor::Refused)
    });
    assert_eq!(own_extractor::REFUSED_RAN.load(Ordering::SeqCst), 0);
    let lines = capture.lines_with(&[
        "handler `state::own_extractor::refused` was not called",
        "never",
    ]);
    assert_eq!(lines.len(), 1, "{}", capture.text());
}

mod follow_up {
    use super::*;

    #[event]
    pub(crate) struct Placed(pub u32);

    #[event]
    pub(crate) struct Shipped(pub u32);

    #[subscribe(Placed)]
    async fn place(e: &Placed, emitter: EmitterHandle) {
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        emitter.emit(Shipped(e.0));
    }

    #[subscribe(Shipped)]
    async fn ship(e: &Shipped, State(log): State<Log>) {
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        log.push(format!("shipped {}", e.0));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_follow_up_emit_is_waited_for_by_wait_for_tasks() {
    let log = Log::default();
    let emitter = EventEmitter::new(TokioProcessor::new()).with_state(log.clone());
    for order in 0..5 {
        emitter.emit(follow_up::Placed(order));
    }
    emitter.processor().wait_for_tasks().await;
    assert_eq!(log.lines().len(), 5, "{:?}", log.lines());
    assert_eq!(emitter.processor().in_flight(), 0);
}

#[test]
fn a_follow_up_emit_goes_through_the_same_processor_inline_and_on_a_pool() {
    let log = Log::default();
    EventEmitter::new(InlineProcessor)
        .with_state(log.clone())
        .emit(follow_up::Placed(1));
    assert_eq!(log.lines(), ["shipped 1"]);

    let log = Log::default();
    let emitter = EventEmitter::new(ExecutorProcessor::new(2)).with_state(log.clone());
    emitter.emit(follow_up::Placed(2));
    // The follow-up is queued on the pool, or, if the pool is shutting down by then, run on the
    // worker's thread: never lost.
    emitter.processor().shutdown();
    assert_eq!(log.lines(), ["shipped 2"]);
}

#[test]
fn a_follow_up_emit_outside_a_runtime_is_done_when_emit_returns() {
    let log = Log::default();
    EventEmitter::new(TokioProcessor::new())
        .with_state(log.clone())
        .emit(follow_up::Placed(4));
    assert_eq!(log.lines(), ["shipped 4"]);
}

#[test]
fn a_processor_without_a_handle_refuses_emitter_handles_with_the_fix() {
    #[derive(Debug)]
    struct NoHandle;
    impl Processor for NoHandle {
        fn submit(&self, task: Task) {
            task.run_blocking();
        }
    }
    let ((), capture) = capture_local(Level::ERROR, || {
        EventEmitter::new(NoHandle).emit(follow_up::Placed(3))
    });
    let lines = capture.lines_with(&[
        "handler `state::follow_up::place` was not called",
        "its processor `NoHandle` gives none: implement `Processor::handle`",
    ]);
    assert_eq!(lines.len(), 1, "{}", capture.text());
}

mod callbacks {
    use super::*;

    #[event]
    pub(crate) struct Pay(pub u32);

    fn paid(amount: u32, State(log): State<Log>, info: HandlerInfo) {
        log.push(format!("paid {amount} by {}", info.path()));
    }

    fn declined(failure: Failure<String>, State(log): State<Log>) {
        log.push(format!("declined: {failure}"));
    }

    #[subscribe(Pay, on_success = paid, on_failure = declined)]
    fn pay(e: &Pay) -> Result<u32, String> {
        if e.0 > 100 {
            Err(format!("order {} is over the limit", e.0))
        } else {
            Ok(e.0)
        }
    }

    #[subscribe(Pay, on_success = paid, on_failure = declined)]
    async fn pay_async(e: &Pay) -> Result<u32, String> {
        tokio::task::yield_now().await;
        if e.0 > 100 {
            Err(format!("order {} is over the limit (async)", e.0))
        } else {
            Ok(e.0 + 1)
        }
    }

    fn done(State(log): State<Log>) {
        log.push("done");
    }

    #[subscribe(Pay, on_success = done)]
    fn unit(_: &Pay) {}
}

#[test]
fn callbacks_take_extractors_after_their_value() {
    let log = Log::default();
    let emitter = EventEmitter::new(InlineProcessor).with_state(log.clone());
    emitter.emit(callbacks::Pay(7));
    emitter.emit(callbacks::Pay(700));
    assert_eq!(
        log.lines(),
        [
            "declined: returned an error: order 700 is over the limit",
            "declined: returned an error: order 700 is over the limit (async)",
            "done",
            "done",
            "paid 7 by state::callbacks::pay",
            "paid 8 by state::callbacks::pay_async",
        ]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn callbacks_take_extractors_on_tokio_too() {
    let log = Log::default();
    let emitter = EventEmitter::new(TokioProcessor::new()).with_state(log.clone());
    emitter.emit(callbacks::Pay(5));
    emitter.processor().wait_for_tasks().await;
    assert_eq!(
        log.lines(),
        [
            "done",
            "paid 5 by state::callbacks::pay",
            "paid 6 by state::callbacks::pay_async"
        ]
    );
}

#[test]
fn a_callback_whose_state_is_missing_is_reported() {
    let ((), capture) = capture_local(Level::ERROR, || {
        EventEmitter::new(InlineProcessor).emit(callbacks::Pay(1))
    });
    let lines = capture.lines_with(&[
        "`on_success` callback of handler `state::callbacks::pay` was not called",
        "given no `state::Log`",
    ]);
    assert_eq!(lines.len(), 1, "{}", capture.text());
}

mod several_events {
    use super::*;

    #[event]
    pub(crate) struct Left;

    #[event]
    pub(crate) struct Right;

    #[subscribe(Left, Right)]
    fn either(e: &dyn pyventus::AnyEvent, State(log): State<Log>) {
        log.push(e.name());
    }
}

#[test]
fn a_handler_of_several_events_takes_extractors_too() {
    let log = Log::default();
    let emitter = EventEmitter::new(InlineProcessor).with_state(log.clone());
    emitter.emit(several_events::Left);
    emitter.emit(several_events::Right);
    assert_eq!(log.lines(), ["Left", "Right"]);
}

mod on_a_linker {
    use super::*;

    #[linker]
    pub(crate) struct Audit;

    #[event]
    pub(crate) struct Logged;

    #[subscribe(Logged, linker = Audit)]
    fn follow_up(_: &Logged, emitter: EmitterHandle, info: HandlerInfo) {
        // The handle emits on the linker the handler runs under.
        assert_eq!(emitter.linker(), "state::on_a_linker::Audit");
        assert_eq!(info.linker(), "state::on_a_linker::Audit");
        emitter.emit(Noted);
    }

    #[event]
    pub(crate) struct Noted;

    pub(crate) static NOTED: AtomicUsize = AtomicUsize::new(0);

    #[subscribe(Noted, linker = Audit)]
    fn noted(_: &Noted) {
        NOTED.fetch_add(1, Ordering::SeqCst);
    }

    #[subscribe(Noted)]
    fn noted_on_the_default_linker(_: &Noted) {
        NOTED.fetch_add(100, Ordering::SeqCst);
    }
}

#[test]
fn an_emitter_handle_emits_on_the_emitters_linker() {
    EventEmitter::with_linker::<on_a_linker::Audit>(InlineProcessor).emit(on_a_linker::Logged);
    assert_eq!(on_a_linker::NOTED.load(Ordering::SeqCst), 1);
}
