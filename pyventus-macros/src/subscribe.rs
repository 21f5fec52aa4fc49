//! `#[subscribe(Event, ..)]`: registers a function as a compile-time handler.

use proc_macro2::TokenStream;
use quote::{ToTokens, format_ident, quote, quote_spanned};
use syn::parse::{Parse, ParseStream};
use syn::spanned::Spanned;
use syn::{Expr, ExprLit, ExprUnary, FnArg, Item, ItemFn, Lit, Path, ReturnType, Token, Type, UnOp};

use crate::attr::{AttrOption, Errors, crate_path, error_with_item, item_span, path_value};

/// The arguments of `#[subscribe(..)]`, as written: the event, then options.
struct SubscribeArgs {
    event: Option<Type>,
    options: Vec<AttrOption>,
}

impl Parse for SubscribeArgs {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        if input.is_empty() {
            return Ok(SubscribeArgs {
                event: None,
                options: Vec::new(),
            });
        }
        let event: Type = input.parse()?;
        let mut options = Vec::new();
        while !input.is_empty() {
            input.parse::<Token![,]>()?;
            if input.is_empty() {
                break;
            }
            options.push(input.parse()?);
        }
        Ok(SubscribeArgs {
            event: Some(event),
            options,
        })
    }
}

/// A checked `#[subscribe]`.
struct SubscribeInput {
    krate: TokenStream,
    event: Type,
    linker: Option<Path>,
    priority: Option<Expr>,
    function: ItemFn,
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

fn parse(args: TokenStream, item: TokenStream) -> syn::Result<SubscribeInput> {
    let mut errors = Errors::default();
    let args: SubscribeArgs = syn::parse2(args)?;
    let mut krate = None;
    let mut linker = None;
    let mut priority = None;
    for option in &args.options {
        let name = option.name.to_string();
        match name.as_str() {
            "crate" => krate = path_value("#[subscribe]", option, &mut errors),
            "linker" => linker = path_value("#[subscribe]", option, &mut errors),
            "priority" => match &option.value {
                Some(value) => priority = Some(value.clone()),
                None => errors.add(&option.name, "`#[subscribe]` option `priority` needs a value: `priority = 10`"),
            },
            _ => errors.add(
                &option.name,
                format!(
                    "unknown `#[subscribe]` option `{name}`; expected `linker = MyLinker` or `priority = 10`"
                ),
            ),
        }
    }
    let function = match syn::parse2::<Item>(item.clone()) {
        Ok(Item::Fn(function)) => Some(function),
        Ok(other) => {
            errors.push(syn::Error::new(
                item_span(&other),
                "`#[subscribe]` can only be used on a function, like `fn on_event(e: &MyEvent)`",
            ));
            None
        }
        // A method inside an `impl` block does not parse as an item; it parses as a function with a body.
        Err(_) => match syn::parse2::<syn::ImplItemFn>(item) {
            Ok(method) => Some(ItemFn {
                attrs: method.attrs,
                vis: method.vis,
                sig: method.sig,
                block: Box::new(method.block),
            }),
            Err(error) => return Err(error),
        },
    };
    let Some(event) = args.event else {
        errors.push(syn::Error::new(
            proc_macro2::Span::call_site(),
            "`#[subscribe]` needs the event to subscribe to: `#[subscribe(MyEvent)]`",
        ));
        return Err(errors.finish().expect_err("an error was just pushed"));
    };
    errors.finish()?;
    Ok(SubscribeInput {
        krate: crate_path(krate),
        event,
        linker,
        priority,
        function: function.expect("no error means the item was a function"),
    })
}

fn validate(input: &SubscribeInput) -> syn::Result<()> {
    let mut errors = Errors::default();
    let sig = &input.function.sig;
    if !sig.generics.params.is_empty() {
        errors.add(
            &sig.generics,
            "`#[subscribe]` cannot be used on generic functions: a handler is one function for one event type",
        );
    }
    if let Some(unsafety) = &sig.unsafety {
        errors.add(unsafety, "`#[subscribe]` cannot be used on `unsafe fn`: an emitter cannot uphold its contract");
    }
    for (position, input_arg) in sig.inputs.iter().enumerate() {
        match input_arg {
            FnArg::Receiver(receiver) => errors.add(
                receiver,
                "`#[subscribe]` cannot be used on methods; subscribe a free function `fn on_event(e: &MyEvent)`",
            ),
            FnArg::Typed(_) if position > 0 => errors.add(
                input_arg,
                "a handler takes at most one argument, the event by reference: `fn on_event(e: &MyEvent)`",
            ),
            FnArg::Typed(typed) => match &*typed.ty {
                Type::Reference(reference) if reference.mutability.is_some() => errors.add(
                    reference,
                    "a handler cannot take its event by `&mut`: every handler shares it; take `&MyEvent`",
                ),
                Type::Reference(_) => {}
                other => errors.add(
                    other,
                    "a handler takes its event by reference: write `e: &MyEvent`",
                ),
            },
        }
    }
    if let Some(priority) = &input.priority {
        if !is_integer_literal(priority) {
            errors.add(priority, "`#[subscribe]` option `priority` takes an integer literal, like `priority = 10`");
        }
    }
    errors.finish()
}

fn is_integer_literal(expr: &Expr) -> bool {
    match expr {
        Expr::Lit(ExprLit { lit: Lit::Int(_), .. }) => true,
        Expr::Unary(ExprUnary { op: UnOp::Neg(_), expr, .. }) => is_integer_literal(expr),
        _ => false,
    }
}

fn generate(input: &SubscribeInput) -> TokenStream {
    let krate = &input.krate;
    let event = &input.event;
    let sig = &input.function.sig;
    let function = &sig.ident;
    let path = function.to_string();
    let linker = match &input.linker {
        Some(linker) => linker.to_token_stream(),
        None => quote!(#krate::__private::EventLinker),
    };
    let priority = input
        .priority
        .as_ref()
        .map_or_else(|| quote!(0), ToTokens::to_token_stream);
    let handler = format_ident!("__PYVENTUS_HANDLER");

    // The user's function, called with the event when it takes one. Spanned on the user's argument type,
    // so that a handler of the wrong event is reported there.
    let call = match sig.inputs.first() {
        Some(FnArg::Typed(typed)) => quote_spanned!(typed.ty.span()=> #function(event)),
        _ => quote!({
            let _ = event;
            #function()
        }),
    };
    let output_span = match &sig.output {
        ReturnType::Type(_, ty) => ty.span(),
        ReturnType::Default => function.span(),
    };
    let (thunk, kind) = if sig.asyncness.is_some() {
        let into_outcome = quote_spanned! {output_span=>
            #krate::__private::HandlerReturn::__into_outcome(#call.await, #handler.site())
        };
        let boxed = quote_spanned! {function.span()=>
            ::std::boxed::Box::pin(async move { #into_outcome })
        };
        (
            quote! {
                fn __pyventus_call(
                    event: &#event,
                ) -> #krate::__private::BoxFuture<'_, #krate::__private::Outcome> {
                    #boxed
                }
            },
            quote!(Async),
        )
    } else {
        let into_outcome = quote_spanned! {output_span=>
            #krate::__private::HandlerReturn::__into_outcome(#call, #handler.site())
        };
        (
            quote! {
                fn __pyventus_call(event: &#event) -> #krate::__private::Outcome {
                    #into_outcome
                }
            },
            quote!(Sync),
        )
    };
    let linker_meta = quote_spanned! {linker.span()=>
        <#linker as #krate::__private::Linker>::__meta
    };
    let event_name = quote_spanned! {event.span()=>
        <#event as #krate::__private::Event>::NAME
    };

    quote! {
        const _: () = {
            #thunk

            static #handler: #krate::__private::Handler<#event> = #krate::__private::Handler::new(
                #krate::__private::Site {
                    handler: ::core::concat!(::core::module_path!(), "::", #path),
                    event: #event_name,
                    linker: #linker_meta,
                },
                #krate::__private::HandlerFn::#kind(__pyventus_call),
            )
            .with_priority(#priority);

            #krate::__private::inventory::submit! {
                #krate::__private::Registration::new(&#handler)
            }
        };
    }
}
