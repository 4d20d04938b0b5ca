//! The batch quality problem definition (批量质量问题定义, BQ-E §2.2 (000 L638)) and the scope of the
//! procedure (流程适用范围, BQ-E §2.1 (000 L636)), as plain functions usable on their own, by the start
//! guard, and by [`detect`](fn@crate::procedures::batch_quality::detect).
//!
//! Verbatim BQ-E §2.2 (000 L638): "用户使用数量少于300台的同一型号产品3个月内整机发生相同故障现象或同一部件发生
//! 相同故障的数量超过15台;用户使用数量不少于300台的同一型号产品3个月内整机发生相同故障现象或同一部件
//! 发生相同故障的比例超过5%;同一部件在全国或某一地区3个月内发生相同故障的比例超过5%;满足上述条件
//! 之一、产品在标准的售后服务期限内、且经判定属于不符合相应标准规格或合同要求导致的产品不合格或产品
//! 缺陷,定义为批量质量问题。"
//!
//! - **C1** ([`BatchRule::SmallUserCount`]): a user with fewer than 300 units of one model,
//!   more than 15 of them with the same failure within 3 months.
//! - **C2** ([`BatchRule::LargeUserRatio`]): a user with at least 300 units of one model,
//!   more than 5 % of them with the same failure within 3 months.
//! - **C3** ([`BatchRule::ComponentRatio`]): one component, nationally or in one region, more
//!   than 5 % with the same fault within 3 months.
//!
//! "More than" is strict and every comparison is in integers (`100 × f > 5 × n`, README
//! "Batch window"): 300 units with 15 failures is exactly 5 % and is **not** a batch.
//! One of C1–C3, **and** in the standard service period, **and** judged nonconforming
//! (经判定…不合格或产品缺陷) make a batch quality problem. Out of scope (BQ-E §2.1 (000 L636)): products
//! other than Founder products and internet-café complete machines, problems before
//! delivery, and "符合产品规格,但不满足用户需求" (meets the spec but not the user's need).

use crate::procedures::batch_quality::Config;
use chrono::{Months, NaiveDate};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::fmt;

/// What failed, identically (相同故障现象 / 同一部件发生相同故障). Each mode is counted on its
/// own: a symptom count and a component count are never summed (spec A.8 #9).
#[derive(
    Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum FailureMode {
    /// The whole machine shows the same symptom (整机发生相同故障现象).
    WholeMachine {
        /// Symptom code or text.
        symptom: String,
    },
    /// One component fails in the same way (同一部件发生相同故障).
    Component {
        /// Component code.
        component: String,
        /// Fault code.
        fault: String,
    },
}

impl fmt::Display for FailureMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FailureMode::WholeMachine { symptom } => write!(f, "whole machine: {symptom}"),
            FailureMode::Component { component, fault } => write!(f, "{component}: {fault}"),
        }
    }
}

/// Where the component ratio rule C3 is evaluated: "在全国或某一地区" (BQ-E §2.2 (000 L638)).
#[derive(
    Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(tag = "scope", content = "region", rename_all = "snake_case")]
pub enum Scope {
    /// The whole country (全国).
    National,
    /// One region (某一地区), as the host defines regions.
    Region(String),
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Scope::National => f.write_str("national"),
            Scope::Region(r) => write!(f, "region {r}"),
        }
    }
}

/// Which condition of BQ-E §2.2 (000 L638) holds.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum BatchRule {
    /// C1: fewer than 300 units at the user, more than 15 failed (BQ-E §2.2 (000 L638)).
    SmallUserCount,
    /// C2: at least 300 units at the user, more than 5 % failed (BQ-E §2.2 (000 L638)).
    LargeUserRatio,
    /// C3: one component, nationally or in a region, more than 5 % failed (BQ-E §2.2 (000 L638)).
    ComponentRatio,
}

/// The product lines the procedure applies to (BQ-E §2.1 (000 L636)).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ProductLine {
    /// A Founder Technology product (方正科技产品).
    FounderProduct,
    /// An internet-café complete machine of the internet-café products division
    /// (网吧产品业务部的网吧整机产品).
    InternetCafeMachine,
    /// Anything else: out of scope.
    Other,
}

/// Why a case is outside the procedure (BQ-E §2.1 (000 L636)).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum OutOfScopeReason {
    /// Not a Founder product nor an internet-café complete machine.
    NotCoveredProduct,
    /// Not yet delivered (the procedure covers problems "在交付后").
    NotDelivered,
    /// "符合产品规格,但不满足用户需求": meets the specification but not the user's need.
    MeetsSpecButNotUserNeed,
}

impl fmt::Display for OutOfScopeReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            OutOfScopeReason::NotCoveredProduct => {
                "only Founder products and internet-café complete machines are covered (BQ-E §2.1 (000 L636))"
            }
            OutOfScopeReason::NotDelivered => {
                "only problems after delivery (交付后) are covered (BQ-E §2.1 (000 L636))"
            }
            OutOfScopeReason::MeetsSpecButNotUserNeed => {
                "meets the product specification but not the user's need \
                 (符合产品规格,但不满足用户需求): out of scope (BQ-E §2.1 (000 L636))"
            }
        })
    }
}

/// The counts behind a case: one user's units of one model, or one component's population
/// in a scope. `failed_units` counts distinct units with the same failure within the window
/// and in the service period.
#[derive(
    Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(tag = "population", rename_all = "snake_case")]
pub enum Evidence {
    /// C1/C2: one user, one model, one failure mode.
    User {
        /// The user (customer).
        customer: String,
        /// The model (同一型号).
        model: String,
        /// The identical failure.
        mode: FailureMode,
        /// Units of the model in use at the user (用户使用数量), at evaluation.
        units_in_use: u64,
        /// Distinct failed units with that failure in the window.
        failed_units: u64,
    },
    /// C3: one component fault, nationally or in one region, across models.
    Component {
        /// Component code.
        component: String,
        /// Fault code.
        fault: String,
        /// National or a region.
        scope: Scope,
        /// Units in service in the scope carrying the component.
        units_in_scope: u64,
        /// Distinct failed units with that fault in the window.
        failed_units: u64,
    },
}

impl Evidence {
    /// (failed, units).
    pub fn counts(&self) -> (u64, u64) {
        match self {
            Evidence::User {
                units_in_use,
                failed_units,
                ..
            } => (*failed_units, *units_in_use),
            Evidence::Component {
                units_in_scope,
                failed_units,
                ..
            } => (*failed_units, *units_in_scope),
        }
    }
}

/// A case to judge against the whole definition of BQ-E §2.2 (000 L638) and the scope of BQ-E §2.1 (000 L636).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct BatchCase {
    /// The counts.
    pub evidence: Evidence,
    /// First day of the counting window.
    pub window_from: NaiveDate,
    /// Last day of the counting window (the evaluation day).
    pub window_to: NaiveDate,
    /// The product line (BQ-E §2.1 (000 L636)).
    pub product_line: ProductLine,
    /// The units were delivered (交付后, BQ-E §2.1 (000 L636)).
    pub delivered: bool,
    /// The failed units are in the standard after-sales service period
    /// (产品在标准的售后服务期限内, BQ-E §2.2 (000 L638)).
    pub in_service_period: bool,
    /// The product meets its specification and only the user's need is unmet (BQ-E §2.1 (000 L636)).
    pub meets_spec_but_not_user_need: bool,
    /// Judged nonconforming: a nonconformity or defect from not meeting the standard,
    /// specification or contract (经判定属于不符合相应标准规格或合同要求, BQ-E §2.2 (000 L638)).
    pub judged_nonconforming: bool,
}

/// Why a case is not a batch quality problem (or cannot be judged).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema, thiserror::Error)]
#[serde(tag = "not_batch", rename_all = "snake_case")]
#[non_exhaustive]
pub enum NotBatch {
    /// Outside the procedure's scope (BQ-E §2.1 (000 L636)).
    #[error("out of scope: {reason}")]
    OutOfScope {
        /// Why.
        reason: OutOfScopeReason,
    },
    /// The counts are impossible.
    #[error("invalid counts: {failed} failed of {units} units")]
    InvalidCounts {
        /// Failed units.
        failed: u64,
        /// Units.
        units: u64,
    },
    /// The window is empty, reversed, or longer than the rolling window (BQ-E §2.2 (000 L638) "3个月内").
    #[error("counting window {from}..={to} is not within {months} months")]
    BadWindow {
        /// First day.
        from: NaiveDate,
        /// Last day.
        to: NaiveDate,
        /// The configured window.
        months: u32,
    },
    /// None of C1–C3 holds (BQ-E §2.2 (000 L638)).
    #[error("below the batch threshold: {failed} failed of {units} units ({why})")]
    BelowThreshold {
        /// Failed units.
        failed: u64,
        /// Units.
        units: u64,
        /// The rule that was checked, in words.
        why: String,
    },
    /// Outside the standard after-sales service period (BQ-E §2.2 (000 L638)).
    #[error("outside the standard after-sales service period (BQ-E §2.2 (000 L638))")]
    OutOfServicePeriod,
    /// Not judged nonconforming (经判定…不合格或产品缺陷, BQ-E §2.2 (000 L638)).
    #[error(
        "not judged a nonconformity or defect against the standard, spec or contract (BQ-E §2.2 (000 L638))"
    )]
    NotNonconforming,
}

/// Strictly more than `percent` % in integers: `100 × failed > percent × units`
/// (000 L638 "比例超过5%"; product decision `PD-BATCH`). No overflow for any `u64` input.
pub fn ratio_exceeds(failed: u64, units: u64, percent: u32) -> bool {
    u128::from(failed) * 100 > u128::from(percent) * u128::from(units)
}

/// C1 or C2 for one user, one model, one failure mode (BQ-E §2.2 (000 L638)): fewer than 300 units and
/// more than 15 failed, or at least 300 units and more than 5 % failed.
///
/// # Errors
/// [`NotBatch::InvalidCounts`] when there are no units or more failures than units.
pub fn user_rule(
    units_in_use: u64,
    failed: u64,
    cfg: &Config,
) -> Result<Option<BatchRule>, NotBatch> {
    if units_in_use == 0 || failed > units_in_use {
        return Err(NotBatch::InvalidCounts {
            failed,
            units: units_in_use,
        });
    }
    Ok(if units_in_use < u64::from(cfg.small_user_units_below) {
        (failed > u64::from(cfg.small_user_failures_more_than)).then_some(BatchRule::SmallUserCount)
    } else {
        ratio_exceeds(failed, units_in_use, cfg.ratio_more_than_percent)
            .then_some(BatchRule::LargeUserRatio)
    })
}

/// C3 for one component fault in one scope (BQ-E §2.2 (000 L638)): more than 5 % failed.
///
/// # Errors
/// [`NotBatch::InvalidCounts`] when there are no units or more failures than units.
pub fn component_rule(
    units_in_scope: u64,
    failed: u64,
    cfg: &Config,
) -> Result<Option<BatchRule>, NotBatch> {
    if units_in_scope == 0 || failed > units_in_scope {
        return Err(NotBatch::InvalidCounts {
            failed,
            units: units_in_scope,
        });
    }
    let big_enough = units_in_scope >= cfg.c3_min_population.unwrap_or(1);
    Ok(
        (big_enough && ratio_exceeds(failed, units_in_scope, cfg.ratio_more_than_percent))
            .then_some(BatchRule::ComponentRatio),
    )
}

/// The rule that holds for `evidence`, if any (counts only: no scope, period or judgement).
///
/// # Errors
/// [`NotBatch::InvalidCounts`].
pub fn rule_for(evidence: &Evidence, cfg: &Config) -> Result<Option<BatchRule>, NotBatch> {
    match evidence {
        Evidence::User {
            units_in_use,
            failed_units,
            ..
        } => user_rule(*units_in_use, *failed_units, cfg),
        Evidence::Component {
            units_in_scope,
            failed_units,
            ..
        } => component_rule(*units_in_scope, *failed_units, cfg),
    }
}

/// The first day of the rolling window ending on `as_of`: `as_of` minus `months` calendar
/// months, the day clamped to the month end (31 May − 3 months = 28/29 Feb) (BQ-E §2.2 (000 L638)
/// "3个月内"; product decision `PD-BATCH`). `None` only before the representable range.
pub fn window_start(as_of: NaiveDate, months: u32) -> Option<NaiveDate> {
    as_of.checked_sub_months(Months::new(months))
}

/// Whether `date` lies in the rolling window ending on `as_of` (BQ-E §2.2 (000 L638)).
pub fn in_window(date: NaiveDate, as_of: NaiveDate, cfg: &Config) -> bool {
    let Some(start) = window_start(as_of, cfg.window_months) else {
        return date <= as_of;
    };
    let after_start = if cfg.window_start_inclusive {
        date >= start
    } else {
        date > start
    };
    after_start && date <= as_of
}

/// Judge a case against the whole definition (BQ-E §2.2 (000 L638)) and scope (BQ-E §2.1 (000 L636)), in this
/// order: scope, counts, window, thresholds (C1–C3), service period, nonconformity.
///
/// # Errors
/// The first [`NotBatch`] reason found.
///
/// ```
/// use aftersales::procedures::batch_quality::*;
/// use chrono::NaiveDate;
/// let d = |m, day| NaiveDate::from_ymd_opt(2026, m, day).unwrap();
/// let case = |failed| BatchCase {
///     evidence: Evidence::User {
///         customer: "C".into(), model: "M".into(),
///         mode: FailureMode::WholeMachine { symptom: "no boot".into() },
///         units_in_use: 300, failed_units: failed,
///     },
///     window_from: d(8, 1), window_to: d(10, 31),
///     product_line: ProductLine::FounderProduct, delivered: true,
///     in_service_period: true, meets_spec_but_not_user_need: false,
///     judged_nonconforming: true,
/// };
/// let cfg = Config::default();
/// assert!(assess(&case(15), &cfg).is_err()); // exactly 5 %: not "more than"
/// assert_eq!(assess(&case(16), &cfg), Ok(BatchRule::LargeUserRatio));
/// ```
pub fn assess(case: &BatchCase, cfg: &Config) -> Result<BatchRule, NotBatch> {
    if case.product_line == ProductLine::Other {
        return Err(NotBatch::OutOfScope {
            reason: OutOfScopeReason::NotCoveredProduct,
        });
    }
    if !case.delivered {
        return Err(NotBatch::OutOfScope {
            reason: OutOfScopeReason::NotDelivered,
        });
    }
    if case.meets_spec_but_not_user_need {
        return Err(NotBatch::OutOfScope {
            reason: OutOfScopeReason::MeetsSpecButNotUserNeed,
        });
    }
    let bad_window = NotBatch::BadWindow {
        from: case.window_from,
        to: case.window_to,
        months: cfg.window_months,
    };
    let earliest = window_start(case.window_to, cfg.window_months).ok_or(bad_window.clone())?;
    if case.window_from > case.window_to
        || case.window_from < earliest
        || (!cfg.window_start_inclusive && case.window_from == earliest)
    {
        return Err(bad_window);
    }
    let (failed, units) = case.evidence.counts();
    let Some(rule) = rule_for(&case.evidence, cfg)? else {
        let why = match &case.evidence {
            Evidence::User { units_in_use, .. }
                if *units_in_use < u64::from(cfg.small_user_units_below) =>
            {
                format!(
                    "fewer than {} units: needs more than {} failed",
                    cfg.small_user_units_below, cfg.small_user_failures_more_than
                )
            }
            _ => format!("needs more than {} %", cfg.ratio_more_than_percent),
        };
        return Err(NotBatch::BelowThreshold { failed, units, why });
    };
    if !case.in_service_period {
        return Err(NotBatch::OutOfServicePeriod);
    }
    if !case.judged_nonconforming {
        return Err(NotBatch::NotNonconforming);
    }
    Ok(rule)
}
