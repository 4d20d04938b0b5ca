//! Outsourced consumables request — 耗材申请单(批量).
//!
//! The seed says only this much (seed `000`): the regional quality section applies for the
//! consumables a branch company needs because of a batch problem (`000 L646` §4.5.7); the
//! regional technical-support engineer sends the consumables application form to the regional
//! quality section, which applies **through the workflow** under the manufacturing platform's
//! rules 《制造平台外发耗材管理规定》 (`000 L666` §5.3.2); the outputs are 《耗材申请单(批量)》
//! and 《从材料库调拨物料申请表》 (`000 L676` §7); losses are reported to the regional quality
//! section for the claim appraisal (`000 L670` §5.5). The cited rules are not in the seeds:
//! every other step follows the product decision in `spec/README.md` ("Outsourced
//! consumables") and is marked **ours** below. Limits of our steps are configuration with no
//! default.
//!
//! Flow: draft (engineer) → sent to the regional quality section → returned for revision /
//! rejected / filed with the platform → platform approval chain (configurable sign-off) →
//! issued from the material store and shipped → received and counted by the branch → consumption
//! reported, unused stock returned or written off → closed, its cost rolled into the batch
//! issue's losses ([`cost`], [`roll_up`]).
//!
//! A request is only sent or filed with a fresh [`BatchLink`] proving the linked
//! batch-quality instance has started ([`link_form`], [`with_batch_link`]).

mod forms;

pub use forms::{
    BatchLink, ConsumablesRequest, ConsumptionReport, CountedLine, IssuedLine, ItemQuantity,
    MaterialTransfer, QuantityRecord, ReceiptRecord, RequestLine, ReturnRecord, WriteOffRecord,
};

use super::batch_quality;
use crate::Command;
use crate::Context;
use crate::Registry;
use crate::SignOrder;
use crate::Store;
use crate::Vocabulary;
use crate::{Account, Bearer, CostKind, CostLedger, CostLine};
use crate::{BuildError, Builder, TypedDefinition};
use crate::{BusinessDuration, Calendar};
use crate::{DeadlineSpec, EscalationSpec, Trigger};
use crate::{Engine, EngineError};
use crate::{Form, TypedForm};
use crate::{Instance, InstanceId};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::sync::Arc;

/// The definition id.
pub const ID: &str = "consumables";
/// The definition version.
pub const VERSION: u32 = 1;

crate::vocabulary! {
    /// States of a consumables request.
    pub enum State {
        /// Being drafted by the regional technical-support engineer (耗材申请表; ours as a state).
        Draft = "draft",
        /// Sent to the regional quality section (发送…给区域质量处, `000 L666`).
        RqsReview = "rqs_review",
        /// Returned to the engineer for revision (ours).
        ReturnedForRevision = "returned_for_revision",
        /// Filed in the manufacturing platform's workflow (通过工作流申请, `000 L666`); the
        /// approver chain signs (chain ours).
        PlatformApproval = "platform_approval",
        /// Approved; waiting for the material store to issue (ours).
        AwaitingIssue = "awaiting_issue",
        /// Issued from the material store (从材料库调拨物料申请表, `000 L676`) and shipped (ours).
        Shipped = "shipped",
        /// Received and counted by the branch (ours).
        Received = "received",
        /// Consumption reported; unused stock being returned or written off (ours).
        Settling = "settling",
        /// Balanced and closed; cost rolled into the batch issue (ours; `000 L670`).
        Closed = "closed",
        /// Refused by the regional quality section (ours).
        Rejected = "rejected",
        /// Withdrawn before filing (ours).
        Cancelled = "cancelled",
    }
}

crate::vocabulary! {
    /// Actions on a consumables request.
    pub enum Action {
        /// Send the request form to the regional quality section (`000 L666`).
        SendToRqs = "send_to_rqs",
        /// Return it for revision (ours).
        ReturnForRevision = "return_for_revision",
        /// Refuse it (ours).
        Reject = "reject",
        /// Apply through the platform workflow — regional quality section only (`000 L646`, `000 L666`).
        FileWithPlatform = "file_with_platform",
        /// The platform approver chain signs (sign-off; ours).
        ApprovePlatform = "approve_platform",
        /// Issue and ship from the material store (`000 L676` §7 form; step ours).
        IssueFromStore = "issue_from_store",
        /// The branch receives and counts (ours).
        ReceiveAndCount = "receive_and_count",
        /// Report consumption (ours).
        ReportConsumption = "report_consumption",
        /// Return unused stock (ours; cf. `000 L676` §6).
        ReturnUnused = "return_unused",
        /// Write stock off (ours).
        WriteOff = "write_off",
        /// Close when balanced (ours).
        Close = "close",
        /// Withdraw (ours).
        Cancel = "cancel",
    }
}

crate::vocabulary! {
    /// Roles in the consumables request.
    pub enum Role {
        /// 区域技术支持工程师 — drafts and sends the request (`000 L666`).
        RegionalTechSupportEngineer = "regional_tech_support_engineer",
        /// 区域质量处 — the only applicant in the workflow (`000 L646` §4.5.7, `000 L666`).
        RegionalQualitySection = "regional_quality_section",
        /// 制造平台审批人 — a platform approver (chain ours).
        PlatformApprover = "platform_approver",
        /// 制造平台负责人 — a senior platform approver, for longer chains (ours).
        PlatformDirector = "platform_director",
        /// 采购 — procurement, when the chain includes it (ours).
        Procurement = "procurement",
        /// 材料库 — the material store (warehouse) issuing the goods (`000 L676` §7 form).
        MaterialStore = "material_store",
        /// 服务平台备件管理部 — spare-parts management, may issue from spare stock (`000 L644` §4.4).
        SparePartsManagement = "spare_parts_management",
        /// 分公司 — the branch company receiving and using the goods (`000 L646` §4.5.7).
        Branch = "branch",
    }
}

/// Configuration. Only the approver chain has a default, and it is ours: the cited platform
/// rules are not in the seeds (`000 L666`), so every limit is `None` unless the host sets it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Config {
    /// The platform approvers, signing in this order (ours; default: one platform approver).
    /// An empty chain is refused by `definition()` (no one could approve).
    pub approver_chain: Vec<Role>,
    /// Limit for the regional quality section's review (no default).
    pub rqs_review_within: Option<BusinessDuration>,
    /// Limit for the platform approval chain (no default).
    pub platform_approval_within: Option<BusinessDuration>,
    /// Limit for issuing after approval (no default).
    pub issue_within: Option<BusinessDuration>,
    /// Limit for the branch to receive and count after shipping (no default).
    pub delivery_within: Option<BusinessDuration>,
    /// Limit for reporting consumption after receipt (no default).
    pub consumption_report_within: Option<BusinessDuration>,
    /// Limit for settling (return / write-off) after the consumption report (no default).
    pub settlement_within: Option<BusinessDuration>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            approver_chain: vec![Role::PlatformApprover],
            rqs_review_within: None,
            platform_approval_within: None,
            issue_within: None,
            delivery_within: None,
            consumption_report_within: None,
            settlement_within: None,
        }
    }
}

/// The state of one requested item through the flow. Quantities are unsigned and every change
/// is checked: they never go negative, `received + short == shipped`, and
/// `consumed + returned + written_off <= received` (equal at closing).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct LineStatus {
    /// Material code.
    pub item_code: String,
    /// Requested.
    pub requested: u32,
    /// Shipped.
    pub shipped: u32,
    /// Unit cost in 分 (the estimate until issued, then the actual cost).
    pub unit_cost_fen: i64,
    /// Received.
    pub received: u32,
    /// Short on delivery.
    pub short: u32,
    /// Received damaged.
    pub damaged: u32,
    /// Consumed.
    pub consumed: u32,
    /// Returned unused.
    pub returned: u32,
    /// Written off.
    pub written_off: u32,
}

impl LineStatus {
    /// Received stock not yet consumed, returned or written off.
    pub fn open(&self) -> Option<u32> {
        self.received
            .checked_sub(self.consumed)?
            .checked_sub(self.returned)?
            .checked_sub(self.written_off)
    }
}

/// The instance data of a consumables request.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Data {
    /// The request as last sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request: Option<ConsumablesRequest>,
    /// Per item.
    #[serde(default)]
    pub lines: Vec<LineStatus>,
}

impl Data {
    fn line_mut(&mut self, item: &str) -> Result<&mut LineStatus, String> {
        self.lines
            .iter_mut()
            .find(|l| l.item_code == item)
            .ok_or_else(|| format!("item `{item}` is not on the request"))
    }
}

fn parse<T: serde::de::DeserializeOwned>(v: &Value, what: &str) -> Result<T, String> {
    T::deserialize(v).map_err(|e| format!("malformed {what}: {e}"))
}

/// Run `f` on the typed data and write it back.
fn edit(data: &mut Value, f: impl FnOnce(&mut Data) -> Result<(), String>) -> Result<(), String> {
    let mut d: Data = if data.is_null() {
        Data::default()
    } else {
        parse(data, "request data")?
    };
    f(&mut d)?;
    *data = serde_json::to_value(&d).map_err(|e| e.to_string())?;
    Ok(())
}

fn form<T: TypedForm>(ctx: &Context<'_>) -> Result<T, String> {
    let body = ctx
        .form(T::KIND)
        .ok_or_else(|| format!("form `{}` missing", T::KIND))?;
    parse(body, T::KIND)
}

fn add(a: u32, b: u32, item: &str) -> Result<u32, String> {
    a.checked_add(b)
        .ok_or_else(|| format!("item `{item}`: quantity overflow"))
}

fn record_request(data: &mut Value, ctx: &Context<'_>) -> Result<(), String> {
    let req: ConsumablesRequest = form(ctx)?;
    edit(data, |d| {
        d.lines = req
            .lines
            .iter()
            .map(|l| LineStatus {
                item_code: l.item_code.clone(),
                requested: l.quantity,
                unit_cost_fen: l.unit_cost_fen,
                ..LineStatus::default()
            })
            .collect();
        d.request = Some(req);
        Ok(())
    })
}

fn record_issue(data: &mut Value, ctx: &Context<'_>) -> Result<(), String> {
    let t: MaterialTransfer = form(ctx)?;
    edit(data, |d| {
        let dest = d
            .request
            .as_ref()
            .map(|r| r.destination_branch.clone())
            .unwrap_or_default();
        if t.to_branch != dest {
            return Err(format!(
                "shipped to `{}`, but the request is for `{dest}`",
                t.to_branch
            ));
        }
        for l in &t.lines {
            let line = d.line_mut(&l.item_code)?;
            if l.quantity > line.requested {
                return Err(format!(
                    "item `{}`: {} shipped, {} requested",
                    l.item_code, l.quantity, line.requested
                ));
            }
            line.shipped = l.quantity;
            line.unit_cost_fen = l.unit_cost_fen;
        }
        Ok(())
    })
}

fn record_receipt(data: &mut Value, ctx: &Context<'_>) -> Result<(), String> {
    let r: ReceiptRecord = form(ctx)?;
    edit(data, |d| {
        for l in &r.lines {
            let line = d.line_mut(&l.item_code)?;
            if add(l.received, l.short, &l.item_code)? != line.shipped {
                return Err(format!(
                    "item `{}`: received {} + short {} must equal shipped {}",
                    l.item_code, l.received, l.short, line.shipped
                ));
            }
            line.received = l.received;
            line.short = l.short;
            line.damaged = l.damaged;
        }
        match d
            .lines
            .iter()
            .find(|l| l.shipped > 0 && !r.lines.iter().any(|c| c.item_code == l.item_code))
        {
            Some(l) => Err(format!(
                "item `{}` was shipped but not counted",
                l.item_code
            )),
            None => Ok(()),
        }
    })
}

/// Add `q` of each item to the field chosen by `slot`, keeping consumed + returned +
/// written-off within received.
fn record_quantities(
    data: &mut Value,
    lines: &[ItemQuantity],
    slot: fn(&mut LineStatus) -> &mut u32,
) -> Result<(), String> {
    edit(data, |d| {
        for q in lines {
            let line = d.line_mut(&q.item_code)?;
            let open = line.open().unwrap_or(0);
            if q.quantity > open {
                return Err(format!(
                    "item `{}`: {} exceeds the {} received and not yet settled",
                    q.item_code, q.quantity, open
                ));
            }
            let field = slot(line);
            *field = add(*field, q.quantity, &q.item_code)?;
        }
        Ok(())
    })
}

fn reason_given(ctx: &Context<'_>) -> Result<(), String> {
    match ctx.payload["reason"].as_str() {
        Some(r) if !r.trim().is_empty() => Ok(()),
        _ => Err("a reason is required (payload `reason`)".into()),
    }
}

/// The batch link attached by *this* command must name the request's batch issue and show it
/// started (`000 L646`, `000 L666`).
fn batch_started(ctx: &Context<'_>) -> Result<(), String> {
    let link: BatchLink = ctx
        .forms
        .iter()
        .find(|f| f.kind == BatchLink::KIND)
        .ok_or("attach a fresh `batch_link` (see `consumables::link_form`)")
        .and_then(|f| {
            parse::<BatchLink>(&f.body, BatchLink::KIND).map_err(|_| "malformed batch link")
        })?;
    let wanted = match ctx.form(ConsumablesRequest::KIND) {
        Some(body) => parse::<ConsumablesRequest>(body, ConsumablesRequest::KIND)?.batch_issue,
        None => return Err("no consumables request on file".into()),
    };
    if link.batch_issue != wanted {
        return Err(format!(
            "the link is to `{}`, the request serves `{wanted}`",
            link.batch_issue
        ));
    }
    match batch_quality::State::from_name(&link.state) {
        Some(s) if batch_quality::is_started(s) => Ok(()),
        _ => Err(format!(
            "batch issue `{wanted}` is in `{}`, not a started batch process",
            link.state
        )),
    }
}

fn settled(ctx: &Context<'_>) -> Result<(), String> {
    let d: Data = parse(ctx.instance.data(), "request data")?;
    match d.lines.iter().find(|l| l.open() != Some(0)) {
        Some(l) => Err(format!(
            "item `{}`: received {} but consumed {} + returned {} + written off {}",
            l.item_code, l.received, l.consumed, l.returned, l.written_off
        )),
        None => Ok(()),
    }
}

/// Guards, effects and typed forms of the procedure.
pub fn registry() -> Registry {
    Registry::new()
        .typed_form::<ConsumablesRequest>()
        .typed_form::<BatchLink>()
        .typed_form::<MaterialTransfer>()
        .typed_form::<ReceiptRecord>()
        .typed_form::<ConsumptionReport>()
        .typed_form::<ReturnRecord>()
        .typed_form::<WriteOffRecord>()
        .guard("batch_started", batch_started)
        .guard("reason_given", reason_given)
        .guard("settled", settled)
        .effect("record_request", record_request)
        .effect("record_issue", record_issue)
        .effect("record_receipt", record_receipt)
        .effect("record_consumption", |d: &mut Value, c: &Context<'_>| {
            let f: ConsumptionReport = form(c)?;
            record_quantities(d, &f.0.lines, |l| &mut l.consumed)
        })
        .effect("record_return", |d: &mut Value, c: &Context<'_>| {
            let f: ReturnRecord = form(c)?;
            record_quantities(d, &f.0.lines, |l| &mut l.returned)
        })
        .effect("record_write_off", |d: &mut Value, c: &Context<'_>| {
            let f: WriteOffRecord = form(c)?;
            record_quantities(d, &f.0.lines, |l| &mut l.written_off)
        })
}

/// The typed definition of this procedure.
pub type Definition = TypedDefinition<State, Action, Role>;

/// Build the definition with `config`, computing deadlines in `calendar`.
///
/// # Errors
/// [`BuildError`] — e.g. an empty approver chain (`EmptySignOff`).
pub fn definition(config: &Config, calendar: Arc<dyn Calendar>) -> Result<Definition, BuildError> {
    use Action as A;
    use Role as R;
    use State as S;
    let rtse = [R::RegionalTechSupportEngineer];
    let rqs = [R::RegionalQualitySection];
    let mut b = Builder::new(ID, VERSION)
        .roles(R::ALL)
        .start_roles(rtse)
        .initial(S::Draft)
        .describe_state(
            "耗材申请表 being drafted by the regional technical-support engineer (000 L666)",
        )
        .normal(S::RqsReview)
        .normal(S::ReturnedForRevision)
        .normal(S::PlatformApproval)
        .normal(S::AwaitingIssue)
        .normal(S::Shipped)
        .normal(S::Received)
        .normal(S::Settling)
        .terminal(S::Closed)
        .terminal(S::Rejected)
        .terminal(S::Cancelled);
    for from in [S::Draft, S::ReturnedForRevision] {
        b = b
            .transition(from, A::SendToRqs, S::RqsReview, |t| {
                t.roles(rtse)
                    .form(ConsumablesRequest::KIND)
                    .fresh_form(BatchLink::KIND)
                    .guard("batch_started")
                    .effect("record_request")
                    .describe(
                        "000 L666: the engineer sends the form to the regional quality section",
                    )
            })
            .transition(from, A::Cancel, S::Cancelled, |t| {
                t.roles([R::RegionalTechSupportEngineer, R::RegionalQualitySection])
                    .guard("reason_given")
            });
    }
    b = b
        .transition(S::RqsReview, A::ReturnForRevision, S::ReturnedForRevision, |t| t.roles(rqs).guard("reason_given"))
        .transition(S::RqsReview, A::Reject, S::Rejected, |t| t.roles(rqs).guard("reason_given"))
        .transition(S::RqsReview, A::FileWithPlatform, S::PlatformApproval, |t| {
            t.roles(rqs)
                .fresh_form(BatchLink::KIND)
                .guard("batch_started")
                .describe("000 L646 §4.5.7, 000 L666: the regional quality section applies through the workflow")
        })
        .transition(S::PlatformApproval, A::ApprovePlatform, S::AwaitingIssue, |t| {
            t.sign_off(&config.approver_chain, SignOrder::Sequential, "approve the batch consumables request (制造平台)")
                .on_refuse(S::RqsReview)
                .not_same_actor_as(A::FileWithPlatform)
        })
        .transition(S::AwaitingIssue, A::IssueFromStore, S::Shipped, |t| {
            t.roles([R::MaterialStore, R::SparePartsManagement])
                .form(MaterialTransfer::KIND)
                .effect("record_issue")
                .describe("000 L676 §7: 从材料库调拨物料申请表")
        })
        .transition(S::Shipped, A::ReceiveAndCount, S::Received, |t| {
            t.roles([R::Branch]).form(ReceiptRecord::KIND).effect("record_receipt")
        })
        .transition(S::Received, A::ReportConsumption, S::Settling, |t| {
            t.roles([R::Branch, R::RegionalTechSupportEngineer])
                .form(ConsumptionReport::KIND)
                .effect("record_consumption")
        })
        .transition(S::Settling, A::ReportConsumption, S::Settling, |t| {
            t.roles([R::Branch, R::RegionalTechSupportEngineer])
                .form(ConsumptionReport::KIND)
                .effect("record_consumption")
        })
        .transition(S::Settling, A::ReturnUnused, S::Settling, |t| {
            t.roles([R::Branch]).form(ReturnRecord::KIND).effect("record_return")
        })
        .transition(S::Settling, A::WriteOff, S::Settling, |t| {
            t.roles(rqs).form(WriteOffRecord::KIND).effect("record_write_off")
        })
        .transition(S::Settling, A::Close, S::Closed, |t| t.roles(rqs).guard("settled"));

    let limits = [
        (
            "rqs_review",
            S::RqsReview,
            config.rqs_review_within,
            R::RegionalQualitySection,
        ),
        (
            "platform_approval",
            S::PlatformApproval,
            config.platform_approval_within,
            R::PlatformApprover,
        ),
        (
            "issue",
            S::AwaitingIssue,
            config.issue_within,
            R::MaterialStore,
        ),
        ("delivery", S::Shipped, config.delivery_within, R::Branch),
        (
            "consumption_report",
            S::Received,
            config.consumption_report_within,
            R::Branch,
        ),
        (
            "settlement",
            S::Settling,
            config.settlement_within,
            R::RegionalQualitySection,
        ),
    ];
    for (name, state, limit, owner) in limits {
        if let Some(limit) = limit {
            b = b.deadline(
                DeadlineSpec::new(name, Trigger::enter(state), limit)
                    .escalate(EscalationSpec::notify([owner, R::RegionalQualitySection]))
                    .owner(owner)
                    .describe("ours: spec README \"Missed deadlines\" (recorded and notified)"),
            );
        }
    }
    let def = b.build(&registry().shared_calendar(calendar))?;
    Ok(TypedDefinition::new(def)?)
}

/// Why a consumables helper failed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum ConsumablesError {
    /// The instance given as the batch issue is not a batch-quality instance.
    #[error("`{instance}` is a `{definition}` instance, not a batch quality issue")]
    NotABatchIssue {
        /// The instance.
        instance: InstanceId,
        /// Its definition.
        definition: String,
    },
    /// The batch issue has not been started (or is already closed).
    #[error(
        "batch issue `{instance}` is in `{state}`, not a started batch process (000 L646, 000 L666)"
    )]
    NotStarted {
        /// The batch instance.
        instance: InstanceId,
        /// Its state.
        state: String,
    },
    /// The request's data is malformed.
    #[error("request `{instance}` has malformed data: {reason}")]
    Data {
        /// The request.
        instance: InstanceId,
        /// Why.
        reason: String,
    },
    /// A cost overflowed.
    #[error("request `{instance}`: cost overflow")]
    Overflow {
        /// The request.
        instance: InstanceId,
    },
    /// The engine failed.
    #[error(transparent)]
    Engine(#[from] EngineError),
}

/// A fresh [`BatchLink`] form for `batch`, checked: it must be a batch-quality instance whose
/// batch process has started ([`batch_quality::is_started`]).
///
/// # Errors
/// [`ConsumablesError::NotABatchIssue`] or [`ConsumablesError::NotStarted`].
pub fn link_form(batch: &Instance) -> Result<Form, ConsumablesError> {
    if batch.definition() != batch_quality::ID {
        return Err(ConsumablesError::NotABatchIssue {
            instance: batch.id().clone(),
            definition: batch.definition().to_string(),
        });
    }
    let started =
        batch_quality::State::from_name(batch.state()).is_some_and(batch_quality::is_started);
    if !started {
        return Err(ConsumablesError::NotStarted {
            instance: batch.id().clone(),
            state: batch.state().to_string(),
        });
    }
    let link = BatchLink {
        batch_issue: batch.id().clone(),
        state: batch.state().to_string(),
        version: batch.version(),
    };
    Ok(Form::new(
        BatchLink::KIND,
        serde_json::to_value(&link).unwrap_or(Value::Null),
    ))
}

/// `cmd` with a fresh link to the batch issue `batch`, loaded from the same engine.
///
/// # Errors
/// [`ConsumablesError::Engine`] when the batch issue cannot be loaded, or the errors of
/// [`link_form`].
pub fn with_batch_link<S: Store>(
    engine: &Engine<S>,
    batch: &InstanceId,
    cmd: Command,
) -> Result<Command, ConsumablesError> {
    let batch = engine.load(batch)?;
    Ok(cmd.with_form(link_form(&batch)?))
}

/// The typed data of a request instance.
///
/// # Errors
/// [`ConsumablesError::Data`].
pub fn data(request: &Instance) -> Result<Data, ConsumablesError> {
    if request.data().is_null() {
        return Ok(Data::default());
    }
    request.data_as().map_err(|e| ConsumablesError::Data {
        instance: request.id().clone(),
        reason: e.to_string(),
    })
}

/// The cost of a request: (consumed + written off) × unit cost per item; returned stock is not a
/// loss (ours). Booked to the cost of sales and borne by the company, or — when `supplier` is
/// responsible for the batch issue — to the supplier claim (`000 L670` §5.5).
///
/// # Errors
/// [`ConsumablesError::Data`] or [`ConsumablesError::Overflow`].
pub fn cost(request: &Instance, supplier: Option<&str>) -> Result<CostLedger, ConsumablesError> {
    let d = data(request)?;
    let overflow = || ConsumablesError::Overflow {
        instance: request.id().clone(),
    };
    let mut ledger = CostLedger::new();
    for l in &d.lines {
        let used = l.consumed.checked_add(l.written_off).ok_or_else(overflow)?;
        if used == 0 {
            continue;
        }
        let amount = l
            .unit_cost_fen
            .checked_mul(i64::from(used))
            .ok_or_else(overflow)?;
        let line = CostLine::new(ID, request.id().clone(), CostKind::Consumables, amount)
            .map_err(|e| ConsumablesError::Data {
                instance: request.id().clone(),
                reason: e.to_string(),
            })?
            .product(l.item_code.clone())
            .describe(format!("{used} × {}", l.item_code));
        ledger.push(match supplier {
            Some(s) => line
                .bearer(Bearer::Supplier)
                .account(Account::SupplierClaim)
                .supplier(s),
            None => line,
        });
    }
    Ok(ledger)
}

/// The costs of every closed request linked to `batch`, for the batch issue's loss data and
/// claim appraisal (`000 L670` §5.5).
///
/// # Errors
/// The first request whose cost cannot be computed.
pub fn roll_up<'a>(
    requests: impl IntoIterator<Item = &'a Instance>,
    batch: &InstanceId,
    supplier: Option<&str>,
) -> Result<CostLedger, ConsumablesError> {
    let mut ledger = CostLedger::new();
    for r in requests {
        let linked = data(r)?.request.is_some_and(|q| &q.batch_issue == batch);
        if linked && r.state() == State::Closed.name() {
            ledger.absorb(&cost(r, supplier)?);
        }
    }
    Ok(ledger)
}
