//! Conformance: the confidentiality principle of the outgoing report, QD-004 §3.6 (004 L628):
//! 「在对外出具的报告中(8D报告等),严禁泄露我司保密信息」 — deny by default. Structured fields go
//! out; categorised statements as the policy says; uncategorised free text only where a
//! quality manager released that very text (`release_text`), recorded in the audit trail.
#![cfg(feature = "procedures")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test helpers may panic

use aftersales::procedures::complaint::forms::eight_d::EightDReport;
use aftersales::procedures::complaint::forms::outgoing::{
    FREE_TEXT_RULE, OutgoingReport, Releases, ReportKind, TextRelease,
};
use aftersales::procedures::complaint::{self, Action, Config, State};
use aftersales::testing::fixtures::complaint::Scenario;
use aftersales::{Command, EventKind, Form, Instance, Rejection, TypedForm, Vocabulary};
use serde::de::DeserializeOwned;

mod common;

fn latest<T: TypedForm + DeserializeOwned>(inst: &Instance) -> T {
    let f = inst
        .forms()
        .iter()
        .rev()
        .find(|f| f.form.kind == T::KIND)
        .unwrap_or_else(|| panic!("no {} form", T::KIND));
    serde_json::from_value(f.form.body.clone()).unwrap()
}

fn release(path: &str, text: &str) -> Form {
    Form::typed(TextRelease::KIND, &TextRelease::of(path, text)).unwrap()
}

/// A complaint in implementation whose customer asked for the 8D (the full report goes out).
fn implementation_with_8d_requested() -> Scenario {
    let mut s = Scenario::at(State::Implementation).unwrap();
    let adc = s.cast().adc_domestic.clone();
    s.fire(Command::fire(&adc, Action::RecordCustomer8dRequest))
        .unwrap();
    s
}

fn outgoing(s: &Scenario) -> complaint::Redaction {
    complaint::outgoing_report(&s.instance(), &Config::default())
        .unwrap()
        .unwrap()
}

#[test]
fn d12_s3_6_free_text_is_withheld_from_the_outgoing_8d_unless_released() {
    let mut s = implementation_with_8d_requested();
    let red = outgoing(&s);
    assert_eq!(red.report.kind, ReportKind::EightD);
    let text = red.report.to_string();
    // The fixture's 8D: symptom "flicker", D1 member of 战略设计中心, owners 品质部.
    for secret in ["flicker", "战略设计中心", "品质部"] {
        assert!(!text.contains(secret), "{secret} leaked:\n{text}");
    }
    assert!(red.is_sendable(), "withheld free text does not block");
    let symptom = red
        .withheld
        .iter()
        .find(|w| w.path == "d0.symptom")
        .unwrap();
    assert_eq!(symptom.rule, FREE_TEXT_RULE);
    // The quality manager releases the symptom: it goes out, the rest stays withheld.
    let qm = s.cast().quality_manager.clone();
    s.fire(Command::fire(&qm, Action::ReleaseText).with_form(release("d0.symptom", "flicker")))
        .unwrap();
    let red = outgoing(&s);
    let text = red.report.to_string();
    assert!(text.contains("symptom: flicker"), "{text}");
    assert!(!text.contains("战略设计中心"), "{text}");
    assert_eq!(red.released, ["d0.symptom"]);
    // The reply goes out with the released rendering: the fixture forwards exactly what
    // `outgoing_report` renders, and the guard `outgoing_report_matches` accepts it.
    s.drive_to(State::ReplyDispatch).unwrap();
    let sent: OutgoingReport = latest(&s.instance());
    let sent_text = sent.to_string();
    assert!(sent_text.contains("symptom: flicker"), "{sent_text}");
    for secret in ["战略设计中心", "品质部", "reflow peak"] {
        assert!(!sent_text.contains(secret), "{secret} sent:\n{sent_text}");
    }
}

#[test]
fn d12_s3_6_a_release_names_the_reviewer_and_the_digest_in_the_audit_trail() {
    let mut s = implementation_with_8d_requested();
    let qm = s.cast().quality_manager.clone();
    let out = s
        .fire(Command::fire(&qm, Action::ReleaseText).with_form(release("d0.symptom", "flicker")))
        .unwrap();
    let attached = out
        .events
        .iter()
        .find_map(|e| match &e.kind {
            EventKind::FormAttached { form, action } if form.kind == TextRelease::KIND => {
                Some((e.by.clone().unwrap(), form.body.clone(), *action))
            }
            _ => None,
        })
        .expect("the release is an event");
    assert_eq!(attached.0.actor, qm.id);
    assert_eq!(attached.2, Action::ReleaseText.name());
    let body: TextRelease = serde_json::from_value(attached.1).unwrap();
    assert_eq!(body, TextRelease::of("d0.symptom", "flicker"));
    let releases = Releases::of(&s.instance());
    let r = releases.find("d0.symptom", "flicker").unwrap();
    assert_eq!(r.reviewer.as_ref(), Some(&qm.id));
    s.engine().verify(s.id()).unwrap();
}

#[test]
fn d12_s3_6_only_a_quality_manager_releases_text() {
    let mut s = implementation_with_8d_requested();
    let cqe = s.cast().cqe.clone();
    let r = common::refusal(s.fire(
        Command::fire(&cqe, Action::ReleaseText).with_form(release("d0.symptom", "flicker")),
    ));
    assert!(matches!(r, Rejection::Forbidden { .. }), "{r:?}");
    // Nor may a release be slipped in with another command.
    let r = common::refusal(
        s.fire(Command::comment(&cqe, "released").with_form(release("d0.symptom", "flicker"))),
    );
    assert!(matches!(r, Rejection::FormNotAttachable { .. }), "{r:?}");
    let red = outgoing(&s);
    assert!(red.released.is_empty());
    assert!(!red.report.to_string().contains("flicker"));
}

#[test]
fn d12_s3_6_a_change_to_released_text_invalidates_the_release() {
    let mut s = implementation_with_8d_requested();
    let qm = s.cast().quality_manager.clone();
    let cqe = s.cast().cqe.clone();
    s.fire(Command::fire(&qm, Action::ReleaseText).with_form(release("d0.symptom", "flicker")))
        .unwrap();
    assert!(outgoing(&s).report.to_string().contains("symptom: flicker"));
    // The CQE edits the symptom after the release: the digest no longer matches.
    let mut r: EightDReport = latest(&s.instance());
    r.d0.symptom = "flicker after the reflow profile change on line 3".into();
    s.fire(
        Command::fire(&cqe, Action::UpdateEightD)
            .with_form(Form::typed(EightDReport::KIND, &r).unwrap()),
    )
    .unwrap();
    let red = outgoing(&s);
    let text = red.report.to_string();
    assert!(!text.contains("reflow profile"), "{text}");
    assert!(red.withheld.iter().any(|w| w.path == "d0.symptom"));
    assert!(red.released.is_empty());
}

#[test]
fn d12_s3_6_categorised_statements_follow_the_policy() {
    let s = implementation_with_8d_requested();
    let red = outgoing(&s);
    let text = red.report.to_string();
    // The fixture's D4 occurrence is production process (生产工艺): withheld; its general
    // statements go out.
    assert!(!text.contains("reflow peak too low"), "{text}");
    assert!(text.contains("final test too short"), "{text}");
    let w = red
        .withheld
        .iter()
        .find(|w| w.path == "d4.occurrence[0]")
        .unwrap();
    assert!(w.rule.contains("生产工艺"), "{}", w.rule);
}
