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
//! use aftersales::{BusinessCalendar, Engine, InMemoryStore, Actor, Command};
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
pub use report::{
    BatchIssueReport, DeadlineCounts, IntakeCounts, LossSummary, OpenIssue, ReportError,
    ReportKind, ReportPeriod, cost_ledger, monthly_report, report, weekly_report,
};

use crate::access::SignOrder;
use crate::calendar::{BusinessDuration, Calendar};
use crate::deadline::{DeadlineSpec, DurationSpec, EscalationSpec, Trigger};
use crate::definition::{BuildError, Builder, TypedDefinition};
use crate::form::TypedForm;
use crate::instance::Instance;
use crate::registry::Registry;
use crate::vocabulary::Vocabulary;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::sync::Arc;

/// The definition id.
pub const ID: &str = "batch_quality";

/// The definition version.
pub const VERSION: u32 = 1;

crate::vocabulary! {
    /// States of a batch quality issue (000 L650–L676).
    #[derive(Serialize, Deserialize, JsonSchema)]
    #[serde(rename_all = "snake_case")]
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
    #[derive(Serialize, Deserialize, JsonSchema)]
    #[serde(rename_all = "snake_case")]
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

/// One transition of the table the definition and the freshness guard are built from.
struct T {
    from: State,
    action: Action,
    to: State,
    roles: Vec<Role>,
    guards: Vec<&'static str>,
    /// (form kind, must be attached by this very command).
    forms: Vec<(&'static str, bool)>,
    effects: Vec<&'static str>,
    sign_off: Option<(Vec<Role>, SignOrder, &'static str)>,
    cite: &'static str,
}

impl T {
    fn new(from: State, action: Action, to: State, roles: &[Role], cite: &'static str) -> Self {
        T {
            from,
            action,
            to,
            roles: roles.to_vec(),
            guards: Vec::new(),
            forms: Vec::new(),
            effects: Vec::new(),
            sign_off: None,
            cite,
        }
    }
    fn guard(mut self, g: &'static str) -> Self {
        self.guards.push(g);
        self
    }
    /// A form that must be attached by this command.
    fn new_form<F: TypedForm>(mut self) -> Self {
        self.forms.push((F::KIND, true));
        self
    }
    /// A form that may be attached now or already be on file.
    fn form<F: TypedForm>(mut self) -> Self {
        self.forms.push((F::KIND, false));
        self
    }
    fn effect(mut self, e: &'static str) -> Self {
        self.effects.push(e);
        self
    }
}

use Role as R;
use State as S;

const STATION: &[Role] = &[R::AuthorisedStation];
const RTSE: &[Role] = &[R::RegionalTechSupportEngineer];
const RQS: &[Role] = &[R::RegionalQualitySection];
const RND: &[Role] = &[R::Rnd];

/// Roles other than the station and the engineer: they may only pass a complaint on
/// (000 L652 §5.1.3).
fn other_departments() -> Vec<Role> {
    Role::ALL
        .iter()
        .copied()
        .filter(|r| {
            !matches!(
                r,
                R::AuthorisedStation | R::RegionalTechSupportEngineer | R::LossDept
            )
        })
        .collect()
}

fn evaluators(cfg: &Config) -> Vec<Role> {
    let mut out: Vec<Role> = vec![
        R::Rnd,
        R::RegionalServiceMgmt,
        R::Sales,
        R::ServicePlatform,
        R::ProductTechSupport,
        R::SparePartsMgmt,
        R::QualityMgmtDept,
        R::ProductDept,
        R::BranchSales,
        R::Branch,
    ];
    for r in &cfg.plan_evaluators {
        if !out.contains(r) {
            out.push(*r);
        }
    }
    out
}

fn transitions(cfg: &Config) -> Vec<T> {
    use Action as A;
    use guards as g;
    let mut t = vec![
        // Intake (000 L650–L652).
        T::new(
            S::ComplaintReceived,
            A::DesignateLocalStation,
            S::AtStation,
            RTSE,
            "000 L652 §5.1.2",
        )
        .guard(g::STATION_NAMED)
        .effect(g::E_STATION),
        T::new(
            S::AtRtse,
            A::DesignateLocalStation,
            S::AtStation,
            RTSE,
            "000 L652 §5.1.2–5.1.3",
        )
        .guard(g::STATION_NAMED)
        .effect(g::E_STATION),
        T::new(
            S::ComplaintReceived,
            A::TransferToRtse,
            S::AtRtse,
            &other_departments(),
            "000 L652 §5.1.3",
        ),
        T::new(
            S::ComplaintReceived,
            A::DispatchSeniorEngineer,
            S::OnSiteConfirmation,
            STATION,
            "000 L650 §5.1.1",
        )
        .guard(g::SENIOR_ENGINEER)
        .effect(g::E_SENIOR_ENGINEER),
        T::new(
            S::AtStation,
            A::DispatchSeniorEngineer,
            S::OnSiteConfirmation,
            STATION,
            "000 L650, L652 §5.1.2",
        )
        .guard(g::SENIOR_ENGINEER)
        .effect(g::E_SENIOR_ENGINEER),
        T::new(
            S::OnSiteConfirmation,
            A::JudgeNotBatch,
            S::OrdinaryService,
            &[R::AuthorisedStation, R::RegionalTechSupportEngineer],
            "000 L676 flowchart 否",
        )
        .new_form::<RejectionNotice>(),
        T::new(
            S::OnSiteConfirmation,
            A::SubmitBatchFeedback,
            S::PendingRtseVerification,
            STATION,
            "000 L650, L644 §4.1.1, L652 §5.1.5",
        )
        .new_form::<BatchFeedbackReport>()
        .guard(g::FORMAL_CHANNEL)
        .guard(g::REPORT_MATCHES_ISSUE),
        T::new(
            S::PendingRtseVerification,
            A::VerifyAndForward,
            S::PendingTsConfirmation,
            RTSE,
            "000 L650",
        )
        .guard(g::FORMAL_CHANNEL),
        T::new(
            S::PendingRtseVerification,
            A::ReturnToStation,
            S::ReturnedToStation,
            RTSE,
            "000 L650 (OURS)",
        )
        .new_form::<RejectionNotice>(),
        T::new(
            S::PendingTsConfirmation,
            A::ConfirmAndForwardToRqs,
            S::PendingRqsReview,
            &[R::ProductTechSupport],
            "000 L650, L644 §4.3.1",
        )
        .new_form::<TsPreliminaryAnalysis>()
        .guard(g::FORMAL_CHANNEL)
        .guard(g::TS_EVIDENCE),
        T::new(
            S::PendingTsConfirmation,
            A::Reject,
            S::ReturnedToStation,
            &[R::ProductTechSupport],
            "000 L652",
        )
        .new_form::<RejectionNotice>()
        .guard(g::TS_REJECT_REASON),
        T::new(
            S::PendingRqsReview,
            A::StartBatchProcess,
            S::BatchStarted,
            RQS,
            "000 L652 §5.1.1, §5.1.4, L638",
        )
        .new_form::<BatchStartDecision>()
        .guard(g::FORMAL_CHANNEL)
        .guard(g::MEETS_BATCH_DEFINITION)
        .guard(g::ACCEPTANCE_MATCHES)
        .effect(g::E_ACCEPTANCE),
        T::new(
            S::PendingRqsReview,
            A::Reject,
            S::ReturnedToStation,
            RQS,
            "000 L652",
        )
        .new_form::<RejectionNotice>(),
        T::new(
            S::ReturnedToStation,
            A::Resubmit,
            S::PendingRtseVerification,
            STATION,
            "000 L652 (OURS)",
        )
        .new_form::<BatchFeedbackReport>()
        .guard(g::FORMAL_CHANNEL)
        .guard(g::REPORT_MATCHES_ISSUE)
        .guard(g::REVISED),
        T::new(
            S::ReturnedToStation,
            A::HandOverToOrdinaryService,
            S::OrdinaryService,
            &[R::AuthorisedStation, R::RegionalTechSupportEngineer],
            "000 L676 flowchart 否",
        ),
        // R&D (000 L654–L662).
        T::new(
            S::BatchStarted,
            A::ForwardToRd,
            S::RdAnalysis,
            RQS,
            "000 L654",
        )
        .guard(g::FORMAL_CHANNEL),
        T::new(
            S::RdAnalysis,
            A::AcknowledgeRd,
            S::RdAnalysis,
            RND,
            "000 L654",
        ),
        T::new(
            S::RdAnalysis,
            A::RecordSupplierOnSite,
            S::RdAnalysis,
            RND,
            "000 L656 §5.2.2",
        )
        .guard(g::NOTE),
        T::new(
            S::RdAnalysis,
            A::ReturnFailedPart,
            S::RdAnalysis,
            RND,
            "000 L658–L662",
        )
        .new_form::<FailedPartReturn>()
        .guard(g::FAILED_PART_RULES),
        T::new(
            S::RdAnalysis,
            A::SubmitRdSolution,
            S::SolutionPlanning,
            RND,
            "000 L654, L646 §4.7.1, L664 §5.2.3",
        )
        .new_form::<RdSolution>()
        .guard(g::SOLUTION_MATURE),
        T::new(
            S::RdAnalysis,
            A::ConveneDirectorMeeting,
            S::DirectorMeeting,
            RQS,
            "000 L656",
        )
        .guard(g::RD_DEADLINE_BREACHED),
        T::new(
            S::DirectorMeeting,
            A::ForwardToRd,
            S::RdAnalysis,
            RQS,
            "000 L656 (outcome OURS)",
        )
        .new_form::<DirectorMeetingMinutes>()
        .guard(g::MEETING_CONTINUES_RD)
        .guard(g::FORMAL_CHANNEL),
        T::new(
            S::DirectorMeeting,
            A::AdoptSolution,
            S::SolutionPlanning,
            RQS,
            "000 L656 (outcome OURS)",
        )
        .new_form::<DirectorMeetingMinutes>()
        .form::<RdSolution>()
        .guard(g::MEETING_ADOPTS_SOLUTION),
        // Overall solution (000 L640–L642, L664).
        T::new(
            S::SolutionPlanning,
            A::RecordConsultation,
            S::SolutionPlanning,
            &[R::Branch, R::Sales, R::RegionalQualitySection],
            "000 L664 §5.2.4",
        )
        .new_form::<Consultation>()
        .guard(g::CONSULTATION_RECORDER),
        T::new(
            S::SolutionPlanning,
            A::EvaluatePlan,
            S::SolutionPlanning,
            &evaluators(cfg),
            "000 L664 §5.2.4",
        )
        .new_form::<PlanEvaluation>()
        .guard(g::EVALUATOR_IS_DEPT),
        T::new(
            S::SolutionPlanning,
            A::ReturnToRd,
            S::RdAnalysis,
            RQS,
            "000 L654 有效方案, L664 §5.2.3 (OURS)",
        )
        .new_form::<RejectionNotice>()
        .guard(g::RETURN_TO_RD_REASON),
        T::new(
            S::SolutionPlanning,
            A::LinkConsumablesRequest,
            S::SolutionPlanning,
            &[R::RegionalTechSupportEngineer, R::RegionalQualitySection],
            "000 L666 §5.3.2, L646 §4.5.7",
        )
        .effect(g::E_LINK_CONSUMABLES),
        T::new(
            S::SolutionPlanning,
            A::ApprovePlan,
            S::Execution,
            RQS,
            "000 L640, L646 §4.5.1, L664, L676 §7",
        )
        .form::<OverallSolutionPlan>()
        .guard(g::PLAN_NOT_REPLACEMENT)
        .guard(g::CONSULTED)
        .guard(g::PLAN_EVALUATED)
        .guard(g::REPLACEMENT_PREFERRED)
        .guard(g::RETURN_APPLICATION),
    ];
    let mut signers = cfg.replacement_plan_coauthors.clone();
    signers.retain(|r| *r != R::RegionalQualitySection);
    signers.push(R::RegionalQualitySection);
    let mut replacement = T::new(
        S::SolutionPlanning,
        A::ApprovePlan,
        S::Execution,
        &signers,
        "000 L642 §3.1, L664, L676 §7",
    )
    .form::<OverallSolutionPlan>()
    .guard(g::PLAN_IS_REPLACEMENT)
    .guard(g::CONSULTED)
    .guard(g::PLAN_EVALUATED)
    .guard(g::RETURN_APPLICATION);
    replacement.sign_off = Some((
        signers,
        SignOrder::AnyOrder,
        "jointly draw up the whole-machine replacement plan (共同制定整体换机方案)",
    ));
    t.push(replacement);
    t.extend([
        // Execution and monitoring (000 L644, L666, L668, L676).
        T::new(
            S::Execution,
            A::AssignStation,
            S::Execution,
            &[R::RegionalServiceMgmt],
            "000 L644 §4.2.3",
        )
        .guard(g::STATION_NAMED),
        T::new(
            S::Execution,
            A::RecordProgress,
            S::Execution,
            &[
                R::AuthorisedStation,
                R::RegionalServiceMgmt,
                R::ProductTechSupport,
                R::SparePartsMgmt,
                R::Rnd,
            ],
            "000 L668 §5.4.1, L644 §4.1.2 §4.2.3 §4.3.2",
        )
        .new_form::<ProgressEntry>()
        .guard(g::FORMAL_CHANNEL)
        .guard(g::PROGRESS_CONSISTENT),
        T::new(
            S::Execution,
            A::RecordSparesWork,
            S::Execution,
            &[R::SparePartsMgmt],
            "000 L644 §4.4",
        )
        .guard(g::NOTE),
        T::new(
            S::Execution,
            A::CoordinateSupplierSpares,
            S::Execution,
            RQS,
            "000 L666 §5.3.1",
        )
        .guard(g::NOTE)
        .guard(g::SUPPLIER_INDICATED),
        T::new(
            S::Execution,
            A::LinkConsumablesRequest,
            S::Execution,
            &[R::RegionalTechSupportEngineer, R::RegionalQualitySection],
            "000 L666 §5.3.2, L646 §4.5.7",
        )
        .effect(g::E_LINK_CONSUMABLES),
        T::new(
            S::Execution,
            A::AssessSeverity,
            S::Execution,
            RQS,
            "000 L676 评估影响严重程度, 发布内部通报",
        )
        .new_form::<SeverityAssessment>(),
        T::new(
            S::Execution,
            A::IssueQualityWarning,
            S::Execution,
            RQS,
            "000 L646 §4.5.4, L676 §7",
        )
        .new_form::<QualityWarning>()
        .guard(g::SEVERITY_MAJOR),
        T::new(
            S::Execution,
            A::PublishProgressBulletin,
            S::Execution,
            RQS,
            "000 L668 §5.4.2, L676 §7",
        )
        .new_form::<ProgressBulletin>()
        .guard(g::BULLETIN_FLAG),
        T::new(
            S::Execution,
            A::ReportExecutionResult,
            S::EffectVerification,
            &[R::ServicePlatform, R::RegionalServiceMgmt],
            "000 L676 服务平台反馈执行结果, L644 §4.2.3",
        )
        .new_form::<ExecutionResultReport>()
        .guard(g::SEVERITY_ASSESSED)
        .guard(g::WARNING_IF_MAJOR)
        .guard(g::RESULT_MATCHES_PLAN),
        // Effect verification (000 L676).
        T::new(
            S::EffectVerification,
            A::ConfirmEffective,
            S::ResponsibilityArbitration,
            RQS,
            "000 L676 验证方案执行效果",
        )
        .new_form::<EffectVerification>()
        .guard(g::EFFECTIVE),
        T::new(
            S::EffectVerification,
            A::ReturnToPlanning,
            S::SolutionPlanning,
            RQS,
            "000 L676 (OURS)",
        )
        .new_form::<EffectVerification>()
        .guard(g::INEFFECTIVE),
        T::new(
            S::EffectVerification,
            A::ForwardToRd,
            S::RdAnalysis,
            RQS,
            "000 L676, L654 (OURS)",
        )
        .new_form::<EffectVerification>()
        .guard(g::INEFFECTIVE)
        .guard(g::FORMAL_CHANNEL),
    ]);
    for s in [
        S::RdAnalysis,
        S::SolutionPlanning,
        S::Execution,
        S::EffectVerification,
        S::ResponsibilityArbitration,
    ] {
        t.push(
            T::new(
                s,
                A::IssueQualityAppraisalReport,
                s,
                RND,
                "000 L674 §5.6.1, L676 §7",
            )
            .new_form::<QualityAppraisalReport>(),
        );
    }
    t.push(
        T::new(
            S::ResponsibilityArbitration,
            A::Arbitrate,
            S::CorrectivePreventive,
            RQS,
            "000 L646 §4.5.2, L674 §5.6.1",
        )
        .new_form::<ArbitrationRecord>()
        .guard(g::QAR_PRESENT),
    );
    for s in [
        S::ResponsibilityArbitration,
        S::CorrectivePreventive,
        S::CapaVerification,
    ] {
        t.push(
            T::new(s, A::ArchiveQar, s, RQS, "000 L646 §4.5.5")
                .guard(g::QAR_PRESENT)
                .effect(g::E_ARCHIVE_QAR),
        );
    }
    for s in [
        S::Execution,
        S::EffectVerification,
        S::ResponsibilityArbitration,
        S::CorrectivePreventive,
        S::CapaVerification,
    ] {
        t.push(
            T::new(
                s,
                A::SettleConsumablesRequest,
                s,
                RQS,
                "000 L646 §4.5.6 §4.5.7, L670",
            )
            .effect(g::E_SETTLE_CONSUMABLES),
        );
    }
    t.extend([
        // Corrective and preventive measures (000 L674).
        T::new(
            S::CorrectivePreventive,
            A::IssueCapaNotice,
            S::CorrectivePreventive,
            &[R::QualityMgmtDept],
            "000 L674 §5.6.2",
        )
        .new_form::<CapaNotice>()
        .guard(g::CAPA_ADDRESSEE),
        T::new(
            S::CorrectivePreventive,
            A::SubmitImprovementForm,
            S::CorrectivePreventive,
            RQS,
            "000 L674 §5.6.3",
        )
        .new_form::<ProblemImprovementForm>(),
        T::new(
            S::CorrectivePreventive,
            A::OpenRectificationProject,
            S::CorrectivePreventive,
            &[R::SystemMgmtDept],
            "000 L646 §4.6.2",
        )
        .guard(g::IMPROVEMENT_SUBMITTED)
        .effect(g::E_PROJECT),
        T::new(
            S::CorrectivePreventive,
            A::RequestProductChange,
            S::CorrectivePreventive,
            &[R::Rnd, R::RegionalQualitySection],
            "000 L674 §5.6.4",
        )
        .new_form::<ProductChangeRequest>(),
        T::new(
            S::CorrectivePreventive,
            A::EvaluatePreventiveMeasure,
            S::CorrectivePreventive,
            RND,
            "000 L646 §4.7.2",
        )
        .guard(g::NOTE),
        T::new(
            S::CorrectivePreventive,
            A::StartCapaVerification,
            S::CapaVerification,
            RQS,
            "000 L674, L676",
        )
        .guard(g::MEASURES_ISSUED),
        T::new(
            S::CapaVerification,
            A::VerifyCapaItem,
            S::CapaVerification,
            RQS,
            "000 L676 跟踪验证纠正预防措施执行情况",
        )
        .new_form::<CapaVerification>()
        .guard(g::CAPA_ITEM_KNOWN),
        T::new(
            S::CapaVerification,
            A::ReopenMeasures,
            S::CorrectivePreventive,
            RQS,
            "000 L676 (OURS)",
        )
        .guard(g::CAPA_ITEM_FAILED),
        T::new(
            S::CapaVerification,
            A::Close,
            S::Closed,
            RQS,
            "000 L676 结束, L646 §4.5.5, L670",
        )
        .guard(g::ALL_CAPA_VERIFIED)
        .guard(g::CLAIM_SETTLED)
        .guard(g::CONSUMABLES_SETTLED)
        .guard(g::QAR_ARCHIVED),
    ]);
    for s in [S::CorrectivePreventive, S::CapaVerification] {
        t.extend([
            T::new(
                s,
                A::RecordCapaResponse,
                s,
                &[R::SystemMgmtDept, R::QualityMgmtDept],
                "000 L646 §4.6.1",
            )
            .guard(g::NOTE),
            T::new(s, A::SubmitLossData, s, &[R::LossDept], "000 L670")
                .new_form::<LossDataSubmission>()
                .guard(g::CLAIM_COLLECTING),
            T::new(s, A::FileClaimAppraisal, s, RQS, "000 L670, L646 §4.5.6")
                .new_form::<ClaimAppraisalReport>()
                .guard(g::CLAIM_COLLECTING)
                .guard(g::CLAIM_APPRAISAL_MATCHES)
                .effect(g::E_CLAIM),
            T::new(
                s,
                A::ConfirmClaim,
                s,
                &[R::ProcurementCommercial],
                "000 L670 提交采购商务管理部确认",
            )
            .guard(g::CLAIM_AWAITING)
            .effect(g::E_CLAIM),
            T::new(
                s,
                A::ReturnClaim,
                s,
                &[R::ProcurementCommercial],
                "000 L670 (OURS)",
            )
            .new_form::<RejectionNotice>()
            .guard(g::CLAIM_AWAITING)
            .effect(g::E_CLAIM),
            T::new(
                s,
                A::RecordClaimExecuted,
                s,
                &[R::Procurement],
                "000 L650 §4.9, L672, L676 采购部执行索赔",
            )
            .new_form::<ClaimExecutionRecord>()
            .guard(g::CLAIM_EXECUTING)
            .effect(g::E_CLAIM),
        ]);
    }
    t
}

/// The registry of the procedure: its guards, effects and typed forms, bound to `config`.
pub fn registry(config: &Config) -> Registry {
    let fresh: BTreeMap<(String, String), Vec<&'static str>> = transitions(config)
        .iter()
        .filter(|t| t.forms.iter().any(|(_, f)| *f))
        .map(|t| {
            (
                (t.from.name().to_owned(), t.action.name().to_owned()),
                t.forms
                    .iter()
                    .filter(|(_, f)| *f)
                    .map(|(k, _)| *k)
                    .collect(),
            )
        })
        .collect();
    let reg = Registry::new()
        .typed_form::<BatchFeedbackReport>()
        .typed_form::<RejectionNotice>()
        .typed_form::<TsPreliminaryAnalysis>()
        .typed_form::<BatchStartDecision>()
        .typed_form::<FailedPartReturn>()
        .typed_form::<RdSolution>()
        .typed_form::<DirectorMeetingMinutes>()
        .typed_form::<Consultation>()
        .typed_form::<PlanEvaluation>()
        .typed_form::<OverallSolutionPlan>()
        .typed_form::<BatchReturnExchangeApplication>()
        .typed_form::<ProgressEntry>()
        .typed_form::<SeverityAssessment>()
        .typed_form::<QualityWarning>()
        .typed_form::<ProgressBulletin>()
        .typed_form::<ExecutionResultReport>()
        .typed_form::<EffectVerification>()
        .typed_form::<QualityAppraisalReport>()
        .typed_form::<ArbitrationRecord>()
        .typed_form::<LossDataSubmission>()
        .typed_form::<ClaimAppraisalReport>()
        .typed_form::<ClaimExecutionRecord>()
        .typed_form::<CapaNotice>()
        .typed_form::<ProblemImprovementForm>()
        .typed_form::<ProductChangeRequest>()
        .typed_form::<CapaVerification>();
    guards::register(reg, Arc::new(config.clone()), Arc::new(fresh))
}

fn deadline_specs(cfg: &Config) -> Vec<DeadlineSpec> {
    use deadlines as d;
    let wh = BusinessDuration::WorkingHours;
    let wd = BusinessDuration::WorkingDays;
    let by_acceptance = |accepted: u32, not_accepted: u32| DurationSpec::Select {
        selector: "/acceptance".into(),
        cases: BTreeMap::from([
            (Acceptance::Accepted.name().to_owned(), wd(accepted)),
            (Acceptance::NotAccepted.name().to_owned(), wd(not_accepted)),
        ]),
        default: None,
    };
    let forward_start = match cfg.rqs_forward_anchor {
        ForwardAnchor::ReceiptAtRqs => Trigger::action(Action::ConfirmAndForwardToRqs),
        ForwardAnchor::BatchStarted => Trigger::enter(State::BatchStarted),
    };
    let mut solution_escalation = EscalationSpec::notify([Role::RegionalQualitySection]);
    if cfg.director_meeting_auto {
        solution_escalation.move_to = Some(State::DirectorMeeting.name().to_owned());
    }
    let mut out = vec![
        DeadlineSpec::new(
            d::RTSE_VERIFY,
            Trigger::enter(State::PendingRtseVerification),
            wh(cfg.rtse_verify_within_hours),
        )
        .escalate(EscalationSpec::notify([
            Role::RegionalTechSupportEngineer,
            Role::RegionalServiceMgmt,
        ]))
        .owner(Role::RegionalTechSupportEngineer)
        .describe("000 L650 区域技术支持工程师在4个工作小时内响应; L644 §4.2.1"),
        DeadlineSpec::new(
            d::TS_CONFIRM,
            Trigger::enter(State::PendingTsConfirmation),
            wh(cfg.ts_confirm_within_hours),
        )
        .escalate(EscalationSpec::notify([Role::ProductTechSupport]))
        .owner(Role::ProductTechSupport)
        .describe("000 L650 在4个工作小时内将信息流转给区域质量处; L654"),
        DeadlineSpec::new(
            d::RQS_REVIEW,
            Trigger::enter(State::PendingRqsReview),
            wh(cfg.rqs_review_within_hours),
        )
        .escalate(EscalationSpec::notify([Role::RegionalQualitySection]))
        .owner(Role::RegionalQualitySection)
        .describe("000 L652 区域质量处…在4个工作小时内响应"),
        DeadlineSpec::new(
            d::RQS_FORWARD_TO_RD,
            forward_start,
            wh(cfg.rqs_forward_to_rd_within_hours),
        )
        .met_on(Trigger::action(Action::ForwardToRd))
        .met_on(Trigger::enter(State::ReturnedToStation))
        .escalate(EscalationSpec::notify([Role::RegionalQualitySection]))
        .owner(Role::RegionalQualitySection)
        .describe("000 L654 并在4个工作小时内流转到产品研发中心"),
        DeadlineSpec::new(
            d::RD_RESPONSE,
            Trigger::action(Action::ForwardToRd),
            by_acceptance(
                cfg.rd_response_accepted_within_days,
                cfg.rd_solution_not_accepted_within_days,
            ),
        )
        .met_on(Trigger::action(Action::AcknowledgeRd))
        .met_on(Trigger::action(Action::SubmitRdSolution))
        .met_on(Trigger::enter(State::DirectorMeeting))
        .escalate(EscalationSpec::notify([
            Role::RegionalQualitySection,
            Role::Rnd,
        ]))
        .owner(Role::Rnd)
        .describe("000 L654 1个工作日内响应 (accepted machines)"),
        DeadlineSpec::new(
            d::RD_SOLUTION,
            Trigger::action(Action::ForwardToRd),
            by_acceptance(
                cfg.rd_conclusion_accepted_within_days,
                cfg.rd_solution_not_accepted_within_days,
            ),
        )
        .met_on(Trigger::action(Action::ApprovePlan))
        .met_on(Trigger::enter(State::DirectorMeeting))
        .escalate(solution_escalation)
        .owner(Role::Rnd)
        .describe("000 L654 2个工作日内提供有效方案 / 4个工作日内反馈有效结论; L656 总监级会议"),
    ];
    if let Some(every) = cfg.progress_bulletin_every {
        out.push(
            DeadlineSpec::new(
                d::PROGRESS_BULLETIN_FIRST,
                Trigger::enter(State::Execution),
                every,
            )
            .met_on(Trigger::action(Action::PublishProgressBulletin))
            .escalate(EscalationSpec::notify([Role::RegionalQualitySection]))
            .owner(Role::RegionalQualitySection)
            .describe("000 L668 §5.4.2 定期发布《售后批量质量问题进度通报》"),
        );
        out.push(
            DeadlineSpec::new(
                d::PROGRESS_BULLETIN_NEXT,
                Trigger::action(Action::PublishProgressBulletin),
                every,
            )
            .met_on(Trigger::action(Action::PublishProgressBulletin))
            .met_on(Trigger::leave(State::Execution))
            .escalate(EscalationSpec::notify([Role::RegionalQualitySection]))
            .owner(Role::RegionalQualitySection)
            .describe("000 L668 §5.4.2 定期发布《售后批量质量问题进度通报》"),
        );
    }
    out
}

/// The validated, typed definition of the batch quality procedure, computing deadlines in
/// `calendar` (the host's working calendar, README "Working calendar").
///
/// # Errors
/// A [`BuildError`] if the definition does not validate (a bug, covered by the tests).
pub fn definition(
    config: &Config,
    calendar: Arc<dyn Calendar>,
) -> Result<TypedDefinition<State, Action, Role>, BuildError> {
    let starters: Vec<Role> = Role::ALL
        .iter()
        .copied()
        .filter(|r| *r != Role::LossDept)
        .collect();
    let mut b = Builder::new(ID, VERSION)
        .roles(Role::ALL.iter().copied())
        .start_roles(starters);
    for s in State::ALL {
        b = match s {
            State::ComplaintReceived => b.initial(s),
            State::OrdinaryService | State::Closed => b.terminal(s),
            State::SolutionPlanning => b.waiting(s),
            _ => b.normal(s),
        };
    }
    for t in transitions(config) {
        b = b.transition(t.from, t.action, t.to, |mut tb| {
            tb = tb.roles(t.roles.iter().copied());
            let fresh = t.forms.iter().any(|(_, f)| *f);
            if fresh {
                tb = tb.guard(guards::NEW_FORMS);
            }
            for g in &t.guards {
                tb = tb.guard(*g);
            }
            for (k, _) in &t.forms {
                tb = tb.form(*k);
            }
            for e in &t.effects {
                tb = tb.effect(*e);
            }
            if let Some((roles, order, meaning)) = &t.sign_off {
                tb = tb.sign_off(roles.iter().copied(), *order, *meaning);
            }
            tb.describe(t.cite)
        });
    }
    b = b.form(BatchReturnExchangeApplication::KIND);
    for d in deadline_specs(config) {
        b = b.deadline(d);
    }
    let def = b.build(&registry(config).shared_calendar(calendar))?;
    Ok(TypedDefinition::new(def)?)
}
