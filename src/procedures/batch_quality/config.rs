//! The configuration of the batch quality procedure: every number of the seed is a field
//! whose default is the seed's value, with its source line.

use super::Role;
use crate::BusinessDuration;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Where the regional quality section's 4-working-hour clock for forwarding to R&D starts
/// (BQ-E §5.2.1 (000 L654) "并在4个工作小时内流转到产品研发中心"; the seed does not say from when).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ForwardAnchor {
    /// From receipt at the quality section (the stricter reading; default, spec A.8 #2).
    #[default]
    ReceiptAtRqs,
    /// From the moment the quality section started the batch process.
    BatchStarted,
}

/// The headquarters departments, region-wide by default (OURS reading of BQ-E §4 (000
/// L644–L650): the service platform's headquarters departments, quality management, its
/// system management, R&D, the product departments, the business groups' sales, procurement,
/// market PR, legal, and any other department or loss department, which may sit anywhere).
pub const REGION_WIDE: &[Role] = &[
    Role::ProductTechSupport,
    Role::SparePartsMgmt,
    Role::ServicePlatform,
    Role::QualityMgmtDept,
    Role::SystemMgmtDept,
    Role::Rnd,
    Role::ProductDept,
    Role::Sales,
    Role::Procurement,
    Role::ProcurementCommercial,
    Role::MarketPr,
    Role::Legal,
    Role::OtherDept,
    Role::LossDept,
];

/// Configuration of [`definition`](super::definition), the batch rule
/// ([`assess`](super::assess)) and detection ([`detect`](fn@super::detect)).
///
/// `Default` gives the seed's values; each field cites its source line in 000 (the batch
/// procedure, Edition E, BQ-E (000 L634–L676)) or the product decisions (`PD-…` keys, docs/sources.md).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// The regional technical-support engineer verifies a station's submission within this
    /// many working hours: 4 (BQ-E §5.1.1 (000 L650) "区域技术支持工程师在4个工作小时内响应"). Reading:
    /// working time, exact ([`WorkingHours`](crate::BusinessDuration::WorkingHours)).
    pub rtse_verify_within_hours: u32,
    /// Product technical support confirms and forwards within this many working hours: 4
    /// (BQ-E §5.1.1 (000 L650) "在4个工作小时内将信息流转给区域质量处"; restated BQ-E §5.2.1 (000 L654)). Reading: working
    /// hours, exact.
    pub ts_confirm_within_hours: u32,
    /// The regional quality section responds to (reviews) a forwarded issue within this many
    /// working hours: 4 (BQ-E §5.1.1 (000 L652) "区域质量处收到…在4个工作小时内响应"). Reading: working
    /// hours, exact.
    pub rqs_review_within_hours: u32,
    /// The regional quality section forwards a started issue to R&D within this many working
    /// hours: 4 (BQ-E §5.2.1 (000 L654) "并在4个工作小时内流转到产品研发中心"). Reading: working hours,
    /// exact.
    pub rqs_forward_to_rd_within_hours: u32,
    /// Where the forwarding clock starts (OURS; BQ-E §5.2.1 (000 L654) is silent).
    pub rqs_forward_anchor: ForwardAnchor,
    /// For machines not yet accepted by the user, R&D provides an effective solution within
    /// this many working days: 2 (BQ-E §5.2.1 (000 L654) "对于未验收的机器…在2个工作日内提供有效方案").
    /// Reading: the close of business of the 2nd working day after the forwarding day
    /// ([`close_of_working_day`](crate::BusinessDuration::close_of_working_day); 0 = the
    /// close of the forwarding day).
    pub rd_solution_not_accepted_within_days: u32,
    /// For accepted machines, R&D responds within this many working days: 1 (BQ-E §5.2.1 (000 L654)
    /// "对于已经验收合格的机器…在1个工作日内响应"). Reading: the close of business of the
    /// next working day.
    pub rd_response_accepted_within_days: u32,
    /// For accepted machines, R&D gives an effective conclusion within this many working
    /// days: 4 (BQ-E §5.2.1 (000 L654) "4个工作日内反馈有效结论"; the page header splits the sentence).
    /// Reading: the close of business of the 4th working day.
    pub rd_conclusion_accepted_within_days: u32,
    /// When an R&D limit is missed, move the issue straight to the director-level meeting
    /// instead of flagging it for the quality section to convene "适时" (at a suitable time).
    /// Default `false`: flag and notify (000 L656, product decision `PD-MISS`).
    pub director_meeting_auto: bool,
    /// "用户使用数量少于300台": a user with fewer than this many units of the model falls under
    /// the count rule: 300 (BQ-E §2.2 (000 L638)).
    pub small_user_units_below: u32,
    /// "数量超过15台": the count rule needs strictly more than this many failed units: 15
    /// (BQ-E §2.2 (000 L638)).
    pub small_user_failures_more_than: u32,
    /// "比例超过5%": the ratio rules need strictly more than this percentage: 5 (BQ-E §2.2 (000 L638)).
    /// Compared in integers: `100 × failed > percent × units`.
    pub ratio_more_than_percent: u32,
    /// "3个月内": the rolling window, in calendar months, ending at the evaluation: 3
    /// (000 L638; product decision `PD-BATCH`).
    pub window_months: u32,
    /// Whether the window's first day counts (OURS: yes).
    pub window_start_inclusive: bool,
    /// Smallest population for the component ratio rule (C3); `None` = no minimum, as in the
    /// seed (BQ-E §2.2 (000 L638) names none; OURS).
    pub c3_min_population: Option<u64>,
    /// How often the quality section must publish a progress bulletin during execution;
    /// `None` = no limit, the seed only says "定期" (regularly) (BQ-E §5.4.2 (000 L668)).
    pub progress_bulletin_every: Option<BusinessDuration>,
    /// Whether a failed part may be given to the supplier for analysis: `false`
    /// ("原则上不允许提供故障部件给供应商分析", BQ-E §5.2.2 (000 L658)).
    pub allow_failed_part_to_supplier: bool,
    /// During user acceptance a whole-machine replacement is preferred; another plan needs a
    /// stated reason: `true` ("优先考虑整机更换", BQ-E §3.1 (000 L640)).
    pub prefer_replacement_when_not_accepted: bool,
    /// The departments that jointly draw up a whole-machine replacement plan, each signing
    /// it (BQ-E §3.1 (000 L642): 品质管理部, 服务平台, 产品部门, 销售平台各产品业务部,
    /// 各区域分公司销售部门). The regional quality section signs last in any case.
    pub replacement_plan_coauthors: Vec<Role>,
    /// The departments that must evaluate a plan as effective and feasible before approval
    /// (BQ-E §5.2.4 (000 L664) "各部门对处理方案的有效性、可行性进行评估"; the list is OURS).
    pub plan_evaluators: Vec<Role>,
    /// The roles that act in every region: the headquarters departments (see
    /// [Regions](crate::Actor#regions)). The others — the station (当地维修站), the engineer
    /// (对应的区域技术支持工程师), regional service management, the regional quality section
    /// (区域质量处), the branch and its sales — act only on issues of their own region when
    /// the host starts an issue in a region ([`Engine::start_in`](crate::Engine::start_in))
    /// (BQ-E §5.1.2–5.1.3 (000 L652); the list is OURS).
    pub region_wide_roles: Vec<Role>,
    /// The addressee of a CAPA notice replies within this limit; `None` = no limit, the seed
    /// names none (督促…制定和实施纠正预防措施, BQ-E §5.6.2 (000 L674), §4.6.1 (000 L646)).
    /// Reading: the host's duration as configured.
    pub capa_response_within: Option<BusinessDuration>,
    /// The director-level meeting decides within this limit once convened; `None` = no
    /// limit, the seed says only "适时" (at a suitable time) (BQ-E §5.2.1 (000 L656)).
    /// Reading: the host's duration as configured.
    pub director_meeting_within: Option<BusinessDuration>,
    /// "定期发布…周报": each started issue is in a weekly report at least this often: 7
    /// calendar days (BQ-E §5.4.3 (000 L668)). Reading: 24:00 local of the 7th day after the
    /// start of the batch process, then of the last report
    /// ([`CalendarDaysToMidnight`](crate::BusinessDuration::CalendarDaysToMidnight)(7)); like
    /// every clock, it pauses while the plan is drawn up. `None`: no clock.
    pub weekly_report_every: Option<BusinessDuration>,
    /// "定期发布…月报": each started issue is in a monthly report at least this often: one
    /// calendar month (BQ-E §5.4.3 (000 L668)). Reading: the same time of day one calendar
    /// month after the start, then after the last report
    /// ([`CalendarMonths`](crate::BusinessDuration::CalendarMonths)(1)). `None`: no clock.
    pub monthly_report_every: Option<BusinessDuration>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            rtse_verify_within_hours: 4,
            ts_confirm_within_hours: 4,
            rqs_review_within_hours: 4,
            rqs_forward_to_rd_within_hours: 4,
            rqs_forward_anchor: ForwardAnchor::ReceiptAtRqs,
            rd_solution_not_accepted_within_days: 2,
            rd_response_accepted_within_days: 1,
            rd_conclusion_accepted_within_days: 4,
            director_meeting_auto: false,
            small_user_units_below: 300,
            small_user_failures_more_than: 15,
            ratio_more_than_percent: 5,
            window_months: 3,
            window_start_inclusive: true,
            c3_min_population: None,
            progress_bulletin_every: None,
            allow_failed_part_to_supplier: false,
            prefer_replacement_when_not_accepted: true,
            replacement_plan_coauthors: vec![
                Role::QualityMgmtDept,
                Role::ServicePlatform,
                Role::ProductDept,
                Role::Sales,
                Role::BranchSales,
            ],
            plan_evaluators: vec![Role::Rnd, Role::RegionalServiceMgmt, Role::Sales],
            region_wide_roles: REGION_WIDE.to_vec(),
            capa_response_within: None,
            director_meeting_within: None,
            weekly_report_every: Some(BusinessDuration::CalendarDaysToMidnight(7)),
            monthly_report_every: Some(BusinessDuration::CalendarMonths(1)),
        }
    }
}
