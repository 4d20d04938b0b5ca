//! The procedure's configuration: every number from the seed, with the seed's value as the
//! default, and the policy switches the code reads.

use super::Role;
use crate::BusinessDuration;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// When the replacement is ordered.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReplacementPolicy {
    /// 「先补发,再追究」: replace first, investigate later (RF-PROP §3 (004 L48–52)). The replacement may
    /// be requested from the announcement on, before the goods are back or liability is known;
    /// the old liability-first flow is explicitly rejected (RF-PROP §4.1 (004 L56–58)).
    #[default]
    ReplaceFirst,
    /// Liability first (D9 / D11 style, RET-HRS (004 L376–381)): the replacement may be requested only
    /// after the inspection report, and is then due within
    /// [`replenishment_limit`](Config::replenishment_limit).
    InvestigateFirst,
}

/// A duration per customer class.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ByClass {
    /// Class A.
    pub a: BusinessDuration,
    /// Class B.
    pub b: BusinessDuration,
    /// Class C.
    pub c: BusinessDuration,
}

/// Configuration of the customer return procedure. `Default` holds the seed's values; a
/// JSON config may give only the fields it changes.
///
/// Every limit states its **reading** (product decision `PD-DUR` (docs/sources.md)): 「N个工作日内」 is
/// the close of business of the N-th working day, 「当天 / 当日」 the close of business of the
/// start day, unqualified 「N天」 calendar days to 24:00 local, `H` wall-clock hours.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default)]
pub struct Config {
    /// Replace first or investigate first. Default replace first (RF-PROP §3, §4.2 item 1 (004 L48–52, L60)).
    pub replacement_policy: ReplacementPolicy,
    /// From the customer service manager's confirmation to the order: 「当日立即知会生产厂」
    /// (RF-PROP (004 L36–73), RF-PROP §4.2 item 1 (004 L60)). Reading: the close of business of the confirmation day
    /// ([`SameDayClose`](BusinessDuration::SameDayClose), 当日; a confirmation after close
    /// or on a non-working day: the next working day's close).
    ///
    /// By customer class (RF-PROP §4.2 item 1 处理时间 (004 L64–67) sets A/B/C classes for the
    /// handling): the text gives 当日 for every class, so all three default to
    /// [`SameDayClose`](BusinessDuration::SameDayClose); a host may set class limits.
    pub replacement_order_limit: ByClass,
    /// From the complaint to the arrival promise, by customer class (RF-PROP (004 L36–73), RF-PROP §4.2 item 1 (004 L62–67):
    /// 「接到投诉的当日…承诺」, 「A类客户:1天,即当天」, 「B类客户:2天」, 「C类客户:3天」).
    /// Reading: A = the close of business of the complaint day
    /// ([`SameDayClose`](BusinessDuration::SameDayClose), 当天); B and C count the complaint
    /// day as day 1 and end at 24:00 local of day 2 / day 3
    /// ([`CalendarDaysInclusive`](BusinessDuration::CalendarDaysInclusive) 2 / 3), spec
    /// product decision `PD-DUR` (docs/sources.md).
    pub arrival_promise: ByClass,
    /// From the complaint (the case opened) to the handling and ship times promised to the
    /// dealer: 「客服专员接到投诉的当日并向经销商承诺处理时间及发货时间」 (RF-PROP §4.2 item 1,
    /// RF-PROP §4.2 item 1 (004 L62)). Reading: the close of business of the complaint day
    /// ([`SameDayClose`](BusinessDuration::SameDayClose)). The clock runs for every case that
    /// asks for a replacement from the start and is met by the replacement request carrying
    /// the [`DealerCommitment`](super::DealerCommitment) (or by its promise to an end
    /// customer).
    pub handling_promise_limit: BusinessDuration,
    /// From the announcement to the damaged goods being back at the factory: the replaced
    /// defective goods are retrieved 「1个月内退回」 (QD-004 §4.4 (004 L621); 再提回损坏产品,
    /// RF-PROP §4.2 item 2 (004 L69)). Reading: one calendar month, the same local time.
    pub retrieval_limit: BusinessDuration,
    /// From the case opened to the customer's request taken down (客户要求 1H, RET-HRS
    /// (004 L388–389, L400)). Reading: 1 hour of wall-clock time.
    pub customer_request_limit: BusinessDuration,
    /// From the approved judgement that the cause is not the company's to the outcome notice
    /// (「若非本公司造成的应…于一个工作日内反馈客户」, CC-PROC §5.2.1 (004 L478)). Reading: the
    /// close of business of the next working day (`PD-DUR`).
    pub not_ours_feedback: BusinessDuration,
    /// From the follower asking for the quality contacts' communication to its record
    /// (客户沟通, 双方品质担当 1H, RET-HRS (004 L390–396)). Reading: 1 hour of wall-clock time.
    pub customer_communication_limit: BusinessDuration,
    /// From receipt to the return inspection report (返品检验报告 1H, RET-HRS (004 L368–369)),
    /// a limit of its own beside the first classification. Reading: 1 hour of wall-clock
    /// time.
    pub inspection_report_limit: BusinessDuration,
    /// Handling cycle of appearance-type returns, from the CQE's classification to the
    /// ledger (结案): 「外观类处理周期为1周」 (RET-REV step 3 (004 L210)). Reading: 7 calendar
    /// days, the same local time ([`CalendarDays`](BusinessDuration::CalendarDays)`(7)`).
    pub handling_cycle_appearance: BusinessDuration,
    /// Handling cycle of function-type returns (function, power supply, module): 「功能类处理
    /// 周期为2~4周」 (RET-REV step 3 (004 L210)): the target, 2 weeks (a warning). Reading: 14
    /// calendar days.
    pub handling_cycle_function_target: BusinessDuration,
    /// The limit of the function-type range, 4 weeks (RET-REV step 3 (004 L210)). Reading: 28
    /// calendar days.
    pub handling_cycle_function_limit: BusinessDuration,
    /// Investigate-first only: equal-quantity replenishment within 2 hours of the request
    /// after the inspection report (平数补货 2H, RET-HRS (004 L376–381)). Reading: 2 hours of
    /// wall-clock time ([`Hours`](BusinessDuration::Hours); the flow chart writes H).
    pub replenishment_limit: BusinessDuration,
    /// From receipt to the CQE's first classification: 1 H, 「第一时间」 (RET-HRS (004 L368, L397)).
    /// Reading: 1 hour of wall-clock time ([`Hours`](BusinessDuration::Hours)).
    pub classification_limit: BusinessDuration,
    /// From receipt to the approved responsibility judgement: 「2天内完成」 (RET-PROC §5.8,
    /// RET-PROC §5.8 (004 L144)). Reading: unqualified days are calendar days, ending at 24:00 local of the 2nd
    /// day after the receipt day
    /// ([`CalendarDaysToMidnight`](BusinessDuration::CalendarDaysToMidnight)`(2)`).
    pub judgement_limit: BusinessDuration,
    /// From the handling form to the CQE's analysis: 「3个工作日内完成分析」 (QD-004 §8,
    /// QD-004 §8 (004 L623)). Reading: the close of business of the 3rd working day after the form's day
    /// ([`WorkingDaysClose`](BusinessDuration::WorkingDaysClose)`(3)`). Domestic only: the
    /// 3 days run 「自国内应用设计中心开出《客诉、客退产品处理单》起」 (QD-004 §8 (004 L623)); an
    /// international return's analysis is bounded by
    /// [`reply_limit_international`](Config::reply_limit_international) instead.
    pub analysis_limit: BusinessDuration,
    /// From the handling form to solving and replying, domestic: 「7个工作日内解决问题并回复」
    /// (QD-004 §8 (004 L623)). Reading: the close of business of the 7th working day.
    pub reply_limit_domestic: BusinessDuration,
    /// The same after the leadership's special approval (特批), domestic: 「2个工作日内」
    /// (QD-004 §8 (004 L623)). Reading: the close of business of the 2nd working day.
    pub urgent_reply_limit_domestic: BusinessDuration,
    /// The same, international: a solution within 「15-30个工作日内」 (QD-004 §8 (004 L623)); the
    /// target raises a warning. Reading: the close of business of the 15th working day.
    pub reply_target_international: BusinessDuration,
    /// The limit of the international range (30 working days, QD-004 §8 (004 L623)). Reading:
    /// the close of business of the 30th working day.
    pub reply_limit_international: BusinessDuration,
    /// The same after 特批, international: 「3个工作日给出处理方案」 (QD-004 §8 (004 L623)).
    /// Reading: the close of business of the 3rd working day.
    pub urgent_reply_limit_international: BusinessDuration,
    /// Rework by manufacturing: 24 H (返修 24H, RET-HRS (004 L370–371)). Reading: 24 hours of
    /// wall-clock time ([`Hours`](BusinessDuration::Hours); the flow chart writes H, not 天).
    pub rework_limit: BusinessDuration,
    /// Finished-goods stock-in: 2 H (成品入库 2H, RET-HRS (004 L372–375)). Reading: 2 hours of
    /// wall-clock time.
    pub stock_in_limit: BusinessDuration,
    /// A non-batch supplier defect: 8D report and plan 「在2个工作日内」 (QD-004 §7.1.2,
    /// QD-004 §7.1.2 (004 L601)). Reading: the close of business of the 2nd working day.
    pub supplier_8d_limit: BusinessDuration,
    /// Re-check of the closure 「处理完成后的1月内」 (QD-004 §8 (004 L623)). Reading: one calendar
    /// month, the same local time ([`CalendarMonths`](BusinessDuration::CalendarMonths)).
    pub closure_recheck: BusinessDuration,
    /// Production control may submit the handling form to the CQE (D1 style, RET-PC step 1 (004 L8));
    /// default false: the design center submits it (D12, QD-004 §6.1 (004 L604)).
    pub production_control_may_submit: bool,
    /// Goods must be isolated and labelled on receipt (隔离、标识, RET-CTRL §3.5 (004 L284)). Default true.
    pub require_isolation_label: bool,
    /// A receipt without a notice to production control records a bypass penalty on the
    /// person who failed to notify (RET-PC step 2 (004 L9) with RET-PROC §7 (004 L156)). Default true.
    pub penalise_unannounced: bool,
    /// The bypass penalty: 「责任人乐捐20元每次」 (RET-PROC §7 (004 L156)). Default 2000 fen.
    pub bypass_penalty_fen: i64,
    /// Who may override the procedure (always recorded with a penalty). Ours; default the
    /// GM office.
    pub override_roles: Vec<Role>,
    /// The relevant departments (相关部门) signing a scrap application first, in any order
    /// (QD-004 §9 note 1, §6.2.2 (004 L507, L493); PMC verification RET-HRS (004 L383)). Default quality manager and production
    /// control.
    pub scrap_departments: Vec<Role>,
    /// The GM office approves every scrap after the design center's vice president
    /// (总经办批准 RET-PROC §5.10 (004 L152); 总经理核准 CC-PROC §5.2.5 (004 L486)). Default true: the strictest chain
    /// (product decision `PD-STRICT`).
    pub scrap_needs_gm_office: bool,
    /// Signers of the 《工作联系单》, in order: 品质经理批准, 相关部门领导签字 (QD-004 §5.2.2.6 (004 L667)). Default
    /// quality manager, then manufacturing.
    pub work_liaison_signers: Vec<Role>,
    /// Repaired power supplies and modules are aged like a normal order before they go out
    /// (QD-004 §5.2.2.4, §5.2.2.6 (004 L659, L667)). Default true.
    pub age_power_supply_and_module: bool,
    /// An exchange for a changed need is charged to the customer. Ours (QD-004 §3.3 (004 L585) is silent);
    /// default true.
    pub exchange_need_changed_charged: bool,
    /// Loan term when the loan does not name one, in months. Ours; default 1, by analogy
    /// with 「1个月内退回」 (QD-004 §4.4 (004 L621)).
    pub loan_default_term_months: u32,
    /// Longest loan, extensions included, in months. Ours; default 3.
    pub loan_max_term_months: u32,
    /// An overdue loan is escalated to the vice president and the GM office after this.
    /// Ours; default 5 working days, read like the documents' working-day limits: the close
    /// of business of the 5th working day.
    pub loan_overdue_escalation: BusinessDuration,
    /// The customer's consent is recorded and required before the handling plan is carried
    /// out and before goods are scrapped: 「由相关部门编制纠正和预防措施计划,经客户同意后实施」
    /// (CC-PROC §5.2.5 (004 L486)). Default true.
    pub require_customer_consent: bool,
    /// A repair for the customer of customer-caused goods is done as a favour without a fee:
    /// 「可返修的可以帮忙返修…不可做扣款」 (RET-PMC (004 L542–544)). Default false: the
    /// canonical text lets sales negotiate the fee (返修及付费事宜, RET-PC handling item 2,
    /// RET-PC handling item 2 (004 L20)).
    pub favour_repair_no_deduction: bool,
    /// Customer service may place the repair order to the workshop (《工作联系单》):
    /// 「对品质部确认维修的退货产品由客服部下单至相应车间」 (RET-PROC §5.9 (004 L145)). Default
    /// false: the canonical text has the CQE file it (QD-004 §5.2.2.6 (004 L667)).
    pub repair_order_by_customer_service: bool,
    /// The closure re-check needs the customer's satisfaction recorded first: 「应用设计中心
    /// 定期跟踪客户对客诉处理的满意度,并填写在《客诉、客退产品处理单》上」 (QD-004 §8 (004 L623)).
    /// Default true.
    pub require_satisfaction: bool,
    /// Copies of the 免费/收费 marks to finance per month: 「(1个月2次)」 (RET-PROC §5.7,
    /// RET-PROC §5.7 (004 L151)); see [`finance_copy_periods`](super::finance_copy_periods). Default 2.
    pub finance_copies_per_month: u32,
    /// The confidentiality filter for the outcome notice to the customer (保密原则,
    /// QD-004 §3.6 (004 L628)); default the document's categories.
    pub confidentiality: crate::procedures::confidentiality::ConfidentialityPolicy,
}

impl Default for Config {
    fn default() -> Self {
        use BusinessDuration::*;
        let close = BusinessDuration::close_of_working_day;
        Config {
            replacement_policy: ReplacementPolicy::ReplaceFirst,
            replacement_order_limit: ByClass {
                a: SameDayClose,
                b: SameDayClose,
                c: SameDayClose,
            },
            arrival_promise: ByClass {
                a: SameDayClose,
                b: BusinessDuration::calendar_days_counting_start(2),
                c: BusinessDuration::calendar_days_counting_start(3),
            },
            handling_promise_limit: SameDayClose,
            retrieval_limit: CalendarMonths(1),
            customer_request_limit: Hours(1),
            not_ours_feedback: close(1),
            customer_communication_limit: Hours(1),
            inspection_report_limit: Hours(1),
            handling_cycle_appearance: CalendarDays(7),
            handling_cycle_function_target: CalendarDays(14),
            handling_cycle_function_limit: CalendarDays(28),
            replenishment_limit: Hours(2),
            classification_limit: Hours(1),
            judgement_limit: CalendarDaysToMidnight(2),
            analysis_limit: close(3),
            reply_limit_domestic: close(7),
            urgent_reply_limit_domestic: close(2),
            reply_target_international: close(15),
            reply_limit_international: close(30),
            urgent_reply_limit_international: close(3),
            rework_limit: Hours(24),
            stock_in_limit: Hours(2),
            supplier_8d_limit: close(2),
            closure_recheck: CalendarMonths(1),
            production_control_may_submit: false,
            require_isolation_label: true,
            penalise_unannounced: true,
            bypass_penalty_fen: 2000,
            override_roles: vec![Role::GmOffice],
            scrap_departments: vec![Role::QualityManager, Role::ProductionControl],
            scrap_needs_gm_office: true,
            work_liaison_signers: vec![Role::QualityManager, Role::ProductionWorkshop],
            age_power_supply_and_module: true,
            exchange_need_changed_charged: true,
            loan_default_term_months: 1,
            loan_max_term_months: 3,
            loan_overdue_escalation: close(5),
            require_customer_consent: true,
            favour_repair_no_deduction: false,
            repair_order_by_customer_service: false,
            require_satisfaction: true,
            finance_copies_per_month: 2,
            confidentiality: Default::default(),
        }
    }
}
