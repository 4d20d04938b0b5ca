//! The cost of poor quality: typed cost lines shared by every procedure, and roll-ups.
//!
//! Amounts are integer minor units (分, 1/100 yuan) so sums are exact. A cost line says what
//! the money was spent on ([`CostKind`]), which account it is booked to ([`Account`]), and who
//! bears it ([`Bearer`]); claims received from suppliers are negative lines, so the net cost
//! of an issue is the plain sum of its lines.
//!
//! ## Dates and months
//!
//! A line carries the day the cost was incurred ([`CostLine::incurred_on`]): service costs are
//! registered and tallied, and at each month's end handed to the quality-problem analysis
//! group (「内勤人员对服务费用登记统计,每月月底交质量问题分析小组进行分析处理」, SVC-KPI §7
//! step 8 (001 L4)); monthly reports sum by month ([`CostLedger::month`],
//! [`CostLedger::totals_by_month`]). A line from a source that records no date is undated
//! and grouped under `None`, never guessed into a month.
//!
//! ## Carriers
//!
//! Goods damaged in transit are the carrier's (logistics company's) liability: the carrier
//! signs for the damage and the company deducts it from the carrier's freight, compensating the
//! customer at once (「均有物流承运方签字…从物流承运方运费中给予扣除,并第一时间给客户进行补偿」,
//! CE-MH §3.1 (002 L458–459)). Such a line is borne by [`Bearer::Carrier`], booked to
//! [`Account::CarrierFreightDeduction`], and names the carrier ([`CostLine::borne_by_carrier`]).

use crate::InstanceId;
use chrono::{Datelike, NaiveDate};
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
    /// Deducted from the carrier's freight (从物流承运方运费中扣除, CE-MH §3.1 (002 L459)).
    CarrierFreightDeduction,
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
    /// The carrier (物流承运方) that damaged the goods in transit (CE-MH §3.1 (002 L458–459)).
    Carrier,
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
    /// The day the cost was incurred (SVC-KPI §7 step 8 (001 L4)); `None` when the source
    /// records no date.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub incurred_on: Option<NaiveDate>,
    /// The carrier (logistics company) concerned, if any; required when it bears the cost.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub carrier: Option<String>,
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
    /// A line borne by a carrier names no carrier.
    #[error("{kind:?} line of `{instance}` is borne by a carrier but names none")]
    CarrierUnnamed {
        /// The instance.
        instance: InstanceId,
        /// The kind.
        kind: CostKind,
    },
}

/// A calendar month (`2026-11`), the period of the month-end cost hand-over.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
pub struct YearMonth {
    /// The year.
    pub year: i32,
    /// The month, 1–12.
    pub month: u32,
}

impl YearMonth {
    /// The month of `day`.
    pub fn of(day: NaiveDate) -> Self {
        YearMonth {
            year: day.year(),
            month: day.month(),
        }
    }
}

impl std::fmt::Display for YearMonth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
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
            incurred_on: None,
            carrier: None,
            description: String::new(),
        })
    }

    /// Incurred on `day`.
    #[must_use]
    pub fn incurred_on(mut self, day: NaiveDate) -> Self {
        self.incurred_on = Some(day);
        self
    }

    /// Borne by the carrier `carrier` and deducted from its freight (CE-MH §3.1 (002 L459)).
    #[must_use]
    pub fn borne_by_carrier(mut self, carrier: impl Into<String>) -> Self {
        self.carrier = Some(carrier.into());
        self.bearer = Bearer::Carrier;
        self.account = Account::CarrierFreightDeduction;
        self
    }

    /// The month it was incurred in, if dated.
    pub fn month(&self) -> Option<YearMonth> {
        self.incurred_on.map(YearMonth::of)
    }

    /// Check the line as a whole: a line borne by a carrier names it.
    ///
    /// # Errors
    /// [`CostError::CarrierUnnamed`].
    pub fn check(&self) -> Result<(), CostError> {
        if self.bearer == Bearer::Carrier
            && self.carrier.as_deref().is_none_or(|c| c.trim().is_empty())
        {
            return Err(CostError::CarrierUnnamed {
                instance: self.instance.clone(),
                kind: self.kind,
            });
        }
        Ok(())
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

    /// The lines incurred in `month`: what is handed over at that month's end (SVC-KPI §7
    /// step 8 (001 L4)). Undated lines are in no month.
    pub fn month(&self, month: YearMonth) -> CostLedger {
        self.filter(|l| l.month() == Some(month))
    }

    /// Net totals by the month incurred (`None`: undated lines).
    ///
    /// # Errors
    /// [`CostError::Overflow`].
    pub fn totals_by_month(&self) -> Result<BTreeMap<Option<YearMonth>, i64>, CostError> {
        self.totals_by(CostLine::month)
    }

    /// Net totals borne by each carrier (lines borne by a carrier only).
    ///
    /// # Errors
    /// [`CostError::Overflow`].
    pub fn totals_by_carrier(&self) -> Result<BTreeMap<String, i64>, CostError> {
        self.filter(|l| l.bearer == Bearer::Carrier)
            .totals_by(|l| l.carrier.clone().unwrap_or_default())
    }

    /// The lines matching `pred`, as a new ledger.
    pub fn filter(&self, pred: impl Fn(&CostLine) -> bool) -> CostLedger {
        CostLedger {
            lines: self.lines.iter().filter(|l| pred(l)).cloned().collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
    }

    fn line(kind: CostKind, fen: i64) -> CostLine {
        CostLine::new("complaint", "KS-1".into(), kind, fen).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn svc_kpi_s7_001_l4_lines_sum_by_the_month_incurred() {
        let mut l = CostLedger::new();
        l.push(line(CostKind::Rework, 100).incurred_on(day(2026, 10, 31)));
        l.push(line(CostKind::Freight, 250).incurred_on(day(2026, 11, 1)));
        l.push(line(CostKind::Scrap, 50).incurred_on(day(2026, 11, 30)));
        l.push(line(CostKind::Other, 7));
        let nov = YearMonth {
            year: 2026,
            month: 11,
        };
        assert_eq!(l.month(nov).total(), Ok(300));
        assert_eq!(nov.to_string(), "2026-11");
        let by = l.totals_by_month().unwrap_or_default();
        assert_eq!(
            by.get(&Some(YearMonth {
                year: 2026,
                month: 10
            })),
            Some(&100)
        );
        assert_eq!(by.get(&Some(nov)), Some(&300));
        assert_eq!(by.get(&None), Some(&7), "undated lines are in no month");
    }

    #[test]
    fn ce_mh_s3_1_002_l459_a_carrier_bears_transit_damage() {
        let damage = line(CostKind::ReplacementUnits, 800).borne_by_carrier("SF Express");
        assert_eq!(damage.bearer, Bearer::Carrier);
        assert_eq!(damage.account, Account::CarrierFreightDeduction);
        assert_eq!(damage.check(), Ok(()));
        let mut l = CostLedger::new();
        l.push(damage);
        l.push(line(CostKind::Freight, 100));
        assert_eq!(
            l.totals_by_carrier().unwrap_or_default(),
            BTreeMap::from([("SF Express".to_owned(), 800)])
        );
        let unnamed = line(CostKind::Freight, 1).bearer(Bearer::Carrier);
        assert!(matches!(
            unnamed.check(),
            Err(CostError::CarrierUnnamed { .. })
        ));
    }
}
