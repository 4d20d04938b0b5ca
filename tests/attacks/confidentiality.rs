//! Finding 6 of issue 15: the outgoing 8D report filtered structured fields, but free text went
//! out unfiltered and the report still counted as sendable — production-process text written
//! in D2 "how" reached the customer (also D0 symptom, D1 team, D8 recognition). QD-004 §3.6
//! (QD-004 §3.6 (004 L628)) forbids disclosing process, supplier and internal information.

use aftersales::ActorId;
use aftersales::procedures::complaint::config::confidentiality::{
    Commodity, ConfidentialityPolicy, InfoCategory, Statement, SupplierRef,
};
use aftersales::procedures::complaint::forms::eight_d::{
    ActionItem, EightDReport, Responsibility, TeamMember,
};
use aftersales::procedures::complaint::forms::outgoing::{
    FREE_TEXT_RULE, Redaction, Release, Releases, ReportKind, TextRelease, UNCLASSIFIED_RULE,
    redact_8d, redact_8d_released,
};
use chrono::NaiveDate;

const HOW: &str = "reflow oven zone 4 set to 235 °C, 90 s dwell, nitrogen purge";
const SYMPTOM: &str = "lamps flicker after SMT line 3 rework";
const LEADER: &str = "Zhang Wei (SMT process engineer)";
const RECOGNITION: &str = "thanks to the line 3 process team for the oven profile change";

fn due() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 12, 1).unwrap()
}

/// An 8D whose free text is full of internal information.
fn leaky() -> EightDReport {
    let mut r = EightDReport::default();
    r.d0.symptom = SYMPTOM.into();
    r.d0.emergency_actions = vec![ActionItem::new(
        Statement::general("sorting of stock"),
        "SMT line 3 supervisor",
        due(),
    )];
    r.d1.leader = LEADER.into();
    r.d1.members = vec![TeamMember {
        name: "Li Na".into(),
        department: "process engineering".into(),
        role: "oven profile owner".into(),
    }];
    r.d2.problem.who = "customer Acme".into();
    r.d2.problem.what = "flicker".into();
    r.d2.problem.when = "2026-11".into();
    r.d2.problem.r#where = "Acme assembly".into();
    r.d2.problem.why = "visible defect".into();
    r.d2.problem.how_many = 12;
    r.d2.how = Some(HOW.into());
    r.d4.verification = Statement::general("reproduced on 3 samples");
    r.d4.responsibility = Some(Responsibility::Internal {
        department: "SMT workshop".into(),
    });
    r.d7.none_needed_reason = Some("the oven recipe R-17 is locked".into());
    r.d8.recognition = RECOGNITION.into();
    r
}

fn policy() -> ConfidentialityPolicy {
    ConfidentialityPolicy::default()
}

fn text(red: &Redaction) -> String {
    format!(
        "{}{}",
        red.report,
        serde_json::to_string(&red.report).unwrap()
    )
}

fn release(path: &str, text: &str) -> Release {
    Release {
        release: TextRelease::of(path, text),
        reviewer: Some(ActorId::from("qm-1")),
        seq: 1,
    }
}

/// The leaky report redacted as `kind` under the policy, and its text.
fn leaky_redacted(kind: ReportKind) -> (Redaction, String) {
    let red = redact_8d("KS-1", &leaky(), kind, &policy());
    let out = text(&red);
    (red, out)
}

fn withheld_paths(red: &Redaction) -> Vec<&str> {
    red.withheld.iter().map(|w| w.path.as_str()).collect()
}

#[test]
fn production_process_in_d2_how_is_withheld() {
    let (red, out) = leaky_redacted(ReportKind::EightD);
    assert!(!out.contains("235 °C"), "{out}");
    assert!(!out.contains("reflow oven"), "{out}");
    let how = red.withheld.iter().find(|w| w.path == "d2.how").unwrap();
    assert_eq!(how.rule, FREE_TEXT_RULE);
    assert_eq!(how.text, HOW, "the internal record keeps the text");
}

#[test]
fn d0_d1_d8_free_text_is_withheld_and_listed_by_path() {
    let (red, out) = leaky_redacted(ReportKind::EightD);
    for secret in [
        SYMPTOM,
        "SMT line 3 supervisor",
        "Zhang Wei",
        "Li Na",
        "process engineering",
        "oven profile owner",
        "customer Acme",
        "SMT workshop",
        "R-17",
        RECOGNITION,
    ] {
        assert!(!out.contains(secret), "{secret} leaked:\n{out}");
    }
    let paths = withheld_paths(&red);
    for path in [
        "d0.symptom",
        "d0.emergency_actions[0].owner",
        "d1.leader",
        "d1.members[0].name",
        "d1.members[0].department",
        "d1.members[0].role",
        "d2.problem.who",
        "d2.problem.what",
        "d2.problem.when",
        "d2.problem.where",
        "d2.problem.why",
        "d2.how",
        "d4.responsibility.department",
        "d7.none_needed_reason",
        "d8.recognition",
    ] {
        assert!(paths.contains(&path), "{path} not listed in {paths:?}");
    }
    // Structured fields still go out, and nothing confidential is left: sendable.
    assert!(out.contains("how many: 12"), "{out}");
    assert!(out.contains("sorting of stock"), "{out}");
    assert!(red.is_sendable());
}

#[test]
fn released_text_goes_out_and_only_that_text() {
    let releases = Releases::from_releases([release("d8.recognition", RECOGNITION)]);
    let red = redact_8d_released("KS-1", &leaky(), ReportKind::EightD, &policy(), &releases);
    let out = text(&red);
    assert!(out.contains(RECOGNITION), "{out}");
    assert_eq!(red.released, ["d8.recognition"]);
    assert!(!out.contains("235 °C"));
    assert!(!withheld_paths(&red).contains(&"d8.recognition"));
    // A release names its field: the same text elsewhere is not released.
    let elsewhere = Releases::from_releases([release("d0.symptom", RECOGNITION)]);
    let red = redact_8d_released("KS-1", &leaky(), ReportKind::EightD, &policy(), &elsewhere);
    assert!(!text(&red).contains(RECOGNITION));
}

#[test]
fn a_released_text_changed_after_release_is_withheld_again() {
    let releases = Releases::from_releases([release("d2.how", HOW)]);
    let red = redact_8d_released("KS-1", &leaky(), ReportKind::EightD, &policy(), &releases);
    assert!(text(&red).contains(HOW));
    let mut changed = leaky();
    changed.d2.how = Some(format!("{HOW}; supplier SealCo connectors"));
    let red = redact_8d_released("KS-1", &changed, ReportKind::EightD, &policy(), &releases);
    let out = text(&red);
    assert!(!out.contains("SealCo"), "{out}");
    assert!(!out.contains("235 °C"), "{out}");
    assert!(withheld_paths(&red).contains(&"d2.how"));
    assert!(red.released.is_empty());
}

#[test]
fn categorised_statements_follow_the_policy_and_a_release_does_not_override_it() {
    let mut r = leaky();
    r.d4.occurrence = vec![
        Statement::new("oven zone 4 too cold", InfoCategory::ProductionProcess),
        Statement::new(
            "driver from PowerCo",
            InfoCategory::RawMaterialSupplier(SupplierRef::new("PowerCo", Commodity::PowerSupply)),
        ),
        Statement::general("solder joints cracked"),
    ];
    // Someone "releases" the process statement: the category decides, not the release.
    let releases = Releases::from_releases([release("d4.occurrence[0]", "oven zone 4 too cold")]);
    let red = redact_8d_released("KS-1", &r, ReportKind::EightD, &policy(), &releases);
    let out = text(&red);
    assert!(!out.contains("oven zone 4"), "{out}");
    assert!(out.contains("driver from PowerCo"), "{out}");
    assert!(out.contains("solder joints cracked"), "{out}");
    let w = red
        .withheld
        .iter()
        .find(|w| w.path == "d4.occurrence[0]")
        .unwrap();
    assert!(w.rule.contains("生产工艺"), "{}", w.rule);
}

#[test]
fn an_uncategorised_statement_is_withheld_and_blocks_until_released() {
    let mut r = leaky();
    r.d4.occurrence = vec![Statement::unclassified("AOI skipped on line 3")];
    let red = redact_8d("KS-1", &r, ReportKind::EightD, &policy());
    assert!(!text(&red).contains("AOI skipped"));
    assert!(!red.is_sendable());
    let w = red
        .withheld
        .iter()
        .find(|w| w.path == "d4.occurrence[0]")
        .unwrap();
    assert_eq!(w.rule, UNCLASSIFIED_RULE);
    let releases = Releases::from_releases([release("d4.occurrence[0]", "AOI skipped on line 3")]);
    let red = redact_8d_released("KS-1", &r, ReportKind::EightD, &policy(), &releases);
    assert!(text(&red).contains("AOI skipped on line 3"));
    assert!(red.is_sendable());
}

#[test]
fn the_measures_reply_withholds_owners_too() {
    let (_, out) = leaky_redacted(ReportKind::MeasuresReply);
    assert!(!out.contains("D0"), "the measures reply has no D0");
    assert!(!out.contains("SMT workshop"), "{out}");
    assert!(!out.contains("R-17"), "{out}");
}
