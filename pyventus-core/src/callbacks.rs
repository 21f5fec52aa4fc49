//! From a handler's return value to its outcome: success and failure callbacks, and fault reports.
//!
//! The functions here are called by the wrappers `#[subscribe]` generates and by runtime subscriptions.
//! A handler without callbacks goes through [`finish`]; one with `on_success` through [`on_result`]; one
//! with `on_failure` through [`on_caught`], which also receives the handler's panics. A panic inside a
//! callback is reported (see `report.rs`), never propagated and never silent.

use std::any::Any;
use std::fmt;

use crate::context::{CallContext, FromContext, Rejection};
use crate::handler::{Failure, HandlerReturn, Outcome};
use crate::meta::{DefaultSuccessFn, HandlerInfo};
use crate::panics::{catch, panic_message};
use crate::report;

/// The outcome of a handler without callbacks: `Ok` goes to the linker's default `on_success` (if any),
/// `Err` is reported.
///
/// Generated code passes the linker's `__ON_SUCCESS` constant, so that the check folds away when the
/// linker has no default `on_success`.
#[inline]
pub fn finish<R>(
    returned: R,
    info: &HandlerInfo,
    default_on_success: Option<DefaultSuccessFn>,
) -> Outcome
where
    R: HandlerReturn,
    R::Error: fmt::Debug,
{
    match returned.into_result() {
        Ok(_) => {
            succeeded(info, default_on_success);
            Outcome::Success
        }
        Err(error) => report::error(info, &error),
    }
}

/// Calls the linker's default `on_success`, if it has one. Free when it has none (a constant).
#[inline]
pub fn succeeded(info: &HandlerInfo, default_on_success: Option<DefaultSuccessFn>) {
    if let Some(on_success) = default_on_success {
        guarded(info, "the linker's default `on_success`", || {
            on_success(info)
        });
    }
}

/// The outcome of a handler with an `on_success` callback and no `on_failure`.
pub fn on_result<R, S>(returned: R, info: &HandlerInfo, on_success: S) -> Outcome
where
    R: HandlerReturn,
    R::Error: fmt::Debug,
    S: FnOnce(R::Value) -> Result<(), Rejection>,
{
    match returned.into_result() {
        Ok(value) => {
            guarded_callback(info, "`on_success`", || on_success(value));
            Outcome::Success
        }
        Err(error) => report::error(info, &error),
    }
}

/// The outcome of a handler with an `on_failure` callback: `caught` is the handler's return value, or the
/// payload of its panic.
pub fn on_caught<R, S, G>(
    caught: Result<R, Box<dyn Any + Send>>,
    info: &HandlerInfo,
    on_success: S,
    on_failure: G,
) -> Outcome
where
    R: HandlerReturn,
    S: FnOnce(R::Value) -> Result<(), Rejection>,
    G: FnOnce(Failure<R::Error>) -> Result<(), Rejection>,
{
    let failure = match caught.map(HandlerReturn::into_result) {
        Ok(Ok(value)) => {
            guarded_callback(info, "`on_success`", || on_success(value));
            return Outcome::Success;
        }
        Ok(Err(error)) => Failure::Error(error),
        Err(payload) => Failure::Panic(panic_message(&*payload)),
    };
    guarded_callback(info, "`on_failure`", || on_failure(failure));
    Outcome::FailureHandled
}

/// The outcome of a handler that was not called because one of its extractors rejected the call, and
/// has no `on_failure`: the linker's default `on_failure`, else a report.
#[cold]
pub fn rejected(info: &HandlerInfo, rejection: Rejection) -> Outcome {
    report::rejected(info, &rejection)
}

/// The outcome of a handler that was not called because one of its extractors rejected the call: its
/// `on_failure` receives the rejection's message as [`Failure::Panic`] (the handler did not run).
#[cold]
pub fn rejected_to<E, G>(info: &HandlerInfo, rejection: Rejection, on_failure: G) -> Outcome
where
    G: FnOnce(Failure<E>) -> Result<(), Rejection>,
{
    let message = rejection.message().to_owned();
    guarded_callback(info, "`on_failure`", || on_failure(Failure::Panic(message)));
    Outcome::FailureHandled
}

/// Marks the forms of [`SuccessCallback`] that take the handler's value.
#[doc(hidden)]
#[derive(Debug)]
pub struct TakesValue;

/// Marks the forms of [`SuccessCallback`] that do not take the handler's value (which is `()`).
#[doc(hidden)]
#[derive(Debug)]
pub struct SkipsValue;

/// An `on_success` callback of a handler whose value is `T`: `fn(T, extractors..)`, or
/// `fn(extractors..)` when the value is `()`. `Form` tells the shapes apart; generated code calls
/// callbacks through this trait, so that a callback of the wrong shape gets this message.
#[doc(hidden)]
#[diagnostic::on_unimplemented(
    message = "`on_success` callback `{Self}` cannot take this handler's value, `{T}`",
    label = "not a `fn({T}, ..)`",
    note = "an `on_success` callback takes what the handler returns (the `Ok` value of a `Result`), then any extractors (`State<T>`, `HandlerInfo`, ..): `fn(value: {T})`; when that is `()`, it may take no value: `fn()`"
)]
pub trait SuccessCallback<T, Form> {
    /// Calls the callback with the handler's value and the extractors it takes.
    fn call_success(self, value: T, cx: &CallContext<'_>) -> Result<(), Rejection>;
}

/// An `on_failure` callback of a handler whose error type is `E`: `fn(Failure<E>, extractors..)`.
#[doc(hidden)]
#[diagnostic::on_unimplemented(
    message = "`on_failure` callback `{Self}` cannot take this handler's failure, `Failure<{E}>`",
    label = "not a `fn(Failure<{E}>, ..)`",
    note = "an `on_failure` callback takes a `pyventus::Failure<E>`, `E` being the handler's error type (for a handler that returns `()`, which can only panic, that is `Failure` alone), then any extractors (`State<T>`, `HandlerInfo`, ..)"
)]
pub trait FailureCallback<E, Form> {
    /// Calls the callback with the handler's failure and the extractors it takes.
    fn call_failure(self, failure: Failure<E>, cx: &CallContext<'_>) -> Result<(), Rejection>;
}

/// The callback impls for one list of extractors `A..`.
macro_rules! callbacks_taking {
    ($($extractor:ident),*) => {
        impl<T, F, $($extractor),*> SuccessCallback<T, (TakesValue, (T, $($extractor,)*))> for F
        where
            F: FnOnce(T, $($extractor),*),
            $($extractor: FromContext,)*
        {
            #[allow(non_snake_case, unused_variables)]
            fn call_success(self, value: T, cx: &CallContext<'_>) -> Result<(), Rejection> {
                $(let $extractor = $extractor::from_context(cx)?;)*
                self(value, $($extractor),*);
                Ok(())
            }
        }

        impl<F, $($extractor),*> SuccessCallback<(), (SkipsValue, ($($extractor,)*))> for F
        where
            F: FnOnce($($extractor),*),
            $($extractor: FromContext,)*
        {
            #[allow(non_snake_case, unused_variables)]
            fn call_success(self, (): (), cx: &CallContext<'_>) -> Result<(), Rejection> {
                $(let $extractor = $extractor::from_context(cx)?;)*
                self($($extractor),*);
                Ok(())
            }
        }

        impl<E, F, $($extractor),*> FailureCallback<E, (Failure<E>, $($extractor,)*)> for F
        where
            F: FnOnce(Failure<E>, $($extractor),*),
            $($extractor: FromContext,)*
        {
            #[allow(non_snake_case, unused_variables)]
            fn call_failure(self, failure: Failure<E>, cx: &CallContext<'_>) -> Result<(), Rejection> {
                $(let $extractor = $extractor::from_context(cx)?;)*
                self(failure, $($extractor),*);
                Ok(())
            }
        }
    };
}

callbacks_taking!();
callbacks_taking!(A1);
callbacks_taking!(A1, A2);
callbacks_taking!(A1, A2, A3);
callbacks_taking!(A1, A2, A3, A4);

/// Runs a callback, reporting its panic.
fn guarded(info: &HandlerInfo, callback: &str, run: impl FnOnce()) {
    if let Err(payload) = catch(run) {
        report::callback_panic(info, callback, &*payload);
    }
}

/// Runs a callback that takes extractors, reporting its panic or its extractors' rejection.
fn guarded_callback(
    info: &HandlerInfo,
    callback: &str,
    run: impl FnOnce() -> Result<(), Rejection>,
) {
    match catch(run) {
        Ok(Ok(())) => {}
        Ok(Err(rejection)) => report::callback_rejected(info, callback, &rejection),
        Err(payload) => report::callback_panic(info, callback, &*payload),
    }
}
