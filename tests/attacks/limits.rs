//! Finding 5 of issue 15: an actor with no roles could append unbounded `rejected` events of
//! any size (one 5 MiB command added 9.4 MB; 1,000 refusals added 1,000 events), payloads had
//! no size limit, and a refusal record was silently dropped when its write raced another.

use aftersales::{
    Actor, BuildError, Builder, Command, CommandDigest, CommandLimits, Commit, Definition,
    DefinitionLimits, DefinitionOverLimit, Engine, EngineError, Event, EventKind, Form,
    InMemoryStore, Instance, InstanceId, Limit, Registry, Rejection, Repeats, Store, StoreError,
};
use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use serde_json::{Value, json};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 16, 2, 0, 0).unwrap()
}

fn definition() -> Definition {
    Builder::new("claim", 1)
        .roles(["clerk"])
        .start_roles(["clerk"])
        .initial("open")
        .terminal("done")
        .form("photo")
        .transition("open", "note", "open", |t| t.roles(["clerk"]))
        .transition("open", "finish", "done", |t| t.roles(["clerk"]))
        .build(&Registry::new())
        .unwrap()
}

fn clerk() -> Actor {
    Actor::new("clerk-1", ["clerk"])
}

/// The clerk's `note`, which may carry a payload and forms.
fn note() -> Command {
    Command::fire(&clerk(), "note")
}

/// An actor holding no role at all.
fn nobody() -> Actor {
    Actor::new("mallory", Vec::<&str>::new())
}

fn engine_over<S: Store>(store: S) -> (Engine<S>, InstanceId) {
    let mut e = Engine::new(store);
    e.register(definition()).unwrap();
    let id = InstanceId::from("c-1");
    e.start("claim", id.clone(), &clerk(), json!({}), t0())
        .unwrap();
    (e, id)
}

fn engine() -> (Engine<InMemoryStore>, InstanceId) {
    engine_over(InMemoryStore::new())
}

fn refused<S: Store>(
    e: &Engine<S>,
    id: &InstanceId,
    cmd: &Command,
    at: DateTime<Utc>,
) -> Rejection {
    match e.fire(id, cmd, at) {
        Err(EngineError::Rejected { rejection, .. }) => rejection,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

fn rejected(history: &[Event]) -> Vec<&Event> {
    history
        .iter()
        .filter(|e| matches!(e.kind, EventKind::Rejected { .. }))
        .collect()
}

fn stored_bytes(history: &[Event]) -> usize {
    history.iter().map(|e| e.canonical().len()).sum()
}

fn repeats(e: &Event) -> Option<Repeats> {
    match &e.kind {
        EventKind::Rejected { repeated, .. } => *repeated,
        _ => None,
    }
}

#[test]
fn a_thousand_identical_refusals_make_one_record_and_one_count() {
    let (e, id) = engine();
    let before = e.history(&id).unwrap().len();
    let cmd = Command::fire(&nobody(), "finish");
    for i in 0..1_000 {
        let r = refused(&e, &id, &cmd, t0() + TimeDelta::seconds(i));
        assert!(matches!(r, Rejection::Forbidden { .. }), "{r:?}");
    }
    // The first is recorded at once; the other 999 are counted, nothing written.
    let history = e.history(&id).unwrap();
    assert_eq!(history.len(), before + 1);
    assert_eq!(e.pending_refusals(), 1, "one summary waits");
    // The summary is written on the next accepted command.
    let done = t0() + TimeDelta::seconds(1_000);
    e.fire(&id, &note(), done).unwrap();
    let history = e.history(&id).unwrap();
    let records = rejected(&history);
    assert_eq!(records.len(), 2, "the first refusal and one summary");
    assert_eq!(repeats(records[0]), None);
    assert_eq!(
        repeats(records[1]),
        Some(Repeats {
            count: 1_000,
            since: t0(),
            until: t0() + TimeDelta::seconds(999),
        })
    );
    assert_eq!(records[1].by.as_ref().unwrap().actor.as_str(), "mallory");
    assert_eq!(e.pending_refusals(), 0);
    // Append-only and replay-equal.
    e.verify(&id).unwrap();
    assert_eq!(Instance::replay(&history).unwrap(), *e.load(&id).unwrap());
}

#[test]
fn identical_refusals_after_the_window_open_a_new_record() {
    let (e, id) = engine();
    let e = e.refusal_window(TimeDelta::minutes(10));
    let cmd = Command::fire(&nobody(), "finish");
    for i in 0..5 {
        refused(&e, &id, &cmd, t0() + TimeDelta::minutes(i));
    }
    // After the window: a new first record, and the closed window's count with it.
    refused(&e, &id, &cmd, t0() + TimeDelta::minutes(11));
    let history = e.history(&id).unwrap();
    let records = rejected(&history);
    assert_eq!(records.len(), 3);
    assert_eq!(repeats(records[1]).map(|r| r.count), Some(5));
    assert_eq!(repeats(records[2]), None, "the new window's first record");
    // A different reason is not coalesced with them.
    refused(
        &e,
        &id,
        &Command::fire(&nobody(), "nonsense"),
        t0() + TimeDelta::minutes(12),
    );
    assert_eq!(rejected(&e.history(&id).unwrap()).len(), 4);
    // flush_refusals writes what is counted (here nothing beyond the firsts).
    assert_eq!(e.flush_refusals(t0() + TimeDelta::minutes(13)).unwrap(), 0);
    assert_eq!(rejected(&e.history(&id).unwrap()).len(), 4);
    e.verify(&id).unwrap();
}

#[test]
fn a_zero_window_records_every_refusal() {
    let (e, id) = engine();
    let e = e.refusal_window(TimeDelta::zero());
    let cmd = Command::fire(&nobody(), "finish");
    for i in 0..3 {
        refused(&e, &id, &cmd, t0() + TimeDelta::seconds(i));
    }
    assert_eq!(rejected(&e.history(&id).unwrap()).len(), 3);
    assert_eq!(e.pending_refusals(), 0);
}

#[test]
fn a_5_mib_payload_is_refused_typed_and_the_log_grows_by_a_bounded_amount() {
    let (e, id) = engine();
    let before = e.history(&id).unwrap();
    let payload = json!({ "blob": "x".repeat(5 << 20) });
    let cmd = Command::fire(&nobody(), "finish").with_payload(payload.clone());
    let r = refused(&e, &id, &cmd, t0());
    let max = CommandLimits::default().payload_bytes as u64;
    assert_eq!(
        r,
        Rejection::OverLimit {
            limit: Limit::PayloadBytes,
            what: "payload".into(),
            max,
            found: aftersales::json_size(&payload) as u64,
        }
    );
    let after = e.history(&id).unwrap();
    assert_eq!(after.len(), before.len() + 1, "one record");
    let grown = stored_bytes(&after) - stored_bytes(&before);
    assert!(grown < 2_048, "the record is {grown} bytes");
    // The record holds the command's size and digest, never its content.
    let EventKind::Rejected { command, .. } = &after.last().unwrap().kind else {
        panic!("not a refusal record");
    };
    let digest = command.expect("the first record carries the digest");
    assert_eq!(digest, CommandDigest::of(&cmd));
    assert!(digest.bytes > 5 << 20);
    assert!(!String::from_utf8_lossy(&after.last().unwrap().canonical()).contains("xxxx"));
}

#[test]
fn a_huge_action_name_or_actor_id_is_refused_before_it_reaches_the_log() {
    let (e, id) = engine();
    let before = stored_bytes(&e.history(&id).unwrap());
    let long = "a".repeat(1 << 20);
    let r = refused(&e, &id, &Command::fire(&nobody(), &long), t0());
    assert!(
        matches!(r, Rejection::OverLimit { limit: Limit::NameBytes, max: 256, found, .. } if found == 1 << 20),
        "{r:?}"
    );
    let who = Actor::new(long.as_str(), Vec::<&str>::new());
    let r = refused(&e, &id, &Command::fire(&who, "finish"), t0());
    assert!(
        matches!(
            r,
            Rejection::OverLimit {
                limit: Limit::NameBytes,
                ..
            }
        ),
        "{r:?}"
    );
    // Two records, the over-long names cut in them (RECORDED_TEXT_BYTES).
    let history = e.history(&id).unwrap();
    assert_eq!(rejected(&history).len(), 2);
    let grown = stored_bytes(&history) - before;
    assert!(grown < 8 * 1024, "the log grew by {grown} bytes");
    let by = &history.last().unwrap().by.as_ref().unwrap().actor;
    assert!(by.as_str().len() <= aftersales::RECORDED_TEXT_BYTES + 3);
    assert!(by.as_str().ends_with('…'));
}

#[test]
fn deep_nesting_is_refused_typed() {
    let (e, id) = engine();
    let deep = (0..200).fold(json!(1), |v, _| json!([v]));
    let r = refused(&e, &id, &note().with_payload(deep), t0());
    assert_eq!(
        r,
        Rejection::OverLimit {
            limit: Limit::Depth,
            what: "payload".into(),
            max: aftersales::MAX_JSON_DEPTH as u64,
            found: 200,
        }
    );
    // A lower configured depth applies too.
    let (e, id) = engine();
    let e = e.with_limits(CommandLimits {
        depth: 3,
        ..CommandLimits::default()
    });
    let r = refused(
        &e,
        &id,
        &note().with_payload(json!({"a": {"b": {"c": [1]}}})),
        t0(),
    );
    assert!(
        matches!(
            r,
            Rejection::OverLimit {
                limit: Limit::Depth,
                max: 3,
                found: 4,
                ..
            }
        ),
        "{r:?}"
    );
}

#[test]
fn forms_over_the_limits_are_refused_typed() {
    let (e, id) = engine();
    let big = Form::new("photo", json!({ "jpeg": "y".repeat(300 * 1024) }));
    let r = refused(&e, &id, &note().with_form(big.clone()), t0());
    assert_eq!(
        r,
        Rejection::OverLimit {
            limit: Limit::FormBytes,
            what: "form `photo`".into(),
            max: CommandLimits::default().form_bytes as u64,
            found: aftersales::json_size(&big.body) as u64,
        }
    );
    let mut many = note();
    for _ in 0..17 {
        many = many.with_form(Form::new("photo", json!({})));
    }
    let r = refused(&e, &id, &many, t0());
    assert!(
        matches!(
            r,
            Rejection::OverLimit {
                limit: Limit::Forms,
                max: 16,
                found: 17,
                ..
            }
        ),
        "{r:?}"
    );
    let deep = Form::new("photo", (0..70).fold(json!(1), |v, _| json!([v])));
    let r = refused(&e, &id, &note().with_form(deep), t0());
    assert!(
        matches!(r, Rejection::OverLimit { limit: Limit::Depth, found: 70, ref what, .. } if what == "form `photo`"),
        "{r:?}"
    );
    // The whole command is limited too: many forms each under the form limit.
    let mut heavy = note();
    for _ in 0..5 {
        heavy = heavy.with_form(Form::new(
            "photo",
            json!({ "jpeg": "z".repeat(250 * 1024) }),
        ));
    }
    let r = refused(&e, &id, &heavy, t0());
    assert!(
        matches!(r, Rejection::OverLimit { limit: Limit::CommandBytes, max, found, .. } if found > max),
        "{r:?}"
    );
}

#[test]
fn initial_data_over_the_limit_is_refused_typed() {
    let mut e = Engine::new(InMemoryStore::new());
    e.register(definition()).unwrap();
    let data = json!({ "blob": "d".repeat(2 << 20) });
    let r = e.start("claim", "big", &clerk(), data, t0()).unwrap_err();
    assert!(
        matches!(
            r.rejection(),
            Some(Rejection::OverLimit {
                limit: Limit::CommandBytes,
                ..
            })
        ),
        "{r:?}"
    );
    assert!(e.load(&"big".into()).is_err(), "nothing was created");
}

fn spec_json() -> Value {
    serde_json::to_value(definition().spec()).unwrap()
}

fn over(json: &Value) -> DefinitionOverLimit {
    match Definition::from_json(&json.to_string(), &Registry::new()) {
        Err(BuildError::OverLimit(over)) => over,
        other => panic!("expected OverLimit, got {other:?}"),
    }
}

#[test]
fn definitions_over_the_limits_are_refused_before_validation() {
    // 10,000 states (finding 9 measured seconds of validation for such a definition).
    let mut v = spec_json();
    let states = v["states"].as_array_mut().unwrap();
    for i in 0..10_000 {
        states.push(json!({ "name": format!("s{i}"), "kind": "normal" }));
    }
    assert_eq!(
        over(&v),
        DefinitionOverLimit {
            limit: Limit::States,
            max: 1_000,
            found: 10_002,
        }
    );
    // Transitions: 10,001 of them.
    let mut v = spec_json();
    let t = v["transitions"][0].clone();
    let ts = v["transitions"].as_array_mut().unwrap();
    ts.clear();
    ts.extend(std::iter::repeat_n(t, 10_001));
    assert_eq!(over(&v).limit, Limit::Transitions);
    // Deadlines.
    let mut v = spec_json();
    v["deadlines"] = Value::Array(
        (0..1_001)
            .map(|i| json!({ "name": format!("d{i}"), "limit": {"hours": 1}, "starts": {"on": "enter", "state": "open"} }))
            .collect(),
    );
    let o = over(&v);
    assert_eq!((o.limit, o.max, o.found), (Limit::Deadlines, 1_000, 1_001));
    // Bytes, checked before parsing.
    let text = format!("{{\"id\": \"{}\"}}", "i".repeat(2 << 20));
    let r = Definition::from_json(&text, &Registry::new()).unwrap_err();
    assert!(
        matches!(r, BuildError::OverLimit(DefinitionOverLimit { limit: Limit::DefinitionBytes, found, .. }) if found as usize == text.len()),
        "{r:?}"
    );
    // Nesting, checked before parsing.
    let text = format!("{{\"id\": {}1{}}}", "[".repeat(100), "]".repeat(100));
    let r = Definition::from_json(&text, &Registry::new()).unwrap_err();
    assert!(
        matches!(
            r,
            BuildError::OverLimit(DefinitionOverLimit {
                limit: Limit::Depth,
                max: 64,
                found: 65
            })
        ),
        "{r:?}"
    );
    // Limits are configurable.
    let tight = DefinitionLimits {
        states: 1,
        ..DefinitionLimits::default()
    };
    let r =
        Definition::from_json_with(&spec_json().to_string(), &Registry::new(), &tight).unwrap_err();
    assert!(matches!(
        r,
        BuildError::OverLimit(DefinitionOverLimit {
            limit: Limit::States,
            max: 1,
            found: 2
        })
    ));
    assert!(Definition::from_json(&spec_json().to_string(), &Registry::new()).is_ok());
}

/// A store in which another writer commits first, `races` times, whenever a refusal record
/// is being written.
struct Racing {
    inner: InMemoryStore,
    def: Arc<Definition>,
    races: AtomicUsize,
}

impl Racing {
    fn new(races: usize) -> Self {
        Racing {
            inner: InMemoryStore::new(),
            def: Arc::new(definition()),
            races: AtomicUsize::new(races),
        }
    }
}

impl Store for Racing {
    fn commit(&self, commit: Commit) -> Result<(), StoreError> {
        let refusal = commit
            .events
            .iter()
            .all(|e| matches!(e.kind, EventKind::Rejected { .. }));
        if refusal && self.races.load(Ordering::SeqCst) > 0 {
            self.races.fetch_sub(1, Ordering::SeqCst);
            let id = commit.instance.id().clone();
            let inst = self.inner.load(&id)?.expect("the instance exists");
            let at = inst.updated_at();
            let d = aftersales::decide(&self.def, &inst, &note(), at)
                .expect("the racing note is accepted");
            self.inner.commit(Commit::linked(
                d.instance,
                d.events,
                inst.chain_head().unwrap_or(aftersales::Digest::ZERO),
                inst.version(),
                None,
            ))?;
        }
        self.inner.commit(commit)
    }
    fn load(&self, id: &InstanceId) -> Result<Option<Arc<Instance>>, StoreError> {
        self.inner.load(id)
    }
    fn events(&self, id: &InstanceId, after: u64) -> Result<Vec<Event>, StoreError> {
        self.inner.events(id, after)
    }
    fn chained_events(
        &self,
        id: &InstanceId,
        after: u64,
    ) -> Result<Vec<aftersales::ChainedEvent>, StoreError> {
        self.inner.chained_events(id, after)
    }
    fn chain_heads(&self) -> Result<Vec<aftersales::ChainHead>, StoreError> {
        self.inner.chain_heads()
    }
    fn idempotency(
        &self,
        id: &InstanceId,
        key: &str,
    ) -> Result<Option<aftersales::IdempotencyRecord>, StoreError> {
        self.inner.idempotency(id, key)
    }
    fn list_by_state(&self, definition: &str, state: &str) -> Result<Vec<InstanceId>, StoreError> {
        self.inner.list_by_state(definition, state)
    }
    fn list(&self, definition: &str) -> Result<Vec<InstanceId>, StoreError> {
        self.inner.list(definition)
    }
    fn next_due(&self) -> Result<Option<(DateTime<Utc>, InstanceId)>, StoreError> {
        self.inner.next_due()
    }
    fn due(&self, now: DateTime<Utc>, limit: usize) -> Result<Vec<InstanceId>, StoreError> {
        self.inner.due(now, limit)
    }
    fn claim_due(
        &self,
        now: DateTime<Utc>,
        limit: usize,
        lease: &aftersales::Lease,
    ) -> Result<Vec<InstanceId>, StoreError> {
        self.inner.claim_due(now, limit, lease)
    }
    fn release_due(&self, id: &InstanceId, claimant: &str) -> Result<(), StoreError> {
        self.inner.release_due(id, claimant)
    }
    fn claim_outbox(
        &self,
        now: DateTime<Utc>,
        limit: usize,
        lease: &aftersales::Lease,
    ) -> Result<Vec<aftersales::OutboxMessage>, StoreError> {
        self.inner.claim_outbox(now, limit, lease)
    }
    fn ack_outbox(&self, message: &aftersales::OutboxMessage) -> Result<(), StoreError> {
        self.inner.ack_outbox(message)
    }
}

#[test]
fn a_refusal_record_losing_a_race_is_retried() {
    let (e, id) = engine_over(Racing::new(2));
    let r = refused(&e, &id, &Command::fire(&nobody(), "finish"), t0());
    assert!(matches!(r, Rejection::Forbidden { .. }));
    let history = e.history(&id).unwrap();
    assert_eq!(rejected(&history).len(), 1, "written on the third attempt");
    let notes = history
        .iter()
        .filter(|e| matches!(e.kind, EventKind::Transitioned { .. }))
        .count();
    assert_eq!(notes, 2, "the two racing writes stand");
    assert_eq!(e.pending_refusals(), 0);
    e.verify(&id).unwrap();
}

#[test]
fn a_refusal_record_losing_every_race_is_kept_reported_and_written_later() {
    let (e, id) = engine_over(Racing::new(aftersales::REFUSAL_WRITE_ATTEMPTS));
    let at = t0() + TimeDelta::minutes(1);
    let r = refused(&e, &id, &Command::fire(&nobody(), "finish"), at);
    assert!(matches!(r, Rejection::Forbidden { .. }));
    assert!(rejected(&e.history(&id).unwrap()).is_empty());
    assert_eq!(e.pending_refusals(), 1, "reported, not dropped");
    let later = t0() + TimeDelta::minutes(5);
    assert_eq!(e.flush_refusals(later).unwrap(), 0);
    let history = e.history(&id).unwrap();
    let records = rejected(&history);
    assert_eq!(records.len(), 1);
    // Written later than it happened: time still moves forward, and the refusal's own
    // instant is kept.
    assert_eq!(records[0].at, later);
    assert_eq!(
        repeats(records[0]),
        Some(Repeats {
            count: 1,
            since: at,
            until: at,
        })
    );
    e.verify(&id).unwrap();
}

#[test]
fn windows_per_instance_are_capped_and_refusals_past_the_cap_are_still_recorded() {
    let (e, id) = engine();
    let n = aftersales::MAX_OPEN_WINDOWS + 10;
    for i in 0..n {
        refused(&e, &id, &Command::fire(&nobody(), format!("a{i}")), t0());
    }
    // Every different refusal is recorded once (small records), none lost.
    assert_eq!(rejected(&e.history(&id).unwrap()).len(), n);
    // Within the cap, repeats coalesce; past it, they are recorded each time.
    refused(&e, &id, &Command::fire(&nobody(), "a0"), t0());
    assert_eq!(rejected(&e.history(&id).unwrap()).len(), n);
    let past = format!("a{}", n - 1);
    refused(&e, &id, &Command::fire(&nobody(), &past), t0());
    assert_eq!(rejected(&e.history(&id).unwrap()).len(), n + 1);
    assert_eq!(e.flush_refusals(t0()).unwrap(), 0);
    let records = rejected(&e.history(&id).unwrap()).len();
    assert_eq!(records, n + 2, "the summary of a0 (count 2)");
    e.verify(&id).unwrap();
}
