// `max_subscribers` takes a named constant, and an integer a `macro_rules!` hands over.
use pyventus::prelude::*;

const LIMIT: usize = 2;

#[linker(max_subscribers = LIMIT)]
struct Limited;

macro_rules! limited {
    ($name:ident, $max:expr) => {
        #[linker(max_subscribers = $max)]
        struct $name;
    };
}

limited!(FromMacro, 1);

#[event]
struct Ping;

fn main() {
    assert_eq!(Limited::max_subscribers(), Some(2));
    assert_eq!(FromMacro::max_subscribers(), Some(1));
    assert!(Limited::try_subscribe(|_: &Ping| {}).is_ok());
    assert!(Limited::try_subscribe(|_: &Ping| {}).is_ok());
    assert!(Limited::try_subscribe(|_: &Ping| {}).is_err());
}
