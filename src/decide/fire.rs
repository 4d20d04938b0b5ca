//! Firing a transition: the candidates of an action, the checks in their documented order,
//! guards and effects, and the events of the transition that fires.

use super::{Decision, Draft, attribution, clocks};
use crate::access::SignatureStatus;
use crate::command::Command;
use crate::context::Context;
use crate::definition::{CompiledEffect, CompiledTransition, Definition};
use crate::effect::merge_patch;
use crate::event::EventKind;
use crate::ids::{Name, RoleMask, StateIx, TransitionIx};
use crate::instance::Instance;
use crate::rejection::{Rejection, check_depth};
use chrono::{DateTime, Utc};
use serde_json::Value;
use std::sync::Arc;

/// Everything one command is decided against, computed once.
pub(crate) struct At<'a> {
    pub(crate) def: &'a Definition,
    pub(crate) inst: &'a Instance,
    pub(crate) cmd: &'a Command,
    pub(crate) state: StateIx,
    /// The actor's roles in this definition that count on this instance.
    pub(crate) mask: RoleMask,
    /// The actor's roles that would count in the instance's region but not here (the actor
    /// is outside it: see `decide/region.rs`).
    pub(crate) outside: RoleMask,
    pub(crate) now: DateTime<Utc>,
}

/// How far a candidate transition got through the checks (see the evaluation order).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Stage {
    Role,
    Separation,
    SignOff,
    Forms,
    Guards,
    Effects,
}

/// The best refusal so far: of the candidate that got furthest (earliest on a tie).
#[derive(Default)]
pub(crate) struct Best(Option<(Stage, Rejection)>);

impl Best {
    pub(crate) fn keep(&mut self, new: (Stage, Rejection)) {
        if self.0.as_ref().is_none_or(|(s, _)| new.0 > *s) {
            self.0 = Some(new);
        }
    }

    pub(crate) fn into_rejection(self, at: &At<'_>, action: Name) -> Rejection {
        self.0
            .map(|(_, r)| r)
            .unwrap_or_else(|| no_transition(at, action))
    }
}

fn no_transition(at: &At<'_>, action: Name) -> Rejection {
    if !at.def.action_of.contains_key(&action) {
        return Rejection::UnknownAction { action };
    }
    Rejection::NoSuchTransition {
        state: at.def.state(at.state).name,
        action,
    }
}

/// The candidate transitions on `action` from the current state, in definition order.
pub(crate) fn candidates<'d>(
    at: &At<'d>,
    action: Name,
) -> impl Iterator<Item = (TransitionIx, &'d CompiledTransition)> + 'd {
    let def = at.def;
    def.state(at.state)
        .outgoing
        .iter()
        .map(move |&(_, t)| (t, def.transition(t)))
        .filter(move |(_, ct)| ct.action == action)
}

/// The first check, before any candidate's own: whether the actor (in the role it names, if
/// any) holds a role allowed for `action` in this state. An actor without one gets
/// [`Rejection::Forbidden`] (or [`Rejection::RoleNotAllowed`] for a named role) whatever the
/// state and whatever other candidates' guards say; an actor holding a role allowed for the
/// action elsewhere but not from this state gets [`Rejection::NoSuchTransition`].
pub(crate) fn role_first(at: &At<'_>, action: Name) -> Result<(), Rejection> {
    let union = |it: &mut dyn Iterator<Item = &CompiledTransition>| {
        it.fold(RoleMask::default(), |m, ct| RoleMask(m.0 | ct.roles.0))
    };
    let here = union(&mut candidates(at, action).map(|(_, ct)| ct));
    if at.mask.intersects(here) {
        return Ok(());
    }
    if !at.def.action_of.contains_key(&action) {
        return Err(Rejection::UnknownAction { action });
    }
    let allowed = if here.0 == 0 {
        let everywhere = union(&mut at.def.transitions.iter().filter(|ct| ct.action == action));
        if at.mask.intersects(everywhere) {
            return Err(no_transition(at, action));
        }
        everywhere
    } else {
        here
    };
    Err(forbidden(at, action, allowed))
}

/// The refusal for an actor (or the role it names) outside `allowed`.
pub(crate) fn forbidden(at: &At<'_>, action: Name, allowed: RoleMask) -> Rejection {
    if at.outside.intersects(allowed) {
        return super::region::out_of_region(action, at.inst.id(), &at.cmd.actor, at.inst.region());
    }
    let allowed = at.def.role_names(allowed);
    match at.cmd.role {
        Some(role) => Rejection::RoleNotAllowed {
            action,
            role,
            allowed,
        },
        None => Rejection::Forbidden {
            action,
            actor: at.cmd.actor.id.clone(),
            allowed,
        },
    }
}

/// A transition leaving the state while the approval the state stands on is invalidated.
fn waits_for_approval(at: &At<'_>, ct: &CompiledTransition) -> Result<(), (Stage, Rejection)> {
    if ct.from == ct.to {
        return Ok(());
    }
    let sigs = at.inst.signatures();
    let Some(stale) = sigs
        .iter()
        .find(|s| s.in_force && s.status == SignatureStatus::Invalidated)
    else {
        return Ok(());
    };
    let signers = sigs
        .iter()
        .filter(|s| s.in_force && s.action == stale.action)
        .map(|s| s.signer.clone())
        .collect();
    let r = Rejection::ApprovalInvalidated {
        action: ct.action,
        sign_off: stale.action,
        signers,
    };
    Err((Stage::SignOff, r))
}

/// Check one candidate up to (not including) guards and effects.
pub(crate) fn pre_checks(
    at: &At<'_>,
    t: TransitionIx,
    ct: &CompiledTransition,
    signing: bool,
) -> Result<(), (Stage, Rejection)> {
    let (cmd, action) = (at.cmd, ct.action);
    if !at.mask.intersects(ct.roles) {
        return Err((Stage::Role, forbidden(at, action, ct.roles)));
    }
    separation(at, t, ct)?;
    waits_for_approval(at, ct)?;
    if ct.sign_off.is_some() != signing {
        let r = if signing {
            Rejection::NoSignOff {
                action,
                state: at.inst.state(),
            }
        } else {
            Rejection::SignOffRequired { action }
        };
        return Err((Stage::SignOff, r));
    }
    let missing = |form: Name| (Stage::Forms, Rejection::MissingForm { action, form });
    for &kind in &ct.fresh_forms {
        if !cmd.forms.iter().any(|f| f.kind == kind) {
            return Err(missing(kind));
        }
    }
    for &kind in &ct.forms {
        if !cmd.forms.iter().any(|f| f.kind == kind) && at.inst.latest_form(kind).is_none() {
            return Err(missing(kind));
        }
    }
    for field in &ct.requires_text {
        let given = cmd.payload.get(&**field).and_then(|v| v.as_str());
        if given.is_none_or(|t| t.trim().is_empty()) {
            let field = field.to_string();
            return Err((Stage::Forms, Rejection::TextRequired { action, field }));
        }
    }
    Ok(())
}

pub(crate) fn separation(
    at: &At<'_>,
    t: TransitionIx,
    ct: &CompiledTransition,
) -> Result<(), (Stage, Rejection)> {
    let rule = if at.mask.intersects(ct.excluded) {
        ct.excluded_rule
    } else {
        ct.not_same_as
            .iter()
            .find(|(_, earlier)| {
                at.cmd
                    .actor
                    .identities()
                    .any(|id| at.inst.has_fired(*earlier, id))
            })
            .map(|&(k, _)| k)
    };
    match rule {
        None => Ok(()),
        Some(k) => Err((
            Stage::Separation,
            Rejection::SeparationOfDuties {
                action: ct.action,
                actor: at.cmd.actor.id.clone(),
                rule: at.def.transition_spec(t).separation[k].to_string(),
            },
        )),
    }
}

fn context<'a>(at: &'a At<'_>, action: Name) -> Context<'a> {
    Context {
        instance: at.inst,
        action,
        payload: &at.cmd.payload,
        forms: &at.cmd.forms,
        actor: &at.cmd.actor,
        now: at.now,
    }
}

/// Run the guards, then the effects; the new data when it changed.
pub(crate) fn guards_and_effects(
    at: &At<'_>,
    ct: &CompiledTransition,
) -> Result<Option<Arc<Value>>, (Stage, Rejection)> {
    guards(at, ct)?;
    effects(at, ct)
}

/// Run the guards of `ct`, in order.
pub(crate) fn guards(at: &At<'_>, ct: &CompiledTransition) -> Result<(), (Stage, Rejection)> {
    let action = ct.action;
    let ctx = context(at, action);
    for g in &ct.guards {
        g.check(&ctx).map_err(|r| {
            let (guard, reason) = (r.guard, r.reason);
            let r = Rejection::GuardRejected {
                action,
                guard,
                reason,
            };
            (Stage::Guards, r)
        })?;
    }
    Ok(())
}

/// Run the effects of `ct`; the new data when it changed.
pub(crate) fn effects(
    at: &At<'_>,
    ct: &CompiledTransition,
) -> Result<Option<Arc<Value>>, (Stage, Rejection)> {
    let action = ct.action;
    let ctx = context(at, action);
    if ct.effects.is_empty() {
        return Ok(None);
    }
    let failed = |effect: Name, reason: String| {
        let r = Rejection::EffectFailed {
            action,
            effect,
            reason,
        };
        (Stage::Effects, r)
    };
    let mut data = at.inst.data().clone();
    for e in &ct.effects {
        match e {
            CompiledEffect::MergePayload => match at.cmd.payload {
                Value::Null => {}
                Value::Object(_) => merge_patch(&mut data, &at.cmd.payload),
                _ => {
                    let reason = "the payload must be a JSON object".to_owned();
                    return Err(failed(Name::new("merge_payload"), reason));
                }
            },
            CompiledEffect::Named(name, eff) => {
                eff.apply(&mut data, &ctx)
                    .map_err(|reason| failed(*name, reason))?;
            }
        }
    }
    check_depth(|| "data".into(), &data).map_err(|r| (Stage::Effects, r))?;
    Ok((&data != at.inst.data()).then(|| Arc::new(data)))
}

pub(crate) fn fire(at: &At<'_>, action: Name) -> Result<Decision, Rejection> {
    role_first(at, action)?;
    let mut best = Best::default();
    for (t, ct) in candidates(at, action) {
        let outcome = pre_checks(at, t, ct, false).and_then(|()| guards_and_effects(at, ct));
        match outcome {
            Ok(data) => return commit_transition(at, ct, data, None),
            Err(r) => best.keep(r),
        }
    }
    Err(best.into_rejection(at, action))
}

/// Whether some candidate on `action` passes every check (no event is built).
pub(crate) fn admissible(at: &At<'_>, action: Name) -> Result<(), Rejection> {
    role_first(at, action)?;
    let mut best = Best::default();
    for (t, ct) in candidates(at, action) {
        match pre_checks(at, t, ct, false).and_then(|()| guards_and_effects(at, ct)) {
            Ok(_) => return Ok(()),
            Err(r) => best.keep(r),
        }
    }
    Err(best.into_rejection(at, action))
}

/// Emit the events of firing transition `ct` (after a completing signature, if any).
pub(crate) fn commit_transition(
    at: &At<'_>,
    ct: &CompiledTransition,
    data: Option<Arc<Value>>,
    signature: Option<EventKind>,
) -> Result<Decision, Rejection> {
    let role = match &signature {
        Some(EventKind::Signed { role, .. }) => Some(*role),
        _ => ct.role_for(at.mask).map(|r| at.def.roles[r.ix()]),
    };
    let mut d = Draft::new(
        at.inst.clone(),
        Some(attribution(&at.cmd.actor, role)),
        at.now,
    );
    d.events
        .reserve_exact(1 + at.cmd.forms.len() + usize::from(data.is_some()));
    d.attach(&at.cmd.forms, ct.action)?;
    if let Some(sig) = signature {
        d.push(sig)?;
    }
    d.push(EventKind::Transitioned {
        from: at.def.state(ct.from).name,
        to: at.def.state(ct.to).name,
        action: ct.action,
        payload: at.cmd.payload.clone(),
    })?;
    if let Some(data) = data {
        d.push(EventKind::DataChanged { data })?;
    }
    clocks::on_move(at.def, &mut d, Some(ct.from), ct.to, Some(ct.action))?;
    Ok(d.finish())
}
