//! Shared bench support: the complaint-ticket workload (ours, a hand-written enum/match
//! baseline and a statig peer), shuffled orders, and reading criterion's medians back to
//! print ratios measured in the same run.
//!
//! Included by each bench with `#[path = "support/mod.rs"] mod support;`; not every bench uses
//! every item.
#![allow(dead_code)]

pub(crate) mod baseline;
pub(crate) mod peer;
#[cfg(feature = "procedures")]
pub(crate) mod procedure;
pub(crate) mod report;
pub(crate) mod ticket;

/// SplitMix64: a tiny deterministic generator, enough to shuffle.
pub(crate) struct Rng(u64);

impl Rng {
    pub(crate) fn new(seed: u64) -> Self {
        Rng(seed)
    }

    pub(crate) fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (n > 0; the modulo bias is irrelevant here).
    pub(crate) fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }
}

/// `0..n` in a fixed shuffled order (Fisher–Yates).
pub(crate) fn shuffled(n: usize, seed: u64) -> Vec<usize> {
    let mut v: Vec<usize> = (0..n).collect();
    let mut rng = Rng::new(seed);
    for i in (1..n).rev() {
        v.swap(i, rng.below(i + 1));
    }
    v
}

/// Cycles through a shuffled order: every instance is visited once per round, in an order
/// the hardware prefetcher cannot follow.
pub(crate) struct Cursor {
    order: Vec<usize>,
    k: usize,
}

impl Cursor {
    pub(crate) fn new(n: usize, seed: u64) -> Self {
        Cursor {
            order: shuffled(n, seed),
            k: 0,
        }
    }

    #[inline]
    pub(crate) fn next_ix(&mut self) -> usize {
        let i = self.order[self.k];
        self.k += 1;
        if self.k == self.order.len() {
            self.k = 0;
        }
        i
    }
}
