//! The attribute macros of [pyventus](https://docs.rs/pyventus): `#[event]`, `#[subscribe]`, `#[linker]`.
//!
//! Use them through the `pyventus` crate, which documents them. Each macro parses its input, checks it, and
//! expands it; a problem becomes a compile error on the offending token, and the user's item is emitted
//! unchanged next to it so that no follow-on error appears.

mod attr;
mod event;
mod linker;
mod subscribe;

use proc_macro::TokenStream;

/// Marks a struct or enum as an event. Documented in the `pyventus` crate.
#[proc_macro_attribute]
pub fn event(args: TokenStream, item: TokenStream) -> TokenStream {
    event::expand(args.into(), item.into()).into()
}

/// Subscribes a function to an event at compile time. Documented in the `pyventus` crate.
#[proc_macro_attribute]
pub fn subscribe(args: TokenStream, item: TokenStream) -> TokenStream {
    subscribe::expand(args.into(), item.into()).into()
}

/// Declares a linker. Documented in the `pyventus` crate.
#[proc_macro_attribute]
pub fn linker(args: TokenStream, item: TokenStream) -> TokenStream {
    linker::expand(args.into(), item.into()).into()
}
