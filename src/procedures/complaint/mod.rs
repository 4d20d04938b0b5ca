//! Customer complaint handling (客诉) with the 8D report.
//!
//! Source: ZJHP-3-WI-QD-004 《客诉、客退产品处理管理办法》 rev A/0 (`QD-004 (004 L647)`), §5 (complaint
//! flow), §3.6 (confidentiality), §3.7 (severity), §7 (supplier issues), §8 (time limits);
//! supporting: D1 of the same collection (severity table, 8D trigger, `RET-PC (004 L5–34)`) and `002`
//! (5W1H, root cause, corrective plan). `004 Lnnn` = line nnn of collection 004 (docs/sources.md).
//! Product decisions: `PD-…` keys, listed in docs/sources.md. The full clause → code → test map is in
//! `docs/procedures/complaint.md`.
//!
//! The flow: the application design centre (ADC) files the handling form 《客诉、客退产品处理单》
//! with the schedule order and the goods, or the defect evidence when the part is not returned
//! (power supply: barcode and front photo; others: photos, `QD-004 §5.1 (004 L661)`); the CQE acknowledges
//! (1 working day), Quality checks work in progress and unshipped stock at once (§5.3), the CQE
//! analyses (domestic: 3 working days) and either passes the goods (return to the customer, or
//! restock with 《客诉退料申请单》 signed OQC inspector → quality manager → planning manager,
//! `QD-004 §5.2.1.1 item 2 (004 L649)`) or fails them. A failure goes through the remediation hub (supplier return,
//! rework / disassembly, requisition, production, repair, burn-in, scrap), then corrective
//! action (within Quality or by the responsible departments), the 8D / measures review
//! (quality manager → department head, → VP when serious or referred), the filtered report
//! e-mailed to the ADC and forwarded to the customer (domestic: 7 working days; urgent with
//! the leadership's special approval: 2; international 15–30, urgent 3), the effectiveness
//! check (ineffective → re-analysis, `QD-004 §5.3.4 (004 L654/L657)`), then the ledger, satisfaction and the
//! closure re-check within a month (`QD-004 §8 (004 L623)`).
//!
//! ```
//! use aftersales::procedures::complaint::{self, Config, State};
//! use aftersales::{BusinessCalendar, Mermaid};
//! use std::sync::Arc;
//!
//! let def = complaint::definition(&Config::default(), Arc::new(BusinessCalendar::default()))?;
//! assert_eq!(def.definition().initial_state(), State::Draft.as_ref());
//! assert!(Mermaid(def.definition()).to_string().contains("stateDiagram-v2"));
//! # Ok::<(), aftersales::BuildError>(())
//! ```

pub mod config;
pub mod data;
pub mod forms;
mod graph;
pub mod report;
mod rules;

pub use config::confidentiality::{
    Commodity, ConfidentialCategory, ConfidentialityPolicy, Disclosure, InfoCategory, Statement,
    SupplierDisclosure, SupplierRef,
};
pub use config::severity::{MoldFindings, MoldSeverityRule, Severity};
pub use config::{Config, External8dTrigger, MisjudgmentMatch, PartKind, VpReview};
pub use data::{ComplaintRegion, ComplaintVerdict, Data};
pub use forms::eight_d::{Discipline, EightDReport, FiveW1H};
pub use forms::outgoing::{
    OutgoingReport, Redaction, Release, Releases, ReportKind, TextRelease, WITHHELD_PLACEHOLDER,
    redact_8d, redact_8d_released, redact_reply, redact_statements, redact_statements_released,
};
pub use forms::{ComplaintHandlingForm, ComplaintInspectionRecord};
pub use report::{
    Baseline, CostRecord, CostReport, baselines, cost_report, outgoing_evidence, outgoing_kind,
    outgoing_reply, outgoing_report, severity,
};

use crate::Calendar;
use crate::Registry;
use crate::{BuildError, DefinitionSpec, TypedDefinition};
use std::sync::Arc;

/// The definition id.
pub const ID: &str = "complaint";
/// The definition version.
pub const VERSION: u32 = 1;

crate::vocabulary! {
    /// The states of a complaint.
    pub enum State {
        /// 填写《客诉、客退产品处理单》: the ADC fills the handling form (`QD-004 §5.1 (004 L661)`).
        Draft = "draft",
        /// 已提交CQE: form, schedule order and goods (or evidence) handed to the CQE (`QD-004 §5.1 (004 L661)`).
        Submitted = "submitted",
        /// 查核在制品/未出货品: Quality checks WIP and unshipped stock at once (`QD-004 §5.3 (004 L652)`, `QD-004 §5.3 (004 L587)`).
        Containment = "containment",
        /// 分析/检验: CQE analysis and inspection (`QD-004 §5.2 (004 L590)`).
        Analysis = "analysis",
        /// 《客诉退料申请单》会签: restock sign-off (`QD-004 §5.2.1.1 item 2 (004 L649)`).
        RestockSignoff = "restock_signoff",
        /// 整灯处理方案: the salesperson's plan for lamps not sellable as new (`QD-004 §5.2.1.1 item 2 (004 L649)`).
        SalesDisposal = "sales_disposal",
        /// 检验合格答复: pass; the ADC replies, returns goods if so decided (`QD-004 §5.2.1.1 item 1 (004 L593)`, `QD-004 §4.6 (004 L596)`).
        PassReply = "pass_reply",
        /// 不合格处理: remediation hub (`QD-004 §5.2.2 (004 L668–671)`, `QD-004 (004 L658–667)`).
        Remediation = "remediation",
        /// 供应商处理: batch meeting, or return and supplier 8D (`QD-004 §7.1 (004 L599–601)`, `QD-004 §5.2.2.1 (004 L670)`).
        SupplierHandling = "supplier_handling",
        /// 返修方案: rework plan by the ADC, or CQE disassembly, or on-site plan (`QD-004 §5.2.2.2 (004 L671)`, `QD-004 §4.5 (004 L595)`).
        ReworkPlanning = "rework_planning",
        /// 《客诉领料申请单》: requisition QM → planning manager, issue, inspection (`QD-004 §5.2.2.4 (004 L659)`).
        MaterialRequisition = "material_requisition",
        /// 《客诉排产通知单》: notice QM → VP, BOM, production, inspection (`QD-004 §5.2.2.5 (004 L666)`).
        ProductionScheduling = "production_scheduling",
        /// 《工作联系单》: repair by manufacturing (`QD-004 §5.2.2.6 (004 L667)`).
        ManufacturingRepair = "manufacturing_repair",
        /// 老化: burn-in of power supplies and modules before shipping (`QD-004 §5.2.2.4 (004 L659)`, `QD-004 §5.2.2.6 (004 L667)`).
        BurnIn = "burn_in",
        /// 《报废申请单》: scrap approval and execution (`QD-004 §9 note 1 (004 L507/L625)`, `QD-004 §5.2.2.3 (004 L658)`).
        ScrapApproval = "scrap_approval",
        /// 纠正措施: the CQE analyses, escalates, re-analyses when ineffective (`QD-004 §5.3.1 (004 L588)`, `QD-004 §5.3.4 (004 L654)`).
        CorrectiveAction = "corrective_action",
        /// 责任部门分析: responsible departments analyse and propose measures (`QD-004 §5.3.2 (004 L589)`, `QD-004 §5.3.3 (004 L653)`).
        DepartmentAnalysis = "department_analysis",
        /// 改善落实: the CQE tracks implementation (`QD-004 §5.3.3 (004 L653)`).
        Implementation = "implementation",
        /// 审阅: 8D / measures reviewed by QM → department head (→ VP) (`QD-004 §5.2.2.8 (004 L651)`, `QD-004 §5.3.4 (004 L654)`).
        ReportReview = "report_review",
        /// 转发应用设计中心: the approved, filtered package is with the ADC (`QD-004 §5.2.2.8 (004 L651)`).
        ReplyDispatch = "reply_dispatch",
        /// 效果确认: effect of the measures verified (`QD-004 §5.3.4 (004 L654/L657)`).
        EffectivenessCheck = "effectiveness_check",
        /// 处理完成: ledger, satisfaction, closure re-check within 1 month (`QD-004 §9 note 2 (004 L508)`, `QD-004 §8 (004 L623)`).
        Handled = "handled",
        /// 关闭: closure re-checked and confirmed (`QD-004 §8 (004 L623)`).
        Closed = "closed",
        /// 撤回: withdrawn before submission (ours).
        Withdrawn = "withdrawn",
    }
}

crate::vocabulary! {
    /// The actions of the complaint procedure.
    pub enum Action {
        /// Submit the domestic handling form to the CQE (`QD-004 §5.1 (004 L661)`).
        Submit = "submit",
        /// Submit the international handling form (`QD-004 §8 (004 L623)`).
        SubmitInternational = "submit_international",
        /// Submit the revised form after the CQE returned it (clocks keep the first submit).
        Resubmit = "resubmit",
        /// Withdraw before submission (ours).
        Withdraw = "withdraw",
        /// The CQE responds (`QD-004 §8 (004 L623)`: 一个工作日内积极响应).
        Acknowledge = "acknowledge",
        /// The CQE returns an incomplete form (ours).
        ReturnForm = "return_form",
        /// Record the WIP / unshipped containment check (`QD-004 §5.3 (004 L652)`).
        RecordContainment = "record_containment",
        /// Ask departments for help by e-document (`QD-004 §5.3.1 (004 L588)`, `QD-004 §5.2 (004 L590)`).
        RequestAssistance = "request_assistance",
        /// Pass: return to the customer or nothing returned (`QD-004 §5.2.1.1 item 1 (004 L593)`).
        RecordPass = "record_pass",
        /// Pass with a replacement already sent: restock (`QD-004 §5.2.1.1 item 2 (004 L649)`).
        RecordPassRestock = "record_pass_restock",
        /// Fail: cause analysis, test results, feedback to the ADC (`QD-004 §5.2.2 (004 L669)`).
        RecordFail = "record_fail",
        /// Sign 《客诉退料申请单》: OQC inspector → QM → planning manager (`QD-004 §5.2.1.1 item 2 (004 L649)`).
        ApproveRestock = "approve_restock",
        /// The finished-goods store stocks in on the signed form (`QD-004 §5.2.1.1 item 2 (004 L649)`).
        StockIn = "stock_in",
        /// The salesperson's plan for unsellable lamps (`QD-004 §5.2.1.1 item 2 (004 L649)`).
        SubmitDisposalPlan = "submit_disposal_plan",
        /// The ADC informs the customer of a pass (`QD-004 §5.2.1.1 item 1 (004 L593)`, `QD-004 §4.6 (004 L596)`).
        ReplyToCustomer = "reply_to_customer",
        /// Batch supplier defect: meeting and replacement (`QD-004 §7.1.1 (004 L600)`).
        ReferToSupplierBatch = "refer_to_supplier_batch",
        /// Non-batch supplier defect / failed power supply: material back to the supplier (`QD-004 §7.1.2 (004 L601)`, `QD-004 §5.2.2.1 (004 L670)`).
        ReturnToSupplier = "return_to_supplier",
        /// Minutes of the supplier meeting (`QD-004 §7.1.1 (004 L600)`).
        RecordSupplierMeeting = "record_supplier_meeting",
        /// The supplier's 8D and handling plan (`QD-004 §7.1.2 (004 L601)`).
        RecordSupplier8d = "record_supplier_8d",
        /// Supplier replacement / replenishment received (`QD-004 §7.1.1 (004 L600)`, `QD-004 §5.2.2.1 (004 L670)`).
        RecordSupplierReplenishment = "record_supplier_replenishment",
        /// Goods cannot be stocked: ask for a rework plan (`QD-004 §5.2.2.2 (004 L671)`).
        PlanRework = "plan_rework",
        /// The ADC's handling plan (`QD-004 §5.2.2.2 (004 L671)`).
        IssueReworkPlan = "issue_rework_plan",
        /// The ADC cannot issue a plan (`QD-004 §5.2.2.2 (004 L671)`: 若无法出具).
        DeclinePlan = "decline_plan",
        /// The CQE disassembles and stocks parts by category (`QD-004 §5.2.2.2 (004 L671)`).
        Disassemble = "disassemble",
        /// Quality's on-site repair plan, confirmed through the ADC (`QD-004 §4.5 (004 L595)`).
        IssueOnsitePlan = "issue_onsite_plan",
        /// File 《客诉领料申请单》 (`QD-004 §5.2.2.4 (004 L659)`).
        RequestMaterial = "request_material",
        /// Sign the requisition: QM → planning manager (`QD-004 §5.2.2.4 (004 L659)`).
        ApproveRequisition = "approve_requisition",
        /// The warehouse issues the material (`QD-004 §5.2.2.4 (004 L659)`).
        IssueMaterial = "issue_material",
        /// The CQE inspects the issued material (`QD-004 §5.2.2.4 (004 L659)`).
        InspectMaterial = "inspect_material",
        /// File 《客诉排产通知单》 (`QD-004 §5.2.2.5 (004 L666)`).
        RequestProduction = "request_production",
        /// Sign the notice: QM → VP (`QD-004 §5.2.2.5 (004 L666)`).
        ApproveProductionNotice = "approve_production_notice",
        /// E-mail the notice to the strategic design centre and planning (`QD-004 §5.2.2.5 (004 L666)`).
        EmailNotice = "email_notice",
        /// The strategic design centre provides the BOM (`QD-004 §5.2.2.5 (004 L666)`).
        ProvideBom = "provide_bom",
        /// The planning manager schedules production (`QD-004 §5.2.2.5 (004 L666)`).
        ScheduleProduction = "schedule_production",
        /// Production done (`QD-004 §5.2.2.5 (004 L666)`).
        RecordProductionDone = "record_production_done",
        /// The CQE inspects the output (`QD-004 §5.2.2.5 (004 L666)`).
        InspectOutput = "inspect_output",
        /// File 《工作联系单》 for a repair (`QD-004 §5.2.2.6 (004 L667)`).
        RequestRepair = "request_repair",
        /// Sign the work liaison: QM → department leader (`QD-004 §5.2.2.6 (004 L667)`).
        ApproveWorkLiaison = "approve_work_liaison",
        /// Hand the repair material to manufacturing (`QD-004 §5.2.2.6 (004 L667)`).
        SupplyMaterial = "supply_material",
        /// Manufacturing hands the repaired, inspected goods to the CQE (`QD-004 §5.2.2.6 (004 L667)`).
        HandOverRepaired = "hand_over_repaired",
        /// Burn-in passed (`QD-004 §5.2.2.4 (004 L659)`, `QD-004 §5.2.2.6 (004 L667)`).
        RecordBurnInPass = "record_burn_in_pass",
        /// Burn-in failed (ours).
        RecordBurnInFail = "record_burn_in_fail",
        /// File 《报废申请单》 (`QD-004 §5.2.2.3 (004 L658)`, `QD-004 §9 note 1 (004 L507)`).
        RequestScrap = "request_scrap",
        /// Sign the scrap: department leader → ADC VP (`QD-004 §9 note 1 (004 L507/L625)`).
        ApproveScrap = "approve_scrap",
        /// The warehouse head executes the scrap (`QD-004 §9 note 1 (004 L507/L625)`).
        ExecuteScrap = "execute_scrap",
        /// Reusable material back to the warehouse (`QD-004 §5.2.2.3 (004 L658)`).
        ReturnPartsToStock = "return_parts_to_stock",
        /// Ship ready goods to the customer (`QD-004 §5.2.2.4 (004 L659)`, `QD-004 §5.2.2.5 (004 L666)`).
        ShipToCustomer = "ship_to_customer",
        /// Remediation done (ours).
        CompleteRemediation = "complete_remediation",
        /// The CQE resolves the cause within Quality (`QD-004 §5.3.1 (004 L588)`).
        ResolveWithinQuality = "resolve_within_quality",
        /// Escalate to the responsible departments (`QD-004 §5.3.1 (004 L588)`).
        EscalateToDepartments = "escalate_to_departments",
        /// Back to remediation for a new disposition (ours).
        ReopenRemediation = "reopen_remediation",
        /// A responsible department submits cause and measures (`QD-004 §5.3.2 (004 L589)`).
        SubmitDepartmentAnalysis = "submit_department_analysis",
        /// Quality does not accept the analysis (INF, `QD-004 §5.3.3 (004 L653)`).
        RejectAnalysis = "reject_analysis",
        /// Quality accepts the analysis (`QD-004 §5.3.3 (004 L653)`).
        AcceptAnalysis = "accept_analysis",
        /// Attach a new 8D revision.
        UpdateEightD = "update_8d",
        /// Submit the 8D / measures for review (`QD-004 §5.2.2.8 (004 L651)`, `QD-004 §5.3.4 (004 L654)`).
        SubmitForReview = "submit_for_review",
        /// A reviewer refers the report to the VP (「必要时」, `QD-004 §5.2.2.8 (004 L651)`).
        ReferToVp = "refer_to_vp",
        /// Review sign-off: QM → department head (→ VP) (`QD-004 §5.2.2.8 (004 L651)`, `QD-004 §5.3.4 (004 L654)`).
        ApproveReport = "approve_report",
        /// The CQE e-mails the filtered package to the ADC (`QD-004 §5.2.2.8 (004 L651)`).
        ForwardToAdc = "forward_to_adc",
        /// The ADC forwards it to the customer (`QD-004 §5.2.2.8 (004 L651)`, `QD-004 §4.1 (004 L664)`).
        SendToCustomer = "send_to_customer",
        /// The measures are effective (`QD-004 §5.3.4 (004 L654/L657)`).
        ConfirmEffective = "confirm_effective",
        /// The measures are not effective: re-analyse (`QD-004 §5.3.4 (004 L654/L657)`).
        RecordIneffective = "record_ineffective",
        /// The CQE provides improvement evidence to the ADC (`QD-004 §8 (004 L623)`).
        ProvideImprovementEvidence = "provide_improvement_evidence",
        /// The ADC forwards the filtered evidence to the customer (`QD-004 §8 (004 L623)`, `QD-004 §3.6 (004 L628)`).
        ForwardEvidence = "forward_evidence",
        /// Ledger entry and T6 reference (`QD-004 §9 note 2 (004 L508/L626)`).
        RecordLedger = "record_ledger",
        /// The ADC records the customer's satisfaction (`QD-004 §8 (004 L623)`).
        RecordSatisfaction = "record_satisfaction",
        /// The ADC records that the customer accepted the plan, which becomes the baseline for
        /// similar products (CC-PROC §5.2.2 (004 L480)).
        RecordPlanAcceptance = "record_plan_acceptance",
        /// The closure re-check confirms closure (`QD-004 §8 (004 L623)`).
        VerifyClosure = "verify_closure",
        /// The re-check finds the abnormality open: reopen (ours).
        Reopen = "reopen",
        /// Ask for the leadership's special approval of urgent handling (`QD-004 §8 (004 L623)`).
        RequestUrgent = "request_urgent",
        /// The company leadership signs the special approval (`QD-004 §8 (004 L623)`).
        GrantUrgent = "grant_urgent",
        /// Ship spare parts, replaced defectives to come back (`QD-004 §4.4 (004 L621)`).
        ShipSpares = "ship_spares",
        /// International: ship spares, defectives stay with the customer (`QD-004 §4.4 (004 L621)`).
        ShipSparesNoReturn = "ship_spares_no_return",
        /// Replaced defectives back (`QD-004 §4.4 (004 L621)`).
        RecordDefectivesReturned = "record_defectives_returned",
        /// Part of the replaced defectives back; the rest stays outstanding and the return
        /// clock keeps running (QD-004 §4.4 (004 L621); partial returns: ours).
        RecordPartialReturn = "record_partial_return",
        /// The CQE downgrades a serious complaint to general, with the finding that the
        /// product function is not abnormal (QD-004 §3.7 (004 L662); the action is ours).
        DowngradeSeverity = "downgrade_severity",
        /// Sales places the remake order for goods that cannot be repaired (RET-PC handling
        /// item 3 (004 L21)).
        PlaceRemakeOrder = "place_remake_order",
        /// The quality manager writes off defectives that will not come back (ours).
        WriteOffDefectives = "write_off_defectives",
        /// The customer asks for an 8D after intake (`QD-004 §4.3 (004 L620)`, `QD-004 §5.2.2.8 (004 L651)`).
        RecordCustomer8dRequest = "record_customer_8d_request",
        /// Record a cost line (`QD-004 §5.2.2.2 (004 L671)`, `QD-004 §5.4 (004 L602)`).
        RecordCostLine = "record_cost_line",
        /// The quality manager confirms the cost lines (「经确认后」, `QD-004 §5.2.2.2 (004 L671)`).
        ConfirmCostLines = "confirm_cost_lines",
        /// A quality manager releases one uncategorised free text of the 8D for the outgoing
        /// report, by field path and digest (§3.6, `QD-004 §3.6 (004 L628)`; deny by default, ours).
        ReleaseText = "release_text",
    }
}

crate::vocabulary! {
    /// The roles of the complaint procedure.
    pub enum Role {
        /// 国内应用设计中心: domestic application design centre; customer contact (`QD-004 §4.1 (004 L664)`).
        AdcDomestic = "adc_domestic",
        /// 国际应用设计中心: international application design centre (`QD-004 §4.4 (004 L621)`, `QD-004 §8 (004 L623)`).
        AdcInternational = "adc_international",
        /// 品质部: Quality department (`QD-004 §4.2 (004 L665)`).
        QualityDepartment = "quality_department",
        /// CQE (customer quality engineer, in 品质部) (`QD-004 §5.3.1 (004 L588)`, `QD-004 §5.2 (004 L590)`).
        Cqe = "cqe",
        /// OQC检验员: outgoing-QC inspector (`QD-004 §5.2.1.1 item 2 (004 L649)`).
        OqcInspector = "oqc_inspector",
        /// 品质经理 / 品质部经理: quality manager (`QD-004 §5.2.1.1 item 2 (004 L649)`, `QD-004 §5.2.2.8 (004 L651)`).
        QualityManager = "quality_manager",
        /// 部长: head of the Quality department (INF) (`QD-004 §5.2.2.8 (004 L651)`, `QD-004 §5.3.4 (004 L654)`).
        QualityDepartmentHead = "quality_department_head",
        /// 副总裁: vice-president (`QD-004 §5.2.2.8 (004 L651)`, `QD-004 §5.2.2.5 (004 L666)`).
        VicePresident = "vice_president",
        /// 应用设计中心副总裁: vice-president of the ADC, approves scrap (`QD-004 §9 note 1 (004 L507)`).
        AdcVicePresident = "adc_vice_president",
        /// 公司领导: company leadership, grants the urgent special approval (`QD-004 §8 (004 L623)`).
        CompanyLeadership = "company_leadership",
        /// 计划科经理: planning section manager (`QD-004 §5.2.1.1 item 2 (004 L649)`, `QD-004 §5.2.2.4 (004 L659)`, `QD-004 §5.2.2.5 (004 L666)`).
        PlanningManager = "planning_manager",
        /// 战略设计中心: strategic design centre (R&D) (`QD-004 §5.3.2 (004 L589)`, `QD-004 §5.2.2.5 (004 L666)`).
        StrategicDesignCenter = "strategic_design_center",
        /// 制造部: manufacturing (`QD-004 §4.7 (004 L597)`, `QD-004 §5.2.2.6 (004 L667)`).
        Manufacturing = "manufacturing",
        /// 相关部门领导: leader of a related department (`QD-004 §5.2.2.6 (004 L667)`, `QD-004 §9 note 1 (004 L507)`).
        RelatedDepartmentLeader = "related_department_leader",
        /// 责任部门: a department made responsible for corrective action (`QD-004 §5.3.1 (004 L588)`, `QD-004 §5.3.3 (004 L653)`).
        ResponsibleDepartment = "responsible_department",
        /// 仓库 / 成品库: warehouse / finished-goods store (`QD-004 §5.2.1.1 item 2 (004 L649)`, `QD-004 §5.2.2.4 (004 L659)`).
        Warehouse = "warehouse",
        /// 仓库负责人: warehouse head, executes scrap (`QD-004 §9 note 1 (004 L507)`).
        WarehouseHead = "warehouse_head",
        /// 销售人员: the account's salesperson (`QD-004 §5.2.1.1 item 2 (004 L649)`).
        Salesperson = "salesperson",
    }
}

crate::vocabulary! {
    /// The guards of the complaint procedure (the rules the document sets that the core
    /// cannot declare), each a function in `rules/`.
    pub enum Guard {
        /// intake (QD-004 §5.1, §8 (004 L661, L623)).
        RegionDomestic = "region_domestic",
        /// intake (QD-004 §5.1, §8 (004 L661, L623)).
        RegionInternational = "region_international",
        /// intake (QD-004 §5.1, §8 (004 L661, L623)).
        AdcOfRegion = "adc_of_region",
        /// intake (QD-004 §5.1, §8 (004 L661, L623)).
        AdcOfRegionIfAdc = "adc_of_region_if_adc",
        /// intake (QD-004 §5.1, §8 (004 L661, L623)).
        NotYetSubmitted = "not_yet_submitted",
        /// intake (QD-004 §5.1, §8 (004 L661, L623)).
        AwaitingResubmission = "awaiting_resubmission",
        /// intake (QD-004 §5.1, §8 (004 L661, L623)).
        FormMatchesCase = "form_matches_case",
        /// verdict (QD-004 §5.2.1.1 item 1, §5.2.1.1 item 2, §5.2.2 (004 L593, L649, L669)).
        PassWithoutRestock = "pass_without_restock",
        /// verdict (QD-004 §5.2.1.1 item 1, §5.2.1.1 item 2, §5.2.2 (004 L593, L649, L669)).
        PassRestock = "pass_restock",
        /// verdict (QD-004 §5.2.1.1 item 1, §5.2.1.1 item 2, §5.2.2 (004 L593, L649, L669)).
        VerdictFail = "verdict_fail",
        /// verdict (QD-004 §5.2.1.1 item 1, §5.2.1.1 item 2, §5.2.2 (004 L593, L649, L669)).
        VerdictIsFail = "verdict_is_fail",
        /// 8D gates (product decision `PD-8D`).
        EightDThroughD2 = "eight_d_through_d2",
        /// 8D gates (product decision `PD-8D`).
        EightDThroughD5 = "eight_d_through_d5",
        /// 8D gates (product decision `PD-8D`).
        EightDThroughD7 = "eight_d_through_d7",
        /// 8D gates (product decision `PD-8D`).
        EightDEffective = "eight_d_effective",
        /// restock (QD-004 §5.2.1.1 item 2 (004 L649)).
        RestockApproved = "restock_approved",
        /// restock (QD-004 §5.2.1.1 item 2 (004 L649)).
        SellableAsNew = "sellable_as_new",
        /// restock (QD-004 §5.2.1.1 item 2 (004 L649)).
        NotSellableAsNew = "not_sellable_as_new",
        /// restock (QD-004 §5.2.1.1 item 2 (004 L649)).
        ReturnShipmentIfNeeded = "return_shipment_if_needed",
        /// supplier (QD-004 §7.1, §5.2.2.1 (004 L599–601, L670)).
        MaterialReturned = "material_returned",
        /// supplier (QD-004 §7.1, §5.2.2.1 (004 L599–601, L670)).
        ReferralBatch = "referral_batch",
        /// supplier (QD-004 §7.1, §5.2.2.1 (004 L599–601, L670)).
        ReferralNonBatch = "referral_non_batch",
        /// supplier (QD-004 §7.1, §5.2.2.1 (004 L599–601, L670)).
        ReplenishmentOpen = "replenishment_open",
        /// rework (QD-004 §5.2.2.2, §4.5 (004 L671, L595)).
        ReworkDeclined = "rework_declined",
        /// rework (QD-004 §5.2.2.2, §4.5 (004 L671, L595)).
        ReworkPlanMatches = "rework_plan_matches",
        /// requisition (QD-004 §5.2.2.4 (004 L659)).
        RequisitionApproved = "requisition_approved",
        /// requisition (QD-004 §5.2.2.4 (004 L659)).
        MaterialNotIssued = "material_not_issued",
        /// requisition (QD-004 §5.2.2.4 (004 L659)).
        MaterialIssued = "material_issued",
        /// requisition (QD-004 §5.2.2.4 (004 L659)).
        BurnInRequired = "burn_in_required",
        /// requisition (QD-004 §5.2.2.4 (004 L659)).
        BurnInNotRequired = "burn_in_not_required",
        /// production (QD-004 §5.2.2.5 (004 L666)).
        NoticeApproved = "notice_approved",
        /// production (QD-004 §5.2.2.5 (004 L666)).
        NoticeEmailed = "notice_emailed",
        /// production (QD-004 §5.2.2.5 (004 L666)).
        BomProvided = "bom_provided",
        /// production (QD-004 §5.2.2.5 (004 L666)).
        ProductionScheduled = "production_scheduled",
        /// production (QD-004 §5.2.2.5 (004 L666)).
        ProductionDone = "production_done",
        /// repair (QD-004 §5.2.2.6 (004 L667)).
        RequisitionJustified = "requisition_justified",
        /// repair (QD-004 §5.2.2.6 (004 L667)).
        RepairUsesRequisition = "repair_uses_requisition",
        /// repair (QD-004 §5.2.2.6 (004 L667)).
        LiaisonApproved = "liaison_approved",
        /// repair (QD-004 §5.2.2.6 (004 L667)).
        RepairMaterialReady = "repair_material_ready",
        /// repair (QD-004 §5.2.2.6 (004 L667)).
        RepairMaterialSupplied = "repair_material_supplied",
        /// scrap (QD-004 §9 note 1, §5.2.2.3 (004 L507/L625, L658)).
        ScrapApproved = "scrap_approved",
        /// shipping and remediation.
        GoodsReady = "goods_ready",
        /// shipping and remediation.
        RemediationComplete = "remediation_complete",
        /// corrective action (QD-004 §5.3.1, §5.3.2, §5.3.3 (004 L588–589, L653)).
        DepartmentNamed = "department_named",
        /// corrective action (QD-004 §5.3.1, §5.3.2, §5.3.3 (004 L588–589, L653)).
        AnalysisSubmitted = "analysis_submitted",
        /// review and sending (QD-004 §5.2.2.8, §5.3.4, §3.6 (004 L651, L654, L628)).
        OutgoingClassified = "outgoing_classified",
        /// review and sending (QD-004 §5.2.2.8, §5.3.4, §3.6 (004 L651, L654, L628)).
        VpReviewRequired = "vp_review_required",
        /// review and sending (QD-004 §5.2.2.8, §5.3.4, §3.6 (004 L651, L654, L628)).
        VpReviewNotRequired = "vp_review_not_required",
        /// review and sending (QD-004 §5.2.2.8, §5.3.4, §3.6 (004 L651, L654, L628)).
        ReportApproved = "report_approved",
        /// review and sending (QD-004 §5.2.2.8, §5.3.4, §3.6 (004 L651, L654, L628)).
        ReportUnchanged = "report_unchanged",
        /// review and sending (QD-004 §5.2.2.8, §5.3.4, §3.6 (004 L651, L654, L628)).
        OutgoingReportMatches = "outgoing_report_matches",
        /// review and sending (QD-004 §5.2.2.8, §5.3.4, §3.6 (004 L651, L654, L628)).
        PackageUnchanged = "package_unchanged",
        /// review and sending (QD-004 §5.2.2.8, §5.3.4, §3.6 (004 L651, L654, L628)).
        EvidenceClassified = "evidence_classified",
        /// review and sending (QD-004 §5.2.2.8, §5.3.4, §3.6 (004 L651, L654, L628)).
        EvidencePending = "evidence_pending",
        /// urgency (QD-004 §8 (004 L623)).
        FirstReplyPending = "first_reply_pending",
        /// urgency (QD-004 §8 (004 L623)).
        UrgentRequested = "urgent_requested",
        /// urgency (QD-004 §8 (004 L623)).
        UrgentNotGranted = "urgent_not_granted",
        /// spares (QD-004 §4.4 (004 L621)).
        ReturnExpected = "return_expected",
        /// spares (QD-004 §4.4 (004 L621)).
        NoReturnDecided = "no_return_decided",
        /// spares (QD-004 §4.4 (004 L621)).
        ReturnSettlesOutstanding = "return_settles_outstanding",
        /// costs (QD-004 §5.2.2.2, §5.4 (004 L671, L602)).
        CostsUnconfirmed = "costs_unconfirmed",
        /// costs (QD-004 §5.2.2.2, §5.4 (004 L671, L602)).
        ConfirmerNotRecorder = "confirmer_not_recorder",
        /// closure (QD-004 §8, §9 note 2, §4.4 (004 L623, L508/L626, L621)).
        ClosureReady = "closure_ready",
        /// The plan the customer accepts exists: a failed complaint with its corrective and
        /// preventive plan sent (CC-PROC §5.2.2 (004 L480)).
        PlanOnFile = "plan_on_file",
        /// A partial return leaves some replaced defectives outstanding (QD-004 §4.4
        /// (004 L621)).
        ReturnPartial = "return_partial",
        /// The complaint is serious now, so it can be downgraded (QD-004 §3.7 (004 L662)).
        SeriousNow = "serious_now",
        /// The reply letter passes the confidentiality filter: its explanation is categorised
        /// or released (QD-004 §3.6 (004 L628)).
        ReplyClassified = "reply_classified",
    }
}

crate::vocabulary! {
    /// The time limits of the complaint procedure; find one on an instance with
    /// `instance.clock(Deadline::Analysis)`.
    pub enum Deadline {
        /// The CQE responds within 1 working day of the submission (`QD-004 §8 (004 L623)`).
        Response = "response",
        /// Domestic analysis: 3 working days from the submission (`QD-004 §8 (004 L623)`).
        Analysis = "analysis",
        /// Domestic: solve and reply within 7 working days (`QD-004 §8 (004 L623)`).
        SolveAndReply = "solve_and_reply",
        /// International: a solution within 15–30 working days (`QD-004 §8 (004 L623)`).
        InternationalSolution = "international_solution",
        /// Urgent with the leadership's special approval: 2 (domestic) / 3 (international)
        /// working days, started by the grant and counted from the handling form
        /// (QD-004 §8 (004 L623)).
        UrgentReply = "urgent_reply",
        /// Not the company's fault: the finding back to the customer within 1 working day of
        /// the analysis (CC-PROC §5.2.1 (004 L478)).
        NotLiableFeedback = "not_liable_feedback",
        /// The company's fault, nothing returned: the reply within 2 working days of the
        /// approval (CC-PROC §5.2.2 (004 L480)).
        LiableReply = "liable_reply",
        /// The supplier's 8D and plan within 2 working days (`QD-004 §7.1.2 (004 L601)`).
        Supplier8d = "supplier_8d",
        /// Replaced defectives back within a month (`QD-004 §4.4 (004 L621)`).
        DefectivesReturn = "defectives_return",
        /// The closure re-check within a month of handling (`QD-004 §8 (004 L623)`).
        ClosureRecheck = "closure_recheck",
        /// The containment check, 「立即」 (`QD-004 §5.3 (004 L652)`); only when configured.
        Containment = "containment",
        /// The responsible departments' analysis, 「尽快」 (`QD-004 §5.3.2 (004 L589)`); only when configured.
        DepartmentAnalysis = "department_analysis",
    }
}

crate::vocabulary! {
    /// The effects of the complaint procedure (`rules/effects.rs`).
    pub enum Effect {
        /// Progress bookkeeping by action: submission, verdict, approvals, urgency, supplier,
        /// production, evidence, costs (what the guards read across steps).
        Track = "track",
        /// One more lot of goods ready to ship (after inspection or burn-in, `QD-004 §5.2.2.4 (004 L659)`, `QD-004 §5.2.2.5 (004 L666)`).
        GoodsReady = "goods_ready",
    }
}

crate::vocabulary! {
    /// The form kinds of the complaint procedure; each is a typed form in `forms` whose
    /// `TypedForm::KIND` is the variant's name.
    pub enum FormKind {
        /// [`forms::ComplaintHandlingForm`].
        HandlingForm = "handling_form",
        /// [`forms::ComplaintInspectionRecord`].
        InspectionRecord = "inspection_record",
        /// [`forms::ContainmentRecord`].
        ContainmentRecord = "containment_record",
        /// [`forms::AssistanceRequest`].
        AssistanceRequest = "assistance_request",
        /// [`forms::RestockRequest`].
        RestockRequest = "restock_request",
        /// [`forms::SalesDisposalPlan`].
        SalesDisposalPlan = "sales_disposal_plan",
        /// [`forms::CustomerReply`].
        CustomerReply = "customer_reply",
        /// [`forms::SupplierReferral`].
        SupplierReferral = "supplier_referral",
        /// [`forms::SupplierMeeting`].
        SupplierMeeting = "supplier_meeting",
        /// [`forms::Supplier8d`].
        Supplier8d = "supplier_8d",
        /// [`forms::Replenishment`].
        Replenishment = "replenishment",
        /// [`forms::ReworkPlan`].
        ReworkPlan = "rework_plan",
        /// [`forms::MaterialRequisition`].
        MaterialRequisition = "material_requisition",
        /// [`forms::ProductionNotice`].
        ProductionNotice = "production_notice",
        /// [`forms::BomRelease`].
        BomRelease = "bom_release",
        /// [`forms::WorkLiaison`].
        WorkLiaison = "work_liaison",
        /// [`forms::ScrapRequest`].
        ScrapRequest = "scrap_request",
        /// [`forms::ShipmentRecord`].
        ShipmentRecord = "shipment_record",
        /// [`forms::DepartmentEscalation`].
        DepartmentEscalation = "department_escalation",
        /// [`forms::CorrectiveActionPlan`].
        CorrectiveActionPlan = "corrective_action_plan",
        /// [`forms::LedgerEntry`].
        LedgerEntry = "ledger_entry",
        /// [`forms::SatisfactionRecord`].
        SatisfactionRecord = "satisfaction_record",
        /// [`forms::PlanAcceptance`].
        PlanAcceptance = "plan_acceptance",
        /// [`forms::SeverityDowngrade`].
        SeverityDowngrade = "severity_downgrade",
        /// [`forms::RemakeOrder`].
        RemakeOrder = "remake_order",
        /// [`forms::ClosureRecheck`].
        ClosureRecheck = "closure_recheck",
        /// [`forms::SpecialApprovalRequest`].
        SpecialApprovalRequest = "special_approval_request",
        /// [`forms::SparesShipment`].
        SparesShipment = "spares_shipment",
        /// [`forms::DefectivesReturn`].
        DefectivesReturn = "defectives_return",
        /// [`forms::DefectivesWriteOff`].
        DefectivesWriteOff = "defectives_write_off",
        /// [`forms::CostEntry`].
        CostEntry = "cost_entry",
        /// [`forms::ImprovementEvidence`].
        ImprovementEvidence = "improvement_evidence",
        /// [`forms::PartsReturn`].
        PartsReturn = "parts_return",
        /// [`forms::eight_d::EightDReport`].
        EightDReport = "eight_d_report",
        /// [`forms::outgoing::OutgoingReport`].
        OutgoingReport = "outgoing_report",
        /// [`forms::outgoing::TextRelease`].
        TextRelease = "text_release",
    }
}

/// The registry (guards, effects, typed forms, selectors) of the procedure; deadlines in
/// `Asia/Shanghai` ([`shanghai_calendar`](super::shanghai_calendar)).
pub fn registry(config: &Config) -> Registry {
    rules::registry(config).shared_calendar(super::shanghai_calendar())
}

/// The definition as data, e.g. to adapt it (another chain) and build it with
/// [`registry`].
pub fn spec(config: &Config) -> DefinitionSpec {
    graph::builder(config).spec()
}

/// Build the validated, typed definition.
///
/// ```
/// use aftersales::procedures::{complaint, shanghai_calendar};
/// use aftersales::{Engine, InMemoryStore};
///
/// let def = complaint::definition(&complaint::Config::default(), shanghai_calendar())?;
/// assert_eq!(def.definition().initial_state(), complaint::State::Draft);
/// // Typed end to end: what may be done first, as `Action` values.
/// assert!(!def.actions_from(complaint::State::Draft).is_empty());
///
/// let mut engine = Engine::new(InMemoryStore::new());
/// engine.register(def.definition().clone())?;
/// assert!(engine.definition(complaint::ID).is_some());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
/// [`BuildError`] if the definition is invalid (it is not, for any config: a test builds it).
pub fn definition(
    config: &Config,
    calendar: Arc<dyn Calendar>,
) -> Result<TypedDefinition<State, Action, Role>, BuildError> {
    let def = graph::builder(config).build(&registry(config).shared_calendar(calendar))?;
    Ok(TypedDefinition::new(def)?)
}
