//! Conformance tests of the concession (让步接受, document `CONC`, collection 000 lines
//! 391–425): each test is named after the clause it checks and cites it. Decisions the text
//! leaves open are marked OURS or INF (see `docs/procedures/concession.md`). Every test starts
//! from the public fixtures (`aftersales::testing::fixtures::concession`).
#![cfg(all(feature = "testing", feature = "procedures"))]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use aftersales::procedures::concession::{
    self as conc, Action, Chain, ConcessionError, ConcessionVerdict, Deadline, Grade, Role, State,
};
use aftersales::testing::fixtures::concession::{
    Scenario, casting_form, concession_form, form, handling, opinion, reinspection,
};
use aftersales::*;
use chrono::TimeDelta;
use serde_json::json;
use std::sync::Arc;

#[allow(unreachable_pub)] // the example's `run`, included here to run it as a test
#[path = "../examples/concession.rs"]
mod example;

mod common;

#[test]
fn the_example_shows_the_four_cases() {
    let text = common::example_output(example::run);
    common::assert_contains_all(
        &text,
        &[
            "inspection chief approves (final for C): ok, now `approved`",
            "inspector re-inspects: passed, released: ok, now `released`",
            "technician records the handling (too early): REFUSED",
            "signature chief-zhao as inspection_chief: Invalidated",
            "chief engineer countersigns: ok, now `approved`",
            "a casting defect makes the casting supplier `Hubei Foundry` a third party",
            "casting supplier countersigns: ok, now `approved`",
            "separation of duties (not the actor who did `issue_form`)",
            "CONC-C: `released`, verdict Some(Granted)",
        ],
    );
}

/// What the tests ask of a scenario beyond the fixture.
trait Check {
    /// Fire, expecting success.
    fn ok(&mut self, cmd: Command);
    /// Refused, and nothing but the audit record of the refusal changed.
    fn refused(&mut self, cmd: Command) -> Rejection;
    /// A bare command by the actor of `role`.
    fn by(&self, role: Role, action: Action) -> Command;
    /// The signature of `role` by the cast.
    fn sign(&self, role: Role) -> Command;
}

impl Check for Scenario {
    #[track_caller]
    fn ok(&mut self, cmd: Command) {
        self.fire(cmd).unwrap_or_else(|e| panic!("refused: {e}"));
    }

    #[track_caller]
    fn refused(&mut self, cmd: Command) -> Rejection {
        let before = self.instance();
        let err = self.fire(cmd).expect_err("expected a refusal");
        let after = self.instance();
        assert_eq!(
            (after.state(), after.data(), after.signatures()),
            (before.state(), before.data(), before.signatures()),
            "nothing half-applied"
        );
        err.rejection().cloned().expect("a rejection")
    }

    fn by(&self, role: Role, action: Action) -> Command {
        Command::fire(self.cast().actor(role), action)
    }

    fn sign(&self, role: Role) -> Command {
        Command::sign(self.cast().actor(role), Action::Approve)
    }
}

/// A scenario issuing `f`, driven to `approval`.
fn at_approval(f: conc::ConcessionForm) -> Scenario {
    let mut s = Scenario::with_form(&conc::Config::default(), f).unwrap();
    s.drive_to(State::Approval).unwrap();
    s
}

#[test]
fn fixtures_drive_to_every_state_for_every_chain() {
    for &state in State::ALL {
        let s = Scenario::at(state).unwrap_or_else(|e| panic!("{state}: {e}"));
        assert_eq!(s.instance().state(), state);
        s.engine().verify(s.id()).unwrap();
    }
    let forms = [
        concession_form(Grade::C),
        casting_form(Grade::C, "Hubei Foundry"),
        concession_form(Grade::B),
        casting_form(Grade::A, "Hubei Foundry"),
    ];
    let mut chains = Vec::new();
    for f in forms {
        let mut s = Scenario::with_form(&conc::Config::default(), f).unwrap();
        chains.push(s.chain());
        s.drive_to(State::Released).unwrap();
        assert_eq!(s.instance().state(), State::Released);
    }
    assert_eq!(chains, Chain::ALL, "the four forms take the four chains");
    let mut s = Scenario::at(State::Released).unwrap();
    assert!(matches!(
        s.drive_to(State::Approval),
        Err(aftersales::testing::fixtures::FixtureError::Unreachable { .. })
    ));
}

/// CONC step 1 (000 L395–L397): every problem is reported through the inspector, who starts
/// the concession and issues the form.
#[test]
fn conc_step1_only_the_inspector_starts_and_issues_the_form() {
    let s = Scenario::at(State::Found).unwrap();
    let tech = s.cast().site_technician.clone();
    let err = s
        .engine()
        .start(conc::ID, "CONC-2", &tech, json!({}), s.now())
        .unwrap_err();
    assert!(matches!(err.rejection(), Some(Rejection::Forbidden { .. })));

    let mut s = Scenario::at(State::Found).unwrap();
    let by_tech = s
        .by(Role::SiteTechnician, Action::IssueForm)
        .with_form(form(&concession_form(Grade::C)));
    assert!(matches!(s.refused(by_tech), Rejection::Forbidden { .. }));
    s.drive_to(State::AwaitingOpinion).unwrap();
    let d = conc::data(&s.instance()).unwrap();
    assert_eq!(d.form, Some(concession_form(Grade::C)));
}

/// CONC step 2 (000 L399): the form names grade, category and the person responsible; the
/// quantities must make sense (OURS: 0 < nonconforming ≤ inspected).
#[test]
fn conc_step2_the_form_names_grade_category_responsible_and_sane_quantities() {
    let mut s = Scenario::at(State::Found).unwrap();
    let no_one = conc::ConcessionForm {
        responsible: " ".into(),
        ..concession_form(Grade::C)
    };
    let too_many = conc::ConcessionForm {
        nonconforming: 41,
        ..concession_form(Grade::C)
    };
    let none = conc::ConcessionForm {
        nonconforming: 0,
        ..concession_form(Grade::C)
    };
    for (bad, says) in [
        (no_one, "责任人"),
        (too_many, "41 nonconforming of 40"),
        (none, "must be positive"),
    ] {
        let cmd = s
            .by(Role::Inspector, Action::IssueForm)
            .with_form(form(&bad));
        match s.refused(cmd) {
            Rejection::InvalidForm { reason, .. } => assert!(reason.contains(says), "{reason}"),
            other => panic!("expected an invalid form, got {other:?}"),
        }
    }
    let bare = s.by(Role::Inspector, Action::IssueForm);
    assert!(matches!(s.refused(bare), Rejection::MissingForm { .. }));
}

/// CONC step 3 (000 L399): the technician (or the designer or process engineer) gives the
/// handling opinion; the inspector may not (CONC roles (000 L417): no right to dispose).
#[test]
fn conc_step3_the_technician_designer_or_process_engineer_gives_the_opinion() {
    use conc::{DefectCategory, HandledBy};
    let cases = [
        (
            Role::SiteTechnician,
            HandledBy::SiteTechnician,
            DefectCategory::Other,
        ),
        (Role::Designer, HandledBy::Designer, DefectCategory::Design),
        (
            Role::ProcessEngineer,
            HandledBy::ProcessEngineer,
            DefectCategory::Machining,
        ),
    ];
    for (role, handled_by, category) in cases {
        let mut f = concession_form(Grade::C);
        f.category = category;
        let mut s = Scenario::with_form(&conc::Config::default(), f).unwrap();
        s.drive_to(State::AwaitingOpinion).unwrap();
        let op = conc::HandlingOpinion {
            handled_by,
            ..opinion()
        };
        s.ok(s.by(role, Action::GiveOpinion).with_form(form(&op)));
        assert_eq!(s.instance().state(), State::Approval);
        assert_eq!(conc::data(&s.instance()).unwrap().opinion, Some(op));
    }
    let mut s = Scenario::at(State::AwaitingOpinion).unwrap();
    let by_inspector = s
        .by(Role::Inspector, Action::GiveOpinion)
        .with_form(form(&opinion()));
    assert!(matches!(
        s.refused(by_inspector),
        Rejection::Forbidden { .. }
    ));
}

/// CONC step 3 (000 L399), roles (000 L425): the opinion names its true author, and the
/// designer answers design defects only, the process engineer process and machining defects
/// only ([`conc::Config::opinion_by_category`], default true); switched off, any of the three
/// may answer.
#[test]
fn conc_l425_the_relevant_engineer_gives_the_opinion() {
    use conc::HandledBy;
    let mut s = Scenario::at(State::AwaitingOpinion).unwrap(); // a machining defect
    let false_author = conc::HandlingOpinion {
        handled_by: HandledBy::ProcessEngineer,
        ..opinion()
    };
    let cmd = s
        .by(Role::Designer, Action::GiveOpinion)
        .with_form(form(&false_author));
    assert!(matches!(s.refused(cmd), Rejection::GuardRejected { .. }));
    let designer = conc::HandlingOpinion {
        handled_by: HandledBy::Designer,
        ..opinion()
    };
    let cmd = s
        .by(Role::Designer, Action::GiveOpinion)
        .with_form(form(&designer));
    assert!(matches!(s.refused(cmd), Rejection::GuardRejected { .. }));
    let lenient = conc::Config {
        opinion_by_category: false,
        ..conc::Config::default()
    };
    let mut s = Scenario::new(&lenient).unwrap();
    s.drive_to(State::AwaitingOpinion).unwrap();
    s.ok(s
        .by(Role::Designer, Action::GiveOpinion)
        .with_form(form(&designer)));
    assert_eq!(s.instance().state(), State::Approval);
}

/// CONC step 4 (000 L399) and roles (000 L421): every concession needs the inspection section
/// chief's approval, and for grade C it is final.
#[test]
fn conc_step4_l421_grade_c_is_final_with_the_chiefs_approval() {
    let mut s = at_approval(concession_form(Grade::C));
    for role in [Role::ChiefEngineer, Role::ThirdParty] {
        let cmd = s.sign(role);
        s.refused(cmd);
    }
    s.ok(s.sign(Role::InspectionChief));
    assert_eq!(s.instance().state(), State::Approved);
}

/// CONC step 4 (000 L399), step 6 (000 L405): grade B (and A, "B类以上") needs the chief
/// engineer's countersign after the chief; until then nothing is handled.
#[test]
fn conc_step6_grade_b_and_a_wait_for_the_chief_engineers_countersign() {
    for grade in [Grade::B, Grade::A] {
        let mut s = at_approval(concession_form(grade));
        let first = s.sign(Role::ChiefEngineer);
        assert!(matches!(s.refused(first), Rejection::SignOutOfOrder { .. }));
        s.ok(s.sign(Role::InspectionChief));
        assert_eq!(s.instance().state(), State::Approval, "grade {grade:?}");
        let early = s
            .by(Role::SiteTechnician, Action::RecordHandling)
            .with_form(form(&handling()));
        assert!(matches!(
            s.refused(early),
            Rejection::NoSuchTransition { .. }
        ));
        s.ok(s.sign(Role::ChiefEngineer));
        assert_eq!(s.instance().state(), State::Approved);
    }
}

/// CONC step 5 (000 L401): a third party involved countersigns, whatever the grade; with
/// grade B both the chief engineer and the third party sign after the chief, in any order
/// (INF).
#[test]
fn conc_step5_a_third_party_countersigns() {
    let other = conc::ConcessionForm {
        third_party: Some(conc::ThirdParty {
            name: "Wuhan Heat Treat".into(),
            kind: conc::ThirdPartyKind::Supplier,
        }),
        ..concession_form(Grade::C)
    };
    let mut s = at_approval(other);
    s.ok(s.sign(Role::InspectionChief));
    assert_eq!(s.instance().state(), State::Approval);
    s.ok(s.sign(Role::ThirdParty));
    assert_eq!(s.instance().state(), State::Approved);

    let mut s = at_approval(casting_form(Grade::B, "Hubei Foundry"));
    s.ok(s.sign(Role::InspectionChief));
    s.ok(s.sign(Role::ThirdParty));
    assert_eq!(
        s.instance().state(),
        State::Approval,
        "the chief engineer too"
    );
    s.ok(s.sign(Role::ChiefEngineer));
    assert_eq!(s.instance().state(), State::Approved);
}

/// CONC step 5 (000 L403): a casting supplier is always a third party — a casting defect whose
/// form does not name its supplier as the third party is refused, and with it the supplier
/// countersigns.
#[test]
fn conc_step5_l403_a_casting_supplier_is_always_a_third_party() {
    let mut s = Scenario::at(State::Found).unwrap();
    let without = conc::ConcessionForm {
        third_party: None,
        ..casting_form(Grade::C, "Hubei Foundry")
    };
    let someone_else = conc::ConcessionForm {
        third_party: Some(conc::ThirdParty {
            name: "Other Foundry".into(),
            kind: conc::ThirdPartyKind::CastingSupplier,
        }),
        ..casting_form(Grade::C, "Hubei Foundry")
    };
    for bad in [without, someone_else] {
        let cmd = s
            .by(Role::Inspector, Action::IssueForm)
            .with_form(form(&bad));
        match s.refused(cmd) {
            Rejection::InvalidForm { reason, .. } => {
                assert!(reason.contains("CONC step 5 (000 L403)"), "{reason}");
            }
            other => panic!("expected an invalid form, got {other:?}"),
        }
    }
    let mut s = at_approval(casting_form(Grade::C, "Hubei Foundry"));
    s.ok(s.sign(Role::InspectionChief));
    assert_eq!(
        s.instance().state(),
        State::Approval,
        "the supplier has not signed"
    );
    s.ok(s.sign(Role::ThirdParty));
    assert_eq!(s.instance().state(), State::Approved);
}

/// CONC roles (000 L417): the inspector has only the right to report and supervise, so the
/// inspector who found the defect (issued or revised the form) may not approve — even holding
/// the chief's role.
#[test]
fn conc_roles_l417_the_inspector_who_found_the_defect_may_not_approve() {
    let mut s = at_approval(concession_form(Grade::C));
    let plain = s.sign(Role::Inspector);
    assert!(matches!(s.refused(plain), Rejection::Forbidden { .. }));

    let both = Actor::new("qc-ma", [Role::Inspector, Role::InspectionChief]);
    for action in [Action::IssueForm, Action::ReviseForm] {
        let mut s = Scenario::at(State::Found).unwrap();
        let issuer = if action == Action::IssueForm {
            both.clone()
        } else {
            s.cast().inspector.clone()
        };
        s.ok(Command::fire(&issuer, Action::IssueForm).with_form(form(s.form())));
        if action == Action::ReviseForm {
            let revised = Command::fire(&both, Action::ReviseForm).with_form(form(s.form()));
            s.ok(revised);
        }
        s.drive_to(State::Approval).unwrap();
        let sign = Command::sign(&both, Action::Approve).as_role(Role::InspectionChief);
        match s.refused(sign) {
            Rejection::SeparationOfDuties { rule, .. } => {
                assert!(rule.contains(action.name()), "{rule}");
            }
            other => panic!("expected separation of duties, got {other:?}"),
        }
        s.ok(s.sign(Role::InspectionChief));
        assert_eq!(s.instance().state(), State::Approved);
    }
}

/// OURS (signatures bound to the form's content): a changed quantity or grade invalidates the
/// signatures given; a changed grade also changes the chain.
#[test]
fn ours_a_changed_grade_or_quantity_invalidates_the_signatures() {
    // Quantity: grade B, the chief signed, the inspector revises 3 → 5.
    let mut s = at_approval(concession_form(Grade::B));
    s.ok(s.sign(Role::InspectionChief));
    let five = conc::ConcessionForm {
        nonconforming: 5,
        ..concession_form(Grade::B)
    };
    s.ok(s
        .by(Role::Inspector, Action::ReviseForm)
        .with_form(form(&five)));
    let statuses: Vec<_> = s.instance().signatures().iter().map(|x| x.status).collect();
    assert_eq!(statuses, [SignatureStatus::Invalidated]);
    let ce = s.sign(Role::ChiefEngineer);
    assert!(matches!(s.refused(ce), Rejection::SignOutOfOrder { .. }));
    s.ok(s.sign(Role::InspectionChief));
    s.ok(s.sign(Role::ChiefEngineer));
    assert_eq!(s.instance().state(), State::Approved);
    assert_eq!(
        conc::data(&s.instance())
            .unwrap()
            .form
            .unwrap()
            .nonconforming,
        5
    );

    // Grade: C → B before the chief signs, then B → C after the chief signed.
    let mut s = at_approval(concession_form(Grade::C));
    s.ok(s
        .by(Role::Inspector, Action::ReviseForm)
        .with_form(form(&concession_form(Grade::B))));
    s.ok(s.sign(Role::InspectionChief));
    assert_eq!(s.instance().state(), State::Approval, "grade B now");
    s.ok(s
        .by(Role::Inspector, Action::ReviseForm)
        .with_form(form(&concession_form(Grade::C))));
    assert!(
        s.instance()
            .signatures()
            .iter()
            .all(|x| x.status == SignatureStatus::Invalidated)
    );
    s.ok(s.sign(Role::InspectionChief));
    assert_eq!(
        s.instance().state(),
        State::Approved,
        "grade C again: final"
    );

    // No signer can change the content while signing.
    let mut s = at_approval(concession_form(Grade::B));
    let sneaky = s
        .sign(Role::InspectionChief)
        .with_form(form(&concession_form(Grade::C)));
    assert!(matches!(
        s.refused(sneaky),
        Rejection::FormNotAttachable { .. }
    ));
}

/// INF: a refusal by a signer closes the concession as refused (not granted).
#[test]
fn inf_a_refusal_closes_the_concession_refused() {
    let mut s = at_approval(concession_form(Grade::B));
    s.ok(s.sign(Role::InspectionChief));
    s.ok(Command::refuse(
        &s.cast().chief_engineer,
        Action::Approve,
        "seal face affected",
    ));
    assert_eq!(s.instance().state(), State::Refused);
    assert_eq!(
        conc::verdict(&s.instance()).unwrap(),
        Some(ConcessionVerdict::Refused)
    );
}

/// CONC step 7 (000 L407): handled only once every formality is complete, released only after
/// the inspector's re-inspection passes; a failed one is never released (INF: back for a new
/// opinion and a new approval).
#[test]
fn conc_step7_release_only_after_a_passed_reinspection() {
    let mut s = Scenario::at(State::Approved).unwrap();
    let early = s
        .by(Role::Inspector, Action::Reinspect)
        .with_form(form(&reinspection(true)));
    assert!(matches!(
        s.refused(early),
        Rejection::NoSuchTransition { .. }
    ));
    s.drive_to(State::Handled).unwrap();
    let by_tech = s
        .by(Role::SiteTechnician, Action::Reinspect)
        .with_form(form(&reinspection(true)));
    assert!(matches!(s.refused(by_tech), Rejection::Forbidden { .. }));
    s.ok(s
        .by(Role::Inspector, Action::Reinspect)
        .with_form(form(&reinspection(false))));
    assert_eq!(s.instance().state(), State::AwaitingOpinion);
    assert_eq!(conc::data(&s.instance()).unwrap().failed_reinspections, 1);
    assert_eq!(conc::verdict(&s.instance()).unwrap(), None);
    // A new opinion, a new approval, handled, passed: released.
    s.drive_to(State::Released).unwrap();
    assert_eq!(
        conc::verdict(&s.instance()).unwrap(),
        Some(ConcessionVerdict::Granted)
    );
}

/// CONC other handling 1 (000 L409): the inspector issues a scrap note for an obvious defect;
/// the technician may propose scrap while the concession is handled; both with a reason.
#[test]
fn conc_other_handling_1_scrap_note_or_scrap_proposal() {
    let mut s = Scenario::at(State::Found).unwrap();
    let bare = s.by(Role::Inspector, Action::IssueScrap);
    assert!(matches!(s.refused(bare), Rejection::TextRequired { .. }));
    s.drive_to(State::Scrapped).unwrap();
    assert_eq!(
        conc::verdict(&s.instance()).unwrap(),
        Some(ConcessionVerdict::Scrapped)
    );
    let mut s = Scenario::at(State::AwaitingOpinion).unwrap();
    s.ok(s
        .by(Role::SiteTechnician, Action::ProposeScrap)
        .with_payload(json!({"reason": "cannot be reworked"})));
    assert_eq!(s.instance().state(), State::Scrapped);
}

/// CONC step 6 (000 L405) as configuration: the default countersigned grades are A and B; a
/// host may change them.
#[test]
fn conc_step6_the_countersigned_grades_are_configuration() {
    let config = conc::Config::default();
    assert_eq!(config.chief_engineer_grades, [Grade::A, Grade::B]);
    let only_a = conc::Config {
        chief_engineer_grades: vec![Grade::A],
        ..conc::Config::default()
    };
    let mut s = Scenario::with_form(&only_a, concession_form(Grade::B)).unwrap();
    assert_eq!(s.chain(), Chain::Chief);
    s.drive_to(State::Approval).unwrap();
    s.ok(s.sign(Role::InspectionChief));
    assert_eq!(s.instance().state(), State::Approved);
}

/// OURS: the source sets no limit; a configured one runs a clock, and a miss is recorded and
/// notified without moving the concession.
#[test]
fn ours_limits_are_off_unless_configured() {
    let s = Scenario::at(State::Approval).unwrap();
    assert!(s.instance().clock(Deadline::Approval).is_none());
    let config = conc::Config {
        approval_within: Some(BusinessDuration::WorkingHours(4)),
        ..conc::Config::default()
    };
    let mut s = Scenario::new(&config).unwrap();
    s.drive_to(State::Approval).unwrap();
    assert!(s.instance().clock(Deadline::Approval).is_some());
    s.advance(TimeDelta::days(3));
    let now = s.now();
    s.engine().handle_due(now).unwrap();
    assert_eq!(s.instance().state(), State::Approval);
}

/// The report lists the open concessions and those whose chain has signed.
#[test]
fn report_lists_open_and_granted_concessions() {
    let approved = Scenario::at(State::Approved).unwrap();
    let released = Scenario::at(State::Released).unwrap();
    let waiting = Scenario::at(State::Approval).unwrap();
    let refused = Scenario::at(State::Refused).unwrap();
    let all = [
        approved.instance(),
        released.instance(),
        waiting.instance(),
        refused.instance(),
    ];
    let r = conc::report(all.iter().map(|i| &**i)).unwrap();
    let states = |lines: &[conc::ConcessionLine]| -> Vec<String> {
        lines.iter().map(|l| l.state.clone()).collect()
    };
    assert_eq!(states(&r.open), ["approved", "approval"]);
    assert_eq!(states(&r.granted), ["approved", "released"]);
    assert_eq!(r.granted[0].grade, Some(Grade::C));
    assert_eq!(r.granted[0].nonconforming, 3);
}

/// The concession records the customer return it serves (D9 link, concession side).
#[test]
fn a_concession_records_the_return_it_serves() {
    let s = Scenario::at(State::Found).unwrap();
    let starter = s.cast().inspector.clone();
    let id = InstanceId::from("CONC-RET");
    let data = conc::start_data_for_return(&InstanceId::from("RET-7")).unwrap();
    s.engine()
        .start(conc::ID, id.clone(), &starter, data, s.now())
        .unwrap();
    let d = conc::data(&s.engine().load(&id).unwrap()).unwrap();
    assert_eq!(d.serves_return, Some(InstanceId::from("RET-7")));
    let r = conc::report([&*s.engine().load(&id).unwrap()]).unwrap();
    assert_eq!(r.open[0].serves_return, Some(InstanceId::from("RET-7")));
}

#[test]
fn helpers_refuse_other_procedures_typed() {
    let cal: Arc<dyn Calendar> = Arc::new(BusinessCalendar::default());
    let other = aftersales::procedures::consumables::definition(&Default::default(), cal).unwrap();
    let mut engine = Engine::new(InMemoryStore::new());
    engine.register(other.definition().clone()).unwrap();
    let who = Actor::new("li", ["regional_tech_support_engineer"]);
    let now = aftersales::testing::fixtures::start_instant();
    engine
        .start("consumables", "CR-1", &who, json!({}), now)
        .unwrap();
    let i = engine.load(&InstanceId::from("CR-1")).unwrap();
    assert!(matches!(
        conc::verdict(&i),
        Err(ConcessionError::NotAConcession { .. })
    ));
    assert!(matches!(
        conc::data(&i),
        Err(ConcessionError::NotAConcession { .. })
    ));
    assert!(conc::report([&*i]).unwrap().open.is_empty());
}

#[test]
fn golden_diagram_and_doc() {
    let def = conc::definition(
        &conc::Config::default(),
        Arc::new(BusinessCalendar::default()),
    )
    .unwrap();
    let text = Mermaid(def.definition()).to_string();
    let golden = common::golden("tests/golden/concession.mmd", &text);
    let table = InStateActions(def.definition()).to_string();
    common::page_diagram("docs/procedures/concession.md", &golden, &table);
}

/// The link with the customer return's D9 concession decision (让步接受; RET-HRS (004 L397) on
/// the return's side), both ways, on one engine: the return asks a concession naming it and
/// waits; the bridge starts the concession recording the return it serves; the concession
/// decides; the bridge records its outcome on the return, which moves on — granted, to the
/// restock as the goods are; refused, back to the judgement's route.
#[test]
fn return_d9_the_return_waits_for_the_concession_and_moves_on() {
    use aftersales::procedures::customer_return as cr;
    use aftersales::testing::fixtures::customer_return as crf;
    for granted in [true, false] {
        let cal: Arc<dyn Calendar> = Arc::new(BusinessCalendar::default());
        let mut engine = Engine::new(InMemoryStore::new());
        for def in [
            cr::definition(&Default::default(), cal.clone())
                .unwrap()
                .definition()
                .clone(),
            conc::definition(&Default::default(), cal)
                .unwrap()
                .definition()
                .clone(),
        ] {
            engine.register(def).unwrap();
        }
        // The return, driven as its fixture drives it to `judged` with failed goods of ours.
        let fresh = crf::Scenario::new(&Default::default()).unwrap();
        let waiting = crf::Scenario::at(cr::State::AwaitingConcession).unwrap();
        let rc = waiting.cast().clone();
        let ret = InstanceId::from("CR-1");
        let now = aftersales::testing::fixtures::start_instant();
        let data = fresh.instance().data().clone();
        engine
            .start(
                cr::ID,
                ret.clone(),
                &rc.customer_service_specialist,
                data,
                now,
            )
            .unwrap();
        let (last, before) = waiting.fired().split_last().unwrap();
        for (_, cmd) in before {
            engine.fire(&ret, cmd, now).unwrap();
        }
        assert_eq!(engine.load(&ret).unwrap().state(), cr::State::Judged);

        // The quality manager asks the concession, naming the instance the bridge will start.
        let mut request: cr::ConcessionRequest =
            serde_json::from_value(last.1.forms[0].body.clone()).unwrap();
        request.concession = Some("CONC-R1".into());
        let ask = Command::fire(&rc.quality_manager, cr::Action::RequestConcession)
            .with_form(form(&request));
        engine.fire(&ret, &ask, now).unwrap();
        let waiting_return = engine.load(&ret).unwrap();
        assert_eq!(waiting_return.state(), cr::State::AwaitingConcession);

        // No outcome before the concession is final.
        let start = conc::start_for_return(&waiting_return).unwrap();
        assert_eq!(start.concession, InstanceId::from("CONC-R1"));
        let cc = aftersales::testing::fixtures::concession::Cast::new();
        engine
            .start(
                conc::ID,
                start.concession.clone(),
                &cc.inspector,
                start.data.clone(),
                now,
            )
            .unwrap();
        let id = start.concession.clone();
        assert!(matches!(
            conc::outcome_for_return(&engine.load(&id).unwrap(), &rc.concession_link),
            Err(ConcessionError::Open { .. })
        ));

        // The concession decides: grade B, the chief and the chief engineer sign (or the chief
        // engineer refuses); granted ones are handled, re-inspected and released.
        let fire = |cmd: Command| engine.fire(&id, &cmd, now).unwrap();
        fire(
            Command::fire(&cc.inspector, Action::IssueForm)
                .with_form(form(&concession_form(Grade::B))),
        );
        fire(Command::fire(&cc.site_technician, Action::GiveOpinion).with_form(form(&opinion())));
        fire(Command::sign(&cc.inspection_chief, Action::Approve));
        if granted {
            fire(Command::sign(&cc.chief_engineer, Action::Approve));
            fire(
                Command::fire(&cc.site_technician, Action::RecordHandling)
                    .with_form(form(&handling())),
            );
            fire(
                Command::fire(&cc.inspector, Action::Reinspect)
                    .with_form(form(&reinspection(true))),
            );
        } else {
            fire(Command::refuse(
                &cc.chief_engineer,
                Action::Approve,
                "seal face affected",
            ));
        }
        assert_eq!(
            engine.load(&ret).unwrap().state(),
            cr::State::AwaitingConcession,
            "the return waits while the concession decides"
        );

        // The bridge records the outcome on the return, which moves on.
        let concession = engine.load(&id).unwrap();
        let (target, cmd) = conc::outcome_for_return(&concession, &rc.concession_link).unwrap();
        assert_eq!(target, ret);
        engine.fire(&ret, &cmd, now).unwrap();
        let moved = engine.load(&ret).unwrap();
        assert_eq!(moved.state(), cr::State::Judged);

        // Both links visible: the concession names the return, the return names the concession.
        assert_eq!(
            conc::data(&concession).unwrap().serves_return,
            Some(ret.clone())
        );
        match cr::concession_status(&moved).unwrap() {
            cr::ConcessionStatus::Granted(o) | cr::ConcessionStatus::Refused(o) => {
                assert_eq!(o.concession, "CONC-R1");
                assert_eq!(o.granted, granted);
            }
            other => panic!("expected a decided concession, got {other:?}"),
        }
        let expected = if granted {
            cr::Route::Restock
        } else {
            cr::judged_route(&moved).unwrap()
        };
        assert_eq!(cr::current_route(&moved).unwrap(), expected);
        engine.verify(&ret).unwrap();
        engine.verify(&id).unwrap();
    }
}

/// The bridge refuses, typed, what it cannot link.
#[test]
fn return_d9_the_bridge_refuses_what_it_cannot_link() {
    use aftersales::procedures::customer_return as cr;
    use aftersales::testing::fixtures::customer_return as crf;
    // A return whose request names no concession (the fixture's) or that waits for none.
    let waiting = crf::Scenario::at(cr::State::AwaitingConcession).unwrap();
    assert!(matches!(
        conc::start_for_return(&waiting.instance()),
        Err(ConcessionError::Unnamed { .. })
    ));
    let judged = crf::Scenario::at(cr::State::Judged).unwrap();
    assert!(matches!(
        conc::start_for_return(&judged.instance()),
        Err(ConcessionError::NotPending { .. })
    ));
    // A concession instead of a return; a concession serving no return.
    let released = Scenario::at(State::Released).unwrap();
    assert!(matches!(
        conc::start_for_return(&released.instance()),
        Err(ConcessionError::WrongDefinition { .. })
    ));
    let link = waiting.cast().concession_link.clone();
    assert!(matches!(
        conc::outcome_for_return(&released.instance(), &link),
        Err(ConcessionError::NotLinked { .. })
    ));
}
