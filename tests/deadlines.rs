//! Deadline policies: data-dependent limits, target/limit ranges, escalation ladders,
//! reassignment, action-started clocks, and validation of the policies themselves.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test helpers may panic

use aftersales::*;
use chrono::{DateTime, TimeDelta, Utc};
use common::defs::{
    Shape, assert_problem, engine_with, flow, local, on_action, on_enter, one_step,
    visit_definition,
};
use serde_json::json;
use std::collections::BTreeMap;

mod common;

/// Monday 2026-11-16 09:00 local.
fn monday() -> DateTime<Utc> {
    common::defs::monday_9am()
}

fn definition() -> Definition {
    let cases: BTreeMap<String, BusinessDuration> = [
        ("A".to_owned(), BusinessDuration::CalendarDays(1)),
        ("B".to_owned(), BusinessDuration::CalendarDays(2)),
        ("C".to_owned(), BusinessDuration::CalendarDays(3)),
    ]
    .into();
    flow("dl", 1, &["desk", "lead", "head"])
        .states("open", &["solving", "meeting"], &["closed"])
        .moves(
            "desk",
            "open -accept-> solving -reply-> solving -solve-> closed",
        )
        .moves("head", "meeting -solve-> closed")
        // Arrival promise by customer class, read from the data by JSON pointer.
        .deadline(
            on_action(
                "promise",
                "accept",
                DurationSpec::Select {
                    selector: "/class".into(),
                    cases,
                    default: None,
                },
            )
            .met_on(Trigger::action("reply")),
        )
        // 15–30 working days: warn at the target, breach at the limit; a ladder after it.
        .deadline(
            on_enter("solve", "solving", BusinessDuration::WorkingDays(30))
                .warn_at(BusinessDuration::WorkingDays(15))
                .escalate(EscalationSpec::notify(["lead"]).reassign_to("lead"))
                .escalate(
                    EscalationSpec::move_to("meeting")
                        .and_notify(["head"])
                        .after(BusinessDuration::WorkingDays(1)),
                )
                .owner("desk"),
        )
        .build_china()
}

fn engine() -> Engine<InMemoryStore> {
    engine_with([definition()])
}

/// Instance `id` of class `class` started and accepted by the desk on Monday morning.
fn accepted(e: &Engine<InMemoryStore>, id: impl Into<InstanceId>, class: &str) -> InstanceId {
    let id = id.into();
    e.start(
        "dl",
        id.clone(),
        &desk(),
        json!({ "class": class }),
        monday(),
    )
    .unwrap();
    e.fire(&id, &Command::fire(&desk(), "accept"), monday())
        .unwrap();
    id
}

fn desk() -> Actor {
    Actor::new("d", ["desk"])
}

#[test]
fn duration_depends_on_instance_data() {
    let e = engine();
    for (class, days) in [("A", 1), ("B", 2), ("C", 3)] {
        let id = InstanceId::from(format!("c-{class}"));
        e.start("dl", id.clone(), &desk(), json!({"class": class}), monday())
            .unwrap();
        let out = e
            .fire(&id, &Command::fire(&desk(), "accept"), monday())
            .unwrap();
        let promise = out.instance.clock("promise").unwrap();
        assert_eq!(
            promise.due_at,
            monday() + TimeDelta::days(days),
            "class {class}"
        );
    }
}

#[test]
fn a_missing_case_refuses_the_command() {
    let e = engine();
    e.start("dl", "x", &desk(), json!({"class": "Z"}), monday())
        .unwrap();
    let err = e
        .fire(&"x".into(), &Command::fire(&desk(), "accept"), monday())
        .unwrap_err();
    assert!(
        matches!(err.rejection(), Some(Rejection::DeadlineUncomputable { deadline, .. }) if deadline == "promise")
    );
    assert_eq!(e.load(&"x".into()).unwrap().state(), "open");
}

#[test]
fn action_started_clock_is_met_by_its_action() {
    let e = engine();
    accepted(&e, "m", "A");
    let out = e
        .fire(
            &"m".into(),
            &Command::fire(&desk(), "reply"),
            monday() + TimeDelta::hours(2),
        )
        .unwrap();
    let promise = out.instance.clock("promise").unwrap();
    assert_eq!(
        promise.status(),
        SlaStatus::Met {
            margin_secs: 22 * 3600
        }
    );
    let solve = out.instance.clock("solve").unwrap();
    assert!(
        solve.is_active(),
        "a self-loop neither stops nor restarts the state's clock"
    );
    assert_eq!(solve.started_at, monday());
}

#[test]
fn range_warns_at_target_then_ladder_escalates_in_order() {
    let e = engine();
    let id = accepted(&e, "r", "C");
    e.fire(&id, &Command::fire(&desk(), "reply"), monday())
        .unwrap();
    // 15 working days from Mon 11-16 09:00 = Mon 12-07 09:00; 30 = Mon 12-28 09:00.
    let solve = |e: &Engine<InMemoryStore>| e.load(&id).unwrap().clock("solve").cloned().unwrap();
    assert_eq!(solve(&e).warn_at, Some(local(2026, 12, 7, 9, 0)));
    assert_eq!(solve(&e).due_at, local(2026, 12, 28, 9, 0));
    assert_eq!(
        solve(&e).escalate_at,
        vec![local(2026, 12, 28, 9, 0), local(2026, 12, 29, 9, 0)]
    );

    // One boundary rule: an instant on a clock is handled once it has passed.
    assert!(
        e.handle_due(local(2026, 12, 7, 9, 0))
            .unwrap()
            .handled
            .is_empty()
    );
    e.handle_due(breach_instant(local(2026, 12, 7, 9, 0)))
        .unwrap();
    assert_eq!(solve(&e).status(), SlaStatus::Warned);
    assert!(
        e.handle_due(local(2026, 12, 28, 9, 0))
            .unwrap()
            .handled
            .is_empty()
    );
    let at_limit = e
        .handle_due(breach_instant(local(2026, 12, 28, 9, 0)))
        .unwrap();
    let kinds: Vec<&str> = at_limit.handled[0]
        .1
        .iter()
        .map(|x| x.kind.name())
        .collect();
    assert_eq!(kinds, vec!["deadline_breached", "escalated"]);
    let inst = e.load(&id).unwrap();
    assert_eq!(inst.assignee().as_deref(), Some("lead"));
    assert_eq!(
        inst.state(),
        "solving",
        "first rung only notifies and reassigns"
    );
    let next = e
        .handle_due(breach_instant(local(2026, 12, 29, 9, 0)))
        .unwrap();
    let ev = &next.handled[0].1;
    assert!(ev.iter().any(
        |x| matches!(&x.kind, EventKind::Escalated { step: 1, moved: Some((f, t)), notify, .. }
        if f == "solving" && t == "meeting" && notify == &vec!["head".to_string()])
    ));
    let inst = e.load(&id).unwrap();
    assert_eq!(inst.state(), "meeting");
    assert_eq!(
        solve(&e).status(),
        SlaStatus::Breached,
        "breached stays breached"
    );
    e.fire(
        &id,
        &Command::fire(&Actor::new("h", ["head"]), "solve"),
        local(2026, 12, 30, 9, 0),
    )
    .unwrap();
    assert_eq!(solve(&e).status(), SlaStatus::Breached);
    e.verify(&id).unwrap();
}

#[test]
fn handle_due_catches_up_several_steps_in_one_call() {
    let e = engine();
    let id = accepted(&e, "late", "B");
    let report = e.handle_due(local(2027, 3, 1, 9, 0)).unwrap();
    let kinds: Vec<&str> = report.handled[0].1.iter().map(|x| x.kind.name()).collect();
    assert_eq!(
        kinds,
        vec![
            "deadline_breached",
            "deadline_warned",
            "deadline_breached",
            "escalated",
            "escalated",
            "deadline_stopped"
        ],
        "promise breach (day 2), then solve: warning, breach, rung 1, rung 2 (moves: the state's clock stops)"
    );
    assert_eq!(e.load(&id).unwrap().state(), "meeting");
    assert!(
        e.handle_due(local(2027, 3, 1, 9, 0))
            .unwrap()
            .handled
            .is_empty()
    );
}

#[test]
fn sla_status_at_counts_an_unhandled_overrun() {
    let e = engine();
    accepted(&e, "s", "A");
    let inst = e.load(&"s".into()).unwrap();
    let promise = inst.clock("promise").unwrap();
    assert_eq!(promise.status_at(monday()), SlaStatus::Pending);
    assert_eq!(
        promise.status_at(monday() + TimeDelta::days(2)),
        SlaStatus::Breached
    );
    let report = e.sla_report(monday() + TimeDelta::days(2)).unwrap();
    assert_eq!(report.by_deadline["dl/promise"].breached, 1);
    assert_eq!(report.by_deadline["dl/solve"].open, 1);
}

#[test]
fn a_waiting_state_pauses_other_clocks_but_times_the_party_waited_on() {
    let def = Builder::new("wait", 1)
        .roles(["cqe"])
        .start_roles(["cqe"])
        .initial("open")
        .waiting("waiting_supplier")
        .terminal("closed")
        .transition("open", "ask_supplier", "waiting_supplier", |t| {
            t.roles(["cqe"])
        })
        .transition("waiting_supplier", "supplier_answered", "open", |t| {
            t.roles(["cqe"])
        })
        .transition("open", "close", "closed", |t| t.roles(["cqe"]))
        .deadline(on_enter("solve", "open", BusinessDuration::WorkingDays(7)))
        .deadline(
            on_enter(
                "supplier_8d",
                "waiting_supplier",
                BusinessDuration::WorkingDays(2),
            )
            .escalate(EscalationSpec::notify(["cqe"])),
        )
        .build_china();
    let e = engine_with([def]);
    let cqe = Actor::new("c", ["cqe"]);
    e.start("wait", "w", &cqe, json!({}), monday()).unwrap();
    e.fire(&"w".into(), &Command::fire(&cqe, "ask_supplier"), monday())
        .unwrap();
    let inst = e.load(&"w".into()).unwrap();
    let clock = |name: &str| {
        inst.deadlines()
            .iter()
            .find(|d| d.name == name)
            .cloned()
            .unwrap()
    };
    assert_eq!(
        clock("solve").status(),
        SlaStatus::Paused,
        "our clock waits with us"
    );
    assert_eq!(
        clock("supplier_8d").status(),
        SlaStatus::Pending,
        "the supplier's clock runs"
    );
    let report = e.handle_due(local(2026, 11, 18, 9, 30)).unwrap();
    let kinds: Vec<&str> = report.handled[0].1.iter().map(|x| x.kind.name()).collect();
    assert_eq!(kinds, vec!["deadline_breached", "escalated"]);
    let out = e
        .fire(
            &"w".into(),
            &Command::fire(&cqe, "supplier_answered"),
            local(2026, 11, 18, 10, 0),
        )
        .unwrap();
    let solve = out
        .instance
        .deadlines()
        .iter()
        .find(|d| d.name == "solve")
        .unwrap();
    assert_eq!(
        solve.status(),
        SlaStatus::Pending,
        "resumed with its 7 working days intact"
    );
    assert_eq!(solve.due_at, local(2026, 11, 27, 10, 0));
}

/// 001 asks for monthly figures: each clock is judged once, in the period holding the instant
/// it was met or went past its limit, and counts as open in the periods before.
#[test]
fn sla_report_for_a_period_counts_each_clock_once() {
    let e = engine();
    // "m": promise (class A, 1 calendar day) met on Monday; "l": promise missed on Tuesday
    // (due Tuesday 09:00), replied on Thursday.
    for (id, class) in [("m", "A"), ("l", "A")] {
        accepted(&e, id, class);
    }
    e.fire(
        &"m".into(),
        &Command::fire(&desk(), "reply"),
        monday() + TimeDelta::hours(2),
    )
    .unwrap();
    let thursday = monday() + TimeDelta::days(3);
    e.fire(&"l".into(), &Command::fire(&desk(), "reply"), thursday)
        .unwrap();
    let monday_only = Period::new(monday(), monday() + TimeDelta::days(1));
    let rest_of_week = Period::new(monday() + TimeDelta::days(1), monday() + TimeDelta::days(7));
    let before = Period::new(monday() - TimeDelta::days(7), monday());
    let first = e.sla_report_for(monday_only).unwrap();
    let promise = first.by_deadline["dl/promise"];
    assert_eq!((promise.met, promise.breached, promise.open), (1, 0, 1));
    let second = e.sla_report_for(rest_of_week).unwrap();
    let promise = second.by_deadline["dl/promise"];
    assert_eq!((promise.met, promise.breached, promise.open), (0, 1, 0));
    // Nothing had started before Monday.
    assert_eq!(
        e.sla_report_for(before).unwrap().total,
        SlaCounts::default()
    );
    // The two periods together judge both clocks exactly once.
    let judged =
        |r: &SlaReport| r.by_deadline["dl/promise"].met + r.by_deadline["dl/promise"].breached;
    assert_eq!(judged(&first) + judged(&second), 2);
}

/// 001: 客诉率 < 3 % — complaints the company is responsible for ÷ service orders completed,
/// strictly below the goal.
#[test]
fn complaint_rate_kpi_is_strictly_below_three_percent() {
    assert!(
        !ComplaintRate::new(3, 100).meets_goal(),
        "exactly 3 % is not below 3 %"
    );
    assert!(ComplaintRate::new(2, 100).meets_goal());
    assert!(ComplaintRate::new(29, 1000).meets_goal());
    assert!(!ComplaintRate::new(31, 1000).meets_goal());
    assert_eq!(ComplaintRate::new(3, 100).rate_permille(), Some(30));
    assert!(ComplaintRate::new(0, 0).meets_goal());
    assert!(!ComplaintRate::new(1, 0).meets_goal());
    assert_eq!(ComplaintRate::new(1, 0).rate_permille(), None);
    let chart = serde_json::to_value(ComplaintRate::new(2, 100)).unwrap();
    assert_eq!(chart["goal_permille"], 30);
}

/// 001 (after-sales service commitment, 四 故障响应时间, SVC-WTY §4 (001 L131)): "1小时内响应,1个工作日内
/// 免费上门服务" — on site within 1 working day of the report. A host's definition built with the
/// builder: the clock starts when the report is taken, runs until the visit whatever the case
/// does meanwhile (`Runs::UntilMet`), and ends at the close of business of the next working day
/// (`WorkingDaysClose(1)`): a Friday 16:00 report is on time at Monday 17:30, late at 18:01.
#[test]
fn s001_l131_on_site_within_one_working_day_ends_at_the_close_of_the_next_working_day() {
    let def = visit_definition(&common::defs::china());
    let friday_4pm = local(2026, 11, 20, 16, 0);
    let monday_close = local(2026, 11, 23, 18, 0);
    let desk = Actor::new("d", ["desk"]);
    let engineer = Actor::new("e", ["engineer"]);
    let e = engine_with([def]);
    for (id, visit_at, on_time) in [
        ("on-time", local(2026, 11, 23, 17, 30), true),
        ("at-the-close", monday_close, true),
        ("late", local(2026, 11, 23, 18, 1), false),
    ] {
        e.start("service_visit", id, &desk, json!({}), friday_4pm)
            .unwrap();
        let inst = e.load(&id.into()).unwrap();
        assert_eq!(inst.clock("on_site").unwrap().due_at, monday_close, "{id}");
        // Leaving the reported state does not end the clock: it runs until the visit.
        e.fire(&id.into(), &Command::fire(&desk, "schedule"), friday_4pm)
            .unwrap();
        assert!(
            e.load(&id.into())
                .unwrap()
                .running_clock("on_site")
                .is_some(),
            "{id}"
        );
        let out = e
            .fire(&id.into(), &Command::fire(&engineer, "visit"), visit_at)
            .unwrap();
        let clock = out.instance.clock("on_site").unwrap();
        assert_eq!(clock.stopped.map(|s| s.met), Some(on_time), "{id}");
    }
}

#[test]
fn a_clock_that_runs_while_in_state_must_start_on_entering_one() {
    let clock = on_action("x", "finish", BusinessDuration::Hours(1));
    let err = one_step(
        "bad",
        "desk",
        ("open", "finish", "done"),
        clock.runs(Runs::WhileInState),
    )
    .build_err();
    assert_problem(
        &err,
        &Problem::WhileInStateWithoutEnter {
            deadline: "x".into(),
        },
    );
}

/// A deadline hanging on a date in the data, counted backwards: "notify 7 days before the
/// entry date" (product decision `PD-DUR`'s example; a host definition).
#[test]
fn an_anchored_deadline_counts_back_from_a_date_in_the_data() {
    let notice = on_enter("notice", "planned", BusinessDuration::CalendarDays(7));
    let notice = notice.anchored_before(AnchorSource::data("/entry_date"));
    let def = one_step("visit", "desk", ("planned", "notify", "notified"), notice).build_china();
    let e = engine_with([def]);
    let desk = Actor::new("d", ["desk"]);
    e.start(
        "visit",
        "v",
        &desk,
        json!({ "entry_date": "2026-12-20" }),
        monday(),
    )
    .unwrap();
    // The entry date is read as 00:00 local (UTC+8) on 2026-12-20; 7 days before it.
    let due = e.load(&"v".into()).unwrap().clock("notice").unwrap().due_at;
    assert_eq!(due, local(2026, 12, 13, 0, 0));
    // No date: the clock cannot start, and the command that would start it is refused.
    let r = e
        .start("visit", "w", &desk, json!({}), monday())
        .unwrap_err();
    assert!(
        matches!(r.rejection(), Some(Rejection::DeadlineUncomputable { .. })),
        "{r}"
    );
}

/// A window with an early and a late bound around an appointment in a form: "arrive 5–10
/// minutes before the appointment" — before 09:50 is early, 09:50–09:55 on time, after it late.
#[test]
fn a_window_around_an_appointment_tells_early_on_time_and_late() {
    let def = flow("arrival", 1, &["tech"])
        .states("requested", &["booked"], &["arrived"])
        .transition("requested", "book", "booked", |t| {
            t.roles(["tech"]).fresh_form("booking")
        })
        .transition("booked", "arrive", "arrived", |t| t.roles(["tech"]))
        .deadline(
            on_enter("arrival", "booked", BusinessDuration::Minutes(5))
                .anchored_before(AnchorSource::form("booking", "/appointment"))
                .not_before(BusinessDuration::Minutes(10)),
        )
        .build_china();
    let tech = Actor::new("t", ["tech"]);
    let booking = Form::new(
        "booking",
        json!({ "appointment": "2026-11-17T10:00:00+08:00" }),
    );
    for (id, at, status) in [
        ("early", local(2026, 11, 17, 9, 45), SlaStatus::Early),
        (
            "first-minute",
            local(2026, 11, 17, 9, 50),
            SlaStatus::Met { margin_secs: 300 },
        ),
        (
            "last-minute",
            local(2026, 11, 17, 9, 55),
            SlaStatus::Met { margin_secs: 0 },
        ),
        ("late", local(2026, 11, 17, 9, 56), SlaStatus::Breached),
    ] {
        let d = aftersales::start(&def, id.into(), &tech, json!({}), monday()).unwrap();
        let book = Command::fire(&tech, "book").with_form(booking.clone());
        let d = aftersales::decide(&def, &d.instance, &book, monday()).unwrap();
        let clock = d.instance.clock("arrival").unwrap();
        assert_eq!(clock.not_before, Some(local(2026, 11, 17, 9, 50)), "{id}");
        assert_eq!(clock.due_at, local(2026, 11, 17, 9, 55), "{id}");
        let arrive = Command::fire(&tech, "arrive");
        let d = aftersales::decide(&def, &d.instance, &arrive, at).unwrap();
        assert_eq!(
            d.instance.clock("arrival").unwrap().status(),
            status,
            "{id}"
        );
    }
    // Counting backwards in working time is refused at build time.
    let x = on_enter("x", "requested", BusinessDuration::WorkingHours(2));
    let x = x.anchored_before(AnchorSource::data("/when"));
    let err = one_step("bad", "tech", ("requested", "finish", "done"), x).build_err();
    assert_problem(
        &err,
        &Problem::AnchorBackwardsNotWallClock {
            deadline: "x".into(),
        },
    );
}

/// A repeating clock: "report progress every 7 days while execution runs" — each report
/// meets the current cycle and starts the next; leaving execution ends it; a late report
/// is recorded as a breach of that cycle.
#[test]
fn a_repeating_clock_starts_a_new_cycle_each_time_it_is_met_while_it_may_run() {
    let progress = on_enter("progress", "execution", BusinessDuration::CalendarDays(7))
        .met_on(Trigger::action("report_progress"))
        .repeating();
    let def = one_step("exec", "lead", ("execution", "finish", "done"), progress)
        .moves("lead", "execution -report_progress-> execution")
        .build_china();
    let lead = Actor::new("l", ["lead"]);
    let report = |d: &Decision, at| {
        aftersales::decide(
            &def,
            &d.instance,
            &Command::fire(&lead, "report_progress"),
            at,
        )
        .unwrap()
    };
    let d = aftersales::start(&def, "x".into(), &lead, json!({}), monday()).unwrap();
    let d = report(&d, monday() + TimeDelta::days(6));
    let d = report(&d, monday() + TimeDelta::days(14));
    let cycles: Vec<(DateTime<Utc>, Option<bool>)> = d
        .instance
        .deadlines()
        .iter()
        .map(|c| (c.due_at, c.stopped.map(|s| s.met)))
        .collect();
    assert_eq!(
        cycles,
        [
            (monday() + TimeDelta::days(7), Some(true)),
            (monday() + TimeDelta::days(13), Some(false)),
            (monday() + TimeDelta::days(21), None),
        ]
    );
    let done = aftersales::decide(
        &def,
        &d.instance,
        &Command::fire(&lead, "finish"),
        monday() + TimeDelta::days(15),
    )
    .unwrap();
    assert!(
        done.instance
            .deadlines()
            .iter()
            .all(|c| c.stopped.is_some())
    );
    assert_eq!(
        done.instance.deadlines().len(),
        3,
        "no new cycle after the instance closed"
    );
    // A repeating clock needs something that meets it.
    let p = on_enter("p", "execution", BusinessDuration::Hours(1));
    let err = one_step(
        "bad",
        "lead",
        ("execution", "finish", "done"),
        p.repeating(),
    )
    .build_err();
    assert_problem(
        &err,
        &Problem::RepeatWithoutMet {
            deadline: "p".into(),
        },
    );
}

/// A deadline anchored at the start of another clock: started by a later action, measured
/// from the earlier clock's start ("2 working days from the form", QD-004 §8 (004 L623)); a
/// clock the definition does not declare is refused at build time.
#[test]
fn an_anchored_deadline_counts_from_another_clocks_start() {
    let bad = on_action("x", "finish", BusinessDuration::Hours(1))
        .anchored_after(AnchorSource::clock_start(["nope"]));
    let err = one_step("bad", "desk", ("open", "finish", "done"), bad).build_err();
    assert_problem(
        &err,
        &Problem::UnknownAnchorClock {
            deadline: "x".into(),
            clock: "nope".into(),
        },
    );
    let none = on_action("x", "finish", BusinessDuration::Hours(1))
        .anchored_after(AnchorSource::clock_start(Vec::<String>::new()));
    let err = one_step("bad", "desk", ("open", "finish", "done"), none).build_err();
    assert_problem(
        &err,
        &Problem::UnknownAnchorClock {
            deadline: "x".into(),
            clock: String::new(),
        },
    );
}

/// A clock with a start condition starts only when the value holds at its trigger ("reply
/// within 2 working days when nothing is returned"); a condition reading an undeclared form
/// is refused at build time.
#[test]
fn a_clock_with_a_start_condition_starts_only_when_it_holds() {
    let bad = on_action("x", "finish", BusinessDuration::Hours(1))
        .start_if(StartIf::form("nope", "/flag", true));
    let err = one_step("bad", "desk", ("open", "finish", "done"), bad).build_err();
    assert_problem(
        &err,
        &Problem::UnknownForm {
            form: "nope".into(),
            used_in: "deadline `x` start condition".into(),
        },
    );
    let clock = on_enter("x", "planned", BusinessDuration::Hours(4))
        .start_if(StartIf::data("/returned", false));
    let def = one_step("visit", "desk", ("planned", "notify", "notified"), clock).build_china();
    let e = engine_with([def]);
    let desk = Actor::new("d", ["desk"]);
    e.start(
        "visit",
        "kept",
        &desk,
        json!({ "returned": false }),
        monday(),
    )
    .unwrap();
    e.start(
        "visit",
        "back",
        &desk,
        json!({ "returned": true }),
        monday(),
    )
    .unwrap();
    e.start("visit", "none", &desk, json!({}), monday())
        .unwrap();
    assert!(e.load(&"kept".into()).unwrap().clock("x").is_some());
    assert!(e.load(&"back".into()).unwrap().clock("x").is_none());
    assert!(e.load(&"none".into()).unwrap().clock("x").is_none());
}
