//! The encoding of `#[event(serde)]` types: JSON, with `serde_json`.
//!
//! What crosses to another process is the event's `serde` form as JSON, so that a worker of an older or
//! newer build decodes it by field name, and a human reading the stream (`XRANGE`) can too.

use serde::Serialize;
use serde::de::DeserializeOwned;

/// Appends `event` as JSON to `out`.
pub fn encode<E: Serialize>(event: &E, out: &mut Vec<u8>) -> Result<(), String> {
    serde_json::to_writer(out, event).map_err(|error| error.to_string())
}

/// Decodes an event from JSON.
pub fn decode<E: DeserializeOwned>(bytes: &[u8]) -> Result<E, String> {
    serde_json::from_slice(bytes).map_err(|error| error.to_string())
}
