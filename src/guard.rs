//! Guards: named predicates that a transition must pass to fire.
//!
//! A guard sees a [`Context`] (the instance, the command's payload and forms, the actor and
//! `now`) and either passes or refuses with a reason. Any `Fn(&Context) -> Result<(), String>`
//! closure is a guard. Guards are bound to names in a [`Registry`](crate::Registry);
//! definitions refer to them by name and combine them with [`GuardExpr`] (all / any / not)
//! without new code.
//!
//! # Evaluation order
//!
//! For a command on `action` in state `s`, the engine first checks the **role**: an actor
//! (or the role a command names) holding no role allowed for `action` by any transition
//! leaving `s` is refused with `Forbidden` (`RoleNotAllowed`) at once, whatever the other
//! transitions' guards would say (`NoSuchTransition` only for an actor who may do `action`
//! from another state); outside the instance's region only the definition's region-wide
//! roles count, and an actor holding an allowed role only among the others gets
//! `OutOfRegion` instead (see [Regions](crate::Actor#regions)). It then considers the transitions leaving `s` on `action` **in
//! definition order**. For each it checks, in this order: the actor's role, separation of
//! duties (for the actor and for whom it acts), whether the approval the state stands on was
//! invalidated, whether the transition completes by sign-off (a command must `sign` it) or
//! not, the sign-off's order and one person one signature, required forms, then the guards in
//! the order listed (stopping at the first refusal) — for a sign-off on every signature, not
//! only the last — then the effects (for a sign-off, on the last signature). The first
//! transition passing every check fires. When none does, the rejection returned is the one of
//! the transition that got furthest through that sequence (earliest in definition order on a
//! tie). The full order, including the checks before and after, is on
//! [`decide`](crate::decide()).

use crate::context::Context;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::sync::Arc;

/// A predicate over a [`Context`]: `Ok(())` passes, `Err(reason)` refuses.
///
/// Contract: deterministic in its inputs (it must not read the clock or do I/O; `now` is in
/// the context), and free of side effects: the engine may evaluate it while answering
/// "which actions are available" without firing anything.
pub trait Guard: Send + Sync {
    /// Check the context.
    fn check(&self, ctx: &Context<'_>) -> Result<(), String>;
}

/// Any `Fn(&Context) -> Result<(), String>` is a guard. To register a closure without
/// annotating its parameter, pass it to [`Registry::guard`](crate::Registry::guard).
impl<F> Guard for F
where
    F: Fn(&Context<'_>) -> Result<(), String> + Send + Sync,
{
    fn check(&self, ctx: &Context<'_>) -> Result<(), String> {
        self(ctx)
    }
}

/// A guard expression in a definition: a registered name, or a combination.
///
/// In JSON: `"name"`, `{"all": [..]}`, `{"any": [..]}`, `{"not": ..}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum GuardExpr {
    /// A guard registered under this name.
    Named(String),
    /// Every sub-expression passes (checked in order, first refusal wins).
    All {
        /// The sub-expressions.
        all: Vec<GuardExpr>,
    },
    /// At least one sub-expression passes; if none does, the refusals are joined.
    Any {
        /// The sub-expressions.
        any: Vec<GuardExpr>,
    },
    /// The sub-expression refuses.
    Not {
        /// The negated expression.
        not: Box<GuardExpr>,
    },
}

impl GuardExpr {
    /// A named guard.
    pub fn named(name: impl Into<String>) -> Self {
        GuardExpr::Named(name.into())
    }

    /// Every name this expression refers to, in order.
    pub fn names(&self) -> Vec<&str> {
        let mut out = Vec::new();
        self.collect_names(&mut out);
        out
    }

    fn collect_names<'a>(&'a self, out: &mut Vec<&'a str>) {
        match self {
            GuardExpr::Named(n) => out.push(n),
            GuardExpr::All { all: v } | GuardExpr::Any { any: v } => {
                v.iter().for_each(|e| e.collect_names(out))
            }
            GuardExpr::Not { not } => not.collect_names(out),
        }
    }
}

impl fmt::Display for GuardExpr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let join = |f: &mut fmt::Formatter<'_>, v: &[GuardExpr], sep: &str| {
            f.write_str("(")?;
            for (i, e) in v.iter().enumerate() {
                if i > 0 {
                    f.write_str(sep)?;
                }
                write!(f, "{e}")?;
            }
            f.write_str(")")
        };
        match self {
            GuardExpr::Named(n) => f.write_str(n),
            GuardExpr::All { all } => join(f, all, " && "),
            GuardExpr::Any { any } => join(f, any, " || "),
            GuardExpr::Not { not } => write!(f, "!{not}"),
        }
    }
}

/// A guard expression with its names resolved against a registry.
#[derive(Clone)]
pub(crate) enum CompiledGuard {
    Named(String, Arc<dyn Guard>),
    All(Vec<CompiledGuard>),
    Any(Vec<CompiledGuard>),
    Not(String, Box<CompiledGuard>),
}

impl fmt::Debug for CompiledGuard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.label())
    }
}

/// A guard refusal: which named guard refused (or which expression), and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct GuardRefusal {
    pub(crate) guard: String,
    pub(crate) reason: String,
}

impl CompiledGuard {
    pub(crate) fn label(&self) -> String {
        match self {
            CompiledGuard::Named(n, _) => n.clone(),
            CompiledGuard::All(v) => format!(
                "all({})",
                v.iter().map(Self::label).collect::<Vec<_>>().join(", ")
            ),
            CompiledGuard::Any(v) => format!(
                "any({})",
                v.iter().map(Self::label).collect::<Vec<_>>().join(", ")
            ),
            CompiledGuard::Not(label, _) => label.clone(),
        }
    }

    pub(crate) fn check(&self, ctx: &Context<'_>) -> Result<(), GuardRefusal> {
        match self {
            CompiledGuard::Named(name, g) => g.check(ctx).map_err(|reason| GuardRefusal {
                guard: name.clone(),
                reason,
            }),
            CompiledGuard::All(v) => v.iter().try_for_each(|g| g.check(ctx)),
            CompiledGuard::Any(v) => {
                let mut reasons = Vec::with_capacity(v.len());
                for g in v {
                    match g.check(ctx) {
                        Ok(()) => return Ok(()),
                        Err(r) => reasons.push(format!("{}: {}", r.guard, r.reason)),
                    }
                }
                Err(GuardRefusal {
                    guard: self.label(),
                    reason: format!("none passed ({})", reasons.join("; ")),
                })
            }
            CompiledGuard::Not(label, g) => match g.check(ctx) {
                Ok(()) => Err(GuardRefusal {
                    guard: label.clone(),
                    reason: format!("`{}` passed", g.label()),
                }),
                Err(_) => Ok(()),
            },
        }
    }
}
