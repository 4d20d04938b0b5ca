//! The guard and effect functions of the batch quality procedure, each registered under its
//! [`Guard`] or [`Effect`] name by [`register`]; the domain rules they rest on are in
//! `rules/`: the batch definition ([`batch`], BQ-E §2.1–§2.2 (000 L636–L638)) and batch detection over failure
//! records ([`detect`]). A refusal names its guard
//! ([`Rejection::GuardRejected`](crate::Rejection::GuardRejected)); the variant's
//! documentation says the rule and its source line.

pub(super) mod batch;
pub mod detect;
mod intake;

use self::batch::{assess, rule_for, window_start};
use super::{
    Acceptance, Action, ArbitrationRecord, BatchFeedbackReport, BatchReturnExchangeApplication,
    BatchSeverity, BatchStartDecision, CapaItem, CapaNotice, CapaVerification,
    ClaimAppraisalReport, ClaimStatus, Config, Consultation, ConsultedParty, Data, Deadline,
    DirectorMeetingMinutes, Effect, EffectVerification, ExecutionResultReport, FailedPartKind,
    FailedPartReturn, Guard, LossDataSubmission, MeetingDecision, OverallSolutionPlan, Party,
    PlanEvaluation, PlanKind, ProblemImprovementForm, ProductChangeRequest, ProgressBulletin,
    ProgressEntry, QualityAppraisalReport, QualityWarning, RdSolution, RejectReason,
    RejectionNotice, Role, SeverityAssessment, TsPreliminaryAnalysis, claim_status,
};
use crate::Context;
use crate::Instance;
use crate::Registry;
use crate::TypedForm;
use crate::Vocabulary;
use chrono::Days;
use serde_json::Value;
use std::collections::BTreeMap;
use std::sync::Arc;

type GuardResult = Result<(), String>;

fn parse<T: TypedForm>(v: &Value) -> Result<T, String> {
    T::deserialize(v).map_err(|e| format!("malformed `{}`: {e}", T::KIND))
}

/// The form of `T` attached now or, failing that, the latest on file.
fn form<T: TypedForm>(ctx: &Context<'_>) -> Result<T, String> {
    parse(
        ctx.form(T::KIND)
            .ok_or_else(|| format!("no `{}` on file", T::KIND))?,
    )
}

fn latest<T: TypedForm>(inst: &Instance) -> Option<T> {
    inst.latest_form(T::KIND).and_then(|v| parse(v).ok())
}

/// Every form of `T` on file, oldest first, then those attached now.
fn all<T: TypedForm>(ctx: &Context<'_>) -> Vec<T> {
    let on_file = ctx
        .instance
        .forms()
        .iter()
        .filter(|f| f.form.kind == T::KIND)
        .map(|f| &f.form.body);
    let now = ctx
        .forms
        .iter()
        .filter(|f| f.kind == T::KIND)
        .map(|f| &f.body);
    on_file.chain(now).filter_map(|v| parse(v).ok()).collect()
}

/// Every form of `T` on file that came with `action`.
fn all_from<T: TypedForm>(inst: &Instance, action: super::Action) -> Vec<T> {
    inst.forms()
        .iter()
        .filter(|f| f.form.kind == T::KIND && f.action == action.name())
        .filter_map(|f| parse(&f.form.body).ok())
        .collect()
}

fn data(inst: &Instance) -> Result<Data, String> {
    inst.data_as()
        .map_err(|e| format!("instance data is not batch-issue data: {e}"))
}

fn text<'a>(ctx: &Context<'a>, key: &str) -> Option<&'a str> {
    ctx.payload
        .get(key)
        .and_then(Value::as_str)
        .filter(|s| !s.trim().is_empty())
}

fn require(ok: bool, why: impl Into<String>) -> GuardResult {
    if ok { Ok(()) } else { Err(why.into()) }
}

fn formal_channel(_: &Config, ctx: &Context<'_>) -> GuardResult {
    match ctx.payload.get("channel").and_then(Value::as_str) {
        Some("batch_feedback_system") => Ok(()),
        Some("email") => Err("information sent by e-mail is for reference only \
             (通过邮件系统提报的信息只做为参考, BQ-E §5.1.4 (000 L652)): use the batch feedback system"
            .into()),
        Some(other) => Err(format!(
            "channel `{other}` is not a formal input: only the batch feedback system is \
             (BQ-E §5.1.4 (000 L652))"
        )),
        None => Err(
            "state the channel: only the batch feedback system (批量反馈系统) is a \
             formal input (BQ-E §5.1.4 (000 L652))"
                .into(),
        ),
    }
}

fn station_named(_: &Config, ctx: &Context<'_>) -> GuardResult {
    text(ctx, "station").map(|_| ()).ok_or_else(|| {
        "name the local station: {\"station\": \"...\"} (BQ-E §5.1.2 (000 L652))".into()
    })
}

fn senior_engineer(_: &Config, ctx: &Context<'_>) -> GuardResult {
    let d = data(ctx.instance)?;
    let se = ctx
        .payload
        .get("senior_engineer")
        .ok_or("name the senior engineer: {\"senior_engineer\": {\"person\", \"qualified_models\"}} (BQ-E §4.9–§5.1.1 (000 L650))")?;
    let person = se
        .get("person")
        .and_then(Value::as_str)
        .filter(|p| !p.trim().is_empty())
        .ok_or("`senior_engineer.person` is empty")?;
    let qualified = se
        .get("qualified_models")
        .and_then(Value::as_array)
        .is_some_and(|ms| ms.iter().any(|m| m.as_str() == Some(d.model.as_str())));
    require(
        qualified,
        format!(
            "`{person}` is not a senior engineer for model `{}` (委派相应产品的资深工程师, BQ-E §5.1.1 (000 L650))",
            d.model
        ),
    )
}

fn report_matches_issue(_: &Config, ctx: &Context<'_>) -> GuardResult {
    let d = data(ctx.instance)?;
    let r: BatchFeedbackReport = form(ctx)?;
    require(
        r.customer == d.customer && r.model == d.model,
        format!(
            "the report is about `{}` / `{}`, the issue about `{}` / `{}`",
            r.customer, r.model, d.customer, d.model
        ),
    )?;
    let today = ctx.now.date_naive();
    // one day of slack for the host's time zone
    let latest_day = today.checked_add_days(Days::new(1)).unwrap_or(today);
    match r.failed_units.iter().find(|u| u.failed_on > latest_day) {
        Some(u) => Err(format!(
            "unit `{}` fails in the future ({})",
            u.serial, u.failed_on
        )),
        None => Ok(()),
    }
}

fn ts_evidence(cfg: &Config, ctx: &Context<'_>) -> GuardResult {
    let a: TsPreliminaryAnalysis = form(ctx)?;
    let earliest = window_start(a.window_to, cfg.window_months).unwrap_or(a.window_to);
    require(
        a.window_from >= earliest,
        format!(
            "the counts span {}..={}, more than {} months (3个月内, BQ-E §2.2 (000 L638))",
            a.window_from, a.window_to, cfg.window_months
        ),
    )?;
    match rule_for(&a.evidence, cfg) {
        Ok(Some(_)) => Ok(()),
        Ok(None) => {
            let (f, n) = a.evidence.counts();
            Err(format!(
                "{f} failed of {n} units meets no batch condition (BQ-E §2.2 (000 L638)): reject instead"
            ))
        }
        Err(e) => Err(format!("{e} (BQ-E §2.2 (000 L638))")),
    }
}

fn ts_reject_reason(_: &Config, ctx: &Context<'_>) -> GuardResult {
    let n: RejectionNotice = form(ctx)?;
    require(
        matches!(
            n.reason,
            RejectReason::IncompleteFeedback | RejectReason::InsufficientEvidence
        ),
        "technical support rejects when the feedback is incomplete or does not prove a batch \
         problem (没有按要求填写 / 不足以证明, BQ-E §5.1.1 (000 L652))",
    )
}

fn meets_batch_definition(cfg: &Config, ctx: &Context<'_>) -> GuardResult {
    let d: BatchStartDecision = form(ctx)?;
    assess(&d.case, cfg)
        .map(|_| ())
        .map_err(|e| format!("not a batch quality problem: {e} (BQ-E §2.2 (000 L638)): reject it"))
}

fn acceptance_matches(_: &Config, ctx: &Context<'_>) -> GuardResult {
    let d: BatchStartDecision = form(ctx)?;
    let given: Option<Acceptance> = ctx
        .payload
        .get("acceptance")
        .and_then(|v| serde_json::from_value(v.clone()).ok());
    require(
        given == Some(d.acceptance),
        format!(
            "the payload must carry the acceptance status of the decision (`{}`), which sets \
             R&D's limits (BQ-E §5.2.1 (000 L654))",
            d.acceptance.name()
        ),
    )
}

fn revised(_: &Config, ctx: &Context<'_>) -> GuardResult {
    let new: BatchFeedbackReport = form(ctx)?;
    let old = latest::<BatchFeedbackReport>(ctx.instance).map_or(0, |r| r.revision);
    require(
        new.revision > old,
        format!("a resubmission carries a revision above {old}"),
    )
}

fn failed_part_rules(cfg: &Config, ctx: &Context<'_>) -> GuardResult {
    let r: FailedPartReturn = form(ctx)?;
    require(
        r.ownership_transferred,
        "the failed part still belongs to the customer: handle the problem first \
         (故障品不再属于客户所有后再返回, BQ-E §5.2.2 (000 L660))",
    )?;
    let exception = r
        .rqs_exception
        .as_deref()
        .is_some_and(|e| !e.trim().is_empty());
    require(
        !r.to_supplier || cfg.allow_failed_part_to_supplier || exception,
        "failed parts are not given to suppliers for analysis in principle \
         (原则上不允许提供故障部件给供应商分析, BQ-E §5.2.2 (000 L658))",
    )?;
    match &r.kind {
        FailedPartKind::WholeMachine { doa_process_ref } => require(
            !doa_process_ref.trim().is_empty(),
            "a whole machine returns through the DOA or non-DOA process (BQ-E §5.2.2 (000 L662))",
        ),
        FailedPartKind::Component {
            supplier_good_part_swap,
        } => require(
            *supplier_good_part_swap || exception,
            "a component is obtained by the supplier's point-to-point good-part swap \
             (良品点对点更换获取, BQ-E §5.2.2 (000 L662))",
        ),
    }
}

fn solution_mature(_: &Config, ctx: &Context<'_>) -> GuardResult {
    let s: RdSolution = form(ctx)?;
    require(
        s.verified_off_site,
        "the solution must be mature and verified before it reaches the user \
         (成熟有效…尽量避免在用户端多次验证, BQ-E §5.2.3 (000 L664))",
    )
}

fn rd_deadline_breached(_: &Config, ctx: &Context<'_>) -> GuardResult {
    let breached = ctx
        .instance
        .clock(Deadline::RdSolution)
        .is_some_and(|d| d.breached && d.is_active());
    require(
        breached,
        "R&D's limit has not been missed: the director-level meeting is for a missed limit \
         (如果在规定时限内无法提供有效结论, BQ-E §5.2.1 (000 L656))",
    )
}

fn meeting_continues_rd(_: &Config, ctx: &Context<'_>) -> GuardResult {
    let m: DirectorMeetingMinutes = form(ctx)?;
    require(
        matches!(m.decision, MeetingDecision::ContinueRd { .. }),
        "the minutes do not send the issue back to R&D",
    )
}

fn meeting_adopts_solution(_: &Config, ctx: &Context<'_>) -> GuardResult {
    let m: DirectorMeetingMinutes = form(ctx)?;
    require(
        m.decision == MeetingDecision::AdoptSolution,
        "the minutes do not adopt a solution",
    )
}

fn consultation_recorder(_: &Config, ctx: &Context<'_>) -> GuardResult {
    let c: Consultation = form(ctx)?;
    require(
        c.at <= ctx.now,
        "a consultation cannot be dated in the future",
    )?;
    match c.party {
        ConsultedParty::Branch { .. } => require(
            ctx.actor.has_role(Role::Branch.name()),
            "the branch records its own opinion (BQ-E §5.2.3–§5.2.4 (000 L664))",
        ),
        ConsultedParty::User { .. } => require(
            ctx.actor.has_role(Role::Sales.name())
                || ctx.actor.has_role(Role::RegionalQualitySection.name()),
            "the user's opinion is recorded by sales or the quality section (BQ-E §5.2.3–§5.2.4, §4.8.3 (000 L664, L648))",
        ),
    }
}

fn evaluator_is_dept(_: &Config, ctx: &Context<'_>) -> GuardResult {
    let e: PlanEvaluation = form(ctx)?;
    require(
        ctx.actor.has_role(e.dept.name()),
        format!("only `{}` gives its own evaluation", e.dept),
    )
}

fn return_to_rd_reason(_: &Config, ctx: &Context<'_>) -> GuardResult {
    let n: RejectionNotice = form(ctx)?;
    require(
        matches!(
            n.reason,
            RejectReason::NotEffective | RejectReason::NotMature | RejectReason::Other
        ),
        "a solution goes back to R&D as not effective or not mature (BQ-E §5.2.1, §5.2.3 (000 L654, L664))",
    )
}

fn plan_not_replacement(cfg: &Config, ctx: &Context<'_>) -> GuardResult {
    let p: OverallSolutionPlan = form(ctx)?;
    require(
        p.kind != PlanKind::WholeMachineReplacement,
        format!(
            "a whole-machine replacement plan is drawn up jointly by {} and the quality section: \
             each signs it (共同制定整体换机方案, BQ-E §3.1 (000 L642))",
            cfg.replacement_plan_coauthors
                .iter()
                .map(|r| r.name())
                .collect::<Vec<_>>()
                .join(", ")
        ),
    )
}

fn plan_is_replacement(_: &Config, ctx: &Context<'_>) -> GuardResult {
    let p: OverallSolutionPlan = form(ctx)?;
    require(
        p.kind == PlanKind::WholeMachineReplacement,
        "only a whole-machine replacement plan is signed jointly; the quality section approves \
         other plans (fire `approve_plan`)",
    )
}

fn consulted(_: &Config, ctx: &Context<'_>) -> GuardResult {
    let cs = all::<Consultation>(ctx);
    let before = |c: &&Consultation| c.at <= ctx.now;
    let branch = cs
        .iter()
        .filter(before)
        .any(|c| matches!(c.party, ConsultedParty::Branch { .. }));
    let user = cs
        .iter()
        .filter(before)
        .any(|c| matches!(c.party, ConsultedParty::User { .. }));
    require(
        branch && user,
        format!(
            "the plan needs the branch's and the user's opinion first \
             (事先征求分公司及用户意见, BQ-E §5.2.4 (000 L664)); missing: {}",
            [(!branch).then_some("branch"), (!user).then_some("user")]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(", ")
        ),
    )
}

fn plan_evaluated(cfg: &Config, ctx: &Context<'_>) -> GuardResult {
    let evals = all::<PlanEvaluation>(ctx);
    for dept in &cfg.plan_evaluators {
        match evals.iter().rev().find(|e| e.dept == *dept) {
            None => {
                return Err(format!(
                    "`{dept}` has not evaluated the plan's effectiveness and feasibility (BQ-E §5.2.3–§5.2.4 (000 L664))"
                ));
            }
            Some(e) if !(e.effective && e.feasible) => {
                return Err(format!(
                    "`{dept}` judged the plan not effective or not feasible: {} (BQ-E §5.2.3–§5.2.4 (000 L664))",
                    e.comment
                ));
            }
            Some(_) => {}
        }
    }
    Ok(())
}

fn replacement_preferred(cfg: &Config, ctx: &Context<'_>) -> GuardResult {
    let p: OverallSolutionPlan = form(ctx)?;
    let d = data(ctx.instance)?;
    let reason_given = p
        .not_replacement_reason
        .as_deref()
        .is_some_and(|r| !r.trim().is_empty());
    require(
        !cfg.prefer_replacement_when_not_accepted
            || d.acceptance != Some(Acceptance::NotAccepted)
            || p.kind == PlanKind::WholeMachineReplacement
            || reason_given,
        "during user acceptance a whole-machine replacement is preferred; give \
         `not_replacement_reason` for another plan (优先考虑整机更换, BQ-E §3.1 (000 L640))",
    )
}

fn return_application(_: &Config, ctx: &Context<'_>) -> GuardResult {
    let p: OverallSolutionPlan = form(ctx)?;
    if !p.returns_or_exchanges_units {
        return Ok(());
    }
    let a: BatchReturnExchangeApplication = form(ctx).map_err(|_| {
        "a plan returning or exchanging units needs the batch return/exchange application \
         (《方正科技产品批量退换货申请表》, BQ-E §7 (000 L676))"
            .to_owned()
    })?;
    let d = data(ctx.instance)?;
    require(
        a.customer == d.customer && a.model == d.model,
        "the return/exchange application is for another customer or model",
    )?;
    require(
        a.quantity <= p.units_planned,
        "the return/exchange application covers more units than the plan",
    )
}

fn approved_plan(inst: &Instance) -> Result<OverallSolutionPlan, String> {
    latest(inst).ok_or_else(|| "no approved overall solution plan on file".to_owned())
}

fn progress_consistent(_: &Config, ctx: &Context<'_>) -> GuardResult {
    let e: ProgressEntry = form(ctx)?;
    let plan = approved_plan(ctx.instance)?;
    let before = all_from::<ProgressEntry>(ctx.instance, Action::RecordProgress)
        .iter()
        .map(|p| p.units_done_total)
        .max()
        .unwrap_or(0);
    require(
        e.units_done_total >= before && e.units_done_total <= plan.units_planned,
        format!(
            "units done must stay between the last report ({before}) and the plan ({})",
            plan.units_planned
        ),
    )
}

fn supplier_indicated(_: &Config, ctx: &Context<'_>) -> GuardResult {
    let by_rd = latest::<RdSolution>(ctx.instance).is_some_and(|s| s.supplier_indicated.is_some());
    let by_qar = all::<QualityAppraisalReport>(ctx).iter().any(|q| {
        q.responsibility
            .iter()
            .any(|p| matches!(p, Party::Supplier { .. }))
    });
    require(
        by_rd || by_qar,
        "no supplier is indicated as the cause (因供应商责任导致的, BQ-E §5.3.1 (000 L666))",
    )
}

fn severity(inst: &Instance) -> Option<BatchSeverity> {
    latest::<SeverityAssessment>(inst).map(|s| s.severity)
}

fn severity_major(_: &Config, ctx: &Context<'_>) -> GuardResult {
    require(
        severity(ctx.instance) == Some(BatchSeverity::Major),
        "a quality warning is issued for a major batch problem (重大批量质量问题预警, BQ-E §4.5.4 (000 L646))",
    )
}

fn bulletin_flag(_: &Config, ctx: &Context<'_>) -> GuardResult {
    let b: ProgressBulletin = form(ctx)?;
    let major = severity(ctx.instance) == Some(BatchSeverity::Major);
    require(
        b.major_abnormality == major,
        if major {
            "a major issue's bulletin is the 重大异常进度通报 (BQ-E §7 (000 L676)): set `major_abnormality`"
        } else {
            "`major_abnormality` is only for an issue assessed major (BQ-E §7 (000 L676))"
        },
    )?;
    let plan = approved_plan(ctx.instance)?;
    require(
        b.units_planned == plan.units_planned,
        "the bulletin's planned units differ from the plan",
    )
}

fn severity_assessed(_: &Config, ctx: &Context<'_>) -> GuardResult {
    require(
        severity(ctx.instance).is_some(),
        "assess the impact and issue the internal bulletin first \
         (评估影响严重程度, 发布内部通报, BQ-E §9 (000 L676))",
    )
}

fn warning_if_major(_: &Config, ctx: &Context<'_>) -> GuardResult {
    require(
        severity(ctx.instance) != Some(BatchSeverity::Major)
            || latest::<QualityWarning>(ctx.instance).is_some(),
        "a major batch problem needs its quality warning (品质保障部质量预警通报, BQ-E §4.5.4 (000 L646))",
    )
}

fn result_matches_plan(_: &Config, ctx: &Context<'_>) -> GuardResult {
    let r: ExecutionResultReport = form(ctx)?;
    let plan = approved_plan(ctx.instance)?;
    require(
        r.units_planned == plan.units_planned,
        format!(
            "the result reports {} planned units, the plan {}",
            r.units_planned, plan.units_planned
        ),
    )
}

fn effective(_: &Config, ctx: &Context<'_>) -> GuardResult {
    let v: EffectVerification = form(ctx)?;
    require(
        v.effective,
        "the verification found the execution not effective",
    )
}

fn ineffective(_: &Config, ctx: &Context<'_>) -> GuardResult {
    let v: EffectVerification = form(ctx)?;
    require(
        !v.effective,
        "the verification found the execution effective",
    )
}

fn rd_qars(inst: &Instance) -> Vec<QualityAppraisalReport> {
    all_from(inst, Action::IssueQualityAppraisalReport)
}

fn qar_present(_: &Config, ctx: &Context<'_>) -> GuardResult {
    let qars = rd_qars(ctx.instance);
    require(
        !qars.is_empty(),
        "no 《质量鉴定报告》 issued by R&D: arbitration rests on it (BQ-E §5.6.1 (000 L674))",
    )?;
    if ctx.action == Action::Arbitrate.name() {
        let a: ArbitrationRecord = form(ctx)?;
        require(
            qars.iter().any(|q| q.report_no == a.qar_no),
            format!("R&D issued no quality appraisal report `{}`", a.qar_no),
        )?;
    }
    Ok(())
}

fn arbitration(inst: &Instance) -> Result<ArbitrationRecord, String> {
    latest(inst).ok_or_else(|| "no arbitration on file".to_owned())
}

fn capa_addressee(_: &Config, ctx: &Context<'_>) -> GuardResult {
    let n: CapaNotice = form(ctx)?;
    let a = arbitration(ctx.instance)?;
    require(
        a.capa_for.contains(&n.to),
        format!(
            "the arbitration names no CAPA notice for {:?} (BQ-E §5.6.2 (000 L674))",
            n.to
        ),
    )?;
    require(n.reply_due > ctx.now, "the reply is due in the past")?;
    require(
        !all_from::<CapaNotice>(ctx.instance, Action::IssueCapaNotice)
            .iter()
            .any(|o| o.notice_no == n.notice_no),
        format!("notice `{}` was already issued", n.notice_no),
    )
}

fn improvement_submitted(_: &Config, ctx: &Context<'_>) -> GuardResult {
    require(
        latest::<ProblemImprovementForm>(ctx.instance).is_some(),
        "no 《问题改进表单》 submitted by the quality section (BQ-E §5.6.3 (000 L674))",
    )
}

/// Every measure issued: CAPA notices, improvement forms, product change requests.
fn issued_items(inst: &Instance) -> Vec<CapaItem> {
    let mut items: Vec<CapaItem> = all_from::<CapaNotice>(inst, Action::IssueCapaNotice)
        .into_iter()
        .map(|n| CapaItem::Notice {
            notice_no: n.notice_no,
        })
        .collect();
    items.extend(
        all_from::<ProblemImprovementForm>(inst, Action::SubmitImprovementForm)
            .into_iter()
            .map(|f| CapaItem::Improvement { form_no: f.form_no }),
    );
    items.extend(
        all_from::<ProductChangeRequest>(inst, Action::RequestProductChange)
            .into_iter()
            .map(|r| CapaItem::ProductChange {
                request_no: r.request_no,
            }),
    );
    items.sort();
    items.dedup();
    items
}

fn measures_issued(_: &Config, ctx: &Context<'_>) -> GuardResult {
    let a = arbitration(ctx.instance)?;
    let notices = all_from::<CapaNotice>(ctx.instance, Action::IssueCapaNotice);
    for p in &a.capa_for {
        require(
            notices.iter().any(|n| n.to == *p),
            format!("no CAPA notice issued to {p:?} (BQ-E §5.6.2 (000 L674))"),
        )?;
    }
    let items = issued_items(ctx.instance);
    require(
        !a.internal_improvement
            || items
                .iter()
                .any(|i| matches!(i, CapaItem::Improvement { .. })),
        "the internal process needs a 《问题改进表单》 (BQ-E §5.6.3 (000 L674))",
    )?;
    require(
        !a.product_change
            || items
                .iter()
                .any(|i| matches!(i, CapaItem::ProductChange { .. })),
        "the product change needs a 《产品变更申请单》 (BQ-E §5.6.4 (000 L674))",
    )
}

fn verdicts(ctx: &Context<'_>) -> BTreeMap<CapaItem, bool> {
    all::<CapaVerification>(ctx)
        .into_iter()
        .map(|v| (v.item, v.verified))
        .collect()
}

fn capa_item_known(_: &Config, ctx: &Context<'_>) -> GuardResult {
    let v: CapaVerification = form(ctx)?;
    require(
        issued_items(ctx.instance).contains(&v.item),
        format!("{:?} was never issued", v.item),
    )
}

fn capa_item_failed(_: &Config, ctx: &Context<'_>) -> GuardResult {
    require(
        verdicts(ctx).values().any(|ok| !ok),
        "every verified measure passed: nothing to reopen",
    )
}

fn all_capa_verified(_: &Config, ctx: &Context<'_>) -> GuardResult {
    let v = verdicts(ctx);
    let open: Vec<String> = issued_items(ctx.instance)
        .into_iter()
        .filter(|i| v.get(i) != Some(&true))
        .map(|i| format!("{i:?}"))
        .collect();
    require(
        open.is_empty(),
        format!(
            "corrective and preventive measures not verified yet (跟踪验证纠正预防措施执行情况, \
             BQ-E §6–§9 (000 L676)): {}",
            open.join(", ")
        ),
    )
}

fn claim_settled(_: &Config, ctx: &Context<'_>) -> GuardResult {
    let s = claim_status(ctx.instance);
    require(
        s.is_none() || s == Some(ClaimStatus::Executed),
        format!(
            "the supplier claim is not executed yet ({s:?}) (采购部执行索赔, BQ-E §9 (000 L676))"
        ),
    )
}

fn consumables_settled(_: &Config, ctx: &Context<'_>) -> GuardResult {
    let d = data(ctx.instance)?;
    let open: Vec<&str> = d
        .consumables
        .iter()
        .filter(|(_, l)| !l.settled)
        .map(|(id, _)| id.as_str())
        .collect();
    require(
        open.is_empty(),
        format!("consumables requests still open: {}", open.join(", ")),
    )
}

fn qar_archived(_: &Config, ctx: &Context<'_>) -> GuardResult {
    require(
        data(ctx.instance)?.qar_archived,
        "archive the 《质量鉴定报告》 first (主导《质量鉴定报告》的整理归档, BQ-E §4.5.5 (000 L646))",
    )
}

fn claim_is(ctx: &Context<'_>, want: ClaimStatus) -> GuardResult {
    match claim_status(ctx.instance) {
        None => Err(
            "no supplier claim: the arbitration names no supplier to claim \
                     direct losses from (BQ-E §5.5 (000 L670))"
                .into(),
        ),
        Some(s) => require(s == want, format!("the claim is {s:?}, not {want:?}")),
    }
}

fn claim_appraisal_matches(_: &Config, ctx: &Context<'_>) -> GuardResult {
    let r: ClaimAppraisalReport = form(ctx)?;
    let a = arbitration(ctx.instance)?;
    require(
        a.claim_against.as_deref() == Some(r.supplier.as_str()),
        format!(
            "the arbitration claims from {:?}, not `{}`",
            a.claim_against, r.supplier
        ),
    )?;
    require(
        r.qar_no == a.qar_no,
        format!(
            "the arbitration rests on `{}`, not `{}`",
            a.qar_no, r.qar_no
        ),
    )?;
    let losses = all_from::<LossDataSubmission>(ctx.instance, Action::SubmitLossData);
    require(
        !losses.is_empty(),
        "no loss data from the loss departments (BQ-E §5.5 (000 L670))",
    )?;
    let d = data(ctx.instance)?;
    require(
        d.consumables.values().all(|l| l.settled),
        "consumables requests are still open: their costs are not final",
    )?;
    let total = losses
        .iter()
        .map(LossDataSubmission::total_fen)
        .chain(d.consumables.values().map(|l| Some(l.cost_fen)))
        .try_fold(0i64, |acc, x| x.and_then(|x| acc.checked_add(x)))
        .ok_or("loss total overflows")?;
    require(
        r.total_direct_loss_fen == total,
        format!(
            "the report's direct loss {} fen differs from the loss data and consumables, {total} fen \
             (BQ-E §5.5 (000 L670))",
            r.total_direct_loss_fen
        ),
    )
}

fn with_data(
    value: &mut Value,
    f: impl FnOnce(&mut Data) -> Result<(), String>,
) -> Result<(), String> {
    let mut d: Data = serde_json::from_value(value.clone())
        .map_err(|e| format!("instance data is not batch-issue data: {e}"))?;
    f(&mut d)?;
    *value = serde_json::to_value(&d).map_err(|e| e.to_string())?;
    Ok(())
}

fn payload_text(ctx: &Context<'_>, key: &str) -> Result<String, String> {
    ctx.payload
        .get(key)
        .and_then(Value::as_str)
        .filter(|s| !s.trim().is_empty())
        .map(str::to_owned)
        .ok_or_else(|| format!("payload needs `{key}`"))
}

fn e_station(v: &mut Value, ctx: &Context<'_>) -> Result<(), String> {
    let s = payload_text(ctx, "station")?;
    with_data(v, |d| {
        d.station = Some(s);
        Ok(())
    })
}

fn e_senior_engineer(v: &mut Value, ctx: &Context<'_>) -> Result<(), String> {
    let person = ctx
        .payload
        .pointer("/senior_engineer/person")
        .and_then(Value::as_str)
        .ok_or("payload needs `senior_engineer.person`")?
        .to_owned();
    with_data(v, |d| {
        d.senior_engineer = Some(person);
        Ok(())
    })
}

fn e_acceptance(v: &mut Value, ctx: &Context<'_>) -> Result<(), String> {
    let a: Acceptance = ctx
        .payload
        .get("acceptance")
        .and_then(|a| serde_json::from_value(a.clone()).ok())
        .ok_or("payload needs `acceptance`")?;
    with_data(v, |d| {
        d.acceptance = Some(a);
        Ok(())
    })
}

fn e_link_consumables(v: &mut Value, ctx: &Context<'_>) -> Result<(), String> {
    let id = payload_text(ctx, "request")?;
    with_data(v, |d| {
        if d.consumables.contains_key(&id) {
            return Err(format!("consumables request `{id}` is already linked"));
        }
        d.consumables.insert(id, Default::default());
        Ok(())
    })
}

fn e_settle_consumables(v: &mut Value, ctx: &Context<'_>) -> Result<(), String> {
    let id = payload_text(ctx, "request")?;
    let cost = ctx
        .payload
        .get("cost_fen")
        .and_then(Value::as_i64)
        .filter(|c| *c >= 0)
        .ok_or("payload needs `cost_fen` ≥ 0")?;
    with_data(v, |d| {
        let link = d
            .consumables
            .get_mut(&id)
            .ok_or_else(|| format!("consumables request `{id}` is not linked"))?;
        if link.settled {
            return Err(format!("consumables request `{id}` is already settled"));
        }
        link.settled = true;
        link.cost_fen = cost;
        Ok(())
    })
}

fn e_archive_qar(v: &mut Value, _: &Context<'_>) -> Result<(), String> {
    with_data(v, |d| {
        d.qar_archived = true;
        Ok(())
    })
}

fn e_project(v: &mut Value, ctx: &Context<'_>) -> Result<(), String> {
    let p = payload_text(ctx, "project")?;
    with_data(v, |d| {
        d.rectification_project = Some(p);
        Ok(())
    })
}

fn e_claim(v: &mut Value, ctx: &Context<'_>) -> Result<(), String> {
    use Action as A;
    let next = match Action::from_name(ctx.action) {
        Some(A::FileClaimAppraisal) => ClaimStatus::AwaitingConfirmation,
        Some(A::ConfirmClaim) => ClaimStatus::Executing,
        Some(A::ReturnClaim) => ClaimStatus::LossCollection,
        Some(A::RecordClaimExecuted) => ClaimStatus::Executed,
        _ => return Err(format!("`{}` does not move the claim", ctx.action)),
    };
    with_data(v, |d| {
        d.claim = Some(next);
        Ok(())
    })
}

type GuardFn = fn(&Config, &Context<'_>) -> GuardResult;
type EffectFn = fn(&mut Value, &Context<'_>) -> Result<(), String>;

fn claim_collecting(_: &Config, ctx: &Context<'_>) -> GuardResult {
    claim_is(ctx, ClaimStatus::LossCollection)
}

fn claim_awaiting(_: &Config, ctx: &Context<'_>) -> GuardResult {
    claim_is(ctx, ClaimStatus::AwaitingConfirmation)
}

fn claim_executing(_: &Config, ctx: &Context<'_>) -> GuardResult {
    claim_is(ctx, ClaimStatus::Executing)
}

/// Every guard of the procedure with its function.
const GUARDS: &[(Guard, GuardFn)] = &[
    (Guard::FormalChannel, formal_channel),
    (Guard::StationNamed, station_named),
    (Guard::SeniorEngineer, senior_engineer),
    (Guard::ReportMatchesIssue, report_matches_issue),
    (Guard::TsEvidence, ts_evidence),
    (Guard::TsRejectReason, ts_reject_reason),
    (Guard::MeetsBatchDefinition, meets_batch_definition),
    (Guard::AcceptanceMatches, acceptance_matches),
    (Guard::Revised, revised),
    (Guard::FailedPartRules, failed_part_rules),
    (Guard::SolutionMature, solution_mature),
    (Guard::RdDeadlineBreached, rd_deadline_breached),
    (Guard::MeetingContinuesRd, meeting_continues_rd),
    (Guard::MeetingAdoptsSolution, meeting_adopts_solution),
    (Guard::ConsultationRecorder, consultation_recorder),
    (Guard::EvaluatorIsDept, evaluator_is_dept),
    (Guard::ReturnToRdReason, return_to_rd_reason),
    (Guard::PlanNotReplacement, plan_not_replacement),
    (Guard::PlanIsReplacement, plan_is_replacement),
    (Guard::Consulted, consulted),
    (Guard::PlanEvaluated, plan_evaluated),
    (Guard::ReplacementPreferred, replacement_preferred),
    (Guard::ReturnApplication, return_application),
    (Guard::ProgressConsistent, progress_consistent),
    (Guard::SupplierIndicated, supplier_indicated),
    (Guard::SeverityMajor, severity_major),
    (Guard::BulletinFlag, bulletin_flag),
    (Guard::SeverityAssessed, severity_assessed),
    (Guard::WarningIfMajor, warning_if_major),
    (Guard::ResultMatchesPlan, result_matches_plan),
    (Guard::Effective, effective),
    (Guard::Ineffective, ineffective),
    (Guard::QarPresent, qar_present),
    (Guard::CapaAddressee, capa_addressee),
    (Guard::ImprovementSubmitted, improvement_submitted),
    (Guard::MeasuresIssued, measures_issued),
    (Guard::CapaItemKnown, capa_item_known),
    (Guard::CapaItemFailed, capa_item_failed),
    (Guard::AllCapaVerified, all_capa_verified),
    (Guard::ClaimSettled, claim_settled),
    (Guard::ConsumablesSettled, consumables_settled),
    (Guard::QarArchived, qar_archived),
    (Guard::ClaimAppraisalMatches, claim_appraisal_matches),
    (Guard::ClaimCollecting, claim_collecting),
    (Guard::ClaimAwaiting, claim_awaiting),
    (Guard::ClaimExecuting, claim_executing),
    (
        Guard::ReceivedByThisStation,
        intake::received_by_this_station,
    ),
    (Guard::ReceivedByRtse, intake::received_by_rtse),
    (Guard::ReceivedByDepartment, intake::received_by_department),
    (Guard::DesignatedStation, intake::designated_station),
];

/// Every effect of the procedure with its function.
const EFFECTS: &[(Effect, EffectFn)] = &[
    (Effect::Station, e_station),
    (Effect::SeniorEngineer, e_senior_engineer),
    (Effect::Acceptance, e_acceptance),
    (Effect::LinkConsumables, e_link_consumables),
    (Effect::SettleConsumables, e_settle_consumables),
    (Effect::ArchiveQar, e_archive_qar),
    (Effect::Project, e_project),
    (Effect::Claim, e_claim),
    (Effect::ReceivingStation, intake::e_receiving_station),
];

/// Bind every guard and effect of the procedure to `cfg`.
pub(super) fn register(mut reg: Registry, cfg: Arc<Config>) -> Registry {
    for &(name, f) in GUARDS {
        let cfg = cfg.clone();
        reg = reg.guard(name, move |ctx| f(&cfg, ctx));
    }
    for &(name, f) in EFFECTS {
        reg = reg.effect(name, f);
    }
    reg
}

#[cfg(test)]
mod tests {
    use super::{EFFECTS, Effect, GUARDS, Guard};
    use crate::Vocabulary;

    #[test]
    fn every_guard_and_effect_has_one_function() {
        for g in Guard::ALL {
            assert_eq!(GUARDS.iter().filter(|(n, _)| n == g).count(), 1, "{g}");
        }
        for e in Effect::ALL {
            assert_eq!(EFFECTS.iter().filter(|(n, _)| n == e).count(), 1, "{e}");
        }
    }
}
