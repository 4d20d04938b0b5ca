//! The builder of the complaint definition: states, transitions, sign-offs and deadlines, split
//! by phase of the document (`QD-004 §5`, §7, §8). Each phase is one function; the states where
//! an obligation runs beside the main line are `const` tables.

use super::config::Config;
use super::{Action, Deadline, Effect, FormKind, Guard, ID, Role, State, VERSION};
use crate::Vocabulary;
use crate::{AnchorSource, DeadlineSpec, DurationSpec, EscalationSpec, SignOrder, Trigger};
use crate::{Builder, TransitionBuilder};
use crate::{Runs, StartIf};
use std::collections::BTreeMap;

use Action as A;
use Deadline as D;
use FormKind as K;
use Role as R;
use State as S;

/// Both ADC roles; a guard narrows to the complaint's region.
const ADC: [Role; 2] = [Role::AdcDomestic, Role::AdcInternational];

/// States where urgent handling can be requested and granted (before the first reply).
const URGENT_STATES: [State; 5] = [
    State::Submitted,
    State::Containment,
    State::Analysis,
    State::Remediation,
    State::CorrectiveAction,
];

/// Hub states carrying the long-running obligations (spares, replenishment, costs).
const HUB_STATES: [State; 4] = [
    State::Remediation,
    State::CorrectiveAction,
    State::EffectivenessCheck,
    State::Handled,
];

/// States where the ADC can record a late 8D request.
const CUSTOMER_8D_STATES: [State; 4] = [
    State::Analysis,
    State::Remediation,
    State::CorrectiveAction,
    State::Implementation,
];

/// States where the CQE drafts the 8D.
/// States where the CQE may downgrade the severity: after the inspection, before the review.
const DOWNGRADE_STATES: [State; 4] = [
    State::Remediation,
    State::CorrectiveAction,
    State::DepartmentAnalysis,
    State::Implementation,
];

const UPDATE_8D_STATES: [State; 6] = [
    State::Remediation,
    State::CorrectiveAction,
    State::DepartmentAnalysis,
    State::Implementation,
    State::EffectivenessCheck,
    State::Handled,
];

/// States where a quality manager may release free text of the 8D for the outgoing report
/// (§3.6, `QD-004 §3.6 (004 L628)`): where the 8D is drafted, and in the review.
const RELEASE_STATES: [State; 8] = [
    State::PassReply,
    State::Remediation,
    State::CorrectiveAction,
    State::DepartmentAnalysis,
    State::Implementation,
    State::ReportReview,
    State::EffectivenessCheck,
    State::Handled,
];

/// The replies to the customer that meet the reply clocks.
const REPLIES: [Action; 2] = [A::ReplyToCustomer, A::SendToCustomer];

/// Which actions may attach each form kind the rules read (checked by the engine for every
/// command: a comment or another action carrying one is refused). Kinds not listed may be
/// attached by any command; the rules do not read them.
const ATTACH: &[(FormKind, &[Action])] = &[
    (
        K::HandlingForm,
        &[A::Submit, A::SubmitInternational, A::Resubmit],
    ),
    (
        K::InspectionRecord,
        &[A::RecordPass, A::RecordPassRestock, A::RecordFail],
    ),
    (K::RestockRequest, &[A::RecordPassRestock]),
    (
        K::EightDReport,
        &[
            A::RecordFail,
            A::UpdateEightD,
            A::ResolveWithinQuality,
            A::AcceptAnalysis,
            A::SubmitForReview,
            A::ConfirmEffective,
            A::VerifyClosure,
        ],
    ),
    (
        K::MaterialRequisition,
        &[A::RequestMaterial, A::RequestRepair],
    ),
    (K::ProductionNotice, &[A::RequestProduction]),
    (K::WorkLiaison, &[A::RequestRepair]),
    (
        K::SupplierReferral,
        &[A::ReferToSupplierBatch, A::ReturnToSupplier],
    ),
    (K::DepartmentEscalation, &[A::EscalateToDepartments]),
    (
        K::CorrectiveActionPlan,
        &[A::SubmitDepartmentAnalysis, A::ResolveWithinQuality],
    ),
    (K::OutgoingReport, &[A::ForwardToAdc, A::ForwardEvidence]),
    (K::TextRelease, &[A::ReleaseText]),
    (K::ImprovementEvidence, &[A::ProvideImprovementEvidence]),
    (K::SparesShipment, &[A::ShipSpares, A::ShipSparesNoReturn]),
    (
        K::DefectivesReturn,
        &[A::RecordDefectivesReturned, A::RecordPartialReturn],
    ),
    (K::DefectivesWriteOff, &[A::WriteOffDefectives]),
    (K::CostEntry, &[A::RecordCostLine]),
    (
        K::ReworkPlan,
        &[A::IssueReworkPlan, A::Disassemble, A::IssueOnsitePlan],
    ),
    (K::CustomerReply, &[A::ReplyToCustomer]),
    (K::ClosureRecheck, &[A::VerifyClosure]),
    (K::PlanAcceptance, &[A::RecordPlanAcceptance]),
    (K::SeverityDowngrade, &[A::DowngradeSeverity]),
    (K::RemakeOrder, &[A::PlaceRemakeOrder]),
];

/// Withdrawal after submission, before the verdict: the ADC of the region, with a reason.
fn withdraw_submitted(t: TransitionBuilder) -> TransitionBuilder {
    t.roles(ADC)
        .guard(Guard::AdcOfRegion)
        .reason_required()
        .describe("ours: withdrawn by the customer after submission, before the verdict")
}

/// Require a form of `kind` attached with the command itself (a fresh revision).
fn with(t: TransitionBuilder, kind: FormKind) -> TransitionBuilder {
    t.form(kind).fresh_form(kind)
}

/// The whole builder: states, then the phases in the order of the document, the obligations
/// and the deadlines.
pub(super) fn builder(cfg: &Config) -> Builder {
    let b = states(Builder::new(ID, VERSION));
    let b = intake(b);
    let b = analysis(b);
    let b = supplier_and_rework(b);
    let b = requisition_and_production(b);
    let b = repair_burn_in_and_scrap(b);
    let b = corrective_action(b);
    let b = review_and_reply(b);
    let b = closure(b);
    let b = obligations(b);
    let b = attach(b);
    deadlines(b, cfg)
}

/// Which action may attach which form ([`ATTACH`]), declared to the core.
fn attach(mut b: Builder) -> Builder {
    for (kind, actions) in ATTACH {
        b = b.attach(kind, actions.iter());
    }
    b
}

/// The roles, who may start (the ADCs) and the states (`QD-004 §5.1 (004 L661)`).
fn states(b: Builder) -> Builder {
    let mut b = b
        .roles(<R as Vocabulary>::ALL.iter())
        .start_roles(ADC)
        .initial(S::Draft)
        .describe_state("ADC fills 《客诉、客退产品处理单》 (QD-004 §5.1 (004 L661))");
    for s in &<S as Vocabulary>::ALL[1..] {
        b = match s {
            S::Closed | S::Withdrawn => b.terminal(s),
            _ => b.normal(s),
        };
    }
    b
}

/// Intake: the handling form to the CQE, acknowledged or returned; the containment check (`QD-004 §5.1 (004 L661)`, `QD-004 §8 (004 L623)`, `QD-004 §5.3 (004 L652)`, `QD-004 §5.3 (004 L587)`).
fn intake(b: Builder) -> Builder {
    b.transition(S::Draft, A::Submit, S::Submitted, |t| {
        with(t.roles([R::AdcDomestic]), K::HandlingForm)
            .guard(Guard::RegionDomestic)
            .guard(Guard::NotYetSubmitted)
            .guard(Guard::FormMatchesCase)
            .effect(Effect::Track)
            .describe("QD-004 §5.1 (004 L661): form + 排产单 + goods or defect evidence to the CQE")
    })
    .transition(S::Draft, A::SubmitInternational, S::Submitted, |t| {
        with(t.roles([R::AdcInternational]), K::HandlingForm)
            .guard(Guard::RegionInternational)
            .guard(Guard::NotYetSubmitted)
            .guard(Guard::FormMatchesCase)
            .effect(Effect::Track)
            .describe("QD-004 §5.1, §8 (004 L661, L623) (international)")
    })
    .transition(S::Draft, A::Resubmit, S::Submitted, |t| {
        with(t.roles(ADC), K::HandlingForm)
            .guard(Guard::AdcOfRegion)
            .guard(Guard::AwaitingResubmission)
            .guard(Guard::FormMatchesCase)
            .effect(Effect::Track)
            .describe("ours: revised form; clocks keep the first submit (QD-004 §8 (004 L623))")
    })
    .transition(S::Draft, A::Withdraw, S::Withdrawn, |t| {
        t.roles(ADC)
            .guard(Guard::AdcOfRegion)
            .guard(Guard::NotYetSubmitted)
            .reason_required()
            .describe("ours")
    })
    // After submission, until the verdict: the customer withdraws its complaint through the
    // ADC (ours: the documents do not describe a withdrawal; after the verdict the case has
    // goods and obligations in hand and runs to its end).
    .transition(S::Submitted, A::Withdraw, S::Withdrawn, withdraw_submitted)
    .transition(
        S::Containment,
        A::Withdraw,
        S::Withdrawn,
        withdraw_submitted,
    )
    .transition(S::Analysis, A::Withdraw, S::Withdrawn, withdraw_submitted)
    .transition(S::Submitted, A::Acknowledge, S::Containment, |t| {
        t.roles([R::Cqe])
            .describe("QD-004 §8 (004 L623): respond within 1 working day")
    })
    .transition(S::Submitted, A::ReturnForm, S::Draft, |t| {
        t.roles([R::Cqe])
            .reason_required()
            .effect(Effect::Track)
            .describe("ours: incomplete form or evidence (QD-004 §5.1 (004 L661))")
    })
    .transition(S::Containment, A::RecordContainment, S::Analysis, |t| {
        with(
            t.roles([R::QualityDepartment, R::Cqe, R::QualityManager]),
            K::ContainmentRecord,
        )
        .describe("QD-004 §5.3 (004 L652, L587): WIP and unshipped stock checked; countermeasures")
    })
}

/// Analysis and the verdict; the restock sign-off and the pass reply (`QD-004 §5.2 (004 L590)`, `QD-004 §5.2.1.1 item 1 (004 L593)`, `QD-004 §5.2.1.1 item 2 (004 L649)`, `QD-004 §5.2.2 (004 L669)`).
fn analysis(b: Builder) -> Builder {
    b.transition(S::Analysis, A::RequestAssistance, S::Analysis, |t| {
        with(t.roles([R::Cqe]), K::AssistanceRequest).describe("QD-004 §5.3.1, §5.2 (004 L588, L590)")
    })
    .transition(S::Analysis, A::RecordPass, S::PassReply, |t| {
        with(t.roles([R::Cqe]), K::InspectionRecord)
            .guard(Guard::PassWithoutRestock)
            .effect(Effect::Track)
            .describe("QD-004 §5.2.1.1 item 1, §4.6 (004 L593, L596): pass, ADC informed at once")
    })
    .transition(S::Analysis, A::RecordPassRestock, S::RestockSignoff, |t| {
        with(
            with(t.roles([R::Cqe]), K::InspectionRecord),
            K::RestockRequest,
        )
        .guard(Guard::PassRestock)
        .effect(Effect::Track)
        .describe("QD-004 §5.2.1.1 item 2, §6.2.1 (004 L649, L492): pass, replacement already sent")
    })
    .transition(S::Analysis, A::RecordFail, S::Remediation, |t| {
        with(t.roles([R::Cqe]), K::InspectionRecord)
            .form(K::EightDReport)
            .guard(Guard::VerdictFail)
            .guard(Guard::EightDThroughD2)
            .effect(Effect::Track)
            .describe("QD-004 §5.2.2, §5.2.2.7 (004 L668–669, L650): cause, tests, feedback to ADC; 8D D0–D2")
    })
    .transition(
        S::RestockSignoff,
        A::ApproveRestock,
        S::RestockSignoff,
        |t| {
            t.sign_off_in_stages(
                [
                    vec![R::OqcInspector, R::QualityManager],
                    vec![R::PlanningManager],
                ],
                "confirm 《客诉退料申请单》 (QD-004 §5.2.1.1 item 2 (004 L649))",
            )
            // QD-004 §5.2.1.1 item 2 (004 L649): the signatures confirm this restock request form.
            .binds_form(K::RestockRequest)
            .on_refuse(S::Analysis)
            .not_same_actor_as(A::RecordPassRestock)
            .effect(Effect::Track)
            .describe("QD-004 §5.2.1.1 item 2 (004 L649): OQC inspector and QM, then planning manager")
        },
    )
    .transition(S::RestockSignoff, A::StockIn, S::PassReply, |t| {
        t.roles([R::Warehouse])
            .guard(Guard::RestockApproved)
            .guard(Guard::SellableAsNew)
            .describe("QD-004 §5.2.1.1 item 2 (004 L649): the signed form is the basis for store-in")
    })
    .transition(S::RestockSignoff, A::StockIn, S::SalesDisposal, |t| {
        t.roles([R::Warehouse])
            .guard(Guard::RestockApproved)
            .guard(Guard::NotSellableAsNew)
            .describe("QD-004 §5.2.1.1 item 2 (004 L649): lamps not sellable as new")
    })
    .transition(S::SalesDisposal, A::SubmitDisposalPlan, S::PassReply, |t| {
        with(t.roles([R::Salesperson]), K::SalesDisposalPlan).describe("QD-004 §5.2.1.1 item 2, §6.2.1 (004 L649, L492)")
    })
    .transition(S::PassReply, A::ReplyToCustomer, S::Handled, |t| {
        with(t.roles(ADC), K::CustomerReply)
            .guard(Guard::AdcOfRegion)
            .guard(Guard::ReturnShipmentIfNeeded)
            .guard(Guard::ReplyClassified)
            .effect(Effect::Track)
            .describe("004 L593, L596, L664; the letter filtered, QD-004 §3.6 (004 L628)")
    })
}

/// Remediation hub, part 1: the supplier and the rework plan (`QD-004 §7.1 (004 L599–601)`, `QD-004 §5.2.2.1, §5.2.2.2 (004 L670–671)`, `QD-004 §4.5 (004 L595)`).
fn supplier_and_rework(b: Builder) -> Builder {
    b.transition(
        S::Remediation,
        A::ReferToSupplierBatch,
        S::SupplierHandling,
        |t| {
            with(t.roles([R::Cqe, R::QualityDepartment]), K::SupplierReferral)
                .effect(Effect::Track)
                .describe("QD-004 §7.1.1 (004 L600): batch defect per the quality agreement")
        },
    )
    .transition(
        S::Remediation,
        A::ReturnToSupplier,
        S::SupplierHandling,
        |t| {
            with(t.roles([R::Cqe, R::QualityDepartment]), K::SupplierReferral)
                .guard(Guard::MaterialReturned)
                .effect(Effect::Track)
                .describe("QD-004 §7.1.2, §5.2.2.1 (004 L601, L670): defective material back to the supplier")
        },
    )
    .transition(
        S::SupplierHandling,
        A::RecordSupplierMeeting,
        S::Remediation,
        |t| {
            with(t.roles([R::QualityDepartment, R::Cqe]), K::SupplierMeeting)
                .guard(Guard::ReferralBatch)
                .effect(Effect::Track)
                .describe("QD-004 §7.1.1 (004 L600)")
        },
    )
    .transition(
        S::SupplierHandling,
        A::RecordSupplier8d,
        S::Remediation,
        |t| {
            with(t.roles([R::Cqe]), K::Supplier8d)
                .guard(Guard::ReferralNonBatch)
                .effect(Effect::Track)
                .describe("QD-004 §7.1.2 (004 L601): within 2 working days")
        },
    )
    .transition(S::Remediation, A::PlanRework, S::ReworkPlanning, |t| {
        t.roles([R::Cqe])
            .effect(Effect::Track)
            .describe("QD-004 §5.2.2.2, §6.2.2 (004 L671, L493)")
    })
    .transition(S::ReworkPlanning, A::IssueReworkPlan, S::Remediation, |t| {
        with(t.roles(ADC), K::ReworkPlan)
            .guard(Guard::AdcOfRegion)
            .guard(Guard::ReworkPlanMatches)
            .describe("QD-004 §5.2.2.2 (004 L671): 由应用设计中心出具处理方案")
    })
    .transition(S::ReworkPlanning, A::DeclinePlan, S::ReworkPlanning, |t| {
        t.roles(ADC)
            .guard(Guard::AdcOfRegion)
            .reason_required()
            .effect(Effect::Track)
            .describe("QD-004 §5.2.2.2 (004 L671): 若无法出具")
    })
    .transition(S::ReworkPlanning, A::Disassemble, S::Remediation, |t| {
        with(t.roles([R::Cqe]), K::ReworkPlan)
            .guard(Guard::ReworkDeclined)
            .guard(Guard::ReworkPlanMatches)
            .describe("QD-004 §5.2.2.2, §6.2.2 (004 L671, L493): CQE disassembles, parts stocked by category")
    })
    .transition(S::ReworkPlanning, A::IssueOnsitePlan, S::Remediation, |t| {
        with(t.roles([R::QualityDepartment, R::Cqe]), K::ReworkPlan)
            .guard(Guard::ReworkPlanMatches)
            .describe("QD-004 §4.5 (004 L595): on-site plan confirmed by the customer through the ADC")
    })
}

/// Remediation hub, part 2: the material requisition and the production notice (`QD-004 §5.2.2.4 (004 L659)`, `QD-004 §5.2.2.5 (004 L666)`).
fn requisition_and_production(b: Builder) -> Builder {
    b.transition(
        S::Remediation,
        A::RequestMaterial,
        S::MaterialRequisition,
        |t| {
            with(t.roles([R::Cqe]), K::MaterialRequisition)
                .effect(Effect::Track)
                .describe("QD-004 §5.2.2.4 (004 L659)")
        },
    )
    .transition(
        S::MaterialRequisition,
        A::ApproveRequisition,
        S::MaterialRequisition,
        |t| {
            t.sign_off(
                [R::QualityManager, R::PlanningManager],
                SignOrder::Sequential,
                "confirm 《客诉领料申请单》 (QD-004 §5.2.2.4 (004 L659))",
            )
            // QD-004 §5.2.2.4 (004 L659): the signatures confirm this requisition form.
            .binds_form(K::MaterialRequisition)
            .on_refuse(S::Remediation)
            .not_same_actor_as(A::RequestMaterial)
            .effect(Effect::Track)
            .describe("QD-004 §5.2.2.4 (004 L659): QM, then planning manager")
        },
    )
    .transition(
        S::MaterialRequisition,
        A::IssueMaterial,
        S::MaterialRequisition,
        |t| {
            t.roles([R::Warehouse])
                .guard(Guard::RequisitionApproved)
                .guard(Guard::MaterialNotIssued)
                .effect(Effect::Track)
                .describe("QD-004 §5.2.2.4 (004 L659): 仓库按《客诉领料申请单》出货")
        },
    )
    .transition(S::MaterialRequisition, A::InspectMaterial, S::BurnIn, |t| {
        t.roles([R::Cqe])
            .guard(Guard::MaterialIssued)
            .guard(Guard::BurnInRequired)
            .describe("QD-004 §5.2.2.4 (004 L659): power supply / module ⇒ burn-in")
    })
    .transition(
        S::MaterialRequisition,
        A::InspectMaterial,
        S::Remediation,
        |t| {
            t.roles([R::Cqe])
                .guard(Guard::MaterialIssued)
                .guard(Guard::BurnInNotRequired)
                .effect(Effect::GoodsReady)
                .describe("QD-004 §5.2.2.4 (004 L659): inspected, ready to ship")
        },
    )
    .transition(
        S::Remediation,
        A::RequestProduction,
        S::ProductionScheduling,
        |t| {
            with(t.roles([R::Cqe]), K::ProductionNotice)
                .effect(Effect::Track)
                .describe("QD-004 §5.2.2.5 (004 L666)")
        },
    )
    .transition(
        S::ProductionScheduling,
        A::ApproveProductionNotice,
        S::ProductionScheduling,
        |t| {
            t.sign_off(
                [R::QualityManager, R::VicePresident],
                SignOrder::Sequential,
                "校对确认 / 批准 《客诉排产通知单》 (QD-004 §5.2.2.5 (004 L666))",
            )
            // QD-004 §5.2.2.5 (004 L666): the signatures check and approve this production notice.
            .binds_form(K::ProductionNotice)
            .on_refuse(S::Remediation)
            .not_same_actor_as(A::RequestProduction)
            .effect(Effect::Track)
            .describe("QD-004 §5.2.2.5 (004 L666): QM, then VP")
        },
    )
    .transition(
        S::ProductionScheduling,
        A::EmailNotice,
        S::ProductionScheduling,
        |t| {
            t.roles([R::Cqe])
                .guard(Guard::NoticeApproved)
                .effect(Effect::Track)
                .describe("QD-004 §5.2.2.5 (004 L666): e-mailed to the strategic design centre and planning manager")
        },
    )
    .transition(
        S::ProductionScheduling,
        A::ProvideBom,
        S::ProductionScheduling,
        |t| {
            with(t.roles([R::StrategicDesignCenter]), K::BomRelease)
                .guard(Guard::NoticeEmailed)
                .effect(Effect::Track)
                .describe("QD-004 §5.2.2.5 (004 L666): BOM由战略设计中心提供")
        },
    )
    .transition(
        S::ProductionScheduling,
        A::ScheduleProduction,
        S::ProductionScheduling,
        |t| {
            t.roles([R::PlanningManager])
                .guard(Guard::NoticeEmailed)
                .guard(Guard::BomProvided)
                .effect(Effect::Track)
                .describe("QD-004 §5.2.2.5 (004 L666)")
        },
    )
    .transition(
        S::ProductionScheduling,
        A::RecordProductionDone,
        S::ProductionScheduling,
        |t| {
            t.roles([R::PlanningManager, R::Manufacturing])
                .guard(Guard::ProductionScheduled)
                .effect(Effect::Track)
                .describe("QD-004 §5.2.2.5 (004 L666): CQE tracks progress")
        },
    )
    .transition(S::ProductionScheduling, A::InspectOutput, S::BurnIn, |t| {
        t.roles([R::Cqe])
            .guard(Guard::ProductionDone)
            .guard(Guard::BurnInRequired)
            .describe("QD-004 §5.2.2.5, §5.2.2.4 (004 L666, L659)")
    })
    .transition(
        S::ProductionScheduling,
        A::InspectOutput,
        S::Remediation,
        |t| {
            t.roles([R::Cqe])
                .guard(Guard::ProductionDone)
                .guard(Guard::BurnInNotRequired)
                .effect(Effect::GoodsReady)
                .describe("QD-004 §5.2.2.5 (004 L666): 生产好检验合格后发货")
        },
    )
}

/// Remediation hub, part 3: the repair, burn-in, scrap, parts back to stock and shipping (`QD-004 §5.2.2.6 (004 L667)`, `QD-004 §5.2.2.4 (004 L659)`, `QD-004 §9 note 1 (004 L507)/QD-004 §9 note 1 (004 L625)`, `QD-004 §5.2.2.3 (004 L658)`).
fn repair_burn_in_and_scrap(b: Builder) -> Builder {
    b.transition(
        S::Remediation,
        A::RequestRepair,
        S::ManufacturingRepair,
        |t| {
            with(t.roles([R::Cqe]), K::WorkLiaison)
                .guard(Guard::RequisitionJustified)
                .effect(Effect::Track)
                .describe("QD-004 §5.2.2.6 (004 L667): slow-moving stock first")
        },
    )
    .transition(
        S::ManufacturingRepair,
        A::ApproveWorkLiaison,
        S::ManufacturingRepair,
        |t| {
            t.sign_off(
                [R::QualityManager, R::RelatedDepartmentLeader],
                SignOrder::Sequential,
                "批准 / 签字 《工作联系单》 (QD-004 §5.2.2.6 (004 L667))",
            )
            // QD-004 §5.2.2.6 (004 L667): the signatures approve this work liaison form.
            .binds_form(K::WorkLiaison)
            .on_refuse(S::Remediation)
            .not_same_actor_as(A::RequestRepair)
            .effect(Effect::Track)
            .describe("QD-004 §5.2.2.6 (004 L667): QM, then the related department leader")
        },
    )
    .transition(
        S::ManufacturingRepair,
        A::ApproveRequisition,
        S::ManufacturingRepair,
        |t| {
            t.sign_off(
                [R::QualityManager, R::PlanningManager],
                SignOrder::Sequential,
                "confirm 《客诉领料申请单》 (QD-004 §5.2.2.4, §5.2.2.6 (004 L659, L667))",
            )
            // QD-004 §5.2.2.4, §5.2.2.6 (004 L659, L667): the same requisition form as from the requisition state.
            .binds_form(K::MaterialRequisition)
            .on_refuse(S::Remediation)
            .not_same_actor_as(A::RequestRepair)
            .guard(Guard::RepairUsesRequisition)
            .effect(Effect::Track)
            .describe("QD-004 §5.2.2.6, §5.2.2.4 (004 L667, L659)")
        },
    )
    .transition(
        S::ManufacturingRepair,
        A::SupplyMaterial,
        S::ManufacturingRepair,
        |t| {
            t.roles([R::Cqe, R::Warehouse])
                .guard(Guard::LiaisonApproved)
                .guard(Guard::RepairMaterialReady)
                .effect(Effect::Track)
                .describe("QD-004 §5.2.2.6 (004 L667): 物料由CQE提供")
        },
    )
    .transition(
        S::ManufacturingRepair,
        A::HandOverRepaired,
        S::BurnIn,
        |t| {
            t.roles([R::Manufacturing])
                .guard(Guard::RepairMaterialSupplied)
                .guard(Guard::BurnInRequired)
                .describe("QD-004 §5.2.2.6 (004 L667)")
        },
    )
    .transition(
        S::ManufacturingRepair,
        A::HandOverRepaired,
        S::Remediation,
        |t| {
            t.roles([R::Manufacturing])
                .guard(Guard::RepairMaterialSupplied)
                .guard(Guard::BurnInNotRequired)
                .effect(Effect::GoodsReady)
                .describe("QD-004 §5.2.2.6 (004 L667): 制造部返修并检验合格好后交由CQE")
        },
    )
    .transition(S::BurnIn, A::RecordBurnInPass, S::Remediation, |t| {
        t.roles([R::Manufacturing, R::Cqe])
            .effect(Effect::GoodsReady)
            .describe("QD-004 §5.2.2.4, §5.2.2.6 (004 L659, L667): 按正常订单流程老化后发货")
    })
    .transition(S::BurnIn, A::RecordBurnInFail, S::Remediation, |t| {
        t.roles([R::Manufacturing, R::Cqe])
            .reason_required()
            .describe("ours")
    })
    .transition(S::Remediation, A::RequestScrap, S::ScrapApproval, |t| {
        with(t.roles([R::QualityDepartment, R::Cqe]), K::ScrapRequest)
            .effect(Effect::Track)
            .describe("QD-004 §5.2.2.3, §9 note 1 (004 L658, L507/L625): 由品质部填写《报废申请单》")
    })
    .transition(S::ScrapApproval, A::ApproveScrap, S::ScrapApproval, |t| {
        t.sign_off(
            [R::RelatedDepartmentLeader, R::AdcVicePresident],
            SignOrder::Sequential,
            "确认签字 / 批准 《报废申请单》 (QD-004 §9 note 1 (004 L507/L625))",
        )
        // QD-004 §9 note 1 (004 L507/L625): the signatures approve this scrap request form.
        .binds_form(K::ScrapRequest)
        .on_refuse(S::Remediation)
        .not_same_actor_as(A::RequestScrap)
        .not_same_actor_as(A::RecordFail)
        .excluding_role(R::OqcInspector)
        .effect(Effect::Track)
        .describe("QD-004 §9 note 1, §5.2.2.3 (004 L507/L625, L658): department leader, then ADC vice-president")
    })
    .transition(S::ScrapApproval, A::ExecuteScrap, S::Remediation, |t| {
        t.roles([R::WarehouseHead])
            .not_same_actor_as(A::ApproveScrap)
            .not_same_actor_as(A::RecordFail)
            .excluding_role(R::OqcInspector)
            .guard(Guard::ScrapApproved)
            .describe("QD-004 §9 note 1 (004 L507/L625): 送仓库负责人作处理")
    })
    .transition(S::Remediation, A::ReturnPartsToStock, S::Remediation, |t| {
        with(t.roles([R::Cqe, R::Manufacturing]), K::PartsReturn).describe("QD-004 §5.2.2.3 (004 L658)")
    })
    .transition(S::Remediation, A::ShipToCustomer, S::Remediation, |t| {
        with(t.roles([R::Cqe]), K::ShipmentRecord)
            .guard(Guard::GoodsReady)
            .effect(Effect::Track)
            .describe("QD-004 §5.2.2.4, §5.2.2.5, §5.2.2.6 (004 L659, L666, L667)")
    })
    .transition(
        S::Remediation,
        A::CompleteRemediation,
        S::CorrectiveAction,
        |t| {
            t.roles([R::Cqe])
                .guard(Guard::RemediationComplete)
                .describe("ours (QD-004 (004 L658–671) all dispositions done)")
        },
    )
}

/// Corrective action within Quality or by the responsible departments (`QD-004 §5.3.1, §5.3.2 (004 L588–589)`, `QD-004 §5.3.3 (004 L653)`).
fn corrective_action(b: Builder) -> Builder {
    b.transition(
        S::CorrectiveAction,
        A::ResolveWithinQuality,
        S::Implementation,
        |t| {
            with(t.roles([R::Cqe]), K::CorrectiveActionPlan)
                .form(K::EightDReport)
                .guard(Guard::EightDThroughD5)
                .describe("QD-004 §5.3.1 (004 L588): CQE analyses and handles independently; CE-CAPA §2.3 (002 L90–91)")
        },
    )
    .transition(
        S::CorrectiveAction,
        A::EscalateToDepartments,
        S::DepartmentAnalysis,
        |t| {
            with(t.roles([R::Cqe]), K::DepartmentEscalation)
                .effect(Effect::Track)
                .describe("QD-004 §5.3.1 (004 L588): e-document / meeting, responsible departments named")
        },
    )
    .transition(
        S::CorrectiveAction,
        A::ReopenRemediation,
        S::Remediation,
        |t| {
            t.roles([R::Cqe])
                .reason_required()
                .describe("ours (QD-004 §7.1 (004 L599))")
        },
    )
    .transition(
        S::DepartmentAnalysis,
        A::SubmitDepartmentAnalysis,
        S::DepartmentAnalysis,
        |t| {
            with(t.roles([R::ResponsibleDepartment]), K::CorrectiveActionPlan)
                .guard(Guard::DepartmentNamed)
                .effect(Effect::Track)
                .describe("QD-004 §5.3.2 (004 L589): cause and improvement measures to Quality")
        },
    )
    .transition(
        S::DepartmentAnalysis,
        A::RejectAnalysis,
        S::DepartmentAnalysis,
        |t| {
            t.roles([R::Cqe, R::QualityManager])
                .excluding_role(R::ResponsibleDepartment)
                .guard(Guard::AnalysisSubmitted)
                .reason_required()
                .effect(Effect::Track)
                .describe("INF QD-004 §5.3.3 (004 L653)")
        },
    )
    .transition(
        S::DepartmentAnalysis,
        A::AcceptAnalysis,
        S::Implementation,
        |t| {
            t.roles([R::Cqe, R::QualityManager])
                .excluding_role(R::ResponsibleDepartment)
                .not_same_actor_as(A::SubmitDepartmentAnalysis)
                .form(K::EightDReport)
                .guard(Guard::AnalysisSubmitted)
                .guard(Guard::EightDThroughD5)
                .describe("QD-004 §5.3.3 (004 L653): 若品质部认可责任部门的分析结果")
        },
    )
}

/// The 8D / measures review, the filtered reply through the ADC and the effectiveness check (`QD-004 §5.2.2.8 (004 L651)`, `QD-004 §5.3.4 (004 L654)/QD-004 §5.3.4 (004 L657)`, `QD-004 §3.6 (004 L628)`).
fn review_and_reply(b: Builder) -> Builder {
    b.transition(
        S::Implementation,
        A::SubmitForReview,
        S::ReportReview,
        |t| {
            with(t.roles([R::Cqe]), K::EightDReport)
                .guard(Guard::EightDThroughD7)
                .guard(Guard::OutgoingClassified)
                .effect(Effect::Track)
                .describe("QD-004 §5.3.3, §5.3.4, §5.2.2.8, §3.6 (004 L653–654, L651, L628)")
        },
    )
    .transition(S::ReportReview, A::ReferToVp, S::ReportReview, |t| {
        t.roles([R::QualityManager, R::QualityDepartmentHead])
            .reason_required()
            .effect(Effect::Track)
            .describe("QD-004 §5.2.2.8 (004 L651): 必要时报副总裁审阅 (adds the VP; signatures already given stand)")
    })
    .transition(S::ReportReview, A::ApproveReport, S::ReportReview, |t| {
        t.sign_off(
            [R::QualityManager, R::QualityDepartmentHead],
            SignOrder::Sequential,
            "审阅批准 8D / 处理措施 (QD-004 §5.2.2.8, §5.3.4 (004 L651, L654))",
        )
        // QD-004 §5.2.2.8, §5.3.4 (004 L651, L654): the reviewers approve this 8D report.
        .binds_form(K::EightDReport)
        .on_refuse(S::CorrectiveAction)
        .not_same_actor_as(A::SubmitForReview)
        .guard(Guard::VpReviewNotRequired)
        .effect(Effect::Track)
        .describe("QD-004 §5.2.2.8, §5.3.4 (004 L651, L654): QM, then department head")
    })
    .transition(S::ReportReview, A::ApproveReport, S::ReportReview, |t| {
        t.sign_off(
            [
                R::QualityManager,
                R::QualityDepartmentHead,
                R::VicePresident,
            ],
            SignOrder::Sequential,
            "审阅批准 8D / 处理措施 (QD-004 §5.2.2.8 (004 L651))",
        )
        // QD-004 §5.2.2.8, §5.3.4 (004 L651, L654): the reviewers approve this 8D report.
        .binds_form(K::EightDReport)
        .on_refuse(S::CorrectiveAction)
        .not_same_actor_as(A::SubmitForReview)
        .guard(Guard::VpReviewRequired)
        .effect(Effect::Track)
        .describe("QD-004 §5.2.2.8 (004 L651): QM, department head, then VP when needed")
    })
    .transition(S::ReportReview, A::ForwardToAdc, S::ReplyDispatch, |t| {
        with(t.roles([R::Cqe]), K::OutgoingReport)
            .guard(Guard::ReportApproved)
            .guard(Guard::ReportUnchanged)
            .guard(Guard::OutgoingReportMatches)
            .describe("QD-004 §5.2.2.8, §3.6 (004 L651, L628): 审阅批准后CQE方可以邮件方式发给应用设计中心")
    })
    .transition(
        S::ReplyDispatch,
        A::SendToCustomer,
        S::EffectivenessCheck,
        |t| {
            t.roles(ADC)
                .guard(Guard::AdcOfRegion)
                .guard(Guard::PackageUnchanged)
                .effect(Effect::Track)
                .describe("QD-004 §5.2.2.8, §5.3.4 (004 L651, L654): 由应用设计中心转发客户")
        },
    )
    .transition(
        S::EffectivenessCheck,
        A::ConfirmEffective,
        S::Handled,
        |t| {
            t.roles([R::Cqe])
                .form(K::EightDReport)
                .guard(Guard::EightDEffective)
                .describe("QD-004 §5.3.4 (004 L654/L657)")
        },
    )
    .transition(
        S::EffectivenessCheck,
        A::RecordIneffective,
        S::CorrectiveAction,
        |t| {
            t.roles([R::Cqe, R::AdcDomestic, R::AdcInternational])
                .guard(Guard::AdcOfRegionIfAdc)
                .reason_required()
                .effect(Effect::Track)
                .describe("QD-004 §5.3.4 (004 L654/L657): 若无效果,则重新分析原因,直至有效为止")
        },
    )
}

/// Handled to closed: ledger, satisfaction, the closure re-check (`QD-004 §9 note 2 (004 L508/L626)`, `QD-004 §8 (004 L623)`).
fn closure(b: Builder) -> Builder {
    b.transition(S::Handled, A::RecordLedger, S::Handled, |t| {
        with(t.roles([R::QualityDepartment, R::Cqe]), K::LedgerEntry)
            .effect(Effect::Track)
            .describe("QD-004 §9 note 2 (004 L508/L626): 客诉处置台账 + T6")
    })
    .transition(S::Handled, A::RecordSatisfaction, S::Handled, |t| {
        with(t.roles(ADC), K::SatisfactionRecord)
            .guard(Guard::AdcOfRegion)
            .effect(Effect::Track)
            .describe("QD-004 §8 (004 L623)")
    })
    .transition(S::Handled, A::VerifyClosure, S::Closed, |t| {
        with(t.roles([R::Cqe, R::QualityDepartment]), K::ClosureRecheck)
            .guard(Guard::ClosureReady)
            .describe("QD-004 §8 (004 L623): 处理完成后的1月内再次跟踪异常的关闭情况")
    })
    .transition(S::Handled, A::Reopen, S::CorrectiveAction, |t| {
        t.roles([R::Cqe])
            .guard(Guard::VerdictIsFail)
            .reason_required()
            .effect(Effect::Track)
            .describe("ours (QD-004 §8 (004 L623) re-check finds it open)")
    })
}

/// The obligations, self-loops in the states where the case waits: improvement evidence, the
/// 8D drafts, urgency (a sign-off by the company leadership), a late 8D request, spares and
/// defectives, supplier replenishment and cost lines (`QD-004 §4.3, §4.4, §8 (004 L620–623)`, `QD-004 §7.1.1 (004 L600)`, `QD-004 §5.2.2.2 (004 L671)`).
fn obligations(mut b: Builder) -> Builder {
    for s in [S::EffectivenessCheck, S::Handled] {
        b = b
            .transition(s, A::RecordPlanAcceptance, s, |t| {
                with(t.roles(ADC), K::PlanAcceptance)
                    .guard(Guard::AdcOfRegion)
                    .guard(Guard::PlanOnFile)
                    .describe(
                        "CC-PROC §5.2.2 (004 L480): 若顾客同意该方案…作为以后同类产品改进的依据",
                    )
            })
            .transition(s, A::ProvideImprovementEvidence, s, |t| {
                with(t.roles([R::Cqe]), K::ImprovementEvidence)
                    .guard(Guard::EvidenceClassified)
                    .effect(Effect::Track)
                    .describe("QD-004 §8, §3.6 (004 L623, L628)")
            })
            .transition(s, A::ForwardEvidence, s, |t| {
                with(t.roles(ADC), K::OutgoingReport)
                    .guard(Guard::AdcOfRegion)
                    .guard(Guard::EvidencePending)
                    .guard(Guard::OutgoingReportMatches)
                    .effect(Effect::Track)
                    .describe("QD-004 §8, §3.6 (004 L623, L628)")
            });
    }
    b = b.transition(S::Remediation, A::PlaceRemakeOrder, S::Remediation, |t| {
        with(t.roles([R::Salesperson]), K::RemakeOrder)
            .describe("RET-PC handling item 3 (004 L21): 无法进行返修时…由业务下单重做")
    });
    for s in DOWNGRADE_STATES {
        b = b.transition(s, A::DowngradeSeverity, s, |t| {
            with(t.roles([R::Cqe]), K::SeverityDowngrade)
                .guard(Guard::SeriousNow)
                .describe("QD-004 §3.7 (004 L662): 非产品功能问题的客户投诉为一般客诉")
        });
    }
    for s in UPDATE_8D_STATES {
        b = b.transition(s, A::UpdateEightD, s, |t| {
            with(t.roles([R::Cqe]), K::EightDReport)
                .describe("QD-004 §5.2.2.7, §5.2.2.8 (004 L650, L651): CQE整理")
        });
    }
    for s in URGENT_STATES {
        b = b
            .transition(s, A::RequestUrgent, s, |t| {
                with(
                    t.roles([R::AdcDomestic, R::AdcInternational, R::Cqe]),
                    K::SpecialApprovalRequest,
                )
                .guard(Guard::AdcOfRegionIfAdc)
                .guard(Guard::FirstReplyPending)
                .guard(Guard::UrgentNotGranted)
                .effect(Effect::Track)
                .describe("QD-004 §8 (004 L623)")
            })
            .transition(s, A::GrantUrgent, s, |t| {
                t.sign_off(
                    [R::CompanyLeadership],
                    SignOrder::Sequential,
                    "特批 urgent handling (QD-004 §8 (004 L623))",
                )
                // QD-004 §8 (004 L623): leadership grants the special-approval request as filed.
                .binds_form(K::SpecialApprovalRequest)
                .not_same_actor_as(A::RequestUrgent)
                .guard(Guard::FirstReplyPending)
                .guard(Guard::UrgentRequested)
                .guard(Guard::UrgentNotGranted)
                .effect(Effect::Track)
                .describe("QD-004 §8 (004 L623): 经公司领导特批")
            });
    }
    for s in RELEASE_STATES {
        b = b.transition(s, A::ReleaseText, s, |t| {
            with(t.roles([R::QualityManager]), K::TextRelease)
                .not_same_actor_as(A::SubmitForReview)
                .describe(
                    "QD-004 §3.6 (004 L628) (§3.6): free text goes out only as released; ours",
                )
        });
    }
    for s in CUSTOMER_8D_STATES {
        b = b.transition(s, A::RecordCustomer8dRequest, s, |t| {
            t.roles(ADC)
                .guard(Guard::AdcOfRegion)
                .effect(Effect::Track)
                .describe("QD-004 §4.3, §5.2.2.8 (004 L620, L651)")
        });
    }
    for s in HUB_STATES {
        b = b
            .transition(s, A::ShipSpares, s, |t| {
                with(t.roles([R::QualityDepartment, R::Cqe]), K::SparesShipment)
                    .guard(Guard::ReturnExpected)
                    .describe("QD-004 §4.4 (004 L621)")
            })
            .transition(s, A::ShipSparesNoReturn, s, |t| {
                with(t.roles([R::QualityDepartment, R::Cqe]), K::SparesShipment)
                    .guard(Guard::RegionInternational)
                    .guard(Guard::NoReturnDecided)
                    .describe("QD-004 §4.4 (004 L621): 国际…根据具体客诉情况确定是否退回")
            })
            .transition(s, A::RecordDefectivesReturned, s, |t| {
                with(t.roles([R::Cqe, R::Warehouse]), K::DefectivesReturn)
                    .guard(Guard::ReturnSettlesOutstanding)
                    .describe("QD-004 §4.4 (004 L621): 1个月内退回")
            })
            .transition(s, A::RecordPartialReturn, s, |t| {
                with(t.roles([R::Cqe, R::Warehouse]), K::DefectivesReturn)
                    .guard(Guard::ReturnPartial)
                    .describe("QD-004 §4.4 (004 L621): part of the replaced defectives back")
            })
            .transition(s, A::WriteOffDefectives, s, |t| {
                with(t.roles([R::QualityManager]), K::DefectivesWriteOff)
                    .guard(Guard::ReturnSettlesOutstanding)
                    .describe("ours")
            })
            .transition(s, A::RecordSupplierReplenishment, s, |t| {
                with(t.roles([R::Cqe, R::QualityDepartment]), K::Replenishment)
                    .guard(Guard::ReplenishmentOpen)
                    .effect(Effect::Track)
                    .describe("QD-004 §7.1.1, §5.2.2.1 (004 L600, L670): 换货、补货")
            })
            .transition(s, A::RecordCostLine, s, |t| {
                with(t.roles([R::Cqe, R::QualityDepartment]), K::CostEntry)
                    .effect(Effect::Track)
                    .describe("QD-004 §5.2.2.2, §6.2.2, §5.4 (004 L671, L493, L602)")
            })
            .transition(s, A::ConfirmCostLines, s, |t| {
                t.roles([R::QualityManager])
                    .guard(Guard::CostsUnconfirmed)
                    .guard(Guard::ConfirmerNotRecorder)
                    .effect(Effect::Track)
                    .describe("QD-004 §5.2.2.2 (004 L671): 经确认后计入销售成本")
            });
    }
    b
}

/// The time limits of §8 (`QD-004 §4.4, §8 (004 L621–623)`), §7 (`QD-004 §7.1.2 (004 L601)`) and the closure re-check, each with
/// the reading of `Config`.
fn deadlines(mut b: Builder, cfg: &Config) -> Builder {
    b = cc_proc_reply_deadlines(b, cfg);
    let replies = REPLIES;
    let with_replies = |mut d: DeadlineSpec| {
        for a in replies {
            d = d.met_on(Trigger::action(a));
        }
        d
    };
    b = b
        .deadline(
            DeadlineSpec::new(D::Response, Trigger::enter(S::Submitted), cfg.response)
                .owner(R::Cqe)
                .escalate(EscalationSpec::notify([R::Cqe, R::QualityManager]))
                .describe("QD-004 §8 (004 L623): 一个工作日内积极响应"),
        )
        .deadline(
            DeadlineSpec::new(
                D::Analysis,
                Trigger::action(A::Submit),
                cfg.analysis_domestic,
            )
            .met_on(Trigger::action(A::RecordPass))
            .met_on(Trigger::action(A::RecordPassRestock))
            .met_on(Trigger::action(A::RecordFail))
            .owner(R::Cqe)
            .escalate(EscalationSpec::notify([R::QualityManager]))
            .describe("QD-004 §8 (004 L623): 自国内应用设计中心开出《处理单》起3个工作日内完成分析"),
        )
        .deadline(with_replies(
            DeadlineSpec::new(
                D::SolveAndReply,
                Trigger::action(A::Submit),
                cfg.solve_reply_domestic,
            )
            .owner(R::QualityDepartment)
            .escalate(EscalationSpec::notify([
                R::QualityManager,
                R::QualityDepartmentHead,
                R::AdcDomestic,
            ]))
            .describe("QD-004 §8 (004 L623): 7个工作日内解决问题并回复"),
        ))
        .deadline(with_replies(
            DeadlineSpec::new(
                D::InternationalSolution,
                Trigger::action(A::SubmitInternational),
                cfg.solution_international.limit(),
            )
            .warn_at(cfg.solution_international.target())
            .owner(R::QualityDepartment)
            .escalate(EscalationSpec::notify([
                R::QualityManager,
                R::QualityDepartmentHead,
                R::AdcInternational,
            ]))
            .describe("QD-004 §8 (004 L623): 国际…15-30个工作日内给出解决方案"),
        ))
        .deadline(with_replies(
            DeadlineSpec::new(
                D::UrgentReply,
                Trigger::action(A::GrantUrgent),
                DurationSpec::Select {
                    selector: "reply_limit".into(),
                    cases: BTreeMap::from([
                        (
                            "domestic_urgent".to_owned(),
                            cfg.urgent_solve_reply_domestic,
                        ),
                        (
                            "international_urgent".to_owned(),
                            cfg.urgent_plan_international,
                        ),
                    ]),
                    default: None,
                },
            )
            // QD-004 §8 (004 L623): 「自…开出《客诉、客退产品处理单》起」 is the one anchor of
            // the sentence; the grant starts the clock, the limit counts from the form's
            // issue (the start of the normal clock, started by the submission).
            .anchored_after(AnchorSource::clock_start([
                D::SolveAndReply,
                D::InternationalSolution,
            ]))
            .owner(R::QualityDepartment)
            .escalate(EscalationSpec::notify([
                R::QualityManager,
                R::QualityDepartmentHead,
                R::CompanyLeadership,
            ]))
            .describe(
                "QD-004 §8 (004 L623): 紧急情况下经公司领导特批后 2 (domestic) / 3 (international) 个工作日, counted from the handling form",
            ),
        ))
        .deadline(
            DeadlineSpec::new(
                D::Supplier8d,
                Trigger::action(A::ReturnToSupplier),
                cfg.supplier_8d,
            )
            .met_on(Trigger::action(A::RecordSupplier8d))
            .owner(R::Cqe)
            .escalate(EscalationSpec::notify([R::Cqe, R::QualityManager]))
            .describe("QD-004 §7.1.2 (004 L601): 供应商在2个工作日内回复8D报告和具体的处理方案"),
        )
        .deadline(
            DeadlineSpec::new(
                D::DefectivesReturn,
                Trigger::action(A::ShipSpares),
                DurationSpec::Select {
                    selector: "defectives_return_limit".into(),
                    cases: BTreeMap::from([
                        ("domestic".to_owned(), cfg.defectives_return_domestic),
                        (
                            "international".to_owned(),
                            cfg.defectives_return_international,
                        ),
                    ]),
                    default: None,
                },
            )
            .met_on(Trigger::action(A::RecordDefectivesReturned))
            .met_on(Trigger::action(A::WriteOffDefectives))
            .owner(R::Cqe)
            .escalate(EscalationSpec::notify([R::Cqe]))
            .describe("QD-004 §4.4 (004 L621): 替换后的不良品1个月内退回"),
        )
        .deadline(
            DeadlineSpec::new(
                D::ClosureRecheck,
                Trigger::enter(S::Handled),
                cfg.closure_recheck,
            )
            .met_on(Trigger::action(A::VerifyClosure))
            .owner(R::Cqe)
            .escalate(EscalationSpec::notify([R::QualityManager]))
            .describe("QD-004 §8 (004 L623): 处理完成后的1月内再次跟踪异常的关闭情况"),
        );
    if let Some(d) = cfg.containment {
        b = b.deadline(
            DeadlineSpec::new(D::Containment, Trigger::enter(S::Containment), d)
                .owner(R::QualityDepartment)
                .describe("QD-004 §5.3 (004 L652): 立即"),
        );
    }
    if let Some(d) = cfg.department_analysis {
        b = b.deadline(
            DeadlineSpec::new(
                D::DepartmentAnalysis,
                Trigger::enter(S::DepartmentAnalysis),
                d,
            )
            .owner(R::ResponsibleDepartment)
            .describe("QD-004 §5.3.2 (004 L589): 尽快"),
        );
    }
    b
}

/// The reply limits of CC-PROC §5.2.1–§5.2.2 (004 L478–481): the not-liable finding within 1
/// working day of the analysis; the liable reply, nothing returned, within 2 working days of
/// the approval.
fn cc_proc_reply_deadlines(b: Builder, cfg: &Config) -> Builder {
    b.deadline(
        DeadlineSpec::new(
            D::NotLiableFeedback,
            Trigger::leave(S::Analysis),
            cfg.not_liable_feedback,
        )
        .start_if(StartIf::data("/verdict", "pass"))
        .met_on(Trigger::action(A::ReplyToCustomer))
        .runs(Runs::UntilMet)
        .owner(R::QualityDepartment)
        .escalate(EscalationSpec::notify([
            R::QualityManager,
            R::AdcDomestic,
            R::AdcInternational,
        ]))
        .describe("CC-PROC §5.2.1 (004 L478): 若非本公司造成的应…于一个工作日内反馈客户"),
    )
    .deadline(
        DeadlineSpec::new(
            D::LiableReply,
            Trigger::action(A::ApproveReport),
            cfg.liable_reply_no_return,
        )
        .start_if(StartIf::form(K::HandlingForm, "/goods_returned", false))
        .met_on(Trigger::action(A::SendToCustomer))
        .owner(R::QualityDepartment)
        .escalate(EscalationSpec::notify([
            R::QualityManager,
            R::QualityDepartmentHead,
        ]))
        .describe("CC-PROC §5.2.2 (004 L480): 本公司之责任,不需退货的…经核准后两个工作日回复客户"),
    )
}
