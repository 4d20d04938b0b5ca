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
}

impl SlaCounts {
    /// `met / (met + breached)` in per mille; `None` when nothing was judged yet.
    pub fn on_time_permille(&self) -> Option<u64> {
        let judged = self.met + self.breached;
        (judged > 0).then(|| self.met * 1000 / judged)
    }

    fn add(&mut self, s: SlaStatus) {
        match s {
            SlaStatus::Met { .. } => self.met += 1,
            SlaStatus::Breached => self.breached += 1,
            SlaStatus::Pending | SlaStatus::Warned | SlaStatus::Paused => self.open += 1,
        }
    }
}

/// Aggregate SLA figures over instances: overall, by procedure, by deadline, by owner role.
///
/// The on-time goal defaults to the seed's: 服务准时率≥98% (`001 L3`).
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

/// The seed's on-time goal: 服务准时率≥98% (`001 L3`).
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
        for ds in inst.deadlines() {
            let s = ds.status_at(now);
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
