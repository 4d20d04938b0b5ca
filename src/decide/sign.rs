//! Sign-offs: a signature, a refusal, or the last signature that fires the transition; and
//! the renewal in place of an approval whose bound content changed.
//!
//! Checks for a signature, in order (after the role check every command gets first, see
//! [`decide`](super::decide)): separation of duties (the person and whom they act for), a
//! transition leaving a state whose approval was invalidated waits, the sign-off's order (who
//! signs next), one person one signature, then the transition's guards — on every
//! signature, not only the last, so a doomed sign-off collects none — and, on the last
//! signature only, the effects. A refusal to sign skips the guards: saying no is always
//! possible.

use super::fire::{
    At, Best, Stage, candidates, commit_transition, effects, forbidden, guards, pre_checks,
    role_first, separation,
};
use super::{Decision, Draft, attribution, clocks};
use crate::access::{Actor, SignatureStatus};
use crate::definition::{CompiledSignOff, CompiledTransition};
use crate::event::EventKind;
use crate::ids::{ActorId, Name, TransitionIx};
use crate::instance::Instance;
use crate::rejection::Rejection;

/// Whether the signature fires the transition (a sign-off collecting in the state it leaves)
/// or renews an approval in place (in the state it led to).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Transition,
    Renewal,
}

/// Sign (or, with `refusal`, refuse) the sign-off of `action`.
pub(crate) fn sign(
    at: &At<'_>,
    action: Name,
    refusal: Option<&String>,
) -> Result<Decision, Rejection> {
    if refusal.is_some_and(|r| r.trim().is_empty()) {
        return Err(Rejection::ReasonRequired);
    }
    if let Some((t, ct)) = renewal(at, action) {
        return renew(at, t, ct, refusal);
    }
    role_first(at, action)?;
    let mut best = Best::default();
    for (t, ct) in candidates(at, action) {
        if let Err(r) = pre_checks(at, t, ct, true) {
            best.keep(r);
            continue;
        }
        let Some(so) = &ct.sign_off else {
            continue;
        };
        match sign_one(at, ct, so, refusal, Mode::Transition) {
            Ok(decision) => return Ok(decision),
            Err(r) => best.keep(r),
        }
    }
    Err(best.into_rejection(at, action))
}

/// The transition whose sign-off of `action` is the approval the current state stands on,
/// when that approval was invalidated and must be given again.
fn renewal<'d>(at: &At<'d>, action: Name) -> Option<(TransitionIx, &'d CompiledTransition)> {
    let stale = at
        .inst
        .signatures()
        .iter()
        .any(|s| s.action == action && s.in_force && s.status == SignatureStatus::Invalidated);
    if !stale {
        return None;
    }
    at.def
        .transitions
        .iter()
        .enumerate()
        .find(|(_, ct)| ct.action == action && ct.to == at.state && ct.sign_off.is_some())
        .map(|(i, ct)| (TransitionIx::new(i), ct))
}

/// Sign (or refuse) an invalidated approval again, in the state it led to.
fn renew(
    at: &At<'_>,
    t: TransitionIx,
    ct: &CompiledTransition,
    refusal: Option<&String>,
) -> Result<Decision, Rejection> {
    if !at.mask.intersects(ct.roles) {
        return Err(forbidden(at, ct.action, ct.roles));
    }
    separation(at, t, ct).map_err(|(_, r)| r)?;
    let Some(so) = &ct.sign_off else {
        return Err(Rejection::NoSignOff {
            action: ct.action,
            state: at.inst.state(),
        });
    };
    sign_one(at, ct, so, refusal, Mode::Renewal).map_err(|(_, r)| r)
}

/// The instance as it will be once the command's forms are attached (signatures are judged
/// against it: an attachment may change the content earlier signatures approved).
fn with_forms(at: &At<'_>, action: Name) -> Result<Option<Instance>, Rejection> {
    if at.cmd.forms.is_empty() {
        return Ok(None);
    }
    let mut d = Draft::new(at.inst.clone(), None, at.now);
    d.attach(&at.cmd.forms, action)?;
    Ok(Some(d.inst))
}

/// The roles that signed `action` and still count.
fn signed_roles(inst: &Instance, action: Name) -> Vec<Name> {
    inst.open_signatures()
        .filter(|s| s.action == action)
        .map(|s| s.role)
        .collect()
}

/// The role `at`'s actor signs as, or why it may not sign now.
fn signing_role(
    at: &At<'_>,
    inst: &Instance,
    ct: &CompiledTransition,
    so: &CompiledSignOff,
) -> Result<Name, Rejection> {
    let action = ct.action;
    let signed = signed_roles(inst, action);
    let next = so.next_signers(&signed);
    let holds = |r: &Name| match at.cmd.role {
        Some(named) => named == *r,
        None => at.cmd.actor.roles.contains(r),
    };
    if let Some(&role) = next.iter().find(|r| holds(r)) {
        return Ok(role);
    }
    let missing: Vec<Name> = so
        .roles
        .iter()
        .copied()
        .filter(|r| !signed.contains(r))
        .collect();
    Err(match next.first() {
        Some(&expected_role) if missing.iter().any(holds) => Rejection::SignOutOfOrder {
            action,
            expected_role,
        },
        _ => match at.cmd.role {
            Some(role) => Rejection::RoleNotAllowed {
                action,
                role,
                allowed: missing,
            },
            None => Rejection::Forbidden {
                action,
                actor: at.cmd.actor.id.clone(),
                allowed: missing,
            },
        },
    })
}

/// One person, one signature: the person `actor` would count as twice (itself or whom it
/// acts for), with the signer of the signature already counting for them.
fn counted_twice(inst: &Instance, actor: &Actor, action: Name) -> Option<(ActorId, ActorId)> {
    inst.open_signatures()
        .filter(|s| s.action == action)
        .find_map(|s| {
            actor
                .identities()
                .find(|id| s.identities().any(|x| x == *id))
                .map(|person| (person.clone(), s.signer.clone()))
        })
}

fn sign_one(
    at: &At<'_>,
    ct: &CompiledTransition,
    so: &CompiledSignOff,
    refusal: Option<&String>,
    mode: Mode,
) -> Result<Decision, (Stage, Rejection)> {
    let action = ct.action;
    let done = |e: Rejection| (Stage::Effects, e);
    let attached = with_forms(at, action).map_err(done)?;
    let inst = attached.as_ref().unwrap_or(at.inst);
    let role = signing_role(at, inst, ct, so).map_err(|r| (Stage::SignOff, r))?;
    if so.distinct_signers {
        if let Some((person, signed_by)) = counted_twice(inst, &at.cmd.actor, action) {
            let r = Rejection::AlreadySigned {
                action,
                actor: at.cmd.actor.id.clone(),
                person: Some(person),
                signed_by: Some(signed_by),
            };
            return Err((Stage::SignOff, r));
        }
    }
    let mut signed = signed_roles(inst, action);
    signed.push(role);
    let complete = so.next_signers(&signed).is_empty();
    let signature = EventKind::Signed {
        action,
        role,
        meaning: so.meaning.clone(),
        approved: refusal.is_none(),
        reason: refusal.cloned(),
        binds: so.binds.clone(),
        digest: (!so.binds.is_empty()).then(|| inst.bound_digest(&so.binds)),
        renews: mode == Mode::Renewal && complete && refusal.is_none(),
    };
    if refusal.is_some() {
        return refuse(at, ct, so, role, signature, mode).map_err(done);
    }
    // Every signature meets the transition's guards: a doomed sign-off collects none.
    guards(at, ct)?;
    if !complete || mode == Mode::Renewal {
        let by = attribution(&at.cmd.actor, Some(role));
        let mut d = Draft::new(at.inst.clone(), Some(by), at.now);
        d.attach(&at.cmd.forms, action).map_err(done)?;
        d.push(signature).map_err(done)?;
        return Ok(d.finish());
    }
    // The last signature: the transition's effects run and it fires.
    let data = effects(at, ct)?;
    commit_transition(at, ct, data, Some(signature)).map_err(done)
}

fn refuse(
    at: &At<'_>,
    ct: &CompiledTransition,
    so: &CompiledSignOff,
    role: Name,
    signature: EventKind,
    mode: Mode,
) -> Result<Decision, Rejection> {
    let mut d = Draft::new(
        at.inst.clone(),
        Some(attribution(&at.cmd.actor, Some(role))),
        at.now,
    );
    d.attach(&at.cmd.forms, ct.action)?;
    d.push(signature)?;
    // A renewal refused stays where it is: the approval remains invalidated.
    if let (Some(target), Mode::Transition) = (so.on_refuse, mode) {
        d.push(EventKind::Transitioned {
            from: at.def.state(at.state).name,
            to: at.def.state(target).name,
            action: ct.action,
            payload: at.cmd.payload.clone(),
        })?;
        clocks::on_move(at.def, &mut d, Some(at.state), target, Some(ct.action))?;
    }
    Ok(d.finish())
}
