//! The link to the batch issue a request serves (`BQ-E §4.5.7 (000 L646)`: consumables needed
//! *because of a batch problem*): a [`BatchLink`] form taken from the batch instance itself
//! when the command is issued ([`link_form`], [`with_batch_link`]) and checked by the guard
//! `batch_started`.

use super::super::ConsumablesError;
use super::super::batch_quality;
use crate::Command;
use crate::TypedForm;
use crate::Vocabulary;
use crate::procedures::consumables::FormKind;
use crate::{Engine, Store};
use crate::{Form, Instance, InstanceId};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Proof, taken when the command is issued, that the linked batch issue exists and has been
/// started (`BQ-E §4.5–§4.7 (000 L646)`, `BQ-E §5.3 (000 L666)`). Made by [`link_form`] from the batch instance itself.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct BatchLink {
    /// The batch instance.
    pub batch_issue: InstanceId,
    /// Its state when the link was taken.
    pub state: String,
    /// Its version when the link was taken.
    pub version: u64,
}

impl TypedForm for BatchLink {
    const KIND: &'static str = FormKind::BatchLink.as_str();

    fn validate(&self) -> Result<(), String> {
        if self.batch_issue.as_str().trim().is_empty() {
            return Err("the batch issue id is empty".into());
        }
        Ok(())
    }
}

/// A fresh [`BatchLink`] form for `batch`, checked: it must be a batch-quality instance whose
/// batch process has started ([`batch_quality::is_started`]).
///
/// # Errors
/// [`ConsumablesError::NotABatchIssue`] or [`ConsumablesError::NotStarted`].
pub fn link_form(batch: &Instance) -> Result<Form, ConsumablesError> {
    if batch.definition() != batch_quality::ID {
        return Err(ConsumablesError::NotABatchIssue {
            instance: batch.id().clone(),
            definition: batch.definition().to_string(),
        });
    }
    let started =
        batch_quality::State::from_name(batch.state()).is_some_and(batch_quality::is_started);
    if !started {
        return Err(ConsumablesError::NotStarted {
            instance: batch.id().clone(),
            state: batch.state().to_string(),
        });
    }
    let link = BatchLink {
        batch_issue: batch.id().clone(),
        state: batch.state().to_string(),
        version: batch.version(),
    };
    Ok(Form::new(
        BatchLink::KIND,
        serde_json::to_value(&link).unwrap_or(Value::Null),
    ))
}

/// `cmd` with a fresh link to the batch issue `batch`, loaded from the same engine.
///
/// # Errors
/// [`ConsumablesError::Engine`] when the batch issue cannot be loaded, or the errors of
/// [`link_form`].
pub fn with_batch_link<S: Store>(
    engine: &Engine<S>,
    batch: &InstanceId,
    cmd: Command,
) -> Result<Command, ConsumablesError> {
    let batch = engine.load(batch)?;
    Ok(cmd.with_form(link_form(&batch)?))
}
