//! Configuration. Only the approver chain has a default, and it is ours: the platform rules
//! the seed cites, 《制造平台外发耗材管理规定》 (`BQ-E §5.3.2 (000 L666)`), are not in the seeds, so
//! every limit is `None` (no clock) unless the host sets it. A limit set here is read in
//! working time of the definition's calendar ([`BusinessDuration`]); a miss is recorded and
//! notified, the request does not move (ours: product decision `PD-MISS`).

use super::Role;
use crate::BusinessDuration;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The procedure's choices and limits.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Config {
    /// The platform approvers, signing in this order (ours; default: one platform approver,
    /// the platform's own chain not being in the seeds, `BQ-E §5.3 (000 L666)`). An empty chain is refused
    /// by `definition()` (no one could approve).
    pub approver_chain: Vec<Role>,
    /// Limit for the regional quality section's review (clock `rqs_review`; no default).
    pub rqs_review_within: Option<BusinessDuration>,
    /// Limit for the platform approval chain (clock `platform_approval`; no default).
    pub platform_approval_within: Option<BusinessDuration>,
    /// Limit for issuing after approval (clock `issue`; no default).
    pub issue_within: Option<BusinessDuration>,
    /// Limit for the branch to receive and count after shipping (clock `delivery`; no default).
    pub delivery_within: Option<BusinessDuration>,
    /// Limit for reporting consumption after receipt (clock `consumption_report`; no default).
    pub consumption_report_within: Option<BusinessDuration>,
    /// Limit for settling (return / write-off) after the consumption report (clock
    /// `settlement`; no default).
    pub settlement_within: Option<BusinessDuration>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            approver_chain: vec![Role::PlatformApprover],
            rqs_review_within: None,
            platform_approval_within: None,
            issue_within: None,
            delivery_within: None,
            consumption_report_within: None,
            settlement_within: None,
        }
    }
}
