//! The builder: states, transitions, sign-offs and deadlines, by phase of the document.

use super::config::{Config, ReplacementPolicy};
use super::{Action, Deadline, Effect, FormKind, Guard, ID, Role, State, VERSION};
use crate::SignOrder;
use crate::Vocabulary;
use crate::{AnchorSource, DeadlineSpec, DurationSpec, EscalationSpec, StartIf, Trigger};
use crate::{Builder, BusinessDuration, TransitionBuilder};
use std::collections::BTreeMap;

/// The states where the replacement track's actions are available: from the announcement
/// on under replace-first (RF-PROP §3 (004 L48–52)), from the inspection report on under
/// investigate-first (RET-HRS (004 L376–381)). Sign-off states are left out: a self-loop there would
/// clear the signatures being collected.
pub fn replacement_states(policy: ReplacementPolicy) -> &'static [State] {
    use State::*;
    const ALL: &[State] = &[
        Announced,
        AtFactory,
        Received,
        AtCqe,
        UnderInspection,
        Inspected,
        Judged,
        AwaitingConcession,
        SalesNegotiation,
        ReworkPlanning,
        InRework,
        PostReworkCheck,
        Disassembled,
        AwaitingDisposalPlan,
        ReuseCheck,
        Settling,
    ];
    match policy {
        ReplacementPolicy::ReplaceFirst => ALL,
        ReplacementPolicy::InvestigateFirst => &ALL[5..],
    }
}

/// States where the leadership's special approval of urgent handling (特批) is signed: from
/// the handling form to the inspection report (QD-004 §8 (004 L623)).
const URGENT_STATES: [State; 3] = [State::AtCqe, State::UnderInspection, State::Inspected];

fn select(pointer: &str, cases: &[(&str, BusinessDuration)]) -> DurationSpec {
    DurationSpec::Select {
        selector: pointer.to_owned(),
        cases: cases
            .iter()
            .map(|(k, d)| ((*k).to_owned(), *d))
            .collect::<BTreeMap<_, _>>(),
        default: None,
    }
}

/// The definition as a builder (states, transitions, deadlines), before validation.
pub fn builder(config: &Config) -> Builder {
    let b = states(Builder::new(ID, VERSION), config);
    let b = intake(b, config);
    let b = judgement(b);
    let b = rework(b, config);
    let b = restock(b, config);
    let b = scrap_and_reuse(b, config);
    let b = settlement(b);
    let b = loans(b);
    let b = replacement(b, config);
    // CC-PROC §5.2.5 (004 L486): the customer's consent is attached by whoever carries the
    // plan or the scrap forward.
    let b = b.attach(
        FormKind::CustomerConsent,
        [
            Action::RequestReworkPlan,
            Action::AgreeRepair,
            Action::DeclineReworkPlan,
            Action::IssueReworkPlan,
            Action::Disassemble,
            Action::FileScrap,
            Action::SubmitDisposalPlan,
            Action::ExecuteScrap,
        ],
    );
    deadlines(b, config)
}

fn states(b: Builder, config: &Config) -> Builder {
    use State as S;
    b.roles(Role::ALL.iter())
        .start_roles([
            Role::ApplicationDesignCenter,
            Role::Sales,
            Role::CustomerServiceSpecialist,
            Role::ProductionControl,
        ])
        .override_roles(config.override_roles.iter())
        .initial(S::Draft)
        .describe_state("case opened")
        .normal(S::Announced)
        .describe_state("退货通知 to production control (RET-PC step 2 (004 L9))")
        .normal(S::AtFactory)
        .describe_state("退货回厂 (RET-PROC §5.8 (004 L144))")
        .normal(S::Received)
        .describe_state("点收, 维修单号 (RET-PC step 1 (004 L8))")
        .normal(S::AtCqe)
        .describe_state("with the CQE (QD-004 §6.1 (004 L604))")
        .normal(S::UnderInspection)
        .describe_state("classified, inspecting (RET-HRS; QD-004 §6.2 (004 L397, L491))")
        .normal(S::Inspected)
        .describe_state("result on the handling form (QD-004 §6.2.1, §6.2.2 (004 L492–493))")
        .normal(S::Judged)
        .describe_state("责任判定 approved (RET-PC step 3, §4.2.2 (004 L12, L16))")
        .normal(S::AwaitingConcession)
        .describe_state("让步接受 pending (RET-HRS (004 L397))")
        .normal(S::SalesNegotiation)
        .describe_state("sales and the customer (RET-PC handling item 2, step 4 (004 L20, L34))")
        .normal(S::ReworkPlanning)
        .describe_state("design center's handling plan (QD-004 §6.2.2 (004 L493))")
        .normal(S::ReworkApproval)
        .describe_state("《工作联系单》 (QD-004 §5.2.2.6 (004 L667))")
        .normal(S::InRework)
        .describe_state("manufacturing repairs (QD-004 §5.2.2.6 (004 L667))")
        .normal(S::PostReworkCheck)
        .describe_state("CQE re-check, aging (QD-004 §5.2.2.4, §5.2.2.6 (004 L659, L667))")
        .normal(S::Disassembled)
        .describe_state("parts sorted (QD-004 §6.2.2 (004 L493))")
        .normal(S::RestockSignOff)
        .describe_state("《客诉退料申请单》 (QD-004 §6.2.1 (004 L492))")
        .normal(S::AwaitingDisposalPlan)
        .describe_state("整灯处理方案 (QD-004 §6.2.1 (004 L492))")
        .normal(S::ScrapSignOff)
        .describe_state("《报废申请单》 (QD-004 §9 note 1; RET-PROC §5.10 (004 L507, L152))")
        .normal(S::ReuseCheck)
        .describe_state("只退不补品 (RET-PC handling item 4 (004 L31))")
        .normal(S::Settling)
        .describe_state("free/charged, debit, claims, replacement")
        .normal(S::FollowUp)
        .describe_state("1-month closure re-check (QD-004 §8 (004 L623))")
        .normal(S::OnLoan)
        .describe_state("客借 (QD-004 §3.4 (004 L586))")
        .normal(S::LoanOverdue)
        .describe_state("loan past its term (ours)")
        .terminal(S::Closed)
        .terminal(S::Cancelled)
}

fn intake(b: Builder, config: &Config) -> Builder {
    use Action as A;
    use Role as R;
    use State as S;
    let announcers = [
        R::ApplicationDesignCenter,
        R::Sales,
        R::CustomerServiceSpecialist,
    ];
    let submitters: Vec<Role> = if config.production_control_may_submit {
        vec![R::ApplicationDesignCenter, R::ProductionControl]
    } else {
        vec![R::ApplicationDesignCenter]
    };
    let receive = |t: TransitionBuilder| {
        t.roles([R::ProductionControl])
            .form(FormKind::ReceiptRecord)
            .guard(Guard::ReceiptCounted)
            .describe("RET-PC step 1, step 2; RET-CTRL §3.5; RET-PMC (004 L8, L9, L284, L539)")
    };
    let mut b = b
        .transition(S::Draft, A::Announce, S::Announced, |t| {
            t.roles(announcers)
                .form(FormKind::ReturnNotice)
                .guard(Guard::CaseAnnounceable)
                .describe("RET-PC step 2; RET-HRS (004 L9, L400)")
        })
        .transition(S::Draft, A::Lend, S::OnLoan, |t| {
            t.roles([R::ApplicationDesignCenter])
                .guard(Guard::LoanTermsValid)
                .effect(Effect::RecordLoan)
                .describe("QD-004 §3.4 (004 L586); term ours")
        })
        .transition(S::Draft, A::Receive, S::Received, |t| {
            t.roles([R::ProductionControl])
                .form(FormKind::ReceiptRecord)
                .guard(Guard::UnannouncedReceipt)
                .guard(Guard::ReceiptCounted)
                .effect(Effect::RecordUnannouncedReceipt)
                .describe("RET-PC step 2; RET-PROC §7 (004 L9, L156)")
        })
        .transition(S::Announced, A::CollectFromDepot, S::AtFactory, |t| {
            t.roles([R::StorageTransport, R::DeliveryPerson])
                .form(FormKind::FactoryArrival)
                .describe("RET-PROC §5.8; RET-PMC (004 L144, L547–549)")
        })
        .transition(S::Announced, A::Receive, S::Received, receive)
        .transition(S::AtFactory, A::Receive, S::Received, receive);
    for from in [S::Draft, S::Announced] {
        b = b
            .transition(from, A::RequestQualityCommunication, from, |t| {
                t.roles([
                    R::Sales,
                    R::CustomerServiceSpecialist,
                    R::ApplicationDesignCenter,
                ])
                .describe("RET-HRS (004 L390–396, L400) 客户沟通")
            })
            .transition(from, A::RecordCustomerCommunication, from, |t| {
                t.roles([R::QualityManager, R::Cqe])
                    .form(FormKind::CustomerCommunication)
                    .guard(Guard::CommunicationRequested)
                    .describe("RET-HRS (004 L390–396) 双方品质担当")
            });
    }
    for from in [S::Draft, S::Announced] {
        b = b.transition(from, A::Cancel, S::Cancelled, |t| {
            t.roles(announcers)
                .guard(Guard::Cancellable)
                .describe("ours")
        });
    }
    b.transition(S::Received, A::SubmitToCqe, S::AtCqe, |t| {
        t.roles(&submitters)
            .form(FormKind::HandlingForm)
            .guard(Guard::HandlingFormMatchesReceipt)
            .describe("QD-004 §6.1; RET-PC step 1 (004 L604, L8)")
    })
}

fn judgement(b: Builder) -> Builder {
    use Action as A;
    use Role as R;
    use State as S;
    let mut b = b
        .transition(S::AtCqe, A::Classify, S::UnderInspection, |t| {
            t.roles([R::Cqe])
                .form(FormKind::Classification)
                .effect(Effect::RecordCategory)
                .describe("RET-HRS (004 L397, L368)")
        })
        .transition(S::UnderInspection, A::RecordInspection, S::Inspected, |t| {
            t.roles([R::Cqe])
                .form(FormKind::InspectionRecord)
                .guard(Guard::InspectionAttached)
                .describe("QD-004 §6.2, §5.2.2; RET-PROC §5.8 (004 L491–493, L510, L144)")
        })
        .transition(S::Inspected, A::DraftJudgement, S::Inspected, |t| {
            t.roles([R::Cqe])
                .form(FormKind::ResponsibilityJudgement)
                .guard(Guard::JudgementConsistent)
                .describe("RET-PC step 3, §4.2.2, handling item 4; RET-PROC (004 L12, L16, L31, L146–150)")
        })
        .transition(S::Inspected, A::ApproveJudgement, S::Judged, |t| {
            t.roles([R::QualityManager])
                .effect(Effect::RecordLiability)
                .not_same_actor_as(A::DraftJudgement)
                .excluding_role(R::Sales)
                .excluding_role(R::ApplicationDesignCenter)
                .form(FormKind::ResponsibilityJudgement)
                .guard(Guard::JudgementCurrent)
                .describe("RET-PC step 3 (004 L12); approver INF QD-004 §5.3.4 (004 L654)")
        });
    for s in URGENT_STATES {
        b = b.transition(s, A::GrantUrgent, s, |t| {
            t.sign_off(
                [R::CompanyLeadership],
                SignOrder::Sequential,
                "特批 urgent handling (QD-004 §8 (004 L623))",
            )
            .guard(Guard::NotUrgentYet)
            .describe("QD-004 §8 (004 L623) 特批")
        });
    }
    b.transition(S::Judged, A::OpenNegotiation, S::SalesNegotiation, |t| {
        t.roles([R::Cqe, R::QualityManager])
            .guard(Guard::RouteNegotiation)
            .describe("RET-PC §4.2.2, handling item 2, step 4 (004 L16, L20, L34)")
    })
    .transition(
        S::Judged,
        A::RequestConcession,
        S::AwaitingConcession,
        |t| {
            t.roles([R::QualityManager])
                .not_same_actor_as(A::RecordInspection)
                .form(FormKind::ConcessionRequest)
                .guard(Guard::ConcessionRequestable)
                .describe("RET-HRS (004 L397) 让步接受")
        },
    )
    .transition(
        S::AwaitingConcession,
        A::RecordConcessionOutcome,
        S::Judged,
        |t| {
            t.roles([R::ConcessionLink])
                .form(FormKind::ConcessionOutcome)
                .guard(Guard::ConcessionOutcomeMatches)
                .describe(
                    "RET-HRS (004 L397): granted → released as is; refused → by the judgement",
                )
        },
    )
    .transition(S::Judged, A::FileRestock, S::RestockSignOff, |t| {
        t.roles([R::Cqe])
            .form(FormKind::RestockApplication)
            .guard(Guard::RouteRestock)
            .guard(Guard::RestockQtyMatches)
            .effect(Effect::ResetRestock)
            .describe("QD-004 §6.2.1, §5.2.1.1 item 2 (004 L492, L649)")
    })
    .transition(S::Judged, A::RequestReworkPlan, S::ReworkPlanning, |t| {
        t.roles([R::Cqe])
            .guard(Guard::RouteRework)
            .effect(Effect::ResetRework)
            .describe("QD-004 §6.2.2, §5.2.2 (004 L493, L510)")
    })
    .transition(S::Judged, A::SendToReuseCheck, S::ReuseCheck, |t| {
        t.roles([R::Cqe])
            .guard(Guard::RouteReuseCheck)
            .describe("RET-PC handling item 4 (004 L31)")
    })
    .transition(
        S::SalesNegotiation,
        A::AgreeRepair,
        S::ReworkPlanning,
        |t| {
            t.roles([R::Sales])
                .form(FormKind::NegotiationRecord)
                .guard(Guard::NegotiatedRepair)
                .effect(Effect::ResetRework)
                .describe("RET-PC handling item 2, step 4; RET-PMC (004 L20, L34, L542)")
        },
    )
    .transition(S::SalesNegotiation, A::AcceptReturn, S::Judged, |t| {
        t.sign_off(
            [R::Sales, R::GmOffice],
            SignOrder::Sequential,
            "accept the disputed return (RET-PC step 4; RET-PMC (004 L34, L545–546))",
        )
        // RET-PC step 4; RET-PMC (004 L34, L545–546): the return is accepted as the negotiation record states it.
        .binds_form(FormKind::NegotiationRecord)
        .form(FormKind::NegotiationRecord)
        .guard(Guard::NegotiatedAcceptance)
        .describe("RET-PC step 4; RET-PMC (004 L34, L545–546)")
    })
    .transition(
        S::SalesNegotiation,
        A::CustomerTakesBack,
        S::Settling,
        |t| {
            t.roles([R::Sales])
                .form(FormKind::NegotiationRecord)
                .form(FormKind::ShipBackRecord)
                .guard(Guard::NegotiatedTakeBack)
                .describe("RET-PC handling item 2 (004 L20)")
        },
    )
}

fn rework(b: Builder, config: &Config) -> Builder {
    use Action as A;
    use Role as R;
    use State as S;
    // RET-PROC §5.9 (004 L145): customer service may place the repair order, by configuration.
    let liaison_filers: Vec<Role> = if config.repair_order_by_customer_service {
        vec![R::Cqe, R::CustomerServiceSpecialist]
    } else {
        vec![R::Cqe]
    };
    b.transition(
        S::ReworkPlanning,
        A::DeclineReworkPlan,
        S::ReworkPlanning,
        |t| {
            t.roles([R::ApplicationDesignCenter])
                .reason_required()
                .effect(Effect::RecordAdcDecline)
                .describe("QD-004 §6.2.2 (004 L493) 若无法出具")
        },
    )
    .transition(
        S::ReworkPlanning,
        A::IssueReworkPlan,
        S::ReworkApproval,
        |t| {
            t.roles([R::ApplicationDesignCenter])
                .form(FormKind::ReworkPlan)
                .guard(Guard::CustomerConsentedToPlan)
                .describe("004 L493, L532; CC-PROC §5.2.5 (004 L486) 经客户同意后实施")
        },
    )
    .transition(
        S::ReworkPlanning,
        A::SubmitDisposalPlan,
        S::ReworkPlanning,
        |t| {
            t.roles([R::QualityManager])
                .form(FormKind::DisposalPlan)
                .guard(Guard::AdcDeclined)
                .guard(Guard::DisposalQtyMatches)
                .describe("RET-PROC §5.10 (004 L152) 品质部提报")
        },
    )
    .transition(S::ReworkPlanning, A::ApproveSaleOff, S::Settling, |t| {
        t.roles([R::GmOffice])
            .not_same_actor_as(A::SubmitDisposalPlan)
            .excluding_role(R::Cqe)
            .guard(Guard::FailedSaleOffPlanned)
            .describe("RET-PROC §5.10 (004 L152) 总经办批准变卖")
    })
    .transition(S::ReworkPlanning, A::Disassemble, S::Disassembled, |t| {
        t.roles([R::Cqe])
            .form(FormKind::DisassemblyRecord)
            .guard(Guard::AdcDeclined)
            .describe("QD-004 §6.2.2 (004 L493)")
    })
    .transition(
        S::ReworkApproval,
        A::FileWorkLiaison,
        S::ReworkApproval,
        |t| {
            t.roles(&liaison_filers)
                .form(FormKind::WorkLiaisonForm)
                .describe("QD-004 §5.2.2.6 (004 L667)")
        },
    )
    .transition(S::InRework, A::CompleteRework, S::PostReworkCheck, |t| {
        t.roles([R::ProductionWorkshop])
            .form(FormKind::ReworkReport)
            .describe("QD-004 §5.2.2.6; RET-HRS (004 L667, L371)")
    })
    .transition(
        S::PostReworkCheck,
        A::RecordAging,
        S::PostReworkCheck,
        |t| {
            t.roles([R::Cqe, R::ProductionWorkshop])
                .form(FormKind::AgingRecord)
                .effect(Effect::RecordAging)
                .describe("QD-004 §5.2.2.4, §5.2.2.6 (004 L659, L667)")
        },
    )
    .transition(
        S::PostReworkCheck,
        A::RejectRework,
        S::ReworkPlanning,
        |t| {
            t.roles([R::Cqe])
                .form(FormKind::InspectionRecord)
                .guard(Guard::ReinspectionFailed)
                .effect(Effect::ResetRework)
                .describe("CC-PROC §5.2.5 (004 L486) c)")
        },
    )
    .transition(S::PostReworkCheck, A::FileRestock, S::RestockSignOff, |t| {
        t.roles([R::Cqe])
            .form(FormKind::RestockApplication)
            .guard(Guard::AgedIfNeeded)
            .guard(Guard::GoodsAreOurs)
            .guard(Guard::RestockQtyMatches)
            .effect(Effect::ResetRestock)
            .describe("QD-004 §6.2.1, §5.2.2.6 (004 L492, L667)")
    })
    .transition(S::PostReworkCheck, A::ReturnToCustomer, S::Settling, |t| {
        t.roles([R::ApplicationDesignCenter, R::Warehouse])
            .form(FormKind::ShipBackRecord)
            .guard(Guard::AgedIfNeeded)
            .guard(Guard::RepairForCustomer)
            .describe("RET-PC handling item 1; RET-PMC; QD-004 §5.2.2.6 (004 L19, L529, L667)")
    })
    .transition(
        S::Disassembled,
        A::StockReusableParts,
        S::Disassembled,
        |t| {
            t.roles([R::Warehouse])
                .form(FormKind::PartsStockIn)
                .guard(Guard::PartsQtyMatches)
                .describe("QD-004 §6.2.2, §5.2.2.3; RET-PMC (004 L493, L526, L658)")
        },
    )
    .transition(S::Disassembled, A::FileScrap, S::ScrapSignOff, |t| {
        t.roles([R::Cqe])
            .form(FormKind::ScrapApplication)
            .guard(Guard::ReusablePartsStocked)
            .guard(Guard::ScrapOfUnusableParts)
            .effect(Effect::ResetScrap)
            .describe("QD-004 §6.2.2, §9 note 1, §5.2.2.3 (004 L493, L507, L658)")
    })
    .transition(S::Disassembled, A::FinishDisassembly, S::Settling, |t| {
        t.roles([R::Cqe])
            .guard(Guard::ReusablePartsStocked)
            .guard(Guard::NoUnusableParts)
            .describe("QD-004 §6.2.2 (004 L493)")
    })
}

/// The rework's release (《工作联系单》 signed, QD-004 §5.2.2.6 (004 L667)), the restock sign-off and the disposal
/// plan (QD-004 §6.2.1; RET-PROC §5.10 (004 L492, L152)).
fn restock(b: Builder, config: &Config) -> Builder {
    use Action as A;
    use Role as R;
    use State as S;
    b.transition(S::ReworkApproval, A::ReleaseRework, S::InRework, |t| {
        t.sign_off(
            config.work_liaison_signers.iter(),
            SignOrder::Sequential,
            "approve 《工作联系单》 (QD-004 §5.2.2.6 (004 L667))",
        )
        // QD-004 §5.2.2.6 (004 L667): the signatures approve this work liaison form.
        .binds_form(FormKind::WorkLiaisonForm)
        .on_refuse(S::ReworkPlanning)
        .form(FormKind::WorkLiaisonForm)
        .describe("QD-004 §5.2.2.6; RET-PC handling item 1 (004 L667, L19)")
    })
    .transition(
        S::RestockSignOff,
        A::ApproveRestock,
        S::RestockSignOff,
        |t| {
            t.sign_off(
                [R::OqcInspector, R::QualityManager],
                SignOrder::AnyOrder,
                "confirm 《客诉退料申请单》 (QD-004 §6.2.1 (004 L492))",
            )
            // QD-004 §6.2.1 (004 L492): the signatures confirm this restock application.
            .binds_form(FormKind::RestockApplication)
            .on_refuse(S::UnderInspection)
            .not_same_actor_as(A::FileRestock)
            .excluding_role(R::Warehouse)
            .guard(Guard::RestockAwaitingQuality)
            .effect(Effect::RecordRestockQualitySignatures)
            .describe("QD-004 §6.2.1, §5.2.1.1 item 2 (004 L492, L649)")
        },
    )
    .transition(
        S::RestockSignOff,
        A::ConfirmRestock,
        S::RestockSignOff,
        |t| {
            t.sign_off(
                [R::PlanningManager],
                SignOrder::Sequential,
                "confirm 《客诉退料申请单》 for planning (QD-004 §6.2.1 (004 L492))",
            )
            // QD-004 §6.2.1 (004 L492): planning confirms the same restock application.
            .binds_form(FormKind::RestockApplication)
            .on_refuse(S::UnderInspection)
            .not_same_actor_as(A::FileRestock)
            .excluding_role(R::Warehouse)
            .guard(Guard::RestockQualitySigned)
            .effect(Effect::RecordRestockPlanningSignature)
            .describe("QD-004 §6.2.1, §5.2.1.1 item 2 (004 L492, L649)")
        },
    )
    .transition(S::RestockSignOff, A::StockIn, S::Settling, |t| {
        t.roles([R::Warehouse])
            .excluding_role(R::Cqe)
            .guard(Guard::RestockFullySigned)
            .guard(Guard::SellableAsNew)
            .describe("QD-004 §6.2.1 (004 L492) 入库依据")
    })
    .transition(
        S::RestockSignOff,
        A::StockIn,
        S::AwaitingDisposalPlan,
        |t| {
            t.roles([R::Warehouse])
                .excluding_role(R::Cqe)
                .guard(Guard::RestockFullySigned)
                .guard(Guard::NotSellableAsNew)
                .describe("QD-004 §6.2.1, §5.2.1.1 item 2 (004 L492, L649)")
        },
    )
    .transition(
        S::AwaitingDisposalPlan,
        A::SubmitDisposalPlan,
        S::AwaitingDisposalPlan,
        |t| {
            t.roles([R::Sales])
                .form(FormKind::DisposalPlan)
                .guard(Guard::DisposalQtyMatches)
                .describe("QD-004 §6.2.1, §5.2.1.1 item 2 (004 L492, L649)")
        },
    )
    .transition(
        S::AwaitingDisposalPlan,
        A::ApproveSaleOff,
        S::Settling,
        |t| {
            t.roles([R::GmOffice])
                .not_same_actor_as(A::SubmitDisposalPlan)
                .excluding_role(R::Cqe)
                .guard(Guard::PlanSaleOff)
                .describe("RET-PROC §5.10 (004 L152)")
        },
    )
    .transition(
        S::AwaitingDisposalPlan,
        A::FileScrap,
        S::ScrapSignOff,
        |t| {
            t.roles([R::Cqe])
                .form(FormKind::ScrapApplication)
                .guard(Guard::ScrapUnderDisposalPlan)
                .effect(Effect::ResetScrap)
                .describe("QD-004 §6.2.1, §9 note 1; RET-PROC §5.10 (004 L492, L152, L507)")
        },
    )
    .transition(
        S::AwaitingDisposalPlan,
        A::RequestReworkPlan,
        S::ReworkPlanning,
        |t| {
            t.roles([R::Cqe])
                .guard(Guard::PlanRework)
                .effect(Effect::ResetRework)
                .describe("QD-004 §6.2.1, §6.2.2 (004 L492, L493)")
        },
    )
}

fn scrap_and_reuse(b: Builder, config: &Config) -> Builder {
    use Action as A;
    use Role as R;
    use State as S;
    let mut rejecters: Vec<Role> = config.scrap_departments.clone();
    for r in [R::AdcVicePresident, R::GmOffice] {
        if !rejecters.contains(&r) {
            rejecters.push(r);
        }
    }
    b.transition(S::ScrapSignOff, A::ConfirmScrap, S::ScrapSignOff, |t| {
        t.sign_off(
            config.scrap_departments.iter(),
            SignOrder::AnyOrder,
            "confirm 《报废申请单》 (相关部门, QD-004 §9 note 1 (004 L507))",
        )
        // QD-004 §9 note 1 (004 L507): the departments confirm this scrap application.
        .binds_form(FormKind::ScrapApplication)
        .not_same_actor_as(A::FileScrap)
        .guard(Guard::ScrapAwaitingDepartments)
        .effect(Effect::RecordScrapDepartments)
        .describe("QD-004 §9 note 1, §6.2.2; RET-HRS (004 L507, L493, L383)")
    })
    .transition(S::ScrapSignOff, A::ApproveScrap, S::ScrapSignOff, |t| {
        t.sign_off(
            [R::AdcVicePresident],
            SignOrder::Sequential,
            "approve the scrap (QD-004 §9 note 1 (004 L507))",
        )
        // QD-004 §9 note 1 (004 L507): the vice-president approves this scrap application.
        .binds_form(FormKind::ScrapApplication)
        .not_same_actor_as(A::FileScrap)
        .guard(Guard::ScrapDepartmentsSigned)
        .effect(Effect::RecordScrapVp)
        .describe("QD-004 §9 note 1 (004 L507, L625)")
    })
    .transition(S::ScrapSignOff, A::AuthoriseScrap, S::ScrapSignOff, |t| {
        t.sign_off(
            [R::GmOffice],
            SignOrder::Sequential,
            "authorise the scrap (总经办, RET-PROC §5.10; CC-PROC §5.2.5 (004 L152, L486))",
        )
        // RET-PROC §5.10; CC-PROC §5.2.5 (004 L152, L486): the GM office authorises this scrap application.
        .binds_form(FormKind::ScrapApplication)
        .not_same_actor_as(A::FileScrap)
        .not_same_actor_as(A::ApproveScrap)
        .guard(Guard::ScrapVpSigned)
        .effect(Effect::RecordScrapGm)
        .describe("RET-PROC §5.10; CC-PROC §5.2.5 (004 L152, L486)")
    })
    .transition(S::ScrapSignOff, A::ExecuteScrap, S::Settling, |t| {
        t.roles([R::WarehouseHead])
            .excluding_role(R::Cqe)
            .guard(Guard::ScrapChainComplete)
            .guard(Guard::CustomerConsentedToScrap)
            .describe("004 L507; CC-PROC §5.2.5 d) (004 L486)")
    })
    .transition(S::ScrapSignOff, A::RejectScrap, S::Disassembled, |t| {
        t.roles(&rejecters)
            .reason_required()
            .guard(Guard::ScrapFromDisassembly)
            .describe("ours")
    })
    .transition(
        S::ScrapSignOff,
        A::RejectScrap,
        S::AwaitingDisposalPlan,
        |t| {
            t.roles(&rejecters)
                .reason_required()
                .guard(Guard::ScrapFromDisposalPlan)
                .describe("ours")
        },
    )
    .transition(S::ReuseCheck, A::RecordReuseCheck, S::ReuseCheck, |t| {
        t.roles([R::ProductionWorkshop])
            .form(FormKind::ReuseCheck)
            .describe("RET-PC handling item 4 (004 L31)")
    })
    .transition(S::ReuseCheck, A::StoreSlowMoving, S::Settling, |t| {
        t.roles([R::Warehouse])
            .form(FormKind::SlowMovingEntry)
            .guard(Guard::ReuseCheckedAndQtyMatches)
            .describe("RET-PC handling item 4 (004 L31)")
    })
}

/// The outcome notice (who sends it, its form, the confidentiality filter), the same from
/// `judged` and from `settling`.
fn notify_customer(t: TransitionBuilder) -> TransitionBuilder {
    t.roles([
        Role::ApplicationDesignCenter,
        Role::Sales,
        Role::CustomerServiceSpecialist,
    ])
    .form(FormKind::OutcomeNotice)
    .guard(Guard::OutcomeNoticeCleared)
}

fn settlement(b: Builder) -> Builder {
    use Action as A;
    use Role as R;
    use State as S;
    let s = S::Settling;
    b.transition(s, A::MarkCharging, s, |t| {
        t.roles([R::Cqe, R::QualityManager])
            .excluding_role(R::Sales)
            .excluding_role(R::CustomerServiceSpecialist)
            .form(FormKind::ChargingMark)
            .guard(Guard::MarkMatchesResponsibility)
            .describe("RET-PROC (004 L147–151)")
    })
    .transition(s, A::IssueDebitNote, s, |t| {
        t.roles([R::CustomerServiceSpecialist, R::Sales])
            .form(FormKind::DebitNote)
            .guard(Guard::DebitNoteMatches)
            .describe("RF-PROP §3, §4.2 item 1, §4.2 item 3 (004 L50, L62, L71)")
    })
    .transition(s, A::PostDebit, s, |t| {
        t.roles([R::Finance])
            .not_same_actor_as(A::IssueDebitNote)
            .guard(Guard::DebitIssuedUnposted)
            .describe("RF-PROP §2; RET-PROC §5.7 (004 L45, L151) (INF)")
    })
    .transition(s, A::ConveneSupplierMeeting, s, |t| {
        t.roles([R::Cqe, R::QualityManager])
            .form(FormKind::SupplierClaim)
            .guard(Guard::SupplierBatchDefect)
            .describe("RET-PROC §5.6; QD-004 §7.1.1 (004 L150, L600)")
    })
    .transition(s, A::ReturnToSupplier, s, |t| {
        t.roles([R::Cqe])
            .form(FormKind::SupplierClaim)
            .guard(Guard::SupplierNonBatchDefect)
            .describe("QD-004 §7.1.2, §5.2.2.1 (004 L601, L670)")
    })
    .transition(s, A::RecordSupplierReply, s, |t| {
        t.roles([R::Cqe])
            .form(FormKind::SupplierReply)
            .guard(Guard::SupplierClaimOpen)
            .describe("QD-004 §7.1.2 (004 L601)")
    })
    .transition(s, A::OpenAccountability, s, |t| {
        t.roles([R::QualityManager])
            .form(FormKind::AccountabilityRecord)
            .guard(Guard::InternalCause)
            .describe("RF-PROP §3 (004 L50)")
    })
    .transition(s, A::BookCost, s, |t| {
        t.roles([R::QualityManager])
            .form(FormKind::CostBooking)
            .guard(Guard::BookingAccountMatches)
            .describe("QD-004 §6.2.2, §5.4 (004 L493, L602)")
    })
    .transition(s, A::NotifyCustomer, s, |t| {
        notify_customer(t).describe("004 L478, L623; QD-004 §3.6 (004 L628)")
    })
    // CC-PROC §5.2.1 (004 L478): when the cause is not the company's, the finding is fed back
    // within one working day of the judgement — so the outcome notice may go out from `judged`
    // too, not only once the tracks are settling.
    .transition(S::Judged, A::NotifyCustomer, S::Judged, |t| {
        notify_customer(t)
            .describe("CC-PROC §5.2.1 (004 L478): the not-ours finding fed back from the judgement")
    })
    .transition(s, A::ReleaseText, s, |t| {
        t.roles([R::QualityManager])
            .form(FormKind::TextRelease)
            .describe("QD-004 §3.6 (004 L628): a reviewer releases one free text")
    })
    .transition(s, A::FileAnalysisReport, s, |t| {
        t.roles([R::Cqe])
            .form(FormKind::AnalysisReport)
            .guard(Guard::GoodsFailed)
            .describe("QD-004 §5.2.2.7 (004 L650)")
    })
    .transition(s, A::LogAndClose, S::FollowUp, |t| {
        t.roles([R::Cqe, R::QualityManager])
            .form(FormKind::LedgerEntry)
            .guard(Guard::AllTracksSettled)
            .describe("QD-004 §9 note 2 (004 L508, L626)")
    })
    .transition(S::FollowUp, A::RecordSatisfaction, S::FollowUp, |t| {
        t.roles([R::ApplicationDesignCenter])
            .form(FormKind::SatisfactionRecord)
            .describe("QD-004 §8 (004 L623)")
    })
    .transition(S::FollowUp, A::VerifyClosure, S::Closed, |t| {
        t.roles([R::Cqe, R::QualityManager])
            .guard(Guard::SatisfactionRecorded)
            .describe("QD-004 §8 (004 L623)")
    })
}

fn loans(b: Builder) -> Builder {
    use Action as A;
    use Role as R;
    use State as S;
    b.transition(S::OnLoan, A::ExtendLoan, S::OnLoan, |t| {
        t.roles([R::AdcVicePresident])
            .guard(Guard::LoanExtensionWithinMax)
            .effect(Effect::RecordLoanExtension)
            .describe("ours")
    })
    .transition(S::OnLoan, A::AnnounceLoanReturn, S::Announced, |t| {
        t.roles([R::ApplicationDesignCenter])
            .form(FormKind::ReturnNotice)
            .describe("QD-004 §3.4; RET-PC step 2 (004 L586, L9)")
    })
    .transition(S::LoanOverdue, A::AnnounceLoanReturn, S::Announced, |t| {
        t.roles([R::ApplicationDesignCenter])
            .form(FormKind::ReturnNotice)
            .describe("QD-004 §3.4; RET-PC step 2 (004 L586, L9)")
    })
    .transition(S::LoanOverdue, A::ConvertLoanToSale, S::Settling, |t| {
        t.roles([R::AdcVicePresident])
            .form(FormKind::LoanConversion)
            .guard(Guard::LoanSold)
            .describe("ours")
    })
    .transition(S::LoanOverdue, A::WriteOffLoan, S::Settling, |t| {
        t.sign_off(
            [R::AdcVicePresident, R::GmOffice],
            SignOrder::Sequential,
            "write off the lent goods (ours, mirrors QD-004 §9 note 1; RET-PROC §5.10 (004 L507, L152))",
        )
        .form(FormKind::LoanConversion)
        .guard(Guard::LoanWrittenOff)
        .describe("ours")
    })
}

fn replacement(mut b: Builder, config: &Config) -> Builder {
    use Action as A;
    use Role as R;
    let requesters = [
        R::CustomerServiceSpecialist,
        R::ApplicationDesignCenter,
        R::Sales,
    ];
    for &s in replacement_states(config.replacement_policy) {
        b = b
            .transition(s, A::RequestReplacement, s, |t| {
                t.roles(requesters)
                    .form(FormKind::ReplacementRequest)
                    .guard(Guard::ReplacementRequestValid)
                    .effect(Effect::ReplacementRequested)
                    .describe("RF-PROP §3, §4.2 item 1; RET-HRS; QD-004 §6.1 (004 L48, L60, L62, L367, L604)")
            })
            .transition(s, A::ConfirmReplacement, s, |t| {
                t.roles([R::CustomerServiceManager])
                    .not_same_actor_as(A::RequestReplacement)
                    .guard(Guard::ReplacementRequested)
                    .effect(Effect::ReplacementConfirmed)
                    .describe("RF-PROP §3, §4.2 item 1 (004 L48, L60)")
            })
            .transition(s, A::DeclineReplacement, s, |t| {
                t.roles([R::CustomerServiceManager])
                    .not_same_actor_as(A::RequestReplacement)
                    .reason_required()
                    .guard(Guard::ReplacementRequested)
                    .effect(Effect::ReplacementDeclined)
                    .describe("RF-PROP §3 (004 L48) 经客服经理确认")
            })
            .transition(s, A::RecordReplacementArrival, s, |t| {
                t.roles([R::CustomerServiceSpecialist, R::ApplicationDesignCenter])
                    .guard(Guard::ReplacementShipped)
                    .effect(Effect::ReplacementArrived)
                    .describe("RF-PROP §4.2 item 1 (004 L64–67)")
            })
            .transition(s, A::FileProductionNotice, s, |t| {
                t.roles([R::Cqe])
                    .form(FormKind::ProductionNotice)
                    .effect(Effect::ResetProductionNotice)
                    .describe("QD-004 §5.2.2.5 (004 L666)")
            })
            .transition(s, A::ApproveProductionNotice, s, |t| {
                t.sign_off_in_stages(
                    [vec![R::QualityManager], vec![R::AdcVicePresident]],
                    "check and approve 《客诉排产通知单》 (QD-004 §5.2.2.5 (004 L666))",
                )
                .binds_form(FormKind::ProductionNotice)
                .guard(Guard::ProductionNoticeFiled)
                .effect(Effect::RecordProductionNoticeApproved)
                .describe("QD-004 §5.2.2.5 (004 L666): quality manager, then vice president")
            })
            .transition(s, A::OrderReplacement, s, |t| {
                t.roles(requesters)
                    .form(FormKind::ReplacementOrder)
                    .guard(Guard::ReplacementConfirmed)
                    .guard(Guard::ProductionScheduled)
                    .effect(Effect::ReplacementOrdered)
                    .describe("RF-PROP §4.2 item 1; QD-004 §6.1 (004 L60, L604)")
            })
            .transition(s, A::PromiseArrival, s, |t| {
                t.roles([R::CustomerServiceSpecialist, R::ApplicationDesignCenter])
                    .form(FormKind::ArrivalPromise)
                    .guard(Guard::ArrivalPromiseValid)
                    .describe("RF-PROP §4.2 item 1 处理时间 (004 L64–67)")
            })
            .transition(s, A::ShipReplacement, s, |t| {
                t.roles([R::Logistics])
                    .guard(Guard::ReplacementOrdered)
                    .effect(Effect::ReplacementShipped)
                    .describe("RF-PROP §4.2 item 1 (004 L60)")
            });
    }
    b
}

fn deadlines(b: Builder, config: &Config) -> Builder {
    let b = intake_deadlines(b, config);
    let b = replacement_deadlines(b, config);
    let b = handling_deadlines(b, config);
    let b = disposition_deadlines(b, config);
    loan_deadlines(b, config)
}

/// The intake's limits: the customer's request and the quality contacts' communication
/// (RET-HRS (004 L388–396)), the dealer's promise on the complaint day (RF-PROP §4.2 item 1,
/// RF-PROP §4.2 item 1 (004 L62)), the damaged goods' retrieval (QD-004 §4.4 (004 L621)), and the handling cycle by
/// category (RET-REV step 3 (004 L210)).
fn intake_deadlines(b: Builder, config: &Config) -> Builder {
    use Action as A;
    use Role as R;
    use State as S;
    let function = |d: BusinessDuration| {
        select(
            "/category",
            &[
                ("appearance", config.handling_cycle_appearance),
                ("no_defect", config.handling_cycle_appearance),
                ("function", d),
                ("power_supply", d),
                ("module", d),
            ],
        )
    };
    b.deadline(
        DeadlineSpec::new(
            Deadline::CustomerRequest,
            Trigger::enter(S::Draft),
            config.customer_request_limit,
        )
        .met_on(Trigger::action(A::Announce))
        .met_on(Trigger::action(A::RequestQualityCommunication))
        .escalate(EscalationSpec::notify([R::QualityManager]))
        .owner(R::CustomerServiceSpecialist)
        .describe("RET-HRS (004 L388–389, L400) 客户要求 1H"),
    )
    .deadline(
        DeadlineSpec::new(
            Deadline::HandlingPromise,
            Trigger::enter(S::Draft),
            config.handling_promise_limit,
        )
        .met_on(Trigger::action(A::Announce))
        .escalate(EscalationSpec::notify([R::CustomerServiceManager]))
        .owner(R::CustomerServiceSpecialist)
        .describe("RF-PROP §4.2 item 1 (004 L62) 接到投诉的当日…承诺"),
    )
    .deadline(
        DeadlineSpec::new(
            Deadline::CustomerCommunication,
            Trigger::action(A::RequestQualityCommunication),
            config.customer_communication_limit,
        )
        .met_on(Trigger::action(A::RecordCustomerCommunication))
        .escalate(EscalationSpec::notify([R::QualityManager]))
        .owner(R::QualityManager)
        .describe("RET-HRS (004 L390–396) 客户沟通 1H"),
    )
    .deadline(
        DeadlineSpec::new(
            Deadline::Retrieval,
            Trigger::enter(S::Announced),
            config.retrieval_limit,
        )
        .escalate(EscalationSpec::notify([
            R::ApplicationDesignCenter,
            R::CustomerServiceManager,
        ]))
        .owner(R::StorageTransport)
        .describe("QD-004 §4.4 (004 L621) 1个月内退回; RF-PROP §4.2 item 2 (004 L69)"),
    )
    .deadline(
        DeadlineSpec::new(
            Deadline::HandlingCycle,
            Trigger::action(A::Classify),
            function(config.handling_cycle_function_limit),
        )
        .warn_at(function(config.handling_cycle_function_target))
        .met_on(Trigger::action(A::LogAndClose))
        .escalate(EscalationSpec::notify([R::QualityManager]))
        .owner(R::QualityManager)
        .describe("RET-REV step 3 (004 L210) 外观类1周, 功能类2~4周"),
    )
}

/// The replacement track's limits (RF-PROP §4.2 item 1, §4.2 item 1 处理时间 (004 L60, L64–67); investigate-first RET-HRS (004 L376–381)).
fn replacement_deadlines(b: Builder, config: &Config) -> Builder {
    use Action as A;
    use Role as R;
    let by_class = |c: &super::config::ByClass| {
        select(
            "/case/customer/class",
            &[("A", c.a), ("B", c.b), ("C", c.c)],
        )
    };
    let b = b
        .deadline(
            DeadlineSpec::new(
                Deadline::ReplacementOrderSameDay,
                Trigger::action(A::ConfirmReplacement),
                by_class(&config.replacement_order_limit),
            )
            .met_on(Trigger::action(A::OrderReplacement))
            .escalate(EscalationSpec::notify([R::CustomerServiceManager]))
            .owner(R::CustomerServiceSpecialist)
            .describe("RF-PROP §4.2 item 1 (004 L60) 当日立即"),
        )
        .deadline(
            DeadlineSpec::new(
                Deadline::ArrivalPromise,
                Trigger::action(A::RequestReplacement),
                by_class(&config.arrival_promise),
            )
            // RF-PROP §4.2 item 1 (004 L62): 「客服专员接到投诉的当日…承诺」 — the promise
            // counts from the complaint's receipt (the start of the handling-promise clock),
            // not from the replacement request that starts this clock.
            .anchored_after(AnchorSource::clock_start([Deadline::HandlingPromise]))
            .met_on(Trigger::action(A::PromiseArrival))
            .escalate(EscalationSpec::notify([R::CustomerServiceManager]))
            .owner(R::CustomerServiceSpecialist)
            .describe("RF-PROP §4.2 item 1 处理时间 (004 L64–67)"),
        )
        .deadline(
            DeadlineSpec::new(
                Deadline::PromisedArrival,
                Trigger::action(A::PromiseArrival),
                BusinessDuration::Seconds(0),
            )
            .anchored_after(AnchorSource::form(
                FormKind::ArrivalPromise,
                "/promised_arrival",
            ))
            .met_on(Trigger::action(A::RecordReplacementArrival))
            .escalate(EscalationSpec::notify([
                R::CustomerServiceManager,
                R::Logistics,
            ]))
            .owner(R::Logistics)
            .describe("RF-PROP §4.2 item 1 (004 L64–67) 承诺到货时间"),
        );
    if config.replacement_policy != ReplacementPolicy::InvestigateFirst {
        return b;
    }
    b.deadline(
        DeadlineSpec::new(
            Deadline::EqualQtyReplenishment,
            Trigger::action(A::RequestReplacement),
            config.replenishment_limit,
        )
        .met_on(Trigger::action(A::OrderReplacement))
        .escalate(EscalationSpec::notify([R::Sales]))
        .owner(R::Sales)
        .describe("RET-HRS (004 L376–381)"),
    )
}

/// The handling limits: classification, judgement, analysis and the reply, urgent or not
/// (RET-PROC §5.8; RET-HRS; QD-004 §8 (004 L144, L368, L397, L623)).
fn handling_deadlines(b: Builder, config: &Config) -> Builder {
    use Action as A;
    use Role as R;
    let region = "/case/customer/region";
    b.deadline(
        DeadlineSpec::new(
            Deadline::InitialClassification,
            Trigger::action(A::Receive),
            config.classification_limit,
        )
        .met_on(Trigger::action(A::Classify))
        .escalate(EscalationSpec::notify([R::QualityManager]))
        .owner(R::Cqe)
        .describe("RET-HRS (004 L368, L397)"),
    )
    .deadline(
        DeadlineSpec::new(
            Deadline::InspectionReport,
            Trigger::action(A::Receive),
            config.inspection_report_limit,
        )
        .met_on(Trigger::action(A::RecordInspection))
        .escalate(EscalationSpec::notify([R::QualityManager]))
        .owner(R::Cqe)
        .describe("RET-HRS (004 L368–369) 返品检验报告 1H"),
    )
    .deadline(
        // RET-PROC §5.8 (004 L144): 退货产品回厂后…交品质部进行质量判定…(2天内完成): from
        // the goods' arrival at the factory (collected from the depot, or received directly).
        DeadlineSpec::new(
            Deadline::Judgement,
            Trigger::leave(State::Announced),
            config.judgement_limit,
        )
        .runs(crate::Runs::UntilMet)
        .met_on(Trigger::action(A::ApproveJudgement))
        .escalate(EscalationSpec::notify([R::QualityManager]))
        .owner(R::Cqe)
        .describe("RET-PROC §5.8 (004 L144) 2天内完成"),
    )
    .deadline(
        DeadlineSpec::new(
            Deadline::Analysis,
            Trigger::action(A::SubmitToCqe),
            select(
                region,
                &[
                    ("domestic", config.analysis_limit),
                    ("international", config.reply_limit_international),
                ],
            ),
        )
        .met_on(Trigger::action(A::RecordInspection))
        .escalate(EscalationSpec::notify([R::QualityManager]))
        .owner(R::Cqe)
        .describe("QD-004 §8 (004 L623)"),
    )
    .deadline(
        DeadlineSpec::new(
            Deadline::SolveAndReply,
            Trigger::action(A::SubmitToCqe),
            select(
                region,
                &[
                    ("domestic", config.reply_limit_domestic),
                    ("international", config.reply_limit_international),
                ],
            ),
        )
        .warn_at(select(
            region,
            &[
                ("domestic", config.reply_limit_domestic),
                ("international", config.reply_target_international),
            ],
        ))
        .met_on(Trigger::action(A::NotifyCustomer))
        .escalate(EscalationSpec::notify([
            R::QualityManager,
            R::ApplicationDesignCenter,
        ]))
        .owner(R::Cqe)
        .describe("QD-004 §8 (004 L623)"),
    )
    .deadline(
        DeadlineSpec::new(
            Deadline::NotOursFeedback,
            Trigger::action(A::ApproveJudgement),
            config.not_ours_feedback,
        )
        .start_if(StartIf::data("/not_ours", true))
        .met_on(Trigger::action(A::NotifyCustomer))
        .escalate(EscalationSpec::notify([R::QualityManager]))
        .owner(R::ApplicationDesignCenter)
        .describe("CC-PROC §5.2.1 (004 L478) 若非本公司造成的应…于一个工作日内反馈客户"),
    )
    .deadline(
        DeadlineSpec::new(
            Deadline::UrgentReply,
            Trigger::action(A::GrantUrgent),
            select(
                region,
                &[
                    ("domestic", config.urgent_reply_limit_domestic),
                    ("international", config.urgent_reply_limit_international),
                ],
            ),
        )
        .met_on(Trigger::action(A::NotifyCustomer))
        .escalate(EscalationSpec::notify([
            R::QualityManager,
            R::CompanyLeadership,
        ]))
        .owner(R::Cqe)
        .describe("QD-004 §8 (004 L623) 特批"),
    )
}

/// The limits after the judgement: rework, stock-in, the supplier's 8D report, the closure
/// re-check (RET-HRS; QD-004 §7.1.2, §8 (004 L370–375, L601, L623)).
fn disposition_deadlines(b: Builder, config: &Config) -> Builder {
    use Action as A;
    use Role as R;
    use State as S;
    b.deadline(
        DeadlineSpec::new(
            Deadline::Rework,
            Trigger::enter(S::InRework),
            config.rework_limit,
        )
        .met_on(Trigger::action(A::CompleteRework))
        .escalate(EscalationSpec::notify([R::PlanningManager]))
        .owner(R::ProductionWorkshop)
        .describe("RET-HRS (004 L370–371)"),
    )
    .deadline(
        DeadlineSpec::new(
            Deadline::StockIn,
            Trigger::enter(S::RestockSignOff),
            config.stock_in_limit,
        )
        .met_on(Trigger::action(A::StockIn))
        .escalate(EscalationSpec::notify([R::QualityManager]))
        .owner(R::Warehouse)
        .describe("RET-HRS (004 L372–375)"),
    )
    .deadline(
        DeadlineSpec::new(
            Deadline::Supplier8d,
            Trigger::action(A::ReturnToSupplier),
            config.supplier_8d_limit,
        )
        .met_on(Trigger::action(A::RecordSupplierReply))
        .escalate(EscalationSpec::notify([R::QualityManager]))
        .owner(R::Cqe)
        .describe("QD-004 §7.1.2 (004 L601)"),
    )
    .deadline(
        DeadlineSpec::new(
            Deadline::ClosureRecheck,
            Trigger::enter(S::FollowUp),
            config.closure_recheck,
        )
        .met_on(Trigger::action(A::VerifyClosure))
        .escalate(EscalationSpec::notify([R::QualityManager]))
        .owner(R::Cqe)
        .describe("QD-004 §8 (004 L623)"),
    )
}

/// The loan's term, its extension and the escalation of an overdue loan (ours).
fn loan_deadlines(b: Builder, config: &Config) -> Builder {
    use Action as A;
    use Role as R;
    use State as S;
    let term_cases: Vec<(String, BusinessDuration)> = (1..=config.loan_max_term_months)
        .map(|m| (m.to_string(), BusinessDuration::CalendarMonths(m)))
        .collect();
    let term_cases: Vec<(&str, BusinessDuration)> =
        term_cases.iter().map(|(k, d)| (k.as_str(), *d)).collect();
    let loan_term = select("/loan/term_months", &term_cases);
    let overdue =
        EscalationSpec::move_to(S::LoanOverdue).and_notify([R::ApplicationDesignCenter, R::Sales]);
    b.deadline(
        DeadlineSpec::new(
            Deadline::LoanReturn,
            Trigger::enter(S::OnLoan),
            loan_term.clone(),
        )
        .met_on(Trigger::action(A::ExtendLoan))
        .met_on(Trigger::action(A::AnnounceLoanReturn))
        .escalate(overdue.clone())
        .owner(R::ApplicationDesignCenter)
        .describe("ours (term by analogy with QD-004 §4.4 (004 L621))"),
    )
    .deadline(
        DeadlineSpec::new(
            Deadline::LoanExtension,
            Trigger::action(A::ExtendLoan),
            loan_term,
        )
        .met_on(Trigger::action(A::AnnounceLoanReturn))
        .escalate(overdue)
        .owner(R::ApplicationDesignCenter)
        .describe("ours"),
    )
    .deadline(
        DeadlineSpec::new(
            Deadline::LoanOverdue,
            Trigger::enter(S::LoanOverdue),
            config.loan_overdue_escalation,
        )
        .escalate(EscalationSpec::notify([R::AdcVicePresident, R::GmOffice]))
        .owner(R::ApplicationDesignCenter)
        .describe("ours"),
    )
}
