//! Public test tooling (feature `testing`): the store conformance suite and a
//! fault-injecting store.
//!
//! Any [`Store`] implementation should pass [`store_conformance`]: call it from a test with
//! a function making a fresh, empty store; any [`AsyncStore`] should pass
//! [`async_store_conformance`] (the same checks, awaited).
//!
//! ```
//! use aftersales::{InMemoryStore, testing::store_conformance};
//! let report = store_conformance(InMemoryStore::new);
//! assert!(report.failures.is_empty(), "{:?}", report.failures);
//! ```
//!
//! [`RawStore`] keeps its rows open to the test, to tamper with them as someone with write
//! access to a database would, and check that verification notices.
//!
//! [`FaultyStore`] wraps any store and injects failures (lost writes, lost
//! acknowledgements, stale reads, duplicate deliveries, lost connections) on a seeded
//! schedule, to test that a host — or the [`Engine`](crate::Engine) — commits whole or not at
//! all and that retries with idempotency keys have exactly one effect.

mod faulty;
#[cfg(feature = "procedures")]
#[cfg_attr(docsrs, doc(cfg(feature = "procedures")))]
pub mod fixtures;
mod raw;

pub use faulty::{Fault, FaultyStore, INJECTED, InjectedFault};
pub use raw::{RawInstance, RawRows, RawStore};

use crate::Actor;
use crate::BusinessDuration;
use crate::Command;
use crate::Decision;
use crate::InstanceId;
use crate::Registry;
use crate::{AsyncStore, SyncAsAsync};
use crate::{Builder, Definition};
use crate::{ChainHead, ChainedEvent, Digest};
use crate::{Commit, IdempotencyRecord, Lease, OutboxMessage, Store, StoreError};
use crate::{DeadlineSpec, Trigger};
use chrono::{DateTime, TimeZone, Utc};
use serde_json::json;
use std::future::Future;

/// The outcome of the suite: the checks that passed and those that failed, with why.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ConformanceReport {
    /// Names of the passing checks.
    pub passed: Vec<&'static str>,
    /// Names and reasons of the failing checks.
    pub failures: Vec<(&'static str, String)>,
}

/// A small definition and helpers the checks share.
struct Fixture {
    def: Definition,
    clerk: Actor,
    t0: DateTime<Utc>,
}

fn fixture() -> Result<Fixture, String> {
    let def = Builder::new("conformance", 1)
        .roles(["clerk"])
        .start_roles(["clerk"])
        .initial("open")
        .normal("working")
        .terminal("done")
        .transition("open", "begin", "working", |t| t.roles(["clerk"]))
        .transition("working", "note", "working", |t| t.roles(["clerk"]))
        .transition("working", "finish", "done", |t| t.roles(["clerk"]))
        .deadline(DeadlineSpec::new(
            "answer",
            Trigger::enter("working"),
            BusinessDuration::WorkingHours(4),
        ))
        .build(&Registry::with_calendar(
            crate::BusinessCalendar::china_standard(),
        ))
        .map_err(|e| e.to_string())?;
    Ok(Fixture {
        def,
        clerk: Actor::new("clerk-1", ["clerk"]),
        t0: Utc
            .with_ymd_and_hms(2026, 3, 2, 1, 0, 0)
            .single()
            .ok_or("bad instant")?,
    })
}

impl Fixture {
    /// The commit creating instance `id`.
    fn start(&self, id: &str) -> Result<Commit, String> {
        let d = crate::start(
            &self.def,
            InstanceId::from(id),
            &self.clerk,
            json!({}),
            self.t0,
        )
        .map_err(|e| e.to_string())?;
        Ok(Commit::linked(d.instance, d.events, Digest::ZERO, 0, None))
    }

    /// The commit firing `action` on the snapshot `base` committed.
    fn fire(&self, base: &Commit, action: &str) -> Result<Commit, String> {
        let d = self.decide(base, action)?;
        let head = base
            .instance
            .chain_head()
            .ok_or("the base commit is not linked")?;
        Ok(Commit::linked(
            d.instance,
            d.events,
            head,
            base.instance.version(),
            None,
        ))
    }

    fn decide(&self, base: &Commit, action: &str) -> Result<Decision, String> {
        crate::decide(
            &self.def,
            &base.instance,
            &Command::fire(&self.clerk, action),
            self.t0,
        )
        .map_err(|e| e.to_string())
    }
}

async fn create_load<S: AsyncStore>(s: &S, f: &Fixture) -> Result<(), String> {
    let c = f.start("a")?;
    s.commit(c.clone()).await.map_err(|e| e.to_string())?;
    let loaded = s.load(&"a".into()).await.map_err(|e| e.to_string())?;
    if loaded.as_ref() != Some(&c.instance) {
        return Err(format!("loaded {loaded:?}, committed {:?}", c.instance));
    }
    let events = s.events(&"a".into(), 0).await.map_err(|e| e.to_string())?;
    if events != c.events {
        return Err("events differ from those committed".into());
    }
    match s.load(&"missing".into()).await {
        Ok(None) => Ok(()),
        other => Err(format!("unknown instance loaded as {other:?}")),
    }
}

/// An instance started in a region keeps it through the store: the snapshot, the `Created`
/// event and the replay of the stored events (see [Regions](crate::Actor#regions)).
async fn region_round_trip<S: AsyncStore>(s: &S, f: &Fixture) -> Result<(), String> {
    let region = crate::Region::from("north");
    let d = crate::start_in(
        &f.def,
        InstanceId::from("r"),
        &f.clerk.clone().in_region("north"),
        json!({}),
        Some(region.clone()),
        f.t0,
    )
    .map_err(|e| e.to_string())?;
    let c = Commit::linked(d.instance, d.events, Digest::ZERO, 0, None);
    s.commit(c.clone()).await.map_err(|e| e.to_string())?;
    let loaded = s
        .load(&"r".into())
        .await
        .map_err(|e| e.to_string())?
        .ok_or("the instance was not stored")?;
    if loaded.region() != Some(&region) || loaded != c.instance {
        return Err(format!(
            "loaded region {:?}, committed {region}",
            loaded.region()
        ));
    }
    let events = s.events(&"r".into(), 0).await.map_err(|e| e.to_string())?;
    let created = events.first().map(|e| &e.kind);
    if !matches!(created, Some(crate::EventKind::Created { region: Some(r), .. }) if *r == region) {
        return Err(format!("the stored `created` event is {created:?}"));
    }
    loaded.verify(&events).map_err(|e| e.to_string())
}

async fn create_twice_conflicts<S: AsyncStore>(s: &S, f: &Fixture) -> Result<(), String> {
    let c = f.start("a")?;
    s.commit(c.clone()).await.map_err(|e| e.to_string())?;
    match s.commit(c).await {
        Err(StoreError::Conflict {
            expected: 0,
            actual: 1,
            ..
        }) => Ok(()),
        other => Err(format!("second create gave {other:?}")),
    }
}

async fn stale_writer_conflicts<S: AsyncStore>(s: &S, f: &Fixture) -> Result<(), String> {
    let c0 = f.start("a")?;
    s.commit(c0.clone()).await.map_err(|e| e.to_string())?;
    let c1 = f.fire(&c0, "begin")?;
    s.commit(c1.clone()).await.map_err(|e| e.to_string())?;
    // A second writer that also read c0.
    let stale = f.fire(&c0, "begin")?;
    match s.commit(stale).await {
        Err(StoreError::Conflict {
            expected, actual, ..
        }) if expected == c0.instance.version() && actual == c1.instance.version() => {}
        other => return Err(format!("stale commit gave {other:?}")),
    }
    let events = s.events(&"a".into(), 0).await.map_err(|e| e.to_string())?;
    if events.len() as u64 != c1.instance.version() {
        return Err("the stale commit wrote events".into());
    }
    Ok(())
}

async fn malformed_commits_refused<S: AsyncStore>(s: &S, f: &Fixture) -> Result<(), String> {
    let c = f.start("a")?;
    let mut gap = c.clone();
    gap.expected_version = 5;
    let mut empty = c.clone();
    empty.events.clear();
    empty.hashes.clear();
    for (name, c) in [("gap", gap), ("empty", empty)] {
        match s.commit(c.clone()).await {
            Err(StoreError::InvalidCommit { .. }) => {}
            other => return Err(format!("{name} commit gave {other:?}")),
        }
    }
    match s.load(&"a".into()).await {
        Ok(None) => Ok(()),
        other => Err(format!("a refused commit left {other:?}")),
    }
}

async fn idempotency_keys<S: AsyncStore>(s: &S, f: &Fixture) -> Result<(), String> {
    let c0 = f.start("a")?;
    s.commit(c0.clone()).await.map_err(|e| e.to_string())?;
    let mut c1 = f.fire(&c0, "begin")?;
    let rec = IdempotencyRecord {
        key: "k1".into(),
        fingerprint: 42,
        first_seq: c0.instance.version() + 1,
        last_seq: c1.instance.version(),
    };
    c1.idempotency = Some(rec.clone());
    s.commit(c1.clone()).await.map_err(|e| e.to_string())?;
    if s.idempotency(&"a".into(), "k1")
        .await
        .map_err(|e| e.to_string())?
        != Some(rec.clone())
    {
        return Err("key not recorded".into());
    }
    let mut again = f.fire(&c1, "note")?;
    again.idempotency = Some(IdempotencyRecord {
        first_seq: c1.instance.version() + 1,
        last_seq: again.instance.version(),
        ..rec
    });
    match s.commit(again).await {
        Err(StoreError::DuplicateKey { .. }) => {}
        other => return Err(format!("reused key gave {other:?}")),
    }
    if s.load(&"a".into())
        .await
        .map_err(|e| e.to_string())?
        .map(|i| i.version())
        != Some(c1.instance.version())
    {
        return Err("a refused duplicate key wrote something".into());
    }
    Ok(())
}

async fn listing_by_state<S: AsyncStore>(s: &S, f: &Fixture) -> Result<(), String> {
    let a = f.start("a")?;
    let b = f.start("b")?;
    s.commit(a).await.map_err(|e| e.to_string())?;
    s.commit(b.clone()).await.map_err(|e| e.to_string())?;
    s.commit(f.fire(&b, "begin")?)
        .await
        .map_err(|e| e.to_string())?;
    let open = s
        .list_by_state("conformance", "open")
        .await
        .map_err(|e| e.to_string())?;
    let working = s
        .list_by_state("conformance", "working")
        .await
        .map_err(|e| e.to_string())?;
    let all = s.list("conformance").await.map_err(|e| e.to_string())?;
    if open != vec![InstanceId::from("a")] || working != vec![InstanceId::from("b")] {
        return Err(format!("open {open:?}, working {working:?}"));
    }
    if all != vec![InstanceId::from("a"), InstanceId::from("b")] {
        return Err(format!("list gave {all:?}"));
    }
    Ok(())
}

async fn due_index<S: AsyncStore>(s: &S, f: &Fixture) -> Result<(), String> {
    let a = f.start("a")?;
    s.commit(a.clone()).await.map_err(|e| e.to_string())?;
    if s.next_due().await.map_err(|e| e.to_string())?.is_some() {
        return Err("an instance without deadlines is due".into());
    }
    let a1 = f.fire(&a, "begin")?;
    s.commit(a1.clone()).await.map_err(|e| e.to_string())?;
    let due = a1.instance.next_due().ok_or("fixture deadline missing")?;
    if s.next_due().await.map_err(|e| e.to_string())? != Some((due, "a".into())) {
        return Err("next_due does not match the snapshot".into());
    }
    let before = s
        .due(due - chrono::TimeDelta::seconds(1), 10)
        .await
        .map_err(|e| e.to_string())?;
    let at = s.due(due, 10).await.map_err(|e| e.to_string())?;
    if !before.is_empty() || at != vec![InstanceId::from("a")] {
        return Err(format!("due before {before:?}, at {at:?}"));
    }
    s.commit(f.fire(&a1, "finish")?)
        .await
        .map_err(|e| e.to_string())?;
    if s.next_due().await.map_err(|e| e.to_string())?.is_some() {
        return Err("a closed instance is still in the due-index".into());
    }
    Ok(())
}

async fn events_after<S: AsyncStore>(s: &S, f: &Fixture) -> Result<(), String> {
    let a = f.start("a")?;
    s.commit(a.clone()).await.map_err(|e| e.to_string())?;
    let a1 = f.fire(&a, "begin")?;
    s.commit(a1.clone()).await.map_err(|e| e.to_string())?;
    let tail = s
        .events(&"a".into(), a.instance.version())
        .await
        .map_err(|e| e.to_string())?;
    if tail != a1.events {
        return Err("events(after) does not return exactly the later events".into());
    }
    if !s
        .events(&"zzz".into(), 0)
        .await
        .map_err(|e| e.to_string())?
        .is_empty()
    {
        return Err("events of an unknown instance".into());
    }
    Ok(())
}

/// Clause 9: the hashes given are kept with the events, exactly, and returned in order.
async fn hashes_kept<S: AsyncStore>(s: &S, f: &Fixture) -> Result<(), String> {
    let a = f.start("a")?;
    s.commit(a.clone()).await.map_err(|e| e.to_string())?;
    let a1 = f.fire(&a, "begin")?;
    s.commit(a1.clone()).await.map_err(|e| e.to_string())?;
    let chained = s
        .chained_events(&"a".into(), 0)
        .await
        .map_err(|e| e.to_string())?;
    let expected: Vec<ChainedEvent> = a
        .events
        .iter()
        .chain(&a1.events)
        .zip(a.hashes.iter().chain(&a1.hashes))
        .map(|(e, h)| ChainedEvent {
            event: e.clone(),
            hash: Some(*h),
        })
        .collect();
    if chained != expected {
        return Err("chained_events does not return the events with their hashes".into());
    }
    let tail = s
        .chained_events(&"a".into(), a.instance.version())
        .await
        .map_err(|e| e.to_string())?;
    if tail.as_slice() != &expected[a.events.len()..] {
        return Err("chained_events(after) does not return exactly the later events".into());
    }
    crate::verify_chained(&chained).map_err(|e| e.to_string())?;
    if !s
        .chained_events(&"zzz".into(), 0)
        .await
        .map_err(|e| e.to_string())?
        .is_empty()
    {
        return Err("chained events of an unknown instance".into());
    }
    Ok(())
}

/// Clause 9: a commit that does not link (to the stored head, inside itself, or to its
/// snapshot) is refused and writes nothing.
async fn unlinked_commits_refused<S: AsyncStore>(s: &S, f: &Fixture) -> Result<(), String> {
    let a = f.start("a")?;
    s.commit(a.clone()).await.map_err(|e| e.to_string())?;
    let good = f.fire(&a, "begin")?;
    let d = f.decide(&a, "begin")?;
    // Linked after the wrong head.
    let wrong_head = Commit::linked(
        d.instance.clone(),
        d.events.clone(),
        Digest::of_bytes(b"not the head"),
        a.instance.version(),
        None,
    );
    // Not linked at all.
    let mut unlinked = good.clone();
    for e in &mut unlinked.events {
        e.prev = None;
    }
    // An event inside the commit linking to something else.
    let mut broken = good.clone();
    if let Some(e) = broken.events.last_mut() {
        e.prev = Some(Digest::of_bytes(b"elsewhere"));
    }
    // Hashes missing.
    let mut no_hashes = good.clone();
    no_hashes.hashes.clear();
    // A snapshot whose head is not the last hash.
    let mut wrong_snapshot = good.clone();
    let mut snapshot = (*good.instance).clone();
    snapshot.set_chain_head(Digest::of_bytes(b"not the last hash"));
    wrong_snapshot.instance = std::sync::Arc::new(snapshot);
    let cases = [
        ("wrong head", wrong_head),
        ("unlinked", unlinked),
        ("broken link", broken),
        ("no hashes", no_hashes),
        ("snapshot head", wrong_snapshot),
    ];
    for (name, c) in cases {
        if name == "broken link" && c.events.len() < 2 {
            return Err("the fixture's second commit has one event".into());
        }
        match s.commit(c).await {
            Err(StoreError::InvalidCommit { .. }) => {}
            other => return Err(format!("{name} commit gave {other:?}")),
        }
    }
    let version = s
        .load(&"a".into())
        .await
        .map_err(|e| e.to_string())?
        .map(|i| i.version());
    if version != Some(a.instance.version()) {
        return Err(format!(
            "a refused commit wrote something (version {version:?})"
        ));
    }
    s.commit(good).await.map_err(|e| e.to_string())
}

/// Clause 10: the chain head of every instance, in id order.
async fn chain_heads_listed<S: AsyncStore>(s: &S, f: &Fixture) -> Result<(), String> {
    if !s.chain_heads().await.map_err(|e| e.to_string())?.is_empty() {
        return Err("an empty store has chain heads".into());
    }
    let b = f.start("b")?;
    let a = f.start("a")?;
    s.commit(b.clone()).await.map_err(|e| e.to_string())?;
    s.commit(a.clone()).await.map_err(|e| e.to_string())?;
    let b1 = f.fire(&b, "begin")?;
    s.commit(b1.clone()).await.map_err(|e| e.to_string())?;
    let head = |c: &Commit| -> Result<ChainHead, String> {
        Ok(ChainHead {
            instance: c.instance.id().clone(),
            seq: c.instance.version(),
            hash: *c.hashes.last().ok_or("no events")?,
        })
    };
    let expected = vec![head(&a)?, head(&b1)?];
    let heads = s.chain_heads().await.map_err(|e| e.to_string())?;
    if heads != expected {
        return Err(format!("chain heads {heads:?}, expected {expected:?}"));
    }
    Ok(())
}

/// Clause 11: due work is leased to one claimant at a time; an expired lease is taken over.
async fn due_leases<S: AsyncStore>(s: &S, f: &Fixture) -> Result<(), String> {
    let e = |e: StoreError| e.to_string();
    let a = f.start("a")?;
    s.commit(a.clone()).await.map_err(e)?;
    let a1 = f.fire(&a, "begin")?;
    s.commit(a1.clone()).await.map_err(e)?;
    let due = a1.instance.next_due().ok_or("fixture deadline missing")?;
    let minute = chrono::TimeDelta::minutes(1);
    let one = Lease::new("node-1", due + minute);
    let two = Lease::new("node-2", due + minute * 5);
    let early = s
        .claim_due(due - chrono::TimeDelta::seconds(1), 10, &one)
        .await
        .map_err(e)?;
    if !early.is_empty() {
        return Err(format!("claimed before due: {early:?}"));
    }
    let first = s.claim_due(due, 10, &one).await.map_err(e)?;
    if first != vec![InstanceId::from("a")] {
        return Err(format!("first claim gave {first:?}"));
    }
    let during = s.claim_due(due, 10, &two).await.map_err(e)?;
    if !during.is_empty() {
        return Err(format!("a live lease was claimed again: {during:?}"));
    }
    // node-1 crashed: once its lease expires, node-2 takes the work over.
    let later = s.claim_due(due + minute, 10, &two).await.map_err(e)?;
    if later != vec![InstanceId::from("a")] {
        return Err(format!("an expired lease was not taken over: {later:?}"));
    }
    // node-1 cannot release node-2's lease; node-2 can.
    s.release_due(&"a".into(), "node-1").await.map_err(e)?;
    let held = s.claim_due(due + minute, 10, &one).await.map_err(e)?;
    if !held.is_empty() {
        return Err("another claimant released the lease".into());
    }
    s.release_due(&"a".into(), "node-2").await.map_err(e)?;
    let released = s.claim_due(due + minute, 10, &one).await.map_err(e)?;
    if released != vec![InstanceId::from("a")] {
        return Err(format!("a released lease was not claimable: {released:?}"));
    }
    // A lease does not keep a handled instance due: finishing it leaves nothing to claim.
    let a2 = f.fire(&a1, "finish")?;
    s.commit(a2).await.map_err(e)?;
    let after = s.claim_due(due + minute * 10, 10, &two).await.map_err(e)?;
    if !after.is_empty() {
        return Err(format!("a closed instance was claimed: {after:?}"));
    }
    Ok(())
}

/// Clause 11: claims honour `limit`, earliest first, ties by id.
async fn due_claims_respect_limit_and_order<S: AsyncStore>(
    s: &S,
    f: &Fixture,
) -> Result<(), String> {
    let e = |e: StoreError| e.to_string();
    for id in ["c", "a", "b"] {
        let d = f.start(id)?;
        s.commit(d.clone()).await.map_err(e)?;
        s.commit(f.fire(&d, "begin")?).await.map_err(e)?;
    }
    let probe = f.fire(&f.start("x")?, "begin")?;
    let due = probe
        .instance
        .next_due()
        .ok_or("fixture deadline missing")?;
    let lease = Lease::new("node-1", due + chrono::TimeDelta::minutes(1));
    let first = s.claim_due(due, 2, &lease).await.map_err(e)?;
    let rest = s.claim_due(due, 2, &lease).await.map_err(e)?;
    if first != vec![InstanceId::from("a"), InstanceId::from("b")]
        || rest != vec![InstanceId::from("c")]
    {
        return Err(format!("claims gave {first:?} then {rest:?}"));
    }
    Ok(())
}

/// Clause 12: messages are written with their commits, leased, taken over after expiry,
/// acknowledged once delivered, each with its own key.
async fn outbox_messages<S: AsyncStore>(s: &S, f: &Fixture) -> Result<(), String> {
    let e = |e: StoreError| e.to_string();
    let mut c = f.start("a")?;
    c.outbox = true;
    s.commit(c.clone()).await.map_err(e)?;
    // Without `outbox` no message is written.
    let a1 = f.fire(&c, "begin")?;
    s.commit(a1.clone()).await.map_err(e)?;
    let mut c2 = f.fire(&a1, "note")?;
    c2.outbox = true;
    s.commit(c2.clone()).await.map_err(e)?;
    let expected = vec![
        OutboxMessage::of(&c).ok_or("no message")?,
        OutboxMessage::of(&c2).ok_or("no message")?,
    ];
    let t = f.t0;
    let minute = chrono::TimeDelta::minutes(1);
    let one = Lease::new("node-1", t + minute);
    let two = Lease::new("node-2", t + minute * 5);
    let first = s.claim_outbox(t, 10, &one).await.map_err(e)?;
    if first != expected {
        return Err(format!("claimed {first:?}, expected {expected:?}"));
    }
    if expected[0].key() == expected[1].key() {
        return Err("two messages share a deduplication key".into());
    }
    let during = s.claim_outbox(t, 10, &two).await.map_err(e)?;
    if !during.is_empty() {
        return Err(format!("leased messages claimed again: {during:?}"));
    }
    // node-1 delivers the first and crashes before the second: node-2 takes it over later.
    s.ack_outbox(&expected[0]).await.map_err(e)?;
    let later = s.claim_outbox(t + minute, 10, &two).await.map_err(e)?;
    if later != expected[1..] {
        return Err(format!("after expiry claimed {later:?}"));
    }
    s.ack_outbox(&expected[1]).await.map_err(e)?;
    // Acknowledging twice changes nothing; nothing is left.
    s.ack_outbox(&expected[1]).await.map_err(e)?;
    let left = s.claim_outbox(t + minute * 60, 10, &one).await.map_err(e)?;
    if !left.is_empty() {
        return Err(format!("delivered messages claimed again: {left:?}"));
    }
    Ok(())
}

/// Clause 12: a refused commit records no message.
async fn outbox_only_with_its_commit<S: AsyncStore>(s: &S, f: &Fixture) -> Result<(), String> {
    let e = |e: StoreError| e.to_string();
    let a = f.start("a")?;
    s.commit(a.clone()).await.map_err(e)?;
    let a1 = f.fire(&a, "begin")?;
    s.commit(a1.clone()).await.map_err(e)?;
    // A stale commit (conflict) and a malformed one (no events).
    let mut stale = f.fire(&a, "begin")?;
    stale.outbox = true;
    let mut bad = f.fire(&a1, "note")?;
    bad.outbox = true;
    bad.events.clear();
    for c in [stale, bad] {
        if s.commit(c).await.is_ok() {
            return Err("a refused commit was accepted".into());
        }
    }
    let lease = Lease::new("node-1", f.t0);
    let left = s.claim_outbox(f.t0, 10, &lease).await.map_err(e)?;
    if !left.is_empty() {
        return Err(format!("a refused commit left messages: {left:?}"));
    }
    Ok(())
}

/// Run every check of the async contract against fresh stores from `make` (each check gets
/// its own store). Needs no runtime of its own: run it on the host's (`#[tokio::test]`, ...).
///
/// ```
/// use aftersales::{InMemoryStore, SyncAsAsync, testing::async_store_conformance};
/// # let report = aftersales::testing::block_on(
/// async_store_conformance(|| async { SyncAsAsync(InMemoryStore::new()) })
/// # );
/// # assert!(report.failures.is_empty(), "{:?}", report.failures);
/// ```
pub async fn async_store_conformance<S, F, Fut>(make: F) -> ConformanceReport
where
    S: AsyncStore,
    F: Fn() -> Fut,
    Fut: Future<Output = S>,
{
    let mut report = ConformanceReport::default();
    let f = match fixture() {
        Ok(f) => f,
        Err(e) => {
            report.failures.push(("fixture", e));
            return report;
        }
    };
    macro_rules! run {
        ($($check:ident),* $(,)?) => {$(
            let store = make().await;
            match $check(&store, &f).await {
                Ok(()) => report.passed.push(stringify!($check)),
                Err(why) => report.failures.push((stringify!($check), why)),
            }
        )*};
    }
    run!(
        create_load,
        region_round_trip,
        create_twice_conflicts,
        stale_writer_conflicts,
        malformed_commits_refused,
        idempotency_keys,
        listing_by_state,
        due_index,
        events_after,
        hashes_kept,
        unlinked_commits_refused,
        chain_heads_listed,
        due_leases,
        due_claims_respect_limit_and_order,
        outbox_messages,
        outbox_only_with_its_commit,
    );
    report
}

/// Run every check against fresh stores from `make`: the checks of
/// [`async_store_conformance`], through [`SyncAsAsync`].
pub fn store_conformance<S: Store>(make: impl Fn() -> S) -> ConformanceReport {
    block_on(async_store_conformance(|| {
        let store = SyncAsAsync(make());
        async move { store }
    }))
}

/// Run a future to completion on the calling thread (parking it while the future waits).
/// Enough for futures that need no reactor, such as those of [`SyncAsAsync`] stores; a
/// future that waits on a driver's I/O needs that driver's runtime instead.
pub fn block_on<F: Future>(future: F) -> F::Output {
    struct Unpark(std::thread::Thread);
    impl std::task::Wake for Unpark {
        fn wake(self: std::sync::Arc<Self>) {
            self.0.unpark();
        }
    }
    let waker = std::task::Waker::from(std::sync::Arc::new(Unpark(std::thread::current())));
    let mut cx = std::task::Context::from_waker(&waker);
    let mut future = std::pin::pin!(future);
    loop {
        if let std::task::Poll::Ready(out) = future.as_mut().poll(&mut cx) {
            return out;
        }
        std::thread::park();
    }
}
