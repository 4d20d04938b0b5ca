//! The hand-written baseline: the same ticket as an enum and a `match`, with the same role
//! check (a bit mask) and the same two guards (on typed fields), and no audit trail.

pub(crate) const AGENT: u64 = 1 << 0;
pub(crate) const ENGINEER: u64 = 1 << 1;
pub(crate) const REVIEWER: u64 = 1 << 2;
pub(crate) const MANAGER: u64 = 1 << 3;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum State {
    Open,
    Triage,
    Analysis,
    Review,
    Approved,
    Closed,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Action {
    Accept,
    Assign,
    Submit,
    Reject,
    Approve,
    Close,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Refusal {
    NoSuchTransition,
    Forbidden,
    Guard(&'static str),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Ticket {
    pub(crate) state: State,
    pub(crate) severity: u8,
    pub(crate) on_hold: bool,
    pub(crate) root_cause: Option<String>,
}

impl Ticket {
    /// A ticket in `analysis`, like `ticket::open_instance`.
    pub(crate) fn open() -> Self {
        Ticket {
            state: State::Analysis,
            severity: 2,
            on_hold: false,
            root_cause: None,
        }
    }

    #[inline]
    fn loop_guards(&self) -> Result<(), Refusal> {
        if self.severity == 0 {
            return Err(Refusal::Guard("severity_known"));
        }
        if self.on_hold {
            return Err(Refusal::Guard("not_on_hold"));
        }
        Ok(())
    }

    /// Fire `action` as an actor holding `roles`.
    #[inline]
    pub(crate) fn fire(&mut self, action: Action, roles: u64) -> Result<(), Refusal> {
        use Action as A;
        use State as S;
        let need = |mask: u64| {
            if roles & mask == 0 {
                Err(Refusal::Forbidden)
            } else {
                Ok(())
            }
        };
        self.state = match (self.state, action) {
            (S::Open, A::Accept) => {
                need(AGENT)?;
                S::Triage
            }
            (S::Triage, A::Assign) => {
                need(AGENT)?;
                S::Analysis
            }
            (S::Analysis, A::Submit) => {
                need(ENGINEER)?;
                self.loop_guards()?;
                S::Review
            }
            (S::Review, A::Reject) => {
                need(REVIEWER)?;
                self.loop_guards()?;
                S::Analysis
            }
            (S::Review, A::Approve) => {
                need(REVIEWER)?;
                S::Approved
            }
            (S::Approved, A::Close) => {
                need(MANAGER)?;
                if self.root_cause.as_deref().is_none_or(str::is_empty) {
                    return Err(Refusal::Guard("root_cause_recorded"));
                }
                S::Closed
            }
            _ => return Err(Refusal::NoSuchTransition),
        };
        Ok(())
    }

    /// The loop step for the current state, with the roles of the actor taking it.
    #[inline]
    pub(crate) fn step(&self) -> (Action, u64) {
        if self.state == State::Analysis {
            (Action::Submit, ENGINEER)
        } else {
            (Action::Reject, REVIEWER)
        }
    }
}
