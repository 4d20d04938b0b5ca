//! Attacks on the audit trail (issue 15): each refused with a typed error or withheld.
//!
//! - `limits`: finding 5 — anyone growing the audit log (bounded refusal records, limits on
//!   commands, forms and definitions).
//! - `confidentiality`: finding 6 — confidential free text leaking into the outgoing 8D report.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test helpers may panic

mod confidentiality;
mod limits;
