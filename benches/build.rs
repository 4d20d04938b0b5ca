//! Build and validate a 1,000-state, 5,000-transition definition.
//!
//! - `build`: `DefinitionSpec::build` (every validation check, compile, petgraph graph); the
//!   spec is cloned outside the timed region;
//! - `builder+build`: the same through `Builder` from pre-made names;
//! - `from_json+build`: parse the spec from JSON, then build;
//! - `floor`: the irreducible part, as a baseline: index the state names, build the same
//!   petgraph graph and run the two reachability searches (from the initial state, and back
//!   from the terminal one).
//!
//! Every side pays for dropping what it built, inside the timed region: `floor` drops its
//! name index and graph when it returns; `from_json+build` runs under `iter`, which drops
//! the routine's output inside the timed loop; `build` and `builder+build` run under
//! `iter_batched` (the input is made outside the timing), whose outputs criterion drops
//! only after the timer stops (criterion 0.8 collects a batch's outputs in a `Vec` and drops
//! it after `measurement.end`) — so their routines return `()` and drop the built
//! `Definition` themselves (`drop(black_box(def))`). The spec given to `build` is consumed by
//! it, so its remains are dropped inside the timing too.
//!
//! Run: `cargo bench --bench build`.
#![allow(
    missing_docs,
    reason = "criterion_group! generates an undocumented function"
)]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "bench setup may panic"
)]

#[path = "support/mod.rs"]
mod support;

use aftersales::*;
use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use petgraph::graph::{DiGraph, NodeIndex};
use petgraph::visit::{Dfs, Reversed};
use std::collections::HashMap;
use std::hint::black_box;
use std::time::Duration;
use support::report;

const STATES: usize = 1_000;
const TRANSITIONS: usize = 5_000;
const ROLES: usize = 8;

/// `(from, action, to, role, guarded)` of every transition: a chain `s0 → s1 → … → s999`
/// (action `a0`) plus four pseudo-random jumps per state (`a1`..`a4`), and five more from `s0`
/// (`a5`..`a9`) to reach 5,000. Every tenth transition carries a guard.
fn shape() -> Vec<(usize, String, usize, usize, bool)> {
    let mut rng = support::Rng::new(7);
    let mut out = Vec::with_capacity(TRANSITIONS);
    for i in 0..STATES - 1 {
        out.push((i, "a0".to_owned(), i + 1));
        for k in 1..5 {
            out.push((i, format!("a{k}"), rng.below(STATES - 1)));
        }
    }
    for k in 5..10 {
        out.push((0, format!("a{k}"), rng.below(STATES - 1)));
    }
    assert_eq!(out.len(), TRANSITIONS);
    out.into_iter()
        .enumerate()
        .map(|(n, (f, a, t))| (f, a, t, n % ROLES, n % 10 == 0))
        .collect()
}

fn registry() -> Registry {
    Registry::with_calendar(aftersales::BusinessCalendar::china_standard())
        .guard("ready", |_: &Context<'_>| Ok(()))
}

fn builder() -> Builder {
    let states: Vec<String> = (0..STATES).map(|i| format!("s{i}")).collect();
    let roles: Vec<String> = (0..ROLES).map(|i| format!("r{i}")).collect();
    let mut b = Builder::new("big", 1)
        .roles(&roles)
        .start_roles([&roles[0]]);
    for (i, s) in states.iter().enumerate() {
        b = match i {
            0 => b.initial(s),
            i if i == STATES - 1 => b.terminal(s),
            _ => b.normal(s),
        };
    }
    for (f, a, t, r, guarded) in shape() {
        b = b.transition(&states[f], &a, &states[t], |tb| {
            let tb = tb.roles([&roles[r]]);
            if guarded { tb.guard("ready") } else { tb }
        });
    }
    b
}

/// The baseline: name index + the same graph + both reachability searches. Both are dropped
/// on return (inside the caller's timed region).
fn floor(spec: &DefinitionSpec) -> (usize, usize) {
    let ix: HashMap<&str, usize> = spec
        .states
        .iter()
        .enumerate()
        .map(|(i, s)| (s.name.as_str(), i))
        .collect();
    let mut g: DiGraph<usize, usize> =
        DiGraph::with_capacity(spec.states.len(), spec.transitions.len());
    for i in 0..spec.states.len() {
        g.add_node(i);
    }
    for (i, t) in spec.transitions.iter().enumerate() {
        g.add_edge(
            NodeIndex::new(ix[t.from.as_str()]),
            NodeIndex::new(ix[t.to.as_str()]),
            i,
        );
    }
    let mut reached = 0;
    let mut dfs = Dfs::new(&g, NodeIndex::new(0));
    while dfs.next(&g).is_some() {
        reached += 1;
    }
    let mut finishing = 0;
    let rev = Reversed(&g);
    let mut dfs = Dfs::new(rev, NodeIndex::new(spec.states.len() - 1));
    while dfs.next(rev).is_some() {
        finishing += 1;
    }
    (reached, finishing)
}

fn build(c: &mut Criterion) {
    report::begin();
    let reg = registry();
    let spec = builder().spec();
    assert_eq!(spec.states.len(), STATES);
    assert_eq!(spec.transitions.len(), TRANSITIONS);
    let json = spec.to_json();
    assert!(spec.clone().build(&reg).is_ok());
    assert_eq!(floor(&spec), (STATES, STATES));

    let mut g = c.benchmark_group("build");
    g.sample_size(20)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
    g.bench_function("floor", |b| b.iter(|| black_box(floor(black_box(&spec)))));
    g.bench_function("build", |b| {
        b.iter_batched(
            || spec.clone(),
            |s| drop(black_box(s.build(&reg).unwrap())),
            BatchSize::SmallInput,
        )
    });
    g.bench_function("builder+build", |b| {
        b.iter_batched(
            builder,
            |bd| drop(black_box(bd.build(&reg).unwrap())),
            BatchSize::SmallInput,
        )
    });
    g.bench_function("from_json+build", |b| {
        b.iter(|| black_box(Definition::from_json(black_box(&json), &reg).unwrap()))
    });
    g.finish();

    println!("\n## build: 1,000 states, 5,000 transitions (ratios from this run)");
    report::table(
        "build",
        Some("floor"),
        &["floor", "build", "builder+build", "from_json+build"],
        None,
    );
    report::target("build", "build", 1e6);
    report::target("build", "builder+build", 1e6);
}

criterion_group!(benches, build);
criterion_main!(benches);
