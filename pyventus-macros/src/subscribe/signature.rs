//! The checks of a `#[subscribe]`: its events, its priority, and the function's signature.

use quote::ToTokens;
use syn::{Expr, FnArg, ItemFn, Type};

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

/// The function: not generic, not `unsafe`, not a method, and taking at most the event by reference.
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
    let several = events.len() > 1;
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

/// The event as the user wrote it, for messages (`MyEvent` when there is none).
fn event_text(events: &[Type]) -> String {
    events.first().map_or_else(
        || "MyEvent".to_owned(),
        |event| event.to_token_stream().to_string().replace(' ', ""),
    )
}
