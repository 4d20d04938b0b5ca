//! Regression tests for bugs found by the reliability suites (random walks, fault injection,
//! fuzzing), each reduced to a deterministic case. The commit fixing each names it.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use aftersales::*;
use chrono::{DateTime, TimeDelta, Utc};
use common::defs::{
    Shape, engine_with, flow, monday_9am, moving_clock, on_action, on_enter, open_done,
};
use serde_json::json;

mod common;

fn clerk() -> Actor {
    Actor::new("ann", ["clerk"])
}

/// Found by `random_walks`: a comment's forms were validated, then silently dropped.
#[test]
fn a_comment_keeps_the_forms_it_carries() {
    let def = open_done("memo", 1).form("photo").build_china();
    let inst = aftersales::start(&def, "m".into(), &clerk(), json!({}), monday_9am())
        .unwrap()
        .instance;
    let photo = Form::new("photo", json!({"file": "fan.jpg"}));
    let cmd = Command::comment(&clerk(), "see the photo").with_form(photo.clone());
    let d = aftersales::decide(&def, &inst, &cmd, monday_9am()).unwrap();
    let kinds: Vec<&str> = d.events.iter().map(|e| e.kind.name()).collect();
    assert_eq!(kinds, ["form_attached", "commented"]);
    assert_eq!(d.instance.latest_form("photo"), Some(&photo.body));
    assert!(
        matches!(&d.events[0].kind, EventKind::FormAttached { action, .. } if action == "comment")
    );
}

fn waiting_definition() -> Definition {
    open_done("waits", 1)
        .waiting("on_customer")
        .waiting("on_supplier")
        .moves(
            "clerk",
            "open -ask_customer-> on_customer -ask_supplier-> on_supplier",
        )
        .moves(
            "clerk",
            "on_supplier -remind-> on_supplier -answered-> open",
        )
        .deadline(on_enter(
            "supplier",
            "on_supplier",
            BusinessDuration::WorkingHours(2),
        ))
        .deadline(on_action(
            "reminder",
            "remind",
            BusinessDuration::WorkingHours(1),
        ))
        .build_china()
}

/// Found by `random_walks`: a clock started while the instance waits (by an action fired in a
/// waiting state) ran, breached and escalated although the instance was waiting. (Clocks of the
/// waiting state itself run: they time the party waited on.)
#[test]
fn clocks_started_while_waiting_are_paused() {
    let def = waiting_definition();
    let t = monday_9am();
    let mut inst = aftersales::start(&def, "w".into(), &clerk(), json!({}), t)
        .unwrap()
        .instance;
    for action in ["ask_customer", "ask_supplier", "remind"] {
        inst = aftersales::decide(&def, &inst, &Command::fire(&clerk(), action), t)
            .unwrap()
            .instance;
    }
    assert_eq!(inst.state(), "on_supplier");
    assert_eq!(inst.deadlines().len(), 2);
    // The waiting state's own clock (`supplier`, started on entering it) times the supplier
    // and runs; the clock started by an action while waiting (`reminder`) is paused.
    for ds in inst.deadlines() {
        let expected = if ds.name == "supplier" {
            SlaStatus::Pending
        } else {
            SlaStatus::Paused
        };
        assert_eq!(ds.status(), expected, "{}", ds.name);
    }
    let supplier_due = inst
        .deadlines()
        .iter()
        .find(|d| d.name == "supplier")
        .unwrap()
        .due_at;
    assert_eq!(inst.next_due(), Some(breach_instant(supplier_due)));
    let much_later = t + TimeDelta::days(30);
    let due = aftersales::handle_due(&def, &inst, much_later)
        .unwrap()
        .unwrap();
    let kinds: Vec<&str> = due.events.iter().map(|e| e.kind.name()).collect();
    assert_eq!(
        kinds,
        vec!["deadline_breached"],
        "only the supplier's clock comes due"
    );
    let inst = due.instance;
    // Leaving the waiting state stops the clock started on entering it.
    let back = aftersales::decide(
        &def,
        &inst,
        &Command::fire(&clerk(), "answered"),
        much_later,
    )
    .unwrap()
    .instance;
    let supplier = back
        .deadlines()
        .iter()
        .find(|d| d.name == "supplier")
        .unwrap();
    assert!(!supplier.is_active());
    // The action-started clock resumes with its whole hour left.
    let reminder = back
        .deadlines()
        .iter()
        .find(|d| d.name == "reminder")
        .unwrap();
    assert!(reminder.is_active());
    assert_eq!(
        def.calendar()
            .unwrap()
            .working_time_between(much_later, reminder.due_at),
        TimeDelta::hours(1)
    );
}

/// Found by `random_walks`: escalation moves of deadlines started by leaving a state or by
/// an action were performed by `handle_due` but missing from the graph (and diagrams).
#[test]
fn escalation_moves_of_action_started_deadlines_are_edges() {
    let overall = BusinessDuration::WorkingHours(1);
    let def = flow("esc", 1, &["clerk", "boss"])
        .states("open", &["working", "meeting"], &["done"])
        .waiting("on_hold")
        .moves(
            "clerk",
            "open -begin-> working -hold-> on_hold -resume-> working -finish-> done",
        )
        .moves("boss", "meeting -decide-> done")
        .deadline(moving_clock(
            "overall",
            Trigger::action("begin"),
            overall,
            "meeting",
        ))
        .build_china();
    for s in ["open", "working", "on_hold", "done", "meeting"] {
        assert!(def.has_state(s), "{s} is a state");
    }
    // The clock runs from `working` on (it starts on leaving `open`); it is paused in
    // `on_hold`, and nothing runs once `done` or `meeting` is reached.
    assert!(def.has_edge("working", "meeting"), "working -> meeting");
    for from in ["open", "on_hold", "done", "meeting"] {
        assert!(!def.has_edge(from, "meeting"), "{from} -> meeting");
    }
    let text = Mermaid(&def).verbose().to_string();
    assert!(
        text.contains("working --> meeting: ⏰ deadline overall missed"),
        "{text}"
    );
    // And the engine does take that edge.
    let t = monday_9am();
    let mut inst = aftersales::start(&def, "e".into(), &clerk(), json!({}), t)
        .unwrap()
        .instance;
    inst = aftersales::decide(&def, &inst, &Command::fire(&clerk(), "begin"), t)
        .unwrap()
        .instance;
    let d = aftersales::handle_due(&def, &inst, t + TimeDelta::hours(2))
        .unwrap()
        .unwrap();
    assert_eq!(d.instance.state(), "meeting");
}

/// `[[...[v]...]]`, `levels` arrays deep.
fn nested(levels: usize) -> serde_json::Value {
    (0..levels).fold(json!(1), |v, _| json!([v]))
}

/// Found by `fuzz` (commands): a command whose payload was nested about 120 levels deep was
/// accepted, but its events (which wrap the payload in more levels) could not be parsed
/// back from JSON (serde_json's recursion limit is 128): a JSON-backed store would hold a
/// history it can never load.
#[test]
fn deeply_nested_payloads_forms_and_data_are_refused() {
    let def = flow("deep", 1, &["clerk"])
        .states("open", &[], &["done"])
        .form("photo")
        .transition("open", "finish", "done", |t| {
            t.roles(["clerk"]).merge_payload()
        })
        .build_china();
    let max = aftersales::MAX_JSON_DEPTH;
    let t = monday_9am();
    assert_eq!(
        aftersales::start(&def, "d".into(), &clerk(), nested(max + 1), t).unwrap_err(),
        Rejection::TooDeep {
            what: "data".into(),
            max
        }
    );
    let inst = aftersales::start(&def, "d".into(), &clerk(), nested(max), t)
        .unwrap()
        .instance;
    let deep = Command::fire(&clerk(), "finish").with_payload(json!({ "x": nested(max) }));
    assert_eq!(
        aftersales::decide(&def, &inst, &deep, t).unwrap_err(),
        Rejection::TooDeep {
            what: "payload".into(),
            max
        }
    );
    let deep_form = Command::comment(&clerk(), "c").with_form(Form::new("photo", nested(max + 1)));
    assert_eq!(
        aftersales::decide(&def, &inst, &deep_form, t).unwrap_err(),
        Rejection::TooDeep {
            what: "form `photo`".into(),
            max
        }
    );
    // At the limit, everything recorded parses back.
    let ok = Command::fire(&clerk(), "finish")
        .with_payload(json!({ "x": nested(max - 1) }))
        .with_form(Form::new("photo", nested(max)));
    let d = aftersales::decide(&def, &inst, &ok, t).unwrap();
    let text = serde_json::to_string(&d.events).unwrap();
    assert_eq!(serde_json::from_str::<Vec<Event>>(&text).unwrap(), d.events);
    let text = serde_json::to_string(&d.instance).unwrap();
    assert_eq!(serde_json::from_str::<Instance>(&text).unwrap(), d.instance);
    let cmd_text = serde_json::to_string(&ok).unwrap();
    assert_eq!(serde_json::from_str::<Command>(&cmd_text).unwrap(), ok);
}

/// Found by `fuzz` (instances): a snapshot at version `u64::MAX` (corrupt or hostile) made
/// `decide` panic on overflow in debug builds (and wrap to event 0 in release); so did a
/// commit expecting that version in `check_commit`, and an escalation counter at
/// `usize::MAX` when applying an `escalated` event.
#[test]
fn corrupt_counters_are_refused_not_panics() {
    let def = open_done("max", 1).build_china();
    let d = aftersales::start(&def, "m".into(), &clerk(), json!({}), monday_9am()).unwrap();
    let mut v = serde_json::to_value(&d.instance).unwrap();
    v["version"] = json!(u64::MAX);
    let at_max: Instance = serde_json::from_value(v).unwrap();
    let r = aftersales::decide(
        &def,
        &at_max,
        &Command::fire(&clerk(), "finish"),
        monday_9am(),
    );
    assert!(matches!(r, Err(Rejection::Inconsistent { .. })), "{r:?}");
    let mut copy = at_max.clone();
    let mut next = d.events[0].clone();
    next.seq = 0;
    assert!(matches!(
        copy.apply(&next),
        Err(ReplayError::Inconsistent { .. })
    ));
    // The engine refuses it too, and cannot record the refusal: nothing is written.
    let store = InMemoryStore::new();
    let bad = Commit::linked(
        at_max.clone(),
        vec![next],
        aftersales::Digest::ZERO,
        u64::MAX,
        None,
    );
    assert!(matches!(
        store.commit(bad),
        Err(StoreError::InvalidCommit { .. })
    ));
    // An escalation counter at its maximum stays there.
    let esc = open_done("esc", 1)
        .deadline(
            on_enter("d", "open", BusinessDuration::Hours(1))
                .escalate(EscalationSpec::notify(["clerk"])),
        )
        .build_china();
    let d = aftersales::start(&esc, "e".into(), &clerk(), json!({}), monday_9am()).unwrap();
    let mut v = serde_json::to_value(&d.instance).unwrap();
    v["deadlines"][0]["escalated"] = json!(usize::MAX);
    let mut inst: Instance = serde_json::from_value(v).unwrap();
    let e = Event {
        instance: "e".into(),
        seq: inst.version() + 1,
        at: monday_9am(),
        by: None,
        kind: EventKind::Escalated {
            deadline: "d".into(),
            step: 0,
            notify: vec![],
            reassign_to: None,
            moved: None,
        },
        prev: None,
    };
    inst.apply(&e).unwrap();
    assert_eq!(inst.deadlines()[0].escalated, usize::MAX);
}

/// Found by reading `resume_all` while fuzzing: resuming a wall-clock deadline whose paused
/// instant and limit are far apart (a corrupt snapshot) overflowed `DateTime + TimeDelta`,
/// which panics.
#[test]
fn resuming_a_corrupt_paused_clock_is_refused_not_a_panic() {
    let d = on_action("d", "wait", BusinessDuration::CalendarDays(3));
    let def = open_done("pause", 1)
        .waiting("waiting")
        .moves("clerk", "open -wait-> waiting -back-> open")
        .deadline(d)
        .build_china();
    let t = monday_9am();
    let d = aftersales::start(&def, "p".into(), &clerk(), json!({}), t).unwrap();
    let d = aftersales::decide(&def, &d.instance, &Command::fire(&clerk(), "wait"), t).unwrap();
    let mut v = serde_json::to_value(&d.instance).unwrap();
    v["deadlines"][0]["paused_at"] = serde_json::to_value(DateTime::<Utc>::MIN_UTC).unwrap();
    v["deadlines"][0]["due_at"] = serde_json::to_value(DateTime::<Utc>::MAX_UTC).unwrap();
    let corrupt: Instance = serde_json::from_value(v).unwrap();
    let r = aftersales::decide(&def, &corrupt, &Command::fire(&clerk(), "back"), t);
    assert!(
        matches!(r, Err(Rejection::DeadlineUncomputable { .. })),
        "{r:?}"
    );
}

/// Found by `fuzz` (commands): a float in a payload did not survive the JSON round trip of
/// the events recording it (`-1.8017784962425987e274` came back as `-1.801778496242599e274`):
/// serde_json's default float parser is not exact. The crate now enables serde_json's
/// `float_roundtrip`.
#[test]
fn payload_floats_round_trip_exactly() {
    for x in [
        -1.8017784962425987e274,
        0.1 + 0.2,
        5e-324,
        1.7976931348623157e308,
        123456.78901234567,
    ] {
        let v = json!({ "amount": x });
        let back: serde_json::Value = serde_json::from_str(&v.to_string()).unwrap();
        assert_eq!(back, v, "{x}");
    }
}

/// Found while building the bad-input catalogue (its definition has a data-dependent limit
/// without a default), by reading `Engine::handle_due`: it returned the first instance's
/// refusal as the error of the whole call, before handling the others; as that instance
/// stays due, every later call failed the same way and no other instance's deadline was
/// handled again.
#[test]
fn one_instance_that_cannot_escalate_does_not_block_the_others() {
    let def = open_done("poison", 1)
        .normal("review")
        .moves("clerk", "review -finish-> done")
        .deadline(moving_clock(
            "answer",
            Trigger::enter("open"),
            BusinessDuration::Hours(1),
            "review",
        ))
        .deadline(on_enter(
            "review_by_class",
            "review",
            DurationSpec::Select {
                selector: "/class".into(),
                cases: std::collections::BTreeMap::from([(
                    "A".to_owned(),
                    BusinessDuration::WorkingHours(4),
                )]),
                default: None,
            },
        ))
        .build_china();
    let engine = engine_with([def]);
    let t = monday_9am();
    // `a` escalates first and cannot: class Z has no review duration.
    engine
        .start("poison", "a", &clerk(), json!({"class": "Z"}), t)
        .unwrap();
    engine
        .start(
            "poison",
            "b",
            &clerk(),
            json!({"class": "A"}),
            t + TimeDelta::minutes(1),
        )
        .unwrap();
    let later = t + TimeDelta::hours(2);
    let report = engine.handle_due(later).unwrap();
    assert_eq!(report.handled.len(), 1);
    assert_eq!(report.handled[0].0, InstanceId::from("b"));
    assert_eq!(engine.load(&"b".into()).unwrap().state(), "review");
    assert_eq!(report.failed.len(), 1);
    assert_eq!(report.failed[0].0, InstanceId::from("a"));
    assert!(matches!(
        report.failed[0].1,
        Rejection::DeadlineUncomputable { .. }
    ));
    // `a` is untouched and still due: the next call reports it again.
    assert_eq!(engine.load(&"a".into()).unwrap().state(), "open");
    assert_eq!(engine.handle_due(later).unwrap().failed.len(), 1);
}

/// Snapshots stored by the first release wrote `fired_by` as a map from action to actors; the
/// redesigned core writes pairs. Both load, to the same snapshot.
#[test]
fn a_snapshot_with_the_first_releases_fired_by_map_still_loads() {
    let def = flow("old", 1, &["clerk"])
        .states("open", &["working"], &["done"])
        .moves("clerk", "open -go-> working -finish-> done")
        .build_china();
    let li = Actor::new("li", ["clerk"]);
    let d0 = aftersales::start(&def, "o".into(), &li, json!({}), monday_9am()).unwrap();
    let d1 =
        aftersales::decide(&def, &d0.instance, &Command::fire(&li, "go"), monday_9am()).unwrap();
    let mut text = serde_json::to_value(&d1.instance).unwrap();
    assert_eq!(text["fired_by"], json!([["go", "li"]]));
    text["fired_by"] = json!({ "go": ["li"] });
    let old: Instance = serde_json::from_value(text).unwrap();
    assert_eq!(old, d1.instance);
    assert_eq!(old.fired_by("go"), [ActorId::from("li")]);
}

/// Issue 15, finding 9: validating action-started escalations was quadratic in the number of
/// states (a 10,000-state definition took 2.2 s in release). The search for the states an
/// escalation can move an instance out of now indexes the transitions once; this builds a
/// 10,000-state chain with such a clock (no timing asserted: a quadratic search would make
/// this test take minutes).
#[test]
fn validating_action_started_escalations_is_linear_in_the_states() {
    const N: usize = 10_000;
    let mut b = flow("long", 1, &["clerk"]).initial("s0");
    for i in 1..N {
        b = b.normal(format!("s{i}"));
    }
    b = b.terminal("done").normal("meeting");
    for i in 0..N - 1 {
        b = b.transition(format!("s{i}"), "next", format!("s{}", i + 1), |t| {
            t.roles(["clerk"])
        });
    }
    b = b
        .transition(format!("s{}", N - 1), "finish", "done", |t| {
            t.roles(["clerk"])
        })
        .transition("meeting", "finish", "done", |t| t.roles(["clerk"]))
        .deadline(
            on_action("overall", "next", BusinessDuration::WorkingHours(1))
                .met_on(Trigger::action("finish"))
                .escalate(EscalationSpec::move_to("meeting")),
        );
    let def = b.build_china();
    let escalations = def
        .edges()
        .filter(|e| matches!(e.kind, EdgeKind::Escalation(_)))
        .count();
    // From every state the clock can run in: s1 .. s{N-1}.
    assert_eq!(escalations, N - 1);
}

/// Issue 15, finding 8: `handle_due` skipped instances whose definition version is not
/// registered, silently, while `next_due` kept returning them (a scheduler spun). They are
/// reported now, with the definition and version to register.
#[test]
fn handle_due_reports_instances_of_an_unregistered_definition() {
    let def = open_done("old", 3)
        .deadline(on_enter("answer", "open", BusinessDuration::Hours(1)))
        .build_china();
    let d = aftersales::start(&def, "o-1".into(), &clerk(), json!({}), monday_9am()).unwrap();
    let store = InMemoryStore::new();
    store
        .commit(Commit::linked(
            d.instance,
            d.events,
            aftersales::Digest::ZERO,
            0,
            None,
        ))
        .unwrap();
    // An engine that knows no version of `old`.
    let engine = Engine::new(store);
    let later = monday_9am() + TimeDelta::hours(2);
    assert!(engine.next_due().unwrap().is_some_and(|t| t <= later));
    let report = engine.handle_due(later).unwrap();
    assert!(report.handled.is_empty());
    assert_eq!(
        report.unregistered,
        vec![(InstanceId::from("o-1"), Name::new("old"), 3)]
    );
}

/// Issue 15, finding 7: a clock started and met on leaving `s0`, with a rung that moves to
/// `s0`. Leaving `s0` stops the previous clock and starts a new one, so the clock runs in
/// `s1` and its rung can move the instance `s1 → s0`; the graph now has that edge, and the
/// engine's move follows an edge of the graph.
#[test]
fn an_escalation_move_of_a_clock_started_and_met_by_the_same_trigger_is_in_the_graph() {
    let def = flow("loop", 1, &["clerk"])
        .states("s0", &["s1"], &["done"])
        .moves("clerk", "s0 -go-> s1 -finish-> done")
        .deadline(
            DeadlineSpec::new("c", Trigger::leave("s0"), BusinessDuration::Hours(1))
                .met_on(Trigger::leave("s0"))
                .escalate(EscalationSpec::move_to("s0")),
        )
        .build_china();
    assert!(def.has_edge("s1", "s0"));
    let d = aftersales::start(&def, "l".into(), &clerk(), json!({}), monday_9am()).unwrap();
    let d = aftersales::decide(
        &def,
        &d.instance,
        &Command::fire(&clerk(), "go"),
        monday_9am(),
    )
    .unwrap();
    let moved = aftersales::handle_due(&def, &d.instance, monday_9am() + TimeDelta::hours(2))
        .unwrap()
        .unwrap();
    assert_eq!(moved.instance.state(), "s0");
}

/// Found by the random walks at CI scale (`random_walks_at_scale`, 10,000 walks, default seed;
/// generated definition, walk 273): an **override** leaving `s1` starts the clock triggered by
/// leaving `s1`, so the clock runs in the override's target `s0`, a state the graph does not
/// reach while that clock runs; its rung then moved the instance `s0 → s2`, which is not an
/// edge of the graph (DESIGN.md decision 18 promises that every move the engine makes is one).
/// Fixed: a rung moves the instance only along that deadline's escalation edge; from any other
/// state (reachable only by an override) the rung is recorded, without a move.
#[test]
fn an_escalation_move_after_an_override_follows_an_edge_of_the_graph() {
    let def = Builder::new("ovr", 1)
        .roles(["clerk"])
        .start_roles(["clerk"])
        .override_roles(["clerk"])
        .initial("s0")
        .normal("s1")
        .normal("s2")
        .terminal("done")
        .transition("s0", "go", "s1", |t| t.roles(["clerk"]))
        .transition("s1", "on", "s2", |t| t.roles(["clerk"]))
        .transition("s2", "finish", "done", |t| t.roles(["clerk"]))
        .deadline(
            DeadlineSpec::new("d0", Trigger::leave("s1"), BusinessDuration::Hours(1))
                .escalate(EscalationSpec::move_to("s2")),
        )
        .build(&Registry::with_calendar(BusinessCalendar::china_standard()))
        .unwrap();
    assert!(!def.has_edge("s0", "s2"));
    let t = monday_9am();
    let d = aftersales::start(&def, "o".into(), &clerk(), json!({}), t).unwrap();
    let mut history = d.events.clone();
    let d = aftersales::decide(&def, &d.instance, &Command::fire(&clerk(), "go"), t).unwrap();
    history.extend(d.events.iter().cloned());
    let d = aftersales::decide(
        &def,
        &d.instance,
        &Command::override_to(&clerk(), "s0", "back to the start"),
        t,
    )
    .unwrap();
    history.extend(d.events.iter().cloned());
    assert_eq!(d.instance.state(), "s0");
    let due = aftersales::handle_due(&def, &d.instance, t + TimeDelta::hours(2))
        .unwrap()
        .expect("the clock the override started breaches and escalates");
    // The rung is recorded (breach, then the rung) but does not move the instance off the graph.
    let kinds: Vec<&EventKind> = due.events.iter().map(|e| &e.kind).collect();
    assert!(
        matches!(kinds[0], EventKind::DeadlineBreached { .. }),
        "{kinds:?}"
    );
    assert!(
        matches!(
            kinds[1],
            EventKind::Escalated {
                step: 0,
                moved: None,
                ..
            }
        ),
        "{kinds:?}"
    );
    assert_eq!(due.instance.state(), "s0");
    // Replay agrees, and the rung is spent: nothing more is due.
    history.extend(due.events.iter().cloned());
    let replayed = Instance::replay(&history).unwrap();
    assert_eq!(replayed.state(), "s0");
    assert_eq!(replayed.deadlines(), due.instance.deadlines());
    assert!(
        aftersales::handle_due(&def, &due.instance, t + TimeDelta::hours(3))
            .unwrap()
            .is_none()
    );
}

/// Found by the random walks at CI scale (`random_walks_at_scale`, 10,000 walks, default seed;
/// generated definition, walk ~1,293): a clock with a zero-length limit, started by the move
/// into a waiting state, is paused at the instant it is due (`paused_at == due_at`). By the
/// boundary rule (`t < now`) it had not passed yet, but resuming shifted only the instants
/// strictly after the pause, so the limit stayed in the past: when another clock's escalation
/// moved the instance out of the waiting state, the resumed clock was breached at its old
/// instant, after the escalation at a later one ("handled out of time order"). Fixed: resuming
/// shifts every instant not yet passed at the pause (`x >= paused_at`), keeping its remaining
/// time (here none: the limit becomes the resume instant).
#[test]
fn a_clock_paused_at_its_limit_resumes_with_no_time_left_not_in_the_past() {
    let def = Builder::new("zero", 1)
        .roles(["clerk"])
        .start_roles(["clerk"])
        .initial("s0")
        .waiting("w")
        .normal("s1")
        .terminal("done")
        .transition("s0", "go", "w", |t| t.roles(["clerk"]))
        .transition("w", "back", "s1", |t| t.roles(["clerk"]))
        .transition("s1", "finish", "done", |t| t.roles(["clerk"]))
        .deadline(DeadlineSpec::new(
            "d1",
            Trigger::action("go"),
            BusinessDuration::Hours(0),
        ))
        .deadline(
            DeadlineSpec::new("d0", Trigger::enter("w"), BusinessDuration::Hours(1))
                .escalate(EscalationSpec::move_to("s1")),
        )
        .build(&Registry::with_calendar(BusinessCalendar::china_standard()))
        .unwrap();
    let t = monday_9am();
    let d = aftersales::start(&def, "z".into(), &clerk(), json!({}), t).unwrap();
    let d = aftersales::decide(&def, &d.instance, &Command::fire(&clerk(), "go"), t).unwrap();
    assert_eq!(d.instance.state(), "w");
    let d1 = |i: &Instance| {
        i.deadlines()
            .iter()
            .find(|c| c.name == "d1")
            .cloned()
            .unwrap()
    };
    assert_eq!(d1(&d.instance).paused_at, Some(t));
    assert_eq!(d1(&d.instance).due_at, t);
    let now = t + TimeDelta::hours(5);
    let due = aftersales::handle_due(&def, &d.instance, now)
        .unwrap()
        .unwrap();
    assert_eq!(due.instance.state(), "s1");
    // d0 breaches and escalates (at t + 1 h), moving the instance out of `w`; d1 resumes with
    // no time left: due at the resume instant, not yet passed, so not breached in this call.
    assert!(
        !due.events.iter().any(
            |e| matches!(&e.kind, EventKind::DeadlineBreached { deadline, .. } if deadline == "d1")
        ),
        "{:?}",
        due.events
    );
    let resumed = d1(&due.instance);
    assert_eq!(resumed.paused_at, None);
    assert_eq!(resumed.due_at, now);
    // Once that instant has passed, d1 is breached at it.
    let later = aftersales::handle_due(&def, &due.instance, now + TimeDelta::minutes(1))
        .unwrap()
        .unwrap();
    assert!(matches!(
        &later.events[0].kind,
        EventKind::DeadlineBreached { deadline, due_at } if deadline == "d1" && *due_at == now
    ));
}

/// The same finding, second form: a clock whose limit passed unhandled (the host's timer had
/// not run) is paused when the instance enters a waiting state; another clock's escalation
/// then moves the instance out and the first clock resumes. Its limit, before the pause, was
/// left for the resume and breached after the escalation at a later instant. Fixed: items of
/// a paused clock that passed before the pause are due in their turn (and count for
/// `next_due`).
#[test]
fn an_item_passed_before_a_pause_is_handled_in_time_order() {
    let def = Builder::new("late", 1)
        .roles(["clerk"])
        .start_roles(["clerk"])
        .initial("s0")
        .normal("s1")
        .waiting("w")
        .normal("s2")
        .terminal("done")
        .transition("s0", "go", "s1", |t| t.roles(["clerk"]))
        .transition("s1", "wait", "w", |t| t.roles(["clerk"]))
        .transition("w", "back", "s2", |t| t.roles(["clerk"]))
        .transition("s2", "finish", "done", |t| t.roles(["clerk"]))
        .deadline(DeadlineSpec::new(
            "d2",
            Trigger::action("go"),
            BusinessDuration::Hours(1),
        ))
        .deadline(
            DeadlineSpec::new("d0", Trigger::enter("w"), BusinessDuration::Hours(1))
                .escalate(EscalationSpec::move_to("s2")),
        )
        .build(&Registry::with_calendar(BusinessCalendar::china_standard()))
        .unwrap();
    let t = monday_9am();
    let d = aftersales::start(&def, "l".into(), &clerk(), json!({}), t).unwrap();
    let d = aftersales::decide(&def, &d.instance, &Command::fire(&clerk(), "go"), t).unwrap();
    // d2 is due at t + 1 h; nobody handles it before the instance waits at t + 2 h.
    let paused_at = t + TimeDelta::hours(2);
    let d = aftersales::decide(
        &def,
        &d.instance,
        &Command::fire(&clerk(), "wait"),
        paused_at,
    )
    .unwrap();
    assert_eq!(d.instance.state(), "w");
    // The passed limit still wakes the host's timer.
    assert_eq!(
        d.instance.next_due(),
        Some(t + TimeDelta::hours(1) + TimeDelta::nanoseconds(1))
    );
    let due = aftersales::handle_due(&def, &d.instance, t + TimeDelta::hours(10))
        .unwrap()
        .unwrap();
    let handled: Vec<(&str, DateTime<Utc>)> = due
        .events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::DeadlineBreached { deadline, due_at } => Some((deadline.as_str(), *due_at)),
            _ => None,
        })
        .collect();
    assert_eq!(
        handled,
        vec![
            ("d2", t + TimeDelta::hours(1)),
            ("d0", paused_at + TimeDelta::hours(1)),
        ]
    );
    assert_eq!(due.instance.state(), "s2");
}
