//! One handler for several events: `#[subscribe(A, B)]` on `fn h(e: &dyn AnyEvent)` (or `fn h()`, or an
//! `async fn`) runs for each of the events, with the event that was emitted, and is listed among the
//! subscribers of each. Pyventus's `EventLinker.subscribe("A", "B", event_callback=...)`.

use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use pyventus::prelude::*;
use pyventus::{AnyEvent, Failure, SubscriberKind};

/// Describes an event the way the handlers of this file see it.
fn describe(e: &dyn AnyEvent) -> String {
    if let Some(created) = e.downcast_ref::<Created>() {
        format!("Created({})", created.0)
    } else if let Some(deleted) = e.downcast_ref::<Deleted>() {
        format!("Deleted({})", deleted.name)
    } else if let Some(fetched) = e.downcast_ref::<Fetched>() {
        format!("Fetched({})", fetched.0)
    } else if let Some(stored) = e.downcast_ref::<Stored>() {
        format!("Stored({})", stored.0)
    } else {
        format!("unexpected {}", e.name())
    }
}

#[event]
struct Created(u32);

#[event]
struct Deleted {
    name: String,
}

static CHANGES: Mutex<Vec<String>> = Mutex::new(Vec::new());

#[subscribe(Created, Deleted)]
fn on_change(e: &dyn AnyEvent) {
    CHANGES.lock().unwrap().push(describe(e));
}

#[test]
fn a_handler_of_two_events_runs_for_each_with_the_right_event() {
    let emitter = EventEmitter::new(InlineProcessor);
    emitter.emit(Created(1));
    emitter.emit(Deleted {
        name: "draft".to_owned(),
    });
    emitter.emit(Created(2));
    assert_eq!(
        *CHANGES.lock().unwrap(),
        ["Created(1)", "Deleted(draft)", "Created(2)"]
    );
}

#[test]
fn a_handler_of_two_events_is_listed_for_both() {
    let path = concat!(module_path!(), "::on_change");
    for (event, subscribers) in [
        ("Created", EventLinker::subscribers::<Created>()),
        ("Deleted", EventLinker::subscribers::<Deleted>()),
    ] {
        assert_eq!(subscribers.len(), 1, "{event}: {subscribers:?}");
        assert_eq!(subscribers[0].path(), path);
        assert_eq!(subscribers[0].event(), event);
        assert_eq!(subscribers[0].kind(), SubscriberKind::CompileTime);
    }
    assert_eq!(EventLinker::subscriber_count::<Created>(), 1);
    assert_eq!(EventLinker::subscriber_count::<Deleted>(), 1);
    let events = EventLinker::events();
    assert!(events.contains(&"Created") && events.contains(&"Deleted"));
}

// ---- without an argument ---------------------------------------------------------------------------------

#[event]
struct Started;

#[event]
struct Stopped;

static LIFECYCLE_CALLS: AtomicUsize = AtomicUsize::new(0);

#[subscribe(Started, Stopped)]
fn on_lifecycle() {
    LIFECYCLE_CALLS.fetch_add(1, Ordering::SeqCst);
}

#[test]
fn a_handler_without_argument_runs_for_each_event() {
    let emitter = EventEmitter::new(InlineProcessor);
    emitter.emit(Started);
    emitter.emit(Stopped);
    emitter.emit(Stopped);
    assert_eq!(LIFECYCLE_CALLS.load(Ordering::SeqCst), 3);
    assert_eq!(
        EventLinker::subscribers::<Started>()[0].path(),
        EventLinker::subscribers::<Stopped>()[0].path()
    );
}

// ---- async, on a custom linker, with callbacks -------------------------------------------------------------

#[linker]
struct Storage;

#[event]
struct Fetched(u32);

#[event]
struct Stored(u32);

static STORAGE_SEEN: Mutex<Vec<String>> = Mutex::new(Vec::new());
static STORAGE_FAILURES: Mutex<Vec<String>> = Mutex::new(Vec::new());

fn storage_failed(failure: Failure<String>) {
    STORAGE_FAILURES.lock().unwrap().push(match failure {
        Failure::Error(error) => error,
        Failure::Panic(message) => format!("panic: {message}"),
    });
}

#[subscribe(Fetched, Stored, linker = Storage, on_failure = storage_failed)]
async fn on_storage(e: &dyn AnyEvent) -> Result<(), String> {
    tokio::time::sleep(Duration::from_millis(1)).await;
    let seen = describe(e);
    STORAGE_SEEN.lock().unwrap().push(seen.clone());
    if e.is::<Stored>() {
        Err(format!("{seen} failed"))
    } else {
        Ok(())
    }
}

#[test]
fn an_async_handler_of_two_events_on_a_custom_linker_gets_each_event_and_its_callbacks() {
    let emitter = EventEmitter::with_linker::<Storage>(InlineProcessor);
    emitter.emit(Fetched(3));
    emitter.emit(Stored(4));
    // Not subscribed on `EventLinker`.
    EventEmitter::new(InlineProcessor).emit(Fetched(5));
    // The tokio test shares these handlers: keep the entries of this test's values only.
    let mine = |log: &Mutex<Vec<String>>| -> Vec<String> {
        let log = log.lock().unwrap();
        log.iter()
            .filter(|entry| ["(3)", "(4)", "(5)"].iter().any(|v| entry.contains(v)))
            .cloned()
            .collect()
    };
    assert_eq!(mine(&STORAGE_SEEN), ["Fetched(3)", "Stored(4)"]);
    assert_eq!(mine(&STORAGE_FAILURES), ["Stored(4) failed"]);
    assert!(Storage::subscribers::<Fetched>()[0].is_async());
    assert!(Storage::subscribers::<Stored>()[0].is_async());
    assert!(EventLinker::subscribers::<Fetched>().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_async_handler_of_two_events_runs_as_tokio_tasks() {
    let emitter = EventEmitter::with_linker::<Storage>(TokioProcessor::new());
    emitter.emit(Fetched(10));
    emitter.emit(Stored(11));
    emitter.processor().wait_for_tasks().await;
    let seen = STORAGE_SEEN.lock().unwrap().clone();
    assert!(seen.contains(&"Fetched(10)".to_owned()), "{seen:?}");
    assert!(seen.contains(&"Stored(11)".to_owned()), "{seen:?}");
    assert!(
        STORAGE_FAILURES
            .lock()
            .unwrap()
            .contains(&"Stored(11) failed".to_owned())
    );
}

// ---- removal is per event -----------------------------------------------------------------------------------

#[event]
struct Opened;

#[event]
struct Closed;

static DOOR_SEEN: Mutex<Vec<&'static str>> = Mutex::new(Vec::new());

#[subscribe(Opened, Closed)]
fn on_door(e: &dyn AnyEvent) {
    DOOR_SEEN.lock().unwrap().push(e.name());
}

#[test]
fn removing_a_multi_event_handler_from_one_event_keeps_it_for_the_other() {
    let opened = EventLinker::subscribers::<Opened>();
    assert!(EventLinker::remove(&opened[0]));
    assert!(EventLinker::subscribers::<Opened>().is_empty());
    assert_eq!(EventLinker::subscriber_count::<Closed>(), 1);

    let emitter = EventEmitter::new(InlineProcessor);
    emitter.emit(Opened);
    emitter.emit(Closed);
    assert_eq!(*DOOR_SEEN.lock().unwrap(), ["Closed"]);

    assert_eq!(EventLinker::restore::<Opened>(), 1);
    emitter.emit(Opened);
    assert_eq!(*DOOR_SEEN.lock().unwrap(), ["Closed", "Opened"]);
}
