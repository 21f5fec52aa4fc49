//! Names that tell things apart: two events of one name in different modules are two entries wherever
//! they could be confused (`Linker::events`, reports), and keep their own path everywhere
//! (`Event::PATH`, `AnyEvent::path`, `HandlerInfo::event_path`, `SubscriberInfo::event_path`); runtime
//! subscriptions have an id, a location and an optional name.

mod common;

use pyventus::AnyEvent;
use pyventus::prelude::*;
use tracing::Level;

use crate::common::capture_local;

mod billing {
    use pyventus::prelude::*;

    #[event]
    pub(crate) struct Created(pub(crate) u32);

    #[subscribe(Created, linker = super::Names)]
    fn on_billing_created(e: &Created) -> Result<(), String> {
        Err(format!("invoice {} failed", e.0))
    }
}

mod shipping {
    use pyventus::prelude::*;

    #[event]
    pub(crate) struct Created(pub(crate) u32);

    #[subscribe(Created, linker = super::Names)]
    fn on_shipping_created(e: &Created) {
        assert!(e.0 < 1_000);
    }
}

#[linker]
struct Names;

#[event]
struct Unique;

#[subscribe(Unique, linker = Names)]
fn on_unique() {}

#[test]
fn each_event_has_its_own_path() {
    assert_eq!(billing::Created::NAME, shipping::Created::NAME);
    assert_eq!(billing::Created::PATH, "event_names::billing::Created");
    assert_eq!(shipping::Created::PATH, "event_names::shipping::Created");
    let event: &dyn AnyEvent = &billing::Created(1);
    assert_eq!(event.name(), "Created");
    assert_eq!(event.path(), "event_names::billing::Created");
}

#[test]
fn events_lists_two_events_of_one_name_by_their_paths() {
    assert_eq!(
        Names::events(),
        [
            "Unique",
            "event_names::billing::Created",
            "event_names::shipping::Created"
        ]
    );
}

#[test]
fn subscribers_keep_the_path_of_their_event() {
    let billing = Names::subscribers::<billing::Created>();
    let shipping = Names::subscribers::<shipping::Created>();
    assert_eq!(billing.len(), 1);
    assert_eq!(shipping.len(), 1);
    assert_eq!(billing[0].event(), "Created");
    assert_eq!(billing[0].event_path(), "event_names::billing::Created");
    assert_eq!(shipping[0].event_path(), "event_names::shipping::Created");
    assert_eq!(
        billing[0].info().event_path(),
        "event_names::billing::Created"
    );
    let unique = Names::subscribers::<Unique>();
    assert_eq!(unique[0].event_path(), "event_names::Unique");
}

#[test]
fn a_report_names_an_ambiguous_event_by_its_path() {
    let ((), capture) = capture_local(Level::ERROR, || {
        EventEmitter::with_linker::<Names>(InlineProcessor).emit(billing::Created(7));
    });
    let lines = capture.lines_with(&[
        "handler `event_names::billing::on_billing_created`",
        "returned an error for event `event_names::billing::Created`: \"invoice 7 failed\"",
    ]);
    assert_eq!(lines.len(), 1, "{}", capture.text());
    assert!(
        lines[0].contains("event_path=\"event_names::billing::Created\""),
        "{}",
        lines[0]
    );
}

#[test]
fn runtime_subscriptions_have_an_id_a_location_and_an_optional_name() {
    let line = line!() + 1;
    let plain = Names::subscribe(|_: &Unique| {});
    let named = Names::named("audit").once(|_: &Unique| {});
    let (plain_info, named_info) = (*plain.info(), *named.info());
    assert_ne!(plain_info.subscription_id(), named_info.subscription_id());
    let location = plain_info
        .location()
        .expect("a runtime subscription has a location");
    assert_eq!(
        (location.file(), location.line()),
        ("tests/event_names.rs", line)
    );
    assert_eq!(named_info.location().map(|l| l.line()), Some(line + 1));
    assert_eq!(plain_info.name(), None);
    assert_eq!(named_info.name(), Some("audit"));
    assert_eq!(
        named_info.to_string(),
        format!(
            "audit (subscription #{} at tests/event_names.rs:{}:39)",
            named_info.subscription_id().unwrap(),
            line + 1
        )
    );
    let listed = Names::subscribers::<Unique>();
    assert!(listed.iter().any(|s| s.info().name() == Some("audit")));
    // A `#[subscribe]` function has none of these.
    let compiled = listed
        .iter()
        .find(|s| s.path().ends_with("::on_unique"))
        .expect("the compile-time handler");
    assert_eq!(compiled.info().subscription_id(), None);
    assert_eq!(compiled.info().location(), None);
    assert_eq!(compiled.info().to_string(), "event_names::on_unique");
    assert!(plain.unsubscribe());
    assert!(named.unsubscribe());
}
