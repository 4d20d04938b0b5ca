//! Ratios measured in the same run: after a group finishes, read the medians criterion just
//! wrote (`<criterion home>/<group>/<function>/new/estimates.json`) and print them with their
//! ratio to the group's baseline. Files older than this process are ignored, so a ratio never
//! mixes two runs.

use std::path::PathBuf;
use std::sync::OnceLock;
use std::time::SystemTime;

fn started() -> SystemTime {
    static STARTED: OnceLock<SystemTime> = OnceLock::new();
    *STARTED.get_or_init(SystemTime::now)
}

/// Call once at the start of a bench binary (before any measurement).
pub(crate) fn begin() {
    let _ = started();
}

fn home() -> PathBuf {
    if let Some(h) = std::env::var_os("CRITERION_HOME") {
        return PathBuf::from(h);
    }
    if let Some(t) = std::env::var_os("CARGO_TARGET_DIR") {
        return PathBuf::from(t).join("criterion");
    }
    // `cargo bench` runs benches from the package root.
    PathBuf::from("target/criterion")
}

fn safe(s: &str) -> String {
    s.replace(['?', '"', '/', '\\', '*', '<', '>', ':', '|', '^'], "_")
}

/// The median (ns per iteration) criterion recorded in this run for `group/function`.
pub(crate) fn median_ns(group: &str, function: &str) -> Option<f64> {
    let path = home()
        .join(safe(group))
        .join(safe(function))
        .join("new")
        .join("estimates.json");
    let modified = std::fs::metadata(&path).ok()?.modified().ok()?;
    if modified < started() {
        return None;
    }
    let v: serde_json::Value = serde_json::from_slice(&std::fs::read(&path).ok()?).ok()?;
    v.pointer("/median/point_estimate")?.as_f64()
}

/// Human time for nanoseconds.
pub(crate) fn fmt_ns(ns: f64) -> String {
    if ns >= 1e6 {
        format!("{:.2} ms", ns / 1e6)
    } else if ns >= 1e3 {
        format!("{:.2} µs", ns / 1e3)
    } else {
        format!("{ns:.1} ns")
    }
}

/// Print a markdown table of `functions` of `group`: median, and ratio to `baseline`
/// (a function of the group, or `None`), plus `extra(median_ns)` per row when given.
pub(crate) fn table(
    group: &str,
    baseline: Option<&str>,
    functions: &[&str],
    extra: Option<&dyn Fn(f64) -> String>,
) {
    let base = baseline.and_then(|b| median_ns(group, b));
    println!("\n### {group}\n");
    println!(
        "| bench | median | ratio to {} |{}",
        baseline.unwrap_or("-"),
        { if extra.is_some() { " |" } else { "" } }
    );
    println!(
        "|---|---:|---:|{}",
        if extra.is_some() { "---:|" } else { "" }
    );
    for f in functions {
        let Some(m) = median_ns(group, f) else {
            println!(
                "| {f} | (not run) | |{}",
                if extra.is_some() { " |" } else { "" }
            );
            continue;
        };
        let ratio = base.map_or_else(|| "-".to_owned(), |b| format!("{:.1}×", m / b));
        let ex = extra.map(|e| format!(" {} |", e(m))).unwrap_or_default();
        println!("| {f} | {} | {ratio} |{ex}", fmt_ns(m));
    }
}

/// Print `name`: median of `group/function` against a target in nanoseconds.
pub(crate) fn target(group: &str, function: &str, target_ns: f64) {
    match median_ns(group, function) {
        Some(m) => println!(
            "target {group}/{function}: {} vs ≤ {} → {} ({:.2}× the target)",
            fmt_ns(m),
            fmt_ns(target_ns),
            if m <= target_ns { "MET" } else { "MISSED" },
            m / target_ns
        ),
        None => println!("target {group}/{function}: not run"),
    }
}
