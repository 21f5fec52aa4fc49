//! Thread safety of the public types, checked at compile time, and exercised: emitters shared between
//! threads.

use std::rc::Rc;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;

use pyventus::prelude::*;
use pyventus::{AnyEvent, Task, TaskFuture};

const fn assert_send<T: Send>() {}
const fn assert_sync<T: Sync>() {}
const fn assert_send_sync<T: Send + Sync>() {}

/// A linker that is itself neither `Send` nor `Sync`: emitters never hold one, so it must not matter.
#[linker]
#[allow(dead_code)]
struct UnsharedLinker(Rc<()>);

// Compile-time checks: this file does not build if any of them fails.
const _: () = {
    assert_send_sync::<InlineProcessor>();
    assert_send_sync::<TokioProcessor>();
    assert_send_sync::<ExecutorProcessor>();
    assert_send_sync::<EventEmitter<InlineProcessor>>();
    assert_send_sync::<EventEmitter<TokioProcessor>>();
    assert_send_sync::<EventEmitter<ExecutorProcessor>>();
    assert_send_sync::<EventEmitter<Arc<ExecutorProcessor>>>();
    assert_send_sync::<EventEmitter<InlineProcessor, UnsharedLinker>>();
    assert_send_sync::<EventEmitter<TokioProcessor, UnsharedLinker>>();
    assert_send_sync::<EventLinker>();
    assert_send_sync::<Subscription>();
    assert_send_sync::<&dyn AnyEvent>();
    assert_send::<Task>();
    assert_send::<TaskFuture>();
    assert_sync::<EventEmitter<ExecutorProcessor, UnsharedLinker>>();
};

#[event]
struct Shared(usize);

static SHARED_SUM: AtomicUsize = AtomicUsize::new(0);

#[subscribe(Shared)]
fn shared(e: &Shared) {
    SHARED_SUM.fetch_add(e.0, Ordering::SeqCst);
}

#[test]
fn emitters_can_be_shared_and_sent_between_threads() {
    let executor = EventEmitter::new(ExecutorProcessor::new(2));
    let inline = EventEmitter::new(InlineProcessor);
    thread::scope(|scope| {
        for _ in 0..4 {
            scope.spawn(|| {
                for _ in 0..25 {
                    executor.emit(Shared(1));
                    inline.emit(Shared(1));
                }
            });
        }
    });
    // Moved to another thread, the last handle shuts the pool down there.
    thread::spawn(move || drop(executor))
        .join()
        .expect("the executor drops cleanly on another thread");
    assert_eq!(SHARED_SUM.load(Ordering::SeqCst), 200);
}

#[test]
fn subscriptions_can_be_unsubscribed_from_another_thread() {
    #[event]
    struct Moved;
    static CALLS: AtomicUsize = AtomicUsize::new(0);
    let subscription = EventLinker::subscribe(|_: &Moved| {
        CALLS.fetch_add(1, Ordering::SeqCst);
    });
    EventEmitter::new(InlineProcessor).emit(Moved);
    let removed = thread::spawn(move || subscription.unsubscribe())
        .join()
        .expect("no panic");
    assert!(removed);
    EventEmitter::new(InlineProcessor).emit(Moved);
    assert_eq!(CALLS.load(Ordering::SeqCst), 1);
}
