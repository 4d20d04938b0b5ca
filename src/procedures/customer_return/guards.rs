//! The registry: typed forms, named guards and named effects of the procedure.

use super::Action;
use super::config::Config;
use super::data::{
    BypassPenalty, CaseKind, ClaimedReturnType, Data, Loan, LoanTerms, ReplacementStatus,
};
use super::forms::{
    AcceptedAs, AccountabilityRecord, AgingRecord, ArrivalPromise, Charging, ChargingMark,
    Classification, CostBooking, DebitNote, DisassemblyRecord, Disposal, DisposalPlan,
    FactoryArrival, HandlingForm, InspectionRecord, InspectionResult, LedgerEntry, LoanConversion,
    LoanSettlement, NegotiationOutcome, NegotiationRecord, OutcomeNotice, PartsStockIn, Payer,
    ReceiptRecord, ReplacementOrder, ReplacementRequest, ResponsibilityJudgement,
    RestockApplication, ReturnNotice, ReuseCheck, ReworkPlan, ReworkReport, SatisfactionRecord,
    ScrapApplication, ScrapOrigin, ShipBackRecord, SlowMovingEntry, SupplierClaim, SupplierReply,
    Verdict, WorkLiaisonForm,
};
use super::rules::{
    self, Liability, Route, booking_account, check_judgement, current_route, effective_judgement,
    expected_charging, liability, on_file, open_obligations, units,
};
use crate::Context;
use crate::Registry;
use crate::Vocabulary;
use crate::{Form, TypedForm};
use serde::Deserialize;
use serde_json::Value;
use std::sync::Arc;

/// Guard names, as they appear in the definition and the diagram.
pub(super) mod g {
    pub(crate) const ANNOUNCEABLE: &str = "case_announceable";
    pub(crate) const LOAN_TERMS: &str = "loan_terms_valid";
    pub(crate) const UNANNOUNCED: &str = "unannounced_receipt";
    pub(crate) const RECEIPT: &str = "receipt_counted";
    pub(crate) const CANCELLABLE: &str = "cancellable";
    pub(crate) const REASON: &str = "reason_given";
    pub(crate) const HANDLING_FORM: &str = "handling_form_matches_receipt";
    pub(crate) const INSPECTION: &str = "inspection_attached";
    pub(crate) const JUDGEMENT_DRAFT: &str = "judgement_consistent";
    pub(crate) const JUDGEMENT_CURRENT: &str = "judgement_current";
    pub(crate) const ROUTE_NEGOTIATE: &str = "route_negotiation";
    pub(crate) const ROUTE_RESTOCK: &str = "route_restock";
    pub(crate) const ROUTE_REWORK: &str = "route_rework";
    pub(crate) const ROUTE_REUSE: &str = "route_reuse_check";
    pub(crate) const RESTOCK_QTY: &str = "restock_qty_matches";
    pub(crate) const NEG_REPAIR: &str = "negotiated_repair";
    pub(crate) const NEG_ACCEPT: &str = "negotiated_acceptance";
    pub(crate) const NEG_TAKE_BACK: &str = "negotiated_take_back";
    pub(crate) const ADC_DECLINED: &str = "adc_declined";
    pub(crate) const AGED: &str = "aged_if_needed";
    pub(crate) const REPAIR_FOR_CUSTOMER: &str = "repair_for_customer";
    pub(crate) const OUR_GOODS: &str = "goods_are_ours";
    pub(crate) const REINSPECTION_FAILED: &str = "reinspection_failed";
    pub(crate) const PARTS_STOCK_IN: &str = "parts_qty_matches";
    pub(crate) const REUSABLE_STOCKED: &str = "reusable_parts_stocked";
    pub(crate) const SCRAP_PARTS: &str = "scrap_of_unusable_parts";
    pub(crate) const NO_UNUSABLE: &str = "no_unusable_parts";
    pub(crate) const SCRAP_PLAN: &str = "scrap_under_disposal_plan";
    pub(crate) const PLAN_QTY: &str = "disposal_qty_matches";
    pub(crate) const PLAN_SALE_OFF: &str = "plan_sale_off";
    pub(crate) const PLAN_REWORK: &str = "plan_rework";
    pub(crate) const RESTOCK_AWAITING_QUALITY: &str = "restock_awaiting_quality";
    pub(crate) const RESTOCK_QUALITY_SIGNED: &str = "restock_quality_signed";
    pub(crate) const RESTOCK_SIGNED: &str = "restock_fully_signed";
    pub(crate) const SELLABLE: &str = "sellable_as_new";
    pub(crate) const NOT_SELLABLE: &str = "not_sellable_as_new";
    pub(crate) const SCRAP_AWAITING_DEPARTMENTS: &str = "scrap_awaiting_departments";
    pub(crate) const SCRAP_DEPARTMENTS_SIGNED: &str = "scrap_departments_signed";
    pub(crate) const SCRAP_VP_SIGNED: &str = "scrap_vp_signed";
    pub(crate) const SCRAP_COMPLETE: &str = "scrap_chain_complete";
    pub(crate) const SCRAP_FROM_PARTS: &str = "scrap_from_disassembly";
    pub(crate) const SCRAP_FROM_PLAN: &str = "scrap_from_disposal_plan";
    pub(crate) const SLOW_MOVING: &str = "reuse_checked_and_qty_matches";
    pub(crate) const REPLACEMENT_REQUEST: &str = "replacement_request_valid";
    pub(crate) const REPLACEMENT_REQUESTED: &str = "replacement_requested";
    pub(crate) const REPLACEMENT_CONFIRMED: &str = "replacement_confirmed";
    pub(crate) const ARRIVAL_PROMISE: &str = "arrival_promise_valid";
    pub(crate) const REPLACEMENT_ORDERED: &str = "replacement_ordered";
    pub(crate) const CHARGING_MARK: &str = "mark_matches_responsibility";
    pub(crate) const DEBIT_NOTE: &str = "debit_note_matches";
    pub(crate) const DEBIT_ISSUED: &str = "debit_issued_unposted";
    pub(crate) const SUPPLIER_BATCH: &str = "supplier_batch_defect";
    pub(crate) const SUPPLIER_SINGLE: &str = "supplier_non_batch_defect";
    pub(crate) const SUPPLIER_CLAIM_OPEN: &str = "supplier_claim_open";
    pub(crate) const INTERNAL_CAUSE: &str = "internal_cause";
    pub(crate) const COST_BOOKING: &str = "booking_account_matches";
    pub(crate) const CLOSURE: &str = "all_tracks_settled";
    pub(crate) const LOAN_EXTENSION: &str = "loan_extension_within_max";
    pub(crate) const LOAN_SOLD: &str = "loan_sold";
    pub(crate) const LOAN_WRITTEN_OFF: &str = "loan_written_off";
    pub(crate) const NOT_URGENT_YET: &str = "not_urgent_yet";
}

/// Effect names.
pub(super) mod e {
    pub(crate) const REPLACEMENT_REQUESTED: &str = "replacement_requested";
    pub(crate) const REPLACEMENT_CONFIRMED: &str = "replacement_confirmed";
    pub(crate) const REPLACEMENT_ORDERED: &str = "replacement_ordered";
    pub(crate) const REPLACEMENT_SHIPPED: &str = "replacement_shipped";
    pub(crate) const RESET_REWORK: &str = "reset_rework";
    pub(crate) const ADC_DECLINED: &str = "record_adc_decline";
    pub(crate) const AGED: &str = "record_aging";
    pub(crate) const RESET_RESTOCK: &str = "reset_restock";
    pub(crate) const RESTOCK_QUALITY: &str = "record_restock_quality_signatures";
    pub(crate) const RESTOCK_PLANNING: &str = "record_restock_planning_signature";
    pub(crate) const RESET_SCRAP: &str = "reset_scrap";
    pub(crate) const SCRAP_DEPARTMENTS: &str = "record_scrap_departments";
    pub(crate) const SCRAP_VP: &str = "record_scrap_vp";
    pub(crate) const SCRAP_GM: &str = "record_scrap_gm";
    pub(crate) const UNANNOUNCED: &str = "record_unannounced_receipt";
    pub(crate) const LOAN: &str = "record_loan";
    pub(crate) const LOAN_EXTENSION: &str = "record_loan_extension";
}

type Check = Result<(), String>;

fn fresh<T: TypedForm>(forms: &[Form]) -> Result<Option<T>, String> {
    match forms.iter().rev().find(|f| f.kind == T::KIND) {
        None => Ok(None),
        Some(f) => T::deserialize(&f.body)
            .map(Some)
            .map_err(|e| format!("malformed {}: {e}", T::KIND)),
    }
}

/// The form of type `T` attached by this command (a document filed now, not an old one).
fn attached<T: TypedForm>(ctx: &Context<'_>) -> Result<T, String> {
    fresh::<T>(ctx.forms)?.ok_or_else(|| format!("attach a new `{}` with this command", T::KIND))
}

/// The form of type `T` attached now or, failing that, on file (a sign-off's later signers
/// sign the form the first signer attached).
fn current<T: TypedForm>(ctx: &Context<'_>) -> Result<T, String> {
    match fresh::<T>(ctx.forms)? {
        Some(t) => Ok(t),
        None => filed::<T>(ctx).map(|(_, t)| t),
    }
}

/// The form of type `T` on file, which must exist.
fn filed<T: TypedForm>(ctx: &Context<'_>) -> Result<(u64, T), String> {
    on_file::<T>(ctx.instance)?.ok_or_else(|| format!("no `{}` on file", T::KIND))
}

fn data(ctx: &Context<'_>) -> Result<Data, String> {
    rules::case_data(ctx.instance)
}

fn text<'a>(payload: &'a Value, key: &str) -> Option<&'a str> {
    payload
        .get(key)
        .and_then(Value::as_str)
        .filter(|s| !s.trim().is_empty())
}

fn judgement(ctx: &Context<'_>) -> Result<(ResponsibilityJudgement, Verdict), String> {
    effective_judgement(ctx.instance)?.ok_or_else(|| "no judgement on file".to_owned())
}

fn route_is(want: Route) -> impl Fn(&Context<'_>) -> Check + Send + Sync {
    move |ctx: &Context<'_>| {
        let got = current_route(ctx.instance)?;
        if got == want {
            Ok(())
        } else {
            Err(format!(
                "the judgement routes the goods to {} (004 L16, L31, L34, L492, L493)",
                route_words(got)
            ))
        }
    }
}

fn route_words(r: Route) -> &'static str {
    match r {
        Route::Negotiate => "sales for negotiation",
        Route::Restock => "the restock sign-off",
        Route::Rework => "the design center's rework plan",
        Route::ReuseCheck => "production's reuse check",
    }
}

fn flag(
    get: fn(&Data) -> bool,
    want: bool,
    refusal: &'static str,
) -> impl Fn(&Context<'_>) -> Check + Send + Sync {
    move |ctx: &Context<'_>| {
        if get(&data(ctx)?) == want {
            Ok(())
        } else {
            Err(refusal.to_owned())
        }
    }
}

fn replacement_is(
    want: ReplacementStatus,
    refusal: &'static str,
) -> impl Fn(&Context<'_>) -> Check + Send + Sync {
    move |ctx: &Context<'_>| {
        let got = data(ctx)?.replacement;
        if got == want {
            Ok(())
        } else {
            Err(format!("{refusal} (the replacement is `{got:?}`)"))
        }
    }
}

/// Change the typed data in place.
fn update(data: &mut Value, f: impl FnOnce(&mut Data) -> Check) -> Check {
    let mut d = Data::deserialize(&*data)
        .map_err(|e| format!("the instance data is not a customer return case: {e}"))?;
    f(&mut d)?;
    *data = serde_json::to_value(&d).map_err(|e| e.to_string())?;
    Ok(())
}

fn set(f: fn(&mut Data)) -> impl Fn(&mut Value, &Context<'_>) -> Check + Send + Sync {
    move |data: &mut Value, _: &Context<'_>| {
        update(data, |d| {
            f(d);
            Ok(())
        })
    }
}

fn loan_terms(payload: &Value) -> Result<LoanTerms, String> {
    let t = LoanTerms::deserialize(payload)
        .map_err(|e| format!("the payload carries the loan terms: {e}"))?;
    t.validate()?;
    Ok(t)
}

fn disposal_plan(ctx: &Context<'_>) -> Result<DisposalPlan, String> {
    let (pseq, plan) = filed::<DisposalPlan>(ctx)?;
    let after = [
        on_file::<RestockApplication>(ctx.instance)?.map(|(s, _)| s),
        on_file::<ScrapApplication>(ctx.instance)?.map(|(s, _)| s),
    ];
    if after.into_iter().flatten().any(|s| s > pseq) {
        return Err("sales has not given a new disposal plan (004 L492)".into());
    }
    Ok(plan)
}

fn forms(r: Registry) -> Registry {
    r.typed_form::<ReturnNotice>()
        .typed_form::<FactoryArrival>()
        .typed_form::<ReceiptRecord>()
        .typed_form::<HandlingForm>()
        .typed_form::<Classification>()
        .typed_form::<InspectionRecord>()
        .typed_form::<ResponsibilityJudgement>()
        .typed_form::<NegotiationRecord>()
        .typed_form::<ReworkPlan>()
        .typed_form::<WorkLiaisonForm>()
        .typed_form::<ReworkReport>()
        .typed_form::<AgingRecord>()
        .typed_form::<DisassemblyRecord>()
        .typed_form::<PartsStockIn>()
        .typed_form::<ScrapApplication>()
        .typed_form::<RestockApplication>()
        .typed_form::<DisposalPlan>()
        .typed_form::<ReuseCheck>()
        .typed_form::<SlowMovingEntry>()
        .typed_form::<ShipBackRecord>()
        .typed_form::<ReplacementRequest>()
        .typed_form::<ReplacementOrder>()
        .typed_form::<ArrivalPromise>()
        .typed_form::<ChargingMark>()
        .typed_form::<DebitNote>()
        .typed_form::<SupplierClaim>()
        .typed_form::<SupplierReply>()
        .typed_form::<AccountabilityRecord>()
        .typed_form::<CostBooking>()
        .typed_form::<OutcomeNotice>()
        .typed_form::<LedgerEntry>()
        .typed_form::<SatisfactionRecord>()
        .typed_form::<LoanConversion>()
}

/// The procedure's registry (its calendar is the default one; the definition sets the
/// host's).
pub(super) fn build(config: &Config) -> Registry {
    let cfg = Arc::new(config.clone());
    let r = forms(Registry::new());
    let r = intake(r, &cfg);
    let r = judgement_guards(r);
    let r = disposition(r, &cfg);
    let r = replacement(r);
    let r = settlement(r, &cfg);
    effects(r, &cfg)
}

fn intake(r: Registry, cfg: &Arc<Config>) -> Registry {
    let c1 = cfg.clone();
    let c2 = cfg.clone();
    let c3 = cfg.clone();
    r.guard(g::ANNOUNCEABLE, |ctx: &Context<'_>| {
        let d = data(ctx)?;
        d.case.validate()?;
        if d.case.is_loan() {
            return Err("a loan is lent (`lend`); its return is announced with \
                        `announce_loan_return` (004 L586)"
                .into());
        }
        Ok(())
    })
    .guard(g::LOAN_TERMS, move |ctx: &Context<'_>| {
        let d = data(ctx)?;
        d.case.validate()?;
        if !d.case.is_loan() {
            return Err("only a loan (客借) is lent (004 L586)".into());
        }
        let t = loan_terms(ctx.payload)?;
        let months = t.term_months.unwrap_or(c1.loan_default_term_months);
        if months > c1.loan_max_term_months {
            return Err(format!(
                "a loan runs at most {} months (ours)",
                c1.loan_max_term_months
            ));
        }
        Ok(())
    })
    .guard(g::UNANNOUNCED, |ctx: &Context<'_>| {
        let d = data(ctx)?;
        d.case.validate()?;
        if d.case.is_loan() {
            return Err("a lent sample comes back through `announce_loan_return`".into());
        }
        text(ctx.payload, "missing_notice_by")
            .map(|_| ())
            .ok_or_else(|| {
                "an unannounced return names who failed to notify production control \
             (payload `missing_notice_by`, 004 L9)"
                    .to_owned()
            })
    })
    .guard(g::RECEIPT, move |ctx: &Context<'_>| {
        let r = attached::<ReceiptRecord>(ctx)?;
        if c2.require_isolation_label && !r.isolated_and_labelled {
            return Err("returned goods are isolated and labelled on receipt (004 L284)".into());
        }
        if let Some((_, n)) = on_file::<ReturnNotice>(ctx.instance)? {
            if n.returned_qty != r.received_qty && r.discrepancy_note.is_none() {
                return Err(format!(
                    "counted {} but {} were announced: add a discrepancy note (点收, 004 L539)",
                    r.received_qty, n.returned_qty
                ));
            }
        }
        Ok(())
    })
    .guard(g::CANCELLABLE, |ctx: &Context<'_>| {
        text(ctx.payload, "reason").ok_or("a cancellation gives a `reason`")?;
        if data(ctx)?.replacement >= ReplacementStatus::Ordered {
            return Err(
                "the replacement is already ordered: the goods are retrieved and \
                        appraised instead (004 L50, L69)"
                    .into(),
            );
        }
        Ok(())
    })
    .guard(g::REASON, |ctx: &Context<'_>| {
        text(ctx.payload, "reason")
            .map(|_| ())
            .ok_or_else(|| "give a `reason` in the payload".to_owned())
    })
    .guard(g::HANDLING_FORM, |ctx: &Context<'_>| {
        let h = attached::<HandlingForm>(ctx)?;
        let (_, r) = filed::<ReceiptRecord>(ctx)?;
        if h.repair_order_no != r.repair_order_no {
            return Err(format!(
                "the handling form carries repair order `{}`, production control assigned `{}` \
                 (004 L8)",
                h.repair_order_no, r.repair_order_no
            ));
        }
        Ok(())
    })
    .guard(g::LOAN_EXTENSION, move |ctx: &Context<'_>| {
        let loan = data(ctx)?.loan.ok_or("nothing is lent")?;
        let n = ctx
            .payload
            .get("term_months")
            .and_then(Value::as_u64)
            .filter(|&n| n > 0)
            .ok_or("give the extension in `term_months` (at least 1)")?;
        if u64::from(loan.months_granted).saturating_add(n) > u64::from(c3.loan_max_term_months) {
            return Err(format!(
                "{} months granted already: a loan runs at most {} months (ours)",
                loan.months_granted, c3.loan_max_term_months
            ));
        }
        Ok(())
    })
    .guard(g::LOAN_SOLD, |ctx: &Context<'_>| {
        match current::<LoanConversion>(ctx)?.settlement {
            LoanSettlement::Sale { .. } => Ok(()),
            LoanSettlement::WriteOff { .. } => {
                Err("a write-off goes through `write_off_loan`".into())
            }
        }
    })
    .guard(g::LOAN_WRITTEN_OFF, |ctx: &Context<'_>| {
        match current::<LoanConversion>(ctx)?.settlement {
            LoanSettlement::WriteOff { .. } => Ok(()),
            LoanSettlement::Sale { .. } => Err("a sale goes through `convert_loan_to_sale`".into()),
        }
    })
    .guard(g::NOT_URGENT_YET, |ctx: &Context<'_>| {
        if ctx.instance.fired_by(Action::GrantUrgent.name()).is_empty() {
            Ok(())
        } else {
            Err("urgent handling is already approved".into())
        }
    })
}

fn judgement_guards(r: Registry) -> Registry {
    r.guard(g::INSPECTION, |ctx: &Context<'_>| {
        attached::<InspectionRecord>(ctx).map(|_| ())
    })
    .guard(g::JUDGEMENT_DRAFT, |ctx: &Context<'_>| {
        let j = attached::<ResponsibilityJudgement>(ctx)?;
        let (_, insp) = filed::<InspectionRecord>(ctx)?;
        let d = data(ctx)?;
        check_judgement(&d.case, d.replacement, &insp, &j)
    })
    .guard(g::JUDGEMENT_CURRENT, |ctx: &Context<'_>| {
        let (jseq, j) = filed::<ResponsibilityJudgement>(ctx)?;
        let (iseq, insp) = filed::<InspectionRecord>(ctx)?;
        if jseq < iseq {
            return Err("the judgement predates the latest inspection: draft it again".into());
        }
        let d = data(ctx)?;
        check_judgement(&d.case, d.replacement, &insp, &j)
    })
    .guard(g::ROUTE_NEGOTIATE, route_is(Route::Negotiate))
    .guard(g::ROUTE_RESTOCK, route_is(Route::Restock))
    .guard(g::ROUTE_REWORK, route_is(Route::Rework))
    .guard(g::ROUTE_REUSE, route_is(Route::ReuseCheck))
    .guard(g::NEG_REPAIR, |ctx: &Context<'_>| {
        match attached::<NegotiationRecord>(ctx)?.outcome {
            NegotiationOutcome::RepairForCustomer { .. } => Ok(()),
            _ => Err("the record's outcome is not a repair for the customer".into()),
        }
    })
    .guard(g::NEG_ACCEPT, |ctx: &Context<'_>| {
        let (jseq, _) = filed::<ResponsibilityJudgement>(ctx)?;
        let record = match fresh::<NegotiationRecord>(ctx.forms)? {
            Some(n) => n,
            None => match filed::<NegotiationRecord>(ctx)? {
                (seq, n) if seq > jseq => n,
                _ => return Err("attach the negotiation record (004 L34)".into()),
            },
        };
        let NegotiationOutcome::AcceptReturn { accepted_as } = record.outcome else {
            return Err("the record's outcome is not an accepted return".into());
        };
        let d = data(ctx)?;
        if accepted_as == AcceptedAs::ReturnOnly
            && (d.case.replacement_applicable() || d.replacement != ReplacementStatus::None)
        {
            return Err("goods accepted as return-only are not replaced (004 L31)".into());
        }
        Ok(())
    })
    .guard(g::NEG_TAKE_BACK, |ctx: &Context<'_>| {
        match attached::<NegotiationRecord>(ctx)?.outcome {
            NegotiationOutcome::CustomerTakesBack => Ok(()),
            _ => Err("the record's outcome is not the customer taking the goods back".into()),
        }
    })
    .guard(g::REPAIR_FOR_CUSTOMER, |ctx: &Context<'_>| {
        if judgement(ctx)?.1 == Verdict::RepairForCustomer {
            Ok(())
        } else {
            Err("the goods are ours, not the customer's: restock them (004 L492)".into())
        }
    })
    .guard(g::OUR_GOODS, |ctx: &Context<'_>| {
        if judgement(ctx)?.1 == Verdict::RepairForCustomer {
            Err(
                "repaired goods of the customer (帮修品) go back to the customer (004 L16, \
                 L20)"
                    .into(),
            )
        } else {
            Ok(())
        }
    })
}

fn disposition(r: Registry, cfg: &Arc<Config>) -> Registry {
    let c1 = cfg.clone();
    let c2 = cfg.clone();
    r.guard(g::RESTOCK_QTY, |ctx: &Context<'_>| {
        let a = attached::<RestockApplication>(ctx)?;
        let n = units(ctx.instance)?.ok_or("nothing was received")?;
        if a.qty != n {
            return Err(format!(
                "the restock application covers {} units but {n} were received",
                a.qty
            ));
        }
        Ok(())
    })
    .guard(
        g::ADC_DECLINED,
        flag(
            |d| d.rework.adc_declined,
            true,
            "the design center issues a handling plan first; the CQE disassembles only when \
             it cannot (若无法出具, 004 L493)",
        ),
    )
    .guard(g::AGED, move |ctx: &Context<'_>| {
        let (_, insp) = filed::<InspectionRecord>(ctx)?;
        if c1.age_power_supply_and_module
            && insp.involves_power_supply_or_module
            && !data(ctx)?.rework.aging_done
        {
            return Err(
                "repaired power supplies and modules are aged like a normal order \
                        first (004 L659, L667)"
                    .into(),
            );
        }
        Ok(())
    })
    .guard(
        g::REINSPECTION_FAILED,
        |ctx: &Context<'_>| match attached::<InspectionRecord>(ctx)?.result {
            InspectionResult::Fail => Ok(()),
            InspectionResult::Pass => Err("the re-inspection passed: file the restock or ship \
                                           the goods back"
                .into()),
        },
    )
    .guard(g::PARTS_STOCK_IN, |ctx: &Context<'_>| {
        let p = attached::<PartsStockIn>(ctx)?;
        let (_, dr) = filed::<DisassemblyRecord>(ctx)?;
        if u64::from(p.qty) != dr.reusable_qty() {
            return Err(format!(
                "{} parts stocked but {} were sorted as reusable (004 L493)",
                p.qty,
                dr.reusable_qty()
            ));
        }
        Ok(())
    })
    .guard(g::REUSABLE_STOCKED, |ctx: &Context<'_>| {
        let (dseq, dr) = filed::<DisassemblyRecord>(ctx)?;
        let stocked = on_file::<PartsStockIn>(ctx.instance)?.is_some_and(|(s, _)| s > dseq);
        if dr.reusable_qty() == 0 || stocked {
            Ok(())
        } else {
            Err("reusable parts go back to stock first (退入仓库, 004 L493, L658)".into())
        }
    })
    .guard(g::SCRAP_PARTS, |ctx: &Context<'_>| {
        let s = attached::<ScrapApplication>(ctx)?;
        let (_, dr) = filed::<DisassemblyRecord>(ctx)?;
        if s.origin != ScrapOrigin::Disassembly {
            return Err("this scrap comes from the disassembly".into());
        }
        let unusable = dr.unusable_qty();
        if unusable == 0 || u64::from(s.qty) > unusable {
            return Err(format!(
                "the application scraps {} parts but {unusable} were found unusable (004 L493)",
                s.qty
            ));
        }
        Ok(())
    })
    .guard(g::NO_UNUSABLE, |ctx: &Context<'_>| {
        let (_, dr) = filed::<DisassemblyRecord>(ctx)?;
        if dr.unusable_qty() == 0 {
            Ok(())
        } else {
            Err("unusable parts are scrapped through 《报废申请单》 (004 L493, L507)".into())
        }
    })
    .guard(g::SCRAP_PLAN, |ctx: &Context<'_>| {
        let s = attached::<ScrapApplication>(ctx)?;
        let plan = disposal_plan(ctx)?;
        if s.origin != ScrapOrigin::DisposalPlan || plan.disposal != Disposal::Scrap {
            return Err("sales' disposal plan does not scrap the goods (004 L492, L152)".into());
        }
        if s.qty > plan.qty {
            return Err(format!("the plan scraps {} units, not {}", plan.qty, s.qty));
        }
        Ok(())
    })
    .guard(g::PLAN_QTY, |ctx: &Context<'_>| {
        let p = attached::<DisposalPlan>(ctx)?;
        let n = units(ctx.instance)?.ok_or("nothing was received")?;
        if p.qty > n {
            return Err(format!(
                "the plan covers {} units but {n} were received",
                p.qty
            ));
        }
        Ok(())
    })
    .guard(g::PLAN_SALE_OFF, |ctx: &Context<'_>| {
        match disposal_plan(ctx)?.disposal {
            Disposal::SaleOff { .. } => Ok(()),
            _ => Err("sales' plan is not a sale-off".into()),
        }
    })
    .guard(g::PLAN_REWORK, |ctx: &Context<'_>| {
        match disposal_plan(ctx)?.disposal {
            Disposal::Rework => Ok(()),
            _ => Err("sales' plan is not a rework".into()),
        }
    })
    .guard(
        g::RESTOCK_AWAITING_QUALITY,
        flag(
            |d| d.restock.quality_signed,
            false,
            "the OQC inspector and the quality manager have already signed",
        ),
    )
    .guard(
        g::RESTOCK_QUALITY_SIGNED,
        flag(
            |d| d.restock.quality_signed && !d.restock.planning_signed,
            true,
            "the planning manager signs after the OQC inspector and the quality manager \
             (004 L492, L649)",
        ),
    )
    .guard(
        g::RESTOCK_SIGNED,
        flag(
            |d| d.restock.quality_signed && d.restock.planning_signed,
            true,
            "stock-in needs 《客诉退料申请单》 signed by the OQC inspector, the quality manager \
             and then the planning manager (入库依据, 004 L492)",
        ),
    )
    .guard(g::SELLABLE, |ctx: &Context<'_>| {
        if filed::<RestockApplication>(ctx)?.1.sellable_as_new {
            Ok(())
        } else {
            Err("the lamp cannot be sold as new: sales gives a disposal plan (004 L492)".into())
        }
    })
    .guard(g::NOT_SELLABLE, |ctx: &Context<'_>| {
        if filed::<RestockApplication>(ctx)?.1.sellable_as_new {
            Err("the lamp can be sold as new".into())
        } else {
            Ok(())
        }
    })
    .guard(
        g::SCRAP_AWAITING_DEPARTMENTS,
        flag(
            |d| d.scrap.departments_signed,
            false,
            "the relevant departments have already signed",
        ),
    )
    .guard(
        g::SCRAP_DEPARTMENTS_SIGNED,
        flag(
            |d| d.scrap.departments_signed && !d.scrap.vp_signed,
            true,
            "the vice president approves after the relevant departments have signed (004 L507)",
        ),
    )
    .guard(
        g::SCRAP_VP_SIGNED,
        flag(
            |d| d.scrap.vp_signed && !d.scrap.gm_signed,
            true,
            "the GM office approves after the design center's vice president (004 L507, L152)",
        ),
    )
    .guard(g::SCRAP_COMPLETE, move |ctx: &Context<'_>| {
        let s = data(ctx)?.scrap;
        if !s.departments_signed || !s.vp_signed {
            return Err(
                "the scrap needs the relevant departments and the design center's vice \
                        president (004 L507)"
                    .into(),
            );
        }
        if c2.scrap_needs_gm_office && !s.gm_signed {
            return Err(
                "the scrap needs the GM office's approval (总经办批准, 004 L152, L486)".into(),
            );
        }
        Ok(())
    })
    .guard(g::SCRAP_FROM_PARTS, |ctx: &Context<'_>| {
        if filed::<ScrapApplication>(ctx)?.1.origin == ScrapOrigin::Disassembly {
            Ok(())
        } else {
            Err("this scrap came from a disposal plan".into())
        }
    })
    .guard(g::SCRAP_FROM_PLAN, |ctx: &Context<'_>| {
        if filed::<ScrapApplication>(ctx)?.1.origin == ScrapOrigin::DisposalPlan {
            Ok(())
        } else {
            Err("this scrap came from the disassembly".into())
        }
    })
    .guard(g::SLOW_MOVING, |ctx: &Context<'_>| {
        filed::<ReuseCheck>(ctx).map_err(|_| {
            "production first checks whether existing orders can use the goods (004 L31)".to_owned()
        })?;
        let s = attached::<SlowMovingEntry>(ctx)?;
        let n = units(ctx.instance)?.ok_or("nothing was received")?;
        if s.qty != n {
            return Err(format!("{} units entered but {n} were received", s.qty));
        }
        Ok(())
    })
}

fn replacement(r: Registry) -> Registry {
    r.guard(g::REPLACEMENT_REQUEST, |ctx: &Context<'_>| {
        let d = data(ctx)?;
        if let CaseKind::Return {
            claimed_type: ClaimedReturnType::ReturnOnly,
            ..
        } = d.case.kind
        {
            return Err("return-only goods (只退不补品) are not replaced (004 L31)".into());
        }
        if !d.case.replacement_applicable() {
            return Err("this case does not ask for a replacement".into());
        }
        if d.replacement != ReplacementStatus::None {
            return Err("a replacement is already requested".into());
        }
        let req = attached::<ReplacementRequest>(ctx)?;
        let returned = units(ctx.instance)?.ok_or("announce the return first")?;
        if req.qty != returned && req.special_requirement.is_none() {
            return Err(format!(
                "replace the returned quantity: {returned} returned, {} requested (平数补货; \
                 客户特别要求除外, 004 L367)",
                req.qty
            ));
        }
        if d.case.is_dealer() && req.dealer_commitment.is_none() {
            return Err(
                "the dealer is promised handling and ship times the same day (004 L62)".into(),
            );
        }
        Ok(())
    })
    .guard(
        g::REPLACEMENT_REQUESTED,
        replacement_is(
            ReplacementStatus::Requested,
            "the customer service manager confirms a requested replacement (004 L48, L60)",
        ),
    )
    .guard(
        g::REPLACEMENT_CONFIRMED,
        replacement_is(
            ReplacementStatus::Confirmed,
            "the replacement is ordered after the customer service manager's confirmation \
             (004 L48, L60)",
        ),
    )
    .guard(g::ARRIVAL_PROMISE, |ctx: &Context<'_>| {
        if data(ctx)?.replacement < ReplacementStatus::Requested {
            return Err("no replacement is requested".into());
        }
        let p = attached::<ArrivalPromise>(ctx)?;
        if p.promised_arrival <= ctx.now {
            return Err("the promised arrival lies in the future".into());
        }
        Ok(())
    })
    .guard(
        g::REPLACEMENT_ORDERED,
        replacement_is(
            ReplacementStatus::Ordered,
            "logistics ships an ordered replacement",
        ),
    )
}

fn settlement(r: Registry, cfg: &Arc<Config>) -> Registry {
    let c1 = cfg.clone();
    r.guard(g::CHARGING_MARK, move |ctx: &Context<'_>| {
        let m = attached::<ChargingMark>(ctx)?;
        let (j, _) = judgement(ctx)?;
        let want = expected_charging(ctx.instance, &c1)?;
        if m.mark != want {
            return Err(format!(
                "cause {:?}, as negotiated, is marked {} (004 L147–151, L20)",
                j.cause,
                match want {
                    Charging::Free => "「免费」",
                    Charging::Charged => "「收费」",
                }
            ));
        }
        Ok(())
    })
    .guard(g::DEBIT_NOTE, |ctx: &Context<'_>| {
        let n = attached::<DebitNote>(ctx)?;
        let (_, mark) = filed::<ChargingMark>(ctx)
            .map_err(|_| "quality marks 「收费」 before a debit (004 L151)".to_owned())?;
        if mark.mark != Charging::Charged {
            return Err("the case is marked 「免费」: nobody is debited (004 L151)".into());
        }
        let d = data(ctx)?;
        match (&n.payer, &d.case.customer.dealer_account) {
            (Payer::Dealer { account }, Some(acc)) if account == acc => Ok(()),
            (Payer::Customer, None) => Ok(()),
            (_, Some(acc)) => Err(format!(
                "the dealer's account `{acc}` is debited (帐上扣除相应金额, 004 L50, L71)"
            )),
            (_, None) => Err("the customer is not a dealer: the consumer pays (004 L147)".into()),
        }
    })
    .guard(g::DEBIT_ISSUED, |ctx: &Context<'_>| {
        filed::<DebitNote>(ctx)?;
        if ctx.instance.fired_by(Action::PostDebit.name()).is_empty() {
            Ok(())
        } else {
            Err("the debit is already posted".into())
        }
    })
    .guard(g::SUPPLIER_BATCH, |ctx: &Context<'_>| supplier(ctx, true))
    .guard(g::SUPPLIER_SINGLE, |ctx: &Context<'_>| supplier(ctx, false))
    .guard(g::SUPPLIER_CLAIM_OPEN, |ctx: &Context<'_>| {
        match on_file::<SupplierClaim>(ctx.instance)? {
            Some((_, c)) if !c.batch => Ok(()),
            _ => Err("no material was returned to the supplier (004 L601)".into()),
        }
    })
    .guard(g::INTERNAL_CAUSE, |ctx: &Context<'_>| {
        if liability(judgement(ctx)?.0.cause) == Liability::Internal {
            Ok(())
        } else {
            Err("accountability follows an internal cause (若责任为公司, 004 L50)".into())
        }
    })
    .guard(g::COST_BOOKING, |ctx: &Context<'_>| {
        let b = attached::<CostBooking>(ctx)?;
        let want = match effective_judgement(ctx.instance)? {
            Some((j, _)) => booking_account(j.cause),
            None => super::forms::BookingAccount::CostOfSales,
        };
        if b.account != want {
            return Err(format!(
                "this cost goes to {want:?} (销售成本 004 L493; 销售费用 for a repeated \
                 misjudgment, 004 L602)"
            ));
        }
        Ok(())
    })
    .guard(g::CLOSURE, |ctx: &Context<'_>| {
        let open = open_obligations(ctx.instance)?;
        if open.is_empty() {
            Ok(())
        } else {
            Err(open.join("; "))
        }
    })
}

fn supplier(ctx: &Context<'_>, batch: bool) -> Check {
    let (j, _) = judgement(ctx)?;
    let claim = attached::<SupplierClaim>(ctx)?;
    match j.cause {
        super::forms::Cause::Supplier { batch: b } if b == batch && claim.batch == batch => Ok(()),
        super::forms::Cause::Supplier { .. } => Err(if batch {
            "a non-batch defect: return the material to the supplier (004 L601)".into()
        } else {
            "a batch defect: quality convenes the supplier (004 L600)".into()
        }),
        _ => Err("the judgement does not name the supplier (004 L150)".into()),
    }
}

fn effects(r: Registry, cfg: &Arc<Config>) -> Registry {
    let c1 = cfg.clone();
    let c2 = cfg.clone();
    r.effect(
        e::REPLACEMENT_REQUESTED,
        set(|d| d.replacement = ReplacementStatus::Requested),
    )
    .effect(
        e::REPLACEMENT_CONFIRMED,
        set(|d| d.replacement = ReplacementStatus::Confirmed),
    )
    .effect(
        e::REPLACEMENT_ORDERED,
        set(|d| d.replacement = ReplacementStatus::Ordered),
    )
    .effect(
        e::REPLACEMENT_SHIPPED,
        set(|d| d.replacement = ReplacementStatus::Shipped),
    )
    .effect(e::RESET_REWORK, set(|d| d.rework = Default::default()))
    .effect(e::ADC_DECLINED, set(|d| d.rework.adc_declined = true))
    .effect(e::AGED, set(|d| d.rework.aging_done = true))
    .effect(e::RESET_RESTOCK, set(|d| d.restock = Default::default()))
    .effect(e::RESTOCK_QUALITY, set(|d| d.restock.quality_signed = true))
    .effect(
        e::RESTOCK_PLANNING,
        set(|d| d.restock.planning_signed = true),
    )
    .effect(e::RESET_SCRAP, set(|d| d.scrap = Default::default()))
    .effect(
        e::SCRAP_DEPARTMENTS,
        set(|d| d.scrap.departments_signed = true),
    )
    .effect(e::SCRAP_VP, set(|d| d.scrap.vp_signed = true))
    .effect(e::SCRAP_GM, set(|d| d.scrap.gm_signed = true))
    .effect(
        e::UNANNOUNCED,
        move |data: &mut Value, ctx: &Context<'_>| {
            if !c1.penalise_unannounced {
                return Ok(());
            }
            let who = text(ctx.payload, "missing_notice_by")
                .ok_or("name who failed to notify production control")?
                .to_owned();
            update(data, |d| {
                d.bypasses.push(BypassPenalty {
                    responsible: who.into(),
                    what: "return arranged without notifying production control (004 L9)".into(),
                    amount_fen: c1.bypass_penalty_fen,
                    currency: "CNY".into(),
                    clause: "004 L156".into(),
                });
                Ok(())
            })
        },
    )
    .effect(e::LOAN, move |data: &mut Value, ctx: &Context<'_>| {
        let terms = loan_terms(ctx.payload)?;
        let months = terms.term_months.unwrap_or(c2.loan_default_term_months);
        update(data, |d| {
            d.loan = Some(Loan {
                terms,
                term_months: months,
                months_granted: months,
            });
            Ok(())
        })
    })
    .effect(e::LOAN_EXTENSION, |data: &mut Value, ctx: &Context<'_>| {
        let n = ctx
            .payload
            .get("term_months")
            .and_then(Value::as_u64)
            .and_then(|n| u32::try_from(n).ok())
            .ok_or("give the extension in `term_months`")?;
        update(data, |d| {
            let loan = d.loan.as_mut().ok_or("nothing is lent")?;
            loan.term_months = n;
            loan.months_granted = loan.months_granted.saturating_add(n);
            Ok(())
        })
    })
}
