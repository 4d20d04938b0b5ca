//! The instance data of a batch issue ([`Data`]), what it records (acceptance, the claim
//! track, linked consumables requests), and the payloads of the formal channel
//! (批量反馈系统, BQ-E §5.1.4 (000 L652)).

use super::forms::ArbitrationRecord;
use crate::Instance;
use crate::TypedForm;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use std::collections::BTreeMap;

/// Whether the user has accepted the machines (验收), which sets R&D's limits (BQ-E §5.2.1 (000 L654):
/// "对于未验收的机器…对于已经验收合格的机器…"; BQ-E §3.1 (000 L640) "在用户验收期间").
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Acceptance {
    /// 已经验收合格.
    Accepted,
    /// 未验收 (during user acceptance).
    NotAccepted,
}

impl Acceptance {
    /// The name used in instance data and deadline cases.
    pub fn name(self) -> &'static str {
        match self {
            Acceptance::Accepted => "accepted",
            Acceptance::NotAccepted => "not_accepted",
        }
    }
}

/// How information reached a department. Only the batch feedback system is a formal input;
/// "通过邮件系统提报的信息只做为参考" (BQ-E §5.1.4 (000 L652)): e-mail is attached as a comment.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum BatchChannel {
    /// 批量反馈系统.
    BatchFeedbackSystem,
    /// 邮件系统: reference only.
    Email,
    /// Telephone: reference only.
    Phone,
    /// Anything else: reference only.
    Other,
}

/// The payload of a formal action: `{"channel": "batch_feedback_system"}` (BQ-E §4.9–§5.1.1 (000 L650),
/// BQ-E §5.1.4 (000 L652), BQ-E §5.4.1 (000 L668)).
pub fn formal() -> Value {
    via(BatchChannel::BatchFeedbackSystem)
}

/// The payload of an action taken through `channel`.
pub fn via(channel: BatchChannel) -> Value {
    json!({ "channel": channel })
}

/// The payload of [`Action::StartBatchProcess`](super::Action::StartBatchProcess): the formal
/// channel and the acceptance status, which must equal the one in the attached
/// [`BatchStartDecision`](super::forms::BatchStartDecision) (it selects R&D's
/// limits, BQ-E §5.2.1 (000 L654)).
pub fn start_payload(acceptance: Acceptance) -> Value {
    json!({ "channel": BatchChannel::BatchFeedbackSystem, "acceptance": acceptance })
}

/// Who received the complaint, in which role (the attribution of the instance's start):
/// a station, the regional technical-support engineer, or another department, which sets
/// the intake route (BQ-E §5.1.1–5.1.3 (000 L650–L652)).
pub fn received_by(inst: &Instance) -> Option<&crate::Attribution> {
    inst.started_by()
}

/// The station the instance designates: the one that received the complaint and went on
/// site, or the one the engineer named (BQ-E §5.1.2 (000 L652)); only it submits.
pub fn designated_station(inst: &Instance) -> Option<String> {
    inst.data_as::<Data>().ok().and_then(|d| d.station)
}

/// Where the supplier claim track stands (BQ-E §5.5, §6–§9 (000 L670, L672, L676)). It runs alongside the
/// corrective and preventive steps and must be executed before closing.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ClaimStatus {
    /// Loss departments send their direct-loss data (BQ-E §5.5 (000 L670)).
    LossCollection,
    /// The claim appraisal report is with procurement commercial management (BQ-E §5.5 (000 L670)).
    AwaitingConfirmation,
    /// Confirmed; procurement carries it out (BQ-E §5.5, §6–§9 (000 L672, L676)).
    Executing,
    /// Carried out.
    Executed,
}

/// A consumables request linked to the issue (BQ-E §5.3.2 (000 L666)), with its final cost.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ConsumablesLink {
    /// The request is closed and its cost final.
    pub settled: bool,
    /// Its cost, fen (0 until settled).
    pub cost_fen: i64,
}

/// The instance data of a batch issue. Start an instance with [`Data::to_value`]; the
/// procedure's effects fill in the rest.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Data {
    /// The user (customer).
    pub customer: String,
    /// The model.
    pub model: String,
    /// The user's region.
    pub region: String,
    /// The symptom as first reported.
    pub symptom: String,
    /// The designated station's actor id: the station that received the complaint (set when
    /// it goes on site) or the one the engineer names (BQ-E §5.1.2 (000 L652)).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub station: Option<String>,
    /// The senior engineer sent on site.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub senior_engineer: Option<String>,
    /// Accepted by the user or not (set when the process starts).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub acceptance: Option<Acceptance>,
    /// Where the claim track stands (its opening is read from the arbitration record).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub claim: Option<ClaimStatus>,
    /// The quality appraisal report is archived (BQ-E §4.5.5 (000 L646)).
    #[serde(default)]
    pub qar_archived: bool,
    /// The improvement project opened by the system management department.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rectification_project: Option<String>,
    /// Linked consumables requests by id.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub consumables: BTreeMap<String, ConsumablesLink>,
}

impl Data {
    /// The data of a new complaint.
    pub fn new(
        customer: impl Into<String>,
        model: impl Into<String>,
        region: impl Into<String>,
        symptom: impl Into<String>,
    ) -> Self {
        Data {
            customer: customer.into(),
            model: model.into(),
            region: region.into(),
            symptom: symptom.into(),
            station: None,
            senior_engineer: None,
            acceptance: None,
            claim: None,
            qar_archived: false,
            rectification_project: None,
            consumables: BTreeMap::new(),
        }
    }

    /// As JSON, for [`Engine::start`](crate::Engine::start).
    ///
    /// # Errors
    /// The serializer's error (not expected for this type).
    pub fn to_value(&self) -> Result<Value, serde_json::Error> {
        serde_json::to_value(self)
    }
}

/// Where the supplier claim of `instance` stands: `None` when the arbitration opened no
/// claim (no responsible supplier with a direct loss, BQ-E §5.5 (000 L670)).
pub fn claim_status(instance: &Instance) -> Option<ClaimStatus> {
    let arbitration: ArbitrationRecord =
        serde_json::from_value(instance.latest_form(ArbitrationRecord::KIND)?.clone()).ok()?;
    arbitration.claim_against.as_ref()?;
    let data: Option<Data> = instance.data_as().ok();
    Some(
        data.and_then(|d| d.claim)
            .unwrap_or(ClaimStatus::LossCollection),
    )
}
