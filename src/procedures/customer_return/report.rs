//! Reports over an instance: its cost lines and its bypass penalties; and the override
//! command that carries the penalty.

use super::config::Config;
use super::data::{BypassPenalty, Data};
use super::forms::{
    BookingAccount, CostBooking, DebitNote, LoanConversion, LoanSettlement, Payer,
    ReplacementOrder, SupplierClaim,
};
use super::rules::{case_data, on_file};
use super::{Action, ID, State};
use crate::Command;
use crate::Instance;
use crate::TypedForm;
use crate::Vocabulary;
use crate::{Account, Bearer, CostKind, CostLedger, CostLine};
use crate::{Actor, ActorId};
use crate::{Event, EventKind};
use chrono::{DateTime, Utc};
use serde::Deserialize;

/// An override of the procedure, with its penalty on the responsible person (责任人乐捐20元
/// 每次, RET-PROC §7 (004 L156)). The override is always recorded (`overridden` event with the penalty).
///
/// # Errors
/// An empty reason, or an authoriser overriding their own bypass (ours: nobody authorises
/// their own).
pub fn override_command(
    actor: &Actor,
    to: State,
    reason: &str,
    responsible: &ActorId,
    config: &Config,
) -> Result<Command, String> {
    if reason.trim().is_empty() {
        return Err("an override gives its reason".into());
    }
    if actor.identities().any(|id| id == responsible) {
        return Err("nobody authorises an override of their own bypass".into());
    }
    let penalty = BypassPenalty {
        responsible: responsible.clone(),
        what: reason.to_owned(),
        amount_fen: config.bypass_penalty_fen,
        currency: "CNY".into(),
        clause: "RET-PROC §7 (004 L156)".into(),
    };
    let payload = serde_json::to_value(&penalty).map_err(|e| e.to_string())?;
    Ok(Command::override_to(actor, to, reason).with_payload(payload))
}

/// One occurrence of a bypass penalty in a history.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PenaltyOccurrence {
    /// The event recording it.
    pub seq: u64,
    /// When.
    pub at: DateTime<Utc>,
    /// Who authorised the override (none for an unannounced receipt).
    pub authorised_by: Option<ActorId>,
    /// The penalty.
    pub penalty: BypassPenalty,
    /// 1 for the responsible person's first occurrence in this history, 2 for the second...
    pub occurrence: u32,
}

/// Every bypass penalty in `history` (overrides and unannounced receipts), each occurrence
/// separately (「每次」, RET-PROC §7 (004 L156)), numbered per responsible person.
///
/// # Errors
/// An override whose penalty is not a [`BypassPenalty`], or data that is not a case.
pub fn bypass_penalties(history: &[Event]) -> Result<Vec<PenaltyOccurrence>, String> {
    let mut out: Vec<PenaltyOccurrence> = Vec::new();
    let mut recorded = 0usize;
    let push = |out: &mut Vec<PenaltyOccurrence>, e: &Event, by, penalty: BypassPenalty| {
        let n = out
            .iter()
            .filter(|o| o.penalty.responsible == penalty.responsible)
            .count();
        out.push(PenaltyOccurrence {
            seq: e.seq,
            at: e.at,
            authorised_by: by,
            penalty,
            occurrence: u32::try_from(n + 1).unwrap_or(u32::MAX),
        });
    };
    for e in history {
        match &e.kind {
            EventKind::Overridden {
                penalty: Some(p), ..
            } => {
                let penalty = BypassPenalty::deserialize(p)
                    .map_err(|err| format!("event {}: malformed penalty: {err}", e.seq))?;
                push(&mut out, e, e.by.as_ref().map(|b| b.actor.clone()), penalty);
            }
            EventKind::Created { data, .. } | EventKind::DataChanged { data } => {
                let d = Data::deserialize(data.as_ref())
                    .map_err(|err| format!("event {}: not a customer return: {err}", e.seq))?;
                for p in d.bypasses.iter().skip(recorded) {
                    push(&mut out, e, None, p.clone());
                }
                recorded = d.bypasses.len();
            }
            _ => {}
        }
    }
    Ok(out)
}

fn line(
    inst: &Instance,
    product: &str,
    customer: &str,
    kind: CostKind,
    amount_fen: i64,
) -> Result<CostLine, String> {
    CostLine::new(ID, inst.id().clone(), kind, amount_fen)
        .map(|l| l.product(product).customer(customer))
        .map_err(|e| e.to_string())
}

/// The cost lines of a case: the replacement sent (cost of sales), confirmed reprocessing
/// costs (cost of sales or selling expense, QD-004 §6.2.2, §5.4 (004 L493, L602)), the posted debit borne by the
/// dealer or consumer (RF-PROP §3; RET-PROC §4.1 (004 L50, L147)), the supplier claim (negative, RET-PROC §5.6 (004 L150)) and a
/// written-off loan.
///
/// # Errors
/// Malformed data or forms, or a cost with the wrong sign.
pub fn cost_ledger(inst: &Instance) -> Result<CostLedger, String> {
    let d = case_data(inst)?;
    let (product, customer) = (d.case.product.as_str(), d.case.customer.id.as_str());
    let mut ledger = CostLedger::new();
    if let Some((_, o)) = on_file::<ReplacementOrder>(inst)? {
        if o.value_fen > 0 {
            ledger.push(
                line(
                    inst,
                    product,
                    customer,
                    CostKind::ReplacementUnits,
                    o.value_fen,
                )?
                .describe(format!("replacement {}", o.order_ref)),
            );
        }
    }
    for f in inst
        .forms()
        .iter()
        .filter(|f| f.form.kind == <CostBooking as TypedForm>::KIND)
    {
        let b = CostBooking::deserialize(&f.form.body).map_err(|e| e.to_string())?;
        let account = match b.account {
            BookingAccount::CostOfSales => Account::CostOfSales,
            BookingAccount::SellingExpense => Account::SellingExpense,
        };
        ledger.push(
            line(inst, product, customer, CostKind::Rework, b.amount_fen)?
                .account(account)
                .describe(b.description),
        );
    }
    if !inst.fired_by(Action::PostDebit.name()).is_empty() {
        if let Some((_, n)) = on_file::<DebitNote>(inst)? {
            let kind = if n.includes_replacement_value {
                CostKind::ReplacementUnits
            } else {
                CostKind::Other
            };
            let (account, bearer, what) = match &n.payer {
                Payer::Dealer { account } => (
                    Account::DealerAccount,
                    Bearer::Dealer,
                    format!("debited to dealer account {account}"),
                ),
                Payer::Customer => (
                    Account::CustomerCharge,
                    Bearer::Customer,
                    "charged to the customer".to_owned(),
                ),
            };
            ledger.push(
                line(inst, product, customer, kind, n.amount_fen)?
                    .account(account)
                    .bearer(bearer)
                    .describe(what),
            );
        }
    }
    if let Some((_, c)) = on_file::<SupplierClaim>(inst)? {
        if c.amount_fen > 0 {
            ledger.push(
                line(
                    inst,
                    product,
                    customer,
                    CostKind::ClaimReceived,
                    -c.amount_fen,
                )?
                .supplier(c.supplier.clone())
                .describe(format!("claim on {}", c.material)),
            );
        }
    }
    if let Some((_, l)) = on_file::<LoanConversion>(inst)? {
        if let LoanSettlement::WriteOff { value_fen, reason } = l.settlement {
            ledger.push(
                line(inst, product, customer, CostKind::Other, value_fen)?
                    .describe(format!("loan written off: {reason}")),
            );
        }
    }
    Ok(ledger)
}

/// One 「免费」/「收费」 mark whose copy goes to finance (将一联交财务部进行统计, RET-PROC §5.7,
/// RET-PROC §5.7 (004 L151)).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FinanceCopy {
    /// The event that attached the mark.
    pub seq: u64,
    /// When it was marked.
    pub marked_at: DateTime<Utc>,
    /// Free or charged.
    pub mark: super::forms::Charging,
    /// Whether quality says the copy was sent already.
    pub copy_sent: bool,
}

/// A reporting period `[start, end)`.
pub type Period = (DateTime<Utc>, DateTime<Utc>);

/// The reporting periods of a month for the copies to finance: 「(1个月2次)」 (RET-PROC §5.7,
/// RET-PROC §5.7 (004 L151)) with `per_month` = 2 gives the 1st–15th and the 16th–end. Each period is
/// `[start, end)` in UTC, from local midnights at `offset_hours` east of UTC (8 for
/// Asia/Shanghai). A host schedules [`finance_copies`] at the end of each period.
///
/// # Errors
/// A month out of range, or `per_month` zero or above 28.
pub fn finance_copy_periods(
    year: i32,
    month: u32,
    per_month: u32,
    offset_hours: i32,
) -> Result<Vec<Period>, String> {
    use chrono::{Datelike, NaiveDate, TimeDelta};
    if per_month == 0 || per_month > 28 {
        return Err(format!(
            "{per_month} copies a month is out of range (1..=28)"
        ));
    }
    let first = NaiveDate::from_ymd_opt(year, month, 1).ok_or("no such month")?;
    let next = if month == 12 {
        NaiveDate::from_ymd_opt(year + 1, 1, 1)
    } else {
        NaiveDate::from_ymd_opt(year, month + 1, 1)
    }
    .ok_or("no such month")?;
    let days = u32::try_from((next - first).num_days()).map_err(|e| e.to_string())?;
    let span = days / per_month;
    let utc = |d: NaiveDate| {
        d.and_time(chrono::NaiveTime::MIN).and_utc() - TimeDelta::hours(i64::from(offset_hours))
    };
    let mut out = Vec::new();
    for i in 0..per_month {
        let start = first + TimeDelta::days(i64::from(i * span));
        let end = if i + 1 == per_month {
            next
        } else {
            first + TimeDelta::days(i64::from((i + 1) * span))
        };
        debug_assert!(start.month() == month);
        out.push((utc(start), utc(end)));
    }
    Ok(out)
}

/// The marks of one history attached in `[from, to)`, for the periodic copy to finance
/// (RET-PROC §5.7 (004 L151)). Run it over every customer return's history for a period of
/// [`finance_copy_periods`].
///
/// # Errors
/// A malformed mark in the history.
pub fn finance_copies(
    history: &[Event],
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<FinanceCopy>, String> {
    use super::forms::ChargingMark;
    let mut out = Vec::new();
    for e in history {
        if let EventKind::FormAttached { form, .. } = &e.kind {
            if form.kind != ChargingMark::KIND || e.at < from || e.at >= to {
                continue;
            }
            let m = ChargingMark::deserialize(&form.body)
                .map_err(|err| format!("event {}: malformed charging mark: {err}", e.seq))?;
            out.push(FinanceCopy {
                seq: e.seq,
                marked_at: e.at,
                mark: m.mark,
                copy_sent: m.finance_copy_sent,
            });
        }
    }
    Ok(out)
}

/// The outcome notice as it may leave the company: `notice` filtered under `policy` with the
/// text releases recorded on `instance` (保密原则, default deny, QD-004 §3.6 (004 L628); the
/// shared filter [`confidentiality`](crate::procedures::confidentiality)). Paths: `summary`
/// (free text), `statements[i]`. `notify_customer` is refused while the result is not
/// [`sendable`](crate::procedures::confidentiality::Filtered::is_sendable).
pub fn outcome_notice_text(
    instance: &Instance,
    notice: &super::forms::OutcomeNotice,
    policy: &crate::procedures::confidentiality::ConfidentialityPolicy,
) -> crate::procedures::confidentiality::Filtered {
    use crate::procedures::confidentiality::{Redactor, Releases};
    let releases = Releases::of(instance);
    let mut r = Redactor::new(policy, &releases);
    r.section("Outcome");
    r.plain(format!("channel: {}", notice.channel));
    r.free_line("summary", "summary", "summary", &notice.summary);
    for (i, st) in notice.statements.iter().enumerate() {
        r.statement(
            format!("statement #{}", i + 1),
            format!("statements[{i}]"),
            "",
            st,
            "",
        );
    }
    r.finish()
}

/// The latest outcome notice on file, filtered as it may be sent ([`outcome_notice_text`]);
/// `None` before the customer was notified.
///
/// # Errors
/// A malformed notice on file.
pub fn outgoing_outcome_notice(
    instance: &Instance,
    config: &Config,
) -> Result<Option<crate::procedures::confidentiality::Filtered>, String> {
    Ok(on_file::<super::forms::OutcomeNotice>(instance)?
        .map(|(_, n)| outcome_notice_text(instance, &n, &config.confidentiality)))
}
