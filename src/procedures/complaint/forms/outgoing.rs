//! The outgoing report (对外报告, §3.6, `004 L628`): the form the CQE attaches to
//! `forward_to_adc` and the ADC to `forward_evidence`, and the pure functions that derive it
//! from the 8D or the improvement evidence under the [`ConfidentialityPolicy`].

use super::eight_d::EightDReport;
use crate::procedures::complaint::FormKind;
use crate::procedures::complaint::config::confidentiality::*;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::fmt;

/// Which outgoing report is rendered.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReportKind {
    /// The 8D report, D0–D8 (sent when serious or asked for).
    EightD,
    /// The reply with the handling measures (处理措施, `004 L654`): D3, D4, D5, D7.
    MeasuresReply,
    /// Improvement evidence (改善证据, `004 L623`).
    ImprovementEvidence,
}

impl fmt::Display for ReportKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ReportKind::EightD => "8D report",
            ReportKind::MeasuresReply => "measures reply",
            ReportKind::ImprovementEvidence => "improvement evidence",
        })
    }
}

/// One section of an outgoing report.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct OutgoingSection {
    /// The heading (`D4 Root cause`).
    pub heading: String,
    /// The lines, withheld ones replaced by [`WITHHELD_PLACEHOLDER`].
    pub lines: Vec<String>,
}

/// The text that replaces a withheld statement in the outgoing report.
pub const WITHHELD_PLACEHOLDER: &str = "[confidential information withheld / 保密信息不予提供]";

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

/// One statement withheld from an outgoing report (internal record).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct WithheldItem {
    /// Where it was (`D4 occurrence #1`).
    pub location: String,
    /// The rule that withheld it.
    pub rule: String,
    /// The withheld text (internal only).
    pub text: String,
}

/// The result of filtering: the outgoing report plus what was withheld and what blocks.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Redaction {
    /// What may be sent.
    pub report: OutgoingReport,
    /// What was withheld, and why.
    pub withheld: Vec<WithheldItem>,
    /// Locations of unclassified statements; non-empty ⇒ the report may not be sent.
    pub unclassified: Vec<String>,
}

impl Redaction {
    /// Whether the report may be sent (every statement classified).
    pub fn is_sendable(&self) -> bool {
        self.unclassified.is_empty()
    }
}

struct Filter<'a> {
    policy: &'a ConfidentialityPolicy,
    sections: Vec<OutgoingSection>,
    withheld: Vec<WithheldItem>,
    unclassified: Vec<String>,
}

impl Filter<'_> {
    fn section(&mut self, heading: &str) {
        self.sections.push(OutgoingSection {
            heading: heading.to_owned(),
            lines: Vec::new(),
        });
    }

    fn plain(&mut self, line: String) {
        if let Some(s) = self.sections.last_mut() {
            s.lines.push(line);
        }
    }

    /// A statement rendered as `prefix` + text (+ `suffix`), or withheld.
    fn statement(&mut self, location: String, prefix: &str, st: &Statement, suffix: &str) {
        match self.policy.decide(st.info.as_ref()) {
            Disclosure::Disclose => self.plain(format!("{prefix}{}{suffix}", st.text)),
            Disclosure::Withhold(rule) => {
                self.plain(format!("{prefix}{WITHHELD_PLACEHOLDER}{suffix}"));
                self.withheld.push(WithheldItem {
                    location,
                    rule,
                    text: st.text.clone(),
                });
            }
            Disclosure::Unclassified => {
                self.plain(format!("{prefix}{WITHHELD_PLACEHOLDER}{suffix}"));
                self.unclassified.push(location);
            }
        }
    }

    fn finish(self, complaint_no: &str, kind: ReportKind) -> Redaction {
        Redaction {
            report: OutgoingReport {
                complaint_no: complaint_no.to_owned(),
                kind,
                sections: self.sections,
            },
            withheld: self.withheld,
            unclassified: self.unclassified,
        }
    }
}

/// Filter an 8D report into the outgoing [`ReportKind::EightD`] or
/// [`ReportKind::MeasuresReply`] (any other kind renders as the measures reply).
pub fn redact_8d(
    complaint_no: &str,
    report: &EightDReport,
    kind: ReportKind,
    policy: &ConfidentialityPolicy,
) -> Redaction {
    let mut f = Filter {
        policy,
        sections: Vec::new(),
        withheld: Vec::new(),
        unclassified: Vec::new(),
    };
    let full = kind == ReportKind::EightD;
    let kind = if full {
        ReportKind::EightD
    } else {
        ReportKind::MeasuresReply
    };
    if full {
        let d0 = &report.d0;
        f.section("D0 Symptom and emergency response");
        f.plain(format!("symptom: {}", d0.symptom));
        for (i, a) in d0.emergency_actions.iter().enumerate() {
            f.statement(
                format!("D0 emergency action #{}", i + 1),
                "",
                &a.what,
                &a.suffix(),
            );
        }
        f.section("D1 Team");
        f.plain(format!("leader: {}", report.d1.leader));
        for m in &report.d1.members {
            f.plain(format!("{} ({}, {})", m.name, m.department, m.role));
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
            f.plain(format!("{k}: {v}"));
        }
        f.plain(format!("how many: {}", p.how_many));
        if let Some(how) = &report.d2.how {
            f.plain(format!("how: {how}"));
        }
    }
    let d3 = &report.d3;
    f.section("D3 Containment");
    f.plain(format!(
        "work in progress checked: {}; unshipped stock checked: {}; similar defect found: {}",
        yes(d3.wip_checked),
        yes(d3.unshipped_checked),
        yes(d3.similar_defect_found)
    ));
    for (i, a) in d3.actions.iter().enumerate() {
        f.statement(format!("D3 action #{}", i + 1), "", &a.what, &a.suffix());
    }
    let d4 = &report.d4;
    f.section("D4 Root cause");
    for (i, s) in d4.occurrence.iter().enumerate() {
        f.statement(format!("D4 occurrence #{}", i + 1), "occurrence: ", s, "");
    }
    for (i, s) in d4.escape.iter().enumerate() {
        f.statement(format!("D4 escape #{}", i + 1), "escape: ", s, "");
    }
    f.statement(
        "D4 verification".into(),
        "verified by: ",
        &d4.verification,
        "",
    );
    if let Some(r) = &d4.responsibility {
        match r.as_statement() {
            Some(st) => f.statement("D4 responsibility".into(), "responsibility: ", &st, ""),
            None => f.plain(format!("responsibility: {r}")),
        }
    }
    f.section("D5 Corrective actions");
    for (i, a) in report.d5.actions.iter().enumerate() {
        let prefix = format!("[{}] ", a.addresses);
        f.statement(
            format!("D5 action #{}", i + 1),
            &prefix,
            &a.what,
            &a.suffix(),
        );
    }
    if full {
        f.section("D6 Implementation and verification");
        for (i, done) in report.d6.implemented.iter().enumerate() {
            let prefix = format!("{} done {}: ", done.action_id, done.done_on);
            f.statement(
                format!("D6 evidence #{}", i + 1),
                &prefix,
                &done.evidence,
                "",
            );
        }
        if let Some(v) = &report.d6.verification {
            f.statement(
                "D6 verification".into(),
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
    let d7 = &report.d7;
    f.section("D7 Prevent recurrence");
    for (i, a) in d7.standardisation.iter().enumerate() {
        f.statement(
            format!("D7 standardisation #{}", i + 1),
            "",
            &a.what,
            &a.suffix(),
        );
    }
    for (i, a) in d7.horizontal_deployment.iter().enumerate() {
        let loc = format!("D7 horizontal deployment #{}", i + 1);
        f.statement(loc, "", &a.what, &a.suffix());
    }
    if let Some(r) = &d7.none_needed_reason {
        f.plain(format!("no further action needed: {r}"));
    }
    if full {
        f.section("D8 Closure");
        match report.d8.closed_on {
            Some(d) => f.plain(format!("closed on {d}")),
            None => f.plain("open".into()),
        }
        if !report.d8.recognition.trim().is_empty() {
            f.plain(format!("recognition: {}", report.d8.recognition));
        }
    }
    f.finish(complaint_no, kind)
}

/// Filter loose statements (improvement evidence) into an outgoing report.
pub fn redact_statements(
    complaint_no: &str,
    statements: &[Statement],
    policy: &ConfidentialityPolicy,
) -> Redaction {
    let mut f = Filter {
        policy,
        sections: Vec::new(),
        withheld: Vec::new(),
        unclassified: Vec::new(),
    };
    f.section("Improvement evidence");
    for (i, s) in statements.iter().enumerate() {
        f.statement(format!("evidence #{}", i + 1), "", s, "");
    }
    f.finish(complaint_no, ReportKind::ImprovementEvidence)
}

fn yes(b: bool) -> &'static str {
    if b { "yes" } else { "no" }
}
