//! The forms of the complaint procedure. Each is a typed form ([`TypedForm`]): its `validate`
//! refuses empty or inconsistent content with a reason.
//!
//! F1–F6 are the related forms of §10 (`QD-004 §10 (004 L630–645)`); the others are ours, each recording a
//! step the seed describes without naming a form.

mod check;
pub mod eight_d;
pub mod outgoing;

use super::config::confidentiality::Statement;
use super::config::severity::MoldFindings;
use super::config::{Config, PartKind};
use super::data::{ComplaintRegion, ComplaintVerdict};
use crate::CostKind;
use crate::TypedForm;
use crate::procedures::complaint::FormKind;
use check::{need, need_some};
use chrono::NaiveDate;
use eight_d::{ActionItem, FiveW1H};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// How the complaint arrived (`QD-004 §5.1 (004 L661)`, `QD-004 §3.1 (004 L583)`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    /// Defective goods returned (不良品退回).
    GoodsReturned,
    /// Phone (电话).
    Phone,
    /// Fax (传真).
    Fax,
    /// Oral (口头).
    Oral,
    /// Written (书面).
    Written,
    /// E-mail (邮件).
    Email,
}

/// Which side of the part a photo shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum PhotoView {
    /// 正面 (front).
    Front,
    /// The defect (不良图片).
    Defect,
    /// Another view.
    Other,
}

/// A photo reference.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Photo {
    /// The view.
    pub view: PhotoView,
    /// File name or URL.
    pub file: String,
}

/// The defect information for a part that is not returned (`QD-004 §5.1 (004 L661)`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct DefectEvidence {
    /// The part.
    pub kind: PartKind,
    /// Its barcode (条形码).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub barcode: Option<String>,
    /// Photos.
    #[serde(default)]
    pub photos: Vec<Photo>,
}

/// 《客诉、客退产品处理单》 (F1, `QD-004 §10 (004 L635)`), the ADC's part: filled by the application design
/// centre and submitted with the schedule order (排产单) and the goods (`QD-004 §5.1 (004 L661)`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ComplaintHandlingForm {
    /// The form number.
    pub no: String,
    /// Domestic or international ADC.
    pub region: ComplaintRegion,
    /// How the complaint arrived.
    pub channel: Channel,
    /// The customer.
    pub customer: String,
    /// The product model.
    pub product_model: String,
    /// Quantity complained about.
    pub quantity: u32,
    /// The schedule order (排产单) reference, submitted with the form (`QD-004 §5.1 (004 L661)`).
    pub schedule_order_ref: String,
    /// The problem (5W1H, `CE-5W1H §1 (002 L9)`).
    pub problem: FiveW1H,
    /// The ADC reports an abnormal product function (provisional severity, §3.7).
    #[serde(default)]
    pub reported_functional_abnormality: bool,
    /// The customer asks for an 8D report (`QD-004 §4.3 (004 L620)`, `QD-004 §5.2.2.8 (004 L651)`).
    #[serde(default)]
    pub customer_requests_8d: bool,
    /// The ADC's proposed solution (`QD-004 §4.1 (004 L664)`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub proposed_solution: Option<String>,
    /// The defective goods are handed over with the form.
    pub goods_returned: bool,
    /// Why not (「若因特殊原因不良部件不退回,需说明原因」, `QD-004 §5.1 (004 L661)`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub not_returned_reason: Option<String>,
    /// Defect information for parts not returned (`QD-004 §5.1 (004 L661)`).
    #[serde(default)]
    pub defective_parts: Vec<DefectEvidence>,
}

impl ComplaintHandlingForm {
    /// Validate with the configured evidence rule: a part kind in
    /// [`Config::barcode_photo_part_kinds`] needs a barcode and a front photo, any other part a
    /// defect photo (`QD-004 §5.1 (004 L661)`).
    ///
    /// # Errors
    /// The first problem.
    pub fn validate_with(&self, cfg: &Config) -> Result<(), String> {
        need(&self.no, "form number")?;
        need(&self.customer, "customer")?;
        need(&self.product_model, "product model")?;
        if self.quantity == 0 {
            return Err("quantity is zero".into());
        }
        need(
            &self.schedule_order_ref,
            "schedule order (排产单) reference",
        )?;
        self.problem.check()?;
        if !self.goods_returned {
            need(
                self.not_returned_reason.as_deref().unwrap_or(""),
                "reason the defective part is not returned (QD-004 §5.1 (004 L661))",
            )?;
            if self.defective_parts.is_empty() {
                return Err(
                    "parts not returned: defect information is required (QD-004 §5.1 (004 L661))"
                        .into(),
                );
            }
            for p in &self.defective_parts {
                let has = |v: PhotoView| {
                    p.photos
                        .iter()
                        .any(|ph| ph.view == v && !ph.file.trim().is_empty())
                };
                if cfg.barcode_photo_part_kinds.contains(&p.kind) {
                    if p.barcode.as_deref().is_none_or(|b| b.trim().is_empty()) {
                        return Err(format!(
                            "{}: the barcode is required (QD-004 §5.1 (004 L661))",
                            p.kind
                        ));
                    }
                    if !has(PhotoView::Front) {
                        return Err(format!(
                            "{}: a front photo is required (QD-004 §5.1 (004 L661))",
                            p.kind
                        ));
                    }
                } else if !has(PhotoView::Defect) {
                    return Err(format!(
                        "{}: a defect photo is required (QD-004 §5.1 (004 L661))",
                        p.kind
                    ));
                }
            }
        }
        Ok(())
    }
}

impl TypedForm for ComplaintHandlingForm {
    const KIND: &'static str = FormKind::HandlingForm.as_str();
    fn validate(&self) -> Result<(), String> {
        self.validate_with(&Config::default())
    }
}

/// What happens to the goods after inspection.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum GoodsDisposition {
    /// Pass: returned to the customer (`QD-004 §5.2.1.1 item 1 (004 L593)`).
    ReturnToCustomer,
    /// Pass, good replacement already sent: back into finished-goods stock (`QD-004 §5.2.1.1 item 2 (004 L649)`).
    Restock,
    /// Pass, nothing was returned (evidence only).
    NoGoodsReturned,
    /// Fail: remediation.
    Remediate,
}

/// How the result was fed back to the ADC (「以电话、邮件等方式反馈」, `QD-004 §5.2.2 (004 L669)`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum FeedbackChannel {
    /// 电话.
    Phone,
    /// 邮件.
    Email,
    /// Other.
    Other(String),
}

/// The feedback record.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Feedback {
    /// Channel.
    pub channel: FeedbackChannel,
    /// Note (who was told what).
    pub note: String,
}

/// 《客诉、客退产品处理单》 (F1), the CQE's part: inspection result, cause analysis and test
/// results (`QD-004 §5.2.1.1 item 1 (004 L593)`, `QD-004 §5.2.2 (004 L669)`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ComplaintInspectionRecord {
    /// Pass or fail.
    pub verdict: ComplaintVerdict,
    /// The inspection result.
    pub inspection_result: String,
    /// Cause analysis (required on fail, `QD-004 §5.2.2 (004 L669)`).
    #[serde(default)]
    pub cause_analysis: String,
    /// Test results (required on fail, `QD-004 §5.2.2 (004 L669)`).
    #[serde(default)]
    pub test_results: String,
    /// Feedback to the ADC (required on fail, `QD-004 §5.2.2 (004 L669)`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub feedback_to_adc: Option<Feedback>,
    /// The product function is abnormal: serious (§3.7, `QD-004 §3.7 (004 L662)`).
    #[serde(default)]
    pub functional_abnormality: bool,
    /// Mould findings for the D1 table (`RET-PC Att. 1 (004 L23–30)`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mold_findings: Option<MoldFindings>,
    /// Failed parts (fail).
    #[serde(default)]
    pub failed_parts: BTreeSet<PartKind>,
    /// What happens to the goods.
    pub goods_disposition: GoodsDisposition,
    /// Pass: what the customer misjudged (for §5.4, `QD-004 §5.4 (004 L602)`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub misjudgment_phenomenon: Option<String>,
}

impl TypedForm for ComplaintInspectionRecord {
    const KIND: &'static str = FormKind::InspectionRecord.as_str();
    fn validate(&self) -> Result<(), String> {
        need(&self.inspection_result, "inspection result")?;
        match self.verdict {
            ComplaintVerdict::Pass => {
                if self.functional_abnormality {
                    return Err("a pass verdict cannot record an abnormal function".into());
                }
                if self.goods_disposition == GoodsDisposition::Remediate {
                    return Err("a pass verdict does not remediate".into());
                }
                need(
                    self.misjudgment_phenomenon.as_deref().unwrap_or(""),
                    "misjudgment phenomenon (QD-004 §5.4 (004 L602))",
                )
            }
            ComplaintVerdict::Fail => {
                need(
                    &self.cause_analysis,
                    "cause analysis (QD-004 §5.2.2 (004 L669))",
                )?;
                need(
                    &self.test_results,
                    "test results (QD-004 §5.2.2 (004 L669))",
                )?;
                match &self.feedback_to_adc {
                    None => {
                        return Err(
                            "feedback to the ADC is not recorded (QD-004 §5.2.2 (004 L669))".into(),
                        );
                    }
                    Some(f) => need(&f.note, "feedback to the ADC")?,
                }
                if self.failed_parts.is_empty() {
                    return Err("a fail verdict names the failed parts".into());
                }
                if self.goods_disposition != GoodsDisposition::Remediate {
                    return Err("a fail verdict remediates".into());
                }
                Ok(())
            }
        }
    }
}

/// Where stock was checked.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum StockLocation {
    /// 在制品 (work in progress).
    Wip,
    /// 未出货 (unshipped finished goods).
    Unshipped,
}

/// One stock check.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct StockCheck {
    /// Where.
    pub location: StockLocation,
    /// The model checked.
    pub model: String,
    /// How many checked.
    pub qty_checked: u32,
    /// How many suspect.
    pub qty_suspect: u32,
}

/// The immediate containment check (§5.3, `QD-004 §5.3 (004 L652)` + `QD-004 §5.3 (004 L587)`): work in progress and unshipped
/// stock of the same model; temporary countermeasures when a similar defect is found.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ContainmentRecord {
    /// The checks.
    pub checks: Vec<StockCheck>,
    /// A similar defect was found.
    pub similar_defect_found: bool,
    /// Temporary countermeasures (临时对策).
    #[serde(default)]
    pub temporary_countermeasures: Vec<ActionItem>,
}

impl TypedForm for ContainmentRecord {
    const KIND: &'static str = FormKind::ContainmentRecord.as_str();
    fn validate(&self) -> Result<(), String> {
        for loc in [StockLocation::Wip, StockLocation::Unshipped] {
            if !self.checks.iter().any(|c| c.location == loc) {
                return Err(format!(
                    "{} of the same model is not checked (QD-004 §5.3 (004 L652))",
                    match loc {
                        StockLocation::Wip => "work in progress",
                        StockLocation::Unshipped => "unshipped stock",
                    }
                ));
            }
        }
        for c in &self.checks {
            need(&c.model, "checked model")?;
            if c.qty_suspect > c.qty_checked {
                return Err("more suspect units than checked units".into());
            }
        }
        let suspect = self.checks.iter().any(|c| c.qty_suspect > 0);
        if suspect && !self.similar_defect_found {
            return Err("suspect units were found: similar_defect_found must be true".into());
        }
        if self.similar_defect_found && self.temporary_countermeasures.is_empty() {
            return Err(
                "similar defect found: a temporary countermeasure is required (QD-004 §5.3 (004 L652, L587))"
                    .into(),
            );
        }
        for a in &self.temporary_countermeasures {
            need(&a.what.text, "countermeasure")?;
            need(&a.owner, "countermeasure owner")?;
        }
        Ok(())
    }
}

/// A request for assistance by e-document (「以电子文件等形式知会各相关部门请求协助」, `QD-004 §5.3.1 (004 L588)`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct AssistanceRequest {
    /// The departments asked.
    pub departments: Vec<String>,
    /// The e-document reference.
    pub e_document_ref: String,
}

impl TypedForm for AssistanceRequest {
    const KIND: &'static str = FormKind::AssistanceRequest.as_str();
    fn validate(&self) -> Result<(), String> {
        need_some(&self.departments, "departments")?;
        need(&self.e_document_ref, "e-document reference")
    }
}

/// A model and quantity.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ItemQty {
    /// Model.
    pub model: String,
    /// Quantity.
    pub qty: u32,
}

fn check_items(items: &[ItemQty]) -> Result<(), String> {
    need_some(items, "items")?;
    for i in items {
        need(&i.model, "item model")?;
        if i.qty == 0 {
            return Err(format!("item `{}` has quantity zero", i.model));
        }
    }
    Ok(())
}

/// 《客诉退料申请单》 (F2, `QD-004 §10 (004 L639)`): the restock request on a pass verdict after a good
/// replacement was sent; the finished-goods store's basis for stocking in (`QD-004 §5.2.1.1 item 2 (004 L649)`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct RestockRequest {
    /// Form number.
    pub no: String,
    /// Items to stock in.
    pub items: Vec<ItemQty>,
    /// A good replacement was already sent to the customer (「已经补发良品给客户的」).
    pub replacement_already_sent: bool,
    /// The lamps can be sold as new; otherwise the salesperson gives a disposal plan.
    pub sellable_as_new: bool,
}

impl TypedForm for RestockRequest {
    const KIND: &'static str = FormKind::RestockRequest.as_str();
    fn validate(&self) -> Result<(), String> {
        need(&self.no, "form number")?;
        check_items(&self.items)?;
        if !self.replacement_already_sent {
            return Err("restock applies only once a good replacement was sent (QD-004 §5.2.1.1 item 2 (004 L649))".into());
        }
        Ok(())
    }
}

/// The salesperson's plan for lamps that cannot be sold as new.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum DisposalPlan {
    /// Sell at a discount.
    Discount,
    /// Use as samples.
    Sample,
    /// Rework.
    Rework,
    /// Scrap.
    Scrap,
    /// Other.
    Other(String),
}

/// The salesperson's disposal plan for whole lamps (「需对应的销售人员给出整灯的处理方案」, `QD-004 §5.2.1.1 item 2 (004 L649)`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct SalesDisposalPlan {
    /// The lamps.
    pub items: Vec<ItemQty>,
    /// The plan.
    pub plan: DisposalPlan,
    /// Details.
    pub details: String,
}

impl TypedForm for SalesDisposalPlan {
    const KIND: &'static str = FormKind::SalesDisposalPlan.as_str();
    fn validate(&self) -> Result<(), String> {
        check_items(&self.items)?;
        if let DisposalPlan::Other(s) = &self.plan {
            need(s, "disposal plan")?;
        }
        need(&self.details, "plan details")
    }
}

/// The ADC's reply to the customer on a pass verdict (`QD-004 §5.2.1.1 item 1 (004 L593)`, `QD-004 §4.6 (004 L596)`): the complaint reply
/// letter (《客户抱怨回复书》, RET-PC §6.2 (004 L22)) of a case that is not the company's fault.
/// What is sent is its filtered rendering ([`report::outgoing_reply`](super::report::outgoing_reply),
/// QD-004 §3.6 (004 L628)).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct CustomerReply {
    /// The explanation given (clearing the customer's doubts), categorised for the filter
    /// (an uncategorised one goes out only when a quality manager released it at
    /// `reply.explanation`).
    pub explanation: Statement,
    /// The return shipment, when the goods go back to the customer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub return_shipment_ref: Option<String>,
}

impl TypedForm for CustomerReply {
    const KIND: &'static str = FormKind::CustomerReply.as_str();
    fn validate(&self) -> Result<(), String> {
        if self.explanation.is_blank() {
            return Err("explanation is missing".into());
        }
        Ok(())
    }
}

/// A referral of a supplier-caused defect (§7.1, `QD-004 §7.1 (004 L599–601)`; power supplies `QD-004 §5.2.2.1 (004 L670)`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct SupplierReferral {
    /// The supplier.
    pub supplier: String,
    /// What part.
    pub part_kind: PartKind,
    /// The quality-agreement clause deciding batch vs non-batch (参照质量协议).
    pub quality_agreement_clause: String,
    /// Non-batch: when the defective material went back to the supplier.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub material_returned_on: Option<NaiveDate>,
}

impl TypedForm for SupplierReferral {
    const KIND: &'static str = FormKind::SupplierReferral.as_str();
    fn validate(&self) -> Result<(), String> {
        need(&self.supplier, "supplier")?;
        need(
            &self.quality_agreement_clause,
            "quality agreement clause (QD-004 §7.1.1, §7.1.2 (004 L600–601))",
        )
    }
}

/// The meeting with the supplier on a batch defect (`QD-004 §7.1.1 (004 L600)`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct SupplierMeeting {
    /// Who attended (the supplier and our staff).
    pub attendees: Vec<String>,
    /// Minutes.
    pub minutes: String,
    /// The solution agreed (replacement, replenishment).
    pub solution: String,
}

impl TypedForm for SupplierMeeting {
    const KIND: &'static str = FormKind::SupplierMeeting.as_str();
    fn validate(&self) -> Result<(), String> {
        if self.attendees.len() < 2 {
            return Err(
                "the meeting needs the supplier and our staff (QD-004 §7.1.1 (004 L600))".into(),
            );
        }
        need(&self.minutes, "minutes")?;
        need(&self.solution, "solution")
    }
}

/// The supplier's 8D and handling plan on a non-batch defect (`QD-004 §7.1.2 (004 L601)`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Supplier8d {
    /// The supplier's 8D report reference.
    pub report_ref: String,
    /// Its root cause.
    pub root_cause: String,
    /// Its concrete handling plan (具体的处理方案).
    pub handling_plan: String,
}

impl TypedForm for Supplier8d {
    const KIND: &'static str = FormKind::Supplier8d.as_str();
    fn validate(&self) -> Result<(), String> {
        need(&self.report_ref, "supplier 8D report")?;
        need(&self.root_cause, "supplier root cause")?;
        need(
            &self.handling_plan,
            "supplier handling plan (QD-004 §7.1.2 (004 L601))",
        )
    }
}

/// The supplier's replacement / replenishment received (换货、补货, `QD-004 §7.1.1 (004 L600)`, `QD-004 §5.2.2.1 (004 L670)`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Replenishment {
    /// Quantity received.
    pub qty: u32,
    /// When.
    pub received_on: NaiveDate,
}

impl TypedForm for Replenishment {
    const KIND: &'static str = FormKind::Replenishment.as_str();
    fn validate(&self) -> Result<(), String> {
        if self.qty == 0 {
            return Err("replenished quantity is zero".into());
        }
        Ok(())
    }
}

/// Who makes the rework plan.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReworkKind {
    /// The ADC's handling plan (「由应用设计中心出具处理方案」, `QD-004 §5.2.2.2 (004 L671)`).
    AdcPlan,
    /// The CQE disassembles and stocks the parts by category (「若无法出具,CQE负责拆卸」).
    CqeDisassembly,
    /// Quality's on-site repair plan, confirmed by the customer through the ADC (`QD-004 §4.5 (004 L595)`).
    OnSite,
}

/// Parts of one category stocked after disassembly.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct PartsCategory {
    /// Category.
    pub category: String,
    /// Quantity.
    pub qty: u32,
}

/// A rework / disassembly / on-site repair plan (`QD-004 §5.2.2.2 (004 L671)`, `QD-004 §6.2.2 (004 L493)`, `QD-004 §4.5 (004 L595)`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ReworkPlan {
    /// Whose plan.
    pub kind: ReworkKind,
    /// Steps.
    #[serde(default)]
    pub steps: Vec<String>,
    /// Disassembly: parts stocked by category.
    #[serde(default)]
    pub parts_by_category: Vec<PartsCategory>,
    /// On-site: the customer's confirmation, obtained through the ADC.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer_confirmation: Option<String>,
}

impl TypedForm for ReworkPlan {
    const KIND: &'static str = FormKind::ReworkPlan.as_str();
    fn validate(&self) -> Result<(), String> {
        match self.kind {
            ReworkKind::AdcPlan => need_some(&self.steps, "plan steps"),
            ReworkKind::CqeDisassembly => need_some(&self.parts_by_category, "parts by category"),
            ReworkKind::OnSite => {
                need_some(&self.steps, "repair steps")?;
                need(
                    self.customer_confirmation.as_deref().unwrap_or(""),
                    "customer confirmation of the on-site plan (QD-004 §4.5 (004 L595))",
                )
            }
        }
    }
}

/// A part number and quantity.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct PartQty {
    /// Part number.
    pub part_no: String,
    /// Quantity.
    pub qty: u32,
}

fn check_parts(items: &[PartQty]) -> Result<(), String> {
    need_some(items, "items")?;
    for i in items {
        need(&i.part_no, "part number")?;
        if i.qty == 0 {
            return Err(format!("part `{}` has quantity zero", i.part_no));
        }
    }
    Ok(())
}

/// 《客诉领料申请单》 (F4, `QD-004 §10 (004 L637)`): material requisition for complaint handling (`QD-004 §5.2.2.4 (004 L659)`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct MaterialRequisition {
    /// Form number.
    pub no: String,
    /// Items.
    pub items: Vec<PartQty>,
    /// The goods involve these parts (power supply / module ⇒ burn-in, `QD-004 §5.2.2.4 (004 L659)`).
    #[serde(default)]
    pub involves: BTreeSet<PartKind>,
    /// A special requirement (特殊要求, `QD-004 §5.2.2.6 (004 L667)`).
    #[serde(default)]
    pub special_requirement: bool,
    /// The CQE's slow-moving stock is insufficient (呆滞物料不足, `QD-004 §5.2.2.6 (004 L667)`).
    #[serde(default)]
    pub slow_stock_insufficient: bool,
}

impl TypedForm for MaterialRequisition {
    const KIND: &'static str = FormKind::MaterialRequisition.as_str();
    fn validate(&self) -> Result<(), String> {
        need(&self.no, "form number")?;
        check_parts(&self.items)
    }
}

/// 《客诉排产通知单》 (F5, `QD-004 §10 (004 L641)`): production notice (`QD-004 §5.2.2.5 (004 L666)`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ProductionNotice {
    /// Form number.
    pub no: String,
    /// Model.
    pub model: String,
    /// Quantity.
    pub qty: u32,
    /// Required date.
    pub required_date: NaiveDate,
    /// The goods involve these parts (burn-in rule).
    #[serde(default)]
    pub involves: BTreeSet<PartKind>,
}

impl TypedForm for ProductionNotice {
    const KIND: &'static str = FormKind::ProductionNotice.as_str();
    fn validate(&self) -> Result<(), String> {
        need(&self.no, "form number")?;
        need(&self.model, "model")?;
        if self.qty == 0 {
            return Err("quantity is zero".into());
        }
        Ok(())
    }
}

/// The BOM released by the strategic design centre (「BOM由战略设计中心提供」, `QD-004 §5.2.2.5 (004 L666)`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct BomRelease {
    /// BOM reference.
    pub bom_ref: String,
}

impl TypedForm for BomRelease {
    const KIND: &'static str = FormKind::BomRelease.as_str();
    fn validate(&self) -> Result<(), String> {
        need(&self.bom_ref, "BOM reference")
    }
}

/// Where repair material comes from (`QD-004 §5.2.2.6 (004 L667)`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum MaterialSource {
    /// The CQE's slow-moving stock (优先使用CQE呆滞库存物料).
    SlowStock,
    /// A 《客诉领料申请单》 submitted with the work liaison.
    Requisition,
}

/// 《工作联系单》 (F3, `QD-004 §10 (004 L643)`): repair by manufacturing (`QD-004 §5.2.2.6 (004 L667)`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct WorkLiaison {
    /// Form number.
    pub no: String,
    /// What to repair and how.
    pub repair_description: String,
    /// Material source.
    pub material_source: MaterialSource,
    /// The goods involve these parts (burn-in rule, `QD-004 §5.2.2.6 (004 L667)`).
    #[serde(default)]
    pub involves: BTreeSet<PartKind>,
    /// Where the copies of the handling form go on the repair path.
    pub copies: CopyRouting,
}

impl TypedForm for WorkLiaison {
    const KIND: &'static str = FormKind::WorkLiaison.as_str();
    fn validate(&self) -> Result<(), String> {
        need(&self.no, "form number")?;
        need(&self.repair_description, "repair description")?;
        self.copies.check()
    }
}

/// The copies of the handling form on the repair path (「红联随客退品一起交生产进行返修。白联交给生管
/// 保存」, RET-PC handling item 1 (004 L19)): the red copy travels with the goods to production,
/// the white copy is filed with production control.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct CopyRouting {
    /// Who received the red copy (红联) with the goods: the production unit doing the repair.
    pub red_with_goods_to: String,
    /// Who files the white copy (白联): production control (生管).
    pub white_filed_with: String,
}

impl CopyRouting {
    /// Both copies are placed (RET-PC handling item 1 (004 L19)).
    ///
    /// # Errors
    /// A copy has no holder.
    pub fn check(&self) -> Result<(), String> {
        need(
            &self.red_with_goods_to,
            "who receives the red copy with the goods (RET-PC item 1 (004 L19))",
        )?;
        need(
            &self.white_filed_with,
            "who files the white copy (RET-PC item 1 (004 L19))",
        )
    }
}

/// Sales' remake order when the goods cannot be repaired (「如客退品无法进行返修时,品质需知会业务,由
/// 业务下单重做」, RET-PC handling item 3 (004 L21)).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct RemakeOrder {
    /// The sales order placed for the remake.
    pub order_ref: String,
    /// How many are remade.
    pub quantity: u32,
    /// Why the goods cannot be repaired (Quality's notice to sales).
    pub not_repairable_because: String,
}

impl TypedForm for RemakeOrder {
    const KIND: &'static str = FormKind::RemakeOrder.as_str();
    fn validate(&self) -> Result<(), String> {
        need(&self.order_ref, "remake order reference")?;
        need(
            &self.not_repairable_because,
            "why the goods cannot be repaired (RET-PC item 3 (004 L21))",
        )?;
        if self.quantity == 0 {
            return Err("remake quantity is zero".into());
        }
        Ok(())
    }
}

/// Why material is scrapped (「因破损、变形等原因不能使用」, `QD-004 §5.2.2.3 (004 L658)`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ScrapReason {
    /// 破损.
    Broken,
    /// 变形.
    Deformed,
    /// Other.
    Other(String),
}

/// One scrapped item.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ScrapItem {
    /// Part number.
    pub part_no: String,
    /// Quantity.
    pub qty: u32,
    /// Reason.
    pub reason: ScrapReason,
}

/// 《报废申请单》 (F6, `QD-004 §10 (004 L645)`), filled by Quality (`QD-004 §9 note 1 (004 L507)`, `QD-004 §9 note 1 (004 L625)`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ScrapRequest {
    /// Form number.
    pub no: String,
    /// Items.
    pub items: Vec<ScrapItem>,
}

impl TypedForm for ScrapRequest {
    const KIND: &'static str = FormKind::ScrapRequest.as_str();
    fn validate(&self) -> Result<(), String> {
        need(&self.no, "form number")?;
        need_some(&self.items, "scrap items")?;
        for i in &self.items {
            need(&i.part_no, "part number")?;
            if i.qty == 0 {
                return Err(format!("scrap item `{}` has quantity zero", i.part_no));
            }
            if let ScrapReason::Other(r) = &i.reason {
                need(r, "scrap reason")?;
            }
        }
        Ok(())
    }
}

/// A shipment of remediated goods to the customer (「检验合格后发货」, `QD-004 §5.2.2.4 (004 L659)`, `QD-004 §5.2.2.5 (004 L666)`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ShipmentRecord {
    /// Courier or delivery note.
    pub courier_ref: String,
    /// Quantity.
    pub qty: u32,
    /// Date.
    pub shipped_on: NaiveDate,
}

impl TypedForm for ShipmentRecord {
    const KIND: &'static str = FormKind::ShipmentRecord.as_str();
    fn validate(&self) -> Result<(), String> {
        need(&self.courier_ref, "courier reference")?;
        if self.qty == 0 {
            return Err("shipped quantity is zero".into());
        }
        Ok(())
    }
}

/// The CQE's escalation to the departments (§5.3.1, `QD-004 §5.3.1 (004 L588)`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct DepartmentEscalation {
    /// Responsible departments named (e.g. 战略设计中心, 制造部, `QD-004 §5.3.2 (004 L589)`).
    pub departments: Vec<String>,
    /// The e-document sent.
    pub e_document_ref: String,
    /// Minutes, when the CQE chaired a meeting (「必要时由CQE主持召开会议」).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub meeting_minutes: Option<String>,
}

impl TypedForm for DepartmentEscalation {
    const KIND: &'static str = FormKind::DepartmentEscalation.as_str();
    fn validate(&self) -> Result<(), String> {
        need_some(&self.departments, "responsible departments")?;
        for d in &self.departments {
            need(d, "department")?;
        }
        need(&self.e_document_ref, "e-document reference")
    }
}

/// A corrective-action plan (`QD-004 §5.3.2 (004 L589)`, `QD-004 §5.3.3 (004 L653)`; `CE-CAPA §2.3 (002 L90–91)`: steps, schedule, owner).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct CorrectiveActionPlan {
    /// The department that wrote it.
    pub department: String,
    /// The cause found.
    pub cause: String,
    /// Steps.
    pub steps: Vec<String>,
    /// Target date.
    pub schedule: NaiveDate,
    /// Owner.
    pub owner: String,
}

impl TypedForm for CorrectiveActionPlan {
    const KIND: &'static str = FormKind::CorrectiveActionPlan.as_str();
    fn validate(&self) -> Result<(), String> {
        need(&self.department, "department")?;
        need(&self.cause, "cause")?;
        need_some(&self.steps, "steps (CE-CAPA §2.3 (002 L91))")?;
        need(&self.owner, "owner (CE-CAPA §2.3 (002 L91))")
    }
}

/// The ledger entry (「登入客诉处置台账并纳入T6系统账」, `QD-004 §9 note 2 (004 L508)`, `QD-004 §9 note 2 (004 L626)`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct LedgerEntry {
    /// Complaint number.
    pub complaint_no: String,
    /// T6 system reference.
    pub t6_ref: String,
    /// Root cause summary.
    pub root_cause_summary: String,
    /// Dispositions taken.
    #[serde(default)]
    pub dispositions: Vec<String>,
}

impl TypedForm for LedgerEntry {
    const KIND: &'static str = FormKind::LedgerEntry.as_str();
    fn validate(&self) -> Result<(), String> {
        need(&self.complaint_no, "complaint number")?;
        need(
            &self.t6_ref,
            "T6 system reference (QD-004 §9 note 2 (004 L508))",
        )?;
        need(&self.root_cause_summary, "root cause summary")
    }
}

/// How satisfaction was asked.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum SatisfactionMethod {
    /// Phone.
    Phone,
    /// Visit.
    Visit,
    /// E-mail.
    Email,
    /// Survey.
    Survey,
}

/// The customer accepted the corrective and preventive plan (「跟进顾客接受情况,若顾客同意该方案,
/// 公司将此措施计划作为以后同类产品改进的依据」, CC-PROC §5.2.2 (004 L480)): the plan becomes the
/// baseline for improving similar products ([`report::baselines`](super::report::baselines)).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct PlanAcceptance {
    /// When the customer accepted it.
    pub accepted_on: NaiveDate,
    /// Who at the customer accepted it, and how (mail, call, signed reply).
    pub accepted_by: String,
    /// The product models the baseline applies to (同类产品), the complaint's own model
    /// included by the report.
    #[serde(default)]
    pub similar_products: Vec<String>,
}

impl TypedForm for PlanAcceptance {
    const KIND: &'static str = FormKind::PlanAcceptance.as_str();
    fn validate(&self) -> Result<(), String> {
        need(&self.accepted_by, "who accepted the plan")?;
        if self.similar_products.iter().any(|p| p.trim().is_empty()) {
            return Err("a similar product is blank".into());
        }
        Ok(())
    }
}

/// The CQE's downgrade of a serious complaint to general (QD-004 §3.7 (004 L662): 「非产品功能问题
/// 的客户投诉为一般客诉」): the finding that the product function is not abnormal after all. It
/// holds until a later inspection record classifies the complaint again.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct SeverityDowngrade {
    /// The finding: why the product function is not abnormal (e.g. the mould defects are
    /// cosmetic, the reported failure was a wiring error).
    pub finding: String,
}

impl TypedForm for SeverityDowngrade {
    const KIND: &'static str = FormKind::SeverityDowngrade.as_str();
    fn validate(&self) -> Result<(), String> {
        need(
            &self.finding,
            "the finding behind the downgrade (QD-004 §3.7)",
        )
    }
}

/// The lowest rating of a satisfaction record (ours).
pub const SATISFACTION_MIN: u8 = 1;
/// The highest rating of a satisfaction record (ours).
pub const SATISFACTION_MAX: u8 = 5;

/// A customer-satisfaction record, written by the ADC on the handling form
/// (「应用设计中心定期跟踪客户对客诉处理的满意度,并填写在《客诉、客退产品处理单》上」, `QD-004 §8 (004 L623)`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct SatisfactionRecord {
    /// When.
    pub date: NaiveDate,
    /// How.
    pub method: SatisfactionMethod,
    /// Rating, 1 (very unhappy) to 5 (very satisfied).
    pub rating: u8,
    /// Comment.
    #[serde(default)]
    pub comment: String,
}

impl TypedForm for SatisfactionRecord {
    const KIND: &'static str = FormKind::SatisfactionRecord.as_str();
    fn validate(&self) -> Result<(), String> {
        if !(SATISFACTION_MIN..=SATISFACTION_MAX).contains(&self.rating) {
            return Err(format!(
                "rating {} is outside {SATISFACTION_MIN}..={SATISFACTION_MAX}",
                self.rating
            ));
        }
        Ok(())
    }
}

/// The re-check of the closure (「处理完成后的1月内再次跟踪异常的关闭情况」, `QD-004 §8 (004 L623)`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ClosureRecheck {
    /// When checked.
    pub checked_on: NaiveDate,
    /// The abnormality is closed.
    pub abnormality_closed: bool,
    /// It recurred.
    pub recurrence_found: bool,
    /// What was checked.
    pub note: String,
}

impl TypedForm for ClosureRecheck {
    const KIND: &'static str = FormKind::ClosureRecheck.as_str();
    fn validate(&self) -> Result<(), String> {
        need(&self.note, "re-check note")
    }
}

/// A request for the company leadership's special approval of urgent handling
/// (「紧急情况下经公司领导特批后可加急处理」, `QD-004 §8 (004 L623)`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct SpecialApprovalRequest {
    /// Why it is urgent.
    pub reason: String,
}

impl TypedForm for SpecialApprovalRequest {
    const KIND: &'static str = FormKind::SpecialApprovalRequest.as_str();
    fn validate(&self) -> Result<(), String> {
        need(&self.reason, "reason for urgency")
    }
}

/// Spare parts sent to the customer (「需要补发维修备品时,品质部根据与应用设计中心的沟通结果快递备品」,
/// `QD-004 §4.4 (004 L621)`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct SparesShipment {
    /// Items.
    pub items: Vec<PartQty>,
    /// Courier reference.
    pub courier_ref: String,
    /// Date.
    pub shipped_on: NaiveDate,
    /// Defectives to come back in exchange.
    pub replaced_qty_due: u32,
    /// The agreement reached with the ADC.
    pub adc_agreement: String,
    /// International: why the defectives need not come back (「根据具体客诉情况确定是否退回」).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub no_return_reason: Option<String>,
}

impl TypedForm for SparesShipment {
    const KIND: &'static str = FormKind::SparesShipment.as_str();
    fn validate(&self) -> Result<(), String> {
        check_parts(&self.items)?;
        need(&self.courier_ref, "courier reference")?;
        need(
            &self.adc_agreement,
            "agreement with the ADC (QD-004 §4.4 (004 L621))",
        )
    }
}

/// Replaced defectives received back (`QD-004 §4.4 (004 L621)`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct DefectivesReturn {
    /// Quantity.
    pub qty: u32,
    /// When.
    pub received_on: NaiveDate,
}

impl TypedForm for DefectivesReturn {
    const KIND: &'static str = FormKind::DefectivesReturn.as_str();
    fn validate(&self) -> Result<(), String> {
        if self.qty == 0 {
            return Err("returned quantity is zero".into());
        }
        Ok(())
    }
}

/// Defectives that will not come back, written off (ours).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct DefectivesWriteOff {
    /// Quantity.
    pub qty: u32,
    /// Why.
    pub reason: String,
}

impl TypedForm for DefectivesWriteOff {
    const KIND: &'static str = FormKind::DefectivesWriteOff.as_str();
    fn validate(&self) -> Result<(), String> {
        if self.qty == 0 {
            return Err("written-off quantity is zero".into());
        }
        need(&self.reason, "reason")
    }
}

/// A cost line recorded on the complaint (rework, scrap, freight, replacement, sorting, ...).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct CostEntry {
    /// What for.
    pub kind: CostKind,
    /// Amount in 分; negative only for a claim received from a supplier.
    pub amount_fen: i64,
    /// What it is.
    pub description: String,
    /// The supplier concerned, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub supplier: Option<String>,
    /// The day the cost was incurred: lines are tallied by month and handed over at the
    /// month's end (SVC-KPI §7 step 8 (001 L4)).
    pub incurred_on: NaiveDate,
    /// The carrier (logistics company) that damaged the goods in transit: it bears the cost,
    /// deducted from its freight (CE-MH §3.1 (002 L458–459)).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub carrier: Option<String>,
}

impl TypedForm for CostEntry {
    const KIND: &'static str = FormKind::CostEntry.as_str();
    fn validate(&self) -> Result<(), String> {
        need(&self.description, "cost description")?;
        if let Some(c) = &self.carrier {
            need(c, "carrier name")?;
            if self.kind == CostKind::ClaimReceived {
                return Err(
                    "a supplier claim is not borne by a carrier (CE-MH §3.1 (002 L459))".into(),
                );
            }
        }
        let ok = match self.kind {
            CostKind::ClaimReceived => self.amount_fen <= 0,
            _ => self.amount_fen >= 0,
        };
        if !ok {
            return Err(format!(
                "{:?} cost of {} fen has the wrong sign",
                self.kind, self.amount_fen
            ));
        }
        Ok(())
    }
}

/// Improvement evidence for the customer (「如客户需要提供改善证据时由CQE提供给应用设计中心,再由应用设计中心
/// 提供给客户」, `QD-004 §8 (004 L623)`), filtered like any outgoing report (`QD-004 §3.6 (004 L628)`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ImprovementEvidence {
    /// The evidence, each statement classified.
    pub statements: Vec<Statement>,
}

impl TypedForm for ImprovementEvidence {
    const KIND: &'static str = FormKind::ImprovementEvidence.as_str();
    fn validate(&self) -> Result<(), String> {
        need_some(&self.statements, "evidence")?;
        if self.statements.iter().any(Statement::is_blank) {
            return Err("an evidence statement is empty".into());
        }
        Ok(())
    }
}

/// Parts processed and returned to the warehouse (「若物料经处理可以再次使用,由相关部门处理好后退入仓库」,
/// `QD-004 §5.2.2.3 (004 L658)`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct PartsReturn {
    /// Items.
    pub items: Vec<PartQty>,
    /// The warehouse receipt.
    pub receipt_ref: String,
}

impl TypedForm for PartsReturn {
    const KIND: &'static str = FormKind::PartsReturn.as_str();
    fn validate(&self) -> Result<(), String> {
        check_parts(&self.items)?;
        need(&self.receipt_ref, "warehouse receipt")
    }
}
