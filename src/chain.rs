//! The hash chain over each instance's events, its verification, and store anchors.
//!
//! # The chain
//!
//! Every event carries `prev`, the [hash](Event::hash) of the event before it in the same
//! instance ([`Digest::ZERO`] before the first); an event's hash is SHA-256 of its canonical
//! encoding (RFC 8785), which includes `prev`. So each event's hash covers the whole history
//! up to it. The engine links events when it commits them ([`link_events`], through
//! [`Commit::linked`](crate::Commit::linked)); the pure core ([`decide`](crate::decide)) leaves
//! them unlinked, so deciding never hashes. The snapshot remembers the head of its chain
//! ([`Instance::chain_head`]), so the next command links without reading any event. Stores
//! keep each event's hash next to it ([`ChainedEvent`]).
//!
//! [`verify_events`] (plain events) and [`verify_chained`] (events with the hashes a store
//! recorded) walk a history from its first event and report the **first** event that does not
//! match, by sequence number, as a [`ChainError`]: an event missing or out of place
//! (`OutOfSequence`), an event changed after it was written (`Edited`: its content no longer
//! hashes to the recorded hash), an event whose link to the one before is broken (`Unlinked`:
//! an event removed, inserted or reordered with the numbers and hashes rewritten, or the event
//! before it rewritten with its recorded hash). [`check_snapshot`] then compares the history's
//! end with the stored snapshot (its version and chain head).
//!
//! Events written before the chain existed (event formats 1 and 2, read with `prev: None`) are
//! *unchained*: they may only form a prefix of a history, are not protected (nothing links to
//! them except the first chained event, which links to the hash of the last of them as this
//! build encodes it), and an unchained event after a chained one is refused (`NotLinked`).
//!
//! # Anchors
//!
//! A [`ChainAnchor`] is the chain head of every instance of a store at one moment (instance,
//! last `seq`, last hash) and one [`Digest`] over all of it. The host exports it (serde),
//! keeps it somewhere the store's writers cannot reach, and may sign its digest (signing is
//! the host's). Checking the store later against the anchor ([`ChainAnchor::check_history`],
//! [`Engine::check_anchor`](crate::Engine::check_anchor)) detects what the chain alone cannot:
//! an instance deleted whole (`Missing`), a tail cut off (`Truncated`), or a history rewritten
//! from its start up to the anchored event (`Diverged`), each naming the instance and `seq`.
//!
//! # What it proves, and what it does not
//!
//! - It proves **internal consistency**: no event of a verified history was changed, removed,
//!   inserted or reordered without rewriting the hashes of every later event, and the snapshot
//!   is the end of that history.
//! - With an anchor kept elsewhere, it proves that nothing **up to the anchored event** was
//!   changed or deleted since the anchor was taken, and that no anchored instance was
//!   deleted.
//! - It does **not** prove who wrote an event: anyone who can write to the store can compute
//!   SHA-256, so a person with write access can append events in someone else's name, or
//!   rewrite a whole history after the last anchor (re-hashing every later event and patching
//!   the snapshot), and the chain will verify. Anchors taken often, and kept (or signed) out of
//!   the writers' reach, bound what can be rewritten unnoticed to what came after the last one.
//! - It does not prove *when* something happened: `at` is the host's `now`, only kept moving
//!   forward per instance (see [`Rejection::TimeWentBackwards`](crate::Rejection)).

use crate::digest::Digest;
use crate::event::Event;
use crate::ids::InstanceId;
use crate::instance::Instance;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// An event as a store keeps it: with the hash recorded when it was committed (`None` for
/// events the store kept before the chain existed).
#[derive(Clone, Debug, PartialEq)]
pub struct ChainedEvent {
    /// The event.
    pub event: Event,
    /// The hash recorded with it.
    pub hash: Option<Digest>,
}

/// Link `events` after `prev` (the hash of the instance's last event, [`Digest::ZERO`] for a
/// new instance): set each event's `prev` and return their hashes, in order.
pub fn link_events(prev: Digest, events: &mut [Event]) -> Vec<Digest> {
    let mut hashes = Vec::with_capacity(events.len());
    let mut prev = prev;
    for e in events {
        e.prev = Some(prev);
        prev = e.hash();
        hashes.push(prev);
    }
    hashes
}

/// Where a history stops matching its hash chain (or its snapshot): the first event that does
/// not match, by instance and sequence number.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ChainError {
    /// Event `seq` is not where it should be: it is missing (removed without renumbering) or
    /// another event (`found`) stands in its place (reordered).
    #[error("`{instance}`: event {seq} is missing; event {found} stands in its place")]
    OutOfSequence {
        /// The instance.
        instance: InstanceId,
        /// The sequence number expected at this position.
        seq: u64,
        /// The sequence number found there.
        found: u64,
    },
    /// Event `seq` of the history belongs to another instance.
    #[error("`{instance}`: event {seq} belongs to `{found}`")]
    WrongInstance {
        /// The instance.
        instance: InstanceId,
        /// The event.
        seq: u64,
        /// The instance the event names.
        found: InstanceId,
    },
    /// Event `seq` was changed after it was written: its content hashes to `computed`, but
    /// `recorded` was recorded when it was committed.
    #[error(
        "`{instance}`: event {seq} was changed after it was written (hash {computed}, recorded {recorded})"
    )]
    Edited {
        /// The instance.
        instance: InstanceId,
        /// The event.
        seq: u64,
        /// The hash recorded with the event.
        recorded: Digest,
        /// The hash of its content now.
        computed: Digest,
    },
    /// Event `seq` does not link to the event before it: its `prev` is not the hash of event
    /// `seq - 1` (an event removed, inserted or reordered with the numbers and hashes
    /// rewritten, or event `seq - 1` rewritten together with its recorded hash).
    #[error("`{instance}`: event {seq} does not link to event {}: its prev is {found}, the hash before it is {expected}", .seq.saturating_sub(1))]
    Unlinked {
        /// The instance.
        instance: InstanceId,
        /// The event.
        seq: u64,
        /// The hash of the event before it ([`Digest::ZERO`] for the first).
        expected: Digest,
        /// The event's `prev`.
        found: Digest,
    },
    /// Event `seq` is not linked (no `prev`) but an event before it is: only events written
    /// before the chain existed may be unlinked, and only at the start of a history.
    #[error("`{instance}`: event {seq} is not linked, after linked events")]
    NotLinked {
        /// The instance.
        instance: InstanceId,
        /// The event.
        seq: u64,
    },
    /// The stored snapshot is at version `snapshot` but the history ends at event `last`:
    /// events are missing at the end (`seq` = `last + 1`, the first missing) or were added
    /// after the snapshot (`seq` = `snapshot + 1`, the first extra).
    #[error(
        "`{instance}`: the snapshot is at version {snapshot} but the history ends at event {last} (first difference: event {seq})"
    )]
    Length {
        /// The instance.
        instance: InstanceId,
        /// The first event that is in one and not in the other.
        seq: u64,
        /// The snapshot's version.
        snapshot: u64,
        /// The last event's sequence number.
        last: u64,
    },
    /// The snapshot's chain head is not the hash of the last event `seq` (the last event, or
    /// the snapshot, was changed).
    #[error("`{instance}`: the snapshot's chain head is not the hash of event {seq}")]
    Head {
        /// The instance.
        instance: InstanceId,
        /// The last event.
        seq: u64,
        /// The snapshot's chain head.
        snapshot: Digest,
        /// The hash of the last event.
        history: Digest,
    },
}

impl ChainError {
    /// The instance.
    pub fn instance(&self) -> &InstanceId {
        match self {
            ChainError::OutOfSequence { instance, .. }
            | ChainError::WrongInstance { instance, .. }
            | ChainError::Edited { instance, .. }
            | ChainError::Unlinked { instance, .. }
            | ChainError::NotLinked { instance, .. }
            | ChainError::Length { instance, .. }
            | ChainError::Head { instance, .. } => instance,
        }
    }

    /// The sequence number of the first event that does not match.
    pub fn seq(&self) -> u64 {
        match self {
            ChainError::OutOfSequence { seq, .. }
            | ChainError::WrongInstance { seq, .. }
            | ChainError::Edited { seq, .. }
            | ChainError::Unlinked { seq, .. }
            | ChainError::NotLinked { seq, .. }
            | ChainError::Length { seq, .. }
            | ChainError::Head { seq, .. } => *seq,
        }
    }
}

/// Walk `(event, recorded hash)` pairs from the first event; the hash of the last event, or
/// [`Digest::ZERO`] for an empty history.
fn walk<'a>(
    history: impl IntoIterator<Item = (&'a Event, Option<Digest>)>,
) -> Result<Digest, ChainError> {
    let mut head = Digest::ZERO;
    let mut instance: Option<&InstanceId> = None;
    let mut linked = false;
    let mut expected: u64 = 1;
    for (e, recorded) in history {
        let id = *instance.get_or_insert(&e.instance);
        if &e.instance != id {
            return Err(ChainError::WrongInstance {
                instance: id.clone(),
                seq: expected,
                found: e.instance.clone(),
            });
        }
        if e.seq != expected {
            return Err(ChainError::OutOfSequence {
                instance: id.clone(),
                seq: expected,
                found: e.seq,
            });
        }
        let computed = e.hash();
        if let Some(recorded) = recorded.filter(|r| *r != computed) {
            return Err(ChainError::Edited {
                instance: id.clone(),
                seq: e.seq,
                recorded,
                computed,
            });
        }
        match e.prev {
            Some(prev) if prev != head => {
                return Err(ChainError::Unlinked {
                    instance: id.clone(),
                    seq: e.seq,
                    expected: head,
                    found: prev,
                });
            }
            Some(_) => linked = true,
            None if linked => {
                return Err(ChainError::NotLinked {
                    instance: id.clone(),
                    seq: e.seq,
                });
            }
            None => {}
        }
        head = computed;
        expected = expected.saturating_add(1);
    }
    Ok(head)
}

/// Verify the hash chain of one instance's whole history (from event 1, in order) and return
/// the hash of its last event ([`Digest::ZERO`] for an empty history).
///
/// Without recorded hashes, an edited event shows as its successor not linking to it
/// (`Unlinked` at `seq + 1`) or, for the last event, only against the snapshot
/// ([`check_snapshot`]); [`verify_chained`] locates it at its own `seq`.
///
/// # Errors
/// The first [`ChainError`].
pub fn verify_events(events: &[Event]) -> Result<Digest, ChainError> {
    walk(events.iter().map(|e| (e, None)))
}

/// Verify the hash chain of one instance's whole history as a store keeps it, each event
/// also against the hash recorded with it; returns the hash of the last event.
///
/// # Errors
/// The first [`ChainError`].
pub fn verify_chained(events: &[ChainedEvent]) -> Result<Digest, ChainError> {
    walk(events.iter().map(|c| (&c.event, c.hash)))
}

/// Check that `snapshot` is the end of a verified history whose last event is `last` (0: no
/// event) with hash `head`: the same version, and (when the snapshot has one) the same chain
/// head.
///
/// # Errors
/// [`ChainError::Length`] or [`ChainError::Head`].
pub fn check_snapshot(snapshot: &Instance, last: u64, head: Digest) -> Result<(), ChainError> {
    let instance = snapshot.id();
    let version = snapshot.version();
    if version != last {
        return Err(ChainError::Length {
            instance: instance.clone(),
            seq: version.min(last).saturating_add(1),
            snapshot: version,
            last,
        });
    }
    match snapshot.chain_head() {
        Some(h) if h != head => Err(ChainError::Head {
            instance: instance.clone(),
            seq: last,
            snapshot: h,
            history: head,
        }),
        _ => Ok(()),
    }
}

/// The head of one instance's chain: its last event and that event's hash.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ChainHead {
    /// The instance.
    pub instance: InstanceId,
    /// The sequence number of its last event.
    pub seq: u64,
    /// The hash of that event.
    pub hash: Digest,
}

/// The chain heads of every instance of a store at one moment, and one digest over them.
///
/// Exported with serde; [`ChainAnchor::check_digest`] recomputes the digest (a host that signs
/// anchors signs [`ChainAnchor::digest`]). The digest is SHA-256 of the canonical JSON of
/// `{"anchor": 1, "heads": [...]}`, the heads in instance id order.
///
/// ```
/// use aftersales::{ChainAnchor, ChainHead, Digest};
/// let anchor = ChainAnchor::new(vec![ChainHead {
///     instance: "c-1".into(),
///     seq: 4,
///     hash: Digest::of_bytes(b"event 4"),
/// }]);
/// let text = serde_json::to_string(&anchor).unwrap();
/// let back: ChainAnchor = serde_json::from_str(&text).unwrap();
/// assert_eq!(back.check_digest(), Ok(()));
/// let forged = text.replace("\"seq\":4", "\"seq\":3");
/// let forged: ChainAnchor = serde_json::from_str(&forged).unwrap();
/// assert!(forged.check_digest().is_err());
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ChainAnchor {
    heads: Vec<ChainHead>,
    digest: Digest,
}

/// Where a store no longer matches an anchor taken from it earlier.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AnchorError {
    /// The anchor's digest is not the digest of its heads: the anchor itself was changed.
    #[error("the anchor's digest {recorded} is not the digest of its heads ({computed})")]
    Digest {
        /// The digest the anchor carries.
        recorded: Digest,
        /// The digest of its heads.
        computed: Digest,
    },
    /// An anchored instance is gone from the store (deleted whole).
    #[error("`{instance}` (anchored at event {seq}) is missing from the store")]
    Missing {
        /// The instance.
        instance: InstanceId,
        /// The anchored last event.
        seq: u64,
    },
    /// The history of an anchored instance ends at `last`, before the anchored event `seq`:
    /// its tail was cut off.
    #[error("`{instance}` ends at event {last}, but the anchor holds event {seq}")]
    Truncated {
        /// The instance.
        instance: InstanceId,
        /// The anchored last event.
        seq: u64,
        /// The last event found.
        last: u64,
    },
    /// Event `seq` (the anchored one) no longer has the anchored hash: the history up to it
    /// was rewritten.
    #[error("`{instance}`: event {seq} no longer has the anchored hash")]
    Diverged {
        /// The instance.
        instance: InstanceId,
        /// The anchored event.
        seq: u64,
        /// The anchored hash.
        anchored: Digest,
        /// The hash found.
        found: Digest,
    },
    /// The history does not verify on its own.
    #[error(transparent)]
    Chain(#[from] ChainError),
}

impl AnchorError {
    /// The instance named, if any (every case but a changed anchor).
    pub fn instance(&self) -> Option<&InstanceId> {
        match self {
            AnchorError::Digest { .. } => None,
            AnchorError::Missing { instance, .. }
            | AnchorError::Truncated { instance, .. }
            | AnchorError::Diverged { instance, .. } => Some(instance),
            AnchorError::Chain(e) => Some(e.instance()),
        }
    }

    /// The sequence number named, if any: the anchored event (missing, truncated, diverged)
    /// or the first event that does not match (chain).
    pub fn seq(&self) -> Option<u64> {
        match self {
            AnchorError::Digest { .. } => None,
            AnchorError::Missing { seq, .. }
            | AnchorError::Truncated { seq, .. }
            | AnchorError::Diverged { seq, .. } => Some(*seq),
            AnchorError::Chain(e) => Some(e.seq()),
        }
    }
}

impl ChainAnchor {
    /// The anchor of `heads` (sorted by instance id here), with its digest.
    pub fn new(mut heads: Vec<ChainHead>) -> ChainAnchor {
        heads.sort_by(|a, b| a.instance.cmp(&b.instance));
        let digest = ChainAnchor::digest_of(&heads);
        ChainAnchor { heads, digest }
    }

    fn digest_of(heads: &[ChainHead]) -> Digest {
        // `ChainHead` is ids, integers and hex text: serializing it cannot fail.
        let heads = serde_json::to_value(heads).unwrap_or_default();
        Digest::of_json(&serde_json::json!({ "anchor": 1, "heads": heads }))
    }

    /// The chain heads, by instance id.
    pub fn heads(&self) -> &[ChainHead] {
        &self.heads
    }

    /// The anchored head of `instance`, if it was in the store when the anchor was taken.
    pub fn head(&self, instance: &InstanceId) -> Option<&ChainHead> {
        self.heads
            .binary_search_by(|h| h.instance.cmp(instance))
            .ok()
            .map(|i| &self.heads[i])
    }

    /// The digest over every head (the value a host signs).
    pub fn digest(&self) -> Digest {
        self.digest
    }

    /// Check that the digest is the digest of the heads (and that they are in id order).
    ///
    /// # Errors
    /// [`AnchorError::Digest`].
    pub fn check_digest(&self) -> Result<(), AnchorError> {
        let computed = ChainAnchor::digest_of(&self.heads);
        let sorted = self.heads.windows(2).all(|w| w[0].instance < w[1].instance);
        if computed != self.digest || !sorted {
            return Err(AnchorError::Digest {
                recorded: self.digest,
                computed,
            });
        }
        Ok(())
    }

    /// Check one instance's history as a store keeps it now against this anchor: the chain
    /// verifies, and if the instance is anchored, its history reaches the anchored event with
    /// the anchored hash. `history` empty means the instance is not in the store.
    ///
    /// # Errors
    /// [`AnchorError::Missing`], [`AnchorError::Truncated`], [`AnchorError::Diverged`] or
    /// [`AnchorError::Chain`].
    pub fn check_history(
        &self,
        instance: &InstanceId,
        history: &[ChainedEvent],
    ) -> Result<(), AnchorError> {
        let anchored = self.head(instance);
        if history.is_empty() {
            return match anchored {
                Some(h) => Err(AnchorError::Missing {
                    instance: instance.clone(),
                    seq: h.seq,
                }),
                None => Ok(()),
            };
        }
        verify_chained(history)?;
        let Some(anchored) = anchored else {
            return Ok(());
        };
        let last = history.last().map_or(0, |c| c.event.seq);
        let Some(at) = usize::try_from(anchored.seq)
            .ok()
            .and_then(|s| s.checked_sub(1))
            .and_then(|i| history.get(i))
        else {
            return Err(AnchorError::Truncated {
                instance: instance.clone(),
                seq: anchored.seq,
                last,
            });
        };
        let found = at.hash.unwrap_or_else(|| at.event.hash());
        if found != anchored.hash {
            return Err(AnchorError::Diverged {
                instance: instance.clone(),
                seq: anchored.seq,
                anchored: anchored.hash,
                found,
            });
        }
        Ok(())
    }
}
