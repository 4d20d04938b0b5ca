//! The link with the customer return (its D9 concession decision, `customer_return`'s
//! `request_concession` → `awaiting_concession` → `record_concession_outcome`), both ways:
//!
//! - [`start_for_return`]: from a return waiting for a concession whose
//!   [`ConcessionRequest`](cr::ConcessionRequest) names the concession instance, the start of
//!   that concession, its data recording the return it serves ([`Data::serves_return`]);
//! - [`outcome_for_return`]: from a concession with a final [`verdict`], the
//!   `record_concession_outcome` command for the return it serves, with the
//!   [`ConcessionOutcome`](cr::ConcessionOutcome) naming the concession, fired by the host's
//!   bridge actor (role [`cr::Role::ConcessionLink`]).
//!
//! The host runs the bridge: it starts the concession, and fires the outcome on the return
//! when the concession reaches its end (OURS: the engine does not fire across instances).

use super::super::data::{ConcessionError, Data, data};
use super::{ConcessionVerdict, verdict};
use crate::procedures::customer_return as cr;
use crate::{Actor, Command, Form, Instance, InstanceId, Vocabulary};
use serde_json::Value;

/// How to start the concession a customer return waits for.
#[derive(Clone, Debug, PartialEq)]
pub struct ReturnConcessionStart {
    /// The concession's instance id, as the return's concession request names it.
    pub concession: InstanceId,
    /// The customer return it serves.
    pub serves_return: InstanceId,
    /// The start data (a [`Data`] with [`Data::serves_return`] set).
    pub data: Value,
}

fn return_error(ret: &Instance, reason: String) -> ConcessionError {
    ConcessionError::Data {
        instance: ret.id().clone(),
        reason,
    }
}

/// The start of the concession the customer return `ret` waits for: `ret` must be a
/// customer return in `awaiting_concession` whose pending concession request names the
/// concession instance (so the link shows from both sides).
///
/// # Errors
/// [`ConcessionError::WrongDefinition`] (not a customer return), [`ConcessionError::NotPending`]
/// (no concession pending), [`ConcessionError::Unnamed`] (the request names no concession),
/// [`ConcessionError::Data`] (a malformed form on the return).
pub fn start_for_return(ret: &Instance) -> Result<ReturnConcessionStart, ConcessionError> {
    if ret.definition().as_str() != cr::ID {
        return Err(ConcessionError::WrongDefinition {
            instance: ret.id().clone(),
            definition: ret.definition().to_string(),
            expected: cr::ID.into(),
        });
    }
    let status = cr::concession_status(ret).map_err(|e| return_error(ret, e))?;
    let cr::ConcessionStatus::Pending(request) = status else {
        return Err(ConcessionError::NotPending {
            instance: ret.id().clone(),
            state: ret.state().to_string(),
        });
    };
    if ret.state() != cr::State::AwaitingConcession {
        return Err(ConcessionError::NotPending {
            instance: ret.id().clone(),
            state: ret.state().to_string(),
        });
    }
    let concession = request
        .concession
        .filter(|c| !c.trim().is_empty())
        .ok_or_else(|| ConcessionError::Unnamed {
            instance: ret.id().clone(),
        })?;
    let data = Data {
        serves_return: Some(ret.id().clone()),
        ..Data::default()
    }
    .to_value()
    .map_err(|e| return_error(ret, e.to_string()))?;
    Ok(ReturnConcessionStart {
        concession: InstanceId::from(concession.as_str()),
        serves_return: ret.id().clone(),
        data,
    })
}

/// The `record_concession_outcome` command for the customer return `concession` serves, by
/// the bridge actor `link` (holding [`cr::Role::ConcessionLink`]), and the return's id:
/// granted when the concession was released after its re-inspection, not granted when it was
/// refused or scrapped.
///
/// # Errors
/// [`ConcessionError::NotAConcession`], [`ConcessionError::Data`],
/// [`ConcessionError::Open`] (no final verdict yet), [`ConcessionError::NotLinked`] (it serves
/// no customer return).
pub fn outcome_for_return(
    concession: &Instance,
    link: &Actor,
) -> Result<(InstanceId, Command), ConcessionError> {
    let d = data(concession)?;
    let Some(verdict) = verdict(concession)? else {
        return Err(ConcessionError::Open {
            instance: concession.id().clone(),
            state: concession.state().to_string(),
        });
    };
    let ret = d.serves_return.ok_or_else(|| ConcessionError::NotLinked {
        instance: concession.id().clone(),
    })?;
    let note = match verdict {
        ConcessionVerdict::Granted => "granted: released after re-inspection (CONC step 7)",
        ConcessionVerdict::Refused => "refused by the approval chain",
        ConcessionVerdict::Scrapped => "not granted: scrapped instead",
    };
    let outcome = cr::ConcessionOutcome {
        concession: concession.id().to_string(),
        granted: verdict.granted(),
        note: Some(note.into()),
    };
    let form = Form::typed(cr::FormKind::ConcessionOutcome.name(), &outcome).map_err(|e| {
        ConcessionError::Data {
            instance: concession.id().clone(),
            reason: e.to_string(),
        }
    })?;
    let cmd = Command::fire(link, cr::Action::RecordConcessionOutcome).with_form(form);
    Ok((ret, cmd))
}
