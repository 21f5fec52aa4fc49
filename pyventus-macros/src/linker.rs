//! `#[linker]`: declares a linker type.

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::parse::Parser;
use syn::spanned::Spanned;
use syn::{Expr, ExprLit, Generics, Ident, Item, Lit};

use crate::attr::{Errors, crate_path, error_with_item, item_span, parse_options, path_value};

/// A parsed `#[linker]`.
struct LinkerInput {
    krate: TokenStream,
    ident: Ident,
    generics: Generics,
    max_subscribers: Option<Expr>,
    on_success: Option<Expr>,
    on_failure: Option<Expr>,
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
    let mut max_subscribers = None;
    let mut on_success = None;
    let mut on_failure = None;
    let mut seen: Vec<String> = Vec::new();
    for option in parse_options.parse2(args)? {
        let name = option.name.to_string();
        if seen.contains(&name) {
            errors.add(
                &option.name,
                format!("`#[linker]` option `{name}` is given twice"),
            );
            continue;
        }
        seen.push(name.clone());
        let slot = match name.as_str() {
            "crate" => {
                krate = path_value("#[linker]", &option, &mut errors);
                continue;
            }
            "max_subscribers" => &mut max_subscribers,
            "on_success" => &mut on_success,
            "on_failure" => &mut on_failure,
            _ => {
                errors.add(
                    &option.name,
                    format!(
                        "unknown `#[linker]` option `{name}`; expected `max_subscribers = N`, \
                         `on_success = f` or `on_failure = g`"
                    ),
                );
                continue;
            }
        };
        match option.value {
            Some(value) => *slot = Some(value),
            None => errors.add(
                &option.name,
                format!("`#[linker]` option `{name}` needs a value: `{name} = ...`"),
            ),
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
        max_subscribers,
        on_success,
        on_failure,
    })
}

fn validate(input: &LinkerInput) -> syn::Result<()> {
    let mut errors = Errors::default();
    if !input.generics.params.is_empty() {
        errors.add(
            &input.generics,
            "`#[linker]` cannot be used on generic structs: a linker is one namespace; declare one struct per linker",
        );
    }
    if let Some(max) = &input.max_subscribers {
        match max {
            Expr::Lit(ExprLit { lit: Lit::Int(int), .. }) => match int.base10_parse::<usize>() {
                Ok(0) => errors.add(int, "`max_subscribers` must be at least 1"),
                Ok(_) => {}
                Err(error) => errors.push(error),
            },
            other => errors.add(
                other,
                "`#[linker]` option `max_subscribers` takes an integer literal, like `max_subscribers = 10`",
            ),
        }
    }
    errors.finish()
}

fn generate(input: &LinkerInput) -> TokenStream {
    let LinkerInput { krate, ident, .. } = input;
    let name = ident.to_string();
    let max_subscribers = input
        .max_subscribers
        .as_ref()
        .map(|max| quote_spanned!(max.span()=> .with_max_subscribers(#max)));
    let on_failure = input
        .on_failure
        .as_ref()
        .map(|on_failure| quote_spanned!(on_failure.span()=> .with_on_failure(#on_failure)));
    let meta_on_success = input
        .on_success
        .as_ref()
        .map(|on_success| quote_spanned!(on_success.span()=> .with_on_success(#on_success)));
    let on_success = input.on_success.as_ref().map(|on_success| {
        quote_spanned! {on_success.span()=>
            const __ON_SUCCESS: ::core::option::Option<#krate::__private::DefaultSuccessFn> =
                ::core::option::Option::Some(#on_success);
        }
    });
    let linker_impl = quote_spanned! {ident.span()=>
        impl #krate::__private::Linker for #ident {
            #on_success

            fn __meta() -> &'static #krate::__private::LinkerMeta {
                static META: #krate::__private::LinkerMeta =
                    #krate::__private::LinkerMeta::new(::core::concat!(::core::module_path!(), "::", #name))
                        #max_subscribers
                        #meta_on_success
                        #on_failure;
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
