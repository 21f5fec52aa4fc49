//! The built-in processors.
//!
//! | processor | Pyventus | where handlers run | `emit` returns |
//! |---|---|---|---|
//! | [`InlineProcessor`] | the page's `CustomProcessingService` | the caller's thread | after every handler |
//! | [`TokioProcessor`] | `AsyncIOProcessingService` | tokio tasks | at once (inside a runtime) |
//! | [`ExecutorProcessor`] | `ExecutorProcessingService` | a thread pool | at once |

mod executor;
mod inline;
#[cfg(feature = "tokio")]
mod tokio;

pub use self::executor::ExecutorProcessor;
pub use self::inline::InlineProcessor;
#[cfg(feature = "tokio")]
#[cfg_attr(docsrs, doc(cfg(feature = "tokio")))]
pub use self::tokio::TokioProcessor;
