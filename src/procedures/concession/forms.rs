//! Forms of the concession: the concession form itself (让步使用单, `CONC step 2 (000 L399)`),
//! the handling opinion (处理意见, `CONC step 3 (000 L399)`), the record of the handling and
//! the re-inspection (复检, `CONC step 7 (000 L407)`). Each form's `KIND` is the name of its
//! [`FormKind`](super::FormKind). The fields beyond grade, category and the person
//! responsible (the text ends its list with 等, "etc.") are OURS.

use crate::TypedForm;
use crate::procedures::concession::{FormKind, Grade};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// 问题类别 — the category of the problem (`CONC step 2 (000 L399)`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum DefectCategory {
    /// 设计 — design.
    Design,
    /// 工艺 — process.
    Process,
    /// 加工 — machining.
    Machining,
    /// 设备 — equipment.
    Equipment,
    /// 其他 — other.
    Other,
}

/// Who found the problem (`CONC step 1 (000 L395)`): the inspector, or an operator re-checking
/// before machining — then the inspector confirms it and issues the form.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case", tag = "by")]
pub enum FoundBy {
    /// 检验员 — found in inspection.
    Inspector,
    /// 操作人员 — found by an operator in the re-check before machining (加工前复检).
    Operator {
        /// The operator.
        name: String,
    },
}

/// What kind of third party is involved (`CONC step 5 (000 L401–L403)`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ThirdPartyKind {
    /// 铸件供应商 — the casting supplier (always a third party for a casting defect, `CONC step 5
    /// (000 L403)`).
    CastingSupplier,
    /// Another supplier (OURS: the text's example is the casting supplier only).
    Supplier,
    /// Any other outside unit (第三方单位).
    Other,
}

/// 第三方单位 — a third party involved in the problem, which countersigns (`CONC step 5 (000
/// L401)`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ThirdParty {
    /// The unit's name.
    pub name: String,
    /// What it is.
    pub kind: ThirdPartyKind,
}

/// A casting defect (铸件类缺陷: 夹砂 sand inclusion, 气孔 porosity, …), hard to find before
/// machining (`CONC step 5 (000 L403)`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct CastingDefect {
    /// The casting supplier.
    pub supplier: String,
    /// The defect (free text: 夹砂, 气孔, …).
    pub defect: String,
}

/// The deviation: what the drawing or process asks and what was found (OURS: the text names
/// the form, not its fields beyond grade, category and person responsible).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Deviation {
    /// The characteristic (dimension, surface, material, …).
    pub characteristic: String,
    /// What is specified.
    pub specified: String,
    /// What was found.
    pub actual: String,
}

/// 让步使用单 — the concession form (formerly 回用单), issued by the inspector at once when a
/// problem is found, naming grade, category and the person responsible (`CONC step 2 (000
/// L399)`). The signatures of the approval bind it: a changed grade or quantity invalidates
/// them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ConcessionForm {
    /// Part (or material) number.
    pub part_number: String,
    /// Work order or lot.
    pub lot: String,
    /// Who found it (`CONC step 1 (000 L395)`).
    pub found_by: FoundBy,
    /// 问题等级.
    pub grade: Grade,
    /// 问题类别.
    pub category: DefectCategory,
    /// 责任人 — the person responsible.
    pub responsible: String,
    /// Quantity inspected.
    pub inspected: u32,
    /// Quantity nonconforming, for which the concession is asked (0 < nonconforming ≤
    /// inspected).
    pub nonconforming: u32,
    /// The deviation.
    pub deviation: Deviation,
    /// Why the parts should be used despite it (the need of production; OURS as a field).
    pub justification: String,
    /// A casting defect, if it is one (`CONC step 5 (000 L403)`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub casting: Option<CastingDefect>,
    /// The third party involved, if any (`CONC step 5 (000 L401)`); one per form (limit, see
    /// `docs/procedures/concession.md`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub third_party: Option<ThirdParty>,
}

fn required(what: &str, text: &str) -> Result<(), String> {
    if text.trim().is_empty() {
        return Err(format!("{what} is required"));
    }
    Ok(())
}

impl ConcessionForm {
    /// Whether a third party countersigns (`CONC step 5 (000 L401)`).
    pub fn involves_third_party(&self) -> bool {
        self.third_party.is_some()
    }
}

impl TypedForm for ConcessionForm {
    const KIND: &'static str = FormKind::ConcessionForm.as_str();

    fn validate(&self) -> Result<(), String> {
        required("the part number", &self.part_number)?;
        required("the lot", &self.lot)?;
        required(
            "the person responsible (责任人, CONC step 2 (000 L399))",
            &self.responsible,
        )?;
        required("the justification", &self.justification)?;
        required(
            "the deviation's characteristic",
            &self.deviation.characteristic,
        )?;
        required("the specified value", &self.deviation.specified)?;
        required("the actual value", &self.deviation.actual)?;
        if let FoundBy::Operator { name } = &self.found_by {
            required("the operator's name", name)?;
        }
        if self.nonconforming == 0 {
            return Err("the nonconforming quantity must be positive".into());
        }
        if self.nonconforming > self.inspected {
            return Err(format!(
                "{} nonconforming of {} inspected",
                self.nonconforming, self.inspected
            ));
        }
        if let Some(t) = &self.third_party {
            required("the third party's name", &t.name)?;
        }
        if let Some(c) = &self.casting {
            required("the casting supplier", &c.supplier)?;
            required("the casting defect", &c.defect)?;
            let named = self
                .third_party
                .as_ref()
                .is_some_and(|t| t.kind == ThirdPartyKind::CastingSupplier && t.name == c.supplier);
            if !named {
                return Err(format!(
                    "a casting defect makes the casting supplier `{}` a third party \
                     (CONC step 5 (000 L403))",
                    c.supplier
                ));
            }
        }
        Ok(())
    }
}

/// Who gave the handling opinion (`CONC step 3 (000 L399)`: the technician directly, or the
/// designer or process engineer the technician passes it to).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum HandledBy {
    /// 现场技术员.
    SiteTechnician,
    /// 设计人员.
    Designer,
    /// 工艺人员.
    ProcessEngineer,
}

/// What the opinion proposes (OURS: the text says 处理意见 / 处理方案 only; scrap is its own
/// action, `CONC other handling 1 (000 L409)`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Disposition {
    /// Use as is (让步使用).
    UseAsIs,
    /// Rework to the drawing.
    Rework,
    /// Repair to a usable state.
    Repair,
}

/// 处理意见 — the handling opinion (`CONC step 3 (000 L399)`), approved with the form.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct HandlingOpinion {
    /// Who gave it.
    pub handled_by: HandledBy,
    /// What it proposes.
    pub disposition: Disposition,
    /// The handling plan (处理方案).
    pub plan: String,
}

impl TypedForm for HandlingOpinion {
    const KIND: &'static str = FormKind::HandlingOpinion.as_str();

    fn validate(&self) -> Result<(), String> {
        required("the handling plan", &self.plan)
    }
}

/// What was done, once every formality was complete (`CONC step 7 (000 L407)`; fields OURS).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct HandlingRecord {
    /// What was done.
    pub done: String,
}

impl TypedForm for HandlingRecord {
    const KIND: &'static str = FormKind::HandlingRecord.as_str();

    fn validate(&self) -> Result<(), String> {
        required("what was done", &self.done)
    }
}

/// 复检 — the inspector's re-inspection after handling (`CONC step 7 (000 L407)`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ReinspectionRecord {
    /// Whether the parts passed (合格).
    pub passed: bool,
    /// What was checked or found (required when failed).
    #[serde(default)]
    pub note: String,
}

impl TypedForm for ReinspectionRecord {
    const KIND: &'static str = FormKind::ReinspectionRecord.as_str();

    fn validate(&self) -> Result<(), String> {
        if !self.passed {
            required("a note on a failed re-inspection", &self.note)?;
        }
        Ok(())
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
            (FormKind::ConcessionForm, ConcessionForm::KIND),
            (FormKind::HandlingOpinion, HandlingOpinion::KIND),
            (FormKind::HandlingRecord, HandlingRecord::KIND),
            (FormKind::ReinspectionRecord, ReinspectionRecord::KIND),
        ];
        assert_eq!(kinds.len(), FormKind::ALL.len());
        for (kind, typed) in kinds {
            assert_eq!(kind.name(), typed);
        }
    }
}
