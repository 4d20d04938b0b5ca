//! Independent conformance tests of the customer return, exchange and loan procedure
//! (`customer_return`, 客退 / 客换 / 客借) against its source documents in collection 004:
//! `QD-004` §3.6, §4.4, §5.2.2.5, §5.2.2.7, §8; `RF-PROP` (先补发,再追究, A/B/C classes);
//! `RET-PROC` §5.7, §5.8, §5.10, 管理规定; `RET-REV` step 3; `RET-HRS`; `CC-PROC` §5.2.5.
//! Every expectation below comes from the quoted clause, read by an auditor; the tests drive
//! the crate's public API only. Calendar (product decision): Monday–Friday 09:00–12:00,
//! 13:00–18:00, Asia/Shanghai.
#![cfg(all(feature = "testing", feature = "procedures"))]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test helpers may panic

use aftersales::procedures::confidentiality::Statement;
use aftersales::procedures::customer_return::{
    self as cr, Action, ByClass, Case, CaseKind, Category, Cause, Charging, ChargingMark,
    ClaimedReturnType, Classification, ConcessionOutcome, ConcessionRequest, Config,
    ConsentSubject, Customer, CustomerClass, CustomerCommunication, CustomerConsent, Data,
    Deadline, DealerCommitment, Disposal, DisposalPlan, FactoryArrival, InspectionResult,
    OutcomeNotice, ProductionNotice, ReceiptRecord, ReplacementOrder, ReplacementRequest,
    ReplacementSource, ReplacementStatus, ResponsibilityJudgement, ReturnHandlingForm,
    ReturnInspectionRecord, ReturnNotice, ReturnRegion, ReturnVerdict, ReworkPlan, Role,
    SatisfactionRecord, State,
};
use aftersales::procedures::shanghai_calendar;
use aftersales::testing::fixtures::customer_return::{Cast, Scenario};
use aftersales::{
    BusinessDuration, Command, Engine, Form, InMemoryStore, Instance, InstanceId, Vocabulary,
};
use aftersales::{TypedForm, procedures::confidentiality::InfoCategory};
use chrono::{DateTime, NaiveDate, TimeDelta, TimeZone, Utc};
use std::sync::Arc;

fn typed<F: TypedForm>(f: &F) -> Form {
    Form::typed(F::KIND, f).expect("form serializes")
}

/// Local time in Shanghai (UTC+8) in November / December 2026.
fn sh(month: u32, day: u32, h: u32, m: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, month, day, h, m, 0)
        .single()
        .expect("time")
        - TimeDelta::hours(8)
}

fn state(i: &Instance) -> Option<State> {
    State::from_name(i.state())
}

fn data(i: &Instance) -> Data {
    cr::case_data(i).expect("customer return data")
}

fn dealer_case(class: CustomerClass, region: ReturnRegion, replacement: bool) -> Case {
    Case {
        kind: CaseKind::Return {
            claimed_type: ClaimedReturnType::SalesReturn,
            replacement_wanted: replacement,
        },
        customer: Customer {
            id: "DEALER-IC-1".into(),
            class,
            region,
            dealer_account: Some("ACC-IC-1".into()),
        },
        product: "LED panel 600x600".into(),
    }
}

fn commitment() -> DealerCommitment {
    DealerCommitment {
        handling_time: "2 days".into(),
        ship_time: "tomorrow".into(),
        policy_statement_given: true,
        deduction_warning_given: true,
    }
}

fn notice() -> Form {
    typed(&ReturnNotice {
        returned_qty: 10,
        material: "LED panel / P-6060".into(),
        reason: "cracked housings".into(),
        customer_request: "replace at once".into(),
        dealer_commitment: Some(commitment()),
    })
}

fn replacement_request() -> Form {
    typed(&ReplacementRequest {
        qty: 10,
        special_requirement: None,
        customer_line_defect: false,
        customer_ack: false,
        dealer_commitment: Some(commitment()),
    })
}

fn replacement_order(source: ReplacementSource) -> Form {
    typed(&ReplacementOrder {
        order_ref: "SO-IC-1".into(),
        source,
        production_notified: true,
        logistics_notified: true,
        value_fen: 150_000,
    })
}

fn arrival() -> Form {
    typed(&FactoryArrival {
        return_form_no: "TH-IC-1".into(),
        depot: "Foshan depot".into(),
    })
}

fn receipt() -> Form {
    typed(&ReceiptRecord {
        repair_order_no: "RO-IC-1".into(),
        received_qty: 10,
        isolated_and_labelled: true,
        discrepancy_note: None,
    })
}

fn handling() -> Form {
    typed(&ReturnHandlingForm {
        repair_order_no: "RO-IC-1".into(),
        product: "LED panel 600x600".into(),
        defect_reason: "cracked housings".into(),
        due_date: NaiveDate::from_ymd_opt(2026, 11, 30).expect("date"),
        schedule_order_ref: "PS-IC-1".into(),
    })
}

fn classification(category: Category) -> Form {
    typed(&Classification {
        category,
        preliminary_cause: "transport".into(),
    })
}

fn inspection(result: InspectionResult) -> Form {
    typed(&ReturnInspectionRecord {
        result,
        findings: "colour temperature off by 300 K".into(),
        involves_power_supply_or_module: false,
        carton_marked: true,
    })
}

/// Failed goods of ours: quality inspection let the defect through (RET-PROC §4.2).
fn our_failure() -> Form {
    typed(&ResponsibilityJudgement {
        cause: Cause::QualityInspection,
        verdict: ReturnVerdict::SalesReturn,
        damage_origin: None,
        responsible_unit: Some("OQC".into()),
        responsible_person: Some("Li Si".into()),
        evidence: "colour meter readings".into(),
    })
}

fn consent(subject: ConsentSubject) -> Form {
    typed(&CustomerConsent {
        subject,
        given_by: "customer purchasing manager Zhou".into(),
        evidence: "mail of 17 Nov 2026".into(),
    })
}

fn reason(text: &str) -> serde_json::Value {
    serde_json::json!({ "reason": text })
}

/// One case on an in-memory engine with the Shanghai product calendar and a clock that moves
/// only when a test sets it.
struct H {
    engine: Engine<InMemoryStore>,
    id: InstanceId,
    now: DateTime<Utc>,
    k: Cast,
}

impl H {
    fn start(config: &Config, case: Case, at: DateTime<Utc>) -> H {
        let def = cr::definition(config, shanghai_calendar()).expect("definition builds");
        let mut engine = Engine::new(InMemoryStore::new()).record_rejections(false);
        engine
            .register(def.definition().clone())
            .expect("registers");
        let k = Cast::new();
        let id = InstanceId::from("IC-CR-1");
        engine
            .start(
                cr::ID,
                id.clone(),
                &k.customer_service_specialist,
                Data::new(case).to_value().expect("data"),
                at,
            )
            .expect("starts");
        H {
            engine,
            id,
            now: at,
            k,
        }
    }

    fn at(&mut self, t: DateTime<Utc>) -> &mut Self {
        self.now = t;
        self
    }

    fn send(&mut self, cmd: &Command) -> bool {
        match self.engine.fire(&self.id, cmd, self.now) {
            Ok(_) => true,
            Err(e) => {
                eprintln!("refused: {e}");
                false
            }
        }
    }

    fn go(&mut self, role: Role, action: Action, forms: Vec<Form>) -> bool {
        let cmd = forms.into_iter().fold(
            Command::fire(self.k.actor(role), action),
            Command::with_form,
        );
        self.send(&cmd)
    }

    fn sign(&mut self, role: Role, action: Action) -> bool {
        let cmd = Command::sign(self.k.actor(role), action);
        self.send(&cmd)
    }

    fn inst(&self) -> Arc<Instance> {
        self.engine.load(&self.id).expect("instance")
    }

    fn clock(&self, d: Deadline) -> Option<aftersales::DeadlineState> {
        self.inst().clock(d).cloned()
    }

    fn due(&self, d: Deadline) -> Option<DateTime<Utc>> {
        self.clock(d).map(|c| c.due_at)
    }

    /// Announce, request and confirm a replacement, each ten minutes apart.
    fn announce_and_request(&mut self) {
        let t = self.now;
        assert!(self.at(t + TimeDelta::minutes(10)).go(
            Role::CustomerServiceSpecialist,
            Action::Announce,
            vec![notice()]
        ));
        assert!(self.at(t + TimeDelta::minutes(20)).go(
            Role::CustomerServiceSpecialist,
            Action::RequestReplacement,
            vec![replacement_request()]
        ));
    }
}

/// Fire on a fixture scenario at its clock; `true` when accepted.
fn fire(s: &mut Scenario, role: Role, action: Action, forms: Vec<Form>) -> bool {
    let cmd = forms.into_iter().fold(
        Command::fire(s.cast().actor(role), action),
        Command::with_form,
    );
    s.advance(TimeDelta::minutes(5));
    match s.fire(cmd) {
        Ok(_) => true,
        Err(e) => {
            eprintln!("refused: {e}");
            false
        }
    }
}

fn sign(s: &mut Scenario, role: Role, action: Action) -> bool {
    let cmd = Command::sign(s.cast().actor(role), action);
    s.advance(TimeDelta::minutes(5));
    match s.fire(cmd) {
        Ok(_) => true,
        Err(e) => {
            eprintln!("refused: {e}");
            false
        }
    }
}

fn fire_with(s: &mut Scenario, role: Role, action: Action, payload: serde_json::Value) -> bool {
    let cmd = Command::fire(s.cast().actor(role), action).with_payload(payload);
    s.advance(TimeDelta::minutes(5));
    s.fire(cmd).is_ok()
}

/// The number of events recorded on the scenario's instance.
fn events(s: &Scenario) -> usize {
    s.engine().history(s.id()).expect("history").len()
}

/// Failed goods of ours, judged: the inspection fails, quality inspection is responsible.
fn failed_and_judged() -> Scenario {
    let mut s = Scenario::at(State::UnderInspection).expect("under inspection");
    assert!(fire(
        &mut s,
        Role::Cqe,
        Action::RecordInspection,
        vec![inspection(InspectionResult::Fail)]
    ));
    assert!(fire(
        &mut s,
        Role::Cqe,
        Action::DraftJudgement,
        vec![our_failure()]
    ));
    assert!(fire(
        &mut s,
        Role::QualityManager,
        Action::ApproveJudgement,
        vec![]
    ));
    assert_eq!(state(&s.instance()), Some(State::Judged));
    s
}

/// Failed goods the design center cannot plan a repair for (QD-004 §6.2.2): in
/// `rework_planning` with the design center's refusal recorded.
fn failed_and_declined() -> Scenario {
    let mut s = failed_and_judged();
    assert!(fire(&mut s, Role::Cqe, Action::RequestReworkPlan, vec![]));
    assert_eq!(state(&s.instance()), Some(State::ReworkPlanning));
    assert!(fire_with(
        &mut s,
        Role::ApplicationDesignCenter,
        Action::DeclineReworkPlan,
        reason("housing mould discontinued")
    ));
    s
}

fn sale_off() -> Form {
    typed(&DisposalPlan {
        disposal: Disposal::SaleOff { price_fen: 30_000 },
        qty: 10,
    })
}

// ---------------------------------------------------------------------------------------------
// D2 (RF-PROP): replace first, the handling promise, classes A/B/C, the manager's decline,
// retrieval of the damaged goods.
// ---------------------------------------------------------------------------------------------

/// 「客服专员接到投诉的当日并向经销商承诺处理时间及发货时间」 — RF-PROP §4.2 item 1 (004 L62).
/// A clock runs from the complaint's receipt to the handling / ship-time promise, due the same
/// day (close of business of the complaint day, 18:00 Shanghai).
#[test]
fn rf_prop_s4_2_item1_l62_handling_promise_due_close_of_complaint_day() {
    let t0 = sh(11, 16, 10, 0); // Monday
    let mut h = H::start(
        &Config::default(),
        dealer_case(CustomerClass::B, ReturnRegion::Domestic, true),
        t0,
    );
    let c = h
        .clock(Deadline::HandlingPromise)
        .expect("handling promise clock from the complaint");
    assert_eq!(c.started_at, t0);
    assert_eq!(c.due_at, sh(11, 16, 18, 0));
    // The announcement carrying the dealer commitment meets it.
    assert!(h.at(t0 + TimeDelta::hours(1)).go(
        Role::CustomerServiceSpecialist,
        Action::Announce,
        vec![notice()]
    ));
    assert!(h.inst().running_clock(Deadline::HandlingPromise).is_none());
    assert!(!h.clock(Deadline::HandlingPromise).expect("clock").breached);
}

/// 「A类客户:1天,即当天承诺到货时间」 — RF-PROP §4.2 item 1 处理时间 (004 L65). Class A: the
/// arrival promise is due at the close of business of the complaint day.
#[test]
fn rf_prop_s4_2_l65_class_a_arrival_promise_same_day() {
    let t0 = sh(11, 16, 10, 0);
    let mut h = H::start(
        &Config::default(),
        dealer_case(CustomerClass::A, ReturnRegion::Domestic, true),
        t0,
    );
    h.announce_and_request();
    assert_eq!(h.due(Deadline::ArrivalPromise), Some(sh(11, 16, 18, 0)));
}

/// 「B类客户:2天,即2天内承诺到货时间」 — RF-PROP §4.2 item 1 处理时间 (004 L66). Class B: 24:00
/// at the end of the day after the complaint day (calendar days: a Friday complaint is due at
/// the end of Saturday).
#[test]
fn rf_prop_s4_2_l66_class_b_arrival_promise_end_of_next_day() {
    let t0 = sh(11, 20, 16, 0); // Friday
    let mut h = H::start(
        &Config::default(),
        dealer_case(CustomerClass::B, ReturnRegion::Domestic, true),
        t0,
    );
    h.announce_and_request();
    assert_eq!(h.due(Deadline::ArrivalPromise), Some(sh(11, 22, 0, 0)));
}

/// 「C类客户:3天,即3天内承诺到货时间」 — RF-PROP §4.2 item 1 处理时间 (004 L67). Class C: 24:00
/// at the end of the second day after the complaint day.
#[test]
fn rf_prop_s4_2_l67_class_c_arrival_promise_end_of_day_after_next() {
    let t0 = sh(11, 16, 10, 0); // Monday
    let mut h = H::start(
        &Config::default(),
        dealer_case(CustomerClass::C, ReturnRegion::Domestic, true),
        t0,
    );
    h.announce_and_request();
    assert_eq!(h.due(Deadline::ArrivalPromise), Some(sh(11, 19, 0, 0)));
}

/// 「客服专员接到投诉的当日并向经销商承诺…」, 「A类客户:1天,即当天承诺到货时间」 — RF-PROP §4.2
/// item 1 (004 L62, L65). The day counts from the complaint's receipt (接到投诉的当日), not
/// from whenever customer service gets round to filing the replacement request: a class-A
/// complaint received on Monday has its promise due on Monday even if the request is filed on
/// Tuesday.
#[test]
fn rf_prop_s4_2_l62_l65_arrival_promise_counts_from_the_complaint_day() {
    let t0 = sh(11, 16, 10, 0); // Monday
    let mut h = H::start(
        &Config::default(),
        dealer_case(CustomerClass::A, ReturnRegion::Domestic, true),
        t0,
    );
    assert!(h.at(t0 + TimeDelta::minutes(10)).go(
        Role::CustomerServiceSpecialist,
        Action::Announce,
        vec![notice()]
    ));
    assert!(h.at(sh(11, 17, 10, 0)).go(
        Role::CustomerServiceSpecialist,
        Action::RequestReplacement,
        vec![replacement_request()]
    ));
    let due = h
        .due(Deadline::ArrivalPromise)
        .expect("arrival promise clock");
    assert_eq!(due, sh(11, 16, 18, 0), "due on the complaint day");
}

/// 「若客户需立即补货,则经客服经理确认后,当日立即知会生产厂生产再由物流部发货」 — RF-PROP §4.2
/// item 1 (004 L60). The order is due the same day as the manager's confirmation, for every
/// class; the class limits are configurable (issue: limits by class for the order too).
#[test]
fn rf_prop_s4_2_l60_replacement_order_same_day_by_class() {
    for class in [CustomerClass::A, CustomerClass::B, CustomerClass::C] {
        let t0 = sh(11, 16, 10, 0);
        let mut h = H::start(
            &Config::default(),
            dealer_case(class, ReturnRegion::Domestic, true),
            t0,
        );
        h.announce_and_request();
        assert!(h.at(sh(11, 16, 15, 0)).go(
            Role::CustomerServiceManager,
            Action::ConfirmReplacement,
            vec![]
        ));
        assert_eq!(
            h.due(Deadline::ReplacementOrderSameDay),
            Some(sh(11, 16, 18, 0)),
            "{class:?}"
        );
    }
    // A host's class-C limit of three days is honoured.
    let config = Config {
        replacement_order_limit: ByClass {
            a: BusinessDuration::SameDayClose,
            b: BusinessDuration::SameDayClose,
            c: BusinessDuration::calendar_days_counting_start(3),
        },
        ..Config::default()
    };
    let mut h = H::start(
        &config,
        dealer_case(CustomerClass::C, ReturnRegion::Domestic, true),
        sh(11, 16, 10, 0),
    );
    h.announce_and_request();
    assert!(h.at(sh(11, 16, 15, 0)).go(
        Role::CustomerServiceManager,
        Action::ConfirmReplacement,
        vec![]
    ));
    assert_eq!(
        h.due(Deadline::ReplacementOrderSameDay),
        Some(sh(11, 19, 0, 0))
    );
}

/// 「客服专员当接到客户投诉,客户需要退换货时,经客服经理确认后,立即通知生产厂和物流部进行生产或补发」
/// — RF-PROP §3 (004 L48). The manager may decline, with a reason that is recorded; a declined
/// replacement is not ordered.
#[test]
fn rf_prop_s3_l48_manager_declines_replacement_with_recorded_reason() {
    let mut h = H::start(
        &Config::default(),
        dealer_case(CustomerClass::B, ReturnRegion::Domestic, true),
        sh(11, 16, 10, 0),
    );
    h.announce_and_request();
    let decline = Command::fire(
        h.k.actor(Role::CustomerServiceManager),
        Action::DeclineReplacement,
    )
    .with_payload(reason("dealer already over its replacement quota"));
    assert!(h.send(&decline));
    assert_eq!(data(&h.inst()).replacement, ReplacementStatus::Declined);
    let history = serde_json::to_string(&h.engine.history(&h.id).expect("history"))
        .expect("history serializes");
    assert!(history.contains("dealer already over its replacement quota"));
    // Declined: neither ordered nor confirmed afterwards without a new request.
    assert!(!h.go(
        Role::CustomerServiceSpecialist,
        Action::OrderReplacement,
        vec![replacement_order(ReplacementSource::Stock)]
    ));
    assert_eq!(data(&h.inst()).replacement, ReplacementStatus::Declined);
}

/// 「经客服经理确认后」 — RF-PROP §3 (004 L48). Only the customer-service manager confirms or
/// declines; a decline without a reason, or by another role, is refused and changes nothing.
#[test]
fn rf_prop_s3_l48_only_the_manager_decides_and_a_decline_needs_a_reason() {
    let mut h = H::start(
        &Config::default(),
        dealer_case(CustomerClass::B, ReturnRegion::Domestic, true),
        sh(11, 16, 10, 0),
    );
    h.announce_and_request();
    let before = h.engine.history(&h.id).expect("history").len();
    let no_reason = Command::fire(
        h.k.actor(Role::CustomerServiceManager),
        Action::DeclineReplacement,
    )
    .with_payload(reason("  "));
    assert!(!h.send(&no_reason));
    for role in [Role::CustomerServiceSpecialist, Role::Sales, Role::GmOffice] {
        let cmd =
            Command::fire(h.k.actor(role), Action::DeclineReplacement).with_payload(reason("no"));
        assert!(!h.send(&cmd), "{role:?} declined");
        assert!(
            !h.go(role, Action::ConfirmReplacement, vec![]),
            "{role:?} confirmed"
        );
    }
    assert_eq!(h.engine.history(&h.id).expect("history").len(), before);
    assert_eq!(data(&h.inst()).replacement, ReplacementStatus::Requested);
    // One person in both roles (separation of duties).
    rf_prop_s3_l48_requester_does_not_confirm_own_replacement();
}

/// 「客服专员在接到经销商投诉通知生产厂后,再提回损坏产品」 — RF-PROP §4.2 item 2 (004 L69);
/// 「跟踪应用设计中心追回替换后的不良品(1个月内退回)」 — QD-004 §4.4 (004 L621). A deadline for
/// retrieving the damaged goods: one month from the announcement, met when they reach the
/// factory.
#[test]
fn qd004_s4_4_l621_retrieval_of_damaged_goods_within_one_month() {
    let t0 = sh(11, 16, 10, 0);
    let mut h = H::start(
        &Config::default(),
        dealer_case(CustomerClass::B, ReturnRegion::Domestic, true),
        t0,
    );
    let announced = t0 + TimeDelta::minutes(10);
    assert!(h.at(announced).go(
        Role::CustomerServiceSpecialist,
        Action::Announce,
        vec![notice()]
    ));
    let c = h.clock(Deadline::Retrieval).expect("retrieval clock");
    assert_eq!(c.started_at, announced);
    assert_eq!(c.due_at, sh(12, 16, 10, 10));
    assert!(h.at(sh(11, 20, 9, 0)).go(
        Role::DeliveryPerson,
        Action::CollectFromDepot,
        vec![arrival()]
    ));
    assert!(h.inst().running_clock(Deadline::Retrieval).is_none());
}

// ---------------------------------------------------------------------------------------------
// D4 (RET-PROC): the judgement clock, sale-off of failed goods, finance copies, the penalty.
// ---------------------------------------------------------------------------------------------

/// 「退货产品回厂后由储运部填退货回厂日期后交品质部进行质量判定…(2天内完成)」 — RET-PROC §5.8
/// (004 L144). The judgement clock starts at the goods' arrival at the factory (the return date
/// filled in), not at production control's receipt; 2 days read as 24:00 at the end of the 2nd
/// calendar day after the arrival day.
#[test]
fn ret_proc_s5_8_l144_judgement_clock_starts_at_arrival_at_factory() {
    let t0 = sh(11, 16, 10, 0);
    let mut h = H::start(
        &Config::default(),
        dealer_case(CustomerClass::B, ReturnRegion::Domestic, false),
        t0,
    );
    assert!(h.at(t0 + TimeDelta::minutes(10)).go(
        Role::CustomerServiceSpecialist,
        Action::Announce,
        vec![notice()]
    ));
    let arrived = sh(11, 16, 11, 0);
    assert!(h.at(arrived).go(
        Role::DeliveryPerson,
        Action::CollectFromDepot,
        vec![arrival()]
    ));
    assert!(
        h.at(sh(11, 17, 10, 0))
            .go(Role::ProductionControl, Action::Receive, vec![receipt()])
    );
    let c = h.clock(Deadline::Judgement).expect("judgement clock");
    assert_eq!(c.started_at, arrived);
    assert_eq!(c.due_at, sh(11, 19, 0, 0));
}

/// 「5.10对确认不能维修的退货产品,由品质部提报至总经办批准及时变卖或报废处理」 — RET-PROC §5.10
/// (004 L152). Failed goods nobody can repair may be sold off: quality proposes, only the GM
/// office approves.
#[test]
fn ret_proc_s5_10_l152_failed_goods_sold_off_with_gm_office_approval() {
    let mut s = failed_and_declined();
    // The sale-off is quality's to propose (品质部提报), not sales'.
    assert!(!fire(
        &mut s,
        Role::Sales,
        Action::SubmitDisposalPlan,
        vec![sale_off()]
    ));
    assert!(fire(
        &mut s,
        Role::QualityManager,
        Action::SubmitDisposalPlan,
        vec![sale_off()]
    ));
    let before = events(&s);
    for role in [
        Role::QualityManager,
        Role::AdcVicePresident,
        Role::Cqe,
        Role::CompanyLeadership,
    ] {
        assert!(
            !fire(&mut s, role, Action::ApproveSaleOff, vec![]),
            "{role:?} approved"
        );
    }
    assert_eq!(events(&s), before, "refusals leave no trace");
    assert_eq!(state(&s.instance()), Some(State::ReworkPlanning));
    assert!(fire(&mut s, Role::GmOffice, Action::ApproveSaleOff, vec![]));
    assert_eq!(state(&s.instance()), Some(State::Settling));
    // One person in both roles (separation of duties).
    ret_proc_s5_10_l152_sale_off_proposer_does_not_approve_it();
}

/// 「经分析属于我司内部责任的…注明“免费”…并将一联交财务部进行统计;(1个月2次)」 — RET-PROC §5.7
/// (004 L151). Copies go to finance twice a month: two periods, 1st–15th and 16th–end, in
/// Shanghai time, and a mark made on a day falls in that day's period.
#[test]
fn ret_proc_s5_7_l151_finance_copies_twice_a_month() {
    assert_eq!(Config::default().finance_copies_per_month, 2);
    let periods = cr::finance_copy_periods(2026, 11, 2, 8).expect("periods");
    assert_eq!(
        periods,
        vec![
            (sh(11, 1, 0, 0), sh(11, 16, 0, 0)),
            (sh(11, 16, 0, 0), sh(12, 1, 0, 0)),
        ]
    );
    let s = Scenario::at(State::FollowUp).expect("follow-up");
    let history = s.engine().history(s.id()).expect("history");
    let (from, to) = periods[1];
    let copies = cr::finance_copies(&history, from, to).expect("copies");
    assert_eq!(copies.len(), 1);
    assert_eq!(copies[0].mark, Charging::Free);
    assert!(
        cr::finance_copies(&history, periods[0].0, periods[0].1)
            .expect("copies")
            .is_empty()
    );
}

/// 「未按此流程操作者,责任人乐捐20元每次」 — RET-PROC 管理规定 (004 L156). Goods received without
/// the notice to production control record a 20-yuan penalty on the person who failed to
/// notify.
#[test]
fn ret_proc_l156_unannounced_receipt_costs_the_responsible_20_yuan() {
    let mut h = H::start(
        &Config::default(),
        dealer_case(CustomerClass::B, ReturnRegion::Domestic, false),
        sh(11, 16, 10, 0),
    );
    let cmd = Command::fire(h.k.actor(Role::ProductionControl), Action::Receive)
        .with_form(receipt())
        .with_payload(serde_json::json!({ "missing_notice_by": "cs-sun" }));
    assert!(h.at(sh(11, 16, 11, 0)).send(&cmd));
    let d = data(&h.inst());
    assert_eq!(d.bypasses.len(), 1);
    assert_eq!(d.bypasses[0].amount_fen, 2000);
    assert_eq!(d.bypasses[0].responsible.as_str(), "cs-sun");
}

// ---------------------------------------------------------------------------------------------
// D5 (RET-REV): handling cycle by category in calendar weeks.
// ---------------------------------------------------------------------------------------------

fn classified(category: Category) -> H {
    let t0 = sh(11, 16, 10, 0);
    let mut h = H::start(
        &Config::default(),
        dealer_case(CustomerClass::B, ReturnRegion::Domestic, false),
        t0,
    );
    assert!(h.at(sh(11, 16, 10, 10)).go(
        Role::CustomerServiceSpecialist,
        Action::Announce,
        vec![notice()]
    ));
    assert!(h.at(sh(11, 16, 10, 20)).go(
        Role::DeliveryPerson,
        Action::CollectFromDepot,
        vec![arrival()]
    ));
    assert!(
        h.at(sh(11, 16, 10, 30))
            .go(Role::ProductionControl, Action::Receive, vec![receipt()])
    );
    assert!(h.at(sh(11, 16, 10, 40)).go(
        Role::ApplicationDesignCenter,
        Action::SubmitToCqe,
        vec![handling()]
    ));
    assert!(h.at(sh(11, 16, 11, 0)).go(
        Role::Cqe,
        Action::Classify,
        vec![classification(category)]
    ));
    h
}

/// 「外观类处理周期为1周」 — RET-REV step 3 (004 L210). An appearance-type return is handled
/// within one calendar week (7 days) of the quality department's confirmation.
#[test]
fn ret_rev_step3_l210_appearance_cycle_one_calendar_week() {
    let h = classified(Category::Appearance);
    let c = h.clock(Deadline::HandlingCycle).expect("handling cycle");
    assert_eq!(c.started_at, sh(11, 16, 11, 0));
    assert_eq!(c.due_at, sh(11, 23, 11, 0));
}

/// 「功能类处理周期为2~4周」 — RET-REV step 3 (004 L210). A function-type return: 2 weeks as
/// the target (a warning), 4 weeks as the limit, in calendar days.
#[test]
fn ret_rev_step3_l210_function_cycle_two_to_four_calendar_weeks() {
    let h = classified(Category::Function);
    let c = h.clock(Deadline::HandlingCycle).expect("handling cycle");
    assert_eq!(c.warn_at, Some(sh(11, 30, 11, 0)));
    assert_eq!(c.due_at, sh(12, 14, 11, 0));
}

// ---------------------------------------------------------------------------------------------
// D9 (RET-HRS): concession, the 1-hour limits, the inspection report.
// ---------------------------------------------------------------------------------------------

fn concession_request() -> Form {
    typed(&ConcessionRequest {
        qty: 10,
        deviation: "colour temperature 3300 K instead of 3000 K".into(),
        justification: "usable for the customer's corridor lighting".into(),
        customer_quality_contact: "customer IQC Zhou".into(),
        concession: None,
    })
}

/// 「经确认确属我方不良,且不能让步接受,由客户安排返品」 — RET-HRS (004 L397). Concession is a
/// decision on failed goods of ours: the quality manager asks, the CQE cannot; the outcome
/// comes back only through the concession bridge.
#[test]
fn ret_hrs_l397_concession_is_a_quality_decision_with_its_outcome_recorded() {
    let mut s = failed_and_judged();
    let before = events(&s);
    assert!(!fire(
        &mut s,
        Role::Cqe,
        Action::RequestConcession,
        vec![concession_request()]
    ));
    assert_eq!(events(&s), before);
    assert!(fire(
        &mut s,
        Role::QualityManager,
        Action::RequestConcession,
        vec![concession_request()]
    ));
    assert_eq!(state(&s.instance()), Some(State::AwaitingConcession));
    let outcome = typed(&ConcessionOutcome {
        concession: "CONC-1".into(),
        granted: true,
        note: None,
    });
    assert!(!fire(
        &mut s,
        Role::QualityManager,
        Action::RecordConcessionOutcome,
        vec![outcome.clone()]
    ));
    assert!(fire(
        &mut s,
        Role::ConcessionLink,
        Action::RecordConcessionOutcome,
        vec![outcome]
    ));
    assert_eq!(state(&s.instance()), Some(State::Judged));
}

/// 「客户要求 … 1H」 — RET-HRS (004 L387–388): the customer's request is taken down within one
/// hour of the case being opened.
#[test]
fn ret_hrs_l388_customer_request_within_one_hour() {
    let t0 = sh(11, 16, 10, 0);
    let h = H::start(
        &Config::default(),
        dealer_case(CustomerClass::B, ReturnRegion::Domestic, false),
        t0,
    );
    let c = h
        .clock(Deadline::CustomerRequest)
        .expect("customer request");
    assert_eq!(c.started_at, t0);
    assert_eq!(c.due_at, t0 + TimeDelta::hours(1));
}

/// 「客户沟通 … 双方品质担当 1H」 — RET-HRS (004 L390–393). Once the quality contacts are asked
/// to talk, the communication is recorded within one hour, by quality (not by sales).
#[test]
fn ret_hrs_l390_l393_quality_communication_within_one_hour() {
    let t0 = sh(11, 16, 10, 0);
    let mut h = H::start(
        &Config::default(),
        dealer_case(CustomerClass::B, ReturnRegion::Domestic, false),
        t0,
    );
    let asked = t0 + TimeDelta::minutes(5);
    assert!(
        h.at(asked)
            .go(Role::Sales, Action::RequestQualityCommunication, vec![])
    );
    let c = h
        .clock(Deadline::CustomerCommunication)
        .expect("communication clock");
    assert_eq!(c.started_at, asked);
    assert_eq!(c.due_at, asked + TimeDelta::hours(1));
    let record = typed(&CustomerCommunication {
        customer_quality_contact: "customer IQC Zhou".into(),
        channel: "phone".into(),
        findings: "P-6060, shipped 2026-11-02, 3% cracked".into(),
        responsibility_split: None,
    });
    assert!(!h.at(asked + TimeDelta::minutes(30)).go(
        Role::Sales,
        Action::RecordCustomerCommunication,
        vec![record.clone()]
    ));
    assert!(h.go(Role::Cqe, Action::RecordCustomerCommunication, vec![record]));
    assert!(
        h.inst()
            .running_clock(Deadline::CustomerCommunication)
            .is_none()
    );
}

/// 「1H 返品单/返品检验报告」 — RET-HRS (004 L368–369). The return inspection report has a limit
/// of its own (1 hour from receipt), not met by the first classification.
#[test]
fn ret_hrs_l368_l369_inspection_report_has_its_own_one_hour_limit() {
    let h = classified(Category::Appearance);
    let c = h
        .clock(Deadline::InspectionReport)
        .expect("inspection report");
    assert_eq!(c.started_at, sh(11, 16, 10, 30));
    assert_eq!(c.due_at, sh(11, 16, 11, 30));
    assert!(
        h.inst().running_clock(Deadline::InspectionReport).is_some(),
        "the classification does not meet the inspection report's limit"
    );
    let mut h = h;
    assert!(h.at(sh(11, 16, 11, 20)).go(
        Role::Cqe,
        Action::RecordInspection,
        vec![inspection(InspectionResult::Pass)]
    ));
    assert!(h.inst().running_clock(Deadline::InspectionReport).is_none());
    assert!(!h.clock(Deadline::InspectionReport).expect("clock").breached);
}

// ---------------------------------------------------------------------------------------------
// D11 (CC-PROC §5.2.5): the customer's consent to the plan and to scrapping.
// ---------------------------------------------------------------------------------------------

fn rework_plan() -> Form {
    typed(&ReworkPlan {
        flow: vec!["replace housing".into()],
        materials: vec!["housing P-6060".into()],
    })
}

/// 「由相关部门编制纠正和预防措施计划,经客户同意后实施」 — CC-PROC §5.2.5 (004 L486). The plan
/// is carried out only with the customer's consent to the plan (consent to a scrap is not
/// consent to the plan).
#[test]
fn cc_proc_s5_2_5_l486_plan_needs_the_customers_consent() {
    let mut s = Scenario::at(State::ReworkPlanning).expect("rework planning");
    let before = events(&s);
    assert!(!fire(
        &mut s,
        Role::ApplicationDesignCenter,
        Action::IssueReworkPlan,
        vec![rework_plan()]
    ));
    assert!(!fire(
        &mut s,
        Role::ApplicationDesignCenter,
        Action::IssueReworkPlan,
        vec![rework_plan(), consent(ConsentSubject::Scrap)]
    ));
    assert_eq!(events(&s), before);
    assert_eq!(state(&s.instance()), Some(State::ReworkPlanning));
    assert!(fire(
        &mut s,
        Role::ApplicationDesignCenter,
        Action::IssueReworkPlan,
        vec![rework_plan(), consent(ConsentSubject::Plan)]
    ));
    assert_eq!(state(&s.instance()), Some(State::ReworkApproval));
}

/// 「d)总经理核准后将退货报废」 under 「经客户同意后实施」 — CC-PROC §5.2.5 d) (004 L486). A scrap
/// is not executed on the internal approvals alone: the customer's consent to the scrap is
/// required.
#[test]
fn cc_proc_s5_2_5_d_l486_scrap_needs_the_customers_consent() {
    let mut s = Scenario::at(State::ScrapSignOff).expect("scrap sign-off");
    assert!(sign(&mut s, Role::QualityManager, Action::ConfirmScrap));
    assert!(sign(&mut s, Role::ProductionControl, Action::ConfirmScrap));
    assert!(sign(&mut s, Role::AdcVicePresident, Action::ApproveScrap));
    assert!(sign(&mut s, Role::GmOffice, Action::AuthoriseScrap));
    let before = events(&s);
    assert!(!fire(
        &mut s,
        Role::WarehouseHead,
        Action::ExecuteScrap,
        vec![]
    ));
    assert!(!fire(
        &mut s,
        Role::WarehouseHead,
        Action::ExecuteScrap,
        vec![consent(ConsentSubject::Plan)]
    ));
    assert_eq!(events(&s), before);
    assert_eq!(state(&s.instance()), Some(State::ScrapSignOff));
    assert!(fire(
        &mut s,
        Role::WarehouseHead,
        Action::ExecuteScrap,
        vec![consent(ConsentSubject::Scrap)]
    ));
    assert_ne!(state(&s.instance()), Some(State::ScrapSignOff));
}

// ---------------------------------------------------------------------------------------------
// D12 (QD-004): analysis report, confidentiality, international returns, satisfaction,
// production notice.
// ---------------------------------------------------------------------------------------------

fn analysis_report() -> Form {
    typed(&cr::AnalysisReport {
        root_cause: "OQC colour check skipped on line 2".into(),
        corrective_actions: "colour meter at OQC".into(),
        preventive_actions: "checklist updated".into(),
    })
}

/// 「5.2.2.7不良品分析具体原因并出具分析报告(8D报告)」 — QD-004 §5.2.2.7 (004 L650). A failed
/// return produces an analysis report: it is an open obligation until the CQE files it; goods
/// that passed have none to file.
#[test]
fn qd004_s5_2_2_7_l650_failed_return_needs_an_analysis_report() {
    let mut s = failed_and_declined();
    assert!(fire(
        &mut s,
        Role::QualityManager,
        Action::SubmitDisposalPlan,
        vec![sale_off()]
    ));
    assert!(fire(&mut s, Role::GmOffice, Action::ApproveSaleOff, vec![]));
    assert_eq!(state(&s.instance()), Some(State::Settling));
    let open = cr::open_obligations(&s.instance()).expect("obligations");
    assert!(
        open.iter().any(|o| o.to_lowercase().contains("analysis")),
        "{open:?}"
    );
    assert!(!fire(
        &mut s,
        Role::Sales,
        Action::FileAnalysisReport,
        vec![analysis_report()]
    ));
    assert!(fire(
        &mut s,
        Role::Cqe,
        Action::FileAnalysisReport,
        vec![analysis_report()]
    ));
    let open = cr::open_obligations(&s.instance()).expect("obligations");
    assert!(
        !open.iter().any(|o| o.to_lowercase().contains("analysis")),
        "{open:?}"
    );
    // Goods that passed the inspection have no failure to analyse.
    let mut passed = Scenario::at(State::Settling).expect("settling");
    assert!(!fire(
        &mut passed,
        Role::Cqe,
        Action::FileAnalysisReport,
        vec![analysis_report()]
    ));
}

fn outcome(statements: Vec<Statement>) -> Form {
    typed(&OutcomeNotice {
        channel: "mail".into(),
        summary: "handled".into(),
        statements,
    })
}

/// 「3.6保密原则:在对外出具的报告中(8D报告等),严禁泄露我司保密信息,保密信息包括但不限于生产技术、
/// 生产流程、生产工艺、原材料供应商…」 — QD-004 §3.6 (004 L628). The outcome notice to the customer
/// of a return passes the same default-deny filter: an unclassified statement stops it; a
/// confidential statement never leaves (withheld); general ones go out.
#[test]
fn qd004_s3_6_l628_outcome_notice_passes_default_deny_filter() {
    let mut s = Scenario::at(State::Settling).expect("settling");
    let mark = typed(&ChargingMark {
        mark: Charging::Free,
        finance_copy_sent: true,
    });
    assert!(fire(
        &mut s,
        Role::QualityManager,
        Action::MarkCharging,
        vec![mark]
    ));
    let before = events(&s);
    assert!(!fire(
        &mut s,
        Role::CustomerServiceSpecialist,
        Action::NotifyCustomer,
        vec![outcome(vec![Statement::unclassified("we found the cause")])]
    ));
    assert_eq!(events(&s), before, "a refused notice leaves no trace");
    assert!(
        cr::outgoing_outcome_notice(&s.instance(), &Config::default())
            .expect("notice")
            .is_none()
    );
    assert!(fire(
        &mut s,
        Role::CustomerServiceSpecialist,
        Action::NotifyCustomer,
        vec![outcome(vec![
            Statement::new(
                "reflow profile changed to 245 °C",
                InfoCategory::ProductionProcess,
            ),
            Statement::new(
                "line 2 now tests before packing",
                InfoCategory::ProductionFlow
            ),
            Statement::general("10 units restocked"),
        ])]
    ));
    let out = cr::outgoing_outcome_notice(&s.instance(), &Config::default())
        .expect("notice")
        .expect("notice on file");
    assert!(out.is_sendable());
    let text = format!("{:?}", out.sections);
    assert!(!text.contains("245 °C"), "{text}");
    assert!(!text.contains("tests before packing"), "{text}");
    assert!(text.contains("10 units restocked"), "{text}");
    assert!(out.withheld.len() >= 2);
}

fn submitted(region: ReturnRegion) -> H {
    let mut h = H::start(
        &Config::default(),
        dealer_case(CustomerClass::B, region, false),
        sh(11, 16, 9, 0),
    );
    assert!(h.at(sh(11, 16, 9, 10)).go(
        Role::CustomerServiceSpecialist,
        Action::Announce,
        vec![notice()]
    ));
    assert!(h.at(sh(11, 16, 9, 20)).go(
        Role::DeliveryPerson,
        Action::CollectFromDepot,
        vec![arrival()]
    ));
    assert!(
        h.at(sh(11, 16, 9, 30))
            .go(Role::ProductionControl, Action::Receive, vec![receipt()])
    );
    assert!(h.at(sh(11, 16, 10, 0)).go(
        Role::ApplicationDesignCenter,
        Action::SubmitToCqe,
        vec![handling()]
    ));
    h
}

/// 「自国内应用设计中心开出《客诉、客退产品处理单》起,品质部一般情况下在3个工作日内完成分析」 —
/// QD-004 §8 (004 L623). Domestic: the analysis is due at the close of the 3rd working day
/// after the form (Monday → Thursday 18:00).
#[test]
fn qd004_s8_l623_domestic_analysis_within_three_working_days() {
    let h = submitted(ReturnRegion::Domestic);
    assert_eq!(h.due(Deadline::Analysis), Some(sh(11, 19, 18, 0)));
    assert_eq!(h.due(Deadline::SolveAndReply), Some(sh(11, 25, 18, 0)));
}

/// 「国际应用设计中心项目客诉15-30个工作日内给出解决方案」 — QD-004 §8 (004 L623). The 3 working
/// days run from the *domestic* centre's form: an international return does not run the
/// domestic analysis clock; its solution is due within 15–30 working days.
#[test]
fn qd004_s8_l623_international_return_not_on_domestic_analysis_clock() {
    let h = submitted(ReturnRegion::International);
    assert_ne!(h.due(Deadline::Analysis), Some(sh(11, 19, 18, 0)));
    let c = h.clock(Deadline::SolveAndReply).expect("solution clock");
    assert_eq!(c.warn_at, Some(sh(12, 7, 18, 0))); // 15th working day
    assert_eq!(c.due_at, sh(12, 28, 18, 0)); // 30th working day
}

/// 「客诉处理完成后,应用设计中心定期跟踪客户对客诉处理的满意度,并填写在《客诉、客退产品处理单》上」
/// — QD-004 §8 (004 L623). Satisfaction is tracked by the design center; the closure re-check
/// is not done before it is recorded.
#[test]
fn qd004_s8_l623_satisfaction_tracked_before_closure() {
    let mut s = Scenario::at(State::FollowUp).expect("follow-up");
    let before = events(&s);
    assert!(!fire(
        &mut s,
        Role::QualityManager,
        Action::VerifyClosure,
        vec![]
    ));
    let sat = typed(&SatisfactionRecord {
        satisfied: true,
        remark: "fast handling".into(),
    });
    assert!(!fire(
        &mut s,
        Role::Cqe,
        Action::RecordSatisfaction,
        vec![sat.clone()]
    ));
    assert_eq!(events(&s), before);
    assert!(fire(
        &mut s,
        Role::ApplicationDesignCenter,
        Action::RecordSatisfaction,
        vec![sat]
    ));
    assert!(fire(
        &mut s,
        Role::QualityManager,
        Action::VerifyClosure,
        vec![]
    ));
    assert_eq!(state(&s.instance()), Some(State::Closed));
}

/// 「若需排产生产,填写《客诉排产通知单》经品质经理校对确认签字,副总裁批准确认签字后,提交计划科经理
/// 安排生产」 — QD-004 §5.2.2.5 (004 L666). A replacement that must be produced does not go out
/// before the production notice is checked by the quality manager and then approved by the vice
/// president (in that order).
#[test]
fn qd004_s5_2_2_5_l666_produced_replacement_needs_the_production_notice() {
    let mut h = H::start(
        &Config::default(),
        dealer_case(CustomerClass::B, ReturnRegion::Domestic, true),
        sh(11, 16, 10, 0),
    );
    h.announce_and_request();
    assert!(h.at(sh(11, 16, 10, 40)).go(
        Role::CustomerServiceManager,
        Action::ConfirmReplacement,
        vec![]
    ));
    // Without an approved notice the produced replacement never ships.
    let _ordered = h.go(
        Role::CustomerServiceSpecialist,
        Action::OrderReplacement,
        vec![replacement_order(ReplacementSource::Production)],
    );
    assert!(!h.go(Role::Logistics, Action::ShipReplacement, vec![]));
    assert!(!data(&h.inst()).replacement.shipped());
    let pn = typed(&ProductionNotice {
        qty: 10,
        bom_ref: "BOM-6060-A".into(),
        needed_by: NaiveDate::from_ymd_opt(2026, 11, 18).expect("date"),
    });
    assert!(h.go(Role::Cqe, Action::FileProductionNotice, vec![pn]));
    assert!(
        !h.sign(Role::AdcVicePresident, Action::ApproveProductionNotice),
        "the vice president approves after the quality manager's check"
    );
    assert!(h.sign(Role::QualityManager, Action::ApproveProductionNotice));
    assert!(!data(&h.inst()).production_notice_approved);
    assert!(h.sign(Role::AdcVicePresident, Action::ApproveProductionNotice));
    assert!(data(&h.inst()).production_notice_approved);
    if data(&h.inst()).replacement != ReplacementStatus::Ordered {
        assert!(h.go(
            Role::CustomerServiceSpecialist,
            Action::OrderReplacement,
            vec![replacement_order(ReplacementSource::Production)]
        ));
    }
    assert!(h.go(Role::Logistics, Action::ShipReplacement, vec![]));
    assert!(data(&h.inst()).replacement.shipped());
}

// ---------------------------------------------------------------------------------------------
// Attacks: one person in two roles, a promise without its content, a missed retrieval.
// ---------------------------------------------------------------------------------------------

/// 「经客服经理确认后」 — RF-PROP §3 (004 L48). The confirmation is a second person's check: the
/// specialist who requested the replacement does not confirm it even when also holding the
/// manager's role.
fn rf_prop_s3_l48_requester_does_not_confirm_own_replacement() {
    let mut h = H::start(
        &Config::default(),
        dealer_case(CustomerClass::B, ReturnRegion::Domestic, true),
        sh(11, 16, 10, 0),
    );
    let both = aftersales::Actor::new(
        "cs-dual",
        [
            Role::CustomerServiceSpecialist,
            Role::CustomerServiceManager,
        ],
    );
    assert!(h.at(sh(11, 16, 10, 10)).go(
        Role::CustomerServiceSpecialist,
        Action::Announce,
        vec![notice()]
    ));
    let request = Command::fire(&both, Action::RequestReplacement).with_form(replacement_request());
    assert!(h.at(sh(11, 16, 10, 20)).send(&request));
    assert!(!h.send(&Command::fire(&both, Action::ConfirmReplacement)));
    assert_eq!(data(&h.inst()).replacement, ReplacementStatus::Requested);
    assert!(h.go(
        Role::CustomerServiceManager,
        Action::ConfirmReplacement,
        vec![]
    ));
    assert_eq!(data(&h.inst()).replacement, ReplacementStatus::Confirmed);
}

/// 「经品质经理校对确认签字,副总裁批准确认签字后」 — QD-004 §5.2.2.5 (004 L666). Check and
/// approval are two signatures by two people: one actor holding both roles cannot give both.
#[test]
fn qd004_s5_2_2_5_l666_same_person_cannot_check_and_approve_production_notice() {
    let mut h = H::start(
        &Config::default(),
        dealer_case(CustomerClass::B, ReturnRegion::Domestic, true),
        sh(11, 16, 10, 0),
    );
    h.announce_and_request();
    let pn = typed(&ProductionNotice {
        qty: 10,
        bom_ref: "BOM-6060-A".into(),
        needed_by: NaiveDate::from_ymd_opt(2026, 11, 18).expect("date"),
    });
    assert!(h.go(Role::Cqe, Action::FileProductionNotice, vec![pn]));
    let both = aftersales::Actor::new("qm-vp", [Role::QualityManager, Role::AdcVicePresident]);
    assert!(h.send(&Command::sign(&both, Action::ApproveProductionNotice)));
    assert!(!h.send(&Command::sign(&both, Action::ApproveProductionNotice)));
    assert!(!data(&h.inst()).production_notice_approved);
    assert!(h.sign(Role::AdcVicePresident, Action::ApproveProductionNotice));
    assert!(data(&h.inst()).production_notice_approved);
}

/// 「由品质部提报至总经办批准」 — RET-PROC §5.10 (004 L152). The proposer and the approver of a
/// sale-off are two parties: a person holding both roles does not approve their own proposal.
fn ret_proc_s5_10_l152_sale_off_proposer_does_not_approve_it() {
    let mut s = failed_and_declined();
    let both = aftersales::Actor::new("qm-gm", [Role::QualityManager, Role::GmOffice]);
    s.advance(TimeDelta::minutes(5));
    assert!(
        s.fire(Command::fire(&both, Action::SubmitDisposalPlan).with_form(sale_off()))
            .is_ok()
    );
    s.advance(TimeDelta::minutes(5));
    assert!(
        s.fire(Command::fire(&both, Action::ApproveSaleOff))
            .is_err()
    );
    assert_eq!(state(&s.instance()), Some(State::ReworkPlanning));
    assert!(fire(&mut s, Role::GmOffice, Action::ApproveSaleOff, vec![]));
    assert_eq!(state(&s.instance()), Some(State::Settling));
}

/// 「客服专员接到投诉的当日并向经销商承诺处理时间及发货时间,同时告知经销商公司“先补发,再追究”的
/// 处理原则」 — RF-PROP §4.2 item 1 (004 L62). For a dealer wanting a replacement, an announcement
/// that promises nothing does not meet the handling-promise limit: it is refused, or the clock
/// keeps running.
#[test]
fn rf_prop_s4_2_l62_announcement_without_promise_does_not_meet_the_limit() {
    let mut h = H::start(
        &Config::default(),
        dealer_case(CustomerClass::B, ReturnRegion::Domestic, true),
        sh(11, 16, 10, 0),
    );
    let bare = typed(&ReturnNotice {
        returned_qty: 10,
        material: "LED panel / P-6060".into(),
        reason: "cracked housings".into(),
        customer_request: "replace at once".into(),
        dealer_commitment: None,
    });
    let accepted = h.at(sh(11, 16, 10, 10)).go(
        Role::CustomerServiceSpecialist,
        Action::Announce,
        vec![bare],
    );
    if accepted {
        assert!(
            h.inst().running_clock(Deadline::HandlingPromise).is_some(),
            "the handling promise counted as met without any promise"
        );
    } else {
        assert_eq!(state(&h.inst()), Some(State::Draft));
        assert!(h.inst().running_clock(Deadline::HandlingPromise).is_some());
    }
}

/// 「跟踪应用设计中心追回替换后的不良品(1个月内退回)」 — QD-004 §4.4 (004 L621). Goods not back
/// within the month: the retrieval limit is recorded as breached.
#[test]
fn qd004_s4_4_l621_retrieval_missed_is_recorded() {
    let mut h = H::start(
        &Config::default(),
        dealer_case(CustomerClass::B, ReturnRegion::Domestic, true),
        sh(11, 16, 10, 0),
    );
    assert!(h.at(sh(11, 16, 10, 10)).go(
        Role::CustomerServiceSpecialist,
        Action::Announce,
        vec![notice()]
    ));
    let due = h.due(Deadline::Retrieval).expect("retrieval clock");
    h.engine
        .handle_due(due - TimeDelta::seconds(1))
        .expect("handles");
    assert!(!h.clock(Deadline::Retrieval).expect("clock").breached);
    h.engine
        .handle_due(due + TimeDelta::seconds(1))
        .expect("handles");
    assert!(h.clock(Deadline::Retrieval).expect("clock").breached);
}
