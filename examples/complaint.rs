//! examples/complaint.rs — a serious customer complaint (客诉) handled end to end with an 8D:
//! intake with the handling form, immediate containment, a failed inspection, replacement
//! modules requisitioned (quality manager → planning manager), burned in and shipped, the
//! corrective action resolved within Quality, the 8D reviewed by the quality manager, the
//! department head and — the complaint being serious — the vice-president, filtered for
//! confidentiality and forwarded by the ADC; the customer reports the measures ineffective,
//! the CQE escalates to manufacturing, the analysis is redone, the second 8D is effective, and
//! the complaint closes after the ledger entry, the satisfaction record and the re-check.
//!
//! Run: `cargo run --example complaint`.

use aftersales::procedures::complaint::PartKind;
use aftersales::procedures::complaint::config::confidentiality::{
    Commodity, InfoCategory, Statement, SupplierRef,
};
use aftersales::procedures::complaint::data::{ComplaintRegion, ComplaintVerdict};
use aftersales::procedures::complaint::forms::eight_d::*;
use aftersales::procedures::complaint::forms::*;
use aftersales::procedures::complaint::{self, Action, Config, Data, Role};
use aftersales::{
    Actor, BusinessCalendar, Command, Engine, Form, InMemoryStore, InstanceId, Trail, TypedForm,
};
use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use std::io::Write;
use std::sync::Arc;

type Res<T> = Result<T, Box<dyn std::error::Error>>;

/// Local time (UTC+8) on a day of November / December 2026 or January 2027.
fn at(month: u32, day: u32, hour: u32) -> DateTime<Utc> {
    let year = if month == 1 { 2027 } else { 2026 };
    Utc.with_ymd_and_hms(year, month, day, hour, 0, 0)
        .single()
        .map(|t| t - chrono::Duration::hours(8))
        .unwrap_or_default()
}

fn date(month: u32, day: u32) -> NaiveDate {
    let year = if month == 1 { 2027 } else { 2026 };
    NaiveDate::from_ymd_opt(year, month, day).unwrap_or_default()
}

fn form<T: TypedForm>(value: &T) -> Res<Form> {
    Ok(Form::typed(T::KIND, value)?)
}

fn handling_form() -> ComplaintHandlingForm {
    ComplaintHandlingForm {
        no: "KS-2026-118".into(),
        region: ComplaintRegion::Domestic,
        channel: Channel::GoodsReturned,
        customer: "Acme Lighting".into(),
        product_model: "FL-200".into(),
        quantity: 6,
        schedule_order_ref: "PC-2026-0932".into(),
        problem: FiveW1H {
            who: "Acme Lighting site team, Ningbo warehouse project".into(),
            what: "FL-200 floodlights flicker after 30 minutes".into(),
            when: "2026-11-12, first week after installation".into(),
            r#where: "Ningbo, outdoor car park".into(),
            why: "lighting unusable at night; safety risk".into(),
            how_many: 6,
        },
        reported_functional_abnormality: true,
        customer_requests_8d: false,
        proposed_solution: Some("replace the LED modules on site".into()),
        goods_returned: true,
        not_returned_reason: None,
        defective_parts: vec![],
    }
}

fn action(text: &str, info: InfoCategory, owner: &str, due: NaiveDate) -> ActionItem {
    ActionItem::new(Statement::new(text, info), owner, due)
}

/// The first 8D, grown discipline by discipline.
fn eight_d_first(through: Discipline) -> EightDReport {
    let mut r = EightDReport {
        d0: Prepare {
            symptom: "FL-200 flickers after 30 minutes of operation".into(),
            emergency_actions: vec![action(
                "replacement modules shipped to the customer",
                InfoCategory::General,
                "li.cqe",
                date(11, 20),
            )],
        },
        d1: Team {
            leader: "li.cqe".into(),
            members: vec![TeamMember {
                name: "qian.sdc".into(),
                department: "战略设计中心".into(),
                role: "design analysis".into(),
            }],
        },
        d2: ProblemDescription {
            problem: handling_form().problem,
            how: Some("thermal cycling test reproduces it after 25 minutes".into()),
            lot_codes: vec!["2026-10-W41".into()],
        },
        ..EightDReport::default()
    };
    if through < Discipline::D3 {
        return r;
    }
    r.d3 = Containment {
        wip_checked: true,
        unshipped_checked: true,
        similar_defect_found: true,
        actions: vec![action(
            "100 % flicker test of unshipped FL-200 stock",
            InfoCategory::General,
            "wang.qm",
            date(11, 18),
        )],
    };
    r.d4 = RootCause {
        occurrence: vec![Statement::new(
            "cold solder joints on the LED module connector after reflow at 235 °C peak",
            InfoCategory::ProductionProcess,
        )],
        escape: vec![Statement::new(
            "final test runs 5 minutes, shorter than the time to failure",
            InfoCategory::ProductionFlow,
        )],
        methods: vec![
            AnalysisMethod::Fishbone,
            AnalysisMethod::FiveWhy,
            AnalysisMethod::Test,
        ],
        verification: Statement::general(
            "defect reproduced on 4 of 6 returned units, cured by resoldering",
        ),
        responsibility: Some(Responsibility::Internal {
            department: "制造部".into(),
        }),
    };
    r.d5 = ChosenActions {
        actions: vec![
            CorrectiveAction {
                id: "A1".into(),
                what: Statement::new(
                    "raise reflow peak to 245 °C",
                    InfoCategory::ProductionProcess,
                ),
                addresses: Addresses::Occurrence,
                owner: "制造部".into(),
                due: date(11, 23),
            },
            CorrectiveAction {
                id: "A2".into(),
                what: Statement::general("extend final burn-in test to 45 minutes"),
                addresses: Addresses::Escape,
                owner: "品质部".into(),
                due: date(11, 23),
            },
        ],
    };
    if through < Discipline::D6 {
        return r;
    }
    r.d6.implemented = vec![
        Implemented {
            action_id: "A1".into(),
            done_on: date(11, 23),
            evidence: Statement::new(
                "reflow profile record RP-118",
                InfoCategory::ProductionProcess,
            ),
        },
        Implemented {
            action_id: "A2".into(),
            done_on: date(11, 23),
            evidence: Statement::general("test instruction revised, 45-minute burn-in in place"),
        },
    ];
    r.d7 = Prevention {
        standardisation: vec![action(
            "work instruction WI-SMT-07 updated",
            InfoCategory::ProductionTechnology,
            "制造部",
            date(11, 30),
        )],
        horizontal_deployment: vec![action(
            "same check on FL-150 and FL-300",
            InfoCategory::General,
            "品质部",
            date(12, 4),
        )],
        none_needed_reason: None,
    };
    r
}

/// The second round after the measures proved ineffective.
fn eight_d_second(implemented: bool, effective: bool, closed: bool) -> EightDReport {
    let mut r = eight_d_first(Discipline::D7);
    r.d4.occurrence.push(Statement::new(
        "connector housing from the wire supplier deforms above 70 °C",
        InfoCategory::RawMaterialSupplier(SupplierRef::new(
            "Dongguan Wire Co.",
            Commodity::Wire {
                waterproof_connector: true,
            },
        )),
    ));
    r.d4.responsibility = Some(Responsibility::Supplier(SupplierRef::new(
        "Dongguan Wire Co.",
        Commodity::Wire {
            waterproof_connector: true,
        },
    )));
    r.d5.actions.push(CorrectiveAction {
        id: "A3".into(),
        what: Statement::general("connector housing changed to a 105 °C grade"),
        addresses: Addresses::Occurrence,
        owner: "制造部".into(),
        due: date(12, 9),
    });
    r.d5.actions.push(CorrectiveAction {
        id: "A4".into(),
        what: Statement::general("thermal cycling added to incoming inspection of connectors"),
        addresses: Addresses::Escape,
        owner: "品质部".into(),
        due: date(12, 9),
    });
    if implemented {
        r.d6.implemented.push(Implemented {
            action_id: "A3".into(),
            done_on: date(12, 9),
            evidence: Statement::general(
                "first lot with the new housing passed 200 thermal cycles",
            ),
        });
        r.d6.implemented.push(Implemented {
            action_id: "A4".into(),
            done_on: date(12, 9),
            evidence: Statement::general("incoming inspection instruction IQC-21 revised"),
        });
    }
    if effective {
        r.d6.verification = Some(Verification {
            method: "customer site follow-up, 2 weeks".into(),
            result: Statement::general("no flicker on the 6 replaced and 40 installed units"),
            effective: true,
            verified_on: date(12, 21),
        });
    }
    if closed {
        r.d8 = Closure {
            closed_on: Some(date(12, 21)),
            recognition: "CQE, 制造部 and 战略设计中心 team".into(),
            customer_ack: Some("Acme confirmed by e-mail".into()),
        };
    }
    r
}

/// Run the scenario and print the audit trail to `out`.
pub(crate) fn run(out: &mut dyn Write) -> Res<()> {
    let cfg = Config::default();
    let cal = Arc::new(BusinessCalendar::default());
    let def = complaint::definition(&cfg, cal.clone())?;
    let mut engine = Engine::new(InMemoryStore::new());
    engine.register(def.definition().clone())?;

    let adc = Actor::new("zhang.adc", [Role::AdcDomestic]);
    let cqe = Actor::new("li.cqe", [Role::Cqe, Role::QualityDepartment]);
    let qm = Actor::new("wang.qm", [Role::QualityManager, Role::QualityDepartment]);
    let head = Actor::new("zhao.head", [Role::QualityDepartmentHead]);
    let vp = Actor::new("chen.vp", [Role::VicePresident]);
    let pm = Actor::new("sun.pm", [Role::PlanningManager]);
    let wh = Actor::new("zhou.wh", [Role::Warehouse]);
    let mfg = Actor::new("wu.mfg", [Role::Manufacturing]);
    let mfg_lead = Actor::new("zheng.mfg", [Role::ResponsibleDepartment]);

    let id = InstanceId::from("KS-2026-118");
    let data = Data::new(
        "KS-2026-118",
        ComplaintRegion::Domestic,
        "Acme Lighting",
        "FL-200",
    );
    engine.start(
        complaint::ID,
        id.clone(),
        &adc,
        data.to_value()?,
        at(11, 16, 9),
    )?;
    let fire = |cmd: Command, now: DateTime<Utc>| engine.fire(&id, &cmd, now);

    // Intake and containment (QD-004 §5.1, §5.3 (004 L661, L652)).
    fire(
        Command::fire(&adc, Action::Submit).with_form(form(&handling_form())?),
        at(11, 16, 10),
    )?;
    fire(Command::fire(&cqe, Action::Acknowledge), at(11, 16, 11))?;
    let containment = ContainmentRecord {
        checks: vec![
            StockCheck {
                location: StockLocation::Wip,
                model: "FL-200".into(),
                qty_checked: 120,
                qty_suspect: 0,
            },
            StockCheck {
                location: StockLocation::Unshipped,
                model: "FL-200".into(),
                qty_checked: 300,
                qty_suspect: 4,
            },
        ],
        similar_defect_found: true,
        temporary_countermeasures: eight_d_first(Discipline::D7).d3.actions,
    };
    fire(
        Command::fire(&cqe, Action::RecordContainment).with_form(form(&containment)?),
        at(11, 16, 14),
    )?;

    // Failed inspection (QD-004 §5.2.2 (004 L669)): serious, the function is abnormal (QD-004 §3.7 (004 L662)).
    let inspection = ComplaintInspectionRecord {
        verdict: ComplaintVerdict::Fail,
        inspection_result: "4 of 6 units flicker in thermal cycling".into(),
        cause_analysis: "cold solder joints on the module connector".into(),
        test_results: "thermal cycling 25–70 °C, failure after 25 min".into(),
        feedback_to_adc: Some(Feedback {
            channel: FeedbackChannel::Email,
            note: "result e-mailed to zhang.adc".into(),
        }),
        functional_abnormality: true,
        mold_findings: None,
        failed_parts: [PartKind::Module].into(),
        goods_disposition: GoodsDisposition::Remediate,
        misjudgment_phenomenon: None,
    };
    fire(
        Command::fire(&cqe, Action::RecordFail)
            .with_form(form(&inspection)?)
            .with_form(form(&eight_d_first(Discipline::D2))?),
        at(11, 17, 10),
    )?;

    // Replacement modules: requisition QM → planning manager, issue, burn-in (QD-004 §5.2.2.4 (004 L659)).
    let requisition = MaterialRequisition {
        no: "LL-2026-044".into(),
        items: vec![PartQty {
            part_no: "LED-MOD-200".into(),
            qty: 6,
        }],
        involves: [PartKind::Module].into(),
        special_requirement: false,
        slow_stock_insufficient: false,
    };
    fire(
        Command::fire(&cqe, Action::RequestMaterial).with_form(form(&requisition)?),
        at(11, 17, 11),
    )?;
    fire(
        Command::sign(&qm, Action::ApproveRequisition),
        at(11, 17, 14),
    )?;
    fire(
        Command::sign(&pm, Action::ApproveRequisition),
        at(11, 17, 15),
    )?;
    fire(Command::fire(&wh, Action::IssueMaterial), at(11, 17, 16))?;
    fire(Command::fire(&cqe, Action::InspectMaterial), at(11, 18, 9))?;
    fire(
        Command::fire(&mfg, Action::RecordBurnInPass),
        at(11, 18, 17),
    )?;
    let shipment = ShipmentRecord {
        courier_ref: "SF-1180042".into(),
        qty: 6,
        shipped_on: date(11, 19),
    };
    fire(
        Command::fire(&cqe, Action::ShipToCustomer).with_form(form(&shipment)?),
        at(11, 19, 9),
    )?;
    for (kind, fen, what) in [
        (
            aftersales::CostKind::ReplacementUnits,
            180_000,
            "6 replacement LED modules",
        ),
        (
            aftersales::CostKind::Freight,
            6_500,
            "express freight SF-1180042",
        ),
    ] {
        let entry = CostEntry {
            kind,
            amount_fen: fen,
            description: what.into(),
            supplier: None,
            incurred_on: date(11, 19),
            carrier: None,
        };
        fire(
            Command::fire(&cqe, Action::RecordCostLine).with_form(form(&entry)?),
            at(11, 19, 10),
        )?;
    }
    fire(
        Command::fire(&cqe, Action::CompleteRemediation),
        at(11, 19, 11),
    )?;

    // Corrective action within Quality, review QM → head → VP (serious), sent via the ADC.
    let plan = CorrectiveActionPlan {
        department: "品质部".into(),
        cause: "cold solder joints; short final test".into(),
        steps: vec!["reflow profile".into(), "longer burn-in".into()],
        schedule: date(11, 23),
        owner: "li.cqe".into(),
    };
    fire(
        Command::fire(&cqe, Action::ResolveWithinQuality)
            .with_form(form(&plan)?)
            .with_form(form(&eight_d_first(Discipline::D5))?),
        at(11, 19, 14),
    )?;
    let review = |report: EightDReport, day: (u32, u32)| -> Res<()> {
        fire(
            Command::fire(&cqe, Action::SubmitForReview).with_form(form(&report)?),
            at(day.0, day.1, 9),
        )?;
        for (who, hour) in [(&qm, 10), (&head, 11), (&vp, 14)] {
            fire(
                Command::sign(who, Action::ApproveReport),
                at(day.0, day.1, hour),
            )?;
        }
        let inst = engine.load(&id)?;
        let redaction = complaint::outgoing_report(&inst, &cfg)?.ok_or("no 8D on file")?;
        fire(
            Command::fire(&cqe, Action::ForwardToAdc).with_form(form(&redaction.report)?),
            at(day.0, day.1, 15),
        )?;
        fire(
            Command::fire(&adc, Action::SendToCustomer),
            at(day.0, day.1, 16),
        )?;
        Ok(())
    };
    review(eight_d_first(Discipline::D7), (11, 24))?;
    let inst = engine.load(&id)?;
    let redaction = complaint::outgoing_report(&inst, &cfg)?.ok_or("no 8D on file")?;
    writeln!(
        out,
        "=== first 8D as sent to the customer ===\n{}",
        redaction.report
    )?;

    // The customer reports flicker again: re-analysis with the responsible department.
    fire(
        Command::fire(&adc, Action::RecordIneffective)
            .with_payload(serde_json::json!({"reason": "2 units flicker again after 10 days"})),
        at(12, 4, 10),
    )?;
    let escalation = DepartmentEscalation {
        departments: vec!["制造部".into()],
        e_document_ref: "OA-2026-7731".into(),
        meeting_minutes: Some("CQE-chaired meeting 2026-12-04: 制造部 responsible".into()),
    };
    fire(
        Command::fire(&cqe, Action::EscalateToDepartments).with_form(form(&escalation)?),
        at(12, 4, 14),
    )?;
    let dept_plan = CorrectiveActionPlan {
        department: "制造部".into(),
        cause: "connector housing deforms above 70 °C".into(),
        steps: vec!["105 °C housing".into(), "incoming thermal cycling".into()],
        schedule: date(12, 9),
        owner: "zheng.mfg".into(),
    };
    fire(
        Command::fire(&mfg_lead, Action::SubmitDepartmentAnalysis).with_form(form(&dept_plan)?),
        at(12, 7, 10),
    )?;
    fire(
        Command::fire(&qm, Action::AcceptAnalysis)
            .with_form(form(&eight_d_second(false, false, false))?),
        at(12, 7, 14),
    )?;
    review(eight_d_second(true, false, false), (12, 10))?;
    let inst = engine.load(&id)?;
    let redaction = complaint::outgoing_report(&inst, &cfg)?.ok_or("no 8D on file")?;
    writeln!(out, "=== second 8D as sent ===\n{}", redaction.report)?;
    writeln!(out, "=== withheld (internal) ===")?;
    for w in &redaction.withheld {
        writeln!(out, "{}: {} — {}", w.location, w.rule, w.text)?;
    }

    // Effective; handled; ledger, satisfaction, costs confirmed, closure re-checked (QD-004 §8 (004 L623)).
    fire(
        Command::fire(&cqe, Action::ConfirmEffective)
            .with_form(form(&eight_d_second(true, true, false))?),
        at(12, 21, 10),
    )?;
    let ledger = LedgerEntry {
        complaint_no: "KS-2026-118".into(),
        t6_ref: "T6-2026-12-0457".into(),
        root_cause_summary: "cold solder joints and connector housing deformation".into(),
        dispositions: vec!["6 modules replaced".into()],
    };
    fire(
        Command::fire(&cqe, Action::RecordLedger).with_form(form(&ledger)?),
        at(12, 21, 11),
    )?;
    let satisfaction = SatisfactionRecord {
        date: date(12, 28),
        method: SatisfactionMethod::Phone,
        rating: 4,
        comment: "satisfied with the second fix".into(),
    };
    fire(
        Command::fire(&adc, Action::RecordSatisfaction).with_form(form(&satisfaction)?),
        at(12, 28, 10),
    )?;
    // The customer accepts the plan: the baseline for similar products (CC-PROC §5.2.2).
    let acceptance = PlanAcceptance {
        accepted_on: date(12, 28),
        accepted_by: "Acme quality manager, on the satisfaction call".into(),
        similar_products: vec!["FL-250".into()],
    };
    fire(
        Command::fire(&adc, Action::RecordPlanAcceptance).with_form(form(&acceptance)?),
        at(12, 28, 10),
    )?;
    fire(Command::fire(&qm, Action::ConfirmCostLines), at(12, 28, 11))?;
    fire(
        Command::fire(&cqe, Action::UpdateEightD)
            .with_form(form(&eight_d_second(true, true, true))?),
        at(1, 8, 10),
    )?;
    let recheck = ClosureRecheck {
        checked_on: date(1, 8),
        abnormality_closed: true,
        recurrence_found: false,
        note: "no recurrence at Acme; FL-200 field returns nil since December".into(),
    };
    let done = fire(
        Command::fire(&cqe, Action::VerifyClosure).with_form(form(&recheck)?),
        at(1, 8, 11),
    )?;

    // Month-end cost hand-over (SVC-KPI §7) and the baselines (CC-PROC §5.2.2).
    let inst = engine.load(&id)?;
    let records = [complaint::CostRecord::from_instance(&inst)?];
    let costs = complaint::cost_report(&records, cfg.misjudgment_match)?;
    writeln!(out, "=== booked costs by month ===")?;
    for (month, fen) in costs.per_month()? {
        let month = month.map_or("undated".to_owned(), |m| m.to_string());
        writeln!(out, "{month}: {}.{:02} yuan", fen / 100, fen % 100)?;
    }
    writeln!(out, "=== baselines for similar products ===")?;
    for b in complaint::baselines(std::slice::from_ref(&inst))? {
        writeln!(
            out,
            "{} ({} and {}): plan of {} accepted {} — {}",
            b.complaint,
            b.product_model,
            b.similar_products.join(", "),
            b.plan.department,
            b.accepted_on,
            b.plan.steps.join("; ")
        )?;
    }
    writeln!(out, "=== audit trail ===")?;
    let utc8 = chrono::FixedOffset::east_opt(8 * 3600).ok_or("offset")?;
    write!(out, "{}", Trail::new(&engine.history(&id)?).offset(utc8))?;
    writeln!(
        out,
        "final state: {} (closed: {})",
        done.instance.state(),
        done.instance.is_closed()
    )?;
    engine.verify(&id)?;
    Ok(())
}

#[allow(dead_code)]
fn main() -> Res<()> {
    run(&mut std::io::stdout())
}
