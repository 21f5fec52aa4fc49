//! The handler of the `State<T>` rows (`emit.rs`, `instructions.rs`): one `#[subscribe]` function that
//! takes a state as services hold theirs, behind an `Arc` (so that its clone is a reference count).

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use pyventus::State;
use pyventus::prelude::*;

#[event]
pub(crate) struct Stateful(pub u64);

#[derive(Clone, Default)]
pub(crate) struct Counter(pub Arc<AtomicU64>);

#[subscribe(Stateful)]
pub(crate) fn counted(event: &Stateful, State(counter): State<Counter>) {
    counter.0.fetch_add(event.0, Ordering::Relaxed);
}
