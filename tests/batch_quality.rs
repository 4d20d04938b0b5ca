//! Conformance tests of the batch quality procedure (售后批量质量问题处理流程 E版), seed 000
//! lines 634–676. Each test names the seed line it checks (`l650_...`) and carries the line
//! again above its key assertions.
#![cfg(feature = "procedures")]
// Test helpers outside `#[test]` functions unwrap and panic too (clippy.toml allows it in tests).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use aftersales::procedures::batch_quality::{self as bq, Action, Deadline, Guard, Role, State};
use aftersales::testing::fixtures::batch_quality::{
    Scenario, arbitration, capa_notice, capa_verification as verify_item, consultation,
    effect_verification as effect, evaluation, execution_result as result, plan, psu_co,
    quality_appraisal_report as qar, rd_solution, rejection, severity,
};
use aftersales::*;
use chrono::{DateTime, NaiveDate, Utc};
use serde_json::json;
use std::cell::OnceCell;
use std::sync::Arc;

mod common;
use common::batch::*;

// ---------------------------------------------------------------------------------------
// Fixture
// ---------------------------------------------------------------------------------------

fn note(a: &Actor, act: Action, text: &str) -> Command {
    Command::fire(a, act).with_payload(json!({ "note": text }))
}

fn notice_item(no: &str) -> bq::CapaItem {
    bq::CapaItem::Notice {
        notice_no: no.into(),
    }
}

/// One batch issue (the fixture's [`Scenario`]), started by a progression or [`H::start`].
struct H {
    cfg: bq::Config,
    cal: Arc<dyn Calendar>,
    s: OnceCell<Scenario>,
}

impl H {
    fn new() -> Self {
        Self::with(bq::Config::default(), cal())
    }

    fn with(cfg: bq::Config, cal: Arc<dyn Calendar>) -> Self {
        H {
            cfg,
            cal,
            s: OnceCell::new(),
        }
    }

    fn start(&self, who: &Actor, t: DateTime<Utc>) {
        let s = Scenario::started(&self.cfg, self.cal.clone(), t, who).unwrap();
        assert!(self.s.set(s).is_ok(), "started twice");
    }

    /// Start at `t` and drive to `state` with the fixture's default forms, `acc` at the gate.
    fn drive(&self, state: State, acc: bq::Acceptance, t: DateTime<Utc>) {
        let mut s = Scenario::started(&self.cfg, self.cal.clone(), t, &station()).unwrap();
        s.set_acceptance(acc).drive_to(state).unwrap();
        assert!(self.s.set(s).is_ok(), "started twice");
    }

    fn e(&self) -> &Engine<InMemoryStore> {
        self.s.get().expect("started").engine()
    }

    fn id(&self) -> &InstanceId {
        self.s.get().expect("started").id()
    }

    fn run(&self, c: Command, t: DateTime<Utc>) -> Result<Outcome, EngineError> {
        self.e().fire(self.id(), &c, t)
    }

    #[track_caller]
    fn ok(&self, c: Command, t: DateTime<Utc>) -> Outcome {
        common::accepted(self.run(c, t))
    }

    #[track_caller]
    fn refused(&self, c: Command, t: DateTime<Utc>) -> Rejection {
        let before = self.state();
        let r = common::refusal(self.run(c, t));
        assert_eq!(self.state(), before, "a refusal changes nothing");
        r
    }

    fn inst(&self) -> Arc<Instance> {
        self.e().load(self.id()).unwrap()
    }

    fn state(&self) -> State {
        State::from_name(self.inst().state()).unwrap()
    }

    fn data(&self) -> bq::Data {
        self.inst().data_as().unwrap()
    }

    /// The latest clock of `name`.
    fn clock(&self, name: Deadline) -> DeadlineState {
        self.inst()
            .clock(name)
            .cloned()
            .unwrap_or_else(|| panic!("no clock {name}"))
    }

    // --- progressions ------------------------------------------------------------------

    fn on_site(&self, t: DateTime<Utc>) {
        self.drive(State::OnSiteConfirmation, bq::Acceptance::NotAccepted, t);
    }

    fn submitted(&self, t: DateTime<Utc>) {
        self.drive(
            State::PendingRtseVerification,
            bq::Acceptance::NotAccepted,
            t,
        );
    }

    fn at_ts(&self, t: DateTime<Utc>) {
        self.drive(State::PendingTsConfirmation, bq::Acceptance::NotAccepted, t);
    }

    fn at_rqs(&self, t: DateTime<Utc>) {
        self.drive(State::PendingRqsReview, bq::Acceptance::NotAccepted, t);
    }

    fn at_rd(&self, acc: bq::Acceptance, t: DateTime<Utc>) {
        self.drive(State::RdAnalysis, acc, t);
    }

    fn at_planning(&self, acc: bq::Acceptance, t: DateTime<Utc>) {
        self.drive(State::SolutionPlanning, acc, t);
    }

    fn consult_and_evaluate(&self, t: DateTime<Utc>) {
        self.ok(
            fire(
                &actor("branch-wh", Role::Branch),
                Action::RecordConsultation,
            )
            .with_form(form(&consultation(
                bq::ConsultedParty::Branch {
                    branch: "Wuhan".into(),
                },
                t,
            ))),
            t,
        );
        self.ok(
            fire(&actor("sales-ma", Role::Sales), Action::RecordConsultation).with_form(form(
                &consultation(
                    bq::ConsultedParty::User {
                        customer: CUSTOMER.into(),
                    },
                    t,
                ),
            )),
            t,
        );
        for r in bq::Config::default().plan_evaluators {
            self.ok(
                fire(&actor(&format!("eval-{r}"), r), Action::EvaluatePlan)
                    .with_form(form(&evaluation(r))),
                t,
            );
        }
    }

    fn executing(&self, t: DateTime<Utc>) {
        self.drive(State::Execution, bq::Acceptance::NotAccepted, t);
    }

    /// From execution: an ordinary severity, the service platform's result for all 250
    /// units, the effect confirmed (on to responsibility arbitration).
    fn executed_and_effective(&self, t: DateTime<Utc>) {
        let severity = form(&severity(bq::BatchSeverity::Ordinary));
        self.ok(fire(&rqs(), Action::AssessSeverity).with_form(severity), t);
        let sp = actor("sp", Role::ServicePlatform);
        let result = form(&result(250));
        self.ok(
            fire(&sp, Action::ReportExecutionResult).with_form(result),
            t,
        );
        let effective = form(&effect(true));
        self.ok(
            fire(&rqs(), Action::ConfirmEffective).with_form(effective),
            t,
        );
    }

    fn verifying(&self, t: DateTime<Utc>) {
        self.drive(State::EffectVerification, bq::Acceptance::NotAccepted, t);
    }

    fn arbitrating(&self, t: DateTime<Utc>) {
        self.drive(
            State::ResponsibilityArbitration,
            bq::Acceptance::NotAccepted,
            t,
        );
    }

    fn measures(&self, claim: bool, t: DateTime<Utc>) {
        self.arbitrating(t);
        self.ok(
            fire(&rnd(), Action::IssueQualityAppraisalReport).with_form(form(&qar(vec![psu_co()]))),
            t,
        );
        self.ok(
            fire(&rqs(), Action::Arbitrate).with_form(form(&arbitration(claim))),
            t,
        );
    }
}

#[track_caller]
fn guard_of(r: &Rejection) -> Guard {
    match r {
        Rejection::GuardRejected { guard, .. } => {
            Guard::from_name(guard).unwrap_or_else(|| panic!("not a batch-quality guard: {guard}"))
        }
        other => panic!("expected a guard refusal, got {other:?}"),
    }
}

#[track_caller]
fn reason_of(r: &Rejection) -> String {
    match r {
        Rejection::GuardRejected { reason, .. } => reason.clone(),
        other => panic!("expected a guard refusal, got {other:?}"),
    }
}

fn is_forbidden(r: &Rejection) -> bool {
    matches!(r, Rejection::Forbidden { .. })
}

fn cfg() -> bq::Config {
    bq::Config::default()
}

// ---------------------------------------------------------------------------------------
// Definition, config, vocabulary
// ---------------------------------------------------------------------------------------

#[test]
fn l634_definition_builds_and_vocabularies_match() {
    let def = bq::definition(&cfg(), cal()).unwrap();
    assert_eq!(def.definition().id(), bq::ID);
    // BQ-E §6–§9 (000 L676): two ends, ordinary service and 结束.
    assert!(def.actions_from(State::OrdinaryService).is_empty());
    assert!(def.actions_from(State::Closed).is_empty());
    // every transition cites a seed line or says OURS
    for t in &def.definition().spec().transitions {
        assert!(
            t.description.contains("000 L") || t.description.contains("OURS"),
            "{} {} has no source",
            t.from,
            t.action
        );
    }
    // role names equal their serde names (config lists roles)
    for r in Role::ALL {
        assert_eq!(serde_json::to_value(r).unwrap(), json!(r.name()));
    }
    for s in State::ALL {
        assert_eq!(serde_json::to_value(s).unwrap(), json!(s.name()));
    }
}

#[test]
fn l638_l650_l654_config_defaults_are_the_seed_numbers() {
    let c = cfg();
    // BQ-E §4.9–§5.1.1 (000 L650)
    assert_eq!(c.rtse_verify_within_hours, 4);
    assert_eq!(c.ts_confirm_within_hours, 4);
    // BQ-E §5.1.1–§5.1.5 (000 L652)
    assert_eq!(c.rqs_review_within_hours, 4);
    // BQ-E §5.2.1 (000 L654)
    assert_eq!(c.rqs_forward_to_rd_within_hours, 4);
    assert_eq!(c.rd_solution_not_accepted_within_days, 2);
    assert_eq!(c.rd_response_accepted_within_days, 1);
    assert_eq!(c.rd_conclusion_accepted_within_days, 4);
    // BQ-E §2.2 (000 L638)
    assert_eq!(c.small_user_units_below, 300);
    assert_eq!(c.small_user_failures_more_than, 15);
    assert_eq!(c.ratio_more_than_percent, 5);
    assert_eq!(c.window_months, 3);
    // BQ-E §5.2.2, §3.1, §3.1–§3.2 (000 L658, L640, L642)
    assert!(!c.allow_failed_part_to_supplier);
    assert!(c.prefer_replacement_when_not_accepted);
    assert_eq!(c.replacement_plan_coauthors.len(), 5);
    // BQ-E §5.2.1–§5.2.2 (000 L656) "适时": flag, not auto-move
    assert!(!c.director_meeting_auto);
    // Config round-trips through JSON (hosts load it)
    let back: bq::Config = serde_json::from_value(serde_json::to_value(&c).unwrap()).unwrap();
    assert_eq!(back, c);
}

#[test]
fn l652_is_started_from_start_until_closed() {
    // BQ-E §5.1.1–§5.1.5 (000 L652) 启动 … BQ-E §6–§9 (000 L676) 结束
    assert!(!bq::is_started(State::ComplaintReceived));
    assert!(!bq::is_started(State::PendingRqsReview));
    assert!(!bq::is_started(State::ReturnedToStation));
    assert!(!bq::is_started(State::OrdinaryService));
    assert!(bq::is_started(State::BatchStarted));
    assert!(bq::is_started(State::Execution));
    assert!(bq::is_started(State::CapaVerification));
    assert!(!bq::is_started(State::Closed));
}

#[test]
fn golden_mermaid_diagram_and_doc() {
    let def = bq::definition(&cfg(), cal()).unwrap();
    let text = Mermaid(def.definition()).to_string();
    let golden = common::golden("tests/golden/batch_quality.mmd", &text);
    let table = InStateActions(def.definition()).to_string();
    common::page_diagram("docs/procedures/batch_quality.md", &golden, &table);
}

#[test]
fn l676_forms_have_json_schemas() {
    // BQ-E §7 (000 L676) output documents are typed forms with schemas.
    let qar = serde_json::to_value(schemars::schema_for!(bq::QualityAppraisalReport)).unwrap();
    assert!(qar["properties"]["root_cause"].is_object());
    let claim = serde_json::to_value(schemars::schema_for!(bq::ClaimAppraisalReport)).unwrap();
    assert!(claim["properties"]["additional_penalty_reserved"].is_object());
    let capa = serde_json::to_value(schemars::schema_for!(bq::CapaNotice)).unwrap();
    assert!(capa["properties"]["reply_due"].is_object());
}

// ---------------------------------------------------------------------------------------
// Intake and roles (BQ-E §4.1–§4.4, §4.9–§5.1.5, §6–§9 (000 L644, L650–L652, L676))
// ---------------------------------------------------------------------------------------

#[test]
fn l650_station_dispatches_senior_engineer_and_submits() {
    let h = H::new();
    h.submitted(lt(16, 10, 0));
    // BQ-E §4.9–§5.1.1 (000 L650): submitted in the batch feedback system, with the RTSE now
    assert_eq!(h.state(), State::PendingRtseVerification);
    assert_eq!(h.data().senior_engineer.as_deref(), Some("Zhang Wei"));
}

#[test]
fn l650_senior_engineer_must_be_qualified_for_the_model() {
    let h = H::new();
    h.start(&station(), lt(16, 10, 0));
    let junior = fire(&station(), Action::DispatchSeniorEngineer).with_payload(json!({
        "senior_engineer": { "person": "Liu", "qualified_models": ["FZ-T100"] }
    }));
    // BQ-E §5.1.1 (000 L650) 委派相应产品的资深工程师
    let r = h.refused(junior, lt(16, 10, 0));
    assert_eq!(guard_of(&r), Guard::SeniorEngineer);
    let r = h.refused(
        fire(&station(), Action::DispatchSeniorEngineer),
        lt(16, 10, 0),
    );
    assert_eq!(guard_of(&r), Guard::SeniorEngineer);
}

#[test]
fn l652_rtse_designates_local_station_and_may_not_submit() {
    let h = H::new();
    let t = lt(16, 10, 0);
    h.start(&rtse(), t);
    // BQ-E §5.1.2 (000 L652): the engineer does not go on site himself; he names the local station
    assert!(is_forbidden(&h.refused(dispatch(&rtse()), t)));
    let r = h.refused(fire(&rtse(), Action::DesignateLocalStation), t);
    assert_eq!(guard_of(&r), Guard::StationNamed);
    h.ok(
        fire(&rtse(), Action::DesignateLocalStation).with_payload(json!({"station": "ST-WH-01"})),
        t,
    );
    assert_eq!(h.state(), State::AtStation);
    assert_eq!(h.data().station.as_deref(), Some("ST-WH-01"));
    h.ok(dispatch(&station()), t);
    // BQ-E §5.1.2 (000 L652): "指定当地维修站通过批量反馈系统反馈": the engineer may not submit
    let r = h.refused(
        formal(&rtse(), Action::SubmitBatchFeedback).with_form(form(&feedback(1))),
        t,
    );
    assert!(is_forbidden(&r));
    h.ok(
        formal(&station(), Action::SubmitBatchFeedback).with_form(form(&feedback(1))),
        t,
    );
    assert_eq!(h.state(), State::PendingRtseVerification);
}

#[test]
fn l652_other_department_only_transfers_to_rtse() {
    let h = H::new();
    let t = lt(16, 10, 0);
    let other = actor("hr-1", Role::OtherDept);
    h.start(&other, t);
    // BQ-E §5.1.3 (000 L652) 转由对应的区域技术支持工程师处理
    assert!(is_forbidden(&h.refused(dispatch(&other), t)));
    assert!(is_forbidden(&h.refused(
        fire(&other, Action::DesignateLocalStation).with_payload(json!({"station": "X"})),
        t
    )));
    h.ok(fire(&other, Action::TransferToRtse), t);
    assert_eq!(h.state(), State::AtRtse);
    // only the engineer moves it on from there (反馈流程参照5.1.2)
    assert!(matches!(
        h.refused(dispatch(&station()), t),
        Rejection::NoSuchTransition { .. }
    ));
    h.ok(
        fire(&rtse(), Action::DesignateLocalStation).with_payload(json!({"station": "ST-WH-01"})),
        t,
    );
    assert_eq!(h.state(), State::AtStation);
}

#[test]
fn l644_only_a_station_submits_batch_feedback() {
    let h = H::new();
    let t = lt(16, 10, 0);
    h.on_site(t);
    // BQ-E §4.1.1 (000 L644): the station submits; BQ-E §5.1.2 (000 L652)–5.1.3: others route to it
    for who in [
        rtse(),
        ts(),
        rqs(),
        actor("o", Role::OtherDept),
        actor("r", Role::RegionalServiceMgmt),
    ] {
        let r = h.refused(
            formal(&who, Action::SubmitBatchFeedback).with_form(form(&feedback(1))),
            t,
        );
        assert!(is_forbidden(&r), "{} may not submit", who.id);
    }
}

#[test]
fn l676_not_a_batch_problem_on_site_goes_to_ordinary_service() {
    let h = H::new();
    let t = lt(16, 10, 0);
    h.on_site(t);
    let r = h.refused(fire(&station(), Action::JudgeNotBatch), t);
    assert!(matches!(r, Rejection::MissingForm { .. }));
    h.ok(
        fire(&station(), Action::JudgeNotBatch)
            .with_form(form(&rejection(bq::RejectReason::NotBatchOnSite))),
        t,
    );
    // BQ-E §9 (000 L676) "否 → 维修站等有关部门执行普通服务流程"
    assert_eq!(h.state(), State::OrdinaryService);
    assert!(h.inst().is_closed());
    assert!(matches!(
        h.refused(fire(&station(), Action::SubmitBatchFeedback), t),
        Rejection::InstanceClosed { .. }
    ));
}

#[test]
fn l650_l652_submission_needs_a_complete_report() {
    let h = H::new();
    let t = lt(16, 10, 0);
    h.on_site(t);
    // BQ-E §5.1.1 (000 L650) 要求反馈的信息填写完整准确有效
    let r = h.refused(formal(&station(), Action::SubmitBatchFeedback), t);
    assert!(matches!(r, Rejection::MissingForm { .. }));
    // BQ-E §5.1.5 (000 L652) 批量质量问题提升内容中要充分体现用户端的需求
    let mut no_needs = feedback(1);
    no_needs.user_needs = " ".into();
    let r = h.refused(
        formal(&station(), Action::SubmitBatchFeedback).with_form(form(&no_needs)),
        t,
    );
    assert!(
        matches!(r, Rejection::InvalidForm { ref reason, .. } if reason.contains("user_needs"))
    );
    let mut other = feedback(1);
    other.customer = "Another bank".into();
    let r = h.refused(
        formal(&station(), Action::SubmitBatchFeedback).with_form(form(&other)),
        t,
    );
    assert_eq!(guard_of(&r), Guard::ReportMatchesIssue);
    // BQ-E §2.1 (000 L636) 交付后: a failure before delivery is not after-sales
    let mut early = feedback(1);
    early.failed_units[0].failed_on = date(2026, 5, 1);
    let r = h.refused(
        formal(&station(), Action::SubmitBatchFeedback).with_form(form(&early)),
        t,
    );
    assert!(matches!(r, Rejection::InvalidForm { .. }));
}

#[test]
fn l652_email_input_is_only_a_reference() {
    let h = H::new();
    let t = lt(16, 10, 0);
    h.on_site(t);
    // BQ-E §5.1.4 (000 L652) 通过邮件系统提报的信息只做为参考
    let r = h.refused(
        fire(&station(), Action::SubmitBatchFeedback)
            .with_payload(bq::via(bq::BatchChannel::Email))
            .with_form(form(&feedback(1))),
        t,
    );
    assert_eq!(guard_of(&r), Guard::FormalChannel);
    assert!(reason_of(&r).contains("000 L652"));
    let r = h.refused(
        fire(&station(), Action::SubmitBatchFeedback).with_form(form(&feedback(1))),
        t,
    );
    assert_eq!(guard_of(&r), Guard::FormalChannel);
    // the e-mail is kept as a reference: a comment, no state change
    h.ok(
        Command::comment(&rqs(), "e-mail from branch: 20 PCs dead at Bank of Wuhan"),
        t,
    );
    assert_eq!(h.state(), State::OnSiteConfirmation);
}

#[test]
fn l652_quality_section_starts_only_from_technical_support_input() {
    let h = H::new();
    let t = lt(16, 10, 0);
    h.start(&rqs(), t);
    let start = || {
        start_cmd(
            bq::Acceptance::NotAccepted,
            &decision(bq::Acceptance::NotAccepted),
        )
    };
    // BQ-E §5.1.4 (000 L652) 唯一正式输入: not from a complaint, the station, the RTSE ...
    assert!(matches!(
        h.refused(start(), t),
        Rejection::NoSuchTransition { .. }
    ));
    // a quality section receiving a complaint passes it on like any department (§5.1.3)
    h.ok(fire(&rqs(), Action::TransferToRtse), t);
    let h = H::new();
    h.submitted(t);
    assert!(matches!(
        h.refused(start(), t),
        Rejection::NoSuchTransition { .. }
    ));
    h.ok(formal(&rtse(), Action::VerifyAndForward), t);
    assert!(matches!(
        h.refused(start(), t),
        Rejection::NoSuchTransition { .. }
    ));
    // TS confirms; the quality section may not do it for TS, nor TS start
    let r = h.refused(
        formal(&rqs(), Action::ConfirmAndForwardToRqs).with_form(form(&ts_analysis(250, 16))),
        t,
    );
    assert!(is_forbidden(&r));
    h.ok(
        formal(&ts(), Action::ConfirmAndForwardToRqs).with_form(form(&ts_analysis(250, 16))),
        t,
    );
    let ts_start = fire(&ts(), Action::StartBatchProcess)
        .with_payload(bq::start_payload(bq::Acceptance::NotAccepted))
        .with_form(form(&decision(bq::Acceptance::NotAccepted)));
    assert!(is_forbidden(&h.refused(ts_start, t)));
    // e-mail is not a formal start either
    let by_mail = fire(&rqs(), Action::StartBatchProcess)
        .with_payload(json!({"channel": "email", "acceptance": "not_accepted"}))
        .with_form(form(&decision(bq::Acceptance::NotAccepted)));
    assert_eq!(guard_of(&h.refused(by_mail, t)), Guard::FormalChannel);
    h.ok(start(), t);
    assert_eq!(h.state(), State::BatchStarted);
    assert_eq!(h.data().acceptance, Some(bq::Acceptance::NotAccepted));
}

#[test]
fn l650_technical_support_confirms_with_preliminary_analysis() {
    let h = H::new();
    let t = lt(16, 10, 0);
    h.at_ts(t);
    // BQ-E §5.1.1 (000 L650) 同时提供故障原因的初步分析和技术解决方案建议
    let r = h.refused(formal(&ts(), Action::ConfirmAndForwardToRqs), t);
    assert!(matches!(r, Rejection::MissingForm { .. }));
    let mut empty = ts_analysis(250, 16);
    empty.solution_proposal.clear();
    let r = h.refused(
        formal(&ts(), Action::ConfirmAndForwardToRqs).with_form(form(&empty)),
        t,
    );
    assert!(matches!(r, Rejection::InvalidForm { .. }));
    // BQ-E §5.1.1 (000 L650) 确认为批量质量问题的: 15 of 250 is no batch (BQ-E §2.2 (000 L638))
    let r = h.refused(
        formal(&ts(), Action::ConfirmAndForwardToRqs).with_form(form(&ts_analysis(250, 15))),
        t,
    );
    assert_eq!(guard_of(&r), Guard::TsEvidence);
    h.ok(
        formal(&ts(), Action::ConfirmAndForwardToRqs).with_form(form(&ts_analysis(250, 16))),
        t,
    );
    assert_eq!(h.state(), State::PendingRqsReview);
}

#[test]
fn l652_technical_support_rejects_incomplete_feedback_and_station_resubmits() {
    let h = H::new();
    let t = lt(16, 10, 0);
    h.at_ts(t);
    // BQ-E §5.1.1 (000 L652): TS rejects only for 没有按要求填写 / 不足以证明
    let r = h.refused(
        fire(&ts(), Action::Reject).with_form(form(&rejection(bq::RejectReason::BelowThreshold))),
        t,
    );
    assert_eq!(guard_of(&r), Guard::TsRejectReason);
    h.ok(
        fire(&ts(), Action::Reject)
            .with_form(form(&rejection(bq::RejectReason::IncompleteFeedback))),
        t,
    );
    assert_eq!(h.state(), State::ReturnedToStation);
    // a resubmission is a new revision and goes through the whole chain again
    let r = h.refused(
        formal(&station(), Action::Resubmit).with_form(form(&feedback(1))),
        t,
    );
    assert_eq!(guard_of(&r), Guard::Revised);
    h.ok(
        formal(&station(), Action::Resubmit).with_form(form(&feedback(2))),
        t,
    );
    assert_eq!(h.state(), State::PendingRtseVerification);
    // an old rejection on file is no rejection now
    let r = h.refused(fire(&rtse(), Action::ReturnToStation), t);
    assert!(
        matches!(&r, Rejection::MissingForm { form, .. } if *form == bq::FormKind::RejectionNotice),
        "{r:?}"
    );
    h.ok(
        fire(&rtse(), Action::ReturnToStation)
            .with_form(form(&rejection(bq::RejectReason::InsufficientEvidence))),
        t,
    );
    assert_eq!(h.state(), State::ReturnedToStation);
}

#[test]
fn l652_quality_section_rejects_below_threshold_then_ordinary_service() {
    let h = H::new();
    let t = lt(16, 10, 0);
    h.at_rqs(t);
    // BQ-E §5.1.1 (000 L652) 否则予以驳回
    h.ok(
        fire(&rqs(), Action::Reject).with_form(form(&rejection(bq::RejectReason::BelowThreshold))),
        t,
    );
    assert_eq!(h.state(), State::ReturnedToStation);
    // BQ-E §9 (000 L676) 否 → 普通服务流程; other departments may not decide it
    assert!(is_forbidden(
        &h.refused(fire(&rqs(), Action::HandOverToOrdinaryService), t)
    ));
    h.ok(fire(&station(), Action::HandOverToOrdinaryService), t);
    assert_eq!(h.state(), State::OrdinaryService);
    assert!(h.inst().is_closed());
}

#[test]
fn l638_l652_start_requires_the_whole_batch_definition() {
    let h = H::new();
    let t = lt(16, 10, 0);
    h.at_rqs(t);
    let na = bq::Acceptance::NotAccepted;
    let with_case = |c: bq::BatchCase| bq::BatchStartDecision {
        case: c,
        ..decision(na)
    };
    // BQ-E §2.2 (000 L638): exactly 5 % is not "超过5%"
    let r = h.refused(start_cmd(na, &with_case(case(300, 15))), t);
    assert_eq!(guard_of(&r), Guard::MeetsBatchDefinition);
    // BQ-E §2.1 (000 L636): meets the spec but not the user's need: out of scope, with its reason
    let mut c = case(250, 16);
    c.meets_spec_but_not_user_need = true;
    let r = h.refused(start_cmd(na, &with_case(c)), t);
    assert!(reason_of(&r).contains("符合产品规格,但不满足用户需求"));
    // BQ-E §2.2 (000 L638) 在标准的售后服务期限内
    let mut c = case(250, 16);
    c.in_service_period = false;
    let r = h.refused(start_cmd(na, &with_case(c)), t);
    assert!(reason_of(&r).contains("service period"));
    // BQ-E §2.2 (000 L638) 经判定…不合格或产品缺陷
    let mut c = case(250, 16);
    c.judged_nonconforming = false;
    assert_eq!(
        guard_of(&h.refused(start_cmd(na, &with_case(c)), t)),
        Guard::MeetsBatchDefinition
    );
    // BQ-E §5.2.1 (000 L654): the acceptance status in the payload must be the decision's
    let r = h.refused(start_cmd(bq::Acceptance::Accepted, &decision(na)), t);
    assert_eq!(guard_of(&r), Guard::AcceptanceMatches);
    h.ok(start_cmd(na, &decision(na)), t);
    assert_eq!(h.state(), State::BatchStarted);
}

// ---------------------------------------------------------------------------------------
// Deadlines (000 L650–L656; product decision `PD-DUR` (docs/sources.md))
// ---------------------------------------------------------------------------------------

#[test]
fn l650_rtse_verification_4_working_hours_breach_notifies() {
    let h = H::new();
    // submit Mon 11:00 → due Mon 16:00
    h.submitted(lt(16, 11, 0));
    let c = h.clock(Deadline::RtseVerify);
    // BQ-E §5.1.1 (000 L650) 区域技术支持工程师在4个工作小时内响应
    assert_eq!(c.due_at, lt(16, 16, 0));
    assert!(h.e().handle_due(lt(16, 15, 59)).unwrap().handled.is_empty());
    // the boundary rule: at exactly the limit nothing is breached yet
    assert!(h.e().handle_due(lt(16, 16, 0)).unwrap().handled.is_empty());
    let rep = h.e().handle_due(breach_instant(lt(16, 16, 0))).unwrap();
    let events = &rep.handled[0].1;
    assert!(events.iter().any(|e| matches!(
        &e.kind,
        EventKind::DeadlineBreached { deadline, .. } if *deadline == Deadline::RtseVerify
    )));
    // BQ-E §4.2.1 (000 L644): the engineer and the accountable service management are told
    assert!(events.iter().any(|e| matches!(
        &e.kind,
        EventKind::Escalated { notify, moved: None, .. }
            if notify.contains(&Name::new("regional_tech_support_engineer"))
                && notify.contains(&Name::new("regional_service_mgmt"))
    )));
    assert_eq!(h.state(), State::PendingRtseVerification);
    // a late verification still goes through, and is recorded as late
    h.ok(formal(&rtse(), Action::VerifyAndForward), lt(16, 17, 0));
    let c = h.clock(Deadline::RtseVerify);
    assert!(c.breached && c.stopped.is_some_and(|s| !s.met));
}

#[test]
fn readme_calendar_examples_on_the_rtse_clock() {
    // product decision `PD-DUR` (docs/sources.md) with BQ-E §4.9–§5.1.1 (000 L650)'s 4 working hours
    for (start, due) in [
        (lt(20, 17, 0), lt(23, 12, 0)),  // Fri 17:00 → Mon 12:00
        (lt(21, 10, 0), lt(23, 14, 0)),  // Sat 10:00 → Mon 14:00
        (lt(16, 12, 30), lt(16, 17, 0)), // Mon 12:30 → Mon 17:00
    ] {
        let h = H::new();
        h.submitted(start);
        assert_eq!(h.clock(Deadline::RtseVerify).due_at, due, "from {start}");
    }
    // a host holiday on Monday moves Fri 17:00 + 4 WH to Tue 12:00
    let holiday = BusinessCalendar::default()
        .to_builder()
        .holiday(date(2026, 11, 23))
        .build()
        .unwrap();
    let h = H::with(cfg(), Arc::new(holiday));
    h.submitted(lt(20, 17, 0));
    assert_eq!(h.clock(Deadline::RtseVerify).due_at, lt(24, 12, 0));
}

#[test]
fn l650_l652_l654_technical_support_and_quality_section_clocks_are_4_working_hours() {
    let h = H::new();
    h.submitted(lt(16, 9, 0));
    h.ok(formal(&rtse(), Action::VerifyAndForward), lt(16, 10, 0));
    // BQ-E §4.9–§5.1.1 (000 L650): TS forwards within 4 WH
    assert_eq!(h.clock(Deadline::TsConfirm).due_at, lt(16, 15, 0));
    h.ok(
        formal(&ts(), Action::ConfirmAndForwardToRqs).with_form(form(&ts_analysis(250, 16))),
        lt(16, 11, 0),
    );
    // BQ-E §5.1.1–§5.1.5 (000 L652): the quality section responds within 4 WH; BQ-E §5.2.1 (000 L654): forwards to R&D within
    // 4 WH, counted from receipt (the stricter reading)
    assert_eq!(h.clock(Deadline::RqsReview).due_at, lt(16, 16, 0));
    assert_eq!(h.clock(Deadline::RqsForwardToRd).due_at, lt(16, 16, 0));
    h.ok(
        start_cmd(
            bq::Acceptance::NotAccepted,
            &decision(bq::Acceptance::NotAccepted),
        ),
        lt(16, 14, 0),
    );
    assert!(h.clock(Deadline::RqsReview).stopped.unwrap().met);
    // forwarding late: breach recorded, no escalation move
    h.e().handle_due(breach_instant(lt(16, 16, 0))).unwrap();
    assert!(h.clock(Deadline::RqsForwardToRd).breached);
    assert_eq!(h.state(), State::BatchStarted);
    h.ok(formal(&rqs(), Action::ForwardToRd), lt(16, 17, 0));
    assert_eq!(h.state(), State::RdAnalysis);

    // the alternative anchor counts from the start of the batch process
    let c = bq::Config {
        rqs_forward_anchor: bq::ForwardAnchor::BatchStarted,
        ..cfg()
    };
    let h = H::with(c, cal());
    h.at_rqs(lt(16, 9, 0));
    h.ok(
        start_cmd(
            bq::Acceptance::NotAccepted,
            &decision(bq::Acceptance::NotAccepted),
        ),
        lt(16, 11, 0),
    );
    assert_eq!(h.clock(Deadline::RqsForwardToRd).due_at, lt(16, 16, 0));
}

#[test]
fn l654_l656_not_accepted_solution_in_2_working_days_else_director_meeting() {
    let h = H::new();
    h.at_rd(bq::Acceptance::NotAccepted, lt(17, 10, 30));
    // BQ-E §5.2.1 (000 L654) 对于未验收的机器…2个工作日内提供有效方案: Tue 10:30 → the close of Thu
    assert_eq!(h.clock(Deadline::RdSolution).due_at, lt(19, 18, 0));
    // BQ-E §5.2.1–§5.2.2 (000 L656): the meeting follows a missed limit only
    let r = h.refused(fire(&rqs(), Action::ConveneDirectorMeeting), lt(18, 10, 0));
    assert_eq!(guard_of(&r), Guard::RdDeadlineBreached);
    let rep = h.e().handle_due(breach_instant(lt(19, 18, 0))).unwrap();
    let events = &rep.handled[0].1;
    assert!(events.iter().any(|e| matches!(
        &e.kind,
        EventKind::Escalated { deadline, notify, moved: None, .. }
            if *deadline == Deadline::RdSolution
                && notify.contains(&Name::new("regional_quality_section"))
    )));
    // 适时: flagged; the quality section convenes
    assert_eq!(h.state(), State::RdAnalysis);
    assert!(is_forbidden(&h.refused(
        fire(&rnd(), Action::ConveneDirectorMeeting),
        lt(20, 9, 0)
    )));
    h.ok(fire(&rqs(), Action::ConveneDirectorMeeting), lt(20, 9, 0));
    assert_eq!(h.state(), State::DirectorMeeting);
    let c = h.clock(Deadline::RdSolution);
    assert!(c.breached && c.stopped.is_some_and(|s| !s.met));
}

#[test]
fn l654_accepted_respond_in_1_conclude_in_4_working_days() {
    let h = H::new();
    h.at_rd(bq::Acceptance::Accepted, lt(17, 10, 30));
    // BQ-E §5.2.1 (000 L654) 已经验收合格的机器: respond by the close of Wed, conclude by the close of the
    // 4th working day, next Mon
    assert_eq!(h.clock(Deadline::RdResponse).due_at, lt(18, 18, 0));
    assert_eq!(h.clock(Deadline::RdSolution).due_at, lt(23, 18, 0));
    h.e().handle_due(breach_instant(lt(18, 18, 0))).unwrap();
    assert!(h.clock(Deadline::RdResponse).breached);
    // a missed response is recorded; the meeting is for a missed conclusion (BQ-E §5.2.1–§5.2.2 (000 L656))
    let r = h.refused(fire(&rqs(), Action::ConveneDirectorMeeting), lt(19, 9, 0));
    assert_eq!(guard_of(&r), Guard::RdDeadlineBreached);
    h.ok(fire(&rnd(), Action::AcknowledgeRd), lt(19, 9, 0));
    assert!(h.clock(Deadline::RdResponse).stopped.is_some());
    h.e().handle_due(breach_instant(lt(23, 18, 0))).unwrap();
    assert!(h.clock(Deadline::RdSolution).breached);
    h.ok(fire(&rqs(), Action::ConveneDirectorMeeting), lt(24, 9, 0));
    assert_eq!(h.state(), State::DirectorMeeting);
}

#[test]
fn l654_accepted_response_in_time_is_met() {
    let h = H::new();
    h.at_rd(bq::Acceptance::Accepted, lt(17, 10, 30));
    h.ok(fire(&rnd(), Action::AcknowledgeRd), lt(17, 15, 0));
    // BQ-E §5.2.1 (000 L654) 1个工作日内响应
    assert!(h.clock(Deadline::RdResponse).stopped.unwrap().met);
    h.ok(
        fire(&rnd(), Action::SubmitRdSolution).with_form(form(&rd_solution())),
        lt(20, 10, 0),
    );
    assert_eq!(h.state(), State::SolutionPlanning);
}

#[test]
fn l656_director_meeting_auto_moves_on_breach() {
    let c = bq::Config {
        director_meeting_auto: true,
        ..cfg()
    };
    let h = H::with(c, cal());
    h.at_rd(bq::Acceptance::NotAccepted, lt(17, 10, 30));
    // BQ-E §5.2.1 (000 L656) 总监级会议 (product decision `PD-MISS`: an escalation that moves)
    h.e().handle_due(breach_instant(lt(19, 18, 0))).unwrap();
    assert_eq!(h.state(), State::DirectorMeeting);
}

#[test]
fn l656_meeting_continues_rd_in_a_new_round_or_adopts_a_solution() {
    let minutes = |d: bq::MeetingDecision| bq::DirectorMeetingMinutes {
        held_at: lt(20, 9, 30),
        attendees: vec![
            bq::Attendee {
                dept: "R&D".into(),
                person: "Director Wu".into(),
            },
            bq::Attendee {
                dept: "Quality".into(),
                person: "Director Qian".into(),
            },
        ],
        decision: d,
        notes: "root cause found late; lab capacity added".into(),
    };
    let h = H::new();
    h.at_rd(bq::Acceptance::NotAccepted, lt(17, 10, 30));
    h.e().handle_due(breach_instant(lt(19, 18, 0))).unwrap();
    h.ok(fire(&rqs(), Action::ConveneDirectorMeeting), lt(20, 9, 0));
    // one department is no director-level meeting
    let mut alone = minutes(bq::MeetingDecision::AdoptSolution);
    alone.attendees.truncate(1);
    let r = h.refused(
        formal(&rqs(), Action::ForwardToRd).with_form(form(&alone)),
        lt(20, 10, 0),
    );
    assert!(matches!(r, Rejection::InvalidForm { .. }));
    let r = h.refused(
        formal(&rqs(), Action::ForwardToRd)
            .with_form(form(&minutes(bq::MeetingDecision::AdoptSolution))),
        lt(20, 10, 0),
    );
    assert_eq!(guard_of(&r), Guard::MeetingContinuesRd);
    h.ok(
        formal(&rqs(), Action::ForwardToRd).with_form(form(&minutes(
            bq::MeetingDecision::ContinueRd {
                agreed_due: lt(24, 18, 0),
            },
        ))),
        lt(20, 10, 0),
    );
    // BQ-E §5.2.1–§5.2.2 (000 L656) (outcome OURS): a new round under the same limits, from Fri 10:00 to the
    // close of the 2nd working day
    assert_eq!(h.state(), State::RdAnalysis);
    let c = h.clock(Deadline::RdSolution);
    assert!(!c.breached);
    assert_eq!(c.due_at, lt(24, 18, 0));

    let h = H::new();
    h.at_rd(bq::Acceptance::NotAccepted, lt(17, 10, 30));
    h.e().handle_due(breach_instant(lt(19, 18, 0))).unwrap();
    h.ok(fire(&rqs(), Action::ConveneDirectorMeeting), lt(20, 9, 0));
    h.ok(
        fire(&rqs(), Action::AdoptSolution)
            .with_form(form(&minutes(bq::MeetingDecision::AdoptSolution)))
            .with_form(form(&rd_solution())),
        lt(20, 10, 0),
    );
    assert_eq!(h.state(), State::SolutionPlanning);
}

#[test]
fn l654_returning_an_ineffective_solution_keeps_the_original_limit() {
    let h = H::new();
    h.at_rd(bq::Acceptance::NotAccepted, lt(17, 10, 30)); // due at the close of Thu
    h.ok(
        fire(&rnd(), Action::SubmitRdSolution).with_form(form(&rd_solution())),
        lt(18, 10, 30), // 14.5 working hours left (Wed 10:30–18:00, Thu 09:00–18:00)
    );
    // the quality section takes two days to judge it: R&D's clock is paused meanwhile
    let r = h.refused(
        fire(&rqs(), Action::ReturnToRd)
            .with_form(form(&rejection(bq::RejectReason::BelowThreshold))),
        lt(20, 10, 30),
    );
    assert_eq!(guard_of(&r), Guard::ReturnToRdReason);
    h.ok(
        fire(&rqs(), Action::ReturnToRd)
            .with_form(form(&rejection(bq::RejectReason::NotEffective))),
        lt(20, 10, 30),
    );
    // BQ-E §5.2.1 (000 L654) 有效方案: the limit is for an effective solution: 14.5 WH left from Fri
    // 10:30 = Mon 18:00, not a fresh 2 working days (the close of Tue)
    assert_eq!(h.state(), State::RdAnalysis);
    assert_eq!(h.clock(Deadline::RdSolution).due_at, lt(23, 18, 0));
}

#[test]
fn l668_progress_bulletin_clock_when_configured() {
    let c = bq::Config {
        progress_bulletin_every: Some(BusinessDuration::WorkingDays(5)),
        ..cfg()
    };
    let h = H::with(c, cal());
    h.executing(lt(16, 10, 0));
    // BQ-E §5.4.2 (000 L668) 定期发布: the period is the host's (None by default)
    assert_eq!(
        h.clock(Deadline::ProgressBulletinFirst).due_at,
        lt(23, 10, 0)
    );
    h.ok(
        fire(&rqs(), Action::PublishProgressBulletin).with_form(form(&bulletin(false))),
        lt(20, 10, 0),
    );
    assert!(
        h.clock(Deadline::ProgressBulletinFirst)
            .stopped
            .unwrap()
            .met
    );
    assert_eq!(
        h.clock(Deadline::ProgressBulletinNext).due_at,
        lt(27, 10, 0)
    );
    assert!(
        bq::definition(&cfg(), cal())
            .unwrap()
            .definition()
            .spec()
            .deadlines
            .iter()
            .all(|d| !d.name.starts_with("progress")),
        "no bulletin clock by default"
    );
}

// ---------------------------------------------------------------------------------------
// R&D analysis and the overall solution (BQ-E §3.1–§3.2, §5.2.1–§5.2.4 (000 L640–L642, L654–L664))
// ---------------------------------------------------------------------------------------

#[test]
fn l658_l660_l662_failed_part_returns() {
    let h = H::new();
    let t = lt(17, 10, 0);
    h.at_rd(bq::Acceptance::Accepted, t);
    let part = |owned_by_customer: bool, to_supplier: bool, kind: bq::FailedPartKind| {
        fire(&rnd(), Action::ReturnFailedPart).with_form(form(&bq::FailedPartReturn {
            serial: "SN0001".into(),
            kind,
            ownership_transferred: !owned_by_customer,
            to_supplier,
            rqs_exception: None,
        }))
    };
    let machine = || bq::FailedPartKind::WholeMachine {
        doa_process_ref: "NDOA-2026-118".into(),
    };
    // BQ-E §5.2.2 (000 L660) 先将问题处理后故障品不再属于客户所有后再返回
    let r = h.refused(part(true, false, machine()), t);
    assert!(reason_of(&r).contains("000 L660"));
    // BQ-E §5.2.2 (000 L658) 原则上不允许提供故障部件给供应商分析
    let r = h.refused(part(false, true, machine()), t);
    assert!(reason_of(&r).contains("000 L658"));
    // BQ-E §5.2.2 (000 L662) 整机分析可通过需求部门申请DOA和非DOA流程
    let r = h.refused(
        part(
            false,
            false,
            bq::FailedPartKind::WholeMachine {
                doa_process_ref: String::new(),
            },
        ),
        t,
    );
    assert!(reason_of(&r).contains("000 L662"));
    // BQ-E §5.2.2 (000 L662) 部件分析原则上要求厂家提供良品点对点更换获取
    let r = h.refused(
        part(
            false,
            false,
            bq::FailedPartKind::Component {
                supplier_good_part_swap: false,
            },
        ),
        t,
    );
    assert_eq!(guard_of(&r), Guard::FailedPartRules);
    h.ok(part(false, false, machine()), t);
    h.ok(
        part(
            false,
            false,
            bq::FailedPartKind::Component {
                supplier_good_part_swap: true,
            },
        ),
        t,
    );
    // allowed by configuration
    let h = H::with(
        bq::Config {
            allow_failed_part_to_supplier: true,
            ..cfg()
        },
        cal(),
    );
    h.at_rd(bq::Acceptance::Accepted, t);
    h.ok(part(false, true, machine()), t);
}

#[test]
fn l664_rd_solution_must_be_mature() {
    let h = H::new();
    let t = lt(17, 10, 0);
    h.at_rd(bq::Acceptance::Accepted, t);
    let mut raw = rd_solution();
    raw.verified_off_site = false;
    // BQ-E §5.2.3 (000 L664) 成熟有效…尽量避免在用户端多次验证
    let r = h.refused(
        fire(&rnd(), Action::SubmitRdSolution).with_form(form(&raw)),
        t,
    );
    assert_eq!(guard_of(&r), Guard::SolutionMature);
    assert!(is_forbidden(&h.refused(
        fire(&rqs(), Action::SubmitRdSolution).with_form(form(&rd_solution())),
        t
    )));
    h.ok(
        note(
            &rnd(),
            Action::RecordSupplierOnSite,
            "supplier FAE on site 11-18",
        ),
        t,
    );
}

#[test]
fn l664_plan_needs_consultation_and_evaluation_first() {
    let h = H::new();
    let t = lt(17, 10, 0);
    h.at_planning(bq::Acceptance::Accepted, t);
    let approve = || {
        fire(&rqs(), Action::ApprovePlan).with_form(form(&plan(bq::PlanKind::ComponentReplacement)))
    };
    // BQ-E §5.2.4 (000 L664) 事先征求分公司及用户意见
    let r = h.refused(approve(), t);
    assert_eq!(guard_of(&r), Guard::Consulted);
    assert!(reason_of(&r).contains("branch") && reason_of(&r).contains("user"));
    // the branch speaks for itself; the user's opinion is recorded by sales or the section
    let r = h.refused(
        fire(&actor("s", Role::Sales), Action::RecordConsultation).with_form(form(&consultation(
            bq::ConsultedParty::Branch {
                branch: "Wuhan".into(),
            },
            t,
        ))),
        t,
    );
    assert_eq!(guard_of(&r), Guard::ConsultationRecorder);
    // a department evaluates only for itself
    let r = h.refused(
        fire(&rnd(), Action::EvaluatePlan).with_form(form(&evaluation(Role::Sales))),
        t,
    );
    assert_eq!(guard_of(&r), Guard::EvaluatorIsDept);
    h.consult_and_evaluate(t);
    // BQ-E §5.2.4 (000 L664) 各部门对处理方案的有效性、可行性进行评估: a negative one blocks
    h.ok(
        fire(&actor("sales-ma", Role::Sales), Action::EvaluatePlan).with_form(form(
            &bq::PlanEvaluation {
                dept: Role::Sales,
                effective: true,
                feasible: false,
                comment: "the bank cannot stop branches in December".into(),
            },
        )),
        t,
    );
    let r = h.refused(approve(), t);
    assert_eq!(guard_of(&r), Guard::PlanEvaluated);
    h.ok(
        fire(&actor("sales-ma", Role::Sales), Action::EvaluatePlan)
            .with_form(form(&evaluation(Role::Sales))),
        t,
    );
    h.ok(approve(), t);
    assert_eq!(h.state(), State::Execution);
}

#[test]
fn l640_during_acceptance_replacement_is_preferred() {
    let h = H::new();
    let t = lt(17, 10, 0);
    h.at_planning(bq::Acceptance::NotAccepted, t);
    h.consult_and_evaluate(t);
    let mut p = plan(bq::PlanKind::ComponentReplacement);
    p.not_replacement_reason = None;
    // BQ-E §3.1 (000 L640) 在用户验收期间…优先考虑整机更换
    let r = h.refused(fire(&rqs(), Action::ApprovePlan).with_form(form(&p)), t);
    assert_eq!(guard_of(&r), Guard::ReplacementPreferred);
    h.ok(
        fire(&rqs(), Action::ApprovePlan)
            .with_form(form(&plan(bq::PlanKind::ComponentReplacement))),
        t,
    );
    assert_eq!(h.state(), State::Execution);
}

fn return_application(qty: usize) -> bq::BatchReturnExchangeApplication {
    bq::BatchReturnExchangeApplication {
        kind: bq::ReturnKind::Exchange,
        customer: CUSTOMER.into(),
        model: MODEL.into(),
        serials: (1..=qty).map(|i| format!("SN{i:04}")).collect(),
        quantity: qty as u32,
        replacement_model: Some("FZ-D530B".into()),
        reason: "batch PSU failure during acceptance".into(),
        ship_to: "Bank of Wuhan IT, 1 Zhongnan Rd".into(),
        related_process: bq::RelatedProcess::NonDoa,
    }
}

#[test]
fn l642_l676_replacement_plan_is_signed_jointly_with_return_application() {
    let h = H::new();
    let t = lt(17, 10, 0);
    h.at_planning(bq::Acceptance::NotAccepted, t);
    h.consult_and_evaluate(t);
    let p = plan(bq::PlanKind::WholeMachineReplacement);
    // BQ-E §3.1 (000 L642) 更换方案由品质管理部、服务平台、产品部门、销售平台各产品业务部、各区域分公司销售部门
    // 共同制定: the quality section alone cannot approve it
    let r = h.refused(fire(&rqs(), Action::ApprovePlan).with_form(form(&p)), t);
    assert_eq!(guard_of(&r), Guard::PlanNotReplacement);
    let coauthors = cfg().replacement_plan_coauthors;
    let first = actor("qmd-sign", coauthors[0]);
    // BQ-E §7 (000 L676) 《方正科技产品批量退换货申请表》: the sign-off's guards hold on every signature
    // (issue 15, finding 14: a doomed sign-off collects no signature), so the first signature
    // already needs the application (it stays on file for the others).
    let r = h.refused(
        Command::sign(&first, Action::ApprovePlan).with_form(form(&p)),
        t,
    );
    assert_eq!(guard_of(&r), Guard::ReturnApplication);
    assert_eq!(h.e().load(h.id()).unwrap().signatures().len(), 0);
    let mut wrong = return_application(250);
    wrong.replacement_model = None;
    let r = h.refused(
        Command::sign(&first, Action::ApprovePlan)
            .with_form(form(&p))
            .with_form(form(&wrong)),
        t,
    );
    assert!(matches!(r, Rejection::InvalidForm { .. }));
    h.ok(
        Command::sign(&first, Action::ApprovePlan)
            .with_form(form(&p))
            .with_form(form(&return_application(250))),
        t,
    );
    for r in &coauthors[1..] {
        h.ok(
            Command::sign(&actor(&format!("sign-{r}"), *r), Action::ApprovePlan),
            t,
        );
        assert_eq!(h.state(), State::SolutionPlanning);
    }
    h.ok(Command::sign(&rqs(), Action::ApprovePlan), t);
    assert_eq!(h.state(), State::Execution);
    let signed: Vec<_> = h
        .e()
        .history(h.id())
        .unwrap()
        .into_iter()
        .filter(|e| matches!(&e.kind, EventKind::Signed { action, approved: true, .. } if action == "approve_plan"))
        .collect();
    assert_eq!(signed.len(), 6);
}

// ---------------------------------------------------------------------------------------
// Execution and monitoring (BQ-E §4.1–§4.4, §5.3, §5.4, §6–§9 (000 L644, L666, L668, L676))
// ---------------------------------------------------------------------------------------

fn bulletin(major: bool) -> bq::ProgressBulletin {
    bq::ProgressBulletin {
        bulletin_no: "PB-1".into(),
        period_from: date(2026, 11, 16),
        period_to: date(2026, 11, 20),
        major_abnormality: major,
        units_done: 120,
        units_planned: 250,
        summary: "120 of 250 PSUs replaced".into(),
        next_steps: "finish by 11-27".into(),
        risks: "spares".into(),
    }
}

fn warning() -> bq::QualityWarning {
    bq::QualityWarning {
        models: vec![MODEL.into()],
        components: vec!["PSU".into()],
        risk: "all FZ-D530 built with the lot".into(),
        containment: "hold lot 2026-07".into(),
        distribution: vec!["all regions".into()],
    }
}

#[test]
fn l676_l646_execution_result_needs_severity_bulletin_and_warning() {
    let h = H::new();
    let t = lt(17, 10, 0);
    h.executing(t);
    let sp = actor("sp-he", Role::ServicePlatform);
    // BQ-E §9 (000 L676) 评估影响严重程度 → 发布内部通报 before the result
    let r = h.refused(
        fire(&sp, Action::ReportExecutionResult).with_form(form(&result(250))),
        t,
    );
    assert_eq!(guard_of(&r), Guard::SeverityAssessed);
    h.ok(
        fire(&rqs(), Action::AssessSeverity).with_form(form(&severity(bq::BatchSeverity::Major))),
        t,
    );
    // BQ-E §4.5.4 (000 L646) 重大批量质量问题预警
    let r = h.refused(
        fire(&sp, Action::ReportExecutionResult).with_form(form(&result(250))),
        t,
    );
    assert_eq!(guard_of(&r), Guard::WarningIfMajor);
    h.ok(
        fire(&rqs(), Action::IssueQualityWarning).with_form(form(&warning())),
        t,
    );
    // fewer units treated than planned needs a reason
    let r = h.refused(
        fire(&sp, Action::ReportExecutionResult).with_form(form(&result(200))),
        t,
    );
    assert!(matches!(r, Rejection::InvalidForm { .. }));
    // BQ-E §9 (000 L676) 服务平台反馈执行结果: not the station
    assert!(is_forbidden(&h.refused(
        fire(&station(), Action::ReportExecutionResult).with_form(form(&result(250))),
        t
    )));
    h.ok(
        fire(&sp, Action::ReportExecutionResult).with_form(form(&result(250))),
        t,
    );
    assert_eq!(h.state(), State::EffectVerification);
}

#[test]
fn l646_quality_warning_only_for_a_major_issue() {
    let h = H::new();
    let t = lt(17, 10, 0);
    h.executing(t);
    h.ok(
        fire(&rqs(), Action::AssessSeverity)
            .with_form(form(&severity(bq::BatchSeverity::Ordinary))),
        t,
    );
    // BQ-E §4.5.4 (000 L646)
    let r = h.refused(
        fire(&rqs(), Action::IssueQualityWarning).with_form(form(&warning())),
        t,
    );
    assert_eq!(guard_of(&r), Guard::SeverityMajor);
}

#[test]
fn l668_only_the_quality_section_publishes_progress_bulletins() {
    let h = H::new();
    let t = lt(17, 10, 0);
    h.executing(t);
    // BQ-E §5.4.2 (000 L668) 区域质量处定期发布《售后批量质量问题进度通报》
    for who in [station(), ts(), actor("r", Role::RegionalServiceMgmt)] {
        assert!(is_forbidden(&h.refused(
            fire(&who, Action::PublishProgressBulletin).with_form(form(&bulletin(false))),
            t
        )));
    }
    h.ok(
        fire(&rqs(), Action::AssessSeverity).with_form(form(&severity(bq::BatchSeverity::Major))),
        t,
    );
    // BQ-E §7 (000 L676) 《售后批量质量问题重大异常进度通报》 for a major issue
    let r = h.refused(
        fire(&rqs(), Action::PublishProgressBulletin).with_form(form(&bulletin(false))),
        t,
    );
    assert_eq!(guard_of(&r), Guard::BulletinFlag);
    h.ok(
        fire(&rqs(), Action::PublishProgressBulletin).with_form(form(&bulletin(true))),
        t,
    );
}

#[test]
fn l668_progress_is_fed_back_through_the_system_and_cumulative() {
    let h = H::new();
    let t = lt(17, 10, 0);
    h.executing(t);
    let entry = |n: u32| bq::ProgressEntry {
        units_done_total: n,
        note: "PSU swaps".into(),
    };
    // BQ-E §5.4.1 (000 L668) 通过批量反馈系统及时准确地进行反馈
    let r = h.refused(
        fire(&station(), Action::RecordProgress).with_form(form(&entry(100))),
        t,
    );
    assert_eq!(guard_of(&r), Guard::FormalChannel);
    h.ok(
        formal(&station(), Action::RecordProgress).with_form(form(&entry(100))),
        t,
    );
    let r = h.refused(
        formal(&station(), Action::RecordProgress).with_form(form(&entry(90))),
        t,
    );
    assert_eq!(guard_of(&r), Guard::ProgressConsistent);
    let r = h.refused(
        formal(&station(), Action::RecordProgress).with_form(form(&entry(251))),
        t,
    );
    assert_eq!(guard_of(&r), Guard::ProgressConsistent);
    // BQ-E §4.2.3 (000 L644) 指派维修站; §4.4 备件管理部
    h.ok(
        fire(
            &actor("r", Role::RegionalServiceMgmt),
            Action::AssignStation,
        )
        .with_payload(json!({"station": "ST-WH-02"})),
        t,
    );
    h.ok(
        note(
            &actor("sp", Role::SparePartsMgmt),
            Action::RecordSparesWork,
            "40 turnover PSUs, barcodes printed",
        ),
        t,
    );
    // BQ-E §5.3.1 (000 L666) 因供应商责任…协调厂家提供备件资源
    h.ok(
        note(
            &rqs(),
            Action::CoordinateSupplierSpares,
            "PSU-Co ships 250 rev B",
        ),
        t,
    );
}

// ---------------------------------------------------------------------------------------
// Effect verification, arbitration, CAPA (BQ-E §5.6–§9 (000 L674–L676))
// ---------------------------------------------------------------------------------------

#[test]
fn l676_ineffective_execution_goes_back_to_planning_or_rd() {
    let h = H::new();
    let t = lt(17, 10, 0);
    h.verifying(t);
    let r = h.refused(
        fire(&rqs(), Action::ConfirmEffective).with_form(form(&effect(false))),
        t,
    );
    assert_eq!(guard_of(&r), Guard::Effective);
    // BQ-E §9 (000 L676) 验证方案执行效果 (outcome of a failure OURS)
    h.ok(
        fire(&rqs(), Action::ReturnToPlanning).with_form(form(&effect(false))),
        t,
    );
    assert_eq!(h.state(), State::SolutionPlanning);

    let h = H::new();
    h.verifying(t);
    h.ok(
        formal(&rqs(), Action::ForwardToRd).with_form(form(&effect(false))),
        lt(18, 10, 0),
    );
    assert_eq!(h.state(), State::RdAnalysis);
    // a new R&D round (BQ-E §5.2.1 (000 L654)): not accepted, to the close of the 2nd working day
    assert_eq!(h.clock(Deadline::RdSolution).due_at, lt(20, 18, 0));
}

#[test]
fn l674_arbitration_rests_on_rnd_quality_appraisal_report() {
    let h = H::new();
    let t = lt(17, 10, 0);
    h.arbitrating(t);
    // BQ-E §5.6.1 (000 L674) 区域质量处根据产品研发部门提供的《质量鉴定报告》进行责任仲裁
    let r = h.refused(
        fire(&rqs(), Action::Arbitrate)
            .with_form(form(&qar(vec![psu_co()])))
            .with_form(form(&arbitration(false))),
        t,
    );
    assert_eq!(guard_of(&r), Guard::QarPresent);
    assert!(is_forbidden(&h.refused(
        fire(&rqs(), Action::IssueQualityAppraisalReport).with_form(form(&qar(vec![psu_co()]))),
        t
    )));
    // a nonconformity names the violated requirement
    let mut vague = qar(vec![psu_co()]);
    vague.violated_requirement = None;
    assert!(matches!(
        h.refused(
            fire(&rnd(), Action::IssueQualityAppraisalReport).with_form(form(&vague)),
            t
        ),
        Rejection::InvalidForm { .. }
    ));
    h.ok(
        fire(&rnd(), Action::IssueQualityAppraisalReport).with_form(form(&qar(vec![psu_co()]))),
        t,
    );
    let mut other = arbitration(false);
    other.qar_no = "QAR-X".into();
    let r = h.refused(fire(&rqs(), Action::Arbitrate).with_form(form(&other)), t);
    assert_eq!(guard_of(&r), Guard::QarPresent);
    // a claim only against a responsible supplier (BQ-E §5.5 (000 L670))
    let mut wrong = arbitration(false);
    wrong.claim_against = Some("Cable-Co".into());
    assert!(matches!(
        h.refused(fire(&rqs(), Action::Arbitrate).with_form(form(&wrong)), t),
        Rejection::InvalidForm { .. }
    ));
    h.ok(
        fire(&rqs(), Action::Arbitrate).with_form(form(&arbitration(false))),
        t,
    );
    assert_eq!(h.state(), State::CorrectivePreventive);
    assert_eq!(bq::claim_status(&h.inst()), None);
}

#[test]
fn l674_capa_notice_only_by_quality_management_to_arbitrated_parties() {
    let h = H::new();
    let t = lt(17, 10, 0);
    h.measures(false, t);
    let due = lt(30, 18, 0);
    // BQ-E §5.6.2 (000 L674) 由品质管理部向相关责任方发出《售后批量质量问题纠正预防通知书》
    for who in [rqs(), sys(), rnd()] {
        assert!(is_forbidden(&h.refused(
            fire(&who, Action::IssueCapaNotice).with_form(form(&capa_notice("N-1", psu_co(), due))),
            t
        )));
    }
    let r = h.refused(
        fire(&qmd(), Action::IssueCapaNotice).with_form(form(&capa_notice(
            "N-1",
            bq::Party::Transport,
            due,
        ))),
        t,
    );
    assert_eq!(guard_of(&r), Guard::CapaAddressee);
    let r = h.refused(
        fire(&qmd(), Action::IssueCapaNotice).with_form(form(&capa_notice(
            "N-1",
            psu_co(),
            lt(16, 9, 0),
        ))),
        t,
    );
    assert_eq!(guard_of(&r), Guard::CapaAddressee);
    // internal processes get an improvement form, not a notice
    let internal = bq::Party::InternalProcess {
        dept: "service".into(),
    };
    assert!(matches!(
        h.refused(
            fire(&qmd(), Action::IssueCapaNotice)
                .with_form(form(&capa_notice("N-1", internal, due))),
            t
        ),
        Rejection::InvalidForm { .. }
    ));
    // verification cannot start before the notice is issued
    let r = h.refused(fire(&rqs(), Action::StartCapaVerification), t);
    assert_eq!(guard_of(&r), Guard::MeasuresIssued);
    h.ok(
        fire(&qmd(), Action::IssueCapaNotice).with_form(form(&capa_notice("N-1", psu_co(), due))),
        t,
    );
    // BQ-E §4.6.1 (000 L646) 体系管理部督促供应商制定纠正预防措施
    h.ok(
        note(
            &sys(),
            Action::RecordCapaResponse,
            "8D received from PSU-Co",
        ),
        t,
    );
    h.ok(fire(&rqs(), Action::StartCapaVerification), t);
    assert_eq!(h.state(), State::CapaVerification);
}

#[test]
fn l674_internal_improvement_and_product_change_are_issued_before_verification() {
    let h = H::new();
    let t = lt(17, 10, 0);
    h.arbitrating(t);
    h.ok(
        fire(&rnd(), Action::IssueQualityAppraisalReport).with_form(form(&qar(vec![
            bq::Party::InternalProcess {
                dept: "incoming inspection".into(),
            },
            bq::Party::Design,
        ]))),
        t,
    );
    let a = bq::ArbitrationRecord {
        qar_no: "QAR-2026-031".into(),
        responsible: vec![
            bq::Party::InternalProcess {
                dept: "incoming inspection".into(),
            },
            bq::Party::Design,
        ],
        claim_against: None,
        capa_for: vec![],
        internal_improvement: true,
        product_change: true,
        reasoning: "inspection missed the lot; design margin too thin".into(),
    };
    h.ok(fire(&rqs(), Action::Arbitrate).with_form(form(&a)), t);
    let r = h.refused(fire(&rqs(), Action::StartCapaVerification), t);
    assert!(reason_of(&r).contains("问题改进表单"));
    let pif = bq::ProblemImprovementForm {
        form_no: "PIF-7".into(),
        process: "incoming inspection of PSUs".into(),
        problem: "sampling missed the capacitor lot".into(),
        proposed_improvement: "add cold-start test".into(),
    };
    // BQ-E §5.6.3 (000 L674) 由区域质量处提交《问题改进表单》给品质管理部体系管理部立项整改
    assert!(is_forbidden(&h.refused(
        fire(&qmd(), Action::SubmitImprovementForm).with_form(form(&pif)),
        t
    )));
    let r = h.refused(
        fire(&sys(), Action::OpenRectificationProject).with_payload(json!({"project": "P-1"})),
        t,
    );
    assert_eq!(guard_of(&r), Guard::ImprovementSubmitted);
    h.ok(
        fire(&rqs(), Action::SubmitImprovementForm).with_form(form(&pif)),
        t,
    );
    // BQ-E §4.6.2 (000 L646) 推动…立项整改
    h.ok(
        fire(&sys(), Action::OpenRectificationProject).with_payload(json!({"project": "P-1"})),
        t,
    );
    assert_eq!(h.data().rectification_project.as_deref(), Some("P-1"));
    let r = h.refused(fire(&rqs(), Action::StartCapaVerification), t);
    assert!(reason_of(&r).contains("产品变更"));
    // BQ-E §5.6.4 (000 L674) 产品变更
    h.ok(
        fire(&rnd(), Action::RequestProductChange).with_form(form(&bq::ProductChangeRequest {
            request_no: "PCR-3".into(),
            product_type: bq::ProductType::Desktop,
            change: "PSU rev B".into(),
            process_ref: "《台式电脑产品变更流程》 DT-2026-19".into(),
        })),
        t,
    );
    h.ok(
        note(
            &rnd(),
            Action::EvaluatePreventiveMeasure,
            "rev B margin +8 %",
        ),
        t,
    );
    h.ok(fire(&rqs(), Action::StartCapaVerification), t);
    assert_eq!(h.state(), State::CapaVerification);
}

#[test]
fn l676_close_only_after_capa_verification() {
    let h = H::new();
    let t = lt(17, 10, 0);
    h.measures(false, t);
    h.ok(
        fire(&qmd(), Action::IssueCapaNotice).with_form(form(&capa_notice(
            "N-1",
            psu_co(),
            lt(30, 18, 0),
        ))),
        t,
    );
    h.ok(fire(&rqs(), Action::StartCapaVerification), t);
    // BQ-E §9 (000 L676) 跟踪验证纠正预防措施执行情况 → 结束
    let r = h.refused(fire(&rqs(), Action::Close), t);
    assert_eq!(guard_of(&r), Guard::AllCapaVerified);
    let r = h.refused(
        fire(&rqs(), Action::VerifyCapaItem)
            .with_form(form(&verify_item(notice_item("N-9"), true))),
        t,
    );
    assert_eq!(guard_of(&r), Guard::CapaItemKnown);
    let r = h.refused(fire(&rqs(), Action::ReopenMeasures), t);
    assert_eq!(guard_of(&r), Guard::CapaItemFailed);
    h.ok(
        fire(&rqs(), Action::VerifyCapaItem)
            .with_form(form(&verify_item(notice_item("N-1"), false))),
        t,
    );
    h.ok(fire(&rqs(), Action::ReopenMeasures), t);
    assert_eq!(h.state(), State::CorrectivePreventive);
    h.ok(fire(&rqs(), Action::StartCapaVerification), t);
    h.ok(
        fire(&rqs(), Action::VerifyCapaItem)
            .with_form(form(&verify_item(notice_item("N-1"), true))),
        t,
    );
    // BQ-E §4.5.5 (000 L646) 主导《质量鉴定报告》的整理归档
    let r = h.refused(fire(&rqs(), Action::Close), t);
    assert_eq!(guard_of(&r), Guard::QarArchived);
    h.ok(fire(&rqs(), Action::ArchiveQar), t);
    h.ok(fire(&rqs(), Action::Close), t);
    assert_eq!(h.state(), State::Closed);
    assert!(h.inst().is_closed());
    h.e().verify(h.id()).unwrap();
}

#[test]
fn l666_consumables_requests_must_be_settled_before_closing() {
    let h = H::new();
    let t = lt(17, 10, 0);
    h.executing(t);
    // BQ-E §5.3.2 (000 L666) 由区域技术支持工程师发送耗材申请表给区域质量处
    h.ok(
        fire(&rtse(), Action::LinkConsumablesRequest).with_payload(json!({"request": "CR-1"})),
        t,
    );
    assert!(matches!(
        h.refused(
            fire(&rtse(), Action::LinkConsumablesRequest).with_payload(json!({"request": "CR-1"})),
            t
        ),
        Rejection::EffectFailed { .. }
    ));
    assert!(is_forbidden(&h.refused(
        fire(&station(), Action::LinkConsumablesRequest).with_payload(json!({"request": "CR-2"})),
        t
    )));
    h.executed_and_effective(t);
    h.ok(
        fire(&rnd(), Action::IssueQualityAppraisalReport).with_form(form(&qar(vec![psu_co()]))),
        t,
    );
    let mut a = arbitration(false);
    a.capa_for.clear();
    h.ok(fire(&rqs(), Action::Arbitrate).with_form(form(&a)), t);
    h.ok(fire(&rqs(), Action::ArchiveQar), t);
    h.ok(fire(&rqs(), Action::StartCapaVerification), t);
    let r = h.refused(fire(&rqs(), Action::Close), t);
    assert_eq!(guard_of(&r), Guard::ConsumablesSettled);
    h.ok(
        fire(&rqs(), Action::SettleConsumablesRequest)
            .with_payload(json!({"request": "CR-1", "cost_fen": 12_500})),
        t,
    );
    h.ok(fire(&rqs(), Action::Close), t);
    assert_eq!(h.state(), State::Closed);
}

// ---------------------------------------------------------------------------------------
// Supplier claim (BQ-E §4.9, §5.5, §6–§9 (000 L650, L670–L672, L676))
// ---------------------------------------------------------------------------------------

fn loss(items: &[(bq::LossCategory, u32, i64)]) -> bq::LossDataSubmission {
    bq::LossDataSubmission {
        loss_dept: "service platform".into(),
        standard_ref: "服务费用标准 2026".into(),
        items: items
            .iter()
            .map(|&(category, quantity, unit)| bq::LossItem {
                category,
                description: format!("{category:?}"),
                quantity,
                unit_cost_fen: unit,
                amount_fen: i64::from(quantity) * unit,
            })
            .collect(),
    }
}

fn claim_report(total: i64) -> bq::ClaimAppraisalReport {
    bq::ClaimAppraisalReport {
        report_no: "CAR-5".into(),
        supplier: "PSU-Co".into(),
        qar_no: "QAR-2026-031".into(),
        basis: "QAR-2026-031: capacitor lot out of tolerance".into(),
        total_direct_loss_fen: total,
        claimed_amount_fen: total,
        additional_penalty_reserved: true,
    }
}

#[test]
fn l670_supplier_claim_branch() {
    let h = H::new();
    let t = lt(17, 10, 0);
    h.executing(t);
    h.ok(
        fire(&rtse(), Action::LinkConsumablesRequest).with_payload(json!({"request": "CR-1"})),
        t,
    );
    h.executed_and_effective(t);
    h.ok(
        fire(&rnd(), Action::IssueQualityAppraisalReport).with_form(form(&qar(vec![psu_co()]))),
        t,
    );
    h.ok(
        fire(&rqs(), Action::Arbitrate).with_form(form(&arbitration(true))),
        t,
    );
    // BQ-E §9 (000 L676) 属于供应商责任 → 汇总损失数据: the claim track opens
    assert_eq!(
        bq::claim_status(&h.inst()),
        Some(bq::ClaimStatus::LossCollection)
    );
    let lossdept = actor("sp-loss", Role::LossDept);
    // BQ-E §5.5 (000 L670) 由损失部门按照相关标准统计损失数据,反馈给区域质量处
    assert!(is_forbidden(&h.refused(
        fire(&rqs(), Action::SubmitLossData).with_form(form(&loss(&[(
            bq::LossCategory::Labour,
            1,
            100
        )]))),
        t
    )));
    let mut bad = loss(&[(bq::LossCategory::SpareParts, 250, 18_000)]);
    bad.items[0].amount_fen += 1;
    assert!(matches!(
        h.refused(
            fire(&lossdept, Action::SubmitLossData).with_form(form(&bad)),
            t
        ),
        Rejection::InvalidForm { .. }
    ));
    h.ok(
        fire(&lossdept, Action::SubmitLossData).with_form(form(&loss(&[
            (bq::LossCategory::SpareParts, 250, 18_000),
            (bq::LossCategory::Labour, 250, 5000),
        ]))),
        t,
    );
    // costs are final only once the consumables request is settled (BQ-E §4.5.6 (000 L646))
    let r = h.refused(
        fire(&rqs(), Action::FileClaimAppraisal).with_form(form(&claim_report(250 * 23_000))),
        t,
    );
    assert_eq!(guard_of(&r), Guard::ClaimAppraisalMatches);
    h.ok(
        fire(&rqs(), Action::SettleConsumablesRequest)
            .with_payload(json!({"request": "CR-1", "cost_fen": 12_500})),
        t,
    );
    let total = 250 * 23_000 + 12_500;
    let r = h.refused(
        fire(&rqs(), Action::FileClaimAppraisal).with_form(form(&claim_report(250 * 23_000))),
        t,
    );
    assert!(reason_of(&r).contains(&total.to_string()));
    // BQ-E §5.5 (000 L670) 区域质量处填写索赔鉴定报告 (only the quality section)
    assert!(is_forbidden(
        &h.refused(
            fire(&actor("p", Role::Procurement), Action::FileClaimAppraisal)
                .with_form(form(&claim_report(total))),
            t
        )
    ));
    let mut no_reserve = claim_report(total);
    no_reserve.additional_penalty_reserved = false;
    assert!(matches!(
        h.refused(
            fire(&rqs(), Action::FileClaimAppraisal).with_form(form(&no_reserve)),
            t
        ),
        Rejection::InvalidForm { .. }
    ));
    h.ok(
        fire(&rqs(), Action::FileClaimAppraisal).with_form(form(&claim_report(total))),
        t,
    );
    assert_eq!(
        bq::claim_status(&h.inst()),
        Some(bq::ClaimStatus::AwaitingConfirmation)
    );
    // BQ-E §5.5 (000 L670) 提交采购商务管理部确认; BQ-E §4.9 (000 L650) 采购部负责…损失索赔
    let procurement = actor("proc-1", Role::Procurement);
    let commercial = actor("pc-1", Role::ProcurementCommercial);
    assert!(is_forbidden(
        &h.refused(fire(&procurement, Action::ConfirmClaim), t)
    ));
    h.ok(
        fire(&commercial, Action::ReturnClaim)
            .with_form(form(&rejection(bq::RejectReason::ClaimIncorrect))),
        t,
    );
    assert_eq!(
        bq::claim_status(&h.inst()),
        Some(bq::ClaimStatus::LossCollection)
    );
    h.ok(
        fire(&rqs(), Action::FileClaimAppraisal).with_form(form(&claim_report(total))),
        t,
    );
    h.ok(fire(&commercial, Action::ConfirmClaim), t);
    let executed = bq::ClaimExecutionRecord {
        settled_amount_fen: total,
        method_ref: "《理赔业务处理流程》 LP-2026-044".into(),
        settled_on: date(2026, 12, 10),
    };
    assert!(is_forbidden(&h.refused(
        fire(&commercial, Action::RecordClaimExecuted).with_form(form(&executed)),
        t
    )));
    // CAPA runs alongside; closing waits for the claim (BQ-E §9 (000 L676) 采购部执行索赔 → 结束)
    h.ok(
        fire(&qmd(), Action::IssueCapaNotice).with_form(form(&capa_notice(
            "N-1",
            psu_co(),
            lt(30, 18, 0),
        ))),
        t,
    );
    h.ok(fire(&rqs(), Action::StartCapaVerification), t);
    h.ok(
        fire(&rqs(), Action::VerifyCapaItem)
            .with_form(form(&verify_item(notice_item("N-1"), true))),
        t,
    );
    h.ok(fire(&rqs(), Action::ArchiveQar), t);
    let r = h.refused(fire(&rqs(), Action::Close), t);
    assert_eq!(guard_of(&r), Guard::ClaimSettled);
    // BQ-E §5.5 (000 L672) 具体操作请参照《理赔业务处理流程》; BQ-E §9 (000 L676) 采购部执行索赔
    h.ok(
        fire(&procurement, Action::RecordClaimExecuted).with_form(form(&executed)),
        t,
    );
    assert_eq!(bq::claim_status(&h.inst()), Some(bq::ClaimStatus::Executed));
    h.ok(fire(&rqs(), Action::Close), t);
    assert_eq!(h.state(), State::Closed);
    // the cost of the issue nets to zero after recovery (aftersales::cost)
    let ledger = bq::cost_ledger(&h.inst()).unwrap();
    assert_eq!(ledger.total().unwrap(), 0);
    let by_kind = ledger.totals_by(|l| l.kind).unwrap();
    assert_eq!(by_kind[&CostKind::Consumables], 12_500);
    assert_eq!(by_kind[&CostKind::ClaimReceived], -total);
    assert!(
        ledger
            .lines()
            .iter()
            .all(|l| l.supplier.as_deref() == Some("PSU-Co"))
    );
    h.e().verify(h.id()).unwrap();
}

#[test]
fn l670_no_claim_without_a_responsible_supplier() {
    let h = H::new();
    let t = lt(17, 10, 0);
    h.measures(false, t);
    // BQ-E §5.5 (000 L670) 因供应商责任导致的…直接损失: no supplier claimed, no claim track
    let r = h.refused(
        fire(&actor("l", Role::LossDept), Action::SubmitLossData).with_form(form(&loss(&[(
            bq::LossCategory::Labour,
            1,
            100,
        )]))),
        t,
    );
    assert_eq!(guard_of(&r), Guard::ClaimCollecting);
    assert!(reason_of(&r).contains("000 L670"));
}

// ---------------------------------------------------------------------------------------
// Batch definition (BQ-E §2.1, §2.2 (000 L636, L638))
// ---------------------------------------------------------------------------------------

fn user(units: u64, failed: u64) -> Option<bq::BatchRule> {
    bq::user_rule(units, failed, &cfg()).unwrap()
}

#[test]
fn l638_fewer_than_300_units_needs_more_than_15_failures() {
    // BQ-E §2.2 (000 L638) 用户使用数量少于300台…数量超过15台
    assert_eq!(user(299, 15), None);
    assert_eq!(user(299, 16), Some(bq::BatchRule::SmallUserCount));
    assert_eq!(user(15, 15), None); // C1 can never hold for 15 units or fewer
    assert_eq!(user(16, 16), Some(bq::BatchRule::SmallUserCount));
}

#[test]
fn l638_at_least_300_units_needs_more_than_5_percent() {
    // BQ-E §2.2 (000 L638) 不少于300台…比例超过5%
    assert_eq!(user(300, 15), None); // exactly 5 %
    assert_eq!(user(300, 16), Some(bq::BatchRule::LargeUserRatio));
    assert_eq!(user(1000, 50), None); // exactly 5 %
    assert_eq!(user(1000, 51), Some(bq::BatchRule::LargeUserRatio));
    assert_eq!(user(400, 20), None); // exactly 5 %
    assert_eq!(user(320, 16), None); // exactly 5 %
    assert_eq!(user(320, 17), Some(bq::BatchRule::LargeUserRatio));
}

#[test]
fn l638_ratio_is_integer_arithmetic_without_overflow() {
    // product decision `PD-BATCH`: 100 × f > 5 × n, in integers
    assert!(!bq::ratio_exceeds(u64::MAX / 20, u64::MAX, 5));
    assert!(bq::ratio_exceeds(u64::MAX / 20 + 1, u64::MAX, 5));
    assert!(!bq::ratio_exceeds(5, 100, 5));
    assert!(bq::ratio_exceeds(6, 100, 5));
    assert_eq!(user(u64::MAX, u64::MAX / 20), None);
}

#[test]
fn l638_component_ratio_nationally_or_in_a_region() {
    let c = cfg();
    // BQ-E §2.2 (000 L638) 同一部件在全国或某一地区3个月内发生相同故障的比例超过5%
    assert_eq!(bq::component_rule(10_000, 500, &c).unwrap(), None);
    assert_eq!(
        bq::component_rule(10_000, 501, &c).unwrap(),
        Some(bq::BatchRule::ComponentRatio)
    );
    let min = bq::Config {
        c3_min_population: Some(100),
        ..cfg()
    };
    assert_eq!(bq::component_rule(50, 10, &min).unwrap(), None);
    assert!(bq::component_rule(50, 10, &c).unwrap().is_some());
}

#[test]
fn l638_invalid_counts_are_errors() {
    assert_eq!(
        bq::user_rule(10, 11, &cfg()),
        Err(bq::NotBatch::InvalidCounts {
            failed: 11,
            units: 10
        })
    );
    assert!(bq::user_rule(0, 0, &cfg()).is_err());
    assert!(bq::component_rule(0, 0, &cfg()).is_err());
}

#[test]
fn l636_out_of_scope_cases_are_rejected_with_their_reason() {
    let c = cfg();
    let mut k = case(250, 16);
    k.meets_spec_but_not_user_need = true;
    // BQ-E §2.1 (000 L636) 对于符合产品规格,但不满足用户需求的批量问题,不在此流程适用范围内
    let e = bq::assess(&k, &c).unwrap_err();
    assert_eq!(
        e,
        bq::NotBatch::OutOfScope {
            reason: bq::OutOfScopeReason::MeetsSpecButNotUserNeed
        }
    );
    assert!(e.to_string().contains("不满足用户需求"));
    let mut k = case(250, 16);
    k.product_line = bq::ProductLine::Other;
    assert!(matches!(
        bq::assess(&k, &c),
        Err(bq::NotBatch::OutOfScope {
            reason: bq::OutOfScopeReason::NotCoveredProduct
        })
    ));
    let mut k = case(250, 16);
    k.delivered = false;
    assert!(matches!(
        bq::assess(&k, &c),
        Err(bq::NotBatch::OutOfScope {
            reason: bq::OutOfScopeReason::NotDelivered
        })
    ));
    let mut k = case(250, 16);
    k.product_line = bq::ProductLine::InternetCafeMachine;
    assert_eq!(bq::assess(&k, &c), Ok(bq::BatchRule::SmallUserCount));
}

#[test]
fn l638_out_of_warranty_and_conforming_cases_are_not_batch_problems() {
    let c = cfg();
    let mut k = case(250, 16);
    k.in_service_period = false;
    // BQ-E §2.2 (000 L638) 产品在标准的售后服务期限内
    assert_eq!(bq::assess(&k, &c), Err(bq::NotBatch::OutOfServicePeriod));
    let mut k = case(250, 16);
    k.judged_nonconforming = false;
    // BQ-E §2.2 (000 L638) 经判定属于不符合相应标准规格或合同要求导致的产品不合格或产品缺陷
    assert_eq!(bq::assess(&k, &c), Err(bq::NotBatch::NotNonconforming));
    assert!(matches!(
        bq::assess(&case(250, 15), &c),
        Err(bq::NotBatch::BelowThreshold {
            failed: 15,
            units: 250,
            ..
        })
    ));
    assert!(matches!(
        bq::assess(&case(10, 11), &c),
        Err(bq::NotBatch::InvalidCounts { .. })
    ));
}

#[test]
fn l638_window_is_three_calendar_months() {
    let c = cfg();
    // BQ-E §2.2 (000 L638) 3个月内; README: rolling, month-end clamp
    assert_eq!(
        bq::window_start(date(2026, 5, 31), 3),
        Some(date(2026, 2, 28))
    );
    assert!(bq::in_window(date(2026, 8, 16), date(2026, 11, 16), &c));
    assert!(!bq::in_window(date(2026, 8, 15), date(2026, 11, 16), &c));
    assert!(!bq::in_window(date(2026, 11, 17), date(2026, 11, 16), &c));
    let exclusive = bq::Config {
        window_start_inclusive: false,
        ..cfg()
    };
    assert!(!bq::in_window(
        date(2026, 8, 16),
        date(2026, 11, 16),
        &exclusive
    ));
    let mut k = case(250, 16);
    k.window_from = date(2026, 8, 15);
    assert!(matches!(
        bq::assess(&k, &c),
        Err(bq::NotBatch::BadWindow { .. })
    ));
}

// ---------------------------------------------------------------------------------------
// Batch detection (BQ-E §2.2 (000 L638))
// ---------------------------------------------------------------------------------------

fn rec(
    id: &str,
    unit: &str,
    customer: &str,
    component: Option<&str>,
    mode: &str,
    region: &str,
    day: Option<NaiveDate>,
) -> bq::FailureRecord {
    bq::FailureRecord {
        id: id.into(),
        unit: unit.into(),
        model: MODEL.into(),
        customer: customer.into(),
        component: component.map(Into::into),
        failure_mode: mode.into(),
        region: region.into(),
        date: day,
        in_service_period: true,
    }
}

fn base(units: i64) -> bq::InstalledBase {
    bq::InstalledBase {
        users: vec![bq::UserBase {
            id: "B-1".into(),
            customer: CUSTOMER.into(),
            model: MODEL.into(),
            units,
        }],
        components: vec![],
    }
}

fn failures(n: usize, day: NaiveDate) -> Vec<bq::FailureRecord> {
    (0..n)
        .map(|i| {
            rec(
                &format!("R{i}"),
                &format!("SN{i}"),
                CUSTOMER,
                None,
                "no-display",
                "central",
                Some(day),
            )
        })
        .collect()
}

#[test]
fn l638_detection_finds_the_small_user_group_and_says_why() {
    let as_of = date(2026, 11, 16);
    let mut recs = failures(16, date(2026, 10, 1));
    // the same unit failing twice counts once
    recs.push(rec(
        "R-dup",
        "SN0",
        CUSTOMER,
        None,
        "no-display",
        "central",
        Some(date(2026, 10, 2)),
    ));
    let d = bq::detect(&recs, &base(299), as_of, &cfg()).unwrap();
    // BQ-E §2.2 (000 L638) 少于300台…超过15台
    assert_eq!(d.findings.len(), 1);
    let f = &d.findings[0];
    assert_eq!(f.rule, bq::BatchRule::SmallUserCount);
    assert_eq!(f.evidence.counts(), (16, 299));
    assert_eq!(f.records, 17);
    assert_eq!(f.first_failure, date(2026, 10, 1));
    assert_eq!(f.last_failure, date(2026, 10, 2));
    assert_eq!(d.window_from, date(2026, 8, 16));
    assert!(f.why.contains("16 failed units > 15"));
    // 15 failures: nothing
    let d = bq::detect(&failures(15, date(2026, 10, 1)), &base(299), as_of, &cfg()).unwrap();
    assert!(d.findings.is_empty());
}

#[test]
fn l638_detection_uses_the_window_and_the_service_period() {
    let as_of = date(2026, 11, 16);
    let mut recs = failures(15, date(2026, 10, 1));
    // 3 months + 1 day old: outside the window
    recs.push(rec(
        "old",
        "SN-old",
        CUSTOMER,
        None,
        "no-display",
        "central",
        Some(date(2026, 8, 15)),
    ));
    let d = bq::detect(&recs, &base(299), as_of, &cfg()).unwrap();
    assert!(d.findings.is_empty());
    // on the window's first day: inside
    recs.push(rec(
        "first",
        "SN-first",
        CUSTOMER,
        None,
        "no-display",
        "central",
        Some(date(2026, 8, 16)),
    ));
    assert_eq!(
        bq::detect(&recs, &base(299), as_of, &cfg())
            .unwrap()
            .findings
            .len(),
        1
    );
    // BQ-E §2.2 (000 L638) 在标准的售后服务期限内: out-of-service failures are not counted
    let mut out = failures(16, date(2026, 10, 1));
    for r in &mut out {
        r.in_service_period = false;
    }
    let d = bq::detect(&out, &base(299), as_of, &cfg()).unwrap();
    assert!(d.findings.is_empty());
    assert_eq!(d.records_out_of_service, 16);
}

#[test]
fn l638_detection_never_sums_symptom_and_component_counts() {
    let as_of = date(2026, 11, 16);
    let mut recs = failures(10, date(2026, 10, 1));
    recs.extend((0..10).map(|i| {
        rec(
            &format!("C{i}"),
            &format!("SC{i}"),
            CUSTOMER,
            Some("PSU"),
            "no-power",
            "central",
            Some(date(2026, 10, 3)),
        )
    }));
    // spec A.8 #9: 10 + 10 is not 20 of one failure
    let d = bq::detect(&recs, &base(299), as_of, &cfg()).unwrap();
    assert!(d.findings.is_empty());
}

#[test]
fn l638_detection_component_ratio_national_and_regional() {
    let as_of = date(2026, 11, 16);
    // 6 PSU failures in the east among 100 east units: 6 % > 5 %; nationally 6 of 1000
    let recs: Vec<_> = (0..6)
        .map(|i| {
            rec(
                &format!("P{i}"),
                &format!("SP{i}"),
                &format!("cust{i}"),
                Some("PSU"),
                "no-power",
                "east",
                Some(date(2026, 11, 1)),
            )
        })
        .collect();
    let users = (0..6)
        .map(|i| bq::UserBase {
            id: format!("U{i}"),
            customer: format!("cust{i}"),
            model: MODEL.into(),
            units: 10,
        })
        .collect();
    let components = vec![
        bq::ComponentBase {
            id: "CB-N".into(),
            component: "PSU".into(),
            scope: bq::Scope::National,
            units: 1000,
        },
        bq::ComponentBase {
            id: "CB-E".into(),
            component: "PSU".into(),
            scope: bq::Scope::Region("east".into()),
            units: 100,
        },
    ];
    let b = bq::InstalledBase { users, components };
    let d = bq::detect(&recs, &b, as_of, &cfg()).unwrap();
    // BQ-E §2.2 (000 L638) 同一部件在全国或某一地区…超过5%
    assert_eq!(d.findings.len(), 1);
    let f = &d.findings[0];
    assert_eq!(f.rule, bq::BatchRule::ComponentRatio);
    assert!(
        matches!(&f.evidence, bq::Evidence::Component { scope: bq::Scope::Region(r), .. } if r == "east")
    );
    assert_eq!(f.rate_basis_points, 600);
}

#[test]
fn l638_detection_rejects_bad_records_with_their_ids() {
    let as_of = date(2026, 11, 16);
    let mut recs = failures(3, date(2026, 10, 1));
    recs[1].date = None;
    assert_eq!(
        bq::detect(&recs, &base(10), as_of, &cfg()),
        Err(bq::DetectionError::UnknownDate {
            records: vec!["R1".into()]
        })
    );
    let recs = failures(3, date(2026, 10, 1));
    assert_eq!(
        bq::detect(&recs, &base(0), as_of, &cfg()),
        Err(bq::DetectionError::ZeroInstalledBase {
            entries: vec!["B-1".into()]
        })
    );
    assert_eq!(
        bq::detect(&recs, &base(-5), as_of, &cfg()),
        Err(bq::DetectionError::NegativeCount {
            entries: vec!["B-1".into()]
        })
    );
    assert!(matches!(
        bq::detect(&recs, &bq::InstalledBase::default(), as_of, &cfg()),
        Err(bq::DetectionError::MissingInstalledBase { ref records, .. }) if records.len() == 3
    ));
    assert!(matches!(
        bq::detect(&recs, &base(2), as_of, &cfg()),
        Err(bq::DetectionError::FailuresExceedBase { failed: 3, units: 2, ref records, .. }) if records.len() == 3
    ));
    let mut twice = base(10);
    twice.users.push(bq::UserBase {
        id: "B-2".into(),
        ..twice.users[0].clone()
    });
    assert!(matches!(
        bq::detect(&recs, &twice, as_of, &cfg()),
        Err(bq::DetectionError::DuplicateBase { ref entries }) if entries.len() == 2
    ));
    let mut blank = failures(1, date(2026, 10, 1));
    blank[0].unit.clear();
    assert!(matches!(
        bq::detect(&blank, &base(10), as_of, &cfg()),
        Err(bq::DetectionError::MissingField { .. })
    ));
}

#[test]
fn l638_a_detected_finding_starts_an_instance() {
    // detection → a start decision the guard accepts (BQ-E §2.2, §5.1.1–§5.1.5 (000 L638, L652))
    let as_of = date(2026, 11, 16);
    let d = bq::detect(&failures(16, date(2026, 10, 1)), &base(250), as_of, &cfg()).unwrap();
    let f = d.findings[0].clone();
    let k = bq::BatchCase {
        evidence: f.evidence,
        window_from: d.window_from,
        window_to: d.as_of,
        ..case(250, 16)
    };
    assert_eq!(bq::assess(&k, &cfg()), Ok(bq::BatchRule::SmallUserCount));
}

// ---------------------------------------------------------------------------------------
// Reports (BQ-E §5.4.3 (000 L668))
// ---------------------------------------------------------------------------------------

#[test]
fn l668_weekly_and_monthly_reports_from_events() {
    let h = H::new();
    // a missed R&D limit in week 47 (Nov 16–22), a supplier claim later
    h.at_rd(bq::Acceptance::NotAccepted, lt(17, 10, 30));
    h.e().handle_due(breach_instant(lt(19, 18, 0))).unwrap();
    h.ok(fire(&rqs(), Action::ConveneDirectorMeeting), lt(20, 9, 0));
    let histories = vec![h.e().history(h.id()).unwrap()];
    let c = BusinessCalendar::default();
    // BQ-E §5.4.3 (000 L668) 区域质量处定期发布售后批量质量问题周报、月报
    let w = bq::weekly_report(date(2026, 11, 18), &histories, &c).unwrap();
    assert_eq!(w.period.from, date(2026, 11, 16));
    assert_eq!(w.period.to, date(2026, 11, 23));
    assert_eq!(w.intake.received, 1);
    assert_eq!(w.intake.submitted, 1);
    assert_eq!(w.intake.started, 1);
    assert_eq!(w.director_meetings, 1);
    assert_eq!(w.deadlines[Deadline::RdSolution.name()].breached, 1);
    assert_eq!(w.open_by_stage[&State::DirectorMeeting], 1);
    assert_eq!(
        w.open_issues[0].acceptance,
        Some(bq::Acceptance::NotAccepted)
    );
    assert_eq!(w.started_by_model[MODEL], 1);
    // the week before: nothing yet
    let before = bq::weekly_report(date(2026, 11, 9), &histories, &c).unwrap();
    assert_eq!(before.intake.received, 0);
    assert!(before.open_issues.is_empty());
    let m = bq::monthly_report(date(2026, 11, 30), &histories, &c).unwrap();
    assert_eq!(m.period.from, date(2026, 11, 1));
    assert_eq!(m.period.to, date(2026, 12, 1));
    assert_eq!(m.intake.started, 1);
}

#[test]
fn l670_monthly_report_totals_losses_and_claims() {
    let h = H::new();
    let t = lt(17, 10, 0);
    h.measures(true, t);
    h.ok(
        fire(&actor("l", Role::LossDept), Action::SubmitLossData).with_form(form(&loss(&[(
            bq::LossCategory::SpareParts,
            10,
            10_000,
        )]))),
        t,
    );
    h.ok(
        fire(&rqs(), Action::FileClaimAppraisal).with_form(form(&claim_report(100_000))),
        t,
    );
    h.ok(
        fire(
            &actor("pc", Role::ProcurementCommercial),
            Action::ConfirmClaim,
        ),
        t,
    );
    h.ok(
        fire(&actor("p", Role::Procurement), Action::RecordClaimExecuted).with_form(form(
            &bq::ClaimExecutionRecord {
                settled_amount_fen: 80_000,
                method_ref: "LP-1".into(),
                settled_on: date(2026, 11, 17),
            },
        )),
        t,
    );
    let m = bq::monthly_report(
        date(2026, 11, 1),
        &[h.e().history(h.id()).unwrap()],
        &BusinessCalendar::default(),
    )
    .unwrap();
    // BQ-E §5.5 (000 L670) 损失数据, 索赔鉴定报告, 执行索赔
    assert_eq!(m.losses.loss_fen, 100_000);
    assert_eq!(m.losses.claimed_fen, 100_000);
    assert_eq!(m.losses.claims_confirmed, 1);
    assert_eq!(m.losses.recovered_fen, 80_000);
    assert_eq!(m.losses.net_fen, 20_000);
    assert_eq!(m.losses.by_kind[&CostKind::SpareParts], 100_000);
    assert_eq!(m.open_issues[0].claim, Some(bq::ClaimStatus::Executed));
}

#[test]
fn l650_l652_missed_confirmation_and_review_clocks_notify_their_owners() {
    let notified = |h: &H, at: DateTime<Utc>, deadline: Deadline| -> Vec<String> {
        h.e()
            .handle_due(at)
            .unwrap()
            .handled
            .into_iter()
            .flat_map(|(_, events)| events)
            .find_map(|e| match e.kind {
                EventKind::Escalated {
                    deadline: d,
                    notify,
                    moved: None,
                    ..
                } if d == deadline => Some(notify.iter().map(|n| n.to_string()).collect()),
                _ => None,
            })
            .unwrap_or_default()
    };
    // BQ-E §4.9–§5.1.1 (000 L650): technical support, 4 WH from Mon 10:00
    let h = H::new();
    h.at_ts(lt(16, 10, 0));
    assert_eq!(
        notified(&h, breach_instant(lt(16, 15, 0)), Deadline::TsConfirm),
        vec!["product_tech_support".to_owned()]
    );
    assert_eq!(h.state(), State::PendingTsConfirmation);
    // BQ-E §5.1.1–§5.1.5 (000 L652): the quality section's response, 4 WH; the forwarding clock (BQ-E §5.2.1 (000 L654)) too
    let h = H::new();
    h.at_rqs(lt(16, 10, 0));
    assert_eq!(
        notified(&h, breach_instant(lt(16, 15, 0)), Deadline::RqsReview),
        vec!["regional_quality_section".to_owned()]
    );
    assert!(h.clock(Deadline::RqsForwardToRd).breached);
    assert_eq!(h.state(), State::PendingRqsReview);
    // a rejection stops the forwarding clock as well
    h.ok(
        fire(&rqs(), Action::Reject).with_form(form(&rejection(bq::RejectReason::OutOfScope))),
        lt(16, 16, 0),
    );
    assert!(h.clock(Deadline::RqsForwardToRd).stopped.is_some());
}

#[test]
fn l642_a_coauthor_refusing_the_replacement_plan_clears_the_signatures() {
    let h = H::new();
    let t = lt(17, 10, 0);
    h.at_planning(bq::Acceptance::NotAccepted, t);
    h.consult_and_evaluate(t);
    let p = plan(bq::PlanKind::WholeMachineReplacement);
    let qmd_signer = actor("qmd-sign", Role::QualityMgmtDept);
    h.ok(
        Command::sign(&qmd_signer, Action::ApprovePlan)
            .with_form(form(&p))
            .with_form(form(&return_application(250))),
        t,
    );
    assert_eq!(h.inst().open_signatures().count(), 1);
    // BQ-E §3.1 (000 L642) 共同制定: every co-author must agree; a refusal needs a reason
    let sales = actor("sales-ma", Role::Sales);
    assert!(matches!(
        h.refused(Command::refuse(&sales, Action::ApprovePlan, " "), t),
        Rejection::ReasonRequired
    ));
    h.ok(
        Command::refuse(
            &sales,
            Action::ApprovePlan,
            "the bank wants new units, not rev B",
        ),
        t,
    );
    assert!(h.inst().open_signatures().next().is_none());
    // the signature stays on record, cleared by the refusal
    assert!(
        h.inst()
            .signatures()
            .iter()
            .all(|s| s.status == SignatureStatus::Cleared)
    );
    assert_eq!(h.state(), State::SolutionPlanning);
    // a department outside the co-authors may not sign
    assert!(is_forbidden(&h.refused(
        Command::sign(&actor("legal", Role::Legal), Action::ApprovePlan),
        t
    )));
}

#[test]
fn fixtures_drive_to_every_state() {
    // The fixture reaches every state but the initial one with valid default forms; the
    // director-level meeting only after R&D's missed limit (BQ-E §5.2.1–§5.2.2 (000 L656)).
    for &state in State::ALL {
        if state == State::ComplaintReceived {
            assert!(Scenario::at(state).is_err());
            continue;
        }
        let s = Scenario::at(state).unwrap_or_else(|e| panic!("{state}: {e}"));
        assert_eq!(s.instance().state(), state);
    }
    let meeting = Scenario::at(State::DirectorMeeting).unwrap();
    assert!(meeting.now() > aftersales::testing::fixtures::batch_quality::start_instant());
    assert!(
        meeting
            .instance()
            .clock(Deadline::RdSolution)
            .unwrap()
            .breached
    );
}

// ---------------------------------------------------------------------------------------
// Issue 17: the intake route as a must, regions, and the steps left out (BQ-E)
// ---------------------------------------------------------------------------------------

fn noted(a: &Actor, act: Action) -> Command {
    note(a, act, "on record")
}

fn station_named(id: &str) -> Actor {
    actor(id, Role::AuthorisedStation)
}

#[test]
fn bq_e_s5_1_3_a_complaint_sales_received_goes_to_the_rtse_before_any_station() {
    let h = H::new();
    let t = lt(16, 10, 0);
    let sales = actor("sales-ma", Role::Sales);
    h.start(&sales, t);
    // BQ-E §5.1.3 (000 L652): the instance records who received the complaint
    let receipt = bq::received_by(&h.inst()).cloned().unwrap();
    assert_eq!(receipt.actor, "sales-ma");
    assert_eq!(receipt.role, Some(Role::Sales.into()));
    // a station may not take over a complaint sales received
    let r = h.refused(dispatch(&station()), t);
    assert_eq!(guard_of(&r), Guard::ReceivedByThisStation);
    // nor may the engineer skip the transfer, nor another department transfer it
    let r = h.refused(
        fire(&rtse(), Action::DesignateLocalStation).with_payload(json!({"station": "ST-WH-01"})),
        t,
    );
    assert_eq!(guard_of(&r), Guard::ReceivedByRtse);
    let r = h.refused(
        fire(&actor("legal-1", Role::Legal), Action::TransferToRtse),
        t,
    );
    assert_eq!(guard_of(&r), Guard::ReceivedByDepartment);
    // BQ-E §5.1.3 转由对应的区域技术支持工程师处理
    h.ok(fire(&sales, Action::TransferToRtse), t);
    assert!(matches!(
        h.refused(dispatch(&station()), t),
        Rejection::NoSuchTransition { .. }
    ));
    // BQ-E §5.1.2 指定当地维修站: only the designated station goes on site and submits
    h.ok(
        fire(&rtse(), Action::DesignateLocalStation).with_payload(json!({"station": "ST-WH-02"})),
        t,
    );
    assert_eq!(
        bq::designated_station(&h.inst()).as_deref(),
        Some("ST-WH-02")
    );
    let r = h.refused(dispatch(&station()), t);
    assert_eq!(guard_of(&r), Guard::DesignatedStation);
    let designated = station_named("ST-WH-02");
    h.ok(dispatch(&designated), t);
    let r = h.refused(
        formal(&station(), Action::SubmitBatchFeedback).with_form(form(&feedback(1))),
        t,
    );
    assert_eq!(guard_of(&r), Guard::DesignatedStation);
    h.ok(
        formal(&designated, Action::SubmitBatchFeedback).with_form(form(&feedback(1))),
        t,
    );
    assert_eq!(h.state(), State::PendingRtseVerification);
}

#[test]
fn bq_e_s5_1_2_a_complaint_the_rtse_received_waits_for_the_designation() {
    let h = H::new();
    let t = lt(16, 10, 0);
    h.start(&rtse(), t);
    // BQ-E §5.1.2 (000 L652): the station cannot take over without the designation
    let r = h.refused(dispatch(&station()), t);
    assert_eq!(guard_of(&r), Guard::ReceivedByThisStation);
    h.ok(
        fire(&rtse(), Action::DesignateLocalStation).with_payload(json!({"station": "ST-WH-01"})),
        t,
    );
    h.ok(dispatch(&station()), t);
    assert_eq!(h.state(), State::OnSiteConfirmation);
    let receipt = bq::received_by(&h.inst()).cloned().unwrap();
    assert_eq!(receipt.role, Some(Role::RegionalTechSupportEngineer.into()));
}

#[test]
fn bq_e_s5_1_1_s4_1_1_the_receiving_station_is_the_only_one_to_submit() {
    let h = H::new();
    let t = lt(16, 10, 0);
    h.start(&station(), t);
    // BQ-E §5.1.1 (000 L650): another station cannot take the complaint over
    let other = station_named("ST-WH-09");
    let r = h.refused(dispatch(&other), t);
    assert_eq!(guard_of(&r), Guard::ReceivedByThisStation);
    h.ok(dispatch(&station()), t);
    assert_eq!(
        bq::designated_station(&h.inst()).as_deref(),
        Some("ST-WH-01")
    );
    // BQ-E §4.1.1 (000 L644): only that station submits through the system; its engineer
    // acting for it counts as the station
    let r = h.refused(
        formal(&other, Action::SubmitBatchFeedback).with_form(form(&feedback(1))),
        t,
    );
    assert_eq!(guard_of(&r), Guard::DesignatedStation);
    let r = h.refused(
        fire(&other, Action::JudgeNotBatch)
            .with_form(form(&rejection(bq::RejectReason::NotBatchOnSite))),
        t,
    );
    assert_eq!(guard_of(&r), Guard::DesignatedStation);
    let engineer = station_named("zhang-wei").acting_for("ST-WH-01");
    h.ok(
        formal(&engineer, Action::SubmitBatchFeedback).with_form(form(&feedback(1))),
        t,
    );
    assert_eq!(h.state(), State::PendingRtseVerification);
}

#[test]
fn bq_e_s5_1_2_regions_the_corresponding_rtse_and_the_local_station() {
    let def = bq::definition(&cfg(), cal()).unwrap();
    let mut engine = Engine::new(InMemoryStore::new());
    engine.register(def.definition().clone()).unwrap();
    let id = InstanceId::from("BQ-R");
    let t = lt(16, 10, 0);
    let data = bq::Data::new(CUSTOMER, MODEL, "central", "no display")
        .to_value()
        .unwrap();
    let central = |a: Actor| a.in_region("central");
    let east = |a: Actor| a.in_region("east");
    // a regional department starts only in its own region; sales is a headquarters one
    let refused = engine.start_in(
        bq::ID,
        id.clone(),
        Some("central".into()),
        &east(station()),
        data.clone(),
        t,
    );
    assert!(matches!(
        refused,
        Err(EngineError::Rejected {
            rejection: Rejection::OutOfRegion { .. },
            ..
        })
    ));
    let sales = actor("sales-ma", Role::Sales);
    engine
        .start_in(bq::ID, id.clone(), Some("central".into()), &sales, data, t)
        .unwrap();
    assert_eq!(
        engine.load(&id).unwrap().region(),
        Some(&Region::from("central"))
    );
    engine
        .fire(&id, &fire(&sales, Action::TransferToRtse), t)
        .unwrap();
    // BQ-E §5.1.3 "对应的区域技术支持工程师": the engineer of the issue's region
    let designate = |a: &Actor| {
        fire(a, Action::DesignateLocalStation).with_payload(json!({"station": "ST-WH-01"}))
    };
    let refused = common::refusal(engine.fire(&id, &designate(&east(rtse())), t));
    assert_eq!(
        refused,
        Rejection::OutOfRegion {
            action: Action::DesignateLocalStation.into(),
            instance: id.clone(),
            actor: "rtse-li".into(),
            actor_region: Some("east".into()),
            instance_region: "central".into(),
        }
    );
    let refused = common::refusal(engine.fire(&id, &designate(&rtse()), t));
    assert!(matches!(
        refused,
        Rejection::OutOfRegion {
            actor_region: None,
            ..
        }
    ));
    engine.fire(&id, &designate(&central(rtse())), t).unwrap();
    // BQ-E §5.1.2 "当地维修站": the designated station of the region goes on site
    let refused = common::refusal(engine.fire(&id, &dispatch(&east(station())), t));
    assert!(matches!(refused, Rejection::OutOfRegion { .. }));
    engine.fire(&id, &dispatch(&central(station())), t).unwrap();
    let submit =
        formal(&central(station()), Action::SubmitBatchFeedback).with_form(form(&feedback(1)));
    engine.fire(&id, &submit, t).unwrap();
    // the regional quality section acts in its region; headquarters departments anywhere
    let region_wide = def.definition().region_wide_roles();
    assert!(region_wide.contains(&Role::ProductTechSupport.into()));
    assert!(!region_wide.contains(&Role::RegionalQualitySection.into()));
    let refused = common::refusal(engine.fire(
        &id,
        &noted(
            &east(actor("rsm", Role::RegionalServiceMgmt)),
            Action::ReviewStationReport,
        ),
        t,
    ));
    assert!(matches!(refused, Rejection::OutOfRegion { .. }));
    engine
        .fire(&id, &formal(&central(rtse()), Action::VerifyAndForward), t)
        .unwrap();
    engine
        .fire(
            &id,
            &formal(&ts(), Action::ConfirmAndForwardToRqs).with_form(form(&ts_analysis(250, 16))),
            t,
        )
        .unwrap();
    let start = start_cmd(
        bq::Acceptance::NotAccepted,
        &decision(bq::Acceptance::NotAccepted),
    );
    let refused = common::refusal(engine.fire(&id, &start, t));
    assert!(matches!(refused, Rejection::OutOfRegion { .. }));
    let rqs_central = central(rqs());
    let start = fire(&rqs_central, Action::StartBatchProcess)
        .with_payload(bq::start_payload(bq::Acceptance::NotAccepted))
        .with_form(form(&decision(bq::Acceptance::NotAccepted)));
    engine.fire(&id, &start, t).unwrap();
    engine.verify(&id).unwrap();
}

#[test]
fn bq_e_s4_2_1_s4_2_2_regional_service_mgmt_reviews_visits_and_analyses() {
    let h = H::new();
    let t = lt(16, 10, 0);
    h.submitted(t);
    let rsm = actor("rsm-1", Role::RegionalServiceMgmt);
    // BQ-E §4.2.1 (000 L644) 审核, 必要时到现场; §4.2.2 初步技术分析
    for act in [
        Action::ReviewStationReport,
        Action::VisitSite,
        Action::RecordPreliminaryAnalysis,
    ] {
        assert!(matches!(
            h.refused(fire(&rsm, act), t),
            Rejection::TextRequired { .. }
        ));
        assert!(is_forbidden(&h.refused(noted(&station(), act), t)));
        let out = h.ok(noted(&rsm, act), t);
        assert_eq!(
            out.events[0].by.as_ref().unwrap().role,
            Some(Role::RegionalServiceMgmt.into())
        );
    }
    h.ok(formal(&rtse(), Action::VerifyAndForward), t);
    h.ok(noted(&rsm, Action::RecordPreliminaryAnalysis), t);
    assert_eq!(h.state(), State::PendingTsConfirmation);
}

#[test]
fn bq_e_s5_2_2_service_and_quality_management_assist_rd_analysis() {
    let h = H::new();
    let t = lt(17, 10, 0);
    h.at_rd(bq::Acceptance::NotAccepted, t);
    // BQ-E §5.2.2 (000 L656) 由产品研发中心联系厂家现场确认,服务和品管进行协助
    for who in [actor("sp", Role::ServicePlatform), qmd()] {
        h.ok(noted(&who, Action::AssistRdAnalysis), t);
    }
    assert!(is_forbidden(
        &h.refused(noted(&rnd(), Action::AssistRdAnalysis), t)
    ));
    let assisted = h.inst().fired_by(Action::AssistRdAnalysis).len();
    assert_eq!(assisted, 2);
}

#[test]
fn bq_e_s5_4_3_weekly_and_monthly_report_clocks() {
    let h = H::new();
    let t = lt(16, 10, 0);
    h.drive(State::BatchStarted, bq::Acceptance::NotAccepted, t);
    // BQ-E §5.4.3 (000 L668) 周报: 24:00 of the 7th day; 月报: one calendar month
    assert_eq!(h.clock(Deadline::WeeklyReport).due_at, lt(24, 0, 0));
    assert_eq!(
        h.clock(Deadline::MonthlyReport).due_at,
        lt(16, 10, 0) + chrono::TimeDelta::days(30)
    );
    assert!(matches!(
        h.refused(fire(&rqs(), Action::PublishWeeklyReport), lt(20, 10, 0)),
        Rejection::TextRequired { .. }
    ));
    h.ok(
        fire(&rqs(), Action::PublishWeeklyReport).with_payload(json!({"report_no": "W47"})),
        lt(20, 10, 0),
    );
    // met, and the next week runs from the report
    assert_eq!(h.clock(Deadline::WeeklyReport).due_at, lt(28, 0, 0));
    let cycles: Vec<_> = h
        .inst()
        .deadlines()
        .iter()
        .filter(|c| c.name == Deadline::WeeklyReport.name())
        .map(|c| c.stopped.as_ref().map(|s| s.met))
        .collect();
    assert_eq!(cycles, vec![Some(true), None]);
    // a missed week is recorded and notifies the quality section
    h.e().handle_due(breach_instant(lt(28, 0, 0))).unwrap();
    assert!(h.clock(Deadline::WeeklyReport).breached);
    let none = bq::Config {
        weekly_report_every: None,
        monthly_report_every: None,
        ..cfg()
    };
    let spec = bq::definition(&none, cal()).unwrap();
    assert!(
        spec.definition()
            .spec()
            .deadlines
            .iter()
            .all(|d| !d.name.ends_with("_report"))
    );
}

#[test]
fn bq_e_s5_6_2_capa_reply_clock_when_configured() {
    let c = bq::Config {
        capa_response_within: Some(BusinessDuration::WorkingDays(5)),
        ..cfg()
    };
    let h = H::with(c, cal());
    let t = lt(17, 10, 0);
    h.measures(false, t);
    h.ok(
        fire(&qmd(), Action::IssueCapaNotice).with_form(form(&capa_notice(
            "N-1",
            psu_co(),
            lt(30, 18, 0),
        ))),
        t,
    );
    // BQ-E §5.6.2 (000 L674): the addressee's reply, timed from the notice
    assert_eq!(h.clock(Deadline::CapaResponse).due_at, lt(24, 10, 0));
    h.ok(
        note(&sys(), Action::RecordCapaResponse, "8D received"),
        lt(20, 10, 0),
    );
    assert!(h.clock(Deadline::CapaResponse).stopped.unwrap().met);
    assert!(
        bq::definition(&cfg(), cal())
            .unwrap()
            .definition()
            .spec()
            .deadlines
            .iter()
            .all(|d| d.name != "capa_response" && d.name != "director_meeting_held"),
        "no CAPA or meeting clock by default: the seed names no limit"
    );
}

#[test]
fn bq_e_s5_2_1_director_meeting_clock_when_configured() {
    let c = bq::Config {
        director_meeting_auto: true,
        director_meeting_within: Some(BusinessDuration::Hours(24)),
        ..cfg()
    };
    let h = H::with(c, cal());
    h.at_rd(bq::Acceptance::NotAccepted, lt(17, 10, 30));
    let convened = breach_instant(lt(19, 18, 0));
    h.e().handle_due(convened).unwrap();
    assert_eq!(h.state(), State::DirectorMeeting);
    // BQ-E §5.2.1 (000 L656) 适时召集…总监级会议: the meeting decides within the host's limit
    let clock = h.clock(Deadline::DirectorMeetingHeld);
    assert_eq!(clock.due_at, convened + chrono::TimeDelta::hours(24));
    h.e().handle_due(breach_instant(clock.due_at)).unwrap();
    assert!(h.clock(Deadline::DirectorMeetingHeld).breached);
}

#[test]
fn bq_e_s5_5_the_penalty_claim_right_is_reserved_on_record() {
    let h = H::new();
    let t = lt(17, 10, 0);
    h.measures(true, t);
    // BQ-E §5.5 (000 L670) 同时方正保留向供应商追加处罚索赔的权利
    assert!(matches!(
        h.refused(fire(&rqs(), Action::ReservePenaltyClaim), t),
        Rejection::TextRequired { .. }
    ));
    assert!(is_forbidden(&h.refused(
        noted(&actor("p", Role::Procurement), Action::ReservePenaltyClaim),
        t
    )));
    h.ok(noted(&rqs(), Action::ReservePenaltyClaim), t);
    assert_eq!(h.state(), State::CorrectivePreventive);
}

#[test]
fn bq_e_s4_8_3_s4_10_s4_11_customer_media_and_legal_work_are_actions() {
    let h = H::new();
    let t = lt(16, 10, 0);
    h.start(&station(), t);
    let pr = actor("pr-1", Role::MarketPr);
    let legal = actor("legal-1", Role::Legal);
    let sales = actor("sales-ma", Role::Sales);
    // §4.8.3 (BQ-E §4.8 (000 L648)) 客户公关; §4.10 (BQ-E §4.9–§5.1.1 (000 L650)) 媒体公关; §4.11 法律援助: in any open state
    for (who, act) in [
        (&sales, Action::RecordCustomerPr),
        (&pr, Action::RecordMediaPr),
        (&legal, Action::RecordLegalAssistance),
    ] {
        h.ok(noted(who, act), t);
    }
    assert!(is_forbidden(
        &h.refused(noted(&legal, Action::RecordMediaPr), t)
    ));
    assert!(is_forbidden(
        &h.refused(noted(&pr, Action::RecordCustomerPr), t)
    ));
    assert!(matches!(
        h.refused(fire(&pr, Action::RecordMediaPr), t),
        Rejection::TextRequired { .. }
    ));
    assert_eq!(h.state(), State::ComplaintReceived);
}
