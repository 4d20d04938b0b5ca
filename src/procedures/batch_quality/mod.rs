//! # Batch quality issue (售后批量质量问题处理流程, Edition E)
//!
//! The after-sales batch quality procedure of BQ-E (000 L634–676) (effective
//! 2008-11-04, BQ-E §1 (000 L634)), as a validated typed state graph: a complaint is confirmed on site
//! by an authorised station, submitted through the batch feedback system (批量反馈系统),
//! verified by the regional technical-support engineer, confirmed by product technical
//! support and started by the regional quality section when it meets the batch definition
//! ([`assess`], BQ-E §2.2 (000 L638)); R&D analyses it within limits that depend on the acceptance
//! status, or a director-level meeting is convened (BQ-E §5.2.1–§5.2.2 (000 L654–L656)); the quality section
//! organises the overall solution, its execution and verification, arbitrates responsibility
//! on R&D's quality appraisal report, has CAPA notices, improvement forms and product changes
//! issued and verifies them before closing; a supplier claim runs alongside when a supplier
//! is responsible (BQ-E §5.5 (000 L670)).
//!
//! The files follow the procedure template (`docs/procedures/README.md`): the vocabulary
//! below ([`State`], [`Action`], [`Role`], [`Guard`], [`Effect`], [`Deadline`],
//! [`FormKind`]); [`Config`] (every seed number); [`Data`] (the instance data); the forms
//! (e.g. [`QualityAppraisalReport`]); the graph, phase by phase (intake, R&D analysis,
//! overall solution, execution, verification and arbitration, corrective and preventive
//! measures, the supplier claim); the rules (the guard and effect functions, the batch rule
//! [`assess`], [`user_rule`], [`component_rule`] and [`detect()`](fn@detect), batch detection
//! over failure records); the reports ([`weekly_report`], [`monthly_report`],
//! [`cost_ledger`]).
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
//! let out = engine.start(bq::ID, "BQ-1", &station, data.to_value()?, now)?;
//! assert_eq!(def.state(&out.instance), Some(State::ComplaintReceived));
//! assert!(!bq::is_started(State::ComplaintReceived));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod config;
mod data;
mod forms;
mod graph;
mod report;
mod rules;

pub use config::{Config, ForwardAnchor, REGION_WIDE};
pub use data::{
    Acceptance, BatchChannel, ClaimStatus, ConsumablesLink, Data, claim_status, designated_station,
    formal, received_by, start_payload, via,
};
pub use forms::*;
pub use report::{
    BatchIssueReport, BatchReportKind, DeadlineCounts, IntakeCounts, LossSummary, OpenIssue,
    ReportError, ReportPeriod, cost_ledger, monthly_report, report, weekly_report,
};
pub use rules::batch::{
    BatchCase, BatchRule, Evidence, FailureMode, NotBatch, OutOfScopeReason, ProductLine, Scope,
    assess, component_rule, in_window, ratio_exceeds, rule_for, user_rule, window_start,
};
pub use rules::detect::{
    self, ComponentBase, Detection, DetectionError, FailureRecord, Finding, InstalledBase,
    UserBase, detect,
};

use crate::{BuildError, Calendar, Registry, TypedDefinition};
use std::sync::Arc;

/// The definition id.
pub const ID: &str = "batch_quality";

/// The definition version.
pub const VERSION: u32 = 1;

crate::vocabulary! {
    /// States of a batch quality issue (BQ-E (000 L650–L676)).
    pub enum State {
        /// 接到批量质量问题投诉: a complaint received by a station, an engineer or any
        /// department (flowchart input 用户投诉, BQ-E §9 (000 L676); BQ-E §4.9–§5.1.5 (000 L650–L652)).
        ComplaintReceived = "complaint_received",
        /// 转由区域技术支持工程师处理: passed by another department to the regional
        /// technical-support engineer (BQ-E §5.1.3 (000 L652)).
        AtRtse = "at_rtse",
        /// 指定当地维修站: the engineer named the local station (BQ-E §5.1.2 (000 L652)).
        AtStation = "at_station",
        /// 现场确认: the station's senior engineer confirms on site (BQ-E §4.9–§5.1.1, §6–§9 (000 L650, L676)).
        OnSiteConfirmation = "on_site_confirmation",
        /// 区域技术支持工程师核实: submitted in the batch feedback system (BQ-E §4.9–§5.1.1 (000 L650)).
        PendingRtseVerification = "pending_rtse_verification",
        /// 产品技术支持处确认: with product technical support (BQ-E §4.9–§5.1.1 (000 L650)).
        PendingTsConfirmation = "pending_ts_confirmation",
        /// 区域质量处审核: with the regional quality section, the only formal input
        /// (BQ-E §5.1.4 (000 L652)).
        PendingRqsReview = "pending_rqs_review",
        /// 驳回: returned to the station, which corrects and resubmits or hands over to
        /// ordinary service (BQ-E §5.1.1–§5.1.5 (000 L652); OURS merge of the three rejection targets).
        ReturnedToStation = "returned_to_station",
        /// 执行普通服务流程: not a batch problem (BQ-E §9 (000 L676)). Terminal.
        OrdinaryService = "ordinary_service",
        /// 启动批量质量问题处理流程: started by the quality section (BQ-E §5.1.1–§5.1.5 (000 L652)).
        BatchStarted = "batch_started",
        /// 原因分析, 制定技术解决方案: R&D analysis (BQ-E §4.7.1, §5.2.1–§5.2.2 (000 L646, L654–L662)).
        RdAnalysis = "rd_analysis",
        /// 总监级会议: the director-level meeting after a missed R&D limit (BQ-E §5.2.1 (000 L656)).
        DirectorMeeting = "director_meeting",
        /// 制定整体解决方案: overall solution planning; R&D clocks pause while the quality
        /// section evaluates the solution (BQ-E §3.1–§3.2, §4.5.1, §5.2.3–§5.2.4 (000 L640–L642, L646, L664)).
        SolutionPlanning = "solution_planning",
        /// 推动执行整体解决方案: execution and monitoring (BQ-E §4.1–§4.4, §5.3, §5.4, §9 (000 L644, L666, L668, L676)).
        Execution = "execution",
        /// 验证方案执行效果: effect verification (BQ-E §9 (000 L676)).
        EffectVerification = "effect_verification",
        /// 责任仲裁: responsibility arbitration on the quality appraisal report
        /// (BQ-E §4.5.2, §5.6.1 (000 L646, L674)).
        ResponsibilityArbitration = "responsibility_arbitration",
        /// 纠正预防措施: CAPA notices, improvement forms, product changes; the supplier claim
        /// runs alongside (BQ-E §5.5, §5.6 (000 L670, L674)).
        CorrectivePreventive = "corrective_preventive",
        /// 跟踪验证纠正预防措施执行情况: CAPA verification (BQ-E §9 (000 L676)).
        CapaVerification = "capa_verification",
        /// 结束 (BQ-E §6–§9 (000 L676)). Terminal.
        Closed = "closed",
    }
}

crate::vocabulary! {
    /// Actions of the batch quality procedure.
    pub enum Action {
        /// 指定当地维修站 (BQ-E §5.1.2 (000 L652)).
        DesignateLocalStation = "designate_local_station",
        /// 转由对应的区域技术支持工程师处理 (BQ-E §5.1.3 (000 L652)).
        TransferToRtse = "transfer_to_rtse",
        /// 委派相应产品的资深工程师到现场进行确认 (BQ-E §5.1.1 (000 L650)).
        DispatchSeniorEngineer = "dispatch_senior_engineer",
        /// 现场判断不属于批量质量问题 (BQ-E §6–§9 (000 L676)).
        JudgeNotBatch = "judge_not_batch",
        /// 通过"批量反馈系统"进行反馈 (BQ-E §5.1.1, §4.1.1 (000 L650, L644)).
        SubmitBatchFeedback = "submit_batch_feedback",
        /// 核实…确认无误后通过系统反馈给服务产品技术支持处 (BQ-E §5.1.1 (000 L650)).
        VerifyAndForward = "verify_and_forward",
        /// The engineer returns a wrong submission to the station (OURS).
        ReturnToStation = "return_to_station",
        /// 确认为批量质量问题…流转给区域质量处 (BQ-E §5.1.1 (000 L650)).
        ConfirmAndForwardToRqs = "confirm_and_forward_to_rqs",
        /// 予以驳回 (BQ-E §5.1.1 (000 L652)).
        Reject = "reject",
        /// 启动批量质量问题处理流程 (BQ-E §5.1.1–§5.1.5 (000 L652)).
        StartBatchProcess = "start_batch_process",
        /// The station resubmits a corrected report (OURS).
        Resubmit = "resubmit",
        /// 执行普通服务流程 (BQ-E §9 (000 L676)).
        HandOverToOrdinaryService = "hand_over_to_ordinary_service",
        /// 流转到产品研发中心 (BQ-E §5.2.1 (000 L654)); also a new R&D round after the meeting or an
        /// ineffective execution.
        ForwardToRd = "forward_to_rd",
        /// R&D responds (响应, BQ-E §5.2.1 (000 L654)).
        AcknowledgeRd = "acknowledge_rd",
        /// 联系厂家现场确认 (BQ-E §5.2.2 (000 L656)).
        RecordSupplierOnSite = "record_supplier_on_site",
        /// 返回故障品分析 (BQ-E §5.2.2 (000 L658–L662)).
        ReturnFailedPart = "return_failed_part",
        /// 提供有效方案 / 有效结论 (BQ-E §5.2.1, §5.2.3 (000 L654, L664)).
        SubmitRdSolution = "submit_rd_solution",
        /// 召集相关部门召开总监级会议 (BQ-E §5.2.1 (000 L656)).
        ConveneDirectorMeeting = "convene_director_meeting",
        /// The meeting adopts a solution (OURS).
        AdoptSolution = "adopt_solution",
        /// 征求分公司及用户意见 (BQ-E §5.2.4 (000 L664)).
        RecordConsultation = "record_consultation",
        /// 对处理方案的有效性、可行性进行评估 (BQ-E §5.2.4 (000 L664)).
        EvaluatePlan = "evaluate_plan",
        /// The quality section sends an ineffective or immature solution back (OURS).
        ReturnToRd = "return_to_rd",
        /// 耗材申请: link a consumables request (BQ-E §5.3.2, §4.5.7 (000 L666, L646)).
        LinkConsumablesRequest = "link_consumables_request",
        /// Record a linked consumables request as settled, with its cost.
        SettleConsumablesRequest = "settle_consumables_request",
        /// Approve the overall solution (BQ-E §4.5.1, §5.2.3–§5.2.4 (000 L646, L664); BQ-E §3.1–§3.2 (000 L642) for replacement).
        ApprovePlan = "approve_plan",
        /// 指派维修站配合实施解决方案 (BQ-E §4.2.3 (000 L644)).
        AssignStation = "assign_station",
        /// 方案实施的相关信息通过批量反馈系统及时准确地进行反馈 (BQ-E §5.4.1 (000 L668)).
        RecordProgress = "record_progress",
        /// 周转备件的管理、物料条码的打印 (BQ-E §4.4 (000 L644)).
        RecordSparesWork = "record_spares_work",
        /// 协调厂家提供备件资源 (BQ-E §5.3.1 (000 L666)).
        CoordinateSupplierSpares = "coordinate_supplier_spares",
        /// 评估影响严重程度, 发布内部通报 (BQ-E §9 (000 L676)).
        AssessSeverity = "assess_severity",
        /// 重大批量质量问题预警 (BQ-E §4.5.4 (000 L646)).
        IssueQualityWarning = "issue_quality_warning",
        /// 定期发布《售后批量质量问题进度通报》 (BQ-E §5.4.2 (000 L668)).
        PublishProgressBulletin = "publish_progress_bulletin",
        /// 服务平台反馈执行结果 (BQ-E §9 (000 L676)).
        ReportExecutionResult = "report_execution_result",
        /// 验证方案执行效果: effective (BQ-E §9 (000 L676)).
        ConfirmEffective = "confirm_effective",
        /// Not effective: back to planning (OURS).
        ReturnToPlanning = "return_to_planning",
        /// 《质量鉴定报告》 (BQ-E §5.6.1 (000 L674)).
        IssueQualityAppraisalReport = "issue_quality_appraisal_report",
        /// 主导《质量鉴定报告》的整理归档 (BQ-E §4.5.5 (000 L646)).
        ArchiveQar = "archive_qar",
        /// 责任仲裁 (BQ-E §5.6.1 (000 L674)).
        Arbitrate = "arbitrate",
        /// 发出《售后批量质量问题纠正预防通知书》 (BQ-E §5.6.2 (000 L674)).
        IssueCapaNotice = "issue_capa_notice",
        /// 督促供应商制定纠正预防措施 (BQ-E §4.6.1 (000 L646)).
        RecordCapaResponse = "record_capa_response",
        /// 提交《问题改进表单》 (BQ-E §5.6.3 (000 L674)).
        SubmitImprovementForm = "submit_improvement_form",
        /// 立项整改 (BQ-E §4.6.2 (000 L646)).
        OpenRectificationProject = "open_rectification_project",
        /// 产品变更 (BQ-E §5.6.4 (000 L674)).
        RequestProductChange = "request_product_change",
        /// 评估并实施预防措施 (BQ-E §4.7.2 (000 L646)).
        EvaluatePreventiveMeasure = "evaluate_preventive_measure",
        /// All required measures issued: start verifying (BQ-E §5.6, §6–§9 (000 L674, L676)).
        StartCapaVerification = "start_capa_verification",
        /// 跟踪验证纠正预防措施执行情况 (BQ-E §9 (000 L676)).
        VerifyCapaItem = "verify_capa_item",
        /// A measure failed verification: back to measures (OURS).
        ReopenMeasures = "reopen_measures",
        /// 结束 (BQ-E §6–§9 (000 L676)).
        Close = "close",
        /// 损失部门…统计损失数据,反馈给区域质量处 (BQ-E §5.5 (000 L670)).
        SubmitLossData = "submit_loss_data",
        /// 区域质量处填写索赔鉴定报告 (BQ-E §5.5 (000 L670)).
        FileClaimAppraisal = "file_claim_appraisal",
        /// 提交采购商务管理部确认 (BQ-E §5.5 (000 L670)).
        ConfirmClaim = "confirm_claim",
        /// Procurement commercial management returns the claim report (OURS).
        ReturnClaim = "return_claim",
        /// 采购部执行索赔 (BQ-E §4.9, §5.5, §9 (000 L650, L672, L676)).
        RecordClaimExecuted = "record_claim_executed",
        /// 对维修站反馈的批量质量问题进行审核: regional service management reviews the
        /// station's report, accountable for its accuracy (BQ-E §4.2.1 (000 L644)).
        ReviewStationReport = "review_station_report",
        /// 必要时到现场对问题分析确认: regional service management goes on site
        /// (BQ-E §4.2.1 (000 L644)).
        VisitSite = "visit_site",
        /// 对批量质量问题进行初步技术分析: regional service management's preliminary
        /// technical analysis (BQ-E §4.2.2 (000 L644)).
        RecordPreliminaryAnalysis = "record_preliminary_analysis",
        /// 服务和品管进行协助: the service platform or quality management assists R&D's
        /// analysis of the cause (BQ-E §5.2.2 (000 L656)).
        AssistRdAnalysis = "assist_rd_analysis",
        /// 定期发布售后批量质量问题周报: the issue is reported in the weekly report
        /// (BQ-E §5.4.3 (000 L668)).
        PublishWeeklyReport = "publish_weekly_report",
        /// 定期发布售后批量质量问题月报: the issue is reported in the monthly report
        /// (BQ-E §5.4.3 (000 L668)).
        PublishMonthlyReport = "publish_monthly_report",
        /// 同时方正保留向供应商追加处罚索赔的权利: the right to a further penalty claim
        /// against the supplier is reserved, on record (BQ-E §5.5 (000 L670)).
        ReservePenaltyClaim = "reserve_penalty_claim",
        /// 负责协调客户公关工作: sales coordinates public relations with the customer
        /// (BQ-E §4.8.3 (000 L648)).
        RecordCustomerPr = "record_customer_pr",
        /// 用户向媒体投诉的媒体公关: the market PR department handles a media complaint
        /// (BQ-E §4.10 (000 L650)).
        RecordMediaPr = "record_media_pr",
        /// 对…法律纠纷提供法律援助: the legal department assists in a legal dispute
        /// (BQ-E §4.11 (000 L650)).
        RecordLegalAssistance = "record_legal_assistance",
    }
}

crate::vocabulary! {
    /// Roles (departments) of the batch quality procedure (BQ-E §4.1–§5.1.5 (000 L644–L652)).
    pub enum Role {
        /// 方正科技各授权维修站 (its senior engineer): submits (BQ-E §4.1, §4.9–§5.1.1 (000 L644, L650)).
        AuthorisedStation = "authorised_station",
        /// 区域技术支持工程师: verifies within 4 working hours (BQ-E §5.1.1, §5.1.1–§5.1.5 (000 L650, L652)).
        RegionalTechSupportEngineer = "regional_tech_support_engineer",
        /// 服务平台区域服务管理部: accountable for the station reports; assigns stations
        /// (BQ-E §4.2 (000 L644)).
        RegionalServiceMgmt = "regional_service_mgmt",
        /// 服务平台技术支持部产品技术支持处: confirms (BQ-E §4.3, §4.9–§5.1.1 (000 L644, L650)).
        ProductTechSupport = "product_tech_support",
        /// 服务平台备件管理部: turnover spares, barcodes (BQ-E §4.4 (000 L644)).
        SparePartsMgmt = "spare_parts_mgmt",
        /// 服务平台: reports the execution result; co-authors a replacement plan
        /// (BQ-E §3.1–§3.2, §6–§9 (000 L642, L676)).
        ServicePlatform = "service_platform",
        /// 品质管理部品质督察部区域质量处: owns the process (BQ-E §4.5 (000 L646, L652–L676)).
        RegionalQualitySection = "regional_quality_section",
        /// 品质管理部: issues CAPA notices (BQ-E §5.6.2 (000 L674)).
        QualityMgmtDept = "quality_mgmt_dept",
        /// 品质管理部体系管理部: supplier CAPA, improvement projects (BQ-E §4.6 (000 L646)).
        SystemMgmtDept = "system_mgmt_dept",
        /// 产品研发中心 / 网吧产品事业部产品技术处 / 移动产品事业部产品研发部 (BQ-E §4.7 (000 L646)).
        Rnd = "rnd",
        /// 产品部门 (BQ-E §3.1 (000 L642)).
        ProductDept = "product_dept",
        /// 行业客户事业群, 消费客户事业群, 销售平台各产品业务部 (BQ-E §3.1, §4.8 (000 L642, L648)).
        Sales = "sales",
        /// 各区域分公司销售部门 (BQ-E §3.1, §4.8 (000 L642, L648)).
        BranchSales = "branch_sales",
        /// 分公司: consulted on the plan (BQ-E §5.2.3–§5.2.4 (000 L664)).
        Branch = "branch",
        /// 采购部: executes the claim (BQ-E §4.9, §6–§9 (000 L650, L676)).
        Procurement = "procurement",
        /// 采购商务管理部: confirms the claim appraisal report (BQ-E §5.5 (000 L670)).
        ProcurementCommercial = "procurement_commercial",
        /// 市场公关部 (BQ-E §4.10 (000 L650)): may receive a complaint and pass it on.
        MarketPr = "market_pr",
        /// 法务部 (BQ-E §4.11 (000 L650)): may receive a complaint and pass it on.
        Legal = "legal",
        /// 其他部门: may only pass a complaint to the engineer (BQ-E §5.1.3 (000 L652)).
        OtherDept = "other_dept",
        /// 损失部门: a department that bore a direct loss (BQ-E §5.5 (000 L670)).
        LossDept = "loss_dept",
    }
}

crate::vocabulary! {
    /// The procedure's own guards: each says the rule and its source line; a refusal names it
    /// ([`Rejection::GuardRejected`](crate::Rejection::GuardRejected)). Functions in `rules.rs`.
    pub enum Guard {
        /// Only the batch feedback system is a formal input; e-mail is a reference only
        /// (BQ-E §5.1.4, §4.9–§5.1.1, §5.4.1 (000 L652, L650, L668)). Payload: `{"channel": "batch_feedback_system"}`.
        FormalChannel = "g_formal_channel",
        /// The payload names a station: `{"station": "..."}` (BQ-E §5.1.2, §4.2.3 (000 L652, L644)).
        StationNamed = "g_station_named",
        /// The engineer sent on site is senior for this model: payload
        /// `{"senior_engineer": {"person": "...", "qualified_models": [...]}}` from the host's
        /// directory (委派相应产品的资深工程师, BQ-E §5.1.1 (000 L650)).
        SeniorEngineer = "g_senior_engineer",
        /// The feedback report is about this issue's customer and model, with no future failures
        /// (BQ-E §5.1.1 (000 L650) 完整准确有效).
        ReportMatchesIssue = "g_report_matches_issue",
        /// Technical support confirms a batch problem: its counts meet a condition of BQ-E §2.2 (000 L638)
        /// (BQ-E §5.1.1 (000 L650) "确认为批量质量问题的").
        TsEvidence = "g_ts_evidence",
        /// Technical support rejects only for incomplete feedback or insufficient evidence
        /// (BQ-E §5.1.1–§5.1.5 (000 L652)).
        TsRejectReason = "g_ts_reject_reason",
        /// The case meets the whole batch definition and scope (BQ-E §2.1, §2.2, §5.1.1–§5.1.5 (000 L636, L638, L652)
        /// "确认达到批量质量标准的").
        MeetsBatchDefinition = "g_meets_batch_definition",
        /// The payload's acceptance equals the decision's (it sets R&D's limits, BQ-E §5.2.1 (000 L654)).
        AcceptanceMatches = "g_acceptance_matches",
        /// A resubmitted report carries a higher revision (OURS).
        Revised = "g_revised",
        /// Failed parts: no longer the customer's (BQ-E §5.2.2 (000 L660)), not to the supplier (BQ-E §5.2.2 (000 L658)),
        /// whole machines through DOA / non-DOA (BQ-E §5.2.2 (000 L662)), components by good-part swap (BQ-E §5.2.2 (000 L662)).
        FailedPartRules = "g_failed_part_rules",
        /// R&D's solution is mature: verified away from the user (BQ-E §5.2.3 (000 L664)).
        SolutionMature = "g_solution_mature",
        /// The director-level meeting follows a missed R&D limit (BQ-E §5.2.1–§5.2.2 (000 L656)).
        RdDeadlineBreached = "g_rd_deadline_breached",
        /// The minutes decide that R&D continues (OURS outcome of BQ-E §5.2.1–§5.2.2 (000 L656)).
        MeetingContinuesRd = "g_meeting_continues_rd",
        /// The minutes adopt a solution (OURS outcome of BQ-E §5.2.1–§5.2.2 (000 L656)).
        MeetingAdoptsSolution = "g_meeting_adopts_solution",
        /// The branch records its own opinion; sales or the quality section records the user's
        /// (BQ-E §5.2.3–§5.2.4 (000 L664); OURS).
        ConsultationRecorder = "g_consultation_recorder",
        /// An evaluation is given by the department it names (BQ-E §5.2.3–§5.2.4 (000 L664)).
        EvaluatorIsDept = "g_evaluator_is_dept",
        /// A solution goes back to R&D as not effective or not mature (BQ-E §5.2.1, §5.2.3–§5.2.4 (000 L654, L664)).
        ReturnToRdReason = "g_return_to_rd_reason",
        /// The plan approved by the quality section alone is not a whole-machine replacement
        /// (which is signed jointly, BQ-E §3.1–§3.2 (000 L642)).
        PlanNotReplacement = "g_plan_not_replacement",
        /// The jointly signed plan is a whole-machine replacement (BQ-E §3.1–§3.2 (000 L642)).
        PlanIsReplacement = "g_plan_is_replacement",
        /// The branch and the user were consulted before approval (BQ-E §5.2.4 (000 L664) "事先征求分公司及用户意见").
        Consulted = "g_consulted",
        /// Every required department evaluated the plan effective and feasible (BQ-E §5.2.3–§5.2.4 (000 L664)).
        PlanEvaluated = "g_plan_evaluated",
        /// During user acceptance, a plan other than whole-machine replacement states why
        /// ("优先考虑整机更换", BQ-E §3.1 (000 L640)).
        ReplacementPreferred = "g_replacement_preferred",
        /// A plan returning or exchanging units comes with the batch return/exchange application
        /// (BQ-E §7 (000 L676)).
        ReturnApplication = "g_return_application",
        /// Progress is cumulative and within the plan (BQ-E §5.4.1 (000 L668)).
        ProgressConsistent = "g_progress_consistent",
        /// Supplier spares are coordinated when the cause points to a supplier (BQ-E §5.3.1 (000 L666)).
        SupplierIndicated = "g_supplier_indicated",
        /// A quality warning is for a major issue (BQ-E §4.5.4 (000 L646)).
        SeverityMajor = "g_severity_major",
        /// A progress bulletin is flagged 重大异常 exactly when the issue is major (BQ-E §7 (000 L676)).
        BulletinFlag = "g_bulletin_flag",
        /// The impact was assessed and the internal bulletin issued (BQ-E §6–§9 (000 L676)).
        SeverityAssessed = "g_severity_assessed",
        /// A major issue has its quality warning (BQ-E §4.5.4 (000 L646)).
        WarningIfMajor = "g_warning_if_major",
        /// The execution result refers to the approved plan (BQ-E §6–§9 (000 L676)).
        ResultMatchesPlan = "g_result_matches_plan",
        /// The verification found the execution effective (BQ-E §6–§9 (000 L676)).
        Effective = "g_effective",
        /// The verification found the execution not effective (OURS).
        Ineffective = "g_ineffective",
        /// A quality appraisal report issued by R&D is on file (and the arbitration cites it)
        /// (BQ-E §5.6.1, §4.5.5 (000 L674, L646)).
        QarPresent = "g_qar_present",
        /// A CAPA notice goes to a party named in the arbitration (BQ-E §5.6.2 (000 L674)).
        CapaAddressee = "g_capa_addressee",
        /// An improvement project follows a submitted improvement form (BQ-E §4.6.2 (000 L646)).
        ImprovementSubmitted = "g_improvement_submitted",
        /// Every measure the arbitration requires was issued (BQ-E §5.6.2–5.6.4 (000 L674)).
        MeasuresIssued = "g_measures_issued",
        /// A verification refers to an issued measure (BQ-E §6–§9 (000 L676)).
        CapaItemKnown = "g_capa_item_known",
        /// Some measure failed its verification (OURS).
        CapaItemFailed = "g_capa_item_failed",
        /// Every issued measure was verified (BQ-E §9 (000 L676) 跟踪验证…结束).
        AllCapaVerified = "g_all_capa_verified",
        /// No claim, or the claim was executed (BQ-E §5.5, §6–§9 (000 L670, L676)).
        ClaimSettled = "g_claim_settled",
        /// Every linked consumables request is settled (BQ-E §5.3.2 (000 L666)).
        ConsumablesSettled = "g_consumables_settled",
        /// The quality appraisal report is archived (BQ-E §4.5.5 (000 L646)).
        QarArchived = "g_qar_archived",
        /// The claim collects loss data (BQ-E §5.5 (000 L670)).
        ClaimCollecting = "g_claim_collecting",
        /// The claim appraisal report names the arbitrated supplier and report and totals the loss
        /// data and the settled consumables exactly (BQ-E §5.5, §4.5.6 (000 L670, L646)).
        ClaimAppraisalMatches = "g_claim_appraisal_matches",
        /// The claim awaits procurement commercial management's confirmation (BQ-E §5.5 (000 L670)).
        ClaimAwaiting = "g_claim_awaiting",
        /// The claim was confirmed and awaits execution (BQ-E §5.5 (000 L672)).
        ClaimExecuting = "g_claim_executing",
        /// The station going on site from the start is the station that received the
        /// complaint (started the instance as a station): a station may not take over a
        /// complaint received by sales, another department or the engineer (BQ-E §5.1.1–5.1.3
        /// (000 L650–L652)).
        ReceivedByThisStation = "g_received_by_this_station",
        /// The engineer designates a station straight from the receipt only for a complaint
        /// the engineer received; one received by another department is transferred first
        /// (BQ-E §5.1.2–5.1.3 (000 L652)).
        ReceivedByRtse = "g_received_by_rtse",
        /// A department transfers to the engineer a complaint it received itself
        /// (BQ-E §5.1.3 (000 L652)).
        ReceivedByDepartment = "g_received_by_department",
        /// An actor acting as a station is the station the instance designates (the one that
        /// received the complaint, or the one the engineer named): only it goes on site,
        /// submits, resubmits or hands over (BQ-E §5.1.2 (000 L652), §4.1.1 (000 L644)).
        DesignatedStation = "g_designated_station",
    }
}

crate::vocabulary! {
    /// The procedure's effects on the instance data (functions in `rules.rs`).
    pub enum Effect {
        /// Effect: record the designated station (`{"station": ...}`).
        Station = "e_station",
        /// Effect: record the senior engineer.
        SeniorEngineer = "e_senior_engineer",
        /// Effect: record the acceptance status.
        Acceptance = "e_acceptance",
        /// Effect: link a consumables request (`{"request": ...}`).
        LinkConsumables = "e_link_consumables",
        /// Effect: settle a linked consumables request (`{"request": ..., "cost_fen": ...}`).
        SettleConsumables = "e_settle_consumables",
        /// Effect: mark the quality appraisal report archived.
        ArchiveQar = "e_archive_qar",
        /// Effect: record the improvement project (`{"project": ...}`).
        Project = "e_project",
        /// Effect: move the claim track.
        Claim = "e_claim",
        /// Effect: record the station that received the complaint as the designated station.
        ReceivingStation = "e_receiving_station",
    }
}

crate::vocabulary! {
    /// The deadlines of the procedure; a host finds a clock with
    /// [`Instance::clock`](crate::Instance::clock)`(Deadline::RdSolution)`.
    pub enum Deadline {
        /// The engineer verifies within 4 working hours (BQ-E §4.9–§5.1.1 (000 L650)).
        RtseVerify = "rtse_verify",
        /// Technical support confirms within 4 working hours (BQ-E §4.9–§5.1.1, §5.2.1 (000 L650, L654)).
        TsConfirm = "ts_confirm",
        /// The quality section responds within 4 working hours (BQ-E §5.1.1–§5.1.5 (000 L652)).
        RqsReview = "rqs_review",
        /// The quality section forwards to R&D within 4 working hours (BQ-E §5.2.1 (000 L654)).
        RqsForwardToRd = "rqs_forward_to_rd",
        /// R&D responds: 1 working day for accepted machines (BQ-E §5.2.1 (000 L654)); for machines not
        /// accepted the seed names no separate response, the solution limit applies (OURS).
        RdResponse = "rd_response",
        /// R&D's effective solution or conclusion: 2 working days not accepted, 4 accepted
        /// (BQ-E §5.2.1 (000 L654)); missed → director-level meeting (BQ-E §5.2.1–§5.2.2 (000 L656)).
        RdSolution = "rd_solution",
        /// First progress bulletin after execution starts (only when configured, BQ-E §5.4 (000 L668)).
        ProgressBulletinFirst = "progress_bulletin_first",
        /// Each next progress bulletin (only when configured, BQ-E §5.4 (000 L668)).
        ProgressBulletinNext = "progress_bulletin_next",
        /// The addressee of a CAPA notice replies (only when configured: BQ-E §5.6.2
        /// (000 L674) names no limit).
        CapaResponse = "capa_response",
        /// The director-level meeting decides (only when configured: "适时", BQ-E §5.2.1
        /// (000 L656)).
        DirectorMeetingHeld = "director_meeting_held",
        /// The issue is in a weekly report, each week from the start of the batch process
        /// (BQ-E §5.4.3 (000 L668)).
        WeeklyReport = "weekly_report",
        /// The issue is in a monthly report, each month from the start of the batch process
        /// (BQ-E §5.4.3 (000 L668)).
        MonthlyReport = "monthly_report",
    }
}

crate::vocabulary! {
    /// The kinds of the procedure's forms; each equals the `KIND` of its typed form in
    /// `forms.rs` (e.g. [`FormKind::QualityAppraisalReport`] is
    /// [`QualityAppraisalReport::KIND`](crate::TypedForm::KIND)).
    pub enum FormKind {
        /// [`BatchFeedbackReport`].
        BatchFeedbackReport = "batch_feedback_report",
        /// [`RejectionNotice`].
        RejectionNotice = "rejection_notice",
        /// [`TsPreliminaryAnalysis`].
        TsPreliminaryAnalysis = "ts_preliminary_analysis",
        /// [`BatchStartDecision`].
        BatchStartDecision = "batch_start_decision",
        /// [`FailedPartReturn`].
        FailedPartReturn = "failed_part_return",
        /// [`RdSolution`].
        RdSolution = "rd_solution",
        /// [`DirectorMeetingMinutes`].
        DirectorMeetingMinutes = "director_meeting_minutes",
        /// [`Consultation`].
        Consultation = "consultation",
        /// [`PlanEvaluation`].
        PlanEvaluation = "plan_evaluation",
        /// [`OverallSolutionPlan`].
        OverallSolutionPlan = "overall_solution_plan",
        /// [`BatchReturnExchangeApplication`].
        BatchReturnExchangeApplication = "batch_return_exchange_application",
        /// [`ProgressEntry`].
        ProgressEntry = "progress_entry",
        /// [`SeverityAssessment`].
        SeverityAssessment = "severity_assessment",
        /// [`QualityWarning`].
        QualityWarning = "quality_warning",
        /// [`ProgressBulletin`].
        ProgressBulletin = "progress_bulletin",
        /// [`ExecutionResultReport`].
        ExecutionResultReport = "execution_result_report",
        /// [`EffectVerification`].
        EffectVerification = "effect_verification_record",
        /// [`QualityAppraisalReport`].
        QualityAppraisalReport = "quality_appraisal_report",
        /// [`ArbitrationRecord`].
        ArbitrationRecord = "arbitration_record",
        /// [`LossDataSubmission`].
        LossDataSubmission = "loss_data",
        /// [`ClaimAppraisalReport`].
        ClaimAppraisalReport = "claim_appraisal_report",
        /// [`ClaimExecutionRecord`].
        ClaimExecutionRecord = "claim_execution_record",
        /// [`CapaNotice`].
        CapaNotice = "capa_notice",
        /// [`ProblemImprovementForm`].
        ProblemImprovementForm = "problem_improvement_form",
        /// [`ProductChangeRequest`].
        ProductChangeRequest = "product_change_request",
        /// [`CapaVerification`].
        CapaVerification = "capa_verification_record",
    }
}

/// The states in which the batch process has been started by the regional quality section
/// and is not yet closed: from 启动批量质量问题处理流程 (BQ-E §5.1.1–§5.1.5 (000 L652)) to 结束 (BQ-E §6–§9 (000 L676)).
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
/// 流程, BQ-E §5.1.1–§5.1.5 (000 L652)) and the issue is not yet closed (结束, BQ-E §6–§9 (000 L676)). The consumables procedure
/// links its requests only to started issues (BQ-E §5.3.2, §4.5.7 (000 L666, L646)).
pub fn is_started(state: State) -> bool {
    STARTED.contains(&state)
}

/// The registry of the procedure: its guards, effects and typed forms, bound to `config`;
/// deadlines in `Asia/Shanghai` ([`shanghai_calendar`](super::shanghai_calendar)).
pub fn registry(config: &Config) -> Registry {
    rules::register(forms::register(Registry::new()), Arc::new(config.clone()))
        .shared_calendar(super::shanghai_calendar())
}

/// The validated, typed definition of the batch quality procedure, computing deadlines in
/// `calendar` (the host's working calendar, product decision `PD-CAL` (docs/sources.md)).
///
/// ```
/// use aftersales::procedures::{batch_quality as bq, shanghai_calendar};
/// use aftersales::{Engine, InMemoryStore};
///
/// let def = bq::definition(&bq::Config::default(), shanghai_calendar())?;
/// assert_eq!(def.definition().initial_state(), bq::State::ComplaintReceived);
/// // Typed end to end: what may be done first, as `Action` values.
/// assert!(!def.actions_from(bq::State::ComplaintReceived).is_empty());
///
/// let mut engine = Engine::new(InMemoryStore::new());
/// engine.register(def.definition().clone())?;
/// assert!(engine.definition(bq::ID).is_some());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
/// A [`BuildError`] if the definition does not validate (a bug, covered by the tests).
pub fn definition(
    config: &Config,
    calendar: Arc<dyn Calendar>,
) -> Result<TypedDefinition<State, Action, Role>, BuildError> {
    let def = graph::builder(config).build(&registry(config).shared_calendar(calendar))?;
    Ok(TypedDefinition::new(def)?)
}
