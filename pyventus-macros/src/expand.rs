//! The one expansion shape of every attribute: parse → validate → generate, with one error accumulator.
//!
//! Parsing reads as much as it can and reports what it cannot read; validation checks what parsed, also
//! when parsing found problems elsewhere, so that every mistake shows in one compile. With no error, the
//! output is the user's item, unchanged, followed by the generated code. With errors, it is the errors,
//! the user's item, and the attribute's *fallback* (for example a stub `impl Event`), so that code using
//! the item does not fail too: one mistake, one error.

use proc_macro2::{Span, TokenStream};
use quote::quote;

use crate::errors::Errors;

/// One attribute macro.
pub(crate) trait Attribute: Sized {
    /// The attribute as users write it, for messages: `#[event]`.
    const NAME: &'static str;

    /// Reads the attribute's arguments and the item it is on. Reports every problem into `errors`;
    /// returns `None` only after reporting why.
    fn parse(args: TokenStream, item: TokenStream, errors: &mut Errors) -> Option<Self>;

    /// Checks what [`parse`](Attribute::parse) read, reporting into `errors`.
    fn validate(&self, errors: &mut Errors);

    /// The code that goes after the user's item.
    fn generate(&self) -> TokenStream;

    /// What goes after the user's item when there are errors, so that no follow-on error appears.
    fn fallback(&self) -> TokenStream;
}

/// Expands the attribute `A` on `item`.
pub(crate) fn expand<A: Attribute>(args: TokenStream, item: TokenStream) -> TokenStream {
    let mut errors = Errors::default();
    let parsed = A::parse(args, item.clone(), &mut errors);
    if let Some(parsed) = &parsed {
        parsed.validate(&mut errors);
    }
    match (errors.into_compile_errors(), &parsed) {
        (None, Some(parsed)) => {
            let generated = parsed.generate();
            quote! {
                #item
                #generated
            }
        }
        (Some(errors), parsed) => {
            let fallback = parsed.as_ref().map(A::fallback);
            quote! {
                #errors
                #item
                #fallback
            }
        }
        // `parse` returns `None` only after reporting why; never emit the item as if all went well.
        (None, None) => {
            let error = syn::Error::new(
                Span::call_site(),
                format!(
                    "`{}` could not read its input and gave no reason; please report this as a pyventus bug",
                    A::NAME
                ),
            )
            .into_compile_error();
            quote! {
                #error
                #item
            }
        }
    }
}

/// Wraps generated items in an anonymous `const` block (so that their names never clash with the
/// user's), with the lints a user may turn on allowed: the code is ours, not theirs.
pub(crate) fn hidden(items: TokenStream) -> TokenStream {
    hidden_in(&quote!(_), items)
}

/// [`hidden`], in a `const` named `name`: the form that parses inside an `impl` block too, so that an
/// attribute put there by mistake gives one error (the one naming the function) instead of two.
pub(crate) fn hidden_in(name: &TokenStream, items: TokenStream) -> TokenStream {
    quote! {
        #[allow(
            dead_code,
            non_upper_case_globals,
            non_snake_case,
            unused_qualifications,
            clippy::all,
            clippy::pedantic,
            clippy::nursery
        )]
        const #name: () = {
            #items
        };
    }
}

/// Where to point when an attribute is on the wrong kind of item.
pub(crate) fn item_span(item: &syn::Item) -> Span {
    use syn::spanned::Spanned;
    match item {
        syn::Item::Fn(item) => item.sig.ident.span(),
        syn::Item::Union(item) => item.union_token.span(),
        syn::Item::Trait(item) => item.ident.span(),
        syn::Item::Type(item) => item.ident.span(),
        syn::Item::Impl(item) => item.impl_token.span(),
        syn::Item::Mod(item) => item.ident.span(),
        syn::Item::Const(item) => item.ident.span(),
        syn::Item::Static(item) => item.ident.span(),
        other => other.span(),
    }
}
