//! Issue 17, regions: a reviewer tries to act on another region's batch issue — through a
//! forged delegation, by naming a role that does not count there, by starting an issue in a
//! region that is not theirs, and by taking over a complaint without the engineer's
//! designation. Each is refused typed (`OutOfRegion` naming both regions, or the intake
//! guard), nothing is written but the refusal record, and the history still verifies.

use aftersales::procedures::batch_quality::{self as bq, Action, Guard, Role};
use aftersales::*;
use chrono::{DateTime, TimeZone, Utc};
use serde_json::json;

/// Monday 2026-11-16 10:00 in Shanghai.
fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 16, 2, 0, 0).unwrap()
}

fn engine() -> Engine<InMemoryStore> {
    let def = bq::definition(
        &bq::Config::default(),
        std::sync::Arc::new(BusinessCalendar::default()),
    )
    .unwrap();
    let mut engine = Engine::new(InMemoryStore::new());
    engine.register(def.definition().clone()).unwrap();
    engine
}

fn data() -> serde_json::Value {
    bq::Data::new("Bank of Wuhan", "FZ-D530", "central", "no display")
        .to_value()
        .unwrap()
}

fn rejection(r: Result<Outcome, EngineError>) -> Rejection {
    r.err()
        .and_then(|e| e.rejection().cloned())
        .expect("refused")
}

/// An issue of region `central`, received by sales and passed to the central engineer.
fn central_issue(engine: &Engine<InMemoryStore>, id: &InstanceId) {
    let sales = Actor::new("sales-ma", [Role::Sales]);
    engine
        .start_in(
            bq::ID,
            id.clone(),
            Some("central".into()),
            &sales,
            data(),
            t0(),
        )
        .unwrap();
    engine
        .fire(id, &Command::fire(&sales, Action::TransferToRtse), t0())
        .unwrap();
}

fn designate(who: &Actor) -> Command {
    Command::fire(who, Action::DesignateLocalStation).with_payload(json!({"station": "ST-E-01"}))
}

#[test]
fn an_engineer_of_another_region_cannot_designate_even_acting_for_a_central_one() {
    let engine = engine();
    let id = InstanceId::from("BQ-1");
    central_issue(&engine, &id);
    let east = Actor::new("rtse-wu", [Role::RegionalTechSupportEngineer]).in_region("east");
    // acting for the central engineer does not carry the principal's region
    let forged = east.clone().acting_for("rtse-li");
    for who in [&east, &forged] {
        let r = rejection(engine.fire(&id, &designate(who), t0()));
        assert_eq!(
            r,
            Rejection::OutOfRegion {
                action: Action::DesignateLocalStation.into(),
                instance: id.clone(),
                actor: "rtse-wu".into(),
                actor_region: Some("east".into()),
                instance_region: "central".into(),
            }
        );
    }
    // naming a role does not help: a regional role named outside its region is refused, a
    // headquarters role not held is refused before anything else
    let both =
        Actor::new("multi", [Role::RegionalTechSupportEngineer, Role::Sales]).in_region("east");
    let named = designate(&both).as_role(Role::RegionalTechSupportEngineer);
    assert!(matches!(
        rejection(engine.fire(&id, &named, t0())),
        Rejection::OutOfRegion { .. }
    ));
    let hq = designate(&east).as_role(Role::QualityMgmtDept);
    assert!(matches!(
        rejection(engine.fire(&id, &hq, t0())),
        Rejection::RoleNotHeld { .. }
    ));
    let inst = engine.load(&id).unwrap();
    assert_eq!(inst.state(), bq::State::AtRtse.name());
    assert_eq!(bq::designated_station(&inst), None);
    engine.verify(&id).unwrap();
}

#[test]
fn a_station_cannot_open_an_issue_in_another_region_nor_take_one_over() {
    let engine = engine();
    let east_station = Actor::new("ST-E-01", [Role::AuthorisedStation]).in_region("east");
    let r = engine
        .start_in(
            bq::ID,
            "BQ-2",
            Some("central".into()),
            &east_station,
            data(),
            t0(),
        )
        .err()
        .and_then(|e| e.rejection().cloned());
    assert!(matches!(r, Some(Rejection::OutOfRegion { action, .. }) if action == "start"));
    assert!(matches!(
        engine.load(&"BQ-2".into()),
        Err(EngineError::NotFound { .. })
    ));
    // a central station may not take over a complaint sales received (no designation)
    let id = InstanceId::from("BQ-3");
    let sales = Actor::new("sales-ma", [Role::Sales]);
    engine
        .start_in(
            bq::ID,
            id.clone(),
            Some("central".into()),
            &sales,
            data(),
            t0(),
        )
        .unwrap();
    let central_station = Actor::new("ST-WH-01", [Role::AuthorisedStation]).in_region("central");
    let take_over =
        Command::fire(&central_station, Action::DispatchSeniorEngineer).with_payload(json!({
            "senior_engineer": {"person": "Zhang Wei", "qualified_models": ["FZ-D530"]}
        }));
    match rejection(engine.fire(&id, &take_over, t0())) {
        Rejection::GuardRejected { guard, .. } => {
            assert_eq!(guard, Guard::ReceivedByThisStation.name());
        }
        other => panic!("{other:?}"),
    }
    engine.verify(&id).unwrap();
}
