//! Stock rules declared in a definition instead of written as guards: a text the payload must
//! give, which actions may attach which forms, and actions available in every open state.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests")]

mod common;

use aftersales::*;
use chrono::{DateTime, Utc};
use common::defs::{Shape, assert_problem, china, engine_with, flow, monday_9am, on_enter};
use common::refusal;
use serde_json::json;

fn now() -> DateTime<Utc> {
    monday_9am()
}

fn clerk() -> Actor {
    Actor::new("li", ["clerk"])
}

fn boss() -> Actor {
    Actor::new("wang", ["manager"])
}

/// open → review → closed, a `reject` that needs a reason, an 8D form only `submit` may attach,
/// `flag_serious` in every open state (stays) and `withdraw` in every open state (to `withdrawn`).
fn builder() -> Builder {
    flow("stock", 1, &["clerk", "manager"])
        .states("open", &["review"], &["closed", "withdrawn"])
        .moves("clerk", "open -submit-> review")
        .transition("review", "reject", "open", |t| {
            t.roles(["manager"]).reason_required()
        })
        .moves("manager", "review -approve-> closed")
        .form("8d_report")
        .attach("8d_report", ["submit"])
        .anywhere("flag_serious", None, |t| {
            t.roles(["clerk", "manager"]).requires_text("note")
        })
        .anywhere("withdraw", Some("withdrawn"), |t| {
            t.roles(["clerk"]).reason_required()
        })
}

fn engine() -> Engine<InMemoryStore> {
    let e = engine_with([builder().build_china()]);
    e.start("stock", "S-1", &clerk(), json!({}), now()).unwrap();
    e
}

#[test]
fn a_required_text_must_be_given_and_not_blank() {
    let e = engine();
    let id = InstanceId::from("S-1");
    e.fire(&id, &Command::fire(&clerk(), "submit"), now())
        .unwrap();
    for payload in [
        json!(null),
        json!({}),
        json!({ "reason": "  " }),
        json!({ "reason": 3 }),
    ] {
        let cmd = Command::fire(&boss(), "reject").with_payload(payload);
        assert!(
            matches!(refusal(e.fire(&id, &cmd, now())), Rejection::TextRequired { ref field, .. } if field == "reason"),
        );
    }
    let cmd = Command::fire(&boss(), "reject").with_payload(json!({ "reason": "no root cause" }));
    assert_eq!(e.fire(&id, &cmd, now()).unwrap().instance.state(), "open");
}

#[test]
fn only_the_declared_actions_may_attach_a_restricted_form() {
    let e = engine();
    let id = InstanceId::from("S-1");
    let report = Form::new("8d_report", json!({ "d2": "noise" }));
    // A comment may not carry it.
    let r = refusal(e.fire(
        &id,
        &Command::comment(&clerk(), "see 8D").with_form(report.clone()),
        now(),
    ));
    assert!(
        matches!(r, Rejection::FormNotAttachable { form, action } if form == "8d_report" && action == "comment")
    );
    // `submit` may.
    let out = e
        .fire(
            &id,
            &Command::fire(&clerk(), "submit").with_form(report.clone()),
            now(),
        )
        .unwrap();
    assert_eq!(out.instance.forms().len(), 1);
    // `flag_serious` (everywhere) may not.
    let cmd = Command::fire(&clerk(), "flag_serious")
        .with_payload(json!({ "note": "customer escalated" }))
        .with_form(report);
    assert!(matches!(
        refusal(e.fire(&id, &cmd, now())),
        Rejection::FormNotAttachable { .. }
    ));
}

#[test]
fn an_action_declared_anywhere_is_available_in_every_open_state_and_nowhere_else() {
    let def = builder().build_china();
    for state in ["open", "review"] {
        let actions = def.actions_from(state);
        assert!(actions.contains(&Name::new("flag_serious")), "{state}");
        assert!(actions.contains(&Name::new("withdraw")), "{state}");
        assert!(def.has_edge(state, "withdrawn"), "{state}");
    }
    assert!(def.actions_from("closed").is_empty());
    // Declared once in the spec.
    assert_eq!(def.spec().anywhere.len(), 2);
    assert!(
        def.spec()
            .transitions
            .iter()
            .all(|t| t.action != "withdraw")
    );

    let e = engine();
    let id = InstanceId::from("S-1");
    let flag = Command::fire(&boss(), "flag_serious").with_payload(json!({ "note": "twice" }));
    let out = e.fire(&id, &flag, now()).unwrap();
    assert_eq!(
        out.instance.state(),
        "open",
        "a flag stays where the instance is"
    );
    e.fire(&id, &Command::fire(&clerk(), "submit"), now())
        .unwrap();
    // Roles still apply: the manager may not withdraw.
    let withdraw =
        |who: &Actor| Command::fire(who, "withdraw").with_payload(json!({ "reason": "duplicate" }));
    assert!(matches!(
        refusal(e.fire(&id, &withdraw(&boss()), now())),
        Rejection::Forbidden { .. }
    ));
    let out = e.fire(&id, &withdraw(&clerk()), now()).unwrap();
    assert_eq!(out.instance.state(), "withdrawn");
    assert!(out.instance.is_closed());
    assert!(matches!(
        refusal(e.fire(&id, &flag, now())),
        Rejection::InstanceClosed { .. }
    ));
    e.verify(&id).unwrap();
}

#[test]
fn a_problem_of_an_anywhere_action_is_reported_once() {
    let err = builder()
        .anywhere("escalate", Some("nowhere"), |t| t.roles(["director"]))
        .build(&china())
        .unwrap_err();
    let BuildError::Invalid { problems, .. } = err else {
        panic!("expected problems");
    };
    let unknown_role = problems
        .iter()
        .filter(|p| matches!(p, Problem::UnknownRole { role, .. } if role == "director"))
        .count();
    let unknown_state = problems
        .iter()
        .filter(|p| matches!(p, Problem::UnknownState { state, .. } if state == "nowhere"))
        .count();
    assert_eq!((unknown_role, unknown_state), (1, 1), "{problems:?}");
}

#[test]
fn attach_rules_name_declared_forms_and_actions() {
    let mut spec = builder().spec();
    spec.attach
        .insert("photo".into(), vec!["submit".into(), "send".into()]);
    let err = spec.build(&china()).unwrap_err();
    let BuildError::Invalid { problems, .. } = err else {
        panic!("expected problems");
    };
    let unknown: Vec<(&str, &str)> = problems
        .iter()
        .filter_map(|p| match p {
            Problem::UnknownForm { form, .. } => Some(("form", form.as_str())),
            Problem::UnknownAction { action, .. } => Some(("action", action.as_str())),
            _ => None,
        })
        .collect();
    assert!(unknown.contains(&("form", "photo")), "{problems:?}");
    assert!(unknown.contains(&("action", "send")), "{problems:?}");
}

#[test]
fn stock_rules_survive_a_json_round_trip() {
    let spec = builder().spec();
    let text = spec.to_json();
    assert!(text.contains("\"anywhere\""), "{text}");
    assert!(text.contains("\"requires_text\""), "{text}");
    let back = DefinitionSpec::from_json(&text).unwrap();
    assert_eq!(back, spec);
    back.build(&china()).unwrap();
}

#[test]
fn diagrams_show_the_text_a_transition_requires() {
    let def = builder().build(&Registry::new()).unwrap();
    // Conditions are in the verbose diagrams (the compact default names actions only).
    let (mermaid, dot) = (
        Mermaid(&def).verbose().to_string(),
        Dot(&def).verbose().to_string(),
    );
    let label = "reject [manager] if reason given";
    let edge = format!("review --> open: {label}\n");
    assert!(mermaid.contains(&edge), "{mermaid}");
    assert!(dot.contains(&format!("label=\"{label}\"")), "{dot}");
}

#[test]
fn diagrams_show_the_actions_of_every_open_state_once() {
    let def = builder().build_china();
    let mermaid = Mermaid(&def).to_string();
    common::assert_contains_all(
        &mermaid,
        &[
            "state \"in every open state\" as anywhere",
            "anywhere --> withdrawn: withdraw",
            "anywhere : flag_serious",
        ],
    );
    assert_eq!(mermaid.matches(": withdraw").count(), 1, "{mermaid}");
    let dot = Dot(&def).to_string();
    assert!(
        dot.contains(
            "\"*anywhere*\" -> \"withdrawn\" [label=\"withdraw\", style=dashed, color=gray40, constraint=false];"
        ),
        "{dot}"
    );
}

/// A definition authored as JSON names its calendar; the host registers calendars by name.
#[test]
fn a_json_definition_names_its_calendar() {
    let mut spec = builder()
        .deadline(on_enter(
            "review_in_time",
            "review",
            BusinessDuration::WorkingHours(4),
        ))
        .spec();
    spec.calendar = Some("berlin-plant".into());
    let json = spec.to_json();
    assert!(json.contains("\"calendar\": \"berlin-plant\""), "{json}");
    // Unknown name: a build problem.
    let err = Definition::from_json(&json, &Registry::new()).unwrap_err();
    assert_problem(
        &err,
        &Problem::UnknownCalendar {
            calendar: "berlin-plant".into(),
        },
    );
    // Registered: deadlines are computed in it (a calendar working round the clock in UTC
    // makes 4 working hours 4 hours).
    let round_the_clock = BusinessCalendar::builder()
        .offset_minutes(0)
        .weekday(
            chrono::Weekday::Mon,
            vec![WorkingPeriod::hm(0, 0, 23, 59).unwrap()],
        )
        .build()
        .unwrap();
    let registry = Registry::new().named_calendar("berlin-plant", round_the_clock);
    let def = Definition::from_json(&json, &registry).unwrap();
    let e = engine_with([def]);
    e.start("stock", "C-1", &clerk(), json!({}), now()).unwrap();
    e.fire(&"C-1".into(), &Command::fire(&clerk(), "submit"), now())
        .unwrap();
    assert_eq!(
        e.next_due().unwrap(),
        Some(breach_instant(now() + chrono::TimeDelta::hours(4)))
    );
}
