//! What a program that set nothing up sees: with no `tracing` subscriber installed, pyventus writes its
//! fault reports (and, in debug mode, its debug lines) on stderr; with a subscriber, it writes them
//! there and nothing on stderr. `quiet_handler_panics` keeps the panic hook quiet for the panics
//! pyventus catches in handlers, and only for those.
//!
//! Each case runs in a child process: this test binary (it has no test harness) runs itself again with
//! `PYVENTUS_REPORTS_CASE` naming the case, and reads the child's stderr and stdout.

use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};

use pyventus::ExecutorProcessor;
use pyventus::prelude::*;

#[event]
struct Declined(u32);

#[subscribe(Declined)]
fn charge(e: &Declined) -> Result<(), String> {
    Err(format!("card declined for order {}", e.0))
}

#[event]
struct Exploded;

/// The line of the `panic!` in `explode`, for the location the quiet report gives.
const EXPLODE_LINE: u32 = line!() + 4;

#[subscribe(Exploded)]
fn explode() {
    panic!("the handler blew up");
}

#[event]
struct Traced;

static TRACED: AtomicUsize = AtomicUsize::new(0);

#[subscribe(Traced)]
fn traced() {
    TRACED.fetch_add(1, Ordering::SeqCst);
}

#[linker(max_subscribers = 1)]
struct Crowded;

#[event]
struct Busy;

#[subscribe(Busy, linker = Crowded)]
fn first_busy() {}

#[subscribe(Busy, linker = Crowded)]
fn second_busy() {}

#[event]
struct Twice;

#[linker(max_subscribers = 1)]
struct Small;

/// The line of the second `Small::subscribe` in `subscribe_twice`, which panics.
const SECOND_SUBSCRIBE_LINE: u32 = line!() + 4;

fn subscribe_twice() {
    Small::subscribe(|_: &Twice| {});
    Small::subscribe(|_: &Twice| {});
}

/// Runs one case in this process (the child).
fn run_case(case: &str) {
    match case {
        "error" => EventEmitter::new(InlineProcessor).emit(Declined(7)),
        "panic" => EventEmitter::new(InlineProcessor).emit(Exploded),
        "quiet" => {
            pyventus::quiet_handler_panics();
            EventEmitter::new(InlineProcessor).emit(Exploded);
            // Any other panic still reaches the hook as before.
            let _ = std::panic::catch_unwind(|| panic!("a panic outside any handler"));
        }
        "debug" => EventEmitter::new(InlineProcessor).debug(true).emit(Traced),
        "debug_from_environment" => EventEmitter::new(InlineProcessor).emit(Traced),
        "over_the_limit" => EventEmitter::with_linker::<Crowded>(InlineProcessor).emit(Busy),
        "two_closures" => {
            let first = EventLinker::subscribe(|_: &Twice| -> Result<(), &str> { Err("first") });
            let second = EventLinker::subscribe(|_: &Twice| -> Result<(), &str> { Err("second") });
            EventEmitter::new(InlineProcessor).emit(Twice);
            println!(
                "ids {} {}",
                first.info().subscription_id().unwrap(),
                second.info().subscription_id().unwrap()
            );
        }
        "named_closure" => {
            let _audit = EventLinker::named("audit")
                .subscribe(|_: &Twice| -> Result<(), &str> { Err("audit failed") });
            EventEmitter::new(InlineProcessor).emit(Twice);
        }
        "executor_after_shutdown" => {
            let emitter = EventEmitter::new(ExecutorProcessor::new(1));
            emitter.processor().shutdown();
            emitter.emit(Traced);
        }
        "limit_panic" => subscribe_twice(),
        "with_tracing" => {
            tracing_subscriber::fmt()
                .with_writer(std::io::stdout)
                .with_ansi(false)
                .without_time()
                .init();
            EventEmitter::new(InlineProcessor).emit(Declined(7));
        }
        other => panic!("unknown case {other}"),
    }
}

/// Runs `case` in a child process, with `environment` set.
fn child(case: &str, environment: &[(&str, &str)]) -> (String, String) {
    let mut command = Command::new(std::env::current_exe().expect("the test binary's path"));
    command
        .env("PYVENTUS_REPORTS_CASE", case)
        .env_remove("PYVENTUS_DEBUG")
        .env_remove("RUST_BACKTRACE");
    for (name, value) in environment {
        command.env(name, value);
    }
    let Output { stdout, stderr, .. } = command.output().expect("the child runs");
    (
        String::from_utf8_lossy(&stderr).into_owned(),
        String::from_utf8_lossy(&stdout).into_owned(),
    )
}

/// The lines pyventus wrote on stderr.
fn pyventus_lines(stderr: &str) -> Vec<&str> {
    stderr
        .lines()
        .filter(|line| line.starts_with("[pyventus] "))
        .collect()
}

fn an_error_reaches_stderr() {
    let (stderr, _) = child("error", &[]);
    let lines = pyventus_lines(&stderr);
    assert_eq!(lines.len(), 1, "{stderr}");
    assert_eq!(
        lines[0],
        "[pyventus] error: handler `default_reports::charge` returned an error for event `Declined`: \
         \"card declined for order 7\""
    );
}

fn a_panic_reaches_stderr_after_the_panic_hook() {
    let (stderr, _) = child("panic", &[]);
    assert!(
        stderr.contains("panicked at tests/default_reports.rs"),
        "the default hook still prints: {stderr}"
    );
    let lines = pyventus_lines(&stderr);
    assert_eq!(
        lines,
        [
            "[pyventus] error: handler `default_reports::explode` panicked on event `Exploded`: the handler blew up"
        ],
        "{stderr}"
    );
}

fn quiet_handler_panics_keeps_the_hook_quiet_for_handler_panics_only() {
    let (stderr, _) = child("quiet", &[]);
    let lines = pyventus_lines(&stderr);
    assert_eq!(lines.len(), 1, "{stderr}");
    let location = format!("(at tests/default_reports.rs:{EXPLODE_LINE}:5)");
    assert!(
        lines[0].contains("panicked on event `Exploded`: the handler blew up")
            && lines[0].ends_with(&location),
        "the report says where the panic happened: {stderr}"
    );
    assert_eq!(
        stderr.matches("panicked at").count(),
        1,
        "only the panic outside the handler reaches the hook: {stderr}"
    );
    assert!(stderr.contains("a panic outside any handler"), "{stderr}");
}

fn debug_mode_writes_its_lines_on_stderr() {
    for (case, environment) in [
        ("debug", &[][..]),
        ("debug_from_environment", &[("PYVENTUS_DEBUG", "1")][..]),
    ] {
        let (stderr, _) = child(case, environment);
        let lines = pyventus_lines(&stderr);
        let expected = [
            "[pyventus] debug: emit `Traced` on `pyventus::EventLinker` through `InlineProcessor`",
            "[pyventus] debug: compile-time handlers of `Traced` on `pyventus::EventLinker`: [\"default_reports::traced\"]",
            "[pyventus] debug: submit `default_reports::traced` for `Traced`",
        ];
        assert_eq!(lines[..3], expected, "{case}: {stderr}");
        assert!(
            lines[3]
                .starts_with("[pyventus] debug: handler `default_reports::traced` succeeded in "),
            "{case}: {stderr}"
        );
        assert_eq!(lines.len(), 4, "{case}: {stderr}");
    }
}

fn the_over_the_limit_report_reaches_stderr() {
    let (stderr, _) = child("over_the_limit", &[]);
    let lines = pyventus_lines(&stderr);
    assert_eq!(
        lines,
        [
            "[pyventus] error: event `Busy` has 2 compile-time handlers on linker `default_reports::Crowded`, \
          which allows 1; all of them run, and runtime subscriptions to it will be refused"
        ],
        "{stderr}"
    );
}

fn two_closures_of_one_function_are_told_apart() {
    let (stderr, stdout) = child("two_closures", &[]);
    let ids: Vec<&str> = stdout
        .trim()
        .strip_prefix("ids ")
        .expect("the child prints the ids")
        .split(' ')
        .collect();
    let lines = pyventus_lines(&stderr);
    assert_eq!(lines.len(), 2, "{stderr}");
    for (line, (id, message)) in lines.iter().zip(ids.iter().zip(["first", "second"])) {
        assert!(
            line.starts_with(
                "[pyventus] error: handler `default_reports::run_case::{{closure}}` (subscription #"
            ) && line.contains(&format!("(subscription #{id} at tests/default_reports.rs:"))
                && line.ends_with(&format!("\"{message}\"")),
            "{line}"
        );
    }
    assert_ne!(lines[0], lines[1]);
}

fn a_named_closure_is_reported_by_its_name() {
    let (stderr, _) = child("named_closure", &[]);
    let lines = pyventus_lines(&stderr);
    assert_eq!(lines.len(), 1, "{stderr}");
    assert!(
        lines[0].starts_with("[pyventus] error: handler `audit` (subscription #")
            && lines[0].ends_with("returned an error for event `Twice`: \"audit failed\""),
        "{stderr}"
    );
}

fn a_shut_down_executor_warns_on_stderr() {
    let (stderr, _) = child("executor_after_shutdown", &[]);
    assert_eq!(
        pyventus_lines(&stderr),
        [
            "[pyventus] warning: executor is shut down: running handler `default_reports::traced` on the submitting thread"
        ],
        "{stderr}"
    );
}

fn a_refused_subscription_panics_at_the_callers_line() {
    let (stderr, _) = child("limit_panic", &[]);
    assert!(
        stderr.contains(&format!(
            "panicked at tests/default_reports.rs:{SECOND_SUBSCRIBE_LINE}:5"
        )),
        "{stderr}"
    );
    assert!(
        stderr.contains(
            "has reached the maximum of 1 subscriber(s) allowed on linker `default_reports::Small`"
        ),
        "{stderr}"
    );
}

fn with_a_subscriber_reports_go_to_tracing_only() {
    let (stderr, stdout) = child("with_tracing", &[]);
    assert!(pyventus_lines(&stderr).is_empty(), "{stderr}");
    assert!(
        stdout.contains("ERROR pyventus: handler `default_reports::charge` returned an error for event `Declined`"),
        "{stdout}"
    );
}

fn main() {
    if let Ok(case) = std::env::var("PYVENTUS_REPORTS_CASE") {
        run_case(&case);
        return;
    }
    let tests: [(&str, fn()); 10] = [
        ("an_error_reaches_stderr", an_error_reaches_stderr),
        (
            "a_panic_reaches_stderr_after_the_panic_hook",
            a_panic_reaches_stderr_after_the_panic_hook,
        ),
        (
            "quiet_handler_panics_keeps_the_hook_quiet_for_handler_panics_only",
            quiet_handler_panics_keeps_the_hook_quiet_for_handler_panics_only,
        ),
        (
            "debug_mode_writes_its_lines_on_stderr",
            debug_mode_writes_its_lines_on_stderr,
        ),
        (
            "the_over_the_limit_report_reaches_stderr",
            the_over_the_limit_report_reaches_stderr,
        ),
        (
            "two_closures_of_one_function_are_told_apart",
            two_closures_of_one_function_are_told_apart,
        ),
        (
            "a_named_closure_is_reported_by_its_name",
            a_named_closure_is_reported_by_its_name,
        ),
        (
            "a_shut_down_executor_warns_on_stderr",
            a_shut_down_executor_warns_on_stderr,
        ),
        (
            "a_refused_subscription_panics_at_the_callers_line",
            a_refused_subscription_panics_at_the_callers_line,
        ),
        (
            "with_a_subscriber_reports_go_to_tracing_only",
            with_a_subscriber_reports_go_to_tracing_only,
        ),
    ];
    for (name, test) in tests {
        println!("test {name} ...");
        test();
    }
    println!("test result: ok. {} passed", tests.len());
}
