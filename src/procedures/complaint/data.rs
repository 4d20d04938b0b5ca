//! The instance data of a complaint: the case identity given at opening, and the progress
//! flags the transitions' effects maintain. Forms hold the documents; the data holds what
//! deadlines and guards need across steps.

use crate::ActorId;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// The urgent-handling special approval (特批, `QD-004 §8 (004 L623)`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(default)]
pub struct Urgency {
    /// A request is pending.
    pub requested: bool,
    /// The company leadership signed the special approval.
    pub granted: bool,
    /// Who signed it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub granted_by: Option<ActorId>,
}

/// How a supplier-caused defect is handled (§7.1, `QD-004 §7.1.1, §7.1.2 (004 L600–601)`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum SupplierMode {
    /// Batch defect: meeting and replacement (`QD-004 §7.1.1 (004 L600)`).
    Batch,
    /// Non-batch: material returned, supplier 8D in 2 working days (`QD-004 §7.1.2 (004 L601)`).
    NonBatch,
}

/// The supplier sub-flow's progress.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(default)]
pub struct SupplierTrack {
    /// The current referral.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub referral: Option<SupplierMode>,
    /// The referral was answered (meeting held / supplier 8D received).
    pub handled: bool,
    /// Replacement / replenishment still awaited (换货、补货, `QD-004 §7.1.1 (004 L600)`, `QD-004 §5.2.2.1 (004 L670)`).
    pub replenishment_open: bool,
}

/// Progress of a complaint production run (`QD-004 §5.2.2.5 (004 L666)`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(default)]
pub struct ProductionProgress {
    /// The roles the approved notice was e-mailed to.
    pub emailed_to: Vec<String>,
    /// The BOM was released.
    pub bom_provided: bool,
    /// Production is scheduled.
    pub scheduled: bool,
    /// Production is done.
    pub produced: bool,
}

/// Whether `v` is its type's default (such fields are left out of the stored JSON, and
/// `#[serde(default)]` restores them).
fn is_default<T: Default + PartialEq>(v: &T) -> bool {
    *v == T::default()
}

/// The data of a complaint instance. Fields at their default value are not serialized, so a
/// snapshot stores only what the case has reached.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(default)]
pub struct Data {
    /// The handling-form number.
    pub complaint_no: String,
    /// Domestic or international ADC.
    pub region: ComplaintRegion,
    /// The customer.
    pub customer: String,
    /// The product model.
    pub product_model: String,
    /// The handling form was submitted (the clocks of `QD-004 §8 (004 L623)` started).
    #[serde(skip_serializing_if = "is_default")]
    pub submitted: bool,
    /// The CQE returned the form for revision.
    #[serde(skip_serializing_if = "is_default")]
    pub awaiting_resubmission: bool,
    /// The CQE's verdict.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub verdict: Option<ComplaintVerdict>,
    /// The customer asked for an 8D after intake.
    #[serde(skip_serializing_if = "is_default")]
    pub customer_requests_8d: bool,
    /// Urgent handling.
    #[serde(skip_serializing_if = "is_default")]
    pub urgent: Urgency,
    /// The first reply reached the customer.
    #[serde(skip_serializing_if = "is_default")]
    pub first_reply_sent: bool,
    /// Sign-offs completed for the current requests (action names).
    #[serde(skip_serializing_if = "is_default")]
    pub approved: BTreeSet<String>,
    /// The ADC declined to issue a rework plan.
    #[serde(skip_serializing_if = "is_default")]
    pub rework_declined: bool,
    /// The warehouse issued the requisitioned material.
    #[serde(skip_serializing_if = "is_default")]
    pub material_issued: bool,
    /// Repair material handed to manufacturing.
    #[serde(skip_serializing_if = "is_default")]
    pub repair_material_supplied: bool,
    /// Production progress.
    #[serde(skip_serializing_if = "is_default")]
    pub production: ProductionProgress,
    /// Goods batches ready to ship (inspected, burned in when required).
    #[serde(skip_serializing_if = "is_default")]
    pub goods_ready: u32,
    /// Goods batches shipped.
    #[serde(skip_serializing_if = "is_default")]
    pub goods_shipped: u32,
    /// Supplier sub-flow.
    #[serde(skip_serializing_if = "is_default")]
    pub supplier: SupplierTrack,
    /// The responsible departments submitted their analysis.
    #[serde(skip_serializing_if = "is_default")]
    pub department_analysis_submitted: bool,
    /// A reviewer referred the report to the VP.
    #[serde(skip_serializing_if = "is_default")]
    pub vp_referred: bool,
    /// Times the measures were found ineffective or the case reopened.
    #[serde(skip_serializing_if = "is_default")]
    pub iteration: u32,
    /// Cost lines recorded.
    #[serde(skip_serializing_if = "is_default")]
    pub cost_lines: u32,
    /// Cost lines confirmed (the first `n` recorded).
    #[serde(skip_serializing_if = "is_default")]
    pub cost_lines_confirmed: u32,
    /// Satisfaction records.
    #[serde(skip_serializing_if = "is_default")]
    pub satisfaction_records: u32,
    /// The ledger entry is made.
    #[serde(skip_serializing_if = "is_default")]
    pub ledger_recorded: bool,
    /// Improvement-evidence packages provided by the CQE.
    #[serde(skip_serializing_if = "is_default")]
    pub evidence_provided: u32,
    /// Packages forwarded to the customer by the ADC.
    #[serde(skip_serializing_if = "is_default")]
    pub evidence_forwarded: u32,
}

impl Data {
    /// The data of a complaint opened by an ADC: its number, region, customer and model.
    /// The handling form submitted later must match them.
    pub fn new(
        complaint_no: impl Into<String>,
        region: ComplaintRegion,
        customer: impl Into<String>,
        product_model: impl Into<String>,
    ) -> Self {
        Data {
            complaint_no: complaint_no.into(),
            region,
            customer: customer.into(),
            product_model: product_model.into(),
            ..Data::default()
        }
    }

    /// As the JSON value the engine stores.
    ///
    /// # Errors
    /// The data does not serialize (it always does: plain fields and string-keyed maps).
    pub fn to_value(&self) -> Result<serde_json::Value, serde_json::Error> {
        serde_json::to_value(self)
    }
}

/// Where the complaint comes from: the domestic or the international application design
/// centre (国内/国际应用设计中心, `QD-004 §8 (004 L623)`).
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum ComplaintRegion {
    /// 国内.
    #[default]
    Domestic,
    /// 国际.
    International,
}

impl ComplaintRegion {
    /// `domestic` / `international`.
    pub fn name(self) -> &'static str {
        match self {
            ComplaintRegion::Domestic => "domestic",
            ComplaintRegion::International => "international",
        }
    }
}

/// The CQE's verdict.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ComplaintVerdict {
    /// 检验合格: no defect (the customer misjudged).
    Pass,
    /// 检验不合格.
    Fail,
}
