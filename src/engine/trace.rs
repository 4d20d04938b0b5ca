//! Spans for the engines (feature `tracing`): one per command (`aftersales.start`,
//! `aftersales.fire`) and one per due run or outbox delivery (`aftersales.due`,
//! `aftersales.outbox`), with the instance, definition, action and outcome as fields. The
//! duration is the span's own (a subscriber measures it, e.g. `tracing-subscriber`'s
//! `FmtSpan::CLOSE` prints `time.busy`); the engine reads no clock. Without the feature these
//! are empty types the compiler removes.

use super::{EngineError, Outcome};
use crate::ids::{InstanceId, Name};

/// A span, or nothing without the feature.
#[derive(Clone)]
pub(crate) struct Span {
    #[cfg(feature = "tracing")]
    inner: tracing::Span,
}

impl Span {
    /// A command span: `op` on `instance` (`action` when the command names one).
    #[cfg_attr(not(feature = "tracing"), allow(unused_variables))]
    pub(crate) fn command(op: &'static str, instance: &InstanceId, action: Option<Name>) -> Self {
        #[cfg(feature = "tracing")]
        {
            let action = action.map(|a| a.as_str());
            let inner = match op {
                "start" => tracing::info_span!(
                    "aftersales.start",
                    instance = %instance,
                    definition = tracing::field::Empty,
                    action = tracing::field::Empty,
                    outcome = tracing::field::Empty,
                    events = tracing::field::Empty,
                ),
                _ => tracing::info_span!(
                    "aftersales.fire",
                    instance = %instance,
                    definition = tracing::field::Empty,
                    action = action,
                    outcome = tracing::field::Empty,
                    events = tracing::field::Empty,
                ),
            };
            Span { inner }
        }
        #[cfg(not(feature = "tracing"))]
        Span {}
    }

    /// A span for one due run (`op` = "due") or outbox delivery (`op` = "outbox").
    #[cfg_attr(not(feature = "tracing"), allow(unused_variables))]
    pub(crate) fn run(op: &'static str, claimant: Option<&str>) -> Self {
        #[cfg(feature = "tracing")]
        {
            let inner = match op {
                "due" => tracing::info_span!(
                    "aftersales.due",
                    claimant = claimant,
                    outcome = tracing::field::Empty,
                    handled = tracing::field::Empty,
                    conflicts = tracing::field::Empty,
                    failed = tracing::field::Empty,
                ),
                _ => tracing::info_span!(
                    "aftersales.outbox",
                    claimant = claimant,
                    outcome = tracing::field::Empty,
                    delivered = tracing::field::Empty,
                    failed = tracing::field::Empty,
                ),
            };
            Span { inner }
        }
        #[cfg(not(feature = "tracing"))]
        Span {}
    }

    /// Record the definition the command ran on.
    #[cfg_attr(not(feature = "tracing"), allow(unused_variables))]
    pub(crate) fn definition(&self, definition: Name) {
        #[cfg(feature = "tracing")]
        self.inner.record("definition", definition.as_str());
    }

    /// Record a count field (`handled`, `delivered`, ...).
    #[cfg_attr(not(feature = "tracing"), allow(unused_variables))]
    pub(crate) fn count(&self, field: &'static str, n: usize) {
        #[cfg(feature = "tracing")]
        self.inner.record(field, n);
    }

    /// Record how a command ended: `accepted`, `replayed`, or the error's kind.
    #[cfg_attr(not(feature = "tracing"), allow(unused_variables))]
    pub(crate) fn outcome(&self, result: &Result<Outcome, EngineError>) {
        #[cfg(feature = "tracing")]
        match result {
            Ok(out) => {
                self.inner.record(
                    "outcome",
                    if out.replayed { "replayed" } else { "accepted" },
                );
                self.inner.record("events", out.events.len());
            }
            Err(e) => self.error(e),
        }
    }

    /// Record an error as the outcome.
    #[cfg_attr(not(feature = "tracing"), allow(unused_variables))]
    pub(crate) fn error(&self, e: &EngineError) {
        #[cfg(feature = "tracing")]
        self.inner.record("outcome", error_kind(e));
    }

    /// Record success of a run.
    pub(crate) fn done(&self) {
        #[cfg(feature = "tracing")]
        self.inner.record("outcome", "ok");
    }

    /// Run `f` inside the span.
    pub(crate) fn in_scope<T>(&self, f: impl FnOnce() -> T) -> T {
        #[cfg(feature = "tracing")]
        {
            self.inner.in_scope(f)
        }
        #[cfg(not(feature = "tracing"))]
        f()
    }

    /// `fut`, inside the span whenever it is polled.
    #[cfg(feature = "async")]
    pub(crate) fn instrument<F: std::future::Future>(
        &self,
        fut: F,
    ) -> impl std::future::Future<Output = F::Output> {
        #[cfg(feature = "tracing")]
        {
            tracing::Instrument::instrument(fut, self.inner.clone())
        }
        #[cfg(not(feature = "tracing"))]
        fut
    }
}

/// The outcome field for an error.
#[cfg(feature = "tracing")]
fn error_kind(e: &EngineError) -> &'static str {
    match e {
        EngineError::Rejected { .. } => "rejected",
        EngineError::UnknownDefinition { .. } => "unknown_definition",
        EngineError::DuplicateDefinition { .. } => "duplicate_definition",
        EngineError::DefinitionConflict { .. } => "definition_conflict",
        EngineError::Migration { .. } => "migration_refused",
        EngineError::NotFound { .. } => "not_found",
        EngineError::Conflict { .. } => "conflict",
        EngineError::KeyReused { .. } => "key_reused",
        EngineError::Corrupt(_) => "corrupt",
        EngineError::Store(_) => "store_error",
        EngineError::Chain(_) => "chain_broken",
        EngineError::Anchor(_) => "anchor_mismatch",
    }
}
