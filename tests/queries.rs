//! Linker queries and removal: `subscribers::<E>()` in dispatch order with each subscriber's details,
//! `subscriber_count`, `events()`, `remove(&info)`, `remove_event::<E>()`, `remove_all()` and
//! `restore::<E>()`.
//!
//! Removing a runtime subscriber unsubscribes it; removing a compile-time handler disables it on its
//! linker (it stops running and stops being listed) until `restore`. Linkers are process-global, so every
//! test here has a linker of its own.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use pyventus::prelude::*;
use pyventus::{AnyEvent, SubscriberInfo, SubscriberKind};

/// A runtime subscriber on `L` that counts its calls.
fn counting<L: Linker, E: Event>(calls: &Arc<AtomicUsize>) -> Subscription {
    let calls = Arc::clone(calls);
    L::subscribe(move |_: &E| {
        calls.fetch_add(1, Ordering::SeqCst);
    })
}

fn paths(subscribers: &[SubscriberInfo]) -> Vec<&'static str> {
    subscribers.iter().map(SubscriberInfo::path).collect()
}

fn path(name: &str) -> String {
    format!("{}::{name}", module_path!())
}

// ---- subscribers::<E>() ---------------------------------------------------------------------------------------

#[linker]
struct Orders;

#[event]
struct Placed;

static PLACED_ORDER: Mutex<Vec<String>> = Mutex::new(Vec::new());

fn ran(name: &str) {
    PLACED_ORDER.lock().unwrap().push(name.to_owned());
}

// Declared out of order on purpose: the listing and the dispatch follow priority, then path.
#[subscribe(Placed, linker = Orders, priority = -3)]
fn aaa_last() {
    ran("aaa_last");
}

#[subscribe(Placed, linker = Orders)]
fn beta() {
    ran("beta");
}

#[subscribe(Placed, linker = Orders, once)]
fn gamma_once() {
    ran("gamma_once");
}

#[subscribe(Placed, linker = Orders)]
async fn alpha_async() {
    ran("alpha_async");
}

#[subscribe(Placed, linker = Orders, priority = 5)]
fn zeta_first(_: &Placed) {
    ran("zeta_first");
}

#[test]
fn subscribers_are_listed_in_dispatch_order_with_their_details() {
    let first = Orders::subscribe(|_: &Placed| ran("runtime first"));
    let second = Orders::subscribe_async(|_: &Placed| async { ran("runtime second") });
    let third = Orders::once(|_: &Placed| ran("runtime once"));

    let listed = Orders::subscribers::<Placed>();
    // (path, kind, async, once, priority)
    let compile_time = |name: &str, is_async, once, priority| {
        (
            path(name),
            SubscriberKind::CompileTime,
            is_async,
            once,
            priority,
        )
    };
    let runtime = |sub: &Subscription, is_async, once| {
        (
            sub.info().path().to_owned(),
            SubscriberKind::Runtime,
            is_async,
            once,
            0,
        )
    };
    let expected = vec![
        compile_time("zeta_first", false, false, 5),
        compile_time("alpha_async", true, false, 0),
        compile_time("beta", false, false, 0),
        compile_time("gamma_once", false, true, 0),
        compile_time("aaa_last", false, false, -3),
        runtime(&first, false, false),
        runtime(&second, true, false),
        runtime(&third, false, true),
    ];
    let actual: Vec<_> = listed
        .iter()
        .map(|s| {
            (
                s.path().to_owned(),
                s.kind(),
                s.is_async(),
                s.is_once(),
                s.priority(),
            )
        })
        .collect();
    assert_eq!(actual, expected);
    assert!(listed.iter().all(|s| s.event() == "Placed"));
    assert!(listed.iter().all(|s| s.linker() == Orders::name()));
    assert!(listed.iter().all(|s| s.info().event() == "Placed"));
    assert_eq!(Orders::subscriber_count::<Placed>(), 8);

    // A runtime subscriber's path is its closure's type name.
    let closure = first.info().path();
    assert!(
        closure.starts_with(module_path!()) && closure.contains("{{closure}}"),
        "{closure}"
    );

    // Dispatch follows the listing.
    EventEmitter::with_linker::<Orders>(InlineProcessor).emit(Placed);
    assert_eq!(
        *PLACED_ORDER.lock().unwrap(),
        [
            "zeta_first",
            "alpha_async",
            "beta",
            "gamma_once",
            "aaa_last",
            "runtime first",
            "runtime second",
            "runtime once",
        ]
    );
    // The two `once` subscribers are spent.
    assert_eq!(Orders::subscriber_count::<Placed>(), 6);
    assert!(!paths(&Orders::subscribers::<Placed>()).contains(&path("gamma_once").as_str()));

    assert!(first.unsubscribe());
    assert!(second.unsubscribe());
    assert!(!third.unsubscribe());
}

#[test]
fn an_event_without_subscribers_has_none_listed() {
    assert!(Orders::subscribers::<Unheard>().is_empty());
    assert_eq!(Orders::subscriber_count::<Unheard>(), 0);
    assert!(!Orders::events().contains(&"Unheard"));
}

#[event]
struct Unheard;

// ---- events() -------------------------------------------------------------------------------------------------

#[linker]
struct Catalog;

#[event]
struct Book;

#[event]
struct Film;

#[event]
struct Song;

#[subscribe(Book, linker = Catalog)]
fn shelve_book() {}

#[test]
fn events_lists_the_events_with_subscribers_sorted() {
    assert_eq!(Catalog::events(), ["Book"]);

    let film = Catalog::subscribe(|_: &Film| {});
    assert_eq!(Catalog::events(), ["Book", "Film"]);

    // Subscribed, then unsubscribed: no longer listed.
    let song = Catalog::subscribe(|_: &Song| {});
    assert_eq!(Catalog::events(), ["Book", "Film", "Song"]);
    assert!(song.unsubscribe());
    assert_eq!(Catalog::events(), ["Book", "Film"]);

    // An all-events subscriber is listed as "...".
    let all = Catalog::subscribe_all(|_: &dyn AnyEvent| {});
    assert_eq!(Catalog::events(), ["...", "Book", "Film"]);

    // An event whose only compile-time handler is removed is not listed until restored.
    let book = Catalog::subscribers::<Book>();
    assert!(Catalog::remove(&book[0]));
    assert_eq!(Catalog::events(), ["...", "Film"]);
    assert_eq!(Catalog::restore::<Book>(), 1);
    assert_eq!(Catalog::events(), ["...", "Book", "Film"]);

    assert!(all.unsubscribe());
    assert!(film.unsubscribe());
    assert_eq!(Catalog::events(), ["Book"]);
}

// ---- remove(&info) ----------------------------------------------------------------------------------------------

#[linker]
struct Removal;

#[event]
struct Pinged;

#[test]
fn removing_a_runtime_subscriber_unsubscribes_it() {
    let calls = Arc::new(AtomicUsize::new(0));
    let sub = counting::<Removal, Pinged>(&calls);
    let kept = counting::<Removal, Pinged>(&calls);
    let listed = Removal::subscribers::<Pinged>();
    assert_eq!(listed.len(), 2);

    assert!(Removal::remove(&listed[0]));
    assert!(!sub.is_subscribed());
    assert_eq!(
        paths(&Removal::subscribers::<Pinged>()),
        [kept.info().path()]
    );
    EventEmitter::with_linker::<Removal>(InlineProcessor).emit(Pinged);
    assert_eq!(calls.load(Ordering::SeqCst), 1, "only `kept` ran");

    // Already gone.
    assert!(!Removal::remove(&listed[0]));
    assert!(!sub.unsubscribe());
    assert!(kept.unsubscribe());
}

#[linker]
struct Disabling;

#[event]
struct Knocked;

static KNOCKED_A: AtomicUsize = AtomicUsize::new(0);
static KNOCKED_B: AtomicUsize = AtomicUsize::new(0);

#[subscribe(Knocked, linker = Disabling)]
fn knocked_a() {
    KNOCKED_A.fetch_add(1, Ordering::SeqCst);
}

#[subscribe(Knocked, linker = Disabling)]
fn knocked_b() {
    KNOCKED_B.fetch_add(1, Ordering::SeqCst);
}

#[test]
fn removing_a_compile_time_handler_disables_it_until_restored() {
    let emitter = EventEmitter::with_linker::<Disabling>(InlineProcessor);
    let counts = || {
        (
            KNOCKED_A.load(Ordering::SeqCst),
            KNOCKED_B.load(Ordering::SeqCst),
        )
    };
    emitter.emit(Knocked);
    assert_eq!(counts(), (1, 1));

    let listed = Disabling::subscribers::<Knocked>();
    assert_eq!(listed[0].path(), path("knocked_a"));
    assert!(Disabling::remove(&listed[0]));
    assert_eq!(
        paths(&Disabling::subscribers::<Knocked>()),
        [path("knocked_b")]
    );
    assert_eq!(Disabling::subscriber_count::<Knocked>(), 1);
    emitter.emit(Knocked);
    assert_eq!(counts(), (1, 2), "a disabled handler does not run");

    assert!(!Disabling::remove(&listed[0]), "already disabled");

    assert_eq!(Disabling::restore::<Knocked>(), 1);
    assert_eq!(
        Disabling::restore::<Knocked>(),
        0,
        "nothing left to restore"
    );
    assert_eq!(Disabling::subscriber_count::<Knocked>(), 2);
    emitter.emit(Knocked);
    assert_eq!(counts(), (2, 3));
}

#[linker]
struct Mine;

#[linker]
struct Theirs;

#[event]
struct Claimed;

static CLAIMED_CALLS: AtomicUsize = AtomicUsize::new(0);

#[subscribe(Claimed, linker = Mine)]
fn claimed() {
    CLAIMED_CALLS.fetch_add(1, Ordering::SeqCst);
}

#[test]
fn removing_a_subscriber_of_another_linker_does_nothing() {
    let runtime_calls = Arc::new(AtomicUsize::new(0));
    let sub = counting::<Mine, Claimed>(&runtime_calls);
    let listed = Mine::subscribers::<Claimed>();
    assert_eq!(listed.len(), 2);
    for subscriber in &listed {
        assert!(!Theirs::remove(subscriber), "{subscriber:?}");
        assert!(!EventLinker::remove(subscriber), "{subscriber:?}");
    }
    assert_eq!(Mine::subscriber_count::<Claimed>(), 2);
    assert!(sub.is_subscribed());
    EventEmitter::with_linker::<Mine>(InlineProcessor).emit(Claimed);
    assert_eq!(CLAIMED_CALLS.load(Ordering::SeqCst), 1);
    assert_eq!(runtime_calls.load(Ordering::SeqCst), 1);
    assert!(sub.unsubscribe());
}

#[linker]
struct SpentOnce;

#[event]
struct Rang;

#[subscribe(Rang, linker = SpentOnce, once)]
fn rang_once() {}

#[test]
fn removing_a_spent_once_subscriber_returns_false() {
    let runtime = SpentOnce::once(|_: &Rang| {});
    let listed = SpentOnce::subscribers::<Rang>();
    assert_eq!(listed.len(), 2);
    EventEmitter::with_linker::<SpentOnce>(InlineProcessor).emit(Rang);
    for subscriber in &listed {
        assert!(!SpentOnce::remove(subscriber), "{subscriber:?}");
    }
    assert!(!runtime.unsubscribe());
}

#[linker]
struct DisabledOnce;

#[event]
struct Buzzed;

static BUZZED_CALLS: AtomicUsize = AtomicUsize::new(0);

#[subscribe(Buzzed, linker = DisabledOnce, once)]
fn buzzed_once() {
    BUZZED_CALLS.fetch_add(1, Ordering::SeqCst);
}

#[test]
fn a_once_handler_removed_before_it_ran_runs_once_after_restore() {
    let emitter = EventEmitter::with_linker::<DisabledOnce>(InlineProcessor);
    assert!(DisabledOnce::remove(
        &DisabledOnce::subscribers::<Buzzed>()[0]
    ));
    emitter.emit(Buzzed);
    assert_eq!(BUZZED_CALLS.load(Ordering::SeqCst), 0);
    assert_eq!(DisabledOnce::restore::<Buzzed>(), 1);
    emitter.emit(Buzzed);
    emitter.emit(Buzzed);
    assert_eq!(BUZZED_CALLS.load(Ordering::SeqCst), 1);
}

// ---- remove_event::<E>() --------------------------------------------------------------------------------------

#[linker]
struct Events;

#[event]
struct Cleared;

#[event]
struct Untouched;

static CLEARED_CALLS: AtomicUsize = AtomicUsize::new(0);
static UNTOUCHED_CALLS: AtomicUsize = AtomicUsize::new(0);

#[subscribe(Cleared, linker = Events)]
fn cleared_one() {
    CLEARED_CALLS.fetch_add(1, Ordering::SeqCst);
}

#[subscribe(Cleared, linker = Events)]
async fn cleared_two() {
    CLEARED_CALLS.fetch_add(1, Ordering::SeqCst);
}

#[subscribe(Untouched, linker = Events)]
fn untouched() {
    UNTOUCHED_CALLS.fetch_add(1, Ordering::SeqCst);
}

#[test]
fn remove_event_removes_every_subscriber_of_that_event_only() {
    let runtime_calls = Arc::new(AtomicUsize::new(0));
    let first = counting::<Events, Cleared>(&runtime_calls);
    let second = counting::<Events, Cleared>(&runtime_calls);
    let other = counting::<Events, Untouched>(&runtime_calls);
    let all_calls = Arc::new(AtomicUsize::new(0));
    let all = Events::subscribe_all({
        let all_calls = Arc::clone(&all_calls);
        move |_: &dyn AnyEvent| {
            all_calls.fetch_add(1, Ordering::SeqCst);
        }
    });

    assert_eq!(Events::remove_event::<Cleared>(), 4);
    assert!(Events::subscribers::<Cleared>().is_empty());
    assert!(!first.is_subscribed() && !second.is_subscribed());
    assert_eq!(Events::subscriber_count::<Untouched>(), 2);
    assert_eq!(Events::all_events_subscribers().len(), 1);
    assert_eq!(Events::events(), ["...", "Untouched"]);
    assert_eq!(Events::remove_event::<Cleared>(), 0, "nothing left");

    let emitter = EventEmitter::with_linker::<Events>(InlineProcessor);
    emitter.emit(Cleared);
    assert_eq!(CLEARED_CALLS.load(Ordering::SeqCst), 0);
    assert_eq!(runtime_calls.load(Ordering::SeqCst), 0);
    assert_eq!(
        all_calls.load(Ordering::SeqCst),
        1,
        "the all-events one stays"
    );
    emitter.emit(Untouched);
    assert_eq!(UNTOUCHED_CALLS.load(Ordering::SeqCst), 1);
    assert_eq!(runtime_calls.load(Ordering::SeqCst), 1);

    // Restore brings the compile-time handlers back; runtime subscriptions are gone for good.
    assert_eq!(Events::restore::<Cleared>(), 2);
    emitter.emit(Cleared);
    assert_eq!(CLEARED_CALLS.load(Ordering::SeqCst), 2);
    assert_eq!(runtime_calls.load(Ordering::SeqCst), 1);
    assert!(!first.unsubscribe());
    assert!(!second.unsubscribe());
    assert!(other.unsubscribe());
    assert!(all.unsubscribe());
}

#[linker]
struct SpentRestore;

#[event]
struct Chimed;

#[subscribe(Chimed, linker = SpentRestore, once)]
fn chimed_once() {}

#[subscribe(Chimed, linker = SpentRestore)]
fn chimed_always() {}

#[test]
fn restore_counts_only_the_handlers_it_brings_back() {
    EventEmitter::with_linker::<SpentRestore>(InlineProcessor).emit(Chimed);
    assert_eq!(
        SpentRestore::subscriber_count::<Chimed>(),
        1,
        "the once is spent"
    );
    // The spent `once` handler is not a subscriber any more: only `chimed_always` is removed...
    assert_eq!(SpentRestore::remove_event::<Chimed>(), 1);
    // ...and only it comes back.
    assert_eq!(SpentRestore::subscriber_count::<Chimed>(), 0);
    let restored = SpentRestore::restore::<Chimed>();
    assert_eq!(SpentRestore::subscriber_count::<Chimed>(), 1);
    assert_eq!(
        restored, 1,
        "restore reported {restored} re-enabled handlers, but only `chimed_always` is back"
    );
}

// ---- remove_all() -------------------------------------------------------------------------------------------

#[linker]
struct Everything;

#[event]
struct First;

#[event]
struct Second;

static EVERYTHING_CALLS: AtomicUsize = AtomicUsize::new(0);

#[subscribe(First, Second, linker = Everything)]
fn everything_both() {
    EVERYTHING_CALLS.fetch_add(1, Ordering::SeqCst);
}

#[subscribe(First, linker = Everything)]
fn everything_first() {
    EVERYTHING_CALLS.fetch_add(1, Ordering::SeqCst);
}

#[test]
fn remove_all_removes_every_subscriber_of_the_linker() {
    let calls = Arc::new(AtomicUsize::new(0));
    let runtime = counting::<Everything, Second>(&calls);
    let once = Everything::once({
        let calls = Arc::clone(&calls);
        move |_: &First| {
            calls.fetch_add(1, Ordering::SeqCst);
        }
    });
    let all = Everything::subscribe_all({
        let calls = Arc::clone(&calls);
        move |_: &dyn AnyEvent| {
            calls.fetch_add(1, Ordering::SeqCst);
        }
    });
    assert_eq!(Everything::events(), ["...", "First", "Second"]);
    // Not touched: the same events on another linker.
    let elsewhere = counting::<EventLinker, First>(&calls);

    // First: 2 compile-time + 1 once; Second: 1 compile-time + 1 runtime; 1 all-events.
    assert_eq!(Everything::remove_all(), 6);
    assert!(Everything::events().is_empty());
    assert!(Everything::subscribers::<First>().is_empty());
    assert!(Everything::subscribers::<Second>().is_empty());
    assert!(Everything::all_events_subscribers().is_empty());
    assert!(!runtime.is_subscribed() && !once.is_subscribed() && !all.is_subscribed());
    assert_eq!(Everything::remove_all(), 0, "nothing left");

    let emitter = EventEmitter::with_linker::<Everything>(InlineProcessor);
    emitter.emit(First);
    emitter.emit(Second);
    assert_eq!(EVERYTHING_CALLS.load(Ordering::SeqCst), 0);
    assert_eq!(calls.load(Ordering::SeqCst), 0);

    assert!(elsewhere.is_subscribed());
    EventEmitter::new(InlineProcessor).emit(First);
    assert_eq!(calls.load(Ordering::SeqCst), 1);
    assert!(elsewhere.unsubscribe());

    // Compile-time handlers come back per event.
    assert_eq!(Everything::restore::<First>(), 2);
    emitter.emit(First);
    emitter.emit(Second);
    assert_eq!(EVERYTHING_CALLS.load(Ordering::SeqCst), 2);
    assert_eq!(Everything::restore::<Second>(), 1);
}

// ---- all-events subscribers ------------------------------------------------------------------------------------

#[linker]
struct Watching;

#[event]
struct Watched;

#[test]
fn removing_an_all_events_subscriber_unsubscribes_it() {
    let calls = Arc::new(AtomicUsize::new(0));
    let all = Watching::subscribe_all({
        let calls = Arc::clone(&calls);
        move |_: &dyn AnyEvent| {
            calls.fetch_add(1, Ordering::SeqCst);
        }
    });
    let listed = Watching::all_events_subscribers();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].kind(), SubscriberKind::AllEvents);
    assert!(
        !EventLinker::remove(&listed[0]),
        "another linker's subscriber"
    );
    assert!(Watching::remove(&listed[0]));
    assert!(!all.is_subscribed());
    assert!(Watching::all_events_subscribers().is_empty());
    EventEmitter::with_linker::<Watching>(InlineProcessor).emit(Watched);
    assert_eq!(calls.load(Ordering::SeqCst), 0);
    assert!(!Watching::remove(&listed[0]));
}

// ---- restore_all() ----------------------------------------------------------------------------------------

#[linker]
struct Restorable;

#[event]
struct Morning;

#[event]
struct Evening;

static MORNINGS: AtomicUsize = AtomicUsize::new(0);

#[subscribe(Morning, linker = Restorable)]
fn wake() {
    MORNINGS.fetch_add(1, Ordering::SeqCst);
}

#[subscribe(Evening, linker = Restorable)]
fn rest() {}

#[subscribe(Morning, Evening, linker = Restorable)]
fn log_day() {}

#[test]
fn restore_all_brings_back_every_compile_time_handler_that_remove_all_took() {
    let runtime = Restorable::subscribe(|_: &Morning| {});
    // Three compile-time handler slots (wake, rest, log_day for two events) and one closure.
    assert_eq!(Restorable::remove_all(), 5);
    assert!(Restorable::events().is_empty());
    assert!(!runtime.is_subscribed());
    let emitter = EventEmitter::with_linker::<Restorable>(InlineProcessor);
    emitter.emit(Morning);
    assert_eq!(MORNINGS.load(Ordering::SeqCst), 0);

    assert_eq!(Restorable::restore_all(), 4);
    assert_eq!(Restorable::events(), ["Evening", "Morning"]);
    assert_eq!(Restorable::subscriber_count::<Morning>(), 2);
    emitter.emit(Morning);
    assert_eq!(MORNINGS.load(Ordering::SeqCst), 1);
    // Nothing left to restore; the runtime closure stays gone.
    assert_eq!(Restorable::restore_all(), 0);
    assert_eq!(Restorable::subscriber_count::<Morning>(), 2);
}
