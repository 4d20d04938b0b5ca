//! The effects: the progress bookkeeping of the `track` effect (what each action changes in
//! the instance data) and the count of goods ready to ship.

use crate::Actor;
use crate::Context;
use crate::Registry;
use crate::Vocabulary;
use crate::procedures::complaint::data::{ComplaintVerdict, Data, SupplierMode};
use crate::procedures::complaint::{Action, Effect, Role};
use serde_json::Value;

fn typed_effect(
    data: &mut Value,
    f: impl FnOnce(&mut Data) -> Result<(), String>,
) -> Result<(), String> {
    let mut d: Data = serde_json::from_value(data.clone())
        .map_err(|e| format!("complaint data does not parse: {e}"))?;
    f(&mut d)?;
    *data = serde_json::to_value(&d).map_err(|e| e.to_string())?;
    Ok(())
}

/// Progress bookkeeping by action (the `track` effect).
fn track(d: &mut Data, action: Action, actor: &Actor) {
    use Action as A;
    let approvals_of = |a: A| -> &'static [A] {
        match a {
            A::RecordPassRestock => &[A::ApproveRestock],
            A::RequestMaterial => &[A::ApproveRequisition],
            A::RequestProduction => &[A::ApproveProductionNotice],
            A::RequestRepair => &[A::ApproveWorkLiaison, A::ApproveRequisition],
            A::RequestScrap => &[A::ApproveScrap],
            A::SubmitForReview => &[A::ApproveReport],
            _ => &[],
        }
    };
    for a in approvals_of(action) {
        d.approved.remove(a.name());
    }
    match action {
        A::Submit | A::SubmitInternational => d.submitted = true,
        A::ReturnForm => d.awaiting_resubmission = true,
        A::Resubmit => d.awaiting_resubmission = false,
        A::RecordPass | A::RecordPassRestock => d.verdict = Some(ComplaintVerdict::Pass),
        A::RecordFail => d.verdict = Some(ComplaintVerdict::Fail),
        A::ApproveRestock
        | A::ApproveRequisition
        | A::ApproveProductionNotice
        | A::ApproveWorkLiaison
        | A::ApproveScrap
        | A::ApproveReport => {
            d.approved.insert(action.name().to_owned());
        }
        A::RecordCustomer8dRequest => d.customer_requests_8d = true,
        A::RequestUrgent => d.urgent.requested = true,
        A::GrantUrgent => {
            d.urgent.requested = false;
            d.urgent.granted = true;
            d.urgent.granted_by = Some(actor.id.clone());
        }
        A::ReplyToCustomer | A::SendToCustomer => d.first_reply_sent = true,
        A::ReferToSupplierBatch | A::ReturnToSupplier => {
            d.supplier.referral = Some(if action == A::ReferToSupplierBatch {
                SupplierMode::Batch
            } else {
                SupplierMode::NonBatch
            });
            d.supplier.handled = false;
        }
        A::RecordSupplierMeeting | A::RecordSupplier8d => {
            d.supplier.handled = true;
            d.supplier.replenishment_open = true;
        }
        A::RecordSupplierReplenishment => d.supplier.replenishment_open = false,
        A::PlanRework => d.rework_declined = false,
        A::DeclinePlan => d.rework_declined = true,
        A::RequestMaterial => d.material_issued = false,
        A::IssueMaterial => d.material_issued = true,
        A::RequestProduction => d.production = Default::default(),
        A::EmailNotice => {
            d.production.emailed_to = vec![
                Role::StrategicDesignCenter.name().to_owned(),
                Role::PlanningManager.name().to_owned(),
            ];
        }
        A::ProvideBom => d.production.bom_provided = true,
        A::ScheduleProduction => d.production.scheduled = true,
        A::RecordProductionDone => d.production.produced = true,
        A::RequestRepair => d.repair_material_supplied = false,
        A::SupplyMaterial => d.repair_material_supplied = true,
        A::ShipToCustomer => d.goods_shipped += 1,
        A::EscalateToDepartments => d.department_analysis_submitted = false,
        A::SubmitDepartmentAnalysis => d.department_analysis_submitted = true,
        A::RejectAnalysis => d.department_analysis_submitted = false,
        A::SubmitForReview => d.vp_referred = false,
        A::ReferToVp => d.vp_referred = true,
        A::RecordIneffective | A::Reopen => d.iteration += 1,
        A::RecordCostLine => d.cost_lines += 1,
        A::ConfirmCostLines => d.cost_lines_confirmed = d.cost_lines,
        A::RecordSatisfaction => d.satisfaction_records += 1,
        A::RecordLedger => d.ledger_recorded = true,
        A::ProvideImprovementEvidence => d.evidence_provided += 1,
        A::ForwardEvidence => d.evidence_forwarded = d.evidence_provided,
        _ => {}
    }
}

/// Register the effects under their [`Effect`] names.
pub(super) fn register(reg: Registry) -> Registry {
    reg.effect(Effect::Track, |data: &mut Value, ctx: &Context<'_>| {
        let action = Action::from_name(ctx.action)
            .ok_or_else(|| format!("unknown action `{}`", ctx.action))?;
        typed_effect(data, |d| {
            track(d, action, ctx.actor);
            Ok(())
        })
    })
    .effect(Effect::GoodsReady, |data: &mut Value, _: &Context<'_>| {
        typed_effect(data, |d| {
            d.goods_ready += 1;
            Ok(())
        })
    })
}
