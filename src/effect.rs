//! Effects: deterministic changes to instance data when a transition fires.
//!
//! The engine runs a transition's effects on a copy of the instance data while deciding; the
//! resulting data is recorded in a `DataChanged` event, so replay never re-runs effect code
//! (a changed effect cannot rewrite history).

use crate::context::Context;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// An effect named in a definition.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum EffectSpec {
    /// Merge the command payload (a JSON object) into the data, RFC 7396 style: `null`
    /// removes a key, objects merge recursively, everything else replaces. A `null` payload
    /// changes nothing; any other non-object payload is refused.
    MergePayload,
    /// An effect registered under this name.
    Named(String),
}

/// A named change to instance data. `Err(reason)` refuses the command (bad payload).
///
/// Contract: deterministic and pure apart from `data`.
pub trait Effect: Send + Sync {
    /// Change `data`.
    fn apply(&self, data: &mut Value, ctx: &Context<'_>) -> Result<(), String>;
}

impl<F> Effect for F
where
    F: Fn(&mut Value, &Context<'_>) -> Result<(), String> + Send + Sync,
{
    fn apply(&self, data: &mut Value, ctx: &Context<'_>) -> Result<(), String> {
        self(data, ctx)
    }
}

/// RFC 7396 JSON merge patch of `patch` into `target`.
pub(crate) fn merge_patch(target: &mut Value, patch: &Value) {
    match patch {
        Value::Object(p) => {
            if !target.is_object() {
                *target = Value::Object(serde_json::Map::new());
            }
            if let Value::Object(t) = target {
                for (k, v) in p {
                    if v.is_null() {
                        t.remove(k);
                    } else {
                        merge_patch(t.entry(k.clone()).or_insert(Value::Null), v);
                    }
                }
            }
        }
        other => *target = other.clone(),
    }
}
