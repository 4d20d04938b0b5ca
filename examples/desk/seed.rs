//! Seeding from the procedure fixtures: each fixture scenario is driven to a state in memory,
//! then its start and its accepted commands are replayed into the desk's store (a few hours
//! up to five days back, one step every twenty minutes). The same commands prefill the desk's forms.

use crate::{App, Prefills};
use aftersales::procedures::{
    batch_quality as bq, complaint as c, consumables as cs, customer_return as cr,
};
use aftersales::testing::fixtures::{
    self, batch_quality as bqf, complaint as cf, consumables as csf, customer_return as crf,
};
use aftersales::{Actor, AsyncStore, Command, EventKind, InstanceId, Intent, Name};
use chrono::TimeDelta;
use std::collections::BTreeMap;
use std::error::Error;

/// A scenario to replay: its procedure, history and accepted commands.
pub(crate) struct Recorded {
    procedure: Name,
    history: Vec<aftersales::Event>,
    fired: Vec<Command>,
}

fn record<T: std::ops::Deref<Target = fixtures::Driver>>(
    procedure: &str,
    scenario: Result<T, fixtures::FixtureError>,
    out: &mut Vec<Recorded>,
) {
    let s = match scenario {
        Ok(s) => s,
        Err(e) => return eprintln!("seed: {procedure}: {e}"),
    };
    match s.engine().history(s.id()) {
        Ok(history) => out.push(Recorded {
            procedure: Name::from(procedure),
            history,
            fired: s.fired().iter().map(|(_, c)| c.clone()).collect(),
        }),
        Err(e) => eprintln!("seed: {procedure}: {e}"),
    }
}

/// The fixtures' scenarios (a few states per procedure, plus each procedure's closure for
/// the prefill) and the prefill of every action they fired.
pub(crate) fn fixtures() -> (Prefills, Vec<Recorded>) {
    let mut rec = Vec::new();
    for s in [
        c::State::Submitted,
        c::State::Analysis,
        c::State::ReportReview,
        c::State::Handled,
        c::State::Closed,
    ] {
        record(c::ID, cf::Scenario::at(s), &mut rec);
    }
    for s in [
        bq::State::AtRtse,
        bq::State::RdAnalysis,
        bq::State::SolutionPlanning,
        bq::State::CapaVerification,
        bq::State::Closed,
    ] {
        record(bq::ID, bqf::Scenario::at(s), &mut rec);
    }
    for s in [
        cs::State::RqsReview,
        cs::State::PlatformApproval,
        cs::State::Shipped,
        cs::State::Settling,
        cs::State::Closed,
    ] {
        record(cs::ID, csf::Scenario::at(s), &mut rec);
    }
    for s in [
        cr::State::Announced,
        cr::State::UnderInspection,
        cr::State::Judged,
        cr::State::FollowUp,
        cr::State::Closed,
    ] {
        record(cr::ID, crf::Scenario::at(s), &mut rec);
    }
    let mut prefill = Prefills::default();
    for r in &rec {
        if let Some(EventKind::Created { data, .. }) = r.history.first().map(|e| &e.kind) {
            prefill
                .data
                .entry(r.procedure)
                .or_insert_with(|| (**data).clone());
        }
        for cmd in &r.fired {
            let action = match &cmd.intent {
                Intent::Fire { action } | Intent::Sign { action } => *action,
                _ => continue,
            };
            let entry = prefill.actions.entry((r.procedure, action)).or_default();
            if entry.forms.is_empty() && !cmd.forms.is_empty() {
                entry.forms = cmd.forms.clone();
            }
            if entry.payload.is_null() {
                entry.payload = cmd.payload.clone();
            }
        }
    }
    (prefill, rec)
}

/// Seeds the store when it holds no instance yet: every recorded scenario but the closed
/// ones, replayed under a new id.
pub(crate) async fn seed_if_empty<S: AsyncStore>(
    app: &App<S>,
    scenarios: &[Recorded],
) -> Result<(), Box<dyn Error>> {
    for p in &app.procedures {
        if !app.engine.store().list(p).await?.is_empty() {
            return Ok(());
        }
    }
    let now = app.clock.now();
    let mut counter: BTreeMap<Name, usize> = BTreeMap::new();
    for r in scenarios {
        let history = &r.history;
        let Some(first) = history.first() else {
            continue;
        };
        let EventKind::Created { data, .. } = &first.kind else {
            continue;
        };
        let Some(by) = &first.by else { continue };
        let starter = Actor::new(by.actor.as_str(), by.role.iter());
        let last_state = history.iter().rev().find_map(|e| match &e.kind {
            EventKind::Transitioned { to, .. } => Some(*to),
            _ => None,
        });
        if last_state.is_some_and(|s| {
            app.engine
                .definition(r.procedure)
                .is_some_and(|d| d.state_kind(s) == Some(aftersales::StateKind::Terminal))
        }) {
            continue;
        }
        let n = counter.entry(r.procedure).or_default();
        *n += 1;
        let id = InstanceId::from(format!("{}-{}", prefix(r.procedure), 100 + *n));
        // The first case of each procedure is the oldest (five days): its early clocks are
        // breached by now; the others are a few hours to three days old.
        let mut at = now
            - TimeDelta::hours(4 + 40 * (4 - (*n).min(4) as i64))
            - TimeDelta::minutes(20 * r.fired.len() as i64);
        app.engine
            .start(r.procedure, id.clone(), &starter, (**data).clone(), at)
            .await?;
        for cmd in &r.fired {
            at += TimeDelta::minutes(20);
            if let Err(e) = app.engine.fire(&id, cmd, at).await {
                eprintln!("seed: {id}: {e}");
                break;
            }
        }
    }
    Ok(())
}

/// The id prefix of a procedure's seeded instances.
pub(crate) fn prefix(procedure: Name) -> &'static str {
    match procedure.as_str() {
        "complaint" => "KS",
        "batch_quality" => "BQ",
        "consumables" => "CR",
        _ => "RT",
    }
}
