//! The workload of `scripts/instructions`, which counts instructions per transition under
//! `valgrind --tool=callgrind`:
//!
//! ```text
//! instructions <path> <K>
//!   core                 the ticket's loop transition through the pure core (decide + apply),
//!                        one instance
//!   core_sod_form_data   `decide` of the complaint's last `approve_report` signature on the
//!                        same prepared snapshot (support/procedure.rs), the decision dropped
//!   engine               the ticket's loop through `Engine::fire` + `InMemoryStore`, no
//!                        idempotency key, cycling through 100 instances
//! ```
//!
//! Setup first (definition, instances, the warm-up of `ticket::WARM_ROUNDS` transitions per
//! instance), then K transitions. The script runs K and 2K and divides the difference by K,
//! so setup, start-up and exit cancel out.
//!
//! Under `cargo bench` (no path and count given) it only says how to run it.
#![allow(missing_docs, reason = "bench binary")]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "bench setup may panic"
)]

#[path = "support/mod.rs"]
mod support;

use std::hint::black_box;
use support::{procedure, ticket};

const ENGINE_INSTANCES: usize = 100;

fn core(k: usize) {
    let def = ticket::definition(false);
    let a = ticket::Actors::new();
    let now = ticket::t0() + chrono::TimeDelta::days(1);
    let mut inst = ticket::open_instance(&def, &a, "t0", ticket::t0());
    ticket::warm_core(&def, &a, std::slice::from_mut(&mut inst), now);
    for _ in 0..k {
        black_box(ticket::core_step(&def, &a, &mut inst, now));
    }
}

fn core_sod_form_data(k: usize) {
    let def = procedure::definition();
    let inst = procedure::before(&def, "KS-1");
    procedure::check(&def, &inst);
    let (cmd, at) = (procedure::command(), procedure::at());
    for _ in 0..k {
        black_box(aftersales::decide(&def, black_box(&inst), &cmd, at).unwrap());
    }
}

fn engine(k: usize) {
    let a = ticket::Actors::new();
    let now = ticket::t0() + chrono::TimeDelta::days(1);
    let (engine, ids) = ticket::open_engine(false, &a, ENGINE_INSTANCES);
    let mut in_analysis = vec![true; ENGINE_INSTANCES];
    ticket::warm_engine(&engine, &ids, &a, &mut in_analysis, None, now);
    for n in 0..k {
        let i = n % ENGINE_INSTANCES;
        black_box(ticket::engine_step(
            &engine,
            &ids,
            &a,
            &mut in_analysis,
            i,
            now,
        ));
    }
}

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    let k = args.get(1).and_then(|k| k.parse::<usize>().ok());
    match (args.first().map(String::as_str), k) {
        (Some("core"), Some(k)) => core(k),
        (Some("core_sod_form_data"), Some(k)) => core_sod_form_data(k),
        (Some("engine"), Some(k)) => engine(k),
        _ => println!(
            "instructions: not a timing bench; run `scripts/instructions` \
             (valgrind --tool=callgrind), or `instructions <core|core_sod_form_data|engine> <K>`"
        ),
    }
}
