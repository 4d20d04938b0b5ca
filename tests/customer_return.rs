//! Conformance tests of the customer return, exchange and loan procedure (客退 / 客换 / 客借).
//! Each test names the seed line it proves (`004 Lnnn`: seed 004, line nnn).
#![cfg(feature = "procedures")]
// The helpers below are test code too (clippy.toml allows these only inside `#[test]` fns).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use InspectionResult::{Fail, Pass};
use ReturnVerdict as V;
use aftersales::procedures::customer_return::{self as cr, *};
use aftersales::testing::fixtures::customer_return::{Cast, Scenario, consent, default_case};
use aftersales::{
    Actor, ActorId, BusinessCalendar, Command, Engine, EngineError, Event, EventKind, Form,
    InMemoryStore, Instance, InstanceId, Mermaid, Name, Outcome, Rejection, TypedForm, Vocabulary,
};
use chrono::{DateTime, NaiveDate, TimeDelta, TimeZone, Utc};
use serde_json::json;
use std::cell::Cell;
use std::sync::Arc;
use std::sync::LazyLock;

const RO: &str = "RO-2611-001";

/// Local time (UTC+8) on a day of November 2026 (16 = Monday, 20 = Friday).
fn at(day: u32, h: u32, m: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, day, h, m, 0).unwrap() - TimeDelta::hours(8)
}

fn who(id: &str, role: Role) -> Actor {
    Actor::new(id, [role])
}

/// One actor per role (the fixture's cast).
static CAST: LazyLock<Cast> = LazyLock::new(Cast::new);

fn adc() -> &'static Actor {
    &CAST.application_design_center
}
fn vp() -> &'static Actor {
    &CAST.adc_vice_president
}
fn pc() -> &'static Actor {
    &CAST.production_control
}
fn sales() -> &'static Actor {
    &CAST.sales
}
fn css() -> &'static Actor {
    &CAST.customer_service_specialist
}
fn csm() -> &'static Actor {
    &CAST.customer_service_manager
}
fn driver() -> &'static Actor {
    &CAST.delivery_person
}
fn logistics() -> &'static Actor {
    &CAST.logistics
}
fn cqe() -> &'static Actor {
    &CAST.cqe
}
fn oqc() -> &'static Actor {
    &CAST.oqc_inspector
}
fn qm() -> &'static Actor {
    &CAST.quality_manager
}
fn planner() -> &'static Actor {
    &CAST.planning_manager
}
fn shop() -> &'static Actor {
    &CAST.production_workshop
}
fn wh() -> &'static Actor {
    &CAST.warehouse
}
fn whh() -> &'static Actor {
    &CAST.warehouse_head
}
fn fin() -> &'static Actor {
    &CAST.finance
}
fn gm() -> &'static Actor {
    &CAST.gm_office
}

fn form<T: TypedForm>(t: &T) -> Form {
    Form::typed(T::KIND, t).unwrap()
}

fn customer(class: CustomerClass, dealer: bool) -> Customer {
    Customer {
        id: "CUST-7".into(),
        class,
        region: ReturnRegion::Domestic,
        dealer_account: dealer.then(|| "DEALER-ACC-7".to_owned()),
    }
}

fn a_return(claimed: ClaimedReturnType, wanted: bool) -> Case {
    Case {
        kind: CaseKind::Return {
            claimed_type: claimed,
            replacement_wanted: wanted,
        },
        customer: customer(CustomerClass::B, false),
        product: "LED panel 600x600".into(),
    }
}

fn dealer_return(class: CustomerClass) -> Case {
    Case {
        customer: customer(class, true),
        ..a_return(ClaimedReturnType::SalesReturn, true)
    }
}

fn notice(qty: u32) -> Form {
    form(&ReturnNotice {
        returned_qty: qty,
        material: "LED panel / P-6060".into(),
        reason: "housing scratched".into(),
        customer_request: "replace".into(),
        dealer_commitment: Some(DealerCommitment {
            handling_time: "2 days".into(),
            ship_time: "tomorrow".into(),
            policy_statement_given: true,
            deduction_warning_given: true,
        }),
    })
}
fn receipt(qty: u32) -> Form {
    form(&ReceiptRecord {
        repair_order_no: RO.into(),
        received_qty: qty,
        isolated_and_labelled: true,
        discrepancy_note: None,
    })
}
fn handling(ro: &str) -> Form {
    form(&ReturnHandlingForm {
        repair_order_no: ro.into(),
        product: "LED panel 600x600".into(),
        defect_reason: "housing scratched".into(),
        due_date: NaiveDate::from_ymd_opt(2026, 11, 30).unwrap(),
        schedule_order_ref: "PS-88".into(),
    })
}
fn classification() -> Form {
    form(&Classification {
        category: Category::Appearance,
        preliminary_cause: "transport".into(),
    })
}
fn inspection(result: InspectionResult, psu: bool) -> Form {
    form(&ReturnInspectionRecord {
        result,
        findings: "housing scratched, driver ok".into(),
        involves_power_supply_or_module: psu,
        carton_marked: true,
    })
}
fn judgement_form(cause: Cause, verdict: ReturnVerdict) -> ResponsibilityJudgement {
    ResponsibilityJudgement {
        cause,
        verdict,
        damage_origin: None,
        responsible_unit: Some("assembly line 2".into()),
        responsible_person: Some("Zhang San".into()),
        evidence: "photos, carton marks".into(),
    }
}
fn restock_app(qty: u32, sellable: bool) -> Form {
    form(&RestockApplication {
        qty,
        sellable_as_new: sellable,
    })
}
fn outcome() -> Form {
    form(&OutcomeNotice {
        channel: "phone".into(),
        summary: "handled".into(),
        statements: vec![],
    })
}
fn mark(m: Charging) -> Form {
    form(&ChargingMark {
        mark: m,
        finance_copy_sent: true,
    })
}
fn request(qty: u32, dealer: bool) -> Form {
    form(&ReplacementRequest {
        qty,
        special_requirement: None,
        customer_line_defect: false,
        customer_ack: false,
        dealer_commitment: dealer.then(|| DealerCommitment {
            handling_time: "2 days".into(),
            ship_time: "tomorrow".into(),
            policy_statement_given: true,
            deduction_warning_given: true,
        }),
    })
}
fn order() -> Form {
    form(&ReplacementOrder {
        order_ref: "SO-1".into(),
        source: ReplacementSource::Stock,
        production_notified: true,
        logistics_notified: true,
        value_fen: 150_000,
    })
}
fn promise(t: DateTime<Utc>) -> Form {
    form(&ArrivalPromise {
        promised_arrival: t,
    })
}
fn ledger() -> Form {
    form(&LedgerEntry {
        ledger_no: "KS-2026-118".into(),
        t6_ref: "T6-5531".into(),
    })
}

fn fire(a: &Actor, action: Action, forms: Vec<Form>) -> Command {
    forms
        .into_iter()
        .fold(Command::fire(a, action), Command::with_form)
}
fn sign(a: &Actor, action: Action, forms: Vec<Form>) -> Command {
    forms
        .into_iter()
        .fold(Command::sign(a, action), Command::with_form)
}

/// The fixture's scenario with a clock of its own, so a test reads as a list of commands.
struct H {
    s: Scenario,
    now: Cell<DateTime<Utc>>,
}

impl H {
    fn new(case: Case) -> Self {
        Self::with(Config::default(), case)
    }

    /// The fixture's default case: a sales return of 10 units, no replacement wanted.
    fn sales_return() -> Self {
        Self::new(default_case())
    }

    fn with(cfg: Config, case: Case) -> Self {
        let s = Scenario::with_case(&cfg, case).unwrap();
        let now = Cell::new(s.now());
        H { s, now }
    }

    fn engine(&self) -> &Engine<InMemoryStore> {
        self.s.engine()
    }

    fn id(&self) -> &InstanceId {
        self.s.id()
    }

    fn now(&self) -> DateTime<Utc> {
        self.now.get()
    }

    fn at(&self, t: DateTime<Utc>) -> &Self {
        self.now.set(t);
        self
    }

    fn run(&self, cmd: Command) -> Result<Outcome, EngineError> {
        self.engine().fire(self.id(), &cmd, self.now())
    }

    fn ok(&self, cmd: Command) -> Outcome {
        common::accepted(self.run(cmd))
    }

    fn go(&self, a: &Actor, action: Action, forms: Vec<Form>) -> Outcome {
        self.ok(fire(a, action, forms))
    }

    fn signs(&self, a: &Actor, action: Action) -> Outcome {
        self.ok(Command::sign(a, action))
    }

    /// The command is refused, and the instance is exactly as before.
    fn refused(&self, cmd: Command) -> Rejection {
        let before = self.inst();
        let r = common::refusal(self.run(cmd));
        assert_eq!(self.inst(), before, "a refusal changes nothing");
        r
    }

    fn inst(&self) -> Instance {
        Instance::clone(&self.s.instance())
    }

    fn state(&self) -> State {
        State::from_name(self.inst().state()).unwrap()
    }

    fn data(&self) -> Data {
        self.inst().data_as().unwrap()
    }

    fn history(&self) -> Vec<Event> {
        self.engine().history(self.id()).unwrap()
    }

    fn due(&self, name: Deadline) -> DateTime<Utc> {
        self.inst()
            .clock(name)
            .unwrap_or_else(|| panic!("no deadline {name}"))
            .due_at
    }

    fn stopped_met(&self, name: Deadline) -> Option<bool> {
        self.inst()
            .clock(name)
            .and_then(|d| d.stopped)
            .map(|s| s.met)
    }

    fn handle_due(&self, t: DateTime<Utc>) -> Vec<EventKind> {
        self.at(t);
        self.engine()
            .handle_due(t)
            .unwrap()
            .handled
            .into_iter()
            .flat_map(|(_, evs)| evs.into_iter().map(|e| e.kind))
            .collect()
    }

    // ---- drivers ----

    fn announce(&self, qty: u32) {
        self.go(css(), Action::Announce, vec![notice(qty)]);
    }

    fn receive(&self, qty: u32) {
        self.go(pc(), Action::Receive, vec![receipt(qty)]);
    }

    fn to_inspected(&self, result: InspectionResult, psu: bool) {
        self.announce(10);
        self.receive(10);
        self.inspect_received(result, psu);
    }

    /// From `received`: the handling form to the CQE, classification, inspection.
    fn inspect_received(&self, result: InspectionResult, psu: bool) {
        self.go(adc(), Action::SubmitToCqe, vec![handling(RO)]);
        self.go(cqe(), Action::Classify, vec![classification()]);
        let record = inspection(result, psu);
        self.go(cqe(), Action::RecordInspection, vec![record]);
    }

    fn judge(&self, j: ResponsibilityJudgement) {
        self.go(cqe(), Action::DraftJudgement, vec![form(&j)]);
        self.go(qm(), Action::ApproveJudgement, vec![]);
        assert_eq!(self.state(), State::Judged);
    }

    fn to_judged(&self, result: InspectionResult, cause: Cause, verdict: ReturnVerdict) {
        self.to_inspected(result, false);
        self.judge(judgement_form(cause, verdict));
    }

    fn restock_signed(&self, sellable: bool) {
        self.go(cqe(), Action::FileRestock, vec![restock_app(10, sellable)]);
        self.signs(oqc(), Action::ApproveRestock);
        self.signs(qm(), Action::ApproveRestock);
        self.signs(planner(), Action::ConfirmRestock);
    }

    fn replacement_shipped(&self, dealer: bool) {
        self.go(css(), Action::RequestReplacement, vec![request(10, dealer)]);
        self.go(csm(), Action::ConfirmReplacement, vec![]);
        self.go(css(), Action::OrderReplacement, vec![order()]);
        self.go(logistics(), Action::ShipReplacement, vec![]);
    }

    fn to_disassembled(&self) {
        self.to_judged(Fail, Cause::QualityInspection, V::SalesReturn);
        self.go(cqe(), Action::RequestReworkPlan, vec![]);
        self.ok(Command::fire(adc(), Action::DeclineReworkPlan)
            .with_payload(json!({"reason": "housing mould discontinued"})));
        self.go(
            cqe(),
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
                        qty: 4,
                        reusable: false,
                        reason: Some("变形 deformed".into()),
                    },
                ],
            })],
        );
    }

    fn to_scrap_sign_off(&self) {
        self.to_disassembled();
        self.go(wh(), Action::StockReusableParts, vec![parts_stocked(10)]);
        self.go(cqe(), Action::FileScrap, vec![scrap(4)]);
    }
}

fn scrap(qty: u32) -> Form {
    form(&ScrapApplication {
        origin: ScrapOrigin::Disassembly,
        qty,
        reason: "deformed housings".into(),
    })
}

fn parts_stocked(qty: u32) -> Form {
    form(&PartsStockIn {
        qty,
        qc_passed: true,
    })
}

fn is_forbidden(r: &Rejection) -> bool {
    matches!(r, Rejection::Forbidden { .. })
}

fn guard_says(r: &Rejection, needle: &str) -> bool {
    match r {
        Rejection::GuardRejected { reason, .. } => reason.contains(needle),
        _ => false,
    }
}

/// The core's stock rule "a reason is given" (`reason_required`) refused the command.
fn reason_missing(r: &Rejection) -> bool {
    matches!(r, Rejection::TextRequired { field, .. } if field == "reason")
}

// ---------------------------------------------------------------- intake and roles

#[test]
fn l9_only_production_control_receives_returns() {
    let h = H::sales_return();
    h.announce(10);
    for a in [wh().clone(), adc().clone(), sales().clone(), cqe().clone()] {
        // RET-PC step 2 (004 L9): 所有的客退品都由生管部接收
        let r = h.refused(fire(&a, Action::Receive, vec![receipt(10)]));
        assert!(is_forbidden(&r), "{r}");
    }
    h.receive(10);
    assert_eq!(h.state(), State::Received);
    h.engine().verify(h.id()).unwrap();
}

#[test]
fn l9_announce_by_another_department_reaches_production_control() {
    // RET-PC step 2 (004 L9): 其他部门如果和客户进行沟通退货的,则必须知会生管
    let h = H::sales_return();
    let out = h.go(adc(), Action::Announce, vec![notice(10)]);
    assert_eq!(h.state(), State::Announced);
    assert!(out.events.iter().any(|e| matches!(&e.kind,
        EventKind::FormAttached { form, .. } if form.kind == ReturnNotice::KIND)));
    // A notice without a quantity is refused.
    let h = H::sales_return();
    let r = h.refused(fire(adc(), Action::Announce, vec![notice(0)]));
    assert!(matches!(r, Rejection::InvalidForm { .. }), "{r}");
}

#[test]
fn l9_l156_unannounced_receipt_penalises_who_failed_to_notify() {
    let h = H::sales_return();
    // Without naming the responsible person: refused.
    let r = h.refused(fire(pc(), Action::Receive, vec![receipt(10)]));
    assert!(guard_says(&r, "missing_notice_by"), "{r}");
    h.ok(fire(pc(), Action::Receive, vec![receipt(10)])
        .with_payload(json!({"missing_notice_by": "sales-qian"})));
    assert_eq!(h.state(), State::Received);
    // RET-PROC §7 (004 L156): 责任人乐捐20元每次
    let d = h.data();
    assert_eq!(d.bypasses.len(), 1);
    assert_eq!(d.bypasses[0].amount_fen, 2000);
    assert_eq!(d.bypasses[0].responsible, ActorId::from("sales-qian"));
    let p = bypass_penalties(&h.history()).unwrap();
    assert_eq!(p.len(), 1);
    assert_eq!(p[0].occurrence, 1);
}

#[test]
fn l548_driver_cannot_collect_without_notice() {
    let h = H::sales_return();
    let arrival = form(&FactoryArrival {
        return_form_no: "TH-1".into(),
        depot: "Foshan depot".into(),
    });
    // RET-PMC (004 L548): 送货员在没有接到退货通知的情况下不可以拿退货
    let r = h.refused(fire(
        driver(),
        Action::CollectFromDepot,
        vec![arrival.clone()],
    ));
    assert!(matches!(r, Rejection::NoSuchTransition { .. }), "{r}");
    h.announce(10);
    h.go(driver(), Action::CollectFromDepot, vec![arrival]);
    assert_eq!(h.state(), State::AtFactory);
    h.receive(10);
    assert_eq!(h.state(), State::Received);
}

#[test]
fn l8_handling_form_carries_the_repair_order_number() {
    let h = H::sales_return();
    h.announce(10);
    h.receive(10);
    // RET-PC step 1 (004 L8): 生管部...定维修单号; QD-004 §6.1 (004 L604): the design center submits the form
    let r = h.refused(fire(adc(), Action::SubmitToCqe, vec![handling("RO-OTHER")]));
    assert!(guard_says(&r, "004 L8"), "{r}");
    let r = h.refused(fire(adc(), Action::SubmitToCqe, vec![]));
    assert!(matches!(r, Rejection::MissingForm { .. }), "{r}");
    let r = h.refused(fire(pc(), Action::SubmitToCqe, vec![handling(RO)]));
    assert!(is_forbidden(&r), "{r}");
    h.go(adc(), Action::SubmitToCqe, vec![handling(RO)]);
    assert_eq!(h.state(), State::AtCqe);
}

#[test]
fn l8_production_control_may_submit_when_configured() {
    let cfg = Config {
        production_control_may_submit: true,
        ..Config::default()
    };
    let h = H::with(cfg, a_return(ClaimedReturnType::SalesReturn, false));
    h.announce(10);
    h.receive(10);
    h.go(pc(), Action::SubmitToCqe, vec![handling(RO)]);
    assert_eq!(h.state(), State::AtCqe);
}

#[test]
fn l539_received_quantity_must_match_the_notice() {
    let h = H::sales_return();
    h.announce(10);
    // RET-PMC (004 L539): 仓管员根据退货单点收物料
    let r = h.refused(fire(pc(), Action::Receive, vec![receipt(9)]));
    assert!(guard_says(&r, "counted 9 but 10"), "{r}");
    let noted = form(&ReceiptRecord {
        repair_order_no: RO.into(),
        received_qty: 9,
        isolated_and_labelled: true,
        discrepancy_note: Some("one unit kept by the dealer as evidence".into()),
    });
    h.go(pc(), Action::Receive, vec![noted]);
    assert_eq!(units(&h.inst()).unwrap(), Some(9));
}

#[test]
fn l284_goods_are_isolated_and_labelled_on_receipt() {
    let h = H::sales_return();
    h.announce(10);
    let unlabelled = form(&ReceiptRecord {
        repair_order_no: RO.into(),
        received_qty: 10,
        isolated_and_labelled: false,
        discrepancy_note: None,
    });
    let r = h.refused(fire(pc(), Action::Receive, vec![unlabelled]));
    assert!(guard_says(&r, "004 L284"), "{r}");
}

// ---------------------------------------------------------------- inspection and judgement

#[test]
fn l491_l397_only_the_cqe_classifies_and_inspects() {
    let h = H::sales_return();
    h.announce(10);
    h.receive(10);
    h.go(adc(), Action::SubmitToCqe, vec![handling(RO)]);
    for a in [qm().clone(), pc().clone(), sales().clone()] {
        let r = h.refused(fire(&a, Action::Classify, vec![classification()]));
        assert!(is_forbidden(&r), "{r}");
    }
    h.go(cqe(), Action::Classify, vec![classification()]);
    for a in [qm().clone(), pc().clone(), sales().clone()] {
        let r = h.refused(fire(
            &a,
            Action::RecordInspection,
            vec![inspection(Pass, false)],
        ));
        assert!(is_forbidden(&r), "{r}");
    }
    // RET-PROC §5.8 (004 L144): the result is marked on the carton
    let unmarked = form(&ReturnInspectionRecord {
        result: Pass,
        findings: "ok".into(),
        involves_power_supply_or_module: false,
        carton_marked: false,
    });
    let r = h.refused(fire(cqe(), Action::RecordInspection, vec![unmarked]));
    assert!(matches!(r, Rejection::InvalidForm { .. }), "{r}");
}

#[test]
fn l12_judgement_is_approved_by_the_quality_manager_not_its_drafter() {
    let h = H::sales_return();
    h.to_inspected(Pass, false);
    let both = Actor::new("cqe-qm", [Role::Cqe, Role::QualityManager]);
    h.go(
        &both,
        Action::DraftJudgement,
        vec![form(&judgement_form(
            Cause::NonQualityReturn,
            V::SalesReturn,
        ))],
    );
    // RET-PC step 3 (004 L12) (品质部...责任判定); approver INF QD-004 §5.3.4 (004 L654)
    let r = h.refused(fire(&both, Action::ApproveJudgement, vec![]));
    assert!(matches!(r, Rejection::SeparationOfDuties { .. }), "{r}");
    let r = h.refused(fire(cqe(), Action::ApproveJudgement, vec![]));
    assert!(is_forbidden(&r), "{r}");
    h.go(qm(), Action::ApproveJudgement, vec![]);
    assert_eq!(h.state(), State::Judged);
}

#[test]
fn l150_transport_damage_is_not_a_supplier_cause() {
    let h = H::sales_return();
    h.to_inspected(Fail, false);
    let mut j = judgement_form(Cause::Supplier { batch: false }, V::SalesReturn);
    j.damage_origin = Some(DamageOrigin::Transport);
    // RET-PROC §5.6 (004 L150): 当中因生产、仓库、运输损坏的不在此列
    let r = h.refused(fire(cqe(), Action::DraftJudgement, vec![form(&j)]));
    assert!(
        matches!(&r, Rejection::InvalidForm { reason, .. } if reason.contains("004 L150")),
        "{r}"
    );
}

#[test]
fn l31_return_only_verdict_refused_when_a_replacement_is_wanted() {
    let h = H::new(a_return(ClaimedReturnType::SalesReturn, true));
    h.to_inspected(Pass, false);
    let j = judgement_form(Cause::NonQualityReturn, V::ReturnOnly);
    // RET-PC handling item 4 (004 L31): 只退不补品
    let r = h.refused(fire(cqe(), Action::DraftJudgement, vec![form(&j)]));
    assert!(guard_says(&r, "004 L31"), "{r}");
}

#[test]
fn l585_exchange_of_good_goods_is_a_changed_need_or_a_misunderstanding() {
    let case = Case {
        kind: CaseKind::Exchange {
            reason: ExchangeReason::AdcMiscommunication,
        },
        ..a_return(ClaimedReturnType::SalesReturn, false)
    };
    let h = H::new(case);
    h.to_inspected(Pass, false);
    let r = h.refused(fire(
        cqe(),
        Action::DraftJudgement,
        vec![form(&judgement_form(Cause::Misuse, V::SalesReturn))],
    ));
    assert!(guard_says(&r, "004 L585"), "{r}");
    let r = h.refused(fire(
        cqe(),
        Action::DraftJudgement,
        vec![form(&judgement_form(
            Cause::AdcMiscommunication,
            V::RepairForCustomer,
        ))],
    ));
    assert!(guard_says(&r, "销退品"), "{r}");
    h.judge(judgement_form(Cause::AdcMiscommunication, V::SalesReturn));
    assert_eq!(current_route(&h.inst()).unwrap(), Route::Restock);
    // Free for the design center's misunderstanding (RET-PROC §5.7 (004 L151)), charged for a changed need.
    let cfg = Config::default();
    assert_eq!(charging(Cause::AdcMiscommunication, &cfg), Charging::Free);
    assert_eq!(
        charging(Cause::CustomerNeedChanged, &cfg),
        Charging::Charged
    );
    let lenient = Config {
        exchange_need_changed_charged: false,
        ..Config::default()
    };
    assert_eq!(
        charging(Cause::CustomerNeedChanged, &lenient),
        Charging::Free
    );
}

#[test]
fn l16_exactly_one_route_for_every_judgement() {
    use InspectionResult::*;
    use V::*;
    let mut routes = Vec::new();
    for r in [Pass, Fail] {
        for v in [SalesReturn, RepairForCustomer, ReturnOnly] {
            routes.push(route(r, v));
        }
    }
    assert_eq!(
        routes,
        vec![
            Route::Restock,
            Route::Negotiate,
            Route::ReuseCheck,
            Route::Rework,
            Route::Negotiate,
            Route::ReuseCheck
        ]
    );
    // In `judged`, exactly one routing action is available to a CQE.
    let h = H::sales_return();
    h.to_judged(Fail, Cause::Process, V::SalesReturn);
    let open: Vec<String> = h
        .engine()
        .available_actions(h.id(), cqe(), h.now())
        .unwrap()
        .into_iter()
        .filter(|a| a.verdict.is_ok())
        .map(|a| a.action.to_string())
        .collect();
    assert_eq!(open, vec![Action::RequestReworkPlan.name().to_owned()]);
}

// ---------------------------------------------------------------- pass path and restock

#[test]
fn l492_restock_sign_off_order_oqc_and_quality_manager_then_planning() {
    let h = H::sales_return();
    h.to_judged(Pass, Cause::NonQualityReturn, V::SalesReturn);
    // QD-004 §6.2.1 (004 L492): quantities must match what was received
    let r = h.refused(fire(cqe(), Action::FileRestock, vec![restock_app(8, true)]));
    assert!(guard_says(&r, "covers 8 units but 10"), "{r}");
    h.go(cqe(), Action::FileRestock, vec![restock_app(10, true)]);
    assert_eq!(h.state(), State::RestockSignOff);
    // QD-004 §6.2.1 (004 L492): 经OQC检验员及品质经理确认签字,计划科经理确认签字
    let r = h.refused(Command::sign(planner(), Action::ConfirmRestock));
    assert!(guard_says(&r, "004 L492"), "{r}");
    h.signs(qm(), Action::ApproveRestock); // any order within the first stage
    let r = h.refused(Command::sign(planner(), Action::ConfirmRestock));
    assert!(guard_says(&r, "after the OQC inspector"), "{r}");
    h.signs(oqc(), Action::ApproveRestock);
    assert!(h.data().restock.quality_signed);
    h.signs(planner(), Action::ConfirmRestock);
    h.go(wh(), Action::StockIn, vec![]);
    assert_eq!(h.state(), State::Settling);
    let signed: Vec<String> = h
        .history()
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::Signed { role, .. } => Some(role.to_string()),
            _ => None,
        })
        .collect();
    assert_eq!(
        signed,
        ["quality_manager", "oqc_inspector", "planning_manager"]
    );
}

#[test]
fn l492_restock_filer_cannot_sign_and_warehouse_never_signs() {
    let h = H::sales_return();
    h.to_judged(Pass, Cause::NonQualityReturn, V::SalesReturn);
    let filer = Actor::new("cqe-oqc", [Role::Cqe, Role::OqcInspector]);
    h.go(&filer, Action::FileRestock, vec![restock_app(10, true)]);
    let r = h.refused(Command::sign(&filer, Action::ApproveRestock));
    assert!(matches!(r, Rejection::SeparationOfDuties { .. }), "{r}");
    let keeper = Actor::new("wh-oqc", [Role::Warehouse, Role::OqcInspector]);
    let r = h.refused(Command::sign(&keeper, Action::ApproveRestock));
    assert!(matches!(r, Rejection::SeparationOfDuties { .. }), "{r}");
}

#[test]
fn l492_stock_in_without_every_signature_is_refused() {
    let h = H::sales_return();
    h.to_judged(Pass, Cause::NonQualityReturn, V::SalesReturn);
    h.go(cqe(), Action::FileRestock, vec![restock_app(10, true)]);
    let r = h.refused(fire(wh(), Action::StockIn, vec![]));
    assert!(guard_says(&r, "入库依据"), "{r}");
    h.signs(oqc(), Action::ApproveRestock);
    h.signs(qm(), Action::ApproveRestock);
    // Two of three signatures: still refused (QD-004 §6.2.1 (004 L492) 成品库入库依据).
    let r = h.refused(fire(wh(), Action::StockIn, vec![]));
    assert!(guard_says(&r, "入库依据"), "{r}");
    // The CQE reports but does not dispose.
    h.signs(planner(), Action::ConfirmRestock);
    let both = Actor::new("cqe-wh", [Role::Cqe, Role::Warehouse]);
    let r = h.refused(fire(&both, Action::StockIn, vec![]));
    assert!(matches!(r, Rejection::SeparationOfDuties { .. }), "{r}");
    h.go(wh(), Action::StockIn, vec![]);
    assert_eq!(h.state(), State::Settling);
}

#[test]
fn l492_refused_restock_goes_back_to_inspection() {
    let h = H::sales_return();
    h.to_judged(Pass, Cause::NonQualityReturn, V::SalesReturn);
    h.go(cqe(), Action::FileRestock, vec![restock_app(10, true)]);
    h.signs(oqc(), Action::ApproveRestock);
    h.ok(Command::refuse(
        qm(),
        Action::ApproveRestock,
        "scratches on the lens",
    ));
    assert_eq!(h.state(), State::UnderInspection);
    // Re-inspected and re-judged: an old judgement does not count.
    h.go(
        cqe(),
        Action::RecordInspection,
        vec![inspection(Fail, false)],
    );
    let r = h.refused(fire(qm(), Action::ApproveJudgement, vec![]));
    assert!(guard_says(&r, "predates"), "{r}");
}

#[test]
fn l492_l152_unsellable_lamp_needs_a_sales_plan_and_the_gm_office_for_sale_off() {
    let h = H::sales_return();
    h.to_judged(Pass, Cause::NonQualityReturn, V::SalesReturn);
    h.restock_signed(false);
    h.go(wh(), Action::StockIn, vec![]);
    // QD-004 §6.2.1 (004 L492): 若整灯无法作为新产品销售的,需对应的销售人员给出整灯的处理方案
    assert_eq!(h.state(), State::AwaitingDisposalPlan);
    let plan = form(&DisposalPlan {
        disposal: Disposal::SaleOff { price_fen: 30_000 },
        qty: 10,
    });
    let r = h.refused(fire(cqe(), Action::SubmitDisposalPlan, vec![plan.clone()]));
    assert!(is_forbidden(&r), "{r}");
    let too_many = form(&DisposalPlan {
        disposal: Disposal::SaleOff { price_fen: 30_000 },
        qty: 11,
    });
    let r = h.refused(fire(sales(), Action::SubmitDisposalPlan, vec![too_many]));
    assert!(guard_says(&r, "11 units"), "{r}");
    h.go(sales(), Action::SubmitDisposalPlan, vec![plan]);
    // RET-PROC §5.10 (004 L152): 由品质部提报至总经办批准及时变卖或报废处理
    for a in [qm().clone(), sales().clone()] {
        let r = h.refused(fire(&a, Action::ApproveSaleOff, vec![]));
        assert!(is_forbidden(&r), "{r}");
    }
    let r = h.refused(fire(cqe(), Action::FileScrap, vec![scrap(1)]));
    assert!(matches!(r, Rejection::GuardRejected { .. }), "{r}");
    h.go(gm(), Action::ApproveSaleOff, vec![]);
    assert_eq!(h.state(), State::Settling);
}

// ---------------------------------------------------------------- fail path, rework, scrap

#[test]
fn l493_failed_goods_go_to_the_design_center_first_then_disassembly() {
    let h = H::sales_return();
    h.to_judged(Fail, Cause::QualityInspection, V::SalesReturn);
    let r = h.refused(fire(
        cqe(),
        Action::FileRestock,
        vec![restock_app(10, true)],
    ));
    assert!(guard_says(&r, "rework plan"), "{r}");
    h.go(cqe(), Action::RequestReworkPlan, vec![]);
    let record = form(&DisassemblyRecord {
        parts: vec![Part {
            name: "driver".into(),
            qty: 10,
            reusable: true,
            reason: None,
        }],
    });
    // QD-004 §6.2.2 (004 L493): 由应用设计中心出具处理方案,若无法出具,CQE负责拆卸
    let r = h.refused(fire(cqe(), Action::Disassemble, vec![record.clone()]));
    assert!(guard_says(&r, "若无法出具"), "{r}");
    let r = h.refused(fire(adc(), Action::DeclineReworkPlan, vec![]));
    assert!(reason_missing(&r), "{r}");
    h.ok(Command::fire(adc(), Action::DeclineReworkPlan)
        .with_payload(json!({"reason": "no spare housings"})));
    h.go(cqe(), Action::Disassemble, vec![record]);
    assert_eq!(h.state(), State::Disassembled);
    // No unusable parts: finished once the reusable ones are stocked.
    let r = h.refused(fire(cqe(), Action::FinishDisassembly, vec![]));
    assert!(guard_says(&r, "004 L493"), "{r}");
    h.go(wh(), Action::StockReusableParts, vec![parts_stocked(10)]);
    h.go(cqe(), Action::FinishDisassembly, vec![]);
    assert_eq!(h.state(), State::Settling);
}

#[test]
fn l667_rework_liaison_form_quality_manager_then_manufacturing() {
    let h = H::sales_return();
    h.to_judged(Fail, Cause::Process, V::SalesReturn);
    h.go(cqe(), Action::RequestReworkPlan, vec![]);
    let bad_plan = form(&ReworkPlan {
        flow: vec![],
        materials: vec!["housing".into()],
    });
    let r = h.refused(fire(adc(), Action::IssueReworkPlan, vec![bad_plan]));
    assert!(matches!(r, Rejection::InvalidForm { .. }), "{r}");
    h.go(
        adc(),
        Action::IssueReworkPlan,
        vec![
            form(&ReworkPlan {
                flow: vec!["replace housing".into(), "re-test".into()],
                materials: vec!["housing H-22".into()],
            }),
            consent(ConsentSubject::Plan),
        ],
    );
    assert_eq!(h.state(), State::ReworkApproval);
    // The requisition is only for a special requirement or a shortage (QD-004 §5.2.2.6 (004 L667)).
    let lazy = form(&WorkLiaisonForm {
        request: "replace housings".into(),
        material: MaterialSource::Requisition {
            reason: " ".into(),
            requisition_no: "LL-1".into(),
        },
    });
    let r = h.refused(fire(cqe(), Action::FileWorkLiaison, vec![lazy]));
    assert!(matches!(r, Rejection::InvalidForm { .. }), "{r}");
    let r = h.refused(Command::sign(qm(), Action::ReleaseRework));
    assert!(matches!(r, Rejection::MissingForm { .. }), "{r}");
    h.go(
        cqe(),
        Action::FileWorkLiaison,
        vec![form(&WorkLiaisonForm {
            request: "replace housings".into(),
            material: MaterialSource::CqeSlowStock,
        })],
    );
    // QD-004 §5.2.2.6 (004 L667): 经品质经理批准,相关部门领导签字
    let r = h.refused(Command::sign(shop(), Action::ReleaseRework));
    assert!(matches!(r, Rejection::SignOutOfOrder { .. }), "{r}");
    h.signs(qm(), Action::ReleaseRework);
    h.signs(shop(), Action::ReleaseRework);
    assert_eq!(h.state(), State::InRework);
    // RET-HRS (004 L370): 24 H for the rework
    assert_eq!(h.due(Deadline::Rework), h.now() + TimeDelta::hours(24));
    h.go(
        shop(),
        Action::CompleteRework,
        vec![form(&ReworkReport {
            work_done: "housings replaced".into(),
            workshop_inspection_passed: true,
        })],
    );
    assert_eq!(h.stopped_met(Deadline::Rework), Some(true));
    h.restock_signed(true);
    h.go(wh(), Action::StockIn, vec![]);
    assert_eq!(h.state(), State::Settling);
}

#[test]
fn l659_repaired_power_supplies_are_aged_first() {
    let h = H::sales_return();
    h.to_inspected(Fail, true);
    h.judge(judgement_form(Cause::Process, V::SalesReturn));
    h.go(cqe(), Action::RequestReworkPlan, vec![]);
    h.go(
        adc(),
        Action::IssueReworkPlan,
        vec![
            form(&ReworkPlan {
                flow: vec!["replace driver".into()],
                materials: vec!["driver D-40".into()],
            }),
            consent(ConsentSubject::Plan),
        ],
    );
    h.go(
        cqe(),
        Action::FileWorkLiaison,
        vec![form(&WorkLiaisonForm {
            request: "replace drivers".into(),
            material: MaterialSource::CqeSlowStock,
        })],
    );
    h.signs(qm(), Action::ReleaseRework);
    h.signs(shop(), Action::ReleaseRework);
    h.go(
        shop(),
        Action::CompleteRework,
        vec![form(&ReworkReport {
            work_done: "drivers replaced".into(),
            workshop_inspection_passed: true,
        })],
    );
    // QD-004 §5.2.2.4, §5.2.2.6 (004 L659, L667): 涉及电源和模组处理的,均需按正常订单流程老化后发货
    let r = h.refused(fire(
        cqe(),
        Action::FileRestock,
        vec![restock_app(10, true)],
    ));
    assert!(guard_says(&r, "aged"), "{r}");
    h.go(
        shop(),
        Action::RecordAging,
        vec![form(&AgingRecord {
            hours: 8,
            passed: true,
        })],
    );
    h.go(cqe(), Action::FileRestock, vec![restock_app(10, true)]);
    assert_eq!(h.state(), State::RestockSignOff);
}

#[test]
fn l507_l152_l486_scrap_chain_in_order_and_never_without_the_gm_office() {
    let h = H::sales_return();
    h.to_scrap_sign_off();
    assert_eq!(h.state(), State::ScrapSignOff);
    // QD-004 §9 note 1 (004 L507): 由相关部门确认签字,报应用设计中心副总裁批准签后,送仓库负责人作处理
    let r = h.refused(Command::sign(vp(), Action::ApproveScrap));
    assert!(guard_says(&r, "relevant departments"), "{r}");
    h.signs(pc(), Action::ConfirmScrap);
    let r = h.refused(Command::sign(gm(), Action::AuthoriseScrap));
    assert!(guard_says(&r, "vice president"), "{r}");
    h.signs(qm(), Action::ConfirmScrap);
    let r = h.refused(fire(whh(), Action::ExecuteScrap, vec![]));
    assert!(guard_says(&r, "004 L507"), "{r}");
    h.signs(vp(), Action::ApproveScrap);
    // RET-PROC §5.10 (004 L152) (总经办批准), CC-PROC §5.2.5 (004 L486) (总经理核准后将退货报废): no scrap without the GM office.
    let r = h.refused(fire(whh(), Action::ExecuteScrap, vec![]));
    assert!(guard_says(&r, "GM office"), "{r}");
    h.signs(gm(), Action::AuthoriseScrap);
    h.go(
        whh(),
        Action::ExecuteScrap,
        vec![consent(ConsentSubject::Scrap)],
    );
    assert_eq!(h.state(), State::Settling);
}

#[test]
fn l507_scrap_chain_relaxed_without_the_gm_office_by_configuration() {
    let cfg = Config {
        scrap_needs_gm_office: false,
        ..Config::default()
    };
    let h = H::with(cfg, a_return(ClaimedReturnType::SalesReturn, false));
    h.to_scrap_sign_off();
    h.signs(pc(), Action::ConfirmScrap);
    h.signs(qm(), Action::ConfirmScrap);
    h.signs(vp(), Action::ApproveScrap);
    h.go(
        whh(),
        Action::ExecuteScrap,
        vec![consent(ConsentSubject::Scrap)],
    );
    assert_eq!(h.state(), State::Settling);
}

#[test]
fn l507_scrap_approvers_are_not_the_filer_and_the_vp_is_not_the_gm() {
    let h = H::sales_return();
    h.to_disassembled();
    h.go(wh(), Action::StockReusableParts, vec![parts_stocked(10)]);
    let filer = Actor::new("cqe-qm", [Role::Cqe, Role::QualityManager]);
    h.go(&filer, Action::FileScrap, vec![scrap(4)]);
    let r = h.refused(Command::sign(&filer, Action::ConfirmScrap));
    assert!(matches!(r, Rejection::SeparationOfDuties { .. }), "{r}");
    h.signs(qm(), Action::ConfirmScrap);
    h.signs(pc(), Action::ConfirmScrap);
    let vp_gm = Actor::new("vp-gm", [Role::AdcVicePresident, Role::GmOffice]);
    h.signs(&vp_gm, Action::ApproveScrap);
    let r = h.refused(Command::sign(&vp_gm, Action::AuthoriseScrap));
    assert!(matches!(r, Rejection::SeparationOfDuties { .. }), "{r}");
    // The warehouse head executes but never approves (QD-004 §9 note 1 (004 L507)).
    let r = h.refused(Command::sign(whh(), Action::AuthoriseScrap));
    assert!(is_forbidden(&r), "{r}");
    h.signs(gm(), Action::AuthoriseScrap);
    let r = h.refused(fire(cqe(), Action::ExecuteScrap, vec![]));
    assert!(is_forbidden(&r), "{r}");
    h.go(
        whh(),
        Action::ExecuteScrap,
        vec![consent(ConsentSubject::Scrap)],
    );
}

#[test]
fn l493_reusable_parts_are_stocked_before_scrap_and_quantities_match() {
    let h = H::sales_return();
    h.to_disassembled();
    let r = h.refused(fire(cqe(), Action::FileScrap, vec![scrap(4)]));
    assert!(guard_says(&r, "004 L493"), "{r}");
    let r = h.refused(fire(
        wh(),
        Action::StockReusableParts,
        vec![parts_stocked(7)],
    ));
    assert!(guard_says(&r, "7 parts stocked but 10"), "{r}");
    h.go(wh(), Action::StockReusableParts, vec![parts_stocked(10)]);
    let r = h.refused(fire(cqe(), Action::FileScrap, vec![scrap(5)]));
    assert!(guard_says(&r, "4 were found unusable"), "{r}");
    // A rejected scrap goes back to the disassembled parts.
    h.go(cqe(), Action::FileScrap, vec![scrap(4)]);
    let r = h.refused(fire(qm(), Action::RejectScrap, vec![]));
    assert!(reason_missing(&r), "{r}");
    h.ok(Command::fire(qm(), Action::RejectScrap)
        .with_payload(json!({"reason": "two housings can be straightened"})));
    assert_eq!(h.state(), State::Disassembled);
    h.go(cqe(), Action::FileScrap, vec![scrap(2)]);
    assert!(!h.data().scrap.departments_signed);
}

// ---------------------------------------------------------------- return-only, disputes

#[test]
fn l31_return_only_goods_go_to_slow_moving_stock_after_the_reuse_check() {
    let h = H::new(a_return(ClaimedReturnType::ReturnOnly, false));
    h.to_judged(Pass, Cause::NonQualityReturn, V::ReturnOnly);
    let r = h.refused(fire(
        cqe(),
        Action::FileRestock,
        vec![restock_app(10, true)],
    ));
    assert!(guard_says(&r, "reuse check"), "{r}");
    h.go(cqe(), Action::SendToReuseCheck, vec![]);
    let entry = |qty| {
        form(&SlowMovingEntry {
            location: "呆滞品仓 A-3".into(),
            qty,
            red_copy_with_goods: true,
            white_copy_to_production_control: true,
        })
    };
    // RET-PC handling item 4 (004 L31): 知会生产查看是否可用于现有的订单上 ... 红联随货一起入呆滞品仓并登记
    let r = h.refused(fire(wh(), Action::StoreSlowMoving, vec![entry(10)]));
    assert!(guard_says(&r, "004 L31"), "{r}");
    let r = h.refused(fire(wh(), Action::RecordReuseCheck, vec![]));
    assert!(is_forbidden(&r), "{r}");
    h.go(
        shop(),
        Action::RecordReuseCheck,
        vec![form(&ReuseCheck {
            usable_for_orders: vec![],
            checked_by: "shop-wei".into(),
        })],
    );
    let r = h.refused(fire(wh(), Action::StoreSlowMoving, vec![entry(3)]));
    assert!(guard_says(&r, "3 units entered but 10"), "{r}");
    let no_copies = form(&SlowMovingEntry {
        location: "A-3".into(),
        qty: 10,
        red_copy_with_goods: true,
        white_copy_to_production_control: false,
    });
    let r = h.refused(fire(wh(), Action::StoreSlowMoving, vec![no_copies]));
    assert!(matches!(r, Rejection::InvalidForm { .. }), "{r}");
    h.go(wh(), Action::StoreSlowMoving, vec![entry(10)]);
    assert_eq!(h.state(), State::Settling);
}

#[test]
fn l34_repair_verdict_on_a_claimed_sales_return_goes_to_sales() {
    let h = H::sales_return();
    h.to_judged(Fail, Cause::CustomerCaused, V::RepairForCustomer);
    assert!(disputed(
        &h.data().case,
        effective_judgement(&h.inst()).unwrap().unwrap().1
    ));
    // RET-PC step 4 (004 L34): 当品质部判定客退品为帮修品,而客户退货原因为销退品...需知会业务部
    let r = h.refused(fire(cqe(), Action::RequestReworkPlan, vec![]));
    assert!(guard_says(&r, "sales for negotiation"), "{r}");
    h.go(cqe(), Action::OpenNegotiation, vec![]);
    let repair = form(&NegotiationRecord {
        outcome: NegotiationOutcome::RepairForCustomer { fee_fen: 8_000 },
        customer_agreement: "e-mail of 17 Nov".into(),
    });
    // Sales negotiates, nobody else (RET-PC handling item 2, step 4 (004 L20, L34)).
    let r = h.refused(fire(cqe(), Action::AgreeRepair, vec![repair.clone()]));
    assert!(is_forbidden(&r), "{r}");
    h.go(sales(), Action::AgreeRepair, vec![repair]);
    assert_eq!(h.state(), State::ReworkPlanning);
}

#[test]
fn l545_accepting_a_disputed_return_needs_the_gm_office() {
    let h = H::sales_return();
    h.to_judged(Pass, Cause::CustomerCaused, V::RepairForCustomer);
    h.go(qm(), Action::OpenNegotiation, vec![]);
    let accept = form(&NegotiationRecord {
        outcome: NegotiationOutcome::AcceptReturn {
            accepted_as: AcceptedAs::SalesReturn,
        },
        customer_agreement: "key account, goodwill".into(),
    });
    let r = h.refused(fire(sales(), Action::AcceptReturn, vec![accept.clone()]));
    assert!(matches!(r, Rejection::SignOffRequired { .. }), "{r}");
    h.ok(sign(sales(), Action::AcceptReturn, vec![accept]));
    // RET-PMC (004 L545–546): 客户原因不可返修与产品无质量问题不可以退货,总经理同意除外
    assert_eq!(h.state(), State::SalesNegotiation);
    h.signs(gm(), Action::AcceptReturn);
    assert_eq!(h.state(), State::Judged);
    assert_eq!(current_route(&h.inst()).unwrap(), Route::Restock);
    h.go(cqe(), Action::FileRestock, vec![restock_app(10, true)]);
}

#[test]
fn l20_customer_takes_the_goods_back() {
    let h = H::sales_return();
    h.to_judged(Fail, Cause::CustomerCaused, V::RepairForCustomer);
    h.go(cqe(), Action::OpenNegotiation, vec![]);
    let back = form(&NegotiationRecord {
        outcome: NegotiationOutcome::CustomerTakesBack,
        customer_agreement: "phone call 18 Nov".into(),
    });
    let ship = form(&ShipBackRecord {
        waybill: "SF-1".into(),
        qty: 10,
    });
    let r = h.refused(fire(sales(), Action::CustomerTakesBack, vec![back.clone()]));
    assert!(matches!(r, Rejection::MissingForm { .. }), "{r}");
    h.go(sales(), Action::CustomerTakesBack, vec![back, ship]);
    assert_eq!(h.state(), State::Settling);
    // Nothing was done for the customer: the negotiated outcome is free (ours, RET-PC handling item 2 (004 L20)).
    let r = h.refused(fire(
        cqe(),
        Action::MarkCharging,
        vec![mark(Charging::Charged)],
    ));
    assert!(guard_says(&r, "「免费」"), "{r}");
    h.go(cqe(), Action::MarkCharging, vec![mark(Charging::Free)]);
}

#[test]
fn l20_l34_the_negotiated_fee_decides_free_or_charged() {
    for (fee, want) in [(8_000, Charging::Charged), (0, Charging::Free)] {
        let h = H::sales_return();
        h.to_judged(Fail, Cause::CustomerCaused, V::RepairForCustomer);
        // Before negotiating, the cause decides: the customer's responsibility is charged.
        assert_eq!(
            expected_charging(&h.inst(), &Config::default()).unwrap(),
            Charging::Charged
        );
        h.go(cqe(), Action::OpenNegotiation, vec![]);
        h.go(
            sales(),
            Action::AgreeRepair,
            vec![form(&NegotiationRecord {
                outcome: NegotiationOutcome::RepairForCustomer { fee_fen: fee },
                customer_agreement: "signed quotation".into(),
            })],
        );
        // RET-PC handling item 2, step 4 (004 L20, L34): 由业务和客户协调沟通返修及付费事宜
        assert_eq!(
            expected_charging(&h.inst(), &Config::default()).unwrap(),
            want
        );
    }
}

// ---------------------------------------------------------------- replacement track

#[test]
fn l60_replace_first_order_the_same_day() {
    let h = H::new(dealer_return(CustomerClass::B));
    h.at(at(20, 16, 0)).announce(10);
    h.go(css(), Action::RequestReplacement, vec![request(10, true)]);
    h.go(csm(), Action::ConfirmReplacement, vec![]);
    // RF-PROP §4.2 item 1 (004 L60): 经客服经理确认后,当日立即知会生产厂生产再由物流部发货: the close of the
    // confirmation day (当日), not 24 hours
    assert_eq!(h.due(Deadline::ReplacementOrderSameDay), at(20, 18, 0));
    h.at(at(20, 17, 30))
        .go(css(), Action::OrderReplacement, vec![order()]);
    assert_eq!(h.stopped_met(Deadline::ReplacementOrderSameDay), Some(true));

    let late = H::new(dealer_return(CustomerClass::B));
    late.at(at(20, 16, 0)).announce(10);
    late.go(css(), Action::RequestReplacement, vec![request(10, true)]);
    late.go(csm(), Action::ConfirmReplacement, vec![]);
    let kinds = late.handle_due(aftersales::breach_instant(at(20, 18, 0)));
    assert!(kinds.iter().any(|k| matches!(k,
        EventKind::DeadlineBreached { deadline, .. } if *deadline == Deadline::ReplacementOrderSameDay)));
    assert!(kinds.iter().any(|k| matches!(k,
        EventKind::Escalated { notify, .. } if notify.contains(&Name::new("customer_service_manager")))));
}

#[test]
fn l48_replacement_is_ordered_before_the_goods_are_back_or_liability_is_known() {
    let h = H::new(dealer_return(CustomerClass::A));
    h.announce(10);
    // RF-PROP §3 (004 L48–52): 先补发,再追究
    h.replacement_shipped(true);
    assert_eq!(h.state(), State::Announced);
    assert_eq!(h.data().replacement, ReplacementStatus::Shipped);
    assert!(effective_judgement(&h.inst()).unwrap().is_none());
    // Once ordered, the case can no longer be cancelled: the goods are retrieved.
    let r = h.refused(
        Command::fire(css(), Action::Cancel).with_payload(json!({"reason": "dealer withdrew"})),
    );
    assert!(guard_says(&r, "004 L50"), "{r}");
}

#[test]
fn l48_l60_replacement_needs_the_customer_service_managers_confirmation() {
    let h = H::new(dealer_return(CustomerClass::C));
    h.announce(10);
    let both = Actor::new(
        "cs-both",
        [
            Role::CustomerServiceSpecialist,
            Role::CustomerServiceManager,
        ],
    );
    h.go(&both, Action::RequestReplacement, vec![request(10, true)]);
    let r = h.refused(fire(css(), Action::OrderReplacement, vec![order()]));
    assert!(guard_says(&r, "confirmation"), "{r}");
    let r = h.refused(fire(&both, Action::ConfirmReplacement, vec![]));
    assert!(matches!(r, Rejection::SeparationOfDuties { .. }), "{r}");
    let r = h.refused(fire(css(), Action::ConfirmReplacement, vec![]));
    assert!(is_forbidden(&r), "{r}");
    let r = h.refused(fire(logistics(), Action::ShipReplacement, vec![]));
    assert!(guard_says(&r, "ordered"), "{r}");
    h.go(csm(), Action::ConfirmReplacement, vec![]);
    h.go(css(), Action::OrderReplacement, vec![order()]);
}

#[test]
fn l65_l66_l67_arrival_promise_by_customer_class() {
    // RF-PROP §4.2 item 1 处理时间 (004 L65–67): A类 1天 (当天) = the close of the complaint day; B类 2天, C类 3天 count the
    // complaint day as day 1: 24:00 at the end of Tue / Wed
    for (class, due) in [
        (CustomerClass::A, at(16, 18, 0)),
        (CustomerClass::B, at(18, 0, 0)),
        (CustomerClass::C, at(19, 0, 0)),
    ] {
        let h = H::new(dealer_return(class));
        h.at(at(16, 10, 0)).announce(10);
        h.go(css(), Action::RequestReplacement, vec![request(10, true)]);
        assert_eq!(h.due(Deadline::ArrivalPromise), due, "{class:?}");
    }
    // A class-B promise given on day 3 is late.
    let h = H::new(dealer_return(CustomerClass::B));
    h.at(at(16, 10, 0)).announce(10);
    h.go(css(), Action::RequestReplacement, vec![request(10, true)]);
    let kinds = h.handle_due(at(18, 10, 0));
    assert!(kinds.iter().any(|k| matches!(k,
        EventKind::DeadlineBreached { deadline, .. } if *deadline == Deadline::ArrivalPromise)));
    let r = h.refused(fire(
        css(),
        Action::PromiseArrival,
        vec![promise(at(17, 9, 0))],
    ));
    assert!(guard_says(&r, "future"), "{r}");
    h.go(css(), Action::PromiseArrival, vec![promise(at(19, 17, 0))]);
    assert_eq!(h.stopped_met(Deadline::ArrivalPromise), Some(false));
}

#[test]
fn l62_dealer_is_promised_times_and_told_the_policy_the_same_day() {
    let h = H::new(dealer_return(CustomerClass::A));
    h.announce(10);
    let r = h.refused(fire(
        css(),
        Action::RequestReplacement,
        vec![request(10, false)],
    ));
    assert!(guard_says(&r, "004 L62"), "{r}");
    let untold = form(&ReplacementRequest {
        qty: 10,
        special_requirement: None,
        customer_line_defect: false,
        customer_ack: false,
        dealer_commitment: Some(DealerCommitment {
            handling_time: "2 days".into(),
            ship_time: "tomorrow".into(),
            policy_statement_given: true,
            deduction_warning_given: false,
        }),
    });
    let r = h.refused(fire(css(), Action::RequestReplacement, vec![untold]));
    assert!(
        matches!(&r, Rejection::InvalidForm { reason, .. } if reason.contains("004 L62")),
        "{r}"
    );
}

#[test]
fn l367_replacement_quantity_equals_the_returned_quantity() {
    let h = H::new(a_return(ClaimedReturnType::SalesReturn, true));
    h.announce(10);
    // RET-HRS (004 L367): 最后补货数要与最初返品数持平(客户特别要求除外)
    let r = h.refused(fire(
        css(),
        Action::RequestReplacement,
        vec![request(9, false)],
    ));
    assert!(guard_says(&r, "10 returned, 9 requested"), "{r}");
    let line = form(&ReplacementRequest {
        qty: 10,
        special_requirement: None,
        customer_line_defect: true,
        customer_ack: false,
        dealer_commitment: None,
    });
    let r = h.refused(fire(css(), Action::RequestReplacement, vec![line]));
    assert!(
        matches!(&r, Rejection::InvalidForm { reason, .. } if reason.contains("004 L367")),
        "{r}"
    );
    let special = form(&ReplacementRequest {
        qty: 9,
        special_requirement: Some("customer cancelled one unit in writing".into()),
        customer_line_defect: false,
        customer_ack: false,
        dealer_commitment: None,
    });
    h.go(css(), Action::RequestReplacement, vec![special]);
    assert_eq!(h.data().replacement, ReplacementStatus::Requested);
}

#[test]
fn l31_return_only_goods_are_never_replaced() {
    let h = H::new(a_return(ClaimedReturnType::ReturnOnly, false));
    h.announce(10);
    let r = h.refused(fire(
        css(),
        Action::RequestReplacement,
        vec![request(10, false)],
    ));
    assert!(guard_says(&r, "004 L31"), "{r}");
    assert!(
        a_return(ClaimedReturnType::ReturnOnly, true)
            .validate()
            .is_err()
    );
    let bad = H::new(a_return(ClaimedReturnType::ReturnOnly, true));
    let r = bad.refused(fire(css(), Action::Announce, vec![notice(10)]));
    assert!(guard_says(&r, "004 L31"), "{r}");
}

#[test]
fn l380_investigate_first_replaces_only_after_the_inspection_report() {
    let cfg = Config {
        replacement_policy: ReplacementPolicy::InvestigateFirst,
        ..Config::default()
    };
    let h = H::with(cfg, a_return(ClaimedReturnType::SalesReturn, true));
    h.announce(10);
    let r = h.refused(fire(
        css(),
        Action::RequestReplacement,
        vec![request(10, false)],
    ));
    assert!(matches!(r, Rejection::NoSuchTransition { .. }), "{r}");
    h.receive(10);
    h.inspect_received(Pass, false);
    h.go(
        sales(),
        Action::RequestReplacement,
        vec![request(10, false)],
    );
    // RET-HRS (004 L376–381): 返品检验报告 → 2H → 平数补货
    assert_eq!(
        h.due(Deadline::EqualQtyReplenishment),
        h.now() + TimeDelta::hours(2)
    );
}

// ---------------------------------------------------------------- free vs charged, settlement

/// A dealer return taken to `settling` through the restock path, replacement shipped.
fn dealer_case_in_settling(cause: Cause) -> H {
    let h = H::new(dealer_return(CustomerClass::B));
    h.announce(10);
    h.replacement_shipped(true);
    h.receive(10);
    h.inspect_received(Pass, false);
    h.judge(judgement_form(cause, V::SalesReturn));
    h.restock_signed(true);
    h.go(wh(), Action::StockIn, vec![]);
    assert_eq!(h.state(), State::Settling);
    h
}

#[test]
fn l147_l50_l71_dealer_cause_is_charged_and_the_dealer_account_debited() {
    let h = dealer_case_in_settling(Cause::DealerLogistics);
    // RET-PROC §5.7 (004 L151): 不属我司责任的...注明"收费"
    let r = h.refused(fire(
        cqe(),
        Action::MarkCharging,
        vec![mark(Charging::Free)],
    ));
    assert!(guard_says(&r, "「收费」"), "{r}");
    let r = h.refused(fire(
        sales(),
        Action::MarkCharging,
        vec![mark(Charging::Charged)],
    ));
    assert!(is_forbidden(&r), "{r}");
    h.go(cqe(), Action::MarkCharging, vec![mark(Charging::Charged)]);
    h.go(css(), Action::NotifyCustomer, vec![outcome()]);
    let r = h.refused(fire(cqe(), Action::LogAndClose, vec![ledger()]));
    assert!(guard_says(&r, "no debit note"), "{r}");
    // RF-PROP §3, §4.2 item 3 (004 L50, L71): 在其帐上扣除相应金额
    let wrong = form(&DebitNote {
        payer: Payer::Customer,
        amount_fen: 150_000,
        includes_replacement_value: true,
    });
    let r = h.refused(fire(css(), Action::IssueDebitNote, vec![wrong]));
    assert!(guard_says(&r, "DEALER-ACC-7"), "{r}");
    let note = form(&DebitNote {
        payer: Payer::Dealer {
            account: "DEALER-ACC-7".into(),
        },
        amount_fen: 150_000,
        includes_replacement_value: true,
    });
    let issuer = Actor::new("cs-fin", [Role::CustomerServiceSpecialist, Role::Finance]);
    h.go(&issuer, Action::IssueDebitNote, vec![note]);
    let r = h.refused(fire(&issuer, Action::PostDebit, vec![]));
    assert!(matches!(r, Rejection::SeparationOfDuties { .. }), "{r}");
    let r = h.refused(fire(cqe(), Action::LogAndClose, vec![ledger()]));
    assert!(guard_says(&r, "not been posted"), "{r}");
    h.go(fin(), Action::PostDebit, vec![]);
    h.go(cqe(), Action::LogAndClose, vec![ledger()]);
    assert_eq!(h.state(), State::FollowUp);
    let costs = cost_ledger(&h.inst()).unwrap();
    let dealer: i64 = costs
        .lines()
        .iter()
        .filter(|l| l.bearer == aftersales::Bearer::Dealer)
        .map(|l| l.amount_fen)
        .sum();
    assert_eq!(dealer, 150_000);
    assert!(
        costs
            .lines()
            .iter()
            .any(|l| l.account == aftersales::Account::DealerAccount)
    );
}

#[test]
fn l148_l149_l50_internal_cause_is_free_with_accountability() {
    let h = dealer_case_in_settling(Cause::Process);
    // RET-PROC §5.7 (004 L151): 属于我司内部责任的...注明"免费"
    let r = h.refused(fire(
        cqe(),
        Action::MarkCharging,
        vec![mark(Charging::Charged)],
    ));
    assert!(guard_says(&r, "「免费」"), "{r}");
    h.go(cqe(), Action::MarkCharging, vec![mark(Charging::Free)]);
    let note = form(&DebitNote {
        payer: Payer::Dealer {
            account: "DEALER-ACC-7".into(),
        },
        amount_fen: 1,
        includes_replacement_value: false,
    });
    let r = h.refused(fire(css(), Action::IssueDebitNote, vec![note]));
    assert!(guard_says(&r, "「免费」"), "{r}");
    h.go(css(), Action::NotifyCustomer, vec![outcome()]);
    // RF-PROP §3 (004 L50): 若责任为公司,则追究相关人员责任
    let r = h.refused(fire(cqe(), Action::LogAndClose, vec![ledger()]));
    assert!(guard_says(&r, "accountability"), "{r}");
    h.go(
        qm(),
        Action::OpenAccountability,
        vec![form(&AccountabilityRecord {
            responsible_unit: "process engineering".into(),
            responsible_person: "Li Si".into(),
            measures: "packaging design revised".into(),
        })],
    );
    h.go(cqe(), Action::LogAndClose, vec![ledger()]);
    assert_eq!(h.state(), State::FollowUp);
}

#[test]
fn l601_non_batch_supplier_defect_8d_within_two_working_days() {
    let h = H::sales_return();
    h.to_judged(Pass, Cause::Supplier { batch: false }, V::SalesReturn);
    h.restock_signed(true);
    h.go(wh(), Action::StockIn, vec![]);
    let claim = |batch| {
        form(&SupplierClaim {
            supplier: "Driver Co".into(),
            material: "driver D-40".into(),
            batch,
            amount_fen: 20_000,
        })
    };
    let r = h.refused(fire(
        cqe(),
        Action::ConveneSupplierMeeting,
        vec![claim(true)],
    ));
    assert!(guard_says(&r, "004 L601"), "{r}");
    // Friday 17:00 + 2 working days = the close of Tuesday (QD-004 §7.1.2 (004 L601)).
    h.at(at(20, 17, 0))
        .go(cqe(), Action::ReturnToSupplier, vec![claim(false)]);
    assert_eq!(h.due(Deadline::Supplier8d), at(24, 18, 0));
    h.go(
        cqe(),
        Action::RecordSupplierReply,
        vec![form(&SupplierReply {
            report_ref: "8D-77".into(),
            plan: "screening at the supplier".into(),
        })],
    );
    assert_eq!(h.stopped_met(Deadline::Supplier8d), Some(true));
    let claimed: i64 = cost_ledger(&h.inst())
        .unwrap()
        .lines()
        .iter()
        .filter(|l| l.kind == aftersales::CostKind::ClaimReceived)
        .map(|l| l.amount_fen)
        .sum();
    assert_eq!(claimed, -20_000);
}

#[test]
fn l602_l493_cost_accounts_by_cause() {
    assert_eq!(
        booking_account(Cause::CustomerMisjudgment { repeat: true }),
        BookingAccount::SellingExpense
    );
    assert_eq!(booking_account(Cause::Process), BookingAccount::CostOfSales);
    // A disassembled return: the reprocessing cost goes to cost of sales (QD-004 §6.2.2 (004 L493)).
    let h = H::sales_return();
    h.to_scrap_sign_off();
    h.signs(pc(), Action::ConfirmScrap);
    h.signs(qm(), Action::ConfirmScrap);
    h.signs(vp(), Action::ApproveScrap);
    h.signs(gm(), Action::AuthoriseScrap);
    h.go(
        whh(),
        Action::ExecuteScrap,
        vec![consent(ConsentSubject::Scrap)],
    );
    let booking = |account| {
        form(&CostBooking {
            account,
            amount_fen: 12_000,
            description: "disassembly and sorting".into(),
        })
    };
    let r = h.refused(fire(
        qm(),
        Action::BookCost,
        vec![booking(BookingAccount::SellingExpense)],
    ));
    assert!(guard_says(&r, "CostOfSales"), "{r}");
    h.go(cqe(), Action::MarkCharging, vec![mark(Charging::Free)]);
    h.go(
        qm(),
        Action::OpenAccountability,
        vec![form(&AccountabilityRecord {
            responsible_unit: "OQC".into(),
            responsible_person: "Feng".into(),
            measures: "retraining".into(),
        })],
    );
    h.go(adc(), Action::NotifyCustomer, vec![outcome()]);
    // Failed goods also owe their analysis report (QD-004 §5.2.2.7 (004 L650)).
    h.go(cqe(), Action::FileAnalysisReport, vec![analysis_report()]);
    let open = open_obligations(&h.inst()).unwrap();
    assert_eq!(open.len(), 1, "{open:?}");
    assert!(open[0].contains("004 L493"));
    h.go(
        qm(),
        Action::BookCost,
        vec![booking(BookingAccount::CostOfSales)],
    );
    assert!(open_obligations(&h.inst()).unwrap().is_empty());
    let costs = cost_ledger(&h.inst()).unwrap();
    assert_eq!(costs.lines().len(), 1);
    assert_eq!(costs.lines()[0].account, aftersales::Account::CostOfSales);
}

// ---------------------------------------------------------------- deadlines

#[test]
fn l144_l397_l623_intake_deadlines() {
    let h = H::sales_return();
    h.at(at(16, 10, 0)).announce(10);
    h.receive(10);
    // RET-HRS (004 L368, L397): 1H to classify; RET-PROC §5.8 (004 L144): 2天内完成 the judgement, calendar days to
    // 24:00 at the end of Wed
    assert_eq!(h.due(Deadline::InitialClassification), at(16, 11, 0));
    assert_eq!(h.due(Deadline::Judgement), at(19, 0, 0));
    h.at(at(16, 10, 30))
        .go(adc(), Action::SubmitToCqe, vec![handling(RO)]);
    // QD-004 §8 (004 L623): 3 working days to analyse, 7 to solve and reply (domestic), each to the close
    // of business
    assert_eq!(h.due(Deadline::Analysis), at(19, 18, 0));
    assert_eq!(h.due(Deadline::SolveAndReply), at(25, 18, 0));
    // 特批 by the company leadership only, a sign-off as in the complaint procedure:
    // 2 working days
    let r = h.refused(Command::sign(qm(), Action::GrantUrgent));
    assert!(is_forbidden(&r), "{r}");
    let lead = who("boss-he", Role::CompanyLeadership);
    h.signs(&lead, Action::GrantUrgent);
    assert_eq!(h.due(Deadline::UrgentReply), at(18, 18, 0));
    assert!(h.history().iter().any(|e| matches!(&e.kind,
        EventKind::Signed { role, meaning, .. }
            if *role == Role::CompanyLeadership && meaning.contains("特批"))));
    let r = h.refused(Command::sign(&lead, Action::GrantUrgent));
    assert!(guard_says(&r, "already"), "{r}");
    h.at(at(16, 10, 45))
        .go(cqe(), Action::Classify, vec![classification()]);
    assert_eq!(h.stopped_met(Deadline::InitialClassification), Some(true));
}

#[test]
fn l623_international_solution_within_15_to_30_working_days() {
    let mut case = a_return(ClaimedReturnType::SalesReturn, false);
    case.customer.region = ReturnRegion::International;
    let h = H::new(case);
    h.at(at(16, 10, 0)).announce(10);
    h.receive(10);
    h.go(adc(), Action::SubmitToCqe, vec![handling(RO)]);
    let d = h
        .inst()
        .deadlines()
        .iter()
        .find(|d| d.name == Deadline::SolveAndReply)
        .cloned()
        .unwrap();
    // 15 working days target (warning), 30 the limit: Mon 16 Nov → the close of Mon 7 Dec /
    // Mon 28 Dec
    assert_eq!(d.warn_at, Some(at(16, 18, 0) + TimeDelta::days(21)));
    assert_eq!(d.due_at, at(16, 18, 0) + TimeDelta::days(42));
}

#[test]
fn l374_finished_goods_stock_in_within_two_hours() {
    let h = H::sales_return();
    h.to_judged(Pass, Cause::NonQualityReturn, V::SalesReturn);
    h.go(cqe(), Action::FileRestock, vec![restock_app(10, true)]);
    assert_eq!(h.due(Deadline::StockIn), h.now() + TimeDelta::hours(2));
}

// ---------------------------------------------------------------- loans (ours)

fn loan() -> Case {
    Case {
        kind: CaseKind::Loan,
        ..a_return(ClaimedReturnType::SalesReturn, false)
    }
}

fn lend(h: &H, months: Option<u32>) {
    let terms = LoanTerms {
        items: "sample downlight DL-9".into(),
        qty: 2,
        purpose: "colour temperature confirmation".into(),
        term_months: months,
    };
    h.ok(Command::fire(adc(), Action::Lend).with_payload(serde_json::to_value(terms).unwrap()));
}

#[test]
fn l586_loan_comes_back_through_production_control() {
    let h = H::new(loan());
    let r = h.refused(fire(adc(), Action::Announce, vec![notice(2)]));
    assert!(guard_says(&r, "004 L586"), "{r}");
    lend(&h, None);
    assert_eq!(h.state(), State::OnLoan);
    // 1 month by default (ours, by analogy with QD-004 §4.4 (004 L621))
    assert_eq!(
        h.due(Deadline::LoanReturn),
        at(16, 10, 0) + TimeDelta::days(30)
    );
    h.go(adc(), Action::AnnounceLoanReturn, vec![notice(2)]);
    assert_eq!(h.stopped_met(Deadline::LoanReturn), Some(true));
    // RET-PC step 2 (004 L9): the design center lent it, production control receives it.
    let r = h.refused(fire(adc(), Action::Receive, vec![receipt(2)]));
    assert!(is_forbidden(&r), "{r}");
    h.receive(2);
    h.inspect_received(Pass, false);
    h.judge(judgement_form(Cause::NoFault, V::SalesReturn));
    assert_eq!(current_route(&h.inst()).unwrap(), Route::Restock);
}

#[test]
fn loan_overdue_moves_and_escalates() {
    let h = H::new(loan());
    lend(&h, Some(1));
    let kinds = h.handle_due(aftersales::breach_instant(
        at(16, 10, 0) + TimeDelta::days(30),
    ));
    assert!(
        kinds
            .iter()
            .any(|k| matches!(k, EventKind::Escalated { moved: Some(_), .. }))
    );
    assert_eq!(h.state(), State::LoanOverdue);
    // Wed 16 Dec + 5 working days = the close of Wed 23 Dec: the vice president and the GM
    // office.
    let due = h.due(Deadline::LoanOverdue);
    assert_eq!(due, at(16, 18, 0) + TimeDelta::days(37));
    let kinds = h.handle_due(aftersales::breach_instant(due));
    assert!(kinds.iter().any(|k| matches!(k,
        EventKind::Escalated { notify, .. }
            if notify == &vec!["adc_vice_president".to_owned(), "gm_office".to_owned()])));
    // Written off through the vice president and the GM office.
    let wo = form(&LoanConversion {
        settlement: LoanSettlement::WriteOff {
            value_fen: 40_000,
            reason: "customer cannot find the samples".into(),
        },
    });
    h.ok(sign(vp(), Action::WriteOffLoan, vec![wo]));
    h.signs(gm(), Action::WriteOffLoan);
    assert_eq!(h.state(), State::Settling);
    h.go(adc(), Action::NotifyCustomer, vec![outcome()]);
    h.go(cqe(), Action::LogAndClose, vec![ledger()]);
    let costs = cost_ledger(&h.inst()).unwrap();
    assert_eq!(costs.total().unwrap(), 40_000);
}

#[test]
fn loan_extension_is_approved_and_capped() {
    let h = H::new(loan());
    lend(&h, Some(2));
    let r =
        h.refused(Command::fire(adc(), Action::ExtendLoan).with_payload(json!({"term_months": 1})));
    assert!(is_forbidden(&r), "{r}");
    let r =
        h.refused(Command::fire(vp(), Action::ExtendLoan).with_payload(json!({"term_months": 2})));
    assert!(guard_says(&r, "at most 3 months"), "{r}");
    h.at(at(20, 10, 0))
        .ok(Command::fire(vp(), Action::ExtendLoan).with_payload(json!({"term_months": 1})));
    assert_eq!(
        h.due(Deadline::LoanExtension),
        at(20, 10, 0) + TimeDelta::days(30)
    );
    assert_eq!(h.data().loan.unwrap().months_granted, 3);
    let r = h.refused(
        Command::fire(adc(), Action::Lend)
            .with_payload(json!({"items": "x", "qty": 1, "purpose": "y", "term_months": 4})),
    );
    assert!(matches!(r, Rejection::NoSuchTransition { .. }), "{r}");
}

// ---------------------------------------------------------------- bypass and closure

#[test]
fn l156_every_override_records_a_20_yuan_penalty() {
    let cfg = Config::default();
    let h = H::sales_return();
    h.announce(10);
    let responsible = ActorId::from("sales-qian");
    // Only the override roles may override.
    let cmd = override_command(
        qm(),
        State::Received,
        "goods taken in by sales",
        &responsible,
        &cfg,
    )
    .unwrap();
    assert!(is_forbidden(&h.refused(cmd)));
    // Nobody authorises their own bypass.
    assert!(override_command(gm(), State::Received, "x", &ActorId::from("gm-yang"), &cfg).is_err());
    let cmd = override_command(
        gm(),
        State::Received,
        "goods taken in by sales",
        &responsible,
        &cfg,
    )
    .unwrap();
    let out = h.ok(cmd);
    assert!(out.events.iter().any(|e| matches!(&e.kind,
        EventKind::Overridden { penalty: Some(p), .. } if p["amount_fen"] == json!(2000))));
    let cmd = override_command(
        gm(),
        State::AtCqe,
        "handed to the CQE by hand",
        &responsible,
        &cfg,
    )
    .unwrap();
    h.ok(cmd);
    // RET-PROC §7 (004 L156): 责任人乐捐20元每次
    let p = bypass_penalties(&h.history()).unwrap();
    assert_eq!(p.len(), 2);
    assert_eq!(
        p.iter().map(|o| o.occurrence).collect::<Vec<_>>(),
        vec![1, 2]
    );
    assert!(p.iter().all(|o| o.penalty.amount_fen == 2000
        && o.penalty.responsible == responsible
        && o.authorised_by == Some(ActorId::from("gm-yang"))));
    h.engine().verify(h.id()).unwrap();
}

#[test]
fn l508_l623_closure_needs_every_track_and_a_one_month_recheck() {
    let h = H::new(dealer_return(CustomerClass::A));
    h.announce(10);
    h.go(css(), Action::RequestReplacement, vec![request(10, true)]);
    h.receive(10);
    h.inspect_received(Pass, false);
    h.judge(judgement_form(Cause::NoCauseReturn, V::SalesReturn));
    h.restock_signed(true);
    h.go(wh(), Action::StockIn, vec![]);
    let open = open_obligations(&h.inst()).unwrap();
    assert_eq!(open.len(), 3, "{open:?}"); // outcome, replacement, 免费/收费
    let r = h.refused(fire(cqe(), Action::LogAndClose, vec![ledger()]));
    assert!(guard_says(&r, "replacement has not been shipped"), "{r}");
    h.go(csm(), Action::ConfirmReplacement, vec![]);
    h.go(css(), Action::OrderReplacement, vec![order()]);
    h.go(logistics(), Action::ShipReplacement, vec![]);
    h.go(cqe(), Action::MarkCharging, vec![mark(Charging::Charged)]);
    h.go(
        sales(),
        Action::IssueDebitNote,
        vec![form(&DebitNote {
            payer: Payer::Dealer {
                account: "DEALER-ACC-7".into(),
            },
            amount_fen: 150_000,
            includes_replacement_value: true,
        })],
    );
    h.go(fin(), Action::PostDebit, vec![]);
    h.go(css(), Action::NotifyCustomer, vec![outcome()]);
    let r = h.refused(fire(cqe(), Action::LogAndClose, vec![]));
    assert!(matches!(r, Rejection::MissingForm { .. }), "{r}");
    h.at(at(23, 9, 0))
        .go(cqe(), Action::LogAndClose, vec![ledger()]);
    // QD-004 §8 (004 L623): 处理完成后的1月内再次跟踪异常的关闭情况
    assert_eq!(
        h.due(Deadline::ClosureRecheck),
        at(23, 9, 0) + TimeDelta::days(30)
    );
    // QD-004 §8 (004 L623): 定期跟踪客户对客诉处理的满意度 before the re-check closes the case.
    let r = h.refused(fire(qm(), Action::VerifyClosure, vec![]));
    assert!(guard_says(&r, "QD-004 §8"), "{r}");
    h.go(
        adc(),
        Action::RecordSatisfaction,
        vec![form(&SatisfactionRecord {
            satisfied: true,
            remark: "fast replacement".into(),
        })],
    );
    h.go(qm(), Action::VerifyClosure, vec![]);
    assert_eq!(h.state(), State::Closed);
    assert!(h.inst().is_closed());
    h.engine().verify(h.id()).unwrap();
    let replayed = Instance::replay(&h.history()).unwrap();
    assert_eq!(replayed, h.inst());
}

// ---------------------------------------------------------------- definition

#[test]
fn definition_vocabulary_and_config_defaults_match_the_seed() {
    let cfg = Config::default();
    use aftersales::BusinessDuration::*;
    assert_eq!(cfg.replacement_policy, ReplacementPolicy::ReplaceFirst); // RF-PROP §3 (004 L48)
    // Readings (product decision `PD-DUR` (docs/sources.md)): 当天 = the close of the start day; B and C
    // count the complaint day as day 1; 「N个工作日内」 = the close of the N-th working day.
    let close = |n| aftersales::BusinessDuration::working_days_close(n).unwrap();
    let counting_start = |n| aftersales::BusinessDuration::calendar_days_inclusive(n).unwrap();
    for d in [
        cfg.replacement_order_limit.a,
        cfg.replacement_order_limit.b,
        cfg.replacement_order_limit.c,
    ] {
        assert_eq!(d, SameDayClose); // RF-PROP §4.2 item 1 (004 L60) 当日, every class
    }
    assert_eq!(cfg.handling_promise_limit, SameDayClose); // RF-PROP §4.2 item 1 (004 L62)
    assert_eq!(cfg.retrieval_limit, CalendarMonths(1)); // QD-004 §4.4 (004 L621)
    assert_eq!(cfg.customer_request_limit, Hours(1)); // RET-HRS (004 L388)
    assert_eq!(cfg.customer_communication_limit, Hours(1)); // RET-HRS (004 L393)
    assert_eq!(cfg.inspection_report_limit, Hours(1)); // RET-HRS (004 L368–369)
    assert_eq!(cfg.handling_cycle_appearance, CalendarDays(7)); // RET-REV (004 L210)
    assert_eq!(cfg.handling_cycle_function_target, CalendarDays(14)); // RET-REV (004 L210)
    assert_eq!(cfg.handling_cycle_function_limit, CalendarDays(28)); // RET-REV (004 L210)
    assert!(cfg.require_customer_consent); // CC-PROC §5.2.5 (004 L486)
    assert!(!cfg.favour_repair_no_deduction); // RET-PC handling item 2 (004 L20)
    assert_eq!(cfg.arrival_promise.a, SameDayClose); // RF-PROP §4.2 item 1 处理时间 (004 L65)
    assert_eq!(cfg.arrival_promise.b, counting_start(2)); // RF-PROP §4.2 item 1 处理时间 (004 L66)
    assert_eq!(cfg.arrival_promise.c, counting_start(3)); // RF-PROP §4.2 item 1 处理时间 (004 L67)
    assert_eq!(cfg.judgement_limit, CalendarDaysToMidnight(2)); // RET-PROC §5.8 (004 L144)
    assert_eq!(cfg.classification_limit, Hours(1)); // RET-HRS (004 L368)
    assert_eq!(cfg.rework_limit, Hours(24)); // RET-HRS (004 L370)
    assert_eq!(cfg.stock_in_limit, Hours(2)); // RET-HRS (004 L374)
    assert_eq!(cfg.replenishment_limit, Hours(2)); // RET-HRS (004 L380)
    assert_eq!(cfg.supplier_8d_limit, close(2)); // QD-004 §7.1.2 (004 L601)
    assert_eq!(cfg.analysis_limit, close(3)); // QD-004 §8 (004 L623)
    assert_eq!(cfg.reply_limit_domestic, close(7)); // QD-004 §8 (004 L623)
    assert_eq!(cfg.urgent_reply_limit_domestic, close(2)); // QD-004 §8 (004 L623)
    assert_eq!(cfg.reply_target_international, close(15)); // QD-004 §8 (004 L623)
    assert_eq!(cfg.reply_limit_international, close(30)); // QD-004 §8 (004 L623)
    assert_eq!(cfg.urgent_reply_limit_international, close(3)); // QD-004 §8 (004 L623)
    assert_eq!(cfg.closure_recheck, CalendarMonths(1)); // QD-004 §8 (004 L623)
    assert_eq!(cfg.bypass_penalty_fen, 2000); // RET-PROC §7 (004 L156)
    // The config round-trips through JSON (roles by name).
    let json = serde_json::to_value(&cfg).unwrap();
    assert_eq!(
        json["scrap_departments"],
        json!(["quality_manager", "production_control"])
    );
    let back: Config = serde_json::from_value(json).unwrap();
    assert_eq!(back, cfg);
    let bad: Result<Config, _> = serde_json::from_value(json!({"override_roles": ["janitor"]}));
    assert!(bad.unwrap_err().to_string().contains("janitor"));
    // A partial config keeps the seed's other values.
    let partial: Config = serde_json::from_value(json!({"bypass_penalty_fen": 5000})).unwrap();
    assert_eq!(partial.bypass_penalty_fen, 5000);
    assert_eq!(partial.judgement_limit, CalendarDaysToMidnight(2));
    // An empty signer list is a build error, not a panic.
    let empty = Config {
        scrap_departments: vec![],
        ..Config::default()
    };
    assert!(cr::definition(&empty, Arc::new(BusinessCalendar::default())).is_err());
}

#[test]
fn refusals_are_recorded_but_change_nothing_else() {
    let def = cr::definition(&Config::default(), Arc::new(BusinessCalendar::default())).unwrap();
    let mut engine = Engine::new(InMemoryStore::new());
    engine.register(def.definition().clone()).unwrap();
    let id = InstanceId::from("CR-R");
    let now = at(16, 10, 0);
    let data = Data::new(a_return(ClaimedReturnType::SalesReturn, false))
        .to_value()
        .unwrap();
    engine
        .start(cr::ID, id.clone(), css(), data.clone(), now)
        .unwrap();
    let before = engine.load(&id).unwrap();
    let err = engine
        .fire(&id, &fire(wh(), Action::Receive, vec![receipt(10)]), now)
        .unwrap_err();
    assert!(is_forbidden(err.rejection().unwrap()));
    let after = engine.load(&id).unwrap();
    assert_eq!(after.version(), before.version() + 1);
    assert_eq!(after.state(), before.state());
    assert_eq!(after.data(), &data);
    assert!(matches!(
        engine.history(&id).unwrap().last().unwrap().kind,
        EventKind::Rejected { .. }
    ));
}

#[test]
fn diagram_matches_the_golden_file_and_the_doc() {
    let def = cr::definition(&Config::default(), Arc::new(BusinessCalendar::default())).unwrap();
    let text = Mermaid(def.definition()).to_string();
    let golden = common::golden("tests/golden/customer_return.mmd", &text);
    let table = aftersales::InStateActions(def.definition()).to_string();
    common::page_diagram("docs/procedures/customer_return.md", &golden, &table);
    // The typed view of the definition: every role, and instances' states as enums.
    assert_eq!(def.roles().len(), Role::ALL.len());
    let h = H::sales_return();
    assert_eq!(def.state(&h.inst()), Some(State::Draft));
    assert_eq!(
        def.actions_from(State::Draft),
        vec![
            Action::Announce,
            Action::Lend,
            Action::Receive,
            Action::RequestQualityCommunication,
            Action::RecordCustomerCommunication,
            Action::Cancel
        ]
    );
}

#[test]
fn l492_l152_l507_scrap_under_a_disposal_plan_takes_the_whole_chain() {
    let h = H::sales_return();
    h.to_judged(Pass, Cause::NonQualityReturn, V::SalesReturn);
    h.restock_signed(false);
    h.go(wh(), Action::StockIn, vec![]);
    let plan_scrap = form(&DisposalPlan {
        disposal: Disposal::Scrap,
        qty: 10,
    });
    h.go(sales(), Action::SubmitDisposalPlan, vec![plan_scrap]);
    let by_plan = |qty| {
        form(&ScrapApplication {
            origin: ScrapOrigin::DisposalPlan,
            qty,
            reason: "obsolete colour temperature".into(),
        })
    };
    // Sales proposes, quality files (RET-PROC §5.10 (004 L152): 由品质部提报); never more than the plan.
    let r = h.refused(fire(cqe(), Action::FileScrap, vec![by_plan(11)]));
    assert!(guard_says(&r, "the plan scraps 10 units"), "{r}");
    h.go(cqe(), Action::FileScrap, vec![by_plan(10)]);
    assert_eq!(h.state(), State::ScrapSignOff);
    // Rejected: back to sales, whose old plan no longer counts.
    h.ok(Command::fire(gm(), Action::RejectScrap)
        .with_payload(json!({"reason": "sell them off instead"})));
    assert_eq!(h.state(), State::AwaitingDisposalPlan);
    let r = h.refused(fire(cqe(), Action::FileScrap, vec![by_plan(10)]));
    assert!(guard_says(&r, "new disposal plan"), "{r}");
    h.go(
        sales(),
        Action::SubmitDisposalPlan,
        vec![form(&DisposalPlan {
            disposal: Disposal::Scrap,
            qty: 10,
        })],
    );
    h.go(cqe(), Action::FileScrap, vec![by_plan(10)]);
    h.signs(qm(), Action::ConfirmScrap);
    h.signs(pc(), Action::ConfirmScrap);
    h.signs(vp(), Action::ApproveScrap);
    let r = h.refused(fire(whh(), Action::ExecuteScrap, vec![]));
    assert!(guard_says(&r, "GM office"), "{r}");
    h.signs(gm(), Action::AuthoriseScrap);
    h.go(
        whh(),
        Action::ExecuteScrap,
        vec![consent(ConsentSubject::Scrap)],
    );
    assert_eq!(h.state(), State::Settling);
}

#[test]
fn l602_repeated_misjudgment_is_booked_to_selling_expense() {
    let h = H::sales_return();
    h.to_judged(
        Pass,
        Cause::CustomerMisjudgment { repeat: true },
        V::SalesReturn,
    );
    h.restock_signed(true);
    h.go(wh(), Action::StockIn, vec![]);
    // QD-004 §5.4 (004 L602): 如再有前期客户误判现象的客诉时,其处理费用计入销售费用
    h.go(cqe(), Action::MarkCharging, vec![mark(Charging::Free)]);
    h.go(sales(), Action::NotifyCustomer, vec![outcome()]);
    let open = open_obligations(&h.inst()).unwrap();
    assert!(open.iter().any(|o| o.contains("004 L602")), "{open:?}");
    h.go(
        qm(),
        Action::BookCost,
        vec![form(&CostBooking {
            account: BookingAccount::SellingExpense,
            amount_fen: 6_000,
            description: "re-test and freight".into(),
        })],
    );
    h.go(cqe(), Action::LogAndClose, vec![ledger()]);
    let costs = cost_ledger(&h.inst()).unwrap();
    assert_eq!(
        costs.lines()[0].account,
        aftersales::Account::SellingExpense
    );
}

#[test]
fn fixtures_reach_every_state() {
    use aftersales::testing::fixtures::customer_return::Scenario;
    for &state in State::ALL.iter().filter(|s| **s != State::Draft) {
        let s = Scenario::at(state).unwrap_or_else(|e| panic!("{state}: {e}"));
        assert_eq!(s.instance().state(), state);
        s.engine().verify(s.id()).unwrap();
    }
}

// ---------------------------------------------------------------- D9 concession (让步接受)

fn concession_request(id: Option<&str>, qty: u32) -> Form {
    form(&ConcessionRequest {
        qty,
        deviation: "colour temperature 3300 K instead of 3000 K".into(),
        justification: "usable for the customer's corridor lighting".into(),
        customer_quality_contact: "customer IQC Zhou".into(),
        concession: id.map(str::to_owned),
    })
}

fn concession_outcome(id: &str, granted: bool) -> Form {
    form(&ConcessionOutcome {
        concession: id.into(),
        granted,
        note: Some("grade C, section chief".into()),
    })
}

fn bridge() -> &'static Actor {
    &CAST.concession_link
}

/// RET-HRS (004 L397): 「经确认确属我方不良,且不能让步接受」 — a defect of ours may be
/// accepted by concession; granted, the goods are released as they are through the restock
/// sign-off instead of the rework.
#[test]
fn ret_hrs_l397_concession_granted_releases_the_goods_as_they_are() {
    let h = H::sales_return();
    h.to_judged(Fail, Cause::QualityInspection, V::SalesReturn);
    assert_eq!(
        cr::concession_status(&h.inst()).unwrap(),
        ConcessionStatus::NotRequested
    );
    h.go(
        qm(),
        Action::RequestConcession,
        vec![concession_request(Some("CON-9"), 10)],
    );
    assert_eq!(h.state(), State::AwaitingConcession);
    assert!(matches!(
        cr::concession_status(&h.inst()).unwrap(),
        ConcessionStatus::Pending(ConcessionRequest { qty: 10, .. })
    ));
    // Only the bridge records the outcome, and only for the concession the return waits for.
    let r = h.refused(fire(
        qm(),
        Action::RecordConcessionOutcome,
        vec![concession_outcome("CON-9", true)],
    ));
    assert!(is_forbidden(&r), "{r}");
    let r = h.refused(fire(
        bridge(),
        Action::RecordConcessionOutcome,
        vec![concession_outcome("CON-8", true)],
    ));
    assert!(guard_says(&r, "CON-9"), "{r}");
    // While waiting, nothing else happens to the goods.
    let r = h.refused(fire(cqe(), Action::RequestReworkPlan, vec![]));
    assert!(!matches!(r, Rejection::GuardRejected { .. }), "{r}");
    h.go(
        bridge(),
        Action::RecordConcessionOutcome,
        vec![concession_outcome("CON-9", true)],
    );
    assert_eq!(h.state(), State::Judged);
    assert_eq!(cr::current_route(&h.inst()).unwrap(), Route::Restock);
    assert_eq!(cr::judged_route(&h.inst()).unwrap(), Route::Rework);
    let r = h.refused(fire(cqe(), Action::RequestReworkPlan, vec![]));
    assert!(guard_says(&r, "restock"), "{r}");
    // Decided once per judgement.
    let r = h.refused(fire(
        qm(),
        Action::RequestConcession,
        vec![concession_request(None, 10)],
    ));
    assert!(guard_says(&r, "already decided"), "{r}");
    h.restock_signed(false);
    h.go(wh(), Action::StockIn, vec![]);
    assert_eq!(h.state(), State::AwaitingDisposalPlan);
}

/// RET-HRS (004 L397): a refused concession sends the return back to the disposition by the
/// judgement (the design center's rework plan for failed goods of ours).
#[test]
fn ret_hrs_l397_concession_refused_goes_back_to_the_disposition() {
    let h = H::sales_return();
    h.to_judged(Fail, Cause::Process, V::SalesReturn);
    h.go(
        qm(),
        Action::RequestConcession,
        vec![concession_request(None, 4)],
    );
    h.go(
        bridge(),
        Action::RecordConcessionOutcome,
        vec![concession_outcome("CON-1", false)],
    );
    assert_eq!(h.state(), State::Judged);
    assert!(matches!(
        cr::concession_status(&h.inst()).unwrap(),
        ConcessionStatus::Refused(ConcessionOutcome { granted: false, .. })
    ));
    let r = h.refused(fire(
        cqe(),
        Action::FileRestock,
        vec![restock_app(10, true)],
    ));
    assert!(guard_says(&r, "rework plan"), "{r}");
    h.go(cqe(), Action::RequestReworkPlan, vec![]);
    assert_eq!(h.state(), State::ReworkPlanning);
}

/// RET-HRS (004 L397): the concession is for failed goods of ours, asked by the quality
/// manager (not the inspector who found the defect), for at most the units received; a
/// second outcome is refused.
#[test]
fn ret_hrs_l397_concession_only_for_failed_goods_of_ours() {
    let passed = H::sales_return();
    passed.to_judged(
        Pass,
        Cause::CustomerMisjudgment { repeat: false },
        V::SalesReturn,
    );
    let r = passed.refused(fire(
        qm(),
        Action::RequestConcession,
        vec![concession_request(None, 10)],
    ));
    assert!(guard_says(&r, "让步接受"), "{r}");

    let h = H::sales_return();
    h.to_judged(Fail, Cause::QualityInspection, V::SalesReturn);
    let r = h.refused(fire(
        qm(),
        Action::RequestConcession,
        vec![concession_request(None, 11)],
    ));
    assert!(guard_says(&r, "11 units"), "{r}");
    let r = h.refused(fire(
        cqe(),
        Action::RequestConcession,
        vec![concession_request(None, 10)],
    ));
    assert!(is_forbidden(&r), "{r}");
    let r = h.refused(fire(qm(), Action::RequestConcession, vec![]));
    assert!(!matches!(r, Rejection::Forbidden { .. }), "{r}");

    // The inspector who found the defect does not ask for the concession.
    let both = Actor::new("qc-dual", [Role::Cqe, Role::QualityManager]);
    let h = H::sales_return();
    h.announce(10);
    h.receive(10);
    h.go(adc(), Action::SubmitToCqe, vec![handling(RO)]);
    h.go(&both, Action::Classify, vec![classification()]);
    h.go(
        &both,
        Action::RecordInspection,
        vec![inspection(Fail, false)],
    );
    h.judge(judgement_form(Cause::QualityInspection, V::SalesReturn));
    let r = h.refused(fire(
        &both,
        Action::RequestConcession,
        vec![concession_request(None, 10)],
    ));
    assert!(!matches!(r, Rejection::GuardRejected { .. }), "{r}");
    h.go(
        qm(),
        Action::RequestConcession,
        vec![concession_request(None, 10)],
    );
    h.go(
        bridge(),
        Action::RecordConcessionOutcome,
        vec![concession_outcome("CON-2", true)],
    );
    let r = h.refused(fire(
        bridge(),
        Action::RecordConcessionOutcome,
        vec![concession_outcome("CON-2", false)],
    ));
    assert!(!matches!(r, Rejection::GuardRejected { .. }), "{r}");
}

fn analysis_report() -> Form {
    form(&AnalysisReport {
        root_cause: "housing resin too brittle".into(),
        corrective_actions: "resin grade changed".into(),
        preventive_actions: "incoming impact test".into(),
    })
}

// ---------------------------------------------------------------- issue 18: rules as written

fn commitment() -> DealerCommitment {
    DealerCommitment {
        handling_time: "2 days".into(),
        ship_time: "tomorrow".into(),
        policy_statement_given: true,
        deduction_warning_given: true,
    }
}

fn notice_without_commitment(qty: u32) -> Form {
    form(&ReturnNotice {
        returned_qty: qty,
        material: "LED panel / P-6060".into(),
        reason: "housing scratched".into(),
        customer_request: "replace".into(),
        dealer_commitment: None,
    })
}

fn communication() -> Form {
    form(&CustomerCommunication {
        customer_quality_contact: "customer IQC Zhou".into(),
        channel: "face to face at the customer's".into(),
        findings: "P-6060, made 2026-10-02, shipped 2026-10-20, 3 % scratched".into(),
        responsibility_split: Some("scratches from the dealer's racking".into()),
    })
}

/// RET-HRS (004 L388–396, L400): the customer's request is taken down within 1 hour (客户要求
/// 1H) and the quality contacts' communication, when asked for, within 1 hour (客户沟通 1H).
#[test]
fn ret_hrs_l388_l393_customer_request_and_communication_within_one_hour() {
    let h = H::sales_return();
    let start = h.now();
    assert_eq!(
        h.due(Deadline::CustomerRequest),
        start + TimeDelta::hours(1)
    );
    // Nobody asked for the communication yet.
    let r = h.refused(fire(
        qm(),
        Action::RecordCustomerCommunication,
        vec![communication()],
    ));
    assert!(guard_says(&r, "RET-HRS"), "{r}");
    h.at(start + TimeDelta::minutes(20))
        .go(css(), Action::RequestQualityCommunication, vec![]);
    assert_eq!(h.stopped_met(Deadline::CustomerRequest), Some(true));
    assert_eq!(
        h.due(Deadline::CustomerCommunication),
        start + TimeDelta::minutes(80)
    );
    let r = h.refused(fire(
        sales(),
        Action::RecordCustomerCommunication,
        vec![communication()],
    ));
    assert!(is_forbidden(&r), "{r}");
    h.at(start + TimeDelta::minutes(90)).go(
        qm(),
        Action::RecordCustomerCommunication,
        vec![communication()],
    );
    assert_eq!(h.stopped_met(Deadline::CustomerCommunication), Some(false));
    // Without a communication, the announcement meets the request clock.
    let h = H::sales_return();
    h.at(h.now() + TimeDelta::minutes(30)).announce(10);
    assert_eq!(h.stopped_met(Deadline::CustomerRequest), Some(true));
}

/// RET-HRS (004 L368–369): the return inspection report (返品检验报告) has its own 1-hour limit
/// from receipt, beside the first classification.
#[test]
fn ret_hrs_l368_inspection_report_within_one_hour_of_receipt() {
    let h = H::sales_return();
    h.at(at(16, 10, 0)).announce(10);
    h.receive(10);
    assert_eq!(h.due(Deadline::InspectionReport), at(16, 11, 0));
    h.at(at(16, 10, 20))
        .go(adc(), Action::SubmitToCqe, vec![handling(RO)]);
    h.go(cqe(), Action::Classify, vec![classification()]);
    h.at(at(16, 11, 30)).go(
        cqe(),
        Action::RecordInspection,
        vec![inspection(Pass, false)],
    );
    assert_eq!(h.stopped_met(Deadline::InspectionReport), Some(false));
    assert_eq!(h.stopped_met(Deadline::InitialClassification), Some(true));
}

/// RF-PROP §4.2 item 1 (004 L62): on the complaint day the dealer is promised handling and ship
/// times with the 「先补发,再追究」 principle: the announcement carries them, by the close of
/// the complaint day.
#[test]
fn rf_prop_l62_dealer_promised_handling_and_ship_times_on_the_complaint_day() {
    let h = H::new(dealer_return(CustomerClass::A));
    assert_eq!(h.due(Deadline::HandlingPromise), at(16, 18, 0));
    let r = h.refused(fire(
        css(),
        Action::Announce,
        vec![notice_without_commitment(10)],
    ));
    assert!(guard_says(&r, "004 L62"), "{r}");
    let mut half = commitment();
    half.deduction_warning_given = false;
    let bad = form(&ReturnNotice {
        dealer_commitment: Some(half),
        ..serde_json::from_value(notice_without_commitment(10).body.clone()).unwrap()
    });
    let r = h.refused(fire(css(), Action::Announce, vec![bad]));
    assert!(matches!(r, Rejection::InvalidForm { .. }), "{r}");
    h.at(at(16, 17, 0)).announce(10);
    assert_eq!(h.stopped_met(Deadline::HandlingPromise), Some(true));
    // An end customer who wants no replacement is announced without a promise.
    let h = H::sales_return();
    h.go(css(), Action::Announce, vec![notice_without_commitment(10)]);
    assert_eq!(h.state(), State::Announced);
}

/// QD-004 §4.4 (004 L621) 「1个月内退回」, RF-PROP §4.2 item 2 (004 L69) 「再提回损坏产品」: the
/// damaged goods are back within a month of the announcement.
#[test]
fn qd004_s4_4_l621_damaged_goods_retrieved_within_a_month() {
    let h = H::new(dealer_return(CustomerClass::B));
    h.at(at(16, 10, 0)).announce(10);
    assert_eq!(
        h.due(Deadline::Retrieval),
        Utc.with_ymd_and_hms(2026, 12, 16, 2, 0, 0).unwrap()
    );
    h.replacement_shipped(true);
    assert!(h.inst().running_clock(Deadline::Retrieval).is_some());
    h.at(at(20, 9, 0)).go(
        driver(),
        Action::CollectFromDepot,
        vec![form(&FactoryArrival {
            return_form_no: "TH-1".into(),
            depot: "Foshan".into(),
        })],
    );
    assert!(h.inst().running_clock(Deadline::Retrieval).is_none());
    assert!(!h.inst().clock(Deadline::Retrieval).unwrap().breached);
}

/// RET-PROC §5.8 (004 L144): 「退货产品回厂后由储运部填退货回厂日期后交品质部进行质量判定…
/// (2天内完成)」: the judgement clock starts at the goods' arrival at the factory, not at
/// production control's receipt.
#[test]
fn ret_proc_s5_8_l144_judgement_clock_starts_at_factory_arrival() {
    let h = H::sales_return();
    h.at(at(16, 10, 0)).announce(10);
    h.at(at(17, 9, 0)).go(
        driver(),
        Action::CollectFromDepot,
        vec![form(&FactoryArrival {
            return_form_no: "TH-1".into(),
            depot: "Foshan".into(),
        })],
    );
    // 2 calendar days to 24:00 after the arrival day (Tue 17) → Fri 20 00:00.
    assert_eq!(h.due(Deadline::Judgement), at(20, 0, 0));
    h.at(at(18, 15, 0)).receive(10);
    assert_eq!(h.due(Deadline::Judgement), at(20, 0, 0));
    assert_eq!(
        h.inst().clock(Deadline::Judgement).unwrap().started_at,
        at(17, 9, 0)
    );
}

/// QD-004 §8 (004 L623): 「自国内应用设计中心开出《客诉、客退产品处理单》起…3个工作日内完成分析」:
/// the 3-working-day analysis clock is the domestic centre's; an international return's
/// analysis runs to the international solution limit.
#[test]
fn qd004_s8_l623_international_returns_skip_the_domestic_analysis_clock() {
    let mut case = a_return(ClaimedReturnType::SalesReturn, false);
    case.customer.region = ReturnRegion::International;
    let h = H::new(case);
    h.at(at(16, 10, 0)).announce(10);
    h.receive(10);
    h.go(adc(), Action::SubmitToCqe, vec![handling(RO)]);
    let analysis = h.due(Deadline::Analysis);
    assert_eq!(analysis, h.due(Deadline::SolveAndReply));
    assert!(analysis > at(19, 18, 0), "{analysis}");
}

/// RET-REV step 3 (004 L210): 「外观类处理周期为1周,功能类处理周期为2~4周」, in calendar weeks from
/// the CQE's classification to the ledger (结案).
#[test]
fn ret_rev_l210_handling_cycle_by_category() {
    let classify = |category| {
        let h = H::sales_return();
        h.at(at(16, 10, 0)).announce(10);
        h.receive(10);
        h.go(adc(), Action::SubmitToCqe, vec![handling(RO)]);
        h.go(
            cqe(),
            Action::Classify,
            vec![form(&Classification {
                category,
                preliminary_cause: "to be analysed".into(),
            })],
        );
        assert_eq!(h.data().category, Some(category));
        h
    };
    let h = classify(Category::Appearance);
    assert_eq!(h.due(Deadline::HandlingCycle), at(23, 10, 0));
    let h = classify(Category::Function);
    let c = h.inst().clock(Deadline::HandlingCycle).unwrap().clone();
    assert_eq!(c.warn_at, Some(at(30, 10, 0)));
    assert_eq!(
        c.due_at,
        Utc.with_ymd_and_hms(2026, 12, 14, 2, 0, 0).unwrap()
    );
    let h = classify(Category::PowerSupply);
    assert_eq!(
        h.due(Deadline::HandlingCycle),
        Utc.with_ymd_and_hms(2026, 12, 14, 2, 0, 0).unwrap()
    );
}

/// RF-PROP §3 (004 L48) 「经客服经理确认后」: the customer service manager may decline the
/// replacement, with a reason on record; it may be asked again, and a declined replacement
/// does not block the closure.
#[test]
fn rf_prop_s3_l48_customer_service_manager_declines_a_replacement() {
    let h = H::new(dealer_return(CustomerClass::B));
    h.announce(10);
    h.go(css(), Action::RequestReplacement, vec![request(10, true)]);
    let r = h.refused(fire(csm(), Action::DeclineReplacement, vec![]));
    assert!(reason_missing(&r), "{r}");
    let both = Actor::new(
        "cs-both",
        [
            Role::CustomerServiceSpecialist,
            Role::CustomerServiceManager,
        ],
    );
    let h2 = H::new(dealer_return(CustomerClass::B));
    h2.announce(10);
    h2.go(&both, Action::RequestReplacement, vec![request(10, true)]);
    let r = h2.refused(
        Command::fire(&both, Action::DeclineReplacement).with_payload(json!({"reason": "x"})),
    );
    assert!(matches!(r, Rejection::SeparationOfDuties { .. }), "{r}");
    h.ok(Command::fire(csm(), Action::DeclineReplacement)
        .with_payload(json!({"reason": "the dealer's stock covers it"})));
    assert_eq!(h.data().replacement, ReplacementStatus::Declined);
    assert!(h.history().iter().any(|e| matches!(&e.kind,
        EventKind::Transitioned { action, .. } if *action == Action::DeclineReplacement)));
    assert!(
        !open_obligations(&h.inst())
            .unwrap()
            .iter()
            .any(|o| o.contains("replacement"))
    );
    let r = h.refused(fire(css(), Action::OrderReplacement, vec![order()]));
    assert!(guard_says(&r, "confirmation"), "{r}");
    h.go(css(), Action::RequestReplacement, vec![request(10, true)]);
    assert_eq!(h.data().replacement, ReplacementStatus::Requested);
}

/// RF-PROP §4.2 item 1 (004 L64–67) 「承诺到货时间」: a clock against the promised arrival, met
/// when customer service records the arrival of the shipped replacement; the order limit is
/// set by customer class.
#[test]
fn rf_prop_l64_promised_arrival_is_kept_and_the_order_limit_is_by_class() {
    let mut cfg = Config::default();
    cfg.replacement_order_limit.c =
        aftersales::BusinessDuration::calendar_days_inclusive(3).unwrap();
    let h = H::with(cfg.clone(), dealer_return(CustomerClass::B));
    h.at(at(16, 10, 0)).announce(10);
    h.go(css(), Action::RequestReplacement, vec![request(10, true)]);
    h.go(csm(), Action::ConfirmReplacement, vec![]);
    assert_eq!(h.due(Deadline::ReplacementOrderSameDay), at(16, 18, 0));
    h.go(css(), Action::PromiseArrival, vec![promise(at(18, 12, 0))]);
    assert_eq!(h.due(Deadline::PromisedArrival), at(18, 12, 0));
    let r = h.refused(fire(css(), Action::RecordReplacementArrival, vec![]));
    assert!(guard_says(&r, "shipped"), "{r}");
    h.go(css(), Action::OrderReplacement, vec![order()]);
    h.go(logistics(), Action::ShipReplacement, vec![]);
    h.at(at(18, 11, 0))
        .go(css(), Action::RecordReplacementArrival, vec![]);
    assert_eq!(h.stopped_met(Deadline::PromisedArrival), Some(true));
    assert_eq!(h.data().replacement, ReplacementStatus::Arrived);
    let c = H::with(cfg, dealer_return(CustomerClass::C));
    c.at(at(16, 10, 0)).announce(10);
    c.go(css(), Action::RequestReplacement, vec![request(10, true)]);
    c.go(csm(), Action::ConfirmReplacement, vec![]);
    assert_eq!(c.due(Deadline::ReplacementOrderSameDay), at(19, 0, 0));
}

/// CC-PROC §5.2.5 (004 L486) 「由相关部门编制纠正和预防措施计划,经客户同意后实施」: the customer's
/// consent to the plan and to the scrap is recorded and required (not the GM office alone).
#[test]
fn cc_proc_s5_2_5_l486_customer_consent_required_for_plan_and_scrap() {
    let h = H::sales_return();
    h.to_judged(Fail, Cause::Process, V::SalesReturn);
    h.go(cqe(), Action::RequestReworkPlan, vec![]);
    let plan = form(&ReworkPlan {
        flow: vec!["replace housing".into()],
        materials: vec!["housing H-22".into()],
    });
    let r = h.refused(fire(adc(), Action::IssueReworkPlan, vec![plan.clone()]));
    assert!(guard_says(&r, "004 L486"), "{r}");
    // Consent to the scrap is not consent to the plan.
    let r = h.refused(fire(
        adc(),
        Action::IssueReworkPlan,
        vec![plan.clone(), consent(ConsentSubject::Scrap)],
    ));
    assert!(guard_says(&r, "004 L486"), "{r}");
    h.go(
        adc(),
        Action::IssueReworkPlan,
        vec![plan, consent(ConsentSubject::Plan)],
    );
    assert_eq!(h.state(), State::ReworkApproval);

    let h = H::sales_return();
    h.to_scrap_sign_off();
    h.signs(pc(), Action::ConfirmScrap);
    h.signs(qm(), Action::ConfirmScrap);
    h.signs(vp(), Action::ApproveScrap);
    h.signs(gm(), Action::AuthoriseScrap);
    let r = h.refused(fire(whh(), Action::ExecuteScrap, vec![]));
    assert!(guard_says(&r, "customer's consent"), "{r}");
    h.go(
        whh(),
        Action::ExecuteScrap,
        vec![consent(ConsentSubject::Scrap)],
    );
    assert_eq!(h.state(), State::Settling);
    assert!(
        h.inst()
            .forms()
            .iter()
            .any(|f| f.form.kind == CustomerConsent::KIND)
    );

    let relaxed = Config {
        require_customer_consent: false,
        ..Config::default()
    };
    let h = H::with(relaxed, default_case());
    h.to_scrap_sign_off();
    h.signs(pc(), Action::ConfirmScrap);
    h.signs(qm(), Action::ConfirmScrap);
    h.signs(vp(), Action::ApproveScrap);
    h.signs(gm(), Action::AuthoriseScrap);
    h.go(whh(), Action::ExecuteScrap, vec![]);
    assert_eq!(h.state(), State::Settling);
}

/// RET-PROC §5.10 (004 L152) 「对确认不能维修的退货产品,由品质部提报至总经办批准及时变卖或报废
/// 处理」: failed goods nobody can repair may be sold off, proposed by quality and approved by
/// the GM office.
#[test]
fn ret_proc_s5_10_l152_failed_goods_sold_off_with_the_gm_office() {
    let h = H::sales_return();
    h.to_judged(Fail, Cause::QualityInspection, V::SalesReturn);
    h.go(cqe(), Action::RequestReworkPlan, vec![]);
    let plan = form(&DisposalPlan {
        disposal: Disposal::SaleOff { price_fen: 30_000 },
        qty: 10,
    });
    let r = h.refused(fire(qm(), Action::SubmitDisposalPlan, vec![plan.clone()]));
    assert!(guard_says(&r, "若无法出具"), "{r}");
    h.ok(Command::fire(adc(), Action::DeclineReworkPlan)
        .with_payload(json!({"reason": "no spare housings"})));
    let r = h.refused(fire(gm(), Action::ApproveSaleOff, vec![]));
    assert!(guard_says(&r, "disposal_plan"), "{r}");
    let r = h.refused(fire(
        sales(),
        Action::SubmitDisposalPlan,
        vec![plan.clone()],
    ));
    assert!(is_forbidden(&r), "{r}");
    h.go(qm(), Action::SubmitDisposalPlan, vec![plan]);
    let r = h.refused(fire(qm(), Action::ApproveSaleOff, vec![]));
    assert!(is_forbidden(&r), "{r}");
    h.go(gm(), Action::ApproveSaleOff, vec![]);
    assert_eq!(h.state(), State::Settling);
}

/// QD-004 §5.2.2.7 (004 L650) 「不良品分析具体原因并出具分析报告(8D报告)」: failed returns produce an
/// analysis report, and the case does not close without it.
#[test]
fn qd004_s5_2_2_7_l650_failed_goods_need_an_analysis_report() {
    let passed = H::sales_return();
    passed.to_judged(
        Pass,
        Cause::CustomerMisjudgment { repeat: false },
        V::SalesReturn,
    );
    passed.restock_signed(true);
    passed.go(wh(), Action::StockIn, vec![]);
    let r = passed.refused(fire(
        cqe(),
        Action::FileAnalysisReport,
        vec![analysis_report()],
    ));
    assert!(guard_says(&r, "004 L650"), "{r}");

    let h = H::sales_return();
    h.to_disassembled();
    h.go(wh(), Action::StockReusableParts, vec![parts_stocked(10)]);
    h.go(cqe(), Action::FileScrap, vec![scrap(4)]);
    h.signs(pc(), Action::ConfirmScrap);
    h.signs(qm(), Action::ConfirmScrap);
    h.signs(vp(), Action::ApproveScrap);
    h.signs(gm(), Action::AuthoriseScrap);
    h.go(
        whh(),
        Action::ExecuteScrap,
        vec![consent(ConsentSubject::Scrap)],
    );
    assert!(
        open_obligations(&h.inst())
            .unwrap()
            .iter()
            .any(|o| o.contains("004 L650"))
    );
    let r = h.refused(fire(
        qm(),
        Action::FileAnalysisReport,
        vec![analysis_report()],
    ));
    assert!(is_forbidden(&r), "{r}");
    h.go(cqe(), Action::FileAnalysisReport, vec![analysis_report()]);
    assert!(
        !open_obligations(&h.inst())
            .unwrap()
            .iter()
            .any(|o| o.contains("004 L650"))
    );
}

/// RET-PMC (004 L542–544) 「可返修的可以帮忙返修…不可做扣款」: when configured, customer-caused
/// goods are repaired as a favour without a fee.
#[test]
fn ret_pmc_l544_favour_repair_without_deduction_when_configured() {
    let repair = |fee_fen| {
        form(&NegotiationRecord {
            outcome: NegotiationOutcome::RepairForCustomer { fee_fen },
            customer_agreement: "agreed by phone".into(),
        })
    };
    let cfg = Config {
        favour_repair_no_deduction: true,
        ..Config::default()
    };
    let h = H::with(cfg, default_case());
    h.to_judged(Pass, Cause::CustomerCaused, V::RepairForCustomer);
    h.go(cqe(), Action::OpenNegotiation, vec![]);
    let r = h.refused(fire(sales(), Action::AgreeRepair, vec![repair(5_000)]));
    assert!(guard_says(&r, "不可做扣款"), "{r}");
    h.go(sales(), Action::AgreeRepair, vec![repair(0)]);
    assert_eq!(h.state(), State::ReworkPlanning);
    // By default the fee is negotiated (RET-PC handling item 2 (004 L20)).
    let h = H::sales_return();
    h.to_judged(Pass, Cause::CustomerCaused, V::RepairForCustomer);
    h.go(cqe(), Action::OpenNegotiation, vec![]);
    h.go(sales(), Action::AgreeRepair, vec![repair(5_000)]);
    assert_eq!(h.state(), State::ReworkPlanning);
}

/// RET-PROC §5.7 (004 L151) 「将一联交财务部进行统计;(1个月2次)」: the marks of a period, for the
/// twice-monthly copies a host schedules.
#[test]
fn ret_proc_s5_7_l151_marks_copied_to_finance_twice_a_month() {
    let periods =
        finance_copy_periods(2026, 11, Config::default().finance_copies_per_month, 8).unwrap();
    assert_eq!(periods.len(), 2);
    assert_eq!(periods[0].0, at(1, 0, 0));
    assert_eq!(periods[0].1, at(16, 0, 0));
    assert_eq!(
        periods[1].1,
        Utc.with_ymd_and_hms(2026, 11, 30, 16, 0, 0).unwrap()
    );
    assert!(finance_copy_periods(2026, 13, 2, 8).is_err());
    assert!(finance_copy_periods(2026, 11, 0, 8).is_err());
    let h = H::sales_return();
    h.at(at(16, 10, 0)).announce(10);
    h.receive(10);
    h.inspect_received(Pass, false);
    h.judge(judgement_form(
        Cause::CustomerMisjudgment { repeat: false },
        V::SalesReturn,
    ));
    h.restock_signed(true);
    h.go(wh(), Action::StockIn, vec![]);
    h.at(at(17, 9, 0))
        .go(cqe(), Action::MarkCharging, vec![mark(Charging::Free)]);
    let second = finance_copies(&h.history(), periods[1].0, periods[1].1).unwrap();
    assert_eq!(second.len(), 1);
    assert_eq!(second[0].mark, Charging::Free);
    assert_eq!(second[0].marked_at, at(17, 9, 0));
    assert!(second[0].copy_sent);
    assert!(
        finance_copies(&h.history(), periods[0].0, periods[0].1)
            .unwrap()
            .is_empty()
    );
}

/// RET-PROC §5.9 (004 L145) 「由客服部下单至相应车间」: customer service may place the repair
/// order (《工作联系单》) when configured; by default the CQE files it (QD-004 §5.2.2.6 (004 L667)).
#[test]
fn ret_proc_s5_9_l145_customer_service_places_the_repair_order_when_configured() {
    let liaison = form(&WorkLiaisonForm {
        request: "replace the housings".into(),
        material: MaterialSource::CqeSlowStock,
    });
    let plan = || {
        vec![
            form(&ReworkPlan {
                flow: vec!["replace housing".into()],
                materials: vec!["housing H-22".into()],
            }),
            consent(ConsentSubject::Plan),
        ]
    };
    let h = H::sales_return();
    h.to_judged(Fail, Cause::Process, V::SalesReturn);
    h.go(cqe(), Action::RequestReworkPlan, vec![]);
    h.go(adc(), Action::IssueReworkPlan, plan());
    let r = h.refused(fire(css(), Action::FileWorkLiaison, vec![liaison.clone()]));
    assert!(is_forbidden(&r), "{r}");
    let cfg = Config {
        repair_order_by_customer_service: true,
        ..Config::default()
    };
    let h = H::with(cfg, default_case());
    h.to_judged(Fail, Cause::Process, V::SalesReturn);
    h.go(cqe(), Action::RequestReworkPlan, vec![]);
    h.go(adc(), Action::IssueReworkPlan, plan());
    h.go(css(), Action::FileWorkLiaison, vec![liaison]);
    assert_eq!(h.state(), State::ReworkApproval);
}

/// QD-004 §5.2.2.5 (004 L666) 「若需排产生产,填写《客诉排产通知单》经品质经理校对确认签字,副总裁批准
/// 确认签字后,提交计划科经理安排生产」: a replacement that must be produced is ordered only with
/// the production notice checked by the quality manager, then approved by the vice president.
#[test]
fn qd004_s5_2_2_5_l666_produced_replacement_needs_an_approved_production_notice() {
    let produced = || {
        form(&ReplacementOrder {
            order_ref: "SO-2".into(),
            source: ReplacementSource::Production,
            production_notified: true,
            logistics_notified: true,
            value_fen: 150_000,
        })
    };
    let h = H::new(dealer_return(CustomerClass::B));
    h.announce(10);
    h.go(css(), Action::RequestReplacement, vec![request(10, true)]);
    h.go(csm(), Action::ConfirmReplacement, vec![]);
    let r = h.refused(fire(css(), Action::OrderReplacement, vec![produced()]));
    assert!(guard_says(&r, "004 L666"), "{r}");
    let r = h.refused(Command::sign(qm(), Action::ApproveProductionNotice));
    assert!(guard_says(&r, "production_notice"), "{r}");
    h.go(
        cqe(),
        Action::FileProductionNotice,
        vec![form(&ProductionNotice {
            qty: 10,
            bom_ref: "BOM-P6060-C".into(),
            needed_by: NaiveDate::from_ymd_opt(2026, 11, 20).unwrap(),
        })],
    );
    let r = h.refused(Command::sign(vp(), Action::ApproveProductionNotice));
    assert!(!matches!(r, Rejection::GuardRejected { .. }), "{r}");
    h.signs(qm(), Action::ApproveProductionNotice);
    assert!(!h.data().production_notice_approved);
    h.signs(vp(), Action::ApproveProductionNotice);
    assert!(h.data().production_notice_approved);
    h.go(css(), Action::OrderReplacement, vec![produced()]);
    assert_eq!(h.data().replacement, ReplacementStatus::Ordered);
    // From stock, no notice is needed (the default orders in the other tests).
}

/// QD-004 §3.6 (004 L628) 保密原则: the outcome notice to the customer goes through the same
/// default-deny filter as the 8D (`procedures::confidentiality`): production process and
/// supplier names are withheld, free text goes out only when released, and a statement
/// without a category blocks the notice until a reviewer releases it.
#[test]
fn qd004_s3_6_l628_outcome_notice_goes_through_the_confidentiality_filter() {
    use aftersales::procedures::confidentiality::{
        Commodity, InfoCategory, Statement, SupplierRef, TextRelease, WITHHELD_PLACEHOLDER,
    };
    let h = H::sales_return();
    h.to_judged(
        Pass,
        Cause::CustomerMisjudgment { repeat: false },
        V::SalesReturn,
    );
    h.restock_signed(true);
    h.go(wh(), Action::StockIn, vec![]);
    let summary = "no defect found; goods restocked";
    let unclassified = "the driver was re-flashed with firmware 2.1";
    let notice = OutcomeNotice {
        channel: "e-mail".into(),
        summary: summary.into(),
        statements: vec![
            Statement::general("10 pcs inspected, all within specification"),
            Statement::new(
                "reflow profile raised to 245 °C",
                InfoCategory::ProductionProcess,
            ),
            Statement::new(
                "housings from Foshan Plastics",
                InfoCategory::RawMaterialSupplier(SupplierRef::new(
                    "Foshan Plastics",
                    Commodity::Other("housing".into()),
                )),
            ),
            Statement::unclassified(unclassified),
        ],
    };
    let r = h.refused(fire(css(), Action::NotifyCustomer, vec![form(&notice)]));
    assert!(guard_says(&r, "QD-004 §3.6"), "{r}");
    let release = |path: &str, text: &str| form(&TextRelease::of(path, text));
    let r = h.refused(fire(
        css(),
        Action::ReleaseText,
        vec![release("statements[3]", unclassified)],
    ));
    assert!(is_forbidden(&r), "{r}");
    h.go(
        qm(),
        Action::ReleaseText,
        vec![release("statements[3]", unclassified)],
    );
    h.go(css(), Action::NotifyCustomer, vec![form(&notice)]);
    let out = outgoing_outcome_notice(&h.inst(), &Config::default())
        .unwrap()
        .unwrap();
    assert!(out.is_sendable());
    let lines = &out.sections[0].lines;
    assert_eq!(lines[0], "channel: e-mail");
    // Free text nobody released is withheld (deny by default).
    assert_eq!(lines[1], format!("summary: {WITHHELD_PLACEHOLDER}"));
    assert_eq!(lines[2], "10 pcs inspected, all within specification");
    assert_eq!(lines[3], WITHHELD_PLACEHOLDER);
    assert_eq!(lines[4], WITHHELD_PLACEHOLDER);
    assert_eq!(lines[5], unclassified);
    assert_eq!(out.withheld.len(), 3);
    assert!(
        !lines
            .iter()
            .any(|l| l.contains("245") || l.contains("Foshan"))
    );
    // Released, the summary goes out as written; a changed text is not released.
    h.go(qm(), Action::ReleaseText, vec![release("summary", summary)]);
    let out = outcome_notice_text(&h.inst(), &notice, &Config::default().confidentiality);
    assert_eq!(out.sections[0].lines[1], format!("summary: {summary}"));
    let changed = OutcomeNotice {
        summary: format!("{summary}!"),
        ..notice
    };
    let out = outcome_notice_text(&h.inst(), &changed, &Config::default().confidentiality);
    assert_eq!(
        out.sections[0].lines[1],
        format!("summary: {WITHHELD_PLACEHOLDER}")
    );
}

/// CC-PROC §5.2.1 (004 L478): 「若非本公司造成的应…于一个工作日内反馈客户」 — an approved
/// judgement putting the cause on the customer's or the dealer's side (or nobody's) starts a
/// 1-working-day clock, ending at the close of the next working day (`PD-DUR`), met by the
/// outcome notice; a fault of the company's own starts none.
#[test]
fn cc_proc_s5_2_1_not_ours_feedback_within_one_working_day() {
    use chrono::{Datelike, FixedOffset, NaiveTime, TimeZone, Weekday};
    let h = H::sales_return();
    h.to_judged(Fail, Cause::CustomerCaused, V::RepairForCustomer);
    assert!(h.data().not_ours);
    let cst = FixedOffset::east_opt(8 * 3600).unwrap();
    let clock = h.inst().clock(Deadline::NotOursFeedback).unwrap().clone();
    let mut day = clock.started_at.with_timezone(&cst).date_naive();
    loop {
        day = day.succ_opt().unwrap();
        if !matches!(day.weekday(), Weekday::Sat | Weekday::Sun) {
            break;
        }
    }
    let close = cst
        .from_local_datetime(&day.and_time(NaiveTime::from_hms_opt(18, 0, 0).unwrap()))
        .unwrap();
    assert_eq!(clock.due_at, close.with_timezone(&Utc));
    h.go(css(), Action::NotifyCustomer, vec![outcome()]);
    assert_eq!(h.stopped_met(Deadline::NotOursFeedback), Some(true));

    let ours = H::sales_return();
    ours.to_judged(Fail, Cause::QualityInspection, V::SalesReturn);
    assert!(!ours.data().not_ours);
    assert!(ours.inst().clock(Deadline::NotOursFeedback).is_none());
}
