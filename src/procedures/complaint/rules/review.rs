//! Guards: Corrective action, the review and the sending of the reply (`QD-004 §5.3.1, §5.3.2 (004 L588–589)`, `QD-004 (004 L651–654)`, `QD-004 §3.6 (004 L628)`).

use super::view::*;
use crate::Context;
use crate::procedures::complaint::Action;
use crate::procedures::complaint::Guard;
use crate::procedures::complaint::config::Config;
use crate::procedures::complaint::forms::eight_d::*;
use crate::procedures::complaint::forms::outgoing::*;
use crate::procedures::complaint::forms::*;
use crate::{TypedForm, Vocabulary};
use serde::Deserialize;

/// The guards of this phase, each registered under its [`Guard`] name.
pub(super) const GUARDS: &[(Guard, GuardFn)] = &[
    (Guard::DepartmentNamed, department_named),
    (Guard::AnalysisSubmitted, analysis_submitted),
    (Guard::OutgoingClassified, outgoing_classified),
    (Guard::VpReviewRequired, vp_review_required),
    (Guard::VpReviewNotRequired, vp_review_not_required),
    (Guard::ReportApproved, report_approved),
    (Guard::ReportUnchanged, report_unchanged),
    (Guard::OutgoingReportMatches, outgoing_report_matches),
    (Guard::PackageUnchanged, package_unchanged),
    (Guard::EvidenceClassified, evidence_classified),
    (Guard::EvidencePending, evidence_pending),
];

// --- corrective action (QD-004 §5.3.1, §5.3.2, §5.3.3 (004 L588–589, L653)) ---

fn department_named(f: &Forms<'_>, _: &Context<'_>, _: &Config) -> Result<(), String> {
    let esc = f.need::<DepartmentEscalation>()?;
    let plan = f.need::<CorrectiveActionPlan>()?;
    check(esc.departments.contains(&plan.department), || {
        format!(
            "`{}` is not a department the CQE escalated to",
            plan.department
        )
    })
}

fn analysis_submitted(f: &Forms<'_>, _: &Context<'_>, _: &Config) -> Result<(), String> {
    check(f.data()?.department_analysis_submitted, || {
        "the responsible departments have not submitted their analysis (QD-004 §5.3.2 (004 L589))"
            .into()
    })
}

// --- review and sending (QD-004 §5.2.2.8, §5.3.4, §3.6 (004 L651, L654, L628)) ---

fn outgoing_classified(f: &Forms<'_>, _: &Context<'_>, cfg: &Config) -> Result<(), String> {
    let r = f.need::<EightDReport>()?;
    let d = f.data()?;
    let kind = outgoing_kind(f, cfg)?;
    let releases = Releases::of(f.instance);
    let red = redact_8d_released(&d.complaint_no, &r, kind, &cfg.confidentiality, &releases);
    check(red.is_sendable(), || {
        format!(
            "unclassified statements may not leave the company (QD-004 §3.6 (004 L628)): {}",
            red.unclassified.join(", ")
        )
    })
}

fn vp_review_required(f: &Forms<'_>, _: &Context<'_>, cfg: &Config) -> Result<(), String> {
    check(vp_required(f, cfg)?, || "no VP review is needed".into())
}

fn vp_review_not_required(f: &Forms<'_>, _: &Context<'_>, cfg: &Config) -> Result<(), String> {
    check(!vp_required(f, cfg)?, || {
        "the vice-president reviews this report (QD-004 §5.2.2.8 (004 L651): 必要时报副总裁审阅)"
            .into()
    })
}

fn report_approved(f: &Forms<'_>, _: &Context<'_>, _: &Config) -> Result<(), String> {
    check(
        f.data()?.approved.contains(Action::ApproveReport.name()),
        || {
            "the report is not approved by the quality manager and department head (QD-004 §5.2.2.8, §5.3.4 (004 L651, L654))"
                .into()
        },
    )
}

fn report_unchanged(f: &Forms<'_>, ctx: &Context<'_>, _: &Config) -> Result<(), String> {
    let attached_now = ctx.forms.iter().any(|x| x.kind == EightDReport::KIND);
    let latest = f
        .instance
        .forms()
        .iter()
        .rev()
        .find(|x| x.form.kind == EightDReport::KIND);
    check(
        !attached_now && latest.is_some_and(|x| x.action == Action::SubmitForReview.name()),
        || "the 8D changed after it was submitted for review: resubmit it".into(),
    )
}

fn outgoing_report_matches(f: &Forms<'_>, ctx: &Context<'_>, cfg: &Config) -> Result<(), String> {
    let d = f.data()?;
    let sent = ctx
        .forms
        .iter()
        .rev()
        .find(|x| x.kind == OutgoingReport::KIND)
        .ok_or("the outgoing report must be attached")?;
    let sent = OutgoingReport::deserialize(&sent.body)
        .map_err(|e| format!("outgoing_report does not parse: {e}"))?;
    let releases = Releases::of(f.instance);
    let expected = if ctx.action == Action::ForwardEvidence.name() {
        let ev = f.need::<ImprovementEvidence>()?;
        redact_statements_released(
            &d.complaint_no,
            &ev.statements,
            &cfg.confidentiality,
            &releases,
        )
    } else {
        let r = f.need::<EightDReport>()?;
        redact_8d_released(
            &d.complaint_no,
            &r,
            outgoing_kind(f, cfg)?,
            &cfg.confidentiality,
            &releases,
        )
    };
    check(expected.is_sendable(), || {
        format!(
            "unclassified statements (QD-004 §3.6 (004 L628)): {}",
            expected.unclassified.join(", ")
        )
    })?;
    check(sent == expected.report, || {
        "the outgoing report is not the filtered rendering of the approved report (QD-004 §3.6 (004 L628))".into()
    })
}

fn package_unchanged(f: &Forms<'_>, ctx: &Context<'_>, _: &Config) -> Result<(), String> {
    let carries = ctx
        .forms
        .iter()
        .any(|x| x.kind == EightDReport::KIND || x.kind == OutgoingReport::KIND);
    let forms = f.instance.forms();
    let last_8d = forms
        .iter()
        .rev()
        .find(|x| x.form.kind == EightDReport::KIND);
    let last_out = forms
        .iter()
        .rev()
        .find(|x| x.form.kind == OutgoingReport::KIND);
    let ok = match (last_8d, last_out) {
        (Some(e), Some(o)) => {
            e.action == Action::SubmitForReview.name()
                && o.action == Action::ForwardToAdc.name()
                && o.seq > e.seq
        }
        _ => false,
    };
    check(!carries && ok, || {
        "the ADC forwards exactly the approved package the CQE e-mailed (QD-004 §5.2.2.8 (004 L651))".into()
    })
}

fn evidence_classified(f: &Forms<'_>, _: &Context<'_>, cfg: &Config) -> Result<(), String> {
    let d = f.data()?;
    let ev = f.need::<ImprovementEvidence>()?;
    let releases = Releases::of(f.instance);
    let red = redact_statements_released(
        &d.complaint_no,
        &ev.statements,
        &cfg.confidentiality,
        &releases,
    );
    check(red.is_sendable(), || {
        format!(
            "unclassified evidence (QD-004 §3.6 (004 L628)): {}",
            red.unclassified.join(", ")
        )
    })
}

fn evidence_pending(f: &Forms<'_>, _: &Context<'_>, _: &Config) -> Result<(), String> {
    let d = f.data()?;
    check(d.evidence_provided > d.evidence_forwarded, || {
        "the CQE has provided no evidence to forward (QD-004 §8 (004 L623))".into()
    })
}
