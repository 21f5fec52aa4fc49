//! Processors: how the handler calls of an emit are executed.
//!
//! An [`EventEmitter`](crate::EventEmitter) finds the handlers of an event and hands them to its
//! processor as one [`Emission`]. What happens next is the processor's choice: the
//! [`InlineProcessor`](crate::processors::InlineProcessor) calls every handler in the caller before `emit`
//! returns; the [`TokioProcessor`](crate::processors::TokioProcessor) turns each call into a tokio task;
//! the [`ExecutorProcessor`](crate::processors::ExecutorProcessor) queues each on a thread pool.
//!
//! A custom processor implements one method, [`Processor::submit`], which receives each handler call as a
//! [`Task`]. The provided [`Processor::dispatch`] turns an emission into tasks (wrapping the event in one
//! `Arc` shared by them) and submits each; a processor that runs handlers in the caller overrides it with
//! [`Emission::run_inline`], which borrows the event and allocates nothing.

use std::fmt;
use std::sync::Arc;

use crate::dispatch::Emission;
use crate::event::Event;
use crate::lend::{EmitScope, ErasedProcessor};
use crate::task::Task;

/// Executes handler calls.
///
/// # Examples
///
/// The custom processor of the Pyventus page: run each handler in the caller, driving async ones to
/// completion.
///
/// ```
/// use pyventus::prelude::*;
/// use pyventus::Task;
///
/// #[derive(Debug)]
/// struct CustomProcessor;
///
/// impl Processor for CustomProcessor {
///     fn submit(&self, task: Task) {
///         if let Some(future) = task.run() {
///             pyventus::block_on(future);
///         }
///     }
/// }
///
/// #[event]
/// struct MyEvent(&'static str);
///
/// EventLinker::subscribe(|e: &MyEvent| println!("{}", e.0));
/// EventEmitter::new(CustomProcessor).emit(MyEvent("Hello, World!"));
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a processor",
    label = "not a processor",
    note = "use `InlineProcessor`, `TokioProcessor::new()` or `ExecutorProcessor::new(n)`, or implement `pyventus::Processor` for `{Self}`"
)]
pub trait Processor {
    /// Executes one handler call.
    ///
    /// The task reports its own faults; a processor that cannot run it (shut down, disconnected) must
    /// say so, not drop it silently.
    fn submit(&self, task: Task);

    /// Executes all handler calls of one emit. The default submits them one by one, in dispatch order.
    fn dispatch<E: Event>(&self, emission: Emission<E>)
    where
        Self: Sized,
    {
        for task in emission.into_tasks() {
            self.submit(task);
        }
    }

    /// Like [`dispatch`](Processor::dispatch), unless the processor refuses new work (it is shut down),
    /// in which case it runs nothing and hands the event back. What
    /// [`EventEmitter::try_emit`](crate::EventEmitter::try_emit) calls. The default never refuses.
    fn try_dispatch<E: Event>(&self, emission: Emission<E>) -> Result<(), EmitError<E>>
    where
        Self: Sized,
    {
        self.dispatch(emission);
        Ok(())
    }

    /// This processor, shared, for the [`EmitterHandle`](crate::EmitterHandle)s its handlers take:
    /// follow-up emits of a handler go through it (for the tokio processor, so that
    /// [`wait_for_tasks`](crate::processors::TokioProcessor::wait_for_tasks) waits for them too).
    ///
    /// The default is `None`: a handler of this processor's emitter that takes an `EmitterHandle`
    /// then fails (reported, like any handler fault) with a message saying to implement this method.
    /// A processor that is `Clone + Send + Sync + 'static` implements it as
    /// `Some(Arc::new(self.clone()))`.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::sync::Arc;
    /// use pyventus::prelude::*;
    /// use pyventus::Task;
    ///
    /// #[derive(Debug, Clone)]
    /// struct Blocking;
    ///
    /// impl Processor for Blocking {
    ///     fn submit(&self, task: Task) {
    ///         task.run_blocking();
    ///     }
    ///
    ///     fn handle(&self) -> Option<Arc<dyn Processor + Send + Sync>> {
    ///         Some(Arc::new(self.clone()))
    ///     }
    /// }
    /// ```
    fn handle(&self) -> Option<Arc<dyn Processor + Send + Sync>> {
        None
    }

    /// [`handle`](Processor::handle), for a processor that can give one without being borrowed (a
    /// stateless one, such as the inline processor). Not a public API.
    #[doc(hidden)]
    fn handle_of_type() -> Option<Arc<dyn Processor + Send + Sync>>
    where
        Self: Sized,
    {
        None
    }

    /// Whether [`handle_of_type`](Processor::handle_of_type) gives a handle (without making one). Not
    /// a public API.
    #[doc(hidden)]
    fn handle_is_of_type() -> bool
    where
        Self: Sized,
    {
        false
    }

    /// [`dispatch`](Processor::dispatch), with what the emitter lends for the handlers' extractors.
    /// The default gives the emission its own share of the emitter's context when some handler
    /// needs it, then dispatches it; the inline processor borrows it instead. Not a public API: called
    /// by `EventEmitter::emit`, and forwarded by wrappers.
    #[doc(hidden)]
    #[inline(always)]
    fn dispatch_scoped<E: Event>(&self, emission: Emission<E>, scope: EmitScope<'_>)
    where
        Self: Sized,
    {
        self.dispatch(emission.owning(scope));
    }
}

/// The handle of the processor type `P` ([`Processor::handle_of_type`]), as an emitter's shared part
/// holds it.
pub(crate) fn handle_of_type<P: Processor>() -> Option<ErasedProcessor> {
    erase(P::handle_of_type())
}

/// A processor's handle, as an emitter's shared part holds it.
pub(crate) fn erase(handle: Option<Arc<dyn Processor + Send + Sync>>) -> Option<ErasedProcessor> {
    let handle: ErasedProcessor = Arc::new(handle?);
    Some(handle)
}

/// `&P` and `Arc<P>` are the processor `P` itself: every method forwards to it.
macro_rules! forward_processor {
    ($($wrapper:ty),*) => { $(
        impl<P: Processor> Processor for $wrapper {
            fn submit(&self, task: Task) {
                (**self).submit(task);
            }

            fn dispatch<E: Event>(&self, emission: Emission<E>) {
                (**self).dispatch(emission);
            }

            fn try_dispatch<E: Event>(&self, emission: Emission<E>) -> Result<(), EmitError<E>> {
                (**self).try_dispatch(emission)
            }

            fn handle(&self) -> Option<Arc<dyn Processor + Send + Sync>> {
                (**self).handle()
            }

            fn handle_of_type() -> Option<Arc<dyn Processor + Send + Sync>> {
                P::handle_of_type()
            }

            fn handle_is_of_type() -> bool {
                P::handle_is_of_type()
            }

            #[inline(always)]
            fn dispatch_scoped<E: Event>(&self, emission: Emission<E>, scope: EmitScope<'_>) {
                (**self).dispatch_scoped(emission, scope);
            }
        }
    )* };
}

forward_processor!(&P, Arc<P>);

/// Why an emit was refused by [`EventEmitter::try_emit`](crate::EventEmitter::try_emit): nothing ran,
/// and the event comes back.
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum EmitError<E> {
    /// The processor is shut down (an [`ExecutorProcessor`](crate::processors::ExecutorProcessor) after
    /// [`shutdown`](crate::processors::ExecutorProcessor::shutdown)).
    ShutDown(E),
    /// The processor's buffer is full (a [`RedisProcessor`](https://docs.rs/pyventus/latest/pyventus/redis/struct.RedisProcessor.html)
    /// whose Redis is slow or gone): nothing was queued.
    Full(E),
}

impl<E> EmitError<E> {
    /// The event that was not emitted.
    pub fn into_event(self) -> E {
        match self {
            EmitError::ShutDown(event) | EmitError::Full(event) => event,
        }
    }
}

impl<E> fmt::Debug for EmitError<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EmitError::ShutDown(_) => f.write_str("ShutDown(..)"),
            EmitError::Full(_) => f.write_str("Full(..)"),
        }
    }
}

impl<E> fmt::Display for EmitError<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EmitError::ShutDown(_) => {
                f.write_str("the processor is shut down: the event was not emitted")
            }
            EmitError::Full(_) => f.write_str(
                "the processor's buffer is full: the event was not emitted (its handler calls were \
                 not queued); retry later, or give the processor a larger buffer",
            ),
        }
    }
}

impl<E> std::error::Error for EmitError<E> {}
