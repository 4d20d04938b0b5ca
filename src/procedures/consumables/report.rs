//! What a request reports: its cost, and the costs of the closed requests of a batch issue for
//! that issue's loss data and supplier claim (`BQ-E §5.5 (000 L670)`).

use super::data::{ConsumablesError, data};
use super::{ID, State};
use crate::{Account, Bearer, CostKind, CostLedger, CostLine};
use crate::{Instance, InstanceId};

/// The cost of a request: (consumed + written off) × unit cost per item; returned stock is not a
/// loss (ours). Booked to the cost of sales and borne by the company, or — when `supplier` is
/// responsible for the batch issue — to the supplier claim (`BQ-E §5.5 (000 L670)`).
///
/// # Errors
/// [`ConsumablesError::Data`] or [`ConsumablesError::Overflow`].
pub fn cost(request: &Instance, supplier: Option<&str>) -> Result<CostLedger, ConsumablesError> {
    let d = data(request)?;
    let overflow = || ConsumablesError::Overflow {
        instance: request.id().clone(),
    };
    let mut ledger = CostLedger::new();
    for l in &d.lines {
        let used = l.consumed.checked_add(l.written_off).ok_or_else(overflow)?;
        if used == 0 {
            continue;
        }
        let amount = l
            .unit_cost_fen
            .checked_mul(i64::from(used))
            .ok_or_else(overflow)?;
        let line = CostLine::new(ID, request.id().clone(), CostKind::Consumables, amount)
            .map_err(|e| ConsumablesError::Data {
                instance: request.id().clone(),
                reason: e.to_string(),
            })?
            .product(l.item_code.clone())
            .describe(format!("{used} × {}", l.item_code));
        ledger.push(match supplier {
            Some(s) => line
                .bearer(Bearer::Supplier)
                .account(Account::SupplierClaim)
                .supplier(s),
            None => line,
        });
    }
    Ok(ledger)
}

/// The costs of every closed request linked to `batch`, for the batch issue's loss data and
/// claim appraisal (`BQ-E §5.5 (000 L670)`).
///
/// # Errors
/// The first request whose cost cannot be computed.
pub fn roll_up<'a>(
    requests: impl IntoIterator<Item = &'a Instance>,
    batch: &InstanceId,
    supplier: Option<&str>,
) -> Result<CostLedger, ConsumablesError> {
    let mut ledger = CostLedger::new();
    for r in requests {
        let linked = data(r)?.request.is_some_and(|q| &q.batch_issue == batch);
        if linked && r.state() == State::Closed {
            ledger.absorb(&cost(r, supplier)?);
        }
    }
    Ok(ledger)
}
