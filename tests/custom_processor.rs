//! Custom processors: a user `impl Processor` with only `submit` receives one `Task` per handler, which
//! says which handler it calls and with what event, and which the processor may run however it likes.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, PoisonError};
use std::thread;

use pyventus::prelude::*;
use pyventus::{Task, TaskFuture};

/// Keeps every task it is given, to run later.
#[derive(Debug, Default)]
struct Collecting {
    tasks: Mutex<Vec<Task>>,
}

impl Processor for Collecting {
    fn submit(&self, task: Task) {
        self.tasks
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(task);
    }
}

impl Collecting {
    fn take(&self) -> Vec<Task> {
        std::mem::take(&mut *self.tasks.lock().unwrap_or_else(PoisonError::into_inner))
    }
}

#[linker]
struct CustomEventLinker;

/// Which handler ran, and with what value.
#[event]
#[derive(Debug, PartialEq)]
struct Order(usize);

static ORDER_SYNC: AtomicUsize = AtomicUsize::new(0);
static ORDER_ASYNC: AtomicUsize = AtomicUsize::new(0);
static ORDER_CUSTOM_LINKER: AtomicUsize = AtomicUsize::new(0);

#[subscribe(Order)]
fn order_sync(e: &Order) {
    ORDER_SYNC.fetch_add(e.0, Ordering::SeqCst);
}

#[subscribe(Order)]
async fn order_async(e: &Order) {
    tokio::time::sleep(std::time::Duration::from_millis(2)).await;
    ORDER_ASYNC.fetch_add(e.0, Ordering::SeqCst);
}

#[subscribe(Order, linker = CustomEventLinker)]
fn order_on_custom_linker(e: &Order) {
    ORDER_CUSTOM_LINKER.fetch_add(e.0, Ordering::SeqCst);
}

#[test]
fn submit_receives_one_task_per_handler_describing_it() {
    static ORDER_CLOSURE: AtomicUsize = AtomicUsize::new(0);
    let subscription = EventLinker::subscribe(|e: &Order| {
        ORDER_CLOSURE.fetch_add(e.0, Ordering::SeqCst);
    });

    let emitter = EventEmitter::new(Collecting::default());
    emitter.emit(Order(3));
    let tasks = emitter.processor().take();

    // Compile-time handlers first, by path; then the runtime closure.
    let handlers: Vec<&str> = tasks.iter().map(Task::path).collect();
    assert_eq!(
        handlers[..2],
        [
            concat!(module_path!(), "::order_async"),
            concat!(module_path!(), "::order_sync"),
        ]
    );
    assert_eq!(tasks.len(), 3);
    assert_eq!(handlers[2], subscription.info().path());
    assert!(
        handlers[2].contains("submit_receives_one_task_per_handler_describing_it"),
        "a closure's handler name is its type name: {}",
        handlers[2]
    );
    assert_eq!(
        tasks.iter().map(Task::is_async).collect::<Vec<_>>(),
        [true, false, false]
    );
    for task in &tasks {
        assert_eq!(task.event().name(), "Order");
        assert!(task.event().is::<Order>());
        assert_eq!(task.event().downcast_ref::<Order>(), Some(&Order(3)));
        assert_eq!(task.linker(), "pyventus::EventLinker");
    }

    // Nothing ran yet: the processor holds the tasks.
    assert_eq!(ORDER_SYNC.load(Ordering::SeqCst), 0);
    assert_eq!(ORDER_ASYNC.load(Ordering::SeqCst), 0);
    assert_eq!(ORDER_CLOSURE.load(Ordering::SeqCst), 0);
    assert_eq!(ORDER_CUSTOM_LINKER.load(Ordering::SeqCst), 0);

    for task in tasks {
        task.run_blocking();
    }
    assert_eq!(ORDER_SYNC.load(Ordering::SeqCst), 3);
    assert_eq!(ORDER_ASYNC.load(Ordering::SeqCst), 3);
    assert_eq!(ORDER_CLOSURE.load(Ordering::SeqCst), 3);
    assert_eq!(ORDER_CUSTOM_LINKER.load(Ordering::SeqCst), 0);

    assert!(subscription.unsubscribe());

    // The custom linker's emitter hands over that linker's handler only.
    let custom = EventEmitter::with_linker::<CustomEventLinker>(Collecting::default());
    custom.emit(Order(5));
    let tasks = custom.processor().take();
    assert_eq!(tasks.len(), 1);
    assert_eq!(
        tasks[0].path(),
        concat!(module_path!(), "::order_on_custom_linker")
    );
    assert_eq!(tasks[0].linker(), CustomEventLinker::name());
    tasks.into_iter().for_each(Task::run_blocking);
    assert_eq!(ORDER_CUSTOM_LINKER.load(Ordering::SeqCst), 5);
}

/// Run by `run`: a sync handler at once, an async one through the future it hands back.
#[event]
struct RunEvent;

static RUN_SYNC: AtomicUsize = AtomicUsize::new(0);
static RUN_ASYNC: AtomicUsize = AtomicUsize::new(0);

#[subscribe(RunEvent)]
fn run_sync() {
    RUN_SYNC.fetch_add(1, Ordering::SeqCst);
}

#[subscribe(RunEvent)]
async fn run_async() {
    tokio::task::yield_now().await;
    RUN_ASYNC.fetch_add(1, Ordering::SeqCst);
}

#[test]
fn run_calls_a_sync_handler_now_and_returns_the_future_of_an_async_one() {
    let emitter = EventEmitter::new(Collecting::default());
    emitter.emit(RunEvent);
    let mut tasks = emitter.processor().take().into_iter();
    let asynchronous = tasks.next().expect("the async handler sorts first");
    let synchronous = tasks.next().expect("then the sync one");
    assert!(tasks.next().is_none());

    assert!(synchronous.run().is_none());
    assert_eq!(RUN_SYNC.load(Ordering::SeqCst), 1);

    let future: TaskFuture = asynchronous.run().expect("an async handler gives a future");
    assert_eq!(RUN_ASYNC.load(Ordering::SeqCst), 0, "not run before polled");
    pyventus::block_on(future);
    assert_eq!(RUN_ASYNC.load(Ordering::SeqCst), 1);
}

/// Run through `into_future`: nothing happens until the future is polled.
#[event]
struct FutureEvent(usize);

static FUTURE_SYNC: AtomicUsize = AtomicUsize::new(0);
static FUTURE_ASYNC: AtomicUsize = AtomicUsize::new(0);

#[subscribe(FutureEvent)]
fn future_sync(e: &FutureEvent) {
    FUTURE_SYNC.fetch_add(e.0, Ordering::SeqCst);
}

#[subscribe(FutureEvent)]
async fn future_async(e: &FutureEvent) {
    tokio::task::yield_now().await;
    FUTURE_ASYNC.fetch_add(e.0, Ordering::SeqCst);
}

#[test]
fn into_future_defers_sync_and_async_handlers_until_polled() {
    let emitter = EventEmitter::new(Collecting::default());
    emitter.emit(FutureEvent(4));
    let futures: Vec<TaskFuture> = emitter
        .processor()
        .take()
        .into_iter()
        .map(Task::into_future)
        .collect();
    assert_eq!(futures.len(), 2);
    assert_eq!(FUTURE_SYNC.load(Ordering::SeqCst), 0);
    assert_eq!(FUTURE_ASYNC.load(Ordering::SeqCst), 0);

    for future in futures {
        pyventus::block_on(future);
    }
    assert_eq!(FUTURE_SYNC.load(Ordering::SeqCst), 4);
    assert_eq!(FUTURE_ASYNC.load(Ordering::SeqCst), 4);
}

/// The Pyventus page's custom processor: call the handler, and run the coroutine if it returns one.
#[derive(Debug)]
struct CustomProcessingService;

impl Processor for CustomProcessingService {
    fn submit(&self, task: Task) {
        if let Some(future) = task.run() {
            pyventus::block_on(future);
        }
    }
}

#[event]
#[derive(Debug, Clone)]
struct MyEvent(String);

#[test]
fn the_pages_custom_processor_runs_every_handler_before_emit_returns() {
    static SEEN: Mutex<Vec<String>> = Mutex::new(Vec::new());
    let subscriptions = [
        EventLinker::subscribe(|e: &MyEvent| SEEN.lock().unwrap().push(format!("sync {}", e.0))),
        EventLinker::subscribe_async(|e: &MyEvent| {
            let text = format!("async {}", e.0);
            async move {
                tokio::task::yield_now().await;
                SEEN.lock().unwrap().push(text);
            }
        }),
    ];

    EventEmitter::new(CustomProcessingService).emit(MyEvent("Hello, World!".into()));
    assert_eq!(
        *SEEN.lock().unwrap(),
        ["sync Hello, World!", "async Hello, World!"]
    );

    for subscription in subscriptions {
        assert!(subscription.unsubscribe());
    }
}

/// Counts submits, running nothing.
#[derive(Debug, Default)]
struct CountingSubmits(AtomicUsize);

impl Processor for CountingSubmits {
    fn submit(&self, _task: Task) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

#[event]
struct Unheard;

#[test]
fn an_emit_without_handlers_submits_nothing() {
    let emitter = EventEmitter::new(CountingSubmits::default());
    emitter.emit(Unheard);
    assert_eq!(emitter.processor().0.load(Ordering::SeqCst), 0);

    let subscription = EventLinker::subscribe(|_: &Unheard| {});
    emitter.emit(Unheard);
    assert_eq!(emitter.processor().0.load(Ordering::SeqCst), 1);
    assert!(subscription.unsubscribe());

    emitter.emit(Unheard);
    assert_eq!(emitter.processor().0.load(Ordering::SeqCst), 1);
}

/// Hands each task to a thread of its own: tasks are `Send` and own their event.
#[derive(Debug, Default)]
struct ThreadPerTask {
    threads: Mutex<Vec<thread::JoinHandle<()>>>,
}

impl Processor for ThreadPerTask {
    fn submit(&self, task: Task) {
        let handle = thread::spawn(move || task.run_blocking());
        self.threads.lock().unwrap().push(handle);
    }
}

#[event]
struct Offloaded(Vec<usize>);

static OFFLOADED_SUM: AtomicUsize = AtomicUsize::new(0);
static OFFLOADED_ASYNC_SUM: AtomicUsize = AtomicUsize::new(0);

#[subscribe(Offloaded)]
fn offloaded_sum(e: &Offloaded) {
    OFFLOADED_SUM.fetch_add(e.0.iter().sum(), Ordering::SeqCst);
}

#[subscribe(Offloaded)]
async fn offloaded_async_sum(e: &Offloaded) {
    tokio::task::yield_now().await;
    OFFLOADED_ASYNC_SUM.fetch_add(e.0.iter().sum(), Ordering::SeqCst);
}

#[test]
fn tasks_can_run_on_other_threads_after_emit_returned() {
    let emitter = EventEmitter::new(ThreadPerTask::default());
    emitter.emit(Offloaded(vec![1, 2, 3]));
    for handle in std::mem::take(&mut *emitter.processor().threads.lock().unwrap()) {
        handle.join().expect("tasks do not panic");
    }
    assert_eq!(OFFLOADED_SUM.load(Ordering::SeqCst), 6);
    assert_eq!(OFFLOADED_ASYNC_SUM.load(Ordering::SeqCst), 6);
}

#[test]
fn processors_behind_references_and_arcs_are_processors() {
    static BORROWED: AtomicUsize = AtomicUsize::new(0);
    #[event]
    struct Shared;
    let subscription = EventLinker::subscribe(|_: &Shared| {
        BORROWED.fetch_add(1, Ordering::SeqCst);
    });

    let counting = CountingSubmits::default();
    EventEmitter::new(&counting).emit(Shared);
    let shared = std::sync::Arc::new(CustomProcessingService);
    EventEmitter::new(std::sync::Arc::clone(&shared)).emit(Shared);
    EventEmitter::new(&InlineProcessor).emit(Shared);

    assert_eq!(counting.0.load(Ordering::SeqCst), 1);
    assert_eq!(BORROWED.load(Ordering::SeqCst), 2);
    assert!(subscription.unsubscribe());
}

#[test]
#[allow(deprecated)]
fn the_old_name_of_task_path_still_works() {
    let custom = EventEmitter::with_linker::<CustomEventLinker>(Collecting::default());
    custom.emit(Order(0));
    let tasks = custom.processor().take();
    assert_eq!(tasks.len(), 1);
    assert_eq!(
        tasks[0].handler(),
        concat!(module_path!(), "::order_on_custom_linker")
    );
    assert_eq!(tasks[0].handler(), tasks[0].path());
    tasks.into_iter().for_each(Task::run_blocking);
}
