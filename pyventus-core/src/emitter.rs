//! The event emitter: dispatches events of any type to the handlers of one linker through one processor.

use std::any::{TypeId, type_name};
use std::fmt;
use std::marker::PhantomData;
use std::panic::{RefUnwindSafe, UnwindSafe};
use std::sync::Arc;

use crate::context::MissingStates;
use crate::debug::global_debug;
use crate::dispatch::Emission;
use crate::event::Event;
use crate::handle::{debug_lines, processor_name};
use crate::lend::{Bare, EmitScope, ErasedProcessor, Lend, Shared, States};
use crate::linker::{EventLinker, Linker};
use crate::processor::{EmitError, Processor, erase, handle_of_type};

/// Dispatches events to the handlers of the linker `L`, executed by the processor `P`.
///
/// Emitters are cheap: a processor, a debug flag, a type, and what its handlers' extractors read (the
/// states given with [`with_state`](EventEmitter::with_state), and the processor's handle for
/// [`EmitterHandle`](crate::EmitterHandle)s), made once with the emitter behind one `Arc`; an
/// `EventEmitter::new(InlineProcessor)` allocates nothing. Several emitters may share the same linker
/// with different processors, and a function generic over `P` works with any of them (Pyventus's runtime
/// flexibility).
///
/// Finding the handlers of an event costs no hashing, no type map, no string comparison and, when the
/// event has no runtime subscription, no lock: the handlers are reached through a static of the event's
/// type, resolved on its first emit.
///
/// # Examples
///
/// ```
/// use pyventus::prelude::*;
///
/// #[event]
/// #[derive(Debug, Clone)]
/// struct MyEvent(String);
///
/// #[subscribe(MyEvent)]
/// fn greet(e: &MyEvent) {
///     println!("{}", e.0);
/// }
///
/// let emitter = EventEmitter::new(InlineProcessor);
/// emitter.emit(MyEvent("Hello, World!".into()));
/// ```
pub struct EventEmitter<P, L = EventLinker> {
    processor: P,
    debug: Option<bool>,
    context: Context,
    linker: PhantomData<fn() -> L>,
}

/// What an emitter lends its handlers' extractors (see `context.rs`): its shared part, made by
/// `with_state` and `debug`, or with the emitter when its processor's handle is an instance (tokio,
/// executor); else what one is made of (a constant, for the inline processor and processors without a
/// handle).
///
/// Never changed in place (a new value replaces the old), and reached only through pointers it holds,
/// so that an emitter holds no interior mutability of its own: the optimizer may then keep what it read
/// of the emitter across the calls of an emit.
struct Context(Lend);

// Moved out and released out of line, by value: dropped in place, the emitter's address would reach
// `Arc`'s out-of-line drop, after which the optimizer could no longer keep what it read of the emitter
// (its debug setting) across the calls of an emit.
impl Drop for Context {
    #[inline]
    fn drop(&mut self) {
        if let Lend::Shared(shared) = std::mem::replace(&mut self.0, Lend::None) {
            release(shared);
        }
    }
}

#[inline(never)]
fn release(shared: Arc<Shared>) {
    drop(shared);
}

impl Clone for Context {
    fn clone(&self) -> Self {
        Context(self.0.clone())
    }
}

// Nothing here is changed in place, so a panic cannot leave it half-written: an emitter stays
// unwind-safe whatever its processor's handle is.
impl UnwindSafe for Context {}
impl RefUnwindSafe for Context {}

impl<P: Processor> EventEmitter<P> {
    /// An emitter on the default linker, [`EventLinker`].
    pub fn new(processor: P) -> Self {
        EventEmitter {
            context: Self::first_context(&processor),
            processor,
            debug: None,
            linker: PhantomData,
        }
    }

    /// An emitter on the linker `L`.
    ///
    /// # Examples
    ///
    /// ```
    /// use pyventus::prelude::*;
    ///
    /// #[linker]
    /// struct CustomEventLinker;
    ///
    /// let emitter = EventEmitter::with_linker::<CustomEventLinker>(InlineProcessor);
    /// ```
    pub fn with_linker<L: Linker>(processor: P) -> EventEmitter<P, L> {
        EventEmitter {
            context: EventEmitter::<P, L>::first_context(&processor),
            processor,
            debug: None,
            linker: PhantomData,
        }
    }
}

impl<P: Processor, L: Linker> EventEmitter<P, L> {
    /// Turns debug mode on or off for this emitter, whatever the global switch says.
    ///
    /// In debug mode each emit, each submitted handler, and each handler's outcome and duration are
    /// logged through `tracing` at debug level with the target `pyventus`.
    ///
    /// # Examples
    ///
    /// ```
    /// use pyventus::prelude::*;
    ///
    /// let emitter = EventEmitter::new(InlineProcessor).debug(true);
    /// assert!(emitter.is_debug());
    /// ```
    #[must_use]
    pub fn debug(mut self, enabled: bool) -> Self {
        self.debug = Some(enabled);
        // A shared part of its own (made once, here): debug mode then reports each event's handlers
        // lacking state once per emitter.
        let states = self.states().clone();
        self.context = self.context_with(states);
        self
    }

    /// Gives the emitter a value of type `T`, which handlers called through it take as
    /// [`State<T>`](crate::State) (each call gets its own clone), on every processor.
    ///
    /// Call it once per type; several types may be given, and giving a type again replaces its value.
    /// A handler that takes a `State<T>` this emitter was not given is not called: the call fails like
    /// a handler fault, with a message naming the handler, the type and this fix.
    /// [`check_states`](EventEmitter::check_states) finds such handlers up front.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::sync::Arc;
    /// use std::sync::atomic::{AtomicUsize, Ordering};
    /// use pyventus::prelude::*;
    /// use pyventus::State;
    ///
    /// #[derive(Clone, Default)]
    /// struct Counter(Arc<AtomicUsize>);
    ///
    /// #[event]
    /// struct Tick;
    ///
    /// #[subscribe(Tick)]
    /// fn count(_: &Tick, State(counter): State<Counter>) {
    ///     counter.0.fetch_add(1, Ordering::Relaxed);
    /// }
    ///
    /// // Two emitters, two states: a test gets its own.
    /// let (first, second) = (Counter::default(), Counter::default());
    /// EventEmitter::new(InlineProcessor).with_state(first.clone()).emit(Tick);
    /// let emitter = EventEmitter::new(InlineProcessor).with_state(second.clone());
    /// emitter.emit(Tick);
    /// emitter.emit(Tick);
    /// assert_eq!(first.0.load(Ordering::Relaxed), 1);
    /// assert_eq!(second.0.load(Ordering::Relaxed), 2);
    /// ```
    #[must_use]
    pub fn with_state<T: Clone + Send + Sync + 'static>(mut self, value: T) -> Self {
        self.context = self.context_with(self.states().with(value));
        self
    }

    /// Checks that this emitter has every state the `#[subscribe]` handlers of its linker take: `Err`
    /// lists each handler whose [`State<T>`](crate::State) (or other extractor's state, see
    /// [`FromContext::required_states`](crate::FromContext::required_states)) it lacks.
    ///
    /// Call it once at start-up (or in a test) to find a missing `with_state` before any event is
    /// emitted.
    ///
    /// # Examples
    ///
    /// ```
    /// use pyventus::prelude::*;
    /// use pyventus::State;
    ///
    /// #[derive(Clone)]
    /// struct Mailer;
    ///
    /// #[linker]
    /// struct Mail;
    ///
    /// #[event]
    /// struct SignedUp;
    ///
    /// #[subscribe(SignedUp, linker = Mail)]
    /// fn welcome(State(_mailer): State<Mailer>) {}
    ///
    /// let missing = EventEmitter::with_linker::<Mail>(InlineProcessor).check_states().unwrap_err();
    /// assert!(missing.to_string().contains("Mailer"));
    /// assert!(EventEmitter::with_linker::<Mail>(InlineProcessor).with_state(Mailer).check_states().is_ok());
    /// ```
    pub fn check_states(&self) -> Result<(), MissingStates> {
        MissingStates::check(crate::registry::lacking_states(L::__meta(), self.states()))
    }

    /// Whether this emitter logs in debug mode: its own setting, or else the global switch
    /// ([`set_debug`](crate::set_debug), `PYVENTUS_DEBUG`).
    pub fn is_debug(&self) -> bool {
        self.debug.unwrap_or_else(global_debug)
    }

    /// The emitter's processor.
    pub fn processor(&self) -> &P {
        &self.processor
    }

    /// The emitter's processor, by value.
    pub fn into_processor(self) -> P {
        self.processor
    }

    /// Dispatches `event` to its handlers on the linker `L`.
    ///
    /// When `emit` returns depends on the processor: after every handler ran (inline), at once (tokio,
    /// executor). An event without handlers is not an error. Handler faults never reach the caller: each
    /// goes to the handler's `on_failure` callback, else to its linker's default `on_failure`, else to
    /// the default report (through `tracing` when a subscriber is installed, on stderr otherwise).
    ///
    /// A processor that refuses work still gets the emit: an
    /// [`ExecutorProcessor`](crate::processors::ExecutorProcessor) that is shut down runs the handlers
    /// on the calling thread, with a warning, so that nothing is lost.
    /// [`try_emit`](EventEmitter::try_emit) returns the refusal instead.
    #[inline(always)]
    pub fn emit<E: Event>(&self, event: E) {
        // Debug mode is decided first, and its emit is out of line: the usual emit is compiled knowing
        // that it is off.
        if self.is_debug() {
            return self.emit_debug(event);
        }
        self.processor.dispatch_scoped(
            Emission::new(event, E::__registry().slot(L::__meta()), false),
            self.scope(),
        );
    }

    /// [`emit`](EventEmitter::emit) in debug mode.
    #[inline(never)]
    fn emit_debug<E: Event>(&self, event: E) {
        self.processor
            .dispatch_scoped(self.debug_emission(event), self.scope());
    }

    /// [`emit`](EventEmitter::emit), unless the processor refuses new work (it is shut down): then no
    /// handler runs and the event comes back in the error.
    ///
    /// # Examples
    ///
    /// ```
    /// use pyventus::prelude::*;
    /// use pyventus::EmitError;
    ///
    /// #[event]
    /// struct Job(u32);
    ///
    /// let emitter = EventEmitter::new(ExecutorProcessor::new(1));
    /// assert!(emitter.try_emit(Job(1)).is_ok());
    /// emitter.processor().shutdown();
    /// let refused = emitter.try_emit(Job(2)).unwrap_err();
    /// assert!(matches!(refused, EmitError::ShutDown(Job(2))));
    /// ```
    pub fn try_emit<E: Event>(&self, event: E) -> Result<(), EmitError<E>> {
        let emission = self.emission(event).owning(self.scope());
        self.processor.try_dispatch(emission)
    }

    /// The emission of `event`, with the debug lines of its start.
    fn emission<E: Event>(&self, event: E) -> Emission<E> {
        if self.is_debug() {
            return self.debug_emission(event);
        }
        Emission::new(event, E::__registry().slot(L::__meta()), false)
    }

    /// [`emission`](EventEmitter::emission) in debug mode: the lines that say what the emit found.
    fn debug_emission<E: Event>(&self, event: E) -> Emission<E> {
        let slot = E::__registry().slot(L::__meta());
        let first = match &self.context.0 {
            Lend::Shared(shared) => Some(shared.first_check(TypeId::of::<E>())),
            _ => None,
        };
        debug_lines::<E>(
            slot,
            L::__meta(),
            &processor_name::<P>(),
            self.states(),
            first,
        );
        Emission::new(event, slot, true)
    }

    /// The values given with `with_state`.
    fn states(&self) -> &States {
        self.scope().states()
    }

    /// A shared part holding `states`, with this emitter's processor handle (the one it holds, else a
    /// new one), linker and debug setting.
    fn context_with(&self, states: States) -> Context {
        let handle = match &self.context.0 {
            Lend::Shared(shared) => shared.processor.clone(),
            Lend::Bare(_) | Lend::None => erase(self.processor.handle()),
        };
        Self::shared_part(states, handle, self.debug)
    }

    /// A shared part of an emitter of this type.
    fn shared_part(
        states: States,
        handle: Option<ErasedProcessor>,
        debug: Option<bool>,
    ) -> Context {
        Context(Lend::Shared(Shared::new(
            states,
            handle,
            type_name::<P>(),
            L::__meta(),
            debug,
        )))
    }

    /// What this emitter lends an emission for its handlers' extractors: a pointer to what it holds.
    #[inline(always)]
    fn scope(&self) -> EmitScope<'_> {
        EmitScope(&self.context.0)
    }

    /// What a new emitter lends: its constant when the processor's handle is made from its type (the
    /// inline processor: no allocation) or when the processor gives none; else a shared part holding the
    /// processor's handle, made here once (so that the calls of handlers with extractors queued on it
    /// share it instead of each making one).
    fn first_context(processor: &P) -> Context {
        if P::handle_is_of_type() {
            return Context(Lend::Bare(Self::BARE));
        }
        match erase(processor.handle()) {
            Some(handle) => Self::shared_part(States::default(), Some(handle), None),
            None => Context(Lend::Bare(Self::BARE)),
        }
    }

    /// What an emitter of this type given no state (and no debug setting of its own) lends.
    const BARE: &'static Bare = &Bare {
        linker: L::__meta,
        debug: None,
        processor_name: type_name::<P>,
        handle: handle_of_type::<P>,
    };
}

impl<P: Clone, L> Clone for EventEmitter<P, L> {
    fn clone(&self) -> Self {
        EventEmitter {
            processor: self.processor.clone(),
            debug: self.debug,
            context: self.context.clone(),
            linker: PhantomData,
        }
    }
}

impl<P: fmt::Debug, L: Linker> fmt::Debug for EventEmitter<P, L> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EventEmitter")
            .field("processor", &self.processor)
            .field("linker", &L::name())
            .field("debug", &self.debug)
            .field("states", &EmitScope(&self.context.0).states().names())
            .finish()
    }
}
