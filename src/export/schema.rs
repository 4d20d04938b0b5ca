//! JSON Schemas of the serde types, for hosts that validate or generate data.

use crate::Command;
use crate::DefinitionSpec;
use crate::Event;
use crate::Instance;
use schemars::{Schema, schema_for};

/// JSON Schema of a [`DefinitionSpec`].
pub fn definition_schema() -> Schema {
    schema_for!(DefinitionSpec)
}

/// JSON Schema of an [`Instance`] snapshot.
pub fn instance_schema() -> Schema {
    schema_for!(Instance)
}

/// JSON Schema of an audit [`Event`].
pub fn event_schema() -> Schema {
    schema_for!(Event)
}

/// JSON Schema of a [`Command`].
pub fn command_schema() -> Schema {
    schema_for!(Command)
}
