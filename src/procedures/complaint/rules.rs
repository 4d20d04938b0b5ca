//! The code behind the names the definition uses: guards, effects, form validators and
//! duration selectors. Every guard refuses with a reason that names the rule and its line.

use super::confidentiality::{OutgoingReport, ReportKind, redact_8d, redact_statements};
use super::config::{Config, VpReview};
use super::data::{Data, SupplierMode};
use super::eight_d::{Discipline, EightDReport};
use super::forms::*;
use super::severity::{self, Severity};
use super::{Action, Role};
use crate::Actor;
use crate::Context;
use crate::Form;
use crate::Instance;
use crate::Registry;
use crate::TypedForm;
use crate::Vocabulary;
use serde::Deserialize;
use serde_json::Value;
use std::sync::Arc;

/// Which actions may attach each form kind that guards rely on. Forms a command attaches
/// with any other action are ignored by the rules (any command may carry forms).
pub(crate) fn designated(kind: &str) -> &'static [Action] {
    use Action as A;
    match kind {
        k if k == HandlingForm::KIND => &[A::Submit, A::SubmitInternational, A::Resubmit],
        k if k == InspectionRecord::KIND => &[A::RecordPass, A::RecordPassRestock, A::RecordFail],
        k if k == RestockRequest::KIND => &[A::RecordPassRestock],
        k if k == EightDReport::KIND => &[
            A::RecordFail,
            A::UpdateEightD,
            A::ResolveWithinQuality,
            A::AcceptAnalysis,
            A::SubmitForReview,
            A::ConfirmEffective,
            A::VerifyClosure,
        ],
        k if k == MaterialRequisition::KIND => &[A::RequestMaterial, A::RequestRepair],
        k if k == ProductionNotice::KIND => &[A::RequestProduction],
        k if k == WorkLiaison::KIND => &[A::RequestRepair],
        k if k == SupplierReferral::KIND => &[A::ReferToSupplierBatch, A::ReturnToSupplier],
        k if k == DepartmentEscalation::KIND => &[A::EscalateToDepartments],
        k if k == CorrectiveActionPlan::KIND => {
            &[A::SubmitDepartmentAnalysis, A::ResolveWithinQuality]
        }
        k if k == OutgoingReport::KIND => &[A::ForwardToAdc, A::ForwardEvidence],
        k if k == ImprovementEvidence::KIND => &[A::ProvideImprovementEvidence],
        k if k == SparesShipment::KIND => &[A::ShipSpares, A::ShipSparesNoReturn],
        k if k == DefectivesReturn::KIND => &[A::RecordDefectivesReturned],
        k if k == DefectivesWriteOff::KIND => &[A::WriteOffDefectives],
        k if k == CostEntry::KIND => &[A::RecordCostLine],
        k if k == ReworkPlan::KIND => &[A::IssueReworkPlan, A::Disassemble, A::IssueOnsitePlan],
        k if k == CustomerReply::KIND => &[A::ReplyToCustomer],
        k if k == ClosureRecheck::KIND => &[A::VerifyClosure],
        _ => &[],
    }
}

/// The forms visible to a rule: those on file, plus those the current command attaches.
#[derive(Clone, Copy)]
pub(crate) struct Forms<'a> {
    pub(crate) instance: &'a Instance,
    pub(crate) current: Option<(&'a str, &'a [Form])>,
}

impl<'a> Forms<'a> {
    pub(crate) fn of(instance: &'a Instance) -> Self {
        Forms {
            instance,
            current: None,
        }
    }

    pub(crate) fn ctx(ctx: &Context<'a>) -> Self {
        Forms {
            instance: ctx.instance,
            current: Some((ctx.action.as_str(), ctx.forms)),
        }
    }

    /// The latest body of `kind` attached by one of its designated actions.
    pub(crate) fn body(&self, kind: &str) -> Option<&'a Value> {
        let allowed = designated(kind);
        let ok = |action: &str| allowed.iter().any(|a| a.name() == action);
        if let Some((action, forms)) = self.current {
            if ok(action) {
                if let Some(f) = forms.iter().rev().find(|f| f.kind == kind) {
                    return Some(&f.body);
                }
            }
        }
        self.instance
            .forms()
            .iter()
            .rev()
            .find(|f| f.form.kind == kind && ok(&f.action))
            .map(|f| &f.form.body)
    }

    pub(crate) fn latest<T: TypedForm>(&self) -> Result<Option<T>, String> {
        self.body(T::KIND)
            .map(|b| T::deserialize(b).map_err(|e| format!("{} does not parse: {e}", T::KIND)))
            .transpose()
    }

    pub(crate) fn need<T: TypedForm>(&self) -> Result<T, String> {
        self.latest::<T>()?
            .ok_or_else(|| format!("no {} on file", T::KIND))
    }

    /// Every body of `kind` attached by its designated actions, oldest first (current last).
    pub(crate) fn all<T: TypedForm>(&self) -> Result<Vec<T>, String> {
        let allowed = designated(T::KIND);
        let ok = |action: &str| allowed.iter().any(|a| a.name() == action);
        let mut out: Vec<&Value> = self
            .instance
            .forms()
            .iter()
            .filter(|f| f.form.kind == T::KIND && ok(&f.action))
            .map(|f| &f.form.body)
            .collect();
        if let Some((action, forms)) = self.current {
            if ok(action) {
                out.extend(forms.iter().filter(|f| f.kind == T::KIND).map(|f| &f.body));
            }
        }
        out.into_iter()
            .map(|b| T::deserialize(b).map_err(|e| format!("{} does not parse: {e}", T::KIND)))
            .collect()
    }

    pub(crate) fn data(&self) -> Result<Data, String> {
        self.instance
            .data_as::<Data>()
            .map_err(|e| format!("complaint data does not parse: {e}"))
    }
}

/// The severity of the complaint: the CQE's inspection when there is one, else the ADC's
/// report (§3.7, `004 L662`; D1 table `004 L23–30`).
pub(crate) fn severity_of(forms: &Forms<'_>, cfg: &Config) -> Result<Severity, String> {
    if let Some(r) = forms.latest::<InspectionRecord>()? {
        return Ok(severity::classify(
            r.functional_abnormality,
            r.mold_findings.as_ref(),
            cfg.mold_severity.as_ref(),
        ));
    }
    let reported = forms
        .latest::<HandlingForm>()?
        .is_some_and(|f| f.reported_functional_abnormality);
    Ok(severity::classify(reported, None, None))
}

/// Whether the customer asked for an 8D (at intake or later).
pub(crate) fn customer_requests_8d(forms: &Forms<'_>) -> Result<bool, String> {
    let data = forms.data()?;
    let at_intake = forms
        .latest::<HandlingForm>()?
        .is_some_and(|f| f.customer_requests_8d);
    Ok(data.customer_requests_8d || at_intake)
}

/// The outgoing report kind: the 8D when serious or asked for, else the measures reply.
pub(crate) fn outgoing_kind(forms: &Forms<'_>, cfg: &Config) -> Result<ReportKind, String> {
    let ext = severity::external_8d_required(
        cfg.external_8d,
        severity_of(forms, cfg)?,
        customer_requests_8d(forms)?,
    );
    Ok(if ext {
        ReportKind::EightD
    } else {
        ReportKind::MeasuresReply
    })
}

fn vp_required(forms: &Forms<'_>, cfg: &Config) -> Result<bool, String> {
    let referred = forms.data()?.vp_referred;
    Ok(match cfg.vp_review {
        VpReview::Always => true,
        VpReview::WhenReferred => referred,
        VpReview::WhenSeriousOrReferred => {
            referred || severity_of(forms, cfg)? == Severity::Serious
        }
    })
}

fn outstanding_defectives(forms: &Forms<'_>) -> Result<i64, String> {
    let due: i64 = forms
        .all::<SparesShipment>()?
        .iter()
        .filter(|s| s.no_return_reason.is_none())
        .map(|s| i64::from(s.replaced_qty_due))
        .sum();
    let back: i64 = forms
        .all::<DefectivesReturn>()?
        .iter()
        .map(|r| i64::from(r.qty))
        .sum();
    let off: i64 = forms
        .all::<DefectivesWriteOff>()?
        .iter()
        .map(|r| i64::from(r.qty))
        .sum();
    Ok(due - back - off)
}

fn burn_in_needed(forms: &Forms<'_>, cfg: &Config) -> Result<bool, String> {
    let state = forms.instance.state();
    let involves = if state == super::State::MaterialRequisition.name() {
        forms.need::<MaterialRequisition>()?.involves
    } else if state == super::State::ProductionScheduling.name() {
        forms.need::<ProductionNotice>()?.involves
    } else if state == super::State::ManufacturingRepair.name() {
        let liaison = forms.need::<WorkLiaison>()?;
        let mut kinds = liaison.involves;
        if liaison.material_source == MaterialSource::Requisition {
            kinds.extend(forms.need::<MaterialRequisition>()?.involves);
        }
        kinds
    } else {
        return Err(format!("no goods being prepared in `{state}`"));
    };
    Ok(involves.iter().any(|k| cfg.burn_in_part_kinds.contains(k)))
}

fn reason_in(payload: &Value) -> Result<(), String> {
    match payload.get("reason").and_then(Value::as_str) {
        Some(r) if !r.trim().is_empty() => Ok(()),
        _ => Err("a reason is required (payload `reason`)".into()),
    }
}

fn adc_role(region: Region) -> Role {
    match region {
        Region::Domestic => Role::AdcDomestic,
        Region::International => Role::AdcInternational,
    }
}

fn is_adc(actor: &Actor) -> bool {
    actor.has_role(Role::AdcDomestic.name()) || actor.has_role(Role::AdcInternational.name())
}

type GuardFn = dyn Fn(&Forms<'_>, &Context<'_>, &Config) -> Result<(), String> + Send + Sync;

fn add(reg: Registry, cfg: &Arc<Config>, name: &str, f: Box<GuardFn>) -> Registry {
    let cfg = Arc::clone(cfg);
    reg.guard(name, move |ctx: &Context<'_>| {
        f(&Forms::ctx(ctx), ctx, &cfg)
    })
}

fn check(ok: bool, reason: impl FnOnce() -> String) -> Result<(), String> {
    if ok { Ok(()) } else { Err(reason()) }
}

/// The forms whose `new_<kind>` guard requires them attached with the command (a fresh
/// revision), not merely on file.
pub(crate) const FRESH_KINDS: &[&str] = &[
    HandlingForm::KIND,
    InspectionRecord::KIND,
    RestockRequest::KIND,
    MaterialRequisition::KIND,
    ProductionNotice::KIND,
    WorkLiaison::KIND,
    ScrapRequest::KIND,
    EightDReport::KIND,
    OutgoingReport::KIND,
    CorrectiveActionPlan::KIND,
    CostEntry::KIND,
    ClosureRecheck::KIND,
    ReworkPlan::KIND,
    SparesShipment::KIND,
    DefectivesReturn::KIND,
    DefectivesWriteOff::KIND,
    ShipmentRecord::KIND,
    ImprovementEvidence::KIND,
    Replenishment::KIND,
    SatisfactionRecord::KIND,
    LedgerEntry::KIND,
    SupplierReferral::KIND,
    SupplierMeeting::KIND,
    Supplier8d::KIND,
    SpecialApprovalRequest::KIND,
    PartsReturn::KIND,
    BomRelease::KIND,
    AssistanceRequest::KIND,
    DepartmentEscalation::KIND,
    CustomerReply::KIND,
    SalesDisposalPlan::KIND,
    ContainmentRecord::KIND,
];

/// The name of the guard requiring a fresh `kind` with the command.
pub(crate) fn fresh(kind: &str) -> String {
    format!("new_{kind}")
}

/// The registry of the complaint procedure.
pub(crate) fn registry(cfg: &Config) -> Registry {
    let cfg = Arc::new(cfg.clone());
    let mut reg = Registry::new()
        .typed_form::<InspectionRecord>()
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
        .typed_form::<LedgerEntry>()
        .typed_form::<SatisfactionRecord>()
        .typed_form::<ClosureRecheck>()
        .typed_form::<SpecialApprovalRequest>()
        .typed_form::<SparesShipment>()
        .typed_form::<DefectivesReturn>()
        .typed_form::<DefectivesWriteOff>()
        .typed_form::<CostEntry>()
        .typed_form::<ImprovementEvidence>()
        .typed_form::<PartsReturn>();
    {
        let c = Arc::clone(&cfg);
        reg = reg.form(HandlingForm::KIND, move |body: &Value| {
            let form = HandlingForm::deserialize(body)
                .map_err(|e| format!("malformed {}: {e}", HandlingForm::KIND))?;
            form.validate_with(&c)
        });
    }
    for kind in FRESH_KINDS {
        let k = (*kind).to_owned();
        reg = reg.guard(fresh(kind), move |ctx: &Context<'_>| {
            check(ctx.forms.iter().any(|f| f.kind == k), || {
                format!("a new {k} must be attached with this command")
            })
        });
    }
    reg = guards(reg, &cfg);
    reg = effects(reg, &cfg);
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

#[allow(clippy::too_many_lines)]
fn guards(mut reg: Registry, cfg: &Arc<Config>) -> Registry {
    let list: Vec<(&str, Box<GuardFn>)> = vec![
        // --- intake (004 L661, L623) ---
        (
            "region_domestic",
            Box::new(|f, _, _| {
                check(f.data()?.region == Region::Domestic, || {
                    "the complaint is not domestic".into()
                })
            }),
        ),
        (
            "region_international",
            Box::new(|f, _, _| {
                check(f.data()?.region == Region::International, || {
                    "the complaint is not international".into()
                })
            }),
        ),
        (
            "adc_of_region",
            Box::new(|f, ctx, _| {
                let role = adc_role(f.data()?.region);
                check(ctx.actor.has_role(role.name()), || {
                    format!(
                        "only the `{role}` of this complaint's region talks to its customer (004 L664)"
                    )
                })
            }),
        ),
        (
            "adc_of_region_if_adc",
            Box::new(|f, ctx, _| {
                if !is_adc(ctx.actor) {
                    return Ok(());
                }
                let role = adc_role(f.data()?.region);
                check(ctx.actor.has_role(role.name()), || {
                    format!("only the `{role}` of this complaint's region acts for its customer")
                })
            }),
        ),
        (
            "not_yet_submitted",
            Box::new(|f, _, _| {
                check(!f.data()?.submitted, || {
                    "the handling form was already submitted".into()
                })
            }),
        ),
        (
            "awaiting_resubmission",
            Box::new(|f, _, _| {
                check(f.data()?.awaiting_resubmission, || {
                    "the CQE has not returned the form for revision".into()
                })
            }),
        ),
        (
            "form_matches_case",
            Box::new(|f, _, _| {
                let d = f.data()?;
                let h = f.need::<HandlingForm>()?;
                check(
                    h.no == d.complaint_no
                        && h.region == d.region
                        && h.customer == d.customer
                        && h.product_model == d.product_model,
                    || {
                        format!(
                            "the handling form ({}, {}, {}, {}) does not match the case ({}, {}, {}, {})",
                            h.no,
                            h.region.name(),
                            h.customer,
                            h.product_model,
                            d.complaint_no,
                            d.region.name(),
                            d.customer,
                            d.product_model
                        )
                    },
                )
            }),
        ),
        ("reason_given", Box::new(|_, ctx, _| reason_in(ctx.payload))),
        // --- verdict (004 L593, L649, L669) ---
        (
            "pass_without_restock",
            Box::new(|f, _, _| {
                let r = f.need::<InspectionRecord>()?;
                let h = f.need::<HandlingForm>()?;
                check(r.verdict == Verdict::Pass, || {
                    "the inspection did not pass".into()
                })?;
                match r.goods_disposition {
                    GoodsDisposition::ReturnToCustomer => check(h.goods_returned, || {
                        "nothing was returned: there are no goods to send back".into()
                    }),
                    GoodsDisposition::NoGoodsReturned => check(!h.goods_returned, || {
                        "goods were returned: send them back or restock them".into()
                    }),
                    _ => Err("restock goes through record_pass_restock (004 L649)".into()),
                }
            }),
        ),
        (
            "pass_restock",
            Box::new(|f, _, _| {
                let r = f.need::<InspectionRecord>()?;
                let h = f.need::<HandlingForm>()?;
                check(
                    r.verdict == Verdict::Pass && r.goods_disposition == GoodsDisposition::Restock,
                    || {
                        "restock needs a pass verdict with the restock disposition (004 L649)"
                            .into()
                    },
                )?;
                check(h.goods_returned, || {
                    "nothing was returned: nothing to stock in".into()
                })
            }),
        ),
        (
            "verdict_fail",
            Box::new(|f, _, _| {
                check(
                    f.need::<InspectionRecord>()?.verdict == Verdict::Fail,
                    || "the inspection record does not fail the goods".into(),
                )
            }),
        ),
        (
            "verdict_is_fail",
            Box::new(|f, _, _| {
                check(f.data()?.verdict == Some(Verdict::Fail), || {
                    "only a failed complaint has corrective actions to reopen".into()
                })
            }),
        ),
        // --- 8D gates (spec README L51–54) ---
        (
            "eight_d_through_d2",
            Box::new(|f, _, _| f.need::<EightDReport>()?.require_through(Discipline::D2)),
        ),
        (
            "eight_d_through_d5",
            Box::new(|f, _, _| f.need::<EightDReport>()?.require_through(Discipline::D5)),
        ),
        (
            "eight_d_through_d7",
            Box::new(|f, _, _| f.need::<EightDReport>()?.require_through(Discipline::D7)),
        ),
        (
            "eight_d_effective",
            Box::new(|f, _, _| {
                let r = f.need::<EightDReport>()?;
                r.require_through(Discipline::D7)?;
                r.check_effective()
            }),
        ),
        // --- restock (004 L649) ---
        (
            "restock_approved",
            Box::new(|f, _, _| {
                check(
                    f.data()?.approved.contains(Action::ApproveRestock.name()),
                    || {
                        "the restock request lacks the OQC inspector, quality manager and planning manager signatures (004 L649)".into()
                    },
                )
            }),
        ),
        (
            "sellable_as_new",
            Box::new(|f, _, _| {
                check(f.need::<RestockRequest>()?.sellable_as_new, || {
                    "the lamps cannot be sold as new".into()
                })
            }),
        ),
        (
            "not_sellable_as_new",
            Box::new(|f, _, _| {
                check(!f.need::<RestockRequest>()?.sellable_as_new, || {
                    "the lamps can be sold as new".into()
                })
            }),
        ),
        (
            "return_shipment_if_needed",
            Box::new(|f, _, _| {
                let r = f.need::<InspectionRecord>()?;
                let reply = f.need::<CustomerReply>()?;
                let needs = r.goods_disposition == GoodsDisposition::ReturnToCustomer;
                check(
                    !needs
                        || reply
                            .return_shipment_ref
                            .as_deref()
                            .is_some_and(|s| !s.trim().is_empty()),
                    || {
                        "the goods go back to the customer: the return shipment is required (004 L593)".into()
                    },
                )
            }),
        ),
        // --- supplier (004 L599–601, L670) ---
        (
            "material_returned",
            Box::new(|f, _, _| {
                check(
                    f.need::<SupplierReferral>()?.material_returned_on.is_some(),
                    || {
                        "non-batch defect: the defective material goes back to the supplier (004 L601)".into()
                    },
                )
            }),
        ),
        (
            "referral_batch",
            Box::new(|f, _, _| {
                check(
                    f.data()?.supplier.referral == Some(SupplierMode::Batch),
                    || "not a batch referral (004 L600)".into(),
                )
            }),
        ),
        (
            "referral_non_batch",
            Box::new(|f, _, _| {
                check(
                    f.data()?.supplier.referral == Some(SupplierMode::NonBatch),
                    || "not a non-batch referral (004 L601)".into(),
                )
            }),
        ),
        (
            "replenishment_open",
            Box::new(|f, _, _| {
                check(f.data()?.supplier.replenishment_open, || {
                    "no supplier replenishment is awaited".into()
                })
            }),
        ),
        // --- rework (004 L671, L595) ---
        (
            "rework_declined",
            Box::new(|f, _, _| {
                check(f.data()?.rework_declined, || {
                    "the CQE disassembles only when the ADC cannot issue a plan (004 L671)".into()
                })
            }),
        ),
        (
            "rework_plan_matches",
            Box::new(|f, ctx, _| {
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
            }),
        ),
        // --- requisition (004 L659) ---
        (
            "requisition_approved",
            Box::new(|f, _, _| {
                check(
                    f.data()?
                        .approved
                        .contains(Action::ApproveRequisition.name()),
                    || {
                        "the requisition lacks the quality manager and planning manager signatures (004 L659)".into()
                    },
                )
            }),
        ),
        (
            "material_not_issued",
            Box::new(|f, _, _| {
                check(!f.data()?.material_issued, || {
                    "the material was already issued".into()
                })
            }),
        ),
        (
            "material_issued",
            Box::new(|f, _, _| {
                check(f.data()?.material_issued, || {
                    "the warehouse has not issued the material".into()
                })
            }),
        ),
        (
            "burn_in_required",
            Box::new(|f, _, cfg| {
                check(burn_in_needed(f, cfg)?, || {
                    "no power supply or module involved: no burn-in".into()
                })
            }),
        ),
        (
            "burn_in_not_required",
            Box::new(|f, _, cfg| {
                check(!burn_in_needed(f, cfg)?, || {
                    "power supplies and modules are burned in before shipping (004 L659, L667)"
                        .into()
                })
            }),
        ),
        // --- production (004 L666) ---
        (
            "notice_approved",
            Box::new(|f, _, _| {
                check(
                    f.data()?
                        .approved
                        .contains(Action::ApproveProductionNotice.name()),
                    || {
                        "the production notice lacks the quality manager and VP signatures (004 L666)".into()
                    },
                )
            }),
        ),
        (
            "notice_emailed",
            Box::new(|f, _, _| {
                check(!f.data()?.production.emailed_to.is_empty(), || {
                    "the approved notice was not e-mailed to the strategic design centre and planning (004 L666)".into()
                })
            }),
        ),
        (
            "bom_provided",
            Box::new(|f, _, _| {
                check(f.data()?.production.bom_provided, || {
                    "the strategic design centre has not provided the BOM (004 L666)".into()
                })
            }),
        ),
        (
            "production_scheduled",
            Box::new(|f, _, _| {
                check(f.data()?.production.scheduled, || {
                    "production is not scheduled".into()
                })
            }),
        ),
        (
            "production_done",
            Box::new(|f, _, _| {
                check(f.data()?.production.produced, || {
                    "production is not done".into()
                })
            }),
        ),
        // --- repair (004 L667) ---
        (
            "requisition_justified",
            Box::new(|f, ctx, _| {
                let liaison = f.need::<WorkLiaison>()?;
                let attached = ctx
                    .forms
                    .iter()
                    .rev()
                    .find(|x| x.kind == MaterialRequisition::KIND);
                match (liaison.material_source, attached) {
                (MaterialSource::SlowStock, None) => Ok(()),
                (MaterialSource::SlowStock, Some(_)) => Err(
                    "material comes from the CQE's slow-moving stock: no requisition (004 L667)".into(),
                ),
                (MaterialSource::Requisition, None) => {
                    Err("the requisition must be submitted with the work liaison (004 L667)".into())
                }
                (MaterialSource::Requisition, Some(body)) => {
                    let r = MaterialRequisition::deserialize(&body.body)
                        .map_err(|e| format!("material_requisition does not parse: {e}"))?;
                    check(r.special_requirement || r.slow_stock_insufficient, || {
                        "a requisition is used only for a special requirement or when slow-moving stock is insufficient (004 L667)".into()
                    })
                }
            }
            }),
        ),
        (
            "repair_uses_requisition",
            Box::new(|f, _, _| {
                check(
                    f.need::<WorkLiaison>()?.material_source == MaterialSource::Requisition,
                    || "this repair uses slow-moving stock: no requisition to approve".into(),
                )
            }),
        ),
        (
            "liaison_approved",
            Box::new(|f, _, _| {
                check(
                    f.data()?
                        .approved
                        .contains(Action::ApproveWorkLiaison.name()),
                    || {
                        "the work liaison lacks the quality manager and department leader signatures (004 L667)".into()
                    },
                )
            }),
        ),
        (
            "repair_material_ready",
            Box::new(|f, _, _| {
                let d = f.data()?;
                let liaison = f.need::<WorkLiaison>()?;
                check(
                    liaison.material_source == MaterialSource::SlowStock
                        || d.approved.contains(Action::ApproveRequisition.name()),
                    || "the requisition for the repair is not approved (004 L659, L667)".into(),
                )?;
                check(!d.repair_material_supplied, || {
                    "the material was already supplied".into()
                })
            }),
        ),
        (
            "repair_material_supplied",
            Box::new(|f, _, _| {
                check(f.data()?.repair_material_supplied, || {
                    "no repair material was supplied".into()
                })
            }),
        ),
        // --- scrap (004 L507/L625, L658) ---
        (
            "scrap_approved",
            Box::new(|f, _, _| {
                check(
                    f.data()?.approved.contains(Action::ApproveScrap.name()),
                    || {
                        "the scrap request lacks the department leader and ADC vice-president signatures (004 L507)".into()
                    },
                )
            }),
        ),
        // --- shipping and remediation ---
        (
            "goods_ready",
            Box::new(|f, _, _| {
                let d = f.data()?;
                check(d.goods_ready > d.goods_shipped, || {
                    "no inspected (and burned-in where required) goods are waiting to ship (004 L659)".into()
                })
            }),
        ),
        (
            "remediation_complete",
            Box::new(|f, _, cfg| {
                let d = f.data()?;
                check(d.goods_ready == d.goods_shipped, || {
                    "goods are ready but not shipped to the customer".into()
                })?;
                let r = f.need::<InspectionRecord>()?;
                let to_supplier = r
                    .failed_parts
                    .iter()
                    .any(|p| cfg.supplier_return_part_kinds.contains(p));
                check(!to_supplier || d.supplier.handled, || {
                    "a failed power supply goes back to the supplier for analysis first (004 L670)"
                        .into()
                })
            }),
        ),
        // --- corrective action (004 L588–589, L653) ---
        (
            "department_named",
            Box::new(|f, _, _| {
                let esc = f.need::<DepartmentEscalation>()?;
                let plan = f.need::<CorrectiveActionPlan>()?;
                check(esc.departments.contains(&plan.department), || {
                    format!(
                        "`{}` is not a department the CQE escalated to",
                        plan.department
                    )
                })
            }),
        ),
        (
            "analysis_submitted",
            Box::new(|f, _, _| {
                check(f.data()?.department_analysis_submitted, || {
                    "the responsible departments have not submitted their analysis (004 L589)"
                        .into()
                })
            }),
        ),
        // --- review and sending (004 L651, L654, L628) ---
        (
            "outgoing_classified",
            Box::new(|f, _, cfg| {
                let r = f.need::<EightDReport>()?;
                let d = f.data()?;
                let kind = outgoing_kind(f, cfg)?;
                let red = redact_8d(&d.complaint_no, &r, kind, &cfg.confidentiality);
                check(red.is_sendable(), || {
                    format!(
                        "unclassified statements may not leave the company (004 L628): {}",
                        red.unclassified.join(", ")
                    )
                })
            }),
        ),
        (
            "vp_review_required",
            Box::new(|f, _, cfg| check(vp_required(f, cfg)?, || "no VP review is needed".into())),
        ),
        (
            "vp_review_not_required",
            Box::new(|f, _, cfg| {
                check(!vp_required(f, cfg)?, || {
                    "the vice-president reviews this report (004 L651: 必要时报副总裁审阅)".into()
                })
            }),
        ),
        (
            "report_approved",
            Box::new(|f, _, _| {
                check(
                    f.data()?.approved.contains(Action::ApproveReport.name()),
                    || {
                        "the report is not approved by the quality manager and department head (004 L651, L654)".into()
                    },
                )
            }),
        ),
        (
            "report_unchanged",
            Box::new(|f, ctx, _| {
                let attached_now = ctx.forms.iter().any(|x| x.kind == EightDReport::KIND);
                let latest = f
                    .instance
                    .forms()
                    .iter()
                    .rev()
                    .find(|x| x.form.kind == EightDReport::KIND);
                check(
                    !attached_now
                        && latest.is_some_and(|x| x.action == Action::SubmitForReview.name()),
                    || "the 8D changed after it was submitted for review: resubmit it".into(),
                )
            }),
        ),
        (
            "outgoing_report_matches",
            Box::new(|f, ctx, cfg| {
                let d = f.data()?;
                let sent = ctx
                    .forms
                    .iter()
                    .rev()
                    .find(|x| x.kind == OutgoingReport::KIND)
                    .ok_or("the outgoing report must be attached")?;
                let sent = OutgoingReport::deserialize(&sent.body)
                    .map_err(|e| format!("outgoing_report does not parse: {e}"))?;
                let expected = if ctx.action == Action::ForwardEvidence.name() {
                    let ev = f.need::<ImprovementEvidence>()?;
                    redact_statements(&d.complaint_no, &ev.statements, &cfg.confidentiality)
                } else {
                    let r = f.need::<EightDReport>()?;
                    redact_8d(
                        &d.complaint_no,
                        &r,
                        outgoing_kind(f, cfg)?,
                        &cfg.confidentiality,
                    )
                };
                check(expected.is_sendable(), || {
                    format!(
                        "unclassified statements (004 L628): {}",
                        expected.unclassified.join(", ")
                    )
                })?;
                check(sent == expected.report, || {
                    "the outgoing report is not the filtered rendering of the approved report (004 L628)".into()
                })
            }),
        ),
        (
            "package_unchanged",
            Box::new(|f, ctx, _| {
                let carries = ctx
                    .forms
                    .iter()
                    .any(|x| x.kind == EightDReport::KIND || x.kind == OutgoingReport::KIND);
                let forms = f.instance.forms();
                let last_8d = forms
                    .iter()
                    .rev()
                    .find(|x| x.form.kind == EightDReport::KIND);
                let last_out = forms
                    .iter()
                    .rev()
                    .find(|x| x.form.kind == OutgoingReport::KIND);
                let ok = match (last_8d, last_out) {
                    (Some(e), Some(o)) => {
                        e.action == Action::SubmitForReview.name()
                            && o.action == Action::ForwardToAdc.name()
                            && o.seq > e.seq
                    }
                    _ => false,
                };
                check(!carries && ok, || {
                    "the ADC forwards exactly the approved package the CQE e-mailed (004 L651)"
                        .into()
                })
            }),
        ),
        (
            "evidence_classified",
            Box::new(|f, _, cfg| {
                let d = f.data()?;
                let ev = f.need::<ImprovementEvidence>()?;
                let red = redact_statements(&d.complaint_no, &ev.statements, &cfg.confidentiality);
                check(red.is_sendable(), || {
                    format!(
                        "unclassified evidence (004 L628): {}",
                        red.unclassified.join(", ")
                    )
                })
            }),
        ),
        (
            "evidence_pending",
            Box::new(|f, _, _| {
                let d = f.data()?;
                check(d.evidence_provided > d.evidence_forwarded, || {
                    "the CQE has provided no evidence to forward (004 L623)".into()
                })
            }),
        ),
        // --- urgency (004 L623) ---
        (
            "first_reply_pending",
            Box::new(|f, _, _| {
                check(!f.data()?.first_reply_sent, || {
                    "the customer already has the reply".into()
                })
            }),
        ),
        (
            "urgent_requested",
            Box::new(|f, _, _| {
                check(f.data()?.urgent.requested, || {
                    "nobody requested urgent handling".into()
                })
            }),
        ),
        (
            "urgent_not_granted",
            Box::new(|f, _, _| {
                check(!f.data()?.urgent.granted, || {
                    "urgent handling is already approved".into()
                })
            }),
        ),
        // --- spares (004 L621) ---
        (
            "return_expected",
            Box::new(|f, _, _| {
                check(
                    f.need::<SparesShipment>()?.no_return_reason.is_none(),
                    || {
                        "this shipment says the defectives stay with the customer: use ship_spares_no_return".into()
                    },
                )
            }),
        ),
        (
            "no_return_decided",
            Box::new(|f, _, _| {
                let s = f.need::<SparesShipment>()?;
                check(
                    s.no_return_reason
                        .as_deref()
                        .is_some_and(|r| !r.trim().is_empty()),
                    || {
                        "international: the decision not to take the defectives back needs a reason (004 L621)".into()
                    },
                )
            }),
        ),
        (
            "return_settles_outstanding",
            Box::new(|f, ctx, _| {
                let before = outstanding_defectives(&Forms {
                    current: None,
                    ..*f
                })?;
                let now: i64 = ctx
                    .forms
                    .iter()
                    .filter(|x| {
                        x.kind == DefectivesReturn::KIND || x.kind == DefectivesWriteOff::KIND
                    })
                    .filter_map(|x| x.body.get("qty").and_then(Value::as_i64))
                    .sum();
                check(before > 0 && now == before, || {
                    format!(
                        "{before} replaced defective(s) outstanding: record them all at once (004 L621)"
                    )
                })
            }),
        ),
        // --- costs (004 L671, L602) ---
        (
            "costs_unconfirmed",
            Box::new(|f, _, _| {
                let d = f.data()?;
                check(d.cost_lines > d.cost_lines_confirmed, || {
                    "no cost line awaits confirmation".into()
                })
            }),
        ),
        (
            "confirmer_not_recorder",
            Box::new(|f, ctx, _| {
                let d = f.data()?;
                let skip = usize::try_from(d.cost_lines_confirmed).unwrap_or(usize::MAX);
                let own = f
                    .instance
                    .forms()
                    .iter()
                    .filter(|x| {
                        x.form.kind == CostEntry::KIND && x.action == Action::RecordCostLine.name()
                    })
                    .skip(skip)
                    .any(|x| {
                        x.by.as_ref()
                            .is_some_and(|b| ctx.actor.identities().any(|i| i == b))
                    });
                check(!own, || {
                    "a cost line may not be confirmed by whoever recorded it".into()
                })
            }),
        ),
        // --- closure (004 L623, L508/L626, L621) ---
        (
            "closure_ready",
            Box::new(|f, _, cfg| {
                let d = f.data()?;
                check(d.ledger_recorded, || {
                    "the ledger entry with the T6 reference is missing (004 L508)".into()
                })?;
                check(
                    !cfg.require_satisfaction_before_close || d.satisfaction_records > 0,
                    || "no customer-satisfaction record (004 L623)".into(),
                )?;
                let out = outstanding_defectives(&Forms {
                    current: None,
                    ..*f
                })?;
                check(out <= 0, || {
                    format!("{out} replaced defective(s) not back (004 L621)")
                })?;
                check(!d.supplier.replenishment_open, || {
                    "the supplier replenishment is still open (004 L600, L670)".into()
                })?;
                check(d.cost_lines == d.cost_lines_confirmed, || {
                    "cost lines await confirmation".into()
                })?;
                check(d.evidence_forwarded >= d.evidence_provided, || {
                    "improvement evidence was not forwarded to the customer".into()
                })?;
                if d.verdict == Some(Verdict::Fail) {
                    f.need::<EightDReport>()?.require_through(Discipline::D8)?;
                }
                let re = f.need::<ClosureRecheck>()?;
                check(re.abnormality_closed && !re.recurrence_found, || {
                    "the re-check does not confirm the abnormality closed: reopen instead (004 L623)".into()
                })
            }),
        ),
    ];
    for (name, g) in list {
        reg = add(reg, cfg, name, g);
    }
    reg
}

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
        A::RecordPass | A::RecordPassRestock => d.verdict = Some(Verdict::Pass),
        A::RecordFail => d.verdict = Some(Verdict::Fail),
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

fn effects(reg: Registry, _cfg: &Arc<Config>) -> Registry {
    reg.effect("track", |data: &mut Value, ctx: &Context<'_>| {
        let action = Action::from_name(ctx.action)
            .ok_or_else(|| format!("unknown action `{}`", ctx.action))?;
        typed_effect(data, |d| {
            track(d, action, ctx.actor);
            Ok(())
        })
    })
    .effect("goods_ready", |data: &mut Value, _: &Context<'_>| {
        typed_effect(data, |d| {
            d.goods_ready += 1;
            Ok(())
        })
    })
}
