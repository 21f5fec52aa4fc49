//! Subscription handles and guards: dropping a plain `Subscription` keeps the handler subscribed (as in
//! Pyventus, the subscription belongs to the linker); `sub.into_guard()` unsubscribes when the guard is
//! dropped, also while unwinding; `guard.into_subscription()` keeps the handler after all.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use pyventus::AnyEvent;
use pyventus::prelude::*;

/// A runtime subscriber of `E` on `EventLinker` that counts its calls.
fn counting<E: Event>(calls: &Arc<AtomicUsize>) -> Subscription {
    let calls = Arc::clone(calls);
    EventLinker::subscribe(move |_: &E| {
        calls.fetch_add(1, Ordering::SeqCst);
    })
}

#[event]
struct Scoped;

#[test]
fn a_guard_unsubscribes_when_dropped() {
    let calls = Arc::new(AtomicUsize::new(0));
    let emitter = EventEmitter::new(InlineProcessor);
    {
        let guard = counting::<Scoped>(&calls).into_guard();
        assert_eq!(guard.info().event(), "Scoped");
        assert_eq!(guard.info().linker(), EventLinker::name());
        assert_eq!(EventLinker::subscriber_count::<Scoped>(), 1);
        emitter.emit(Scoped);
    }
    assert_eq!(EventLinker::subscriber_count::<Scoped>(), 0);
    emitter.emit(Scoped);
    assert_eq!(calls.load(Ordering::SeqCst), 1);
}

#[event]
struct Kept;

#[test]
fn into_subscription_keeps_the_handler_subscribed() {
    let calls = Arc::new(AtomicUsize::new(0));
    let guard = counting::<Kept>(&calls).into_guard();
    let path = guard.info().path();
    let sub = guard.into_subscription();
    assert!(sub.is_subscribed());
    assert_eq!(sub.info().path(), path);

    EventEmitter::new(InlineProcessor).emit(Kept);
    assert_eq!(calls.load(Ordering::SeqCst), 1);
    assert!(sub.unsubscribe());
}

#[event]
struct Dropped;

#[test]
fn dropping_a_plain_subscription_does_not_unsubscribe() {
    let calls = Arc::new(AtomicUsize::new(0));
    {
        let _handle = counting::<Dropped>(&calls);
    } // the handle is dropped here
    assert_eq!(EventLinker::subscriber_count::<Dropped>(), 1);

    let emitter = EventEmitter::new(InlineProcessor);
    emitter.emit(Dropped);
    emitter.emit(Dropped);
    assert_eq!(calls.load(Ordering::SeqCst), 2);

    // Without its handle, the subscriber is still reachable through the linker.
    assert_eq!(EventLinker::remove_event::<Dropped>(), 1);
    emitter.emit(Dropped);
    assert_eq!(calls.load(Ordering::SeqCst), 2);
}

#[event]
struct Unwound;

#[test]
fn a_guard_unsubscribes_while_unwinding() {
    let calls = Arc::new(AtomicUsize::new(0));
    let result = catch_unwind(AssertUnwindSafe(|| {
        let _guard = counting::<Unwound>(&calls).into_guard();
        panic!("leaving the scope by a panic");
    }));
    assert!(result.is_err());
    assert_eq!(EventLinker::subscriber_count::<Unwound>(), 0);
    EventEmitter::new(InlineProcessor).emit(Unwound);
    assert_eq!(calls.load(Ordering::SeqCst), 0);
}

#[event]
struct AlreadyGone;

#[test]
fn dropping_a_guard_whose_subscriber_was_already_removed_is_harmless() {
    let calls = Arc::new(AtomicUsize::new(0));
    let guard = counting::<AlreadyGone>(&calls).into_guard();
    let other = counting::<AlreadyGone>(&calls);
    let listed = EventLinker::subscribers::<AlreadyGone>();
    assert!(EventLinker::remove(&listed[0]));
    drop(guard);
    // The other subscriber is untouched.
    assert!(other.is_subscribed());
    EventEmitter::new(InlineProcessor).emit(AlreadyGone);
    assert_eq!(calls.load(Ordering::SeqCst), 1);
    assert!(other.unsubscribe());
}

#[event]
struct Spent;

#[test]
fn a_guard_over_a_spent_once_drops_quietly() {
    let calls = Arc::new(AtomicUsize::new(0));
    let guard = EventLinker::once({
        let calls = Arc::clone(&calls);
        move |_: &Spent| {
            calls.fetch_add(1, Ordering::SeqCst);
        }
    })
    .into_guard();
    let emitter = EventEmitter::new(InlineProcessor);
    emitter.emit(Spent);
    drop(guard);
    emitter.emit(Spent);
    assert_eq!(calls.load(Ordering::SeqCst), 1);
    assert_eq!(EventLinker::subscriber_count::<Spent>(), 0);
}

#[linker]
struct Watched;

#[event]
struct Watch;

#[test]
fn guards_work_for_async_and_all_events_subscribers() {
    let calls = Arc::new(AtomicUsize::new(0));
    let emitter = EventEmitter::with_linker::<Watched>(InlineProcessor);
    {
        let _async_guard = Watched::subscribe_async({
            let calls = Arc::clone(&calls);
            move |_: &Watch| {
                let calls = Arc::clone(&calls);
                async move {
                    calls.fetch_add(1, Ordering::SeqCst);
                }
            }
        })
        .into_guard();
        let _all_guard = Watched::subscribe_all({
            let calls = Arc::clone(&calls);
            move |_: &dyn AnyEvent| {
                calls.fetch_add(1, Ordering::SeqCst);
            }
        })
        .into_guard();
        emitter.emit(Watch);
        assert_eq!(calls.load(Ordering::SeqCst), 2);
    }
    assert_eq!(Watched::subscriber_count::<Watch>(), 0);
    assert!(Watched::all_events_subscribers().is_empty());
    emitter.emit(Watch);
    assert_eq!(calls.load(Ordering::SeqCst), 2);
}

#[event]
struct Twice;

#[test]
fn guards_of_two_subscriptions_remove_only_their_own() {
    let kept_calls = Arc::new(AtomicUsize::new(0));
    let dropped_calls = Arc::new(AtomicUsize::new(0));
    let kept = counting::<Twice>(&kept_calls).into_guard();
    drop(counting::<Twice>(&dropped_calls).into_guard());
    assert_eq!(EventLinker::subscriber_count::<Twice>(), 1);
    EventEmitter::new(InlineProcessor).emit(Twice);
    assert_eq!(kept_calls.load(Ordering::SeqCst), 1);
    assert_eq!(dropped_calls.load(Ordering::SeqCst), 0);
    drop(kept);
    assert_eq!(EventLinker::subscriber_count::<Twice>(), 0);
}
