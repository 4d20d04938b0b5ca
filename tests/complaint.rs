//! Conformance tests of the complaint procedure (客诉), citing the seed lines they check.
//! `004 Lnnn` = line nnn of collection 004 (docs/sources.md) (ZJHP-3-WI-QD-004).
#![cfg(feature = "procedures")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[allow(unreachable_pub)]
#[path = "../examples/complaint.rs"]
mod example;

mod common;

use aftersales::procedures::complaint::config::confidentiality::*;
use aftersales::procedures::complaint::config::severity::classify;
use aftersales::procedures::complaint::data::*;
use aftersales::procedures::complaint::forms::eight_d::*;
use aftersales::procedures::complaint::forms::*;
use aftersales::procedures::complaint::report::{CostRecord, cost_report};
use aftersales::procedures::complaint::{
    self, Action, Config, Deadline, FormKind, MoldFindings, MoldSeverityRule, PartKind, ReportKind,
    Role, Severity, State, VpReview, WITHHELD_PLACEHOLDER, redact_8d,
};
use aftersales::testing::fixtures::complaint::{
    self as fx, Cast, Scenario, date, eight_d, form, ledger, plan, satisfaction,
};
use aftersales::{
    Account, Actor, BusinessCalendar, Command, CostKind, DeadlineState, EngineError, EventKind,
    Instance, InstanceId, Mermaid, Name, Outcome, Rejection, TypedForm, Vocabulary,
};
use chrono::{DateTime, Duration, TimeZone, Utc};
use serde_json::json;
use std::sync::{Arc, LazyLock};

// ---------------------------------------------------------------- harness

/// Local time (UTC+8).
fn local(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, h, min, 0).unwrap() - Duration::hours(8)
}

/// Monday 2026-11-16 10:00 local.
fn t0() -> DateTime<Utc> {
    local(2026, 11, 16, 10, 0)
}

fn actor(id: &str, roles: &[Role]) -> Actor {
    Actor::new(id, roles.iter())
}

/// The fixture's cast: one actor per role, named after the role.
static CAST: LazyLock<Cast> = LazyLock::new(Cast::new);

/// A complaint on the fixture's scenario, fired at explicit instants (the tests check
/// deadlines to the minute, so they do not use the scenario's clock).
struct H {
    s: Scenario,
}

impl H {
    fn new(region: ComplaintRegion) -> H {
        Self::with_config(region, Config::default())
    }

    fn with_config(region: ComplaintRegion, cfg: Config) -> H {
        Self::named("KS-1", region, cfg, "Acme", t0())
    }

    fn named(
        no: &str,
        region: ComplaintRegion,
        cfg: Config,
        customer: &str,
        at: DateTime<Utc>,
    ) -> H {
        let s = Scenario::opened(&cfg, region, no, customer, at).unwrap();
        H { s }
    }

    fn adc(&self) -> Actor {
        self.s.cast().adc(self.s.region()).clone()
    }

    fn cfg(&self) -> &Config {
        self.s.config()
    }

    fn try_fire(&self, cmd: Command, at: DateTime<Utc>) -> Result<Outcome, EngineError> {
        self.s.engine().fire(self.s.id(), &cmd, at)
    }

    #[track_caller]
    fn fire(&self, cmd: Command, at: DateTime<Utc>) -> Outcome {
        common::accepted(self.try_fire(cmd, at))
    }

    /// `who` fires `action` (no form, no payload) at `at`.
    #[track_caller]
    fn act(&self, who: &Actor, action: Action, at: DateTime<Utc>) -> Outcome {
        self.fire(Command::fire(who, action), at)
    }

    /// `who` signs `action` at `at`.
    #[track_caller]
    fn sign(&self, who: &Actor, action: Action, at: DateTime<Utc>) -> Outcome {
        self.fire(Command::sign(who, action), at)
    }

    #[track_caller]
    fn refused(&self, cmd: Command, at: DateTime<Utc>) -> Rejection {
        common::refusal(self.try_fire(cmd, at))
    }

    fn inst(&self) -> Instance {
        Instance::clone(&self.s.instance())
    }

    fn state(&self) -> String {
        self.inst().state().to_string()
    }

    fn data(&self) -> Data {
        self.inst().data_as().unwrap()
    }

    fn deadline(&self, name: &str) -> Option<DeadlineState> {
        self.inst()
            .deadlines()
            .iter()
            .rev()
            .find(|d| d.name == name)
            .cloned()
    }

    fn due_events(&self, at: DateTime<Utc>) -> Vec<EventKind> {
        self.s
            .engine()
            .handle_due(at)
            .unwrap()
            .handled
            .into_iter()
            .flat_map(|(_, evs)| evs.into_iter().map(|e| e.kind))
            .collect()
    }
}

fn breached(events: &[EventKind], name: &str) -> bool {
    events
        .iter()
        .any(|e| matches!(e, EventKind::DeadlineBreached { deadline, .. } if deadline == name))
}

fn warned(events: &[EventKind], name: &str) -> bool {
    events
        .iter()
        .any(|e| matches!(e, EventKind::DeadlineWarned { deadline } if deadline == name))
}

fn guard_reason(r: &Rejection) -> String {
    match r {
        Rejection::GuardRejected { guard, reason, .. } => format!("{guard}: {reason}"),
        Rejection::InvalidForm { form, reason } => format!("{form}: {reason}"),
        other => panic!("expected a guard or form refusal, got {other:?}"),
    }
}

/// The stock rule "a reason is given" refused the command (payload `reason`).
fn reason_required(r: &Rejection) -> bool {
    matches!(r, Rejection::TextRequired { field, .. } if field == "reason")
}

// ---------------------------------------------------------------- forms

fn handling(region: ComplaintRegion) -> ComplaintHandlingForm {
    ComplaintHandlingForm {
        region,
        ..fx::handling()
    }
}

fn inspection_fail(functional: bool, parts: &[PartKind]) -> ComplaintInspectionRecord {
    ComplaintInspectionRecord {
        functional_abnormality: functional,
        failed_parts: parts.iter().cloned().collect(),
        ..fx::inspection(ComplaintVerdict::Fail, GoodsDisposition::Remediate)
    }
}

fn inspection_pass(disposition: GoodsDisposition, phenomenon: &str) -> ComplaintInspectionRecord {
    ComplaintInspectionRecord {
        inspection_result: "no defect found".into(),
        misjudgment_phenomenon: Some(phenomenon.into()),
        ..fx::inspection(ComplaintVerdict::Pass, disposition)
    }
}

fn item(text: &str, info: InfoCategory) -> ActionItem {
    ActionItem::new(Statement::new(text, info), "owner", date(12, 1))
}

/// An 8D through D7 with the D6 verification: effective, not yet closed.
fn effective_8d() -> EightDReport {
    let mut r = eight_d(Discipline::D8);
    r.d8.closed_on = None;
    r
}

fn reason(text: &str) -> serde_json::Value {
    json!({ "reason": text })
}

// ---------------------------------------------------------------- flow helpers

fn submit(h: &H) {
    let action = match h.s.region() {
        ComplaintRegion::Domestic => Action::Submit,
        ComplaintRegion::International => Action::SubmitInternational,
    };
    h.fire(
        Command::fire(&h.adc(), action).with_form(form(&handling(h.s.region()))),
        t0(),
    );
}

/// When [`to_analysis`] leaves the complaint (its last command): time only moves forward, so a
/// test continuing from there acts at this instant or later.
fn after_analysis() -> DateTime<Utc> {
    t0() + Duration::hours(2)
}

/// When [`to_remediation`] leaves the complaint.
fn after_remediation() -> DateTime<Utc> {
    t0() + Duration::hours(3)
}

/// When [`to_corrective`] leaves the complaint.
fn after_corrective() -> DateTime<Utc> {
    t0() + Duration::hours(4)
}

/// When [`forward_and_send`] leaves the complaint.
fn after_sending() -> DateTime<Utc> {
    t0() + Duration::hours(8)
}

fn to_analysis(h: &H) {
    submit(h);
    h.act(&CAST.cqe, Action::Acknowledge, t0() + Duration::hours(1));
    h.fire(
        Command::fire(&CAST.cqe, Action::RecordContainment).with_form(form(&fx::containment())),
        t0() + Duration::hours(2),
    );
}

fn to_remediation(h: &H, functional: bool, parts: &[PartKind]) {
    to_analysis(h);
    h.fire(
        Command::fire(&CAST.cqe, Action::RecordFail)
            .with_form(form(&inspection_fail(functional, parts)))
            .with_form(form(&eight_d(Discipline::D2))),
        t0() + Duration::hours(3),
    );
}

fn to_corrective(h: &H, functional: bool) {
    to_remediation(h, functional, &[PartKind::Module]);
    h.act(
        &CAST.cqe,
        Action::CompleteRemediation,
        t0() + Duration::hours(4),
    );
}

fn to_review(h: &H, functional: bool) {
    to_corrective(h, functional);
    h.fire(
        Command::fire(&CAST.cqe, Action::ResolveWithinQuality)
            .with_form(form(&plan()))
            .with_form(form(&eight_d(Discipline::D5))),
        t0() + Duration::hours(5),
    );
    h.fire(
        Command::fire(&CAST.cqe, Action::SubmitForReview).with_form(form(&eight_d(Discipline::D7))),
        t0() + Duration::hours(6),
    );
}

fn approve(h: &H, with_vp: bool) {
    approve_at(h, with_vp, t0() + Duration::hours(7));
}

fn approve_at(h: &H, with_vp: bool, at: DateTime<Utc>) {
    h.sign(&CAST.quality_manager, Action::ApproveReport, at);
    h.sign(&CAST.quality_department_head, Action::ApproveReport, at);
    if with_vp {
        h.sign(&CAST.vice_president, Action::ApproveReport, at);
    }
}

fn forward_and_send(h: &H) {
    forward_and_send_at(h, after_sending());
}

fn forward_and_send_at(h: &H, at: DateTime<Utc>) {
    let red = complaint::outgoing_report(&h.inst(), h.cfg())
        .unwrap()
        .unwrap();
    h.fire(
        Command::fire(&CAST.cqe, Action::ForwardToAdc).with_form(form(&red.report)),
        at,
    );
    h.act(&h.adc(), Action::SendToCustomer, at);
}

fn to_handled(h: &H) {
    to_review(h, false);
    approve(h, false);
    forward_and_send(h);
    h.fire(
        Command::fire(&CAST.cqe, Action::ConfirmEffective).with_form(form(&effective_8d())),
        t0() + Duration::hours(9),
    );
    assert_eq!(h.state(), State::Handled.name());
}

fn recheck(closed: bool) -> ClosureRecheck {
    ClosureRecheck {
        abnormality_closed: closed,
        recurrence_found: !closed,
        ..fx::recheck()
    }
}

// ---------------------------------------------------------------- definition and docs

#[test]
fn definition_builds_with_24_states_and_every_config_variant() {
    let cal = Arc::new(BusinessCalendar::default());
    let def = complaint::definition(&Config::default(), cal.clone()).unwrap();
    assert_eq!(def.definition().spec().states.len(), 24);
    let cfg = Config {
        containment: Some(aftersales::BusinessDuration::WorkingHours(2)),
        department_analysis: Some(aftersales::BusinessDuration::WorkingDays(2)),
        mold_severity: None,
        vp_review: VpReview::Always,
        ..Config::default()
    };
    let def = complaint::definition(&cfg, cal).unwrap();
    let names: Vec<&str> = def
        .definition()
        .spec()
        .deadlines
        .iter()
        .map(|d| d.name.as_str())
        .collect();
    assert!(names.contains(&"containment") && names.contains(&"department_analysis"));
}

#[test]
fn config_defaults_are_the_seed_numbers() {
    use aftersales::BusinessDuration::CalendarMonths;
    // 「N个工作日内」: the close of business of the N-th working day (product decision `PD-DUR` (docs/sources.md)
    // semantics")
    let close = |n| aftersales::BusinessDuration::working_days_close(n).unwrap();
    let c = Config::default();
    // QD-004 §8 (004 L623)
    assert_eq!(c.response, close(1));
    assert_eq!(c.analysis_domestic, close(3));
    assert_eq!(c.solve_reply_domestic, close(7));
    assert_eq!(c.urgent_solve_reply_domestic, close(2));
    assert_eq!(c.solution_international.target(), close(15));
    assert_eq!(c.solution_international.limit(), close(30));
    assert_eq!(c.urgent_plan_international, close(3));
    assert_eq!(c.closure_recheck, CalendarMonths(1));
    // QD-004 §7.1.2, §4.4 (004 L601, L621)
    assert_eq!(c.supplier_8d, close(2));
    assert_eq!(c.defectives_return_domestic, CalendarMonths(1));
    // RET-PC Att. 1 (004 L28–30)
    assert_eq!(c.mold_severity, Some(MoldSeverityRule::default()));
    // the config round-trips through JSON
    let back: Config = serde_json::from_str(&serde_json::to_string(&c).unwrap()).unwrap();
    assert_eq!(back, c);
}

fn golden_text() -> String {
    let def =
        complaint::definition(&Config::default(), Arc::new(BusinessCalendar::default())).unwrap();
    Mermaid(def.definition()).to_string()
}

#[test]
fn golden_mermaid_diagram() {
    common::golden("tests/golden/complaint.mmd", &golden_text());
}

#[test]
fn procedure_doc_contains_the_golden_diagram() {
    let def =
        complaint::definition(&Config::default(), Arc::new(BusinessCalendar::default())).unwrap();
    let table = aftersales::InStateActions(def.definition()).to_string();
    common::page_diagram("docs/procedures/complaint.md", &golden_text(), &table);
}

#[test]
fn example_runs_to_closure_and_replays() {
    let text = common::example_output(example::run);
    assert!(text.contains("final state: closed (closed: true)"));
    assert!(text.contains("record_ineffective: effectiveness_check -> corrective_action"));
    // the withheld root cause never reaches the customer's copy (QD-004 §3.6 (004 L628))
    let sent = text.split("=== withheld (internal) ===").next().unwrap();
    assert!(!sent.contains("235 °C"));
    assert!(sent.contains(WITHHELD_PLACEHOLDER));
    // issue 17: costs by month, the accepted plan as a baseline
    assert!(
        text.contains("=== booked costs by month ===\n2026-11: "),
        "{text}"
    );
    assert!(
        text.contains("KS-2026-118 (FL-200 and FL-250): plan of 制造部"),
        "{text}"
    );
}

// ---------------------------------------------------------------- intake (QD-004 §5.1 (004 L661))

#[test]
fn l661_submit_needs_5w1h_and_schedule_order() {
    let h = H::new(ComplaintRegion::Domestic);
    let mut f = handling(ComplaintRegion::Domestic);
    f.schedule_order_ref = " ".into();
    let r = h.refused(
        Command::fire(&CAST.adc_domestic, Action::Submit).with_form(form(&f)),
        t0(),
    );
    assert!(guard_reason(&r).contains("排产单"), "{r:?}");
    let mut f = handling(ComplaintRegion::Domestic);
    f.problem.r#where = String::new();
    let r = h.refused(
        Command::fire(&CAST.adc_domestic, Action::Submit).with_form(form(&f)),
        t0(),
    );
    assert!(guard_reason(&r).contains("5W1H where"), "{r:?}");
    // without the form at all
    let r = h.refused(Command::fire(&CAST.adc_domestic, Action::Submit), t0());
    assert!(matches!(r, Rejection::MissingForm { .. }), "{r:?}");
    // the form must match the case opened
    let mut f = handling(ComplaintRegion::Domestic);
    f.customer = "Other".into();
    let r = h.refused(
        Command::fire(&CAST.adc_domestic, Action::Submit).with_form(form(&f)),
        t0(),
    );
    assert!(guard_reason(&r).contains("does not match the case"));
    submit(&h);
    assert_eq!(h.state(), State::Submitted.name());
}

#[test]
fn l661_part_not_returned_needs_evidence_power_supply_barcode_and_front_photo() {
    let h = H::new(ComplaintRegion::Domestic);
    let mut f = handling(ComplaintRegion::Domestic);
    f.goods_returned = false;
    f.not_returned_reason = Some("installed on a 12 m pole".into());
    let photo = |view| Photo {
        view,
        file: "p.jpg".into(),
    };
    // power supply with photos but no barcode: refused (QD-004 §5.1 (004 L661))
    f.defective_parts = vec![DefectEvidence {
        kind: PartKind::PowerSupply,
        barcode: None,
        photos: vec![photo(PhotoView::Front)],
    }];
    let r = h.refused(
        Command::fire(&CAST.adc_domestic, Action::Submit).with_form(form(&f)),
        t0(),
    );
    assert!(guard_reason(&r).contains("barcode"), "{r:?}");
    // barcode without a front photo: refused
    f.defective_parts[0].barcode = Some("PS123".into());
    f.defective_parts[0].photos = vec![photo(PhotoView::Defect)];
    let r = h.refused(
        Command::fire(&CAST.adc_domestic, Action::Submit).with_form(form(&f)),
        t0(),
    );
    assert!(guard_reason(&r).contains("front photo"), "{r:?}");
    // a module needs a defect photo
    f.defective_parts = vec![DefectEvidence {
        kind: PartKind::Module,
        barcode: None,
        photos: vec![photo(PhotoView::Front)],
    }];
    let r = h.refused(
        Command::fire(&CAST.adc_domestic, Action::Submit).with_form(form(&f)),
        t0(),
    );
    assert!(guard_reason(&r).contains("defect photo"), "{r:?}");
    // no reason given
    f.defective_parts[0].photos = vec![photo(PhotoView::Defect)];
    f.not_returned_reason = None;
    let r = h.refused(
        Command::fire(&CAST.adc_domestic, Action::Submit).with_form(form(&f)),
        t0(),
    );
    assert!(guard_reason(&r).contains("reason"), "{r:?}");
    // power supply: barcode + front photo; module: defect photo ⇒ accepted
    f.not_returned_reason = Some("installed on a 12 m pole".into());
    f.defective_parts.push(DefectEvidence {
        kind: PartKind::PowerSupply,
        barcode: Some("PS123".into()),
        photos: vec![photo(PhotoView::Front)],
    });
    h.fire(
        Command::fire(&CAST.adc_domestic, Action::Submit).with_form(form(&f)),
        t0(),
    );
}

#[test]
fn l664_only_the_adc_of_the_region_files_and_talks_to_the_customer() {
    let h = H::new(ComplaintRegion::Domestic);
    let r = h.refused(
        Command::fire(&CAST.adc_international, Action::Submit)
            .with_form(form(&handling(ComplaintRegion::Domestic))),
        t0(),
    );
    assert!(matches!(r, Rejection::Forbidden { .. }));
    let r = h.refused(
        Command::fire(&CAST.adc_domestic, Action::SubmitInternational)
            .with_form(form(&handling(ComplaintRegion::Domestic))),
        t0(),
    );
    assert!(matches!(r, Rejection::Forbidden { .. }));
    let r = h.refused(
        Command::fire(&CAST.cqe, Action::Submit)
            .with_form(form(&handling(ComplaintRegion::Domestic))),
        t0(),
    );
    assert!(matches!(r, Rejection::Forbidden { .. }));
}

// ---------------------------------------------------------------- deadlines (QD-004 §8 (004 L623))

#[test]
fn l623_cqe_responds_within_one_working_day() {
    let h = H::new(ComplaintRegion::Domestic);
    submit(&h);
    // Monday 10:00 + 1 working day = the close of Tuesday
    assert_eq!(
        h.deadline("response").unwrap().due_at,
        local(2026, 11, 17, 18, 0)
    );
    let ev = h.due_events(local(2026, 11, 17, 18, 1));
    assert!(breached(&ev, "response"));
    assert!(
        ev.iter()
            .any(|e| matches!(e, EventKind::Escalated { notify, .. }
        if notify.contains(&Name::new(Role::QualityManager.name()))))
    );
    assert_eq!(
        h.state(),
        State::Submitted.name(),
        "a breach does not move the case"
    );
}

#[test]
fn l623_domestic_analysis_3_and_solve_reply_7_working_days_from_the_form() {
    let h = H::new(ComplaintRegion::Domestic);
    submit(&h);
    // QD-004 §8 (004 L623): 自国内应用设计中心开出《处理单》起 3 / 7 个工作日
    assert_eq!(
        h.deadline("analysis").unwrap().due_at,
        local(2026, 11, 19, 18, 0)
    );
    assert_eq!(
        h.deadline("solve_and_reply").unwrap().due_at,
        local(2026, 11, 25, 18, 0)
    );
    assert!(h.deadline("international_solution").is_none());
    // a form returned for revision does not reset the clocks
    h.fire(
        Command::fire(&CAST.cqe, Action::ReturnForm).with_payload(reason("no 排产单 copy")),
        t0() + Duration::hours(1),
    );
    assert_eq!(h.state(), State::Draft.name());
    // a second `submit` is refused: the revision goes through `resubmit`
    let r = h.refused(
        Command::fire(&CAST.adc_domestic, Action::Submit)
            .with_form(form(&handling(ComplaintRegion::Domestic))),
        t0() + Duration::hours(2),
    );
    assert!(guard_reason(&r).contains("already submitted"));
    h.fire(
        Command::fire(&CAST.adc_domestic, Action::Resubmit)
            .with_form(form(&handling(ComplaintRegion::Domestic))),
        t0() + Duration::days(1),
    );
    assert_eq!(
        h.deadline("solve_and_reply").unwrap().due_at,
        local(2026, 11, 25, 18, 0)
    );
    assert_eq!(
        h.deadline("analysis").unwrap().due_at,
        local(2026, 11, 19, 18, 0)
    );
    // analysis not done by the close of Thursday: breach of `analysis`, not of
    // `solve_and_reply`
    let ev = h.due_events(local(2026, 11, 19, 18, 1));
    assert!(breached(&ev, "analysis") && !breached(&ev, "solve_and_reply"));
    let ev = h.due_events(local(2026, 11, 25, 18, 1));
    assert!(breached(&ev, "solve_and_reply"));
}

#[test]
fn l623_urgent_limit_only_with_the_leadership_sign_off() {
    let h = H::new(ComplaintRegion::Domestic);
    submit(&h);
    let at = t0() + Duration::hours(1);
    let requester = actor("adc.lead", &[Role::AdcDomestic, Role::CompanyLeadership]);
    // a payload cannot set the approval: data is changed only by the procedure's effects
    h.fire(
        Command::fire(&requester, Action::RequestUrgent)
            .with_form(form(&SpecialApprovalRequest {
                reason: "customer line stopped".into(),
            }))
            .with_payload(json!({"urgent": {"granted": true}})),
        at,
    );
    assert!(h.data().urgent.requested && !h.data().urgent.granted);
    // the approval is a sign-off, not a flag
    let r = h.refused(
        Command::fire(&CAST.company_leadership, Action::GrantUrgent),
        at,
    );
    assert!(matches!(r, Rejection::SignOffRequired { .. }), "{r:?}");
    // nobody but the company leadership signs it
    let r = h.refused(
        Command::sign(&CAST.quality_manager, Action::GrantUrgent),
        at,
    );
    assert!(matches!(r, Rejection::Forbidden { .. }), "{r:?}");
    // the requester may not approve their own request, even holding the role
    let r = h.refused(Command::sign(&requester, Action::GrantUrgent), at);
    assert!(matches!(r, Rejection::SeparationOfDuties { .. }), "{r:?}");
    // without the approval the urgent limit does not exist; 7 working days stand
    assert!(h.deadline("urgent_reply").is_none());
    let ev = h.due_events(local(2026, 11, 17, 10, 1));
    assert!(!breached(&ev, "urgent_reply"));
    // the leadership signs on Tuesday: 2 working days counted from the handling form (Monday
    // 10:00, QD-004 §8 (004 L623): 「自…开出《处理单》起」), not from the grant: the close of
    // Wednesday
    let granted_at = local(2026, 11, 17, 11, 0);
    h.sign(&CAST.company_leadership, Action::GrantUrgent, granted_at);
    assert_eq!(
        h.data().urgent.granted_by.unwrap(),
        CAST.company_leadership.id
    );
    // the grant is bound to the request as filed (issue 15): its signature records the
    // digest of the special-approval request form
    let request = serde_json::to_value(SpecialApprovalRequest {
        reason: "customer line stopped".into(),
    })
    .unwrap();
    let signed = h.inst().signatures().last().and_then(|s| s.digest);
    let key = "form:special_approval_request";
    assert_eq!(
        signed,
        Some(aftersales::Digest::of_json(&json!({ key: request })))
    );
    assert_eq!(
        h.deadline("urgent_reply").unwrap().due_at,
        local(2026, 11, 18, 18, 0)
    );
    assert_eq!(
        h.deadline("urgent_reply").unwrap().started_at,
        granted_at,
        "the grant starts the clock; the form anchors the limit"
    );
    // the normal limit keeps running as the outer bound
    assert!(h.deadline("solve_and_reply").unwrap().is_active());
    let ev = h.due_events(local(2026, 11, 18, 18, 1));
    assert!(breached(&ev, "urgent_reply"));
    assert!(
        ev.iter()
            .any(|e| matches!(e, EventKind::Escalated { notify, .. }
        if notify.contains(&Name::new(Role::CompanyLeadership.name()))))
    );
}

#[test]
fn l623_international_warn_at_15_breach_at_30_urgent_3_working_days() {
    let h = H::new(ComplaintRegion::International);
    submit(&h);
    let d = h.deadline("international_solution").unwrap();
    // the close of the 15th / 30th working day
    assert_eq!(d.warn_at, Some(local(2026, 12, 7, 18, 0)));
    assert_eq!(d.due_at, local(2026, 12, 28, 18, 0));
    // the domestic analysis and reply limits do not apply
    assert!(h.deadline("analysis").is_none() && h.deadline("solve_and_reply").is_none());
    // WD 16: target missed, warning only
    let ev = h.due_events(local(2026, 12, 8, 10, 0));
    assert!(warned(&ev, "international_solution"));
    assert!(!breached(&ev, "international_solution"));
    // WD 31: breach
    let ev = h.due_events(local(2026, 12, 29, 10, 0));
    assert!(breached(&ev, "international_solution"));
}

#[test]
fn l623_international_urgent_plan_in_3_working_days() {
    let h = H::new(ComplaintRegion::International);
    submit(&h);
    h.fire(
        Command::fire(&CAST.cqe, Action::RequestUrgent).with_form(form(&SpecialApprovalRequest {
            reason: "export container waiting".into(),
        })),
        t0(),
    );
    h.sign(&CAST.company_leadership, Action::GrantUrgent, t0());
    assert_eq!(
        h.deadline("urgent_reply").unwrap().due_at,
        local(2026, 11, 19, 18, 0)
    );
    // the domestic ADC may not act for an international customer
    let r = h.refused(
        Command::fire(&CAST.adc_domestic, Action::RequestUrgent)
            .with_form(form(&SpecialApprovalRequest { reason: "x".into() })),
        t0(),
    );
    assert!(matches!(
        r,
        Rejection::Forbidden { .. } | Rejection::GuardRejected { .. }
    ));
}

// ---------------------------------------------------------------- containment (QD-004 §5.3 (004 L652, L587))

#[test]
fn l652_containment_checks_wip_and_unshipped_stock() {
    let h = H::new(ComplaintRegion::Domestic);
    submit(&h);
    h.act(&CAST.cqe, Action::Acknowledge, t0());
    let mut c = fx::containment();
    c.checks.retain(|x| x.location == StockLocation::Wip);
    let r = h.refused(
        Command::fire(&CAST.cqe, Action::RecordContainment).with_form(form(&c)),
        t0(),
    );
    assert!(guard_reason(&r).contains("unshipped"), "{r:?}");
    let mut c = fx::containment();
    c.checks[1].qty_suspect = 3;
    c.similar_defect_found = true;
    let r = h.refused(
        Command::fire(&CAST.cqe, Action::RecordContainment).with_form(form(&c)),
        t0(),
    );
    assert!(
        guard_reason(&r).contains("temporary countermeasure"),
        "{r:?}"
    );
    c.temporary_countermeasures = vec![item("100 % test", InfoCategory::General)];
    h.fire(
        Command::fire(&CAST.cqe, Action::RecordContainment).with_form(form(&c)),
        t0(),
    );
    assert_eq!(h.state(), State::Analysis.name());
}

// ---------------------------------------------------------------- pass paths (QD-004 §5.2.1.1 item 1, §5.2.1.1 item 2 (004 L593, L649))

fn restock(sellable: bool) -> RestockRequest {
    RestockRequest {
        sellable_as_new: sellable,
        ..fx::restock()
    }
}

#[test]
fn l649_restock_signed_oqc_then_qm_then_planning_manager() {
    let h = H::new(ComplaintRegion::Domestic);
    to_analysis(&h);
    let at = t0() + Duration::hours(3);
    let filer = actor("cqe.oqc", &[Role::Cqe, Role::OqcInspector]);
    // the restock form only after a replacement was sent (QD-004 §5.2.1.1 item 2 (004 L649))
    let mut bad = restock(false);
    bad.replacement_already_sent = false;
    let r = h.refused(
        Command::fire(&filer, Action::RecordPassRestock)
            .with_form(form(&inspection_pass(GoodsDisposition::Restock, "dim")))
            .with_form(form(&bad)),
        at,
    );
    assert!(guard_reason(&r).contains("replacement"));
    h.fire(
        Command::fire(&filer, Action::RecordPassRestock)
            .with_form(form(&inspection_pass(GoodsDisposition::Restock, "dim")))
            .with_form(form(&restock(false))),
        at,
    );
    assert_eq!(h.state(), State::RestockSignoff.name());
    // the warehouse may not stock in without the signed form (SD9)
    let r = h.refused(Command::fire(&CAST.warehouse, Action::StockIn), at);
    assert!(guard_reason(&r).contains("restock_approved"), "{r:?}");
    // the planning manager signs after the OQC inspector and the QM
    let r = h.refused(
        Command::sign(&CAST.planning_manager, Action::ApproveRestock),
        at,
    );
    assert_eq!(
        r,
        Rejection::SignOutOfOrder {
            action: Action::ApproveRestock.name().into(),
            expected_role: Role::OqcInspector.name().into()
        }
    );
    // the filer may not sign their own form (SD1)
    let r = h.refused(Command::sign(&filer, Action::ApproveRestock), at);
    assert!(matches!(r, Rejection::SeparationOfDuties { .. }), "{r:?}");
    // one person signs one step only, whatever roles they hold
    let both = actor("oqc.qm", &[Role::OqcInspector, Role::QualityManager]);
    h.sign(&both, Action::ApproveRestock, at);
    let r = h.refused(Command::sign(&both, Action::ApproveRestock), at);
    assert!(matches!(r, Rejection::AlreadySigned { .. }), "{r:?}");
    h.sign(&CAST.quality_manager, Action::ApproveRestock, at);
    // a signer without any role of the chain
    let r = h.refused(Command::sign(&CAST.warehouse, Action::ApproveRestock), at);
    assert!(matches!(r, Rejection::Forbidden { .. }), "{r:?}");
    h.sign(&CAST.planning_manager, Action::ApproveRestock, at);
    // lamps not sellable as new: the salesperson's plan (QD-004 §5.2.1.1 item 2 (004 L649))
    h.act(&CAST.warehouse, Action::StockIn, at);
    assert_eq!(h.state(), State::SalesDisposal.name());
    let plan = SalesDisposalPlan {
        items: vec![ItemQty {
            model: "FL-200".into(),
            qty: 6,
        }],
        plan: DisposalPlan::Sample,
        details: "demo units".into(),
    };
    let r = h.refused(
        Command::fire(&CAST.adc_domestic, Action::SubmitDisposalPlan).with_form(form(&plan)),
        at,
    );
    assert!(matches!(r, Rejection::Forbidden { .. }));
    h.fire(
        Command::fire(
            &actor("sales", &[Role::Salesperson]),
            Action::SubmitDisposalPlan,
        )
        .with_form(form(&plan)),
        at,
    );
    h.fire(
        Command::fire(&CAST.adc_domestic, Action::ReplyToCustomer).with_form(form(
            &CustomerReply {
                explanation: Statement::general("units conform; explained the dimming setting"),
                return_shipment_ref: None,
            },
        )),
        at,
    );
    assert_eq!(h.state(), State::Handled.name());
    assert!(h.deadline("solve_and_reply").unwrap().stopped.unwrap().met);
}

#[test]
fn l649_refused_restock_goes_back_to_analysis_and_needs_a_new_form() {
    let h = H::new(ComplaintRegion::Domestic);
    to_analysis(&h);
    h.fire(
        Command::fire(&CAST.cqe, Action::RecordPassRestock)
            .with_form(form(&inspection_pass(GoodsDisposition::Restock, "dim")))
            .with_form(form(&restock(true))),
        after_analysis(),
    );
    h.sign(
        &CAST.oqc_inspector,
        Action::ApproveRestock,
        after_analysis(),
    );
    h.fire(
        Command::refuse(
            &CAST.quality_manager,
            Action::ApproveRestock,
            "scratches on 2 housings",
        ),
        after_analysis(),
    );
    assert_eq!(h.state(), State::Analysis.name());
    let r = h.refused(
        Command::fire(&CAST.cqe, Action::RecordPassRestock)
            .with_form(form(&inspection_pass(GoodsDisposition::Restock, "dim"))),
        after_analysis(),
    );
    // a fresh revision is a stock rule now (`fresh_form`): refused as a missing form
    assert!(
        matches!(r, Rejection::MissingForm { form, .. } if form == FormKind::RestockRequest),
        "{r:?}"
    );
}

#[test]
fn l593_pass_returned_to_customer_needs_the_return_shipment() {
    let h = H::new(ComplaintRegion::Domestic);
    to_analysis(&h);
    h.fire(
        Command::fire(&CAST.cqe, Action::RecordPass).with_form(form(&inspection_pass(
            GoodsDisposition::ReturnToCustomer,
            "dim",
        ))),
        after_analysis(),
    );
    assert_eq!(h.state(), State::PassReply.name());
    let r = h.refused(
        Command::fire(&CAST.adc_domestic, Action::ReplyToCustomer).with_form(form(
            &CustomerReply {
                explanation: Statement::general("no defect"),
                return_shipment_ref: None,
            },
        )),
        after_analysis(),
    );
    assert!(guard_reason(&r).contains("return shipment"));
    h.fire(
        Command::fire(&CAST.adc_domestic, Action::ReplyToCustomer).with_form(form(
            &CustomerReply {
                explanation: Statement::general("no defect"),
                return_shipment_ref: Some("SF-1".into()),
            },
        )),
        after_analysis(),
    );
    assert_eq!(h.state(), State::Handled.name());
}

// ---------------------------------------------------------------- fail and 8D (QD-004 §5.2.2, §5.2.2.7 (004 L669, L650))

#[test]
fn l669_fail_needs_cause_tests_and_feedback() {
    let h = H::new(ComplaintRegion::Domestic);
    to_analysis(&h);
    let mut bad = inspection_fail(true, &[PartKind::Module]);
    bad.feedback_to_adc = None;
    let r = h.refused(
        Command::fire(&CAST.cqe, Action::RecordFail)
            .with_form(form(&bad))
            .with_form(form(&eight_d(Discipline::D2))),
        after_analysis(),
    );
    assert!(guard_reason(&r).contains("feedback"), "{r:?}");
    let mut bad = inspection_fail(true, &[PartKind::Module]);
    bad.cause_analysis = String::new();
    let r = h.refused(
        Command::fire(&CAST.cqe, Action::RecordFail)
            .with_form(form(&bad))
            .with_form(form(&eight_d(Discipline::D2))),
        after_analysis(),
    );
    assert!(guard_reason(&r).contains("cause analysis"), "{r:?}");
}

#[test]
fn eight_d_bad_forms_are_refused_with_a_reason() {
    let h = H::new(ComplaintRegion::Domestic);
    to_analysis(&h);
    // missing discipline: D2 empty at the fail gate
    let mut r8 = eight_d(Discipline::D2);
    r8.d2 = ProblemDescription::default();
    let r = h.refused(
        Command::fire(&CAST.cqe, Action::RecordFail)
            .with_form(form(&inspection_fail(false, &[PartKind::Module])))
            .with_form(form(&r8)),
        after_analysis(),
    );
    assert_eq!(
        guard_reason(&r),
        "eight_d_through_d2: 8D D2 incomplete: 5W1H who is empty"
    );
    // a discipline complete while an earlier one is not (D4 before D3): invalid form
    let mut r8 = eight_d(Discipline::D4);
    r8.d3 = Containment::default();
    let r = h.refused(
        Command::fire(&CAST.cqe, Action::RecordFail)
            .with_form(form(&inspection_fail(false, &[PartKind::Module])))
            .with_form(form(&r8)),
        after_analysis(),
    );
    assert!(
        guard_reason(&r).contains("D4 is complete but D3 is not"),
        "{r:?}"
    );
    h.fire(
        Command::fire(&CAST.cqe, Action::RecordFail)
            .with_form(form(&inspection_fail(false, &[PartKind::Module])))
            .with_form(form(&eight_d(Discipline::D2))),
        after_analysis(),
    );
    h.fire(
        Command::fire(&CAST.cqe, Action::CompleteRemediation),
        after_analysis(),
    );
    // empty root cause of escape (product decision `PD-8D`): the D5 gate refuses
    let mut r8 = eight_d(Discipline::D3);
    r8.d4.occurrence = vec![Statement::general("low reflow")];
    r8.d4.escape = vec![Statement::general("  ")];
    r8.d4.methods = vec![AnalysisMethod::Test];
    r8.d4.verification = Statement::general("reproduced");
    let r = h.refused(
        Command::fire(&CAST.cqe, Action::ResolveWithinQuality)
            .with_form(form(&plan()))
            .with_form(form(&r8)),
        after_analysis(),
    );
    assert_eq!(
        guard_reason(&r),
        "eight_d_through_d5: 8D D4 incomplete: the root cause of escape is empty"
    );
    // with D5 filled in, the form itself is refused: D5 may not complete before D4
    r8.d5 = eight_d(Discipline::D5).d5;
    let r = h.refused(
        Command::fire(&CAST.cqe, Action::ResolveWithinQuality)
            .with_form(form(&plan()))
            .with_form(form(&r8)),
        after_analysis(),
    );
    assert_eq!(
        guard_reason(&r),
        "eight_d_report: 8D D5 is complete but D4 is not (the root cause of escape is empty): \
         disciplines complete in order"
    );
    // D5 without an action on the escape cause (CE-CAPA §2.3 (002 L90–91))
    let mut r8 = eight_d(Discipline::D5);
    r8.d5
        .actions
        .retain(|a| a.addresses == Addresses::Occurrence);
    let r = h.refused(
        Command::fire(&CAST.cqe, Action::ResolveWithinQuality)
            .with_form(form(&plan()))
            .with_form(form(&r8)),
        after_analysis(),
    );
    assert!(guard_reason(&r).contains("escape cause"), "{r:?}");
    // an action without an owner
    let mut r8 = eight_d(Discipline::D5);
    r8.d5.actions[0].owner = String::new();
    let r = h.refused(
        Command::fire(&CAST.cqe, Action::ResolveWithinQuality)
            .with_form(form(&plan()))
            .with_form(form(&r8)),
        after_analysis(),
    );
    assert!(guard_reason(&r).contains("no owner"), "{r:?}");
    // D6 referring to an action D5 does not have
    let mut r8 = eight_d(Discipline::D6);
    r8.d6.implemented[0].action_id = "A9".into();
    let r = h.refused(
        Command::fire(&CAST.cqe, Action::UpdateEightD).with_form(form(&r8)),
        after_analysis(),
    );
    assert!(guard_reason(&r).contains("A9"));
    // review gate: D6a incomplete
    h.fire(
        Command::fire(&CAST.cqe, Action::ResolveWithinQuality)
            .with_form(form(&plan()))
            .with_form(form(&eight_d(Discipline::D5))),
        after_analysis(),
    );
    let mut r8 = eight_d(Discipline::D7);
    r8.d6.implemented.pop();
    let r = h.refused(
        Command::fire(&CAST.cqe, Action::SubmitForReview).with_form(form(&r8)),
        after_analysis(),
    );
    assert!(
        guard_reason(&r).contains("action `A2` is not implemented"),
        "{r:?}"
    );
}

#[test]
fn eight_d_discipline_checks() {
    let r = eight_d(Discipline::D7);
    assert_eq!(r.complete_through(), Some(Discipline::D7));
    assert!(r.validate().is_ok());
    assert!(r.check_effective().is_err());
    assert_eq!(
        eight_d(Discipline::D8).complete_through(),
        Some(Discipline::D8)
    );
    assert_eq!(EightDReport::default().complete_through(), None);
    // D7 may say "nothing further" with a reason
    let mut r = eight_d(Discipline::D6);
    assert!(r.check(Discipline::D7).is_err());
    r.d7.none_needed_reason = Some("one-off transport damage".into());
    assert!(r.check(Discipline::D7).is_ok());
}

// ---------------------------------------------------------------- remediation (QD-004 (004 L658–671))

fn requisition(involves: &[PartKind]) -> MaterialRequisition {
    MaterialRequisition {
        no: "LL-1".into(),
        items: vec![PartQty {
            part_no: "PS-60W".into(),
            qty: 6,
        }],
        involves: involves.iter().cloned().collect(),
        special_requirement: false,
        slow_stock_insufficient: false,
    }
}

fn shipment() -> ShipmentRecord {
    ShipmentRecord {
        courier_ref: "SF-9".into(),
        qty: 6,
        shipped_on: date(11, 20),
    }
}

#[test]
fn l659_requisition_qm_then_planning_manager_and_burn_in_for_power_supplies() {
    let h = H::new(ComplaintRegion::Domestic);
    to_remediation(&h, true, &[PartKind::Module]);
    let at = t0() + Duration::hours(4);
    let requester = actor("cqe.qm", &[Role::Cqe, Role::QualityManager]);
    h.fire(
        Command::fire(&requester, Action::RequestMaterial)
            .with_form(form(&requisition(&[PartKind::PowerSupply]))),
        at,
    );
    let r = h.refused(Command::fire(&CAST.warehouse, Action::IssueMaterial), at);
    assert!(guard_reason(&r).contains("requisition_approved"));
    let r = h.refused(
        Command::sign(&CAST.planning_manager, Action::ApproveRequisition),
        at,
    );
    assert!(matches!(r, Rejection::SignOutOfOrder { .. }), "{r:?}");
    let r = h.refused(Command::sign(&requester, Action::ApproveRequisition), at);
    assert!(matches!(r, Rejection::SeparationOfDuties { .. }), "{r:?}");
    h.sign(&CAST.quality_manager, Action::ApproveRequisition, at);
    h.sign(&CAST.planning_manager, Action::ApproveRequisition, at);
    let r = h.refused(Command::fire(&CAST.cqe, Action::InspectMaterial), at);
    assert!(guard_reason(&r).contains("material_issued"));
    h.act(&CAST.warehouse, Action::IssueMaterial, at);
    // power supply involved: burn-in before shipping (QD-004 §5.2.2.4 (004 L659))
    h.act(&CAST.cqe, Action::InspectMaterial, at);
    assert_eq!(h.state(), State::BurnIn.name());
    h.fire(
        Command::fire(
            &actor("mfg", &[Role::Manufacturing]),
            Action::RecordBurnInPass,
        ),
        at,
    );
    assert_eq!(h.state(), State::Remediation.name());
    // remediation is not complete while ready goods are not shipped
    let r = h.refused(Command::fire(&CAST.cqe, Action::CompleteRemediation), at);
    assert!(guard_reason(&r).contains("not shipped"));
    h.fire(
        Command::fire(&CAST.cqe, Action::ShipToCustomer).with_form(form(&shipment())),
        at,
    );
    // nothing left to ship
    let r = h.refused(
        Command::fire(&CAST.cqe, Action::ShipToCustomer).with_form(form(&shipment())),
        at,
    );
    assert!(guard_reason(&r).contains("goods_ready"));
    // a lamp-only requisition ships without burn-in
    h.fire(
        Command::fire(&CAST.cqe, Action::RequestMaterial)
            .with_form(form(&requisition(&[PartKind::Lamp]))),
        at,
    );
    h.sign(&CAST.quality_manager, Action::ApproveRequisition, at);
    h.sign(&CAST.planning_manager, Action::ApproveRequisition, at);
    h.act(&CAST.warehouse, Action::IssueMaterial, at);
    h.act(&CAST.cqe, Action::InspectMaterial, at);
    assert_eq!(h.state(), State::Remediation.name());
    assert_eq!(h.data().goods_ready, 2);
}

#[test]
fn l666_production_notice_qm_then_vp_emailed_bom_before_scheduling() {
    let h = H::new(ComplaintRegion::Domestic);
    to_remediation(&h, true, &[PartKind::Lamp]);
    let at = t0() + Duration::hours(4);
    let notice = ProductionNotice {
        no: "PC-1".into(),
        model: "FL-200".into(),
        qty: 50,
        required_date: date(11, 30),
        involves: [PartKind::Lamp].into(),
    };
    h.fire(
        Command::fire(&CAST.cqe, Action::RequestProduction).with_form(form(&notice)),
        at,
    );
    let r = h.refused(
        Command::sign(&CAST.vice_president, Action::ApproveProductionNotice),
        at,
    );
    assert!(matches!(r, Rejection::SignOutOfOrder { .. }), "{r:?}");
    let r = h.refused(Command::fire(&CAST.cqe, Action::EmailNotice), at);
    assert!(guard_reason(&r).contains("notice_approved"));
    h.sign(&CAST.quality_manager, Action::ApproveProductionNotice, at);
    h.sign(&CAST.vice_president, Action::ApproveProductionNotice, at);
    let sdc = actor("sdc", &[Role::StrategicDesignCenter]);
    let bom = BomRelease {
        bom_ref: "BOM-FL200-C".into(),
    };
    let r = h.refused(
        Command::fire(&sdc, Action::ProvideBom).with_form(form(&bom)),
        at,
    );
    assert!(guard_reason(&r).contains("notice_emailed"));
    h.act(&CAST.cqe, Action::EmailNotice, at);
    assert_eq!(
        h.data().production.emailed_to,
        vec![
            Role::StrategicDesignCenter.name().to_owned(),
            Role::PlanningManager.name().to_owned()
        ]
    );
    let r = h.refused(
        Command::fire(&CAST.planning_manager, Action::ScheduleProduction),
        at,
    );
    assert!(guard_reason(&r).contains("BOM"));
    h.fire(
        Command::fire(&sdc, Action::ProvideBom).with_form(form(&bom)),
        at,
    );
    h.act(&CAST.planning_manager, Action::ScheduleProduction, at);
    h.act(&CAST.planning_manager, Action::RecordProductionDone, at);
    h.act(&CAST.cqe, Action::InspectOutput, at);
    assert_eq!(h.state(), State::Remediation.name());
}

fn liaison(source: MaterialSource, involves: &[PartKind]) -> WorkLiaison {
    WorkLiaison {
        no: "GZ-1".into(),
        repair_description: "replace drivers".into(),
        material_source: source,
        involves: involves.iter().cloned().collect(),
        copies: CopyRouting {
            red_with_goods_to: "制造部".into(),
            white_filed_with: "生管".into(),
        },
    }
}

/// The red copy travels with the goods to production, the white copy stays with production
/// control (RET-PC handling item 1 (004 L19)): a work liaison without either is refused.
#[test]
fn ret_pc_item1_red_copy_with_the_goods_white_copy_filed() {
    let mut l = liaison(MaterialSource::SlowStock, &[]);
    assert!(l.validate().is_ok());
    l.copies.white_filed_with = " ".into();
    assert!(l.validate().unwrap_err().contains("white copy"));
    l.copies.white_filed_with = "生管".into();
    l.copies.red_with_goods_to = String::new();
    assert!(l.validate().unwrap_err().contains("red copy"));
    let h = H::new(ComplaintRegion::Domestic);
    to_remediation(&h, true, &[PartKind::Module]);
    let r = h.refused(
        Command::fire(&CAST.cqe, Action::RequestRepair).with_form(form(&l)),
        t0() + Duration::hours(4),
    );
    assert!(matches!(r, Rejection::InvalidForm { .. }), "{r:?}");
}

/// Goods that cannot be repaired are remade on sales' order (RET-PC handling item 3
/// (004 L21)): the salesperson places it, nobody else.
#[test]
fn ret_pc_item3_sales_places_the_remake_order() {
    let h = H::new(ComplaintRegion::Domestic);
    to_remediation(&h, true, &[PartKind::Module]);
    let at = t0() + Duration::hours(4);
    let order = RemakeOrder {
        order_ref: "SO-7781".into(),
        quantity: 6,
        not_repairable_because: "housing cracked, no spare housings".into(),
    };
    let r = h.refused(
        Command::fire(&CAST.cqe, Action::PlaceRemakeOrder).with_form(form(&order)),
        at,
    );
    assert!(matches!(r, Rejection::Forbidden { .. }), "{r:?}");
    let sales = CAST.salesperson.clone();
    h.fire(
        Command::fire(&sales, Action::PlaceRemakeOrder).with_form(form(&order)),
        at,
    );
    let body = h
        .inst()
        .latest_form(FormKind::RemakeOrder.as_ref())
        .cloned();
    assert_eq!(body.unwrap()["order_ref"], "SO-7781");
    let blank = RemakeOrder {
        not_repairable_because: String::new(),
        ..order
    };
    assert!(blank.validate().unwrap_err().contains("cannot be repaired"));
}

#[test]
fn l667_work_liaison_requisition_only_when_justified() {
    let h = H::new(ComplaintRegion::Domestic);
    to_remediation(&h, true, &[PartKind::Module]);
    let at = t0() + Duration::hours(4);
    // slow-moving stock first: no requisition when stock suffices and nothing special
    let r = h.refused(
        Command::fire(&CAST.cqe, Action::RequestRepair)
            .with_form(form(&liaison(MaterialSource::SlowStock, &[])))
            .with_form(form(&requisition(&[]))),
        at,
    );
    assert!(guard_reason(&r).contains("slow-moving stock"), "{r:?}");
    let r = h.refused(
        Command::fire(&CAST.cqe, Action::RequestRepair)
            .with_form(form(&liaison(MaterialSource::Requisition, &[])))
            .with_form(form(&requisition(&[]))),
        at,
    );
    assert!(guard_reason(&r).contains("special requirement"), "{r:?}");
    let mut req = requisition(&[PartKind::Module]);
    req.slow_stock_insufficient = true;
    h.fire(
        Command::fire(&CAST.cqe, Action::RequestRepair)
            .with_form(form(&liaison(MaterialSource::Requisition, &[])))
            .with_form(form(&req)),
        at,
    );
    let rdl = actor("rdl", &[Role::RelatedDepartmentLeader]);
    let r = h.refused(Command::sign(&rdl, Action::ApproveWorkLiaison), at);
    assert!(matches!(r, Rejection::SignOutOfOrder { .. }), "{r:?}");
    h.sign(&CAST.quality_manager, Action::ApproveWorkLiaison, at);
    h.sign(&rdl, Action::ApproveWorkLiaison, at);
    let r = h.refused(Command::fire(&CAST.warehouse, Action::SupplyMaterial), at);
    assert!(guard_reason(&r).contains("requisition"), "{r:?}");
    h.sign(&CAST.quality_manager, Action::ApproveRequisition, at);
    h.sign(&CAST.planning_manager, Action::ApproveRequisition, at);
    h.act(&CAST.warehouse, Action::SupplyMaterial, at);
    // the module in the requisition means burn-in (QD-004 §5.2.2.6 (004 L667))
    h.fire(
        Command::fire(
            &actor("mfg", &[Role::Manufacturing]),
            Action::HandOverRepaired,
        ),
        at,
    );
    assert_eq!(h.state(), State::BurnIn.name());
}

#[test]
fn l507_scrap_related_departments_then_adc_vp_executed_by_warehouse_head() {
    let h = H::new(ComplaintRegion::Domestic);
    to_remediation(&h, true, &[PartKind::Module]);
    let at = t0() + Duration::hours(4);
    let scrap = ScrapRequest {
        no: "BF-1".into(),
        items: vec![ScrapItem {
            part_no: "HOUSING".into(),
            qty: 4,
            reason: ScrapReason::Deformed,
        }],
    };
    h.fire(
        Command::fire(&CAST.cqe, Action::RequestScrap).with_form(form(&scrap)),
        at,
    );
    let adc_vp = actor("adc.vp", &[Role::AdcVicePresident]);
    let rdl = actor("rdl", &[Role::RelatedDepartmentLeader]);
    // the VP of QD-004 §5.2.2.5 (004 L666) is not the approver of scrap (QD-004 §9 note 1 (004 L507))
    let r = h.refused(
        Command::sign(&CAST.vice_president, Action::ApproveScrap),
        at,
    );
    assert!(matches!(r, Rejection::Forbidden { .. }), "{r:?}");
    let r = h.refused(Command::sign(&adc_vp, Action::ApproveScrap), at);
    assert!(matches!(r, Rejection::SignOutOfOrder { .. }), "{r:?}");
    // the inspector reports but does not dispose (SD4)
    let oqc_leader = actor(
        "oqc.rdl",
        &[Role::OqcInspector, Role::RelatedDepartmentLeader],
    );
    let r = h.refused(Command::sign(&oqc_leader, Action::ApproveScrap), at);
    assert!(matches!(r, Rejection::SeparationOfDuties { .. }), "{r:?}");
    let r = h.refused(
        Command::fire(&actor("whh", &[Role::WarehouseHead]), Action::ExecuteScrap),
        at,
    );
    assert!(guard_reason(&r).contains("scrap_approved"));
    h.sign(&rdl, Action::ApproveScrap, at);
    h.sign(&adc_vp, Action::ApproveScrap, at);
    // the CQE who failed the goods may not execute the scrap, even as warehouse head
    let cqe_whh = actor("cqe", &[Role::Cqe, Role::WarehouseHead]);
    let r = h.refused(Command::fire(&cqe_whh, Action::ExecuteScrap), at);
    assert!(matches!(r, Rejection::SeparationOfDuties { .. }), "{r:?}");
    let r = h.refused(Command::fire(&CAST.warehouse, Action::ExecuteScrap), at);
    assert!(matches!(r, Rejection::Forbidden { .. }), "{r:?}");
    h.act(
        &actor("whh", &[Role::WarehouseHead]),
        Action::ExecuteScrap,
        at,
    );
    assert_eq!(h.state(), State::Remediation.name());
}

#[test]
fn l671_cqe_disassembles_only_after_the_adc_cannot_issue_a_plan() {
    let h = H::new(ComplaintRegion::Domestic);
    to_remediation(&h, false, &[PartKind::Lamp]);
    let at = t0() + Duration::hours(4);
    h.act(&CAST.cqe, Action::PlanRework, at);
    let disassembly = ReworkPlan {
        kind: ReworkKind::CqeDisassembly,
        steps: vec![],
        parts_by_category: vec![PartsCategory {
            category: "drivers".into(),
            qty: 6,
        }],
        customer_confirmation: None,
    };
    let r = h.refused(
        Command::fire(&CAST.cqe, Action::Disassemble).with_form(form(&disassembly)),
        at,
    );
    assert!(guard_reason(&r).contains("rework_declined"), "{r:?}");
    // the ADC's plan must be an ADC plan
    let r = h.refused(
        Command::fire(&CAST.adc_domestic, Action::IssueReworkPlan).with_form(form(&disassembly)),
        at,
    );
    assert!(guard_reason(&r).contains("rework_plan_matches"));
    h.fire(
        Command::fire(&CAST.adc_domestic, Action::DeclinePlan)
            .with_payload(reason("no spare housings")),
        at,
    );
    h.fire(
        Command::fire(&CAST.cqe, Action::Disassemble).with_form(form(&disassembly)),
        at,
    );
    assert_eq!(h.state(), State::Remediation.name());
}

// ---------------------------------------------------------------- supplier (QD-004 §7.1, §5.2.2.1 (004 L599–601, L670))

fn referral(returned: bool) -> SupplierReferral {
    SupplierReferral {
        supplier: "PowerCo".into(),
        part_kind: PartKind::PowerSupply,
        quality_agreement_clause: "QA §4.2".into(),
        material_returned_on: returned.then(|| date(11, 17)),
    }
}

#[test]
fn l670_failed_power_supply_goes_back_to_the_supplier_first() {
    let h = H::new(ComplaintRegion::Domestic);
    to_remediation(&h, true, &[PartKind::PowerSupply]);
    let r = h.refused(
        Command::fire(&CAST.cqe, Action::CompleteRemediation),
        after_remediation(),
    );
    assert!(guard_reason(&r).contains("supplier"), "{r:?}");
}

#[test]
fn l601_non_batch_supplier_8d_within_two_working_days() {
    let h = H::new(ComplaintRegion::Domestic);
    to_remediation(&h, true, &[PartKind::PowerSupply]);
    let at = t0() + Duration::hours(4); // Monday 14:00
    let r = h.refused(
        Command::fire(&CAST.cqe, Action::ReturnToSupplier).with_form(form(&referral(false))),
        at,
    );
    assert!(guard_reason(&r).contains("material_returned"));
    h.fire(
        Command::fire(&CAST.cqe, Action::ReturnToSupplier).with_form(form(&referral(true))),
        at,
    );
    // the close of the 2nd working day
    assert_eq!(
        h.deadline("supplier_8d").unwrap().due_at,
        local(2026, 11, 18, 18, 0)
    );
    let r = h.refused(
        Command::fire(&CAST.cqe, Action::RecordSupplierMeeting).with_form(form(&SupplierMeeting {
            attendees: vec!["PowerCo".into(), "cqe".into()],
            minutes: "m".into(),
            solution: "s".into(),
        })),
        at,
    );
    assert!(guard_reason(&r).contains("not a batch referral"));
    let ev = h.due_events(local(2026, 11, 18, 18, 1));
    assert!(breached(&ev, "supplier_8d"));
    h.fire(
        Command::fire(&CAST.cqe, Action::RecordSupplier8d).with_form(form(&Supplier8d {
            report_ref: "PowerCo-8D-77".into(),
            root_cause: "capacitor lot".into(),
            handling_plan: "replace 6 drivers, screen lot".into(),
        })),
        local(2026, 11, 19, 9, 0),
    );
    let d = h.deadline("supplier_8d").unwrap();
    assert!(!d.stopped.unwrap().met);
    assert!(h.data().supplier.replenishment_open);
    h.act(
        &CAST.cqe,
        Action::CompleteRemediation,
        local(2026, 11, 19, 10, 0),
    );
}

#[test]
fn l600_batch_supplier_defect_needs_the_meeting() {
    let h = H::new(ComplaintRegion::Domestic);
    to_remediation(&h, true, &[PartKind::PowerSupply]);
    h.fire(
        Command::fire(&CAST.cqe, Action::ReferToSupplierBatch).with_form(form(&referral(false))),
        after_remediation(),
    );
    assert!(
        h.deadline("supplier_8d").is_none(),
        "no 2-day limit on a batch case"
    );
    let r = h.refused(
        Command::fire(&CAST.cqe, Action::RecordSupplierMeeting).with_form(form(&SupplierMeeting {
            attendees: vec!["cqe".into()],
            minutes: "m".into(),
            solution: "s".into(),
        })),
        after_remediation(),
    );
    assert!(guard_reason(&r).contains("supplier and our staff"));
    h.fire(
        Command::fire(&CAST.cqe, Action::RecordSupplierMeeting).with_form(form(&SupplierMeeting {
            attendees: vec!["PowerCo".into(), "cqe".into()],
            minutes: "meeting 11-17".into(),
            solution: "replace the lot".into(),
        })),
        after_remediation(),
    );
    h.fire(
        Command::fire(&CAST.cqe, Action::RecordSupplierReplenishment).with_form(form(
            &Replenishment {
                qty: 500,
                received_on: date(11, 20),
            },
        )),
        after_remediation(),
    );
    assert!(!h.data().supplier.replenishment_open);
}

// ---------------------------------------------------------------- review and sending (QD-004 §5.2.2.8, §5.3.4 (004 L651, L654))

#[test]
fn l651_serious_review_qm_then_head_then_vp() {
    let h = H::new(ComplaintRegion::Domestic);
    to_review(&h, true);
    let at = t0() + Duration::hours(7);
    let r = h.refused(
        Command::sign(&CAST.quality_department_head, Action::ApproveReport),
        at,
    );
    assert!(matches!(r, Rejection::SignOutOfOrder { .. }), "{r:?}");
    // the CQE who compiled the report may not review it
    let cqe_qm = actor("cqe", &[Role::Cqe, Role::QualityManager]);
    let r = h.refused(Command::sign(&cqe_qm, Action::ApproveReport), at);
    assert!(matches!(r, Rejection::SeparationOfDuties { .. }), "{r:?}");
    h.sign(&CAST.quality_manager, Action::ApproveReport, at);
    h.sign(&CAST.quality_department_head, Action::ApproveReport, at);
    // serious: QM + head are not enough (QD-004 §5.2.2.8 (004 L651) 必要时报副总裁审阅)
    assert!(!h.data().approved.contains(Action::ApproveReport.name()));
    let red = complaint::outgoing_report(&h.inst(), h.cfg())
        .unwrap()
        .unwrap();
    let r = h.refused(
        Command::fire(&CAST.cqe, Action::ForwardToAdc).with_form(form(&red.report)),
        at,
    );
    assert!(guard_reason(&r).contains("report_approved"));
    h.sign(&CAST.vice_president, Action::ApproveReport, at);
    assert!(h.data().approved.contains(Action::ApproveReport.name()));
    // serious ⇒ the full 8D goes out
    assert_eq!(red.report.kind, ReportKind::EightD);
}

#[test]
fn l654_general_measures_reply_needs_qm_and_head_only() {
    let h = H::new(ComplaintRegion::Domestic);
    to_review(&h, false);
    approve(&h, false);
    assert!(h.data().approved.contains(Action::ApproveReport.name()));
    let red = complaint::outgoing_report(&h.inst(), h.cfg())
        .unwrap()
        .unwrap();
    // general and not asked for: the measures reply, not the 8D
    assert_eq!(red.report.kind, ReportKind::MeasuresReply);
    assert!(!red.report.to_string().contains("D1 Team"));
}

#[test]
fn l651_referral_to_the_vp_adds_the_vp_to_the_chain() {
    let h = H::new(ComplaintRegion::Domestic);
    to_review(&h, false);
    let at = t0() + Duration::hours(7);
    h.sign(&CAST.quality_manager, Action::ApproveReport, at);
    h.fire(
        Command::fire(&CAST.quality_department_head, Action::ReferToVp)
            .with_payload(reason("key account")),
        at,
    );
    // The quality manager's signature stands; the head signs, then the VP.
    h.sign(&CAST.quality_department_head, Action::ApproveReport, at);
    assert!(!h.data().approved.contains(Action::ApproveReport.name()));
    h.sign(&CAST.vice_president, Action::ApproveReport, at);
    assert!(h.data().approved.contains(Action::ApproveReport.name()));
}

#[test]
fn l651_only_the_adc_sends_and_only_the_approved_filtered_package() {
    let h = H::new(ComplaintRegion::Domestic);
    to_review(&h, false);
    // a reviewer may not attach another revision while signing: what is approved is the
    // revision submitted for review (stock rule `attach`: only the CQE's 8D actions attach it)
    let at = t0() + Duration::hours(7);
    h.sign(&CAST.quality_manager, Action::ApproveReport, at);
    let r = h.refused(
        Command::sign(&CAST.quality_department_head, Action::ApproveReport)
            .with_form(form(&eight_d(Discipline::D7))),
        at,
    );
    assert!(
        matches!(r, Rejection::FormNotAttachable { ref form, ref action }
            if form == FormKind::EightDReport.name() && action == Action::ApproveReport.name()),
        "{r:?}"
    );
    // back through review
    h.fire(
        Command::refuse(
            &CAST.quality_department_head,
            Action::ApproveReport,
            "resubmit the revision",
        ),
        at,
    );
    assert_eq!(h.state(), State::CorrectiveAction.name());
    h.fire(
        Command::fire(&CAST.cqe, Action::ResolveWithinQuality)
            .with_form(form(&plan()))
            .with_form(form(&eight_d(Discipline::D5))),
        at,
    );
    h.fire(
        Command::fire(&CAST.cqe, Action::SubmitForReview).with_form(form(&eight_d(Discipline::D7))),
        at,
    );
    approve(&h, false);
    // a package that is not the filtered rendering is refused (QD-004 §3.6 (004 L628))
    let mut leaked = complaint::outgoing_report(&h.inst(), h.cfg())
        .unwrap()
        .unwrap()
        .report;
    leaked.sections[1].lines[0] = "occurrence: reflow peak too low".into();
    let r = h.refused(
        Command::fire(&CAST.cqe, Action::ForwardToAdc).with_form(form(&leaked)),
        at,
    );
    assert!(guard_reason(&r).contains("filtered rendering"), "{r:?}");
    let red = complaint::outgoing_report(&h.inst(), h.cfg())
        .unwrap()
        .unwrap();
    h.fire(
        Command::fire(&CAST.cqe, Action::ForwardToAdc).with_form(form(&red.report)),
        at,
    );
    // the CQE never sends to the customer (QD-004 §5.2.2.8, §4.1 (004 L651, L664))
    let r = h.refused(Command::fire(&CAST.cqe, Action::SendToCustomer), at);
    assert!(matches!(r, Rejection::Forbidden { .. }), "{r:?}");
    // the ADC forwards exactly what it received: it may not attach a package of its own
    let r = h.refused(
        Command::fire(&CAST.adc_domestic, Action::SendToCustomer).with_form(form(&red.report)),
        at,
    );
    assert!(
        matches!(r, Rejection::FormNotAttachable { ref form, ref action }
            if form == FormKind::OutgoingReport.name() && action == Action::SendToCustomer.name()),
        "{r:?}"
    );
    h.act(&CAST.adc_domestic, Action::SendToCustomer, at);
    assert_eq!(h.state(), State::EffectivenessCheck.name());
    assert!(h.deadline("solve_and_reply").unwrap().stopped.unwrap().met);
}

#[test]
fn l651_customer_request_sends_the_8d_even_when_general() {
    let h = H::new(ComplaintRegion::Domestic);
    to_corrective(&h, false);
    h.act(
        &CAST.adc_domestic,
        Action::RecordCustomer8dRequest,
        t0() + Duration::hours(5),
    );
    assert_eq!(
        complaint::outgoing_kind(&h.inst(), h.cfg()).unwrap(),
        ReportKind::EightD
    );
}

// ---------------------------------------------------------------- confidentiality (QD-004 §3.6 (004 L628))

fn supplier(name: &str, commodity: Commodity) -> InfoCategory {
    InfoCategory::RawMaterialSupplier(SupplierRef::new(name, commodity))
}

fn led(maker: &str, family: &str) -> Commodity {
    Commodity::LedPackage {
        maker: maker.into(),
        family: family.into(),
    }
}

#[test]
fn l628_filter_decisions() {
    let p = ConfidentialityPolicy::default();
    let withheld = |c: InfoCategory| matches!(p.decide(Some(&c)), Disclosure::Withhold(_));
    // 生产技术、生产流程、生产工艺、原材料供应商
    assert!(withheld(InfoCategory::ProductionTechnology));
    assert!(withheld(InfoCategory::ProductionFlow));
    assert!(withheld(InfoCategory::ProductionProcess));
    assert!(withheld(supplier("PCB Co", Commodity::Other("PCB".into()))));
    // allowed: power supply, wire except waterproof connectors, Philips Luxeon T / Rebel ES
    assert!(!withheld(supplier("PowerCo", Commodity::PowerSupply)));
    assert!(!withheld(supplier(
        "WireCo",
        Commodity::Wire {
            waterproof_connector: false
        }
    )));
    assert!(withheld(supplier(
        "WireCo",
        Commodity::Wire {
            waterproof_connector: true
        }
    )));
    assert!(!withheld(supplier("Philips", led("Philips", "Luxeon T"))));
    assert!(!withheld(supplier("Philips", led("PHILIPS", "rebel   es"))));
    assert!(!withheld(supplier("飞利浦", led("飞利浦", "Luxeon T"))));
    assert!(withheld(supplier("Philips", led("Philips", "Luxeon 3535"))));
    assert!(withheld(supplier("Other", led("Cree", "Luxeon T"))));
    assert!(!withheld(InfoCategory::General));
    assert_eq!(p.decide(None), Disclosure::Unclassified);
    // configurable: a host discloses flow information and adds a confidential category
    let mut p2 = p.clone();
    p2.withheld.remove(&ConfidentialCategory::ProductionFlow);
    p2.withheld_other.insert("pricing".into());
    assert_eq!(
        p2.decide(Some(&InfoCategory::ProductionFlow)),
        Disclosure::Disclose
    );
    assert!(matches!(
        p2.decide(Some(&InfoCategory::Other("pricing".into()))),
        Disclosure::Withhold(_)
    ));
    // and maps an alias (Luxeon is sold under Lumileds today)
    p2.maker_aliases
        .entry("Philips".into())
        .or_default()
        .push("Lumileds".into());
    assert_eq!(
        p2.decide(Some(&supplier("Lumileds", led("Lumileds", "Luxeon T")))),
        Disclosure::Disclose
    );
}

#[test]
fn l628_filter_on_a_real_8d_withholds_and_allows() {
    let mut r = eight_d(Discipline::D7);
    r.d4.occurrence = vec![
        Statement::new(
            "reflow peak 235 °C too low",
            InfoCategory::ProductionProcess,
        ),
        Statement::new(
            "driver from PowerCo, capacitor lot 2241",
            supplier("PowerCo", Commodity::PowerSupply),
        ),
        Statement::new(
            "Luxeon T LEDs from Philips within spec",
            supplier("Philips", led("Philips", "Luxeon T")),
        ),
        Statement::new(
            "waterproof connector from SealCo leaks",
            supplier(
                "SealCo",
                Commodity::Wire {
                    waterproof_connector: true,
                },
            ),
        ),
        Statement::new(
            "LED package 3030 from Shenzhen LED Ltd",
            supplier("Shenzhen LED Ltd", led("Shenzhen LED", "3030")),
        ),
    ];
    r.d4.escape = vec![Statement::new(
        "AOI station skipped at line 3",
        InfoCategory::ProductionFlow,
    )];
    r.d7.standardisation = vec![item(
        "SMT reflow recipe R-17 locked",
        InfoCategory::ProductionTechnology,
    )];
    let red = redact_8d(
        "KS-9",
        &r,
        ReportKind::EightD,
        &ConfidentialityPolicy::default(),
    );
    let text = red.report.to_string();
    assert!(red.is_sendable());
    for secret in ["235 °C", "SealCo", "Shenzhen LED", "AOI station", "R-17"] {
        assert!(!text.contains(secret), "{secret} leaked:\n{text}");
    }
    for allowed in ["PowerCo", "Luxeon T LEDs from Philips", "longer final test"] {
        assert!(text.contains(allowed), "{allowed} missing:\n{text}");
    }
    // The D0 symptom is free text nobody categorised or released: withheld (issue 15,
    // finding 6; tests/complaint_confidentiality.rs covers releases).
    assert!(!text.contains("flicker"), "free text leaked:\n{text}");
    let categorised: Vec<_> = red
        .withheld
        .iter()
        .filter(|w| w.rule != complaint::forms::outgoing::FREE_TEXT_RULE)
        .collect();
    let withheld: Vec<&str> = categorised.iter().map(|w| w.location.as_str()).collect();
    assert_eq!(
        withheld,
        [
            "D4 occurrence #1",
            "D4 occurrence #4",
            "D4 occurrence #5",
            "D4 escape #1",
            "D5 action #1",
            "D7 standardisation #1"
        ]
    );
    assert!(categorised[0].rule.contains("生产工艺"));
    assert!(categorised[1].rule.contains("SealCo"));
    // serialisable, and the serialised report holds nothing withheld either
    let json = serde_json::to_string(&red.report).unwrap();
    assert!(!json.contains("235 °C"));
}

#[test]
fn l628_unclassified_statement_blocks_the_review() {
    let h = H::new(ComplaintRegion::Domestic);
    to_corrective(&h, true);
    h.fire(
        Command::fire(&CAST.cqe, Action::ResolveWithinQuality)
            .with_form(form(&plan()))
            .with_form(form(&eight_d(Discipline::D5))),
        after_corrective(),
    );
    let mut r8 = eight_d(Discipline::D7);
    r8.d4.escape = vec![Statement::unclassified("burn-in rack 4 was off")];
    let r = h.refused(
        Command::fire(&CAST.cqe, Action::SubmitForReview).with_form(form(&r8)),
        after_corrective(),
    );
    assert_eq!(
        guard_reason(&r),
        "outgoing_classified: unclassified statements may not leave the company (QD-004 §3.6 (004 L628)): D4 escape #1"
    );
}

#[test]
fn l623_improvement_evidence_goes_cqe_to_adc_filtered() {
    let h = H::new(ComplaintRegion::Domestic);
    to_review(&h, false);
    approve(&h, false);
    forward_and_send(&h);
    let ev = ImprovementEvidence {
        statements: vec![
            Statement::general("photo of the revised final-test station"),
            Statement::new("reflow profile printout", InfoCategory::ProductionProcess),
        ],
    };
    let r = h.refused(
        Command::fire(&CAST.adc_domestic, Action::ProvideImprovementEvidence).with_form(form(&ev)),
        after_sending(),
    );
    assert!(matches!(r, Rejection::Forbidden { .. }));
    h.fire(
        Command::fire(&CAST.cqe, Action::ProvideImprovementEvidence).with_form(form(&ev)),
        after_sending(),
    );
    let out = complaint::outgoing_evidence(&h.inst(), h.cfg())
        .unwrap()
        .unwrap();
    assert_eq!(out.withheld.len(), 1);
    let r = h.refused(
        Command::fire(&CAST.cqe, Action::ForwardEvidence).with_form(form(&out.report)),
        after_sending(),
    );
    assert!(matches!(r, Rejection::Forbidden { .. }));
    h.fire(
        Command::fire(&CAST.adc_domestic, Action::ForwardEvidence).with_form(form(&out.report)),
        after_sending(),
    );
    assert_eq!(h.data().evidence_forwarded, 1);
}

// ---------------------------------------------------------------- corrective loop (QD-004 §5.3.4 (004 L654/L657))

#[test]
fn l654_ineffective_measures_loop_back_until_effective() {
    let h = H::new(ComplaintRegion::Domestic);
    to_review(&h, false);
    approve(&h, false);
    forward_and_send(&h);
    let at = t0() + Duration::days(10);
    // not yet verified effective
    let r = h.refused(
        Command::fire(&CAST.cqe, Action::ConfirmEffective)
            .with_form(form(&eight_d(Discipline::D7))),
        at,
    );
    assert!(guard_reason(&r).contains("verification is missing"));
    let mut not_eff = effective_8d();
    not_eff.d6.verification.as_mut().unwrap().effective = false;
    let r = h.refused(
        Command::fire(&CAST.cqe, Action::ConfirmEffective).with_form(form(&not_eff)),
        at,
    );
    assert!(guard_reason(&r).contains("not effective"));
    let r = h.refused(
        Command::fire(&CAST.adc_domestic, Action::RecordIneffective),
        at,
    );
    assert!(reason_required(&r), "{r:?}");
    for round in 1..=2u32 {
        h.fire(
            Command::fire(&CAST.adc_domestic, Action::RecordIneffective)
                .with_payload(reason("recurred")),
            at,
        );
        assert_eq!(h.state(), State::CorrectiveAction.name());
        assert_eq!(h.data().iteration, round);
        // re-analysis through the responsible department
        h.fire(
            Command::fire(&CAST.cqe, Action::EscalateToDepartments).with_form(form(
                &DepartmentEscalation {
                    departments: vec!["制造部".into()],
                    e_document_ref: "OA-1".into(),
                    meeting_minutes: None,
                },
            )),
            at,
        );
        let dept = actor("mfg.lead", &[Role::ResponsibleDepartment]);
        let r = h.refused(
            Command::fire(&CAST.quality_manager, Action::AcceptAnalysis)
                .with_form(form(&eight_d(Discipline::D5))),
            at,
        );
        assert!(guard_reason(&r).contains("analysis_submitted"));
        let mut p = plan();
        p.department = "仓库".into();
        let r = h.refused(
            Command::fire(&dept, Action::SubmitDepartmentAnalysis).with_form(form(&p)),
            at,
        );
        assert!(guard_reason(&r).contains("not a department the CQE escalated to"));
        p.department = "制造部".into();
        h.fire(
            Command::fire(&dept, Action::SubmitDepartmentAnalysis).with_form(form(&p)),
            at,
        );
        // a member of the responsible department may not accept its own analysis (SD6)
        let dept_qm = actor(
            "mfg.qm",
            &[Role::QualityManager, Role::ResponsibleDepartment],
        );
        let r = h.refused(
            Command::fire(&dept_qm, Action::AcceptAnalysis)
                .with_form(form(&eight_d(Discipline::D5))),
            at,
        );
        assert!(matches!(r, Rejection::SeparationOfDuties { .. }), "{r:?}");
        h.fire(
            Command::fire(&CAST.quality_manager, Action::AcceptAnalysis)
                .with_form(form(&eight_d(Discipline::D5))),
            at,
        );
        h.fire(
            Command::fire(&CAST.cqe, Action::SubmitForReview)
                .with_form(form(&eight_d(Discipline::D7))),
            at,
        );
        approve_at(&h, false, at);
        forward_and_send_at(&h, at);
        assert_eq!(h.state(), State::EffectivenessCheck.name());
    }
    h.fire(
        Command::fire(&CAST.cqe, Action::ConfirmEffective).with_form(form(&effective_8d())),
        at,
    );
    assert_eq!(h.state(), State::Handled.name());
    h.s.engine().verify(h.s.id()).unwrap();
}

// ---------------------------------------------------------------- closure (QD-004 §8, §9 note 2 (004 L623, L508))

#[test]
fn l623_closure_only_after_the_recheck_and_within_a_month() {
    let h = H::new(ComplaintRegion::Domestic);
    to_handled(&h);
    let handled_at = t0() + Duration::hours(9);
    let due = h.deadline("closure_recheck").unwrap().due_at;
    assert_eq!(due, handled_at + Duration::days(30)); // one calendar month (Nov → Dec)
    let at = handled_at + Duration::days(1);
    let verify = |closed: bool| {
        Command::fire(&CAST.cqe, Action::VerifyClosure).with_form(form(&recheck(closed)))
    };
    // QD-004 §9 note 2 (004 L508): ledger and T6 first
    let r = h.refused(verify(true), at);
    assert!(guard_reason(&r).contains("T6"), "{r:?}");
    h.fire(
        Command::fire(&CAST.cqe, Action::RecordLedger).with_form(form(&ledger())),
        at,
    );
    // QD-004 §8 (004 L623): the ADC records satisfaction (only the ADC)
    let r = h.refused(verify(true), at);
    assert!(guard_reason(&r).contains("satisfaction"), "{r:?}");
    let r = h.refused(
        Command::fire(&CAST.cqe, Action::RecordSatisfaction).with_form(form(&satisfaction())),
        at,
    );
    assert!(matches!(r, Rejection::Forbidden { .. }));
    h.fire(
        Command::fire(&CAST.adc_domestic, Action::RecordSatisfaction)
            .with_form(form(&satisfaction())),
        at,
    );
    // the 8D closure (D8) on a failed complaint
    let r = h.refused(verify(true), at);
    assert!(guard_reason(&r).contains("D8"), "{r:?}");
    h.fire(
        Command::fire(&CAST.cqe, Action::UpdateEightD).with_form(form(&eight_d(Discipline::D8))),
        at,
    );
    // without the re-check form, and with a re-check finding it open
    let r = h.refused(Command::fire(&CAST.cqe, Action::VerifyClosure), at);
    assert!(matches!(r, Rejection::MissingForm { .. }), "{r:?}");
    let r = h.refused(verify(false), at);
    assert!(guard_reason(&r).contains("reopen"), "{r:?}");
    // the re-check is late: breach recorded, closure still possible
    let ev = h.due_events(due + Duration::minutes(1));
    assert!(breached(&ev, "closure_recheck"));
    h.fire(verify(true), due + Duration::hours(1));
    assert_eq!(h.state(), State::Closed.name());
    assert!(h.inst().is_closed());
}

#[test]
fn l623_recheck_finding_the_abnormality_open_reopens() {
    let h = H::new(ComplaintRegion::Domestic);
    to_handled(&h);
    let r = h.refused(
        Command::fire(&CAST.cqe, Action::Reopen),
        t0() + Duration::days(2),
    );
    assert!(reason_required(&r), "{r:?}");
    h.fire(
        Command::fire(&CAST.cqe, Action::Reopen).with_payload(reason("recurred at the customer")),
        t0() + Duration::days(2),
    );
    assert_eq!(h.state(), State::CorrectiveAction.name());
    assert!(h.deadline("closure_recheck").unwrap().stopped.is_some());
}

// ---------------------------------------------------------------- spares (QD-004 §4.4 (004 L621))

fn spares(no_return: Option<&str>) -> SparesShipment {
    SparesShipment {
        items: vec![PartQty {
            part_no: "PS-60W".into(),
            qty: 3,
        }],
        courier_ref: "SF-3".into(),
        shipped_on: date(11, 16),
        replaced_qty_due: 3,
        adc_agreement: "agreed with adc by phone".into(),
        no_return_reason: no_return.map(Into::into),
    }
}

#[test]
fn l621_domestic_replaced_defectives_back_within_one_month_partial_returns_allowed() {
    let h = H::new(ComplaintRegion::Domestic);
    to_remediation(&h, true, &[PartKind::Module]);
    let at = t0() + Duration::hours(4);
    h.fire(
        Command::fire(&CAST.cqe, Action::ShipSpares).with_form(form(&spares(None))),
        at,
    );
    let due = h.deadline("defectives_return").unwrap().due_at;
    assert_eq!(due, local(2026, 12, 16, 14, 0));
    // the domestic case may not skip the return
    let r = h.refused(
        Command::fire(&CAST.cqe, Action::ShipSparesNoReturn)
            .with_form(form(&spares(Some("customer keeps them")))),
        at,
    );
    assert!(guard_reason(&r).contains("international"));
    // the final return settles everything outstanding; fewer is a partial return
    // (issue 17: partial returns are modelled, `record_partial_return`)
    let r = h.refused(
        Command::fire(&CAST.warehouse, Action::RecordDefectivesReturned).with_form(form(
            &DefectivesReturn {
                qty: 2,
                received_on: date(12, 1),
            },
        )),
        at,
    );
    assert!(guard_reason(&r).contains("3 replaced defective(s) outstanding"));
    // a partial return of all three is refused: that is the final return
    let r = h.refused(
        Command::fire(&CAST.warehouse, Action::RecordPartialReturn).with_form(form(
            &DefectivesReturn {
                qty: 3,
                received_on: date(12, 1),
            },
        )),
        at,
    );
    assert!(guard_reason(&r).contains("partial return is fewer"));
    h.fire(
        Command::fire(&CAST.warehouse, Action::RecordPartialReturn).with_form(form(
            &DefectivesReturn {
                qty: 2,
                received_on: date(12, 1),
            },
        )),
        at,
    );
    // the clock keeps running for the last one
    assert!(h.deadline("defectives_return").unwrap().is_active());
    let ev = h.due_events(due + Duration::minutes(1));
    assert!(breached(&ev, "defectives_return"));
    let r = h.refused(
        Command::fire(&CAST.warehouse, Action::RecordDefectivesReturned).with_form(form(
            &DefectivesReturn {
                qty: 3,
                received_on: date(12, 17),
            },
        )),
        due + Duration::days(1),
    );
    assert!(guard_reason(&r).contains("1 replaced defective(s) outstanding"));
    h.fire(
        Command::fire(&CAST.warehouse, Action::RecordDefectivesReturned).with_form(form(
            &DefectivesReturn {
                qty: 1,
                received_on: date(12, 17),
            },
        )),
        due + Duration::days(1),
    );
    assert!(h.deadline("defectives_return").unwrap().stopped.is_some());
}

#[test]
fn l621_international_return_is_decided_case_by_case() {
    let h = H::new(ComplaintRegion::International);
    to_remediation(&h, true, &[PartKind::Module]);
    let r = h.refused(
        Command::fire(&CAST.cqe, Action::ShipSparesNoReturn).with_form(form(&spares(None))),
        after_remediation(),
    );
    assert!(guard_reason(&r).contains("needs a reason"));
    h.fire(
        Command::fire(&CAST.cqe, Action::ShipSparesNoReturn)
            .with_form(form(&spares(Some("freight exceeds the value")))),
        after_remediation(),
    );
    assert!(h.deadline("defectives_return").is_none());
}

// ---------------------------------------------------------------- severity (QD-004 §3.7; RET-PC Att. 1 (004 L662, L23–30))

#[test]
fn l662_severity_and_the_mould_table() {
    let rule = MoldSeverityRule::default();
    assert_eq!(classify(false, None, Some(&rule)), Severity::General);
    assert_eq!(classify(true, None, Some(&rule)), Severity::Serious);
    let m = |crack, dim, app| MoldFindings {
        molds_engraving_mix_crack: crack,
        molds_dimension_oot: dim,
        appearance_defect: app,
    };
    // RET-PC Att. 1 (004 L30): three or more moulds out of tolerance ⇒ serious; RET-PC Att. 1 (004 L29): two or fewer ⇒ minor
    assert_eq!(
        classify(false, Some(&m(0, 3, false)), Some(&rule)),
        Severity::Serious
    );
    assert_eq!(rule.classify(&m(0, 2, false)), Some(Severity::General));
    // RET-PC Att. 1 (004 L28): three or more with engraving errors / mix / cracks ⇒ serious
    assert_eq!(
        classify(false, Some(&m(3, 0, false)), Some(&rule)),
        Severity::Serious
    );
    // RET-PC Att. 1 (004 L27): appearance ⇒ minor; one or two cracked moulds: unclassified by the table
    assert_eq!(rule.classify(&m(0, 0, true)), Some(Severity::General));
    assert_eq!(rule.classify(&m(2, 0, false)), None);
    // disabled table
    assert_eq!(
        classify(false, Some(&m(5, 5, false)), None),
        Severity::General
    );
}

#[test]
fn l662_serious_complaint_needs_the_vp_and_sends_the_8d() {
    let h = H::new(ComplaintRegion::Domestic);
    to_remediation(&h, true, &[PartKind::Module]);
    assert_eq!(
        complaint::severity(&h.inst(), h.cfg()).unwrap(),
        Severity::Serious
    );
    assert_eq!(
        complaint::outgoing_kind(&h.inst(), h.cfg()).unwrap(),
        ReportKind::EightD
    );
}

// ---------------------------------------------------------------- costs (QD-004 §5.4, §5.2.2.2 (004 L602, L671))

fn pass_case(no: &str, customer: &str, phenomenon: &str, at: DateTime<Utc>) -> H {
    let h = H::named(
        no,
        ComplaintRegion::Domestic,
        Config::default(),
        customer,
        at,
    );
    let mut f = handling(ComplaintRegion::Domestic);
    f.no = no.into();
    f.customer = customer.into();
    h.fire(
        Command::fire(&CAST.adc_domestic, Action::Submit).with_form(form(&f)),
        at,
    );
    h.act(&CAST.cqe, Action::Acknowledge, at);
    h.fire(
        Command::fire(&CAST.cqe, Action::RecordContainment).with_form(form(&fx::containment())),
        at,
    );
    h.fire(
        Command::fire(&CAST.cqe, Action::RecordPass).with_form(form(&inspection_pass(
            GoodsDisposition::ReturnToCustomer,
            phenomenon,
        ))),
        at,
    );
    h.fire(
        Command::fire(&CAST.adc_domestic, Action::ReplyToCustomer).with_form(form(
            &CustomerReply {
                explanation: Statement::general("no defect"),
                return_shipment_ref: Some("SF".into()),
            },
        )),
        at,
    );
    h
}

fn cost(h: &H, kind: CostKind, fen: i64, supplier: Option<&str>, at: DateTime<Utc>) {
    h.fire(
        Command::fire(&CAST.cqe, Action::RecordCostLine).with_form(form(&CostEntry {
            kind,
            amount_fen: fen,
            description: format!("{kind:?}"),
            supplier: supplier.map(Into::into),
            incurred_on: (at + Duration::hours(8)).date_naive(),
            carrier: None,
        })),
        at,
    );
}

#[test]
fn l602_repeated_misjudgment_goes_to_selling_expense() {
    let day = Duration::days(1);
    let first = pass_case("KS-A", "Acme", "dim at start-up", t0());
    cost(&first, CostKind::Freight, 5_000, None, t0());
    // the recorder may not confirm their own line (QD-004 §5.2.2.2 (004 L671) 经确认后)
    let cqe_qm = actor("cqe", &[Role::Cqe, Role::QualityManager]);
    let r = first.refused(Command::fire(&cqe_qm, Action::ConfirmCostLines), t0());
    assert!(guard_reason(&r).contains("recorded it"));
    first.act(&CAST.quality_manager, Action::ConfirmCostLines, t0());
    let second = pass_case("KS-B", "Acme", "Dim at  start-up", t0() + day);
    cost(&second, CostKind::Freight, 7_000, None, t0() + day);
    cost(&second, CostKind::Sorting, 3_000, None, t0() + day);
    second.act(&CAST.quality_manager, Action::ConfirmCostLines, t0() + day);
    let third = pass_case("KS-C", "Acme", "colour shift", t0() + day * 2);
    cost(&third, CostKind::Freight, 4_000, None, t0() + day * 2);
    third.act(
        &CAST.quality_manager,
        Action::ConfirmCostLines,
        t0() + day * 2,
    );
    let other = pass_case("KS-D", "Beta", "dim at start-up", t0() + day * 3);
    cost(&other, CostKind::Freight, 2_000, None, t0() + day * 3);
    // a failed complaint with supplier costs, one line left unconfirmed
    let failed = H::named(
        "KS-E",
        ComplaintRegion::Domestic,
        Config::default(),
        "Acme",
        t0(),
    );
    {
        let mut f = handling(ComplaintRegion::Domestic);
        f.no = "KS-E".into();
        failed.fire(
            Command::fire(&CAST.adc_domestic, Action::Submit).with_form(form(&f)),
            t0(),
        );
        failed.act(&CAST.cqe, Action::Acknowledge, t0());
        failed.fire(
            Command::fire(&CAST.cqe, Action::RecordContainment).with_form(form(&fx::containment())),
            t0(),
        );
        failed.fire(
            Command::fire(&CAST.cqe, Action::RecordFail)
                .with_form(form(&inspection_fail(true, &[PartKind::PowerSupply])))
                .with_form(form(&eight_d(Discipline::D2))),
            t0(),
        );
        cost(&failed, CostKind::Rework, 20_000, Some("PowerCo"), t0());
        cost(&failed, CostKind::Scrap, 8_000, Some("PowerCo"), t0());
        failed.act(&CAST.quality_manager, Action::ConfirmCostLines, t0());
        cost(&failed, CostKind::ReplacementUnits, 50_000, None, t0());
    }
    let records: Vec<CostRecord> = [&first, &second, &third, &other, &failed]
        .iter()
        .map(|h| CostRecord::from_instance(&h.inst()).unwrap())
        .collect();
    let report = cost_report(&records, complaint::MisjudgmentMatch::default()).unwrap();
    let account_of = |id: &str| -> Vec<Account> {
        report
            .booked
            .lines()
            .iter()
            .filter(|l| l.instance.as_str() == id)
            .map(|l| l.account)
            .collect()
    };
    // QD-004 §5.4 (004 L602): the second misjudgment of the same phenomenon by the same customer
    assert_eq!(account_of("KS-A"), [Account::CostOfSales]);
    assert_eq!(
        account_of("KS-B"),
        [Account::SellingExpense, Account::SellingExpense]
    );
    assert_eq!(
        account_of("KS-C"),
        [Account::CostOfSales],
        "another phenomenon"
    );
    assert!(
        account_of("KS-D").is_empty(),
        "unconfirmed lines are not booked"
    );
    assert_eq!(report.pending.lines().len(), 2);
    assert_eq!(
        account_of("KS-E"),
        [Account::CostOfSales, Account::CostOfSales]
    );
    // sums per complaint, customer, product, supplier, account
    let per_complaint = report.per_complaint().unwrap();
    assert_eq!(per_complaint[&InstanceId::from("KS-B")], 10_000);
    let per_customer = report.per_customer().unwrap();
    assert_eq!(
        per_customer[&Some("Acme".to_owned())],
        5_000 + 10_000 + 4_000 + 28_000
    );
    assert_eq!(
        report.per_product().unwrap()[&Some("FL-200".to_owned())],
        47_000
    );
    assert_eq!(
        report.per_supplier().unwrap()[&Some("PowerCo".to_owned())],
        28_000
    );
    let per_account = report.per_account().unwrap();
    assert_eq!(per_account[&Account::SellingExpense], 10_000);
    assert_eq!(per_account[&Account::CostOfSales], 37_000);
    assert_eq!(report.per_kind().unwrap()[&CostKind::Freight], 16_000);
    // closure waits for the confirmation of every line
    let at = t0() + day * 3;
    other.fire(
        Command::fire(&CAST.cqe, Action::RecordLedger).with_form(form(&ledger())),
        at,
    );
    other.fire(
        Command::fire(&CAST.adc_domestic, Action::RecordSatisfaction)
            .with_form(form(&satisfaction())),
        at,
    );
    let verify = || Command::fire(&CAST.cqe, Action::VerifyClosure).with_form(form(&recheck(true)));
    let r = other.refused(verify(), at);
    assert!(
        guard_reason(&r).contains("cost lines await confirmation"),
        "{r:?}"
    );
    other.act(&CAST.quality_manager, Action::ConfirmCostLines, at);
    other.fire(verify(), at);
    assert!(other.inst().is_closed(), "a pass case closes without an 8D");
}

/// Cost lines carry the day they were incurred and are tallied by month for the month-end
/// hand-over (SVC-KPI §7 step 8 (001 L4)); damage in transit is borne by the carrier and
/// deducted from its freight (CE-MH §3.1 (002 L458–459)).
#[test]
fn svc_kpi_s7_and_ce_mh_s3_1_costs_by_month_and_carrier() {
    let h = pass_case("KS-M", "Acme", "dim at start-up", t0());
    // Monday 30 November and Tuesday 1 December (local): two months
    let nov30 = local(2026, 11, 30, 10, 0);
    cost(&h, CostKind::Freight, 5_000, None, nov30);
    let dec1 = local(2026, 12, 1, 10, 0);
    h.fire(
        Command::fire(&CAST.cqe, Action::RecordCostLine).with_form(form(&CostEntry {
            kind: CostKind::ReplacementUnits,
            amount_fen: 30_000,
            description: "3 lamps broken in transit, carrier signed the damage note".into(),
            supplier: None,
            incurred_on: chrono::NaiveDate::from_ymd_opt(2026, 12, 1).unwrap(),
            carrier: Some("Deppon".into()),
        })),
        dec1,
    );
    h.act(&CAST.quality_manager, Action::ConfirmCostLines, dec1);
    let records = vec![CostRecord::from_instance(&h.inst()).unwrap()];
    let report = cost_report(&records, complaint::MisjudgmentMatch::default()).unwrap();
    let by_month = report.per_month().unwrap();
    let nov = aftersales::YearMonth {
        year: 2026,
        month: 11,
    };
    let dec = aftersales::YearMonth {
        year: 2026,
        month: 12,
    };
    assert_eq!(by_month.get(&Some(nov)), Some(&5_000));
    assert_eq!(by_month.get(&Some(dec)), Some(&30_000));
    assert_eq!(report.booked.month(nov).total(), Ok(5_000));
    let transit = &report.booked.lines()[1];
    assert_eq!(transit.bearer, aftersales::Bearer::Carrier);
    assert_eq!(transit.account, Account::CarrierFreightDeduction);
    assert_eq!(transit.carrier.as_deref(), Some("Deppon"));
    assert_eq!(
        report.per_carrier().unwrap(),
        std::collections::BTreeMap::from([("Deppon".to_owned(), 30_000)])
    );
}

#[test]
fn l671_cost_entries_are_validated() {
    let bad = CostEntry {
        kind: CostKind::Rework,
        amount_fen: -1,
        description: "x".into(),
        supplier: None,
        incurred_on: chrono::NaiveDate::from_ymd_opt(2026, 11, 16).unwrap(),
        carrier: None,
    };
    assert!(bad.validate().unwrap_err().contains("wrong sign"));
    let claim = CostEntry {
        kind: CostKind::ClaimReceived,
        amount_fen: -10_000,
        description: "PowerCo claim".into(),
        supplier: Some("PowerCo".into()),
        incurred_on: chrono::NaiveDate::from_ymd_opt(2026, 11, 16).unwrap(),
        carrier: None,
    };
    assert!(claim.validate().is_ok());
    // a carrier bears transit damage, never a supplier claim, and is named (CE-MH §3.1)
    let named = |c: &str| CostEntry {
        carrier: Some(c.into()),
        ..claim.clone()
    };
    assert!(named("SF").validate().unwrap_err().contains("carrier"));
    let damage = CostEntry {
        kind: CostKind::ReplacementUnits,
        amount_fen: 800,
        ..named("  ")
    };
    assert!(damage.validate().unwrap_err().contains("carrier name"));
}

// ---------------------------------------------------------------- misc

#[test]
fn withdrawal_only_before_submission_with_a_reason() {
    let h = H::new(ComplaintRegion::Domestic);
    let r = h.refused(Command::fire(&CAST.adc_domestic, Action::Withdraw), t0());
    assert!(reason_required(&r), "{r:?}");
    h.fire(
        Command::fire(&CAST.adc_domestic, Action::Withdraw)
            .with_payload(reason("customer found wiring fault")),
        t0(),
    );
    assert!(h.inst().is_closed());
}

/// Withdrawal after submission (issue 17, ours): until the verdict, by the ADC of the region
/// with a reason; the clocks end with the instance. After the verdict it is refused.
#[test]
fn withdrawal_after_submission_until_the_verdict() {
    let h = H::new(ComplaintRegion::Domestic);
    to_analysis(&h);
    let at = t0() + Duration::hours(3);
    let r = h.refused(Command::fire(&CAST.adc_domestic, Action::Withdraw), at);
    assert!(reason_required(&r), "{r:?}");
    let r = h.refused(
        Command::fire(&CAST.adc_international, Action::Withdraw).with_payload(reason("not ours")),
        at,
    );
    assert!(guard_reason(&r).contains("region"), "{r:?}");
    let r = h.refused(
        Command::fire(&CAST.cqe, Action::Withdraw).with_payload(reason("cqe")),
        at,
    );
    assert!(matches!(r, Rejection::Forbidden { .. }), "{r:?}");
    h.fire(
        Command::fire(&CAST.adc_domestic, Action::Withdraw)
            .with_payload(reason("the customer found a wiring fault")),
        at,
    );
    assert!(h.inst().is_closed());
    assert_eq!(h.inst().state(), State::Withdrawn.name());
    assert!(h.inst().running_clock("analysis").is_none());
    // after the verdict: no withdrawal
    let late = H::new(ComplaintRegion::Domestic);
    to_remediation(&late, true, &[PartKind::Module]);
    let r = late.refused(
        Command::fire(&CAST.adc_domestic, Action::Withdraw).with_payload(reason("late")),
        at + Duration::hours(2),
    );
    assert!(matches!(r, Rejection::NoSuchTransition { .. }), "{r:?}");
}

/// The CQE's severity downgrade (QD-004 §3.7 (004 L662): 「非产品功能问题的客户投诉为一般客诉」):
/// a serious complaint whose function proves normal becomes general, with the finding; the
/// VP no longer reviews and the measures reply replaces the 8D. A general one cannot be
/// downgraded, nor by anyone but the CQE.
#[test]
fn qd004_s3_7_cqe_downgrades_a_serious_complaint_with_the_finding() {
    let cfg = Config::default();
    let h = H::new(ComplaintRegion::Domestic);
    to_remediation(&h, true, &[PartKind::Module]);
    let at = t0() + Duration::hours(4);
    assert_eq!(
        complaint::severity(&h.inst(), &cfg).unwrap(),
        Severity::Serious
    );
    assert_eq!(
        complaint::outgoing_kind(&h.inst(), &cfg).unwrap(),
        ReportKind::EightD
    );
    let downgrade = SeverityDowngrade {
        finding: "flicker traced to the customer's dimmer; the module works".into(),
    };
    let r = h.refused(
        Command::fire(&CAST.quality_manager, Action::DowngradeSeverity).with_form(form(&downgrade)),
        at,
    );
    assert!(matches!(r, Rejection::Forbidden { .. }), "{r:?}");
    h.fire(
        Command::fire(&CAST.cqe, Action::DowngradeSeverity).with_form(form(&downgrade)),
        at,
    );
    assert_eq!(
        complaint::severity(&h.inst(), &cfg).unwrap(),
        Severity::General
    );
    assert_eq!(
        complaint::outgoing_kind(&h.inst(), &cfg).unwrap(),
        ReportKind::MeasuresReply
    );
    let r = h.refused(
        Command::fire(&CAST.cqe, Action::DowngradeSeverity).with_form(form(&downgrade)),
        at,
    );
    assert!(
        guard_reason(&r).contains("only a serious complaint"),
        "{r:?}"
    );
}

#[test]
fn available_actions_explain_what_a_role_may_do() {
    let h = H::new(ComplaintRegion::Domestic);
    to_review(&h, false);
    let avail =
        h.s.engine()
            .available_actions(h.s.id(), &CAST.quality_manager, t0() + Duration::hours(7))
            .unwrap();
    let approve = avail
        .iter()
        .find(|a| a.action == Action::ApproveReport.name())
        .unwrap();
    assert!(approve.sign_off && approve.verdict.is_ok());
    let forward = avail
        .iter()
        .find(|a| a.action == Action::ForwardToAdc.name())
        .unwrap();
    assert!(forward.verdict.is_err());
}

#[test]
fn l649_oqc_inspector_and_quality_manager_sign_in_any_order_then_the_planning_manager() {
    let h = H::new(ComplaintRegion::Domestic);
    to_analysis(&h);
    let at = t0() + Duration::hours(3);
    h.fire(
        Command::fire(&CAST.cqe, Action::RecordPassRestock)
            .with_form(form(&inspection_pass(GoodsDisposition::Restock, "dim")))
            .with_form(form(&restock(true))),
        at,
    );
    // QD-004 §5.2.1.1 item 2 (004 L649): 经OQC检验员及品质经理确认签字,计划科经理确认签字 — no order between the first two.
    h.sign(&CAST.quality_manager, Action::ApproveRestock, at);
    let r = h.refused(
        Command::sign(&CAST.planning_manager, Action::ApproveRestock),
        at,
    );
    assert!(
        matches!(r, Rejection::SignOutOfOrder { ref expected_role, .. } if expected_role == "oqc_inspector"),
        "{r:?}"
    );
    h.sign(&CAST.oqc_inspector, Action::ApproveRestock, at);
    h.sign(&CAST.planning_manager, Action::ApproveRestock, at);
    h.act(&CAST.warehouse, Action::StockIn, at);
    assert_eq!(h.state(), State::PassReply.name());
}

// ---------------------------------------------------------------- fixtures

#[test]
fn fixtures_drive_to_every_state() {
    use aftersales::testing::fixtures::complaint::Scenario;
    let states = &<State as Vocabulary>::ALL[1..];
    assert_eq!(states.len(), 23);
    for &state in states {
        let s = Scenario::at(state).unwrap_or_else(|e| panic!("{state}: {e}"));
        assert_eq!(s.instance().state(), state);
    }
    let s = Scenario::at(State::Submitted).unwrap();
    assert!(s.instance().clock(Deadline::Analysis).is_some());
}
