//! Generated code names only `::pyventus::__private::…`: it compiles in a module without the prelude,
//! and in one that shadows every name it could otherwise reach for.

use std::sync::atomic::{AtomicUsize, Ordering};

static CALLS: AtomicUsize = AtomicUsize::new(0);

#[no_implicit_prelude]
mod bare {
    #[::pyventus::event]
    pub struct Ping(pub u32);

    #[::pyventus::linker(max_subscribers = 4, on_success = super::noted)]
    pub struct Bare;

    #[::pyventus::subscribe(Ping)]
    fn sync(_: &Ping) {
        super::CALLS.fetch_add(1, ::std::sync::atomic::Ordering::SeqCst);
    }

    #[::pyventus::subscribe(Ping, linker = Bare, priority = 1, on_success = ok, on_failure = failed)]
    fn fallible(e: &Ping) -> ::core::result::Result<u32, ::std::string::String> {
        super::CALLS.fetch_add(1, ::std::sync::atomic::Ordering::SeqCst);
        ::core::result::Result::Ok(e.0)
    }

    fn ok(_: u32) {}

    fn failed(_: ::pyventus::Failure<::std::string::String>) {}

    #[::pyventus::subscribe(Ping, linker = Bare, once)]
    async fn later(_: &Ping) {
        super::CALLS.fetch_add(1, ::std::sync::atomic::Ordering::SeqCst);
    }

    #[::pyventus::subscribe(Ping, linker = Bare, on_failure = failed_async)]
    async fn fallible_later() -> ::core::result::Result<(), ()> {
        super::CALLS.fetch_add(1, ::std::sync::atomic::Ordering::SeqCst);
        ::core::result::Result::Ok(())
    }

    fn failed_async(_: ::pyventus::Failure<()>) {}
}

#[allow(dead_code, non_camel_case_types, unused_macros)]
mod shadowing {
    struct Box;
    struct Option;
    struct Some;
    struct Result;
    struct Ok;
    struct Err;
    struct Send;
    struct Sync;
    mod core {}
    mod std {}
    mod inventory {}
    mod pyventus {}
    macro_rules! concat {
        ($($any:tt)*) => {
            0
        };
    }
    macro_rules! line {
        () => {
            "not a line"
        };
    }
    macro_rules! column {
        () => {
            "not a column"
        };
    }
    macro_rules! module_path {
        () => {
            0
        };
    }

    #[::pyventus::event]
    pub struct Pong;

    #[::pyventus::linker]
    pub struct Shadowed;

    #[::pyventus::subscribe(Pong, linker = Shadowed)]
    fn sync() {
        super::CALLS.fetch_add(1, ::std::sync::atomic::Ordering::SeqCst);
    }

    #[::pyventus::subscribe(Pong, linker = Shadowed, on_failure = failed)]
    async fn later(_: &Pong) -> ::core::result::Result<(), u8> {
        super::CALLS.fetch_add(1, ::std::sync::atomic::Ordering::SeqCst);
        ::core::result::Result::Ok(())
    }

    fn failed(_: ::pyventus::Failure<u8>) {}
}

fn noted(_: &pyventus::HandlerInfo) {}

fn main() {
    use pyventus::prelude::*;

    EventEmitter::new(InlineProcessor).emit(bare::Ping(1));
    EventEmitter::with_linker::<bare::Bare>(InlineProcessor).emit(bare::Ping(2));
    EventEmitter::with_linker::<shadowing::Shadowed>(InlineProcessor).emit(shadowing::Pong);
    // `sync` on the default linker; `fallible`, `later`, `fallible_later` on `Bare`; two on `Shadowed`.
    assert_eq!(CALLS.load(Ordering::SeqCst), 6);
    assert!(bare::Bare::name().ends_with("bare::Bare"));
}
