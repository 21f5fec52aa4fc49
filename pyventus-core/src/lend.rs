//! What an emitter lends its handlers' calls: the values given with `with_state` ([`States`]), the
//! emitter's shared part ([`Shared`]: those states, its processor's handle, its linker), and [`Lend`] /
//! [`EmitScope`], how an emitter, an emission or a task hands them to a call, one pointer at a time.
//!
//! The states are a copy-on-write list of `(type, value)` pairs: an emitter has few of them, so finding
//! one is a short scan comparing `TypeId`s (no hashing).

use std::any::{Any, TypeId, type_name};
use std::fmt;
use std::panic::{RefUnwindSafe, UnwindSafe};
use std::sync::{Arc, Mutex, PoisonError};

use crate::meta::LinkerMeta;

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

/// A state type, as [`FromContext::required_states`](crate::FromContext::required_states) lists it.
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

impl fmt::Debug for EmitScope<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("EmitScope")
            .field(&self.states().names())
            .finish()
    }
}
