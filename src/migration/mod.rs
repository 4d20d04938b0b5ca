//! Definition versions and instance migration.
//!
//! A written procedure is revised while instances run on it. The engine holds every
//! registered version of a definition side by side ([`Engine::register`](crate::Engine::register)
//! refuses two different specs under one (id, version): a version's identity includes
//! [`Definition::digest`]); new instances start on the latest or a chosen version
//! ([`Engine::start_version`](crate::Engine::start_version)); running ones keep theirs until a
//! [`MigrationPlan`] moves them.
//!
//! A plan from version A to version B is authored in JSON ([`MigrationSpec`]) or in Rust
//! ([`MigrationBuilder`], which produces the same spec plus named functions), and built
//! against both definitions: [`MigrationSpec::build`] reports every [`MigrationProblem`] at
//! once. It says
//!
//! - where each state of A goes in B (every non-terminal state mapped, or marked "no
//!   instances expected": an instance met there is refused);
//! - how the data changes ([`DataOp`]: move, copy, set a default, remove, addressed by JSON
//!   Pointer; or a named Rust function), what the migrated data must hold (`require`,
//!   named checks) — forms on file are checked against B's validators too;
//! - what happens to running clocks ([`ClockPolicy`]: carry, restart, recompute under B's
//!   limits; per deadline if need be) and to pending sign-offs
//!   ([`SignOffPolicy`]: keep, reset).
//!
//! [`MigrationPlan::dry_run`] reports, per instance, what would change and which cannot be
//! migrated and why, writing nothing ([`DryRun`] has a `Display`). A migration is one audited
//! event, [`EventKind::Migrated`](crate::EventKind::Migrated): who, from and to which version,
//! under which plan (its digest), with the instance's content digest before and after;
//! replay checks both and the hash chain covers it. [`Engine::migrate`](crate::Engine::migrate)
//! migrates one instance, [`Engine::migrate_all`](crate::Engine::migrate_all) every instance
//! of the source version, one commit per instance: a crash midway leaves each instance
//! migrated or not, and a second run skips those already migrated. See `docs/versioning.md`.
//!
//! This room sits above `definition/`, `instance/` and `decide/`, below the engine.

mod apply;
mod data;
mod problem;
mod report;

pub use problem::{MigrationError, MigrationProblem, Refused, Side, Unmigratable};
pub use report::{BatchReport, Change, DryRun, Planned, SignOffChange};

pub use crate::event::{ClockChange, ClockMigration, SignOffPolicy};

use crate::definition::{Definition, StateKind};
use crate::digest::Digest;
use crate::ids::Name;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::sync::Arc;

/// A data transformation written in Rust: changes the data in place, or says why it cannot.
pub type TransformFn = dyn Fn(&mut Value) -> Result<(), String> + Send + Sync;

/// A check of the migrated data written in Rust (e.g. "deserializes into B's data type").
pub type CheckFn = dyn Fn(&Value) -> Result<(), String> + Send + Sync;

/// What happens to a running clock whose deadline the target version also declares. A
/// running clock whose deadline B does not declare ends at the migration under every policy.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ClockPolicy {
    /// The clock runs on with the instants it has (the limit it started under).
    #[default]
    Carry,
    /// The clock ends at the migration and a new one starts there under B's limit.
    Restart,
    /// The clock keeps its start; its instants are computed again under B's limit (plus the
    /// time already added by pauses, in wall-clock time).
    Recompute,
}

/// One data transformation, addressed by JSON Pointer (RFC 6901).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "op", rename_all = "snake_case", deny_unknown_fields)]
#[non_exhaustive]
pub enum DataOp {
    /// Move the value at `from` to `path` (its parent must exist). Nothing at `from` is
    /// refused, unless something is already at `path` (the move was made).
    Move {
        /// Where the value is.
        from: String,
        /// Where it goes.
        path: String,
    },
    /// Copy the value at `from` to `path` (its parent must exist); nothing at `from` is
    /// refused.
    Copy {
        /// Where the value is.
        from: String,
        /// Where the copy goes.
        path: String,
    },
    /// Set `value` at `path` when nothing is there (its parent must exist).
    SetDefault {
        /// Where.
        path: String,
        /// The default.
        value: Value,
    },
    /// Remove the value at `path`, if any.
    Remove {
        /// Where.
        path: String,
    },
    /// Run the Rust function bound under `name` by [`MigrationBuilder::transform`].
    Function {
        /// The function's name.
        name: String,
    },
}

/// A migration plan as data: what JSON authors write and what [`MigrationBuilder`] produces.
///
/// ```
/// use aftersales::migration::{ClockPolicy, DataOp, MigrationSpec};
/// let spec = MigrationSpec::from_json(r#"{
///     "definition": "ticket", "from": 1, "to": 2,
///     "states": {"open": "triage"},
///     "no_instances_expected": ["parked"],
///     "data": [{"op": "set_default", "path": "/priority", "value": "normal"}],
///     "clocks": "recompute",
///     "sign_offs": "reset"
/// }"#)?;
/// assert_eq!(spec.clocks, ClockPolicy::Recompute);
/// assert!(matches!(spec.data[0], DataOp::SetDefault { .. }));
/// # Ok::<(), aftersales::migration::MigrationError>(())
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MigrationSpec {
    /// The definition id.
    pub definition: String,
    /// The source version (A).
    pub from: u32,
    /// The target version (B).
    pub to: u32,
    /// State of A → state of B.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub states: BTreeMap<String, String>,
    /// Map every state of A not in `states` and not excluded to the state of B with the same
    /// name (a state B lacks is then reported unmapped).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub same_names: bool,
    /// States of A where no instance is expected: an instance met there is refused.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub no_instances_expected: Vec<String>,
    /// Data transformations, applied in order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub data: Vec<DataOp>,
    /// Pointers the migrated data must hold a value at.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub require: Vec<String>,
    /// Named checks of the migrated data (bound by [`MigrationBuilder::check`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub checks: Vec<String>,
    /// What happens to running clocks.
    #[serde(default)]
    pub clocks: ClockPolicy,
    /// Per-deadline exceptions to `clocks`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub clock_overrides: BTreeMap<String, ClockPolicy>,
    /// What happens to pending sign-offs.
    #[serde(default)]
    pub sign_offs: SignOffPolicy,
}

impl MigrationSpec {
    /// An empty plan from `from` to `to` of `definition` (carry clocks, keep sign-offs).
    pub fn new(definition: impl Into<String>, from: u32, to: u32) -> Self {
        MigrationSpec {
            definition: definition.into(),
            from,
            to,
            states: BTreeMap::new(),
            same_names: false,
            no_instances_expected: Vec::new(),
            data: Vec::new(),
            require: Vec::new(),
            checks: Vec::new(),
            clocks: ClockPolicy::Carry,
            clock_overrides: BTreeMap::new(),
            sign_offs: SignOffPolicy::Keep,
        }
    }

    /// Read a plan from JSON.
    ///
    /// # Errors
    /// [`MigrationError::Json`].
    pub fn from_json(json: &str) -> Result<Self, MigrationError> {
        serde_json::from_str(json).map_err(|e| MigrationError::Json {
            message: e.to_string(),
        })
    }

    /// The plan as JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// Validate the plan against the source and target definitions and compile it. Data
    /// operations of kind `function` and named checks need [`MigrationBuilder`] (a JSON plan
    /// naming them is refused with [`MigrationProblem::UnknownFunction`] /
    /// [`MigrationProblem::UnknownCheck`]).
    ///
    /// # Errors
    /// [`MigrationError::Invalid`] listing every problem.
    pub fn build(
        self,
        from: &Arc<Definition>,
        to: &Arc<Definition>,
    ) -> Result<MigrationPlan, MigrationError> {
        MigrationBuilder::from_spec(self).build(from, to)
    }
}

/// Author a [`MigrationSpec`] in Rust, with data transformations and checks as functions.
///
/// ```
/// use aftersales::migration::{ClockPolicy, MigrationBuilder, MigrationProblem, SignOffPolicy};
/// use aftersales::{Builder, Registry};
/// use serde_json::json;
/// use std::sync::Arc;
///
/// let v = |version, review: bool| {
///     let mut b = Builder::new("ticket", version)
///         .roles(["clerk"]).start_roles(["clerk"])
///         .initial("open").normal("parked").terminal("done")
///         .transition("open", "park", "parked", |t| t.roles(["clerk"]))
///         .transition("parked", "finish", "done", |t| t.roles(["clerk"]));
///     if review {
///         b = b.normal("review")
///             .transition("open", "finish", "review", |t| t.roles(["clerk"]))
///             .transition("review", "approve", "done", |t| t.roles(["clerk"]));
///     } else {
///         b = b.transition("open", "finish", "done", |t| t.roles(["clerk"]));
///     }
///     Arc::new(b.build(&Registry::new()).unwrap())
/// };
/// let (a, b) = (v(1, false), v(2, true));
///
/// // `parked` is neither mapped nor excluded: reported with every other problem.
/// let err = MigrationBuilder::new("ticket", 1, 2).map("open", "opened").build(&a, &b).unwrap_err();
/// assert!(err.problems().contains(&MigrationProblem::Unmapped { state: "parked".into() }));
/// assert!(err.problems().contains(&MigrationProblem::UnknownTarget {
///     from: "open".into(), to: "opened".into() }));
///
/// let plan = MigrationBuilder::new("ticket", 1, 2)
///     .same_names()
///     .set_default("/priority", json!("normal"))
///     .transform("upper_case_title", |data| {
///         if let Some(t) = data.get_mut("title").and_then(|t| t.as_str().map(str::to_uppercase)) {
///             data["title"] = json!(t);
///         }
///         Ok(())
///     })
///     .clocks(ClockPolicy::Recompute)
///     .sign_offs(SignOffPolicy::Reset)
///     .build(&a, &b)?;
/// assert_eq!(plan.target_state("open".into()), Some("open".into()));
/// # Ok::<(), aftersales::migration::MigrationError>(())
/// ```
#[derive(Clone)]
pub struct MigrationBuilder {
    spec: MigrationSpec,
    functions: BTreeMap<String, Arc<TransformFn>>,
    checks: BTreeMap<String, Arc<CheckFn>>,
}

impl fmt::Debug for MigrationBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MigrationBuilder")
            .field("spec", &self.spec)
            .field("functions", &self.functions.keys().collect::<Vec<_>>())
            .field("checks", &self.checks.keys().collect::<Vec<_>>())
            .finish()
    }
}

impl MigrationBuilder {
    /// A plan from version `from` to `to` of `definition`.
    pub fn new(definition: impl Into<String>, from: u32, to: u32) -> Self {
        Self::from_spec(MigrationSpec::new(definition, from, to))
    }

    /// Start from a spec (e.g. read from JSON) to bind its functions and checks.
    pub fn from_spec(spec: MigrationSpec) -> Self {
        MigrationBuilder {
            spec,
            functions: BTreeMap::new(),
            checks: BTreeMap::new(),
        }
    }

    /// Map state `from` of A to state `to` of B.
    #[must_use]
    pub fn map(mut self, from: impl AsRef<str>, to: impl AsRef<str>) -> Self {
        self.spec
            .states
            .insert(from.as_ref().to_owned(), to.as_ref().to_owned());
        self
    }

    /// Map every other state of A to B's state of the same name.
    #[must_use]
    pub fn same_names(mut self) -> Self {
        self.spec.same_names = true;
        self
    }

    /// Mark state `state` of A "no instances expected".
    #[must_use]
    pub fn no_instances_expected(mut self, state: impl AsRef<str>) -> Self {
        self.spec
            .no_instances_expected
            .push(state.as_ref().to_owned());
        self
    }

    /// Add a data operation.
    #[must_use]
    pub fn data(mut self, op: DataOp) -> Self {
        self.spec.data.push(op);
        self
    }

    /// Move the value at `from` to `path`.
    #[must_use]
    pub fn move_data(self, from: impl Into<String>, path: impl Into<String>) -> Self {
        self.data(DataOp::Move {
            from: from.into(),
            path: path.into(),
        })
    }

    /// Copy the value at `from` to `path`.
    #[must_use]
    pub fn copy_data(self, from: impl Into<String>, path: impl Into<String>) -> Self {
        self.data(DataOp::Copy {
            from: from.into(),
            path: path.into(),
        })
    }

    /// Set `value` at `path` where nothing is.
    #[must_use]
    pub fn set_default(self, path: impl Into<String>, value: Value) -> Self {
        self.data(DataOp::SetDefault {
            path: path.into(),
            value,
        })
    }

    /// Remove the value at `path`.
    #[must_use]
    pub fn remove(self, path: impl Into<String>) -> Self {
        self.data(DataOp::Remove { path: path.into() })
    }

    /// Transform the data with `f`, recorded in the plan (and its digest) under `name`.
    #[must_use]
    pub fn transform<F>(mut self, name: impl Into<String>, f: F) -> Self
    where
        F: Fn(&mut Value) -> Result<(), String> + Send + Sync + 'static,
    {
        let name = name.into();
        self.functions.insert(name.clone(), Arc::new(f));
        self.data(DataOp::Function { name })
    }

    /// Require a value at `pointer` in the migrated data.
    #[must_use]
    pub fn require(mut self, pointer: impl Into<String>) -> Self {
        self.spec.require.push(pointer.into());
        self
    }

    /// Check the migrated data with `f`, recorded under `name`.
    #[must_use]
    pub fn check<F>(mut self, name: impl Into<String>, f: F) -> Self
    where
        F: Fn(&Value) -> Result<(), String> + Send + Sync + 'static,
    {
        let name = name.into();
        self.checks.insert(name.clone(), Arc::new(f));
        if !self.spec.checks.contains(&name) {
            self.spec.checks.push(name);
        }
        self
    }

    /// What happens to running clocks.
    #[must_use]
    pub fn clocks(mut self, policy: ClockPolicy) -> Self {
        self.spec.clocks = policy;
        self
    }

    /// What happens to the running clock of `deadline` (overrides [`clocks`](Self::clocks)).
    #[must_use]
    pub fn clock(mut self, deadline: impl AsRef<str>, policy: ClockPolicy) -> Self {
        self.spec
            .clock_overrides
            .insert(deadline.as_ref().to_owned(), policy);
        self
    }

    /// What happens to pending sign-offs.
    #[must_use]
    pub fn sign_offs(mut self, policy: SignOffPolicy) -> Self {
        self.spec.sign_offs = policy;
        self
    }

    /// The plan as data.
    pub fn spec(&self) -> &MigrationSpec {
        &self.spec
    }

    /// Validate against `from` (A) and `to` (B); every problem at once.
    ///
    /// # Errors
    /// [`MigrationError::Invalid`].
    pub fn build(
        self,
        from: &Arc<Definition>,
        to: &Arc<Definition>,
    ) -> Result<MigrationPlan, MigrationError> {
        let mut problems = Vec::new();
        self.check_ends(from, to, &mut problems);
        let states = self.check_states(from, to, &mut problems);
        self.check_data(&mut problems);
        for d in self.spec.clock_overrides.keys() {
            let known =
                |def: &Definition| Name::lookup(d).is_some_and(|n| def.deadline_ix(n).is_some());
            if !known(from) && !known(to) {
                problems.push(MigrationProblem::UnknownDeadline {
                    deadline: d.clone(),
                });
            }
        }
        if !problems.is_empty() {
            return Err(MigrationError::Invalid {
                definition: self.spec.definition,
                from: self.spec.from,
                to: self.spec.to,
                problems,
            });
        }
        let content = serde_json::json!({
            "plan": serde_json::to_value(&self.spec).unwrap_or_default(),
            "from": from.digest().to_string(),
            "to": to.digest().to_string(),
        });
        let excluded = self
            .spec
            .no_instances_expected
            .iter()
            .map(Name::new)
            .collect();
        let overrides = self
            .spec
            .clock_overrides
            .iter()
            .map(|(d, p)| (Name::new(d), *p))
            .collect();
        Ok(MigrationPlan {
            digest: Digest::of_json(&content),
            spec: self.spec,
            from: Arc::clone(from),
            to: Arc::clone(to),
            states,
            excluded,
            overrides,
            functions: self.functions,
            checks: self.checks,
        })
    }

    fn check_ends(&self, from: &Definition, to: &Definition, p: &mut Vec<MigrationProblem>) {
        let s = &self.spec;
        for (side, def, version) in [(Side::From, from, s.from), (Side::To, to, s.to)] {
            if def.id().as_str() != s.definition || def.version() != version {
                p.push(MigrationProblem::DefinitionMismatch {
                    side,
                    expected: (s.definition.clone(), version),
                    found: (def.id().as_str().to_owned(), def.version()),
                });
            }
        }
        if s.from == s.to {
            p.push(MigrationProblem::SameVersion { version: s.from });
        }
    }

    fn check_states(
        &self,
        from: &Definition,
        to: &Definition,
        p: &mut Vec<MigrationProblem>,
    ) -> BTreeMap<Name, Name> {
        let s = &self.spec;
        let in_a = |state: &str| Name::lookup(state).is_some_and(|n| from.has_state(n));
        for state in s.states.keys().chain(&s.no_instances_expected) {
            if !in_a(state) {
                p.push(MigrationProblem::UnknownSource {
                    state: state.clone(),
                });
            }
        }
        let excluded: BTreeSet<&str> = s.no_instances_expected.iter().map(String::as_str).collect();
        let mut out = BTreeMap::new();
        for a in from.states() {
            let name = a.as_str();
            let explicit = s.states.get(name);
            if explicit.is_some() && excluded.contains(name) {
                p.push(MigrationProblem::MappedAndExcluded {
                    state: name.to_owned(),
                });
                continue;
            }
            if excluded.contains(name) {
                continue;
            }
            let terminal = from.state_kind(a) == Some(StateKind::Terminal);
            let target = match explicit {
                Some(t) => t.as_str(),
                None if s.same_names && !terminal => name,
                None if terminal => continue,
                None => {
                    p.push(MigrationProblem::Unmapped {
                        state: name.to_owned(),
                    });
                    continue;
                }
            };
            match Name::lookup(target).and_then(|t| to.state_kind(t).map(|k| (t, k))) {
                None if explicit.is_none() => p.push(MigrationProblem::Unmapped {
                    state: name.to_owned(),
                }),
                None => p.push(MigrationProblem::UnknownTarget {
                    from: name.to_owned(),
                    to: target.to_owned(),
                }),
                Some((_, StateKind::Terminal)) => p.push(MigrationProblem::TerminalTarget {
                    from: name.to_owned(),
                    to: target.to_owned(),
                }),
                Some((t, _)) => {
                    out.insert(a, t);
                }
            }
        }
        out
    }

    fn check_data(&self, p: &mut Vec<MigrationProblem>) {
        for (op, d) in self.spec.data.iter().enumerate() {
            let mut pointer = |ptr: &str, root_ok: bool| {
                if let Err(reason) = data::check_pointer(ptr, root_ok) {
                    p.push(MigrationProblem::BadPointer {
                        op,
                        pointer: ptr.to_owned(),
                        reason,
                    });
                }
            };
            match d {
                DataOp::Move { from, path } => {
                    pointer(from, false);
                    pointer(path, false);
                    if path.starts_with(&format!("{from}/")) {
                        p.push(MigrationProblem::BadPointer {
                            op,
                            pointer: path.clone(),
                            reason: format!("is inside `{from}`, the value it moves"),
                        });
                    }
                }
                DataOp::Copy { from, path } => {
                    pointer(from, true);
                    pointer(path, false);
                }
                DataOp::SetDefault { path, .. } | DataOp::Remove { path } => pointer(path, false),
                DataOp::Function { name } => {
                    if !self.functions.contains_key(name) {
                        p.push(MigrationProblem::UnknownFunction {
                            op,
                            name: name.clone(),
                        });
                    }
                }
            }
        }
        for r in &self.spec.require {
            if let Err(reason) = data::check_pointer(r, false) {
                p.push(MigrationProblem::BadPointer {
                    op: self.spec.data.len(),
                    pointer: r.clone(),
                    reason,
                });
            }
        }
        for c in &self.spec.checks {
            if !self.checks.contains_key(c) {
                p.push(MigrationProblem::UnknownCheck { name: c.clone() });
            }
        }
    }
}

/// A validated migration plan from version A to version B of one definition.
#[derive(Clone)]
pub struct MigrationPlan {
    spec: MigrationSpec,
    from: Arc<Definition>,
    to: Arc<Definition>,
    states: BTreeMap<Name, Name>,
    excluded: BTreeSet<Name>,
    overrides: BTreeMap<Name, ClockPolicy>,
    functions: BTreeMap<String, Arc<TransformFn>>,
    checks: BTreeMap<String, Arc<CheckFn>>,
    digest: Digest,
}

impl fmt::Debug for MigrationPlan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MigrationPlan")
            .field("spec", &self.spec)
            .field("digest", &self.digest)
            .finish_non_exhaustive()
    }
}

impl MigrationPlan {
    /// The plan as data.
    pub fn spec(&self) -> &MigrationSpec {
        &self.spec
    }

    /// The plan's digest: SHA-256 over its spec (function and check names included, not
    /// their code) and the digests of both definitions. Recorded in every migration event.
    pub fn digest(&self) -> Digest {
        self.digest
    }

    /// The source definition (A).
    pub fn from(&self) -> &Arc<Definition> {
        &self.from
    }

    /// The target definition (B).
    pub fn to(&self) -> &Arc<Definition> {
        &self.to
    }

    /// Where an instance in state `state` of A goes in B (`None`: a terminal state, one
    /// marked "no instances expected", or not a state of A).
    pub fn target_state(&self, state: Name) -> Option<Name> {
        self.states.get(&state).copied()
    }

    /// The clock policy for deadline `deadline`.
    pub fn clock_policy(&self, deadline: Name) -> ClockPolicy {
        self.overrides
            .get(&deadline)
            .copied()
            .unwrap_or(self.spec.clocks)
    }
}
