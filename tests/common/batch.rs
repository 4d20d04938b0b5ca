//! Fixtures shared by the procedure tests: a batch-quality issue driven through its intake
//! (seed 000 L650–L652) to the start of the batch process.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use aftersales::procedures::batch_quality::{self as bq, Action, Role};
use aftersales::*;
use chrono::{DateTime, NaiveDate, TimeDelta, TimeZone, Utc};
use serde_json::json;
use std::sync::Arc;

pub(crate) const CUSTOMER: &str = "Bank of Wuhan";
pub(crate) const MODEL: &str = "FZ-D530";

/// Local time (UTC+8) on a day of November 2026 (Mon 16, Fri 20, Mon 23).
pub(crate) fn lt(day: u32, h: u32, m: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, day, h, m, 0).unwrap() - TimeDelta::hours(8)
}

pub(crate) fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

pub(crate) fn cal() -> Arc<dyn Calendar> {
    Arc::new(BusinessCalendar::default())
}

pub(crate) fn actor(id: &str, role: Role) -> Actor {
    Actor::new(id, [role])
}

pub(crate) fn station() -> Actor {
    actor("st-wuhan-01", Role::AuthorisedStation)
}

pub(crate) fn rtse() -> Actor {
    actor("rtse-li", Role::RegionalTechSupportEngineer)
}

pub(crate) fn ts() -> Actor {
    actor("ts-wang", Role::ProductTechSupport)
}

pub(crate) fn rqs() -> Actor {
    actor("rqs-chen", Role::RegionalQualitySection)
}

pub(crate) fn rnd() -> Actor {
    actor("rnd-zhao", Role::Rnd)
}

pub(crate) fn qmd() -> Actor {
    actor("qmd-sun", Role::QualityMgmtDept)
}

pub(crate) fn sys() -> Actor {
    actor("sys-zhou", Role::SystemMgmtDept)
}

pub(crate) fn form<F: TypedForm>(f: &F) -> Form {
    Form::typed(F::KIND, f).unwrap()
}

pub(crate) fn fire(a: &Actor, act: Action) -> Command {
    Command::fire(a, act)
}

/// Fire through the batch feedback system.
pub(crate) fn formal(a: &Actor, act: Action) -> Command {
    Command::fire(a, act).with_payload(bq::formal())
}

pub(crate) fn feedback(revision: u32) -> bq::BatchFeedbackReport {
    bq::BatchFeedbackReport {
        revision,
        station: "ST-WH-01".into(),
        senior_engineer: "Zhang Wei".into(),
        customer: CUSTOMER.into(),
        region: "central".into(),
        product_line: bq::ProductLine::FounderProduct,
        model: MODEL.into(),
        units_in_use: 250,
        mode: bq::FailureMode::WholeMachine {
            symptom: "no display after cold boot".into(),
        },
        failed_units: (1..=16)
            .map(|i| bq::FailedUnit {
                serial: format!("SN{i:04}"),
                delivered_on: date(2026, 6, 1),
                failed_on: date(2026, 10, i),
                in_service_period: true,
            })
            .collect(),
        symptom: "black screen after cold boot".into(),
        onsite_findings: "16 of 250 units, same symptom, PSU rail sags".into(),
        verification_results: "swapping the PSU cures 3 of 3 samples".into(),
        acceptance: bq::Acceptance::NotAccepted,
        user_needs: "keep branches open; replace before the acceptance audit".into(),
    }
}

pub(crate) fn user_evidence(units: u64, failed: u64) -> bq::Evidence {
    bq::Evidence::User {
        customer: CUSTOMER.into(),
        model: MODEL.into(),
        mode: bq::FailureMode::WholeMachine {
            symptom: "no display after cold boot".into(),
        },
        units_in_use: units,
        failed_units: failed,
    }
}

pub(crate) fn ts_analysis(units: u64, failed: u64) -> bq::TsPreliminaryAnalysis {
    bq::TsPreliminaryAnalysis {
        preliminary_cause: "PSU 12 V rail below spec at cold start".into(),
        solution_proposal: "replace PSU with revision B".into(),
        evidence: user_evidence(units, failed),
        window_from: date(2026, 8, 16),
        window_to: date(2026, 11, 16),
    }
}

pub(crate) fn case(units: u64, failed: u64) -> bq::BatchCase {
    bq::BatchCase {
        evidence: user_evidence(units, failed),
        window_from: date(2026, 8, 16),
        window_to: date(2026, 11, 16),
        product_line: bq::ProductLine::FounderProduct,
        delivered: true,
        in_service_period: true,
        meets_spec_but_not_user_need: false,
        judged_nonconforming: true,
    }
}

pub(crate) fn decision(acceptance: bq::Acceptance) -> bq::BatchStartDecision {
    bq::BatchStartDecision {
        case: case(250, 16),
        acceptance,
        rd_unit: bq::RdUnit::RdCenter,
        summary: "C1: 16 of 250 units, same symptom in 3 months".into(),
    }
}

pub(crate) fn dispatch(who: &Actor) -> Command {
    fire(who, Action::DispatchSeniorEngineer).with_payload(json!({
        "senior_engineer": { "person": "Zhang Wei", "qualified_models": [MODEL] }
    }))
}

pub(crate) fn start_cmd(acc: bq::Acceptance, d: &bq::BatchStartDecision) -> Command {
    fire(&rqs(), Action::StartBatchProcess)
        .with_payload(bq::start_payload(acc))
        .with_form(form(d))
}

/// Drive a new batch issue `id` through intake to `batch_started` (000 L650–L652).
pub(crate) fn started_batch(engine: &Engine<InMemoryStore>, id: &InstanceId, t: DateTime<Utc>) {
    let data = bq::Data::new(CUSTOMER, MODEL, "central", "no display after cold boot");
    engine
        .start(bq::ID, id.clone(), &station(), data.to_value().unwrap(), t)
        .unwrap();
    engine.fire(id, &dispatch(&station()), t).unwrap();
    engine
        .fire(
            id,
            &formal(&station(), Action::SubmitBatchFeedback).with_form(form(&feedback(1))),
            t,
        )
        .unwrap();
    engine
        .fire(id, &formal(&rtse(), Action::VerifyAndForward), t)
        .unwrap();
    engine
        .fire(
            id,
            &formal(&ts(), Action::ConfirmAndForwardToRqs).with_form(form(&ts_analysis(250, 16))),
            t,
        )
        .unwrap();
    let acc = bq::Acceptance::NotAccepted;
    engine.fire(id, &start_cmd(acc, &decision(acc)), t).unwrap();
}
