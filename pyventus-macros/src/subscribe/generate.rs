//! The code of a `#[subscribe]`: per event, a wrapper function, a handler static and its registration.

use proc_macro2::{Group, Span, TokenStream, TokenTree};
use quote::{ToTokens, format_ident, quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{FnArg, Ident, ItemFn, ReturnType, Type};

use super::SubscribeAttr;
use super::signature::params;
use crate::expand::hidden_in;

/// Everything `#[subscribe]` adds after the user's function.
pub(super) fn handlers(attr: &SubscribeAttr) -> TokenStream {
    let Some(function) = &attr.function else {
        // `parse` reported why there is no function, so generation never runs without one.
        return syn::Error::new(
            Span::call_site(),
            "`#[subscribe]` found no function to register; please report this as a pyventus bug",
        )
        .into_compile_error();
    };
    let krate = &attr.krate;
    let path = function.sig.ident.to_string();
    let linker = match &attr.linker {
        Some(linker) => linker.to_token_stream(),
        None => quote!(#krate::__private::EventLinker),
    };
    let priority = attr
        .priority
        .as_ref()
        .map_or_else(|| quote!(0), ToTokens::to_token_stream);
    let plain = plain_call(attr, function);
    // Only the wrappers call the linker's default `on_success`; a plain handler has none.
    let default_on_success = plain.is_none().then(|| {
        quote_spanned! {linker.span()=>
            const __PYVENTUS_ON_SUCCESS: #krate::__private::Option<#krate::__private::DefaultSuccessFn> =
                <#linker as #krate::__private::Linker>::__ON_SUCCESS;
        }
    });
    let once_flag = format_ident!("__PYVENTUS_ONCE");
    let once_static = attr.once.then(|| {
        quote!(static #once_flag: #krate::__private::OnceFlag = #krate::__private::OnceFlag::new();)
    });
    let once = attr.once.then(|| quote!(.once(&#once_flag)));
    let extractors = params(function).extractors;
    // The state types each extractor reads, for `check_states` and debug mode.
    let requires = (!extractors.is_empty()).then(|| {
        let lists = extractors.iter().map(|extractor| {
            let ty = &extractor.ty;
            quote_spanned!(ty.span()=> <#ty as #krate::__private::FromContext>::required_states)
        });
        quote!(.requires(&[#(#lists),*]))
    });

    let handlers = attr.events.iter().enumerate().map(|(index, event)| {
        let handler = format_ident!("__PYVENTUS_HANDLER_{}", index);
        let wrapper_name = format_ident!("__pyventus_call_{}", index);
        let plain_name = format_ident!("__PYVENTUS_PLAIN_{}", index);
        // A plain handler is called as written, on every path: no wrapper to compile.
        let (wrapper_fn, call) = match &plain {
            Some(plain) => (
                quote!(const #plain_name: fn(&#event) = #plain;),
                quote!(#krate::__private::HandlerFn::Plain(#plain_name)),
            ),
            None => {
                let (wrapper_fn, kind) = wrapper(
                    attr,
                    function,
                    event,
                    &wrapper_name,
                    &quote!(#handler.info()),
                );
                (
                    wrapper_fn,
                    quote!(#krate::__private::HandlerFn::#kind(#wrapper_name)),
                )
            }
        };
        let linker_meta = quote_spanned! {linker.span()=>
            <#linker as #krate::__private::Linker>::__meta
        };
        let event_ref = format_ident!("__PYVENTUS_EVENT_{}", index);
        // The one place the event type must be an `Event`: a type that is not gives one error, here.
        let event_const = quote_spanned! {event.span()=>
            const #event_ref: #krate::__private::EventRef<#event> =
                #krate::__private::event_ref::<#event>();
        };
        quote! {
            #event_const

            #wrapper_fn

            static #handler: #krate::__private::Handler<#event> = #krate::__private::Handler::new(
                #krate::__private::HandlerInfo::new(
                    #krate::__private::concat!(#krate::__private::module_path!(), "::", #path),
                    #event_ref.name,
                    #event_ref.path,
                    #linker_meta,
                ),
                #call,
            )
            .with_priority(#priority)
            .at(#krate::__private::line!(), #krate::__private::column!())
            #once
            #requires;

            #krate::__private::submit! {
                #krate::__private::Registration::new(&#handler, #event_ref)
            }
        }
    });

    let name = format_ident!("__PYVENTUS_SUBSCRIBE_{}", function.sig.ident);
    hidden_in(
        &name.into_token_stream(),
        quote! {
            #once_static
            #default_on_success
            #(#handlers)*
        },
    )
}

/// The user's function as a `fn(&Event)` pointer, when the inline fast path may call it without the
/// wrapper: sync, one `&Event` argument, returns `()`, no callbacks, one event. Spanned on the user's
/// argument type, so that a handler of the wrong event is reported there, once.
fn plain_call(attr: &SubscribeAttr, function: &ItemFn) -> Option<TokenStream> {
    let sig = &function.sig;
    let returns_unit = match &sig.output {
        ReturnType::Default => true,
        ReturnType::Type(_, ty) => matches!(&**ty, Type::Tuple(tuple) if tuple.elems.is_empty()),
    };
    let eligible = sig.asyncness.is_none()
        && returns_unit
        && sig.inputs.len() == 1
        && attr.events.len() == 1
        && attr.on_success.is_none()
        && attr.on_failure.is_none();
    let argument = match sig.inputs.first() {
        Some(FnArg::Typed(typed)) if eligible => typed,
        _ => return None,
    };
    let Type::Reference(reference) = &*argument.ty else {
        return None;
    };
    // Only where the handler visibly takes its event: then the pointer's type cannot mismatch.
    if matches!(*reference.elem, Type::TraitObject(_)) || !takes_event_as_written(attr, function) {
        return None;
    }
    let ident = &sig.ident;
    Some(quote_spanned!(reference.elem.span()=> #ident))
}

/// The type the handler takes by reference, when it takes one event by `&T` (not several events, not
/// `&dyn AnyEvent`, not nothing).
fn taken_event<'f>(attr: &SubscribeAttr, function: &'f ItemFn) -> Option<&'f Type> {
    let Some(FnArg::Typed(argument)) = function.sig.inputs.first() else {
        return None;
    };
    match &*argument.ty {
        Type::Reference(reference)
            if attr.events.len() == 1 && !matches!(*reference.elem, Type::TraitObject(_)) =>
        {
            Some(&reference.elem)
        }
        _ => None,
    }
}

/// Whether the handler takes `&T` with `T` written as the event is (`#[subscribe(Paid)] fn f(e: &Paid)`),
/// so that they are the same type without asking the compiler.
fn takes_event_as_written(attr: &SubscribeAttr, function: &ItemFn) -> bool {
    match (taken_event(attr, function), attr.events.first()) {
        (Some(taken), Some(event)) => {
            taken.to_token_stream().to_string() == event.to_token_stream().to_string()
        }
        _ => false,
    }
}

/// The wrapper the handler static points to, for a handler that is not plain: makes its extractors
/// from the call's context, calls the user's function and turns what it returns (or its panic, with
/// `on_failure`) into an outcome. Returns the wrapper and its kind (the `HandlerFn` variant: `Sync`
/// or `Async`, `SyncWith` or `AsyncWith` when it takes the context: extractors or callbacks, which
/// may take extractors too).
fn wrapper(
    attr: &SubscribeAttr,
    function: &ItemFn,
    event: &Type,
    name: &Ident,
    info: &TokenStream,
) -> (TokenStream, TokenStream) {
    let krate = &attr.krate;
    let sig = &function.sig;
    let ident = &sig.ident;
    let params = params(function);
    // The wrapper's names, invisible to the user's (a handler may be called `event`).
    let event_arg = Ident::new("__pyventus_event", Span::mixed_site());
    let cx = Ident::new("__pyventus_cx", Span::mixed_site());
    let owned = Ident::new("__pyventus_owned", Span::mixed_site());
    let rejection = Ident::new("__pyventus_rejection", Span::mixed_site());
    let is_async = sig.asyncness.is_some();
    let has_callbacks = attr.on_success.is_some() || attr.on_failure.is_some();
    let with_context = !params.extractors.is_empty() || has_callbacks;
    let args: Vec<Ident> = (0..params.extractors.len())
        .map(|index| Ident::new(&format!("__pyventus_arg_{index}"), Span::mixed_site()))
        .collect();
    let event_expr = params.event.map(|typed| match taken_event(attr, function) {
        // The event passed through `SubscribedTo`, unless the handler visibly takes it: a handler of
        // another event is then one error, in the event's terms, on the user's type.
        Some(taken) if !takes_event_as_written(attr, function) => {
            let event = respan(event.to_token_stream(), taken.span());
            let krate = respan(attr.krate.clone(), taken.span());
            quote_spanned! {taken.span()=>
                <#event as #krate::__private::SubscribedTo<#taken>>::pass(#event_arg)
            }
        }
        _ => quote_spanned!(typed.ty.span()=> #event_arg),
    });
    let call = match (&event_expr, params.event) {
        (Some(event_expr), Some(typed)) => {
            quote_spanned!(typed.ty.span()=> #ident(#event_expr #(, #args)*))
        }
        _ => quote!({
            let _ = #event_arg;
            #ident(#(#args),*)
        }),
    };
    let output_span = match &sig.output {
        ReturnType::Type(_, ty) => ty.span(),
        ReturnType::Default => ident.span(),
    };
    let default_on_success = quote_spanned!(output_span=> __PYVENTUS_ON_SUCCESS);
    let returned = if is_async {
        quote!(#call.await)
    } else {
        call.clone()
    };
    // Callbacks are called after the handler: an async one's future owns its context by then.
    let late_cx = if is_async {
        quote!(&#owned.get())
    } else {
        quote!(#cx)
    };
    let outcome = match (&attr.on_success, &attr.on_failure) {
        // The returned value is bound to a name spanned on the return type, so that a return type that
        // is not `()` or `Result` is reported there.
        (None, None) => quote_spanned! {output_span=>
            {
                let __pyventus_returned = #returned;
                #krate::__private::finish(__pyventus_returned, #info, #default_on_success)
            }
        },
        (Some(on_success), None) => {
            let on_success = success_callback(krate, on_success, &late_cx);
            quote_spanned! {output_span=>
                #krate::__private::on_result(#returned, #info, #on_success)
            }
        }
        (on_success, Some(on_failure)) => {
            let caught = if is_async {
                quote!(#krate::__private::catch_unwind_async(#call).await)
            } else {
                quote!(#krate::__private::catch_unwind(|| #call))
            };
            let on_success = match on_success {
                Some(on_success) => success_callback(krate, on_success, &late_cx),
                None => quote!(|_| {
                    #krate::__private::succeeded(#info, #default_on_success);
                    #krate::__private::Ok(())
                }),
            };
            let on_failure = failure_callback(krate, on_failure, &late_cx);
            quote_spanned! {output_span=>
                #krate::__private::on_caught(#caught, #info, #on_success, #on_failure)
            }
        }
    };
    // A rejected extractor: the call fails like a handler fault, to `on_failure` if there is one.
    let rejected = match &attr.on_failure {
        Some(on_failure) => {
            let on_failure = failure_callback(krate, on_failure, &quote!(#cx));
            quote!(#krate::__private::rejected_to(#info, #rejection, #on_failure))
        }
        None => quote!(#krate::__private::rejected(#info, #rejection)),
    };
    let rejected = if is_async {
        quote!({
            let __pyventus_rejected = #rejected;
            return #krate::__private::box_future(async move { __pyventus_rejected });
        })
    } else {
        quote!(return #rejected)
    };
    let extractions = params.extractors.iter().zip(&args).map(|(extractor, arg)| {
        let ty = &extractor.ty;
        let from_context = quote_spanned! {ty.span()=>
            <#ty as #krate::__private::FromContext>::from_context
        };
        quote! {
            let #arg = match #from_context(#cx) {
                #krate::__private::Ok(#arg) => #arg,
                #krate::__private::Err(#rejection) => #rejected,
            };
        }
    });
    let keep_context = (is_async && has_callbacks)
        .then(|| quote!(let #owned = #krate::__private::CallContext::to_owned(#cx);));
    let (context_param, kind) = match (with_context, is_async) {
        (true, true) => (
            quote!(, #cx: &#krate::__private::CallContext<'_>),
            quote!(AsyncWith),
        ),
        (true, false) => (
            quote!(, #cx: &#krate::__private::CallContext<'_>),
            quote!(SyncWith),
        ),
        (false, true) => (quote!(), quote!(Async)),
        (false, false) => (quote!(), quote!(Sync)),
    };
    if is_async {
        // Spanned on the function's name, `pyventus` path included, so that "future cannot be sent
        // between threads safely" points at the handler.
        let krate_at_name = respan(krate.clone(), ident.span());
        let boxed = quote_spanned! {ident.span()=>
            #krate_at_name::__private::box_future(async move { #outcome })
        };
        (
            quote! {
                fn #name<'__pyventus>(
                    #event_arg: &'__pyventus #event #context_param
                ) -> #krate::__private::BoxFuture<'__pyventus, #krate::__private::Outcome> {
                    #(#extractions)*
                    #keep_context
                    #boxed
                }
            },
            kind,
        )
    } else {
        (
            quote! {
                fn #name(#event_arg: &#event #context_param) -> #krate::__private::Outcome {
                    #(#extractions)*
                    #outcome
                }
            },
            kind,
        )
    }
}

/// `tokens`, every one of them moved to `span` (for diagnostics only: resolution is unchanged).
fn respan(tokens: TokenStream, span: Span) -> TokenStream {
    tokens
        .into_iter()
        .map(|mut token| {
            if let TokenTree::Group(group) = &token {
                let mut inner = Group::new(group.delimiter(), respan(group.stream(), span));
                inner.set_span(span);
                token = TokenTree::Group(inner);
            } else {
                token.set_span(span);
            }
            token
        })
        .collect()
}

/// The user's `on_success`, called through `SuccessCallback` (so that `fn()` is accepted for a `()`
/// value, and a callback of the wrong shape is reported on the user's callback, in its terms).
fn success_callback(krate: &TokenStream, callback: &syn::Expr, cx: &TokenStream) -> TokenStream {
    quote_spanned! {callback.span()=>
        |value| #krate::__private::SuccessCallback::call_success(#callback, value, #cx)
    }
}

/// The user's `on_failure`, called through `FailureCallback` (see [`success_callback`]).
fn failure_callback(krate: &TokenStream, callback: &syn::Expr, cx: &TokenStream) -> TokenStream {
    quote_spanned! {callback.span()=>
        |failure| #krate::__private::FailureCallback::call_failure(#callback, failure, #cx)
    }
}
