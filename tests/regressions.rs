//! Regression tests for bugs found by the reliability suites (random walks, fault injection,
//! fuzzing), each reduced to a deterministic case. The commit fixing each names it.

use aftersales::*;
use chrono::{DateTime, TimeZone, Utc};
use serde_json::json;

/// Monday 2026-11-16 09:00 local (UTC+8).
fn monday_9am() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 16, 1, 0, 0).unwrap()
}

fn clerk() -> Actor {
    Actor::new("ann", ["clerk"])
}

/// Found by `random_walks`: a comment's forms were validated, then silently dropped.
#[test]
fn a_comment_keeps_the_forms_it_carries() {
    let def = Builder::new("memo", 1)
        .roles(["clerk"])
        .start_roles(["clerk"])
        .initial("open")
        .terminal("done")
        .form("photo")
        .transition("open", "finish", "done", |t| t.roles(["clerk"]))
        .build(&Registry::new())
        .unwrap();
    let inst = decide::start(&def, "m".into(), &clerk(), json!({}), monday_9am())
        .unwrap()
        .instance;
    let photo = Form::new("photo", json!({"file": "fan.jpg"}));
    let cmd = Command::comment(&clerk(), "see the photo").with_form(photo.clone());
    let d = decide::decide(&def, &inst, &cmd, monday_9am()).unwrap();
    let kinds: Vec<&str> = d.events.iter().map(|e| e.kind.name()).collect();
    assert_eq!(kinds, ["form_attached", "commented"]);
    assert_eq!(d.instance.latest_form("photo"), Some(&photo.body));
    assert!(
        matches!(&d.events[0].kind, EventKind::FormAttached { action, .. } if action == "comment")
    );
}
