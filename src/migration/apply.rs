//! One instance under a plan: what would change (the dry run) and the migration event.

use super::report::{Change, Planned, SignOffChange};
use super::{ClockPolicy, MigrationPlan, Unmigratable, data};
use crate::access::{Actor, SignatureStatus};
use crate::decide::clocks::{Instants, instants, margin};
use crate::decide::{Decision, Draft, attribution};
use crate::event::{ClockChange, ClockMigration, EventKind};
use crate::instance::{DeadlineState, Instance};
use crate::rejection::Rejection;
use chrono::{DateTime, Utc};
use std::sync::Arc;

fn clock_error(r: Rejection) -> Unmigratable {
    match r {
        Rejection::DeadlineUncomputable { deadline, reason } => {
            Unmigratable::Clock { deadline, reason }
        }
        other => Unmigratable::Inconsistent {
            reason: other.to_string(),
        },
    }
}

fn started(i: Instants, paused: bool) -> ClockChange {
    ClockChange::Started {
        due_at: i.due_at,
        warn_at: i.warn_at,
        escalate_at: i.escalate_at,
        not_before: i.not_before,
        paused,
    }
}

/// Move every instant of `i` later by `by`.
fn shift_all(i: &mut Instants, by: chrono::TimeDelta) {
    let moved = |t: &mut DateTime<Utc>| *t = t.checked_add_signed(by).unwrap_or(*t);
    moved(&mut i.due_at);
    i.warn_at.iter_mut().for_each(moved);
    i.not_before.iter_mut().for_each(moved);
    i.escalate_at.iter_mut().for_each(moved);
}

impl MigrationPlan {
    /// Whether `inst` is for this plan at all, and where it goes.
    fn check(&self, inst: &Instance, now: DateTime<Utc>) -> Result<(), Unmigratable> {
        let (def, version) = (inst.definition(), inst.definition_version());
        if def != self.from.id() {
            return Err(Unmigratable::WrongDefinition {
                definition: def,
                version,
            });
        }
        if version == self.to.version() {
            return Err(Unmigratable::AlreadyMigrated { version });
        }
        if version != self.from.version() {
            return Err(Unmigratable::WrongDefinition {
                definition: def,
                version,
            });
        }
        if inst.is_closed() {
            return Err(Unmigratable::Closed {
                state: inst.state(),
            });
        }
        if now < inst.updated_at() {
            return Err(Unmigratable::TimeWentBackwards {
                last: inst.updated_at(),
                now,
            });
        }
        if self.excluded.contains(&inst.state()) {
            return Err(Unmigratable::NoInstancesExpected {
                state: inst.state(),
            });
        }
        Ok(())
    }

    /// The migration event for `inst` at `now` and what it changes, or why not.
    pub(super) fn prepare(
        &self,
        inst: &Instance,
        now: DateTime<Utc>,
    ) -> Result<(EventKind, Change), Unmigratable> {
        self.check(inst, now)?;
        let to_state =
            self.target_state(inst.state())
                .ok_or_else(|| Unmigratable::Inconsistent {
                    reason: format!("state `{}` is not mapped by the plan", inst.state()),
                })?;
        // Data.
        let mut new_data = inst.data().clone();
        let data_changes = data::apply(&self.spec.data, &self.functions, &mut new_data)
            .map_err(|(op, reason)| Unmigratable::DataTransform { op, reason })?;
        self.check_data(inst, &new_data)?;
        let changed = new_data != *inst.data();
        let new_data = Arc::new(new_data);
        let working = inst.with_data(Arc::clone(&new_data));
        // Clocks.
        let clocks = self.clocks(&working, to_state, now)?;
        // Sign-offs.
        let pending: Vec<_> = inst
            .signatures()
            .iter()
            .filter(|s| {
                matches!(
                    s.status,
                    SignatureStatus::Open | SignatureStatus::Invalidated
                )
            })
            .map(|s| (s.action, s.signer.clone()))
            .collect();
        let mut kind = EventKind::Migrated {
            from_version: self.from.version(),
            to_version: self.to.version(),
            definition: self.to.digest(),
            plan: self.digest,
            from_state: inst.state(),
            to_state,
            data: changed.then(|| Arc::clone(&new_data)),
            clocks: clocks.clone(),
            sign_offs: self.spec.sign_offs,
            before: inst.content_digest(),
            after: crate::Digest::ZERO,
        };
        let mut next = inst.clone();
        next.apply_migration(&kind, now)
            .map_err(|reason| Unmigratable::Inconsistent { reason })?;
        let digest = next.content_digest();
        if let EventKind::Migrated { after, .. } = &mut kind {
            *after = digest;
        }
        let change = Change {
            from_state: inst.state(),
            to_state,
            data: data_changes,
            clocks,
            sign_offs: SignOffChange {
                policy: self.spec.sign_offs,
                pending,
            },
            before: inst.content_digest(),
            after: digest,
        };
        Ok((kind, change))
    }

    /// `require`, the named checks, and every form on file against B's validators.
    fn check_data(&self, inst: &Instance, data: &serde_json::Value) -> Result<(), Unmigratable> {
        for p in &self.spec.require {
            if data.pointer(p).is_none_or(serde_json::Value::is_null) {
                return Err(Unmigratable::Required { pointer: p.clone() });
            }
        }
        for (name, f) in &self.checks {
            f(data).map_err(|reason| Unmigratable::Check {
                check: name.clone(),
                reason,
            })?;
        }
        // The latest form of each kind is what B's guards will read.
        let mut seen = Vec::new();
        for f in inst.forms().iter().rev() {
            if seen.contains(&f.form.kind) {
                continue;
            }
            seen.push(f.form.kind);
            if let Some(Some(v)) = self.to.forms.get(&f.form.kind) {
                v.validate(&f.form.body)
                    .map_err(|reason| Unmigratable::FormInvalid {
                        kind: f.form.kind,
                        seq: f.seq,
                        reason,
                    })?;
            }
        }
        Ok(())
    }

    /// What happens to each clock (see `docs/versioning.md`).
    fn clocks(
        &self,
        inst: &Instance,
        to_state: crate::Name,
        now: DateTime<Utc>,
    ) -> Result<Vec<ClockMigration>, Unmigratable> {
        let (a, b) = (&*self.from, &*self.to);
        let mut out = Vec::new();
        let active: Vec<&DeadlineState> =
            inst.deadlines().iter().filter(|d| d.is_active()).collect();
        for ds in &active {
            let name = ds.name;
            let a_cd = a.deadline_ix(name).map(|i| a.deadline(i));
            let b_cd = b.deadline_ix(name).map(|i| b.deadline(i));
            let ended = || {
                let at = ds.paused_at.unwrap_or(now);
                ClockChange::Ended {
                    met: !ds.breached && at <= ds.due_at,
                    margin_secs: margin(a, a_cd, at, ds.due_at),
                }
            };
            let Some(cd) = b_cd else {
                out.push(ClockMigration {
                    deadline: name,
                    change: ended(),
                });
                continue;
            };
            match self.clock_policy(name) {
                ClockPolicy::Carry => {}
                ClockPolicy::Restart => {
                    out.push(ClockMigration {
                        deadline: name,
                        change: ended(),
                    });
                    let i = instants(b, cd, inst, now).map_err(clock_error)?;
                    out.push(ClockMigration {
                        deadline: name,
                        change: started(i, ds.paused_at.is_some()),
                    });
                }
                ClockPolicy::Recompute => {
                    let mut i = instants(b, cd, inst, ds.started_at).map_err(clock_error)?;
                    // Time already added by pauses under A, carried in wall-clock time.
                    let shift = a_cd
                        .and_then(|acd| instants(a, acd, inst, ds.started_at).ok())
                        .map(|orig| ds.due_at - orig.due_at)
                        .filter(|d| *d > chrono::TimeDelta::zero())
                        .unwrap_or_default();
                    shift_all(&mut i, shift);
                    out.push(ClockMigration {
                        deadline: name,
                        change: ClockChange::Retimed {
                            due_at: i.due_at,
                            warn_at: i.warn_at,
                            escalate_at: i.escalate_at,
                            not_before: i.not_before,
                        },
                    });
                }
            }
        }
        // B's clocks started on entering the target state, when the instance "enters" it
        // (the state is new to it, or the deadline is new in B) and none is running.
        let to_ix = b.state_ix(to_state);
        for cd in &b.deadlines {
            let enters = matches!(cd.starts, crate::definition::When::Enter(s) if Some(s) == to_ix);
            let running = active.iter().any(|d| d.name == cd.name)
                && !out.iter().any(|c| {
                    c.deadline == cd.name && matches!(c.change, ClockChange::Ended { .. })
                });
            let new_to_it = to_state != inst.state() || a.deadline_ix(cd.name).is_none();
            if enters && new_to_it && !running && !out.iter().any(|c| c.deadline == cd.name) {
                let i = instants(b, cd, inst, now).map_err(clock_error)?;
                out.push(ClockMigration {
                    deadline: cd.name,
                    change: started(i, false),
                });
            }
        }
        Ok(out)
    }

    /// What migrating `inst` at `now` would change, or why it cannot be migrated; writes
    /// nothing.
    pub fn preview(&self, inst: &Instance, now: DateTime<Utc>) -> Planned {
        match self.prepare(inst, now) {
            Ok((_, change)) => Planned::Migrate(change),
            Err(Unmigratable::AlreadyMigrated { .. }) => Planned::AlreadyMigrated,
            Err(Unmigratable::Closed { state }) => Planned::Closed { state },
            Err(reason) => Planned::Refused(reason),
        }
    }

    /// The migration of `inst` by `by` at `now` as a decision: one
    /// [`Migrated`](EventKind::Migrated) event, unlinked (the engine links and commits it).
    ///
    /// # Errors
    /// [`Unmigratable`]: why this instance cannot be migrated.
    pub fn decide(
        &self,
        inst: &Instance,
        by: &Actor,
        now: DateTime<Utc>,
    ) -> Result<Decision, Unmigratable> {
        let (kind, _) = self.prepare(inst, now)?;
        let mut d = Draft::new(inst.clone(), Some(attribution(by, None)), now);
        d.push(kind).map_err(|r| Unmigratable::Inconsistent {
            reason: r.to_string(),
        })?;
        Ok(d.finish())
    }
}
