//! `build()` validation: one row per rule, each a small broken spec and the problem it must
//! report; plus "every problem at once" and malformed JSON.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test helpers may panic

use aftersales::*;
use serde_json::json;

/// A valid base spec: open -> review -> done, with a reject loop.
fn base() -> serde_json::Value {
    json!({
        "id": "t", "version": 1,
        "roles": ["clerk", "boss"],
        "start_roles": ["clerk"],
        "actions": ["submit", "approve", "reject"],
        "forms": ["report"],
        "states": [
            {"name": "open", "kind": "initial"},
            {"name": "review"},
            {"name": "done", "kind": "terminal"}
        ],
        "transitions": [
            {"from": "open", "action": "submit", "to": "review", "roles": ["clerk"], "forms": ["report"]},
            {"from": "review", "action": "approve", "to": "done", "roles": ["boss"], "guards": ["ok"]},
            {"from": "review", "action": "reject", "to": "open", "roles": ["boss"]}
        ]
    })
}

fn registry() -> Registry {
    Registry::with_calendar(aftersales::BusinessCalendar::china_standard())
        .guard("ok", |_: &Context<'_>| Ok(()))
}

fn build(v: serde_json::Value) -> Result<Definition, BuildError> {
    Definition::from_json(&v.to_string(), &registry())
}

/// Add state `name` (normal) to the spec `v`.
fn add_state(v: &mut serde_json::Value, name: &str) {
    v["states"]
        .as_array_mut()
        .unwrap()
        .push(json!({ "name": name }));
}

/// Add the transition `from -action-> to` by `boss` to the spec `v`.
fn add_move(v: &mut serde_json::Value, from: &str, action: &str, to: &str) {
    let t = json!({"from": from, "action": action, "to": to, "roles": ["boss"]});
    v["transitions"].as_array_mut().unwrap().push(t);
}

fn problems(v: serde_json::Value) -> Vec<Problem> {
    match build(v) {
        Ok(_) => vec![],
        Err(e) => e.problems().to_vec(),
    }
}

#[test]
fn base_spec_is_valid() {
    let def = build(base()).unwrap();
    assert_eq!(def.initial_state(), "open");
    assert_eq!(def.actions_from("review"), vec!["approve", "reject"]);
}

type Mutation = fn(&mut serde_json::Value);

#[test]
fn each_rule_reports_its_problem() {
    let s = |x: &str| x.to_owned();
    let rows: Vec<(&str, Mutation, Problem)> = vec![
        (
            "no initial state",
            |v| v["states"][0]["kind"] = json!("normal"),
            Problem::NoInitialState,
        ),
        (
            "two initial states",
            |v| v["states"][1]["kind"] = json!("initial"),
            Problem::MultipleInitialStates {
                states: vec![s("open"), s("review")],
            },
        ),
        (
            "duplicate state",
            |v| add_state(v, "review"),
            Problem::DuplicateState { state: s("review") },
        ),
        (
            "duplicate action",
            |v| v["actions"].as_array_mut().unwrap().push(json!("submit")),
            Problem::DuplicateAction {
                action: s("submit"),
            },
        ),
        (
            "duplicate role",
            |v| v["roles"].as_array_mut().unwrap().push(json!("boss")),
            Problem::DuplicateRole { role: s("boss") },
        ),
        (
            "unknown target state",
            |v| v["transitions"][2]["to"] = json!("nowhere"),
            Problem::UnknownState {
                state: s("nowhere"),
                used_in: s("transition #2 (`reject`: review -> nowhere)"),
            },
        ),
        (
            "unknown role",
            |v| v["transitions"][0]["roles"] = json!(["clerk", "ghost"]),
            Problem::UnknownRole {
                role: s("ghost"),
                used_in: s("transition #0 (`submit`: open -> review)"),
            },
        ),
        (
            "unknown action",
            |v| v["transitions"][2]["action"] = json!("bounce"),
            Problem::UnknownAction {
                action: s("bounce"),
                used_in: s("transition #2 (`bounce`: review -> open)"),
            },
        ),
        (
            "unknown guard",
            |v| v["transitions"][1]["guards"] = json!(["ok", {"not": "missing"}]),
            Problem::UnknownGuard {
                guard: s("missing"),
                used_in: s("transition #1 (`approve`: review -> done)"),
            },
        ),
        (
            "unknown form",
            |v| v["transitions"][0]["forms"] = json!(["memo"]),
            Problem::UnknownForm {
                form: s("memo"),
                used_in: s("transition #0 (`submit`: open -> review)"),
            },
        ),
        (
            "unreachable state",
            |v| {
                add_state(v, "island");
                add_move(v, "island", "approve", "done");
            },
            Problem::Unreachable { state: s("island") },
        ),
        (
            "no terminal reachable",
            |v| {
                add_state(v, "loop");
                add_move(v, "open", "reject", "loop");
                add_move(v, "loop", "reject", "loop");
            },
            Problem::CannotTerminate { state: s("loop") },
        ),
        (
            "non-terminal dead end",
            |v| {
                add_state(v, "stuck");
                add_move(v, "open", "reject", "stuck");
            },
            Problem::DeadEnd { state: s("stuck") },
        ),
        (
            "ambiguous unguarded transitions",
            |v| {
                add_move(v, "review", "reject", "done");
            },
            Problem::Ambiguous {
                state: s("review"),
                action: s("reject"),
                first: 2,
                second: 3,
            },
        ),
        (
            "terminal with outgoing",
            |v| {
                add_move(v, "done", "reject", "open");
            },
            Problem::TerminalWithOutgoing {
                state: s("done"),
                action: s("reject"),
            },
        ),
        (
            "sign-off no role can give",
            |v| {
                v["transitions"][1]["sign_off"] =
                    json!({"roles": ["boss", "clerk"], "meaning": "approve"});
            },
            Problem::SignOffUngivable {
                from: s("review"),
                action: s("approve"),
                role: s("clerk"),
            },
        ),
        (
            "empty sign-off",
            |v| {
                v["transitions"][1]["roles"] = json!([]);
                v["transitions"][1]["sign_off"] = json!({"roles": [], "meaning": "approve"});
            },
            Problem::EmptySignOff {
                from: s("review"),
                action: s("approve"),
            },
        ),
        (
            "transition nobody may fire",
            |v| v["transitions"][2]["roles"] = json!([]),
            Problem::NobodyMayFire {
                from: s("review"),
                action: s("reject"),
            },
        ),
        (
            "nobody may start",
            |v| v["start_roles"] = json!([]),
            Problem::NoStartRole,
        ),
        (
            "deadline on a terminal state",
            |v| {
                v["deadlines"] = json!([{"name": "late", "starts": {"on": "enter", "state": "done"},
                                         "limit": {"working_hours": 4}}]);
            },
            Problem::DeadlineOnTerminal {
                deadline: s("late"),
                state: s("done"),
            },
        ),
        (
            "escalation target missing",
            |v| {
                v["deadlines"] = json!([{"name": "late", "starts": {"on": "enter", "state": "review"},
                                         "limit": {"working_hours": 4},
                                         "escalation": [{"move_to": "meeting"}]}]);
            },
            Problem::EscalationTargetUnknown {
                deadline: s("late"),
                state: s("meeting"),
            },
        ),
        (
            "duplicate deadline",
            |v| {
                let d = json!({"name": "late", "starts": {"on": "enter", "state": "review"},
                               "limit": {"working_hours": 4}});
                v["deadlines"] = json!([d.clone(), d]);
            },
            Problem::DuplicateDeadline {
                deadline: s("late"),
            },
        ),
        (
            "unknown selector",
            |v| {
                v["deadlines"] = json!([{"name": "late", "starts": {"on": "enter", "state": "review"},
                                         "limit": {"selector": "class", "cases": {"A": {"calendar_days": 1}}}}]);
            },
            Problem::UnknownSelector {
                selector: s("class"),
                deadline: s("late"),
            },
        ),
        (
            "escalation rungs out of order",
            |v| {
                v["deadlines"] = json!([{"name": "late", "starts": {"on": "enter", "state": "review"},
                                         "limit": {"working_hours": 4},
                                         "escalation": [{"after": {"working_days": 2}, "notify": ["boss"]},
                                                        {"after": {"working_days": 1}, "notify": ["boss"]}]}]);
            },
            Problem::EscalationOutOfOrder {
                deadline: s("late"),
                rung: 1,
            },
        ),
        (
            "warning after the limit",
            |v| {
                v["deadlines"] = json!([{"name": "late", "starts": {"on": "enter", "state": "review"},
                                         "limit": {"working_days": 15}, "warn_at": {"working_days": 30}}]);
            },
            Problem::WarningAfterLimit {
                deadline: s("late"),
            },
        ),
    ];
    for (name, mutate, expected) in rows {
        let mut v = base();
        mutate(&mut v);
        let found = problems(v);
        assert!(
            found.contains(&expected),
            "{name}: expected {expected:?} in {found:?}"
        );
    }
}

#[test]
fn every_problem_is_reported_at_once() {
    let mut v = base();
    v["start_roles"] = json!([]);
    v["transitions"][0]["roles"] = json!(["ghost"]);
    v["transitions"][1]["guards"] = json!(["missing"]);
    add_state(&mut v, "island");
    let found = problems(v);
    assert!(found.contains(&Problem::NoStartRole));
    assert!(
        found
            .iter()
            .any(|p| matches!(p, Problem::UnknownRole { role, .. } if role == "ghost"))
    );
    assert!(
        found
            .iter()
            .any(|p| matches!(p, Problem::UnknownGuard { guard, .. } if guard == "missing"))
    );
    assert!(found.contains(&Problem::Unreachable {
        state: "island".into()
    }));
    assert!(found.contains(&Problem::DeadEnd {
        state: "island".into()
    }));
    assert!(found.len() >= 5, "{found:?}");
}

#[test]
fn too_many_roles() {
    let mut v = base();
    let roles: Vec<String> = (0..70).map(|i| format!("r{i}")).collect();
    v["roles"] = json!(roles);
    v["start_roles"] = json!(["r0"]);
    for t in v["transitions"].as_array_mut().unwrap() {
        t["roles"] = json!(["r0"]);
    }
    assert!(problems(v).contains(&Problem::TooManyRoles { count: 70, max: 64 }));
}

#[test]
fn malformed_json_is_a_typed_error_with_position() {
    for (text, line) in [
        ("{", 1),
        ("{\"id\": 3}", 1),
        ("{\n\"id\": \"x\",\n\"version\": -1}", 3),
    ] {
        match Definition::from_json(text, &registry()) {
            Err(BuildError::Json { line: l, .. }) => assert_eq!(l, line, "{text}"),
            other => panic!("{text}: {other:?}"),
        }
    }
}

#[test]
fn unknown_fields_are_refused() {
    let mut v = base();
    v["states"][0]["colour"] = json!("red");
    assert!(matches!(build(v), Err(BuildError::Json { .. })));
}

#[test]
fn guards_combine_without_code() {
    let mut v = base();
    v["transitions"][1]["guards"] = json!([{"all": ["ok", {"any": ["ok", {"not": "ok"}]}]}]);
    assert!(build(v).is_ok());
}

#[test]
fn spec_round_trips_through_json() {
    let def = build(base()).unwrap();
    let again = DefinitionSpec::from_json(&def.spec().to_json()).unwrap();
    assert_eq!(&again, def.spec());
}
