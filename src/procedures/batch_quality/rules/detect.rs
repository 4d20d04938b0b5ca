//! Batch detection: which groups of failure records meet the numeric conditions of the
//! batch definition (BQ-E §2.2 (000 L638)) now, and why, so that a host can open a batch-issue instance
//! from its service data.
//!
//! One pass over the records groups them three ways at once — by user, model and failure
//! mode (C1/C2), by component fault nationally and by component fault per region (C3) — and
//! counts each group's distinct failed units as it goes (a unit failing twice counts once),
//! with strings replaced by dense ids, so the set of (group, unit) pairs seen holds integers.
//! The groups are then judged against the installed base; the records are not read again
//! (except to name them in an error). Only records dated inside
//! the rolling window ending on the evaluation day and flagged in the service period are
//! counted (BQ-E §2.2 (000 L638) "3个月内", "在标准的售后服务期限内"). Whether a group is also *judged
//! nonconforming* (经判定) and in scope (BQ-E §2.1 (000 L636)) is for people to decide at the start gate
//! ([`assess`](super::batch::assess)); detection reports candidates with their counts.
//!
//! Cost: O(r + b) expected hash operations for r records and b installed-base entries, no
//! sorting of records; memory O(u + g) for u distinct (group, unit) pairs and g groups.

use super::batch::{BatchRule, Evidence, FailureMode, NotBatch, Scope, window_start};
use crate::procedures::batch_quality::Config;
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

/// A group that meets a numeric condition of BQ-E §2.2 (000 L638) now.
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
    /// Records inside the window but outside the service period (not counted, BQ-E §2.2 (000 L638)).
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
    /// Fold the product's high half into the low half: hash tables index by the low bits,
    /// which the Fx multiply alone leaves poorly mixed for similar strings.
    fn finish(&self) -> u64 {
        let p = u128::from(self.0) * 0x9e37_79b9_7f4a_7c15;
        (p as u64) ^ ((p >> 64) as u64)
    }
}

type FxMap<K, V> = HashMap<K, V, BuildHasherDefault<Fx>>;
type FxSet<K> = HashSet<K, BuildHasherDefault<Fx>>;

/// Strings replaced by dense ids, so that group keys hold integers.
struct Interner<'a> {
    ids: FxMap<&'a str, u32>,
    names: Vec<&'a str>,
}

impl<'a> Interner<'a> {
    fn new() -> Self {
        Interner {
            ids: FxMap::default(),
            names: Vec::new(),
        }
    }

    #[inline]
    fn id(&mut self, s: &'a str) -> u32 {
        let next = u32::try_from(self.names.len()).unwrap_or(u32::MAX);
        let id = *self.ids.entry(s).or_insert(next);
        if id == next {
            self.names.push(s);
        }
        id
    }

    fn name(&self, id: u32) -> &'a str {
        self.names.get(id as usize).copied().unwrap_or_default()
    }
}

/// No component / national scope.
const NONE: u32 = u32::MAX;

/// (customer, model, component or `NONE`, failure mode).
type UserKey = (u32, u32, u32, u32);
/// (component, fault, region or `NONE` for national).
type CompKey = (u32, u32, u32);

struct Acc {
    /// Distinct failed units.
    failed: u64,
    records: u64,
    first: NaiveDate,
    last: NaiveDate,
    /// Installed units (C1/C2: the user's; C3: the scope's); 0 = no base entry.
    units: u64,
}

/// Groups: an index from key to a dense id, and the accumulators.
struct Groups<K> {
    index: FxMap<K, u32>,
    accs: Vec<(K, Acc)>,
}

impl<K: std::hash::Hash + Eq + Copy> Groups<K> {
    fn new() -> Self {
        Groups {
            index: FxMap::default(),
            accs: Vec::new(),
        }
    }

    /// Count a record in the group `key`; returns the group id.
    #[inline]
    fn add(&mut self, key: K, date: NaiveDate) -> u32 {
        let next = u32::try_from(self.accs.len()).unwrap_or(NONE);
        let ix = *self.index.entry(key).or_insert(next);
        if ix == next {
            self.accs.push((
                key,
                Acc {
                    failed: 0,
                    records: 0,
                    first: date,
                    last: date,
                    units: 0,
                },
            ));
        }
        if let Some((_, acc)) = self.accs.get_mut(ix as usize) {
            acc.records += 1;
            acc.first = acc.first.min(date);
            acc.last = acc.last.max(date);
        }
        ix
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

/// Find the groups meeting C1, C2 or C3 of BQ-E §2.2 (000 L638) on `as_of`.
///
/// Units are distinct per group: identical failures of the same unit count once. A record
/// counts when its date is inside the rolling window (`cfg.window_months` calendar months
/// ending on `as_of`, product decision `PD-BATCH`) and it is flagged in the service period.
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
    let base = BaseIndex::new(base)?;
    let window = Window {
        as_of,
        from: window_start(as_of, cfg.window_months).unwrap_or(NaiveDate::MIN),
        inclusive: cfg.window_start_inclusive,
    };
    let mut g = Grouped::new(records, window)?;
    g.attach_base(&base)?;
    let mut findings = g.user_findings(cfg)?;
    findings.extend(g.component_findings(cfg)?);
    findings.sort_by(|a, b| (a.rule, &a.evidence).cmp(&(b.rule, &b.evidence)));
    Ok(Detection {
        as_of,
        window_from: window.from,
        records_total: records.len() as u64,
        records_counted: g.counted,
        records_out_of_service: g.out_of_service,
        findings,
    })
}

/// The installed base by user (customer, model) and by component scope, checked.
struct BaseIndex<'a> {
    users: FxMap<(&'a str, &'a str), u64>,
    comps: FxMap<(&'a str, Option<&'a str>), u64>,
}

impl<'a> BaseIndex<'a> {
    /// Index `base`; negative, zero and duplicate entries are errors.
    fn new(base: &'a InstalledBase) -> Result<Self, DetectionError> {
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
        Ok(BaseIndex {
            users: users.into_iter().map(|(k, (n, _))| (k, n)).collect(),
            comps: comps.into_iter().map(|(k, (n, _))| (k, n)).collect(),
        })
    }
}

/// The rolling window ending on the evaluation day.
#[derive(Clone, Copy)]
struct Window {
    as_of: NaiveDate,
    from: NaiveDate,
    inclusive: bool,
}

impl Window {
    fn contains(self, d: NaiveDate) -> bool {
        d <= self.as_of
            && if self.inclusive {
                d >= self.from
            } else {
                d > self.from
            }
    }
}

/// The counted records grouped three ways, with their distinct units, in one pass.
struct Grouped<'a> {
    records: &'a [FailureRecord],
    window: Window,
    customers: Interner<'a>,
    models: Interner<'a>,
    components: Interner<'a>,
    modes: Interner<'a>,
    regions: Interner<'a>,
    units: Interner<'a>,
    by_user: Groups<UserKey>,
    by_comp: Groups<CompKey>,
    /// The (user group?, group, unit) triples seen: a unit counts once per group.
    seen: FxSet<(bool, u32, u32)>,
    counted: u64,
    out_of_service: u64,
}

impl<'a> Grouped<'a> {
    /// The one pass: group every counted record three ways, counting its records and its
    /// distinct units. Records with no date or an empty field are errors.
    fn new(records: &'a [FailureRecord], window: Window) -> Result<Self, DetectionError> {
        let mut g = Grouped {
            records,
            window,
            customers: Interner::new(),
            models: Interner::new(),
            components: Interner::new(),
            modes: Interner::new(),
            regions: Interner::new(),
            units: Interner::new(),
            by_user: Groups::new(),
            by_comp: Groups::new(),
            seen: FxSet::default(),
            counted: 0,
            out_of_service: 0,
        };
        let (mut unknown, mut missing) = (Vec::new(), Vec::new());
        for r in records {
            let Some(date) = r.date else {
                unknown.push(r.id.clone());
                continue;
            };
            if r.unit.is_empty()
                || r.model.is_empty()
                || r.customer.is_empty()
                || r.failure_mode.is_empty()
            {
                missing.push(r.id.clone());
            } else if unknown.is_empty() && missing.is_empty() && window.contains(date) {
                if r.in_service_period {
                    g.counted += 1;
                    g.group(r, date);
                } else {
                    g.out_of_service += 1;
                }
            }
        }
        if !unknown.is_empty() {
            return Err(DetectionError::UnknownDate { records: unknown });
        }
        if !missing.is_empty() {
            return Err(DetectionError::MissingField { records: missing });
        }
        Ok(g)
    }

    /// Count record `r` (dated `date`) in its user group and, for a component fault, in its
    /// national and regional component groups, with its unit.
    fn group(&mut self, r: &'a FailureRecord, date: NaiveDate) {
        let mode = self.modes.id(&r.failure_mode);
        let unit = self.units.id(&r.unit);
        let component = r.component.as_deref().map(|c| self.components.id(c));
        let user = (
            self.customers.id(&r.customer),
            self.models.id(&r.model),
            component.unwrap_or(NONE),
            mode,
        );
        let ix = self.by_user.add(user, date);
        self.count_unit(true, ix, unit);
        if let Some(c) = component {
            let ix = self.by_comp.add((c, mode, NONE), date);
            self.count_unit(false, ix, unit);
            let region = self.regions.id(&r.region);
            let ix = self.by_comp.add((c, mode, region), date);
            self.count_unit(false, ix, unit);
        }
    }

    /// Count `unit` as failed in group `ix` (of the user groups or the component groups)
    /// unless it was already.
    #[inline]
    fn count_unit(&mut self, by_user: bool, ix: u32, unit: u32) {
        if self.seen.insert((by_user, ix, unit)) {
            let acc = if by_user {
                acc_mut(&mut self.by_user.accs, ix)
            } else {
                acc_mut(&mut self.by_comp.accs, ix)
            };
            if let Some(acc) = acc {
                acc.failed += 1;
            }
        }
    }

    /// The ids of the counted records `pred` selects (for errors).
    fn ids_of(&self, pred: &dyn Fn(&FailureRecord) -> bool) -> Vec<String> {
        let window = self.window;
        self.records
            .iter()
            .filter(|r| r.in_service_period && r.date.is_some_and(|d| window.contains(d)))
            .filter(|r| pred(r))
            .map(|r| r.id.clone())
            .collect()
    }

    /// The installed units of every group; a user group with no installed base is an error
    /// (a component group without one is not judged: C3 is evaluated only where an entry
    /// exists).
    fn attach_base(&mut self, base: &BaseIndex<'_>) -> Result<(), DetectionError> {
        let mut no_base = None;
        for ((c, m, _, _), acc) in &mut self.by_user.accs {
            let (customer, model) = (self.customers.name(*c), self.models.name(*m));
            let Some(&units) = base.users.get(&(customer, model)) else {
                no_base = Some((customer, model));
                break;
            };
            acc.units = units;
        }
        if let Some((customer, model)) = no_base {
            return Err(DetectionError::MissingInstalledBase {
                customer: customer.to_owned(),
                model: model.to_owned(),
                records: self.ids_of(&|r| r.customer == customer && r.model == model),
            });
        }
        for ((k, _, g), acc) in &mut self.by_comp.accs {
            let region = (*g != NONE).then(|| self.regions.name(*g));
            if let Some(&units) = base.comps.get(&(self.components.name(*k), region)) {
                acc.units = units;
            }
        }
        Ok(())
    }

    /// The C1/C2 findings (BQ-E §2.2 (000 L638)): per user, model and failure mode.
    fn user_findings(&self, cfg: &Config) -> Result<Vec<Finding>, DetectionError> {
        let mut findings = Vec::new();
        for ((c, m, k, f), acc) in &self.by_user.accs {
            let (customer, model) = (self.customers.name(*c), self.models.name(*m));
            let component = (*k != NONE).then(|| self.components.name(*k));
            let mode = self.modes.name(*f);
            let verdict = super::batch::user_rule(acc.units, acc.failed, cfg);
            let Some(rule) = checked(verdict, acc.failed, acc.units, || {
                (
                    format!("customer `{customer}`, model `{model}`, failure `{mode}`"),
                    self.ids_of(&|r| {
                        r.customer == customer
                            && r.model == model
                            && r.component.as_deref() == component
                            && r.failure_mode == mode
                    }),
                )
            })?
            else {
                continue;
            };
            let mode = match component {
                None => FailureMode::WholeMachine {
                    symptom: mode.to_owned(),
                },
                Some(c) => FailureMode::Component {
                    component: c.to_owned(),
                    fault: mode.to_owned(),
                },
            };
            let evidence = Evidence::User {
                customer: customer.to_owned(),
                model: model.to_owned(),
                mode,
                units_in_use: acc.units,
                failed_units: acc.failed,
            };
            findings.push(finding(rule, evidence, acc, cfg));
        }
        Ok(findings)
    }

    /// The C3 findings (BQ-E §2.2 (000 L638)): per component fault, nationally and per region.
    fn component_findings(&self, cfg: &Config) -> Result<Vec<Finding>, DetectionError> {
        let mut findings = Vec::new();
        // Groups without a base entry (units 0) are not judged.
        for ((k, f, g), acc) in self.by_comp.accs.iter().filter(|(_, a)| a.units > 0) {
            let (component, fault) = (self.components.name(*k), self.modes.name(*f));
            let region = (*g != NONE).then(|| self.regions.name(*g));
            let scope = region.map_or(Scope::National, |r| Scope::Region(r.to_owned()));
            let verdict = super::batch::component_rule(acc.units, acc.failed, cfg);
            let Some(rule) = checked(verdict, acc.failed, acc.units, || {
                (
                    format!("component `{component}` fault `{fault}`, {scope}"),
                    self.ids_of(&|r| {
                        r.component.as_deref() == Some(component)
                            && r.failure_mode == fault
                            && region.is_none_or(|g| r.region == g)
                    }),
                )
            })?
            else {
                continue;
            };
            let evidence = Evidence::Component {
                component: component.to_owned(),
                fault: fault.to_owned(),
                scope,
                units_in_scope: acc.units,
                failed_units: acc.failed,
            };
            findings.push(finding(rule, evidence, acc, cfg));
        }
        Ok(findings)
    }
}

/// The accumulator of group `ix` (none for `NONE`).
fn acc_mut<K>(accs: &mut [(K, Acc)], ix: u32) -> Option<&mut Acc> {
    accs.get_mut(ix as usize).map(|(_, a)| a)
}

/// A rule's verdict, or the error naming the group's records when the counts are impossible
/// (more failed units than installed).
fn checked(
    verdict: Result<Option<BatchRule>, NotBatch>,
    failed: u64,
    units: u64,
    group: impl FnOnce() -> (String, Vec<String>),
) -> Result<Option<BatchRule>, DetectionError> {
    verdict.map_err(|_| {
        let (group, records) = group();
        DetectionError::FailuresExceedBase {
            group,
            failed,
            units,
            records,
        }
    })
}

fn finding(rule: BatchRule, evidence: Evidence, acc: &Acc, cfg: &Config) -> Finding {
    let (failed, units) = evidence.counts();
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
    Finding {
        rule,
        evidence,
        records: acc.records,
        first_failure: acc.first,
        last_failure: acc.last,
        rate_basis_points: rate_bp(failed, units),
        why,
    }
}
