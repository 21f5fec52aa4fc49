//! `Delivery`: the extractor that tells a handler which delivery of which message it is running.

use pyventus_core::{CallContext, FromContext, Rejection};

/// Which message a [`Worker`](crate::Worker) is running a handler for, and which attempt this is: an
/// extractor, for handlers that must be idempotent.
///
/// `attempt` starts at 1 and counts the runs the message is known to have had: each retry after a
/// failure, and each earlier delivery to a worker that stopped or died before acknowledging it (those
/// count as one run each, whether or not the handler had started). A handler that sees `attempt > 1`
/// may have run before, in part or whole.
///
/// A handler that takes `Delivery` and is called by an in-process emitter is not called: the call is
/// rejected and reported (only a worker gives a delivery).
///
/// # Examples
///
/// ```
/// use pyventus::prelude::*;
/// use pyventus::redis::Delivery;
///
/// #[event(serde)]
/// #[derive(serde::Serialize, serde::Deserialize)]
/// struct Charge {
///     order: u64,
/// }
///
/// #[subscribe(Charge)]
/// fn charge(charge: &Charge, delivery: Delivery) {
///     // A payment service that deduplicates on a key gets the same key on every attempt.
///     let key = format!("charge-{}-{}", charge.order, delivery.id());
///     println!("attempt {} with key {key}", delivery.attempt());
/// }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery {
    id: String,
    stream: String,
    attempt: u32,
}

impl Delivery {
    pub(crate) fn new(id: String, stream: String, attempt: u32) -> Self {
        Delivery {
            id,
            stream,
            attempt,
        }
    }

    /// The message's entry id in its stream (`1700000000000-0`): the same on every attempt.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The stream key the message was read from.
    pub fn stream(&self) -> &str {
        &self.stream
    }

    /// This run's number, from 1 (see the type's docs for what is counted).
    pub fn attempt(&self) -> u32 {
        self.attempt
    }

    /// Whether the message may have run before (`attempt > 1`).
    pub fn is_retry(&self) -> bool {
        self.attempt > 1
    }
}

impl FromContext for Delivery {
    fn from_context(cx: &CallContext<'_>) -> Result<Self, Rejection> {
        cx.state::<Delivery>().cloned().ok_or_else(|| {
            Rejection::new(format!(
                "handler `{}` takes `pyventus::redis::Delivery`, which only a \
                 `pyventus::redis::Worker` gives, and this call was not made by one",
                cx.info().path()
            ))
        })
    }
}
