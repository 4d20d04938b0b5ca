//! The forms of the batch quality procedure: typed, JSON-Schema'd, validated. A transition
//! that needs one refuses to fire without a valid one attached by the same command.
//!
//! Named documents of the seed: 《质量鉴定报告》 [`QualityAppraisalReport`],
//! 《批量质量问题索赔鉴定报告》 [`ClaimAppraisalReport`], 《售后批量质量问题纠正预防通知书》
//! [`CapaNotice`], 《问题改进表单》 [`ProblemImprovementForm`], 《产品变更申请单》
//! [`ProductChangeRequest`], 《方正科技产品批量退换货申请表》 [`BatchReturnExchangeApplication`],
//! 《售后批量质量问题(重大异常)进度通报》 [`ProgressBulletin`], 《品质保障部质量预警通报》
//! [`QualityWarning`] (BQ-E §5.4, §5.5, §5.6, §6, §7 (000 L668, L670, L674, L676)). The others record the steps of
//! BQ-E (000 L650–L676) that need content (the feedback report of the 批量反馈系统, rejections,
//! analyses, minutes, consultations, evaluations, results, verifications).

use super::{Acceptance, Role};
use super::{BatchCase, Evidence, FailureMode, ProductLine};
use crate::Registry;
use crate::TypedForm;
use crate::procedures::batch_quality::FormKind;
use chrono::{DateTime, NaiveDate, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

fn filled(field: &str, value: &str) -> Result<(), String> {
    if value.trim().is_empty() {
        Err(format!("`{field}` must not be empty"))
    } else {
        Ok(())
    }
}

fn all_filled(fields: &[(&str, &str)]) -> Result<(), String> {
    fields.iter().try_for_each(|(f, v)| filled(f, v))
}

fn not_negative(field: &str, fen: i64) -> Result<(), String> {
    if fen < 0 {
        Err(format!("`{field}` must not be negative ({fen} fen)"))
    } else {
        Ok(())
    }
}

/// Which R&D unit analyses the issue (BQ-E §4.7 (000 L646)).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum RdUnit {
    /// 产品研发中心.
    RdCenter,
    /// 网吧产品事业部产品技术处.
    InternetCafeTech,
    /// 移动产品事业部产品研发部.
    MobileRd,
}

/// One failed unit in a feedback report.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct FailedUnit {
    /// Serial number.
    pub serial: String,
    /// Delivery date (the procedure covers failures after delivery, BQ-E §2.1 (000 L636)).
    pub delivered_on: NaiveDate,
    /// Failure date.
    pub failed_on: NaiveDate,
    /// In the standard after-sales service period on the failure date (BQ-E §2.2 (000 L638)).
    pub in_service_period: bool,
}

/// The entry in the batch feedback system (批量反馈系统) by the station's senior engineer
/// after the on-site confirmation: "要求反馈的信息填写完整准确有效" (BQ-E §5.1.1 (000 L650)), with the user's
/// needs (BQ-E §5.1.5 (000 L652)), the symptom and verification results R&D works from
/// (BQ-E §4.7.1 (000 L646)), and the acceptance status that sets R&D's limits (BQ-E §5.2.1 (000 L654)).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct BatchFeedbackReport {
    /// Revision; a resubmission must carry a higher one.
    pub revision: u32,
    /// The submitting station.
    pub station: String,
    /// The senior engineer who confirmed on site (资深工程师).
    pub senior_engineer: String,
    /// The user.
    pub customer: String,
    /// The user's region.
    pub region: String,
    /// Product line (BQ-E §2.1 (000 L636)).
    pub product_line: ProductLine,
    /// Model (型号).
    pub model: String,
    /// Units of the model in use at the user.
    pub units_in_use: u32,
    /// The identical failure.
    pub mode: FailureMode,
    /// The failed units.
    pub failed_units: Vec<FailedUnit>,
    /// Symptom (故障现象).
    pub symptom: String,
    /// On-site findings.
    pub onsite_findings: String,
    /// Verification results (验证结果).
    pub verification_results: String,
    /// Accepted by the user yet or not (验收).
    pub acceptance: Acceptance,
    /// The user's needs (用户端的需求, BQ-E §5.1.5 (000 L652)).
    pub user_needs: String,
}

impl TypedForm for BatchFeedbackReport {
    const KIND: &'static str = FormKind::BatchFeedbackReport.as_str();

    fn validate(&self) -> Result<(), String> {
        all_filled(&[
            ("station", &self.station),
            ("senior_engineer", &self.senior_engineer),
            ("customer", &self.customer),
            ("region", &self.region),
            ("model", &self.model),
            ("symptom", &self.symptom),
            ("onsite_findings", &self.onsite_findings),
            ("verification_results", &self.verification_results),
            ("user_needs", &self.user_needs),
        ])?;
        if self.units_in_use == 0 {
            return Err("`units_in_use` must be positive".into());
        }
        if self.failed_units.is_empty() {
            return Err("`failed_units` must list the failed units".into());
        }
        if self.failed_units.len() > self.units_in_use as usize {
            return Err(format!(
                "{} failed units exceed the {} units in use",
                self.failed_units.len(),
                self.units_in_use
            ));
        }
        let mut serials = BTreeSet::new();
        for u in &self.failed_units {
            filled("failed_units.serial", &u.serial)?;
            if !serials.insert(u.serial.as_str()) {
                return Err(format!("serial `{}` is listed twice", u.serial));
            }
            if u.failed_on < u.delivered_on {
                return Err(format!(
                    "unit `{}` failed before delivery: not an after-sales problem (BQ-E §2.1 (000 L636))",
                    u.serial
                ));
            }
        }
        Ok(())
    }
}

/// Why something was sent back (驳回, BQ-E §5.1.1–§5.1.5 (000 L652)).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum RejectReason {
    /// On site, it is not a batch problem (flowchart 否 → 普通服务流程, BQ-E §9 (000 L676)).
    NotBatchOnSite,
    /// "没有按要求填写反馈内容" (BQ-E §5.1.1 (000 L652)).
    IncompleteFeedback,
    /// "填写内容不足以证明属于批量质量问题" (BQ-E §5.1.1 (000 L652)).
    InsufficientEvidence,
    /// Does not reach the batch standard (BQ-E §5.1.1 (000 L652) "确认达到批量质量标准的…否则予以驳回").
    BelowThreshold,
    /// Out of scope (BQ-E §2.1 (000 L636)).
    OutOfScope,
    /// Outside the service period (BQ-E §2.2 (000 L638)).
    OutOfServicePeriod,
    /// Conforms to the standard, specification and contract (BQ-E §2.2 (000 L638)).
    ConformsToSpec,
    /// The solution is not effective (BQ-E §5.2.1 (000 L654) "有效方案").
    NotEffective,
    /// The solution is not mature (BQ-E §5.2.3 (000 L664) "成熟有效").
    NotMature,
    /// The claim appraisal is wrong (OURS).
    ClaimIncorrect,
    /// Anything else, explained in the text.
    Other,
}

/// A rejection or return, with its reason (驳回). A new one must be attached with every
/// rejection.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct RejectionNotice {
    /// The reason.
    pub reason: RejectReason,
    /// Explanation for the sender.
    pub text: String,
}

impl TypedForm for RejectionNotice {
    const KIND: &'static str = FormKind::RejectionNotice.as_str();

    fn validate(&self) -> Result<(), String> {
        filled("text", &self.text)
    }
}

/// Product technical support's confirmation: "提供故障原因的初步分析和技术解决方案建议"
/// (BQ-E §4.9–§5.1.1, §4.3.1 (000 L650, L644)), with the counts showing a batch condition holds.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct TsPreliminaryAnalysis {
    /// Preliminary cause analysis (初步分析结论).
    pub preliminary_cause: String,
    /// Proposed technical solution (技术解决方案建议).
    pub solution_proposal: String,
    /// The counts (checked against BQ-E §2.2 (000 L638) by the guard).
    pub evidence: Evidence,
    /// First day of the counting window.
    pub window_from: NaiveDate,
    /// Last day of the counting window.
    pub window_to: NaiveDate,
}

impl TypedForm for TsPreliminaryAnalysis {
    const KIND: &'static str = FormKind::TsPreliminaryAnalysis.as_str();

    fn validate(&self) -> Result<(), String> {
        all_filled(&[
            ("preliminary_cause", &self.preliminary_cause),
            ("solution_proposal", &self.solution_proposal),
        ])?;
        if self.window_from > self.window_to {
            return Err("`window_from` is after `window_to`".into());
        }
        Ok(())
    }
}

/// The quality section's decision to start the batch process (启动批量质量问题处理流程,
/// BQ-E §5.1.1–§5.1.5 (000 L652)): the case judged against the whole definition (BQ-E §2.1, §2.2 (000 L636, L638)), the
/// acceptance status (BQ-E §5.2.1 (000 L654)) and the R&D unit to forward to (BQ-E §4.7 (000 L646)).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct BatchStartDecision {
    /// The case (checked by [`assess`](super::assess)).
    pub case: BatchCase,
    /// Accepted by the user or not.
    pub acceptance: Acceptance,
    /// The R&D unit.
    pub rd_unit: RdUnit,
    /// Summary.
    pub summary: String,
}

impl TypedForm for BatchStartDecision {
    const KIND: &'static str = FormKind::BatchStartDecision.as_str();

    fn validate(&self) -> Result<(), String> {
        filled("summary", &self.summary)
    }
}

/// What is returned for failure analysis (BQ-E §5.2.2 (000 L658–L662)).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum FailedPartKind {
    /// A whole machine, borrowed through the DOA or non-DOA process (BQ-E §5.2.2 (000 L662)).
    WholeMachine {
        /// The DOA / non-DOA process reference.
        doa_process_ref: String,
    },
    /// A component (BQ-E §5.2.2 (000 L662) "部件分析原则上要求厂家提供良品点对点更换获取").
    Component {
        /// Obtained by the supplier's point-to-point good-part swap.
        supplier_good_part_swap: bool,
    },
}

/// A failed part returned for cause analysis (BQ-E §5.2.2 (000 L658–L662)).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct FailedPartReturn {
    /// Serial of the unit or part.
    pub serial: String,
    /// Whole machine or component.
    pub kind: FailedPartKind,
    /// The part no longer belongs to the customer (BQ-E §5.2.2 (000 L660)).
    pub ownership_transferred: bool,
    /// The part goes to the supplier for analysis (BQ-E §5.2.2 (000 L658): not allowed in principle).
    pub to_supplier: bool,
    /// The quality section's recorded exception allowing it to go to the supplier.
    #[serde(default)]
    pub rqs_exception: Option<String>,
}

impl TypedForm for FailedPartReturn {
    const KIND: &'static str = FormKind::FailedPartReturn.as_str();

    fn validate(&self) -> Result<(), String> {
        filled("serial", &self.serial)
    }
}

/// R&D's cause analysis and technical solution (有效方案 / 有效结论, BQ-E §4.7.1, §5.2.1 (000 L646, L654)),
/// mature and verified before it reaches the user (BQ-E §5.2.3 (000 L664)).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct RdSolution {
    /// The R&D unit.
    pub rd_unit: RdUnit,
    /// Cause analysis.
    pub cause_analysis: String,
    /// Technical solution.
    pub technical_solution: String,
    /// Verified away from the user ("尽量避免在用户端多次验证", BQ-E §5.2.3 (000 L664)).
    pub verified_off_site: bool,
    /// The supplier's on-site confirmation, if any (BQ-E §5.2.2 (000 L656)).
    #[serde(default)]
    pub supplier_onsite: Option<String>,
    /// The supplier the cause points to, if any (BQ-E §5.3.1 (000 L666)).
    #[serde(default)]
    pub supplier_indicated: Option<String>,
}

impl TypedForm for RdSolution {
    const KIND: &'static str = FormKind::RdSolution.as_str();

    fn validate(&self) -> Result<(), String> {
        all_filled(&[
            ("cause_analysis", &self.cause_analysis),
            ("technical_solution", &self.technical_solution),
        ])
    }
}

/// A department and person at the director-level meeting.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Attendee {
    /// Department.
    pub dept: String,
    /// Person (director).
    pub person: String,
}

/// What the director-level meeting decided (OURS: the seed does not say).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "decision", rename_all = "snake_case")]
pub enum MeetingDecision {
    /// R&D continues, in a new round (the agreed date is recorded and reported).
    ContinueRd {
        /// The date agreed with R&D.
        agreed_due: DateTime<Utc>,
    },
    /// A solution is adopted and planning starts.
    AdoptSolution,
}

/// Minutes of the director-level meeting (总监级会议) the quality section convenes when R&D
/// misses its limit (BQ-E §5.2.1–§5.2.2 (000 L656)).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct DirectorMeetingMinutes {
    /// When it was held.
    pub held_at: DateTime<Utc>,
    /// Who attended ("召集相关部门").
    pub attendees: Vec<Attendee>,
    /// The decision.
    pub decision: MeetingDecision,
    /// Notes.
    pub notes: String,
}

impl TypedForm for DirectorMeetingMinutes {
    const KIND: &'static str = FormKind::DirectorMeetingMinutes.as_str();

    fn validate(&self) -> Result<(), String> {
        filled("notes", &self.notes)?;
        let depts: BTreeSet<&str> = self.attendees.iter().map(|a| a.dept.as_str()).collect();
        if depts.len() < 2 {
            return Err(
                "a director-level meeting gathers at least two departments (BQ-E §5.2.1–§5.2.2 (000 L656))".into(),
            );
        }
        if let MeetingDecision::ContinueRd { agreed_due } = &self.decision {
            if *agreed_due <= self.held_at {
                return Err("`agreed_due` must be after the meeting".into());
            }
        }
        Ok(())
    }
}

/// Who was consulted on the plan (BQ-E §5.2.4 (000 L664) "事先征求分公司及用户意见").
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "party", rename_all = "snake_case")]
pub enum ConsultedParty {
    /// The branch company (recorded by the branch itself).
    Branch {
        /// Branch.
        branch: String,
    },
    /// The user (recorded by sales or the quality section).
    User {
        /// The user.
        customer: String,
    },
}

/// An opinion on the plan, asked before it is approved (BQ-E §5.2.3–§5.2.4 (000 L664)).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Consultation {
    /// Who.
    pub party: ConsultedParty,
    /// When.
    pub at: DateTime<Utc>,
    /// The opinion.
    pub opinion: String,
}

impl TypedForm for Consultation {
    const KIND: &'static str = FormKind::Consultation.as_str();

    fn validate(&self) -> Result<(), String> {
        filled("opinion", &self.opinion)
    }
}

/// A department's evaluation of the plan's effectiveness and feasibility (BQ-E §5.2.3–§5.2.4 (000 L664)
/// "各部门对处理方案的有效性、可行性进行评估").
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct PlanEvaluation {
    /// The evaluating department (the actor must hold this role).
    pub dept: Role,
    /// Effective.
    pub effective: bool,
    /// Feasible.
    pub feasible: bool,
    /// Comment (required when either is false).
    pub comment: String,
}

impl TypedForm for PlanEvaluation {
    const KIND: &'static str = FormKind::PlanEvaluation.as_str();

    fn validate(&self) -> Result<(), String> {
        if !(self.effective && self.feasible) {
            filled("comment", &self.comment)?;
        }
        Ok(())
    }
}

/// Kind of overall solution.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum PlanKind {
    /// Whole-machine replacement (整体换机方案, BQ-E §3.1–§3.2 (000 L640–L642)).
    WholeMachineReplacement,
    /// Component replacement.
    ComponentReplacement,
    /// Repair or rework.
    RepairOrRework,
    /// Software or BIOS fix.
    SoftwareFix,
    /// Anything else.
    Other,
}

/// Where spare parts come from (BQ-E §4.4, §5.3.1 (000 L644, L666)).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum SparesSource {
    /// The responsible supplier (coordinated by the quality section, BQ-E §5.3 (000 L666)).
    Supplier,
    /// Turnover spares (周转备件, BQ-E §4.4 (000 L644)).
    TurnoverSpares,
    /// The material store (从材料库调拨, BQ-E §7 (000 L676)).
    MaterialStore,
}

/// One department's task in the plan.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct PlanTask {
    /// The department.
    pub dept: Role,
    /// The task.
    pub task: String,
}

/// The overall solution the quality section organises (整体解决方案, BQ-E §4.5.1 (000 L646),
/// BQ-E §5.2.3–§5.2.4 (000 L664); 整体换机方案 BQ-E §3.1–§3.2 (000 L640–L642)).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct OverallSolutionPlan {
    /// Kind.
    pub kind: PlanKind,
    /// Units to treat.
    pub units_planned: u32,
    /// Stations carrying it out.
    pub stations: Vec<String>,
    /// Department tasks.
    pub tasks: Vec<PlanTask>,
    /// Spare-part sources.
    pub spares_sources: Vec<SparesSource>,
    /// Consumables are needed (BQ-E §5.3.2 (000 L666)).
    pub consumables_needed: bool,
    /// Units are returned or exchanged (then a return/exchange application is needed).
    pub returns_or_exchanges_units: bool,
    /// Why not a whole-machine replacement while the user has not accepted (BQ-E §3.1 (000 L640)).
    #[serde(default)]
    pub not_replacement_reason: Option<String>,
    /// Estimated cost, in fen.
    pub estimated_cost_fen: i64,
}

impl TypedForm for OverallSolutionPlan {
    const KIND: &'static str = FormKind::OverallSolutionPlan.as_str();

    fn validate(&self) -> Result<(), String> {
        if self.units_planned == 0 {
            return Err("`units_planned` must be positive".into());
        }
        if self.stations.is_empty() || self.stations.iter().any(|s| s.trim().is_empty()) {
            return Err("`stations` must name the stations carrying out the plan".into());
        }
        if self.tasks.is_empty() {
            return Err("`tasks` must assign the departments' work".into());
        }
        self.tasks
            .iter()
            .try_for_each(|t| filled("tasks.task", &t.task))?;
        not_negative("estimated_cost_fen", self.estimated_cost_fen)?;
        if self.kind == PlanKind::WholeMachineReplacement && !self.returns_or_exchanges_units {
            return Err("a whole-machine replacement exchanges units".into());
        }
        Ok(())
    }
}

/// Return or exchange.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReturnKind {
    /// 退货.
    Return,
    /// 换货.
    Exchange,
}

/// The process the returned units go through (BQ-E §6 (000 L676)).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum RelatedProcess {
    /// 《方正科技产品非DOA退换货处理流程》.
    NonDoa,
    /// 《方正科技代理商到货即损处理流程》.
    Doa,
    /// 《方正科技授权维修机构批量服务流程》.
    BatchService,
}

/// 《方正科技产品批量退换货申请表》 (BQ-E §7 (000 L676)): needed when the plan returns or
/// exchanges units.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct BatchReturnExchangeApplication {
    /// Return or exchange.
    pub kind: ReturnKind,
    /// The user.
    pub customer: String,
    /// The model.
    pub model: String,
    /// Serials of the units.
    pub serials: Vec<String>,
    /// Quantity (equals the number of serials).
    pub quantity: u32,
    /// The replacement model (for an exchange).
    #[serde(default)]
    pub replacement_model: Option<String>,
    /// Reason.
    pub reason: String,
    /// Ship-to address.
    pub ship_to: String,
    /// The process the units go through.
    pub related_process: RelatedProcess,
}

impl TypedForm for BatchReturnExchangeApplication {
    const KIND: &'static str = FormKind::BatchReturnExchangeApplication.as_str();

    fn validate(&self) -> Result<(), String> {
        all_filled(&[
            ("customer", &self.customer),
            ("model", &self.model),
            ("reason", &self.reason),
            ("ship_to", &self.ship_to),
        ])?;
        if self.serials.is_empty() || self.quantity as usize != self.serials.len() {
            return Err(format!(
                "`quantity` ({}) must equal the number of serials ({}) and be positive",
                self.quantity,
                self.serials.len()
            ));
        }
        let unique: BTreeSet<&str> = self.serials.iter().map(String::as_str).collect();
        if unique.len() != self.serials.len() || unique.contains("") {
            return Err("serials must be unique and non-empty".into());
        }
        if self.kind == ReturnKind::Exchange
            && self
                .replacement_model
                .as_deref()
                .is_none_or(|m| m.trim().is_empty())
        {
            return Err("an exchange names the replacement model".into());
        }
        Ok(())
    }
}

/// Progress fed back through the batch feedback system (BQ-E §5.4.1 (000 L668)).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ProgressEntry {
    /// Units treated so far (cumulative; never decreases).
    pub units_done_total: u32,
    /// Note.
    pub note: String,
}

impl TypedForm for ProgressEntry {
    const KIND: &'static str = FormKind::ProgressEntry.as_str();

    fn validate(&self) -> Result<(), String> {
        filled("note", &self.note)
    }
}

/// Severity of the impact.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum BatchSeverity {
    /// Major (重大): a quality warning is issued (BQ-E §4.5.4 (000 L646)).
    Major,
    /// Ordinary.
    Ordinary,
}

/// The quality section's assessment of the impact and its internal bulletin (评估影响严重程度
/// → 发布内部通报, flowchart BQ-E §9 (000 L676)). One form: the bulletin publishes the assessment.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct SeverityAssessment {
    /// Severity (the seed gives no criteria: the section's judgement).
    pub severity: BatchSeverity,
    /// Impact: scope, customers, media or legal risk.
    pub impact: String,
    /// The internal bulletin text (内部通报).
    pub internal_bulletin: String,
    /// Distribution.
    pub distribution: Vec<String>,
}

impl TypedForm for SeverityAssessment {
    const KIND: &'static str = FormKind::SeverityAssessment.as_str();

    fn validate(&self) -> Result<(), String> {
        all_filled(&[
            ("impact", &self.impact),
            ("internal_bulletin", &self.internal_bulletin),
        ])?;
        if self.distribution.is_empty() {
            return Err("`distribution` must not be empty".into());
        }
        Ok(())
    }
}

/// 《品质保障部质量预警通报》: the warning on a major batch problem (BQ-E §4.5.4, §7 (000 L646, L676)).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct QualityWarning {
    /// Models concerned.
    pub models: Vec<String>,
    /// Components concerned.
    pub components: Vec<String>,
    /// The risk.
    pub risk: String,
    /// Containment.
    pub containment: String,
    /// Distribution.
    pub distribution: Vec<String>,
}

impl TypedForm for QualityWarning {
    const KIND: &'static str = FormKind::QualityWarning.as_str();

    fn validate(&self) -> Result<(), String> {
        all_filled(&[("risk", &self.risk), ("containment", &self.containment)])?;
        if self.models.is_empty() || self.distribution.is_empty() {
            return Err("`models` and `distribution` must not be empty".into());
        }
        Ok(())
    }
}

/// 《售后批量质量问题进度通报》 (BQ-E §5.4.2 (000 L668)), flagged 重大异常 for a major issue
/// (《售后批量质量问题重大异常进度通报》, BQ-E §7 (000 L676)).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ProgressBulletin {
    /// Bulletin number.
    pub bulletin_no: String,
    /// Period covered, first day.
    pub period_from: NaiveDate,
    /// Period covered, last day.
    pub period_to: NaiveDate,
    /// 重大异常: set exactly when the issue is assessed major.
    pub major_abnormality: bool,
    /// Units treated.
    pub units_done: u32,
    /// Units planned.
    pub units_planned: u32,
    /// Summary.
    pub summary: String,
    /// Next steps.
    pub next_steps: String,
    /// Risks.
    pub risks: String,
}

impl TypedForm for ProgressBulletin {
    const KIND: &'static str = FormKind::ProgressBulletin.as_str();

    fn validate(&self) -> Result<(), String> {
        all_filled(&[
            ("bulletin_no", &self.bulletin_no),
            ("summary", &self.summary),
            ("next_steps", &self.next_steps),
        ])?;
        if self.period_to < self.period_from {
            return Err("the period ends before it starts".into());
        }
        if self.units_done > self.units_planned {
            return Err("`units_done` exceeds `units_planned`".into());
        }
        Ok(())
    }
}

/// The service platform's report of the execution result (服务平台反馈执行结果, BQ-E §9 (000 L676);
/// BQ-E §4.2.3 (000 L644)).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ExecutionResultReport {
    /// Units treated.
    pub units_treated: u32,
    /// Units planned (must equal the approved plan).
    pub units_planned: u32,
    /// Why fewer were treated.
    #[serde(default)]
    pub shortfall_reason: Option<String>,
    /// The user's feedback.
    pub customer_feedback: String,
}

impl TypedForm for ExecutionResultReport {
    const KIND: &'static str = FormKind::ExecutionResultReport.as_str();

    fn validate(&self) -> Result<(), String> {
        filled("customer_feedback", &self.customer_feedback)?;
        if self.units_treated > self.units_planned {
            return Err("`units_treated` exceeds `units_planned`".into());
        }
        if self.units_treated < self.units_planned
            && self
                .shortfall_reason
                .as_deref()
                .is_none_or(|r| r.trim().is_empty())
        {
            return Err("fewer units treated than planned: give `shortfall_reason`".into());
        }
        Ok(())
    }
}

/// The quality section's verification of the execution's effect (验证方案执行效果, BQ-E §9 (000 L676)).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct EffectVerification {
    /// Effective or not.
    pub effective: bool,
    /// How it was verified.
    pub method: String,
    /// Evidence.
    pub evidence: String,
}

impl TypedForm for EffectVerification {
    const KIND: &'static str = FormKind::EffectVerification.as_str();

    fn validate(&self) -> Result<(), String> {
        all_filled(&[("method", &self.method), ("evidence", &self.evidence)])
    }
}

/// A party responsible for the quality problem (BQ-E §5.6.2 (000 L674): 供应商、生产制造、产品运输;
/// internal processes §5.6.3; design).
#[derive(
    Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(tag = "party", rename_all = "snake_case")]
pub enum Party {
    /// A supplier (供应商).
    Supplier {
        /// Supplier id.
        supplier: String,
    },
    /// Manufacturing (生产制造).
    Manufacturing,
    /// Transport (产品运输).
    Transport,
    /// An internal process of a department (内部流程).
    InternalProcess {
        /// Department.
        dept: String,
    },
    /// Product design.
    Design,
}

impl Party {
    /// Whether the quality management department sends this party a CAPA notice
    /// (BQ-E §5.6.2 (000 L674): suppliers, manufacturing, transport).
    pub fn takes_capa_notice(&self) -> bool {
        matches!(
            self,
            Party::Supplier { .. } | Party::Manufacturing | Party::Transport
        )
    }
}

/// 《质量鉴定报告》: R&D's quality appraisal, the basis of the responsibility arbitration
/// (BQ-E §5.6.1 (000 L674)), archived by the quality section (BQ-E §4.5.5 (000 L646)).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct QualityAppraisalReport {
    /// Report number.
    pub report_no: String,
    /// The R&D unit.
    pub rd_unit: RdUnit,
    /// The failure.
    pub mode: FailureMode,
    /// Root cause.
    pub root_cause: String,
    /// Nonconforming (不符合相应标准规格或合同要求, BQ-E §2.2 (000 L638)).
    pub nonconforming: bool,
    /// The violated standard, specification or contract clause.
    #[serde(default)]
    pub violated_requirement: Option<String>,
    /// Responsible parties.
    pub responsibility: Vec<Party>,
    /// A product change is needed (BQ-E §5.6.4 (000 L674)).
    pub product_change_needed: bool,
    /// Evidence.
    pub evidence: String,
}

impl TypedForm for QualityAppraisalReport {
    const KIND: &'static str = FormKind::QualityAppraisalReport.as_str();

    fn validate(&self) -> Result<(), String> {
        all_filled(&[
            ("report_no", &self.report_no),
            ("root_cause", &self.root_cause),
            ("evidence", &self.evidence),
        ])?;
        if self.nonconforming
            && self
                .violated_requirement
                .as_deref()
                .is_none_or(|r| r.trim().is_empty())
        {
            return Err(
                "a nonconformity names the violated standard, spec or contract clause".into(),
            );
        }
        Ok(())
    }
}

/// The quality section's responsibility arbitration on the appraisal report
/// (责任仲裁, BQ-E §4.5.2, §5.6.1 (000 L646, L674)), naming the measures required.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ArbitrationRecord {
    /// The appraisal report it rests on (must be one R&D issued).
    pub qar_no: String,
    /// Responsible parties.
    pub responsible: Vec<Party>,
    /// The supplier to claim direct losses from (因供应商责任…直接损失, BQ-E §5.5 (000 L670)); opens the
    /// claim track.
    #[serde(default)]
    pub claim_against: Option<String>,
    /// Parties to receive a CAPA notice (BQ-E §5.6.2 (000 L674)).
    pub capa_for: Vec<Party>,
    /// An internal process must improve (BQ-E §5.6.3 (000 L674)).
    pub internal_improvement: bool,
    /// The product must change (BQ-E §5.6.4 (000 L674)).
    pub product_change: bool,
    /// Reasoning.
    pub reasoning: String,
}

impl TypedForm for ArbitrationRecord {
    const KIND: &'static str = FormKind::ArbitrationRecord.as_str();

    fn validate(&self) -> Result<(), String> {
        all_filled(&[("qar_no", &self.qar_no), ("reasoning", &self.reasoning)])?;
        for p in &self.capa_for {
            if !p.takes_capa_notice() {
                return Err(format!(
                    "CAPA notices go to suppliers, manufacturing or transport (BQ-E §5.6 (000 L674)), not {p:?}"
                ));
            }
            if !self.responsible.contains(p) {
                return Err(format!(
                    "{p:?} receives a CAPA notice but is not found responsible"
                ));
            }
        }
        if let Some(s) = &self.claim_against {
            let named = self
                .responsible
                .iter()
                .any(|p| matches!(p, Party::Supplier { supplier } if supplier == s));
            if !named {
                return Err(format!(
                    "a claim goes only to a responsible supplier (BQ-E §5.5 (000 L670)); `{s}` is not one"
                ));
            }
        }
        Ok(())
    }
}

/// A category of direct loss (直接损失, BQ-E §5.5 (000 L670)). Consumables are added automatically from
/// the linked consumables requests.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum LossCategory {
    /// Spare parts and materials.
    SpareParts,
    /// Labour.
    Labour,
    /// Logistics.
    Logistics,
    /// Replacement units.
    ReplacementUnits,
    /// Compensation paid to the user.
    Compensation,
    /// Other direct loss.
    Other,
}

/// One loss item.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct LossItem {
    /// Category.
    pub category: LossCategory,
    /// Description.
    pub description: String,
    /// Quantity.
    pub quantity: u32,
    /// Unit cost, fen.
    pub unit_cost_fen: i64,
    /// Amount, fen (= quantity × unit cost).
    pub amount_fen: i64,
}

/// A loss department's direct-loss data, counted "按照相关标准" and sent to the quality
/// section (BQ-E §5.5 (000 L670)).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct LossDataSubmission {
    /// The department that bore the loss.
    pub loss_dept: String,
    /// The standard the loss was counted by.
    pub standard_ref: String,
    /// Items.
    pub items: Vec<LossItem>,
}

impl LossDataSubmission {
    /// The total, fen (`None` on overflow).
    pub fn total_fen(&self) -> Option<i64> {
        self.items
            .iter()
            .try_fold(0i64, |acc, i| acc.checked_add(i.amount_fen))
    }
}

impl TypedForm for LossDataSubmission {
    const KIND: &'static str = FormKind::LossDataSubmission.as_str();

    fn validate(&self) -> Result<(), String> {
        all_filled(&[
            ("loss_dept", &self.loss_dept),
            ("standard_ref", &self.standard_ref),
        ])?;
        if self.items.is_empty() {
            return Err("`items` must not be empty".into());
        }
        for i in &self.items {
            filled("items.description", &i.description)?;
            not_negative("items.unit_cost_fen", i.unit_cost_fen)?;
            let expected = i64::from(i.quantity).checked_mul(i.unit_cost_fen);
            if expected != Some(i.amount_fen) {
                return Err(format!(
                    "item `{}`: amount {} ≠ {} × {}",
                    i.description, i.amount_fen, i.quantity, i.unit_cost_fen
                ));
            }
        }
        self.total_fen()
            .map(|_| ())
            .ok_or_else(|| "loss total overflows".to_owned())
    }
}

/// 《批量质量问题索赔鉴定报告》: filled by the quality section, confirmed by procurement
/// commercial management (BQ-E §5.5, §7 (000 L670, L676)).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ClaimAppraisalReport {
    /// Report number.
    pub report_no: String,
    /// The supplier.
    pub supplier: String,
    /// The quality appraisal report it rests on.
    pub qar_no: String,
    /// Basis of the claim.
    pub basis: String,
    /// Total direct loss, fen (must equal the loss data plus settled consumables).
    pub total_direct_loss_fen: i64,
    /// Amount claimed, fen (at most the total).
    pub claimed_amount_fen: i64,
    /// "方正保留向供应商追加处罚索赔的权利" (BQ-E §5.5 (000 L670)): must be stated.
    pub additional_penalty_reserved: bool,
}

impl TypedForm for ClaimAppraisalReport {
    const KIND: &'static str = FormKind::ClaimAppraisalReport.as_str();

    fn validate(&self) -> Result<(), String> {
        all_filled(&[
            ("report_no", &self.report_no),
            ("supplier", &self.supplier),
            ("qar_no", &self.qar_no),
            ("basis", &self.basis),
        ])?;
        not_negative("total_direct_loss_fen", self.total_direct_loss_fen)?;
        not_negative("claimed_amount_fen", self.claimed_amount_fen)?;
        if self.claimed_amount_fen > self.total_direct_loss_fen {
            return Err("the amount claimed exceeds the direct loss; extra penalties are reserved separately".into());
        }
        if !self.additional_penalty_reserved {
            return Err(
                "the report reserves the right to additional penalties (BQ-E §5.5 (000 L670))"
                    .into(),
            );
        }
        Ok(())
    }
}

/// Procurement's record of the executed claim under 《理赔业务处理流程》 (BQ-E §5.5, §6–§9 (000 L672, L676)).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ClaimExecutionRecord {
    /// Amount recovered, fen.
    pub settled_amount_fen: i64,
    /// Reference in the claims process.
    pub method_ref: String,
    /// Date settled.
    pub settled_on: NaiveDate,
}

impl TypedForm for ClaimExecutionRecord {
    const KIND: &'static str = FormKind::ClaimExecutionRecord.as_str();

    fn validate(&self) -> Result<(), String> {
        filled("method_ref", &self.method_ref)?;
        not_negative("settled_amount_fen", self.settled_amount_fen)
    }
}

/// 《售后批量质量问题纠正预防通知书》: issued by the quality management department to a
/// responsible supplier, manufacturing or transport (BQ-E §5.6.2, §7 (000 L674, L676)).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct CapaNotice {
    /// Notice number.
    pub notice_no: String,
    /// Addressee.
    pub to: Party,
    /// The problem.
    pub problem: String,
    /// Root cause (from the appraisal report).
    pub root_cause: String,
    /// Corrective action required.
    pub corrective_required: String,
    /// Preventive action required.
    pub preventive_required: String,
    /// Reply due.
    pub reply_due: DateTime<Utc>,
}

impl TypedForm for CapaNotice {
    const KIND: &'static str = FormKind::CapaNotice.as_str();

    fn validate(&self) -> Result<(), String> {
        all_filled(&[
            ("notice_no", &self.notice_no),
            ("problem", &self.problem),
            ("root_cause", &self.root_cause),
            ("corrective_required", &self.corrective_required),
            ("preventive_required", &self.preventive_required),
        ])?;
        if !self.to.takes_capa_notice() {
            return Err(
                "a CAPA notice goes to a supplier, manufacturing or transport (BQ-E §5.6 (000 L674))".into(),
            );
        }
        Ok(())
    }
}

/// 《问题改进表单》: the quality section asks the system management department to open an
/// improvement project for an internal process (BQ-E §5.6.3, §4.6.2 (000 L674, L646)).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ProblemImprovementForm {
    /// Form number.
    pub form_no: String,
    /// The process to improve.
    pub process: String,
    /// The problem.
    pub problem: String,
    /// Proposed improvement.
    pub proposed_improvement: String,
}

impl TypedForm for ProblemImprovementForm {
    const KIND: &'static str = FormKind::ProblemImprovementForm.as_str();

    fn validate(&self) -> Result<(), String> {
        all_filled(&[
            ("form_no", &self.form_no),
            ("process", &self.process),
            ("problem", &self.problem),
            ("proposed_improvement", &self.proposed_improvement),
        ])
    }
}

/// Product type, for the change process to follow (BQ-E §5.6.4 (000 L674)).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ProductType {
    /// 《台式电脑产品变更流程》.
    Desktop,
    /// 《笔记本电脑产品变更流程》.
    Notebook,
    /// Another product type.
    Other,
}

/// 《产品变更申请单》 (flowchart: 产品变更通知单): a product change (BQ-E §5.6.4, §6–§9 (000 L674, L676)).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ProductChangeRequest {
    /// Request number.
    pub request_no: String,
    /// Product type.
    pub product_type: ProductType,
    /// The change.
    pub change: String,
    /// Reference in the change process.
    pub process_ref: String,
}

impl TypedForm for ProductChangeRequest {
    const KIND: &'static str = FormKind::ProductChangeRequest.as_str();

    fn validate(&self) -> Result<(), String> {
        all_filled(&[
            ("request_no", &self.request_no),
            ("change", &self.change),
            ("process_ref", &self.process_ref),
        ])
    }
}

/// A corrective or preventive item to verify.
#[derive(
    Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(tag = "item", rename_all = "snake_case")]
pub enum CapaItem {
    /// A CAPA notice.
    Notice {
        /// Notice number.
        notice_no: String,
    },
    /// A problem improvement form.
    Improvement {
        /// Form number.
        form_no: String,
    },
    /// A product change request.
    ProductChange {
        /// Request number.
        request_no: String,
    },
}

/// The quality section's verification that a measure was carried out
/// (跟踪验证纠正预防措施执行情况, BQ-E §9 (000 L676)).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct CapaVerification {
    /// The item.
    pub item: CapaItem,
    /// Carried out and effective.
    pub verified: bool,
    /// Evidence.
    pub evidence: String,
}

impl TypedForm for CapaVerification {
    const KIND: &'static str = FormKind::CapaVerification.as_str();

    fn validate(&self) -> Result<(), String> {
        filled("evidence", &self.evidence)
    }
}

/// Declares the procedure's typed forms once: [`register`] binds each to the registry, and a
/// unit test checks that each `KIND` is the [`FormKind`](super::FormKind) of the same name.
macro_rules! typed_forms {
    ($($form:ident),+ $(,)?) => {
        /// Register every typed form of the procedure (schema and `validate`).
        pub(super) fn register(reg: Registry) -> Registry {
            reg $(.typed_form::<$form>())+
        }

        #[cfg(test)]
        mod kinds {
            use super::*;
            use crate::Vocabulary;
            use crate::procedures::batch_quality::FormKind;

            #[test]
            fn every_form_kind_is_the_vocabulary() {
                $(assert_eq!(FormKind::$form.name(), <$form as TypedForm>::KIND);)+
                assert_eq!(FormKind::ALL.len(), [$(stringify!($form)),+].len());
            }
        }
    };
}

typed_forms!(
    BatchFeedbackReport,
    RejectionNotice,
    TsPreliminaryAnalysis,
    BatchStartDecision,
    FailedPartReturn,
    RdSolution,
    DirectorMeetingMinutes,
    Consultation,
    PlanEvaluation,
    OverallSolutionPlan,
    BatchReturnExchangeApplication,
    ProgressEntry,
    SeverityAssessment,
    QualityWarning,
    ProgressBulletin,
    ExecutionResultReport,
    EffectVerification,
    QualityAppraisalReport,
    ArbitrationRecord,
    LossDataSubmission,
    ClaimAppraisalReport,
    ClaimExecutionRecord,
    CapaNotice,
    ProblemImprovementForm,
    ProductChangeRequest,
    CapaVerification,
);
