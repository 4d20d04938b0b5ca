//! Customer return, exchange and loan (客退 / 客换 / 客借).
//!
//! Canonical source: ZJHP-3-WI-QD-004 §6 (seed `004`, lines 488–510 and 580–672), with
//! production control's intake and the responsibility judgement of D1 (RET-PC (004 L5–34)), "replace
//! first, investigate later" with customer classes A/B/C of D2 (RF-PROP (004 L36–73)), free or charged,
//! the GM office and the 20-yuan penalty of D4 (RET-PROC (004 L141–160)), the hour limits of D9
//! (RET-HRS (004 L364–400)) and the scrap approval of D11 (CC-PROC §5.2.5 (004 L486)). Every rule below cites its line.
//!
//! # Three tracks in one state machine
//!
//! 1. **The goods** move through the states: announced to production control (every return
//!    is received by production control, other departments must notify it, RET-PC step 2 (004 L9)), received
//!    and given a repair order number (RET-PC step 1 (004 L8)), handed to the CQE with the handling form and
//!    the 排产单 (QD-004 §6.1 (004 L604)), classified, inspected and judged (RET-PC step 3, §4.2.2; RET-HRS; QD-004 §6.2 (004 L12, L16, L397, L491)). Then:
//!    - **pass** → 《客诉退料申请单》 signed by the OQC inspector and the quality manager, then
//!      the planning manager, then stock-in (QD-004 §6.2.1 (004 L492)); a lamp that cannot be sold as new
//!      waits for the salesperson's disposal plan; a sale-off needs the GM office (RET-PROC §5.10 (004 L152));
//!    - **fail** → the design center's rework plan, or, when it cannot give one, disassembly
//!      by the CQE with the cost to cost of sales (QD-004 §6.2.2 (004 L493)); reusable parts go back to stock,
//!      unusable parts are scrapped through the strictest documented chain: relevant
//!      departments, the design center's vice president (QD-004 §9 note 1 (004 L507)), the GM office
//!      (RET-PROC §5.10; CC-PROC §5.2.5 (004 L152, L486)), executed by the warehouse head (QD-004 §9 note 1 (004 L507));
//!    - **return-only goods** → production checks reuse, then slow-moving stock (RET-PC handling item 4 (004 L31));
//!    - **a repair-for-customer verdict** → sales negotiates with the customer (RET-PC handling item 2, step 4 (004 L20, L34)).
//! 2. **The replacement** runs alongside as self-loops on the goods states (data
//!    `replacement`): requested, confirmed by the customer service manager, ordered the same
//!    day, arrival promised within 1/2/3 days for class A/B/C, shipped (RF-PROP (004 L48–67)). Under
//!    [`ReplacementPolicy::ReplaceFirst`] this starts at the announcement, before the goods are
//!    back and before liability is known.
//! 3. **Settlement** happens in `settling`: the 免费/收费 mark with a copy to finance
//!    (RET-PROC §5.7 (004 L151)), the dealer's account debited (RF-PROP §3, §4.2 item 3 (004 L50, L71)), the supplier claim
//!    (QD-004 §7.1 (004 L599–601)), internal accountability (RF-PROP §3 (004 L50)), cost booking (QD-004 §6.2.2, §5.4 (004 L493, L602)), the
//!    outcome told to the customer. `log_and_close` is the join: it needs every track settled
//!    ([`open_obligations`]).
//!
//! Loans (客借, QD-004 §3.4 (004 L586)) are lent from `draft`; their return re-enters the common intake; an
//! overdue loan moves to `loan_overdue` and escalates (ours, configurable).
//!
//! Urgent handling (特批, QD-004 §8 (004 L623)) is the company leadership's sign-off `grant_urgent`, as in
//! the complaint procedure; it starts the [`Deadline::UrgentReply`] clock beside
//! [`Deadline::SolveAndReply`]. A host finds any clock with `instance.clock(Deadline::X)`.
//!
//! The rules as written (issue 18) add: the concession (让步接受) decision on failed goods of
//! ours with its outcome recorded by the host's bridge ([`Role::ConcessionLink`],
//! `awaiting_concession`, RET-HRS (004 L397)); the 1-hour customer-request, communication and
//! inspection-report limits (RET-HRS); the dealer's promise on the complaint day, the customer
//! service manager's decline, the promised-arrival clock and the 1-month retrieval (RF-PROP,
//! QD-004 §4.4); the judgement clock from the factory arrival and the sale-off of failed goods
//! (RET-PROC); the handling cycle by category (RET-REV); the customer's consent to the plan and
//! to the scrap (CC-PROC §5.2.5); the analysis report of failed goods, the production notice,
//! satisfaction before the closure re-check and the outcome notice through the shared
//! confidentiality filter (QD-004 §5.2.2.7, §5.2.2.5, §8, §3.6).
//!
//! Overrides are never silent: use [`override_command`], which carries the 20-yuan penalty
//! of RET-PROC §7 (004 L156) on the `overridden` event; [`bypass_penalties`] lists every occurrence.
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
mod graph;
mod report;
mod rules;

pub use config::{ByClass, Config, ReplacementPolicy};
pub use data::{
    BypassPenalty, Case, CaseKind, ClaimedReturnType, Customer, CustomerClass, Data,
    ExchangeReason, Loan, LoanTerms, ReplacementStatus, RestockProgress, ReturnRegion,
    ReworkProgress, ScrapProgress,
};
pub use forms::{
    AcceptedAs, AccountabilityRecord, AgingRecord, AnalysisReport, ArrivalPromise, BookingAccount,
    Category, Cause, Charging, ChargingMark, Classification, ConcessionOutcome, ConcessionRequest,
    ConsentSubject, CostBooking, CustomerCommunication, CustomerConsent, DamageOrigin,
    DealerCommitment, DebitNote, DisassemblyRecord, Disposal, DisposalPlan, FactoryArrival,
    InspectionResult, LedgerEntry, LoanConversion, LoanSettlement, MaterialSource,
    NegotiationOutcome, NegotiationRecord, OutcomeNotice, Part, PartsStockIn, Payer,
    ProductionNotice, ReceiptRecord, ReplacementOrder, ReplacementRequest, ReplacementSource,
    ResponsibilityJudgement, RestockApplication, ReturnHandlingForm, ReturnInspectionRecord,
    ReturnNotice, ReturnVerdict, ReuseCheck, ReworkPlan, ReworkReport, SatisfactionRecord,
    ScrapApplication, ScrapOrigin, ShipBackRecord, SlowMovingEntry, SupplierClaim, SupplierReply,
    WorkLiaisonForm,
};
pub use graph::{builder, replacement_states};
pub use report::{
    FinanceCopy, PenaltyOccurrence, Period, bypass_penalties, cost_ledger, finance_copies,
    finance_copy_periods, outcome_notice_text, outgoing_outcome_notice, override_command,
};
pub use rules::{
    ConcessionStatus, Liability, Route, booking_account, case_data, charging, check_judgement,
    concession_status, current_route, disputed, effective_judgement, expected_charging,
    judged_route, liability, on_file, open_obligations, route, units,
};

use crate::Calendar;
use crate::Registry;
use crate::{BuildError, TypedDefinition};
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
        /// 退货通知: production control knows; the goods are still out (RET-PC step 2; RET-HRS (004 L9, L400)).
        Announced = "announced",
        /// Collected from the logistics depot, 退货回厂日期 recorded (RET-PROC §5.8 (004 L144)).
        AtFactory = "at_factory",
        /// 点收: received, counted, isolated, labelled, 维修单号 assigned (RET-PC step 1, step 2; RET-PMC (004 L8, L9, L539)).
        Received = "received",
        /// With the CQE with the handling form and the 排产单 (QD-004 §6.1, §6.2 (004 L604, L491)).
        AtCqe = "at_cqe",
        /// Classified; inspection running (RET-HRS; QD-004 §6.2 (004 L397, L491)).
        UnderInspection = "under_inspection",
        /// Result written on the handling form, carton marked; judgement drafted here
        /// (QD-004 §6.2.1, §6.2.2, §5.2.2; RET-PROC §5.8 (004 L492–493, L510, L144)).
        Inspected = "inspected",
        /// Responsibility and verdict approved (RET-PC step 3, §4.2.2; RET-PROC (004 L12, L16, L146–150)).
        Judged = "judged",
        /// 让步接受: the quality manager asked for a concession on failed goods of ours; the
        /// return waits for the concession's outcome (RET-HRS (004 L397)).
        AwaitingConcession = "awaiting_concession",
        /// Sales negotiates with the customer (RET-PC handling item 2, step 4 (004 L20, L34)).
        SalesNegotiation = "sales_negotiation",
        /// Waiting for the design center's handling plan or its refusal (QD-004 §6.2.2 (004 L493)).
        ReworkPlanning = "rework_planning",
        /// 《工作联系单》 being filed and signed (QD-004 §5.2.2.6 (004 L667)).
        ReworkApproval = "rework_approval",
        /// Manufacturing repairing (QD-004 §5.2.2.6; RET-HRS (004 L667, L370)).
        InRework = "in_rework",
        /// The CQE checks the repaired goods; aging for power supplies and modules
        /// (QD-004 §5.2.2.6, §5.2.2.4 (004 L667, L659)).
        PostReworkCheck = "post_rework_check",
        /// Disassembled by the CQE; parts sorted (QD-004 §6.2.2 (004 L493)).
        Disassembled = "disassembled",
        /// 《客诉退料申请单》 being signed (QD-004 §6.2.1, §5.2.1.1 item 2 (004 L492, L649)).
        RestockSignOff = "restock_sign_off",
        /// In the store but not sellable as new: the salesperson's plan (QD-004 §6.2.1 (004 L492)).
        AwaitingDisposalPlan = "awaiting_disposal_plan",
        /// 《报废申请单》 chain running (QD-004 §9 note 1; RET-PROC §5.10; CC-PROC §5.2.5 (004 L507, L152, L486)).
        ScrapSignOff = "scrap_sign_off",
        /// Return-only goods: production checks reuse (RET-PC handling item 4 (004 L31)).
        ReuseCheck = "reuse_check",
        /// The goods are dealt with; settlement and the replacement finish here.
        Settling = "settling",
        /// Logged in 客诉处置台账 and T6; the closure is re-checked within a month
        /// (QD-004 §9 note 2, §8 (004 L508, L623)).
        FollowUp = "follow_up",
        /// 客借: with the customer for sample confirmation (QD-004 §3.4 (004 L586)).
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
        /// Announce a return or exchange to production control (RET-PC step 2; RET-HRS (004 L9, L400)).
        Announce = "announce",
        /// The order follower asks for the quality contacts of both sides to talk (必要时请
        /// 对方QC与我方QC对应窗口沟通, RET-HRS (004 L390–396, L400)); starts the 1-hour
        /// [`Deadline::CustomerCommunication`].
        RequestQualityCommunication = "request_quality_communication",
        /// The quality contacts' communication, with [`CustomerCommunication`]
        /// (RET-HRS (004 L390–396)).
        RecordCustomerCommunication = "record_customer_communication",
        /// Lend goods for sample confirmation; payload: [`LoanTerms`] (QD-004 §3.4 (004 L586)).
        Lend = "lend",
        /// Withdraw the case; payload `{"reason": ..}`.
        Cancel = "cancel",
        /// Collect the goods from the logistics depot (RET-PROC §5.8; RET-PMC (004 L144, L547–549)).
        CollectFromDepot = "collect_from_depot",
        /// Receive and count the goods: production control only (RET-PC step 1, step 2 (004 L8, L9)). From `draft`
        /// (nobody told production control) the payload names `missing_notice_by`.
        Receive = "receive",
        /// Submit the handling form, the 排产单 and the goods to the CQE (QD-004 §6.1 (004 L604)).
        SubmitToCqe = "submit_to_cqe",
        /// The leadership's special approval for urgent handling (特批, QD-004 §8 (004 L623)).
        GrantUrgent = "grant_urgent",
        /// First classification by the CQE (RET-HRS (004 L397)).
        Classify = "classify",
        /// The CQE's inspection (QD-004 §6.2 (004 L491–493)).
        RecordInspection = "record_inspection",
        /// The CQE drafts the responsibility judgement (RET-PC step 3, §4.2.2 (004 L12, L16)).
        DraftJudgement = "draft_judgement",
        /// The quality manager approves it (RET-PC step 3 (004 L12); INF QD-004 §5.3.4 (004 L654)).
        ApproveJudgement = "approve_judgement",
        /// Ask for a concession (让步接受) on failed goods of ours instead of reworking or
        /// scrapping them: the quality manager decides, with [`ConcessionRequest`]
        /// (RET-HRS (004 L397)).
        RequestConcession = "request_concession",
        /// The concession's outcome comes back, with [`ConcessionOutcome`], fired by the
        /// host's bridge holding [`Role::ConcessionLink`]: granted → the goods are released as
        /// they are (the restock route); refused → back to the disposition by the judgement
        /// (RET-HRS (004 L397)).
        RecordConcessionOutcome = "record_concession_outcome",
        /// Hand a repair-for-customer verdict to sales (RET-PC handling item 2, step 4 (004 L20, L34)).
        OpenNegotiation = "open_negotiation",
        /// Sales agreed a repair for the customer (RET-PC handling item 2 (004 L20)).
        AgreeRepair = "agree_repair",
        /// Sales accepted the return as claimed, with the GM office (RET-PC step 4; RET-PMC (004 L34, L545–546)).
        AcceptReturn = "accept_return",
        /// The customer takes the goods back as they are (RET-PC handling item 2 (004 L20)).
        CustomerTakesBack = "customer_takes_back",
        /// File 《客诉退料申请单》 (QD-004 §6.2.1 (004 L492)).
        FileRestock = "file_restock",
        /// Ask the design center for a handling plan (QD-004 §6.2.2, §5.2.2 (004 L493, L510)).
        RequestReworkPlan = "request_rework_plan",
        /// Send return-only goods to production's reuse check (RET-PC handling item 4 (004 L31)).
        SendToReuseCheck = "send_to_reuse_check",
        /// The design center cannot issue a plan; payload `{"reason": ..}` (QD-004 §6.2.2 (004 L493)).
        DeclineReworkPlan = "decline_rework_plan",
        /// The design center issues the handling plan (QD-004 §6.2.2; RET-PMC (004 L493, L532)).
        IssueReworkPlan = "issue_rework_plan",
        /// The CQE files 《工作联系单》 (QD-004 §5.2.2.6 (004 L667)).
        FileWorkLiaison = "file_work_liaison",
        /// 《工作联系单》 signed: the rework goes to manufacturing (QD-004 §5.2.2.6 (004 L667)).
        ReleaseRework = "release_rework",
        /// Manufacturing hands the repaired goods to the CQE (QD-004 §5.2.2.6 (004 L667)).
        CompleteRework = "complete_rework",
        /// Aging of power supplies and modules (QD-004 §5.2.2.4, §5.2.2.6 (004 L659, L667)).
        RecordAging = "record_aging",
        /// The re-inspection failed (CC-PROC §5.2.5 (004 L486) c).
        RejectRework = "reject_rework",
        /// Ship repaired goods back to the customer (RET-PC handling item 1; QD-004 §5.2.2.6 (004 L19, L667)).
        ReturnToCustomer = "return_to_customer",
        /// The CQE disassembles the goods (QD-004 §6.2.2 (004 L493)).
        Disassemble = "disassemble",
        /// Reusable parts back to stock after QC (QD-004 §6.2.2; RET-PMC (004 L493, L526)).
        StockReusableParts = "stock_reusable_parts",
        /// File 《报废申请单》 (QD-004 §6.2.2, §9 note 1 (004 L493, L507)).
        FileScrap = "file_scrap",
        /// Disassembly with nothing to scrap is done (QD-004 §6.2.2 (004 L493)).
        FinishDisassembly = "finish_disassembly",
        /// OQC inspector and quality manager sign 《客诉退料申请单》 (QD-004 §6.2.1 (004 L492)).
        ApproveRestock = "approve_restock",
        /// The planning manager signs it after them (QD-004 §6.2.1 (004 L492)).
        ConfirmRestock = "confirm_restock",
        /// The warehouse stocks the goods against the signed application (QD-004 §6.2.1 (004 L492)).
        StockIn = "stock_in",
        /// The salesperson's disposal plan (QD-004 §6.2.1 (004 L492)).
        SubmitDisposalPlan = "submit_disposal_plan",
        /// The GM office approves a sale-off (RET-PROC §5.10 (004 L152)).
        ApproveSaleOff = "approve_sale_off",
        /// The relevant departments sign the scrap application (QD-004 §9 note 1 (004 L507)).
        ConfirmScrap = "confirm_scrap",
        /// The design center's vice president approves the scrap (QD-004 §9 note 1 (004 L507)).
        ApproveScrap = "approve_scrap",
        /// The GM office approves the scrap (RET-PROC §5.10; CC-PROC §5.2.5 (004 L152, L486)).
        AuthoriseScrap = "authorise_scrap",
        /// The warehouse head executes the scrap (QD-004 §9 note 1 (004 L507)).
        ExecuteScrap = "execute_scrap",
        /// A chain approver rejects the scrap; payload `{"reason": ..}`.
        RejectScrap = "reject_scrap",
        /// Production records whether existing orders can use return-only goods (RET-PC handling item 4 (004 L31)).
        RecordReuseCheck = "record_reuse_check",
        /// Return-only goods into slow-moving stock (RET-PC handling item 4 (004 L31)).
        StoreSlowMoving = "store_slow_moving",
        /// Request the replacement (RF-PROP §3, §4.2 item 1 (004 L48, L60)).
        RequestReplacement = "request_replacement",
        /// The customer service manager confirms it (RF-PROP §3, §4.2 item 1 (004 L48, L60)).
        ConfirmReplacement = "confirm_replacement",
        /// The customer service manager declines it; payload `{"reason": ..}` (经客服经理确认,
        /// RF-PROP §3 (004 L48)).
        DeclineReplacement = "decline_replacement",
        /// Customer service records the replacement's arrival at the customer's, against the
        /// promised arrival (RF-PROP §4.2 item 1 (004 L64–67)).
        RecordReplacementArrival = "record_replacement_arrival",
        /// Production and logistics told the same day (RF-PROP §4.2 item 1 (004 L60)).
        OrderReplacement = "order_replacement",
        /// The CQE files 《客诉排产通知单》 for a replacement that must be produced, with
        /// [`ProductionNotice`] (QD-004 §5.2.2.5 (004 L666)).
        FileProductionNotice = "file_production_notice",
        /// The quality manager checks it, then the vice president approves it (a staged
        /// sign-off, QD-004 §5.2.2.5 (004 L666)).
        ApproveProductionNotice = "approve_production_notice",
        /// The arrival promise (RF-PROP §4.2 item 1 处理时间 (004 L64–67)).
        PromiseArrival = "promise_arrival",
        /// Logistics ships the replacement (RF-PROP §4.2 item 1 (004 L60)).
        ShipReplacement = "ship_replacement",
        /// Quality marks 免费 or 收费, one copy to finance (RET-PROC §5.7 (004 L151)).
        MarkCharging = "mark_charging",
        /// Issue the debit note (RF-PROP §3, §4.2 item 3 (004 L50, L71)).
        IssueDebitNote = "issue_debit_note",
        /// Finance posts the debit (RF-PROP §2 (004 L45), INF).
        PostDebit = "post_debit",
        /// A batch supplier defect: quality convenes the supplier (QD-004 §7.1.1 (004 L600)).
        ConveneSupplierMeeting = "convene_supplier_meeting",
        /// A non-batch supplier defect: material back to the supplier (QD-004 §7.1.2, §5.2.2.1 (004 L601, L670)).
        ReturnToSupplier = "return_to_supplier",
        /// The supplier's 8D report and plan (QD-004 §7.1.2 (004 L601)).
        RecordSupplierReply = "record_supplier_reply",
        /// Internal accountability (RF-PROP §3 (004 L50)).
        OpenAccountability = "open_accountability",
        /// Book a confirmed cost (QD-004 §6.2.2, §5.4 (004 L493, L602)).
        BookCost = "book_cost",
        /// Tell the customer the outcome (CC-PROC §5.2.1; QD-004 §8 (004 L478, L623)).
        NotifyCustomer = "notify_customer",
        /// The quality manager releases one free text for the outcome notice (form
        /// `text_release`, the shared confidentiality filter's release, QD-004 §3.6
        /// (004 L628)).
        ReleaseText = "release_text",
        /// The CQE files the analysis report (8D) of failed goods, with [`AnalysisReport`]
        /// (QD-004 §5.2.2.7 (004 L650)).
        FileAnalysisReport = "file_analysis_report",
        /// Log in the ledger and T6, then follow up (QD-004 §9 note 2 (004 L508, L626)).
        LogAndClose = "log_and_close",
        /// Customer satisfaction on the handling form (QD-004 §8 (004 L623)).
        RecordSatisfaction = "record_satisfaction",
        /// The closure re-check is done (QD-004 §8 (004 L623)).
        VerifyClosure = "verify_closure",
        /// Extend a loan; payload `{"term_months": n}` (ours).
        ExtendLoan = "extend_loan",
        /// The lent goods come back: the common intake (QD-004 §3.4; RET-PC step 2 (004 L586, L9)).
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
        /// (QD-004 §6.1, §4.1 (004 L604, L664)).
        ApplicationDesignCenter = "application_design_center",
        /// 应用设计中心副总裁: approves scrap (QD-004 §9 note 1 (004 L507)).
        AdcVicePresident = "adc_vice_president",
        /// 公司领导: grants 特批 (QD-004 §8 (004 L623)).
        CompanyLeadership = "company_leadership",
        /// 生管部: the sole receiver of returns (RET-PC step 1, step 2 (004 L8, L9)); PMC verifies scrap (RET-HRS (004 L383)).
        ProductionControl = "production_control",
        /// 业务部 / 销售人员: negotiates, gives disposal plans (RET-PC handling item 2, step 4; QD-004 §6.2.1 (004 L20, L34, L492)).
        Sales = "sales",
        /// 客服专员 (RF-PROP §3, §4.2 item 1, §4.2 item 3 (004 L48, L60, L62, L71)).
        CustomerServiceSpecialist = "customer_service_specialist",
        /// 客服经理: confirms the replacement (RF-PROP §3, §4.2 item 1 (004 L48, L60)).
        CustomerServiceManager = "customer_service_manager",
        /// 储运部: collects from the depot (RET-PROC §5.8 (004 L144)).
        StorageTransport = "storage_transport",
        /// 送货员: collects only against a notice (RET-PMC (004 L547–549)).
        DeliveryPerson = "delivery_person",
        /// 物流部: ships the replacement (RF-PROP §3, §4.2 item 1 (004 L48, L60)).
        Logistics = "logistics",
        /// CQE: classifies, inspects, disassembles, files (QD-004 §6.2 (004 L491–493)).
        Cqe = "cqe",
        /// OQC检验员: signs 《客诉退料申请单》 (QD-004 §6.2.1 (004 L492)).
        OqcInspector = "oqc_inspector",
        /// 品质经理 (QD-004 §6.2.1, §5.2.2.6 (004 L492, L667)).
        QualityManager = "quality_manager",
        /// 计划科经理 (QD-004 §6.2.1 (004 L492)).
        PlanningManager = "planning_manager",
        /// 制造部 / 生产: repairs, checks reuse (RET-PC handling item 4; QD-004 §5.2.2.6 (004 L31, L667)).
        ProductionWorkshop = "production_workshop",
        /// 仓库: stock-in, slow-moving store (RET-PC handling item 4; QD-004 §6.2.1 (004 L31, L492)).
        Warehouse = "warehouse",
        /// 仓库负责人: executes scrap (QD-004 §9 note 1 (004 L507)).
        WarehouseHead = "warehouse_head",
        /// 财务部: gets the marked copy, posts debits (RF-PROP §2; RET-PROC §5.7 (004 L45, L151)).
        Finance = "finance",
        /// 总经办: sale-off, scrap, accepted disputed returns, overrides (RET-PROC §5.10; CC-PROC §5.2.5 (004 L152, L486),
        /// RET-PMC (004 L545–546)).
        GmOffice = "gm_office",
        /// A system role, held by the host's bridge to the concession procedure
        /// (`procedures::concession`): it alone records a concession's outcome on the return
        /// (`record_concession_outcome`). No person should hold it.
        ConcessionLink = "concession_link",
    }
}

crate::vocabulary! {
    /// Guards of the procedure, each a function in `rules.rs`.
    pub enum Guard {
        /// The case is valid and not a loan: a return or exchange is announced (RET-PC step 2; RET-HRS (004 L9, L400)).
        CaseAnnounceable = "case_announceable",
        /// Only a loan is lent, within the longest term (QD-004 §3.4 (004 L586); ours).
        LoanTermsValid = "loan_terms_valid",
        /// An unannounced receipt names who failed to notify production control (RET-PC step 2; RET-PROC §7 (004 L9, L156)).
        UnannouncedReceipt = "unannounced_receipt",
        /// The receipt is isolated, labelled and counted against the notice (RET-CTRL §3.5; RET-PMC (004 L284, L539)).
        ReceiptCounted = "receipt_counted",
        /// A cancellation gives its reason, before the replacement is ordered (ours; RF-PROP §3, §4.2 item 2 (004 L50, L69)).
        Cancellable = "cancellable",
        /// The handling form carries production control's repair order number (RET-PC step 1 (004 L8)).
        HandlingFormMatchesReceipt = "handling_form_matches_receipt",
        /// The command attaches a new inspection record (QD-004 §6.2 (004 L491–493)).
        InspectionAttached = "inspection_attached",
        /// The drafted judgement agrees with the case and the inspection (RET-PC step 3, §4.2.2, handling item 4; QD-004 §3.3 (004 L12, L16, L31, L585)).
        JudgementConsistent = "judgement_consistent",
        /// The judgement on file follows the latest inspection and is consistent (RET-PC step 3 (004 L12)).
        JudgementCurrent = "judgement_current",
        /// The judgement routes the goods to sales (RET-PC §4.2.2, handling item 2, step 4 (004 L16, L20, L34)).
        RouteNegotiation = "route_negotiation",
        /// The judgement routes the goods to the restock sign-off (QD-004 §6.2.1 (004 L492)).
        RouteRestock = "route_restock",
        /// The judgement routes the goods to the design center's rework plan (QD-004 §6.2.2 (004 L493)).
        RouteRework = "route_rework",
        /// The judgement routes the goods to production's reuse check (RET-PC handling item 4 (004 L31)).
        RouteReuseCheck = "route_reuse_check",
        /// The restock application covers the units received (QD-004 §6.2.1 (004 L492)).
        RestockQtyMatches = "restock_qty_matches",
        /// The negotiation record agrees a repair for the customer (RET-PC handling item 2 (004 L20)).
        NegotiatedRepair = "negotiated_repair",
        /// The negotiation record accepts the return as claimed (RET-PC step 4; RET-PMC (004 L34, L545–546)).
        NegotiatedAcceptance = "negotiated_acceptance",
        /// The negotiation record has the customer take the goods back (RET-PC handling item 2 (004 L20)).
        NegotiatedTakeBack = "negotiated_take_back",
        /// The design center declined to give a plan before the CQE disassembles (QD-004 §6.2.2 (004 L493)).
        AdcDeclined = "adc_declined",
        /// Repaired power supplies and modules are aged first (QD-004 §5.2.2.4, §5.2.2.6 (004 L659, L667)).
        AgedIfNeeded = "aged_if_needed",
        /// The verdict is a repair for the customer: the goods go back (RET-PC §4.2.2, handling item 2 (004 L16, L20)).
        RepairForCustomer = "repair_for_customer",
        /// The goods are ours, not a repair for the customer (QD-004 §6.2.1 (004 L492)).
        GoodsAreOurs = "goods_are_ours",
        /// The re-inspection after rework failed (CC-PROC §5.2.5 (004 L486) c).
        ReinspectionFailed = "reinspection_failed",
        /// The parts stocked are the parts sorted as reusable (QD-004 §6.2.2 (004 L493)).
        PartsQtyMatches = "parts_qty_matches",
        /// Reusable parts went back to stock first (QD-004 §6.2.2, §5.2.2.3 (004 L493, L658)).
        ReusablePartsStocked = "reusable_parts_stocked",
        /// The scrap covers at most the unusable parts of the disassembly (QD-004 §6.2.2 (004 L493)).
        ScrapOfUnusableParts = "scrap_of_unusable_parts",
        /// The disassembly found no unusable parts (QD-004 §6.2.2 (004 L493)).
        NoUnusableParts = "no_unusable_parts",
        /// The scrap follows sales' disposal plan (QD-004 §6.2.1; RET-PROC §5.10 (004 L492, L152)).
        ScrapUnderDisposalPlan = "scrap_under_disposal_plan",
        /// The disposal plan covers at most the units received (QD-004 §6.2.1 (004 L492)).
        DisposalQtyMatches = "disposal_qty_matches",
        /// Sales' plan is a sale-off (RET-PROC §5.10 (004 L152)).
        PlanSaleOff = "plan_sale_off",
        /// Sales' plan is a rework (QD-004 §6.2.1, §6.2.2 (004 L492, L493)).
        PlanRework = "plan_rework",
        /// The OQC inspector and the quality manager have not both signed yet (QD-004 §6.2.1 (004 L492)).
        RestockAwaitingQuality = "restock_awaiting_quality",
        /// The OQC inspector and the quality manager have signed, the planning manager not yet (QD-004 §6.2.1 (004 L492)).
        RestockQualitySigned = "restock_quality_signed",
        /// 《客诉退料申请单》 carries every signature (QD-004 §6.2.1 (004 L492)).
        RestockFullySigned = "restock_fully_signed",
        /// The lamp can be sold as new (QD-004 §6.2.1 (004 L492)).
        SellableAsNew = "sellable_as_new",
        /// The lamp cannot be sold as new (QD-004 §6.2.1 (004 L492)).
        NotSellableAsNew = "not_sellable_as_new",
        /// The relevant departments have not signed the scrap yet (QD-004 §9 note 1 (004 L507)).
        ScrapAwaitingDepartments = "scrap_awaiting_departments",
        /// The relevant departments have signed, the vice president not yet (QD-004 §9 note 1 (004 L507)).
        ScrapDepartmentsSigned = "scrap_departments_signed",
        /// The vice president has signed, the GM office not yet (QD-004 §9 note 1; RET-PROC §5.10 (004 L507, L152)).
        ScrapVpSigned = "scrap_vp_signed",
        /// The scrap chain is complete (QD-004 §9 note 1; RET-PROC §5.10; CC-PROC §5.2.5 (004 L507, L152, L486)).
        ScrapChainComplete = "scrap_chain_complete",
        /// The scrap came from the disassembly.
        ScrapFromDisassembly = "scrap_from_disassembly",
        /// The scrap came from a disposal plan.
        ScrapFromDisposalPlan = "scrap_from_disposal_plan",
        /// Production checked reuse and the whole quantity enters slow-moving stock (RET-PC handling item 4 (004 L31)).
        ReuseCheckedAndQtyMatches = "reuse_checked_and_qty_matches",
        /// The replacement request is wanted, equal in quantity, with the dealer's commitment (RET-PC handling item 4; RF-PROP §4.2 item 1; RET-HRS (004 L31, L62, L367)).
        ReplacementRequestValid = "replacement_request_valid",
        /// A replacement is requested, not yet confirmed (RF-PROP §3, §4.2 item 1 (004 L48, L60)).
        ReplacementRequested = "replacement_requested",
        /// The replacement is confirmed, not yet ordered (RF-PROP §3, §4.2 item 1 (004 L48, L60)).
        ReplacementConfirmed = "replacement_confirmed",
        /// A replacement is requested and the promised arrival lies ahead (RF-PROP §4.2 item 1 处理时间 (004 L64–67)).
        ArrivalPromiseValid = "arrival_promise_valid",
        /// The replacement is ordered, not yet shipped (RF-PROP §4.2 item 1 (004 L60)).
        ReplacementOrdered = "replacement_ordered",
        /// A produced replacement has its production notice approved (QD-004 §5.2.2.5,
        /// QD-004 §5.2.2.5 (004 L666)).
        ProductionScheduled = "production_scheduled",
        /// A production notice is on file and not approved yet (QD-004 §5.2.2.5 (004 L666)).
        ProductionNoticeFiled = "production_notice_filed",
        /// The 免费/收费 mark follows the responsibility (RET-PROC; RET-PC handling item 2 (004 L147–151, L20)).
        MarkMatchesResponsibility = "mark_matches_responsibility",
        /// The debit note debits the right payer of a charged case (RF-PROP §3, §4.2 item 3; RET-PROC §5.7 (004 L50, L71, L151)).
        DebitNoteMatches = "debit_note_matches",
        /// A debit note is issued and not yet posted (RF-PROP §2 (004 L45)).
        DebitIssuedUnposted = "debit_issued_unposted",
        /// The judgement names a batch supplier defect (QD-004 §7.1.1 (004 L600)).
        SupplierBatchDefect = "supplier_batch_defect",
        /// The judgement names a non-batch supplier defect (QD-004 §7.1.2 (004 L601)).
        SupplierNonBatchDefect = "supplier_non_batch_defect",
        /// Material went back to the supplier (QD-004 §7.1.2 (004 L601)).
        SupplierClaimOpen = "supplier_claim_open",
        /// The cause is internal (RF-PROP §3 (004 L50)).
        InternalCause = "internal_cause",
        /// The cost goes to the account its cause dictates (QD-004 §6.2.2, §5.4 (004 L493, L602)).
        BookingAccountMatches = "booking_account_matches",
        /// Every track is settled (see `open_obligations`, QD-004 §9 note 2 (004 L508)).
        AllTracksSettled = "all_tracks_settled",
        /// The outcome notice passes the confidentiality filter: no statement without a
        /// category and not released (QD-004 §3.6 (004 L628)).
        OutcomeNoticeCleared = "outcome_notice_cleared",
        /// The design center recorded the customer's satisfaction after the handling
        /// (QD-004 §8 (004 L623)).
        SatisfactionRecorded = "satisfaction_recorded",
        /// The extension stays within the longest loan (ours).
        LoanExtensionWithinMax = "loan_extension_within_max",
        /// The loan conversion is a sale (ours).
        LoanSold = "loan_sold",
        /// The loan conversion is a write-off (ours).
        LoanWrittenOff = "loan_written_off",
        /// Urgent handling is not approved yet (QD-004 §8 (004 L623)).
        NotUrgentYet = "not_urgent_yet",
        /// A concession may be asked: the judgement routes failed goods of ours to the
        /// rework, no concession was decided on this judgement yet (RET-HRS (004 L397)).
        ConcessionRequestable = "concession_requestable",
        /// The outcome names the pending concession (RET-HRS (004 L397)).
        ConcessionOutcomeMatches = "concession_outcome_matches",
        /// The follower asked for the quality contacts' communication and it is not recorded
        /// yet (RET-HRS (004 L390–396)).
        CommunicationRequested = "communication_requested",
        /// The customer consented to the handling plan (CC-PROC §5.2.5 (004 L486)).
        CustomerConsentedToPlan = "customer_consented_to_plan",
        /// The customer consented to the scrap (CC-PROC §5.2.5 d), CC-PROC §5.2.5 (004 L486)).
        CustomerConsentedToScrap = "customer_consented_to_scrap",
        /// The goods failed the inspection: an analysis report is filed (QD-004 §5.2.2.7,
        /// QD-004 §5.2.2.7 (004 L650)).
        GoodsFailed = "goods_failed",
        /// The replacement is shipped, its arrival not yet recorded (RF-PROP §4.2 item 1,
        /// RF-PROP §4.2 item 1 处理时间 (004 L64–67)).
        ReplacementShipped = "replacement_shipped",
        /// A sale-off plan for failed goods the design center could not plan a repair for
        /// (RET-PROC §5.10 (004 L152)).
        FailedSaleOffPlanned = "failed_sale_off_planned",
    }
}

crate::vocabulary! {
    /// Effects of the procedure: how a command changes the typed data.
    pub enum Effect {
        /// Record the replacement as requested (RF-PROP §3 (004 L48)).
        ReplacementRequested = "replacement_requested",
        /// Record the customer service manager's confirmation (RF-PROP §3, §4.2 item 1 (004 L48, L60)).
        ReplacementConfirmed = "replacement_confirmed",
        /// Record the replacement as ordered (RF-PROP §4.2 item 1 (004 L60)).
        ReplacementOrdered = "replacement_ordered",
        /// Record the replacement as shipped (RF-PROP §4.2 item 1 (004 L60)).
        ReplacementShipped = "replacement_shipped",
        /// Record the customer service manager's refusal (RF-PROP §3 (004 L48)).
        ReplacementDeclined = "replacement_declined",
        /// Record the replacement's arrival (RF-PROP §4.2 item 1 (004 L64–67)).
        ReplacementArrived = "replacement_arrived",
        /// A new production notice: not approved yet (QD-004 §5.2.2.5 (004 L666)).
        ResetProductionNotice = "reset_production_notice",
        /// The production notice is approved (QD-004 §5.2.2.5 (004 L666)).
        RecordProductionNoticeApproved = "record_production_notice_approved",
        /// Copy the classification's category into the data, for the handling cycle
        /// (RET-REV step 3 (004 L210)).
        RecordCategory = "record_category",
        /// Record whether the approved judgement puts the cause outside the company
        /// ([`Data::not_ours`], CC-PROC §5.2.1 (004 L478)).
        RecordLiability = "record_liability",
        /// Start a new rework round (QD-004 §6.2.2 (004 L493)).
        ResetRework = "reset_rework",
        /// Record that the design center cannot give a plan (QD-004 §6.2.2 (004 L493)).
        RecordAdcDecline = "record_adc_decline",
        /// Record the aging of repaired power supplies and modules (QD-004 §5.2.2.4 (004 L659)).
        RecordAging = "record_aging",
        /// Start a new restock sign-off (QD-004 §6.2.1 (004 L492)).
        ResetRestock = "reset_restock",
        /// Record the OQC inspector's and quality manager's signatures (QD-004 §6.2.1 (004 L492)).
        RecordRestockQualitySignatures = "record_restock_quality_signatures",
        /// Record the planning manager's signature (QD-004 §6.2.1 (004 L492)).
        RecordRestockPlanningSignature = "record_restock_planning_signature",
        /// Start a new scrap chain (QD-004 §9 note 1 (004 L507)).
        ResetScrap = "reset_scrap",
        /// Record the relevant departments' signatures (QD-004 §9 note 1 (004 L507)).
        RecordScrapDepartments = "record_scrap_departments",
        /// Record the vice president's approval (QD-004 §9 note 1 (004 L507)).
        RecordScrapVp = "record_scrap_vp",
        /// Record the GM office's approval (RET-PROC §5.10; CC-PROC §5.2.5 (004 L152, L486)).
        RecordScrapGm = "record_scrap_gm",
        /// Record the bypass penalty of an unannounced receipt (RET-PC step 2; RET-PROC §7 (004 L9, L156)).
        RecordUnannouncedReceipt = "record_unannounced_receipt",
        /// Record the loan and its term (QD-004 §3.4 (004 L586); ours).
        RecordLoan = "record_loan",
        /// Record a loan extension (ours).
        RecordLoanExtension = "record_loan_extension",
    }
}

crate::vocabulary! {
    /// Deadlines (clocks) of the procedure: find one with `instance.clock(Deadline::X)`.
    pub enum Deadline {
        /// From the confirmation to the order: the same day (RF-PROP §4.2 item 1 (004 L60)).
        ReplacementOrderSameDay = "replacement_order_same_day",
        /// From the request to the arrival promise, by customer class (RF-PROP §4.2 item 1 处理时间 (004 L64–67)).
        ArrivalPromise = "arrival_promise",
        /// From receipt to the CQE's first classification (RET-HRS (004 L368, L397)).
        InitialClassification = "initial_classification",
        /// From receipt to the approved judgement: 2 days (RET-PROC §5.8 (004 L144)).
        Judgement = "judgement",
        /// The technical analysis: from the handling form to the inspection (QD-004 §8 (004 L623)).
        Analysis = "analysis",
        /// From the handling form to the reply to the customer (QD-004 §8 (004 L623)).
        SolveAndReply = "solve_and_reply",
        /// From the leadership's 特批 to the reply (QD-004 §8 (004 L623)).
        UrgentReply = "urgent_reply",
        /// Manufacturing's rework: 24 H (RET-HRS (004 L370–371)).
        Rework = "rework",
        /// Finished-goods stock-in: 2 H (RET-HRS (004 L372–375)).
        StockIn = "stock_in",
        /// The supplier's 8D report and plan (QD-004 §7.1.2 (004 L601)).
        Supplier8d = "supplier_8d",
        /// The closure re-check within a month (QD-004 §8 (004 L623)).
        ClosureRecheck = "closure_recheck",
        /// The loan's term (ours).
        LoanReturn = "loan_return",
        /// An extended loan's term (ours).
        LoanExtension = "loan_extension",
        /// Escalation of an overdue loan (ours).
        LoanOverdue = "loan_overdue",
        /// Investigate-first only: equal-quantity replenishment, 2 H (RET-HRS (004 L376–381)).
        EqualQtyReplenishment = "equal_qty_replenishment",
        /// From the case opened to the customer's request taken down in the announcement
        /// (客户要求 1H, RET-HRS (004 L388–389, L400)).
        CustomerRequest = "customer_request",
        /// From the case opened to the announcement carrying the handling and ship times
        /// promised to a dealer: the complaint day (RF-PROP §4.2 item 1 (004 L62)).
        HandlingPromise = "handling_promise",
        /// From the approved judgement that the cause is not the company's to the outcome
        /// notice: 「若非本公司造成的应…于一个工作日内反馈客户」 (CC-PROC §5.2.1 (004 L478)).
        NotOursFeedback = "not_ours_feedback",
        /// From the follower's request to the quality contacts' communication (客户沟通 1H,
        /// RET-HRS (004 L390–396)).
        CustomerCommunication = "customer_communication",
        /// From receipt to the return inspection report (返品检验报告 1H, RET-HRS
        /// (004 L368–369)).
        InspectionReport = "inspection_report",
        /// From the announcement to the damaged goods back at the factory: 1 month
        /// (QD-004 §4.4 (004 L621); RF-PROP §4.2 item 2 (004 L69)).
        Retrieval = "retrieval",
        /// The handling cycle by category: appearance 1 week, function 2–4 weeks
        /// (RET-REV step 3 (004 L210)).
        HandlingCycle = "handling_cycle",
        /// From the arrival promise to the replacement's arrival at the promised instant
        /// (RF-PROP §4.2 item 1 (004 L64–67)).
        PromisedArrival = "promised_arrival",
    }
}

crate::vocabulary! {
    /// The kinds of forms the procedure's commands attach (each a `TypedForm`).
    pub enum FormKind {
        /// [`ReturnNotice`].
        ReturnNotice = "return_notice",
        /// [`FactoryArrival`].
        FactoryArrival = "factory_arrival",
        /// [`ReceiptRecord`].
        ReceiptRecord = "receipt_record",
        /// [`ReturnHandlingForm`].
        HandlingForm = "handling_form",
        /// [`Classification`].
        Classification = "classification",
        /// [`ReturnInspectionRecord`].
        InspectionRecord = "inspection_record",
        /// [`ResponsibilityJudgement`].
        ResponsibilityJudgement = "responsibility_judgement",
        /// [`NegotiationRecord`].
        NegotiationRecord = "negotiation_record",
        /// [`ReworkPlan`].
        ReworkPlan = "rework_plan",
        /// [`WorkLiaisonForm`].
        WorkLiaisonForm = "work_liaison_form",
        /// [`ReworkReport`].
        ReworkReport = "rework_report",
        /// [`AgingRecord`].
        AgingRecord = "aging_record",
        /// [`DisassemblyRecord`].
        DisassemblyRecord = "disassembly_record",
        /// [`PartsStockIn`].
        PartsStockIn = "parts_stock_in",
        /// [`ScrapApplication`].
        ScrapApplication = "scrap_application",
        /// [`RestockApplication`].
        RestockApplication = "restock_application",
        /// [`DisposalPlan`].
        DisposalPlan = "disposal_plan",
        /// [`ReuseCheck`].
        ReuseCheck = "reuse_check",
        /// [`SlowMovingEntry`].
        SlowMovingEntry = "slow_moving_entry",
        /// [`ShipBackRecord`].
        ShipBackRecord = "ship_back_record",
        /// [`ReplacementRequest`].
        ReplacementRequest = "replacement_request",
        /// [`ReplacementOrder`].
        ReplacementOrder = "replacement_order",
        /// [`ArrivalPromise`].
        ArrivalPromise = "arrival_promise",
        /// [`ChargingMark`].
        ChargingMark = "charging_mark",
        /// [`DebitNote`].
        DebitNote = "debit_note",
        /// [`SupplierClaim`].
        SupplierClaim = "supplier_claim",
        /// [`SupplierReply`].
        SupplierReply = "supplier_reply",
        /// [`AccountabilityRecord`].
        AccountabilityRecord = "accountability_record",
        /// [`CostBooking`].
        CostBooking = "cost_booking",
        /// [`OutcomeNotice`].
        OutcomeNotice = "outcome_notice",
        /// [`LedgerEntry`].
        LedgerEntry = "ledger_entry",
        /// [`SatisfactionRecord`].
        SatisfactionRecord = "satisfaction_record",
        /// [`LoanConversion`].
        LoanConversion = "loan_conversion",
        /// [`ConcessionRequest`].
        ConcessionRequest = "concession_request",
        /// [`ConcessionOutcome`].
        ConcessionOutcome = "concession_outcome",
        /// [`CustomerCommunication`].
        CustomerCommunication = "customer_communication",
        /// [`CustomerConsent`].
        CustomerConsent = "customer_consent",
        /// [`AnalysisReport`].
        AnalysisReport = "analysis_report",
        /// [`ProductionNotice`].
        ProductionNotice = "production_notice",
        /// The shared filter's
        /// [`TextRelease`](crate::procedures::confidentiality::TextRelease).
        TextRelease = "text_release",
    }
}

/// The procedure's registry: typed forms, guards and effects; deadlines in
/// `Asia/Shanghai` ([`shanghai_calendar`](super::shanghai_calendar)).
pub fn registry(config: &Config) -> Registry {
    rules::registry(config).shared_calendar(super::shanghai_calendar())
}

/// The validated definition, deadlines computed in `calendar`.
///
/// ```
/// use aftersales::procedures::{customer_return as cr, shanghai_calendar};
/// use aftersales::{Engine, InMemoryStore};
///
/// let def = cr::definition(&cr::Config::default(), shanghai_calendar())?;
/// assert_eq!(def.definition().initial_state(), cr::State::Draft);
/// // Typed end to end: what may be done first, as `Action` values.
/// assert!(!def.actions_from(cr::State::Draft).is_empty());
///
/// let mut engine = Engine::new(InMemoryStore::new());
/// engine.register(def.definition().clone())?;
/// assert!(engine.definition(cr::ID).is_some());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
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
