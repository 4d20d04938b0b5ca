//! Sign-offs: a signature, a refusal, or the last signature that fires the transition.

use super::fire::{At, Best, Stage, candidates, commit_transition, guards_and_effects, pre_checks};
use super::{Decision, Draft, attribution, clocks};
use crate::definition::{CompiledSignOff, CompiledTransition};
use crate::event::EventKind;
use crate::ids::Name;
use crate::rejection::Rejection;

/// Sign (or, with `refusal`, refuse) the sign-off of `action`.
pub(crate) fn sign(
    at: &At<'_>,
    action: Name,
    refusal: Option<&String>,
) -> Result<Decision, Rejection> {
    if refusal.is_some_and(|r| r.trim().is_empty()) {
        return Err(Rejection::ReasonRequired);
    }
    let mut best = Best::default();
    for (t, ct) in candidates(at, action) {
        if let Err(r) = pre_checks(at, t, ct, true) {
            best.keep(r);
            continue;
        }
        let Some(so) = &ct.sign_off else {
            continue;
        };
        match sign_one(at, ct, so, refusal) {
            Ok(decision) => return Ok(decision),
            Err(r) => best.keep(r),
        }
    }
    Err(best.into_rejection(at, action))
}

/// The role `at`'s actor signs as, or why it may not sign now.
fn signing_role(
    at: &At<'_>,
    ct: &CompiledTransition,
    so: &CompiledSignOff,
) -> Result<Name, Rejection> {
    let action = ct.action;
    let signed: Vec<Name> = at
        .inst
        .open_signatures()
        .filter(|s| s.action == action)
        .map(|s| s.role)
        .collect();
    let next = so.next_signers(&signed);
    if let Some(&role) = next.iter().find(|r| at.cmd.actor.roles.contains(r)) {
        return Ok(role);
    }
    let missing: Vec<Name> = so
        .roles
        .iter()
        .copied()
        .filter(|r| !signed.contains(r))
        .collect();
    let holds_later = missing.iter().any(|r| at.cmd.actor.roles.contains(r));
    Err(match next.first() {
        Some(&expected_role) if holds_later => Rejection::SignOutOfOrder {
            action,
            expected_role,
        },
        _ => Rejection::Forbidden {
            action,
            actor: at.cmd.actor.id.clone(),
            allowed: missing,
        },
    })
}

fn sign_one(
    at: &At<'_>,
    ct: &CompiledTransition,
    so: &CompiledSignOff,
    refusal: Option<&String>,
) -> Result<Decision, (Stage, Rejection)> {
    let action = ct.action;
    let role = signing_role(at, ct, so).map_err(|r| (Stage::SignOff, r))?;
    let already = at
        .inst
        .open_signatures()
        .any(|s| s.action == action && at.cmd.actor.identities().any(|id| *id == s.signer));
    if so.distinct_signers && already {
        let actor = at.cmd.actor.id.clone();
        return Err((Stage::SignOff, Rejection::AlreadySigned { action, actor }));
    }
    let signature = EventKind::Signed {
        action,
        role,
        meaning: so.meaning.clone(),
        approved: refusal.is_none(),
        reason: refusal.cloned(),
    };
    let done = |e: Rejection| (Stage::Effects, e);
    if refusal.is_some() {
        return refuse(at, ct, so, role, signature).map_err(done);
    }
    let complete = so.next_signers(&signed_with(at, action, role)).is_empty();
    if !complete {
        let by = attribution(&at.cmd.actor, Some(role));
        let mut d = Draft::new(at.inst.clone(), Some(by), at.now);
        d.attach(&at.cmd.forms, action).map_err(done)?;
        d.push(signature).map_err(done)?;
        return Ok(d.finish());
    }
    // The last signature: the transition's guards and effects decide whether it fires.
    let data = guards_and_effects(at, ct)?;
    commit_transition(at, ct, data, Some(signature)).map_err(done)
}

/// The roles that will have signed `action` once `role` signs.
fn signed_with(at: &At<'_>, action: Name, role: Name) -> Vec<Name> {
    at.inst
        .open_signatures()
        .filter(|s| s.action == action)
        .map(|s| s.role)
        .chain(std::iter::once(role))
        .collect()
}

fn refuse(
    at: &At<'_>,
    ct: &CompiledTransition,
    so: &CompiledSignOff,
    role: Name,
    signature: EventKind,
) -> Result<Decision, Rejection> {
    let mut d = Draft::new(
        at.inst.clone(),
        Some(attribution(&at.cmd.actor, Some(role))),
        at.now,
    );
    d.attach(&at.cmd.forms, ct.action)?;
    d.push(signature)?;
    if let Some(target) = so.on_refuse {
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
