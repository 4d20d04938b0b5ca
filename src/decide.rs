//! The pure core: deciding a command.
//!
//! [`decide`] is a pure function of (definition, instance, command, `now`): it returns the
//! events to append together with the instance they produce, or a typed [`Rejection`]. It
//! never reads the clock, sleeps or touches storage. [`start`] does the same for creating an
//! instance, [`available_actions`] answers "what may this actor do now, and why not the
//! rest", and [`handle_due`](crate::deadline::handle_due) turns elapsed deadlines into events.
//!
//! The rule for choosing among several transitions on one action is documented in
//! [`guard`](crate::guard#evaluation-order).

use crate::access::{Actor, ActorId, Separation};
use crate::command::{Command, Intent};
use crate::deadline;
use crate::definition::{CompiledEffect, Definition, RoleMask};
use crate::effect::{EffectContext, merge_patch};
use crate::event::{Attribution, Event, EventKind};
use crate::form::Form;
use crate::guard::GuardContext;
use crate::instance::{Instance, InstanceId};
use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Why a command was refused. Nothing was changed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema, thiserror::Error)]
#[serde(tag = "refusal", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Rejection {
    /// The instance runs another definition (or version).
    #[error(
        "instance runs `{instance_definition}` v{instance_version}, not `{definition}` v{version}"
    )]
    WrongDefinition {
        /// The instance's definition.
        instance_definition: String,
        /// The instance's definition version.
        instance_version: u32,
        /// The definition given.
        definition: String,
        /// Its version.
        version: u32,
    },
    /// The instance is closed.
    #[error("instance is closed (in `{state}`)")]
    InstanceClosed {
        /// Its terminal state.
        state: String,
    },
    /// The definition has no such action.
    #[error("unknown action `{action}`")]
    UnknownAction {
        /// The action.
        action: String,
    },
    /// The action exists but not from the current state.
    #[error("no transition on `{action}` from `{state}`")]
    NoSuchTransition {
        /// Current state.
        state: String,
        /// The action.
        action: String,
    },
    /// The actor holds none of the allowed roles.
    #[error("`{actor}` may not do `{action}`: it needs one of [{}]", .allowed.join(", "))]
    Forbidden {
        /// The action (`start` for starting an instance).
        action: String,
        /// The actor.
        actor: ActorId,
        /// The roles that would be allowed.
        allowed: Vec<String>,
    },
    /// A separation-of-duties rule forbids this actor.
    #[error("`{actor}` may not do `{action}`: separation of duties ({rule})")]
    SeparationOfDuties {
        /// The action.
        action: String,
        /// The actor.
        actor: ActorId,
        /// The rule, in words.
        rule: String,
    },
    /// A required form is neither attached nor on file.
    #[error("`{action}` needs the form `{form}`")]
    MissingForm {
        /// The action.
        action: String,
        /// The form kind.
        form: String,
    },
    /// An attached form is invalid.
    #[error("form `{form}` is invalid: {reason}")]
    InvalidForm {
        /// The form kind.
        form: String,
        /// Why.
        reason: String,
    },
    /// An attached form kind is not declared by the definition.
    #[error("form kind `{form}` is not declared by this definition")]
    UndeclaredForm {
        /// The form kind.
        form: String,
    },
    /// A guard refused.
    #[error("`{action}` refused by guard `{guard}`: {reason}")]
    GuardRejected {
        /// The action.
        action: String,
        /// The guard (or guard expression).
        guard: String,
        /// Its reason.
        reason: String,
    },
    /// An effect refused the payload.
    #[error("`{action}`: effect `{effect}` failed: {reason}")]
    EffectFailed {
        /// The action.
        action: String,
        /// The effect.
        effect: String,
        /// Why.
        reason: String,
    },
    /// The transition completes by sign-off; use `sign`.
    #[error("`{action}` is completed by a sign-off: sign it")]
    SignOffRequired {
        /// The action.
        action: String,
    },
    /// `sign`/`refuse` on a transition without a sign-off.
    #[error("`{action}` has no sign-off from `{state}`")]
    NoSignOff {
        /// The action.
        action: String,
        /// Current state.
        state: String,
    },
    /// A sequential sign-off expects another role first.
    #[error("`{action}`: `{expected_role}` must sign first")]
    SignOutOfOrder {
        /// The action.
        action: String,
        /// The role expected next.
        expected_role: String,
    },
    /// This actor already signed this sign-off.
    #[error("`{actor}` already signed `{action}`")]
    AlreadySigned {
        /// The action.
        action: String,
        /// The actor.
        actor: ActorId,
    },
    /// A refusal or override without a reason.
    #[error("a reason is required")]
    ReasonRequired,
    /// An override to a state that does not exist.
    #[error("unknown state `{state}`")]
    UnknownState {
        /// The state.
        state: String,
    },
    /// A deadline could not be computed (the calendar has no working time ahead).
    #[error("deadline `{deadline}` cannot be computed: {reason}")]
    DeadlineUncomputable {
        /// The deadline.
        deadline: String,
        /// Why.
        reason: String,
    },
    /// The instance snapshot contradicts the definition (a corrupted or foreign snapshot).
    #[error("instance is inconsistent with its definition: {reason}")]
    Inconsistent {
        /// What does not fit.
        reason: String,
    },
    /// A payload, form body or initial or resulting data is nested deeper than
    /// [`MAX_JSON_DEPTH`]: the events recording it would not parse back from JSON.
    #[error("{what} is nested deeper than {max} levels")]
    TooDeep {
        /// `payload`, `form <kind>`, `data`.
        what: String,
        /// The limit.
        max: usize,
    },
}

/// How deeply JSON values in commands (payloads, form bodies) and instance data may nest.
/// Events and snapshots wrap them in up to four more levels; `serde_json` refuses to parse
/// documents nested deeper than 128, so deeper values would be accepted but could never be
/// read back from a JSON store.
pub const MAX_JSON_DEPTH: usize = 64;

/// The nesting depth of a JSON value (a scalar is 0, `[]` and `{}` are 1), without recursion.
fn depth(v: &Value) -> usize {
    let mut deepest = 0;
    let mut stack = vec![(v, 0usize)];
    while let Some((v, d)) = stack.pop() {
        deepest = deepest.max(d);
        match v {
            Value::Array(a) => stack.extend(a.iter().map(|x| (x, d + 1))),
            Value::Object(o) => stack.extend(o.values().map(|x| (x, d + 1))),
            _ => {}
        }
    }
    deepest
}

fn check_depth(what: impl FnOnce() -> String, v: &Value) -> Result<(), Rejection> {
    if depth(v) > MAX_JSON_DEPTH {
        return Err(Rejection::TooDeep {
            what: what(),
            max: MAX_JSON_DEPTH,
        });
    }
    Ok(())
}

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
        };
        self.inst.apply(&e).map_err(|err| Rejection::Inconsistent {
            reason: err.to_string(),
        })?;
        self.events.push(e);
        Ok(())
    }

    /// Record the forms a command attaches, with the action they came with.
    pub(crate) fn attach(&mut self, forms: &[Form], action: &str) -> Result<(), Rejection> {
        for f in forms {
            self.push(EventKind::FormAttached {
                form: f.clone(),
                action: action.to_owned(),
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

fn check_definition(def: &Definition, inst: &Instance) -> Result<usize, Rejection> {
    if inst.definition() != def.id() || inst.definition_version() != def.version() {
        return Err(Rejection::WrongDefinition {
            instance_definition: inst.definition().to_owned(),
            instance_version: inst.definition_version(),
            definition: def.id().to_owned(),
            version: def.version(),
        });
    }
    if inst.is_closed() {
        return Err(Rejection::InstanceClosed {
            state: inst.state().to_owned(),
        });
    }
    def.state_ix
        .get(inst.state())
        .copied()
        .ok_or_else(|| Rejection::Inconsistent {
            reason: format!("state `{}` is not in the definition", inst.state()),
        })
}

fn check_forms(def: &Definition, forms: &[Form]) -> Result<(), Rejection> {
    for f in forms {
        check_depth(|| format!("form `{}`", f.kind), &f.body)?;
        match def.forms.get(&f.kind) {
            None => {
                return Err(Rejection::UndeclaredForm {
                    form: f.kind.clone(),
                });
            }
            Some(Some(v)) => v
                .validate(&f.body)
                .map_err(|reason| Rejection::InvalidForm {
                    form: f.kind.clone(),
                    reason,
                })?,
            Some(None) => {}
        }
    }
    Ok(())
}

fn attribution(actor: &Actor, role: Option<&str>) -> Attribution {
    Attribution {
        actor: actor.id.clone(),
        role: role.map(str::to_owned),
        on_behalf_of: actor.on_behalf_of.clone(),
    }
}

/// Start an instance of `def` in its initial state.
///
/// # Errors
/// [`Rejection::Forbidden`] when the actor may not start one; [`Rejection::DeadlineUncomputable`]
/// when a deadline of the initial state cannot be computed.
pub fn start(
    def: &Definition,
    id: InstanceId,
    actor: &Actor,
    data: Value,
    now: DateTime<Utc>,
) -> Result<Decision, Rejection> {
    let mask = def.mask_of(&actor.roles);
    let role = def
        .role_used(mask, def.start_roles)
        .ok_or_else(|| Rejection::Forbidden {
            action: "start".into(),
            actor: actor.id.clone(),
            allowed: def.role_names(def.start_roles),
        })?;
    check_depth(|| "data".into(), &data)?;
    let by = attribution(actor, Some(role));
    let created = Event {
        instance: id,
        seq: 1,
        at: now,
        by: Some(by.clone()),
        kind: EventKind::Created {
            definition: def.id().to_owned(),
            version: def.version(),
            state: def.initial_state().to_owned(),
            data,
        },
    };
    let inst = Instance::from_created(&created).map_err(|e| Rejection::Inconsistent {
        reason: e.to_string(),
    })?;
    let mut draft = Draft::new(inst, Some(by), now);
    draft.events.push(created);
    deadline::on_move(def, &mut draft, None, def.initial, None)?;
    Ok(draft.finish())
}

/// How far a candidate transition got through the checks (see the evaluation order).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Stage {
    Role,
    Separation,
    SignOff,
    Forms,
    Guards,
    Effects,
}

/// Decide `cmd` against `inst` at `now`.
///
/// # Errors
/// The [`Rejection`] explaining why nothing happens.
pub fn decide(
    def: &Definition,
    inst: &Instance,
    cmd: &Command,
    now: DateTime<Utc>,
) -> Result<Decision, Rejection> {
    let state = check_definition(def, inst)?;
    check_depth(|| "payload".into(), &cmd.payload)?;
    check_forms(def, &cmd.forms)?;
    match &cmd.intent {
        Intent::Fire { action } => fire(def, inst, state, cmd, action, now),
        Intent::Sign { action } => sign(def, inst, state, cmd, action, None, now),
        Intent::Refuse { action, reason } => sign(def, inst, state, cmd, action, Some(reason), now),
        Intent::Comment { text } => {
            let mask = def.mask_of(&cmd.actor.roles);
            let all = RoleMask(u64::MAX);
            let role = def
                .role_used(mask, all)
                .ok_or_else(|| Rejection::Forbidden {
                    action: "comment".into(),
                    actor: cmd.actor.id.clone(),
                    allowed: def.spec().roles.clone(),
                })?;
            let mut d = Draft::new(inst.clone(), Some(attribution(&cmd.actor, Some(role))), now);
            d.attach(&cmd.forms, "comment")?;
            d.push(EventKind::Commented { text: text.clone() })?;
            Ok(d.finish())
        }
        Intent::Override { to, reason } => {
            let mask = def.mask_of(&cmd.actor.roles);
            let role =
                def.role_used(mask, def.override_roles)
                    .ok_or_else(|| Rejection::Forbidden {
                        action: "override".into(),
                        actor: cmd.actor.id.clone(),
                        allowed: def.role_names(def.override_roles),
                    })?;
            if reason.trim().is_empty() {
                return Err(Rejection::ReasonRequired);
            }
            let target = *def
                .state_ix
                .get(to)
                .ok_or_else(|| Rejection::UnknownState { state: to.clone() })?;
            let mut d = Draft::new(inst.clone(), Some(attribution(&cmd.actor, Some(role))), now);
            d.attach(&cmd.forms, "override")?;
            d.push(EventKind::Overridden {
                from: inst.state().to_owned(),
                to: to.clone(),
                reason: reason.clone(),
                penalty: (!cmd.payload.is_null()).then(|| cmd.payload.clone()),
            })?;
            deadline::on_move(def, &mut d, Some(state), target, None)?;
            Ok(d.finish())
        }
    }
}

/// Check one candidate transition up to (not including) guards and effects.
/// `mask` is the actor's roles in this definition, computed once per command.
fn pre_checks(
    def: &Definition,
    inst: &Instance,
    t: usize,
    cmd: &Command,
    mask: RoleMask,
    action: &str,
    signing: bool,
) -> Result<(), (Stage, Rejection)> {
    let ct = &def.transitions[t];
    if !mask.intersects(ct.roles) {
        return Err((
            Stage::Role,
            Rejection::Forbidden {
                action: action.to_owned(),
                actor: cmd.actor.id.clone(),
                allowed: def.role_names(ct.roles),
            },
        ));
    }
    for rule in def.separation(t) {
        let violated = match rule {
            Separation::ExcludedRole { .. } => mask.intersects(ct.excluded),
            Separation::NotSameActorAs { action: earlier } => {
                let who = inst.fired_by(earlier);
                cmd.actor.identities().any(|id| who.contains(id))
            }
        };
        if violated {
            return Err((
                Stage::Separation,
                Rejection::SeparationOfDuties {
                    action: action.to_owned(),
                    actor: cmd.actor.id.clone(),
                    rule: rule.to_string(),
                },
            ));
        }
    }
    if ct.sign_off.is_some() != signing {
        let r = if signing {
            Rejection::NoSignOff {
                action: action.to_owned(),
                state: inst.state().to_owned(),
            }
        } else {
            Rejection::SignOffRequired {
                action: action.to_owned(),
            }
        };
        return Err((Stage::SignOff, r));
    }
    for kind in &def.spec.transitions[t].fresh_forms {
        if !cmd.forms.iter().any(|f| &f.kind == kind) {
            return Err((
                Stage::Forms,
                Rejection::MissingForm {
                    action: action.to_owned(),
                    form: kind.clone(),
                },
            ));
        }
    }
    for kind in &def.spec.transitions[t].forms {
        let here = cmd.forms.iter().any(|f| &f.kind == kind) || inst.latest_form(kind).is_some();
        if !here {
            return Err((
                Stage::Forms,
                Rejection::MissingForm {
                    action: action.to_owned(),
                    form: kind.clone(),
                },
            ));
        }
    }
    Ok(())
}

fn guards_and_effects(
    def: &Definition,
    inst: &Instance,
    t: usize,
    cmd: &Command,
    action: &str,
    now: DateTime<Utc>,
) -> Result<Option<Value>, (Stage, Rejection)> {
    let ct = &def.transitions[t];
    let ctx = GuardContext {
        instance: inst,
        action,
        payload: &cmd.payload,
        forms: &cmd.forms,
        actor: &cmd.actor,
        now,
    };
    for g in &ct.guards {
        g.check(&ctx).map_err(|r| {
            (
                Stage::Guards,
                Rejection::GuardRejected {
                    action: action.to_owned(),
                    guard: r.guard,
                    reason: r.reason,
                },
            )
        })?;
    }
    if ct.effects.is_empty() {
        return Ok(None);
    }
    let mut data = inst.data().clone();
    let ectx = EffectContext {
        action,
        payload: &cmd.payload,
        forms: &cmd.forms,
        actor: &cmd.actor,
        now,
    };
    for e in &ct.effects {
        match e {
            CompiledEffect::MergePayload => match &cmd.payload {
                Value::Null => {}
                Value::Object(_) => merge_patch(&mut data, &cmd.payload),
                _ => {
                    return Err((
                        Stage::Effects,
                        Rejection::EffectFailed {
                            action: action.to_owned(),
                            effect: "merge_payload".into(),
                            reason: "the payload must be a JSON object".into(),
                        },
                    ));
                }
            },
            CompiledEffect::Named(name, eff) => eff.apply(&mut data, &ectx).map_err(|reason| {
                (
                    Stage::Effects,
                    Rejection::EffectFailed {
                        action: action.to_owned(),
                        effect: name.clone(),
                        reason,
                    },
                )
            })?,
        }
    }
    check_depth(|| "data".into(), &data).map_err(|r| (Stage::Effects, r))?;
    Ok((&data != inst.data()).then_some(data))
}

/// The candidates on `action` from `state` in definition order, or why there are none.
fn candidates(def: &Definition, state: usize, action: &str) -> Result<Vec<usize>, Rejection> {
    if !def.spec.actions.iter().any(|a| a == action) {
        return Err(Rejection::UnknownAction {
            action: action.to_owned(),
        });
    }
    let found: Vec<usize> = def.outgoing[state]
        .iter()
        .copied()
        .filter(|&t| def.spec.transitions[t].action == action)
        .collect();
    if found.is_empty() {
        return Err(no_transition(def, state, action));
    }
    Ok(found)
}

/// Keep the rejection of the candidate that got furthest (earliest on a tie).
fn keep_best(best: &mut Option<(Stage, Rejection)>, new: (Stage, Rejection)) {
    if best.as_ref().is_none_or(|(s, _)| new.0 > *s) {
        *best = Some(new);
    }
}

fn fire(
    def: &Definition,
    inst: &Instance,
    state: usize,
    cmd: &Command,
    action: &str,
    now: DateTime<Utc>,
) -> Result<Decision, Rejection> {
    let mut best = None;
    let mask = def.mask_of(&cmd.actor.roles);
    let cands = candidates(def, state, action)?;
    for t in cands {
        let outcome = pre_checks(def, inst, t, cmd, mask, action, false)
            .and_then(|()| guards_and_effects(def, inst, t, cmd, action, now));
        match outcome {
            Ok(data) => return commit_transition(def, inst, t, cmd, mask, action, data, None, now),
            Err(r) => keep_best(&mut best, r),
        }
    }
    Err(best
        .map(|(_, r)| r)
        .unwrap_or_else(|| no_transition(def, state, action)))
}

fn no_transition(def: &Definition, state: usize, action: &str) -> Rejection {
    Rejection::NoSuchTransition {
        state: def.state_name(state).to_owned(),
        action: action.to_owned(),
    }
}

/// Emit the events of firing transition `t`.
#[allow(clippy::too_many_arguments)]
fn commit_transition(
    def: &Definition,
    inst: &Instance,
    t: usize,
    cmd: &Command,
    mask: RoleMask,
    action: &str,
    data: Option<Value>,
    signature: Option<EventKind>,
    now: DateTime<Utc>,
) -> Result<Decision, Rejection> {
    let ct = &def.transitions[t];
    let role = match &signature {
        Some(EventKind::Signed { role, .. }) => Some(role.as_str()),
        _ => def.role_used(mask, ct.roles),
    };
    let mut d = Draft::new(inst.clone(), Some(attribution(&cmd.actor, role)), now);
    d.attach(&cmd.forms, action)?;
    if let Some(sig) = signature {
        d.push(sig)?;
    }
    d.push(EventKind::Transitioned {
        from: def.state_name(ct.from).to_owned(),
        to: def.state_name(ct.to).to_owned(),
        action: action.to_owned(),
        payload: cmd.payload.clone(),
    })?;
    if let Some(data) = data {
        d.push(EventKind::DataChanged { data })?;
    }
    deadline::on_move(def, &mut d, Some(ct.from), ct.to, Some(action))?;
    Ok(d.finish())
}

fn sign(
    def: &Definition,
    inst: &Instance,
    state: usize,
    cmd: &Command,
    action: &str,
    refusal: Option<&String>,
    now: DateTime<Utc>,
) -> Result<Decision, Rejection> {
    if refusal.is_some_and(|r| r.trim().is_empty()) {
        return Err(Rejection::ReasonRequired);
    }
    let mut best = None;
    let mask = def.mask_of(&cmd.actor.roles);
    let cands = candidates(def, state, action)?;
    for t in cands {
        let pre = pre_checks(def, inst, t, cmd, mask, action, true);
        if let Err(r) = pre {
            keep_best(&mut best, r);
            continue;
        }
        let Some(so) = &def.transitions[t].sign_off else {
            continue;
        };
        let signed: Vec<&str> = inst
            .signatures()
            .iter()
            .filter(|s| s.action == action)
            .map(|s| s.role.as_str())
            .collect();
        let missing: Vec<&String> = so
            .spec
            .roles
            .iter()
            .filter(|r| !signed.contains(&r.as_str()))
            .collect();
        let next = so.spec.next_signers(&signed);
        let role = next.iter().copied().find(|r| cmd.actor.has_role(r));
        let Some(role) = role.map(str::to_owned) else {
            let holds_later = missing.iter().any(|r| cmd.actor.has_role(r));
            let r = match next.first() {
                Some(expected) if holds_later => Rejection::SignOutOfOrder {
                    action: action.to_owned(),
                    expected_role: (*expected).to_owned(),
                },
                _ => Rejection::Forbidden {
                    action: action.to_owned(),
                    actor: cmd.actor.id.clone(),
                    allowed: missing.iter().map(|r| (*r).clone()).collect(),
                },
            };
            keep_best(&mut best, (Stage::SignOff, r));
            continue;
        };
        let role = &role;
        if so.spec.distinct_signers
            && inst
                .signatures()
                .iter()
                .any(|s| s.action == action && cmd.actor.identities().any(|id| *id == s.signer))
        {
            keep_best(
                &mut best,
                (
                    Stage::SignOff,
                    Rejection::AlreadySigned {
                        action: action.to_owned(),
                        actor: cmd.actor.id.clone(),
                    },
                ),
            );
            continue;
        }
        let signature = EventKind::Signed {
            action: action.to_owned(),
            role: role.clone(),
            meaning: so.spec.meaning.clone(),
            approved: refusal.is_none(),
            reason: refusal.cloned(),
        };
        let by = attribution(&cmd.actor, Some(role));
        if refusal.is_some() {
            let mut d = Draft::new(inst.clone(), Some(by), now);
            d.attach(&cmd.forms, action)?;
            d.push(signature)?;
            if let Some(target) = so.on_refuse {
                d.push(EventKind::Transitioned {
                    from: def.state_name(state).to_owned(),
                    to: def.state_name(target).to_owned(),
                    action: action.to_owned(),
                    payload: cmd.payload.clone(),
                })?;
                deadline::on_move(def, &mut d, Some(state), target, Some(action))?;
            }
            return Ok(d.finish());
        }
        if missing.len() > 1 {
            let mut d = Draft::new(inst.clone(), Some(by), now);
            d.attach(&cmd.forms, action)?;
            d.push(signature)?;
            return Ok(d.finish());
        }
        // The last signature: the transition's guards and effects decide whether it fires.
        match guards_and_effects(def, inst, t, cmd, action, now) {
            Ok(data) => {
                return commit_transition(
                    def,
                    inst,
                    t,
                    cmd,
                    mask,
                    action,
                    data,
                    Some(signature),
                    now,
                );
            }
            Err(r) => keep_best(&mut best, r),
        }
    }
    Err(best
        .map(|(_, r)| r)
        .unwrap_or_else(|| no_transition(def, state, action)))
}

/// Whether one action is available to an actor now, and if not, why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Availability {
    /// The action.
    pub action: String,
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
    let Some(&state) = def.state_ix.get(inst.state()) else {
        return Vec::new();
    };
    def.actions_from(inst.state())
        .into_iter()
        .map(|action| {
            let sign_off = def.outgoing[state].iter().any(|&t| {
                def.spec.transitions[t].action == action && def.transitions[t].sign_off.is_some()
            });
            let cmd = if sign_off {
                Command::sign(actor, action)
            } else {
                Command::fire(actor, action)
            };
            Availability {
                action: action.to_owned(),
                sign_off,
                verdict: decide(def, inst, &cmd, now).map(|_| ()),
            }
        })
        .collect()
}
