//! The cost of poor quality: typed cost lines shared by every procedure, and roll-ups.
//!
//! Amounts are integer minor units (分, 1/100 yuan) so sums are exact. A cost line says what
//! the money was spent on ([`CostKind`]), which account it is booked to ([`Account`]), and who
//! bears it ([`Bearer`]); claims received from suppliers are negative lines, so the net cost
//! of an issue is the plain sum of its lines.

use crate::InstanceId;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// What the money went on.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum CostKind {
    /// Consumables (耗材).
    Consumables,
    /// Spare parts (备件).
    SpareParts,
    /// Replacement units (整机更换 / 换货).
    ReplacementUnits,
    /// Rework and repair (返工 / 返修).
    Rework,
    /// Scrap (报废).
    Scrap,
    /// Freight (运费).
    Freight,
    /// Sorting and screening (挑选).
    Sorting,
    /// On-site labour (现场服务).
    OnSiteLabour,
    /// A claim received from a supplier (索赔): a negative amount.
    ClaimReceived,
    /// Anything else.
    Other,
}

/// The account a cost is booked to.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Account {
    /// Cost of sales (销售成本), the default for quality costs.
    CostOfSales,
    /// Selling expense (销售费用), e.g. repeated customer misjudgment.
    SellingExpense,
    /// The dealer's account (经销商账户), debited.
    DealerAccount,
    /// Charged to the customer (收费).
    CustomerCharge,
    /// Recovered from the supplier (供应商索赔).
    SupplierClaim,
}

/// Who finally bears a cost.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Bearer {
    /// The company.
    Company,
    /// The dealer.
    Dealer,
    /// The customer.
    Customer,
    /// The supplier.
    Supplier,
}

/// One cost line.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct CostLine {
    /// What for.
    pub kind: CostKind,
    /// Booked to.
    pub account: Account,
    /// Borne by.
    pub bearer: Bearer,
    /// Amount in 分 (1/100 yuan); negative only for [`CostKind::ClaimReceived`].
    pub amount_fen: i64,
    /// The procedure (definition id) it arose in.
    pub procedure: String,
    /// The instance it arose in.
    pub instance: InstanceId,
    /// Product or model, if known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub product: Option<String>,
    /// Supplier, if known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub supplier: Option<String>,
    /// Customer, if known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer: Option<String>,
    /// Free text.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
}

/// A cost line that makes no sense.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CostError {
    /// A cost with a negative amount, or a claim with a positive one.
    #[error("{kind:?} line of `{instance}` has the wrong sign: {amount_fen} fen")]
    WrongSign {
        /// The instance.
        instance: InstanceId,
        /// The kind.
        kind: CostKind,
        /// The amount.
        amount_fen: i64,
    },
    /// The running total overflowed.
    #[error("cost total overflowed")]
    Overflow,
}

impl CostLine {
    /// A line of `kind` for `amount_fen`, booked to the cost of sales and borne by the
    /// company; adjust with the builder methods.
    ///
    /// # Errors
    /// [`CostError::WrongSign`] for a negative cost or a positive claim.
    pub fn new(
        procedure: impl Into<String>,
        instance: InstanceId,
        kind: CostKind,
        amount_fen: i64,
    ) -> Result<Self, CostError> {
        let ok = match kind {
            CostKind::ClaimReceived => amount_fen <= 0,
            _ => amount_fen >= 0,
        };
        if !ok {
            return Err(CostError::WrongSign {
                instance,
                kind,
                amount_fen,
            });
        }
        Ok(CostLine {
            kind,
            account: if kind == CostKind::ClaimReceived {
                Account::SupplierClaim
            } else {
                Account::CostOfSales
            },
            bearer: if kind == CostKind::ClaimReceived {
                Bearer::Supplier
            } else {
                Bearer::Company
            },
            amount_fen,
            procedure: procedure.into(),
            instance,
            product: None,
            supplier: None,
            customer: None,
            description: String::new(),
        })
    }

    /// Book to `account`.
    #[must_use]
    pub fn account(mut self, account: Account) -> Self {
        self.account = account;
        self
    }
    /// Borne by `bearer`.
    #[must_use]
    pub fn bearer(mut self, bearer: Bearer) -> Self {
        self.bearer = bearer;
        self
    }
    /// For product/model `p`.
    #[must_use]
    pub fn product(mut self, p: impl Into<String>) -> Self {
        self.product = Some(p.into());
        self
    }
    /// For supplier `s`.
    #[must_use]
    pub fn supplier(mut self, s: impl Into<String>) -> Self {
        self.supplier = Some(s.into());
        self
    }
    /// For customer `c`.
    #[must_use]
    pub fn customer(mut self, c: impl Into<String>) -> Self {
        self.customer = Some(c.into());
        self
    }
    /// With a description.
    #[must_use]
    pub fn describe(mut self, d: impl Into<String>) -> Self {
        self.description = d.into();
        self
    }
}

/// A set of cost lines with exact totals by any dimension.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct CostLedger {
    lines: Vec<CostLine>,
}

impl CostLedger {
    /// An empty ledger.
    pub fn new() -> Self {
        Self::default()
    }

    /// Add a line.
    pub fn push(&mut self, line: CostLine) {
        self.lines.push(line);
    }

    /// Add every line of `other` (a batch issue rolling up its consumables requests and
    /// returns).
    pub fn absorb(&mut self, other: &CostLedger) {
        self.lines.extend(other.lines.iter().cloned());
    }

    /// The lines.
    pub fn lines(&self) -> &[CostLine] {
        &self.lines
    }

    /// The net total in 分.
    ///
    /// # Errors
    /// [`CostError::Overflow`].
    pub fn total(&self) -> Result<i64, CostError> {
        self.lines
            .iter()
            .try_fold(0i64, |acc, l| acc.checked_add(l.amount_fen))
            .ok_or(CostError::Overflow)
    }

    /// Net totals grouped by `key` (lines where `key` is `None` are grouped under `None`).
    ///
    /// # Errors
    /// [`CostError::Overflow`].
    pub fn totals_by<K: Ord>(
        &self,
        key: impl Fn(&CostLine) -> K,
    ) -> Result<BTreeMap<K, i64>, CostError> {
        let mut out = BTreeMap::new();
        for l in &self.lines {
            let slot = out.entry(key(l)).or_insert(0i64);
            *slot = slot.checked_add(l.amount_fen).ok_or(CostError::Overflow)?;
        }
        Ok(out)
    }

    /// The lines matching `pred`, as a new ledger.
    pub fn filter(&self, pred: impl Fn(&CostLine) -> bool) -> CostLedger {
        CostLedger {
            lines: self.lines.iter().filter(|l| pred(l)).cloned().collect(),
        }
    }
}
