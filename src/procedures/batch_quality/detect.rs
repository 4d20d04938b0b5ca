//! Batch detection: which groups of failure records meet the numeric conditions of the
//! batch definition (000 L638) now, and why, so that a host can open a batch-issue instance
//! from its service data.
//!
//! One pass over the records groups them three ways at once: by user, model and failure mode
//! (C1/C2), by component fault nationally and by component fault per region (C3), counting
//! each failed unit once per group. Only records dated inside the rolling window ending on
//! the evaluation day and flagged in the service period are counted (000 L638 "3个月内",
//! "在标准的售后服务期限内"). Whether a group is also *judged nonconforming* (经判定) and in
//! scope (000 L636) is for people to decide at the start gate
//! ([`assess`](super::assess)); detection reports candidates with their counts.
//!
//! Cost: O(r + b) hash operations for r records and b installed-base entries, no sorting of
//! records; memory proportional to the number of distinct (group, unit) pairs.

use super::batch::{BatchRule, Evidence, FailureMode, Scope, in_window, rule_for, window_start};
use super::Config;
use chrono::NaiveDate;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};

/// One failure reported by the service system (one unit, one failure).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct FailureRecord {
    /// The record id (returned in errors).
    pub id: String,
    /// The unit (serial number); a unit counts once per group.
    pub unit: String,
    /// The model (型号).
    pub model: String,
    /// The user (customer) the unit is in use at.
    pub customer: String,
    /// The failed component; `None` for a whole-machine symptom.
    #[serde(default)]
    pub component: Option<String>,
    /// The symptom code (whole machine) or the fault code (component).
    pub failure_mode: String,
    /// The host-defined region of the user.
    pub region: String,
    /// The failure date (local); `None` when unknown, which is an error.
    pub date: Option<NaiveDate>,
    /// Whether the unit was in the standard after-sales service period on that date.
    pub in_service_period: bool,
}

impl FailureRecord {
    /// The failure mode of this record.
    pub fn mode(&self) -> FailureMode {
        match &self.component {
            None => FailureMode::WholeMachine {
                symptom: self.failure_mode.clone(),
            },
            Some(c) => FailureMode::Component {
                component: c.clone(),
                fault: self.failure_mode.clone(),
            },
        }
    }
}

/// Units of one model in use at one user (用户使用数量), at the evaluation day. Counts are
/// signed because hosts load them from untyped sources; negatives are refused.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct UserBase {
    /// The entry id (returned in errors).
    pub id: String,
    /// The user.
    pub customer: String,
    /// The model.
    pub model: String,
    /// Units in use.
    pub units: i64,
}

/// Units in service carrying one component, nationally or in one region (the C3
/// denominator: across models, OURS, spec A.8 #8).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ComponentBase {
    /// The entry id (returned in errors).
    pub id: String,
    /// The component.
    pub component: String,
    /// National or a region.
    pub scope: Scope,
    /// Units in service in the scope carrying the component.
    pub units: i64,
}

/// The installed base the ratios are computed against.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct InstalledBase {
    /// Per user and model (C1/C2). Every user and model with counted failures needs one.
    pub users: Vec<UserBase>,
    /// Per component and scope (C3). C3 is evaluated only where an entry exists.
    pub components: Vec<ComponentBase>,
}

/// Bad input to [`detect`]: nothing is reported until the data is fixed. Each variant
/// carries the ids of the offending records or installed-base entries.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DetectionError {
    /// Failure records with no date: the window cannot be applied.
    #[error("failure records with an unknown date: {}", .records.join(", "))]
    UnknownDate {
        /// Record ids.
        records: Vec<String>,
    },
    /// Failure records without a unit, model, customer or failure mode.
    #[error("failure records with an empty unit, model, customer or failure mode: {}", .records.join(", "))]
    MissingField {
        /// Record ids.
        records: Vec<String>,
    },
    /// Installed-base entries with a negative count.
    #[error("installed-base entries with a negative count: {}", .entries.join(", "))]
    NegativeCount {
        /// Entry ids.
        entries: Vec<String>,
    },
    /// Installed-base entries with zero units: no ratio can be computed.
    #[error("installed-base entries with zero units: {}", .entries.join(", "))]
    ZeroInstalledBase {
        /// Entry ids.
        entries: Vec<String>,
    },
    /// Two installed-base entries for the same user and model, or component and scope.
    #[error("duplicate installed-base entries: {}", .entries.join(", "))]
    DuplicateBase {
        /// Entry ids.
        entries: Vec<String>,
    },
    /// Counted failures for a user and model with no installed-base entry.
    #[error("no installed base for customer `{customer}`, model `{model}` (records {})", .records.join(", "))]
    MissingInstalledBase {
        /// The user.
        customer: String,
        /// The model.
        model: String,
        /// The failure records concerned.
        records: Vec<String>,
    },
    /// More distinct failed units than units installed.
    #[error("{failed} failed units exceed the installed base of {units} for {group} (records {})", .records.join(", "))]
    FailuresExceedBase {
        /// The group, in words.
        group: String,
        /// Distinct failed units.
        failed: u64,
        /// Installed units.
        units: u64,
        /// The failure records of the group.
        records: Vec<String>,
    },
}

/// A group that meets a numeric condition of 000 L638 now.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Finding {
    /// The condition met.
    pub rule: BatchRule,
    /// The group and its counts (feed it to a `BatchStartDecision`).
    pub evidence: Evidence,
    /// Failure records counted (a unit failing twice counts once in `evidence`).
    pub records: u64,
    /// The earliest counted failure.
    pub first_failure: NaiveDate,
    /// The latest counted failure.
    pub last_failure: NaiveDate,
    /// The failure rate in basis points (1/100 %), rounded down.
    pub rate_basis_points: u64,
    /// Why it qualifies, in words.
    pub why: String,
}

/// The result of [`detect`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Detection {
    /// The evaluation day (last day of the window).
    pub as_of: NaiveDate,
    /// First day of the window.
    pub window_from: NaiveDate,
    /// Records given.
    pub records_total: u64,
    /// Records inside the window and in the service period (counted).
    pub records_counted: u64,
    /// Records inside the window but outside the service period (not counted, 000 L638).
    pub records_out_of_service: u64,
    /// Groups meeting a condition, ordered by rule, then group.
    pub findings: Vec<Finding>,
}

/// A fast non-cryptographic hasher (the Fx hash) for grouping; the keys are the host's own
/// data, so hash flooding is not a concern.
#[derive(Default, Clone, Copy)]
struct Fx(u64);

impl Fx {
    #[inline]
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

impl Hasher for Fx {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut w = [0u8; 8];
            w.copy_from_slice(c);
            self.add(u64::from_le_bytes(w));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut w = [0u8; 8];
            w[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(w));
        }
    }
    #[inline]
    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }
    #[inline]
    fn write_u32(&mut self, i: u32) {
        self.add(u64::from(i));
    }
    #[inline]
    fn write_u64(&mut self, i: u64) {
        self.add(i);
    }
    #[inline]
    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }
    fn finish(&self) -> u64 {
        self.0
    }
}

type FxMap<K, V> = HashMap<K, V, BuildHasherDefault<Fx>>;
type FxSet<K> = HashSet<K, BuildHasherDefault<Fx>>;

/// (customer, model, component, failure mode).
type UserKey<'a> = (&'a str, &'a str, Option<&'a str>, &'a str);
/// (component, fault, region; `None` = national).
type CompKey<'a> = (&'a str, &'a str, Option<&'a str>);

struct Acc {
    failed: u64,
    records: u64,
    first: NaiveDate,
    last: NaiveDate,
}

impl Acc {
    fn new(date: NaiveDate) -> Self {
        Acc {
            failed: 0,
            records: 0,
            first: date,
            last: date,
        }
    }
    fn record(&mut self, date: NaiveDate, new_unit: bool) {
        self.records += 1;
        self.failed += u64::from(new_unit);
        self.first = self.first.min(date);
        self.last = self.last.max(date);
    }
}

/// Groups and their accumulators, with a set of (group, unit) pairs to count units once.
struct Groups<'a, K> {
    index: FxMap<K, u32>,
    accs: Vec<(K, Acc)>,
    seen: FxSet<(u32, &'a str)>,
}

impl<'a, K: std::hash::Hash + Eq + Copy> Groups<'a, K> {
    fn new() -> Self {
        Groups {
            index: FxMap::default(),
            accs: Vec::new(),
            seen: FxSet::default(),
        }
    }

    fn add(&mut self, key: K, unit: &'a str, date: NaiveDate) {
        let next = u32::try_from(self.accs.len()).unwrap_or(u32::MAX);
        let ix = *self.index.entry(key).or_insert(next);
        if ix == next {
            self.accs.push((key, Acc::new(date)));
        }
        let new_unit = self.seen.insert((ix, unit));
        if let Some((_, acc)) = self.accs.get_mut(ix as usize) {
            acc.record(date, new_unit);
        }
    }
}

fn base_checks<'a>(
    entries: impl Iterator<Item = (&'a str, i64)> + Clone,
) -> Result<(), DetectionError> {
    let negative: Vec<String> = entries
        .clone()
        .filter(|(_, n)| *n < 0)
        .map(|(id, _)| id.to_owned())
        .collect();
    if !negative.is_empty() {
        return Err(DetectionError::NegativeCount { entries: negative });
    }
    let zero: Vec<String> = entries
        .filter(|(_, n)| *n == 0)
        .map(|(id, _)| id.to_owned())
        .collect();
    if !zero.is_empty() {
        return Err(DetectionError::ZeroInstalledBase { entries: zero });
    }
    Ok(())
}

fn rate_bp(failed: u64, units: u64) -> u64 {
    let bp = u128::from(failed) * 10_000 / u128::from(units.max(1));
    u64::try_from(bp).unwrap_or(u64::MAX)
}

/// Find the groups meeting C1, C2 or C3 of 000 L638 on `as_of`.
///
/// Units are distinct per group: identical failures of the same unit count once. A record
/// counts when its date is inside the rolling window (`cfg.window_months` calendar months
/// ending on `as_of`, README "Batch window") and it is flagged in the service period.
/// Records dated after `as_of` are outside the window.
///
/// # Errors
/// A [`DetectionError`] naming the offending records or entries: unknown dates, empty
/// fields, negative or zero installed base, duplicate base entries, failures with no base,
/// or more failed units than installed.
pub fn detect(
    records: &[FailureRecord],
    base: &InstalledBase,
    as_of: NaiveDate,
    cfg: &Config,
) -> Result<Detection, DetectionError> {
    // Installed base.
    base_checks(
        base.users
            .iter()
            .map(|u| (u.id.as_str(), u.units))
            .chain(base.components.iter().map(|c| (c.id.as_str(), c.units))),
    )?;
    let mut users: FxMap<(&str, &str), (u64, &str)> = FxMap::default();
    let mut comps: FxMap<(&str, Option<&str>), (u64, &str)> = FxMap::default();
    let mut dups = Vec::new();
    for u in &base.users {
        let n = u64::try_from(u.units).unwrap_or(0);
        if let Some((_, first)) = users.insert((&u.customer, &u.model), (n, &u.id)) {
            dups.extend([first.to_owned(), u.id.clone()]);
        }
    }
    for c in &base.components {
        let n = u64::try_from(c.units).unwrap_or(0);
        let region = match &c.scope {
            Scope::National => None,
            Scope::Region(r) => Some(r.as_str()),
        };
        if let Some((_, first)) = comps.insert((&c.component, region), (n, &c.id)) {
            dups.extend([first.to_owned(), c.id.clone()]);
        }
    }
    if !dups.is_empty() {
        dups.sort();
        dups.dedup();
        return Err(DetectionError::DuplicateBase { entries: dups });
    }

    // One pass over the records.
    let mut unknown = Vec::new();
    let mut missing = Vec::new();
    let mut by_user: Groups<'_, UserKey<'_>> = Groups::new();
    let mut by_comp: Groups<'_, CompKey<'_>> = Groups::new();
    let mut counted = 0u64;
    let mut out_of_service = 0u64;
    for r in records {
        let Some(date) = r.date else {
            unknown.push(r.id.clone());
            continue;
        };
        if r.unit.is_empty() || r.model.is_empty() || r.customer.is_empty() || r.failure_mode.is_empty()
        {
            missing.push(r.id.clone());
            continue;
        }
        if !in_window(date, as_of, cfg) {
            continue;
        }
        if !r.in_service_period {
            out_of_service += 1;
            continue;
        }
        counted += 1;
        let unit = r.unit.as_str();
        let component = r.component.as_deref();
        by_user.add(
            (&r.customer, &r.model, component, &r.failure_mode),
            unit,
            date,
        );
        if let Some(c) = component {
            by_comp.add((c, &r.failure_mode, None), unit, date);
            by_comp.add((c, &r.failure_mode, Some(&r.region)), unit, date);
        }
    }
    if !unknown.is_empty() {
        return Err(DetectionError::UnknownDate { records: unknown });
    }
    if !missing.is_empty() {
        return Err(DetectionError::MissingField { records: missing });
    }
    let window_from = window_start(as_of, cfg.window_months).unwrap_or(as_of);
    let ids_of = |pred: &dyn Fn(&FailureRecord) -> bool| -> Vec<String> {
        records
            .iter()
            .filter(|r| r.in_service_period && r.date.is_some_and(|d| in_window(d, as_of, cfg)))
            .filter(|r| pred(r))
            .map(|r| r.id.clone())
            .collect()
    };

    let mut findings = Vec::new();
    for ((customer, model, component, mode_code), acc) in &by_user.accs {
        let Some(&(units, _)) = users.get(&(*customer, *model)) else {
            return Err(DetectionError::MissingInstalledBase {
                customer: (*customer).to_owned(),
                model: (*model).to_owned(),
                records: ids_of(&|r| r.customer == *customer && r.model == *model),
            });
        };
        let mode = match component {
            None => FailureMode::WholeMachine {
                symptom: (*mode_code).to_owned(),
            },
            Some(c) => FailureMode::Component {
                component: (*c).to_owned(),
                fault: (*mode_code).to_owned(),
            },
        };
        let evidence = Evidence::User {
            customer: (*customer).to_owned(),
            model: (*model).to_owned(),
            mode,
            units_in_use: units,
            failed_units: acc.failed,
        };
        push_finding(&mut findings, evidence, acc, cfg, || {
            ids_of(&|r| {
                r.customer == *customer
                    && r.model == *model
                    && r.component.as_deref() == *component
                    && r.failure_mode == *mode_code
            })
        })?;
    }
    for ((component, fault, region), acc) in &by_comp.accs {
        let Some(&(units, _)) = comps.get(&(*component, *region)) else {
            continue;
        };
        let evidence = Evidence::Component {
            component: (*component).to_owned(),
            fault: (*fault).to_owned(),
            scope: region.map_or(Scope::National, |r| Scope::Region(r.to_owned())),
            units_in_scope: units,
            failed_units: acc.failed,
        };
        push_finding(&mut findings, evidence, acc, cfg, || {
            ids_of(&|r| {
                r.component.as_deref() == Some(*component)
                    && r.failure_mode == *fault
                    && region.is_none_or(|g| r.region == g)
            })
        })?;
    }
    findings.sort_by(|a, b| (a.rule, &a.evidence).cmp(&(b.rule, &b.evidence)));
    Ok(Detection {
        as_of,
        window_from,
        records_total: records.len() as u64,
        records_counted: counted,
        records_out_of_service: out_of_service,
        findings,
    })
}

fn push_finding(
    out: &mut Vec<Finding>,
    evidence: Evidence,
    acc: &Acc,
    cfg: &Config,
    ids: impl FnOnce() -> Vec<String>,
) -> Result<(), DetectionError> {
    let (failed, units) = evidence.counts();
    let rule = match rule_for(&evidence, cfg) {
        Ok(rule) => rule,
        Err(_) => {
            return Err(DetectionError::FailuresExceedBase {
                group: group_name(&evidence),
                failed,
                units,
                records: ids(),
            });
        }
    };
    let Some(rule) = rule else { return Ok(()) };
    let why = match rule {
        BatchRule::SmallUserCount => format!(
            "{failed} failed units > {} among {units} (< {}) units in use",
            cfg.small_user_failures_more_than, cfg.small_user_units_below
        ),
        BatchRule::LargeUserRatio | BatchRule::ComponentRatio => format!(
            "{failed}/{units} = {}.{:02} % > {} %",
            rate_bp(failed, units) / 100,
            rate_bp(failed, units) % 100,
            cfg.ratio_more_than_percent
        ),
    };
    out.push(Finding {
        rule,
        evidence,
        records: acc.records,
        first_failure: acc.first,
        last_failure: acc.last,
        rate_basis_points: rate_bp(failed, units),
        why,
    });
    Ok(())
}

fn group_name(e: &Evidence) -> String {
    match e {
        Evidence::User {
            customer,
            model,
            mode,
            ..
        } => format!("customer `{customer}`, model `{model}`, {mode}"),
        Evidence::Component {
            component,
            fault,
            scope,
            ..
        } => format!("component `{component}` fault `{fault}`, {scope}"),
    }
}
