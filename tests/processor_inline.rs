//! The inline processor drives async handlers to completion wherever `emit` is called: outside any
//! runtime, inside a current-thread runtime and inside a multi-thread runtime (see `pyventus::block_on`).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use pyventus::prelude::*;

/// One event type per test, each with an async handler that awaits a tokio timer before counting.
macro_rules! async_counter {
    ($event:ident, $counter:ident, $handler:ident) => {
        #[event]
        struct $event;

        static $counter: AtomicUsize = AtomicUsize::new(0);

        #[subscribe($event)]
        async fn $handler(_: &$event) {
            tokio::time::sleep(Duration::from_millis(5)).await;
            $counter.fetch_add(1, Ordering::SeqCst);
        }
    };
}

async_counter!(OutsideRuntime, OUTSIDE, on_outside);
async_counter!(InCurrentThread, CURRENT_THREAD, on_current_thread);
async_counter!(InMultiThread, MULTI_THREAD, on_multi_thread);
async_counter!(OnExecutor, EXECUTOR, on_executor);

#[test]
fn outside_a_runtime_async_handlers_finish_before_emit_returns() {
    EventEmitter::new(InlineProcessor).emit(OutsideRuntime);
    assert_eq!(OUTSIDE.load(Ordering::SeqCst), 1);
}

#[tokio::test(flavor = "current_thread")]
async fn inside_a_current_thread_runtime_async_handlers_finish_before_emit_returns() {
    let emitter = EventEmitter::new(InlineProcessor);
    emitter.emit(InCurrentThread);
    assert_eq!(CURRENT_THREAD.load(Ordering::SeqCst), 1);
    // The runtime is still usable afterwards.
    tokio::time::sleep(Duration::from_millis(1)).await;
    emitter.emit(InCurrentThread);
    assert_eq!(CURRENT_THREAD.load(Ordering::SeqCst), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn inside_a_multi_thread_runtime_async_handlers_finish_before_emit_returns() {
    let emitter = EventEmitter::new(InlineProcessor);
    emitter.emit(InMultiThread);
    assert_eq!(MULTI_THREAD.load(Ordering::SeqCst), 1);
    emitter.emit(InMultiThread);
    assert_eq!(MULTI_THREAD.load(Ordering::SeqCst), 2);
}

#[test]
fn executor_threads_drive_async_handlers_that_await_tokio_timers() {
    let emitter = EventEmitter::new(ExecutorProcessor::new(2));
    for _ in 0..4 {
        emitter.emit(OnExecutor);
    }
    emitter.processor().shutdown();
    assert_eq!(EXECUTOR.load(Ordering::SeqCst), 4);
}

#[tokio::test(flavor = "current_thread")]
async fn block_on_works_inside_a_current_thread_runtime() {
    let value = pyventus::block_on(async {
        tokio::time::sleep(Duration::from_millis(1)).await;
        7
    });
    assert_eq!(value, 7);
}
