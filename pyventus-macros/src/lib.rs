//! The attribute macros of `pyventus`: `#[event]`, `#[subscribe]`, `#[linker]`.
//!
//! Use them through the `pyventus` crate, which documents them. Every attribute has the same shape
//! (`expand.rs`): parse its arguments and item, validate them, generate code, with one error accumulator,
//! so that every mistake shows in one compile, on the offending token, and the user's item is emitted
//! unchanged (with a stub where code depends on it) so that no follow-on error appears.
//!
//! | file | job |
//! |---|---|
//! | `expand.rs` | the shape every attribute follows, and the wrapper around generated items |
//! | `errors.rs` | the error accumulator |
//! | `options.rs` | the table of each attribute's options, and their checks |
//! | `event.rs`, `linker.rs` | `#[event]`, `#[linker]` |
//! | `subscribe.rs` + `subscribe/{args,signature,generate}.rs` | `#[subscribe]`: grammar, checks, code |
//!
//! Generated code names only `::pyventus::__private::…` (or `path::__private::…` with the
//! `crate = path` option).

#![forbid(unsafe_code)]

mod errors;
mod event;
mod expand;
mod linker;
mod options;
mod subscribe;

use proc_macro::TokenStream;

/// Marks a struct or enum as an event. Documented in the `pyventus` crate.
#[proc_macro_attribute]
pub fn event(args: TokenStream, item: TokenStream) -> TokenStream {
    expand::expand::<event::EventAttr>(args.into(), item.into()).into()
}

/// Subscribes a function to an event at compile time. Documented in the `pyventus` crate.
#[proc_macro_attribute]
pub fn subscribe(args: TokenStream, item: TokenStream) -> TokenStream {
    expand::expand::<subscribe::SubscribeAttr>(args.into(), item.into()).into()
}

/// Declares a linker. Documented in the `pyventus` crate.
#[proc_macro_attribute]
pub fn linker(args: TokenStream, item: TokenStream) -> TokenStream {
    expand::expand::<linker::LinkerAttr>(args.into(), item.into()).into()
}
