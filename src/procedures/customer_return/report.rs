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
/// 每次, 004 L156). The override is always recorded (`overridden` event with the penalty).
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
        clause: "004 L156".into(),
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
/// separately (「每次」, 004 L156), numbered per responsible person.
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
/// costs (cost of sales or selling expense, 004 L493, L602), the posted debit borne by the
/// dealer or consumer (004 L50, L147), the supplier claim (negative, 004 L150) and a
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
