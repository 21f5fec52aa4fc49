//! Handler calls that cross a process boundary: what a worker in another process needs to run a handler
//! a message names.
//!
//! A processor that leaves the process sends, per handler call, the handler's stable id (its linker's
//! name and its path), the event's path and the event encoded by its [`Wire`](crate::wire::Wire). The
//! worker does not trust the producer's code: it resolves the id against its own build, through the
//! [`WireEvent`]s that `#[event(serde)]` registers with `inventory`, each of which lists the
//! compile-time handlers of its event ([`targets`]). Running a [`RemoteTarget`] decodes the payload and
//! calls the handler as an emitter would (its panic caught, its fault reported, its callbacks called),
//! and says how the call ended, which is what the worker acknowledges, retries or dead-letters on.
//!
//! Not a public API: `pyventus::redis` is built on it.

use std::any::Any;
use std::fmt;
use std::sync::Arc;

use crate::event::Event;
use crate::handler::{BoxFuture, Outcome};
use crate::invoke::HandlerRef;
use crate::lend::{EmitScope, Lend, Shared, StateType, States, missing};
use crate::meta::HandlerInfo;
use crate::processor::{Processor, erase};
use crate::registry::Registration;
use crate::task::{Alone, run_async, run_sync};

/// One `inventory` entry per `#[event(serde)]` type: how a worker finds the handlers of an event it
/// reads from another process. Not a public API.
#[doc(hidden)]
pub struct WireEvent {
    path: &'static str,
    targets: fn(&mut Vec<RemoteTarget>),
}

impl WireEvent {
    /// The entry of the event type `E`.
    pub const fn new<E: Event>() -> Self {
        WireEvent {
            path: E::PATH,
            targets: targets_of::<E>,
        }
    }
}

impl fmt::Debug for WireEvent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("WireEvent").field(&self.path).finish()
    }
}

inventory::collect!(WireEvent);

/// Every compile-time handler of every `#[event(serde)]` event of this build, on every linker.
pub fn targets() -> Vec<RemoteTarget> {
    let mut targets = Vec::new();
    for event in inventory::iter::<WireEvent> {
        (event.targets)(&mut targets);
    }
    targets
}

/// The compile-time handlers of `E`.
fn targets_of<E: Event>(targets: &mut Vec<RemoteTarget>) {
    for registration in inventory::iter::<Registration> {
        if let Some(handler) = registration.handler::<E>() {
            targets.push(RemoteTarget {
                info: &handler.info,
                event: E::PATH,
                handler,
                takes_context: handler.call.takes_context(),
                requires: handler.requires,
                call: call::<E>,
            });
        }
    }
}

/// How a [`RemoteTarget`] runs: decode, then call the handler.
type CallFn =
    fn(&'static (dyn Any + Send + Sync), &[u8], Lend, bool) -> Result<RemoteRun, DecodeError>;

/// One handler a worker can run: a compile-time handler of an `#[event(serde)]` event.
pub struct RemoteTarget {
    info: &'static HandlerInfo,
    event: &'static str,
    /// The `&'static Handler<E>`.
    handler: &'static (dyn Any + Send + Sync),
    takes_context: bool,
    requires: crate::lend::Requirements,
    call: CallFn,
}

impl RemoteTarget {
    /// The event's path (`Event::PATH`), as messages name it.
    pub fn event(&self) -> &'static str {
        self.event
    }

    /// The name of the handler's linker.
    pub fn linker(&self) -> &'static str {
        self.info.linker()
    }

    /// The handler's path.
    pub fn path(&self) -> &'static str {
        self.info.path
    }

    /// The handler's identity.
    pub fn info(&self) -> &'static HandlerInfo {
        self.info
    }

    /// Whether the handler reads its context (it takes extractors or has callbacks): only then is a
    /// [`RemoteScope`] worth making per call.
    pub fn takes_context(&self) -> bool {
        self.takes_context
    }

    /// The state types the handler's extractors read that `scope` lacks.
    pub fn missing_states(&self, scope: &RemoteScope) -> Vec<StateType> {
        missing(self.requires, &scope.states)
    }

    /// Decodes `payload` and calls the handler with it: a sync handler runs now ([`RemoteRun::Done`]),
    /// an async one is returned as a future. The handler's own faults are reported as an emitter
    /// reports them and come back as the [`Outcome`]; an undecodable payload is an error and calls
    /// nothing.
    pub fn run(
        &self,
        payload: &[u8],
        scope: Option<&RemoteScope>,
        debug: bool,
    ) -> Result<RemoteRun, DecodeError> {
        let lend = match scope {
            Some(scope) if self.takes_context => Lend::Shared(Shared::new(
                scope.states.clone(),
                scope.processor.clone(),
                scope.processor_name,
                self.info.linker_meta(),
                Some(debug),
            )),
            _ => Lend::None,
        };
        (self.call)(self.handler, payload, lend, debug)
    }
}

impl fmt::Debug for RemoteTarget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RemoteTarget")
            .field("event", &self.event)
            .field("linker", &self.linker())
            .field("path", &self.path())
            .finish()
    }
}

/// Decodes an event of type `E` and calls `handler`, a `Handler<E>`, with it.
fn call<E: Event>(
    handler: &'static (dyn Any + Send + Sync),
    payload: &[u8],
    lend: Lend,
    debug: bool,
) -> Result<RemoteRun, DecodeError> {
    let handler = handler
        .downcast_ref()
        .ok_or_else(|| DecodeError(format!("internal: not a handler of `{}`", E::PATH)))?;
    let wire = E::__WIRE.ok_or_else(|| {
        DecodeError(format!(
            "`{}` is not an `#[event(serde)]` in this build",
            E::PATH
        ))
    })?;
    let event = (wire.decode)(payload).map_err(|error| {
        DecodeError(format!("the payload is not a valid `{}`: {error}", E::PATH))
    })?;
    let handler = HandlerRef::Compiled(handler);
    let info = handler.reached().info();
    if let Some(outcome) = run_sync(handler.reached(), &event, &info, debug, EmitScope(&lend)) {
        return Ok(RemoteRun::Done(outcome));
    }
    Ok(RemoteRun::Running(Box::pin(run_async(
        Alone(event),
        handler,
        info,
        debug,
        lend,
    ))))
}

/// How a [`RemoteTarget::run`] went: finished, or an async handler's call to await.
pub enum RemoteRun {
    /// A sync handler ran.
    Done(Outcome),
    /// An async handler's call, which reports and returns its outcome when awaited.
    Running(BoxFuture<'static, Outcome>),
}

impl RemoteRun {
    /// Runs the call to its end.
    pub async fn finish(self) -> Outcome {
        match self {
            RemoteRun::Done(outcome) => outcome,
            RemoteRun::Running(future) => future.await,
        }
    }
}

impl fmt::Debug for RemoteRun {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RemoteRun::Done(outcome) => f.debug_tuple("Done").field(outcome).finish(),
            RemoteRun::Running(_) => f.write_str("Running(..)"),
        }
    }
}

/// Why a payload could not be turned into its event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodeError(String);

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for DecodeError {}

/// What a worker lends the handlers it runs, as an emitter lends its own: states (given with
/// [`with_state`](RemoteScope::with_state)) and the processor an [`EmitterHandle`](crate::EmitterHandle)
/// emits through.
#[derive(Clone)]
pub struct RemoteScope {
    states: States,
    processor: Option<crate::lend::ErasedProcessor>,
    processor_name: &'static str,
}

impl RemoteScope {
    /// A scope with no state and no processor; `name` is what reports call the worker.
    pub fn new(name: &'static str) -> Self {
        RemoteScope {
            states: States::default(),
            processor: None,
            processor_name: name,
        }
    }

    /// The same scope with a state value (a value of the same type is replaced).
    pub fn with_state<T: Clone + Send + Sync + 'static>(&self, value: T) -> Self {
        RemoteScope {
            states: self.states.with(value),
            ..self.clone()
        }
    }

    /// The same scope, whose handlers' follow-up emits go through `processor`.
    pub fn with_processor(&self, processor: Arc<dyn Processor + Send + Sync>) -> Self {
        RemoteScope {
            processor: erase(Some(processor)),
            ..self.clone()
        }
    }

    /// The names of its state types.
    pub fn state_names(&self) -> Vec<&'static str> {
        self.states.names()
    }
}

impl fmt::Debug for RemoteScope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RemoteScope")
            .field("states", &self.states.names())
            .field("processor", &self.processor.is_some())
            .finish()
    }
}

/// How serious a [`report`] line is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    /// Something was lost, refused or failed.
    Error,
    /// Something will fail.
    Warn,
    /// Something recovered.
    Info,
}

/// Reports one line the way the core reports handler faults: to `tracing` (target `pyventus`) when
/// a subscriber is installed, else on stderr, prefixed `[pyventus]`.
pub fn report(level: Level, message: fmt::Arguments<'_>) {
    match level {
        Level::Error => crate::report::report!(error {} "{}", message),
        Level::Warn => crate::report::report!(warn {} "{}", message),
        Level::Info => crate::report::report!(info {} "{}", message),
    }
}
