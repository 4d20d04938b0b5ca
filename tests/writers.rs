//! Concurrent writers on one SQLite file: 8 connections (8 `SqliteStore`s opened on the same
//! file), one per thread, committing keyed commands to two shared instances and to one
//! instance of their own, retrying on conflict, and re-delivering some commands already
//! accepted (as a host retrying after a lost acknowledgement would).
//!
//! Checked afterwards, through a freshly opened connection: every instance verifies (the
//! stored snapshot equals the replay of the stored events), events are numbered without gaps,
//! and every accepted command appears exactly once (none lost, none duplicated; a re-delivery
//! is replayed, never applied twice). `RELIABILITY_WRITER_OPS` sets the commands per thread
//! (default 25); figures are printed as `sqlite writers: ...`.

#![cfg(feature = "sqlite")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;
mod support;

use aftersales::*;
use chrono::{DateTime, Utc};
use common::defs::{Shape, engine_over, monday_9am, ticket};
use serde_json::json;
use std::collections::BTreeMap;
use std::sync::Barrier;

const THREADS: usize = 8;
const SHARED: [&str; 2] = ["shared-0", "shared-1"];

/// open -begin-> working; `note` loops on working (merging its payload); `finish` closes.
fn definition() -> Definition {
    ticket("clerk", "lead")
        .moves("clerk", "working -finish-> done")
        .build(&Registry::new())
        .unwrap()
}

/// Monday 2026-11-16 09:00 local (UTC+8).
fn t0() -> DateTime<Utc> {
    monday_9am()
}

fn engine(store: SqliteStore) -> Engine<SqliteStore> {
    engine_over(store, [definition()])
}

fn own(t: usize) -> InstanceId {
    InstanceId::from(format!("own-{t}"))
}

/// What one writer did.
#[derive(Default)]
struct Tally {
    /// (instance, actor id) of every accepted command.
    accepted: Vec<(InstanceId, ActorId)>,
    conflicts: u64,
    replayed: u64,
}

/// Thread `t`: `ops` keyed notes, alternating between a shared instance and its own, each
/// retried on conflict until accepted; every fifth one delivered a second time.
fn writer(e: &Engine<SqliteStore>, t: usize, ops: usize, barrier: &Barrier) -> Tally {
    let mut tally = Tally::default();
    barrier.wait();
    for k in 0..ops {
        let id = if k % 2 == 0 {
            InstanceId::from(SHARED[(k / 2 + t) % SHARED.len()])
        } else {
            own(t)
        };
        // One actor id per command, so its event can be found and counted.
        let actor = Actor::new(format!("w{t}-{k}"), ["clerk"]);
        let cmd = Command::fire(&actor, "note")
            .with_payload(json!({ format!("w{t}"): k }))
            .with_key(format!("w{t}-{k}"));
        let out = loop {
            match e.fire(&id, &cmd, t0()) {
                Ok(out) => break out,
                Err(EngineError::Conflict { .. }) => tally.conflicts += 1,
                Err(other) => panic!("writer {t}, command {k}: {other}"),
            }
        };
        assert!(!out.replayed, "a fresh key was replayed");
        if k % 5 == 4 {
            let again = e.fire(&id, &cmd, t0()).unwrap();
            assert!(again.replayed, "a re-delivered command was applied again");
            assert_eq!(
                again.events, out.events,
                "a replay returns the original events"
            );
            tally.replayed += 1;
        }
        tally.accepted.push((id, actor.id.clone()));
    }
    tally
}

#[test]
fn eight_connections_on_one_file_lose_and_duplicate_nothing() {
    let ops = usize::try_from(support::target("RELIABILITY_WRITER_OPS", 25)).unwrap();
    let dir = support::TempDir::new("writers");
    let path = dir.file("shared.sqlite");
    let clerk = Actor::new("setup", ["clerk"]);
    {
        let setup = engine(SqliteStore::open(&path).unwrap());
        let ids: Vec<InstanceId> = SHARED
            .iter()
            .map(|s| InstanceId::from(*s))
            .chain((0..THREADS).map(own))
            .collect();
        for id in &ids {
            setup
                .start("ticket", id.clone(), &clerk, json!({}), t0())
                .unwrap();
            setup
                .fire(id, &Command::fire(&clerk, "begin"), t0())
                .unwrap();
        }
    }
    // Eight connections on the file (opened one after another: concurrent first opens are
    // issue 15 item 11, tested in tests/sqlite.rs), used by eight threads at once.
    let engines: Vec<Engine<SqliteStore>> = (0..THREADS)
        .map(|_| engine(SqliteStore::open(&path).unwrap()))
        .collect();
    let barrier = Barrier::new(THREADS);
    let tallies: Vec<Tally> = std::thread::scope(|s| {
        let handles: Vec<_> = engines
            .iter()
            .enumerate()
            .map(|(t, e)| {
                let barrier = &barrier;
                s.spawn(move || writer(e, t, ops, barrier))
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    drop(engines);

    // Afterwards, through a fresh connection.
    let e = engine(SqliteStore::open(&path).unwrap());
    let mut found: BTreeMap<(InstanceId, ActorId), usize> = BTreeMap::new();
    let ids = e.store().list("ticket").unwrap();
    assert_eq!(
        ids.len(),
        SHARED.len() + THREADS,
        "instances lost or invented"
    );
    for id in &ids {
        e.verify(id).unwrap();
        let history = e.history(id).unwrap();
        for (i, ev) in history.iter().enumerate() {
            assert_eq!(ev.seq, i as u64 + 1, "`{id}`: events lost or duplicated");
        }
        assert_eq!(Instance::replay(&history).unwrap(), *e.load(id).unwrap());
        for ev in &history {
            if let (EventKind::Transitioned { action, .. }, Some(by)) = (&ev.kind, &ev.by) {
                if *action == "note" {
                    *found.entry((id.clone(), by.actor.clone())).or_default() += 1;
                }
            }
        }
    }
    let accepted: Vec<&(InstanceId, ActorId)> = tallies.iter().flat_map(|t| &t.accepted).collect();
    assert_eq!(accepted.len(), THREADS * ops);
    for key in &accepted {
        assert_eq!(
            found.get(*key),
            Some(&1),
            "accepted command {key:?} lost or duplicated"
        );
    }
    assert_eq!(found.len(), accepted.len(), "a note nobody sent");
    let shared = accepted
        .iter()
        .filter(|(id, _)| SHARED.contains(&id.as_str()))
        .count();
    support::announce(&format!(
        "sqlite writers: {THREADS} connections on one file, {THREADS} threads, {} commands accepted ({shared} on {} shared instances, {} on their own), {} conflicts retried, {} re-deliveries replayed; {} instances verified, no command lost or duplicated",
        accepted.len(),
        SHARED.len(),
        accepted.len() - shared,
        tallies.iter().map(|t| t.conflicts).sum::<u64>(),
        tallies.iter().map(|t| t.replayed).sum::<u64>(),
        ids.len(),
    ));
}
