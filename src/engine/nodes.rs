//! Several nodes on one store: due work claimed with leases ([`Engine::run_due`]) and the
//! transactional outbox delivered at least once ([`Engine::deliver_outbox`]).

use super::step;
use super::trace::Span;
use super::{DueReport, Engine, EngineError};
use crate::event::Event;
use crate::store::{Lease, OutboxMessage, Store};
use chrono::{DateTime, Utc};

/// Receives outbox messages: the host's side of the transactional outbox (e-mail, a message
/// queue, a webhook).
///
/// Delivery is at least once: a message may come again (its node crashed before
/// acknowledging it, or its lease expired mid-delivery), from any node, always with the same
/// [`OutboxMessage::key`]; a receiver drops repeats by that key. Returning `Err` leaves the
/// message undelivered: it comes back once its lease expires.
pub trait OutboxSink: Send + Sync {
    /// Deliver `message`, announcing `events` (its events, in order).
    ///
    /// # Errors
    /// Why the delivery failed (kept in [`DeliveryReport::failed`]).
    fn deliver(&self, message: &OutboxMessage, events: &[Event]) -> Result<(), String>;
}

impl<F: Fn(&OutboxMessage, &[Event]) -> Result<(), String> + Send + Sync> OutboxSink for F {
    fn deliver(&self, message: &OutboxMessage, events: &[Event]) -> Result<(), String> {
        self(message, events)
    }
}

/// What one [`Engine::deliver_outbox`] call did.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DeliveryReport {
    /// Messages delivered and acknowledged.
    pub delivered: Vec<OutboxMessage>,
    /// Messages whose delivery failed, with why; they stay in the outbox and come back once
    /// the lease expires.
    pub failed: Vec<(OutboxMessage, String)>,
}

impl<S: Store> Engine<S> {
    /// Handle deadlines due at `now` on instances claimed for `lease` (at most `limit`), as
    /// one of several schedulers sharing the store: each due instance is claimed by one
    /// scheduler at a time, handled, and released. A scheduler that crashes holds its claims
    /// until `lease.until`; then another takes them over. A deadline is handled once even if a
    /// lease expires mid-run: handling is idempotent on a snapshot and the write is
    /// optimistic, so the slower node gets a conflict (in [`DueReport::conflicts`]) and writes
    /// nothing.
    ///
    /// # Errors
    /// A store error (the claims taken so far are released first where the store allows).
    pub fn run_due(
        &self,
        now: DateTime<Utc>,
        lease: &Lease,
        limit: usize,
    ) -> Result<DueReport, EngineError> {
        let span = Span::run("due", Some(&lease.claimant));
        let result = span.in_scope(|| {
            let mut report = DueReport::default();
            let claimed = self.store.claim_due(now, limit, lease)?;
            let mut failure = None;
            for id in claimed {
                if failure.is_none() {
                    if let Err(e) = self.handle_due_of(id.clone(), now, &mut report) {
                        failure = Some(e);
                    }
                }
                self.store.release_due(&id, &lease.claimant)?;
            }
            match failure {
                Some(e) => Err(e),
                None => Ok(report),
            }
        });
        due_outcome(&span, &result);
        result
    }

    /// Deliver up to `limit` outbox messages claimed for `lease` to `sink`, acknowledging
    /// each delivered one. Any node may call it; see [`OutboxSink`] for the guarantees.
    ///
    /// # Errors
    /// A store error.
    pub fn deliver_outbox(
        &self,
        sink: &impl OutboxSink,
        now: DateTime<Utc>,
        lease: &Lease,
        limit: usize,
    ) -> Result<DeliveryReport, EngineError> {
        let span = Span::run("outbox", Some(&lease.claimant));
        let result = span.in_scope(|| self.deliver_in(sink, now, lease, limit));
        delivery_outcome(&span, &result);
        result
    }

    fn deliver_in(
        &self,
        sink: &impl OutboxSink,
        now: DateTime<Utc>,
        lease: &Lease,
        limit: usize,
    ) -> Result<DeliveryReport, EngineError> {
        let mut report = DeliveryReport::default();
        for message in self.store.claim_outbox(now, limit, lease)? {
            let events: Vec<Event> = self
                .store
                .events(&message.instance, message.first_seq.saturating_sub(1))?
                .into_iter()
                .take_while(|e| e.seq <= message.last_seq)
                .collect();
            let delivered = match step::message_events_complete(&message, &events) {
                Ok(()) => sink.deliver(&message, &events),
                Err(why) => Err(why),
            };
            match delivered {
                Ok(()) => {
                    self.store.ack_outbox(&message)?;
                    report.delivered.push(message);
                }
                Err(why) => report.failed.push((message, why)),
            }
        }
        Ok(report)
    }
}

/// Record a due run's result on its span.
pub(crate) fn due_outcome(span: &Span, result: &Result<DueReport, EngineError>) {
    match result {
        Ok(r) => {
            span.done();
            span.count("handled", r.handled.len());
            span.count("conflicts", r.conflicts.len());
            span.count("failed", r.failed.len());
        }
        Err(e) => span.error(e),
    }
}

/// Record an outbox delivery's result on its span.
pub(crate) fn delivery_outcome(span: &Span, result: &Result<DeliveryReport, EngineError>) {
    match result {
        Ok(r) => {
            span.done();
            span.count("delivered", r.delivered.len());
            span.count("failed", r.failed.len());
        }
        Err(e) => span.error(e),
    }
}
