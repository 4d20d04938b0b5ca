//! The configuration of the complaint procedure: every number of the seed is a field whose
//! [`Default`] is the seed's value, with the source line in its doc comment.
//!
//! Line references are `004 Lnnn` = line nnn of collection 004 (docs/sources.md)
//! (ZJHP-3-WI-QD-004 《客诉、客退产品处理管理办法》 A/0, 2018-3-27, `QD-004 (004 L647)`).

pub mod confidentiality;
pub mod severity;

use crate::{BusinessDuration, DurationRange};
use confidentiality::ConfidentialityPolicy;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
pub use severity::{External8dTrigger, MoldSeverityRule};
use std::collections::BTreeSet;
use std::fmt;

/// When the vice-president reviews the 8D / measures (「必要时报副总裁审阅」, `QD-004 §5.2.2.8 (004 L651)`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum VpReview {
    /// When the complaint is serious, or a reviewer refers it to the VP (ours: 「必要时」
    /// has no criterion in the seed).
    #[default]
    WhenSeriousOrReferred,
    /// Only when a reviewer refers it.
    WhenReferred,
    /// Every report.
    Always,
}

/// Which earlier complaints make a misjudgment "repeated" (§5.4, `QD-004 §5.4 (004 L602)`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum MisjudgmentMatch {
    /// The same customer misjudged the same phenomenon before (「前期客户误判现象」).
    #[default]
    SameCustomerSamePhenomenon,
    /// The same customer misjudged anything before.
    SameCustomer,
}

/// The complaint procedure's configuration.
///
/// Every limit states its **reading** (product decision `PD-DUR` (docs/sources.md)): 「N个工作日内」 is
/// the close of business of the N-th working day after the day the clock starts (a start
/// outside working time counts from the next working period), 「1月」 a calendar month.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default)]
pub struct Config {
    /// The CQE responds to a submitted handling form within 1 working day
    /// (「我司在一个工作日内积极响应」, QD-004 §8, `QD-004 §8 (004 L623)`). Reading: the close of business
    /// of the next working day ([`WorkingDaysClose`](BusinessDuration::WorkingDaysClose)`(1)`;
    /// a Friday 16:00 form is due Monday 18:00).
    pub response: BusinessDuration,
    /// Domestic: analysis complete within 3 working days from the handling form's issue
    /// (「自国内应用设计中心开出《客诉、客退产品处理单》起…3个工作日内完成分析」, QD-004 §8,
    /// `QD-004 §8 (004 L623)`). Reading: the close of business of the 3rd working day after the form's
    /// day.
    pub analysis_domestic: BusinessDuration,
    /// Domestic: problem solved and replied 「7个工作日内」 from the form's issue (QD-004 §8,
    /// `QD-004 §8 (004 L623)`). Reading: the close of business of the 7th working day.
    pub solve_reply_domestic: BusinessDuration,
    /// Domestic urgent, only after the company leadership's special approval: 2 working days
    /// (「紧急情况下经公司领导特批后可加急处理,2个工作日内解决问题并回复」, QD-004 §8,
    /// `QD-004 §8 (004 L623)`). Reading: the close of business of the 2nd working day.
    pub urgent_solve_reply_domestic: BusinessDuration,
    /// International: a solution within 15–30 working days (warn at the target, breach at
    /// the limit; QD-004 §8, `QD-004 §8 (004 L623)`, product decision `PD-DUR`). Reading: the close of business
    /// of the 15th (target) and the 30th (limit) working day.
    pub solution_international: DurationRange,
    /// International urgent, only after the special approval: a plan 「3个工作日」 (QD-004 §8,
    /// `QD-004 §8 (004 L623)`). Reading: the close of business of the 3rd working day.
    pub urgent_plan_international: BusinessDuration,
    /// Not the company's fault: the finding is fed back to the customer, orally or in writing,
    /// within 1 working day of the analysis (「若非本公司造成的应以口头或书面的形式于一个工作日内反馈
    /// 客户」, CC-PROC §5.2.1 (004 L478)). Reading: the close of business of the next working
    /// day after the pass verdict.
    pub not_liable_feedback: BusinessDuration,
    /// The company's fault and nothing returned: the reply 「经核准后两个工作日回复客户」
    /// (CC-PROC §5.2.2 (004 L480)). Reading: the close of business of the 2nd working day
    /// after the report's approval.
    pub liable_reply_no_return: BusinessDuration,
    /// Non-batch supplier defect: the supplier replies with its 8D and handling plan
    /// 「在2个工作日内」 (QD-004 §7.1.2, `QD-004 §7.1.2 (004 L601)`). Reading: the close of business of the
    /// 2nd working day.
    pub supplier_8d: BusinessDuration,
    /// Domestic: replaced defectives are back within 1 month of the spares shipment
    /// (「跟踪应用设计中心追回替换后的不良品(1个月内退回)」, QD-004 §4.4, `QD-004 §4.4 (004 L621)`).
    /// Reading: one calendar month, the same local time
    /// ([`CalendarMonths`](BusinessDuration::CalendarMonths)).
    pub defectives_return_domestic: BusinessDuration,
    /// International, when the return was decided as required (「根据具体客诉情况确定是否退回」,
    /// `QD-004 §4.4 (004 L621)`): the seed gives no period; INF: the domestic month (calendar month).
    pub defectives_return_international: BusinessDuration,
    /// The closure is re-checked within 1 month after handling is complete
    /// (「处理完成后的1月内再次跟踪异常的关闭情况」, QD-004 §8, `QD-004 §8 (004 L623)`). Reading: one
    /// calendar month, the same local time.
    pub closure_recheck: BusinessDuration,
    /// Containment of WIP and unshipped stock is 「立即」 (`QD-004 §5.3 (004 L652)`): no number in the seed,
    /// so untimed by default; a host may set one.
    pub containment: Option<BusinessDuration>,
    /// Departments analyse 「尽快」 (`QD-004 §5.3.2 (004 L589)`): untimed by default.
    pub department_analysis: Option<BusinessDuration>,
    /// Mould defect severity table of D1 (`RET-PC Att. 1 (004 L23–30)`); `None` disables it.
    pub mold_severity: Option<MoldSeverityRule>,
    /// When the 8D goes to the customer.
    pub external_8d: External8dTrigger,
    /// When the VP reviews.
    pub vp_review: VpReview,
    /// The outgoing-report confidentiality filter (§3.6, `QD-004 §3.6 (004 L628)`).
    pub confidentiality: ConfidentialityPolicy,
    /// Parts whose handling needs burn-in (老化) before shipping: power supplies and
    /// modules (「涉及电源和模组处理的,均需按正常订单流程老化后发货」, `QD-004 §5.2.2.4 (004 L659)`, `QD-004 §5.2.2.6 (004 L667)`).
    pub burn_in_part_kinds: BTreeSet<PartKind>,
    /// Failed parts that go back to the supplier for analysis: power supplies
    /// (「若不合格物料为电源需退供应商分析具体原因」, `QD-004 §5.2.2.1 (004 L670)`).
    pub supplier_return_part_kinds: BTreeSet<PartKind>,
    /// Parts that, when not returned, need a barcode and a front photo; every other part
    /// needs a defect photo (「不良电源提供条形码及正面图片,其余提供不良图片」, `QD-004 §5.1 (004 L661)`).
    pub barcode_photo_part_kinds: BTreeSet<PartKind>,
    /// Which earlier misjudgments move costs to selling expense (`QD-004 §5.4 (004 L602)`).
    pub misjudgment_match: MisjudgmentMatch,
    /// At least one customer-satisfaction record before closure (ours: the seed says
    /// 「定期跟踪」, `QD-004 §8 (004 L623)`).
    pub require_satisfaction_before_close: bool,
}

impl Default for Config {
    fn default() -> Self {
        use BusinessDuration::CalendarMonths;
        let close = BusinessDuration::close_of_working_day;
        Config {
            response: close(1),
            analysis_domestic: close(3),
            solve_reply_domestic: close(7),
            urgent_solve_reply_domestic: close(2),
            solution_international: international_range(),
            urgent_plan_international: close(3),
            not_liable_feedback: close(1),
            liable_reply_no_return: close(2),
            supplier_8d: close(2),
            defectives_return_domestic: CalendarMonths(1),
            defectives_return_international: CalendarMonths(1),
            closure_recheck: CalendarMonths(1),
            containment: None,
            department_analysis: None,
            mold_severity: Some(MoldSeverityRule::default()),
            external_8d: External8dTrigger::default(),
            vp_review: VpReview::default(),
            confidentiality: ConfidentialityPolicy::default(),
            burn_in_part_kinds: [PartKind::PowerSupply, PartKind::Module].into(),
            supplier_return_part_kinds: [PartKind::PowerSupply].into(),
            barcode_photo_part_kinds: [PartKind::PowerSupply].into(),
            misjudgment_match: MisjudgmentMatch::default(),
            require_satisfaction_before_close: true,
        }
    }
}

/// 15–30 working days, each to the close of business (QD-004 §8, `QD-004 §8 (004 L623)`).
fn international_range() -> DurationRange {
    match DurationRange::new(
        BusinessDuration::close_of_working_day(15),
        BusinessDuration::close_of_working_day(30),
    ) {
        Ok(range) => range,
        // 15 <= 30: `new` only refuses a target above its limit.
        Err(_) => unreachable!(),
    }
}

/// The kind of part concerned.
#[derive(
    Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum PartKind {
    /// 电源 (power supply).
    PowerSupply,
    /// 模组 (module).
    Module,
    /// 整灯 (complete lamp).
    Lamp,
    /// 导线 (wire).
    Wire,
    /// Anything else.
    Other(String),
}

impl fmt::Display for PartKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PartKind::PowerSupply => f.write_str("power supply (电源)"),
            PartKind::Module => f.write_str("module (模组)"),
            PartKind::Lamp => f.write_str("lamp (整灯)"),
            PartKind::Wire => f.write_str("wire (导线)"),
            PartKind::Other(s) => f.write_str(s),
        }
    }
}
