//! Conformance tests of the outsourced consumables request (耗材申请单(批量)). Seed lines:
//! `000 L646` (§4.5.7: the regional quality section applies for the branches' consumables
//! needed because of a batch problem), `000 L666` (§5.3.2: the engineer sends the form, the
//! section applies through the workflow), `000 L676` (§7 outputs), `000 L670` (§5.5 losses).
//! Steps marked "ours" follow spec README "Outsourced consumables".
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use aftersales::procedures::consumables::{
    self as cs, Action, BatchLink, ConsumablesError, ConsumablesRequest, ConsumptionReport,
    CountedLine, IssuedLine, ItemQuantity, MaterialTransfer, QuantityRecord, ReceiptRecord,
    RequestLine, ReturnRecord, Role, State, WriteOffRecord,
};
use aftersales::*;
use aftersales::{Account, Bearer, CostKind};
use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use common::batch::started_batch;
use proptest::prelude::*;
use serde_json::json;
use std::sync::Arc;

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 16, 1, 0, 0).unwrap() // Monday 09:00 UTC+8
}

fn a(id: &str, role: Role) -> Actor {
    Actor::new(id, [role])
}
fn rtse() -> Actor {
    a("rtse-li", Role::RegionalTechSupportEngineer)
}
fn rqs() -> Actor {
    a("rqs-chen", Role::RegionalQualitySection)
}
fn approver() -> Actor {
    a("plat-wu", Role::PlatformApprover)
}
fn director() -> Actor {
    a("plat-dir", Role::PlatformDirector)
}
fn store() -> Actor {
    a("store-he", Role::MaterialStore)
}
fn branch() -> Actor {
    a("branch-wh", Role::Branch)
}

fn form<F: TypedForm>(f: &F) -> Form {
    Form::typed(F::KIND, f).unwrap()
}

fn request(batch: &str) -> ConsumablesRequest {
    ConsumablesRequest {
        batch_issue: batch.into(),
        region: "central".into(),
        destination_branch: "Wuhan".into(),
        purpose: "replace PSUs of the 16 failed units (plan task 3)".into(),
        lines: vec![
            RequestLine {
                item_code: "PSU-B".into(),
                description: "PSU rev B".into(),
                quantity: 10,
                unit_cost_fen: 12_000,
            },
            RequestLine {
                item_code: "CABLE".into(),
                description: "SATA power cable".into(),
                quantity: 20,
                unit_cost_fen: 300,
            },
        ],
    }
}

struct W {
    e: Engine<InMemoryStore>,
    batch: InstanceId,
    id: InstanceId,
}

fn world_with(config: cs::Config) -> W {
    let cal: Arc<dyn Calendar> = Arc::new(BusinessCalendar::default());
    let mut e = Engine::new(InMemoryStore::new());
    e.register(
        aftersales::procedures::batch_quality::definition(&Default::default(), cal.clone())
            .unwrap()
            .definition()
            .clone(),
    )
    .unwrap();
    e.register(cs::definition(&config, cal).unwrap().definition().clone())
        .unwrap();
    let batch = InstanceId::from("BQ-1");
    started_batch(&e, &batch, t0());
    let id = InstanceId::from("CR-1");
    e.start(cs::ID, id.clone(), &rtse(), json!({}), t0())
        .unwrap();
    W { e, batch, id }
}

fn world() -> W {
    world_with(cs::Config::default())
}

impl W {
    fn run(&self, cmd: Command) -> Result<Outcome, EngineError> {
        self.e.fire(&self.id, &cmd, t0())
    }
    #[track_caller]
    fn ok(&self, cmd: Command) -> Outcome {
        self.run(cmd).unwrap_or_else(|e| panic!("refused: {e}"))
    }
    /// Refused, and nothing but the audit record of the refusal changed.
    #[track_caller]
    fn refused(&self, cmd: Command) -> Rejection {
        let before = self.e.load(&self.id).unwrap();
        let err = self.run(cmd).expect_err("expected a refusal");
        let after = self.e.load(&self.id).unwrap();
        assert_eq!(
            (after.state(), after.data()),
            (before.state(), before.data()),
            "nothing half-applied"
        );
        err.rejection().cloned().expect("a rejection")
    }
    fn linked(&self, cmd: Command) -> Command {
        cs::with_batch_link(&self.e, &self.batch, cmd).unwrap()
    }
    fn state(&self) -> String {
        self.e.load(&self.id).unwrap().state().to_string()
    }
    fn data(&self) -> cs::Data {
        cs::data(&self.e.load(&self.id).unwrap()).unwrap()
    }
    fn line(&self, item: &str) -> cs::LineStatus {
        self.data()
            .lines
            .into_iter()
            .find(|l| l.item_code == item)
            .unwrap()
    }
    fn sent(&self) {
        self.ok(self
            .linked(Command::fire(&rtse(), Action::SendToRqs).with_form(form(&request("BQ-1")))));
    }
    fn filed(&self) {
        self.sent();
        self.ok(self.linked(Command::fire(&rqs(), Action::FileWithPlatform)));
    }
    fn approved(&self) {
        self.filed();
        self.ok(Command::sign(&approver(), Action::ApprovePlatform));
    }
    fn shipped(&self) {
        self.approved();
        self.ok(Command::fire(&store(), Action::IssueFromStore)
            .with_form(form(&transfer("Wuhan", 10, 20))));
    }
    fn received(&self) {
        self.shipped();
        self.ok(Command::fire(&branch(), Action::ReceiveAndCount)
            .with_form(form(&receipt(9, 1, 20, 0))));
    }
}

fn transfer(to: &str, psu: u32, cable: u32) -> MaterialTransfer {
    MaterialTransfer {
        from_store: "Material store 1".into(),
        to_branch: to.into(),
        waybill: "SF123".into(),
        lines: vec![
            IssuedLine {
                item_code: "PSU-B".into(),
                quantity: psu,
                unit_cost_fen: 11_500,
            },
            IssuedLine {
                item_code: "CABLE".into(),
                quantity: cable,
                unit_cost_fen: 300,
            },
        ],
    }
}

fn receipt(psu: u32, psu_short: u32, cable: u32, cable_short: u32) -> ReceiptRecord {
    ReceiptRecord {
        counted_by: "Zhou".into(),
        lines: vec![
            CountedLine {
                item_code: "PSU-B".into(),
                received: psu,
                short: psu_short,
                damaged: 0,
            },
            CountedLine {
                item_code: "CABLE".into(),
                received: cable,
                short: cable_short,
                damaged: 0,
            },
        ],
        note: "one PSU missing from box 2".into(),
    }
}

fn qty(lines: &[(&str, u32)], reason: &str) -> QuantityRecord {
    QuantityRecord {
        lines: lines
            .iter()
            .map(|(i, q)| ItemQuantity {
                item_code: (*i).into(),
                quantity: *q,
            })
            .collect(),
        reason: reason.into(),
    }
}

fn guard(r: &Rejection) -> (String, String) {
    match r {
        Rejection::GuardRejected { guard, reason, .. } => (guard.clone(), reason.clone()),
        other => panic!("expected a guard refusal, got {other:?}"),
    }
}

fn effect_reason(r: &Rejection) -> String {
    match r {
        Rejection::EffectFailed { reason, .. } => reason.clone(),
        other => panic!("expected an effect refusal, got {other:?}"),
    }
}

#[test]
fn l666_the_engineer_sends_the_form_with_a_started_batch_link() {
    let w = world();
    w.sent();
    assert_eq!(w.state(), State::RqsReview.name());
    let d = w.data();
    assert_eq!(d.request.unwrap().batch_issue, InstanceId::from("BQ-1"));
    assert_eq!(w.line("PSU-B").requested, 10);
}

#[test]
fn l666_only_the_engineer_drafts_and_sends() {
    let w = world();
    let r =
        w.e.start(cs::ID, "CR-2", &branch(), json!({}), t0())
            .unwrap_err();
    assert!(matches!(r.rejection(), Some(Rejection::Forbidden { .. })));
    let r = w.refused(
        w.linked(Command::fire(&rqs(), Action::SendToRqs).with_form(form(&request("BQ-1")))),
    );
    assert!(matches!(r, Rejection::Forbidden { .. }));
}

#[test]
fn l646_l666_no_request_without_a_started_batch_issue() {
    let w = world();
    // No link at all.
    let r = w.refused(Command::fire(&rtse(), Action::SendToRqs).with_form(form(&request("BQ-1"))));
    assert_eq!(
        r,
        Rejection::MissingForm {
            action: "send_to_rqs".into(),
            form: "batch_link".into()
        }
    );
    // A batch issue still waiting for the quality section's review is not started (000 L652).
    let not_started = InstanceId::from("BQ-2");
    let data = aftersales::procedures::batch_quality::Data::new(
        "Bank",
        "FZ-D530",
        "central",
        "no display",
    );
    w.e.start(
        "batch_quality",
        not_started.clone(),
        &common::batch::station(),
        data.to_value().unwrap(),
        t0(),
    )
    .unwrap();
    let err = cs::link_form(&w.e.load(&not_started).unwrap()).unwrap_err();
    assert!(
        matches!(err, ConsumablesError::NotStarted { ref state, .. } if state == "complaint_received"),
        "{err}"
    );
    // A hand-made link claiming a non-started state is refused by the guard.
    let forged = BatchLink {
        batch_issue: "BQ-1".into(),
        state: "pending_rqs_review".into(),
        version: 1,
    };
    let r = w.refused(
        Command::fire(&rtse(), Action::SendToRqs)
            .with_form(form(&request("BQ-1")))
            .with_form(form(&forged)),
    );
    assert_eq!(guard(&r).0, "batch_started");
    // A link to another batch issue than the request names.
    let r = w.refused(
        w.linked(Command::fire(&rtse(), Action::SendToRqs).with_form(form(&request("BQ-9")))),
    );
    assert!(guard(&r).1.contains("BQ-9"), "{r:?}");
    // Something that is not a batch issue at all.
    let err = cs::link_form(&w.e.load(&w.id).unwrap()).unwrap_err();
    assert!(matches!(err, ConsumablesError::NotABatchIssue { .. }));
}

#[test]
fn l646_only_the_regional_quality_section_files_through_the_workflow() {
    let w = world();
    w.sent();
    let r = w.refused(w.linked(Command::fire(&rtse(), Action::FileWithPlatform)));
    assert!(matches!(r, Rejection::Forbidden { .. }));
    w.ok(w.linked(Command::fire(&rqs(), Action::FileWithPlatform)));
    assert_eq!(w.state(), State::PlatformApproval.name());
}

#[test]
fn ours_review_returns_or_rejects_with_a_reason() {
    let w = world();
    w.sent();
    let r = w.refused(Command::fire(&rqs(), Action::ReturnForRevision));
    assert_eq!(guard(&r).0, "reason_given");
    w.ok(Command::fire(&rqs(), Action::ReturnForRevision)
        .with_payload(json!({"reason": "split by branch"})));
    assert_eq!(w.state(), State::ReturnedForRevision.name());
    let mut revised = request("BQ-1");
    revised.lines.truncate(1);
    w.ok(w.linked(Command::fire(&rtse(), Action::SendToRqs).with_form(form(&revised))));
    assert_eq!(
        w.data().lines.len(),
        1,
        "the revised request replaces the first"
    );
    w.ok(Command::fire(&rqs(), Action::Reject)
        .with_payload(json!({"reason": "covered by spare stock"})));
    assert_eq!(w.state(), State::Rejected.name());
}

#[test]
fn ours_platform_chain_signs_in_order_and_a_refusal_goes_back_to_review() {
    let w = world_with(cs::Config {
        approver_chain: vec![Role::PlatformApprover, Role::PlatformDirector],
        ..Default::default()
    });
    w.filed();
    let r = w.refused(Command::sign(&director(), Action::ApprovePlatform));
    assert_eq!(
        r,
        Rejection::SignOutOfOrder {
            action: "approve_platform".into(),
            expected_role: "platform_approver".into()
        }
    );
    w.ok(Command::sign(&approver(), Action::ApprovePlatform));
    w.ok(Command::refuse(
        &director(),
        Action::ApprovePlatform,
        "quantity too high",
    ));
    assert_eq!(w.state(), State::RqsReview.name());
    w.ok(w.linked(Command::fire(&rqs(), Action::FileWithPlatform)));
    w.ok(Command::sign(&approver(), Action::ApprovePlatform));
    w.ok(Command::sign(&director(), Action::ApprovePlatform));
    assert_eq!(w.state(), State::AwaitingIssue.name());
}

#[test]
fn ours_the_filer_may_not_approve_on_the_platform() {
    let w = world();
    w.filed();
    let both = Actor::new(
        "rqs-chen",
        [Role::RegionalQualitySection, Role::PlatformApprover],
    );
    let r = w.refused(Command::sign(&both, Action::ApprovePlatform));
    assert!(matches!(r, Rejection::SeparationOfDuties { .. }), "{r:?}");
}

#[test]
fn ours_an_empty_approver_chain_is_a_build_error() {
    let err = cs::definition(
        &cs::Config {
            approver_chain: vec![],
            ..Default::default()
        },
        Arc::new(BusinessCalendar::default()),
    )
    .unwrap_err();
    assert!(
        err.problems()
            .iter()
            .any(|p| matches!(p, Problem::EmptySignOff { .. })),
        "{err}"
    );
}

#[test]
fn l676_issue_needs_the_transfer_form_to_the_right_branch_within_the_request() {
    let w = world();
    w.approved();
    let r = w.refused(Command::fire(&store(), Action::IssueFromStore));
    assert!(matches!(r, Rejection::MissingForm { ref form, .. } if form == "material_transfer"));
    let r = w.refused(
        Command::fire(&store(), Action::IssueFromStore)
            .with_form(form(&transfer("Hankou", 10, 20))),
    );
    assert!(effect_reason(&r).contains("Hankou"));
    let r = w.refused(
        Command::fire(&store(), Action::IssueFromStore).with_form(form(&transfer("Wuhan", 11, 20))),
    );
    assert!(effect_reason(&r).contains("11 shipped, 10 requested"));
    let r = w.refused(
        Command::fire(&branch(), Action::IssueFromStore)
            .with_form(form(&transfer("Wuhan", 10, 20))),
    );
    assert!(matches!(r, Rejection::Forbidden { .. }));
    w.ok(
        Command::fire(&store(), Action::IssueFromStore).with_form(form(&transfer("Wuhan", 10, 20)))
    );
    assert_eq!(
        w.line("PSU-B").unit_cost_fen,
        11_500,
        "the actual cost replaces the estimate"
    );
}

#[test]
fn ours_received_plus_short_equals_shipped() {
    let w = world();
    w.shipped();
    let r = w.refused(
        Command::fire(&branch(), Action::ReceiveAndCount).with_form(form(&receipt(8, 1, 20, 0))),
    );
    assert!(effect_reason(&r).contains("must equal shipped 10"));
    let mut silent = receipt(9, 1, 20, 0);
    silent.note.clear();
    let r = w.refused(Command::fire(&branch(), Action::ReceiveAndCount).with_form(form(&silent)));
    assert!(matches!(r, Rejection::InvalidForm { ref reason, .. } if reason.contains("note")));
    let mut missing = receipt(9, 1, 20, 0);
    missing.lines.pop();
    let r = w.refused(Command::fire(&branch(), Action::ReceiveAndCount).with_form(form(&missing)));
    assert!(effect_reason(&r).contains("not counted"));
    w.ok(Command::fire(&branch(), Action::ReceiveAndCount).with_form(form(&receipt(9, 1, 20, 0))));
    let psu = w.line("PSU-B");
    assert_eq!((psu.received, psu.short, psu.shipped), (9, 1, 10));
}

#[test]
fn ours_settling_keeps_quantities_within_what_was_received_and_closes_only_balanced() {
    let w = world();
    w.received();
    let r = w.refused(
        Command::fire(&branch(), Action::ReportConsumption)
            .with_form(form(&ConsumptionReport(qty(&[("PSU-B", 10)], "")))),
    );
    assert!(effect_reason(&r).contains("exceeds the 9 received"));
    w.ok(
        Command::fire(&branch(), Action::ReportConsumption).with_form(form(&ConsumptionReport(
            qty(&[("PSU-B", 7), ("CABLE", 14)], ""),
        ))),
    );
    assert_eq!(w.state(), State::Settling.name());
    let r = w.refused(Command::fire(&rqs(), Action::Close));
    assert_eq!(guard(&r).0, "settled");
    w.ok(Command::fire(&branch(), Action::ReturnUnused)
        .with_form(form(&ReturnRecord(qty(&[("PSU-B", 1), ("CABLE", 6)], "")))));
    let r = w.refused(
        Command::fire(&rqs(), Action::WriteOff)
            .with_form(form(&WriteOffRecord(qty(&[("PSU-B", 1)], "")))),
    );
    assert!(
        matches!(r, Rejection::InvalidForm { .. }),
        "a write-off needs a reason"
    );
    let r = w.refused(
        Command::fire(&rqs(), Action::WriteOff)
            .with_form(form(&WriteOffRecord(qty(&[("PSU-B", 2)], "dropped")))),
    );
    assert!(effect_reason(&r).contains("exceeds the 1"));
    w.ok(
        Command::fire(&rqs(), Action::WriteOff).with_form(form(&WriteOffRecord(qty(
            &[("PSU-B", 1)],
            "dropped on site",
        )))),
    );
    w.ok(Command::fire(&rqs(), Action::Close));
    assert_eq!(w.state(), State::Closed.name());
    let psu = w.line("PSU-B");
    assert_eq!(psu.consumed + psu.returned + psu.written_off, psu.received);
    w.e.verify(&w.id).unwrap();
}

#[test]
fn l670_cost_rolls_into_the_batch_issue_and_the_supplier_claim() {
    let w = world();
    w.received();
    w.ok(
        Command::fire(&branch(), Action::ReportConsumption).with_form(form(&ConsumptionReport(
            qty(&[("PSU-B", 8), ("CABLE", 20)], ""),
        ))),
    );
    w.ok(Command::fire(&branch(), Action::ReturnUnused)
        .with_form(form(&ReturnRecord(qty(&[("PSU-B", 1)], "")))));
    // Not closed yet: nothing rolls up.
    let inst = w.e.load(&w.id).unwrap();
    assert_eq!(
        cs::roll_up([&*inst], &w.batch, None)
            .unwrap()
            .total()
            .unwrap(),
        0
    );
    w.ok(Command::fire(&rqs(), Action::Close));
    let inst = w.e.load(&w.id).unwrap();
    let own = cs::cost(&inst, None).unwrap();
    // (8 consumed + 0 written off) × 115.00 + 20 × 3.00; the returned PSU is not a loss.
    assert_eq!(own.total().unwrap(), 8 * 11_500 + 20 * 300);
    assert!(
        own.lines()
            .iter()
            .all(|l| l.kind == CostKind::Consumables && l.account == Account::CostOfSales)
    );
    let claim = cs::roll_up([&*inst], &w.batch, Some("PSU Co.")).unwrap();
    assert_eq!(claim.total().unwrap(), 8 * 11_500 + 20 * 300);
    assert!(
        claim
            .lines()
            .iter()
            .all(|l| l.bearer == Bearer::Supplier && l.account == Account::SupplierClaim)
    );
    assert_eq!(
        cs::roll_up([&*inst], &"BQ-other".into(), None)
            .unwrap()
            .total()
            .unwrap(),
        0
    );
}

#[test]
fn ours_limits_are_off_unless_configured_and_a_miss_notifies() {
    let w = world();
    w.approved();
    assert!(
        w.e.load(&w.id).unwrap().deadlines().is_empty(),
        "no default limits"
    );
    let w = world_with(cs::Config {
        issue_within: Some(BusinessDuration::WorkingHours(8)),
        ..Default::default()
    });
    w.approved();
    let report = w.e.handle_due(t0() + TimeDelta::days(2)).unwrap();
    let events = &report.handled.iter().find(|(id, _)| id == &w.id).unwrap().1;
    assert!(events.iter().any(
        |e| matches!(&e.kind, EventKind::Escalated { notify, moved: None, .. }
        if notify == &vec!["material_store".to_string(), "regional_quality_section".to_string()])
    ));
    assert_eq!(
        w.state(),
        State::AwaitingIssue.name(),
        "recorded and notified, not moved"
    );
}

#[test]
fn golden_diagram_and_doc() {
    let def = cs::definition(
        &cs::Config::default(),
        Arc::new(BusinessCalendar::default()),
    )
    .unwrap();
    let text = Mermaid(def.definition()).to_string();
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/golden/consumables.mmd");
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(path, &text).unwrap();
    }
    let golden = std::fs::read_to_string(path).unwrap_or_default();
    assert_eq!(text, golden, "regenerate with UPDATE_GOLDEN=1");
    let doc = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/docs/procedures/consumables.md"
    ))
    .unwrap();
    assert!(doc.contains(&golden), "the doc embeds the golden diagram");
}

proptest! {
    /// The cost of a request equals the sum of its lines, whatever the quantities.
    #[test]
    fn cost_roll_up_equals_the_sum_of_its_lines(
        lines in proptest::collection::vec((0u32..1000, 0u32..1000, 0i64..1_000_000), 1..8)
    ) {
        let data = cs::Data {
            request: None,
            lines: lines.iter().enumerate().map(|(i, (c, w, p))| cs::LineStatus {
                item_code: format!("I{i}"),
                consumed: *c,
                written_off: *w,
                received: c + w,
                unit_cost_fen: *p,
                ..Default::default()
            }).collect(),
        };
        let def = cs::definition(&cs::Config::default(), Arc::new(BusinessCalendar::default())).unwrap();
        let inst = aftersales::start(def.definition(), "P".into(), &rtse(), serde_json::to_value(&data).unwrap(), t0()).unwrap().instance;
        let ledger = cs::cost(&inst, None).unwrap();
        let expected: i64 = lines.iter().map(|(c, w, p)| i64::from(c + w) * p).sum();
        prop_assert_eq!(ledger.total().unwrap(), expected);
        let by_item: i64 = ledger.totals_by(|l| l.product.clone()).unwrap().values().sum();
        prop_assert_eq!(by_item, expected);
    }
}
