//! Customer return, exchange and loan (客退 / 客换 / 客借).
//!
//! Canonical source: ZJHP-3-WI-QD-004 §6 (seed `004`, lines 488–510 and 580–672), with
//! production control's intake and the responsibility judgement of D1 (004 L5–34), "replace
//! first, investigate later" with customer classes A/B/C of D2 (004 L36–73), free or charged,
//! the GM office and the 20-yuan penalty of D4 (004 L141–160), the hour limits of D9
//! (004 L364–400) and the scrap approval of D11 (004 L486). Every rule below cites its line.
//!
//! # Three tracks in one state machine
//!
//! 1. **The goods** move through the states: announced to production control (every return
//!    is received by production control, other departments must notify it, 004 L9), received
//!    and given a repair order number (004 L8), handed to the CQE with the handling form and
//!    the 排产单 (004 L604), classified, inspected and judged (004 L12, L16, L397, L491). Then:
//!    - **pass** → 《客诉退料申请单》 signed by the OQC inspector and the quality manager, then
//!      the planning manager, then stock-in (004 L492); a lamp that cannot be sold as new
//!      waits for the salesperson's disposal plan; a sale-off needs the GM office (004 L152);
//!    - **fail** → the design center's rework plan, or, when it cannot give one, disassembly
//!      by the CQE with the cost to cost of sales (004 L493); reusable parts go back to stock,
//!      unusable parts are scrapped through the strictest documented chain: relevant
//!      departments, the design center's vice president (004 L507), the GM office
//!      (004 L152, L486), executed by the warehouse head (004 L507);
//!    - **return-only goods** → production checks reuse, then slow-moving stock (004 L31);
//!    - **a repair-for-customer verdict** → sales negotiates with the customer (004 L20, L34).
//! 2. **The replacement** runs alongside as self-loops on the goods states (data
//!    `replacement`): requested, confirmed by the customer service manager, ordered the same
//!    day, arrival promised within 1/2/3 days for class A/B/C, shipped (004 L48–67). Under
//!    [`ReplacementPolicy::ReplaceFirst`] this starts at the announcement, before the goods are
//!    back and before liability is known.
//! 3. **Settlement** happens in `settling`: the 免费/收费 mark with a copy to finance
//!    (004 L151), the dealer's account debited (004 L50, L71), the supplier claim
//!    (004 L599–601), internal accountability (004 L50), cost booking (004 L493, L602), the
//!    outcome told to the customer. `log_and_close` is the join: it needs every track settled
//!    ([`open_obligations`]).
//!
//! Loans (客借, 004 L586) are lent from `draft`; their return re-enters the common intake; an
//! overdue loan moves to `loan_overdue` and escalates (ours, configurable).
//!
//! Overrides are never silent: use [`override_command`], which carries the 20-yuan penalty
//! of 004 L156 on the `overridden` event; [`bypass_penalties`] lists every occurrence.
//!
//! ```
//! use aftersales::procedures::customer_return::{self as cr, Config};
//! use aftersales::{BusinessCalendar, Mermaid};
//! use std::sync::Arc;
//!
//! let def = cr::definition(&Config::default(), Arc::new(BusinessCalendar::default()))?;
//! assert!(Mermaid(def.definition()).to_string().contains("stateDiagram-v2"));
//! # Ok::<(), aftersales::BuildError>(())
//! ```

mod config;
mod data;
mod forms;
mod guards;
mod report;
mod rules;

pub use config::{ByClass, Config, ReplacementPolicy};
pub use data::{
    BypassPenalty, Case, CaseKind, ClaimedReturnType, Customer, CustomerClass, Data,
    ExchangeReason, Loan, LoanTerms, Region, ReplacementStatus, RestockProgress, ReworkProgress,
    ScrapProgress,
};
pub use forms::{
    AcceptedAs, AccountabilityRecord, AgingRecord, ArrivalPromise, BookingAccount, Category, Cause,
    Charging, ChargingMark, Classification, CostBooking, DamageOrigin, DealerCommitment, DebitNote,
    DisassemblyRecord, Disposal, DisposalPlan, FactoryArrival, HandlingForm, InspectionRecord,
    InspectionResult, LedgerEntry, LoanConversion, LoanSettlement, MaterialSource,
    NegotiationOutcome, NegotiationRecord, OutcomeNotice, Part, PartsStockIn, Payer, ReceiptRecord,
    ReplacementOrder, ReplacementRequest, ReplacementSource, ResponsibilityJudgement,
    RestockApplication, ReturnNotice, ReuseCheck, ReworkPlan, ReworkReport, SatisfactionRecord,
    ScrapApplication, ScrapOrigin, ShipBackRecord, SlowMovingEntry, SupplierClaim, SupplierReply,
    Verdict, WorkLiaisonForm,
};
pub use report::{PenaltyOccurrence, bypass_penalties, cost_ledger, override_command};
pub use rules::{
    Liability, Route, booking_account, case_data, charging, check_judgement, current_route,
    disputed, effective_judgement, expected_charging, liability, on_file, open_obligations, route,
    units,
};

use crate::Registry;
use crate::SignOrder;
use crate::TypedForm;
use crate::Vocabulary;
use crate::{BuildError, Builder, TypedDefinition};
use crate::{BusinessDuration, Calendar};
use crate::{DeadlineSpec, DurationSpec, EscalationSpec, Trigger};
use guards::{e, g};
use std::collections::BTreeMap;
use std::sync::Arc;

/// The definition id.
pub const ID: &str = "customer_return";
/// The definition version.
pub const VERSION: u32 = 1;

crate::vocabulary! {
    /// States of a customer return, exchange or loan.
    pub enum State {
        /// Opened with the case (kind, customer, class); nothing announced yet.
        Draft = "draft",
        /// 退货通知: production control knows; the goods are still out (004 L9, L400).
        Announced = "announced",
        /// Collected from the logistics depot, 退货回厂日期 recorded (004 L144).
        AtFactory = "at_factory",
        /// 点收: received, counted, isolated, labelled, 维修单号 assigned (004 L8, L9, L539).
        Received = "received",
        /// With the CQE with the handling form and the 排产单 (004 L604, L491).
        AtCqe = "at_cqe",
        /// Classified; inspection running (004 L397, L491).
        UnderInspection = "under_inspection",
        /// Result written on the handling form, carton marked; judgement drafted here
        /// (004 L492–493, L510, L144).
        Inspected = "inspected",
        /// Responsibility and verdict approved (004 L12, L16, L146–150).
        Judged = "judged",
        /// Sales negotiates with the customer (004 L20, L34).
        SalesNegotiation = "sales_negotiation",
        /// Waiting for the design center's handling plan or its refusal (004 L493).
        ReworkPlanning = "rework_planning",
        /// 《工作联系单》 being filed and signed (004 L667).
        ReworkApproval = "rework_approval",
        /// Manufacturing repairing (004 L667, L370).
        InRework = "in_rework",
        /// The CQE checks the repaired goods; aging for power supplies and modules
        /// (004 L667, L659).
        PostReworkCheck = "post_rework_check",
        /// Disassembled by the CQE; parts sorted (004 L493).
        Disassembled = "disassembled",
        /// 《客诉退料申请单》 being signed (004 L492, L649).
        RestockSignOff = "restock_sign_off",
        /// In the store but not sellable as new: the salesperson's plan (004 L492).
        AwaitingDisposalPlan = "awaiting_disposal_plan",
        /// 《报废申请单》 chain running (004 L507, L152, L486).
        ScrapSignOff = "scrap_sign_off",
        /// Return-only goods: production checks reuse (004 L31).
        ReuseCheck = "reuse_check",
        /// The goods are dealt with; settlement and the replacement finish here.
        Settling = "settling",
        /// Logged in 客诉处置台账 and T6; the closure is re-checked within a month
        /// (004 L508, L623).
        FollowUp = "follow_up",
        /// 客借: with the customer for sample confirmation (004 L586).
        OnLoan = "on_loan",
        /// The loan is past its term (ours).
        LoanOverdue = "loan_overdue",
        /// Done.
        Closed = "closed",
        /// Withdrawn before the replacement was ordered (ours).
        Cancelled = "cancelled",
    }
}

crate::vocabulary! {
    /// Actions of the procedure.
    pub enum Action {
        /// Announce a return or exchange to production control (004 L9, L400).
        Announce = "announce",
        /// Lend goods for sample confirmation; payload: [`LoanTerms`] (004 L586).
        Lend = "lend",
        /// Withdraw the case; payload `{"reason": ..}`.
        Cancel = "cancel",
        /// Collect the goods from the logistics depot (004 L144, L547–549).
        CollectFromDepot = "collect_from_depot",
        /// Receive and count the goods: production control only (004 L8, L9). From `draft`
        /// (nobody told production control) the payload names `missing_notice_by`.
        Receive = "receive",
        /// Submit the handling form, the 排产单 and the goods to the CQE (004 L604).
        SubmitToCqe = "submit_to_cqe",
        /// The leadership's special approval for urgent handling (特批, 004 L623).
        GrantUrgent = "grant_urgent",
        /// First classification by the CQE (004 L397).
        Classify = "classify",
        /// The CQE's inspection (004 L491–493).
        RecordInspection = "record_inspection",
        /// The CQE drafts the responsibility judgement (004 L12, L16).
        DraftJudgement = "draft_judgement",
        /// The quality manager approves it (004 L12; INF L654).
        ApproveJudgement = "approve_judgement",
        /// Hand a repair-for-customer verdict to sales (004 L20, L34).
        OpenNegotiation = "open_negotiation",
        /// Sales agreed a repair for the customer (004 L20).
        AgreeRepair = "agree_repair",
        /// Sales accepted the return as claimed, with the GM office (004 L34, L545–546).
        AcceptReturn = "accept_return",
        /// The customer takes the goods back as they are (004 L20).
        CustomerTakesBack = "customer_takes_back",
        /// File 《客诉退料申请单》 (004 L492).
        FileRestock = "file_restock",
        /// Ask the design center for a handling plan (004 L493, L510).
        RequestReworkPlan = "request_rework_plan",
        /// Send return-only goods to production's reuse check (004 L31).
        SendToReuseCheck = "send_to_reuse_check",
        /// The design center cannot issue a plan; payload `{"reason": ..}` (004 L493).
        DeclineReworkPlan = "decline_rework_plan",
        /// The design center issues the handling plan (004 L493, L532).
        IssueReworkPlan = "issue_rework_plan",
        /// The CQE files 《工作联系单》 (004 L667).
        FileWorkLiaison = "file_work_liaison",
        /// 《工作联系单》 signed: the rework goes to manufacturing (004 L667).
        ReleaseRework = "release_rework",
        /// Manufacturing hands the repaired goods to the CQE (004 L667).
        CompleteRework = "complete_rework",
        /// Aging of power supplies and modules (004 L659, L667).
        RecordAging = "record_aging",
        /// The re-inspection failed (004 L486 c).
        RejectRework = "reject_rework",
        /// Ship repaired goods back to the customer (004 L19, L667).
        ReturnToCustomer = "return_to_customer",
        /// The CQE disassembles the goods (004 L493).
        Disassemble = "disassemble",
        /// Reusable parts back to stock after QC (004 L493, L526).
        StockReusableParts = "stock_reusable_parts",
        /// File 《报废申请单》 (004 L493, L507).
        FileScrap = "file_scrap",
        /// Disassembly with nothing to scrap is done (004 L493).
        FinishDisassembly = "finish_disassembly",
        /// OQC inspector and quality manager sign 《客诉退料申请单》 (004 L492).
        ApproveRestock = "approve_restock",
        /// The planning manager signs it after them (004 L492).
        ConfirmRestock = "confirm_restock",
        /// The warehouse stocks the goods against the signed application (004 L492).
        StockIn = "stock_in",
        /// The salesperson's disposal plan (004 L492).
        SubmitDisposalPlan = "submit_disposal_plan",
        /// The GM office approves a sale-off (004 L152).
        ApproveSaleOff = "approve_sale_off",
        /// The relevant departments sign the scrap application (004 L507).
        ConfirmScrap = "confirm_scrap",
        /// The design center's vice president approves the scrap (004 L507).
        ApproveScrap = "approve_scrap",
        /// The GM office approves the scrap (004 L152, L486).
        AuthoriseScrap = "authorise_scrap",
        /// The warehouse head executes the scrap (004 L507).
        ExecuteScrap = "execute_scrap",
        /// A chain approver rejects the scrap; payload `{"reason": ..}`.
        RejectScrap = "reject_scrap",
        /// Production records whether existing orders can use return-only goods (004 L31).
        RecordReuseCheck = "record_reuse_check",
        /// Return-only goods into slow-moving stock (004 L31).
        StoreSlowMoving = "store_slow_moving",
        /// Request the replacement (004 L48, L60).
        RequestReplacement = "request_replacement",
        /// The customer service manager confirms it (004 L48, L60).
        ConfirmReplacement = "confirm_replacement",
        /// Production and logistics told the same day (004 L60).
        OrderReplacement = "order_replacement",
        /// The arrival promise (004 L64–67).
        PromiseArrival = "promise_arrival",
        /// Logistics ships the replacement (004 L60).
        ShipReplacement = "ship_replacement",
        /// Quality marks 免费 or 收费, one copy to finance (004 L151).
        MarkCharging = "mark_charging",
        /// Issue the debit note (004 L50, L71).
        IssueDebitNote = "issue_debit_note",
        /// Finance posts the debit (004 L45, INF).
        PostDebit = "post_debit",
        /// A batch supplier defect: quality convenes the supplier (004 L600).
        ConveneSupplierMeeting = "convene_supplier_meeting",
        /// A non-batch supplier defect: material back to the supplier (004 L601, L670).
        ReturnToSupplier = "return_to_supplier",
        /// The supplier's 8D report and plan (004 L601).
        RecordSupplierReply = "record_supplier_reply",
        /// Internal accountability (004 L50).
        OpenAccountability = "open_accountability",
        /// Book a confirmed cost (004 L493, L602).
        BookCost = "book_cost",
        /// Tell the customer the outcome (004 L478, L623).
        NotifyCustomer = "notify_customer",
        /// Log in the ledger and T6, then follow up (004 L508, L626).
        LogAndClose = "log_and_close",
        /// Customer satisfaction on the handling form (004 L623).
        RecordSatisfaction = "record_satisfaction",
        /// The closure re-check is done (004 L623).
        VerifyClosure = "verify_closure",
        /// Extend a loan; payload `{"term_months": n}` (ours).
        ExtendLoan = "extend_loan",
        /// The lent goods come back: the common intake (004 L586, L9).
        AnnounceLoanReturn = "announce_loan_return",
        /// The customer buys the overdue loan (ours).
        ConvertLoanToSale = "convert_loan_to_sale",
        /// Write the overdue loan off (ours).
        WriteOffLoan = "write_off_loan",
    }
}

crate::vocabulary! {
    /// Roles of the procedure. External parties (customer, dealer, supplier) hold none: their
    /// consent is recorded by an internal role.
    pub enum Role {
        /// 应用设计中心: customer-facing; opens the handling form, orders replenishment
        /// (004 L604, L664).
        ApplicationDesignCenter = "application_design_center",
        /// 应用设计中心副总裁: approves scrap (004 L507).
        AdcVicePresident = "adc_vice_president",
        /// 公司领导: grants 特批 (004 L623).
        CompanyLeadership = "company_leadership",
        /// 生管部: the sole receiver of returns (004 L8, L9); PMC verifies scrap (004 L383).
        ProductionControl = "production_control",
        /// 业务部 / 销售人员: negotiates, gives disposal plans (004 L20, L34, L492).
        Sales = "sales",
        /// 客服专员 (004 L48, L60, L62, L71).
        CustomerServiceSpecialist = "customer_service_specialist",
        /// 客服经理: confirms the replacement (004 L48, L60).
        CustomerServiceManager = "customer_service_manager",
        /// 储运部: collects from the depot (004 L144).
        StorageTransport = "storage_transport",
        /// 送货员: collects only against a notice (004 L547–549).
        DeliveryPerson = "delivery_person",
        /// 物流部: ships the replacement (004 L48, L60).
        Logistics = "logistics",
        /// CQE: classifies, inspects, disassembles, files (004 L491–493).
        Cqe = "cqe",
        /// OQC检验员: signs 《客诉退料申请单》 (004 L492).
        OqcInspector = "oqc_inspector",
        /// 品质经理 (004 L492, L667).
        QualityManager = "quality_manager",
        /// 计划科经理 (004 L492).
        PlanningManager = "planning_manager",
        /// 制造部 / 生产: repairs, checks reuse (004 L31, L667).
        ProductionWorkshop = "production_workshop",
        /// 仓库: stock-in, slow-moving store (004 L31, L492).
        Warehouse = "warehouse",
        /// 仓库负责人: executes scrap (004 L507).
        WarehouseHead = "warehouse_head",
        /// 财务部: gets the marked copy, posts debits (004 L45, L151).
        Finance = "finance",
        /// 总经办: sale-off, scrap, accepted disputed returns, overrides (004 L152, L486,
        /// L545–546).
        GmOffice = "gm_office",
    }
}

/// The states where the replacement track's actions are available: from the announcement
/// on under replace-first (004 L48–52), from the inspection report on under
/// investigate-first (004 L376–381). Sign-off states are left out: a self-loop there would
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

/// The procedure's registry: typed forms, guards and effects (default calendar).
pub fn registry(config: &Config) -> Registry {
    guards::build(config)
}

/// The validated definition, deadlines computed in `calendar`.
///
/// # Errors
/// [`BuildError`] when the configuration makes the definition invalid (e.g. an empty
/// signer list).
pub fn definition(
    config: &Config,
    calendar: Arc<dyn Calendar>,
) -> Result<TypedDefinition<State, Action, Role>, BuildError> {
    let def = builder(config).build(&registry(config).shared_calendar(calendar))?;
    Ok(TypedDefinition::new(def)?)
}

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
    let b = rework(b);
    let b = restock_and_scrap(b, config);
    let b = settlement(b);
    let b = loans(b);
    let b = replacement(b, config);
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
        .describe_state("退货通知 to production control (004 L9)")
        .normal(S::AtFactory)
        .describe_state("退货回厂 (004 L144)")
        .normal(S::Received)
        .describe_state("点收, 维修单号 (004 L8)")
        .normal(S::AtCqe)
        .describe_state("with the CQE (004 L604)")
        .normal(S::UnderInspection)
        .describe_state("classified, inspecting (004 L397, L491)")
        .normal(S::Inspected)
        .describe_state("result on the handling form (004 L492–493)")
        .normal(S::Judged)
        .describe_state("责任判定 approved (004 L12, L16)")
        .normal(S::SalesNegotiation)
        .describe_state("sales and the customer (004 L20, L34)")
        .normal(S::ReworkPlanning)
        .describe_state("design center's handling plan (004 L493)")
        .normal(S::ReworkApproval)
        .describe_state("《工作联系单》 (004 L667)")
        .normal(S::InRework)
        .describe_state("manufacturing repairs (004 L667)")
        .normal(S::PostReworkCheck)
        .describe_state("CQE re-check, aging (004 L659, L667)")
        .normal(S::Disassembled)
        .describe_state("parts sorted (004 L493)")
        .normal(S::RestockSignOff)
        .describe_state("《客诉退料申请单》 (004 L492)")
        .normal(S::AwaitingDisposalPlan)
        .describe_state("整灯处理方案 (004 L492)")
        .normal(S::ScrapSignOff)
        .describe_state("《报废申请单》 (004 L507, L152)")
        .normal(S::ReuseCheck)
        .describe_state("只退不补品 (004 L31)")
        .normal(S::Settling)
        .describe_state("free/charged, debit, claims, replacement")
        .normal(S::FollowUp)
        .describe_state("1-month closure re-check (004 L623)")
        .normal(S::OnLoan)
        .describe_state("客借 (004 L586)")
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
    let receive = |t: crate::TransitionBuilder| {
        t.roles([R::ProductionControl])
            .form(ReceiptRecord::KIND)
            .guard(g::RECEIPT)
            .describe("004 L8, L9, L284, L539")
    };
    let mut b = b
        .transition(S::Draft, A::Announce, S::Announced, |t| {
            t.roles(announcers)
                .form(ReturnNotice::KIND)
                .guard(g::ANNOUNCEABLE)
                .describe("004 L9, L400")
        })
        .transition(S::Draft, A::Lend, S::OnLoan, |t| {
            t.roles([R::ApplicationDesignCenter])
                .guard(g::LOAN_TERMS)
                .effect(e::LOAN)
                .describe("004 L586; term ours")
        })
        .transition(S::Draft, A::Receive, S::Received, |t| {
            t.roles([R::ProductionControl])
                .form(ReceiptRecord::KIND)
                .guard(g::UNANNOUNCED)
                .guard(g::RECEIPT)
                .effect(e::UNANNOUNCED)
                .describe("004 L9, L156")
        })
        .transition(S::Announced, A::CollectFromDepot, S::AtFactory, |t| {
            t.roles([R::StorageTransport, R::DeliveryPerson])
                .form(FactoryArrival::KIND)
                .describe("004 L144, L547–549")
        })
        .transition(S::Announced, A::Receive, S::Received, receive)
        .transition(S::AtFactory, A::Receive, S::Received, receive);
    for from in [S::Draft, S::Announced] {
        b = b.transition(from, A::Cancel, S::Cancelled, |t| {
            t.roles(announcers).guard(g::CANCELLABLE).describe("ours")
        });
    }
    b.transition(S::Received, A::SubmitToCqe, S::AtCqe, |t| {
        t.roles(&submitters)
            .form(HandlingForm::KIND)
            .guard(g::HANDLING_FORM)
            .describe("004 L604, L8")
    })
}

fn judgement(b: Builder) -> Builder {
    use Action as A;
    use Role as R;
    use State as S;
    let mut b = b
        .transition(S::AtCqe, A::Classify, S::UnderInspection, |t| {
            t.roles([R::Cqe])
                .form(Classification::KIND)
                .describe("004 L397, L368")
        })
        .transition(S::UnderInspection, A::RecordInspection, S::Inspected, |t| {
            t.roles([R::Cqe])
                .form(InspectionRecord::KIND)
                .guard(g::INSPECTION)
                .describe("004 L491–493, L510, L144")
        })
        .transition(S::Inspected, A::DraftJudgement, S::Inspected, |t| {
            t.roles([R::Cqe])
                .form(ResponsibilityJudgement::KIND)
                .guard(g::JUDGEMENT_DRAFT)
                .describe("004 L12, L16, L31, L146–150")
        })
        .transition(S::Inspected, A::ApproveJudgement, S::Judged, |t| {
            t.roles([R::QualityManager])
                .not_same_actor_as(A::DraftJudgement)
                .excluding_role(R::Sales)
                .excluding_role(R::ApplicationDesignCenter)
                .form(ResponsibilityJudgement::KIND)
                .guard(g::JUDGEMENT_CURRENT)
                .describe("004 L12; approver INF L654")
        });
    for s in [S::AtCqe, S::UnderInspection, S::Inspected] {
        b = b.transition(s, A::GrantUrgent, s, |t| {
            t.roles([R::CompanyLeadership])
                .guard(g::NOT_URGENT_YET)
                .describe("004 L623 特批")
        });
    }
    b.transition(S::Judged, A::OpenNegotiation, S::SalesNegotiation, |t| {
        t.roles([R::Cqe, R::QualityManager])
            .guard(g::ROUTE_NEGOTIATE)
            .describe("004 L16, L20, L34")
    })
    .transition(S::Judged, A::FileRestock, S::RestockSignOff, |t| {
        t.roles([R::Cqe])
            .form(RestockApplication::KIND)
            .guard(g::ROUTE_RESTOCK)
            .guard(g::RESTOCK_QTY)
            .effect(e::RESET_RESTOCK)
            .describe("004 L492, L649")
    })
    .transition(S::Judged, A::RequestReworkPlan, S::ReworkPlanning, |t| {
        t.roles([R::Cqe])
            .guard(g::ROUTE_REWORK)
            .effect(e::RESET_REWORK)
            .describe("004 L493, L510")
    })
    .transition(S::Judged, A::SendToReuseCheck, S::ReuseCheck, |t| {
        t.roles([R::Cqe]).guard(g::ROUTE_REUSE).describe("004 L31")
    })
    .transition(
        S::SalesNegotiation,
        A::AgreeRepair,
        S::ReworkPlanning,
        |t| {
            t.roles([R::Sales])
                .form(NegotiationRecord::KIND)
                .guard(g::NEG_REPAIR)
                .effect(e::RESET_REWORK)
                .describe("004 L20, L34, L542")
        },
    )
    .transition(S::SalesNegotiation, A::AcceptReturn, S::Judged, |t| {
        t.sign_off(
            [R::Sales, R::GmOffice],
            SignOrder::Sequential,
            "accept the disputed return (004 L34, L545–546)",
        )
        .form(NegotiationRecord::KIND)
        .guard(g::NEG_ACCEPT)
        .describe("004 L34, L545–546")
    })
    .transition(
        S::SalesNegotiation,
        A::CustomerTakesBack,
        S::Settling,
        |t| {
            t.roles([R::Sales])
                .form(NegotiationRecord::KIND)
                .form(ShipBackRecord::KIND)
                .guard(g::NEG_TAKE_BACK)
                .describe("004 L20")
        },
    )
}

fn rework(b: Builder) -> Builder {
    use Action as A;
    use Role as R;
    use State as S;
    b.transition(
        S::ReworkPlanning,
        A::DeclineReworkPlan,
        S::ReworkPlanning,
        |t| {
            t.roles([R::ApplicationDesignCenter])
                .guard(g::REASON)
                .effect(e::ADC_DECLINED)
                .describe("004 L493 若无法出具")
        },
    )
    .transition(
        S::ReworkPlanning,
        A::IssueReworkPlan,
        S::ReworkApproval,
        |t| {
            t.roles([R::ApplicationDesignCenter])
                .form(ReworkPlan::KIND)
                .describe("004 L493, L532")
        },
    )
    .transition(S::ReworkPlanning, A::Disassemble, S::Disassembled, |t| {
        t.roles([R::Cqe])
            .form(DisassemblyRecord::KIND)
            .guard(g::ADC_DECLINED)
            .describe("004 L493")
    })
    .transition(
        S::ReworkApproval,
        A::FileWorkLiaison,
        S::ReworkApproval,
        |t| {
            t.roles([R::Cqe])
                .form(WorkLiaisonForm::KIND)
                .describe("004 L667")
        },
    )
    .transition(S::InRework, A::CompleteRework, S::PostReworkCheck, |t| {
        t.roles([R::ProductionWorkshop])
            .form(ReworkReport::KIND)
            .describe("004 L667, L371")
    })
    .transition(
        S::PostReworkCheck,
        A::RecordAging,
        S::PostReworkCheck,
        |t| {
            t.roles([R::Cqe, R::ProductionWorkshop])
                .form(AgingRecord::KIND)
                .effect(e::AGED)
                .describe("004 L659, L667")
        },
    )
    .transition(
        S::PostReworkCheck,
        A::RejectRework,
        S::ReworkPlanning,
        |t| {
            t.roles([R::Cqe])
                .form(InspectionRecord::KIND)
                .guard(g::REINSPECTION_FAILED)
                .effect(e::RESET_REWORK)
                .describe("004 L486 c)")
        },
    )
    .transition(S::PostReworkCheck, A::FileRestock, S::RestockSignOff, |t| {
        t.roles([R::Cqe])
            .form(RestockApplication::KIND)
            .guard(g::AGED)
            .guard(g::OUR_GOODS)
            .guard(g::RESTOCK_QTY)
            .effect(e::RESET_RESTOCK)
            .describe("004 L492, L667")
    })
    .transition(S::PostReworkCheck, A::ReturnToCustomer, S::Settling, |t| {
        t.roles([R::ApplicationDesignCenter, R::Warehouse])
            .form(ShipBackRecord::KIND)
            .guard(g::AGED)
            .guard(g::REPAIR_FOR_CUSTOMER)
            .describe("004 L19, L529, L667")
    })
    .transition(
        S::Disassembled,
        A::StockReusableParts,
        S::Disassembled,
        |t| {
            t.roles([R::Warehouse])
                .form(PartsStockIn::KIND)
                .guard(g::PARTS_STOCK_IN)
                .describe("004 L493, L526, L658")
        },
    )
    .transition(S::Disassembled, A::FileScrap, S::ScrapSignOff, |t| {
        t.roles([R::Cqe])
            .form(ScrapApplication::KIND)
            .guard(g::REUSABLE_STOCKED)
            .guard(g::SCRAP_PARTS)
            .effect(e::RESET_SCRAP)
            .describe("004 L493, L507, L658")
    })
    .transition(S::Disassembled, A::FinishDisassembly, S::Settling, |t| {
        t.roles([R::Cqe])
            .guard(g::REUSABLE_STOCKED)
            .guard(g::NO_UNUSABLE)
            .describe("004 L493")
    })
}

fn restock_and_scrap(b: Builder, config: &Config) -> Builder {
    use Action as A;
    use Role as R;
    use State as S;
    let mut rejecters: Vec<Role> = config.scrap_departments.clone();
    for r in [R::AdcVicePresident, R::GmOffice] {
        if !rejecters.contains(&r) {
            rejecters.push(r);
        }
    }
    b.transition(S::ReworkApproval, A::ReleaseRework, S::InRework, |t| {
        t.sign_off(
            config.work_liaison_signers.iter(),
            SignOrder::Sequential,
            "approve 《工作联系单》 (004 L667)",
        )
        .on_refuse(S::ReworkPlanning)
        .form(WorkLiaisonForm::KIND)
        .describe("004 L667, L19")
    })
    .transition(
        S::RestockSignOff,
        A::ApproveRestock,
        S::RestockSignOff,
        |t| {
            t.sign_off(
                [R::OqcInspector, R::QualityManager],
                SignOrder::AnyOrder,
                "confirm 《客诉退料申请单》 (004 L492)",
            )
            .on_refuse(S::UnderInspection)
            .not_same_actor_as(A::FileRestock)
            .excluding_role(R::Warehouse)
            .guard(g::RESTOCK_AWAITING_QUALITY)
            .effect(e::RESTOCK_QUALITY)
            .describe("004 L492, L649")
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
                "confirm 《客诉退料申请单》 for planning (004 L492)",
            )
            .on_refuse(S::UnderInspection)
            .not_same_actor_as(A::FileRestock)
            .excluding_role(R::Warehouse)
            .guard(g::RESTOCK_QUALITY_SIGNED)
            .effect(e::RESTOCK_PLANNING)
            .describe("004 L492, L649")
        },
    )
    .transition(S::RestockSignOff, A::StockIn, S::Settling, |t| {
        t.roles([R::Warehouse])
            .excluding_role(R::Cqe)
            .guard(g::RESTOCK_SIGNED)
            .guard(g::SELLABLE)
            .describe("004 L492 入库依据")
    })
    .transition(
        S::RestockSignOff,
        A::StockIn,
        S::AwaitingDisposalPlan,
        |t| {
            t.roles([R::Warehouse])
                .excluding_role(R::Cqe)
                .guard(g::RESTOCK_SIGNED)
                .guard(g::NOT_SELLABLE)
                .describe("004 L492, L649")
        },
    )
    .transition(
        S::AwaitingDisposalPlan,
        A::SubmitDisposalPlan,
        S::AwaitingDisposalPlan,
        |t| {
            t.roles([R::Sales])
                .form(DisposalPlan::KIND)
                .guard(g::PLAN_QTY)
                .describe("004 L492, L649")
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
                .guard(g::PLAN_SALE_OFF)
                .describe("004 L152")
        },
    )
    .transition(
        S::AwaitingDisposalPlan,
        A::FileScrap,
        S::ScrapSignOff,
        |t| {
            t.roles([R::Cqe])
                .form(ScrapApplication::KIND)
                .guard(g::SCRAP_PLAN)
                .effect(e::RESET_SCRAP)
                .describe("004 L492, L152, L507")
        },
    )
    .transition(
        S::AwaitingDisposalPlan,
        A::RequestReworkPlan,
        S::ReworkPlanning,
        |t| {
            t.roles([R::Cqe])
                .guard(g::PLAN_REWORK)
                .effect(e::RESET_REWORK)
                .describe("004 L492, L493")
        },
    )
    .transition(S::ScrapSignOff, A::ConfirmScrap, S::ScrapSignOff, |t| {
        t.sign_off(
            config.scrap_departments.iter(),
            SignOrder::AnyOrder,
            "confirm 《报废申请单》 (相关部门, 004 L507)",
        )
        .not_same_actor_as(A::FileScrap)
        .guard(g::SCRAP_AWAITING_DEPARTMENTS)
        .effect(e::SCRAP_DEPARTMENTS)
        .describe("004 L507, L493, L383")
    })
    .transition(S::ScrapSignOff, A::ApproveScrap, S::ScrapSignOff, |t| {
        t.sign_off(
            [R::AdcVicePresident],
            SignOrder::Sequential,
            "approve the scrap (004 L507)",
        )
        .not_same_actor_as(A::FileScrap)
        .guard(g::SCRAP_DEPARTMENTS_SIGNED)
        .effect(e::SCRAP_VP)
        .describe("004 L507, L625")
    })
    .transition(S::ScrapSignOff, A::AuthoriseScrap, S::ScrapSignOff, |t| {
        t.sign_off(
            [R::GmOffice],
            SignOrder::Sequential,
            "authorise the scrap (总经办, 004 L152, L486)",
        )
        .not_same_actor_as(A::FileScrap)
        .not_same_actor_as(A::ApproveScrap)
        .guard(g::SCRAP_VP_SIGNED)
        .effect(e::SCRAP_GM)
        .describe("004 L152, L486")
    })
    .transition(S::ScrapSignOff, A::ExecuteScrap, S::Settling, |t| {
        t.roles([R::WarehouseHead])
            .excluding_role(R::Cqe)
            .guard(g::SCRAP_COMPLETE)
            .describe("004 L507")
    })
    .transition(S::ScrapSignOff, A::RejectScrap, S::Disassembled, |t| {
        t.roles(&rejecters)
            .guard(g::REASON)
            .guard(g::SCRAP_FROM_PARTS)
            .describe("ours")
    })
    .transition(
        S::ScrapSignOff,
        A::RejectScrap,
        S::AwaitingDisposalPlan,
        |t| {
            t.roles(&rejecters)
                .guard(g::REASON)
                .guard(g::SCRAP_FROM_PLAN)
                .describe("ours")
        },
    )
    .transition(S::ReuseCheck, A::RecordReuseCheck, S::ReuseCheck, |t| {
        t.roles([R::ProductionWorkshop])
            .form(ReuseCheck::KIND)
            .describe("004 L31")
    })
    .transition(S::ReuseCheck, A::StoreSlowMoving, S::Settling, |t| {
        t.roles([R::Warehouse])
            .form(SlowMovingEntry::KIND)
            .guard(g::SLOW_MOVING)
            .describe("004 L31")
    })
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
            .form(ChargingMark::KIND)
            .guard(g::CHARGING_MARK)
            .describe("004 L147–151")
    })
    .transition(s, A::IssueDebitNote, s, |t| {
        t.roles([R::CustomerServiceSpecialist, R::Sales])
            .form(DebitNote::KIND)
            .guard(g::DEBIT_NOTE)
            .describe("004 L50, L62, L71")
    })
    .transition(s, A::PostDebit, s, |t| {
        t.roles([R::Finance])
            .not_same_actor_as(A::IssueDebitNote)
            .guard(g::DEBIT_ISSUED)
            .describe("004 L45, L151 (INF)")
    })
    .transition(s, A::ConveneSupplierMeeting, s, |t| {
        t.roles([R::Cqe, R::QualityManager])
            .form(SupplierClaim::KIND)
            .guard(g::SUPPLIER_BATCH)
            .describe("004 L150, L600")
    })
    .transition(s, A::ReturnToSupplier, s, |t| {
        t.roles([R::Cqe])
            .form(SupplierClaim::KIND)
            .guard(g::SUPPLIER_SINGLE)
            .describe("004 L601, L670")
    })
    .transition(s, A::RecordSupplierReply, s, |t| {
        t.roles([R::Cqe])
            .form(SupplierReply::KIND)
            .guard(g::SUPPLIER_CLAIM_OPEN)
            .describe("004 L601")
    })
    .transition(s, A::OpenAccountability, s, |t| {
        t.roles([R::QualityManager])
            .form(AccountabilityRecord::KIND)
            .guard(g::INTERNAL_CAUSE)
            .describe("004 L50")
    })
    .transition(s, A::BookCost, s, |t| {
        t.roles([R::QualityManager])
            .form(CostBooking::KIND)
            .guard(g::COST_BOOKING)
            .describe("004 L493, L602")
    })
    .transition(s, A::NotifyCustomer, s, |t| {
        t.roles([
            R::ApplicationDesignCenter,
            R::Sales,
            R::CustomerServiceSpecialist,
        ])
        .form(OutcomeNotice::KIND)
        .describe("004 L478, L623")
    })
    .transition(s, A::LogAndClose, S::FollowUp, |t| {
        t.roles([R::Cqe, R::QualityManager])
            .form(LedgerEntry::KIND)
            .guard(g::CLOSURE)
            .describe("004 L508, L626")
    })
    .transition(S::FollowUp, A::RecordSatisfaction, S::FollowUp, |t| {
        t.roles([R::ApplicationDesignCenter])
            .form(SatisfactionRecord::KIND)
            .describe("004 L623")
    })
    .transition(S::FollowUp, A::VerifyClosure, S::Closed, |t| {
        t.roles([R::Cqe, R::QualityManager]).describe("004 L623")
    })
}

fn loans(b: Builder) -> Builder {
    use Action as A;
    use Role as R;
    use State as S;
    b.transition(S::OnLoan, A::ExtendLoan, S::OnLoan, |t| {
        t.roles([R::AdcVicePresident])
            .guard(g::LOAN_EXTENSION)
            .effect(e::LOAN_EXTENSION)
            .describe("ours")
    })
    .transition(S::OnLoan, A::AnnounceLoanReturn, S::Announced, |t| {
        t.roles([R::ApplicationDesignCenter])
            .form(ReturnNotice::KIND)
            .describe("004 L586, L9")
    })
    .transition(S::LoanOverdue, A::AnnounceLoanReturn, S::Announced, |t| {
        t.roles([R::ApplicationDesignCenter])
            .form(ReturnNotice::KIND)
            .describe("004 L586, L9")
    })
    .transition(S::LoanOverdue, A::ConvertLoanToSale, S::Settling, |t| {
        t.roles([R::AdcVicePresident])
            .form(LoanConversion::KIND)
            .guard(g::LOAN_SOLD)
            .describe("ours")
    })
    .transition(S::LoanOverdue, A::WriteOffLoan, S::Settling, |t| {
        t.sign_off(
            [R::AdcVicePresident, R::GmOffice],
            SignOrder::Sequential,
            "write off the lent goods (ours, mirrors 004 L507, L152)",
        )
        .form(LoanConversion::KIND)
        .guard(g::LOAN_WRITTEN_OFF)
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
                    .form(ReplacementRequest::KIND)
                    .guard(g::REPLACEMENT_REQUEST)
                    .effect(e::REPLACEMENT_REQUESTED)
                    .describe("004 L48, L60, L62, L367, L604")
            })
            .transition(s, A::ConfirmReplacement, s, |t| {
                t.roles([R::CustomerServiceManager])
                    .not_same_actor_as(A::RequestReplacement)
                    .guard(g::REPLACEMENT_REQUESTED)
                    .effect(e::REPLACEMENT_CONFIRMED)
                    .describe("004 L48, L60")
            })
            .transition(s, A::OrderReplacement, s, |t| {
                t.roles(requesters)
                    .form(ReplacementOrder::KIND)
                    .guard(g::REPLACEMENT_CONFIRMED)
                    .effect(e::REPLACEMENT_ORDERED)
                    .describe("004 L60, L604")
            })
            .transition(s, A::PromiseArrival, s, |t| {
                t.roles([R::CustomerServiceSpecialist, R::ApplicationDesignCenter])
                    .form(ArrivalPromise::KIND)
                    .guard(g::ARRIVAL_PROMISE)
                    .describe("004 L64–67")
            })
            .transition(s, A::ShipReplacement, s, |t| {
                t.roles([R::Logistics])
                    .guard(g::REPLACEMENT_ORDERED)
                    .effect(e::REPLACEMENT_SHIPPED)
                    .describe("004 L60")
            });
    }
    b
}

fn deadlines(b: Builder, config: &Config) -> Builder {
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
    let region = "/case/customer/region";
    let mut b = b
        .deadline(
            DeadlineSpec::new(
                "replacement_order_same_day",
                Trigger::action(A::ConfirmReplacement),
                config.replacement_order_limit,
            )
            .met_on(Trigger::action(A::OrderReplacement))
            .escalate(EscalationSpec::notify([R::CustomerServiceManager]))
            .owner(R::CustomerServiceSpecialist)
            .describe("004 L60 当日立即"),
        )
        .deadline(
            DeadlineSpec::new(
                "arrival_promise",
                Trigger::action(A::RequestReplacement),
                select(
                    "/case/customer/class",
                    &[
                        ("A", config.arrival_promise.a),
                        ("B", config.arrival_promise.b),
                        ("C", config.arrival_promise.c),
                    ],
                ),
            )
            .met_on(Trigger::action(A::PromiseArrival))
            .escalate(EscalationSpec::notify([R::CustomerServiceManager]))
            .owner(R::CustomerServiceSpecialist)
            .describe("004 L64–67"),
        )
        .deadline(
            DeadlineSpec::new(
                "initial_classification",
                Trigger::action(A::Receive),
                config.classification_limit,
            )
            .met_on(Trigger::action(A::Classify))
            .escalate(EscalationSpec::notify([R::QualityManager]))
            .owner(R::Cqe)
            .describe("004 L368, L397"),
        )
        .deadline(
            DeadlineSpec::new(
                "judgement",
                Trigger::action(A::Receive),
                config.judgement_limit,
            )
            .met_on(Trigger::action(A::ApproveJudgement))
            .escalate(EscalationSpec::notify([R::QualityManager]))
            .owner(R::Cqe)
            .describe("004 L144 2天内完成"),
        )
        .deadline(
            DeadlineSpec::new(
                "cqe_analysis",
                Trigger::action(A::SubmitToCqe),
                config.analysis_limit,
            )
            .met_on(Trigger::action(A::RecordInspection))
            .escalate(EscalationSpec::notify([R::QualityManager]))
            .owner(R::Cqe)
            .describe("004 L623"),
        )
        .deadline(
            DeadlineSpec::new(
                "resolve_and_reply",
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
            .describe("004 L623"),
        )
        .deadline(
            DeadlineSpec::new(
                "urgent_resolve_and_reply",
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
            .describe("004 L623 特批"),
        )
        .deadline(
            DeadlineSpec::new("rework", Trigger::enter(S::InRework), config.rework_limit)
                .met_on(Trigger::action(A::CompleteRework))
                .escalate(EscalationSpec::notify([R::PlanningManager]))
                .owner(R::ProductionWorkshop)
                .describe("004 L370–371"),
        )
        .deadline(
            DeadlineSpec::new(
                "stock_in",
                Trigger::enter(S::RestockSignOff),
                config.stock_in_limit,
            )
            .met_on(Trigger::action(A::StockIn))
            .escalate(EscalationSpec::notify([R::QualityManager]))
            .owner(R::Warehouse)
            .describe("004 L372–375"),
        )
        .deadline(
            DeadlineSpec::new(
                "supplier_8d",
                Trigger::action(A::ReturnToSupplier),
                config.supplier_8d_limit,
            )
            .met_on(Trigger::action(A::RecordSupplierReply))
            .escalate(EscalationSpec::notify([R::QualityManager]))
            .owner(R::Cqe)
            .describe("004 L601"),
        )
        .deadline(
            DeadlineSpec::new(
                "closure_recheck",
                Trigger::enter(S::FollowUp),
                config.closure_recheck,
            )
            .met_on(Trigger::action(A::VerifyClosure))
            .escalate(EscalationSpec::notify([R::QualityManager]))
            .owner(R::Cqe)
            .describe("004 L623"),
        )
        .deadline(
            DeadlineSpec::new("loan_return", Trigger::enter(S::OnLoan), loan_term.clone())
                .met_on(Trigger::action(A::ExtendLoan))
                .met_on(Trigger::action(A::AnnounceLoanReturn))
                .escalate(overdue.clone())
                .owner(R::ApplicationDesignCenter)
                .describe("ours (term by analogy with 004 L621)"),
        )
        .deadline(
            DeadlineSpec::new("loan_extension", Trigger::action(A::ExtendLoan), loan_term)
                .met_on(Trigger::action(A::AnnounceLoanReturn))
                .escalate(overdue)
                .owner(R::ApplicationDesignCenter)
                .describe("ours"),
        )
        .deadline(
            DeadlineSpec::new(
                "loan_overdue",
                Trigger::enter(S::LoanOverdue),
                config.loan_overdue_escalation,
            )
            .escalate(EscalationSpec::notify([R::AdcVicePresident, R::GmOffice]))
            .owner(R::ApplicationDesignCenter)
            .describe("ours"),
        );
    if config.replacement_policy == ReplacementPolicy::InvestigateFirst {
        b = b.deadline(
            DeadlineSpec::new(
                "equal_qty_replenishment",
                Trigger::action(A::RequestReplacement),
                config.replenishment_limit,
            )
            .met_on(Trigger::action(A::OrderReplacement))
            .escalate(EscalationSpec::notify([R::Sales]))
            .owner(R::Sales)
            .describe("004 L376–381"),
        );
    }
    b
}
