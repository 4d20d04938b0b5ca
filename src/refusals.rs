//! The engine's bookkeeping for bounded refusal records (see
//! [`Engine`](crate::Engine#refusal-records)): which refusals are being coalesced, and which
//! records are waiting to be written because a write raced another.
//!
//! Nothing here touches the store; the engine writes what [`RefusalLog::take`] hands it and
//! gives back with [`RefusalLog::restore`] what it could not write.

use crate::command::Command;
use crate::digest::Digest;
use crate::event::{Attribution, CommandDigest, EventKind, Repeats};
use crate::ids::{ActorId, FastMap, InstanceId, Name};
use crate::limits::json_size;
use crate::rejection::Rejection;
use chrono::{DateTime, TimeDelta, Utc};
use serde_json::Value;
use std::sync::{Mutex, MutexGuard};

/// How long identical refusals coalesce by default: one hour after the first. At most two
/// records (the first, and a summary with the count) per actor, action and reason per hour
/// and instance.
pub const DEFAULT_REFUSAL_WINDOW: TimeDelta = TimeDelta::hours(1);

/// Most windows open at once on one instance. A refusal that would open another is recorded
/// but not coalesced, so counting stays cheap however many different refusals are tried.
pub const MAX_OPEN_WINDOWS: usize = 256;

/// Longest text (a guard's reason, a form validator's message, an actor id or action name)
/// kept in a refusal record, in bytes; longer texts are cut at a character boundary and end in
/// `…`. The caller still gets the whole refusal.
pub const RECORDED_TEXT_BYTES: usize = 1024;

/// What makes two refusals "identical": same actor (and principal), action and reason.
#[derive(Clone, Debug, PartialEq)]
struct Key {
    actor: ActorId,
    on_behalf_of: Option<ActorId>,
    action: Option<Name>,
    rejection: Rejection,
}

/// Identical refusals counted within one window.
#[derive(Debug)]
struct Tally {
    key: Key,
    /// When the first was made (and recorded).
    since: DateTime<Utc>,
    /// When the last was made.
    until: DateTime<Utc>,
    /// The first refusal at or after this instant opens a new window.
    closes: DateTime<Utc>,
    /// Refusals counted, the recorded first one included.
    count: u64,
}

impl Tally {
    /// The summary record, when there is something beyond the first to report.
    fn summary(&self) -> Option<Record> {
        (self.count > 1).then(|| Record {
            by: attribution(&self.key),
            at: self.until,
            kind: EventKind::Rejected {
                action: self.key.action,
                rejection: self.key.rejection.clone(),
                command: None,
                repeated: Some(Repeats {
                    count: self.count,
                    since: self.since,
                    until: self.until,
                }),
            },
        })
    }
}

fn attribution(key: &Key) -> Attribution {
    Attribution {
        actor: key.actor.clone(),
        role: None,
        on_behalf_of: key.on_behalf_of.clone(),
    }
}

/// A refusal record waiting to be written: who, when, what.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Record {
    pub(crate) by: Attribution,
    pub(crate) at: DateTime<Utc>,
    pub(crate) kind: EventKind,
}

impl Record {
    /// The record's kind for an event written at `at`: a first record written later than its
    /// refusal (after losing a race) keeps the refusal's instant in `repeated` (count 1).
    pub(crate) fn delayed(&self, at: DateTime<Utc>) -> EventKind {
        match &self.kind {
            EventKind::Rejected {
                action,
                rejection,
                command,
                repeated: None,
            } if self.at < at => EventKind::Rejected {
                action: *action,
                rejection: rejection.clone(),
                command: *command,
                repeated: Some(Repeats {
                    count: 1,
                    since: self.at,
                    until: self.at,
                }),
            },
            other => other.clone(),
        }
    }
}

#[derive(Debug, Default)]
struct PerInstance {
    tallies: Vec<Tally>,
    /// Records not written yet (a write raced another, or the store failed).
    backlog: Vec<Record>,
}

/// The refusals being coalesced and the records waiting to be written, per instance.
#[derive(Debug, Default)]
pub(crate) struct RefusalLog {
    inner: Mutex<FastMap<InstanceId, PerInstance>>,
}

/// A refusal about to be recorded or counted.
#[derive(Debug)]
pub(crate) struct Refusal {
    key: Key,
}

impl Refusal {
    /// The refusal of `cmd` with `rejection`, its free texts shortened for the record.
    ///
    /// Names are cut the same way: a command naming an actor or action longer than the limit
    /// is refused ([`Limit::NameBytes`](crate::Limit::NameBytes)), and its record must not
    /// carry the over-long name either.
    pub(crate) fn new(cmd: &Command, rejection: &Rejection) -> Self {
        let id = |a: &ActorId| match cut_text(a.as_str()) {
            Some(short) => ActorId::from(short.as_str()),
            None => a.clone(),
        };
        let action = cmd.intent.action().map(|a| match cut_text(&a) {
            Some(short) => Name::new(short),
            None => a,
        });
        Refusal {
            key: Key {
                actor: id(&cmd.actor.id),
                on_behalf_of: cmd.actor.on_behalf_of.as_ref().map(id),
                action,
                rejection: bounded(rejection),
            },
        }
    }

    /// The record of this refusal as the first of its window: size and digest of the command,
    /// never its content.
    pub(crate) fn first_record(&self, cmd: &Command, at: DateTime<Utc>) -> Record {
        Record {
            by: attribution(&self.key),
            at,
            kind: EventKind::Rejected {
                action: self.key.action,
                rejection: self.key.rejection.clone(),
                command: Some(CommandDigest::of(cmd)),
                repeated: None,
            },
        }
    }
}

impl CommandDigest {
    /// The size and digest of `cmd`, as a refusal record keeps them: its size as compact JSON
    /// and the SHA-256 of its canonical JSON (RFC 8785).
    pub fn of(cmd: &Command) -> CommandDigest {
        // A command holds only strings, names and JSON values with string keys: it always
        // serializes.
        let bytes = crate::canonical::canonical_bytes(cmd).unwrap_or_default();
        CommandDigest {
            bytes: json_size(cmd) as u64,
            digest: Digest::of_bytes(&bytes),
        }
    }
}

/// `text` cut to [`RECORDED_TEXT_BYTES`] (at a character boundary) followed by `…`, when it is
/// longer.
fn cut_text(text: &str) -> Option<String> {
    if text.len() <= RECORDED_TEXT_BYTES {
        return None;
    }
    let mut end = RECORDED_TEXT_BYTES;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    Some(format!("{}…", &text[..end]))
}

/// `rejection` with every text longer than [`RECORDED_TEXT_BYTES`] shortened.
fn bounded(rejection: &Rejection) -> Rejection {
    fn cut(v: &mut Value) -> bool {
        match v {
            Value::String(s) if s.len() > RECORDED_TEXT_BYTES => {
                if let Some(short) = cut_text(s) {
                    *s = short;
                }
                true
            }
            Value::Array(a) => a.iter_mut().fold(false, |acc, x| cut(x) | acc),
            Value::Object(o) => o.values_mut().fold(false, |acc, x| cut(x) | acc),
            _ => false,
        }
    }
    let Ok(mut v) = serde_json::to_value(rejection) else {
        return rejection.clone();
    };
    if !cut(&mut v) {
        return rejection.clone();
    }
    serde_json::from_value(v).unwrap_or_else(|_| rejection.clone())
}

impl RefusalLog {
    fn lock(&self) -> MutexGuard<'_, FastMap<InstanceId, PerInstance>> {
        // A poisoned lock only means another thread panicked while counting: the counts are
        // still consistent (every update is a single assignment).
        self.inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Count `refusal` into an open window of identical ones: `true` when counted (nothing to
    /// write), `false` when it must be recorded as the first of a new window.
    pub(crate) fn coalesce(&self, id: &InstanceId, refusal: &Refusal, now: DateTime<Utc>) -> bool {
        let mut map = self.lock();
        let Some(per) = map.get_mut(id) else {
            return false;
        };
        match per
            .tallies
            .iter_mut()
            .find(|t| now < t.closes && t.key == refusal.key)
        {
            Some(t) => {
                t.count = t.count.saturating_add(1);
                t.until = t.until.max(now);
                true
            }
            None => false,
        }
    }

    /// Open a window for `refusal`, recorded as the first at `now` (no window when `window` is
    /// not positive).
    pub(crate) fn open(
        &self,
        id: &InstanceId,
        refusal: Refusal,
        now: DateTime<Utc>,
        window: TimeDelta,
    ) {
        if window <= TimeDelta::zero() {
            return;
        }
        let closes = now
            .checked_add_signed(window)
            .unwrap_or(DateTime::<Utc>::MAX_UTC);
        let mut map = self.lock();
        let tallies = &mut map.entry(id.clone()).or_default().tallies;
        // Forget closed windows with nothing counted beyond their recorded first refusal;
        // past the cap, the refusal is recorded without a window.
        tallies.retain(|t| t.count > 1 || now < t.closes);
        if tallies.len() >= MAX_OPEN_WINDOWS {
            return;
        }
        tallies.push(Tally {
            key: refusal.key,
            since: now,
            until: now,
            closes,
            count: 1,
        });
    }

    /// Take what is due for writing on `id`: the backlog, then the summaries of windows closed
    /// at `now` (of every window when `all`). Closed windows are forgotten.
    pub(crate) fn take(&self, id: &InstanceId, now: DateTime<Utc>, all: bool) -> Vec<Record> {
        let mut map = self.lock();
        let Some(per) = map.get_mut(id) else {
            return Vec::new();
        };
        let mut out = std::mem::take(&mut per.backlog);
        let (closed, open): (Vec<Tally>, Vec<Tally>) = std::mem::take(&mut per.tallies)
            .into_iter()
            .partition(|t| all || t.closes <= now);
        per.tallies = open;
        out.extend(closed.iter().filter_map(Tally::summary));
        if per.tallies.is_empty() {
            map.remove(id);
        }
        out
    }

    /// Give back records that could not be written: they are written with the next write on
    /// `id` or by [`Engine::flush_refusals`](crate::Engine::flush_refusals).
    pub(crate) fn restore(&self, id: &InstanceId, records: Vec<Record>) {
        if records.is_empty() {
            return;
        }
        let mut map = self.lock();
        let per = map.entry(id.clone()).or_default();
        let newer = std::mem::replace(&mut per.backlog, records);
        per.backlog.extend(newer);
    }

    /// Instances with records waiting or windows open.
    pub(crate) fn instances(&self) -> Vec<InstanceId> {
        self.lock().keys().cloned().collect()
    }

    /// Records waiting to be written: the backlog, and a summary for every window that has
    /// counted more than its first refusal.
    pub(crate) fn pending(&self) -> usize {
        self.lock()
            .values()
            .map(|p| p.backlog.len() + p.tallies.iter().filter(|t| t.count > 1).count())
            .sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_reasons_are_cut_in_the_record() {
        let r = Rejection::InvalidForm {
            form: Name::new("f"),
            reason: "é".repeat(RECORDED_TEXT_BYTES),
        };
        let Rejection::InvalidForm { reason, .. } = bounded(&r) else {
            panic!("the kind changed");
        };
        assert!(reason.len() <= RECORDED_TEXT_BYTES + '…'.len_utf8());
        assert!(reason.ends_with('…'));
        let short = Rejection::ReasonRequired;
        assert_eq!(bounded(&short), short);
    }
}
