//! Conformance: the complaint rules of issue 17 from their documents — the feedback and reply
//! limits of CC-PROC §5.2.1–§5.2.2 (004 L478–481) and the accepted plan as the baseline for
//! similar products.
#![cfg(all(feature = "testing", feature = "procedures"))]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test helpers may panic

use aftersales::procedures::complaint::forms::{
    CustomerReply, DefectEvidence, Photo, PhotoView, PlanAcceptance,
};
use aftersales::procedures::complaint::{
    self, Action, Config, Deadline, InfoCategory, PartKind, ReportKind, State, Statement,
    WITHHELD_PLACEHOLDER,
};
use aftersales::testing::fixtures::complaint::{self as cf, Scenario};
use aftersales::testing::fixtures::form;
use aftersales::{Command, Rejection};
use chrono::{DateTime, NaiveDate, TimeZone, Utc};

mod common;

/// `day` November 2026 at `h`:`m` in UTC+8 (the fixture's calendar).
fn nov(day: u32, h: u32, m: u32) -> DateTime<Utc> {
    chrono::FixedOffset::east_opt(8 * 3600)
        .unwrap()
        .with_ymd_and_hms(2026, 11, day, h, m, 0)
        .unwrap()
        .with_timezone(&Utc)
}

fn refusal(r: Result<aftersales::Outcome, aftersales::EngineError>) -> Rejection {
    match r {
        Ok(o) => panic!("accepted, now in {}", o.instance.state()),
        Err(e) => e.rejection().cloned().unwrap_or_else(|| panic!("{e}")),
    }
}

// ------------------------------------------------ CC-PROC §5.2.1 (004 L478): not liable

/// 「客户投诉之问题由相关部门分析原因后, 若非本公司造成的应以口头或书面的形式于一个工作日内反馈客户」:
/// the pass verdict (the customer misjudged) Monday 14:00 → fed back by the close of Tuesday.
#[test]
fn cc_proc_s5_2_1_not_liable_finding_back_within_one_working_day() {
    let mut s = Scenario::at(State::PassReply).unwrap();
    let clock = s
        .instance()
        .clock(Deadline::NotLiableFeedback)
        .cloned()
        .expect("the pass verdict starts the feedback clock");
    // the fixture: opened Monday 10:00, four steps an hour apart; the verdict at 14:00
    assert_eq!(clock.started_at, nov(16, 14, 0));
    assert_eq!(clock.due_at, nov(17, 18, 0));
    let adc = s.cast().adc_domestic.clone();
    s.fire(
        Command::fire(&adc, Action::ReplyToCustomer).with_form(form(&CustomerReply {
            explanation: Statement::general("no defect: the dimmer was wired to the wrong phase"),
            return_shipment_ref: Some("SF-1".into()),
        })),
    )
    .unwrap();
    let met = s.instance().clock(Deadline::NotLiableFeedback).cloned();
    assert!(met.unwrap().stopped.unwrap().met, "the reply meets it");
}

/// A failed verdict (the company's fault) starts no not-liable clock.
#[test]
fn cc_proc_s5_2_1_a_failed_verdict_starts_no_feedback_clock() {
    let s = Scenario::at(State::Remediation).unwrap();
    assert!(s.instance().clock(Deadline::NotLiableFeedback).is_none());
}

// ------------------------------------------------ CC-PROC §5.2.2 (004 L480): liable

/// A domestic complaint whose defective goods stay with the customer (「不需退货的」).
fn nothing_returned() -> Scenario {
    let mut s = Scenario::new(&Config::default()).unwrap();
    let mut f = cf::handling();
    f.goods_returned = false;
    f.not_returned_reason = Some("installed on a bridge, photos only".into());
    f.defective_parts = vec![DefectEvidence {
        kind: PartKind::Other("lens".into()),
        barcode: None,
        photos: vec![Photo {
            view: PhotoView::Defect,
            file: "lens.jpg".into(),
        }],
    }];
    let adc = s.cast().adc_domestic.clone();
    s.advance(chrono::TimeDelta::hours(1));
    s.fire(Command::fire(&adc, Action::Submit).with_form(form(&f)))
        .unwrap();
    s
}

/// 「本公司之责任, 不需退货的, 由相关部门分析原因并采取纠正和预防措施经核准后两个工作日回复客户」:
/// the report approved Monday 18:00 (the fixture's route, an hour a step), at the close of
/// business, so the count begins on Tuesday → the reply is due at the close of Thursday; the
/// ADC's sending meets it.
#[test]
fn cc_proc_s5_2_2_liable_nothing_returned_reply_within_two_working_days_of_approval() {
    let mut s = nothing_returned();
    s.drive_to(State::ReplyDispatch).unwrap();
    let clock = s
        .instance()
        .clock(Deadline::LiableReply)
        .cloned()
        .expect("the approval starts the reply clock");
    let approved = clock.started_at;
    assert_eq!(approved, nov(16, 18, 0));
    assert_eq!(clock.due_at, nov(19, 18, 0));
    s.drive_to(State::EffectivenessCheck).unwrap();
    let met = s.instance().clock(Deadline::LiableReply).cloned().unwrap();
    assert!(met.stopped.unwrap().met, "sending the reply meets it");
}

/// Goods returned (the fixture's default): the clause's limit does not apply (returns follow
/// CC-PROC §5.2.3–§5.2.5, which set none); the normal 7 working days stand.
#[test]
fn cc_proc_s5_2_2_goods_returned_starts_no_liable_reply_clock() {
    let s = Scenario::at(State::ReplyDispatch).unwrap();
    assert!(s.instance().clock(Deadline::LiableReply).is_none());
    assert!(s.instance().clock(Deadline::SolveAndReply).is_some());
}

/// 「并跟进顾客接受情况, 若顾客同意该方案, 公司将此措施计划作为以后同类产品改进的依据」: the ADC records
/// the customer's acceptance; the plan becomes the baseline for the model and similar ones.
#[test]
fn cc_proc_s5_2_2_accepted_plan_becomes_the_baseline_for_similar_products() {
    let mut s = Scenario::at(State::EffectivenessCheck).unwrap();
    let adc = s.cast().adc_domestic.clone();
    let acceptance = PlanAcceptance {
        accepted_on: NaiveDate::from_ymd_opt(2026, 11, 20).unwrap(),
        accepted_by: "Acme purchasing, e-mail of 20 Nov".into(),
        similar_products: vec!["FL-250".into()],
    };
    // the quality manager does not talk to the customer
    let qm = s.cast().quality_manager.clone();
    let r = refusal(
        s.fire(Command::fire(&qm, Action::RecordPlanAcceptance).with_form(form(&acceptance))),
    );
    assert!(matches!(r, Rejection::Forbidden { .. }), "{r:?}");
    s.fire(Command::fire(&adc, Action::RecordPlanAcceptance).with_form(form(&acceptance)))
        .unwrap();
    let inst = (*s.instance()).clone();
    let all = complaint::baselines(&[inst]).unwrap();
    assert_eq!(all.len(), 1);
    let b = &all[0];
    assert_eq!(b.plan, cf::plan());
    assert_eq!(b.recorded_by.as_ref(), Some(&adc.id));
    assert!(b.applies_to("FL-200") && b.applies_to(" fl-250 "));
    assert!(!b.applies_to("FL-300"));
}

/// A pass case has no plan to accept.
#[test]
fn cc_proc_s5_2_2_no_baseline_without_a_plan() {
    let mut s = Scenario::at(State::PassReply).unwrap();
    let adc = s.cast().adc_domestic.clone();
    s.fire(
        Command::fire(&adc, Action::ReplyToCustomer).with_form(form(&CustomerReply {
            explanation: Statement::general("no defect"),
            return_shipment_ref: Some("SF-1".into()),
        })),
    )
    .unwrap();
    let r = refusal(s.fire(
        Command::fire(&adc, Action::RecordPlanAcceptance).with_form(form(&PlanAcceptance {
            accepted_on: NaiveDate::from_ymd_opt(2026, 11, 20).unwrap(),
            accepted_by: "Acme".into(),
            similar_products: vec![],
        })),
    ));
    assert!(
        matches!(&r, Rejection::GuardRejected { reason, .. } if reason.contains("CC-PROC §5.2.2")),
        "{r:?}"
    );
}

// ------------------------------------------------ QD-004 §3.6 (004 L628) on the reply letter

/// The reply letter (《客户抱怨回复书》, RET-PC §6.2 (004 L22)) passes the default-deny filter like
/// every outgoing text: an unclassified explanation blocks the reply until categorised or
/// released; a confidential one goes out as the placeholder.
#[test]
fn qd004_s3_6_reply_letter_passes_the_default_deny_filter() {
    let mut s = Scenario::at(State::PassReply).unwrap();
    let adc = s.cast().adc_domestic.clone();
    let unclassified = CustomerReply {
        explanation: Statement::unclassified("no defect; our reflow line was fine"),
        return_shipment_ref: Some("SF-1".into()),
    };
    let r = refusal(
        s.fire(Command::fire(&adc, Action::ReplyToCustomer).with_form(form(&unclassified))),
    );
    assert!(
        matches!(&r, Rejection::GuardRejected { reason, .. } if reason.contains("QD-004 §3.6")),
        "{r:?}"
    );
    let secret = CustomerReply {
        explanation: Statement::new(
            "reflow peak 245 °C on line 3",
            InfoCategory::ProductionProcess,
        ),
        return_shipment_ref: Some("SF-1".into()),
    };
    s.fire(Command::fire(&adc, Action::ReplyToCustomer).with_form(form(&secret)))
        .unwrap();
    let red = complaint::outgoing_reply(&s.instance(), &Config::default())
        .unwrap()
        .unwrap();
    assert_eq!(red.report.kind, ReportKind::ReplyLetter);
    let text = red.report.to_string();
    assert!(
        text.contains(WITHHELD_PLACEHOLDER) && !text.contains("245"),
        "{text}"
    );
    assert!(text.contains("SF-1"), "{text}");
    assert_eq!(red.withheld[0].path, "reply.explanation");
}
