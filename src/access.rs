//! Roles, actors, delegation, separation of duties and sign-offs.
//!
//! Access is **deny by default**: an actor may fire a transition only if it holds one of the
//! roles the transition allows. Separation of duties ([`Separation`]) and multi-party
//! sign-off ([`SignOffSpec`]) are declared on transitions and enforced by the engine, never
//! written as ad-hoc guards.

use crate::ids::{ActorId, Name};
use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::sync::Arc;

/// Someone issuing commands: an id, the roles held, and optionally the actor they act for.
///
/// Roles are plain names; roles a definition does not declare are ignored by it, so one
/// actor value can carry the roles of several procedures.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Actor {
    /// Who is acting.
    pub id: ActorId,
    /// The roles this actor holds (shared: cloning an actor copies no role list).
    pub roles: Arc<[Name]>,
    /// Delegation: the actor this one acts for, recorded on every event.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on_behalf_of: Option<ActorId>,
}

impl Actor {
    /// An actor with the given id and roles (typed role enums work: they are `AsRef<str>`).
    pub fn new<R: AsRef<str>>(id: impl Into<ActorId>, roles: impl IntoIterator<Item = R>) -> Self {
        Actor {
            id: id.into(),
            roles: roles.into_iter().map(|r| Name::new(r.as_ref())).collect(),
            on_behalf_of: None,
        }
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
    /// Whether every signature must come from a different actor (default true).
    #[serde(default = "yes")]
    pub distinct_signers: bool,
}

fn yes() -> bool {
    true
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
    /// Open, completed or cleared (absent in snapshots written before it existed: open).
    #[serde(default)]
    pub status: SignatureStatus,
}
