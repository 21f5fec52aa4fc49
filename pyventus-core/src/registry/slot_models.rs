//! `loom` models of a whole [`Slot`]: its version word, flags, runtime list and each thread's cached
//! copy of that list together, as an emit and the subscription calls use them (built only for
//! `cargo test` under `--cfg pyventus_loom`; the command is in `version.rs`).
//!
//! A slot is built per execution from a compile-time handler of a test event on a registered linker and a
//! leaked all-events list (a slot's parts are `'static` in a program; leaking one small slot per
//! execution keeps that shape). Each emitting thread is a model thread of its own, so that its cached
//! copies are dropped when it ends, as a real thread's are.

use std::any::TypeId;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering as StdOrdering};

use loom::thread;

use super::slot::{ErasedSlot, FastPath, Slot, SlotSnapshot};
use super::{AllEvents, Handler, HandlerFn, Registration, event_ref};
use crate::event::Event;
use crate::handler::OnceFlag;
use crate::meta::{HandlerInfo, LinkerMeta, all_linkers};
use crate::registry::EventRegistry;
use crate::runtime_list::{RuntimeFn, RuntimeHandler, RuntimeList, Unsubscribe};

struct Tick;

impl Event for Tick {
    const NAME: &'static str = "Tick";

    fn __registry() -> &'static EventRegistry<Self> {
        static REGISTRY: EventRegistry<Tick> = EventRegistry::new();
        &REGISTRY
    }
}

fn compiled(_: &Tick) {}

/// The first registered linker: a compile-time handler is placed on its linker by the linker's
/// index, so the linker must be one `inventory` registered.
fn linker() -> &'static LinkerMeta {
    all_linkers()[0]
}

static COMPILED: Handler<Tick> = Handler::new(
    HandlerInfo::new("loom::compiled", "Tick", "loom::Tick", linker),
    HandlerFn::Plain(compiled),
);
static REGISTRATION: Registration = Registration::new(&COMPILED, event_ref::<Tick>());

/// A slot of `Tick` with one compile-time handler, as the registry builds it.
fn slot() -> &'static Slot<Tick> {
    let all: &'static AllEvents = Box::leak(Box::new(RuntimeList::new()));
    let index = linker().index().expect("a registered linker");
    let registrations = [(TypeId::of::<Tick>(), &REGISTRATION)];
    Box::leak(Box::new(Slot::new(linker(), index, &registrations, all)))
}

/// Counts the closures dropped: each one owns one of these.
struct Dropped(Arc<AtomicUsize>);

impl Drop for Dropped {
    fn drop(&mut self) {
        self.0.fetch_add(1, StdOrdering::Relaxed);
    }
}

/// A plain runtime closure `id` (or a `once` one), which counts its drop in `dropped`.
fn closure(id: u64, once: bool, dropped: &Arc<AtomicUsize>) -> Arc<RuntimeHandler<Tick>> {
    let owned = Dropped(Arc::clone(dropped));
    Arc::new(RuntimeHandler {
        id,
        info: HandlerInfo::new("loom::closure", "Tick", "loom::Tick", linker),
        once: once.then(OnceFlag::new),
        call: RuntimeFn::Plain(Box::new(move |_: &Tick| {
            let _ = &owned;
        })),
    })
}

/// What an emit's look holds: whether the compile-time handler is enabled, and the runtime ids.
type Look = (bool, Vec<u64>);

fn look(snapshot: &SlotSnapshot<'_, Tick>) -> Look {
    let ids = snapshot
        .runtime
        .as_ref()
        .map(|list| list.iter().map(|handler| handler.id).collect())
        .unwrap_or_default();
    (snapshot.enabled.contains(0), ids)
}

/// An emit's looks, as the inline processor takes them: its fast path first (checked against the
/// states that allow it), then the general walk, through this thread's cached copy when valid.
fn emit_looks(slot: &'static Slot<Tick>, states: &[Look]) -> Look {
    match slot.fast_path() {
        FastPath::Compiled => {
            // Only plain compile-time handlers: a state with the handler enabled and no closure.
            assert!(
                states.contains(&(true, Vec::new())),
                "the compiled fast path was taken, but no state had only compile-time handlers"
            );
        }
        FastPath::WithRuntime(state) => {
            slot.with_cached_runtime(state, |list| {
                let seen = (true, list.iter().map(|handler| handler.id).collect());
                assert!(
                    states.contains(&seen),
                    "a cached list that never existed: {seen:?}"
                );
            });
        }
        FastPath::None => {}
    }
    slot.with_snapshot(look)
}

/// Where `seen` is in `states` (the order they were made in).
fn position(states: &[Look], seen: &Look) -> usize {
    states
        .iter()
        .position(|state| state == seen)
        .unwrap_or_else(|| panic!("an emit saw subscribers that never existed together: {seen:?}"))
}

/// Two emits on a model thread of their own, each checked against `states` (the states a writer
/// makes, in order); the second, on the same thread (so through its cached copy when unchanged),
/// never goes back to an older state than the first.
fn two_emits(slot: &'static Slot<Tick>, states: &[Look]) -> thread::JoinHandle<()> {
    let states = states.to_vec();
    thread::spawn(move || {
        let first = emit_looks(slot, &states);
        let second = emit_looks(slot, &states);
        assert!(position(&states, &first) <= position(&states, &second));
    })
}

#[test]
fn loom_an_emit_sees_a_state_that_existed_while_subscribers_change() {
    crate::loom_model::model(|| {
        let dropped = Arc::new(AtomicUsize::new(0));
        let slot = slot();
        slot.subscribe(closure(0, false, &dropped)).unwrap();
        // The states the writer makes, in order: one closure; two; everything removed at once
        // (`remove_all` disables the compile-time handler and clears the list in one change).
        let states = [(true, vec![0]), (true, vec![0, 1]), (false, vec![])];
        let writer = {
            let dropped = Arc::clone(&dropped);
            thread::spawn(move || {
                slot.subscribe(closure(1, false, &dropped)).unwrap();
                assert_eq!(slot.remove_all(), 3);
            })
        };
        let emitter = two_emits(slot, &states);
        writer.join().unwrap();
        emitter.join().unwrap();
        assert_eq!(slot.len(), 0);
        // Both closures dropped exactly once: by the removal, or with the emitting thread's copy.
        assert_eq!(dropped.load(StdOrdering::Relaxed), 2);
    });
}

#[test]
fn loom_an_unsubscribe_racing_emits_takes_effect_at_one_moment() {
    crate::loom_model::model(|| {
        let dropped = Arc::new(AtomicUsize::new(0));
        let slot = slot();
        slot.subscribe(closure(0, false, &dropped)).unwrap();
        let states = [(true, vec![0]), (true, vec![])];
        let remover = thread::spawn(move || assert!(Unsubscribe::remove(slot, 0)));
        let emitter = two_emits(slot, &states);
        remover.join().unwrap();
        emitter.join().unwrap();
        // After the removal, an emit reaches the compile-time handler alone, on the fast path.
        assert!(matches!(slot.fast_path(), FastPath::Compiled));
        assert!(!slot.contains(0));
        assert_eq!(dropped.load(StdOrdering::Relaxed), 1);
    });
}

#[test]
fn loom_a_once_closure_runs_for_one_of_two_emits() {
    crate::loom_model::model(|| {
        let dropped = Arc::new(AtomicUsize::new(0));
        let slot = slot();
        slot.subscribe(closure(0, true, &dropped)).unwrap();
        let calls = Arc::new(AtomicUsize::new(0));
        let emitters: Vec<_> = (0..2)
            .map(|_| {
                let calls = Arc::clone(&calls);
                thread::spawn(move || {
                    // As the dispatch cursor does: claim each runtime handler as it is reached.
                    slot.with_snapshot(|snapshot| {
                        for handler in snapshot.runtime.iter().flat_map(|list| list.iter()) {
                            if handler.claim(slot) {
                                calls.fetch_add(1, StdOrdering::Relaxed);
                            }
                        }
                    });
                })
            })
            .collect();
        for emitter in emitters {
            emitter.join().unwrap();
        }
        assert_eq!(
            calls.load(StdOrdering::Relaxed),
            1,
            "a once closure ran twice or never"
        );
        // The claim removed it from the slot, and nothing holds it once the emitting threads ended.
        assert_eq!(slot.len(), 1);
        assert_eq!(dropped.load(StdOrdering::Relaxed), 1);
    });
}
