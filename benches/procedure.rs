//! One transition of a built-in procedure that involves a sign-off, separation of duties, a
//! form and a data change, through the pure core (`aftersales::decide`):
//!
//! - `procedure/complaint_approve_report`: the complaint's `approve_report` at its last
//!   signature (the quality department head's, after the quality manager's): the sign-off
//!   completes, the separation rule (`not_same_actor_as(submit_for_review)`) is checked, the
//!   guard reads the inspection record on file and the data, the `track` effect rewrites the
//!   data; events `signed`, `transitioned`, `data_changed`. See `support/procedure.rs` for
//!   the path and for why no built-in transition has all four declared;
//! - `procedure/ticket_core`: the bench ticket's steady-state loop transition through the
//!   same core (role check, two guards, one event; warmed up by `ticket::WARM_ROUNDS`
//!   transitions), the cheap reference printed as the ratio's base.
//!
//! The instance is driven to just before the signature outside the timed region. `decide`
//! is pure and takes the snapshot by reference, so every iteration decides the same command
//! on the same prepared snapshot and no per-iteration clone is needed; the decision (new
//! snapshot and events) is dropped inside the timed region (`iter` drops the routine's
//! output inside its timed loop), as the ticket loop drops the snapshot it replaces.
//!
//! Run: `cargo bench --bench procedure` (`-- --quick` for a rough figure).
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

use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;
use std::time::Duration;
use support::{procedure, report, ticket};

const GROUP: &str = "procedure";
const TICKET: &str = "ticket_core";

fn bench(c: &mut Criterion) {
    report::begin();
    let def = procedure::definition();
    let inst = procedure::before(&def, "KS-1");
    procedure::check(&def, &inst);
    let (cmd, at) = (procedure::command(), procedure::at());

    let tdef = ticket::definition(false);
    let a = ticket::Actors::new();
    let now = ticket::t0() + chrono::TimeDelta::days(1);
    let mut tinst = ticket::open_instance(&tdef, &a, "t0", ticket::t0());
    ticket::warm_core(&tdef, &a, std::slice::from_mut(&mut tinst), now);

    let mut g = c.benchmark_group(GROUP);
    g.sample_size(20)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
    g.bench_function(TICKET, |b| {
        b.iter(|| black_box(ticket::core_step(&tdef, &a, &mut tinst, now)))
    });
    g.bench_function(procedure::NAME, |b| {
        b.iter(|| black_box(aftersales::decide(&def, black_box(&inst), &cmd, at).unwrap()))
    });
    g.finish();

    println!("\n## procedure: one transition through the pure core (ratios from this run)");
    let per_sec = |ns: f64| format!("{:.0} /s", 1e9 / ns);
    report::table(
        GROUP,
        Some(TICKET),
        &[TICKET, procedure::NAME],
        Some(&per_sec),
    );
}

criterion_group!(benches, bench);
criterion_main!(benches);
