//! All-events subscribers (Pyventus's `...`): `L::subscribe_all(|e: &dyn AnyEvent| ..)` sees every event
//! emitted on its linker, after the event's own handlers, and no event of another linker. It works through
//! every processor; the tasks it becomes name the event actually emitted.

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use pyventus::prelude::*;
use pyventus::{AnyEvent, SubscriberKind, Task};

#[event]
struct Login(&'static str);

#[event]
struct Logout;

/// Describes an event as the all-events subscribers of this file see it.
fn describe(e: &dyn AnyEvent) -> String {
    match e.downcast_ref::<Login>() {
        Some(login) => format!("Login({})", login.0),
        None => e.name().to_owned(),
    }
}

/// An all-events subscriber on `L` that appends `all <event>` to `log`.
fn record_all<L: Linker>(log: &Arc<Mutex<Vec<String>>>) -> Subscription {
    let log = Arc::clone(log);
    L::subscribe_all(move |e: &dyn AnyEvent| {
        log.lock().unwrap().push(format!("all {}", describe(e)))
    })
}

// ---- order, linker isolation, queries, unsubscribe ------------------------------------------------------------

#[linker]
struct Audit;

static AUDIT_LOG: Mutex<Vec<String>> = Mutex::new(Vec::new());

#[subscribe(Login, linker = Audit)]
fn audit_login(e: &Login) {
    AUDIT_LOG
        .lock()
        .unwrap()
        .push(format!("compile-time Login({})", e.0));
}

#[test]
fn an_all_events_subscriber_sees_every_event_of_its_linker_after_their_own_handlers() {
    let log = Arc::new(Mutex::new(Vec::new()));
    // Subscribed before the runtime handler of `Login`, it still runs after it.
    let all = Audit::subscribe_all({
        let log = Arc::clone(&log);
        move |e: &dyn AnyEvent| {
            AUDIT_LOG
                .lock()
                .unwrap()
                .push(format!("all {}", describe(e)));
            log.lock().unwrap().push(describe(e));
        }
    });
    let runtime = Audit::subscribe(|e: &Login| {
        AUDIT_LOG
            .lock()
            .unwrap()
            .push(format!("runtime Login({})", e.0));
    });

    let emitter = EventEmitter::with_linker::<Audit>(InlineProcessor);
    emitter.emit(Login("ada"));
    emitter.emit(Logout);
    assert_eq!(
        *AUDIT_LOG.lock().unwrap(),
        [
            "compile-time Login(ada)",
            "runtime Login(ada)",
            "all Login(ada)",
            "all Logout",
        ]
    );

    // Events of other linkers do not reach it.
    EventEmitter::new(InlineProcessor).emit(Login("eve"));
    EventEmitter::with_linker::<Elsewhere>(InlineProcessor).emit(Logout);
    assert_eq!(*log.lock().unwrap(), ["Login(ada)", "Logout"]);

    // Unsubscribed, it sees nothing more.
    assert!(all.unsubscribe());
    emitter.emit(Login("bob"));
    assert_eq!(*log.lock().unwrap(), ["Login(ada)", "Logout"]);
    assert!(runtime.unsubscribe());
}

#[linker]
struct Elsewhere;

#[linker]
struct Listed;

#[test]
fn all_events_subscribers_are_listed_apart_from_each_events_subscribers() {
    let log = Arc::new(Mutex::new(Vec::new()));
    let first = record_all::<Listed>(&log);
    let second = record_all::<Listed>(&log);
    let own = Listed::subscribe(|_: &Logout| {});

    let all = Listed::all_events_subscribers();
    assert_eq!(all.len(), 2);
    for (info, sub) in all.iter().zip([&first, &second]) {
        assert_eq!(info.kind(), SubscriberKind::AllEvents);
        assert_eq!(info.event(), "...");
        assert_eq!(info.path(), sub.info().path());
        assert_eq!(info.linker(), Listed::name());
        assert!(!info.is_async() && !info.is_once());
    }
    // `subscribers::<E>()` lists the event's own subscribers only.
    let logout = Listed::subscribers::<Logout>();
    assert_eq!(logout.len(), 1);
    assert_eq!(logout[0].kind(), SubscriberKind::Runtime);
    assert_eq!(Listed::subscriber_count::<Logout>(), 1);
    assert_eq!(Listed::events(), ["...", "Logout"]);

    // Both run, in subscription order.
    EventEmitter::with_linker::<Listed>(InlineProcessor).emit(Login("ada"));
    assert_eq!(*log.lock().unwrap(), ["all Login(ada)", "all Login(ada)"]);

    assert!(first.unsubscribe());
    assert!(second.unsubscribe());
    assert!(own.unsubscribe());
    assert!(Listed::all_events_subscribers().is_empty());
    assert!(Listed::events().is_empty());
}

#[linker]
struct Scoped;

#[test]
fn an_all_events_guard_unsubscribes_when_dropped() {
    let log = Arc::new(Mutex::new(Vec::new()));
    let emitter = EventEmitter::with_linker::<Scoped>(InlineProcessor);
    {
        let _guard = record_all::<Scoped>(&log).into_guard();
        emitter.emit(Logout);
    }
    emitter.emit(Logout);
    assert_eq!(*log.lock().unwrap(), ["all Logout"]);
    assert!(Scoped::all_events_subscribers().is_empty());
}

// ---- faults ------------------------------------------------------------------------------------------------

#[linker]
struct Faulty;

#[test]
fn a_failing_all_events_subscriber_is_reported_under_the_real_event_and_stops_nothing() {
    let failing = Faulty::subscribe_all(|e: &dyn AnyEvent| -> Result<(), String> {
        Err(format!("cannot audit {}", e.name()))
    });
    let panicking = Faulty::subscribe_all(|e: &dyn AnyEvent| {
        if e.is::<Logout>() {
            panic!("audit crashed");
        }
    });
    let after = Arc::new(AtomicUsize::new(0));
    let counting = Faulty::subscribe_all({
        let after = Arc::clone(&after);
        move |_: &dyn AnyEvent| {
            after.fetch_add(1, Ordering::SeqCst);
        }
    });
    let ((), capture) = common::capture_local(tracing::Level::ERROR, || {
        let emitter = EventEmitter::with_linker::<Faulty>(InlineProcessor);
        emitter.emit(Login("ada"));
        emitter.emit(Logout);
    });
    assert_eq!(after.load(Ordering::SeqCst), 2);

    let failing_path = format!("handler `{}`", failing.info().path());
    for event in ["Login", "Logout"] {
        let message = format!("cannot audit {event}");
        let logged = capture.lines_with(&[
            "ERROR",
            &failing_path,
            &format!("event `{event}`"),
            &message,
        ]);
        assert_eq!(logged.len(), 1, "{event}:\n{}", capture.text());
    }
    let panicking_path = format!("handler `{}`", panicking.info().path());
    let logged = capture.lines_with(&["ERROR", &panicking_path, "event `Logout`", "audit crashed"]);
    assert_eq!(logged.len(), 1, "{}", capture.text());
    assert!(capture.lines_with(&["event `...`"]).is_empty());

    for sub in [failing, panicking, counting] {
        assert!(sub.unsubscribe());
    }
}

// ---- through processors that run tasks elsewhere --------------------------------------------------------------

/// Records, for each task submitted, `(handler, task.event().name(), task.info().event())`, then hands the
/// task to `inner`.
#[derive(Debug, Clone)]
struct Spy<P> {
    inner: P,
    tasks: Arc<Mutex<Vec<(String, String, String)>>>,
}

impl<P> Spy<P> {
    fn new(inner: P) -> Self {
        Spy {
            inner,
            tasks: Arc::default(),
        }
    }

    /// The submitted tasks, in submission order.
    fn tasks(&self) -> Vec<(String, String, String)> {
        self.tasks.lock().unwrap().clone()
    }
}

impl<P: Processor> Processor for Spy<P> {
    fn submit(&self, task: Task) {
        self.tasks.lock().unwrap().push((
            task.path().to_owned(),
            task.event().name().to_owned(),
            task.info().event().to_owned(),
        ));
        self.inner.submit(task);
    }
}

/// Checks the tasks of emitting `Login` then `Logout` on a linker with one compile-time handler of `Login`
/// (`handler`) and the all-events subscriber `all`.
fn assert_tasks(tasks: &[(String, String, String)], handler: &str, all: &Subscription) {
    let task =
        |handler: &str, event: &str| (handler.to_owned(), event.to_owned(), event.to_owned());
    let all = all.info().path();
    assert_eq!(
        tasks,
        [
            task(handler, "Login"),
            task(all, "Login"),
            task(all, "Logout")
        ]
    );
}

#[linker]
struct TokioAudit;

static TOKIO_AUDIT_CALLS: AtomicUsize = AtomicUsize::new(0);

#[subscribe(Login, linker = TokioAudit)]
async fn tokio_audit_login() {
    TOKIO_AUDIT_CALLS.fetch_add(1, Ordering::SeqCst);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn all_events_subscribers_run_as_tokio_tasks_naming_the_real_event() {
    let log = Arc::new(Mutex::new(Vec::new()));
    let all = record_all::<TokioAudit>(&log);

    // The tokio processor's own dispatch.
    let emitter = EventEmitter::with_linker::<TokioAudit>(TokioProcessor::new());
    emitter.emit(Login("ada"));
    emitter.emit(Logout);
    emitter.processor().wait_for_tasks().await;
    let mut seen = log.lock().unwrap().clone();
    seen.sort();
    assert_eq!(seen, ["all Login(ada)", "all Logout"]);
    assert_eq!(TOKIO_AUDIT_CALLS.load(Ordering::SeqCst), 1);

    // Task by task, through `submit`.
    let spy = Spy::new(TokioProcessor::new());
    let emitter = EventEmitter::with_linker::<TokioAudit>(spy.clone());
    emitter.emit(Login("bob"));
    emitter.emit(Logout);
    spy.inner.wait_for_tasks().await;
    assert_tasks(
        &spy.tasks(),
        concat!(module_path!(), "::tokio_audit_login"),
        &all,
    );
    assert_eq!(log.lock().unwrap().len(), 4);
    assert!(all.unsubscribe());
}

#[linker]
struct ExecutorAudit;

#[subscribe(Login, linker = ExecutorAudit)]
fn executor_audit_login() {}

#[test]
fn all_events_subscribers_run_on_executor_threads_naming_the_real_event() {
    let log = Arc::new(Mutex::new(Vec::new()));
    let all = record_all::<ExecutorAudit>(&log);
    let spy = Spy::new(ExecutorProcessor::new(2));
    let emitter = EventEmitter::with_linker::<ExecutorAudit>(spy.clone());
    emitter.emit(Login("ada"));
    emitter.emit(Logout);
    spy.inner.shutdown();

    let mut seen = log.lock().unwrap().clone();
    seen.sort();
    assert_eq!(seen, ["all Login(ada)", "all Logout"]);
    assert_tasks(
        &spy.tasks(),
        concat!(module_path!(), "::executor_audit_login"),
        &all,
    );
    assert!(all.unsubscribe());
}
