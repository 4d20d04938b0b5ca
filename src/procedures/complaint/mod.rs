//! Customer complaint handling (客诉) with the 8D report.
//!
//! Source: ZJHP-3-WI-QD-004 《客诉、客退产品处理管理办法》 rev A/0 (`004 L647`), §5 (complaint
//! flow), §3.6 (confidentiality), §3.7 (severity), §7 (supplier issues), §8 (time limits);
//! supporting: D1 of the same collection (severity table, 8D trigger, `004 L5–34`) and `002`
//! (5W1H, root cause, corrective plan). `004 Lnnn` = line of `seeds/004_4a7dfe17293c5e98.txt`.
//! Product decisions: `spec README`. The full clause → code → test map is in
//! `docs/procedures/complaint.md`.
//!
//! The flow: the application design centre (ADC) files the handling form 《客诉、客退产品处理单》
//! with the schedule order and the goods, or the defect evidence when the part is not returned
//! (power supply: barcode and front photo; others: photos, `004 L661`); the CQE acknowledges
//! (1 working day), Quality checks work in progress and unshipped stock at once (§5.3), the CQE
//! analyses (domestic: 3 working days) and either passes the goods (return to the customer, or
//! restock with 《客诉退料申请单》 signed OQC inspector → quality manager → planning manager,
//! `004 L649`) or fails them. A failure goes through the remediation hub (supplier return,
//! rework / disassembly, requisition, production, repair, burn-in, scrap), then corrective
//! action (within Quality or by the responsible departments), the 8D / measures review
//! (quality manager → department head, → VP when serious or referred), the filtered report
//! e-mailed to the ADC and forwarded to the customer (domestic: 7 working days; urgent with
//! the leadership's special approval: 2; international 15–30, urgent 3), the effectiveness
//! check (ineffective → re-analysis, `004 L654/L657`), then the ledger, satisfaction and the
//! closure re-check within a month (`004 L623`).
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

pub mod confidentiality;
pub mod config;
pub mod costs;
pub mod data;
pub mod eight_d;
pub mod forms;
mod rules;
pub mod severity;

pub use confidentiality::{
    ConfidentialityPolicy, InfoCategory, OutgoingReport, Redaction, ReportKind, Statement,
    redact_8d, redact_statements,
};
pub use config::{Config, External8dTrigger, MisjudgmentMatch, VpReview};
pub use data::Data;
pub use eight_d::{Discipline, EightDReport};
pub use severity::Severity;

use crate::Calendar;
use crate::Instance;
use crate::Registry;
use crate::Vocabulary;
use crate::{BuildError, Builder, DefinitionSpec, TransitionBuilder, TypedDefinition};
use crate::{DeadlineSpec, DurationSpec, EscalationSpec, Trigger};
use crate::{SignOrder, TypedForm};
use forms::*;
use std::collections::BTreeMap;
use std::sync::Arc;

/// The definition id.
pub const ID: &str = "complaint";
/// The definition version.
pub const VERSION: u32 = 1;

crate::vocabulary! {
    /// The states of a complaint.
    pub enum State {
        /// 填写《客诉、客退产品处理单》: the ADC fills the handling form (`004 L661`).
        Draft = "draft",
        /// 已提交CQE: form, schedule order and goods (or evidence) handed to the CQE (`004 L661`).
        Submitted = "submitted",
        /// 查核在制品/未出货品: Quality checks WIP and unshipped stock at once (`004 L652`, `L587`).
        Containment = "containment",
        /// 分析/检验: CQE analysis and inspection (`004 L590`).
        Analysis = "analysis",
        /// 《客诉退料申请单》会签: restock sign-off (`004 L649`).
        RestockSignoff = "restock_signoff",
        /// 整灯处理方案: the salesperson's plan for lamps not sellable as new (`004 L649`).
        SalesDisposal = "sales_disposal",
        /// 检验合格答复: pass; the ADC replies, returns goods if so decided (`004 L593`, `L596`).
        PassReply = "pass_reply",
        /// 不合格处理: remediation hub (`004 L668–671`, `L658–667`).
        Remediation = "remediation",
        /// 供应商处理: batch meeting, or return and supplier 8D (`004 L599–601`, `L670`).
        SupplierHandling = "supplier_handling",
        /// 返修方案: rework plan by the ADC, or CQE disassembly, or on-site plan (`004 L671`, `L595`).
        ReworkPlanning = "rework_planning",
        /// 《客诉领料申请单》: requisition QM → planning manager, issue, inspection (`004 L659`).
        MaterialRequisition = "material_requisition",
        /// 《客诉排产通知单》: notice QM → VP, BOM, production, inspection (`004 L666`).
        ProductionScheduling = "production_scheduling",
        /// 《工作联系单》: repair by manufacturing (`004 L667`).
        ManufacturingRepair = "manufacturing_repair",
        /// 老化: burn-in of power supplies and modules before shipping (`004 L659`, `L667`).
        BurnIn = "burn_in",
        /// 《报废申请单》: scrap approval and execution (`004 L507/L625`, `L658`).
        ScrapApproval = "scrap_approval",
        /// 纠正措施: the CQE analyses, escalates, re-analyses when ineffective (`004 L588`, `L654`).
        CorrectiveAction = "corrective_action",
        /// 责任部门分析: responsible departments analyse and propose measures (`004 L589`, `L653`).
        DepartmentAnalysis = "department_analysis",
        /// 改善落实: the CQE tracks implementation (`004 L653`).
        Implementation = "implementation",
        /// 审阅: 8D / measures reviewed by QM → department head (→ VP) (`004 L651`, `L654`).
        ReportReview = "report_review",
        /// 转发应用设计中心: the approved, filtered package is with the ADC (`004 L651`).
        ReplyDispatch = "reply_dispatch",
        /// 效果确认: effect of the measures verified (`004 L654/L657`).
        EffectivenessCheck = "effectiveness_check",
        /// 处理完成: ledger, satisfaction, closure re-check within 1 month (`004 L508`, `L623`).
        Handled = "handled",
        /// 关闭: closure re-checked and confirmed (`004 L623`).
        Closed = "closed",
        /// 撤回: withdrawn before submission (ours).
        Withdrawn = "withdrawn",
    }
}

crate::vocabulary! {
    /// The actions of the complaint procedure.
    pub enum Action {
        /// Submit the domestic handling form to the CQE (`004 L661`).
        Submit = "submit",
        /// Submit the international handling form (`004 L623`).
        SubmitInternational = "submit_international",
        /// Submit the revised form after the CQE returned it (clocks keep the first submit).
        Resubmit = "resubmit",
        /// Withdraw before submission (ours).
        Withdraw = "withdraw",
        /// The CQE responds (`004 L623`: 一个工作日内积极响应).
        Acknowledge = "acknowledge",
        /// The CQE returns an incomplete form (ours).
        ReturnForm = "return_form",
        /// Record the WIP / unshipped containment check (`004 L652`).
        RecordContainment = "record_containment",
        /// Ask departments for help by e-document (`004 L588`, `L590`).
        RequestAssistance = "request_assistance",
        /// Pass: return to the customer or nothing returned (`004 L593`).
        RecordPass = "record_pass",
        /// Pass with a replacement already sent: restock (`004 L649`).
        RecordPassRestock = "record_pass_restock",
        /// Fail: cause analysis, test results, feedback to the ADC (`004 L669`).
        RecordFail = "record_fail",
        /// Sign 《客诉退料申请单》: OQC inspector → QM → planning manager (`004 L649`).
        ApproveRestock = "approve_restock",
        /// The finished-goods store stocks in on the signed form (`004 L649`).
        StockIn = "stock_in",
        /// The salesperson's plan for unsellable lamps (`004 L649`).
        SubmitDisposalPlan = "submit_disposal_plan",
        /// The ADC informs the customer of a pass (`004 L593`, `L596`).
        ReplyToCustomer = "reply_to_customer",
        /// Batch supplier defect: meeting and replacement (`004 L600`).
        ReferToSupplierBatch = "refer_to_supplier_batch",
        /// Non-batch supplier defect / failed power supply: material back to the supplier (`004 L601`, `L670`).
        ReturnToSupplier = "return_to_supplier",
        /// Minutes of the supplier meeting (`004 L600`).
        RecordSupplierMeeting = "record_supplier_meeting",
        /// The supplier's 8D and handling plan (`004 L601`).
        RecordSupplier8d = "record_supplier_8d",
        /// Supplier replacement / replenishment received (`004 L600`, `L670`).
        RecordSupplierReplenishment = "record_supplier_replenishment",
        /// Goods cannot be stocked: ask for a rework plan (`004 L671`).
        PlanRework = "plan_rework",
        /// The ADC's handling plan (`004 L671`).
        IssueReworkPlan = "issue_rework_plan",
        /// The ADC cannot issue a plan (`004 L671`: 若无法出具).
        DeclinePlan = "decline_plan",
        /// The CQE disassembles and stocks parts by category (`004 L671`).
        Disassemble = "disassemble",
        /// Quality's on-site repair plan, confirmed through the ADC (`004 L595`).
        IssueOnsitePlan = "issue_onsite_plan",
        /// File 《客诉领料申请单》 (`004 L659`).
        RequestMaterial = "request_material",
        /// Sign the requisition: QM → planning manager (`004 L659`).
        ApproveRequisition = "approve_requisition",
        /// The warehouse issues the material (`004 L659`).
        IssueMaterial = "issue_material",
        /// The CQE inspects the issued material (`004 L659`).
        InspectMaterial = "inspect_material",
        /// File 《客诉排产通知单》 (`004 L666`).
        RequestProduction = "request_production",
        /// Sign the notice: QM → VP (`004 L666`).
        ApproveProductionNotice = "approve_production_notice",
        /// E-mail the notice to the strategic design centre and planning (`004 L666`).
        EmailNotice = "email_notice",
        /// The strategic design centre provides the BOM (`004 L666`).
        ProvideBom = "provide_bom",
        /// The planning manager schedules production (`004 L666`).
        ScheduleProduction = "schedule_production",
        /// Production done (`004 L666`).
        RecordProductionDone = "record_production_done",
        /// The CQE inspects the output (`004 L666`).
        InspectOutput = "inspect_output",
        /// File 《工作联系单》 for a repair (`004 L667`).
        RequestRepair = "request_repair",
        /// Sign the work liaison: QM → department leader (`004 L667`).
        ApproveWorkLiaison = "approve_work_liaison",
        /// Hand the repair material to manufacturing (`004 L667`).
        SupplyMaterial = "supply_material",
        /// Manufacturing hands the repaired, inspected goods to the CQE (`004 L667`).
        HandOverRepaired = "hand_over_repaired",
        /// Burn-in passed (`004 L659`, `L667`).
        RecordBurnInPass = "record_burn_in_pass",
        /// Burn-in failed (ours).
        RecordBurnInFail = "record_burn_in_fail",
        /// File 《报废申请单》 (`004 L658`, `L507`).
        RequestScrap = "request_scrap",
        /// Sign the scrap: department leader → ADC VP (`004 L507/L625`).
        ApproveScrap = "approve_scrap",
        /// The warehouse head executes the scrap (`004 L507/L625`).
        ExecuteScrap = "execute_scrap",
        /// Reusable material back to the warehouse (`004 L658`).
        ReturnPartsToStock = "return_parts_to_stock",
        /// Ship ready goods to the customer (`004 L659`, `L666`).
        ShipToCustomer = "ship_to_customer",
        /// Remediation done (ours).
        CompleteRemediation = "complete_remediation",
        /// The CQE resolves the cause within Quality (`004 L588`).
        ResolveWithinQuality = "resolve_within_quality",
        /// Escalate to the responsible departments (`004 L588`).
        EscalateToDepartments = "escalate_to_departments",
        /// Back to remediation for a new disposition (ours).
        ReopenRemediation = "reopen_remediation",
        /// A responsible department submits cause and measures (`004 L589`).
        SubmitDepartmentAnalysis = "submit_department_analysis",
        /// Quality does not accept the analysis (INF, `004 L653`).
        RejectAnalysis = "reject_analysis",
        /// Quality accepts the analysis (`004 L653`).
        AcceptAnalysis = "accept_analysis",
        /// Attach a new 8D revision.
        UpdateEightD = "update_8d",
        /// Submit the 8D / measures for review (`004 L651`, `L654`).
        SubmitForReview = "submit_for_review",
        /// A reviewer refers the report to the VP (「必要时」, `004 L651`).
        ReferToVp = "refer_to_vp",
        /// Review sign-off: QM → department head (→ VP) (`004 L651`, `L654`).
        ApproveReport = "approve_report",
        /// The CQE e-mails the filtered package to the ADC (`004 L651`).
        ForwardToAdc = "forward_to_adc",
        /// The ADC forwards it to the customer (`004 L651`, `L664`).
        SendToCustomer = "send_to_customer",
        /// The measures are effective (`004 L654/L657`).
        ConfirmEffective = "confirm_effective",
        /// The measures are not effective: re-analyse (`004 L654/L657`).
        RecordIneffective = "record_ineffective",
        /// The CQE provides improvement evidence to the ADC (`004 L623`).
        ProvideImprovementEvidence = "provide_improvement_evidence",
        /// The ADC forwards the filtered evidence to the customer (`004 L623`, `L628`).
        ForwardEvidence = "forward_evidence",
        /// Ledger entry and T6 reference (`004 L508/L626`).
        RecordLedger = "record_ledger",
        /// The ADC records the customer's satisfaction (`004 L623`).
        RecordSatisfaction = "record_satisfaction",
        /// The closure re-check confirms closure (`004 L623`).
        VerifyClosure = "verify_closure",
        /// The re-check finds the abnormality open: reopen (ours).
        Reopen = "reopen",
        /// Ask for the leadership's special approval of urgent handling (`004 L623`).
        RequestUrgent = "request_urgent",
        /// The company leadership signs the special approval (`004 L623`).
        GrantUrgent = "grant_urgent",
        /// Ship spare parts, replaced defectives to come back (`004 L621`).
        ShipSpares = "ship_spares",
        /// International: ship spares, defectives stay with the customer (`004 L621`).
        ShipSparesNoReturn = "ship_spares_no_return",
        /// Replaced defectives back (`004 L621`).
        RecordDefectivesReturned = "record_defectives_returned",
        /// The quality manager writes off defectives that will not come back (ours).
        WriteOffDefectives = "write_off_defectives",
        /// The customer asks for an 8D after intake (`004 L620`, `L651`).
        RecordCustomer8dRequest = "record_customer_8d_request",
        /// Record a cost line (`004 L671`, `L602`).
        RecordCostLine = "record_cost_line",
        /// The quality manager confirms the cost lines (「经确认后」, `004 L671`).
        ConfirmCostLines = "confirm_cost_lines",
    }
}

crate::vocabulary! {
    /// The roles of the complaint procedure.
    pub enum Role {
        /// 国内应用设计中心: domestic application design centre; customer contact (`004 L664`).
        AdcDomestic = "adc_domestic",
        /// 国际应用设计中心: international application design centre (`004 L621`, `L623`).
        AdcInternational = "adc_international",
        /// 品质部: Quality department (`004 L665`).
        QualityDepartment = "quality_department",
        /// CQE (customer quality engineer, in 品质部) (`004 L588`, `L590`).
        Cqe = "cqe",
        /// OQC检验员: outgoing-QC inspector (`004 L649`).
        OqcInspector = "oqc_inspector",
        /// 品质经理 / 品质部经理: quality manager (`004 L649`, `L651`).
        QualityManager = "quality_manager",
        /// 部长: head of the Quality department (INF) (`004 L651`, `L654`).
        QualityDepartmentHead = "quality_department_head",
        /// 副总裁: vice-president (`004 L651`, `L666`).
        VicePresident = "vice_president",
        /// 应用设计中心副总裁: vice-president of the ADC, approves scrap (`004 L507`).
        AdcVicePresident = "adc_vice_president",
        /// 公司领导: company leadership, grants the urgent special approval (`004 L623`).
        CompanyLeadership = "company_leadership",
        /// 计划科经理: planning section manager (`004 L649`, `L659`, `L666`).
        PlanningManager = "planning_manager",
        /// 战略设计中心: strategic design centre (R&D) (`004 L589`, `L666`).
        StrategicDesignCenter = "strategic_design_center",
        /// 制造部: manufacturing (`004 L597`, `L667`).
        Manufacturing = "manufacturing",
        /// 相关部门领导: leader of a related department (`004 L667`, `L507`).
        RelatedDepartmentLeader = "related_department_leader",
        /// 责任部门: a department made responsible for corrective action (`004 L588`, `L653`).
        ResponsibleDepartment = "responsible_department",
        /// 仓库 / 成品库: warehouse / finished-goods store (`004 L649`, `L659`).
        Warehouse = "warehouse",
        /// 仓库负责人: warehouse head, executes scrap (`004 L507`).
        WarehouseHead = "warehouse_head",
        /// 销售人员: the account's salesperson (`004 L649`).
        Salesperson = "salesperson",
    }
}

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
const UPDATE_8D_STATES: [State; 6] = [
    State::Remediation,
    State::CorrectiveAction,
    State::DepartmentAnalysis,
    State::Implementation,
    State::EffectivenessCheck,
    State::Handled,
];

/// Require a form of `kind` attached with the command itself (a fresh revision).
fn with(t: TransitionBuilder, kind: &str) -> TransitionBuilder {
    t.form(kind).guard(rules::fresh(kind))
}

/// The registry (guards, effects, typed forms, selectors) of the procedure.
pub fn registry(config: &Config) -> Registry {
    rules::registry(config)
}

/// The definition as data, e.g. to adapt it (another chain) and build it with
/// [`registry`].
pub fn spec(config: &Config) -> DefinitionSpec {
    builder(config).spec()
}

/// Build the validated, typed definition.
///
/// # Errors
/// [`BuildError`] if the definition is invalid (it is not, for any config: a test builds it).
pub fn definition(
    config: &Config,
    calendar: Arc<dyn Calendar>,
) -> Result<TypedDefinition<State, Action, Role>, BuildError> {
    let def = builder(config).build(&registry(config).shared_calendar(calendar))?;
    Ok(TypedDefinition::new(def)?)
}

#[allow(clippy::too_many_lines)]
fn builder(cfg: &Config) -> Builder {
    use Action as A;
    use Role as R;
    use State as S;
    let replies = [A::ReplyToCustomer, A::SendToCustomer];
    let mut b = Builder::new(ID, VERSION)
        .roles(<R as Vocabulary>::ALL.iter())
        .start_roles(ADC)
        .initial(S::Draft)
        .describe_state("ADC fills 《客诉、客退产品处理单》 (004 L661)");
    for s in &<S as Vocabulary>::ALL[1..] {
        b = match s {
            S::Closed | S::Withdrawn => b.terminal(s),
            _ => b.normal(s),
        };
    }
    b = b
        // ---- intake: 004 L661, L623 ----
        .transition(S::Draft, A::Submit, S::Submitted, |t| {
            with(t.roles([R::AdcDomestic]), HandlingForm::KIND)
                .guard("region_domestic")
                .guard("not_yet_submitted")
                .guard("form_matches_case")
                .effect("track")
                .describe("004 L661: form + 排产单 + goods or defect evidence to the CQE")
        })
        .transition(S::Draft, A::SubmitInternational, S::Submitted, |t| {
            with(t.roles([R::AdcInternational]), HandlingForm::KIND)
                .guard("region_international")
                .guard("not_yet_submitted")
                .guard("form_matches_case")
                .effect("track")
                .describe("004 L661, L623 (international)")
        })
        .transition(S::Draft, A::Resubmit, S::Submitted, |t| {
            with(t.roles(ADC), HandlingForm::KIND)
                .guard("adc_of_region")
                .guard("awaiting_resubmission")
                .guard("form_matches_case")
                .effect("track")
                .describe("ours: revised form; clocks keep the first submit (004 L623)")
        })
        .transition(S::Draft, A::Withdraw, S::Withdrawn, |t| {
            t.roles(ADC)
                .guard("adc_of_region")
                .guard("not_yet_submitted")
                .guard("reason_given")
                .describe("ours")
        })
        .transition(S::Submitted, A::Acknowledge, S::Containment, |t| {
            t.roles([R::Cqe])
                .describe("004 L623: respond within 1 working day")
        })
        .transition(S::Submitted, A::ReturnForm, S::Draft, |t| {
            t.roles([R::Cqe])
                .guard("reason_given")
                .effect("track")
                .describe("ours: incomplete form or evidence (004 L661)")
        })
        // ---- containment: 004 L652 + L587 ----
        .transition(S::Containment, A::RecordContainment, S::Analysis, |t| {
            with(
                t.roles([R::QualityDepartment, R::Cqe, R::QualityManager]),
                ContainmentRecord::KIND,
            )
            .describe("004 L652, L587: WIP and unshipped stock checked; countermeasures")
        })
        // ---- analysis: 004 L590, L593, L649, L669 ----
        .transition(S::Analysis, A::RequestAssistance, S::Analysis, |t| {
            with(t.roles([R::Cqe]), AssistanceRequest::KIND).describe("004 L588, L590")
        })
        .transition(S::Analysis, A::RecordPass, S::PassReply, |t| {
            with(t.roles([R::Cqe]), InspectionRecord::KIND)
                .guard("pass_without_restock")
                .effect("track")
                .describe("004 L593, L596: pass, ADC informed at once")
        })
        .transition(S::Analysis, A::RecordPassRestock, S::RestockSignoff, |t| {
            with(
                with(t.roles([R::Cqe]), InspectionRecord::KIND),
                RestockRequest::KIND,
            )
            .guard("pass_restock")
            .effect("track")
            .describe("004 L649, L492: pass, replacement already sent")
        })
        .transition(S::Analysis, A::RecordFail, S::Remediation, |t| {
            with(t.roles([R::Cqe]), InspectionRecord::KIND)
                .form(EightDReport::KIND)
                .guard("verdict_fail")
                .guard("eight_d_through_d2")
                .effect("track")
                .describe("004 L668–669, L650: cause, tests, feedback to ADC; 8D D0–D2")
        })
        // ---- restock: 004 L649 ----
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
                    "confirm 《客诉退料申请单》 (004 L649)",
                )
                .on_refuse(S::Analysis)
                .not_same_actor_as(A::RecordPassRestock)
                .effect("track")
                .describe("004 L649: OQC inspector and QM, then planning manager")
            },
        )
        .transition(S::RestockSignoff, A::StockIn, S::PassReply, |t| {
            t.roles([R::Warehouse])
                .guard("restock_approved")
                .guard("sellable_as_new")
                .describe("004 L649: the signed form is the basis for store-in")
        })
        .transition(S::RestockSignoff, A::StockIn, S::SalesDisposal, |t| {
            t.roles([R::Warehouse])
                .guard("restock_approved")
                .guard("not_sellable_as_new")
                .describe("004 L649: lamps not sellable as new")
        })
        .transition(S::SalesDisposal, A::SubmitDisposalPlan, S::PassReply, |t| {
            with(t.roles([R::Salesperson]), SalesDisposalPlan::KIND).describe("004 L649, L492")
        })
        .transition(S::PassReply, A::ReplyToCustomer, S::Handled, |t| {
            with(t.roles(ADC), CustomerReply::KIND)
                .guard("adc_of_region")
                .guard("return_shipment_if_needed")
                .effect("track")
                .describe("004 L593, L596, L664")
        })
        // ---- remediation hub: 004 L658–671 ----
        .transition(
            S::Remediation,
            A::ReferToSupplierBatch,
            S::SupplierHandling,
            |t| {
                with(
                    t.roles([R::Cqe, R::QualityDepartment]),
                    SupplierReferral::KIND,
                )
                .effect("track")
                .describe("004 L600: batch defect per the quality agreement")
            },
        )
        .transition(
            S::Remediation,
            A::ReturnToSupplier,
            S::SupplierHandling,
            |t| {
                with(
                    t.roles([R::Cqe, R::QualityDepartment]),
                    SupplierReferral::KIND,
                )
                .guard("material_returned")
                .effect("track")
                .describe("004 L601, L670: defective material back to the supplier")
            },
        )
        .transition(
            S::SupplierHandling,
            A::RecordSupplierMeeting,
            S::Remediation,
            |t| {
                with(
                    t.roles([R::QualityDepartment, R::Cqe]),
                    SupplierMeeting::KIND,
                )
                .guard("referral_batch")
                .effect("track")
                .describe("004 L600")
            },
        )
        .transition(
            S::SupplierHandling,
            A::RecordSupplier8d,
            S::Remediation,
            |t| {
                with(t.roles([R::Cqe]), Supplier8d::KIND)
                    .guard("referral_non_batch")
                    .effect("track")
                    .describe("004 L601: within 2 working days")
            },
        )
        .transition(S::Remediation, A::PlanRework, S::ReworkPlanning, |t| {
            t.roles([R::Cqe]).effect("track").describe("004 L671, L493")
        })
        .transition(S::ReworkPlanning, A::IssueReworkPlan, S::Remediation, |t| {
            with(t.roles(ADC), ReworkPlan::KIND)
                .guard("adc_of_region")
                .guard("rework_plan_matches")
                .describe("004 L671: 由应用设计中心出具处理方案")
        })
        .transition(S::ReworkPlanning, A::DeclinePlan, S::ReworkPlanning, |t| {
            t.roles(ADC)
                .guard("adc_of_region")
                .guard("reason_given")
                .effect("track")
                .describe("004 L671: 若无法出具")
        })
        .transition(S::ReworkPlanning, A::Disassemble, S::Remediation, |t| {
            with(t.roles([R::Cqe]), ReworkPlan::KIND)
                .guard("rework_declined")
                .guard("rework_plan_matches")
                .describe("004 L671, L493: CQE disassembles, parts stocked by category")
        })
        .transition(S::ReworkPlanning, A::IssueOnsitePlan, S::Remediation, |t| {
            with(t.roles([R::QualityDepartment, R::Cqe]), ReworkPlan::KIND)
                .guard("rework_plan_matches")
                .describe("004 L595: on-site plan confirmed by the customer through the ADC")
        })
        .transition(
            S::Remediation,
            A::RequestMaterial,
            S::MaterialRequisition,
            |t| {
                with(t.roles([R::Cqe]), MaterialRequisition::KIND)
                    .effect("track")
                    .describe("004 L659")
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
                    "confirm 《客诉领料申请单》 (004 L659)",
                )
                .on_refuse(S::Remediation)
                .not_same_actor_as(A::RequestMaterial)
                .effect("track")
                .describe("004 L659: QM, then planning manager")
            },
        )
        .transition(
            S::MaterialRequisition,
            A::IssueMaterial,
            S::MaterialRequisition,
            |t| {
                t.roles([R::Warehouse])
                    .guard("requisition_approved")
                    .guard("material_not_issued")
                    .effect("track")
                    .describe("004 L659: 仓库按《客诉领料申请单》出货")
            },
        )
        .transition(S::MaterialRequisition, A::InspectMaterial, S::BurnIn, |t| {
            t.roles([R::Cqe])
                .guard("material_issued")
                .guard("burn_in_required")
                .describe("004 L659: power supply / module ⇒ burn-in")
        })
        .transition(
            S::MaterialRequisition,
            A::InspectMaterial,
            S::Remediation,
            |t| {
                t.roles([R::Cqe])
                    .guard("material_issued")
                    .guard("burn_in_not_required")
                    .effect("goods_ready")
                    .describe("004 L659: inspected, ready to ship")
            },
        )
        .transition(
            S::Remediation,
            A::RequestProduction,
            S::ProductionScheduling,
            |t| {
                with(t.roles([R::Cqe]), ProductionNotice::KIND)
                    .effect("track")
                    .describe("004 L666")
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
                    "校对确认 / 批准 《客诉排产通知单》 (004 L666)",
                )
                .on_refuse(S::Remediation)
                .not_same_actor_as(A::RequestProduction)
                .effect("track")
                .describe("004 L666: QM, then VP")
            },
        )
        .transition(
            S::ProductionScheduling,
            A::EmailNotice,
            S::ProductionScheduling,
            |t| {
                t.roles([R::Cqe])
                    .guard("notice_approved")
                    .effect("track")
                    .describe(
                        "004 L666: e-mailed to the strategic design centre and planning manager",
                    )
            },
        )
        .transition(
            S::ProductionScheduling,
            A::ProvideBom,
            S::ProductionScheduling,
            |t| {
                with(t.roles([R::StrategicDesignCenter]), BomRelease::KIND)
                    .guard("notice_emailed")
                    .effect("track")
                    .describe("004 L666: BOM由战略设计中心提供")
            },
        )
        .transition(
            S::ProductionScheduling,
            A::ScheduleProduction,
            S::ProductionScheduling,
            |t| {
                t.roles([R::PlanningManager])
                    .guard("notice_emailed")
                    .guard("bom_provided")
                    .effect("track")
                    .describe("004 L666")
            },
        )
        .transition(
            S::ProductionScheduling,
            A::RecordProductionDone,
            S::ProductionScheduling,
            |t| {
                t.roles([R::PlanningManager, R::Manufacturing])
                    .guard("production_scheduled")
                    .effect("track")
                    .describe("004 L666: CQE tracks progress")
            },
        )
        .transition(S::ProductionScheduling, A::InspectOutput, S::BurnIn, |t| {
            t.roles([R::Cqe])
                .guard("production_done")
                .guard("burn_in_required")
                .describe("004 L666, L659")
        })
        .transition(
            S::ProductionScheduling,
            A::InspectOutput,
            S::Remediation,
            |t| {
                t.roles([R::Cqe])
                    .guard("production_done")
                    .guard("burn_in_not_required")
                    .effect("goods_ready")
                    .describe("004 L666: 生产好检验合格后发货")
            },
        )
        .transition(
            S::Remediation,
            A::RequestRepair,
            S::ManufacturingRepair,
            |t| {
                with(t.roles([R::Cqe]), WorkLiaison::KIND)
                    .guard("requisition_justified")
                    .effect("track")
                    .describe("004 L667: slow-moving stock first")
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
                    "批准 / 签字 《工作联系单》 (004 L667)",
                )
                .on_refuse(S::Remediation)
                .not_same_actor_as(A::RequestRepair)
                .effect("track")
                .describe("004 L667: QM, then the related department leader")
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
                    "confirm 《客诉领料申请单》 (004 L659, L667)",
                )
                .on_refuse(S::Remediation)
                .not_same_actor_as(A::RequestRepair)
                .guard("repair_uses_requisition")
                .effect("track")
                .describe("004 L667, L659")
            },
        )
        .transition(
            S::ManufacturingRepair,
            A::SupplyMaterial,
            S::ManufacturingRepair,
            |t| {
                t.roles([R::Cqe, R::Warehouse])
                    .guard("liaison_approved")
                    .guard("repair_material_ready")
                    .effect("track")
                    .describe("004 L667: 物料由CQE提供")
            },
        )
        .transition(
            S::ManufacturingRepair,
            A::HandOverRepaired,
            S::BurnIn,
            |t| {
                t.roles([R::Manufacturing])
                    .guard("repair_material_supplied")
                    .guard("burn_in_required")
                    .describe("004 L667")
            },
        )
        .transition(
            S::ManufacturingRepair,
            A::HandOverRepaired,
            S::Remediation,
            |t| {
                t.roles([R::Manufacturing])
                    .guard("repair_material_supplied")
                    .guard("burn_in_not_required")
                    .effect("goods_ready")
                    .describe("004 L667: 制造部返修并检验合格好后交由CQE")
            },
        )
        .transition(S::BurnIn, A::RecordBurnInPass, S::Remediation, |t| {
            t.roles([R::Manufacturing, R::Cqe])
                .effect("goods_ready")
                .describe("004 L659, L667: 按正常订单流程老化后发货")
        })
        .transition(S::BurnIn, A::RecordBurnInFail, S::Remediation, |t| {
            t.roles([R::Manufacturing, R::Cqe])
                .guard("reason_given")
                .describe("ours")
        })
        .transition(S::Remediation, A::RequestScrap, S::ScrapApproval, |t| {
            with(t.roles([R::QualityDepartment, R::Cqe]), ScrapRequest::KIND)
                .effect("track")
                .describe("004 L658, L507/L625: 由品质部填写《报废申请单》")
        })
        .transition(S::ScrapApproval, A::ApproveScrap, S::ScrapApproval, |t| {
            t.sign_off(
                [R::RelatedDepartmentLeader, R::AdcVicePresident],
                SignOrder::Sequential,
                "确认签字 / 批准 《报废申请单》 (004 L507/L625)",
            )
            .on_refuse(S::Remediation)
            .not_same_actor_as(A::RequestScrap)
            .not_same_actor_as(A::RecordFail)
            .excluding_role(R::OqcInspector)
            .effect("track")
            .describe("004 L507/L625, L658: department leader, then ADC vice-president")
        })
        .transition(S::ScrapApproval, A::ExecuteScrap, S::Remediation, |t| {
            t.roles([R::WarehouseHead])
                .not_same_actor_as(A::ApproveScrap)
                .not_same_actor_as(A::RecordFail)
                .excluding_role(R::OqcInspector)
                .guard("scrap_approved")
                .describe("004 L507/L625: 送仓库负责人作处理")
        })
        .transition(S::Remediation, A::ReturnPartsToStock, S::Remediation, |t| {
            with(t.roles([R::Cqe, R::Manufacturing]), PartsReturn::KIND).describe("004 L658")
        })
        .transition(S::Remediation, A::ShipToCustomer, S::Remediation, |t| {
            with(t.roles([R::Cqe]), ShipmentRecord::KIND)
                .guard("goods_ready")
                .effect("track")
                .describe("004 L659, L666, L667")
        })
        .transition(
            S::Remediation,
            A::CompleteRemediation,
            S::CorrectiveAction,
            |t| {
                t.roles([R::Cqe])
                    .guard("remediation_complete")
                    .describe("ours (004 L658–671 all dispositions done)")
            },
        )
        // ---- corrective action: 004 L588–589, L653–654 ----
        .transition(
            S::CorrectiveAction,
            A::ResolveWithinQuality,
            S::Implementation,
            |t| {
                with(t.roles([R::Cqe]), CorrectiveActionPlan::KIND)
                    .form(EightDReport::KIND)
                    .guard("eight_d_through_d5")
                    .describe("004 L588: CQE analyses and handles independently; 002 L90–91")
            },
        )
        .transition(
            S::CorrectiveAction,
            A::EscalateToDepartments,
            S::DepartmentAnalysis,
            |t| {
                with(t.roles([R::Cqe]), DepartmentEscalation::KIND)
                    .effect("track")
                    .describe("004 L588: e-document / meeting, responsible departments named")
            },
        )
        .transition(
            S::CorrectiveAction,
            A::ReopenRemediation,
            S::Remediation,
            |t| {
                t.roles([R::Cqe])
                    .guard("reason_given")
                    .describe("ours (004 L599)")
            },
        )
        .transition(
            S::DepartmentAnalysis,
            A::SubmitDepartmentAnalysis,
            S::DepartmentAnalysis,
            |t| {
                with(
                    t.roles([R::ResponsibleDepartment]),
                    CorrectiveActionPlan::KIND,
                )
                .guard("department_named")
                .effect("track")
                .describe("004 L589: cause and improvement measures to Quality")
            },
        )
        .transition(
            S::DepartmentAnalysis,
            A::RejectAnalysis,
            S::DepartmentAnalysis,
            |t| {
                t.roles([R::Cqe, R::QualityManager])
                    .excluding_role(R::ResponsibleDepartment)
                    .guard("analysis_submitted")
                    .guard("reason_given")
                    .effect("track")
                    .describe("INF 004 L653")
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
                    .form(EightDReport::KIND)
                    .guard("analysis_submitted")
                    .guard("eight_d_through_d5")
                    .describe("004 L653: 若品质部认可责任部门的分析结果")
            },
        )
        .transition(
            S::Implementation,
            A::SubmitForReview,
            S::ReportReview,
            |t| {
                with(t.roles([R::Cqe]), EightDReport::KIND)
                    .guard("eight_d_through_d7")
                    .guard("outgoing_classified")
                    .effect("track")
                    .describe("004 L653–654, L651, L628")
            },
        )
        .transition(S::ReportReview, A::ReferToVp, S::ReportReview, |t| {
            t.roles([R::QualityManager, R::QualityDepartmentHead])
                .guard("reason_given")
                .effect("track")
                .describe(
                    "004 L651: 必要时报副总裁审阅 (adds the VP; signatures already given stand)",
                )
        })
        .transition(S::ReportReview, A::ApproveReport, S::ReportReview, |t| {
            t.sign_off(
                [R::QualityManager, R::QualityDepartmentHead],
                SignOrder::Sequential,
                "审阅批准 8D / 处理措施 (004 L651, L654)",
            )
            .on_refuse(S::CorrectiveAction)
            .not_same_actor_as(A::SubmitForReview)
            .guard("vp_review_not_required")
            .effect("track")
            .describe("004 L651, L654: QM, then department head")
        })
        .transition(S::ReportReview, A::ApproveReport, S::ReportReview, |t| {
            t.sign_off(
                [
                    R::QualityManager,
                    R::QualityDepartmentHead,
                    R::VicePresident,
                ],
                SignOrder::Sequential,
                "审阅批准 8D / 处理措施 (004 L651)",
            )
            .on_refuse(S::CorrectiveAction)
            .not_same_actor_as(A::SubmitForReview)
            .guard("vp_review_required")
            .effect("track")
            .describe("004 L651: QM, department head, then VP when needed")
        })
        .transition(S::ReportReview, A::ForwardToAdc, S::ReplyDispatch, |t| {
            with(t.roles([R::Cqe]), confidentiality::OutgoingReport::KIND)
                .guard("report_approved")
                .guard("report_unchanged")
                .guard("outgoing_report_matches")
                .describe("004 L651, L628: 审阅批准后CQE方可以邮件方式发给应用设计中心")
        })
        .transition(
            S::ReplyDispatch,
            A::SendToCustomer,
            S::EffectivenessCheck,
            |t| {
                t.roles(ADC)
                    .guard("adc_of_region")
                    .guard("package_unchanged")
                    .effect("track")
                    .describe("004 L651, L654: 由应用设计中心转发客户")
            },
        )
        .transition(
            S::EffectivenessCheck,
            A::ConfirmEffective,
            S::Handled,
            |t| {
                t.roles([R::Cqe])
                    .form(EightDReport::KIND)
                    .guard("eight_d_effective")
                    .describe("004 L654/L657")
            },
        )
        .transition(
            S::EffectivenessCheck,
            A::RecordIneffective,
            S::CorrectiveAction,
            |t| {
                t.roles([R::Cqe, R::AdcDomestic, R::AdcInternational])
                    .guard("adc_of_region_if_adc")
                    .guard("reason_given")
                    .effect("track")
                    .describe("004 L654/L657: 若无效果,则重新分析原因,直至有效为止")
            },
        )
        // ---- handled → closed: 004 L508/L626, L623 ----
        .transition(S::Handled, A::RecordLedger, S::Handled, |t| {
            with(t.roles([R::QualityDepartment, R::Cqe]), LedgerEntry::KIND)
                .effect("track")
                .describe("004 L508/L626: 客诉处置台账 + T6")
        })
        .transition(S::Handled, A::RecordSatisfaction, S::Handled, |t| {
            with(t.roles(ADC), SatisfactionRecord::KIND)
                .guard("adc_of_region")
                .effect("track")
                .describe("004 L623")
        })
        .transition(S::Handled, A::VerifyClosure, S::Closed, |t| {
            with(
                t.roles([R::Cqe, R::QualityDepartment]),
                ClosureRecheck::KIND,
            )
            .guard("closure_ready")
            .describe("004 L623: 处理完成后的1月内再次跟踪异常的关闭情况")
        })
        .transition(S::Handled, A::Reopen, S::CorrectiveAction, |t| {
            t.roles([R::Cqe])
                .guard("verdict_is_fail")
                .guard("reason_given")
                .effect("track")
                .describe("ours (004 L623 re-check finds it open)")
        });
    // ---- obligations (self-loops in the states where the case waits) ----
    for s in [S::EffectivenessCheck, S::Handled] {
        b = b
            .transition(s, A::ProvideImprovementEvidence, s, |t| {
                with(t.roles([R::Cqe]), ImprovementEvidence::KIND)
                    .guard("evidence_classified")
                    .effect("track")
                    .describe("004 L623, L628")
            })
            .transition(s, A::ForwardEvidence, s, |t| {
                with(t.roles(ADC), confidentiality::OutgoingReport::KIND)
                    .guard("adc_of_region")
                    .guard("evidence_pending")
                    .guard("outgoing_report_matches")
                    .effect("track")
                    .describe("004 L623, L628")
            });
    }
    for s in UPDATE_8D_STATES {
        b = b.transition(s, A::UpdateEightD, s, |t| {
            with(t.roles([R::Cqe]), EightDReport::KIND).describe("004 L650, L651: CQE整理")
        });
    }
    for s in URGENT_STATES {
        b = b
            .transition(s, A::RequestUrgent, s, |t| {
                with(
                    t.roles([R::AdcDomestic, R::AdcInternational, R::Cqe]),
                    SpecialApprovalRequest::KIND,
                )
                .guard("adc_of_region_if_adc")
                .guard("first_reply_pending")
                .guard("urgent_not_granted")
                .effect("track")
                .describe("004 L623")
            })
            .transition(s, A::GrantUrgent, s, |t| {
                t.sign_off(
                    [R::CompanyLeadership],
                    SignOrder::Sequential,
                    "特批 urgent handling (004 L623)",
                )
                .not_same_actor_as(A::RequestUrgent)
                .guard("first_reply_pending")
                .guard("urgent_requested")
                .guard("urgent_not_granted")
                .effect("track")
                .describe("004 L623: 经公司领导特批")
            });
    }
    for s in CUSTOMER_8D_STATES {
        b = b.transition(s, A::RecordCustomer8dRequest, s, |t| {
            t.roles(ADC)
                .guard("adc_of_region")
                .effect("track")
                .describe("004 L620, L651")
        });
    }
    for s in HUB_STATES {
        b = b
            .transition(s, A::ShipSpares, s, |t| {
                with(
                    t.roles([R::QualityDepartment, R::Cqe]),
                    SparesShipment::KIND,
                )
                .guard("return_expected")
                .describe("004 L621")
            })
            .transition(s, A::ShipSparesNoReturn, s, |t| {
                with(
                    t.roles([R::QualityDepartment, R::Cqe]),
                    SparesShipment::KIND,
                )
                .guard("region_international")
                .guard("no_return_decided")
                .describe("004 L621: 国际…根据具体客诉情况确定是否退回")
            })
            .transition(s, A::RecordDefectivesReturned, s, |t| {
                with(t.roles([R::Cqe, R::Warehouse]), DefectivesReturn::KIND)
                    .guard("return_settles_outstanding")
                    .describe("004 L621: 1个月内退回")
            })
            .transition(s, A::WriteOffDefectives, s, |t| {
                with(t.roles([R::QualityManager]), DefectivesWriteOff::KIND)
                    .guard("return_settles_outstanding")
                    .describe("ours")
            })
            .transition(s, A::RecordSupplierReplenishment, s, |t| {
                with(t.roles([R::Cqe, R::QualityDepartment]), Replenishment::KIND)
                    .guard("replenishment_open")
                    .effect("track")
                    .describe("004 L600, L670: 换货、补货")
            })
            .transition(s, A::RecordCostLine, s, |t| {
                with(t.roles([R::Cqe, R::QualityDepartment]), CostEntry::KIND)
                    .effect("track")
                    .describe("004 L671, L493, L602")
            })
            .transition(s, A::ConfirmCostLines, s, |t| {
                t.roles([R::QualityManager])
                    .guard("costs_unconfirmed")
                    .guard("confirmer_not_recorder")
                    .effect("track")
                    .describe("004 L671: 经确认后计入销售成本")
            });
    }
    deadlines(b, cfg, &replies)
}

fn deadlines(mut b: Builder, cfg: &Config, replies: &[Action]) -> Builder {
    use Action as A;
    use Role as R;
    use State as S;
    let with_replies = |mut d: DeadlineSpec| {
        for a in replies {
            d = d.met_on(Trigger::action(a));
        }
        d
    };
    b = b
        .deadline(
            DeadlineSpec::new("response", Trigger::enter(S::Submitted), cfg.response)
                .owner(R::Cqe)
                .escalate(EscalationSpec::notify([R::Cqe, R::QualityManager]))
                .describe("004 L623: 一个工作日内积极响应"),
        )
        .deadline(
            DeadlineSpec::new(
                "analysis",
                Trigger::action(A::Submit),
                cfg.analysis_domestic,
            )
            .met_on(Trigger::action(A::RecordPass))
            .met_on(Trigger::action(A::RecordPassRestock))
            .met_on(Trigger::action(A::RecordFail))
            .owner(R::Cqe)
            .escalate(EscalationSpec::notify([R::QualityManager]))
            .describe("004 L623: 自国内应用设计中心开出《处理单》起3个工作日内完成分析"),
        )
        .deadline(with_replies(
            DeadlineSpec::new(
                "solve_and_reply",
                Trigger::action(A::Submit),
                cfg.solve_reply_domestic,
            )
            .owner(R::QualityDepartment)
            .escalate(EscalationSpec::notify([
                R::QualityManager,
                R::QualityDepartmentHead,
                R::AdcDomestic,
            ]))
            .describe("004 L623: 7个工作日内解决问题并回复"),
        ))
        .deadline(with_replies(
            DeadlineSpec::new(
                "international_solution",
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
            .describe("004 L623: 国际…15-30个工作日内给出解决方案"),
        ))
        .deadline(with_replies(
            DeadlineSpec::new(
                "urgent_reply",
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
            .owner(R::QualityDepartment)
            .escalate(EscalationSpec::notify([
                R::QualityManager,
                R::QualityDepartmentHead,
                R::CompanyLeadership,
            ]))
            .describe(
                "004 L623: 紧急情况下经公司领导特批后 2 (domestic) / 3 (international) 个工作日",
            ),
        ))
        .deadline(
            DeadlineSpec::new(
                "supplier_8d",
                Trigger::action(A::ReturnToSupplier),
                cfg.supplier_8d,
            )
            .met_on(Trigger::action(A::RecordSupplier8d))
            .owner(R::Cqe)
            .escalate(EscalationSpec::notify([R::Cqe, R::QualityManager]))
            .describe("004 L601: 供应商在2个工作日内回复8D报告和具体的处理方案"),
        )
        .deadline(
            DeadlineSpec::new(
                "defectives_return",
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
            .describe("004 L621: 替换后的不良品1个月内退回"),
        )
        .deadline(
            DeadlineSpec::new(
                "closure_recheck",
                Trigger::enter(S::Handled),
                cfg.closure_recheck,
            )
            .met_on(Trigger::action(A::VerifyClosure))
            .owner(R::Cqe)
            .escalate(EscalationSpec::notify([R::QualityManager]))
            .describe("004 L623: 处理完成后的1月内再次跟踪异常的关闭情况"),
        );
    if let Some(d) = cfg.containment {
        b = b.deadline(
            DeadlineSpec::new("containment", Trigger::enter(S::Containment), d)
                .owner(R::QualityDepartment)
                .describe("004 L652: 立即"),
        );
    }
    if let Some(d) = cfg.department_analysis {
        b = b.deadline(
            DeadlineSpec::new(
                "department_analysis",
                Trigger::enter(S::DepartmentAnalysis),
                d,
            )
            .owner(R::ResponsibleDepartment)
            .describe("004 L589: 尽快"),
        );
    }
    b
}

/// The severity of a complaint instance (§3.7, `004 L662`; D1 table `004 L23–30`): from the
/// CQE's inspection, or provisionally from the ADC's report.
///
/// # Errors
/// A form or the data does not parse.
pub fn severity(instance: &Instance, config: &Config) -> Result<Severity, String> {
    rules::severity_of(&rules::Forms::of(instance), config)
}

/// Which report goes to the customer: the 8D (serious or asked for) or the measures reply.
///
/// # Errors
/// A form or the data does not parse.
pub fn outgoing_kind(instance: &Instance, config: &Config) -> Result<ReportKind, String> {
    rules::outgoing_kind(&rules::Forms::of(instance), config)
}

/// The filtered outgoing rendering of the instance's latest 8D (`None` without one): what the
/// CQE attaches to `forward_to_adc`.
///
/// # Errors
/// A form or the data does not parse.
pub fn outgoing_report(instance: &Instance, config: &Config) -> Result<Option<Redaction>, String> {
    let forms = rules::Forms::of(instance);
    let Some(report) = forms.latest::<EightDReport>()? else {
        return Ok(None);
    };
    let data = forms.data()?;
    let kind = rules::outgoing_kind(&forms, config)?;
    Ok(Some(redact_8d(
        &data.complaint_no,
        &report,
        kind,
        &config.confidentiality,
    )))
}

/// The filtered rendering of the latest improvement evidence (`None` without any): what the
/// ADC attaches to `forward_evidence`.
///
/// # Errors
/// A form or the data does not parse.
pub fn outgoing_evidence(
    instance: &Instance,
    config: &Config,
) -> Result<Option<Redaction>, String> {
    let forms = rules::Forms::of(instance);
    let Some(ev) = forms.latest::<ImprovementEvidence>()? else {
        return Ok(None);
    };
    let data = forms.data()?;
    Ok(Some(redact_statements(
        &data.complaint_no,
        &ev.statements,
        &config.confidentiality,
    )))
}
