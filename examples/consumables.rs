//! Outsourced consumables request (耗材申请单(批量)) linked to a batch quality issue: sent by the
//! regional engineer with a link to the started batch issue, filed by the regional quality
//! section, approved on the platform, shipped with the transfer form, one PSU short on
//! receipt, unused cables returned, a damaged PSU written off, closed, and its cost rolled
//! into the supplier claim of the batch issue.
//!
//! Run with `cargo run --example consumables`.

use aftersales::procedures::batch_quality as bq;
use aftersales::procedures::consumables::{
    self as cs, Action, ConsumablesRequest, ConsumptionReport, CountedLine, IssuedLine,
    ItemQuantity, MaterialTransfer, QuantityRecord, ReceiptRecord, RequestLine, ReturnRecord, Role,
    WriteOffRecord,
};
use aftersales::{
    Actor, BusinessCalendar, Calendar, Command, CostKind, Engine, Form, InMemoryStore, InstanceId,
    Trail, TypedForm,
};
use chrono::{DateTime, FixedOffset, NaiveDate, TimeDelta, TimeZone, Utc};
use std::error::Error;
use std::io::Write;
use std::sync::Arc;

type R<T> = Result<T, Box<dyn Error>>;

fn form<F: TypedForm>(f: &F) -> R<Form> {
    Ok(Form::typed(F::KIND, f)?)
}

fn day(m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, m, d).unwrap_or_default()
}

/// Item quantities with a reason (blank where none is needed).
fn qty(lines: &[(&str, u32)], reason: &str) -> QuantityRecord {
    QuantityRecord {
        lines: lines
            .iter()
            .map(|&(item_code, quantity)| ItemQuantity {
                item_code: item_code.into(),
                quantity,
            })
            .collect(),
        reason: reason.into(),
    }
}

/// Start batch issue `id` and take it through its intake to `batch_started` (BQ-E §4.9–§5.1.5 (000 L650–L652)):
/// the station confirms on site and submits its feedback, the engineer verifies, product
/// technical support confirms, the regional quality section starts the batch process.
fn start_batch_issue(
    engine: &Engine<InMemoryStore>,
    id: &InstanceId,
    (rtse, rqs): (&Actor, &Actor),
    at: DateTime<Utc>,
) -> R<()> {
    let (customer, model, symptom) = ("Bank of Wuhan", "FZ-D530", "no display after cold boot");
    let station = Actor::new("st-wuhan-01", [bq::Role::AuthorisedStation]);
    let ts = Actor::new("ts-wang", [bq::Role::ProductTechSupport]);
    let data = bq::Data::new(customer, model, "central", symptom);
    engine.start(bq::ID, id.clone(), &station, data.to_value()?, at)?;
    let mode = || bq::FailureMode::WholeMachine {
        symptom: symptom.into(),
    };
    let evidence = || bq::Evidence::User {
        customer: customer.into(),
        model: model.into(),
        mode: mode(),
        units_in_use: 250,
        failed_units: 16,
    };
    let acceptance = bq::Acceptance::NotAccepted;
    let feedback = bq::BatchFeedbackReport {
        revision: 1,
        station: "ST-WH-01".into(),
        senior_engineer: "Zhang Wei".into(),
        customer: customer.into(),
        region: "central".into(),
        product_line: bq::ProductLine::FounderProduct,
        model: model.into(),
        units_in_use: 250,
        mode: mode(),
        failed_units: (1..=16)
            .map(|i| bq::FailedUnit {
                serial: format!("SN{i:04}"),
                delivered_on: day(6, 1),
                failed_on: day(10, i),
                in_service_period: true,
            })
            .collect(),
        symptom: "black screen after cold boot".into(),
        onsite_findings: "16 of 250 units, same symptom, PSU rail sags".into(),
        verification_results: "swapping the PSU cures 3 of 3 samples".into(),
        acceptance,
        user_needs: "keep branches open".into(),
    };
    let analysis = bq::TsPreliminaryAnalysis {
        preliminary_cause: "PSU 12 V rail below spec at cold start".into(),
        solution_proposal: "replace PSU with revision B".into(),
        evidence: evidence(),
        window_from: day(8, 16),
        window_to: day(11, 16),
    };
    let decision = bq::BatchStartDecision {
        case: bq::BatchCase {
            evidence: evidence(),
            window_from: day(8, 16),
            window_to: day(11, 16),
            product_line: bq::ProductLine::FounderProduct,
            delivered: true,
            in_service_period: true,
            meets_spec_but_not_user_need: false,
            judged_nonconforming: true,
        },
        acceptance,
        rd_unit: bq::RdUnit::RdCenter,
        summary: "16 of 250 units, same symptom in 3 months".into(),
    };
    let senior = serde_json::json!({
        "senior_engineer": { "person": "Zhang Wei", "qualified_models": [model] }
    });
    let formal = |a: &Actor, act: bq::Action| Command::fire(a, act).with_payload(bq::formal());
    let steps = [
        Command::fire(&station, bq::Action::DispatchSeniorEngineer).with_payload(senior),
        formal(&station, bq::Action::SubmitBatchFeedback).with_form(form(&feedback)?),
        formal(rtse, bq::Action::VerifyAndForward),
        formal(&ts, bq::Action::ConfirmAndForwardToRqs).with_form(form(&analysis)?),
        Command::fire(rqs, bq::Action::StartBatchProcess)
            .with_payload(bq::start_payload(acceptance))
            .with_form(form(&decision)?),
    ];
    for cmd in steps {
        engine.fire(id, &cmd, at)?;
    }
    Ok(())
}

/// Run the scenario, printing to `out`: one engine holds the batch issue (driven through its
/// intake) and the consumables request that serves it.
pub(crate) fn run(out: &mut dyn Write) -> Result<(), Box<dyn Error>> {
    let calendar: Arc<dyn Calendar> = Arc::new(BusinessCalendar::default());
    let mut engine = Engine::new(InMemoryStore::new());
    engine.register(
        bq::definition(&bq::Config::default(), calendar.clone())?
            .definition()
            .clone(),
    )?;
    engine.register(
        cs::definition(&cs::Config::default(), calendar)?
            .definition()
            .clone(),
    )?;
    // The regional engineer and quality section carry the batch procedure's role names for the
    // same departments, so the same people act on both instances.
    let rtse = Actor::new("rtse-li", [Role::RegionalTechSupportEngineer]);
    let rqs = Actor::new("rqs-chen", [Role::RegionalQualitySection]);
    let approver = Actor::new("plat-wu", [Role::PlatformApprover]);
    let store = Actor::new("store-he", [Role::MaterialStore]);
    let branch = Actor::new("branch-wh", [Role::Branch]);
    let (batch, id) = (InstanceId::from("BQ-1"), InstanceId::from("CR-1"));
    let mut now = Utc
        .with_ymd_and_hms(2026, 11, 16, 1, 0, 0)
        .single()
        .unwrap_or_default();
    start_batch_issue(&engine, &batch, (&rtse, &rqs), now)?;
    engine.start(cs::ID, id.clone(), &rtse, serde_json::json!({}), now)?;
    writeln!(
        out,
        "== batch issue {batch} is in `{}` (started)",
        engine.load(&batch)?.state()
    )?;

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
    // Refused without a link to the batch issue (BQ-E §4.5–§4.7, §5.3 (000 L646, L666)).
    let send = Command::fire(&rtse, Action::SendToRqs).with_form(form(&request)?);
    let refused = engine.fire(&id, &send, now);
    writeln!(
        out,
        "without a batch link: {}",
        refused.err().map(|e| e.to_string()).unwrap_or_default()
    )?;
    // Sending and filing each carry a fresh link, taken from the batch issue itself.
    let send = cs::with_batch_link(&engine, &batch, send)?;
    let file = cs::with_batch_link(
        &engine,
        &batch,
        Command::fire(&rqs, Action::FileWithPlatform),
    )?;
    let mut step = |cmd: Command| -> R<()> {
        now += TimeDelta::hours(2);
        engine.fire(&id, &cmd, now)?;
        Ok(())
    };
    step(send)?;
    step(file)?;
    step(Command::sign(&approver, Action::ApprovePlatform))?;
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
    // The supplier is responsible for the batch issue: the consumables go into the claim (BQ-E §5.5 (000 L670)).
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
