//! The subscriber lifecycle: `once` handlers, success and failure callbacks, one handler for several
//! events, all-events subscribers, ordering by priority, queries and removal, subscription limits, and
//! scoped subscriptions. Mirrors what Pyventus's `EventLinker` offers beyond the emitter page.
//!
//! Run with: `cargo run --example lifecycle`

use std::fmt;

use pyventus::prelude::*;
use pyventus::{AnyEvent, Failure, HandlerInfo, SubscribeError};

#[event]
#[derive(Debug)]
struct OrderPlaced {
    id: u32,
    amount: u32,
}

#[event]
#[derive(Debug)]
struct OrderCancelled {
    id: u32,
}

// ---- once: runs on the first emit only -----------------------------------------------------------
#[subscribe(OrderPlaced, once)]
fn first_order_ever(e: &OrderPlaced) {
    println!("[once] the very first order: #{}", e.id);
}

// ---- results and callbacks --------------------------------------------------------------------------
fn charged(receipt: String) {
    println!("[on_success] {receipt}");
}

fn charge_failed(failure: Failure<String>) {
    match failure {
        Failure::Error(reason) => println!("[on_failure] declined: {reason}"),
        Failure::Panic(message) => println!("[on_failure] the payment handler panicked: {message}"),
    }
}

#[subscribe(OrderPlaced, on_success = charged, on_failure = charge_failed, priority = 10)]
fn charge(e: &OrderPlaced) -> Result<String, String> {
    match e.amount {
        0 => panic!("an order of 0 cannot be charged"),
        amount if amount > 1_000 => Err(format!("{amount} is over the card limit")),
        amount => Ok(format!("charged {amount} for order #{}", e.id)),
    }
}

// ---- one handler for several events -----------------------------------------------------------------
#[subscribe(OrderPlaced, OrderCancelled)]
fn audit(e: &dyn AnyEvent) {
    println!("[audit] {}", e.name());
}

// ---- a linker with a limit and default callbacks ----------------------------------------------------
fn default_failure(info: &HandlerInfo, failure: Failure<&dyn fmt::Debug>) {
    println!(
        "[default on_failure] `{}` on `{}`: {failure:?}",
        info.path(),
        info.event()
    );
}

#[linker(max_subscribers = 2, on_failure = default_failure)]
struct Notifications;

#[subscribe(OrderCancelled, linker = Notifications)]
fn notify_cancel(e: &OrderCancelled) -> Result<(), String> {
    Err(format!("no email address for order #{}", e.id))
}

fn main() {
    let emitter = EventEmitter::new(InlineProcessor);

    println!("-- subscribers of OrderPlaced, in dispatch order (priority, then path):");
    for subscriber in EventLinker::subscribers::<OrderPlaced>() {
        println!(
            "   {:<45} priority {:>2} once {}",
            subscriber.path(),
            subscriber.priority(),
            subscriber.is_once()
        );
    }

    println!("-- an all-events subscriber, and a runtime `once`:");
    let everything =
        EventLinker::subscribe_all(|e: &dyn AnyEvent| println!("[all events] saw {}", e.name()));
    EventLinker::once(|e: &OrderPlaced| {
        println!("[runtime once] order #{} (first emit only)", e.id)
    });

    println!("-- emit three orders:");
    emitter.emit(OrderPlaced { id: 1, amount: 30 });
    emitter.emit(OrderPlaced {
        id: 2,
        amount: 5_000,
    });
    emitter.emit(OrderPlaced { id: 3, amount: 0 });
    emitter.emit(OrderCancelled { id: 3 });

    println!(
        "-- events with subscribers on EventLinker: {:?}",
        EventLinker::events()
    );
    everything.unsubscribe();

    println!("-- removal: compile-time handlers are disabled, not unlinked");
    let audit = EventLinker::subscribers::<OrderCancelled>()
        .into_iter()
        .find(|s| s.path().ends_with("::audit"))
        .expect("audit is subscribed to OrderCancelled");
    EventLinker::remove(&audit);
    emitter.emit(OrderCancelled { id: 4 }); // audit does not run
    println!(
        "   restored {} handler(s)",
        EventLinker::restore::<OrderCancelled>()
    );
    emitter.emit(OrderCancelled { id: 5 }); // audit runs again

    println!("-- a linker with max_subscribers = 2 (one compile-time handler already):");
    let notifications = EventEmitter::with_linker::<Notifications>(InlineProcessor);
    let sms =
        Notifications::subscribe(|e: &OrderCancelled| println!("[sms] order #{} cancelled", e.id));
    match Notifications::try_subscribe(|_: &OrderCancelled| {}) {
        Err(error @ SubscribeError::TooManySubscribers { .. }) => println!("   refused: {error}"),
        Err(other) => println!("   refused: {other}"),
        Ok(_) => println!("   unexpectedly accepted"),
    }
    notifications.emit(OrderCancelled { id: 6 });
    sms.unsubscribe();

    println!("-- a scoped subscription:");
    {
        let _guard =
            EventLinker::subscribe(|e: &OrderCancelled| println!("[scoped] order #{}", e.id))
                .into_guard();
        emitter.emit(OrderCancelled { id: 7 });
    }
    emitter.emit(OrderCancelled { id: 8 }); // the scoped handler is gone
}
