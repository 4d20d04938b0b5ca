//! SLA status per deadline and aggregate figures over instances.

use crate::definition::Definition;
use crate::instance::{Instance, SlaStatus};
use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Counts for one slice of an [`SlaReport`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct SlaCounts {
    /// Stopped in time.
    pub met: u64,
    /// Breached (stopped late, or breach recorded).
    pub breached: u64,
    /// Still running or paused, not breached.
    pub open: u64,
    /// Stopped before the early bound of a window.
    #[serde(default)]
    pub early: u64,
}

impl SlaCounts {
    /// `met / (met + breached + early)` in per mille; `None` when nothing was judged yet.
    pub fn on_time_permille(&self) -> Option<u64> {
        let judged = self.met + self.breached + self.early;
        (judged > 0).then(|| self.met * 1000 / judged)
    }

    fn add(&mut self, s: SlaStatus) {
        match s {
            SlaStatus::Met { .. } => self.met += 1,
            SlaStatus::Breached => self.breached += 1,
            SlaStatus::Early => self.early += 1,
            SlaStatus::Pending | SlaStatus::Warned | SlaStatus::Paused => self.open += 1,
        }
    }
}

/// A reporting period `[from, to)`: a clock counts in it when it was judged in it (stopped, or
/// past its limit), or when it was started before `to` and is still open at `to`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Period {
    /// First instant of the period.
    pub from: DateTime<Utc>,
    /// First instant after it.
    pub to: DateTime<Utc>,
}

impl Period {
    /// The period `[from, to)`.
    pub fn new(from: DateTime<Utc>, to: DateTime<Utc>) -> Period {
        Period { from, to }
    }

    /// Whether a clock belongs to the period, and its status there. A clock is judged once:
    /// when it went past its limit (late: at the first instant after it, `due + 1ns`, the
    /// boundary rule), or when it stopped in time (met); it counts in the period holding that
    /// instant, and as open in the periods before, from its start.
    fn status(&self, ds: &crate::instance::DeadlineState) -> Option<SlaStatus> {
        if ds.started_at >= self.to {
            return None;
        }
        let running = ds.stopped.is_none() && ds.paused_at.is_none();
        let past = crate::calendar::breach_instant(ds.due_at);
        let late = ds.breached || ds.stopped.is_some_and(|s| !s.met) || (running && past < self.to);
        let judged_at = if late {
            Some(past)
        } else {
            ds.stopped.map(|s| s.at)
        };
        match judged_at {
            Some(at) if at < self.from => None,
            Some(at) if at < self.to => Some(if late {
                SlaStatus::Breached
            } else {
                ds.status()
            }),
            _ => Some(SlaStatus::Pending),
        }
    }
}

/// The complaint-rate KPI of 001 (客诉率 < 3 %): complaints the company is responsible for,
/// divided by the service orders completed in the period. Both counts are the host's (the
/// library does not know which complaints the company was found responsible for, nor the
/// service orders outside its procedures); the comparison is strict.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ComplaintRate {
    /// Complaints in the period the company is responsible for.
    pub responsible_complaints: u64,
    /// Service orders completed in the period.
    pub completed_orders: u64,
    /// The goal in per mille: the rate must stay strictly below it (001: 30 ‰ = 3 %).
    pub goal_permille: u64,
}

/// 001's complaint-rate goal: 客诉率 < 3 %, in per mille.
pub const DEFAULT_COMPLAINT_RATE_GOAL_PERMILLE: u64 = 30;

impl ComplaintRate {
    /// The KPI for these counts, with 001's goal.
    pub fn new(responsible_complaints: u64, completed_orders: u64) -> ComplaintRate {
        ComplaintRate {
            responsible_complaints,
            completed_orders,
            goal_permille: DEFAULT_COMPLAINT_RATE_GOAL_PERMILLE,
        }
    }

    /// Whether the rate is strictly below the goal: `complaints / orders < goal / 1000`,
    /// compared in integers. With no completed order the rate is undefined and the goal is
    /// not met unless there was no complaint either.
    pub fn meets_goal(&self) -> bool {
        if self.completed_orders == 0 {
            return self.responsible_complaints == 0;
        }
        u128::from(self.responsible_complaints) * 1000
            < u128::from(self.goal_permille) * u128::from(self.completed_orders)
    }

    /// The rate in per mille, rounded down (`None` without completed orders).
    pub fn rate_permille(&self) -> Option<u64> {
        (self.completed_orders > 0).then(|| {
            let r =
                u128::from(self.responsible_complaints) * 1000 / u128::from(self.completed_orders);
            u64::try_from(r).unwrap_or(u64::MAX)
        })
    }
}

/// Aggregate SLA figures over instances: overall, by procedure, by deadline, by owner role.
///
/// The on-time goal defaults to the seed's: 服务准时率≥98% (`SVC-KPI §3.2 (001 L3)`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct SlaReport {
    /// Every deadline.
    pub total: SlaCounts,
    /// By definition id.
    pub by_procedure: BTreeMap<String, SlaCounts>,
    /// By `definition/deadline`.
    pub by_deadline: BTreeMap<String, SlaCounts>,
    /// By the deadline's owner role (deadlines without owner under `-`).
    pub by_role: BTreeMap<String, SlaCounts>,
    /// The on-time goal in per mille.
    pub goal_permille: u64,
}

/// The seed's on-time goal: 服务准时率≥98% (`SVC-KPI §3.2 (001 L3)`).
pub const DEFAULT_ON_TIME_GOAL_PERMILLE: u64 = 980;

impl Default for SlaReport {
    fn default() -> Self {
        SlaReport {
            total: SlaCounts::default(),
            by_procedure: BTreeMap::new(),
            by_deadline: BTreeMap::new(),
            by_role: BTreeMap::new(),
            goal_permille: DEFAULT_ON_TIME_GOAL_PERMILLE,
        }
    }
}

impl SlaReport {
    /// An empty report with the default goal.
    pub fn new() -> Self {
        Self::default()
    }

    /// Count the deadlines of `inst` (of definition `def`) as of `now`.
    pub fn add(&mut self, def: &Definition, inst: &Instance, now: DateTime<Utc>) {
        self.add_where(def, inst, |ds| Some(ds.status_at(now)));
    }

    /// Count the deadlines of `inst` that belong to `period` (see [`Period`]).
    pub fn add_in(&mut self, def: &Definition, inst: &Instance, period: Period) {
        self.add_where(def, inst, |ds| period.status(ds));
    }

    fn add_where(
        &mut self,
        def: &Definition,
        inst: &Instance,
        status: impl Fn(&crate::instance::DeadlineState) -> Option<SlaStatus>,
    ) {
        for ds in inst.deadlines() {
            let Some(s) = status(ds) else { continue };
            let owner = def
                .deadline_ix(ds.name)
                .and_then(|i| def.deadline(i).spec.owner.clone())
                .unwrap_or_else(|| "-".to_owned());
            self.total.add(s);
            self.by_procedure
                .entry(inst.definition().to_string())
                .or_default()
                .add(s);
            self.by_deadline
                .entry(format!("{}/{}", inst.definition(), ds.name))
                .or_default()
                .add(s);
            self.by_role.entry(owner).or_default().add(s);
        }
    }

    /// Whether the overall on-time rate meets the goal (vacuously true with nothing judged).
    pub fn meets_goal(&self) -> bool {
        self.total
            .on_time_permille()
            .is_none_or(|r| r >= self.goal_permille)
    }
}
