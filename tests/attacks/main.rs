//! Attacks on the audit trail (issue 15), each tried as a security reviewer would and each
//! refused with a typed error (or withheld). One module per area:
//!
//! - `signing`: findings 1, 4, 13, 14 — one person counted as two signers, signatures not tied
//!   to what they approve, the role recorded for an action, the order in which refusals come back.
//! - `limits`: finding 5 — anyone growing the audit log (bounded refusal records, limits on
//!   commands, forms and definitions).
//! - `time`: finding 3 — time going backwards on an instance.
//! - `confidentiality`: finding 6 — confidential free text leaking into the outgoing 8D report.
//! - `regions` (issue 17): acting on another region's batch issue, or taking over a complaint
//!   without the engineer's designation.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test helpers may panic

#[cfg(feature = "procedures")]
mod confidentiality;
mod limits;
#[cfg(feature = "procedures")]
mod regions;
mod signing;
mod time;
