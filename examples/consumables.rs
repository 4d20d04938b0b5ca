//! Outsourced consumables request (耗材申请单(批量)) linked to a batch quality issue: sent by the
//! regional engineer with a link to the started batch issue, filed by the regional quality
//! section, approved on the platform, shipped with the transfer form, one PSU short on
//! receipt, unused cables returned, a damaged PSU written off, closed, and its cost rolled
//! into the supplier claim of the batch issue.
//!
//! Run with `cargo run --example consumables`.

use aftersales::CostKind;
use aftersales::procedures::batch_quality as bq;
use aftersales::procedures::consumables::{
    self as cs, Action, ConsumablesRequest, ConsumptionReport, CountedLine, IssuedLine,
    ItemQuantity, MaterialTransfer, QuantityRecord, ReceiptRecord, RequestLine, ReturnRecord, Role,
    WriteOffRecord,
};
use aftersales::*;
use chrono::{DateTime, FixedOffset, TimeDelta, TimeZone, Utc};
use serde_json::json;
use std::error::Error;
use std::io::Write;
use std::sync::Arc;

/// The batch issue is driven through its intake (station → engineer → product technical
/// support → quality section starts the batch process) by the fixture the tests use.
#[path = "../tests/common/batch.rs"]
mod batch_fixture;

fn form<F: TypedForm>(f: &F) -> Result<Form, serde_json::Error> {
    Form::typed(F::KIND, f)
}

fn qty(lines: &[(&str, u32)], reason: &str) -> QuantityRecord {
    QuantityRecord {
        lines: lines
            .iter()
            .map(|(i, q)| ItemQuantity {
                item_code: (*i).into(),
                quantity: *q,
            })
            .collect(),
        reason: reason.into(),
    }
}

/// Run the scenario, printing to `out`.
pub(crate) fn run(out: &mut dyn Write) -> Result<(), Box<dyn Error>> {
    let cal: Arc<dyn Calendar> = Arc::new(BusinessCalendar::default());
    let mut engine = Engine::new(InMemoryStore::new());
    engine.register(
        bq::definition(&bq::Config::default(), cal.clone())?
            .definition()
            .clone(),
    )?;
    engine.register(
        cs::definition(&cs::Config::default(), cal)?
            .definition()
            .clone(),
    )?;

    let mut t: DateTime<Utc> = Utc
        .with_ymd_and_hms(2026, 11, 16, 1, 0, 0)
        .single()
        .ok_or("time")?; // Mon 09:00 UTC+8
    let batch = InstanceId::from("BQ-2026-17");
    batch_fixture::started_batch(&engine, &batch, t);
    writeln!(
        out,
        "== batch issue {batch} is in `{}` (started)",
        engine.load(&batch)?.state()
    )?;

    let rtse = Actor::new("rtse-li", [Role::RegionalTechSupportEngineer]);
    let rqs = Actor::new("rqs-chen", [Role::RegionalQualitySection]);
    let platform = Actor::new("plat-wu", [Role::PlatformApprover]);
    let store = Actor::new("store-he", [Role::MaterialStore]);
    let branch = Actor::new("branch-wh", [Role::Branch]);
    let id = InstanceId::from("HC-2026-0042");

    let request = ConsumablesRequest {
        batch_issue: batch.clone(),
        region: "central".into(),
        destination_branch: "Wuhan".into(),
        purpose: "replace the PSUs of the affected units (overall solution, task 3)".into(),
        lines: vec![
            RequestLine {
                item_code: "PSU-B".into(),
                description: "PSU rev B".into(),
                quantity: 16,
                unit_cost_fen: 12_000,
            },
            RequestLine {
                item_code: "CABLE".into(),
                description: "SATA power cable".into(),
                quantity: 20,
                unit_cost_fen: 300,
            },
        ],
    };
    engine.start(cs::ID, id.clone(), &rtse, json!({}), t)?;
    // Refused without a link to the batch issue (000 L646, L666).
    let refused = engine.fire(
        &id,
        &Command::fire(&rtse, Action::SendToRqs).with_form(form(&request)?),
        t,
    );
    writeln!(
        out,
        "without a batch link: {}",
        refused.err().map(|e| e.to_string()).unwrap_or_default()
    )?;
    let mut step = |cmd: Command| -> Result<(), Box<dyn Error>> {
        t += TimeDelta::hours(2);
        engine.fire(&id, &cmd, t)?;
        Ok(())
    };
    step(cs::with_batch_link(
        &engine,
        &batch,
        Command::fire(&rtse, Action::SendToRqs).with_form(form(&request)?),
    )?)?;
    step(cs::with_batch_link(
        &engine,
        &batch,
        Command::fire(&rqs, Action::FileWithPlatform),
    )?)?;
    step(Command::sign(&platform, Action::ApprovePlatform))?;
    step(
        Command::fire(&store, Action::IssueFromStore).with_form(form(&MaterialTransfer {
            from_store: "Wuhan material store".into(),
            to_branch: "Wuhan".into(),
            waybill: "SF 1234 5678".into(),
            lines: vec![
                IssuedLine {
                    item_code: "PSU-B".into(),
                    quantity: 16,
                    unit_cost_fen: 11_800,
                },
                IssuedLine {
                    item_code: "CABLE".into(),
                    quantity: 20,
                    unit_cost_fen: 300,
                },
            ],
        })?),
    )?;
    step(
        Command::fire(&branch, Action::ReceiveAndCount).with_form(form(&ReceiptRecord {
            counted_by: "Zhou (Wuhan branch)".into(),
            lines: vec![
                CountedLine {
                    item_code: "PSU-B".into(),
                    received: 15,
                    short: 1,
                    damaged: 1,
                },
                CountedLine {
                    item_code: "CABLE".into(),
                    received: 20,
                    short: 0,
                    damaged: 0,
                },
            ],
            note: "one PSU missing, one with a cracked case".into(),
        })?),
    )?;
    step(
        Command::fire(&branch, Action::ReportConsumption).with_form(form(&ConsumptionReport(
            qty(&[("PSU-B", 14), ("CABLE", 16)], ""),
        ))?),
    )?;
    step(
        Command::fire(&branch, Action::ReturnUnused)
            .with_form(form(&ReturnRecord(qty(&[("CABLE", 4)], "")))?),
    )?;
    step(
        Command::fire(&rqs, Action::WriteOff).with_form(form(&WriteOffRecord(qty(
            &[("PSU-B", 1)],
            "cracked case on delivery",
        )))?),
    )?;
    step(Command::fire(&rqs, Action::Close))?;
    engine.verify(&id)?;

    let offset = FixedOffset::east_opt(8 * 3600).ok_or("offset")?;
    writeln!(out, "\n-- audit trail of {id} --")?;
    write!(out, "{}", Trail::new(&engine.history(&id)?).offset(offset))?;

    for l in cs::data(&*engine.load(&id)?)?.lines {
        writeln!(
            out,
            "{:<6} requested {:>2} shipped {:>2} received {:>2} short {} consumed {:>2} returned {} written off {}",
            l.item_code,
            l.requested,
            l.shipped,
            l.received,
            l.short,
            l.consumed,
            l.returned,
            l.written_off
        )?;
    }
    // The supplier is responsible for the batch issue: the consumables go into the claim (000 L670).
    let claim = cs::roll_up([&*engine.load(&id)?], &batch, Some("PSU Co."))?;
    for line in claim
        .lines()
        .iter()
        .filter(|l| l.kind == CostKind::Consumables)
    {
        writeln!(
            out,
            "claim line: {} = {:.2} yuan",
            line.description,
            line.amount_fen as f64 / 100.0
        )?;
    }
    writeln!(
        out,
        "rolled into the supplier claim of {batch}: {:.2} yuan",
        claim.total()? as f64 / 100.0
    )?;
    Ok(())
}

#[allow(dead_code)]
fn main() -> Result<(), Box<dyn Error>> {
    run(&mut std::io::stdout().lock())
}
