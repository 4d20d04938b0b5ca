//! The documents of the procedure, as typed forms. Forms that carry the same data are merged:
//! one handling form (《客诉、客退产品处理单》, D1's 《客诉产品处理单》), one inspection record
//! for the first inspection and the re-inspection after rework, one negotiation record for
//! the three outcomes, one ship-back record for every return to the customer.

use crate::TypedForm;
use crate::procedures::customer_return::FormKind;
use chrono::{DateTime, NaiveDate, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

fn need(text: &str, what: &str) -> Result<(), String> {
    if text.trim().is_empty() {
        Err(format!("{what} is empty"))
    } else {
        Ok(())
    }
}

/// 退货通知: the return (or loan return) announced to production control (RET-PC step 2; RET-HRS (004 L9, L400)).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ReturnNotice {
    /// Units the customer returns.
    pub returned_qty: u32,
    /// Material name and part number (物料名-料号, RET-HRS (004 L400)).
    pub material: String,
    /// Defect phenomenon or return reason (不良现象 / 退货原因).
    pub reason: String,
    /// The customer's provisional request (客户暂定要求, RET-HRS (004 L400)).
    #[serde(default)]
    pub customer_request: String,
    /// The handling and ship times promised to a dealer on the complaint day, with the
    /// policy statement (RF-PROP §4.2 item 1 (004 L62)): required when a dealer asks for a
    /// replacement.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dealer_commitment: Option<DealerCommitment>,
}

impl TypedForm for ReturnNotice {
    const KIND: &'static str = FormKind::ReturnNotice.as_str();
    fn validate(&self) -> Result<(), String> {
        if self.returned_qty == 0 {
            return Err("the returned quantity is zero".into());
        }
        need(&self.material, "the material")?;
        need(&self.reason, "the return reason")?;
        if let Some(c) = &self.dealer_commitment {
            c.validate()?;
        }
        Ok(())
    }
}

/// 《退货表》 and the back-at-factory date: goods collected from the logistics depot
/// (RET-PROC §5.8 (004 L144)).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct FactoryArrival {
    /// The 《退货表》 number filled in by customer service.
    pub return_form_no: String,
    /// The depot the goods were collected from.
    pub depot: String,
}

impl TypedForm for FactoryArrival {
    const KIND: &'static str = FormKind::FactoryArrival.as_str();
    fn validate(&self) -> Result<(), String> {
        need(&self.return_form_no, "the return form number")?;
        need(&self.depot, "the depot")
    }
}

/// 点收 and 维修单号: production control receives and counts the goods (RET-PC step 1, step 2; RET-PMC (004 L8, L9, L539)) and
/// isolates and labels them (RET-CTRL §3.5 (004 L284)).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ReceiptRecord {
    /// The repair order number production control assigns (定维修单号, RET-PC step 1 (004 L8)).
    pub repair_order_no: String,
    /// Units counted.
    pub received_qty: u32,
    /// Isolated and labelled (隔离、标识, RET-CTRL §3.5 (004 L284)).
    pub isolated_and_labelled: bool,
    /// Why the count differs from the notice, when it does.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub discrepancy_note: Option<String>,
}

impl TypedForm for ReceiptRecord {
    const KIND: &'static str = FormKind::ReceiptRecord.as_str();
    fn validate(&self) -> Result<(), String> {
        need(&self.repair_order_no, "the repair order number")?;
        if self.received_qty == 0 {
            return Err("the received quantity is zero".into());
        }
        if let Some(n) = &self.discrepancy_note {
            need(n, "the discrepancy note")?;
        }
        Ok(())
    }
}

/// 《客诉、客退产品处理单》: the handling form the design center submits to the CQE with the
/// goods and the 排产单 (QD-004 §6.1 (004 L604); D1: 《客诉产品处理单》, RET-PC step 1 (004 L8)).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ReturnHandlingForm {
    /// The repair order number from the receipt (RET-PC step 1 (004 L8)).
    pub repair_order_no: String,
    /// Product name (产品名称).
    pub product: String,
    /// Defect or return reason (客诉不良原因).
    pub defect_reason: String,
    /// Delivery date (交期).
    pub due_date: NaiveDate,
    /// The production schedule order (排产单) submitted with the goods (QD-004 §6.1 (004 L604)).
    pub schedule_order_ref: String,
}

impl TypedForm for ReturnHandlingForm {
    const KIND: &'static str = FormKind::HandlingForm.as_str();
    fn validate(&self) -> Result<(), String> {
        need(&self.repair_order_no, "the repair order number")?;
        need(&self.product, "the product")?;
        need(&self.defect_reason, "the defect reason")?;
        need(&self.schedule_order_ref, "the schedule order (排产单)")
    }
}

/// The CQE's first classification (分类并区分责任, RET-HRS (004 L397)).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    /// Appearance only.
    Appearance,
    /// Function.
    Function,
    /// Power supply (电源).
    PowerSupply,
    /// LED module (模组).
    Module,
    /// No defect found.
    NoDefect,
}

/// The CQE's first classification of the returned goods (RET-HRS (004 L397, L368)).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Classification {
    /// The category.
    pub category: Category,
    /// The preliminary cause.
    pub preliminary_cause: String,
}

impl TypedForm for Classification {
    const KIND: &'static str = FormKind::Classification.as_str();
    fn validate(&self) -> Result<(), String> {
        need(&self.preliminary_cause, "the preliminary cause")
    }
}

/// Pass or fail.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum InspectionResult {
    /// 检验合格 (QD-004 §6.2.1 (004 L492)).
    Pass,
    /// 检验不合格 (QD-004 §6.2.2 (004 L493)).
    Fail,
}

/// The CQE's inspection record (返品检验报告), written on the handling form (QD-004 §6.2 (004 L491–493),
/// QD-004 §5.2.2 (004 L510)); also the re-inspection after rework (CC-PROC §5.2.5 (004 L486) c).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ReturnInspectionRecord {
    /// Pass or fail.
    pub result: InspectionResult,
    /// Cause analysis and test results (原因分析及检测结果, QD-004 §5.2.2 (004 L510)).
    pub findings: String,
    /// The goods contain a power supply or a module (aging after repair, QD-004 §5.2.2.4, §5.2.2.6 (004 L659, L667)).
    pub involves_power_supply_or_module: bool,
    /// The result is marked on the outer carton (判断结果标示在退货产品外包装, RET-PROC §5.8 (004 L144)).
    pub carton_marked: bool,
}

impl TypedForm for ReturnInspectionRecord {
    const KIND: &'static str = FormKind::InspectionRecord.as_str();
    fn validate(&self) -> Result<(), String> {
        need(&self.findings, "the findings")?;
        if !self.carton_marked {
            return Err(
                "the result must be marked on the outer carton (RET-PROC §5.8 (004 L144))".into(),
            );
        }
        Ok(())
    }
}

/// Who or what caused the return: the responsibility categories of RET-PROC; RET-PC handling item 2; RF-PROP §3 (004 L146–150, L20, L50),
/// QD-004 §3.2, §3.3 (004 L584–585), QD-004 §5.4 (004 L602).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "cause", rename_all = "snake_case")]
pub enum Cause {
    /// 物流不当 (储存、搬运、装卸) by the dealer (RET-PROC §4.1 (004 L147)).
    DealerLogistics,
    /// 安装不当: damage, dents, cracks, scratches (RET-PROC §4.1 (004 L147)).
    DealerInstallation,
    /// 使用不当 (RET-PROC §4.1 (004 L147)).
    Misuse,
    /// 无故退货: return without cause (RF-PROP §3 (004 L50)).
    NoCauseReturn,
    /// 客户的责任 (RET-PC handling item 2 (004 L20)).
    CustomerCaused,
    /// 非产品质量因素: the 客退 default (QD-004 §3.2 (004 L584)).
    NonQualityReturn,
    /// 客户需求变更 (客换, QD-004 §3.3 (004 L585)).
    CustomerNeedChanged,
    /// 客户误判: the customer misjudged a good product (QD-004 §5.4 (004 L602)).
    CustomerMisjudgment {
        /// The same customer misjudged before: the cost goes to selling expense.
        repeat: bool,
    },
    /// 质检员错检、漏检 (RET-PROC §4.2 (004 L148)).
    QualityInspection,
    /// 工艺原因 (RET-PROC §4.3 (004 L149)).
    Process,
    /// 应用设计中心沟通不到位 (客换, QD-004 §3.3 (004 L585)).
    AdcMiscommunication,
    /// 原材料质量问题: the supplier (RET-PROC §5.6; QD-004 §7.1 (004 L150, L599–601)).
    Supplier {
        /// A batch problem per the quality agreement (QD-004 §7.1.1, §7.1.2 (004 L600–601)).
        batch: bool,
    },
    /// Nobody is at fault: a loan that came back intact (ours).
    NoFault,
}

/// Where the damage happened (RET-PROC §5.6 (004 L150) excludes production, warehouse and transport damage
/// from supplier claims).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum DamageOrigin {
    /// Raw material as delivered.
    Material,
    /// In production (生产).
    Production,
    /// In the warehouse (仓库).
    Warehouse,
    /// In transport (运输).
    Transport,
    /// At the customer or dealer.
    Customer,
}

/// Quality's verdict on the goods (RET-PC §4.2.2, handling item 4 (004 L16, L31)).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReturnVerdict {
    /// 销退品: the goods come back to our stock.
    SalesReturn,
    /// 帮修品: we repair the customer's goods and send them back.
    RepairForCustomer,
    /// 只退不补品: returned, not replenished (RET-PC handling item 4 (004 L31)).
    ReturnOnly,
}

/// The responsibility judgement (责任判定), drafted by the CQE and approved by the quality
/// manager (RET-PC step 3, §4.2.2; RET-PROC (004 L12, L16, L146–150)).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ResponsibilityJudgement {
    /// The cause.
    pub cause: Cause,
    /// The verdict.
    pub verdict: ReturnVerdict,
    /// Where the damage happened, if known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub damage_origin: Option<DamageOrigin>,
    /// Responsible unit (责任单位, RET-PC handling item 1 (004 L19)).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub responsible_unit: Option<String>,
    /// Responsible person (责任人, RET-PC handling item 4 (004 L31)).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub responsible_person: Option<String>,
    /// The evidence.
    pub evidence: String,
}

impl TypedForm for ResponsibilityJudgement {
    const KIND: &'static str = FormKind::ResponsibilityJudgement.as_str();
    fn validate(&self) -> Result<(), String> {
        need(&self.evidence, "the evidence")?;
        if let Cause::Supplier { .. } = self.cause {
            if matches!(
                self.damage_origin,
                Some(DamageOrigin::Production | DamageOrigin::Warehouse | DamageOrigin::Transport)
            ) {
                return Err(
                    "damage in production, the warehouse or transport is not a supplier \
                            cause (RET-PROC §5.6 (004 L150))"
                        .into(),
                );
            }
        }
        if matches!(
            self.cause,
            Cause::QualityInspection | Cause::Process | Cause::AdcMiscommunication
        ) && self
            .responsible_unit
            .as_deref()
            .is_none_or(|u| u.trim().is_empty())
        {
            return Err("an internal cause names the responsible unit (责任单位, RET-PC handling item 1 (004 L19))".into());
        }
        if self.verdict == ReturnVerdict::ReturnOnly
            && self
                .responsible_person
                .as_deref()
                .is_none_or(|p| p.trim().is_empty())
        {
            return Err("return-only goods name the responsible person (责任人, RET-PC handling item 4 (004 L31))".into());
        }
        Ok(())
    }
}

/// What sales agreed with the customer (RET-PC handling item 2, step 4 (004 L20, L34)).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum NegotiationOutcome {
    /// We repair the goods for the customer (返修), for this fee.
    RepairForCustomer {
        /// Agreed fee in 分 (0: free).
        fee_fen: i64,
    },
    /// We accept the return as the customer claimed it (needs the GM office, RET-PMC (004 L545–546)).
    AcceptReturn {
        /// How the goods are accepted.
        accepted_as: AcceptedAs,
    },
    /// The customer takes the goods back as they are.
    CustomerTakesBack,
}

/// How a disputed return is accepted.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum AcceptedAs {
    /// As a sales return (销退品).
    SalesReturn,
    /// As return-only goods (只退不补品).
    ReturnOnly,
}

/// Sales' record of the negotiation with the customer (返修及付费事宜, RET-PC handling item 2, step 4 (004 L20, L34)).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct NegotiationRecord {
    /// The outcome.
    pub outcome: NegotiationOutcome,
    /// The customer's agreement (who, when, how).
    pub customer_agreement: String,
}

impl TypedForm for NegotiationRecord {
    const KIND: &'static str = FormKind::NegotiationRecord.as_str();
    fn validate(&self) -> Result<(), String> {
        need(&self.customer_agreement, "the customer's agreement")?;
        if let NegotiationOutcome::RepairForCustomer { fee_fen } = self.outcome {
            if fee_fen < 0 {
                return Err("a repair fee is never negative".into());
            }
        }
        Ok(())
    }
}

/// The design center's handling plan for rework (处理方案 / 返工方案, QD-004 §6.2.2; RET-PMC (004 L493, L532)).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ReworkPlan {
    /// The rework flow (返工流程).
    pub flow: Vec<String>,
    /// The materials needed (所需材料).
    pub materials: Vec<String>,
}

impl TypedForm for ReworkPlan {
    const KIND: &'static str = FormKind::ReworkPlan.as_str();
    fn validate(&self) -> Result<(), String> {
        if self.flow.iter().all(|s| s.trim().is_empty()) {
            return Err("the plan lists its rework flow (RET-PMC (004 L532))".into());
        }
        if self.materials.iter().all(|s| s.trim().is_empty()) {
            return Err("the plan lists the materials needed (RET-PMC (004 L532))".into());
        }
        Ok(())
    }
}

/// Where the rework material comes from (QD-004 §5.2.2.6 (004 L667)).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "source", rename_all = "snake_case")]
pub enum MaterialSource {
    /// The CQE's slow-moving stock (优先使用CQE呆滞库存物料).
    CqeSlowStock,
    /// A 《客诉领料申请单》: only for a special requirement or a shortage.
    Requisition {
        /// The special requirement or the shortage.
        reason: String,
        /// The requisition number.
        requisition_no: String,
    },
}

/// 《工作联系单》: the work liaison form sending the rework to manufacturing (QD-004 §5.2.2.6 (004 L667)).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct WorkLiaisonForm {
    /// What manufacturing is asked to do.
    pub request: String,
    /// Material source.
    pub material: MaterialSource,
}

impl TypedForm for WorkLiaisonForm {
    const KIND: &'static str = FormKind::WorkLiaisonForm.as_str();
    fn validate(&self) -> Result<(), String> {
        need(&self.request, "the request")?;
        if let MaterialSource::Requisition {
            reason,
            requisition_no,
        } = &self.material
        {
            need(
                reason,
                "the reason for not using the CQE's slow-moving stock (QD-004 §5.2.2.6 (004 L667))",
            )?;
            need(requisition_no, "the requisition number")?;
        }
        Ok(())
    }
}

/// 返修品处理报告: manufacturing's report on the repaired goods (RET-HRS; QD-004 §5.2.2.6 (004 L371, L667)).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ReworkReport {
    /// What was done.
    pub work_done: String,
    /// Manufacturing's own inspection passed (检验合格好后交由CQE, QD-004 §5.2.2.6 (004 L667)).
    pub workshop_inspection_passed: bool,
}

impl TypedForm for ReworkReport {
    const KIND: &'static str = FormKind::ReworkReport.as_str();
    fn validate(&self) -> Result<(), String> {
        need(&self.work_done, "the work done")?;
        if !self.workshop_inspection_passed {
            return Err(
                "manufacturing hands over only goods that passed its own inspection \
                        (QD-004 §5.2.2.6 (004 L667))"
                    .into(),
            );
        }
        Ok(())
    }
}

/// Aging of repaired power supplies and modules (老化, QD-004 §5.2.2.4, §5.2.2.6 (004 L659, L667)).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct AgingRecord {
    /// Hours aged, per the normal order flow.
    pub hours: u32,
    /// Passed.
    pub passed: bool,
}

impl TypedForm for AgingRecord {
    const KIND: &'static str = FormKind::AgingRecord.as_str();
    fn validate(&self) -> Result<(), String> {
        if self.hours == 0 {
            return Err("aging lasts at least an hour".into());
        }
        if !self.passed {
            return Err("a failed aging is a failed re-inspection: reject the rework".into());
        }
        Ok(())
    }
}

/// One group of disassembled parts.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Part {
    /// Part name.
    pub name: String,
    /// Quantity.
    pub qty: u32,
    /// Reusable after processing (经处理可以再次使用).
    pub reusable: bool,
    /// Why not reusable (破损、变形, QD-004 §6.2.2 (004 L493)).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// The CQE's disassembly record: parts sorted into reusable and unusable (QD-004 §6.2.2; RET-PMC (004 L493, L532)).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct DisassemblyRecord {
    /// The parts.
    pub parts: Vec<Part>,
}

impl DisassemblyRecord {
    /// Total reusable quantity.
    pub fn reusable_qty(&self) -> u64 {
        self.parts
            .iter()
            .filter(|p| p.reusable)
            .fold(0u64, |n, p| n.saturating_add(u64::from(p.qty)))
    }
    /// Total unusable quantity.
    pub fn unusable_qty(&self) -> u64 {
        self.parts
            .iter()
            .filter(|p| !p.reusable)
            .fold(0u64, |n, p| n.saturating_add(u64::from(p.qty)))
    }
}

impl TypedForm for DisassemblyRecord {
    const KIND: &'static str = FormKind::DisassemblyRecord.as_str();
    fn validate(&self) -> Result<(), String> {
        if self.parts.is_empty() {
            return Err("the record lists the parts".into());
        }
        for p in &self.parts {
            need(&p.name, "a part name")?;
            if p.qty == 0 {
                return Err(format!("part `{}` has quantity zero", p.name));
            }
            if !p.reusable && p.reason.as_deref().is_none_or(|r| r.trim().is_empty()) {
                return Err(format!(
                    "unusable part `{}` needs a reason (破损、变形, QD-004 §6.2.2 (004 L493))",
                    p.name
                ));
            }
        }
        Ok(())
    }
}

/// 零部件分类入库: reusable parts returned to stock after QC (QD-004 §6.2.2, §5.2.2.3; RET-PMC (004 L493, L526, L658)).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct PartsStockIn {
    /// Quantity stocked.
    pub qty: u32,
    /// Passed quality inspection (经品质检验合格后入库, RET-PMC (004 L526)).
    pub qc_passed: bool,
}

impl TypedForm for PartsStockIn {
    const KIND: &'static str = FormKind::PartsStockIn.as_str();
    fn validate(&self) -> Result<(), String> {
        if self.qty == 0 {
            return Err("nothing to stock".into());
        }
        if !self.qc_passed {
            return Err("parts are stocked only after passing QC (RET-PMC (004 L526))".into());
        }
        Ok(())
    }
}

/// What a scrap application comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ScrapOrigin {
    /// Unusable parts after disassembly (QD-004 §6.2.2 (004 L493)).
    Disassembly,
    /// Whole lamps under sales' disposal plan (QD-004 §6.2.1; RET-PROC §5.10 (004 L492, L152)).
    DisposalPlan,
}

/// 《报废申请单》 filed by quality (QD-004 §9 note 1 (004 L507)).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ScrapApplication {
    /// Where it comes from.
    pub origin: ScrapOrigin,
    /// Quantity to scrap.
    pub qty: u32,
    /// Why.
    pub reason: String,
}

impl TypedForm for ScrapApplication {
    const KIND: &'static str = FormKind::ScrapApplication.as_str();
    fn validate(&self) -> Result<(), String> {
        if self.qty == 0 {
            return Err("nothing to scrap".into());
        }
        need(&self.reason, "the reason")
    }
}

/// 《客诉退料申请单》: the restock application, the finished-goods store's basis for stock-in
/// (成品库入库依据, QD-004 §6.2.1, §5.2.1.1 item 2 (004 L492, L649)).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct RestockApplication {
    /// Quantity to restock.
    pub qty: u32,
    /// Can be sold as a new product (QD-004 §6.2.1 (004 L492): otherwise sales gives a disposal plan).
    pub sellable_as_new: bool,
}

impl TypedForm for RestockApplication {
    const KIND: &'static str = FormKind::RestockApplication.as_str();
    fn validate(&self) -> Result<(), String> {
        if self.qty == 0 {
            return Err("nothing to restock".into());
        }
        Ok(())
    }
}

/// Sales' disposal plan for a lamp that cannot be sold as new (整灯处理方案, QD-004 §6.2.1 (004 L492)).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "plan", rename_all = "snake_case")]
pub enum Disposal {
    /// Sell off (变卖), needs the GM office (RET-PROC §5.10 (004 L152)).
    SaleOff {
        /// Price in 分.
        price_fen: i64,
    },
    /// Scrap (报废), through the scrap chain (RET-PROC §5.10; QD-004 §9 note 1 (004 L152, L507)).
    Scrap,
    /// Rework, through the design center's plan (QD-004 §6.2.2 (004 L493)).
    Rework,
}

/// 整灯处理方案: the account salesperson's disposal plan (QD-004 §6.2.1, §5.2.1.1 item 2 (004 L492, L649)).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct DisposalPlan {
    /// The plan.
    pub disposal: Disposal,
    /// Quantity.
    pub qty: u32,
}

impl TypedForm for DisposalPlan {
    const KIND: &'static str = FormKind::DisposalPlan.as_str();
    fn validate(&self) -> Result<(), String> {
        if self.qty == 0 {
            return Err("the plan covers no units".into());
        }
        if let Disposal::SaleOff { price_fen } = self.disposal {
            if price_fen <= 0 {
                return Err("a sale-off names its price".into());
            }
        }
        Ok(())
    }
}

/// Production's check whether return-only goods can serve existing orders (RET-PC handling item 4 (004 L31)).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ReuseCheck {
    /// Orders the goods can be used for (empty: none).
    pub usable_for_orders: Vec<String>,
    /// Who in production checked.
    pub checked_by: String,
}

impl TypedForm for ReuseCheck {
    const KIND: &'static str = FormKind::ReuseCheck.as_str();
    fn validate(&self) -> Result<(), String> {
        need(&self.checked_by, "who checked")
    }
}

/// 入呆滞品仓并登记: return-only goods into slow-moving stock, red copy with the goods,
/// white copy to production control (RET-PC handling item 4 (004 L31)).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct SlowMovingEntry {
    /// Store location.
    pub location: String,
    /// Quantity.
    pub qty: u32,
    /// The red copy of the handling form travels with the goods (红联随货).
    pub red_copy_with_goods: bool,
    /// The white copy went to production control (白联交给生管部).
    pub white_copy_to_production_control: bool,
}

impl TypedForm for SlowMovingEntry {
    const KIND: &'static str = FormKind::SlowMovingEntry.as_str();
    fn validate(&self) -> Result<(), String> {
        need(&self.location, "the location")?;
        if !(self.red_copy_with_goods && self.white_copy_to_production_control) {
            return Err(
                "red copy with the goods, white copy to production control (RET-PC handling item 4 (004 L31))".into(),
            );
        }
        Ok(())
    }
}

/// Goods shipped back to the customer (帮修品 after repair, or taken back as they are).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ShipBackRecord {
    /// Waybill.
    pub waybill: String,
    /// Quantity.
    pub qty: u32,
}

impl TypedForm for ShipBackRecord {
    const KIND: &'static str = FormKind::ShipBackRecord.as_str();
    fn validate(&self) -> Result<(), String> {
        need(&self.waybill, "the waybill")?;
        if self.qty == 0 {
            return Err("nothing shipped back".into());
        }
        Ok(())
    }
}

/// What customer service promised a dealer on the day of the complaint (RF-PROP §4.2 item 1 (004 L62)).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct DealerCommitment {
    /// Promised handling time (处理时间).
    pub handling_time: String,
    /// Promised shipping time (发货时间).
    pub ship_time: String,
    /// The dealer was told the 「先补发,再追究」 principle.
    pub policy_statement_given: bool,
    /// The dealer was told a dealer-caused damage is deducted from its account.
    pub deduction_warning_given: bool,
}

impl DealerCommitment {
    /// Check the commitment: both times given, the policy and the deduction rule told
    /// (RF-PROP §4.2 item 1 (004 L62)).
    ///
    /// # Errors
    /// The first problem, in words.
    pub fn validate(&self) -> Result<(), String> {
        need(&self.handling_time, "the handling time")?;
        need(&self.ship_time, "the ship time")?;
        if !(self.policy_statement_given && self.deduction_warning_given) {
            return Err(
                "the dealer is told 「先补发,再追究」 and the deduction rule the same \
                        day (RF-PROP §4.2 item 1 (004 L62))"
                    .into(),
            );
        }
        Ok(())
    }
}

/// 补发申请: the replacement request (RF-PROP §3, §4.2 item 1; RET-HRS (004 L48, L60, L367)).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ReplacementRequest {
    /// Units to replace: the returned quantity (平数补货, RET-HRS (004 L367)).
    pub qty: u32,
    /// The customer's special requirement allowing another quantity (客户特别要求除外).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub special_requirement: Option<String>,
    /// The defect was triggered on the customer's line (客户上线引发的不良).
    #[serde(default)]
    pub customer_line_defect: bool,
    /// The customer acknowledged it in advance (提前告知客户已取得客户认可, RET-HRS (004 L367)).
    #[serde(default)]
    pub customer_ack: bool,
    /// What was promised to a dealer (RF-PROP §4.2 item 1 (004 L62)).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dealer_commitment: Option<DealerCommitment>,
}

impl TypedForm for ReplacementRequest {
    const KIND: &'static str = FormKind::ReplacementRequest.as_str();
    fn validate(&self) -> Result<(), String> {
        if self.qty == 0 {
            return Err("the replacement quantity is zero".into());
        }
        if let Some(s) = &self.special_requirement {
            need(s, "the special requirement")?;
        }
        if self.customer_line_defect && !self.customer_ack {
            return Err("a defect from the customer's line needs the customer's \
                        acknowledgement first (RET-HRS (004 L367))"
                .into());
        }
        if let Some(c) = &self.dealer_commitment {
            c.validate()?;
        }
        Ok(())
    }
}

/// Where the replacement comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReplacementSource {
    /// From stock.
    Stock,
    /// Produced (定单生产, RF-PROP §4.1 (004 L58)).
    Production,
}

/// 补货单: production and logistics told the same day (RF-PROP §4.2 item 1 (004 L60)).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ReplacementOrder {
    /// The order reference.
    pub order_ref: String,
    /// Stock or production.
    pub source: ReplacementSource,
    /// Production (生产厂) was told.
    pub production_notified: bool,
    /// Logistics (物流部) was told.
    pub logistics_notified: bool,
    /// Value of the replacement in 分 (a cost line; recovered by a dealer debit).
    pub value_fen: i64,
}

impl TypedForm for ReplacementOrder {
    const KIND: &'static str = FormKind::ReplacementOrder.as_str();
    fn validate(&self) -> Result<(), String> {
        need(&self.order_ref, "the order reference")?;
        if !self.logistics_notified
            || (self.source == ReplacementSource::Production && !self.production_notified)
        {
            return Err(
                "production and logistics are told at once (RF-PROP §4.2 item 1 (004 L60))".into(),
            );
        }
        if self.value_fen < 0 {
            return Err("the value is never negative".into());
        }
        Ok(())
    }
}

/// The arrival date promised to the customer (承诺到货时间, RF-PROP §4.2 item 1 处理时间 (004 L64–67)).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ArrivalPromise {
    /// The promised arrival.
    pub promised_arrival: DateTime<Utc>,
}

impl TypedForm for ArrivalPromise {
    const KIND: &'static str = FormKind::ArrivalPromise.as_str();
    fn validate(&self) -> Result<(), String> {
        Ok(())
    }
}

/// 免费 or 收费 (RET-PROC §5.7 (004 L151)).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Charging {
    /// 「免费」: internal responsibility.
    Free,
    /// 「收费」: not our responsibility.
    Charged,
}

/// The mark on 《售后服务处理表》, one copy to finance (RET-PROC §5.7, §5.11 (004 L151, L153)).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ChargingMark {
    /// Free or charged.
    pub mark: Charging,
    /// One copy went to finance (一联交财务部, RET-PROC §5.7 (004 L151)).
    pub finance_copy_sent: bool,
}

impl TypedForm for ChargingMark {
    const KIND: &'static str = FormKind::ChargingMark.as_str();
    fn validate(&self) -> Result<(), String> {
        if !self.finance_copy_sent {
            return Err("one copy goes to finance (RET-PROC §5.7 (004 L151))".into());
        }
        Ok(())
    }
}

/// Who pays a debit.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "payer", rename_all = "snake_case")]
pub enum Payer {
    /// The dealer's account is debited (帐上扣除相应金额, RF-PROP §3, §4.2 item 3 (004 L50, L71)).
    Dealer {
        /// The account.
        account: String,
    },
    /// The consumer pays (由经销商或消费者承担, RET-PROC §4.1 (004 L147)).
    Customer,
}

/// The debit note customer service or sales issue and finance posts (RF-PROP §3, §4.2 item 1, §4.2 item 3 (004 L50, L62, L71)).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct DebitNote {
    /// Who pays.
    pub payer: Payer,
    /// Amount in 分.
    pub amount_fen: i64,
    /// The amount includes the value of the replacement sent first.
    pub includes_replacement_value: bool,
}

impl TypedForm for DebitNote {
    const KIND: &'static str = FormKind::DebitNote.as_str();
    fn validate(&self) -> Result<(), String> {
        if self.amount_fen <= 0 {
            return Err("a debit is a positive amount".into());
        }
        if let Payer::Dealer { account } = &self.payer {
            need(account, "the dealer account")?;
        }
        Ok(())
    }
}

/// A claim on the supplier (RET-PROC §5.6; QD-004 §7.1 (004 L150, L599–601)).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct SupplierClaim {
    /// The supplier.
    pub supplier: String,
    /// The material.
    pub material: String,
    /// A batch problem per the quality agreement.
    pub batch: bool,
    /// The amount claimed in 分 (0 when only goods are exchanged).
    pub amount_fen: i64,
}

impl TypedForm for SupplierClaim {
    const KIND: &'static str = FormKind::SupplierClaim.as_str();
    fn validate(&self) -> Result<(), String> {
        need(&self.supplier, "the supplier")?;
        need(&self.material, "the material")?;
        if self.amount_fen < 0 {
            return Err("a claim amount is never negative".into());
        }
        Ok(())
    }
}

/// The supplier's 8D report and handling plan (QD-004 §7.1.2 (004 L601)).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct SupplierReply {
    /// The 8D report reference.
    pub report_ref: String,
    /// The supplier's handling plan.
    pub plan: String,
}

impl TypedForm for SupplierReply {
    const KIND: &'static str = FormKind::SupplierReply.as_str();
    fn validate(&self) -> Result<(), String> {
        need(&self.report_ref, "the 8D report")?;
        need(&self.plan, "the handling plan")
    }
}

/// 追究相关人员责任: internal accountability (RF-PROP §3 (004 L50)).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct AccountabilityRecord {
    /// Responsible unit.
    pub responsible_unit: String,
    /// Responsible person.
    pub responsible_person: String,
    /// Measures taken.
    pub measures: String,
}

impl TypedForm for AccountabilityRecord {
    const KIND: &'static str = FormKind::AccountabilityRecord.as_str();
    fn validate(&self) -> Result<(), String> {
        need(&self.responsible_unit, "the responsible unit")?;
        need(&self.responsible_person, "the responsible person")?;
        need(&self.measures, "the measures")
    }
}

/// The account a reprocessing cost goes to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum BookingAccount {
    /// 销售成本 (QD-004 §6.2.2 (004 L493)).
    CostOfSales,
    /// 销售费用: repeated customer misjudgment (QD-004 §5.4 (004 L602)).
    SellingExpense,
}

/// A confirmed cost booking (经确认后计入销售成本, QD-004 §6.2.2 (004 L493); 销售费用, QD-004 §5.4 (004 L602)).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct CostBooking {
    /// The account.
    pub account: BookingAccount,
    /// Amount in 分.
    pub amount_fen: i64,
    /// What the cost was for.
    pub description: String,
}

impl TypedForm for CostBooking {
    const KIND: &'static str = FormKind::CostBooking.as_str();
    fn validate(&self) -> Result<(), String> {
        if self.amount_fen < 0 {
            return Err("a cost is never negative".into());
        }
        need(&self.description, "the description")
    }
}

/// The outcome told to the customer (CC-PROC §5.2.1; QD-004 §8 (004 L478, L623)). It leaves the company only through the
/// default-deny confidentiality filter (保密原则, QD-004 §3.6 (004 L628)): see
/// [`outcome_notice_text`](super::outcome_notice_text). The free-text `summary` goes out only
/// when a reviewer released that very text (`release_text`); each of the `statements` goes
/// out or is withheld by its category, and a statement without a category blocks the notice
/// until it is classified or released.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct OutcomeNotice {
    /// Phone, e-mail, letter.
    pub channel: String,
    /// What was said, as free text (withheld unless released).
    pub summary: String,
    /// Categorised statements of the outcome (path `statements[i]`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub statements: Vec<crate::procedures::confidentiality::Statement>,
}

impl TypedForm for OutcomeNotice {
    const KIND: &'static str = FormKind::OutcomeNotice.as_str();
    fn validate(&self) -> Result<(), String> {
        need(&self.channel, "the channel")?;
        need(&self.summary, "the summary")
    }
}

/// 登入客诉处置台账并纳入T6系统账 (QD-004 §9 note 2 (004 L508, L626)).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct LedgerEntry {
    /// The ledger number.
    pub ledger_no: String,
    /// The T6 system reference.
    pub t6_ref: String,
}

impl TypedForm for LedgerEntry {
    const KIND: &'static str = FormKind::LedgerEntry.as_str();
    fn validate(&self) -> Result<(), String> {
        need(&self.ledger_no, "the ledger number")?;
        need(&self.t6_ref, "the T6 reference")
    }
}

/// Customer satisfaction, written on the handling form by the design center (QD-004 §8 (004 L623)).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct SatisfactionRecord {
    /// Satisfied.
    pub satisfied: bool,
    /// Remarks.
    pub remark: String,
}

impl TypedForm for SatisfactionRecord {
    const KIND: &'static str = FormKind::SatisfactionRecord.as_str();
    fn validate(&self) -> Result<(), String> {
        need(&self.remark, "the remark")
    }
}

/// How an overdue loan is settled (ours).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "settlement", rename_all = "snake_case")]
pub enum LoanSettlement {
    /// The customer buys the goods.
    Sale {
        /// Price in 分.
        price_fen: i64,
    },
    /// The goods are written off.
    WriteOff {
        /// Book value in 分.
        value_fen: i64,
        /// Why.
        reason: String,
    },
}

/// The settlement of an overdue loan (ours).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct LoanConversion {
    /// Sale or write-off.
    pub settlement: LoanSettlement,
}

impl TypedForm for LoanConversion {
    const KIND: &'static str = FormKind::LoanConversion.as_str();
    fn validate(&self) -> Result<(), String> {
        match &self.settlement {
            LoanSettlement::Sale { price_fen } if *price_fen <= 0 => {
                Err("a sale names its price".into())
            }
            LoanSettlement::WriteOff { value_fen, reason } => {
                if *value_fen < 0 {
                    return Err("a book value is never negative".into());
                }
                need(reason, "the reason")
            }
            LoanSettlement::Sale { .. } => Ok(()),
        }
    }
}

/// The quality manager's request for a concession (让步接受) on failed goods of ours: use or
/// release them as they are instead of reworking or scrapping them. D9 lets a confirmed
/// defect of ours be accepted by concession (「经确认确属我方不良,且不能让步接受」,
/// RET-HRS (004 L397)); the concession itself is decided in its own procedure
/// (`procedures::concession`), which the host's bridge starts from this form.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ConcessionRequest {
    /// Units to release by concession (at most the units received).
    pub qty: u32,
    /// How the goods depart from the requirement.
    pub deviation: String,
    /// Why they may still be used or released.
    pub justification: String,
    /// The customer's quality contact who agreed to the concession being sought (双方品质担当,
    /// RET-HRS (004 L392–393)).
    pub customer_quality_contact: String,
    /// The concession instance id, when the host assigns it before the request; the outcome
    /// must then name it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub concession: Option<String>,
}

impl TypedForm for ConcessionRequest {
    const KIND: &'static str = FormKind::ConcessionRequest.as_str();
    fn validate(&self) -> Result<(), String> {
        if self.qty == 0 {
            return Err("a concession covers at least one unit".into());
        }
        need(&self.deviation, "the deviation")?;
        need(&self.justification, "the justification")?;
        need(
            &self.customer_quality_contact,
            "the customer's quality contact",
        )?;
        if let Some(c) = &self.concession {
            need(c, "the concession id")?;
        }
        Ok(())
    }
}

/// The outcome of a concession (让步接受), recorded on the return by the host's bridge
/// ([`Role::ConcessionLink`](super::Role::ConcessionLink)) once the concession instance is
/// decided (RET-HRS (004 L397)).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ConcessionOutcome {
    /// The concession instance id.
    pub concession: String,
    /// Granted (the goods are released as they are) or refused.
    pub granted: bool,
    /// A note from the concession's decision.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

impl TypedForm for ConcessionOutcome {
    const KIND: &'static str = FormKind::ConcessionOutcome.as_str();
    fn validate(&self) -> Result<(), String> {
        need(&self.concession, "the concession id")
    }
}

/// 客户沟通: the quality contacts of both sides talked, by phone or face to face, and split
/// the responsibility at the customer's where they could (双方品质担当, 「最好在客户处做责任区分」,
/// RET-HRS (004 L390–396, L400)).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct CustomerCommunication {
    /// The customer's quality contact (客户IQC / 品管).
    pub customer_quality_contact: String,
    /// Phone, mail, face to face at the customer's.
    pub channel: String,
    /// What was found (物料名-料号-生产日-出货日-对象范围-不良现象-不良率-客户暂定要求).
    pub findings: String,
    /// The responsibility split agreed at the customer's, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub responsibility_split: Option<String>,
}

impl TypedForm for CustomerCommunication {
    const KIND: &'static str = FormKind::CustomerCommunication.as_str();
    fn validate(&self) -> Result<(), String> {
        need(
            &self.customer_quality_contact,
            "the customer's quality contact",
        )?;
        need(&self.channel, "the channel")?;
        need(&self.findings, "the findings")
    }
}

/// What the customer consents to (CC-PROC §5.2.5 (004 L486)).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ConsentSubject {
    /// The corrective and preventive plan: the handling plan for the goods (a)–c)).
    Plan,
    /// Scrapping the returned goods (d)).
    Scrap,
}

/// The customer's consent, recorded by the design center who talks to the customer:
/// 「纠正和预防措施计划,经客户同意后实施」 (CC-PROC §5.2.5 (004 L486)).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct CustomerConsent {
    /// To the plan or to the scrap.
    pub subject: ConsentSubject,
    /// Who at the customer's consented.
    pub given_by: String,
    /// How (mail, signed letter, phone note).
    pub evidence: String,
}

impl TypedForm for CustomerConsent {
    const KIND: &'static str = FormKind::CustomerConsent.as_str();
    fn validate(&self) -> Result<(), String> {
        need(&self.given_by, "who consented")?;
        need(&self.evidence, "the evidence of consent")
    }
}

/// 分析报告 (8D): the specific cause of failed goods, analysed and reported
/// (「不良品分析具体原因并出具分析报告(8D报告)」, QD-004 §5.2.2.7 (004 L650)), under the
/// confidentiality principle (QD-004 §3.6 (004 L628)).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct AnalysisReport {
    /// The root cause.
    pub root_cause: String,
    /// Corrective actions.
    pub corrective_actions: String,
    /// Preventive actions.
    pub preventive_actions: String,
}

impl TypedForm for AnalysisReport {
    const KIND: &'static str = FormKind::AnalysisReport.as_str();
    fn validate(&self) -> Result<(), String> {
        need(&self.root_cause, "the root cause")?;
        need(&self.corrective_actions, "the corrective actions")?;
        need(&self.preventive_actions, "the preventive actions")
    }
}

/// 《客诉排产通知单》: the production notice when a replacement must be produced, checked by the
/// quality manager and approved by the vice president before the planning manager schedules it
/// (QD-004 §5.2.2.5 (004 L666)).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ProductionNotice {
    /// Units to produce.
    pub qty: u32,
    /// The BOM from the strategic design center (BOM由战略设计中心提供).
    pub bom_ref: String,
    /// When the goods are needed.
    pub needed_by: NaiveDate,
}

impl TypedForm for ProductionNotice {
    const KIND: &'static str = FormKind::ProductionNotice.as_str();
    fn validate(&self) -> Result<(), String> {
        if self.qty == 0 {
            return Err("the notice produces at least one unit".into());
        }
        need(&self.bom_ref, "the BOM reference")
    }
}
