//! Guards: The remediation hub: supplier, rework, requisition, production, repair, scrap and shipping (`QD-004 §7.1 (004 L599–601)`, `QD-004 (004 L658–671)`, `QD-004 §9 note 1 (004 L507)/QD-004 §9 note 1 (004 L625)`).

use super::view::*;
use crate::Context;
use crate::procedures::complaint::Action;
use crate::procedures::complaint::Guard;
use crate::procedures::complaint::config::Config;
use crate::procedures::complaint::data::*;
use crate::procedures::complaint::forms::*;
use crate::{TypedForm, Vocabulary};
use serde::Deserialize;

/// The guards of this phase, each registered under its [`Guard`] name.
pub(super) const GUARDS: &[(Guard, GuardFn)] = &[
    (Guard::MaterialReturned, material_returned),
    (Guard::ReferralBatch, referral_batch),
    (Guard::ReferralNonBatch, referral_non_batch),
    (Guard::ReplenishmentOpen, replenishment_open),
    (Guard::ReworkDeclined, rework_declined),
    (Guard::ReworkPlanMatches, rework_plan_matches),
    (Guard::RequisitionApproved, requisition_approved),
    (Guard::MaterialNotIssued, material_not_issued),
    (Guard::MaterialIssued, material_issued),
    (Guard::BurnInRequired, burn_in_required),
    (Guard::BurnInNotRequired, burn_in_not_required),
    (Guard::NoticeApproved, notice_approved),
    (Guard::NoticeEmailed, notice_emailed),
    (Guard::BomProvided, bom_provided),
    (Guard::ProductionScheduled, production_scheduled),
    (Guard::ProductionDone, production_done),
    (Guard::RequisitionJustified, requisition_justified),
    (Guard::RepairUsesRequisition, repair_uses_requisition),
    (Guard::LiaisonApproved, liaison_approved),
    (Guard::RepairMaterialReady, repair_material_ready),
    (Guard::RepairMaterialSupplied, repair_material_supplied),
    (Guard::ScrapApproved, scrap_approved),
    (Guard::GoodsReady, goods_ready),
    (Guard::RemediationComplete, remediation_complete),
];

// --- supplier (QD-004 §7.1, §5.2.2.1 (004 L599–601, L670)) ---

fn material_returned(f: &Forms<'_>, _: &Context<'_>, _: &Config) -> Result<(), String> {
    check(
        f.need::<SupplierReferral>()?.material_returned_on.is_some(),
        || {
            "non-batch defect: the defective material goes back to the supplier (QD-004 §7.1.2 (004 L601))".into()
        },
    )
}

fn referral_batch(f: &Forms<'_>, _: &Context<'_>, _: &Config) -> Result<(), String> {
    check(
        f.data()?.supplier.referral == Some(SupplierMode::Batch),
        || "not a batch referral (QD-004 §7.1.1 (004 L600))".into(),
    )
}

fn referral_non_batch(f: &Forms<'_>, _: &Context<'_>, _: &Config) -> Result<(), String> {
    check(
        f.data()?.supplier.referral == Some(SupplierMode::NonBatch),
        || "not a non-batch referral (QD-004 §7.1.2 (004 L601))".into(),
    )
}

fn replenishment_open(f: &Forms<'_>, _: &Context<'_>, _: &Config) -> Result<(), String> {
    check(f.data()?.supplier.replenishment_open, || {
        "no supplier replenishment is awaited".into()
    })
}

// --- rework (QD-004 §5.2.2.2, §4.5 (004 L671, L595)) ---

fn rework_declined(f: &Forms<'_>, _: &Context<'_>, _: &Config) -> Result<(), String> {
    check(f.data()?.rework_declined, || {
        "the CQE disassembles only when the ADC cannot issue a plan (QD-004 §5.2.2.2 (004 L671))"
            .into()
    })
}

fn rework_plan_matches(f: &Forms<'_>, ctx: &Context<'_>, _: &Config) -> Result<(), String> {
    let plan = f.need::<ReworkPlan>()?;
    let want = if ctx.action == Action::IssueReworkPlan.name() {
        ReworkKind::AdcPlan
    } else if ctx.action == Action::Disassemble.name() {
        ReworkKind::CqeDisassembly
    } else {
        ReworkKind::OnSite
    };
    check(plan.kind == want, || {
        format!("this action takes a {want:?} plan, not {:?}", plan.kind)
    })
}

// --- requisition (QD-004 §5.2.2.4 (004 L659)) ---

fn requisition_approved(f: &Forms<'_>, _: &Context<'_>, _: &Config) -> Result<(), String> {
    check(
        f.data()?
            .approved
            .contains(Action::ApproveRequisition.name()),
        || {
            "the requisition lacks the quality manager and planning manager signatures (QD-004 §5.2.2.4 (004 L659))"
                .into()
        },
    )
}

fn material_not_issued(f: &Forms<'_>, _: &Context<'_>, _: &Config) -> Result<(), String> {
    check(!f.data()?.material_issued, || {
        "the material was already issued".into()
    })
}

fn material_issued(f: &Forms<'_>, _: &Context<'_>, _: &Config) -> Result<(), String> {
    check(f.data()?.material_issued, || {
        "the warehouse has not issued the material".into()
    })
}

fn burn_in_required(f: &Forms<'_>, _: &Context<'_>, cfg: &Config) -> Result<(), String> {
    check(burn_in_needed(f, cfg)?, || {
        "no power supply or module involved: no burn-in".into()
    })
}

fn burn_in_not_required(f: &Forms<'_>, _: &Context<'_>, cfg: &Config) -> Result<(), String> {
    check(!burn_in_needed(f, cfg)?, || {
        "power supplies and modules are burned in before shipping (QD-004 §5.2.2.4, §5.2.2.6 (004 L659, L667))".into()
    })
}

// --- production (QD-004 §5.2.2.5 (004 L666)) ---

fn notice_approved(f: &Forms<'_>, _: &Context<'_>, _: &Config) -> Result<(), String> {
    check(
        f.data()?
            .approved
            .contains(Action::ApproveProductionNotice.name()),
        || {
            "the production notice lacks the quality manager and VP signatures (QD-004 §5.2.2.5 (004 L666))".into()
        },
    )
}

fn notice_emailed(f: &Forms<'_>, _: &Context<'_>, _: &Config) -> Result<(), String> {
    check(!f.data()?.production.emailed_to.is_empty(), || {
        "the approved notice was not e-mailed to the strategic design centre and planning (QD-004 §5.2.2.5 (004 L666))".into()
    })
}

fn bom_provided(f: &Forms<'_>, _: &Context<'_>, _: &Config) -> Result<(), String> {
    check(f.data()?.production.bom_provided, || {
        "the strategic design centre has not provided the BOM (QD-004 §5.2.2.5 (004 L666))".into()
    })
}

fn production_scheduled(f: &Forms<'_>, _: &Context<'_>, _: &Config) -> Result<(), String> {
    check(f.data()?.production.scheduled, || {
        "production is not scheduled".into()
    })
}

fn production_done(f: &Forms<'_>, _: &Context<'_>, _: &Config) -> Result<(), String> {
    check(f.data()?.production.produced, || {
        "production is not done".into()
    })
}

// --- repair (QD-004 §5.2.2.6 (004 L667)) ---

fn requisition_justified(f: &Forms<'_>, ctx: &Context<'_>, _: &Config) -> Result<(), String> {
    let liaison = f.need::<WorkLiaison>()?;
    let attached = ctx
        .forms
        .iter()
        .rev()
        .find(|x| x.kind == MaterialRequisition::KIND);
    match (liaison.material_source, attached) {
        (MaterialSource::SlowStock, None) => Ok(()),
        (MaterialSource::SlowStock, Some(_)) => {
            Err("material comes from the CQE's slow-moving stock: no requisition (QD-004 §5.2.2.6 (004 L667))".into())
        }
        (MaterialSource::Requisition, None) => {
            Err("the requisition must be submitted with the work liaison (QD-004 §5.2.2.6 (004 L667))".into())
        }
        (MaterialSource::Requisition, Some(body)) => {
            let r = MaterialRequisition::deserialize(&body.body)
                .map_err(|e| format!("material_requisition does not parse: {e}"))?;
            check(r.special_requirement || r.slow_stock_insufficient, || {
                "a requisition is used only for a special requirement or when slow-moving stock is insufficient (QD-004 §5.2.2.6 (004 L667))".into()
            })
        }
    }
}

fn repair_uses_requisition(f: &Forms<'_>, _: &Context<'_>, _: &Config) -> Result<(), String> {
    check(
        f.need::<WorkLiaison>()?.material_source == MaterialSource::Requisition,
        || "this repair uses slow-moving stock: no requisition to approve".into(),
    )
}

fn liaison_approved(f: &Forms<'_>, _: &Context<'_>, _: &Config) -> Result<(), String> {
    check(
        f.data()?
            .approved
            .contains(Action::ApproveWorkLiaison.name()),
        || {
            "the work liaison lacks the quality manager and department leader signatures (QD-004 §5.2.2.6 (004 L667))"
                .into()
        },
    )
}

fn repair_material_ready(f: &Forms<'_>, _: &Context<'_>, _: &Config) -> Result<(), String> {
    let d = f.data()?;
    let liaison = f.need::<WorkLiaison>()?;
    check(
        liaison.material_source == MaterialSource::SlowStock
            || d.approved.contains(Action::ApproveRequisition.name()),
        || {
            "the requisition for the repair is not approved (QD-004 §5.2.2.4, §5.2.2.6 (004 L659, L667))".into()
        },
    )?;
    check(!d.repair_material_supplied, || {
        "the material was already supplied".into()
    })
}

fn repair_material_supplied(f: &Forms<'_>, _: &Context<'_>, _: &Config) -> Result<(), String> {
    check(f.data()?.repair_material_supplied, || {
        "no repair material was supplied".into()
    })
}

// --- scrap (QD-004 §9 note 1, §5.2.2.3 (004 L507/L625, L658)) ---

fn scrap_approved(f: &Forms<'_>, _: &Context<'_>, _: &Config) -> Result<(), String> {
    check(
        f.data()?.approved.contains(Action::ApproveScrap.name()),
        || {
            "the scrap request lacks the department leader and ADC vice-president signatures (QD-004 §9 note 1 (004 L507))".into()
        },
    )
}

// --- shipping and remediation ---

fn goods_ready(f: &Forms<'_>, _: &Context<'_>, _: &Config) -> Result<(), String> {
    let d = f.data()?;
    check(d.goods_ready > d.goods_shipped, || {
        "no inspected (and burned-in where required) goods are waiting to ship (QD-004 §5.2.2.4 (004 L659))".into()
    })
}

fn remediation_complete(f: &Forms<'_>, _: &Context<'_>, cfg: &Config) -> Result<(), String> {
    let d = f.data()?;
    check(d.goods_ready == d.goods_shipped, || {
        "goods are ready but not shipped to the customer".into()
    })?;
    let r = f.need::<ComplaintInspectionRecord>()?;
    let to_supplier = r
        .failed_parts
        .iter()
        .any(|p| cfg.supplier_return_part_kinds.contains(p));
    check(!to_supplier || d.supplier.handled, || {
        "a failed power supply goes back to the supplier for analysis first (QD-004 §5.2.2.1 (004 L670))".into()
    })
}
