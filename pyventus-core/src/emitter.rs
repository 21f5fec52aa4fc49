//! The event emitter: dispatches events of any type to the handlers of one linker through one processor.

use std::any::type_name;
use std::fmt;
use std::marker::PhantomData;

use crate::debug::global_debug;
use crate::dispatch::Emission;
use crate::event::Event;
use crate::linker::{EventLinker, Linker};
use crate::processor::{EmitError, Processor};
use crate::report;

/// Dispatches events to the handlers of the linker `L`, executed by the processor `P`.
///
/// Emitters are cheap: a processor, a debug flag and a type. Several emitters may share the same linker
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
    linker: PhantomData<fn() -> L>,
}

impl<P: Processor> EventEmitter<P> {
    /// An emitter on the default linker, [`EventLinker`].
    pub fn new(processor: P) -> Self {
        EventEmitter {
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
        self
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
        self.processor.dispatch(Emission::new(
            event,
            E::__registry().slot(L::__meta()),
            false,
        ));
    }

    /// [`emit`](EventEmitter::emit) in debug mode.
    #[inline(never)]
    fn emit_debug<E: Event>(&self, event: E) {
        self.processor.dispatch(self.debug_emission(event));
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
        self.processor.try_dispatch(self.emission(event))
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
        let emission = Emission::new(event, slot, true);
        report::emit(
            E::NAME,
            E::PATH,
            L::name(),
            &short_type_name(type_name::<P>()),
        );
        if let Some(slot) = slot {
            slot.list_handlers_once();
        }
        if emission.handler_count() == 0 {
            report::no_handlers(E::NAME, E::PATH, L::name());
        }
        emission
    }
}

impl<P: Clone, L> Clone for EventEmitter<P, L> {
    fn clone(&self) -> Self {
        EventEmitter {
            processor: self.processor.clone(),
            debug: self.debug,
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
            .finish()
    }
}

/// A type's name without module paths: `pyventus_core::processors::tokio::TokioProcessor` becomes
/// `TokioProcessor`, `alloc::sync::Arc<my::Processor>` becomes `Arc<Processor>`.
fn short_type_name(full: &'static str) -> String {
    let mut short = String::with_capacity(full.len());
    let mut segment_start = 0;
    for (index, character) in full.char_indices() {
        if character.is_alphanumeric() || character == '_' || character == ':' {
            continue;
        }
        short.push_str(last_segment(&full[segment_start..index]));
        short.push(character);
        segment_start = index + character.len_utf8();
    }
    short.push_str(last_segment(&full[segment_start..]));
    short
}

fn last_segment(path: &str) -> &str {
    path.rsplit("::").next().unwrap_or(path)
}

#[cfg(test)]
mod tests {
    use super::short_type_name;

    #[test]
    fn short_type_names_drop_module_paths() {
        assert_eq!(
            short_type_name("pyventus_core::processors::tokio::TokioProcessor"),
            "TokioProcessor"
        );
        assert_eq!(
            short_type_name("alloc::sync::Arc<my_app::Custom>"),
            "Arc<Custom>"
        );
        assert_eq!(short_type_name("&a::B"), "&B");
        assert_eq!(short_type_name("(a::B, c::D)"), "(B, D)");
    }
}
