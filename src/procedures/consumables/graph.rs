//! The builder, by phase of the request: [`intake`] (draft, send, review, file), [`approval`]
//! (the platform chain), [`fulfilment`] (issue, receive), [`settlement`] (consumption,
//! returns, write-offs, close) and the configured [`limits`] (a `const` table).

use super::{
    Action, Config, Deadline, Definition, Effect, FormKind, Guard, ID, Role, State, VERSION,
};
use crate::{BuildError, Builder, TypedDefinition, Vocabulary};
use crate::{BusinessDuration, Calendar, SignOrder};
use crate::{DeadlineSpec, EscalationSpec, Trigger};
use std::sync::Arc;

use Action as A;
use Role as R;
use State as S;

/// Build the definition with `config`, computing deadlines in `calendar`.
///
/// ```
/// use aftersales::procedures::{consumables as cs, shanghai_calendar};
/// use aftersales::{Engine, InMemoryStore};
///
/// let def = cs::definition(&cs::Config::default(), shanghai_calendar())?;
/// assert_eq!(def.definition().initial_state(), cs::State::Draft);
/// // Typed end to end: what may be done first, as `Action` values.
/// assert!(!def.actions_from(cs::State::Draft).is_empty());
///
/// let mut engine = Engine::new(InMemoryStore::new());
/// engine.register(def.definition().clone())?;
/// assert!(engine.definition(cs::ID).is_some());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
/// [`BuildError`] — e.g. an empty approver chain (`EmptySignOff`).
pub fn definition(config: &Config, calendar: Arc<dyn Calendar>) -> Result<Definition, BuildError> {
    let b = states(Builder::new(ID, VERSION));
    let b = limits(settlement(fulfilment(approval(intake(b), config))), config);
    let def = b.build(&super::registry(config).shared_calendar(calendar))?;
    Ok(TypedDefinition::new(def)?)
}

fn states(b: Builder) -> Builder {
    b.roles(R::ALL)
        .start_roles([R::RegionalTechSupportEngineer])
        .initial(S::Draft)
        .describe_state(
            "耗材申请表 being drafted by the regional technical-support engineer (BQ-E §5.3.2 (000 L666))",
        )
        .normal(S::RqsReview)
        .normal(S::ReturnedForRevision)
        .normal(S::PlatformApproval)
        .normal(S::AwaitingIssue)
        .normal(S::Shipped)
        .normal(S::Received)
        .normal(S::Settling)
        .terminal(S::Closed)
        .terminal(S::Rejected)
        .terminal(S::Cancelled)
}

/// The engineer sends (again after a revision) or withdraws; the regional quality section
/// returns, rejects or files with the platform (`BQ-E §4.5.7 (000 L646)`, `BQ-E §5.3.2 (000 L666)`).
fn intake(mut b: Builder) -> Builder {
    let rqs = [R::RegionalQualitySection];
    for from in [S::Draft, S::ReturnedForRevision] {
        b = b
            .transition(from, A::SendToRqs, S::RqsReview, |t| {
                t.roles([R::RegionalTechSupportEngineer])
                    .form(FormKind::ConsumablesRequest)
                    .fresh_form(FormKind::BatchLink)
                    .guard(Guard::BatchStarted)
                    .effect(Effect::RecordRequest)
                    .describe(
                        "BQ-E §5.3 (000 L666): the engineer sends the form to the regional quality section",
                    )
            })
            .transition(from, A::Cancel, S::Cancelled, |t| {
                t.roles([R::RegionalTechSupportEngineer, R::RegionalQualitySection])
                    .reason_required()
            });
    }
    b.transition(S::RqsReview, A::ReturnForRevision, S::ReturnedForRevision, |t| {
        t.roles(rqs).reason_required()
    })
    .transition(S::RqsReview, A::Reject, S::Rejected, |t| {
        t.roles(rqs).reason_required()
    })
    .transition(S::RqsReview, A::FileWithPlatform, S::PlatformApproval, |t| {
        t.roles(rqs)
            .fresh_form(FormKind::BatchLink)
            .guard(Guard::BatchStarted)
            .describe(
                "BQ-E §4.5.7 (000 L646), BQ-E §5.3 (000 L666): the regional quality section applies through the workflow",
            )
    })
}

/// The platform approver chain signs in order; a refusal returns to review; the filer may not
/// approve (ours).
fn approval(b: Builder, config: &Config) -> Builder {
    b.transition(
        S::PlatformApproval,
        A::ApprovePlatform,
        S::AwaitingIssue,
        |t| {
            t.sign_off(
                &config.approver_chain,
                SignOrder::Sequential,
                "approve the batch consumables request (制造平台)",
            )
            // BQ-E §5.3 (000 L666): the chain approves the request form (《耗材申请单(批量)》) as filed.
            .binds_form(FormKind::ConsumablesRequest)
            .on_refuse(S::RqsReview)
            .not_same_actor_as(A::FileWithPlatform)
        },
    )
}

/// Issued from the material store with the transfer form (`BQ-E §7 (000 L676)`), received and
/// counted by the branch (ours).
fn fulfilment(b: Builder) -> Builder {
    b.transition(S::AwaitingIssue, A::IssueFromStore, S::Shipped, |t| {
        t.roles([R::MaterialStore, R::SparePartsMgmt])
            .form(FormKind::MaterialTransfer)
            .effect(Effect::RecordIssue)
            .describe("BQ-E §7 (000 L676): 从材料库调拨物料申请表")
    })
    .transition(S::Shipped, A::ReceiveAndCount, S::Received, |t| {
        t.roles([R::Branch])
            .form(FormKind::ReceiptRecord)
            .effect(Effect::RecordReceipt)
    })
}

/// Consumption reported (repeatedly), unused stock returned or written off, closed when
/// balanced (ours; cf. `BQ-E §6 (000 L676)`).
fn settlement(b: Builder) -> Builder {
    let reporters = [R::Branch, R::RegionalTechSupportEngineer];
    b.transition(S::Received, A::ReportConsumption, S::Settling, |t| {
        t.roles(reporters)
            .form(FormKind::ConsumptionReport)
            .effect(Effect::RecordConsumption)
    })
    .transition(S::Settling, A::ReportConsumption, S::Settling, |t| {
        t.roles(reporters)
            .form(FormKind::ConsumptionReport)
            .effect(Effect::RecordConsumption)
    })
    .transition(S::Settling, A::ReturnUnused, S::Settling, |t| {
        t.roles([R::Branch])
            .form(FormKind::ReturnRecord)
            .effect(Effect::RecordReturn)
    })
    .transition(S::Settling, A::WriteOff, S::Settling, |t| {
        t.roles([R::RegionalQualitySection])
            .form(FormKind::WriteOffRecord)
            .effect(Effect::RecordWriteOff)
    })
    .transition(S::Settling, A::Close, S::Closed, |t| {
        t.roles([R::RegionalQualitySection]).guard(Guard::Settled)
    })
}

/// One configurable limit: its clock, the state that starts it, where the configuration holds
/// it, and whose it is.
struct Limit {
    deadline: Deadline,
    state: State,
    within: fn(&Config) -> Option<BusinessDuration>,
    owner: Role,
}

/// The limits of our steps (none has a default, `BQ-E §5.3 (000 L666)`: the platform rules are not in the
/// seeds). A miss notifies the owner and the regional quality section; the request stays.
const LIMITS: &[Limit] = &[
    Limit {
        deadline: Deadline::RqsReview,
        state: S::RqsReview,
        within: |c| c.rqs_review_within,
        owner: R::RegionalQualitySection,
    },
    Limit {
        deadline: Deadline::PlatformApproval,
        state: S::PlatformApproval,
        within: |c| c.platform_approval_within,
        owner: R::PlatformApprover,
    },
    Limit {
        deadline: Deadline::Issue,
        state: S::AwaitingIssue,
        within: |c| c.issue_within,
        owner: R::MaterialStore,
    },
    Limit {
        deadline: Deadline::Delivery,
        state: S::Shipped,
        within: |c| c.delivery_within,
        owner: R::Branch,
    },
    Limit {
        deadline: Deadline::ConsumptionReport,
        state: S::Received,
        within: |c| c.consumption_report_within,
        owner: R::Branch,
    },
    Limit {
        deadline: Deadline::Settlement,
        state: S::Settling,
        within: |c| c.settlement_within,
        owner: R::RegionalQualitySection,
    },
];

/// A deadline for every limit the configuration sets (ours: product decision `PD-MISS`).
fn limits(mut b: Builder, config: &Config) -> Builder {
    for l in LIMITS {
        if let Some(limit) = (l.within)(config) {
            b = b.deadline(
                DeadlineSpec::new(l.deadline, Trigger::enter(l.state), limit)
                    .escalate(EscalationSpec::notify([l.owner, R::RegionalQualitySection]))
                    .owner(l.owner)
                    .describe("ours: product decision PD-MISS (recorded and notified)"),
            );
        }
    }
    b
}
