//! Everything `build()` can find wrong with a definition, reported all at once.

use std::fmt;

/// One violation found while validating a definition. Each names the ids involved.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Problem {
    /// No state has kind `initial`.
    NoInitialState,
    /// A deadline that runs only while in a state is not started by entering one.
    WhileInStateWithoutEnter {
        /// The deadline.
        deadline: String,
    },
    /// An anchored deadline counts backwards from its date in working time (only wall-clock
    /// and calendar-day durations can be counted backwards).
    AnchorBackwardsNotWallClock {
        /// The deadline.
        deadline: String,
    },
    /// A deadline anchored at the start of another clock names no clock, or one the
    /// definition does not declare (`clock` empty: none named).
    UnknownAnchorClock {
        /// The anchored deadline.
        deadline: String,
        /// The clock it names.
        clock: String,
    },
    /// A repeating deadline has nothing that meets it, so it can never start a new cycle.
    RepeatWithoutMet {
        /// The deadline.
        deadline: String,
    },
    /// The definition has deadlines but no calendar: it names none and the registry has
    /// none ([`Registry::new`](crate::Registry::new) chooses none; the host must).
    NoCalendar {
        /// The deadlines that need one.
        deadlines: Vec<String>,
    },
    /// The definition names a calendar the registry does not have.
    UnknownCalendar {
        /// The name.
        calendar: String,
    },
    /// More than one state has kind `initial`.
    MultipleInitialStates {
        /// The initial states.
        states: Vec<String>,
    },
    /// Two states share a name.
    DuplicateState {
        /// The repeated name.
        state: String,
    },
    /// Two actions share a name.
    DuplicateAction {
        /// The repeated name.
        action: String,
    },
    /// Two roles share a name.
    DuplicateRole {
        /// The repeated name.
        role: String,
    },
    /// Two form kinds share a name.
    DuplicateForm {
        /// The repeated name.
        form: String,
    },
    /// Two deadlines share a name.
    DuplicateDeadline {
        /// The repeated name.
        deadline: String,
    },
    /// More roles than a role mask holds.
    TooManyRoles {
        /// Declared roles.
        count: usize,
        /// The maximum.
        max: usize,
    },
    /// A reference to a state that is not declared.
    UnknownState {
        /// The unknown name.
        state: String,
        /// Where it was used.
        used_in: String,
    },
    /// A reference to a role that is not declared.
    UnknownRole {
        /// The unknown name.
        role: String,
        /// Where it was used.
        used_in: String,
    },
    /// A reference to an action that is not declared.
    UnknownAction {
        /// The unknown name.
        action: String,
        /// Where it was used.
        used_in: String,
    },
    /// A reference to a form kind that is not declared.
    UnknownForm {
        /// The unknown name.
        form: String,
        /// Where it was used.
        used_in: String,
    },
    /// A guard name with no guard registered.
    UnknownGuard {
        /// The unknown name.
        guard: String,
        /// Where it was used.
        used_in: String,
    },
    /// An effect name with no effect registered.
    UnknownEffect {
        /// The unknown name.
        effect: String,
        /// Where it was used.
        used_in: String,
    },
    /// A duration selector with no selector registered (and not a JSON pointer).
    UnknownSelector {
        /// The unknown name.
        selector: String,
        /// The deadline using it.
        deadline: String,
    },
    /// No path leads from the initial state to this state.
    Unreachable {
        /// The state.
        state: String,
    },
    /// No terminal state can be reached from this state.
    CannotTerminate {
        /// The state.
        state: String,
    },
    /// A non-terminal state with no way out.
    DeadEnd {
        /// The state.
        state: String,
    },
    /// Two transitions from one state on one action, open to a common role, where the
    /// earlier one has no guard: the later one could never fire.
    Ambiguous {
        /// The source state.
        state: String,
        /// The action.
        action: String,
        /// Index of the earlier transition.
        first: usize,
        /// Index of the shadowed transition.
        second: usize,
    },
    /// A terminal state with an outgoing transition.
    TerminalWithOutgoing {
        /// The terminal state.
        state: String,
        /// The action leaving it.
        action: String,
    },
    /// A transition that no role may fire.
    NobodyMayFire {
        /// The source state.
        from: String,
        /// The action.
        action: String,
    },
    /// No role may start an instance.
    NoStartRole,
    /// A sign-off with no roles.
    EmptySignOff {
        /// The source state.
        from: String,
        /// The action.
        action: String,
    },
    /// A sign-off role that may not act on its transition, so the signature can never be
    /// given.
    SignOffUngivable {
        /// The source state.
        from: String,
        /// The action.
        action: String,
        /// The role.
        role: String,
    },
    /// A staged sign-off whose stage sizes are zero or do not add up to its roles.
    SignOffStagesMismatch {
        /// The source state.
        from: String,
        /// The action.
        action: String,
    },
    /// An entry of a sign-off's `binds` that is not a path or names an undeclared form kind.
    BadBinding {
        /// The source state.
        from: String,
        /// The action.
        action: String,
        /// The entry.
        binding: String,
        /// What is wrong with it.
        reason: String,
    },
    /// Sign-offs on the same action that bind different content or treat its change
    /// differently: a signature records only its action, so they must agree.
    BindingsDiffer {
        /// The action.
        action: String,
    },
    /// A deadline that would start on a terminal state.
    DeadlineOnTerminal {
        /// The deadline.
        deadline: String,
        /// The terminal state.
        state: String,
    },
    /// An escalation rung that would fire before the rung listed before it.
    EscalationOutOfOrder {
        /// The deadline.
        deadline: String,
        /// Index of the rung out of order.
        rung: usize,
    },
    /// An escalation that moves to a state that does not exist.
    EscalationTargetUnknown {
        /// The deadline.
        deadline: String,
        /// The missing state.
        state: String,
    },
    /// A deadline's warning comes after its limit for a fixed duration pair of one kind.
    WarningAfterLimit {
        /// The deadline.
        deadline: String,
    },
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use Problem::*;
        match self {
            NoInitialState => write!(f, "no initial state"),
            UnknownCalendar { calendar } => write!(f, "unknown calendar `{calendar}`"),
            NoCalendar { deadlines } => write!(
                f,
                "deadlines {} need a calendar: name one or give the registry one",
                deadlines.join(", ")
            ),
            RepeatWithoutMet { deadline } => {
                write!(
                    f,
                    "repeating deadline `{deadline}` has nothing that meets it"
                )
            }
            UnknownAnchorClock { deadline, clock } => write!(
                f,
                "deadline `{deadline}` is anchored at the start of unknown clock `{clock}`"
            ),
            AnchorBackwardsNotWallClock { deadline } => write!(
                f,
                "deadline `{deadline}` counts backwards from its date in working time"
            ),
            WhileInStateWithoutEnter { deadline } => write!(
                f,
                "deadline `{deadline}` runs while in state but is not started by entering one"
            ),
            MultipleInitialStates { states } => {
                write!(f, "more than one initial state: {}", states.join(", "))
            }
            DuplicateState { state } => write!(f, "duplicate state `{state}`"),
            DuplicateAction { action } => write!(f, "duplicate action `{action}`"),
            DuplicateRole { role } => write!(f, "duplicate role `{role}`"),
            DuplicateForm { form } => write!(f, "duplicate form `{form}`"),
            DuplicateDeadline { deadline } => write!(f, "duplicate deadline `{deadline}`"),
            TooManyRoles { count, max } => write!(f, "{count} roles declared, at most {max}"),
            UnknownState { state, used_in } => write!(f, "unknown state `{state}` in {used_in}"),
            UnknownRole { role, used_in } => write!(f, "unknown role `{role}` in {used_in}"),
            UnknownAction { action, used_in } => {
                write!(f, "unknown action `{action}` in {used_in}")
            }
            UnknownForm { form, used_in } => write!(f, "unknown form `{form}` in {used_in}"),
            UnknownGuard { guard, used_in } => {
                write!(f, "no guard registered as `{guard}` (used in {used_in})")
            }
            UnknownEffect { effect, used_in } => {
                write!(f, "no effect registered as `{effect}` (used in {used_in})")
            }
            UnknownSelector { selector, deadline } => write!(
                f,
                "no duration selector `{selector}` registered (deadline `{deadline}`)"
            ),
            Unreachable { state } => write!(f, "state `{state}` is unreachable"),
            CannotTerminate { state } => {
                write!(f, "no terminal state is reachable from `{state}`")
            }
            DeadEnd { state } => write!(f, "non-terminal state `{state}` has no way out"),
            Ambiguous {
                state,
                action,
                first,
                second,
            } => write!(
                f,
                "transitions #{first} and #{second} leave `{state}` on `{action}` with no guard \
                 to tell them apart"
            ),
            TerminalWithOutgoing { state, action } => {
                write!(
                    f,
                    "terminal state `{state}` has an outgoing transition `{action}`"
                )
            }
            NobodyMayFire { from, action } => {
                write!(f, "no role may fire `{action}` from `{from}`")
            }
            NoStartRole => write!(f, "no role may start an instance"),
            EmptySignOff { from, action } => {
                write!(f, "sign-off on `{action}` from `{from}` lists no role")
            }
            SignOffUngivable { from, action, role } => write!(
                f,
                "sign-off on `{action}` from `{from}` needs role `{role}`, which may not act on it"
            ),
            SignOffStagesMismatch { from, action } => write!(
                f,
                "sign-off on `{action}` from `{from}`: its stages do not add up to its roles"
            ),
            BadBinding {
                from,
                action,
                binding,
                reason,
            } => write!(
                f,
                "sign-off on `{action}` from `{from}` binds `{binding}`: {reason}"
            ),
            BindingsDiffer { action } => write!(
                f,
                "the sign-offs on `{action}` bind different content or policies; they must agree"
            ),
            DeadlineOnTerminal { deadline, state } => {
                write!(
                    f,
                    "deadline `{deadline}` starts on terminal state `{state}`"
                )
            }
            EscalationOutOfOrder { deadline, rung } => write!(
                f,
                "deadline `{deadline}`: escalation rung #{rung} would fire before the rung before it"
            ),
            EscalationTargetUnknown { deadline, state } => write!(
                f,
                "deadline `{deadline}` escalates to unknown state `{state}`"
            ),
            WarningAfterLimit { deadline } => {
                write!(f, "deadline `{deadline}` warns after its limit")
            }
        }
    }
}

/// `build()` failed: every problem found, in a stable order.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum BuildError {
    /// The spec has problems.
    #[error("definition `{definition}` v{version} is invalid: {}", .problems.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))]
    Invalid {
        /// The definition id.
        definition: String,
        /// Its version.
        version: u32,
        /// Every problem found.
        problems: Vec<Problem>,
    },
    /// A typed procedure's enums do not match its definition.
    #[error(transparent)]
    Vocabulary(super::typed::VocabularyMismatch),
    /// The JSON could not be parsed into a spec.
    #[error("definition JSON is malformed at line {line}, column {column}: {message}")]
    Json {
        /// What went wrong.
        message: String,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
    },
    /// The definition JSON exceeds a [`DefinitionLimits`](crate::DefinitionLimits) limit;
    /// nothing was parsed or validated past the check.
    #[error(transparent)]
    OverLimit(#[from] crate::limits::DefinitionOverLimit),
}

impl From<super::typed::VocabularyMismatch> for BuildError {
    fn from(e: super::typed::VocabularyMismatch) -> Self {
        BuildError::Vocabulary(e)
    }
}

impl BuildError {
    /// The problems, if the spec parsed.
    pub fn problems(&self) -> &[Problem] {
        match self {
            BuildError::Invalid { problems, .. } => problems,
            BuildError::Json { .. } | BuildError::Vocabulary(_) | BuildError::OverLimit(_) => &[],
        }
    }
}
