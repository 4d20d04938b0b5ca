//! The weekly and monthly batch-issue reports (批量质量问题周报 / 月报) the regional quality
//! section publishes (BQ-E §5.4.3, §7 (000 L668, L676)), computed from the instances' audit events,
//! and the cost of an issue as a [`CostLedger`].
//!
//! The seed names the reports but not their contents; the sections below are OURS, taken
//! from the section's duties: intake (BQ-E §4.9–§5.1.5 (000 L650–L652)), open issues by stage (汇总管理,
//! BQ-E §4.5.5 (000 L646)), deadlines and escalations (BQ-E §4.9–§5.2.2 (000 L650–L656)), bulletins and warnings
//! (BQ-E §4.5.4, §5.4 (000 L646, L668)), corrective and preventive measures (BQ-E §5.6, §6–§9 (000 L674, L676)), losses and
//! claims (BQ-E §4.5.6, §5.5 (000 L646, L670)) and patterns by model (BQ-E §2.2 (000 L638)).

use super::{
    Acceptance, Action, ArbitrationRecord, BatchSeverity, CapaNotice, CapaVerification,
    ClaimAppraisalReport, ClaimExecutionRecord, ClaimStatus, Data, ID, LossCategory,
    LossDataSubmission, SeverityAssessment, State, claim_status,
};
use crate::Calendar;
use crate::Vocabulary;
use crate::{CostError, CostKind, CostLedger, CostLine};
use crate::{Event, EventKind};
use crate::{Form, TypedForm};
use crate::{Instance, InstanceId, ReplayError};
use chrono::{DateTime, Datelike, Days, Months, NaiveDate, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;

/// Weekly or monthly (BQ-E §5.4.3 (000 L668)).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum BatchReportKind {
    /// 批量质量问题周报: Monday to Sunday (start day OURS).
    Weekly,
    /// 批量质量问题月报: a calendar month.
    Monthly,
}

/// A report period in local dates: `from` inclusive, `to` exclusive.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ReportPeriod {
    /// Weekly or monthly.
    pub kind: BatchReportKind,
    /// First day.
    pub from: NaiveDate,
    /// The day after the last day.
    pub to: NaiveDate,
}

impl ReportPeriod {
    /// The Monday-to-Sunday week containing `day`.
    pub fn week_of(day: NaiveDate) -> Self {
        let back = u64::from(day.weekday().num_days_from_monday());
        let from = day.checked_sub_days(Days::new(back)).unwrap_or(day);
        ReportPeriod {
            kind: BatchReportKind::Weekly,
            from,
            to: from.checked_add_days(Days::new(7)).unwrap_or(from),
        }
    }

    /// The calendar month containing `day`.
    pub fn month_of(day: NaiveDate) -> Self {
        let from = day.with_day(1).unwrap_or(day);
        ReportPeriod {
            kind: BatchReportKind::Monthly,
            from,
            to: from.checked_add_months(Months::new(1)).unwrap_or(from),
        }
    }

    /// The period as instants, local midnight to local midnight in `calendar`'s offset.
    pub fn bounds(&self, calendar: &dyn Calendar) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
        Some((
            calendar.to_utc(self.from.and_hms_opt(0, 0, 0)?)?,
            calendar.to_utc(self.to.and_hms_opt(0, 0, 0)?)?,
        ))
    }
}

/// Intake in the period (BQ-E §4.9–§5.1.5, §6–§9 (000 L650–L652, L676)).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct IntakeCounts {
    /// Complaints received.
    pub received: usize,
    /// Submitted through the batch feedback system.
    pub submitted: usize,
    /// Resubmitted after a rejection.
    pub resubmitted: usize,
    /// Returned to the station (驳回).
    pub returned: usize,
    /// Handed over to ordinary service.
    pub to_ordinary_service: usize,
    /// Batch process started.
    pub started: usize,
    /// Closed.
    pub closed: usize,
}

/// An issue open at the end of the period.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct OpenIssue {
    /// The instance.
    pub id: InstanceId,
    /// The user.
    pub customer: String,
    /// The model.
    pub model: String,
    /// Its stage.
    pub state: State,
    /// Accepted or not.
    pub acceptance: Option<Acceptance>,
    /// Severity, once assessed.
    pub severity: Option<BatchSeverity>,
    /// The supplier claim, if any.
    pub claim: Option<ClaimStatus>,
    /// Whole days since it was received.
    pub days_open: i64,
}

/// What happened to one deadline in the period.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct DeadlineCounts {
    /// Clocks started.
    pub started: usize,
    /// Clocks stopped in time.
    pub met: usize,
    /// Limits missed.
    pub breached: usize,
    /// Escalation rungs fired.
    pub escalated: usize,
}

/// Losses and claims in the period, in fen (BQ-E §5.5, §4.5.6 (000 L670, L646)).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct LossSummary {
    /// Direct losses and consumables by kind (claims received are negative, under
    /// [`CostKind::ClaimReceived`]).
    pub by_kind: BTreeMap<CostKind, i64>,
    /// Direct losses and consumables.
    pub loss_fen: i64,
    /// Amounts claimed in the claim appraisal reports filed.
    pub claimed_fen: i64,
    /// Claims confirmed by procurement commercial management.
    pub claims_confirmed: usize,
    /// Amounts recovered by executed claims.
    pub recovered_fen: i64,
    /// Losses minus recoveries.
    pub net_fen: i64,
}

/// A weekly or monthly batch-issue report.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct BatchIssueReport {
    /// The period.
    pub period: ReportPeriod,
    /// Intake.
    pub intake: IntakeCounts,
    /// Open issues at the end of the period, by stage.
    pub open_by_stage: BTreeMap<State, usize>,
    /// Open issues at the end of the period.
    pub open_issues: Vec<OpenIssue>,
    /// Deadlines by name.
    pub deadlines: BTreeMap<String, DeadlineCounts>,
    /// Director-level meetings convened (BQ-E §5.2.1–§5.2.2 (000 L656)).
    pub director_meetings: usize,
    /// Progress bulletins published (BQ-E §5.4.2 (000 L668)).
    pub progress_bulletins: usize,
    /// Quality warnings issued (BQ-E §4.5.4 (000 L646)).
    pub quality_warnings: usize,
    /// CAPA notices issued (BQ-E §5.6.2 (000 L674)).
    pub capa_notices_issued: usize,
    /// Measures verified as carried out (BQ-E §6–§9 (000 L676)).
    pub capa_items_verified: usize,
    /// CAPA notices past their reply date and not verified, at the end of the period.
    pub capa_notices_overdue: usize,
    /// Losses and claims.
    pub losses: LossSummary,
    /// Batch processes started in the period, by model (BQ-E §2.2 (000 L638) patterns).
    pub started_by_model: BTreeMap<String, usize>,
}

/// Why a report could not be made.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum ReportError {
    /// A history does not replay.
    #[error(transparent)]
    Replay(#[from] ReplayError),
    /// A cost line is wrong or a total overflowed.
    #[error(transparent)]
    Cost(#[from] CostError),
    /// The period is outside the calendar's range.
    #[error("the report period cannot be placed in the calendar")]
    Period,
}

fn kind_of(c: LossCategory) -> CostKind {
    match c {
        LossCategory::SpareParts => CostKind::SpareParts,
        LossCategory::Labour => CostKind::OnSiteLabour,
        LossCategory::Logistics => CostKind::Freight,
        LossCategory::ReplacementUnits => CostKind::ReplacementUnits,
        LossCategory::Compensation | LossCategory::Other => CostKind::Other,
    }
}

fn parse<T: TypedForm>(v: &Value) -> Option<T> {
    T::deserialize(v).ok()
}

struct Ctx<'a> {
    id: &'a InstanceId,
    data: Option<Data>,
    supplier: Option<String>,
}

impl Ctx<'_> {
    fn line(&self, kind: CostKind, fen: i64, what: String) -> Result<CostLine, CostError> {
        let mut l = CostLine::new(ID, self.id.clone(), kind, fen)?.describe(what);
        if let Some(d) = &self.data {
            l = l.product(d.model.clone()).customer(d.customer.clone());
        }
        if let Some(s) = &self.supplier {
            l = l.supplier(s.clone());
        }
        Ok(l)
    }

    /// The cost lines of one attached form (loss data, executed claim).
    fn form_lines(&self, form: &Form, ledger: &mut CostLedger) -> Result<(), CostError> {
        if form.kind == LossDataSubmission::KIND {
            if let Some(l) = parse::<LossDataSubmission>(&form.body) {
                for i in &l.items {
                    ledger.push(self.line(
                        kind_of(i.category),
                        i.amount_fen,
                        format!("{}: {}", l.loss_dept, i.description),
                    )?);
                }
            }
        } else if form.kind == ClaimExecutionRecord::KIND {
            if let Some(c) = parse::<ClaimExecutionRecord>(&form.body) {
                ledger.push(
                    self.line(
                        CostKind::ClaimReceived,
                        c.settled_amount_fen
                            .checked_neg()
                            .ok_or(CostError::Overflow)?,
                        format!("claim executed: {}", c.method_ref),
                    )?
                    .incurred_on(c.settled_on),
                );
            }
        }
        Ok(())
    }
}

fn ctx_of(inst: &Instance) -> Ctx<'_> {
    Ctx {
        id: inst.id(),
        data: inst.data_as().ok(),
        supplier: inst
            .latest_form(ArbitrationRecord::KIND)
            .and_then(parse::<ArbitrationRecord>)
            .and_then(|a| a.claim_against),
    }
}

/// The cost of poor quality of one issue: the direct losses submitted by the loss
/// departments, the settled consumables requests, and the claims recovered from the supplier
/// (negative) (BQ-E §5.5, §4.5.6 (000 L670, L646)).
///
/// # Errors
/// [`CostError`] on a wrongly signed line or an overflow.
pub fn cost_ledger(instance: &Instance) -> Result<CostLedger, CostError> {
    let c = ctx_of(instance);
    let mut ledger = CostLedger::new();
    for f in instance.forms() {
        if f.action == Action::SubmitLossData.name()
            || f.action == Action::RecordClaimExecuted.name()
        {
            c.form_lines(&f.form, &mut ledger)?;
        }
    }
    if let Some(d) = &c.data {
        for (id, link) in d.consumables.iter().filter(|(_, l)| l.settled) {
            ledger.push(c.line(
                CostKind::Consumables,
                link.cost_fen,
                format!("consumables request {id}"),
            )?);
        }
    }
    Ok(ledger)
}

/// The weekly report (批量质量问题周报) for the Monday-to-Sunday week containing `day`.
///
/// # Errors
/// See [`report`].
pub fn weekly_report(
    day: NaiveDate,
    histories: &[Vec<Event>],
    calendar: &dyn Calendar,
) -> Result<BatchIssueReport, ReportError> {
    report(ReportPeriod::week_of(day), histories, calendar)
}

/// The monthly report (批量质量问题月报) for the calendar month containing `day`.
///
/// # Errors
/// See [`report`].
pub fn monthly_report(
    day: NaiveDate,
    histories: &[Vec<Event>],
    calendar: &dyn Calendar,
) -> Result<BatchIssueReport, ReportError> {
    report(ReportPeriod::month_of(day), histories, calendar)
}

/// A report for `period` from the full event histories of batch issues (histories of other
/// procedures are skipped). Events inside the period are counted; issues are shown as they
/// stood at the end of the period (each history is replayed up to it).
///
/// # Errors
/// [`ReportError::Replay`] for a broken history, [`ReportError::Cost`] for bad amounts,
/// [`ReportError::Period`] when the period cannot be placed in the calendar.
pub fn report(
    period: ReportPeriod,
    histories: &[Vec<Event>],
    calendar: &dyn Calendar,
) -> Result<BatchIssueReport, ReportError> {
    let (start, end) = period.bounds(calendar).ok_or(ReportError::Period)?;
    let mut r = BatchIssueReport {
        period,
        intake: IntakeCounts::default(),
        open_by_stage: BTreeMap::new(),
        open_issues: Vec::new(),
        deadlines: BTreeMap::new(),
        director_meetings: 0,
        progress_bulletins: 0,
        quality_warnings: 0,
        capa_notices_issued: 0,
        capa_items_verified: 0,
        capa_notices_overdue: 0,
        losses: LossSummary::default(),
        started_by_model: BTreeMap::new(),
    };
    let mut ledger = CostLedger::new();
    for history in histories {
        let ours = matches!(
            history.first().map(|e| &e.kind),
            Some(EventKind::Created { definition, .. }) if definition == ID
        );
        let upto: Vec<&Event> = history.iter().filter(|e| e.at < end).collect();
        if !ours || upto.is_empty() {
            continue;
        }
        let inst = Instance::replay(upto.iter().copied())?;
        let c = ctx_of(&inst);
        for e in upto.iter().filter(|e| e.at >= start) {
            count_event(&mut r, &c, e, &mut ledger)?;
        }
        snapshot(&mut r, &inst, end);
    }
    let totals = ledger.totals_by(|l| l.kind)?;
    let recovered = totals
        .get(&CostKind::ClaimReceived)
        .copied()
        .unwrap_or(0)
        .checked_neg()
        .ok_or(CostError::Overflow)?;
    let net = ledger.total()?;
    r.losses.loss_fen = net.checked_add(recovered).ok_or(CostError::Overflow)?;
    r.losses.recovered_fen = recovered;
    r.losses.net_fen = net;
    r.losses.by_kind = totals;
    Ok(r)
}

fn count_event(
    r: &mut BatchIssueReport,
    c: &Ctx<'_>,
    e: &Event,
    ledger: &mut CostLedger,
) -> Result<(), ReportError> {
    match &e.kind {
        EventKind::Created { .. } => r.intake.received += 1,
        EventKind::Transitioned {
            to,
            action,
            payload,
            ..
        } => {
            let a = Action::from_name(action);
            match a {
                Some(Action::SubmitBatchFeedback) => r.intake.submitted += 1,
                Some(Action::Resubmit) => r.intake.resubmitted += 1,
                Some(Action::StartBatchProcess) => {
                    r.intake.started += 1;
                    if let Some(d) = &c.data {
                        *r.started_by_model.entry(d.model.clone()).or_default() += 1;
                    }
                }
                Some(Action::PublishProgressBulletin) => r.progress_bulletins += 1,
                Some(Action::IssueQualityWarning) => r.quality_warnings += 1,
                Some(Action::IssueCapaNotice) => r.capa_notices_issued += 1,
                Some(Action::ConfirmClaim) => r.losses.claims_confirmed += 1,
                Some(Action::SettleConsumablesRequest) => {
                    let fen = payload.get("cost_fen").and_then(Value::as_i64).unwrap_or(0);
                    let id = payload
                        .get("request")
                        .and_then(Value::as_str)
                        .unwrap_or("?");
                    ledger.push(c.line(
                        CostKind::Consumables,
                        fen,
                        format!("consumables request {id}"),
                    )?);
                }
                _ => {}
            }
            match State::from_name(to) {
                Some(State::ReturnedToStation) => r.intake.returned += 1,
                Some(State::OrdinaryService) => r.intake.to_ordinary_service += 1,
                Some(State::DirectorMeeting) => r.director_meetings += 1,
                _ => {}
            }
        }
        EventKind::Closed { state } if state == State::Closed.name() => r.intake.closed += 1,
        EventKind::FormAttached { form, action } => {
            if action == Action::SubmitLossData.name()
                || action == Action::RecordClaimExecuted.name()
            {
                c.form_lines(form, ledger)?;
            }
            if form.kind == ClaimAppraisalReport::KIND {
                if let Some(a) = parse::<ClaimAppraisalReport>(&form.body) {
                    r.losses.claimed_fen = r
                        .losses
                        .claimed_fen
                        .checked_add(a.claimed_amount_fen)
                        .ok_or(CostError::Overflow)?;
                }
            }
            if form.kind == CapaVerification::KIND
                && parse::<CapaVerification>(&form.body).is_some_and(|v| v.verified)
            {
                r.capa_items_verified += 1;
            }
        }
        EventKind::DeadlineStarted { deadline, .. } => {
            r.deadlines.entry(deadline.to_string()).or_default().started += 1;
        }
        EventKind::DeadlineStopped { deadline, met, .. } if *met => {
            r.deadlines.entry(deadline.to_string()).or_default().met += 1;
        }
        EventKind::DeadlineBreached { deadline, .. } => {
            r.deadlines
                .entry(deadline.to_string())
                .or_default()
                .breached += 1;
        }
        EventKind::Escalated {
            deadline, moved, ..
        } => {
            r.deadlines
                .entry(deadline.to_string())
                .or_default()
                .escalated += 1;
            if moved
                .as_ref()
                .is_some_and(|(_, to)| to == State::DirectorMeeting.name())
            {
                r.director_meetings += 1;
            }
        }
        _ => {}
    }
    Ok(())
}

fn snapshot(r: &mut BatchIssueReport, inst: &Instance, end: DateTime<Utc>) {
    let verified: BTreeMap<_, _> = inst
        .forms()
        .iter()
        .filter(|f| f.form.kind == CapaVerification::KIND)
        .filter_map(|f| parse::<CapaVerification>(&f.form.body))
        .map(|v| (v.item, v.verified))
        .collect();
    r.capa_notices_overdue += inst
        .forms()
        .iter()
        .filter(|f| f.action == Action::IssueCapaNotice.name())
        .filter_map(|f| parse::<CapaNotice>(&f.form.body))
        .filter(|n| {
            n.reply_due < end
                && verified.get(&super::CapaItem::Notice {
                    notice_no: n.notice_no.clone(),
                }) != Some(&true)
        })
        .count();
    if inst.is_closed() {
        return;
    }
    let Some(state) = State::from_name(inst.state()) else {
        return;
    };
    *r.open_by_stage.entry(state).or_default() += 1;
    let data: Option<Data> = inst.data_as().ok();
    r.open_issues.push(OpenIssue {
        id: inst.id().clone(),
        customer: data
            .as_ref()
            .map(|d| d.customer.clone())
            .unwrap_or_default(),
        model: data.as_ref().map(|d| d.model.clone()).unwrap_or_default(),
        state,
        acceptance: data.as_ref().and_then(|d| d.acceptance),
        severity: inst
            .latest_form(SeverityAssessment::KIND)
            .and_then(parse::<SeverityAssessment>)
            .map(|s| s.severity),
        claim: claim_status(inst),
        days_open: (end - inst.created_at()).num_days(),
    });
}
