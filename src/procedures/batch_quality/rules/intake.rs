//! The intake route as a must (BQ-E §5.1.1–5.1.3 (000 L650–L652), §4.1.1 (000 L644)): a
//! station that received a complaint goes on site itself; the engineer who received one
//! designates the local station; any other department transfers it to the engineer, who
//! designates the station. The instance remembers who received it (its start,
//! [`Instance::started_by`](crate::Instance::started_by)) and which station was designated
//! ([`Data::station`](super::super::Data::station)); only that station goes on site, submits,
//! resubmits or hands over.

use super::{Config, GuardResult, require, with_data};
use crate::event::Attribution;
use crate::procedures::batch_quality::{Data, Role};
use crate::{ActorId, Context, Vocabulary};
use serde_json::Value;

/// The party an attribution answers for: the principal when acting for someone, else the
/// actor.
fn principal(a: &Attribution) -> &ActorId {
    a.on_behalf_of.as_ref().unwrap_or(&a.actor)
}

/// The receipt: who started the instance, in which role.
fn receipt<'a>(ctx: &Context<'a>) -> Result<&'a Attribution, String> {
    ctx.instance
        .started_by()
        .ok_or_else(|| "the instance does not record who received the complaint".into())
}

fn received_as(a: &Attribution, role: Role) -> bool {
    a.role.is_some_and(|r| r == role.name())
}

/// BQ-E §5.1.1 (000 L650): the station going on site from the receipt is the one that
/// received the complaint.
pub(super) fn received_by_this_station(_: &Config, ctx: &Context<'_>) -> GuardResult {
    let r = receipt(ctx)?;
    require(
        received_as(r, Role::AuthorisedStation)
            && ctx.actor.identities().any(|i| i == principal(r)),
        format!(
            "the complaint was received by `{}` as {}: only a station that received it goes on site without a designation; otherwise the engineer designates the local station (BQ-E §5.1.1–5.1.3 (000 L650–L652))",
            principal(r),
            r.role.map_or("no role".into(), |n| n.to_string()),
        ),
    )
}

/// BQ-E §5.1.2–5.1.3 (000 L652): the engineer designates from the receipt only a complaint
/// the engineer received; another department's is transferred first.
pub(super) fn received_by_rtse(_: &Config, ctx: &Context<'_>) -> GuardResult {
    let r = receipt(ctx)?;
    require(
        received_as(r, Role::RegionalTechSupportEngineer),
        "the engineer designates the local station for a complaint the engineer received; a station handles its own, another department transfers its own first (BQ-E §5.1.1–5.1.3 (000 L650–L652))",
    )
}

/// BQ-E §5.1.3 (000 L652): a department transfers the complaint it received.
pub(super) fn received_by_department(_: &Config, ctx: &Context<'_>) -> GuardResult {
    let r = receipt(ctx)?;
    require(
        r.role.is_some_and(|role| ctx.actor.roles.contains(&role)),
        "the department that received the complaint transfers it to the engineer (BQ-E §5.1.3 (000 L652))",
    )
}

/// BQ-E §5.1.2 (000 L652), §4.1.1 (000 L644): an actor acting as a station is the
/// designated station.
pub(super) fn designated_station(_: &Config, ctx: &Context<'_>) -> GuardResult {
    if !ctx.actor.has_role(Role::AuthorisedStation) {
        return Ok(());
    }
    let d: Data = ctx
        .instance
        .data_as()
        .map_err(|e| format!("instance data is not batch-issue data: {e}"))?;
    match d.station {
        Some(s) if ctx.actor.identities().any(|i| *i == s.as_str()) => Ok(()),
        Some(s) => Err(format!(
            "`{}` is not the designated station `{s}`: only it submits through the batch feedback system (BQ-E §5.1.2 (000 L652); §4.1.1, BQ-E §4.1–§4.4 (000 L644))",
            ctx.actor.id
        )),
        None => Err("no station is designated yet (BQ-E §5.1.2 (000 L652))".into()),
    }
}

/// Effect: the receiving station is the designated station (BQ-E §5.1.1 (000 L650)).
pub(super) fn e_receiving_station(v: &mut Value, ctx: &Context<'_>) -> Result<(), String> {
    let station = principal(receipt(ctx)?).to_string();
    with_data(v, |d| {
        d.station = Some(station);
        Ok(())
    })
}
