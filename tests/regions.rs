//! The core region rule (see `Actor`'s "Regions"): actors and instances carry a host-defined
//! region; an instance without a region accepts any actor; an actor of the instance's region
//! acts through all its roles; any other actor (of another region, or of none) acts only
//! through the roles the definition declares region-wide, and is otherwise refused with
//! `Rejection::OutOfRegion` naming the instance, the actor and both regions.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use aftersales::{
    Actor, BuildError, Builder, Command, Definition, DefinitionSpec, Engine, EngineError,
    EventKind, InMemoryStore, Instance, InstanceId, Problem, Region, Registry, Rejection,
    available_actions, check, decide, start, start_in,
};
use chrono::{DateTime, TimeZone, Utc};
use serde_json::json;

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 2, 1, 0, 0).unwrap()
}

/// A clerk (regional) and an auditor (region-wide) both act on `open`; only the clerk
/// starts; the auditor overrides.
fn definition() -> Definition {
    Builder::new("job", 1)
        .roles(["clerk", "auditor"])
        .start_roles(["clerk", "auditor"])
        .override_roles(["auditor", "clerk"])
        .region_wide_roles(["auditor"])
        .initial("open")
        .terminal("done")
        .transition("open", "note", "open", |t| t.roles(["clerk", "auditor"]))
        .transition("open", "finish", "done", |t| t.roles(["clerk"]))
        .build(&Registry::new())
        .unwrap()
}

fn clerk(region: &str) -> Actor {
    Actor::new(format!("clerk-{region}"), ["clerk"]).in_region(region)
}

fn started(region: Option<&str>) -> Instance {
    start_in(
        &definition(),
        "j1".into(),
        &clerk(region.unwrap_or("north")),
        json!({}),
        region.map(Region::from),
        t0(),
    )
    .unwrap()
    .instance
}

fn out_of_region(action: &str, actor: &str, actor_region: Option<&str>, region: &str) -> Rejection {
    Rejection::OutOfRegion {
        action: action.into(),
        instance: "j1".into(),
        actor: actor.into(),
        actor_region: actor_region.map(Region::from),
        instance_region: region.into(),
    }
}

#[test]
fn regions_an_instance_without_a_region_accepts_any_actor() {
    let def = definition();
    let inst = started(None);
    assert_eq!(inst.region(), None);
    for actor in [clerk("south"), Actor::new("clerk-x", ["clerk"])] {
        decide(&def, &inst, &Command::fire(&actor, "note"), t0()).unwrap();
    }
}

#[test]
fn regions_an_actor_of_the_instance_region_acts() {
    let def = definition();
    let inst = started(Some("north"));
    assert_eq!(inst.region(), Some(&Region::from("north")));
    decide(&def, &inst, &Command::fire(&clerk("north"), "finish"), t0()).unwrap();
}

#[test]
fn regions_an_actor_of_another_region_is_refused_naming_both_regions() {
    let def = definition();
    let inst = started(Some("north"));
    let south = clerk("south");
    let want = out_of_region("finish", "clerk-south", Some("south"), "north");
    assert_eq!(
        decide(&def, &inst, &Command::fire(&south, "finish"), t0()),
        Err(want.clone())
    );
    // `check` and `available_actions` answer the same.
    assert_eq!(
        check(&def, &inst, &Command::fire(&south, "finish"), t0()),
        Err(want.clone())
    );
    let avail = available_actions(&def, &inst, &south, t0());
    let finish = avail.iter().find(|a| a.action == "finish").unwrap();
    assert_eq!(finish.verdict, Err(want.clone()));
    // The message names the instance, the actor and both regions.
    let text = want.to_string();
    for part in ["clerk-south", "south", "north", "j1", "finish"] {
        assert!(text.contains(part), "{text}");
    }
    // Comments and overrides follow the same rule.
    assert!(matches!(
        decide(&def, &inst, &Command::comment(&south, "hello"), t0()),
        Err(Rejection::OutOfRegion { .. })
    ));
    assert!(matches!(
        decide(
            &def,
            &inst,
            &Command::override_to(&south, "done", "why not"),
            t0()
        ),
        Err(Rejection::OutOfRegion { .. })
    ));
}

#[test]
fn regions_an_actor_without_a_region_acts_only_on_regionless_instances() {
    let def = definition();
    let nowhere = Actor::new("clerk-x", ["clerk"]);
    let inst = started(Some("north"));
    assert_eq!(
        decide(&def, &inst, &Command::fire(&nowhere, "note"), t0()),
        Err(out_of_region("note", "clerk-x", None, "north"))
    );
    decide(&def, &started(None), &Command::fire(&nowhere, "note"), t0()).unwrap();
}

#[test]
fn regions_a_region_wide_role_acts_everywhere() {
    let def = definition();
    assert_eq!(
        def.region_wide_roles(),
        vec![aftersales::Name::new("auditor")]
    );
    let inst = started(Some("north"));
    let hq = Actor::new("auditor-1", ["auditor"]);
    let south_hq = Actor::new("auditor-2", ["auditor"]).in_region("south");
    for a in [&hq, &south_hq] {
        let d = decide(&def, &inst, &Command::fire(a, "note"), t0()).unwrap();
        assert_eq!(
            d.events[0].by.as_ref().unwrap().role,
            Some("auditor".into())
        );
        decide(
            &def,
            &inst,
            &Command::override_to(a, "done", "closing"),
            t0(),
        )
        .unwrap();
    }
    assert!(def.region_allows(&hq, "auditor", inst.region()));
    assert!(!def.region_allows(&clerk("south"), "clerk", inst.region()));
    assert!(def.region_allows(&clerk("south"), "clerk", None));
}

#[test]
fn regions_outside_its_region_only_the_region_wide_roles_count() {
    let def = definition();
    let inst = started(Some("north"));
    // Both roles, from the south: `note` goes through the auditor role; `finish` (clerk only)
    // is out of region; naming the clerk role is out of region too.
    let both = Actor::new("both", ["clerk", "auditor"]).in_region("south");
    let d = decide(&def, &inst, &Command::fire(&both, "note"), t0()).unwrap();
    assert_eq!(
        d.events[0].by.as_ref().unwrap().role,
        Some("auditor".into())
    );
    assert_eq!(
        decide(&def, &inst, &Command::fire(&both, "finish"), t0()),
        Err(out_of_region("finish", "both", Some("south"), "north"))
    );
    assert_eq!(
        decide(
            &def,
            &inst,
            &Command::fire(&both, "note").as_role("clerk"),
            t0()
        ),
        Err(out_of_region("note", "both", Some("south"), "north"))
    );
    // An actor holding no role for the action at all is still `Forbidden`.
    let stranger = Actor::new("s", ["nobody"]).in_region("south");
    assert!(matches!(
        decide(&def, &inst, &Command::fire(&stranger, "finish"), t0()),
        Err(Rejection::Forbidden { .. })
    ));
}

#[test]
fn regions_starting_follows_the_rule_and_the_region_is_in_the_created_event() {
    let def = definition();
    let id = InstanceId::from("j1");
    let north = Region::from("north");
    assert_eq!(
        start_in(
            &def,
            id.clone(),
            &clerk("south"),
            json!({}),
            Some(north.clone()),
            t0()
        ),
        Err(out_of_region(
            "start",
            "clerk-south",
            Some("south"),
            "north"
        ))
    );
    let hq = Actor::new("auditor-1", ["auditor"]);
    let d = start_in(&def, id.clone(), &hq, json!({}), Some(north.clone()), t0()).unwrap();
    assert!(matches!(
        &d.events[0].kind,
        EventKind::Created { region: Some(r), .. } if *r == north
    ));
    // Replay keeps the region, and an event without it (older histories) reads as none.
    assert_eq!(Instance::replay(&d.events).unwrap(), d.instance);
    let plain = start(&def, id, &clerk("south"), json!({}), t0()).unwrap();
    let wire = serde_json::to_value(&plain.events[0]).unwrap();
    assert!(wire["kind"].get("region").is_none(), "{wire}");
    assert_eq!(plain.instance.region(), None);
}

#[test]
fn regions_the_region_is_covered_by_the_hash_chain() {
    let mut engine = Engine::new(InMemoryStore::new());
    engine.register(definition()).unwrap();
    let id = InstanceId::from("j1");
    engine
        .start_in(
            "job",
            id.clone(),
            Some("north".into()),
            &clerk("north"),
            json!({}),
            t0(),
        )
        .unwrap();
    engine.verify(&id).unwrap();
    let history = engine.history(&id).unwrap();
    let mut moved = history[0].clone();
    if let EventKind::Created { region, .. } = &mut moved.kind {
        *region = Some("south".into());
    }
    assert_ne!(moved.hash(), history[0].hash());
    assert!(matches!(
        engine.fire(&id, &Command::fire(&clerk("south"), "finish"), t0()),
        Err(EngineError::Rejected {
            rejection: Rejection::OutOfRegion { .. },
            ..
        })
    ));
    engine
        .fire(&id, &Command::fire(&clerk("north"), "finish"), t0())
        .unwrap();
}

#[test]
fn regions_unknown_region_wide_roles_are_reported_with_the_other_problems() {
    let mut spec: DefinitionSpec = definition().spec().clone();
    spec.region_wide_roles = vec!["ghost".into()];
    spec.start_roles.push("phantom".into());
    let Err(BuildError::Invalid { problems, .. }) = spec.build(&Registry::new()) else {
        panic!("an unknown region-wide role built");
    };
    for role in ["ghost", "phantom"] {
        assert!(
            problems
                .iter()
                .any(|p| matches!(p, Problem::UnknownRole { role: r, .. } if r == role)),
            "{problems:?}"
        );
    }
    // In JSON, under `region_wide_roles`.
    let json: serde_json::Value = serde_json::from_str(&definition().spec().to_json()).unwrap();
    assert_eq!(json["region_wide_roles"], json!(["auditor"]), "{json}");
}

#[cfg(all(feature = "async", feature = "testing"))]
#[test]
fn regions_the_async_engine_enforces_the_rule() {
    use aftersales::{AsyncEngine, SyncAsAsync, testing::block_on};
    let mut engine = AsyncEngine::new(SyncAsAsync(InMemoryStore::new()));
    engine.register(definition()).unwrap();
    let id = InstanceId::from("j1");
    block_on(async {
        assert!(matches!(
            engine
                .start_in(
                    "job",
                    id.clone(),
                    Some("north".into()),
                    &clerk("south"),
                    json!({}),
                    t0()
                )
                .await,
            Err(EngineError::Rejected {
                rejection: Rejection::OutOfRegion { .. },
                ..
            })
        ));
        engine
            .start_in(
                "job",
                id.clone(),
                Some("north".into()),
                &clerk("north"),
                json!({}),
                t0(),
            )
            .await
            .unwrap();
        let refused = engine
            .fire(&id, &Command::fire(&clerk("south"), "finish"), t0())
            .await;
        assert!(
            matches!(
                &refused,
                Err(EngineError::Rejected {
                    rejection: Rejection::OutOfRegion { actor_region: Some(a), instance_region, .. },
                    ..
                }) if *a == "south" && *instance_region == "north"
            ),
            "{refused:?}"
        );
        engine
            .fire(&id, &Command::fire(&clerk("north"), "finish"), t0())
            .await
            .unwrap();
    });
}
