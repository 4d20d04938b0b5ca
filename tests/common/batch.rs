//! Fixtures shared by the procedure tests: a batch-quality issue driven through its intake
//! (BQ-E §4.9–§5.1.5 (000 L650–L652)) to the start of the batch process.
#![allow(
    dead_code,
    unused_imports,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic
)]

use aftersales::procedures::batch_quality::{self as bq, Action, Role};
use aftersales::*;
use chrono::{DateTime, NaiveDate, TimeDelta, TimeZone, Utc};
use std::sync::{Arc, LazyLock};

use aftersales::testing::fixtures::batch_quality::Cast;
pub(crate) use aftersales::testing::fixtures::batch_quality::{
    CUSTOMER, MODEL, batch_case as case, dispatch, feedback_report as feedback, form, formal,
    start_decision as decision, ts_analysis, user_evidence,
};

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

/// The batch fixture's cast, once.
static CAST: LazyLock<Cast> = LazyLock::new(Cast::new);

/// `fn name() -> Actor` for actors of the fixture's cast.
macro_rules! cast_actors {
    ($($name:ident => $field:ident),+ $(,)?) => {
        $(
            pub(crate) fn $name() -> Actor {
                CAST.$field.clone()
            }
        )+
    };
}

cast_actors!(
    station => authorised_station,
    rtse => regional_tech_support_engineer,
    ts => product_tech_support,
    rqs => regional_quality_section,
    rnd => rnd,
    qmd => quality_mgmt_dept,
    sys => system_mgmt_dept,
);

pub(crate) fn fire(a: &Actor, act: Action) -> Command {
    Command::fire(a, act)
}

pub(crate) fn start_cmd(acc: bq::Acceptance, d: &bq::BatchStartDecision) -> Command {
    fire(&rqs(), Action::StartBatchProcess)
        .with_payload(bq::start_payload(acc))
        .with_form(form(d))
}

/// Drive a new batch issue `id` through intake to `batch_started` (BQ-E §4.9–§5.1.5 (000 L650–L652)).
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
