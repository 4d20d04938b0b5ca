//! The instance data of a consumables request, typed: the request as last sent and, per item,
//! its quantities through the flow. Effects change it through [`Data::edit`]; guards read it
//! through the cached typed view (`Context::data::<Data>()`).

use super::forms::ConsumablesRequest;
use crate::EngineError;
use crate::{Instance, InstanceId};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The state of one requested item through the flow. Quantities are unsigned and every change
/// is checked: they never go negative, `received + short == shipped`, and
/// `consumed + returned + written_off <= received` (equal at closing).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct LineStatus {
    /// Material code.
    pub item_code: String,
    /// Requested.
    pub requested: u32,
    /// Shipped.
    pub shipped: u32,
    /// Unit cost in 分 (the estimate until issued, then the actual cost).
    pub unit_cost_fen: i64,
    /// Received.
    pub received: u32,
    /// Short on delivery.
    pub short: u32,
    /// Received damaged.
    pub damaged: u32,
    /// Consumed.
    pub consumed: u32,
    /// Returned unused.
    pub returned: u32,
    /// Written off.
    pub written_off: u32,
}

impl LineStatus {
    /// Received stock not yet consumed, returned or written off.
    pub fn open(&self) -> Option<u32> {
        self.received
            .checked_sub(self.consumed)?
            .checked_sub(self.returned)?
            .checked_sub(self.written_off)
    }
}

/// The instance data of a consumables request.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Data {
    /// The request as last sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request: Option<ConsumablesRequest>,
    /// Per item.
    #[serde(default)]
    pub lines: Vec<LineStatus>,
}

impl Data {
    /// As JSON, for [`Engine::start`](crate::Engine::start) (a new request starts with
    /// `Data::default()`).
    ///
    /// # Errors
    /// When it does not serialize (it always does).
    pub fn to_value(&self) -> Result<Value, serde_json::Error> {
        serde_json::to_value(self)
    }

    /// The line of `item`.
    ///
    /// # Errors
    /// A reason when the item is not on the request.
    pub(super) fn line_mut(&mut self, item: &str) -> Result<&mut LineStatus, String> {
        self.lines
            .iter_mut()
            .find(|l| l.item_code == item)
            .ok_or_else(|| format!("item `{item}` is not on the request"))
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
            Data::deserialize(&*data).map_err(|e| format!("malformed request data: {e}"))?
        };
        f(&mut d)?;
        *data = d.to_value().map_err(|e| e.to_string())?;
        Ok(())
    }
}

/// Why a consumables helper failed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum ConsumablesError {
    /// The instance given as the batch issue is not a batch-quality instance.
    #[error("`{instance}` is a `{definition}` instance, not a batch quality issue")]
    NotABatchIssue {
        /// The instance.
        instance: InstanceId,
        /// Its definition.
        definition: String,
    },
    /// The batch issue has not been started (or is already closed).
    #[error(
        "batch issue `{instance}` is in `{state}`, not a started batch process (BQ-E §4.5–§4.7 (000 L646), BQ-E §5.3 (000 L666))"
    )]
    NotStarted {
        /// The batch instance.
        instance: InstanceId,
        /// Its state.
        state: String,
    },
    /// The request's data is malformed.
    #[error("request `{instance}` has malformed data: {reason}")]
    Data {
        /// The request.
        instance: InstanceId,
        /// Why.
        reason: String,
    },
    /// A cost overflowed.
    #[error("request `{instance}`: cost overflow")]
    Overflow {
        /// The request.
        instance: InstanceId,
    },
    /// The engine failed.
    #[error(transparent)]
    Engine(#[from] EngineError),
}

/// The typed data of a request instance.
///
/// # Errors
/// [`ConsumablesError::Data`].
pub fn data(request: &Instance) -> Result<Data, ConsumablesError> {
    if request.data().is_null() {
        return Ok(Data::default());
    }
    request.data_as().map_err(|e| ConsumablesError::Data {
        instance: request.id().clone(),
        reason: e.to_string(),
    })
}
