//! Outsourced consumables request — 耗材申请单(批量).
//!
//! The seed says only this much (seed `000`): the regional quality section applies for the
//! consumables a branch company needs because of a batch problem (`BQ-E §4.5.7 (000 L646)`); the
//! regional technical-support engineer sends the consumables application form to the regional
//! quality section, which applies **through the workflow** under the manufacturing platform's
//! rules 《制造平台外发耗材管理规定》 (`BQ-E §5.3.2 (000 L666)`); the outputs are 《耗材申请单(批量)》
//! and 《从材料库调拨物料申请表》 (`BQ-E §7 (000 L676)`); losses are reported to the regional quality
//! section for the claim appraisal (`BQ-E §5.5 (000 L670)`). The cited rules are not in the seeds:
//! every other step follows product decision `PD-CONS`
//! (docs/sources.md) and is marked **ours** below. Limits of our steps are configuration with no
//! default ([`Config`]).
//!
//! # Who does what
//!
//! The departments are the batch quality procedure's: each [`Role`] that names a department
//! of [`batch_quality::Role`] has the same name ([`Role::in_batch_quality`]).
//!
//! 1. **Intake** (`BQ-E §5.3 (000 L666)`): the regional technical-support engineer drafts the request and
//!    sends it to the regional quality section, which returns it for revision or rejects it
//!    with a reason (ours), or **files it with the platform** — the only applicant in the
//!    workflow (`BQ-E §4.5.7 (000 L646)`). Sending and filing each need a fresh [`BatchLink`] proving
//!    the linked batch issue has started ([`link_form`], [`with_batch_link`]).
//! 2. **Platform approval** (ours): the approver chain of [`Config::approver_chain`] signs in
//!    order; a refusal returns the request to review; the filer may not approve.
//! 3. **Fulfilment**: the material store (or spare-parts management) issues and ships with the
//!    transfer form (《从材料库调拨物料申请表》, `BQ-E §7 (000 L676)`); the branch receives and counts
//!    (ours: `received + short == shipped`).
//! 4. **Settlement** (ours): consumption reported, unused stock returned (cf. `BQ-E §6 (000 L676)`) or
//!    written off by the regional quality section; closed only when balanced; its cost rolls
//!    into the batch issue's losses and supplier claim ([`cost`], [`roll_up`], `BQ-E §5.5 (000 L670)`).
//!
//! ```
//! use aftersales::procedures::consumables::{self as cs, Deadline};
//! use aftersales::{BusinessCalendar, BusinessDuration, Vocabulary};
//! use std::sync::Arc;
//!
//! let config = cs::Config { issue_within: Some(BusinessDuration::WorkingHours(8)), ..Default::default() };
//! let def = cs::definition(&config, Arc::new(BusinessCalendar::default()))?;
//! let spec = def.definition().spec();
//! assert!(spec.deadlines.iter().any(|d| d.name == Deadline::Issue.name()));
//! # Ok::<(), aftersales::BuildError>(())
//! ```

mod config;
mod data;
mod forms;
mod graph;
mod report;
mod rules;

pub use config::Config;
pub use data::{ConsumablesError, Data, LineStatus, data};
pub use forms::{
    BatchLink, ConsumablesRequest, ConsumptionReport, CountedLine, IssuedLine, ItemQuantity,
    MaterialTransfer, QuantityRecord, ReceiptRecord, RequestLine, ReturnRecord, WriteOffRecord,
    link_form, with_batch_link,
};
pub use graph::definition;
pub use report::{cost, roll_up};
pub use rules::registry;

use super::batch_quality;
use crate::TypedDefinition;
use crate::Vocabulary;

/// The definition id.
pub const ID: &str = "consumables";
/// The definition version.
pub const VERSION: u32 = 1;

/// The typed definition of this procedure.
pub type Definition = TypedDefinition<State, Action, Role>;

crate::vocabulary! {
    /// States of a consumables request.
    pub enum State {
        /// Being drafted by the regional technical-support engineer (耗材申请表; ours as a state).
        Draft = "draft",
        /// Sent to the regional quality section (发送…给区域质量处, `BQ-E §5.3.2 (000 L666)`).
        RqsReview = "rqs_review",
        /// Returned to the engineer for revision (ours).
        ReturnedForRevision = "returned_for_revision",
        /// Filed in the manufacturing platform's workflow (通过工作流申请, `BQ-E §5.3.2 (000 L666)`); the
        /// approver chain signs (chain ours).
        PlatformApproval = "platform_approval",
        /// Approved; waiting for the material store to issue (ours).
        AwaitingIssue = "awaiting_issue",
        /// Issued from the material store (从材料库调拨物料申请表, `BQ-E §7 (000 L676)`) and shipped (ours).
        Shipped = "shipped",
        /// Received and counted by the branch (ours).
        Received = "received",
        /// Consumption reported; unused stock being returned or written off (ours).
        Settling = "settling",
        /// Balanced and closed; cost rolled into the batch issue (ours; `BQ-E §5.5 (000 L670)`).
        Closed = "closed",
        /// Refused by the regional quality section (ours).
        Rejected = "rejected",
        /// Withdrawn before filing (ours).
        Cancelled = "cancelled",
    }
}

crate::vocabulary! {
    /// Actions on a consumables request.
    pub enum Action {
        /// Send the request form to the regional quality section (`BQ-E §5.3 (000 L666)`).
        SendToRqs = "send_to_rqs",
        /// Return it for revision (ours).
        ReturnForRevision = "return_for_revision",
        /// Refuse it (ours).
        Reject = "reject",
        /// Apply through the platform workflow — regional quality section only (`BQ-E §4.5–§4.7 (000 L646)`, `BQ-E §5.3 (000 L666)`).
        FileWithPlatform = "file_with_platform",
        /// The platform approver chain signs (sign-off; ours).
        ApprovePlatform = "approve_platform",
        /// Issue and ship from the material store (`BQ-E §7 (000 L676)` form; step ours).
        IssueFromStore = "issue_from_store",
        /// The branch receives and counts (ours).
        ReceiveAndCount = "receive_and_count",
        /// Report consumption (ours).
        ReportConsumption = "report_consumption",
        /// Return unused stock (ours; cf. `BQ-E §6 (000 L676)`).
        ReturnUnused = "return_unused",
        /// Write stock off (ours).
        WriteOff = "write_off",
        /// Close when balanced (ours).
        Close = "close",
        /// Withdraw (ours).
        Cancel = "cancel",
    }
}

crate::vocabulary! {
    /// Roles in the consumables request. A department the batch quality procedure also names
    /// has its name there ([`Role::in_batch_quality`]): one role vocabulary for both.
    pub enum Role {
        /// 区域技术支持工程师 — drafts and sends the request (`BQ-E §5.3.2 (000 L666)`).
        RegionalTechSupportEngineer = "regional_tech_support_engineer",
        /// 区域质量处 — the only applicant in the workflow (`BQ-E §4.5.7 (000 L646)`, `BQ-E §5.3 (000 L666)`).
        RegionalQualitySection = "regional_quality_section",
        /// 制造平台审批人 — a platform approver (chain ours).
        PlatformApprover = "platform_approver",
        /// 制造平台负责人 — a senior platform approver, for longer chains (ours).
        PlatformDirector = "platform_director",
        /// 采购部 — procurement, when the chain includes it (ours).
        Procurement = "procurement",
        /// 材料库 — the material store (warehouse) issuing the goods (`BQ-E §7 (000 L676)` form).
        MaterialStore = "material_store",
        /// 服务平台备件管理部 — spare-parts management, may issue from spare stock (`BQ-E §4.4 (000 L644)`).
        SparePartsMgmt = "spare_parts_mgmt",
        /// 分公司 — the branch company receiving and using the goods (`BQ-E §4.5.7 (000 L646)`).
        Branch = "branch",
    }
}

impl Role {
    /// The same department in the batch quality procedure, by name (`None` for the platform
    /// approvers and the material store, which only this procedure names).
    pub fn in_batch_quality(self) -> Option<batch_quality::Role> {
        batch_quality::Role::from_name(self.name())
    }
}

crate::vocabulary! {
    /// Guards of the procedure's own (the stock rules are declared in the graph).
    pub enum Guard {
        /// The batch link attached by this command names the request's batch issue and shows
        /// it started (`BQ-E §4.5–§4.7 (000 L646)`, `BQ-E §5.3 (000 L666)`).
        BatchStarted = "batch_started",
        /// Every item's received stock is consumed, returned or written off (ours).
        Settled = "settled",
    }
}

crate::vocabulary! {
    /// Effects on the request's [`Data`].
    pub enum Effect {
        /// Record the request's lines (on every send; a revision replaces them).
        RecordRequest = "record_request",
        /// Record what was shipped, at the actual unit cost (`BQ-E §7 (000 L676)`).
        RecordIssue = "record_issue",
        /// Record the branch's count.
        RecordReceipt = "record_receipt",
        /// Add consumed quantities.
        RecordConsumption = "record_consumption",
        /// Add returned quantities.
        RecordReturn = "record_return",
        /// Add written-off quantities.
        RecordWriteOff = "record_write_off",
    }
}

crate::vocabulary! {
    /// Deadlines (all ours, off unless configured in [`Config`]).
    pub enum Deadline {
        /// The regional quality section's review ([`Config::rqs_review_within`]).
        RqsReview = "rqs_review",
        /// The platform approval chain ([`Config::platform_approval_within`]).
        PlatformApproval = "platform_approval",
        /// Issuing after approval ([`Config::issue_within`]).
        Issue = "issue",
        /// Receiving after shipping ([`Config::delivery_within`]).
        Delivery = "delivery",
        /// Reporting consumption after receipt ([`Config::consumption_report_within`]).
        ConsumptionReport = "consumption_report",
        /// Settling after the consumption report ([`Config::settlement_within`]).
        Settlement = "settlement",
    }
}

crate::vocabulary! {
    /// Form kinds: each is the `KIND` of the typed form of the same name.
    pub enum FormKind {
        /// [`ConsumablesRequest`] (《耗材申请单(批量)》).
        ConsumablesRequest = "consumables_request",
        /// [`BatchLink`].
        BatchLink = "batch_link",
        /// [`MaterialTransfer`] (《从材料库调拨物料申请表》).
        MaterialTransfer = "material_transfer",
        /// [`ReceiptRecord`].
        ReceiptRecord = "receipt_record",
        /// [`ConsumptionReport`].
        ConsumptionReport = "consumption_report",
        /// [`ReturnRecord`].
        ReturnRecord = "return_record",
        /// [`WriteOffRecord`].
        WriteOffRecord = "write_off_record",
    }
}
