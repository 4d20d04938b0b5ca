//! The guard and effect functions, each named by a [`Guard`] or [`Effect`] variant and
//! registered in [`registry`]. The quantities rules (ours) keep every item's count balanced:
//! no more shipped than requested, `received + short == shipped`, and consumed + returned +
//! written off never above what was received.

use super::batch_quality;
use super::data::{Data, LineStatus};
use super::forms::{
    BatchLink, ConsumablesRequest, ConsumptionReport, ItemQuantity, MaterialTransfer,
    ReceiptRecord, ReturnRecord, WriteOffRecord,
};
use super::{Config, Effect, FormKind, Guard};
use crate::Context;
use crate::Registry;
use crate::Vocabulary;
use serde_json::Value;

/// Guards, effects and typed forms of the procedure. The configuration does not change them
/// (it shapes the graph only); the parameter keeps the template's signature. Deadlines in
/// `Asia/Shanghai` ([`shanghai_calendar`](crate::procedures::shanghai_calendar)).
pub fn registry(_config: &Config) -> Registry {
    Registry::new()
        .shared_calendar(crate::procedures::shanghai_calendar())
        .typed_form::<ConsumablesRequest>()
        .typed_form::<BatchLink>()
        .typed_form::<MaterialTransfer>()
        .typed_form::<ReceiptRecord>()
        .typed_form::<ConsumptionReport>()
        .typed_form::<ReturnRecord>()
        .typed_form::<WriteOffRecord>()
        .guard(Guard::BatchStarted, batch_started)
        .guard(Guard::Settled, settled)
        .effect(Effect::RecordRequest, record_request)
        .effect(Effect::RecordIssue, record_issue)
        .effect(Effect::RecordReceipt, record_receipt)
        .effect(Effect::RecordConsumption, record_consumption)
        .effect(Effect::RecordReturn, record_return)
        .effect(Effect::RecordWriteOff, record_write_off)
}

/// [`Guard::BatchStarted`]: the batch link attached by *this* command must name the request's
/// batch issue and show it started (`BQ-E §4.5–§4.7 (000 L646)`, `BQ-E §5.3 (000 L666)`).
fn batch_started(ctx: &Context<'_>) -> Result<(), String> {
    if ctx.attached(FormKind::BatchLink).is_none() {
        return Err("attach a fresh `batch_link` (see `consumables::link_form`)".into());
    }
    let link: BatchLink = ctx.attached_form().map_err(|_| "malformed batch link")?;
    let wanted = match ctx.form(FormKind::ConsumablesRequest) {
        Some(_) => ctx.typed_form::<ConsumablesRequest>()?.batch_issue,
        None => return Err("no consumables request on file".into()),
    };
    if link.batch_issue != wanted {
        return Err(format!(
            "the link is to `{}`, the request serves `{wanted}`",
            link.batch_issue
        ));
    }
    match batch_quality::State::from_name(&link.state) {
        Some(s) if batch_quality::is_started(s) => Ok(()),
        _ => Err(format!(
            "batch issue `{wanted}` is in `{}`, not a started batch process",
            link.state
        )),
    }
}

/// [`Guard::Settled`]: every item's received stock is consumed, returned or written off.
fn settled(ctx: &Context<'_>) -> Result<(), String> {
    let d = ctx.data::<Data>()?;
    match d.lines.iter().find(|l| l.open() != Some(0)) {
        Some(l) => Err(format!(
            "item `{}`: received {} but consumed {} + returned {} + written off {}",
            l.item_code, l.received, l.consumed, l.returned, l.written_off
        )),
        None => Ok(()),
    }
}

fn add(a: u32, b: u32, item: &str) -> Result<u32, String> {
    a.checked_add(b)
        .ok_or_else(|| format!("item `{item}`: quantity overflow"))
}

/// [`Effect::RecordRequest`]: the request's lines, replacing those of an earlier revision.
fn record_request(data: &mut Value, ctx: &Context<'_>) -> Result<(), String> {
    let req: ConsumablesRequest = ctx.typed_form()?;
    Data::edit(data, |d| {
        d.lines = req
            .lines
            .iter()
            .map(|l| LineStatus {
                item_code: l.item_code.clone(),
                requested: l.quantity,
                unit_cost_fen: l.unit_cost_fen,
                ..LineStatus::default()
            })
            .collect();
        d.request = Some(req);
        Ok(())
    })
}

/// [`Effect::RecordIssue`]: shipped to the request's branch, no more than requested, at the
/// actual unit cost (`BQ-E §7 (000 L676)`).
fn record_issue(data: &mut Value, ctx: &Context<'_>) -> Result<(), String> {
    let t: MaterialTransfer = ctx.typed_form()?;
    Data::edit(data, |d| {
        let dest = d
            .request
            .as_ref()
            .map(|r| r.destination_branch.clone())
            .unwrap_or_default();
        if t.to_branch != dest {
            return Err(format!(
                "shipped to `{}`, but the request is for `{dest}`",
                t.to_branch
            ));
        }
        for l in &t.lines {
            let line = d.line_mut(&l.item_code)?;
            if l.quantity > line.requested {
                return Err(format!(
                    "item `{}`: {} shipped, {} requested",
                    l.item_code, l.quantity, line.requested
                ));
            }
            line.shipped = l.quantity;
            line.unit_cost_fen = l.unit_cost_fen;
        }
        Ok(())
    })
}

/// [`Effect::RecordReceipt`]: every shipped item counted, `received + short == shipped`.
fn record_receipt(data: &mut Value, ctx: &Context<'_>) -> Result<(), String> {
    let r: ReceiptRecord = ctx.typed_form()?;
    Data::edit(data, |d| {
        for l in &r.lines {
            let line = d.line_mut(&l.item_code)?;
            if add(l.received, l.short, &l.item_code)? != line.shipped {
                return Err(format!(
                    "item `{}`: received {} + short {} must equal shipped {}",
                    l.item_code, l.received, l.short, line.shipped
                ));
            }
            line.received = l.received;
            line.short = l.short;
            line.damaged = l.damaged;
        }
        match d
            .lines
            .iter()
            .find(|l| l.shipped > 0 && !r.lines.iter().any(|c| c.item_code == l.item_code))
        {
            Some(l) => Err(format!(
                "item `{}` was shipped but not counted",
                l.item_code
            )),
            None => Ok(()),
        }
    })
}

/// [`Effect::RecordConsumption`].
fn record_consumption(data: &mut Value, ctx: &Context<'_>) -> Result<(), String> {
    let f: ConsumptionReport = ctx.typed_form()?;
    record_quantities(data, &f.0.lines, |l| &mut l.consumed)
}

/// [`Effect::RecordReturn`].
fn record_return(data: &mut Value, ctx: &Context<'_>) -> Result<(), String> {
    let f: ReturnRecord = ctx.typed_form()?;
    record_quantities(data, &f.0.lines, |l| &mut l.returned)
}

/// [`Effect::RecordWriteOff`].
fn record_write_off(data: &mut Value, ctx: &Context<'_>) -> Result<(), String> {
    let f: WriteOffRecord = ctx.typed_form()?;
    record_quantities(data, &f.0.lines, |l| &mut l.written_off)
}

/// Add `q` of each item to the field chosen by `slot`, keeping consumed + returned +
/// written-off within received.
fn record_quantities(
    data: &mut Value,
    lines: &[ItemQuantity],
    slot: fn(&mut LineStatus) -> &mut u32,
) -> Result<(), String> {
    Data::edit(data, |d| {
        for q in lines {
            let line = d.line_mut(&q.item_code)?;
            let open = line.open().unwrap_or(0);
            if q.quantity > open {
                return Err(format!(
                    "item `{}`: {} exceeds the {} received and not yet settled",
                    q.item_code, q.quantity, open
                ));
            }
            let field = slot(line);
            *field = add(*field, q.quantity, &q.item_code)?;
        }
        Ok(())
    })
}
