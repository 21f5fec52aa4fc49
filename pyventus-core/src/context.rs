//! Extractors: what a handler may take besides its event, and the context of a call they come from.
//!
//! A `#[subscribe]` function takes its event first (or not at all), then any number of *extractors*:
//! parameters whose value is made for each call from the call's [`CallContext`] (the handler's identity
//! and the emitter it runs under). [`State<T>`] gives a clone of a value the emitter was given with
//! [`EventEmitter::with_state`](crate::EventEmitter::with_state), [`HandlerInfo`] says which handler
//! this is, and an [`EmitterHandle`](crate::EmitterHandle) emits follow-up events through the same
//! emitter. A user's own extractor implements [`FromContext`].
//!
//! The values live in [`States`], a copy-on-write list of `(type, value)` pairs: an emitter has few of
//! them, so finding one is a short scan comparing `TypeId`s (no hashing).

use std::any::{Any, TypeId, type_name};
use std::fmt;
use std::panic::{RefUnwindSafe, UnwindSafe};
use std::sync::{Arc, Mutex, PoisonError};

use crate::meta::{HandlerInfo, LinkerMeta};

/// A processor as an emitter's shared part holds it: an `Arc<dyn Processor + Send + Sync>`, erased
/// here (this layer does not know processors) and downcast by `EmitterHandle`.
pub(crate) type ErasedProcessor = Arc<dyn Any + Send + Sync>;

/// The part of an emitter its handlers' calls share: its states, its processor (as
/// `Processor::handle` gives it), its linker and debug setting. Made by `with_state` and `debug` (once
/// per emitter and change); for an emitter given neither, made from its [`Bare`] constant when a call
/// needs one (an `EmitterHandle`, a call queued on another processor).
pub(crate) struct Shared {
    pub(crate) states: States,
    pub(crate) processor: Option<ErasedProcessor>,
    /// The processor's type name, for messages.
    pub(crate) processor_name: &'static str,
    pub(crate) linker: &'static LinkerMeta,
    pub(crate) debug: Option<bool>,
    /// Debug mode: the events whose handlers lacking state this emitter has reported.
    pub(crate) checked: Mutex<Vec<TypeId>>,
}

impl Shared {
    pub(crate) fn new(
        states: States,
        processor: Option<ErasedProcessor>,
        processor_name: &'static str,
        linker: &'static LinkerMeta,
        debug: Option<bool>,
    ) -> Arc<Self> {
        Arc::new(Shared {
            states,
            processor,
            processor_name,
            linker,
            debug,
            checked: Mutex::new(Vec::new()),
        })
    }

    /// Whether this is the first time `event` is checked for lacking states (debug mode).
    pub(crate) fn first_check(&self, event: TypeId) -> bool {
        let mut checked = self.checked.lock().unwrap_or_else(PoisonError::into_inner);
        if checked.contains(&event) {
            return false;
        }
        checked.push(event);
        true
    }
}

/// What an emitter given no state lends its calls when its processor has no handle of its own to keep
/// (the inline processor's is made from its type; a user's processor may give none): what a [`Shared`]
/// is made of when a call needs one (an `EmitterHandle`). A constant per processor and linker, so that
/// lending it is one pointer and a task's copy allocates nothing.
#[derive(Clone, Copy)]
pub(crate) struct Bare {
    pub(crate) linker: fn() -> &'static LinkerMeta,
    pub(crate) debug: Option<bool>,
    pub(crate) processor_name: fn() -> &'static str,
    /// The processor's handle, when the processor can give one without being borrowed (the inline
    /// processor can).
    pub(crate) handle: fn() -> Option<ErasedProcessor>,
}

impl Bare {
    /// A shared part made of this, with `processor`.
    pub(crate) fn build(&self, processor: Option<ErasedProcessor>) -> Arc<Shared> {
        Shared::new(
            States::default(),
            processor,
            (self.processor_name)(),
            (self.linker)(),
            self.debug,
        )
    }
}

/// What an emitter, an emission or a task lends its calls for their extractors: the emitter's shared
/// part, what one is made of (an emitter given no state), or nothing.
#[derive(Clone)]
pub(crate) enum Lend {
    None,
    Shared(Arc<Shared>),
    Bare(&'static Bare),
}

impl Lend {
    pub(crate) fn is_none(&self) -> bool {
        matches!(self, Lend::None)
    }

    /// What this lends, owned: a share of the emitter's shared part, or the same constant, or
    /// nothing. Never allocates.
    pub(crate) fn owned(&self) -> Lend {
        self.clone()
    }
}

static NO_LEND: Lend = Lend::None;
static NO_STATES: States = States(None);

/// Where the values of a call's extractors come from: a borrow of what an emitter, emission or task
/// lends (one pointer). Passed to [`Processor::dispatch_scoped`](crate::Processor::dispatch_scoped);
/// not a public API.
#[doc(hidden)]
#[derive(Clone, Copy)]
pub struct EmitScope<'a>(pub(crate) &'a Lend);

impl<'a> EmitScope<'a> {
    /// Nothing lent.
    #[inline]
    pub(crate) fn none() -> EmitScope<'static> {
        EmitScope(&NO_LEND)
    }

    pub(crate) fn is_none(&self) -> bool {
        self.0.is_none()
    }

    /// The values given with `with_state`.
    pub(crate) fn states(&self) -> &'a States {
        match self.0 {
            Lend::Shared(shared) => &shared.states,
            Lend::Bare(_) | Lend::None => &NO_STATES,
        }
    }

    /// The emitter's shared part, owned: a share of it, or for an emitter given no state, one made of
    /// its constant (an allocation: only an `EmitterHandle` asks for this).
    pub(crate) fn shared(&self) -> Option<Arc<Shared>> {
        match self.0 {
            Lend::Shared(shared) => Some(Arc::clone(shared)),
            Lend::Bare(bare) => Some(bare.build((bare.handle)())),
            Lend::None => None,
        }
    }
}

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
            scope: self.scope.0.owned(),
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

/// A state type, as [`FromContext::required_states`] lists it.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct StateType {
    id: TypeId,
    name: &'static str,
}

impl StateType {
    /// The state type `T`.
    pub fn of<T: 'static>() -> Self {
        StateType {
            id: TypeId::of::<T>(),
            name: type_name::<T>(),
        }
    }

    /// The type's name (`my_app::Mailer`).
    pub fn name(&self) -> &'static str {
        self.name
    }
}

impl fmt::Debug for StateType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name)
    }
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

/// The values an emitter was given, one per type: copy-on-write, so that cloning an emitter (or
/// handing its states to a task) shares them.
#[derive(Clone, Default)]
pub(crate) struct States(Option<Arc<[StateEntry]>>);

#[derive(Clone)]
struct StateEntry {
    ty: StateType,
    value: Arc<dyn Any + Send + Sync>,
}

// The values are never changed after `with_state` put them in (a new list is made instead), so a panic
// cannot leave them half-written: an emitter stays as unwind-safe as it was before it held states.
impl UnwindSafe for States {}
impl RefUnwindSafe for States {}

impl States {
    /// The states, with `value` added (or in place of the value of its type).
    pub(crate) fn with<T: Send + Sync + 'static>(&self, value: T) -> States {
        let ty = StateType::of::<T>();
        let entry = StateEntry {
            ty,
            value: Arc::new(value),
        };
        let mut entries: Vec<StateEntry> = self.entries().to_vec();
        match entries.iter_mut().find(|existing| existing.ty.id == ty.id) {
            Some(existing) => *existing = entry,
            None => entries.push(entry),
        }
        States(Some(entries.into()))
    }

    fn entries(&self) -> &[StateEntry] {
        self.0.as_deref().unwrap_or_default()
    }

    /// The value of type `T`: a scan of a few `TypeId`s, no hashing.
    #[inline]
    pub(crate) fn get<T: 'static>(&self) -> Option<&T> {
        let id = TypeId::of::<T>();
        self.entries()
            .iter()
            .find(|entry| entry.ty.id == id)
            .and_then(|entry| entry.value.downcast_ref())
    }

    pub(crate) fn contains(&self, ty: StateType) -> bool {
        self.entries().iter().any(|entry| entry.ty.id == ty.id)
    }

    /// The names of the types given, in the order they were first given.
    pub(crate) fn names(&self) -> Vec<&'static str> {
        self.entries().iter().map(|entry| entry.ty.name).collect()
    }
}

/// A handler's extractors' state types, as generated code lists them: one function per extractor.
pub(crate) type Requirements = &'static [fn(&mut Vec<StateType>)];

/// The state types a handler whose extractors are `requirements` needs and `states` lacks.
pub(crate) fn missing(requirements: Requirements, states: &States) -> Vec<StateType> {
    let mut required = Vec::new();
    for list in requirements {
        list(&mut required);
    }
    let mut missing: Vec<StateType> = Vec::new();
    for ty in required {
        if !states.contains(ty) && !missing.contains(&ty) {
            missing.push(ty);
        }
    }
    missing
}

/// The message of a handler that lacks states, for debug mode and `check_states`.
pub(crate) fn missing_message(handler: &str, missing: &[StateType]) -> String {
    let names: Vec<String> = missing.iter().map(|ty| format!("`{}`", ty.name)).collect();
    format!(
        "handler `{handler}` takes state its emitter lacks ({}): give it with \
         `EventEmitter::new(..).with_state(value)`",
        names.join(", ")
    )
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
