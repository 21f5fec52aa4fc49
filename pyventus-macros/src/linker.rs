//! `#[linker]`: declares a linker type.
//!
//! ```text
//! #[linker(max_subscribers = 8, on_success = f)]
//! struct Billing;
//!
//! // expands to the struct, unchanged, followed by:
//! const _: () = {
//!     impl ::pyventus::__private::Linker for Billing {
//!         const __ON_SUCCESS: Option<DefaultSuccessFn> = Some(f);
//!         fn __meta() -> &'static ::pyventus::__private::LinkerMeta {
//!             static META: LinkerMeta = LinkerMeta::new(concat!(module_path!(), "::", "Billing"))
//!                 .with_max_subscribers(8)
//!                 .with_on_success(f);
//!             &META
//!         }
//!     }
//!     ::pyventus::__private::submit! { LinkerRegistration::new(<Billing as Linker>::__meta) }
//! };
//! ```

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{Expr, Generics, Ident, Item};

use crate::errors::Errors;
use crate::expand::{Attribute, hidden, item_span};
use crate::options::{LINKER_OPTIONS, Literal, Options, literal_value};

/// A parsed `#[linker]`.
pub(crate) struct LinkerAttr {
    krate: TokenStream,
    ident: Ident,
    generics: Generics,
    max_subscribers: Option<Expr>,
    on_success: Option<Expr>,
    on_failure: Option<Expr>,
}

impl Attribute for LinkerAttr {
    const NAME: &'static str = "#[linker]";

    fn parse(args: TokenStream, item: TokenStream, errors: &mut Errors) -> Option<Self> {
        let options = Options::parse(Self::NAME, LINKER_OPTIONS, args, errors);
        let (ident, generics) = match syn::parse2::<Item>(item) {
            Ok(Item::Struct(item)) => (item.ident, item.generics),
            Ok(other) => {
                errors.add_at(
                    item_span(&other),
                    "`#[linker]` can only be used on a struct, like `struct MyLinker;`",
                );
                return None;
            }
            Err(error) => {
                errors.push(error);
                return None;
            }
        };
        Some(LinkerAttr {
            krate: options.crate_path(),
            ident,
            generics,
            max_subscribers: options.value("max_subscribers").cloned(),
            on_success: options.value("on_success").cloned(),
            on_failure: options.value("on_failure").cloned(),
        })
    }

    fn validate(&self, errors: &mut Errors) {
        if !self.generics.params.is_empty() {
            errors.add(
                &self.generics,
                "`#[linker]` cannot be used on generic structs: a linker is one namespace; declare one struct per linker",
            );
        }
        if let Some(max) = &self.max_subscribers {
            match literal_value(max) {
                Literal::Integer(0) => errors.add(max, "`max_subscribers` must be at least 1"),
                Literal::Integer(value) if usize::try_from(value).is_ok() => {}
                Literal::Integer(_) => errors.add(
                    max,
                    "`#[linker]` option `max_subscribers` must be a positive `usize`",
                ),
                Literal::Other => errors.add(
                    max,
                    "`#[linker]` option `max_subscribers` takes an integer, like `max_subscribers = 10` or \
                     `max_subscribers = LIMIT`",
                ),
                // A constant: checked when it is evaluated (see `generate`).
                Literal::Expression => {}
            }
        }
    }

    fn generate(&self) -> TokenStream {
        let LinkerAttr { krate, ident, .. } = self;
        let max_subscribers = self
            .max_subscribers
            .as_ref()
            .map(|max| quote_spanned!(max.span()=> .with_max_subscribers(#max)));
        // A limit given as a constant is checked when the constant is evaluated, at compile time.
        let max_check = self
            .max_subscribers
            .as_ref()
            .filter(|max| matches!(literal_value(max), Literal::Expression))
            .map(|max| {
                quote_spanned! {max.span()=>
                    const _: () = #krate::__private::assert!(
                        #max >= 1,
                        "`max_subscribers` must be at least 1"
                    );
                }
            });
        let on_failure = self
            .on_failure
            .as_ref()
            .map(|on_failure| quote_spanned!(on_failure.span()=> .with_on_failure(#on_failure)));
        let meta_on_success = self
            .on_success
            .as_ref()
            .map(|on_success| quote_spanned!(on_success.span()=> .with_on_success(#on_success)));
        let on_success = self.on_success.as_ref().map(|on_success| {
            quote_spanned! {on_success.span()=>
                const __ON_SUCCESS: #krate::__private::Option<#krate::__private::DefaultSuccessFn> =
                    #krate::__private::Some(#on_success);
            }
        });
        let linker_impl = self.linker_impl(
            on_success,
            quote!(#max_subscribers #meta_on_success #on_failure),
        );
        hidden(quote! {
            #max_check

            #linker_impl

            #krate::__private::submit! {
                #krate::__private::LinkerRegistration::new(
                    <#ident as #krate::__private::Linker>::__meta
                )
            }
        })
    }

    /// An `impl Linker` without options or registration, so that code naming the linker still compiles;
    /// none for a generic struct.
    fn fallback(&self) -> TokenStream {
        if self.generics.params.is_empty() {
            hidden(self.linker_impl(None, TokenStream::new()))
        } else {
            TokenStream::new()
        }
    }
}

impl LinkerAttr {
    /// The `impl Linker`, with `items` inside it and `options` applied to its `LinkerMeta`.
    fn linker_impl(&self, items: Option<TokenStream>, options: TokenStream) -> TokenStream {
        let LinkerAttr { krate, ident, .. } = self;
        let name = ident.to_string();
        quote_spanned! {ident.span()=>
            impl #krate::__private::Linker for #ident {
                #items

                fn __meta() -> &'static #krate::__private::LinkerMeta {
                    static META: #krate::__private::LinkerMeta =
                        #krate::__private::LinkerMeta::new(
                            #krate::__private::concat!(#krate::__private::module_path!(), "::", #name)
                        )
                        #options;
                    &META
                }
            }
        }
    }
}
