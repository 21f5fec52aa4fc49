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
//!
//! `#[event(serde)]` adds, inside the `impl`, the event's encoder and decoder (a `macro_rules!` of the
//! facade, so that the `serde` feature decides: with it, `serde_json` through `Serialize` and
//! `DeserializeOwned` bounds reported on the type; without it, one error naming the feature), and,
//! beside it, the `inventory` entry a worker finds the event's handlers by:
//!
//! ```text
//!         const __WIRE: Option<Wire<Self>> = ::pyventus::__private::serde_wire!(OrderPlaced);
//!     }
//!     ::pyventus::__private::submit! { ::pyventus::__private::WireEvent::new::<OrderPlaced>() }
//! ```

use proc_macro2::{Span, TokenStream, TokenTree};
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
    /// `#[event(serde)]`: where `serde` is written.
    serde: Option<Span>,
}

/// Where the `serde` option is written in `args`, if it is.
fn serde_span(args: &TokenStream) -> Option<Span> {
    args.clone().into_iter().find_map(|token| match token {
        TokenTree::Ident(ident) if ident == "serde" => Some(ident.span()),
        _ => None,
    })
}

impl Attribute for EventAttr {
    const NAME: &'static str = "#[event]";

    fn parse(args: TokenStream, item: TokenStream, errors: &mut Errors) -> Option<Self> {
        let serde = serde_span(&args);
        let options = Options::parse(Self::NAME, EVENT_OPTIONS, args, errors);
        let serde = serde.filter(|_| options.flag("serde"));
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
            serde,
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
        let EventAttr {
            krate,
            ident,
            serde,
            ..
        } = self;
        let name = ident.to_string();
        // `#[event(serde)]`: the encoder and decoder (which need `Serialize` and `Deserialize`, reported
        // on the `serde` token), and the entry that lets a worker find the event's handlers.
        let (wire, wire_entry) = match serde {
            Some(span) => (
                quote_spanned! {*span=>
                    const __WIRE: #krate::__private::Option<#krate::__private::Wire<Self>> =
                        #krate::__private::serde_wire!(#ident);
                },
                quote_spanned! {*span=>
                    #krate::__private::submit! {
                        #krate::__private::WireEvent::new::<#ident>()
                    }
                },
            ),
            None => (TokenStream::new(), TokenStream::new()),
        };
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

                #wire
            }

            #wire_entry
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
