//! What the complaint procedure reports: the severity of a case, which report goes to the
//! customer and its filtered rendering (§3.6, `QD-004 §3.6 (004 L628)`), and the costs.
//!
//! ## Costs (uses [`CostLedger`] and [`CostLine`])
//!
//! Cost lines are recorded on a complaint as [`CostEntry`] forms (`record_cost_line`) and
//! confirmed by the quality manager, who may not confirm lines they recorded
//! (`confirm_cost_lines`; 「经确认后计入销售成本」, `QD-004 §5.2.2.2 (004 L671)`, `QD-004 §6.2.2 (004 L493)`). Only confirmed lines are
//! booked. The account is decided over the complaint history of the customer:
//!
//! - selling expense (销售费用) when the complaint is a customer misjudgment (pass verdict) and
//!   the same customer had an earlier misjudgment of the same phenomenon (§5.4, `QD-004 §5.4 (004 L602)`);
//! - cost of sales (销售成本) otherwise (`QD-004 §5.2.2.2 (004 L671)`, `QD-004 §6.2.2 (004 L493)`; extended to every kind: ours);
//! - deducted from the carrier's freight when the entry names the carrier that damaged the
//!   goods in transit (CE-MH §3.1 (002 L458–459)).
//!
//! Every entry carries the day it was incurred; [`CostReport::per_month`] is the month-end
//! tally (SVC-KPI §7 step 8 (001 L4)).

use super::config::Config;
use super::config::MisjudgmentMatch;
use super::config::severity::Severity;
use super::data::ComplaintVerdict;
use super::data::Data;
use super::forms::ImprovementEvidence;
use super::forms::eight_d::EightDReport;
use super::forms::outgoing::{
    Redaction, Releases, ReportKind, redact_8d_released, redact_reply, redact_statements_released,
};
use super::forms::{ComplaintInspectionRecord, CorrectiveActionPlan, CostEntry, PlanAcceptance};
use super::rules;
use super::{Action, ID};
use crate::ActorId;
use crate::TypedForm;
use crate::Vocabulary;
use crate::{Account, CostError, CostKind, CostLedger, CostLine, YearMonth};
use crate::{Instance, InstanceId};
use chrono::{DateTime, NaiveDate, Utc};
use std::collections::BTreeMap;

/// One cost entry of a complaint, with who recorded it and whether it is confirmed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecordedCost {
    /// The entry.
    pub entry: CostEntry,
    /// Who recorded it.
    pub recorded_by: Option<ActorId>,
    /// Confirmed by the quality manager.
    pub confirmed: bool,
}

/// What the cost roll-up needs to know about one complaint.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CostRecord {
    /// The instance.
    pub complaint: InstanceId,
    /// The customer.
    pub customer: String,
    /// The product model.
    pub product_model: String,
    /// When the complaint was opened (orders "earlier" misjudgments).
    pub opened_at: DateTime<Utc>,
    /// On a pass verdict: the phenomenon the customer misjudged.
    pub misjudgment: Option<String>,
    /// The cost entries, in recording order.
    pub costs: Vec<RecordedCost>,
}

impl CostRecord {
    /// Read a complaint instance.
    ///
    /// # Errors
    /// The instance data or a form does not parse.
    pub fn from_instance(inst: &Instance) -> Result<Self, String> {
        let data: Data = inst
            .data_as()
            .map_err(|e| format!("complaint data does not parse: {e}"))?;
        let mut costs = Vec::new();
        for f in inst
            .forms()
            .iter()
            .filter(|f| f.form.kind == CostEntry::KIND && f.action == Action::RecordCostLine.name())
        {
            let entry: CostEntry = serde_json::from_value(f.form.body.clone())
                .map_err(|e| format!("cost entry does not parse: {e}"))?;
            let confirmed = u32::try_from(costs.len()).is_ok_and(|i| i < data.cost_lines_confirmed);
            costs.push(RecordedCost {
                entry,
                recorded_by: f.by.clone(),
                confirmed,
            });
        }
        let misjudgment = if data.verdict == Some(ComplaintVerdict::Pass) {
            inst.forms()
                .iter()
                .rev()
                .find(|f| f.form.kind == ComplaintInspectionRecord::KIND)
                .and_then(|f| {
                    serde_json::from_value::<ComplaintInspectionRecord>(f.form.body.clone()).ok()
                })
                .and_then(|r| r.misjudgment_phenomenon)
        } else {
            None
        };
        Ok(CostRecord {
            complaint: inst.id().clone(),
            customer: data.customer,
            product_model: data.product_model,
            opened_at: inst.created_at(),
            misjudgment,
            costs,
        })
    }
}

fn same_phenomenon(a: &str, b: &str) -> bool {
    let norm = |s: &str| {
        s.split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .to_lowercase()
    };
    norm(a) == norm(b)
}

/// The account of `record`'s costs given the other complaints `all` (§5.4, `QD-004 §5.4 (004 L602)`).
pub fn account_for(record: &CostRecord, all: &[CostRecord], rule: MisjudgmentMatch) -> Account {
    let Some(phenomenon) = &record.misjudgment else {
        return Account::CostOfSales;
    };
    let repeated = all.iter().any(|e| {
        e.complaint != record.complaint
            && e.customer == record.customer
            && (e.opened_at, &e.complaint) < (record.opened_at, &record.complaint)
            && e.misjudgment.as_deref().is_some_and(|p| match rule {
                MisjudgmentMatch::SameCustomerSamePhenomenon => same_phenomenon(p, phenomenon),
                MisjudgmentMatch::SameCustomer => true,
            })
    });
    if repeated {
        Account::SellingExpense
    } else {
        Account::CostOfSales
    }
}

/// Booked (confirmed) and pending (unconfirmed) cost lines of a set of complaints.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CostReport {
    /// Confirmed lines.
    pub booked: CostLedger,
    /// Lines awaiting confirmation.
    pub pending: CostLedger,
}

/// Build the cost lines of `records` with their accounts.
///
/// # Errors
/// [`CostError::WrongSign`] for an entry with the wrong sign, [`CostError::CarrierUnnamed`]
/// for a blank carrier.
pub fn cost_report(
    records: &[CostRecord],
    rule: MisjudgmentMatch,
) -> Result<CostReport, CostError> {
    let mut report = CostReport::default();
    for r in records {
        let account = account_for(r, records, rule);
        for c in &r.costs {
            let mut line =
                CostLine::new(ID, r.complaint.clone(), c.entry.kind, c.entry.amount_fen)?
                    .product(r.product_model.clone())
                    .customer(r.customer.clone())
                    .describe(c.entry.description.clone());
            line = line.incurred_on(c.entry.incurred_on);
            if c.entry.kind != CostKind::ClaimReceived {
                line = line.account(account);
            }
            if let Some(s) = &c.entry.supplier {
                line = line.supplier(s.clone());
            }
            if let Some(carrier) = &c.entry.carrier {
                line = line.borne_by_carrier(carrier.clone());
            }
            line.check()?;
            if c.confirmed {
                report.booked.push(line);
            } else {
                report.pending.push(line);
            }
        }
    }
    Ok(report)
}

impl CostReport {
    /// Booked totals per complaint.
    ///
    /// # Errors
    /// [`CostError::Overflow`].
    pub fn per_complaint(&self) -> Result<BTreeMap<InstanceId, i64>, CostError> {
        self.booked.totals_by(|l| l.instance.clone())
    }

    /// Booked totals per customer.
    ///
    /// # Errors
    /// [`CostError::Overflow`].
    pub fn per_customer(&self) -> Result<BTreeMap<Option<String>, i64>, CostError> {
        self.booked.totals_by(|l| l.customer.clone())
    }

    /// Booked totals per product model.
    ///
    /// # Errors
    /// [`CostError::Overflow`].
    pub fn per_product(&self) -> Result<BTreeMap<Option<String>, i64>, CostError> {
        self.booked.totals_by(|l| l.product.clone())
    }

    /// Booked totals per supplier (`None`: no supplier concerned).
    ///
    /// # Errors
    /// [`CostError::Overflow`].
    pub fn per_supplier(&self) -> Result<BTreeMap<Option<String>, i64>, CostError> {
        self.booked.totals_by(|l| l.supplier.clone())
    }

    /// Booked totals per account.
    ///
    /// # Errors
    /// [`CostError::Overflow`].
    pub fn per_account(&self) -> Result<BTreeMap<Account, i64>, CostError> {
        self.booked.totals_by(|l| l.account)
    }

    /// Booked totals per month incurred: the month-end hand-over (SVC-KPI §7 step 8
    /// (001 L4)). Complaint lines are always dated.
    ///
    /// # Errors
    /// [`CostError::Overflow`].
    pub fn per_month(&self) -> Result<BTreeMap<Option<YearMonth>, i64>, CostError> {
        self.booked.totals_by_month()
    }

    /// Booked totals borne by each carrier (CE-MH §3.1 (002 L459)).
    ///
    /// # Errors
    /// [`CostError::Overflow`].
    pub fn per_carrier(&self) -> Result<BTreeMap<String, i64>, CostError> {
        self.booked.totals_by_carrier()
    }

    /// Booked totals per kind.
    ///
    /// # Errors
    /// [`CostError::Overflow`].
    pub fn per_kind(&self) -> Result<BTreeMap<CostKind, i64>, CostError> {
        self.booked.totals_by(|l| l.kind)
    }
}

/// The severity of a complaint instance (§3.7, `QD-004 §3.7 (004 L662)`; D1 table `RET-PC Att. 1 (004 L23–30)`): from the
/// CQE's inspection, or provisionally from the ADC's report.
///
/// # Errors
/// A form or the data does not parse.
pub fn severity(instance: &Instance, config: &Config) -> Result<Severity, String> {
    rules::severity_of(&rules::Forms::of(instance), config)
}

/// Which report goes to the customer: the 8D (serious or asked for) or the measures reply.
///
/// # Errors
/// A form or the data does not parse.
pub fn outgoing_kind(instance: &Instance, config: &Config) -> Result<ReportKind, String> {
    rules::outgoing_kind(&rules::Forms::of(instance), config)
}

/// The filtered outgoing rendering of the instance's latest 8D (`None` without one): what the
/// CQE attaches to `forward_to_adc`. Uncategorised free text goes out only where a quality
/// manager released that very text on the instance (`release_text`, §3.6, `QD-004 §3.6 (004 L628)`).
///
/// # Errors
/// A form or the data does not parse.
pub fn outgoing_report(instance: &Instance, config: &Config) -> Result<Option<Redaction>, String> {
    let forms = rules::Forms::of(instance);
    let Some(report) = forms.latest::<EightDReport>()? else {
        return Ok(None);
    };
    let data = forms.data()?;
    let kind = rules::outgoing_kind(&forms, config)?;
    Ok(Some(redact_8d_released(
        &data.complaint_no,
        &report,
        kind,
        &config.confidentiality,
        &Releases::of(instance),
    )))
}

/// The filtered rendering of the latest reply letter (《客户抱怨回复书》, RET-PC §6.2 (004 L22))
/// of a pass verdict (`None` without one): what the customer receives (QD-004 §3.6 (004 L628)).
///
/// # Errors
/// A form or the data does not parse.
pub fn outgoing_reply(instance: &Instance, config: &Config) -> Result<Option<Redaction>, String> {
    let forms = rules::Forms::of(instance);
    let Some(reply) = forms.latest::<super::forms::CustomerReply>()? else {
        return Ok(None);
    };
    let data = forms.data()?;
    Ok(Some(redact_reply(
        &data.complaint_no,
        &reply,
        &config.confidentiality,
        &Releases::of(instance),
    )))
}

/// The filtered rendering of the latest improvement evidence (`None` without any): what the
/// ADC attaches to `forward_evidence`.
///
/// # Errors
/// A form or the data does not parse.
pub fn outgoing_evidence(
    instance: &Instance,
    config: &Config,
) -> Result<Option<Redaction>, String> {
    let forms = rules::Forms::of(instance);
    let Some(ev) = forms.latest::<ImprovementEvidence>()? else {
        return Ok(None);
    };
    let data = forms.data()?;
    Ok(Some(redact_statements_released(
        &data.complaint_no,
        &ev.statements,
        &config.confidentiality,
        &Releases::of(instance),
    )))
}

/// A corrective and preventive plan the customer accepted: the basis for improving similar
/// products later (「若顾客同意该方案,公司将此措施计划作为以后同类产品改进的依据」,
/// CC-PROC §5.2.2 (004 L480)).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Baseline {
    /// The complaint it came from.
    pub complaint: InstanceId,
    /// The complaint's product model.
    pub product_model: String,
    /// The further models it applies to (同类产品).
    pub similar_products: Vec<String>,
    /// The plan (the latest on file when the acceptance was recorded).
    pub plan: CorrectiveActionPlan,
    /// When the customer accepted it.
    pub accepted_on: NaiveDate,
    /// Who at the customer accepted it.
    pub accepted_by: String,
    /// The ADC actor who recorded the acceptance.
    pub recorded_by: Option<ActorId>,
}

impl Baseline {
    /// Whether the baseline applies to product `model` (its own or a similar one; compared
    /// case-insensitively, whitespace-normalised).
    pub fn applies_to(&self, model: &str) -> bool {
        std::iter::once(&self.product_model)
            .chain(&self.similar_products)
            .any(|m| same_phenomenon(m, model))
    }
}

/// The baselines of a set of complaints: every plan acceptance recorded
/// (`record_plan_acceptance`), with the corrective action plan on file before it, oldest
/// first per complaint (CC-PROC §5.2.2 (004 L480)). Filter with [`Baseline::applies_to`] for
/// the baselines of one product.
///
/// # Errors
/// The data or a form of an instance does not parse.
pub fn baselines(instances: &[Instance]) -> Result<Vec<Baseline>, String> {
    let mut out = Vec::new();
    for inst in instances.iter().filter(|i| i.definition() == ID) {
        let data: Data = inst
            .data_as()
            .map_err(|e| format!("complaint data does not parse: {e}"))?;
        let mut plan: Option<CorrectiveActionPlan> = None;
        for f in inst.forms() {
            if f.form.kind == CorrectiveActionPlan::KIND {
                plan = Some(
                    serde_json::from_value(f.form.body.clone())
                        .map_err(|e| format!("corrective action plan does not parse: {e}"))?,
                );
            } else if f.form.kind == PlanAcceptance::KIND
                && f.action == Action::RecordPlanAcceptance.name()
            {
                let acc: PlanAcceptance = serde_json::from_value(f.form.body.clone())
                    .map_err(|e| format!("plan acceptance does not parse: {e}"))?;
                let Some(plan) = plan.clone() else {
                    return Err(format!(
                        "`{}`: a plan acceptance without a plan on file",
                        inst.id()
                    ));
                };
                out.push(Baseline {
                    complaint: inst.id().clone(),
                    product_model: data.product_model.clone(),
                    similar_products: acc.similar_products,
                    plan,
                    accepted_on: acc.accepted_on,
                    accepted_by: acc.accepted_by,
                    recorded_by: f.by.clone(),
                });
            }
        }
    }
    Ok(out)
}
