//! What guards and effects see: one [`Context`] for both.

use crate::access::Actor;
use crate::form::{Form, TypedForm};
use crate::ids::Name;
use crate::instance::Instance;
use chrono::{DateTime, Utc};
use serde_json::Value;

/// What a guard or an effect can look at: the instance before the command, the action, the
/// command's payload and forms, the actor and the host's `now`.
#[derive(Debug, Clone, Copy)]
pub struct Context<'a> {
    /// The instance as it is before the command.
    pub instance: &'a Instance,
    /// The action being attempted.
    pub action: Name,
    /// The command's payload (`null` when none).
    pub payload: &'a Value,
    /// The forms attached by the command (validated against their kinds before any guard
    /// runs).
    pub forms: &'a [Form],
    /// Who is acting.
    pub actor: &'a Actor,
    /// The host-supplied current instant.
    pub now: DateTime<Utc>,
}

impl<'a> Context<'a> {
    /// The body of the form of `kind` attached by this command, if any.
    pub fn attached(&self, kind: impl Into<Name>) -> Option<&'a Value> {
        let kind = kind.into();
        self.forms
            .iter()
            .rev()
            .find(|f| f.kind == kind)
            .map(|f| &f.body)
    }

    /// The form of `kind` attached by this command or, failing that, the latest one attached
    /// to the instance earlier.
    pub fn form(&self, kind: impl Into<Name>) -> Option<&'a Value> {
        let kind = kind.into();
        self.attached(kind)
            .or_else(|| self.instance.latest_form(kind))
    }

    /// The typed form `T` ([`TypedForm::KIND`]) attached by this command or on file.
    ///
    /// # Errors
    /// A reason when there is none, or when its body does not deserialize into `T`.
    pub fn typed_form<T: TypedForm>(&self) -> Result<T, String> {
        let body = self
            .form(T::KIND)
            .ok_or_else(|| format!("no `{}` form", T::KIND))?;
        T::deserialize(body).map_err(|e| format!("malformed `{}`: {e}", T::KIND))
    }

    /// The typed form `T` attached by this very command.
    ///
    /// # Errors
    /// A reason when the command attaches none, or when its body does not deserialize.
    pub fn attached_form<T: TypedForm>(&self) -> Result<T, String> {
        let body = self
            .attached(T::KIND)
            .ok_or_else(|| format!("this command attaches no `{}` form", T::KIND))?;
        T::deserialize(body).map_err(|e| format!("malformed `{}`: {e}", T::KIND))
    }

    /// The instance data as `T`, deserialized once per data version (see
    /// [`Instance::typed_data`]): a guard reading typed data pays no JSON parsing per command.
    ///
    /// # Errors
    /// Why the data does not deserialize into `T`.
    pub fn data<T>(&self) -> Result<crate::instance::TypedData<'a, T>, String>
    where
        T: serde::de::DeserializeOwned + Send + Sync + 'static,
    {
        self.instance.typed_data()
    }

    /// The payload deserialized into `T`.
    ///
    /// # Errors
    /// A reason when it does not deserialize.
    pub fn payload_as<T: serde::de::DeserializeOwned>(&self) -> Result<T, String> {
        T::deserialize(self.payload).map_err(|e| format!("malformed payload: {e}"))
    }
}
