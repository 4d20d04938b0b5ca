//! The case and the instance data of a customer return, exchange or loan.
//!
//! The host starts an instance with [`Data::new`]`(case)` serialized by [`Data::to_value`];
//! everything else in the data is written by the procedure's effects. Documents (notices,
//! reports, applications) live in the instance's forms, not in the data.

use crate::ActorId;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Customer class for the arrival promise (RF-PROP §4.2 item 1 处理时间 (004 L65–67)). The seed does not define the
/// classes: the host assigns them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
pub enum CustomerClass {
    /// A类客户: arrival promised the same day (RF-PROP §4.2 item 1 处理时间 (004 L65)).
    A,
    /// B类客户: arrival promised within 2 days (RF-PROP §4.2 item 1 处理时间 (004 L66)).
    B,
    /// C类客户: arrival promised within 3 days (RF-PROP §4.2 item 1 处理时间 (004 L67)).
    C,
}

/// Which application design center serves the customer (QD-004 §8 (004 L623)).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReturnRegion {
    /// 国内应用设计中心: 7 working days to solve and reply (QD-004 §8 (004 L623)).
    Domestic,
    /// 国际应用设计中心: 15–30 working days (QD-004 §8 (004 L623)).
    International,
}

/// The customer of the case.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Customer {
    /// The host's customer id.
    pub id: String,
    /// Class A, B or C (RF-PROP §4.2 item 1 处理时间 (004 L65–67)).
    pub class: CustomerClass,
    /// Domestic or international (QD-004 §8 (004 L623)).
    pub region: ReturnRegion,
    /// The dealer account to debit when the customer is a dealer (经销商帐户, RF-PROP §3, §4.2 item 3 (004 L50, L71));
    /// `None` for an end customer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dealer_account: Option<String>,
}

/// What the customer says the return is (RET-PC step 4 (004 L34)).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ClaimedReturnType {
    /// 销退品: a sales return, goods to be replenished.
    SalesReturn,
    /// 只退不补品: returned without replenishment (RET-PC handling item 4 (004 L31)).
    ReturnOnly,
}

/// Why goods are exchanged (客换, QD-004 §3.3 (004 L585)).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ExchangeReason {
    /// 客户需求变更: the customer's need changed.
    CustomerNeedChanged,
    /// 应用设计中心与客户沟通不到位: the design center misunderstood the need.
    AdcMiscommunication,
}

/// The three case kinds of QD-004 §3.2, §3.3, §3.4 (004 L584–586).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum CaseKind {
    /// 客退: a return caused by non-quality factors (QD-004 §3.2 (004 L584)).
    Return {
        /// The customer's claimed return type (RET-PC step 4 (004 L34)).
        claimed_type: ClaimedReturnType,
        /// Whether the customer wants the goods replaced.
        replacement_wanted: bool,
    },
    /// 客换: an exchange; the design center orders the replenishment (QD-004 §3.3, §6.1 (004 L585, L604)).
    Exchange {
        /// Why.
        reason: ExchangeReason,
    },
    /// 客借: goods lent for sample confirmation that must come back (QD-004 §3.4 (004 L586)).
    Loan,
}

/// The case as the host opens it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Case {
    /// Return, exchange or loan.
    pub kind: CaseKind,
    /// The customer.
    pub customer: Customer,
    /// Product name or model.
    pub product: String,
}

impl Case {
    /// Check the case: ids present, and a return-only claim never asks for a replacement
    /// (只退不补, RET-PC handling item 4 (004 L31)).
    ///
    /// # Errors
    /// The first problem, in words.
    pub fn validate(&self) -> Result<(), String> {
        if self.customer.id.trim().is_empty() {
            return Err("the customer id is empty".into());
        }
        if self.product.trim().is_empty() {
            return Err("the product is empty".into());
        }
        if self
            .customer
            .dealer_account
            .as_ref()
            .is_some_and(|a| a.trim().is_empty())
        {
            return Err("the dealer account is empty".into());
        }
        if let CaseKind::Return {
            claimed_type: ClaimedReturnType::ReturnOnly,
            replacement_wanted: true,
        } = self.kind
        {
            return Err("return-only goods (只退不补品) are never replaced (RET-PC handling item 4 (004 L31))".into());
        }
        Ok(())
    }

    /// Whether the case needs a replacement: always for an exchange (QD-004 §6.1 (004 L604)), for a
    /// return when the customer wants one, never for a loan.
    pub fn replacement_applicable(&self) -> bool {
        match self.kind {
            CaseKind::Return {
                replacement_wanted, ..
            } => replacement_wanted,
            CaseKind::Exchange { .. } => true,
            CaseKind::Loan => false,
        }
    }

    /// Whether this is a loan (客借).
    pub fn is_loan(&self) -> bool {
        self.kind == CaseKind::Loan
    }

    /// Whether the customer is a dealer with an account to debit.
    pub fn is_dealer(&self) -> bool {
        self.customer.dealer_account.is_some()
    }
}

/// Where the replacement track stands (RF-PROP (004 L48–67)).
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum ReplacementStatus {
    /// No replacement requested.
    #[default]
    None,
    /// Declined by the customer service manager, with a reason (RF-PROP §3 (004 L48)); it may
    /// be requested again.
    Declined,
    /// Requested by customer service, the design center or sales.
    Requested,
    /// Confirmed by the customer service manager (RF-PROP §3, §4.2 item 1 (004 L48, L60)).
    Confirmed,
    /// Production and logistics told (RF-PROP §4.2 item 1 (004 L60)).
    Ordered,
    /// Shipped by logistics.
    Shipped,
    /// Arrived at the customer's (RF-PROP §4.2 item 1 (004 L64–67)).
    Arrived,
}

impl ReplacementStatus {
    /// Shipped or arrived: the replacement track is settled (RF-PROP §3, §4.2 item 1 (004 L48, L60)).
    pub fn shipped(self) -> bool {
        matches!(
            self,
            ReplacementStatus::Shipped | ReplacementStatus::Arrived
        )
    }
}

/// Progress of the rework planning step.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ReworkProgress {
    /// The design center declared it cannot issue a handling plan (「若无法出具」, QD-004 §6.2.2 (004 L493)).
    pub adc_declined: bool,
    /// Aging done after a power-supply or module repair (QD-004 §5.2.2.4, §5.2.2.6 (004 L659, L667)).
    pub aging_done: bool,
}

/// Progress of the 《客诉退料申请单》 sign-off (QD-004 §6.2.1 (004 L492)).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct RestockProgress {
    /// The OQC inspector and the quality manager have signed.
    pub quality_signed: bool,
    /// The planning manager has signed after them.
    pub planning_signed: bool,
}

/// Progress of the 《报废申请单》 chain (QD-004 §9 note 1; RET-PROC §5.10; CC-PROC §5.2.5 (004 L507, L152, L486)).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ScrapProgress {
    /// The relevant departments (相关部门) have signed.
    pub departments_signed: bool,
    /// The design center's vice president has approved.
    pub vp_signed: bool,
    /// The GM office has approved.
    pub gm_signed: bool,
}

/// The terms of a loan (客借, QD-004 §3.4 (004 L586); the term is ours).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct LoanTerms {
    /// What is lent.
    pub items: String,
    /// How many units.
    pub qty: u32,
    /// The sample confirmation it is lent for.
    pub purpose: String,
    /// Months until it must be back; `None` takes the configured default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub term_months: Option<u32>,
}

impl LoanTerms {
    /// Check the terms.
    ///
    /// # Errors
    /// The first problem, in words.
    pub fn validate(&self) -> Result<(), String> {
        if self.items.trim().is_empty() || self.purpose.trim().is_empty() {
            return Err("a loan names its items and its purpose".into());
        }
        if self.qty == 0 {
            return Err("a loan lends at least one unit".into());
        }
        if self.term_months == Some(0) {
            return Err("a loan term is at least one month".into());
        }
        Ok(())
    }
}

/// A loan on the instance.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Loan {
    /// The terms given when lending.
    pub terms: LoanTerms,
    /// The running term in months (the `loan_return` deadline reads it).
    pub term_months: u32,
    /// Months granted so far, extensions included.
    pub months_granted: u32,
}

/// A process-bypass penalty (乐捐, RET-PROC §7 (004 L156)): 20 yuan per occurrence by default.
///
/// Recorded on the data for an unannounced receipt, and carried as the penalty of an
/// override (see [`override_command`](super::override_command)).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct BypassPenalty {
    /// The responsible person (责任人) who acted outside the procedure.
    pub responsible: ActorId,
    /// What was bypassed.
    pub what: String,
    /// Amount in 分.
    pub amount_fen: i64,
    /// Currency, `CNY`.
    pub currency: String,
    /// The clause, `RET-PROC §7 (004 L156)`.
    pub clause: String,
}

/// The instance data of the procedure.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Data {
    /// The case.
    pub case: Case,
    /// The replacement track.
    #[serde(default)]
    pub replacement: ReplacementStatus,
    /// Rework planning progress.
    #[serde(default)]
    pub rework: ReworkProgress,
    /// Restock sign-off progress.
    #[serde(default)]
    pub restock: RestockProgress,
    /// Scrap chain progress.
    #[serde(default)]
    pub scrap: ScrapProgress,
    /// The loan, for a 客借 case once lent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub loan: Option<Loan>,
    /// The category of the CQE's classification, for the handling cycle (RET-REV step 3,
    /// RET-REV step 3 (004 L210)).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<super::forms::Category>,
    /// The latest 《客诉排产通知单》 is approved by the quality manager and the vice president
    /// (QD-004 §5.2.2.5 (004 L666)).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub production_notice_approved: bool,
    /// The approved judgement puts the cause outside the company — the dealer's or the
    /// customer's side, or nobody's ([`Liability`](super::Liability) `DealerSide`,
    /// `CustomerSide`, `NoFault`) — which starts the 1-working-day feedback of CC-PROC §5.2.1
    /// (004 L478) (clock `not_ours_feedback`). A supplier's fault is the company's towards the
    /// customer (INF).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub not_ours: bool,
    /// Penalties recorded on the data (unannounced receipts).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub bypasses: Vec<BypassPenalty>,
}

impl Data {
    /// Fresh data for `case`.
    pub fn new(case: Case) -> Self {
        Data {
            case,
            replacement: ReplacementStatus::None,
            rework: ReworkProgress::default(),
            restock: RestockProgress::default(),
            scrap: ScrapProgress::default(),
            loan: None,
            category: None,
            production_notice_approved: false,
            not_ours: false,
            bypasses: Vec::new(),
        }
    }

    /// The data as JSON, to start an instance with.
    ///
    /// # Errors
    /// The serialization error (not expected for these types).
    pub fn to_value(&self) -> Result<Value, serde_json::Error> {
        serde_json::to_value(self)
    }
}
