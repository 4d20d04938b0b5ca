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

const TABLE_BEGIN: &str =
    "<!-- in-state actions: generated from the definition by the test that checks this page -->\n";
const TABLE_END: &str = "<!-- end of in-state actions -->\n";

/// The procedure page `path` shows `diagram` as its Mermaid block and, under it, `table` (the
/// actions that stay in their state, [`aftersales::InStateActions`]). With `UPDATE_GOLDEN=1`
/// the page's first Mermaid block and that table are rewritten first.
#[track_caller]
pub(crate) fn page_diagram(path: &str, diagram: &str, table: &str) {
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join(path);
    let mut page = std::fs::read_to_string(&file).unwrap();
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        let start = page
            .find("```mermaid\n")
            .expect("the page has a Mermaid block")
            + 11;
        let end = start + page[start..].find("```\n").expect("the Mermaid block ends");
        page.replace_range(start..end, diagram);
        let after = start + diagram.len() + 4;
        let section = format!("{TABLE_BEGIN}{table}{TABLE_END}");
        match (page.find(TABLE_BEGIN), page.find(TABLE_END)) {
            (Some(b), Some(e)) => page.replace_range(b..e + TABLE_END.len(), &section),
            _ => page.insert_str(
                after,
                &format!(
                    "\nActions that stay in their state (the diagram folds them into the state: \
                     named when at most three, counted otherwise), with their roles or sign-off, \
                     conditions and forms:\n\n{section}"
                ),
            ),
        }
        std::fs::write(&file, &page).unwrap();
    }
    assert!(
        page.contains(&format!("```mermaid\n{diagram}```\n")),
        "{path} does not show the golden diagram (rerun with UPDATE_GOLDEN=1)"
    );
    assert!(
        page.contains(&format!("{TABLE_BEGIN}{table}{TABLE_END}")),
        "{path} does not list the in-state actions (rerun with UPDATE_GOLDEN=1)"
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
