//! Golden-file tests of the exporters: Mermaid, DOT and the JSON Schemas.
//! Regenerate with `UPDATE_GOLDEN=1 cargo test --test export`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test helpers may panic

mod common;

use aftersales::*;
use common::defs::{Shape, china, flow, on_enter};
use common::golden;

fn definition() -> Definition {
    let registry = china().guard("complete", |_: &Context<'_>| Ok(()));
    flow("golden", 3, &["engineer", "reviewer", "manager"])
        .states("draft", &["review"], &[])
        .waiting("waiting_supplier")
        .normal("escalated")
        .terminal("closed")
        .transition("draft", "submit", "review", |t| {
            t.roles(["engineer"]).form("report")
        })
        .moves("reviewer", "review -ask_supplier-> waiting_supplier")
        .moves("engineer", "waiting_supplier -answer-> review")
        .transition("review", "approve", "closed", |t| {
            t.sign_off(
                ["reviewer", "manager"],
                SignOrder::Sequential,
                "approve \"report\"",
            )
            .on_refuse("draft")
            .guard(GuardExpr::All {
                all: vec![
                    "complete".into(),
                    GuardExpr::Not {
                        not: Box::new("complete".into()),
                    },
                ],
            })
        })
        .transition("escalated", "decide", "closed", |t| {
            t.sign_off(["manager", "reviewer"], SignOrder::AnyOrder, "decide")
        })
        .deadline(
            on_enter("review_4wh", "review", BusinessDuration::WorkingHours(4))
                .escalate(EscalationSpec::move_to("escalated")),
        )
        .build(&registry)
        .unwrap()
}

#[test]
fn mermaid_golden() {
    golden(
        "tests/golden/export.mmd",
        &Mermaid(&definition()).to_string(),
    );
}

#[test]
fn dot_golden() {
    golden("tests/golden/export.dot", &Dot(&definition()).to_string());
}

#[test]
fn exports_are_deterministic() {
    assert_eq!(
        Mermaid(&definition()).to_string(),
        Mermaid(&definition()).to_string()
    );
    assert_eq!(
        Dot(&definition()).to_string(),
        Dot(&definition()).to_string()
    );
}

#[test]
fn dot_escapes_quotes() {
    // The verbose form carries guards (the compact default labels with action names only).
    let dot = Dot(&definition()).verbose().to_string();
    assert!(
        dot.contains(r#"approve [sign-off reviewer then manager] if (complete && !complete)"#),
        "{dot}"
    );
}

#[test]
fn json_schemas_golden() {
    for (name, schema) in [
        ("definition", definition_schema()),
        ("instance", instance_schema()),
        ("event", event_schema()),
        ("command", command_schema()),
    ] {
        let text = serde_json::to_string_pretty(&schema).unwrap() + "\n";
        golden(&format!("docs/schema/{name}.schema.json"), &text);
    }
}

#[test]
fn the_definition_schema_describes_real_specs() {
    let schema = serde_json::to_value(definition_schema()).unwrap();
    let props = schema["properties"].as_object().unwrap();
    for key in [
        "id",
        "version",
        "roles",
        "start_roles",
        "states",
        "transitions",
        "deadlines",
    ] {
        assert!(props.contains_key(key), "{key} missing from the schema");
    }
}

/// Issue 15, finding 12: state names with spaces (or other characters Mermaid ids do not take)
/// were written raw (`new --> on hold`), which is not valid Mermaid. They get an alias now,
/// declared with the name as its label.
#[test]
fn mermaid_aliases_state_names_that_are_not_plain_identifiers() {
    let def = flow("spaces", 1, &["clerk"])
        .states("new", &["on hold"], &["done"])
        .transition("new", "hold", "on hold", |t| t.roles(["clerk"]))
        .transition("on hold", "finish", "done", |t| t.roles(["clerk"]))
        .build_china();
    let text = Mermaid(&def).to_string();
    common::assert_contains_all(
        &text,
        &[
            "    state \"on hold\" as state_1\n",
            "    new --> state_1: hold\n",
            "    state_1 --> done: finish\n",
        ],
    );
    assert!(!text.contains("--> on hold"), "{text}");
}

/// The golden definition's instance: submitted, sent to the supplier and back (the path),
/// now in `review`.
fn svg_with_path() -> String {
    let def = definition();
    let mut engine = Engine::new(InMemoryStore::new());
    engine.register(definition()).unwrap();
    let t0 = common::defs::monday_9am();
    let id = InstanceId::from("G-1");
    let engineer = Actor::new("e", ["engineer"]);
    let reviewer = Actor::new("r", ["reviewer"]);
    engine
        .start("golden", id.clone(), &engineer, serde_json::json!({}), t0)
        .unwrap();
    let steps = [
        Command::fire(&engineer, "submit").with_form(Form::new("report", serde_json::json!({}))),
        Command::fire(&reviewer, "ask_supplier"),
        Command::fire(&engineer, "answer"),
    ];
    for cmd in steps {
        engine.fire(&id, &cmd, t0).unwrap();
    }
    let trail = engine.history(&id).unwrap();
    let state = engine.load(&id).unwrap().state();
    Svg::new(&def).current(state).path(&trail).to_string()
}

#[test]
fn svg_golden() {
    golden("tests/golden/export.svg", &svg_with_path());
}

#[test]
fn svg_highlights_the_current_state_and_the_path_taken() {
    let svg = svg_with_path();
    assert!(
        svg.contains(r#"<g class="as-state visited current" data-state="review">"#),
        "{svg}"
    );
    assert!(svg.contains(r#"<g class="as-state pauses visited" data-state="waiting_supplier">"#));
    assert!(svg.contains(r#"<g class="as-edge taken" data-from="draft" data-to="review">"#));
    assert!(svg.contains(r#"<g class="as-edge" data-from="review" data-to="closed">"#));
    // The refusal route and the escalation are styled apart.
    assert!(svg.contains(r#"<g class="as-edge refusal" data-from="review" data-to="draft">"#));
    assert!(
        svg.contains(r#"<g class="as-edge escalation" data-from="review" data-to="escalated">"#)
    );
    assert!(svg.contains("deadline review_4wh missed"));
    let plain = Svg::new(&definition()).to_string();
    for highlight in [" visited\"", " current\"", " taken\""] {
        assert!(!plain.contains(highlight), "{highlight} in a plain diagram");
    }
}

/// The boxes of a drawn diagram: (state, x, y, width, height).
#[cfg(feature = "procedures")]
fn boxes(svg: &str) -> Vec<(String, f64, f64, f64, f64)> {
    let attr = |s: &str, name: &str| -> f64 {
        let start = s.find(&format!(" {name}=\"")).unwrap() + name.len() + 3;
        let len = s[start..].find('"').unwrap();
        s[start..start + len].parse().unwrap()
    };
    svg.split("<g class=\"as-state")
        .skip(1)
        .map(|part| {
            let state = part.split("data-state=\"").nth(1).unwrap();
            let state = state[..state.find('"').unwrap()].to_owned();
            let rect = &part[part.find("<rect class=\"box\"").unwrap()..];
            let rect = &rect[..rect.find("/>").unwrap()];
            let at = |n| attr(rect, n);
            (state, at("x"), at("y"), at("width"), at("height"))
        })
        .collect()
}

/// The definitions of the batch quality, complaint, consumables and customer return
/// procedures with their default configuration, on the China standard calendar.
#[cfg(feature = "procedures")]
fn built_in_definitions() -> Vec<std::sync::Arc<Definition>> {
    use aftersales::procedures::{batch_quality, complaint, consumables, customer_return};
    let cal = || std::sync::Arc::new(BusinessCalendar::china_standard());
    vec![
        batch_quality::definition(&Default::default(), cal())
            .unwrap()
            .definition()
            .clone(),
        complaint::definition(&Default::default(), cal())
            .unwrap()
            .definition()
            .clone(),
        consumables::definition(&Default::default(), cal())
            .unwrap()
            .definition()
            .clone(),
        customer_return::definition(&Default::default(), cal())
            .unwrap()
            .definition()
            .clone(),
    ]
}

#[cfg(feature = "procedures")]
#[test]
fn svg_of_every_procedure_draws_each_state_once_without_overlaps_and_one_edge_per_pair() {
    let defs = built_in_definitions();
    for def in &defs {
        let svg = Svg::new(def).to_string();
        let b = boxes(&svg);
        let names: Vec<&str> = def.spec().states.iter().map(|s| s.name.as_str()).collect();
        let drawn: Vec<&str> = b.iter().map(|x| x.0.as_str()).collect();
        assert_eq!(drawn, names, "{}", def.id());
        for (i, p) in b.iter().enumerate() {
            for q in &b[i + 1..] {
                let apart =
                    p.1 + p.3 <= q.1 || q.1 + q.3 <= p.1 || p.2 + p.4 <= q.2 || q.2 + q.4 <= p.2;
                assert!(apart, "{}: {} overlaps {}", def.id(), p.0, q.0);
            }
        }
        let mut pairs: Vec<(String, String)> = svg
            .split("<g class=\"as-edge")
            .skip(1)
            .map(|part| {
                let get = |k: &str| {
                    let v = part.split(&format!("{k}=\"")).nth(1).unwrap();
                    v[..v.find('"').unwrap()].to_owned()
                };
                (get("data-from"), get("data-to"))
            })
            .collect();
        let n = pairs.len();
        assert!(n > 0);
        pairs.sort();
        pairs.dedup();
        assert_eq!(pairs.len(), n, "{}: one edge per (from, to)", def.id());
        assert!(
            pairs.iter().all(|(a, b)| a != b),
            "in-state actions are folded into boxes"
        );
    }
}

/// Writes the procedures' diagrams to `target/diagrams/` for a look (`--ignored`).
#[cfg(feature = "procedures")]
#[test]
#[ignore = "writes files for a person to look at"]
fn svg_dump() {
    use aftersales::procedures::{complaint, customer_return};
    let cal = || std::sync::Arc::new(BusinessCalendar::china_standard());
    std::fs::create_dir_all("target/diagrams").unwrap();
    let c = complaint::definition(&Default::default(), cal()).unwrap();
    std::fs::write(
        "target/diagrams/complaint.svg",
        Svg::new(c.definition()).to_string(),
    )
    .unwrap();
    let r = customer_return::definition(&Default::default(), cal()).unwrap();
    std::fs::write(
        "target/diagrams/return.svg",
        Svg::new(r.definition()).to_string(),
    )
    .unwrap();
    std::fs::write("target/diagrams/golden.svg", svg_with_path()).unwrap();
}

#[cfg(feature = "procedures")]
#[test]
fn every_form_kind_of_the_built_in_procedures_has_a_json_schema() {
    let defs = built_in_definitions();
    for def in &defs {
        for kind in &def.spec().forms {
            let schema = def
                .form_schema(kind.as_str())
                .unwrap_or_else(|| panic!("{}: no schema for form `{kind}`", def.id()));
            let v = serde_json::to_value(schema).unwrap();
            assert!(
                ["type", "oneOf", "$ref"].iter().any(|k| v.get(k).is_some()),
                "{kind}: {v}"
            );
        }
        assert!(def.form_schema("no_such_form").is_none());
    }
}

/// Mermaid draws only the last self-transition of a state (mermaid-js/mermaid#6132): 180 of
/// the procedures' 221 in-state actions vanished from the rendered diagrams. The exporter folds
/// them into the state, in the compact and the verbose form.
#[test]
fn no_mermaid_state_carries_two_self_transitions() {
    let def = flow("loops", 1, &["clerk"])
        .states("open", &[], &["done"])
        .transition("open", "note", "open", |t| t.roles(["clerk"]))
        .transition("open", "remind", "open", |t| t.roles(["clerk"]))
        .transition("open", "finish", "done", |t| t.roles(["clerk"]))
        .build_china();
    #[cfg_attr(not(feature = "procedures"), allow(unused_mut))]
    let mut definitions = vec![std::sync::Arc::new(def), std::sync::Arc::new(definition())];
    #[cfg(feature = "procedures")]
    definitions.extend(built_in_definitions());
    for def in &definitions {
        for text in [Mermaid(def).to_string(), Mermaid(def).verbose().to_string()] {
            let mut loops = std::collections::BTreeMap::<&str, usize>::new();
            for line in text.lines() {
                let Some((from, rest)) = line.trim().split_once(" --> ") else {
                    continue;
                };
                let to = rest.split(':').next().unwrap_or(rest).trim();
                if from == to {
                    *loops.entry(from).or_default() += 1;
                }
            }
            assert!(loops.values().all(|&n| n < 2), "{loops:?} in\n{text}");
        }
        // Nothing is lost: every in-state action is in the state's lines.
        let text = Mermaid(def).verbose().to_string();
        for t in def.spec().transitions.iter().filter(|t| t.from == t.to) {
            assert!(
                text.contains(&format!(" : ⟲ {}", t.action)),
                "{} in {text}",
                t.action
            );
        }
    }
    let compact = Mermaid(&definitions[0]).to_string();
    assert!(compact.contains("    open : ⟲ note, remind\n"), "{compact}");
    assert!(!compact.contains("open --> open"), "{compact}");
}

#[test]
fn compact_diagrams_merge_edges_and_keep_loops_from_shaping_the_layout() {
    let def = flow("merge", 1, &["clerk"])
        .states("open", &["check"], &["done"])
        .transition("open", "submit", "check", |t| t.roles(["clerk"]))
        .transition("open", "resubmit", "check", |t| {
            t.roles(["clerk"]).reason_required()
        })
        .transition("check", "reject", "open", |t| t.roles(["clerk"]))
        .transition("check", "finish", "done", |t| t.roles(["clerk"]))
        .build_china();
    let mermaid = Mermaid(&def).to_string();
    common::assert_contains_all(
        &mermaid,
        &[
            "    direction TB\n",
            "    [*] --> open\n",
            "    open --> check: submit, resubmit\n",
            "        Legend\n",
        ],
    );
    let verbose = Mermaid(&def).verbose().to_string();
    assert!(verbose.contains("    open --> check: resubmit [clerk] if reason given\n"));
    let dot = Dot(&def).to_string();
    common::assert_contains_all(
        &dot,
        &[
            "rankdir=TB;",
            "\"*start*\" -> \"open\";",
            "\"open\" -> \"check\" [label=\"submit, resubmit\"];",
            "\"check\" -> \"open\" [label=\"reject\", constraint=false];",
            "\"*legend*\"",
        ],
    );
    assert_eq!(dot.matches("\"open\" -> \"check\"").count(), 1, "{dot}");
    assert_eq!(
        Dot(&def)
            .verbose()
            .to_string()
            .matches("\"open\" -> \"check\"")
            .count(),
        2
    );
}
