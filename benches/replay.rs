//! Replay and serialization of the bench ticket.
//!
//! - `replay/100`, `replay/10000`: `Instance::replay` over 100 and 10,000 events (created,
//!   accept, assign, then the submit/reject loop); the baseline folds the same history as
//!   hand-written typed events (checking order and source state, like `apply` does);
//! - `json`: serde JSON round trip (to a string and back) of the snapshot of an instance with
//!   10 events, of the snapshot together with its 10 events, and, as the baseline, of the
//!   hand-written ticket with its 10 typed events.
//!
//! Run: `cargo bench --bench replay`.
#![allow(
    missing_docs,
    reason = "criterion_group! generates an undocumented function"
)]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "bench setup may panic"
)]

#[path = "support/mod.rs"]
mod support;

use aftersales::*;
use criterion::{Criterion, criterion_group, criterion_main};
use serde::{Deserialize, Serialize};
use std::hint::black_box;
use std::time::Duration;
use support::{report, ticket};

/// A history of exactly `n` events (n ≥ 3), and the snapshot it produces.
fn history(n: usize) -> (Vec<Event>, Instance) {
    let def = ticket::definition(false);
    let a = ticket::Actors::new();
    let now = ticket::t0();
    let mut d = aftersales::start(&def, "T-0000001".into(), &a.agent, ticket::data(), now).unwrap();
    let mut events = std::mem::take(&mut d.events);
    while events.len() < n {
        let cmd = match d.instance.state().as_str() {
            "open" => &a.accept,
            "triage" => &a.assign,
            _ => a.step_for(d.instance.state()),
        };
        d = aftersales::decide(&def, &d.instance, cmd, now).unwrap();
        events.append(&mut d.events);
    }
    assert_eq!(events.len(), n);
    (events, d.instance)
}

/// The hand-written baseline: typed events and a fold that checks what `apply` checks
/// (contiguous sequence numbers, the source state).
mod hand {
    use super::support::baseline::{Action, State};
    use serde::{Deserialize, Serialize};

    #[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
    pub(super) enum St {
        Open,
        Triage,
        Analysis,
        Review,
        Approved,
        Closed,
    }

    impl From<State> for St {
        fn from(s: State) -> Self {
            match s {
                State::Open => St::Open,
                State::Triage => St::Triage,
                State::Analysis => St::Analysis,
                State::Review => St::Review,
                State::Approved => St::Approved,
                State::Closed => St::Closed,
            }
        }
    }

    #[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
    pub(super) enum Act {
        Accept,
        Assign,
        Submit,
        Reject,
        Approve,
        Close,
    }

    impl From<Action> for Act {
        fn from(a: Action) -> Self {
            match a {
                Action::Accept => Act::Accept,
                Action::Assign => Act::Assign,
                Action::Submit => Act::Submit,
                Action::Reject => Act::Reject,
                Action::Approve => Act::Approve,
                Action::Close => Act::Close,
            }
        }
    }

    #[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
    pub(super) struct Ev {
        pub(super) seq: u64,
        pub(super) at: i64,
        pub(super) actor: String,
        pub(super) from: St,
        pub(super) to: St,
        pub(super) action: Act,
    }

    #[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
    pub(super) struct Ticket {
        pub(super) id: String,
        pub(super) state: St,
        pub(super) version: u64,
        pub(super) severity: u8,
        pub(super) on_hold: bool,
    }

    /// The same history shape as `history(n)`: n - 1 transitions after creation.
    pub(super) fn history(n: usize) -> Vec<Ev> {
        let mut t = super::support::baseline::Ticket {
            state: State::Open,
            severity: 2,
            on_hold: false,
            root_cause: None,
        };
        let mut out = Vec::with_capacity(n);
        for seq in 2..=n as u64 {
            let (action, roles) = match t.state {
                State::Open => (Action::Accept, super::support::baseline::AGENT),
                State::Triage => (Action::Assign, super::support::baseline::AGENT),
                _ => t.step(),
            };
            let from = t.state;
            t.fire(action, roles).unwrap();
            out.push(Ev {
                seq,
                at: 0,
                actor: "eve".into(),
                from: from.into(),
                to: t.state.into(),
                action: action.into(),
            });
        }
        out
    }

    pub(super) fn replay(events: &[Ev]) -> Result<Ticket, u64> {
        let mut t = Ticket {
            id: "T-0000001".into(),
            state: St::Open,
            version: 1,
            severity: 2,
            on_hold: false,
        };
        for e in events {
            if e.seq != t.version + 1 || e.from != t.state {
                return Err(e.seq);
            }
            t.state = e.to;
            t.version = e.seq;
        }
        Ok(t)
    }
}

#[derive(Serialize, Deserialize)]
struct WithHistory {
    instance: Instance,
    events: Vec<Event>,
}

#[derive(Serialize, Deserialize)]
struct HandWithHistory {
    ticket: hand::Ticket,
    events: Vec<hand::Ev>,
}

fn replay(c: &mut Criterion) {
    report::begin();
    let mut g = c.benchmark_group("replay");
    g.sample_size(20)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
    for n in [100usize, 10_000] {
        let (events, snapshot) = history(n);
        assert_eq!(Instance::replay(&events).unwrap(), snapshot);
        let hand_events = hand::history(n);
        assert_eq!(hand::replay(&hand_events).unwrap().version, n as u64);
        g.bench_function(format!("baseline/{n}"), |b| {
            b.iter(|| black_box(hand::replay(black_box(&hand_events)).unwrap()))
        });
        g.bench_function(format!("replay/{n}"), |b| {
            b.iter(|| black_box(Instance::replay(black_box(&events)).unwrap()))
        });
    }
    g.finish();

    let mut g = c.benchmark_group("json");
    g.sample_size(20)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
    let (events, instance) = history(10);
    let hand_events = hand::history(10);
    let hand_ticket = hand::replay(&hand_events).unwrap();
    let both = WithHistory { instance, events };
    let hand_both = HandWithHistory {
        ticket: hand_ticket,
        events: hand_events,
    };
    println!(
        "json sizes: snapshot {} B, snapshot + 10 events {} B, hand-written + 10 events {} B",
        serde_json::to_string(&both.instance).unwrap().len(),
        serde_json::to_string(&both).unwrap().len(),
        serde_json::to_string(&hand_both).unwrap().len()
    );
    g.bench_function("baseline (hand-written + 10 events)", |b| {
        b.iter(|| {
            let s = serde_json::to_string(black_box(&hand_both)).unwrap();
            black_box(serde_json::from_str::<HandWithHistory>(&s).unwrap())
        })
    });
    g.bench_function("snapshot", |b| {
        b.iter(|| {
            let s = serde_json::to_string(black_box(&both.instance)).unwrap();
            black_box(serde_json::from_str::<Instance>(&s).unwrap())
        })
    });
    g.bench_function("snapshot + 10 events", |b| {
        b.iter(|| {
            let s = serde_json::to_string(black_box(&both)).unwrap();
            black_box(serde_json::from_str::<WithHistory>(&s).unwrap())
        })
    });
    g.finish();

    println!("\n## replay and JSON (ratios from this run)");
    report::table(
        "replay",
        Some("baseline/100"),
        &["baseline/100", "replay/100"],
        None,
    );
    report::table(
        "replay",
        Some("baseline/10000"),
        &["baseline/10000", "replay/10000"],
        None,
    );
    report::target("replay", "replay/100", 2e3);
    report::target("replay", "replay/10000", 200e3);
    let base = "baseline (hand-written + 10 events)";
    report::table(
        "json",
        Some(base),
        &[base, "snapshot", "snapshot + 10 events"],
        None,
    );
    report::target("json", "snapshot", 5e3);
    report::target("json", "snapshot + 10 events", 5e3);
}

criterion_group!(benches, replay);
criterion_main!(benches);
