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
    {
        use aftersales::procedures::*;
        let cal = shanghai_calendar;
        definitions.extend([
            batch_quality::definition(&Default::default(), cal())
                .unwrap()
                .definition()
                .clone(),
            complaint::definition(&Default::default(), cal())
                .unwrap()
                .definition()
                .clone(),
            customer_return::definition(&Default::default(), cal())
                .unwrap()
                .definition()
                .clone(),
            consumables::definition(&Default::default(), cal())
                .unwrap()
                .definition()
                .clone(),
        ]);
    }
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
