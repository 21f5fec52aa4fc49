use std::sync::Arc;

use pyventus::prelude::*;
use pyventus::{EmitterHandle, Failure, HandlerInfo, State};

#[derive(Clone)]
struct Db(Arc<Vec<u32>>);

#[derive(Clone)]
struct Mailer;

#[event]
struct OrderPlaced(u32);

#[event]
struct Other;

#[subscribe(OrderPlaced)]
fn sync_state(e: &OrderPlaced, State(db): State<Db>) {
    let _ = (e.0, db.0.len());
}

// Any order, several extractors, no event.
#[subscribe(OrderPlaced)]
fn no_event(info: HandlerInfo, State(_mailer): State<Mailer>, State(_db): State<Db>) {
    let _ = info.path();
}

#[subscribe(OrderPlaced)]
async fn async_state(e: &OrderPlaced, State(db): State<Db>, emitter: EmitterHandle) -> Result<(), String> {
    tokio::task::yield_now().await;
    let _ = db.0.len();
    emitter.emit(Other);
    let _ = e.0;
    Ok(())
}

fn declined(failure: Failure<String>, State(_mailer): State<Mailer>, info: HandlerInfo) {
    let _ = (failure, info);
}

fn charged(value: u32, State(_db): State<Db>) {
    let _ = value;
}

#[subscribe(OrderPlaced, on_success = charged, on_failure = declined)]
async fn charge(e: &OrderPlaced, State(_mailer): State<Mailer>) -> Result<u32, String> {
    Ok(e.0)
}

fn unit_done(State(_db): State<Db>) {}

#[subscribe(OrderPlaced, on_success = unit_done, once)]
fn unit(_: &OrderPlaced) {}

#[subscribe(OrderPlaced, Other)]
fn several(e: &dyn pyventus::AnyEvent, State(_db): State<Db>) {
    let _ = e.name();
}

fn main() {
    let emitter = EventEmitter::new(InlineProcessor)
        .with_state(Db(Arc::new(vec![1])))
        .with_state(Mailer);
    emitter.check_states().unwrap();
    emitter.emit(OrderPlaced(1));
}
