//! The declared names of a spec, indexed for validation: every reference a definition makes
//! is checked against these, and each unknown name becomes a [`Problem`].

use super::Problem;
use super::spec::DefinitionSpec;
use crate::ids::{ActionIx, RoleIx, RoleMask, StateIx};
use std::collections::HashMap;

/// A map keyed by borrowed names (foldhash: build time is dominated by these look-ups).
type NameMap<'a, I> = HashMap<&'a str, I, foldhash::fast::FixedState>;
use std::fmt;

/// Index the names of one kind, reporting duplicates (a duplicate keeps its first index).
fn index<'a, I: Copy>(
    names: impl Iterator<Item = &'a str>,
    make: impl Fn(usize) -> I,
    dup: impl Fn(&str) -> Problem,
    problems: &mut Vec<Problem>,
) -> NameMap<'a, I> {
    let mut ix = NameMap::with_capacity_and_hasher(0, foldhash::fast::FixedState::default());
    for (i, n) in names.enumerate() {
        if ix.contains_key(n) {
            problems.push(dup(n));
        } else {
            ix.insert(n, make(i));
        }
    }
    ix
}

/// The declared names of a spec, indexed, with their interned handles.
pub(crate) struct Names<'a> {
    pub(crate) states: NameMap<'a, StateIx>,
    pub(crate) actions: NameMap<'a, ActionIx>,
    pub(crate) roles: NameMap<'a, RoleIx>,
    pub(crate) forms: NameMap<'a, usize>,
    pub(crate) spec: &'a DefinitionSpec,
}

impl<'a> Names<'a> {
    pub(crate) fn new(spec: &'a DefinitionSpec, p: &mut Vec<Problem>) -> Self {
        let states = index(
            spec.states.iter().map(|s| s.name.as_str()),
            StateIx::new,
            |n| Problem::DuplicateState {
                state: n.to_owned(),
            },
            p,
        );
        let actions = index(
            spec.actions.iter().map(String::as_str),
            ActionIx::new,
            |n| Problem::DuplicateAction {
                action: n.to_owned(),
            },
            p,
        );
        let roles = index(
            spec.roles.iter().map(String::as_str),
            RoleIx::new,
            |n| Problem::DuplicateRole { role: n.to_owned() },
            p,
        );
        let forms = index(
            spec.forms.iter().map(String::as_str),
            |i| i,
            |n| Problem::DuplicateForm { form: n.to_owned() },
            p,
        );
        Names {
            states,
            actions,
            roles,
            forms,
            spec,
        }
    }

    pub(crate) fn role_mask<'r>(
        &self,
        roles: impl IntoIterator<Item = &'r String>,
        used_in: &dyn fmt::Display,
        problems: &mut Vec<Problem>,
    ) -> RoleMask {
        let mut m = RoleMask::default();
        for r in roles {
            match self.roles.get(r.as_str()) {
                Some(&i) => m = m.with(i),
                None => problems.push(Problem::UnknownRole {
                    role: r.clone(),
                    used_in: used_in.to_string(),
                }),
            }
        }
        m
    }

    pub(crate) fn state(
        &self,
        s: &str,
        used_in: &dyn fmt::Display,
        problems: &mut Vec<Problem>,
    ) -> Option<StateIx> {
        let found = self.states.get(s).copied();
        if found.is_none() {
            problems.push(Problem::UnknownState {
                state: s.to_owned(),
                used_in: used_in.to_string(),
            });
        }
        found
    }

    pub(crate) fn action(
        &self,
        a: &str,
        used_in: &dyn fmt::Display,
        problems: &mut Vec<Problem>,
    ) -> Option<ActionIx> {
        let found = self.actions.get(a).copied();
        if found.is_none() {
            problems.push(Problem::UnknownAction {
                action: a.to_owned(),
                used_in: used_in.to_string(),
            });
        }
        found
    }
}
