//! The complaint's confidentiality policy (保密原则, QD-004 §3.6 (004 L628)): the shared
//! default-deny filter of [`crate::procedures::confidentiality`], re-exported here under its
//! earlier path. [`Config::confidentiality`](super::Config::confidentiality) is its policy.

pub use crate::procedures::confidentiality::*;
