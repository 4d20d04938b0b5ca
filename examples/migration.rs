//! examples/migration.rs — a revision of the complaint procedure arrives while complaints
//! are running: version 2 (derived from version 1's spec as JSON) shortens the domestic
//! solve-and-reply limit from 7 to 5 working days and adds a review of the reply by the
//! quality manager. Six complaints are in flight (draft, submitted, containment, analysis,
//! a restock sign-off half signed, and one withdrawn). The host dry-runs a first plan (which
//! expected no drafts: refused), corrects it, dry-runs again, migrates them all in one batch,
//! runs the batch again (a no-op) and shows a migrated trail.
//!
//! Run: `cargo run --example migration`.

use aftersales::migration::MigrationSpec;
use aftersales::procedures::complaint::data::{ComplaintRegion, ComplaintVerdict};
use aftersales::procedures::complaint::forms::eight_d::FiveW1H;
use aftersales::procedures::complaint::forms::*;
use aftersales::procedures::complaint::{self, Action, Config, Data, Role};
use aftersales::{
    Actor, BusinessCalendar, BusinessDuration, Command, DefinitionSpec, Engine, Form,
    InMemoryStore, InstanceId, Trail, TypedForm,
};
use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use serde_json::{Value, json};
use std::io::Write;
use std::sync::Arc;

type Res<T> = Result<T, Box<dyn std::error::Error>>;

fn form<T: TypedForm>(value: &T) -> Res<Form> {
    Ok(Form::typed(T::KIND, value)?)
}

fn actor(role: Role) -> Actor {
    Actor::new(role.as_ref(), [role])
}

fn handling_form(no: &str) -> ComplaintHandlingForm {
    ComplaintHandlingForm {
        no: no.into(),
        region: ComplaintRegion::Domestic,
        channel: Channel::GoodsReturned,
        customer: "Acme Lighting".into(),
        product_model: "FL-200".into(),
        quantity: 6,
        schedule_order_ref: "PC-2026-0932".into(),
        problem: FiveW1H {
            who: "site team".into(),
            what: "FL-200 floodlights flicker after 30 minutes".into(),
            when: "2026-11-12".into(),
            r#where: "Ningbo".into(),
            why: "unusable at night".into(),
            how_many: 6,
        },
        reported_functional_abnormality: false,
        customer_requests_8d: false,
        proposed_solution: None,
        goods_returned: true,
        not_returned_reason: None,
        defective_parts: vec![],
    }
}

fn containment() -> ContainmentRecord {
    let check = |location| StockCheck {
        location,
        model: "FL-200".into(),
        qty_checked: 100,
        qty_suspect: 0,
    };
    ContainmentRecord {
        checks: vec![check(StockLocation::Wip), check(StockLocation::Unshipped)],
        similar_defect_found: false,
        temporary_countermeasures: vec![],
    }
}

fn pass_restock() -> ComplaintInspectionRecord {
    ComplaintInspectionRecord {
        verdict: ComplaintVerdict::Pass,
        inspection_result: "no defect found on the 6 lamps".into(),
        cause_analysis: String::new(),
        test_results: String::new(),
        feedback_to_adc: None,
        functional_abnormality: false,
        mold_findings: None,
        failed_parts: Default::default(),
        goods_disposition: GoodsDisposition::Restock,
        misjudgment_phenomenon: Some("flicker from the site's dimmer".into()),
    }
}

fn restock() -> RestockRequest {
    RestockRequest {
        no: "TL-7".into(),
        items: vec![ItemQty {
            model: "FL-200".into(),
            qty: 6,
        }],
        replacement_already_sent: true,
        sellable_as_new: false,
    }
}

/// Version 2, derived from version 1's spec as JSON: what a host does with a revised
/// work instruction (the built-in typed vocabulary describes version 1).
fn revision(v1: &DefinitionSpec) -> Res<DefinitionSpec> {
    let mut spec: Value = serde_json::to_value(v1)?;
    spec["version"] = json!(2);
    let five = BusinessDuration::working_days_close(5).ok_or("5 is not zero")?;
    for d in spec["deadlines"].as_array_mut().ok_or("deadlines")? {
        if d["name"] == "solve_and_reply" {
            d["limit"] = serde_json::to_value(five)?;
        }
    }
    spec["states"].as_array_mut().ok_or("states")?.push(json!({
        "name": "reply_review",
        "description": "回复复核: the quality manager reviews the reply sent to the customer"
    }));
    spec["actions"]
        .as_array_mut()
        .ok_or("actions")?
        .push(json!("approve_reply"));
    for t in spec["transitions"].as_array_mut().ok_or("transitions")? {
        if t["from"] == "reply_dispatch" && t["action"] == "send_to_customer" {
            t["to"] = json!("reply_review");
        }
    }
    spec["transitions"]
        .as_array_mut()
        .ok_or("transitions")?
        .push(json!({
            "from": "reply_review", "action": "approve_reply", "to": "effectiveness_check",
            "roles": ["quality_manager"]
        }));
    Ok(DefinitionSpec::from_json(&spec.to_string())?)
}

/// Monday 2026-11-16 10:00 (UTC+8) plus `hours`.
fn at(hours: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 16, 2, 0, 0)
        .single()
        .unwrap_or_default()
        + TimeDelta::hours(hours)
}

/// Start complaint `no` and take it through `steps`, one hour apart.
fn complaint_through(
    engine: &Engine<InMemoryStore>,
    no: &str,
    steps: Vec<Command>,
) -> Res<InstanceId> {
    let id = InstanceId::from(no);
    let data = Data::new(no, ComplaintRegion::Domestic, "Acme Lighting", "FL-200").to_value()?;
    engine.start(
        complaint::ID,
        id.clone(),
        &actor(Role::AdcDomestic),
        data,
        at(0),
    )?;
    for (i, cmd) in steps.into_iter().enumerate() {
        engine.fire(&id, &cmd, at(i as i64 + 1))?;
    }
    Ok(id)
}

fn main() -> Res<()> {
    let mut out = std::io::stdout().lock();
    let config = Config::default();
    let calendar = Arc::new(BusinessCalendar::china_standard());
    let v1 = complaint::definition(&config, calendar.clone())?;
    let registry = complaint::registry(&config).shared_calendar(calendar);
    let v2 = Arc::new(revision(v1.definition().spec())?.build(&registry)?);
    let mut engine = Engine::new(InMemoryStore::new());
    engine.register(Arc::clone(v1.definition()))?;

    // Six complaints in flight on version 1.
    let (adc, cqe) = (actor(Role::AdcDomestic), actor(Role::Cqe));
    let submit = |no: &str| -> Res<Command> {
        Ok(Command::fire(&adc, Action::Submit).with_form(form(&handling_form(no))?))
    };
    let ack = || Command::fire(&cqe, Action::Acknowledge);
    let contain = || -> Res<Command> {
        Ok(Command::fire(&cqe, Action::RecordContainment).with_form(form(&containment())?))
    };
    complaint_through(&engine, "KS-1", vec![])?;
    complaint_through(&engine, "KS-2", vec![submit("KS-2")?])?;
    complaint_through(&engine, "KS-3", vec![submit("KS-3")?, ack()])?;
    complaint_through(&engine, "KS-4", vec![submit("KS-4")?, ack(), contain()?])?;
    let restocking = Command::fire(&cqe, Action::RecordPassRestock)
        .with_form(form(&pass_restock())?)
        .with_form(form(&restock())?);
    let oqc_signs = Command::sign(&actor(Role::OqcInspector), Action::ApproveRestock);
    let ks5 = complaint_through(
        &engine,
        "KS-5",
        vec![submit("KS-5")?, ack(), contain()?, restocking, oqc_signs],
    )?;
    let withdraw =
        Command::fire(&adc, Action::Withdraw).with_payload(json!({"reason": "duplicate"}));
    complaint_through(&engine, "KS-6", vec![withdraw])?;

    // The revision arrives: registered beside version 1.
    engine.register(Arc::clone(&v2))?;
    writeln!(
        out,
        "complaint versions: {:?} (v2 spec digest {})",
        engine.versions(complaint::ID),
        &v2.digest().to_string()[..12]
    )?;
    let now = at(26);

    // A first plan, in JSON: drafts were thought to be none.
    let first = MigrationSpec::from_json(
        r#"{
            "definition": "complaint", "from": 1, "to": 2,
            "same_names": true,
            "no_instances_expected": ["draft"],
            "data": [{"op": "set_default", "path": "/revision", "value": "v2: reply in 5 working days"}],
            "clocks": "carry",
            "clock_overrides": {"solve_and_reply": "recompute"},
            "sign_offs": "reset"
        }"#,
    )?;
    let plan = first.clone().build(v1.definition(), &v2)?;
    writeln!(out, "\n{}", engine.dry_run(&plan, now)?)?;

    // The host maps drafts too, and runs the dry run again: clean.
    let mut second = first;
    second.no_instances_expected.clear();
    let plan = second.build(v1.definition(), &v2)?;
    let dry = engine.dry_run(&plan, now)?;
    writeln!(out, "{dry}")?;
    if !dry.is_clean() {
        return Err("the corrected plan still refuses instances".into());
    }

    let admin = Actor::new("ops.admin", Vec::<&str>::new());
    let report = engine.migrate_all(&plan, &admin, now)?;
    writeln!(out, "batch: {report}")?;
    let again = engine.migrate_all(&plan, &admin, now)?;
    writeln!(out, "batch again: {again}")?;

    // New complaints start on version 2.
    let data =
        Data::new("KS-7", ComplaintRegion::Domestic, "Acme Lighting", "FL-200").to_value()?;
    let new = engine.start(complaint::ID, "KS-7", &adc, data, now)?;
    writeln!(out, "KS-7 starts on v{}", new.instance.definition_version())?;

    // The trail of KS-5: the restock sign-off was half signed, and starts again under v2.
    for id in ["KS-2", "KS-5"].map(InstanceId::from) {
        engine.verify(&id)?;
    }
    let history = engine.history(&ks5)?;
    let offset = chrono::FixedOffset::east_opt(8 * 3600).ok_or("offset")?;
    writeln!(out, "\nKS-5 (verified against its hash chain):")?;
    write!(out, "{}", Trail::new(&history).offset(offset))?;
    Ok(())
}
