//! Instances: the state of one case (one complaint, one return, ...), rebuilt from its
//! events.
//!
//! An [`Instance`] is a snapshot: the definition it runs, its current state, its data, its
//! version (the sequence number of its last event), the forms attached, the signatures of
//! the open sign-off, the actors who fired each action (for separation of duties) and its
//! deadline clocks. [`Instance::apply`] is deterministic; [`Instance::replay`] rebuilds a
//! snapshot from events and [`Instance::verify`] proves a stored snapshot equals its replay.

use crate::access::{ActorId, Signature};
use crate::deadline::DeadlineState;
use crate::event::{Event, EventKind};
use crate::form::Form;
use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

/// Who fired each action so far (separation of duties).
type FiredBy = BTreeMap<String, Vec<ActorId>>;

/// Serde for a shared (`Arc`) field: the same JSON as the value itself.
mod shared {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};
    use std::sync::Arc;

    pub(super) fn serialize<T: Serialize, S: Serializer>(
        v: &Arc<T>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        T::serialize(v, s)
    }

    pub(super) fn deserialize<'de, T: Deserialize<'de>, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Arc<T>, D::Error> {
        T::deserialize(d).map(Arc::new)
    }
}

fn no_one_fired(f: &Arc<FiredBy>) -> bool {
    f.is_empty()
}

/// The id of an instance, chosen by the host.
#[derive(
    Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(transparent)]
pub struct InstanceId(pub String);

impl fmt::Display for InstanceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<&str> for InstanceId {
    fn from(s: &str) -> Self {
        InstanceId(s.to_owned())
    }
}

impl From<String> for InstanceId {
    fn from(s: String) -> Self {
        InstanceId(s)
    }
}

/// A form attached to an instance, with the event that attached it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct AttachedForm {
    /// Sequence number of the `FormAttached` event.
    pub seq: u64,
    /// The action it came with.
    pub action: String,
    /// Who attached it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by: Option<ActorId>,
    /// The form.
    pub form: Form,
}

/// A snapshot of one instance.
// Cloning is cheap where it matters: the data and the record of who fired what are shared
// (copy-on-write) between a snapshot and its clones, since deciding a command clones the
// snapshot and most commands change neither. (A plain comment: the doc comment is the JSON
// Schema's description.)
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Instance {
    id: InstanceId,
    definition: String,
    definition_version: u32,
    state: String,
    #[serde(with = "shared")]
    #[schemars(with = "Value")]
    data: Arc<Value>,
    version: u64,
    closed: bool,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    assignee: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    forms: Vec<AttachedForm>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    signatures: Vec<Signature>,
    #[serde(default, skip_serializing_if = "no_one_fired", with = "shared")]
    #[schemars(with = "FiredBy")]
    fired_by: Arc<FiredBy>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    deadlines: Vec<DeadlineState>,
}

/// Events do not fit the instance they are applied to.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum ReplayError {
    /// The history is empty or does not start with `Created`.
    #[error("history of `{instance}` does not start with a `created` event")]
    NotCreated {
        /// The instance.
        instance: InstanceId,
    },
    /// An event belongs to another instance.
    #[error("event {seq} belongs to `{found}`, not `{instance}`")]
    WrongInstance {
        /// The instance being rebuilt.
        instance: InstanceId,
        /// The event's instance.
        found: InstanceId,
        /// The event's sequence number.
        seq: u64,
    },
    /// Sequence numbers are not contiguous.
    #[error("`{instance}`: expected event {expected}, found {found}")]
    Gap {
        /// The instance.
        instance: InstanceId,
        /// The expected sequence number.
        expected: u64,
        /// The one found.
        found: u64,
    },
    /// An event contradicts the state it is applied to.
    #[error("`{instance}` event {seq}: {reason}")]
    Inconsistent {
        /// The instance.
        instance: InstanceId,
        /// The event.
        seq: u64,
        /// What does not fit.
        reason: String,
    },
    /// A stored snapshot differs from the replay of its events.
    #[error(
        "`{instance}`: stored snapshot (version {stored}) differs from the replay of its events (version {replayed})"
    )]
    SnapshotMismatch {
        /// The instance.
        instance: InstanceId,
        /// Stored version.
        stored: u64,
        /// Replayed version.
        replayed: u64,
    },
}

impl Instance {
    /// The instance id.
    pub fn id(&self) -> &InstanceId {
        &self.id
    }
    /// The definition id.
    pub fn definition(&self) -> &str {
        &self.definition
    }
    /// The definition version.
    pub fn definition_version(&self) -> u32 {
        self.definition_version
    }
    /// The current state.
    pub fn state(&self) -> &str {
        &self.state
    }
    /// The instance data.
    pub fn data(&self) -> &Value {
        &self.data
    }
    /// The data deserialized into a typed struct.
    ///
    /// # Errors
    /// The deserialization error.
    pub fn data_as<T: serde::de::DeserializeOwned>(&self) -> Result<T, serde_json::Error> {
        T::deserialize(self.data.as_ref())
    }
    /// The version: the sequence number of the last event.
    pub fn version(&self) -> u64 {
        self.version
    }
    /// Whether the instance reached a terminal state.
    pub fn is_closed(&self) -> bool {
        self.closed
    }
    /// When it was created.
    pub fn created_at(&self) -> DateTime<Utc> {
        self.created_at
    }
    /// When it last changed.
    pub fn updated_at(&self) -> DateTime<Utc> {
        self.updated_at
    }
    /// The role the instance was reassigned to by an escalation, if any.
    pub fn assignee(&self) -> Option<&str> {
        self.assignee.as_deref()
    }
    /// Every form attached, oldest first.
    pub fn forms(&self) -> &[AttachedForm] {
        &self.forms
    }
    /// The body of the latest form of `kind`.
    pub fn latest_form(&self, kind: &str) -> Option<&Value> {
        self.forms
            .iter()
            .rev()
            .find(|f| f.form.kind == kind)
            .map(|f| &f.form.body)
    }
    /// The signatures of the open sign-off in the current state.
    pub fn signatures(&self) -> &[Signature] {
        &self.signatures
    }
    /// The actors (and principals) who fired `action` so far, including every signer of its
    /// sign-off.
    pub fn fired_by(&self, action: &str) -> &[ActorId] {
        self.fired_by.get(action).map_or(&[], Vec::as_slice)
    }
    /// Deadline clocks, running and finished.
    pub fn deadlines(&self) -> &[DeadlineState] {
        &self.deadlines
    }
    /// The next instant at which a deadline of this instance needs handling.
    pub fn next_due(&self) -> Option<DateTime<Utc>> {
        if self.closed {
            return None;
        }
        self.deadlines
            .iter()
            .filter_map(DeadlineState::next_instant)
            .min()
    }

    pub(crate) fn deadline_mut(&mut self, name: &str) -> Option<&mut DeadlineState> {
        self.deadlines.iter_mut().rev().find(|d| d.name == name)
    }

    /// Rebuild an instance from its history.
    ///
    /// # Errors
    /// [`ReplayError`] when the events are empty, out of order, or contradict each other.
    pub fn replay<'a>(
        events: impl IntoIterator<Item = &'a Event>,
    ) -> Result<Instance, ReplayError> {
        let mut events = events.into_iter();
        let first = events.next().ok_or(ReplayError::NotCreated {
            instance: InstanceId(String::new()),
        })?;
        let mut inst = Instance::from_created(first)?;
        for e in events {
            inst.apply(e)?;
        }
        Ok(inst)
    }

    /// Check that `self` equals the replay of `events`.
    ///
    /// # Errors
    /// [`ReplayError::SnapshotMismatch`], or the replay's own error.
    pub fn verify<'a>(
        &self,
        events: impl IntoIterator<Item = &'a Event>,
    ) -> Result<(), ReplayError> {
        let replayed = Instance::replay(events)?;
        if &replayed == self {
            Ok(())
        } else {
            Err(ReplayError::SnapshotMismatch {
                instance: self.id.clone(),
                stored: self.version,
                replayed: replayed.version,
            })
        }
    }

    pub(crate) fn from_created(e: &Event) -> Result<Instance, ReplayError> {
        match &e.kind {
            EventKind::Created {
                definition,
                version,
                state,
                data,
            } if e.seq == 1 => Ok(Instance {
                id: e.instance.clone(),
                definition: definition.clone(),
                definition_version: *version,
                state: state.clone(),
                data: Arc::new(data.clone()),
                version: 1,
                closed: false,
                created_at: e.at,
                updated_at: e.at,
                assignee: None,
                forms: Vec::new(),
                signatures: Vec::new(),
                fired_by: Arc::default(),
                deadlines: Vec::new(),
            }),
            _ => Err(ReplayError::NotCreated {
                instance: e.instance.clone(),
            }),
        }
    }

    /// Apply one event. Deterministic: the same events always give the same snapshot.
    ///
    /// # Errors
    /// [`ReplayError`] when the event does not follow this snapshot.
    pub fn apply(&mut self, e: &Event) -> Result<(), ReplayError> {
        if e.instance != self.id {
            return Err(ReplayError::WrongInstance {
                instance: self.id.clone(),
                found: e.instance.clone(),
                seq: e.seq,
            });
        }
        let Some(next) = self.version.checked_add(1) else {
            return Err(ReplayError::Inconsistent {
                instance: self.id.clone(),
                seq: e.seq,
                reason: "the version is at its maximum".into(),
            });
        };
        if e.seq != next {
            return Err(ReplayError::Gap {
                instance: self.id.clone(),
                expected: next,
                found: e.seq,
            });
        }
        let bad = |reason: String| ReplayError::Inconsistent {
            instance: e.instance.clone(),
            seq: e.seq,
            reason,
        };
        match &e.kind {
            EventKind::Created { .. } => return Err(bad("a second `created` event".into())),
            EventKind::Transitioned {
                from, to, action, ..
            } => {
                if from != &self.state {
                    return Err(bad(format!(
                        "transition from `{from}` but the state is `{}`",
                        self.state
                    )));
                }
                // Leaving the state closes every open sign-off; a self-loop only closes the
                // sign-off of its own action (other sign-offs in progress keep their signatures).
                if from == to {
                    self.signatures.retain(|s| &s.action != action);
                } else {
                    self.signatures.clear();
                }
                // `clone_from` reuses the state's buffer: no allocation once it is large
                // enough, which keeps replaying a loop allocation-free.
                self.state.clone_from(to);
                if let Some(by) = &e.by {
                    self.record_fired(action, by);
                }
            }
            EventKind::Closed { state } => {
                if state != &self.state {
                    return Err(bad(format!(
                        "closed in `{state}` but the state is `{}`",
                        self.state
                    )));
                }
                self.closed = true;
            }
            EventKind::DataChanged { data } => self.data = Arc::new(data.clone()),
            EventKind::FormAttached { form, action } => self.forms.push(AttachedForm {
                seq: e.seq,
                action: action.clone(),
                by: e.by.as_ref().map(|b| b.actor.clone()),
                form: form.clone(),
            }),
            EventKind::Signed {
                action,
                role,
                meaning,
                approved,
                ..
            } => {
                let by =
                    e.by.as_ref()
                        .ok_or_else(|| bad("a signature without a signer".into()))?;
                if *approved {
                    // A signer takes part in firing the action: separation-of-duties rules on
                    // later actions see every signer, not only the last one.
                    self.record_fired(action, by);
                    self.signatures.push(Signature {
                        action: action.clone(),
                        signer: by.actor.clone(),
                        on_behalf_of: by.on_behalf_of.clone(),
                        role: role.clone(),
                        meaning: meaning.clone(),
                        at: e.at,
                    });
                } else {
                    self.signatures.retain(|s| &s.action != action);
                }
            }
            EventKind::Rejected { .. } | EventKind::Commented { .. } => {}
            EventKind::Escalated {
                reassign_to, moved, ..
            } => {
                if let Some(role) = reassign_to {
                    self.assignee = Some(role.clone());
                }
                if let Some((from, to)) = moved {
                    if from != &self.state {
                        return Err(bad(format!(
                            "escalation from `{from}` but the state is `{}`",
                            self.state
                        )));
                    }
                    self.state.clone_from(to);
                    self.signatures.clear();
                }
                crate::deadline::apply(self, e).map_err(bad)?;
            }
            EventKind::Overridden { from, to, .. } => {
                if from != &self.state {
                    return Err(bad(format!(
                        "override from `{from}` but the state is `{}`",
                        self.state
                    )));
                }
                self.state.clone_from(to);
                self.signatures.clear();
            }
            EventKind::DeadlineStarted { .. }
            | EventKind::DeadlineWarned { .. }
            | EventKind::DeadlineBreached { .. }
            | EventKind::DeadlineStopped { .. }
            | EventKind::DeadlinePaused { .. }
            | EventKind::DeadlineResumed { .. } => {
                crate::deadline::apply(self, e).map_err(bad)?;
            }
        }
        self.version = e.seq;
        self.updated_at = e.at;
        Ok(())
    }

    /// Record that `by` (and its principal) took part in firing `action`.
    fn record_fired(&mut self, action: &str, by: &crate::event::Attribution) {
        // Look the action up before inserting: the usual case (the action was fired before by
        // the same actor) allocates nothing.
        let ids = || std::iter::once(&by.actor).chain(&by.on_behalf_of);
        let known = self
            .fired_by
            .get(action)
            .is_some_and(|who| ids().all(|id| who.contains(id)));
        // Copy-on-write: only a new actor for an action touches the shared map.
        if !known {
            let map = Arc::make_mut(&mut self.fired_by);
            let who = map.entry(action.to_owned()).or_default();
            for id in ids() {
                if !who.contains(id) {
                    who.push(id.clone());
                }
            }
        }
    }

    pub(crate) fn deadlines_mut(&mut self) -> &mut Vec<DeadlineState> {
        &mut self.deadlines
    }
}
