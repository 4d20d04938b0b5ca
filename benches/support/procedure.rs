//! The expensive transition of a built-in procedure: the complaint's (客诉) report review,
//! `approve_report`, at its last signature.
//!
//! ```text
//! report_review --approve_report--> report_review
//!   sign-off   quality manager, then quality department head (sequential); the measured
//!              command is the head's signature, the last one, so the transition fires
//!   separation not_same_actor_as(submit_for_review): the signer's ids are looked up in
//!              the actors who fired `submit_for_review`
//!   form       guard `vp_review_not_required` parses the latest inspection record on file
//!              (a typed form) and the instance data to classify the severity
//!   data       effect `track` parses the complaint `Data`, records the approval and
//!              serializes it back: a `data_changed` event
//! ```
//!
//! No built-in transition declares all four (sign-off, separation rule, required form,
//! data-changing effect); this one has the sign-off, the separation rule and the effect,
//! and reads a form through its guard. The command attaches no form (a reviewer who attaches a
//! revision while signing voids the approval, see `tests/complaint.rs`).
//!
//! The instance is driven to just before that signature with the pure core (`decide`), along
//! the path of `tests/complaint.rs` (`to_review`): submit with the handling form, acknowledge,
//! containment, fail with the inspection record and the 8D through D2, complete remediation,
//! resolve within quality (plan, 8D through D5), submit for review (8D through D7), the
//! quality manager's signature.

use aftersales::procedures::complaint::PartKind;
use aftersales::procedures::complaint::data::{ComplaintRegion, ComplaintVerdict};
use aftersales::procedures::complaint::forms::eight_d::*;
use aftersales::procedures::complaint::forms::*;
use aftersales::procedures::complaint::{
    self, Action, Config, Data, InfoCategory, Role, Statement,
};
use aftersales::*;
use chrono::{DateTime, NaiveDate, TimeDelta, TimeZone, Utc};
use std::sync::Arc;

/// The bench name: `procedure/<NAME>`, `allocs_per_transition core_sod_form_data`, ...
pub(crate) const NAME: &str = "complaint_approve_report";

/// The complaint definition (default config, default business calendar).
pub(crate) fn definition() -> Arc<Definition> {
    complaint::definition(&Config::default(), Arc::new(BusinessCalendar::default()))
        .expect("the complaint procedure builds")
        .definition()
        .clone()
}

/// Monday 2026-11-16 10:00 at UTC+8.
fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 16, 2, 0, 0).unwrap()
}

/// When the measured command is decided.
pub(crate) fn at() -> DateTime<Utc> {
    t0() + TimeDelta::hours(7)
}

fn actor(id: &str, role: Role) -> Actor {
    Actor::new(id, [role])
}

/// The measured command: the quality department head's signature (the last one).
pub(crate) fn command() -> Command {
    Command::sign(
        &actor("head", Role::QualityDepartmentHead),
        Action::ApproveReport,
    )
}

/// An instance in `report_review` with the quality manager's signature: one command before
/// the transition fires.
pub(crate) fn before(def: &Definition, id: &str) -> Instance {
    let adc = actor("adc", Role::AdcDomestic);
    let cqe = actor("cqe", Role::Cqe);
    let qm = actor("qm", Role::QualityManager);
    let data = Data::new(id, ComplaintRegion::Domestic, "Acme", "FL-200")
        .to_value()
        .expect("the complaint data serializes");
    let h = |n: i64| t0() + TimeDelta::hours(n);
    let mut inst = aftersales::start(def, id.into(), &adc, data, t0())
        .expect("the ADC starts a complaint")
        .instance;
    let path = [
        (
            Command::fire(&adc, Action::Submit).with_form(form(&handling())),
            h(0),
        ),
        (Command::fire(&cqe, Action::Acknowledge), h(1)),
        (
            Command::fire(&cqe, Action::RecordContainment).with_form(form(&containment())),
            h(2),
        ),
        (
            Command::fire(&cqe, Action::RecordFail)
                .with_form(form(&inspection_fail()))
                .with_form(form(&eight_d(Discipline::D2))),
            h(3),
        ),
        (Command::fire(&cqe, Action::CompleteRemediation), h(4)),
        (
            Command::fire(&cqe, Action::ResolveWithinQuality)
                .with_form(form(&plan()))
                .with_form(form(&eight_d(Discipline::D5))),
            h(5),
        ),
        (
            Command::fire(&cqe, Action::SubmitForReview).with_form(form(&eight_d(Discipline::D7))),
            h(6),
        ),
        (Command::sign(&qm, Action::ApproveReport), h(7)),
    ];
    for (cmd, now) in &path {
        inst = aftersales::decide(def, &inst, cmd, *now)
            .map_err(|r| format!("{:?} refused: {r}", cmd.intent))
            .unwrap()
            .instance;
    }
    inst
}

/// Check the measured command does what the module docs say: it fires and changes the data.
pub(crate) fn check(def: &Definition, inst: &Instance) {
    let d = aftersales::decide(def, inst, &command(), at()).expect("the head's signature fires");
    let kinds: Vec<&str> = d.events.iter().map(|e| e.kind.name()).collect();
    assert!(kinds.contains(&"signed"), "{kinds:?}");
    assert!(kinds.contains(&"transitioned"), "{kinds:?}");
    assert!(kinds.contains(&"data_changed"), "{kinds:?}");
    let before: Data = inst.data_as().unwrap();
    let after: Data = d.instance.data_as().unwrap();
    assert!(!before.approved.contains(Action::ApproveReport.name()));
    assert!(after.approved.contains(Action::ApproveReport.name()));
}

// ---- forms (as in tests/complaint.rs) ----

fn form<T: TypedForm>(v: &T) -> Form {
    Form::typed(T::KIND, v).unwrap()
}

fn date(m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, m, d).unwrap()
}

fn five_w1h() -> FiveW1H {
    FiveW1H {
        who: "site team".into(),
        what: "lamps flicker".into(),
        when: "2026-11-12".into(),
        r#where: "Ningbo".into(),
        why: "unusable at night".into(),
        how_many: 6,
    }
}

fn handling() -> ComplaintHandlingForm {
    ComplaintHandlingForm {
        no: "KS-1".into(),
        region: ComplaintRegion::Domestic,
        channel: Channel::GoodsReturned,
        customer: "Acme".into(),
        product_model: "FL-200".into(),
        quantity: 6,
        schedule_order_ref: "PC-0932".into(),
        problem: five_w1h(),
        reported_functional_abnormality: false,
        customer_requests_8d: false,
        proposed_solution: None,
        goods_returned: true,
        not_returned_reason: None,
        defective_parts: vec![],
    }
}

fn containment() -> ContainmentRecord {
    let check = |location, qty_checked| StockCheck {
        location,
        model: "FL-200".into(),
        qty_checked,
        qty_suspect: 0,
    };
    ContainmentRecord {
        checks: vec![
            check(StockLocation::Wip, 100),
            check(StockLocation::Unshipped, 200),
        ],
        similar_defect_found: false,
        temporary_countermeasures: vec![],
    }
}

fn inspection_fail() -> ComplaintInspectionRecord {
    ComplaintInspectionRecord {
        verdict: ComplaintVerdict::Fail,
        inspection_result: "4 of 6 flicker".into(),
        cause_analysis: "cold solder joints".into(),
        test_results: "thermal cycling".into(),
        feedback_to_adc: Some(Feedback {
            channel: FeedbackChannel::Phone,
            note: "told adc".into(),
        }),
        functional_abnormality: false,
        mold_findings: None,
        failed_parts: [PartKind::Module].into_iter().collect(),
        goods_disposition: GoodsDisposition::Remediate,
        misjudgment_phenomenon: None,
    }
}

fn plan() -> CorrectiveActionPlan {
    CorrectiveActionPlan {
        department: "品质部".into(),
        cause: "reflow".into(),
        steps: vec!["fix".into()],
        schedule: date(12, 1),
        owner: "cqe".into(),
    }
}

/// An 8D report complete through `through`.
fn eight_d(through: Discipline) -> EightDReport {
    let mut r = EightDReport::default();
    r.d0.symptom = "flicker".into();
    r.d1 = Team {
        leader: "cqe".into(),
        members: vec![TeamMember {
            name: "sdc".into(),
            department: "战略设计中心".into(),
            role: "analysis".into(),
        }],
    };
    r.d2.problem = five_w1h();
    if through >= Discipline::D3 {
        r.d3 = Containment {
            wip_checked: true,
            unshipped_checked: true,
            similar_defect_found: false,
            actions: vec![],
        };
    }
    if through >= Discipline::D4 {
        r.d4 = RootCause {
            occurrence: vec![Statement::new(
                "reflow peak too low",
                InfoCategory::ProductionProcess,
            )],
            escape: vec![Statement::general("final test too short")],
            methods: vec![AnalysisMethod::FiveWhy],
            verification: Statement::general("reproduced"),
            responsibility: None,
        };
    }
    if through >= Discipline::D5 {
        let action = |id: &str, what, addresses, owner: &str| CorrectiveAction {
            id: id.into(),
            what,
            addresses,
            owner: owner.into(),
            due: date(12, 1),
        };
        r.d5.actions = vec![
            action(
                "A1",
                Statement::new("raise reflow peak", InfoCategory::ProductionProcess),
                Addresses::Occurrence,
                "制造部",
            ),
            action(
                "A2",
                Statement::general("longer final test"),
                Addresses::Escape,
                "品质部",
            ),
        ];
    }
    if through >= Discipline::D6 {
        r.d6.implemented = ["A1", "A2"]
            .iter()
            .map(|id| Implemented {
                action_id: (*id).into(),
                done_on: date(12, 1),
                evidence: Statement::general("record"),
            })
            .collect();
    }
    if through >= Discipline::D7 {
        r.d7.horizontal_deployment = vec![ActionItem::new(
            Statement::general("same on FL-300"),
            "owner",
            date(12, 1),
        )];
    }
    r
}
