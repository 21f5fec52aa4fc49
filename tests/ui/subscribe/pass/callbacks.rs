use std::sync::Mutex;

use pyventus::Failure;
use pyventus::prelude::*;

#[event]
struct Charge(u32);

static LOG: Mutex<Vec<String>> = Mutex::new(Vec::new());

fn charged(receipt: String) {
    LOG.lock().unwrap().push(receipt);
}

fn declined(failure: Failure<String>) {
    let line = match failure {
        Failure::Error(reason) => format!("error: {reason}"),
        Failure::Panic(message) => format!("panic: {message}"),
    };
    LOG.lock().unwrap().push(line);
}

#[subscribe(Charge, on_success = charged, on_failure = declined)]
fn charge(e: &Charge) -> Result<String, String> {
    match e.0 {
        0 => panic!("nothing to charge"),
        amount if amount > 100 => Err(format!("{amount} is over the limit")),
        amount => Ok(format!("charged {amount}")),
    }
}

#[subscribe(Charge, on_success = |n: usize| assert!(n > 0))]
fn digits(e: &Charge) -> Result<usize, String> {
    Ok(e.0.to_string().len())
}

fn main() {
    std::panic::set_hook(Box::new(|_| {}));
    let emitter = EventEmitter::new(InlineProcessor);
    emitter.emit(Charge(5));
    emitter.emit(Charge(500));
    emitter.emit(Charge(0));
    assert_eq!(
        *LOG.lock().unwrap(),
        ["charged 5", "error: 500 is over the limit", "panic: nothing to charge"]
    );
}
