//! Handlers that reach the application's state: a small sign-up service whose handlers use a database
//! and a mailer given to the emitter, not globals. This goes beyond the Pyventus page (whose handlers
//! are free functions too, and reach their services through module globals): it is how axum handlers
//! get theirs, with `State<T>`.
//!
//! - `EventEmitter::new(..).with_state(value)` gives the emitter a value; a handler takes it as
//!   `State(db): State<Db>`, after its event, and gets its own clone (share the inside with an `Arc`).
//! - `HandlerInfo` says which handler runs; `EmitterHandle` emits follow-up events through the same
//!   emitter (the same processor: `wait_for_tasks` waits for them too).
//! - `on_success` / `on_failure` callbacks take the same extractors after their value.
//! - A handler whose state the emitter lacks is not called: the fault is reported with the fix, and
//!   `check_states` finds it before anything is emitted.
//!
//! Run with: `cargo run --example app_state`

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use pyventus::prelude::*;
use pyventus::{EmitterHandle, Failure, HandlerInfo, State};

/// A database stand-in: users by id. Clones share the same table, as clones of a pool do.
#[derive(Clone, Default)]
struct Db(Arc<Mutex<BTreeMap<u32, String>>>);

/// A mailer stand-in: records what it sends.
#[derive(Clone, Default)]
struct Mailer(Arc<Mutex<Vec<String>>>);

impl Mailer {
    fn send(&self, to: &str, text: &str) -> Result<(), String> {
        if !to.contains('@') {
            return Err(format!("`{to}` is not an address"));
        }
        self.0.lock().unwrap().push(format!("to {to}: {text}"));
        Ok(())
    }
}

#[event]
#[derive(Debug, Clone)]
struct UserCreated {
    id: u32,
    email: String,
}

#[event]
#[derive(Debug, Clone)]
struct WelcomeSent(u32);

/// Stores the user, then announces the welcome mail through the emitter it runs under.
#[subscribe(UserCreated, priority = 10)]
async fn store(e: &UserCreated, State(db): State<Db>) {
    db.0.lock().unwrap().insert(e.id, e.email.clone());
    println!("  store: user {} saved", e.id);
}

/// Sends the welcome mail; a failure goes to `bounced`, which also takes the database.
#[subscribe(UserCreated, on_success = sent, on_failure = bounced)]
async fn welcome(e: &UserCreated, State(mailer): State<Mailer>) -> Result<u32, String> {
    mailer.send(&e.email, "welcome!")?;
    Ok(e.id)
}

/// `on_success`: the handler's value, then extractors.
fn sent(id: u32, emitter: EmitterHandle) {
    emitter.emit(WelcomeSent(id));
}

/// `on_failure`: the failure, then extractors. A handler that could not be called (its emitter lacks a
/// state it takes) fails as `Failure::Panic`, with a message that names the fix.
fn bounced(failure: Failure<String>, State(db): State<Db>, info: HandlerInfo) {
    let stored = db.0.lock().unwrap().len();
    match failure {
        Failure::Error(error) => println!("  {}: mail bounced: {error}", info.path()),
        Failure::Panic(message) => println!("  {}: not sent: {message}", info.path()),
    }
    println!("  (users stored so far: {stored})");
}

#[subscribe(WelcomeSent)]
fn audit(e: &WelcomeSent) {
    println!("  audit: welcome mail sent to user {}", e.0);
}

#[tokio::main]
async fn main() {
    let (db, mailer) = (Db::default(), Mailer::default());
    let emitter = EventEmitter::new(TokioProcessor::new())
        .with_state(db.clone())
        .with_state(mailer.clone());
    // Every state the handlers take is there.
    emitter.check_states().expect("the emitter has every state");

    println!("Two sign-ups, one with a bad address:");
    emitter.emit(UserCreated {
        id: 1,
        email: "ada@example.com".into(),
    });
    emitter.emit(UserCreated {
        id: 2,
        email: "not an address".into(),
    });
    // Waits for the handlers, the callbacks and the follow-up `WelcomeSent` they emitted.
    emitter.processor().wait_for_tasks().await;
    println!("  mails sent: {:?}", mailer.0.lock().unwrap());

    println!("An emitter given no mailer:");
    let forgetful = EventEmitter::new(InlineProcessor).with_state(db);
    if let Err(missing) = forgetful.check_states() {
        println!("  check_states: {missing}");
    }
    // `welcome` is not called: its fault goes to `bounced`; `store` still runs.
    forgetful.emit(UserCreated {
        id: 3,
        email: "grace@example.com".into(),
    });
}
