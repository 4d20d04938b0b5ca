//! The builder, by phase of the concession: [`issue`] (the form or a scrap note, revisions),
//! [`opinion`] (the handling opinion or a scrap proposal), [`approval`] (one declared sign-off
//! in stages per [`Chain`]), [`release`] (handling, re-inspection) and the configured
//! [`limits`] (a `const` table).

use super::{
    Action, Chain, Config, Deadline, Definition, Effect, FormKind, Guard, ID, Role, State, VERSION,
};
use crate::{BuildError, Builder, TypedDefinition, Vocabulary};
use crate::{BusinessDuration, Calendar, OnBoundChange};
use crate::{DeadlineSpec, EscalationSpec, Trigger};
use std::sync::Arc;

use Action as A;
use Role as R;
use State as S;

/// Build the definition with `config`, computing deadlines in `calendar`.
///
/// # Errors
/// [`BuildError`] (the graph is fixed; only the limits come from `config`).
pub fn definition(config: &Config, calendar: Arc<dyn Calendar>) -> Result<Definition, BuildError> {
    let b = states(Builder::new(ID, VERSION));
    let b = limits(release(approval(opinion(issue(b)))), config);
    let def = b.build(&super::registry(config).shared_calendar(calendar))?;
    Ok(TypedDefinition::new(def)?)
}

fn states(b: Builder) -> Builder {
    b.roles(R::ALL)
        // CONC step 1 (000 L397): every problem is reported through the inspector.
        .start_roles([R::Inspector])
        .initial(S::Found)
        .describe_state("问题发现: found and confirmed by the inspector (CONC step 1 (000 L395))")
        .normal(S::AwaitingOpinion)
        .normal(S::Approval)
        .normal(S::Approved)
        .normal(S::Handled)
        .terminal(S::Released)
        .terminal(S::Refused)
        .terminal(S::Scrapped)
        // Only the inspector's issue and revision attach the form; only the steps that need
        // them attach the others (so no signer can change the content while signing).
        .attach(FormKind::ConcessionForm, [A::IssueForm, A::ReviseForm])
        .attach(FormKind::HandlingOpinion, [A::GiveOpinion])
        .attach(FormKind::HandlingRecord, [A::RecordHandling])
        .attach(FormKind::ReinspectionRecord, [A::Reinspect])
}

/// The inspector issues the form at once (`CONC step 2 (000 L399)`) or a scrap note for an
/// obviously defective part (`CONC other handling 1 (000 L409)`), and may revise the form until
/// the approval completes (OURS).
fn issue(mut b: Builder) -> Builder {
    b = b
        .transition(S::Found, A::IssueForm, S::AwaitingOpinion, |t| {
            t.roles([R::Inspector])
                .fresh_form(FormKind::ConcessionForm)
                .effect(Effect::RecordForm)
                .describe("CONC step 2 (000 L399): the inspector issues the 让步使用单 at once")
        })
        .transition(S::Found, A::IssueScrap, S::Scrapped, |t| {
            t.roles([R::Inspector])
                .reason_required()
                .describe("CONC other handling 1 (000 L409): 报废单 for an obvious defect")
        });
    for state in [S::AwaitingOpinion, S::Approval] {
        b = b.transition(state, A::ReviseForm, state, |t| {
            t.roles([R::Inspector])
                .fresh_form(FormKind::ConcessionForm)
                .effect(Effect::RecordForm)
                .describe("OURS: a revised form; signatures already given are invalidated")
        });
    }
    b
}

/// The technician gives the handling opinion, directly or through the designer or the process
/// engineer (`CONC step 3 (000 L399)`), or proposes scrap (`CONC other handling 1 (000
/// L409)`).
fn opinion(b: Builder) -> Builder {
    b.transition(S::AwaitingOpinion, A::GiveOpinion, S::Approval, |t| {
        t.roles([R::SiteTechnician, R::Designer, R::ProcessEngineer])
            .fresh_form(FormKind::HandlingOpinion)
            .guard(Guard::OpinionAuthor)
            .effect(Effect::RecordOpinion)
            .describe("CONC step 3 (000 L399): 技术员处理意见")
    })
    .transition(S::AwaitingOpinion, A::ProposeScrap, S::Scrapped, |t| {
        t.roles([R::SiteTechnician])
            .reason_required()
            .describe("CONC other handling 1 (000 L409): the technician proposes scrap")
    })
}

/// One declared sign-off per [`Chain`], selected by its guard: the chief first, then the
/// chief engineer and/or the third party (`CONC steps 4–6 (000 L399–L405)`). The signatures
/// bind the form and the opinion (a changed grade or quantity invalidates them); the inspector
/// who issued or revised the form may not sign (`CONC roles (000 L417)`); a refusal closes the
/// concession as refused (INF).
fn approval(mut b: Builder) -> Builder {
    for &chain in Chain::ALL {
        b = b.transition(S::Approval, A::Approve, S::Approved, |t| {
            t.guard(chain.guard())
                .sign_off_in_stages(
                    chain.stages().iter().map(|stage| stage.iter().copied()),
                    "approve the concession and its handling opinion (让步使用单)",
                )
                .binds([
                    format!("form:{}", FormKind::ConcessionForm.name()),
                    format!("form:{}", FormKind::HandlingOpinion.name()),
                ])
                .on_bound_change(OnBoundChange::Invalidate)
                .on_refuse(S::Refused)
                .not_same_actor_as(A::IssueForm)
                .not_same_actor_as(A::ReviseForm)
                .describe(chain_clause(chain))
        });
    }
    b
}

/// The clause each chain follows.
fn chain_clause(chain: Chain) -> &'static str {
    match chain {
        Chain::Chief => "CONC step 4 (000 L399), roles (000 L421): the chief's approval is final",
        Chain::ChiefAndThirdParty => "CONC steps 4–5 (000 L399–L401): the chief, the third party",
        Chain::ChiefEngineer => "CONC steps 4, 6 (000 L399, L405): the chief, the chief engineer",
        Chain::ChiefEngineerAndThirdParty => {
            "CONC steps 4–6 (000 L399–L405): the chief, the chief engineer and the third party"
        }
    }
}

/// Handled only once every formality is complete; re-inspected by the inspector; released only
/// when it passes, otherwise back for a new opinion (`CONC step 7 (000 L407)`; the failed path
/// INF).
fn release(b: Builder) -> Builder {
    b.transition(S::Approved, A::RecordHandling, S::Handled, |t| {
        t.roles([R::SiteTechnician])
            .fresh_form(FormKind::HandlingRecord)
            .describe("CONC step 7 (000 L407): 所有手续办齐后才能执行")
    })
    .transition(S::Handled, A::Reinspect, S::Released, |t| {
        t.roles([R::Inspector])
            .fresh_form(FormKind::ReinspectionRecord)
            .guard(Guard::ReinspectionPassed)
            .describe("CONC step 7 (000 L407): 复检合格后放行")
    })
    .transition(S::Handled, A::Reinspect, S::AwaitingOpinion, |t| {
        t.roles([R::Inspector])
            .fresh_form(FormKind::ReinspectionRecord)
            .guard(Guard::ReinspectionFailed)
            .effect(Effect::RecordFailedReinspection)
            .describe("INF: a failed re-inspection is never released; a new opinion is needed")
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

/// The limits (none has a default: the source gives no time beyond 立即, `CONC step 2 (000
/// L399)`). A miss notifies the owner and the inspection section chief; the concession stays.
const LIMITS: &[Limit] = &[
    Limit {
        deadline: Deadline::Approval,
        state: S::Approval,
        within: |c| c.approval_within,
        owner: R::InspectionChief,
    },
    Limit {
        deadline: Deadline::Reinspection,
        state: S::Handled,
        within: |c| c.reinspection_within,
        owner: R::Inspector,
    },
];

/// A deadline for every limit the configuration sets (OURS).
fn limits(mut b: Builder, config: &Config) -> Builder {
    for l in LIMITS {
        if let Some(limit) = (l.within)(config) {
            b = b.deadline(
                DeadlineSpec::new(l.deadline, Trigger::enter(l.state), limit)
                    .escalate(EscalationSpec::notify([l.owner, R::InspectionChief]))
                    .owner(l.owner)
                    .describe("OURS: the source sets no limit (recorded and notified)"),
            );
        }
    }
    b
}
