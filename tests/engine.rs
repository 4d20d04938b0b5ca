//! The engine and the pure core: permissions, separation of duties, delegation, sign-offs,
//! guard order, forms, effects, idempotency, optimistic concurrency, replay, rejections,
//! overrides, deadlines, SLA, and the store conformance suite.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test helpers may panic

use aftersales::*;
use chrono::{DateTime, TimeDelta, Utc};
use common::cast::{clerk, finance, manager, report};
use common::defs::{Shape, china, engine_with, flow, local, on_enter};
use common::refusal as rejection;
use serde_json::{Value, json};
use std::sync::{Arc, Mutex};

mod common;

/// Friday 2026-11-20 16:00 local.
fn friday_4pm() -> DateTime<Utc> {
    local(2026, 11, 20, 16, 0)
}

fn registry() -> Registry {
    china()
        .guard("amount_ok", |c: &Context<'_>| {
            match c.payload["amount"].as_i64() {
                Some(n) if n <= 100 => Ok(()),
                Some(n) => Err(format!("{n} exceeds 100")),
                None => Err("no amount".into()),
            }
        })
        .guard("big", |c: &Context<'_>| {
            if c.payload["amount"].as_i64().unwrap_or(0) > 100 {
                Ok(())
            } else {
                Err("not big".into())
            }
        })
        .guard("never", |_: &Context<'_>| Err("never passes".into()))
        .effect("count", |d: &mut Value, _: &Context<'_>| {
            let n = d["count"].as_i64().unwrap_or(0);
            d["count"] = json!(n + 1);
            Ok(())
        })
        .effect("needs_reason", |d: &mut Value, c: &Context<'_>| {
            let r = c.payload["reason"]
                .as_str()
                .ok_or("payload.reason missing")?;
            d["reason"] = json!(r);
            Ok(())
        })
        .form("report", |b: &Value| {
            if b["text"].as_str().is_some_and(|t| !t.is_empty()) {
                Ok(())
            } else {
                Err("text is empty".into())
            }
        })
}

/// draft -submit-> review -(approve: guarded, small)-> approved -(countersign)-> done
///                        -(approve: big)-> director -> done
///                        -reject-> draft ; review has a 4-working-hour deadline
fn definition() -> Definition {
    Builder::new("claim", 1)
        .roles([
            "clerk",
            "manager",
            "director",
            "finance",
            "inspector",
            "admin",
        ])
        .start_roles(["clerk"])
        .override_roles(["admin"])
        .states("draft", &["review", "approved", "director"], &["done"])
        .waiting("waiting_customer")
        .transition("draft", "submit", "review", |t| {
            t.roles(["clerk"]).form("report").merge_payload()
        })
        .transition("review", "approve", "approved", |t| {
            t.roles(["manager", "director"])
                .guard("amount_ok")
                .not_same_actor_as("submit")
                .excluding_role("inspector")
                .effect("count")
        })
        .transition("review", "approve", "director", |t| {
            t.roles(["manager"])
                .guard("big")
                .not_same_actor_as("submit")
                .excluding_role("inspector")
        })
        .transition("review", "reject", "draft", |t| {
            t.roles(["manager"]).effect("needs_reason")
        })
        .moves("manager", "review -ask_customer-> waiting_customer")
        .moves("clerk", "waiting_customer -answer-> review")
        .transition("approved", "countersign", "done", |t| {
            t.sign_off(
                ["manager", "finance"],
                SignOrder::Sequential,
                "release payment",
            )
            .on_refuse("review")
        })
        .transition("director", "decide", "done", |t| {
            t.sign_off(
                ["director", "finance"],
                SignOrder::AnyOrder,
                "director decision",
            )
        })
        .transition("director", "veto", "done", |t| {
            t.roles(["director"]).guard("never")
        })
        .deadline(
            on_enter("review_in_4h", "review", BusinessDuration::WorkingHours(4))
                .warn_at(BusinessDuration::WorkingHours(3))
                .escalate(EscalationSpec::move_to("director").and_notify(["director"]))
                .owner("manager"),
        )
        .build(&registry())
        .unwrap()
}

struct World {
    engine: Engine<InMemoryStore>,
    notified: Arc<Mutex<Vec<String>>>,
}

impl World {
    /// The refusal of `cmd` on `id` on Friday afternoon.
    #[track_caller]
    fn refused(&self, id: &InstanceId, cmd: Command) -> Rejection {
        rejection(self.engine.fire(id, &cmd, friday_4pm()))
    }
}

fn world() -> World {
    let notified = Arc::new(Mutex::new(Vec::new()));
    let sink = notified.clone();
    let mut engine =
        Engine::new(InMemoryStore::new()).with_notifier(move |_: &Instance, evs: &[Event]| {
            sink.lock()
                .unwrap()
                .extend(evs.iter().map(|e| e.kind.name().to_owned()));
        });
    engine.register(definition()).unwrap();
    World { engine, notified }
}

/// Bob the manager approves `amount`.
fn approve(amount: i64) -> Command {
    approve_by(&manager(), amount)
}

/// `actor` approves `amount`.
fn approve_by(actor: &Actor, amount: i64) -> Command {
    Command::fire(actor, "approve").with_payload(json!({ "amount": amount }))
}

/// A small amount approved by the manager, who also signs the countersign sign-off first.
fn approved_and_signed_by_the_manager(w: &World, id: &InstanceId) {
    w.engine.fire(id, &approve(5), friday_4pm()).unwrap();
    w.engine
        .fire(id, &Command::sign(&manager(), "countersign"), friday_4pm())
        .unwrap();
}

/// Start and submit; returns the instance id.
fn submitted(w: &World, id: &str) -> InstanceId {
    let id = InstanceId::from(id);
    w.engine
        .start("claim", id.clone(), &clerk(), json!({}), friday_4pm())
        .unwrap();
    w.engine
        .fire(
            &id,
            &Command::fire(&clerk(), "submit").with_form(report()),
            friday_4pm(),
        )
        .unwrap();
    id
}

#[test]
fn start_is_deny_by_default() {
    let w = world();
    let r = w
        .engine
        .start("claim", "x", &manager(), json!({}), friday_4pm());
    assert!(matches!(rejection(r), Rejection::Forbidden { action, .. } if action == "start"));
    assert!(w.engine.load(&"x".into()).is_err(), "nothing was created");
}

#[test]
fn forbidden_without_an_allowed_role_and_recorded() {
    let w = world();
    let id = submitted(&w, "c1");
    let before = w.engine.load(&id).unwrap();
    let r = w.refused(&id, approve_by(&clerk(), 5));
    assert!(
        matches!(&r, Rejection::Forbidden { allowed, .. } if allowed == &vec!["manager".to_string(), "director".to_string()])
    );
    let after = w.engine.load(&id).unwrap();
    assert_eq!(after.state(), before.state(), "state unchanged");
    assert_eq!(after.data(), before.data(), "data unchanged");
    let last = w.engine.history(&id).unwrap().pop().unwrap();
    assert!(
        matches!(last.kind, EventKind::Rejected { ref action, .. } if action.as_deref() == Some("approve"))
    );
    assert_eq!(
        last.by.unwrap().actor,
        ActorId::from("ann"),
        "who tried is recorded"
    );
}

#[test]
fn rejections_can_go_unrecorded() {
    let mut engine = Engine::new(InMemoryStore::new()).record_rejections(false);
    engine.register(definition()).unwrap();
    let id = InstanceId::from("q");
    engine
        .start("claim", id.clone(), &clerk(), json!({}), friday_4pm())
        .unwrap();
    let v = engine.load(&id).unwrap().version();
    assert!(
        engine
            .fire(&id, &Command::fire(&manager(), "submit"), friday_4pm())
            .is_err()
    );
    assert_eq!(engine.load(&id).unwrap().version(), v);
}

#[test]
fn separation_of_duties_requester_may_not_approve() {
    let w = world();
    let id = InstanceId::from("sod");
    let both = Actor::new("sam", ["clerk", "manager"]);
    w.engine
        .start("claim", id.clone(), &both, json!({}), friday_4pm())
        .unwrap();
    w.engine
        .fire(
            &id,
            &Command::fire(&both, "submit").with_form(report()),
            friday_4pm(),
        )
        .unwrap();
    let r = w.refused(&id, approve_by(&both, 5));
    assert!(matches!(r, Rejection::SeparationOfDuties { .. }), "{r:?}");
    // Nor through a delegate acting for the requester.
    let delegate = Actor::new("dan", ["manager"]).acting_for("sam");
    let r = w.refused(&id, approve_by(&delegate, 5));
    assert!(matches!(r, Rejection::SeparationOfDuties { .. }), "{r:?}");
}

#[test]
fn separation_of_duties_excluded_role() {
    let w = world();
    let id = submitted(&w, "ex");
    let inspector_manager = Actor::new("ivy", ["manager", "inspector"]);
    let r = w.refused(&id, approve_by(&inspector_manager, 5));
    assert!(
        matches!(&r, Rejection::SeparationOfDuties { rule, .. } if rule.contains("inspector")),
        "{r:?}"
    );
}

#[test]
fn delegation_is_recorded() {
    let w = world();
    let id = submitted(&w, "del");
    let delegate = Actor::new("dan", ["manager"]).acting_for("bob");
    let out = w
        .engine
        .fire(&id, &approve_by(&delegate, 5), friday_4pm())
        .unwrap();
    let by = out
        .events
        .iter()
        .find(|e| e.kind.name() == "transitioned")
        .unwrap()
        .by
        .clone()
        .unwrap();
    assert_eq!(by.actor, ActorId::from("dan"));
    assert_eq!(by.on_behalf_of, Some(ActorId::from("bob")));
    assert_eq!(by.role.as_deref(), Some("manager"));
}

#[test]
fn guard_order_first_passing_transition_wins() {
    let w = world();
    let small = submitted(&w, "small");
    let out = w.engine.fire(&small, &approve(50), friday_4pm()).unwrap();
    assert_eq!(out.instance.state(), "approved");
    let big = submitted(&w, "big");
    let out = w.engine.fire(&big, &approve(500), friday_4pm()).unwrap();
    assert_eq!(
        out.instance.state(),
        "director",
        "second transition in definition order"
    );
}

#[test]
fn furthest_rejection_is_reported() {
    // A director may only use the first `approve` (the second is manager-only): its guard
    // refusal is reported, not the role mismatch of the second transition.
    let w = world();
    let id = submitted(&w, "far");
    let director = Actor::new("dora", ["director"]);
    let r = w.refused(&id, approve_by(&director, 500));
    assert!(
        matches!(&r, Rejection::GuardRejected { guard, reason, .. } if guard == "amount_ok" && reason == "500 exceeds 100"),
        "{r:?}"
    );
}

#[test]
fn forms_missing_invalid_undeclared() {
    let w = world();
    let id = InstanceId::from("f");
    w.engine
        .start("claim", id.clone(), &clerk(), json!({}), friday_4pm())
        .unwrap();
    let r = rejection(
        w.engine
            .fire(&id, &Command::fire(&clerk(), "submit"), friday_4pm()),
    );
    assert_eq!(
        r,
        Rejection::MissingForm {
            action: "submit".into(),
            form: "report".into()
        }
    );
    let bad = Form::new("report", json!({"text": ""}));
    let r = w.refused(&id, Command::fire(&clerk(), "submit").with_form(bad));
    assert!(matches!(r, Rejection::InvalidForm { ref reason, .. } if reason == "text is empty"));
    let alien = Form::new("memo", json!({}));
    let r = w.refused(&id, Command::fire(&clerk(), "submit").with_form(alien));
    assert_eq!(
        r,
        Rejection::UndeclaredForm {
            form: "memo".into()
        }
    );
    let ok = w
        .engine
        .fire(
            &id,
            &Command::fire(&clerk(), "submit").with_form(report()),
            friday_4pm(),
        )
        .unwrap();
    assert_eq!(
        ok.instance.latest_form("report"),
        Some(&json!({"text": "broken fan"}))
    );
}

#[test]
fn effects_change_data_and_refuse_bad_payloads() {
    let w = world();
    let id = InstanceId::from("e");
    w.engine
        .start("claim", id.clone(), &clerk(), json!({"n": 1}), friday_4pm())
        .unwrap();
    let out = w
        .engine
        .fire(
            &id,
            &Command::fire(&clerk(), "submit")
                .with_form(report())
                .with_payload(json!({"model": "X1", "n": null})),
            friday_4pm(),
        )
        .unwrap();
    assert_eq!(
        out.instance.data(),
        &json!({"model": "X1"}),
        "merge patch: set and remove"
    );
    let r = rejection(
        w.engine
            .fire(&id, &Command::fire(&manager(), "reject"), friday_4pm()),
    );
    assert!(matches!(r, Rejection::EffectFailed { ref effect, .. } if effect == "needs_reason"));
    let out = w
        .engine
        .fire(
            &id,
            &Command::fire(&manager(), "reject").with_payload(json!({"reason": "blurry photo"})),
            friday_4pm(),
        )
        .unwrap();
    assert_eq!(out.instance.data()["reason"], json!("blurry photo"));
    assert!(out.events.iter().any(
        |e| matches!(&e.kind, EventKind::DataChanged { data } if data["reason"] == "blurry photo")
    ));
}

#[test]
fn sequential_sign_off_order_and_completion() {
    let w = world();
    let id = submitted(&w, "s");
    w.engine.fire(&id, &approve(5), friday_4pm()).unwrap();
    // Firing a sign-off transition directly is refused.
    let r = rejection(
        w.engine
            .fire(&id, &Command::fire(&manager(), "countersign"), friday_4pm()),
    );
    assert_eq!(
        r,
        Rejection::SignOffRequired {
            action: "countersign".into()
        }
    );
    // Finance may not sign before the manager.
    let r = rejection(
        w.engine
            .fire(&id, &Command::sign(&finance(), "countersign"), friday_4pm()),
    );
    assert_eq!(
        r,
        Rejection::SignOutOfOrder {
            action: "countersign".into(),
            expected_role: "manager".into()
        }
    );
    // A clerk holds no signing role.
    let r = rejection(
        w.engine
            .fire(&id, &Command::sign(&clerk(), "countersign"), friday_4pm()),
    );
    assert!(matches!(r, Rejection::Forbidden { .. }));
    let one = w
        .engine
        .fire(&id, &Command::sign(&manager(), "countersign"), friday_4pm())
        .unwrap();
    assert_eq!(one.instance.state(), "approved", "not complete yet");
    assert_eq!(one.instance.signatures().len(), 1);
    assert_eq!(&*one.instance.signatures()[0].meaning, "release payment");
    let r = rejection(
        w.engine
            .fire(&id, &Command::sign(&manager(), "countersign"), friday_4pm()),
    );
    assert!(
        matches!(
            r,
            Rejection::Forbidden { .. } | Rejection::AlreadySigned { .. }
        ),
        "{r:?}"
    );
    let two = w
        .engine
        .fire(&id, &Command::sign(&finance(), "countersign"), friday_4pm())
        .unwrap();
    assert_eq!(two.instance.state(), "done");
    assert!(two.instance.is_closed());
    // The signatures stay on the instance after the sign-off completed, marked completed.
    let signed: Vec<(&str, SignatureStatus)> = two
        .instance
        .signatures()
        .iter()
        .map(|s| (s.signer.as_str(), s.status))
        .collect();
    assert_eq!(
        signed,
        [
            ("bob", SignatureStatus::Completed),
            ("fay", SignatureStatus::Completed)
        ]
    );
    // Every signer counts as having fired the action (for separation-of-duties rules).
    assert_eq!(
        two.instance.fired_by("countersign"),
        &[ActorId::from("bob"), ActorId::from("fay")]
    );
    let r = w.refused(&id, Command::comment(&clerk(), "late remark"));
    assert!(matches!(r, Rejection::InstanceClosed { .. }));
}

#[test]
fn any_order_sign_off_with_distinct_signers() {
    let w = world();
    let id = submitted(&w, "a");
    w.engine.fire(&id, &approve(500), friday_4pm()).unwrap();
    let both = Actor::new("zed", ["director", "finance"]);
    w.engine
        .fire(&id, &Command::sign(&both, "decide"), friday_4pm())
        .unwrap();
    let r = rejection(
        w.engine
            .fire(&id, &Command::sign(&both, "decide"), friday_4pm()),
    );
    assert_eq!(
        r,
        Rejection::AlreadySigned {
            action: "decide".into(),
            actor: "zed".into(),
            person: Some("zed".into()),
            signed_by: Some("zed".into()),
        }
    );
    let out = w
        .engine
        .fire(&id, &Command::sign(&finance(), "decide"), friday_4pm())
        .unwrap();
    assert_eq!(out.instance.state(), "done");
    let roles: Vec<_> = w
        .engine
        .history(&id)
        .unwrap()
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::Signed { role, .. } => Some(*role),
            _ => None,
        })
        .collect();
    assert_eq!(roles, vec!["director", "finance"]);
}

#[test]
fn refusal_routes_where_the_definition_says() {
    let w = world();
    let id = submitted(&w, "r");
    approved_and_signed_by_the_manager(&w, &id);
    let r = w.refused(&id, Command::refuse(&finance(), "countersign", "  "));
    assert_eq!(r, Rejection::ReasonRequired);
    let out = w
        .engine
        .fire(
            &id,
            &Command::refuse(&finance(), "countersign", "no invoice"),
            friday_4pm(),
        )
        .unwrap();
    assert_eq!(out.instance.state(), "review");
    assert!(out.instance.open_signatures().next().is_none());
}

#[test]
fn idempotent_retry_and_key_reuse() {
    let w = world();
    let id = submitted(&w, "i");
    let cmd = approve(5).with_key("k-1");
    let first = w.engine.fire(&id, &cmd, friday_4pm()).unwrap();
    let version = first.instance.version();
    let again = w.engine.fire(&id, &cmd, friday_4pm()).unwrap();
    assert!(again.replayed);
    assert_eq!(again.events, first.events, "the original result");
    assert_eq!(
        w.engine.load(&id).unwrap().version(),
        version,
        "nothing appended"
    );
    let other = approve(6).with_key("k-1");
    assert!(matches!(
        w.engine.fire(&id, &other, friday_4pm()),
        Err(EngineError::KeyReused { .. })
    ));
}

#[test]
fn stale_writer_gets_conflict_and_nothing_is_written() {
    let w = world();
    let id = submitted(&w, "o");
    let def = definition();
    let read = w.engine.load(&id).unwrap();
    let mine = aftersales::decide(&def, &read, &approve(5), friday_4pm()).unwrap();
    let theirs = aftersales::decide(
        &def,
        &read,
        &Command::fire(&manager(), "ask_customer"),
        friday_4pm(),
    )
    .unwrap();
    let commit = |d: &Decision| {
        Commit::linked(
            d.instance.clone(),
            d.events.clone(),
            read.chain_head().unwrap(),
            read.version(),
            None,
        )
    };
    w.engine.store().commit(commit(&theirs)).unwrap();
    let err = w.engine.store().commit(commit(&mine)).unwrap_err();
    assert_eq!(
        err,
        StoreError::Conflict {
            instance: id.clone(),
            expected: read.version(),
            actual: theirs.instance.version()
        }
    );
    assert_eq!(w.engine.load(&id).unwrap().state(), "waiting_customer");
    w.engine.verify(&id).unwrap();
}

#[test]
fn replay_rebuilds_the_snapshot_and_verify_catches_tampering() {
    let w = world();
    let id = submitted(&w, "rp");
    approved_and_signed_by_the_manager(&w, &id);
    let history = w.engine.history(&id).unwrap();
    let snapshot = w.engine.load(&id).unwrap();
    assert_eq!(Instance::replay(&history).unwrap(), *snapshot);
    w.engine.verify(&id).unwrap();
    let mut forged = history.clone();
    for e in &mut forged {
        if let EventKind::Transitioned { to, .. } = &mut e.kind {
            *to = "director".into();
            break;
        }
    }
    assert!(snapshot.verify(&forged).is_err());
    let mut gap = history.clone();
    gap.remove(2);
    assert!(matches!(
        Instance::replay(&gap),
        Err(ReplayError::Gap { .. })
    ));
    assert!(matches!(
        Instance::replay(&[]),
        Err(ReplayError::NotCreated { .. })
    ));
}

#[test]
fn snapshots_and_events_round_trip_through_json() {
    let w = world();
    let id = submitted(&w, "js");
    let snap = w.engine.load(&id).unwrap();
    let text = serde_json::to_string(&snap).unwrap();
    assert_eq!(serde_json::from_str::<Instance>(&text).unwrap(), *snap);
    for e in w.engine.history(&id).unwrap() {
        let text = serde_json::to_string(&e).unwrap();
        assert_eq!(serde_json::from_str::<Event>(&text).unwrap(), e);
    }
    assert!(serde_json::from_str::<Instance>("{\"id\": 1}").is_err());
}

#[test]
fn available_actions_say_why_not() {
    let w = world();
    let id = submitted(&w, "av");
    let list = w
        .engine
        .available_actions(&id, &clerk(), friday_4pm())
        .unwrap();
    let names: Vec<_> = list.iter().map(|a| a.action.as_str()).collect();
    assert_eq!(names, vec!["approve", "reject", "ask_customer"]);
    assert!(
        list.iter()
            .all(|a| matches!(a.verdict, Err(Rejection::Forbidden { .. })))
    );
    let list = w
        .engine
        .available_actions(&id, &manager(), friday_4pm())
        .unwrap();
    let ask = list.iter().find(|a| a.action == "ask_customer").unwrap();
    assert_eq!(ask.verdict, Ok(()));
    let approve = list.iter().find(|a| a.action == "approve").unwrap();
    assert!(
        matches!(approve.verdict, Err(Rejection::GuardRejected { .. })),
        "no amount in an empty payload"
    );
}

#[test]
fn unknown_ids_and_actions_are_typed_errors() {
    let w = world();
    assert!(matches!(
        w.engine.fire(
            &"nope".into(),
            &Command::fire(&clerk(), "submit"),
            friday_4pm()
        ),
        Err(EngineError::NotFound { .. })
    ));
    assert!(matches!(
        w.engine
            .start("nope", "x", &clerk(), json!({}), friday_4pm()),
        Err(EngineError::UnknownDefinition { .. })
    ));
    let id = submitted(&w, "u");
    assert_eq!(
        rejection(
            w.engine
                .fire(&id, &Command::fire(&clerk(), "fly"), friday_4pm())
        ),
        Rejection::UnknownAction {
            action: "fly".into()
        }
    );
    assert_eq!(
        rejection(
            w.engine
                .fire(&id, &Command::fire(&clerk(), "submit"), friday_4pm())
        ),
        Rejection::NoSuchTransition {
            state: "review".into(),
            action: "submit".into()
        }
    );
    assert!(
        matches!(
            w.engine
                .start("claim", "u", &clerk(), json!({}), friday_4pm()),
            Err(EngineError::Conflict { .. })
        ),
        "ids are unique"
    );
    let mut e2 = engine_with([definition()]);
    assert!(matches!(
        e2.register(definition()),
        Err(EngineError::DuplicateDefinition { .. })
    ));
}

#[test]
fn override_is_never_silent() {
    let w = world();
    let id = submitted(&w, "ov");
    let admin = Actor::new("root", ["admin"]);
    let r = w.refused(&id, Command::override_to(&manager(), "done", "hurry"));
    assert!(matches!(r, Rejection::Forbidden { .. }));
    let r = rejection(
        w.engine
            .fire(&id, &Command::override_to(&admin, "done", ""), friday_4pm()),
    );
    assert_eq!(r, Rejection::ReasonRequired);
    let out = w
        .engine
        .fire(
            &id,
            &Command::override_to(&admin, "done", "customer withdrew")
                .with_payload(json!({"penalty_yuan": 20})),
            friday_4pm(),
        )
        .unwrap();
    assert!(out.instance.is_closed());
    assert!(out.events.iter().any(|e| matches!(&e.kind, EventKind::Overridden { penalty: Some(p), .. } if p["penalty_yuan"] == 20)));
}

#[test]
fn deadline_breach_escalates_exactly_once_and_counts_in_the_sla() {
    let w = world();
    let id = submitted(&w, "d"); // enters review Friday 16:00
    let due = local(2026, 11, 23, 11, 0); // + 4 working hours = Monday 11:00
    assert_eq!(
        w.engine.next_due().unwrap(),
        Some(breach_instant(local(2026, 11, 23, 10, 0))),
        "warning at 3 working hours, handled once passed"
    );
    // Nothing happens before the warning.
    assert!(
        w.engine
            .handle_due(local(2026, 11, 23, 9, 59))
            .unwrap()
            .handled
            .is_empty()
    );
    let warned = w.engine.handle_due(local(2026, 11, 23, 10, 30)).unwrap();
    assert_eq!(warned.handled.len(), 1);
    assert_eq!(w.engine.next_due().unwrap(), Some(breach_instant(due)));
    // At exactly the limit nothing is breached yet.
    assert!(w.engine.handle_due(due).unwrap().handled.is_empty());
    let late = local(2026, 11, 23, 11, 5);
    let report = w.engine.handle_due(late).unwrap();
    let kinds: Vec<&str> = report.handled[0].1.iter().map(|e| e.kind.name()).collect();
    assert_eq!(
        kinds,
        vec!["deadline_breached", "escalated", "deadline_stopped"]
    );
    let inst = w.engine.load(&id).unwrap();
    assert_eq!(inst.state(), "director", "moved to the escalation state");
    // Idempotent: a second call at the same instant appends nothing.
    let v = inst.version();
    assert!(w.engine.handle_due(late).unwrap().handled.is_empty());
    assert_eq!(w.engine.load(&id).unwrap().version(), v);
    // The trail shows it, the notifier heard it, the SLA counts it.
    let trail: Vec<String> = w
        .engine
        .history(&id)
        .unwrap()
        .iter()
        .map(|e| e.kind.name().to_owned())
        .collect();
    assert_eq!(trail.iter().filter(|k| *k == "escalated").count(), 1);
    assert!(w.notified.lock().unwrap().iter().any(|k| k == "escalated"));
    let sla = w.engine.sla_report(late).unwrap();
    assert_eq!(sla.total.breached, 1);
    assert_eq!(sla.by_role["manager"].breached, 1);
    assert_eq!(sla.total.on_time_permille(), Some(0));
    assert!(!sla.meets_goal());
    w.engine.verify(&id).unwrap();
}

#[test]
fn meeting_a_deadline_records_the_margin() {
    let w = world();
    let id = submitted(&w, "m");
    let out = w
        .engine
        .fire(&id, &approve(5), local(2026, 11, 23, 9, 30))
        .unwrap();
    let ds = &out.instance.deadlines()[0];
    assert_eq!(
        ds.status(),
        SlaStatus::Met {
            margin_secs: 90 * 60
        }
    );
    assert_eq!(w.engine.next_due().unwrap(), None);
    let sla = w.engine.sla_report(local(2026, 11, 23, 9, 30)).unwrap();
    assert_eq!(sla.total.met, 1);
    assert!(sla.meets_goal());
}

#[test]
fn waiting_on_the_customer_pauses_the_clock() {
    let w = world();
    let id = submitted(&w, "p"); // review from Fri 16:00, due Mon 11:00
    // Ask the customer Friday 17:00 (1 working hour used), answer Tuesday 09:00.
    w.engine
        .fire(
            &id,
            &Command::fire(&manager(), "ask_customer"),
            local(2026, 11, 20, 17, 0),
        )
        .unwrap();
    let paused = w.engine.load(&id).unwrap();
    assert_eq!(paused.deadlines()[0].status(), SlaStatus::Paused);
    assert_eq!(
        w.engine.next_due().unwrap(),
        None,
        "a paused clock is never due"
    );
    assert!(
        w.engine
            .handle_due(local(2026, 11, 24, 8, 0))
            .unwrap()
            .handled
            .is_empty()
    );
    let back = w
        .engine
        .fire(
            &id,
            &Command::fire(&clerk(), "answer"),
            local(2026, 11, 24, 9, 0),
        )
        .unwrap();
    // The same clock resumes with its 3 remaining working hours: Tue 09:00 + 3 WH = Tue 12:00,
    // and the warning (2 remaining working hours) at Tue 11:00. Paused time did not count.
    assert_eq!(back.instance.deadlines().len(), 1, "not restarted");
    let ds = &back.instance.deadlines()[0];
    assert_eq!(ds.due_at, local(2026, 11, 24, 12, 0));
    assert_eq!(ds.warn_at, Some(local(2026, 11, 24, 11, 0)));
    assert_eq!(ds.status(), SlaStatus::Pending);
    assert!(
        back.events
            .iter()
            .any(|e| e.kind.name() == "deadline_resumed")
    );
    w.engine.verify(&id).unwrap();
}

#[cfg(feature = "testing")]
#[test]
fn in_memory_store_passes_the_conformance_suite() {
    let report = aftersales::testing::store_conformance(InMemoryStore::new);
    assert!(report.failures.is_empty(), "{:?}", report.failures);
    assert_eq!(report.passed.len(), 16);
}

#[cfg(feature = "testing")]
#[test]
fn raw_store_passes_the_conformance_suite() {
    let report = aftersales::testing::store_conformance(aftersales::testing::RawStore::new);
    assert!(report.failures.is_empty(), "{:?}", report.failures);
    assert_eq!(report.passed.len(), 16);
}

#[test]
fn staged_sign_off_any_order_within_a_stage_then_the_next() {
    // "OQC inspector and quality manager (any order), then the planning manager".
    let def = flow("restock", 1, &["cqe", "oqc", "qm", "planning"])
        .states("filed", &[], &["stocked"])
        .transition("filed", "approve", "stocked", |t| {
            t.sign_off_in_stages([vec!["oqc", "qm"], vec!["planning"]], "stock-in")
        })
        .build_china();
    let t = friday_4pm();
    let d = aftersales::start(&def, "r".into(), &Actor::new("c", ["cqe"]), json!({}), t).unwrap();
    let planning = Actor::new("p", ["planning"]);
    let r =
        aftersales::decide(&def, &d.instance, &Command::sign(&planning, "approve"), t).unwrap_err();
    assert_eq!(
        r,
        Rejection::SignOutOfOrder {
            action: "approve".into(),
            expected_role: "oqc".into()
        }
    );
    // The quality manager may sign before the OQC inspector (same stage).
    let d = aftersales::decide(
        &def,
        &d.instance,
        &Command::sign(&Actor::new("q", ["qm"]), "approve"),
        t,
    )
    .unwrap();
    let r =
        aftersales::decide(&def, &d.instance, &Command::sign(&planning, "approve"), t).unwrap_err();
    assert!(
        matches!(r, Rejection::SignOutOfOrder { ref expected_role, .. } if expected_role == "oqc")
    );
    let d = aftersales::decide(
        &def,
        &d.instance,
        &Command::sign(&Actor::new("o", ["oqc"]), "approve"),
        t,
    )
    .unwrap();
    assert_eq!(d.instance.state(), "filed");
    let d = aftersales::decide(&def, &d.instance, &Command::sign(&planning, "approve"), t).unwrap();
    assert_eq!(d.instance.state(), "stocked");
    assert!(
        Mermaid(&def)
            .verbose()
            .to_string()
            .contains("[sign-off (oqc and qm) then planning]")
    );
    // Stages that do not add up to the roles are refused at build time.
    let mut spec = def.spec().clone();
    spec.transitions[0].sign_off.as_mut().unwrap().order = SignOrder::Stages(vec![2, 2]);
    let err = spec.build(&china()).unwrap_err();
    assert!(err.problems().contains(&Problem::SignOffStagesMismatch {
        from: "filed".into(),
        action: "approve".into()
    }));
}

#[test]
fn a_fresh_form_must_come_with_the_command() {
    let def = flow("loop", 1, &["cqe"])
        .states("analysis", &["review"], &["closed"])
        .transition("analysis", "submit", "review", |t| {
            t.roles(["cqe"]).fresh_form("report")
        })
        .moves("cqe", "review -reject-> analysis, review -accept-> closed")
        .build(&registry())
        .unwrap();
    let cqe = Actor::new("c", ["cqe"]);
    let t = friday_4pm();
    let d = aftersales::start(&def, "l".into(), &cqe, json!({}), t).unwrap();
    let d = aftersales::decide(
        &def,
        &d.instance,
        &Command::fire(&cqe, "submit").with_form(report()),
        t,
    )
    .unwrap();
    let d = aftersales::decide(&def, &d.instance, &Command::fire(&cqe, "reject"), t).unwrap();
    // The report of the first pass is on file, but the second pass needs a new one.
    assert!(d.instance.latest_form("report").is_some());
    let r = aftersales::decide(&def, &d.instance, &Command::fire(&cqe, "submit"), t).unwrap_err();
    assert_eq!(
        r,
        Rejection::MissingForm {
            action: "submit".into(),
            form: "report".into()
        }
    );
    let second = Form::new("report", json!({"text": "second analysis"}));
    let d = aftersales::decide(
        &def,
        &d.instance,
        &Command::fire(&cqe, "submit").with_form(second),
        t,
    )
    .unwrap();
    assert_eq!(d.instance.state(), "review");
    assert!(
        Mermaid(&def)
            .verbose()
            .to_string()
            .contains("submit [cqe] with new report")
    );
}

/// Issue 15, finding 3: a command with `now` a year before the last event was accepted (the
/// history went out of order and a deadline was "met" before it started). Time only moves
/// forward per instance now, in the pure core and in the engine, for commands and due times.
#[test]
fn time_only_moves_forward_per_instance() {
    let w = world();
    let id = submitted(&w, "tf");
    let def = definition();
    let inst = w.engine.load(&id).unwrap();
    let last = inst.updated_at();
    let year_before = last - TimeDelta::days(365);
    let backwards = Rejection::TimeWentBackwards {
        last,
        now: year_before,
    };
    // The pure core refuses commands and due times before the last event.
    let cmd = Command::fire(&manager(), "ask_customer");
    assert_eq!(
        aftersales::decide(&def, &inst, &cmd, year_before),
        Err(backwards.clone())
    );
    assert_eq!(
        aftersales::check(&def, &inst, &cmd, year_before),
        Err(backwards.clone())
    );
    let due = inst.next_due().unwrap();
    let mut later = (*inst).clone();
    // A snapshot whose last event is after its due instant: handling it "at" the due instant
    // would go back in time.
    let noted = aftersales::decide(
        &def,
        &later,
        &Command::comment(&clerk(), "still here"),
        due + TimeDelta::hours(1),
    )
    .unwrap();
    later = noted.instance;
    assert!(matches!(
        aftersales::handle_due(&def, &later, due),
        Err(Rejection::TimeWentBackwards { .. })
    ));
    // The engine refuses too, and records the refusal at the last event's instant, never
    // before it.
    let err = w.engine.fire(&id, &cmd, year_before).unwrap_err();
    assert_eq!(err.rejection(), Some(&backwards));
    let history = w.engine.history(&id).unwrap();
    let refused = history.last().unwrap();
    assert!(matches!(refused.kind, EventKind::Rejected { .. }));
    assert_eq!(refused.at, last);
    assert!(history.windows(2).all(|p| p[0].at <= p[1].at));
    // The same instant is fine.
    w.engine.fire(&id, &cmd, last).unwrap();
    w.engine.verify(&id).unwrap();
}

/// A host with several nodes sets a clock tolerance: a `now` within it before the last event
/// is accepted and recorded at the last event's instant; further back is refused.
#[test]
fn a_clock_tolerance_accepts_small_skew_and_keeps_the_history_in_order() {
    let mut engine = Engine::new(InMemoryStore::new()).clock_tolerance(TimeDelta::minutes(5));
    engine.register(definition()).unwrap();
    let id = InstanceId::from("skew");
    let t = friday_4pm();
    engine
        .start("claim", id.clone(), &clerk(), json!({}), t)
        .unwrap();
    let skewed = engine
        .fire(
            &id,
            &Command::fire(&clerk(), "submit").with_form(report()),
            t - TimeDelta::minutes(3),
        )
        .unwrap();
    assert!(
        skewed.events.iter().all(|e| e.at == t),
        "recorded at the last event's instant"
    );
    let far = t - TimeDelta::minutes(6);
    let err = engine
        .fire(&id, &Command::comment(&clerk(), "late"), far)
        .unwrap_err();
    assert_eq!(
        err.rejection(),
        Some(&Rejection::TimeWentBackwards { last: t, now: far })
    );
    // A negative tolerance counts as none.
    let mut strict = Engine::new(InMemoryStore::new()).clock_tolerance(TimeDelta::minutes(-5));
    strict.register(definition()).unwrap();
    strict
        .start("claim", id.clone(), &clerk(), json!({}), t)
        .unwrap();
    assert!(
        strict
            .fire(
                &id,
                &Command::comment(&clerk(), "x"),
                t - TimeDelta::seconds(1)
            )
            .is_err()
    );
    engine.verify(&id).unwrap();
}
