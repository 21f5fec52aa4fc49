//! What the benchmarks share: the hand-written floor of this design.

/// Defines `fn $name(event: $event)`: the least this design must do to reach `$handler`, registered at
/// compile time, written as a user would write it: a table built once (`OnceLock<Box<[fn(&E)]>>`), one
/// check that it is enabled, one `catch_unwind` around the calls. A macro, not a generic type, so that
/// each floor is exactly this code for its event (statics of its own, the handler a constant).
macro_rules! floor {
    ($name:ident, $event:ty, $handler:path) => {
        fn $name(event: $event) {
            type Calls = Box<[fn(&$event)]>;
            static CALLS: std::sync::OnceLock<Calls> = std::sync::OnceLock::new();
            static ENABLED: std::sync::atomic::AtomicBool =
                std::sync::atomic::AtomicBool::new(true);
            let calls = CALLS.get_or_init(|| vec![$handler as fn(&$event)].into_boxed_slice());
            if ENABLED.load(std::sync::atomic::Ordering::Acquire) {
                let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    for call in calls.iter() {
                        call(&event);
                    }
                }));
            }
        }
    };
}

pub(crate) use floor;
