//! examples/customer_return.rs — two customer returns (客退) run through the
//! `customer_return` procedure, printing their audit trails:
//!
//! 1. a dealer return under "replace first, investigate later" (先补发,再追究, RF-PROP (004 L48–62)):
//!    the replacement is confirmed and ordered the day the complaint comes in, before the
//!    goods are back; the goods fail inspection because of the dealer's storage (RET-PROC §4.1 (004 L147)),
//!    are reworked and restocked through the 《客诉退料申请单》 chain (QD-004 §6.2.1 (004 L492)); the case is
//!    marked 「收费」 and the dealer's account is debited (RF-PROP §3, §4.2 item 3; RET-PROC §5.7 (004 L50, L71, L151));
//! 2. a failed inspection the design center cannot plan a rework for: the CQE disassembles
//!    the goods, reusable parts go back to stock and the unusable ones are scrapped through
//!    the strictest chain — relevant departments, the design center's vice president, the GM
//!    office, the warehouse head (QD-004 §6.2.2, §9 note 1; RET-PROC §5.10; CC-PROC §5.2.5 (004 L493, L507, L152, L486)).

use aftersales::procedures::customer_return::{self as cr, *};
use aftersales::{
    Actor, BusinessCalendar, Command, Engine, Form, InMemoryStore, InstanceId, Trail, TypedForm,
};
use chrono::{DateTime, FixedOffset, NaiveDate, TimeDelta, TimeZone, Utc};
use serde_json::json;
use std::error::Error;
use std::io::Write;
use std::sync::Arc;

type Res<T> = Result<T, Box<dyn Error>>;

fn local(day: u32, h: u32, m: u32) -> Res<DateTime<Utc>> {
    let t = Utc
        .with_ymd_and_hms(2026, 11, day, h, m, 0)
        .single()
        .ok_or("bad date")?;
    Ok(t - TimeDelta::hours(8))
}

fn form<T: TypedForm>(t: &T) -> Res<Form> {
    Ok(Form::typed(T::KIND, t)?)
}

struct Cast {
    adc: Actor,
    vp: Actor,
    pc: Actor,
    css: Actor,
    csm: Actor,
    storage: Actor,
    logistics: Actor,
    cqe: Actor,
    oqc: Actor,
    qm: Actor,
    planner: Actor,
    shop: Actor,
    wh: Actor,
    whh: Actor,
    fin: Actor,
    gm: Actor,
}

fn cast() -> Cast {
    Cast {
        adc: Actor::new("adc-wu", [Role::ApplicationDesignCenter]),
        vp: Actor::new("vp-lin", [Role::AdcVicePresident]),
        pc: Actor::new("pc-zhao", [Role::ProductionControl]),
        css: Actor::new("cs-sun", [Role::CustomerServiceSpecialist]),
        csm: Actor::new("csm-li", [Role::CustomerServiceManager]),
        storage: Actor::new("st-zhou", [Role::StorageTransport]),
        logistics: Actor::new("log-zheng", [Role::Logistics]),
        cqe: Actor::new("cqe-wang", [Role::Cqe]),
        oqc: Actor::new("oqc-feng", [Role::OqcInspector]),
        qm: Actor::new("qm-chen", [Role::QualityManager]),
        planner: Actor::new("plan-chu", [Role::PlanningManager]),
        shop: Actor::new("shop-wei", [Role::ProductionWorkshop]),
        wh: Actor::new("wh-jiang", [Role::Warehouse]),
        whh: Actor::new("whh-shen", [Role::WarehouseHead]),
        fin: Actor::new("fin-han", [Role::Finance]),
        gm: Actor::new("gm-yang", [Role::GmOffice]),
    }
}

/// One case on the engine, with a clock the scenario advances.
struct Running<'a> {
    engine: &'a Engine<InMemoryStore>,
    id: InstanceId,
    now: DateTime<Utc>,
}

impl Running<'_> {
    fn fire(
        &mut self,
        at: DateTime<Utc>,
        who: &Actor,
        action: Action,
        forms: Vec<Form>,
    ) -> Res<()> {
        let cmd = forms
            .into_iter()
            .fold(Command::fire(who, action), Command::with_form);
        self.send(at, cmd)
    }

    fn sign(&mut self, at: DateTime<Utc>, who: &Actor, action: Action) -> Res<()> {
        self.send(at, Command::sign(who, action))
    }

    fn send(&mut self, at: DateTime<Utc>, cmd: Command) -> Res<()> {
        self.now = at;
        self.engine.fire(&self.id, &cmd, at)?;
        Ok(())
    }
}

/// An instant in the calendar's local time (UTC+8).
fn show(t: DateTime<Utc>) -> String {
    match FixedOffset::east_opt(8 * 3600) {
        Some(tz) => t.with_timezone(&tz).format("%m-%d %H:%M").to_string(),
        None => t.to_string(),
    }
}

fn trail(out: &mut dyn Write, engine: &Engine<InMemoryStore>, id: &InstanceId) -> Res<()> {
    let utc8 = FixedOffset::east_opt(8 * 3600).ok_or("offset")?;
    write!(out, "{}", Trail::new(&engine.history(id)?).offset(utc8))?;
    Ok(())
}

/// The customer's consent (CC-PROC §5.2.5 (004 L486)), recorded by the design center.
fn consent(subject: ConsentSubject) -> Res<Form> {
    form(&CustomerConsent {
        subject,
        given_by: "the customer's purchasing manager".into(),
        evidence: "mail of the same day".into(),
    })
}

/// The analysis report (8D) of failed goods (QD-004 §5.2.2.7 (004 L650)).
fn analysis_report() -> Res<Form> {
    form(&AnalysisReport {
        root_cause: "housing material too brittle under stacking load".into(),
        corrective_actions: "carton corner protectors".into(),
        preventive_actions: "stacking limit printed on the carton".into(),
    })
}

fn receipt(qty: u32, ro: &str) -> Res<Form> {
    form(&ReceiptRecord {
        repair_order_no: ro.into(),
        received_qty: qty,
        isolated_and_labelled: true,
        discrepancy_note: None,
    })
}

fn handling(ro: &str, reason: &str) -> Res<Form> {
    form(&ReturnHandlingForm {
        repair_order_no: ro.into(),
        product: "LED panel 600x600".into(),
        defect_reason: reason.into(),
        due_date: NaiveDate::from_ymd_opt(2026, 11, 30).ok_or("bad date")?,
        schedule_order_ref: "PS-88".into(),
    })
}

fn judged(
    c: &mut Running<'_>,
    k: &Cast,
    at: DateTime<Utc>,
    result: InspectionResult,
    j: &ResponsibilityJudgement,
) -> Res<()> {
    c.fire(
        at,
        &k.cqe,
        Action::Classify,
        vec![form(&Classification {
            category: Category::Appearance,
            preliminary_cause: "outer damage".into(),
        })?],
    )?;
    c.fire(
        at + TimeDelta::hours(3),
        &k.cqe,
        Action::RecordInspection,
        vec![form(&ReturnInspectionRecord {
            result,
            findings: "housings cracked on 10 units, optics fine".into(),
            involves_power_supply_or_module: false,
            carton_marked: true,
        })?],
    )?;
    c.fire(
        at + TimeDelta::hours(4),
        &k.cqe,
        Action::DraftJudgement,
        vec![form(j)?],
    )?;
    c.fire(
        at + TimeDelta::hours(5),
        &k.qm,
        Action::ApproveJudgement,
        vec![],
    )
}

/// Scenario 1: a dealer return, replace first, dealer-caused, account debited.
fn dealer_return(out: &mut dyn Write, engine: &Engine<InMemoryStore>, k: &Cast) -> Res<()> {
    let case = Case {
        kind: CaseKind::Return {
            claimed_type: ClaimedReturnType::SalesReturn,
            replacement_wanted: true,
        },
        customer: Customer {
            id: "DEALER-GZ-07".into(),
            class: CustomerClass::B,
            region: ReturnRegion::Domestic,
            dealer_account: Some("ACC-GZ-07".into()),
        },
        product: "LED panel 600x600".into(),
    };
    let id = InstanceId::from("CR-2611-001");
    let t0 = local(20, 16, 0)?; // Friday 16:00
    engine.start(cr::ID, id.clone(), &k.css, Data::new(case).to_value()?, t0)?;
    let mut c = Running {
        engine,
        id: id.clone(),
        now: t0,
    };
    c.fire(
        t0,
        &k.css,
        Action::Announce,
        vec![form(&ReturnNotice {
            returned_qty: 10,
            material: "LED panel / P-6060".into(),
            reason: "cracked housings".into(),
            customer_request: "replace at once".into(),
            dealer_commitment: Some(DealerCommitment {
                handling_time: "2 days".into(),
                ship_time: "tomorrow".into(),
                policy_statement_given: true,
                deduction_warning_given: true,
            }),
        })?],
    )?;
    // 先补发,再追究: request, confirm and order the same afternoon (RF-PROP §3, §4.2 item 1 (004 L48, L60, L62)).
    c.fire(
        t0 + TimeDelta::minutes(10),
        &k.css,
        Action::RequestReplacement,
        vec![form(&ReplacementRequest {
            qty: 10,
            special_requirement: None,
            customer_line_defect: false,
            customer_ack: false,
            dealer_commitment: Some(DealerCommitment {
                handling_time: "2 days".into(),
                ship_time: "Saturday".into(),
                policy_statement_given: true,
                deduction_warning_given: true,
            }),
        })?],
    )?;
    c.fire(
        t0 + TimeDelta::minutes(30),
        &k.csm,
        Action::ConfirmReplacement,
        vec![],
    )?;
    c.fire(
        t0 + TimeDelta::minutes(50),
        &k.css,
        Action::OrderReplacement,
        vec![form(&ReplacementOrder {
            order_ref: "SO-7781".into(),
            source: ReplacementSource::Stock,
            production_notified: true,
            logistics_notified: true,
            value_fen: 150_000,
        })?],
    )?;
    c.fire(
        t0 + TimeDelta::hours(1),
        &k.css,
        Action::PromiseArrival,
        vec![form(&ArrivalPromise {
            promised_arrival: local(22, 12, 0)?,
        })?],
    )?;
    c.fire(
        local(21, 10, 0)?,
        &k.logistics,
        Action::ShipReplacement,
        vec![],
    )?;
    // The damaged goods come back after the replacement left (RF-PROP §3, §4.2 item 2 (004 L50, L69)).
    let mon = local(23, 9, 0)?;
    c.fire(
        mon,
        &k.storage,
        Action::CollectFromDepot,
        vec![form(&FactoryArrival {
            return_form_no: "TH-3312".into(),
            depot: "Guangzhou depot".into(),
        })?],
    )?;
    c.fire(
        mon + TimeDelta::hours(1),
        &k.pc,
        Action::Receive,
        vec![receipt(10, "RO-001")?],
    )?;
    c.fire(
        mon + TimeDelta::minutes(75),
        &k.adc,
        Action::SubmitToCqe,
        vec![handling("RO-001", "cracked housings")?],
    )?;
    judged(
        &mut c,
        k,
        mon + TimeDelta::minutes(90),
        InspectionResult::Fail,
        &ResponsibilityJudgement {
            cause: Cause::DealerLogistics,
            verdict: ReturnVerdict::SalesReturn,
            damage_origin: Some(DamageOrigin::Customer),
            responsible_unit: None,
            responsible_person: None,
            evidence: "crushed cartons, stacking marks from the dealer's store".into(),
        },
    )?;
    let tue = local(24, 9, 0)?;
    c.fire(tue, &k.cqe, Action::RequestReworkPlan, vec![])?;
    c.fire(
        tue + TimeDelta::hours(1),
        &k.adc,
        Action::IssueReworkPlan,
        vec![
            form(&ReworkPlan {
                flow: vec![
                    "replace housing".into(),
                    "burn-in".into(),
                    "final test".into(),
                ],
                materials: vec!["housing H-22 x10".into()],
            })?,
            // CC-PROC §5.2.5 (004 L486): the plan is carried out with the customer's consent.
            consent(ConsentSubject::Plan)?,
        ],
    )?;
    c.fire(
        tue + TimeDelta::hours(2),
        &k.cqe,
        Action::FileWorkLiaison,
        vec![form(&WorkLiaisonForm {
            request: "replace 10 housings".into(),
            material: MaterialSource::CqeSlowStock,
        })?],
    )?;
    c.sign(tue + TimeDelta::hours(3), &k.qm, Action::ReleaseRework)?;
    c.sign(tue + TimeDelta::hours(4), &k.shop, Action::ReleaseRework)?;
    let wed = local(25, 9, 0)?;
    c.fire(
        wed,
        &k.shop,
        Action::CompleteRework,
        vec![form(&ReworkReport {
            work_done: "10 housings replaced, tested".into(),
            workshop_inspection_passed: true,
        })?],
    )?;
    c.fire(
        wed + TimeDelta::hours(1),
        &k.cqe,
        Action::FileRestock,
        vec![form(&RestockApplication {
            qty: 10,
            sellable_as_new: true,
        })?],
    )?;
    c.sign(wed + TimeDelta::minutes(70), &k.oqc, Action::ApproveRestock)?;
    c.sign(wed + TimeDelta::minutes(80), &k.qm, Action::ApproveRestock)?;
    c.sign(
        wed + TimeDelta::minutes(90),
        &k.planner,
        Action::ConfirmRestock,
    )?;
    c.fire(
        wed + TimeDelta::minutes(100),
        &k.wh,
        Action::StockIn,
        vec![],
    )?;
    // Settlement: 收费, the dealer's account debited, the rework booked (RET-PROC §5.7; RF-PROP §3; QD-004 §6.2.2 (004 L151, L50, L493)).
    let thu = local(26, 9, 0)?;
    c.fire(
        thu,
        &k.cqe,
        Action::MarkCharging,
        vec![form(&ChargingMark {
            mark: Charging::Charged,
            finance_copy_sent: true,
        })?],
    )?;
    c.fire(
        thu + TimeDelta::hours(1),
        &k.css,
        Action::IssueDebitNote,
        vec![form(&DebitNote {
            payer: Payer::Dealer {
                account: "ACC-GZ-07".into(),
            },
            amount_fen: 150_000,
            includes_replacement_value: true,
        })?],
    )?;
    c.fire(thu + TimeDelta::hours(2), &k.fin, Action::PostDebit, vec![])?;
    c.fire(
        thu + TimeDelta::hours(3),
        &k.qm,
        Action::BookCost,
        vec![form(&CostBooking {
            account: BookingAccount::CostOfSales,
            amount_fen: 18_000,
            description: "housing rework".into(),
        })?],
    )?;
    c.fire(
        thu + TimeDelta::hours(4),
        &k.css,
        Action::NotifyCustomer,
        vec![form(&OutcomeNotice {
            channel: "phone".into(),
            summary: "dealer storage damage: 1,500 yuan deducted from the account".into(),
            statements: vec![],
        })?],
    )?;
    c.fire(
        thu + TimeDelta::hours(5),
        &k.cqe,
        Action::FileAnalysisReport,
        vec![analysis_report()?],
    )?;
    c.fire(
        thu + TimeDelta::hours(5),
        &k.cqe,
        Action::LogAndClose,
        vec![form(&LedgerEntry {
            ledger_no: "KS-2026-118".into(),
            t6_ref: "T6-5531".into(),
        })?],
    )?;
    // QD-004 §8 (004 L623): the design center tracks the customer's satisfaction first.
    c.fire(
        local(30, 9, 0)?,
        &k.adc,
        Action::RecordSatisfaction,
        vec![form(&SatisfactionRecord {
            satisfied: true,
            remark: "replacement arrived the next day".into(),
        })?],
    )?;
    c.fire(local(30, 10, 0)?, &k.qm, Action::VerifyClosure, vec![])?;
    writeln!(
        out,
        "== {id}: dealer return, replace first, dealer-caused (last step {})",
        show(c.now)
    )?;
    trail(out, engine, &id)?;
    let inst = engine.load(&id)?;
    // QD-004 §3.6 (004 L628): what the customer receives, through the confidentiality filter.
    if let Some(sent) = outgoing_outcome_notice(&inst, &Config::default())? {
        for line in sent.sections.iter().flat_map(|s| &s.lines) {
            writeln!(out, "sent  {line}")?;
        }
    }
    for l in cost_ledger(&inst)?.lines() {
        writeln!(
            out,
            "cost  {:?} {:?} {:?} {} fen  {}",
            l.kind, l.account, l.bearer, l.amount_fen, l.description
        )?;
    }
    Ok(())
}

/// Scenario 2: a failed inspection ending in partial scrap.
fn partial_scrap(out: &mut dyn Write, engine: &Engine<InMemoryStore>, k: &Cast) -> Res<()> {
    let case = Case {
        kind: CaseKind::Return {
            claimed_type: ClaimedReturnType::SalesReturn,
            replacement_wanted: false,
        },
        customer: Customer {
            id: "CUST-SZ-3".into(),
            class: CustomerClass::C,
            region: ReturnRegion::Domestic,
            dealer_account: None,
        },
        product: "LED panel 600x600".into(),
    };
    let id = InstanceId::from("CR-2611-002");
    let t0 = local(16, 10, 0)?;
    engine.start(cr::ID, id.clone(), &k.adc, Data::new(case).to_value()?, t0)?;
    let mut c = Running {
        engine,
        id: id.clone(),
        now: t0,
    };
    c.fire(
        t0,
        &k.adc,
        Action::Announce,
        vec![form(&ReturnNotice {
            returned_qty: 10,
            material: "LED panel / P-6060".into(),
            reason: "flicker".into(),
            customer_request: "credit".into(),
            dealer_commitment: Some(DealerCommitment {
                handling_time: "2 days".into(),
                ship_time: "tomorrow".into(),
                policy_statement_given: true,
                deduction_warning_given: true,
            }),
        })?],
    )?;
    c.fire(
        t0 + TimeDelta::hours(2),
        &k.pc,
        Action::Receive,
        vec![receipt(10, "RO-002")?],
    )?;
    c.fire(
        t0 + TimeDelta::minutes(140),
        &k.adc,
        Action::SubmitToCqe,
        vec![handling("RO-002", "flicker")?],
    )?;
    judged(
        &mut c,
        k,
        t0 + TimeDelta::minutes(160),
        InspectionResult::Fail,
        &ResponsibilityJudgement {
            cause: Cause::QualityInspection,
            verdict: ReturnVerdict::SalesReturn,
            damage_origin: Some(DamageOrigin::Production),
            responsible_unit: Some("OQC".into()),
            responsible_person: Some("Feng".into()),
            evidence: "missed cracked housings at outgoing inspection".into(),
        },
    )?;
    let t1 = local(17, 9, 0)?;
    c.fire(t1, &k.cqe, Action::RequestReworkPlan, vec![])?;
    c.send(
        t1 + TimeDelta::hours(1),
        Command::fire(&k.adc, Action::DeclineReworkPlan)
            .with_payload(json!({"reason": "housing mould discontinued"})),
    )?;
    c.fire(
        t1 + TimeDelta::hours(3),
        &k.cqe,
        Action::Disassemble,
        vec![form(&DisassemblyRecord {
            parts: vec![
                Part {
                    name: "driver".into(),
                    qty: 10,
                    reusable: true,
                    reason: None,
                },
                Part {
                    name: "housing".into(),
                    qty: 10,
                    reusable: false,
                    reason: Some("破损 cracked".into()),
                },
            ],
        })?],
    )?;
    c.fire(
        t1 + TimeDelta::hours(4),
        &k.wh,
        Action::StockReusableParts,
        vec![form(&PartsStockIn {
            qty: 10,
            qc_passed: true,
        })?],
    )?;
    c.fire(
        t1 + TimeDelta::hours(5),
        &k.cqe,
        Action::FileScrap,
        vec![form(&ScrapApplication {
            origin: ScrapOrigin::Disassembly,
            qty: 10,
            reason: "cracked housings".into(),
        })?],
    )?;
    let t2 = local(18, 9, 0)?;
    c.sign(t2, &k.qm, Action::ConfirmScrap)?;
    c.sign(t2 + TimeDelta::hours(1), &k.pc, Action::ConfirmScrap)?;
    c.sign(t2 + TimeDelta::hours(2), &k.vp, Action::ApproveScrap)?;
    c.sign(t2 + TimeDelta::hours(3), &k.gm, Action::AuthoriseScrap)?;
    c.fire(
        t2 + TimeDelta::hours(4),
        &k.whh,
        Action::ExecuteScrap,
        vec![consent(ConsentSubject::Scrap)?],
    )?;
    let t3 = local(19, 9, 0)?;
    c.fire(
        t3,
        &k.cqe,
        Action::MarkCharging,
        vec![form(&ChargingMark {
            mark: Charging::Free,
            finance_copy_sent: true,
        })?],
    )?;
    c.fire(
        t3 + TimeDelta::hours(1),
        &k.qm,
        Action::OpenAccountability,
        vec![form(&AccountabilityRecord {
            responsible_unit: "OQC".into(),
            responsible_person: "Feng".into(),
            measures: "retraining, crack check added to the OQC sheet".into(),
        })?],
    )?;
    c.fire(
        t3 + TimeDelta::hours(2),
        &k.qm,
        Action::BookCost,
        vec![form(&CostBooking {
            account: BookingAccount::CostOfSales,
            amount_fen: 9_500,
            description: "disassembly, sorting and scrapped housings".into(),
        })?],
    )?;
    c.fire(
        t3 + TimeDelta::hours(3),
        &k.adc,
        Action::NotifyCustomer,
        vec![form(&OutcomeNotice {
            channel: "e-mail".into(),
            summary: "our inspection escape; credit note issued".into(),
            statements: vec![],
        })?],
    )?;
    c.fire(
        t3 + TimeDelta::hours(4),
        &k.cqe,
        Action::FileAnalysisReport,
        vec![analysis_report()?],
    )?;
    c.fire(
        t3 + TimeDelta::hours(4),
        &k.cqe,
        Action::LogAndClose,
        vec![form(&LedgerEntry {
            ledger_no: "KS-2026-119".into(),
            t6_ref: "T6-5532".into(),
        })?],
    )?;
    writeln!(
        out,
        "== {id}: failed inspection, partial scrap (last step {})",
        show(c.now)
    )?;
    trail(out, engine, &id)?;
    let inst = engine.load(&id)?;
    writeln!(
        out,
        "state {}, open obligations {:?}",
        inst.state(),
        open_obligations(&inst)?
    )?;
    Ok(())
}

/// Run both scenarios, printing their trails to `out`.
pub(crate) fn run(out: &mut dyn Write) -> Result<(), Box<dyn std::error::Error>> {
    let def = cr::definition(&Config::default(), Arc::new(BusinessCalendar::default()))?;
    let mut engine = Engine::new(InMemoryStore::new());
    engine.register(def.definition().clone())?;
    let k = cast();
    dealer_return(out, &engine, &k)?;
    writeln!(out)?;
    partial_scrap(out, &engine, &k)?;
    Ok(())
}

#[allow(dead_code)]
fn main() -> Result<(), Box<dyn std::error::Error>> {
    run(&mut std::io::stdout())
}
