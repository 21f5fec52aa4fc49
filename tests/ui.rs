//! Compile-pass and compile-fail tests of the attribute macros and of the emitter's type errors.
//!
//! Each case under `tests/ui/<topic>/{pass,fail}/` is one program; a failing case's expected diagnostic
//! is checked in next to it as a `.stderr` file. To regenerate them after a deliberate change of a
//! message: `TRYBUILD=overwrite cargo test --test ui --features redis`, then read the diff.
//!
//! The expected output is that of the README's `cargo test --workspace`, in which the tests of
//! `pyventus-redis` turn on the `redis` feature: some messages list the implementations of a trait,
//! and `RedisProcessor` and `Delivery` are among them. Hence `--features redis` when regenerating.

#[test]
fn ui() {
    let cases = trybuild::TestCases::new();
    for topic in ["event", "subscribe", "linker", "generated"] {
        cases.pass(format!("tests/ui/{topic}/pass/*.rs"));
    }
    for topic in ["event", "subscribe", "linker", "emitter"] {
        cases.compile_fail(format!("tests/ui/{topic}/fail/*.rs"));
    }
    if cfg!(feature = "redis") {
        cases.pass("tests/ui/redis/pass/*.rs");
        cases.compile_fail("tests/ui/redis/fail/*.rs");
    }
}
