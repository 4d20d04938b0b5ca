//! Helpers shared by the integration tests: examples run as tests, golden files, and what a
//! fired command must come to.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[cfg(all(feature = "testing", feature = "procedures"))]
pub(crate) mod batch;
pub(crate) mod cast;
pub(crate) mod defs;

use aftersales::{EngineError, Outcome, Rejection};
use std::error::Error;
use std::io::Write;
use std::path::Path;

/// An example's `run`: it prints to the writer it is given.
pub(crate) type ExampleRun = fn(&mut dyn Write) -> Result<(), Box<dyn Error>>;

/// What an example's `run` printed.
#[track_caller]
pub(crate) fn example_output(run: ExampleRun) -> String {
    let mut out = Vec::new();
    run(&mut out).unwrap_or_else(|e| panic!("the example failed: {e}"));
    String::from_utf8(out).expect("the example prints UTF-8")
}

/// `actual` must equal the golden file `path` (relative to the crate root); with
/// `UPDATE_GOLDEN=1` the file is rewritten first. Returns the golden text.
#[track_caller]
pub(crate) fn golden(path: &str, actual: &str) -> String {
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join(path);
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&file, actual).unwrap();
    }
    let expected = std::fs::read_to_string(&file).unwrap_or_default();
    assert_eq!(
        actual, expected,
        "{path} differs; rerun with UPDATE_GOLDEN=1 if the change is intended"
    );
    expected
}

/// The page `path` (relative to the crate root) embeds `text`.
#[track_caller]
pub(crate) fn page_embeds(path: &str, text: &str) {
    let page = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(path)).unwrap();
    assert!(
        page.contains(text),
        "{path} does not embed the golden text (stale?)"
    );
}

/// `text` contains every one of `parts`.
#[track_caller]
pub(crate) fn assert_contains_all(text: &str, parts: &[&str]) {
    for part in parts {
        assert!(text.contains(part), "{part:?} not in {text}");
    }
}

/// The outcome of a command that must be accepted.
#[track_caller]
pub(crate) fn accepted(fired: Result<Outcome, EngineError>) -> Outcome {
    fired.unwrap_or_else(|e| panic!("refused: {e}"))
}

/// The refusal of a command that must be refused.
#[track_caller]
pub(crate) fn refusal(fired: Result<Outcome, EngineError>) -> Rejection {
    match fired {
        Ok(o) => panic!("accepted, now in {}", o.instance.state()),
        Err(e) => e.rejection().cloned().expect("a rejection"),
    }
}
