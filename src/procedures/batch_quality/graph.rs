//! The procedure's graph: the transition table (roles, guards, forms, effects, sign-offs,
//! each citing its seed line), the deadlines, the registry, and the validated definition.

use super::config::{Config, ForwardAnchor};
use super::forms::*;
use super::{Acceptance, Action, ID, Role, State, VERSION, deadlines, guards};
use crate::Registry;
use crate::SignOrder;
use crate::TypedForm;
use crate::Vocabulary;
use crate::{BuildError, Builder, TypedDefinition};
use crate::{BusinessDuration, Calendar};
use crate::{DeadlineSpec, DurationSpec, EscalationSpec, Trigger};
use std::collections::BTreeMap;
use std::sync::Arc;

/// One transition of the table the definition and the freshness guard are built from.
struct T {
    from: State,
    action: Action,
    to: State,
    roles: Vec<Role>,
    guards: Vec<&'static str>,
    /// (form kind, must be attached by this very command).
    forms: Vec<(&'static str, bool)>,
    effects: Vec<&'static str>,
    sign_off: Option<(Vec<Role>, SignOrder, &'static str)>,
    cite: &'static str,
}

impl T {
    fn new(from: State, action: Action, to: State, roles: &[Role], cite: &'static str) -> Self {
        T {
            from,
            action,
            to,
            roles: roles.to_vec(),
            guards: Vec::new(),
            forms: Vec::new(),
            effects: Vec::new(),
            sign_off: None,
            cite,
        }
    }
    fn guard(mut self, g: &'static str) -> Self {
        self.guards.push(g);
        self
    }
    /// A form that must be attached by this command.
    fn new_form<F: TypedForm>(mut self) -> Self {
        self.forms.push((F::KIND, true));
        self
    }
    /// A form that may be attached now or already be on file.
    fn form<F: TypedForm>(mut self) -> Self {
        self.forms.push((F::KIND, false));
        self
    }
    fn effect(mut self, e: &'static str) -> Self {
        self.effects.push(e);
        self
    }
}

use Role as R;
use State as S;

const STATION: &[Role] = &[R::AuthorisedStation];
const RTSE: &[Role] = &[R::RegionalTechSupportEngineer];
const RQS: &[Role] = &[R::RegionalQualitySection];
const RND: &[Role] = &[R::Rnd];

/// Roles other than the station and the engineer: they may only pass a complaint on
/// (000 L652 §5.1.3).
fn other_departments() -> Vec<Role> {
    Role::ALL
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

fn evaluators(cfg: &Config) -> Vec<Role> {
    let mut out: Vec<Role> = vec![
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
    for r in &cfg.plan_evaluators {
        if !out.contains(r) {
            out.push(*r);
        }
    }
    out
}

fn transitions(cfg: &Config) -> Vec<T> {
    use Action as A;
    use guards as g;
    let mut t = vec![
        // Intake (000 L650–L652).
        T::new(
            S::ComplaintReceived,
            A::DesignateLocalStation,
            S::AtStation,
            RTSE,
            "000 L652 §5.1.2",
        )
        .guard(g::STATION_NAMED)
        .effect(g::E_STATION),
        T::new(
            S::AtRtse,
            A::DesignateLocalStation,
            S::AtStation,
            RTSE,
            "000 L652 §5.1.2–5.1.3",
        )
        .guard(g::STATION_NAMED)
        .effect(g::E_STATION),
        T::new(
            S::ComplaintReceived,
            A::TransferToRtse,
            S::AtRtse,
            &other_departments(),
            "000 L652 §5.1.3",
        ),
        T::new(
            S::ComplaintReceived,
            A::DispatchSeniorEngineer,
            S::OnSiteConfirmation,
            STATION,
            "000 L650 §5.1.1",
        )
        .guard(g::SENIOR_ENGINEER)
        .effect(g::E_SENIOR_ENGINEER),
        T::new(
            S::AtStation,
            A::DispatchSeniorEngineer,
            S::OnSiteConfirmation,
            STATION,
            "000 L650, L652 §5.1.2",
        )
        .guard(g::SENIOR_ENGINEER)
        .effect(g::E_SENIOR_ENGINEER),
        T::new(
            S::OnSiteConfirmation,
            A::JudgeNotBatch,
            S::OrdinaryService,
            &[R::AuthorisedStation, R::RegionalTechSupportEngineer],
            "000 L676 flowchart 否",
        )
        .new_form::<RejectionNotice>(),
        T::new(
            S::OnSiteConfirmation,
            A::SubmitBatchFeedback,
            S::PendingRtseVerification,
            STATION,
            "000 L650, L644 §4.1.1, L652 §5.1.5",
        )
        .new_form::<BatchFeedbackReport>()
        .guard(g::FORMAL_CHANNEL)
        .guard(g::REPORT_MATCHES_ISSUE),
        T::new(
            S::PendingRtseVerification,
            A::VerifyAndForward,
            S::PendingTsConfirmation,
            RTSE,
            "000 L650",
        )
        .guard(g::FORMAL_CHANNEL),
        T::new(
            S::PendingRtseVerification,
            A::ReturnToStation,
            S::ReturnedToStation,
            RTSE,
            "000 L650 (OURS)",
        )
        .new_form::<RejectionNotice>(),
        T::new(
            S::PendingTsConfirmation,
            A::ConfirmAndForwardToRqs,
            S::PendingRqsReview,
            &[R::ProductTechSupport],
            "000 L650, L644 §4.3.1",
        )
        .new_form::<TsPreliminaryAnalysis>()
        .guard(g::FORMAL_CHANNEL)
        .guard(g::TS_EVIDENCE),
        T::new(
            S::PendingTsConfirmation,
            A::Reject,
            S::ReturnedToStation,
            &[R::ProductTechSupport],
            "000 L652",
        )
        .new_form::<RejectionNotice>()
        .guard(g::TS_REJECT_REASON),
        T::new(
            S::PendingRqsReview,
            A::StartBatchProcess,
            S::BatchStarted,
            RQS,
            "000 L652 §5.1.1, §5.1.4, L638",
        )
        .new_form::<BatchStartDecision>()
        .guard(g::FORMAL_CHANNEL)
        .guard(g::MEETS_BATCH_DEFINITION)
        .guard(g::ACCEPTANCE_MATCHES)
        .effect(g::E_ACCEPTANCE),
        T::new(
            S::PendingRqsReview,
            A::Reject,
            S::ReturnedToStation,
            RQS,
            "000 L652",
        )
        .new_form::<RejectionNotice>(),
        T::new(
            S::ReturnedToStation,
            A::Resubmit,
            S::PendingRtseVerification,
            STATION,
            "000 L652 (OURS)",
        )
        .new_form::<BatchFeedbackReport>()
        .guard(g::FORMAL_CHANNEL)
        .guard(g::REPORT_MATCHES_ISSUE)
        .guard(g::REVISED),
        T::new(
            S::ReturnedToStation,
            A::HandOverToOrdinaryService,
            S::OrdinaryService,
            &[R::AuthorisedStation, R::RegionalTechSupportEngineer],
            "000 L676 flowchart 否",
        ),
        // R&D (000 L654–L662).
        T::new(
            S::BatchStarted,
            A::ForwardToRd,
            S::RdAnalysis,
            RQS,
            "000 L654",
        )
        .guard(g::FORMAL_CHANNEL),
        T::new(
            S::RdAnalysis,
            A::AcknowledgeRd,
            S::RdAnalysis,
            RND,
            "000 L654",
        ),
        T::new(
            S::RdAnalysis,
            A::RecordSupplierOnSite,
            S::RdAnalysis,
            RND,
            "000 L656 §5.2.2",
        )
        .guard(g::NOTE),
        T::new(
            S::RdAnalysis,
            A::ReturnFailedPart,
            S::RdAnalysis,
            RND,
            "000 L658–L662",
        )
        .new_form::<FailedPartReturn>()
        .guard(g::FAILED_PART_RULES),
        T::new(
            S::RdAnalysis,
            A::SubmitRdSolution,
            S::SolutionPlanning,
            RND,
            "000 L654, L646 §4.7.1, L664 §5.2.3",
        )
        .new_form::<RdSolution>()
        .guard(g::SOLUTION_MATURE),
        T::new(
            S::RdAnalysis,
            A::ConveneDirectorMeeting,
            S::DirectorMeeting,
            RQS,
            "000 L656",
        )
        .guard(g::RD_DEADLINE_BREACHED),
        T::new(
            S::DirectorMeeting,
            A::ForwardToRd,
            S::RdAnalysis,
            RQS,
            "000 L656 (outcome OURS)",
        )
        .new_form::<DirectorMeetingMinutes>()
        .guard(g::MEETING_CONTINUES_RD)
        .guard(g::FORMAL_CHANNEL),
        T::new(
            S::DirectorMeeting,
            A::AdoptSolution,
            S::SolutionPlanning,
            RQS,
            "000 L656 (outcome OURS)",
        )
        .new_form::<DirectorMeetingMinutes>()
        .form::<RdSolution>()
        .guard(g::MEETING_ADOPTS_SOLUTION),
        // Overall solution (000 L640–L642, L664).
        T::new(
            S::SolutionPlanning,
            A::RecordConsultation,
            S::SolutionPlanning,
            &[R::Branch, R::Sales, R::RegionalQualitySection],
            "000 L664 §5.2.4",
        )
        .new_form::<Consultation>()
        .guard(g::CONSULTATION_RECORDER),
        T::new(
            S::SolutionPlanning,
            A::EvaluatePlan,
            S::SolutionPlanning,
            &evaluators(cfg),
            "000 L664 §5.2.4",
        )
        .new_form::<PlanEvaluation>()
        .guard(g::EVALUATOR_IS_DEPT),
        T::new(
            S::SolutionPlanning,
            A::ReturnToRd,
            S::RdAnalysis,
            RQS,
            "000 L654 有效方案, L664 §5.2.3 (OURS)",
        )
        .new_form::<RejectionNotice>()
        .guard(g::RETURN_TO_RD_REASON),
        T::new(
            S::SolutionPlanning,
            A::LinkConsumablesRequest,
            S::SolutionPlanning,
            &[R::RegionalTechSupportEngineer, R::RegionalQualitySection],
            "000 L666 §5.3.2, L646 §4.5.7",
        )
        .effect(g::E_LINK_CONSUMABLES),
        T::new(
            S::SolutionPlanning,
            A::ApprovePlan,
            S::Execution,
            RQS,
            "000 L640, L646 §4.5.1, L664, L676 §7",
        )
        .form::<OverallSolutionPlan>()
        .guard(g::PLAN_NOT_REPLACEMENT)
        .guard(g::CONSULTED)
        .guard(g::PLAN_EVALUATED)
        .guard(g::REPLACEMENT_PREFERRED)
        .guard(g::RETURN_APPLICATION),
    ];
    let mut signers = cfg.replacement_plan_coauthors.clone();
    signers.retain(|r| *r != R::RegionalQualitySection);
    signers.push(R::RegionalQualitySection);
    let mut replacement = T::new(
        S::SolutionPlanning,
        A::ApprovePlan,
        S::Execution,
        &signers,
        "000 L642 §3.1, L664, L676 §7",
    )
    .form::<OverallSolutionPlan>()
    .guard(g::PLAN_IS_REPLACEMENT)
    .guard(g::CONSULTED)
    .guard(g::PLAN_EVALUATED)
    .guard(g::RETURN_APPLICATION);
    replacement.sign_off = Some((
        signers,
        SignOrder::AnyOrder,
        "jointly draw up the whole-machine replacement plan (共同制定整体换机方案)",
    ));
    t.push(replacement);
    t.extend([
        // Execution and monitoring (000 L644, L666, L668, L676).
        T::new(
            S::Execution,
            A::AssignStation,
            S::Execution,
            &[R::RegionalServiceMgmt],
            "000 L644 §4.2.3",
        )
        .guard(g::STATION_NAMED),
        T::new(
            S::Execution,
            A::RecordProgress,
            S::Execution,
            &[
                R::AuthorisedStation,
                R::RegionalServiceMgmt,
                R::ProductTechSupport,
                R::SparePartsMgmt,
                R::Rnd,
            ],
            "000 L668 §5.4.1, L644 §4.1.2 §4.2.3 §4.3.2",
        )
        .new_form::<ProgressEntry>()
        .guard(g::FORMAL_CHANNEL)
        .guard(g::PROGRESS_CONSISTENT),
        T::new(
            S::Execution,
            A::RecordSparesWork,
            S::Execution,
            &[R::SparePartsMgmt],
            "000 L644 §4.4",
        )
        .guard(g::NOTE),
        T::new(
            S::Execution,
            A::CoordinateSupplierSpares,
            S::Execution,
            RQS,
            "000 L666 §5.3.1",
        )
        .guard(g::NOTE)
        .guard(g::SUPPLIER_INDICATED),
        T::new(
            S::Execution,
            A::LinkConsumablesRequest,
            S::Execution,
            &[R::RegionalTechSupportEngineer, R::RegionalQualitySection],
            "000 L666 §5.3.2, L646 §4.5.7",
        )
        .effect(g::E_LINK_CONSUMABLES),
        T::new(
            S::Execution,
            A::AssessSeverity,
            S::Execution,
            RQS,
            "000 L676 评估影响严重程度, 发布内部通报",
        )
        .new_form::<SeverityAssessment>(),
        T::new(
            S::Execution,
            A::IssueQualityWarning,
            S::Execution,
            RQS,
            "000 L646 §4.5.4, L676 §7",
        )
        .new_form::<QualityWarning>()
        .guard(g::SEVERITY_MAJOR),
        T::new(
            S::Execution,
            A::PublishProgressBulletin,
            S::Execution,
            RQS,
            "000 L668 §5.4.2, L676 §7",
        )
        .new_form::<ProgressBulletin>()
        .guard(g::BULLETIN_FLAG),
        T::new(
            S::Execution,
            A::ReportExecutionResult,
            S::EffectVerification,
            &[R::ServicePlatform, R::RegionalServiceMgmt],
            "000 L676 服务平台反馈执行结果, L644 §4.2.3",
        )
        .new_form::<ExecutionResultReport>()
        .guard(g::SEVERITY_ASSESSED)
        .guard(g::WARNING_IF_MAJOR)
        .guard(g::RESULT_MATCHES_PLAN),
        // Effect verification (000 L676).
        T::new(
            S::EffectVerification,
            A::ConfirmEffective,
            S::ResponsibilityArbitration,
            RQS,
            "000 L676 验证方案执行效果",
        )
        .new_form::<EffectVerification>()
        .guard(g::EFFECTIVE),
        T::new(
            S::EffectVerification,
            A::ReturnToPlanning,
            S::SolutionPlanning,
            RQS,
            "000 L676 (OURS)",
        )
        .new_form::<EffectVerification>()
        .guard(g::INEFFECTIVE),
        T::new(
            S::EffectVerification,
            A::ForwardToRd,
            S::RdAnalysis,
            RQS,
            "000 L676, L654 (OURS)",
        )
        .new_form::<EffectVerification>()
        .guard(g::INEFFECTIVE)
        .guard(g::FORMAL_CHANNEL),
    ]);
    for s in [
        S::RdAnalysis,
        S::SolutionPlanning,
        S::Execution,
        S::EffectVerification,
        S::ResponsibilityArbitration,
    ] {
        t.push(
            T::new(
                s,
                A::IssueQualityAppraisalReport,
                s,
                RND,
                "000 L674 §5.6.1, L676 §7",
            )
            .new_form::<QualityAppraisalReport>(),
        );
    }
    t.push(
        T::new(
            S::ResponsibilityArbitration,
            A::Arbitrate,
            S::CorrectivePreventive,
            RQS,
            "000 L646 §4.5.2, L674 §5.6.1",
        )
        .new_form::<ArbitrationRecord>()
        .guard(g::QAR_PRESENT),
    );
    for s in [
        S::ResponsibilityArbitration,
        S::CorrectivePreventive,
        S::CapaVerification,
    ] {
        t.push(
            T::new(s, A::ArchiveQar, s, RQS, "000 L646 §4.5.5")
                .guard(g::QAR_PRESENT)
                .effect(g::E_ARCHIVE_QAR),
        );
    }
    for s in [
        S::Execution,
        S::EffectVerification,
        S::ResponsibilityArbitration,
        S::CorrectivePreventive,
        S::CapaVerification,
    ] {
        t.push(
            T::new(
                s,
                A::SettleConsumablesRequest,
                s,
                RQS,
                "000 L646 §4.5.6 §4.5.7, L670",
            )
            .effect(g::E_SETTLE_CONSUMABLES),
        );
    }
    t.extend([
        // Corrective and preventive measures (000 L674).
        T::new(
            S::CorrectivePreventive,
            A::IssueCapaNotice,
            S::CorrectivePreventive,
            &[R::QualityMgmtDept],
            "000 L674 §5.6.2",
        )
        .new_form::<CapaNotice>()
        .guard(g::CAPA_ADDRESSEE),
        T::new(
            S::CorrectivePreventive,
            A::SubmitImprovementForm,
            S::CorrectivePreventive,
            RQS,
            "000 L674 §5.6.3",
        )
        .new_form::<ProblemImprovementForm>(),
        T::new(
            S::CorrectivePreventive,
            A::OpenRectificationProject,
            S::CorrectivePreventive,
            &[R::SystemMgmtDept],
            "000 L646 §4.6.2",
        )
        .guard(g::IMPROVEMENT_SUBMITTED)
        .effect(g::E_PROJECT),
        T::new(
            S::CorrectivePreventive,
            A::RequestProductChange,
            S::CorrectivePreventive,
            &[R::Rnd, R::RegionalQualitySection],
            "000 L674 §5.6.4",
        )
        .new_form::<ProductChangeRequest>(),
        T::new(
            S::CorrectivePreventive,
            A::EvaluatePreventiveMeasure,
            S::CorrectivePreventive,
            RND,
            "000 L646 §4.7.2",
        )
        .guard(g::NOTE),
        T::new(
            S::CorrectivePreventive,
            A::StartCapaVerification,
            S::CapaVerification,
            RQS,
            "000 L674, L676",
        )
        .guard(g::MEASURES_ISSUED),
        T::new(
            S::CapaVerification,
            A::VerifyCapaItem,
            S::CapaVerification,
            RQS,
            "000 L676 跟踪验证纠正预防措施执行情况",
        )
        .new_form::<CapaVerification>()
        .guard(g::CAPA_ITEM_KNOWN),
        T::new(
            S::CapaVerification,
            A::ReopenMeasures,
            S::CorrectivePreventive,
            RQS,
            "000 L676 (OURS)",
        )
        .guard(g::CAPA_ITEM_FAILED),
        T::new(
            S::CapaVerification,
            A::Close,
            S::Closed,
            RQS,
            "000 L676 结束, L646 §4.5.5, L670",
        )
        .guard(g::ALL_CAPA_VERIFIED)
        .guard(g::CLAIM_SETTLED)
        .guard(g::CONSUMABLES_SETTLED)
        .guard(g::QAR_ARCHIVED),
    ]);
    for s in [S::CorrectivePreventive, S::CapaVerification] {
        t.extend([
            T::new(
                s,
                A::RecordCapaResponse,
                s,
                &[R::SystemMgmtDept, R::QualityMgmtDept],
                "000 L646 §4.6.1",
            )
            .guard(g::NOTE),
            T::new(s, A::SubmitLossData, s, &[R::LossDept], "000 L670")
                .new_form::<LossDataSubmission>()
                .guard(g::CLAIM_COLLECTING),
            T::new(s, A::FileClaimAppraisal, s, RQS, "000 L670, L646 §4.5.6")
                .new_form::<ClaimAppraisalReport>()
                .guard(g::CLAIM_COLLECTING)
                .guard(g::CLAIM_APPRAISAL_MATCHES)
                .effect(g::E_CLAIM),
            T::new(
                s,
                A::ConfirmClaim,
                s,
                &[R::ProcurementCommercial],
                "000 L670 提交采购商务管理部确认",
            )
            .guard(g::CLAIM_AWAITING)
            .effect(g::E_CLAIM),
            T::new(
                s,
                A::ReturnClaim,
                s,
                &[R::ProcurementCommercial],
                "000 L670 (OURS)",
            )
            .new_form::<RejectionNotice>()
            .guard(g::CLAIM_AWAITING)
            .effect(g::E_CLAIM),
            T::new(
                s,
                A::RecordClaimExecuted,
                s,
                &[R::Procurement],
                "000 L650 §4.9, L672, L676 采购部执行索赔",
            )
            .new_form::<ClaimExecutionRecord>()
            .guard(g::CLAIM_EXECUTING)
            .effect(g::E_CLAIM),
        ]);
    }
    t
}

/// The registry of the procedure: its guards, effects and typed forms, bound to `config`.
pub fn registry(config: &Config) -> Registry {
    let fresh: BTreeMap<(String, String), Vec<&'static str>> = transitions(config)
        .iter()
        .filter(|t| t.forms.iter().any(|(_, f)| *f))
        .map(|t| {
            (
                (t.from.name().to_owned(), t.action.name().to_owned()),
                t.forms
                    .iter()
                    .filter(|(_, f)| *f)
                    .map(|(k, _)| *k)
                    .collect(),
            )
        })
        .collect();
    let reg = Registry::new()
        .typed_form::<BatchFeedbackReport>()
        .typed_form::<RejectionNotice>()
        .typed_form::<TsPreliminaryAnalysis>()
        .typed_form::<BatchStartDecision>()
        .typed_form::<FailedPartReturn>()
        .typed_form::<RdSolution>()
        .typed_form::<DirectorMeetingMinutes>()
        .typed_form::<Consultation>()
        .typed_form::<PlanEvaluation>()
        .typed_form::<OverallSolutionPlan>()
        .typed_form::<BatchReturnExchangeApplication>()
        .typed_form::<ProgressEntry>()
        .typed_form::<SeverityAssessment>()
        .typed_form::<QualityWarning>()
        .typed_form::<ProgressBulletin>()
        .typed_form::<ExecutionResultReport>()
        .typed_form::<EffectVerification>()
        .typed_form::<QualityAppraisalReport>()
        .typed_form::<ArbitrationRecord>()
        .typed_form::<LossDataSubmission>()
        .typed_form::<ClaimAppraisalReport>()
        .typed_form::<ClaimExecutionRecord>()
        .typed_form::<CapaNotice>()
        .typed_form::<ProblemImprovementForm>()
        .typed_form::<ProductChangeRequest>()
        .typed_form::<CapaVerification>();
    guards::register(reg, Arc::new(config.clone()), Arc::new(fresh))
}

fn deadline_specs(cfg: &Config) -> Vec<DeadlineSpec> {
    use deadlines as d;
    let wh = BusinessDuration::WorkingHours;
    let wd = BusinessDuration::WorkingDays;
    let by_acceptance = |accepted: u32, not_accepted: u32| DurationSpec::Select {
        selector: "/acceptance".into(),
        cases: BTreeMap::from([
            (Acceptance::Accepted.name().to_owned(), wd(accepted)),
            (Acceptance::NotAccepted.name().to_owned(), wd(not_accepted)),
        ]),
        default: None,
    };
    let forward_start = match cfg.rqs_forward_anchor {
        ForwardAnchor::ReceiptAtRqs => Trigger::action(Action::ConfirmAndForwardToRqs),
        ForwardAnchor::BatchStarted => Trigger::enter(State::BatchStarted),
    };
    let mut solution_escalation = EscalationSpec::notify([Role::RegionalQualitySection]);
    if cfg.director_meeting_auto {
        solution_escalation.move_to = Some(State::DirectorMeeting.name().to_owned());
    }
    let mut out = vec![
        DeadlineSpec::new(
            d::RTSE_VERIFY,
            Trigger::enter(State::PendingRtseVerification),
            wh(cfg.rtse_verify_within_hours),
        )
        .escalate(EscalationSpec::notify([
            Role::RegionalTechSupportEngineer,
            Role::RegionalServiceMgmt,
        ]))
        .owner(Role::RegionalTechSupportEngineer)
        .describe("000 L650 区域技术支持工程师在4个工作小时内响应; L644 §4.2.1"),
        DeadlineSpec::new(
            d::TS_CONFIRM,
            Trigger::enter(State::PendingTsConfirmation),
            wh(cfg.ts_confirm_within_hours),
        )
        .escalate(EscalationSpec::notify([Role::ProductTechSupport]))
        .owner(Role::ProductTechSupport)
        .describe("000 L650 在4个工作小时内将信息流转给区域质量处; L654"),
        DeadlineSpec::new(
            d::RQS_REVIEW,
            Trigger::enter(State::PendingRqsReview),
            wh(cfg.rqs_review_within_hours),
        )
        .escalate(EscalationSpec::notify([Role::RegionalQualitySection]))
        .owner(Role::RegionalQualitySection)
        .describe("000 L652 区域质量处…在4个工作小时内响应"),
        DeadlineSpec::new(
            d::RQS_FORWARD_TO_RD,
            forward_start,
            wh(cfg.rqs_forward_to_rd_within_hours),
        )
        .met_on(Trigger::action(Action::ForwardToRd))
        .met_on(Trigger::enter(State::ReturnedToStation))
        .escalate(EscalationSpec::notify([Role::RegionalQualitySection]))
        .owner(Role::RegionalQualitySection)
        .describe("000 L654 并在4个工作小时内流转到产品研发中心"),
        DeadlineSpec::new(
            d::RD_RESPONSE,
            Trigger::action(Action::ForwardToRd),
            by_acceptance(
                cfg.rd_response_accepted_within_days,
                cfg.rd_solution_not_accepted_within_days,
            ),
        )
        .met_on(Trigger::action(Action::AcknowledgeRd))
        .met_on(Trigger::action(Action::SubmitRdSolution))
        .met_on(Trigger::enter(State::DirectorMeeting))
        .escalate(EscalationSpec::notify([
            Role::RegionalQualitySection,
            Role::Rnd,
        ]))
        .owner(Role::Rnd)
        .describe("000 L654 1个工作日内响应 (accepted machines)"),
        DeadlineSpec::new(
            d::RD_SOLUTION,
            Trigger::action(Action::ForwardToRd),
            by_acceptance(
                cfg.rd_conclusion_accepted_within_days,
                cfg.rd_solution_not_accepted_within_days,
            ),
        )
        .met_on(Trigger::action(Action::ApprovePlan))
        .met_on(Trigger::enter(State::DirectorMeeting))
        .escalate(solution_escalation)
        .owner(Role::Rnd)
        .describe("000 L654 2个工作日内提供有效方案 / 4个工作日内反馈有效结论; L656 总监级会议"),
    ];
    if let Some(every) = cfg.progress_bulletin_every {
        out.push(
            DeadlineSpec::new(
                d::PROGRESS_BULLETIN_FIRST,
                Trigger::enter(State::Execution),
                every,
            )
            .met_on(Trigger::action(Action::PublishProgressBulletin))
            .escalate(EscalationSpec::notify([Role::RegionalQualitySection]))
            .owner(Role::RegionalQualitySection)
            .describe("000 L668 §5.4.2 定期发布《售后批量质量问题进度通报》"),
        );
        out.push(
            DeadlineSpec::new(
                d::PROGRESS_BULLETIN_NEXT,
                Trigger::action(Action::PublishProgressBulletin),
                every,
            )
            .met_on(Trigger::action(Action::PublishProgressBulletin))
            .met_on(Trigger::leave(State::Execution))
            .escalate(EscalationSpec::notify([Role::RegionalQualitySection]))
            .owner(Role::RegionalQualitySection)
            .describe("000 L668 §5.4.2 定期发布《售后批量质量问题进度通报》"),
        );
    }
    out
}

/// The validated, typed definition of the batch quality procedure, computing deadlines in
/// `calendar` (the host's working calendar, README "Working calendar").
///
/// # Errors
/// A [`BuildError`] if the definition does not validate (a bug, covered by the tests).
pub fn definition(
    config: &Config,
    calendar: Arc<dyn Calendar>,
) -> Result<TypedDefinition<State, Action, Role>, BuildError> {
    let starters: Vec<Role> = Role::ALL
        .iter()
        .copied()
        .filter(|r| *r != Role::LossDept)
        .collect();
    let mut b = Builder::new(ID, VERSION)
        .roles(Role::ALL.iter().copied())
        .start_roles(starters);
    for s in State::ALL {
        b = match s {
            State::ComplaintReceived => b.initial(s),
            State::OrdinaryService | State::Closed => b.terminal(s),
            State::SolutionPlanning => b.waiting(s),
            _ => b.normal(s),
        };
    }
    for t in transitions(config) {
        b = b.transition(t.from, t.action, t.to, |mut tb| {
            tb = tb.roles(t.roles.iter().copied());
            let fresh = t.forms.iter().any(|(_, f)| *f);
            if fresh {
                tb = tb.guard(guards::NEW_FORMS);
            }
            for g in &t.guards {
                tb = tb.guard(*g);
            }
            for (k, _) in &t.forms {
                tb = tb.form(*k);
            }
            for e in &t.effects {
                tb = tb.effect(*e);
            }
            if let Some((roles, order, meaning)) = &t.sign_off {
                tb = tb.sign_off(roles.iter().copied(), order.clone(), *meaning);
            }
            tb.describe(t.cite)
        });
    }
    b = b.form(BatchReturnExchangeApplication::KIND);
    for d in deadline_specs(config) {
        b = b.deadline(d);
    }
    let def = b.build(&registry(config).shared_calendar(calendar))?;
    Ok(TypedDefinition::new(def)?)
}
