//! The instance data of a concession, typed: the customer return it serves (if any), the form
//! as last issued or revised, the handling opinion, and the failed re-inspections. Effects
//! change it through [`Data::edit`]; guards read it through the cached typed view
//! (`Context::data::<Data>()`).

use super::forms::{ConcessionForm, HandlingOpinion};
use crate::EngineError;
use crate::{Instance, InstanceId};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The instance data of a concession.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Data {
    /// The customer-return instance whose D9 decision asked for this concession (set at the
    /// start, [`start_data_for_return`]); `None` for a concession raised in the plant.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub serves_return: Option<InstanceId>,
    /// The concession form as last issued or revised.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub form: Option<ConcessionForm>,
    /// The latest handling opinion.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub opinion: Option<HandlingOpinion>,
    /// How many re-inspections failed (each sends the concession back for a new opinion).
    #[serde(default)]
    pub failed_reinspections: u32,
}

impl Data {
    /// As JSON, for [`Engine::start`](crate::Engine::start).
    ///
    /// # Errors
    /// When it does not serialize (it always does).
    pub fn to_value(&self) -> Result<Value, serde_json::Error> {
        serde_json::to_value(self)
    }

    /// Run `f` on the typed data held in `data` (null reads as empty) and write it back.
    ///
    /// # Errors
    /// A reason when the data is malformed or `f` refuses.
    pub(super) fn edit(
        data: &mut Value,
        f: impl FnOnce(&mut Data) -> Result<(), String>,
    ) -> Result<(), String> {
        let mut d = if data.is_null() {
            Data::default()
        } else {
            Data::deserialize(&*data).map_err(|e| format!("malformed concession data: {e}"))?
        };
        f(&mut d)?;
        *data = d.to_value().map_err(|e| e.to_string())?;
        Ok(())
    }
}

/// The start data of a concession serving the customer return `return_instance` (its D9
/// concession decision): the concession records the return it serves.
///
/// # Errors
/// When it does not serialize (it always does).
pub fn start_data_for_return(return_instance: &InstanceId) -> Result<Value, serde_json::Error> {
    Data {
        serves_return: Some(return_instance.clone()),
        ..Data::default()
    }
    .to_value()
}

/// Why a concession helper failed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum ConcessionError {
    /// The instance is not a concession.
    #[error("`{instance}` is a `{definition}` instance, not a concession")]
    NotAConcession {
        /// The instance.
        instance: InstanceId,
        /// Its definition.
        definition: String,
    },
    /// The instance is not of the definition a bridge expects.
    #[error("`{instance}` is a `{definition}` instance, not a `{expected}` instance")]
    WrongDefinition {
        /// The instance.
        instance: InstanceId,
        /// Its definition.
        definition: String,
        /// The definition expected.
        expected: String,
    },
    /// The concession's data is malformed.
    #[error("concession `{instance}` has malformed data: {reason}")]
    Data {
        /// The concession.
        instance: InstanceId,
        /// Why.
        reason: String,
    },
    /// The concession has no final outcome yet.
    #[error("concession `{instance}` is still open (in `{state}`)")]
    Open {
        /// The concession.
        instance: InstanceId,
        /// Its state.
        state: String,
    },
    /// The concession serves no customer return.
    #[error("concession `{instance}` serves no customer return")]
    NotLinked {
        /// The concession.
        instance: InstanceId,
    },
    /// The customer return does not wait for a concession.
    #[error("customer return `{instance}` does not wait for a concession (in `{state}`)")]
    NotPending {
        /// The return.
        instance: InstanceId,
        /// Its state.
        state: String,
    },
    /// The customer return's concession request names no concession instance.
    #[error("the concession request of customer return `{instance}` names no concession")]
    Unnamed {
        /// The return.
        instance: InstanceId,
    },
    /// The engine failed.
    #[error(transparent)]
    Engine(#[from] EngineError),
}

/// The typed data of a concession instance.
///
/// # Errors
/// [`ConcessionError::NotAConcession`], [`ConcessionError::Data`].
pub fn data(concession: &Instance) -> Result<Data, ConcessionError> {
    if concession.definition().as_str() != super::ID {
        return Err(ConcessionError::NotAConcession {
            instance: concession.id().clone(),
            definition: concession.definition().to_string(),
        });
    }
    if concession.data().is_null() {
        return Ok(Data::default());
    }
    concession.data_as().map_err(|e| ConcessionError::Data {
        instance: concession.id().clone(),
        reason: e.to_string(),
    })
}
