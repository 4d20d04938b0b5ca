//! Attacks on the audit trail (issue 15), each tried as a security reviewer would and each
//! refused with a typed error (or withheld). One module per area:
//!
//! - `signing`: one person counted as two signers, signatures not tied to what they approve,
//!   the role recorded for an action, the order in which refusals come back.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test helpers may panic

mod signing;
