//! Memory: bytes per open instance (snapshot without history), per audit event, and per
//! instance in `InMemoryStore` (snapshot + history + indexes), measured with a counting
//! global allocator (`stats_alloc`). Bytes are what was requested from the allocator and is
//! still live; the allocator adds its own per-allocation overhead (glibc: 8–16 bytes per
//! chunk, sizes rounded up to 16), so the live allocation count is printed too.
//!
//! Run: `cargo bench --bench memory` (`MEMORY_N=2000 cargo bench --bench memory` for a quick
//! run). Not a criterion bench: it measures bytes and allocator calls, not time.
//!
//! At the end it prints machine-readable lines, one per figure, each an integer (a mean
//! rounded up):
//!
//! ```text
//! allocs_per_transition core <n>                pure `decide` + apply of the ticket's loop
//!                                               transition (submit / reject)
//! allocs_per_transition core_sod_form_data <n>  `decide` of the complaint's last
//!                                               `approve_report` signature (sign-off,
//!                                               separation, form read by a guard, data
//!                                               change; see support/procedure.rs)
//! allocs_per_transition engine <n>              `Engine::fire` + `InMemoryStore`, the ticket
//!                                               loop, no idempotency key
//! bytes_per_instance <procedure> <n>            ticket, batch_quality, complaint,
//!                                               customer_return, consumables,
//!                                               concession
//! ```
//!
//! `allocs_per_transition` counts allocator calls that obtain memory (`alloc` +
//! `realloc`) over [`TRANSITIONS`] transitions in steady state (every instance warmed up
//! by [`ticket::WARM_ROUNDS`] transitions first; the procedure transition is decided on the
//! same prepared snapshot each time, the result dropped), including the drop of what the
//! transition replaces. `bytes_per_instance` is one instance as `InMemoryStore` holds it
//! without its history: the live bytes of a store holding N instances (snapshot, id, slot,
//! state-index and due-index entries, the store's own tables) minus the live bytes of the
//! same histories held the way the store holds them, divided by N. The instances are in the
//! states of the table (the ticket in `analysis` after 8 transitions, the procedures just
//! started). The store's tables grow by doubling, so their unused capacity at N is in the
//! figure and it depends on N (ticket: 1,973 B at N = 2,000, 2,162 B at N = 20,000): compare
//! figures taken at the same N (the default).
//!
//! The events are deep copies (a JSON round trip) in both measurements, so that no
//! allocation is shared between the snapshot and its history (the `created` event and the
//! snapshot share the instance data otherwise, and subtracting the history would subtract the
//! data too).
//!
//! To add a procedure, add one line to [`cases`].
#![allow(missing_docs, reason = "bench binary")]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "bench setup may panic"
)]

#[path = "support/mod.rs"]
mod support;

use aftersales::procedures::{
    batch_quality as bq, complaint as cp, concession as conc, consumables as cs,
    customer_return as cr,
};
use aftersales::*;
use chrono::{DateTime, Utc};
use serde_json::Value;
use stats_alloc::{INSTRUMENTED_SYSTEM, Region, StatsAlloc};
use std::alloc::System;
use std::hint::black_box;
use support::{baseline, peer, procedure, ticket};

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

/// How many instances each figure is averaged over (`MEMORY_N` overrides it).
const N: usize = 20_000;

/// How many transitions each `allocs_per_transition` figure is averaged over.
const TRANSITIONS: usize = 10_000;

/// How many open instances the engine loop cycles through.
const ENGINE_INSTANCES: usize = 100;

/// One procedure to measure: its definition, who starts it with which data, and the
/// commands that bring a fresh instance into a typical open state.
struct Case {
    /// The procedure, as printed in `bytes_per_instance <key> <n>`.
    key: &'static str,
    name: &'static str,
    def: std::sync::Arc<Definition>,
    starter: Actor,
    data: Value,
    path: Vec<Command>,
}

impl Case {
    /// A case whose open state is the initial state (just started).
    fn started(
        key: &'static str,
        name: &'static str,
        def: &std::sync::Arc<Definition>,
        starter: Actor,
        data: Value,
    ) -> Self {
        Case {
            key,
            name,
            def: def.clone(),
            starter,
            data,
            path: Vec::new(),
        }
    }
}

/// The procedures measured. One line per procedure, e.g.
/// `Case::started("complaint", "complaint (draft)", cp::definition(&Default::default(), cal()).unwrap().definition(), Actor::new("adc", [cp::Role::AdcDomestic]), data),`
fn cases() -> Vec<Case> {
    let a = ticket::Actors::new();
    vec![
        Case {
            key: "ticket",
            name: "ticket (6 states; in analysis after accept, assign, 3× submit/reject)",
            def: std::sync::Arc::new(ticket::definition(false)),
            starter: a.agent.clone(),
            data: ticket::data(),
            path: vec![
                a.accept.clone(),
                a.assign.clone(),
                a.submit.clone(),
                a.reject.clone(),
                a.submit.clone(),
                a.reject.clone(),
                a.submit.clone(),
                a.reject.clone(),
            ],
        },
        Case::started(
            "batch_quality",
            "batch_quality (just received)",
            bq::definition(&Default::default(), cal())
                .unwrap()
                .definition(),
            Actor::new("st", [bq::Role::AuthorisedStation]),
            bq::Data::new("ACME", "FZ-D530", "central", "no display")
                .to_value()
                .unwrap(),
        ),
        Case::started(
            "complaint",
            "complaint (draft)",
            cp::definition(&Default::default(), cal())
                .unwrap()
                .definition(),
            Actor::new("adc", [cp::Role::AdcDomestic]),
            cp::Data::new("KS-1", cp::ComplaintRegion::Domestic, "ACME", "LED-9")
                .to_value()
                .expect("the complaint data serializes"),
        ),
        Case::started(
            "customer_return",
            "customer_return (draft)",
            cr::definition(&Default::default(), cal())
                .unwrap()
                .definition(),
            Actor::new("adc", [cr::Role::ApplicationDesignCenter]),
            serde_json::json!({}),
        ),
        Case::started(
            "consumables",
            "consumables (draft)",
            cs::definition(&Default::default(), cal())
                .unwrap()
                .definition(),
            Actor::new("rtse", [cs::Role::RegionalTechSupportEngineer]),
            serde_json::json!({}),
        ),
        Case::started(
            "concession",
            "concession (found)",
            conc::definition(&Default::default(), cal())
                .unwrap()
                .definition(),
            Actor::new("insp", [conc::Role::Inspector]),
            serde_json::json!({}),
        ),
    ]
}

fn cal() -> std::sync::Arc<dyn Calendar> {
    std::sync::Arc::new(BusinessCalendar::default())
}

/// Live bytes and live allocations since `region` started.
fn live(region: &Region<'_, System>) -> (i64, i64) {
    let s = region.change();
    // stats_alloc already folds reallocations into bytes_allocated / bytes_deallocated.
    let bytes = s.bytes_allocated as i64 - s.bytes_deallocated as i64;
    let allocs = s.allocations as i64 - s.deallocations as i64;
    (bytes, allocs)
}

/// Start an instance and run the case's path; the whole history and the snapshot.
fn run(case: &Case, i: usize, now: DateTime<Utc>) -> (Instance, Vec<Event>) {
    let mut d = aftersales::start(
        &case.def,
        InstanceId::from(format!("T-{i:07}")),
        &case.starter,
        case.data.clone(),
        now,
    )
    .unwrap();
    let mut events = std::mem::take(&mut d.events);
    for cmd in &case.path {
        d = aftersales::decide(&case.def, &d.instance, cmd, now).unwrap();
        events.append(&mut d.events);
    }
    (d.instance, events)
}

/// Allocator calls that obtain memory (`alloc` + `realloc`) per call of `step`, over
/// [`TRANSITIONS`] calls, rounded up; and the mean `realloc` share, for the human-readable
/// line.
fn allocs_per_transition(mut step: impl FnMut()) -> (usize, f64) {
    let region = Region::new(GLOBAL);
    for _ in 0..TRANSITIONS {
        step();
    }
    let s = region.change();
    (
        (s.allocations + s.reallocations).div_ceil(TRANSITIONS),
        s.reallocations as f64 / TRANSITIONS as f64,
    )
}

/// `allocs_per_transition core`: the ticket's loop through the pure core, one instance.
fn allocs_core(now: DateTime<Utc>) -> (usize, f64) {
    let def = ticket::definition(false);
    let a = ticket::Actors::new();
    let mut inst = ticket::open_instance(&def, &a, "t0", ticket::t0());
    ticket::warm_core(&def, &a, std::slice::from_mut(&mut inst), now);
    allocs_per_transition(|| drop(black_box(ticket::core_step(&def, &a, &mut inst, now))))
}

/// `allocs_per_transition core_sod_form_data`: `decide` of the procedure transition on the
/// same prepared snapshot, the decision dropped each time.
fn allocs_procedure() -> (usize, f64) {
    let def = procedure::definition();
    let inst = procedure::before(&def, "KS-1");
    procedure::check(&def, &inst);
    let (cmd, at) = (procedure::command(), procedure::at());
    allocs_per_transition(|| {
        drop(black_box(
            aftersales::decide(&def, &inst, &cmd, at).unwrap(),
        ))
    })
}

/// `allocs_per_transition engine`: the ticket's loop through `Engine::fire` and
/// `InMemoryStore`, no idempotency key, cycling through [`ENGINE_INSTANCES`] instances.
fn allocs_engine(now: DateTime<Utc>) -> (usize, f64) {
    let a = ticket::Actors::new();
    let (engine, ids) = ticket::open_engine(false, &a, ENGINE_INSTANCES);
    let mut in_analysis = vec![true; ENGINE_INSTANCES];
    ticket::warm_engine(&engine, &ids, &a, &mut in_analysis, None, now);
    let mut i = 0;
    allocs_per_transition(|| {
        let outcome = ticket::engine_step(&engine, &ids, &a, &mut in_analysis, i, now);
        drop(black_box(outcome));
        i = (i + 1) % ENGINE_INSTANCES;
    })
}

/// `MEMORY_N`, or [`N`].
fn instances() -> usize {
    std::env::var("MEMORY_N")
        .ok()
        .and_then(|v| v.parse().ok())
        .filter(|&n| n > 0)
        .unwrap_or(N)
}

fn main() {
    let n = instances();
    let now = ticket::t0();
    println!("## memory (bytes requested and live; N = {n} instances per figure)\n");
    println!(
        "inline sizes: Instance {} B, Event {} B, hand-written Ticket {} B, statig machine {} B\n",
        size_of::<Instance>(),
        size_of::<Event>(),
        size_of::<baseline::Ticket>(),
        size_of::<statig::blocking::InitializedStateMachine<peer::PeerTicket>>(),
    );
    println!("| procedure | figure | bytes | live allocations | ratio to hand-written |");
    println!("|---|---|---:|---:|---:|");
    let hand = size_of::<baseline::Ticket>() as f64;
    let mut bytes_per_instance = Vec::new();
    for case in cases() {
        // Snapshots only (the history is dropped).
        let region = Region::new(GLOBAL);
        let mut snaps = Vec::with_capacity(n);
        for i in 0..n {
            snaps.push(run(&case, i, now).0);
        }
        let (bytes, allocs) = live(&region);
        let per = bytes as f64 / n as f64;
        println!(
            "| {} | per open instance, snapshot without history | {per:.0} | {:.1} | {:.1}× |",
            case.name,
            allocs as f64 / n as f64,
            per / hand
        );
        let version = snaps[0].version();
        drop(snaps);

        // Events only.
        let mut histories: Vec<Vec<Event>> = (0..n).map(|i| run(&case, i, now).1).collect();
        let region = Region::new(GLOBAL);
        let mut events: Vec<Event> = Vec::with_capacity(n * version as usize);
        for h in &mut histories {
            events.extend(h.iter().cloned());
        }
        let (bytes, allocs) = live(&region);
        let count = events.len() as f64;
        println!(
            "| {} | per audit event ({} events per instance) | {:.0} | {:.1} | |",
            case.name,
            version,
            bytes as f64 / count,
            allocs as f64 / count
        );
        drop(events);
        histories.clear();

        // The histories alone, held the way the store holds them: one append-only arena of
        // (event, link to the instance's previous event), grown by pushes.
        let mut held: Vec<(Event, u32)> = Vec::new();
        let region = Region::new(GLOBAL);
        for i in 0..n {
            let events = unshared(run(&case, i, now).1);
            held.reserve(events.len());
            for e in events {
                held.push((e, 0));
            }
        }
        let (history_bytes, _) = live(&region);
        drop(held);

        // The store: snapshot + history + state and due indexes.
        let region = Region::new(GLOBAL);
        let store = InMemoryStore::new();
        for i in 0..n {
            let (instance, events) = run(&case, i, now);
            let events = unshared(events);
            store
                .commit(Commit::linked(instance, events, Digest::ZERO, 0, None))
                .unwrap();
        }
        let (bytes, allocs) = live(&region);
        println!(
            "| {} | per instance in InMemoryStore (snapshot + {} events + indexes) | {:.0} | {:.1} | |",
            case.name,
            version,
            bytes as f64 / n as f64,
            allocs as f64 / n as f64
        );
        let without_history = u64::try_from(bytes - history_bytes).unwrap();
        println!(
            "| {} | per instance in InMemoryStore without its history (snapshot + indexes) | {} | | |",
            case.name,
            without_history.div_ceil(n as u64)
        );
        bytes_per_instance.push((case.key, without_history.div_ceil(n as u64)));
        drop(store);
    }
    // The baselines, for the ratio: the hand-written ticket and the statig machine are plain
    // values with no heap (the optional root cause is unset while open).
    let region = Region::new(GLOBAL);
    let machines: Vec<_> = (0..n).map(|_| peer::open_machine()).collect();
    let (bytes, _) = live(&region);
    println!(
        "| statig peer | per open instance | {:.0} | 0 | {:.1}× |",
        bytes as f64 / n as f64,
        bytes as f64 / n as f64 / hand
    );
    drop(machines);
    println!("| hand-written enum | per open instance | {hand:.0} | 0 | 1.0× |");
    println!("\ntarget: ≤ 256 bytes per open instance without history");

    let allocs = [
        ("core", allocs_core(now)),
        ("core_sod_form_data", allocs_procedure()),
        ("engine", allocs_engine(now)),
    ];
    println!(
        "\nallocator calls per transition (alloc + realloc, mean over {TRANSITIONS} steady-state \
         transitions, rounded up; `{}` is the procedure transition):",
        procedure::NAME
    );
    for (path, (calls, reallocs)) in &allocs {
        println!("  {path}: {calls} (of which realloc: {reallocs:.2})");
    }
    println!();
    for (path, (calls, _)) in &allocs {
        println!("allocs_per_transition {path} {calls}");
    }
    for (procedure, bytes) in &bytes_per_instance {
        println!("bytes_per_instance {procedure} {bytes}");
    }
}

/// Deep copies of `events` that share no allocation with the snapshot (see the module docs).
fn unshared(events: Vec<Event>) -> Vec<Event> {
    serde_json::from_value(serde_json::to_value(&events).unwrap()).unwrap()
}
