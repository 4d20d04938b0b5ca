//! Outsourced consumables request (耗材申请单(批量)) linked to a batch quality issue: sent by the
//! regional engineer with a link to the started batch issue, filed by the regional quality
//! section, approved on the platform, shipped with the transfer form, one PSU short on
//! receipt, unused cables returned, a damaged PSU written off, closed, and its cost rolled
//! into the supplier claim of the batch issue.
//!
//! Run with `cargo run --features testing --example consumables`.

#[cfg(feature = "testing")]
use aftersales::procedures::consumables::{
    self as cs, Action, ConsumablesRequest, ConsumptionReport, CountedLine, IssuedLine,
    MaterialTransfer, ReceiptRecord, RequestLine, ReturnRecord, WriteOffRecord,
};
#[cfg(feature = "testing")]
use aftersales::testing::fixtures::consumables::{Scenario, form, quantities as qty};
#[cfg(feature = "testing")]
use aftersales::{Command, CostKind, Trail};
#[cfg(feature = "testing")]
use chrono::{FixedOffset, TimeDelta};
use std::error::Error;
use std::io::Write;

/// Run the scenario, printing to `out`. The engine, the cast and the batch issue (driven
/// through its intake: station → engineer → product technical support → quality section
/// starts the batch process) come from the public fixtures.
#[cfg(feature = "testing")]
pub(crate) fn run(out: &mut dyn Write) -> Result<(), Box<dyn Error>> {
    let mut s = Scenario::new(&cs::Config::default())?;
    let batch = s.batch().clone();
    let id = s.id().clone();
    writeln!(
        out,
        "== batch issue {batch} is in `{}` (started)",
        s.batch_instance().state()
    )?;
    let cast = s.cast().clone();
    let (rtse, rqs, store, branch) = (
        &cast.regional_tech_support_engineer,
        &cast.regional_quality_section,
        &cast.material_store,
        &cast.branch,
    );

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
    // Refused without a link to the batch issue (000 L646, L666).
    let refused = s.fire(Command::fire(rtse, Action::SendToRqs).with_form(form(&request)));
    writeln!(
        out,
        "without a batch link: {}",
        refused.err().map(|e| e.to_string()).unwrap_or_default()
    )?;
    // Sending and filing each carry a fresh link, taken from the batch issue itself.
    let send = Command::fire(rtse, Action::SendToRqs).with_form(form(&request));
    let send = cs::with_batch_link(s.engine(), &batch, send)?;
    let file = cs::with_batch_link(
        s.engine(),
        &batch,
        Command::fire(rqs, Action::FileWithPlatform),
    )?;
    let mut step = |cmd: Command| -> Result<(), Box<dyn Error>> {
        s.advance(TimeDelta::hours(2));
        s.fire(cmd)?;
        Ok(())
    };
    step(send)?;
    step(file)?;
    step(Command::sign(
        &cast.platform_approver,
        Action::ApprovePlatform,
    ))?;
    step(
        Command::fire(store, Action::IssueFromStore).with_form(form(&MaterialTransfer {
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
        })),
    )?;
    step(
        Command::fire(branch, Action::ReceiveAndCount).with_form(form(&ReceiptRecord {
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
        })),
    )?;
    step(
        Command::fire(branch, Action::ReportConsumption).with_form(form(&ConsumptionReport(qty(
            &[("PSU-B", 14), ("CABLE", 16)],
            "",
        )))),
    )?;
    step(
        Command::fire(branch, Action::ReturnUnused)
            .with_form(form(&ReturnRecord(qty(&[("CABLE", 4)], "")))),
    )?;
    step(
        Command::fire(rqs, Action::WriteOff).with_form(form(&WriteOffRecord(qty(
            &[("PSU-B", 1)],
            "cracked case on delivery",
        )))),
    )?;
    step(Command::fire(rqs, Action::Close))?;
    let engine = s.engine();
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

/// The example drives the public fixtures, which need the `testing` feature: without it, it
/// says how to run it.
#[cfg(not(feature = "testing"))]
pub(crate) fn run(out: &mut dyn Write) -> Result<(), Box<dyn Error>> {
    writeln!(
        out,
        "(the consumables scenario runs on the public fixtures: \
         `cargo run --features testing --example consumables`)"
    )?;
    Ok(())
}

#[allow(dead_code)]
fn main() -> Result<(), Box<dyn Error>> {
    run(&mut std::io::stdout().lock())
}
