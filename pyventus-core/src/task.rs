//! Tasks: one handler call, owned, ready to run wherever a processor likes.

use std::fmt;
use std::sync::Arc;

use crate::event::{AnyEvent, Event};
use crate::handler::{BoxFuture, Outcome};
use crate::invoke::{HandlerRef, Reached};
use crate::lend::{EmitScope, Lend};
use crate::meta::HandlerInfo;
use crate::report::{self, Stopwatch};

/// The future of a [`Task`]: runs the handler call and reports its outcome.
pub type TaskFuture = BoxFuture<'static, ()>;

/// One handler call: a handler and the event it is called with.
///
/// A [`Processor`](crate::Processor) receives tasks through [`submit`](crate::Processor::submit) and runs
/// them where it likes: [`run`](Task::run) runs a sync handler at once and hands back the future of an
/// async one, [`run_blocking`](Task::run_blocking) drives either to completion on the calling thread, and
/// [`into_future`](Task::into_future) turns either into a future for an executor. However it is run, a
/// task reports its own faults (an `Err` or a panic, through `tracing`) and, in debug mode, its outcome
/// and duration; it never panics itself.
///
/// A task also says which handler it calls ([`path`](Task::path), a stable path) and gives its event
/// as [`&dyn AnyEvent`](AnyEvent), which is what a processor that sends work to another process needs.
///
/// # Examples
///
/// ```
/// use pyventus::prelude::*;
/// use pyventus::Task;
///
/// #[derive(Debug)]
/// struct Logged;
///
/// impl Processor for Logged {
///     fn submit(&self, task: Task) {
///         println!("running {} for {}", task.path(), task.event().name());
///         task.run_blocking();
///     }
/// }
/// ```
pub struct Task {
    call: Box<dyn ErasedCall>,
    debug: bool,
}

trait ErasedCall: Send {
    fn info(&self) -> HandlerInfo;
    fn event(&self) -> &dyn AnyEvent;
    fn is_async(&self) -> bool;
    fn start(self: Box<Self>, debug: bool) -> Option<TaskFuture>;
}

/// The event of one handler call taken from an emit: the emit's own, when this is its only call (no
/// `Arc`: one allocation per queued call, the call's), else shared with the emit's other calls.
pub(crate) enum CallEvent<E> {
    Alone(E),
    Shared(Arc<E>),
}

/// How a call holds its event: [`Alone`] or in an `Arc` shared by the calls of one emit.
pub(crate) trait HoldsEvent<E>: Send + 'static {
    fn event(&self) -> &E;
}

/// The event of an emit's only call, owned by the call.
pub(crate) struct Alone<E>(pub(crate) E);

impl<E: Event> HoldsEvent<E> for Alone<E> {
    #[inline]
    fn event(&self) -> &E {
        &self.0
    }
}

impl<E: Event> HoldsEvent<E> for Arc<E> {
    #[inline]
    fn event(&self) -> &E {
        self
    }
}

struct OwnedCall<E: Event, H> {
    event: H,
    handler: HandlerRef<E>,
    /// The emitter's shared part, for a handler that takes its context; else `None`.
    scope: Lend,
}

impl<E: Event, H: HoldsEvent<E>> ErasedCall for OwnedCall<E, H> {
    fn info(&self) -> HandlerInfo {
        self.handler.reached().info()
    }

    fn event(&self) -> &dyn AnyEvent {
        self.event.event()
    }

    fn is_async(&self) -> bool {
        self.handler.reached().is_async()
    }

    fn start(self: Box<Self>, debug: bool) -> Option<TaskFuture> {
        let handler = self.handler.reached();
        let info = handler.info();
        if !handler.is_async() {
            run_sync(
                handler,
                self.event.event(),
                &info,
                debug,
                EmitScope(&self.scope),
            );
            return None;
        }
        let OwnedCall {
            event,
            handler,
            scope,
        } = *self;
        Some(Box::pin(async move {
            run_async(event, handler, info, debug, scope).await;
        }))
    }
}

/// Runs one handler call to its end, sync or async, as one future: what a [`Task`] does, without the
/// boxes (the tokio processor spawns this directly).
#[cfg(feature = "tokio")]
pub(crate) async fn run_call<E: Event>(
    event: impl HoldsEvent<E>,
    handler: HandlerRef<E>,
    scope: Lend,
    debug: bool,
) {
    let reached = handler.reached();
    let info = reached.info();
    if reached.is_async() {
        run_async(event, handler, info, debug, scope).await;
    } else {
        run_sync(reached, event.event(), &info, debug, EmitScope(&scope));
    }
}

/// Runs a sync handler's call, timed in debug mode: `None` for an async handler, which it does not
/// call.
pub(crate) fn run_sync<E: Event>(
    handler: Reached<'_, E>,
    event: &E,
    info: &HandlerInfo,
    debug: bool,
    scope: EmitScope<'_>,
) -> Option<Outcome> {
    let stopwatch = Stopwatch::start(debug);
    let outcome = handler.call_sync(event, info, scope)?;
    stopwatch.finish(info, outcome);
    Some(outcome)
}

/// Awaits an async handler's call, timed in debug mode.
pub(crate) async fn run_async<E: Event>(
    event: impl HoldsEvent<E>,
    handler: HandlerRef<E>,
    info: HandlerInfo,
    debug: bool,
    scope: Lend,
) -> Outcome {
    let stopwatch = Stopwatch::start(debug);
    let started = handler
        .reached()
        .start(event.event(), &info, EmitScope(&scope));
    // Only the start reads the scope (an async handler's wrapper made its extractors by then).
    drop(scope);
    let outcome = started.finish(&info).await;
    stopwatch.finish(&info, outcome);
    outcome
}

impl Task {
    pub(crate) fn new<E: Event>(
        event: CallEvent<E>,
        handler: HandlerRef<E>,
        scope: Lend,
        debug: bool,
    ) -> Self {
        if debug {
            report::submitted(&handler.reached().info());
        }
        let call: Box<dyn ErasedCall> = match event {
            CallEvent::Alone(event) => Box::new(OwnedCall {
                event: Alone(event),
                handler,
                scope,
            }),
            CallEvent::Shared(event) => Box::new(OwnedCall {
                event,
                handler,
                scope,
            }),
        };
        Task { call, debug }
    }

    /// Which handler this task calls: its path, the event's name, the linker's name.
    pub fn info(&self) -> HandlerInfo {
        self.call.info()
    }

    /// The handler's path: `crate::module::function` for a `#[subscribe]` function, the closure's type
    /// name for a runtime subscription. Stable across runs of the same build.
    pub fn path(&self) -> &'static str {
        self.call.info().path
    }

    /// The handler's path; the old name of [`path`](Task::path).
    #[deprecated(
        since = "0.1.0",
        note = "renamed to `Task::path`, the name `HandlerInfo` and `SubscriberInfo` use"
    )]
    pub fn handler(&self) -> &'static str {
        self.path()
    }

    /// The name of the linker the handler is subscribed on.
    pub fn linker(&self) -> &'static str {
        self.call.info().linker()
    }

    /// The event the handler is called with.
    pub fn event(&self) -> &dyn AnyEvent {
        self.call.event()
    }

    /// Whether the handler is an `async fn` (or an async closure).
    pub fn is_async(&self) -> bool {
        self.call.is_async()
    }

    /// Runs a sync handler now and returns `None`; for an async handler, returns the future that runs it.
    ///
    /// This is the shape of Pyventus's `callback(*args)`: a plain call, or a coroutine to await.
    pub fn run(self) -> Option<TaskFuture> {
        self.call.start(self.debug)
    }

    /// Runs the handler to completion on the calling thread (async handlers through
    /// [`block_on`](crate::block_on)).
    pub fn run_blocking(self) {
        if let Some(future) = self.run() {
            crate::blocking::block_on(future);
        }
    }

    /// The whole call as a future, for an executor. A sync handler runs on the future's first poll.
    pub fn into_future(self) -> TaskFuture {
        if self.is_async() {
            // An async task's `run` only builds its future.
            self.run().unwrap_or_else(|| Box::pin(async {}))
        } else {
            Box::pin(async move {
                let _ = self.run();
            })
        }
    }
}

impl fmt::Debug for Task {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Task")
            .field("path", &self.path())
            .field("event", &self.event().name())
            .field("linker", &self.linker())
            .field("async", &self.is_async())
            .finish()
    }
}
