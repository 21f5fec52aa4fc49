use std::sync::atomic::{AtomicU32, Ordering};

use pyventus::prelude::*;

#[linker]
struct CustomEventLinker;

#[event]
struct Hello;

static SEEN: AtomicU32 = AtomicU32::new(0);

fn main() {
    assert!(CustomEventLinker::name().ends_with("::CustomEventLinker"));
    let sub = CustomEventLinker::subscribe(|_: &Hello| {
        SEEN.fetch_add(1, Ordering::SeqCst);
    });
    EventEmitter::new(InlineProcessor).emit(Hello);
    EventEmitter::with_linker::<CustomEventLinker>(InlineProcessor).emit(Hello);
    assert!(sub.unsubscribe());
    assert_eq!(SEEN.load(Ordering::SeqCst), 1);
}
