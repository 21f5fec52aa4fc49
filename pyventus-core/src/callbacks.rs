//! From a handler's return value to its outcome: success and failure callbacks, and fault reports.
//!
//! The functions here are called by the wrappers `#[subscribe]` generates and by runtime subscriptions.
//! A handler without callbacks goes through [`finish`]; one with `on_success` through [`on_result`]; one
//! with `on_failure` through [`on_caught`], which also receives the handler's panics. A panic inside a
//! callback is reported (see `report.rs`), never propagated and never silent.

use std::any::Any;
use std::fmt;

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
    S: FnOnce(R::Value),
{
    match returned.into_result() {
        Ok(value) => {
            guarded(info, "`on_success`", || on_success(value));
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
    S: FnOnce(R::Value),
    G: FnOnce(Failure<R::Error>),
{
    let failure = match caught.map(HandlerReturn::into_result) {
        Ok(Ok(value)) => {
            guarded(info, "`on_success`", || on_success(value));
            return Outcome::Success;
        }
        Ok(Err(error)) => Failure::Error(error),
        Err(payload) => Failure::Panic(panic_message(&*payload)),
    };
    guarded(info, "`on_failure`", || on_failure(failure));
    Outcome::FailureHandled
}

/// An `on_success` callback of a handler whose value is `T`: `fn(T)`, or `fn()` when the value is `()`.
/// `Form` tells the two apart; generated code calls callbacks through this trait, so that a callback of
/// the wrong shape gets this message.
#[doc(hidden)]
#[diagnostic::on_unimplemented(
    message = "`on_success` callback `{Self}` cannot take this handler's value, `{T}`",
    label = "not a `fn({T})`",
    note = "an `on_success` callback takes what the handler returns (the `Ok` value of a `Result`): `fn(value: {T})`; when that is `()`, it may take nothing: `fn()`"
)]
pub trait SuccessCallback<T, Form> {
    /// Calls the callback with the handler's value.
    fn call_success(self, value: T);
}

impl<T, F: FnOnce(T)> SuccessCallback<T, (T,)> for F {
    fn call_success(self, value: T) {
        self(value);
    }
}

impl<F: FnOnce()> SuccessCallback<(), ()> for F {
    fn call_success(self, (): ()) {
        self();
    }
}

/// An `on_failure` callback of a handler whose error type is `E`: `fn(Failure<E>)`.
#[doc(hidden)]
#[diagnostic::on_unimplemented(
    message = "`on_failure` callback `{Self}` cannot take this handler's failure, `Failure<{E}>`",
    label = "not a `fn(Failure<{E}>)`",
    note = "an `on_failure` callback takes a `pyventus::Failure<E>`, `E` being the handler's error type; for a handler that returns `()` (which can only panic) that is `Failure` alone"
)]
pub trait FailureCallback<E> {
    /// Calls the callback with the handler's failure.
    fn call_failure(self, failure: Failure<E>);
}

impl<E, F: FnOnce(Failure<E>)> FailureCallback<E> for F {
    fn call_failure(self, failure: Failure<E>) {
        self(failure);
    }
}

/// Runs a callback, reporting its panic.
fn guarded(info: &HandlerInfo, callback: &str, run: impl FnOnce()) {
    if let Err(payload) = catch(run) {
        report::callback_panic(info, callback, &*payload);
    }
}
