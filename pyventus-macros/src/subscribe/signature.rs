//! The checks of a `#[subscribe]`: its events, its priority, and the function's signature.

use quote::ToTokens;
use syn::{Expr, ExprLit, ExprUnary, FnArg, ItemFn, Lit, Type, UnOp};

use crate::errors::Errors;

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

/// `priority = N`: an integer literal that fits in an `i32`.
pub(super) fn validate_priority(priority: &Expr, errors: &mut Errors) {
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
