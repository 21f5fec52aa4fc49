//! `#[subscribe(Event, ..)]`: registers a function as a compile-time handler.

use proc_macro2::{Span, TokenStream};
use quote::{ToTokens, format_ident, quote, quote_spanned};
use syn::parse::{Parse, ParseStream};
use syn::spanned::Spanned;
use syn::{
    Expr, ExprLit, ExprUnary, FnArg, Ident, Item, ItemFn, Lit, LitStr, Path, ReturnType, Token,
    Type, UnOp,
};

use crate::attr::{AttrOption, Errors, crate_path, error_with_item, item_span, path_value};

/// The names `#[subscribe]` reads as options rather than as event types.
const OPTION_NAMES: [&str; 6] = [
    "crate",
    "linker",
    "priority",
    "once",
    "on_success",
    "on_failure",
];

const EXPECTED_OPTIONS: &str =
    "expected `linker = MyLinker`, `priority = 10`, `once`, `on_success = f` or `on_failure = g`";

/// One argument of `#[subscribe(..)]` as written: an event type, an option, or a string (a mistake
/// Pyventus users will make, since Pyventus names events with strings).
enum SubscribeArg {
    Event(Type),
    Option(AttrOption),
    String(LitStr),
}

impl Parse for SubscribeArg {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        if input.peek(LitStr) {
            return input.parse().map(SubscribeArg::String);
        }
        let named_option = (input.peek(Token![crate]) && input.peek2(Token![=]))
            || (input.peek(syn::Ident) && (input.peek2(Token![=]) || is_option_name(input)));
        if named_option {
            return input.parse().map(SubscribeArg::Option);
        }
        input.parse().map(SubscribeArg::Event)
    }
}

/// Whether the next token is one of [`OPTION_NAMES`] on its own (`once`, or `priority` missing its value).
fn is_option_name(input: ParseStream<'_>) -> bool {
    let fork = input.fork();
    let Ok(ident) = fork.parse::<Ident>() else {
        return false;
    };
    OPTION_NAMES.iter().any(|name| ident == name) && (fork.is_empty() || fork.peek(Token![,]))
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
    function: Option<ItemFn>,
}

pub(crate) fn expand(args: TokenStream, item: TokenStream) -> TokenStream {
    let mut errors = Errors::default();
    let input = parse(args, item.clone(), &mut errors);
    if let Some(input) = &input {
        validate(input, &mut errors);
    }
    match (errors.finish(), input) {
        (Ok(()), Some(input)) => {
            let generated = generate(&input);
            quote! {
                #item
                #generated
            }
        }
        (Err(error), _) => error_with_item(error, item),
        (Ok(()), None) => item,
    }
}

/// Parses the attribute and the function, collecting every problem into `errors`.
fn parse(args: TokenStream, item: TokenStream, errors: &mut Errors) -> Option<SubscribeInput> {
    let args: SubscribeArgs = match syn::parse2(args) {
        Ok(args) => args,
        Err(error) => {
            errors.push(error);
            return None;
        }
    };
    let mut input = SubscribeInput {
        krate: TokenStream::new(),
        events: Vec::new(),
        linker: None,
        priority: None,
        once: false,
        on_success: None,
        on_failure: None,
        function: None,
    };
    let mut krate = None;
    let mut seen: Vec<String> = Vec::new();
    let mut named_by_string = false;
    for arg in args.0 {
        let option = match arg {
            SubscribeArg::Event(event) => {
                input.events.push(event);
                continue;
            }
            SubscribeArg::String(name) => {
                named_by_string = true;
                errors.add(
                    &name,
                    format!(
                        "`#[subscribe]` takes the event's type, not its name: write `#[subscribe({})]`",
                        name.value()
                    ),
                );
                continue;
            }
            SubscribeArg::Option(option) => option,
        };
        let name = option.name.to_string();
        if seen.contains(&name) {
            errors.add(
                &option.name,
                format!("`#[subscribe]` option `{name}` is given twice"),
            );
            continue;
        }
        seen.push(name.clone());
        match name.as_str() {
            "crate" => krate = path_value("#[subscribe]", &option, errors),
            "linker" => input.linker = path_value("#[subscribe]", &option, errors),
            "priority" => input.priority = value("priority = 10", &option, errors),
            "on_success" => input.on_success = value("on_success = my_callback", &option, errors),
            "on_failure" => input.on_failure = value("on_failure = my_callback", &option, errors),
            "once" if option.value.is_none() => input.once = true,
            "once" => errors.add(
                &option.name,
                "`#[subscribe]` option `once` takes no value: write `once`",
            ),
            _ => errors.add(
                &option.name,
                format!("unknown `#[subscribe]` option `{name}`; {EXPECTED_OPTIONS}"),
            ),
        }
    }
    input.krate = crate_path(krate);
    input.function = match syn::parse2::<Item>(item.clone()) {
        Ok(Item::Fn(function)) => Some(function),
        Ok(other) => {
            errors.push(syn::Error::new(
                item_span(&other),
                "`#[subscribe]` can only be used on a free function, like `fn on_event(e: &MyEvent)`",
            ));
            None
        }
        // A method inside an `impl` block does not parse as an item.
        Err(error) => match syn::parse2::<syn::ImplItemFn>(item) {
            Ok(method) => Some(ItemFn {
                attrs: method.attrs,
                vis: method.vis,
                sig: method.sig,
                block: Box::new(method.block),
            }),
            Err(_) => {
                errors.push(error);
                None
            }
        },
    };
    if input.events.is_empty() && !named_by_string {
        errors.push(syn::Error::new(
            Span::call_site(),
            "`#[subscribe]` needs the event to subscribe to: `#[subscribe(MyEvent)]`",
        ));
    }
    Some(input)
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

/// The event as the user wrote it, for messages (`MyEvent` when there is none).
fn event_text(input: &SubscribeInput) -> String {
    input.events.first().map_or_else(
        || "MyEvent".to_owned(),
        |event| event.to_token_stream().to_string().replace(' ', ""),
    )
}

fn validate(input: &SubscribeInput, errors: &mut Errors) {
    let event = event_text(input);
    for (index, listed) in input.events.iter().enumerate() {
        let text = listed.to_token_stream().to_string();
        if input.events[..index]
            .iter()
            .any(|earlier| earlier.to_token_stream().to_string() == text)
        {
            errors.add(
                listed,
                format!("`{text}` is listed twice in `#[subscribe]`"),
            );
        }
    }
    if let Some(priority) = &input.priority {
        match priority_value(priority) {
            Some(value) if i32::try_from(value).is_ok() => {}
            Some(_) => errors.add(
                priority,
                "`#[subscribe]` option `priority` must fit in an `i32`",
            ),
            None => errors.add(
                priority,
                "`#[subscribe]` option `priority` takes an integer literal, like `priority = 10`",
            ),
        }
    }
    let Some(function) = &input.function else {
        return;
    };
    let sig = &function.sig;
    if sig.generics.type_params().next().is_some() || sig.generics.const_params().next().is_some() {
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
    let mut arguments = 0;
    for argument in &sig.inputs {
        let FnArg::Typed(typed) = argument else {
            errors.add(
                argument,
                format!(
                    "`#[subscribe]` cannot be used on methods; subscribe a free function `fn on_event(e: &{event})`"
                ),
            );
            continue;
        };
        arguments += 1;
        if arguments > 1 {
            errors.add(
                argument,
                format!(
                    "a handler takes at most one argument, the event by reference: `fn on_event(e: &{event})`"
                ),
            );
            continue;
        }
        match &*typed.ty {
            Type::Reference(reference) if reference.mutability.is_some() => errors.add(
                reference,
                format!(
                    "a handler cannot take its event by `&mut`: every handler shares it; take `&{event}`"
                ),
            ),
            Type::Reference(reference)
                if reference
                    .lifetime
                    .as_ref()
                    .is_some_and(|lifetime| lifetime.ident == "static") =>
            {
                errors.add(
                    &reference.lifetime,
                    format!(
                        "a handler borrows its event only for the call: write `&{event}`, without `'static`"
                    ),
                )
            }
            Type::Reference(reference)
                if several && !matches!(*reference.elem, Type::TraitObject(_)) =>
            {
                errors.add(
                    reference,
                    "a handler of several events takes `&dyn AnyEvent` (or no argument): \
                     `fn on_any(e: &dyn pyventus::AnyEvent)`",
                )
            }
            Type::Reference(_) => {}
            other => errors.add(
                other,
                format!("a handler takes its event by reference: write `e: &{event}`"),
            ),
        }
    }
}

/// The value of an integer literal (possibly negated), or `None` for anything else.
fn priority_value(expr: &Expr) -> Option<i128> {
    match expr {
        Expr::Lit(ExprLit {
            lit: Lit::Int(int), ..
        }) => int.base10_parse().ok(),
        Expr::Unary(ExprUnary {
            op: UnOp::Neg(_),
            expr,
            ..
        }) => priority_value(expr).map(|value| -value),
        _ => None,
    }
}

fn generate(input: &SubscribeInput) -> TokenStream {
    let function = input
        .function
        .as_ref()
        .expect("generate runs only after a successful parse");
    let krate = &input.krate;
    let path = function.sig.ident.to_string();
    let linker = match &input.linker {
        Some(linker) => linker.to_token_stream(),
        None => quote!(#krate::__private::EventLinker),
    };
    let priority = input
        .priority
        .as_ref()
        .map_or_else(|| quote!(0), ToTokens::to_token_stream);
    let once_flag = format_ident!("__PYVENTUS_ONCE");
    let default_on_success = quote_spanned! {linker.span()=>
        const __PYVENTUS_ON_SUCCESS: ::core::option::Option<#krate::__private::DefaultSuccessFn> =
            <#linker as #krate::__private::Linker>::__ON_SUCCESS;
    };
    let once_static = input.once.then(|| {
        quote!(static #once_flag: #krate::__private::OnceFlag = #krate::__private::OnceFlag::new();)
    });
    let once = input.once.then(|| quote!(.once(&#once_flag)));

    let handlers = input.events.iter().enumerate().map(|(index, event)| {
        let handler = format_ident!("__PYVENTUS_HANDLER_{}", index);
        let thunk_name = format_ident!("__pyventus_call_{}", index);
        let plain_name = format_ident!("__PYVENTUS_PLAIN_{}", index);
        let info = quote!(#handler.info());
        let plain = plain_call(input, function);
        let (thunk_fn, kind) = thunk(
            input,
            function,
            event,
            &thunk_name,
            plain.as_ref().map(|_| &plain_name),
            &info,
        );
        let plain_const = plain
            .as_ref()
            .map(|plain| quote!(const #plain_name: fn(&#event) = #plain;));
        let with_plain = plain.map(|_| quote!(.with_plain(#plain_name)));
        let linker_meta = quote_spanned! {linker.span()=>
            <#linker as #krate::__private::Linker>::__meta
        };
        let event_name = quote_spanned! {event.span()=>
            <#event as #krate::__private::Event>::NAME
        };
        let registration = quote_spanned! {event.span()=>
            #krate::__private::Registration::new::<#event>(&#handler)
        };
        quote! {
            #plain_const

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
            .at(::core::line!(), ::core::column!())
            #with_plain
            #once;

            #krate::__private::inventory::submit! {
                #registration
            }
        }
    });

    quote! {
        const _: () = {
            #once_static
            #default_on_success
            #(#handlers)*
        };
    }
}

/// The user's function as a `fn(&Event)` pointer, when the inline fast path may call it without the
/// wrapper: sync, one `&Event` argument, returns `()`, no callbacks, one event. Spanned on the user's
/// argument type, so that a handler of the wrong event is reported there, once.
fn plain_call(input: &SubscribeInput, function: &ItemFn) -> Option<TokenStream> {
    let sig = &function.sig;
    let returns_unit = match &sig.output {
        ReturnType::Default => true,
        ReturnType::Type(_, ty) => matches!(&**ty, Type::Tuple(tuple) if tuple.elems.is_empty()),
    };
    let eligible = sig.asyncness.is_none()
        && returns_unit
        && input.events.len() == 1
        && input.on_success.is_none()
        && input.on_failure.is_none();
    let argument = match sig.inputs.first() {
        Some(FnArg::Typed(typed)) if eligible => typed,
        _ => return None,
    };
    let Type::Reference(reference) = &*argument.ty else {
        return None;
    };
    if matches!(*reference.elem, Type::TraitObject(_)) {
        return None;
    }
    let ident = &sig.ident;
    Some(quote_spanned!(reference.elem.span()=> #ident))
}

/// The wrapper the handler static points to: calls the user's function (through `plain` when there is
/// one) and turns what it returns (or its panic, with `on_failure`) into an outcome.
fn thunk(
    input: &SubscribeInput,
    function: &ItemFn,
    event: &Type,
    name: &Ident,
    plain: Option<&Ident>,
    info: &TokenStream,
) -> (TokenStream, TokenStream) {
    let krate = &input.krate;
    let sig = &function.sig;
    let ident = &sig.ident;
    // The wrapper's parameter, invisible to the user's names (a handler may be called `event`).
    let event_arg = Ident::new("__pyventus_event", Span::mixed_site());
    let call = match (plain, sig.inputs.first()) {
        (Some(plain), _) => quote!(#plain(#event_arg)),
        // Spanned on the user's argument type, so that a handler of the wrong event is reported there.
        (None, Some(FnArg::Typed(typed))) => quote_spanned!(typed.ty.span()=> #ident(#event_arg)),
        (None, _) => quote!({
            let _ = #event_arg;
            #ident()
        }),
    };
    let output_span = match &sig.output {
        ReturnType::Type(_, ty) => ty.span(),
        ReturnType::Default => ident.span(),
    };
    let is_async = sig.asyncness.is_some();
    // The linker's default `on_success`, a constant defined next to the handlers (see `generate`): the
    // check folds away when there is none.
    let default_on_success = quote_spanned!(output_span=> __PYVENTUS_ON_SUCCESS);
    let returned = if is_async {
        quote!(#call.await)
    } else {
        call.clone()
    };
    let outcome = match (&input.on_success, &input.on_failure) {
        // The returned value is bound to a name spanned on the return type, so that a return type that
        // is not `()` or `Result` is reported there.
        (None, None) => quote_spanned! {output_span=>
            {
                #[allow(clippy::let_unit_value)]
                let __pyventus_returned = #returned;
                #krate::__private::finish(__pyventus_returned, #info, #default_on_success)
            }
        },
        (Some(on_success), None) => quote_spanned! {output_span=>
            #krate::__private::on_result(#returned, #info, #on_success)
        },
        (on_success, Some(on_failure)) => {
            let caught = if is_async {
                quote!(#krate::__private::catch_unwind_async(#call).await)
            } else {
                quote!(::std::panic::catch_unwind(::std::panic::AssertUnwindSafe(|| #call)))
            };
            let on_success = match on_success {
                Some(on_success) => on_success.to_token_stream(),
                None => quote!(|_| #krate::__private::succeeded(#info, #default_on_success)),
            };
            quote_spanned! {output_span=>
                #krate::__private::on_caught(#caught, #info, #on_success, #on_failure)
            }
        }
    };
    if is_async {
        let boxed = quote_spanned! {ident.span()=>
            ::std::boxed::Box::pin(async move { #outcome })
        };
        (
            quote! {
                fn #name(#event_arg: &#event) -> #krate::__private::BoxFuture<'_, #krate::__private::Outcome> {
                    #boxed
                }
            },
            quote!(Async),
        )
    } else {
        (
            quote! {
                fn #name(#event_arg: &#event) -> #krate::__private::Outcome {
                    #outcome
                }
            },
            quote!(Sync),
        )
    }
}
