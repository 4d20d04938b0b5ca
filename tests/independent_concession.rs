//! Independent conformance tests of the concession procedure against its source document,
//! `CONC` (质量问题处理流程, collection 000 lines 391–425). Every expectation below comes from
//! the quoted clause, read by an auditor; the tests drive the crate's public API only.
#![cfg(all(feature = "testing", feature = "procedures"))]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test helpers may panic

use aftersales::procedures::concession::{
    self as conc, Action, CastingDefect, ConcessionForm, ConcessionVerdict, DefectCategory,
    Deviation, Disposition, FoundBy, Grade, HandledBy, HandlingOpinion, HandlingRecord,
    ReinspectionRecord, Role, State, ThirdParty, ThirdPartyKind,
};
use aftersales::{
    Actor, BusinessCalendar, Command, Engine, Form, InMemoryStore, Instance, InstanceId,
    SignatureStatus, TypedForm,
};
use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use std::sync::Arc;

fn typed<F: TypedForm>(f: &F) -> Form {
    Form::typed(F::KIND, f).expect("form serializes")
}

struct People {
    inspector: Actor,
    technician: Actor,
    designer: Actor,
    process_engineer: Actor,
    chief: Actor,
    chief_engineer: Actor,
    third_party: Actor,
}

fn people() -> People {
    let a = |id: &str, r: Role| Actor::new(id, [r]);
    People {
        inspector: a("ic-insp", Role::Inspector),
        technician: a("ic-tech", Role::SiteTechnician),
        designer: a("ic-design", Role::Designer),
        process_engineer: a("ic-proc", Role::ProcessEngineer),
        chief: a("ic-chief", Role::InspectionChief),
        chief_engineer: a("ic-ce", Role::ChiefEngineer),
        third_party: a("ic-foundry", Role::ThirdParty),
    }
}

struct Plant {
    engine: Engine<InMemoryStore>,
    now: DateTime<Utc>,
    p: People,
}

const ID: &str = "IC-CONC-1";

fn plant() -> Plant {
    let def = conc::definition(
        &conc::Config::default(),
        Arc::new(BusinessCalendar::china_standard()),
    )
    .expect("definition builds");
    let mut engine = Engine::new(InMemoryStore::new());
    engine
        .register(def.definition().clone())
        .expect("registers");
    Plant {
        engine,
        now: Utc
            .with_ymd_and_hms(2026, 11, 17, 1, 30, 0)
            .single()
            .expect("time"),
        p: people(),
    }
}

fn form(grade: Grade) -> ConcessionForm {
    ConcessionForm {
        part_number: "SH-77".into(),
        lot: "LOT-9".into(),
        found_by: FoundBy::Inspector,
        grade,
        category: DefectCategory::Machining,
        responsible: "turning cell 2".into(),
        inspected: 20,
        nonconforming: 2,
        deviation: Deviation {
            characteristic: "shaft Ø30".into(),
            specified: "30.00 0/-0.02".into(),
            actual: "29.97".into(),
        },
        justification: "assembly waits".into(),
        casting: None,
        third_party: None,
    }
}

fn with_third_party(mut f: ConcessionForm, kind: ThirdPartyKind) -> ConcessionForm {
    f.third_party = Some(ThirdParty {
        name: "Outside Works".into(),
        kind,
    });
    f
}

fn casting_form(grade: Grade) -> ConcessionForm {
    ConcessionForm {
        casting: Some(CastingDefect {
            supplier: "Xin Foundry".into(),
            defect: "夹砂 sand inclusion".into(),
        }),
        third_party: Some(ThirdParty {
            name: "Xin Foundry".into(),
            kind: ThirdPartyKind::CastingSupplier,
        }),
        ..form(grade)
    }
}

fn scrap_reason() -> serde_json::Value {
    serde_json::json!({ "reason": "cracked through, obviously defective" })
}

fn opinion(by: HandledBy) -> HandlingOpinion {
    HandlingOpinion {
        handled_by: by,
        disposition: Disposition::UseAsIs,
        plan: "use as is, mark parts".into(),
    }
}

impl Plant {
    fn try_fire(&mut self, cmd: Command) -> bool {
        self.now += TimeDelta::minutes(15);
        match self.engine.fire(&InstanceId::from(ID), &cmd, self.now) {
            Ok(_) => true,
            Err(e) => {
                eprintln!("refused: {e}");
                false
            }
        }
    }

    fn fire(&mut self, cmd: Command, what: &str) {
        self.now += TimeDelta::minutes(15);
        if let Err(e) = self.engine.fire(&InstanceId::from(ID), &cmd, self.now) {
            panic!("{what} was refused: {e}");
        }
    }

    fn load(&self) -> Arc<Instance> {
        self.engine.load(&InstanceId::from(ID)).expect("loads")
    }

    fn state(&self) -> String {
        self.load().state().to_string()
    }

    fn start_by(&mut self, who: &Actor) {
        self.engine
            .start(
                conc::ID,
                InstanceId::from(ID),
                who,
                serde_json::json!({}),
                self.now,
            )
            .expect("starts");
    }

    fn issue_by(&mut self, who: &Actor, f: &ConcessionForm) -> bool {
        self.try_fire(Command::fire(who, Action::IssueForm).with_form(typed(f)))
    }

    /// Start, issue `f` as the inspector, and give the technician's opinion.
    fn open(&mut self, f: &ConcessionForm) {
        let insp = self.p.inspector.clone();
        self.start_by(&insp);
        assert!(self.issue_by(&insp, f), "inspector issues the form");
        let tech = self.p.technician.clone();
        self.fire(
            Command::fire(&tech, Action::GiveOpinion)
                .with_form(typed(&opinion(HandledBy::SiteTechnician))),
            "technician's opinion",
        );
        assert_eq!(self.state(), State::Approval.as_str());
    }

    fn sign(&mut self, who: &Actor) -> bool {
        self.try_fire(Command::sign(who, Action::Approve))
    }

    fn handle(&mut self) -> bool {
        let tech = self.p.technician.clone();
        self.try_fire(
            Command::fire(&tech, Action::RecordHandling).with_form(typed(&HandlingRecord {
                done: "parts marked".into(),
            })),
        )
    }

    fn reinspect(&mut self, who: &Actor, passed: bool) -> bool {
        self.try_fire(
            Command::fire(who, Action::Reinspect).with_form(typed(&ReinspectionRecord {
                passed,
                note: if passed {
                    String::new()
                } else {
                    "still out of tolerance".into()
                },
            })),
        )
    }

    fn revise(&mut self, who: &Actor, f: &ConcessionForm) -> bool {
        self.try_fire(Command::fire(who, Action::ReviseForm).with_form(typed(f)))
    }

    /// What must not change when a command is refused: state, data, forms, signatures.
    fn snapshot(&self) -> (String, serde_json::Value, usize, Vec<String>) {
        let i = self.load();
        (
            i.state().to_string(),
            i.data().clone(),
            i.forms().len(),
            i.signatures()
                .iter()
                .map(|s| format!("{}/{}/{:?}", s.signer, s.role, s.status))
                .collect(),
        )
    }
}

// 检验科长：…由总工程师授权对“C”类缺陷具有终审权。 — CONC roles (000 L421)
// 7. 问题处理后复检：…合格后对零件放行继续后道工序加工。 — CONC step 7 (000 L407)
#[test]
fn conc_roles_l421_grade_c_final_after_inspection_chief() {
    let mut t = plant();
    t.open(&form(Grade::C));
    let chief = t.p.chief.clone();
    assert!(t.sign(&chief), "the chief approves grade C");
    assert_eq!(t.state(), State::Approved.as_str(), "final with the chief");
    assert!(t.handle(), "handling after every formality");
    assert_eq!(t.state(), State::Handled.as_str());
    let insp = t.p.inspector.clone();
    assert!(t.reinspect(&insp, true));
    assert_eq!(t.state(), State::Released.as_str());
    assert_eq!(
        conc::verdict(&t.load()).expect("verdict"),
        Some(ConcessionVerdict::Granted)
    );
}

// 4. 检验科长审批：所有问题及处理意见必须由检验科长审批才实行 — CONC step 4 (000 L399)
#[test]
fn conc_step4_no_handling_before_chief_approval() {
    let mut t = plant();
    t.open(&form(Grade::C));
    let before = t.snapshot();
    assert!(!t.handle(), "handling before the chief approves is refused");
    assert_eq!(t.snapshot(), before, "a refused action changes nothing");
    let insp = t.p.inspector.clone();
    assert!(
        !t.reinspect(&insp, true),
        "no re-inspection before handling"
    );
    assert_eq!(t.state(), State::Approval.as_str());
}

// 4. …对“A”，“B”类让步单，检验科长审核后，还须转交总工程师对处理意见会签。 — CONC step 4 (000 L399)
// 6. 总师会签：总师对“B”类以上缺陷的处理意见进行会签。 — CONC step 6 (000 L405)
#[test]
fn conc_step6_grade_b_needs_chief_engineer() {
    let mut t = plant();
    t.open(&form(Grade::B));
    let (chief, ce) = (t.p.chief.clone(), t.p.chief_engineer.clone());
    assert!(t.sign(&chief));
    assert_eq!(
        t.state(),
        State::Approval.as_str(),
        "B is not final with the chief"
    );
    let before = t.snapshot();
    assert!(!t.handle(), "no handling without the chief engineer");
    assert_eq!(t.snapshot(), before);
    assert!(t.sign(&ce));
    assert_eq!(t.state(), State::Approved.as_str());
    assert!(t.handle());
}

// 4. …对“A”，“B”类让步单，检验科长审核后，还须转交总工程师对处理意见会签。 — CONC step 4 (000 L399)
// 6. 总师对“B”类以上缺陷的处理意见进行会签。 — CONC step 6 (000 L405)
#[test]
fn conc_step6_grade_a_needs_chief_engineer() {
    let mut t = plant();
    t.open(&form(Grade::A));
    let (chief, ce) = (t.p.chief.clone(), t.p.chief_engineer.clone());
    assert!(t.sign(&chief));
    assert_eq!(
        t.state(),
        State::Approval.as_str(),
        "A is not final with the chief"
    );
    assert!(!t.handle());
    assert!(t.sign(&ce));
    assert_eq!(t.state(), State::Approved.as_str());
}

// 4. …对“A”，“B”类让步单，检验科长审核后，还须转交总工程师对处理意见会签。 — CONC step 4 (000 L399)
// (the chief engineer countersigns after the chief has reviewed: 审核后…转交)
#[test]
fn conc_step4_chief_engineer_only_after_chief() {
    let mut t = plant();
    t.open(&form(Grade::B));
    let (chief, ce) = (t.p.chief.clone(), t.p.chief_engineer.clone());
    let before = t.snapshot();
    assert!(
        !t.sign(&ce),
        "the chief engineer may not sign before the chief"
    );
    assert_eq!(t.snapshot(), before);
    assert!(t.sign(&chief));
    assert!(t.sign(&ce));
    assert_eq!(t.state(), State::Approved.as_str());
}

// 检验科长：对所有质量问题的审核 — CONC roles (000 L419); 所有问题…必须由检验科长审批才实行 — CONC step 4 (000 L399)
#[test]
fn conc_step4_chief_engineer_cannot_replace_the_chief() {
    let mut t = plant();
    t.open(&form(Grade::C));
    let ce = t.p.chief_engineer.clone();
    assert!(
        !t.sign(&ce),
        "grade C: the chief engineer is not the approver"
    );
    assert_eq!(t.state(), State::Approval.as_str());
    let tech = t.p.technician.clone();
    assert!(!t.sign(&tech), "the technician does not approve");
    assert_eq!(t.state(), State::Approval.as_str());
}

// 5. 第三方单位会签：如果质量问题涉及第三方单位，还须由第三方单位会签。 — CONC step 5 (000 L401)
#[test]
fn conc_step5_third_party_countersigns_grade_c() {
    let mut t = plant();
    t.open(&with_third_party(form(Grade::C), ThirdPartyKind::Other));
    let (chief, tp) = (t.p.chief.clone(), t.p.third_party.clone());
    assert!(t.sign(&chief));
    assert_eq!(
        t.state(),
        State::Approval.as_str(),
        "the chief's approval is not enough when a third party is involved"
    );
    assert!(!t.handle());
    assert!(t.sign(&tp));
    assert_eq!(t.state(), State::Approved.as_str());
}

// 5. 如果质量问题涉及第三方单位，还须由第三方单位会签。 — CONC step 5 (000 L401)
// 6. 总师对“B”类以上缺陷的处理意见进行会签。 — CONC step 6 (000 L405)
#[test]
fn conc_step5_step6_grade_b_with_third_party_needs_both() {
    let mut t = plant();
    t.open(&with_third_party(form(Grade::B), ThirdPartyKind::Supplier));
    let (chief, ce, tp) = (
        t.p.chief.clone(),
        t.p.chief_engineer.clone(),
        t.p.third_party.clone(),
    );
    assert!(t.sign(&chief));
    assert!(t.sign(&tp));
    assert_eq!(
        t.state(),
        State::Approval.as_str(),
        "chief engineer missing"
    );
    assert!(!t.handle());
    assert!(t.sign(&ce));
    assert_eq!(t.state(), State::Approved.as_str());
}

// 5. 如果质量问题涉及第三方单位，还须由第三方单位会签。 — CONC step 5 (000 L401)
// (a third party's countersign is its own: the chief engineer does not sign for it)
#[test]
fn conc_step5_chief_engineer_cannot_sign_for_third_party() {
    let mut t = plant();
    t.open(&with_third_party(form(Grade::C), ThirdPartyKind::Other));
    let (chief, ce) = (t.p.chief.clone(), t.p.chief_engineer.clone());
    assert!(t.sign(&chief));
    let _ = t.sign(&ce);
    assert_eq!(
        t.state(),
        State::Approval.as_str(),
        "only the third party completes its countersign"
    );
}

// 例如：铸件类缺陷的夹砂、气孔等，在机加工之前是很难发现的，一经发现，问题的处理还需由铸件供应商提供技术支持。
// — CONC step 5 (000 L403): a casting supplier is the third party of a casting defect.
#[test]
fn conc_step5_casting_supplier_is_always_third_party() {
    let no_supplier = ConcessionForm {
        third_party: None,
        ..casting_form(Grade::C)
    };
    assert!(
        no_supplier.validate().is_err(),
        "a casting defect without its supplier as third party is invalid"
    );
    let wrong_kind = ConcessionForm {
        third_party: Some(ThirdParty {
            name: "Xin Foundry".into(),
            kind: ThirdPartyKind::Other,
        }),
        ..casting_form(Grade::C)
    };
    assert!(wrong_kind.validate().is_err());

    let mut t = plant();
    let insp = t.p.inspector.clone();
    t.start_by(&insp);
    let before = t.snapshot();
    assert!(
        !t.issue_by(&insp, &no_supplier),
        "the engine refuses it too"
    );
    assert_eq!(t.snapshot(), before);
    assert!(t.issue_by(&insp, &casting_form(Grade::C)));
}

// 5. 如果质量问题涉及第三方单位，还须由第三方单位会签。…铸件供应商… — CONC step 5 (000 L401–L403)
#[test]
fn conc_step5_casting_defect_needs_supplier_countersign() {
    let mut t = plant();
    t.open(&casting_form(Grade::C));
    let (chief, tp) = (t.p.chief.clone(), t.p.third_party.clone());
    assert!(t.sign(&chief));
    assert_eq!(t.state(), State::Approval.as_str());
    assert!(
        !t.handle(),
        "no handling before the casting supplier countersigns"
    );
    assert!(t.sign(&tp));
    assert_eq!(t.state(), State::Approved.as_str());
}

// 7. 问题处理后复检：所有手续办齐后才能执行问题的处理方案，处理完成后，由检验员复检并确认结果，合格后对零件放行
// — CONC step 7 (000 L407); 遵照发现问题未经处理，绝不放行的原则 — CONC roles (000 L417)
#[test]
fn conc_step7_release_only_after_passed_reinspection() {
    let mut t = plant();
    t.open(&form(Grade::C));
    let chief = t.p.chief.clone();
    assert!(t.sign(&chief));
    assert_ne!(t.state(), State::Released.as_str());
    assert!(t.handle());
    assert_eq!(
        t.state(),
        State::Handled.as_str(),
        "handled is not released"
    );
    let insp = t.p.inspector.clone();
    assert!(
        t.reinspect(&insp, false),
        "a failed re-inspection is recorded"
    );
    assert_ne!(t.state(), State::Released.as_str());
    assert_ne!(
        conc::verdict(&t.load()).expect("verdict"),
        Some(ConcessionVerdict::Granted)
    );
    assert!(
        !t.handle(),
        "after a failed re-inspection the old approval does not authorise handling again"
    );
}

// 7. …处理完成后，由检验员复检并确认结果 — CONC step 7 (000 L407)
#[test]
fn conc_step7_only_inspector_reinspects() {
    let mut t = plant();
    t.open(&form(Grade::C));
    let chief = t.p.chief.clone();
    assert!(t.sign(&chief));
    assert!(t.handle());
    let before = t.snapshot();
    let tech = t.p.technician.clone();
    assert!(
        !t.reinspect(&tech, true),
        "the technician does not re-inspect"
    );
    assert!(!t.reinspect(&chief, true), "the chief does not re-inspect");
    assert_eq!(t.snapshot(), before);
    let insp = t.p.inspector.clone();
    assert!(t.reinspect(&insp, true));
    assert_eq!(t.state(), State::Released.as_str());
}

// 检验员对问题只有反应权和监督权而无处理权 — CONC roles (000 L417)
#[test]
fn conc_roles_l417_inspector_has_no_disposition_right() {
    let mut t = plant();
    let insp = t.p.inspector.clone();
    t.start_by(&insp);
    assert!(t.issue_by(&insp, &form(Grade::C)));
    let before = t.snapshot();
    let give = Command::fire(&insp, Action::GiveOpinion)
        .with_form(typed(&opinion(HandledBy::SiteTechnician)));
    assert!(!t.try_fire(give), "the inspector gives no handling opinion");
    assert_eq!(t.snapshot(), before);
    let tech = t.p.technician.clone();
    t.fire(
        Command::fire(&tech, Action::GiveOpinion)
            .with_form(typed(&opinion(HandledBy::SiteTechnician))),
        "opinion",
    );
    assert!(!t.sign(&insp), "the inspector does not approve");
    assert_eq!(t.state(), State::Approval.as_str());
}

// 检验员对问题只有反应权和监督权而无处理权；检验员的角色是相对独立的 — CONC roles (000 L417):
// the inspector who found the defect may not approve its concession.
#[test]
fn conc_roles_l417_finder_may_not_approve() {
    let mut t = plant();
    let both = Actor::new("ic-qc-ma", [Role::Inspector, Role::InspectionChief]);
    t.start_by(&both);
    assert!(t.issue_by(&both, &form(Grade::C)));
    let tech = t.p.technician.clone();
    t.fire(
        Command::fire(&tech, Action::GiveOpinion)
            .with_form(typed(&opinion(HandledBy::SiteTechnician))),
        "opinion",
    );
    let before = t.snapshot();
    assert!(!t.sign(&both), "the finder may not approve");
    assert!(
        !t.try_fire(Command::sign(&both, Action::Approve).as_role(Role::InspectionChief)),
        "not even acting expressly as inspection chief"
    );
    assert_eq!(t.snapshot(), before);
    let chief = t.p.chief.clone();
    assert!(t.sign(&chief), "another chief approves");
    assert_eq!(t.state(), State::Approved.as_str());
}

// 检验员…的角色是相对独立的 — CONC roles (000 L417): an inspector who revised the form may not
// approve it either.
#[test]
fn conc_roles_l417_reviser_may_not_approve() {
    let mut t = plant();
    t.open(&form(Grade::C));
    let both = Actor::new("ic-qc-li", [Role::Inspector, Role::InspectionChief]);
    let revised = ConcessionForm {
        nonconforming: 3,
        ..form(Grade::C)
    };
    assert!(t.revise(&both, &revised), "an inspector revises the form");
    assert!(!t.sign(&both), "who revised may not approve");
    assert_eq!(t.state(), State::Approval.as_str());
}

// 4. 检验科长审批…还须转交总工程师对处理意见会签 — CONC step 4 (000 L399); 会签 is a second
// person's signature: one person may not both approve as chief and countersign as chief engineer.
#[test]
fn conc_step4_same_person_cannot_approve_and_countersign() {
    let mut t = plant();
    t.open(&form(Grade::B));
    let both = Actor::new("ic-boss", [Role::InspectionChief, Role::ChiefEngineer]);
    assert!(t.try_fire(Command::sign(&both, Action::Approve).as_role(Role::InspectionChief)));
    let _ = t.try_fire(Command::sign(&both, Action::Approve).as_role(Role::ChiefEngineer));
    assert_eq!(
        t.state(),
        State::Approval.as_str(),
        "the same person's second signature does not complete the countersign"
    );
}

// 4. 所有问题及处理意见必须由检验科长审批 — CONC step 4 (000 L399): signing twice adds nothing.
#[test]
fn conc_step4_chief_signing_twice_does_not_countersign() {
    let mut t = plant();
    t.open(&form(Grade::B));
    let chief = t.p.chief.clone();
    assert!(t.sign(&chief));
    let _ = t.sign(&chief);
    assert_eq!(t.state(), State::Approval.as_str());
    assert!(!t.handle());
}

// 让步单 … 注明问题等级(A、B、C)…；检验科长审批…对“A”，“B”类让步单…总工程师会签 — CONC step 2/4
// (000 L399): the signatures approve this form; a changed grade invalidates them.
#[test]
fn conc_step4_changed_grade_invalidates_signatures() {
    let mut t = plant();
    t.open(&form(Grade::C));
    // Downgrade attack: signed as B by the chief, then changed to C to skip the chief engineer.
    let insp = t.p.inspector.clone();
    assert!(t.revise(&insp, &form(Grade::B)));
    let chief = t.p.chief.clone();
    assert!(t.sign(&chief));
    assert!(
        t.revise(&insp, &form(Grade::C)),
        "revise to C before approval completes"
    );
    assert!(
        t.load()
            .signatures()
            .iter()
            .filter(|s| s.action == Action::Approve.as_str())
            .all(|s| s.status != SignatureStatus::Open && s.status != SignatureStatus::Completed),
        "the chief's signature on grade B no longer counts"
    );
    assert_eq!(
        t.state(),
        State::Approval.as_str(),
        "the changed form is not approved by the old signature"
    );
    assert!(!t.handle());
    assert!(t.sign(&chief), "the chief approves the C form anew");
    assert_eq!(t.state(), State::Approved.as_str());
}

// 2. 让步单…注明问题等级…等 — CONC step 2 (000 L399): the approval binds the form's content;
// a changed quantity invalidates the chief's signature.
#[test]
fn conc_step4_changed_quantity_invalidates_signatures() {
    let mut t = plant();
    t.open(&form(Grade::B));
    let (chief, ce, insp) = (
        t.p.chief.clone(),
        t.p.chief_engineer.clone(),
        t.p.inspector.clone(),
    );
    assert!(t.sign(&chief));
    let more = ConcessionForm {
        nonconforming: 7,
        ..form(Grade::B)
    };
    assert!(t.revise(&insp, &more));
    let _ = t.sign(&ce);
    assert_eq!(
        t.state(),
        State::Approval.as_str(),
        "the chief engineer's countersign does not complete on an invalidated approval"
    );
    assert!(!t.handle());
    assert!(
        t.load()
            .signatures()
            .iter()
            .any(|s| s.signer.as_str() == "ic-chief" && s.status == SignatureStatus::Invalidated),
        "the chief's earlier signature is kept, marked invalidated"
    );
}

// 7. 所有手续办齐后才能执行问题的处理方案 — CONC step 7 (000 L407): the approved form may not be
// changed afterwards under the old signatures.
#[test]
fn conc_step7_no_revision_under_completed_approval() {
    let mut t = plant();
    t.open(&form(Grade::C));
    let (chief, insp) = (t.p.chief.clone(), t.p.inspector.clone());
    assert!(t.sign(&chief));
    assert_eq!(t.state(), State::Approved.as_str());
    let upgraded = form(Grade::A);
    if t.revise(&insp, &upgraded) {
        // If a revision is accepted, it must take the form back through the A chain.
        assert_ne!(t.state(), State::Approved.as_str());
        assert!(!t.handle());
    } else {
        assert_eq!(t.state(), State::Approved.as_str());
        let f = conc::data(&t.load()).expect("data").form.expect("form");
        assert_eq!(f.grade, Grade::C, "the refused revision changed nothing");
    }
}

// 1. 问题发现…一经发现，需要检验员加以确认。所有发现问题必须通过检验员反应。 — CONC step 1 (000 L395–L397)
// 2. 发现问题后，须立即开具“让步使用单” — CONC step 2 (000 L399)
#[test]
fn conc_step1_only_inspector_issues_the_form() {
    let mut t = plant();
    let insp = t.p.inspector.clone();
    t.start_by(&insp);
    let before = t.snapshot();
    for who in [
        t.p.technician.clone(),
        t.p.chief.clone(),
        t.p.chief_engineer.clone(),
        t.p.designer.clone(),
    ] {
        assert!(
            !t.issue_by(&who, &form(Grade::C)),
            "{} may not issue",
            who.id
        );
    }
    assert_eq!(t.snapshot(), before);
    let by_operator = ConcessionForm {
        found_by: FoundBy::Operator {
            name: "op-wu".into(),
        },
        ..form(Grade::C)
    };
    assert!(
        t.issue_by(&insp, &by_operator),
        "an operator's finding, confirmed by the inspector"
    );
    assert_eq!(t.state(), State::AwaitingOpinion.as_str());
}

// 1. 所有发现问题必须通过检验员反应。 — CONC step 1 (000 L397): the concession starts with the
// inspector, not with another role.
#[test]
fn conc_step1_technician_cannot_open_a_concession() {
    let t = plant();
    let r = t.engine.start(
        conc::ID,
        InstanceId::from(ID),
        &t.p.technician,
        serde_json::json!({}),
        t.now,
    );
    assert!(r.is_err(), "a problem is reported through the inspector");
}

// 2. 让步单：…注明问题等级(A、B、C)，问题类别(设计、工艺、加工、设备、其他)，责任人等 — CONC step 2 (000 L399)
#[test]
fn conc_step2_form_names_responsible_person() {
    let no_one = ConcessionForm {
        responsible: "  ".into(),
        ..form(Grade::C)
    };
    assert!(no_one.validate().is_err());
    let mut t = plant();
    let insp = t.p.inspector.clone();
    t.start_by(&insp);
    let before = t.snapshot();
    assert!(!t.issue_by(&insp, &no_one));
    assert_eq!(t.snapshot(), before);
    for c in [
        DefectCategory::Design,
        DefectCategory::Process,
        DefectCategory::Machining,
        DefectCategory::Equipment,
        DefectCategory::Other,
    ] {
        let f = ConcessionForm {
            category: c,
            ..form(Grade::C)
        };
        assert!(f.validate().is_ok(), "{c:?} is a category of the text");
    }
}

// 3. 技术员处理意见：所有问题首先交由现场技术员作初步处理 — CONC step 3 (000 L399)
// 4. 所有问题及处理意见必须由检验科长审批 — CONC step 4: nothing to approve before the opinion.
#[test]
fn conc_step3_opinion_before_approval() {
    let mut t = plant();
    let insp = t.p.inspector.clone();
    t.start_by(&insp);
    assert!(t.issue_by(&insp, &form(Grade::C)));
    let before = t.snapshot();
    let chief = t.p.chief.clone();
    assert!(!t.sign(&chief), "no approval before the handling opinion");
    let give = Command::fire(&chief, Action::GiveOpinion)
        .with_form(typed(&opinion(HandledBy::SiteTechnician)));
    assert!(!t.try_fire(give), "the chief gives no opinion");
    assert_eq!(t.snapshot(), before);
}

// 3. 对“C”类问题，现场技术员直接处理或由现场技术员交相关的设计人员或工艺人员处理 — CONC step 3 (000 L399)
// 设计人员：负责对设计类缺陷的处理 — CONC roles (000 L425)
#[test]
fn conc_step3_designer_handles_design_defect() {
    let mut t = plant();
    let insp = t.p.inspector.clone();
    t.start_by(&insp);
    let design = ConcessionForm {
        category: DefectCategory::Design,
        ..form(Grade::C)
    };
    assert!(t.issue_by(&insp, &design));
    let d = t.p.designer.clone();
    t.fire(
        Command::fire(&d, Action::GiveOpinion).with_form(typed(&opinion(HandledBy::Designer))),
        "designer's opinion",
    );
    assert_eq!(t.state(), State::Approval.as_str());
}

// 工艺人员：负责对工艺加工类缺陷的处理 — CONC roles (000 L425)
#[test]
fn conc_step3_process_engineer_handles_machining_defect() {
    let mut t = plant();
    let insp = t.p.inspector.clone();
    t.start_by(&insp);
    assert!(t.issue_by(&insp, &form(Grade::C)));
    let pe = t.p.process_engineer.clone();
    t.fire(
        Command::fire(&pe, Action::GiveOpinion)
            .with_form(typed(&opinion(HandledBy::ProcessEngineer))),
        "process engineer's opinion",
    );
    assert_eq!(t.state(), State::Approval.as_str());
}

// 3. …由现场技术员交相关的设计人员或工艺人员处理 — CONC step 3 (000 L399): the opinion names who
// gave it; a designer may not record it as the technician's.
#[test]
fn conc_step3_opinion_names_its_author_truthfully() {
    let mut t = plant();
    let insp = t.p.inspector.clone();
    t.start_by(&insp);
    assert!(t.issue_by(&insp, &form(Grade::C)));
    let before = t.snapshot();
    let d = t.p.designer.clone();
    let give = Command::fire(&d, Action::GiveOpinion)
        .with_form(typed(&opinion(HandledBy::ProcessEngineer)));
    assert!(
        !t.try_fire(give),
        "a designer's opinion recorded as the process engineer's is refused"
    );
    assert_eq!(t.snapshot(), before);
}

// 设计人员：负责对设计类缺陷的处理工艺人员：负责对工艺加工类缺陷的处理 — CONC roles (000 L425):
// the designer is not the one who handles a machining defect.
#[test]
fn conc_roles_l425_designer_not_for_machining_defect() {
    let mut t = plant();
    let insp = t.p.inspector.clone();
    t.start_by(&insp);
    assert!(t.issue_by(&insp, &form(Grade::C))); // category: machining
    let before = t.snapshot();
    let d = t.p.designer.clone();
    let give =
        Command::fire(&d, Action::GiveOpinion).with_form(typed(&opinion(HandledBy::Designer)));
    assert!(
        !t.try_fire(give),
        "a machining defect is the process engineer's, not the designer's"
    );
    assert_eq!(t.snapshot(), before);
}

// 检验科长审批…才实行 — CONC step 4 (000 L399): a refusal by the chain: nothing is handled or released.
#[test]
fn conc_step4_refused_concession_is_not_handled() {
    let mut t = plant();
    t.open(&form(Grade::B));
    let (chief, ce) = (t.p.chief.clone(), t.p.chief_engineer.clone());
    assert!(t.sign(&chief));
    assert!(t.try_fire(Command::refuse(&ce, Action::Approve, "not acceptable")));
    assert_eq!(t.state(), State::Refused.as_str());
    assert!(!t.handle());
    let insp = t.p.inspector.clone();
    assert!(!t.reinspect(&insp, true));
    assert_eq!(
        conc::verdict(&t.load()).expect("verdict"),
        Some(ConcessionVerdict::Refused)
    );
}

// 其他处理：1.报废单：对于缺陷明显的工件，检验员直接开具报废单 — CONC other handling 1 (000 L409)
#[test]
fn conc_other1_inspector_issues_scrap_directly() {
    let mut t = plant();
    let insp = t.p.inspector.clone();
    t.start_by(&insp);
    let before = t.snapshot();
    let tech = t.p.technician.clone();
    assert!(
        !t.try_fire(Command::fire(&tech, Action::IssueScrap).with_payload(scrap_reason())),
        "the scrap note is the inspector's to issue directly"
    );
    assert_eq!(t.snapshot(), before);
    assert!(t.try_fire(Command::fire(&insp, Action::IssueScrap).with_payload(scrap_reason())));
    assert_eq!(t.state(), State::Scrapped.as_str());
    assert!(!t.issue_by(&insp, &form(Grade::C)), "scrapped is final");
}

// 让步单处理过程中，由技术员提出报废处理。 — CONC other handling 1 (000 L409)
#[test]
fn conc_other1_technician_proposes_scrap() {
    let mut t = plant();
    let insp = t.p.inspector.clone();
    t.start_by(&insp);
    assert!(t.issue_by(&insp, &form(Grade::C)));
    let before = t.snapshot();
    assert!(
        !t.try_fire(Command::fire(&insp, Action::ProposeScrap).with_payload(scrap_reason())),
        "the inspector does not propose scrap during handling"
    );
    assert_eq!(t.snapshot(), before);
    let tech = t.p.technician.clone();
    assert!(t.try_fire(Command::fire(&tech, Action::ProposeScrap).with_payload(scrap_reason())));
    assert_eq!(t.state(), State::Scrapped.as_str());
    let chief = t.p.chief.clone();
    assert!(!t.sign(&chief));
    assert_eq!(t.state(), State::Scrapped.as_str());
}

// 7. …合格后对零件放行 — CONC step 7 (000 L407): released is final; nothing more is handled.
#[test]
fn conc_step7_released_is_final() {
    let mut t = plant();
    t.open(&form(Grade::C));
    let (chief, insp) = (t.p.chief.clone(), t.p.inspector.clone());
    assert!(t.sign(&chief));
    assert!(t.handle());
    assert!(t.reinspect(&insp, true));
    let before = t.snapshot();
    assert!(!t.handle());
    assert!(!t.reinspect(&insp, false));
    assert!(!t.revise(&insp, &form(Grade::A)));
    assert_eq!(t.snapshot(), before);
    assert!(t.load().is_closed());
}

// 6. 总师对“B”类以上缺陷的处理意见进行会签 — CONC step 6 (000 L405); 由总工程师授权对“C”类缺陷具有终审权
// — CONC roles (000 L421): the default configuration is exactly that.
#[test]
fn conc_step6_default_config_matches_text() {
    let c = conc::Config::default();
    assert!(c.chief_engineer_countersigns(Grade::A));
    assert!(c.chief_engineer_countersigns(Grade::B));
    assert!(!c.chief_engineer_countersigns(Grade::C));
}

// 5. 第三方单位会签 … 4. 检验科长审批：所有问题及处理意见必须由检验科长审批才实行 — CONC steps 4–5
// (000 L399–L401): the countersigns come after the chief's approval.
#[test]
fn conc_step5_third_party_signs_after_chief() {
    let mut t = plant();
    t.open(&casting_form(Grade::A));
    let (chief, ce, tp) = (
        t.p.chief.clone(),
        t.p.chief_engineer.clone(),
        t.p.third_party.clone(),
    );
    let before = t.snapshot();
    assert!(!t.sign(&tp), "the supplier may not sign before the chief");
    assert_eq!(t.snapshot(), before);
    assert!(t.sign(&chief));
    assert!(t.sign(&ce));
    assert_eq!(
        t.state(),
        State::Approval.as_str(),
        "supplier still missing"
    );
    assert!(!t.handle());
    assert!(t.sign(&tp));
    assert_eq!(t.state(), State::Approved.as_str());
}

// 7. 由检验员复检并确认结果，合格后对零件放行 — CONC step 7 (000 L407); 发现问题未经处理，绝不放行
// — CONC roles (000 L417): a failed re-inspection goes back to handling, which is approved anew.
#[test]
fn conc_step7_failed_reinspection_needs_new_approval() {
    let mut t = plant();
    t.open(&form(Grade::B));
    let (chief, ce, insp, tech) = (
        t.p.chief.clone(),
        t.p.chief_engineer.clone(),
        t.p.inspector.clone(),
        t.p.technician.clone(),
    );
    assert!(t.sign(&chief));
    assert!(t.sign(&ce));
    assert!(t.handle());
    assert!(t.reinspect(&insp, false));
    assert_eq!(conc::data(&t.load()).expect("data").failed_reinspections, 1);
    assert!(!t.sign(&chief), "no approval before a new opinion");
    t.fire(
        Command::fire(&tech, Action::GiveOpinion).with_form(typed(&HandlingOpinion {
            disposition: Disposition::Rework,
            ..opinion(HandledBy::SiteTechnician)
        })),
        "new opinion",
    );
    assert!(t.sign(&chief));
    assert_eq!(
        t.state(),
        State::Approval.as_str(),
        "B again needs the chief engineer"
    );
    assert!(t.sign(&ce));
    assert!(t.handle());
    assert!(t.reinspect(&insp, true));
    assert_eq!(t.state(), State::Released.as_str());
}
