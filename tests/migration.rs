//! Definition versions and instance migration (issue 21): versions side by side with their
//! spec digest in their identity, plan validation (every problem at once), the dry run, the
//! migration event under replay and the hash chain, batch migration over the stores,
//! resumable after a crash midway and a no-op the second time.

#![cfg(all(feature = "testing", feature = "procedures"))]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use aftersales::migration::{
    ClockPolicy, DataOp, MigrationBuilder, MigrationError, MigrationProblem, MigrationSpec,
    Planned, Side, SignOffPolicy, Unmigratable,
};
use aftersales::procedures::complaint::{self, Action, Config, Role, State};
use aftersales::testing::fixtures::complaint::{Scenario, revised_definition};
use aftersales::testing::{Fault, FaultyStore};
use aftersales::*;
use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use serde_json::json;
use std::sync::Arc;

// ---------------------------------------------------------------------------------------
// A small definition in two versions, for the store-generic tests.

fn monday_9am() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 16, 1, 0, 0).unwrap()
}

fn registry() -> Registry {
    Registry::with_calendar(BusinessCalendar::china_standard())
}

/// v1: `open -submit-> review -approve-> done`, the approval signed by `lead` then `boss`;
/// the clock `answer` (8 working hours) runs from entering `open` until `submit`.
/// v2: `answer` is 4 working hours, and `submit` leads to a new `triage` step first.
fn ticket(version: u32) -> Arc<Definition> {
    let answer = if version == 1 { 8 } else { 4 };
    let mut b = Builder::new("ticket", version)
        .roles(["clerk", "lead", "boss"])
        .start_roles(["clerk"])
        .initial("open")
        .normal("review")
        .terminal("done")
        .transition("review", "approve", "done", |t| {
            t.roles(["lead", "boss"])
                .sign_off(["lead", "boss"], SignOrder::Sequential, "approved")
        })
        .deadline(
            DeadlineSpec::new(
                "answer",
                Trigger::enter("open"),
                BusinessDuration::WorkingHours(answer),
            )
            .met_on(Trigger::action("submit")),
        );
    b = if version == 1 {
        b.transition("open", "submit", "review", |t| t.roles(["clerk"]))
    } else {
        b.normal("triage")
            .transition("open", "submit", "triage", |t| t.roles(["clerk"]))
            .transition("triage", "accept", "review", |t| t.roles(["lead"]))
    };
    Arc::new(b.build(&registry()).unwrap())
}

fn plan(a: &Arc<Definition>, b: &Arc<Definition>) -> MigrationPlan {
    MigrationBuilder::new("ticket", 1, 2)
        .same_names()
        .move_data("/note", "/remarks")
        .set_default("/priority", json!("normal"))
        .clocks(ClockPolicy::Recompute)
        .sign_offs(SignOffPolicy::Reset)
        .build(a, b)
        .unwrap()
}

fn clerk() -> Actor {
    Actor::new("clara", ["clerk"])
}
fn lead() -> Actor {
    Actor::new("li", ["lead"])
}
fn admin() -> Actor {
    Actor::new("ops-admin", Vec::<&str>::new())
}

/// `n` tickets on v1, alternating between `open` (clock running) and `review` (the lead
/// signed, the boss not yet: a sign-off in flight), plus one closed.
fn populate<S: Store>(engine: &Engine<S>, n: usize) -> Vec<InstanceId> {
    let t0 = monday_9am();
    let mut ids = Vec::new();
    for i in 0..n {
        let id = InstanceId::from(format!("t-{i}"));
        engine
            .start_version(
                "ticket",
                1,
                id.clone(),
                &clerk(),
                json!({"note": format!("n{i}")}),
                t0,
            )
            .unwrap();
        if i % 2 == 1 {
            let t = t0 + TimeDelta::hours(1);
            engine
                .fire(&id, &Command::fire(&clerk(), "submit"), t)
                .unwrap();
            engine
                .fire(&id, &Command::sign(&lead(), "approve"), t)
                .unwrap();
        }
        ids.push(id);
    }
    let closed = InstanceId::from("t-closed");
    engine
        .start_version(
            "ticket",
            1,
            closed.clone(),
            &clerk(),
            json!({"note": "x"}),
            t0,
        )
        .unwrap();
    let t = t0 + TimeDelta::hours(1);
    engine
        .fire(&closed, &Command::fire(&clerk(), "submit"), t)
        .unwrap();
    engine
        .fire(&closed, &Command::sign(&lead(), "approve"), t)
        .unwrap();
    engine
        .fire(
            &closed,
            &Command::sign(&Actor::new("bo", ["boss"]), "approve"),
            t,
        )
        .unwrap();
    ids.push(closed);
    ids
}

fn engine_with_both<S: Store>(store: S) -> Engine<S> {
    let mut engine = Engine::new(store);
    engine.register(ticket(1)).unwrap();
    engine.register(ticket(2)).unwrap();
    engine
}

/// After any run, complete or cut short: every instance is wholly on v1 (its history as
/// populated) or wholly on v2 (one `migrated` event more), and verifies against its chain.
fn no_half_migrated<S: Store>(engine: &Engine<S>, ids: &[InstanceId], before: &[usize]) {
    for (id, &len) in ids.iter().zip(before) {
        engine.verify(id).unwrap();
        let history = engine.history(id).unwrap();
        verify_events(&history).unwrap();
        let inst = engine.load(id).unwrap();
        assert_eq!(inst, Arc::new(Instance::replay(&history).unwrap()));
        match inst.definition_version() {
            1 => assert_eq!(history.len(), len, "{id}: untouched on v1"),
            2 => {
                assert_eq!(history.len(), len + 1, "{id}: one migrated event more");
                assert!(matches!(
                    history.last().unwrap().kind,
                    EventKind::Migrated {
                        from_version: 1,
                        to_version: 2,
                        ..
                    }
                ));
            }
            v => panic!("{id}: version {v}"),
        }
    }
}

fn batch_migrates_idempotently<S: Store>(store: S) {
    let engine = engine_with_both(store);
    let ids = populate(&engine, 6);
    let lens: Vec<usize> = ids
        .iter()
        .map(|id| engine.history(id).unwrap().len())
        .collect();
    let plan = plan(&ticket(1), &ticket(2));
    let now = monday_9am() + TimeDelta::hours(2);
    let report = engine.migrate_all(&plan, &admin(), now).unwrap();
    assert_eq!(report.migrated.len(), 6, "{report}");
    assert_eq!(report.closed, vec![InstanceId::from("t-closed")]);
    assert!(report.refused.is_empty());
    no_half_migrated(&engine, &ids[..6], &lens[..6]);
    // The second run writes nothing.
    let again = engine.migrate_all(&plan, &admin(), now).unwrap();
    assert!(again.is_noop());
    assert_eq!(again.already.len(), 6);
    for (id, len) in ids.iter().zip(&lens).take(6) {
        assert_eq!(engine.history(id).unwrap().len(), len + 1);
    }
    // Migrated instances run on v2: the submit now leads to triage.
    let open = &ids[0];
    let out = engine
        .fire(open, &Command::fire(&clerk(), "submit"), now)
        .unwrap();
    assert_eq!(out.instance.state(), "triage");
}

// ---------------------------------------------------------------------------------------
// Versions side by side.

#[test]
fn versions_side_by_side_latest_or_chosen_running_ones_keep_theirs() {
    let engine = engine_with_both(InMemoryStore::new());
    assert_eq!(engine.versions("ticket"), vec![1, 2]);
    let t0 = monday_9am();
    let latest = engine
        .start("ticket", "new", &clerk(), json!({}), t0)
        .unwrap();
    assert_eq!(latest.instance.definition_version(), 2);
    let old = engine
        .start_version("ticket", 1, "old", &clerk(), json!({}), t0)
        .unwrap();
    assert_eq!(old.instance.definition_version(), 1);
    // Each runs its own graph.
    let a = engine
        .fire(&"old".into(), &Command::fire(&clerk(), "submit"), t0)
        .unwrap();
    let b = engine
        .fire(&"new".into(), &Command::fire(&clerk(), "submit"), t0)
        .unwrap();
    assert_eq!(
        (a.instance.state().as_str(), b.instance.state().as_str()),
        ("review", "triage")
    );
    assert!(matches!(
        engine.start_version("ticket", 7, "x", &clerk(), json!({}), t0),
        Err(EngineError::UnknownDefinition {
            version: Some(7),
            ..
        })
    ));
}

#[test]
fn two_different_specs_never_share_one_id_and_version() {
    let mut engine = engine_with_both(InMemoryStore::new());
    // v2's spec under the number 1: a conflict, with both digests.
    let mut spec = ticket(2).spec().clone();
    spec.version = 1;
    let impostor = spec.build(&registry()).unwrap();
    let offered = impostor.digest();
    match engine.register(impostor) {
        Err(EngineError::DefinitionConflict {
            definition,
            version: 1,
            registered,
            offered: o,
        }) => {
            assert_eq!(definition, "ticket");
            assert_eq!(registered, ticket(1).digest());
            assert_eq!(o, offered);
            assert_ne!(registered, offered);
        }
        other => panic!("expected a conflict, got {other:?}"),
    }
    // The same spec again is a duplicate, not a conflict.
    assert!(matches!(
        engine.register(ticket(1)),
        Err(EngineError::DuplicateDefinition { version: 1, .. })
    ));
    // Digests are stable and differ between versions.
    assert_eq!(ticket(1).digest(), ticket(1).digest());
    assert_ne!(ticket(1).digest(), ticket(2).digest());
}

// ---------------------------------------------------------------------------------------
// Plan validation.

#[test]
fn mapping_validation_reports_every_problem_at_once() {
    let (a, b) = (ticket(1), ticket(2));
    let err = MigrationBuilder::new("ticket", 1, 1)
        .map("review", "reviewing")
        .map("done", "done")
        .map("opened", "open")
        .no_instances_expected("review")
        .move_data("/a", "/a/b")
        .remove("note")
        .data(DataOp::Function {
            name: "unbound".into(),
        })
        .clock("no_such_clock", ClockPolicy::Restart)
        .build(&a, &b)
        .unwrap_err();
    let MigrationError::Invalid { problems, .. } = &err else {
        panic!("{err:?}");
    };
    let expect = [
        MigrationProblem::DefinitionMismatch {
            side: Side::To,
            expected: ("ticket".into(), 1),
            found: ("ticket".into(), 2),
        },
        MigrationProblem::SameVersion { version: 1 },
        MigrationProblem::UnknownSource {
            state: "opened".into(),
        },
        MigrationProblem::Unmapped {
            state: "open".into(),
        },
        MigrationProblem::MappedAndExcluded {
            state: "review".into(),
        },
        MigrationProblem::TerminalTarget {
            from: "done".into(),
            to: "done".into(),
        },
        MigrationProblem::UnknownFunction {
            op: 2,
            name: "unbound".into(),
        },
        MigrationProblem::UnknownDeadline {
            deadline: "no_such_clock".into(),
        },
    ];
    for p in &expect {
        assert!(problems.contains(p), "missing {p:?} in {problems:#?}");
    }
    assert!(
        problems
            .iter()
            .any(|p| matches!(p, MigrationProblem::BadPointer { op: 0, .. }))
    );
    assert!(problems.iter().any(
        |p| matches!(p, MigrationProblem::BadPointer { op: 1, pointer, .. } if pointer == "note")
    ));
    assert_eq!(problems.len(), expect.len() + 2, "{problems:#?}");
    // The message names them all.
    assert!(err.to_string().contains("`open` is neither mapped"));
}

#[test]
fn mapping_validation_unknown_targets_and_unmapped_states_of_a_json_plan() {
    let (a, b) = (ticket(1), ticket(2));
    let spec = MigrationSpec::from_json(
        r#"{"definition": "ticket", "from": 1, "to": 2,
            "states": {"open": "opened"},
            "checks": ["schema_v2"]}"#,
    )
    .unwrap();
    let problems = spec.build(&a, &b).unwrap_err().problems().to_vec();
    assert_eq!(
        problems,
        vec![
            MigrationProblem::UnknownTarget {
                from: "open".into(),
                to: "opened".into()
            },
            MigrationProblem::Unmapped {
                state: "review".into()
            },
            MigrationProblem::UnknownCheck {
                name: "schema_v2".into()
            },
        ]
    );
    // Unknown fields are refused when read.
    assert!(matches!(
        MigrationSpec::from_json(r#"{"definition": "ticket", "from": 1, "to": 2, "sates": {}}"#),
        Err(MigrationError::Json { .. })
    ));
    // The builder writes the same JSON a host would.
    let built = MigrationBuilder::new("ticket", 1, 2)
        .map("open", "triage")
        .same_names();
    let back = MigrationSpec::from_json(&built.spec().to_json()).unwrap();
    assert_eq!(&back, built.spec());
    assert!(back.build(&a, &b).is_ok());
}

#[test]
fn mapping_validation_data_that_fails_b_forms_and_checks_is_refused_per_instance() {
    // B's registry is stricter about the handling form: at most 5 units (the fixture's
    // complaint has 6).
    let mut s = Scenario::at(State::Submitted).unwrap();
    let cfg = Config::default();
    let strict = complaint::registry(&cfg)
        .shared_calendar(Arc::new(BusinessCalendar::default()))
        .form(
            "handling_form",
            |body: &serde_json::Value| match body["quantity"].as_u64() {
                Some(q) if q <= 5 => Ok(()),
                _ => Err("more than 5 units".to_owned()),
            },
        );
    let b = Arc::new(
        aftersales::testing::fixtures::complaint::revised_spec(&cfg)
            .build(&strict)
            .unwrap(),
    );
    s.engine_mut().register(Arc::clone(&b)).unwrap();
    let a = Arc::clone(s.engine().definition_version(complaint::ID, 1).unwrap());
    let plan = MigrationBuilder::new(complaint::ID, 1, 2)
        .same_names()
        .build(&a, &b)
        .unwrap();
    let now = s.now();
    let report = s.engine().dry_run(&plan, now).unwrap();
    let (id, why) = report.refused().next().unwrap();
    assert_eq!(id, s.id());
    assert!(
        matches!(why, Unmigratable::FormInvalid { kind, reason, .. }
            if *kind == "handling_form" && reason.contains("more than 5")),
        "{why:?}"
    );
    let err = s
        .engine()
        .migrate(&plan, s.id(), &admin(), now)
        .unwrap_err();
    assert!(matches!(err, EngineError::Migration { .. }), "{err:?}");
    assert_eq!(s.instance().definition_version(), 1, "nothing written");

    // A required value missing after the transformations, and a failing check.
    let plan = MigrationBuilder::new(complaint::ID, 1, 2)
        .same_names()
        .require("/reply_deadline_policy")
        .build(&a, &b)
        .unwrap();
    assert!(matches!(
        plan.preview(&s.instance(), now),
        Planned::Refused(Unmigratable::Required { .. })
    ));
}

// ---------------------------------------------------------------------------------------
// Dry run.

#[test]
fn dry_run_reports_state_data_clock_and_sign_off_changes_without_writing() {
    let engine = engine_with_both(InMemoryStore::new());
    let ids = populate(&engine, 2);
    let plan = plan(&ticket(1), &ticket(2));
    let now = monday_9am() + TimeDelta::hours(2);
    let report = engine.dry_run(&plan, now).unwrap();
    assert_eq!(report.instances.len(), 3);
    let open = match &report.instances[0] {
        (id, Planned::Migrate(c)) if *id == ids[0] => c.clone(),
        other => panic!("{other:?}"),
    };
    assert_eq!(
        (open.from_state.as_str(), open.to_state.as_str()),
        ("open", "open")
    );
    assert_eq!(
        open.data,
        vec!["moved /note to /remarks", "set /priority to \"normal\""]
    );
    // The 8-hour clock recomputed under v2's 4 hours, from the same start.
    let started = engine
        .load(&ids[0])
        .unwrap()
        .clock("answer")
        .unwrap()
        .clone();
    match &open.clocks[..] {
        [
            ClockMigration {
                deadline,
                change: ClockChange::Retimed { due_at, .. },
            },
        ] => {
            assert_eq!(*deadline, "answer");
            assert!(*due_at < started.due_at);
            assert_eq!(
                *due_at,
                BusinessCalendar::china_standard()
                    .add(started.started_at, BusinessDuration::WorkingHours(4))
                    .unwrap()
            );
        }
        other => panic!("{other:?}"),
    }
    let review = match &report.instances[1] {
        (_, Planned::Migrate(c)) => c.clone(),
        other => panic!("{other:?}"),
    };
    assert_eq!(review.sign_offs.policy, SignOffPolicy::Reset);
    assert_eq!(
        review.sign_offs.pending,
        vec![(Name::new("approve"), ActorId::from("li"))]
    );
    assert!(matches!(report.instances[2].1, Planned::Closed { .. }));
    assert!(report.is_clean());
    let text = report.to_string();
    for needle in [
        "`ticket` v1 → v2",
        "3 instance(s), 2 to migrate, 0 refused",
        "t-0: open → open",
        "data: moved /note to /remarks",
        "clock: answer: due",
        "sign-offs reset: approve by li",
        "t-closed: closed in done, stays",
    ] {
        assert!(text.contains(needle), "`{needle}` not in:\n{text}");
    }
    // Nothing written.
    for id in &ids {
        assert_eq!(engine.load(id).unwrap().definition_version(), 1);
    }
    // A plan excluding `review` makes the dry run refuse the instance there.
    let strict = MigrationBuilder::new("ticket", 1, 2)
        .map("open", "open")
        .no_instances_expected("review")
        .build(&ticket(1), &ticket(2))
        .unwrap();
    let report = engine.dry_run(&strict, now).unwrap();
    let refused: Vec<_> = report.refused().collect();
    assert_eq!(refused.len(), 1);
    assert_eq!(refused[0].0, &ids[1]);
    assert_eq!(
        refused[0].1,
        &Unmigratable::NoInstancesExpected {
            state: Name::new("review")
        }
    );
    assert!(report.to_string().contains("CANNOT MIGRATE"));
}

// ---------------------------------------------------------------------------------------
// Every state of a built-in procedure, clocks and sign-offs in flight.

fn non_terminal_complaint_states() -> Vec<State> {
    let def =
        complaint::definition(&Config::default(), Arc::new(BusinessCalendar::default())).unwrap();
    <State as Vocabulary>::ALL
        .iter()
        .copied()
        .filter(|s| def.definition().state_kind(s.as_ref()) != Some(StateKind::Terminal))
        .collect()
}

#[test]
fn every_state_of_the_complaint_migrates_with_clocks_and_sign_offs_in_flight() {
    let cfg = Config::default();
    let states = non_terminal_complaint_states();
    assert!(states.len() >= 20, "{states:?}");
    let mut saw_sign_off = false;
    let mut saw_retimed = false;
    for state in states {
        let mut s = Scenario::at(state).unwrap();
        if state == State::RestockSignoff {
            // One of three signatures given: a sign-off in flight.
            let cmd = Command::sign(s.cast().actor(Role::OqcInspector), Action::ApproveRestock);
            s.fire(cmd).unwrap();
        }
        let b = Arc::new(revised_definition(&cfg, Arc::new(BusinessCalendar::default())).unwrap());
        s.engine_mut().register(Arc::clone(&b)).unwrap();
        let a = Arc::clone(s.engine().definition_version(complaint::ID, 1).unwrap());
        let plan = MigrationBuilder::new(complaint::ID, 1, 2)
            .same_names()
            .clocks(ClockPolicy::Recompute)
            .sign_offs(SignOffPolicy::Reset)
            .build(&a, &b)
            .unwrap();
        s.advance(TimeDelta::minutes(30));
        let before = s.instance();
        let pending = before
            .signatures()
            .iter()
            .filter(|g| g.status == SignatureStatus::Open)
            .count();
        let out = s
            .engine()
            .migrate(&plan, s.id(), &admin(), s.now())
            .unwrap();
        let after = s.instance();
        assert_eq!(after.definition_version(), 2, "{state:?}");
        assert_eq!(after.state(), before.state(), "{state:?}");
        assert_eq!(out.events.len(), 1);
        let EventKind::Migrated {
            clocks,
            before: d0,
            after: d1,
            plan: p,
            ..
        } = &out.events[0].kind
        else {
            panic!("{:?}", out.events[0]);
        };
        assert_eq!(
            (*d0, *d1, *p),
            (
                before.content_digest(),
                after.content_digest(),
                plan.digest()
            )
        );
        assert_eq!(
            out.events[0].by.as_ref().unwrap().actor,
            ActorId::from("ops-admin")
        );
        // Running clocks: solve_and_reply recomputed under 5 working days, the rest too.
        let running: Vec<_> = before
            .deadlines()
            .iter()
            .filter(|d| d.is_active())
            .collect();
        assert_eq!(clocks.len(), running.len(), "{state:?}: {clocks:?}");
        if let Some(old) = before.running_clock(complaint::Deadline::SolveAndReply.as_ref()) {
            let new = after
                .running_clock(complaint::Deadline::SolveAndReply.as_ref())
                .unwrap();
            assert!(new.due_at < old.due_at, "{state:?}: 5 days end before 7");
            assert_eq!(new.started_at, old.started_at);
            saw_retimed = true;
        }
        if pending > 0 {
            saw_sign_off = true;
            assert_eq!(
                after
                    .signatures()
                    .iter()
                    .filter(|g| g.status == SignatureStatus::Open)
                    .count(),
                0,
                "{state:?}: pending sign-offs reset"
            );
        }
        // Replay equality and the hash chain.
        s.engine().verify(s.id()).unwrap();
        let history = s.engine().history(s.id()).unwrap();
        assert_eq!(Instance::replay(&history).unwrap(), *after);
        verify_events(&history).unwrap();
        // A second migration of the same instance is refused, typed.
        assert!(matches!(
            s.engine().migrate(&plan, s.id(), &admin(), s.now()),
            Err(EngineError::Migration { refusal, .. })
                if matches!(*refusal, Unmigratable::AlreadyMigrated { version: 2 })
        ));
    }
    assert!(saw_sign_off && saw_retimed);
}

#[test]
fn a_migrated_complaint_continues_under_the_new_version() {
    let cfg = Config::default();
    let mut s = Scenario::at(State::ReplyDispatch).unwrap();
    let b = Arc::new(revised_definition(&cfg, Arc::new(BusinessCalendar::default())).unwrap());
    s.engine_mut().register(Arc::clone(&b)).unwrap();
    let a = Arc::clone(s.engine().definition_version(complaint::ID, 1).unwrap());
    let plan = MigrationBuilder::new(complaint::ID, 1, 2)
        .same_names()
        .build(&a, &b)
        .unwrap();
    s.engine()
        .migrate(&plan, s.id(), &admin(), s.now())
        .unwrap();
    let adc = s.cast().adc_domestic.clone();
    s.advance(TimeDelta::hours(1));
    let out = s.fire(Command::fire(&adc, Action::SendToCustomer)).unwrap();
    assert_eq!(
        out.instance.state(),
        "reply_review",
        "the review step of v2"
    );
    let qm = s.cast().quality_manager.clone();
    let out = s.fire(Command::fire(&qm, "approve_reply")).unwrap();
    assert_eq!(out.instance.state(), State::EffectivenessCheck);
    s.engine().verify(s.id()).unwrap();
}

// ---------------------------------------------------------------------------------------
// The event: format, replay, tampering.

#[test]
fn the_migration_event_is_format_4_replayed_and_covered_by_the_chain() {
    let engine = engine_with_both(InMemoryStore::new());
    let ids = populate(&engine, 2);
    let plan = plan(&ticket(1), &ticket(2));
    let now = monday_9am() + TimeDelta::hours(2);
    engine.migrate(&plan, &ids[1], &admin(), now).unwrap();
    let history = engine.history(&ids[1]).unwrap();
    let last = history.last().unwrap();
    let wire = serde_json::to_value(last).unwrap();
    assert_eq!(wire["format"], json!(4));
    assert_eq!(EVENT_FORMAT, 4);
    assert_eq!(wire["kind"]["type"], json!("migrated"));
    let back: Event = serde_json::from_value(wire.clone()).unwrap();
    assert_eq!(&back, last);
    // Other events keep format 3, so their hashes do not change with this build.
    assert_eq!(
        serde_json::to_value(&history[0]).unwrap()["format"],
        json!(3)
    );
    // A migration claiming format 3 is refused (a reader of format 3 would not know it).
    let mut old = wire.clone();
    old["format"] = json!(3);
    assert!(serde_json::from_value::<Event>(old).is_err());
    let mut other = serde_json::to_value(&history[0]).unwrap();
    other["format"] = json!(4);
    assert!(serde_json::from_value::<Event>(other).is_err());
    // Changing what the event says breaks both the chain and replay.
    let mut forged = history.clone();
    if let EventKind::Migrated { to_state, .. } = &mut forged.last_mut().unwrap().kind {
        *to_state = Name::new("open");
    }
    let stored_head = engine.load(&ids[1]).unwrap().chain_head().unwrap();
    assert_ne!(
        verify_events(&forged).unwrap(),
        stored_head,
        "the head no longer matches"
    );
    assert!(
        Instance::replay(&forged).is_err(),
        "a state change the digests do not match"
    );
    let mut data_forged = history.clone();
    if let EventKind::Migrated { data, .. } = &mut data_forged.last_mut().unwrap().kind {
        *data = Some(Arc::new(json!({"remarks": "forged"})));
    }
    assert!(matches!(
        Instance::replay(&data_forged),
        Err(ReplayError::Inconsistent { .. })
    ));
    // The trail shows it.
    let trail = Trail::new(&history).to_string();
    assert!(
        trail.contains("MIGRATED v1 -> v2: review -> review"),
        "{trail}"
    );
    // The anchor covers it.
    let anchor = engine.anchor().unwrap();
    engine.check_anchor(&anchor).unwrap();
}

// ---------------------------------------------------------------------------------------
// Batch migration over the stores; crash midway; a second run.

#[test]
fn batch_migration_over_the_memory_store_is_idempotent() {
    batch_migrates_idempotently(InMemoryStore::new());
}

#[cfg(feature = "sqlite")]
#[test]
fn batch_migration_over_sqlite_is_idempotent() {
    batch_migrates_idempotently(SqliteStore::open_in_memory().unwrap());
}

#[test]
fn a_crash_midway_leaves_no_half_migrated_instance_and_a_rerun_finishes() {
    let mut cut_short = 0;
    for seed in 1..=8u64 {
        // Every commit may fail: before the write, after it, or with the connection lost
        // (landed or not), 10 % each. A failure stops the run; run again until it completes.
        let store = FaultyStore::new(InMemoryStore::new(), seed)
            .with_rate(Fault::FailBeforeWrite, 100)
            .with_rate(Fault::FailAfterWrite, 100)
            .with_rate(Fault::ConnectionLost, 100);
        store.set_enabled(false);
        let engine = engine_with_both(store);
        let ids = populate(&engine, 10);
        let lens: Vec<usize> = ids
            .iter()
            .map(|id| engine.history(id).unwrap().len())
            .collect();
        let plan = plan(&ticket(1), &ticket(2));
        let now = monday_9am() + TimeDelta::hours(2);
        let mut runs = 0;
        loop {
            runs += 1;
            assert!(runs < 100, "seed {seed}: never completed");
            engine.store().set_enabled(true);
            let result = engine.migrate_all(&plan, &admin(), now);
            engine.store().set_enabled(false);
            // After every run, cut short or not: no instance half migrated.
            no_half_migrated(&engine, &ids[..10], &lens[..10]);
            match result {
                Ok(_) => break,
                Err(EngineError::Store(e)) => {
                    assert!(e.to_string().contains(aftersales::testing::INJECTED), "{e}");
                    cut_short += 1;
                }
                Err(e) => panic!("seed {seed}: {e}"),
            }
        }
        for id in &ids[..10] {
            assert_eq!(engine.load(id).unwrap().definition_version(), 2);
        }
        // And once more: a no-op.
        let again = engine.migrate_all(&plan, &admin(), now).unwrap();
        assert!(again.is_noop(), "{again}");
        assert_eq!(again.already.len(), 10);
    }
    assert!(cut_short >= 8, "runs cut short midway: {cut_short}");
}

#[test]
fn a_second_run_is_a_no_op_and_writes_nothing() {
    let engine = engine_with_both(InMemoryStore::new());
    let ids = populate(&engine, 4);
    let plan = plan(&ticket(1), &ticket(2));
    let now = monday_9am() + TimeDelta::hours(2);
    let first = engine.migrate_all(&plan, &admin(), now).unwrap();
    assert_eq!(first.migrated.len(), 4);
    let heads = engine.anchor().unwrap();
    let second = engine
        .migrate_all(&plan, &admin(), now + TimeDelta::hours(1))
        .unwrap();
    assert!(second.is_noop());
    assert_eq!(second.already.len(), 4);
    assert_eq!(second.closed.len(), 1);
    assert_eq!(engine.anchor().unwrap(), heads, "not one event written");
    assert!(
        second
            .to_string()
            .starts_with("migrated 0, already migrated 4")
    );
    let _ = ids;
}

#[test]
fn a_plan_whose_definitions_are_not_registered_is_refused() {
    let mut engine = Engine::new(InMemoryStore::new());
    engine.register(ticket(1)).unwrap();
    let plan = plan(&ticket(1), &ticket(2));
    assert!(matches!(
        engine.migrate_all(&plan, &admin(), monday_9am()),
        Err(EngineError::UnknownDefinition {
            version: Some(2),
            ..
        })
    ));
}

#[test]
fn the_async_engine_migrates_the_same_way() {
    use aftersales::testing::block_on;
    let mut engine = AsyncEngine::new(SyncAsAsync(InMemoryStore::new()));
    engine.register(ticket(1)).unwrap();
    engine.register(ticket(2)).unwrap();
    assert_eq!(engine.versions("ticket"), vec![1, 2]);
    let t0 = monday_9am();
    for i in 0..3 {
        block_on(engine.start_version(
            "ticket",
            1,
            format!("a-{i}"),
            &clerk(),
            json!({"note": "n"}),
            t0,
        ))
        .unwrap();
    }
    let plan = plan(&ticket(1), &ticket(2));
    let now = t0 + TimeDelta::hours(1);
    let dry = block_on(engine.dry_run(&plan, now)).unwrap();
    assert_eq!(dry.migrating().count(), 3);
    let one = block_on(engine.migrate(&plan, &"a-0".into(), &admin(), now)).unwrap();
    assert_eq!(one.instance.definition_version(), 2);
    let report = block_on(engine.migrate_all(&plan, &admin(), now)).unwrap();
    assert_eq!((report.migrated.len(), report.already.len()), (2, 1));
    assert!(
        block_on(engine.migrate_all(&plan, &admin(), now))
            .unwrap()
            .is_noop()
    );
    for i in 0..3 {
        block_on(engine.verify(&format!("a-{i}").into())).unwrap();
    }
}

#[test]
fn clock_policies_restart_and_a_deadline_the_new_version_drops() {
    let engine = engine_with_both(InMemoryStore::new());
    let t0 = monday_9am();
    engine
        .start_version("ticket", 1, "r", &clerk(), json!({}), t0)
        .unwrap();
    let now = t0 + TimeDelta::hours(2);
    // Restart: the clock ends (met, 6 working hours left) and a new one runs 4 hours from now.
    let restart = MigrationBuilder::new("ticket", 1, 2)
        .same_names()
        .clock("answer", ClockPolicy::Restart)
        .build(&ticket(1), &ticket(2))
        .unwrap();
    let out = engine
        .migrate(&restart, &"r".into(), &admin(), now)
        .unwrap();
    let clocks: Vec<_> = out
        .instance
        .deadlines()
        .iter()
        .filter(|d| d.name == "answer")
        .collect();
    assert_eq!(clocks.len(), 2);
    let stopped = clocks[0].stopped.unwrap();
    assert!(stopped.met);
    assert_eq!((stopped.at, stopped.margin_secs), (now, 6 * 3600));
    assert_eq!(clocks[1].started_at, now);
    assert_eq!(
        clocks[1].due_at,
        BusinessCalendar::china_standard()
            .add(now, BusinessDuration::WorkingHours(4))
            .unwrap()
    );
    assert_eq!(
        engine.store().next_due().unwrap().map(|(t, _)| t),
        Some(breach_instant(clocks[1].due_at))
    );
    engine.verify(&"r".into()).unwrap();

    // A version without the deadline: the running clock ends at the migration, whatever the
    // policy.
    let no_clock = Arc::new(
        Builder::new("ticket", 3)
            .roles(["clerk", "lead", "boss"])
            .start_roles(["clerk"])
            .initial("open")
            .normal("review")
            .terminal("done")
            .transition("open", "submit", "review", |t| t.roles(["clerk"]))
            .transition("review", "approve", "done", |t| t.roles(["lead"]))
            .build(&registry())
            .unwrap(),
    );
    let mut engine = engine_with_both(InMemoryStore::new());
    engine.register(Arc::clone(&no_clock)).unwrap();
    engine
        .start_version("ticket", 1, "d", &clerk(), json!({}), t0)
        .unwrap();
    let drop_plan = MigrationBuilder::new("ticket", 1, 3)
        .same_names()
        .clocks(ClockPolicy::Carry)
        .build(&ticket(1), &no_clock)
        .unwrap();
    let out = engine
        .migrate(&drop_plan, &"d".into(), &admin(), now)
        .unwrap();
    assert!(out.instance.running_clock("answer").is_none());
    assert!(out.instance.clock("answer").unwrap().stopped.unwrap().met);
    assert_eq!(
        engine.store().next_due().unwrap(),
        None,
        "nothing due any more"
    );
}

#[test]
fn a_clock_of_the_target_state_starts_at_the_migration() {
    // v5 times the triage step (2 working hours from entering it); open instances of v1 are
    // mapped straight into triage, so the clock starts at the migration.
    let v5 = Arc::new(
        Builder::new("ticket", 5)
            .roles(["clerk", "lead", "boss"])
            .start_roles(["clerk"])
            .initial("open")
            .normal("triage")
            .normal("review")
            .terminal("done")
            .transition("open", "submit", "triage", |t| t.roles(["clerk"]))
            .transition("triage", "accept", "review", |t| t.roles(["lead"]))
            .transition("review", "approve", "done", |t| t.roles(["lead"]))
            .deadline(DeadlineSpec::new(
                "triage_time",
                Trigger::enter("triage"),
                BusinessDuration::WorkingHours(2),
            ))
            .build(&registry())
            .unwrap(),
    );
    let mut engine = engine_with_both(InMemoryStore::new());
    engine.register(Arc::clone(&v5)).unwrap();
    let t0 = monday_9am();
    engine
        .start_version("ticket", 1, "x", &clerk(), json!({}), t0)
        .unwrap();
    let plan = MigrationBuilder::new("ticket", 1, 5)
        .map("open", "triage")
        .map("review", "review")
        .build(&ticket(1), &v5)
        .unwrap();
    let now = t0 + TimeDelta::hours(1);
    let out = engine.migrate(&plan, &"x".into(), &admin(), now).unwrap();
    assert_eq!(out.instance.state(), "triage");
    let triage = out.instance.running_clock("triage_time").unwrap();
    assert_eq!(triage.started_at, now);
    // `answer` is not a deadline of v5: it ended.
    assert!(out.instance.running_clock("answer").is_none());
    let EventKind::Migrated { clocks, .. } = &out.events[0].kind else {
        panic!()
    };
    let names: Vec<_> = clocks.iter().map(|c| c.deadline.as_str()).collect();
    assert_eq!(names, ["answer", "triage_time"]);
    engine.verify(&"x".into()).unwrap();
}
