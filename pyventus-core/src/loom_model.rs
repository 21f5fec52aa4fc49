//! The `loom` models' common runner (built only for `cargo test` under `--cfg pyventus_loom`; the models
//! sit beside the protocols they check: `registry/version.rs`, `registry/slot_models.rs`, `handler.rs`,
//! `runtime_list.rs`, `processors/executor.rs`, `processors/tokio.rs`).

/// Explores every interleaving with at most `LOOM_MAX_PREEMPTIONS` (default 3) preemptions: beyond
/// it the state space explodes, and loom's docs find 2 or 3 enough to catch most bugs. Prints how
/// many executions it explored.
pub(crate) fn model(test: impl Fn() + Sync + Send + 'static) {
    let mut builder = loom::model::Builder::new();
    if builder.preemption_bound.is_none() {
        builder.preemption_bound = Some(3);
    }
    let executions = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counted = std::sync::Arc::clone(&executions);
    builder.check(move || {
        counted.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        test();
    });
    let executions = executions.load(std::sync::atomic::Ordering::Relaxed);
    eprintln!(
        "{}: {executions} executions explored",
        std::thread::current().name().unwrap_or("loom model")
    );
}
