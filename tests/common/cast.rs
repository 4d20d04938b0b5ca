//! The claim cast shared by the engine tests and the bad-input catalogue: Ann the clerk, Bob
//! the manager, Fay from finance, and a report form with text.

use aftersales::{Actor, Form};
use serde_json::json;

/// Ann, a clerk.
pub(crate) fn clerk() -> Actor {
    Actor::new("ann", ["clerk"])
}

/// Bob, a manager.
pub(crate) fn manager() -> Actor {
    Actor::new("bob", ["manager"])
}

/// Fay, from finance.
pub(crate) fn finance() -> Actor {
    Actor::new("fay", ["finance"])
}

/// A valid report (its text is not empty).
pub(crate) fn report() -> Form {
    Form::new("report", json!({"text": "broken fan"}))
}
