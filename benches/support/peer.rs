//! The peer: the same ticket in statig 0.4, with the same role check and guards, no audit.
#![allow(unreachable_pub, reason = "statig's macro generates `pub` items")]

use super::baseline::{AGENT, Action, ENGINEER, MANAGER, REVIEWER};
use statig::prelude::*;

/// Shared storage: the same typed fields as the hand-written baseline, plus a refusal
/// counter (statig handlers return an outcome, not a result).
#[derive(Default)]
pub struct PeerTicket {
    pub severity: u8,
    pub on_hold: bool,
    pub root_cause: Option<String>,
    pub refused: u64,
}

/// An action by an actor holding `roles`.
pub struct PeerEvent {
    pub action: Action,
    pub roles: u64,
}

impl PeerTicket {
    pub(crate) fn new() -> Self {
        PeerTicket {
            severity: 2,
            ..Default::default()
        }
    }

    #[inline]
    fn allowed(&self, e: &PeerEvent, mask: u64) -> bool {
        e.roles & mask != 0
    }

    #[inline]
    fn loop_guards(&self) -> bool {
        self.severity > 0 && !self.on_hold
    }

    #[inline]
    fn refuse(&mut self) -> Outcome<State> {
        self.refused += 1;
        Handled
    }
}

#[state_machine(initial = "State::open()", state(derive(Debug, PartialEq, Eq)))]
impl PeerTicket {
    #[state]
    fn open(&mut self, event: &PeerEvent) -> Outcome<State> {
        match event.action {
            Action::Accept if self.allowed(event, AGENT) => Transition(State::triage()),
            _ => self.refuse(),
        }
    }

    #[state]
    fn triage(&mut self, event: &PeerEvent) -> Outcome<State> {
        match event.action {
            Action::Assign if self.allowed(event, AGENT) => Transition(State::analysis()),
            _ => self.refuse(),
        }
    }

    #[state]
    fn analysis(&mut self, event: &PeerEvent) -> Outcome<State> {
        match event.action {
            Action::Submit if self.allowed(event, ENGINEER) && self.loop_guards() => {
                Transition(State::review())
            }
            _ => self.refuse(),
        }
    }

    #[state]
    fn review(&mut self, event: &PeerEvent) -> Outcome<State> {
        match event.action {
            Action::Reject if self.allowed(event, REVIEWER) && self.loop_guards() => {
                Transition(State::analysis())
            }
            Action::Approve if self.allowed(event, REVIEWER) => Transition(State::approved()),
            _ => self.refuse(),
        }
    }

    #[state]
    fn approved(&mut self, event: &PeerEvent) -> Outcome<State> {
        match event.action {
            Action::Close
                if self.allowed(event, MANAGER)
                    && self.root_cause.as_deref().is_some_and(|s| !s.is_empty()) =>
            {
                Transition(State::closed())
            }
            _ => self.refuse(),
        }
    }

    #[state]
    fn closed(&mut self, event: &PeerEvent) -> Outcome<State> {
        let _ = event; // a closed ticket refuses everything
        self.refuse()
    }
}

/// A statig ticket driven to `analysis`, like `ticket::open_instance`.
pub(crate) fn open_machine() -> statig::blocking::InitializedStateMachine<PeerTicket> {
    let mut sm = PeerTicket::new().uninitialized_state_machine().init();
    sm.handle(&PeerEvent {
        action: Action::Accept,
        roles: AGENT,
    });
    sm.handle(&PeerEvent {
        action: Action::Assign,
        roles: AGENT,
    });
    debug_assert_eq!(sm.state(), &State::Analysis {});
    sm
}

/// The loop event for a machine in `state`.
#[inline]
pub(crate) fn step_for(state: &State) -> PeerEvent {
    match state {
        State::Analysis {} => PeerEvent {
            action: Action::Submit,
            roles: ENGINEER,
        },
        _ => PeerEvent {
            action: Action::Reject,
            roles: REVIEWER,
        },
    }
}
