//! `ten_times!`: what the scale benches nest to declare 1,000 events or 10,000 handlers without a
//! generator. Each bench defines `crate::Emitter`, the emitter type `emit_all` takes.

/// `$leaf!()` ten times, in modules `m0` to `m9`, and `emit_all` calling each module's `emit_all`.
macro_rules! ten_times {
    ($leaf:ident) => {
        pub(crate) mod m0 {
            $leaf!();
        }
        pub(crate) mod m1 {
            $leaf!();
        }
        pub(crate) mod m2 {
            $leaf!();
        }
        pub(crate) mod m3 {
            $leaf!();
        }
        pub(crate) mod m4 {
            $leaf!();
        }
        pub(crate) mod m5 {
            $leaf!();
        }
        pub(crate) mod m6 {
            $leaf!();
        }
        pub(crate) mod m7 {
            $leaf!();
        }
        pub(crate) mod m8 {
            $leaf!();
        }
        pub(crate) mod m9 {
            $leaf!();
        }

        #[allow(dead_code)]
        pub(crate) fn emit_all(emitter: &crate::Emitter) {
            m0::emit_all(emitter);
            m1::emit_all(emitter);
            m2::emit_all(emitter);
            m3::emit_all(emitter);
            m4::emit_all(emitter);
            m5::emit_all(emitter);
            m6::emit_all(emitter);
            m7::emit_all(emitter);
            m8::emit_all(emitter);
            m9::emit_all(emitter);
        }
    };
}
