//! The procedure's rules as pure functions: responsibility → free or charged → who pays,
//! routing after the judgement, judgement consistency, and what still blocks closure.
//! Guards call these; hosts may call them too (e.g. to show what is missing).

use super::super::Action;
use super::super::config::Config;
use super::super::data::{Case, CaseKind, ClaimedReturnType, Data, ReplacementStatus};
use super::super::forms::{
    AcceptedAs, AccountabilityRecord, AnalysisReport, BookingAccount, Cause, Charging,
    ChargingMark, ConcessionOutcome, ConcessionRequest, CostBooking, DebitNote, InspectionResult,
    LoanConversion, NegotiationOutcome, NegotiationRecord, OutcomeNotice, ReceiptRecord,
    ResponsibilityJudgement, ReturnInspectionRecord, ReturnNotice, ReturnVerdict, SupplierClaim,
    SupplierReply,
};
use crate::Instance;
use crate::TypedForm;
use crate::Vocabulary;

/// Who is responsible, by family of causes (RET-PROC (004 L146–150)).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Liability {
    /// 经销商原因 and 无故退货 (RET-PROC §4.1; RF-PROP §3 (004 L147, L50)).
    DealerSide,
    /// The customer's side: 客户的责任, non-quality return, changed need (RET-PC handling item 2; QD-004 §3.2, §3.3 (004 L20, L584, L585)).
    CustomerSide,
    /// 质量原因, 工艺原因, the design center (RET-PROC §4.2, §4.3; QD-004 §3.3 (004 L148, L149, L585)).
    Internal,
    /// The supplier (RET-PROC §5.6; QD-004 §7.1 (004 L150, L599–601)).
    Supplier,
    /// Nobody: a customer misjudgment of a good product, or a loan back intact.
    NoFault,
}

/// The family of `cause`.
pub fn liability(cause: Cause) -> Liability {
    match cause {
        Cause::DealerLogistics
        | Cause::DealerInstallation
        | Cause::Misuse
        | Cause::NoCauseReturn => Liability::DealerSide,
        Cause::CustomerCaused | Cause::NonQualityReturn | Cause::CustomerNeedChanged => {
            Liability::CustomerSide
        }
        Cause::QualityInspection | Cause::Process | Cause::AdcMiscommunication => {
            Liability::Internal
        }
        Cause::Supplier { .. } => Liability::Supplier,
        Cause::CustomerMisjudgment { .. } | Cause::NoFault => Liability::NoFault,
    }
}

/// 「免费」 or 「收费」 for `cause` (RET-PROC §5.7 (004 L151)): charged when the responsibility is not ours
/// (dealer or customer side, RET-PROC §4.1; RF-PROP §3 (004 L147, L50)), free otherwise. A changed need in an exchange is
/// charged unless configured otherwise (ours).
pub fn charging(cause: Cause, config: &Config) -> Charging {
    match (liability(cause), cause) {
        (Liability::CustomerSide, Cause::CustomerNeedChanged)
            if !config.exchange_need_changed_charged =>
        {
            Charging::Free
        }
        (Liability::DealerSide | Liability::CustomerSide, _) => Charging::Charged,
        _ => Charging::Free,
    }
}

/// 「免费」 or 「收费」 for the case as it stands: a negotiated outcome that follows the
/// judgement decides (a repair at a fee is charged, a free repair or goods the customer takes
/// back as they are is free: 由业务和客户协调沟通返修及付费事宜, RET-PC handling item 2, step 4 (004 L20, L34); ours for the
/// take-back); otherwise the cause decides ([`charging`]).
///
/// # Errors
/// No judgement on file, or a malformed form.
pub fn expected_charging(inst: &Instance, config: &Config) -> Result<Charging, String> {
    let (jseq, j) = on_file::<ResponsibilityJudgement>(inst)?
        .ok_or_else(|| "no judgement on file".to_owned())?;
    Ok(match on_file::<NegotiationRecord>(inst)? {
        Some((nseq, n)) if nseq > jseq => match n.outcome {
            NegotiationOutcome::RepairForCustomer { fee_fen } if fee_fen > 0 => Charging::Charged,
            NegotiationOutcome::RepairForCustomer { .. }
            | NegotiationOutcome::CustomerTakesBack => Charging::Free,
            NegotiationOutcome::AcceptReturn { .. } => charging(j.cause, config),
        },
        _ => charging(j.cause, config),
    })
}

/// The account a confirmed reprocessing cost goes to: selling expense for a repeated
/// customer misjudgment (QD-004 §5.4 (004 L602)), cost of sales otherwise (QD-004 §6.2.2 (004 L493)).
pub fn booking_account(cause: Cause) -> BookingAccount {
    match cause {
        Cause::CustomerMisjudgment { repeat: true } => BookingAccount::SellingExpense,
        _ => BookingAccount::CostOfSales,
    }
}

/// Where the goods go after the judgement. Exactly one route holds for any judgement.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Route {
    /// To sales for negotiation with the customer: a repair-for-customer verdict, which is
    /// also the dispute of RET-PC step 4 (004 L34) when the customer claimed a sales return or return-only
    /// goods (RET-PC §4.2.2, handling item 2, step 4 (004 L16, L20, L34)).
    Negotiate,
    /// Passed, back to stock: the restock sign-off (QD-004 §6.2.1 (004 L492)).
    Restock,
    /// Failed: the design center's rework plan (QD-004 §6.2.2 (004 L493)).
    Rework,
    /// Return-only goods: production checks reuse (RET-PC handling item 4 (004 L31)).
    ReuseCheck,
}

/// The route for an inspection result and an (effective) verdict.
pub fn route(result: InspectionResult, verdict: ReturnVerdict) -> Route {
    match (verdict, result) {
        (ReturnVerdict::RepairForCustomer, _) => Route::Negotiate,
        (ReturnVerdict::ReturnOnly, _) => Route::ReuseCheck,
        (ReturnVerdict::SalesReturn, InspectionResult::Pass) => Route::Restock,
        (ReturnVerdict::SalesReturn, InspectionResult::Fail) => Route::Rework,
    }
}

/// Check a judgement against the case, the replacement track and the inspection.
///
/// # Errors
/// The first inconsistency, citing its clause.
pub fn check_judgement(
    case: &Case,
    replacement: ReplacementStatus,
    inspection: &ReturnInspectionRecord,
    judgement: &ResponsibilityJudgement,
) -> Result<(), String> {
    judgement.validate()?;
    match case.kind {
        CaseKind::Exchange { .. } | CaseKind::Loan
            if judgement.verdict != ReturnVerdict::SalesReturn =>
        {
            return Err(
                "exchanged or lent goods come back to our stock: the verdict is 销退品 (ours)"
                    .into(),
            );
        }
        CaseKind::Exchange { .. }
            if inspection.result == InspectionResult::Pass
                && !matches!(
                    judgement.cause,
                    Cause::CustomerNeedChanged | Cause::AdcMiscommunication
                ) =>
        {
            return Err(
                "an exchange of good goods is a changed need or a design-center \
                        misunderstanding (QD-004 §3.3 (004 L585))"
                    .into(),
            );
        }
        _ => {}
    }
    if judgement.cause == Cause::NoFault && !case.is_loan() {
        return Err("only a loan comes back with nobody at fault".into());
    }
    if judgement.verdict == ReturnVerdict::ReturnOnly {
        check_return_only(case, replacement)?;
    }
    Ok(())
}

fn check_return_only(case: &Case, replacement: ReplacementStatus) -> Result<(), String> {
    if !matches!(case.kind, CaseKind::Return { .. }) {
        return Err(
            "only a return (客退) can be return-only goods (RET-PC handling item 4 (004 L31))"
                .into(),
        );
    }
    if case.replacement_applicable() || replacement != ReplacementStatus::None {
        return Err(
            "return-only goods (只退不补品) are not replaced, but a replacement is wanted \
                    (RET-PC handling item 4 (004 L31))"
                .into(),
        );
    }
    Ok(())
}

/// Whether the customer's claimed type conflicts with quality's verdict (RET-PC step 4 (004 L34)).
pub fn disputed(case: &Case, verdict: ReturnVerdict) -> bool {
    matches!(
        case.kind,
        CaseKind::Return {
            claimed_type: ClaimedReturnType::SalesReturn | ClaimedReturnType::ReturnOnly,
            ..
        }
    ) && verdict == ReturnVerdict::RepairForCustomer
}

/// The latest form of type `T` on file, with the sequence number of its event.
///
/// # Errors
/// A form on file that does not parse (a foreign or corrupted instance).
pub fn on_file<T: TypedForm>(inst: &Instance) -> Result<Option<(u64, T)>, String> {
    match inst.forms().iter().rev().find(|f| f.form.kind == T::KIND) {
        None => Ok(None),
        Some(f) => T::deserialize(&f.form.body)
            .map(|t| Some((f.seq, t)))
            .map_err(|e| format!("malformed {} on file: {e}", T::KIND)),
    }
}

/// The instance data, typed.
///
/// # Errors
/// Data that is not a customer-return case.
pub fn case_data(inst: &Instance) -> Result<Data, String> {
    inst.data_as::<Data>()
        .map_err(|e| format!("the instance data is not a customer return case: {e}"))
}

/// The units received by production control (or announced, before receipt).
///
/// # Errors
/// A malformed form on file.
pub fn units(inst: &Instance) -> Result<Option<u32>, String> {
    if let Some((_, r)) = on_file::<ReceiptRecord>(inst)? {
        return Ok(Some(r.received_qty));
    }
    Ok(on_file::<ReturnNotice>(inst)?.map(|(_, n)| n.returned_qty))
}

/// The judgement in force and the verdict after any negotiation that followed it: an
/// accepted return replaces a repair-for-customer verdict (RET-PC step 4; RET-PMC (004 L34, L545–546)).
///
/// # Errors
/// A malformed form on file.
pub fn effective_judgement(
    inst: &Instance,
) -> Result<Option<(ResponsibilityJudgement, ReturnVerdict)>, String> {
    let Some((jseq, j)) = on_file::<ResponsibilityJudgement>(inst)? else {
        return Ok(None);
    };
    let verdict = match on_file::<NegotiationRecord>(inst)? {
        Some((nseq, n)) if nseq > jseq => match n.outcome {
            NegotiationOutcome::AcceptReturn {
                accepted_as: AcceptedAs::SalesReturn,
            } => ReturnVerdict::SalesReturn,
            NegotiationOutcome::AcceptReturn {
                accepted_as: AcceptedAs::ReturnOnly,
            } => ReturnVerdict::ReturnOnly,
            _ => j.verdict,
        },
        _ => j.verdict,
    };
    Ok(Some((j, verdict)))
}

/// The route of an instance in `judged`: the judgement's route ([`judged_route`]), except
/// that goods released by a granted concession (让步接受) go to the restock sign-off as they
/// are (RET-HRS (004 L397)).
///
/// # Errors
/// No inspection or judgement on file, or a malformed form.
pub fn current_route(inst: &Instance) -> Result<Route, String> {
    if let ConcessionStatus::Granted(_) = concession_status(inst)? {
        return Ok(Route::Restock);
    }
    judged_route(inst)
}

/// The route the judgement in force gives (before any concession).
///
/// # Errors
/// No inspection or judgement on file, or a malformed form.
pub fn judged_route(inst: &Instance) -> Result<Route, String> {
    let (_, inspection) = on_file::<ReturnInspectionRecord>(inst)?
        .ok_or_else(|| "no inspection record on file".to_owned())?;
    let (_, verdict) =
        effective_judgement(inst)?.ok_or_else(|| "no judgement on file".to_owned())?;
    Ok(route(inspection.result, verdict))
}

/// Where a concession (让步接受) on the judgement in force stands (RET-HRS (004 L397)).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ConcessionStatus {
    /// No concession was asked on the judgement in force.
    NotRequested,
    /// Asked; the return waits in `awaiting_concession` for the outcome.
    Pending(ConcessionRequest),
    /// Granted: the goods are released as they are.
    Granted(ConcessionOutcome),
    /// Refused: the goods are disposed of by the judgement's route.
    Refused(ConcessionOutcome),
}

/// The concession asked after the latest judgement, and its outcome if any.
///
/// # Errors
/// A malformed form on file.
pub fn concession_status(inst: &Instance) -> Result<ConcessionStatus, String> {
    let jseq = on_file::<ResponsibilityJudgement>(inst)?.map_or(0, |(s, _)| s);
    let Some((rseq, request)) = on_file::<ConcessionRequest>(inst)?.filter(|(s, _)| *s > jseq)
    else {
        return Ok(ConcessionStatus::NotRequested);
    };
    Ok(match on_file::<ConcessionOutcome>(inst)? {
        Some((oseq, o)) if oseq > rseq && o.granted => ConcessionStatus::Granted(o),
        Some((oseq, o)) if oseq > rseq => ConcessionStatus::Refused(o),
        _ => ConcessionStatus::Pending(request),
    })
}

fn fired(inst: &Instance, action: Action) -> bool {
    !inst.fired_by(action.name()).is_empty()
}

/// What still blocks closing the case, each with its clause; empty when it may close.
///
/// # Errors
/// Malformed data or forms.
pub fn open_obligations(inst: &Instance) -> Result<Vec<String>, String> {
    let data = case_data(inst)?;
    let mut open = Vec::new();
    if on_file::<OutcomeNotice>(inst)?.is_none() {
        open.push("the customer has not been told the outcome (CC-PROC §5.2.1; QD-004 §8 (004 L478, L623))".to_owned());
    }
    if data.case.replacement_applicable()
        && !data.replacement.shipped()
        && data.replacement != ReplacementStatus::Declined
    {
        open.push(
            "the replacement has not been shipped (RF-PROP §3, §4.2 item 1 (004 L48, L60))"
                .to_owned(),
        );
    }
    if on_file::<ReturnInspectionRecord>(inst)?
        .is_some_and(|(_, r)| r.result == InspectionResult::Fail)
        && on_file::<AnalysisReport>(inst)?.is_none()
    {
        open.push(
            "the failed goods have no analysis report (QD-004 §5.2.2.7 (004 L650))".to_owned(),
        );
    }
    let Some((jseq, judgement)) = on_file::<ResponsibilityJudgement>(inst)? else {
        // A loan settled without coming back: sold or written off.
        if on_file::<LoanConversion>(inst)?.is_none() {
            open.push("nothing was judged or settled".to_owned());
        }
        return Ok(open);
    };
    let cause = judgement.cause;
    match on_file::<ChargingMark>(inst)? {
        Some((mseq, mark)) if mseq > jseq => {
            if mark.mark == Charging::Charged {
                if on_file::<DebitNote>(inst)?.is_none() {
                    open.push("charged, but no debit note was issued (RF-PROP §3, §4.2 item 3 (004 L50, L71))".to_owned());
                } else if !fired(inst, Action::PostDebit) {
                    open.push("the debit has not been posted by finance (RF-PROP §3; RET-PROC §5.7 (004 L50, L151))".into());
                }
            }
        }
        _ => open.push("quality has not marked 免费 or 收费 (RET-PROC §5.7 (004 L151))".to_owned()),
    }
    match liability(cause) {
        Liability::Internal if on_file::<AccountabilityRecord>(inst)?.is_none() => {
            open.push("internal cause: no accountability record (RF-PROP §3 (004 L50))".to_owned());
        }
        Liability::Supplier => match on_file::<SupplierClaim>(inst)? {
            None => open.push(
                "supplier cause: no supplier claim (RET-PROC §5.6; QD-004 §7.1 (004 L150, L599))"
                    .to_owned(),
            ),
            Some((_, c)) if !c.batch && on_file::<SupplierReply>(inst)?.is_none() => open.push(
                "the supplier's 8D report and plan are not in (QD-004 §7.1.2 (004 L601))"
                    .to_owned(),
            ),
            Some(_) => {}
        },
        _ => {}
    }
    let reprocessed = fired(inst, Action::ReleaseRework) || fired(inst, Action::Disassemble);
    let repeat = cause == Cause::CustomerMisjudgment { repeat: true };
    if (reprocessed || repeat) && on_file::<CostBooking>(inst)?.is_none() {
        open.push(if repeat {
            "a repeated misjudgment's cost is not booked to selling expense (QD-004 §5.4 (004 L602))".to_owned()
        } else {
            "the reprocessing cost is not booked to cost of sales (QD-004 §6.2.2 (004 L493))".to_owned()
        });
    }
    Ok(open)
}
