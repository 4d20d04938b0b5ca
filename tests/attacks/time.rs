//! Finding 3: time went backwards. A command with `now` a year before the last event was
//! accepted; the history went out of order and a deadline stopped "met" before it started,
//! and `verify` still passed. Time now only moves forward per instance.

use aftersales::*;
use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use serde_json::json;

/// Monday 2026-11-16 09:00 in Shanghai.
fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 16, 1, 0, 0).unwrap()
}

fn clerk() -> Actor {
    Actor::new("ann", ["clerk"])
}

/// `open -begin-> working -finish-> done`, with a 4-working-hour clock on `working`.
fn engine() -> (Engine<InMemoryStore>, InstanceId) {
    let def = Builder::new("ticket", 1)
        .roles(["clerk"])
        .start_roles(["clerk"])
        .initial("open")
        .normal("working")
        .terminal("done")
        .transition("open", "begin", "working", |t| t.roles(["clerk"]))
        .transition("working", "finish", "done", |t| t.roles(["clerk"]))
        .deadline(DeadlineSpec::new(
            "answer",
            Trigger::enter("working"),
            BusinessDuration::WorkingHours(4),
        ))
        .build(&Registry::with_calendar(BusinessCalendar::china_standard()))
        .unwrap();
    let mut engine = Engine::new(InMemoryStore::new());
    engine.register(def).unwrap();
    let id = InstanceId::from("t-1");
    engine
        .start("ticket", id.clone(), &clerk(), json!({}), t0())
        .unwrap();
    engine
        .fire(
            &id,
            &Command::fire(&clerk(), "begin"),
            t0() + TimeDelta::hours(1),
        )
        .unwrap();
    (engine, id)
}

#[test]
fn a_command_a_year_before_the_last_event_is_refused_and_the_history_stays_in_order() {
    let (engine, id) = engine();
    let last = engine.load(&id).unwrap().updated_at();
    let year_before = last - TimeDelta::days(365);
    let err = engine
        .fire(&id, &Command::fire(&clerk(), "finish"), year_before)
        .unwrap_err();
    assert_eq!(
        err.rejection(),
        Some(&Rejection::TimeWentBackwards {
            last,
            now: year_before
        })
    );
    // The clock did not stop "met" before it started: it still runs.
    let inst = engine.load(&id).unwrap();
    assert_eq!(inst.state(), "working");
    assert!(inst.running_clock("answer").is_some());
    // The refusal is recorded at the last event's instant, never before it.
    let history = engine.history(&id).unwrap();
    assert!(history.windows(2).all(|p| p[0].at <= p[1].at));
    engine.verify(&id).unwrap();
}

#[test]
fn a_breach_dated_before_the_last_event_is_refused() {
    let (engine, id) = engine();
    let due = engine
        .load(&id)
        .unwrap()
        .running_clock("answer")
        .unwrap()
        .due_at;
    // Someone acts an hour after the limit, before the host's timer ran ...
    engine
        .fire(
            &id,
            &Command::comment(&clerk(), "still on it"),
            due + TimeDelta::hours(1),
        )
        .unwrap();
    // ... so the breach may not be written "back" at the moment the limit passed.
    let inst = engine.load(&id).unwrap();
    let def = engine.definition("ticket").unwrap();
    assert!(matches!(
        handle_due(def, &inst, breach_instant(due)),
        Err(Rejection::TimeWentBackwards { .. })
    ));
    // At the host's present it is recorded, after the last event.
    let report = engine.handle_due(due + TimeDelta::hours(2)).unwrap();
    assert_eq!(report.handled.len(), 1);
    let history = engine.history(&id).unwrap();
    assert!(history.windows(2).all(|p| p[0].at <= p[1].at));
    engine.verify(&id).unwrap();
}
