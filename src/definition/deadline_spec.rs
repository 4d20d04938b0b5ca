//! Deadline policies as written in a definition.

use crate::calendar::BusinessDuration;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// When a deadline starts or is met.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "on", rename_all = "snake_case")]
pub enum Trigger {
    /// The instance enters `state` (from another state; self-loops do not count).
    Enter {
        /// The state.
        state: String,
    },
    /// The instance leaves `state`.
    Leave {
        /// The state.
        state: String,
    },
    /// `action` fires (including a self-loop).
    Action {
        /// The action.
        action: String,
    },
}

impl Trigger {
    /// Entering `state`.
    pub fn enter(state: impl AsRef<str>) -> Self {
        Trigger::Enter {
            state: state.as_ref().to_owned(),
        }
    }
    /// Leaving `state`.
    pub fn leave(state: impl AsRef<str>) -> Self {
        Trigger::Leave {
            state: state.as_ref().to_owned(),
        }
    }
    /// Firing `action`.
    pub fn action(action: impl AsRef<str>) -> Self {
        Trigger::Action {
            action: action.as_ref().to_owned(),
        }
    }
}

/// Where an anchored deadline takes its instant from: a date or date-time in the instance
/// data or in the latest form of a kind (RFC 3339, e.g. `2026-12-01T09:30:00+08:00`, or a date
/// `2026-12-01`, read as the start of that day in the definition's calendar).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "in", rename_all = "snake_case", deny_unknown_fields)]
pub enum AnchorSource {
    /// A field of the instance data, by JSON pointer (`/appointment`).
    Data {
        /// JSON pointer into the data.
        pointer: String,
    },
    /// A field of the latest form of `form` (attached by the starting command or on file).
    Form {
        /// The form kind.
        form: String,
        /// JSON pointer into the form body.
        pointer: String,
    },
    /// The instant the latest clock of one of `deadlines` on this instance started, the
    /// latest start among them ("2 working days from the form", when the form started another
    /// clock): an event's time, never a date someone typed.
    ClockStart {
        /// The deadlines whose clocks are looked at (declared in the same definition).
        deadlines: Vec<String>,
    },
}

/// A condition for starting a clock: the value at `pointer` in the instance data, or in the
/// latest form of kind `form`, equals `equals` (a missing value equals nothing).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct StartIf {
    /// The form kind whose latest body is read; `None`: the instance data.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub form: Option<String>,
    /// JSON pointer into it.
    pub pointer: String,
    /// The value it must have.
    pub equals: serde_json::Value,
}

impl StartIf {
    /// The value at `pointer` in the latest form of `form` equals `equals`.
    pub fn form(
        form: impl AsRef<str>,
        pointer: impl AsRef<str>,
        equals: impl Into<serde_json::Value>,
    ) -> Self {
        StartIf {
            form: Some(form.as_ref().to_owned()),
            pointer: pointer.as_ref().to_owned(),
            equals: equals.into(),
        }
    }

    /// The value at `pointer` in the instance data equals `equals`.
    pub fn data(pointer: impl AsRef<str>, equals: impl Into<serde_json::Value>) -> Self {
        StartIf {
            form: None,
            pointer: pointer.as_ref().to_owned(),
            equals: equals.into(),
        }
    }

    /// Whether it holds on `instance`.
    pub fn holds(&self, instance: &crate::Instance) -> bool {
        let body = match &self.form {
            Some(f) => instance.latest_form(f.as_str()),
            None => Some(instance.data()),
        };
        body.and_then(|b| b.pointer(&self.pointer)) == Some(&self.equals)
    }
}

/// Anchors a deadline to an instant in the data: its limit (and warning, and early bound)
/// are measured from that instant, forwards ("within 7 days of the promised arrival") or
/// backwards ("notify 7 days before the entry date").
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Anchor {
    /// Where the instant is.
    pub at: AnchorSource,
    /// Measure backwards from it (only wall-clock and calendar-day durations can be counted
    /// backwards).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub before: bool,
}

/// How long a clock runs once started.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Runs {
    /// Until one of its `met_on` triggers happens (or the instance closes), whatever the
    /// state: "on site within 1 working day of the report", however the case moves meanwhile.
    UntilMet,
    /// Only while the instance stays in the state whose entry started it: leaving that state
    /// (for anything but a waiting state) ends the clock. Only for clocks started on entering
    /// a state.
    WhileInState,
}

/// A deadline's duration: fixed, or chosen from the instance data.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum DurationSpec {
    /// Always this duration.
    Fixed(BusinessDuration),
    /// The case named by `selector` (a registered selector, or a JSON pointer into the data
    /// such as `/customer_class`); `default` when no case matches.
    Select {
        /// Selector name or JSON pointer.
        selector: String,
        /// Durations by case.
        cases: BTreeMap<String, BusinessDuration>,
        /// Fallback.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        default: Option<BusinessDuration>,
    },
}

impl From<BusinessDuration> for DurationSpec {
    fn from(d: BusinessDuration) -> Self {
        DurationSpec::Fixed(d)
    }
}

/// One rung of an escalation ladder.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EscalationSpec {
    /// How long after the limit this rung fires (`None`: at the limit).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after: Option<BusinessDuration>,
    /// Roles to notify (through the host's notifier).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notify: Vec<String>,
    /// Role to reassign the instance to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reassign_to: Option<String>,
    /// State to move the instance to (e.g. the director-level meeting). The move is made only
    /// from a state where validation found the clock can be running (an escalation edge of
    /// the graph, see [`Definition::edges`](crate::Definition::edges)); after an override put
    /// the instance elsewhere, the rung is recorded (notifying and reassigning) without a move.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub move_to: Option<String>,
}

/// A deadline policy: when the clock starts, what meets it, how long it runs, when it warns
/// and what happens when it is missed. A breach is always recorded, escalation or not.
///
/// Durations are business time in the registry's [`Calendar`](crate::Calendar); the instance
/// carries each running clock as a [`DeadlineState`](crate::DeadlineState).
///
/// ```
/// use aftersales::*;
/// use chrono::{TimeZone, Utc};
/// use serde_json::json;
///
/// // "Reply within 1 working day of the report; warn after 6 working hours; a miss goes to
/// // the manager, and a day later the case moves to the director's meeting."
/// let reply = DeadlineSpec::new("reply", Trigger::enter("open"), BusinessDuration::WorkingDays(1))
///     .met_on(Trigger::action("reply"))
///     .warn_at(BusinessDuration::WorkingHours(6))
///     .escalate(EscalationSpec::notify(["manager"]))
///     .escalate(EscalationSpec::move_to("director_meeting").after(BusinessDuration::WorkingDays(1)))
///     .owner("clerk");
///
/// let def = Builder::new("ticket", 1)
///     .roles(["clerk", "manager"])
///     .start_roles(["clerk"])
///     .initial("open")
///     .normal("director_meeting")
///     .terminal("done")
///     .transition("open", "reply", "done", |t| t.roles(["clerk"]))
///     .transition("director_meeting", "decide", "done", |t| t.roles(["manager"]))
///     .deadline(reply)
///     .build(&Registry::with_calendar(BusinessCalendar::china_standard()))?;
///
/// // Reported Friday 16:00 (UTC+8): due Monday 16:00; the warning after 6 working hours
/// // (Friday 16–18, Monday 9–12 and 13–14) at Monday 14:00.
/// let friday = Utc.with_ymd_and_hms(2026, 11, 20, 8, 0, 0).unwrap();
/// let started = start(&def, InstanceId::from("T-1"), &Actor::new("li", ["clerk"]), json!({}), friday)?;
/// let clock = started.instance.clock("reply").unwrap();
/// assert_eq!(clock.due_at, Utc.with_ymd_and_hms(2026, 11, 23, 8, 0, 0).unwrap());
/// assert_eq!(clock.warn_at, Some(Utc.with_ymd_and_hms(2026, 11, 23, 6, 0, 0).unwrap()));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DeadlineSpec {
    /// Unique name.
    pub name: String,
    /// What starts the clock.
    pub starts: Trigger,
    /// What meets it. Reaching a terminal state ends every deadline.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub met_on: Vec<Trigger>,
    /// How long it runs: until met, or only while in the state whose entry started it.
    /// Absent: while in state for a clock started on entering a state, until met otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub runs: Option<Runs>,
    /// The limit.
    pub limit: DurationSpec,
    /// A repeating clock: each time a `met_on` trigger meets it, a new cycle of the same limit
    /// starts at once, for as long as the clock may run ("report progress every 7 days while
    /// execution runs").
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub repeat: bool,
    /// A condition on the instance for the clock to start at all: when its starting trigger
    /// happens and the condition does not hold, no clock starts ("when nothing is returned,
    /// reply within 2 working days of the approval").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_if: Option<StartIf>,
    /// The instant the durations are measured from, when it is a date in the data rather
    /// than the clock's start.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub anchor: Option<Anchor>,
    /// The early bound of a window ("not before"), measured like the limit: a clock met
    /// before it counts as early ("arrive 5–10 minutes before the appointment": anchor the
    /// appointment, before, limit 5 minutes, not before 10 minutes).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub not_before: Option<DurationSpec>,
    /// When to warn, measured from the start (e.g. the target of a 15–30 working-day range).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub warn_at: Option<DurationSpec>,
    /// The escalation ladder.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub escalation: Vec<EscalationSpec>,
    /// The role responsible for meeting it (for SLA reports by role).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    /// Free text (e.g. the seed clause).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
}

impl DeadlineSpec {
    /// A deadline `name` starting on `starts` with `limit`.
    pub fn new(name: impl AsRef<str>, starts: Trigger, limit: impl Into<DurationSpec>) -> Self {
        DeadlineSpec {
            name: name.as_ref().to_owned(),
            starts,
            met_on: Vec::new(),
            runs: None,
            repeat: false,
            start_if: None,
            anchor: None,
            not_before: None,
            limit: limit.into(),
            warn_at: None,
            escalation: Vec::new(),
            owner: None,
            description: String::new(),
        }
    }

    /// Also met by `trigger`.
    #[must_use]
    pub fn met_on(mut self, trigger: Trigger) -> Self {
        self.met_on.push(trigger);
        self
    }

    /// Run until met or only while in the starting state (see [`Runs`]).
    #[must_use]
    pub fn runs(mut self, runs: Runs) -> Self {
        self.runs = Some(runs);
        self
    }

    /// Whether the clock runs only while the instance stays in the state that started it.
    pub fn runs_while_in_state(&self) -> bool {
        match self.runs {
            Some(r) => r == Runs::WhileInState,
            None => matches!(self.starts, Trigger::Enter { .. }),
        }
    }

    /// Start a new cycle each time the clock is met (see [`DeadlineSpec::repeat`]).
    #[must_use]
    pub fn repeating(mut self) -> Self {
        self.repeat = true;
        self
    }

    /// Start only when `condition` holds at the starting trigger.
    #[must_use]
    pub fn start_if(mut self, condition: StartIf) -> Self {
        self.start_if = Some(condition);
        self
    }

    /// Measure from the instant at `at` in the data (forwards), instead of from the start.
    #[must_use]
    pub fn anchored_after(mut self, at: AnchorSource) -> Self {
        self.anchor = Some(Anchor { at, before: false });
        self
    }

    /// Measure backwards from the instant at `at` in the data.
    #[must_use]
    pub fn anchored_before(mut self, at: AnchorSource) -> Self {
        self.anchor = Some(Anchor { at, before: true });
        self
    }

    /// The early bound of a window: met before it counts as early.
    #[must_use]
    pub fn not_before(mut self, bound: impl Into<DurationSpec>) -> Self {
        self.not_before = Some(bound.into());
        self
    }

    /// Warn at `after` from the start.
    #[must_use]
    pub fn warn_at(mut self, after: impl Into<DurationSpec>) -> Self {
        self.warn_at = Some(after.into());
        self
    }

    /// Add an escalation rung.
    #[must_use]
    pub fn escalate(mut self, step: EscalationSpec) -> Self {
        self.escalation.push(step);
        self
    }

    /// The role responsible.
    #[must_use]
    pub fn owner(mut self, role: impl AsRef<str>) -> Self {
        self.owner = Some(role.as_ref().to_owned());
        self
    }

    /// A description.
    #[must_use]
    pub fn describe(mut self, text: impl Into<String>) -> Self {
        self.description = text.into();
        self
    }
}

impl AnchorSource {
    /// A field of the instance data.
    pub fn data(pointer: impl AsRef<str>) -> Self {
        AnchorSource::Data {
            pointer: pointer.as_ref().to_owned(),
        }
    }

    /// The latest start of a clock of one of `deadlines`.
    pub fn clock_start<S: AsRef<str>>(deadlines: impl IntoIterator<Item = S>) -> Self {
        AnchorSource::ClockStart {
            deadlines: deadlines
                .into_iter()
                .map(|d| d.as_ref().to_owned())
                .collect(),
        }
    }

    /// A field of the latest form of `form`.
    pub fn form(form: impl AsRef<str>, pointer: impl AsRef<str>) -> Self {
        AnchorSource::Form {
            form: form.as_ref().to_owned(),
            pointer: pointer.as_ref().to_owned(),
        }
    }
}

impl EscalationSpec {
    /// A rung that moves the instance to `state` at the limit.
    pub fn move_to(state: impl AsRef<str>) -> Self {
        EscalationSpec {
            move_to: Some(state.as_ref().to_owned()),
            ..Self::default()
        }
    }

    /// A rung that notifies `roles` at the limit.
    pub fn notify<N: AsRef<str>>(roles: impl IntoIterator<Item = N>) -> Self {
        EscalationSpec {
            notify: roles.into_iter().map(|r| r.as_ref().to_owned()).collect(),
            ..Self::default()
        }
    }

    /// Also notify `roles`.
    #[must_use]
    pub fn and_notify<N: AsRef<str>>(mut self, roles: impl IntoIterator<Item = N>) -> Self {
        self.notify
            .extend(roles.into_iter().map(|r| r.as_ref().to_owned()));
        self
    }

    /// Also reassign to `role`.
    #[must_use]
    pub fn reassign_to(mut self, role: impl AsRef<str>) -> Self {
        self.reassign_to = Some(role.as_ref().to_owned());
        self
    }

    /// Fire `after` past the limit instead of at it.
    #[must_use]
    pub fn after(mut self, after: BusinessDuration) -> Self {
        self.after = Some(after);
        self
    }
}
