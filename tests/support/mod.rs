//! Helpers shared by the reliability tests (`random_walks`, `faults`, `concurrency`, `fuzz`,
//! `bad_input`): seeded proptest runners, so CI runs are reproducible and longer local runs
//! are one environment variable away.
//!
//! - `RELIABILITY_SEED=<u64>` changes the seed (default fixed; printed by every runner).
//! - `RELIABILITY_SCALE=<n>` multiplies the number of cases (default 1).

#![allow(dead_code)]

use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};

/// The default seed: CI always explores the same cases unless told otherwise.
pub(crate) const DEFAULT_SEED: u64 = 0x5EED_2026_AF7E;

/// The seed in use (`RELIABILITY_SEED`, or [`DEFAULT_SEED`]).
pub(crate) fn seed() -> u64 {
    std::env::var("RELIABILITY_SEED")
        .ok()
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(DEFAULT_SEED)
}

/// The case multiplier in use (`RELIABILITY_SCALE`, at least 1).
pub(crate) fn scale() -> u32 {
    std::env::var("RELIABILITY_SCALE")
        .ok()
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(1u32)
        .max(1)
}

/// A proptest runner for `cases` cases (times the scale), seeded from the seed and `salt`
/// (one salt per test, so tests do not explore the same stream).
pub(crate) fn runner(cases: u32, salt: u64) -> TestRunner {
    let mut bytes = [0u8; 32];
    bytes[..8].copy_from_slice(&seed().to_le_bytes());
    bytes[8..16].copy_from_slice(&salt.to_le_bytes());
    let config = Config {
        cases: cases.saturating_mul(scale()),
        failure_persistence: None,
        max_shrink_iters: 512,
        ..Config::default()
    };
    TestRunner::new_with_rng(config, TestRng::from_seed(RngAlgorithm::ChaCha, &bytes))
}

/// A small deterministic generator (splitmix64) for tests that need randomness outside
/// proptest (threads, fault schedules).
#[derive(Debug, Clone)]
pub(crate) struct SplitMix(pub(crate) u64);

impl SplitMix {
    /// The next 64 random bits.
    pub(crate) fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number below `n` (0 when `n` is 0).
    pub(crate) fn below(&mut self, n: u64) -> u64 {
        if n == 0 { 0 } else { self.next_u64() % n }
    }
}

/// Print a summary line to the real stderr. `eprintln!` output of a passing test is captured
/// by the test harness; CI logs should show the figures, so write past the capture.
pub(crate) fn announce(line: &str) {
    use std::io::Write;
    let mut err = std::io::stderr().lock();
    let _ = writeln!(err, "{line}");
}

/// A count a scaled run asks for through the environment variable `var` (CI sets it; see
/// `docs/reliability.md`), else `default` (what a plain `cargo test` runs).
pub(crate) fn target(var: &str, default: u64) -> u64 {
    std::env::var(var)
        .ok()
        .and_then(|s| s.trim().replace('_', "").parse().ok())
        .unwrap_or(default)
}

/// A unique directory under the system temp dir, removed with everything in it on drop.
pub(crate) struct TempDir(pub(crate) std::path::PathBuf);

impl TempDir {
    /// A new, empty directory named after `tag`, the process and a counter.
    pub(crate) fn new(tag: &str) -> Self {
        use std::sync::atomic::{AtomicUsize, Ordering};
        static N: AtomicUsize = AtomicUsize::new(0);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default();
        let dir = std::env::temp_dir().join(format!(
            "aftersales-{tag}-{}-{nanos}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        if let Err(e) = std::fs::create_dir_all(&dir) {
            panic!("cannot create {}: {e}", dir.display());
        }
        TempDir(dir)
    }

    /// The path of `name` inside the directory.
    pub(crate) fn file(&self, name: &str) -> std::path::PathBuf {
        self.0.join(name)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
