//! The guards and effects of the procedure, each named by a [`Guard`] or [`Effect`]
//! variant and registered in [`registry`]; the domain rules they apply (responsibility,
//! charging, routing, closure) are in `rules/domain.rs`.

mod domain;

pub use domain::{
    ConcessionStatus, Liability, Route, booking_account, case_data, charging, check_judgement,
    concession_status, current_route, disputed, effective_judgement, expected_charging,
    judged_route, liability, on_file, open_obligations, route, units,
};

use super::config::Config;
use super::data::{
    BypassPenalty, CaseKind, ClaimedReturnType, Data, Loan, LoanTerms, ReplacementStatus,
};
use super::forms::{
    AcceptedAs, AccountabilityRecord, AgingRecord, AnalysisReport, ArrivalPromise, Charging,
    ChargingMark, Classification, ConcessionOutcome, ConcessionRequest, ConsentSubject,
    CostBooking, CustomerCommunication, CustomerConsent, DebitNote, DisassemblyRecord, Disposal,
    DisposalPlan, FactoryArrival, InspectionResult, LedgerEntry, LoanConversion, LoanSettlement,
    NegotiationOutcome, NegotiationRecord, OutcomeNotice, PartsStockIn, Payer, ReceiptRecord,
    ReplacementOrder, ReplacementRequest, ResponsibilityJudgement, RestockApplication,
    ReturnHandlingForm, ReturnInspectionRecord, ReturnNotice, ReturnVerdict, ReuseCheck,
    ReworkPlan, ReworkReport, SatisfactionRecord, ScrapApplication, ScrapOrigin, ShipBackRecord,
    SlowMovingEntry, SupplierClaim, SupplierReply, WorkLiaisonForm,
};
use super::{Action, Effect, Guard};
use crate::Context;
use crate::Registry;
use crate::Vocabulary;
use crate::{Form, TypedForm};
use serde::Deserialize;
use serde_json::Value;
use std::sync::Arc;

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
    domain::case_data(ctx.instance)
}

fn text<'a>(payload: &'a Value, key: &str) -> Option<&'a str> {
    payload
        .get(key)
        .and_then(Value::as_str)
        .filter(|s| !s.trim().is_empty())
}

fn judgement(ctx: &Context<'_>) -> Result<(ResponsibilityJudgement, ReturnVerdict), String> {
    effective_judgement(ctx.instance)?.ok_or_else(|| "no judgement on file".to_owned())
}

fn route_is(want: Route) -> impl Fn(&Context<'_>) -> Check + Send + Sync {
    move |ctx: &Context<'_>| {
        let got = current_route(ctx.instance)?;
        if got == want {
            Ok(())
        } else {
            Err(format!(
                "the judgement routes the goods to {} (RET-PC §4.2.2, handling item 4, step 4; QD-004 §6.2.1, §6.2.2 (004 L16, L31, L34, L492, L493))",
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
        return Err("sales has not given a new disposal plan (QD-004 §6.2.1 (004 L492))".into());
    }
    Ok(plan)
}

fn forms(r: Registry) -> Registry {
    r.typed_form::<ReturnNotice>()
        .typed_form::<FactoryArrival>()
        .typed_form::<ReceiptRecord>()
        .typed_form::<ReturnHandlingForm>()
        .typed_form::<Classification>()
        .typed_form::<ReturnInspectionRecord>()
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
        .typed_form::<ConcessionRequest>()
        .typed_form::<ConcessionOutcome>()
        .typed_form::<CustomerCommunication>()
        .typed_form::<CustomerConsent>()
        .typed_form::<AnalysisReport>()
        .typed_form::<super::forms::ProductionNotice>()
        .typed_form::<crate::procedures::confidentiality::TextRelease>()
}

/// The procedure's registry (its calendar is the default one; the definition sets the
/// host's).
pub(super) fn registry(config: &Config) -> Registry {
    let cfg = Arc::new(config.clone());
    let r = forms(Registry::new());
    let r = intake(r, &cfg);
    let r = judgement_guards(r, &cfg);
    let r = concession(r);
    let r = consent_and_reports(r, &cfg);
    let r = disposition(r, &cfg);
    let r = sign_offs(r, &cfg);
    let r = replacement(r);
    let r = settlement(r, &cfg);
    effects(r, &cfg)
}

fn intake(r: Registry, cfg: &Arc<Config>) -> Registry {
    let c1 = cfg.clone();
    let c2 = cfg.clone();
    let c3 = cfg.clone();
    r.guard(Guard::CaseAnnounceable, |ctx: &Context<'_>| {
        let d = data(ctx)?;
        d.case.validate()?;
        if d.case.is_loan() {
            return Err("a loan is lent (`lend`); its return is announced with \
                        `announce_loan_return` (QD-004 §3.4 (004 L586))"
                .into());
        }
        let notice = attached::<ReturnNotice>(ctx)?;
        if d.case.is_dealer()
            && d.case.replacement_applicable()
            && notice.dealer_commitment.is_none()
        {
            return Err(
                "on the complaint day the dealer is promised handling and ship times \
                        with the 「先补发,再追究」 principle (RF-PROP §4.2 item 1 (004 L62))"
                    .into(),
            );
        }
        Ok(())
    })
    .guard(Guard::LoanTermsValid, move |ctx: &Context<'_>| {
        let d = data(ctx)?;
        d.case.validate()?;
        if !d.case.is_loan() {
            return Err("only a loan (客借) is lent (QD-004 §3.4 (004 L586))".into());
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
    .guard(Guard::UnannouncedReceipt, |ctx: &Context<'_>| {
        let d = data(ctx)?;
        d.case.validate()?;
        if d.case.is_loan() {
            return Err("a lent sample comes back through `announce_loan_return`".into());
        }
        text(ctx.payload, "missing_notice_by")
            .map(|_| ())
            .ok_or_else(|| {
                "an unannounced return names who failed to notify production control \
             (payload `missing_notice_by`, RET-PC step 2 (004 L9))"
                    .to_owned()
            })
    })
    .guard(Guard::ReceiptCounted, move |ctx: &Context<'_>| {
        let r = attached::<ReceiptRecord>(ctx)?;
        if c2.require_isolation_label && !r.isolated_and_labelled {
            return Err("returned goods are isolated and labelled on receipt (RET-CTRL §3.5 (004 L284))".into());
        }
        if let Some((_, n)) = on_file::<ReturnNotice>(ctx.instance)? {
            if n.returned_qty != r.received_qty && r.discrepancy_note.is_none() {
                return Err(format!(
                    "counted {} but {} were announced: add a discrepancy note (点收, RET-PMC (004 L539))",
                    r.received_qty, n.returned_qty
                ));
            }
        }
        Ok(())
    })
    .guard(Guard::Cancellable, |ctx: &Context<'_>| {
        text(ctx.payload, "reason").ok_or("a cancellation gives a `reason`")?;
        if data(ctx)?.replacement >= ReplacementStatus::Ordered {
            return Err(
                "the replacement is already ordered: the goods are retrieved and \
                        appraised instead (RF-PROP §3, §4.2 item 2 (004 L50, L69))"
                    .into(),
            );
        }
        Ok(())
    })
    .guard(Guard::HandlingFormMatchesReceipt, |ctx: &Context<'_>| {
        let h = attached::<ReturnHandlingForm>(ctx)?;
        let (_, r) = filed::<ReceiptRecord>(ctx)?;
        if h.repair_order_no != r.repair_order_no {
            return Err(format!(
                "the handling form carries repair order `{}`, production control assigned `{}` \
                 (RET-PC step 1 (004 L8))",
                h.repair_order_no, r.repair_order_no
            ));
        }
        Ok(())
    })
    .guard(Guard::LoanExtensionWithinMax, move |ctx: &Context<'_>| {
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
    .guard(Guard::LoanSold, |ctx: &Context<'_>| {
        match current::<LoanConversion>(ctx)?.settlement {
            LoanSettlement::Sale { .. } => Ok(()),
            LoanSettlement::WriteOff { .. } => {
                Err("a write-off goes through `write_off_loan`".into())
            }
        }
    })
    .guard(
        Guard::LoanWrittenOff,
        |ctx: &Context<'_>| match current::<LoanConversion>(ctx)?.settlement {
            LoanSettlement::WriteOff { .. } => Ok(()),
            LoanSettlement::Sale { .. } => Err("a sale goes through `convert_loan_to_sale`".into()),
        },
    )
    .guard(Guard::NotUrgentYet, |ctx: &Context<'_>| {
        if ctx.instance.fired_by(Action::GrantUrgent.name()).is_empty() {
            Ok(())
        } else {
            Err("urgent handling is already approved".into())
        }
    })
}

fn judgement_guards(r: Registry, cfg: &Arc<Config>) -> Registry {
    let c0 = cfg.clone();
    r.guard(Guard::InspectionAttached, |ctx: &Context<'_>| {
        attached::<ReturnInspectionRecord>(ctx).map(|_| ())
    })
    .guard(Guard::JudgementConsistent, |ctx: &Context<'_>| {
        let j = attached::<ResponsibilityJudgement>(ctx)?;
        let (_, insp) = filed::<ReturnInspectionRecord>(ctx)?;
        let d = data(ctx)?;
        check_judgement(&d.case, d.replacement, &insp, &j)
    })
    .guard(Guard::JudgementCurrent, |ctx: &Context<'_>| {
        let (jseq, j) = filed::<ResponsibilityJudgement>(ctx)?;
        let (iseq, insp) = filed::<ReturnInspectionRecord>(ctx)?;
        if jseq < iseq {
            return Err("the judgement predates the latest inspection: draft it again".into());
        }
        let d = data(ctx)?;
        check_judgement(&d.case, d.replacement, &insp, &j)
    })
    .guard(Guard::RouteNegotiation, route_is(Route::Negotiate))
    .guard(Guard::RouteRestock, route_is(Route::Restock))
    .guard(Guard::RouteRework, route_is(Route::Rework))
    .guard(Guard::RouteReuseCheck, route_is(Route::ReuseCheck))
    .guard(
        Guard::NegotiatedRepair,
        move |ctx: &Context<'_>| match attached::<NegotiationRecord>(ctx)?.outcome {
            NegotiationOutcome::RepairForCustomer { fee_fen }
                if fee_fen > 0
                    && c0.favour_repair_no_deduction
                    && liability(judgement(ctx)?.0.cause) == Liability::CustomerSide =>
            {
                Err(
                    "customer-caused goods are repaired as a favour: 不可做扣款 \
                     (RET-PMC (004 L542–544))"
                        .into(),
                )
            }
            NegotiationOutcome::RepairForCustomer { .. } => Ok(()),
            _ => Err("the record's outcome is not a repair for the customer".into()),
        },
    )
    .guard(Guard::NegotiatedAcceptance, |ctx: &Context<'_>| {
        let (jseq, _) = filed::<ResponsibilityJudgement>(ctx)?;
        let record = match fresh::<NegotiationRecord>(ctx.forms)? {
            Some(n) => n,
            None => match filed::<NegotiationRecord>(ctx)? {
                (seq, n) if seq > jseq => n,
                _ => return Err("attach the negotiation record (RET-PC step 4 (004 L34))".into()),
            },
        };
        let NegotiationOutcome::AcceptReturn { accepted_as } = record.outcome else {
            return Err("the record's outcome is not an accepted return".into());
        };
        let d = data(ctx)?;
        if accepted_as == AcceptedAs::ReturnOnly
            && (d.case.replacement_applicable() || d.replacement != ReplacementStatus::None)
        {
            return Err("goods accepted as return-only are not replaced (RET-PC handling item 4 (004 L31))".into());
        }
        Ok(())
    })
    .guard(
        Guard::NegotiatedTakeBack,
        |ctx: &Context<'_>| match attached::<NegotiationRecord>(ctx)?.outcome {
            NegotiationOutcome::CustomerTakesBack => Ok(()),
            _ => Err("the record's outcome is not the customer taking the goods back".into()),
        },
    )
    .guard(Guard::RepairForCustomer, |ctx: &Context<'_>| {
        if judgement(ctx)?.1 == ReturnVerdict::RepairForCustomer {
            Ok(())
        } else {
            Err("the goods are ours, not the customer's: restock them (QD-004 §6.2.1 (004 L492))".into())
        }
    })
    .guard(Guard::GoodsAreOurs, |ctx: &Context<'_>| {
        if judgement(ctx)?.1 == ReturnVerdict::RepairForCustomer {
            Err(
                "repaired goods of the customer (帮修品) go back to the customer (RET-PC §4.2.2 (004 L16), \
                 L20)"
                    .into(),
            )
        } else {
            Ok(())
        }
    })
}

/// The customer's consent recorded after the judgement in force, attached now or on file
/// (CC-PROC §5.2.5 (004 L486)).
fn consented(ctx: &Context<'_>, subject: ConsentSubject) -> Result<bool, String> {
    let now = ctx
        .forms
        .iter()
        .filter(|f| f.kind == CustomerConsent::KIND)
        .any(|f| CustomerConsent::deserialize(&f.body).is_ok_and(|c| c.subject == subject));
    if now {
        return Ok(true);
    }
    let jseq = on_file::<ResponsibilityJudgement>(ctx.instance)?.map_or(0, |(s, _)| s);
    Ok(ctx
        .instance
        .forms()
        .iter()
        .filter(|f| f.seq > jseq && f.form.kind == CustomerConsent::KIND)
        .any(|f| CustomerConsent::deserialize(&f.form.body).is_ok_and(|c| c.subject == subject)))
}

/// The customer's consent (CC-PROC §5.2.5), the quality contacts' communication (RET-HRS),
/// the analysis report (QD-004 §5.2.2.7) and the sale-off of failed goods (RET-PROC §5.10).
fn consent_and_reports(r: Registry, cfg: &Arc<Config>) -> Registry {
    let c1 = cfg.clone();
    let c2 = cfg.clone();
    r.guard(Guard::CustomerConsentedToPlan, move |ctx: &Context<'_>| {
        if !c1.require_customer_consent || consented(ctx, ConsentSubject::Plan)? {
            Ok(())
        } else {
            Err(
                "the plan is carried out after the customer's consent: attach a \
                 `customer_consent` to the plan (经客户同意后实施, CC-PROC §5.2.5 (004 L486))"
                    .into(),
            )
        }
    })
    .guard(Guard::CustomerConsentedToScrap, move |ctx: &Context<'_>| {
        if !c2.require_customer_consent || consented(ctx, ConsentSubject::Scrap)? {
            Ok(())
        } else {
            Err(
                "the goods are scrapped after the customer's consent: attach a \
                 `customer_consent` to the scrap (CC-PROC §5.2.5 d), CC-PROC §5.2.5 (004 L486))"
                    .into(),
            )
        }
    })
    .guard(Guard::CommunicationRequested, |ctx: &Context<'_>| {
        let asked = ctx
            .instance
            .fired_by(Action::RequestQualityCommunication.name())
            .len();
        let done = ctx
            .instance
            .fired_by(Action::RecordCustomerCommunication.name())
            .len();
        if asked > done {
            Ok(())
        } else {
            Err(
                "the order follower asks for the quality contacts' communication first \
                 (RET-HRS (004 L390–396))"
                    .into(),
            )
        }
    })
    .guard(Guard::GoodsFailed, |ctx: &Context<'_>| {
        match on_file::<ReturnInspectionRecord>(ctx.instance)? {
            Some((_, r)) if r.result == InspectionResult::Fail => Ok(()),
            _ => Err(
                "an analysis report is filed for failed goods (QD-004 §5.2.2.7, \
                      QD-004 §5.2.2.7 (004 L650))"
                    .into(),
            ),
        }
    })
    .guard(Guard::FailedSaleOffPlanned, |ctx: &Context<'_>| {
        if !data(ctx)?.rework.adc_declined {
            return Err(
                "failed goods are sold off only when the design center cannot plan \
                        a repair (确认不能维修, RET-PROC §5.10 (004 L152))"
                    .into(),
            );
        }
        match disposal_plan(ctx)?.disposal {
            Disposal::SaleOff { .. } => Ok(()),
            _ => Err("quality's plan is not a sale-off (RET-PROC §5.10 (004 L152))".into()),
        }
    })
}

/// The concession (让步接受) decision and its outcome (RET-HRS (004 L397)).
fn concession(r: Registry) -> Registry {
    r.guard(Guard::ConcessionRequestable, |ctx: &Context<'_>| {
        if judged_route(ctx.instance)? != Route::Rework {
            return Err(
                "a concession (让步接受) is asked only for failed goods of ours that \
                        would otherwise be reworked or scrapped (RET-HRS (004 L397))"
                    .into(),
            );
        }
        match concession_status(ctx.instance)? {
            ConcessionStatus::NotRequested => {}
            ConcessionStatus::Pending(_) => return Err("a concession is already pending".into()),
            ConcessionStatus::Granted(o) | ConcessionStatus::Refused(o) => {
                return Err(format!(
                    "concession `{}` was already decided on this judgement",
                    o.concession
                ));
            }
        }
        let req = current::<ConcessionRequest>(ctx)?;
        let n = units(ctx.instance)?.ok_or("nothing was received")?;
        if req.qty > n {
            return Err(format!(
                "the concession covers {} units but {n} were received",
                req.qty
            ));
        }
        Ok(())
    })
    .guard(Guard::ConcessionOutcomeMatches, |ctx: &Context<'_>| {
        let o = attached::<ConcessionOutcome>(ctx)?;
        let ConcessionStatus::Pending(req) = concession_status(ctx.instance)? else {
            return Err("no concession is pending".into());
        };
        match req.concession {
            Some(id) if id != o.concession => Err(format!(
                "the outcome names concession `{}` but the return waits for `{id}`",
                o.concession
            )),
            _ => Ok(()),
        }
    })
}

fn disposition(r: Registry, cfg: &Arc<Config>) -> Registry {
    let c1 = cfg.clone();
    r.guard(Guard::RestockQtyMatches, |ctx: &Context<'_>| {
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
        Guard::AdcDeclined,
        flag(
            |d| d.rework.adc_declined,
            true,
            "the design center issues a handling plan first; the CQE disassembles only when \
             it cannot (若无法出具, QD-004 §6.2.2 (004 L493))",
        ),
    )
    .guard(Guard::AgedIfNeeded, move |ctx: &Context<'_>| {
        let (_, insp) = filed::<ReturnInspectionRecord>(ctx)?;
        if c1.age_power_supply_and_module
            && insp.involves_power_supply_or_module
            && !data(ctx)?.rework.aging_done
        {
            return Err(
                "repaired power supplies and modules are aged like a normal order \
                        first (QD-004 §5.2.2.4, §5.2.2.6 (004 L659, L667))"
                    .into(),
            );
        }
        Ok(())
    })
    .guard(
        Guard::ReinspectionFailed,
        |ctx: &Context<'_>| match attached::<ReturnInspectionRecord>(ctx)?.result {
            InspectionResult::Fail => Ok(()),
            InspectionResult::Pass => Err("the re-inspection passed: file the restock or ship \
                                           the goods back"
                .into()),
        },
    )
    .guard(Guard::PartsQtyMatches, |ctx: &Context<'_>| {
        let p = attached::<PartsStockIn>(ctx)?;
        let (_, dr) = filed::<DisassemblyRecord>(ctx)?;
        if u64::from(p.qty) != dr.reusable_qty() {
            return Err(format!(
                "{} parts stocked but {} were sorted as reusable (QD-004 §6.2.2 (004 L493))",
                p.qty,
                dr.reusable_qty()
            ));
        }
        Ok(())
    })
    .guard(Guard::ReusablePartsStocked, |ctx: &Context<'_>| {
        let (dseq, dr) = filed::<DisassemblyRecord>(ctx)?;
        let stocked = on_file::<PartsStockIn>(ctx.instance)?.is_some_and(|(s, _)| s > dseq);
        if dr.reusable_qty() == 0 || stocked {
            Ok(())
        } else {
            Err("reusable parts go back to stock first (退入仓库, QD-004 §6.2.2, §5.2.2.3 (004 L493, L658))".into())
        }
    })
    .guard(Guard::ScrapOfUnusableParts, |ctx: &Context<'_>| {
        let s = attached::<ScrapApplication>(ctx)?;
        let (_, dr) = filed::<DisassemblyRecord>(ctx)?;
        if s.origin != ScrapOrigin::Disassembly {
            return Err("this scrap comes from the disassembly".into());
        }
        let unusable = dr.unusable_qty();
        if unusable == 0 || u64::from(s.qty) > unusable {
            return Err(format!(
                "the application scraps {} parts but {unusable} were found unusable (QD-004 §6.2.2 (004 L493))",
                s.qty
            ));
        }
        Ok(())
    })
    .guard(Guard::NoUnusableParts, |ctx: &Context<'_>| {
        let (_, dr) = filed::<DisassemblyRecord>(ctx)?;
        if dr.unusable_qty() == 0 {
            Ok(())
        } else {
            Err("unusable parts are scrapped through 《报废申请单》 (QD-004 §6.2.2, §9 note 1 (004 L493, L507))".into())
        }
    })
    .guard(Guard::ScrapUnderDisposalPlan, |ctx: &Context<'_>| {
        let s = attached::<ScrapApplication>(ctx)?;
        let plan = disposal_plan(ctx)?;
        if s.origin != ScrapOrigin::DisposalPlan || plan.disposal != Disposal::Scrap {
            return Err("sales' disposal plan does not scrap the goods (QD-004 §6.2.1; RET-PROC §5.10 (004 L492, L152))".into());
        }
        if s.qty > plan.qty {
            return Err(format!("the plan scraps {} units, not {}", plan.qty, s.qty));
        }
        Ok(())
    })
    .guard(Guard::DisposalQtyMatches, |ctx: &Context<'_>| {
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
    .guard(
        Guard::PlanSaleOff,
        |ctx: &Context<'_>| match disposal_plan(ctx)?.disposal {
            Disposal::SaleOff { .. } => Ok(()),
            _ => Err("sales' plan is not a sale-off".into()),
        },
    )
    .guard(
        Guard::PlanRework,
        |ctx: &Context<'_>| match disposal_plan(ctx)?.disposal {
            Disposal::Rework => Ok(()),
            _ => Err("sales' plan is not a rework".into()),
        },
    )
}

/// The sign-off chains (restock, scrap) and the disposal plan's outcome.
fn sign_offs(r: Registry, cfg: &Arc<Config>) -> Registry {
    let c2 = cfg.clone();
    r.guard(
        Guard::RestockAwaitingQuality,
        flag(
            |d| d.restock.quality_signed,
            false,
            "the OQC inspector and the quality manager have already signed",
        ),
    )
    .guard(
        Guard::RestockQualitySigned,
        flag(
            |d| d.restock.quality_signed && !d.restock.planning_signed,
            true,
            "the planning manager signs after the OQC inspector and the quality manager \
             (QD-004 §6.2.1, §5.2.1.1 item 2 (004 L492, L649))",
        ),
    )
    .guard(
        Guard::RestockFullySigned,
        flag(
            |d| d.restock.quality_signed && d.restock.planning_signed,
            true,
            "stock-in needs 《客诉退料申请单》 signed by the OQC inspector, the quality manager \
             and then the planning manager (入库依据, QD-004 §6.2.1 (004 L492))",
        ),
    )
    .guard(Guard::SellableAsNew, |ctx: &Context<'_>| {
        if filed::<RestockApplication>(ctx)?.1.sellable_as_new {
            Ok(())
        } else {
            Err("the lamp cannot be sold as new: sales gives a disposal plan (QD-004 §6.2.1 (004 L492))".into())
        }
    })
    .guard(Guard::NotSellableAsNew, |ctx: &Context<'_>| {
        if filed::<RestockApplication>(ctx)?.1.sellable_as_new {
            Err("the lamp can be sold as new".into())
        } else {
            Ok(())
        }
    })
    .guard(
        Guard::ScrapAwaitingDepartments,
        flag(
            |d| d.scrap.departments_signed,
            false,
            "the relevant departments have already signed",
        ),
    )
    .guard(
        Guard::ScrapDepartmentsSigned,
        flag(
            |d| d.scrap.departments_signed && !d.scrap.vp_signed,
            true,
            "the vice president approves after the relevant departments have signed (QD-004 §9 note 1 (004 L507))",
        ),
    )
    .guard(
        Guard::ScrapVpSigned,
        flag(
            |d| d.scrap.vp_signed && !d.scrap.gm_signed,
            true,
            "the GM office approves after the design center's vice president (QD-004 §9 note 1; RET-PROC §5.10 (004 L507, L152))",
        ),
    )
    .guard(Guard::ScrapChainComplete, move |ctx: &Context<'_>| {
        let s = data(ctx)?.scrap;
        if !s.departments_signed || !s.vp_signed {
            return Err(
                "the scrap needs the relevant departments and the design center's vice \
                        president (QD-004 §9 note 1 (004 L507))"
                    .into(),
            );
        }
        if c2.scrap_needs_gm_office && !s.gm_signed {
            return Err(
                "the scrap needs the GM office's approval (总经办批准, RET-PROC §5.10; CC-PROC §5.2.5 (004 L152, L486))".into(),
            );
        }
        Ok(())
    })
    .guard(Guard::ScrapFromDisassembly, |ctx: &Context<'_>| {
        if filed::<ScrapApplication>(ctx)?.1.origin == ScrapOrigin::Disassembly {
            Ok(())
        } else {
            Err("this scrap came from a disposal plan".into())
        }
    })
    .guard(Guard::ScrapFromDisposalPlan, |ctx: &Context<'_>| {
        if filed::<ScrapApplication>(ctx)?.1.origin == ScrapOrigin::DisposalPlan {
            Ok(())
        } else {
            Err("this scrap came from the disassembly".into())
        }
    })
    .guard(Guard::ReuseCheckedAndQtyMatches, |ctx: &Context<'_>| {
        filed::<ReuseCheck>(ctx).map_err(|_| {
            "production first checks whether existing orders can use the goods (RET-PC handling item 4 (004 L31))".to_owned()
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
    r.guard(Guard::ReplacementRequestValid, |ctx: &Context<'_>| {
        let d = data(ctx)?;
        if let CaseKind::Return {
            claimed_type: ClaimedReturnType::ReturnOnly,
            ..
        } = d.case.kind
        {
            return Err("return-only goods (只退不补品) are not replaced (RET-PC handling item 4 (004 L31))".into());
        }
        if !d.case.replacement_applicable() {
            return Err("this case does not ask for a replacement".into());
        }
        if !matches!(
            d.replacement,
            ReplacementStatus::None | ReplacementStatus::Declined
        ) {
            return Err("a replacement is already requested".into());
        }
        let req = attached::<ReplacementRequest>(ctx)?;
        let returned = units(ctx.instance)?.ok_or("announce the return first")?;
        if req.qty != returned && req.special_requirement.is_none() {
            return Err(format!(
                "replace the returned quantity: {returned} returned, {} requested (平数补货; \
                 客户特别要求除外, RET-HRS (004 L367))",
                req.qty
            ));
        }
        if d.case.is_dealer() && req.dealer_commitment.is_none() {
            return Err(
                "the dealer is promised handling and ship times the same day (RF-PROP §4.2 item 1 (004 L62))".into(),
            );
        }
        Ok(())
    })
    .guard(
        Guard::ReplacementRequested,
        replacement_is(
            ReplacementStatus::Requested,
            "the customer service manager confirms a requested replacement (RF-PROP §3, §4.2 item 1 (004 L48, L60))",
        ),
    )
    .guard(
        Guard::ReplacementConfirmed,
        replacement_is(
            ReplacementStatus::Confirmed,
            "the replacement is ordered after the customer service manager's confirmation \
             (RF-PROP §3, §4.2 item 1 (004 L48, L60))",
        ),
    )
    .guard(Guard::ArrivalPromiseValid, |ctx: &Context<'_>| {
        if data(ctx)?.replacement < ReplacementStatus::Requested {
            return Err("no replacement is requested".into());
        }
        let p = attached::<ArrivalPromise>(ctx)?;
        if p.promised_arrival <= ctx.now {
            return Err("the promised arrival lies in the future".into());
        }
        Ok(())
    })
    .guard(Guard::ProductionScheduled, |ctx: &Context<'_>| {
        let order = attached::<ReplacementOrder>(ctx)?;
        if order.source != super::forms::ReplacementSource::Production
            || data(ctx)?.production_notice_approved
        {
            Ok(())
        } else {
            Err(
                "a produced replacement needs 《客诉排产通知单》 checked by the quality \
                 manager and approved by the vice president (QD-004 §5.2.2.5 (004 L666))"
                    .into(),
            )
        }
    })
    .guard(Guard::ProductionNoticeFiled, |ctx: &Context<'_>| {
        filed::<super::forms::ProductionNotice>(ctx)?;
        if data(ctx)?.production_notice_approved {
            Err("the production notice is already approved".into())
        } else {
            Ok(())
        }
    })
    .guard(
        Guard::ReplacementShipped,
        replacement_is(
            ReplacementStatus::Shipped,
            "the arrival of a shipped replacement is recorded",
        ),
    )
    .guard(
        Guard::ReplacementOrdered,
        replacement_is(
            ReplacementStatus::Ordered,
            "logistics ships an ordered replacement",
        ),
    )
}

fn settlement(r: Registry, cfg: &Arc<Config>) -> Registry {
    let c1 = cfg.clone();
    let c8 = cfg.clone();
    let c9 = cfg.clone();
    r.guard(
        Guard::MarkMatchesResponsibility,
        move |ctx: &Context<'_>| {
            let m = attached::<ChargingMark>(ctx)?;
            let (j, _) = judgement(ctx)?;
            let want = expected_charging(ctx.instance, &c1)?;
            if m.mark != want {
                return Err(format!(
                    "cause {:?}, as negotiated, is marked {} (RET-PROC; RET-PC handling item 2 (004 L147–151, L20))",
                    j.cause,
                    match want {
                        Charging::Free => "「免费」",
                        Charging::Charged => "「收费」",
                    }
                ));
            }
            Ok(())
        },
    )
    .guard(Guard::DebitNoteMatches, |ctx: &Context<'_>| {
        let n = attached::<DebitNote>(ctx)?;
        let (_, mark) = filed::<ChargingMark>(ctx)
            .map_err(|_| "quality marks 「收费」 before a debit (RET-PROC §5.7 (004 L151))".to_owned())?;
        if mark.mark != Charging::Charged {
            return Err("the case is marked 「免费」: nobody is debited (RET-PROC §5.7 (004 L151))".into());
        }
        let d = data(ctx)?;
        match (&n.payer, &d.case.customer.dealer_account) {
            (Payer::Dealer { account }, Some(acc)) if account == acc => Ok(()),
            (Payer::Customer, None) => Ok(()),
            (_, Some(acc)) => Err(format!(
                "the dealer's account `{acc}` is debited (帐上扣除相应金额, RF-PROP §3, §4.2 item 3 (004 L50, L71))"
            )),
            (_, None) => Err("the customer is not a dealer: the consumer pays (RET-PROC §4.1 (004 L147))".into()),
        }
    })
    .guard(Guard::DebitIssuedUnposted, |ctx: &Context<'_>| {
        filed::<DebitNote>(ctx)?;
        if ctx.instance.fired_by(Action::PostDebit.name()).is_empty() {
            Ok(())
        } else {
            Err("the debit is already posted".into())
        }
    })
    .guard(Guard::SupplierBatchDefect, |ctx: &Context<'_>| {
        supplier(ctx, true)
    })
    .guard(Guard::SupplierNonBatchDefect, |ctx: &Context<'_>| {
        supplier(ctx, false)
    })
    .guard(
        Guard::SupplierClaimOpen,
        |ctx: &Context<'_>| match on_file::<SupplierClaim>(ctx.instance)? {
            Some((_, c)) if !c.batch => Ok(()),
            _ => Err("no material was returned to the supplier (QD-004 §7.1.2 (004 L601))".into()),
        },
    )
    .guard(Guard::InternalCause, |ctx: &Context<'_>| {
        if liability(judgement(ctx)?.0.cause) == Liability::Internal {
            Ok(())
        } else {
            Err("accountability follows an internal cause (若责任为公司, RF-PROP §3 (004 L50))".into())
        }
    })
    .guard(Guard::BookingAccountMatches, |ctx: &Context<'_>| {
        let b = attached::<CostBooking>(ctx)?;
        let want = match effective_judgement(ctx.instance)? {
            Some((j, _)) => booking_account(j.cause),
            None => super::forms::BookingAccount::CostOfSales,
        };
        if b.account != want {
            return Err(format!(
                "this cost goes to {want:?} (销售成本 QD-004 §6.2.2 (004 L493); 销售费用 for a repeated \
                 misjudgment, QD-004 §5.4 (004 L602))"
            ));
        }
        Ok(())
    })
    .guard(Guard::OutcomeNoticeCleared, move |ctx: &Context<'_>| {
        let n = attached::<OutcomeNotice>(ctx)?;
        let text = super::report::outcome_notice_text(ctx.instance, &n, &c8.confidentiality);
        if text.is_sendable() {
            Ok(())
        } else {
            Err(format!(
                "statements without a category may not leave the company: classify or \
                 release {} (保密原则, QD-004 §3.6 (004 L628))",
                text.unclassified.join(", ")
            ))
        }
    })
    .guard(Guard::SatisfactionRecorded, move |ctx: &Context<'_>| {
        let closed_at = ctx
            .instance
            .forms()
            .iter()
            .rev()
            .find(|f| f.form.kind == LedgerEntry::KIND)
            .map_or(0, |f| f.seq);
        let recorded =
            on_file::<SatisfactionRecord>(ctx.instance)?.is_some_and(|(s, _)| s > closed_at);
        if !c9.require_satisfaction || recorded {
            Ok(())
        } else {
            Err(
                "the design center records the customer's satisfaction with the handling \
                 first (定期跟踪客户对客诉处理的满意度, QD-004 §8 (004 L623))"
                    .into(),
            )
        }
    })
    .guard(Guard::AllTracksSettled, |ctx: &Context<'_>| {
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
            "a non-batch defect: return the material to the supplier (QD-004 §7.1.2 (004 L601))"
                .into()
        } else {
            "a batch defect: quality convenes the supplier (QD-004 §7.1.1 (004 L600))".into()
        }),
        _ => Err("the judgement does not name the supplier (RET-PROC §5.6 (004 L150))".into()),
    }
}

fn effects(r: Registry, cfg: &Arc<Config>) -> Registry {
    let c1 = cfg.clone();
    let c2 = cfg.clone();
    r.effect(
        Effect::ReplacementRequested,
        set(|d| d.replacement = ReplacementStatus::Requested),
    )
    .effect(
        Effect::ReplacementConfirmed,
        set(|d| d.replacement = ReplacementStatus::Confirmed),
    )
    .effect(
        Effect::ReplacementOrdered,
        set(|d| d.replacement = ReplacementStatus::Ordered),
    )
    .effect(
        Effect::ReplacementShipped,
        set(|d| d.replacement = ReplacementStatus::Shipped),
    )
    .effect(
        Effect::ReplacementDeclined,
        set(|d| d.replacement = ReplacementStatus::Declined),
    )
    .effect(
        Effect::ResetProductionNotice,
        set(|d| d.production_notice_approved = false),
    )
    .effect(
        Effect::RecordProductionNoticeApproved,
        set(|d| d.production_notice_approved = true),
    )
    .effect(
        Effect::ReplacementArrived,
        set(|d| d.replacement = ReplacementStatus::Arrived),
    )
    .effect(
        Effect::RecordLiability,
        |data: &mut Value, ctx: &Context<'_>| {
            let j = ctx.typed_form::<ResponsibilityJudgement>()?;
            update(data, |d| {
                d.not_ours = matches!(
                    liability(j.cause),
                    Liability::DealerSide | Liability::CustomerSide | Liability::NoFault
                );
                Ok(())
            })
        },
    )
    .effect(
        Effect::RecordCategory,
        |data: &mut Value, ctx: &Context<'_>| {
            let c = attached::<Classification>(ctx)?;
            update(data, |d| {
                d.category = Some(c.category);
                Ok(())
            })
        },
    )
    .effect(Effect::ResetRework, set(|d| d.rework = Default::default()))
    .effect(
        Effect::RecordAdcDecline,
        set(|d| d.rework.adc_declined = true),
    )
    .effect(Effect::RecordAging, set(|d| d.rework.aging_done = true))
    .effect(
        Effect::ResetRestock,
        set(|d| d.restock = Default::default()),
    )
    .effect(
        Effect::RecordRestockQualitySignatures,
        set(|d| d.restock.quality_signed = true),
    )
    .effect(
        Effect::RecordRestockPlanningSignature,
        set(|d| d.restock.planning_signed = true),
    )
    .effect(Effect::ResetScrap, set(|d| d.scrap = Default::default()))
    .effect(
        Effect::RecordScrapDepartments,
        set(|d| d.scrap.departments_signed = true),
    )
    .effect(Effect::RecordScrapVp, set(|d| d.scrap.vp_signed = true))
    .effect(Effect::RecordScrapGm, set(|d| d.scrap.gm_signed = true))
    .effect(
        Effect::RecordUnannouncedReceipt,
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
                    what: "return arranged without notifying production control (RET-PC step 2 (004 L9))".into(),
                    amount_fen: c1.bypass_penalty_fen,
                    currency: "CNY".into(),
                    clause: "RET-PROC §7 (004 L156)".into(),
                });
                Ok(())
            })
        },
    )
    .effect(
        Effect::RecordLoan,
        move |data: &mut Value, ctx: &Context<'_>| {
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
        },
    )
    .effect(
        Effect::RecordLoanExtension,
        |data: &mut Value, ctx: &Context<'_>| {
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
        },
    )
}
