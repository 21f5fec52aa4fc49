//! **A typed, compile-time event bus: Pyventus's event emitters, for Rust.**
//!
//! Mark a type with [`#[event]`](macro@event), subscribe functions to it with
//! [`#[subscribe(MyEvent)]`](macro@subscribe), and emit it through an [`EventEmitter`]. Handlers are
//! registered at compile time (through the `inventory` crate) into a *linker*, a namespace of handlers:
//! [`EventLinker`] by default, or one of your own declared with [`#[linker]`](macro@linker). How the
//! handler calls of an emit are executed is up to the emitter's *processor*: in the caller
//! ([`InlineProcessor`]), as tokio tasks ([`TokioProcessor`]), on a thread pool ([`ExecutorProcessor`]),
//! in worker processes through Redis Streams (`redis::RedisProcessor`, feature `redis`), or however your
//! own [`Processor`] likes.
//!
//! # Examples
//!
//! ```
//! use pyventus::prelude::*;
//!
//! #[event]
//! #[derive(Debug, Clone)]
//! struct MyEvent(String);
//!
//! #[subscribe(MyEvent)]
//! fn greet(e: &MyEvent) {
//!     println!("{}", e.0);
//! }
//!
//! #[subscribe(MyEvent)]
//! async fn greet_later(e: &MyEvent) {
//!     tokio::time::sleep(std::time::Duration::from_millis(1)).await;
//!     println!("later: {}", e.0);
//! }
//!
//! // A closure subscribed at runtime, like `EventLinker.subscribe("MyEvent", event_callback=print)`.
//! let sub = EventLinker::subscribe(|e: &MyEvent| println!("{e:?}"));
//!
//! let emitter = EventEmitter::new(InlineProcessor);
//! emitter.emit(MyEvent("Hello, World!".into())); // all three handlers ran when this returns
//! sub.unsubscribe();
//! ```
//!
//! # The model
//!
//! - **Events** are types. An event reaches the handlers of its own type only (no inheritance), on the
//!   emitter's linker only (linkers are isolated).
//! - **Handlers** take `&E` (or nothing), then any *extractors*, may be `async`, and may return `()` or
//!   a `Result`. Extractors reach the application: [`State<T>`] is a clone of a value given to the
//!   emitter with [`EventEmitter::with_state`] (a database pool, a mailer, a configuration; two emitters
//!   may hold two states), [`HandlerInfo`] says which handler runs, [`EmitterHandle`] emits follow-up
//!   events through the same emitter, and any type implementing [`FromContext`] is one too.
//!   `on_success` / `on_failure` callbacks take extractors after their value as well. A handler whose
//!   state the emitter lacks is not called: that fails like a handler fault, and
//!   [`EventEmitter::check_states`] finds it up front. Handlers without extractors pay nothing for
//!   them. See `examples/app_state.rs`. A handler
//!   that returns `Err` or panics is reported (to its `on_failure`, else its linker's default
//!   `on_failure`, else to the default report) and the other handlers still run; the emitter keeps
//!   working. The default report goes through `tracing` (target `pyventus`, error level) when the program
//!   installed a `tracing` subscriber, and to stderr otherwise. Rust's panic hook still prints a caught
//!   panic, as for any caught panic, unless [`quiet_handler_panics`] was called.
//! - **Dispatch order** on one linker: compile-time handlers by priority (higher first, default 0), then
//!   by path (`crate::module::function`); then runtime subscriptions, in subscription order; then
//!   all-events subscribers ([`Linker::subscribe_all`]), in subscription order. Link order never matters.
//!   (Pyventus gives no order at all.)
//! - **Lifecycle**: `#[subscribe(E, once)]` and [`Linker::once`] run once; `on_success` / `on_failure`
//!   receive a handler's results; [`Linker::subscribers`], [`Linker::events`], [`Linker::remove`] and
//!   friends query and change a linker at runtime (see [`Linker`]).
//! - **Snapshots**: each emit works on the handlers subscribed (and enabled) when it started, taken at
//!   one moment even while other threads change them. A handler subscribed during an emit is not called
//!   by it; one unsubscribed or removed during it still is. A `once` handler is the exception by
//!   design: it is claimed atomically when an emit reaches it, so exactly one emit calls it, whichever
//!   reaches it first.
//! - **Zero dynamic lookup**: an emit finds its handlers through a static of the event's type, indexed by
//!   the linker: no hashing, no type map, no string comparison. With sync handlers and the
//!   [`InlineProcessor`], an emit allocates nothing and takes no lock (for runtime closures: once a
//!   thread has emitted since the last change to them, when it keeps its copy of their list).
//!
//! # Registration and linking
//!
//! `#[subscribe]` registers handlers with [`inventory`](https://docs.rs/inventory), whose registrations run
//! before `main` on Linux, macOS, Windows, the BSDs, iOS and Android (not on `wasm32-unknown-unknown`
//! without a start function). One consequence: **a handler defined in a dependency exists only if that
//! dependency is linked**. Rust does not link a crate nothing refers to, so a crate of handlers that the
//! binary never names has silently no handlers. Name it once:
//!
//! ```text
//! use my_handlers as _; // links the crate, and with it its #[subscribe] handlers
//! ```
//!
//! In debug mode, the first emit of each event logs the compile-time handlers found for it, per linker,
//! which makes a missing crate visible.
//!
//! # Debug mode
//!
//! `EventEmitter::new(p).debug(true)` logs each emit, each submitted handler, and each handler's outcome
//! and duration, through `tracing` at debug level (target `pyventus`) when a `tracing` subscriber is
//! installed, on stderr otherwise. An emitter without `.debug(..)` follows the global switch:
//! [`set_debug`], or `PYVENTUS_DEBUG=1` in the environment.
//!
//! # Feature flags
//!
//! | feature | default | what it enables |
//! |---|---|---|
//! | `tokio` | yes | [`TokioProcessor`]; async handlers driven by tokio (so they may await tokio timers and IO) |

#![forbid(unsafe_code)]
#![cfg_attr(docsrs, feature(doc_cfg))]

pub use pyventus_core::{
    AnyEvent, BoxFuture, CallContext, DefaultFailureFn, DefaultSuccessFn, Emission, EmitError,
    EmitterHandle, Event, EventEmitter, EventLinker, Failure, FromContext, HandlerInfo,
    HandlerReturn, Linker, MissingStates, Named, Processor, Rejection, State, StateType,
    SubscribeError, SubscriberInfo, SubscriberKind, Subscription, SubscriptionGuard, Task,
    TaskFuture, Tasks, block_on, global_debug, panic_message, processors, quiet_handler_panics,
    set_debug,
};

#[doc(inline)]
pub use pyventus_core::processors::{ExecutorProcessor, InlineProcessor};

#[cfg(feature = "tokio")]
#[cfg_attr(docsrs, doc(cfg(feature = "tokio")))]
#[doc(inline)]
pub use pyventus_core::processors::TokioProcessor;

/// Handler calls across processes, on Redis Streams (feature `redis`): see [`redis::RedisProcessor`]
/// and [`redis::Worker`].
#[cfg(feature = "redis")]
#[cfg_attr(docsrs, doc(cfg(feature = "redis")))]
#[doc(inline)]
pub use pyventus_redis as redis;

/// Marks a struct or enum as an event. See [`Event`].
///
/// `#[event]` implements [`Event`] for the type: its [`NAME`](Event::NAME) (the type's identifier) and a
/// static registry of its handlers. The type must be `Send + Sync + 'static` and not generic.
///
/// # Examples
///
/// ```
/// use pyventus::prelude::*;
///
/// #[event]
/// #[derive(Debug, Clone)]
/// struct UserCreated {
///     name: String,
/// }
///
/// #[event]
/// enum Connection {
///     Opened(u16),
///     Closed,
/// }
///
/// #[event]
/// struct Shutdown;
///
/// assert_eq!(UserCreated::NAME, "UserCreated");
/// ```
///
/// The hand-written equivalent is an `impl Event for UserCreated` whose `__registry` returns a `static`
/// declared inside it; the attribute exists so that nobody writes that.
///
/// Options:
/// - `serde` (feature `serde`, which `redis` includes): the event can cross processes, through a
///   [`redis::RedisProcessor`](https://docs.rs/pyventus/latest/pyventus/redis/struct.RedisProcessor.html)
///   to a worker. The type must also derive `serde::Serialize` and `serde::Deserialize` (a missing
///   derive is a compile error at the type's name that says to add it); it is encoded as JSON, so a
///   worker of another version of the program decodes it by field name. Without the feature,
///   `#[event(serde)]` is one compile error that says which feature to turn on.
/// - `crate = path`: where generated code finds pyventus, for a crate that reaches it through a
///   re-export.
///
/// ```ignore
/// #[event(serde)]
/// #[derive(serde::Serialize, serde::Deserialize)]
/// struct OrderPlaced {
///     id: u64,
/// }
/// ```
pub use pyventus_macros::event;

/// Subscribes a function to an event, at compile time.
///
/// `#[subscribe(MyEvent)]` on `fn f(e: &MyEvent)` (or `fn f()`, or an `async fn`) registers `f` as a
/// handler of `MyEvent` on [`EventLinker`]. The function itself is left as written and can still be
/// called directly. A handler returns `()` or a `Result`.
///
/// Handlers are free functions: `#[subscribe]` cannot be used on a method or an associated function. A
/// method (`&self`) is refused with that message; on an associated function inside an `impl` block the
/// macro cannot see the `impl`, and rustc reports "cannot find value `name` in this scope" at the
/// function's name. Move the handler out of the `impl` (it may call the associated function).
///
/// Options, after the event(s):
/// - `linker = Path`: the linker to subscribe on (default [`EventLinker`]).
/// - `priority = N`: handlers with a higher priority run first (default 0; ties are ordered by path). `N`
///   is an `i32`: a literal or a named constant.
/// - `once`: the handler runs on the first emit that reaches it, then never again (exactly one call,
///   also when several threads emit at once).
/// - `on_success = f`: `f(value)` receives what the handler returned (the `Ok` value of a `Result`);
///   when that is `()`, `f` may take nothing (`fn f()`).
/// - `on_failure = g`: `g(failure)` receives a [`Failure`]: `Failure::Error(err)` for a returned `Err`,
///   `Failure::Panic(message)` for a panic (for a handler that returns `()`, `g` takes `Failure` alone).
///   Without it, an `Err` (which must then be `Debug`) or a panic goes to the linker's default
///   `on_failure`, or to the default report.
/// - `crate = path`: where generated code finds pyventus, for a crate that reaches it through a
///   re-export. (A dependency renamed in `Cargo.toml` is found without it.)
///
/// Several events: `#[subscribe(A, B)]` subscribes one function to each; it takes
/// [`&dyn AnyEvent`](AnyEvent) (use [`downcast_ref`](trait.AnyEvent.html#method.downcast_ref)) or no
/// argument. With `once`, the first emit of any of them spends it.
///
/// # Examples
///
/// ```
/// use pyventus::prelude::*;
/// use pyventus::{AnyEvent, Failure};
///
/// #[event]
/// struct Deployed(&'static str);
///
/// #[event]
/// struct RolledBack;
///
/// #[linker]
/// struct AuditLinker;
///
/// #[subscribe(Deployed)]
/// fn announce(e: &Deployed) {
///     println!("deployed {}", e.0);
/// }
///
/// fn recorded(line: usize) {
///     println!("audit line {line}");
/// }
///
/// fn not_recorded(failure: Failure<String>) {
///     eprintln!("audit failed: {failure}");
/// }
///
/// #[subscribe(Deployed, linker = AuditLinker, priority = 10, on_success = recorded, on_failure = not_recorded)]
/// fn audit(e: &Deployed) -> Result<usize, String> {
///     if e.0.is_empty() { Err("no version".into()) } else { Ok(42) }
/// }
///
/// #[subscribe(Deployed, once)]
/// async fn warm_caches(_: &Deployed) {}
///
/// #[subscribe(Deployed, RolledBack)]
/// fn page_on_call(e: &dyn AnyEvent) {
///     println!("paging for {}", e.name());
/// }
///
/// EventEmitter::new(InlineProcessor).emit(Deployed("v1.2.0"));
/// EventEmitter::with_linker::<AuditLinker>(InlineProcessor).emit(Deployed("v1.2.0"));
/// ```
pub use pyventus_macros::subscribe;

/// Declares a linker: a namespace of handlers, isolated from every other linker.
///
/// Works on a struct (usually a unit struct) that is not generic. Pyventus's
/// `class CustomEventLinker(EventLinker, max_subscribers=.., default_success_callback=..,
/// default_failure_callback=..)`. Options:
/// - `max_subscribers = N` (N ≥ 1, a literal or a named `usize` constant): at most N subscribers per
///   event (compile-time handlers included);
///   past it [`Linker::try_subscribe`] returns [`SubscribeError`] and [`Linker::subscribe`] panics.
/// - `on_success = f`, with `fn f(handler: &HandlerInfo)`: called after each successful handler call
///   that has no `on_success` of its own.
/// - `on_failure = g`, with `fn g(handler: &HandlerInfo, failure: Failure<&dyn Debug>)`: receives each
///   failure of a handler that has no `on_failure` of its own, instead of the error-level log line.
///
/// # Examples
///
/// ```
/// use std::fmt::Debug;
/// use pyventus::prelude::*;
/// use pyventus::{Failure, HandlerInfo};
///
/// fn alert(handler: &HandlerInfo, failure: Failure<&dyn Debug>) {
///     eprintln!("{} failed on {}: {failure:?}", handler.path(), handler.event());
/// }
///
/// #[linker(max_subscribers = 8, on_failure = alert)]
/// struct CustomEventLinker;
///
/// #[event]
/// struct MyEvent;
///
/// #[subscribe(MyEvent, linker = CustomEventLinker)]
/// fn only_custom() {
///     println!("custom");
/// }
///
/// EventEmitter::with_linker::<CustomEventLinker>(InlineProcessor).emit(MyEvent); // prints "custom"
/// EventEmitter::new(InlineProcessor).emit(MyEvent); // EventLinker: prints nothing
/// ```
pub use pyventus_macros::linker;

/// The names most programs need: `use pyventus::prelude::*;`.
pub mod prelude {
    #[cfg(feature = "tokio")]
    pub use crate::TokioProcessor;
    pub use crate::{
        Event, EventEmitter, EventLinker, ExecutorProcessor, InlineProcessor, Linker, Processor,
        Subscription, event, linker, processors, subscribe,
    };
}

/// What the code generated by the macros names (defined in `pyventus-core`). Not a public API.
#[doc(hidden)]
pub mod __private {
    pub use pyventus_core::__private::*;

    pub use crate::__pyventus_serde_wire as serde_wire;
    #[cfg(feature = "serde")]
    pub use crate::wire::{decode, encode};
}

#[cfg(feature = "serde")]
mod wire;

/// `Event::__WIRE` of an `#[event(serde)]` type. Not a public API.
#[cfg(feature = "serde")]
#[doc(hidden)]
#[macro_export]
macro_rules! __pyventus_serde_wire {
    ($event:ty) => {
        $crate::__private::Some($crate::__private::Wire {
            encode: $crate::__private::encode::<$event>,
            decode: $crate::__private::decode::<$event>,
        })
    };
}

/// `#[event(serde)]` without the `serde` feature: one error that says what to write.
#[cfg(not(feature = "serde"))]
#[doc(hidden)]
#[macro_export]
macro_rules! __pyventus_serde_wire {
    ($event:ty) => {{
        ::core::compile_error!(
            "`#[event(serde)]` needs the `serde` feature of pyventus: in Cargo.toml, write \
             `pyventus = { version = \"0.1\", features = [\"serde\"] }` (the `redis` feature includes it)"
        );
        ::core::option::Option::None
    }};
}

/// The README's Rust blocks, compiled and run as doctests so that the README cannot drift from the code.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
