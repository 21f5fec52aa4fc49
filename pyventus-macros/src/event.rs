//! `#[event]`: implements `Event` for a struct or an enum.
//!
//! ```text
//! #[event]
//! struct OrderPlaced { id: u64 }
//!
//! // expands to the struct, unchanged, followed by:
//! const _: () = {
//!     impl ::pyventus::__private::Event for OrderPlaced {
//!         const NAME: &'static str = "OrderPlaced";
//!         const PATH: &'static str = concat!(module_path!(), "::", "OrderPlaced");
//!         fn __registry() -> &'static ::pyventus::__private::EventRegistry<Self> {
//!             static REGISTRY: ::pyventus::__private::EventRegistry<OrderPlaced> =
//!                 ::pyventus::__private::EventRegistry::new();
//!             &REGISTRY
//!         }
//!     }
//! };
//! ```

use proc_macro2::TokenStream;
use quote::quote_spanned;
use syn::{Generics, Ident, Item};

use crate::errors::Errors;
use crate::expand::{Attribute, hidden, item_span};
use crate::options::{EVENT_OPTIONS, Options};

/// A parsed `#[event]`.
pub(crate) struct EventAttr {
    krate: TokenStream,
    ident: Ident,
    generics: Generics,
}

impl Attribute for EventAttr {
    const NAME: &'static str = "#[event]";

    fn parse(args: TokenStream, item: TokenStream, errors: &mut Errors) -> Option<Self> {
        let options = Options::parse(Self::NAME, EVENT_OPTIONS, args, errors);
        let (ident, generics) = match syn::parse2::<Item>(item) {
            Ok(Item::Struct(item)) => (item.ident, item.generics),
            Ok(Item::Enum(item)) => (item.ident, item.generics),
            Ok(other) => {
                errors.add_at(
                    item_span(&other),
                    "`#[event]` can only be used on a struct or an enum",
                );
                return None;
            }
            Err(error) => {
                errors.push(error);
                return None;
            }
        };
        Some(EventAttr {
            krate: options.crate_path(),
            ident,
            generics,
        })
    }

    fn validate(&self, errors: &mut Errors) {
        let generics = &self.generics;
        if generics.params.is_empty() {
            return;
        }
        let message = if generics.type_params().next().is_none()
            && generics.const_params().next().is_none()
        {
            "`#[event]` types cannot borrow: events are `'static`, so own the data (`String`, not `&'a str`)"
        } else {
            "`#[event]` cannot be used on generic types: an event is one concrete type; \
                 declare one event type per case instead"
        };
        errors.add(generics, message);
    }

    fn generate(&self) -> TokenStream {
        let EventAttr { krate, ident, .. } = self;
        let name = ident.to_string();
        // Spanned on the user's type name, so that "cannot be sent between threads safely" points at it.
        hidden(quote_spanned! {ident.span()=>
            impl #krate::__private::Event for #ident {
                const NAME: &'static str = #name;
                const PATH: &'static str =
                    #krate::__private::concat!(#krate::__private::module_path!(), "::", #name);

                fn __registry() -> &'static #krate::__private::EventRegistry<Self> {
                    static REGISTRY: #krate::__private::EventRegistry<#ident> =
                        #krate::__private::EventRegistry::new();
                    &REGISTRY
                }
            }
        })
    }

    /// The same `impl Event`, so that every `#[subscribe]` of the event still compiles; none for a
    /// generic type, which cannot have one.
    fn fallback(&self) -> TokenStream {
        if self.generics.params.is_empty() {
            self.generate()
        } else {
            TokenStream::new()
        }
    }
}
