//! A linker that `inventory` never registered (what every linker is on a platform `inventory` does not
//! support; here, a `Linker` implemented by hand without `#[linker]`): the `try_` forms return
//! `SubscribeError::LinkerNotRegistered` instead of panicking, the plain forms panic with that message,
//! and emits and queries find nothing.

use pyventus::__private::LinkerMeta;
use pyventus::prelude::*;
use pyventus::{AnyEvent, SubscribeError};

/// Implemented by hand, and never submitted to `inventory`.
struct Unregistered;

impl Linker for Unregistered {
    fn __meta() -> &'static LinkerMeta {
        static META: LinkerMeta = LinkerMeta::new("unregistered_linker::Unregistered");
        &META
    }
}

#[event]
struct Ping;

#[test]
fn try_subscribe_returns_an_error_naming_the_linker() {
    let error = Unregistered::try_subscribe(|_: &Ping| {}).unwrap_err();
    assert_eq!(
        error,
        SubscribeError::LinkerNotRegistered {
            linker: "unregistered_linker::Unregistered"
        }
    );
    assert!(
        error
            .to_string()
            .contains("`unregistered_linker::Unregistered` is not registered"),
        "{error}"
    );
    assert!(matches!(
        Unregistered::try_once(|_: &Ping| {}),
        Err(SubscribeError::LinkerNotRegistered { .. })
    ));
    assert!(matches!(
        Unregistered::try_subscribe_async(|_: &Ping| async {}),
        Err(SubscribeError::LinkerNotRegistered { .. })
    ));
    assert!(matches!(
        Unregistered::try_once_async(|_: &Ping| async {}),
        Err(SubscribeError::LinkerNotRegistered { .. })
    ));
    assert!(matches!(
        Unregistered::try_subscribe_all(|_: &dyn AnyEvent| {}),
        Err(SubscribeError::LinkerNotRegistered { .. })
    ));
}

#[test]
fn subscribe_panics_with_the_same_message() {
    let panic = std::panic::catch_unwind(|| Unregistered::subscribe(|_: &Ping| {})).unwrap_err();
    let message = pyventus::panic_message(&*panic);
    assert!(message.contains("is not registered"), "{message}");
}

#[test]
fn emits_and_queries_find_nothing() {
    EventEmitter::with_linker::<Unregistered>(InlineProcessor).emit(Ping);
    assert_eq!(Unregistered::subscriber_count::<Ping>(), 0);
    assert!(Unregistered::subscribers::<Ping>().is_empty());
    assert!(Unregistered::all_events_subscribers().is_empty());
    assert!(Unregistered::events().is_empty());
    assert_eq!(Unregistered::remove_event::<Ping>(), 0);
    assert_eq!(Unregistered::remove_all(), 0);
    assert_eq!(Unregistered::restore::<Ping>(), 0);
}
