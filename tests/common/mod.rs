//! Helpers shared by the behaviour tests: capturing what pyventus reports through `tracing`.
//!
//! One subscriber is installed for the whole test binary, before any test logs anything, and never
//! replaced: `tracing` caches per call site whether anyone listens, and a scoped subscriber
//! (`with_default`) created while another thread registers a call site can leave that site muted. The
//! subscriber writes each line to the capture that the emitting thread has open (see [`capture_local`]),
//! or else to one process-wide buffer (see [`global_capture`]).
//!
//! Every test of a binary that uses this module calls [`install`] (directly, or through the functions
//! here) before it emits anything.

// Each test binary compiles this module and uses only part of it.
#![allow(dead_code)]

use std::cell::RefCell;
use std::io;
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use tracing::{Level, Metadata};
use tracing_subscriber::fmt::MakeWriter;

/// A buffer of formatted `tracing` lines (no colours, no timestamps): `LEVEL target: message fields`.
#[derive(Clone, Default)]
pub(crate) struct Capture {
    buffer: Arc<Mutex<Vec<u8>>>,
}

impl Capture {
    /// Everything captured so far.
    pub(crate) fn text(&self) -> String {
        let buffer = self.buffer.lock().unwrap_or_else(PoisonError::into_inner);
        String::from_utf8_lossy(&buffer).into_owned()
    }

    /// The captured lines that contain every one of `needles`.
    pub(crate) fn lines_with(&self, needles: &[&str]) -> Vec<String> {
        self.text()
            .lines()
            .filter(|line| needles.iter().all(|needle| line.contains(needle)))
            .map(str::to_owned)
            .collect()
    }
}

thread_local! {
    /// The capture open on this thread, if any, and the least severe level it keeps.
    static LOCAL: RefCell<Option<(Capture, Level)>> = const { RefCell::new(None) };
}

/// The least severe level the process-wide capture keeps.
const GLOBAL_LEVEL: Level = Level::WARN;

/// Sends each line to the emitting thread's open capture, or else to the process-wide one, if the line's
/// level is one the capture keeps.
struct Router;

/// Appends to one capture's buffer, or nowhere. The fmt subscriber writes each event with one
/// `write_all`, so lines from different threads do not interleave.
pub(crate) struct CaptureWriter {
    buffer: Option<Arc<Mutex<Vec<u8>>>>,
}

impl io::Write for CaptureWriter {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        if let Some(buffer) = &self.buffer {
            buffer
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .extend_from_slice(bytes);
        }
        Ok(bytes.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for Router {
    type Writer = CaptureWriter;

    fn make_writer(&'a self) -> CaptureWriter {
        CaptureWriter { buffer: None }
    }

    fn make_writer_for(&'a self, meta: &Metadata<'_>) -> CaptureWriter {
        let local = LOCAL
            .try_with(|local| local.borrow().clone())
            .ok()
            .flatten();
        let (capture, level) = local.unwrap_or_else(|| (global_buffer().clone(), GLOBAL_LEVEL));
        // A more severe level compares lower: ERROR < WARN < INFO < DEBUG.
        let keep = *meta.level() <= level;
        CaptureWriter {
            buffer: keep.then_some(capture.buffer),
        }
    }
}

fn global_buffer() -> &'static Capture {
    static GLOBAL: OnceLock<Capture> = OnceLock::new();
    GLOBAL.get_or_init(Capture::default)
}

/// Installs the binary's subscriber (debug level and above), once.
pub(crate) fn install() {
    static INSTALLED: OnceLock<()> = OnceLock::new();
    INSTALLED.get_or_init(|| {
        let subscriber = tracing_subscriber::fmt()
            .with_writer(Router)
            .with_ansi(false)
            .without_time()
            .with_max_level(Level::DEBUG)
            .finish();
        tracing::subscriber::set_global_default(subscriber)
            .expect("no other global subscriber in this test binary");
    });
}

/// Runs `f` and returns, with its result, the lines at `level` or more severe that this thread logged
/// while it ran.
///
/// Lines logged by other threads (handlers run by a pool or a runtime) go to [`global_capture`].
pub(crate) fn capture_local<R>(level: Level, f: impl FnOnce() -> R) -> (R, Capture) {
    install();
    let capture = Capture::default();
    let previous = LOCAL.with(|local| local.replace(Some((capture.clone(), level))));
    let result = f();
    LOCAL.with(|local| local.replace(previous));
    (result, capture)
}

/// Every line at warn level or more severe logged outside a [`capture_local`], from any thread. Tests
/// sharing it tell their lines apart by handler path or event name.
pub(crate) fn global_capture() -> &'static Capture {
    install();
    global_buffer()
}
