//! How an event crosses a process boundary: the two functions `#[event(serde)]` generates.
//!
//! An in-process emitter never reads this. A processor that ships handler calls to another process (the
//! Redis processor of `pyventus::redis`) encodes the event with [`Wire::encode`], and the worker that runs
//! the handler decodes it with [`Wire::decode`]. The core knows nothing of the format: the functions are
//! written by the macro, with `serde_json` (reached through the `pyventus` crate's `serde` feature).

use std::fmt;

/// An event type's encoder and decoder: `Event::__WIRE` of an `#[event(serde)]` type. Not a public API.
#[doc(hidden)]
pub struct Wire<E> {
    /// Appends the event's encoding to the buffer, or says why it cannot be encoded.
    pub encode: fn(&E, &mut Vec<u8>) -> Result<(), String>,
    /// Decodes an event from bytes that `encode` wrote (maybe by another build of the program).
    pub decode: fn(&[u8]) -> Result<E, String>,
}

impl<E> Clone for Wire<E> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<E> Copy for Wire<E> {}

impl<E> fmt::Debug for Wire<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Wire").finish_non_exhaustive()
    }
}
