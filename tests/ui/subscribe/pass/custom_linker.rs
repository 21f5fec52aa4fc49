use std::sync::atomic::{AtomicU32, Ordering};

use pyventus::prelude::*;

#[event]
struct Audit;

mod linkers {
    use pyventus::prelude::*;

    #[linker]
    pub struct AuditLinker;
}

static AUDITED: AtomicU32 = AtomicU32::new(0);

#[subscribe(Audit, linker = linkers::AuditLinker, priority = 1)]
fn record() {
    AUDITED.fetch_add(1, Ordering::SeqCst);
}

fn main() {
    EventEmitter::new(InlineProcessor).emit(Audit);
    assert_eq!(AUDITED.load(Ordering::SeqCst), 0, "the default linker must not see AuditLinker's handlers");
    EventEmitter::with_linker::<linkers::AuditLinker>(InlineProcessor).emit(Audit);
    assert_eq!(AUDITED.load(Ordering::SeqCst), 1);
}
