//! SLA status per deadline and aggregate figures over instances.

use super::DeadlineState;
use crate::definition::Definition;
use crate::instance::Instance;
use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The SLA status of one deadline clock.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum SlaStatus {
    /// Running, not yet warned.
    Pending,
    /// Running, past its warning threshold.
    Warned,
    /// Paused (waiting on the customer or a supplier).
    Paused,
    /// Stopped in time, with this much time left (seconds).
    Met {
        /// Seconds to spare.
        margin_secs: i64,
    },
    /// Missed. Once breached, always breached, even if later satisfied.
    Breached,
}

impl DeadlineState {
    /// The SLA status as recorded (breaches count once `handle_due` recorded them or the
    /// clock stopped late).
    pub fn status(&self) -> SlaStatus {
        match self.stopped {
            _ if self.breached => SlaStatus::Breached,
            Some(s) if !s.met => SlaStatus::Breached,
            Some(s) => SlaStatus::Met {
                margin_secs: s.margin_secs,
            },
            None if self.paused_at.is_some() => SlaStatus::Paused,
            None if self.warned => SlaStatus::Warned,
            None => SlaStatus::Pending,
        }
    }

    /// The status as of `now`: like [`status`](Self::status), but a running clock past its
    /// limit already counts as breached (before `handle_due` has run).
    pub fn status_at(&self, now: DateTime<Utc>) -> SlaStatus {
        match self.status() {
            SlaStatus::Pending | SlaStatus::Warned if now > self.due_at => SlaStatus::Breached,
            SlaStatus::Pending if self.warn_at.is_some_and(|w| now >= w) => SlaStatus::Warned,
            other => other,
        }
    }
}

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
                .spec()
                .deadlines
                .iter()
                .find(|d| d.name == ds.name)
                .and_then(|d| d.owner.clone())
                .unwrap_or_else(|| "-".to_owned());
            self.total.add(s);
            self.by_procedure
                .entry(inst.definition().to_owned())
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
