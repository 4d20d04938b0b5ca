//! Forms of the consumables request: the request itself (《耗材申请单(批量)》), the link to its
//! batch issue, the material-store transfer (《从材料库调拨物料申请表》), and the branch's
//! receipt, consumption, return and write-off records (ours). Each form's `KIND` is the name
//! of its [`FormKind`](super::FormKind); the link to the batch issue and how it is taken are in `forms/batch_link.rs`.

mod batch_link;

pub use batch_link::{BatchLink, link_form, with_batch_link};

use crate::InstanceId;
use crate::TypedForm;
use crate::procedures::consumables::FormKind;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// One requested item.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct RequestLine {
    /// Material code.
    pub item_code: String,
    /// What it is.
    pub description: String,
    /// Quantity requested (> 0).
    pub quantity: u32,
    /// Estimated unit cost in 分.
    pub unit_cost_fen: i64,
}

/// 耗材申请单(批量) — the batch consumables request (`BQ-E §5.3 (000 L666)`, `BQ-E §7 (000 L676)`), drafted by
/// the regional technical-support engineer for a destination branch, linked to the batch
/// issue it serves (`BQ-E §4.5.7 (000 L646)`: consumables needed *because of a batch problem*).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ConsumablesRequest {
    /// The batch-quality instance this request serves.
    pub batch_issue: InstanceId,
    /// The region (区域).
    pub region: String,
    /// The branch company (分公司) the goods go to.
    pub destination_branch: String,
    /// Why: which plan task or units (free text).
    pub purpose: String,
    /// The items.
    pub lines: Vec<RequestLine>,
}

fn unique_items<'a>(codes: impl Iterator<Item = &'a str>) -> Result<(), String> {
    let mut seen = BTreeSet::new();
    for c in codes {
        if c.trim().is_empty() {
            return Err("an item code is empty".into());
        }
        if !seen.insert(c) {
            return Err(format!("item `{c}` is listed twice"));
        }
    }
    Ok(())
}

impl TypedForm for ConsumablesRequest {
    const KIND: &'static str = FormKind::ConsumablesRequest.as_str();

    fn validate(&self) -> Result<(), String> {
        if self.batch_issue.as_str().trim().is_empty() {
            return Err("the linked batch issue is missing".into());
        }
        if self.destination_branch.trim().is_empty() {
            return Err("the destination branch is missing".into());
        }
        if self.purpose.trim().is_empty() {
            return Err("the purpose is empty".into());
        }
        if self.lines.is_empty() {
            return Err("the request has no lines".into());
        }
        unique_items(self.lines.iter().map(|l| l.item_code.as_str()))?;
        for l in &self.lines {
            if l.quantity == 0 {
                return Err(format!("item `{}`: quantity must be positive", l.item_code));
            }
            if l.unit_cost_fen < 0 {
                return Err(format!("item `{}`: negative unit cost", l.item_code));
            }
        }
        Ok(())
    }
}

/// A quantity of one item.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ItemQuantity {
    /// Material code.
    pub item_code: String,
    /// How many.
    pub quantity: u32,
}

/// One issued item with its actual unit cost.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct IssuedLine {
    /// Material code.
    pub item_code: String,
    /// Quantity shipped.
    pub quantity: u32,
    /// Actual unit cost in 分.
    pub unit_cost_fen: i64,
}

/// 从材料库调拨物料申请表 — transfer from the material store (`BQ-E §7 (000 L676)`; fields ours).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct MaterialTransfer {
    /// The issuing store.
    pub from_store: String,
    /// The receiving branch (must be the request's destination).
    pub to_branch: String,
    /// Waybill / tracking number.
    pub waybill: String,
    /// The lines shipped.
    pub lines: Vec<IssuedLine>,
}

impl TypedForm for MaterialTransfer {
    const KIND: &'static str = FormKind::MaterialTransfer.as_str();

    fn validate(&self) -> Result<(), String> {
        if self.from_store.trim().is_empty() || self.to_branch.trim().is_empty() {
            return Err("the store and the branch are required".into());
        }
        if self.lines.is_empty() {
            return Err("nothing is shipped".into());
        }
        unique_items(self.lines.iter().map(|l| l.item_code.as_str()))?;
        match self.lines.iter().find(|l| l.unit_cost_fen < 0) {
            Some(l) => Err(format!("item `{}`: negative unit cost", l.item_code)),
            None => Ok(()),
        }
    }
}

/// One counted item on receipt (ours): `received + short` must equal what was shipped;
/// `damaged` are received but unusable.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct CountedLine {
    /// Material code.
    pub item_code: String,
    /// Received.
    pub received: u32,
    /// Missing from the delivery.
    pub short: u32,
    /// Received damaged (counted in `received`).
    #[serde(default)]
    pub damaged: u32,
}

/// The branch's receipt and count (ours).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ReceiptRecord {
    /// Who counted.
    pub counted_by: String,
    /// Per item.
    pub lines: Vec<CountedLine>,
    /// Required when anything is short or damaged.
    #[serde(default)]
    pub note: String,
}

impl TypedForm for ReceiptRecord {
    const KIND: &'static str = FormKind::ReceiptRecord.as_str();

    fn validate(&self) -> Result<(), String> {
        if self.counted_by.trim().is_empty() {
            return Err("who counted is required".into());
        }
        unique_items(self.lines.iter().map(|l| l.item_code.as_str()))?;
        if let Some(l) = self.lines.iter().find(|l| l.damaged > l.received) {
            return Err(format!(
                "item `{}`: more damaged than received",
                l.item_code
            ));
        }
        if self.lines.iter().any(|l| l.short > 0 || l.damaged > 0) && self.note.trim().is_empty() {
            return Err("a short or damaged delivery needs a note".into());
        }
        Ok(())
    }
}

/// Quantities per item with a reason: consumption reports, returns, write-offs (ours).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct QuantityRecord {
    /// Per item.
    pub lines: Vec<ItemQuantity>,
    /// Why (required for write-offs).
    #[serde(default)]
    pub reason: String,
}

impl QuantityRecord {
    fn check(&self, needs_reason: bool) -> Result<(), String> {
        if self.lines.is_empty() {
            return Err("no lines".into());
        }
        unique_items(self.lines.iter().map(|l| l.item_code.as_str()))?;
        if needs_reason && self.reason.trim().is_empty() {
            return Err("a reason is required".into());
        }
        Ok(())
    }
}

/// Consumption report by the branch (ours).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(transparent)]
pub struct ConsumptionReport(pub QuantityRecord);

impl TypedForm for ConsumptionReport {
    const KIND: &'static str = FormKind::ConsumptionReport.as_str();
    fn validate(&self) -> Result<(), String> {
        self.0.check(false)
    }
}

/// Unused stock returned by the branch (ours; cf. 《分公司返回物料管理规定》, `BQ-E §6 (000 L676)`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(transparent)]
pub struct ReturnRecord(pub QuantityRecord);

impl TypedForm for ReturnRecord {
    const KIND: &'static str = FormKind::ReturnRecord.as_str();
    fn validate(&self) -> Result<(), String> {
        self.0.check(false)
    }
}

/// Stock written off, approved by the regional quality section (ours).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(transparent)]
pub struct WriteOffRecord(pub QuantityRecord);

impl TypedForm for WriteOffRecord {
    const KIND: &'static str = FormKind::WriteOffRecord.as_str();
    fn validate(&self) -> Result<(), String> {
        self.0.check(true)
    }
}

#[cfg(test)]
mod tests {
    use super::super::FormKind;
    use super::*;
    use crate::Vocabulary;

    #[test]
    fn every_form_kind_is_the_kind_of_its_typed_form() {
        let kinds = [
            (FormKind::ConsumablesRequest, ConsumablesRequest::KIND),
            (FormKind::BatchLink, BatchLink::KIND),
            (FormKind::MaterialTransfer, MaterialTransfer::KIND),
            (FormKind::ReceiptRecord, ReceiptRecord::KIND),
            (FormKind::ConsumptionReport, ConsumptionReport::KIND),
            (FormKind::ReturnRecord, ReturnRecord::KIND),
            (FormKind::WriteOffRecord, WriteOffRecord::KIND),
        ];
        assert_eq!(kinds.len(), FormKind::ALL.len());
        for (kind, typed) in kinds {
            assert_eq!(kind.name(), typed);
        }
    }
}
