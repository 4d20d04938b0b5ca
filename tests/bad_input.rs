//! The bad-input catalogue: hostile and malformed inputs, one row each, with the exact typed
//! error expected (or, where the crate deliberately accepts the input, `Accepted`). Every row
//! runs; all mismatches are reported together.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;
mod support;

use aftersales::*;
use chrono::{DateTime, TimeZone, Utc};
use common::cast::{clerk, finance, manager, report};
use common::defs::{Shape, china, engine_over, engine_with, flow, on_enter};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::sync::Arc;

/// What a row produced.
#[derive(Debug, PartialEq)]
enum Got {
    /// Accepted (and, where it applies, the stored history replays to the snapshot).
    Accepted,
    Refused(Rejection),
    EngineErr(EngineError),
    ReplayErr(ReplayError),
    StoreErr(StoreError),
    BuildErr(BuildError),
    /// A serde_json error: its category, line and column.
    JsonErr(serde_json::error::Category, usize, usize),
}

impl From<Result<aftersales::Decision, Rejection>> for Got {
    fn from(r: Result<aftersales::Decision, Rejection>) -> Self {
        r.map_or_else(Got::Refused, |_| Got::Accepted)
    }
}

impl From<Result<Outcome, EngineError>> for Got {
    fn from(r: Result<Outcome, EngineError>) -> Self {
        match r {
            Ok(_) => Got::Accepted,
            Err(EngineError::Rejected { rejection, .. }) => Got::Refused(rejection),
            Err(e) => Got::EngineErr(e),
        }
    }
}

impl From<Result<Instance, ReplayError>> for Got {
    fn from(r: Result<Instance, ReplayError>) -> Self {
        r.map_or_else(Got::ReplayErr, |_| Got::Accepted)
    }
}

fn json_err(e: &serde_json::Error) -> Got {
    Got::JsonErr(e.classify(), e.line(), e.column())
}

/// Monday 2026-11-16 09:00 local.
fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 16, 1, 0, 0).unwrap()
}

fn registry() -> Registry {
    china().form("report", |b: &Value| {
        if b["text"].as_str().is_some_and(|t| !t.is_empty()) {
            Ok(())
        } else {
            Err("text is empty".into())
        }
    })
}

fn builder(version: u32) -> Builder {
    Builder::new("claim", version)
        .roles(["clerk", "manager", "finance", "admin"])
        .start_roles(["clerk"])
        .override_roles(["admin"])
        .states("draft", &["review", "approved"], &["done"])
        .transition("draft", "submit", "review", |t| {
            t.roles(["clerk"]).form("report").merge_payload()
        })
        .transition("review", "approve", "approved", |t| {
            t.roles(["manager"]).not_same_actor_as("submit")
        })
        .moves("manager", "review -reject-> draft")
        .transition("approved", "pay", "done", |t| {
            t.sign_off(
                ["manager", "finance"],
                SignOrder::Sequential,
                "release payment",
            )
        })
        .deadline(
            on_enter(
                "review_by_class",
                "review",
                DurationSpec::Select {
                    selector: "/class".into(),
                    cases: BTreeMap::from([("A".to_owned(), BusinessDuration::WorkingHours(4))]),
                    default: None,
                },
            )
            .met_on(Trigger::leave("review")),
        )
}

fn definition(version: u32) -> Definition {
    builder(version).build(&registry()).unwrap()
}

/// An engine holding `draft` (just started), `review` (submitted, class A) and `done`.
struct Fixture {
    def: Definition,
    engine: Engine<InMemoryStore>,
}

impl Fixture {
    fn new() -> Self {
        let engine = engine_with([definition(1)]);
        let e = &engine;
        let go = |id: &str, cmds: &[Command]| {
            e.start("claim", id, &clerk(), json!({"class": "A"}), t0())
                .unwrap();
            for c in cmds {
                e.fire(&id.into(), c, t0()).unwrap();
            }
        };
        let submit = Command::fire(&clerk(), "submit").with_form(report());
        go("draft", &[]);
        go("review", std::slice::from_ref(&submit));
        go(
            "done",
            &[
                submit,
                Command::fire(&manager(), "approve"),
                Command::sign(&manager(), "pay"),
                Command::sign(&finance(), "pay"),
            ],
        );
        Fixture {
            def: definition(1),
            engine,
        }
    }

    fn load(&self, id: &str) -> Arc<Instance> {
        self.engine.load(&id.into()).unwrap()
    }

    fn fire(&self, id: &str, cmd: Command) -> Got {
        self.engine.fire(&id.into(), &cmd, t0()).into()
    }

    fn decide(&self, inst: &Instance, cmd: Command) -> Got {
        aftersales::decide(&self.def, inst, &cmd, t0()).into()
    }

    fn history(&self, id: &str) -> Vec<Event> {
        self.engine.history(&id.into()).unwrap()
    }

    /// `c` committed straight to the store.
    fn commit(&self, c: Commit) -> Got {
        self.engine
            .store()
            .commit(c)
            .map_or_else(Got::StoreErr, |()| Got::Accepted)
    }

    /// The manager's approval of `review`, decided but not committed.
    fn approved_review(&self) -> Decision {
        aftersales::decide(
            &self.def,
            &self.load("review"),
            &Command::fire(&manager(), "approve"),
            t0(),
        )
        .unwrap()
    }

    /// The manager's approval of `review` as a commit linked to its chain head, expecting
    /// version `expected`, with idempotency record `key`.
    fn approval_commit(&self, expected: u64, key: Option<IdempotencyRecord>) -> Commit {
        let base = self.load("review");
        let d = aftersales::decide(
            &self.def,
            &base,
            &Command::fire(&manager(), "approve"),
            t0(),
        )
        .unwrap();
        Commit::linked(
            d.instance,
            d.events,
            base.chain_head().unwrap(),
            expected,
            key,
        )
    }

    /// The history of `review` edited by `edit`, replayed.
    fn replay_edited(&self, edit: impl FnOnce(&mut Vec<Event>)) -> Got {
        let mut h = self.history("review");
        edit(&mut h);
        Instance::replay(&h).into()
    }

    /// The snapshot of `id` with its JSON edited by `edit`.
    fn edited(&self, id: &str, edit: impl FnOnce(&mut Value)) -> Instance {
        let mut v = serde_json::to_value(self.load(id)).unwrap();
        edit(&mut v);
        serde_json::from_value(v).unwrap()
    }
}

fn huge_payload() -> Value {
    let mut big = serde_json::Map::new();
    for i in 0..10_000 {
        big.insert(format!("k{i}"), json!(i));
    }
    big.insert("blob".into(), json!("x".repeat(1 << 20)));
    Value::Object(big)
}

fn nested(levels: usize) -> Value {
    (0..levels).fold(json!("x"), |v, _| json!([v]))
}

type Row = (&'static str, Box<dyn Fn(&Fixture) -> Got>, Got);

fn row(name: &'static str, run: impl Fn(&Fixture) -> Got + 'static, expected: Got) -> Row {
    (name, Box::new(run), expected)
}

fn rows() -> Vec<Row> {
    let max = aftersales::MAX_JSON_DEPTH;
    vec![
        // --- actors and roles ------------------------------------------------------------
        row(
            "unknown role",
            |f| f.fire("draft", Command::fire(&Actor::new("gus", ["ghost"]), "submit").with_form(report())),
            Got::Refused(Rejection::Forbidden { action: "submit".into(), actor: "gus".into(), allowed: vec!["clerk".into()] }),
        ),
        row(
            "unknown role starting an instance",
            |f| f.engine.start("claim", "new", &Actor::new("gus", ["ghost"]), json!({}), t0()).into(),
            Got::Refused(Rejection::Forbidden { action: "start".into(), actor: "gus".into(), allowed: vec!["clerk".into()] }),
        ),
        row(
            "no roles at all, commenting",
            |f| f.fire("draft", Command::comment(&Actor::new("nobody", Vec::<String>::new()), "hi")),
            Got::Refused(Rejection::Forbidden {
                action: "comment".into(),
                actor: "nobody".into(),
                allowed: vec!["clerk".into(), "manager".into(), "finance".into(), "admin".into()],
            }),
        ),
        row(
            "override by a role without override rights",
            |f| f.fire("review", Command::override_to(&manager(), "done", "hurry")),
            Got::Refused(Rejection::Forbidden { action: "override".into(), actor: "bob".into(), allowed: vec!["admin".into()] }),
        ),
        row(
            "separation of duties: the submitter approves",
            |f| f.fire("review", Command::fire(&Actor::new("ann", ["clerk", "manager"]), "approve")),
            Got::Refused(Rejection::SeparationOfDuties {
                action: "approve".into(),
                actor: "ann".into(),
                rule: "not the actor who did `submit`".into(),
            }),
        ),
        row(
            "delegate of the submitter approves",
            |f| f.fire("review", Command::fire(&Actor::new("dan", ["manager"]).acting_for("ann"), "approve")),
            Got::Refused(Rejection::SeparationOfDuties {
                action: "approve".into(),
                actor: "dan".into(),
                rule: "not the actor who did `submit`".into(),
            }),
        ),
        // --- actions -------------------------------------------------------------------------
        row("unknown action", |f| f.fire("review", Command::fire(&manager(), "fly")), Got::Refused(Rejection::UnknownAction { action: "fly".into() })),
        row("empty action", |f| f.fire("review", Command::fire(&manager(), "")), Got::Refused(Rejection::UnknownAction { action: Name::new("") })),
        row(
            "action not available in this state",
            |f| f.fire("review", Command::fire(&clerk(), "submit").with_form(report())),
            Got::Refused(Rejection::NoSuchTransition { state: "review".into(), action: "submit".into() }),
        ),
        row(
            "firing a sign-off transition",
            |f| {
                let d = f.decide(&f.load("review"), Command::fire(&manager(), "approve"));
                assert_eq!(d, Got::Accepted);
                let inst = f.approved_review().instance;
                f.decide(&inst, Command::fire(&manager(), "pay"))
            },
            Got::Refused(Rejection::SignOffRequired { action: "pay".into() }),
        ),
        row(
            "signing a transition without a sign-off",
            |f| f.fire("review", Command::sign(&manager(), "approve")),
            Got::Refused(Rejection::NoSignOff { action: "approve".into(), state: "review".into() }),
        ),
        row(
            "signing out of order",
            |f| {
                let inst = f.approved_review().instance;
                f.decide(&inst, Command::sign(&finance(), "pay"))
            },
            Got::Refused(Rejection::SignOutOfOrder { action: "pay".into(), expected_role: "manager".into() }),
        ),
        row(
            "signing twice",
            |f| {
                let inst = f.approved_review().instance;
                let both = Actor::new("mf", ["manager", "finance"]);
                let inst = aftersales::decide(&f.def, &inst, &Command::sign(&both, "pay"), t0()).unwrap().instance;
                f.decide(&inst, Command::sign(&both, "pay"))
            },
            Got::Refused(Rejection::AlreadySigned { action: "pay".into(), actor: "mf".into(), person: Some("mf".into()), signed_by: Some("mf".into()) }),
        ),
        // --- closed instances ------------------------------------------------------------------
        row("command on a closed instance", |f| f.fire("done", Command::comment(&clerk(), "late")), Got::Refused(Rejection::InstanceClosed { state: "done".into() })),
        row(
            "override of a closed instance",
            |f| f.fire("done", Command::override_to(&Actor::new("root", ["admin"]), "draft", "reopen")),
            Got::Refused(Rejection::InstanceClosed { state: "done".into() }),
        ),
        // --- idempotency ----------------------------------------------------------------------
        row(
            "duplicate idempotency key with a different payload",
            |f| {
                let c = Command::comment(&clerk(), "first").with_key("k1");
                assert_eq!(f.fire("draft", c), Got::Accepted);
                f.fire("draft", Command::comment(&clerk(), "second").with_key("k1"))
            },
            Got::EngineErr(EngineError::KeyReused { instance: "draft".into(), key: "k1".into() }),
        ),
        row(
            "duplicate idempotency key with the same command (a retry)",
            |f| {
                let c = Command::comment(&clerk(), "once").with_key("k2");
                assert_eq!(f.fire("draft", c.clone()), Got::Accepted);
                let v = f.load("draft").version();
                let again = f.engine.fire(&"draft".into(), &c, t0()).unwrap();
                assert!(again.replayed && f.load("draft").version() == v);
                Got::Accepted
            },
            Got::Accepted,
        ),
        // --- forms ------------------------------------------------------------------------------
        row(
            "form of an undeclared kind",
            |f| f.fire("draft", Command::fire(&clerk(), "submit").with_form(report()).with_form(Form::new("memo", json!({})))),
            Got::Refused(Rejection::UndeclaredForm { form: "memo".into() }),
        ),
        row(
            "form with an empty kind",
            |f| f.fire("draft", Command::comment(&clerk(), "c").with_form(Form::new("", json!({})))),
            Got::Refused(Rejection::UndeclaredForm { form: Name::new("") }),
        ),
        row(
            "form with an invalid body",
            |f| f.fire("draft", Command::fire(&clerk(), "submit").with_form(Form::new("report", json!({"text": ""})))),
            Got::Refused(Rejection::InvalidForm { form: "report".into(), reason: "text is empty".into() }),
        ),
        row(
            "form with a non-object body",
            |f| f.fire("draft", Command::fire(&clerk(), "submit").with_form(Form::new("report", json!(42)))),
            Got::Refused(Rejection::InvalidForm { form: "report".into(), reason: "text is empty".into() }),
        ),
        row(
            "required form missing",
            |f| f.fire("draft", Command::fire(&clerk(), "submit")),
            Got::Refused(Rejection::MissingForm { action: "submit".into(), form: "report".into() }),
        ),
        // --- definitions and versions ------------------------------------------------------------
        row(
            "wrong definition version",
            |f| aftersales::decide(&definition(2), &f.load("review"), &Command::fire(&manager(), "approve"), t0()).into(),
            Got::Refused(Rejection::WrongDefinition {
                instance_definition: "claim".into(),
                instance_version: 1,
                definition: "claim".into(),
                version: 2,
            }),
        ),
        row(
            "stored instance of an unregistered version",
            |_| {
                let store = InMemoryStore::new();
                let d = aftersales::start(&definition(1), "old".into(), &clerk(), json!({}), t0()).unwrap();
                store.commit(Commit::linked(d.instance, d.events, Digest::ZERO, 0, None)).unwrap();
                let engine = engine_over(store, [definition(2)]);
                engine.fire(&"old".into(), &Command::comment(&clerk(), "hi"), t0()).into()
            },
            Got::EngineErr(EngineError::UnknownDefinition { definition: "claim".into(), version: Some(1) }),
        ),
        row(
            "snapshot of another definition",
            |f| {
                let other = flow("other", 1, &["clerk"]).states("draft", &[], &["done"]);
                let other = other.moves("clerk", "draft -submit-> done").build_china();
                let inst = aftersales::start(&other, "o".into(), &clerk(), json!({}), t0()).unwrap().instance;
                f.decide(&inst, Command::fire(&clerk(), "submit").with_form(report()))
            },
            Got::Refused(Rejection::WrongDefinition {
                instance_definition: "other".into(),
                instance_version: 1,
                definition: "claim".into(),
                version: 1,
            }),
        ),
        row(
            "unknown state in a snapshot",
            |f| {
                let inst = f.edited("review", |v| v["state"] = json!("nowhere"));
                f.decide(&inst, Command::fire(&manager(), "approve"))
            },
            Got::Refused(Rejection::Inconsistent { reason: "state `nowhere` is not in the definition".into() }),
        ),
        row(
            "unknown state in a snapshot: no actions are available",
            |f| {
                let inst = f.edited("review", |v| v["state"] = json!("nowhere"));
                assert!(aftersales::available_actions(&f.def, &inst, &manager(), t0()).is_empty());
                Got::Accepted
            },
            Got::Accepted,
        ),
        row(
            "unknown deadline in a snapshot",
            |f| {
                let inst = f.edited("review", |v| {
                    // A clock the definition does not know, with an escalation rung.
                    v["deadlines"][0]["name"] = json!("ghost");
                    v["deadlines"][0]["escalate_at"] = json!([v["deadlines"][0]["due_at"]]);
                });
                aftersales::handle_due(&f.def, &inst, t0() + chrono::TimeDelta::days(9)).map(|_| ()).map_or_else(Got::Refused, |()| Got::Accepted)
            },
            Got::Refused(Rejection::Inconsistent { reason: "deadline `ghost` is not in the definition".into() }),
        ),
        row("unknown instance", |f| f.fire("nope", Command::comment(&clerk(), "hi")), Got::EngineErr(EngineError::NotFound { instance: "nope".into() })),
        row(
            "unknown definition",
            |f| f.engine.start("nope", "x", &clerk(), json!({}), t0()).into(),
            Got::EngineErr(EngineError::UnknownDefinition { definition: "nope".into(), version: None }),
        ),
        row(
            "an instance id taken",
            |f| f.engine.start("claim", "review", &clerk(), json!({}), t0()).into(),
            Got::EngineErr(EngineError::Conflict { instance: "review".into(), expected: 0, actual: 4 }),
        ),
        row(
            "registering a definition twice",
            |_| {
                let mut e = engine_with([definition(1)]);
                e.register(definition(1)).map_or_else(Got::EngineErr, |()| Got::Accepted)
            },
            Got::EngineErr(EngineError::DuplicateDefinition { definition: "claim".into(), version: 1 }),
        ),
        // --- payloads -----------------------------------------------------------------------------
        row(
            "non-object payload with merge_payload (array)",
            |f| f.fire("draft", Command::fire(&clerk(), "submit").with_form(report()).with_payload(json!([1, 2]))),
            Got::Refused(Rejection::EffectFailed {
                action: "submit".into(),
                effect: "merge_payload".into(),
                reason: "the payload must be a JSON object".into(),
            }),
        ),
        row(
            "non-object payload with merge_payload (string)",
            |f| f.fire("draft", Command::fire(&clerk(), "submit").with_form(report()).with_payload(json!("x"))),
            Got::Refused(Rejection::EffectFailed {
                action: "submit".into(),
                effect: "merge_payload".into(),
                reason: "the payload must be a JSON object".into(),
            }),
        ),
        // Payloads are limited (issue 15, finding 5): a 1 MiB payload is refused, typed, with the
        // limit and the size found, and the instance is unchanged but for the refusal record.
        row(
            "huge payload (1 MiB string, 10 000 keys)",
            |f| {
                let got = f.fire("draft", Command::fire(&clerk(), "submit").with_form(report()).with_payload(huge_payload()));
                f.engine.verify(&"draft".into()).unwrap();
                assert_eq!(f.load("draft").state(), "draft");
                got
            },
            Got::Refused(Rejection::OverLimit {
                limit: Limit::PayloadBytes,
                what: "payload".into(),
                max: CommandLimits::default().payload_bytes as u64,
                found: json_size(&huge_payload()) as u64,
            }),
        ),
        row(
            "deeply nested payload",
            move |f| f.fire("draft", Command::fire(&clerk(), "submit").with_form(report()).with_payload(json!({ "x": nested(max) }))),
            Got::Refused(Rejection::OverLimit { limit: Limit::Depth, what: "payload".into(), max: max as u64, found: max as u64 + 1 }),
        ),
        row(
            "deeply nested form body",
            move |f| f.fire("draft", Command::comment(&clerk(), "c").with_form(Form::new("report", json!({ "text": "t", "x": nested(max) })))),
            Got::Refused(Rejection::OverLimit { limit: Limit::Depth, what: "form `report`".into(), max: max as u64, found: max as u64 + 1 }),
        ),
        row(
            "deeply nested initial data",
            move |f| f.engine.start("claim", "deep", &clerk(), nested(max + 1), t0()).into(),
            Got::Refused(Rejection::OverLimit { limit: Limit::Depth, what: "data".into(), max: max as u64, found: max as u64 + 1 }),
        ),
        row(
            "command JSON nested beyond the parser's limit",
            |_| {
                let text = format!(r#"{{"actor": {{"id": "a", "roles": []}}, "intent": {{"intent": "comment", "text": "t"}}, "payload": {}}}"#, nested(200));
                serde_json::from_str::<Command>(&text).map_or_else(|e| json_err(&e), |_| Got::Accepted)
            },
            Got::JsonErr(serde_json::error::Category::Syntax, 1, 220),
        ),
        row(
            "a case the data selects has no duration and there is no default",
            |f| f.engine.start("claim", "nocase", &clerk(), json!({"class": "Z"}), t0()).and_then(|_| f.engine.fire(&"nocase".into(), &Command::fire(&clerk(), "submit").with_form(report()), t0())).into(),
            Got::Refused(Rejection::DeadlineUncomputable {
                deadline: "review_by_class".into(),
                reason: "no duration for case Some(\"Z\") of `/class` and no default".into(),
            }),
        ),
        // --- empty strings ---------------------------------------------------------------------------
        row("refusal with an empty reason", |f| f.fire("review", Command::refuse(&manager(), "approve", "")), Got::Refused(Rejection::ReasonRequired)),
        row(
            "override with a blank reason",
            |f| f.fire("review", Command::override_to(&Actor::new("root", ["admin"]), "done", "   ")),
            Got::Refused(Rejection::ReasonRequired),
        ),
        row(
            "override to an empty state name",
            |f| f.fire("review", Command::override_to(&Actor::new("root", ["admin"]), "", "why")),
            Got::Refused(Rejection::UnknownState { state: Name::new("") }),
        ),
        // Got::Accepted as they are: the crate does not judge comment text or actor ids.
        row("empty comment text", |f| f.fire("draft", Command::comment(&clerk(), "")), Got::Accepted),
        row("empty actor id", |f| f.fire("draft", Command::comment(&Actor::new("", ["clerk"]), "who?")), Got::Accepted),
        row(
            "empty definition JSON",
            |_| DefinitionSpec::from_json("").map_or_else(Got::BuildErr, |_| Got::Accepted),
            Got::BuildErr(BuildError::Json { message: "EOF while parsing a value at line 1 column 0".into(), line: 1, column: 0 }),
        ),
        row(
            "definition JSON with an unknown field",
            |_| {
                let mut v = serde_json::to_value(builder(1).spec()).unwrap();
                v["colour"] = json!("red");
                DefinitionSpec::from_json(&v.to_string()).map_or_else(Got::BuildErr, |_| Got::Accepted)
            },
            Got::BuildErr(BuildError::Json {
                message: "unknown field `colour`, expected one of `id`, `version`, `roles`, `start_roles`, `override_roles`, `region_wide_roles`, `actions`, `forms`, `states`, `transitions`, `deadlines`, `anywhere`, `calendar`, `attach` at line 1 column 55".into(),
                line: 1,
                column: 55,
            }),
        ),
        row(
            // An empty role name is not a problem of its own (names are the author's).
            "definition with an empty role name and an unknown role",
            |_| {
                builder(1)
                    .roles([""])
                    .transition("draft", "poke", "draft", |t| t.roles(["ghost"]))
                    .build(&registry())
                    .map_or_else(Got::BuildErr, |_| Got::Accepted)
            },
            Got::BuildErr(BuildError::Invalid {
                definition: "claim".into(),
                version: 1,
                problems: vec![
                    Problem::UnknownRole { role: "ghost".into(), used_in: "transition #4 (`poke`: draft -> draft)".into() },
                    Problem::NobodyMayFire { from: "draft".into(), action: "poke".into() },
                ],
            }),
        ),
        row(
            "command JSON with an unknown intent",
            |_| serde_json::from_str::<Command>(r#"{"actor": {"id": "a", "roles": []}, "intent": {"intent": "explode"}}"#).map_or_else(|e| json_err(&e), |_| Got::Accepted),
            Got::JsonErr(serde_json::error::Category::Data, 1, 66),
        ),
        row(
            "calendar JSON with an offset out of range",
            |_| serde_json::from_str::<BusinessCalendar>(r#"{"utc_offset_minutes": 100000}"#).map_or_else(|e| json_err(&e), |_| Got::Accepted),
            // A validation error after parsing: no position.
            Got::JsonErr(serde_json::error::Category::Data, 0, 0),
        ),
        // --- histories ---------------------------------------------------------------------------------
        row(
            "events out of order in replay",
            |f| f.replay_edited(|h| h.swap(1, 2)),
            Got::ReplayErr(ReplayError::Gap { instance: "review".into(), expected: 2, found: 3 }),
        ),
        row(
            "an event replayed twice",
            |f| f.replay_edited(|h| h.insert(2, h[1].clone())),
            Got::ReplayErr(ReplayError::Gap { instance: "review".into(), expected: 3, found: 2 }),
        ),
        row(
            "an event of another instance",
            |f| f.replay_edited(|h| h[1].instance = "draft".into()),
            Got::ReplayErr(ReplayError::WrongInstance { instance: "review".into(), found: "draft".into(), seq: 2 }),
        ),
        row(
            "a second `created` event",
            |f| {
                f.replay_edited(|h| {
                    let mut c = h[0].clone();
                    c.seq = h.len() as u64 + 1;
                    h.push(c);
                })
            },
            Got::ReplayErr(ReplayError::Inconsistent { instance: "review".into(), seq: 5, reason: "a second `created` event".into() }),
        ),
        row("an empty history", |_| Instance::replay(&[]).into(), Got::ReplayErr(ReplayError::NotCreated { instance: "".into() })),
        row(
            "a history not starting with `created`",
            |f| Instance::replay(&f.history("review")[1..]).into(),
            Got::ReplayErr(ReplayError::NotCreated { instance: "review".into() }),
        ),
        row(
            "a transition from the wrong state",
            |f| {
                f.replay_edited(|h| {
                    for e in h {
                        if let EventKind::Transitioned { from, .. } = &mut e.kind {
                            *from = "approved".into();
                        }
                    }
                })
            },
            Got::ReplayErr(ReplayError::Inconsistent {
                instance: "review".into(),
                seq: 3,
                reason: "transition from `approved` but the state is `draft`".into(),
            }),
        ),
        row(
            "a tampered snapshot",
            |f| {
                let inst = f.edited("review", |v| v["data"]["class"] = json!("B"));
                inst.verify(&f.history("review")).map_or_else(Got::ReplayErr, |()| Got::Accepted)
            },
            Got::ReplayErr(ReplayError::SnapshotMismatch { instance: "review".into(), stored: 4, replayed: 4 }),
        ),
        // --- store commits -------------------------------------------------------------------------------
        row(
            "a commit with a gap",
            |f| {
                f.commit(f.approval_commit(3, None))
            },
            Got::StoreErr(StoreError::InvalidCommit { instance: "review".into(), reason: "event numbered 5 where 4 was expected".into() }),
        ),
        row(
            "a commit without events",
            |f| {
                let c = Commit::linked(f.load("review").as_ref().clone(), vec![], Digest::ZERO, 4, None);
                f.commit(c)
            },
            Got::StoreErr(StoreError::InvalidCommit { instance: "review".into(), reason: "no events".into() }),
        ),
        row(
            "a commit whose key points outside it",
            |f| {
                let key = IdempotencyRecord { key: "k".into(), fingerprint: 1, first_seq: 1, last_seq: 9 };
                f.commit(f.approval_commit(4, Some(key)))
            },
            Got::StoreErr(StoreError::InvalidCommit { instance: "review".into(), reason: "idempotency record for `k` points outside the commit".into() }),
        ),
        row(
            "a stale commit",
            |f| {
                let c = f.approval_commit(4, None);
                f.engine.store().commit(c.clone()).unwrap();
                f.commit(c)
            },
            Got::StoreErr(StoreError::Conflict { instance: "review".into(), expected: 4, actual: 6 }),
        ),
    ]
}

#[test]
fn bad_input_catalogue() {
    let mut failures = Vec::new();
    let rows = rows();
    for (name, run, expected) in &rows {
        // A fresh fixture per row: rows may change it.
        let f = Fixture::new();
        let got = run(&f);
        if &got != expected {
            failures.push(format!(
                "{name}:\n   expected {expected:?}\n   got      {got:?}"
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} rows differ:\n{}",
        failures.len(),
        rows.len(),
        failures.join("\n")
    );
    support::announce(&format!(
        "bad input: {} rows, each the exact typed outcome",
        rows.len()
    ));
}
