//! The runtime of `pyventus`: events, linkers, emitters and processors.
//!
//! Use it through the `pyventus` crate, which re-exports everything here together with the attribute
//! macros. The model is described there; this page is for reading the code.
//!
//! # Module map
//!
//! Lowest layer first. A module uses only modules above it in this list, with one exception the data
//! model needs: an event type names its registry (`Event::__registry`, which is how dispatch finds its
//! handlers without a lookup) and the registry is generic over the event, so `event` and `registry` use
//! each other. `tests/layering.rs` checks this against the `use` lines, in this order.
//!
//! | layer | module | what it holds |
//! |---|---|---|
//! | vocabulary | `loom_model` | the runner of the `loom` models (a test module, built under `--cfg pyventus_loom` only) |
//! | | `sync` | the atomics, locks and `Notify` of the model-checked protocols: `std`'s and tokio's, or `loom`'s under `--cfg pyventus_loom` |
//! | | `handler` | what a handler may return (`HandlerReturn`), how a call ended (`Outcome`), why it failed (`Failure`), `OnceFlag`, `BoxFuture` |
//! | | `debug` | the global debug switch |
//! | | `blocking` | `block_on`, and pyventus's *background runtime* (the tokio runtime of code outside any runtime) |
//! | | `panics` | the one place panics inside handlers are caught; panic messages; the opt-in quiet panic hook |
//! | | `wire` | how an `#[event(serde)]` type is encoded for another process (the two functions the macro writes) |
//! | identity | `meta` | `HandlerInfo` (which handler), `LinkerMeta` (which linker, its options and index), linker registration |
//! | | `lend` | what an emitter lends its calls: its states, its shared part (states, processor handle, linker), one pointer at a time |
//! | | `context` | extractors: `FromContext`, `State<T>`, the `CallContext` of a call |
//! | | `report` | where faults and debug lines go |
//! | | `callbacks` | from a handler's return value to `on_success` / `on_failure` or a report |
//! | storage | `runtime_list` | closures subscribed at run time, in a copy-on-write list |
//! | | `event` ⇄ `registry` | `Event`, `AnyEvent`; per event, a table of *slots* (one per linker), each holding the compile-time handlers (`registry/compiled`), runtime handlers and a version word (`registry/slot`, the word's protocol in `registry/version`); per linker, its all-events subscribers (`registry/all_events`); per thread, a copy of each runtime list it emits to (`registry/thread_cache`) |
//! | calling | `invoke` | calling one handler of any kind: catch its panic, report its fault, time it |
//! | linkers | `subscription` | runtime subscriptions and their handles |
//! | | `query` | who is subscribed to what; removal |
//! | | `linker` | the public `Linker` trait and `EventLinker` |
//! | dispatch | `task` | one handler call, owned, for processors that run it elsewhere |
//! | | `dispatch` | `Emission` (one emit) and `Tasks`; the one loop that says in which order an emit reaches its handlers |
//! | | `processor` | the `Processor` trait |
//! | | `handle` | an emitter's shared part, and `EmitterHandle`, the extractor that emits through it |
//! | | `emitter` | `EventEmitter` |
//! | | `processors` | `InlineProcessor`, `TokioProcessor`, `ExecutorProcessor` |
//! | | `remote` | for a worker in another process: the handlers of `#[event(serde)]` events, found by their stable id, run from an encoded payload |
//!
//! Each protocol lives in one file: the version word that makes an emit's snapshot consistent is
//! `registry/version.rs`, used only by `registry/slot.rs` (every change goes through `Slot::write`), the
//! copy-on-write list to `runtime_list.rs`, each thread's copies of those lists (valid while the version
//! word is unchanged) to `registry/thread_cache.rs`, the `once` flag to `handler.rs`, the in-flight count
//! of the tokio processor to `processors/tokio.rs`, the queue and its drain to `processors/executor.rs`.
//! Each is model-checked with `loom` at the end of its file, and a whole slot (version word, flags,
//! runtime list and thread copies together, against subscribe, unsubscribe, removal and `once`) in
//! `registry/slot_models.rs`; the command is in `registry/version.rs`.
//!
//! # Life of an emit
//!
//! 1. `EventEmitter::emit` (`emitter.rs`) finds the event's slot on its linker:
//!    `E::__registry()` is a `static` that `#[event]` generated (`event.rs`); `.slot(L::__meta())`
//!    indexes its table by the linker's index (`registry.rs`, `meta.rs`). The table is built on the
//!    event's first use, from the handlers `#[subscribe]` registered with `inventory`.
//! 2. The event and its slot become an `Emission` (`dispatch.rs`), handed to the processor's
//!    `dispatch` (`processor.rs`).
//! 3. The inline processor (`processors/inline.rs`) runs the emission in place. When the slot's version
//!    word says only plain sync compile-time handlers are there (`registry/slot.rs`), it calls their
//!    function pointers under one `catch_unwind`; a panic is reported (`report.rs`) and the next handler
//!    runs. When plain runtime closures (sync, returning `()`, no callback, not `once`) follow them, it
//!    calls those the same way, from this thread's copy of the runtime list
//!    (`registry/thread_cache.rs`): no lock, no reference count.
//! 4. Otherwise the emit takes a consistent snapshot of the slot (enabled compile-time handlers, the
//!    runtime list, the linker's all-events list) and walks it with a cursor (`dispatch.rs`), which
//!    claims `once` handlers as it reaches them. Each handler is called through `invoke.rs` (catch its
//!    panic, time it in debug mode), which calls the wrapper `#[subscribe]` generated, which hands the
//!    handler's return value to `callbacks.rs` (its `on_success` / `on_failure`, the linker's defaults,
//!    or a report).
//! 5. Any other processor gets the same walk as `Tasks` (`dispatch.rs`): each handler call owned, as a
//!    `Task` (`task.rs`) sharing the event through one `Arc`, which the processor runs where it likes
//!    (`processors/tokio.rs`, `processors/executor.rs`, or the user's own).
//!
//! A processor that sends calls to another process (`pyventus::redis`) takes the `Tasks` of an emit, sends
//! each handler's stable id with the event encoded by its `Wire` (`wire.rs`, written by
//! `#[event(serde)]`); the worker there finds the handler in its own build and runs it (`remote.rs`).
//!
//! A handler that takes extractors (`State<T>`, ...) or has callbacks has a wrapper that also takes a
//! `CallContext` (`context.rs`): its identity and what the emitter lends, a pointer to the emitter's
//! shared part (its states, its processor's handle) or to a constant for an emitter given no state.
//! The emitter passes that pointer down with the emission; the inline processor borrows it, any other
//! gets an owned share in each task of such a handler only. Handlers without extractors never read it.

#![forbid(unsafe_code)]
#![cfg_attr(docsrs, feature(doc_cfg))]

// Vocabulary.
mod blocking;
mod debug;
mod handler;
#[cfg(all(test, pyventus_loom))]
mod loom_model;
mod panics;
mod sync;
mod wire;
// Identity.
mod callbacks;
mod context;
mod lend;
mod meta;
mod report;
// Storage.
mod event;
mod registry;
mod runtime_list;
// Calling.
mod invoke;
// Linkers.
mod linker;
mod query;
mod subscription;
// Dispatch.
mod dispatch;
mod emitter;
mod handle;
mod processor;
pub mod processors;
#[doc(hidden)]
pub mod remote;
mod task;

pub use crate::blocking::block_on;
pub use crate::context::{CallContext, FromContext, MissingStates, Rejection, State};
pub use crate::debug::{global_debug, set_debug};
pub use crate::dispatch::{Emission, Tasks};
pub use crate::emitter::EventEmitter;
pub use crate::event::{AnyEvent, Event};
pub use crate::handle::EmitterHandle;
pub use crate::handler::{BoxFuture, Failure, HandlerReturn};
pub use crate::lend::StateType;
pub use crate::linker::{EventLinker, Linker, Named};
pub use crate::meta::{DefaultFailureFn, DefaultSuccessFn, HandlerInfo};
pub use crate::panics::{panic_message, quiet_handler_panics};
pub use crate::processor::{EmitError, Processor};
pub use crate::registry::{SubscriberInfo, SubscriberKind};
pub use crate::subscription::{SubscribeError, Subscription, SubscriptionGuard};
pub use crate::task::{Task, TaskFuture};

/// What the code generated by the macros names, and nothing else: generated code reaches every item
/// through this module (as `::pyventus::__private::…`), never through `std`, `core` or `inventory`
/// directly, so that it compiles whatever names the user's crate shadows. Not a public API.
#[doc(hidden)]
pub mod __private {
    // `#[event]`
    pub use crate::event::Event;
    pub use crate::registry::EventRegistry;
    pub use crate::remote::WireEvent;
    pub use crate::wire::Wire;

    // `#[linker]`
    pub use crate::linker::Linker;
    pub use crate::meta::{DefaultSuccessFn, LinkerMeta, LinkerRegistration};

    // `#[subscribe]`
    pub use crate::callbacks::{
        FailureCallback, SuccessCallback, finish, on_caught, on_result, rejected, rejected_to,
        succeeded,
    };
    pub use crate::context::{CallContext, FromContext, OwnedContext};
    pub use crate::handler::{BoxFuture, OnceFlag, Outcome, box_future};
    pub use crate::lend::StateType;
    pub use crate::linker::EventLinker;
    pub use crate::meta::HandlerInfo;
    pub use crate::panics::{catch_unwind, catch_unwind_async};
    pub use crate::registry::{
        EventRef, Handler, HandlerFn, Registration, SubscribedTo, event_ref,
    };
    pub use core::result::Result::{Err, Ok};

    // Shared by all three.
    pub use core::option::Option::{self, Some};
    pub use core::{assert, column, concat, line, module_path};
    pub use inventory::submit;
}
