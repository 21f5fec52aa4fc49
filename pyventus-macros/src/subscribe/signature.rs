//! The checks of a `#[subscribe]`: its events, its priority, and the function's signature.

use quote::ToTokens;
use syn::{Expr, FnArg, ItemFn, PatType, Type};

use crate::errors::Errors;
use crate::options::{Literal, literal_value};

/// An event listed twice.
pub(super) fn validate_events(events: &[Type], errors: &mut Errors) {
    for (index, listed) in events.iter().enumerate() {
        let text = listed.to_token_stream().to_string();
        if events[..index]
            .iter()
            .any(|earlier| earlier.to_token_stream().to_string() == text)
        {
            errors.add(
                listed,
                format!("`{text}` is listed twice in `#[subscribe]`"),
            );
        }
    }
}

/// `priority = N`: an `i32`. A literal is checked here; any other expression (a named constant, a
/// `macro_rules!` fragment) is an `i32` constant the compiler checks.
pub(super) fn validate_priority(priority: &Expr, errors: &mut Errors) {
    match literal_value(priority) {
        Literal::Integer(value) if i32::try_from(value).is_ok() => {}
        Literal::Integer(_) => errors.add(
            priority,
            "`#[subscribe]` option `priority` must fit in an `i32`",
        ),
        Literal::Other => errors.add(
            priority,
            "`#[subscribe]` option `priority` takes an integer, like `priority = 10` or `priority = HIGH`",
        ),
        Literal::Expression => {}
    }
}

/// A handler's parameters: the event (first, by reference) when it takes it, then its extractors (by
/// value, made for each call from the call's context).
pub(super) struct Params<'f> {
    pub(super) event: Option<&'f PatType>,
    pub(super) extractors: Vec<&'f PatType>,
}

/// The parameters of `function` (methods' receivers, reported by [`validate_function`], left out).
pub(super) fn params(function: &ItemFn) -> Params<'_> {
    let mut params = Params {
        event: None,
        extractors: Vec::new(),
    };
    let typed = function
        .sig
        .inputs
        .iter()
        .filter_map(|argument| match argument {
            FnArg::Typed(typed) => Some(typed),
            FnArg::Receiver(_) => None,
        });
    for (index, typed) in typed.enumerate() {
        if index == 0 && matches!(&*typed.ty, Type::Reference(_)) {
            params.event = Some(typed);
        } else {
            params.extractors.push(typed);
        }
    }
    params
}

/// The function: not generic, not `unsafe`, not a method; the event by shared reference first (or not
/// at all), then extractors by value.
pub(super) fn validate_function(function: &ItemFn, events: &[Type], errors: &mut Errors) {
    let event = event_text(events);
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
    for argument in &sig.inputs {
        if !matches!(argument, FnArg::Typed(_)) {
            errors.add(
                argument,
                format!(
                    "`#[subscribe]` cannot be used on methods; subscribe a free function `fn on_event(e: &{event})`"
                ),
            );
        }
    }
    let params = params(function);
    if let Some(taken) = params.event {
        validate_event_param(&taken.ty, events, &event, errors);
    }
    for (index, extractor) in params.extractors.iter().enumerate() {
        match &*extractor.ty {
            Type::Reference(reference) => errors.add(
                reference,
                format!(
                    "only a handler's first parameter may be a reference (its event, `e: &{event}`); \
                     after it come extractors, by value: `State(db): State<Db>`, `info: HandlerInfo`"
                ),
            ),
            // `fn f(e: MyEvent)`: the event by value, which is a mistake, not an extractor.
            by_value
                if index == 0
                    && params.event.is_none()
                    && events.iter().any(|listed| same_type(listed, by_value)) =>
            {
                errors.add(
                    by_value,
                    format!("a handler takes its event by reference: write `e: &{event}`"),
                )
            }
            _ => {}
        }
    }
}

/// The event parameter: `&E` (or `&dyn AnyEvent` for several events), not `&mut`, not `&'static`.
fn validate_event_param(ty: &Type, events: &[Type], event: &str, errors: &mut Errors) {
    let Type::Reference(reference) = ty else {
        return;
    };
    if reference.mutability.is_some() {
        errors.add(
            reference,
            format!("a handler cannot take its event by `&mut`: every handler shares it; take `&{event}`"),
        );
    } else if let Some(lifetime) = reference
        .lifetime
        .as_ref()
        .filter(|lifetime| lifetime.ident == "static")
    {
        errors.add(
            lifetime,
            format!(
                "a handler borrows its event only for the call: write `&{event}`, without `'static`"
            ),
        );
    } else if let Some(extractor) = built_in_extractor(&reference.elem) {
        errors.add(
            reference,
            format!(
                "`{extractor}` is an extractor: take it by value, after the event: `fn on_event(e: &{event}, {})`",
                if extractor == "State" { "State(db): State<Db>" } else { "emitter: EmitterHandle" }
            ),
        );
    } else if events.len() > 1 && !matches!(*reference.elem, Type::TraitObject(_)) {
        errors.add(
            reference,
            "a handler of several events takes `&dyn AnyEvent` (or no argument): \
             `fn on_any(e: &dyn pyventus::AnyEvent)`",
        );
    }
}

/// The name of a built-in extractor, when `ty` is one (`State<Db>`, `pyventus::HandlerInfo`).
fn built_in_extractor(ty: &Type) -> Option<String> {
    let Type::Path(path) = ty else {
        return None;
    };
    let last = path.path.segments.last()?.ident.to_string();
    ["State", "EmitterHandle"]
        .contains(&last.as_str())
        .then_some(last)
}

/// Whether two types are written the same way.
fn same_type(a: &Type, b: &Type) -> bool {
    a.to_token_stream().to_string() == b.to_token_stream().to_string()
}

/// The event as the user wrote it, for messages (`MyEvent` when there is none).
fn event_text(events: &[Type]) -> String {
    events.first().map_or_else(
        || "MyEvent".to_owned(),
        |event| event.to_token_stream().to_string().replace(' ', ""),
    )
}
