//! What the concession reports: its verdict (granted, refused, scrapped) once it is final, and
//! the list of open and granted concessions; and the link with the customer return whose D9
//! decision asked for it (`report/return_link.rs`).

mod return_link;

pub use return_link::{ReturnConcessionStart, outcome_for_return, start_for_return};

use super::data::{ConcessionError, data};
use super::{Grade, ID, State};
use crate::{Instance, InstanceId, Vocabulary};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The final outcome of a concession.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ConcessionVerdict {
    /// Approved, handled, re-inspected and released (`CONC step 7 (000 L407)`).
    Granted,
    /// Refused by a signer of the chain.
    Refused,
    /// Scrapped instead (`CONC other handling 1 (000 L409)`).
    Scrapped,
}

impl ConcessionVerdict {
    /// Whether the concession was granted.
    pub fn granted(self) -> bool {
        self == ConcessionVerdict::Granted
    }
}

/// The verdict of `concession`, `None` while it is open (OURS: granted means released after the
/// re-inspection, the only end at which the parts go on, `CONC step 7 (000 L407)`).
///
/// # Errors
/// [`ConcessionError::NotAConcession`].
pub fn verdict(concession: &Instance) -> Result<Option<ConcessionVerdict>, ConcessionError> {
    if concession.definition().as_str() != ID {
        return Err(ConcessionError::NotAConcession {
            instance: concession.id().clone(),
            definition: concession.definition().to_string(),
        });
    }
    Ok(match State::from_name(concession.state()) {
        Some(State::Released) => Some(ConcessionVerdict::Granted),
        Some(State::Refused) => Some(ConcessionVerdict::Refused),
        Some(State::Scrapped) => Some(ConcessionVerdict::Scrapped),
        _ => None,
    })
}

/// One concession in the report.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ConcessionLine {
    /// The concession.
    pub concession: InstanceId,
    /// Where it stands (the state's name).
    pub state: String,
    /// The part number, once the form is issued.
    pub part_number: Option<String>,
    /// The grade, once the form is issued.
    pub grade: Option<Grade>,
    /// The nonconforming quantity (0 before the form is issued).
    pub nonconforming: u32,
    /// The third party countersigning, if any.
    pub third_party: Option<String>,
    /// The customer return it serves, if any.
    pub serves_return: Option<InstanceId>,
}

/// The open and the granted concessions.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ConcessionReport {
    /// Not final yet (including approved ones waiting for handling or re-inspection).
    pub open: Vec<ConcessionLine>,
    /// Whose approval chain has signed: approved, handled or released.
    pub granted: Vec<ConcessionLine>,
}

/// The report over `instances` (instances of other procedures are skipped).
///
/// # Errors
/// [`ConcessionError::Data`] for a concession whose data is malformed.
pub fn report<'a>(
    instances: impl IntoIterator<Item = &'a Instance>,
) -> Result<ConcessionReport, ConcessionError> {
    let mut out = ConcessionReport::default();
    for i in instances {
        if i.definition().as_str() != ID {
            continue;
        }
        let d = data(i)?;
        let state = State::from_name(i.state());
        let line = ConcessionLine {
            concession: i.id().clone(),
            state: i.state().to_string(),
            part_number: d.form.as_ref().map(|f| f.part_number.clone()),
            grade: d.form.as_ref().map(|f| f.grade),
            nonconforming: d.form.as_ref().map_or(0, |f| f.nonconforming),
            third_party: d
                .form
                .as_ref()
                .and_then(|f| f.third_party.as_ref().map(|t| t.name.clone())),
            serves_return: d.serves_return,
        };
        let granted = matches!(
            state,
            Some(State::Approved | State::Handled | State::Released)
        );
        if !i.is_closed() {
            out.open.push(line.clone());
        }
        if granted {
            out.granted.push(line);
        }
    }
    Ok(out)
}
