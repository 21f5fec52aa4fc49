//! A stand-in for `tokio::sync::Notify` on `loom`'s primitives (built under `--cfg pyventus_loom`
//! only), with the part of its contract the tokio processor relies on: `notify_waiters` wakes every
//! `Notified` future that was enabled or polled before it, and no other. tokio's own `Notify` cannot
//! run inside a `loom` model built this way (its internals follow `cfg(loom)`, not ours), so the
//! model of `wait_for_tasks` checks our protocol against this contract, and the contract itself is
//! tokio's (model-checked in tokio's own test suite).

use std::future::Future;
use std::mem;
use std::pin::Pin;
use std::task::{Context, Poll, Waker};

use loom::sync::Mutex;

#[derive(Default)]
struct State {
    /// Bumped by each `notify_waiters`.
    generation: u64,
    waiters: Vec<Waker>,
}

/// See the module docs.
#[derive(Default)]
pub(crate) struct Notify {
    state: Mutex<State>,
}

impl Notify {
    pub(crate) fn notified(&self) -> Notified<'_> {
        Notified {
            notify: self,
            generation: None,
        }
    }

    pub(crate) fn notify_waiters(&self) {
        let waiters = {
            let mut state = self.state.lock().unwrap();
            state.generation += 1;
            mem::take(&mut state.waiters)
        };
        for waiter in waiters {
            waiter.wake();
        }
    }

    fn generation(&self) -> u64 {
        self.state.lock().unwrap().generation
    }
}

/// A wait for the next `notify_waiters` after the future was enabled or first polled.
pub(crate) struct Notified<'a> {
    notify: &'a Notify,
    /// The generation when enabled: a later one means it was notified.
    generation: Option<u64>,
}

impl Notified<'_> {
    pub(crate) fn enable(self: Pin<&mut Self>) -> bool {
        let this = self.get_mut();
        if this.generation.is_none() {
            this.generation = Some(this.notify.generation());
        }
        true
    }
}

impl Future for Notified<'_> {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = self.get_mut();
        let mut state = this.notify.state.lock().unwrap();
        let enabled_at = *this.generation.get_or_insert(state.generation);
        if state.generation != enabled_at {
            return Poll::Ready(());
        }
        state.waiters.push(cx.waker().clone());
        Poll::Pending
    }
}
