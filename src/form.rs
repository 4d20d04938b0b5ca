//! Forms: documents attached to an instance by a command (reports, applications, notices).
//!
//! A definition declares the form kinds it uses and which transitions require which kinds.
//! The body of a form is JSON; a [`FormValidator`] registered for the kind (typically
//! "deserialize into the typed form struct and call its `validate`") decides whether a body
//! is acceptable. A transition that requires a form refuses to fire without a valid one.

use crate::ids::Name;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// A form attached by a command: its kind and its body.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Form {
    /// The form kind, as declared by the definition (e.g. `quality_appraisal_report`).
    pub kind: Name,
    /// The form's content.
    pub body: Value,
}

impl Form {
    /// A form of `kind` with `body`.
    pub fn new(kind: impl AsRef<str>, body: Value) -> Self {
        Form {
            kind: Name::new(kind),
            body,
        }
    }

    /// A form whose body is a serialized typed form struct.
    ///
    /// # Errors
    /// The serialization error, if the struct cannot be represented as JSON.
    pub fn typed<T: Serialize>(kind: impl AsRef<str>, body: &T) -> Result<Self, serde_json::Error> {
        Ok(Form::new(kind, serde_json::to_value(body)?))
    }
}

/// Decides whether a form body is acceptable: `Ok(())` or `Err(reason)`.
///
/// Contract: deterministic and side-effect free, like a [`Guard`](crate::Guard).
pub trait FormValidator: Send + Sync {
    /// Validate a body.
    fn validate(&self, body: &Value) -> Result<(), String>;
}

impl<F> FormValidator for F
where
    F: Fn(&Value) -> Result<(), String> + Send + Sync,
{
    fn validate(&self, body: &Value) -> Result<(), String> {
        self(body)
    }
}

/// A typed form: a struct with a JSON Schema and a validation of its own.
///
/// [`Registry::typed_form`](crate::Registry::typed_form) turns an implementor into a
/// [`FormValidator`] that deserializes the body and calls [`validate`](TypedForm::validate).
pub trait TypedForm: serde::de::DeserializeOwned + Serialize + JsonSchema {
    /// The form kind name used in definitions.
    const KIND: &'static str;

    /// Check the content beyond its shape (non-empty fields, consistent quantities, ...).
    ///
    /// # Errors
    /// A human-readable reason.
    fn validate(&self) -> Result<(), String>;
}

/// The JSON Schema of `T` (kept as a function by the registry: generated only when asked).
pub(crate) fn schema_of<T: JsonSchema>() -> schemars::Schema {
    schemars::schema_for!(T)
}
