//! `#[subscribe(Event, ..)]`: registers a function as a compile-time handler.
//!
//! The attribute's grammar is in `args`, the checks of the function in `signature`, the code in
//! `generate`.
//!
//! ```text
//! #[subscribe(OrderPlaced, priority = 10)]
//! fn notify(e: &OrderPlaced) { .. }
//!
//! // expands to the function, unchanged, followed by:
//! const __PYVENTUS_SUBSCRIBE_notify: () = {
//!     // The user's function itself: sync, `&E`, returns `()`, no callbacks, so no wrapper is needed.
//!     const __PYVENTUS_PLAIN_0: fn(&OrderPlaced) = notify;
//!     // The one place `OrderPlaced: Event` is required.
//!     const __PYVENTUS_EVENT_0: EventRef<OrderPlaced> = event_ref::<OrderPlaced>();
//!     static __PYVENTUS_HANDLER_0: Handler<OrderPlaced> = Handler::new(
//!         HandlerInfo::new(concat!(module_path!(), "::", "notify"), __PYVENTUS_EVENT_0.name,
//!                          __PYVENTUS_EVENT_0.path, <EventLinker as Linker>::__meta),
//!         HandlerFn::Plain(__PYVENTUS_PLAIN_0),
//!     )
//!     .with_priority(10)
//!     .at(line!(), column!());
//!     submit! { Registration::new(&__PYVENTUS_HANDLER_0, __PYVENTUS_EVENT_0) }
//! };
//!
//! // A handler that returns a `Result`, is async or has callbacks gets a wrapper instead of the
//! // plain pointer: the user's function, then its outcome (`finish` calls the linker's default
//! // `on_success`, read once into a constant).
//! const __PYVENTUS_ON_SUCCESS: Option<DefaultSuccessFn> = <EventLinker as Linker>::__ON_SUCCESS;
//! fn __pyventus_call_0(event: &OrderPlaced) -> Outcome {
//!     finish(notify(event), __PYVENTUS_HANDLER_0.info(), __PYVENTUS_ON_SUCCESS)
//! }
//! //   ... HandlerFn::Sync(__pyventus_call_0) (or `Async`) in the static.
//!
//! // A handler that takes extractors (every parameter after the event), or has callbacks (which may
//! // take extractors too), gets a wrapper that also takes the call's context and makes them first; a
//! // rejected extractor fails the call like a fault (`rejected`, or `rejected_to` its `on_failure`):
//! fn __pyventus_call_0(event: &OrderPlaced, cx: &CallContext<'_>) -> Outcome {
//!     let arg_0 = match <State<Db> as FromContext>::from_context(cx) {
//!         Ok(arg_0) => arg_0,
//!         Err(rejection) => return rejected(__PYVENTUS_HANDLER_0.info(), rejection),
//!     };
//!     finish(notify(event, arg_0), __PYVENTUS_HANDLER_0.info(), __PYVENTUS_ON_SUCCESS)
//! }
//! //   ... HandlerFn::SyncWith(__pyventus_call_0) (or `AsyncWith`) in the static, which also lists
//! //   what the extractors read: `.requires(&[<State<Db> as FromContext>::required_states])`.
//! ```
//!
//! (Every name is reached through `::pyventus::__private`.) One handler static per event: `#[subscribe(A,
//! B)]` registers `__PYVENTUS_HANDLER_0` for `A` and `__PYVENTUS_HANDLER_1` for `B`.

mod args;
mod generate;
mod signature;

use proc_macro2::{Span, TokenStream};
use syn::{Expr, Item, ItemFn, Path, Type};

use crate::errors::Errors;
use crate::expand::{Attribute, item_span};

/// A parsed `#[subscribe]`.
pub(crate) struct SubscribeAttr {
    krate: TokenStream,
    events: Vec<Type>,
    linker: Option<Path>,
    priority: Option<Expr>,
    once: bool,
    on_success: Option<Expr>,
    on_failure: Option<Expr>,
    /// `None` when the attribute is not on a function (which is reported).
    function: Option<ItemFn>,
}

impl Attribute for SubscribeAttr {
    const NAME: &'static str = "#[subscribe]";

    fn parse(args: TokenStream, item: TokenStream, errors: &mut Errors) -> Option<Self> {
        let args = args::parse(args, errors);
        if args.events.is_empty() && !args.named_by_string {
            errors.add_at(
                Span::call_site(),
                "`#[subscribe]` needs the event to subscribe to: `#[subscribe(MyEvent)]`",
            );
        }
        let function = match syn::parse2::<Item>(item.clone()) {
            Ok(Item::Fn(function)) => Some(function),
            Ok(other) => {
                errors.add_at(
                    item_span(&other),
                    "`#[subscribe]` can only be used on a free function, like `fn on_event(e: &MyEvent)`",
                );
                None
            }
            // A method inside an `impl` block does not parse as an item; read it as one to say so.
            Err(error) => match syn::parse2::<syn::ImplItemFn>(item) {
                Ok(method) => Some(ItemFn {
                    attrs: method.attrs,
                    vis: method.vis,
                    sig: method.sig,
                    block: Box::new(method.block),
                }),
                Err(_) => {
                    errors.push(error);
                    None
                }
            },
        };
        let options = &args.options;
        Some(SubscribeAttr {
            krate: options.crate_path(),
            linker: options.path("linker"),
            priority: options.value("priority").cloned(),
            once: options.flag("once"),
            on_success: options.value("on_success").cloned(),
            on_failure: options.value("on_failure").cloned(),
            events: args.events,
            function,
        })
    }

    fn validate(&self, errors: &mut Errors) {
        signature::validate_events(&self.events, errors);
        if let Some(priority) = &self.priority {
            signature::validate_priority(priority, errors);
        }
        if let Some(function) = &self.function {
            signature::validate_function(function, &self.events, errors);
        }
    }

    fn generate(&self) -> TokenStream {
        generate::handlers(self)
    }

    /// Nothing: the function itself is emitted unchanged, so code calling it still compiles.
    fn fallback(&self) -> TokenStream {
        TokenStream::new()
    }
}
