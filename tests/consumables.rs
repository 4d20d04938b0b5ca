//! Conformance tests of the outsourced consumables request (耗材申请单(批量)). Seed lines:
//! `BQ-E §4.5–§4.7 (000 L646)` (§4.5.7: the regional quality section applies for the branches' consumables
//! needed because of a batch problem), `BQ-E §5.3 (000 L666)` (§5.3.2: the engineer sends the form, the
//! section applies through the workflow), `BQ-E §6–§9 (000 L676)` (§7 outputs), `BQ-E §5.5 (000 L670)` (§5.5 losses).
//! Steps marked "ours" follow product decision `PD-CONS` (docs/sources.md). Every test starts from
//! the public fixtures (`aftersales::testing::fixtures::consumables`).
#![cfg(all(feature = "testing", feature = "procedures"))]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use aftersales::procedures::batch_quality as bq;
use aftersales::procedures::consumables::{
    self as cs, Action, BatchLink, ConsumablesError, ConsumptionReport, Deadline, ReturnRecord,
    Role, State, WriteOffRecord,
};
use aftersales::testing::fixtures::consumables::{
    Scenario, form, quantities as qty, receipt, request, transfer,
};
use aftersales::*;
use aftersales::{Account, Bearer, CostKind};
use chrono::{TimeDelta, TimeZone, Utc};
use proptest::prelude::*;
use serde_json::json;
use std::sync::Arc;

#[allow(unreachable_pub)] // the example's `run`, included here to run it as a test
#[path = "../examples/consumables.rs"]
mod example;

mod common;

#[test]
fn the_example_runs_on_default_features_and_rolls_into_the_claim() {
    let text = common::example_output(example::run);
    common::assert_contains_all(
        &text,
        &[
            "batch issue BQ-1 is in `batch_started`",
            "needs the form `batch_link`",
            "rolled into the supplier claim of BQ-1: 1818.00 yuan",
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
            (after.state(), after.data()),
            (before.state(), before.data()),
            "nothing half-applied"
        );
        err.rejection().cloned().expect("a rejection")
    }

    fn by(&self, role: Role, action: Action) -> Command {
        Command::fire(self.cast().actor(role), action)
    }
}

fn line(s: &Scenario, item: &str) -> cs::LineStatus {
    let d = cs::data(&s.instance()).unwrap();
    d.lines.into_iter().find(|l| l.item_code == item).unwrap()
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
fn fixtures_drive_to_every_state() {
    for &state in State::ALL {
        let s = Scenario::at(state).unwrap_or_else(|e| panic!("{state}: {e}"));
        assert_eq!(s.instance().state(), state);
        s.engine().verify(s.id()).unwrap();
    }
    // From a returned request, the scenario sends it again.
    let mut s = Scenario::at(State::ReturnedForRevision).unwrap();
    s.drive_to(State::Closed).unwrap();
    assert_eq!(s.instance().state(), State::Closed);
    assert!(matches!(
        s.drive_to(State::Shipped),
        Err(aftersales::testing::fixtures::FixtureError::Unreachable { .. })
    ));
}

#[test]
fn one_role_vocabulary_with_batch_quality() {
    // The departments both procedures name carry the batch quality procedure's names.
    for role in [
        Role::RegionalTechSupportEngineer,
        Role::RegionalQualitySection,
        Role::Procurement,
        Role::SparePartsMgmt,
        Role::Branch,
    ] {
        let same = role.in_batch_quality().unwrap_or_else(|| panic!("{role}"));
        assert_eq!(same.name(), role.name());
    }
    for role in [
        Role::PlatformApprover,
        Role::PlatformDirector,
        Role::MaterialStore,
    ] {
        assert_eq!(role.in_batch_quality(), None, "{role} is ours alone");
    }
    assert_eq!(
        Role::SparePartsMgmt.in_batch_quality(),
        Some(bq::Role::SparePartsMgmt)
    );
}

#[test]
fn l666_the_engineer_sends_the_form_with_a_started_batch_link() {
    let s = Scenario::at(State::RqsReview).unwrap();
    let d = cs::data(&s.instance()).unwrap();
    assert_eq!(d.request.unwrap().batch_issue, InstanceId::from("BQ-1"));
    assert_eq!(line(&s, "PSU-B").requested, 10);
}

#[test]
fn l666_only_the_engineer_drafts_and_sends() {
    let mut s = Scenario::at(State::Draft).unwrap();
    let r = s
        .engine()
        .start(cs::ID, "CR-2", &s.cast().branch, json!({}), s.now())
        .unwrap_err();
    assert!(matches!(r.rejection(), Some(Rejection::Forbidden { .. })));
    let cmd = s
        .by(Role::RegionalQualitySection, Action::SendToRqs)
        .with_form(form(&request(s.batch())));
    let r = s.refused(s.linked(cmd));
    assert!(matches!(r, Rejection::Forbidden { .. }));
}

#[test]
fn l646_l666_no_request_without_a_started_batch_issue() {
    let mut s = Scenario::at(State::Draft).unwrap();
    let send = s.by(Role::RegionalTechSupportEngineer, Action::SendToRqs);
    // No link at all.
    let r = s.refused(send.clone().with_form(form(&request(s.batch()))));
    assert_eq!(
        r,
        Rejection::MissingForm {
            action: "send_to_rqs".into(),
            form: "batch_link".into()
        }
    );
    // A batch issue still waiting for the quality section's review is not started (BQ-E §5.1.1–§5.1.5 (000 L652)).
    let not_started = InstanceId::from("BQ-2");
    let data = bq::Data::new("Bank", "FZ-D530", "central", "no display");
    let station = Actor::new("st-wuhan-01", [bq::Role::AuthorisedStation]);
    s.engine()
        .start(
            bq::ID,
            not_started.clone(),
            &station,
            serde_json::to_value(&data).unwrap(),
            s.now(),
        )
        .unwrap();
    let err = cs::link_form(&s.engine().load(&not_started).unwrap()).unwrap_err();
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
    let cmd = send
        .clone()
        .with_form(form(&request(s.batch())))
        .with_form(form(&forged));
    let r = s.refused(cmd);
    assert_eq!(guard(&r).0, "batch_started");
    // A link to another batch issue than the request names.
    let r = s.refused(s.linked(send.with_form(form(&request(&"BQ-9".into())))));
    assert!(guard(&r).1.contains("BQ-9"), "{r:?}");
    // Something that is not a batch issue at all.
    let err = cs::link_form(&s.instance()).unwrap_err();
    assert!(matches!(err, ConsumablesError::NotABatchIssue { .. }));
}

#[test]
fn l646_only_the_regional_quality_section_files_through_the_workflow() {
    let mut s = Scenario::at(State::RqsReview).unwrap();
    let by_engineer = s.by(Role::RegionalTechSupportEngineer, Action::FileWithPlatform);
    let r = s.refused(s.linked(by_engineer));
    assert!(matches!(r, Rejection::Forbidden { .. }));
    s.ok(s.command(Action::FileWithPlatform));
    assert_eq!(s.instance().state(), State::PlatformApproval);
}

#[test]
fn ours_review_returns_or_rejects_with_a_reason() {
    let mut s = Scenario::at(State::RqsReview).unwrap();
    let r = s.refused(s.by(Role::RegionalQualitySection, Action::ReturnForRevision));
    // the core's stock rule "a reason is given" (declared with `reason_required`)
    assert!(
        matches!(&r, Rejection::TextRequired { field, .. } if field == "reason"),
        "{r:?}"
    );
    s.ok(s.command(Action::ReturnForRevision));
    assert_eq!(s.instance().state(), State::ReturnedForRevision);
    let mut revised = request(s.batch());
    revised.lines.truncate(1);
    let resend = s.by(Role::RegionalTechSupportEngineer, Action::SendToRqs);
    s.ok(s.linked(resend.with_form(form(&revised))));
    let lines = cs::data(&s.instance()).unwrap().lines;
    assert_eq!(lines.len(), 1, "the revised request replaces the first");
    s.ok(s.command(Action::Reject));
    assert_eq!(s.instance().state(), State::Rejected);
}

#[test]
fn ours_platform_chain_signs_in_order_and_a_refusal_goes_back_to_review() {
    let mut s = Scenario::new(&cs::Config {
        approver_chain: vec![Role::PlatformApprover, Role::PlatformDirector],
        ..Default::default()
    })
    .unwrap();
    s.drive_to(State::PlatformApproval).unwrap();
    let (approver, director) = (
        s.cast().platform_approver.clone(),
        s.cast().platform_director.clone(),
    );
    let r = s.refused(Command::sign(&director, Action::ApprovePlatform));
    assert_eq!(
        r,
        Rejection::SignOutOfOrder {
            action: "approve_platform".into(),
            expected_role: "platform_approver".into()
        }
    );
    s.ok(Command::sign(&approver, Action::ApprovePlatform));
    let refusal = Command::refuse(&director, Action::ApprovePlatform, "quantity too high");
    s.ok(refusal);
    assert_eq!(s.instance().state(), State::RqsReview);
    s.drive_to(State::AwaitingIssue).unwrap();
    assert_eq!(s.instance().state(), State::AwaitingIssue);
}

#[test]
fn ours_the_filer_may_not_approve_on_the_platform() {
    let mut s = Scenario::at(State::PlatformApproval).unwrap();
    let both = Actor::new(
        "rqs-chen",
        [Role::RegionalQualitySection, Role::PlatformApprover],
    );
    let r = s.refused(Command::sign(&both, Action::ApprovePlatform));
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
    let mut s = Scenario::at(State::AwaitingIssue).unwrap();
    let issue = s.by(Role::MaterialStore, Action::IssueFromStore);
    let r = s.refused(issue.clone());
    assert!(matches!(r, Rejection::MissingForm { ref form, .. } if form == "material_transfer"));
    let r = s.refused(issue.clone().with_form(form(&transfer("Hankou", 10, 20))));
    assert!(effect_reason(&r).contains("Hankou"));
    let r = s.refused(issue.with_form(form(&transfer("Wuhan", 11, 20))));
    assert!(effect_reason(&r).contains("11 shipped, 10 requested"));
    let by_branch = s.by(Role::Branch, Action::IssueFromStore);
    let r = s.refused(by_branch.with_form(form(&transfer("Wuhan", 10, 20))));
    assert!(matches!(r, Rejection::Forbidden { .. }));
    s.ok(s.command(Action::IssueFromStore));
    assert_eq!(
        line(&s, "PSU-B").unit_cost_fen,
        11_500,
        "the actual cost replaces the estimate"
    );
}

#[test]
fn ours_received_plus_short_equals_shipped() {
    let mut s = Scenario::at(State::Shipped).unwrap();
    let count = s.by(Role::Branch, Action::ReceiveAndCount);
    let r = s.refused(count.clone().with_form(form(&receipt(8, 1, 20, 0))));
    assert!(effect_reason(&r).contains("must equal shipped 10"));
    let mut silent = receipt(9, 1, 20, 0);
    silent.note.clear();
    let r = s.refused(count.clone().with_form(form(&silent)));
    assert!(matches!(r, Rejection::InvalidForm { ref reason, .. } if reason.contains("note")));
    let mut missing = receipt(9, 1, 20, 0);
    missing.lines.pop();
    let r = s.refused(count.clone().with_form(form(&missing)));
    assert!(effect_reason(&r).contains("not counted"));
    s.ok(count.with_form(form(&receipt(9, 1, 20, 0))));
    let psu = line(&s, "PSU-B");
    assert_eq!((psu.received, psu.short, psu.shipped), (9, 1, 10));
}

/// From `shipped`: one PSU short on delivery (9 received), as the settling tests need.
fn received_one_short() -> Scenario {
    let mut s = Scenario::at(State::Shipped).unwrap();
    let count = s.by(Role::Branch, Action::ReceiveAndCount);
    s.ok(count.with_form(form(&receipt(9, 1, 20, 0))));
    s
}

#[test]
fn ours_settling_keeps_quantities_within_what_was_received_and_closes_only_balanced() {
    let mut s = received_one_short();
    let report = s.by(Role::Branch, Action::ReportConsumption);
    let too_many = ConsumptionReport(qty(&[("PSU-B", 10)], ""));
    let r = s.refused(report.clone().with_form(form(&too_many)));
    assert!(effect_reason(&r).contains("exceeds the 9 received"));
    let used = ConsumptionReport(qty(&[("PSU-B", 7), ("CABLE", 14)], ""));
    s.ok(report.with_form(form(&used)));
    assert_eq!(s.instance().state(), State::Settling);
    let r = s.refused(s.by(Role::RegionalQualitySection, Action::Close));
    assert_eq!(guard(&r).0, "settled");
    let back = ReturnRecord(qty(&[("PSU-B", 1), ("CABLE", 6)], ""));
    s.ok(s
        .by(Role::Branch, Action::ReturnUnused)
        .with_form(form(&back)));
    let write_off = s.by(Role::RegionalQualitySection, Action::WriteOff);
    let no_reason = WriteOffRecord(qty(&[("PSU-B", 1)], ""));
    let r = s.refused(write_off.clone().with_form(form(&no_reason)));
    assert!(
        matches!(r, Rejection::InvalidForm { .. }),
        "a write-off needs a reason"
    );
    let too_much = WriteOffRecord(qty(&[("PSU-B", 2)], "dropped"));
    let r = s.refused(write_off.with_form(form(&too_much)));
    assert!(effect_reason(&r).contains("exceeds the 1"));
    s.ok(s.command(Action::WriteOff));
    s.ok(s.command(Action::Close));
    assert_eq!(s.instance().state(), State::Closed);
    let psu = line(&s, "PSU-B");
    assert_eq!(psu.consumed + psu.returned + psu.written_off, psu.received);
    s.engine().verify(s.id()).unwrap();
}

#[test]
fn l670_cost_rolls_into_the_batch_issue_and_the_supplier_claim() {
    let mut s = received_one_short();
    let used = ConsumptionReport(qty(&[("PSU-B", 8), ("CABLE", 20)], ""));
    s.ok(s
        .by(Role::Branch, Action::ReportConsumption)
        .with_form(form(&used)));
    let back = ReturnRecord(qty(&[("PSU-B", 1)], ""));
    s.ok(s
        .by(Role::Branch, Action::ReturnUnused)
        .with_form(form(&back)));
    // Not closed yet: nothing rolls up.
    let total = |inst: &Instance, batch: &InstanceId, supplier| {
        cs::roll_up([inst], batch, supplier)
            .unwrap()
            .total()
            .unwrap()
    };
    assert_eq!(total(&s.instance(), s.batch(), None), 0);
    s.ok(s.command(Action::Close));
    let inst = s.instance();
    let own = cs::cost(&inst, None).unwrap();
    // (8 consumed + 0 written off) × 115.00 + 20 × 3.00; the returned PSU is not a loss.
    assert_eq!(own.total().unwrap(), 8 * 11_500 + 20 * 300);
    assert!(
        own.lines()
            .iter()
            .all(|l| l.kind == CostKind::Consumables && l.account == Account::CostOfSales)
    );
    let claim = cs::roll_up([&*inst], s.batch(), Some("PSU Co.")).unwrap();
    assert_eq!(claim.total().unwrap(), 8 * 11_500 + 20 * 300);
    assert!(
        claim
            .lines()
            .iter()
            .all(|l| l.bearer == Bearer::Supplier && l.account == Account::SupplierClaim)
    );
    assert_eq!(total(&inst, &"BQ-other".into(), None), 0);
}

#[test]
fn ours_limits_are_off_unless_configured_and_a_miss_notifies() {
    let s = Scenario::at(State::AwaitingIssue).unwrap();
    assert!(s.instance().deadlines().is_empty(), "no default limits");
    let mut s = Scenario::new(&cs::Config {
        issue_within: Some(BusinessDuration::WorkingHours(8)),
        ..Default::default()
    })
    .unwrap();
    s.drive_to(State::AwaitingIssue).unwrap();
    assert!(s.instance().running_clock(Deadline::Issue).is_some());
    assert!(s.instance().clock(Deadline::Delivery).is_none());
    s.advance(TimeDelta::days(2));
    let report = s.engine().handle_due(s.now()).unwrap();
    let events = &report
        .handled
        .iter()
        .find(|(id, _)| id == s.id())
        .unwrap()
        .1;
    assert!(events.iter().any(
        |e| matches!(&e.kind, EventKind::Escalated { notify, moved: None, .. }
        if notify == &vec!["material_store".to_string(), "regional_quality_section".to_string()])
    ));
    assert_eq!(
        s.instance().state(),
        State::AwaitingIssue,
        "recorded and notified, not moved"
    );
    assert!(s.instance().clock(Deadline::Issue).is_some());
}

#[test]
fn golden_diagram_and_doc() {
    let config = cs::Config::default();
    let def = cs::definition(&config, Arc::new(BusinessCalendar::default())).unwrap();
    let text = Mermaid(def.definition()).to_string();
    let golden = common::golden("tests/golden/consumables.mmd", &text);
    let table = InStateActions(def.definition()).to_string();
    common::page_diagram("docs/procedures/consumables.md", &golden, &table);
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
        let rtse = Actor::new("rtse-li", [Role::RegionalTechSupportEngineer]);
        let t0 = Utc.with_ymd_and_hms(2026, 11, 16, 1, 0, 0).unwrap();
        let inst = aftersales::start(def.definition(), "P".into(), &rtse, data.to_value().unwrap(), t0).unwrap().instance;
        let ledger = cs::cost(&inst, None).unwrap();
        let expected: i64 = lines.iter().map(|(c, w, p)| i64::from(c + w) * p).sum();
        prop_assert_eq!(ledger.total().unwrap(), expected);
        let by_item: i64 = ledger.totals_by(|l| l.product.clone()).unwrap().values().sum();
        prop_assert_eq!(by_item, expected);
    }
}
