//! Independent conformance tests of the batch quality procedure against its source document,
//! `BQ-E` (售后批量质量问题处理流程 E版, collection 000 lines 634–676): the intake route, regions,
//! regional service management, R&D assistance, the clocks and the actions of issue 17. Every
//! expectation below comes from the quoted clause, read by an auditor; the tests drive the
//! crate's public API only.
#![cfg(all(feature = "testing", feature = "procedures"))]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test helpers may panic

use aftersales::procedures::batch_quality::{
    self as bq, Acceptance, Action, Deadline, Role, State,
};
use aftersales::testing::fixtures::batch_quality::{
    Scenario, dispatch, feedback_report, form, formal, start_decision, ts_analysis,
};
use aftersales::testing::fixtures::start_instant;
use aftersales::{
    Actor, BusinessCalendar, BusinessDuration, Command, Engine, EngineError, InMemoryStore,
    Instance, InstanceId, Outcome, Rejection,
};
use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use serde_json::json;
use std::sync::Arc;

const ID: &str = "IC-BQ-1";

/// Local time (UTC+8) in November 2026 (2026-11-16 is a Monday).
fn lt(day: u32, h: u32, m: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, day, h, m, 0)
        .single()
        .expect("time")
        - TimeDelta::hours(8)
}

fn central(id: &str, role: Role) -> Actor {
    Actor::new(id, [role]).in_region("central")
}

fn east(id: &str, role: Role) -> Actor {
    Actor::new(id, [role]).in_region("east")
}

fn station() -> Actor {
    central("ST-WH-01", Role::AuthorisedStation)
}

fn rtse() -> Actor {
    central("rtse-li", Role::RegionalTechSupportEngineer)
}

fn sales() -> Actor {
    Actor::new("sales-ma", [Role::Sales])
}

fn designate(who: &Actor, st: &str) -> Command {
    Command::fire(who, Action::DesignateLocalStation).with_payload(json!({ "station": st }))
}

/// One batch issue of region `central` in an in-memory engine.
struct Regional {
    engine: Engine<InMemoryStore>,
    id: InstanceId,
    now: DateTime<Utc>,
}

impl Regional {
    fn try_start(starter: &Actor) -> Result<Self, EngineError> {
        let def = bq::definition(
            &bq::Config::default(),
            Arc::new(BusinessCalendar::default()),
        )
        .expect("definition builds");
        let mut engine = Engine::new(InMemoryStore::new());
        engine
            .register(def.definition().clone())
            .expect("registers");
        let data = bq::Data::new("Bank of Wuhan", "FZ-D530", "central", "no display")
            .to_value()
            .expect("data");
        let now = start_instant();
        engine.start_in(bq::ID, ID, Some("central".into()), starter, data, now)?;
        Ok(Regional {
            engine,
            id: InstanceId::from(ID),
            now,
        })
    }

    fn start(starter: &Actor) -> Self {
        Self::try_start(starter).expect("start accepted")
    }

    fn fire(&self, c: &Command) -> Result<Outcome, EngineError> {
        self.engine.fire(&self.id, c, self.now)
    }

    fn ok(&self, c: &Command) {
        if let Err(e) = self.fire(c) {
            panic!("expected acceptance, got {e}");
        }
    }

    fn state(&self) -> String {
        self.engine
            .load(&self.id)
            .expect("load")
            .state()
            .to_string()
    }

    /// A refusal that leaves the instance unchanged (a refusal may be recorded as a
    /// `rejected` event; state, data, forms and clocks stay as they were).
    fn refused(&self, c: &Command) -> Rejection {
        let before = snapshot(&self.engine.load(&self.id).expect("load"));
        let r = refusal(self.fire(c));
        let after = snapshot(&self.engine.load(&self.id).expect("load"));
        assert_eq!(after, before, "a refused action changes nothing");
        r
    }

    /// Received by sales, transferred, designated, confirmed on site and submitted.
    fn submitted() -> Self {
        let r = Regional::start(&sales());
        r.ok(&Command::fire(&sales(), Action::TransferToRtse));
        r.ok(&designate(&rtse(), "ST-WH-01"));
        r.ok(&dispatch(&station()));
        r.ok(&formal(&station(), Action::SubmitBatchFeedback).with_form(form(&feedback_report(1))));
        assert_eq!(r.state(), "pending_rtse_verification");
        r
    }

    /// Up to the quality section's review.
    fn at_rqs_review() -> Self {
        let r = Regional::submitted();
        r.ok(&formal(&rtse(), Action::VerifyAndForward));
        r.ok(&formal(
            &Actor::new("ts-wang", [Role::ProductTechSupport]),
            Action::ConfirmAndForwardToRqs,
        )
        .with_form(form(&ts_analysis(250, 16))));
        assert_eq!(r.state(), "pending_rqs_review");
        r
    }
}

type Snapshot = (
    String,
    serde_json::Value,
    usize,
    Vec<(String, DateTime<Utc>)>,
);

fn snapshot(i: &Instance) -> Snapshot {
    (
        i.state().to_string(),
        i.data().clone(),
        i.forms().len(),
        i.deadlines()
            .iter()
            .map(|d| (d.name.to_string(), d.due_at))
            .collect(),
    )
}

fn refusal(r: Result<Outcome, EngineError>) -> Rejection {
    match r {
        Err(EngineError::Rejected { rejection, .. }) => rejection,
        Err(e) => panic!("expected a refusal, got the error {e}"),
        Ok(_) => panic!("expected a refusal, the command was accepted"),
    }
}

fn scenario(state: State) -> Scenario {
    Scenario::at(state).expect("scenario reaches the state")
}

fn clock_due(s: &Scenario, d: Deadline) -> DateTime<Utc> {
    s.instance()
        .running_clock(d)
        .unwrap_or_else(|| panic!("clock {d} runs"))
        .due_at
}

fn fire_ok(s: &mut Scenario, c: Command) {
    if let Err(e) = s.fire(c) {
        panic!("expected acceptance, got {e}");
    }
}

fn fire_refused(s: &mut Scenario, c: Command) -> Rejection {
    let before = snapshot(&s.instance());
    let r = refusal(s.fire(c));
    assert_eq!(
        snapshot(&s.instance()),
        before,
        "a refused action changes nothing"
    );
    r
}

// ---- intake route ------------------------------------------------------------------------------

// "其他部门接收到批量质量问题投诉,转由对应的区域技术支持工程师处理,反馈流程参照 5.1.2 执行"
// BQ-E §5.1.3 (000 L652): a complaint received by sales goes to the engineer; a station may not
// take it over.
#[test]
fn bq_5_1_3_station_may_not_take_over_complaint_received_by_sales() {
    let r = Regional::start(&sales());
    r.refused(&dispatch(&station()));
    assert_eq!(r.state(), "complaint_received");
    // nor may it submit straight away
    r.refused(
        &formal(&station(), Action::SubmitBatchFeedback).with_form(form(&feedback_report(1))),
    );
}

// "区域技术支持工程师接到批量质量问题投诉时,指定当地维修站通过"批量反馈系统"反馈" BQ-E §5.1.2
// (000 L652); "其他部门接收到…转由对应的区域技术支持工程师处理" BQ-E §5.1.3 (000 L652);
// "负责通过批量问题反馈系统提交售后批量质量问题" BQ-E §4.1.1 (000 L644).
#[test]
fn bq_5_1_3_sales_transfers_rtse_designates_station_submits() {
    let r = Regional::start(&sales());
    r.ok(&Command::fire(&sales(), Action::TransferToRtse));
    assert_eq!(r.state(), "at_rtse");
    r.ok(&designate(&rtse(), "ST-WH-01"));
    assert_eq!(r.state(), "at_station");
    r.ok(&dispatch(&station()));
    r.ok(&formal(&station(), Action::SubmitBatchFeedback).with_form(form(&feedback_report(1))));
    assert_eq!(r.state(), "pending_rtse_verification");
    let inst = r.engine.load(&r.id).expect("load");
    assert_eq!(
        bq::received_by(&inst).map(|a| a.actor.to_string()),
        Some("sales-ma".to_owned()),
        "the instance remembers who received the complaint"
    );
    assert_eq!(bq::designated_station(&inst).as_deref(), Some("ST-WH-01"));
}

// "指定当地维修站通过"批量反馈系统"反馈" BQ-E §5.1.2 (000 L652): only the station the engineer
// designated goes on site.
#[test]
fn bq_5_1_2_undesignated_station_may_not_go_on_site() {
    let r = Regional::start(&sales());
    r.ok(&Command::fire(&sales(), Action::TransferToRtse));
    r.ok(&designate(&rtse(), "ST-WH-01"));
    let other = central("ST-WH-02", Role::AuthorisedStation);
    r.refused(&dispatch(&other));
    r.ok(&dispatch(&station()));
}

// "负责通过批量问题反馈系统提交售后批量质量问题" BQ-E §4.1.1 (000 L644), with "指定当地维修站…反馈"
// BQ-E §5.1.2 (000 L652): only the designated station submits.
#[test]
fn bq_4_1_1_only_designated_station_submits() {
    let r = Regional::start(&sales());
    r.ok(&Command::fire(&sales(), Action::TransferToRtse));
    r.ok(&designate(&rtse(), "ST-WH-01"));
    r.ok(&dispatch(&station()));
    let other = central("ST-WH-02", Role::AuthorisedStation);
    let mut report = feedback_report(1);
    report.station = "ST-WH-02".into();
    r.refused(&formal(&other, Action::SubmitBatchFeedback).with_form(form(&report)));
    r.refused(&formal(&other, Action::SubmitBatchFeedback).with_form(form(&feedback_report(1))));
    assert_eq!(r.state(), "on_site_confirmation");
}

// "区域技术支持工程师接到批量质量问题投诉时,指定当地维修站通过"批量反馈系统"反馈" BQ-E §5.1.2
// (000 L652): a complaint the engineer received goes straight to the station it names.
#[test]
fn bq_5_1_2_rtse_received_complaint_designates_directly() {
    let r = Regional::start(&rtse());
    r.ok(&designate(&rtse(), "ST-WH-01"));
    assert_eq!(r.state(), "at_station");
    r.refused(&dispatch(&central("ST-WH-02", Role::AuthorisedStation)));
    r.ok(&dispatch(&station()));
    assert_eq!(r.state(), "on_site_confirmation");
}

// "其他部门接收到批量质量问题投诉,转由对应的区域技术支持工程师处理" BQ-E §5.1.3 (000 L652): the
// route for a complaint received elsewhere passes through the transfer; a station nobody
// designated cannot be named before the engineer has it.
#[test]
fn bq_5_1_3_department_complaint_is_transferred_before_designation() {
    let r = Regional::start(&sales());
    r.refused(&designate(&rtse(), "ST-WH-01"));
    assert_eq!(r.state(), "complaint_received");
}

// "维修站接到批量质量问题投诉,委派相应产品的资深工程师到现场进行确认" BQ-E §5.1.1 (000 L650): the
// station that received the complaint goes on site itself; another station may not.
#[test]
fn bq_5_1_1_receiving_station_goes_on_site_itself() {
    let r = Regional::start(&station());
    r.refused(&dispatch(&central("ST-WH-02", Role::AuthorisedStation)));
    r.ok(&dispatch(&station()));
    let inst = r.engine.load(&r.id).expect("load");
    assert_eq!(bq::designated_station(&inst).as_deref(), Some("ST-WH-01"));
}

// "区域技术支持工程师…对维修站提交的批量问题信息进行核实" BQ-E §5.1.1 (000 L650): the engineer
// verifies; a station may not verify its own submission (wrong role).
#[test]
fn bq_5_1_1_station_may_not_verify_its_own_submission() {
    let r = Regional::submitted();
    let rej = r.refused(&formal(&station(), Action::VerifyAndForward));
    assert!(matches!(rej, Rejection::Forbidden { .. }), "{rej:?}");
}

// ---- regions ----------------------------------------------------------------------------------

// "转由对应的区域技术支持工程师处理" BQ-E §5.1.3 (000 L652): the corresponding (region's) engineer;
// an engineer of another region is refused, naming both regions.
#[test]
fn bq_5_1_3_engineer_of_another_region_is_out_of_region() {
    let r = Regional::start(&sales());
    r.ok(&Command::fire(&sales(), Action::TransferToRtse));
    let rej = r.refused(&designate(
        &east("rtse-wu", Role::RegionalTechSupportEngineer),
        "ST-WH-01",
    ));
    match rej {
        Rejection::OutOfRegion {
            actor_region,
            instance_region,
            ..
        } => {
            assert_eq!(actor_region.as_ref().map(|r| r.as_str()), Some("east"));
            assert_eq!(instance_region.as_str(), "central");
        }
        other => panic!("expected OutOfRegion, got {other:?}"),
    }
}

// "指定当地维修站" BQ-E §5.1.2 (000 L652): a station of another region is not the local
// station: it may not start (receive) an issue of this region.
#[test]
fn bq_5_1_2_station_of_another_region_may_not_start_issue() {
    let rej = match Regional::try_start(&east("ST-SH-01", Role::AuthorisedStation)) {
        Err(EngineError::Rejected { rejection, .. }) => rejection,
        Err(e) => panic!("expected a refusal, got {e}"),
        Ok(_) => panic!("a station of another region started the issue"),
    };
    assert!(matches!(rej, Rejection::OutOfRegion { .. }), "{rej:?}");
}

// "转由对应的区域技术支持工程师处理" BQ-E §5.1.3 (000 L652): a regional role held by an actor without
// a region is not "the corresponding" engineer of a regional issue.
#[test]
fn bq_5_1_3_regional_role_without_region_is_refused() {
    let r = Regional::start(&sales());
    r.ok(&Command::fire(&sales(), Action::TransferToRtse));
    let rej = r.refused(&designate(
        &Actor::new("rtse-x", [Role::RegionalTechSupportEngineer]),
        "ST-WH-01",
    ));
    match rej {
        Rejection::OutOfRegion { actor_region, .. } => assert!(actor_region.is_none()),
        other => panic!("expected OutOfRegion, got {other:?}"),
    }
}

// "区域质量处收到批量反馈系统流转的信息…启动批量质量问题处理流程" BQ-E §5.1.1 (000 L652): the
// regional quality section of the issue's region starts it; another region's is refused, and
// headquarters' product technical support (no region) forwarded it.
#[test]
fn bq_5_1_1_regional_quality_section_acts_in_its_own_region() {
    let r = Regional::at_rqs_review();
    let start = |who: &Actor| {
        Command::fire(who, Action::StartBatchProcess)
            .with_payload(bq::start_payload(Acceptance::NotAccepted))
            .with_form(form(&start_decision(Acceptance::NotAccepted)))
    };
    let rej = r.refused(&start(&east("rqs-wu", Role::RegionalQualitySection)));
    assert!(matches!(rej, Rejection::OutOfRegion { .. }), "{rej:?}");
    r.ok(&start(&central("rqs-chen", Role::RegionalQualitySection)));
    assert_eq!(r.state(), "batch_started");
}

// Regions are an access rule only where the host gives the issue a region: an issue without a
// region accepts any actor of an allowed role ("对应的区域技术支持工程师", BQ-E §5.1.3 (000 L652),
// cannot be matched without one).
#[test]
fn bq_5_1_3_issue_without_region_accepts_any_region() {
    let mut s = scenario(State::AtRtse);
    fire_ok(
        &mut s,
        designate(
            &east("rtse-wu", Role::RegionalTechSupportEngineer),
            "ST-WH-01",
        ),
    );
    assert_eq!(s.instance().state().to_string(), "at_station");
}

// ---- regional service management (§4.2.1–4.2.2) -------------------------------------------------

// "对维修站反馈的批量质量问题进行审核,必要时到现场对问题分析确认,对维修站反馈的批量质量问题准确性负责"
// BQ-E §4.2.1 (000 L644); "对批量质量问题进行初步技术分析" BQ-E §4.2.2 (000 L644).
#[test]
fn bq_4_2_1_regional_service_mgmt_reviews_visits_and_analyses() {
    let r = Regional::submitted();
    let rsm = central("rsm-1", Role::RegionalServiceMgmt);
    let note =
        json!({ "note": "16 units checked; PSU rail sags", "text": "checked", "findings": "PSU" });
    for a in [
        Action::ReviewStationReport,
        Action::VisitSite,
        Action::RecordPreliminaryAnalysis,
    ] {
        r.ok(&Command::fire(&rsm, a).with_payload(note.clone()));
        let inst = r.engine.load(&r.id).expect("load");
        assert!(
            inst.fired_by(a).iter().any(|x| x.as_str() == "rsm-1"),
            "{a} is recorded as regional service management's"
        );
    }
    assert_eq!(
        r.state(),
        "pending_rtse_verification",
        "the duties run alongside"
    );
}

// "服务平台区域服务管理部…对维修站反馈的批量质量问题进行审核" BQ-E §4.2.1 (000 L644): the review is
// regional service management's; the station itself and another region's department are refused.
#[test]
fn bq_4_2_1_station_report_review_wrong_role_or_region_refused() {
    let r = Regional::submitted();
    let note = json!({ "note": "ok", "text": "ok", "findings": "ok" });
    let rej = r.refused(
        &Command::fire(&station(), Action::ReviewStationReport).with_payload(note.clone()),
    );
    assert!(matches!(rej, Rejection::Forbidden { .. }), "{rej:?}");
    let rej = r.refused(
        &Command::fire(
            &east("rsm-e", Role::RegionalServiceMgmt),
            Action::ReviewStationReport,
        )
        .with_payload(note),
    );
    assert!(matches!(rej, Rejection::OutOfRegion { .. }), "{rej:?}");
}

// ---- R&D analysis (§5.2.2) ----------------------------------------------------------------------

// "对于故障原因分析,由产品研发中心联系厂家现场确认,服务和品管进行协助" BQ-E §5.2.2 (000 L656):
// the service platform and quality management assist; sales does not.
#[test]
fn bq_5_2_2_service_and_quality_mgmt_assist_rd_analysis() {
    let mut s = scenario(State::RdAnalysis);
    let note = json!({ "note": "ran 50 cold starts at the branch", "text": "assist" });
    for who in [
        Actor::new("sp-he", [Role::ServicePlatform]),
        Actor::new("qmd-sun", [Role::QualityMgmtDept]),
    ] {
        fire_ok(
            &mut s,
            Command::fire(&who, Action::AssistRdAnalysis).with_payload(note.clone()),
        );
        assert!(
            s.instance()
                .fired_by(Action::AssistRdAnalysis)
                .contains(&who.id)
        );
    }
    assert_eq!(s.instance().state().to_string(), "rd_analysis");
    let rej = fire_refused(
        &mut s,
        Command::fire(
            &Actor::new("sales-ma", [Role::Sales]),
            Action::AssistRdAnalysis,
        )
        .with_payload(note),
    );
    assert!(matches!(rej, Rejection::Forbidden { .. }), "{rej:?}");
}

// ---- clocks -----------------------------------------------------------------------------------

// "区域技术支持工程师在 4 个工作小时内响应" BQ-E §5.1.1 (000 L650): submitted Monday 10:00, working
// day 09:00–12:00, 13:00–18:00 → due Monday 15:00.
#[test]
fn bq_5_1_1_rtse_verifies_within_4_working_hours() {
    let s = scenario(State::PendingRtseVerification);
    assert_eq!(clock_due(&s, Deadline::RtseVerify), lt(16, 15, 0));
}

// "产品技术支持处…在 4 个工作小时内将信息流转给区域质量处" BQ-E §5.1.1 (000 L650).
#[test]
fn bq_5_1_1_ts_confirms_within_4_working_hours() {
    let s = scenario(State::PendingTsConfirmation);
    assert_eq!(clock_due(&s, Deadline::TsConfirm), lt(16, 15, 0));
}

// "区域质量处收到批量反馈系统流转的信息在 4 个工作小时内响应" BQ-E §5.1.1 (000 L652).
#[test]
fn bq_5_1_1_rqs_responds_within_4_working_hours() {
    let s = scenario(State::PendingRqsReview);
    assert_eq!(clock_due(&s, Deadline::RqsReview), lt(16, 15, 0));
}

// "区域质量处对提交的批量问题进行确认,并在 4 个工作小时内流转到产品研发中心" BQ-E §5.2.1 (000 L654).
#[test]
fn bq_5_2_1_rqs_forwards_to_rd_within_4_working_hours() {
    let s = scenario(State::BatchStarted);
    assert_eq!(clock_due(&s, Deadline::RqsForwardToRd), lt(16, 15, 0));
}

// "对于未验收的机器,要求产品研发中心在 2 个工作日内提供有效方案" BQ-E §5.2.1 (000 L654): forwarded
// Monday → close of Wednesday (product decision: N working days end at the close of the N-th
// following working day).
#[test]
fn bq_5_2_1_rd_solution_not_accepted_2_working_days() {
    let s = scenario(State::RdAnalysis);
    assert_eq!(clock_due(&s, Deadline::RdSolution), lt(18, 18, 0));
}

// "对于已经验收合格的机器,要求产品研发中心在 1 个工作日内响应,4 个工作日内反馈有效结论"
// BQ-E §5.2.1 (000 L654): forwarded Monday → respond by close of Tuesday, conclude by close of
// Friday.
#[test]
fn bq_5_2_1_rd_accepted_respond_1_day_conclude_4_days() {
    let mut s = Scenario::new(&bq::Config::default()).expect("scenario");
    s.set_acceptance(Acceptance::Accepted);
    s.drive_to(State::RdAnalysis).expect("reaches R&D");
    assert_eq!(clock_due(&s, Deadline::RdResponse), lt(17, 18, 0));
    assert_eq!(clock_due(&s, Deadline::RdSolution), lt(20, 18, 0));
}

// "如果在规定时限内无法提供有效结论,由区域质量处适时召集相关部门召开总监级会议" BQ-E §5.2.1
// (000 L656): the meeting follows a missed limit, convened by the quality section.
#[test]
fn bq_5_2_1_director_meeting_only_after_missed_limit() {
    let mut s = scenario(State::RdAnalysis);
    let rqs = Actor::new("rqs-chen", [Role::RegionalQualitySection]);
    fire_refused(&mut s, Command::fire(&rqs, Action::ConveneDirectorMeeting));
    let due = clock_due(&s, Deadline::RdSolution);
    let by = due - s.now() + TimeDelta::minutes(1);
    s.advance(by);
    let now = s.now();
    s.engine().handle_due(now).expect("handle due");
    assert!(
        s.instance()
            .clock(Deadline::RdSolution)
            .is_some_and(|c| c.breached)
    );
    let rej = fire_refused(
        &mut s,
        Command::fire(
            &Actor::new("rnd-zhao", [Role::Rnd]),
            Action::ConveneDirectorMeeting,
        ),
    );
    assert!(matches!(rej, Rejection::Forbidden { .. }), "{rej:?}");
    fire_ok(&mut s, Command::fire(&rqs, Action::ConveneDirectorMeeting));
    assert_eq!(s.instance().state().to_string(), "director_meeting");
}

// "由区域质量处适时召集相关部门召开总监级会议" BQ-E §5.2.1 (000 L656): "适时" names no limit; a
// host that configures one gets a clock for the meeting.
#[test]
fn bq_5_2_1_director_meeting_clock_when_configured() {
    let cfg = bq::Config {
        director_meeting_within: Some(BusinessDuration::WorkingDays(1)),
        ..bq::Config::default()
    };
    let mut s = Scenario::new(&cfg).expect("scenario");
    s.drive_to(State::DirectorMeeting)
        .expect("reaches the meeting");
    let c = s
        .instance()
        .running_clock(Deadline::DirectorMeetingHeld)
        .cloned();
    assert!(c.is_some(), "the configured meeting limit runs");
    let d = scenario(State::DirectorMeeting);
    assert!(
        d.instance()
            .running_clock(Deadline::DirectorMeetingHeld)
            .is_none(),
        "no limit by default"
    );
}

// "由品质管理部向相关责任方发出《售后批量质量问题纠正预防通知书》督促其制定和实施纠正预防措施"
// BQ-E §5.6.2 (000 L674): no limit named; a configured reply limit runs from the notice.
#[test]
fn bq_5_6_2_capa_reply_clock_when_configured() {
    let cfg = bq::Config {
        capa_response_within: Some(BusinessDuration::WorkingDays(10)),
        ..bq::Config::default()
    };
    let mut s = Scenario::new(&cfg).expect("scenario");
    s.drive_to(State::CapaVerification).expect("reaches CAPA");
    assert!(
        s.instance().clock(Deadline::CapaResponse).is_some(),
        "the configured CAPA reply limit is tracked"
    );
    let d = scenario(State::CapaVerification);
    assert!(
        d.instance().clock(Deadline::CapaResponse).is_none(),
        "no limit by default"
    );
}

// "区域质量处定期发布售后批量质量问题周报、月报" BQ-E §5.4.3 (000 L668): a started issue is in a
// weekly report within 7 days and a monthly report within a month; publishing restarts the clock.
#[test]
fn bq_5_4_3_weekly_and_monthly_report_clocks() {
    let mut s = scenario(State::BatchStarted);
    let week = clock_due(&s, Deadline::WeeklyReport);
    assert_eq!(week, lt(24, 0, 0), "24:00 of the 7th day after Monday 16th");
    let month = clock_due(&s, Deadline::MonthlyReport);
    assert!(
        month > lt(16, 10, 0) + TimeDelta::days(28) && month <= lt(16, 10, 0) + TimeDelta::days(31),
        "about one month: {month}"
    );
    s.advance(TimeDelta::days(2));
    let rqs = Actor::new("rqs-chen", [Role::RegionalQualitySection]);
    fire_ok(
        &mut s,
        Command::fire(&rqs, Action::PublishWeeklyReport).with_payload(json!({"report_no": "W47"})),
    );
    assert!(
        clock_due(&s, Deadline::WeeklyReport) > week,
        "the next week runs from the report"
    );
    let rej = fire_refused(
        &mut s,
        Command::fire(
            &Actor::new("sales-ma", [Role::Sales]),
            Action::PublishWeeklyReport,
        )
        .with_payload(json!({"report_no": "W47b"})),
    );
    assert!(matches!(rej, Rejection::Forbidden { .. }), "{rej:?}");
}

// ---- the claim and public relations -------------------------------------------------------------

// "同时方正保留向供应商追加处罚索赔的权利" BQ-E §5.5 (000 L670): the reservation is on record, by the
// quality section that files the claim appraisal.
#[test]
fn bq_5_5_reserve_penalty_claim_recorded_by_rqs() {
    let mut s = scenario(State::CorrectivePreventive);
    let note = json!({ "note": "penalty under the quality agreement reserved" });
    let rej = fire_refused(
        &mut s,
        Command::fire(
            &Actor::new("sales-ma", [Role::Sales]),
            Action::ReservePenaltyClaim,
        )
        .with_payload(note.clone()),
    );
    assert!(matches!(rej, Rejection::Forbidden { .. }), "{rej:?}");
    let v = s.instance().version();
    fire_ok(
        &mut s,
        Command::fire(
            &Actor::new("rqs-chen", [Role::RegionalQualitySection]),
            Action::ReservePenaltyClaim,
        )
        .with_payload(note),
    );
    assert!(s.instance().version() > v);
}

// "市场公关部: 负责对产品批量质量问题导致用户向媒体投诉的媒体公关" BQ-E §4.10 (000 L650);
// "法务部: 对因产品批量质量问题导致的法律纠纷提供法律援助" BQ-E §4.11 (000 L650);
// "负责协调客户公关工作" BQ-E §4.8.3 (000 L648): actions of their own departments.
#[test]
fn bq_4_10_4_11_4_8_3_pr_and_legal_actions_by_their_departments() {
    let mut s = scenario(State::Execution);
    let note = json!({ "note": "handled", "text": "handled" });
    let (pr, legal, sales) = (
        Actor::new("pr-1", [Role::MarketPr]),
        Actor::new("legal-1", [Role::Legal]),
        Actor::new("sales-ma", [Role::Sales]),
    );
    for (who, a) in [
        (&pr, Action::RecordMediaPr),
        (&legal, Action::RecordLegalAssistance),
        (&sales, Action::RecordCustomerPr),
    ] {
        let v = s.instance().version();
        fire_ok(&mut s, Command::fire(who, a).with_payload(note.clone()));
        assert!(s.instance().version() > v, "{a} recorded");
    }
    for (who, a) in [
        (&legal, Action::RecordMediaPr),
        (&pr, Action::RecordLegalAssistance),
        (&legal, Action::RecordCustomerPr),
    ] {
        let rej = fire_refused(&mut s, Command::fire(who, a).with_payload(note.clone()));
        assert!(matches!(rej, Rejection::Forbidden { .. }), "{a}: {rej:?}");
    }
}

// ---- further attacks --------------------------------------------------------------------------

// "其他部门接收到批量质量问题投诉,转由对应的区域技术支持工程师处理" BQ-E §5.1.3 (000 L652): the
// department that received the complaint transfers it; sales cannot transfer a complaint a
// station received (and is handling on its own route, §5.1.1).
#[test]
fn bq_5_1_3_only_receiving_department_transfers() {
    let r = Regional::start(&station());
    r.refused(&Command::fire(&sales(), Action::TransferToRtse));
    assert_eq!(r.state(), "complaint_received");
}

// "区域技术支持工程师在 4 个工作小时内响应,对维修站提交的批量问题信息进行核实" BQ-E §5.1.1 (000 L650)
// with "对应的区域技术支持工程师" BQ-E §5.1.3 (000 L652): another region's engineer may not verify.
#[test]
fn bq_5_1_1_engineer_of_another_region_may_not_verify() {
    let r = Regional::submitted();
    let rej = r.refused(&formal(
        &east("rtse-wu", Role::RegionalTechSupportEngineer),
        Action::VerifyAndForward,
    ));
    assert!(matches!(rej, Rejection::OutOfRegion { .. }), "{rej:?}");
    r.ok(&formal(&rtse(), Action::VerifyAndForward));
    assert_eq!(r.state(), "pending_ts_confirmation");
}

// "维修站…确认后通过"批量反馈系统"进行反馈…区域技术支持工程师…对维修站提交的批量问题信息进行核实"
// BQ-E §5.1.1 (000 L650): the verification is a second person's check; one person holding both
// the station's and the engineer's role may not verify the report it submitted itself.
#[test]
fn bq_5_1_1_submitter_may_not_verify_own_report_in_second_role() {
    let dual = Actor::new(
        "dual-1",
        [Role::AuthorisedStation, Role::RegionalTechSupportEngineer],
    )
    .in_region("central");
    let r = Regional::start(&sales());
    r.ok(&Command::fire(&sales(), Action::TransferToRtse));
    r.ok(&designate(&rtse(), "dual-1"));
    r.ok(&dispatch(&dual));
    let mut report = feedback_report(1);
    report.station = "dual-1".into();
    r.ok(&formal(&dual, Action::SubmitBatchFeedback).with_form(form(&report)));
    r.refused(&formal(&dual, Action::VerifyAndForward));
    assert_eq!(r.state(), "pending_rtse_verification");
}

// "行业客户事业群、消费客户事业群、区域公司销售部门: …4.8.3. 负责协调客户公关工作" BQ-E §4.8.3
// (000 L648): the regional company's sales department coordinates customer PR as well, in its
// own region.
#[test]
fn bq_4_8_3_branch_sales_coordinates_customer_pr() {
    let r = Regional::submitted();
    let note = json!({ "note": "visited the bank's IT head", "text": "visited" });
    r.ok(&Command::fire(
        &central("bs-1", Role::BranchSales),
        Action::RecordCustomerPr,
    )
    .with_payload(note.clone()));
    let inst = r.engine.load(&r.id).expect("load");
    assert!(
        inst.fired_by(Action::RecordCustomerPr)
            .iter()
            .any(|a| a.as_str() == "bs-1")
    );
    let rej = r.refused(
        &Command::fire(&east("bs-e", Role::BranchSales), Action::RecordCustomerPr)
            .with_payload(note),
    );
    assert!(matches!(rej, Rejection::OutOfRegion { .. }), "{rej:?}");
}

// "市场公关部: 负责对产品批量质量问题导致用户向媒体投诉的媒体公关" BQ-E §4.10 (000 L650);
// "法务部: 对因产品批量质量问题导致的法律纠纷提供法律援助" BQ-E §4.11 (000 L650): a user may go to
// the media or to court while R&D is still analysing; the departments act then too.
#[test]
fn bq_4_10_4_11_pr_and_legal_during_rd_analysis() {
    let mut s = scenario(State::RdAnalysis);
    let note = json!({ "note": "statement to the press", "text": "statement" });
    fire_ok(
        &mut s,
        Command::fire(&Actor::new("pr-1", [Role::MarketPr]), Action::RecordMediaPr)
            .with_payload(note.clone()),
    );
    fire_ok(
        &mut s,
        Command::fire(
            &Actor::new("legal-1", [Role::Legal]),
            Action::RecordLegalAssistance,
        )
        .with_payload(note),
    );
    assert!(!s.instance().fired_by(Action::RecordMediaPr).is_empty());
    assert!(
        !s.instance()
            .fired_by(Action::RecordLegalAssistance)
            .is_empty()
    );
}

// "区域质量处定期发布售后批量质量问题周报、月报" BQ-E §5.4.3 (000 L668): the regional quality
// section of another region does not publish this region's report.
#[test]
fn bq_5_4_3_report_by_quality_section_of_another_region_refused() {
    let r = Regional::at_rqs_review();
    r.ok(&Command::fire(
        &central("rqs-chen", Role::RegionalQualitySection),
        Action::StartBatchProcess,
    )
    .with_payload(bq::start_payload(Acceptance::NotAccepted))
    .with_form(form(&start_decision(Acceptance::NotAccepted))));
    let rej = r.refused(
        &Command::fire(
            &east("rqs-wu", Role::RegionalQualitySection),
            Action::PublishWeeklyReport,
        )
        .with_payload(json!({"report_no": "W47"})),
    );
    assert!(matches!(rej, Rejection::OutOfRegion { .. }), "{rej:?}");
}

// "区域技术支持工程师在 4 个工作小时内响应" BQ-E §5.1.1 (000 L650): submitted Monday 16:00 → two
// working hours that day (to 18:00) and two the next morning → due Tuesday 11:00.
#[test]
fn bq_5_1_1_rtse_limit_runs_overnight_in_working_hours() {
    let mut r = Regional::start(&sales());
    r.ok(&Command::fire(&sales(), Action::TransferToRtse));
    r.ok(&designate(&rtse(), "ST-WH-01"));
    r.ok(&dispatch(&station()));
    r.now = lt(16, 16, 0);
    r.ok(&formal(&station(), Action::SubmitBatchFeedback).with_form(form(&feedback_report(1))));
    let inst = r.engine.load(&r.id).expect("load");
    let c = inst
        .running_clock(Deadline::RtseVerify)
        .expect("clock runs");
    assert_eq!(c.started_at, lt(16, 16, 0));
    assert_eq!(c.due_at, lt(17, 11, 0));
}

// "对维修站反馈的批量质量问题进行审核" BQ-E §4.2.1 (000 L644): the review is of the station's
// feedback; there is nothing to review before the station has submitted it.
#[test]
fn bq_4_2_1_no_review_before_station_feedback() {
    let r = Regional::start(&sales());
    r.ok(&Command::fire(&sales(), Action::TransferToRtse));
    r.ok(&designate(&rtse(), "ST-WH-01"));
    r.refused(
        &Command::fire(
            &central("rsm-1", Role::RegionalServiceMgmt),
            Action::ReviewStationReport,
        )
        .with_payload(json!({ "note": "ok", "text": "ok" })),
    );
}
