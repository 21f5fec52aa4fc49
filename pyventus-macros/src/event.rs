//! `#[event]`: implements `Event` for a struct or an enum.

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::parse::Parser;
use syn::{Generics, Ident, Item};

use crate::attr::{Errors, crate_path, error_with_item, item_span, parse_options, path_value};

/// A parsed `#[event]`.
struct EventInput {
    krate: TokenStream,
    ident: Ident,
    generics: Generics,
}

pub(crate) fn expand(args: TokenStream, item: TokenStream) -> TokenStream {
    let result = parse(args, item.clone()).and_then(|input| {
        validate(&input)?;
        Ok(generate(&input))
    });
    match result {
        Ok(generated) => quote! {
            #item
            #generated
        },
        Err(error) => error_with_item(error, item),
    }
}

fn parse(args: TokenStream, item: TokenStream) -> syn::Result<EventInput> {
    let mut errors = Errors::default();
    let mut krate = None;
    for option in parse_options.parse2(args)? {
        if option.name == "crate" {
            krate = path_value("#[event]", &option, &mut errors);
        } else {
            errors.add(
                &option.name,
                format!("unknown `#[event]` option `{}`; the only option is `crate = path::to::pyventus`", option.name),
            );
        }
    }
    let parsed = match syn::parse2::<Item>(item)? {
        Item::Struct(item) => Some((item.ident, item.generics)),
        Item::Enum(item) => Some((item.ident, item.generics)),
        other => {
            errors.push(syn::Error::new(
                item_span(&other),
                "`#[event]` can only be used on a struct or an enum",
            ));
            None
        }
    };
    errors.finish()?;
    let (ident, generics) = parsed.expect("no error means the item was a struct or an enum");
    Ok(EventInput {
        krate: crate_path(krate),
        ident,
        generics,
    })
}

fn validate(input: &EventInput) -> syn::Result<()> {
    if !input.generics.params.is_empty() {
        let message = if input.generics.type_params().next().is_none()
            && input.generics.const_params().next().is_none()
        {
            "`#[event]` types cannot borrow: events are `'static`, so own the data (`String`, not `&'a str`)"
        } else {
            "`#[event]` cannot be used on generic types: an event is one concrete type; \
             declare one event type per case instead"
        };
        return Err(syn::Error::new_spanned(&input.generics, message));
    }
    Ok(())
}

fn generate(input: &EventInput) -> TokenStream {
    let EventInput { krate, ident, .. } = input;
    let name = ident.to_string();
    // Spanned on the user's type name, so that "cannot be sent between threads safely" points at it.
    let event_impl = quote_spanned! {ident.span()=>
        impl #krate::__private::Event for #ident {
            const NAME: &'static str = #name;

            fn __registry() -> &'static #krate::__private::EventRegistry<Self> {
                static REGISTRY: #krate::__private::EventRegistry<#ident> =
                    #krate::__private::EventRegistry::new();
                &REGISTRY
            }
        }
    };
    quote! {
        const _: () = {
            #event_impl
        };
    }
}
