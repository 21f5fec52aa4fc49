//! `#[linker]`: declares a linker type.

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::parse::Parser;
use syn::{Generics, Ident, Item};

use crate::attr::{Errors, crate_path, error_with_item, item_span, parse_options, path_value};

/// A parsed `#[linker]`.
struct LinkerInput {
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

fn parse(args: TokenStream, item: TokenStream) -> syn::Result<LinkerInput> {
    let mut errors = Errors::default();
    let mut krate = None;
    for option in parse_options.parse2(args)? {
        if option.name == "crate" {
            krate = path_value("#[linker]", &option, &mut errors);
        } else {
            errors.add(
                &option.name,
                format!("unknown `#[linker]` option `{}`; the only option is `crate = path::to::pyventus`", option.name),
            );
        }
    }
    let parsed = match syn::parse2::<Item>(item)? {
        Item::Struct(item) => Some((item.ident, item.generics)),
        other => {
            errors.push(syn::Error::new(
                item_span(&other),
                "`#[linker]` can only be used on a struct, like `struct MyLinker;`",
            ));
            None
        }
    };
    errors.finish()?;
    let (ident, generics) = parsed.expect("no error means the item was a struct");
    Ok(LinkerInput {
        krate: crate_path(krate),
        ident,
        generics,
    })
}

fn validate(input: &LinkerInput) -> syn::Result<()> {
    if !input.generics.params.is_empty() {
        return Err(syn::Error::new_spanned(
            &input.generics,
            "`#[linker]` cannot be used on generic structs: a linker is one namespace; declare one struct per linker",
        ));
    }
    Ok(())
}

fn generate(input: &LinkerInput) -> TokenStream {
    let LinkerInput { krate, ident, .. } = input;
    let name = ident.to_string();
    let linker_impl = quote_spanned! {ident.span()=>
        impl #krate::__private::Linker for #ident {
            fn __meta() -> &'static #krate::__private::LinkerMeta {
                static META: #krate::__private::LinkerMeta =
                    #krate::__private::LinkerMeta::new(::core::concat!(::core::module_path!(), "::", #name));
                &META
            }
        }
    };
    quote! {
        const _: () = {
            #linker_impl

            #krate::__private::inventory::submit! {
                #krate::__private::LinkerRegistration::new(
                    <#ident as #krate::__private::Linker>::__meta
                )
            }
        };
    }
}
