//! examples/batch_quality.rs — a batch quality issue (售后批量质量问题处理流程 E版, seed 000
//! L634–L676) from detection to closing.
//!
//! A bank has 250 FZ-D530 desktops not yet accepted; 16 went black within three months.
//! The host's service data shows the batch (`batch_quality::detect`,
//! BQ-E §2.2 (000 L638)). The bank complains to sales: the issue is opened in the region `central`, sales
//! passes it to the region's engineer, who designates the local station (BQ-E §5.1.2–5.1.3,
//! BQ-E §5.1.1–§5.1.5 (000 L652)) — a station taking it over without the designation, or an engineer of another
//! region, is refused; the station confirms on site and submits it through the batch feedback system;
//! the engineer, technical support and the quality section pass it on within their 4 working
//! hours; R&D misses its 2-working-day limit for unaccepted machines and `engine.handle_due`
//! moves the issue to the director-level meeting (BQ-E §5.2.1–§5.2.2 (000 L654–L656)); the meeting sends it back
//! to R&D; the whole-machine replacement preferred during acceptance is signed by the five
//! co-authoring departments and the quality section (BQ-E §3.1–§3.2 (000 L640–L642)); execution is monitored
//! with a major-abnormality bulletin and a quality warning; the supplier is found responsible,
//! receives a CAPA notice and pays the claim (BQ-E §5.5–§9 (000 L670–L676)). The audit trail, the weekly
//! report and the cost ledger are printed.

use aftersales::procedures::batch_quality::{self as bq, Action, Role};
use aftersales::{
    Actor, BusinessCalendar, Command, Engine, Form, InMemoryStore, InstanceId, Trail, TypedForm,
};
use chrono::{DateTime, NaiveDate, TimeDelta, TimeZone, Utc};
use serde_json::json;
use std::error::Error;
use std::io::Write;
use std::sync::Arc;

type R<T> = Result<T, Box<dyn Error>>;

/// Local time (UTC+8) in November or December 2026.
fn lt(month: u32, day: u32, h: u32, m: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, month, day, h, m, 0)
        .single()
        .unwrap_or_default()
        - TimeDelta::hours(8)
}

fn day(m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, m, d).unwrap_or_default()
}

fn form<F: TypedForm>(f: &F) -> R<Form> {
    Ok(Form::typed(F::KIND, f)?)
}

fn local(t: DateTime<Utc>) -> String {
    (t + TimeDelta::hours(8)).format("%m-%d %H:%M").to_string()
}

/// Run the scenario and print to `out`.
pub(crate) fn run(out: &mut dyn Write) -> Result<(), Box<dyn Error>> {
    // Directors may be convened at once when R&D misses its limit (product decision `PD-MISS`).
    let cfg = bq::Config {
        director_meeting_auto: true,
        ..bq::Config::default()
    };
    let calendar = Arc::new(BusinessCalendar::default());
    let def = bq::definition(&cfg, calendar.clone())?;
    let mut engine = Engine::new(InMemoryStore::new());
    engine.register(def.definition().clone())?;
    let id = InstanceId::from("BQ-2026-017");
    let customer = "Bank of Wuhan";
    let model = "FZ-D530";

    // --- detection from service data (BQ-E §2.2 (000 L638)) -------------------------------------------
    let records: Vec<bq::FailureRecord> = (1..=16)
        .map(|i| bq::FailureRecord {
            id: format!("SR-{i:03}"),
            unit: format!("SN{i:04}"),
            model: model.into(),
            customer: customer.into(),
            component: None,
            failure_mode: "no display after cold boot".into(),
            region: "central".into(),
            date: Some(day(10, i)),
            in_service_period: true,
        })
        .collect();
    let base = bq::InstalledBase {
        users: vec![bq::UserBase {
            id: "IB-1".into(),
            customer: customer.into(),
            model: model.into(),
            units: 250,
        }],
        components: vec![],
    };
    let found = bq::detect(&records, &base, day(11, 16), &cfg)?;
    for f in &found.findings {
        writeln!(
            out,
            "detected {:?}: {} ({}..={})",
            f.rule, f.why, found.window_from, found.as_of
        )?;
    }

    // --- people -----------------------------------------------------------------------------
    // Regional departments carry the issue's region; headquarters departments act everywhere.
    let station = Actor::new("ST-WH-01", [Role::AuthorisedStation]).in_region("central");
    let rtse = Actor::new("rtse-li", [Role::RegionalTechSupportEngineer]).in_region("central");
    let ts = Actor::new("ts-wang", [Role::ProductTechSupport]);
    let rqs = Actor::new("rqs-chen", [Role::RegionalQualitySection]).in_region("central");
    let sales = Actor::new("sales-ma", [Role::Sales]);
    let rnd = Actor::new("rnd-zhao", [Role::Rnd]);
    let fire = |who: &Actor, a: Action| Command::fire(who, a);
    let formal = |who: &Actor, a: Action| Command::fire(who, a).with_payload(bq::formal());
    let go = |c: Command, t: DateTime<Utc>| engine.fire(&id, &c, t);

    // --- intake: sales -> the region's engineer -> the local station (BQ-E §5.1.2–5.1.3) ----
    let data = bq::Data::new(customer, model, "central", "black screen after cold boot");
    engine.start_in(
        bq::ID,
        id.clone(),
        Some("central".into()),
        &sales,
        data.to_value()?,
        lt(11, 16, 9, 30),
    )?;
    let dispatch = |who: &Actor| {
        fire(who, Action::DispatchSeniorEngineer).with_payload(json!({
            "senior_engineer": {"person": "Zhang Wei", "qualified_models": [model]}
        }))
    };
    let refused = |r: Result<_, aftersales::EngineError>| match r {
        Ok(_) => "accepted?!".to_owned(),
        Err(e) => e.to_string(),
    };
    let t = lt(11, 16, 9, 40);
    writeln!(
        out,
        "received by sales; the station takes over: {}",
        refused(go(dispatch(&station), t))
    )?;
    go(fire(&sales, Action::TransferToRtse), t)?;
    let designate = |who: &Actor| {
        fire(who, Action::DesignateLocalStation).with_payload(json!({"station": "ST-WH-01"}))
    };
    let east = Actor::new("rtse-wu", [Role::RegionalTechSupportEngineer]).in_region("east");
    writeln!(
        out,
        "an engineer of another region: {}",
        refused(go(designate(&east), t))
    )?;
    go(designate(&rtse), lt(11, 16, 9, 50))?;
    go(dispatch(&station), lt(11, 16, 10, 0))?;
    let inst = engine.load(&id)?;
    writeln!(
        out,
        "received by {} as {}, designated station {}",
        bq::received_by(&inst).map_or("?".into(), |a| a.actor.to_string()),
        bq::received_by(&inst)
            .and_then(|a| a.role)
            .map_or("?".into(), |r| r.to_string()),
        bq::designated_station(&inst).unwrap_or_default(),
    )?;
    let report = bq::BatchFeedbackReport {
        revision: 1,
        station: "ST-WH-01".into(),
        senior_engineer: "Zhang Wei".into(),
        customer: customer.into(),
        region: "central".into(),
        product_line: bq::ProductLine::FounderProduct,
        model: model.into(),
        units_in_use: 250,
        mode: bq::FailureMode::WholeMachine {
            symptom: "no display after cold boot".into(),
        },
        failed_units: records
            .iter()
            .map(|r| bq::FailedUnit {
                serial: r.unit.clone(),
                delivered_on: day(6, 1),
                failed_on: r.date.unwrap_or_default(),
                in_service_period: true,
            })
            .collect(),
        symptom: "black screen after cold boot".into(),
        onsite_findings: "PSU 12 V rail sags to 10.9 V at cold start".into(),
        verification_results: "PSU swap cures 3 of 3 samples".into(),
        acceptance: bq::Acceptance::NotAccepted,
        user_needs: "branches must open; replace before the acceptance audit on 12-15".into(),
    };
    go(
        formal(&station, Action::SubmitBatchFeedback).with_form(form(&report)?),
        lt(11, 16, 14, 0),
    )?;
    // an e-mail from the branch is kept for reference only (BQ-E §5.1.4 (000 L652))
    go(
        Command::comment(
            &rqs,
            "e-mail from Wuhan branch: bank threatens to stop acceptance",
        ),
        lt(11, 16, 14, 30),
    )?;
    go(formal(&rtse, Action::VerifyAndForward), lt(11, 16, 15, 30))?;
    let Some(finding) = found.findings.first() else {
        return Err("no batch detected".into());
    };
    go(
        formal(&ts, Action::ConfirmAndForwardToRqs).with_form(form(&bq::TsPreliminaryAnalysis {
            preliminary_cause: "PSU 12 V rail below spec at cold start".into(),
            solution_proposal: "replace PSU with revision B".into(),
            evidence: finding.evidence.clone(),
            window_from: found.window_from,
            window_to: found.as_of,
        })?),
        lt(11, 17, 9, 30),
    )?;
    let decision = bq::BatchStartDecision {
        case: bq::BatchCase {
            evidence: finding.evidence.clone(),
            window_from: found.window_from,
            window_to: found.as_of,
            product_line: bq::ProductLine::FounderProduct,
            delivered: true,
            in_service_period: true,
            meets_spec_but_not_user_need: false,
            judged_nonconforming: true,
        },
        acceptance: bq::Acceptance::NotAccepted,
        rd_unit: bq::RdUnit::RdCenter,
        summary: "C1: 16 of 250 units, same symptom in 3 months".into(),
    };
    go(
        fire(&rqs, Action::StartBatchProcess)
            .with_payload(bq::start_payload(bq::Acceptance::NotAccepted))
            .with_form(form(&decision)?),
        lt(11, 17, 11, 0),
    )?;
    go(formal(&rqs, Action::ForwardToRd), lt(11, 17, 13, 30))?;

    // --- R&D misses its 2 working days: director-level meeting (BQ-E §5.2.1–§5.2.2 (000 L654–L656)) ---------------
    if let Some(due) = engine.next_due()? {
        writeln!(out, "next deadline due {}", local(due))?;
    }
    // Due at the close of Thursday (BQ-E §5.2.1 (000 L654): the close of the 2nd working day); missed once
    // it has passed.
    engine.handle_due(lt(11, 19, 18, 30))?;
    go(
        formal(&rqs, Action::ForwardToRd).with_form(form(&bq::DirectorMeetingMinutes {
            held_at: lt(11, 20, 9, 0),
            attendees: vec![
                bq::Attendee {
                    dept: "R&D center".into(),
                    person: "Director Wu".into(),
                },
                bq::Attendee {
                    dept: "Quality management".into(),
                    person: "Director Qian".into(),
                },
                bq::Attendee {
                    dept: "Service platform".into(),
                    person: "Director He".into(),
                },
            ],
            decision: bq::MeetingDecision::ContinueRd {
                agreed_due: lt(11, 23, 12, 0),
            },
            notes: "lab time doubled; supplier FAE on site tomorrow".into(),
        })?),
        lt(11, 20, 9, 0),
    )?;
    go(fire(&rnd, Action::AcknowledgeRd), lt(11, 20, 9, 30))?;
    go(
        fire(&rnd, Action::ReturnFailedPart).with_form(form(&bq::FailedPartReturn {
            serial: "SN0003".into(),
            kind: bq::FailedPartKind::WholeMachine {
                doa_process_ref: "NDOA-2026-118".into(),
            },
            ownership_transferred: true,
            to_supplier: false,
            rqs_exception: None,
        })?),
        lt(11, 20, 10, 0),
    )?;
    go(
        fire(&rnd, Action::SubmitRdSolution).with_form(form(&bq::RdSolution {
            rd_unit: bq::RdUnit::RdCenter,
            cause_analysis: "capacitor lot C-2607 out of tolerance in PSU-Co model P300".into(),
            technical_solution: "replace with P300 rev B; verified 200 cold starts in the lab"
                .into(),
            verified_off_site: true,
            supplier_onsite: Some("PSU-Co FAE confirmed on 11-20".into()),
            supplier_indicated: Some("PSU-Co".into()),
        })?),
        lt(11, 23, 10, 0),
    )?;

    // --- overall solution: whole-machine replacement during acceptance (BQ-E §3.1–§3.2, §5.2.3–§5.2.4 (000 L640–L642, L664)) ---
    let t = lt(11, 23, 14, 0);
    go(
        fire(
            &Actor::new("branch-wh", [Role::Branch]).in_region("central"),
            Action::RecordConsultation,
        )
        .with_form(form(&bq::Consultation {
            party: bq::ConsultedParty::Branch {
                branch: "Wuhan".into(),
            },
            at: t,
            opinion: "exchange over two weekends".into(),
        })?),
        t,
    )?;
    go(
        fire(
            &Actor::new("sales-ma", [Role::Sales]),
            Action::RecordConsultation,
        )
        .with_form(form(&bq::Consultation {
            party: bq::ConsultedParty::User {
                customer: customer.into(),
            },
            at: t,
            opinion: "accepts new machines if done before 12-15".into(),
        })?),
        t,
    )?;
    for r in &cfg.plan_evaluators {
        go(
            fire(
                &Actor::new(format!("eval-{r}"), [*r]).in_region("central"),
                Action::EvaluatePlan,
            )
            .with_form(form(&bq::PlanEvaluation {
                dept: *r,
                effective: true,
                feasible: true,
                comment: String::new(),
            })?),
            t,
        )?;
    }
    let plan = bq::OverallSolutionPlan {
        kind: bq::PlanKind::WholeMachineReplacement,
        units_planned: 250,
        stations: vec!["ST-WH-01".into(), "ST-WH-02".into()],
        tasks: vec![
            bq::PlanTask {
                dept: Role::AuthorisedStation,
                task: "exchange 250 units at 42 branches".into(),
            },
            bq::PlanTask {
                dept: Role::SparePartsMgmt,
                task: "barcode the replacement units".into(),
            },
        ],
        spares_sources: vec![bq::SparesSource::Supplier, bq::SparesSource::TurnoverSpares],
        consumables_needed: true,
        returns_or_exchanges_units: true,
        not_replacement_reason: None,
        estimated_cost_fen: 250 * 380_000,
    };
    let exchange = bq::BatchReturnExchangeApplication {
        kind: bq::ReturnKind::Exchange,
        customer: customer.into(),
        model: model.into(),
        serials: (1..=250).map(|i| format!("SN{i:04}")).collect(),
        quantity: 250,
        replacement_model: Some("FZ-D530B".into()),
        reason: "batch PSU failure during acceptance".into(),
        ship_to: "Bank of Wuhan IT centre".into(),
        related_process: bq::RelatedProcess::NonDoa,
    };
    let mut first = true;
    for r in &cfg.replacement_plan_coauthors {
        let mut c = Command::sign(
            &Actor::new(format!("sign-{r}"), [*r]).in_region("central"),
            Action::ApprovePlan,
        );
        if first {
            c = c.with_form(form(&plan)?).with_form(form(&exchange)?);
            first = false;
        }
        go(c, lt(11, 23, 15, 0))?;
    }
    go(Command::sign(&rqs, Action::ApprovePlan), lt(11, 23, 16, 0))?;

    // --- execution and monitoring (BQ-E §4.1–§4.4, §5.3, §5.4, §6–§9 (000 L644, L666, L668, L676)) ---------------------------------
    go(
        fire(&rtse, Action::LinkConsumablesRequest).with_payload(json!({"request": "CR-2026-311"})),
        lt(11, 24, 9, 0),
    )?;
    go(
        fire(&rqs, Action::AssessSeverity).with_form(form(&bq::SeverityAssessment {
            severity: bq::BatchSeverity::Major,
            impact: "a key bank account; acceptance at risk".into(),
            internal_bulletin: "BQ-2026-017: whole-machine exchange at Bank of Wuhan".into(),
            distribution: vec!["service platform".into(), "sales".into()],
        })?),
        lt(11, 24, 10, 0),
    )?;
    go(
        fire(&rqs, Action::IssueQualityWarning).with_form(form(&bq::QualityWarning {
            models: vec![model.into()],
            components: vec!["PSU-Co P300".into()],
            risk: "every FZ-D530 built with capacitor lot C-2607".into(),
            containment: "hold lot C-2607; screen stock".into(),
            distribution: vec!["all regions".into()],
        })?),
        lt(11, 24, 10, 30),
    )?;
    // the issue is in each weekly and monthly report (BQ-E §5.4.3 (000 L668))
    let report = |kind: Action, no: &str| fire(&rqs, kind).with_payload(json!({"report_no": no}));
    go(
        report(Action::PublishWeeklyReport, "W48"),
        lt(11, 24, 11, 0),
    )?;
    go(
        formal(&station, Action::RecordProgress).with_form(form(&bq::ProgressEntry {
            units_done_total: 130,
            note: "first weekend: 130 exchanged".into(),
        })?),
        lt(11, 30, 9, 0),
    )?;
    go(
        fire(&rqs, Action::PublishProgressBulletin).with_form(form(&bq::ProgressBulletin {
            bulletin_no: "PB-2026-017-1".into(),
            period_from: day(11, 23),
            period_to: day(11, 29),
            major_abnormality: true,
            units_done: 130,
            units_planned: 250,
            summary: "130 of 250 exchanged".into(),
            next_steps: "second weekend 12-05".into(),
            risks: "replacement stock for 20 units".into(),
        })?),
        lt(11, 30, 10, 0),
    )?;
    go(
        report(Action::PublishWeeklyReport, "W49"),
        lt(11, 30, 10, 30),
    )?;
    go(
        report(Action::PublishMonthlyReport, "M11"),
        lt(12, 1, 10, 0),
    )?;
    go(
        formal(&station, Action::RecordProgress).with_form(form(&bq::ProgressEntry {
            units_done_total: 250,
            note: "all exchanged".into(),
        })?),
        lt(12, 7, 9, 0),
    )?;
    go(report(Action::PublishWeeklyReport, "W50"), lt(12, 7, 9, 30))?;
    go(
        fire(&rqs, Action::SettleConsumablesRequest)
            .with_payload(json!({"request": "CR-2026-311", "cost_fen": 486_000})),
        lt(12, 7, 10, 0),
    )?;
    go(
        fire(
            &Actor::new("sp-he", [Role::ServicePlatform]),
            Action::ReportExecutionResult,
        )
        .with_form(form(&bq::ExecutionResultReport {
            units_treated: 250,
            units_planned: 250,
            shortfall_reason: None,
            customer_feedback: "the bank signed acceptance on 12-07".into(),
        })?),
        lt(12, 7, 14, 0),
    )?;

    // --- verification, arbitration, CAPA and claim (BQ-E §5.5–§9 (000 L670–L676)) -------------------------------
    go(
        fire(&rqs, Action::ConfirmEffective).with_form(form(&bq::EffectVerification {
            effective: true,
            method: "no failure in 7 days on the new units".into(),
            evidence: "field report FR-88".into(),
        })?),
        lt(12, 14, 10, 0),
    )?;
    go(
        report(Action::PublishWeeklyReport, "W51"),
        lt(12, 14, 10, 30),
    )?;
    let psu_co = bq::Party::Supplier {
        supplier: "PSU-Co".into(),
    };
    go(
        fire(&rnd, Action::IssueQualityAppraisalReport).with_form(form(
            &bq::QualityAppraisalReport {
                report_no: "QAR-2026-031".into(),
                rd_unit: bq::RdUnit::RdCenter,
                mode: bq::FailureMode::WholeMachine {
                    symptom: "no display after cold boot".into(),
                },
                root_cause: "capacitor lot C-2607 out of tolerance".into(),
                nonconforming: true,
                violated_requirement: Some("PSU spec P300 §4.2: 12 V ±5 %".into()),
                responsibility: vec![psu_co.clone()],
                product_change_needed: false,
                evidence: "lab report L-2026-88".into(),
            },
        )?),
        lt(12, 14, 11, 0),
    )?;
    go(
        fire(&rqs, Action::Arbitrate).with_form(form(&bq::ArbitrationRecord {
            qar_no: "QAR-2026-031".into(),
            responsible: vec![psu_co.clone()],
            claim_against: Some("PSU-Co".into()),
            capa_for: vec![psu_co.clone()],
            internal_improvement: false,
            product_change: false,
            reasoning: "the supplier's lot violates the PSU specification".into(),
        })?),
        lt(12, 14, 14, 0),
    )?;
    go(
        fire(
            &Actor::new("qmd-sun", [Role::QualityMgmtDept]),
            Action::IssueCapaNotice,
        )
        .with_form(form(&bq::CapaNotice {
            notice_no: "CAPA-2026-009".into(),
            to: psu_co.clone(),
            problem: "P300 PSUs fail at cold start".into(),
            root_cause: "capacitor lot C-2607 out of tolerance".into(),
            corrective_required: "screen and replace lot C-2607 in stock".into(),
            preventive_required: "incoming capacitance test on every lot".into(),
            reply_due: lt(12, 28, 18, 0),
        })?),
        lt(12, 15, 9, 0),
    )?;
    let losses = [
        (bq::LossCategory::ReplacementUnits, 250u32, 320_000_i64),
        (bq::LossCategory::Labour, 250, 12_000),
        (bq::LossCategory::Logistics, 42, 30_000),
    ];
    go(
        fire(
            &Actor::new("sp-finance", [Role::LossDept]),
            Action::SubmitLossData,
        )
        .with_form(form(&bq::LossDataSubmission {
            loss_dept: "service platform".into(),
            standard_ref: "服务费用结算标准 2026".into(),
            items: losses
                .iter()
                .map(|&(category, quantity, unit)| bq::LossItem {
                    category,
                    description: format!("{category:?}"),
                    quantity,
                    unit_cost_fen: unit,
                    amount_fen: i64::from(quantity) * unit,
                })
                .collect(),
        })?),
        lt(12, 15, 10, 0),
    )?;
    let total: i64 = losses
        .iter()
        .map(|&(_, q, u)| i64::from(q) * u)
        .sum::<i64>()
        + 486_000;
    go(
        fire(&rqs, Action::FileClaimAppraisal).with_form(form(&bq::ClaimAppraisalReport {
            report_no: "CAR-2026-005".into(),
            supplier: "PSU-Co".into(),
            qar_no: "QAR-2026-031".into(),
            basis: "QAR-2026-031 and the supply contract §9".into(),
            total_direct_loss_fen: total,
            claimed_amount_fen: total,
            additional_penalty_reserved: true,
        })?),
        lt(12, 15, 14, 0),
    )?;
    go(
        fire(
            &Actor::new("pc-gao", [Role::ProcurementCommercial]),
            Action::ConfirmClaim,
        ),
        lt(12, 16, 10, 0),
    )?;
    go(fire(&rqs, Action::StartCapaVerification), lt(12, 16, 11, 0))?;
    // the supplier is responsible: the right to a further penalty is reserved (BQ-E §5.5 (000 L670))
    go(
        fire(&rqs, Action::ReservePenaltyClaim)
            .with_payload(json!({"note": "penalty under the quality agreement §7 reserved"})),
        lt(12, 16, 11, 30),
    )?;
    go(
        report(Action::PublishWeeklyReport, "W52"),
        lt(12, 21, 10, 0),
    )?;
    go(
        fire(
            &Actor::new("proc-lin", [Role::Procurement]),
            Action::RecordClaimExecuted,
        )
        .with_form(form(&bq::ClaimExecutionRecord {
            settled_amount_fen: total,
            method_ref: "《理赔业务处理流程》 LP-2026-044".into(),
            settled_on: day(12, 28),
        })?),
        lt(12, 28, 10, 0),
    )?;
    go(
        report(Action::PublishWeeklyReport, "W53"),
        lt(12, 28, 10, 30),
    )?;
    go(
        fire(&rqs, Action::VerifyCapaItem).with_form(form(&bq::CapaVerification {
            item: bq::CapaItem::Notice {
                notice_no: "CAPA-2026-009".into(),
            },
            verified: true,
            evidence: "audit at PSU-Co on 12-29: capacitance test in place".into(),
        })?),
        lt(12, 29, 16, 0),
    )?;
    go(fire(&rqs, Action::ArchiveQar), lt(12, 30, 9, 0))?;
    go(fire(&rqs, Action::Close), lt(12, 30, 10, 0))?;
    engine.verify(&id)?;

    // --- the trail, a weekly report, the cost -----------------------------------------------------
    let history = engine.history(&id)?;
    let utc8 = chrono::FixedOffset::east_opt(8 * 3600).ok_or("offset")?;
    write!(out, "\n{}", Trail::new(&history).offset(utc8))?;
    let week = bq::weekly_report(
        day(11, 18),
        std::slice::from_ref(&history),
        calendar.as_ref(),
    )?;
    writeln!(
        out,
        "\nweekly report {}..{}: received {}, started {}, director meetings {}, breaches {:?}",
        week.period.from,
        week.period.to,
        week.intake.received,
        week.intake.started,
        week.director_meetings,
        week.deadlines
            .iter()
            .filter(|(_, c)| c.breached > 0)
            .map(|(n, c)| format!("{n}×{}", c.breached))
            .collect::<Vec<_>>()
    )?;
    let month = bq::monthly_report(day(12, 1), &[history], calendar.as_ref())?;
    writeln!(
        out,
        "monthly report {}: losses {} fen, claimed {} fen, recovered {} fen, net {} fen",
        month.period.from,
        month.losses.loss_fen,
        month.losses.claimed_fen,
        month.losses.recovered_fen,
        month.losses.net_fen
    )?;
    let inst = engine.load(&id)?;
    let ledger = bq::cost_ledger(&inst)?;
    writeln!(
        out,
        "cost of the issue: {} lines, net {} fen; state {}",
        ledger.lines().len(),
        ledger.total()?,
        inst.state()
    )?;
    Ok(())
}

#[allow(dead_code)]
fn main() -> Result<(), Box<dyn std::error::Error>> {
    run(&mut std::io::stdout())
}
