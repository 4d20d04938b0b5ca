//! Small parameterised builders for the tests that write their own definitions: the China
//! standard calendar, local times in UTC+8, a builder's states and one-role moves in one line,
//! and an engine with definitions registered.

use aftersales::{
    BuildError, Builder, BusinessCalendar, BusinessDuration, DeadlineSpec, Definition,
    DurationSpec, Engine, EscalationSpec, InMemoryStore, Problem, Registry, Runs, Store, Trigger,
};
use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use std::sync::Arc;

/// Local time in UTC+8 (the China standard calendar) as a UTC instant.
pub(crate) fn local(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, mo, d, h, mi, 0).unwrap() - TimeDelta::hours(8)
}

/// Monday 2026-11-16 09:00 local (UTC+8), a working morning.
pub(crate) fn monday_9am() -> DateTime<Utc> {
    local(2026, 11, 16, 9, 0)
}

/// A registry with the China standard calendar and nothing registered yet.
pub(crate) fn china() -> Registry {
    Registry::with_calendar(BusinessCalendar::china_standard())
}

/// A builder for definition `id` at `version` with `roles`, the first of them the start role.
pub(crate) fn flow(id: &str, version: u32, roles: &[&str]) -> Builder {
    Builder::new(id, version)
        .roles(roles.iter().copied())
        .start_roles([roles[0]])
}

/// Definition `id` v1 with the one role `role`: state `from` (initial) `--action-->` `to`
/// (terminal), and `deadline`; not built yet.
pub(crate) fn one_step(
    id: &str,
    role: &str,
    edge: (&str, &str, &str),
    deadline: DeadlineSpec,
) -> Builder {
    let (from, action, to) = edge;
    flow(id, 1, &[role])
        .states(from, &[], &[to])
        .transition(from, action, to, |t| t.roles([role]))
        .deadline(deadline)
}

/// Definition `id` at `version` for the one role `clerk`: `open -finish-> done`; not built yet.
pub(crate) fn open_done(id: &str, version: u32) -> Builder {
    flow(id, version, &["clerk"])
        .states("open", &[], &["done"])
        .moves("clerk", "open -finish-> done")
}

/// The ticket the store and reliability tests drive: `open -begin-> working`, and `note`
/// looping on `working` (merging its payload), both by `worker`; `lead` is the second role.
/// The way out, further states and clocks are the caller's.
pub(crate) fn ticket(worker: &str, lead: &str) -> Builder {
    flow("ticket", 1, &[worker, lead])
        .states("open", &["working"], &["done"])
        .moves(worker, "open -begin-> working")
        .transition("working", "note", "working", |t| {
            t.roles([worker]).merge_payload()
        })
}

/// SVC-WTY §4 (001 L131) 「1个工作日内免费上门服务」 as a host would write it (definition `service_visit`):
/// `reported -schedule-> scheduled` by the desk, `-visit-> visited` by an engineer; the visit is
/// due within 1 working day of the report, read as the close of business of the next working
/// day, and the clock runs until the visit whatever the state.
pub(crate) fn visit_definition(registry: &Registry) -> Definition {
    let on_site = on_enter(
        "on_site",
        "reported",
        BusinessDuration::close_of_working_day(1),
    );
    flow("service_visit", 1, &["desk", "engineer"])
        .states("reported", &["scheduled"], &["visited"])
        .moves("desk", "reported -schedule-> scheduled")
        .moves("engineer", "scheduled -visit-> visited")
        .deadline(
            on_site
                .runs(Runs::UntilMet)
                .met_on(Trigger::action("visit"))
                .describe("SVC-WTY §4 (001 L131) 1个工作日内免费上门服务"),
        )
        .build(registry)
        .unwrap()
}

/// A clock `name` started on entering `state`, with limit `limit`.
pub(crate) fn on_enter(name: &str, state: &str, limit: impl Into<DurationSpec>) -> DeadlineSpec {
    DeadlineSpec::new(name, Trigger::enter(state), limit)
}

/// A clock `name` started by firing `action`, with limit `limit`.
pub(crate) fn on_action(name: &str, action: &str, limit: impl Into<DurationSpec>) -> DeadlineSpec {
    DeadlineSpec::new(name, Trigger::action(action), limit)
}

/// `err` is an invalid definition whose problems include `problem`.
#[track_caller]
pub(crate) fn assert_problem(err: &BuildError, problem: &Problem) {
    assert!(
        matches!(err, BuildError::Invalid { problems, .. } if problems.contains(problem)),
        "{problem:?} not among the problems of {err:?}"
    );
}

/// A clock `name` started by `starts` with limit `limit` that moves the instance to `to` when
/// it is breached.
pub(crate) fn moving_clock(
    name: &str,
    starts: Trigger,
    limit: impl Into<DurationSpec>,
    to: &str,
) -> DeadlineSpec {
    DeadlineSpec::new(name, starts, limit).escalate(EscalationSpec::move_to(to))
}

/// An engine over `store` with `defs` registered.
pub(crate) fn engine_over<S: Store, D: Into<Arc<Definition>>>(
    store: S,
    defs: impl IntoIterator<Item = D>,
) -> Engine<S> {
    let mut engine = Engine::new(store);
    for def in defs {
        engine.register(def).unwrap();
    }
    engine
}

/// An in-memory engine with `defs` registered.
pub(crate) fn engine_with<D: Into<Arc<Definition>>>(
    defs: impl IntoIterator<Item = D>,
) -> Engine<InMemoryStore> {
    engine_over(InMemoryStore::new(), defs)
}

/// The edges `(from, action, to)` of `paths`, in order: paths separated by commas, each a state
/// followed by `-action-> state` steps. State names may not contain spaces or commas.
pub(crate) fn edges(paths: &str) -> Vec<(&str, &str, &str)> {
    let mut out = Vec::new();
    for path in paths.split(',') {
        let mut words = path.split_whitespace();
        let mut from = words.next().expect("a path starts with a state");
        while let Some(arrow) = words.next() {
            let action = arrow
                .strip_prefix('-')
                .and_then(|a| a.strip_suffix("->"))
                .unwrap_or_else(|| panic!("`{arrow}` is not `-action->`"));
            let to = words.next().expect("an arrow leads to a state");
            out.push((from, action, to));
            from = to;
        }
    }
    out
}

/// One-line shapes for a [`Builder`].
pub(crate) trait Shape: Sized {
    /// States in order: `initial`, then each of `normal`, then each of `terminal`.
    fn states(self, initial: &str, normal: &[&str], terminal: &[&str]) -> Self;
    /// Transitions open to `role` alone, written as paths separated by commas:
    /// `"open -begin-> working -finish-> done, working -note-> working"`.
    fn moves(self, role: &str, paths: &str) -> Self;
    /// Built against [`china`]; panics on a build error.
    fn build_china(self) -> Definition;
    /// The error building against [`china`] gives; panics if it builds.
    fn build_err(self) -> BuildError;
}

impl Shape for Builder {
    fn states(self, initial: &str, normal: &[&str], terminal: &[&str]) -> Self {
        let b = normal
            .iter()
            .fold(self.initial(initial), |b, s| b.normal(s));
        terminal.iter().fold(b, |b, s| b.terminal(s))
    }

    fn moves(self, role: &str, paths: &str) -> Self {
        edges(paths)
            .into_iter()
            .fold(self, |b, (from, action, to)| {
                b.transition(from, action, to, |t| t.roles([role]))
            })
    }

    fn build_china(self) -> Definition {
        self.build(&china()).unwrap()
    }

    fn build_err(self) -> BuildError {
        self.build(&china()).unwrap_err()
    }
}
