//! A crate that turns on strict lints gets no warning from the code the attributes generate.

//! (The crate's own docs, for `missing_docs`.)
#![deny(warnings)]
#![forbid(unsafe_code)]
#![deny(
    missing_docs,
    missing_debug_implementations,
    unreachable_pub,
    unused,
    unused_qualifications,
    unused_results,
    unused_import_braces,
    unused_lifetimes,
    trivial_casts,
    trivial_numeric_casts,
    rust_2018_idioms,
    single_use_lifetimes,
    variant_size_differences,
    non_ascii_idents,
    let_underscore_drop,
    elided_lifetimes_in_paths,
    explicit_outlives_requirements,
    meta_variable_misuse
)]

use pyventus::prelude::*;

/// An event.
#[event]
#[derive(Debug)]
pub struct Checked(pub u32);

/// A linker.
#[linker(max_subscribers = 8, on_success = noted, on_failure = alerted)]
#[derive(Debug)]
pub struct Strict;

fn noted(_: &pyventus::HandlerInfo) {}

fn alerted(_: &pyventus::HandlerInfo, _: pyventus::Failure<&dyn std::fmt::Debug>) {}

#[subscribe(Checked)]
fn plain(_: &Checked) {}

#[subscribe(Checked, linker = Strict, priority = -3, on_success = ok, on_failure = failed)]
fn fallible(e: &Checked) -> Result<u32, String> {
    Ok(e.0)
}

fn ok(_: u32) {}

fn failed(_: pyventus::Failure<String>) {}

#[subscribe(Checked, linker = Strict, once)]
async fn later() {}

#[subscribe(Checked, linker = Strict)]
async fn later_fallible(_: &Checked) -> Result<(), String> {
    Ok(())
}

fn main() {
    EventEmitter::new(InlineProcessor).emit(Checked(1));
    EventEmitter::with_linker::<Strict>(InlineProcessor).emit(Checked(2));
}
