//! What `build()` can find wrong with a migration plan (all at once), and why one instance
//! cannot be migrated.

use crate::ids::{InstanceId, Name};
use chrono::{DateTime, Utc};
use std::fmt;

/// Which end of a migration a definition is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Side {
    /// The version instances migrate from (A).
    From,
    /// The version they migrate to (B).
    To,
}

impl fmt::Display for Side {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Side::From => "from",
            Side::To => "to",
        })
    }
}

/// One problem of a migration plan, found by [`MigrationSpec::build`](super::MigrationSpec::build)
/// against both definitions. Each names what is involved.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum MigrationProblem {
    /// A definition given to `build()` is not the one the plan names at that end.
    DefinitionMismatch {
        /// Which end.
        side: Side,
        /// The definition id and version the plan names.
        expected: (String, u32),
        /// The definition given.
        found: (String, u32),
    },
    /// The plan migrates a version to itself.
    SameVersion {
        /// The version.
        version: u32,
    },
    /// A state of the mapping (or of `no_instances_expected`) is not a state of A.
    UnknownSource {
        /// The state.
        state: String,
    },
    /// A state of A is mapped to a state B does not have.
    UnknownTarget {
        /// The state of A.
        from: String,
        /// The missing state of B.
        to: String,
    },
    /// A state of A is mapped to a terminal state of B (a migration never closes an
    /// instance).
    TerminalTarget {
        /// The state of A.
        from: String,
        /// The terminal state of B.
        to: String,
    },
    /// A non-terminal state of A is neither mapped nor marked "no instances expected".
    Unmapped {
        /// The state of A.
        state: String,
    },
    /// A state is both mapped and marked "no instances expected".
    MappedAndExcluded {
        /// The state of A.
        state: String,
    },
    /// A data operation addresses data with a malformed JSON Pointer.
    BadPointer {
        /// The operation's position in the plan (0-based).
        op: usize,
        /// The pointer.
        pointer: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A data operation names a transformation function the plan's builder did not bind.
    UnknownFunction {
        /// The operation's position (0-based).
        op: usize,
        /// The function's name.
        name: String,
    },
    /// The plan names a data check its builder did not bind.
    UnknownCheck {
        /// The check's name.
        name: String,
    },
    /// A clock policy names a deadline neither version declares.
    UnknownDeadline {
        /// The deadline.
        deadline: String,
    },
}

impl fmt::Display for MigrationProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use MigrationProblem as P;
        match self {
            P::DefinitionMismatch {
                side,
                expected,
                found,
            } => write!(
                f,
                "the `{side}` definition is `{}` v{}, the plan names `{}` v{}",
                found.0, found.1, expected.0, expected.1
            ),
            P::SameVersion { version } => write!(f, "the plan migrates v{version} to itself"),
            P::UnknownSource { state } => {
                write!(f, "`{state}` is not a state of the source version")
            }
            P::UnknownTarget { from, to } => {
                write!(
                    f,
                    "`{from}` is mapped to `{to}`, which the target version does not have"
                )
            }
            P::TerminalTarget { from, to } => write!(
                f,
                "`{from}` is mapped to the terminal state `{to}` (a migration never closes an instance)"
            ),
            P::Unmapped { state } => write!(
                f,
                "state `{state}` is neither mapped nor marked \"no instances expected\""
            ),
            P::MappedAndExcluded { state } => write!(
                f,
                "state `{state}` is both mapped and marked \"no instances expected\""
            ),
            P::BadPointer {
                op,
                pointer,
                reason,
            } => {
                write!(f, "data operation {op}: pointer `{pointer}` {reason}")
            }
            P::UnknownFunction { op, name } => {
                write!(
                    f,
                    "data operation {op}: no transformation function `{name}`"
                )
            }
            P::UnknownCheck { name } => write!(f, "no data check `{name}`"),
            P::UnknownDeadline { deadline } => {
                write!(
                    f,
                    "clock policy for `{deadline}`, which neither version declares"
                )
            }
        }
    }
}

/// Why a migration plan could not be built or read.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum MigrationError {
    /// The plan does not fit the definitions: every problem found.
    #[error("migration plan for `{definition}` v{from} → v{to} is invalid: {}", list(.problems))]
    Invalid {
        /// The definition id.
        definition: String,
        /// The source version.
        from: u32,
        /// The target version.
        to: u32,
        /// Every problem found.
        problems: Vec<MigrationProblem>,
    },
    /// The JSON could not be parsed into a plan.
    #[error("migration plan JSON is malformed: {message}")]
    Json {
        /// The parser's message.
        message: String,
    },
}

impl MigrationError {
    /// The problems of an invalid plan (empty for malformed JSON).
    pub fn problems(&self) -> &[MigrationProblem] {
        match self {
            MigrationError::Invalid { problems, .. } => problems,
            MigrationError::Json { .. } => &[],
        }
    }
}

fn list(problems: &[MigrationProblem]) -> String {
    problems
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}

/// Why one instance cannot be migrated (nothing is written for it).
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum Unmigratable {
    /// The instance runs another definition, or a version that is neither end of the plan.
    #[error("runs `{definition}` v{version}, not the plan's source version")]
    WrongDefinition {
        /// Its definition.
        definition: Name,
        /// Its version.
        version: u32,
    },
    /// The instance already runs the target version (migrated earlier, or started on it): a
    /// second run skips it.
    #[error("already on v{version}")]
    AlreadyMigrated {
        /// The target version.
        version: u32,
    },
    /// Closed instances stay on the version they closed under.
    #[error("closed in `{state}`")]
    Closed {
        /// The terminal state.
        state: Name,
    },
    /// The plan marked this state "no instances expected", and here is one.
    #[error("in `{state}`, which the plan marked \"no instances expected\"")]
    NoInstancesExpected {
        /// The state.
        state: Name,
    },
    /// A data operation could not be applied to this instance's data.
    #[error("data operation {op}: {reason}")]
    DataTransform {
        /// The operation's position in the plan (0-based).
        op: usize,
        /// Why not.
        reason: String,
    },
    /// The data after the transformations lacks what the plan requires.
    #[error("the migrated data has nothing at `{pointer}`")]
    Required {
        /// The pointer.
        pointer: String,
    },
    /// A data check of the plan refused the migrated data.
    #[error("data check `{check}`: {reason}")]
    Check {
        /// The check.
        check: String,
        /// Why.
        reason: String,
    },
    /// A form on file fails the target version's validator for its kind.
    #[error("form `{kind}` (event {seq}) fails the target version: {reason}")]
    FormInvalid {
        /// The form kind.
        kind: Name,
        /// The event that attached it.
        seq: u64,
        /// The validator's message.
        reason: String,
    },
    /// A clock's instants cannot be computed under the target version.
    #[error("deadline `{deadline}`: {reason}")]
    Clock {
        /// The deadline.
        deadline: Name,
        /// Why.
        reason: String,
    },
    /// `now` is before the instance's last event.
    #[error("time went backwards: last event at {last}, now {now}")]
    TimeWentBackwards {
        /// The instance's last event.
        last: DateTime<Utc>,
        /// The instant given.
        now: DateTime<Utc>,
    },
    /// The instance does not fit its own definition (its state is unknown to it).
    #[error("inconsistent: {reason}")]
    Inconsistent {
        /// What does not fit.
        reason: String,
    },
}

/// An instance and why it cannot be migrated.
#[derive(Clone, Debug, PartialEq)]
pub struct Refused {
    /// The instance.
    pub instance: InstanceId,
    /// Why.
    pub reason: Unmigratable,
}
