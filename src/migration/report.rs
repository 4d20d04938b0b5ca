//! What a dry run reports and what a batch migration did.

use super::{MigrationPlan, Refused, SignOffPolicy, Unmigratable};
use crate::digest::Digest;
use crate::event::{ClockChange, ClockMigration};
use crate::ids::{ActorId, InstanceId, Name};
use crate::instance::Instance;
use chrono::{DateTime, Utc};
use std::fmt;

/// What migrating one instance changes.
#[derive(Clone, Debug, PartialEq)]
pub struct Change {
    /// The state before.
    pub from_state: Name,
    /// The state after.
    pub to_state: Name,
    /// The data operations that changed something, described (`moved /a to /b`, …).
    pub data: Vec<String>,
    /// What happens to each clock.
    pub clocks: Vec<ClockMigration>,
    /// What happens to pending sign-offs.
    pub sign_offs: SignOffChange,
    /// The instance's content digest before.
    pub before: Digest,
    /// And after.
    pub after: Digest,
}

/// The pending sign-offs of an instance and what the plan does with them.
#[derive(Clone, Debug, PartialEq)]
pub struct SignOffChange {
    /// Keep or reset.
    pub policy: SignOffPolicy,
    /// `(action, signer)` of every open or invalidated signature.
    pub pending: Vec<(Name, ActorId)>,
}

/// What a plan would do with one instance.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum Planned {
    /// It would be migrated, with this change.
    Migrate(Change),
    /// It runs the target version already (migrated earlier or started on it: nothing to do).
    AlreadyMigrated,
    /// It is closed and stays on its version.
    Closed {
        /// Its terminal state.
        state: Name,
    },
    /// It cannot be migrated.
    Refused(Unmigratable),
}

/// A dry run: per instance, what would change or why it cannot be migrated. Nothing was
/// written.
#[derive(Clone, Debug, PartialEq)]
pub struct DryRun {
    /// The definition.
    pub definition: Name,
    /// Source version.
    pub from: u32,
    /// Target version.
    pub to: u32,
    /// The plan's digest.
    pub plan: Digest,
    /// When it was computed (the `now` given).
    pub at: DateTime<Utc>,
    /// Per instance, in the order given.
    pub instances: Vec<(InstanceId, Planned)>,
}

impl DryRun {
    /// The instances that would be migrated.
    pub fn migrating(&self) -> impl Iterator<Item = (&InstanceId, &Change)> {
        self.instances.iter().filter_map(|(id, p)| match p {
            Planned::Migrate(c) => Some((id, c)),
            _ => None,
        })
    }

    /// The instances that cannot be migrated, and why.
    pub fn refused(&self) -> impl Iterator<Item = (&InstanceId, &Unmigratable)> {
        self.instances.iter().filter_map(|(id, p)| match p {
            Planned::Refused(r) => Some((id, r)),
            _ => None,
        })
    }

    /// Whether every open instance of the source version can be migrated.
    pub fn is_clean(&self) -> bool {
        self.refused().next().is_none()
    }
}

impl MigrationPlan {
    /// Dry run over `instances` at `now`: writes nothing.
    pub fn dry_run<'a>(
        &self,
        instances: impl IntoIterator<Item = &'a Instance>,
        now: DateTime<Utc>,
    ) -> DryRun {
        DryRun {
            definition: self.from.id(),
            from: self.from.version(),
            to: self.to.version(),
            plan: self.digest,
            at: now,
            instances: instances
                .into_iter()
                .map(|i| (i.id().clone(), self.preview(i, now)))
                .collect(),
        }
    }
}

fn clock_line(c: &ClockMigration) -> String {
    let d = c.deadline;
    match &c.change {
        ClockChange::Ended { met, margin_secs } => format!(
            "{d}: ended ({}, {margin_secs} s left)",
            if *met { "met" } else { "missed" }
        ),
        ClockChange::Retimed { due_at, .. } => format!("{d}: due {due_at} (recomputed)"),
        ClockChange::Started { due_at, paused, .. } => format!(
            "{d}: started, due {due_at}{}",
            if *paused { " (paused)" } else { "" }
        ),
    }
}

impl fmt::Display for DryRun {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let migrating = self.migrating().count();
        let refused = self.refused().count();
        writeln!(
            f,
            "dry run: `{}` v{} → v{} (plan {}) at {}: {} instance(s), {migrating} to migrate, {refused} refused",
            self.definition,
            self.from,
            self.to,
            &self.plan.to_string()[..12],
            self.at,
            self.instances.len()
        )?;
        for (id, p) in &self.instances {
            match p {
                Planned::Migrate(c) => {
                    writeln!(f, "  {id}: {} → {}", c.from_state, c.to_state)?;
                    for d in &c.data {
                        writeln!(f, "      data: {d}")?;
                    }
                    for c in &c.clocks {
                        writeln!(f, "      clock: {}", clock_line(c))?;
                    }
                    if !c.sign_offs.pending.is_empty() {
                        let who: Vec<String> = (c.sign_offs.pending.iter())
                            .map(|(a, s)| format!("{a} by {s}"))
                            .collect();
                        let verb = match c.sign_offs.policy {
                            SignOffPolicy::Keep => "kept",
                            SignOffPolicy::Reset => "reset",
                        };
                        writeln!(f, "      sign-offs {verb}: {}", who.join(", "))?;
                    }
                }
                Planned::AlreadyMigrated => writeln!(f, "  {id}: already on v{}", self.to)?,
                Planned::Closed { state } => writeln!(f, "  {id}: closed in {state}, stays")?,
                Planned::Refused(r) => writeln!(f, "  {id}: CANNOT MIGRATE: {r}")?,
            }
        }
        Ok(())
    }
}

/// What [`Engine::migrate_all`](crate::Engine::migrate_all) did.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct BatchReport {
    /// Migrated by this run.
    pub migrated: Vec<InstanceId>,
    /// On the target version already (migrated by an earlier run, or started on it).
    pub already: Vec<InstanceId>,
    /// Closed, left on their version.
    pub closed: Vec<InstanceId>,
    /// Not migrated, and why (nothing written for them).
    pub refused: Vec<Refused>,
}

impl BatchReport {
    /// Whether this run wrote nothing (a second run after a complete one).
    pub fn is_noop(&self) -> bool {
        self.migrated.is_empty()
    }
}

impl fmt::Display for BatchReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "migrated {}, already migrated {}, closed {}, refused {}",
            self.migrated.len(),
            self.already.len(),
            self.closed.len(),
            self.refused.len()
        )?;
        for r in &self.refused {
            writeln!(f, "  {}: {}", r.instance, r.reason)?;
        }
        Ok(())
    }
}
