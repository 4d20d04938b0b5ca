//! The outgoing report (对外报告, QD-004 §3.6 (004 L628)): the form the CQE attaches to
//! `forward_to_adc` and the ADC to `forward_evidence`, and the pure functions that derive it
//! from the 8D or the improvement evidence under the [`ConfidentialityPolicy`].
//!
//! The filter itself — deny by default, categorised [`Statement`]s, free text withheld unless a
//! quality manager released that very text ([`TextRelease`], action `release_text`) — is the
//! shared [`crate::procedures::confidentiality`] module; this module renders the complaint's
//! reports section by section through it. The free texts of the 8D are the D0 symptom, D1
//! team, D2 5W1H and "how", action owners, D7's reason and D8 recognition.
//!
//! Every withheld text is replaced by [`WITHHELD_PLACEHOLDER`] and listed in
//! [`Redaction::withheld`] with its field path and the reason. A statement without a category
//! and without a release also blocks sending ([`Redaction::unclassified`]).

use super::eight_d::{ActionItem, EightDReport, Responsibility};
use crate::procedures::complaint::FormKind;
use crate::procedures::confidentiality::{ConfidentialityPolicy, Redactor, Statement};
pub use crate::procedures::confidentiality::{
    FREE_TEXT_RULE, OutgoingSection, Release, Releases, TextRelease, UNCLASSIFIED_RULE,
    WITHHELD_PLACEHOLDER, WithheldItem,
};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::fmt;

/// Which outgoing report is rendered.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReportKind {
    /// The 8D report, D0–D8 (sent when serious or asked for).
    EightD,
    /// The reply with the handling measures (处理措施, `QD-004 §5.3.4 (004 L654)`): D3, D4, D5, D7.
    MeasuresReply,
    /// Improvement evidence (改善证据, `QD-004 §8 (004 L623)`).
    ImprovementEvidence,
    /// The complaint reply letter of a case that is not the company's fault (《客户抱怨回复书》,
    /// RET-PC §6.2 (004 L22); CC-PROC §5.2.1 (004 L478)).
    ReplyLetter,
}

impl fmt::Display for ReportKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ReportKind::EightD => "8D report",
            ReportKind::MeasuresReply => "measures reply",
            ReportKind::ImprovementEvidence => "improvement evidence",
            ReportKind::ReplyLetter => "complaint reply letter (客户抱怨回复书)",
        })
    }
}

/// What goes to the customer: nothing confidential in it. Also the body of the
/// `outgoing_report` form attached when the CQE emails it to the ADC.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct OutgoingReport {
    /// The complaint (handling-form) number.
    pub complaint_no: String,
    /// Which report.
    pub kind: ReportKind,
    /// The sections.
    pub sections: Vec<OutgoingSection>,
}

impl crate::TypedForm for OutgoingReport {
    const KIND: &'static str = FormKind::OutgoingReport.as_str();
    fn validate(&self) -> Result<(), String> {
        if self.complaint_no.trim().is_empty() {
            return Err("the outgoing report has no complaint number".into());
        }
        if self.sections.is_empty() {
            return Err("the outgoing report is empty".into());
        }
        Ok(())
    }
}

impl fmt::Display for OutgoingReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{} — complaint {}", self.kind, self.complaint_no)?;
        for s in &self.sections {
            writeln!(f, "## {}", s.heading)?;
            for l in &s.lines {
                writeln!(f, "- {l}")?;
            }
        }
        Ok(())
    }
}

/// The result of filtering: the outgoing report plus what was withheld and what blocks.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Redaction {
    /// What may be sent.
    pub report: OutgoingReport,
    /// What was withheld: field path, reason and text (internal only).
    pub withheld: Vec<WithheldItem>,
    /// Locations of unclassified statements not released; non-empty ⇒ the report may not be
    /// sent.
    pub unclassified: Vec<String>,
    /// Field paths of uncategorised texts that went out because a reviewer released them.
    pub released: Vec<String>,
}

impl Redaction {
    /// Whether the report may be sent (every statement classified).
    pub fn is_sendable(&self) -> bool {
        self.unclassified.is_empty()
    }
}

/// The complaint's part of the filter: 8D action items on top of the shared [`Redactor`].
struct Filter<'a>(Redactor<'a>);

impl<'a> std::ops::Deref for Filter<'a> {
    type Target = Redactor<'a>;
    fn deref(&self) -> &Redactor<'a> {
        &self.0
    }
}

impl std::ops::DerefMut for Filter<'_> {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.0
    }
}

impl Filter<'_> {
    /// The suffix of an action item: its owner (free text) and due date.
    fn owner_suffix(&mut self, location: &str, path: &str, item: &ActionItem) -> String {
        let owner = self.free(location, format!("{path}.owner"), &item.owner);
        format!(" (owner {owner}, due {})", item.due)
    }

    /// An action item at `path`: its statement and its owner.
    fn action_item(&mut self, location: String, path: &str, item: &ActionItem) {
        let suffix = self.owner_suffix(&location, path, item);
        self.statement(location, format!("{path}.what"), "", &item.what, &suffix);
    }

    fn finish(self, complaint_no: &str, kind: ReportKind) -> Redaction {
        let done = self.0.finish();
        Redaction {
            report: OutgoingReport {
                complaint_no: complaint_no.to_owned(),
                kind,
                sections: done.sections,
            },
            withheld: done.withheld,
            unclassified: done.unclassified,
            released: done.released,
        }
    }
}

/// Filter an 8D report into the outgoing [`ReportKind::EightD`] or
/// [`ReportKind::MeasuresReply`] (any other kind renders as the measures reply), with no text
/// released: every uncategorised free text is withheld. See [`redact_8d_released`].
pub fn redact_8d(
    complaint_no: &str,
    report: &EightDReport,
    kind: ReportKind,
    policy: &ConfidentialityPolicy,
) -> Redaction {
    redact_8d_released(complaint_no, report, kind, policy, &Releases::none())
}

/// Filter an 8D report into the outgoing [`ReportKind::EightD`] or
/// [`ReportKind::MeasuresReply`] (any other kind renders as the measures reply) under `policy`,
/// uncategorised free text going out only where `releases` hold a release of exactly that text
/// (see the [module docs](self)).
pub fn redact_8d_released(
    complaint_no: &str,
    report: &EightDReport,
    kind: ReportKind,
    policy: &ConfidentialityPolicy,
    releases: &Releases,
) -> Redaction {
    let mut f = Filter::new(policy, releases);
    let full = kind == ReportKind::EightD;
    let kind = if full {
        ReportKind::EightD
    } else {
        ReportKind::MeasuresReply
    };
    if full {
        d0_to_d2(&mut f, report);
    }
    d3_to_d5(&mut f, report);
    if full {
        d6(&mut f, report);
    }
    d7(&mut f, report);
    if full {
        f.section("D8 Closure");
        match report.d8.closed_on {
            Some(d) => f.plain(format!("closed on {d}")),
            None => f.plain("open"),
        }
        if !report.d8.recognition.trim().is_empty() {
            f.free_line(
                "D8 recognition",
                "d8.recognition",
                "recognition",
                &report.d8.recognition,
            );
        }
    }
    f.finish(complaint_no, kind)
}

impl<'a> Filter<'a> {
    fn new(policy: &'a ConfidentialityPolicy, releases: &'a Releases) -> Self {
        Filter(Redactor::new(policy, releases))
    }
}

fn d0_to_d2(f: &mut Filter<'_>, report: &EightDReport) {
    let d0 = &report.d0;
    f.section("D0 Symptom and emergency response");
    f.free_line("D0 symptom", "d0.symptom", "symptom", &d0.symptom);
    for (i, a) in d0.emergency_actions.iter().enumerate() {
        let path = format!("d0.emergency_actions[{i}]");
        f.action_item(format!("D0 emergency action #{}", i + 1), &path, a);
    }
    f.section("D1 Team");
    f.free_line("D1 leader", "d1.leader", "leader", &report.d1.leader);
    for (i, m) in report.d1.members.iter().enumerate() {
        let loc = format!("D1 member #{}", i + 1);
        let path = format!("d1.members[{i}]");
        let name = f.free(&loc, format!("{path}.name"), &m.name);
        let department = f.free(&loc, format!("{path}.department"), &m.department);
        let role = f.free(&loc, format!("{path}.role"), &m.role);
        f.plain(format!("{name} ({department}, {role})"));
    }
    f.section("D2 Problem description (5W1H)");
    let p = &report.d2.problem;
    for (k, v) in [
        ("who", &p.who),
        ("what", &p.what),
        ("when", &p.when),
        ("where", &p.r#where),
        ("why", &p.why),
    ] {
        f.free_line(&format!("D2 {k}"), format!("d2.problem.{k}"), k, v);
    }
    f.plain(format!("how many: {}", p.how_many));
    if let Some(how) = &report.d2.how {
        f.free_line("D2 how", "d2.how", "how", how);
    }
}

fn d3_to_d5(f: &mut Filter<'_>, report: &EightDReport) {
    let d3 = &report.d3;
    f.section("D3 Containment");
    f.plain(format!(
        "work in progress checked: {}; unshipped stock checked: {}; similar defect found: {}",
        yes(d3.wip_checked),
        yes(d3.unshipped_checked),
        yes(d3.similar_defect_found)
    ));
    for (i, a) in d3.actions.iter().enumerate() {
        let path = format!("d3.actions[{i}]");
        f.action_item(format!("D3 action #{}", i + 1), &path, a);
    }
    let d4 = &report.d4;
    f.section("D4 Root cause");
    for (i, s) in d4.occurrence.iter().enumerate() {
        let (loc, path) = (
            format!("D4 occurrence #{}", i + 1),
            format!("d4.occurrence[{i}]"),
        );
        f.statement(loc, path, "occurrence: ", s, "");
    }
    for (i, s) in d4.escape.iter().enumerate() {
        let (loc, path) = (format!("D4 escape #{}", i + 1), format!("d4.escape[{i}]"));
        f.statement(loc, path, "escape: ", s, "");
    }
    f.statement(
        "D4 verification".into(),
        "d4.verification".into(),
        "verified by: ",
        &d4.verification,
        "",
    );
    match &d4.responsibility {
        Some(Responsibility::Internal { department }) => {
            let path = "d4.responsibility.department".to_owned();
            let shown = f.free("D4 responsibility", path, department);
            f.plain(format!("responsibility: internal ({shown})"));
        }
        Some(r) => match r.as_statement() {
            Some(st) => f.statement(
                "D4 responsibility".into(),
                "d4.responsibility".into(),
                "responsibility: ",
                &st,
                "",
            ),
            None => f.plain(format!("responsibility: {r}")),
        },
        None => {}
    }
    f.section("D5 Corrective actions");
    for (i, a) in report.d5.actions.iter().enumerate() {
        let (loc, path) = (format!("D5 action #{}", i + 1), format!("d5.actions[{i}]"));
        let owner = f.free(&loc, format!("{path}.owner"), &a.owner);
        let prefix = format!("[{}] ", a.addresses);
        let suffix = format!(" (owner {owner}, due {})", a.due);
        f.statement(loc, format!("{path}.what"), &prefix, &a.what, &suffix);
    }
}

fn d6(f: &mut Filter<'_>, report: &EightDReport) {
    f.section("D6 Implementation and verification");
    for (i, done) in report.d6.implemented.iter().enumerate() {
        let (loc, path) = (
            format!("D6 evidence #{}", i + 1),
            format!("d6.implemented[{i}]"),
        );
        let id = f.free(&loc, format!("{path}.action_id"), &done.action_id);
        let prefix = format!("{id} done {}: ", done.done_on);
        f.statement(loc, format!("{path}.evidence"), &prefix, &done.evidence, "");
    }
    if let Some(v) = &report.d6.verification {
        f.statement(
            "D6 verification".into(),
            "d6.verification.result".into(),
            &format!(
                "verified {} (effective: {}): ",
                v.verified_on,
                yes(v.effective)
            ),
            &v.result,
            "",
        );
    }
}

fn d7(f: &mut Filter<'_>, report: &EightDReport) {
    let d7 = &report.d7;
    f.section("D7 Prevent recurrence");
    for (i, a) in d7.standardisation.iter().enumerate() {
        let path = format!("d7.standardisation[{i}]");
        f.action_item(format!("D7 standardisation #{}", i + 1), &path, a);
    }
    for (i, a) in d7.horizontal_deployment.iter().enumerate() {
        let path = format!("d7.horizontal_deployment[{i}]");
        f.action_item(format!("D7 horizontal deployment #{}", i + 1), &path, a);
    }
    if let Some(r) = &d7.none_needed_reason {
        f.free_line(
            "D7 reason",
            "d7.none_needed_reason",
            "no further action needed",
            r,
        );
    }
}

/// Filter loose statements (improvement evidence) into an outgoing report, with no text
/// released. See [`redact_statements_released`].
pub fn redact_statements(
    complaint_no: &str,
    statements: &[Statement],
    policy: &ConfidentialityPolicy,
) -> Redaction {
    redact_statements_released(complaint_no, statements, policy, &Releases::none())
}

/// Filter loose statements (improvement evidence, paths `evidence[i]`) into an outgoing
/// report under `policy` and `releases`.
pub fn redact_statements_released(
    complaint_no: &str,
    statements: &[Statement],
    policy: &ConfidentialityPolicy,
    releases: &Releases,
) -> Redaction {
    let mut f = Filter::new(policy, releases);
    f.section("Improvement evidence");
    for (i, s) in statements.iter().enumerate() {
        f.statement(
            format!("evidence #{}", i + 1),
            format!("evidence[{i}]"),
            "",
            s,
            "",
        );
    }
    f.finish(complaint_no, ReportKind::ImprovementEvidence)
}

/// Filter the reply letter (《客户抱怨回复书》, RET-PC §6.2 (004 L22)) of a pass verdict into an
/// outgoing [`ReportKind::ReplyLetter`]: the explanation at path `reply.explanation` goes out
/// as its category allows (or as released), the return shipment as it is.
pub fn redact_reply(
    complaint_no: &str,
    reply: &super::CustomerReply,
    policy: &ConfidentialityPolicy,
    releases: &Releases,
) -> Redaction {
    let mut f = Filter::new(policy, releases);
    f.section("Complaint reply (客户抱怨回复书)");
    f.statement(
        "reply explanation".into(),
        "reply.explanation".into(),
        "finding: ",
        &reply.explanation,
        "",
    );
    if let Some(r) = &reply.return_shipment_ref {
        // a waybill number: a structured reference, not confidential information
        f.plain(format!("goods returned with shipment {r}"));
    }
    f.finish(complaint_no, ReportKind::ReplyLetter)
}

fn yes(b: bool) -> &'static str {
    if b { "yes" } else { "no" }
}

#[cfg(test)]
mod tests {
    use crate::Vocabulary;
    use crate::procedures::complaint::Action;
    use crate::procedures::confidentiality::RELEASE_ACTION;

    #[test]
    fn the_complaint_releases_text_under_the_shared_action_name() {
        assert_eq!(Action::ReleaseText.name(), RELEASE_ACTION);
    }
}
