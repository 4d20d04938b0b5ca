//! Instances: the state of one case (one complaint, one return, ...), rebuilt from its
//! events.
//!
//! An [`Instance`] is a snapshot: the definition it runs, its current state, its data, its
//! version (the sequence number of its last event), the forms attached, the signatures of
//! the open sign-off, the actors who fired each action (for separation of duties) and its
//! deadline clocks. [`Instance::apply`] is deterministic; [`Instance::replay`] rebuilds a
//! snapshot from events and [`Instance::verify`] proves a stored snapshot equals its replay.

mod clock;
mod shared;
mod typed;

pub use clock::{DeadlineState, SlaStatus, Stopped};
pub use typed::TypedData;

use crate::access::{Signature, SignatureStatus};
use crate::digest::Digest;
use crate::event::{Attribution, Event, EventKind};
use crate::form::Form;
use crate::ids::{ActorId, InstanceId, Name, Region};
use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use shared::Shared;
use std::sync::Arc;
use typed::TypedCache;

/// A form attached to an instance, with the event that attached it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct AttachedForm {
    /// Sequence number of the `FormAttached` event.
    pub seq: u64,
    /// The action it came with.
    pub action: Name,
    /// Who attached it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by: Option<ActorId>,
    /// The form.
    pub form: Form,
}

/// A snapshot of one instance.
// Cloning is cheap: the data and every list are shared (copy-on-write) between a snapshot and
// its clones, since deciding a command clones the snapshot and most commands change little.
// (A plain comment: the doc comment is the JSON Schema's description.)
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Instance {
    id: InstanceId,
    definition: Name,
    definition_version: u32,
    state: Name,
    data: Arc<Value>,
    version: u64,
    closed: bool,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    assignee: Option<Name>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    region: Option<Region>,
    /// Who started the instance (the `Created` event's attribution; shared, so cloning a
    /// snapshot allocates nothing).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    started_by: Option<Arc<Attribution>>,
    #[serde(default, skip_serializing_if = "Shared::is_empty")]
    forms: Shared<AttachedForm>,
    #[serde(default, skip_serializing_if = "Shared::is_empty")]
    signatures: Shared<Signature>,
    /// Who took part in firing each action: `(action, actor)` pairs in the order they first
    /// did (delegates and their principals both count).
    #[serde(
        default,
        skip_serializing_if = "Shared::is_empty",
        deserialize_with = "fired_by_either"
    )]
    fired_by: Shared<(Name, ActorId)>,
    #[serde(default, skip_serializing_if = "Shared::is_empty")]
    deadlines: Shared<DeadlineState>,
    /// The hash of the last event (the head of the instance's hash chain), once linked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    head: Option<Digest>,
    #[serde(skip)]
    #[schemars(skip)]
    typed: TypedCache,
}

/// Read `fired_by` as written today (`[[action, actor], ..]`) or as the first release wrote
/// it (`{action: [actor, ..]}`), so snapshots stored before this version still load.
fn fired_by_either<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<Shared<(Name, ActorId)>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Either {
        Pairs(Vec<(Name, ActorId)>),
        Map(std::collections::BTreeMap<Name, Vec<ActorId>>),
    }
    let mut out = Shared::default();
    match Either::deserialize(d)? {
        Either::Pairs(pairs) => pairs.into_iter().for_each(|p| out.push(p)),
        Either::Map(map) => {
            for (action, who) in map {
                who.into_iter().for_each(|id| out.push((action, id)));
            }
        }
    }
    Ok(out)
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
    pub fn definition(&self) -> Name {
        self.definition
    }
    /// The definition version.
    pub fn definition_version(&self) -> u32 {
        self.definition_version
    }
    /// The current state.
    pub fn state(&self) -> Name {
        self.state
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
    /// The data as `T`, deserialized once per data version and shared by this snapshot's
    /// clones (one type is cached; asking for another type deserializes it each time).
    ///
    /// # Errors
    /// Why the data does not deserialize into `T`.
    pub fn typed_data<T>(&self) -> Result<TypedData<'_, T>, String>
    where
        T: serde::de::DeserializeOwned + Send + Sync + 'static,
    {
        self.typed.get(&self.data)
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
    pub fn assignee(&self) -> Option<Name> {
        self.assignee
    }
    /// Who started the instance, in which role (the attribution of its `Created` event):
    /// the party that received the case. `None` only for a snapshot stored before this was
    /// recorded (its history still has it).
    pub fn started_by(&self) -> Option<&Attribution> {
        self.started_by.as_deref()
    }
    /// The region the instance was started in, if any (see [Regions](crate::Actor#regions)).
    pub fn region(&self) -> Option<&Region> {
        self.region.as_ref()
    }
    /// Every form attached, oldest first.
    pub fn forms(&self) -> &[AttachedForm] {
        self.forms.as_slice()
    }
    /// The body of the latest form of `kind`.
    pub fn latest_form(&self, kind: impl Into<Name>) -> Option<&Value> {
        let kind = kind.into();
        self.forms
            .as_slice()
            .iter()
            .rev()
            .find(|f| f.form.kind == kind)
            .map(|f| &f.form.body)
    }
    /// Every signature given on this instance, oldest first, each with its status: those of
    /// sign-offs still collecting (open), completed and abandoned (cleared).
    pub fn signatures(&self) -> &[Signature] {
        self.signatures.as_slice()
    }
    /// The signatures of the sign-offs still collecting in the current state.
    pub fn open_signatures(&self) -> impl Iterator<Item = &Signature> + '_ {
        self.signatures
            .as_slice()
            .iter()
            .filter(|s| s.status == SignatureStatus::Open)
    }
    /// Mark the open signatures that `which` selects as `to`.
    fn close_signatures(&mut self, to: SignatureStatus, which: impl Fn(&Signature) -> bool) {
        let open = |s: &Signature| s.status == SignatureStatus::Open && which(s);
        if !self.signatures.as_slice().iter().any(open) {
            return;
        }
        for s in self.signatures.make_mut().iter_mut().filter(|s| open(s)) {
            s.status = to;
        }
    }
    /// The actors (and principals) who fired `action` so far, including every signer of its
    /// sign-off, in the order they first did.
    pub fn fired_by(&self, action: impl Into<Name>) -> Vec<ActorId> {
        let action = action.into();
        self.fired_by
            .as_slice()
            .iter()
            .filter(|(a, _)| *a == action)
            .map(|(_, who)| who.clone())
            .collect()
    }
    /// Whether `who` took part in firing `action` (no allocation).
    pub(crate) fn has_fired(&self, action: Name, who: &ActorId) -> bool {
        self.fired_by
            .as_slice()
            .iter()
            .any(|(a, id)| *a == action && id == who)
    }
    /// Deadline clocks, running and finished, in the order they started.
    pub fn deadlines(&self) -> &[DeadlineState] {
        self.deadlines.as_slice()
    }
    /// The latest clock of the deadline `name` (running or finished), if it ever started.
    pub fn clock(&self, name: impl Into<Name>) -> Option<&DeadlineState> {
        let name = name.into();
        self.deadlines().iter().rev().find(|d| d.name == name)
    }
    /// The running (or paused) clock of the deadline `name`, if any.
    pub fn running_clock(&self, name: impl Into<Name>) -> Option<&DeadlineState> {
        self.clock(name).filter(|d| d.is_active())
    }
    /// The head of the instance's hash chain: the [hash](Event::hash) of its last event, which
    /// the next event links to. `None` while the last event is not linked yet (a snapshot
    /// straight from [`decide`](crate::decide), before the engine commits it) and in
    /// snapshots stored before the chain existed.
    pub fn chain_head(&self) -> Option<Digest> {
        self.head
    }
    /// Record the chain head once the events leading here are linked (the linker only).
    pub(crate) fn set_chain_head(&mut self, head: Digest) {
        self.head = Some(head);
    }
    /// The next instant at which a deadline of this instance needs handling: the first
    /// instant strictly after its earliest pending warning, limit or escalation rung
    /// (`t + 1ns`, [`DeadlineState::next_instant`]). `handle_due` at this instant handles
    /// it; at `t` itself nothing is due (an action at exactly the limit is on time).
    pub fn next_due(&self) -> Option<DateTime<Utc>> {
        if self.closed {
            return None;
        }
        self.deadlines()
            .iter()
            .filter_map(DeadlineState::next_instant)
            .min()
    }

    /// Rebuild an instance from its history.
    ///
    /// The chain head of the result is the hash of the last event when that event is linked
    /// (one hash, whatever the length), `None` otherwise. Replay does not check the links:
    /// that is [`verify_events`](crate::verify_events)'s work.
    ///
    /// # Errors
    /// [`ReplayError`] when the events are empty, out of order, or contradict each other.
    pub fn replay<'a>(
        events: impl IntoIterator<Item = &'a Event>,
    ) -> Result<Instance, ReplayError> {
        let mut events = events.into_iter();
        let first = events.next().ok_or(ReplayError::NotCreated {
            instance: InstanceId::from(""),
        })?;
        let mut inst = Instance::from_created(first)?;
        let mut last = first;
        for e in events {
            inst.apply(e)?;
            last = e;
        }
        if last.is_linked() {
            inst.head = Some(last.hash());
        }
        Ok(inst)
    }

    /// Check that `self` equals the replay of `events`. A snapshot stored before the chain
    /// existed (no chain head) is compared without its head, one stored before the starter
    /// was recorded without [`started_by`](Self::started_by).
    ///
    /// # Errors
    /// [`ReplayError::SnapshotMismatch`], or the replay's own error.
    pub fn verify<'a>(
        &self,
        events: impl IntoIterator<Item = &'a Event>,
    ) -> Result<(), ReplayError> {
        let mut replayed = Instance::replay(events)?;
        if self.head.is_none() {
            replayed.head = None;
        }
        if self.started_by.is_none() {
            // A snapshot stored before the starter was recorded in it.
            replayed.started_by = None;
        }
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
                region,
            } if e.seq == 1 => Ok(Instance {
                id: e.instance.clone(),
                definition: *definition,
                definition_version: *version,
                state: *state,
                data: data.clone(),
                version: 1,
                closed: false,
                created_at: e.at,
                updated_at: e.at,
                assignee: None,
                region: region.clone(),
                started_by: e.by.clone().map(Arc::new),
                forms: Shared::default(),
                signatures: Shared::default(),
                fired_by: Shared::default(),
                deadlines: Shared::default(),
                head: None,
                typed: TypedCache::default(),
            }),
            _ => Err(ReplayError::NotCreated {
                instance: e.instance.clone(),
            }),
        }
    }

    /// Check that `e` is the next event of this instance.
    fn check_next(&self, e: &Event) -> Result<(), ReplayError> {
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
        Ok(())
    }

    /// Move to `to` from `from` (which must be the current state).
    fn move_from(&mut self, what: &str, from: Name, to: Name) -> Result<(), String> {
        if from != self.state {
            return Err(format!(
                "{what} from `{from}` but the state is `{}`",
                self.state
            ));
        }
        self.state = to;
        Ok(())
    }

    /// Apply one event. Deterministic: the same events always give the same snapshot.
    ///
    /// # Errors
    /// [`ReplayError`] when the event does not follow this snapshot.
    pub fn apply(&mut self, e: &Event) -> Result<(), ReplayError> {
        self.check_next(e)?;
        self.apply_kind(e)
            .map_err(|reason| ReplayError::Inconsistent {
                instance: e.instance.clone(),
                seq: e.seq,
                reason,
            })?;
        self.version = e.seq;
        self.updated_at = e.at;
        // The head is the hash of `e`, known once `e` is linked and hashed (by the linker or
        // at the end of a replay): applying never hashes, so deciding stays cheap.
        self.head = None;
        Ok(())
    }

    fn apply_kind(&mut self, e: &Event) -> Result<(), String> {
        match &e.kind {
            EventKind::Created { .. } => return Err("a second `created` event".into()),
            EventKind::Transitioned {
                from, to, action, ..
            } => {
                self.move_from("transition", *from, *to)?;
                // Leaving the state ends the approvals it stood on. The sign-off of this action
                // (if any) completed and is the approval the new state stands on. Leaving the
                // state abandons every other open sign-off; a self-loop keeps them.
                if from != to {
                    self.end_approvals(|_| true);
                }
                self.complete_sign_off(*action);
                if from != to {
                    self.close_signatures(SignatureStatus::Cleared, |_| true);
                }
                if let Some(by) = &e.by {
                    self.record_fired(*action, by);
                }
            }
            EventKind::Closed { state } => {
                if *state != self.state {
                    return Err(format!(
                        "closed in `{state}` but the state is `{}`",
                        self.state
                    ));
                }
                self.closed = true;
            }
            EventKind::DataChanged { data } => {
                self.data = data.clone();
                self.typed.reset();
                self.invalidate_changed();
            }
            EventKind::FormAttached { form, action } => {
                self.forms.push(AttachedForm {
                    seq: e.seq,
                    action: *action,
                    by: e.by.as_ref().map(|b| b.actor.clone()),
                    form: form.clone(),
                });
                self.invalidate_changed();
            }
            EventKind::Signed { .. } => self.apply_signature(e)?,
            EventKind::Rejected { .. } | EventKind::Commented { .. } => {}
            EventKind::Escalated {
                reassign_to, moved, ..
            } => {
                if let Some(role) = reassign_to {
                    self.assignee = Some(*role);
                }
                if let Some((from, to)) = moved {
                    self.move_from("escalation", *from, *to)?;
                    self.end_approvals(|_| true);
                    self.close_signatures(SignatureStatus::Cleared, |_| true);
                }
                clock::apply(self.deadlines.make_mut(), e)?;
            }
            EventKind::Overridden { from, to, .. } => {
                self.move_from("override", *from, *to)?;
                self.end_approvals(|_| true);
                self.close_signatures(SignatureStatus::Cleared, |_| true);
            }
            EventKind::Migrated { before, after, .. } => {
                if self.content_digest() != *before {
                    return Err("the content before the migration does not match its digest".into());
                }
                let mut next = self.clone();
                next.apply_migration(&e.kind, e.at)?;
                if next.content_digest() != *after {
                    return Err("the content after the migration does not match its digest".into());
                }
                *self = next;
            }
            _ => {
                clock::apply(self.deadlines.make_mut(), e)?;
            }
        }
        Ok(())
    }

    fn apply_signature(&mut self, e: &Event) -> Result<(), String> {
        let EventKind::Signed {
            action,
            role,
            meaning,
            approved,
            binds,
            digest,
            renews,
            ..
        } = &e.kind
        else {
            return Ok(());
        };
        let by = e.by.as_ref().ok_or("a signature without a signer")?;
        if *approved {
            // A signer takes part in firing the action: separation-of-duties rules on later
            // actions see every signer, not only the last one.
            self.record_fired(*action, by);
            self.signatures.push(Signature {
                action: *action,
                signer: by.actor.clone(),
                on_behalf_of: by.on_behalf_of.clone(),
                role: *role,
                meaning: meaning.clone(),
                at: e.at,
                status: SignatureStatus::Open,
                binds: binds.clone(),
                digest: *digest,
                in_force: false,
            });
            if *renews {
                self.complete_sign_off(*action);
            }
        } else {
            // A refusal abandons the signatures collected so far for this action.
            self.close_signatures(SignatureStatus::Cleared, |s| s.action == *action);
        }
        Ok(())
    }

    /// The sign-off of `action` completed: its earlier approval (if invalidated) no longer
    /// stands, and its open signatures become the completed approval in force.
    fn complete_sign_off(&mut self, action: Name) {
        self.end_approvals(|s| s.action == action);
        let open = |s: &Signature| s.status == SignatureStatus::Open && s.action == action;
        if !self.signatures.as_slice().iter().any(open) {
            return;
        }
        for s in self.signatures.make_mut().iter_mut().filter(|s| open(s)) {
            s.status = SignatureStatus::Completed;
            s.in_force = true;
        }
    }

    /// The approvals `which` selects no longer stand on the current state.
    fn end_approvals(&mut self, which: impl Fn(&Signature) -> bool) {
        let in_force = |s: &Signature| s.in_force && which(s);
        if !self.signatures.as_slice().iter().any(in_force) {
            return;
        }
        for s in self
            .signatures
            .make_mut()
            .iter_mut()
            .filter(|s| in_force(s))
        {
            s.in_force = false;
        }
    }

    /// The digest of the content `binds` names in this snapshot.
    pub(crate) fn bound_digest(&self, binds: &[String]) -> crate::Digest {
        crate::access::bound_digest(binds, &self.data, |kind| {
            Name::lookup(kind).and_then(|k| self.latest_form(k))
        })
    }

    /// Invalidate the standing signatures (open, or completed and in force) whose bound
    /// content no longer has the digest they recorded.
    fn invalidate_changed(&mut self) {
        let changed = |inst: &Instance, s: &Signature| {
            s.stands()
                && s.digest
                    .is_some_and(|d| !s.binds.is_empty() && inst.bound_digest(&s.binds) != d)
        };
        let hits: Vec<usize> = (self.signatures.as_slice().iter().enumerate())
            .filter(|(_, s)| changed(self, s))
            .map(|(i, _)| i)
            .collect();
        if hits.is_empty() {
            return;
        }
        let sigs = self.signatures.make_mut();
        for i in hits {
            sigs[i].status = SignatureStatus::Invalidated;
        }
    }

    /// The digest of what a migration may change: the definition and its version, the
    /// state, the data, the clocks and the signatures (SHA-256 of their canonical JSON). A
    /// [`Migrated`](EventKind::Migrated) event records it before and after; replay checks
    /// both.
    pub fn content_digest(&self) -> Digest {
        let content = serde_json::json!({
            "definition": self.definition,
            "definition_version": self.definition_version,
            "state": self.state,
            "data": self.data.as_ref(),
            "deadlines": self.deadlines.as_slice(),
            "signatures": self.signatures.as_slice(),
        });
        Digest::of_json(&content)
    }

    /// A copy of this snapshot holding `data` (what a migration computes clocks on).
    pub(crate) fn with_data(&self, data: Arc<Value>) -> Instance {
        let mut out = self.clone();
        out.data = data;
        out.typed.reset();
        out
    }

    /// Apply the changes of a [`Migrated`](EventKind::Migrated) event at `at`, without
    /// checking its digests (the migration room computes `after` with it).
    pub(crate) fn apply_migration(
        &mut self,
        kind: &EventKind,
        at: DateTime<Utc>,
    ) -> Result<(), String> {
        let EventKind::Migrated {
            from_version,
            to_version,
            from_state,
            to_state,
            data,
            clocks,
            sign_offs,
            ..
        } = kind
        else {
            return Ok(());
        };
        if *from_version != self.definition_version {
            return Err(format!(
                "migrated from version {from_version} but the instance runs version {}",
                self.definition_version
            ));
        }
        if self.closed {
            return Err("a closed instance migrated".into());
        }
        self.move_from("migration", *from_state, *to_state)?;
        self.definition_version = *to_version;
        if let Some(data) = data {
            self.data = data.clone();
            self.typed.reset();
        }
        clock::migrate(self.deadlines.make_mut(), clocks, at)?;
        if *sign_offs == crate::event::SignOffPolicy::Reset {
            let pending = |s: &Signature| {
                matches!(
                    s.status,
                    SignatureStatus::Open | SignatureStatus::Invalidated
                )
            };
            if self.signatures.as_slice().iter().any(pending) {
                for s in self.signatures.make_mut().iter_mut().filter(|s| pending(s)) {
                    s.status = SignatureStatus::Cleared;
                }
            }
        }
        Ok(())
    }

    /// Record that `by` (and its principal) took part in firing `action`.
    fn record_fired(&mut self, action: Name, by: &Attribution) {
        for id in std::iter::once(&by.actor).chain(&by.on_behalf_of) {
            // The usual case (the same actor fired the action before) changes nothing.
            if !self.has_fired(action, id) {
                self.fired_by.push((action, id.clone()));
            }
        }
    }
}
