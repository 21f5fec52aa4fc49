//! Handler calls across processes, on Redis Streams: a [`RedisProcessor`] that emitters write to, and
//! a [`Worker`] that runs them, in any process of the same program.
//!
//! Use it through the `pyventus` crate's `redis` feature, as `pyventus::redis`.
//!
//! ```toml
//! [dependencies]
//! pyventus = { version = "0.1", features = ["redis"] }
//! serde = { version = "1", features = ["derive"] }
//! ```
//!
//! # The model
//!
//! An event that crosses processes is `#[event(serde)]` and derives `serde::Serialize` and
//! `serde::Deserialize`. An [`EventEmitter`](pyventus_core::EventEmitter) over a [`RedisProcessor`]
//! writes, per handler call, one stream entry: the handler's stable id (its linker's name and its
//! path, `crate::module::function`), the event's path, a format version, and the event as JSON
//! (the layout is below). It does not send code: a [`Worker`] resolves the id against its own build
//! (the same program, maybe a newer or older version of it) and runs the handler there, with the
//! state it was given. So a handler runs where its worker runs, and `emit` returns as soon as the
//! call is in the processor's buffer.
//!
//! Emitting through a `RedisProcessor` an event that is not `#[event(serde)]` is a compile error
//! (raised when the program is built, not by `cargo check`):
//!
//! ```text
//! error[E0080]: evaluation panicked: an event emitted through a `RedisProcessor` must be
//!               `#[event(serde)]` (and derive `serde::Serialize` and `serde::Deserialize`)
//! ```
//!
//! # Stream layout
//!
//! A processor and its workers agree on a stream name (`pyventus` by default) and a number of shards
//! (1). Shard `i` is the key `<name>:<i>`; an emit goes to one shard (each in turn), and a worker
//! reads all of them with one consumer group (`pyventus` by default). Dead letters go to
//! `<name>:dead`. Each entry holds:
//!
//! | field | value |
//! |---|---|
//! | `v` | the format version, `1` ([`FORMAT_VERSION`]) |
//! | `e` | the event's path, `crate::module::Type` |
//! | `l` | the handler's linker's name: `pyventus::EventLinker`, or a custom linker's |
//! | `h` | the handler's path, `crate::module::function` |
//! | `p` | the event as JSON |
//! | `x-…` | headers (room for trace context; none are written yet, workers keep unknown ones) |
//!
//! A dead letter is the original entry's fields plus `reason`, `source` (its stream), `source-id`
//! (its id there), `attempts` and `consumer`.
//!
//! **Sharding.** The entry does not depend on its key, so a linker's calls can be spread over more
//! keys without a format change: for Redis Cluster (each key lives on one node; no command here
//! touches two keys except a dead letter's `XADD` and `XACK`, which a cluster-aware client would
//! send as two), and for per-key ordering later (choose the shard from the event's key instead of in
//! turn, and run one loop per shard). Changing the number of shards while entries wait in the old
//! keys strands them until a worker reads those keys again.
//!
//! # Guarantees
//!
//! At least once, per handler call: see [`Worker`]. Exactly once when nothing fails (no worker dies,
//! no handler fails, no write to Redis is retried: a retried pipeline may write some entries twice).
//! Use [`Delivery`] to make handlers idempotent.

#![forbid(unsafe_code)]

/// Reports one line as the core reports handler faults (`tracing` when a subscriber is installed,
/// else stderr): `report!(Error, "format", args..)`.
macro_rules! report {
    ($level:ident, $($message:tt)+) => {
        pyventus_core::remote::report(
            pyventus_core::remote::Level::$level,
            format_args!($($message)+),
        )
    };
}

mod consume;
mod delivery;
mod error;
mod housekeeping;
mod layout;
mod message;
mod processor;
mod stats;
mod throttle;
mod worker;
mod writer;

pub use crate::delivery::Delivery;
pub use crate::error::{FlushError, WorkerError};
pub use crate::message::FORMAT_VERSION;
pub use crate::processor::{DEFAULT_BUFFER, RedisProcessor, RedisProcessorBuilder};
pub use crate::stats::{ProcessorStats, WorkerStats};
pub use crate::worker::{DEFAULT_VISIBILITY_TIMEOUT, RunningWorker, Worker};
