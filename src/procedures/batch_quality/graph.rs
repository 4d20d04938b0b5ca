//! The builder of the batch quality procedure, phase by phase of the seed: intake (000
//! L650–L652), R&D analysis (L654–L662), the overall solution (L640–L642, L664), execution
//! and monitoring (BQ-E §4.1–§4.4 (000 L644), BQ-E §5.3 (000 L666), BQ-E §5.4 (000 L668)), effect verification and responsibility arbitration
//! (BQ-E §5.6–§9 (000 L674–L676)), corrective and preventive measures (BQ-E §5.6–§9 (000 L674–L676)) and the supplier claim (BQ-E §5.5 (000 L670));
//! then the deadlines. Every transition cites its seed line or says OURS.

use super::config::{Config, ForwardAnchor};
use super::{
    Acceptance, Action as A, Deadline, Effect as E, FormKind as F, Guard as G, ID, Role as R,
    State as S, VERSION,
};
use crate::{Builder, SignOrder, TransitionBuilder, Vocabulary};
use crate::{BusinessDuration, DeadlineSpec, DurationSpec, EscalationSpec, Trigger};
use std::collections::BTreeMap;

const STATION: &[R] = &[R::AuthorisedStation];
const RTSE: &[R] = &[R::RegionalTechSupportEngineer];
const TS: &[R] = &[R::ProductTechSupport];
const RQS: &[R] = &[R::RegionalQualitySection];
const RND: &[R] = &[R::Rnd];
/// The station or the engineer: judge on site, hand over to ordinary service (BQ-E §6–§9 (000 L676)).
const STATION_OR_RTSE: &[R] = &[R::AuthorisedStation, R::RegionalTechSupportEngineer];
/// Who links consumables requests (BQ-E §5.3.2, §4.5.7 (000 L666, L646)).
const CONSUMABLES_LINKERS: &[R] = &[R::RegionalTechSupportEngineer, R::RegionalQualitySection];
/// Who records the consultation of the branch and the user (BQ-E §5.2.3–§5.2.4 (000 L664); OURS).
const CONSULTATION_RECORDERS: &[R] = &[R::Branch, R::Sales, R::RegionalQualitySection];
/// The departments that always evaluate the plan (BQ-E §5.2.3–§5.2.4 (000 L664)); `Config::plan_evaluators` adds.
const EVALUATORS: &[R] = &[
    R::Rnd,
    R::RegionalServiceMgmt,
    R::Sales,
    R::ServicePlatform,
    R::ProductTechSupport,
    R::SparePartsMgmt,
    R::QualityMgmtDept,
    R::ProductDept,
    R::BranchSales,
    R::Branch,
];
/// Who feeds execution progress into the batch feedback system (BQ-E §5.4.1, §4.1–§4.4 (000 L668, L644)).
const PROGRESS_RECORDERS: &[R] = &[
    R::AuthorisedStation,
    R::RegionalServiceMgmt,
    R::ProductTechSupport,
    R::SparePartsMgmt,
    R::Rnd,
];
/// Where R&D may issue its quality appraisal report (BQ-E §5.6.1, §7 (000 L674, L676)).
const QAR_STATES: &[S] = &[
    S::RdAnalysis,
    S::SolutionPlanning,
    S::Execution,
    S::EffectVerification,
    S::ResponsibilityArbitration,
];
/// Where the quality section archives the appraisal report (BQ-E §4.5.5 (000 L646)).
const ARCHIVE_STATES: &[S] = &[
    S::ResponsibilityArbitration,
    S::CorrectivePreventive,
    S::CapaVerification,
];
/// Where a linked consumables request is settled (BQ-E §4.5.6, §4.5.7, §5.5 (000 L646, L670)).
const SETTLE_STATES: &[S] = &[
    S::Execution,
    S::EffectVerification,
    S::ResponsibilityArbitration,
    S::CorrectivePreventive,
    S::CapaVerification,
];
/// Where the claim track and the supplier's CAPA response run (BQ-E §4.6.1, §5.5 (000 L646, L670)).
const CLAIM_STATES: &[S] = &[S::CorrectivePreventive, S::CapaVerification];

/// Add `from --action--> to`, fired by `roles`, citing `cite`, configured by `f`.
fn step(
    b: Builder,
    (from, action, to): (S, A, S),
    roles: &[R],
    cite: &str,
    f: impl FnOnce(TransitionBuilder) -> TransitionBuilder,
) -> Builder {
    b.transition(from, action, to, |tb| {
        f(tb.roles(roles.iter().copied())).describe(cite)
    })
}

/// No further configuration.
fn plain(tb: TransitionBuilder) -> TransitionBuilder {
    tb
}

/// The builder of the whole procedure (states, transitions, deadlines), bound to `config`.
pub(super) fn builder(config: &Config) -> Builder {
    let starters = R::ALL.iter().copied().filter(|r| *r != R::LossDept);
    let mut b = Builder::new(ID, VERSION)
        .roles(R::ALL.iter().copied())
        .start_roles(starters)
        .region_wide_roles(config.region_wide_roles.iter().copied());
    for &s in S::ALL {
        b = match s {
            S::ComplaintReceived => b.initial(s),
            S::OrdinaryService | S::Closed => b.terminal(s),
            S::SolutionPlanning => b.waiting(s),
            _ => b.normal(s),
        };
    }
    b = intake(b);
    b = rd_analysis(b);
    b = overall_solution(b, config);
    b = execution(b);
    b = verification_and_arbitration(b);
    b = corrective_preventive(b);
    b = supplier_claim(b);
    b = service_mgmt_and_assistance(b);
    b = b.form(F::BatchReturnExchangeApplication);
    for d in deadlines(config) {
        b = b.deadline(d);
    }
    b
}

/// Roles other than the station and the engineer: they may only pass a complaint on
/// (BQ-E §5.1.3 (000 L652)).
fn other_departments() -> Vec<R> {
    R::ALL
        .iter()
        .copied()
        .filter(|r| {
            !matches!(
                r,
                R::AuthorisedStation | R::RegionalTechSupportEngineer | R::LossDept
            )
        })
        .collect()
}

/// Intake: receipt, on-site confirmation, verification, confirmation and the start gate
/// (BQ-E §4.9–§5.1.5, §2.2 (000 L650–L652, L638)).
fn intake(mut b: Builder) -> Builder {
    let designate = |tb: TransitionBuilder| tb.guard(G::StationNamed).effect(E::Station);
    let dispatch = |tb: TransitionBuilder| tb.guard(G::SeniorEngineer).effect(E::SeniorEngineer);
    let rejection = |tb: TransitionBuilder| tb.fresh_form(F::RejectionNotice);
    let feedback = |tb: TransitionBuilder| {
        tb.fresh_form(F::BatchFeedbackReport)
            .guard(G::FormalChannel)
            .guard(G::ReportMatchesIssue)
    };
    let received = S::ComplaintReceived;
    let on_site = S::OnSiteConfirmation;
    let returned = S::ReturnedToStation;
    b = step(
        b,
        (received, A::DesignateLocalStation, S::AtStation),
        RTSE,
        "BQ-E §5.1.2 (000 L652)",
        |tb| designate(tb.guard(G::ReceivedByRtse)),
    );
    b = step(
        b,
        (S::AtRtse, A::DesignateLocalStation, S::AtStation),
        RTSE,
        "BQ-E §5.1.2–5.1.3 (000 L652)",
        designate,
    );
    b = step(
        b,
        (received, A::TransferToRtse, S::AtRtse),
        &other_departments(),
        "BQ-E §5.1.3 (000 L652)",
        |tb| tb.guard(G::ReceivedByDepartment),
    );
    b = step(
        b,
        (received, A::DispatchSeniorEngineer, on_site),
        STATION,
        "BQ-E §5.1.1 (000 L650)",
        |tb| {
            dispatch(
                tb.guard(G::ReceivedByThisStation)
                    .effect(E::ReceivingStation),
            )
        },
    );
    b = step(
        b,
        (S::AtStation, A::DispatchSeniorEngineer, on_site),
        STATION,
        "BQ-E §5.1.2 (000 L652)",
        |tb| dispatch(tb.guard(G::DesignatedStation)),
    );
    b = step(
        b,
        (on_site, A::JudgeNotBatch, S::OrdinaryService),
        STATION_OR_RTSE,
        "BQ-E §6–§9 (000 L676) flowchart 否",
        |tb| rejection(tb).guard(G::DesignatedStation),
    );
    b = step(
        b,
        (on_site, A::SubmitBatchFeedback, S::PendingRtseVerification),
        STATION,
        "BQ-E §4.1.1 (000 L644), §5.1.1–5.1.2 (000 L650–L652), L652 §5.1.5",
        |tb| feedback(tb).guard(G::DesignatedStation),
    );
    b = step(
        b,
        (
            S::PendingRtseVerification,
            A::VerifyAndForward,
            S::PendingTsConfirmation,
        ),
        RTSE,
        "BQ-E §4.9–§5.1.1 (000 L650)",
        // BQ-E §5.1.1 (000 L650): the engineer verifies what the station submitted — two
        // parties; one person holding both roles may not verify the report it submitted.
        |tb| {
            tb.guard(G::FormalChannel)
                .not_same_actor_as(A::SubmitBatchFeedback)
                .not_same_actor_as(A::Resubmit)
        },
    );
    b = step(
        b,
        (S::PendingRtseVerification, A::ReturnToStation, returned),
        RTSE,
        "BQ-E §4.9–§5.1.1 (000 L650) (OURS)",
        rejection,
    );
    b = step(
        b,
        (
            S::PendingTsConfirmation,
            A::ConfirmAndForwardToRqs,
            S::PendingRqsReview,
        ),
        TS,
        "BQ-E §4.9–§5.1.1, §4.3.1 (000 L650, L644)",
        |tb| {
            tb.fresh_form(F::TsPreliminaryAnalysis)
                .guard(G::FormalChannel)
                .guard(G::TsEvidence)
        },
    );
    b = step(
        b,
        (S::PendingTsConfirmation, A::Reject, returned),
        TS,
        "BQ-E §5.1.1–§5.1.5 (000 L652)",
        |tb| rejection(tb).guard(G::TsRejectReason),
    );
    b = step(
        b,
        (S::PendingRqsReview, A::StartBatchProcess, S::BatchStarted),
        RQS,
        "BQ-E §5.1.1 (000 L652), §5.1.4, BQ-E §2.2 (000 L638)",
        |tb| {
            tb.fresh_form(F::BatchStartDecision)
                .guard(G::FormalChannel)
                .guard(G::MeetsBatchDefinition)
                .guard(G::AcceptanceMatches)
                .effect(E::Acceptance)
        },
    );
    b = step(
        b,
        (S::PendingRqsReview, A::Reject, returned),
        RQS,
        "BQ-E §5.1.1–§5.1.5 (000 L652)",
        rejection,
    );
    b = step(
        b,
        (returned, A::Resubmit, S::PendingRtseVerification),
        STATION,
        "000 L652 (OURS); BQ-E §5.1.2 (000 L652)",
        |tb| feedback(tb).guard(G::Revised).guard(G::DesignatedStation),
    );
    step(
        b,
        (returned, A::HandOverToOrdinaryService, S::OrdinaryService),
        STATION_OR_RTSE,
        "BQ-E §6–§9 (000 L676) flowchart 否",
        |tb| tb.guard(G::DesignatedStation),
    )
}

/// R&D analysis and the director-level meeting after a missed limit (BQ-E §5.2.1–§5.2.2 (000 L654–L662)).
fn rd_analysis(mut b: Builder) -> Builder {
    let rd = S::RdAnalysis;
    let meeting = S::DirectorMeeting;
    b = step(
        b,
        (S::BatchStarted, A::ForwardToRd, rd),
        RQS,
        "BQ-E §5.2.1 (000 L654)",
        |tb| tb.guard(G::FormalChannel),
    );
    b = step(
        b,
        (rd, A::AcknowledgeRd, rd),
        RND,
        "BQ-E §5.2.1 (000 L654)",
        plain,
    );
    b = step(
        b,
        (rd, A::RecordSupplierOnSite, rd),
        RND,
        "BQ-E §5.2.2 (000 L656)",
        |tb| tb.requires_text("note"),
    );
    b = step(
        b,
        (rd, A::ReturnFailedPart, rd),
        RND,
        "BQ-E §5.2.2 (000 L658–L662)",
        |tb| tb.fresh_form(F::FailedPartReturn).guard(G::FailedPartRules),
    );
    b = step(
        b,
        (rd, A::SubmitRdSolution, S::SolutionPlanning),
        RND,
        "BQ-E §5.2.1, §4.7.1, §5.2.3 (000 L654, L646, L664)",
        |tb| tb.fresh_form(F::RdSolution).guard(G::SolutionMature),
    );
    b = step(
        b,
        (rd, A::ConveneDirectorMeeting, meeting),
        RQS,
        "BQ-E §5.2.1–§5.2.2 (000 L656)",
        |tb| tb.guard(G::RdDeadlineBreached),
    );
    b = step(
        b,
        (meeting, A::ForwardToRd, rd),
        RQS,
        "BQ-E §5.2.1–§5.2.2 (000 L656) (outcome OURS)",
        |tb| {
            tb.fresh_form(F::DirectorMeetingMinutes)
                .guard(G::MeetingContinuesRd)
                .guard(G::FormalChannel)
        },
    );
    step(
        b,
        (meeting, A::AdoptSolution, S::SolutionPlanning),
        RQS,
        "BQ-E §5.2.1–§5.2.2 (000 L656) (outcome OURS)",
        |tb| {
            tb.fresh_form(F::DirectorMeetingMinutes)
                .form(F::RdSolution)
                .guard(G::MeetingAdoptsSolution)
        },
    )
}

/// The overall solution: consultation, evaluation, approval, alone or as a jointly signed
/// whole-machine replacement (BQ-E §3.1–§3.2, §5.2.3–§5.2.4 (000 L640–L642, L664)).
fn overall_solution(mut b: Builder, cfg: &Config) -> Builder {
    let planning = S::SolutionPlanning;
    let mut evaluators = EVALUATORS.to_vec();
    for r in &cfg.plan_evaluators {
        if !evaluators.contains(r) {
            evaluators.push(*r);
        }
    }
    b = step(
        b,
        (planning, A::RecordConsultation, planning),
        CONSULTATION_RECORDERS,
        "BQ-E §5.2.4 (000 L664)",
        |tb| {
            tb.fresh_form(F::Consultation)
                .guard(G::ConsultationRecorder)
        },
    );
    b = step(
        b,
        (planning, A::EvaluatePlan, planning),
        &evaluators,
        "BQ-E §5.2.4 (000 L664)",
        |tb| tb.fresh_form(F::PlanEvaluation).guard(G::EvaluatorIsDept),
    );
    b = step(
        b,
        (planning, A::ReturnToRd, S::RdAnalysis),
        RQS,
        "BQ-E §5.2.1 (000 L654) 有效方案, BQ-E §5.2.3 (000 L664) (OURS)",
        |tb| tb.fresh_form(F::RejectionNotice).guard(G::ReturnToRdReason),
    );
    b = step(
        b,
        (planning, A::LinkConsumablesRequest, planning),
        CONSUMABLES_LINKERS,
        "BQ-E §5.3.2, §4.5.7 (000 L666, L646)",
        |tb| tb.effect(E::LinkConsumables),
    );
    b = step(
        b,
        (planning, A::ApprovePlan, S::Execution),
        RQS,
        "BQ-E §3.1, §4.5.1, §5.2.3–§5.2.4, §7 (000 L640, L646, L664, L676)",
        |tb| {
            tb.form(F::OverallSolutionPlan)
                .guard(G::PlanNotReplacement)
                .guard(G::Consulted)
                .guard(G::PlanEvaluated)
                .guard(G::ReplacementPreferred)
                .guard(G::ReturnApplication)
        },
    );
    let mut signers = cfg.replacement_plan_coauthors.clone();
    signers.retain(|r| *r != R::RegionalQualitySection);
    signers.push(R::RegionalQualitySection);
    let meaning = "jointly draw up the whole-machine replacement plan (共同制定整体换机方案)";
    step(
        b,
        (planning, A::ApprovePlan, S::Execution),
        &signers,
        "BQ-E §3.1, §5.2.3–§5.2.4, §7 (000 L642, L664, L676)",
        |tb| {
            tb.form(F::OverallSolutionPlan)
                .guard(G::PlanIsReplacement)
                .guard(G::Consulted)
                .guard(G::PlanEvaluated)
                .guard(G::ReturnApplication)
                .sign_off(signers.iter().copied(), SignOrder::AnyOrder, meaning)
                // BQ-E §3.1 (000 L642): the co-authors sign this plan; a new revision needs them again.
                .binds_form(F::OverallSolutionPlan)
        },
    )
}

/// Execution and monitoring (BQ-E §4.1–§4.4, §5.3, §5.4, §6–§9 (000 L644, L666, L668, L676)).
fn execution(mut b: Builder) -> Builder {
    let ex = S::Execution;
    b = step(
        b,
        (ex, A::AssignStation, ex),
        &[R::RegionalServiceMgmt],
        "BQ-E §4.2.3 (000 L644)",
        |tb| tb.guard(G::StationNamed),
    );
    b = step(
        b,
        (ex, A::RecordProgress, ex),
        PROGRESS_RECORDERS,
        "BQ-E §5.4.1, §4.1.2, §4.2.3, §4.3.2 (000 L668, L644)",
        |tb| {
            tb.fresh_form(F::ProgressEntry)
                .guard(G::FormalChannel)
                .guard(G::ProgressConsistent)
        },
    );
    b = step(
        b,
        (ex, A::RecordSparesWork, ex),
        &[R::SparePartsMgmt],
        "BQ-E §4.4 (000 L644)",
        |tb| tb.requires_text("note"),
    );
    b = step(
        b,
        (ex, A::CoordinateSupplierSpares, ex),
        RQS,
        "BQ-E §5.3.1 (000 L666)",
        |tb| tb.requires_text("note").guard(G::SupplierIndicated),
    );
    b = step(
        b,
        (ex, A::LinkConsumablesRequest, ex),
        CONSUMABLES_LINKERS,
        "BQ-E §5.3.2, §4.5.7 (000 L666, L646)",
        |tb| tb.effect(E::LinkConsumables),
    );
    b = step(
        b,
        (ex, A::AssessSeverity, ex),
        RQS,
        "BQ-E §9 (000 L676) 评估影响严重程度, 发布内部通报",
        |tb| tb.fresh_form(F::SeverityAssessment),
    );
    b = step(
        b,
        (ex, A::IssueQualityWarning, ex),
        RQS,
        "BQ-E §4.5.4, §7 (000 L646, L676)",
        |tb| tb.fresh_form(F::QualityWarning).guard(G::SeverityMajor),
    );
    b = step(
        b,
        (ex, A::PublishProgressBulletin, ex),
        RQS,
        "BQ-E §5.4.2, §7 (000 L668, L676)",
        |tb| tb.fresh_form(F::ProgressBulletin).guard(G::BulletinFlag),
    );
    let reporters = &[R::ServicePlatform, R::RegionalServiceMgmt];
    step(
        b,
        (ex, A::ReportExecutionResult, S::EffectVerification),
        reporters,
        "BQ-E §9 (000 L676) 服务平台反馈执行结果, BQ-E §4.2.3 (000 L644)",
        |tb| {
            tb.fresh_form(F::ExecutionResultReport)
                .guard(G::SeverityAssessed)
                .guard(G::WarningIfMajor)
                .guard(G::ResultMatchesPlan)
        },
    )
}

/// Effect verification, the quality appraisal report, responsibility arbitration, archiving
/// and settling consumables (BQ-E §4.5.2, §4.5.5, §5.6.1, §6–§9 (000 L646, L674, L676)).
fn verification_and_arbitration(mut b: Builder) -> Builder {
    let ver = S::EffectVerification;
    let arb = S::ResponsibilityArbitration;
    let verification = |tb: TransitionBuilder| tb.fresh_form(F::EffectVerification);
    b = step(
        b,
        (ver, A::ConfirmEffective, arb),
        RQS,
        "BQ-E §9 (000 L676) 验证方案执行效果",
        |tb| verification(tb).guard(G::Effective),
    );
    b = step(
        b,
        (ver, A::ReturnToPlanning, S::SolutionPlanning),
        RQS,
        "BQ-E §6–§9 (000 L676) (OURS)",
        |tb| verification(tb).guard(G::Ineffective),
    );
    b = step(
        b,
        (ver, A::ForwardToRd, S::RdAnalysis),
        RQS,
        "BQ-E §6–§9, §5.2.1 (000 L676, L654) (OURS)",
        |tb| {
            verification(tb)
                .guard(G::Ineffective)
                .guard(G::FormalChannel)
        },
    );
    for &s in QAR_STATES {
        b = step(
            b,
            (s, A::IssueQualityAppraisalReport, s),
            RND,
            "BQ-E §5.6.1, §7 (000 L674, L676)",
            |tb| tb.fresh_form(F::QualityAppraisalReport),
        );
    }
    b = step(
        b,
        (arb, A::Arbitrate, S::CorrectivePreventive),
        RQS,
        "BQ-E §4.5.2, §5.6.1 (000 L646, L674)",
        |tb| tb.fresh_form(F::ArbitrationRecord).guard(G::QarPresent),
    );
    for &s in ARCHIVE_STATES {
        b = step(
            b,
            (s, A::ArchiveQar, s),
            RQS,
            "BQ-E §4.5.5 (000 L646)",
            |tb| tb.guard(G::QarPresent).effect(E::ArchiveQar),
        );
    }
    for &s in SETTLE_STATES {
        b = step(
            b,
            (s, A::SettleConsumablesRequest, s),
            RQS,
            "BQ-E §4.5.6, §4.5.7, §5.5 (000 L646, L670)",
            |tb| tb.effect(E::SettleConsumables),
        );
    }
    b
}

/// Corrective and preventive measures, their verification and the close (BQ-E §4.6 (000 L646)
/// §4.7.2, BQ-E §5.6 (000 L674), BQ-E §6–§9 (000 L676)).
fn corrective_preventive(mut b: Builder) -> Builder {
    let cp = S::CorrectivePreventive;
    let cv = S::CapaVerification;
    b = step(
        b,
        (cp, A::IssueCapaNotice, cp),
        &[R::QualityMgmtDept],
        "BQ-E §5.6.2 (000 L674)",
        |tb| tb.fresh_form(F::CapaNotice).guard(G::CapaAddressee),
    );
    b = step(
        b,
        (cp, A::SubmitImprovementForm, cp),
        RQS,
        "BQ-E §5.6.3 (000 L674)",
        |tb| tb.fresh_form(F::ProblemImprovementForm),
    );
    b = step(
        b,
        (cp, A::OpenRectificationProject, cp),
        &[R::SystemMgmtDept],
        "BQ-E §4.6.2 (000 L646)",
        |tb| tb.guard(G::ImprovementSubmitted).effect(E::Project),
    );
    b = step(
        b,
        (cp, A::RequestProductChange, cp),
        &[R::Rnd, R::RegionalQualitySection],
        "BQ-E §5.6.4 (000 L674)",
        |tb| tb.fresh_form(F::ProductChangeRequest),
    );
    b = step(
        b,
        (cp, A::EvaluatePreventiveMeasure, cp),
        RND,
        "BQ-E §4.7.2 (000 L646)",
        |tb| tb.requires_text("note"),
    );
    b = step(
        b,
        (cp, A::StartCapaVerification, cv),
        RQS,
        "BQ-E §5.6, §6–§9 (000 L674, L676)",
        |tb| tb.guard(G::MeasuresIssued),
    );
    b = step(
        b,
        (cv, A::VerifyCapaItem, cv),
        RQS,
        "BQ-E §9 (000 L676) 跟踪验证纠正预防措施执行情况",
        |tb| tb.fresh_form(F::CapaVerification).guard(G::CapaItemKnown),
    );
    b = step(
        b,
        (cv, A::ReopenMeasures, cp),
        RQS,
        "BQ-E §6–§9 (000 L676) (OURS)",
        |tb| tb.guard(G::CapaItemFailed),
    );
    step(
        b,
        (cv, A::Close, S::Closed),
        RQS,
        "BQ-E §6–§9 (000 L676) 结束, BQ-E §4.5.5 (000 L646), BQ-E §5.5 (000 L670)",
        |tb| {
            tb.guard(G::AllCapaVerified)
                .guard(G::ClaimSettled)
                .guard(G::ConsumablesSettled)
                .guard(G::QarArchived)
        },
    )
}

/// The supplier's CAPA response and the supplier claim, alongside the measures (BQ-E §4.5–§4.7 (000 L646)
/// §4.6.1, BQ-E §4.9 (000 L650), BQ-E §5.5 (000 L670), BQ-E §5.5 (000 L672), BQ-E §6–§9 (000 L676)).
fn supplier_claim(mut b: Builder) -> Builder {
    let commercial = &[R::ProcurementCommercial];
    for &s in CLAIM_STATES {
        b = step(
            b,
            (s, A::RecordCapaResponse, s),
            &[R::SystemMgmtDept, R::QualityMgmtDept],
            "BQ-E §4.6.1 (000 L646)",
            |tb| tb.requires_text("note"),
        );
        b = step(
            b,
            (s, A::SubmitLossData, s),
            &[R::LossDept],
            "BQ-E §5.5 (000 L670)",
            |tb| {
                tb.fresh_form(F::LossDataSubmission)
                    .guard(G::ClaimCollecting)
            },
        );
        b = step(
            b,
            (s, A::FileClaimAppraisal, s),
            RQS,
            "BQ-E §5.5, §4.5.6 (000 L670, L646)",
            |tb| {
                tb.fresh_form(F::ClaimAppraisalReport)
                    .guard(G::ClaimCollecting)
                    .guard(G::ClaimAppraisalMatches)
                    .effect(E::Claim)
            },
        );
        b = step(
            b,
            (s, A::ConfirmClaim, s),
            commercial,
            "BQ-E §5.5 (000 L670) 提交采购商务管理部确认",
            |tb| tb.guard(G::ClaimAwaiting).effect(E::Claim),
        );
        b = step(
            b,
            (s, A::ReturnClaim, s),
            commercial,
            "BQ-E §5.5 (000 L670) (OURS)",
            |tb| {
                tb.fresh_form(F::RejectionNotice)
                    .guard(G::ClaimAwaiting)
                    .effect(E::Claim)
            },
        );
        b = step(
            b,
            (s, A::ReservePenaltyClaim, s),
            RQS,
            "BQ-E §5.5 (000 L670) 保留向供应商追加处罚索赔的权利",
            |tb| tb.requires_text("note").guard(G::SupplierIndicated),
        );
        b = step(
            b,
            (s, A::RecordClaimExecuted, s),
            &[R::Procurement],
            "BQ-E §4.9, §5.5, §9 (000 L650, L672, L676) 采购部执行索赔",
            |tb| {
                tb.fresh_form(F::ClaimExecutionRecord)
                    .guard(G::ClaimExecuting)
                    .effect(E::Claim)
            },
        );
    }
    b
}

/// Where regional service management reviews the station's report, goes on site and makes
/// its preliminary technical analysis: while the report is in the system, before the batch
/// process starts (BQ-E §4.2.1–4.2.2 (000 L644)).
const SERVICE_MGMT_STATES: &[S] = &[
    S::PendingRtseVerification,
    S::PendingTsConfirmation,
    S::PendingRqsReview,
];

/// Regional service management's review, site visit and preliminary analysis (BQ-E
/// §4.2.1–4.2.2 (000 L644)); the assistance of the service platform and quality management
/// to R&D's analysis (BQ-E §5.2.2 (000 L656)); the weekly and monthly reports (BQ-E §5.4.3
/// (000 L668)); customer, media and legal work (BQ-E §4.8.3 (000 L648), §4.10–4.11 (000
/// L650)), each a recorded action with a note.
fn service_mgmt_and_assistance(mut b: Builder) -> Builder {
    let mgmt = &[R::RegionalServiceMgmt];
    let noted = |tb: TransitionBuilder| tb.requires_text("note");
    for &s in SERVICE_MGMT_STATES {
        b = step(
            b,
            (s, A::ReviewStationReport, s),
            mgmt,
            "BQ-E §4.2.1 (000 L644) 对维修站反馈的批量质量问题进行审核",
            noted,
        );
        b = step(
            b,
            (s, A::VisitSite, s),
            mgmt,
            "BQ-E §4.2.1 (000 L644) 必要时到现场对问题分析确认",
            noted,
        );
        b = step(
            b,
            (s, A::RecordPreliminaryAnalysis, s),
            mgmt,
            "BQ-E §4.2.2 (000 L644) 对批量质量问题进行初步技术分析",
            noted,
        );
    }
    b = step(
        b,
        (S::RdAnalysis, A::AssistRdAnalysis, S::RdAnalysis),
        &[R::ServicePlatform, R::QualityMgmtDept],
        "BQ-E §5.2.2 (000 L656) 服务和品管进行协助",
        noted,
    );
    for &s in &super::STARTED {
        for (action, cite) in [
            (A::PublishWeeklyReport, "BQ-E §5.4.3 (000 L668) 周报"),
            (A::PublishMonthlyReport, "BQ-E §5.4.3 (000 L668) 月报"),
        ] {
            b = step(b, (s, action, s), RQS, cite, |tb| {
                tb.requires_text("report_no")
            });
        }
    }
    let customer_pr: &[R] = &[R::Sales, R::BranchSales];
    let open = S::ALL
        .iter()
        .copied()
        .filter(|s| !matches!(s, S::OrdinaryService | S::Closed));
    for s in open {
        for (action, roles, cite) in [
            (
                A::RecordCustomerPr,
                customer_pr,
                "BQ-E §4.8.3 (000 L648) 负责协调客户公关工作",
            ),
            (
                A::RecordMediaPr,
                &[R::MarketPr][..],
                "BQ-E §4.10 (000 L650) 媒体公关",
            ),
            (
                A::RecordLegalAssistance,
                &[R::Legal][..],
                "BQ-E §4.11 (000 L650) 法律援助",
            ),
        ] {
            b = step(b, (s, action, s), roles, cite, noted);
        }
    }
    b
}

/// A limit in working days that depends on the acceptance status (BQ-E §5.2.1 (000 L654)), each read as
/// the close of business of the N-th working day ("N个工作日内").
fn by_acceptance(accepted: u32, not_accepted: u32) -> DurationSpec {
    let wd = BusinessDuration::close_of_working_day;
    DurationSpec::Select {
        selector: "/acceptance".into(),
        cases: BTreeMap::from([
            (Acceptance::Accepted.name().to_owned(), wd(accepted)),
            (Acceptance::NotAccepted.name().to_owned(), wd(not_accepted)),
        ]),
        default: None,
    }
}

/// The deadlines: intake in working hours (BQ-E §4.9–§5.2.1 (000 L650–L654)), R&D by acceptance status (000
/// L654–L656), the progress bulletins when configured (000 L668 §5.4.2).
fn deadlines(cfg: &Config) -> Vec<DeadlineSpec> {
    let wh = BusinessDuration::WorkingHours;
    let forward_start = match cfg.rqs_forward_anchor {
        ForwardAnchor::ReceiptAtRqs => Trigger::action(A::ConfirmAndForwardToRqs),
        ForwardAnchor::BatchStarted => Trigger::enter(S::BatchStarted),
    };
    let mut solution_escalation = EscalationSpec::notify([R::RegionalQualitySection]);
    if cfg.director_meeting_auto {
        solution_escalation.move_to = Some(S::DirectorMeeting.name().to_owned());
    }
    let mut out = vec![
        DeadlineSpec::new(
            Deadline::RtseVerify,
            Trigger::enter(S::PendingRtseVerification),
            wh(cfg.rtse_verify_within_hours),
        )
        .escalate(EscalationSpec::notify([
            R::RegionalTechSupportEngineer,
            R::RegionalServiceMgmt,
        ]))
        .owner(R::RegionalTechSupportEngineer)
        .describe("BQ-E §5.1.1 (000 L650) 区域技术支持工程师在4个工作小时内响应; BQ-E §4.2.1 (000 L644)"),
        DeadlineSpec::new(
            Deadline::TsConfirm,
            Trigger::enter(S::PendingTsConfirmation),
            wh(cfg.ts_confirm_within_hours),
        )
        .escalate(EscalationSpec::notify([R::ProductTechSupport]))
        .owner(R::ProductTechSupport)
        .describe("BQ-E §5.1.1 (000 L650) 在4个工作小时内将信息流转给区域质量处; BQ-E §5.2.1 (000 L654)"),
        DeadlineSpec::new(
            Deadline::RqsReview,
            Trigger::enter(S::PendingRqsReview),
            wh(cfg.rqs_review_within_hours),
        )
        .escalate(EscalationSpec::notify([R::RegionalQualitySection]))
        .owner(R::RegionalQualitySection)
        .describe("BQ-E §5.1.1 (000 L652) 区域质量处…在4个工作小时内响应"),
        DeadlineSpec::new(
            Deadline::RqsForwardToRd,
            forward_start,
            wh(cfg.rqs_forward_to_rd_within_hours),
        )
        .met_on(Trigger::action(A::ForwardToRd))
        .met_on(Trigger::enter(S::ReturnedToStation))
        .escalate(EscalationSpec::notify([R::RegionalQualitySection]))
        .owner(R::RegionalQualitySection)
        .describe("BQ-E §5.2.1 (000 L654) 并在4个工作小时内流转到产品研发中心"),
        DeadlineSpec::new(
            Deadline::RdResponse,
            Trigger::action(A::ForwardToRd),
            by_acceptance(
                cfg.rd_response_accepted_within_days,
                cfg.rd_solution_not_accepted_within_days,
            ),
        )
        .met_on(Trigger::action(A::AcknowledgeRd))
        .met_on(Trigger::action(A::SubmitRdSolution))
        .met_on(Trigger::enter(S::DirectorMeeting))
        .escalate(EscalationSpec::notify([R::RegionalQualitySection, R::Rnd]))
        .owner(R::Rnd)
        .describe("BQ-E §5.2.1 (000 L654) 1个工作日内响应 (accepted machines)"),
        DeadlineSpec::new(
            Deadline::RdSolution,
            Trigger::action(A::ForwardToRd),
            by_acceptance(
                cfg.rd_conclusion_accepted_within_days,
                cfg.rd_solution_not_accepted_within_days,
            ),
        )
        .met_on(Trigger::action(A::ApprovePlan))
        .met_on(Trigger::enter(S::DirectorMeeting))
        .escalate(solution_escalation)
        .owner(R::Rnd)
        .describe("BQ-E §5.2.1 (000 L654) 2个工作日内提供有效方案 / 4个工作日内反馈有效结论; BQ-E §5.2.1 (000 L656) 总监级会议"),
    ];
    out.extend(optional_clocks(cfg));
    if let Some(every) = cfg.progress_bulletin_every {
        let bulletin = "BQ-E §5.4.2 (000 L668) 定期发布《售后批量质量问题进度通报》";
        out.push(
            DeadlineSpec::new(
                Deadline::ProgressBulletinFirst,
                Trigger::enter(S::Execution),
                every,
            )
            .met_on(Trigger::action(A::PublishProgressBulletin))
            .escalate(EscalationSpec::notify([R::RegionalQualitySection]))
            .owner(R::RegionalQualitySection)
            .describe(bulletin),
        );
        out.push(
            DeadlineSpec::new(
                Deadline::ProgressBulletinNext,
                Trigger::action(A::PublishProgressBulletin),
                every,
            )
            .met_on(Trigger::action(A::PublishProgressBulletin))
            .met_on(Trigger::leave(S::Execution))
            .escalate(EscalationSpec::notify([R::RegionalQualitySection]))
            .owner(R::RegionalQualitySection)
            .describe(bulletin),
        );
    }
    out
}

/// The clocks the seed implies without a number, each only when configured: the CAPA reply,
/// the director-level meeting, the weekly and monthly reports (BQ-E §5.6.2 (000 L674),
/// §5.2.1 (000 L656), §5.4.3 (000 L668)).
fn optional_clocks(cfg: &Config) -> Vec<DeadlineSpec> {
    let rqs = || EscalationSpec::notify([R::RegionalQualitySection]);
    let mut out = Vec::new();
    if let Some(limit) = cfg.capa_response_within {
        out.push(
            DeadlineSpec::new(
                Deadline::CapaResponse,
                Trigger::action(A::IssueCapaNotice),
                limit,
            )
            .met_on(Trigger::action(A::RecordCapaResponse))
            .escalate(EscalationSpec::notify([
                R::QualityMgmtDept,
                R::SystemMgmtDept,
            ]))
            .owner(R::QualityMgmtDept)
            .describe("BQ-E §5.6.2 (000 L674), §4.6.1 (000 L646) 督促其制定和实施纠正预防措施"),
        );
    }
    if let Some(limit) = cfg.director_meeting_within {
        out.push(
            DeadlineSpec::new(
                Deadline::DirectorMeetingHeld,
                Trigger::enter(S::DirectorMeeting),
                limit,
            )
            .escalate(rqs())
            .owner(R::RegionalQualitySection)
            .describe("BQ-E §5.2.1 (000 L656) 适时召集相关部门召开总监级会议"),
        );
    }
    for (name, every, action, text) in [
        (
            Deadline::WeeklyReport,
            cfg.weekly_report_every,
            A::PublishWeeklyReport,
            "BQ-E §5.4.3 (000 L668) 定期发布售后批量质量问题周报",
        ),
        (
            Deadline::MonthlyReport,
            cfg.monthly_report_every,
            A::PublishMonthlyReport,
            "BQ-E §5.4.3 (000 L668) 定期发布售后批量质量问题月报",
        ),
    ] {
        if let Some(every) = every {
            out.push(
                DeadlineSpec::new(name, Trigger::action(A::StartBatchProcess), every)
                    .met_on(Trigger::action(action))
                    .repeating()
                    .escalate(rqs())
                    .owner(R::RegionalQualitySection)
                    .describe(text),
            );
        }
    }
    out
}
