//! # Batch quality issue (售后批量质量问题处理流程, Edition E)
//!
//! The after-sales batch quality procedure of seed 000, lines 634–676 (effective
//! 2008-11-04, 000 L634), as a validated typed state graph: a complaint is confirmed on site
//! by an authorised station, submitted through the batch feedback system (批量反馈系统),
//! verified by the regional technical-support engineer, confirmed by product technical
//! support and started by the regional quality section when it meets the batch definition
//! ([`assess`], 000 L638); R&D analyses it within limits that depend on the acceptance
//! status, or a director-level meeting is convened (000 L654–L656); the quality section
//! organises the overall solution, its execution and verification, arbitrates responsibility
//! on R&D's quality appraisal report, has CAPA notices, improvement forms and product changes
//! issued and verifies them before closing; a supplier claim runs alongside when a supplier
//! is responsible (000 L670).
//!
//! Submodules: [`config`](Config) (every seed number), the batch rule ([`assess`],
//! [`user_rule`], [`component_rule`]), [`detect()`](fn@detect) (batch detection over failure records),
//! the forms (e.g. [`QualityAppraisalReport`]), the guard names ([`guards`]) and the
//! reports ([`weekly_report`], [`monthly_report`], [`cost_ledger`]).
//!
//! ```
//! use aftersales::procedures::batch_quality::{self as bq, State};
//! use aftersales::{Actor, BusinessCalendar, Engine, InMemoryStore};
//! use chrono::{TimeZone, Utc};
//! use std::sync::Arc;
//!
//! let def = bq::definition(&bq::Config::default(), Arc::new(BusinessCalendar::default()))?;
//! let mut engine = Engine::new(InMemoryStore::new());
//! engine.register(def.definition().clone())?;
//! let now = Utc.with_ymd_and_hms(2026, 11, 16, 2, 0, 0).unwrap(); // Mon 10:00 local
//! let station = Actor::new("st-01", [bq::Role::AuthorisedStation]);
//! let data = bq::Data::new("Bank of Wuhan", "FZ-D530", "central", "no display after boot");
//! let out = engine.start(bq::ID, "BQ-1", &station, data.to_value(), now)?;
//! assert_eq!(def.state(&out.instance), Some(State::ComplaintReceived));
//! assert!(!bq::is_started(State::ComplaintReceived));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod batch;
mod config;
pub mod detect;
mod forms;
mod graph;
pub mod guards;
mod report;

pub use batch::{
    BatchCase, BatchRule, Evidence, FailureMode, NotBatch, OutOfScopeReason, ProductLine, Scope,
    assess, component_rule, in_window, ratio_exceeds, rule_for, user_rule, window_start,
};
pub use config::{Config, ForwardAnchor};
pub use detect::{
    ComponentBase, Detection, DetectionError, FailureRecord, Finding, InstalledBase, UserBase,
    detect,
};
pub use forms::*;
pub use graph::{definition, registry};
pub use report::{
    BatchIssueReport, DeadlineCounts, IntakeCounts, LossSummary, OpenIssue, ReportError,
    ReportKind, ReportPeriod, cost_ledger, monthly_report, report, weekly_report,
};

use crate::Instance;
use crate::TypedForm;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use std::collections::BTreeMap;

/// The definition id.
pub const ID: &str = "batch_quality";

/// The definition version.
pub const VERSION: u32 = 1;

crate::vocabulary! {
    /// States of a batch quality issue (000 L650–L676).
    pub enum State {
        /// 接到批量质量问题投诉: a complaint received by a station, an engineer or any
        /// department (flowchart input 用户投诉, 000 L676; 000 L650–L652).
        ComplaintReceived = "complaint_received",
        /// 转由区域技术支持工程师处理: passed by another department to the regional
        /// technical-support engineer (000 L652 §5.1.3).
        AtRtse = "at_rtse",
        /// 指定当地维修站: the engineer named the local station (000 L652 §5.1.2).
        AtStation = "at_station",
        /// 现场确认: the station's senior engineer confirms on site (000 L650, L676).
        OnSiteConfirmation = "on_site_confirmation",
        /// 区域技术支持工程师核实: submitted in the batch feedback system (000 L650).
        PendingRtseVerification = "pending_rtse_verification",
        /// 产品技术支持处确认: with product technical support (000 L650).
        PendingTsConfirmation = "pending_ts_confirmation",
        /// 区域质量处审核: with the regional quality section, the only formal input
        /// (000 L652 §5.1.4).
        PendingRqsReview = "pending_rqs_review",
        /// 驳回: returned to the station, which corrects and resubmits or hands over to
        /// ordinary service (000 L652; OURS merge of the three rejection targets).
        ReturnedToStation = "returned_to_station",
        /// 执行普通服务流程: not a batch problem (000 L676). Terminal.
        OrdinaryService = "ordinary_service",
        /// 启动批量质量问题处理流程: started by the quality section (000 L652).
        BatchStarted = "batch_started",
        /// 原因分析, 制定技术解决方案: R&D analysis (000 L646 §4.7.1, L654–L662).
        RdAnalysis = "rd_analysis",
        /// 总监级会议: the director-level meeting after a missed R&D limit (000 L656).
        DirectorMeeting = "director_meeting",
        /// 制定整体解决方案: overall solution planning; R&D clocks pause while the quality
        /// section evaluates the solution (000 L640–L642, L646 §4.5.1, L664).
        SolutionPlanning = "solution_planning",
        /// 推动执行整体解决方案: execution and monitoring (000 L644, L666, L668, L676).
        Execution = "execution",
        /// 验证方案执行效果: effect verification (000 L676).
        EffectVerification = "effect_verification",
        /// 责任仲裁: responsibility arbitration on the quality appraisal report
        /// (000 L646 §4.5.2, L674 §5.6.1).
        ResponsibilityArbitration = "responsibility_arbitration",
        /// 纠正预防措施: CAPA notices, improvement forms, product changes; the supplier claim
        /// runs alongside (000 L670, L674).
        CorrectivePreventive = "corrective_preventive",
        /// 跟踪验证纠正预防措施执行情况: CAPA verification (000 L676).
        CapaVerification = "capa_verification",
        /// 结束 (000 L676). Terminal.
        Closed = "closed",
    }
}

crate::vocabulary! {
    /// Actions of the batch quality procedure.
    pub enum Action {
        /// 指定当地维修站 (000 L652 §5.1.2).
        DesignateLocalStation = "designate_local_station",
        /// 转由对应的区域技术支持工程师处理 (000 L652 §5.1.3).
        TransferToRtse = "transfer_to_rtse",
        /// 委派相应产品的资深工程师到现场进行确认 (000 L650).
        DispatchSeniorEngineer = "dispatch_senior_engineer",
        /// 现场判断不属于批量质量问题 (000 L676).
        JudgeNotBatch = "judge_not_batch",
        /// 通过"批量反馈系统"进行反馈 (000 L650, L644 §4.1.1).
        SubmitBatchFeedback = "submit_batch_feedback",
        /// 核实…确认无误后通过系统反馈给服务产品技术支持处 (000 L650).
        VerifyAndForward = "verify_and_forward",
        /// The engineer returns a wrong submission to the station (OURS).
        ReturnToStation = "return_to_station",
        /// 确认为批量质量问题…流转给区域质量处 (000 L650).
        ConfirmAndForwardToRqs = "confirm_and_forward_to_rqs",
        /// 予以驳回 (000 L652).
        Reject = "reject",
        /// 启动批量质量问题处理流程 (000 L652).
        StartBatchProcess = "start_batch_process",
        /// The station resubmits a corrected report (OURS).
        Resubmit = "resubmit",
        /// 执行普通服务流程 (000 L676).
        HandOverToOrdinaryService = "hand_over_to_ordinary_service",
        /// 流转到产品研发中心 (000 L654); also a new R&D round after the meeting or an
        /// ineffective execution.
        ForwardToRd = "forward_to_rd",
        /// R&D responds (响应, 000 L654).
        AcknowledgeRd = "acknowledge_rd",
        /// 联系厂家现场确认 (000 L656 §5.2.2).
        RecordSupplierOnSite = "record_supplier_on_site",
        /// 返回故障品分析 (000 L658–L662).
        ReturnFailedPart = "return_failed_part",
        /// 提供有效方案 / 有效结论 (000 L654, L664 §5.2.3).
        SubmitRdSolution = "submit_rd_solution",
        /// 召集相关部门召开总监级会议 (000 L656).
        ConveneDirectorMeeting = "convene_director_meeting",
        /// The meeting adopts a solution (OURS).
        AdoptSolution = "adopt_solution",
        /// 征求分公司及用户意见 (000 L664).
        RecordConsultation = "record_consultation",
        /// 对处理方案的有效性、可行性进行评估 (000 L664).
        EvaluatePlan = "evaluate_plan",
        /// The quality section sends an ineffective or immature solution back (OURS).
        ReturnToRd = "return_to_rd",
        /// 耗材申请: link a consumables request (000 L666 §5.3.2, L646 §4.5.7).
        LinkConsumablesRequest = "link_consumables_request",
        /// Record a linked consumables request as settled, with its cost.
        SettleConsumablesRequest = "settle_consumables_request",
        /// Approve the overall solution (000 L646 §4.5.1, L664; L642 for replacement).
        ApprovePlan = "approve_plan",
        /// 指派维修站配合实施解决方案 (000 L644 §4.2.3).
        AssignStation = "assign_station",
        /// 方案实施的相关信息通过批量反馈系统及时准确地进行反馈 (000 L668 §5.4.1).
        RecordProgress = "record_progress",
        /// 周转备件的管理、物料条码的打印 (000 L644 §4.4).
        RecordSparesWork = "record_spares_work",
        /// 协调厂家提供备件资源 (000 L666 §5.3.1).
        CoordinateSupplierSpares = "coordinate_supplier_spares",
        /// 评估影响严重程度, 发布内部通报 (000 L676).
        AssessSeverity = "assess_severity",
        /// 重大批量质量问题预警 (000 L646 §4.5.4).
        IssueQualityWarning = "issue_quality_warning",
        /// 定期发布《售后批量质量问题进度通报》 (000 L668 §5.4.2).
        PublishProgressBulletin = "publish_progress_bulletin",
        /// 服务平台反馈执行结果 (000 L676).
        ReportExecutionResult = "report_execution_result",
        /// 验证方案执行效果: effective (000 L676).
        ConfirmEffective = "confirm_effective",
        /// Not effective: back to planning (OURS).
        ReturnToPlanning = "return_to_planning",
        /// 《质量鉴定报告》 (000 L674 §5.6.1).
        IssueQualityAppraisalReport = "issue_quality_appraisal_report",
        /// 主导《质量鉴定报告》的整理归档 (000 L646 §4.5.5).
        ArchiveQar = "archive_qar",
        /// 责任仲裁 (000 L674 §5.6.1).
        Arbitrate = "arbitrate",
        /// 发出《售后批量质量问题纠正预防通知书》 (000 L674 §5.6.2).
        IssueCapaNotice = "issue_capa_notice",
        /// 督促供应商制定纠正预防措施 (000 L646 §4.6.1).
        RecordCapaResponse = "record_capa_response",
        /// 提交《问题改进表单》 (000 L674 §5.6.3).
        SubmitImprovementForm = "submit_improvement_form",
        /// 立项整改 (000 L646 §4.6.2).
        OpenRectificationProject = "open_rectification_project",
        /// 产品变更 (000 L674 §5.6.4).
        RequestProductChange = "request_product_change",
        /// 评估并实施预防措施 (000 L646 §4.7.2).
        EvaluatePreventiveMeasure = "evaluate_preventive_measure",
        /// All required measures issued: start verifying (000 L674, L676).
        StartCapaVerification = "start_capa_verification",
        /// 跟踪验证纠正预防措施执行情况 (000 L676).
        VerifyCapaItem = "verify_capa_item",
        /// A measure failed verification: back to measures (OURS).
        ReopenMeasures = "reopen_measures",
        /// 结束 (000 L676).
        Close = "close",
        /// 损失部门…统计损失数据,反馈给区域质量处 (000 L670).
        SubmitLossData = "submit_loss_data",
        /// 区域质量处填写索赔鉴定报告 (000 L670).
        FileClaimAppraisal = "file_claim_appraisal",
        /// 提交采购商务管理部确认 (000 L670).
        ConfirmClaim = "confirm_claim",
        /// Procurement commercial management returns the claim report (OURS).
        ReturnClaim = "return_claim",
        /// 采购部执行索赔 (000 L650 §4.9, L672, L676).
        RecordClaimExecuted = "record_claim_executed",
    }
}

crate::vocabulary! {
    /// Roles (departments) of the batch quality procedure (000 L644–L652).
    pub enum Role {
        /// 方正科技各授权维修站 (its senior engineer): submits (000 L644 §4.1, L650).
        AuthorisedStation = "authorised_station",
        /// 区域技术支持工程师: verifies within 4 working hours (000 L650, L652).
        RegionalTechSupportEngineer = "regional_tech_support_engineer",
        /// 服务平台区域服务管理部: accountable for the station reports; assigns stations
        /// (000 L644 §4.2).
        RegionalServiceMgmt = "regional_service_mgmt",
        /// 服务平台技术支持部产品技术支持处: confirms (000 L644 §4.3, L650).
        ProductTechSupport = "product_tech_support",
        /// 服务平台备件管理部: turnover spares, barcodes (000 L644 §4.4).
        SparePartsMgmt = "spare_parts_mgmt",
        /// 服务平台: reports the execution result; co-authors a replacement plan
        /// (000 L642, L676).
        ServicePlatform = "service_platform",
        /// 品质管理部品质督察部区域质量处: owns the process (000 L646 §4.5, L652–L676).
        RegionalQualitySection = "regional_quality_section",
        /// 品质管理部: issues CAPA notices (000 L674 §5.6.2).
        QualityMgmtDept = "quality_mgmt_dept",
        /// 品质管理部体系管理部: supplier CAPA, improvement projects (000 L646 §4.6).
        SystemMgmtDept = "system_mgmt_dept",
        /// 产品研发中心 / 网吧产品事业部产品技术处 / 移动产品事业部产品研发部 (000 L646 §4.7).
        Rnd = "rnd",
        /// 产品部门 (000 L642).
        ProductDept = "product_dept",
        /// 行业客户事业群, 消费客户事业群, 销售平台各产品业务部 (000 L642, L648 §4.8).
        Sales = "sales",
        /// 各区域分公司销售部门 (000 L642, L648).
        BranchSales = "branch_sales",
        /// 分公司: consulted on the plan (000 L664).
        Branch = "branch",
        /// 采购部: executes the claim (000 L650 §4.9, L676).
        Procurement = "procurement",
        /// 采购商务管理部: confirms the claim appraisal report (000 L670).
        ProcurementCommercial = "procurement_commercial",
        /// 市场公关部 (000 L650 §4.10): may receive a complaint and pass it on.
        MarketPr = "market_pr",
        /// 法务部 (000 L650 §4.11): may receive a complaint and pass it on.
        Legal = "legal",
        /// 其他部门: may only pass a complaint to the engineer (000 L652 §5.1.3).
        OtherDept = "other_dept",
        /// 损失部门: a department that bore a direct loss (000 L670).
        LossDept = "loss_dept",
    }
}

/// The states in which the batch process has been started by the regional quality section
/// and is not yet closed: from 启动批量质量问题处理流程 (000 L652) to 结束 (000 L676).
pub const STARTED: [State; 9] = [
    State::BatchStarted,
    State::RdAnalysis,
    State::DirectorMeeting,
    State::SolutionPlanning,
    State::Execution,
    State::EffectVerification,
    State::ResponsibilityArbitration,
    State::CorrectivePreventive,
    State::CapaVerification,
];

/// Whether the regional quality section has started the batch process (启动批量质量问题处理
/// 流程, 000 L652) and the issue is not yet closed (结束, 000 L676). The consumables procedure
/// links its requests only to started issues (000 L666 §5.3.2, L646 §4.5.7).
pub fn is_started(state: State) -> bool {
    STARTED.contains(&state)
}

/// Whether the user has accepted the machines (验收), which sets R&D's limits (000 L654:
/// "对于未验收的机器…对于已经验收合格的机器…"; 000 L640 "在用户验收期间").
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Acceptance {
    /// 已经验收合格.
    Accepted,
    /// 未验收 (during user acceptance).
    NotAccepted,
}

impl Acceptance {
    /// The name used in instance data and deadline cases.
    pub fn name(self) -> &'static str {
        match self {
            Acceptance::Accepted => "accepted",
            Acceptance::NotAccepted => "not_accepted",
        }
    }
}

/// How information reached a department. Only the batch feedback system is a formal input;
/// "通过邮件系统提报的信息只做为参考" (000 L652 §5.1.4): e-mail is attached as a comment.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    /// 批量反馈系统.
    BatchFeedbackSystem,
    /// 邮件系统: reference only.
    Email,
    /// Telephone: reference only.
    Phone,
    /// Anything else: reference only.
    Other,
}

/// The payload of a formal action: `{"channel": "batch_feedback_system"}` (000 L650,
/// L652 §5.1.4, L668 §5.4.1).
pub fn formal() -> Value {
    via(Channel::BatchFeedbackSystem)
}

/// The payload of an action taken through `channel`.
pub fn via(channel: Channel) -> Value {
    json!({ "channel": channel })
}

/// The payload of [`Action::StartBatchProcess`]: the formal channel and the acceptance
/// status, which must equal the one in the attached [`BatchStartDecision`] (it selects R&D's
/// limits, 000 L654).
pub fn start_payload(acceptance: Acceptance) -> Value {
    json!({ "channel": Channel::BatchFeedbackSystem, "acceptance": acceptance })
}

/// Where the supplier claim track stands (000 L670, L672, L676). It runs alongside the
/// corrective and preventive steps and must be executed before closing.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ClaimStatus {
    /// Loss departments send their direct-loss data (000 L670).
    LossCollection,
    /// The claim appraisal report is with procurement commercial management (000 L670).
    AwaitingConfirmation,
    /// Confirmed; procurement carries it out (000 L672, L676).
    Executing,
    /// Carried out.
    Executed,
}

/// A consumables request linked to the issue (000 L666 §5.3.2), with its final cost.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ConsumablesLink {
    /// The request is closed and its cost final.
    pub settled: bool,
    /// Its cost, fen (0 until settled).
    pub cost_fen: i64,
}

/// The instance data of a batch issue. Start an instance with [`Data::to_value`]; the
/// procedure's effects fill in the rest.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Data {
    /// The user (customer).
    pub customer: String,
    /// The model.
    pub model: String,
    /// The user's region.
    pub region: String,
    /// The symptom as first reported.
    pub symptom: String,
    /// The local station (set when the engineer designates one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub station: Option<String>,
    /// The senior engineer sent on site.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub senior_engineer: Option<String>,
    /// Accepted by the user or not (set when the process starts).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub acceptance: Option<Acceptance>,
    /// Where the claim track stands (its opening is read from the arbitration record).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub claim: Option<ClaimStatus>,
    /// The quality appraisal report is archived (000 L646 §4.5.5).
    #[serde(default)]
    pub qar_archived: bool,
    /// The improvement project opened by the system management department.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rectification_project: Option<String>,
    /// Linked consumables requests by id.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub consumables: BTreeMap<String, ConsumablesLink>,
}

impl Data {
    /// The data of a new complaint.
    pub fn new(
        customer: impl Into<String>,
        model: impl Into<String>,
        region: impl Into<String>,
        symptom: impl Into<String>,
    ) -> Self {
        Data {
            customer: customer.into(),
            model: model.into(),
            region: region.into(),
            symptom: symptom.into(),
            station: None,
            senior_engineer: None,
            acceptance: None,
            claim: None,
            qar_archived: false,
            rectification_project: None,
            consumables: BTreeMap::new(),
        }
    }

    /// As JSON, for [`Engine::start`](crate::Engine::start).
    pub fn to_value(&self) -> Value {
        serde_json::to_value(self).unwrap_or(Value::Null)
    }
}

/// Where the supplier claim of `instance` stands: `None` when the arbitration opened no
/// claim (no responsible supplier with a direct loss, 000 L670).
pub fn claim_status(instance: &Instance) -> Option<ClaimStatus> {
    let arbitration: ArbitrationRecord =
        serde_json::from_value(instance.latest_form(ArbitrationRecord::KIND)?.clone()).ok()?;
    arbitration.claim_against.as_ref()?;
    let data: Option<Data> = instance.data_as().ok();
    Some(
        data.and_then(|d| d.claim)
            .unwrap_or(ClaimStatus::LossCollection),
    )
}

/// Deadline names.
pub mod deadlines {
    /// The engineer verifies within 4 working hours (000 L650).
    pub const RTSE_VERIFY: &str = "rtse_verify";
    /// Technical support confirms within 4 working hours (000 L650, L654).
    pub const TS_CONFIRM: &str = "ts_confirm";
    /// The quality section responds within 4 working hours (000 L652).
    pub const RQS_REVIEW: &str = "rqs_review";
    /// The quality section forwards to R&D within 4 working hours (000 L654).
    pub const RQS_FORWARD_TO_RD: &str = "rqs_forward_to_rd";
    /// R&D responds: 1 working day for accepted machines (000 L654); for machines not
    /// accepted the seed names no separate response, the solution limit applies (OURS).
    pub const RD_RESPONSE: &str = "rd_response";
    /// R&D's effective solution or conclusion: 2 working days not accepted, 4 accepted
    /// (000 L654); missed → director-level meeting (000 L656).
    pub const RD_SOLUTION: &str = "rd_solution";
    /// First progress bulletin after execution starts (only when configured, 000 L668).
    pub const PROGRESS_BULLETIN_FIRST: &str = "progress_bulletin_first";
    /// Each next progress bulletin (only when configured, 000 L668).
    pub const PROGRESS_BULLETIN_NEXT: &str = "progress_bulletin_next";
}
