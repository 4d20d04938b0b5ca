//! Roles, actors, delegation, separation of duties and sign-offs.
//!
//! Access is **deny by default**: an actor may fire a transition only if it holds one of the
//! roles the transition allows. Separation of duties ([`Separation`]) and multi-party
//! sign-off ([`SignOffSpec`]) are declared on transitions and enforced by the engine, never
//! written as ad-hoc guards.

use crate::digest::Digest;
use crate::ids::{ActorId, Name, Region};
use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::fmt;
use std::sync::Arc;

/// Someone issuing commands: an id, the roles held, optionally the actor they act for and
/// the region they belong to.
///
/// Roles are plain names; roles a definition does not declare are ignored by it, so one
/// actor value can carry the roles of several procedures.
///
/// # Regions
///
/// An instance started in a region ([`Engine::start_in`](crate::Engine::start_in)) accepts
/// commands from actors of that region, and from any actor acting through a role its
/// definition declares region-wide ([`Builder::region_wide_roles`](crate::Builder::region_wide_roles):
/// headquarters departments); other actors get [`Rejection::OutOfRegion`](crate::Rejection::OutOfRegion).
/// An instance without a region accepts any actor; an actor without a region acts only on
/// such instances or through a region-wide role. The host decides what a region is and
/// which region each actor belongs to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Actor {
    /// Who is acting.
    pub id: ActorId,
    /// The roles this actor holds (shared: cloning an actor copies no role list).
    pub roles: Arc<[Name]>,
    /// Delegation: the actor this one acts for, recorded on every event.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on_behalf_of: Option<ActorId>,
    /// The region this actor acts in (see [Regions](Actor#regions)); `None`: no region.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<Region>,
}

impl Actor {
    /// An actor with the given id and roles (typed role enums work: they are `AsRef<str>`).
    pub fn new<R: AsRef<str>>(id: impl Into<ActorId>, roles: impl IntoIterator<Item = R>) -> Self {
        Actor {
            id: id.into(),
            roles: roles.into_iter().map(|r| Name::new(r.as_ref())).collect(),
            on_behalf_of: None,
            region: None,
        }
    }

    /// The same actor in `region` (see [Regions](Actor#regions)).
    #[must_use]
    pub fn in_region(mut self, region: impl Into<Region>) -> Self {
        self.region = Some(region.into());
        self
    }

    /// The same actor acting on behalf of `principal` (delegation).
    #[must_use]
    pub fn acting_for(mut self, principal: impl Into<ActorId>) -> Self {
        self.on_behalf_of = Some(principal.into());
        self
    }

    /// Whether this actor holds `role`.
    pub fn has_role(&self, role: impl Into<Name>) -> bool {
        let role = role.into();
        self.roles.contains(&role)
    }

    /// The ids this actor answers for: itself and, when delegating, its principal.
    pub fn identities(&self) -> impl Iterator<Item = &ActorId> {
        std::iter::once(&self.id).chain(self.on_behalf_of.as_ref())
    }
}

/// A declarative separation-of-duties rule on a transition.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "rule", rename_all = "snake_case")]
pub enum Separation {
    /// Whoever fired `action` earlier in this instance (directly or through a delegate) may
    /// not fire this transition: "the approver must not be the requester".
    NotSameActorAs {
        /// The earlier action whose actors are excluded.
        action: String,
    },
    /// An actor holding `role` may never fire this transition, whatever other roles it
    /// holds: "the inspector reports but may not dispose".
    ExcludedRole {
        /// The excluded role.
        role: String,
    },
}

impl fmt::Display for Separation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Separation::NotSameActorAs { action } => write!(f, "not the actor who did `{action}`"),
            Separation::ExcludedRole { role } => write!(f, "not an actor holding `{role}`"),
        }
    }
}

/// In which order the signatures of a sign-off must be given.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum SignOrder {
    /// Each role signs after the previous one in the list (a chain: 先…后…).
    #[default]
    Sequential,
    /// All roles sign, in any order (countersignature / 会签).
    AnyOrder,
    /// The roles in consecutive groups of these sizes: every role of a group signs, in any
    /// order, before the next group may ("A and B, then C" = `[2, 1]`). The sizes must add up
    /// to the number of roles.
    Stages(Vec<usize>),
}

impl SignOffSpec {
    /// The roles of the first stage with a missing signature, still to sign, given the roles
    /// that have signed. Empty when the sign-off is complete (or its stages do not fit its
    /// roles, which `build()` refuses).
    pub fn next_signers<'a>(&'a self, signed: &[&'a str]) -> Vec<&'a str> {
        let roles: Vec<&'a str> = self.roles.iter().map(String::as_str).collect();
        next_in_order(&roles, &self.order, signed)
    }

    /// Whether the stages fit the roles (sizes all positive, adding up to the role count).
    pub fn stages_fit(&self) -> bool {
        match &self.order {
            SignOrder::Stages(sizes) => {
                sizes.iter().all(|&n| n > 0) && sizes.iter().sum::<usize>() == self.roles.len()
            }
            SignOrder::Sequential | SignOrder::AnyOrder => true,
        }
    }
}

/// The roles of the first stage of `roles` (in `order`) with a missing signature, given the
/// roles that have signed: the one rule for who may sign next, for the spec's names and the
/// compiled handles alike. Empty when complete (or when stages do not fit the roles).
pub(crate) fn next_in_order<T: Copy + PartialEq>(
    roles: &[T],
    order: &SignOrder,
    signed: &[T],
) -> Vec<T> {
    let missing = |group: &[T]| -> Vec<T> {
        group
            .iter()
            .copied()
            .filter(|r| !signed.contains(r))
            .collect()
    };
    match order {
        SignOrder::Sequential => missing(roles).into_iter().take(1).collect(),
        SignOrder::AnyOrder => missing(roles),
        SignOrder::Stages(sizes) => {
            let mut rest = roles;
            for &n in sizes {
                let Some((group, tail)) = (n <= rest.len()).then(|| rest.split_at(n)) else {
                    return Vec::new();
                };
                let open = missing(group);
                if !open.is_empty() {
                    return open;
                }
                rest = tail;
            }
            Vec::new()
        }
    }
}

/// A multi-party sign-off required before a transition fires.
///
/// Each listed role signs once; the transition fires with the last signature. A refusal by
/// any signer routes to `on_refuse` (or, when absent, clears the signatures collected so far
/// and leaves the instance where it is).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct SignOffSpec {
    /// The roles whose signatures are needed, each once.
    pub roles: Vec<String>,
    /// Order of signing.
    #[serde(default)]
    pub order: SignOrder,
    /// What a signature means (recorded with every signature), e.g. "approve stock-in".
    pub meaning: String,
    /// Where a refusal routes, if anywhere.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on_refuse: Option<String>,
    /// Whether every signature must come from a different person (default true): a person
    /// counts once, whether signing for themselves or on behalf of someone else, and so does
    /// the person signed for.
    #[serde(default = "yes")]
    pub distinct_signers: bool,
    /// The content the signatures approve: paths into the instance data (`"amount"`,
    /// `"refund.amount"`) and named forms (`"form:return_decision"`,
    /// `"form:return_decision.amount"`), see [`Binding`]. Each signature records the
    /// [`Digest`] of this content when it is given; what happens when the content changes
    /// afterwards is [`on_change`](Self::on_change). Empty: the signatures approve the step, not
    /// particular content.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub binds: Vec<String>,
    /// What a change of the bound content does to the signatures of this step (default:
    /// [`OnBoundChange::Invalidate`]).
    #[serde(default, skip_serializing_if = "OnBoundChange::is_default")]
    pub on_change: OnBoundChange,
}

fn yes() -> bool {
    true
}

impl SignOffSpec {
    /// The same sign-off approving `paths` (see [`binds`](Self::binds)): "the signatures
    /// approve this amount in this currency".
    #[must_use]
    pub fn binds<P: AsRef<str>>(mut self, paths: impl IntoIterator<Item = P>) -> Self {
        self.binds
            .extend(paths.into_iter().map(|p| p.as_ref().to_owned()));
        self
    }

    /// The same sign-off with `policy` for changes of its bound content.
    #[must_use]
    pub fn on_bound_change(mut self, policy: OnBoundChange) -> Self {
        self.on_change = policy;
        self
    }
}

/// What a change of the content a sign-off binds does to its signatures.
///
/// A sign-off is *completed* when the transition it gates fires. Its approval then stays
/// *in force* while the instance remains in the state that transition led to: the
/// transitions leaving that state are the ones that stand on it. Once the instance leaves
/// that state (by any transition, an override or an escalation move) the approval has done its
/// work and later changes no longer concern it.
///
/// The digest a signature records is taken once the signing command's own forms are attached;
/// the effects of the transition the last signature fires come after it, so a step whose own
/// effects change the content it binds invalidates its approval at once (or, under `Refuse`,
/// cannot complete): bind what the signers approve, not what the step computes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum OnBoundChange {
    /// The change is accepted; the signatures of the step that are still collecting or whose
    /// approval is in force become [`SignatureStatus::Invalidated`]. A collecting sign-off
    /// needs those roles to sign again; a completed one blocks every transition leaving the
    /// state it led to ([`Rejection::ApprovalInvalidated`](crate::Rejection::ApprovalInvalidated))
    /// until its roles sign it again in that state
    /// ([`Command::sign`](crate::Command::sign) on the same action), which restores it without
    /// moving the instance.
    #[default]
    Invalidate,
    /// A command that would change the bound content while such signatures stand is refused
    /// ([`Rejection::BoundContentLocked`](crate::Rejection::BoundContentLocked)).
    Refuse,
}

impl OnBoundChange {
    fn is_default(&self) -> bool {
        *self == OnBoundChange::Invalidate
    }
}

/// One entry of [`SignOffSpec::binds`], parsed: content a signature approves.
///
/// The text form is `path` for a member of the instance data, `form:kind` for the latest form
/// of `kind`, and `form:kind.path` for a member of that form's body. A path is member names
/// joined by `.`; a segment that is a number also indexes an array. Content that is absent
/// reads as `null` (so adding it later is a change too).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Binding<'a> {
    /// A member of the instance data.
    Data(Vec<&'a str>),
    /// The latest form of a kind, or a member of its body.
    Form {
        /// The form kind.
        kind: &'a str,
        /// The path inside its body (empty: the whole body).
        path: Vec<&'a str>,
    },
}

impl<'a> Binding<'a> {
    /// Parse the text form, or say why it is not one.
    ///
    /// # Errors
    /// A description of the problem: an empty path, an empty segment (`"a..b"`), an empty
    /// form kind.
    pub fn parse(text: &'a str) -> Result<Binding<'a>, String> {
        let segments = |path: &'a str| -> Result<Vec<&'a str>, String> {
            let parts: Vec<&str> = path.split('.').collect();
            if parts.iter().any(|p| p.is_empty()) {
                return Err(format!("`{text}` has an empty path segment"));
            }
            Ok(parts)
        };
        match text.strip_prefix("form:") {
            Some(rest) => {
                let (kind, path) = rest.split_once('.').unwrap_or((rest, ""));
                if kind.is_empty() {
                    return Err(format!("`{text}` names no form kind"));
                }
                let path = if path.is_empty() && !rest.ends_with('.') {
                    Vec::new()
                } else {
                    segments(path)?
                };
                Ok(Binding::Form { kind, path })
            }
            None if text.is_empty() => Err("an empty binding".to_owned()),
            None => Ok(Binding::Data(segments(text)?)),
        }
    }
}

/// The value at `path` inside `v` (`null` when absent).
fn at_path<'v>(mut v: &'v Value, path: &[&str]) -> &'v Value {
    for seg in path {
        let next = match v {
            Value::Object(o) => o.get(*seg),
            Value::Array(a) => seg.parse::<usize>().ok().and_then(|i| a.get(i)),
            _ => None,
        };
        match next {
            Some(n) => v = n,
            None => return &Value::Null,
        }
    }
    v
}

/// The content `binds` names, as one JSON object from each binding's text to its value
/// (`null` when absent); `form` gives the latest body of a form kind. Bindings that do not
/// parse (which `build()` refuses) read as `null`.
pub fn bound_content<'v>(
    binds: &[String],
    data: &'v Value,
    form: impl Fn(&str) -> Option<&'v Value>,
) -> Value {
    let mut out = serde_json::Map::new();
    for b in binds {
        let v = match Binding::parse(b) {
            Ok(Binding::Data(path)) => at_path(data, &path).clone(),
            Ok(Binding::Form { kind, path }) => {
                form(kind).map_or(Value::Null, |body| at_path(body, &path).clone())
            }
            Err(_) => Value::Null,
        };
        out.insert(b.clone(), v);
    }
    Value::Object(out)
}

/// The digest a signature records over the content `binds` names ([`bound_content`]).
pub fn bound_digest<'v>(
    binds: &[String],
    data: &'v Value,
    form: impl Fn(&str) -> Option<&'v Value>,
) -> Digest {
    Digest::of_json(&bound_content(binds, data, form))
}

/// Where a signature stands.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum SignatureStatus {
    /// Part of a sign-off still collecting signatures.
    #[default]
    Open,
    /// The sign-off completed: the transition fired with this signature.
    Completed,
    /// The sign-off was abandoned (refused, or the instance left the state) before it
    /// completed; the signature is kept for the record but no longer counts.
    Cleared,
    /// The content the signature approved changed afterwards (see [`OnBoundChange`]); the
    /// signature is kept for the record but no longer counts.
    Invalidated,
}

/// One recorded signature. Signatures stay on the instance after their sign-off completes or
/// is abandoned, with their [`SignatureStatus`], so an auditor sees who signed what without
/// scanning events.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Signature {
    /// The action whose sign-off this belongs to.
    pub action: Name,
    /// Who signed.
    pub signer: ActorId,
    /// Delegation, if the signer signed for someone else.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on_behalf_of: Option<ActorId>,
    /// The role signed as.
    pub role: Name,
    /// The meaning of the signature, from the definition.
    pub meaning: Arc<str>,
    /// When.
    pub at: DateTime<Utc>,
    /// Open, completed, cleared or invalidated (absent in snapshots written before it
    /// existed: open).
    #[serde(default)]
    pub status: SignatureStatus,
    /// The content the signature approves ([`SignOffSpec::binds`]); empty when it binds none.
    #[serde(default, skip_serializing_if = "no_binds")]
    pub binds: Arc<[String]>,
    /// The digest of that content when the signature was given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub digest: Option<Digest>,
    /// Whether the signature belongs to the approval the current state stands on: set when
    /// its sign-off completes, reset when the instance leaves the state the sign-off led to
    /// (see [`OnBoundChange`]).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub in_force: bool,
}

/// Whether a list of bindings is empty (for `skip_serializing_if`).
pub(crate) fn no_binds(binds: &Arc<[String]>) -> bool {
    binds.is_empty()
}

impl Signature {
    /// The people this signature counts for: the signer and, when signing for someone else,
    /// that person.
    pub fn identities(&self) -> impl Iterator<Item = &ActorId> {
        std::iter::once(&self.signer).chain(self.on_behalf_of.as_ref())
    }

    /// Whether it still counts towards its sign-off: open, or completed and in force.
    pub fn stands(&self) -> bool {
        match self.status {
            SignatureStatus::Open => true,
            SignatureStatus::Completed => self.in_force,
            SignatureStatus::Cleared | SignatureStatus::Invalidated => false,
        }
    }
}
