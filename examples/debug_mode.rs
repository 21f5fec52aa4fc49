//! Debug mode: what an emitter logs through `tracing` (target `pyventus`) when debug mode is on, how to
//! turn it on for one emitter (`.debug(true)` / `.debug(false)`) or for every emitter without a setting
//! of its own (`pyventus::set_debug(true)`, or `PYVENTUS_DEBUG=1` in the environment), and how handler
//! faults are reported at error level, debug mode or not, while the other handlers still run. Mirrors
//! the "Debug Mode" section of Pyventus's Event Emitters page.
//!
//! Run with: `cargo run --example debug_mode`
//! (or `PYVENTUS_DEBUG=1 cargo run --example debug_mode` to start with the global switch on)

use std::sync::atomic::{AtomicUsize, Ordering};

use pyventus::prelude::*;

#[event]
#[derive(Debug, Clone)]
struct MyEvent(String);

#[subscribe(MyEvent)]
fn greet(e: &MyEvent) {
    println!("    greet: {}", e.0);
}

/// An event nobody subscribed to: not an error, but debug mode says so.
#[event]
struct NobodyListens;

/// Three independent reactions to a sign-up: one may return `Err`, one may panic.
#[event]
#[derive(Debug)]
struct UserSignedUp {
    name: &'static str,
    email: Option<&'static str>,
}

/// A handler's error type only needs `Debug`: that is what the report shows.
#[derive(Debug)]
#[expect(
    dead_code,
    reason = "the field is read through `Debug`, in pyventus's error report"
)]
enum MailError {
    NoAddress { user: &'static str },
}

#[subscribe(UserSignedUp)]
fn send_welcome_email(e: &UserSignedUp) -> Result<(), MailError> {
    let address = e.email.ok_or(MailError::NoAddress { user: e.name })?;
    println!("    send_welcome_email: welcome mail sent to {address}");
    Ok(())
}

#[subscribe(UserSignedUp)]
fn greet_by_initial(e: &UserSignedUp) {
    let initial = e.name.chars().next().expect("a user name is never empty");
    println!("    greet_by_initial: hello, {initial}.");
}

#[subscribe(UserSignedUp)]
fn count_signups() {
    static SIGNUPS: AtomicUsize = AtomicUsize::new(0);
    let total = SIGNUPS.fetch_add(1, Ordering::Relaxed) + 1;
    println!("    count_signups: {total} sign-ups so far");
}

fn main() {
    // Print pyventus's debug lines (and everything else at debug level or above) to stdout.
    tracing_subscriber::fmt()
        .with_max_level(tracing::Level::DEBUG)
        .without_time()
        .init();

    println!("== Instance debug mode: .debug(true)");
    // Pyventus's `AsyncIOEventEmitter(debug=True)`.
    let emitter = EventEmitter::new(TokioProcessor::new()).debug(true);
    emitter.emit(MyEvent("Hello, World!".into()));
    emitter.emit(NobodyListens);

    println!("\n== Instance debug mode: .debug(false) (nothing is logged)");
    let emitter = EventEmitter::new(TokioProcessor::new()).debug(false);
    emitter.emit(MyEvent("Hello, World!".into()));

    println!("\n== Global debug mode: emitters without a .debug(..) of their own follow it");
    let follows_global = EventEmitter::new(InlineProcessor);
    let never_debug = EventEmitter::new(InlineProcessor).debug(false);
    println!(
        "  the switch starts from PYVENTUS_DEBUG: global_debug() = {}",
        pyventus::global_debug()
    );
    pyventus::set_debug(true);
    println!(
        "  after set_debug(true): follows_global.is_debug() = {}, never_debug.is_debug() = {}",
        follows_global.is_debug(),
        never_debug.is_debug()
    );
    println!("  emit through follows_global:");
    follows_global.emit(MyEvent("logged".into()));
    println!("  emit through never_debug:");
    never_debug.emit(MyEvent("not logged".into()));
    pyventus::set_debug(false);

    println!("\n== Faults: reported at error level, debug mode or not; other handlers still run");
    // pyventus catches a handler's panic and reports it. Rust's default panic hook would print it too
    // (with a backtrace under RUST_BACKTRACE) before pyventus sees it; this example keeps pyventus's
    // report only.
    std::panic::set_hook(Box::new(|_| {}));
    let emitter = EventEmitter::new(InlineProcessor);
    let signups = [
        ("ada", Some("ada@example.com")),
        ("bob", None),
        ("", Some("nobody@example.com")),
    ];
    for (name, email) in signups {
        let signup = UserSignedUp { name, email };
        println!("  emit {signup:?}:");
        emitter.emit(signup);
    }

    println!("\n== The same faults in debug mode: each handler's outcome and duration");
    let emitter = emitter.debug(true);
    emitter.emit(UserSignedUp {
        name: "",
        email: None,
    });
}
