//! Independent conformance tests of the complaint procedure (客诉), written from the source
//! documents' wording (QD-004 = ZJHP-3-WI-QD-004 《客诉、客退产品处理管理办法》; CC-PROC
//! §5.2.1–5.2.2; RET-PC items 1 and 3) against the public API. Calendar (product decision):
//! Mon–Fri 09:00–12:00, 13:00–18:00 Asia/Shanghai; whole-day limits end at the close of a day.
//! The fixture scenario opens on Monday 2026-11-16 10:00 (UTC+8) and submits at 11:00.
#![cfg(all(feature = "testing", feature = "procedures"))]
#![allow(clippy::unwrap_used, clippy::expect_used)]

use aftersales::procedures::complaint::forms::eight_d::Discipline;
use aftersales::procedures::complaint::forms::*;
use aftersales::procedures::complaint::{
    self, Action, ComplaintRegion, ComplaintVerdict, Config, Deadline, InfoCategory, PartKind,
    Severity, State, Statement,
};
use aftersales::testing::fixtures::complaint::{self as fx, Scenario, date, form};
use aftersales::{Command, CostKind, YearMonth};
use chrono::{DateTime, TimeDelta, TimeZone, Utc};

/// An instant given in Asia/Shanghai (UTC+8) wall time, 2026.
fn cn(m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
    chrono::FixedOffset::east_opt(8 * 3600)
        .unwrap()
        .with_ymd_and_hms(2026, m, d, h, min, 0)
        .single()
        .unwrap()
        .with_timezone(&Utc)
}

/// The close of the working day `m`/`d` (18:00 UTC+8).
fn close(m: u32, d: u32) -> DateTime<Utc> {
    cn(m, d, 18, 0)
}

fn due(s: &Scenario, d: Deadline) -> Option<DateTime<Utc>> {
    s.instance().clock(d.as_ref()).map(|c| c.due_at)
}

fn running(s: &Scenario, d: Deadline) -> bool {
    s.instance()
        .clock(d.as_ref())
        .is_some_and(|c| c.stopped.is_none())
}

/// Advance the scenario's clock to `at` (forward only).
fn set(s: &mut Scenario, at: DateTime<Utc>) {
    let by = at - s.now();
    assert!(by >= TimeDelta::zero(), "the scenario only moves forward");
    s.advance(by);
}

/// A refused command must leave the instance unchanged (state and forms).
fn refused(s: &mut Scenario, cmd: Command) {
    let before_state = s.instance().state();
    let before_forms = s.instance().forms().len();
    assert!(s.fire(cmd).is_err(), "the command should be refused");
    assert_eq!(s.instance().state(), before_state);
    assert_eq!(s.instance().forms().len(), before_forms);
}

fn urgent_request() -> SpecialApprovalRequest {
    SpecialApprovalRequest {
        reason: "site opening on Friday".into(),
    }
}

fn at(state: State) -> Scenario {
    Scenario::at(state).expect("the fixture reaches the state")
}

fn reply(explanation: Statement) -> CustomerReply {
    CustomerReply {
        explanation,
        return_shipment_ref: Some("SF-RET-1".into()),
    }
}

// ---------------------------------------------------------------------------------------------
// QD-004 §8 time limits
// ---------------------------------------------------------------------------------------------

// 「我司在一个工作日内积极响应」 QD-004 §8 (004 L623): the response is due within 1 working day;
// a form submitted on Monday is due at the close of Tuesday.
#[test]
fn qd004_s8_response_within_one_working_day() {
    let s = at(State::Submitted);
    assert_eq!(due(&s, Deadline::Response), Some(close(11, 17)));
}

// 「自国内应用设计中心开出《客诉、客退产品处理单》起,品质部一般情况下在3个工作日内完成分析,7个工作日内
// 解决问题并回复」 QD-004 §8 (004 L623): analysis 3 WD, solve and reply 7 WD, from the form.
#[test]
fn qd004_s8_domestic_analysis_3_and_reply_7_working_days_from_the_form() {
    let s = at(State::Submitted);
    assert_eq!(due(&s, Deadline::Analysis), Some(close(11, 19)));
    assert_eq!(due(&s, Deadline::SolveAndReply), Some(close(11, 25)));
}

// 「紧急情况下经公司领导特批后可加急处理,2个工作日内解决问题并回复」, counted 「自…开出《客诉、客退产品处理
// 单》起」 QD-004 §8 (004 L623): a form on Monday, the grant on Tuesday: due at the close of
// Wednesday.
#[test]
fn qd004_s8_urgent_limit_counts_from_the_form_not_the_grant() {
    let mut s = at(State::Submitted);
    let adc = s.cast().adc_domestic.clone();
    let lead = s.cast().company_leadership.clone();
    s.fire(Command::fire(&adc, Action::RequestUrgent).with_form(form(&urgent_request())))
        .unwrap();
    set(&mut s, cn(11, 17, 10, 0));
    s.fire(Command::sign(&lead, Action::GrantUrgent)).unwrap();
    assert_eq!(due(&s, Deadline::UrgentReply), Some(close(11, 18)));
}

// 「紧急情况下经公司领导特批后可加急处理」 QD-004 §8 (004 L623): no urgent limit without the
// leadership's special approval.
#[test]
fn qd004_s8_no_urgent_limit_without_the_special_approval() {
    let mut s = at(State::Submitted);
    let adc = s.cast().adc_domestic.clone();
    s.fire(Command::fire(&adc, Action::RequestUrgent).with_form(form(&urgent_request())))
        .unwrap();
    assert!(due(&s, Deadline::UrgentReply).is_none());
}

// 「经公司领导特批」 QD-004 §8 (004 L623): only the company leadership grants, never the CQE.
#[test]
fn qd004_s8_urgent_grant_by_the_cqe_is_refused() {
    let mut s = at(State::Submitted);
    let adc = s.cast().adc_domestic.clone();
    let cqe = s.cast().cqe.clone();
    s.fire(Command::fire(&adc, Action::RequestUrgent).with_form(form(&urgent_request())))
        .unwrap();
    refused(&mut s, Command::sign(&cqe, Action::GrantUrgent));
    assert!(due(&s, Deadline::UrgentReply).is_none());
}

// 「紧急情况下经公司领导特批后可加急处理」 QD-004 §8 (004 L623): a grant needs an urgent request.
#[test]
fn qd004_s8_urgent_grant_without_a_request_is_refused() {
    let mut s = at(State::Submitted);
    let lead = s.cast().company_leadership.clone();
    refused(&mut s, Command::sign(&lead, Action::GrantUrgent));
}

// 「国际应用设计中心项目客诉15-30个工作日内给出解决方案并与客户协商处理」 QD-004 §8 (004 L623):
// 15–30 working days for an international complaint (counted from the form, Monday 11-16).
#[test]
fn qd004_s8_international_solution_15_to_30_working_days() {
    let cfg = Config::default();
    let mut s = Scenario::opened(
        &cfg,
        ComplaintRegion::International,
        "KS-I1",
        "Globex",
        aftersales::testing::fixtures::start_instant(),
    )
    .unwrap();
    let adc = s.cast().adc_international.clone();
    let mut h = fx::handling();
    h.no = "KS-I1".into();
    h.customer = "Globex".into();
    h.region = ComplaintRegion::International;
    s.advance(TimeDelta::hours(1));
    s.fire(Command::fire(&adc, Action::SubmitInternational).with_form(form(&h)))
        .unwrap();
    let c = s
        .instance()
        .clock(Deadline::InternationalSolution.as_ref())
        .cloned()
        .expect("international clock");
    assert_eq!(c.warn_at, Some(close(12, 7)), "15th working day");
    assert_eq!(c.due_at, close(12, 28), "30th working day");
}

// ---------------------------------------------------------------------------------------------
// CC-PROC §5.2.1–5.2.2
// ---------------------------------------------------------------------------------------------

// 「经分析确认非本公司造成,应在一个工作日内以口头或书面方式反馈给顾客」 CC-PROC §5.2.1 (004 L478): a
// pass verdict on Monday 14:00: the finding goes back by the close of Tuesday.
#[test]
fn cc_proc_s5_2_1_not_liable_feedback_within_one_working_day_of_analysis() {
    let s = at(State::PassReply);
    assert_eq!(due(&s, Deadline::NotLiableFeedback), Some(close(11, 17)));
}

// 「经分析确认非本公司造成…反馈给顾客」 CC-PROC §5.2.1 (004 L478): the company's fault starts no
// not-liable feedback clock.
#[test]
fn cc_proc_s5_2_1_failed_verdict_starts_no_not_liable_clock() {
    let s = at(State::Remediation);
    assert!(!running(&s, Deadline::NotLiableFeedback));
}

// 「反馈给顾客」 CC-PROC §5.2.1 (004 L478) and 《客户抱怨回复书》 RET-PC §6.2 (004 L22): the ADC's
// reply letter stops the clock.
#[test]
fn cc_proc_s5_2_1_reply_letter_stops_the_feedback_clock() {
    let mut s = at(State::PassReply);
    let adc = s.cast().adc_domestic.clone();
    s.advance(TimeDelta::hours(1));
    s.fire(
        Command::fire(&adc, Action::ReplyToCustomer).with_form(form(&reply(Statement::general(
            "the lamps meet the specification",
        )))),
    )
    .unwrap();
    let c = s
        .instance()
        .clock(Deadline::NotLiableFeedback.as_ref())
        .cloned()
        .expect("clock");
    assert!(c.stopped.is_some() && !c.breached);
}

// 「属本公司之责任且不需退货的,…经核准后在两个工作日内回复顾客」 CC-PROC §5.2.2 (004 L480): nothing
// returned, approved on Tuesday: the reply is due at the close of Thursday.
#[test]
fn cc_proc_s5_2_2_liable_no_return_reply_within_two_working_days_of_approval() {
    let mut s = Scenario::new(&Config::default()).unwrap();
    let adc = s.cast().adc_domestic.clone();
    let mut h = fx::handling();
    h.goods_returned = false;
    h.not_returned_reason = Some("installed on a high ceiling".into());
    h.defective_parts = vec![DefectEvidence {
        kind: PartKind::Module,
        barcode: None,
        photos: vec![Photo {
            view: PhotoView::Defect,
            file: "m1.jpg".into(),
        }],
    }];
    s.advance(TimeDelta::hours(1));
    s.fire(Command::fire(&adc, Action::Submit).with_form(form(&h)))
        .unwrap();
    s.drive_to(State::ReportReview).unwrap();
    set(&mut s, cn(11, 17, 10, 0));
    let qm = s.cast().quality_manager.clone();
    let head = s.cast().quality_department_head.clone();
    s.fire(Command::sign(&qm, Action::ApproveReport)).unwrap();
    assert!(
        due(&s, Deadline::LiableReply).is_none(),
        "the approval is not complete with one signature"
    );
    s.fire(Command::sign(&head, Action::ApproveReport)).unwrap();
    assert_eq!(due(&s, Deadline::LiableReply), Some(close(11, 19)));
}

// 「属本公司之责任且不需退货的」 CC-PROC §5.2.2 (004 L480): when the goods are returned (§5.2.3),
// the 2-working-day reply limit does not apply.
#[test]
fn cc_proc_s5_2_2_goods_returned_starts_no_liable_reply_clock() {
    let s = at(State::ReplyDispatch);
    assert!(due(&s, Deadline::LiableReply).is_none());
}

// 「若顾客同意该方案,公司将此措施计划作为以后同类产品改进的依据」 CC-PROC §5.2.2 (004 L480): the
// accepted plan is the baseline for similar products.
#[test]
fn cc_proc_s5_2_2_accepted_plan_becomes_baseline_for_similar_products() {
    let mut s = at(State::Handled);
    let adc = s.cast().adc_domestic.clone();
    let acc = PlanAcceptance {
        accepted_on: date(12, 21),
        accepted_by: "Acme QM by mail".into(),
        similar_products: vec!["FL-250".into()],
    };
    s.fire(Command::fire(&adc, Action::RecordPlanAcceptance).with_form(form(&acc)))
        .unwrap();
    let inst = (*s.instance()).clone();
    let b = complaint::baselines(&[inst]).unwrap();
    assert_eq!(b.len(), 1);
    assert!(b[0].applies_to("FL-250") && b[0].applies_to("FL-200"));
    assert!(!b[0].applies_to("XX-9"));
    assert_eq!(b[0].plan, fx::plan());
}

// 「跟进顾客接受情况」 CC-PROC §5.2.2 (004 L480): the customer's acceptance goes through the ADC
// (QD-004 §4.1: 应用设计中心负责与客户沟通), not the CQE; and needs a plan on file.
#[test]
fn cc_proc_s5_2_2_plan_acceptance_by_cqe_or_without_plan_refused() {
    let acc = PlanAcceptance {
        accepted_on: date(12, 21),
        accepted_by: "Acme QM".into(),
        similar_products: vec![],
    };
    let mut s = at(State::Handled);
    let cqe = s.cast().cqe.clone();
    refused(
        &mut s,
        Command::fire(&cqe, Action::RecordPlanAcceptance).with_form(form(&acc)),
    );
    let mut p = at(State::PassReply);
    let adc = p.cast().adc_domestic.clone();
    refused(
        &mut p,
        Command::fire(&adc, Action::RecordPlanAcceptance).with_form(form(&acc)),
    );
}

// ---------------------------------------------------------------------------------------------
// QD-004 §3.6 confidentiality on every outgoing text
// ---------------------------------------------------------------------------------------------

// 「在对外出具的报告中(8D报告等),严禁泄露我司保密信息,包括但不限于生产技术、生产流程、生产工艺、原材料
// 供应商」 QD-004 §3.6 (004 L628): the 8D sent out withholds the production process.
#[test]
fn qd004_s3_6_outgoing_8d_withholds_production_process() {
    let s = at(State::ReportReview);
    let r = complaint::outgoing_report(&s.instance(), s.config())
        .unwrap()
        .expect("an 8D on file");
    let text = r.report.to_string();
    assert!(!text.contains("reflow peak too low"), "{text}");
    assert!(!text.contains("raise reflow peak"), "{text}");
    assert!(r.withheld.iter().any(|w| w.text.contains("reflow")));
}

// 「严禁泄露我司保密信息」 QD-004 §3.6 (004 L628): the reply letter (《客户抱怨回复书》, RET-PC §6.2
// (004 L22)) passes the same filter.
#[test]
fn qd004_s3_6_reply_letter_withholds_confidential_text() {
    let mut s = at(State::PassReply);
    let adc = s.cast().adc_domestic.clone();
    let secret = "our reflow profile at 245 °C";
    s.fire(
        Command::fire(&adc, Action::ReplyToCustomer).with_form(form(&reply(Statement::new(
            secret,
            InfoCategory::ProductionProcess,
        )))),
    )
    .unwrap();
    let r = complaint::outgoing_reply(&s.instance(), s.config())
        .unwrap()
        .expect("reply on file");
    assert!(!r.report.to_string().contains(secret));
    assert!(r.withheld.iter().any(|w| w.text.contains("reflow")));
}

// 「严禁泄露我司保密信息」 QD-004 §3.6 (004 L628), default-deny: an unclassified explanation in the
// reply letter may not be sent, and the reply is refused.
#[test]
fn qd004_s3_6_unclassified_reply_letter_refused() {
    let mut s = at(State::PassReply);
    let adc = s.cast().adc_domestic.clone();
    let cmd = Command::fire(&adc, Action::ReplyToCustomer).with_form(form(&reply(
        Statement::unclassified("our supplier changed the solder paste"),
    )));
    let err = s.fire(cmd.clone()).unwrap_err();
    assert!(format!("{err:?}").contains("reply_classified"), "{err:?}");
    refused(&mut s, cmd);
}

// 「在对外出具的报告中…严禁泄露我司保密信息」 QD-004 §3.6 (004 L628): the CQE may not e-mail a report
// other than the filtered one (here: the raw root cause put back in).
#[test]
fn qd004_s3_6_forwarding_an_unfiltered_report_refused() {
    let mut s = at(State::ReportReview);
    s.drive_to(State::ReportReview).unwrap();
    let qm = s.cast().quality_manager.clone();
    let head = s.cast().quality_department_head.clone();
    let cqe = s.cast().cqe.clone();
    s.fire(Command::sign(&qm, Action::ApproveReport)).unwrap();
    s.fire(Command::sign(&head, Action::ApproveReport)).unwrap();
    let mut r = complaint::outgoing_report(&s.instance(), s.config())
        .unwrap()
        .unwrap()
        .report;
    for sec in &mut r.sections {
        for l in &mut sec.lines {
            if l.contains(complaint::WITHHELD_PLACEHOLDER) {
                *l = "reflow peak too low".into();
            }
        }
    }
    refused(
        &mut s,
        Command::fire(&cqe, Action::ForwardToAdc).with_form(form(&r)),
    );
}

// ---------------------------------------------------------------------------------------------
// Withdrawal, severity downgrade, partial returns
// ---------------------------------------------------------------------------------------------

// Withdrawal after submission (issue 17; the customer withdraws through the ADC, which
// 「负责与客户沟通」 QD-004 §4.1 (004 L664)).
#[test]
fn qd004_s4_1_adc_withdraws_after_submission_with_reason() {
    for st in [State::Submitted, State::Containment, State::Analysis] {
        let mut s = at(st);
        let adc = s.cast().adc_domestic.clone();
        s.fire(
            Command::fire(&adc, Action::Withdraw)
                .with_payload(serde_json::json!({"reason": "customer withdrew"})),
        )
        .unwrap_or_else(|e| panic!("withdraw from {st:?}: {e}"));
        assert_eq!(s.instance().state(), State::Withdrawn);
    }
}

// QD-004 §4.1 (004 L664) 「应用设计中心…负责与客户沟通」: only the ADC withdraws; after the verdict
// the case runs on.
#[test]
fn qd004_s4_1_withdrawal_by_cqe_or_after_verdict_refused() {
    let mut s = at(State::Containment);
    let cqe = s.cast().cqe.clone();
    refused(
        &mut s,
        Command::fire(&cqe, Action::Withdraw).with_payload(serde_json::json!({"reason": "x"})),
    );
    let mut r = at(State::Remediation);
    let adc = r.cast().adc_domestic.clone();
    refused(
        &mut r,
        Command::fire(&adc, Action::Withdraw).with_payload(serde_json::json!({"reason": "x"})),
    );
}

fn serious_remediation() -> Scenario {
    let mut s = at(State::Analysis);
    let cqe = s.cast().cqe.clone();
    let mut rec = fx::inspection(ComplaintVerdict::Fail, GoodsDisposition::Remediate);
    rec.functional_abnormality = true;
    s.advance(TimeDelta::hours(1));
    s.fire(
        Command::fire(&cqe, Action::RecordFail)
            .with_form(form(&rec))
            .with_form(form(&fx::eight_d(Discipline::D2))),
    )
    .unwrap();
    assert_eq!(s.instance().state(), State::Remediation);
    s
}

// 「非产品功能问题的客户投诉为一般客诉;产品功能出现异常导致的客户投诉为严重客诉」 QD-004 §3.7
// (004 L662): the CQE's finding that the function is not abnormal makes the complaint general.
#[test]
fn qd004_s3_7_cqe_downgrades_serious_to_general() {
    let mut s = serious_remediation();
    assert_eq!(
        complaint::severity(&s.instance(), s.config()).unwrap(),
        Severity::Serious
    );
    let cqe = s.cast().cqe.clone();
    let d = SeverityDowngrade {
        finding: "wiring error at the site, the lamp works".into(),
    };
    s.fire(Command::fire(&cqe, Action::DowngradeSeverity).with_form(form(&d)))
        .unwrap();
    assert_eq!(
        complaint::severity(&s.instance(), s.config()).unwrap(),
        Severity::General
    );
}

// QD-004 §3.7 (004 L662): the downgrade is the CQE's, with a finding; a general complaint has
// nothing to downgrade.
#[test]
fn qd004_s3_7_downgrade_by_adc_blank_or_of_general_refused() {
    let mut s = serious_remediation();
    let adc = s.cast().adc_domestic.clone();
    let cqe = s.cast().cqe.clone();
    let ok = SeverityDowngrade {
        finding: "cosmetic only".into(),
    };
    refused(
        &mut s,
        Command::fire(&adc, Action::DowngradeSeverity).with_form(form(&ok)),
    );
    refused(
        &mut s,
        Command::fire(&cqe, Action::DowngradeSeverity).with_form(form(&SeverityDowngrade {
            finding: " ".into(),
        })),
    );
    let mut g = at(State::Remediation);
    refused(
        &mut g,
        Command::fire(&cqe, Action::DowngradeSeverity).with_form(form(&ok)),
    );
}

fn spares(due_qty: u32) -> SparesShipment {
    SparesShipment {
        items: vec![PartQty {
            part_no: "MOD-60W".into(),
            qty: due_qty,
        }],
        courier_ref: "SF-1".into(),
        shipped_on: date(11, 16),
        replaced_qty_due: due_qty,
        adc_agreement: "per ADC mail".into(),
        no_return_reason: None,
    }
}

// 「品质部根据应用设计中心的协议快递备件…更换下来的不良品由应用设计中心负责在1个月内退回」 QD-004 §4.4
// (004 L621): a partial return leaves the clock running; the rest settles it.
#[test]
fn qd004_s4_4_partial_return_keeps_the_return_clock_running() {
    let mut s = at(State::Remediation);
    let cqe = s.cast().cqe.clone();
    s.fire(Command::fire(&cqe, Action::ShipSpares).with_form(form(&spares(10))))
        .unwrap();
    assert!(running(&s, Deadline::DefectivesReturn));
    let part = DefectivesReturn {
        qty: 4,
        received_on: date(11, 20),
    };
    // four of ten do not settle the return
    refused(
        &mut s,
        Command::fire(&cqe, Action::RecordDefectivesReturned).with_form(form(&part)),
    );
    s.fire(Command::fire(&cqe, Action::RecordPartialReturn).with_form(form(&part)))
        .unwrap();
    assert!(running(&s, Deadline::DefectivesReturn));
    let rest = DefectivesReturn {
        qty: 6,
        received_on: date(11, 25),
    };
    s.fire(Command::fire(&cqe, Action::RecordDefectivesReturned).with_form(form(&rest)))
        .unwrap();
    assert!(!running(&s, Deadline::DefectivesReturn));
}

// 「在1个月内退回」 QD-004 §4.4 (004 L621): the domestic replaced defectives are due one month after
// the spares are sent.
#[test]
fn qd004_s4_4_defectives_due_within_a_month() {
    let mut s = at(State::Remediation);
    let cqe = s.cast().cqe.clone();
    let shipped = s.now();
    s.fire(Command::fire(&cqe, Action::ShipSpares).with_form(form(&spares(2))))
        .unwrap();
    let d = due(&s, Deadline::DefectivesReturn).expect("clock");
    assert!(d >= shipped + TimeDelta::days(28) && d <= shipped + TimeDelta::days(33));
}

// ---------------------------------------------------------------------------------------------
// RET-PC items 1 and 3
// ---------------------------------------------------------------------------------------------

// 「如客退品无法进行返修时,品质需知会业务,由业务下单重做」 RET-PC item 3 (004 L21): sales places the
// remake order.
#[test]
fn ret_pc_item3_sales_places_the_remake_order() {
    let mut s = at(State::Remediation);
    let sales = s.cast().salesperson.clone();
    let o = RemakeOrder {
        order_ref: "SO-77".into(),
        quantity: 6,
        not_repairable_because: "housing cracked".into(),
    };
    let n = s.instance().forms().len();
    s.fire(Command::fire(&sales, Action::PlaceRemakeOrder).with_form(form(&o)))
        .unwrap();
    assert_eq!(s.instance().forms().len(), n + 1);
}

// RET-PC item 3 (004 L21): 「由业务下单重做」 — not the CQE; and the notice says why.
#[test]
fn ret_pc_item3_remake_by_cqe_or_without_reason_refused() {
    let mut s = at(State::Remediation);
    let sales = s.cast().salesperson.clone();
    let cqe = s.cast().cqe.clone();
    let o = RemakeOrder {
        order_ref: "SO-77".into(),
        quantity: 6,
        not_repairable_because: "housing cracked".into(),
    };
    refused(
        &mut s,
        Command::fire(&cqe, Action::PlaceRemakeOrder).with_form(form(&o)),
    );
    let mut blank = o.clone();
    blank.not_repairable_because = String::new();
    refused(
        &mut s,
        Command::fire(&sales, Action::PlaceRemakeOrder).with_form(form(&blank)),
    );
}

// 「红联随客退品一起交生产进行返修。白联交给生管保存」 RET-PC item 1 (004 L19): a repair without the
// white copy's holder is refused.
#[test]
fn ret_pc_item1_repair_needs_red_and_white_copy_routing() {
    let mut s = at(State::Remediation);
    let cqe = s.cast().cqe.clone();
    let w = WorkLiaison {
        no: "GZ-9".into(),
        repair_description: "replace modules".into(),
        material_source: MaterialSource::SlowStock,
        involves: Default::default(),
        copies: CopyRouting {
            red_with_goods_to: "制造部 line 2".into(),
            white_filed_with: " ".into(),
        },
    };
    refused(
        &mut s,
        Command::fire(&cqe, Action::RequestRepair).with_form(form(&w)),
    );
    let mut red = w.clone();
    red.copies = CopyRouting {
        red_with_goods_to: String::new(),
        white_filed_with: "生管".into(),
    };
    refused(
        &mut s,
        Command::fire(&cqe, Action::RequestRepair).with_form(form(&red)),
    );
}

// ---------------------------------------------------------------------------------------------
// Costs: dated lines, carriers
// ---------------------------------------------------------------------------------------------

fn cost(kind: CostKind, fen: i64, on: chrono::NaiveDate, carrier: Option<&str>) -> CostEntry {
    CostEntry {
        kind,
        amount_fen: fen,
        description: "line".into(),
        supplier: None,
        incurred_on: on,
        carrier: carrier.map(Into::into),
    }
}

// 「经确认后计入销售成本」 QD-004 §5.2.2.2 (004 L671), dated lines (issue 17): lines are tallied by
// the month incurred; a carrier that damaged goods in transit bears its line.
#[test]
fn qd004_costs_tallied_by_month_incurred_and_carrier_bears_freight_damage() {
    let mut s = at(State::Remediation);
    let cqe = s.cast().cqe.clone();
    let qm = s.cast().quality_manager.clone();
    s.fire(
        Command::fire(&cqe, Action::RecordCostLine).with_form(form(&cost(
            CostKind::Rework,
            10_000,
            date(10, 30),
            None,
        ))),
    )
    .unwrap();
    s.fire(
        Command::fire(&cqe, Action::RecordCostLine).with_form(form(&cost(
            CostKind::ReplacementUnits,
            5_000,
            date(11, 18),
            Some("德邦物流"),
        ))),
    )
    .unwrap();
    s.fire(Command::fire(&qm, Action::ConfirmCostLines))
        .unwrap();
    let rec = complaint::CostRecord::from_instance(&s.instance()).unwrap();
    let rep = complaint::cost_report(&[rec], s.config().misjudgment_match).unwrap();
    let months = rep.per_month().unwrap();
    assert_eq!(
        months.get(&Some(YearMonth {
            year: 2026,
            month: 10
        })),
        Some(&10_000)
    );
    assert_eq!(
        months.get(&Some(YearMonth {
            year: 2026,
            month: 11
        })),
        Some(&5_000)
    );
    assert_eq!(rep.per_carrier().unwrap().get("德邦物流"), Some(&5_000));
}

// 「经确认后」 QD-004 §5.2.2.2 (004 L671): the confirmation is the quality manager's, not the
// recorder's; a supplier claim is not borne by a carrier.
#[test]
fn qd004_cost_confirmation_by_cqe_and_carrier_claim_refused() {
    let mut s = at(State::Remediation);
    let cqe = s.cast().cqe.clone();
    s.fire(
        Command::fire(&cqe, Action::RecordCostLine).with_form(form(&cost(
            CostKind::Rework,
            100,
            date(11, 16),
            None,
        ))),
    )
    .unwrap();
    refused(&mut s, Command::fire(&cqe, Action::ConfirmCostLines));
    refused(
        &mut s,
        Command::fire(&cqe, Action::RecordCostLine).with_form(form(&cost(
            CostKind::ClaimReceived,
            -100,
            date(11, 16),
            Some("德邦物流"),
        ))),
    );
}

// ---------------------------------------------------------------------------------------------
// More limits and attacks
// ---------------------------------------------------------------------------------------------

// 「紧急情况下经公司领导特批后可加急处理,3个工作日给出处理方案」 QD-004 §8 (004 L623), counted from
// the international ADC's form (D12.8 item 6: same trigger): form Monday, grant Tuesday: due at
// the close of Thursday.
#[test]
fn qd004_s8_international_urgent_plan_3_working_days_from_the_form() {
    let cfg = Config::default();
    let mut s = Scenario::opened(
        &cfg,
        ComplaintRegion::International,
        "KS-I2",
        "Globex",
        aftersales::testing::fixtures::start_instant(),
    )
    .unwrap();
    let adc = s.cast().adc_international.clone();
    let lead = s.cast().company_leadership.clone();
    let mut h = fx::handling();
    h.no = "KS-I2".into();
    h.customer = "Globex".into();
    h.region = ComplaintRegion::International;
    s.advance(TimeDelta::hours(1));
    s.fire(Command::fire(&adc, Action::SubmitInternational).with_form(form(&h)))
        .unwrap();
    s.fire(Command::fire(&adc, Action::RequestUrgent).with_form(form(&urgent_request())))
        .unwrap();
    set(&mut s, cn(11, 17, 10, 0));
    s.fire(Command::sign(&lead, Action::GrantUrgent)).unwrap();
    assert_eq!(due(&s, Deadline::UrgentReply), Some(close(11, 19)));
}

// 「经公司领导特批」 QD-004 §8 (004 L623): a special approval is someone else's; the requester who
// also holds the leadership role may not grant their own request.
#[test]
fn qd004_s8_requester_may_not_grant_own_urgent_request() {
    let mut s = at(State::Submitted);
    let both = aftersales::Actor::new(
        "cqe-and-leader",
        [complaint::Role::Cqe, complaint::Role::CompanyLeadership],
    );
    s.fire(Command::fire(&both, Action::RequestUrgent).with_form(form(&urgent_request())))
        .unwrap();
    refused(&mut s, Command::sign(&both, Action::GrantUrgent));
}

// 「我司在一个工作日内积极响应」 QD-004 §8 (004 L623): the response is the CQE's (QD-004 §5.1: 提交
// 品质部CQE); the ADC cannot acknowledge its own form; the CQE's response stops the clock.
#[test]
fn qd004_s8_response_by_cqe_stops_clock_adc_refused() {
    let mut s = at(State::Submitted);
    let adc = s.cast().adc_domestic.clone();
    let cqe = s.cast().cqe.clone();
    refused(&mut s, Command::fire(&adc, Action::Acknowledge));
    s.fire(Command::fire(&cqe, Action::Acknowledge)).unwrap();
    let c = s
        .instance()
        .clock(Deadline::Response.as_ref())
        .cloned()
        .unwrap();
    assert!(c.stopped.is_some() && !c.breached);
}

// 「经分析确认非本公司造成,应在一个工作日内…反馈给顾客」 CC-PROC §5.2.1 (004 L478), with the product
// decision that a start outside working time counts from the next working period: a pass
// recorded Friday 19:00 is due at the close of Tuesday.
#[test]
fn cc_proc_s5_2_1_pass_after_hours_friday_due_close_of_tuesday() {
    let mut s = at(State::Analysis);
    let cqe = s.cast().cqe.clone();
    set(&mut s, cn(11, 20, 19, 0));
    s.fire(
        Command::fire(&cqe, Action::RecordPass).with_form(form(&fx::inspection(
            ComplaintVerdict::Pass,
            GoodsDisposition::ReturnToCustomer,
        ))),
    )
    .unwrap();
    assert_eq!(due(&s, Deadline::NotLiableFeedback), Some(close(11, 24)));
}

// 「经核准后在两个工作日内回复顾客」 CC-PROC §5.2.2 (004 L480): only the ADC replies to the customer
// (QD-004 §4.1 (004 L664)); the CQE's send is refused.
#[test]
fn cc_proc_s5_2_2_reply_sent_by_cqe_refused() {
    let mut s = at(State::ReplyDispatch);
    let cqe = s.cast().cqe.clone();
    refused(&mut s, Command::fire(&cqe, Action::SendToCustomer));
}

// 「CQE提交品质部经理和部长审阅」 QD-004 §5.2.2.8 (004 L651): two reviewers; one person holding both
// roles may not sign twice.
#[test]
fn qd004_s5_2_2_8_same_person_may_not_sign_review_twice() {
    let mut s = at(State::ReportReview);
    let both = aftersales::Actor::new(
        "qm-and-head",
        [
            complaint::Role::QualityManager,
            complaint::Role::QualityDepartmentHead,
        ],
    );
    s.fire(Command::sign(&both, Action::ApproveReport)).unwrap();
    refused(&mut s, Command::sign(&both, Action::ApproveReport));
    assert_eq!(s.instance().state(), State::ReportReview);
}

// 「在对外出具的报告中…严禁泄露我司保密信息…(电源供应商信息、导线供应商信息(除防水接头)、飞利浦常规颗粒
// 信息(Luxeon T和Rebel ES)除外)」 QD-004 §3.6 (004 L628): the improvement evidence passes the filter —
// the power-supply supplier may be named, the waterproof-connector supplier and the process not.
#[test]
fn qd004_s3_6_improvement_evidence_filtered_with_exceptions() {
    use complaint::{Commodity, SupplierRef};
    let mut s = at(State::EffectivenessCheck);
    let cqe = s.cast().cqe.clone();
    let ev = ImprovementEvidence {
        statements: vec![
            Statement::new(
                "driver from MeanWellPS replaced",
                InfoCategory::RawMaterialSupplier(SupplierRef::new(
                    "MeanWellPS",
                    Commodity::PowerSupply,
                )),
            ),
            Statement::new(
                "connector from AquaSealCo",
                InfoCategory::RawMaterialSupplier(SupplierRef::new(
                    "AquaSealCo",
                    Commodity::Wire {
                        waterproof_connector: true,
                    },
                )),
            ),
            Statement::new(
                "SMT line 3 reflow zone 7",
                InfoCategory::ProductionTechnology,
            ),
        ],
    };
    s.fire(Command::fire(&cqe, Action::ProvideImprovementEvidence).with_form(form(&ev)))
        .unwrap();
    let r = complaint::outgoing_evidence(&s.instance(), s.config())
        .unwrap()
        .expect("evidence on file");
    let text = r.report.to_string();
    assert!(text.contains("MeanWellPS"), "{text}");
    assert!(!text.contains("AquaSealCo"), "{text}");
    assert!(!text.contains("reflow zone 7"), "{text}");
}

// Withdrawal after submission (issue 17), 「应用设计中心…负责与客户沟通」 QD-004 §4.1 (004 L664): the
// ADC of another region may not withdraw a domestic complaint.
#[test]
fn qd004_s4_1_withdrawal_by_other_region_adc_refused() {
    let mut s = at(State::Submitted);
    let intl = s.cast().adc_international.clone();
    refused(
        &mut s,
        Command::fire(&intl, Action::Withdraw).with_payload(serde_json::json!({"reason": "x"})),
    );
}

// 「自国内应用设计中心开出《客诉、客退产品处理单》起…2个工作日内解决问题并回复」 QD-004 §8 (004 L623):
// the form was issued on Monday; the CQE returning it for completion and the ADC resubmitting
// on Tuesday does not move the start. Grant on Tuesday: due at the close of Wednesday.
#[test]
fn qd004_s8_urgent_limit_keeps_the_first_form_after_resubmission() {
    let mut s = at(State::Submitted);
    let adc = s.cast().adc_domestic.clone();
    let cqe = s.cast().cqe.clone();
    let lead = s.cast().company_leadership.clone();
    s.fire(
        Command::fire(&cqe, Action::ReturnForm)
            .with_payload(serde_json::json!({"reason": "schedule order missing"})),
    )
    .unwrap();
    set(&mut s, cn(11, 17, 9, 30));
    s.fire(Command::fire(&adc, Action::Resubmit).with_form(form(&fx::handling())))
        .unwrap();
    s.fire(Command::fire(&adc, Action::RequestUrgent).with_form(form(&urgent_request())))
        .unwrap();
    set(&mut s, cn(11, 17, 10, 0));
    s.fire(Command::sign(&lead, Action::GrantUrgent)).unwrap();
    assert_eq!(due(&s, Deadline::UrgentReply), Some(close(11, 18)));
    assert_eq!(due(&s, Deadline::Analysis), Some(close(11, 19)));
}
