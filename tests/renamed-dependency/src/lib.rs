//! **Test fixture: a crate that depends on pyventus as `pv`** (`pv = { package = "pyventus" }`).
//!
//! The attributes find pyventus under that name by themselves (from this crate's `Cargo.toml`), with no
//! `crate = pv` option: this crate compiling is the test, and its test checks the handlers run.

use std::sync::atomic::{AtomicUsize, Ordering};

/// A linker declared through the renamed dependency.
#[pv::linker(max_subscribers = 4)]
#[derive(Debug)]
pub struct Renamed;

/// An event declared through the renamed dependency.
#[pv::event]
#[derive(Debug)]
pub struct Arrived(pub usize);

/// The sum of what the handlers received.
pub static RECEIVED: AtomicUsize = AtomicUsize::new(0);

#[pv::subscribe(Arrived, linker = Renamed, priority = 1, on_failure = failed)]
fn count(e: &Arrived) -> Result<(), String> {
    RECEIVED.fetch_add(e.0, Ordering::SeqCst);
    Ok(())
}

fn failed(failure: pv::Failure<String>) {
    panic!("{failure}");
}

#[pv::subscribe(Arrived, linker = Renamed, once)]
async fn count_once(e: &Arrived) {
    RECEIVED.fetch_add(e.0 * 100, Ordering::SeqCst);
}

#[cfg(test)]
mod tests {
    use pv::prelude::*;

    use super::*;

    #[test]
    fn handlers_declared_through_a_renamed_dependency_run() {
        let emitter = EventEmitter::with_linker::<Renamed>(InlineProcessor);
        emitter.emit(Arrived(1));
        emitter.emit(Arrived(2));
        assert_eq!(RECEIVED.load(Ordering::SeqCst), 1 + 100 + 2);
        assert!(Renamed::name().ends_with("::Renamed"));
        assert_eq!(Arrived::PATH, "pyventus_test_renamed_dependency::Arrived");
    }
}
