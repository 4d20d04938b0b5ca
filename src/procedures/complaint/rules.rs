//! The code behind the names the definition uses: the guards (one function per [`Guard`]
//! variant, by phase in `rules/`), the effects ([`Effect`], `rules/effects.rs`), the typed form
//! validators and the duration selectors. Every guard refuses with a reason that names the rule
//! and its line.

mod effects;
mod intake;
mod obligations;
mod remediation;
mod review;
pub(crate) mod view;

pub(crate) use view::{Forms, outgoing_kind, severity_of};

use super::Guard;
use super::config::Config;
use super::data::Data;
use super::forms::eight_d::EightDReport;
use super::forms::outgoing::{OutgoingReport, TextRelease};
use super::forms::*;
use crate::Registry;
use crate::TypedForm;
use serde::Deserialize;
use serde_json::Value;
use std::sync::Arc;
use view::GuardFn;

/// The guard tables of the phases, in the order of the document.
const GUARDS: [&[(Guard, GuardFn)]; 4] = [
    intake::GUARDS,
    remediation::GUARDS,
    review::GUARDS,
    obligations::GUARDS,
];

/// The registry of the complaint procedure.
pub(crate) fn registry(cfg: &Config) -> Registry {
    let cfg = Arc::new(cfg.clone());
    let mut reg = typed_forms(Registry::new());
    {
        let c = Arc::clone(&cfg);
        reg = reg.form(ComplaintHandlingForm::KIND, move |body: &Value| {
            let form = ComplaintHandlingForm::deserialize(body)
                .map_err(|e| format!("malformed {}: {e}", ComplaintHandlingForm::KIND))?;
            form.validate_with(&c)
        });
        reg = reg.form_schema::<ComplaintHandlingForm>(ComplaintHandlingForm::KIND);
    }
    for (guard, f) in GUARDS.iter().flat_map(|table| table.iter()).copied() {
        let cfg = Arc::clone(&cfg);
        reg = reg.guard(guard, move |ctx| f(&Forms::ctx(ctx), ctx, &cfg));
    }
    reg = effects::register(reg);
    reg.selector("reply_limit", |data: &Value| {
        let d: Data = serde_json::from_value(data.clone()).ok()?;
        let urgent = if d.urgent.granted { "_urgent" } else { "" };
        Some(format!("{}{urgent}", d.region.name()))
    })
    .selector("defectives_return_limit", |data: &Value| {
        let d: Data = serde_json::from_value(data.clone()).ok()?;
        Some(d.region.name().to_owned())
    })
}

/// The typed forms (JSON Schema and `validate`); the handling form is validated with the
/// configuration in [`registry`].
fn typed_forms(reg: Registry) -> Registry {
    reg.typed_form::<ComplaintInspectionRecord>()
        .typed_form::<ContainmentRecord>()
        .typed_form::<AssistanceRequest>()
        .typed_form::<RestockRequest>()
        .typed_form::<SalesDisposalPlan>()
        .typed_form::<CustomerReply>()
        .typed_form::<SupplierReferral>()
        .typed_form::<SupplierMeeting>()
        .typed_form::<Supplier8d>()
        .typed_form::<Replenishment>()
        .typed_form::<ReworkPlan>()
        .typed_form::<MaterialRequisition>()
        .typed_form::<ProductionNotice>()
        .typed_form::<BomRelease>()
        .typed_form::<WorkLiaison>()
        .typed_form::<ScrapRequest>()
        .typed_form::<ShipmentRecord>()
        .typed_form::<DepartmentEscalation>()
        .typed_form::<CorrectiveActionPlan>()
        .typed_form::<EightDReport>()
        .typed_form::<OutgoingReport>()
        .typed_form::<TextRelease>()
        .typed_form::<LedgerEntry>()
        .typed_form::<SatisfactionRecord>()
        .typed_form::<PlanAcceptance>()
        .typed_form::<SeverityDowngrade>()
        .typed_form::<RemakeOrder>()
        .typed_form::<ClosureRecheck>()
        .typed_form::<SpecialApprovalRequest>()
        .typed_form::<SparesShipment>()
        .typed_form::<DefectivesReturn>()
        .typed_form::<DefectivesWriteOff>()
        .typed_form::<CostEntry>()
        .typed_form::<ImprovementEvidence>()
        .typed_form::<PartsReturn>()
}
