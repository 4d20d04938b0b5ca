//! The bench workload in `aftersales`: a 6-state complaint ticket with a reject loop and a
//! guarded close.
//!
//! ```text
//! open --accept--> triage --assign--> analysis --submit--> review --approve--> approved --close--> closed
//!                                        ^                   |
//!                                        +------reject-------+
//! ```
//!
//! `submit` and `reject` (the steady-state loop) each check a role and two guards reading the
//! instance data; `close` is guarded. No effects, no forms, no deadlines (the deadline
//! variant adds one clock that stays open during the loop).

use aftersales::*;
use chrono::{DateTime, TimeZone, Utc};
use serde_json::{Value, json};

pub(crate) const ID: &str = "ticket";

/// The ticket's data, typed: the guards read it through [`Context::data`], deserialized once
/// per data version (the instance caches the typed view), like the hand-written baseline's
/// typed fields.
#[derive(serde::Deserialize)]
pub(crate) struct TicketData {
    #[serde(default)]
    severity: u64,
    #[serde(default)]
    on_hold: bool,
    #[serde(default)]
    root_cause: Option<String>,
}

/// Guard: the ticket has a known severity (a positive number in the data).
fn severity_known(ctx: &Context<'_>) -> Result<(), String> {
    if ctx.data::<TicketData>()?.severity > 0 {
        Ok(())
    } else {
        Err("severity is not known".into())
    }
}

/// Guard: the ticket is not on hold.
fn not_on_hold(ctx: &Context<'_>) -> Result<(), String> {
    if ctx.data::<TicketData>()?.on_hold {
        Err("the ticket is on hold".into())
    } else {
        Ok(())
    }
}

/// Guard: a root cause was recorded before closing.
fn root_cause_recorded(ctx: &Context<'_>) -> Result<(), String> {
    match &ctx.data::<TicketData>()?.root_cause {
        Some(s) if !s.is_empty() => Ok(()),
        _ => Err("no root cause recorded".into()),
    }
}

pub(crate) fn registry() -> Registry {
    Registry::with_calendar(aftersales::BusinessCalendar::china_standard())
        .guard("severity_known", severity_known)
        .guard("not_on_hold", not_on_hold)
        .guard("root_cause_recorded", root_cause_recorded)
}

/// The ticket as a builder; `with_deadline` adds a `resolve` clock started by `accept` and
/// met on `close` (30 calendar days), so it stays running during the loop (a clock started
/// on entering a state would stop on leaving it).
pub(crate) fn builder(with_deadline: bool) -> Builder {
    let b = Builder::new(ID, 1)
        .roles(["agent", "engineer", "reviewer", "manager"])
        .start_roles(["agent"])
        .initial("open")
        .normal("triage")
        .normal("analysis")
        .normal("review")
        .normal("approved")
        .terminal("closed")
        .transition("open", "accept", "triage", |t| t.roles(["agent"]))
        .transition("triage", "assign", "analysis", |t| t.roles(["agent"]))
        .transition("analysis", "submit", "review", |t| {
            t.roles(["engineer"])
                .guard("severity_known")
                .guard("not_on_hold")
        })
        .transition("review", "reject", "analysis", |t| {
            t.roles(["reviewer"])
                .guard("severity_known")
                .guard("not_on_hold")
        })
        .transition("review", "approve", "approved", |t| t.roles(["reviewer"]))
        .transition("approved", "close", "closed", |t| {
            t.roles(["manager"]).guard("root_cause_recorded")
        });
    if with_deadline {
        b.deadline(
            DeadlineSpec::new(
                "resolve",
                Trigger::action("accept"),
                BusinessDuration::CalendarDays(30),
            )
            .met_on(Trigger::action("close")),
        )
    } else {
        b
    }
}

pub(crate) fn definition(with_deadline: bool) -> Definition {
    builder(with_deadline)
        .build(&registry())
        .expect("the bench ticket is valid")
}

pub(crate) fn data() -> Value {
    json!({ "severity": 2, "on_hold": false, "title": "noise at idle" })
}

pub(crate) fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 16, 1, 0, 0).unwrap()
}

/// The actors and the prebuilt commands of the workload.
pub(crate) struct Actors {
    pub(crate) agent: Actor,
    pub(crate) engineer: Actor,
    pub(crate) reviewer: Actor,
    pub(crate) accept: Command,
    pub(crate) assign: Command,
    pub(crate) submit: Command,
    pub(crate) reject: Command,
}

impl Actors {
    pub(crate) fn new() -> Self {
        let agent = Actor::new("ann", ["agent"]);
        let engineer = Actor::new("eve", ["engineer"]);
        let reviewer = Actor::new("rob", ["reviewer"]);
        Actors {
            accept: Command::fire(&agent, "accept"),
            assign: Command::fire(&agent, "assign"),
            submit: Command::fire(&engineer, "submit"),
            reject: Command::fire(&reviewer, "reject"),
            agent,
            engineer,
            reviewer,
        }
    }

    /// The loop command for an instance in `state` (`analysis` → submit, `review` → reject).
    #[inline]
    pub(crate) fn step_for(&self, state: Name) -> &Command {
        if state == "analysis" {
            &self.submit
        } else {
            &self.reject
        }
    }
}

/// An instance started, accepted and assigned: in `analysis`, ready for the loop.
pub(crate) fn open_instance(
    def: &Definition,
    a: &Actors,
    id: impl Into<InstanceId>,
    now: DateTime<Utc>,
) -> Instance {
    let inst = aftersales::start(def, id.into(), &a.agent, data(), now)
        .unwrap()
        .instance;
    let inst = aftersales::decide(def, &inst, &a.accept, now)
        .unwrap()
        .instance;
    aftersales::decide(def, &inst, &a.assign, now)
        .unwrap()
        .instance
}

/// `n` open instances (ids `t0`, `t1`, ...), each started 1 ms after the previous one.
pub(crate) fn open_instances(def: &Definition, a: &Actors, n: usize) -> Vec<Instance> {
    let t0 = t0();
    (0..n)
        .map(|i| {
            open_instance(
                def,
                a,
                format!("t{i}"),
                t0 + chrono::TimeDelta::milliseconds(i as i64),
            )
        })
        .collect()
}

/// An engine (rejections not recorded) holding `n` open instances; returns their ids.
///
/// Each instance is decided by the pure core (start, accept, assign) and written to the store
/// in one commit of its three-step history, which is what three engine calls would leave
/// behind, at a third of the store work (setup for 1,000,000 instances stays short).
pub(crate) fn open_engine(
    with_deadline: bool,
    a: &Actors,
    n: usize,
) -> (Engine<InMemoryStore>, Vec<InstanceId>) {
    let def = definition(with_deadline);
    let t0 = t0();
    let ids: Vec<InstanceId> = (0..n).map(|i| InstanceId::from(format!("t{i}"))).collect();
    let store = InMemoryStore::new();
    for (i, id) in ids.iter().enumerate() {
        let at = t0 + chrono::TimeDelta::milliseconds(i as i64);
        let mut d = aftersales::start(&def, id.clone(), &a.agent, data(), at).unwrap();
        let mut events = std::mem::take(&mut d.events);
        for cmd in [&a.accept, &a.assign] {
            d = aftersales::decide(&def, &d.instance, cmd, at).unwrap();
            events.append(&mut d.events);
        }
        store
            .commit(Commit::linked(d.instance, events, Digest::ZERO, 0, None))
            .unwrap();
    }
    let mut engine = Engine::new(store).record_rejections(false);
    engine.register(def).unwrap();
    (engine, ids)
}

/// Warm-up before any measurement: every instance of a loop fires this many times first, so
/// the snapshot's `fired_by`, the store's history vectors and key tables are not growing from
/// empty while the loop is measured.
pub(crate) const WARM_ROUNDS: usize = 10;

/// One steady-state transition through the pure core: `decide`, then the new snapshot
/// replaces the old one (which is dropped here); returns the audit events.
#[inline]
pub(crate) fn core_step(
    def: &Definition,
    a: &Actors,
    inst: &mut Instance,
    now: DateTime<Utc>,
) -> Vec<Event> {
    let d = aftersales::decide(def, inst, a.step_for(inst.state()), now).unwrap();
    *inst = d.instance;
    d.events
}

/// Fire every instance [`WARM_ROUNDS`] times through the pure core.
pub(crate) fn warm_core(def: &Definition, a: &Actors, insts: &mut [Instance], now: DateTime<Utc>) {
    for _ in 0..WARM_ROUNDS {
        for inst in insts.iter_mut() {
            core_step(def, a, inst, now);
        }
    }
}

/// The loop command for engine instance `i`, flipping the host's view of its state
/// (`true` = in analysis).
#[inline]
pub(crate) fn engine_command<'a>(a: &'a Actors, in_analysis: &mut [bool], i: usize) -> &'a Command {
    let cmd = if in_analysis[i] { &a.submit } else { &a.reject };
    in_analysis[i] = !in_analysis[i];
    cmd
}

/// One steady-state transition through `Engine::fire` (load, decide, commit), no key.
#[inline]
pub(crate) fn engine_step(
    engine: &Engine<InMemoryStore>,
    ids: &[InstanceId],
    a: &Actors,
    in_analysis: &mut [bool],
    i: usize,
    now: DateTime<Utc>,
) -> Outcome {
    engine
        .fire(&ids[i], engine_command(a, in_analysis, i), now)
        .unwrap()
}

/// Fire every engine instance [`WARM_ROUNDS`] times, in id order; with `key`, every command
/// carries a fresh idempotency key `k<n>` (the counter is advanced), so the store's key
/// tables are warm too.
pub(crate) fn warm_engine(
    engine: &Engine<InMemoryStore>,
    ids: &[InstanceId],
    a: &Actors,
    in_analysis: &mut [bool],
    mut key: Option<&mut u64>,
    now: DateTime<Utc>,
) {
    for _ in 0..WARM_ROUNDS {
        for i in 0..ids.len() {
            match key.as_deref_mut() {
                None => {
                    engine_step(engine, ids, a, in_analysis, i, now);
                }
                Some(k) => {
                    *k += 1;
                    let cmd = engine_command(a, in_analysis, i)
                        .clone()
                        .with_key(format!("k{k}"));
                    engine.fire(&ids[i], &cmd, now).unwrap();
                }
            }
        }
    }
}
