//! [`EmitterHandle`]: the extractor that emits follow-up events through the emitter a handler runs
//! under, and the debug lines of an emit (shared by emitters and handles).

use std::any::type_name;
use std::fmt;
use std::sync::Arc;

use crate::context::{CallContext, FromContext, Rejection};
use crate::debug::global_debug;
use crate::dispatch::Emission;
use crate::event::Event;
use crate::lend::{EmitScope, Lend, Shared, States};
use crate::meta::LinkerMeta;
use crate::processor::Processor;
use crate::registry::Slot;
use crate::report;

/// A handle to the emitter a handler runs under: same processor, linker, states and debug setting.
/// An extractor: a handler takes it as a parameter.
///
/// A handler emits follow-up events through it. On a
/// [`TokioProcessor`](crate::processors::TokioProcessor) they are tasks of the same processor, so
/// [`wait_for_tasks`](crate::processors::TokioProcessor::wait_for_tasks) waits for them too; an
/// emitter made inside the handler (`EventEmitter::new(TokioProcessor::new())`) would escape that wait.
///
/// Its emits go through [`Processor::submit`], one [`Task`](crate::Task) per call (on the inline
/// processor, run before `emit` returns). The processor must give a handle
/// ([`Processor::handle`]); the built-in ones do.
///
/// # Examples
///
/// ```
/// use std::sync::atomic::{AtomicUsize, Ordering};
/// use pyventus::prelude::*;
/// use pyventus::EmitterHandle;
///
/// #[event]
/// struct OrderPlaced(u32);
///
/// #[event]
/// struct ReceiptSent(u32);
///
/// static RECEIPTS: AtomicUsize = AtomicUsize::new(0);
///
/// #[subscribe(OrderPlaced)]
/// async fn place(e: &OrderPlaced, emitter: EmitterHandle) {
///     emitter.emit(ReceiptSent(e.0));
/// }
///
/// #[subscribe(ReceiptSent)]
/// async fn count(_: &ReceiptSent) {
///     RECEIPTS.fetch_add(1, Ordering::Relaxed);
/// }
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let emitter = EventEmitter::new(TokioProcessor::new());
/// emitter.emit(OrderPlaced(7));
/// emitter.processor().wait_for_tasks().await; // waits for `count` too
/// assert_eq!(RECEIPTS.load(Ordering::Relaxed), 1);
/// # }
/// ```
#[derive(Clone)]
pub struct EmitterHandle {
    shared: Arc<Shared>,
    processor: Arc<dyn Processor + Send + Sync>,
}

impl EmitterHandle {
    /// Dispatches `event` to its handlers on the emitter's linker, through the emitter's processor:
    /// [`EventEmitter::emit`](crate::EventEmitter::emit), from inside a handler.
    pub fn emit<E: Event>(&self, event: E) {
        let shared = &self.shared;
        let debug = shared.debug.unwrap_or_else(global_debug);
        let slot = E::__registry().slot(shared.linker);
        if debug {
            let first = shared.first_check(std::any::TypeId::of::<E>());
            let processor = short_type_name(shared.processor_name);
            debug_lines::<E>(slot, shared.linker, &processor, &shared.states, Some(first));
        }
        let lend = Lend::Shared(Arc::clone(shared));
        let emission = Emission::new(event, slot, debug).owning(EmitScope(&lend));
        for task in emission.into_tasks() {
            self.processor.submit(task);
        }
    }

    /// The name of the emitter's linker.
    pub fn linker(&self) -> &'static str {
        self.shared.linker.name()
    }

    /// Whether the emitter logs in debug mode.
    pub fn is_debug(&self) -> bool {
        self.shared.debug.unwrap_or_else(global_debug)
    }
}

impl FromContext for EmitterHandle {
    fn from_context(cx: &CallContext<'_>) -> Result<Self, Rejection> {
        let Some(shared) = cx.scope().shared() else {
            return Err(Rejection::new(format!(
                "handler `{}` takes an `EmitterHandle`, but it was called without an emitter",
                cx.info().path
            )));
        };
        let processor = shared
            .processor
            .as_ref()
            .and_then(|processor| processor.downcast_ref::<Arc<dyn Processor + Send + Sync>>())
            .cloned();
        match processor {
            Some(processor) => Ok(EmitterHandle { shared, processor }),
            None => Err(Rejection::new(format!(
                "handler `{}` takes an `EmitterHandle`, but its processor `{}` gives none: \
                 implement `Processor::handle` for it (`Some(Arc::new(self.clone()))`)",
                cx.info().path,
                short_type_name(shared.processor_name)
            ))),
        }
    }
}

impl fmt::Debug for EmitterHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EmitterHandle")
            .field("processor", &short_type_name(self.shared.processor_name))
            .field("linker", &self.linker())
            .field("states", &self.shared.states.names())
            .finish()
    }
}

/// Debug mode: the lines that say what an emit found. `first_of_event` says whether this is the
/// emitter's first emit of `E`, when the handlers whose states it lacks are listed (`None` for an
/// emitter given no state: on the first debug-mode emit of `E` in the program).
pub(crate) fn debug_lines<E: Event>(
    slot: Option<&'static Slot<E>>,
    linker: &'static LinkerMeta,
    processor: &str,
    states: &States,
    first_of_event: Option<bool>,
) {
    report::emit(E::NAME, E::PATH, linker.name(), processor);
    let Some(slot) = slot else {
        report::no_handlers(E::NAME, E::PATH, linker.name());
        return;
    };
    let listed = slot.list_handlers_once();
    if first_of_event.unwrap_or(listed) {
        slot.report_lacking_states(states);
    }
    if slot.len() == 0 {
        report::no_handlers(E::NAME, E::PATH, linker.name());
    }
}

/// The processor type's name, short (`TokioProcessor`), for messages.
pub(crate) fn processor_name<P>() -> String {
    short_type_name(type_name::<P>())
}

/// A type's name without module paths: `pyventus_core::processors::tokio::TokioProcessor` becomes
/// `TokioProcessor`, `alloc::sync::Arc<my::Processor>` becomes `Arc<Processor>`.
pub(crate) fn short_type_name(full: &'static str) -> String {
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
