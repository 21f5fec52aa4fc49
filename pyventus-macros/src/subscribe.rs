//! `#[subscribe(Event, ..)]`: registers a function as a compile-time handler.

use proc_macro2::{Span, TokenStream};
use quote::{ToTokens, format_ident, quote, quote_spanned};
use syn::parse::{Parse, ParseStream};
use syn::spanned::Spanned;
use syn::{
    Expr, ExprLit, ExprUnary, FnArg, Ident, Item, ItemFn, Lit, Path, ReturnType, Token, Type, UnOp,
};

use crate::attr::{AttrOption, Errors, crate_path, error_with_item, item_span, path_value};

/// One argument of `#[subscribe(..)]` as written: an event type, a flag, or `key = value`.
enum SubscribeArg {
    Event(Type),
    Option(AttrOption),
}

impl Parse for SubscribeArg {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        let is_option =
            (input.peek(syn::Ident) || input.peek(Token![crate])) && input.peek2(Token![=]);
        if is_option {
            return input.parse().map(SubscribeArg::Option);
        }
        let ty: Type = input.parse()?;
        // Bare flags look like one-segment paths: tell them apart from event types by name.
        if let Type::Path(path) = &ty
            && path.qself.is_none()
            && let Some(name) = path.path.get_ident().filter(|name| *name == "once")
        {
            return Ok(SubscribeArg::Option(AttrOption {
                name: name.clone(),
                value: None,
            }));
        }
        Ok(SubscribeArg::Event(ty))
    }
}

struct SubscribeArgs(Vec<SubscribeArg>);

impl Parse for SubscribeArgs {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        let args = input.parse_terminated(SubscribeArg::parse, Token![,])?;
        Ok(SubscribeArgs(args.into_iter().collect()))
    }
}

/// A parsed `#[subscribe]`.
struct SubscribeInput {
    krate: TokenStream,
    events: Vec<Type>,
    linker: Option<Path>,
    priority: Option<Expr>,
    once: bool,
    on_success: Option<Expr>,
    on_failure: Option<Expr>,
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

const OPTIONS: &str =
    "expected `linker = MyLinker`, `priority = 10`, `once`, `on_success = f` or `on_failure = g`";

fn parse(args: TokenStream, item: TokenStream) -> syn::Result<SubscribeInput> {
    let mut errors = Errors::default();
    let args: SubscribeArgs = syn::parse2(args)?;
    let mut input = SubscribeInput {
        krate: TokenStream::new(),
        events: Vec::new(),
        linker: None,
        priority: None,
        once: false,
        on_success: None,
        on_failure: None,
        function: syn::parse_quote!(
            fn placeholder() {}
        ),
    };
    let mut krate = None;
    for arg in args.0 {
        let option = match arg {
            SubscribeArg::Event(event) => {
                input.events.push(event);
                continue;
            }
            SubscribeArg::Option(option) => option,
        };
        let name = option.name.to_string();
        match name.as_str() {
            "crate" => krate = path_value("#[subscribe]", &option, &mut errors),
            "linker" => input.linker = path_value("#[subscribe]", &option, &mut errors),
            "priority" => input.priority = value("priority = 10", &option, &mut errors),
            "on_success" => {
                input.on_success = value("on_success = my_callback", &option, &mut errors)
            }
            "on_failure" => {
                input.on_failure = value("on_failure = my_callback", &option, &mut errors)
            }
            "once" if option.value.is_none() => input.once = true,
            "once" => errors.add(
                &option.name,
                "`#[subscribe]` option `once` takes no value: write `once`",
            ),
            _ => errors.add(
                &option.name,
                format!("unknown `#[subscribe]` option `{name}`; {OPTIONS}"),
            ),
        }
    }
    input.krate = crate_path(krate);
    match syn::parse2::<Item>(item.clone()) {
        Ok(Item::Fn(function)) => input.function = function,
        Ok(other) => errors.push(syn::Error::new(
            item_span(&other),
            "`#[subscribe]` can only be used on a function, like `fn on_event(e: &MyEvent)`",
        )),
        // A method inside an `impl` block does not parse as an item.
        Err(_) => {
            let method: syn::ImplItemFn = syn::parse2(item)?;
            input.function = ItemFn {
                attrs: method.attrs,
                vis: method.vis,
                sig: method.sig,
                block: Box::new(method.block),
            };
        }
    }
    if input.events.is_empty() {
        errors.push(syn::Error::new(
            Span::call_site(),
            "`#[subscribe]` needs the event to subscribe to: `#[subscribe(MyEvent)]`",
        ));
    }
    errors.finish()?;
    Ok(input)
}

fn value(example: &str, option: &AttrOption, errors: &mut Errors) -> Option<Expr> {
    if option.value.is_none() {
        errors.add(
            &option.name,
            format!(
                "`#[subscribe]` option `{}` needs a value: `{example}`",
                option.name
            ),
        );
    }
    option.value.clone()
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
        errors.add(
            unsafety,
            "`#[subscribe]` cannot be used on `unsafe fn`: an emitter cannot uphold its safety contract",
        );
    }
    let several = input.events.len() > 1;
    for (position, argument) in sig.inputs.iter().enumerate() {
        match argument {
            FnArg::Receiver(receiver) => errors.add(
                receiver,
                "`#[subscribe]` cannot be used on methods; subscribe a free function `fn on_event(e: &MyEvent)`",
            ),
            FnArg::Typed(_) if position > 0 => errors.add(
                argument,
                "a handler takes at most one argument, the event by reference: `fn on_event(e: &MyEvent)`",
            ),
            FnArg::Typed(typed) => match &*typed.ty {
                Type::Reference(reference) if reference.mutability.is_some() => errors.add(
                    reference,
                    "a handler cannot take its event by `&mut`: every handler shares it; take `&MyEvent`",
                ),
                Type::Reference(reference) if several && !matches!(*reference.elem, Type::TraitObject(_)) => errors.add(
                    reference,
                    "a handler of several events takes `&dyn AnyEvent` (or no argument): \
                     `fn on_any(e: &dyn pyventus::AnyEvent)`",
                ),
                Type::Reference(_) => {}
                other => errors.add(other, "a handler takes its event by reference: write `e: &MyEvent`"),
            },
        }
    }
    for (index, event) in input.events.iter().enumerate() {
        let text = event.to_token_stream().to_string();
        if input.events[..index]
            .iter()
            .any(|earlier| earlier.to_token_stream().to_string() == text)
        {
            errors.add(event, format!("`{text}` is listed twice in `#[subscribe]`"));
        }
    }
    if let Some(priority) = &input.priority
        && !is_integer_literal(priority)
    {
        {
            errors.add(
                priority,
                "`#[subscribe]` option `priority` takes an integer literal, like `priority = 10`",
            );
        }
    }
    errors.finish()
}

fn is_integer_literal(expr: &Expr) -> bool {
    match expr {
        Expr::Lit(ExprLit {
            lit: Lit::Int(_), ..
        }) => true,
        Expr::Unary(ExprUnary {
            op: UnOp::Neg(_),
            expr,
            ..
        }) => is_integer_literal(expr),
        _ => false,
    }
}

fn generate(input: &SubscribeInput) -> TokenStream {
    let krate = &input.krate;
    let sig = &input.function.sig;
    let path = sig.ident.to_string();
    let linker = match &input.linker {
        Some(linker) => linker.to_token_stream(),
        None => quote!(#krate::__private::EventLinker),
    };
    let priority = input
        .priority
        .as_ref()
        .map_or_else(|| quote!(0), ToTokens::to_token_stream);
    let once_flag = format_ident!("__PYVENTUS_ONCE");
    let once_static = input.once.then(|| {
        quote!(static #once_flag: #krate::__private::OnceFlag = #krate::__private::OnceFlag::new();)
    });
    let once = input.once.then(|| quote!(.once(&#once_flag)));

    let handlers = input.events.iter().enumerate().map(|(index, event)| {
        let handler = format_ident!("__PYVENTUS_HANDLER_{}", index);
        let thunk_name = format_ident!("__pyventus_call_{}", index);
        let site = quote!(#handler.site());
        let (thunk_fn, kind) = thunk(input, event, &thunk_name, &site, &linker);
        let linker_meta = quote_spanned! {linker.span()=>
            <#linker as #krate::__private::Linker>::__meta
        };
        let event_name = quote_spanned! {event.span()=>
            <#event as #krate::__private::Event>::NAME
        };
        quote! {
            #thunk_fn

            static #handler: #krate::__private::Handler<#event> = #krate::__private::Handler::new(
                #krate::__private::HandlerInfo::new(
                    ::core::concat!(::core::module_path!(), "::", #path),
                    #event_name,
                    #linker_meta,
                ),
                #krate::__private::HandlerFn::#kind(#thunk_name),
            )
            .with_priority(#priority)
            #once;

            #krate::__private::inventory::submit! {
                #krate::__private::Registration::new(&#handler)
            }
        }
    });

    quote! {
        const _: () = {
            #once_static
            #(#handlers)*
        };
    }
}

/// The wrapper the handler static points to: calls the user's function and turns what it returns (or
/// its panic, with `on_failure`) into an outcome.
fn thunk(
    input: &SubscribeInput,
    event: &Type,
    name: &Ident,
    site: &TokenStream,
    linker: &TokenStream,
) -> (TokenStream, TokenStream) {
    let krate = &input.krate;
    let sig = &input.function.sig;
    let function = &sig.ident;
    // Spanned on the user's argument type, so that a handler of the wrong event is reported there.
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
    let is_async = sig.asyncness.is_some();
    let returned = if is_async {
        quote!(#call.await)
    } else {
        call.clone()
    };
    let outcome = match (&input.on_success, &input.on_failure) {
        (None, None) => quote_spanned! {output_span=>
            #krate::__private::finish::<#linker, _>(#returned, #site)
        },
        (Some(on_success), None) => quote_spanned! {output_span=>
            #krate::__private::on_result(#returned, #site, #on_success)
        },
        (on_success, Some(on_failure)) => {
            let caught = if is_async {
                quote!(#krate::__private::catch_unwind_async(#call).await)
            } else {
                quote!(::std::panic::catch_unwind(::std::panic::AssertUnwindSafe(|| #call)))
            };
            let on_success = match on_success {
                Some(on_success) => on_success.to_token_stream(),
                None => quote!(|_| #krate::__private::succeeded::<#linker>(#site)),
            };
            quote_spanned! {output_span=>
                #krate::__private::on_caught(#caught, #site, #on_success, #on_failure)
            }
        }
    };
    if is_async {
        let boxed = quote_spanned! {function.span()=>
            ::std::boxed::Box::pin(async move { #outcome })
        };
        (
            quote! {
                fn #name(event: &#event) -> #krate::__private::BoxFuture<'_, #krate::__private::Outcome> {
                    #boxed
                }
            },
            quote!(Async),
        )
    } else {
        (
            quote! {
                fn #name(event: &#event) -> #krate::__private::Outcome {
                    #outcome
                }
            },
            quote!(Sync),
        )
    }
}
