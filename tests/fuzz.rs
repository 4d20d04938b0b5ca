//! Fuzzing, as a proptest fallback that runs in CI: arbitrary bytes, arbitrary JSON values and
//! mutated valid JSON fed to every parser of untrusted input and on into the core:
//!
//! - `DefinitionSpec::from_json` + `build` (and, when it builds, exports, starts, commands and
//!   deadlines on the result);
//! - `serde_json::from_str::<Command>` then `decide` against live instances (an accepted
//!   decision must replay);
//! - forms (attached to commands, through plain and typed validators);
//! - `Instance` snapshots (`serde_json::from_str::<Instance>` then `verify`, `decide`,
//!   `handle_due`, `available_actions`, SLA figures);
//! - `Event`s applied to and replayed with real histories;
//! - `BusinessCalendar` JSON (then business-time arithmetic and a definition using it).
//!
//! The property everywhere: no panic, and every refusal is a typed error. The total number
//! of executions is printed as `fuzz: N executions ...`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use aftersales::*;
use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};

// ------------------------------------------------------------------------------------------
// The reference world
// ------------------------------------------------------------------------------------------

#[derive(Debug, Serialize, Deserialize, JsonSchema)]
struct Inspection {
    text: String,
    qty: u32,
}

impl TypedForm for Inspection {
    const KIND: &'static str = "inspection";
    fn validate(&self) -> Result<(), String> {
        if self.text.trim().is_empty() || self.qty == 0 {
            Err("empty inspection".into())
        } else {
            Ok(())
        }
    }
}

fn registry() -> Registry {
    Registry::with_calendar(aftersales::BusinessCalendar::china_standard())
        .typed_form::<Inspection>()
        .form("note", |b: &Value| {
            b["text"]
                .as_str()
                .filter(|t| !t.is_empty())
                .map(|_| ())
                .ok_or_else(|| "no text".to_owned())
        })
        .guard("has_amount", |c: &Context<'_>| {
            if c.instance.data()["amount"].is_number() {
                Ok(())
            } else {
                Err("no amount".into())
            }
        })
        .effect("count", |d: &mut Value, c: &Context<'_>| {
            if !d.is_object() {
                return Err("data is not an object".into());
            }
            let n = d["n"].as_i64().unwrap_or(0);
            d["n"] = json!(n.saturating_add(c.payload["by"].as_i64().unwrap_or(1)));
            Ok(())
        })
        .selector("tier", |d: &Value| d["tier"].as_str().map(str::to_owned))
}

fn spec() -> DefinitionSpec {
    Builder::new("ref", 2)
        .roles(["agent", "lead", "finance", "admin"])
        .start_roles(["agent"])
        .override_roles(["admin"])
        .initial("open")
        .normal("working")
        .waiting("waiting")
        .normal("approved")
        .normal("board")
        .terminal("done")
        .form("note")
        .transition("open", "begin", "working", |t| {
            t.roles(["agent"]).form("inspection").merge_payload()
        })
        .transition("working", "note", "working", |t| {
            t.roles(["agent", "lead"]).effect("count")
        })
        .transition("working", "wait", "waiting", |t| t.roles(["agent"]))
        .transition("waiting", "resume", "working", |t| {
            t.roles(["agent"]).merge_payload()
        })
        .transition("working", "approve", "approved", |t| {
            t.sign_off(["lead", "finance"], SignOrder::Sequential, "approve")
                .on_refuse("working")
                .not_same_actor_as("begin")
        })
        .transition("approved", "close", "done", |t| {
            t.roles(["finance"])
                .guard(GuardExpr::All {
                    all: vec![
                        GuardExpr::named("has_amount"),
                        GuardExpr::Not {
                            not: Box::new(GuardExpr::Any {
                                any: vec![GuardExpr::named("has_amount")],
                            }),
                        },
                    ],
                })
                .excluding_role("agent")
        })
        .transition("approved", "close", "done", |t| {
            t.roles(["finance"]).guard("has_amount")
        })
        .transition("board", "decide", "done", |t| {
            t.sign_off(["lead", "finance"], SignOrder::AnyOrder, "board decision")
        })
        .deadline(
            DeadlineSpec::new(
                "calendar_3d",
                Trigger::enter("working"),
                BusinessDuration::CalendarDays(3),
            )
            .warn_at(BusinessDuration::Hours(24))
            .escalate(EscalationSpec::move_to("board").and_notify(["lead"]))
            .escalate(EscalationSpec::notify(["admin"]).after(BusinessDuration::CalendarDays(1))),
        )
        .deadline(
            DeadlineSpec::new(
                "work_4h",
                Trigger::enter("working"),
                BusinessDuration::WorkingHours(4),
            )
            .warn_at(BusinessDuration::WorkingHours(3))
            .met_on(Trigger::action("note")),
        )
        .deadline(
            DeadlineSpec::new(
                "tiered",
                Trigger::action("begin"),
                DurationSpec::Select {
                    selector: "tier".into(),
                    cases: BTreeMap::from([("gold".to_owned(), BusinessDuration::WorkingDays(1))]),
                    default: Some(BusinessDuration::WorkingDays(5)),
                },
            )
            .met_on(Trigger::enter("done")),
        )
        .spec()
}

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 16, 1, 0, 0).unwrap()
}

fn actors() -> Vec<Actor> {
    vec![
        Actor::new("ann", ["agent"]),
        Actor::new("lee", ["lead"]),
        Actor::new("fay", ["finance"]),
        Actor::new("root", ["admin"]),
        Actor::new("lf", ["lead", "finance"]),
        Actor::new("nobody", Vec::<String>::new()),
        Actor::new("dep", ["lead"]).acting_for("ann"),
    ]
}

fn inspection() -> Form {
    Form::typed(
        Inspection::KIND,
        &Inspection {
            text: "scratched".into(),
            qty: 2,
        },
    )
    .unwrap()
}

/// The reference definition, seed snapshots along a path (with their histories), and seed
/// commands.
struct World {
    def: Arc<Definition>,
    /// (snapshot, its history)
    instances: Vec<(Instance, Vec<Event>)>,
    commands: Vec<Command>,
    spec_json: String,
    calendars: Vec<String>,
}

fn world() -> &'static World {
    static WORLD: OnceLock<World> = OnceLock::new();
    WORLD.get_or_init(|| {
        let def = Arc::new(spec().build(&registry()).unwrap());
        let a = actors();
        let steps = [
            Command::fire(&a[0], "begin")
                .with_form(inspection())
                .with_payload(json!({"tier": "gold", "amount": 5})),
            Command::fire(&a[1], "note").with_payload(json!({"by": 2})),
            Command::fire(&a[0], "wait"),
            Command::fire(&a[0], "resume").with_payload(json!({"customer": "back"})),
            Command::sign(&a[1], "approve").with_form(Form::new("note", json!({"text": "ok"}))),
            Command::refuse(&a[2], "approve", "no invoice"),
            Command::sign(&a[1], "approve"),
            Command::sign(&a[2], "approve"),
            Command::fire(&a[2], "close"),
        ];
        let mut inst = aftersales::start(&def, "F-1".into(), &a[0], json!({"k": 1}), t0()).unwrap();
        let mut history = inst.events.clone();
        let mut instances = vec![(inst.instance.clone(), history.clone())];
        let mut now = t0();
        for cmd in &steps {
            now += TimeDelta::hours(5);
            if let Some(d) = aftersales::handle_due(&def, &inst.instance, now).unwrap() {
                history.extend(d.events.iter().cloned());
                inst = d;
            }
            let d = aftersales::decide(&def, &inst.instance, cmd, now)
                .unwrap_or_else(|r| panic!("{cmd:?}: {r}"));
            history.extend(d.events.iter().cloned());
            inst = d;
            instances.push((inst.instance.clone(), history.clone()));
        }
        let mut commands = steps.to_vec();
        commands.extend([
            Command::comment(&a[3], "hello").with_key("k-1"),
            Command::override_to(&a[3], "board", "stuck").with_payload(json!({"penalty_yuan": 20})),
            Command::fire(&a[5], "begin"),
            Command::sign(&a[6], "decide"),
        ]);
        let holidays = BusinessCalendar::builder()
            .holidays([chrono::NaiveDate::from_ymd_opt(2026, 11, 17).unwrap()])
            .extra_working_day(chrono::NaiveDate::from_ymd_opt(2026, 11, 21).unwrap())
            .build()
            .unwrap();
        World {
            spec_json: def.spec().to_json(),
            def,
            instances,
            commands,
            calendars: vec![
                serde_json::to_string(&BusinessCalendar::default()).unwrap(),
                serde_json::to_string(&holidays).unwrap(),
                r#"{"utc_offset_minutes": -300, "holidays": ["2026-12-25"]}"#.to_owned(),
            ],
        }
    })
}

// ------------------------------------------------------------------------------------------
// Inputs
// ------------------------------------------------------------------------------------------

fn special_strings() -> Vec<&'static str> {
    vec![
        "",
        " ",
        "open",
        "working",
        "waiting",
        "done",
        "nowhere",
        "begin",
        "approve",
        "agent",
        "lead",
        "finance",
        "admin",
        "inspection",
        "note",
        "calendar_3d",
        "work_4h",
        "tiered",
        "F-1",
        "ref",
        "gold",
        "working_hours",
        "calendar_months",
        "1970-01-01T00:00:00Z",
        "2026-11-16T01:00:00Z",
        "2026-11-16T01:00:00.123456789+08:00",
        "+262142-12-31T23:59:59Z",
        "-262143-01-01T00:00:00Z",
        "9999-12-31T23:59:59Z",
        "0000-01-01T00:00:00Z",
        "2026-02-30",
        "\u{0}",
        "\u{202e}",
        "/tier",
        "/",
        "~1",
        "{\"all\": []}",
    ]
}

fn leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        prop_oneof![
            Just(0u64),
            Just(1),
            Just(u64::from(u32::MAX)),
            Just(u64::MAX),
            Just(i64::MAX as u64)
        ]
        .prop_map(Value::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(|f| json!(f)),
        "[a-z_]{0,10}".prop_map(Value::String),
        prop::sample::select(special_strings()).prop_map(|s| Value::String(s.to_owned())),
    ]
}

fn arb_json() -> impl Strategy<Value = Value> {
    leaf().prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map(
                prop_oneof![
                    "[a-z_]{1,12}",
                    prop::sample::select(vec![
                        "id",
                        "version",
                        "roles",
                        "start_roles",
                        "actions",
                        "states",
                        "transitions",
                        "deadlines",
                        "name",
                        "kind",
                        "from",
                        "to",
                        "action",
                        "intent",
                        "actor",
                        "payload",
                        "forms",
                        "body",
                        "state",
                        "data",
                        "definition",
                        "definition_version",
                        "closed",
                        "created_at",
                        "updated_at",
                        "deadlines",
                        "due_at",
                        "paused_at",
                        "escalate_at",
                        "escalated",
                        "stopped",
                        "type",
                        "seq",
                        "at",
                        "by",
                        "instance",
                        "week",
                        "holidays",
                        "utc_offset_minutes",
                        "extra_working_days",
                        "start",
                        "end",
                        "sign_off",
                        "order",
                        "on_refuse",
                        "starts",
                        "limit",
                        "on",
                        "selector",
                        "cases",
                        "default",
                        "all",
                        "any",
                        "not",
                        "reason",
                        "text",
                        "to",
                        "idempotency_key",
                    ])
                    .prop_map(str::to_owned),
                ],
                inner,
                0..6,
            )
            .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// One mutation: a path choice, an operation and a replacement value.
type Mutation = (u64, u8, Value);

fn mutations() -> impl Strategy<Value = Vec<Mutation>> {
    // Mostly type-preserving tweaks (5, 6), which get past the parsers into the core.
    let op = prop_oneof![
        1 => Just(0u8),
        2 => Just(1u8),
        1 => Just(2u8),
        1 => Just(3u8),
        1 => Just(4u8),
        6 => Just(5u8),
        4 => Just(6u8),
        1 => Just(7u8),
    ];
    prop::collection::vec((any::<u64>(), op, arb_json()), 1..4)
}

/// Apply `m` to `v` deterministically: walk down to a node chosen by the path bits, then
/// replace it, delete it, duplicate it, rename a key, nest it deeply, or swap in a string.
fn mutate(v: &mut Value, (path, op, with): &Mutation) {
    let mut bits = *path;
    let mut node = v;
    loop {
        let len = match &*node {
            Value::Array(a) => a.len(),
            Value::Object(o) => o.len(),
            _ => 0,
        };
        // Stop here with probability 1/4 at each level, or at leaves.
        // Type-preserving tweaks go down to a leaf, others stop at each level with
        // probability 1/4.
        let leaf_only = *op == 5 || *op == 6;
        if len == 0 || (!leaf_only && bits % 4 == 0) {
            break;
        }
        bits = bits.rotate_right(2);
        let i = usize::try_from(bits % len as u64).unwrap();
        bits = bits.rotate_right(7) ^ 0x9E37_79B9;
        // Deleting or renaming happens one level up, on the container.
        if (*op == 1 || *op == 3) && bits % 3 == 0 {
            match node {
                Value::Array(a) if *op == 1 => {
                    a.remove(i);
                    return;
                }
                Value::Object(o) => {
                    let key = o.keys().nth(i).cloned().unwrap();
                    let val = o.remove(&key).unwrap();
                    if *op == 3 {
                        let new_key = with
                            .as_str()
                            .map_or_else(|| format!("{key}_"), str::to_owned);
                        o.insert(new_key, val);
                    }
                    return;
                }
                _ => {}
            }
        }
        node = match node {
            Value::Array(a) => &mut a[i],
            Value::Object(o) => o.values_mut().nth(i).unwrap(),
            _ => unreachable!(),
        };
    }
    match op {
        0 | 1 | 3 => *node = with.clone(),
        2 => {
            if let Value::Array(a) = node {
                if let Some(x) = a.first().cloned() {
                    a.push(x);
                }
            } else {
                *node = Value::Array(vec![node.clone(), node.clone()]);
            }
        }
        4 => {
            let depth = usize::try_from(bits % 150).unwrap();
            for _ in 0..depth {
                *node = Value::Array(vec![node.clone()]);
            }
        }
        5 => {
            // Same type, hostile value.
            let pool = special_strings();
            let pick = pool[usize::try_from(bits % pool.len() as u64).unwrap()];
            match node {
                Value::String(_) => *node = Value::String(pick.to_owned()),
                Value::Bool(b) => *b = !*b,
                Value::Number(_) => {
                    let edges = [
                        0,
                        1,
                        u64::from(u32::MAX),
                        u64::from(u32::MAX) + 1,
                        i64::MAX as u64,
                        u64::MAX,
                    ];
                    *node = json!(edges[usize::try_from(bits % 6).unwrap()]);
                }
                Value::Array(a) => {
                    if a.len() > 1 {
                        let last = a.len() - 1;
                        a.swap(0, last);
                    } else {
                        a.clear();
                    }
                }
                Value::Object(o) => {
                    if let Some(k) = o.keys().next().cloned() {
                        o.remove(&k);
                    }
                }
                Value::Null => *node = Value::String(pick.to_owned()),
            }
        }
        6 => {
            if let Some(n) = node.as_i64() {
                *node = json!(
                    n.wrapping_add(i64::try_from(bits % 3).unwrap() - 1)
                        .wrapping_mul(if bits % 5 == 0 { -1 } else { 1 })
                );
            } else {
                *node = json!(u64::MAX);
            }
        }
        _ => {
            if let Value::Object(o) = node {
                if let Value::Object(w) = with {
                    o.extend(w.clone());
                }
            } else {
                *node = Value::Null;
            }
        }
    }
}

/// Raw text from one of three sources: arbitrary bytes, an arbitrary JSON value, or a seed
/// document mutated.
fn text_from(seeds: Vec<String>) -> impl Strategy<Value = String> {
    let seeds_for_mut = seeds.clone();
    prop_oneof![
        1 => prop::collection::vec(any::<u8>(), 0..300).prop_map(|b| String::from_utf8_lossy(&b).into_owned()),
        1 => arb_json().prop_map(|v| v.to_string()),
        4 => (prop::sample::select(seeds_for_mut), mutations()).prop_map(|(seed, ms)| {
            let mut v: Value = serde_json::from_str(&seed).unwrap();
            for m in &ms {
                mutate(&mut v, m);
            }
            v.to_string()
        }),
        1 => (prop::sample::select(seeds), any::<u16>(), any::<u8>()).prop_map(|(seed, at, byte)| {
            // A byte-level edit of the seed's text.
            let mut b = seed.into_bytes();
            if !b.is_empty() {
                let i = usize::from(at) % b.len();
                b[i] = byte;
            }
            String::from_utf8_lossy(&b).into_owned()
        }),
    ]
}

// ------------------------------------------------------------------------------------------
// Targets
// ------------------------------------------------------------------------------------------

#[derive(Default)]
struct Count {
    executions: AtomicU64,
    parsed: AtomicU64,
    accepted: AtomicU64,
}

impl Count {
    fn bump(c: &AtomicU64) {
        c.fetch_add(1, Ordering::Relaxed);
    }
}

fn fail(msg: impl Into<String>) -> TestCaseError {
    TestCaseError::fail(msg.into())
}

/// Exercise a built definition: exports, starts, commands from the initial state, deadlines.
fn exercise_definition(def: &Definition) -> Result<(), TestCaseError> {
    let _ = Mermaid(def).to_string();
    let _ = Dot(def).to_string();
    let _ = def.spec().to_json();
    let roles = &def.spec().roles;
    let mut everyone = actors();
    everyone.push(Actor::new("all", roles));
    for (i, actor) in everyone.iter().enumerate() {
        let Ok(d) = aftersales::start(def, format!("x{i}").into(), actor, json!({}), t0()) else {
            continue;
        };
        let mut inst = d.instance;
        Instance::replay(&d.events).map_err(|e| fail(format!("start does not replay: {e}")))?;
        let mut history = d.events;
        for action in def.spec().actions.iter().take(6) {
            for cmd in [Command::fire(actor, action), Command::sign(actor, action)] {
                if let Ok(d) = aftersales::decide(def, &inst, &cmd, t0()) {
                    history.extend(d.events);
                    inst = d.instance;
                }
            }
        }
        let _ = aftersales::available_actions(def, &inst, actor, t0());
        if let Ok(Some(d)) = aftersales::handle_due(def, &inst, t0() + TimeDelta::days(400)) {
            history.extend(d.events);
            inst = d.instance;
        }
        prop_assert_eq!(
            Instance::replay(&history).map_err(|e| fail(e.to_string()))?,
            inst
        );
    }
    Ok(())
}

fn definition_target(text: &str, count: &Count) -> Result<(), TestCaseError> {
    Count::bump(&count.executions);
    match DefinitionSpec::from_json(text) {
        Err(BuildError::Json {
            line,
            column,
            message,
        }) => {
            prop_assert!(line >= 1 || column == 0 || !message.is_empty());
            Ok(())
        }
        // Over a limit (issue 15, finding 5): refused before parsing, typed, with the figures.
        Err(BuildError::OverLimit(over)) => {
            prop_assert!(over.found > over.max, "{over:?}");
            Ok(())
        }
        Err(other) => Err(fail(format!(
            "from_json failed with a non-JSON error: {other:?}"
        ))),
        Ok(spec) => {
            Count::bump(&count.parsed);
            match spec.build(&registry()) {
                Err(BuildError::Invalid { problems, .. }) => {
                    prop_assert!(!problems.is_empty(), "refused without a problem");
                    for p in &problems {
                        prop_assert!(!p.to_string().is_empty());
                    }
                    Ok(())
                }
                Err(other) => Err(fail(format!("build failed with {other:?}"))),
                Ok(def) => {
                    Count::bump(&count.accepted);
                    exercise_definition(&def)
                }
            }
        }
    }
}

fn command_target(text: &str, count: &Count) -> Result<(), TestCaseError> {
    Count::bump(&count.executions);
    let Ok(cmd) = serde_json::from_str::<Command>(text) else {
        return Ok(());
    };
    Count::bump(&count.parsed);
    let _ = cmd.fingerprint();
    let w = world();
    for (inst, history) in &w.instances {
        for now in [t0(), t0() + TimeDelta::days(3)] {
            match aftersales::decide(&w.def, inst, &cmd, now) {
                Ok(d) => {
                    Count::bump(&count.accepted);
                    let mut all = history.clone();
                    all.extend(d.events.iter().cloned());
                    let replayed = Instance::replay(&all)
                        .map_err(|e| fail(format!("accepted decision does not replay: {e}")))?;
                    prop_assert_eq!(&replayed, &d.instance);
                    // What was decided serializes and parses back.
                    let text = serde_json::to_string(&d.events).map_err(|e| fail(e.to_string()))?;
                    let back: Vec<Event> = serde_json::from_str(&text)
                        .map_err(|e| fail(format!("events do not parse back: {e}")))?;
                    prop_assert_eq!(back, d.events);
                }
                Err(r) => prop_assert!(!r.to_string().is_empty()),
            }
        }
    }
    Ok(())
}

fn form_target(text: &str, count: &Count) -> Result<(), TestCaseError> {
    Count::bump(&count.executions);
    let Ok(form) = serde_json::from_str::<Form>(text) else {
        return Ok(());
    };
    Count::bump(&count.parsed);
    let w = world();
    let a = actors();
    let (inst, _) = &w.instances[0];
    for cmd in [
        Command::fire(&a[0], "begin").with_form(form.clone()),
        Command::comment(&a[0], "c").with_form(form.clone()),
        Command::override_to(&a[3], "working", "r").with_form(form),
    ] {
        if aftersales::decide(&w.def, inst, &cmd, t0()).is_ok() {
            Count::bump(&count.accepted);
        }
    }
    Ok(())
}

fn instance_target(text: &str, count: &Count) -> Result<(), TestCaseError> {
    Count::bump(&count.executions);
    let Ok(inst) = serde_json::from_str::<Instance>(text) else {
        return Ok(());
    };
    Count::bump(&count.parsed);
    let w = world();
    for (_, history) in w.instances.iter().step_by(3) {
        let _ = inst.verify(history);
    }
    let _ = inst.next_due();
    let _ = serde_json::to_string(&inst).map_err(|e| fail(e.to_string()))?;
    for now in [t0(), t0() + TimeDelta::days(10)] {
        let mut sla = SlaReport::new();
        sla.add(&w.def, &inst, now);
        let _ = aftersales::handle_due(&w.def, &inst, now);
        for actor in actors().iter().take(3) {
            let _ = aftersales::available_actions(&w.def, &inst, actor, now);
        }
        for cmd in &w.commands {
            if aftersales::decide(&w.def, &inst, cmd, now).is_ok() {
                Count::bump(&count.accepted);
            }
        }
    }
    Ok(())
}

fn event_target(text: &str, count: &Count) -> Result<(), TestCaseError> {
    Count::bump(&count.executions);
    let Ok(ev) = serde_json::from_str::<Event>(text) else {
        return Ok(());
    };
    Count::bump(&count.parsed);
    let w = world();
    for (inst, history) in w.instances.iter().step_by(2) {
        let mut copy = inst.clone();
        if copy.apply(&ev).is_ok() {
            Count::bump(&count.accepted);
            let _ = aftersales::handle_due(&w.def, &copy, t0() + TimeDelta::days(5));
            let _ = copy.next_due();
        }
        // Spliced into a real history.
        let mut spliced = history.clone();
        spliced.insert(history.len() / 2, ev.clone());
        let _ = Instance::replay(&spliced);
        let _ = Instance::replay(std::iter::once(&ev));
    }
    Ok(())
}

fn calendar_target(text: &str, count: &Count) -> Result<(), TestCaseError> {
    Count::bump(&count.executions);
    let Ok(cal) = serde_json::from_str::<BusinessCalendar>(text) else {
        return Ok(());
    };
    Count::bump(&count.parsed);
    let starts = [
        t0(),
        t0() + TimeDelta::minutes(437),
        DateTime::<Utc>::MIN_UTC + TimeDelta::days(2),
        DateTime::<Utc>::MAX_UTC - TimeDelta::days(2),
    ];
    for &start in &starts {
        let _ = cal.is_working_time(start);
        let _ = cal.next_working_instant(start);
        for d in [
            BusinessDuration::WorkingMinutes(90),
            BusinessDuration::WorkingHours(30),
            BusinessDuration::WorkingDays(12),
            BusinessDuration::CalendarDays(40),
            BusinessDuration::Hours(100),
            BusinessDuration::CalendarMonths(14),
        ] {
            if let Ok(end) = cal.add(start, d) {
                prop_assert!(end >= start, "{d} went back in time");
            }
        }
        let _ = cal.working_time_between(
            start,
            start + TimeDelta::days(30).min(DateTime::<Utc>::MAX_UTC - start),
        );
    }
    // A definition computing its deadlines with it.
    let def = spec()
        .build(&registry().calendar(cal))
        .map_err(|e| fail(e.to_string()))?;
    let a = actors();
    if let Ok(d) = aftersales::start(&def, "c".into(), &a[0], json!({}), t0()) {
        let cmd = Command::fire(&a[0], "begin").with_form(inspection());
        if let Ok(d) = aftersales::decide(&def, &d.instance, &cmd, t0()) {
            Count::bump(&count.accepted);
            let _ = aftersales::handle_due(&def, &d.instance, t0() + TimeDelta::days(60));
        }
    }
    Ok(())
}

// ------------------------------------------------------------------------------------------
// The runs
// ------------------------------------------------------------------------------------------

type Target = fn(&str, &Count) -> Result<(), TestCaseError>;

fn run(name: &str, salt: u64, cases: u32, seeds: Vec<String>, target: Target) -> (u64, u64, u64) {
    let count = Count::default();
    let mut runner = support::runner(cases, salt);
    let result = runner.run(&text_from(seeds), |text| target(&text, &count));
    let figures = (
        count.executions.load(Ordering::Relaxed),
        count.parsed.load(Ordering::Relaxed),
        count.accepted.load(Ordering::Relaxed),
    );
    support::announce(&format!(
        "fuzz {name}: {} executions ({} parsed, {} accepted downstream)",
        figures.0, figures.1, figures.2
    ));
    if let Err(e) = result {
        panic!("fuzz {name}: {e}");
    }
    figures
}

/// A minimal valid spec, as a second seed for definitions.
const TINY_SPEC: &str = r#"{"id": "tiny", "version": 1, "roles": ["clerk"], "start_roles": ["clerk"],
  "actions": ["finish"], "states": [{"name": "open", "kind": "initial"}, {"name": "done", "kind": "terminal"}],
  "transitions": [{"from": "open", "action": "finish", "to": "done", "roles": ["clerk"]}],
  "deadlines": [{"name": "d", "starts": {"on": "enter", "state": "open"}, "limit": {"working_hours": 2}}]}"#;

/// Every target in turn (one test, so the total is one figure).
#[test]
fn fuzz_every_parser_of_untrusted_input() {
    let w = world();
    let text = |items: Vec<String>| items;
    let runs: Vec<(&str, u64, u32, Vec<String>, Target)> = vec![
        (
            "definitions",
            11,
            500,
            text(vec![w.spec_json.clone(), TINY_SPEC.to_owned()]),
            definition_target,
        ),
        (
            "commands",
            12,
            400,
            w.commands
                .iter()
                .map(|c| serde_json::to_string(c).unwrap())
                .collect(),
            command_target,
        ),
        (
            "forms",
            13,
            300,
            [
                inspection(),
                Form::new("note", json!({"text": "x"})),
                Form::new("memo", json!(null)),
            ]
            .iter()
            .map(|f| serde_json::to_string(f).unwrap())
            .collect(),
            form_target,
        ),
        (
            "instances",
            14,
            500,
            w.instances
                .iter()
                .map(|(i, _)| serde_json::to_string(i).unwrap())
                .collect(),
            instance_target,
        ),
        (
            "events",
            15,
            400,
            w.instances
                .last()
                .unwrap()
                .1
                .iter()
                .map(|e| serde_json::to_string(e).unwrap())
                .collect(),
            event_target,
        ),
        ("calendars", 16, 300, w.calendars.clone(), calendar_target),
    ];
    let mut total = (0, 0, 0);
    for (name, salt, cases, seeds, target) in runs {
        let f = run(name, salt, cases, seeds, target);
        assert!(f.1 > 0, "fuzz {name}: nothing parsed; the seeds are broken");
        total = (total.0 + f.0, total.1 + f.1, total.2 + f.2);
    }
    support::announce(&format!(
        "fuzz: {} executions in total ({} parsed, {} accepted downstream; seed {:#x})",
        total.0,
        total.1,
        total.2,
        support::seed()
    ));
}

/// JSON definitions, commands and forms at scale: `RELIABILITY_FUZZ` executions in total
/// (default 3,000; CI sets 1,000,000 in release, see docs/reliability.md), split between the
/// three targets, each on its own thread. Prints `fuzz at scale: N executions ...`.
#[test]
fn fuzz_definitions_commands_and_forms_at_scale() {
    let total = support::target("RELIABILITY_FUZZ", 3_000);
    // Shares in per mille: building and exercising a definition costs the most.
    let share = |per_mille: u64| u32::try_from(total * per_mille / 1000 + 1).unwrap_or(u32::MAX);
    let w = world();
    let definitions = vec![w.spec_json.clone(), TINY_SPEC.to_owned()];
    let commands: Vec<String> = w
        .commands
        .iter()
        .map(|c| serde_json::to_string(c).unwrap())
        .collect();
    let forms: Vec<String> = [
        inspection(),
        Form::new("note", json!({"text": "x"})),
        Form::new("memo", json!(null)),
    ]
    .iter()
    .map(|f| serde_json::to_string(f).unwrap())
    .collect();
    let runs: [(&str, u64, u32, Vec<String>, Target); 3] = [
        (
            "definitions at scale",
            21,
            share(250),
            definitions,
            definition_target,
        ),
        (
            "commands at scale",
            22,
            share(250),
            commands,
            command_target,
        ),
        ("forms at scale", 23, share(500), forms, form_target),
    ];
    let figures: Vec<(u64, u64, u64)> = std::thread::scope(|scope| {
        let handles: Vec<_> = runs
            .into_iter()
            .map(|(name, salt, cases, seeds, target)| {
                scope.spawn(move || run(name, salt, cases, seeds, target))
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
            .collect()
    });
    let sum = |f: fn(&(u64, u64, u64)) -> u64| figures.iter().map(f).sum::<u64>();
    let executions = sum(|f| f.0);
    support::announce(&format!(
        "fuzz at scale: {executions} executions over JSON definitions, commands and forms ({} parsed, {} accepted downstream; seed {:#x})",
        sum(|f| f.1),
        sum(|f| f.2),
        support::seed()
    ));
    assert!(executions >= total, "fewer executions than asked for");
    for (name, f) in ["definitions", "commands", "forms"].iter().zip(&figures) {
        assert!(f.1 > 0, "fuzz {name} at scale: nothing parsed");
    }
}
