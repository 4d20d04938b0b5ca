//! Concession — 让步接受 (让步使用单, formerly 回用单).
//!
//! What the source says (document `CONC`, 质量问题处理流程, collection 000 lines 391–425): a
//! quality problem found in the plant — nearly always by the inspector, sometimes by an
//! operator re-checking before machining, then confirmed by the inspector — is reported
//! **only through the inspector** (`CONC step 1 (000 L395–L397)`). The inspector at once
//! issues a concession form naming the grade (A, B, C), the category (design, process,
//! machining, equipment, other) and the person responsible (`CONC step 2 (000 L399)`). The
//! on-site technician gives the first handling opinion, for grade C directly or through the
//! designer or the process engineer (`CONC step 3 (000 L399)`). The inspection section chief
//! approves **every** problem and opinion before anything is done; grade A and B forms then
//! go to the chief engineer to countersign (`CONC step 4 (000 L399)`, `CONC step 6 (000
//! L405)`); the chief's approval is final for grade C, by the chief engineer's authority
//! (`CONC roles (000 L421)`). When a third party is involved it countersigns too — a casting
//! supplier always is one, for defects such as sand inclusion or porosity found only at
//! machining (`CONC step 5 (000 L401–L403)`). Only when every formality is complete is the
//! handling carried out; the inspector then re-inspects, and only a part that passes is
//! released to the next operation (`CONC step 7 (000 L407)`). The inspector has the right to
//! report and to supervise, **not** to dispose (`CONC roles (000 L417)`), so the inspector who
//! found the defect may not approve its concession. An obviously defective part gets a scrap
//! note instead; the technician may propose scrap while the concession is handled (`CONC
//! other handling 1 (000 L409)`).
//!
//! What the text leaves open is decided in `docs/procedures/concession.md` ("Decisions"),
//! each marked OURS or INF (inferred from the text).
//!
//! # Who does what
//!
//! 1. **Issue** ([`Action::IssueForm`]): the inspector issues the [`ConcessionForm`] (or a
//!    scrap note, [`Action::IssueScrap`]); until the approval completes the inspector may
//!    revise it ([`Action::ReviseForm`]).
//! 2. **Opinion** ([`Action::GiveOpinion`]): the technician, designer or process engineer
//!    attaches the [`HandlingOpinion`] (or the technician proposes scrap).
//! 3. **Approval** ([`Action::Approve`]): a sign-off in declared stages whose chain depends on
//!    the grade and the third party ([`Chain`], [`Config::chief_engineer_grades`]); the
//!    signatures bind the form and the opinion, so a changed grade or quantity invalidates
//!    them; the inspector who issued or revised the form may not sign; a refusal closes the
//!    concession as refused.
//! 4. **Handling and re-inspection**: the technician records the handling
//!    ([`Action::RecordHandling`]), the inspector re-inspects ([`Action::Reinspect`]): passed,
//!    the part is released; failed, a new opinion and a new approval.
//!
//! A concession may serve a customer return (its D9 concession decision): the return's
//! instance id is in [`Data::serves_return`] from the start ([`start_for_return`] builds the
//! start from the waiting return, [`start_data_for_return`] from its id), and
//! [`outcome_for_return`] turns the final [`verdict`] into the return's
//! `record_concession_outcome` command.
//!
//! ```
//! use aftersales::procedures::concession::{self as conc, Chain, Grade};
//! use aftersales::BusinessCalendar;
//! use std::sync::Arc;
//!
//! let config = conc::Config::default();
//! assert_eq!(Chain::of(Grade::C, false, &config), Chain::Chief);
//! assert_eq!(Chain::of(Grade::B, true, &config), Chain::ChiefEngineerAndThirdParty);
//! let def = conc::definition(&config, Arc::new(BusinessCalendar::default()))?;
//! assert_eq!(def.definition().id().as_str(), conc::ID);
//! # Ok::<(), aftersales::BuildError>(())
//! ```

mod config;
mod data;
mod forms;
mod graph;
mod report;
mod rules;

pub use config::{Chain, Config};
pub use data::{ConcessionError, Data, data, start_data_for_return};
pub use forms::{
    CastingDefect, ConcessionForm, DefectCategory, Deviation, Disposition, FoundBy, HandledBy,
    HandlingOpinion, HandlingRecord, ReinspectionRecord, ThirdParty, ThirdPartyKind,
};
pub use graph::definition;
pub use report::{
    ConcessionLine, ConcessionReport, ConcessionVerdict, ReturnConcessionStart, outcome_for_return,
    report, start_for_return, verdict,
};
pub use rules::registry;

use crate::TypedDefinition;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The definition id.
pub const ID: &str = "concession";
/// The definition version.
pub const VERSION: u32 = 1;

/// The typed definition of this procedure.
pub type Definition = TypedDefinition<State, Action, Role>;

/// 问题等级 — the grade of the problem (`CONC step 2 (000 L399)`). The text does not define the
/// grades; it orders them by "B类以上" (B and above, `CONC step 6 (000 L405)`): A is the most
/// serious (INF).
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
pub enum Grade {
    /// Grade A (the most serious).
    A,
    /// Grade B.
    B,
    /// Grade C (final with the inspection section chief, `CONC roles (000 L421)`).
    C,
}

crate::vocabulary! {
    /// States of a concession.
    pub enum State {
        /// The problem is found and confirmed by the inspector; no form yet (问题发现,
        /// `CONC step 1 (000 L395)`).
        Found = "found",
        /// The form is issued; waiting for the handling opinion (技术员处理意见, `CONC step 3
        /// (000 L399)`).
        AwaitingOpinion = "awaiting_opinion",
        /// The opinion is given; the grade's chain signs (审批 / 会签, `CONC steps 4–6 (000
        /// L399–L405)`).
        Approval = "approval",
        /// Every formality complete; the handling may be carried out (所有手续办齐, `CONC step 7
        /// (000 L407)`).
        Approved = "approved",
        /// Handled; waiting for the re-inspection (复检, `CONC step 7 (000 L407)`).
        Handled = "handled",
        /// Passed the re-inspection and released to the next operation (放行, `CONC step 7
        /// (000 L407)`).
        Released = "released",
        /// The chain refused the concession (INF: not granted, the part stays held).
        Refused = "refused",
        /// Scrapped: a scrap note instead of a concession (报废单, `CONC other handling 1 (000
        /// L409)`).
        Scrapped = "scrapped",
    }
}

crate::vocabulary! {
    /// Actions on a concession.
    pub enum Action {
        /// Issue the concession form (开具让步使用单) — inspector (`CONC step 2 (000 L399)`).
        IssueForm = "issue_form",
        /// Issue a scrap note for an obviously defective part — inspector (`CONC other handling
        /// 1 (000 L409)`).
        IssueScrap = "issue_scrap",
        /// Attach a revised concession form before the approval completes — inspector (OURS).
        ReviseForm = "revise_form",
        /// Give the handling opinion (处理意见) — technician, designer or process engineer
        /// (`CONC step 3 (000 L399)`).
        GiveOpinion = "give_opinion",
        /// Propose scrap while handling the concession — technician (`CONC other handling 1
        /// (000 L409)`).
        ProposeScrap = "propose_scrap",
        /// Approve and countersign (sign-off in stages, `CONC steps 4–6 (000 L399–L405)`).
        Approve = "approve",
        /// Record that the approved handling was carried out — technician (`CONC step 7 (000
        /// L407)`).
        RecordHandling = "record_handling",
        /// Re-inspect the handled part — inspector (`CONC step 7 (000 L407)`).
        Reinspect = "reinspect",
    }
}

crate::vocabulary! {
    /// Roles in the concession (`CONC roles (000 L417–L425)`).
    pub enum Role {
        /// 检验员 — finds and reports, issues the form, supervises, re-inspects; no right to
        /// dispose (`CONC roles (000 L417)`).
        Inspector = "inspector",
        /// 现场技术员 — first handling of every problem, circulates the form (`CONC roles (000
        /// L423)`).
        SiteTechnician = "site_technician",
        /// 设计人员 — handles design defects (`CONC roles (000 L425)`).
        Designer = "designer",
        /// 工艺人员 — handles process and machining defects (`CONC roles (000 L425)`).
        ProcessEngineer = "process_engineer",
        /// 检验科长 — approves every problem; final approval for grade C (`CONC roles (000
        /// L419–L421)`).
        InspectionChief = "inspection_chief",
        /// 总工程师 (总师) — countersigns grade B and above (`CONC step 6 (000 L405)`).
        ChiefEngineer = "chief_engineer",
        /// 第三方单位 — a third party involved in the problem, e.g. the casting supplier;
        /// countersigns (`CONC step 5 (000 L401–L403)`).
        ThirdParty = "third_party",
    }
}

crate::vocabulary! {
    /// Guards of the procedure's own: which sign-off chain the form on file takes ([`Chain`]),
    /// and the re-inspection's result.
    pub enum Guard {
        /// [`Chain::Chief`]: the inspection section chief alone (grade C, no third party).
        ChainChief = "chain_chief",
        /// [`Chain::ChiefAndThirdParty`]: the chief, then the third party.
        ChainChiefAndThirdParty = "chain_chief_and_third_party",
        /// [`Chain::ChiefEngineer`]: the chief, then the chief engineer (grade A/B).
        ChainChiefEngineer = "chain_chief_engineer",
        /// [`Chain::ChiefEngineerAndThirdParty`]: the chief, then the chief engineer and the
        /// third party.
        ChainChiefEngineerAndThirdParty = "chain_chief_engineer_and_third_party",
        /// The handling opinion names its true author, one the defect's category allows
        /// ([`Config::opinion_by_category`]).
        OpinionAuthor = "opinion_author",
        /// The re-inspection attached by this command passed.
        ReinspectionPassed = "reinspection_passed",
        /// The re-inspection attached by this command failed.
        ReinspectionFailed = "reinspection_failed",
    }
}

crate::vocabulary! {
    /// Effects on the concession's [`Data`].
    pub enum Effect {
        /// Record the concession form as issued or revised.
        RecordForm = "record_form",
        /// Record the handling opinion.
        RecordOpinion = "record_opinion",
        /// Count a failed re-inspection.
        RecordFailedReinspection = "record_failed_reinspection",
    }
}

crate::vocabulary! {
    /// Deadlines (the source gives none; off unless configured in [`Config`]).
    pub enum Deadline {
        /// The approval chain ([`Config::approval_within`]).
        Approval = "approval",
        /// The re-inspection after handling ([`Config::reinspection_within`]).
        Reinspection = "reinspection",
    }
}

crate::vocabulary! {
    /// Form kinds: each is the `KIND` of the typed form of the same name.
    pub enum FormKind {
        /// [`ConcessionForm`] (让步使用单).
        ConcessionForm = "concession_form",
        /// [`HandlingOpinion`] (处理意见).
        HandlingOpinion = "handling_opinion",
        /// [`HandlingRecord`].
        HandlingRecord = "handling_record",
        /// [`ReinspectionRecord`] (复检).
        ReinspectionRecord = "reinspection_record",
    }
}
