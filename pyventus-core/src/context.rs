//! Extractors: what a handler may take besides its event, and the context of a call they come from.
//!
//! A `#[subscribe]` function takes its event first (or not at all), then any number of *extractors*:
//! parameters whose value is made for each call from the call's [`CallContext`] (the handler's identity
//! and the emitter it runs under). [`State<T>`] gives a clone of a value the emitter was given with
//! [`EventEmitter::with_state`](crate::EventEmitter::with_state), [`HandlerInfo`] says which handler
//! this is, and an [`EmitterHandle`](crate::EmitterHandle) emits follow-up events through the same
//! emitter. A user's own extractor implements [`FromContext`].
//!
//! The values come from what the emitter lends the call (`lend.rs`).

use std::any::type_name;
use std::fmt;

use crate::lend::{EmitScope, Lend, StateType, missing_message};
use crate::meta::HandlerInfo;

/// The context of one handler call: what extractors are made from.
///
/// A [`FromContext`] implementation reads the handler's identity ([`info`](CallContext::info)) and the
/// values its emitter was given ([`state`](CallContext::state)).
pub struct CallContext<'a> {
    info: &'a HandlerInfo,
    scope: EmitScope<'a>,
}

impl<'a> CallContext<'a> {
    pub(crate) fn new(info: &'a HandlerInfo, scope: EmitScope<'a>) -> Self {
        CallContext { info, scope }
    }

    /// Which handler is being called.
    pub fn info(&self) -> &'a HandlerInfo {
        self.info
    }

    /// The value of type `T` the emitter was given with
    /// [`with_state`](crate::EventEmitter::with_state), if it was given one.
    pub fn state<T: 'static>(&self) -> Option<&'a T> {
        self.scope.states().get::<T>()
    }

    pub(crate) fn scope(&self) -> EmitScope<'a> {
        self.scope
    }

    /// An owned copy, for code that outlives this borrow.
    #[doc(hidden)]
    pub fn to_owned(&self) -> OwnedContext {
        OwnedContext {
            info: *self.info,
            scope: self.scope.0.clone(),
        }
    }
}

impl fmt::Debug for CallContext<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CallContext")
            .field("handler", &self.info.path)
            .field("states", &self.scope.states().names())
            .finish()
    }
}

/// A [`CallContext`] that owns its parts: what an async handler's callbacks are called with.
#[doc(hidden)]
pub struct OwnedContext {
    info: HandlerInfo,
    scope: Lend,
}

impl fmt::Debug for OwnedContext {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.get().fmt(f)
    }
}

impl OwnedContext {
    /// The context, borrowed.
    pub fn get(&self) -> CallContext<'_> {
        CallContext::new(&self.info, EmitScope(&self.scope))
    }
}

/// A handler parameter made for each call from the call's [`CallContext`]: the analogue of axum's
/// `FromRequestParts`.
///
/// Built in: [`State<T>`], [`HandlerInfo`] and [`EmitterHandle`](crate::EmitterHandle). A handler may
/// take any number of extractors, in any order, after its event. When one cannot be made, the call does
/// not happen and fails like a handler fault: its `on_failure` callback receives
/// [`Failure::Panic`](crate::Failure::Panic) with the rejection's message, else the linker's default
/// `on_failure` does, else it is reported. The other handlers of the emit run.
///
/// # Examples
///
/// An extractor that reads a state and keeps the part the handler needs:
///
/// ```
/// use pyventus::prelude::*;
/// use pyventus::{CallContext, FromContext, Rejection, StateType};
///
/// #[derive(Clone)]
/// struct Config {
///     greeting: String,
/// }
///
/// struct Greeting(String);
///
/// impl FromContext for Greeting {
///     fn from_context(cx: &CallContext<'_>) -> Result<Self, Rejection> {
///         match cx.state::<Config>() {
///             Some(config) => Ok(Greeting(config.greeting.clone())),
///             None => Err(Rejection::missing_state::<Config>(cx.info())),
///         }
///     }
///
///     fn required_states(required: &mut Vec<StateType>) {
///         required.push(StateType::of::<Config>());
///     }
/// }
///
/// #[event]
/// struct Joined(&'static str);
///
/// #[subscribe(Joined)]
/// fn greet(e: &Joined, Greeting(greeting): Greeting) {
///     println!("{greeting}, {}!", e.0);
/// }
///
/// let config = Config { greeting: "Welcome".into() };
/// EventEmitter::new(InlineProcessor).with_state(config).emit(Joined("Ada")); // "Welcome, Ada!"
/// ```
#[diagnostic::on_unimplemented(
    message = "a handler cannot take `{Self}`: it is not an extractor",
    label = "not an extractor",
    note = "after its event (`e: &MyEvent`, first), a handler takes only extractors: `State<T>` (a value given with `EventEmitter::with_state`), `HandlerInfo`, `EmitterHandle`, or a type that implements `pyventus::FromContext`"
)]
pub trait FromContext: Sized {
    /// Makes the value for one call, or says why it cannot.
    fn from_context(cx: &CallContext<'_>) -> Result<Self, Rejection>;

    /// The state types this extractor reads: what
    /// [`EventEmitter::check_states`](crate::EventEmitter::check_states) and debug mode check an
    /// emitter against before any call is made. The default reads none.
    fn required_states(required: &mut Vec<StateType>) {
        let _ = required;
    }
}

/// Why an extractor could not be made: the call does not happen, and this message reaches
/// `on_failure` (as [`Failure::Panic`](crate::Failure::Panic)) or the report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejection {
    message: String,
}

impl Rejection {
    /// A rejection with this message.
    pub fn new(message: impl Into<String>) -> Self {
        Rejection {
            message: message.into(),
        }
    }

    /// The rejection of a handler that takes `State<T>` through an emitter given no `T`; its message
    /// names the handler, the type and the fix.
    pub fn missing_state<T>(info: &HandlerInfo) -> Self {
        Rejection::new(missing_state_message(info.path, type_name::<T>()))
    }

    /// What went wrong.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for Rejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Rejection {}

fn missing_state_message(handler: &str, state: &str) -> String {
    format!(
        "handler `{handler}` takes `State<{state}>`, but its emitter was given no `{state}`: \
         give it one with `EventEmitter::new(..).with_state(value)`"
    )
}

/// A value the emitter was given with [`EventEmitter::with_state`](crate::EventEmitter::with_state):
/// each call gets its own clone.
///
/// # Examples
///
/// ```
/// use std::sync::{Arc, Mutex};
/// use pyventus::prelude::*;
/// use pyventus::State;
///
/// #[derive(Clone, Default)]
/// struct Outbox(Arc<Mutex<Vec<String>>>);
///
/// #[event]
/// struct UserCreated(&'static str);
///
/// #[subscribe(UserCreated)]
/// fn welcome(e: &UserCreated, State(outbox): State<Outbox>) {
///     outbox.0.lock().unwrap().push(format!("welcome, {}", e.0));
/// }
///
/// let outbox = Outbox::default();
/// let emitter = EventEmitter::new(InlineProcessor).with_state(outbox.clone());
/// emitter.emit(UserCreated("ada"));
/// assert_eq!(*outbox.0.lock().unwrap(), ["welcome, ada"]);
/// ```
///
/// An emitter given no `Outbox` does not call `welcome`: the call fails like a handler fault, with a
/// message that names the handler, the type and the fix.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct State<T>(pub T);

impl<T: Clone + Send + Sync + 'static> FromContext for State<T> {
    #[inline]
    fn from_context(cx: &CallContext<'_>) -> Result<Self, Rejection> {
        match cx.state::<T>() {
            Some(value) => Ok(State(value.clone())),
            None => Err(Rejection::missing_state::<T>(cx.info())),
        }
    }

    fn required_states(required: &mut Vec<StateType>) {
        required.push(StateType::of::<T>());
    }
}

impl FromContext for HandlerInfo {
    #[inline]
    fn from_context(cx: &CallContext<'_>) -> Result<Self, Rejection> {
        Ok(*cx.info())
    }
}

/// The handlers an emitter cannot give every state they take: what
/// [`EventEmitter::check_states`](crate::EventEmitter::check_states) returns. Its `Display` form has one
/// line per handler, each naming the types and the fix.
#[derive(Clone)]
pub struct MissingStates {
    handlers: Vec<(&'static HandlerInfo, Vec<StateType>)>,
}

impl MissingStates {
    pub(crate) fn check(
        handlers: Vec<(&'static HandlerInfo, Vec<StateType>)>,
    ) -> Result<(), MissingStates> {
        if handlers.is_empty() {
            Ok(())
        } else {
            Err(MissingStates { handlers })
        }
    }

    /// Each handler lacking state, with the state types it lacks.
    pub fn handlers(&self) -> impl Iterator<Item = (&'static HandlerInfo, &[StateType])> + '_ {
        self.handlers
            .iter()
            .map(|(info, missing)| (*info, missing.as_slice()))
    }
}

impl fmt::Display for MissingStates {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (index, (info, missing)) in self.handlers.iter().enumerate() {
            if index > 0 {
                f.write_str("\n")?;
            }
            f.write_str(&missing_message(info.path, missing))?;
        }
        Ok(())
    }
}

impl fmt::Debug for MissingStates {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut list = f.debug_list();
        for (info, missing) in &self.handlers {
            list.entry(&(info.path, missing));
        }
        list.finish()
    }
}

impl std::error::Error for MissingStates {}
