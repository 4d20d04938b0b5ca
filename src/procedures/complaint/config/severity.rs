//! Complaint severity (客诉严重程度) and the 8D trigger.
//!
//! ZJHP §3.7 (`QD-004 §3.7 (004 L662)`): a complaint about a non-functional problem is general (一般客诉);
//! one caused by an abnormal product function is serious (严重客诉). The mould table of D1
//! 附件1 (`RET-PC Att. 1 (004 L23–30)`, another company's document) can raise the severity; the strictest
//! result wins (ours).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::fmt;

/// When the 8D report goes to the customer (the internal analysis report is written for
/// every failed inspection, `QD-004 §5.2.2.7 (004 L650)`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum External8dTrigger {
    /// The complaint is serious (§3.7, `QD-004 §3.7 (004 L662)`) or the customer asks for it
    /// (`QD-004 §4.3 (004 L620)`, `QD-004 §5.2.2.8 (004 L651)`); product decision `PD-8D`, D1 `RET-PC §4.2.3 (004 L17)`.
    #[default]
    SeriousOrCustomerRequest,
    /// Only when the customer asks (the literal reading of `QD-004 §5.2.2.8 (004 L651)`).
    CustomerRequestOnly,
    /// Always.
    Always,
}

/// The severity of a complaint.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// 一般客诉 (D1: 轻微): not a product-function problem (`QD-004 §3.7 (004 L662)`).
    #[default]
    General,
    /// 严重客诉: the product function is abnormal (`QD-004 §3.7 (004 L662)`).
    Serious,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::General => "general (一般)",
            Severity::Serious => "serious (严重)",
        })
    }
}

/// Findings on moulded parts, for the D1 table (`RET-PC Att. 1 (004 L23–30)`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(default)]
pub struct MoldFindings {
    /// Number of moulds with engraving errors, mixed material or cracking
    /// (刻字错误, 混料, 开裂; `RET-PC Att. 1 (004 L28)`).
    pub molds_engraving_mix_crack: u32,
    /// Number of moulds with out-of-tolerance dimensions (尺寸超差; `RET-PC Att. 1 (004 L29–30)`).
    pub molds_dimension_oot: u32,
    /// An appearance defect (外观不良; `RET-PC Att. 1 (004 L27)`).
    pub appearance_defect: bool,
}

/// The D1 mould severity table (附件1 客诉严重等级, `RET-PC Att. 1 (004 L23–30)`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct MoldSeverityRule {
    /// Serious from this many moulds with engraving errors / mixed material / cracking, or
    /// with out-of-tolerance dimensions (「三个及以上」, `RET-PC Att. 1 (004 L28)`, `RET-PC Att. 1 (004 L30)`).
    pub serious_min_molds: u32,
    /// Minor (= general) up to this many moulds with out-of-tolerance dimensions
    /// (「两个及以下」, `RET-PC Att. 1 (004 L29)`).
    pub minor_max_dimension_oot_molds: u32,
}

impl Default for MoldSeverityRule {
    fn default() -> Self {
        MoldSeverityRule {
            serious_min_molds: 3,
            minor_max_dimension_oot_molds: 2,
        }
    }
}

impl MoldSeverityRule {
    /// The severity the table gives, or `None` when it does not classify the findings
    /// (e.g. one or two moulds with engraving errors: unclassified in the seed).
    pub fn classify(&self, m: &MoldFindings) -> Option<Severity> {
        if m.molds_engraving_mix_crack >= self.serious_min_molds
            || m.molds_dimension_oot >= self.serious_min_molds
        {
            return Some(Severity::Serious);
        }
        let minor_dim = m.molds_dimension_oot >= 1
            && m.molds_dimension_oot <= self.minor_max_dimension_oot_molds;
        (m.appearance_defect || minor_dim).then_some(Severity::General)
    }
}

/// The severity of a complaint: §3.7 (`QD-004 §3.7 (004 L662)`), raised by the mould table when configured
/// (strictest wins).
pub fn classify(
    functional_abnormality: bool,
    molds: Option<&MoldFindings>,
    rule: Option<&MoldSeverityRule>,
) -> Severity {
    let base = if functional_abnormality {
        Severity::Serious
    } else {
        Severity::General
    };
    let mold = match (molds, rule) {
        (Some(m), Some(r)) => r.classify(m).unwrap_or_default(),
        _ => Severity::General,
    };
    base.max(mold)
}

/// Whether the 8D report goes to the customer.
pub fn external_8d_required(
    trigger: External8dTrigger,
    severity: Severity,
    customer_requests_8d: bool,
) -> bool {
    match trigger {
        External8dTrigger::SeriousOrCustomerRequest => {
            severity == Severity::Serious || customer_requests_8d
        }
        External8dTrigger::CustomerRequestOnly => customer_requests_8d,
        External8dTrigger::Always => true,
    }
}
