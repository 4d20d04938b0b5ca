//! The pure core: the only place that turns a command or a due time into events.
//!
//! [`decide`] is a pure function of (definition, instance, command, `now`): it returns the
//! events to append together with the instance they produce, or a typed [`Rejection`]. It
//! never reads the clock, sleeps or touches storage. [`start`] does the same for creating an
//! instance, [`available_actions`] answers "what may this actor do now, and why not the
//! rest", and [`handle_due`] turns elapsed deadlines into events.
//!
//! The rule for choosing among several transitions on one action is documented in
//! [`guard`](crate::Guard#evaluation-order).
//!
//! Rooms: `fire` (transitions), `sign` (sign-offs), `clocks` (deadline bookkeeping on every
//! move), `due` (warnings, breaches, escalations).

mod anchor;
pub(crate) mod clocks;
mod due;
mod fire;
mod region;
mod sign;

pub use due::{MAX_STEPS_PER_CALL, handle_due};

use crate::access::{Actor, SignatureStatus};
use crate::command::{Command, Intent};
use crate::definition::Definition;
use crate::event::{Attribution, Event, EventKind};
use crate::form::Form;
use crate::ids::{InstanceId, Name, Region, RoleMask, StateIx};
use crate::instance::Instance;
use crate::rejection::{Rejection, check_depth};
use chrono::{DateTime, Utc};
use serde_json::Value;
use std::sync::Arc;

/// The outcome of deciding: the events to append and the instance they produce.
#[derive(Clone, Debug, PartialEq)]
pub struct Decision {
    /// New events, in order, numbered after the instance version.
    pub events: Vec<Event>,
    /// The instance after applying them.
    pub instance: Instance,
}

/// Events under construction, applied to a working copy as they are pushed so that each
/// later step sees the effect of the earlier ones.
pub(crate) struct Draft {
    pub(crate) inst: Instance,
    pub(crate) events: Vec<Event>,
    pub(crate) by: Option<Attribution>,
    pub(crate) now: DateTime<Utc>,
}

impl Draft {
    pub(crate) fn new(inst: Instance, by: Option<Attribution>, now: DateTime<Utc>) -> Self {
        Draft {
            inst,
            events: Vec::new(),
            by,
            now,
        }
    }

    pub(crate) fn push(&mut self, kind: EventKind) -> Result<(), Rejection> {
        let seq = self
            .inst
            .version()
            .checked_add(1)
            .ok_or_else(|| Rejection::Inconsistent {
                reason: "the instance version is at its maximum".into(),
            })?;
        let e = Event {
            instance: self.inst.id().clone(),
            seq,
            at: self.now,
            by: self.by.clone(),
            kind,
            prev: None,
        };
        self.inst.apply(&e).map_err(|err| Rejection::Inconsistent {
            reason: err.to_string(),
        })?;
        self.events.push(e);
        Ok(())
    }

    /// Record the forms a command attaches, with the action they came with.
    pub(crate) fn attach(&mut self, forms: &[Form], action: Name) -> Result<(), Rejection> {
        for f in forms {
            self.push(EventKind::FormAttached {
                form: f.clone(),
                action,
            })?;
        }
        Ok(())
    }

    pub(crate) fn finish(self) -> Decision {
        Decision {
            events: self.events,
            instance: self.inst,
        }
    }
}

/// The instance's current state in `def`, after checking that it runs `def` and is open.
fn check_definition(def: &Definition, inst: &Instance) -> Result<StateIx, Rejection> {
    if inst.definition() != def.id() || inst.definition_version() != def.version() {
        return Err(Rejection::WrongDefinition {
            instance_definition: inst.definition(),
            instance_version: inst.definition_version(),
            definition: def.id(),
            version: def.version(),
        });
    }
    if inst.is_closed() {
        return Err(Rejection::InstanceClosed {
            state: inst.state(),
        });
    }
    def.state_ix(inst.state())
        .ok_or_else(|| Rejection::Inconsistent {
            reason: format!("state `{}` is not in the definition", inst.state()),
        })
}

/// Time only moves forward per instance: refuse a `now` earlier than the last event.
pub(crate) fn check_time(inst: &Instance, now: DateTime<Utc>) -> Result<(), Rejection> {
    let last = inst.updated_at();
    if now < last {
        return Err(Rejection::TimeWentBackwards { last, now });
    }
    Ok(())
}

/// The action a command attaches its forms with (`comment` and `override` for those intents).
fn attaching_action(intent: &Intent) -> Name {
    match intent {
        Intent::Fire { action } | Intent::Sign { action } | Intent::Refuse { action, .. } => {
            *action
        }
        Intent::Comment { .. } => Name::new("comment"),
        Intent::Override { .. } => Name::new("override"),
    }
}

fn check_forms(def: &Definition, forms: &[Form], intent: &Intent) -> Result<(), Rejection> {
    if forms.is_empty() {
        return Ok(());
    }
    let action = attaching_action(intent);
    for f in forms {
        check_depth(|| format!("form `{}`", f.kind), &f.body)?;
        if let Some(allowed) = def.attach.get(&f.kind) {
            if !allowed.contains(&action) {
                return Err(Rejection::FormNotAttachable {
                    form: f.kind,
                    action,
                });
            }
        }
        match def.forms.get(&f.kind) {
            None => return Err(Rejection::UndeclaredForm { form: f.kind }),
            Some(Some(v)) => v
                .validate(&f.body)
                .map_err(|reason| Rejection::InvalidForm {
                    form: f.kind,
                    reason,
                })?,
            Some(None) => {}
        }
    }
    Ok(())
}

pub(crate) fn attribution(actor: &Actor, role: Option<Name>) -> Attribution {
    Attribution {
        actor: actor.id.clone(),
        role,
        on_behalf_of: actor.on_behalf_of.clone(),
    }
}

/// Start an instance of `def` in its initial state, without a region (any actor may act on
/// it): [`start_in`] with `None`.
///
/// # Errors
/// As [`start_in`].
pub fn start(
    def: &Definition,
    id: InstanceId,
    actor: &Actor,
    data: Value,
    now: DateTime<Utc>,
) -> Result<Decision, Rejection> {
    start_in(def, id, actor, data, None, now)
}

/// Start an instance of `def` in its initial state, in `region` (recorded in the `Created`
/// event, so the hash chain and replay cover it; see [Regions](crate::Actor#regions)).
///
/// # Errors
/// [`Rejection::Forbidden`] when the actor holds no start role;
/// [`Rejection::OutOfRegion`] when it holds one, but only among roles that do not act in
/// `region` (it is of another region, or of none, and the role is not region-wide);
/// [`Rejection::TooDeep`]; [`Rejection::DeadlineUncomputable`] when a deadline of the
/// initial state cannot be computed.
pub fn start_in(
    def: &Definition,
    id: InstanceId,
    actor: &Actor,
    data: Value,
    region: Option<Region>,
    now: DateTime<Utc>,
) -> Result<Decision, Rejection> {
    let all = RoleMask(u64::MAX);
    let within = if region::is_outside(actor, region.as_ref()) {
        def.region_wide
    } else {
        all
    };
    // The first start role, in the order the definition lists them, that the actor holds
    // and that acts in the instance's region.
    let role = match def.start_role_for(&actor.roles, within) {
        Some(role) => role,
        None if def.start_role_for(&actor.roles, all).is_some() => {
            return Err(region::out_of_region(
                Name::new("start"),
                &id,
                actor,
                region.as_ref(),
            ));
        }
        None => {
            return Err(Rejection::Forbidden {
                action: Name::new("start"),
                actor: actor.id.clone(),
                allowed: def.role_names(def.start_roles),
            });
        }
    };
    check_depth(|| "data".into(), &data)?;
    let by = attribution(actor, Some(role));
    let created = Event {
        instance: id,
        seq: 1,
        at: now,
        by: Some(by.clone()),
        kind: EventKind::Created {
            definition: def.id(),
            version: def.version(),
            state: def.initial_state(),
            data: Arc::new(data),
            region,
        },
        prev: None,
    };
    let inst = Instance::from_created(&created).map_err(|e| Rejection::Inconsistent {
        reason: e.to_string(),
    })?;
    let mut draft = Draft::new(inst, Some(by), now);
    draft.events.push(created);
    clocks::on_move(def, &mut draft, None, def.initial, None)?;
    Ok(draft.finish())
}

/// The checks every command gets before its intent's own: the definition, the instance
/// being open, payload and form limits, the named role being held; and the actor's roles
/// in this definition (only the named role, when the command names one), of which only the
/// region-wide ones count when the actor is outside the instance's region.
fn prepare<'a>(
    def: &'a Definition,
    inst: &'a Instance,
    cmd: &'a Command,
    now: DateTime<Utc>,
) -> Result<fire::At<'a>, Rejection> {
    let state = check_definition(def, inst)?;
    check_time(inst, now)?;
    check_depth(|| "payload".into(), &cmd.payload)?;
    check_forms(def, &cmd.forms, &cmd.intent)?;
    let mask = match cmd.role {
        Some(role) if !cmd.actor.roles.contains(&role) => {
            return Err(Rejection::RoleNotHeld {
                actor: cmd.actor.id.clone(),
                role,
            });
        }
        Some(role) => def.mask_of(&[role]),
        // The actor's roles in this definition, computed once per command.
        None => def.mask_of(&cmd.actor.roles),
    };
    // Outside the instance's region only the region-wide roles count.
    let scope = region::scope(def, &cmd.actor, inst.region(), mask);
    Ok(fire::At {
        def,
        inst,
        cmd,
        state,
        mask: scope.counted,
        outside: scope.outside,
        now,
    })
}

/// Decide `cmd` against `inst` at `now`.
///
/// # Refusal order
///
/// One order for every command, so the same "this person may not do this" always comes back
/// the same way:
///
/// 1. the instance: [`Rejection::WrongDefinition`], [`Rejection::InstanceClosed`]; time
///    ([`Rejection::TimeWentBackwards`]: `now` may not be earlier than the instance's last
///    event, so its history never goes backwards); the
///    command's size: [`Rejection::TooDeep`]; its forms: [`Rejection::UndeclaredForm`],
///    [`Rejection::FormNotAttachable`], [`Rejection::InvalidForm`];
/// 2. the role: a role the command names but the actor does not hold,
///    [`Rejection::RoleNotHeld`]; then an actor (or named role) holding no role allowed for
///    the action in this state gets [`Rejection::Forbidden`] ([`Rejection::RoleNotAllowed`])
///    — never `NoSuchTransition` or `GuardRejected` because of another candidate — unless it
///    holds a role allowed for the action from another state ([`Rejection::NoSuchTransition`])
///    or the action is unknown ([`Rejection::UnknownAction`]); the region: an actor outside
///    the instance's region (of another region, or of none) acts only through the
///    definition's region-wide roles, and one holding a role allowed for the action only
///    among its other roles gets [`Rejection::OutOfRegion`] in place of `Forbidden` or
///    `RoleNotAllowed` (see [Regions](crate::Actor#regions));
/// 3. per candidate transition, in definition order, among those the actor's role allows:
///    separation of duties ([`Rejection::SeparationOfDuties`], for the person and for whom
///    they act), a state whose approval was invalidated ([`Rejection::ApprovalInvalidated`]),
///    the sign-off's kind and order ([`Rejection::SignOffRequired`], [`Rejection::NoSignOff`],
///    [`Rejection::SignOutOfOrder`]), one person one signature
///    ([`Rejection::AlreadySigned`]), forms and texts ([`Rejection::MissingForm`],
///    [`Rejection::TextRequired`]), guards ([`Rejection::GuardRejected`], on every signature
///    of a sign-off), effects ([`Rejection::EffectFailed`]); the first candidate passing
///    every check fires, otherwise the refusal of the one that got furthest is returned;
/// 4. the outcome: a change of content that standing signatures approve, when their
///    sign-off refuses it ([`Rejection::BoundContentLocked`]).
///
/// # Errors
/// The [`Rejection`] explaining why nothing happens.
pub fn decide(
    def: &Definition,
    inst: &Instance,
    cmd: &Command,
    now: DateTime<Utc>,
) -> Result<Decision, Rejection> {
    let at = prepare(def, inst, cmd, now)?;
    let decision = match &cmd.intent {
        Intent::Fire { action } => fire::fire(&at, *action),
        Intent::Sign { action } => sign::sign(&at, *action, None),
        Intent::Refuse { action, reason } => sign::sign(&at, *action, Some(reason)),
        Intent::Comment { text } => comment(&at, text),
        Intent::Override { to, reason } => override_to(&at, *to, reason),
    }?;
    locked(def, inst, &decision, attaching_action(&cmd.intent))?;
    Ok(decision)
}

/// Refuse a decision that invalidates standing signatures of a sign-off whose policy is
/// [`OnBoundChange::Refuse`](crate::OnBoundChange::Refuse).
fn locked(
    def: &Definition,
    before: &Instance,
    decision: &Decision,
    action: Name,
) -> Result<(), Rejection> {
    let old = before.signatures();
    let hit = decision
        .instance
        .signatures()
        .iter()
        .enumerate()
        .find(|&(i, s)| {
            s.status == SignatureStatus::Invalidated
                && old.get(i).is_none_or(|o| o.stands())
                && def.refuses_change(s.action)
        });
    let Some((_, s)) = hit else {
        return Ok(());
    };
    let signers = decision
        .instance
        .signatures()
        .iter()
        .enumerate()
        .filter(|&(i, x)| {
            x.action == s.action
                && x.status == SignatureStatus::Invalidated
                && old.get(i).is_none_or(|o| o.stands())
        })
        .map(|(_, x)| x.signer.clone())
        .collect();
    Err(Rejection::BoundContentLocked {
        action,
        sign_off: s.action,
        signers,
    })
}

/// Whether [`decide`] would accept `cmd`, without building or applying any event: the same
/// checks in the same order (role, separation of duties, sign-off kind, forms, guards,
/// effects), the same [`Rejection`] when refused. For answering "may I?" on a hot path.
///
/// # Errors
/// The [`Rejection`] [`decide`] would return.
pub fn check(
    def: &Definition,
    inst: &Instance,
    cmd: &Command,
    now: DateTime<Utc>,
) -> Result<(), Rejection> {
    let Intent::Fire { action } = &cmd.intent else {
        return decide(def, inst, cmd, now).map(|_| ());
    };
    // Whether a change would touch content that signatures approve is only known from the
    // events: decide in full when any signature binds content.
    if inst.signatures().iter().any(|s| s.digest.is_some()) {
        return decide(def, inst, cmd, now).map(|_| ());
    }
    let at = prepare(def, inst, cmd, now)?;
    fire::admissible(&at, *action)
}

fn comment(at: &fire::At<'_>, text: &str) -> Result<Decision, Rejection> {
    let role = at
        .def
        .role_used(at.mask, RoleMask(u64::MAX))
        .ok_or_else(|| fire::forbidden(at, Name::new("comment"), RoleMask(u64::MAX)))?;
    let mut d = Draft::new(
        at.inst.clone(),
        Some(attribution(&at.cmd.actor, Some(role))),
        at.now,
    );
    d.attach(&at.cmd.forms, Name::new("comment"))?;
    d.push(EventKind::Commented {
        text: text.to_owned(),
    })?;
    Ok(d.finish())
}

fn override_to(at: &fire::At<'_>, to: Name, reason: &str) -> Result<Decision, Rejection> {
    let def = at.def;
    let role = def
        .role_used(at.mask, def.override_roles)
        .ok_or_else(|| fire::forbidden(at, Name::new("override"), def.override_roles))?;
    if reason.trim().is_empty() {
        return Err(Rejection::ReasonRequired);
    }
    let target = def
        .state_ix(to)
        .ok_or(Rejection::UnknownState { state: to })?;
    let mut d = Draft::new(
        at.inst.clone(),
        Some(attribution(&at.cmd.actor, Some(role))),
        at.now,
    );
    d.attach(&at.cmd.forms, Name::new("override"))?;
    let payload = &at.cmd.payload;
    d.push(EventKind::Overridden {
        from: at.inst.state(),
        to,
        reason: reason.to_owned(),
        penalty: (!payload.is_null()).then(|| payload.clone()),
    })?;
    clocks::on_move(def, &mut d, Some(at.state), target, None)?;
    Ok(d.finish())
}

/// Whether one action is available to an actor now, and if not, why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Availability {
    /// The action.
    pub action: Name,
    /// Whether it completes by sign-off (use [`Command::sign`]).
    pub sign_off: bool,
    /// `Ok` when it would be accepted with the given payload and forms; otherwise why not.
    pub verdict: Result<(), Rejection>,
}

/// For each action leaving the current state, whether `actor` may take it now (with an empty
/// payload and no new forms), and why not.
pub fn available_actions(
    def: &Definition,
    inst: &Instance,
    actor: &Actor,
    now: DateTime<Utc>,
) -> Vec<Availability> {
    let Some(state) = def.state_ix(inst.state()) else {
        return Vec::new();
    };
    let mut actions = def.actions_from(inst.state());
    // Approvals to give again in place (their bound content changed).
    for s in inst.signatures() {
        if s.in_force && s.status == SignatureStatus::Invalidated && !actions.contains(&s.action) {
            actions.push(s.action);
        }
    }
    actions
        .into_iter()
        .map(|action| {
            let renewal = inst.signatures().iter().any(|s| {
                s.action == action && s.in_force && s.status == SignatureStatus::Invalidated
            });
            let sign_off = renewal
                || def.state(state).outgoing.iter().any(|&(_, t)| {
                    let ct = def.transition(t);
                    ct.action == action && ct.sign_off.is_some()
                });
            let cmd = if sign_off {
                Command::sign(actor, action)
            } else {
                Command::fire(actor, action)
            };
            Availability {
                action,
                sign_off,
                verdict: decide(def, inst, &cmd, now).map(|_| ()),
            }
        })
        .collect()
}
