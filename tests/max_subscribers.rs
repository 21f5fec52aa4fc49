//! `#[linker(max_subscribers = N)]`: past the limit for an event, the `try_` forms return
//! `Err(SubscribeError::TooManySubscribers { .. })` and the plain forms panic with the same message (std's
//! `try_` convention). Compile-time handlers count toward the limit; an unsubscribe makes room again.
//! Pyventus raises `PyventusException` where the Rust port gives a typed error.

use std::panic::{UnwindSafe, catch_unwind};
use std::sync::Barrier;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;

use pyventus::prelude::*;
use pyventus::{AnyEvent, SubscribeError};

/// The message `subscribe` panicked with, or `None` if it did not panic.
fn panic_message_of<T>(subscribe: impl FnOnce() -> T + UnwindSafe) -> Option<String> {
    let payload = catch_unwind(subscribe).err()?;
    Some(pyventus::panic_message(&*payload))
}

/// Checks that `error` is the limit error for `event` on `L`, and that its message names all three.
fn assert_limit_error<L: Linker>(error: &SubscribeError, event: &str, max: usize) {
    let SubscribeError::TooManySubscribers {
        event: refused_event,
        linker: refused_linker,
        max: refused_max,
    } = error
    else {
        panic!("not a limit error: {error:?}");
    };
    assert_eq!(
        (*refused_event, *refused_linker, *refused_max),
        (event, L::name(), max)
    );
    let message = error.to_string();
    for part in [
        format!("`{event}`"),
        format!("`{}`", L::name()),
        max.to_string(),
    ] {
        assert!(message.contains(&part), "{message:?} should name {part}");
    }
}

// ---- try_ forms ---------------------------------------------------------------------------------------------

#[linker(max_subscribers = 2)]
struct Pair;

#[event]
struct Seat;

#[event]
struct Bench;

#[test]
fn try_subscribe_past_the_limit_returns_a_typed_error() {
    assert_eq!(Pair::max_subscribers(), Some(2));
    let calls = Arc::new(AtomicUsize::new(0));
    let counting = || {
        let calls = Arc::clone(&calls);
        move |_: &Seat| {
            calls.fetch_add(1, Ordering::SeqCst);
        }
    };
    let first = Pair::try_subscribe(counting()).expect("room for the first");
    let second = Pair::try_subscribe(counting()).expect("room for the second");

    let error = Pair::try_subscribe(counting()).expect_err("no room for a third");
    assert_limit_error::<Pair>(&error, "Seat", 2);
    let error = Pair::try_once(counting()).expect_err("no room for a third");
    assert_limit_error::<Pair>(&error, "Seat", 2);
    let error = Pair::try_subscribe_async(|_: &Seat| async {}).expect_err("no room for a third");
    assert_limit_error::<Pair>(&error, "Seat", 2);

    // The refused closures were not subscribed.
    assert_eq!(Pair::subscriber_count::<Seat>(), 2);
    EventEmitter::with_linker::<Pair>(InlineProcessor).emit(Seat);
    assert_eq!(calls.load(Ordering::SeqCst), 2);

    // The limit is per event, and per linker.
    let bench = Pair::try_subscribe(|_: &Bench| {}).expect("another event has room");
    let default = EventLinker::try_subscribe(counting()).expect("another linker has room");

    // After an unsubscribe there is room again.
    assert!(first.unsubscribe());
    let third = Pair::try_subscribe(counting()).expect("room after an unsubscribe");
    assert!(Pair::try_subscribe(counting()).is_err());

    for sub in [second, third, bench, default] {
        assert!(sub.unsubscribe());
    }
}

#[linker(max_subscribers = 1)]
struct Single;

#[event]
struct Ticket;

#[test]
fn try_once_past_the_limit_returns_a_typed_error_and_a_spent_once_makes_room() {
    let once = Single::try_once(|_: &Ticket| {}).expect("room for one");
    let error = Single::try_once(|_: &Ticket| {}).expect_err("no room for two");
    assert_limit_error::<Single>(&error, "Ticket", 1);
    assert!(Single::try_subscribe(|_: &Ticket| {}).is_err());

    EventEmitter::with_linker::<Single>(InlineProcessor).emit(Ticket);
    assert!(!once.is_subscribed(), "spent");
    let sub = Single::try_subscribe(|_: &Ticket| {}).expect("room once the once is spent");
    assert!(sub.unsubscribe());
}

#[linker(max_subscribers = 2)]
struct AllPair;

#[event]
struct Anything;

#[test]
fn try_subscribe_all_past_the_limit_returns_a_typed_error() {
    let first = AllPair::try_subscribe_all(|_: &dyn AnyEvent| {}).expect("room for one");
    let second = AllPair::try_subscribe_all(|_: &dyn AnyEvent| {}).expect("room for two");
    let error = AllPair::try_subscribe_all(|_: &dyn AnyEvent| {}).expect_err("no room for three");
    assert_limit_error::<AllPair>(&error, "...", 2);
    assert_eq!(AllPair::all_events_subscribers().len(), 2);

    // All-events subscribers are limited as a group of their own: an event still has room.
    let own = AllPair::try_subscribe(|_: &Anything| {}).expect("the event has room");

    assert!(first.unsubscribe());
    let third =
        AllPair::try_subscribe_all(|_: &dyn AnyEvent| {}).expect("room after an unsubscribe");
    for sub in [second, third, own] {
        assert!(sub.unsubscribe());
    }
}

// ---- plain forms panic with the same message ---------------------------------------------------------------

#[linker(max_subscribers = 1)]
struct Strict;

#[event]
struct Door;

#[test]
fn subscribing_past_the_limit_panics_with_the_error_message() {
    let taken = Strict::subscribe(|_: &Door| {});
    let expected = Strict::try_subscribe(|_: &Door| {})
        .expect_err("no room")
        .to_string();

    let attempts: [(&str, Option<String>); 4] = [
        (
            "subscribe",
            panic_message_of(|| Strict::subscribe(|_: &Door| {})),
        ),
        ("once", panic_message_of(|| Strict::once(|_: &Door| {}))),
        (
            "subscribe_async",
            panic_message_of(|| Strict::subscribe_async(|_: &Door| async {})),
        ),
        (
            "once_async",
            panic_message_of(|| Strict::once_async(|_: &Door| async {})),
        ),
    ];
    for (name, message) in attempts {
        assert_eq!(message.as_deref(), Some(expected.as_str()), "{name}");
    }
    assert_eq!(Strict::subscriber_count::<Door>(), 1);

    let all = Strict::subscribe_all(|_: &dyn AnyEvent| {});
    let expected_all = Strict::try_subscribe_all(|_: &dyn AnyEvent| {})
        .expect_err("no room")
        .to_string();
    assert_eq!(
        panic_message_of(|| Strict::subscribe_all(|_: &dyn AnyEvent| {})),
        Some(expected_all)
    );
    assert!(taken.unsubscribe());
    assert!(all.unsubscribe());
}

// ---- compile-time handlers count ------------------------------------------------------------------------------

#[linker(max_subscribers = 2)]
struct WithCompiled;

#[event]
struct Booked;

#[subscribe(Booked, linker = WithCompiled)]
fn booked() {}

#[test]
fn compile_time_handlers_count_toward_the_limit() {
    let runtime = WithCompiled::try_subscribe(|_: &Booked| {}).expect("one compile-time + one");
    let error = WithCompiled::try_subscribe(|_: &Booked| {}).expect_err("the limit is reached");
    assert_limit_error::<WithCompiled>(&error, "Booked", 2);
    assert_eq!(WithCompiled::subscriber_count::<Booked>(), 2);
    assert!(runtime.unsubscribe());
}

#[linker(max_subscribers = 1)]
struct CompiledFull;

#[event]
struct Parked;

#[subscribe(Parked, linker = CompiledFull)]
fn parked() {}

#[test]
fn a_removed_compile_time_handler_no_longer_counts() {
    assert!(CompiledFull::try_subscribe(|_: &Parked| {}).is_err());
    let compiled = CompiledFull::subscribers::<Parked>();
    assert!(CompiledFull::remove(&compiled[0]));
    let runtime = CompiledFull::try_subscribe(|_: &Parked| {}).expect("room once it is disabled");
    assert!(runtime.unsubscribe());
}

// ---- concurrent subscriptions ------------------------------------------------------------------------------------

#[linker(max_subscribers = 3)]
struct Crowded;

#[event]
struct Rush;

#[test]
fn concurrent_subscriptions_never_pass_the_limit() {
    const THREADS: usize = 8;
    let barrier = Barrier::new(THREADS);
    let accepted = Mutex::new(Vec::new());
    let refused = AtomicUsize::new(0);
    thread::scope(|scope| {
        for _ in 0..THREADS {
            scope.spawn(|| {
                barrier.wait();
                match Crowded::try_subscribe(|_: &Rush| {}) {
                    Ok(sub) => accepted.lock().unwrap().push(sub),
                    Err(error) => {
                        assert_limit_error::<Crowded>(&error, "Rush", 3);
                        refused.fetch_add(1, Ordering::SeqCst);
                    }
                }
            });
        }
    });
    let accepted = accepted.into_inner().unwrap();
    assert_eq!(accepted.len(), 3);
    assert_eq!(refused.load(Ordering::SeqCst), THREADS - 3);
    assert_eq!(Crowded::subscriber_count::<Rush>(), 3);
    for sub in accepted {
        assert!(sub.unsubscribe());
    }
}
