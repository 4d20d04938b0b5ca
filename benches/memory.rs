//! Memory: bytes per open instance (snapshot without history), per audit event, and per
//! instance in `InMemoryStore` (snapshot + history + indexes), measured with a counting
//! global allocator (`stats_alloc`). Bytes are what was requested from the allocator and is
//! still live; the allocator adds its own per-allocation overhead (glibc: 8–16 bytes per
//! chunk, sizes rounded up to 16), so the live allocation count is printed too.
//!
//! Run: `cargo bench --bench memory`. Not a criterion bench: it measures bytes, not time.
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
    batch_quality as bq, complaint as cp, consumables as cs, customer_return as cr,
};
use aftersales::*;
use chrono::{DateTime, Utc};
use serde_json::Value;
use stats_alloc::{INSTRUMENTED_SYSTEM, Region, StatsAlloc};
use std::alloc::System;
use support::{baseline, peer, ticket};

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

/// How many instances each figure is averaged over.
const N: usize = 20_000;

/// One procedure to measure: its definition, who starts it with which data, and the
/// commands that bring a fresh instance into a typical open state.
struct Case {
    name: &'static str,
    def: std::sync::Arc<Definition>,
    starter: Actor,
    data: Value,
    path: Vec<Command>,
}

impl Case {
    /// A case whose open state is the initial state (just started).
    fn started(
        name: &'static str,
        def: &std::sync::Arc<Definition>,
        starter: Actor,
        data: Value,
    ) -> Self {
        Case {
            name,
            def: def.clone(),
            starter,
            data,
            path: Vec::new(),
        }
    }
}

/// The procedures measured. One line per procedure (built-in procedures land later), e.g.
/// `Case::started("complaint", complaint::definition(&Default::default(), cal).unwrap().into(), Actor::new("s", [Role::Station]), json!({})),`
fn cases() -> Vec<Case> {
    let a = ticket::Actors::new();
    vec![
        Case {
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
            "batch_quality (just received)",
            bq::definition(&Default::default(), cal())
                .unwrap()
                .definition(),
            Actor::new("st", [bq::Role::AuthorisedStation]),
            bq::Data::new("ACME", "FZ-D530", "central", "no display").to_value(),
        ),
        Case::started(
            "complaint (draft)",
            cp::definition(&Default::default(), cal())
                .unwrap()
                .definition(),
            Actor::new("adc", [cp::Role::AdcDomestic]),
            cp::Data::new("KS-1", cp::forms::Region::Domestic, "ACME", "LED-9").to_value(),
        ),
        Case::started(
            "customer_return (draft)",
            cr::definition(&Default::default(), cal())
                .unwrap()
                .definition(),
            Actor::new("adc", [cr::Role::ApplicationDesignCenter]),
            serde_json::json!({}),
        ),
        Case::started(
            "consumables (draft)",
            cs::definition(&Default::default(), cal())
                .unwrap()
                .definition(),
            Actor::new("rtse", [cs::Role::RegionalTechSupportEngineer]),
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
    let mut d = decide::start(
        &case.def,
        InstanceId(format!("T-{i:07}")),
        &case.starter,
        case.data.clone(),
        now,
    )
    .unwrap();
    let mut events = std::mem::take(&mut d.events);
    for cmd in &case.path {
        d = decide::decide(&case.def, &d.instance, cmd, now).unwrap();
        events.append(&mut d.events);
    }
    (d.instance, events)
}

fn main() {
    let now = ticket::t0();
    println!("## memory (bytes requested and live; N = {N} instances per figure)\n");
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
    for case in cases() {
        // Snapshots only (the history is dropped).
        let region = Region::new(GLOBAL);
        let mut snaps = Vec::with_capacity(N);
        for i in 0..N {
            snaps.push(run(&case, i, now).0);
        }
        let (bytes, allocs) = live(&region);
        let per = bytes as f64 / N as f64;
        println!(
            "| {} | per open instance, snapshot without history | {per:.0} | {:.1} | {:.1}× |",
            case.name,
            allocs as f64 / N as f64,
            per / hand
        );
        let version = snaps[0].version();
        drop(snaps);

        // Events only.
        let mut histories: Vec<Vec<Event>> = (0..N).map(|i| run(&case, i, now).1).collect();
        let region = Region::new(GLOBAL);
        let mut events: Vec<Event> = Vec::with_capacity(N * version as usize);
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

        // The store: snapshot + history + state and due indexes.
        let region = Region::new(GLOBAL);
        let store = InMemoryStore::new();
        for i in 0..N {
            let (instance, events) = run(&case, i, now);
            store
                .commit(&Commit {
                    instance,
                    events,
                    expected_version: 0,
                    idempotency: None,
                })
                .unwrap();
        }
        let (bytes, allocs) = live(&region);
        println!(
            "| {} | per instance in InMemoryStore (snapshot + {} events + indexes) | {:.0} | {:.1} | |",
            case.name,
            version,
            bytes as f64 / N as f64,
            allocs as f64 / N as f64
        );
        drop(store);
    }
    // The baselines, for the ratio: the hand-written ticket and the statig machine are plain
    // values with no heap (the optional root cause is unset while open).
    let region = Region::new(GLOBAL);
    let machines: Vec<_> = (0..N).map(|_| peer::open_machine()).collect();
    let (bytes, _) = live(&region);
    println!(
        "| statig peer | per open instance | {:.0} | 0 | {:.1}× |",
        bytes as f64 / N as f64,
        bytes as f64 / N as f64 / hand
    );
    drop(machines);
    println!("| hand-written enum | per open instance | {hand:.0} | 0 | 1.0× |");
    println!("\ntarget: ≤ 256 bytes per open instance without history");
}
